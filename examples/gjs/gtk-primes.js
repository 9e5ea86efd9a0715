// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A small GTK 4 app profiled with hotpath-glib from GJS.
//
// Each click counts the primes below a growing limit. countPrimes and the
// click handler are measured with imports.hotpath; the report is printed
// when the app quits, and while it runs the live routes, D-Bus and
// hotpath-viewer show it like a C program:
//
//     gjs examples/gjs/gtk-primes.js
//     curl -s http://127.0.0.1:6770/functions_timing
//
// --clicks N clicks N times by itself, then quits.

imports.gi.versions.Gtk = '4.0';
const {GLib, Gtk} = imports.gi;
const {Hotpath, measure, measureBlock} = imports.hotpath;
const System = imports.system;

const countPrimes = measure('gtk-primes::countPrimes', limit => {
    const sieve = new Uint8Array(limit).fill(1);
    sieve[0] = sieve[1] = 0;
    for (let i = 2; i * i < limit; i++) {
        if (sieve[i]) {
            for (let j = i * i; j < limit; j += i)
                sieve[j] = 0;
        }
    }
    return sieve.reduce((a, b) => a + b, 0);
});

let clicks = 0;
const clicksAt = ARGV.indexOf('--clicks');
if (clicksAt >= 0)
    clicks = parseInt(ARGV[clicksAt + 1]);

const guard = Hotpath.GuardBuilder.new('gtk-primes-gjs').build();
const app = new Gtk.Application({application_id: 'io.github.HotpathGlib.Examples.GjsPrimes'});

app.connect('activate', () => {
    let limit = 100000;
    const label = new Gtk.Label({label: 'Click to count primes'});
    const button = new Gtk.Button({label: 'Count'});
    const box = new Gtk.Box({
        orientation: Gtk.Orientation.VERTICAL, spacing: 12,
        margin_top: 24, margin_bottom: 24, margin_start: 24, margin_end: 24,
    });
    box.append(label);
    box.append(button);

    button.connect('clicked', measure('gtk-primes::onClicked', () => {
        measureBlock('gtk-primes::updateLabel', () => {
            label.label = `${countPrimes(limit)} primes below ${limit}`;
        });
        limit += 100000;
    }));

    const window = new Gtk.ApplicationWindow({application: app, title: 'Primes', default_width: 320});
    window.set_child(box);
    window.present();

    if (clicks > 0) {
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
            button.emit('clicked');
            if (--clicks > 0)
                return GLib.SOURCE_CONTINUE;
            app.quit();
            return GLib.SOURCE_REMOVE;
        });
    }
});

app.run([System.programInvocationName]);
// Written now rather than whenever GJS releases the guard.
guard.finish();
