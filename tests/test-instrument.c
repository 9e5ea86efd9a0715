/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-instrument.c: measure-all's hooks in process, against functions
 * built with the measure-all flags (instrument-fixture.c): self time adds
 * up exactly, recursion is counted once, the time filter stops recording a
 * function once it decided, and a new session learns again.
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "hotpath.h"
#include "hotpath-collector-private.h"
#include "hotpath-guard-private.h"
#include "hotpath-server-private.h"
#include "hotpath-test-live.h"
#include "hotpath-test-schema.h"
#include "hotpath-instrument-private.h"
#include "hotpath-snapshot-private.h"

#include "instrument-fixture.h"

static void
session_start (const char *time_filter,
               const char *learn_calls)
{
  g_setenv ("HOTPATH_TIME_FILTER", time_filter, TRUE);
  g_setenv ("HOTPATH_TIME_FILTER_CALLS", learn_calls, TRUE);
  hotpath_instrument_reload_config ();
  g_assert_true (hotpath_collector_start (0));
}

static HotpathSnapshot *
snapshot (void)
{
  g_autoptr(GArray) percentiles = g_array_new (FALSE, FALSE, sizeof (double));
  double p = 95.0;

  g_array_append_val (percentiles, p);
  return hotpath_collector_snapshot ("test-instrument", percentiles, 0);
}

static HotpathFunctionStats *
find (GPtrArray  *functions,
      const char *suffix)
{
  for (guint i = 0; i < functions->len; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (functions, i);

      if (g_str_has_suffix (stats->name, suffix))
        return stats;
    }

  return NULL;
}

static void
test_self_adds_up (void)
{
  g_autoptr(HotpathSnapshot) snap = NULL;
  HotpathFunctionStats *parent, *leaf;

  session_start ("0", "1024");
  for (guint i = 0; i < 5; i++)
    fixture_parent (10);
  snap = snapshot ();
  hotpath_collector_stop ();

  parent = find (snap->functions, "::fixture_parent");
  leaf = find (snap->functions, "::fixture_leaf");
  g_assert_nonnull (parent);
  g_assert_nonnull (leaf);
  g_assert_true (parent->measure_all);
  g_assert_cmpuint (parent->histogram.count, ==, 5);
  g_assert_cmpuint (leaf->histogram.count, ==, 50);
  /* The parent's own time plus its callees' is its total, tick for tick. */
  g_assert_cmpuint (parent->self_ticks + leaf->outer_ticks, ==, parent->outer_ticks);
  g_assert_cmpuint (leaf->self_ticks, ==, leaf->outer_ticks);
}

static void
test_recursion_once (void)
{
  g_autoptr(HotpathSnapshot) snap = NULL;
  HotpathFunctionStats *recurse;
  guint64 self_ns;

  session_start ("0", "1024");
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (fixture_recurse (20), ==, 20);
  snap = snapshot ();
  hotpath_collector_stop ();

  recurse = find (snap->functions, "::fixture_recurse");
  g_assert_nonnull (recurse);
  g_assert_cmpuint (recurse->histogram.count, ==, 3 * 21);
  /* The total is the three outermost calls: the longest call three times
   * at most, far less than the sum over every nested call. */
  g_assert_cmpuint (recurse->outer_ticks, <=, 3 * recurse->histogram.max);
  g_assert_cmpuint (recurse->outer_ticks, <, recurse->histogram.sum);
  /* Its own time is all of it: its callees are itself. */
  g_assert_cmpuint (recurse->self_ticks, ==, recurse->outer_ticks);
  g_assert_true (hotpath_function_stats_get_self_ns (recurse, &self_ns));
  g_assert_cmpuint (hotpath_function_stats_get_total_ns (recurse), ==,
                    hotpath_function_stats_ticks_to_ns (recurse, recurse->outer_ticks));
}

static void
test_time_filter_stops (void)
{
  g_autoptr(HotpathSnapshot) first = NULL;
  g_autoptr(HotpathSnapshot) second = NULL;
  g_autoptr(HotpathSnapshot) third = NULL;
  HotpathFunctionStats *leaf;

  /* Nothing takes a second: decided at the first drain past 100 calls. */
  session_start ("1s", "100");
  for (guint i = 0; i < 150; i++)
    fixture_leaf ();
  first = snapshot ();
  g_assert_nonnull (find (first->filtered, "::fixture_leaf"));
  g_assert_null (find (first->functions, "::fixture_leaf"));

  /* From now on the hooks skip it. */
  for (guint i = 0; i < 1000; i++)
    fixture_leaf ();
  fixture_parent (3);
  second = snapshot ();
  hotpath_collector_stop ();

  leaf = find (second->filtered, "::fixture_leaf");
  g_assert_nonnull (leaf);
  g_assert_cmpuint (leaf->histogram.count, ==, 150);
  g_assert_cmpuint (second->time_filter_ns, ==, G_USEC_PER_SEC * 1000);
  g_assert_cmpuint (second->time_filter_calls, ==, 100);
  /* The parent still learns, and the skipped leaf is its own time. */
  g_assert_cmpuint (find (second->functions, "::fixture_parent")->histogram.count, ==, 1);

  /* A new session learns again. */
  session_start ("1s", "100");
  for (guint i = 0; i < 10; i++)
    fixture_leaf ();
  third = snapshot ();
  hotpath_collector_stop ();
  g_assert_cmpuint (find (third->functions, "::fixture_leaf")->histogram.count, ==, 10);
}

static void
test_time_filter_keeps_slow (void)
{
  g_autoptr(HotpathSnapshot) snap = NULL;

  /* Every call is longer than a nanosecond. */
  session_start ("1ns", "100");
  for (guint i = 0; i < 5; i++)
    fixture_parent (50);
  snap = snapshot ();
  hotpath_collector_stop ();

  g_assert_nonnull (find (snap->functions, "::fixture_parent"));
  g_assert_null (find (snap->filtered, "::fixture_parent"));
}

static JsonObject *
find_row (JsonArray  *rows,
          const char *suffix)
{
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      if (g_str_has_suffix (json_object_get_string_member (row, "name"), suffix))
        return row;
    }

  g_error ("no *%s in the rows", suffix);
  return NULL;
}

/* Self time on the live routes: HTTP's JSON and MCP's text. */
static void
test_live_self (void)
{
  g_autoptr(HotpathGuard) guard = NULL;
  g_auto(LiveResponse) http = { 0 };
  g_auto(LiveResponse) mcp = { 0 };
  g_autoptr(JsonNode) timing = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GBytes) body = NULL;
  const char *request = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                        "\"params\":{\"name\":\"functions_timing\",\"arguments\":{}}}";
  HotpathServer *server;
  JsonObject *parent, *leaf;
  JsonArray *content;
  const char *text;

  live_env_reset ();
  g_setenv ("HOTPATH_METRICS_SERVER_OFF", "0", TRUE);
  g_setenv ("HOTPATH_MCP_SERVER_OFF", "0", TRUE);
  g_setenv ("HOTPATH_TIME_FILTER", "0", TRUE);
  hotpath_instrument_reload_config ();

  guard = live_guard_new ("test-instrument");
  server = hotpath_guard_get_server (guard);
  hotpath_server_set_max_age_ms (server, 0);
  for (guint i = 0; i < 3; i++)
    fixture_parent (10);

  live_get (hotpath_server_get_http_port (server), "/functions_timing?limit=0", &http);
  g_assert_cmpuint (http.status, ==, 200);
  hotpath_test_assert_valid_json (http.body, "functions_timing");
  timing = json_from_string (http.body, NULL);
  parent = find_row (json_object_get_array_member (json_node_get_object (timing), "data"), "::fixture_parent");
  leaf = find_row (json_object_get_array_member (json_node_get_object (timing), "data"), "::fixture_leaf");
  g_assert_cmpint (json_object_get_int_member (parent, "calls"), ==, 3);
  g_assert_true (json_object_has_member (parent, "self_ns"));
  g_assert_cmpint (json_object_get_int_member (parent, "self_ns"), <=,
                   json_object_get_int_member (parent, "total_ns"));
  g_assert_cmpint (json_object_get_int_member (leaf, "self_ns"), ==,
                   json_object_get_int_member (leaf, "total_ns"));

  body = g_bytes_new_static (request, strlen (request));
  live_request_full ("POST", hotpath_server_get_mcp_port (server), "/mcp", NULL,
                     "application/json, text/event-stream", "application/json", body, &mcp);
  g_assert_cmpuint (mcp.status, ==, 200);
  answer = json_from_string (mcp.body, NULL);
  content = json_object_get_array_member (json_object_get_object_member (json_node_get_object (answer), "result"),
                                          "content");
  text = json_object_get_string_member (json_array_get_object_element (content, 0), "text");
  g_assert_nonnull (strstr (text, "::fixture_parent"));
  g_assert_true (g_regex_match_simple ("fixture_parent \\(id [0-9]+\\): 3 calls, .*, self [0-9.]+ (ns|µs|ms|s)",
                                       text, 0, 0));

  g_assert_true (hotpath_guard_finish (guard, NULL));
  live_env_reset ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/Instrument/self-adds-up", test_self_adds_up);
  g_test_add_func ("/Hotpath/Instrument/recursion-once", test_recursion_once);
  g_test_add_func ("/Hotpath/Instrument/time-filter-stops", test_time_filter_stops);
  g_test_add_func ("/Hotpath/Instrument/time-filter-keeps-slow", test_time_filter_keeps_slow);
  g_test_add_func ("/Hotpath/Instrument/live-self", test_live_self);

  return g_test_run ();
}
