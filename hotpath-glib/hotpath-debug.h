/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib.h>

#include "hotpath-version-macros.h"

G_BEGIN_DECLS

/**
 * HotpathDebugType:
 * @HOTPATH_DEBUG_TYPE_INT: a signed integer
 * @HOTPATH_DEBUG_TYPE_UINT: an unsigned integer
 * @HOTPATH_DEBUG_TYPE_FLOAT: a floating-point number
 * @HOTPATH_DEBUG_TYPE_BOOL: a `bool` (`_Bool`); a #gboolean is an `int`
 * @HOTPATH_DEBUG_TYPE_CHAR: a `char`
 * @HOTPATH_DEBUG_TYPE_STRING: a `char *` or `const char *`, copied
 * @HOTPATH_DEBUG_TYPE_POINTER: a `void *` or `const void *`
 * @HOTPATH_DEBUG_TYPE_OTHER: anything else: shown as an address when it is
 *   pointer-sized (any other pointer), else as its size
 *
 * How HOTPATH_DBG() and HOTPATH_VAL() read a value, chosen by its C type.
 */
typedef enum
{
  HOTPATH_DEBUG_TYPE_INT,
  HOTPATH_DEBUG_TYPE_UINT,
  HOTPATH_DEBUG_TYPE_FLOAT,
  HOTPATH_DEBUG_TYPE_BOOL,
  HOTPATH_DEBUG_TYPE_CHAR,
  HOTPATH_DEBUG_TYPE_STRING,
  HOTPATH_DEBUG_TYPE_POINTER,
  HOTPATH_DEBUG_TYPE_OTHER,
} HotpathDebugType;

/**
 * HotpathDebugSite:
 * @file: the source file (`__FILE__`)
 * @line: the source line
 * @expression: (nullable): the expression's text for HOTPATH_DBG(), %NULL
 *   for HOTPATH_VAL()
 * @cache: the profiler's; %NULL until the site is first used
 *
 * One HOTPATH_DBG() or HOTPATH_VAL() call site (one static per call).
 */
typedef struct _HotpathDebugSite
{
  const char *file;
  guint       line;
  const char *expression;
  gpointer    cache;
} HotpathDebugSite;

HOTPATH_AVAILABLE_IN_0_2
void hotpath_debug_record_dbg (HotpathDebugSite *site,
                               HotpathDebugType  type,
                               gconstpointer     value,
                               gsize             size);
HOTPATH_AVAILABLE_IN_0_2
void hotpath_debug_record_val (HotpathDebugSite *site,
                               const char       *key,
                               HotpathDebugType  type,
                               gconstpointer     value,
                               gsize             size);

#define _HOTPATH_DEBUG_TYPE(v) \
  _Generic ((v), \
            _Bool: HOTPATH_DEBUG_TYPE_BOOL, \
            char: HOTPATH_DEBUG_TYPE_CHAR, \
            signed char: HOTPATH_DEBUG_TYPE_INT, \
            short: HOTPATH_DEBUG_TYPE_INT, \
            int: HOTPATH_DEBUG_TYPE_INT, \
            long: HOTPATH_DEBUG_TYPE_INT, \
            long long: HOTPATH_DEBUG_TYPE_INT, \
            unsigned char: HOTPATH_DEBUG_TYPE_UINT, \
            unsigned short: HOTPATH_DEBUG_TYPE_UINT, \
            unsigned int: HOTPATH_DEBUG_TYPE_UINT, \
            unsigned long: HOTPATH_DEBUG_TYPE_UINT, \
            unsigned long long: HOTPATH_DEBUG_TYPE_UINT, \
            float: HOTPATH_DEBUG_TYPE_FLOAT, \
            double: HOTPATH_DEBUG_TYPE_FLOAT, \
            long double: HOTPATH_DEBUG_TYPE_FLOAT, \
            char *: HOTPATH_DEBUG_TYPE_STRING, \
            const char *: HOTPATH_DEBUG_TYPE_STRING, \
            void *: HOTPATH_DEBUG_TYPE_POINTER, \
            const void *: HOTPATH_DEBUG_TYPE_POINTER, \
            default: HOTPATH_DEBUG_TYPE_OTHER)

/**
 * HOTPATH_DBG:
 * @expr: any expression with a value
 *
 * Evaluates @expr once and returns its value, with its type, like Rust's
 * `dbg!`. The profiler records the expression's text and the value
 * formatted by its type (integers, floating point, `bool`, `char`, strings,
 * pointers) in the `debug` section, one row per call site. A #gboolean is
 * an `int` to C, so it shows as 0 or 1. Off, this is `(expr)`.
 *
 * Returns: the value of @expr
 */
#define HOTPATH_DBG(expr) \
  __extension__ ({ \
    __auto_type hotpath_dbg_value_ = (expr); \
    static HotpathDebugSite hotpath_dbg_site_ = { __FILE__, __LINE__, #expr, NULL }; \
    hotpath_debug_record_dbg (&hotpath_dbg_site_, _HOTPATH_DEBUG_TYPE (hotpath_dbg_value_), \
                              &hotpath_dbg_value_, sizeof hotpath_dbg_value_); \
    hotpath_dbg_value_; \
  })

/**
 * HOTPATH_VAL:
 * @key: the value's name, usually a string literal
 * @value: a value of any type HOTPATH_DBG() takes
 *
 * Records @value as the latest value of @key in the `debug` section, with
 * a log of the previous ones. Off, this is nothing, and @value is not
 * evaluated.
 */
#define HOTPATH_VAL(key, value) \
  __extension__ ({ \
    __auto_type hotpath_val_value_ = (value); \
    static HotpathDebugSite hotpath_val_site_ = { __FILE__, __LINE__, NULL, NULL }; \
    hotpath_debug_record_val (&hotpath_val_site_, (key), _HOTPATH_DEBUG_TYPE (hotpath_val_value_), \
                              &hotpath_val_value_, sizeof hotpath_val_value_); \
  })

G_END_DECLS
