// SPDX-License-Identifier: LGPL-2.1-or-later
//
// hotpath-glib from GJS: the typelib and imports.hotpath, against the build
// tree (GI_TYPELIB_PATH, LD_LIBRARY_PATH; -I for bindings/gjs). TAP output,
// one line per /Hotpath/GJS/<case>.

imports.gi.versions.Hotpath = '1';
const {GLib, Hotpath} = imports.gi;
const {measure, measureBlock} = imports.hotpath;

const cases = [];

function newGuard(name) {
    const builder = new Hotpath.GuardBuilder({name, format: Hotpath.Format.NONE});
    return builder.build();
}

function functionCalls(snapshot) {
    const calls = {};
    for (let i = 0; i < snapshot.get_n_functions(); i++) {
        const stats = snapshot.get_function(i);
        calls[stats.get_name()] = stats.get_calls();
    }
    return calls;
}

function assertEqual(actual, expected, what) {
    if (actual !== expected)
        throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

cases.push(['typelib', () => {
    assertEqual(Hotpath.Format.JSON, 1, 'Format.JSON');
    assertEqual(typeof Hotpath.VERSION_S, 'string', 'VERSION_S');
    const builder = new Hotpath.GuardBuilder({name: 'props', limit: 4});
    assertEqual(builder.name, 'props', 'name property');
    assertEqual(builder.limit, 4, 'limit property');
    builder.format = Hotpath.Format.JSON_PRETTY;
    assertEqual(builder.get_format(), Hotpath.Format.JSON_PRETTY, 'format');
}]);

cases.push(['span', () => {
    const guard = newGuard('gjs-span');
    for (let i = 0; i < 6; i++) {
        const span = Hotpath.Span.begin('gjs::span');
        span.end();
    }
    const calls = functionCalls(guard.snapshot());
    guard.finish();
    assertEqual(calls['gjs::span'], 6, 'gjs::span calls');
}]);

cases.push(['measure', () => {
    const guard = newGuard('gjs-measure');
    const square = measure('gjs::square', x => x * x);
    const named = measure(function cube(x) {
        return x * x * x;
    });
    let sum = 0;
    for (let i = 0; i < 9; i++)
        sum += square(i) + named(i);
    measureBlock('gjs::block', () => sum);
    const calls = functionCalls(guard.snapshot());
    guard.finish();
    assertEqual(calls['gjs::square'], 9, 'gjs::square calls');
    assertEqual(calls['cube'], 9, 'cube calls');
    assertEqual(calls['gjs::block'], 1, 'gjs::block calls');
    assertEqual(named.name, 'cube', 'wrapped name');
}]);

cases.push(['measure-throws', () => {
    const guard = newGuard('gjs-throws');
    const failing = measure('gjs::failing', () => {
        throw new Error('boom');
    });
    try {
        failing();
    } catch (e) {
        assertEqual(e.message, 'boom', 'error passes through');
    }
    const calls = functionCalls(guard.snapshot());
    guard.finish();
    assertEqual(calls['gjs::failing'], 1, 'gjs::failing calls');
}]);

cases.push(['second-guard', () => {
    const guard = newGuard('gjs-first');
    let thrown = null;
    try {
        newGuard('gjs-second');
    } catch (e) {
        thrown = e;
    }
    guard.finish();
    if (thrown === null || !thrown.matches(Hotpath.error_quark(), Hotpath.Error.BUSY))
        throw new Error(`expected HOTPATH_ERROR_BUSY, got ${thrown}`);
}]);

print(`1..${cases.length}`);
let failed = 0;
cases.forEach(([name, fn], index) => {
    try {
        fn();
        print(`ok ${index + 1} /Hotpath/GJS/${name}`);
    } catch (e) {
        failed++;
        print(`not ok ${index + 1} /Hotpath/GJS/${name}`);
        for (const line of `${e}\n${e.stack}`.split('\n'))
            print(`# ${line}`);
    }
});
imports.system.exit(failed ? 1 : 0);
