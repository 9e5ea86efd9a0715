/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib-object.h>

#include "hotpath-version-macros.h"

G_BEGIN_DECLS

#define HOTPATH_TYPE_SPAN (hotpath_span_get_type ())

typedef struct _HotpathSpan HotpathSpan;

HOTPATH_AVAILABLE_IN_0_2
GType        hotpath_span_get_type (void) G_GNUC_CONST;
HOTPATH_AVAILABLE_IN_0_2
HotpathSpan *hotpath_span_begin    (const char  *name);
HOTPATH_AVAILABLE_IN_0_2
void         hotpath_span_end      (HotpathSpan *self);
HOTPATH_AVAILABLE_IN_0_2
const char  *hotpath_span_get_name (HotpathSpan *self);
HOTPATH_AVAILABLE_IN_0_2
HotpathSpan *hotpath_span_ref      (HotpathSpan *self);
HOTPATH_AVAILABLE_IN_0_2
void         hotpath_span_unref    (HotpathSpan *self);

HOTPATH_AVAILABLE_IN_0_2
guint        hotpath_measure_begin (const char  *name);
HOTPATH_AVAILABLE_IN_0_2
void         hotpath_measure_end   (guint        token);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HotpathSpan, hotpath_span_unref)

G_END_DECLS
