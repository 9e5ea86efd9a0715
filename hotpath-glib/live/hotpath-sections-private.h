/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "hotpath-snapshot.h"

G_BEGIN_DECLS

/* Builders return NULL when the section is not available in this process
 * (its subsystem is off or not built yet). */
typedef JsonNode *(*HotpathSectionJsonFunc) (HotpathSnapshot *snapshot,
                                             guint            limit);
typedef JsonNode *(*HotpathSectionLogsFunc) (HotpathSnapshot *snapshot,
                                             guint            id);
typedef char     *(*HotpathLiveTextFunc) (HotpathSnapshot *snapshot,
                                             guint            limit);
typedef char     *(*HotpathSectionLogsTextFunc) (HotpathSnapshot *snapshot,
                                                 guint            id);

/*
 * HotpathSection:
 *
 * One row of the table every live consumer reads: the HTTP routes
 * (/<name>, /<name>/{id}/logs), the D-Bus methods and the MCP tools
 * (<name>, <name>_logs). A subsystem that lands fills in its row's
 * functions; nothing else needs to change.
 */
typedef struct
{
  const char                 *name;
  const char                 *description;   /* what it measures, one sentence */
  const char                 *fields;        /* its fields, for MCP tool descriptions */
  const char                 *schema_def;    /* $defs entry of the body */
  const char                 *logs_schema_def;
  gboolean                    has_logs;      /* items have /{id}/logs */
  HotpathSectionJsonFunc      json;          /* NULL: not implemented yet */
  HotpathSectionLogsFunc      logs_json;
  HotpathLiveTextFunc      text;          /* for people and LLMs, units formatted */
  HotpathSectionLogsTextFunc  logs_text;
} HotpathSection;

const HotpathSection *hotpath_sections_get          (guint           *n_sections);
const HotpathSection *hotpath_sections_lookup       (const char      *name);
gboolean              hotpath_live_section_is_available  (const HotpathSection *section,
                                                     HotpathSnapshot      *snapshot);

char                 *hotpath_json_to_string        (JsonNode        *node,
                                                     gboolean         pretty);
char                 *hotpath_json_error            (const char      *format,
                                                     ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
