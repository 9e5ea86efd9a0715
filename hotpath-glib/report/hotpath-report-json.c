/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-report-json.c: the JSON of every section, derived from its row
 * description (hotpath-registry-private.h) and built only here: the exit
 * report, HTTP, D-Bus, MCP and the viewer all read it.
 * data/hotpath-report.schema.json describes it; tests validate every
 * output against that schema.
 */

#include "config.h"

#include "hotpath-format-private.h"
#include "hotpath-json-writer-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-report-private.h"
#include "hotpath-snapshot-private.h"

static guint64
scaled (guint64 value,
        double  scale)
{
  if (scale == 1.0)
    return value;
  return (guint64) ((double) value * scale + 0.5);
}

/**
 * hotpath_report_percentile_values:
 * @snapshot: whose percentile ranks
 * @value: a %HOTPATH_VALUE_HISTOGRAM
 * @values: (out caller-allocates): one per rank of @snapshot
 *
 * The histogram's values at the snapshot's ranks, in the field's unit.
 */
void
hotpath_report_percentile_values (HotpathSnapshot    *snapshot,
                                  const HotpathValue *value,
                                  guint64            *values)
{
  guint n = snapshot->percentiles->len;

  hotpath_histogram_values_at_percentiles (value->h.histogram, (const double *) (gpointer) snapshot->percentiles->data,
                                           n, values);
  for (guint i = 0; i < n; i++)
    values[i] = scaled (values[i], value->h.scale);
}

static void
write_percentiles (HotpathJsonWriter  *writer,
                   HotpathSnapshot    *snapshot,
                   const HotpathValue *value)
{
  guint n = snapshot->percentiles->len;
  g_autofree guint64 *values = g_new (guint64, MAX (n, 1));

  hotpath_report_percentile_values (snapshot, value, values);
  hotpath_json_writer_begin_object (writer);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = hotpath_format_percentile_key (g_array_index (snapshot->percentiles, double, i));

      hotpath_json_writer_member (writer, key);
      hotpath_json_writer_uint (writer, values[i]);
    }
  hotpath_json_writer_end_object (writer);
}

/* A histogram: count, total, avg, min, max and percentiles, the unit's
 * suffix on each figure ("total_ns"). */
static void
write_summary (HotpathJsonWriter  *writer,
               HotpathSnapshot    *snapshot,
               const HotpathField *field,
               const HotpathValue *value)
{
  const HotpathHistogram *histogram = value->h.histogram;
  const char *suffix = field->unit == HOTPATH_UNIT_NS ? "_ns" : field->unit == HOTPATH_UNIT_BYTES ? "_bytes" : "";
  guint64 count = histogram->count;
  g_autofree char *total = g_strconcat ("total", suffix, NULL);
  g_autofree char *avg = g_strconcat ("avg", suffix, NULL);
  g_autofree char *min = g_strconcat ("min", suffix, NULL);
  g_autofree char *max = g_strconcat ("max", suffix, NULL);
  g_autofree char *percentiles = g_strconcat ("percentiles", suffix, NULL);

  hotpath_json_writer_begin_object (writer);
  hotpath_json_writer_member (writer, "count");
  hotpath_json_writer_uint (writer, count);
  hotpath_json_writer_member (writer, total);
  hotpath_json_writer_uint (writer, scaled (histogram->sum, value->h.scale));
  hotpath_json_writer_member (writer, avg);
  hotpath_json_writer_uint (writer, count ? scaled ((histogram->sum + count / 2) / count, value->h.scale) : 0);
  hotpath_json_writer_member (writer, min);
  hotpath_json_writer_uint (writer, count ? scaled (histogram->min, value->h.scale) : 0);
  hotpath_json_writer_member (writer, max);
  hotpath_json_writer_uint (writer, scaled (histogram->max, value->h.scale));
  hotpath_json_writer_member (writer, percentiles);
  write_percentiles (writer, snapshot, value);
  hotpath_json_writer_end_object (writer);
}

static void write_rows (HotpathJsonWriter     *writer,
                        HotpathSnapshot       *snapshot,
                        const HotpathRowsDesc *rows,
                        gconstpointer          container,
                        guint                  limit);

static void
write_value (HotpathJsonWriter  *writer,
             HotpathSnapshot    *snapshot,
             const HotpathField *field,
             const HotpathValue *value)
{
  switch (value->type)
    {
    case HOTPATH_VALUE_NULL:
      hotpath_json_writer_null (writer);
      break;
    case HOTPATH_VALUE_UINT:
      hotpath_json_writer_uint (writer, value->u);
      break;
    case HOTPATH_VALUE_INT:
      hotpath_json_writer_int (writer, value->i);
      break;
    case HOTPATH_VALUE_DOUBLE:
      hotpath_json_writer_double (writer, value->d);
      break;
    case HOTPATH_VALUE_STRING:
      hotpath_json_writer_string (writer, value->s);
      break;
    case HOTPATH_VALUE_BOOLEAN:
      hotpath_json_writer_boolean (writer, value->b);
      break;
    case HOTPATH_VALUE_HISTOGRAM:
      if (field->kind == HOTPATH_FIELD_SUMMARY)
        write_summary (writer, snapshot, field, value);
      else
        write_percentiles (writer, snapshot, value);
      break;
    case HOTPATH_VALUE_ROWS:
      if (field->rows != NULL)
        write_rows (writer, snapshot, field->rows, value->rows, 0);
      else
        hotpath_json_writer_null (writer);
      break;
    case HOTPATH_VALUE_NONE:
    default:
      hotpath_json_writer_null (writer);
      break;
    }
}

static gboolean
group_has_value (const HotpathField *fields,
                 guint               n_fields,
                 guint               first,
                 gconstpointer       row)
{
  for (guint i = first; i < n_fields && g_strcmp0 (fields[i].group, fields[first].group) == 0; i++)
    {
      HotpathValue value = { 0 };

      if (fields[i].kind == HOTPATH_FIELD_POSITION)
        return TRUE;
      hotpath_field_get (&fields[i], row, &value);
      if (value.type != HOTPATH_VALUE_NONE)
        return TRUE;
    }
  return FALSE;
}

/* The members of one row (or of a section's header), inside the object
 * the caller opened. Fields of one group form a nested object. */
static void
write_fields (HotpathJsonWriter  *writer,
              HotpathSnapshot    *snapshot,
              const HotpathField *fields,
              guint               n_fields,
              gconstpointer       row,
              guint               position)
{
  const char *group = NULL;

  for (guint i = 0; i < n_fields; i++)
    {
      const HotpathField *field = &fields[i];
      HotpathValue value = { 0 };

      if (field->kind == HOTPATH_FIELD_POSITION)
        hotpath_value_set_uint (&value, position);
      else
        hotpath_field_get (field, row, &value);

      if (g_strcmp0 (group, field->group) != 0)
        {
          if (group != NULL)
            hotpath_json_writer_end_object (writer);
          group = field->group;
          /* A group none of whose fields has a value is left out. */
          if (group != NULL && !group_has_value (fields, n_fields, i, row))
            {
              while (i + 1 < n_fields && g_strcmp0 (fields[i + 1].group, group) == 0)
                i++;
              group = NULL;
              continue;
            }
          if (group != NULL)
            {
              hotpath_json_writer_member (writer, group);
              hotpath_json_writer_begin_object (writer);
            }
        }

      if (value.type == HOTPATH_VALUE_NONE)
        continue;

      hotpath_json_writer_member (writer, field->name);
      write_value (writer, snapshot, field, &value);
    }

  if (group != NULL)
    hotpath_json_writer_end_object (writer);
}

static void
write_rows (HotpathJsonWriter     *writer,
            HotpathSnapshot       *snapshot,
            const HotpathRowsDesc *rows,
            gconstpointer          container,
            guint                  limit)
{
  guint n = rows->count (container);

  if (limit > 0)
    n = MIN (n, limit);

  hotpath_json_writer_begin_array (writer);
  for (guint i = 0; i < n; i++)
    {
      hotpath_json_writer_begin_object (writer);
      write_fields (writer, snapshot, rows->fields, rows->n_fields, rows->nth (container, i), i);
      hotpath_json_writer_end_object (writer);
    }
  hotpath_json_writer_end_array (writer);
}

static void
write_percentile_ranks (HotpathJsonWriter *writer,
                        HotpathSnapshot   *snapshot)
{
  hotpath_json_writer_member (writer, "percentiles");
  hotpath_json_writer_begin_array (writer);
  for (guint i = 0; i < snapshot->percentiles->len; i++)
    hotpath_json_writer_double (writer, g_array_index (snapshot->percentiles, double, i));
  hotpath_json_writer_end_array (writer);
}

/**
 * hotpath_report_write_section:
 * @writer: where
 * @section: a registered section
 * @snapshot: a snapshot in which @section is available
 * @limit: how many rows; 0 for all
 *
 * The section's object: its header fields, the percentile ranks if its
 * rows have percentiles, total_count, limit and data (the rows).
 */
void
hotpath_report_write_section (HotpathJsonWriter        *writer,
                              const HotpathSectionDesc *section,
                              HotpathSnapshot          *snapshot,
                              guint                     limit)
{
  gconstpointer data = hotpath_section_get_data (section, snapshot);

  g_return_if_fail (data != NULL);

  hotpath_json_writer_begin_object (writer);
  write_fields (writer, snapshot, section->header, section->n_header, data, 0);
  if (section->percentile_ranks)
    write_percentile_ranks (writer, snapshot);
  hotpath_json_writer_member (writer, "total_count");
  hotpath_json_writer_uint (writer, section->rows->count (data));
  hotpath_json_writer_member (writer, "limit");
  hotpath_json_writer_uint (writer, limit);
  hotpath_json_writer_member (writer, "data");
  write_rows (writer, snapshot, section->rows, data, limit);
  hotpath_json_writer_end_object (writer);
}

/**
 * hotpath_report_section_json:
 * @section: a registered section
 * @snapshot: a snapshot
 * @limit: how many rows; 0 for all
 * @pretty: whether to indent
 *
 * Returns: (transfer full) (nullable): the section's JSON, or %NULL when
 *   it is not available in @snapshot
 */
char *
hotpath_report_section_json (const HotpathSectionDesc *section,
                             HotpathSnapshot          *snapshot,
                             guint                     limit,
                             gboolean                  pretty)
{
  HotpathJsonWriter writer;
  GString *out;

  if (!hotpath_section_is_available (section, snapshot))
    return NULL;

  out = g_string_new (NULL);
  hotpath_json_writer_init (&writer, out, pretty);
  hotpath_report_write_section (&writer, section, snapshot, limit);

  return g_string_free (out, FALSE);
}

/**
 * hotpath_report_item_json:
 * @section: a section whose items have logs
 * @snapshot: a snapshot
 * @id: an item's id
 * @pretty: whether to indent
 *
 * One item with its logs (`/<section>/<id>/logs`): the fields the section
 * gives an item, or its whole row.
 *
 * Returns: (transfer full) (nullable): the item, or %NULL if @section has
 *   no item with that id in @snapshot
 */
char *
hotpath_report_item_json (const HotpathSectionDesc *section,
                          HotpathSnapshot          *snapshot,
                          guint64                   id,
                          gboolean                  pretty)
{
  gconstpointer row = hotpath_section_find_row (section, snapshot, id);
  const HotpathRowsDesc *rows = section->item != NULL ? section->item : section->rows;
  HotpathJsonWriter writer;
  GString *out;

  if (row == NULL)
    return NULL;

  out = g_string_new (NULL);
  hotpath_json_writer_init (&writer, out, pretty);
  hotpath_json_writer_begin_object (&writer);
  write_fields (&writer, snapshot, rows->fields, rows->n_fields, row, 0);
  hotpath_json_writer_end_object (&writer);

  return g_string_free (out, FALSE);
}

/**
 * hotpath_report_write_clock:
 *
 * The `clock` object of the report and of /profiler_status: which clock
 * timed the measured code, its rate and why it was chosen.
 */
void
hotpath_report_write_clock (HotpathJsonWriter *writer,
                            HotpathSnapshot   *snapshot)
{
  hotpath_json_writer_begin_object (writer);
  hotpath_json_writer_member (writer, "source");
  hotpath_json_writer_string (writer, hotpath_clock_source_to_string (snapshot->clock_source));
  hotpath_json_writer_member (writer, "ticks_per_second");
  hotpath_json_writer_double (writer, snapshot->ticks_per_second);
  if (snapshot->clock_reason != NULL)
    {
      hotpath_json_writer_member (writer, "reason");
      hotpath_json_writer_string (writer, snapshot->clock_reason);
    }
  hotpath_json_writer_member (writer, "kernel_clocksource");
  hotpath_json_writer_string (writer, snapshot->kernel_clocksource);
  hotpath_json_writer_end_object (writer);
}

/* In the report: a section that is available and has rows, or that says
 * so even when empty (the functions: "nothing was measured" is news). */
gboolean
hotpath_report_shows_section (const HotpathSectionDesc *section,
                              HotpathSnapshot          *snapshot)
{
  if (!hotpath_section_is_available (section, snapshot))
    return FALSE;
  return section->report_when_empty || hotpath_section_get_n_rows (section, snapshot) > 0;
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
  HotpathJsonWriter writer;
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  hotpath_json_writer_init (&writer, out, pretty);
  hotpath_json_writer_begin_object (&writer);
  hotpath_json_writer_member (&writer, "type");
  hotpath_json_writer_string (&writer, "hotpath_report");
  hotpath_json_writer_member (&writer, "version");
  hotpath_json_writer_uint (&writer, HOTPATH_REPORT_VERSION);
  hotpath_json_writer_member (&writer, "program");
  hotpath_json_writer_string (&writer, self->name);
  hotpath_json_writer_member (&writer, "pid");
  hotpath_json_writer_uint (&writer, (guint64) self->pid);
  hotpath_json_writer_member (&writer, "elapsed_ns");
  hotpath_json_writer_uint (&writer, self->elapsed_ns);
  hotpath_json_writer_member (&writer, "clock");
  hotpath_report_write_clock (&writer, self);

  hotpath_json_writer_member (&writer, "sections");
  hotpath_json_writer_begin_object (&writer);
  for (guint i = 0; i < hotpath_registry_get_n_sections (); i++)
    {
      const HotpathSectionDesc *section = hotpath_registry_get_section (i);

      if (!hotpath_report_shows_section (section, self))
        continue;
      hotpath_json_writer_member (&writer, section->name);
      hotpath_report_write_section (&writer, section, self, self->limit);
    }
  hotpath_json_writer_end_object (&writer);

  hotpath_json_writer_end_object (&writer);

  return g_string_free (out, FALSE);
}
