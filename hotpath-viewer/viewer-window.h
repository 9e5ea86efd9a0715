/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <adwaita.h>

#include "viewer-section-view.h"
#include "viewer-source.h"

G_BEGIN_DECLS

#define VIEWER_TYPE_WINDOW (viewer_window_get_type ())

G_DECLARE_FINAL_TYPE (ViewerWindow, viewer_window, VIEWER, WINDOW, AdwApplicationWindow)

ViewerWindow      *viewer_window_new              (GtkApplication *application);
void               viewer_window_open_source      (ViewerWindow   *self,
                                                   ViewerSource   *source);
void               viewer_window_show_start       (ViewerWindow   *self);
ViewerSource      *viewer_window_get_source       (ViewerWindow   *self);
ViewerSectionView *viewer_window_get_section_view (ViewerWindow   *self,
                                                   const char     *section);
const char        *viewer_window_get_visible_page (ViewerWindow   *self);
gboolean           viewer_window_show_section     (ViewerWindow   *self,
                                                   const char     *section);
GtkListBox        *viewer_window_get_targets_list (ViewerWindow   *self);
GtkLabel          *viewer_window_get_status_label (ViewerWindow   *self);

G_END_DECLS
