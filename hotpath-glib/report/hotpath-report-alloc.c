/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-report-alloc.c: the `functions_alloc` section, as JSON and as a
 * table. Present only when the session tracked allocations.
 *
 * JSON carries all four metrics with raw integers; the table shows the one
 * HOTPATH_ALLOC_METRIC chooses (bytes, count, peak-bytes or peak-count).
 */

#include "config.h"

#include "hotpath-format-private.h"
#include "hotpath-json-private.h"
#include "hotpath-report-private.h"
#include "hotpath-snapshot-private.h"

static const char * const metric_keys[HOTPATH_ALLOC_N_METRICS] = {
  "bytes", "count", "peak_bytes", "peak_count",
};

static const char * const metric_titles[HOTPATH_ALLOC_N_METRICS] = {
  "bytes allocated", "allocations", "peak live bytes", "peak live allocations",
};

/* The denominator of a metric's percent_total: what the whole process
 * allocated during the session for bytes and count; the sum over the
 * functions for peaks, which do not add up across a process. */
static guint64
metric_denominator (HotpathSnapshot    *snapshot,
                    HotpathAllocMetric  metric)
{
  HotpathAllocSnapshot *alloc = snapshot->alloc;
  guint64 sum = 0;

  if (metric == HOTPATH_ALLOC_METRIC_BYTES)
    return alloc->session.request_bytes;
  if (metric == HOTPATH_ALLOC_METRIC_COUNT)
    return alloc->session.alloc_count;

  for (guint i = 0; i < alloc->functions->len; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (alloc->functions, i);
      sum += stats->alloc->metrics[metric].sum;
    }
  return sum;
}

static double
percent_of (guint64 part,
            guint64 whole)
{
  if (whole == 0)
    return 0.0;
  return 100.0 * (double) part / (double) whole;
}

static guint64
histogram_avg (const HotpathHistogram *histogram)
{
  if (histogram->count == 0)
    return 0;
  return (guint64) ((double) histogram->sum / (double) histogram->count + 0.5);
}

static void
add_metric (JsonBuilder            *builder,
            HotpathSnapshot        *snapshot,
            const HotpathHistogram *histogram,
            guint64                 denominator)
{
  guint n_percentiles = snapshot->percentiles->len;
  g_autofree guint64 *values = g_new (guint64, MAX (n_percentiles, 1));

  hotpath_histogram_values_at_percentiles (histogram,
                                           (const double *) (gpointer) snapshot->percentiles->data,
                                           n_percentiles, values);

  json_builder_begin_object (builder);
  hotpath_json_add_uint (builder, "total", histogram->sum);
  hotpath_json_add_uint (builder, "avg", histogram_avg (histogram));
  hotpath_json_add_uint (builder, "min", histogram->count ? histogram->min : 0);
  hotpath_json_add_uint (builder, "max", histogram->max);
  hotpath_json_add_percentiles (builder, "percentiles", snapshot, values);
  hotpath_json_add_double (builder, "percent_total", percent_of (histogram->sum, denominator));
  json_builder_end_object (builder);
}

static void
add_totals (JsonBuilder              *builder,
            const HotpathAllocTotals *totals,
            gboolean                  with_thread_id)
{
  json_builder_begin_object (builder);
  if (with_thread_id)
    {
      hotpath_json_add_uint (builder, "thread_id", totals->thread_id);
      json_builder_set_member_name (builder, "exited");
      json_builder_add_boolean_value (builder, totals->thread_id == 0);
    }
  hotpath_json_add_uint (builder, "request_bytes", totals->request_bytes);
  hotpath_json_add_uint (builder, "alloc_bytes", totals->alloc_bytes);
  hotpath_json_add_uint (builder, "alloc_count", totals->alloc_count);
  hotpath_json_add_uint (builder, "free_bytes", totals->free_bytes);
  hotpath_json_add_uint (builder, "free_count", totals->free_count);
  /* A thread that frees what others allocated has negative live figures. */
  hotpath_json_add_int (builder, "live_bytes", (gint64) (totals->alloc_bytes - totals->free_bytes));
  hotpath_json_add_int (builder, "live_count", (gint64) (totals->alloc_count - totals->free_count));
  json_builder_end_object (builder);
}

/**
 * hotpath_report_json_functions_alloc:
 * @snapshot: a snapshot
 * @limit: how many functions, by the total of the snapshot's metric; 0 for all
 *
 * Returns: (transfer full) (nullable): the `functions_alloc` section, or
 *   %NULL when the session did not track allocations
 */
JsonNode *
hotpath_report_json_functions_alloc (HotpathSnapshot *snapshot,
                                     guint            limit)
{
  g_autoptr(JsonBuilder) builder = NULL;
  HotpathAllocSnapshot *alloc = snapshot->alloc;
  guint64 denominators[HOTPATH_ALLOC_N_METRICS];
  guint n;

  if (alloc == NULL)
    return NULL;

  n = alloc->functions->len;
  if (limit > 0)
    n = MIN (n, limit);

  for (guint m = 0; m < HOTPATH_ALLOC_N_METRICS; m++)
    denominators[m] = metric_denominator (snapshot, m);

  builder = json_builder_new ();
  json_builder_begin_object (builder);

  hotpath_json_add_string (builder, "mode", alloc->self_mode ? "self" : "cumulative");
  hotpath_json_add_string (builder, "metric", metric_keys[alloc->metric]);
  hotpath_json_add_percentile_ranks (builder, snapshot);
  hotpath_json_add_uint (builder, "total_count", alloc->functions->len);
  hotpath_json_add_uint (builder, "limit", limit);

  json_builder_set_member_name (builder, "process");
  add_totals (builder, &alloc->process, FALSE);
  json_builder_set_member_name (builder, "session");
  add_totals (builder, &alloc->session, FALSE);

  json_builder_set_member_name (builder, "threads");
  json_builder_begin_array (builder);
  for (guint i = 0; i < alloc->threads->len; i++)
    add_totals (builder, &g_array_index (alloc->threads, HotpathAllocTotals, i), TRUE);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "data");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (alloc->functions, i);

      json_builder_begin_object (builder);
      hotpath_json_add_uint (builder, "id", stats->id);
      hotpath_json_add_string (builder, "name", stats->name);
      hotpath_json_add_string (builder, "file", stats->file);
      hotpath_json_add_uint (builder, "line", stats->line);
      hotpath_json_add_uint (builder, "calls", stats->alloc->metrics[0].count);
      for (guint m = 0; m < HOTPATH_ALLOC_N_METRICS; m++)
        {
          json_builder_set_member_name (builder, metric_keys[m]);
          add_metric (builder, snapshot, &stats->alloc->metrics[m], denominators[m]);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static char *
format_value (HotpathAllocMetric metric,
              guint64            value)
{
  if (metric == HOTPATH_ALLOC_METRIC_BYTES || metric == HOTPATH_ALLOC_METRIC_PEAK_BYTES)
    return hotpath_format_bytes (value);
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

/**
 * hotpath_report_table_functions_alloc:
 * @snapshot: a snapshot
 * @limit: rows to show; 0 for all
 *
 * Returns: (transfer full) (nullable): the allocation table with its header
 *   line, or %NULL when the session did not track allocations
 */
char *
hotpath_report_table_functions_alloc (HotpathSnapshot *snapshot,
                                      guint            limit)
{
  HotpathAllocSnapshot *alloc = snapshot->alloc;
  const double *percentiles;
  guint n_percentiles;
  g_autofree guint64 *values = NULL;
  g_autofree char *session_bytes = NULL;
  HotpathReportTable table;
  HotpathAllocMetric metric;
  guint64 denominator;
  GString *out;
  guint n;

  if (alloc == NULL)
    return NULL;

  metric = alloc->metric;
  percentiles = (const double *) (gpointer) snapshot->percentiles->data;
  n_percentiles = snapshot->percentiles->len;
  values = g_new (guint64, MAX (n_percentiles, 1));
  denominator = metric_denominator (snapshot, metric);
  n = alloc->functions->len;
  if (limit > 0)
    n = MIN (n, limit);

  out = g_string_new (NULL);
  session_bytes = hotpath_format_bytes (alloc->session.request_bytes);
  g_string_append_printf (out, "[hotpath] allocations, %s (%s): %s in %" G_GUINT64_FORMAT
                          " allocation%s during the session\n",
                          metric_titles[metric],
                          alloc->self_mode ? "self" : "cumulative",
                          session_bytes, alloc->session.alloc_count,
                          alloc->session.alloc_count == 1 ? "" : "s");

  hotpath_report_table_init_functions (&table, snapshot);
  for (guint i = 0; i < n; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (alloc->functions, i);
      const HotpathHistogram *histogram = &stats->alloc->metrics[metric];
      GPtrArray *cells = hotpath_report_table_add_row (&table);

      hotpath_histogram_values_at_percentiles (histogram, percentiles, n_percentiles, values);

      g_ptr_array_add (cells, g_strdup (stats->name));
      g_ptr_array_add (cells, g_strdup_printf ("%" G_GUINT64_FORMAT, histogram->count));
      g_ptr_array_add (cells, format_value (metric, histogram_avg (histogram)));
      for (guint p = 0; p < n_percentiles; p++)
        g_ptr_array_add (cells, format_value (metric, values[p]));
      g_ptr_array_add (cells, format_value (metric, histogram->sum));
      g_ptr_array_add (cells, g_strdup_printf ("%.2f%%", percent_of (histogram->sum, denominator)));
    }

  if (alloc->functions->len == 0)
    g_string_append (out, "(no measured function was called)\n");
  else
    hotpath_report_table_render (&table, out);
  hotpath_report_table_append_footer (out, n, alloc->functions->len, "functions");

  hotpath_report_table_clear (&table);

  return g_string_free (out, FALSE);
}

/**
 * hotpath_report_text_functions_alloc:
 * @snapshot: a snapshot
 * @limit: rows to show; 0 for all
 *
 * For people and LLMs (the live API's text form): one line per function,
 * units formatted.
 *
 * Returns: (transfer full) (nullable): the text, or %NULL when the session
 *   did not track allocations
 */
char *
hotpath_report_text_functions_alloc (HotpathSnapshot *snapshot,
                                     guint            limit)
{
  HotpathAllocSnapshot *alloc = snapshot->alloc;
  g_autofree char *session_bytes = NULL;
  g_autofree char *live_bytes = NULL;
  GString *text;
  guint n;

  if (alloc == NULL)
    return NULL;

  n = alloc->functions->len;
  if (limit > 0)
    n = MIN (n, limit);

  text = g_string_new (NULL);
  session_bytes = hotpath_format_bytes (alloc->session.request_bytes);
  live_bytes = hotpath_format_bytes ((guint64) MAX ((gint64) (alloc->process.alloc_bytes - alloc->process.free_bytes), 0));
  g_string_append_printf (text, "Allocations (%s figures): %s asked for in %" G_GUINT64_FORMAT
                          " allocations during the session; the process holds %s in %" G_GINT64_FORMAT
                          " blocks. Sorted by total %s.\n",
                          alloc->self_mode ? "self" : "cumulative",
                          session_bytes, alloc->session.alloc_count, live_bytes,
                          (gint64) (alloc->process.alloc_count - alloc->process.free_count),
                          metric_titles[alloc->metric]);

  for (guint i = 0; i < n; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (alloc->functions, i);
      const HotpathHistogram *bytes = &stats->alloc->metrics[HOTPATH_ALLOC_METRIC_BYTES];
      const HotpathHistogram *count = &stats->alloc->metrics[HOTPATH_ALLOC_METRIC_COUNT];
      const HotpathHistogram *peak_bytes = &stats->alloc->metrics[HOTPATH_ALLOC_METRIC_PEAK_BYTES];
      const HotpathHistogram *peak_count = &stats->alloc->metrics[HOTPATH_ALLOC_METRIC_PEAK_COUNT];
      g_autofree char *total = hotpath_format_bytes (bytes->sum);
      g_autofree char *avg = hotpath_format_bytes (histogram_avg (bytes));
      g_autofree char *max = hotpath_format_bytes (bytes->max);
      g_autofree char *peak = hotpath_format_bytes (peak_bytes->max);

      g_string_append_printf (text, "%u. %s (id %u): %" G_GUINT64_FORMAT " calls, %s in %" G_GUINT64_FORMAT
                              " allocations (avg %s, max %s per call), peak live %s and %" G_GUINT64_FORMAT
                              " blocks in one call\n",
                              i + 1, stats->name, stats->id, bytes->count, total, count->sum,
                              avg, max, peak, peak_count->max);
    }

  return g_string_free (text, FALSE);
}

static HotpathFunctionStats *
find_alloc_function (HotpathSnapshot *snapshot,
                     guint            id)
{
  if (snapshot->alloc == NULL)
    return NULL;

  for (guint i = 0; i < snapshot->alloc->functions->len; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (snapshot->alloc->functions, i);

      if (stats->id == id)
        return stats;
    }

  return NULL;
}

/**
 * hotpath_report_json_function_alloc_logs:
 * @snapshot: a snapshot
 * @function_id: a function's numeric id
 *
 * Returns: (transfer full) (nullable): what the function's recent calls
 *   allocated, newest first, or %NULL if no function with allocation
 *   figures has that id
 */
JsonNode *
hotpath_report_json_function_alloc_logs (HotpathSnapshot *snapshot,
                                         guint            function_id)
{
  g_autoptr(JsonBuilder) builder = NULL;
  HotpathFunctionStats *stats = find_alloc_function (snapshot, function_id);

  if (stats == NULL)
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  hotpath_json_add_uint (builder, "id", stats->id);
  hotpath_json_add_string (builder, "name", stats->name);
  json_builder_set_member_name (builder, "logs");
  json_builder_begin_array (builder);
  for (guint i = stats->alloc->n_logs; i > 0; i--)
    {
      const HotpathAllocLogEntry *entry = &stats->alloc->logs[i - 1];

      json_builder_begin_object (builder);
      hotpath_json_add_uint (builder, "index", stats->alloc->n_logs - i);
      for (guint m = 0; m < HOTPATH_ALLOC_N_METRICS; m++)
        hotpath_json_add_uint (builder, metric_keys[m], entry->values[m]);
      hotpath_json_add_uint (builder, "end_ns", entry->end_ns);
      hotpath_json_add_uint (builder, "thread_id", entry->thread_id);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * hotpath_report_text_function_alloc_logs:
 * @snapshot: a snapshot
 * @function_id: a function's numeric id
 *
 * Returns: (transfer full) (nullable): the same for people and LLMs
 */
char *
hotpath_report_text_function_alloc_logs (HotpathSnapshot *snapshot,
                                         guint            function_id)
{
  HotpathFunctionStats *stats = find_alloc_function (snapshot, function_id);
  GString *text;

  if (stats == NULL)
    return NULL;

  text = g_string_new (NULL);
  g_string_append_printf (text, "Allocations of the last %u calls of %s (id %u), newest first:\n",
                          stats->alloc->n_logs, stats->name, stats->id);
  for (guint i = stats->alloc->n_logs; i > 0; i--)
    {
      const HotpathAllocLogEntry *entry = &stats->alloc->logs[i - 1];
      g_autofree char *bytes = hotpath_format_bytes (entry->values[HOTPATH_ALLOC_METRIC_BYTES]);
      g_autofree char *peak = hotpath_format_bytes (entry->values[HOTPATH_ALLOC_METRIC_PEAK_BYTES]);
      g_autofree char *end = hotpath_format_duration (entry->end_ns);

      g_string_append_printf (text, "#%u  %s in %" G_GUINT64_FORMAT " allocations, peak %s in %"
                              G_GUINT64_FORMAT " blocks  ended at %s into the session  thread %"
                              G_GUINT64_FORMAT "\n",
                              stats->alloc->n_logs - i, bytes,
                              entry->values[HOTPATH_ALLOC_METRIC_COUNT], peak,
                              entry->values[HOTPATH_ALLOC_METRIC_PEAK_COUNT], end, entry->thread_id);
    }

  return g_string_free (text, FALSE);
}
