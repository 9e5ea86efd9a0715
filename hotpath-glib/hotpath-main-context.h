/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib.h>

#include "hotpath-version-macros.h"

G_BEGIN_DECLS

/**
 * HOTPATH_MAX_WATCHED_CONTEXTS:
 *
 * How many main contexts can be watched at once.
 */
#define HOTPATH_MAX_WATCHED_CONTEXTS 8

HOTPATH_AVAILABLE_IN_ALL
gboolean hotpath_main_context_watch   (GMainContext *context,
                                       const char   *label);
HOTPATH_AVAILABLE_IN_ALL
void     hotpath_main_context_unwatch (GMainContext *context);

G_END_DECLS
