/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "hotpath-reporter.h"

G_DEFINE_INTERFACE (HotpathReporter, hotpath_reporter, G_TYPE_OBJECT)

static void
hotpath_reporter_default_init (HotpathReporterInterface *iface)
{
}

/**
 * hotpath_reporter_report:
 * @self: a #HotpathReporter
 * @snapshot: what to report
 * @error: return location for a #GError
 *
 * Writes @snapshot the reporter's way. Called once, at the end of a session.
 *
 * Returns: %TRUE on success
 */
gboolean
hotpath_reporter_report (HotpathReporter  *self,
                         HotpathSnapshot  *snapshot,
                         GError          **error)
{
  g_return_val_if_fail (HOTPATH_IS_REPORTER (self), FALSE);
  g_return_val_if_fail (snapshot != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return HOTPATH_REPORTER_GET_IFACE (self)->report (self, snapshot, error);
}
