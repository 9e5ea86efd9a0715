/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-sections.c: the sections the live API serves, in one table.
 *
 * HTTP, D-Bus and MCP iterate this table; none of them knows a section by
 * name. Section JSON itself is built in hotpath-report-json.c only.
 */

#include "config.h"

#include "hotpath-format-private.h"
#include "hotpath-report-private.h"
#include "hotpath-sections-private.h"

/* For people and LLMs: one line per function with its id (which the logs
 * need) and every duration in ns, µs, ms or s. */
static char *
functions_timing_text (HotpathSnapshot *snapshot,
                       guint            limit)
{
  GString *text = g_string_new (NULL);
  guint n_functions = hotpath_snapshot_get_n_functions (snapshot);
  guint n = limit > 0 ? MIN (n_functions, limit) : n_functions;
  guint n_percentiles;
  const double *percentiles = hotpath_snapshot_get_percentiles (snapshot, &n_percentiles);
  g_autofree char *elapsed = hotpath_format_duration (hotpath_snapshot_get_elapsed_ns (snapshot));

  g_string_append_printf (text, "%s (pid %" G_GINT64_FORMAT "): %s elapsed, %u measured function%s",
                          hotpath_snapshot_get_name (snapshot), hotpath_snapshot_get_pid (snapshot),
                          elapsed, n_functions, n_functions == 1 ? "" : "s");
  if (n < n_functions)
    g_string_append_printf (text, ", the %u with the largest total time shown", n);
  g_string_append (text, ".\n");

  for (guint i = 0; i < n; i++)
    {
      HotpathFunctionStats *stats = hotpath_snapshot_get_function (snapshot, i);
      g_autofree char *avg = hotpath_format_duration (hotpath_function_stats_get_avg_ns (stats));
      g_autofree char *min = hotpath_format_duration (hotpath_function_stats_get_min_ns (stats));
      g_autofree char *max = hotpath_format_duration (hotpath_function_stats_get_max_ns (stats));
      g_autofree char *total = hotpath_format_duration (hotpath_function_stats_get_total_ns (stats));

      g_string_append_printf (text, "%u. %s (id %u): %" G_GUINT64_FORMAT " calls, total %s (%.2f%% of elapsed), "
                              "avg %s, min %s, max %s",
                              i + 1, hotpath_function_stats_get_name (stats),
                              hotpath_function_stats_get_id (stats),
                              hotpath_function_stats_get_calls (stats), total,
                              hotpath_function_stats_get_percent_total (stats), avg, min, max);
      for (guint p = 0; p < n_percentiles; p++)
        {
          g_autofree char *key = hotpath_format_percentile_key (percentiles[p]);
          g_autofree char *value = hotpath_format_duration (hotpath_function_stats_get_percentile_ns (stats, percentiles[p]));
          g_string_append_printf (text, ", %s %s", key, value);
        }
      g_string_append (text, "\n");
    }

  return g_string_free (text, FALSE);
}

static char *
function_logs_text (HotpathSnapshot *snapshot,
                    guint            id)
{
  HotpathFunctionStats *stats = NULL;
  GString *text;
  guint n;

  for (guint i = 0; i < hotpath_snapshot_get_n_functions (snapshot) && stats == NULL; i++)
    {
      HotpathFunctionStats *candidate = hotpath_snapshot_get_function (snapshot, i);
      if (hotpath_function_stats_get_id (candidate) == id)
        stats = candidate;
    }

  if (stats == NULL)
    return NULL;

  n = hotpath_function_stats_get_n_logs (stats);
  text = g_string_new (NULL);
  g_string_append_printf (text, "Last %u calls of %s (id %u), newest first:\n",
                          n, hotpath_function_stats_get_name (stats), id);
  for (guint i = n; i > 0; i--)
    {
      guint64 duration_ns, end_ns, thread_id;
      g_autofree char *duration = NULL;
      g_autofree char *end = NULL;

      hotpath_function_stats_get_log (stats, i - 1, &duration_ns, &end_ns, &thread_id);
      duration = hotpath_format_duration (duration_ns);
      end = hotpath_format_duration (end_ns);
      g_string_append_printf (text, "#%u  %s  ended at %s into the session  thread %" G_GUINT64_FORMAT "\n",
                              n - i, duration, end, thread_id);
    }

  return g_string_free (text, FALSE);
}

static const HotpathSection sections[] = {
  {
    .name = "functions_timing",
    .description = "Timing of the functions and blocks measured with HOTPATH_MEASURE(), "
                   "largest total time first.",
    .fields = "percentiles: the percentile ranks reported; total_count: how many functions "
              "were measured; limit: the row limit (0 = all); data: one row per function with "
              "id, name, file, line, calls, total_ns, avg_ns, min_ns, max_ns (nanoseconds), "
              "percentiles_ns (duration at each rank, keyed p50, p95, p99.9) and percent_total "
              "(total time as a percentage of the session's wall time; above 100 when calls "
              "overlap).",
    .schema_def = "functions_timing",
    .logs_schema_def = "function_logs",
    .has_logs = TRUE,
    .json = hotpath_report_json_functions_timing,
    .logs_json = hotpath_report_json_function_logs,
    .text = functions_timing_text,
    .logs_text = function_logs_text,
  },
  /* The sections below register here when their subsystem lands: fill in
   * json (and logs_json, text, logs_text) and they appear on every route. */
  {
    .name = "functions_alloc",
    .description = "Memory allocated by each measured function, per call: bytes asked for, "
                   "allocation count, and peak live bytes and blocks during the call; "
                   "present when libhotpath-glib-alloc-1 is loaded.",
    .fields = "mode: cumulative (callees included, recursion counted once) or self; metric: "
              "the sort metric; percentiles; total_count; limit; process, session: totals "
              "(request_bytes, alloc_bytes, alloc_count, free_bytes, free_count, live_bytes, "
              "live_count; bytes other than request_bytes are usable sizes); threads: the same "
              "per thread_id (exited: true sums exited threads); data: one row per function with "
              "id, name, file, line, calls and, for each of bytes, count, peak_bytes and "
              "peak_count, its total, avg, min, max, percentiles (keyed p50, p95...) and "
              "percent_total.",
    .schema_def = "functions_alloc",
    .logs_schema_def = "function_alloc_logs",
    .has_logs = TRUE,
    .json = hotpath_report_json_functions_alloc,
    .logs_json = hotpath_report_json_function_alloc_logs,
    .text = hotpath_report_text_functions_alloc,
    .logs_text = hotpath_report_text_function_alloc_logs,
  },
  {
    .name = "channels",
    .description = "GAsyncQueue and GThreadPool channels: items sent, received and queued.",
    .fields = "one row per channel with sent, received, queued and state.",
    .has_logs = TRUE,
  },
  {
    .name = "futures",
    .description = "GTask futures: calls, lifecycle and results.",
    .fields = "one row per task site with calls and results.",
    .has_logs = TRUE,
  },
  {
    .name = "sources",
    .description = "GMainContext sources: dispatch counts and dispatch times.",
    .fields = "one row per source with dispatches and dispatch durations.",
  },
  {
    .name = "main_loop",
    .description = "Main loop iterations: busy time versus waiting, and stalls.",
    .fields = "one row per main context with busy and idle time and stalls.",
  },
  {
    .name = "threads",
    .description = "Threads of the process: CPU usage and state.",
    .fields = "one row per thread with CPU percentages and state.",
  },
  {
    .name = "gauges",
    .description = "Values set with HOTPATH_GAUGE() and HOTPATH_VAL().",
    .fields = "one row per gauge with its current value.",
    .has_logs = TRUE,
  },
};

/**
 * hotpath_sections_get:
 * @n_sections: (out): the number of entries
 *
 * Returns: every section the live API knows, available or not
 */
const HotpathSection *
hotpath_sections_get (guint *n_sections)
{
  *n_sections = G_N_ELEMENTS (sections);
  return sections;
}

const HotpathSection *
hotpath_sections_lookup (const char *name)
{
  if (name == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    if (g_str_equal (sections[i].name, name))
      return &sections[i];

  return NULL;
}

gboolean
hotpath_section_is_available (const HotpathSection *section,
                              HotpathSnapshot      *snapshot)
{
  g_autoptr(JsonNode) probe = NULL;

  if (section->json == NULL)
    return FALSE;

  /* functions_timing is always there; later sections may depend on what
   * the process loaded, so ask the builder. */
  if (g_str_equal (section->name, "functions_timing"))
    return TRUE;

  probe = section->json (snapshot, 1);
  return probe != NULL;
}

char *
hotpath_json_to_string (JsonNode *node,
                        gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);

  return json_generator_to_data (generator, NULL);
}

/**
 * hotpath_json_error:
 *
 * Returns: `{"error": "<message>"}`, the body of every live error
 */
char *
hotpath_json_error (const char *format,
                    ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return hotpath_json_to_string (root, FALSE);
}
