/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <gio/gio.h>

#include "hotpath-version-macros.h"
#include "hotpath-site.h"

G_BEGIN_DECLS

/**
 * HotpathStreamOptions:
 * @label: (nullable): the name to report; the call site `file:line` if %NULL.
 *   Streams with the same name share one row.
 * @log: keep the last `HOTPATH_LOGS_LIMIT` operations for the live API
 *
 * What HOTPATH_INPUT_STREAM() and HOTPATH_OUTPUT_STREAM() accept as
 * designated initializers.
 */
typedef struct _HotpathStreamOptions
{
  const char *label;
  gboolean    log;
} HotpathStreamOptions;

HOTPATH_AVAILABLE_IN_0_2
GInputStream  *hotpath_input_stream_new  (GInputStream               *base,
                                          const HotpathStreamOptions *options,
                                          const HotpathSite          *site);
HOTPATH_AVAILABLE_IN_0_2
GOutputStream *hotpath_output_stream_new (GOutputStream              *base,
                                          const HotpathStreamOptions *options,
                                          const HotpathSite          *site);

/**
 * HOTPATH_INPUT_STREAM:
 * @base: a #GInputStream
 * @...: designated initializers for #HotpathStreamOptions:
 *   `.label = "config", .log = TRUE`
 *
 * Returns a new stream that reads from @base (and holds a reference to it)
 * and records, in the `streams` section, every operation (reads, skips and
 * closes, sync and async), the bytes, each operation's latency, errors and
 * the stream's state. It is pollable when @base is pollable and seekable
 * when @base is seekable; errors and cancellation are @base's own.
 * Closing it closes @base. Off, this is `g_object_ref (base)`.
 *
 * Returns: (transfer full): the monitored stream
 */
#define HOTPATH_INPUT_STREAM(base, ...) \
  __extension__ ({ \
    _HOTPATH_DEFAULTS_BEGIN \
    const HotpathStreamOptions hotpath_stream_options_ = { .label = NULL, __VA_ARGS__ }; \
    _HOTPATH_DEFAULTS_END \
    hotpath_input_stream_new ((base), &hotpath_stream_options_, _HOTPATH_SITE (NULL)); \
  })

/**
 * HOTPATH_OUTPUT_STREAM:
 * @base: a #GOutputStream
 * @...: designated initializers for #HotpathStreamOptions
 *
 * HOTPATH_INPUT_STREAM() for output: writes (writev included), splices,
 * flushes and closes. Off, this is `g_object_ref (base)`.
 *
 * Returns: (transfer full): the monitored stream
 */
#define HOTPATH_OUTPUT_STREAM(base, ...) \
  __extension__ ({ \
    _HOTPATH_DEFAULTS_BEGIN \
    const HotpathStreamOptions hotpath_stream_options_ = { .label = NULL, __VA_ARGS__ }; \
    _HOTPATH_DEFAULTS_END \
    hotpath_output_stream_new ((base), &hotpath_stream_options_, _HOTPATH_SITE (NULL)); \
  })

G_END_DECLS
