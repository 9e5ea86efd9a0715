/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-http.c: live JSON and /metrics over HTTP (libsoup 3), and the
 * HTTP side of MCP.
 *
 * The SoupServer lives on the server thread and its context. Every check
 * that can refuse a request (method, token, body size) runs in the early
 * handler, after the headers and before any body is read, so a client
 * cannot make us buffer a large body just to be told no.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "hotpath-http-private.h"
#include "hotpath-report-private.h"
#include "hotpath-sections-private.h"

/* GET routes take no body; anything above this is refused unread. */
#define MAX_GET_BODY 16384

struct _HotpathHttp
{
  HotpathServer  *server;
  SoupServer     *soup;
  GSocketService *service;
  GSocket        *listen_socket;
  char           *what;
  char           *token;
  gboolean        mcp;
  gboolean        loopback;
};

void
hotpath_http_respond (SoupServerMessage *msg,
                      guint              status,
                      const char        *content_type,
                      char              *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  /* Every connection closes after its response (see on_incoming()); say
   * so, or clients count the close as an error. */
  soup_message_headers_replace (headers, "Connection", "close");
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, body, strlen (body));
}

void
hotpath_http_respond_json (SoupServerMessage *msg,
                           guint              status,
                           char              *json)
{
  hotpath_http_respond (msg, status, "application/json", json);
}

void
hotpath_http_respond_error (SoupServerMessage *msg,
                            guint              status,
                            const char        *format,
                            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  hotpath_http_respond_json (msg, status, hotpath_json_error ("%s", message));
}

/**
 * hotpath_http_token_matches:
 * @header: (nullable): the Authorization header, bare or `Bearer <token>`
 * @token: the expected token
 *
 * Compares in time that depends only on the length of @token, so the
 * answer's timing says nothing about how much of a guess was right.
 */
gboolean
hotpath_http_token_matches (const char *header,
                            const char *token)
{
  gsize given_len, token_len;
  guint8 diff;

  if (header == NULL)
    return FALSE;

  while (*header == ' ')
    header++;
  if (g_ascii_strncasecmp (header, "Bearer ", 7) == 0)
    {
      header += 7;
      while (*header == ' ')
        header++;
    }

  given_len = strlen (header);
  token_len = strlen (token);
  diff = given_len != token_len;
  for (gsize i = 0; i < token_len; i++)
    diff |= (guint8) token[i] ^ (guint8) (i < given_len ? header[i] : 0);

  return diff == 0;
}

static gboolean
is_loopback_name (const char *host,
                  gssize      length)
{
  g_autofree char *name = g_strndup (host, length < 0 ? strlen (host) : (gsize) length);
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (name, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (name);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* "127.0.0.1:6770", "localhost", "[::1]:6770" */
static gboolean
host_header_is_loopback (const char *host)
{
  const char *end;

  if (host[0] == '[')
    {
      end = strchr (host, ']');
      return end != NULL && is_loopback_name (host + 1, end - host - 1);
    }

  end = strchr (host, ':');
  return is_loopback_name (host, end != NULL ? end - host : -1);
}

static gboolean
origin_is_loopback (const char *origin)
{
  g_autoptr(GUri) uri = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  return host != NULL && is_loopback_name (host, -1);
}

static void
early_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  HotpathHttp *self = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  goffset max_body = self->mcp ? HOTPATH_HTTP_MAX_BODY : MAX_GET_BODY;
  const char *host, *origin;
  goffset length;

  /* A web page must not read a loopback server through DNS rebinding
   * (its requests name the attacker's host) or a cross-origin request
   * (its Origin names the page); the MCP transport requires the second. */
  host = soup_message_headers_get_one (request_headers, "Host");
  origin = soup_message_headers_get_one (request_headers, "Origin");
  if (self->loopback &&
      ((host != NULL && !host_header_is_loopback (host)) ||
       (origin != NULL && !origin_is_loopback (origin))))
    {
      hotpath_http_respond_error (msg, SOUP_STATUS_FORBIDDEN,
                                  "requests must come from this machine: Host and Origin must be "
                                  "localhost, 127.0.0.1 or [::1]");
      return;
    }

  if (self->token != NULL &&
      !hotpath_http_token_matches (soup_message_headers_get_one (request_headers, "Authorization"),
                                   self->token))
    {
      soup_message_headers_replace (response_headers, "WWW-Authenticate", "Bearer realm=\"hotpath\"");
      hotpath_http_respond_error (msg, SOUP_STATUS_UNAUTHORIZED,
                                  "missing or wrong token in the Authorization header");
      return;
    }

  if (self->mcp)
    {
      if (g_strcmp0 (path, "/mcp") != 0)
        {
          hotpath_http_respond_error (msg, SOUP_STATUS_NOT_FOUND, "no route %s; MCP is served at /mcp", path);
          return;
        }
      if (g_strcmp0 (method, "POST") != 0)
        {
          /* Streamable HTTP lets a server without server-sent events
           * answer GET with 405. */
          soup_message_headers_replace (response_headers, "Allow", "POST");
          hotpath_http_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                      "method %s not allowed; MCP takes POST", method);
          return;
        }
    }
  else if (g_strcmp0 (method, "GET") != 0 && g_strcmp0 (method, "HEAD") != 0)
    {
      soup_message_headers_replace (response_headers, "Allow", "GET, HEAD");
      hotpath_http_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                  "method %s not allowed; routes are GET only", method);
      return;
    }

  if (soup_message_headers_get_encoding (request_headers) == SOUP_ENCODING_CHUNKED)
    {
      /* Its size is unknown until read: ask for a length instead. */
      soup_message_headers_replace (response_headers, "Connection", "close");
      hotpath_http_respond_error (msg, SOUP_STATUS_LENGTH_REQUIRED,
                                  "chunked request bodies are not accepted; send Content-Length");
      return;
    }

  length = soup_message_headers_get_content_length (request_headers);
  if (length > max_body)
    {
      soup_message_headers_replace (response_headers, "Connection", "close");
      hotpath_http_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                                  "request body of %" G_GOFFSET_FORMAT " bytes is over the limit of %"
                                  G_GOFFSET_FORMAT, length, max_body);
      return;
    }
}

static gboolean
parse_limit (SoupServerMessage *msg,
             GHashTable        *query,
             guint              fallback,
             guint             *limit)
{
  const char *value = query != NULL ? g_hash_table_lookup (query, "limit") : NULL;
  guint64 parsed;

  *limit = fallback;
  if (value == NULL)
    return TRUE;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &parsed, NULL))
    {
      hotpath_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                                  "limit must be a non-negative integer, not \"%s\"", value);
      return FALSE;
    }

  *limit = (guint) parsed;
  return TRUE;
}

static void
serve_node (SoupServerMessage *msg,
            JsonNode          *node)
{
  hotpath_http_respond_json (msg, SOUP_STATUS_OK, hotpath_json_to_string (node, FALSE));
  json_node_unref (node);
}

static void
serve_section (HotpathHttp       *self,
               SoupServerMessage *msg,
               GHashTable        *query,
               char             **parts,
               guint              n_parts)
{
  const HotpathSection *section = hotpath_sections_lookup (parts[0]);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autofree char *key = NULL;
  const char *body;
  char *json;
  JsonNode *node;
  guint64 id;
  guint limit;

  if (section == NULL)
    {
      hotpath_http_respond_error (msg, SOUP_STATUS_NOT_FOUND, "no route /%s", parts[0]);
      return;
    }

  if (n_parts == 1)
    {
      if (!parse_limit (msg, query, hotpath_server_get_limit (self->server), &limit))
        return;

      snapshot = hotpath_server_snapshot (self->server);
      key = g_strdup_printf ("%s?limit=%u", section->name, limit);
      body = hotpath_server_lookup_body (self->server, key);
      if (body != NULL)
        {
          hotpath_http_respond_json (msg, SOUP_STATUS_OK, g_strdup (body));
          return;
        }

      node = section->json != NULL ? section->json (snapshot, limit) : NULL;
      if (node == NULL)
        {
          hotpath_http_respond_error (msg, SOUP_STATUS_NOT_FOUND,
                                      "section %s is not available in this process", section->name);
          return;
        }
      json = hotpath_json_to_string (node, FALSE);
      json_node_unref (node);
      hotpath_server_store_body (self->server, key, json);
      hotpath_http_respond_json (msg, SOUP_STATUS_OK, json);
      return;
    }

  if (n_parts != 3 || !g_str_equal (parts[2], "logs") || !section->has_logs)
    {
      g_autofree char *joined = g_strjoinv ("/", parts);
      hotpath_http_respond_error (msg, SOUP_STATUS_NOT_FOUND, "no route /%s", joined);
      return;
    }

  if (!g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT, &id, NULL))
    {
      hotpath_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                                  "item id must be a non-negative integer, not \"%s\"", parts[1]);
      return;
    }

  if (section->logs_json == NULL)
    {
      hotpath_http_respond_error (msg, SOUP_STATUS_NOT_FOUND,
                                  "section %s is not available in this process", section->name);
      return;
    }

  snapshot = hotpath_server_snapshot (self->server);
  node = section->logs_json (snapshot, (guint) id);
  if (node == NULL)
    {
      hotpath_http_respond_error (msg, SOUP_STATUS_NOT_FOUND,
                                  "no item with id %" G_GUINT64_FORMAT " in %s", id, section->name);
      return;
    }
  serve_node (msg, node);
}

static gboolean
wants_openmetrics (SoupServerMessage *msg)
{
  const char *accept = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                      "Accept");

  return accept != NULL && strstr (accept, "application/openmetrics-text") != NULL;
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  HotpathHttp *self = user_data;
  g_auto(GStrv) parts = NULL;
  guint n_parts;

  if (self->mcp)
    {
      hotpath_mcp_handle (self->server, msg);
      return;
    }

  /* "/a/b/" is "/a/b"; empty parts ("//") make the route unknown. */
  parts = g_strsplit (path + (path[0] == '/'), "/", -1);
  n_parts = g_strv_length (parts);
  if (n_parts > 1 && *parts[n_parts - 1] == '\0')
    {
      g_clear_pointer (&parts[n_parts - 1], g_free);
      n_parts--;
    }

  if (n_parts == 0 || *parts[0] == '\0')
    hotpath_http_respond_error (msg, SOUP_STATUS_NOT_FOUND,
                                "no route /; try /profiler_status, /report, /metrics or a section such as /functions_timing");
  else if (n_parts == 1 && g_str_equal (parts[0], "profiler_status"))
    hotpath_http_respond_json (msg, SOUP_STATUS_OK, hotpath_server_status_json (self->server));
  else if (n_parts == 1 && g_str_equal (parts[0], "report"))
    {
      g_autoptr(HotpathSnapshot) snapshot = hotpath_server_snapshot (self->server);
      serve_node (msg, hotpath_report_json_report (snapshot));
    }
  else if (n_parts == 1 && g_str_equal (parts[0], "metrics"))
    {
      g_autoptr(HotpathSnapshot) snapshot = hotpath_server_snapshot (self->server);
      gboolean openmetrics = wants_openmetrics (msg);

      hotpath_http_respond (msg, SOUP_STATUS_OK,
                            openmetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                        : "text/plain; version=0.0.4; charset=utf-8",
                            hotpath_metrics_render (snapshot, openmetrics));
    }
  else
    serve_section (self, msg, query, parts, n_parts);
}

/* We accept connections ourselves and hand them to libsoup, one request
 * per connection. libsoup 3.2 (Debian 12) leaks what its own listener
 * accepts (a GSocket per connection), and leaks the connection with its
 * file descriptor whenever a client closes a kept-alive connection while
 * it is idle (fixed in 3.3, GNOME/libsoup d20c6601): a curl loop would
 * exhaust the program's descriptors. Streams handed over with
 * soup_server_accept_iostream() are released, and without a libsoup
 * listener the server closes each connection after its response, so
 * nothing is ever idle. Costs a TCP handshake per request on loopback. */
static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  HotpathHttp *self = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;

  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (connection), local, remote, &error))
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  return TRUE;
}

/**
 * hotpath_http_new:
 * @server: the server whose thread this runs on
 * @what: "HTTP" or "MCP", for messages
 * @host: an IP address
 * @port: a port, or 0 for any free one
 * @token: (nullable): the token requests must carry
 * @mcp: serve MCP at /mcp instead of the JSON routes
 * @bound_port: (out): the port listened on, or 0
 *
 * Must be called on the server thread, with its context as the thread
 * default. A port in use, or any other failure, logs one message (domain
 * "Hotpath") and the program goes on without this server.
 *
 * Returns: (transfer full) (nullable): the listening server
 */
HotpathHttp *
hotpath_http_new (HotpathServer *server,
                  const char    *what,
                  const char    *host,
                  guint          port,
                  const char    *token,
                  gboolean       mcp,
                  guint16       *out_port)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;
  HotpathHttp *self;

  *out_port = 0;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    host = "127.0.0.1";
  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    {
      g_message ("HOTPATH_METRICS_HOST=\"%s\" is not an IP address; "
                 "running without the live %s server", host, what);
      return NULL;
    }
  if (!g_inet_address_get_is_loopback (address))
    g_message ("the live %s server listens on %s, reachable from other machines%s",
               what, host,
               token == NULL ? "; set HOTPATH_METRICS_AUTH_TOKEN to require a token" : "");

  self = g_new0 (HotpathHttp, 1);
  self->server = server;
  self->what = g_strdup (what);
  self->token = g_strdup (token);
  self->mcp = mcp;
  self->loopback = g_inet_address_get_is_loopback (address);
  self->soup = soup_server_new ("server-header", "hotpath-glib/" PACKAGE_VERSION " ", NULL);
  soup_server_add_early_handler (self->soup, NULL, early_handler, self, NULL);
  soup_server_add_handler (self->soup, NULL, handler, self, NULL);

  socket_address = g_inet_socket_address_new (address, (guint16) port);
  self->service = g_socket_service_new ();
  self->listen_socket = g_socket_new (g_socket_address_get_family (socket_address),
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (self->listen_socket == NULL ||
      !g_socket_bind (self->listen_socket, socket_address, TRUE, &error) ||
      !g_socket_listen (self->listen_socket, &error) ||
      !g_socket_listener_add_socket (G_SOCKET_LISTENER (self->service), self->listen_socket,
                                     NULL, &error) ||
      (effective = g_socket_get_local_address (self->listen_socket, &error)) == NULL)
    {
      g_message ("cannot serve %s on %s:%u (%s); the program goes on without it",
                 what, host, port, error->message);
      hotpath_http_free (self);
      return NULL;
    }
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->service);
  hotpath_server_close_in_child (g_socket_get_fd (self->listen_socket));

  *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  if (port == 0)
    {
      gboolean ipv6 = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6;

      g_message ("live %s server on http://%s%s%s:%u%s", what,
                 ipv6 ? "[" : "", host, ipv6 ? "]" : "", *out_port, mcp ? "/mcp" : "/");
    }

  return self;
}

void
hotpath_http_free (HotpathHttp *self)
{
  if (self == NULL)
    return;

  if (self->listen_socket != NULL)
    {
      hotpath_server_forget_in_child (g_socket_get_fd (self->listen_socket));
      g_socket_close (self->listen_socket, NULL);
      g_clear_object (&self->listen_socket);
    }
  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_clear_object (&self->service);
    }
  soup_server_disconnect (self->soup);

  /* Connections close asynchronously and drop their last reference from a
   * signal handler of the server's: let that run while the server lives,
   * or each kept-alive connection leaks its socket. */
  {
    GMainContext *context = g_main_context_get_thread_default ();
    gint64 deadline = g_get_monotonic_time () + 100 * 1000;

    while (g_main_context_pending (context) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (context, FALSE);
  }

  g_clear_object (&self->soup);
  g_free (self->what);
  g_free (self->token);
  g_free (self);
}
