/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "hotpath-registry-private.h"
#include "hotpath-snapshot.h"

G_BEGIN_DECLS

/*
 * What the live consumers serve, derived from the section registry: one
 * HTTP route (/<name>, /<name>/{id}/logs), one D-Bus section and one MCP
 * tool (<name>, <name>_logs) per registered section, in its order. All
 * results are text: JSON built by report/hotpath-report-json.c, or prose
 * for people and LLMs. The HTTP/MCP module reaches these through its
 * function table (hotpath-live-module-private.h).
 */
guint                     hotpath_sections_get_n            (void);
const HotpathSectionDesc *hotpath_sections_get_nth          (guint                     index);
const HotpathSectionDesc *hotpath_sections_lookup           (const char               *name);
gboolean                  hotpath_live_section_is_available (const HotpathSectionDesc *section,
                                                             HotpathSnapshot          *snapshot);
/* NULL: not available in @snapshot. */
char                     *hotpath_section_to_json           (const HotpathSectionDesc *section,
                                                             HotpathSnapshot          *snapshot,
                                                             guint                     limit);
char                     *hotpath_section_to_text           (const HotpathSectionDesc *section,
                                                             HotpathSnapshot          *snapshot,
                                                             guint                     limit);
/* NULL: no item with that id. */
char                     *hotpath_section_item_to_json      (const HotpathSectionDesc *section,
                                                             HotpathSnapshot          *snapshot,
                                                             guint64                   id);
char                     *hotpath_section_item_to_text      (const HotpathSectionDesc *section,
                                                             HotpathSnapshot          *snapshot,
                                                             guint64                   id);
/* The fields of a row, for MCP tool descriptions. */
char                     *hotpath_section_fields_text       (const HotpathSectionDesc *section);
char                     *hotpath_report_to_json            (HotpathSnapshot          *snapshot);

char                     *hotpath_json_error                (const char               *format,
                                                             ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
