// SPDX-License-Identifier: LGPL-2.1-or-later
//
// hotpath.js: GJS helpers for hotpath-glib, over the Hotpath-1 typelib.
//
//   imports.gi.versions.Hotpath = '1';
//   const {measure, measureBlock} = imports.hotpath;
//
//   const load = measure('load', () => { ... });   // a measured function
//   measureBlock('parse', () => { ... });           // a measured block, run now
//
// A name left out defaults to the function's name. Measured calls are
// reported like C functions measured with HOTPATH_MEASURE_AS().
/* exported measure, measureBlock, Hotpath */

imports.gi.versions.Hotpath = '1';
var Hotpath = imports.gi.Hotpath;

function _nameOf(name, fn) {
    if (typeof name === 'string')
        return name;
    if (fn.name)
        return fn.name;
    throw new TypeError('hotpath: a name is needed for an anonymous function');
}

// Returns a function that runs fn inside a Hotpath.Span named name.
// measure(fn) or measure(name, fn).
function measure(name, fn) {
    if (typeof name === 'function') {
        fn = name;
        name = undefined;
    }
    const label = _nameOf(name, fn);
    // measure_begin/end, not a Span: wrapping an object costs GJS more.
    const measured = function (...args) {
        const token = Hotpath.measure_begin(label);
        try {
            return fn.apply(this, args);
        } finally {
            Hotpath.measure_end(token);
        }
    };
    Object.defineProperty(measured, 'name', {value: fn.name});
    return measured;
}

// Runs fn now inside a Hotpath.Span named name; returns what fn returns.
function measureBlock(name, fn) {
    const label = _nameOf(name, fn);
    const token = Hotpath.measure_begin(label);
    try {
        return fn();
    } finally {
        Hotpath.measure_end(token);
    }
}
