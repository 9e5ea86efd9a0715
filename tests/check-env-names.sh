#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-env-names.sh SOURCE_ROOT: every HOTPATH_* variable our code reads
# must be in the list hotpath-glib/core/hotpath-env.c knows, or the library
# warns that it is unknown (issue 12.8) when someone sets it.
set -eu

root="$1"
known="$root/hotpath-glib/core/hotpath-env.c"
status=0

# Reads look like a call with the name first: g_getenv ("HOTPATH_X"),
# hotpath_env_get_uint ("HOTPATH_X", ...), parse_patterns ("HOTPATH_X").
dirs=""
for dir in hotpath-glib hotpath-cli preload bench; do
  [ -d "$root/$dir" ] && dirs="$dirs $root/$dir"
done
names=$(grep -rhoE '[a-z_]+ *\("HOTPATH_[A-Z0-9_]+"' $dirs \
          --include='*.c' --include='*.h' |
        grep -oE 'HOTPATH_[A-Z0-9_]+' | grep -v '^HOTPATH_TEST_' | sort -u)

for name in $names; do
  if ! grep -q "^  \"$name\",\$" "$known"; then
    echo "not ok: $name is read but missing from known_variables in hotpath-glib/core/hotpath-env.c"
    status=1
  fi
done

[ $status -eq 0 ] && echo "ok: $(echo "$names" | wc -w) variables, all known"
exit $status
