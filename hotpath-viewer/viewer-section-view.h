/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gtk/gtk.h>

#include "viewer-graph.h"
#include "viewer-section-model.h"
#include "viewer-source.h"

G_BEGIN_DECLS

#define VIEWER_TYPE_SECTION_VIEW (viewer_section_view_get_type ())

G_DECLARE_FINAL_TYPE (ViewerSectionView, viewer_section_view, VIEWER, SECTION_VIEW, GtkWidget)

GtkWidget          *viewer_section_view_new             (ViewerSectionModel *model,
                                                         ViewerSource       *source);
ViewerSectionModel *viewer_section_view_get_model       (ViewerSectionView  *self);
GtkColumnView      *viewer_section_view_get_column_view (ViewerSectionView  *self);
GtkColumnView      *viewer_section_view_get_log_view    (ViewerSectionView  *self);
ViewerGraph        *viewer_section_view_get_rate_graph  (ViewerSectionView  *self);
ViewerGraph        *viewer_section_view_get_values_graph (ViewerSectionView *self);
ViewerGraph        *viewer_section_view_get_level_graph (ViewerSectionView *self);
ViewerRow          *viewer_section_view_get_selected    (ViewerSectionView  *self);
gboolean            viewer_section_view_select_name     (ViewerSectionView  *self,
                                                         const char         *name);
void                viewer_section_view_set_search      (ViewerSectionView  *self,
                                                         const char         *text);
void                viewer_section_view_focus_search    (ViewerSectionView  *self);
void                viewer_section_view_set_window      (ViewerSectionView  *self,
                                                         guint               seconds);
void                viewer_section_view_set_percentiles (ViewerSectionView  *self,
                                                         const char * const *shown);
void                viewer_section_view_refresh         (ViewerSectionView  *self);
guint               viewer_section_view_get_n_logs      (ViewerSectionView  *self);

G_END_DECLS
