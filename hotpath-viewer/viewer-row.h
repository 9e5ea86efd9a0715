/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VIEWER_MAX_SERIES 4

/* One refresh of one row: the rate since the previous refresh, the
 * section's level (a queue's length, a main loop's busy %) and the row's
 * main values (its percentiles). */
typedef struct
{
  gint64 time_us;
  double rate;
  double level;
  double values[VIEWER_MAX_SERIES];
} ViewerSample;

#define VIEWER_TYPE_ROW (viewer_row_get_type ())

G_DECLARE_FINAL_TYPE (ViewerRow, viewer_row, VIEWER, ROW, GObject)

ViewerRow          *viewer_row_new             (gint64              id,
                                                const char         *name);
gint64              viewer_row_get_id          (ViewerRow          *self);
const char         *viewer_row_get_name        (ViewerRow          *self);
JsonObject         *viewer_row_get_object      (ViewerRow          *self);
gboolean            viewer_row_update          (ViewerRow          *self,
                                                JsonObject         *object,
                                                const char * const *series,
                                                const char         *rate_member,
                                                const char         *level_member,
                                                gint64              time_us,
                                                gint64              window_us,
                                                GPtrArray          *graveyard);
void                viewer_row_emit_changed    (ViewerRow          *self);
gboolean            viewer_row_get_pending     (ViewerRow          *self);
void                viewer_row_set_pending     (ViewerRow          *self,
                                                gboolean            pending);
gboolean            viewer_row_has_member      (ViewerRow          *self,
                                                const char         *member);
double              viewer_row_get_number      (ViewerRow          *self,
                                                const char         *member);
const char         *viewer_row_get_string      (ViewerRow          *self,
                                                const char         *member);
char               *viewer_row_format          (ViewerRow          *self,
                                                const char         *member);
double              viewer_row_get_rate        (ViewerRow          *self);
const ViewerSample *viewer_row_get_samples     (ViewerRow          *self,
                                                guint              *n_samples);
int                 viewer_row_compare         (ViewerRow          *a,
                                                ViewerRow          *b,
                                                const char         *member);

G_END_DECLS
