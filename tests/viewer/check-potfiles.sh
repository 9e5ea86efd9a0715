#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every viewer file with translatable strings must be in po/POTFILES.in,
# and every file listed there must exist.
# Usage: check-potfiles.sh SOURCE_ROOT
set -eu
root="$1"
cd "$root"

listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort)
status=0

for f in $listed; do
  if [ ! -f "$f" ]; then
    echo "not ok: po/POTFILES.in lists $f, which does not exist"
    status=1
  fi
done

found=$(
  {
    grep -lE '(^|[^A-Za-z0-9_])(N?_|C_|NC_|ngettext|g_dngettext)[[:space:]]*\(' hotpath-viewer/*.c || true
    grep -rlE 'translatable="yes"' hotpath-viewer --include='*.ui' || true
    ls data/*.desktop.in data/*.metainfo.xml.in 2>/dev/null || true
    grep -lE '<(summary|description)>' data/*.gschema.xml 2>/dev/null || true
  } | sort -u
)

for f in $found; do
  if ! printf '%s\n' "$listed" | grep -qxF "$f"; then
    echo "not ok: $f has translatable strings but is not in po/POTFILES.in"
    status=1
  fi
done

[ $status -eq 0 ] && echo "ok: po/POTFILES.in lists all $(printf '%s\n' "$found" | wc -l) files with translatable strings"
exit $status
