/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * HotpathSite:
 * @domain: the log domain of the measuring file, or %NULL
 * @function: the enclosing function (`__func__`)
 * @label: a label given with HOTPATH_MEASURE_AS() or a block, or %NULL
 * @file: the source file (`__FILE__`)
 * @line: the source line
 * @id: assigned by the profiler when the site is first seen; 0 until then
 *
 * One measured place in the program. The macros define one static
 * #HotpathSite per call site, so measuring costs no lookup: the profiler
 * keys its aggregate by the site's address. Only the profiler writes @id,
 * once, from its worker thread.
 */
typedef struct _HotpathSite
{
  const char *domain;
  const char *function;
  const char *label;
  const char *file;
  guint       line;
  guint       id;
} HotpathSite;

G_END_DECLS
