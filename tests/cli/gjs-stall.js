// SPDX-License-Identifier: LGPL-2.1-or-later
// gjs-stall: a GJS program for `hotpath run`: a GLib timeout whose
// JavaScript callback blocks the main loop for 20 ms, five times.
const GLib = imports.gi.GLib;

const loop = new GLib.MainLoop(null, false);
let ticks = 0;

function slowTick() {
    const until = GLib.get_monotonic_time() + 20000;
    while (GLib.get_monotonic_time() < until)
        ;
    if (++ticks < 5)
        return GLib.SOURCE_CONTINUE;
    loop.quit();
    return GLib.SOURCE_REMOVE;
}

GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, slowTick);
loop.run();
