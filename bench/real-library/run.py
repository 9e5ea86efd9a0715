#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What measure-all costs on a real library nobody here wrote.

Builds cJSON (vendored in cjson/, a recursive-descent parser and printer:
many small functions, recursion) and json-roundtrip.c from source three
ways: plain, with the measure-all flags (linked with libhotpath-glib-1 and
nothing else: no profiling code), and with -pg for uftrace. Then runs each
on the same generated input, interleaved, and reports the median wall time
of:

  plain                  the program alone
  measure-all            every function measured (HOTPATH_TIME_FILTER=0)
  measure-all, defaults  the default filters
  uftrace                uftrace record
  uftrace, time filter   uftrace record --time-filter=1us

The program's output must be byte-identical in every mode. Target (issue
11): measure-all with the default filters at most 2x plain and no slower
than uftrace's time-filtered mode. Exit status 1 when a target is missed or
an output differs; 77 (skip) when uftrace is missing.

  meson test -C build --benchmark --verbose real-library
"""

import argparse
import json
import os
import random
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_PLAIN_RATIO = 2.0


def generate_input(path, target_bytes):
    """A deterministic JSON document: nested objects and arrays, strings
    with escapes, integers, decimals, booleans and nulls."""
    rng = random.Random(11)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
             "caf\u00e9", "line\nbreak", "quote\"d", "tab\tbed", "slash/ed", "\u65e5\u672c"]

    def value(depth):
        kind = rng.random()
        if depth < 14 and kind < 0.22:
            return {f"{rng.choice(words)}_{i}": value(depth + 1) for i in range(rng.randint(1, 6))}
        if depth < 14 and kind < 0.36:
            return [value(depth + 1) for _ in range(rng.randint(1, 8))]
        if kind < 0.55:
            return " ".join(rng.choice(words) for _ in range(rng.randint(1, 5)))
        if kind < 0.75:
            return rng.randint(-10**6, 10**6)
        if kind < 0.88:
            return round(rng.uniform(-1000, 1000), 4)
        if kind < 0.95:
            return rng.random() < 0.5
        return None

    items = []
    size = 0
    while size < target_bytes:
        item = value(0)
        items.append(item)
        size += len(json.dumps(item))
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"items": items}, f, ensure_ascii=False)


def build(cc, out, flags, sources, libs):
    cmd = [cc, "-O2", "-g", "-o", out] + flags + sources + libs
    subprocess.run(cmd, check=True)


def run_once(cmd, env, stdout_path):
    """Wall time, and CPU time (user + system) of the process and every
    thread and child it waited for: the profiler's worker, uftrace's
    recorder."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"real-library: {shlex.join(cmd)} failed ({proc.returncode}): "
                 f"{proc.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def machine():
    try:
        with open("/sys/devices/system/clocksource/clocksource0/current_clocksource") as f:
            clocksource = f.read().strip()
    except OSError:
        clocksource = "?"
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    return f"{os.cpu_count()} CPUs, clocksource {clocksource}, load {load}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cc", default="cc")
    parser.add_argument("--libdir", required=True, help="directory of libhotpath-glib-1.so")
    parser.add_argument("--measure-all-cflags", required=True)
    parser.add_argument("--input-bytes", type=int, default=3 * 1024 * 1024)
    parser.add_argument("--iterations", type=int, default=4, help="parse+print passes per run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    args.libdir = os.path.abspath(args.libdir)

    here = os.path.dirname(os.path.abspath(__file__))
    sources = [os.path.join(here, "json-roundtrip.c"), os.path.join(here, "cjson", "cJSON.c")]
    uftrace = shutil.which("uftrace")

    work = tempfile.mkdtemp(prefix="hotpath-real-library-")
    try:
        data = os.path.join(work, "input.json")
        generate_input(data, args.input_bytes)

        plain = os.path.join(work, "json-roundtrip")
        profiled = os.path.join(work, "json-roundtrip-measure-all")
        pg = os.path.join(work, "json-roundtrip-pg")
        build(args.cc, plain, [], sources, [])
        build(args.cc, profiled, shlex.split(args.measure_all_cflags), sources,
              [f"-L{args.libdir}", f"-Wl,-rpath,{args.libdir}", "-lhotpath-glib-1"])
        if uftrace:
            build(args.cc, pg, ["-pg"], sources, [])

        base_env = dict(os.environ)
        for var in ("HOTPATH_FILTER", "HOTPATH_NOTRACE", "HOTPATH_DEPTH", "HOTPATH_MIN_SIZE",
                    "HOTPATH_TIME_FILTER", "HOTPATH_TIME_FILTER_CALLS", "HOTPATH_OUTPUT_PATH",
                    "HOTPATH_LIMIT", "HOTPATH_CLOCK"):
            base_env.pop(var, None)
        base_env.update({"HOTPATH_METRICS_SERVER_OFF": "1", "HOTPATH_MCP_SERVER_OFF": "1",
                         "HOTPATH_DBUS_OFF": "1", "HOTPATH_OUTPUT_FORMAT": "json",
                         "HOTPATH_LIMIT": "0"})

        argv_tail = [data, str(args.iterations)]
        modes = [("plain", [plain] + argv_tail, {}),
                 ("plain, parse only", [plain] + argv_tail + ["parse-only"], {})]
        modes.append(("measure-all", [profiled] + argv_tail,
                      {"HOTPATH_TIME_FILTER": "0",
                       "HOTPATH_OUTPUT_PATH": os.path.join(work, "report-all.json")}))
        modes.append(("measure-all, defaults", [profiled] + argv_tail,
                      {"HOTPATH_OUTPUT_PATH": os.path.join(work, "report-defaults.json")}))
        if uftrace:
            modes.append(("uftrace record", [uftrace, "record", "-d", os.path.join(work, "uftrace.data"),
                                             pg] + argv_tail, {}))
            modes.append(("uftrace record --time-filter=1us",
                          [uftrace, "record", "--time-filter=1us", "-d",
                           os.path.join(work, "uftrace-tf.data"), pg] + argv_tail, {}))

        times = {name: [] for name, _, _ in modes}
        cpu_times = {name: [] for name, _, _ in modes}
        outputs = {}
        for r in range(args.rounds):
            for name, cmd, extra in modes:
                env = dict(base_env, **extra)
                out = os.path.join(work, f"out-{len(outputs)}.txt" if r == 0 else "out-last.txt")
                wall, cpu = run_once(cmd, env, out)
                times[name].append(wall)
                cpu_times[name].append(cpu)
                if r == 0:
                    with open(out, "rb") as f:
                        outputs[name] = f.read()

        walls = {name: statistics.median(t) for name, t in times.items()}
        medians = {name: statistics.median(t) for name, t in cpu_times.items()}
        base = medians["plain"]

        print(f"== real-library: cJSON 1.7.19 parse + print, {os.path.getsize(data)} bytes x "
              f"{args.iterations} passes, median of {args.rounds} interleaved runs")
        print(f"   machine: {machine()}")
        print(f"   {'mode':34s} {'CPU':>9s}  {'ratio':>5s}        {'wall':>9s}  {'ratio':>5s}")
        for name, _, _ in modes:
            print(f"   {name:34s} {medians[name] * 1000:6.0f} ms  {medians[name] / base:5.2f}x plain  "
                  f"{walls[name] * 1000:6.0f} ms  {walls[name] / walls['plain']:5.2f}x plain")
        print("   (judged on CPU time: user + system of the program, its threads and, for")
        print("   uftrace, its recorder; wall time moves with the machine's load)")

        # What the reports say, and whether they are honest.
        ok = True
        for label, report in (("measure-all", "report-all.json"), ("defaults", "report-defaults.json")):
            with open(os.path.join(work, report)) as f:
                section = json.load(f)["sections"]["functions_timing"]
            rows = section["data"]
            filtered = section.get("time_filter", {}).get("filtered", [])
            calls = sum(row["calls"] for row in rows)
            over = [row["name"] for row in rows if row["percent_total"] > 100.0]
            print(f"   {label}: {len(rows)} functions measured, {calls} calls recorded, "
                  f"{len(filtered)} dropped by the time filter")
            for row in rows[:6]:
                print(f"     {row['name']:40s} calls {row['calls']:9d}  total {row['total_ns'] / 1e6:8.2f} ms"
                      f"  self {row.get('self_ns', 0) / 1e6:8.2f} ms  {row['percent_total']:6.2f}%")
            if filtered:
                print("     dropped: " + ", ".join(f"{row['name'].split('::')[-1]} ({row['calls']} calls)"
                                                   for row in filtered))
            if over:
                print(f"   FAIL: rows above 100% in {label}: {over}")
                ok = False

        # Does measuring distort? The plain program's parse:print split
        # (parse only, against parse and print) beside what each report says.
        parse_cpu = medians["plain, parse only"]
        plain_split = parse_cpu / max(base - parse_cpu, 1e-9)
        splits = [f"plain {plain_split:.2f}"]
        for label, report in (("measure-all", "report-all.json"), ("defaults", "report-defaults.json")):
            with open(os.path.join(work, report)) as f:
                rows = {row["name"].split("::")[-1]: row
                        for row in json.load(f)["sections"]["functions_timing"]["data"]}
            parse_ns = rows["cJSON_Parse"]["total_ns"] + rows["cJSON_Delete"]["total_ns"]
            splits.append(f"{label} {parse_ns / rows['cJSON_Print']['total_ns']:.2f}")
        print("   parse+free:print time (plain: parse-only runs; reports: cJSON_Parse and cJSON_Delete")
        print("   against cJSON_Print): " + ", ".join(splits))

        for name, output in outputs.items():
            if name.endswith("parse only"):
                continue
            if output != outputs["plain"]:
                print(f"   FAIL: the output of {name!r} differs from plain's")
                ok = False
        if ok:
            print(f"   output: byte-identical in all {len(outputs) - 1} modes ({len(outputs['plain'])} bytes)")

        defaults = medians["measure-all, defaults"]
        verdict = defaults <= TARGET_PLAIN_RATIO * base
        line = f"defaults {defaults / base:.2f}x plain (target <= {TARGET_PLAIN_RATIO:.1f}x)"
        if uftrace:
            tf = medians["uftrace record --time-filter=1us"]
            verdict = verdict and defaults <= tf
            line += f", {defaults / tf:.2f}x uftrace --time-filter=1us (target <= 1.0x)"
        else:
            line += "; uftrace not found (apt-get install uftrace): not compared"
        print(f"   verdict: {'met' if verdict and ok else 'MISSED'}: {line}")

        if not (verdict and ok):
            return 1
        return 0 if uftrace else 77
    finally:
        if args.keep:
            print(f"   work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
