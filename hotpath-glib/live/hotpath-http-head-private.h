/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the front of the live servers accepts before libsoup sees a byte
 * (docs/security.md lists them). */
#define HOTPATH_HTTP_MAX_HEAD     8192   /* request line and headers */
#define HOTPATH_HTTP_MAX_HEADERS  64

typedef struct
{
  char *name;
  char *value;
} HotpathHttpHeader;

/* A request head that parsed strictly: tokens where HTTP wants tokens,
 * no control bytes, one Content-Length, no Transfer-Encoding. */
typedef struct
{
  char      *method;
  char      *target;          /* as sent: origin-form, printable ASCII */
  char      *path;            /* @target up to '?', still percent-encoded */
  guint      minor_version;   /* HTTP/1.x */
  gint64     content_length;  /* -1: none given */
  gboolean   expect_continue;
  GArray    *headers;         /* HotpathHttpHeader, in order, without Expect */
} HotpathHttpHead;

typedef enum
{
  HOTPATH_HTTP_HEAD_INCOMPLETE,   /* need more bytes */
  HOTPATH_HTTP_HEAD_OK,
  HOTPATH_HTTP_HEAD_ERROR,        /* *status and *message say why */
} HotpathHttpHeadResult;

HotpathHttpHeadResult hotpath_http_head_parse      (const char            *data,
                                                    gsize                  length,
                                                    HotpathHttpHead       *head,
                                                    gsize                 *head_length,
                                                    guint                 *status,
                                                    char                 **message);
void                  hotpath_http_head_clear      (HotpathHttpHead       *head);
const char           *hotpath_http_head_get        (const HotpathHttpHead *head,
                                                    const char            *name);
GBytes               *hotpath_http_head_serialize  (const HotpathHttpHead *head,
                                                    const char            *body,
                                                    gsize                  body_length);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HotpathHttpHead, hotpath_http_head_clear)

G_END_DECLS
