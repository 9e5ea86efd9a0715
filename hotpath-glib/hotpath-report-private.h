/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "hotpath-snapshot.h"

G_BEGIN_DECLS

#define HOTPATH_REPORT_VERSION 1

/* The one place each section's JSON is built: the exit report, the live
 * HTTP, D-Bus and MCP routes and the viewer all use these. */
JsonNode *hotpath_report_json_functions_timing (HotpathSnapshot *snapshot,
                                                guint            limit);
JsonNode *hotpath_report_json_function_logs    (HotpathSnapshot *snapshot,
                                                guint            function_id);
JsonNode *hotpath_report_json_report           (HotpathSnapshot *snapshot);

char     *hotpath_report_table_functions_timing (HotpathSnapshot *snapshot,
                                                 guint            limit);
char     *hotpath_report_table                  (HotpathSnapshot *snapshot);
void      hotpath_report_table_render           (GPtrArray       *titles,
                                                 GPtrArray       *rows,
                                                 GString         *out);

/* Allocation tracking (hotpath-report-alloc.c): NULL when not tracked. */
JsonNode *hotpath_report_json_functions_alloc   (HotpathSnapshot *snapshot,
                                                 guint            limit);
char     *hotpath_report_table_functions_alloc  (HotpathSnapshot *snapshot,
                                                 guint            limit);
char     *hotpath_report_text_functions_alloc   (HotpathSnapshot *snapshot,
                                                 guint            limit);
JsonNode *hotpath_report_json_function_alloc_logs (HotpathSnapshot *snapshot,
                                                   guint            function_id);
char     *hotpath_report_text_function_alloc_logs (HotpathSnapshot *snapshot,
                                                   guint            function_id);

/* BEGIN flow (issue 4): hotpath-report-flow.c */
JsonNode *hotpath_report_json_channels          (HotpathSnapshot *snapshot,
                                                 guint            limit);
JsonNode *hotpath_report_json_futures           (HotpathSnapshot *snapshot,
                                                 guint            limit);
JsonNode *hotpath_report_json_sources           (HotpathSnapshot *snapshot,
                                                 guint            limit);
JsonNode *hotpath_report_json_main_loop         (HotpathSnapshot *snapshot,
                                                 guint            limit);
JsonNode *hotpath_report_json_flow_item         (HotpathSnapshot *snapshot,
                                                 const char      *section,
                                                 guint            id);
void      hotpath_report_json_add_flow_sections (HotpathSnapshot *snapshot,
                                                 JsonBuilder     *builder);
void      hotpath_report_table_append_flow      (HotpathSnapshot *snapshot,
                                                 GString         *out);
/* END flow */

G_END_DECLS
