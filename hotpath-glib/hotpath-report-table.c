/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-report-table.c: the report for people, as plain-text tables.
 */

#include "config.h"

#include "hotpath-format-private.h"
#include "hotpath-report-private.h"
#include "hotpath-snapshot-private.h"

typedef struct
{
  GPtrArray *titles;   /* char* */
  GPtrArray *rows;     /* GPtrArray of char* */
} Table;

static void
table_init (Table *table)
{
  table->titles = g_ptr_array_new_with_free_func (g_free);
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
}

static void
table_clear (Table *table)
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
  glong length = g_utf8_strlen (text, -1);
  guint pad = width > length ? width - (guint) length : 0;

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

static void
append_row (GString     *out,
            GPtrArray   *cells,
            const guint *widths)
{
  for (guint c = 0; c < cells->len; c++)
    {
      g_string_append (out, "| ");
      /* The first column holds names: left-aligned; the rest are numbers. */
      append_padded (out, g_ptr_array_index (cells, c), widths[c], c == 0);
      g_string_append_c (out, ' ');
    }
  g_string_append (out, "|\n");
}

static void
table_render (Table   *table,
              GString *out)
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
  append_row (out, table->titles, widths);
  append_rule (out, widths, n_columns);
  for (guint r = 0; r < table->rows->len; r++)
    append_row (out, g_ptr_array_index (table->rows, r), widths);
  append_rule (out, widths, n_columns);
}

/* Renders @titles and @rows (GPtrArray of char*) as a table; shared with
 * the other sections' tables. */
void
hotpath_report_table_render (GPtrArray *titles,
                             GPtrArray *rows,
                             GString   *out)
{
  Table table = { titles, rows };

  table_render (&table, out);
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
  Table table;

  if (limit > 0)
    n = MIN (n, limit);

  g_string_append_printf (out, "[hotpath] %s: %s elapsed, %u measured function%s\n",
                          snapshot->name, elapsed, snapshot->functions->len,
                          snapshot->functions->len == 1 ? "" : "s");

  table_init (&table);
  g_ptr_array_add (table.titles, g_strdup ("Function"));
  g_ptr_array_add (table.titles, g_strdup ("Calls"));
  g_ptr_array_add (table.titles, g_strdup ("Avg"));
  for (guint p = 0; p < n_percentiles; p++)
    g_ptr_array_add (table.titles, hotpath_format_percentile_title (percentiles[p]));
  g_ptr_array_add (table.titles, g_strdup ("Total"));
  g_ptr_array_add (table.titles, g_strdup ("% Total"));

  for (guint i = 0; i < n; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (snapshot->functions, i);
      GPtrArray *cells = g_ptr_array_new_with_free_func (g_free);

      hotpath_histogram_values_at_percentiles (&stats->histogram, percentiles, n_percentiles, values);

      g_ptr_array_add (cells, g_strdup (stats->name));
      g_ptr_array_add (cells, g_strdup_printf ("%" G_GUINT64_FORMAT, hotpath_function_stats_get_calls (stats)));
      g_ptr_array_add (cells, hotpath_format_duration (hotpath_function_stats_get_avg_ns (stats)));
      for (guint p = 0; p < n_percentiles; p++)
        g_ptr_array_add (cells, hotpath_format_duration (hotpath_function_stats_ticks_to_ns (stats, values[p])));
      g_ptr_array_add (cells, hotpath_format_duration (hotpath_function_stats_get_total_ns (stats)));
      g_ptr_array_add (cells, g_strdup_printf ("%.2f%%", hotpath_function_stats_get_percent_total (stats)));
      g_ptr_array_add (table.rows, cells);
    }

  if (snapshot->functions->len == 0)
    g_string_append (out, "(no measured function was called)\n");
  else
    table_render (&table, out);

  if (n < snapshot->functions->len)
    g_string_append_printf (out, "(%u of %u functions shown; HOTPATH_LIMIT=0 shows all)\n",
                            n, snapshot->functions->len);

  table_clear (&table);

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
