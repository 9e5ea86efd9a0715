/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib-object.h>

#include "hotpath-guard.h"
#include "hotpath-options.h"
#include "hotpath-reporter.h"
#include "hotpath-version-macros.h"

G_BEGIN_DECLS

#define HOTPATH_TYPE_GUARD_BUILDER (hotpath_guard_builder_get_type ())

HOTPATH_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (HotpathGuardBuilder, hotpath_guard_builder, HOTPATH, GUARD_BUILDER, GObject)

HOTPATH_AVAILABLE_IN_ALL
HotpathGuardBuilder *hotpath_guard_builder_new             (const char          *name);
HOTPATH_AVAILABLE_IN_ALL
HotpathGuardBuilder *hotpath_guard_builder_new_from_options (const HotpathOptions *options);
HOTPATH_AVAILABLE_IN_ALL
void                 hotpath_guard_builder_set_percentiles (HotpathGuardBuilder *self,
                                                            const double        *percentiles,
                                                            guint                n_percentiles);
HOTPATH_AVAILABLE_IN_ALL
void                 hotpath_guard_builder_set_format      (HotpathGuardBuilder *self,
                                                            HotpathFormat        format);
HOTPATH_AVAILABLE_IN_ALL
void                 hotpath_guard_builder_set_limit       (HotpathGuardBuilder *self,
                                                            guint                limit);
HOTPATH_AVAILABLE_IN_ALL
void                 hotpath_guard_builder_set_output_path (HotpathGuardBuilder *self,
                                                            const char          *output_path);
HOTPATH_AVAILABLE_IN_ALL
void                 hotpath_guard_builder_set_timeout_ms  (HotpathGuardBuilder *self,
                                                            guint                timeout_ms);
HOTPATH_AVAILABLE_IN_ALL
void                 hotpath_guard_builder_set_reporter    (HotpathGuardBuilder *self,
                                                            HotpathReporter     *reporter);
HOTPATH_AVAILABLE_IN_ALL
HotpathGuard        *hotpath_guard_builder_build           (HotpathGuardBuilder  *self,
                                                            GError              **error);
HOTPATH_AVAILABLE_IN_0_2
const char          *hotpath_guard_builder_get_name        (HotpathGuardBuilder *self);
HOTPATH_AVAILABLE_IN_0_2
void                 hotpath_guard_builder_set_name        (HotpathGuardBuilder *self,
                                                            const char          *name);
HOTPATH_AVAILABLE_IN_0_2
const double        *hotpath_guard_builder_get_percentiles (HotpathGuardBuilder *self,
                                                            guint               *n_percentiles);
HOTPATH_AVAILABLE_IN_0_2
HotpathFormat        hotpath_guard_builder_get_format      (HotpathGuardBuilder *self);
HOTPATH_AVAILABLE_IN_0_2
guint                hotpath_guard_builder_get_limit       (HotpathGuardBuilder *self);
HOTPATH_AVAILABLE_IN_0_2
const char          *hotpath_guard_builder_get_output_path (HotpathGuardBuilder *self);
HOTPATH_AVAILABLE_IN_0_2
guint                hotpath_guard_builder_get_timeout_ms  (HotpathGuardBuilder *self);
HOTPATH_AVAILABLE_IN_0_2
HotpathReporter     *hotpath_guard_builder_get_reporter    (HotpathGuardBuilder *self);

G_END_DECLS
