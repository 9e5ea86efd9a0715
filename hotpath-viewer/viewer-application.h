/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VIEWER_TYPE_APPLICATION (viewer_application_get_type ())

G_DECLARE_FINAL_TYPE (ViewerApplication, viewer_application, VIEWER, APPLICATION, AdwApplication)

ViewerApplication *viewer_application_new (GApplicationFlags flags);

G_END_DECLS
