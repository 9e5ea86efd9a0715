/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-viewer-model.c: formatting, rows and section models of the viewer. */

#include "config.h"

#include <locale.h>
#include <math.h>

#include "viewer-format.h"
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

static void
test_rows_come_and_go (void)
{
  g_autoptr(ViewerSectionModel) model = viewer_section_model_new ("channels");
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
  g_assert_cmpstr (viewer_section_model_get_title (model), ==, "Channels");

  g_assert_true (viewer_section_model_update (model, b, G_USEC_PER_SEC, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_null (viewer_section_model_lookup (model, 1));
  g_assert_true (viewer_section_model_lookup (model, 2) == q2);
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
  g_test_add_func ("/Hotpath/Viewer/Model/window", test_window);
  g_test_add_func ("/Hotpath/Viewer/Model/queued-update", test_queued_update);
  g_test_add_func ("/Hotpath/Viewer/Model/rows-come-and-go", test_rows_come_and_go);
  g_test_add_func ("/Hotpath/Viewer/Model/logs", test_logs);
  g_test_add_func ("/Hotpath/Viewer/Model/not-a-section", test_not_a_section);

  return g_test_run ();
}
