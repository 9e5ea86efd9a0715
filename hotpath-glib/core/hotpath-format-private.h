/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "hotpath-histogram-private.h"

G_BEGIN_DECLS

char *hotpath_format_duration   (guint64 ns);
char *hotpath_format_bytes      (guint64 bytes);
char *hotpath_format_percentile_key   (double percentile);
char *hotpath_format_percentile_title (double percentile);

void  hotpath_format_append_duration (GString                *out,
                                     const char             *prefix,
                                     guint64                 ns);
void  hotpath_format_append_summary  (GString                *out,
                                     const char             *label,
                                     const HotpathHistogram *histogram,
                                     const double           *ranks,
                                     guint                   n_ranks);

G_END_DECLS
