/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "hotpath-stream-private.h"

G_BEGIN_DECLS

#define HOTPATH_TYPE_MONITORED_INPUT_STREAM (hotpath_monitored_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (HotpathMonitoredInputStream, hotpath_monitored_input_stream, HOTPATH, MONITORED_INPUT_STREAM, GFilterInputStream)

G_END_DECLS
