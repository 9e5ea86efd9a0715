/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "hotpath-snapshot.h"

G_BEGIN_DECLS

/* Members every section's JSON is made of, added to the object @builder
 * is in; the report builders (hotpath-report-*.c) all use these. */
void hotpath_json_add_uint             (JsonBuilder     *builder,
                                        const char      *name,
                                        guint64          value);
void hotpath_json_add_int              (JsonBuilder     *builder,
                                        const char      *name,
                                        gint64           value);
void hotpath_json_add_double           (JsonBuilder     *builder,
                                        const char      *name,
                                        double           value);
void hotpath_json_add_string           (JsonBuilder     *builder,
                                        const char      *name,
                                        const char      *value);
void hotpath_json_add_percentile_ranks (JsonBuilder     *builder,
                                        HotpathSnapshot *snapshot);
void hotpath_json_add_percentiles      (JsonBuilder     *builder,
                                        const char      *name,
                                        HotpathSnapshot *snapshot,
                                        const guint64   *values);

G_END_DECLS
