/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib.h>

#include "hotpath-version-macros.h"

G_BEGIN_DECLS

/**
 * HotpathGaugeSite:
 * @file: the source file (`__FILE__`)
 * @line: the source line
 * @literal: whether the compiler knows the name is a constant (a string
 *   literal): then the same address always holds the same name
 * @cache: the profiler's; %NULL until the site is first used
 *
 * One HOTPATH_GAUGE_SET() or HOTPATH_GAUGE_ADD() call site. The macros make
 * one static site per call, so that a gauge named by a string literal is
 * found with one pointer comparison, without a lookup or a lock; a name
 * built at run time costs a string comparison.
 */
typedef struct _HotpathGaugeSite
{
  const char *file;
  guint       line;
  gboolean    literal;
  gpointer    cache;
} HotpathGaugeSite;

HOTPATH_AVAILABLE_IN_0_2
void hotpath_gauge_set_int    (HotpathGaugeSite *site,
                               const char       *name,
                               gint64            value);
HOTPATH_AVAILABLE_IN_0_2
void hotpath_gauge_set_double (HotpathGaugeSite *site,
                               const char       *name,
                               double            value);
HOTPATH_AVAILABLE_IN_0_2
void hotpath_gauge_add_int    (HotpathGaugeSite *site,
                               const char       *name,
                               gint64            delta);
HOTPATH_AVAILABLE_IN_0_2
void hotpath_gauge_add_double (HotpathGaugeSite *site,
                               const char       *name,
                               double            delta);

#define _HOTPATH_GAUGE_SITE(name) \
  __extension__ ({ static HotpathGaugeSite hotpath_gauge_site_ = \
                     { __FILE__, __LINE__, __builtin_constant_p (name), NULL }; \
     &hotpath_gauge_site_; })

/* Floating-point values keep their fraction; every other arithmetic type is
 * an integer. */
#define _HOTPATH_GAUGE_CALL(op, name, value) \
  _Generic ((value), \
            float: hotpath_gauge_##op##_double, \
            double: hotpath_gauge_##op##_double, \
            long double: hotpath_gauge_##op##_double, \
            default: hotpath_gauge_##op##_int) (_HOTPATH_GAUGE_SITE (name), (name), (value))

/**
 * HOTPATH_GAUGE_SET:
 * @name: the gauge's name, usually a string literal
 * @value: an integer or floating-point value
 *
 * Sets the gauge @name to @value. The gauge keeps its current value, its
 * minimum and maximum, how many updates it had and a log of the last
 * `HOTPATH_LOGS_LIMIT` of them. Costs what a measured call costs: one clock
 * read and one store in the calling thread's buffer, no lock. Off, this is
 * nothing, and @value is not evaluated.
 */
#define HOTPATH_GAUGE_SET(name, value) _HOTPATH_GAUGE_CALL (set, name, value)

/**
 * HOTPATH_GAUGE_ADD:
 * @name: the gauge's name
 * @delta: an integer or floating-point amount, negative to decrement
 *
 * Adds @delta to the gauge @name (a gauge never set starts at 0). Adds from
 * any number of threads sum exactly. Off, this is nothing.
 */
#define HOTPATH_GAUGE_ADD(name, delta) _HOTPATH_GAUGE_CALL (add, name, delta)

G_END_DECLS
