/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib-object.h>

#include "hotpath-version-macros.h"

G_BEGIN_DECLS

typedef struct _HotpathReporter HotpathReporter;

/**
 * HotpathFormat:
 * @HOTPATH_FORMAT_TABLE: human-readable tables (the default)
 * @HOTPATH_FORMAT_JSON: one line of JSON, described by data/hotpath-report.schema.json
 * @HOTPATH_FORMAT_JSON_PRETTY: the same JSON, indented
 * @HOTPATH_FORMAT_NONE: print nothing (custom reporters still run)
 *
 * How the report printed at the end of a session looks.
 *
 * Since: 0.1
 */
typedef enum
{
  HOTPATH_FORMAT_TABLE,
  HOTPATH_FORMAT_JSON,
  HOTPATH_FORMAT_JSON_PRETTY,
  HOTPATH_FORMAT_NONE,
} HotpathFormat;

/**
 * HOTPATH_DEFAULT_LIMIT:
 *
 * How many rows a table shows unless told otherwise.
 *
 * Since: 0.1
 */
#define HOTPATH_DEFAULT_LIMIT 15

/**
 * HOTPATH_DEFAULT_LOGS_LIMIT:
 *
 * How many recent calls are kept per function for the live API.
 *
 * Since: 0.1
 */
#define HOTPATH_DEFAULT_LOGS_LIMIT 50

/**
 * HOTPATH_PERCENTILES_END: (skip)
 *
 * Terminates a percentile list; see HOTPATH_PERCENTILES().
 *
 * Since: 0.1
 */
#define HOTPATH_PERCENTILES_END (-1.0)

/**
 * HOTPATH_PERCENTILES:
 * @...: percentiles between 0 and 100 (0 is the minimum, 100 the maximum)
 *
 * Builds a percentile list for #HotpathOptions, for example
 * `.percentiles = HOTPATH_PERCENTILES (50, 95, 99.9)`.
 *
 * Since: 0.1
 */
#define HOTPATH_PERCENTILES(...) ((const double[]) { __VA_ARGS__, HOTPATH_PERCENTILES_END })

/**
 * HotpathOptions: (skip)
 * @percentiles: percentiles to report, terminated by %HOTPATH_PERCENTILES_END;
 *   %NULL means 95
 * @format: the report format
 * @limit: rows per table; 0 shows all
 * @output_path: write the report to this file instead of stderr; "-" for
 *   stdout; %NULL for stderr
 * @timeout_ms: if not 0, print the report after this long and stop recording
 * @reporter: (transfer full) (nullable): a custom reporter that replaces the
 *   built-in output
 * @name: (nullable): the name in the report header; the program name if %NULL
 *
 * What HOTPATH_MAIN() accepts as designated initializers. Fields that are
 * not given keep their defaults (HOTPATH_MAIN() sets them first).
 * Environment variables override every field.
 *
 * Since: 0.1
 */
typedef struct _HotpathOptions
{
  const double    *percentiles;
  HotpathFormat    format;
  int              limit;
  const char      *output_path;
  guint            timeout_ms;
  HotpathReporter *reporter;
  const char      *name;
} HotpathOptions;

/**
 * HOTPATH_OPTIONS_INIT:
 *
 * The defaults of #HotpathOptions, as initializers.
 *
 * Since: 0.1
 */
#define HOTPATH_OPTIONS_INIT .format = HOTPATH_FORMAT_TABLE, .limit = HOTPATH_DEFAULT_LIMIT

G_END_DECLS
