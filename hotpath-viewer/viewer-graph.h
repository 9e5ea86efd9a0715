/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gtk/gtk.h>

#include "viewer-row.h"

G_BEGIN_DECLS

/* What a graph draws of its row's samples. Series names are members: the
 * counter of the rate, the level, or the values (percentiles); their unit
 * comes from the name, as in the table. */
typedef enum
{
  VIEWER_GRAPH_RATE,    /* the row's rate, per second */
  VIEWER_GRAPH_VALUES,  /* the row's series (percentiles) */
  VIEWER_GRAPH_LEVEL,   /* the row's level (a queue's length, busy %) */
} ViewerGraphKind;

#define VIEWER_TYPE_GRAPH (viewer_graph_get_type ())

G_DECLARE_FINAL_TYPE (ViewerGraph, viewer_graph, VIEWER, GRAPH, GtkWidget)

GtkWidget       *viewer_graph_new              (void);
void             viewer_graph_set_row          (ViewerGraph        *self,
                                                ViewerRow          *row);
ViewerRow       *viewer_graph_get_row          (ViewerGraph        *self);
void             viewer_graph_set_kind         (ViewerGraph        *self,
                                                ViewerGraphKind     kind);
void             viewer_graph_set_series_names (ViewerGraph        *self,
                                                const char * const *names);
void             viewer_graph_set_window       (ViewerGraph        *self,
                                                guint               seconds);
void             viewer_graph_set_live         (ViewerGraph        *self,
                                                gboolean            live);
guint            viewer_graph_get_n_points     (ViewerGraph        *self);
char            *viewer_graph_describe_at      (ViewerGraph        *self,
                                                double              x);

G_END_DECLS
