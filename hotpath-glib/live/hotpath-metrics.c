/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-metrics.c: /metrics in the Prometheus text format (0.0.4) or in
 * OpenMetrics 1.0, whichever the scraper's Accept header asks for.
 *
 * Call durations come from each function's HDR histogram, re-binned into
 * cumulative `le` buckets at fixed boundaries so that series from many
 * processes and many scrapes add up in PromQL (histogram_quantile, rate).
 * A histogram bucket is at most 1/1024 of its value wide, so a value is
 * placed by its bucket's lowest value with an error below 0.1 %.
 *
 * The data-flow sections add counters and gauges (no histograms: their
 * items are few and their percentiles are in the JSON): per channel, per
 * watched source and per watched main context, labelled by name and id.
 */

#include "config.h"

#include <string.h>

#include "hotpath-clock-private.h"
#include "hotpath-collector-private.h"
#include "hotpath-flow-private.h"
#include "hotpath-server-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-snapshot-private.h"

/* Seconds: 100 ns to 10 s, 1-2.5-5 steps. */
static const double boundaries[] = {
  1e-7, 2.5e-7, 5e-7,
  1e-6, 2.5e-6, 5e-6,
  1e-5, 2.5e-5, 5e-5,
  1e-4, 2.5e-4, 5e-4,
  1e-3, 2.5e-3, 5e-3,
  1e-2, 2.5e-2, 5e-2,
  1e-1, 2.5e-1, 5e-1,
  1.0, 2.5, 5.0, 10.0,
};

#define N_BOUNDARIES G_N_ELEMENTS (boundaries)

static void
append_escaped (GString    *out,
                const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '"')
        g_string_append (out, "\\\"");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
}

static void
append_labels (GString              *out,
               HotpathFunctionStats *stats)
{
  g_string_append (out, "{function=\"");
  append_escaped (out, stats->name);
  g_string_append_printf (out, "\",id=\"%u\"", stats->id);
}

/* The shortest text that reads back as @value: "1e-07", not
 * "9.9999999999999995e-08", so le labels look like everyone else's. */
static const char *
format_double (char   buffer[G_ASCII_DTOSTR_BUF_SIZE],
               double value)
{
  if (value == (double) (gint64) value && value < 1e15 && value > -1e15)
    {
      g_snprintf (buffer, G_ASCII_DTOSTR_BUF_SIZE, "%" G_GINT64_FORMAT, (gint64) value);
      return buffer;
    }

  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  return buffer;
}

static void
append_double (GString *out,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, format_double (buffer, value));
}

static void
append_header (GString    *out,
               const char *family,
               const char *type,
               const char *unit,
               const char *help,
               gboolean    openmetrics)
{
  /* Prometheus text names a counter's TYPE line by its sample name;
   * OpenMetrics by the family, without _total. */
  const char *suffix = (!openmetrics && g_str_equal (type, "counter")) ? "_total" : "";

  g_string_append_printf (out, "# HELP %s%s %s\n", family, suffix, help);
  g_string_append_printf (out, "# TYPE %s%s %s\n", family, suffix, type);
  if (openmetrics && unit != NULL)
    g_string_append_printf (out, "# UNIT %s %s\n", family, unit);
}

/* Counts per fixed boundary (not yet cumulative), from the histogram. */
static void
bin_histogram (HotpathFunctionStats *stats,
               guint64               counts[N_BOUNDARIES + 1])
{
  const HotpathHistogram *histogram = &stats->histogram;

  memset (counts, 0, sizeof (guint64) * (N_BOUNDARIES + 1));

  for (guint32 i = 0; i < histogram->n_slots; i++)
    {
      guint64 slot = histogram->slots[i];
      guint64 count = slot & G_GUINT64_CONSTANT (0xFFFFFFFFFFFF);
      guint index;
      double seconds;
      guint b = 0;

      if (slot == 0)
        continue;

      index = (guint) (slot >> 48) - 1;
      seconds = (double) hotpath_histogram_entry_lowest (histogram, index) * stats->ns_per_tick / 1e9;
      while (b < N_BOUNDARIES && seconds > boundaries[b])
        b++;
      counts[b] += count;
    }
}

/* {channel="jobs",id="3",type="async_queue"} */
static void
append_item_labels (GString    *out,
                    const char *key,
                    const char *name,
                    guint       id,
                    const char *type)
{
  g_string_append_printf (out, "{%s=\"", key);
  append_escaped (out, name);
  g_string_append_printf (out, "\",id=\"%u\"", id);
  if (type != NULL)
    {
      g_string_append (out, ",type=\"");
      append_escaped (out, type);
      g_string_append_c (out, '"');
    }
  g_string_append (out, "} ");
}

/* Which number of an item a family shows. */
typedef enum
{
  CHANNEL_SENT,
  CHANNEL_RECEIVED,
  CHANNEL_QUEUED,
  SOURCE_DISPATCHES,
  SOURCE_SECONDS,
  LOOP_ITERATIONS,
  LOOP_BUSY_SECONDS,
  LOOP_WAIT_SECONDS,
  LOOP_STALLS,
} FlowValue;

static const struct
{
  const char *family;
  const char *type;
  const char *unit;
  const char *help;
} flow_families[] = {
  [CHANNEL_SENT] = { "hotpath_channel_sent", "counter", NULL,
                     "Messages pushed to a channel this session (thread pools: items pushed)." },
  [CHANNEL_RECEIVED] = { "hotpath_channel_received", "counter", NULL,
                         "Messages popped from a channel this session (thread pools: items started)." },
  [CHANNEL_QUEUED] = { "hotpath_channel_queued", "gauge", NULL,
                       "Messages in a channel now (thread pools: items waiting for a thread)." },
  [SOURCE_DISPATCHES] = { "hotpath_source_dispatches", "counter", NULL,
                          "Dispatches of a watched main-loop source (signal handlers: calls) this session." },
  [SOURCE_SECONDS] = { "hotpath_source_dispatch_seconds", "counter", "seconds",
                       "Time spent in the dispatches of a watched main-loop source this session." },
  [LOOP_ITERATIONS] = { "hotpath_main_loop_iterations", "counter", NULL,
                        "Iterations of a watched main context this session." },
  [LOOP_BUSY_SECONDS] = { "hotpath_main_loop_busy_seconds", "counter", "seconds",
                          "Time a watched main context spent outside poll (prepare, check, dispatch) this session." },
  [LOOP_WAIT_SECONDS] = { "hotpath_main_loop_wait_seconds", "counter", "seconds",
                          "Time a watched main context spent waiting in poll this session." },
  [LOOP_STALLS] = { "hotpath_main_loop_stalls", "counter", NULL,
                    "Iterations of a watched main context busier than HOTPATH_STALL_MS this session." },
};

static GPtrArray *
flow_items (HotpathSnapshot *snapshot,
            const char      *name)
{
  const HotpathSectionDesc *section = hotpath_registry_lookup (name);

  return section != NULL ? (GPtrArray *) hotpath_section_get_data (section, snapshot) : NULL;
}

static void
append_flow_family (GString         *out,
                    HotpathSnapshot *snapshot,
                    FlowValue        value,
                    gboolean         openmetrics)
{
  const char *family = flow_families[value].family;
  gboolean counter = g_str_equal (flow_families[value].type, "counter");
  GPtrArray *items;

  if (value <= CHANNEL_QUEUED)
    items = flow_items (snapshot, "channels");
  else if (value <= SOURCE_SECONDS)
    items = flow_items (snapshot, "sources");
  else
    items = flow_items (snapshot, "main_loop");

  /* A family shows up with its first item, as the report's sections do. */
  if (items == NULL || items->len == 0)
    return;

  append_header (out, family, flow_families[value].type, flow_families[value].unit,
                 flow_families[value].help, openmetrics);
  for (guint i = 0; i < items->len; i++)
    {
      gpointer item = g_ptr_array_index (items, i);

      g_string_append_printf (out, "%s%s", family, counter ? "_total" : "");
      switch (value)
        {
        case CHANNEL_SENT:
        case CHANNEL_RECEIVED:
        case CHANNEL_QUEUED:
          {
            HotpathFlowChannel *channel = item;

            append_item_labels (out, "channel", channel->name, channel->id, channel->type);
            if (value == CHANNEL_QUEUED)
              g_string_append_printf (out, "%" G_GINT64_FORMAT "\n", channel->queued);
            else
              g_string_append_printf (out, "%" G_GUINT64_FORMAT "\n",
                                      value == CHANNEL_SENT ? channel->sent : channel->received);
          }
          break;

        case SOURCE_DISPATCHES:
        case SOURCE_SECONDS:
          {
            HotpathFlowSource *source = item;

            append_item_labels (out, "source", source->name, source->id, source->type);
            if (value == SOURCE_DISPATCHES)
              g_string_append_printf (out, "%" G_GUINT64_FORMAT, source->duration.count);
            else
              append_double (out, (double) source->duration.sum / 1e9);
            g_string_append_c (out, '\n');
          }
          break;

        case LOOP_ITERATIONS:
        case LOOP_BUSY_SECONDS:
        case LOOP_WAIT_SECONDS:
        case LOOP_STALLS:
          {
            HotpathFlowMainLoop *loop = item;

            append_item_labels (out, "context", loop->name, loop->id, NULL);
            if (value == LOOP_ITERATIONS)
              g_string_append_printf (out, "%" G_GUINT64_FORMAT, loop->iterations);
            else if (value == LOOP_STALLS)
              g_string_append_printf (out, "%" G_GUINT64_FORMAT, loop->n_stalls);
            else
              append_double (out, (double) (value == LOOP_BUSY_SECONDS ? loop->busy_ns : loop->wait_ns) / 1e9);
            g_string_append_c (out, '\n');
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

/**
 * hotpath_metrics_render:
 * @snapshot: a snapshot
 * @openmetrics: OpenMetrics 1.0 instead of the Prometheus text format
 *
 * Returns: (transfer full): the body of /metrics
 */
char *
hotpath_metrics_render (HotpathSnapshot *snapshot,
                        gboolean         openmetrics)
{
  GString *out = g_string_new (NULL);
  guint n = snapshot->functions->len;

  /* OpenMetrics has an info type whose samples add _info to the family. */
  if (openmetrics)
    g_string_append (out, "# HELP hotpath_build Profiled program and hotpath-glib version.\n"
                          "# TYPE hotpath_build info\n");
  else
    append_header (out, "hotpath_build_info", "gauge", NULL,
                   "Profiled program and hotpath-glib version; always 1.", FALSE);
  g_string_append (out, "hotpath_build_info{program=\"");
  append_escaped (out, snapshot->name);
  g_string_append_printf (out, "\",version=\"%s\",clock=\"%s\"} 1\n", PACKAGE_VERSION,
                          hotpath_clock_source_to_string (snapshot->clock_source));

  append_header (out, "hotpath_uptime_seconds", "gauge", "seconds",
                 "Time since the profiling session started.", openmetrics);
  g_string_append (out, "hotpath_uptime_seconds ");
  append_double (out, (double) snapshot->elapsed_ns / 1e9);
  g_string_append_c (out, '\n');

  append_header (out, "hotpath_functions", "gauge", NULL,
                 "Number of distinct measured functions.", openmetrics);
  g_string_append_printf (out, "hotpath_functions %u\n", n);

  append_header (out, "hotpath_profiler_memory_bytes", "gauge", "bytes",
                 "Memory the profiler holds for its buffers, histograms and logs.", openmetrics);
  g_string_append_printf (out, "hotpath_profiler_memory_bytes %" G_GSIZE_FORMAT "\n",
                          hotpath_collector_get_memory_size ());

  append_header (out, "hotpath_function_calls", "counter", NULL,
                 "Completed calls of a measured function.", openmetrics);
  for (guint i = 0; i < n; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (snapshot->functions, i);

      g_string_append (out, "hotpath_function_calls_total");
      append_labels (out, stats);
      g_string_append_printf (out, "} %" G_GUINT64_FORMAT "\n",
                              hotpath_function_stats_get_calls (stats));
    }

  append_header (out, "hotpath_function_duration_seconds", "histogram", "seconds",
                 "Duration of the calls of a measured function.", openmetrics);
  for (guint i = 0; i < n; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (snapshot->functions, i);
      guint64 counts[N_BOUNDARIES + 1];
      guint64 cumulative = 0;
      guint64 calls = hotpath_function_stats_get_calls (stats);

      bin_histogram (stats, counts);
      for (guint b = 0; b <= N_BOUNDARIES; b++)
        {
          char le[G_ASCII_DTOSTR_BUF_SIZE];

          cumulative += counts[b];
          g_string_append (out, "hotpath_function_duration_seconds_bucket");
          append_labels (out, stats);
          g_string_append_printf (out, ",le=\"%s\"} %" G_GUINT64_FORMAT "\n",
                                  b < N_BOUNDARIES ? format_double (le, boundaries[b]) : "+Inf",
                                  b < N_BOUNDARIES ? cumulative : calls);
        }
      g_string_append (out, "hotpath_function_duration_seconds_sum");
      append_labels (out, stats);
      g_string_append (out, "} ");
      /* Every call's duration, as the buckets count them (recursion too). */
      append_double (out, (double) hotpath_function_stats_ticks_to_ns (stats, stats->histogram.sum) / 1e9);
      g_string_append (out, "\nhotpath_function_duration_seconds_count");
      append_labels (out, stats);
      g_string_append_printf (out, "} %" G_GUINT64_FORMAT "\n", calls);
    }

  for (guint v = 0; v < G_N_ELEMENTS (flow_families); v++)
      append_flow_family (out, snapshot, (FlowValue) v, openmetrics);

  if (openmetrics)
    g_string_append (out, "# EOF\n");

  return g_string_free (out, FALSE);
}
