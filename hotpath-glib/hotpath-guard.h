/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib-object.h>

#include "hotpath-snapshot.h"
#include "hotpath-version-macros.h"

G_BEGIN_DECLS

/**
 * HOTPATH_ERROR:
 *
 * The error domain of hotpath-glib; see #HotpathError.
 *
 * Since: 0.2
 */
#define HOTPATH_ERROR (hotpath_error_quark ())

/**
 * HotpathError:
 * @HOTPATH_ERROR_BUSY: another profiling session is active in this process
 * @HOTPATH_ERROR_NOT_SUPPORTED: profiling cannot start here (in a forked
 *   child, whose parent owns the session)
 *
 * Why a session could not start.
 *
 * Since: 0.2
 */
typedef enum
{
  HOTPATH_ERROR_BUSY,
  HOTPATH_ERROR_NOT_SUPPORTED,
} HotpathError;

HOTPATH_AVAILABLE_IN_0_2
GQuark hotpath_error_quark (void);

#define HOTPATH_TYPE_GUARD (hotpath_guard_get_type ())

HOTPATH_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (HotpathGuard, hotpath_guard, HOTPATH, GUARD, GObject)

HOTPATH_AVAILABLE_IN_ALL
HotpathSnapshot *hotpath_guard_snapshot (HotpathGuard *self);
HOTPATH_AVAILABLE_IN_ALL
gboolean         hotpath_guard_finish   (HotpathGuard  *self,
                                         GError       **error);

G_END_DECLS
