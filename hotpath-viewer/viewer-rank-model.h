/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gtk/gtk.h>

#include "viewer-row.h"
#include "viewer-section-model.h"

G_BEGIN_DECLS

#define VIEWER_TYPE_RANK (viewer_rank_get_type ())

G_DECLARE_FINAL_TYPE (ViewerRank, viewer_rank, VIEWER, RANK, GObject)

ViewerRow       *viewer_rank_get_row             (ViewerRank         *self);
guint            viewer_rank_get_position        (ViewerRank         *self);

#define VIEWER_TYPE_RANK_MODEL (viewer_rank_model_get_type ())

G_DECLARE_FINAL_TYPE (ViewerRankModel, viewer_rank_model, VIEWER, RANK_MODEL, GObject)

ViewerRankModel *viewer_rank_model_new           (ViewerSectionModel *rows,
                                                  GtkSorter          *sorter,
                                                  GtkFilter          *filter);
ViewerRow       *viewer_rank_model_get_row       (ViewerRankModel    *self,
                                                  guint               position);
guint            viewer_rank_model_find          (ViewerRankModel    *self,
                                                  ViewerRow          *row);
guint            viewer_rank_model_get_n_reranks (ViewerRankModel    *self);
gboolean         viewer_rank_model_is_reranking  (ViewerRankModel    *self);

G_END_DECLS
