/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vala-example.vala: hotpath-glib from Vala, through hotpath-glib-1.vapi.
 *
 * Builds a guard, measures two functions with Hotpath.Span and a custom
 * reporter that prints one line per function, then finishes the guard. It
 * exits with 1 unless the report counted every call (the test suite runs it).
 */

class LineReporter : Object, Hotpath.Reporter {
    public HashTable<string, uint64?> calls = new HashTable<string, uint64?> (str_hash, str_equal);

    public bool report (Hotpath.Snapshot snapshot) throws Error {
        for (uint i = 0; i < snapshot.get_n_functions (); i++) {
            unowned Hotpath.FunctionStats stats = snapshot.get_function (i);
            print ("%s %" + uint64.FORMAT + "\n", stats.get_name (), stats.get_calls ());
            calls[stats.get_name ()] = stats.get_calls ();
        }
        return true;
    }
}

static uint parse_record (uint i) {
    var span = new Hotpath.Span.begin ("vala-example::parse_record");
    uint hash = str_hash ("record %u".printf (i));
    span.end ();
    return hash;
}

static uint checksum (uint[] values) {
    var span = new Hotpath.Span.begin ("vala-example::checksum");
    uint sum = 0;
    foreach (uint v in values)
        sum ^= v;
    span.end ();
    return sum;
}

int main (string[] args) {
    var reporter = new LineReporter ();
    var builder = new Hotpath.GuardBuilder ("vala-example");
    builder.limit = 0;
    builder.reporter = reporter;

    Hotpath.Guard guard;
    try {
        guard = builder.build ();
    } catch (Error e) {
        printerr ("vala-example: %s\n", e.message);
        return 1;
    }

    uint[] values = new uint[200];
    for (uint i = 0; i < values.length; i++)
        values[i] = parse_record (i);
    for (uint i = 0; i < 50; i++)
        checksum (values);

    try {
        guard.finish ();
    } catch (Error e) {
        printerr ("vala-example: %s\n", e.message);
        return 1;
    }

    if (reporter.calls["vala-example::parse_record"] != 200 ||
        reporter.calls["vala-example::checksum"] != 50) {
        printerr ("vala-example: the report did not count every call\n");
        return 1;
    }
    return 0;
}
