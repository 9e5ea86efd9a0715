/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-http: whole requests to the live HTTP server (first byte even) or
 * the MCP server (odd) running in this process, over loopback. Each input
 * is one connection: the bytes, then end of input. The server must answer
 * with a status line and, for JSON answers, a body that is valid UTF-8
 * JSON, or close without answering; it must never crash or stop serving.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "fuzz-live-server.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static GSocket *
connect_to (guint16 port)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

  g_assert (socket != NULL);
  g_socket_set_timeout (socket, 20);
  if (!g_socket_connect (socket, address, NULL, NULL))
    g_error ("the server stopped accepting");

  return socket;
}

static void
check_answer (const GString *answer)
{
  const char *end, *body, *type;

  if (answer->len == 0)
    return;   /* closed without a word: allowed */

  g_assert (g_str_has_prefix (answer->str, "HTTP/1.1 "));
  end = strstr (answer->str, "\r\n\r\n");
  g_assert (end != NULL);
  body = end + 4;

  type = g_strstr_len (answer->str, end - answer->str, "Content-Type: application/json");
  if (type != NULL && *body != '\0')
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      g_assert (g_utf8_validate (body, answer->str + answer->len - body, NULL));
      node = json_from_string (body, &error);
      if (node == NULL)
        g_error ("invalid JSON answer (%s): %s", error->message, answer->str);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  HotpathServer *server = fuzz_live_server ();
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  gboolean mcp;
  char buffer[16384];

  if (size == 0)
    return 0;

  mcp = data[0] & 1;
  socket = connect_to (mcp ? hotpath_server_get_mcp_port (server) : hotpath_server_get_http_port (server));
  data++;
  size--;

  while (size > 0)
    {
      gssize sent = g_socket_send (socket, (const char *) data, size, NULL, NULL);

      if (sent <= 0)
        break;
      data += sent;
      size -= sent;
    }
  /* End of input: an incomplete request is dropped at once, not at the
   * head deadline. */
  g_socket_shutdown (socket, FALSE, TRUE, NULL);

  for (;;)
    {
      gssize got = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);

      if (got <= 0)
        break;
      g_string_append_len (answer, buffer, got);
    }

  check_answer (answer);
  return 0;
}
