/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-sections.c: what HTTP, D-Bus and MCP serve, from the registry.
 *
 * None of the live consumers knows a section by name: they list and look
 * up registered sections here. The JSON is the report's
 * (report/hotpath-report-json.c); the text for people and LLMs is
 * derived from the same row description, through the section's prose
 * hooks when it has them, so the two never disagree.
 */

#include "config.h"

#include "hotpath-format-private.h"
#include "hotpath-json-writer-private.h"
#include "hotpath-report-private.h"
#include "hotpath-sections-private.h"
#include "hotpath-snapshot-private.h"

guint
hotpath_sections_get_n (void)
{
  return hotpath_registry_get_n_sections ();
}

const HotpathSectionDesc *
hotpath_sections_get_nth (guint index)
{
  return hotpath_registry_get_section (index);
}

const HotpathSectionDesc *
hotpath_sections_lookup (const char *name)
{
  return hotpath_registry_lookup (name);
}

/* Asks the section where its data is: no JSON is built. */
gboolean
hotpath_live_section_is_available (const HotpathSectionDesc *section,
                                   HotpathSnapshot          *snapshot)
{
  return hotpath_section_is_available (section, snapshot);
}

char *
hotpath_section_to_json (const HotpathSectionDesc *section,
                         HotpathSnapshot          *snapshot,
                         guint                     limit)
{
  return hotpath_report_section_json (section, snapshot, limit, FALSE);
}

char *
hotpath_section_item_to_json (const HotpathSectionDesc *section,
                              HotpathSnapshot          *snapshot,
                              guint64                   id)
{
  return hotpath_report_item_json (section, snapshot, id, FALSE);
}

char *
hotpath_report_to_json (HotpathSnapshot *snapshot)
{
  return hotpath_snapshot_to_json (snapshot, FALSE);
}

/* Without a prose hook: "Title value" for each shown field. */
static void
generic_row_text (const HotpathSectionDesc *section,
                  HotpathSnapshot          *snapshot,
                  const HotpathRowsDesc    *rows,
                  gconstpointer             row,
                  guint                     position,
                  GString                  *out)
{
  gboolean first = TRUE;

  for (guint f = 0; f < rows->n_fields; f++)
    {
      const HotpathField *field = &rows->fields[f];
      HotpathValue value = { 0 };
      g_autofree char *formatted = NULL;

      /* The name and the id begin the line already. */
      if (field->title == NULL || field->kind == HOTPATH_FIELD_ROWS || field->kind == HOTPATH_FIELD_ID ||
          g_str_equal (field->name, "name") ||
          (field->group != NULL && !hotpath_report_field_is_shown (section, snapshot, field)))
        continue;
      if (field->kind == HOTPATH_FIELD_POSITION)
        hotpath_value_set_uint (&value, position);
      else
        hotpath_field_get (field, row, &value);
      if (value.type == HOTPATH_VALUE_NONE)
        continue;

      if (value.type == HOTPATH_VALUE_HISTOGRAM)
        {
          g_autoptr(GString) summary = g_string_new (NULL);

          /* The summary starts with its own ", ". */
          hotpath_format_append_summary (summary, field->title, value.h.histogram,
                                         (const double *) (gpointer) snapshot->percentiles->data,
                                         snapshot->percentiles->len);
          g_string_append (out, first ? summary->str + 2 : summary->str);
          first = FALSE;
          continue;
        }

      formatted = hotpath_report_format_number (field->unit, &value);
      g_string_append_printf (out, "%s%s %s", first ? "" : ", ", field->title, formatted);
      first = FALSE;
    }
}

static const char *
row_name (const HotpathRowsDesc *rows,
          gconstpointer          row)
{
  const HotpathField *field = hotpath_rows_find_field (rows, "name");
  HotpathValue value = { 0 };

  if (field == NULL)
    return "-";
  hotpath_field_get (field, row, &value);
  return value.type == HOTPATH_VALUE_STRING ? value.s : "-";
}

static guint64
row_id (const HotpathRowsDesc *rows,
        gconstpointer          row)
{
  for (guint f = 0; f < rows->n_fields; f++)
    if (rows->fields[f].kind == HOTPATH_FIELD_ID)
      {
        HotpathValue value = { 0 };

        hotpath_field_get (&rows->fields[f], row, &value);
        return value.type == HOTPATH_VALUE_UINT ? value.u : 0;
      }
  return 0;
}

/**
 * hotpath_section_to_text:
 *
 * For people and LLMs: a first line that counts the items, then one
 * numbered line per row with its id (which the logs need) and its figures
 * in formatted units.
 *
 * Returns: (transfer full) (nullable): the text, or %NULL when the
 *   section is not available in @snapshot
 */
char *
hotpath_section_to_text (const HotpathSectionDesc *section,
                         HotpathSnapshot          *snapshot,
                         guint                     limit)
{
  gconstpointer data = hotpath_section_get_data (section, snapshot);
  g_autofree char *elapsed = NULL;
  GString *text;
  guint total, shown;

  if (data == NULL)
    return NULL;

  total = section->rows->count (data);
  shown = limit > 0 ? MIN (total, limit) : total;
  elapsed = hotpath_format_duration (snapshot->elapsed_ns);

  text = g_string_new (NULL);
  g_string_append_printf (text, "%s (pid %" G_GINT64_FORMAT "): %s elapsed, %u %s",
                          snapshot->name, snapshot->pid, elapsed, total, hotpath_report_noun (section, total));
  if (shown < total)
    g_string_append_printf (text, ", the first %u %s shown", shown, section->order ? section->order : "");
  g_string_append (text, ".\n");
  if (total == 0 && section->when_empty != NULL)
    g_string_append_printf (text, "%s\n", section->when_empty);

  for (guint i = 0; i < shown; i++)
    {
      gconstpointer row = section->rows->nth (data, i);

      g_string_append_printf (text, "%u. %s (id %" G_GUINT64_FORMAT "): ",
                              i + 1, row_name (section->rows, row), row_id (section->rows, row));
      if (section->row_text != NULL)
        section->row_text (section, snapshot, row, text);
      else
        generic_row_text (section, snapshot, section->rows, row, i, text);
      g_string_append_c (text, '\n');
    }

  return g_string_free (text, FALSE);
}

/* The ROWS field an item's logs are: "logs". */
static const HotpathField *
logs_field (const HotpathSectionDesc *section)
{
  const HotpathRowsDesc *rows = section->item != NULL ? section->item : section->rows;

  return hotpath_rows_find_field (rows, "logs");
}

/**
 * hotpath_section_item_to_text:
 *
 * Returns: (transfer full) (nullable): one item's logs, newest first, or
 *   %NULL if the section has no item with that id
 */
char *
hotpath_section_item_to_text (const HotpathSectionDesc *section,
                              HotpathSnapshot          *snapshot,
                              guint64                   id)
{
  gconstpointer row = hotpath_section_find_row (section, snapshot, id);
  const HotpathField *field = logs_field (section);
  HotpathValue value = { 0 };
  GString *text;
  guint n = 0;

  if (row == NULL)
    return NULL;

  if (field != NULL && field->rows != NULL)
    {
      hotpath_field_get (field, row, &value);
      if (value.type == HOTPATH_VALUE_ROWS)
        n = field->rows->count (value.rows);
    }

  text = g_string_new (NULL);
  g_string_append_printf (text, "Last %u %s of %s (id %" G_GUINT64_FORMAT "), newest first:\n", n,
                          n == 1 ? (section->log_noun ? section->log_noun : "entry")
                                 : (section->logs_noun ? section->logs_noun : "entries"),
                          row_name (section->rows, row), id);
  for (guint i = 0; i < n; i++)
    {
      gconstpointer line = field->rows->nth (value.rows, i);

      if (section->log_text != NULL)
        section->log_text (section, row, line, i, text);
      else
        {
          g_string_append_printf (text, "#%u  ", i);
          generic_row_text (section, snapshot, field->rows, line, i, text);
        }
      g_string_append_c (text, '\n');
    }

  return g_string_free (text, FALSE);
}

static const char *
unit_name (HotpathUnit unit)
{
  switch (unit)
    {
    case HOTPATH_UNIT_NS:      return "nanoseconds";
    case HOTPATH_UNIT_BYTES:   return "bytes";
    case HOTPATH_UNIT_PERCENT: return "percent";
    case HOTPATH_UNIT_NONE:
    default:                   return NULL;
    }
}

static void
append_fields (GString               *out,
               const HotpathRowsDesc *rows,
               guint                  depth)
{
  const char *group = NULL;

  for (guint f = 0; f < rows->n_fields; f++)
    {
      const HotpathField *field = &rows->fields[f];
      const char *unit = unit_name (field->unit);

      if (g_strcmp0 (field->group, group) != 0)
        {
          if (group != NULL)
            g_string_append (out, "}");
          group = field->group;
          if (group != NULL)
            g_string_append_printf (out, "%s%s {", f > 0 ? ", " : "", group);
          else if (f > 0)
            g_string_append (out, ", ");
        }
      else if (f > 0)
        g_string_append (out, ", ");

      g_string_append (out, field->name);
      if (field->kind == HOTPATH_FIELD_SUMMARY)
        g_string_append (out, " (count, total, avg, min, max, percentiles)");
      else if (field->kind == HOTPATH_FIELD_PERCENTILES)
        g_string_append (out, " (keyed p50, p95...)");
      if (field->help != NULL || unit != NULL)
        g_string_append_printf (out, " [%s%s%s]", field->help ? field->help : "",
                                field->help && unit ? "; " : "", unit ? unit : "");
      if (field->kind == HOTPATH_FIELD_ROWS && field->rows != NULL && depth < 3)
        {
          g_string_append (out, ": rows of {");
          append_fields (out, field->rows, depth + 1);
          g_string_append (out, "}");
        }
    }
  if (group != NULL)
    g_string_append (out, "}");
}

/**
 * hotpath_section_fields_text:
 *
 * Returns: (transfer full): what a row holds, from its description
 */
char *
hotpath_section_fields_text (const HotpathSectionDesc *section)
{
  GString *out = g_string_new (NULL);

  if (section->n_header > 0)
    {
      HotpathRowsDesc header = { section->header, section->n_header, NULL, NULL };

      append_fields (out, &header, 1);
      g_string_append (out, "; ");
    }
  if (section->percentile_ranks)
    g_string_append (out, "percentiles: the percentile ranks reported; ");
  g_string_append (out, "total_count: how many rows there are; limit: the row limit (0 = all); "
                        "data: one row per item with ");
  append_fields (out, section->rows, 0);
  g_string_append_c (out, '.');

  return g_string_free (out, FALSE);
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
  g_autofree char *message = NULL;
  HotpathJsonWriter writer;
  GString *out = g_string_new (NULL);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  hotpath_json_writer_init (&writer, out, FALSE);
  hotpath_json_writer_begin_object (&writer);
  hotpath_json_writer_member (&writer, "error");
  hotpath_json_writer_string (&writer, message);
  hotpath_json_writer_end_object (&writer);

  return g_string_free (out, FALSE);
}
