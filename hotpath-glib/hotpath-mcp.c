/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hotpath-http-private.h"

void
hotpath_mcp_handle (HotpathServer     *server,
                    SoupServerMessage *msg)
{
  hotpath_http_respond_error (msg, SOUP_STATUS_NOT_IMPLEMENTED, "MCP is not implemented yet");
}
