/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib-object.h>

#include "hotpath-version-macros.h"

G_BEGIN_DECLS

#define HOTPATH_TYPE_SNAPSHOT       (hotpath_snapshot_get_type ())
#define HOTPATH_TYPE_FUNCTION_STATS (hotpath_function_stats_get_type ())

typedef struct _HotpathSnapshot      HotpathSnapshot;
typedef struct _HotpathFunctionStats HotpathFunctionStats;

HOTPATH_AVAILABLE_IN_ALL
GType                 hotpath_snapshot_get_type            (void) G_GNUC_CONST;
HOTPATH_AVAILABLE_IN_ALL
HotpathSnapshot      *hotpath_snapshot_ref                 (HotpathSnapshot  *self);
HOTPATH_AVAILABLE_IN_ALL
void                  hotpath_snapshot_unref               (HotpathSnapshot  *self);
HOTPATH_AVAILABLE_IN_ALL
const char           *hotpath_snapshot_get_name            (HotpathSnapshot  *self);
HOTPATH_AVAILABLE_IN_ALL
gint64                hotpath_snapshot_get_pid             (HotpathSnapshot  *self);
HOTPATH_AVAILABLE_IN_ALL
guint64               hotpath_snapshot_get_elapsed_ns      (HotpathSnapshot  *self);
HOTPATH_AVAILABLE_IN_ALL
const double         *hotpath_snapshot_get_percentiles     (HotpathSnapshot  *self,
                                                            guint            *n_percentiles);
HOTPATH_AVAILABLE_IN_ALL
guint                 hotpath_snapshot_get_n_functions     (HotpathSnapshot  *self);
HOTPATH_AVAILABLE_IN_ALL
HotpathFunctionStats *hotpath_snapshot_get_function        (HotpathSnapshot  *self,
                                                            guint             position);
HOTPATH_AVAILABLE_IN_ALL
char                 *hotpath_snapshot_to_json             (HotpathSnapshot  *self,
                                                            gboolean          pretty);
HOTPATH_AVAILABLE_IN_ALL
char                 *hotpath_snapshot_to_table            (HotpathSnapshot  *self);

HOTPATH_AVAILABLE_IN_ALL
GType                 hotpath_function_stats_get_type      (void) G_GNUC_CONST;
HOTPATH_AVAILABLE_IN_ALL
HotpathFunctionStats *hotpath_function_stats_ref           (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
void                  hotpath_function_stats_unref         (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
guint                 hotpath_function_stats_get_id        (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
const char           *hotpath_function_stats_get_name      (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
const char           *hotpath_function_stats_get_file      (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
guint                 hotpath_function_stats_get_line      (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
guint64               hotpath_function_stats_get_calls     (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
guint64               hotpath_function_stats_get_total_ns  (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
gboolean              hotpath_function_stats_get_self_ns   (HotpathFunctionStats *self,
                                                            guint64              *self_ns);
HOTPATH_AVAILABLE_IN_ALL
guint64               hotpath_function_stats_get_avg_ns    (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
guint64               hotpath_function_stats_get_min_ns    (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
guint64               hotpath_function_stats_get_max_ns    (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
guint64               hotpath_function_stats_get_percentile_ns (HotpathFunctionStats *self,
                                                                double                percentile);
HOTPATH_AVAILABLE_IN_ALL
double                hotpath_function_stats_get_percent_total (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
guint                 hotpath_function_stats_get_n_logs    (HotpathFunctionStats *self);
HOTPATH_AVAILABLE_IN_ALL
gboolean              hotpath_function_stats_get_log       (HotpathFunctionStats *self,
                                                            guint                 position,
                                                            guint64              *duration_ns,
                                                            guint64              *end_ns,
                                                            guint64              *thread_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HotpathSnapshot, hotpath_snapshot_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HotpathFunctionStats, hotpath_function_stats_unref)

G_END_DECLS
