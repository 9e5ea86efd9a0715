#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dev.sh: install dependencies, build, run the demo and the tests.
# Works from any directory; build directories are relative to the repository root.
set -euo pipefail

# Debian 12 packages, installed by `dev.sh deps` when missing.
DEPS=(
  # build
  meson
  ninja-build
  pkg-config
  gcc
  libglib2.0-dev
  libglib2.0-bin
  libjson-glib-dev

  # tests
  valgrind        # dev.sh valgrind
  python3         # test helpers; standard library only, no pip packages
  binutils        # objdump and nm for the zero-cost test

  # live data (issue 5)
  libsoup-3.0-dev # HTTP, /metrics and MCP servers
  dbus            # dbus-daemon for GTestDBus in the D-Bus tests
  prometheus      # promtool check metrics in the /metrics tests
  wrk             # HTTP load in bench/live

  # MCP client test (tests/mcp-client): nodejs and npm, added below only when
  # no node is on PATH, so a node installed otherwise (NodeSource, nvm) stays.


  # viewer (issue 6)
  libgtk-4-dev       # GTK 4.8
  gtk-4-examples     # gtk4-widget-factory: the README quick start profiles it with hotpath run
  libadwaita-1-dev   # libadwaita 1.2
  xvfb               # the viewer's UI tests run on their own X server
  xauth              # xvfb-run
  desktop-file-utils # desktop-file-validate
  appstream          # appstreamcli validate
  gettext            # msgfmt, xgettext (po/)
  flatpak-builder    # flatpak-builder --show-manifest in the tests

  # the live module split: a libsoup 2 program runs profiled
  libsoup2.4-dev
  # hotpath run's tests: a GJS script
  gjs

  # measure-all (issue 11)
  liblzma-dev     # lzma.h: MiniDebugInfo (.gnu_debugdata) symbol names
  xz-utils        # xz: the MiniDebugInfo test fixture
  uftrace         # bench/real-library compares with uftrace record
  make            # tests/installed: the plain Makefile recipe

  # language bindings: GIR/typelib, PyGObject override, GJS, VAPI, reference
  gobject-introspection   # g-ir-scanner, g-ir-compiler
  libgirepository1.0-dev  # gobject-introspection-1.0.pc, gir files of GLib
  python3-gi              # PyGObject: tests/bindings/test-python.py
  gjs                     # tests/bindings/test-gjs.js
  valac                   # vapigen and the Vala example
  gi-docgen               # the API reference (-Ddocumentation=true)

  # Later issues add their packages here.
)

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"

if ! command -v node >/dev/null 2>&1; then
  DEPS+=(nodejs npm)
fi

# tests/mcp-client: the official MCP TypeScript SDK, pinned in package-lock.json.
MCP_CLIENT_DIR=tests/mcp-client

BUILDDIR=build
ASAN_BUILDDIR=build-asan
FUZZ_BUILDDIR=build-fuzz
TSAN_BUILDDIR=build-tsan

msg () { printf '==> %s\n' "$*" >&2; }
die () { printf 'dev.sh: %s\n' "$*" >&2; exit 1; }

is_installed () {
  # Multi-Arch packages print one status per installed architecture.
  dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -qx 'install ok installed'
}

# npm ci for tests/mcp-client when its node_modules is missing or older than
# package-lock.json (npm writes node_modules/.package-lock.json as it installs).
# Without npm, or when it fails, the MCP client test skips; only an explicit
# `dev.sh deps` fails for it.
npm_deps () {
  local implicit="${1:-}"

  if [[ -d "$MCP_CLIENT_DIR/node_modules" &&
        ! "$MCP_CLIENT_DIR/package-lock.json" -nt "$MCP_CLIENT_DIR/node_modules/.package-lock.json" ]]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    [[ "$implicit" == --implicit ]] || die "npm not found; needed for $MCP_CLIENT_DIR"
    msg "npm not found: the MCP client test will be skipped"
    return 0
  fi

  msg "installing the MCP TypeScript SDK into $MCP_CLIENT_DIR/node_modules"
  if ! npm ci --prefix "$MCP_CLIENT_DIR" --no-audit --no-fund; then
    [[ "$implicit" == --implicit ]] || die "npm ci --prefix $MCP_CLIENT_DIR failed"
    msg "npm ci failed: the MCP client test will be skipped"
  fi
}

# deps [--implicit]: with --implicit (called before build/test) a system
# without dpkg only gets a warning, so the script stays usable elsewhere.
cmd_deps () {
  local implicit="${1:-}"

  debian_deps "$implicit"
  npm_deps "$implicit"
}

debian_deps () {
  local implicit="${1:-}"
  local missing=() pkg

  if ! command -v dpkg-query >/dev/null 2>&1; then
    if [[ "$implicit" == --implicit ]]; then
      msg "not a Debian system: make sure these are installed: ${DEPS[*]}"
      return 0
    fi
    die "dpkg-query not found; dev.sh deps supports Debian 12 only. Needed: ${DEPS[*]}"
  fi

  for pkg in "${DEPS[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
  done

  if [[ ${#missing[@]} -eq 0 ]]; then
    [[ "$implicit" == --implicit ]] || msg "all dependencies are installed"
    return 0
  fi

  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      printf 'dev.sh: missing packages and not root (no sudo). Run as root:\n' >&2
      printf '  apt-get update && apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
      exit 1
    fi
  fi

  msg "installing: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

# setup_and_compile BUILDDIR [MESON_OPTION...]
setup_and_compile () {
  local builddir="$1"
  shift
  local opts=(--buildtype=debugoptimized "$@")

  if [[ -f "$builddir/meson-private/coredata.dat" ]]; then
    meson setup --reconfigure "$builddir" "${opts[@]}"
  else
    meson setup "$builddir" "${opts[@]}"
  fi
  meson compile -C "$builddir"
}

cmd_build () {
  cmd_deps --implicit
  setup_and_compile "${1:-$BUILDDIR}"
}

cmd_demo () {
  cmd_deps --implicit
  setup_and_compile "$BUILDDIR"
  msg "running examples/basic: a small GLib program built with hotpath-glib; its profiling report prints when it exits"
  exec "$BUILDDIR/examples/basic"
}

cmd_test () {
  cmd_deps --implicit
  setup_and_compile "$BUILDDIR"
  exec meson test -C "$BUILDDIR" --print-errorlogs --num-processes 2 "$@"
}

cmd_bench () {
  cmd_deps --implicit
  setup_and_compile "$BUILDDIR"
  exec meson test -C "$BUILDDIR" --benchmark --print-errorlogs --verbose "$@"
}

cmd_sanitize () {
  cmd_deps --implicit
  setup_and_compile "$ASAN_BUILDDIR" -Db_sanitize=address,undefined -Db_lundef=false
  # UBSan only prints by default; make it fail the test.
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
  # Leaks in other libraries' exit-time caches (fontconfig, Mesa) are not ours.
  export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$ROOT/build-aux/lsan.supp:print_suppressions=0}"
  exec meson test -C "$ASAN_BUILDDIR" --print-errorlogs --num-processes 2 "$@"
}

cmd_valgrind () {
  cmd_deps --implicit
  setup_and_compile "$BUILDDIR"
  local wrap='valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite'
  local supp=/usr/share/glib-2.0/valgrind/glib.supp
  [[ -f "$supp" ]] && wrap+=" --suppressions=$supp"
  export G_SLICE=always-malloc G_DEBUG=gc-friendly
  # The alloc suite interposes malloc, as valgrind does: they cannot share a process.
  # The viewer's Xvfb test is a script around X, a bus and GTK (ASan covers it).
  exec meson test -C "$BUILDDIR" --wrap="$wrap" --no-suite slow --no-suite script --no-suite alloc --no-suite xvfb \
    --timeout-multiplier 10 --print-errorlogs --num-processes 2 "$@"
}

# fuzz [SECONDS]: libFuzzer (clang) with ASan and UBSan; each target runs
# SECONDS (default 60) on its seed corpus, fuzz/corpus/NAME, and keeps what
# it finds in $FUZZ_BUILDDIR/corpus/NAME. A crash stops with its input.
cmd_fuzz () {
  local seconds="${1:-60}" name status=0

  cmd_deps --implicit
  command -v clang >/dev/null 2>&1 || die "fuzz needs clang (apt-get install clang)"
  CC=clang setup_and_compile "$FUZZ_BUILDDIR" -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dtests=false -Dexamples=false
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
  export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$ROOT/build-aux/lsan.supp:print_suppressions=0}"
  export HOTPATH_LIVE_MODULE="$ROOT/$FUZZ_BUILDDIR/hotpath-glib/libhotpath-glib-live.so"
  for name in http-head http mcp env viewer-report; do
    local fuzzer="$FUZZ_BUILDDIR/fuzz/fuzz-$name"
    [[ -x "$fuzzer" ]] || { msg "fuzz-$name not built (no viewer?): skipped"; continue; }
    mkdir -p "$FUZZ_BUILDDIR/corpus/$name" "$FUZZ_BUILDDIR/artifacts/$name"
    msg "fuzz-$name for ${seconds}s"
    local log="$FUZZ_BUILDDIR/fuzz-$name.log"
    # -close_fd_mask=2: the targets' own messages would drown the log
    # (libFuzzer's and the sanitizers' reports still come through).
    if "$fuzzer" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -close_fd_mask=2 \
         -artifact_prefix="$FUZZ_BUILDDIR/artifacts/$name/" -print_final_stats=1 \
         "$FUZZ_BUILDDIR/corpus/$name" "fuzz/corpus/$name" >"$log" 2>&1; then
      grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" >&2 || true
    else
      grep -E 'ERROR|SUMMARY|Assertion|assertion|deadly|Test unit written' "$log" >&2 || true
      msg "fuzz-$name FAILED (full log: $log)"
      status=1
    fi
  done
  return $status
}

# soak [SECONDS]: load (wrk on every route and MCP) and the hostile clients
# of issue 12 against tests/fixtures/soak-target (four measuring threads)
# for SECONDS (default 180); RSS and descriptors must stay flat and the
# report at exit must be complete (build-aux/soak.py).
cmd_soak () {
  cmd_deps --implicit
  setup_and_compile "$BUILDDIR"
  exec python3 build-aux/soak.py "$BUILDDIR" "${1:-180}"
}

cmd_help () {
  cat <<EOF
Usage: build-aux/dev.sh COMMAND [ARGS...]

Commands:
  deps                install missing Debian 12 packages with apt-get (sudo if not root)
                      and the MCP client test's npm packages (npm ci in tests/mcp-client)
  build [BUILDDIR]    meson setup (or reconfigure) and compile; BUILDDIR defaults to $BUILDDIR
  demo                build and run examples/basic, which prints its profiling report
  test [ARGS...]      build and run all test suites; ARGS go to meson test (--suite core)
  bench [ARGS...]     build and run the benchmarks
  sanitize [ARGS...]  build into $ASAN_BUILDDIR with ASan and UBSan and run the tests there
  valgrind [ARGS...]  run the tests under valgrind, skipping the suites 'slow', 'script',
                      'alloc' and 'xvfb'
  fuzz [SECONDS]      build the libFuzzer targets (clang, ASan, UBSan) into $FUZZ_BUILDDIR
                      and run each SECONDS (60) on its corpus in fuzz/corpus/
  soak [SECONDS]      wrk on every route, hostile clients and four measuring threads
                      against one program for SECONDS (180); RSS and fds must stay flat
  help                show this help

build, demo, test, bench, sanitize and valgrind run 'deps' first.
EOF
}

command="${1:-help}"
[[ $# -eq 0 ]] || shift

case "$command" in
  deps)           cmd_deps ;;
  build)          cmd_build "$@" ;;
  demo)           cmd_demo "$@" ;;
  test)           cmd_test "$@" ;;
  bench)          cmd_bench "$@" ;;
  sanitize)       cmd_sanitize "$@" ;;
  valgrind)       cmd_valgrind "$@" ;;
  fuzz)           cmd_fuzz "$@" ;;
  soak)           cmd_soak "$@" ;;
  help|-h|--help) cmd_help ;;
  *)              cmd_help >&2; die "unknown command: $command" ;;
esac
