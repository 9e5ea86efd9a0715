/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hotpath-json-writer-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-snapshot.h"

G_BEGIN_DECLS

#define HOTPATH_REPORT_VERSION 1

/* The one place each section's JSON is built, from its row description:
 * the exit report, the live HTTP, D-Bus and MCP routes and the viewer all
 * use these (hotpath-report-json.c). */
void      hotpath_report_write_section   (HotpathJsonWriter        *writer,
                                          const HotpathSectionDesc *section,
                                          HotpathSnapshot          *snapshot,
                                          guint                     limit);
char     *hotpath_report_section_json    (const HotpathSectionDesc *section,
                                          HotpathSnapshot          *snapshot,
                                          guint                     limit,
                                          gboolean                  pretty);
char     *hotpath_report_item_json       (const HotpathSectionDesc *section,
                                          HotpathSnapshot          *snapshot,
                                          guint64                   id,
                                          gboolean                  pretty);
void      hotpath_report_write_clock     (HotpathJsonWriter        *writer,
                                          HotpathSnapshot          *snapshot);
gboolean  hotpath_report_shows_section   (const HotpathSectionDesc *section,
                                          HotpathSnapshot          *snapshot);
void      hotpath_report_percentile_values (HotpathSnapshot        *snapshot,
                                            const HotpathValue     *value,
                                            guint64                *values);
/* hotpath-guard.c: the running session's report, written now where its
 * report goes; the session goes on. */
gboolean  hotpath_report_write_now       (char                    **destination,
                                          GError                  **error);

/* Tables and text for people (hotpath-report-table.c). */
char       *hotpath_report_section_table (const HotpathSectionDesc *section,
                                          HotpathSnapshot          *snapshot,
                                          guint                     limit);
char       *hotpath_report_table         (HotpathSnapshot          *snapshot);
char       *hotpath_report_format_number (HotpathUnit               unit,
                                          const HotpathValue       *value);
gboolean    hotpath_report_field_is_shown (const HotpathSectionDesc *section,
                                           HotpathSnapshot          *snapshot,
                                           const HotpathField       *field);
const char *hotpath_report_noun          (const HotpathSectionDesc *section,
                                          guint64                   n);

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
GPtrArray *hotpath_report_table_add_row        (HotpathReportTable       *table);
void       hotpath_report_table_render         (HotpathReportTable       *table,
                                                GString                  *out);
void       hotpath_report_table_clear          (HotpathReportTable       *table);
void       hotpath_report_table_append_footer  (GString                  *out,
                                                guint                     shown,
                                                guint                     total,
                                                const char               *what);

G_END_DECLS
