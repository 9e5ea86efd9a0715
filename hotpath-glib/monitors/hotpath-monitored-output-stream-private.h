/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "hotpath-stream-private.h"

G_BEGIN_DECLS

#define HOTPATH_TYPE_MONITORED_OUTPUT_STREAM (hotpath_monitored_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (HotpathMonitoredOutputStream, hotpath_monitored_output_stream, HOTPATH, MONITORED_OUTPUT_STREAM, GFilterOutputStream)

G_END_DECLS
