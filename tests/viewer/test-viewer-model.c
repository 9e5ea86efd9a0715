/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-viewer-model.c: formatting, rows, section and rank models of the viewer. */

#include "config.h"

#include <locale.h>
#include <math.h>

#include "viewer-format.h"
#include "viewer-rank-model.h"
#include "viewer-row.h"
#include "viewer-section-model.h"

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static void
assert_format (char       *text,
               const char *expected)
{
  g_assert_cmpstr (text, ==, expected);
  g_free (text);
}

static void
test_format_units (void)
{
  assert_format (viewer_format_duration (0), "0 ns");
  assert_format (viewer_format_duration (999), "999 ns");
  assert_format (viewer_format_duration (1500), "1.50 µs");
  assert_format (viewer_format_duration (2083388), "2.08 ms");
  assert_format (viewer_format_duration (3.5e9), "3.50 s");
  assert_format (viewer_format_duration (NAN), "—");
  assert_format (viewer_format_size (512), "512 B");
  assert_format (viewer_format_size (2048), "2.0 KiB");
  assert_format (viewer_format_size (3 * 1024 * 1024), "3.0 MiB");
  assert_format (viewer_format_count (0), "0");
  assert_format (viewer_format_count (999), "999");
  assert_format (viewer_format_count (4801), "4\u2009801");
  assert_format (viewer_format_count (1234567), "1\u2009234\u2009567");
  assert_format (viewer_format_rate (2.5), "2.5/s");
  assert_format (viewer_format_rate (2000), "2000/s");
  assert_format (viewer_format_rate (25000), "25.0k/s");
  assert_format (viewer_format_percent (91.505), "91.5 %");
  assert_format (viewer_format_uptime (42), "42 s");
  assert_format (viewer_format_uptime (125), "2 min 05 s");
  assert_format (viewer_format_uptime (7260), "2 h 01 min");
}

static void
test_format_by_member (void)
{
  assert_format (viewer_format_value ("avg_ns", 1500), "1.50 µs");
  assert_format (viewer_format_value ("p99.9", 1500), "1.50 µs");
  assert_format (viewer_format_value ("bytes", 2048), "2.0 KiB");
  assert_format (viewer_format_value ("percent_total", 8.26), "8.3 %");
  assert_format (viewer_format_value ("calls", 96), "96");
  assert_format (viewer_format_column_title ("avg_ns"), "Average");
  assert_format (viewer_format_column_title ("p95"), "p95");
  assert_format (viewer_format_column_title ("queue_wait_ns"), "Queue wait");
  assert_format (viewer_format_value ("lag_ns.p99.9", 2500000), "2.50 ms");
  assert_format (viewer_format_value ("peak_bytes.max", 3072), "3.0 KiB");
  assert_format (viewer_format_value ("count.p50", 2), "2");
  assert_format (viewer_format_column_title ("iteration_busy_ns.p99.9"), "Iteration p99.9");
  g_assert_cmpstr (viewer_member_leaf ("latency_ns.p99.9"), ==, "p99.9");
  g_assert_cmpstr (viewer_member_leaf ("p99.9"), ==, "p99.9");
}

static void
test_axis_step (void)
{
  g_assert_cmpfloat (viewer_axis_step (10, 5), ==, 2);
  g_assert_cmpfloat (viewer_axis_step (100, 4), ==, 50);
  g_assert_cmpfloat (viewer_axis_step (7e6, 5), ==, 2e6);
  g_assert_cmpfloat (viewer_axis_step (0, 5), ==, 1);
}

#define TIMING(calls_a, calls_b) \
  "{\"percentiles\":[50.0,95.0,99.9],\"total_count\":2,\"limit\":0,\"data\":[" \
  "{\"id\":2,\"name\":\"live::render\",\"file\":\"live.c\",\"line\":33,\"calls\":" #calls_a "," \
  "\"total_ns\":2000,\"avg_ns\":467881,\"min_ns\":225034,\"max_ns\":26073592," \
  "\"percentiles_ns\":{\"p50\":438411,\"p95\":575673,\"p99.9\":1146613},\"percent_total\":91.5}," \
  "{\"id\":3,\"name\":\"live::save\",\"file\":\"live.c\",\"line\":41,\"calls\":" #calls_b "," \
  "\"total_ns\":1000,\"avg_ns\":2113293,\"min_ns\":2044515,\"max_ns\":4417859," \
  "\"percentiles_ns\":{\"p50\":2083388,\"p95\":2125987,\"p99.9\":4417859},\"percent_total\":8.26}]}"

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *count)
{
  (*count)++;
}

static void
count_signal (guint *count)
{
  (*count)++;
}

static void
test_timing_section (void)
{
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("functions_timing");
  g_autoptr(JsonNode) first = parse (TIMING (100, 10));
  g_autoptr(JsonNode) second = parse (TIMING (300, 10));
  g_autoptr(GError) error = NULL;
  g_autoptr(ViewerRow) render = NULL;
  g_autofree char *avg = NULL;
  const char * const *columns;
  const ViewerSample *samples;
  guint changes = 0, values_changes = 0, n;

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &changes);
  g_signal_connect_swapped (model, "values-changed", G_CALLBACK (count_signal), &values_changes);

  g_assert_true (viewer_section_model_update (model, first, 1000000, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpstr (viewer_section_model_get_title (model), ==, "Timing");

  /* Percentile columns come from the data, with the library's keys. */
  columns = viewer_section_model_get_columns (model);
  g_assert_cmpstr (columns[0], ==, "name");
  g_assert_true (g_strv_contains (columns, "calls"));
  g_assert_true (g_strv_contains (columns, "rate"));
  g_assert_true (g_strv_contains (columns, "p50"));
  g_assert_true (g_strv_contains (columns, "p99.9"));
  g_assert_cmpstr (viewer_section_model_get_percentiles (model)[2], ==, "p99.9");
  g_assert_cmpstr (viewer_section_model_get_rate_member (model), ==, "calls");

  render = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpstr (viewer_row_get_name (render), ==, "live::render");
  g_assert_cmpint (viewer_row_get_id (render), ==, 2);
  g_assert_cmpfloat (viewer_row_get_number (render, "calls"), ==, 100);
  g_assert_cmpfloat (viewer_row_get_number (render, "p95"), ==, 575673);
  avg = viewer_row_format (render, "avg_ns");
  g_assert_cmpstr (avg, ==, "467.88 µs");
  g_assert_true (isnan (viewer_row_get_rate (render)));

  /* Half a second later: same row object, a rate, a sample with the percentiles. */
  g_assert_true (viewer_section_model_update (model, second, 1500000, &error));
  g_assert_true (viewer_section_model_lookup (model, 2) == render);
  g_assert_cmpfloat_with_epsilon (viewer_row_get_rate (render), 400.0, 1e-9);
  /* Same rows: no items-changed, one values-changed. */
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (values_changes, ==, 1);
  samples = viewer_row_get_samples (render, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpfloat (samples[0].values[0], ==, 438411);
  g_assert_cmpfloat (samples[0].values[2], ==, 1146613);

  /* Sorting by a member, numbers and names. */
  {
    g_autoptr(ViewerRow) save = g_list_model_get_item (G_LIST_MODEL (model), 1);
    g_assert_cmpint (viewer_row_compare (render, save, "calls"), >, 0);
    g_assert_cmpint (viewer_row_compare (render, save, "avg_ns"), <, 0);
    g_assert_cmpint (viewer_row_compare (render, save, "name"), <, 0);
  }
}

/* measure-all rows have self time; HOTPATH_MEASURE rows do not. */
static void
test_timing_self (void)
{
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("functions_timing");
  g_autoptr(JsonNode) node = parse (
    "{\"percentiles\":[95.0],\"total_count\":2,\"limit\":0,\"data\":["
    "{\"id\":1,\"name\":\"libjson-glib-1.0.so::json_parser_load\",\"file\":null,\"line\":0,"
    "\"calls\":4,\"total_ns\":3000000,\"self_ns\":1500,\"avg_ns\":750000,\"min_ns\":700000,"
    "\"max_ns\":800000,\"percentiles_ns\":{\"p95\":800000},\"percent_total\":60.0},"
    "{\"id\":2,\"name\":\"app::save\",\"file\":\"app.c\",\"line\":9,\"calls\":1,"
    "\"total_ns\":1000,\"avg_ns\":1000,\"min_ns\":1000,\"max_ns\":1000,"
    "\"percentiles_ns\":{\"p95\":1000},\"percent_total\":0.02}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(ViewerRow) parse_row = NULL;
  g_autoptr(ViewerRow) save_row = NULL;
  g_autofree char *self_text = NULL;
  const char * const *columns;

  g_assert_true (viewer_section_model_update (model, node, 1000000, &error));
  g_assert_no_error (error);

  columns = viewer_section_model_get_columns (model);
  g_assert_true (g_strv_contains (columns, "self_ns"));
  assert_format (viewer_format_column_title ("self_ns"), "Self");

  parse_row = g_list_model_get_item (G_LIST_MODEL (model), 0);
  save_row = g_list_model_get_item (G_LIST_MODEL (model), 1);
  g_assert_cmpstr (viewer_row_get_name (parse_row), ==, "libjson-glib-1.0.so::json_parser_load");
  g_assert_cmpfloat (viewer_row_get_number (parse_row, "self_ns"), ==, 1500);
  self_text = viewer_row_format (parse_row, "self_ns");
  g_assert_cmpstr (self_text, ==, "1.50 µs");
  /* A row without self time sorts below one with it. */
  g_assert_cmpint (viewer_row_compare (parse_row, save_row, "self_ns"), >, 0);
}

static void
test_window (void)
{
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("functions_timing");
  g_autoptr(ViewerRow) row = NULL;
  const ViewerSample *samples;
  guint n;

  viewer_section_model_set_window (model, 10 * G_USEC_PER_SEC);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"data\":[{\"id\":1,\"name\":\"f\",\"calls\":%u}]}", i * 10);
      g_autoptr(JsonNode) node = parse (json);

      g_assert_true (viewer_section_model_update (model, node, i * G_USEC_PER_SEC, NULL));
    }

  row = g_list_model_get_item (G_LIST_MODEL (model), 0);
  samples = viewer_row_get_samples (row, &n);
  /* 10 s of history plus the point that enters from the left edge. */
  g_assert_cmpuint (n, ==, 12);
  g_assert_cmpint (samples[n - 1].time_us, ==, 99 * G_USEC_PER_SEC);
  g_assert_cmpfloat_with_epsilon (samples[n - 1].rate, 10.0, 1e-9);
}

/* A live refresh is applied in idle time, a slice at a time; one that
 * comes meanwhile waits its turn, and all of it arrives, in order. */
static void
test_queued_update (void)
{
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("functions_timing");
  g_autoptr(GString) first = g_string_new ("{\"data\":[");
  g_autoptr(GString) second = g_string_new ("{\"data\":[");
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) b = NULL;
  g_autoptr(ViewerRow) last = NULL;
  guint items_changes = 0;

  for (guint i = 0; i < 3000; i++)
    {
      g_string_append_printf (first, "%s{\"id\":%u,\"name\":\"f%u\",\"calls\":1}", i ? "," : "", i, i);
      g_string_append_printf (second, "%s{\"id\":%u,\"name\":\"f%u\",\"calls\":3}", i ? "," : "", i, i);
    }
  g_string_append (first, "]}");
  g_string_append (second, "]}");
  a = parse (first->str);
  b = parse (second->str);
  g_signal_connect_swapped (model, "items-changed", G_CALLBACK (count_signal), &items_changes);

  g_assert_true (viewer_section_model_queue_update (model, a, G_USEC_PER_SEC, NULL));
  g_assert_true (viewer_section_model_queue_update (model, b, 2 * G_USEC_PER_SEC, NULL));
  g_assert_true (viewer_section_model_is_applying (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);

  while (viewer_section_model_is_applying (model))
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (items_changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3000);
  last = g_list_model_get_item (G_LIST_MODEL (model), 2999);
  g_assert_cmpstr (viewer_row_get_name (last), ==, "f2999");
  g_assert_cmpfloat (viewer_row_get_number (last, "calls"), ==, 3);
  /* The rate from both refreshes: 2 calls in 1 s. */
  g_assert_cmpfloat_with_epsilon (viewer_row_get_rate (last), 2.0, 1e-9);
}

/* A section the viewer has no shape for shows its rows' scalar members. */
static void
test_rows_come_and_go (void)
{
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("sprites");
  g_autoptr(JsonNode) a = parse ("{\"data\":[{\"id\":1,\"name\":\"q1\",\"sent\":5,\"bytes\":10,\"extra\":{}},"
                                  "{\"id\":2,\"name\":\"q2\",\"sent\":1,\"bytes\":1}]}");
  g_autoptr(JsonNode) b = parse ("{\"data\":[{\"id\":2,\"name\":\"q2\",\"sent\":2,\"bytes\":1}]}");
  const char * const *columns;
  g_autoptr(ViewerRow) q2 = NULL;

  g_assert_true (viewer_section_model_update (model, a, 0, NULL));
  q2 = g_object_ref (viewer_section_model_lookup (model, 2));
  columns = viewer_section_model_get_columns (model);
  /* Open sections: name, rate of the counting member, then scalars in order. */
  g_assert_cmpstr (columns[0], ==, "name");
  g_assert_cmpstr (columns[1], ==, "rate");
  g_assert_cmpstr (columns[2], ==, "sent");
  g_assert_cmpstr (columns[3], ==, "bytes");
  g_assert_null (columns[4]);
  g_assert_cmpstr (viewer_section_model_get_title (model), ==, "sprites");   /* no title: its name */
  g_assert_null (viewer_section_model_get_level_member (model));

  g_assert_true (viewer_section_model_update (model, b, G_USEC_PER_SEC, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_null (viewer_section_model_lookup (model, 1));
  g_assert_true (viewer_section_model_lookup (model, 2) == q2);
}

/* Rows as the library serves them (examples/dataflow), one per section. */
#define CHANNELS(queued, sent) \
  "{\"total_count\":1,\"limit\":100,\"data\":[{\"id\":2,\"name\":\"jobs\",\"type\":\"async_queue\"," \
  "\"state\":\"open\",\"file\":\"dataflow.c\",\"line\":240,\"sent\":" #sent ",\"received\":1990," \
  "\"queued\":" #queued ",\"max_queued\":100,\"latency_ns\":{\"count\":1990,\"total_ns\":138265173," \
  "\"avg_ns\":69133,\"min_ns\":591,\"max_ns\":340717,\"percentiles_ns\":{\"p50\":57039,\"p95\":142271," \
  "\"p99.9\":337279}},\"logs\":[]}]}"

static void
test_channels_shape (void)
{
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("channels");
  g_autoptr(JsonNode) first = parse (CHANNELS (10, 2000));
  g_autoptr(JsonNode) second = parse (CHANNELS (40, 2500));
  g_autofree char *latency = NULL;
  g_autofree char *title = NULL;
  g_autofree char *max_title = NULL;
  const char * const *columns;
  const ViewerSample *samples;
  ViewerRow *jobs;
  guint n;

  g_assert_true (viewer_section_model_update (model, first, G_USEC_PER_SEC, NULL));
  g_assert_true (viewer_section_model_update (model, second, 2 * G_USEC_PER_SEC, NULL));
  columns = viewer_section_model_get_columns (model);
  g_assert_cmpstr (columns[0], ==, "name");
  g_assert_cmpstr (columns[1], ==, "rate");
  g_assert_true (g_strv_contains (columns, "queued"));
  g_assert_true (g_strv_contains (columns, "latency_ns.p99.9"));
  g_assert_cmpstr (viewer_section_model_get_rate_member (model), ==, "sent");
  g_assert_cmpstr (viewer_section_model_get_level_member (model), ==, "queued");
  g_assert_cmpstr (viewer_section_model_get_summary_member (model), ==, "latency_ns");
  g_assert_cmpstr (viewer_section_model_get_percentiles (model)[0], ==, "latency_ns.p50");
  g_assert_cmpstr (viewer_section_model_get_percentiles (model)[2], ==, "latency_ns.p99.9");
  g_assert_null (viewer_section_model_get_percentiles (model)[3]);

  /* Nested members read, formatted and titled by their path. */
  jobs = viewer_section_model_lookup (model, 2);
  g_assert_cmpfloat (viewer_row_get_number (jobs, "latency_ns.p99.9"), ==, 337279);
  g_assert_cmpfloat (viewer_row_get_number (jobs, "latency_ns.max_ns"), ==, 340717);
  g_assert_true (isnan (viewer_row_get_number (jobs, "latency_ns.nope")));
  latency = viewer_row_format (jobs, "latency_ns.p95");
  g_assert_cmpstr (latency, ==, "142.27 µs");
  title = viewer_format_column_title ("latency_ns.p95");
  g_assert_cmpstr (title, ==, "Latency p95");
  max_title = viewer_format_column_title ("latency_ns.max_ns");
  g_assert_cmpstr (max_title, ==, "Latency max");

  /* Each sample has the queue's length, the send rate, the latencies. */
  samples = viewer_row_get_samples (jobs, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpfloat (samples[0].level, ==, 40);
  g_assert_cmpfloat_with_epsilon (samples[0].rate, 500.0, 1e-9);
  g_assert_cmpfloat (samples[0].values[1], ==, 142271);
}

static void
test_main_loop_shape (void)
{
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("main_loop");
  g_autoptr(JsonNode) data = parse ("{\"data\":[{\"id\":1,\"name\":\"main\",\"state\":\"watching\",\"iterations\":124,"
                                    "\"busy_ns\":216921998,\"wait_ns\":581087753,\"busy_percent\":27.18,"
                                    "\"stall_threshold_ns\":16000000,\"stalls\":4,\"stall_ns\":122780791,"
                                    "\"iteration_busy_ns\":{\"count\":124,\"total_ns\":216921998,\"avg_ns\":1749371,"
                                    "\"min_ns\":190,\"max_ns\":30716895,\"percentiles_ns\":{\"p50\":10347,\"p99\":30711807}},"
                                    "\"lag_ns\":{\"count\":7,\"total_ns\":31988000,\"avg_ns\":4569714,\"min_ns\":414000,"
                                    "\"max_ns\":27203000,\"percentiles_ns\":{\"p50\":707839,\"p99\":27203000}},"
                                    "\"longest_dispatches\":[],\"logs\":[]}]}");
  g_autofree char *busy = NULL;
  g_autofree char *lag = NULL;
  ViewerRow *main_row;
  guint n;

  g_assert_true (viewer_section_model_update (model, data, G_USEC_PER_SEC, NULL));
  g_assert_cmpstr (viewer_section_model_get_level_member (model), ==, "busy_percent");
  g_assert_cmpstr (viewer_section_model_get_rate_member (model), ==, "iterations");
  g_assert_true (g_strv_contains (viewer_section_model_get_columns (model), "iteration_busy_ns.p99"));
  g_assert_true (g_strv_contains (viewer_section_model_get_columns (model), "lag_ns.max_ns"));
  main_row = viewer_section_model_lookup (model, 1);
  busy = viewer_row_format (main_row, "busy_percent");
  g_assert_cmpstr (busy, ==, "27.2 %");
  lag = viewer_row_format (main_row, "lag_ns.max_ns");
  g_assert_cmpstr (lag, ==, "27.20 ms");
  /* The level is recorded from the first refresh; a rate needs two. */
  viewer_row_get_samples (main_row, &n);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpfloat (viewer_row_get_number (main_row, "busy_percent"), ==, 27.18);
}

/* Allocation metrics keep their percentiles in "percentiles", in bytes. */
static void
test_alloc_shape (void)
{
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("functions_alloc");
  g_autoptr(JsonNode) data = parse ("{\"percentiles\":[50,99],\"data\":[{\"id\":3,\"name\":\"f\",\"calls\":10,"
                                    "\"bytes\":{\"total\":20480,\"avg\":2048,\"min\":0,\"max\":4096,"
                                    "\"percentiles\":{\"p50\":2048,\"p99\":4096},\"percent_total\":50},"
                                    "\"count\":{\"total\":20,\"avg\":2,\"min\":0,\"max\":4,"
                                    "\"percentiles\":{\"p50\":2,\"p99\":4},\"percent_total\":50}}]}");
  g_autofree char *p99 = NULL;
  g_autofree char *total = NULL;
  g_autofree char *count = NULL;
  ViewerRow *row;

  g_assert_true (viewer_section_model_update (model, data, G_USEC_PER_SEC, NULL));
  g_assert_cmpstr (viewer_section_model_get_percentiles (model)[1], ==, "bytes.p99");
  row = viewer_section_model_lookup (model, 3);
  p99 = viewer_row_format (row, "bytes.p99");
  g_assert_cmpstr (p99, ==, "4.0 KiB");
  total = viewer_row_format (row, "bytes.total");
  g_assert_cmpstr (total, ==, "20.0 KiB");
  count = viewer_row_format (row, "count.total");
  g_assert_cmpstr (count, ==, "20");
  g_assert_cmpstr (viewer_section_model_get_summary_member (model), ==, "bytes");
}

/* HOTPATH_ALLOC_METRIC=count: the section says so, and its percentiles
 * are the counts'. */
static void
test_alloc_metric (void)
{
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("functions_alloc");
  g_autoptr(JsonNode) data = parse ("{\"metric\":\"count\",\"percentiles\":[50,99],\"data\":[{\"id\":3,\"name\":\"f\","
                                    "\"calls\":10,\"count\":{\"total\":20,\"avg\":2,\"min\":0,\"max\":4,"
                                    "\"percentiles\":{\"p50\":2,\"p99\":4},\"percent_total\":50}}]}");

  g_assert_true (viewer_section_model_update (model, data, G_USEC_PER_SEC, NULL));
  g_assert_cmpstr (viewer_section_model_get_summary_member (model), ==, "count");
  g_assert_cmpstr (viewer_section_model_get_percentiles (model)[1], ==, "count.p99");
  g_assert_cmpfloat (viewer_row_get_number (viewer_section_model_lookup (model, 3), "count.p99"), ==, 4);
}

static void
test_logs (void)
{
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("logs");
  g_autoptr(JsonNode) logs = parse ("{\"id\":3,\"name\":\"live::save\",\"logs\":["
                                     "{\"index\":0,\"duration_ns\":2072207,\"end_ns\":2557648624,\"thread_id\":13212},"
                                     "{\"index\":1,\"duration_ns\":2090904,\"end_ns\":2533756912,\"thread_id\":13212}]}");
  g_autoptr(ViewerRow) row = NULL;
  g_autofree char *duration = NULL;

  g_assert_true (viewer_section_model_update (model, logs, 0, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  row = g_list_model_get_item (G_LIST_MODEL (model), 0);
  duration = viewer_row_format (row, "duration_ns");
  g_assert_cmpstr (duration, ==, "2.07 ms");
}

static void
test_not_a_section (void)
{
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("functions_timing");
  g_autoptr(JsonNode) node = parse ("{\"error\":\"nope\"}");
  g_autoptr(GError) error = NULL;

  g_assert_false (viewer_section_model_update (model, node, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

/* ViewerRankModel: the table's places. */

/* A channels-like section: rows named @names with @values as "sent". */
static JsonNode *
section_of (const char * const *names,
            const int          *values,
            guint               n)
{
  g_autoptr(GString) json = g_string_new ("{\"data\":[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s{\"id\":%u,\"name\":\"%s\",\"sent\":%d}",
                            i ? "," : "", (guint) (names[i][0] - 'a'), names[i], values[i]);
  g_string_append (json, "]}");
  return parse (json->str);
}

static int
compare_sent_descending (gconstpointer a,
                         gconstpointer b,
                         gpointer      user_data)
{
  return viewer_row_compare ((ViewerRow *) b, (ViewerRow *) a, "sent");
}

/* The names at the places, in order, joined by spaces. */
static char *
places (ViewerRankModel *ranks)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (ranks)); i++)
    {
      g_autoptr(ViewerRank) rank = g_list_model_get_item (G_LIST_MODEL (ranks), i);

      g_assert_cmpuint (viewer_rank_get_position (rank), ==, i);
      g_assert_true (viewer_rank_model_get_row (ranks, i) == viewer_rank_get_row (rank));
      g_assert_cmpuint (viewer_rank_model_find (ranks, viewer_rank_get_row (rank)), ==, i);
      g_string_append_printf (text, "%s%s", i ? " " : "", viewer_row_get_name (viewer_rank_get_row (rank)));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
wait_for_rerank (ViewerRankModel *ranks,
                 guint            before)
{
  while (viewer_rank_model_get_n_reranks (ranks) == before)
    g_main_context_iteration (NULL, TRUE);
}

typedef struct
{
  guint position;
  guint removed;
  guint added;
  guint count;
} ItemsChanged;

static void
record_items_changed (GListModel   *model,
                      guint         position,
                      guint         removed,
                      guint         added,
                      ItemsChanged *record)
{
  record->position = position;
  record->removed = removed;
  record->added = added;
  record->count++;
}

static void
test_ranks_sorted (void)
{
  static const char *names[] = { "c", "a", "e", "b", "d" };
  static const int sent[] = { 3, 1, 5, 2, 4 };
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("channels");
  g_autoptr(JsonNode) data = section_of (names, sent, 5);
  g_autoptr(GtkSorter) sorter = GTK_SORTER (gtk_custom_sorter_new (compare_sent_descending, NULL, NULL));
  g_autoptr(ViewerRankModel) ranks = viewer_rank_model_new (model, sorter, NULL);
  g_autofree char *order = NULL;
  ItemsChanged record = { 0 };

  g_signal_connect (ranks, "items-changed", G_CALLBACK (record_items_changed), &record);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ranks)), ==, 0);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (ranks)) == VIEWER_TYPE_RANK);

  g_assert_true (viewer_section_model_update (model, data, 0, NULL));
  order = places (ranks);
  g_assert_cmpstr (order, ==, "e d c b a");
  /* The first rows are one items-changed, of all places. */
  g_assert_cmpuint (record.count, ==, 1);
  g_assert_cmpuint (record.position, ==, 0);
  g_assert_cmpuint (record.removed, ==, 0);
  g_assert_cmpuint (record.added, ==, 5);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (ranks), 5));
  g_assert_null (viewer_rank_model_get_row (ranks, 5));
}

static void
count_rank_changed (ViewerRank *rank,
                    guint      *counts)
{
  counts[viewer_rank_get_position (rank)]++;
}

/* New values re-sort the rows among the same places: no items-changed, and
 * ViewerRank::changed only where a place shows another row. */
static void
test_ranks_reorder_in_place (void)
{
  static const char *names[] = { "a", "b", "c", "d" };
  static const int before[] = { 40, 30, 20, 10 };
  static const int after[] = { 41, 10, 31, 5 };
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("channels");
  g_autoptr(JsonNode) first = section_of (names, before, 4);
  g_autoptr(JsonNode) second = section_of (names, after, 4);
  g_autoptr(GtkSorter) sorter = GTK_SORTER (gtk_custom_sorter_new (compare_sent_descending, NULL, NULL));
  g_autoptr(ViewerRankModel) ranks = NULL;
  g_autofree char *order = NULL;
  ViewerRank *kept[4];
  guint changed[4] = { 0 };
  ItemsChanged record = { 0 };
  guint n_reranks;

  g_assert_true (viewer_section_model_update (model, first, 0, NULL));
  ranks = viewer_rank_model_new (model, sorter, NULL);
  order = places (ranks);
  g_assert_cmpstr (order, ==, "a b c d");
  for (guint i = 0; i < 4; i++)
    {
      kept[i] = g_list_model_get_item (G_LIST_MODEL (ranks), i);
      g_signal_connect (kept[i], "changed", G_CALLBACK (count_rank_changed), changed);
    }
  g_signal_connect (ranks, "items-changed", G_CALLBACK (record_items_changed), &record);

  /* The model says values changed; the places follow in an idle. */
  n_reranks = viewer_rank_model_get_n_reranks (ranks);
  g_assert_true (viewer_section_model_update (model, second, G_USEC_PER_SEC, NULL));
  wait_for_rerank (ranks, n_reranks);
  viewer_section_model_flush (model);

  g_clear_pointer (&order, g_free);
  order = places (ranks);
  g_assert_cmpstr (order, ==, "a c b d");
  g_assert_cmpuint (record.count, ==, 0);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(ViewerRank) now = g_list_model_get_item (G_LIST_MODEL (ranks), i);
      g_assert_true (now == kept[i]);
    }
  /* Places 1 and 2 show other rows; every place's row has new values,
   * which its place forwards once. */
  g_assert_cmpuint (changed[0], ==, 1);
  g_assert_cmpuint (changed[1], ==, 2);
  g_assert_cmpuint (changed[2], ==, 2);
  g_assert_cmpuint (changed[3], ==, 1);

  for (guint i = 0; i < 4; i++)
    g_object_unref (kept[i]);
}

/* Rows that compare equal keep their places: equal rows do not swap. */
static void
test_ranks_ties_stay (void)
{
  static const char *names[] = { "a", "b", "c" };
  static const int apart[] = { 1, 3, 2 };
  static const int equal[] = { 7, 7, 7 };
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("channels");
  g_autoptr(JsonNode) first = section_of (names, apart, 3);
  g_autoptr(JsonNode) second = section_of (names, equal, 3);
  g_autoptr(GtkSorter) sorter = GTK_SORTER (gtk_custom_sorter_new (compare_sent_descending, NULL, NULL));
  g_autoptr(ViewerRankModel) ranks = NULL;
  g_autofree char *order = NULL;
  guint n_reranks;

  g_assert_true (viewer_section_model_update (model, first, 0, NULL));
  ranks = viewer_rank_model_new (model, sorter, NULL);
  order = places (ranks);
  g_assert_cmpstr (order, ==, "b c a");

  n_reranks = viewer_rank_model_get_n_reranks (ranks);
  g_assert_true (viewer_section_model_update (model, second, G_USEC_PER_SEC, NULL));
  wait_for_rerank (ranks, n_reranks);
  g_clear_pointer (&order, g_free);
  order = places (ranks);
  g_assert_cmpstr (order, ==, "b c a");
}

/* A search hides places at the end of the list only; the places before
 * stay the same objects. */
static void
test_ranks_filter (void)
{
  static const char *names[] = { "a", "b", "c", "d" };
  static const int sent[] = { 4, 3, 2, 1 };
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("channels");
  g_autoptr(JsonNode) data = section_of (names, sent, 4);
  g_autoptr(GtkSorter) sorter = GTK_SORTER (gtk_custom_sorter_new (compare_sent_descending, NULL, NULL));
  g_autoptr(GtkStringFilter) filter = gtk_string_filter_new (gtk_property_expression_new (VIEWER_TYPE_ROW, NULL, "name"));
  g_autoptr(ViewerRankModel) ranks = NULL;
  g_autoptr(ViewerRank) first_place = NULL;
  g_autoptr(ViewerRank) first_after = NULL;
  g_autofree char *order = NULL;
  ItemsChanged record = { 0 };

  g_assert_true (viewer_section_model_update (model, data, 0, NULL));
  gtk_string_filter_set_match_mode (filter, GTK_STRING_FILTER_MATCH_MODE_EXACT);
  ranks = viewer_rank_model_new (model, sorter, GTK_FILTER (filter));
  first_place = g_list_model_get_item (G_LIST_MODEL (ranks), 0);
  g_signal_connect (ranks, "items-changed", G_CALLBACK (record_items_changed), &record);

  gtk_string_filter_set_search (filter, "c");
  order = places (ranks);
  g_assert_cmpstr (order, ==, "c");
  g_assert_cmpuint (record.count, ==, 1);
  g_assert_cmpuint (record.position, ==, 1);
  g_assert_cmpuint (record.removed, ==, 3);
  g_assert_cmpuint (record.added, ==, 0);
  first_after = g_list_model_get_item (G_LIST_MODEL (ranks), 0);
  g_assert_true (first_after == first_place);
  g_assert_cmpuint (viewer_rank_model_find (ranks, viewer_section_model_lookup (model, 0)), ==, GTK_INVALID_LIST_POSITION);

  gtk_string_filter_set_search (filter, NULL);
  g_clear_pointer (&order, g_free);
  order = places (ranks);
  g_assert_cmpstr (order, ==, "a b c d");
  g_assert_cmpuint (record.count, ==, 2);
  g_assert_cmpuint (record.position, ==, 1);
  g_assert_cmpuint (record.removed, ==, 0);
  g_assert_cmpuint (record.added, ==, 3);
}

/* Rows that come or go add or remove places at the end. */
static void
test_ranks_rows_come_and_go (void)
{
  static const char *three[] = { "a", "b", "c" };
  static const char *two[] = { "a", "c" };
  static const int sent3[] = { 1, 2, 3 };
  static const int sent2[] = { 1, 3 };
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("channels");
  g_autoptr(JsonNode) first = section_of (three, sent3, 3);
  g_autoptr(JsonNode) second = section_of (two, sent2, 2);
  g_autoptr(GtkSorter) sorter = GTK_SORTER (gtk_custom_sorter_new (compare_sent_descending, NULL, NULL));
  g_autoptr(ViewerRankModel) ranks = viewer_rank_model_new (model, sorter, NULL);
  g_autofree char *order = NULL;
  ItemsChanged record = { 0 };

  g_assert_true (viewer_section_model_update (model, first, 0, NULL));
  g_signal_connect (ranks, "items-changed", G_CALLBACK (record_items_changed), &record);
  g_assert_true (viewer_section_model_update (model, second, G_USEC_PER_SEC, NULL));
  order = places (ranks);
  g_assert_cmpstr (order, ==, "c a");
  g_assert_cmpuint (record.count, ==, 1);
  g_assert_cmpuint (record.position, ==, 2);
  g_assert_cmpuint (record.removed, ==, 1);
  g_assert_cmpuint (record.added, ==, 0);
}

/* Without a sorter the places follow the rows' own order (the log). */
static void
test_ranks_unsorted (void)
{
  static const char *names[] = { "d", "a", "c" };
  static const int sent[] = { 1, 2, 3 };
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("channels");
  g_autoptr(JsonNode) data = section_of (names, sent, 3);
  g_autoptr(ViewerRankModel) ranks = viewer_rank_model_new (model, NULL, NULL);
  g_autofree char *order = NULL;

  g_assert_true (viewer_section_model_update (model, data, 0, NULL));
  order = places (ranks);
  g_assert_cmpstr (order, ==, "d a c");
}

/* A sort by a text member: collation, cached per row, and a change of
 * sorter (a click on another column) re-sorts at once. */
static int
compare_name (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  return viewer_row_compare ((ViewerRow *) a, (ViewerRow *) b, "name");
}

static void
test_ranks_sorter_changes (void)
{
  static const char *names[] = { "b", "d", "a", "c" };
  static const int sent[] = { 1, 2, 3, 4 };
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("channels");
  g_autoptr(JsonNode) data = section_of (names, sent, 4);
  g_autoptr(GtkCustomSorter) sorter = gtk_custom_sorter_new (compare_sent_descending, NULL, NULL);
  g_autoptr(ViewerRankModel) ranks = viewer_rank_model_new (model, GTK_SORTER (sorter), NULL);
  g_autofree char *order = NULL;

  g_assert_true (viewer_section_model_update (model, data, 0, NULL));
  order = places (ranks);
  g_assert_cmpstr (order, ==, "c a d b");

  gtk_custom_sorter_set_sort_func (sorter, compare_name, NULL, NULL);
  g_clear_pointer (&order, g_free);
  order = places (ranks);
  g_assert_cmpstr (order, ==, "a b c d");

  /* Keys of two members cached at once, as a sorter that falls back to a
   * second column asks them in turn: both stay right. */
  {
    ViewerRow *a = viewer_rank_model_get_row (ranks, 0);
    ViewerRow *d = viewer_rank_model_get_row (ranks, 3);

    for (guint i = 0; i < 3; i++)
      {
        g_assert_cmpint (viewer_row_compare (a, d, "name"), <, 0);
        g_assert_cmpint (viewer_row_compare (a, d, "sent"), >, 0);
        g_assert_cmpint (viewer_row_compare (a, d, "type"), ==, 0);
      }
  }
}

/* The pages of threads, gauges, streams and locks graph what their rows
 * are about: CPU % per thread, a gauge's value, bytes per second and
 * latency, acquisitions and wait percentiles. */
static void
test_sections_shapes (void)
{
  static const struct {
    const char *section;
    const char *rate;
    const char *level;
    const char *summary;
    const char *title;
  } shapes[] = {
    { "threads", NULL, "cpu_percent", NULL, "Threads" },
    { "gauges", "updates", "value", NULL, "Gauges" },
    { "streams", "bytes", "open", "latency_ns", "Streams" },
    { "locks", "acquisitions", NULL, "wait_ns", "Locks" },
    { "debug", "count", NULL, NULL, "Debug" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autoptr(ViewerSectionModel) model = viewer_section_model_new (shapes[i].section);
      g_autoptr(JsonNode) data = parse ("{\"percentiles\":[50,99],\"data\":[{\"id\":1,\"name\":\"x\","
                                        "\"tid\":7,\"cpu_percent\":12.5,\"value\":3,\"updates\":4,\"bytes\":100,"
                                        "\"open\":1,\"count\":2,\"acquisitions\":9,"
                                        "\"latency_ns\":{\"count\":1,\"percentiles_ns\":{\"p50\":5,\"p99\":9}},"
                                        "\"wait_ns\":{\"count\":1,\"percentiles_ns\":{\"p50\":0,\"p99\":4}}}]}");

      g_assert_true (viewer_section_model_update (model, data, 0, NULL));
      g_assert_cmpstr (viewer_section_model_get_title (model), ==, shapes[i].title);
      g_assert_cmpstr (viewer_section_model_get_level_member (model), ==, shapes[i].level);
      g_assert_cmpstr (viewer_section_model_get_summary_member (model), ==, shapes[i].summary);
      if (shapes[i].rate != NULL)
        g_assert_cmpstr (viewer_section_model_get_rate_member (model), ==, shapes[i].rate);
      /* Threads and locks keep no log. */
      g_assert_true (viewer_section_model_has_logs (model) ==
                     !(g_str_equal (shapes[i].section, "threads") || g_str_equal (shapes[i].section, "locks")));
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/Viewer/Format/units", test_format_units);
  g_test_add_func ("/Hotpath/Viewer/Format/by-member", test_format_by_member);
  g_test_add_func ("/Hotpath/Viewer/Format/axis-step", test_axis_step);
  g_test_add_func ("/Hotpath/Viewer/Model/timing", test_timing_section);
  g_test_add_func ("/Hotpath/Viewer/Model/timing-self", test_timing_self);
  g_test_add_func ("/Hotpath/Viewer/Model/window", test_window);
  g_test_add_func ("/Hotpath/Viewer/Model/queued-update", test_queued_update);
  g_test_add_func ("/Hotpath/Viewer/Model/rows-come-and-go", test_rows_come_and_go);
  g_test_add_func ("/Hotpath/Viewer/Model/logs", test_logs);
  g_test_add_func ("/Hotpath/Viewer/Model/channels-shape", test_channels_shape);
  g_test_add_func ("/Hotpath/Viewer/Model/main-loop-shape", test_main_loop_shape);
  g_test_add_func ("/Hotpath/Viewer/Model/alloc-shape", test_alloc_shape);
  g_test_add_func ("/Hotpath/Viewer/Model/alloc-metric", test_alloc_metric);
  g_test_add_func ("/Hotpath/Viewer/Ranks/sorted", test_ranks_sorted);
  g_test_add_func ("/Hotpath/Viewer/Ranks/reorder-in-place", test_ranks_reorder_in_place);
  g_test_add_func ("/Hotpath/Viewer/Ranks/ties-stay", test_ranks_ties_stay);
  g_test_add_func ("/Hotpath/Viewer/Ranks/filter", test_ranks_filter);
  g_test_add_func ("/Hotpath/Viewer/Ranks/rows-come-and-go", test_ranks_rows_come_and_go);
  g_test_add_func ("/Hotpath/Viewer/Ranks/unsorted", test_ranks_unsorted);
  g_test_add_func ("/Hotpath/Viewer/Ranks/sorter-changes", test_ranks_sorter_changes);
  g_test_add_func ("/Hotpath/Viewer/Model/not-a-section", test_not_a_section);
  g_test_add_func ("/Hotpath/Viewer/Model/sections-shapes", test_sections_shapes);

  return g_test_run ();
}
