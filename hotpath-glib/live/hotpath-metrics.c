/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-metrics.c: /metrics in the Prometheus text format (0.0.4) or in
 * OpenMetrics 1.0, whichever the scraper's Accept header asks for.
 *
 * Buckets, when asked for, come from the HDR histograms re-binned at fixed
 * boundaries so that series from many processes and many scrapes add up in
 * PromQL (histogram_quantile, rate). A histogram bucket is at most 1/1024
 * of its value wide, so a value is placed by its bucket's lowest value with
 * an error below 0.1 %.
 *
 * Every registered section is here, derived from its row description: a
 * family per number field (counter or gauge) and per histogram field, a
 * sample per row labelled by its name, id and label fields. Histograms are
 * summaries (the configured percentiles as quantiles, sum and count) by
 * default, which keeps the body small (about 400 bytes a function); with
 * ?histograms=1 or HOTPATH_METRICS_HISTOGRAMS=1 they are Prometheus
 * histograms with fixed buckets, which aggregate across processes
 * (docs/live.md says when to choose which).
 */

#include "config.h"

#include <string.h>

#include "hotpath-clock-private.h"
#include "hotpath-collector-private.h"
#include "hotpath-env-private.h"
#include "hotpath-server-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-report-private.h"
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

/* Without printf: a scrape of 1,000 functions writes ~6,000 numbers. */
static void
append_uint (GString *out,
             guint64  value)
{
  char buffer[24];
  guint i = sizeof buffer;

  do
    {
      buffer[--i] = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value != 0);
  g_string_append_len (out, buffer + i, sizeof buffer - i);
}

/* Nanoseconds as seconds, exactly: 1500 -> "0.0000015". */
static void
append_ns_as_seconds (GString *out,
                      guint64  ns)
{
  char fraction[10];
  guint64 part = ns % 1000000000;
  int last = 8;

  append_uint (out, ns / 1000000000);
  if (part == 0)
    return;
  for (int i = 8; i >= 0; i--, part /= 10)
    fraction[i] = (char) ('0' + part % 10);
  while (last > 0 && fraction[last] == '0')
    last--;
  g_string_append_c (out, '.');
  g_string_append_len (out, fraction, last + 1);
}

/* Buckets of a histogram that is not in seconds: sizes and counts, by
 * powers of four. */
static const double size_boundaries[] = {
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216,
  67108864, 268435456, 1073741824,
};

#define N_SIZE_BOUNDARIES G_N_ELEMENTS (size_boundaries)

/* A histogram value in the family's unit: seconds for nanoseconds. */
static double
in_unit (const HotpathField *field,
         double              value)
{
  return field->unit == HOTPATH_UNIT_NS ? value / 1e9 : value;
}

/* Counts per boundary (not yet cumulative). */
static void
bin_histogram (const HotpathField *field,
               const HotpathValue *value,
               const double       *bounds,
               guint               n_bounds,
               guint64            *counts)
{
  const HotpathHistogram *histogram = value->h.histogram;

  memset (counts, 0, sizeof (guint64) * (n_bounds + 1));

  for (guint32 i = 0; i < histogram->n_slots; i++)
    {
      guint64 slot = histogram->slots[i];
      guint64 count = slot & G_GUINT64_CONSTANT (0xFFFFFFFFFFFF);
      double v;
      guint b = 0;

      if (slot == 0)
        continue;

      v = in_unit (field, (double) hotpath_histogram_entry_lowest (histogram, (guint) (slot >> 48) - 1) * value->h.scale);
      while (b < n_bounds && v > bounds[b])
        b++;
      counts[b] += count;
    }
}

/* "busy_ns" -> "busy_seconds", "request_bytes", "busy_percent". */
static char *
family_name (const HotpathSectionDesc *section,
             const HotpathField       *field)
{
  const char *prefix = section->metric_prefix != NULL ? section->metric_prefix : section->name;
  g_autofree char *base = NULL;

  if (field->metric != NULL && field->metric[0] == '\0')
    return g_strdup_printf ("hotpath_%s_%s", prefix, field->group);

  if (field->metric != NULL)
    base = g_strdup (field->metric);
  else if (field->unit == HOTPATH_UNIT_NS)
    base = g_str_has_suffix (field->name, "_ns")
             ? g_strdup_printf ("%.*s_seconds", (int) strlen (field->name) - 3, field->name)
             : g_strdup_printf ("%s_seconds", field->name);
  else if (field->unit == HOTPATH_UNIT_BYTES && !g_str_has_suffix (field->name, "bytes"))
    base = g_strdup_printf ("%s_bytes", field->name);
  else if (field->unit == HOTPATH_UNIT_PERCENT && !g_str_has_suffix (field->name, "percent"))
    base = g_strdup_printf ("%s_percent", field->name);
  else
    base = g_strdup (field->name);

  if (field->group != NULL)
    return g_strdup_printf ("hotpath_%s_%s_%s", prefix, field->group, base);
  return g_strdup_printf ("hotpath_%s_%s", prefix, base);
}

static gboolean
is_family (const HotpathField *field)
{
  if (field->help == NULL || g_strcmp0 (field->metric, "-") == 0)
    return FALSE;
  return field->kind == HOTPATH_FIELD_COUNTER || field->kind == HOTPATH_FIELD_GAUGE ||
         field->kind == HOTPATH_FIELD_SUMMARY || field->kind == HOTPATH_FIELD_PERCENTILES;
}

/* {function="name",id="3",type="async_queue" (no closing brace: a
 * quantile or le may follow). */
static void
append_label (GString            *out,
              const char         *label,
              const HotpathField *field,
              gconstpointer       row,
              gboolean            first)
{
  HotpathValue value = { 0 };

  hotpath_field_get (field, row, &value);
  if (!first)
    g_string_append_c (out, ',');
  g_string_append (out, label);
  g_string_append (out, "=\"");
  if (value.type == HOTPATH_VALUE_UINT)
    append_uint (out, value.u);
  else if (value.type == HOTPATH_VALUE_STRING)
    append_escaped (out, value.s);
  g_string_append_c (out, '"');
}

/* {function="name",id="3",type="async_queue" (no closing brace: a
 * quantile or le may follow). */
static void
append_row_labels (GString                  *out,
                   const HotpathSectionDesc *section,
                   const HotpathRowsDesc    *rows,
                   gconstpointer             row)
{
  const HotpathField *name = hotpath_rows_find_field (rows, "name");
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  if (name != NULL)
    {
      append_label (out, section->metric_label != NULL ? section->metric_label : "name", name, row, TRUE);
      first = FALSE;
    }
  for (guint f = 0; f < rows->n_fields; f++)
    if (rows->fields[f].kind == HOTPATH_FIELD_ID)
      {
        append_label (out, "id", &rows->fields[f], row, first);
        first = FALSE;
      }
  for (guint f = 0; f < rows->n_fields; f++)
    {
      const HotpathField *field = &rows->fields[f];

      if (field->kind == HOTPATH_FIELD_TEXT && field != name && field->metric != NULL && field->group == NULL)
        {
          append_label (out, field->metric, field, row, first);
          first = FALSE;
        }
    }
}

static void
append_number (GString            *out,
               const HotpathField *field,
               const HotpathValue *value)
{
  switch (value->type)
    {
    case HOTPATH_VALUE_UINT:
      if (field->unit == HOTPATH_UNIT_NS)
        append_ns_as_seconds (out, value->u);
      else
        append_uint (out, value->u);
      break;
    case HOTPATH_VALUE_INT:
      if (field->unit == HOTPATH_UNIT_NS)
        append_double (out, (double) value->i / 1e9);
      else
        g_string_append_printf (out, "%" G_GINT64_FORMAT, value->i);
      break;
    case HOTPATH_VALUE_DOUBLE:
      append_double (out, value->d);
      break;
    case HOTPATH_VALUE_BOOLEAN:
      g_string_append (out, value->b ? "1" : "0");
      break;
    default:
      g_string_append (out, "0");
      break;
    }
}

/* One histogram sample set: a summary (quantiles of the configured
 * percentiles, sum, count) or, when asked, cumulative buckets. */
static void
append_histogram_value (GString            *out,
                        const HotpathField *field,
                        guint64             value)
{
  if (field->unit == HOTPATH_UNIT_NS)
    append_ns_as_seconds (out, value);
  else
    append_uint (out, value);
}

static void
append_histogram (GString                  *out,
                  HotpathSnapshot          *snapshot,
                  const char               *family,
                  const HotpathField       *field,
                  const HotpathValue       *value,
                  const GString            *labels,
                  gboolean                  histograms,
                  char * const             *quantiles)
{
  const HotpathHistogram *histogram = value->h.histogram;
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  if (histograms)
    {
      gboolean seconds = field->unit == HOTPATH_UNIT_NS;
      const double *bounds = seconds ? boundaries : size_boundaries;
      guint n_bounds = seconds ? N_BOUNDARIES : N_SIZE_BOUNDARIES;
      guint64 counts[MAX (N_BOUNDARIES, N_SIZE_BOUNDARIES) + 1];
      guint64 cumulative = 0;

      bin_histogram (field, value, bounds, n_bounds, counts);
      for (guint b = 0; b <= n_bounds; b++)
        {
          cumulative += counts[b];
          g_string_append_printf (out, "%s_bucket%s,le=\"%s\"} %" G_GUINT64_FORMAT "\n", family, labels->str,
                                  b < n_bounds ? format_double (number, bounds[b]) : "+Inf",
                                  b < n_bounds ? cumulative : histogram->count);
        }
    }
  else if (histogram->count > 0)
    {
      guint n = snapshot->percentiles->len;
      guint64 stack[16];
      g_autofree guint64 *heap = n > G_N_ELEMENTS (stack) ? g_new (guint64, n) : NULL;
      guint64 *values = heap != NULL ? heap : stack;

      hotpath_report_percentile_values (snapshot, value, values);
      for (guint p = 0; p < n; p++)
        {
          g_string_append (out, family);
          g_string_append (out, labels->str);
          g_string_append (out, quantiles[p]);
          append_histogram_value (out, field, values[p]);
          g_string_append_c (out, '\n');
        }
    }

  /* Every value's sum, as the buckets count them (recursion too). */
  g_string_append (out, family);
  g_string_append (out, "_sum");
  g_string_append (out, labels->str);
  g_string_append (out, "} ");
  append_histogram_value (out, field, (guint64) ((double) histogram->sum * value->h.scale + 0.5));
  g_string_append_c (out, '\n');
  g_string_append (out, family);
  g_string_append (out, "_count");
  g_string_append (out, labels->str);
  g_string_append (out, "} ");
  append_uint (out, histogram->count);
  g_string_append_c (out, '\n');
}

/* One family per field: a header, then a sample per row that has a value;
 * a family shows up with its first value, as the report's sections do. */
static void
append_field_family (GString                  *out,
                     HotpathSnapshot          *snapshot,
                     const HotpathSectionDesc *section,
                     const HotpathRowsDesc    *rows,
                     gconstpointer             data,
                     const HotpathField       *field,
                     gboolean                  per_row,
                     gboolean                  openmetrics,
                     gboolean                  histograms)
{
  g_autofree char *family = family_name (section, field);
  gboolean histogram = field->kind == HOTPATH_FIELD_SUMMARY || field->kind == HOTPATH_FIELD_PERCENTILES;
  gboolean counter = field->kind == HOTPATH_FIELD_COUNTER;
  const char *type = histogram ? (histograms ? "histogram" : "summary") : counter ? "counter" : "gauge";
  const char *unit = field->unit == HOTPATH_UNIT_NS ? "seconds" : field->unit == HOTPATH_UNIT_BYTES ? "bytes" : NULL;
  guint n = per_row ? rows->count (data) : 1;
  g_autoptr(GString) labels = g_string_new (NULL);
  g_auto(GStrv) quantiles = g_new0 (char *, snapshot->percentiles->len + 1);
  gboolean any = FALSE;

  /* ',quantile="0.95"} ' once per family, not once per sample. */
  for (guint p = 0; p < snapshot->percentiles->len; p++)
    {
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      quantiles[p] = g_strdup_printf (",quantile=\"%s\"} ",
                                      format_double (number, g_array_index (snapshot->percentiles, double, p) / 100.0));
    }

  for (guint i = 0; i < n; i++)
    {
      gconstpointer row = per_row ? rows->nth (data, i) : data;
      HotpathValue value = { 0 };

      hotpath_field_get (field, row, &value);
      if (value.type == HOTPATH_VALUE_NONE || value.type == HOTPATH_VALUE_NULL ||
          value.type == HOTPATH_VALUE_STRING || value.type == HOTPATH_VALUE_ROWS ||
          (histogram != (value.type == HOTPATH_VALUE_HISTOGRAM)))
        continue;

      if (!any)
        {
          g_autofree char *help = g_strdup_printf ("%s: %s.", section->name, field->help);

          append_header (out, family, type, unit, help, openmetrics);
          any = TRUE;
        }

      g_string_truncate (labels, 0);
      if (per_row)
        append_row_labels (labels, section, rows, row);
      else
        g_string_append_c (labels, '{');

      if (histogram)
        {
          append_histogram (out, snapshot, family, field, &value, labels, histograms, quantiles);
          continue;
        }

      /* An empty label set is left out: `family 3`, not `family{} 3`. */
      g_string_append (out, family);
      if (counter)
        g_string_append (out, "_total");
      if (labels->len > 1)
        {
          g_string_append (out, labels->str);
          g_string_append_c (out, '}');
        }
      g_string_append_c (out, ' ');
      append_number (out, field, &value);
      g_string_append_c (out, '\n');
    }
}

/* Labels of a histogram sample need the closing brace the label set
 * leaves open; a summary line adds quantile first. */
static void
append_section (GString                  *out,
                HotpathSnapshot          *snapshot,
                const HotpathSectionDesc *section,
                gboolean                  openmetrics,
                gboolean                  histograms)
{
  gconstpointer data = hotpath_section_get_data (section, snapshot);

  if (data == NULL)
    return;

  for (guint f = 0; f < section->n_header; f++)
    if (is_family (&section->header[f]))
      append_field_family (out, snapshot, section, NULL, data, &section->header[f], FALSE,
                           openmetrics, histograms);

  for (guint f = 0; f < section->rows->n_fields; f++)
    if (is_family (&section->rows->fields[f]))
      append_field_family (out, snapshot, section, section->rows, data, &section->rows->fields[f], TRUE,
                           openmetrics, histograms);
}

/**
 * hotpath_metrics_render:
 * @snapshot: a snapshot
 * @openmetrics: OpenMetrics 1.0 instead of the Prometheus text format
 * @histograms: histogram buckets instead of summaries
 *
 * Every registered section, a family per number field of its rows.
 *
 * Returns: (transfer full): the body of /metrics
 */
char *
hotpath_metrics_render (HotpathSnapshot *snapshot,
                        gboolean         openmetrics,
                        gboolean         histograms)
{
  GString *out = g_string_sized_new (4096 + 400 * snapshot->functions->len);
  guint n = snapshot->functions->len;
  gboolean always_histograms = FALSE;

  /* Read each time: cheap, and a test may set it between scrapes. */
  hotpath_env_get_flag ("HOTPATH_METRICS_HISTOGRAMS", &always_histograms);
  histograms = histograms || always_histograms;

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

  for (guint i = 0; i < hotpath_registry_get_n_sections (); i++)
    append_section (out, snapshot, hotpath_registry_get_section (i), openmetrics, histograms);

  if (openmetrics)
    g_string_append (out, "# EOF\n");

  return g_string_free (out, FALSE);
}
