/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-json.c: the small pieces every section's JSON is built from, so
 * that each kind of value is written one way in every section.
 */

#include "config.h"

#include "hotpath-format-private.h"
#include "hotpath-json-private.h"
#include "hotpath-snapshot-private.h"

/* json-glib's integers are gint64: a larger value is clamped rather than
 * turned negative. */
void
hotpath_json_add_uint (JsonBuilder *builder,
                       const char  *name,
                       guint64      value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, (gint64) MIN (value, (guint64) G_MAXINT64));
}

void
hotpath_json_add_int (JsonBuilder *builder,
                      const char  *name,
                      gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
hotpath_json_add_double (JsonBuilder *builder,
                         const char  *name,
                         double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

/* A %NULL @value is written as null. */
void
hotpath_json_add_string (JsonBuilder *builder,
                         const char  *name,
                         const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* "percentiles": the ranks the snapshot reports, such as [50, 95, 99.9]. */
void
hotpath_json_add_percentile_ranks (JsonBuilder     *builder,
                                   HotpathSnapshot *snapshot)
{
  json_builder_set_member_name (builder, "percentiles");
  json_builder_begin_array (builder);
  for (guint i = 0; i < snapshot->percentiles->len; i++)
    json_builder_add_double_value (builder, g_array_index (snapshot->percentiles, double, i));
  json_builder_end_array (builder);
}

/* @name: {"p50": values[0], "p95": values[1], ...}, one value for each of
 * the snapshot's percentile ranks. */
void
hotpath_json_add_percentiles (JsonBuilder     *builder,
                              const char      *name,
                              HotpathSnapshot *snapshot,
                              const guint64   *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  for (guint i = 0; i < snapshot->percentiles->len; i++)
    {
      g_autofree char *key = hotpath_format_percentile_key (g_array_index (snapshot->percentiles, double, i));
      hotpath_json_add_uint (builder, key, values[i]);
    }
  json_builder_end_object (builder);
}
