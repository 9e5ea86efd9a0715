/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-report-json.c: the JSON of every section, built in one place.
 * data/hotpath-report.schema.json describes it; tests validate every output
 * against that schema.
 */

#include "config.h"

#include "hotpath-json-private.h"
#include "hotpath-report-private.h"
#include "hotpath-snapshot-private.h"

static void
add_function (JsonBuilder          *builder,
              HotpathSnapshot      *snapshot,
              HotpathFunctionStats *stats)
{
  g_autofree guint64 *values = g_new (guint64, MAX (snapshot->percentiles->len, 1));
  guint64 self_ns;

  hotpath_histogram_values_at_percentiles (&stats->histogram,
                                           (const double *) (gpointer) snapshot->percentiles->data,
                                           snapshot->percentiles->len, values);
  for (guint i = 0; i < snapshot->percentiles->len; i++)
    values[i] = hotpath_function_stats_ticks_to_ns (stats, values[i]);

  json_builder_begin_object (builder);
  hotpath_json_add_uint (builder, "id", stats->id);
  hotpath_json_add_string (builder, "name", stats->name);
  hotpath_json_add_string (builder, "file", stats->file);
  hotpath_json_add_uint (builder, "line", stats->line);
  hotpath_json_add_uint (builder, "calls", hotpath_function_stats_get_calls (stats));
  hotpath_json_add_uint (builder, "total_ns", hotpath_function_stats_get_total_ns (stats));
  if (hotpath_function_stats_get_self_ns (stats, &self_ns))
    hotpath_json_add_uint (builder, "self_ns", self_ns);
  hotpath_json_add_uint (builder, "avg_ns", hotpath_function_stats_get_avg_ns (stats));
  hotpath_json_add_uint (builder, "min_ns", hotpath_function_stats_get_min_ns (stats));
  hotpath_json_add_uint (builder, "max_ns", hotpath_function_stats_get_max_ns (stats));

  hotpath_json_add_percentiles (builder, "percentiles_ns", snapshot, values);
  hotpath_json_add_double (builder, "percent_total", hotpath_function_stats_get_percent_total (stats));
  json_builder_end_object (builder);
}

/**
 * hotpath_report_json_functions_timing:
 * @snapshot: a snapshot
 * @limit: how many functions, by total time; 0 for all
 *
 * Returns: (transfer full): the `functions_timing` section
 */
JsonNode *
hotpath_report_json_functions_timing (HotpathSnapshot *snapshot,
                                      guint            limit)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint n = snapshot->functions->len;

  if (limit > 0)
    n = MIN (n, limit);

  json_builder_begin_object (builder);
  hotpath_json_add_percentile_ranks (builder, snapshot);
  hotpath_json_add_uint (builder, "total_count", snapshot->functions->len);
  hotpath_json_add_uint (builder, "limit", limit);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    add_function (builder, snapshot, g_ptr_array_index (snapshot->functions, i));
  json_builder_end_array (builder);

  /* measure-all's time filter: what it dropped, and what it saw first. */
  if (snapshot->filtered->len > 0)
    {
      json_builder_set_member_name (builder, "time_filter");
      json_builder_begin_object (builder);
      hotpath_json_add_uint (builder, "threshold_ns", snapshot->time_filter_ns);
      hotpath_json_add_uint (builder, "learn_calls", snapshot->time_filter_calls);
      json_builder_set_member_name (builder, "filtered");
      json_builder_begin_array (builder);
      for (guint i = 0; i < snapshot->filtered->len; i++)
        {
          HotpathFunctionStats *stats = g_ptr_array_index (snapshot->filtered, i);

          json_builder_begin_object (builder);
          hotpath_json_add_uint (builder, "id", stats->id);
          hotpath_json_add_string (builder, "name", stats->name);
          hotpath_json_add_uint (builder, "calls", hotpath_function_stats_get_calls (stats));
          hotpath_json_add_uint (builder, "max_ns", hotpath_function_stats_get_max_ns (stats));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * hotpath_report_json_function_logs:
 * @snapshot: a snapshot
 * @function_id: a function's numeric id
 *
 * Returns: (transfer full) (nullable): the function's recent calls, or
 *   %NULL if no function has that id
 */
JsonNode *
hotpath_report_json_function_logs (HotpathSnapshot *snapshot,
                                   guint            function_id)
{
  g_autoptr(JsonBuilder) builder = NULL;
  HotpathFunctionStats *stats = NULL;

  for (guint i = 0; i < snapshot->functions->len && stats == NULL; i++)
    {
      HotpathFunctionStats *candidate = g_ptr_array_index (snapshot->functions, i);
      if (candidate->id == function_id)
        stats = candidate;
    }

  if (stats == NULL)
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  hotpath_json_add_uint (builder, "id", stats->id);
  hotpath_json_add_string (builder, "name", stats->name);
  json_builder_set_member_name (builder, "logs");
  json_builder_begin_array (builder);
  /* Newest first, as a person reads a log. */
  for (guint i = stats->n_logs; i > 0; i--)
    {
      const HotpathLogEntry *entry = &stats->logs[i - 1];

      json_builder_begin_object (builder);
      hotpath_json_add_uint (builder, "index", stats->n_logs - i);
      hotpath_json_add_uint (builder, "duration_ns", entry->duration_ns);
      hotpath_json_add_uint (builder, "end_ns", entry->end_ns);
      hotpath_json_add_uint (builder, "thread_id", entry->thread_id);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * hotpath_report_json_clock:
 * @snapshot: a snapshot
 *
 * The `clock` object of the report and of /profiler_status: which clock
 * timed the measured code, its rate and why it was chosen.
 *
 * Returns: (transfer full): the object
 */
JsonNode *
hotpath_report_json_clock (HotpathSnapshot *snapshot)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  hotpath_json_add_string (builder, "source", hotpath_clock_source_to_string (snapshot->clock_source));
  hotpath_json_add_double (builder, "ticks_per_second", snapshot->ticks_per_second);
  if (snapshot->clock_reason != NULL)
    hotpath_json_add_string (builder, "reason", snapshot->clock_reason);
  json_builder_set_member_name (builder, "kernel_clocksource");
  if (snapshot->kernel_clocksource != NULL)
    json_builder_add_string_value (builder, snapshot->kernel_clocksource);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * hotpath_report_json_report:
 * @snapshot: a snapshot
 *
 * Returns: (transfer full): the whole report
 */
JsonNode *
hotpath_report_json_report (HotpathSnapshot *snapshot)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  hotpath_json_add_string (builder, "type", "hotpath_report");
  hotpath_json_add_uint (builder, "version", HOTPATH_REPORT_VERSION);
  hotpath_json_add_string (builder, "program", snapshot->name);
  hotpath_json_add_uint (builder, "pid", (guint64) snapshot->pid);
  hotpath_json_add_uint (builder, "elapsed_ns", snapshot->elapsed_ns);

  json_builder_set_member_name (builder, "clock");
  json_builder_add_value (builder, hotpath_report_json_clock (snapshot));

  json_builder_set_member_name (builder, "sections");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "functions_timing");
  json_builder_add_value (builder, hotpath_report_json_functions_timing (snapshot, snapshot->limit));
  /* Allocation tracking: present only when the session had it. */
  if (snapshot->alloc != NULL)
    {
      json_builder_set_member_name (builder, "functions_alloc");
      json_builder_add_value (builder, hotpath_report_json_functions_alloc (snapshot, snapshot->limit));
    }
  hotpath_report_json_add_flow_sections (snapshot, builder);  /* flow (issue 4) */
  json_builder_end_object (builder);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * hotpath_snapshot_to_json:
 * @self: a #HotpathSnapshot
 * @pretty: whether to indent
 *
 * Returns: (transfer full): the JSON report, as described by
 *   data/hotpath-report.schema.json
 */
char *
hotpath_snapshot_to_json (HotpathSnapshot *self,
                          gboolean         pretty)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  root = hotpath_report_json_report (self);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);

  return json_generator_to_data (generator, NULL);
}
