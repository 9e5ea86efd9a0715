#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The flatpak manifest must parse (no network here, so no build).
set -eu
if ! command -v flatpak-builder >/dev/null 2>&1; then
  echo "SKIP: flatpak-builder is not installed (apt-get install flatpak-builder)"
  exit 77
fi
out=$(flatpak-builder --show-manifest "$1")
printf '%s\n' "$out" | grep -q '"id" *: *"io.github.HotpathGlib.Viewer"'
printf '%s\n' "$out" | grep -q '"name" *: *"hotpath-glib"'
echo "ok: $1 parses"
