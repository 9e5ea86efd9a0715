/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-mcp: MCP request bodies (JSON-RPC messages and batches) straight
 * into hotpath_mcp_handle_body(), with a live session so tools/call has
 * data. Every answer is valid UTF-8 JSON: an object, or an array of them.
 */

#include "config.h"

#include <stdint.h>

#include <json-glib/json-glib.h>

#include "hotpath-http-private.h"
#include "fuzz-live-server.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  HotpathServer *server = fuzz_live_server ();
  g_autofree char *answer = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  /* The server thread is idle (nobody connects): calling from here is
   * safe for the fuzzer's purpose. */
  answer = hotpath_mcp_handle_body (server, (const char *) data, size, &status);
  g_assert (status == 200 || status == 202 || status == 400);
  if (answer == NULL)
    {
      g_assert (status == 202);
      return 0;
    }

  g_assert (g_utf8_validate (answer, -1, NULL));
  node = json_from_string (answer, &error);
  if (node == NULL)
    g_error ("invalid JSON answer (%s): %s", error->message, answer);
  g_assert (JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node));

  return 0;
}
