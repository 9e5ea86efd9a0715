#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# soak.py BUILDDIR SECONDS: load and hostile clients against a profiled
# program for SECONDS (build-aux/dev.sh soak). tests/fixtures/soak-target
# runs four measuring threads; wrk loads every HTTP route and MCP while a
# second client replays the hostile cases of issue 12 (deep JSON, refused
# bodies, malformed heads, idle and slow connections, huge batches,
# percent-encoded bytes). The target's RSS and descriptors are sampled
# every two seconds and must stay flat after the first quarter; its report
# at exit must be there and valid. Standard library only.

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

RSS_GROWTH_LIMIT = 16 * 1024 * 1024   # after warm-up
FD_LIMIT_OVER_BASE = 2 * 32 + 8       # two servers' connection caps, and slack

ROUTES = ["/profiler_status", "/report", "/metrics", "/functions_timing", "/functions_timing?limit=0",
          "/functions_timing/0/logs", "/channels", "/futures", "/sources", "/main_loop"]


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def exchange(port, data, shutdown=True, timeout=15):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
            if shutdown:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError:
            pass
    return b"".join(chunks)


def status_of(answer):
    try:
        return int(answer.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def check_json_answer(answer, what):
    head, _, body = answer.partition(b"\r\n\r\n")
    if b"application/json" in head and body:
        json.loads(body.decode("utf-8"))   # raises on invalid UTF-8 or JSON


def mcp(body):
    return (b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body


def hostile_round(http, mcp_port):
    cases = 0
    # Deep nesting.
    answer = exchange(mcp_port, mcp(b"[" * 80000))
    assert status_of(answer) == 400, answer[:200]
    check_json_answer(answer, "nesting")
    cases += 1
    # A refused body: 401/413 before the body; 8 MiB sent anyway.
    with socket.create_connection(("127.0.0.1", http), timeout=15) as s:
        s.sendall(b"POST /report HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500000000\r\n\r\n")
        try:
            for _ in range(8):
                s.sendall(b"\0" * (1024 * 1024))
        except OSError:
            pass
        s.shutdown(socket.SHUT_WR)
        assert status_of(s.recv(4096)) in (405, 413), "refused body"
    cases += 1
    # Malformed heads that made libsoup 3.2.3 leak.
    for request in (b"GET /" + b"a" * 60000 + b" HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                    b"GET /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                    b"GET /x HTTP/1.1\r\nTransfer-Encoding: foo\r\n\r\n"):
        answer = exchange(http, request)
        assert status_of(answer) in (400, 431, 501), answer[:200]
        check_json_answer(answer, "malformed")
        cases += 1
    # Percent-encoded bytes.
    for path in (b"/%ff", b"/functions_timing?limit=%ff", b"/functions_timing/%ff/logs", b"/%00"):
        answer = exchange(http, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        check_json_answer(answer, path)
        cases += 1
    # Huge batch, and ids JSON cannot echo.
    batch = b"[" + b",".join(b'{"jsonrpc":"2.0","id":%d,"method":"tools/list"}' % i for i in range(8000)) + b"]"
    answer = exchange(mcp_port, mcp(batch))
    assert status_of(answer) == 400
    check_json_answer(answer, "batch")
    answer = exchange(mcp_port, mcp(b'{"jsonrpc":"2.0","id":1e999,"method":"ping"}'))
    check_json_answer(answer, "1e999")
    cases += 2
    # 40 idle connections and one slow one, for a second.
    idle = [socket.create_connection(("127.0.0.1", http), timeout=15) for _ in range(40)]
    slow = socket.create_connection(("127.0.0.1", http), timeout=15)
    for byte in b"GET /profiler_status HTTP/1.1\r\nX: y":
        try:
            slow.send(bytes([byte]))
        except OSError:
            break
        time.sleep(0.03)
    for s in idle + [slow]:
        s.close()
    cases += 2
    return cases


def main():
    builddir, seconds = sys.argv[1], int(sys.argv[2])
    target_path = os.path.join(builddir, "tests", "fixtures", "soak-target")
    wrk = shutil.which("wrk")
    if not os.path.exists(target_path):
        sys.exit(f"soak: {target_path} is missing (configure with -Dtests=true)")
    if wrk is None:
        sys.exit("soak: wrk not found (apt-get install wrk)")

    workdir = tempfile.mkdtemp(prefix="hotpath-soak-")
    report_path = os.path.join(workdir, "report.json")
    env = dict(os.environ, HOTPATH_METRICS_PORT="0", HOTPATH_MCP_PORT="0", HOTPATH_DBUS_OFF="1",
               HOTPATH_OUTPUT_FORMAT="json", HOTPATH_OUTPUT_PATH=report_path,
               HOTPATH_LIVE_MODULE=os.path.join(builddir, "hotpath-glib", "libhotpath-glib-live.so"))
    target = subprocess.Popen([target_path], stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    http = mcp_port = None
    stderr_lines = []
    while True:
        line = target.stderr.readline().decode()
        if not line:
            sys.exit("soak: soak-target ended before it was ready")
        stderr_lines.append(line)
        if "live HTTP server on http://127.0.0.1:" in line:
            http = int(line.rsplit(":", 1)[1].strip(" /\n"))
        elif "live MCP server on http://127.0.0.1:" in line:
            mcp_port = int(line.rsplit(":", 1)[1].split("/")[0])
        elif line.startswith("soak-target: ready"):
            break
    threading.Thread(target=lambda: stderr_lines.extend(l.decode() for l in target.stderr), daemon=True).start()

    lua = os.path.join(workdir, "mcp.lua")
    with open(lua, "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                'wrk.body = \'{"jsonrpc":"2.0","id":1,"method":"tools/call",'
                '"params":{"name":"functions_timing","arguments":{"limit":5}}}\'\n')

    deadline = time.monotonic() + seconds
    requests = {"wrk": 0, "wrk_errors": 0, "hostile": 0}
    failures = []

    def load():
        urls = [f"http://127.0.0.1:{http}{r}" for r in ROUTES] + [f"http://127.0.0.1:{mcp_port}/mcp"]
        i = 0
        while time.monotonic() < deadline - 3:
            url = urls[i % len(urls)]
            args = [wrk, "-t1", "-c8", "-d3s", url]
            if url.endswith("/mcp"):
                args[1:1] = ["-s", lua]
            out = subprocess.run(args, capture_output=True, text=True).stdout
            for line in out.splitlines():
                if "requests in" in line:
                    requests["wrk"] += int(line.split()[0])
                if "Non-2xx" in line or "Socket errors" in line:
                    requests["wrk_errors"] += sum(int(t.strip(",")) for t in line.split() if t.strip(",").isdigit())
            i += 1

    def hostile():
        while time.monotonic() < deadline - 3:
            try:
                requests["hostile"] += hostile_round(http, mcp_port)
            except Exception as e:   # noqa: BLE001 - any failure is a finding
                failures.append(f"hostile: {e!r}")
                time.sleep(1)

    threads = [threading.Thread(target=load), threading.Thread(target=hostile)]
    for t in threads:
        t.start()

    samples = []
    start = time.monotonic()
    while time.monotonic() < deadline:
        samples.append((time.monotonic() - start, rss(target.pid), fds(target.pid)))
        time.sleep(2)
    for t in threads:
        t.join()

    # Exit while a batch is being answered: how long does the exit wait?
    batch = b"[" + b",".join(b'{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"functions_timing","arguments":{"limit":0}}}' % i for i in range(64)) + b"]"
    sender = threading.Thread(target=lambda: exchange(mcp_port, mcp(batch)))
    sender.start()
    time.sleep(0.01)
    t0 = time.monotonic()
    target.stdin.close()
    code = target.wait(timeout=60)
    exit_s = time.monotonic() - t0
    sender.join()

    warm = [s for s in samples if s[0] >= seconds / 4] or samples
    base_rss = warm[0][1]
    base_fds = samples[0][2]
    max_rss = max(s[1] for s in warm)
    max_fds = max(s[2] for s in samples)
    print(f"soak: {seconds} s, machine {os.uname().nodename}, clocksource "
          f"{open('/sys/devices/system/clocksource/clocksource0/current_clocksource').read().strip()}, "
          f"load {open('/proc/loadavg').read().split()[:3]}")
    print(f"soak: wrk requests {requests['wrk']} (non-2xx or socket errors {requests['wrk_errors']}), "
          f"hostile cases {requests['hostile']}")
    print(f"soak: RSS {samples[0][1] // 1024} KiB at start, {base_rss // 1024} KiB after warm-up, "
          f"max {max_rss // 1024} KiB after (growth {(max_rss - base_rss) // 1024} KiB, limit "
          f"{RSS_GROWTH_LIMIT // 1024} KiB)")
    print(f"soak: descriptors {base_fds} at start, max {max_fds} (limit {base_fds + FD_LIMIT_OVER_BASE})")
    print(f"soak: exit took {exit_s:.3f} s with a 64-message batch in flight; exit status {code}")

    try:
        with open(report_path) as f:
            report = json.load(f)
        names = [row["name"] for row in report["sections"]["functions_timing"]["data"]]
        print(f"soak: report written, functions {names}")
        if not any("step" in n for n in names):
            failures.append("report: the workers' functions are missing")
    except Exception as e:   # noqa: BLE001
        failures.append(f"report: {e!r}")

    warnings = [l.strip() for l in stderr_lines if "refused" in l]
    print(f"soak: {len(warnings)} refusal warning lines: {warnings[:3]}")
    if max_rss - base_rss > RSS_GROWTH_LIMIT:
        failures.append("RSS grew past the limit")
    if max_fds > base_fds + FD_LIMIT_OVER_BASE:
        failures.append("descriptors grew past the limit")
    if code != 0:
        failures.append(f"soak-target exited with {code}")
    shutil.rmtree(workdir, ignore_errors=True)
    for f in failures:
        print(f"soak: FAILED: {f}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
