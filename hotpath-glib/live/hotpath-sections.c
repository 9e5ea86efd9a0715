/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-sections.c: the sections the live API serves, in one table.
 *
 * HTTP, D-Bus and MCP iterate this table; none of them knows a section by
 * name. Section JSON itself is built in hotpath-report-json.c and
 * hotpath-report-flow.c only; the text for MCP is read back from that JSON
 * where it can be, so the summary and the raw JSON never disagree.
 */

#include "config.h"

#include <stdio.h>

#include "hotpath-format-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-report-private.h"
#include "hotpath-sections-private.h"
#include "hotpath-snapshot-private.h"

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

      guint64 self_ns;

      g_string_append_printf (text, "%u. %s (id %u): %" G_GUINT64_FORMAT " calls, total %s (%.2f%% of elapsed), ",
                              i + 1, hotpath_function_stats_get_name (stats),
                              hotpath_function_stats_get_id (stats),
                              hotpath_function_stats_get_calls (stats), total,
                              hotpath_function_stats_get_percent_total (stats));
      if (hotpath_function_stats_get_self_ns (stats, &self_ns))
        {
          g_autofree char *self_text = hotpath_format_duration (self_ns);

          g_string_append_printf (text, "self %s, ", self_text);
        }
      g_string_append_printf (text, "avg %s, min %s, max %s", avg, min, max);
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

/* ------------------------------------------------------------ data flow */

/* An item's logs are the item itself: its row carries its log ring, and
 * the counts beside the lines say what the lines are a sample of. */
static JsonNode *
channel_logs_json (HotpathSnapshot *snapshot,
                   guint            id)
{
  return hotpath_report_json_flow_item (snapshot, "channels", id);
}

static JsonNode *
future_logs_json (HotpathSnapshot *snapshot,
                  guint            id)
{
  return hotpath_report_json_flow_item (snapshot, "futures", id);
}

static JsonNode *
source_logs_json (HotpathSnapshot *snapshot,
                  guint            id)
{
  return hotpath_report_json_flow_item (snapshot, "sources", id);
}

static JsonNode *
main_loop_logs_json (HotpathSnapshot *snapshot,
                     guint            id)
{
  return hotpath_report_json_flow_item (snapshot, "main_loop", id);
}

static gboolean
is_flow_section (const HotpathSection *section)
{
  return section->json == hotpath_report_json_channels || section->json == hotpath_report_json_futures ||
         section->json == hotpath_report_json_sources || section->json == hotpath_report_json_main_loop;
}

/* The text is read back from the section's JSON, so that its order, its
 * limit and its numbers are those of the raw JSON that follows it. */

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
array_member (JsonObject *object,
              const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gint64
int_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0;
}

static guint64
uint_member (JsonObject *object,
             const char *name)
{
  return (guint64) MAX (int_member (object, name), 0);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
append_duration (GString    *text,
                 const char *prefix,
                 guint64     ns)
{
  g_autofree char *formatted = hotpath_format_duration (ns);

  g_string_append_printf (text, "%s%s", prefix, formatted);
}

static const char *
plural (guint64     n,
        const char *one,
        const char *many)
{
  return n == 1 ? one : many;
}

/* ", latency avg 1.20 µs, p50 1.10 µs, p95 2.00 µs, max 3.10 µs" from a
 * summary; ", latency none" when it counted nothing. */
static void
append_summary (GString         *text,
                HotpathSnapshot *snapshot,
                JsonObject      *item,
                const char      *member,
                const char      *label)
{
  JsonObject *summary = object_member (item, member);
  JsonObject *percentiles = object_member (summary, "percentiles_ns");
  guint n_percentiles;
  const double *ranks = hotpath_snapshot_get_percentiles (snapshot, &n_percentiles);

  if (uint_member (summary, "count") == 0)
    {
      g_string_append_printf (text, ", %s none", label);
      return;
    }

  g_string_append_printf (text, ", %s", label);
  append_duration (text, " avg ", uint_member (summary, "avg_ns"));
  for (guint p = 0; p < n_percentiles; p++)
    {
      g_autofree char *key = hotpath_format_percentile_key (ranks[p]);
      g_autofree char *prefix = g_strdup_printf (", %s ", key);

      if (percentiles != NULL && json_object_has_member (percentiles, key))
        append_duration (text, prefix, uint_member (percentiles, key));
    }
  append_duration (text, ", max ", uint_member (summary, "max_ns"));
}

/* What follows "<n>. <name> (id <id>): " on a row's line. */
typedef void (*RowTextFunc) (GString         *text,
                             HotpathSnapshot *snapshot,
                             JsonObject      *row);

/* A section's text, read back from @node: a first line that counts the
 * items (@one or @many; @order says which ones a limit keeps), then
 * @when_empty if there are none, or a numbered line per row. */
static char *
section_text (HotpathSnapshot *snapshot,
              JsonNode        *node,
              const char      *one,
              const char      *many,
              const char      *order,
              const char      *when_empty,
              RowTextFunc      row_text)
{
  JsonObject *section;
  JsonArray *data;
  guint64 total;
  guint shown;
  g_autofree char *elapsed = NULL;
  GString *text;

  if (node == NULL)
    return NULL;

  section = json_node_get_object (node);
  data = array_member (section, "data");
  total = uint_member (section, "total_count");
  shown = data != NULL ? json_array_get_length (data) : 0;
  elapsed = hotpath_format_duration (hotpath_snapshot_get_elapsed_ns (snapshot));

  text = g_string_new (NULL);
  g_string_append_printf (text, "%s (pid %" G_GINT64_FORMAT "): %s elapsed, %" G_GUINT64_FORMAT " %s",
                          hotpath_snapshot_get_name (snapshot), hotpath_snapshot_get_pid (snapshot),
                          elapsed, total, plural (total, one, many));
  if (shown < total)
    g_string_append_printf (text, ", the first %u %s shown", shown, order);
  g_string_append (text, ".\n");
  if (total == 0)
    g_string_append_printf (text, "%s\n", when_empty);

  for (guint i = 0; i < shown; i++)
    {
      JsonObject *row = json_array_get_object_element (data, i);

      g_string_append_printf (text, "%u. %s (id %" G_GUINT64_FORMAT "): ",
                              i + 1, string_member (row, "name"), uint_member (row, "id"));
      row_text (text, snapshot, row);
      g_string_append_c (text, '\n');
    }

  return g_string_free (text, FALSE);
}

/* What follows "#<index>" on a log line. */
typedef void (*LogLineTextFunc) (GString    *text,
                                 JsonObject *line);

/* An item's logs, read back from @node: a first line that counts them
 * (@one or @many; @about follows the item's id), then a line per entry,
 * newest first. With none kept, @when_none (if given) says instead what
 * would keep them. */
static char *
logs_text (JsonNode        *node,
           guint            id,
           const char      *one,
           const char      *many,
           const char      *about,
           const char      *when_none,
           LogLineTextFunc  line_text)
{
  JsonObject *item;
  JsonArray *logs;
  GString *text;
  guint n;

  if (node == NULL)
    return NULL;

  item = json_node_get_object (node);
  logs = array_member (item, "logs");
  n = logs != NULL ? json_array_get_length (logs) : 0;
  text = g_string_new (NULL);
  if (n == 0 && when_none != NULL)
    {
      g_string_append_printf (text, "No %s kept for %s (id %u): %s\n",
                              many, string_member (item, "name"), id, when_none);
      return g_string_free (text, FALSE);
    }

  g_string_append_printf (text, "Last %u %s of %s (id %u%s), newest first:\n",
                          n, plural (n, one, many), string_member (item, "name"), id, about);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *line = json_array_get_object_element (logs, i);

      g_string_append_printf (text, "#%" G_GUINT64_FORMAT, uint_member (line, "index"));
      line_text (text, line);
      g_string_append_c (text, '\n');
    }

  return g_string_free (text, FALSE);
}

/* "  sent 1.20 ms into the session  thread 4242" */
static void
append_when (GString    *text,
             const char *prefix,
             JsonObject *line)
{
  append_duration (text, prefix, uint_member (line, "at_ns"));
  g_string_append_printf (text, " into the session  thread %" G_GUINT64_FORMAT,
                          uint_member (line, "thread_id"));
}

static void
channel_row_text (GString         *text,
                  HotpathSnapshot *snapshot,
                  JsonObject      *row)
{
  gboolean pool = g_strcmp0 (string_member (row, "type"), "thread_pool") == 0;
  JsonArray *logs = array_member (row, "logs");
  guint n_logs = logs != NULL ? json_array_get_length (logs) : 0;

  g_string_append_printf (text, "%s, %s, ", string_member (row, "type"), string_member (row, "state"));
  if (pool)
    {
      g_string_append_printf (text, "%" G_GUINT64_FORMAT " pushed, %" G_GUINT64_FORMAT " started, "
                              "%" G_GINT64_FORMAT " waiting (max %" G_GUINT64_FORMAT "), "
                              "%" G_GUINT64_FORMAT " running (max %" G_GUINT64_FORMAT "), "
                              "%" G_GUINT64_FORMAT " finished",
                              uint_member (row, "sent"), uint_member (row, "received"),
                              int_member (row, "queued"), uint_member (row, "max_queued"),
                              uint_member (row, "running"), uint_member (row, "max_running"),
                              uint_member (row, "finished"));
      append_summary (text, snapshot, row, "latency_ns", "wait for a thread");
      append_summary (text, snapshot, row, "run_ns", "run");
    }
  else
    {
      g_string_append_printf (text, "%" G_GUINT64_FORMAT " sent, %" G_GUINT64_FORMAT " received, "
                              "%" G_GINT64_FORMAT " queued (max %" G_GUINT64_FORMAT ")",
                              uint_member (row, "sent"), uint_member (row, "received"),
                              int_member (row, "queued"), uint_member (row, "max_queued"));
      append_summary (text, snapshot, row, "latency_ns", "latency");
    }
  g_string_append_printf (text, ", %u log line%s", n_logs, plural (n_logs, "", "s"));
}

static char *
channels_text (HotpathSnapshot *snapshot,
               guint            limit)
{
  g_autoptr(JsonNode) node = hotpath_report_json_channels (snapshot, limit);

  return section_text (snapshot, node, "channel", "channels", "by id",
                       "No GAsyncQueue (HOTPATH_ASYNC_QUEUE) or GThreadPool (HOTPATH_THREAD_POOL) "
                       "has carried anything this session.",
                       channel_row_text);
}

static void
channel_log_line_text (GString    *text,
                       JsonObject *line)
{
  const char *message = string_member (line, "text");

  g_string_append_printf (text, "  %s  ", message != NULL ? message : "-");
  if (g_strcmp0 (string_member (line, "outcome"), "queued") == 0)
    g_string_append (text, "still queued");
  else
    append_duration (text, "received after ", uint_member (line, "latency_ns"));
  append_when (text, "  sent ", line);
}

static char *
channel_logs_text (HotpathSnapshot *snapshot,
                   guint            id)
{
  g_autoptr(JsonNode) node = channel_logs_json (snapshot, id);

  return logs_text (node, id, "message", "messages", "",
                    "register the queue with .log = TRUE to keep its last HOTPATH_LOGS_LIMIT messages.",
                    channel_log_line_text);
}

static void
future_row_text (GString         *text,
                 HotpathSnapshot *snapshot,
                 JsonObject      *row)
{
  JsonObject *faults = object_member (row, "faults");
  gboolean async = g_strcmp0 (string_member (row, "type"), "async") == 0;
  guint64 no_return = uint_member (faults, "no_return");
  guint64 no_callback = uint_member (faults, "no_callback");
  guint64 awaiting = uint_member (faults, "awaiting_callback");

  g_string_append_printf (text, "%s, %" G_GUINT64_FORMAT " created, "
                          "%" G_GUINT64_FORMAT " completed, %" G_GUINT64_FORMAT " in flight, "
                          "%" G_GUINT64_FORMAT " ran in a thread, returned %" G_GUINT64_FORMAT " value%s, "
                          "%" G_GUINT64_FORMAT " error%s, %" G_GUINT64_FORMAT " cancelled, "
                          "%" G_GUINT64_FORMAT " callback%s ran",
                          string_member (row, "type"), uint_member (row, "created"),
                          uint_member (row, "completed"), uint_member (row, "in_flight"),
                          uint_member (row, "ran_in_thread"),
                          uint_member (row, "returned_value"), plural (uint_member (row, "returned_value"), "", "s"),
                          uint_member (row, "returned_error"), plural (uint_member (row, "returned_error"), "", "s"),
                          uint_member (row, "cancelled"),
                          uint_member (row, "callbacks"), plural (uint_member (row, "callbacks"), "", "s"));
  if (no_return + no_callback + awaiting == 0)
    g_string_append (text, ", no faults");
  if (no_return > 0)
    g_string_append_printf (text, ", FAULT %" G_GUINT64_FORMAT " finalized without returning", no_return);
  if (no_callback > 0)
    g_string_append_printf (text, ", FAULT %" G_GUINT64_FORMAT " returned but finalized before the callback ran",
                            no_callback);
  if (awaiting > 0)
    g_string_append_printf (text, ", %" G_GUINT64_FORMAT " returned and still awaiting the callback", awaiting);
  append_summary (text, snapshot, row, "queue_wait_ns", "wait for a thread");
  append_summary (text, snapshot, row, "run_ns", "run");
  append_summary (text, snapshot, row, "to_callback_ns", async ? "start to callback" : "return to callback");
  append_summary (text, snapshot, row, "lifetime_ns", "lifetime");
}

static char *
futures_text (HotpathSnapshot *snapshot,
              guint            limit)
{
  g_autoptr(JsonNode) node = hotpath_report_json_futures (snapshot, limit);

  return section_text (snapshot, node, "future", "futures", "by id",
                       "No GTask (HOTPATH_TASK) or GIO _async call (HOTPATH_ASYNC) was "
                       "created this session.",
                       future_row_text);
}

static void
future_log_line_text (GString    *text,
                      JsonObject *line)
{
  const char *outcome = string_member (line, "outcome");
  const char *detail = string_member (line, "text");

  g_string_append_printf (text, "  %s", outcome != NULL ? outcome : "-");
  append_duration (text, "  lifetime ", uint_member (line, "lifetime_ns"));
  append_duration (text, "  to callback ", uint_member (line, "to_callback_ns"));
  append_when (text, "  created ", line);
  if (detail != NULL)
    {
      guint64 queued_ns, ran_ns;

      /* hotpath-task.c writes "queued <n> ns, ran <n> ns"; say it in units. */
      if (sscanf (detail, "queued %" G_GUINT64_FORMAT " ns, ran %" G_GUINT64_FORMAT " ns",
                  &queued_ns, &ran_ns) == 2)
        {
          append_duration (text, "  (waited ", queued_ns);
          append_duration (text, " for a thread, ran ", ran_ns);
          g_string_append_c (text, ')');
        }
      else
        g_string_append_printf (text, "  (%s)", detail);
    }
}

static char *
future_logs_text (HotpathSnapshot *snapshot,
                  guint            id)
{
  g_autoptr(JsonNode) node = future_logs_json (snapshot, id);

  return logs_text (node, id, "task", "tasks", "",
                    "register tasks with .log = TRUE to keep the last HOTPATH_LOGS_LIMIT of them.",
                    future_log_line_text);
}

static void
source_row_text (GString         *text,
                 HotpathSnapshot *snapshot,
                 JsonObject      *row)
{
  const char *context = string_member (row, "context");
  guint64 dispatches = uint_member (row, "dispatches");

  g_string_append_printf (text, "%s", string_member (row, "type"));
  if (context != NULL)
    g_string_append_printf (text, " on context %s", context);
  g_string_append_printf (text, ", %" G_GUINT64_FORMAT " %s", dispatches,
                          g_strcmp0 (string_member (row, "type"), "signal") == 0
                            ? plural (dispatches, "call", "calls")
                            : plural (dispatches, "dispatch", "dispatches"));
  append_duration (text, ", total ", uint_member (row, "total_ns"));
  append_summary (text, snapshot, row, "duration_ns", "each");
}

static char *
sources_text (HotpathSnapshot *snapshot,
              guint            limit)
{
  g_autoptr(JsonNode) node = hotpath_report_json_sources (snapshot, limit);

  return section_text (snapshot, node, "watched source or signal handler",
                       "watched sources and signal handlers", "with the largest total time",
                       "No watched source (HOTPATH_TIMEOUT_ADD, HOTPATH_IDLE_ADD, "
                       "hotpath_source_watch) or signal handler (HOTPATH_SIGNAL_CONNECT) "
                       "ran this session.",
                       source_row_text);
}

static void
source_log_line_text (GString    *text,
                      JsonObject *line)
{
  append_duration (text, "  ", uint_member (line, "duration_ns"));
  append_when (text, "  started ", line);
}

static char *
source_logs_text (HotpathSnapshot *snapshot,
                  guint            id)
{
  g_autoptr(JsonNode) node = source_logs_json (snapshot, id);

  return logs_text (node, id, "dispatch", "dispatches", "", NULL, source_log_line_text);
}

/* "slow_frame 250.00 ms, tick 2.10 µs" */
static void
append_dispatches (GString   *text,
                   JsonArray *dispatches,
                   guint      max)
{
  guint n = dispatches != NULL ? MIN (json_array_get_length (dispatches), max) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *dispatch = json_array_get_object_element (dispatches, i);

      g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", string_member (dispatch, "source"));
      append_duration (text, " ", uint_member (dispatch, "duration_ns"));
    }
}

static void
main_loop_row_text (GString         *text,
                    HotpathSnapshot *snapshot,
                    JsonObject      *row)
{
  JsonArray *longest = array_member (row, "longest_dispatches");
  guint64 stalls = uint_member (row, "stalls");
  JsonNode *percent = json_object_get_member (row, "busy_percent");

  g_string_append_printf (text, "%s, %" G_GUINT64_FORMAT " iteration%s",
                          string_member (row, "state"), uint_member (row, "iterations"),
                          plural (uint_member (row, "iterations"), "", "s"));
  append_duration (text, ", busy ", uint_member (row, "busy_ns"));
  append_duration (text, ", waiting in poll ", uint_member (row, "wait_ns"));
  g_string_append_printf (text, " (%.2f%% busy)", percent != NULL ? json_node_get_double (percent) : 0.0);
  g_string_append_printf (text, ", %" G_GUINT64_FORMAT " stall%s", stalls, plural (stalls, "", "s"));
  append_duration (text, " (iterations busier than ", uint_member (row, "stall_threshold_ns"));
  append_duration (text, "; ", uint_member (row, "stall_ns"));
  g_string_append (text, " in all)");
  append_summary (text, snapshot, row, "iteration_busy_ns", "busy per iteration");
  append_summary (text, snapshot, row, "lag_ns", "timer lag");
  if (longest != NULL && json_array_get_length (longest) > 0)
    {
      g_string_append (text, ", longest dispatches: ");
      append_dispatches (text, longest, 5);
    }
}

static char *
main_loop_text (HotpathSnapshot *snapshot,
                guint            limit)
{
  g_autoptr(JsonNode) node = hotpath_report_json_main_loop (snapshot, limit);

  return section_text (snapshot, node, "watched main context", "watched main contexts", "by id",
                       "No main context is watched: HOTPATH_MAIN() watches the default one "
                       "(unless HOTPATH_MAIN_LOOP=0), hotpath_main_context_watch() any other.",
                       main_loop_row_text);
}

static void
stall_log_line_text (GString    *text,
                     JsonObject *stall)
{
  JsonArray *sources = array_member (stall, "sources");
  guint64 dispatches = uint_member (stall, "dispatches");

  append_duration (text, "  at ", uint_member (stall, "at_ns"));
  append_duration (text, " into the session: busy ", uint_member (stall, "duration_ns"));
  g_string_append_printf (text, ", %" G_GUINT64_FORMAT " watched dispatch%s", dispatches,
                          plural (dispatches, "", "es"));
  if (sources != NULL && json_array_get_length (sources) > 0)
    {
      g_string_append (text, ", longest: ");
      append_dispatches (text, sources, G_MAXUINT);
    }
  append_duration (text, ", unwatched ", uint_member (stall, "unwatched_ns"));
}

static char *
main_loop_logs_text (HotpathSnapshot *snapshot,
                     guint            id)
{
  g_autoptr(JsonNode) node = main_loop_logs_json (snapshot, id);
  g_autofree char *threshold = NULL;
  g_autofree char *about = NULL;

  if (node == NULL)
    return NULL;

  threshold = hotpath_format_duration (uint_member (json_node_get_object (node), "stall_threshold_ns"));
  about = g_strdup_printf ("; iterations busier than %s", threshold);
  return logs_text (node, id, "stall", "stalls", about, NULL, stall_log_line_text);
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
              "overlap on several threads); functions measured by measure-all also have self_ns "
              "(time in the function itself, without the measured functions it called), and "
              "their total counts a recursive call once; time_filter, when present, lists the "
              "functions measure-all stopped measuring because they never took longer than "
              "threshold_ns.",
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
    .description = "GAsyncQueue channels (HOTPATH_ASYNC_QUEUE) and GThreadPool channels "
                   "(HOTPATH_THREAD_POOL): messages sent, received and queued, and how long each "
                   "waited in the queue. An empty list when nothing registered has carried data.",
    .fields = "total_count and limit; data: one row per channel in id order with id, name (the "
              ".label, else file.c:line), type (async_queue or thread_pool), state (active, or "
              "closed once the queue or pool was freed), file, line, sent and received (this "
              "session; pools: pushed and started), queued (in the queue now; pools: waiting for a "
              "thread) and max_queued, latency_ns (push to pop, or a pool item's wait: count, "
              "total_ns, avg_ns, min_ns, max_ns, percentiles_ns), for pools running, max_running, "
              "finished and run_ns, and logs (the last messages of a queue registered with "
              ".log = TRUE). channels_logs gives one channel with its message log: text, outcome "
              "(queued or received), latency_ns, at_ns (when sent, since the session started) and "
              "the sending thread.",
    .schema_def = "channels_section",
    .logs_schema_def = "channel",
    .has_logs = TRUE,
    .json = hotpath_report_json_channels,
    .logs_json = channel_logs_json,
    .text = channels_text,
    .logs_text = channel_logs_text,
  },
  {
    .name = "futures",
    .description = "GTask futures (HOTPATH_TASK, by label) and GIO _async calls (HOTPATH_ASYNC, by "
                   "call site): how many were created, how they returned, how long they waited, ran "
                   "and took to reach their callback, and faults such as a callback that never ran.",
    .fields = "total_count and limit; data: one row per label or call site in id order with id, "
              "name, type (task or async), file, line, created, in_flight, completed (finalized), "
              "ran_in_thread, returned_value, returned_error, cancelled, callbacks, faults "
              "(no_return: finalized without returning; no_callback: returned, finalized before "
              "its callback; awaiting_callback: returned, callback not run yet), and the duration "
              "summaries queue_wait_ns, run_ns, to_callback_ns (return to the end of the callback; "
              "async: start to callback) and lifetime_ns (count, total_ns, avg_ns, min_ns, max_ns, "
              "percentiles_ns), then logs (tasks registered with .log = TRUE). futures_logs gives "
              "one row with its task log: outcome, lifetime_ns, to_callback_ns, at_ns (created, "
              "since the session started) and thread_id.",
    .schema_def = "futures_section",
    .logs_schema_def = "future",
    .has_logs = TRUE,
    .json = hotpath_report_json_futures,
    .logs_json = future_logs_json,
    .text = futures_text,
    .logs_text = future_logs_text,
  },
  {
    .name = "sources",
    .description = "Watched main-loop sources (HOTPATH_TIMEOUT_ADD, HOTPATH_IDLE_ADD, "
                   "hotpath_source_watch) and signal handlers (HOTPATH_SIGNAL_CONNECT), grouped by "
                   "name: how often they ran and for how long, largest total time first. These are "
                   "the names that explain main-loop stalls.",
    .fields = "total_count and limit; data: one row per name, largest total_ns first, with id, "
              "name (the callback's name or the label given), type (timeout, idle, source or "
              "signal), context (the watched main context it last ran on, or null), dispatches, "
              "total_ns, duration_ns (each dispatch: count, total_ns, avg_ns, min_ns, max_ns, "
              "percentiles_ns) and logs (the last dispatches). sources_logs gives one row with its "
              "dispatch log: duration_ns, at_ns (when it started, since the session started) and "
              "thread_id.",
    .schema_def = "sources_section",
    .logs_schema_def = "source",
    .has_logs = TRUE,
    .json = hotpath_report_json_sources,
    .logs_json = source_logs_json,
    .text = sources_text,
    .logs_text = source_logs_text,
  },
  {
    .name = "main_loop",
    .description = "Health of each watched GMainContext (HOTPATH_MAIN watches the default one): "
                   "iterations, time busy versus waiting in poll, stalls (iterations busier than "
                   "HOTPATH_STALL_MS, 16 ms by default) with the sources that ran in them, and how "
                   "late a probe timer fires.",
    .fields = "total_count and limit; data: one row per watched context in id order with id, name "
              "(\"main\" for the default context), state (watching or stopped), iterations, busy_ns, "
              "wait_ns, busy_percent, stall_threshold_ns, stalls, stall_ns, iteration_busy_ns and "
              "lag_ns (count, total_ns, avg_ns, min_ns, max_ns, percentiles_ns), longest_dispatches "
              "(source, duration_ns, at_ns; longest first) and logs (the last stalls). "
              "main_loop_logs gives one context with its stalls: at_ns, duration_ns, unwatched_ns "
              "(busy time no watched source explains), dispatches and the longest sources that ran "
              "in the stall.",
    .schema_def = "main_loop_section",
    .logs_schema_def = "main_loop",
    .has_logs = TRUE,
    .json = hotpath_report_json_main_loop,
    .logs_json = main_loop_logs_json,
    .text = main_loop_text,
    .logs_text = main_loop_logs_text,
  },
  {
    .name = "threads",
    .description = "Threads of the process: CPU usage and state.",
    .fields = "one row per thread with CPU percentages and state.",
  },
  {
    .name = "gauges",
    .description = "Named values the program sets, for data-flow debugging (not collected by this version).",
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
hotpath_live_section_is_available (const HotpathSection *section,
                              HotpathSnapshot      *snapshot)
{
  g_autoptr(JsonNode) probe = NULL;

  if (section->json == NULL)
    return FALSE;

  /* functions_timing is always there, and the flow sections whenever the
   * snapshot has the flow subsystem's copy (empty lists included); later
   * sections may depend on what the process loaded, so ask the builder. */
  if (g_str_equal (section->name, "functions_timing"))
    return TRUE;
  if (is_flow_section (section))
    return hotpath_section_get_data (hotpath_registry_lookup (section->name), snapshot) != NULL;

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
