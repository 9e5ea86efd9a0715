/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "hotpath-stream-private.h"

G_BEGIN_DECLS

#define HOTPATH_TYPE_INPUT_STREAM (hotpath_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (HotpathInputStream, hotpath_input_stream, HOTPATH, INPUT_STREAM, GFilterInputStream)

G_END_DECLS
