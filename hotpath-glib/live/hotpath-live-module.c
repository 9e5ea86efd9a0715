/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-live-module.c: the entry point of libhotpath-glib-live.so, the
 * module that holds the HTTP and MCP servers (libsoup 3).
 *
 * hotpath-http.c and hotpath-mcp.c call the core by its usual function
 * names; here those names forward to the HotpathLiveCore the core hands
 * over at load time, so the two files build the same way in the module and
 * in a test that links them with the core.
 */

#include "config.h"

#include <gmodule.h>

#include "hotpath-http-private.h"
#include <json-glib/json-glib.h>

#include "hotpath-live-module-private.h"
#include "hotpath-report-private.h"

static const HotpathLiveCore *core;

G_MODULE_EXPORT gboolean hotpath_live_module_init (const HotpathLiveCore *live_core,
                                                   HotpathLiveModule     *module);

G_MODULE_EXPORT gboolean
hotpath_live_module_init (const HotpathLiveCore *live_core,
                          HotpathLiveModule     *module)
{
  if (live_core == NULL || live_core->size != sizeof *live_core ||
      g_strcmp0 (live_core->version, PACKAGE_VERSION) != 0)
    return FALSE;

  core = live_core;
  module->size = sizeof *module;
  module->version = PACKAGE_VERSION;
  module->http_new = hotpath_http_new;
  module->http_free = hotpath_http_free;

  return TRUE;
}

HotpathSnapshot *
hotpath_server_snapshot (HotpathServer *server)
{
  return core->server_snapshot (server);
}

void
hotpath_snapshot_unref (HotpathSnapshot *snapshot)
{
  core->snapshot_unref (snapshot);
}

guint
hotpath_server_get_limit (HotpathServer *server)
{
  return core->server_get_limit (server);
}

const char *
hotpath_server_lookup_body (HotpathServer *server,
                            const char    *key)
{
  return core->server_lookup_body (server, key);
}

void
hotpath_server_store_body (HotpathServer *server,
                           const char    *key,
                           const char    *body)
{
  core->server_store_body (server, key, body);
}

char *
hotpath_server_status_json (HotpathServer *server)
{
  return core->server_status_json (server);
}

void
hotpath_server_close_in_child (int fd)
{
  core->server_close_in_child (fd);
}

void
hotpath_server_forget_in_child (int fd)
{
  core->server_forget_in_child (fd);
}

gboolean
hotpath_server_is_stopping (HotpathServer *server)
{
  return core->server_is_stopping (server);
}

guint
hotpath_sections_get_n (void)
{
  return core->sections_get_n ();
}

const HotpathSectionDesc *
hotpath_sections_get_nth (guint index)
{
  return core->sections_get_nth (index);
}

const HotpathSectionDesc *
hotpath_sections_lookup (const char *name)
{
  return core->sections_lookup (name);
}

gboolean
hotpath_live_section_is_available (const HotpathSectionDesc *section,
                                   HotpathSnapshot          *snapshot)
{
  return core->section_is_available (section, snapshot);
}

char *
hotpath_section_to_json (const HotpathSectionDesc *section,
                         HotpathSnapshot          *snapshot,
                         guint                     limit)
{
  return core->section_to_json (section, snapshot, limit);
}

char *
hotpath_section_to_text (const HotpathSectionDesc *section,
                         HotpathSnapshot          *snapshot,
                         guint                     limit)
{
  return core->section_to_text (section, snapshot, limit);
}

char *
hotpath_section_item_to_json (const HotpathSectionDesc *section,
                              HotpathSnapshot          *snapshot,
                              guint64                   id)
{
  return core->section_item_to_json (section, snapshot, id);
}

char *
hotpath_section_item_to_text (const HotpathSectionDesc *section,
                              HotpathSnapshot          *snapshot,
                              guint64                   id)
{
  return core->section_item_to_text (section, snapshot, id);
}

char *
hotpath_section_fields_text (const HotpathSectionDesc *section)
{
  return core->section_fields_text (section);
}

char *
hotpath_report_to_json (HotpathSnapshot *snapshot)
{
  return core->report_to_json (snapshot);
}

gboolean
hotpath_report_write_now (char   **destination,
                          GError **error)
{
  return core->report_write_now (destination, error);
}

char *
hotpath_metrics_render (HotpathSnapshot *snapshot,
                        gboolean         openmetrics,
                        gboolean         histograms)
{
  return core->metrics_render (snapshot, openmetrics, histograms);
}

char *
hotpath_json_error (const char *format,
                    ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}
