/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-stream-private.h: what the monitored stream classes
 * (hotpath-input-stream.c, hotpath-output-stream.c) tell the "streams"
 * section (hotpath-stream.c).
 */
#pragma once

#include <gio/gio.h>

#include "hotpath-measure.h"
#include "hotpath-stream.h"

G_BEGIN_DECLS

typedef struct _HotpathStreamStats HotpathStreamStats;

typedef enum
{
  HOTPATH_STREAM_OP_READ,
  HOTPATH_STREAM_OP_WRITE,
  HOTPATH_STREAM_OP_SKIP,
  HOTPATH_STREAM_OP_SPLICE,
  HOTPATH_STREAM_OP_FLUSH,
  HOTPATH_STREAM_OP_CLOSE,
  HOTPATH_STREAM_N_OPS,
} HotpathStreamOp;

/* The row of a new stream (streams with one name share it); counts the
 * stream as opened. */
HotpathStreamStats *hotpath_stream_stats_open (const HotpathStreamOptions *options,
                                               const HotpathSite          *site,
                                               gboolean                    output);

/* The start of an operation: its timestamp, or 0 when nothing is being
 * recorded (then hotpath_stream_stats_end() records nothing either). */
static inline guint64
hotpath_stream_stats_begin (void)
{
  if (G_UNLIKELY (__atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) == HOTPATH_RECORDING_OFF))
    return 0;
  return hotpath_clock_read ();
}

/* The end of an operation that moved @bytes (0 for flush and close), or
 * failed with @error (a would-block error is not recorded: the caller
 * only asked). */
void hotpath_stream_stats_end (HotpathStreamStats *stats,
                               HotpathStreamOp     op,
                               guint64             start,
                               guint64             bytes,
                               const GError       *error);

G_END_DECLS
