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
#include <sys/resource.h>

#include <json-glib/json-glib.h>

#include "hotpath-http-head-private.h"
#include "hotpath-http-private.h"
#include "hotpath-report-private.h"
#include "hotpath-sections-private.h"

/* GET routes take no body; anything above this is refused unread. */
#define MAX_GET_BODY 16384

/* POST, no body: writes the report now, where it goes at exit. */
#define WRITE_REPORT_ROUTE "/report/write"

struct _HotpathHttp
{
  HotpathServer  *server;
  SoupServer     *soup;
  GSocket        *listen_socket;
  GSource        *listen_source;
  GSource        *resume_source;   /* accepting paused after an error */
  GList          *connections;     /* Conn, open ones */
  guint           n_connections;
  guint           n_refused;       /* since the last warning */
  gint64          last_warning_us;
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

  /* Messages quote what the client sent, percent-decoded: "/%ff" is the
   * byte 0xff, which JSON cannot carry. */
  if (!g_utf8_validate (message, -1, NULL))
    {
      char *valid = g_utf8_make_valid (message, -1);

      g_free (message);
      message = valid;
    }

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

/* Every check that can refuse a request runs here, on its head alone,
 * before a byte of its body is read: a refused body is discarded, never
 * kept. Returns the status to answer, or 0 to serve the request. */
static guint
check_head (HotpathHttp           *self,
            const HotpathHttpHead *head,
            const char           **extra_headers,
            char                 **message)
{
  const char *host = hotpath_http_head_get (head, "Host");
  const char *origin = hotpath_http_head_get (head, "Origin");
  gint64 max_body = self->mcp ? HOTPATH_HTTP_MAX_BODY : MAX_GET_BODY;

  *extra_headers = "";

  /* A web page must not read a loopback server through DNS rebinding
   * (its requests name the attacker's host) or a cross-origin request
   * (its Origin names the page); the MCP transport requires the second. */
  if (self->loopback &&
      ((host != NULL && !host_header_is_loopback (host)) ||
       (origin != NULL && !origin_is_loopback (origin))))
    {
      *message = g_strdup ("requests must come from this machine: Host and Origin must be "
                           "localhost, 127.0.0.1 or [::1]");
      return SOUP_STATUS_FORBIDDEN;
    }

  if (self->token != NULL &&
      !hotpath_http_token_matches (hotpath_http_head_get (head, "Authorization"), self->token))
    {
      *extra_headers = "WWW-Authenticate: Bearer realm=\"hotpath\"\r\n";
      *message = g_strdup ("missing or wrong token in the Authorization header");
      return SOUP_STATUS_UNAUTHORIZED;
    }

  if (self->mcp)
    {
      if (!g_str_equal (head->path, "/mcp"))
        {
          *message = g_strdup_printf ("no route %s; MCP is served at /mcp", head->path);
          return SOUP_STATUS_NOT_FOUND;
        }
      if (!g_str_equal (head->method, "POST"))
        {
          /* Streamable HTTP lets a server without server-sent events
           * answer GET with 405. */
          *extra_headers = "Allow: POST\r\n";
          *message = g_strdup_printf ("method %s not allowed; MCP takes POST", head->method);
          return SOUP_STATUS_METHOD_NOT_ALLOWED;
        }
    }
  else if (g_str_equal (head->path, WRITE_REPORT_ROUTE))
    {
      /* It does something: never on a GET a page could trigger. */
      if (!g_str_equal (head->method, "POST"))
        {
          *extra_headers = "Allow: POST\r\n";
          *message = g_strdup_printf ("method %s not allowed; %s takes POST", head->method,
                                      WRITE_REPORT_ROUTE);
          return SOUP_STATUS_METHOD_NOT_ALLOWED;
        }
    }
  else if (!g_str_equal (head->method, "GET") && !g_str_equal (head->method, "HEAD"))
    {
      *extra_headers = "Allow: GET, HEAD\r\n";
      *message = g_strdup_printf ("method %s not allowed; routes are GET only", head->method);
      return SOUP_STATUS_METHOD_NOT_ALLOWED;
    }

  if (head->content_length > max_body)
    {
      *message = g_strdup_printf ("request body of %" G_GINT64_FORMAT " bytes is over the limit of %"
                                  G_GINT64_FORMAT, head->content_length, max_body);
      return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
    }

  return 0;
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
serve_section (HotpathHttp       *self,
               SoupServerMessage *msg,
               GHashTable        *query,
               char             **parts,
               guint              n_parts)
{
  const HotpathSectionDesc *section = hotpath_sections_lookup (parts[0]);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autofree char *key = NULL;
  const char *body;
  char *json;
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

      json = hotpath_section_to_json (section, snapshot, limit);
      if (json == NULL)
        {
          hotpath_http_respond_error (msg, SOUP_STATUS_NOT_FOUND,
                                      "section %s is not available in this process", section->name);
          return;
        }
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

  snapshot = hotpath_server_snapshot (self->server);
  if (!hotpath_live_section_is_available (section, snapshot))
    {
      hotpath_http_respond_error (msg, SOUP_STATUS_NOT_FOUND,
                                  "section %s is not available in this process", section->name);
      return;
    }

  json = hotpath_section_item_to_json (section, snapshot, id);
  if (json == NULL)
    {
      hotpath_http_respond_error (msg, SOUP_STATUS_NOT_FOUND,
                                  "no item with id %" G_GUINT64_FORMAT " in %s", id, section->name);
      return;
    }
  hotpath_http_respond_json (msg, SOUP_STATUS_OK, json);
}

static void
serve_write_report (SoupServerMessage *msg)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *destination = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!hotpath_report_write_now (&destination, &error))
    {
      hotpath_http_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "%s", error->message);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "written");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "destination");
  if (!g_utf8_validate (destination, -1, NULL))
    {
      char *valid = g_utf8_make_valid (destination, -1);

      g_free (destination);
      destination = valid;
    }
  json_builder_add_string_value (builder, destination);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  hotpath_http_respond_json (msg, SOUP_STATUS_OK, json_to_string (root, FALSE));
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
      hotpath_http_respond_json (msg, SOUP_STATUS_OK, hotpath_report_to_json (snapshot));
    }
  else if (g_str_equal (path, WRITE_REPORT_ROUTE))
    serve_write_report (msg);
  else if (n_parts == 1 && g_str_equal (parts[0], "metrics"))
    {
      g_autoptr(HotpathSnapshot) snapshot = hotpath_server_snapshot (self->server);
      gboolean openmetrics = wants_openmetrics (msg);
      const char *histograms = query != NULL ? g_hash_table_lookup (query, "histograms") : NULL;

      gboolean with_histograms = g_strcmp0 (histograms, "1") == 0 || g_strcmp0 (histograms, "true") == 0;
      g_autofree char *key = g_strdup_printf ("metrics?openmetrics=%d&histograms=%d", openmetrics, with_histograms);
      const char *cached = hotpath_server_lookup_body (self->server, key);
      char *text;

      /* Summaries by default; Prometheus histograms with ?histograms=1
       * (docs/live.md). Scrapers that share a snapshot share its body. */
      if (cached != NULL)
        text = g_strdup (cached);
      else
        {
          text = hotpath_metrics_render (snapshot, openmetrics, with_histograms);
          hotpath_server_store_body (self->server, key, text);
        }
      hotpath_http_respond (msg, SOUP_STATUS_OK,
                            openmetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                        : "text/plain; version=0.0.4; charset=utf-8",
                            text);
    }
  else
    serve_section (self, msg, query, parts, n_parts);
}

/* The front: we accept connections and read each request head (and body)
 * ourselves, and hand libsoup only complete requests that passed every
 * check, one request per connection, from memory. Because libsoup 3.2.3
 * (Debian 12):
 * - leaks what its own listener accepts (a GSocket per connection), and a
 *   kept-alive connection with its descriptor when the client closes it
 *   while idle (fixed in 3.3, GNOME/libsoup d20c6601);
 * - leaks memory on some malformed heads (an invalid Content-Length, an
 *   unknown Transfer-Encoding: soup_headers_parse_request);
 * - reads a whole request body even after an early handler refused it;
 * - has no limit on open connections and no idle or slow-client timeout.
 * Here a connection is bounded in bytes (head 8 KiB, body 16 KiB or
 * 1 MiB for MCP), in time (the head within 5 s, the request within 10 s,
 * the answer within 30 s) and in number (32 per server, never within a
 * reserve of the descriptor limit). A refused request is answered at once
 * and whatever body follows is discarded for at most 2 s. */
#define MAX_CONNECTIONS      32
#define HEAD_TIMEOUT_MS      5000
#define REQUEST_TIMEOUT_MS   10000
#define RESPONSE_TIMEOUT_MS  30000
#define LINGER_MS            2000
#define ACCEPT_BACKOFF_MS    250
#define WARNING_INTERVAL_US  (G_USEC_PER_SEC * 60)

typedef enum
{
  CONN_HEAD,
  CONN_BODY,
  CONN_LINGER,     /* answered; discarding what the client still sends */
  CONN_SOUP,       /* handed to libsoup */
} ConnState;

typedef struct
{
  HotpathHttp       *http;
  GList             *link;          /* in http->connections */
  GSocketConnection *connection;
  GSocket           *socket;
  GSource           *read_source;
  GSource           *deadline;
  GByteArray        *buffer;
  HotpathHttpHead    head;
  gsize              head_length;
  ConnState          state;
  GIOStream         *handed;        /* weak: the stream libsoup holds */
} Conn;

static void conn_free (Conn *conn);

static guint head_timeout_ms = HEAD_TIMEOUT_MS;

/* Tests wait less than the real timeout. */
void
hotpath_http_set_head_timeout_for_testing (guint ms)
{
  head_timeout_ms = ms;
}

/* Descriptors kept free for the program: a connection whose descriptor
 * is this close to RLIMIT_NOFILE is refused at once. */
static gboolean
near_fd_limit (int fd)
{
  struct rlimit limit;
  rlim_t reserve;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return FALSE;

  reserve = CLAMP (limit.rlim_cur / 8, 16, 256);
  return (rlim_t) fd + reserve >= limit.rlim_cur;
}

/* One line at most once a minute, however hard the server is pushed. */
static void
note_refusal (HotpathHttp *self,
              const char  *why)
{
  gint64 now = g_get_monotonic_time ();

  self->n_refused++;
  if (self->last_warning_us != 0 && now - self->last_warning_us < WARNING_INTERVAL_US)
    return;

  g_message ("the live %s server refused %u connection%s: %s "
             "(said at most once a minute)", self->what, self->n_refused,
             self->n_refused == 1 ? "" : "s", why);
  self->n_refused = 0;
  self->last_warning_us = now;
}

static void
send_all_nonblocking (GSocket    *socket,
                      const char *data,
                      gsize       length)
{
  /* Answers from here are small: a fresh socket's send buffer takes
   * them whole, and a client that does not read loses them. */
  while (length > 0)
    {
      gssize sent = g_socket_send_with_blocking (socket, data, length, FALSE, NULL, NULL);

      if (sent <= 0)
        return;
      data += sent;
      length -= sent;
    }
}

static char *
format_response (guint       status,
                 const char *extra_headers,
                 const char *message,
                 gboolean    with_body)
{
  g_autofree char *body = hotpath_json_error ("%s", message);

  return g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                          "Server: hotpath-glib/" PACKAGE_VERSION "\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Cache-Control: no-store\r\n"
                          "Connection: close\r\n"
                          "%s\r\n%s",
                          status, soup_status_get_phrase (status), strlen (body),
                          extra_headers, with_body ? body : "");
}

static void
conn_set_deadline (Conn        *conn,
                   guint        ms,
                   GSourceFunc  callback)
{
  if (conn->deadline != NULL)
    {
      g_source_destroy (conn->deadline);
      g_source_unref (conn->deadline);
    }
  conn->deadline = g_timeout_source_new (ms);
  g_source_set_callback (conn->deadline, callback, conn, NULL);
  g_source_set_static_name (conn->deadline, "[hotpath] connection deadline");
  g_source_attach (conn->deadline, g_main_context_get_thread_default ());
}

static gboolean
on_deadline (gpointer data)
{
  Conn *conn = data;

  if (conn->state == CONN_HEAD || conn->state == CONN_BODY)
    {
      g_autofree char *response =
        format_response (SOUP_STATUS_REQUEST_TIMEOUT, "",
                         "the request did not arrive in time", TRUE);

      send_all_nonblocking (conn->socket, response, strlen (response));
    }

  /* Whatever libsoup still holds fails on a closed socket and lets go. */
  g_clear_pointer (&conn->deadline, g_source_unref);
  conn_free (conn);

  return G_SOURCE_REMOVE;
}

/* Answers now and discards the rest of the request for a while, so the
 * client reads the answer instead of a reset. */
static void
conn_refuse (Conn       *conn,
             guint       status,
             const char *extra_headers,
             const char *message)
{
  g_autofree char *response =
    format_response (status, extra_headers, message,
                     conn->head.method == NULL || !g_str_equal (conn->head.method, "HEAD"));

  send_all_nonblocking (conn->socket, response, strlen (response));
  g_socket_shutdown (conn->socket, FALSE, TRUE, NULL);
  g_clear_pointer (&conn->buffer, g_byte_array_unref);
  conn->state = CONN_LINGER;
  conn_set_deadline (conn, LINGER_MS, on_deadline);
}

static void
on_handed_finalized (gpointer  data,
                     GObject  *where_the_object_was)
{
  Conn *conn = data;

  conn->handed = NULL;
  conn_free (conn);
}

static void
conn_hand_off (Conn *conn)
{
  HotpathHttp *self = conn->http;
  gsize body_length = conn->head.content_length > 0 ? (gsize) conn->head.content_length : 0;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (conn->connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (conn->connection, NULL);

  request = hotpath_http_head_serialize (&conn->head, (const char *) conn->buffer->data + conn->head_length,
                                         body_length);
  g_clear_pointer (&conn->buffer, g_byte_array_unref);
  hotpath_http_head_clear (&conn->head);
  g_source_destroy (conn->read_source);
  g_clear_pointer (&conn->read_source, g_source_unref);

  /* libsoup reads the request from memory and writes the answer to the
   * socket; we close the socket when it lets go of the stream (or at the
   * deadline, if it never does). */
  input = g_memory_input_stream_new_from_bytes (request);
  stream = g_simple_io_stream_new (input, g_io_stream_get_output_stream (G_IO_STREAM (conn->connection)));
  conn->state = CONN_SOUP;
  conn->handed = stream;
  g_object_weak_ref (G_OBJECT (stream), on_handed_finalized, conn);
  conn_set_deadline (conn, RESPONSE_TIMEOUT_MS, on_deadline);

  /* On failure, dropping our reference frees the connection. */
  soup_server_accept_iostream (self->soup, stream, local, remote, NULL);
}

/* Whether the request is complete; refuses it when it must. */
static gboolean
conn_advance (Conn *conn)
{
  HotpathHttp *self = conn->http;

  if (conn->state == CONN_HEAD)
    {
      g_autofree char *message = NULL;
      const char *extra_headers = "";
      guint status;

      switch (hotpath_http_head_parse ((const char *) conn->buffer->data, conn->buffer->len,
                                       &conn->head, &conn->head_length, &status, &message))
        {
        case HOTPATH_HTTP_HEAD_INCOMPLETE:
          hotpath_http_head_clear (&conn->head);
          return FALSE;

        case HOTPATH_HTTP_HEAD_ERROR:
          conn_refuse (conn, status, "", message);
          return FALSE;

        case HOTPATH_HTTP_HEAD_OK:
        default:
          break;
        }

      status = check_head (self, &conn->head, &extra_headers, &message);
      if (status != 0)
        {
          conn_refuse (conn, status, extra_headers, message);
          return FALSE;
        }

      conn->state = CONN_BODY;
      if (conn->head.expect_continue && conn->head.content_length > 0 &&
          conn->buffer->len < conn->head_length + conn->head.content_length)
        {
          static const char continue_line[] = "HTTP/1.1 100 Continue\r\n\r\n";

          send_all_nonblocking (conn->socket, continue_line, strlen (continue_line));
        }
    }

  return conn->buffer->len >= conn->head_length + MAX (conn->head.content_length, 0);
}

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      data)
{
  Conn *conn = data;
  char chunk[16384];

  /* A bounded amount per wakeup, so one client cannot hog the thread. */
  for (guint round = 0; round < 16; round++)
    {
      g_autoptr(GError) error = NULL;
      gsize want = sizeof chunk;
      gssize got;

      if (conn->state == CONN_HEAD)
        want = MIN (want, HOTPATH_HTTP_MAX_HEAD - conn->buffer->len);
      else if (conn->state == CONN_BODY)
        want = MIN (want, conn->head_length + conn->head.content_length - conn->buffer->len);

      got = g_socket_receive_with_blocking (socket, chunk, want, FALSE, NULL, &error);
      if (got < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      if (got <= 0)
        {
          /* The client went away (or reset): nothing to answer. */
          g_clear_pointer (&conn->read_source, g_source_unref);
          conn_free (conn);
          return G_SOURCE_REMOVE;
        }

      if (conn->state == CONN_LINGER)
        continue;

      g_byte_array_append (conn->buffer, (const guint8 *) chunk, got);
      if (conn_advance (conn))
        {
          conn_hand_off (conn);
          return G_SOURCE_REMOVE;
        }
    }

  return G_SOURCE_CONTINUE;
}

static void
conn_free (Conn *conn)
{
  HotpathHttp *self = conn->http;

  if (conn->read_source != NULL)
    {
      g_source_destroy (conn->read_source);
      g_source_unref (conn->read_source);
    }
  if (conn->deadline != NULL)
    {
      g_source_destroy (conn->deadline);
      g_source_unref (conn->deadline);
    }
  if (conn->handed != NULL)
    g_object_weak_unref (G_OBJECT (conn->handed), on_handed_finalized, conn);
  g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
  g_object_unref (conn->connection);
  g_clear_pointer (&conn->buffer, g_byte_array_unref);
  hotpath_http_head_clear (&conn->head);
  self->connections = g_list_delete_link (self->connections, conn->link);
  self->n_connections--;
  g_free (conn);
}

static void
refuse_at_once (HotpathHttp *self,
                GSocket     *socket,
                const char  *why)
{
  g_autofree char *response = format_response (SOUP_STATUS_SERVICE_UNAVAILABLE, "Retry-After: 1\r\n", why, TRUE);

  send_all_nonblocking (socket, response, strlen (response));
  g_socket_close (socket, NULL);
  note_refusal (self, why);
}

static void
accept_one (HotpathHttp *self,
            GSocket     *socket)
{
  Conn *conn;

  if (self->n_connections >= MAX_CONNECTIONS)
    {
      /* Idle and slow clients must not lock everyone out until their
       * deadline: the one waiting longest for its head makes room. */
      for (GList *l = g_list_last (self->connections); l != NULL; l = l->prev)
        {
          Conn *oldest = l->data;

          if (oldest->state == CONN_HEAD)
            {
              g_autofree char *response =
                format_response (SOUP_STATUS_REQUEST_TIMEOUT, "",
                                 "the request did not arrive in time", TRUE);

              send_all_nonblocking (oldest->socket, response, strlen (response));
              conn_free (oldest);
              note_refusal (self, "idle connections closed to make room (32 per server)");
              break;
            }
        }
    }
  if (self->n_connections >= MAX_CONNECTIONS)
    {
      refuse_at_once (self, socket, "too many open connections (32 per server)");
      return;
    }
  if (near_fd_limit (g_socket_get_fd (socket)))
    {
      refuse_at_once (self, socket, "the program is close to its limit of open files (RLIMIT_NOFILE)");
      return;
    }

  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  conn = g_new0 (Conn, 1);
  conn->http = self;
  conn->connection = g_socket_connection_factory_create_connection (socket);
  conn->socket = socket;   /* owned by the connection */
  conn->buffer = g_byte_array_sized_new (1024);
  conn->head.content_length = -1;
  conn->state = CONN_HEAD;
  self->connections = g_list_prepend (self->connections, conn);
  conn->link = self->connections;
  self->n_connections++;

  conn->read_source = g_socket_create_source (socket, G_IO_IN, NULL);
  g_source_set_callback (conn->read_source, (GSourceFunc) (void (*) (void)) on_readable, conn, NULL);
  g_source_set_static_name (conn->read_source, "[hotpath] connection");
  g_source_attach (conn->read_source, g_main_context_get_thread_default ());
  /* Slow clients (slowloris) get the head's time, not a time per byte. */
  conn_set_deadline (conn, head_timeout_ms, on_deadline);
}

static void start_accepting (HotpathHttp *self);

static gboolean
resume_accepting (gpointer data)
{
  HotpathHttp *self = data;

  g_clear_pointer (&self->resume_source, g_source_unref);
  start_accepting (self);

  return G_SOURCE_REMOVE;
}

static gboolean
on_listen_ready (GSocket      *listen_socket,
                 GIOCondition  condition,
                 gpointer      data)
{
  HotpathHttp *self = data;

  for (guint i = 0; i < 32; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_accept (listen_socket, NULL, &error);

      if (socket != NULL)
        {
          accept_one (self, socket);
          continue;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;

      /* EMFILE, ENFILE, ENOBUFS: the listening socket stays readable, so
       * retrying at once would spin. Back off a little. */
      note_refusal (self, error->message);
      g_clear_pointer (&self->listen_source, g_source_unref);
      self->resume_source = g_timeout_source_new (ACCEPT_BACKOFF_MS);
      g_source_set_callback (self->resume_source, resume_accepting, self, NULL);
      g_source_attach (self->resume_source, g_main_context_get_thread_default ());
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
start_accepting (HotpathHttp *self)
{
  self->listen_source = g_socket_create_source (self->listen_socket, G_IO_IN, NULL);
  g_source_set_callback (self->listen_source, (GSourceFunc) (void (*) (void)) on_listen_ready, self, NULL);
  g_source_set_static_name (self->listen_source, "[hotpath] listener");
  g_source_attach (self->listen_source, g_main_context_get_thread_default ());
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
  /* Off loopback the Host and Origin checks mean nothing; the core only
   * gets here with a token or HOTPATH_INSECURE=1 (hotpath-server.c). */
  if (!g_inet_address_get_is_loopback (address))
    g_message ("the live %s server listens on %s, reachable from other machines%s",
               what, host, token != NULL ? "; every request needs the token" : " with no token");

  self = g_new0 (HotpathHttp, 1);
  self->server = server;
  self->what = g_strdup (what);
  self->token = g_strdup (token);
  self->mcp = mcp;
  self->loopback = g_inet_address_get_is_loopback (address);
  self->soup = soup_server_new ("server-header", "hotpath-glib/" PACKAGE_VERSION " ", NULL);
  soup_server_add_handler (self->soup, NULL, handler, self, NULL);

  socket_address = g_inet_socket_address_new (address, (guint16) port);
  self->listen_socket = g_socket_new (g_socket_address_get_family (socket_address),
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (self->listen_socket == NULL ||
      !g_socket_bind (self->listen_socket, socket_address, TRUE, &error) ||
      !g_socket_listen (self->listen_socket, &error) ||
      (effective = g_socket_get_local_address (self->listen_socket, &error)) == NULL)
    {
      g_message ("cannot serve %s on %s:%u (%s); the program goes on without it",
                 what, host, port, error->message);
      hotpath_http_free (self);
      return NULL;
    }
  g_socket_set_blocking (self->listen_socket, FALSE);
  start_accepting (self);
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

  if (self->listen_source != NULL)
    {
      g_source_destroy (self->listen_source);
      g_clear_pointer (&self->listen_source, g_source_unref);
    }
  if (self->resume_source != NULL)
    {
      g_source_destroy (self->resume_source);
      g_clear_pointer (&self->resume_source, g_source_unref);
    }
  if (self->listen_socket != NULL)
    {
      hotpath_server_forget_in_child (g_socket_get_fd (self->listen_socket));
      g_socket_close (self->listen_socket, NULL);
      g_clear_object (&self->listen_socket);
    }
  while (self->connections != NULL)
    conn_free (self->connections->data);
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
