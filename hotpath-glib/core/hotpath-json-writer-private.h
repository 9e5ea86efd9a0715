/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-json-writer-private.h: JSON text straight into a GString, for
 * the report and the live routes, so the core needs no JSON library.
 * Strings are escaped and always come out as valid UTF-8 (an invalid byte
 * becomes U+FFFD); doubles that are not finite become 0. Pretty output
 * looks like json-glib's (two spaces, "key" : value).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HOTPATH_JSON_WRITER_MAX_DEPTH 32

typedef struct
{
  GString  *out;
  gboolean  pretty;
  guint     depth;
  gboolean  has_items[HOTPATH_JSON_WRITER_MAX_DEPTH];
  gboolean  after_member;   /* a member name was written: the value follows it */
} HotpathJsonWriter;

void  hotpath_json_writer_init         (HotpathJsonWriter *writer,
                                        GString           *out,
                                        gboolean           pretty);
void  hotpath_json_writer_begin_object (HotpathJsonWriter *writer);
void  hotpath_json_writer_end_object   (HotpathJsonWriter *writer);
void  hotpath_json_writer_begin_array  (HotpathJsonWriter *writer);
void  hotpath_json_writer_end_array    (HotpathJsonWriter *writer);
void  hotpath_json_writer_member       (HotpathJsonWriter *writer,
                                        const char        *name);
void  hotpath_json_writer_string       (HotpathJsonWriter *writer,
                                        const char        *value);
void  hotpath_json_writer_uint         (HotpathJsonWriter *writer,
                                        guint64            value);
void  hotpath_json_writer_int          (HotpathJsonWriter *writer,
                                        gint64             value);
void  hotpath_json_writer_double       (HotpathJsonWriter *writer,
                                        double             value);
void  hotpath_json_writer_boolean      (HotpathJsonWriter *writer,
                                        gboolean           value);
void  hotpath_json_writer_null         (HotpathJsonWriter *writer);

/* Appends @value as a JSON string literal (quotes included). */
void  hotpath_json_append_string       (GString           *out,
                                        const char        *value);

G_END_DECLS
