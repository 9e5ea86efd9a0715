/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-live-module.c: the live HTTP/MCP servers are a module the core loads
 * at session start (libsoup 3), never linked and never loaded into a
 * process that holds libsoup 2. This program links the core and not
 * libsoup, so it can see when libsoup 3 arrives.
 */

#include "config.h"

#include <dlfcn.h>
#include <string.h>

#include <gio/gio.h>

#include <hotpath-glib/hotpath.h>

#include "hotpath-guard-private.h"
#include "hotpath-test-log.h"
#include "hotpath-server-private.h"

#define LIBSOUP3_SONAME "libsoup-3.0.so.0"
#define OFF_LINE        "live HTTP and MCP servers are off: "

static gboolean
libsoup3_loaded (void)
{
  void *handle = dlopen (LIBSOUP3_SONAME, RTLD_LAZY | RTLD_NOLOAD);

  if (handle == NULL)
    return FALSE;
  dlclose (handle);

  return TRUE;
}

static HotpathGuard *
guard_new (const char *name)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new (name);

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);

  return hotpath_guard_builder_build (builder, NULL);
}

static void
env_live (gboolean http)
{
  g_setenv ("HOTPATH_METRICS_SERVER_OFF", http ? "0" : "1", TRUE);
  g_setenv ("HOTPATH_MCP_SERVER_OFF", "1", TRUE);
  g_setenv ("HOTPATH_DBUS_OFF", "1", TRUE);
  g_setenv ("HOTPATH_METRICS_PORT", "0", TRUE);
}

/* libsoup 3 comes with the first session that serves HTTP, not before. */
static void
test_loaded_on_demand (void)
{
  if (g_test_subprocess ())
    {
      HotpathGuard *guard;
      HotpathServer *server;

      g_assert_false (libsoup3_loaded ());

      env_live (FALSE);
      guard = guard_new ("test-live-module-off");
      g_assert_null (hotpath_guard_get_server (guard));
      hotpath_guard_finish (guard, NULL);
      g_object_unref (guard);
      g_assert_false (libsoup3_loaded ());

      env_live (TRUE);
      guard = guard_new ("test-live-module-on");
      server = hotpath_guard_get_server (guard);
      g_assert_nonnull (server);
      g_assert_cmpuint (hotpath_server_get_http_port (server), >, 0);
      g_assert_true (libsoup3_loaded ());
      hotpath_guard_finish (guard, NULL);
      g_object_unref (guard);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr (HOTPATH_TEST_MESSAGE "live HTTP server on http://127.0.0.1:*/\n");
}

/* A module that is not there: one line, and the session goes on. */
static void
test_missing (void)
{
  if (g_test_subprocess ())
    {
      HotpathGuard *guard;

      env_live (TRUE);
      g_setenv ("HOTPATH_LIVE_MODULE", "/nonexistent/" "libhotpath-glib-live.so", TRUE);
      guard = guard_new ("test-live-module-missing");
      g_assert_null (hotpath_guard_get_server (guard));
      hotpath_guard_finish (guard, NULL);
      g_object_unref (guard);

      /* Said once per process, not per session. */
      guard = guard_new ("test-live-module-missing-again");
      hotpath_guard_finish (guard, NULL);
      g_object_unref (guard);
      g_assert_false (libsoup3_loaded ());
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr (HOTPATH_TEST_MESSAGE OFF_LINE "libhotpath-glib-live.so is not installed "
                             "(looked for /nonexistent/libhotpath-glib-live.so); "
                             "D-Bus and the report still work\n");
}

#ifdef HOTPATH_TEST_LIBSOUP2
static gboolean
has_owner (GDBusConnection *connection,
           const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);

  return owned;
}

/* A program that uses libsoup 2.4 and HOTPATH_MAIN, with every live server
 * asked for: it runs, answers on D-Bus, prints its report and exits 0;
 * HTTP and MCP are off with one line that says why. */
static void
test_libsoup2 (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) err_stream = NULL;
  g_autoptr(GString) err = g_string_new (NULL);
  g_autofree char *name = NULL;
  g_autoptr(GDataInputStream) out_stream = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  const char *json;
  guint off_lines = 0;
  char *line;

  g_test_dbus_up (bus);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", g_test_dbus_get_bus_address (bus), TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_METRICS_SERVER_OFF", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_MCP_SERVER_OFF", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_DBUS_OFF", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_METRICS_PORT", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_MCP_PORT", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_OUTPUT_FORMAT", "table", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, HOTPATH_TEST_LIBSOUP2, NULL);
  g_assert_no_error (error);

  /* Up to "ready": the session has started by then. */
  err_stream = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  while ((line = g_data_input_stream_read_line_utf8 (err_stream, NULL, NULL, &error)) != NULL)
    {
      g_string_append_printf (err, "%s\n", line);
      if (strcmp (line, "libsoup2: ready") == 0)
        {
          g_free (line);
          break;
        }
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_nonnull (strstr (err->str, "libsoup2: ready"));

  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  name = g_strdup_printf ("io.github.HotpathGlib.Target.instance%s", g_subprocess_get_identifier (process));
  for (guint i = 0; i < 500 && !has_owner (connection, name); i++)
    g_usleep (10000);
  reply = g_dbus_connection_call_sync (connection, name, "/io/github/HotpathGlib/Profiler",
                                       "io.github.HotpathGlib.Profiler1", "GetSection",
                                       g_variant_new ("(s)", "functions_timing"), G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &json);
  g_assert_nonnull (strstr (json, "\"libsoup2::work\""));
  g_assert_nonnull (strstr (json, "\"calls\":3"));

  /* End of file on stdin: the program returns from main(). */
  g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, &error);
  g_assert_no_error (error);
  while ((line = g_data_input_stream_read_line_utf8 (err_stream, NULL, NULL, &error)) != NULL)
    {
      g_string_append_printf (err, "%s\n", line);
      g_free (line);
    }
  g_assert_no_error (error);
  out_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  out = g_data_input_stream_read_upto (out_stream, "", 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_string_append (err, out != NULL ? out : "");
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("output:\n%s", err->str);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  g_assert_null (strstr (err->str, "libsoup-ERROR"));
  g_assert_nonnull (strstr (err->str, "libsoup2::work"));
  lines = g_strsplit (err->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (hotpath_test_message_has_prefix (lines[i], OFF_LINE))
      {
        off_lines++;
        g_assert_nonnull (strstr (lines[i], "libsoup 2 (libsoup-2.4.so.1)"));
        g_assert_true (g_str_has_suffix (lines[i], "D-Bus and the report still work"));
      }
  g_assert_cmpuint (off_lines, ==, 1);
  g_assert_null (strstr (err->str, "live HTTP server on"));

  g_dbus_connection_close_sync (connection, NULL, NULL);
  g_test_dbus_down (bus);
}
#endif

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/LiveModule/loaded-on-demand", test_loaded_on_demand);
  g_test_add_func ("/Hotpath/LiveModule/missing", test_missing);
#ifdef HOTPATH_TEST_LIBSOUP2
  g_test_add_func ("/Hotpath/LiveModule/libsoup2", test_libsoup2);
#endif

  return g_test_run ();
}
