/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-functions.c: the `functions_timing` and `functions_alloc`
 * sections. The collector aggregates measured calls itself (they are the
 * hot path) and keeps the functions in the snapshot; these descriptions
 * say what a function's row holds, for every output.
 */

#include "config.h"

#include "hotpath-alloc-core-private.h"
#include "hotpath-format-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-snapshot-private.h"

/* -------------------------------------------------------- timing */

static gconstpointer
timing_data (HotpathSnapshot *snapshot)
{
  return snapshot;
}

static guint
timing_count (gconstpointer container)
{
  const HotpathSnapshot *snapshot = container;

  return snapshot->functions->len;
}

static gconstpointer
timing_nth (gconstpointer container,
            guint         index)
{
  const HotpathSnapshot *snapshot = container;

  return g_ptr_array_index (snapshot->functions, index);
}

enum
{
  COLUMN_ID,
  COLUMN_NAME,
  COLUMN_FILE,
  COLUMN_LINE,
  COLUMN_CALLS,
  COLUMN_AVG,
  COLUMN_MIN,
  COLUMN_PERCENTILES,
  COLUMN_MAX,
  COLUMN_TOTAL,
  COLUMN_SELF,
  COLUMN_PERCENT_TOTAL,
  COLUMN_LOGS,
  COLUMN_ALLOC_LOGS,
};

static void
function_get (gconstpointer       row,
              const HotpathField *field,
              HotpathValue       *value)
{
  /* The public getters take no const: they only read. */
  HotpathFunctionStats *stats = (HotpathFunctionStats *) row;

  switch (field->arg)
    {
    case COLUMN_ID:      hotpath_value_set_uint (value, stats->id); break;
    case COLUMN_NAME:    hotpath_value_set_string (value, stats->name); break;
    case COLUMN_FILE:    hotpath_value_set_string (value, stats->file); break;
    case COLUMN_LINE:    hotpath_value_set_uint (value, stats->line); break;
    case COLUMN_CALLS:   hotpath_value_set_uint (value, hotpath_function_stats_get_calls (stats)); break;
    case COLUMN_AVG:     hotpath_value_set_uint (value, hotpath_function_stats_get_avg_ns (stats)); break;
    case COLUMN_MIN:     hotpath_value_set_uint (value, hotpath_function_stats_get_min_ns (stats)); break;
    case COLUMN_PERCENTILES:
      hotpath_value_set_histogram (value, &stats->histogram, stats->ns_per_tick);
      break;
    case COLUMN_MAX:     hotpath_value_set_uint (value, hotpath_function_stats_get_max_ns (stats)); break;
    case COLUMN_TOTAL:   hotpath_value_set_uint (value, hotpath_function_stats_get_total_ns (stats)); break;
    case COLUMN_SELF:
      {
        guint64 self_ns;

        /* Only measure-all knows callees. */
        if (hotpath_function_stats_get_self_ns (stats, &self_ns))
          hotpath_value_set_uint (value, self_ns);
      }
      break;
    case COLUMN_PERCENT_TOTAL:
      hotpath_value_set_double (value, hotpath_function_stats_get_percent_total (stats));
      break;
    case COLUMN_LOGS:    hotpath_value_set_rows (value, stats); break;
    case COLUMN_ALLOC_LOGS:
      if (stats->alloc != NULL)
        hotpath_value_set_rows (value, stats->alloc);
      break;
    default:             break;
    }
}

enum
{
  LOG_DURATION,
  LOG_END,
  LOG_THREAD,
};

static void
log_get (gconstpointer       row,
         const HotpathField *field,
         HotpathValue       *value)
{
  const HotpathLogEntry *entry = row;

  switch (field->arg)
    {
    case LOG_DURATION: hotpath_value_set_uint (value, entry->duration_ns); break;
    case LOG_END:      hotpath_value_set_uint (value, entry->end_ns); break;
    case LOG_THREAD:   hotpath_value_set_uint (value, entry->thread_id); break;
    default:           break;
    }
}

static guint
logs_count (gconstpointer container)
{
  const HotpathFunctionStats *stats = container;

  return stats->n_logs;
}

/* Newest first, as a person reads a log. */
static gconstpointer
logs_nth (gconstpointer container,
          guint         index)
{
  const HotpathFunctionStats *stats = container;

  return &stats->logs[stats->n_logs - 1 - index];
}

static const HotpathField log_fields[] = {
  { "index", HOTPATH_FIELD_POSITION, .help = "0 for the newest call", .title = "#" },
  { "duration_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "how long the call took", "Duration",
    .get = log_get, .arg = LOG_DURATION },
  { "end_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "when it ended, since the session started",
    "Ended at", .get = log_get, .arg = LOG_END },
  { "thread_id", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "the calling thread", "Thread",
    .get = log_get, .arg = LOG_THREAD },
};

static const HotpathRowsDesc log_rows = {
  log_fields, G_N_ELEMENTS (log_fields), logs_count, logs_nth,
};

static const HotpathField timing_fields[] = {
  { "id", HOTPATH_FIELD_ID, .get = function_get, .arg = COLUMN_ID },
  { "name", HOTPATH_FIELD_TEXT, .help = "domain::function, or the label given",
    .title = "Function", .get = function_get, .arg = COLUMN_NAME },
  { "file", HOTPATH_FIELD_TEXT, .get = function_get, .arg = COLUMN_FILE },
  { "line", HOTPATH_FIELD_GAUGE, .get = function_get, .arg = COLUMN_LINE },
  { "calls", HOTPATH_FIELD_COUNTER, .help = "calls this session", .title = "Calls",
    .get = function_get, .arg = COLUMN_CALLS },
  { "avg_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "mean duration of a call", "Avg",
    .get = function_get, .arg = COLUMN_AVG, .metric = "-" },
  /* Min and max have no column of their own: percentiles 0 and 100 are
   * the table's Min and Max when configured. */
  { "min_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "shortest call", NULL,
    .get = function_get, .arg = COLUMN_MIN, .metric = "-" },
  { "percentiles_ns", HOTPATH_FIELD_PERCENTILES, HOTPATH_UNIT_NS, "duration of a call",
    "P", .get = function_get, .arg = COLUMN_PERCENTILES, .metric = "duration_seconds" },
  { "max_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "longest call", NULL,
    .get = function_get, .arg = COLUMN_MAX, .metric = "-" },
  { "total_ns", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NS, "time in the function", "Total",
    .get = function_get, .arg = COLUMN_TOTAL, .metric = "-" },
  { "self_ns", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NS,
    "measure-all: time in the function itself, without the measured functions it called", "Self",
    .get = function_get, .arg = COLUMN_SELF },
  { "percent_total", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_PERCENT,
    "total time as a share of the session's wall time; above 100 when calls overlap",
    "% Total", .get = function_get, .arg = COLUMN_PERCENT_TOTAL, .metric = "-" },
};

/* measure-all's time filter: the functions it stopped measuring because
 * their calls stayed under its threshold; absent when it dropped none. */
enum
{
  FILTER_THRESHOLD,
  FILTER_LEARN_CALLS,
  FILTER_FILTERED,
};

static void
filter_get (gconstpointer       row,
            const HotpathField *field,
            HotpathValue       *value)
{
  const HotpathSnapshot *snapshot = row;

  if (snapshot->filtered == NULL || snapshot->filtered->len == 0)
    return;

  switch (field->arg)
    {
    case FILTER_THRESHOLD:   hotpath_value_set_uint (value, snapshot->time_filter_ns); break;
    case FILTER_LEARN_CALLS: hotpath_value_set_uint (value, snapshot->time_filter_calls); break;
    case FILTER_FILTERED:    hotpath_value_set_rows (value, snapshot); break;
    default:                 break;
    }
}

static guint
filtered_count (gconstpointer container)
{
  const HotpathSnapshot *snapshot = container;

  return snapshot->filtered->len;
}

static gconstpointer
filtered_nth (gconstpointer container,
              guint         index)
{
  const HotpathSnapshot *snapshot = container;

  return g_ptr_array_index (snapshot->filtered, index);
}

static const HotpathField filtered_fields[] = {
  { "id", HOTPATH_FIELD_ID, .get = function_get, .arg = COLUMN_ID },
  { "name", HOTPATH_FIELD_TEXT, .title = "Function", .get = function_get, .arg = COLUMN_NAME },
  { "calls", HOTPATH_FIELD_COUNTER, .help = "calls measured before it was dropped", .title = "Calls",
    .get = function_get, .arg = COLUMN_CALLS },
  { "max_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "its longest call", "Max",
    .get = function_get, .arg = COLUMN_MAX },
};

static const HotpathRowsDesc filtered_rows = {
  filtered_fields, G_N_ELEMENTS (filtered_fields), filtered_count, filtered_nth,
};

static const HotpathField timing_header[] = {
  { "threshold_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "functions whose calls stay under this (99 in 100) are dropped",
    .group = "time_filter", .get = filter_get, .arg = FILTER_THRESHOLD, .metric = "-" },
  { "learn_calls", HOTPATH_FIELD_GAUGE, .help = "calls measured before deciding", .group = "time_filter",
    .get = filter_get, .arg = FILTER_LEARN_CALLS, .metric = "-" },
  { "filtered", HOTPATH_FIELD_ROWS, .help = "the functions dropped", .rows = &filtered_rows,
    .group = "time_filter", .get = filter_get, .arg = FILTER_FILTERED },
};

static const HotpathRowsDesc timing_rows = {
  timing_fields, G_N_ELEMENTS (timing_fields), timing_count, timing_nth,
};

/* An item served with its logs: who it is and its last calls. */
static const HotpathField timing_item_fields[] = {
  { "id", HOTPATH_FIELD_ID, .get = function_get, .arg = COLUMN_ID },
  { "name", HOTPATH_FIELD_TEXT, .title = "Function", .get = function_get, .arg = COLUMN_NAME },
  { "logs", HOTPATH_FIELD_ROWS, .help = "the last calls, newest first", .rows = &log_rows,
    .get = function_get, .arg = COLUMN_LOGS },
};

static const HotpathRowsDesc timing_item = {
  timing_item_fields, G_N_ELEMENTS (timing_item_fields), timing_count, timing_nth,
};

static void
timing_heading (const HotpathSectionDesc *section,
                HotpathSnapshot          *snapshot,
                GString                  *out)
{
  guint n = snapshot->functions->len;
  g_autofree char *elapsed = hotpath_format_duration (snapshot->elapsed_ns);

  g_string_append_printf (out, "[hotpath] %s: %s elapsed, %u measured function%s\n",
                          snapshot->name, elapsed, n, n == 1 ? "" : "s");
}

static void
timing_row_text (const HotpathSectionDesc *section,
                 HotpathSnapshot          *snapshot,
                 gconstpointer             row,
                 GString                  *out)
{
  HotpathFunctionStats *stats = (HotpathFunctionStats *) row;

  g_string_append_printf (out, "%" G_GUINT64_FORMAT " calls", hotpath_function_stats_get_calls (stats));
  hotpath_format_append_duration (out, ", total ", hotpath_function_stats_get_total_ns (stats));
  g_string_append_printf (out, " (%.2f%% of elapsed)", hotpath_function_stats_get_percent_total (stats));
  {
    guint64 self_ns;

    if (hotpath_function_stats_get_self_ns (stats, &self_ns))
      hotpath_format_append_duration (out, ", self ", self_ns);
  }
  hotpath_format_append_duration (out, ", avg ", hotpath_function_stats_get_avg_ns (stats));
  hotpath_format_append_duration (out, ", min ", hotpath_function_stats_get_min_ns (stats));
  hotpath_format_append_duration (out, ", max ", hotpath_function_stats_get_max_ns (stats));
  for (guint p = 0; p < snapshot->percentiles->len; p++)
    {
      double rank = g_array_index (snapshot->percentiles, double, p);
      g_autofree char *key = hotpath_format_percentile_key (rank);
      g_autofree char *prefix = g_strdup_printf (", %s ", key);

      hotpath_format_append_duration (out, prefix, hotpath_function_stats_get_percentile_ns (stats, rank));
    }
}

/* Under the table: which functions measure-all's time filter dropped. */
static void
timing_table (const HotpathSectionDesc *section,
              HotpathSnapshot          *snapshot,
              guint                     n_shown,
              GString                  *out)
{
  g_autofree char *threshold = NULL;

  if (snapshot->filtered == NULL || snapshot->filtered->len == 0)
    return;

  threshold = hotpath_format_duration (snapshot->time_filter_ns);
  g_string_append_printf (out, "(%u function%s stayed under %s a call and %s no longer measured "
                          "after %u calls or more; HOTPATH_TIME_FILTER=0 keeps them:",
                          snapshot->filtered->len, snapshot->filtered->len == 1 ? "" : "s",
                          threshold, snapshot->filtered->len == 1 ? "is" : "are",
                          snapshot->time_filter_calls);
  for (guint i = 0; i < snapshot->filtered->len; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (snapshot->filtered, i);

      /* A long list says how long it is, not every name. */
      if (i == 20)
        {
          g_string_append_printf (out, " and %u more", snapshot->filtered->len - i);
          break;
        }
      g_string_append_printf (out, "%s %s", i == 0 ? "" : ",", stats->name);
    }
  g_string_append (out, ")\n");
}

static void
timing_log_text (const HotpathSectionDesc *section,
                 gconstpointer             item,
                 gconstpointer             line,
                 guint                     position,
                 GString                  *out)
{
  const HotpathLogEntry *entry = line;

  g_string_append_printf (out, "#%u", position);
  hotpath_format_append_duration (out, "  ", entry->duration_ns);
  hotpath_format_append_duration (out, "  ended at ", entry->end_ns);
  g_string_append_printf (out, " into the session  thread %" G_GUINT64_FORMAT, entry->thread_id);
}

const HotpathSectionDesc hotpath_functions_timing_section = {
  .name = "functions_timing",
  .title = "measured functions",
  .description = "Timing of the functions and blocks measured with HOTPATH_MEASURE(), "
                 "largest total time first.",
  .schema_def = "functions_timing",
  .logs_schema_def = "function_logs",
  .data = timing_data,
  .rows = &timing_rows,
  .header = timing_header,
  .n_header = G_N_ELEMENTS (timing_header),
  .percentile_ranks = TRUE,
  .report_when_empty = TRUE,
  .has_logs = TRUE,
  .item = &timing_item,
  .when_empty = "(no measured function was called)",
  .item_noun = "function",
  .items_noun = "functions",
  .order = "with the largest total time",
  .log_noun = "call",
  .logs_noun = "calls",
  .heading = timing_heading,
  .table = timing_table,
  .row_text = timing_row_text,
  .log_text = timing_log_text,
  .metric_prefix = "function",
  .metric_label = "function",
};

/* --------------------------------------------------------- allocations */

static const char * const metric_keys[HOTPATH_ALLOC_N_METRICS] = {
  "bytes", "count", "peak_bytes", "peak_count",
};

static gconstpointer
alloc_data (HotpathSnapshot *snapshot)
{
  return snapshot->alloc;
}

static guint
alloc_count (gconstpointer container)
{
  const HotpathAllocSnapshot *alloc = container;

  return alloc->functions->len;
}

static gconstpointer
alloc_nth (gconstpointer container,
           guint         index)
{
  const HotpathAllocSnapshot *alloc = container;

  return g_ptr_array_index (alloc->functions, index);
}

/* field->arg: metric * N_STATS + one of these */
enum
{
  STAT_TOTAL,
  STAT_AVG,
  STAT_MIN,
  STAT_MAX,
  STAT_PERCENTILES,
  STAT_PERCENT_TOTAL,
  N_STATS,
};

static void
alloc_metric_get (gconstpointer       row,
                  const HotpathField *field,
                  HotpathValue       *value)
{
  const HotpathFunctionStats *stats = row;
  guint metric = field->arg / N_STATS;
  const HotpathHistogram *histogram = &stats->alloc->metrics[metric];

  switch (field->arg % N_STATS)
    {
    case STAT_TOTAL:
      hotpath_value_set_uint (value, histogram->sum);
      break;
    case STAT_AVG:
      hotpath_value_set_uint (value, histogram->count
                                       ? (guint64) ((double) histogram->sum / (double) histogram->count + 0.5)
                                       : 0);
      break;
    case STAT_MIN:
      hotpath_value_set_uint (value, histogram->count ? histogram->min : 0);
      break;
    case STAT_MAX:
      hotpath_value_set_uint (value, histogram->max);
      break;
    case STAT_PERCENTILES:
      hotpath_value_set_histogram (value, histogram, 1.0);
      break;
    case STAT_PERCENT_TOTAL:
      hotpath_value_set_double (value, stats->alloc->percent_total[metric]);
      break;
    default:
      break;
    }
}

static void
alloc_calls_get (gconstpointer       row,
                 const HotpathField *field,
                 HotpathValue       *value)
{
  const HotpathFunctionStats *stats = row;

  hotpath_value_set_uint (value, stats->alloc->metrics[0].count);
}

/* The table shows the group of the chosen metric (HOTPATH_ALLOC_METRIC). */
#define METRIC_FIELDS(m, key, unit, what) \
  { "avg", HOTPATH_FIELD_GAUGE, unit, what " per call, mean", "Avg", .group = key, \
    .get = alloc_metric_get, .arg = (m) * N_STATS + STAT_AVG, .metric = "-" }, \
  { "min", HOTPATH_FIELD_GAUGE, unit, what " per call, least", .group = key, \
    .get = alloc_metric_get, .arg = (m) * N_STATS + STAT_MIN, .metric = "-" }, \
  { "max", HOTPATH_FIELD_GAUGE, unit, what " per call, most", .group = key, \
    .get = alloc_metric_get, .arg = (m) * N_STATS + STAT_MAX, .metric = "-" }, \
  { "percentiles", HOTPATH_FIELD_PERCENTILES, unit, what " per call", "P", .group = key, \
    .get = alloc_metric_get, .arg = (m) * N_STATS + STAT_PERCENTILES, .metric = "" }, \
  { "total", HOTPATH_FIELD_COUNTER, unit, what ", summed over the calls", "Total", .group = key, \
    .get = alloc_metric_get, .arg = (m) * N_STATS + STAT_TOTAL, .metric = "-" }, \
  { "percent_total", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_PERCENT, what ", share of the session's", \
    "% Total", .group = key, .get = alloc_metric_get, .arg = (m) * N_STATS + STAT_PERCENT_TOTAL, \
    .metric = "-" }

static const HotpathField alloc_fields[] = {
  { "id", HOTPATH_FIELD_ID, .get = function_get, .arg = COLUMN_ID },
  { "name", HOTPATH_FIELD_TEXT, .title = "Function", .get = function_get, .arg = COLUMN_NAME },
  { "file", HOTPATH_FIELD_TEXT, .get = function_get, .arg = COLUMN_FILE },
  { "line", HOTPATH_FIELD_GAUGE, .get = function_get, .arg = COLUMN_LINE },
  { "calls", HOTPATH_FIELD_COUNTER, .help = "calls with allocation figures", .title = "Calls",
    .get = alloc_calls_get },
  METRIC_FIELDS (HOTPATH_ALLOC_METRIC_BYTES, "bytes", HOTPATH_UNIT_BYTES, "bytes allocated"),
  METRIC_FIELDS (HOTPATH_ALLOC_METRIC_COUNT, "count", HOTPATH_UNIT_NONE, "allocations"),
  METRIC_FIELDS (HOTPATH_ALLOC_METRIC_PEAK_BYTES, "peak_bytes", HOTPATH_UNIT_BYTES, "peak live bytes"),
  METRIC_FIELDS (HOTPATH_ALLOC_METRIC_PEAK_COUNT, "peak_count", HOTPATH_UNIT_NONE, "peak live allocations"),
};

static const HotpathRowsDesc alloc_rows = {
  alloc_fields, G_N_ELEMENTS (alloc_fields), alloc_count, alloc_nth,
};

/* The section's own figures: mode, metric and the totals. */
enum
{
  HEADER_MODE,
  HEADER_METRIC,
  HEADER_PROCESS,
  HEADER_SESSION,
  HEADER_THREADS,
};

enum
{
  TOTAL_THREAD_ID,
  TOTAL_EXITED,
  TOTAL_REQUEST_BYTES,
  TOTAL_ALLOC_BYTES,
  TOTAL_ALLOC_COUNT,
  TOTAL_FREE_BYTES,
  TOTAL_FREE_COUNT,
  TOTAL_LIVE_BYTES,
  TOTAL_LIVE_COUNT,
};

static void
totals_get (gconstpointer       row,
            const HotpathField *field,
            HotpathValue       *value)
{
  const HotpathAllocTotals *totals = row;

  switch (field->arg)
    {
    case TOTAL_THREAD_ID:     hotpath_value_set_uint (value, totals->thread_id); break;
    case TOTAL_EXITED:        value->type = HOTPATH_VALUE_BOOLEAN; value->b = totals->thread_id == 0; break;
    case TOTAL_REQUEST_BYTES: hotpath_value_set_uint (value, totals->request_bytes); break;
    case TOTAL_ALLOC_BYTES:   hotpath_value_set_uint (value, totals->alloc_bytes); break;
    case TOTAL_ALLOC_COUNT:   hotpath_value_set_uint (value, totals->alloc_count); break;
    case TOTAL_FREE_BYTES:    hotpath_value_set_uint (value, totals->free_bytes); break;
    case TOTAL_FREE_COUNT:    hotpath_value_set_uint (value, totals->free_count); break;
    /* A thread that frees what others allocated has negative live figures. */
    case TOTAL_LIVE_BYTES:
      hotpath_value_set_int (value, (gint64) (totals->alloc_bytes - totals->free_bytes));
      break;
    case TOTAL_LIVE_COUNT:
      hotpath_value_set_int (value, (gint64) (totals->alloc_count - totals->free_count));
      break;
    default:
      break;
    }
}

/* The process's and the session's totals are fields of the section whose
 * getter reads the right struct; a thread's are rows of its own. */
static void
header_totals_get (gconstpointer       row,
                   const HotpathField *field,
                   HotpathValue       *value)
{
  const HotpathAllocSnapshot *alloc = row;
  const HotpathAllocTotals *totals = g_str_equal (field->group, "process") ? &alloc->process : &alloc->session;

  totals_get (totals, field, value);
}

#define TOTAL_FIELDS(group_, get_) \
  { "request_bytes", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_BYTES, "bytes asked for", .group = group_, \
    .get = get_, .arg = TOTAL_REQUEST_BYTES }, \
  { "alloc_bytes", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_BYTES, "usable bytes allocated", .group = group_, \
    .get = get_, .arg = TOTAL_ALLOC_BYTES }, \
  { "alloc_count", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "allocations", .group = group_, \
    .get = get_, .arg = TOTAL_ALLOC_COUNT }, \
  { "free_bytes", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_BYTES, "usable bytes freed", .group = group_, \
    .get = get_, .arg = TOTAL_FREE_BYTES }, \
  { "free_count", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "frees", .group = group_, \
    .get = get_, .arg = TOTAL_FREE_COUNT }, \
  { "live_bytes", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_BYTES, "usable bytes allocated, not freed", \
    .group = group_, .get = get_, .arg = TOTAL_LIVE_BYTES }, \
  { "live_count", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "allocations not freed", .group = group_, \
    .get = get_, .arg = TOTAL_LIVE_COUNT }

static const HotpathField thread_fields[] = {
  { "thread_id", HOTPATH_FIELD_ID, .help = "kernel thread id; 0 sums the threads that exited",
    .title = "Thread", .get = totals_get, .arg = TOTAL_THREAD_ID },
  { "exited", HOTPATH_FIELD_GAUGE, .help = "the row sums threads that exited",
    .get = totals_get, .arg = TOTAL_EXITED },
  TOTAL_FIELDS (NULL, totals_get),
};

static guint
threads_count (gconstpointer container)
{
  const HotpathAllocSnapshot *alloc = container;

  return alloc->threads->len;
}

static gconstpointer
threads_nth (gconstpointer container,
             guint         index)
{
  const HotpathAllocSnapshot *alloc = container;

  return &g_array_index (alloc->threads, HotpathAllocTotals, index);
}

static const HotpathRowsDesc thread_rows = {
  thread_fields, G_N_ELEMENTS (thread_fields), threads_count, threads_nth,
};

static void
header_get (gconstpointer       row,
            const HotpathField *field,
            HotpathValue       *value)
{
  const HotpathAllocSnapshot *alloc = row;

  switch (field->arg)
    {
    case HEADER_MODE:    hotpath_value_set_string (value, alloc->self_mode ? "self" : "cumulative"); break;
    case HEADER_METRIC:  hotpath_value_set_string (value, metric_keys[alloc->metric]); break;
    case HEADER_THREADS: hotpath_value_set_rows (value, alloc); break;
    default:             break;
    }
}

static const HotpathField alloc_header[] = {
  { "mode", HOTPATH_FIELD_TEXT, .help = "cumulative (callees included, recursion counted once) or self",
    .get = header_get, .arg = HEADER_MODE },
  { "metric", HOTPATH_FIELD_TEXT, .help = "the metric rows are sorted by",
    .get = header_get, .arg = HEADER_METRIC },
  TOTAL_FIELDS ("process", header_totals_get),
  TOTAL_FIELDS ("session", header_totals_get),
  { "threads", HOTPATH_FIELD_ROWS, .help = "the same totals per thread", .rows = &thread_rows,
    .get = header_get, .arg = HEADER_THREADS },
};

enum
{
  ALLOC_LOG_VALUE,          /* + metric */
  ALLOC_LOG_END = HOTPATH_ALLOC_N_METRICS,
  ALLOC_LOG_THREAD,
};

static void
alloc_log_get (gconstpointer       row,
               const HotpathField *field,
               HotpathValue       *value)
{
  const HotpathAllocLogEntry *entry = row;

  if (field->arg < HOTPATH_ALLOC_N_METRICS)
    hotpath_value_set_uint (value, entry->values[field->arg]);
  else if (field->arg == ALLOC_LOG_END)
    hotpath_value_set_uint (value, entry->end_ns);
  else
    hotpath_value_set_uint (value, entry->thread_id);
}

static guint
alloc_logs_count (gconstpointer container)
{
  const HotpathAllocStats *alloc = container;

  return alloc->n_logs;
}

static gconstpointer
alloc_logs_nth (gconstpointer container,
                guint         index)
{
  const HotpathAllocStats *alloc = container;

  return &alloc->logs[alloc->n_logs - 1 - index];
}

static const HotpathField alloc_log_fields[] = {
  { "index", HOTPATH_FIELD_POSITION, .help = "0 for the newest call", .title = "#" },
  { "bytes", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_BYTES, "bytes allocated", "Bytes",
    .get = alloc_log_get, .arg = HOTPATH_ALLOC_METRIC_BYTES },
  { "count", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "allocations", "Allocations",
    .get = alloc_log_get, .arg = HOTPATH_ALLOC_METRIC_COUNT },
  { "peak_bytes", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_BYTES, "peak live bytes", "Peak bytes",
    .get = alloc_log_get, .arg = HOTPATH_ALLOC_METRIC_PEAK_BYTES },
  { "peak_count", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "peak live allocations", "Peak count",
    .get = alloc_log_get, .arg = HOTPATH_ALLOC_METRIC_PEAK_COUNT },
  { "end_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "when it ended, since the session started",
    "Ended at", .get = alloc_log_get, .arg = ALLOC_LOG_END },
  { "thread_id", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "the calling thread", "Thread",
    .get = alloc_log_get, .arg = ALLOC_LOG_THREAD },
};

static const HotpathRowsDesc alloc_log_rows = {
  alloc_log_fields, G_N_ELEMENTS (alloc_log_fields), alloc_logs_count, alloc_logs_nth,
};

static const HotpathField alloc_item_fields[] = {
  { "id", HOTPATH_FIELD_ID, .get = function_get, .arg = COLUMN_ID },
  { "name", HOTPATH_FIELD_TEXT, .title = "Function", .get = function_get, .arg = COLUMN_NAME },
  { "logs", HOTPATH_FIELD_ROWS, .help = "what the last calls allocated, newest first",
    .rows = &alloc_log_rows, .get = function_get, .arg = COLUMN_ALLOC_LOGS },
};

static const HotpathRowsDesc alloc_item = {
  alloc_item_fields, G_N_ELEMENTS (alloc_item_fields), alloc_count, alloc_nth,
};

static const char * const metric_titles[HOTPATH_ALLOC_N_METRICS] = {
  "bytes allocated", "allocations", "peak live bytes", "peak live allocations",
};

static void
alloc_heading (const HotpathSectionDesc *section,
               HotpathSnapshot          *snapshot,
               GString                  *out)
{
  const HotpathAllocSnapshot *alloc = snapshot->alloc;
  g_autofree char *session_bytes = hotpath_format_bytes (alloc->session.request_bytes);

  g_string_append_printf (out, "[hotpath] allocations, %s (%s): %s in %" G_GUINT64_FORMAT
                          " allocation%s during the session\n",
                          metric_titles[alloc->metric], alloc->self_mode ? "self" : "cumulative",
                          session_bytes, alloc->session.alloc_count,
                          alloc->session.alloc_count == 1 ? "" : "s");
}

static const char *
alloc_table_group (HotpathSnapshot *snapshot)
{
  return snapshot->alloc != NULL ? metric_keys[snapshot->alloc->metric] : NULL;
}

static void
alloc_row_text (const HotpathSectionDesc *section,
                HotpathSnapshot          *snapshot,
                gconstpointer             row,
                GString                  *out)
{
  const HotpathFunctionStats *stats = row;
  const HotpathHistogram *bytes = &stats->alloc->metrics[HOTPATH_ALLOC_METRIC_BYTES];
  const HotpathHistogram *count = &stats->alloc->metrics[HOTPATH_ALLOC_METRIC_COUNT];
  const HotpathHistogram *peak_bytes = &stats->alloc->metrics[HOTPATH_ALLOC_METRIC_PEAK_BYTES];
  const HotpathHistogram *peak_count = &stats->alloc->metrics[HOTPATH_ALLOC_METRIC_PEAK_COUNT];
  g_autofree char *total = hotpath_format_bytes (bytes->sum);
  g_autofree char *avg = hotpath_format_bytes (bytes->count ? (guint64) ((double) bytes->sum / (double) bytes->count + 0.5) : 0);
  g_autofree char *max = hotpath_format_bytes (bytes->max);
  g_autofree char *peak = hotpath_format_bytes (peak_bytes->max);

  g_string_append_printf (out, "%" G_GUINT64_FORMAT " calls, %s in %" G_GUINT64_FORMAT
                          " allocations (avg %s, max %s per call), peak live %s and %" G_GUINT64_FORMAT
                          " blocks in one call",
                          bytes->count, total, count->sum, avg, max, peak, peak_count->max);
}

static void
alloc_log_text (const HotpathSectionDesc *section,
                gconstpointer             item,
                gconstpointer             line,
                guint                     position,
                GString                  *out)
{
  const HotpathAllocLogEntry *entry = line;
  g_autofree char *bytes = hotpath_format_bytes (entry->values[HOTPATH_ALLOC_METRIC_BYTES]);
  g_autofree char *peak = hotpath_format_bytes (entry->values[HOTPATH_ALLOC_METRIC_PEAK_BYTES]);

  g_string_append_printf (out, "#%u  %s in %" G_GUINT64_FORMAT " allocations, peak %s in %"
                          G_GUINT64_FORMAT " blocks", position, bytes,
                          entry->values[HOTPATH_ALLOC_METRIC_COUNT], peak,
                          entry->values[HOTPATH_ALLOC_METRIC_PEAK_COUNT]);
  hotpath_format_append_duration (out, "  ended at ", entry->end_ns);
  g_string_append_printf (out, " into the session  thread %" G_GUINT64_FORMAT, entry->thread_id);
}

const HotpathSectionDesc hotpath_functions_alloc_section = {
  .name = "functions_alloc",
  .title = "allocations",
  .description = "Memory allocated by each measured function, per call: bytes asked for, "
                 "allocation count, and peak live bytes and blocks during the call; "
                 "present when libhotpath-glib-alloc-1 is loaded.",
  .schema_def = "functions_alloc",
  .logs_schema_def = "function_alloc_logs",
  .data = alloc_data,
  .rows = &alloc_rows,
  .header = alloc_header,
  .n_header = G_N_ELEMENTS (alloc_header),
  .percentile_ranks = TRUE,
  .report_when_empty = TRUE,
  .has_logs = TRUE,
  .item = &alloc_item,
  .when_empty = "(no measured function was called)",
  .item_noun = "function",
  .items_noun = "functions",
  .order = "by the chosen metric",
  .log_noun = "call",
  .logs_noun = "calls",
  .heading = alloc_heading,
  .table_group = alloc_table_group,
  .row_text = alloc_row_text,
  .log_text = alloc_log_text,
  .metric_prefix = "function_alloc",
  .metric_label = "function",
};
