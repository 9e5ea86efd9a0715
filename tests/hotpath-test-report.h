/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-test-report.h: a section's JSON and text as the tests read
 * them (JsonNode, by section name), from the registry's outputs.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "hotpath-registry-private.h"
#include "hotpath-report-private.h"
#include "hotpath-sections-private.h"

static inline JsonNode *
hotpath_test_parse (char *json)
{
  g_autofree char *owned = json;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;

  if (owned == NULL)
    return NULL;
  parser = json_parser_new ();
  json_parser_load_from_data (parser, owned, -1, &error);
  g_assert_no_error (error);
  return json_parser_steal_root (parser);
}

static inline JsonNode *
hotpath_test_section_json (HotpathSnapshot *snapshot,
                           const char      *name,
                           guint            limit)
{
  const HotpathSectionDesc *section = hotpath_registry_lookup (name);

  g_assert_nonnull (section);
  return hotpath_test_parse (hotpath_report_section_json (section, snapshot, limit, FALSE));
}

static inline JsonNode *
hotpath_test_item_json (HotpathSnapshot *snapshot,
                        const char      *name,
                        guint64          id)
{
  const HotpathSectionDesc *section = hotpath_registry_lookup (name);

  if (section == NULL)
    return NULL;
  return hotpath_test_parse (hotpath_report_item_json (section, snapshot, id, FALSE));
}

static inline char *
hotpath_test_section_table (HotpathSnapshot *snapshot,
                            const char      *name,
                            guint            limit)
{
  return hotpath_report_section_table (hotpath_registry_lookup (name), snapshot, limit);
}

static inline char *
hotpath_test_item_text (HotpathSnapshot *snapshot,
                        const char      *name,
                        guint64          id)
{
  return hotpath_section_item_to_text (hotpath_registry_lookup (name), snapshot, id);
}

static inline JsonNode *
hotpath_test_clock_json (HotpathSnapshot *snapshot)
{
  GString *out = g_string_new (NULL);
  HotpathJsonWriter writer;

  hotpath_json_writer_init (&writer, out, FALSE);
  hotpath_report_write_clock (&writer, snapshot);
  return hotpath_test_parse (g_string_free (out, FALSE));
}
