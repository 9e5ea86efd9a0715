// SPDX-License-Identifier: LGPL-2.1-or-later
//
// What a measured GJS call costs, against the same call unmeasured.
//
// measure() from imports.hotpath makes two GJS-to-C calls (measure_begin
// and measure_end) around the function. Three costs per call, in rounds
// interleaved within this run (medians): the plain function; measured with
// no session running (GJS's own cost: two calls that return at once);
// measured while a guard records (GJS's cost plus ours). The target:
// recording costs at most 1.5x GJS's own cost.

const {GLib} = imports.gi;
const {Hotpath, measure} = imports.hotpath;
const System = imports.system;

const CALLS = 100000;
const ROUNDS = 7;
const TARGET = 1.5;

function readFirstLine(path) {
    try {
        const [, bytes] = GLib.file_get_contents(path);
        return new TextDecoder().decode(bytes).trim();
    } catch (e) {
        return 'unknown';
    }
}

function perCall(fn) {
    const start = GLib.get_monotonic_time();
    for (let i = 0; i < CALLS; i++)
        fn();
    return (GLib.get_monotonic_time() - start) * 1000 / CALLS;
}

function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

const plain = () => undefined;
const measured = measure('bench::measured', () => undefined);

const load = readFirstLine('/proc/loadavg').split(' ').slice(0, 3).join(' ');
const clocksource = readFirstLine('/sys/devices/system/clocksource/clocksource0/current_clocksource');
print(`bench/bindings (GJS): clocksource ${clocksource}, load ${load}, GJS ${System.version}`);

const rows = {plain: [], off: [], measured: []};
for (let r = 0; r < ROUNDS; r++) {
    const guard = new Hotpath.GuardBuilder({name: 'bench-bindings-gjs', format: Hotpath.Format.NONE}).build();
    rows.measured.push(perCall(measured));
    const snapshot = guard.snapshot();
    guard.finish();
    rows.off.push(perCall(measured));
    rows.plain.push(perCall(plain));
    if (snapshot.get_n_functions() !== 1 || snapshot.get_function(0).get_calls() !== CALLS) {
        print('  not every call was counted');
        System.exit(1);
    }
}

const m = {plain: median(rows.plain), off: median(rows.off), measured: median(rows.measured)};
const ratio = m.measured / m.off;
const ns = v => v.toFixed(0).padStart(7);
print(`  plain call                 ${ns(m.plain)} ns`);
print(`  measure(), no session      ${ns(m.off)} ns  (GJS's own cost)`);
print(`  measure(), recording       ${ns(m.measured)} ns  (${(m.measured / m.plain).toFixed(1)}x the plain call)`);
print(`  recording / GJS cost ${ratio.toFixed(2)}x (target <= ${TARGET.toFixed(1)}x)`);
System.exit(ratio <= TARGET ? 0 : 1);
