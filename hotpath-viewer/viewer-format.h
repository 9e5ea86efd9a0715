/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* viewer-format.h: units for people (machine output keeps raw integers). */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *viewer_format_duration   (double      ns);
char *viewer_format_size       (double      bytes);
char *viewer_format_count      (guint64     count);
char *viewer_format_rate       (double      per_second);
char *viewer_format_percent    (double      percent);
char *viewer_format_uptime     (gint64      seconds);
char *viewer_format_value      (const char *member,
                                double      value);
char *viewer_format_column_title (const char *member);
gboolean    viewer_member_is_percentile (const char *member);
const char *viewer_member_path_dot (const char *member);
const char *viewer_member_leaf     (const char *member);
double viewer_axis_step        (double      range,
                                guint       max_ticks);

G_END_DECLS
