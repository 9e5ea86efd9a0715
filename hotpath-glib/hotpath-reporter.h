/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib-object.h>

#include "hotpath-options.h"
#include "hotpath-snapshot.h"
#include "hotpath-version-macros.h"

G_BEGIN_DECLS

#define HOTPATH_TYPE_REPORTER (hotpath_reporter_get_type ())

HOTPATH_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (HotpathReporter, hotpath_reporter, HOTPATH, REPORTER, GObject)

/**
 * HotpathReporterInterface:
 * @report: writes @snapshot somewhere; returns %FALSE and sets @error on failure
 *
 * A custom report, used instead of the built-in table or JSON output.
 */
struct _HotpathReporterInterface
{
  GTypeInterface parent_iface;

  gboolean (*report) (HotpathReporter  *self,
                      HotpathSnapshot  *snapshot,
                      GError          **error);
};

HOTPATH_AVAILABLE_IN_ALL
gboolean hotpath_reporter_report (HotpathReporter  *self,
                                  HotpathSnapshot  *snapshot,
                                  GError          **error);

G_END_DECLS
