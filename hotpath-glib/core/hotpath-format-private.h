/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *hotpath_format_duration   (guint64 ns);
char *hotpath_format_bytes      (guint64 bytes);
char *hotpath_format_percentile_key   (double percentile);
char *hotpath_format_percentile_title (double percentile);

G_END_DECLS
