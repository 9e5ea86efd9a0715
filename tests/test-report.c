/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-report.c: the table and JSON a session prints, byte for byte.
 *
 * The fake clock only moves when told, so every duration, the elapsed time
 * and every percentage are exact and the whole table can be compared as
 * text. Every JSON output is validated against
 * data/hotpath-report.schema.json.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "hotpath.h"
#include "hotpath-clock-private.h"
#include "hotpath-collector-private.h"
#include "hotpath-format-private.h"
#include "hotpath-report-private.h"
#include "hotpath-snapshot-private.h"

#include "hotpath-test-schema.h"
#include "hotpath-test-report.h"

#define FAKE_START_NS G_GUINT64_CONSTANT (1000000000)
#define ELAPSED_NS    G_GUINT64_CONSTANT (8000000000)

/* The durations are the arguments: each measured function advances the fake
 * clock while it is measured. */

static G_GNUC_NO_INLINE void
report_a (guint64 ns)
{
  HOTPATH_MEASURE ();
  hotpath_clock_fake_advance (ns);
}

static G_GNUC_NO_INLINE void
report_slow (guint64 ns)
{
  HOTPATH_MEASURE_AS ("report.slow");
  hotpath_clock_fake_advance (ns);
}

static G_GNUC_NO_INLINE void
report_tiny (guint64 ns)
{
  HOTPATH_MEASURE_AS ("report.tiny");
  hotpath_clock_fake_advance (ns);
}

static G_GNUC_NO_INLINE void
report_cut (guint64 ns)
{
  HOTPATH_MEASURE_AS ("report.cut");
  hotpath_clock_fake_advance (ns);
}

typedef struct
{
  HotpathSnapshot *snapshot;
  guint64          a_end_ns[3];   /* since the session started */
  guint64          tid;
} Fixture;

static GArray *
make_percentiles (void)
{
  const double values[] = { 0, 50, 99.9, 100 };
  GArray *percentiles = g_array_new (FALSE, FALSE, sizeof (double));

  g_array_append_vals (percentiles, values, G_N_ELEMENTS (values));
  return percentiles;
}

static guint64
session_now (void)
{
  return hotpath_clock_now_ns () - FAKE_START_NS;
}

/* A: 1, 2 and 3 µs; block: 1.5 ms; slow: 2 × 2 s; tiny: 999 ns; cut: 5 ns,
 * in a session of exactly 8 s. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GArray) percentiles = make_percentiles ();

  hotpath_clock_use_fake (FAKE_START_NS);
  g_assert_true (hotpath_collector_start (50));
  /* Starting the collector initialises the clock; the fake one stays. */
  g_assert_cmpint (hotpath_clock_get_source (), ==, HOTPATH_CLOCK_SOURCE_FAKE);

  for (guint i = 0; i < 3; i++)
    {
      hotpath_clock_fake_advance (100);
      report_a ((i + 1) * 1000);
      fixture->a_end_ns[i] = session_now ();
    }

  HOTPATH_MEASURE_BLOCK ("report.block")
    {
      hotpath_clock_fake_advance (1500000);
    }

  report_slow (2000000000);
  hotpath_clock_fake_advance (12345);
  report_slow (2000000000);
  report_tiny (999);
  report_cut (5);

  g_assert_cmpuint (session_now (), <, ELAPSED_NS);
  hotpath_clock_fake_advance (ELAPSED_NS - session_now ());

  fixture->tid = (guint64) syscall (SYS_gettid);
  fixture->snapshot = hotpath_collector_snapshot ("report-test", percentiles, 4);
  hotpath_collector_stop ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->snapshot, hotpath_snapshot_unref);
  hotpath_clock_use_real ();
}

static HotpathFunctionStats *
find_function (HotpathSnapshot *snapshot,
               const char      *name)
{
  for (guint i = 0; i < hotpath_snapshot_get_n_functions (snapshot); i++)
    {
      HotpathFunctionStats *stats = hotpath_snapshot_get_function (snapshot, i);

      if (g_strcmp0 (hotpath_function_stats_get_name (stats), name) == 0)
        return stats;
    }

  return NULL;
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);

  return json_parser_steal_root (parser);
}

static char *
to_string (JsonNode *node,
           gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);

  return json_generator_to_data (generator, NULL);
}

/* Table ------------------------------------------------------------------ */

static const char expected_table[] =
  "[hotpath] report-test: 8.00 s elapsed, 5 measured functions\n"
  "+-----------------------+-------+---------+---------+---------+---------+---------+---------+---------+\n"
  "| Function              | Calls |     Avg |     Min |     P50 |   P99.9 |     Max |   Total | % Total |\n"
  "+-----------------------+-------+---------+---------+---------+---------+---------+---------+---------+\n"
  "| report.slow           |     2 |  2.00 s |  2.00 s |  2.00 s |  2.00 s |  2.00 s |  4.00 s |  50.00% |\n"
  "| report.block          |     1 | 1.50 ms | 1.50 ms | 1.50 ms | 1.50 ms | 1.50 ms | 1.50 ms |   0.02% |\n"
  "| test-report::report_a |     3 | 2.00 µs | 1.00 µs | 2.00 µs | 3.00 µs | 3.00 µs | 6.00 µs |   0.00% |\n"
  "| report.tiny           |     1 |  999 ns |  999 ns |  999 ns |  999 ns |  999 ns |  999 ns |   0.00% |\n"
  "+-----------------------+-------+---------+---------+---------+---------+---------+---------+---------+\n"
  "(4 of 5 functions shown; HOTPATH_LIMIT=0 shows all)\n";

static void
test_report_table (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *table = hotpath_snapshot_to_table (fixture->snapshot);
  g_autofree char *same = hotpath_test_section_table (fixture->snapshot, "functions_timing", 4);

  g_assert_cmpstr (table, ==, expected_table);
  g_assert_cmpstr (same, ==, expected_table);
}

static void
test_report_table_all (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char expected[] =
    "[hotpath] report-test: 8.00 s elapsed, 5 measured functions\n"
    "+-----------------------+-------+---------+---------+---------+---------+---------+---------+---------+\n"
    "| Function              | Calls |     Avg |     Min |     P50 |   P99.9 |     Max |   Total | % Total |\n"
    "+-----------------------+-------+---------+---------+---------+---------+---------+---------+---------+\n"
    "| report.slow           |     2 |  2.00 s |  2.00 s |  2.00 s |  2.00 s |  2.00 s |  4.00 s |  50.00% |\n"
    "| report.block          |     1 | 1.50 ms | 1.50 ms | 1.50 ms | 1.50 ms | 1.50 ms | 1.50 ms |   0.02% |\n"
    "| test-report::report_a |     3 | 2.00 µs | 1.00 µs | 2.00 µs | 3.00 µs | 3.00 µs | 6.00 µs |   0.00% |\n"
    "| report.tiny           |     1 |  999 ns |  999 ns |  999 ns |  999 ns |  999 ns |  999 ns |   0.00% |\n"
    "| report.cut            |     1 |    5 ns |    5 ns |    5 ns |    5 ns |    5 ns |    5 ns |   0.00% |\n"
    "+-----------------------+-------+---------+---------+---------+---------+---------+---------+---------+\n";
  g_autofree char *table = hotpath_test_section_table (fixture->snapshot, "functions_timing", 0);
  g_autofree char *exact = hotpath_test_section_table (fixture->snapshot, "functions_timing", 5);
  g_autofree char *one = hotpath_test_section_table (fixture->snapshot, "functions_timing", 1);

  g_assert_cmpstr (table, ==, expected);
  /* A limit of exactly the number of functions shows all, without a
   * footer. */
  g_assert_cmpstr (exact, ==, expected);

  /* The columns narrow to what is shown. */
  g_assert_cmpstr (one, ==,
    "[hotpath] report-test: 8.00 s elapsed, 5 measured functions\n"
    "+-------------+-------+--------+--------+--------+--------+--------+--------+---------+\n"
    "| Function    | Calls |    Avg |    Min |    P50 |  P99.9 |    Max |  Total | % Total |\n"
    "+-------------+-------+--------+--------+--------+--------+--------+--------+---------+\n"
    "| report.slow |     2 | 2.00 s | 2.00 s | 2.00 s | 2.00 s | 2.00 s | 4.00 s |  50.00% |\n"
    "+-------------+-------+--------+--------+--------+--------+--------+--------+---------+\n"
    "(1 of 5 functions shown; HOTPATH_LIMIT=0 shows all)\n");
}

static void
test_report_table_empty (void)
{
  g_autoptr(GArray) percentiles = make_percentiles ();
  g_autoptr(HotpathSnapshot) empty = NULL;
  g_autoptr(HotpathSnapshot) one = NULL;
  g_autofree char *empty_table = NULL;
  g_autofree char *one_table = NULL;
  g_autofree char *empty_json = NULL;

  hotpath_clock_use_fake (FAKE_START_NS);
  g_assert_true (hotpath_collector_start (50));
  hotpath_clock_fake_advance (1500);
  empty = hotpath_collector_snapshot ("empty", percentiles, 15);
  report_tiny (1234567);
  one = hotpath_collector_snapshot ("one", percentiles, 15);
  hotpath_collector_stop ();
  hotpath_clock_use_real ();

  empty_table = hotpath_snapshot_to_table (empty);
  g_assert_cmpstr (empty_table, ==,
                   "[hotpath] empty: 1.50 µs elapsed, 0 measured functions\n"
                   "(no measured function was called)\n");

  one_table = hotpath_snapshot_to_table (one);
  g_assert_cmpstr (one_table, ==,
    "[hotpath] one: 1.24 ms elapsed, 1 measured function\n"
    "+-------------+-------+---------+---------+---------+---------+---------+---------+---------+\n"
    "| Function    | Calls |     Avg |     Min |     P50 |   P99.9 |     Max |   Total | % Total |\n"
    "+-------------+-------+---------+---------+---------+---------+---------+---------+---------+\n"
    "| report.tiny |     1 | 1.23 ms | 1.23 ms | 1.23 ms | 1.23 ms | 1.23 ms | 1.23 ms |  99.88% |\n"
    "+-------------+-------+---------+---------+---------+---------+---------+---------+---------+\n");

  empty_json = hotpath_snapshot_to_json (empty, FALSE);
  hotpath_test_assert_valid_json (empty_json, NULL);
}

/* JSON ------------------------------------------------------------------- */

typedef struct
{
  const char *name;
  guint64     calls;
  guint64     total_ns;
  guint64     avg_ns;
  guint64     min_ns;
  guint64     p50_ns;
  guint64     p999_ns;
  guint64     max_ns;
} ExpectedRow;

static const ExpectedRow expected_rows[] = {
  { "report.slow", 2, 4000000000, 2000000000, 2000000000, 2000000000, 2000000000, 2000000000 },
  { "report.block", 1, 1500000, 1500000, 1500000, 1500000, 1500000, 1500000 },
  { "test-report::report_a", 3, 6000, 2000, 1000, 2000, 3000, 3000 },
  { "report.tiny", 1, 999, 999, 999, 999, 999, 999 },
  { "report.cut", 1, 5, 5, 5, 5, 5, 5 },
};

static void
assert_row (JsonObject        *row,
            HotpathSnapshot   *snapshot,
            const ExpectedRow *expected)
{
  HotpathFunctionStats *stats = find_function (snapshot, expected->name);
  JsonObject *percentiles = json_object_get_object_member (row, "percentiles_ns");
  g_autoptr(GList) keys = json_object_get_members (percentiles);

  g_assert_nonnull (stats);
  g_assert_cmpstr (json_object_get_string_member (row, "name"), ==, expected->name);
  g_assert_cmpint (json_object_get_int_member (row, "id"), ==, hotpath_function_stats_get_id (stats));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (row, "file"), "test-report.c"));
  g_assert_cmpint (json_object_get_int_member (row, "line"), ==, hotpath_function_stats_get_line (stats));
  g_assert_cmpint (json_object_get_int_member (row, "line"), >, 0);
  g_assert_cmpint (json_object_get_int_member (row, "calls"), ==, expected->calls);
  g_assert_cmpint (json_object_get_int_member (row, "total_ns"), ==, expected->total_ns);
  g_assert_cmpint (json_object_get_int_member (row, "avg_ns"), ==, expected->avg_ns);
  g_assert_cmpint (json_object_get_int_member (row, "min_ns"), ==, expected->min_ns);
  g_assert_cmpint (json_object_get_int_member (row, "max_ns"), ==, expected->max_ns);

  g_assert_cmpuint (g_list_length (keys), ==, 4);
  g_assert_cmpint (json_object_get_int_member (percentiles, "p0"), ==, expected->min_ns);
  g_assert_cmpint (json_object_get_int_member (percentiles, "p50"), ==, expected->p50_ns);
  g_assert_cmpint (json_object_get_int_member (percentiles, "p99.9"), ==, expected->p999_ns);
  g_assert_cmpint (json_object_get_int_member (percentiles, "p100"), ==, expected->max_ns);

  /* The same expression as the library, so the same double. */
  g_assert_cmpfloat (json_object_get_double_member (row, "percent_total"),
                     ==, 100.0 * (double) expected->total_ns / (double) ELAPSED_NS);

  /* And the accessors agree with the JSON. */
  g_assert_cmpuint (hotpath_function_stats_get_percentile_ns (stats, 50), ==, expected->p50_ns);
  g_assert_cmpuint (hotpath_function_stats_get_percentile_ns (stats, 99.9), ==, expected->p999_ns);
}

static void
test_report_json (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *json = hotpath_snapshot_to_json (fixture->snapshot, FALSE);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object, *clock, *timing;
  JsonArray *percentiles, *rows;

  hotpath_test_assert_valid_json (json, NULL);
  g_assert_null (strchr (json, '\n'));

  root = parse (json);
  object = json_node_get_object (root);
  g_assert_cmpuint (json_object_get_size (object), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "hotpath_report");
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, HOTPATH_REPORT_VERSION);
  g_assert_cmpstr (json_object_get_string_member (object, "program"), ==, "report-test");
  g_assert_cmpint (json_object_get_int_member (object, "pid"), ==, getpid ());
  g_assert_cmpint (json_object_get_int_member (object, "elapsed_ns"), ==, ELAPSED_NS);

  clock = json_object_get_object_member (object, "clock");
  g_assert_cmpstr (json_object_get_string_member (clock, "source"), ==, "fake");
  g_assert_cmpfloat (json_object_get_double_member (clock, "ticks_per_second"), ==, 1e9);

  timing = json_object_get_object_member (json_object_get_object_member (object, "sections"),
                                          "functions_timing");
  percentiles = json_object_get_array_member (timing, "percentiles");
  g_assert_cmpuint (json_array_get_length (percentiles), ==, 4);
  g_assert_cmpfloat (json_array_get_double_element (percentiles, 0), ==, 0);
  g_assert_cmpfloat (json_array_get_double_element (percentiles, 1), ==, 50);
  g_assert_cmpfloat (json_array_get_double_element (percentiles, 2), ==, 99.9);
  g_assert_cmpfloat (json_array_get_double_element (percentiles, 3), ==, 100);
  g_assert_cmpint (json_object_get_int_member (timing, "total_count"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (timing, "limit"), ==, 4);

  /* The limit applies: the same four rows as the table, in its order. */
  rows = json_object_get_array_member (timing, "data");
  g_assert_cmpuint (json_array_get_length (rows), ==, 4);
  for (guint i = 0; i < 4; i++)
    assert_row (json_array_get_object_element (rows, i), fixture->snapshot, &expected_rows[i]);
}

static void
test_report_json_pretty (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *json = hotpath_snapshot_to_json (fixture->snapshot, FALSE);
  g_autofree char *pretty = hotpath_snapshot_to_json (fixture->snapshot, TRUE);
  g_autoptr(JsonNode) root = parse (json);
  g_autoptr(JsonNode) pretty_root = parse (pretty);

  hotpath_test_assert_valid_json (pretty, NULL);

  /* Indented with two spaces, one member per line... */
  g_assert_true (g_str_has_prefix (pretty, "{\n  \"type\" : \"hotpath_report\",\n  \"version\" : 1,\n"));
  g_assert_nonnull (strstr (pretty, "\n          \"name\" : \"report.slow\",\n"));
  g_assert_cmpuint (strlen (pretty), >, strlen (json));
  /* ...and otherwise the same document. */
  g_assert_true (json_node_equal (root, pretty_root));
}

static void
test_report_json_all (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) node = hotpath_test_section_json (fixture->snapshot, "functions_timing", 0);
  g_autofree char *json = to_string (node, FALSE);
  g_autoptr(GError) error = NULL;
  JsonObject *timing = json_node_get_object (node);
  JsonArray *rows = json_object_get_array_member (timing, "data");

  hotpath_test_assert_valid_json (json, "functions_timing");
  /* Not a whole report. */
  g_assert_false (hotpath_test_schema_validate_string (json, HOTPATH_SCHEMA_PATH, NULL, &error));
  g_assert_error (error, HOTPATH_TEST_SCHEMA_ERROR, HOTPATH_TEST_SCHEMA_ERROR_INVALID);

  g_assert_cmpint (json_object_get_int_member (timing, "total_count"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (timing, "limit"), ==, 0);
  g_assert_cmpuint (json_array_get_length (rows), ==, G_N_ELEMENTS (expected_rows));
  for (guint i = 0; i < G_N_ELEMENTS (expected_rows); i++)
    assert_row (json_array_get_object_element (rows, i), fixture->snapshot, &expected_rows[i]);
}

static void
test_report_json_function_logs (Fixture       *fixture,
                                gconstpointer  data)
{
  HotpathFunctionStats *stats = find_function (fixture->snapshot, "test-report::report_a");
  guint id = hotpath_function_stats_get_id (stats);
  g_autoptr(JsonNode) node = hotpath_test_item_json (fixture->snapshot, "functions_timing", id);
  g_autoptr(JsonNode) missing = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonArray *logs;

  g_assert_nonnull (node);
  json = to_string (node, FALSE);
  hotpath_test_assert_valid_json (json, "function_logs");

  root = parse (json);
  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (object, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "test-report::report_a");

  /* Newest first: the 3 µs call, then 2 µs, then 1 µs. */
  logs = json_object_get_array_member (object, "logs");
  g_assert_cmpuint (json_array_get_length (logs), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *log = json_array_get_object_element (logs, i);

      g_assert_cmpuint (json_object_get_size (log), ==, 4);
      g_assert_cmpint (json_object_get_int_member (log, "index"), ==, i);
      g_assert_cmpint (json_object_get_int_member (log, "duration_ns"), ==, (3 - i) * 1000);
      g_assert_cmpint (json_object_get_int_member (log, "end_ns"), ==, fixture->a_end_ns[2 - i]);
      g_assert_cmpint (json_object_get_int_member (log, "thread_id"), ==, fixture->tid);
    }
  g_assert_cmpint (fixture->a_end_ns[0], ==, 100 + 1000);
  g_assert_cmpint (fixture->a_end_ns[2], ==, 3 * 100 + 6000);

  /* The block's logs too, and none for an id nobody has. */
  stats = find_function (fixture->snapshot, "report.block");
  g_clear_pointer (&node, json_node_unref);
  g_clear_pointer (&json, g_free);
  node = hotpath_test_item_json (fixture->snapshot, "functions_timing", hotpath_function_stats_get_id (stats));
  json = to_string (node, FALSE);
  hotpath_test_assert_valid_json (json, "function_logs");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node), "logs")),
                    ==, 1);

  missing = hotpath_test_item_json (fixture->snapshot, "functions_timing", G_MAXUINT);
  g_assert_null (missing);
}

/* Format helpers ------------------------------------------------------------ */

static void
assert_formatted (char       *text,
                  const char *expected)
{
  g_assert_cmpstr (text, ==, expected);
  g_free (text);
}

static void
test_report_format_duration (void)
{
  assert_formatted (hotpath_format_duration (0), "0 ns");
  assert_formatted (hotpath_format_duration (1), "1 ns");
  assert_formatted (hotpath_format_duration (999), "999 ns");
  assert_formatted (hotpath_format_duration (1000), "1.00 µs");
  assert_formatted (hotpath_format_duration (1234), "1.23 µs");
  assert_formatted (hotpath_format_duration (12345), "12.35 µs");
  assert_formatted (hotpath_format_duration (999990), "999.99 µs");
  /* Rounded up to the next unit, not "1000.00 µs". */
  assert_formatted (hotpath_format_duration (999999), "1.00 ms");
  assert_formatted (hotpath_format_duration (1000000), "1.00 ms");
  assert_formatted (hotpath_format_duration (1500000), "1.50 ms");
  assert_formatted (hotpath_format_duration (999990000), "999.99 ms");
  assert_formatted (hotpath_format_duration (999999999), "1.00 s");
  assert_formatted (hotpath_format_duration (1000000000), "1.00 s");
  assert_formatted (hotpath_format_duration (G_GUINT64_CONSTANT (3600000000000)), "3600.00 s");
  assert_formatted (hotpath_format_duration (G_MAXUINT64), "18446744073.71 s");
}

static void
test_report_format_bytes (void)
{
  assert_formatted (hotpath_format_bytes (0), "0 B");
  assert_formatted (hotpath_format_bytes (1023), "1023 B");
  assert_formatted (hotpath_format_bytes (1024), "1.00 KiB");
  assert_formatted (hotpath_format_bytes (1536), "1.50 KiB");
  assert_formatted (hotpath_format_bytes (1048570), "1023.99 KiB");
  assert_formatted (hotpath_format_bytes (1048575), "1.00 MiB");
  assert_formatted (hotpath_format_bytes (1048576), "1.00 MiB");
  assert_formatted (hotpath_format_bytes (3 * 1048576 + 262144), "3.25 MiB");
  assert_formatted (hotpath_format_bytes (1073741823), "1.00 GiB");
  assert_formatted (hotpath_format_bytes (1073741824), "1.00 GiB");
  assert_formatted (hotpath_format_bytes (G_GUINT64_CONSTANT (1099511627776)), "1024.00 GiB");
}

static void
test_report_format_percentiles (void)
{
  assert_formatted (hotpath_format_percentile_key (0), "p0");
  assert_formatted (hotpath_format_percentile_key (0.1), "p0.1");
  assert_formatted (hotpath_format_percentile_key (50), "p50");
  assert_formatted (hotpath_format_percentile_key (95), "p95");
  assert_formatted (hotpath_format_percentile_key (99.9), "p99.9");
  assert_formatted (hotpath_format_percentile_key (99.99), "p99.99");
  assert_formatted (hotpath_format_percentile_key (100), "p100");

  assert_formatted (hotpath_format_percentile_title (0), "Min");
  assert_formatted (hotpath_format_percentile_title (0.1), "P0.1");
  assert_formatted (hotpath_format_percentile_title (50), "P50");
  assert_formatted (hotpath_format_percentile_title (99.9), "P99.9");
  assert_formatted (hotpath_format_percentile_title (100), "Max");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_FIXTURE_TEST(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

  ADD_FIXTURE_TEST ("/Hotpath/Report/table", test_report_table);
  ADD_FIXTURE_TEST ("/Hotpath/Report/table-all", test_report_table_all);
  g_test_add_func ("/Hotpath/Report/table-empty", test_report_table_empty);
  ADD_FIXTURE_TEST ("/Hotpath/Report/json", test_report_json);
  ADD_FIXTURE_TEST ("/Hotpath/Report/json-pretty", test_report_json_pretty);
  ADD_FIXTURE_TEST ("/Hotpath/Report/json-all", test_report_json_all);
  ADD_FIXTURE_TEST ("/Hotpath/Report/json-function-logs", test_report_json_function_logs);
  g_test_add_func ("/Hotpath/Report/format-duration", test_report_format_duration);
  g_test_add_func ("/Hotpath/Report/format-bytes", test_report_format_bytes);
  g_test_add_func ("/Hotpath/Report/format-percentiles", test_report_format_percentiles);

#undef ADD_FIXTURE_TEST

  return g_test_run ();
}
