/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-test-live-target.h: start tests/fixtures/live-target as a real
 * profiled program, with the live servers a suite asks for on free ports,
 * and wait until it is ready. Shared by the HTTP, MCP, D-Bus and MCP-client
 * suites (each sets HOTPATH_TEST_LIVE_TARGET from meson).
 */
#pragma once

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "hotpath-test-log.h"

typedef enum
{
  LIVE_TARGET_HTTP = 1 << 0,
  LIVE_TARGET_MCP  = 1 << 1,
  LIVE_TARGET_DBUS = 1 << 2,
} LiveTargetServers;

/* A running live-target and the ports its servers took. */
typedef struct
{
  GSubprocess      *process;
  GDataInputStream *err;        /* the rest of its stderr; leaves the pipe open */
  guint16           http_port;
  guint16           mcp_port;
} LiveTarget;

/* The texts of the messages that announce the servers. */
#define LIVE_TARGET_HTTP_LINE "live HTTP server on http://127.0.0.1:"
#define LIVE_TARGET_MCP_LINE  "live MCP server on http://127.0.0.1:"

/* A launcher with every pipe and the environment for @servers, on port 0
 * (free ports). The caller may add variables before live_target_start(). */
static G_GNUC_UNUSED GSubprocessLauncher *
live_target_launcher_new (LiveTargetServers  servers,
                          const char        *format)
{
  GSubprocessLauncher *launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_setenv (launcher, "HOTPATH_METRICS_SERVER_OFF",
                                (servers & LIVE_TARGET_HTTP) ? "0" : "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_METRICS_PORT", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_MCP_SERVER_OFF",
                                (servers & LIVE_TARGET_MCP) ? "0" : "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_MCP_PORT", "0", TRUE);
  /* With D-Bus on, the child finds the test bus in DBUS_SESSION_BUS_ADDRESS. */
  g_subprocess_launcher_setenv (launcher, "HOTPATH_DBUS_OFF",
                                (servers & LIVE_TARGET_DBUS) ? "0" : "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_OUTPUT_FORMAT", format, TRUE);
  /* The report on stdout, apart from the servers' lines on stderr. */
  g_subprocess_launcher_setenv (launcher, "HOTPATH_OUTPUT_PATH", "-", TRUE);
  /* "flow" sleeps 250 ms in one dispatch: one stall, and only one; the
   * 200 ms threshold leaves a loaded machine room before a second. */
  g_subprocess_launcher_setenv (launcher, "HOTPATH_STALL_MS", "200", TRUE);

  return launcher;
}

static G_GNUC_UNUSED guint16
live_target_parse_port (const char *line,
                        const char *prefix)
{
  const char *text = hotpath_test_message_text (line);
  guint64 port;

  g_assert_nonnull (text);
  port = g_ascii_strtoull (text + strlen (prefix), NULL, 10);
  g_assert_cmpuint (port, >, 0);
  g_assert_cmpuint (port, <=, G_MAXUINT16);
  return (guint16) port;
}

/* Spawns live-target @mode and reads its stderr up to "live-target: ready",
 * noting the ports its servers announce; any other line fails the test. */
static G_GNUC_UNUSED void
live_target_start (LiveTarget          *target,
                   GSubprocessLauncher *launcher,
                   const char          *mode)
{
  g_autoptr(GError) error = NULL;

  memset (target, 0, sizeof *target);
  target->process = g_subprocess_launcher_spawn (launcher, &error, HOTPATH_TEST_LIVE_TARGET, mode, NULL);
  g_assert_no_error (error);

  target->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (target->process));
  /* Callers read or communicate the rest. */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (target->err), FALSE);

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (target->err, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (g_str_equal (line, "live-target: ready"))
        break;
      if (hotpath_test_message_has_prefix (line, LIVE_TARGET_HTTP_LINE))
        target->http_port = live_target_parse_port (line, LIVE_TARGET_HTTP_LINE);
      else if (hotpath_test_message_has_prefix (line, LIVE_TARGET_MCP_LINE))
        target->mcp_port = live_target_parse_port (line, LIVE_TARGET_MCP_LINE);
      else
        g_error ("unexpected line from live-target: %s", line);
    }
}

static G_GNUC_UNUSED void
live_target_clear (LiveTarget *target)
{
  g_clear_object (&target->err);
  g_clear_object (&target->process);
}
