/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define VIEWER_TYPE_TARGET (viewer_target_get_type ())

G_DECLARE_FINAL_TYPE (ViewerTarget, viewer_target, VIEWER, TARGET, GObject)

const char *viewer_target_get_bus_name   (ViewerTarget  *self);
const char *viewer_target_get_program    (ViewerTarget  *self);
guint       viewer_target_get_pid        (ViewerTarget  *self);
gint64      viewer_target_get_start_time (ViewerTarget  *self);
guint       viewer_target_get_http_port  (ViewerTarget  *self);

#define VIEWER_TYPE_TARGETS (viewer_targets_get_type ())

G_DECLARE_FINAL_TYPE (ViewerTargets, viewer_targets, VIEWER, TARGETS, GObject)

ViewerTargets *viewer_targets_new        (void);
ViewerTarget  *viewer_targets_find_pid   (ViewerTargets *self,
                                          guint          pid);

G_END_DECLS
