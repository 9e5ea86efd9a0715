#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-installed.sh BUILDDIR SOURCEDIR: installs the build into a temporary
# prefix and builds tests/installed/project against that prefix with each
# documented recipe (meson, CFLAGS from pkg-config, a plain Makefile), with
# and without profiling. Each program runs; the profiled ones must report
# every function with no code (measure-all) and HOTPATH_MAIN() must take
# over; the program's own output never changes.
set -euo pipefail

build="$(cd "$1" && pwd)"
source="$(cd "$2" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fail () { printf 'check-installed: %s\n' "$*" >&2; exit 1; }
step () { printf '# %s\n' "$*"; }

step "meson install into $tmp/root"
meson install -C "$build" --no-rebuild --destdir "$tmp/root" --tags devel,runtime \
  > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "meson install failed"; }

pc="$(find "$tmp/root" -name hotpath-glib-1.pc | head -n 1)"
[[ -n "$pc" ]] || fail "no hotpath-glib-1.pc installed"
# The files were installed under DESTDIR: point the prefix there, as an
# install with --prefix would have written it.
prefix="$(sed -n 's/^prefix=//p' "$pc")"
sed -i "s|^prefix=.*|prefix=$tmp/root$prefix|" "$pc"
export PKG_CONFIG_PATH="$(dirname "$pc")"
libdir="$(pkg-config --variable=libdir hotpath-glib-1)"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
[[ -e "$libdir/libhotpath-glib-1.so" ]] || fail "no libhotpath-glib-1.so in $libdir"

flags="$(pkg-config --variable=measure_all_cflags hotpath-glib-1)"
step "measure_all_cflags: $flags"
[[ "$flags" != *\\* ]] || fail "measure_all_cflags has a backslash: $flags"
[[ " $flags " == *" -finstrument-functions "* ]] || fail "measure_all_cflags lacks -finstrument-functions"

cp -r "$source/tests/installed/project" "$tmp/project"
cd "$tmp/project"

# run NAME PROGRAM PROFILED: the output must be the program's alone; a
# profiled run must write its report where asked.
run () {
  local name="$1" program="$2" profiled="$3" report="$tmp/$1.json"

  step "run $name"
  HOTPATH_OUTPUT_FORMAT=json HOTPATH_OUTPUT_PATH="$report" HOTPATH_LIMIT=0 \
    "$program" > "$tmp/$name.out" 2> "$tmp/$name.err" || fail "$name failed: $(cat "$tmp/$name.err")"
  [[ "$(cat "$tmp/$name.out")" == 610 ]] || fail "$name printed: $(cat "$tmp/$name.out")"
  if [[ "$profiled" == yes ]]; then
    [[ -s "$report" ]] || fail "$name wrote no report; stderr: $(cat "$tmp/$name.err")"
    python3 - "$report" "$name" <<'PY' || fail "$name: bad report"
import json, sys
report = json.load(open(sys.argv[1]))
rows = {row["name"]: row for row in report["sections"]["functions_timing"]["data"]}
expect_name = "with-main" if sys.argv[2].endswith("main") else None
fib = [row for name, row in rows.items() if name.endswith("::fib")]
assert len(fib) == 1, f"no ::fib in {sorted(rows)}"
# clang may inline some levels of the recursion: calls it made, not 1973.
if sys.argv[2] == "clang":
    assert fib[0]["calls"] >= 1, fib[0]
else:
    assert fib[0]["calls"] == 1973, fib[0]
assert rows["work"]["calls"] == 1, rows.get("work")
# Recursion is counted once: fib lies within work.
assert fib[0]["total_ns"] <= rows["work"]["total_ns"], (fib[0], rows["work"])
if expect_name:
    assert report["program"] == expect_name, report["program"]
print(f"#   {sys.argv[2]}: fib {fib[0]['calls']} calls, {len(rows)} functions")
PY
  else
    [[ ! -e "$report" ]] || fail "$name is not profiled, yet wrote a report"
    ! nm -D "$program" 2>/dev/null | grep -q hotpath || fail "$name links hotpath-glib"
  fi
}

step "meson recipe, profiling"
meson setup "$tmp/meson-on" -Dprofiling=true > "$tmp/setup-on.log" 2>&1 || { cat "$tmp/setup-on.log" >&2; fail "meson setup (profiling) failed"; }
meson compile -C "$tmp/meson-on" > "$tmp/compile-on.log" 2>&1 || { cat "$tmp/compile-on.log" >&2; fail "meson compile (profiling) failed"; }
run meson-on "$tmp/meson-on/app" yes
run meson-on-main "$tmp/meson-on/app-main" yes

step "meson recipe, no profiling"
meson setup "$tmp/meson-off" > "$tmp/setup-off.log" 2>&1 || { cat "$tmp/setup-off.log" >&2; fail "meson setup failed"; }
meson compile -C "$tmp/meson-off" > "$tmp/compile-off.log" 2>&1 || { cat "$tmp/compile-off.log" >&2; fail "meson compile failed"; }
run meson-off "$tmp/meson-off/app" no

step "CFLAGS recipe"
CFLAGS="-O2 $(pkg-config --variable=measure_all_cflags hotpath-glib-1)"
# shellcheck disable=SC2046,SC2086
cc $CFLAGS $(pkg-config --cflags hotpath-glib-1) -o "$tmp/cflags-app" app.c $(pkg-config --libs hotpath-glib-1) \
  || fail "cc with CFLAGS from pkg-config failed"
run cflags "$tmp/cflags-app" yes

if command -v clang >/dev/null 2>&1; then
  step "clang recipe"
  clang_flags="$(pkg-config --variable=measure_all_cflags_clang hotpath-glib-1)"
  [[ -n "$clang_flags" && "$clang_flags" != *\\* ]] || fail "bad measure_all_cflags_clang: $clang_flags"
  # shellcheck disable=SC2046,SC2086
  clang -O2 $clang_flags $(pkg-config --cflags hotpath-glib-1) -o "$tmp/clang-app" app.c \
    $(pkg-config --libs hotpath-glib-1) || fail "clang with measure_all_cflags_clang failed"
  run clang "$tmp/clang-app" yes
fi

step "Makefile recipe"
make -s -C "$tmp/project" PROFILING=1 > "$tmp/make-on.log" 2>&1 || { cat "$tmp/make-on.log" >&2; fail "make PROFILING=1 failed"; }
mv app "$tmp/make-on-app"
run make-on "$tmp/make-on-app" yes
make -s -C "$tmp/project" > "$tmp/make-off.log" 2>&1 || { cat "$tmp/make-off.log" >&2; fail "make failed"; }
run make-off "$tmp/project/app" no

step "all recipes work against the installed prefix"
