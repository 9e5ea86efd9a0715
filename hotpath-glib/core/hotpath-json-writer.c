/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-json-writer.c: JSON text into a GString (see the header).
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "hotpath-json-writer-private.h"

void
hotpath_json_writer_init (HotpathJsonWriter *writer,
                          GString           *out,
                          gboolean           pretty)
{
  writer->out = out;
  writer->pretty = pretty;
  writer->depth = 0;
  writer->has_items[0] = FALSE;
  writer->after_member = FALSE;
}

static void
newline (HotpathJsonWriter *writer)
{
  if (!writer->pretty)
    return;
  g_string_append_c (writer->out, '\n');
  for (guint i = 0; i < writer->depth; i++)
    g_string_append (writer->out, "  ");
}

/* Before any value: a separator, unless it follows its member's name. */
static void
before_value (HotpathJsonWriter *writer)
{
  if (writer->after_member)
    {
      writer->after_member = FALSE;
      return;
    }
  if (writer->depth == 0)
    return;
  if (writer->has_items[writer->depth])
    g_string_append_c (writer->out, ',');
  writer->has_items[writer->depth] = TRUE;
  newline (writer);
}

static void
begin (HotpathJsonWriter *writer,
       char               open)
{
  before_value (writer);
  g_string_append_c (writer->out, open);
  /* Deeper than any section nests: flatten rather than overflow. */
  if (writer->depth + 1 < HOTPATH_JSON_WRITER_MAX_DEPTH)
    writer->depth++;
  writer->has_items[writer->depth] = FALSE;
}

static void
end (HotpathJsonWriter *writer,
     char               close)
{
  gboolean had_items = writer->has_items[writer->depth];

  if (writer->depth > 0)
    writer->depth--;
  if (had_items)
    newline (writer);
  g_string_append_c (writer->out, close);
}

void
hotpath_json_writer_begin_object (HotpathJsonWriter *writer)
{
  begin (writer, '{');
}

void
hotpath_json_writer_end_object (HotpathJsonWriter *writer)
{
  end (writer, '}');
}

void
hotpath_json_writer_begin_array (HotpathJsonWriter *writer)
{
  begin (writer, '[');
}

void
hotpath_json_writer_end_array (HotpathJsonWriter *writer)
{
  end (writer, ']');
}

void
hotpath_json_writer_member (HotpathJsonWriter *writer,
                            const char        *name)
{
  before_value (writer);
  hotpath_json_append_string (writer->out, name);
  g_string_append (writer->out, writer->pretty ? " : " : ":");
  writer->after_member = TRUE;
}

void
hotpath_json_append_string (GString    *out,
                            const char *value)
{
  const char *p = value;

  g_string_append_c (out, '"');
  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Not UTF-8 (a symbol name, a message in another encoding). */
          g_string_append (out, "\xef\xbf\xbd");
          p++;
          continue;
        }

      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_len (out, p, g_utf8_next_char (p) - p);
          break;
        }
      p = g_utf8_next_char (p);
    }
  g_string_append_c (out, '"');
}

void
hotpath_json_writer_string (HotpathJsonWriter *writer,
                            const char        *value)
{
  if (value == NULL)
    {
      hotpath_json_writer_null (writer);
      return;
    }
  before_value (writer);
  hotpath_json_append_string (writer->out, value);
}

void
hotpath_json_writer_uint (HotpathJsonWriter *writer,
                          guint64            value)
{
  before_value (writer);
  g_string_append_printf (writer->out, "%" G_GUINT64_FORMAT, value);
}

void
hotpath_json_writer_int (HotpathJsonWriter *writer,
                         gint64             value)
{
  before_value (writer);
  g_string_append_printf (writer->out, "%" G_GINT64_FORMAT, value);
}

void
hotpath_json_writer_double (HotpathJsonWriter *writer,
                            double             value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  before_value (writer);
  if (!isfinite (value))
    value = 0.0;
  g_ascii_dtostr (buffer, sizeof buffer, value);
  g_string_append (writer->out, buffer);
  /* A double stays a double for a reader that cares: 50.0, not 50. */
  if (strpbrk (buffer, ".eE") == NULL)
    g_string_append (writer->out, ".0");
}

void
hotpath_json_writer_boolean (HotpathJsonWriter *writer,
                             gboolean           value)
{
  before_value (writer);
  g_string_append (writer->out, value ? "true" : "false");
}

void
hotpath_json_writer_null (HotpathJsonWriter *writer)
{
  before_value (writer);
  g_string_append (writer->out, "null");
}
