/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-test-rows.h: reading a snapshot's rows through the section
 * registry's row description, as every output does, for the sections'
 * semantics tests.
 */
#pragma once

#include <glib.h>

#include "hotpath.h"
#include "hotpath-registry-private.h"
#include "hotpath-report-private.h"
#include "hotpath-test-schema.h"

static inline const HotpathSectionDesc *
test_section (const char *name)
{
  const HotpathSectionDesc *section = hotpath_registry_lookup (name);

  g_assert_nonnull (section);
  return section;
}

static inline void
test_value (const HotpathRowsDesc *rows,
            gconstpointer          row,
            const char            *field_name,
            HotpathValue          *value)
{
  const HotpathField *field = hotpath_rows_find_field (rows, field_name);

  if (field == NULL)
    g_error ("no field %s", field_name);
  memset (value, 0, sizeof *value);
  hotpath_field_get (field, row, value);
}

static inline const char *
test_text (const HotpathRowsDesc *rows,
           gconstpointer          row,
           const char            *field_name)
{
  HotpathValue value;

  test_value (rows, row, field_name, &value);
  if (value.type == HOTPATH_VALUE_NULL)
    return NULL;
  g_assert_cmpint (value.type, ==, HOTPATH_VALUE_STRING);
  return value.s;
}

/* Any number, as a double; integers are checked to fit exactly. */
static inline double
test_number (const HotpathRowsDesc *rows,
             gconstpointer          row,
             const char            *field_name)
{
  HotpathValue value;

  test_value (rows, row, field_name, &value);
  switch (value.type)
    {
    case HOTPATH_VALUE_UINT: return (double) value.u;
    case HOTPATH_VALUE_INT: return (double) value.i;
    case HOTPATH_VALUE_DOUBLE: return value.d;
    default: g_error ("%s is not a number (type %d)", field_name, value.type);
    }
  return 0;
}

static inline guint64
test_uint (const HotpathRowsDesc *rows,
           gconstpointer          row,
           const char            *field_name)
{
  HotpathValue value;

  test_value (rows, row, field_name, &value);
  g_assert_cmpint (value.type, ==, HOTPATH_VALUE_UINT);
  return value.u;
}

static inline const HotpathHistogram *
test_histogram (const HotpathRowsDesc *rows,
                gconstpointer          row,
                const char            *field_name)
{
  HotpathValue value;

  test_value (rows, row, field_name, &value);
  g_assert_cmpint (value.type, ==, HOTPATH_VALUE_HISTOGRAM);
  return value.h.histogram;
}

/* A nested list (logs, holders): its description and container. */
static inline const HotpathRowsDesc *
test_nested (const HotpathRowsDesc *rows,
             gconstpointer          row,
             const char            *field_name,
             gconstpointer         *container)
{
  const HotpathField *field = hotpath_rows_find_field (rows, field_name);
  HotpathValue value = { 0 };

  g_assert_nonnull (field);
  g_assert_nonnull (field->rows);
  hotpath_field_get (field, row, &value);
  g_assert_cmpint (value.type, ==, HOTPATH_VALUE_ROWS);
  *container = value.rows;
  return field->rows;
}

/* The row of @section whose @field_name is the text @text, or NULL. */
static inline gconstpointer
test_find_row (HotpathSnapshot *snapshot,
               const char      *section_name,
               const char      *field_name,
               const char      *text)
{
  const HotpathSectionDesc *section = test_section (section_name);
  guint n = hotpath_section_get_n_rows (section, snapshot);

  for (guint i = 0; i < n; i++)
    {
      gconstpointer row = hotpath_section_get_row (section, snapshot, i);

      if (g_strcmp0 (test_text (section->rows, row, field_name), text) == 0)
        return row;
    }
  return NULL;
}

/* Every output of @section for @snapshot is well formed: its JSON and
 * each item's (with its logs) against the schema, and a table with a row
 * per item. */
static inline void
test_assert_outputs (HotpathSnapshot *snapshot,
                     const char      *section_name)
{
  const HotpathSectionDesc *section = test_section (section_name);
  g_autofree char *json = hotpath_report_section_json (section, snapshot, 0, FALSE);
  g_autofree char *table = hotpath_report_section_table (section, snapshot, 0);
  guint n = hotpath_section_get_n_rows (section, snapshot);

  g_assert_nonnull (json);
  hotpath_test_assert_valid_json (json, section->schema_def);
  g_assert_nonnull (table);
  g_test_message ("%s", table);
  for (guint i = 0; i < n && section->has_logs; i++)
    {
      gconstpointer row = hotpath_section_get_row (section, snapshot, i);
      g_autofree char *item = hotpath_report_item_json (section, snapshot,
                                                        test_uint (section->rows, row, "id"), FALSE);

      g_assert_nonnull (item);
      hotpath_test_assert_valid_json (item, section->logs_schema_def);
    }
}
