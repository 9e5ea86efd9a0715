# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyGObject override for hotpath-glib (namespace Hotpath, version 1).

Adds what Python code expects on top of the typelib:

- ``Hotpath.measure``: a decorator and a context manager that measure with
  ``Hotpath.Span``. Names default to ``module::qualname`` (the script's file
  stem for ``__main__``), the Python form of C's ``file-stem::function``.
- Guards built from Python stay alive until ``guard.finish ()`` or the
  interpreter exits, where they are finished (the report is written) by an
  ``atexit`` handler. A guard is also a context manager.
"""

import atexit
import functools
import inspect
import os
import sys
import threading

from gi.repository import GLib

from ..module import get_introspection_module
from ..overrides import override

Hotpath = get_introspection_module('Hotpath')

__all__ = []

# Guards built from Python, finished at exit unless finished before.
_guards_lock = threading.Lock()
_guards = []


def _module_label(module_name):
    if module_name in (None, '__main__'):
        main = sys.modules.get('__main__')
        path = getattr(main, '__file__', None)
        if path:
            return os.path.splitext(os.path.basename(path))[0]
        return None
    return module_name


def _name_of_function(func):
    qualname = getattr(func, '__qualname__', None) or getattr(func, '__name__', None)
    if qualname is None:
        qualname = repr(func)
    module = _module_label(getattr(func, '__module__', None))
    return '%s::%s' % (module, qualname) if module else qualname


def _name_of_caller(depth):
    frame = sys._getframe(depth + 1)
    code = frame.f_code
    qualname = getattr(code, 'co_qualname', code.co_name)
    module = _module_label(frame.f_globals.get('__name__'))
    return '%s::%s' % (module, qualname) if module else qualname


# measure_begin/end rather than a Span: no object to wrap per call.
_begin = Hotpath.measure_begin
_end = Hotpath.measure_end


def _wrap(func, name):
    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def measured_coroutine(*args, **kwargs):
            token = _begin(name)
            try:
                return await func(*args, **kwargs)
            finally:
                _end(token)
        return measured_coroutine

    @functools.wraps(func)
    def measured(*args, **kwargs):
        token = _begin(name)
        try:
            return func(*args, **kwargs)
        finally:
            _end(token)
    return measured


class _Measure:
    """What ``Hotpath.measure (name)`` returns: decorator and context manager."""

    __slots__ = ('name', '_local')

    def __init__(self, name):
        self.name = name
        self._local = threading.local()

    def __call__(self, func):
        if not callable(func):
            raise TypeError('Hotpath.measure: expected a function to decorate, got %r' % (func,))
        return _wrap(func, self.name if self.name is not None else _name_of_function(func))

    def __enter__(self):
        name = self.name if self.name is not None else _name_of_caller(1)
        stack = getattr(self._local, 'open', None)
        if stack is None:
            stack = self._local.open = []
        # Last, so the bookkeeping above is not measured.
        stack.append(_begin(name))
        return self

    def __exit__(self, exc_type, exc, traceback):
        _end(self._local.open.pop())
        return False


def measure(name=None):
    """Measure a function or a block of code.

    As a decorator, ``@Hotpath.measure`` or ``@Hotpath.measure ('load')``;
    as a context manager, ``with Hotpath.measure ('parse'):``. Without a
    name, a decorated function is reported as ``module::qualname`` and a
    block as the function it is in. Measured calls show up in the report,
    the live HTTP routes, D-Bus and the viewer like C functions measured
    with ``HOTPATH_MEASURE_AS ()``; nothing is recorded while no guard runs.
    """
    if callable(name):
        return _wrap(name, _name_of_function(name))
    if name is not None and not isinstance(name, str):
        raise TypeError('Hotpath.measure: the name must be a str, got %r' % (name,))
    return _Measure(name)


__all__.append('measure')


def _keep(guard):
    with _guards_lock:
        _guards.append(guard)


def _forget(guard):
    with _guards_lock:
        try:
            _guards.remove(guard)
        except ValueError:
            pass


class GuardBuilder(Hotpath.GuardBuilder):
    def build(self):
        guard = Hotpath.GuardBuilder.build(self)
        _keep(guard)
        return guard


GuardBuilder = override(GuardBuilder)
__all__.append('GuardBuilder')


class Guard(Hotpath.Guard):
    def finish(self):
        try:
            return Hotpath.Guard.finish(self)
        finally:
            _forget(self)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        self.finish()
        return False


Guard = override(Guard)
__all__.append('Guard')


@atexit.register
def _finish_at_exit():
    with _guards_lock:
        guards = list(_guards)
    for guard in guards:
        try:
            guard.finish()
        except GLib.Error as error:
            # Nobody can take the error any more: say it, as the C library
            # does when it finishes a guard at exit.
            sys.stderr.write('Hotpath-Message: %s\n' % error.message)
