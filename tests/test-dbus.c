/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-dbus.c: io.github.HotpathGlib.Profiler1 on a private bus (GTestDBus):
 * introspection, properties, every method, the DataChanged signal and its
 * rate, errors for bad names, and no bus at all.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "hotpath-test-live.h"
#include "hotpath-test-live-target.h"
#include "hotpath-test-schema.h"

#define IFACE  "io.github.HotpathGlib.Profiler1"
#define PATH   "/io/github/HotpathGlib/Profiler"

static GTestDBus *bus;

static void
measured (void)
{
  HOTPATH_MEASURE_AS ("test-dbus::measured");
}

typedef struct
{
  HotpathGuard    *guard;
  GDBusConnection *connection;
  char            *name;
} Fixture;

static void
wait_for_owner (Fixture *f)
{
  for (guint i = 0; i < 500; i++)
    {
      g_autoptr(GVariant) reply = NULL;

      reply = g_dbus_connection_call_sync (f->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "NameHasOwner",
                                           g_variant_new ("(s)", f->name), G_VARIANT_TYPE ("(b)"),
                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      if (reply != NULL)
        {
          gboolean has_owner;

          g_variant_get (reply, "(b)", &has_owner);
          if (has_owner)
            return;
        }
      g_usleep (10000);
    }

  g_error ("%s never appeared on the bus", f->name);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  live_env_reset ();
  g_setenv ("HOTPATH_DBUS_OFF", "0", TRUE);
  g_setenv ("HOTPATH_METRICS_SERVER_OFF", "0", TRUE);

  f->guard = live_guard_new ("test-dbus");
  hotpath_server_set_max_age_ms (hotpath_guard_get_server (f->guard), 0);
  for (guint i = 0; i < 3; i++)
    measured ();

  f->connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                          G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                          G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                          NULL, NULL, &error);
  g_assert_no_error (error);
  f->name = g_strdup_printf ("io.github.HotpathGlib.Target.instance%d", (int) getpid ());
  wait_for_owner (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hotpath_guard_finish (f->guard, NULL);
  g_clear_object (&f->guard);
  g_dbus_connection_close_sync (f->connection, NULL, NULL);
  g_clear_object (&f->connection);
  g_free (f->name);
  live_env_reset ();
}

static GVariant *
call (Fixture     *f,
      const char  *method,
      GVariant    *parameters,
      const char  *reply_type,
      GError     **error)
{
  return g_dbus_connection_call_sync (f->connection, f->name, PATH, IFACE, method, parameters,
                                      reply_type ? G_VARIANT_TYPE (reply_type) : NULL,
                                      G_DBUS_CALL_FLAGS_NONE, 5000, NULL, error);
}

static char *
call_string (Fixture    *f,
             const char *method,
             GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, method, parameters, "(s)", &error);
  char *json;

  g_assert_no_error (error);
  g_variant_get (reply, "(s)", &json);

  return json;
}

static void
assert_dbus_error (Fixture    *f,
                   const char *method,
                   GVariant   *parameters,
                   const char *error_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, method, parameters, NULL, &error);
  g_autofree char *remote = NULL;

  g_assert_null (reply);
  g_assert_nonnull (error);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, error_name);
}

static void
test_dbus_introspect (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  const char *xml;
  GDBusInterfaceInfo *iface;
  static const char *methods[] = { "GetSection", "GetReport", "GetLogs", "Reset" };
  static const char *properties[] = { "ProgramName", "Pid", "StartTime", "HttpPort", "McpPort", "Sections" };

  reply = g_dbus_connection_call_sync (f->connection, f->name, PATH,
                                       "org.freedesktop.DBus.Introspectable", "Introspect",
                                       NULL, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE,
                                       5000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &xml);
  node = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  iface = g_dbus_node_info_lookup_interface (node, IFACE);
  g_assert_nonnull (iface);
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    g_assert_nonnull (g_dbus_interface_info_lookup_method (iface, methods[i]));
  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    g_assert_nonnull (g_dbus_interface_info_lookup_property (iface, properties[i]));
  g_assert_nonnull (g_dbus_interface_info_lookup_signal (iface, "DataChanged"));
}

static void
test_dbus_properties (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) all = NULL;
  g_autofree const char **sections = NULL;
  const char *program;
  guint32 pid;
  gint64 start;
  guint16 http_port, mcp_port;

  reply = g_dbus_connection_call_sync (f->connection, f->name, PATH,
                                       "org.freedesktop.DBus.Properties", "GetAll",
                                       g_variant_new ("(s)", IFACE), G_VARIANT_TYPE ("(a{sv})"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  all = g_variant_get_child_value (reply, 0);
  g_assert_true (g_variant_lookup (all, "ProgramName", "&s", &program));
  g_assert_cmpstr (program, ==, "test-dbus");
  g_assert_true (g_variant_lookup (all, "Pid", "u", &pid));
  g_assert_cmpuint (pid, ==, getpid ());
  g_assert_true (g_variant_lookup (all, "StartTime", "x", &start));
  g_assert_cmpint (start, <=, g_get_real_time ());
  g_assert_cmpint (start, >, g_get_real_time () - 60 * G_USEC_PER_SEC);
  g_assert_true (g_variant_lookup (all, "HttpPort", "q", &http_port));
  g_assert_cmpuint (http_port, ==, hotpath_server_get_http_port (hotpath_guard_get_server (f->guard)));
  g_assert_cmpuint (http_port, >, 0);
  g_assert_true (g_variant_lookup (all, "McpPort", "q", &mcp_port));
  g_assert_cmpuint (mcp_port, ==, 0);   /* off in this suite */
  g_assert_true (g_variant_lookup (all, "Sections", "^a&s", &sections));
  g_assert_cmpstr (sections[0], ==, "functions_timing");
}

static gint64
function_id (const char *json,
             const char *name)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  JsonArray *rows = json_object_get_array_member (json_node_get_object (node), "data");

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      if (g_str_equal (json_object_get_string_member (row, "name"), name))
        return json_object_get_int_member (row, "id");
    }

  return -1;
}

static void
test_dbus_methods (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *timing = call_string (f, "GetSection", g_variant_new ("(s)", "functions_timing"));
  g_autofree char *report = call_string (f, "GetReport", NULL);
  g_autofree char *logs = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reset = NULL;
  gint64 id;

  hotpath_test_assert_valid_json (timing, "functions_timing");
  hotpath_test_assert_valid_json (report, NULL);
  id = function_id (timing, "test-dbus::measured");
  g_assert_cmpint (id, >=, 0);

  logs = call_string (f, "GetLogs", g_variant_new ("(su)", "functions_timing", (guint32) id));
  hotpath_test_assert_valid_json (logs, "function_logs");
  g_assert_nonnull (strstr (logs, "\"index\":2"));

  reset = call (f, "Reset", NULL, "()", &error);
  g_assert_no_error (error);
  after = call_string (f, "GetSection", g_variant_new ("(s)", "functions_timing"));
  hotpath_test_assert_valid_json (after, "functions_timing");
  g_assert_cmpint (function_id (after, "test-dbus::measured"), ==, -1);

  measured ();
  g_clear_pointer (&after, g_free);
  after = call_string (f, "GetSection", g_variant_new ("(s)", "functions_timing"));
  g_assert_cmpint (function_id (after, "test-dbus::measured"), ==, id);  /* ids survive a reset */
}

static void
test_dbus_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  assert_dbus_error (f, "GetSection", g_variant_new ("(s)", "nope"), IFACE ".Error.UnknownSection");
  assert_dbus_error (f, "GetSection", g_variant_new ("(s)", ""), IFACE ".Error.UnknownSection");
  /* Registered, but off: this test does not load libhotpath-glib-alloc-1. */
  assert_dbus_error (f, "GetSection", g_variant_new ("(s)", "functions_alloc"), IFACE ".Error.NotAvailable");
  assert_dbus_error (f, "GetLogs", g_variant_new ("(su)", "nope", 1), IFACE ".Error.UnknownSection");
  assert_dbus_error (f, "GetLogs", g_variant_new ("(su)", "functions_alloc", 1), IFACE ".Error.NotAvailable");
  assert_dbus_error (f, "GetLogs", g_variant_new ("(su)", "functions_timing", 4000000), IFACE ".Error.UnknownItem");
  assert_dbus_error (f, "GetLogs", g_variant_new ("(su)", "channels", 4000000), IFACE ".Error.UnknownItem");
  /* Wrong signature and unknown methods are refused by GDBus itself. */
  assert_dbus_error (f, "GetSection", g_variant_new ("(u)", 1), "org.freedesktop.DBus.Error.InvalidArgs");
  assert_dbus_error (f, "Explode", NULL, "org.freedesktop.DBus.Error.UnknownMethod");

  /* Still alive. */
  reply = call (f, "GetReport", NULL, "(s)", &error);
  g_assert_no_error (error);
}

typedef struct
{
  guint    n_signals;
  guint64  last_total;
} SignalCount;

static void
on_data_changed (GDBusConnection *connection,
                 const char      *sender,
                 const char      *path,
                 const char      *iface,
                 const char      *signal,
                 GVariant        *parameters,
                 gpointer         user_data)
{
  SignalCount *count = user_data;

  g_variant_get (parameters, "(t)", &count->last_total);
  count->n_signals++;
}

static void
iterate_for (GMainContext *context,
             guint         ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      measured ();
      g_main_context_iteration (context, FALSE);
      g_usleep (1000);
    }
}

static void
test_dbus_signal (Fixture       *f,
                  gconstpointer  data)
{
  SignalCount count = { 0 };
  GMainContext *context = g_main_context_new ();
  guint subscription;
  guint64 before;

  g_main_context_push_thread_default (context);
  subscription = g_dbus_connection_signal_subscribe (f->connection, f->name, IFACE, "DataChanged",
                                                     PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                     on_data_changed, &count, NULL);

  /* Busy for 2 s: a signal at most every 250 ms, so at most 8 (+1 at the
   * edges), and at least a few. */
  iterate_for (context, 2000);
  g_test_message ("%u DataChanged signals in 2 s, last total %" G_GUINT64_FORMAT,
                  count.n_signals, count.last_total);
  g_assert_cmpuint (count.n_signals, >=, 3);
  g_assert_cmpuint (count.n_signals, <=, 9);
  g_assert_cmpuint (count.last_total, >, 3);

  /* Idle: nothing changes, no signal. Let the last change drain first. */
  {
    gint64 end = g_get_monotonic_time () + 600 * 1000;
    while (g_get_monotonic_time () < end)
      g_main_context_iteration (context, FALSE), g_usleep (1000);
  }
  before = count.n_signals;
  {
    gint64 end = g_get_monotonic_time () + 800 * 1000;
    while (g_get_monotonic_time () < end)
      g_main_context_iteration (context, FALSE), g_usleep (1000);
  }
  g_assert_cmpuint (count.n_signals, ==, before);

  g_dbus_connection_signal_unsubscribe (f->connection, subscription);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

/* Data flow (issue 4): GetSection and GetLogs of a real program with a
 * channel, a task, watched sources and its default main context watched
 * (tests/fixtures/live-target.c "flow"), on the test bus. */
static void
test_dbus_flow (void)
{
  g_autoptr(GSubprocessLauncher) launcher = live_target_launcher_new (LIVE_TARGET_DBUS, "none");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  LiveTarget target;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) sections = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *channels = NULL;
  g_autofree char *logs = NULL;
  Fixture f = { 0 };
  JsonObject *row;
  gint64 id;

  live_target_start (&target, launcher, "flow");
  process = g_steal_pointer (&target.process);
  live_target_clear (&target);

  f.connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                         G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                         G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                         NULL, NULL, &error);
  g_assert_no_error (error);
  f.name = g_strdup_printf ("io.github.HotpathGlib.Target.instance%s", g_subprocess_get_identifier (process));
  wait_for_owner (&f);

  reply = g_dbus_connection_call_sync (f.connection, f.name, PATH, "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", IFACE, "Sections"), G_VARIANT_TYPE ("(v)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &sections);
  for (const char * const *name = (const char * const[]) { "channels", "futures", "sources", "main_loop", NULL };
       *name != NULL; name++)
    {
      g_autofree const char **names = g_variant_get_strv (sections, NULL);
      g_autofree char *json = call_string (&f, "GetSection", g_variant_new ("(s)", *name));
      g_autofree char *def = g_strdup_printf ("%s_section", *name);

      g_assert_true (g_strv_contains (names, *name));
      hotpath_test_assert_valid_json (json, def);
    }

  channels = call_string (&f, "GetSection", g_variant_new ("(s)", "channels"));
  node = json_from_string (channels, NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "total_count"), ==, 1);
  row = json_array_get_object_element (json_object_get_array_member (json_node_get_object (node), "data"), 0);
  g_assert_cmpstr (json_object_get_string_member (row, "name"), ==, "jobs");
  g_assert_cmpint (json_object_get_int_member (row, "sent"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (row, "received"), ==, 3);
  id = json_object_get_int_member (row, "id");

  logs = call_string (&f, "GetLogs", g_variant_new ("(su)", "channels", (guint32) id));
  hotpath_test_assert_valid_json (logs, "channel");
  g_assert_nonnull (strstr (logs, "\"text\":\"message 5\""));
  assert_dbus_error (&f, "GetLogs", g_variant_new ("(su)", "futures", (guint32) id), IFACE ".Error.UnknownItem");

  g_subprocess_communicate_utf8 (process, "", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  g_dbus_connection_close_sync (f.connection, NULL, NULL);
  g_clear_object (&f.connection);
  g_free (f.name);
}


/* WriteReport: a running program's report, now, in a file (rewritten each
 * time, and at exit); the session goes on. */
static void
test_dbus_write_report (void)
{
  g_autoptr(GSubprocessLauncher) launcher = live_target_launcher_new (LIVE_TARGET_DBUS, "json");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("hotpath-test-dbus-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "report.json", NULL);
  g_autofree char *destination = NULL;
  g_autofree char *json = NULL;
  g_autofree char *final = NULL;
  LiveTarget target;
  Fixture f = { 0 };

  g_assert_nonnull (dir);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_OUTPUT_PATH", path, TRUE);
  live_target_start (&target, launcher, "flow");
  process = g_steal_pointer (&target.process);
  live_target_clear (&target);

  f.connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                         G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                         G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                         NULL, NULL, &error);
  g_assert_no_error (error);
  f.name = g_strdup_printf ("io.github.HotpathGlib.Target.instance%s", g_subprocess_get_identifier (process));
  wait_for_owner (&f);

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  destination = call_string (&f, "WriteReport", NULL);
  g_assert_cmpstr (destination, ==, path);
  g_assert_true (g_file_get_contents (path, &json, NULL, &error));
  g_assert_no_error (error);
  hotpath_test_assert_valid_json (json, NULL);
  g_assert_nonnull (strstr (json, "\"name\":\"jobs\""));
  g_assert_nonnull (strstr (json, "\"name\":\"live-target::work\""));
  g_remove (path);

  /* Still profiling: the report at exit comes too. */
  g_subprocess_communicate_utf8 (process, "", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_true (g_file_get_contents (path, &final, NULL, &error));
  g_assert_no_error (error);
  hotpath_test_assert_valid_json (final, NULL);

  g_remove (path);
  g_rmdir (dir);
  g_dbus_connection_close_sync (f.connection, NULL, NULL);
  g_clear_object (&f.connection);
  g_free (f.name);
}

static void
test_dbus_off (void)
{
  HotpathGuard *guard;

  live_env_reset ();
  guard = live_guard_new ("test-dbus-off");
  g_assert_null (hotpath_guard_get_server (guard));
  hotpath_guard_finish (guard, NULL);
  g_object_unref (guard);
}

/* No session bus: not an error, nothing on stderr, the rest still runs. */
static void
test_dbus_no_bus (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *runtime = g_dir_make_tmp ("hotpath-no-bus-XXXXXX", NULL);
      HotpathGuard *guard;
      g_auto(LiveResponse) response = { 0 };

      live_env_reset ();
      g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
      g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
      g_setenv ("HOTPATH_DBUS_OFF", "0", TRUE);
      g_setenv ("HOTPATH_METRICS_SERVER_OFF", "0", TRUE);
      guard = live_guard_new ("test-dbus-no-bus");
      g_assert_nonnull (hotpath_guard_get_server (guard));
      live_get (hotpath_server_get_http_port (hotpath_guard_get_server (guard)), "/profiler_status", &response);
      g_assert_cmpuint (response.status, ==, 200);
      g_assert_nonnull (strstr (response.body, "\"dbus_name\":null"));
      hotpath_guard_finish (guard, NULL);
      g_object_unref (guard);
      g_rmdir (runtime);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* Only the port-0 line: nothing about the missing bus. */
  g_test_trap_assert_stderr (HOTPATH_TEST_MESSAGE "live HTTP server on http://127.0.0.1:*/\n");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (!g_test_subprocess ())
    {
      bus = g_test_dbus_new (G_TEST_DBUS_NONE);
      g_test_dbus_up (bus);
    }

#define ADD(path, func) \
  g_test_add ("/Hotpath/DBus/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("introspect", test_dbus_introspect);
  ADD ("properties", test_dbus_properties);
  ADD ("methods", test_dbus_methods);
  ADD ("errors", test_dbus_errors);
  ADD ("signal", test_dbus_signal);
  g_test_add_func ("/Hotpath/DBus/flow", test_dbus_flow);
  g_test_add_func ("/Hotpath/DBus/write-report", test_dbus_write_report);
  g_test_add_func ("/Hotpath/DBus/off", test_dbus_off);
  g_test_add_func ("/Hotpath/DBus/no-bus", test_dbus_no_bus);

  ret = g_test_run ();

  if (bus != NULL)
    {
      g_test_dbus_down (bus);
      g_object_unref (bus);
    }

  return ret;
}
