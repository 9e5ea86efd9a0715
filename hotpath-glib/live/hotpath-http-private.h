/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

#include "hotpath-server-private.h"

G_BEGIN_DECLS

/* Largest request body accepted: GET routes take none, MCP takes JSON-RPC. */
#define HOTPATH_HTTP_MAX_BODY (1024 * 1024)

void     hotpath_http_respond        (SoupServerMessage *msg,
                                      guint              status,
                                      const char        *content_type,
                                      char              *body);
void     hotpath_http_respond_json   (SoupServerMessage *msg,
                                      guint              status,
                                      char              *json);
void     hotpath_http_respond_error  (SoupServerMessage *msg,
                                      guint              status,
                                      const char        *format,
                                      ...) G_GNUC_PRINTF (3, 4);
gboolean hotpath_http_token_matches  (const char        *header,
                                      const char        *token);
void     hotpath_http_set_head_timeout_for_testing (guint ms);

/* hotpath-mcp.c: one POST /mcp request, after auth and size checks. */
void     hotpath_mcp_handle          (HotpathServer     *server,
                                      SoupServerMessage *msg);
char    *hotpath_mcp_handle_body     (HotpathServer     *server,
                                      const char        *data,
                                      gsize              size,
                                      guint             *status);

G_END_DECLS
