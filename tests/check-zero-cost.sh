#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Off means absent: tests/fixtures/zero-cost.c (every hotpath macro) and
# tests/fixtures/zero-cost-plain.c (the same source without the macro
# lines), compiled without HOTPATH_ENABLED, must give the same object code
# and data, and nothing may name hotpath.
#
#   check-zero-cost.sh FIXTURES_DIR SOURCE_ROOT LINKED_EXE -- CC [CFLAGS...]
#
# CC is the compiler meson uses (cc.cmd_array()), CFLAGS what glib.h needs.
# LINKED_EXE is zero-cost.c linked by meson without the library.
# Exit status 0 = pass, 1 = fail, 77 = skip (binutils missing).

set -u

if [ $# -lt 5 ] || [ "$4" != "--" ]; then
  echo "usage: $0 FIXTURES_DIR SOURCE_ROOT LINKED_EXE -- CC [CFLAGS...]" >&2
  exit 2
fi

fixtures=$1
source_root=$2
linked_exe=$3
shift 4

for tool in objdump objcopy nm readelf cmp diff sed; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool not found"
    exit 77
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/hotpath-zero-cost.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

failures=0
fail () {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# The plain file must stay the macro-free copy of the other, or the
# comparison proves nothing.
sed -e '/HOTPATH_/d' -e 's|#include <hotpath-glib/hotpath.h>|#include <glib.h>|' \
  "$fixtures/zero-cost.c" > "$work/expected-plain.c"
if ! diff -u "$work/expected-plain.c" "$fixtures/zero-cost-plain.c"; then
  fail "zero-cost-plain.c is not zero-cost.c without its macro lines"
fi

# Same file name in two directories, so even the symbol table's file
# entry matches and whole objects can be compared.
mkdir "$work/with" "$work/plain"
cp "$fixtures/zero-cost.c" "$work/with/prog.c"
cp "$fixtures/zero-cost-plain.c" "$work/plain/prog.c"

# objdump names the file on its first lines; everything else must match.
strip_names () {
  sed -e "s|$work/[a-z]*/||g" -e '/file format/d'
}

for opt in -O0 -O2; do
  for variant in with plain; do
    if ! "$@" -std=gnu11 $opt -g0 -UHOTPATH_ENABLED -I"$source_root" \
           -c "$work/$variant/prog.c" -o "$work/$variant$opt.o"; then
      fail "$variant $opt does not compile"
      continue 2
    fi
  done

  failures_before=$failures
  a=$work/with$opt.o
  b=$work/plain$opt.o

  objdump -d -r --no-show-raw-insn -j .text "$a" | strip_names > "$work/a.text"
  objdump -d -r --no-show-raw-insn -j .text "$b" | strip_names > "$work/b.text"
  if ! diff -u "$work/b.text" "$work/a.text"; then
    fail "$opt: .text differs"
  fi

  objdump -h "$a" | strip_names > "$work/a.sections"
  objdump -h "$b" | strip_names > "$work/b.sections"
  if ! diff -u "$work/b.sections" "$work/a.sections"; then
    fail "$opt: the section headers differ"
  fi

  for section in $(sed -n 's/^ *[0-9][0-9]* \(\.[a-z.0-9_]*\) .*/\1/p' "$work/a.sections" "$work/b.sections" |
                   grep -E '^\.(rodata|data|bss)' | sort -u); do
    objcopy -O binary --only-section="$section" "$a" "$work/a.bin" 2>/dev/null
    objcopy -O binary --only-section="$section" "$b" "$work/b.bin" 2>/dev/null
    if ! cmp -s "$work/a.bin" "$work/b.bin"; then
      fail "$opt: section $section differs"
    fi
  done

  nm "$a" > "$work/a.nm"
  nm "$b" > "$work/b.nm"
  if grep -i hotpath "$work/a.nm"; then
    fail "$opt: the object names hotpath symbols"
  fi
  if ! diff -u "$work/b.nm" "$work/a.nm"; then
    fail "$opt: the symbol tables differ"
  fi

  if ! cmp "$a" "$b"; then
    fail "$opt: the object files are not byte-identical"
  fi

  if [ "$failures" -eq "$failures_before" ]; then
    echo "ok: $opt: .text, data sections, symbols and whole objects identical"
  fi
done

# What meson linked without the library must not need it.
failures_before=$failures
if readelf -d "$linked_exe" | grep -i 'NEEDED.*hotpath'; then
  fail "$linked_exe links the hotpath library"
fi
if { nm "$linked_exe"; nm -D "$linked_exe"; } 2>/dev/null | grep -i hotpath; then
  fail "$linked_exe names hotpath symbols"
fi
if [ "$failures" -eq "$failures_before" ]; then
  echo "ok: the linked program does not refer to hotpath"
fi

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
exit 0
