/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "viewer-row.h"

G_BEGIN_DECLS

#define VIEWER_TYPE_SECTION_MODEL (viewer_section_model_get_type ())

G_DECLARE_FINAL_TYPE (ViewerSectionModel, viewer_section_model, VIEWER, SECTION_MODEL, GObject)

ViewerSectionModel  *viewer_section_model_new             (const char         *name);
const char          *viewer_section_model_get_name        (ViewerSectionModel *self);
const char          *viewer_section_model_get_title       (ViewerSectionModel *self);
gboolean             viewer_section_model_update          (ViewerSectionModel *self,
                                                           JsonNode           *section,
                                                           gint64              time_us,
                                                           GError            **error);
gboolean             viewer_section_model_queue_update    (ViewerSectionModel *self,
                                                           JsonNode           *section,
                                                           gint64              time_us,
                                                           GError            **error);
gboolean             viewer_section_model_is_applying     (ViewerSectionModel *self);
void                 viewer_section_model_set_window      (ViewerSectionModel *self,
                                                           gint64              window_us);
const char * const  *viewer_section_model_get_columns     (ViewerSectionModel *self);
const char * const  *viewer_section_model_get_percentiles (ViewerSectionModel *self);
const char          *viewer_section_model_get_rate_member (ViewerSectionModel *self);
const char          *viewer_section_model_get_level_member (ViewerSectionModel *self);
gboolean            viewer_section_model_has_logs      (ViewerSectionModel *self);
const char          *viewer_section_model_get_summary_member (ViewerSectionModel *self);
ViewerRow           *viewer_section_model_lookup          (ViewerSectionModel *self,
                                                           gint64              id);
void                 viewer_section_model_flush           (ViewerSectionModel *self);
guint64              viewer_section_model_get_total_count (ViewerSectionModel *self);

void                 viewer_free_in_thread                (GPtrArray          *array);
guint                viewer_idle_add_named                (GSourceFunc         func,
                                                           gpointer            data,
                                                           const char         *name);

const char          *viewer_section_title                 (const char         *name);

G_END_DECLS
