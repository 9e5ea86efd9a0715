/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-report-table.c: the report for people, as plain-text tables.
 */

#include "config.h"

#include "hotpath-format-private.h"
#include "hotpath-report-private.h"
#include "hotpath-snapshot-private.h"

/**
 * hotpath_report_table_init:
 * @table: the table to set up
 * @layout: how its cells are aligned
 * @...: its column titles, then %NULL
 */
void
hotpath_report_table_init (HotpathReportTable       *table,
                           HotpathReportTableLayout  layout,
                           ...)
{
  va_list args;
  const char *title;

  table->layout = layout;
  table->titles = g_ptr_array_new_with_free_func (g_free);
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  va_start (args, layout);
  while ((title = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (table->titles, g_strdup (title));
  va_end (args);
}

/* Returns: (transfer none): the new row's cells, to be filled with
 * strings the table then owns */
GPtrArray *
hotpath_report_table_add_row (HotpathReportTable *table)
{
  GPtrArray *cells = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (table->rows, cells);
  return cells;
}

void
hotpath_report_table_clear (HotpathReportTable *table)
{
  g_ptr_array_unref (table->titles);
  g_ptr_array_unref (table->rows);
}

static void
append_padded (GString    *out,
               const char *text,
               guint       width,
               gboolean    align_left)
{
  guint length = (guint) g_utf8_strlen (text, -1);
  guint pad = width > length ? width - length : 0;

  if (!align_left)
    for (guint i = 0; i < pad; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, text);
  if (align_left)
    for (guint i = 0; i < pad; i++)
      g_string_append_c (out, ' ');
}

static void
append_rule (GString     *out,
             const guint *widths,
             guint        n_columns)
{
  for (guint c = 0; c < n_columns; c++)
    {
      g_string_append_c (out, '+');
      for (guint i = 0; i < widths[c] + 2; i++)
        g_string_append_c (out, '-');
    }
  g_string_append (out, "+\n");
}

static gboolean
looks_numeric (const char *text)
{
  return g_ascii_isdigit (text[0]) || (text[0] == '-' && g_ascii_isdigit (text[1]));
}

static gboolean
align_left (HotpathReportTable *table,
            guint               column,
            const char         *text,
            gboolean            title)
{
  /* The first column holds names. */
  if (column == 0)
    return TRUE;
  if (table->layout == HOTPATH_REPORT_TABLE_NUMBERS)
    return FALSE;
  /* Names and words are left-aligned, numbers right-aligned. */
  return title || !looks_numeric (text);
}

static void
append_row (GString            *out,
            HotpathReportTable *table,
            GPtrArray          *cells,
            const guint        *widths,
            gboolean            title)
{
  for (guint c = 0; c < cells->len; c++)
    {
      const char *text = g_ptr_array_index (cells, c);

      g_string_append (out, "| ");
      append_padded (out, text, widths[c], align_left (table, c, text, title));
      g_string_append_c (out, ' ');
    }
  g_string_append (out, "|\n");
}

/**
 * hotpath_report_table_render:
 * @table: a table
 * @out: where it goes
 *
 * Draws @table with its columns as wide as their widest cell.
 */
void
hotpath_report_table_render (HotpathReportTable *table,
                             GString            *out)
{
  guint n_columns = table->titles->len;
  g_autofree guint *widths = g_new0 (guint, n_columns);

  for (guint c = 0; c < n_columns; c++)
    widths[c] = (guint) g_utf8_strlen (g_ptr_array_index (table->titles, c), -1);

  for (guint r = 0; r < table->rows->len; r++)
    {
      GPtrArray *cells = g_ptr_array_index (table->rows, r);

      for (guint c = 0; c < n_columns; c++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (g_ptr_array_index (cells, c), -1));
    }

  append_rule (out, widths, n_columns);
  append_row (out, table, table->titles, widths, TRUE);
  append_rule (out, widths, n_columns);
  for (guint r = 0; r < table->rows->len; r++)
    append_row (out, table, g_ptr_array_index (table->rows, r), widths, FALSE);
  append_rule (out, widths, n_columns);
}

/* Says what a row limit left out, and how to see it. */
void
hotpath_report_table_append_footer (GString    *out,
                                    guint       shown,
                                    guint       total,
                                    const char *what)
{
  if (shown < total)
    g_string_append_printf (out, "(%u of %u %s shown; HOTPATH_LIMIT=0 shows all)\n", shown, total, what);
}

/**
 * hotpath_report_table_init_functions:
 * @table: the table to set up
 * @snapshot: a snapshot, for its percentile ranks
 *
 * The columns of a table with a row per function, for timing and
 * allocations alike.
 */
void
hotpath_report_table_init_functions (HotpathReportTable *table,
                                     HotpathSnapshot    *snapshot)
{
  hotpath_report_table_init (table, HOTPATH_REPORT_TABLE_NUMBERS, "Function", "Calls", "Avg", NULL);
  for (guint p = 0; p < snapshot->percentiles->len; p++)
    g_ptr_array_add (table->titles, hotpath_format_percentile_title (g_array_index (snapshot->percentiles, double, p)));
  g_ptr_array_add (table->titles, g_strdup ("Total"));
  g_ptr_array_add (table->titles, g_strdup ("% Total"));
}

/* measure-all's time filter: which functions it stopped measuring. */
static void
append_time_filter (GString         *out,
                    HotpathSnapshot *snapshot)
{
  g_autofree char *threshold = NULL;

  if (snapshot->filtered->len == 0)
    return;

  threshold = hotpath_format_duration (snapshot->time_filter_ns);
  g_string_append_printf (out, "(%u function%s never took longer than %s in %u calls and %s no longer "
                          "measured (HOTPATH_TIME_FILTER=0 keeps them):",
                          snapshot->filtered->len, snapshot->filtered->len == 1 ? "" : "s",
                          threshold, snapshot->time_filter_calls,
                          snapshot->filtered->len == 1 ? "is" : "are");
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

/**
 * hotpath_report_table_functions_timing:
 * @snapshot: a snapshot
 * @limit: rows to show, by total time; 0 for all
 *
 * Returns: (transfer full): the timing table, with its header line
 */
char *
hotpath_report_table_functions_timing (HotpathSnapshot *snapshot,
                                       guint            limit)
{
  GString *out = g_string_new (NULL);
  g_autofree char *elapsed = hotpath_format_duration (snapshot->elapsed_ns);
  const double *percentiles = (const double *) (gpointer) snapshot->percentiles->data;
  guint n_percentiles = snapshot->percentiles->len;
  g_autofree guint64 *values = g_new (guint64, MAX (n_percentiles, 1));
  guint n = snapshot->functions->len;
  HotpathReportTable table;
  gboolean with_self = FALSE;

  if (limit > 0)
    n = MIN (n, limit);

  g_string_append_printf (out, "[hotpath] %s: %s elapsed, %u measured function%s\n",
                          snapshot->name, elapsed, snapshot->functions->len,
                          snapshot->functions->len == 1 ? "" : "s");

  hotpath_report_table_init_functions (&table, snapshot);

  /* measure-all knows callees: a Self column, when any row has one. */
  for (guint i = 0; i < n && !with_self; i++)
    with_self = hotpath_function_stats_get_self_ns (g_ptr_array_index (snapshot->functions, i), NULL);
  if (with_self)
    g_ptr_array_insert (table.titles, table.titles->len - 1, g_strdup ("Self"));

  for (guint i = 0; i < n; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (snapshot->functions, i);
      GPtrArray *cells = hotpath_report_table_add_row (&table);
      guint64 self_ns;

      hotpath_histogram_values_at_percentiles (&stats->histogram, percentiles, n_percentiles, values);

      g_ptr_array_add (cells, g_strdup (stats->name));
      g_ptr_array_add (cells, g_strdup_printf ("%" G_GUINT64_FORMAT, hotpath_function_stats_get_calls (stats)));
      g_ptr_array_add (cells, hotpath_format_duration (hotpath_function_stats_get_avg_ns (stats)));
      for (guint p = 0; p < n_percentiles; p++)
        g_ptr_array_add (cells, hotpath_format_duration (hotpath_function_stats_ticks_to_ns (stats, values[p])));
      g_ptr_array_add (cells, hotpath_format_duration (hotpath_function_stats_get_total_ns (stats)));
      if (with_self)
        g_ptr_array_add (cells, hotpath_function_stats_get_self_ns (stats, &self_ns)
                                  ? hotpath_format_duration (self_ns) : g_strdup ("-"));
      g_ptr_array_add (cells, g_strdup_printf ("%.2f%%", hotpath_function_stats_get_percent_total (stats)));
    }

  if (snapshot->functions->len == 0)
    g_string_append (out, "(no measured function was called)\n");
  else
    hotpath_report_table_render (&table, out);
  hotpath_report_table_append_footer (out, n, snapshot->functions->len, "functions");
  append_time_filter (out, snapshot);

  hotpath_report_table_clear (&table);

  return g_string_free (out, FALSE);
}

/**
 * hotpath_report_table:
 * @snapshot: a snapshot
 *
 * Returns: (transfer full): every section as tables
 */
char *
hotpath_report_table (HotpathSnapshot *snapshot)
{
  g_autofree char *functions = hotpath_report_table_functions_timing (snapshot, snapshot->limit);
  /* Allocation tracking: its table follows when the session had it. */
  g_autofree char *alloc = hotpath_report_table_functions_alloc (snapshot, snapshot->limit);
  GString *out = g_string_new (functions);

  if (alloc != NULL)
    {
      g_string_append_c (out, '\n');
      g_string_append (out, alloc);
    }

  hotpath_report_table_append_flow (snapshot, out);  /* flow (issue 4) */

  return g_string_free (out, FALSE);
}

/**
 * hotpath_snapshot_to_table:
 * @self: a #HotpathSnapshot
 *
 * Returns: (transfer full): the report as text tables, as printed at exit
 */
char *
hotpath_snapshot_to_table (HotpathSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return hotpath_report_table (self);
}
