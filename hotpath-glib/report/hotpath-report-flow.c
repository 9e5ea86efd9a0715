/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-report-flow.c: the `channels`, `futures`, `sources` and
 * `main_loop` sections, as JSON (built only here, for every consumer) and
 * as tables. data/hotpath-report.schema.json describes the JSON.
 */

#include "config.h"

#include <string.h>

#include "hotpath-flow-private.h"
#include "hotpath-format-private.h"
#include "hotpath-json-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-report-private.h"

/* The copies a flow section keeps in @snapshot, or NULL. */
static GPtrArray *
flow_items (HotpathSnapshot *snapshot,
            const char      *name)
{
  const HotpathSectionDesc *section = hotpath_registry_lookup (name);

  return section != NULL ? (GPtrArray *) hotpath_section_get_data (section, snapshot) : NULL;
}

/* ------------------------------------------------------------------ JSON */

/* A histogram of nanoseconds: count, total, avg, min, max, percentiles. */
static void
add_summary (JsonBuilder            *builder,
             HotpathSnapshot        *snapshot,
             const char             *name,
             const HotpathHistogram *histogram)
{
  guint n = snapshot->percentiles->len;
  g_autofree guint64 *values = g_new (guint64, MAX (n, 1));

  hotpath_histogram_values_at_percentiles (histogram, (const double *) (gpointer) snapshot->percentiles->data,
                                           n, values);

  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  hotpath_json_add_uint (builder, "count", histogram->count);
  hotpath_json_add_uint (builder, "total_ns", histogram->sum);
  hotpath_json_add_uint (builder, "avg_ns", histogram->count ? (histogram->sum + histogram->count / 2) / histogram->count : 0);
  hotpath_json_add_uint (builder, "min_ns", histogram->count ? histogram->min : 0);
  hotpath_json_add_uint (builder, "max_ns", histogram->max);
  hotpath_json_add_percentiles (builder, "percentiles_ns", snapshot, values);
  json_builder_end_object (builder);
}

/* Newest first, as a person reads a log. */
static void
add_logs (JsonBuilder          *builder,
          const HotpathFlowLog *logs,
          guint                 n_logs,
          const char           *duration_key,
          const char           *value_key)
{
  json_builder_set_member_name (builder, "logs");
  json_builder_begin_array (builder);
  for (guint i = n_logs; i > 0; i--)
    {
      const HotpathFlowLog *entry = &logs[i - 1];

      json_builder_begin_object (builder);
      hotpath_json_add_uint (builder, "index", entry->index);
      hotpath_json_add_uint (builder, "at_ns", entry->at_ns);
      if (duration_key != NULL)
        hotpath_json_add_uint (builder, duration_key, entry->duration_ns);
      if (value_key != NULL)
        hotpath_json_add_uint (builder, value_key, entry->value_ns);
      hotpath_json_add_uint (builder, "thread_id", entry->thread_id);
      if (entry->outcome != NULL)
        hotpath_json_add_string (builder, "outcome", entry->outcome);
      if (entry->text != NULL)
        hotpath_json_add_string (builder, "text", entry->text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static guint
section_rows (GPtrArray *items,
              guint      limit)
{
  return limit > 0 ? MIN (items->len, limit) : items->len;
}

/* Adds one item of a section (a HotpathFlowChannel, HotpathFlowFuture...). */
typedef void (*AddItemFunc) (JsonBuilder     *builder,
                             HotpathSnapshot *snapshot,
                             gpointer         item);

/* Every flow section: total_count, limit, and the first @limit items as
 * data. */
static JsonNode *
section_json (HotpathSnapshot *snapshot,
              GPtrArray       *items,
              guint            limit,
              AddItemFunc      add_item)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  hotpath_json_add_uint (builder, "total_count", items->len);
  hotpath_json_add_uint (builder, "limit", limit);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_array (builder);
  for (guint i = 0; i < section_rows (items, limit); i++)
    add_item (builder, snapshot, g_ptr_array_index (items, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
add_channel (JsonBuilder        *builder,
             HotpathSnapshot    *snapshot,
             HotpathFlowChannel *channel)
{
  gboolean pool = strcmp (channel->type, "thread_pool") == 0;

  json_builder_begin_object (builder);
  hotpath_json_add_uint (builder, "id", channel->id);
  hotpath_json_add_string (builder, "name", channel->name);
  hotpath_json_add_string (builder, "type", channel->type);
  hotpath_json_add_string (builder, "state", channel->state);
  hotpath_json_add_string (builder, "file", channel->file);
  hotpath_json_add_uint (builder, "line", channel->line);
  hotpath_json_add_uint (builder, "sent", channel->sent);
  hotpath_json_add_uint (builder, "received", channel->received);
  hotpath_json_add_int (builder, "queued", channel->queued);
  hotpath_json_add_uint (builder, "max_queued", channel->max_queued);
  add_summary (builder, snapshot, "latency_ns", &channel->latency);
  if (pool)
    {
      hotpath_json_add_uint (builder, "running", channel->running);
      hotpath_json_add_uint (builder, "max_running", channel->max_running);
      hotpath_json_add_uint (builder, "finished", channel->finished);
      add_summary (builder, snapshot, "run_ns", &channel->run);
    }
  add_logs (builder, channel->logs, channel->n_logs, "latency_ns", NULL);
  json_builder_end_object (builder);
}

/* Every snapshot the collector takes carries the flow subsystem's copy
 * (it is always built in), so a process without channels answers an
 * empty section rather than "not available": that is what it has. Only a
 * snapshot made without the collector has none, and gets %NULL. */

/**
 * hotpath_report_json_channels:
 * @snapshot: a snapshot
 * @limit: how many channels; 0 for all
 *
 * Returns: (transfer full) (nullable): the `channels` section
 */
JsonNode *
hotpath_report_json_channels (HotpathSnapshot *snapshot,
                              guint            limit)
{
  if (flow_items (snapshot, "channels") == NULL)
    return NULL;
  return section_json (snapshot, flow_items (snapshot, "channels"), limit, (AddItemFunc) add_channel);
}

static void
add_future (JsonBuilder       *builder,
            HotpathSnapshot   *snapshot,
            HotpathFlowFuture *future)
{
  json_builder_begin_object (builder);
  hotpath_json_add_uint (builder, "id", future->id);
  hotpath_json_add_string (builder, "name", future->name);
  hotpath_json_add_string (builder, "type", future->type);
  hotpath_json_add_string (builder, "file", future->file);
  hotpath_json_add_uint (builder, "line", future->line);
  hotpath_json_add_uint (builder, "created", future->created);
  hotpath_json_add_uint (builder, "in_flight", future->created > future->finalized ? future->created - future->finalized : 0);
  hotpath_json_add_uint (builder, "completed", future->finalized);
  hotpath_json_add_uint (builder, "ran_in_thread", future->ran_in_thread);
  hotpath_json_add_uint (builder, "returned_value", future->returned_value);
  hotpath_json_add_uint (builder, "returned_error", future->returned_error);
  hotpath_json_add_uint (builder, "cancelled", future->cancelled);
  hotpath_json_add_uint (builder, "callbacks", future->callbacks);
  json_builder_set_member_name (builder, "faults");
  json_builder_begin_object (builder);
  hotpath_json_add_uint (builder, "no_return", future->no_return);
  hotpath_json_add_uint (builder, "no_callback", future->no_callback);
  hotpath_json_add_uint (builder, "awaiting_callback", future->awaiting_callback);
  json_builder_end_object (builder);
  add_summary (builder, snapshot, "queue_wait_ns", &future->queue_wait);
  add_summary (builder, snapshot, "run_ns", &future->run);
  add_summary (builder, snapshot, "to_callback_ns", &future->to_callback);
  add_summary (builder, snapshot, "lifetime_ns", &future->lifetime);
  add_logs (builder, future->logs, future->n_logs, "lifetime_ns", "to_callback_ns");
  json_builder_end_object (builder);
}

/**
 * hotpath_report_json_futures:
 * @snapshot: a snapshot
 * @limit: how many futures; 0 for all
 *
 * Returns: (transfer full) (nullable): the `futures` section
 */
JsonNode *
hotpath_report_json_futures (HotpathSnapshot *snapshot,
                             guint            limit)
{
  if (flow_items (snapshot, "channels") == NULL)
    return NULL;
  return section_json (snapshot, flow_items (snapshot, "futures"), limit, (AddItemFunc) add_future);
}

static void add_source    (JsonBuilder         *builder,
                           HotpathSnapshot     *snapshot,
                           HotpathFlowSource   *source);
static void add_main_loop (JsonBuilder         *builder,
                           HotpathSnapshot     *snapshot,
                           HotpathFlowMainLoop *loop);

static int
compare_sources_by_total (gconstpointer a,
                          gconstpointer b)
{
  const HotpathFlowSource *x = *(HotpathFlowSource * const *) a;
  const HotpathFlowSource *y = *(HotpathFlowSource * const *) b;

  if (x->duration.sum != y->duration.sum)
    return x->duration.sum < y->duration.sum ? 1 : -1;
  return (x->id > y->id) - (x->id < y->id);
}

static GPtrArray *
sources_by_total (HotpathSnapshot *snapshot)
{
  GPtrArray *sorted = g_ptr_array_copy (flow_items (snapshot, "sources"), NULL, NULL);

  /* The copy inherits the free function; it only borrows the items. */
  g_ptr_array_set_free_func (sorted, NULL);
  g_ptr_array_sort (sorted, compare_sources_by_total);
  return sorted;
}

/**
 * hotpath_report_json_sources:
 * @snapshot: a snapshot
 * @limit: how many sources, by total dispatch time; 0 for all
 *
 * Returns: (transfer full) (nullable): the `sources` section
 */
JsonNode *
hotpath_report_json_sources (HotpathSnapshot *snapshot,
                             guint            limit)
{
  g_autoptr(GPtrArray) items = NULL;

  if (flow_items (snapshot, "channels") == NULL)
    return NULL;
  items = sources_by_total (snapshot);
  return section_json (snapshot, items, limit, (AddItemFunc) add_source);
}

static void
add_source (JsonBuilder       *builder,
            HotpathSnapshot   *snapshot,
            HotpathFlowSource *source)
{
  json_builder_begin_object (builder);
  hotpath_json_add_uint (builder, "id", source->id);
  hotpath_json_add_string (builder, "name", source->name);
  hotpath_json_add_string (builder, "type", source->type);
  hotpath_json_add_string (builder, "context", source->context);
  hotpath_json_add_uint (builder, "dispatches", source->duration.count);
  hotpath_json_add_uint (builder, "total_ns", source->duration.sum);
  add_summary (builder, snapshot, "duration_ns", &source->duration);
  add_logs (builder, source->logs, source->n_logs, "duration_ns", NULL);
  json_builder_end_object (builder);
}

static double
busy_percent (const HotpathFlowMainLoop *loop)
{
  guint64 total = loop->busy_ns + loop->wait_ns;

  return total ? 100.0 * (double) loop->busy_ns / (double) total : 0.0;
}

static void
add_dispatch (JsonBuilder               *builder,
              const HotpathFlowDispatch *dispatch,
              gboolean                   with_time)
{
  json_builder_begin_object (builder);
  hotpath_json_add_string (builder, "source", dispatch->name);
  hotpath_json_add_uint (builder, "duration_ns", dispatch->duration_ns);
  if (with_time)
    hotpath_json_add_uint (builder, "at_ns", dispatch->at_ns);
  json_builder_end_object (builder);
}

/**
 * hotpath_report_json_main_loop:
 * @snapshot: a snapshot
 * @limit: how many contexts; 0 for all
 *
 * Returns: (transfer full) (nullable): the `main_loop` section; each
 *   context's logs are its last stalls
 */
JsonNode *
hotpath_report_json_main_loop (HotpathSnapshot *snapshot,
                               guint            limit)
{
  if (flow_items (snapshot, "channels") == NULL)
    return NULL;
  return section_json (snapshot, flow_items (snapshot, "main_loop"), limit, (AddItemFunc) add_main_loop);
}

static void
add_main_loop (JsonBuilder         *builder,
               HotpathSnapshot     *snapshot,
               HotpathFlowMainLoop *loop)
{
  json_builder_begin_object (builder);
  hotpath_json_add_uint (builder, "id", loop->id);
  hotpath_json_add_string (builder, "name", loop->name);
  hotpath_json_add_string (builder, "state", loop->state);
  hotpath_json_add_uint (builder, "iterations", loop->iterations);
  hotpath_json_add_uint (builder, "busy_ns", loop->busy_ns);
  hotpath_json_add_uint (builder, "wait_ns", loop->wait_ns);
  hotpath_json_add_double (builder, "busy_percent", busy_percent (loop));
  hotpath_json_add_uint (builder, "stall_threshold_ns", loop->stall_threshold_ns);
  hotpath_json_add_uint (builder, "stalls", loop->n_stalls);
  hotpath_json_add_uint (builder, "stall_ns", loop->stall_ns);
  add_summary (builder, snapshot, "iteration_busy_ns", &loop->busy);
  add_summary (builder, snapshot, "lag_ns", &loop->lag);

  json_builder_set_member_name (builder, "longest_dispatches");
  json_builder_begin_array (builder);
  for (guint j = 0; j < loop->n_longest; j++)
    add_dispatch (builder, &loop->longest[j], TRUE);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "logs");
  json_builder_begin_array (builder);
  for (guint j = loop->n_stalls_kept; j > 0; j--)
    {
      const HotpathFlowStall *stall = &loop->stalls[j - 1];

      json_builder_begin_object (builder);
      hotpath_json_add_uint (builder, "index", loop->n_stalls - (loop->n_stalls_kept - (j - 1)));
      hotpath_json_add_uint (builder, "at_ns", stall->at_ns);
      hotpath_json_add_uint (builder, "duration_ns", stall->duration_ns);
      hotpath_json_add_uint (builder, "unwatched_ns", stall->unwatched_ns);
      hotpath_json_add_uint (builder, "dispatches", stall->n_dispatches);
      json_builder_set_member_name (builder, "sources");
      json_builder_begin_array (builder);
      for (guint k = 0; k < stall->n_top; k++)
        add_dispatch (builder, &stall->top[k], FALSE);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_end_object (builder);
}

/**
 * hotpath_report_json_flow_item:
 * @snapshot: a snapshot
 * @section: "channels", "futures", "sources" or "main_loop"
 * @id: an item's numeric id
 *
 * One item with its logs, for the live API (`/channels/<id>` and so on).
 *
 * Returns: (transfer full) (nullable): the item, or %NULL if @section has
 *   no item with that id
 */
JsonNode *
hotpath_report_json_flow_item (HotpathSnapshot *snapshot,
                               const char      *section,
                               guint            id)
{
  g_autoptr(JsonBuilder) builder = NULL;
  GPtrArray *items;
  AddItemFunc add_item;

  if (flow_items (snapshot, "channels") == NULL)
    return NULL;

  if (g_strcmp0 (section, "channels") == 0)
    {
      items = flow_items (snapshot, "channels");
      add_item = (AddItemFunc) add_channel;
    }
  else if (g_strcmp0 (section, "futures") == 0)
    {
      items = flow_items (snapshot, "futures");
      add_item = (AddItemFunc) add_future;
    }
  else if (g_strcmp0 (section, "sources") == 0)
    {
      items = flow_items (snapshot, "sources");
      add_item = (AddItemFunc) add_source;
    }
  else if (g_strcmp0 (section, "main_loop") == 0)
    {
      items = flow_items (snapshot, "main_loop");
      add_item = (AddItemFunc) add_main_loop;
    }
  else
    return NULL;

  for (guint i = 0; i < items->len; i++)
    {
      gpointer item = g_ptr_array_index (items, i);

      /* Every flow snapshot struct starts with its id. */
      if (*(const guint *) item != id)
        continue;

      builder = json_builder_new ();
      add_item (builder, snapshot, item);
      return json_builder_get_root (builder);
    }

  return NULL;
}

/**
 * hotpath_report_json_add_flow_sections:
 * @snapshot: a snapshot
 * @builder: a builder inside the `sections` object
 *
 * Adds the sections that have something to say.
 */
void
hotpath_report_json_add_flow_sections (HotpathSnapshot *snapshot,
                                       JsonBuilder     *builder)
{
  if (flow_items (snapshot, "channels") == NULL)
    return;

  if (flow_items (snapshot, "channels")->len > 0)
    {
      json_builder_set_member_name (builder, "channels");
      json_builder_add_value (builder, hotpath_report_json_channels (snapshot, snapshot->limit));
    }
  if (flow_items (snapshot, "futures")->len > 0)
    {
      json_builder_set_member_name (builder, "futures");
      json_builder_add_value (builder, hotpath_report_json_futures (snapshot, snapshot->limit));
    }
  if (flow_items (snapshot, "sources")->len > 0)
    {
      json_builder_set_member_name (builder, "sources");
      json_builder_add_value (builder, hotpath_report_json_sources (snapshot, snapshot->limit));
    }
  if (flow_items (snapshot, "main_loop")->len > 0)
    {
      json_builder_set_member_name (builder, "main_loop");
      json_builder_add_value (builder, hotpath_report_json_main_loop (snapshot, snapshot->limit));
    }
}

/* ---------------------------------------------------------------- tables */

static char *
count_cell (guint64 value)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

/* The first configured percentile: P95 unless told otherwise. */
static double
main_percentile (HotpathSnapshot *snapshot)
{
  for (guint i = 0; i < snapshot->percentiles->len; i++)
    {
      double p = g_array_index (snapshot->percentiles, double, i);
      if (p > 0.0 && p < 100.0)
        return p;
    }
  return 95.0;
}

static char *
percentile_cell (const HotpathHistogram *histogram,
                 double                  percentile)
{
  if (histogram->count == 0)
    return g_strdup ("-");
  return hotpath_format_duration (hotpath_histogram_value_at_percentile (histogram, percentile));
}

static char *
titled (const char *prefix,
        double      percentile)
{
  g_autofree char *title = hotpath_format_percentile_title (percentile);
  return g_strdup_printf ("%s %s", prefix, title);
}

static void
table_channels (HotpathSnapshot *snapshot,
                GString         *out)
{
  GPtrArray *items = flow_items (snapshot, "channels");
  double p = main_percentile (snapshot);
  g_autofree char *latency = titled ("Latency", p);
  guint n = section_rows (items, snapshot->limit);
  HotpathReportTable table;

  hotpath_report_table_init (&table, HOTPATH_REPORT_TABLE_MIXED,
                             "Channel", "Type", "State", "Sent", "Received", "Queued", "Max", latency, NULL);
  for (guint i = 0; i < n; i++)
    {
      HotpathFlowChannel *channel = g_ptr_array_index (items, i);
      GPtrArray *cells = hotpath_report_table_add_row (&table);

      g_ptr_array_add (cells, g_strdup (channel->name));
      g_ptr_array_add (cells, g_strdup (channel->type));
      g_ptr_array_add (cells, g_strdup (channel->state));
      g_ptr_array_add (cells, count_cell (channel->sent));
      g_ptr_array_add (cells, count_cell (channel->received));
      g_ptr_array_add (cells, g_strdup_printf ("%" G_GINT64_FORMAT, channel->queued));
      g_ptr_array_add (cells, count_cell (channel->max_queued));
      g_ptr_array_add (cells, percentile_cell (&channel->latency, p));
    }

  g_string_append_printf (out, "\n[hotpath] channels: %u (thread pools: latency is the wait in the queue)\n", items->len);
  hotpath_report_table_render (&table, out);
  hotpath_report_table_append_footer (out, n, items->len, "channels");
  hotpath_report_table_clear (&table);
}

static void
table_futures (HotpathSnapshot *snapshot,
               GString         *out)
{
  GPtrArray *items = flow_items (snapshot, "futures");
  double p = main_percentile (snapshot);
  g_autofree char *wait = titled ("Wait", p);
  g_autofree char *run = titled ("Run", p);
  g_autofree char *callback = titled ("To callback", p);
  guint n = section_rows (items, snapshot->limit);
  HotpathReportTable table;

  hotpath_report_table_init (&table, HOTPATH_REPORT_TABLE_MIXED,
                             "Future", "Type", "Created", "Done", "Value", "Error", "Cancelled",
                             "Faults", wait, run, callback, NULL);
  for (guint i = 0; i < n; i++)
    {
      HotpathFlowFuture *future = g_ptr_array_index (items, i);
      GPtrArray *cells = hotpath_report_table_add_row (&table);
      guint64 faults = future->no_return + future->no_callback + future->awaiting_callback;

      g_ptr_array_add (cells, g_strdup (future->name));
      g_ptr_array_add (cells, g_strdup (future->type));
      g_ptr_array_add (cells, count_cell (future->created));
      g_ptr_array_add (cells, count_cell (future->finalized));
      g_ptr_array_add (cells, count_cell (future->returned_value));
      g_ptr_array_add (cells, count_cell (future->returned_error));
      g_ptr_array_add (cells, count_cell (future->cancelled));
      g_ptr_array_add (cells, count_cell (faults));
      g_ptr_array_add (cells, percentile_cell (&future->queue_wait, p));
      g_ptr_array_add (cells, percentile_cell (&future->run, p));
      g_ptr_array_add (cells, percentile_cell (&future->to_callback, p));
    }

  g_string_append_printf (out, "\n[hotpath] futures: %u\n", items->len);
  hotpath_report_table_render (&table, out);
  hotpath_report_table_append_footer (out, n, items->len, "futures");

  for (guint i = 0; i < n; i++)
    {
      HotpathFlowFuture *future = g_ptr_array_index (items, i);

      if (future->no_return > 0)
        g_string_append_printf (out, "  fault: %s: %" G_GUINT64_FORMAT " finalized without returning\n",
                                future->name, future->no_return);
      if (future->no_callback > 0)
        g_string_append_printf (out, "  fault: %s: %" G_GUINT64_FORMAT " returned but finalized before the callback ran\n",
                                future->name, future->no_callback);
      if (future->awaiting_callback > 0)
        g_string_append_printf (out, "  fault: %s: %" G_GUINT64_FORMAT " returned, callback never ran\n",
                                future->name, future->awaiting_callback);
    }
  hotpath_report_table_clear (&table);
}

static void
table_sources (HotpathSnapshot *snapshot,
               GString         *out)
{
  g_autoptr(GPtrArray) items = sources_by_total (snapshot);
  double p = main_percentile (snapshot);
  g_autofree char *title = hotpath_format_percentile_title (p);
  guint n = section_rows (items, snapshot->limit);
  HotpathReportTable table;

  hotpath_report_table_init (&table, HOTPATH_REPORT_TABLE_MIXED,
                             "Source", "Type", "Context", "Dispatches", "Avg", title, "Max", "Total", NULL);
  for (guint i = 0; i < n; i++)
    {
      HotpathFlowSource *source = g_ptr_array_index (items, i);
      GPtrArray *cells = hotpath_report_table_add_row (&table);

      g_ptr_array_add (cells, g_strdup (source->name));
      g_ptr_array_add (cells, g_strdup (source->type));
      g_ptr_array_add (cells, g_strdup (source->context ? source->context : "-"));
      g_ptr_array_add (cells, count_cell (source->duration.count));
      g_ptr_array_add (cells, hotpath_format_duration (source->duration.count
                                                         ? source->duration.sum / source->duration.count : 0));
      g_ptr_array_add (cells, percentile_cell (&source->duration, p));
      g_ptr_array_add (cells, hotpath_format_duration (source->duration.max));
      g_ptr_array_add (cells, hotpath_format_duration (source->duration.sum));
    }

  g_string_append_printf (out, "\n[hotpath] main-loop sources and signal handlers: %u\n", items->len);
  hotpath_report_table_render (&table, out);
  hotpath_report_table_append_footer (out, n, items->len, "sources");
  hotpath_report_table_clear (&table);
}

static void
table_main_loop (HotpathSnapshot *snapshot,
                 GString         *out)
{
  GPtrArray *items = flow_items (snapshot, "main_loop");
  double p = main_percentile (snapshot);
  g_autofree char *lag = titled ("Lag", p);
  guint n = section_rows (items, snapshot->limit);
  HotpathReportTable table;

  hotpath_report_table_init (&table, HOTPATH_REPORT_TABLE_MIXED,
                             "Context", "Iterations", "Busy", "Waiting", "Busy %", "Stalls",
                             "Longest", lag, "Lag max", NULL);
  for (guint i = 0; i < n; i++)
    {
      HotpathFlowMainLoop *loop = g_ptr_array_index (items, i);
      GPtrArray *cells = hotpath_report_table_add_row (&table);

      g_ptr_array_add (cells, g_strdup (loop->name));
      g_ptr_array_add (cells, count_cell (loop->iterations));
      g_ptr_array_add (cells, hotpath_format_duration (loop->busy_ns));
      g_ptr_array_add (cells, hotpath_format_duration (loop->wait_ns));
      g_ptr_array_add (cells, g_strdup_printf ("%.2f%%", busy_percent (loop)));
      g_ptr_array_add (cells, count_cell (loop->n_stalls));
      g_ptr_array_add (cells, loop->busy.count ? hotpath_format_duration (loop->busy.max) : g_strdup ("-"));
      g_ptr_array_add (cells, percentile_cell (&loop->lag, p));
      g_ptr_array_add (cells, loop->lag.count ? hotpath_format_duration (loop->lag.max) : g_strdup ("-"));
    }

  g_string_append_printf (out, "\n[hotpath] main loop: %u context%s\n", items->len, items->len == 1 ? "" : "s");
  hotpath_report_table_render (&table, out);

  for (guint i = 0; i < n; i++)
    {
      HotpathFlowMainLoop *loop = g_ptr_array_index (items, i);
      g_autofree char *threshold = hotpath_format_duration (loop->stall_threshold_ns);
      guint first = loop->n_stalls_kept > 5 ? loop->n_stalls_kept - 5 : 0;

      if (loop->n_longest > 0)
        {
          g_string_append_printf (out, "  %s: longest dispatches:", loop->name);
          for (guint j = 0; j < MIN (loop->n_longest, 5); j++)
            {
              g_autofree char *duration = hotpath_format_duration (loop->longest[j].duration_ns);
              g_string_append_printf (out, "%s %s %s", j ? "," : "", loop->longest[j].name, duration);
            }
          g_string_append_c (out, '\n');
        }

      if (loop->n_stalls > 0)
        g_string_append_printf (out, "  %s: %" G_GUINT64_FORMAT " stall%s (iterations over %s); the last:\n",
                                loop->name, loop->n_stalls, loop->n_stalls == 1 ? "" : "s", threshold);

      for (guint j = first; j < loop->n_stalls_kept; j++)
        {
          const HotpathFlowStall *stall = &loop->stalls[j];
          g_autofree char *at = hotpath_format_duration (stall->at_ns);
          g_autofree char *duration = hotpath_format_duration (stall->duration_ns);

          g_string_append_printf (out, "    at %s: %s:", at, duration);
          for (guint k = 0; k < stall->n_top; k++)
            {
              g_autofree char *ran = hotpath_format_duration (stall->top[k].duration_ns);
              g_string_append_printf (out, "%s %s %s", k ? "," : "", stall->top[k].name, ran);
            }
          if (stall->unwatched_ns > 0)
            {
              g_autofree char *unwatched = hotpath_format_duration (stall->unwatched_ns);
              g_string_append_printf (out, "%s unwatched %s", stall->n_top ? "," : "", unwatched);
            }
          g_string_append_c (out, '\n');
        }
    }
  hotpath_report_table_append_footer (out, n, items->len, "contexts");
  hotpath_report_table_clear (&table);
}

/**
 * hotpath_report_table_append_flow:
 * @snapshot: a snapshot
 * @out: where the tables go
 *
 * Appends the data-flow tables that have something to say.
 */
void
hotpath_report_table_append_flow (HotpathSnapshot *snapshot,
                                  GString         *out)
{
  if (flow_items (snapshot, "channels") == NULL)
    return;

  if (flow_items (snapshot, "main_loop")->len > 0)
    table_main_loop (snapshot, out);
  if (flow_items (snapshot, "sources")->len > 0)
    table_sources (snapshot, out);
  if (flow_items (snapshot, "channels")->len > 0)
    table_channels (snapshot, out);
  if (flow_items (snapshot, "futures")->len > 0)
    table_futures (snapshot, out);
}
