#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What a measured Python call costs, against the same call unmeasured.

A call decorated with Hotpath.measure makes two PyGObject calls
(Hotpath.measure_begin and measure_end) around the function. Three costs
per call, in rounds interleaved within this run (medians):

- the function undecorated;
- decorated, with no session running: the binding's own cost (two
  PyGObject calls that return at once);
- decorated, while a guard records: the binding's cost plus ours
  (interning the name, two clock reads, one ring store).

The target: recording costs at most 1.5x the binding's own cost, so our
share stays small next to what any PyGObject call costs.
"""

import statistics
import sys
import time

import gi

gi.require_version('Hotpath', '1')
from gi.repository import Hotpath  # noqa: E402

CALLS = 100000
ROUNDS = 7
TARGET = 1.5


def machine():
    try:
        with open('/sys/devices/system/clocksource/clocksource0/current_clocksource') as f:
            clocksource = f.read().strip()
    except OSError:
        clocksource = 'unknown'
    with open('/proc/loadavg') as f:
        load = ' '.join(f.read().split()[:3])
    return 'clocksource %s, load %s, Python %s, PyGObject %s' % (
        clocksource, load, sys.version.split()[0], '.'.join(map(str, gi.version_info)))


def per_call(func):
    start = time.perf_counter_ns()
    for _ in range(CALLS):
        func()
    return (time.perf_counter_ns() - start) / CALLS


def plain():
    return None


@Hotpath.measure('bench::measured')
def measured():
    return None


block = Hotpath.measure('bench::block')


def with_block():
    with block:
        return None


def main():
    print('bench/bindings (Python): %s' % machine())
    rows = {name: [] for name in ('plain', 'off', 'measured', 'block')}
    for _ in range(ROUNDS):
        guard = Hotpath.GuardBuilder(name='bench-bindings', format=Hotpath.Format.NONE).build()
        rows['measured'].append(per_call(measured))
        rows['block'].append(per_call(with_block))
        snapshot = guard.snapshot()
        guard.finish()
        rows['off'].append(per_call(measured))
        rows['plain'].append(per_call(plain))
        calls = {snapshot.get_function(i).get_name(): snapshot.get_function(i).get_calls()
                 for i in range(snapshot.get_n_functions())}
        if calls.get('bench::measured') != CALLS or calls.get('bench::block') != CALLS:
            print('  not every call was counted: %r' % calls)
            return 1

    m = {name: statistics.median(values) for name, values in rows.items()}
    ratio = m['measured'] / m['off']
    print('  plain call                      %7.0f ns' % m['plain'])
    print('  @Hotpath.measure, no session    %7.0f ns  (the binding\'s own cost)' % m['off'])
    print('  @Hotpath.measure, recording     %7.0f ns  (%.1fx the plain call)' % (
        m['measured'], m['measured'] / m['plain']))
    print('  with Hotpath.measure(), recording %5.0f ns' % m['block'])
    print('  recording / binding cost %.2fx (target <= %.1fx)' % (ratio, TARGET))
    return 0 if ratio <= TARGET else 1


if __name__ == '__main__':
    sys.exit(main())
