#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hotpath-glib from Python: the typelib and the PyGObject override.

Runs against the build tree (GI_TYPELIB_PATH, LD_LIBRARY_PATH and PYTHONPATH
are set by meson) and prints TAP, one line per /Hotpath/Python/<case>.
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import traceback
import urllib.request

import gi

gi.require_version('Hotpath', '1')
from gi.repository import GLib, Hotpath  # noqa: E402

CASES = []


def case(func):
    CASES.append(func)
    return func


def new_guard(name, **props):
    builder = Hotpath.GuardBuilder(name=name, format=Hotpath.Format.NONE, **props)
    return builder.build()


def function_calls(snapshot):
    return {snapshot.get_function(i).get_name(): snapshot.get_function(i).get_calls()
            for i in range(snapshot.get_n_functions())}


def run_python(code, env=None, **kwargs):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)], env=full_env,
                          capture_output=True, text=True, timeout=60, **kwargs)


@Hotpath.measure
def decorated_default():
    return 42


@Hotpath.measure('python::load')
def decorated_named(x):
    return x * 2


class Parser:
    @Hotpath.measure()
    def parse(self, text):
        return text.split()


@case
def typelib():
    assert Hotpath.MAJOR_VERSION == 0
    assert Hotpath.VERSION_S == '%d.%d.%d' % (Hotpath.MAJOR_VERSION, Hotpath.MINOR_VERSION,
                                             Hotpath.MICRO_VERSION)
    assert Hotpath.Format.JSON_PRETTY == 2
    assert Hotpath.Format.__gtype__.name == 'HotpathFormat'
    assert Hotpath.Error.BUSY == 0


@case
def builder_properties():
    builder = Hotpath.GuardBuilder(name='props', format=Hotpath.Format.JSON, limit=3,
                                   output_path='/tmp/x.json', timeout_ms=250)
    assert builder.props.name == 'props'
    assert builder.props.format == Hotpath.Format.JSON
    assert builder.get_limit() == 3
    assert builder.props.output_path == '/tmp/x.json'
    assert builder.props.timeout_ms == 250
    notified = []
    builder.connect('notify::limit', lambda obj, pspec: notified.append(obj.props.limit))
    builder.set_limit(7)
    builder.set_limit(7)
    assert notified == [7], notified
    builder.set_percentiles([99, 50, 50])
    assert builder.get_percentiles() == [50.0, 99.0]
    assert Hotpath.GuardBuilder.new(None).props.name  # the program's name


@case
def decorator():
    guard = new_guard('decorator')
    for i in range(5):
        assert decorated_default() == 42
        assert decorated_named(i) == i * 2
    calls = function_calls(guard.snapshot())
    guard.finish()
    assert calls.get('test-python::decorated_default') == 5, calls
    assert calls.get('python::load') == 5, calls
    assert decorated_default.__name__ == 'decorated_default'


@case
def decorator_method():
    guard = new_guard('method')
    parser = Parser()
    for _ in range(3):
        assert parser.parse('a b') == ['a', 'b']
    calls = function_calls(guard.snapshot())
    guard.finish()
    assert calls.get('test-python::Parser.parse') == 3, calls


@case
def context_manager():
    guard = new_guard('context')
    parse = Hotpath.measure('python::parse')
    for _ in range(4):
        with parse:
            with Hotpath.measure('python::inner'):
                pass
    with Hotpath.measure():
        pass
    calls = function_calls(guard.snapshot())
    guard.finish()
    assert calls.get('python::parse') == 4, calls
    assert calls.get('python::inner') == 4, calls
    assert calls.get('test-python::context_manager') == 1, calls


@case
def context_manager_exception():
    guard = new_guard('exception')
    try:
        with Hotpath.measure('python::failing'):
            raise ValueError('boom')
    except ValueError:
        pass
    calls = function_calls(guard.snapshot())
    guard.finish()
    assert calls.get('python::failing') == 1, calls


@case
def span():
    guard = new_guard('span')
    s = Hotpath.Span.begin('python::span')
    assert s.get_name() == 'python::span'
    s.end()
    s.end()  # a second end records nothing more
    snapshot = guard.snapshot()
    guard.finish()
    stats = snapshot.get_function(0)
    assert stats.get_name() == 'python::span'
    assert stats.get_calls() == 1
    assert stats.get_total_ns() > 0


@case
def nothing_without_guard():
    decorated_default()
    with Hotpath.measure('python::unrecorded'):
        pass
    guard = new_guard('after')
    calls = function_calls(guard.snapshot())
    guard.finish()
    assert calls == {}, calls


@case
def second_guard_is_an_error():
    guard = new_guard('first')
    try:
        new_guard('second')
    except GLib.Error as error:
        assert error.matches(Hotpath.error_quark(), Hotpath.Error.BUSY), error
    else:
        raise AssertionError('a second guard was built')
    finally:
        guard.finish()


@case
def finish_error():
    builder = Hotpath.GuardBuilder(name='finish-error', output_path='/proc/nonexistent/report')
    guard = builder.build()
    try:
        guard.finish()
    except GLib.Error as error:
        assert error.matches(GLib.file_error_quark(), GLib.FileError.NOENT), error
        assert '/proc/nonexistent/report' in error.message
    else:
        raise AssertionError('finish succeeded')


@case
def guard_context_manager():
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'report.json')
        with Hotpath.GuardBuilder(name='with', format=Hotpath.Format.JSON,
                                  output_path=path).build():
            decorated_named(1)
        with open(path) as f:
            report = json.load(f)
    rows = report['sections']['functions_timing']['data']
    assert report['program'] == 'with'
    assert [(r['name'], r['calls']) for r in rows] == [('python::load', 1)], rows


@case
def finish_at_exit():
    # The guard is never finished by the script: the override does it when
    # the interpreter exits, and the report is on stderr.
    result = run_python('''
        import gi
        gi.require_version('Hotpath', '1')
        from gi.repository import Hotpath
        guard = Hotpath.GuardBuilder(name='at-exit', format=Hotpath.Format.JSON).build()
        @Hotpath.measure
        def work():
            return sum(range(100))
        for _ in range(7):
            work()
        print('done')
    ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout == 'done\n', result.stdout
    # The report is the JSON line; the library's messages may precede it.
    report = json.loads([line for line in result.stderr.splitlines() if line.startswith('{')][-1])
    rows = report['sections']['functions_timing']['data']
    assert report['program'] == 'at-exit'
    assert [(r['name'], r['calls']) for r in rows] == [('work', 7)], rows


@case
def live_http():
    # A Python process serves the live routes like a C one: HTTP on a free
    # port (announced on stderr), answering with the Python functions.
    env = {'HOTPATH_METRICS_SERVER_OFF': '', 'HOTPATH_METRICS_PORT': '0'}
    process = subprocess.Popen([sys.executable, '-c', textwrap.dedent('''
        import sys
        import gi
        gi.require_version('Hotpath', '1')
        from gi.repository import Hotpath
        guard = Hotpath.GuardBuilder(name='live-python', format=Hotpath.Format.NONE).build()
        @Hotpath.measure('python::handle_request')
        def handle_request(i):
            return i * i
        for i in range(11):
            handle_request(i)
        print('ready', flush=True)
        sys.stdin.read()
        guard.finish()
    ''')], env=dict(os.environ, **env), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        port = None
        while port is None:
            line = process.stderr.readline()
            assert line, 'no live HTTP server line'
            marker = 'live HTTP server on http://127.0.0.1:'
            if marker in line:
                port = int(line.split(marker)[1].split('/')[0])
        assert process.stdout.readline() == 'ready\n'
        with urllib.request.urlopen('http://127.0.0.1:%d/functions_timing' % port,
                                    timeout=30) as response:
            assert response.status == 200
            body = json.load(response)
        rows = {r['name']: r['calls'] for r in body['data']}
        assert rows.get('python::handle_request') == 11, body
    finally:
        process.stdin.close()
        process.wait(timeout=60)
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == 0


def main():
    print('1..%d' % len(CASES), flush=True)
    failed = 0
    for number, func in enumerate(CASES, 1):
        name = '/Hotpath/Python/' + func.__name__.replace('_', '-')
        try:
            func()
        except Exception:
            failed += 1
            print('not ok %d %s' % (number, name))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
        else:
            print('ok %d %s' % (number, name))
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
