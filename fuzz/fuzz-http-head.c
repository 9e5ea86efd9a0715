/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-http-head: the strict request-head parser of the live servers'
 * front (hotpath-glib/live/hotpath-http-head.c). Whatever the bytes, it
 * returns one of its three results, takes no more than it was given and,
 * on success, rebuilds a head that parses again to the same thing.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "hotpath-http-head-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_auto(HotpathHttpHead) head = { 0 };
  g_autofree char *message = NULL;
  gsize head_length;
  guint status;
  HotpathHttpHeadResult result;

  result = hotpath_http_head_parse ((const char *) data, size, &head, &head_length, &status, &message);
  switch (result)
    {
    case HOTPATH_HTTP_HEAD_INCOMPLETE:
      g_assert (size < HOTPATH_HTTP_MAX_HEAD);
      break;

    case HOTPATH_HTTP_HEAD_ERROR:
      g_assert (status >= 400 && status < 600);
      g_assert (message != NULL && g_utf8_validate (message, -1, NULL));
      break;

    case HOTPATH_HTTP_HEAD_OK:
      {
        g_autoptr(GBytes) rebuilt = hotpath_http_head_serialize (&head, "", 0);
        g_auto(HotpathHttpHead) again = { 0 };
        g_autofree char *again_message = NULL;
        gsize again_length, rebuilt_size;
        const char *rebuilt_data = g_bytes_get_data (rebuilt, &rebuilt_size);

        g_assert (head_length <= size && head_length <= HOTPATH_HTTP_MAX_HEAD);
        g_assert (head.path != NULL && head.path[0] == '/');
        /* The rebuilt head may only lose Expect and duplicate lengths. */
        g_assert (hotpath_http_head_parse (rebuilt_data, rebuilt_size, &again, &again_length,
                                           &status, &again_message) == HOTPATH_HTTP_HEAD_OK ||
                  rebuilt_size >= HOTPATH_HTTP_MAX_HEAD);
        if (again.method != NULL)
          {
            g_assert (g_str_equal (again.method, head.method));
            g_assert (g_str_equal (again.target, head.target));
            g_assert (again.content_length == head.content_length);
            g_assert (again.headers->len == head.headers->len);
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }

  return 0;
}
