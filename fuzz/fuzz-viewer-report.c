/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-viewer-report: a report file as hotpath-viewer opens it (File ▸
 * Open): parsed as viewer-source.c parses it, checked as it checks it, then
 * each section into a ViewerSectionModel as the window does. Criticals are
 * fatal here: a hostile file must get "not a hotpath-glib report" or rows,
 * never a failed assertion.
 */

#include "config.h"

#include <stdint.h>

#include <json-glib/json-glib.h>

#include "viewer-section-model.h"
#include "viewer-source.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GBytes) bytes = NULL;
  JsonObject *report, *sections;
  JsonNode *root, *type, *sections_node;

  if (!initialized)
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      initialized = TRUE;
    }

  /* viewer-source.c: parse_bytes(). */
  bytes = g_bytes_new (data, size);
  if (!viewer_report_bytes_acceptable (bytes, NULL))
    return 0;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, (const char *) data, size, NULL))
    return 0;

  /* viewer-source.c: the file must be a hotpath_report with sections. */
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  report = json_node_get_object (root);
  type = json_object_get_member (report, "type");
  if (type == NULL || !JSON_NODE_HOLDS_VALUE (type) || json_node_get_value_type (type) != G_TYPE_STRING ||
      g_strcmp0 (json_node_get_string (type), "hotpath_report") != 0)
    return 0;
  sections_node = json_object_get_member (report, "sections");
  if (sections_node == NULL || !JSON_NODE_HOLDS_OBJECT (sections_node))
    return 0;
  sections = json_node_get_object (sections_node);

  /* viewer-window.c: one model per section, updated from its node. */
  for (GList *members = json_object_get_members (sections), *l = members; l != NULL; l = l->next)
    {
      g_autoptr(ViewerSectionModel) model = viewer_section_model_new (l->data);
      g_autoptr(GError) error = NULL;

      viewer_section_model_update (model, json_object_get_member (sections, l->data), 1000000, &error);
      viewer_section_model_update (model, json_object_get_member (sections, l->data), 2000000, NULL);
      viewer_section_model_flush (model);
      if (l->next == NULL)
        g_list_free (members);
    }

  return 0;
}
