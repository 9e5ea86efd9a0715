/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-live-server.h: one profiling session per fuzzer process, with the
 * live HTTP and MCP servers on free loopback ports and a few measured
 * functions, so that routes have rows to render.
 */
#pragma once

#include "hotpath.h"
#include "hotpath-guard-private.h"
#include "hotpath-server-private.h"

static void
fuzz_measured (void)
{
  HOTPATH_MEASURE_AS ("fuzz::measured");
}

static HotpathServer *
fuzz_live_server (void)
{
  static HotpathGuard *guard;

  if (guard == NULL)
    {
      g_autoptr(HotpathGuardBuilder) builder = NULL;

      g_setenv ("HOTPATH_METRICS_SERVER_OFF", "0", TRUE);
      g_setenv ("HOTPATH_MCP_SERVER_OFF", "0", TRUE);
      g_setenv ("HOTPATH_DBUS_OFF", "1", TRUE);
      g_setenv ("HOTPATH_METRICS_PORT", "0", TRUE);
      g_setenv ("HOTPATH_MCP_PORT", "0", TRUE);
      g_setenv ("HOTPATH_LIVE_MODULE", FUZZ_LIVE_MODULE, FALSE);
      builder = hotpath_guard_builder_new ("fuzz");
      hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
      guard = hotpath_guard_builder_build (builder);
      g_assert (guard != NULL);
      for (guint i = 0; i < 5; i++)
        fuzz_measured ();
    }

  return hotpath_guard_get_server (guard);
}
