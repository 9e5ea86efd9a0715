#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small GTK 4 app profiled with hotpath-glib from Python.

Each click counts the primes below a growing limit. count_primes and the
click handler are measured; the report is printed when the app quits (the
PyGObject override finishes the guard at exit), and while it runs the live
routes, D-Bus and hotpath-viewer show it like a C program:

    python3 examples/python/gtk-primes.py
    curl -s http://127.0.0.1:6770/functions_timing

--clicks N clicks N times by itself, then quits.
"""

import sys

import gi

gi.require_version('Gtk', '4.0')
gi.require_version('Hotpath', '1')
from gi.repository import GLib, Gtk, Hotpath  # noqa: E402


@Hotpath.measure
def count_primes(limit):
    sieve = bytearray([1]) * limit
    sieve[0:2] = b'\0\0'
    for i in range(2, int(limit ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(range(i * i, limit, i)))
    return sum(sieve)


class PrimesWindow(Gtk.ApplicationWindow):
    def __init__(self, app):
        super().__init__(application=app, title='Primes', default_width=320)
        self.limit = 100000
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12,
                      margin_top=24, margin_bottom=24, margin_start=24, margin_end=24)
        self.label = Gtk.Label(label='Click to count primes')
        self.button = Gtk.Button(label='Count')
        self.button.connect('clicked', self.on_clicked)
        box.append(self.label)
        box.append(self.button)
        self.set_child(box)

    @Hotpath.measure('gtk-primes::on_clicked')
    def on_clicked(self, button):
        with Hotpath.measure('gtk-primes::update_label'):
            count = count_primes(self.limit)
            self.label.set_label('%d primes below %d' % (count, self.limit))
        self.limit += 100000


def main():
    clicks = 0
    if '--clicks' in sys.argv:
        clicks = int(sys.argv[sys.argv.index('--clicks') + 1])

    guard = Hotpath.GuardBuilder.new('gtk-primes').build()  # noqa: F841 (reports at exit)
    app = Gtk.Application(application_id='io.github.HotpathGlib.Examples.PythonPrimes')

    def on_activate(app):
        window = PrimesWindow(app)
        window.present()
        if clicks:
            def click():
                nonlocal clicks
                window.button.emit('clicked')
                clicks -= 1
                if clicks == 0:
                    app.quit()
                    return GLib.SOURCE_REMOVE
                return GLib.SOURCE_CONTINUE
            GLib.timeout_add(10, click)

    app.connect('activate', on_activate)
    return app.run([sys.argv[0]])


if __name__ == '__main__':
    sys.exit(main())
