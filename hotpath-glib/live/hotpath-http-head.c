/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-http-head.c: a strict parser for HTTP/1.x request heads.
 *
 * The live servers read each request head themselves and hand libsoup only
 * heads that parsed here, rebuilt from what was parsed. libsoup 3.2.3
 * (Debian 12) leaks memory on some malformed heads (an invalid
 * Content-Length, an unknown Transfer-Encoding) and reads whole bodies
 * before a handler can refuse them; this parser is small, allocates only
 * what the head holds, refuses anything unusual and is fuzzed
 * (fuzz/fuzz-http-head.c).
 */

#include "config.h"

#include <string.h>

#include "hotpath-http-head-private.h"

/* RFC 9110 token characters. */
static gboolean
is_tchar (guchar c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Field values: visible ASCII, space, tab and obs-text; no control bytes. */
static gboolean
is_value_char (guchar c)
{
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static void
header_clear (gpointer data)
{
  HotpathHttpHeader *header = data;

  g_free (header->name);
  g_free (header->value);
}

void
hotpath_http_head_clear (HotpathHttpHead *head)
{
  g_clear_pointer (&head->method, g_free);
  g_clear_pointer (&head->target, g_free);
  g_clear_pointer (&head->path, g_free);
  g_clear_pointer (&head->headers, g_array_unref);
}

const char *
hotpath_http_head_get (const HotpathHttpHead *head,
                       const char            *name)
{
  if (head->headers == NULL)
    return NULL;

  for (guint i = 0; i < head->headers->len; i++)
    {
      const HotpathHttpHeader *header = &g_array_index (head->headers, HotpathHttpHeader, i);

      if (g_ascii_strcasecmp (header->name, name) == 0)
        return header->value;
    }

  return NULL;
}

static HotpathHttpHeadResult
fail (guint       *status,
      char       **message,
      guint        code,
      const char  *text)
{
  *status = code;
  *message = g_strdup (text);
  return HOTPATH_HTTP_HEAD_ERROR;
}

/* Finds the end of the head ("\r\n\r\n") in the first @length bytes. */
static const char *
find_head_end (const char *data,
               gsize       length)
{
  for (gsize i = 0; i + 3 < length; i++)
    if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n')
      return data + i;

  return NULL;
}

static HotpathHttpHeadResult
parse_request_line (const char      *line,
                    gsize            length,
                    HotpathHttpHead *head,
                    guint           *status,
                    char           **message)
{
  const char *end = line + length;
  const char *p = line;
  const char *start;
  const char *query;

  start = p;
  while (p < end && is_tchar (*p) && p - start < 32)
    p++;
  if (p == start || p == end || *p != ' ')
    return fail (status, message, 400, "malformed request line: expected METHOD /path HTTP/1.1");
  head->method = g_strndup (start, p - start);
  p++;

  start = p;
  while (p < end && (guchar) *p > 0x20 && (guchar) *p < 0x7f)
    p++;
  if (p == start || p == end || *p != ' ')
    return fail (status, message, 400, "malformed request line: the path must be printable ASCII "
                 "(percent-encode the rest)");
  if (*start != '/')
    return fail (status, message, 400, "the request target must be a path starting with /");
  /* libsoup answers these with a bare 400 of its own; ours says why, in
   * JSON. */
  for (const char *q = start; q < p; q++)
    if (*q == '%')
      {
        if (q + 2 >= p || !g_ascii_isxdigit (q[1]) || !g_ascii_isxdigit (q[2]))
          return fail (status, message, 400, "malformed percent-encoding in the path");
        if (q[1] == '0' && q[2] == '0')
          return fail (status, message, 400, "a percent-encoded NUL (%00) in the path");
        q += 2;
      }
  head->target = g_strndup (start, p - start);
  query = strchr (head->target, '?');
  head->path = g_strndup (head->target, query != NULL ? (gsize) (query - head->target) : strlen (head->target));
  p++;

  if (end - p != 8 || strncmp (p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1'))
    {
      if (end - p == 8 && strncmp (p, "HTTP/", 5) == 0)
        return fail (status, message, 505, "only HTTP/1.0 and HTTP/1.1 are served");
      return fail (status, message, 400, "malformed request line: expected HTTP/1.0 or HTTP/1.1");
    }
  head->minor_version = p[7] - '0';

  return HOTPATH_HTTP_HEAD_OK;
}

static HotpathHttpHeadResult
take_header (HotpathHttpHead *head,
             char            *name,
             char            *value,
             gboolean        *seen_host,
             guint           *status,
             char           **message)
{
  HotpathHttpHeader header;

  if (g_ascii_strcasecmp (name, "Content-Length") == 0)
    {
      guint64 parsed;

      if (!g_ascii_string_to_unsigned (value, 10, 0, G_GINT64_CONSTANT (1) << 50, &parsed, NULL) ||
          !g_ascii_isdigit (value[0]))
        {
          g_free (name);
          g_free (value);
          return fail (status, message, 400, "Content-Length must be a decimal number of bytes");
        }
      if (head->content_length >= 0 && head->content_length != (gint64) parsed)
        {
          g_free (name);
          g_free (value);
          return fail (status, message, 400, "conflicting Content-Length headers");
        }
      if (head->content_length >= 0)
        {
          g_free (name);
          g_free (value);
          return HOTPATH_HTTP_HEAD_OK;
        }
      head->content_length = (gint64) parsed;
    }
  else if (g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
    {
      gboolean chunked = g_ascii_strcasecmp (value, "chunked") == 0 ||
                         g_str_has_suffix (value, "chunked");

      g_free (name);
      g_free (value);
      if (chunked)
        return fail (status, message, 411, "chunked request bodies are not accepted; send Content-Length");
      return fail (status, message, 501, "Transfer-Encoding is not supported; send Content-Length");
    }
  else if (g_ascii_strcasecmp (name, "Expect") == 0)
    {
      gboolean known = g_ascii_strcasecmp (value, "100-continue") == 0;

      g_free (name);
      g_free (value);
      if (!known)
        return fail (status, message, 417, "only Expect: 100-continue is understood");
      head->expect_continue = TRUE;
      return HOTPATH_HTTP_HEAD_OK;
    }
  else if (g_ascii_strcasecmp (name, "Host") == 0)
    {
      if (*seen_host)
        {
          g_free (name);
          g_free (value);
          return fail (status, message, 400, "more than one Host header");
        }
      *seen_host = TRUE;
    }

  if (head->headers->len >= HOTPATH_HTTP_MAX_HEADERS)
    {
      g_free (name);
      g_free (value);
      return fail (status, message, 431, "too many header fields");
    }

  header.name = name;
  header.value = value;
  g_array_append_val (head->headers, header);

  return HOTPATH_HTTP_HEAD_OK;
}

/**
 * hotpath_http_head_parse:
 * @data: the bytes received so far
 * @length: their number
 * @head: (out caller-allocates): the parsed head; clear it with
 *   hotpath_http_head_clear() whatever the result
 * @head_length: (out): bytes of @data the head took, with its blank line
 * @status: (out): on error, the HTTP status to answer
 * @message: (out) (transfer full): on error, why
 *
 * Parses a request head strictly. Heads over %HOTPATH_HTTP_MAX_HEAD
 * bytes or %HOTPATH_HTTP_MAX_HEADERS fields answer 431; a second,
 * different Content-Length, a folded line or a control byte 400;
 * Transfer-Encoding 411 (chunked) or 501.
 *
 * Returns: whether the head is complete and acceptable
 */
HotpathHttpHeadResult
hotpath_http_head_parse (const char      *data,
                         gsize            length,
                         HotpathHttpHead *head,
                         gsize           *head_length,
                         guint           *status,
                         char           **message)
{
  const char *head_end;
  const char *line, *line_end;
  HotpathHttpHeadResult result;
  gboolean seen_host = FALSE;

  memset (head, 0, sizeof *head);
  head->content_length = -1;
  *head_length = 0;
  *status = 0;
  *message = NULL;

  /* A client that starts with something other than a method is not
   * speaking HTTP: say so before it fills the buffer. */
  for (gsize i = 0; i < length && i < 33; i++)
    {
      if (data[i] == ' ')
        break;
      if (!is_tchar (data[i]))
        return fail (status, message, 400, "malformed request line: expected METHOD /path HTTP/1.1");
    }

  head_end = find_head_end (data, MIN (length, HOTPATH_HTTP_MAX_HEAD));
  if (head_end == NULL)
    {
      if (length >= HOTPATH_HTTP_MAX_HEAD)
        return fail (status, message, 431, "request line and headers are over 8192 bytes");
      return HOTPATH_HTTP_HEAD_INCOMPLETE;
    }

  head->headers = g_array_new (FALSE, FALSE, sizeof (HotpathHttpHeader));
  g_array_set_clear_func (head->headers, header_clear);

  line = data;
  line_end = memchr (line, '\r', head_end + 2 - line);
  if (line_end[1] != '\n')
    return fail (status, message, 400, "a bare CR in the request line");
  result = parse_request_line (line, line_end - line, head, status, message);
  if (result != HOTPATH_HTTP_HEAD_OK)
    return result;

  for (line = line_end + 2; line < head_end + 2; line = line_end + 2)
    {
      const char *colon, *value_start, *value_end;

      line_end = memchr (line, '\r', head_end + 2 - line);
      if (line_end[1] != '\n')
        return fail (status, message, 400, "a bare CR in a header field");
      if (line == line_end)
        break;
      if (*line == ' ' || *line == '\t')
        return fail (status, message, 400, "folded header lines are not accepted");

      colon = line;
      while (colon < line_end && is_tchar (*colon))
        colon++;
      if (colon == line || colon == line_end || *colon != ':')
        return fail (status, message, 400, "malformed header field: expected Name: value");

      value_start = colon + 1;
      while (value_start < line_end && (*value_start == ' ' || *value_start == '\t'))
        value_start++;
      value_end = line_end;
      while (value_end > value_start && (value_end[-1] == ' ' || value_end[-1] == '\t'))
        value_end--;
      for (const char *p = value_start; p < value_end; p++)
        if (!is_value_char (*p))
          return fail (status, message, 400, "a control byte in a header value");

      result = take_header (head, g_strndup (line, colon - line),
                            g_strndup (value_start, value_end - value_start),
                            &seen_host, status, message);
      if (result != HOTPATH_HTTP_HEAD_OK)
        return result;
    }

  *head_length = head_end + 4 - data;
  return HOTPATH_HTTP_HEAD_OK;
}

/**
 * hotpath_http_head_serialize:
 *
 * Rebuilds the request from what parsed: what libsoup reads is only ever
 * a head this file accepted, plus the body read for it.
 *
 * Returns: (transfer full): the request's bytes
 */
GBytes *
hotpath_http_head_serialize (const HotpathHttpHead *head,
                             const char            *body,
                             gsize                  body_length)
{
  GString *out = g_string_sized_new (256 + body_length);

  g_string_append_printf (out, "%s %s HTTP/1.%u\r\n", head->method, head->target, head->minor_version);
  for (guint i = 0; i < head->headers->len; i++)
    {
      const HotpathHttpHeader *header = &g_array_index (head->headers, HotpathHttpHeader, i);

      g_string_append_printf (out, "%s: %s\r\n", header->name, header->value);
    }
  g_string_append (out, "\r\n");
  g_string_append_len (out, body, body_length);

  return g_string_free_to_bytes (out);
}
