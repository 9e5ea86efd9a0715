/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-report-table.c: the report for people, as plain-text tables.
 */

#include "config.h"

#include "hotpath-format-private.h"
#include "hotpath-registry-private.h"
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

/* The first configured percentile strictly between 0 and 100: what a
 * summary column shows (P95 unless told otherwise). */
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

/**
 * hotpath_report_format_number:
 * @unit: the field's unit
 * @value: a number value
 *
 * Returns: (transfer full): @value for people: durations and sizes in
 *   their best unit, percentages with two decimals
 */
char *
hotpath_report_format_number (HotpathUnit         unit,
                              const HotpathValue *value)
{
  switch (value->type)
    {
    case HOTPATH_VALUE_UINT:
      if (unit == HOTPATH_UNIT_NS)
        return hotpath_format_duration (value->u);
      if (unit == HOTPATH_UNIT_BYTES)
        return hotpath_format_bytes (value->u);
      if (unit == HOTPATH_UNIT_PERCENT)
        return g_strdup_printf ("%.2f%%", (double) value->u);
      return g_strdup_printf ("%" G_GUINT64_FORMAT, value->u);
    case HOTPATH_VALUE_INT:
      if (value->i >= 0 && unit == HOTPATH_UNIT_NS)
        return hotpath_format_duration ((guint64) value->i);
      if (value->i >= 0 && unit == HOTPATH_UNIT_BYTES)
        return hotpath_format_bytes ((guint64) value->i);
      return g_strdup_printf ("%" G_GINT64_FORMAT, value->i);
    case HOTPATH_VALUE_DOUBLE:
      if (unit == HOTPATH_UNIT_PERCENT)
        return g_strdup_printf ("%.2f%%", value->d);
      return g_strdup_printf ("%.2f", value->d);
    case HOTPATH_VALUE_BOOLEAN:
      return g_strdup (value->b ? "yes" : "no");
    case HOTPATH_VALUE_STRING:
      return g_strdup (value->s);
    default:
      return g_strdup ("-");
    }
}

/**
 * hotpath_report_field_is_shown:
 * @section: a section
 * @snapshot: a snapshot
 * @field: one of its row fields
 *
 * Returns: whether tables and text show @field: it has a title, is no
 *   nested rows, and its group (if any) is the one the section shows
 */
gboolean
hotpath_report_field_is_shown (const HotpathSectionDesc *section,
                               HotpathSnapshot          *snapshot,
                               const HotpathField       *field)
{
  if (field->title == NULL || field->kind == HOTPATH_FIELD_ROWS || field->kind == HOTPATH_FIELD_ID)
    return FALSE;
  if (field->group == NULL)
    return TRUE;
  return section->table_group != NULL && g_strcmp0 (section->table_group (snapshot), field->group) == 0;
}

static char *
histogram_cell (const HotpathField *field,
                const HotpathValue *value,
                guint64             at)
{
  HotpathValue number = { 0 };

  if (value->h.histogram->count == 0)
    return g_strdup ("-");
  hotpath_value_set_uint (&number, at);
  return hotpath_report_format_number (field->unit, &number);
}

/* Which fields get a column: shown ones that some row has a value for
 * (measure-all's self time, a pool's run time). */
static gboolean *
columns_in_use (const HotpathSectionDesc *section,
                HotpathSnapshot          *snapshot,
                gconstpointer             data,
                guint                     n_rows)
{
  const HotpathRowsDesc *rows = section->rows;
  gboolean *used = g_new0 (gboolean, MAX (rows->n_fields, 1));

  for (guint f = 0; f < rows->n_fields; f++)
    {
      const HotpathField *field = &rows->fields[f];

      if (!hotpath_report_field_is_shown (section, snapshot, field))
        continue;
      if (field->kind == HOTPATH_FIELD_POSITION)
        {
          used[f] = TRUE;
          continue;
        }
      for (guint i = 0; i < n_rows && !used[f]; i++)
        {
          HotpathValue value = { 0 };

          hotpath_field_get (field, rows->nth (data, i), &value);
          used[f] = value.type != HOTPATH_VALUE_NONE;
        }
    }

  return used;
}

static void
add_columns (HotpathReportTable       *table,
             const HotpathSectionDesc *section,
             HotpathSnapshot          *snapshot,
             const gboolean           *used)
{
  const HotpathRowsDesc *rows = section->rows;
  g_autofree char *main_title = hotpath_format_percentile_title (main_percentile (snapshot));

  for (guint f = 0; f < rows->n_fields; f++)
    {
      const HotpathField *field = &rows->fields[f];

      if (!used[f])
        continue;

      if (field->kind == HOTPATH_FIELD_PERCENTILES)
        for (guint p = 0; p < snapshot->percentiles->len; p++)
          g_ptr_array_add (table->titles,
                           hotpath_format_percentile_title (g_array_index (snapshot->percentiles, double, p)));
      else if (field->kind == HOTPATH_FIELD_SUMMARY)
        g_ptr_array_add (table->titles, g_strdup_printf ("%s %s", field->title, main_title));
      else
        g_ptr_array_add (table->titles, g_strdup (field->title));
    }
}

static void
add_cells (GPtrArray                *cells,
           const HotpathSectionDesc *section,
           HotpathSnapshot          *snapshot,
           const gboolean           *used,
           gconstpointer             row,
           guint                     position)
{
  const HotpathRowsDesc *rows = section->rows;
  guint n_percentiles = snapshot->percentiles->len;
  g_autofree guint64 *values = g_new (guint64, MAX (n_percentiles, 1));

  for (guint f = 0; f < rows->n_fields; f++)
    {
      const HotpathField *field = &rows->fields[f];
      HotpathValue value = { 0 };

      if (!used[f])
        continue;

      if (field->kind == HOTPATH_FIELD_POSITION)
        hotpath_value_set_uint (&value, position);
      else
        hotpath_field_get (field, row, &value);

      if (field->kind == HOTPATH_FIELD_PERCENTILES)
        {
          if (value.type == HOTPATH_VALUE_HISTOGRAM)
            hotpath_report_percentile_values (snapshot, &value, values);
          for (guint p = 0; p < n_percentiles; p++)
            g_ptr_array_add (cells, value.type == HOTPATH_VALUE_HISTOGRAM
                                      ? histogram_cell (field, &value, values[p]) : g_strdup ("-"));
        }
      else if (field->kind == HOTPATH_FIELD_SUMMARY)
        {
          if (value.type == HOTPATH_VALUE_HISTOGRAM)
            {
              guint64 at = hotpath_histogram_value_at_percentile (value.h.histogram, main_percentile (snapshot));
              g_ptr_array_add (cells, histogram_cell (field, &value, at));
            }
          else
            g_ptr_array_add (cells, g_strdup ("-"));
        }
      else
        g_ptr_array_add (cells, hotpath_report_format_number (field->unit, &value));
    }
}

/* Numbers only (right-aligned titles) unless a column other than the
 * first holds words. */
static HotpathReportTableLayout
table_layout (const HotpathSectionDesc *section,
              const gboolean           *used)
{
  gboolean first = TRUE;

  for (guint f = 0; f < section->rows->n_fields; f++)
    {
      const HotpathField *field = &section->rows->fields[f];

      if (!used[f])
        continue;
      if (!first && field->kind == HOTPATH_FIELD_TEXT)
        return HOTPATH_REPORT_TABLE_MIXED;
      first = FALSE;
    }

  return HOTPATH_REPORT_TABLE_NUMBERS;
}

const char *
hotpath_report_noun (const HotpathSectionDesc *section,
                     guint64                   n)
{
  if (n == 1)
    return section->item_noun != NULL ? section->item_noun : "item";
  return section->items_noun != NULL ? section->items_noun : "items";
}

/**
 * hotpath_report_section_table:
 * @section: a section
 * @snapshot: a snapshot in which it is available
 * @limit: rows to show; 0 for all
 *
 * Returns: (transfer full): the section's heading, its table (a column per
 *   titled field) and what its table hook adds
 */
char *
hotpath_report_section_table (const HotpathSectionDesc *section,
                              HotpathSnapshot          *snapshot,
                              guint                     limit)
{
  GString *out = g_string_new (NULL);
  gconstpointer data = hotpath_section_get_data (section, snapshot);
  guint total = data != NULL ? section->rows->count (data) : 0;
  guint n = limit > 0 ? MIN (total, limit) : total;
  g_autofree gboolean *used = NULL;
  HotpathReportTable table;

  if (section->heading != NULL)
    section->heading (section, snapshot, out);
  else
    g_string_append_printf (out, "[hotpath] %s: %u %s\n", section->title ? section->title : section->name,
                            total, hotpath_report_noun (section, total));

  if (total == 0)
    {
      if (section->when_empty != NULL)
        g_string_append_printf (out, "%s\n", section->when_empty);
      if (section->table != NULL)
        section->table (section, snapshot, 0, out);
      return g_string_free (out, FALSE);
    }

  used = columns_in_use (section, snapshot, data, n);
  hotpath_report_table_init (&table, table_layout (section, used), NULL);
  add_columns (&table, section, snapshot, used);
  for (guint i = 0; i < n; i++)
    add_cells (hotpath_report_table_add_row (&table), section, snapshot, used, section->rows->nth (data, i), i);
  hotpath_report_table_render (&table, out);
  hotpath_report_table_clear (&table);

  hotpath_report_table_append_footer (out, n, total, section->items_noun ? section->items_noun : "items");
  if (section->table != NULL)
    section->table (section, snapshot, n, out);

  return g_string_free (out, FALSE);
}

/**
 * hotpath_report_table:
 * @snapshot: a snapshot
 *
 * Returns: (transfer full): every section the report shows, as tables, in
 *   the registry's order
 */
char *
hotpath_report_table (HotpathSnapshot *snapshot)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < hotpath_registry_get_n_sections (); i++)
    {
      const HotpathSectionDesc *section = hotpath_registry_get_section (i);
      g_autofree char *table = NULL;

      if (!hotpath_report_shows_section (section, snapshot))
        continue;
      table = hotpath_report_section_table (section, snapshot, snapshot->limit);
      if (out->len > 0)
        g_string_append_c (out, '\n');
      g_string_append (out, table);
    }

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
