#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The GTK examples of examples/python and examples/gjs, profiled for real.

Usage: check-gtk-examples.py RUN_UNDER_XVFB GJS SOURCE_ROOT

Each example clicks its button twice on its own X server and quits; its
JSON report must count two calls of each measured function. TAP output.
"""

import json
import os
import subprocess
import sys

run_under_xvfb, gjs, source_root = sys.argv[1:4]
bindings_gjs = os.path.join(source_root, 'bindings', 'gjs')

examples = [
    ('python', [sys.executable, os.path.join(source_root, 'examples', 'python', 'gtk-primes.py')],
     ['gtk-primes::on_clicked', 'gtk-primes::update_label', 'gtk-primes::count_primes']),
    ('gjs', [gjs, '-I', bindings_gjs, os.path.join(source_root, 'examples', 'gjs', 'gtk-primes.js')],
     ['gtk-primes::onClicked', 'gtk-primes::updateLabel', 'gtk-primes::countPrimes']),
]

env = dict(os.environ, HOTPATH_OUTPUT_FORMAT='json', HOTPATH_LIMIT='0')
print('1..%d' % len(examples), flush=True)
failed = 0
for number, (name, command, functions) in enumerate(examples, 1):
    result = subprocess.run([run_under_xvfb] + command + ['--clicks', '2'], env=env,
                            capture_output=True, text=True, timeout=120)
    if result.returncode == 77:
        print('ok %d /Hotpath/GtkExamples/%s # SKIP %s' % (number, name, result.stdout.strip()))
        continue
    problem = None
    try:
        lines = [line for line in result.stderr.splitlines() if line.startswith('{')]
        report = json.loads(lines[-1])
        calls = {row['name']: row['calls']
                 for row in report['sections']['functions_timing']['data']}
        if result.returncode != 0:
            problem = 'exit status %d' % result.returncode
        elif any(calls.get(f) != 2 for f in functions):
            problem = 'calls %r' % calls
    except (IndexError, KeyError, ValueError) as error:
        problem = 'no JSON report (%s)' % error
    if problem is None:
        print('ok %d /Hotpath/GtkExamples/%s' % (number, name))
    else:
        failed += 1
        print('not ok %d /Hotpath/GtkExamples/%s' % (number, name))
        print('# ' + problem)
        for line in result.stderr.splitlines():
            print('# ' + line)
    sys.stdout.flush()
sys.exit(1 if failed else 0)
