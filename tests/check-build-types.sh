#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-build-types.sh SOURCE_ROOT SCRATCH_DIR: configures and links the
# library (and the malloc interposer) in the build types CI does not use
# otherwise: debug (-O0: ceil() is a libm call, not a builtin), plain and
# release. Without tests, examples or the viewer, to keep it quick.
set -eu

root="$1"
scratch="$2"

for type in debug plain release; do
  dir="$scratch/build-$type"
  if [ -f "$dir/meson-private/coredata.dat" ]; then
    meson setup --reconfigure "$dir" "$root" --buildtype="$type" \
      -Dtests=false -Dexamples=false -Dviewer=disabled >/dev/null
  else
    meson setup "$dir" "$root" --buildtype="$type" \
      -Dtests=false -Dexamples=false -Dviewer=disabled >/dev/null
  fi
  # meson links shared libraries with --no-undefined (b_lundef): a
  # missing library fails here.
  ninja -C "$dir" >/dev/null ||
    { echo "not ok: buildtype=$type does not build"; ninja -C "$dir" 2>&1 | grep -E "error:|undefined reference" | head -20; exit 1; }
  echo "ok: buildtype=$type"
done
