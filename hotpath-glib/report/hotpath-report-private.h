/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "hotpath-snapshot.h"

G_BEGIN_DECLS

#define HOTPATH_REPORT_VERSION 1

/* The one place each section's JSON is built: the exit report, the live
 * HTTP, D-Bus and MCP routes and the viewer all use these. */
JsonNode *hotpath_report_json_clock            (HotpathSnapshot *snapshot);
JsonNode *hotpath_report_json_functions_timing (HotpathSnapshot *snapshot,
                                                guint            limit);
JsonNode *hotpath_report_json_function_logs    (HotpathSnapshot *snapshot,
                                                guint            function_id);
JsonNode *hotpath_report_json_report           (HotpathSnapshot *snapshot);

char     *hotpath_report_table_functions_timing (HotpathSnapshot *snapshot,
                                                 guint            limit);
char     *hotpath_report_table                  (HotpathSnapshot *snapshot);

/* The text table every section's table is drawn with
 * (hotpath-report-table.c). The first column holds names, left-aligned. */
typedef enum
{
  /* The other columns hold numbers: right-aligned, titles too. */
  HOTPATH_REPORT_TABLE_NUMBERS,
  /* Words and numbers mixed: titles and words left, numbers right. */
  HOTPATH_REPORT_TABLE_MIXED,
} HotpathReportTableLayout;

typedef struct
{
  HotpathReportTableLayout  layout;
  GPtrArray                *titles;   /* char* */
  GPtrArray                *rows;     /* GPtrArray of char* */
} HotpathReportTable;

void       hotpath_report_table_init           (HotpathReportTable       *table,
                                                HotpathReportTableLayout  layout,
                                                ...) G_GNUC_NULL_TERMINATED;
void       hotpath_report_table_init_functions (HotpathReportTable       *table,
                                                HotpathSnapshot          *snapshot);
GPtrArray *hotpath_report_table_add_row        (HotpathReportTable       *table);
void       hotpath_report_table_render         (HotpathReportTable       *table,
                                                GString                  *out);
void       hotpath_report_table_clear          (HotpathReportTable       *table);
void       hotpath_report_table_append_footer  (GString                  *out,
                                                guint                     shown,
                                                guint                     total,
                                                const char               *what);

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
