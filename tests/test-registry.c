/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-registry.c: the section registry's promise. A toy section defined
 * and registered here, and nowhere else, shows up in the exit table, the
 * JSON report, its HTTP route, its MCP tool, D-Bus and /metrics, with the
 * numbers its events carried.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "hotpath-collector-private.h"
#include "hotpath-guard-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-report-private.h"
#include "hotpath-server-private.h"
#include "hotpath-test-live.h"

/* ---------------------------------------------------------- the toy */

#define N_TOYS 3

enum
{
  EVENT_SQUEAK,   /* extra = which toy, end - start = how long */
  N_EVENTS,
};

typedef struct
{
  guint64          id;
  const char      *name;
  guint64          squeaks;
  HotpathHistogram duration;
} Toy;

static guint32 first_event;
static Toy     toys[N_TOYS] = {
  { 1, "duck" }, { 2, "bear" }, { 3, "frog" },
};

static void
toy_aggregate (const HotpathEvent        *event,
               const HotpathEventContext *context)
{
  Toy *toy = &toys[event->reserved % N_TOYS];

  toy->squeaks++;
  hotpath_histogram_record (&toy->duration, event->end - event->start);
}

static void
toy_reset (void)
{
  for (guint i = 0; i < N_TOYS; i++)
    {
      toys[i].squeaks = 0;
      hotpath_histogram_clear (&toys[i].duration);
      hotpath_histogram_init (&toys[i].duration);
    }
}

static void
toy_free (gpointer data)
{
  Toy *copy = data;

  for (guint i = 0; i < N_TOYS; i++)
    hotpath_histogram_clear (&copy[i].duration);
  g_free (copy);
}

static gpointer
toy_snapshot (const HotpathSnapshotContext *context)
{
  Toy *copy = g_new0 (Toy, N_TOYS);

  for (guint i = 0; i < N_TOYS; i++)
    {
      copy[i] = toys[i];
      hotpath_histogram_copy (&copy[i].duration, &toys[i].duration);
    }
  return copy;
}

static guint
toy_count (gconstpointer container)
{
  return N_TOYS;
}

static gconstpointer
toy_nth (gconstpointer container,
         guint         index)
{
  const Toy *copy = container;

  return &copy[index];
}

static void
toy_get (gconstpointer       row,
         const HotpathField *field,
         HotpathValue       *value)
{
  const Toy *toy = row;

  switch (field->arg)
    {
    case 0: hotpath_value_set_uint (value, toy->id); break;
    case 1: hotpath_value_set_string (value, toy->name); break;
    case 2: hotpath_value_set_uint (value, toy->squeaks); break;
    case 3: hotpath_value_set_histogram (value, &toy->duration, 1.0); break;
    default: break;
    }
}

static const HotpathField toy_fields[] = {
  { "id", HOTPATH_FIELD_ID, .get = toy_get, .arg = 0 },
  { "name", HOTPATH_FIELD_TEXT, .help = "the toy", .title = "Toy", .get = toy_get, .arg = 1 },
  { "squeaks", HOTPATH_FIELD_COUNTER, .help = "times it squeaked", .title = "Squeaks",
    .get = toy_get, .arg = 2 },
  { "squeak_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "how long a squeak lasted", "Squeak",
    .get = toy_get, .arg = 3 },
};

static const HotpathRowsDesc toy_rows = {
  toy_fields, G_N_ELEMENTS (toy_fields), toy_count, toy_nth,
};

static const HotpathSectionDesc toy_section = {
  .name = "toys",
  .title = "toys",
  .description = "A toy section registered by tests/test-registry.c: squeaks per toy.",
  .n_event_kinds = N_EVENTS,
  .first_event_kind = &first_event,
  .aggregate = toy_aggregate,
  .reset = toy_reset,
  .snapshot = toy_snapshot,
  .free_data = toy_free,
  .rows = &toy_rows,
  .has_logs = TRUE,
  .item_noun = "toy",
  .items_noun = "toys",
  .order = "by id",
};

/* duck squeaks 3 times (1, 2, 3 µs), frog once (10 µs), bear never. */
static void
squeak (void)
{
  static const struct { guint toy; guint64 ns; } squeaks[] = {
    { 0, 1000 }, { 0, 2000 }, { 0, 3000 }, { 2, 10000 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (squeaks); i++)
    {
      guint64 start = hotpath_clock_read ();

      hotpath_collector_record_full (first_event + EVENT_SQUEAK, NULL, start, start + squeaks[i].ns,
                                     squeaks[i].toy);
    }
}

/* ----------------------------------------------------------- the tests */

static void
test_registry_register (void)
{
  g_assert_cmpuint (first_event, >=, HOTPATH_EVENT_FIRST_SECTION_KIND);
  g_assert_true (hotpath_registry_lookup ("toys") == &toy_section);
  g_assert_cmpint (hotpath_registry_index_of (&toy_section), ==, hotpath_registry_get_n_sections () - 1);

  /* A second section of the same name is refused, loudly. */
  if (g_test_subprocess ())
    {
      g_assert_false (hotpath_registry_register (&toy_section));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_stderr ("*already registered*");
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static JsonObject *
toy_row (JsonObject *section,
         const char *name)
{
  JsonArray *data = json_object_get_array_member (section, "data");

  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *row = json_array_get_object_element (data, i);
      if (g_str_equal (json_object_get_string_member (row, "name"), name))
        return row;
    }
  g_assert_not_reached ();
}

static void
assert_toys_json (const char *json)
{
  g_autoptr(JsonNode) node = parse (json);
  JsonObject *section = json_node_get_object (node);
  JsonObject *duck = toy_row (section, "duck");
  JsonObject *squeak_ns = json_object_get_object_member (duck, "squeak_ns");

  g_assert_cmpint (json_object_get_int_member (section, "total_count"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (duck, "squeaks"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (squeak_ns, "count"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (squeak_ns, "total_ns"), ==, 6000);
  g_assert_cmpint (json_object_get_int_member (toy_row (section, "frog"), "squeaks"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (toy_row (section, "bear"), "squeaks"), ==, 0);
}

static void
test_registry_report (void)
{
  g_autoptr(GArray) ranks = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autofree char *table = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) report = NULL;
  JsonObject *sections;
  g_autofree char *section_json = NULL;
  double p50 = 50;

  g_array_append_val (ranks, p50);
  g_assert_true (hotpath_collector_start (10));
  squeak ();
  snapshot = hotpath_collector_snapshot ("test-registry", ranks, 0);
  hotpath_collector_stop ();

  /* The exit table: a column per titled field. */
  table = hotpath_snapshot_to_table (snapshot);
  g_test_message ("%s", table);
  g_assert_nonnull (strstr (table, "[hotpath] toys: 3 toys\n"));
  g_assert_nonnull (strstr (table, "| Toy  | Squeaks | Squeak P50 |"));
  g_assert_nonnull (strstr (table, "| duck |       3 |    2.00 µs |"));

  /* The JSON report, in the registry's order (last). */
  json = hotpath_snapshot_to_json (snapshot, FALSE);
  report = parse (json);
  sections = json_object_get_object_member (json_node_get_object (report), "sections");
  g_assert_true (json_object_has_member (sections, "toys"));
  section_json = hotpath_report_section_json (&toy_section, snapshot, 0, FALSE);
  assert_toys_json (section_json);
}

/* HTTP, MCP and /metrics from one profiled session, D-Bus on a private bus. */
static void
test_registry_live (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(HotpathGuard) guard = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) sections = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("io.github.HotpathGlib.Target.instance%d", (int) getpid ());
  g_auto(LiveResponse) route = { 0 };
  g_auto(LiveResponse) metrics = { 0 };
  g_auto(LiveResponse) tools = { 0 };
  g_auto(LiveResponse) call = { 0 };
  const char *list_text = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
  g_autoptr(GBytes) list_body = g_bytes_new_static (list_text, strlen (list_text));
  g_autoptr(GBytes) call_body = NULL;
  const char *call_text = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"toys\"}}";
  HotpathServer *server;
  const char *json = NULL;
  gboolean found = FALSE;
  gint64 deadline;

  g_test_dbus_up (bus);
  live_env_reset ();
  g_setenv ("HOTPATH_METRICS_SERVER_OFF", "0", TRUE);
  g_setenv ("HOTPATH_MCP_SERVER_OFF", "0", TRUE);
  g_setenv ("HOTPATH_DBUS_OFF", "0", TRUE);

  guard = live_guard_new ("test-registry");
  server = hotpath_guard_get_server (guard);
  hotpath_server_set_max_age_ms (server, 0);
  squeak ();

  /* HTTP: the section's own route. */
  live_get (hotpath_server_get_http_port (server), "/toys", &route);
  g_assert_cmpuint (route.status, ==, 200);
  assert_toys_json (route.body);

  /* /metrics: a family per number field, a summary per histogram. */
  live_get (hotpath_server_get_http_port (server), "/metrics", &metrics);
  g_assert_cmpuint (metrics.status, ==, 200);
  g_assert_nonnull (strstr (metrics.body, "# TYPE hotpath_toys_squeaks_total counter\n"));
  g_assert_nonnull (strstr (metrics.body, "hotpath_toys_squeaks_total{name=\"duck\",id=\"1\"} 3\n"));
  g_assert_nonnull (strstr (metrics.body, "# TYPE hotpath_toys_squeak_seconds summary\n"));
  g_assert_nonnull (strstr (metrics.body, "hotpath_toys_squeak_seconds_sum{name=\"duck\",id=\"1\"} 0.000006\n"));

  /* MCP: a tool per section (and its _logs), answering text and JSON. */
  live_request_full ("POST", hotpath_server_get_mcp_port (server), "/mcp", NULL,
                     "application/json, text/event-stream", "application/json", list_body, &tools);
  g_assert_cmpuint (tools.status, ==, 200);
  g_assert_nonnull (strstr (tools.body, "\"name\":\"toys\""));
  g_assert_nonnull (strstr (tools.body, "\"name\":\"toys_logs\""));
  call_body = g_bytes_new (call_text, strlen (call_text));
  live_request_full ("POST", hotpath_server_get_mcp_port (server), "/mcp", NULL,
                     "application/json, text/event-stream", "application/json", call_body, &call);
  g_assert_cmpuint (call.status, ==, 200);
  g_assert_nonnull (strstr (call.body, "1. duck (id 1): Squeaks 3"));

  /* D-Bus: listed in Sections, served by GetSection. */
  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  /* One deadline for the whole wait: each call may itself wait 5 s. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (reply == NULL && g_get_monotonic_time () < deadline)
    {
      reply = g_dbus_connection_call_sync (connection, name, "/io/github/HotpathGlib/Profiler",
                                           "io.github.HotpathGlib.Profiler1", "GetSection",
                                           g_variant_new ("(s)", "toys"), G_VARIANT_TYPE ("(s)"),
                                           G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
      if (reply == NULL)
        g_usleep (10000);
    }
  g_assert_nonnull (reply);
  g_variant_get (reply, "(&s)", &json);
  assert_toys_json (json);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!found && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GVariant) property = NULL;
      g_autoptr(GVariant) names = NULL;

      property = g_dbus_connection_call_sync (connection, name, "/io/github/HotpathGlib/Profiler",
                                              "org.freedesktop.DBus.Properties", "Get",
                                              g_variant_new ("(ss)", "io.github.HotpathGlib.Profiler1", "Sections"),
                                              G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
      g_assert_no_error (error);
      g_variant_get (property, "(v)", &names);
      found = g_strv_contains (g_variant_get_strv (names, NULL), "toys");
      if (!found)
        g_usleep (10000);   /* the property follows the snapshots */
    }
  g_assert_true (found);

  hotpath_guard_finish (guard, NULL);
  g_dbus_connection_close_sync (connection, NULL, NULL);
  live_env_reset ();
  g_test_dbus_down (bus);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < N_TOYS; i++)
    hotpath_histogram_init (&toys[i].duration);
  /* The one line that adds the section to every output. */
  hotpath_registry_register (&toy_section);

  g_test_add_func ("/Hotpath/Registry/register", test_registry_register);
  g_test_add_func ("/Hotpath/Registry/report", test_registry_report);
  g_test_add_func ("/Hotpath/Registry/live", test_registry_live);

  return g_test_run ();
}
