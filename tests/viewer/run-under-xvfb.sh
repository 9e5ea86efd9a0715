#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run a viewer test on its own X server (xvfb-run -a picks a free display)
# and its own session bus, so it neither needs nor touches the developer's.
# Exit 77 (skip) when Xvfb or dbus-run-session is missing.
for tool in xvfb-run dbus-run-session xauth; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool is not installed (apt-get install xvfb xauth dbus)"
    exit 77
  fi
done
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1400x900x24 -nolisten tcp" "$@"
