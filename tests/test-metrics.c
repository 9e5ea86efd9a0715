/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-metrics.c: /metrics in the Prometheus text format and OpenMetrics.
 *
 * The fake clock makes every duration exact, so the cumulative `le` buckets
 * are checked number by number; promtool (from Debian's prometheus
 * package) lints the text format when it is installed.
 */

#include "config.h"

#include <string.h>

#include "hotpath.h"
#include "hotpath-clock-private.h"
#include "hotpath-collector-private.h"
#include "hotpath-http-private.h"

static G_GNUC_NO_INLINE void
metrics_fast (guint64 ns)
{
  HOTPATH_MEASURE_AS ("metrics.fast");
  hotpath_clock_fake_advance (ns);
}

static G_GNUC_NO_INLINE void
metrics_odd (guint64 ns)
{
  HOTPATH_MEASURE_AS ("metrics \"odd\" \\ name\nline");
  hotpath_clock_fake_advance (ns);
}

/* Flow items live as long as the process: one of each, fed anew in every
 * session so the counts below hold for each snapshot. */
static GAsyncQueue *metrics_queue;

static gboolean
metrics_stall (gpointer data)
{
  hotpath_clock_fake_advance (G_GUINT64_CONSTANT (20000000));   /* over HOTPATH_STALL_MS's 16 */
  return G_SOURCE_REMOVE;
}

static void
metrics_flow (GMainContext *context)
{
  GSource *idle;

  if (metrics_queue == NULL)
    metrics_queue = HOTPATH_ASYNC_QUEUE (g_async_queue_new (), .label = "metrics \"queue\"");
  for (guint i = 1; i <= 3; i++)
    hotpath_async_queue_push (metrics_queue, GUINT_TO_POINTER (i));
  for (guint i = 0; i < 3; i++)
    hotpath_async_queue_pop (metrics_queue);

  g_assert_true (hotpath_main_context_watch (context, "metrics-context"));
  idle = g_idle_source_new ();
  g_source_set_callback (idle, metrics_stall, NULL, NULL);
  hotpath_source_watch (idle, "metrics_stall");
  g_source_attach (idle, context);
  g_source_unref (idle);
  for (guint i = 0; i < 3; i++)
    g_main_context_iteration (context, FALSE);
}

static HotpathSnapshot *
make_snapshot (void)
{
  g_autoptr(GArray) percentiles = g_array_new (FALSE, FALSE, sizeof (double));
  double p95 = 95;
  HotpathSnapshot *snapshot;
  GMainContext *context;

  g_array_append_val (percentiles, p95);
  hotpath_clock_use_fake (G_GUINT64_CONSTANT (1000000000));
  g_assert_true (hotpath_collector_start (50));

  for (guint i = 0; i < 3; i++)
    metrics_fast (200);          /* 200 ns: le 2.5e-07 */
  for (guint i = 0; i < 2; i++)
    metrics_fast (3000);         /* 3 µs: le 5e-06 */
  metrics_fast (2000000);        /* 2 ms: le 0.0025 */
  metrics_fast (20000000000);    /* 20 s: only +Inf */
  metrics_odd (1000);

  context = g_main_context_new ();
  metrics_flow (context);

  hotpath_clock_fake_advance (G_GUINT64_CONSTANT (30000000000));
  snapshot = hotpath_collector_snapshot ("metrics-test", percentiles, 0);
  hotpath_main_context_unwatch (context);
  g_main_context_unref (context);
  hotpath_collector_stop ();

  return snapshot;
}

static const char *
sample_value (const char *text,
              const char *sample)
{
  g_autofree char *needle = g_strconcat ("\n", sample, " ", NULL);
  const char *found = strstr (text, needle);

  g_assert_nonnull (found);
  return found + strlen (needle);
}

static void
assert_sample (const char *text,
               const char *sample,
               const char *value)
{
  const char *found = sample_value (text, sample);

  g_assert_true (g_str_has_prefix (found, value));
  g_assert_true (found[strlen (value)] == '\n');
}

static void
test_metrics_buckets (void)
{
  g_autoptr(HotpathSnapshot) snapshot = make_snapshot ();
  g_autofree char *text = hotpath_metrics_render (snapshot, FALSE, TRUE);
  static const struct { const char *le; const char *count; } buckets[] = {
    { "1e-07", "0" }, { "2.5e-07", "3" }, { "5e-07", "3" }, { "1e-06", "3" },
    { "2.5e-06", "3" }, { "5e-06", "5" }, { "0.001", "5" }, { "0.0025", "6" },
    { "10", "6" }, { "+Inf", "7" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (buckets); i++)
    {
      g_autofree char *sample = NULL;
      guint id = 0;

      for (guint j = 0; j < hotpath_snapshot_get_n_functions (snapshot); j++)
        if (g_str_equal (hotpath_function_stats_get_name (hotpath_snapshot_get_function (snapshot, j)), "metrics.fast"))
          id = hotpath_function_stats_get_id (hotpath_snapshot_get_function (snapshot, j));

      sample = g_strdup_printf ("hotpath_function_duration_seconds_bucket{function=\"metrics.fast\",id=\"%u\",le=\"%s\"}",
                                id, buckets[i].le);
      g_test_message ("%s", sample);
      assert_sample (text, sample, buckets[i].count);
    }

  g_assert_nonnull (strstr (text, "hotpath_function_calls_total{function=\"metrics.fast\""));
  g_assert_nonnull (strstr (text, "function=\"metrics \\\"odd\\\" \\\\ name\\nline\""));
  assert_sample (text, "hotpath_functions", "2");
  assert_sample (text, "hotpath_uptime_seconds", "50.0220076");  /* the calls, the 20 ms stall plus 30 s */
  g_assert_nonnull (strstr (text, "# HELP hotpath_function_duration_seconds "));
  g_assert_nonnull (strstr (text, "# TYPE hotpath_function_duration_seconds histogram\n"));
  g_assert_nonnull (strstr (text, "# TYPE hotpath_function_calls_total counter\n"));
  g_assert_null (strstr (text, "# EOF"));
}

/* The value of the one sample whose line starts with @prefix (labels
 * after it hold an id the test does not know). */
static char *
flow_value (const char *text,
            const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  char *value = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      {
        g_assert_null (value);
        g_assert_nonnull (strrchr (lines[i], ' '));
        value = g_strdup (strrchr (lines[i], ' ') + 1);
      }

  g_assert_nonnull (value);
  return value;
}

static void
test_metrics_flow (void)
{
  g_autoptr(HotpathSnapshot) snapshot = make_snapshot ();
  g_autofree char *text = hotpath_metrics_render (snapshot, FALSE, FALSE);
  static const struct { const char *prefix; const char *value; } samples[] = {
    { "hotpath_channel_sent_total{channel=\"metrics \\\"queue\\\"\",id=\"", "3" },
    { "hotpath_channel_received_total{channel=\"metrics \\\"queue\\\"\",id=\"", "3" },
    { "hotpath_channel_queued{channel=\"metrics \\\"queue\\\"\",id=\"", "0" },
    { "hotpath_source_dispatches_total{source=\"metrics_stall\",id=\"", "1" },
    { "hotpath_source_dispatch_seconds_total{source=\"metrics_stall\",id=\"", "0.02" },
    { "hotpath_main_loop_stalls_total{context=\"metrics-context\",id=\"", "1" },
    { "hotpath_main_loop_busy_seconds_total{context=\"metrics-context\",id=\"", "0.02" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autofree char *value = flow_value (text, samples[i].prefix);

      g_test_message ("%s...} %s", samples[i].prefix, value);
      g_assert_cmpstr (value, ==, samples[i].value);
    }

  g_assert_nonnull (strstr (text, ",type=\"async_queue\"} 3\n"));
  g_assert_nonnull (strstr (text, "# TYPE hotpath_channel_queued gauge\n"));
  g_assert_nonnull (strstr (text, "# TYPE hotpath_main_loop_wait_seconds_total counter\n"));
  g_assert_nonnull (strstr (text, "\nhotpath_main_loop_iterations_total{context=\"metrics-context\""));
}

/* Every family has HELP and TYPE before its samples, and the
 * exposition ends with # EOF. */
static void
test_metrics_openmetrics (void)
{
  g_autoptr(HotpathSnapshot) snapshot = make_snapshot ();
  g_autofree char *text = hotpath_metrics_render (snapshot, TRUE, FALSE);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *family = NULL;
  gboolean help = FALSE, type = FALSE;
  guint n = g_strv_length (lines);

  g_assert_true (g_str_has_suffix (text, "\n# EOF\n"));
  g_assert_cmpstr (lines[n - 1], ==, "");
  g_assert_cmpstr (lines[n - 2], ==, "# EOF");

  for (guint i = 0; i < n - 2; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "# HELP "))
        {
          g_auto(GStrv) parts = g_strsplit (line + 7, " ", 2);
          g_free (family);
          family = g_strdup (parts[0]);
          help = TRUE;
          type = FALSE;
        }
      else if (g_str_has_prefix (line, "# TYPE "))
        {
          g_autofree char *prefix = g_strconcat ("# TYPE ", family, " ", NULL);
          g_assert_true (help);
          g_assert_true (g_str_has_prefix (line, prefix));
          type = TRUE;
        }
      else if (g_str_has_prefix (line, "# UNIT "))
        {
          g_autofree char *prefix = g_strconcat ("# UNIT ", family, " ", NULL);
          g_assert_true (type);
          g_assert_true (g_str_has_prefix (line, prefix));
          g_assert_true (g_str_has_suffix (family, line + strlen (prefix)));
        }
      else
        {
          g_assert_true (help && type);
          g_assert_true (g_str_has_prefix (line, family));
        }
    }

  g_assert_nonnull (strstr (text, "# TYPE hotpath_function_calls counter\n"));
  g_assert_nonnull (strstr (text, "# TYPE hotpath_build info\n"));
  g_assert_nonnull (strstr (text, "# UNIT hotpath_function_duration_seconds seconds\n"));
  g_assert_nonnull (strstr (text, "# TYPE hotpath_channel_sent counter\n"));
  g_assert_nonnull (strstr (text, "# UNIT hotpath_main_loop_busy_seconds seconds\n"));
}

static void
test_metrics_promtool (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *promtool = HOTPATH_TEST_PROMTOOL;

  if (*promtool == '\0')
    {
      g_test_skip ("promtool not found at configure time; install it with "
                   "`apt-get install prometheus` (build-aux/dev.sh deps does)");
      return;
    }

  snapshot = make_snapshot ();
  text = hotpath_metrics_render (snapshot, FALSE, FALSE);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_MERGE, &error,
                              promtool, "check", "metrics", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, text, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("promtool: %s", out);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* The lag probe runs on real time; these tests run on a fake clock. */
  g_setenv ("HOTPATH_LAG_PROBE_MS", "0", TRUE);

  g_test_add_func ("/Hotpath/Metrics/buckets", test_metrics_buckets);
  g_test_add_func ("/Hotpath/Metrics/flow", test_metrics_flow);
  g_test_add_func ("/Hotpath/Metrics/openmetrics", test_metrics_openmetrics);
  g_test_add_func ("/Hotpath/Metrics/promtool", test_metrics_promtool);

  return g_test_run ();
}
