/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-http-front.c: hostile clients against the live HTTP and MCP
 * servers (issue 12): deep JSON, bodies that must not be read, idle and
 * slow connections, malformed heads, descriptor limits, percent-encoded
 * bytes, MCP batches. Raw sockets on loopback, free ports.
 */

#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hotpath-test-live.h"
#include "hotpath-test-live-target.h"
#include "hotpath-test-schema.h"
#include "hotpath-http-head-private.h"
#include "hotpath-http-private.h"

#define TOKEN "front-token"

typedef struct
{
  HotpathGuard *guard;
  guint16       http_port;
  guint16       mcp_port;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *token = data;
  HotpathServer *server;

  live_env_reset ();
  g_setenv ("HOTPATH_METRICS_SERVER_OFF", "0", TRUE);
  g_setenv ("HOTPATH_MCP_SERVER_OFF", "0", TRUE);
  if (token != NULL)
    g_setenv ("HOTPATH_METRICS_AUTH_TOKEN", token, TRUE);

  f->guard = live_guard_new ("test-http-front");
  server = hotpath_guard_get_server (f->guard);
  g_assert_nonnull (server);
  f->http_port = hotpath_server_get_http_port (server);
  f->mcp_port = hotpath_server_get_mcp_port (server);
  g_assert_cmpuint (f->http_port, >, 0);
  g_assert_cmpuint (f->mcp_port, >, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hotpath_guard_finish (f->guard, NULL);
  g_clear_object (&f->guard);
  hotpath_http_set_head_timeout_for_testing (5000);
  live_env_reset ();
}

/* A blocking loopback socket that gives up after 10 s. */
static GSocket *
connect_to (guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, 10);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);

  return socket;
}

/* Sends what it can of @data; a server that closed early is fine. */
static void
send_some (GSocket    *socket,
           const char *data,
           gsize       length)
{
  while (length > 0)
    {
      gssize sent = g_socket_send (socket, data, length, NULL, NULL);

      if (sent <= 0)
        return;
      data += sent;
      length -= sent;
    }
}

/* Reads the answer to the end; returns the status, *body the body. */
static guint
read_answer (GSocket  *socket,
             char    **body)
{
  g_autoptr(GString) all = g_string_new (NULL);
  char buffer[8192];
  const char *start;
  guint status = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize got = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);

      if (got <= 0)
        break;
      g_string_append_len (all, buffer, got);
    }

  /* Skip interim answers (100 Continue). */
  start = all->str;
  while (g_str_has_prefix (start, "HTTP/1.1 1"))
    {
      const char *end = strstr (start, "\r\n\r\n");
      g_assert_nonnull (end);
      start = end + 4;
    }
  sscanf (start, "HTTP/1.%*d %u", &status);
  if (body != NULL)
    {
      const char *end = strstr (start, "\r\n\r\n");
      *body = g_strdup (end != NULL ? end + 4 : "");
    }

  return status;
}

static guint
raw_exchange (guint16      port,
              const char  *request,
              gsize        length,
              char       **body)
{
  g_autoptr(GSocket) socket = connect_to (port);

  send_some (socket, request, length);
  return read_answer (socket, body);
}

static void
assert_json_error (const char *body)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_utf8_validate (body, -1, NULL));
  node = json_from_string (body, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
}

static gsize
rss_bytes (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10) * 1024;
}

static char *
mcp_request (const char *body,
             const char *extra_headers)
{
  return g_strdup_printf ("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          "Accept: application/json, text/event-stream\r\n%sContent-Length: %" G_GSIZE_FORMAT
                          "\r\n\r\n%s", extra_headers, strlen (body), body);
}

/* The parser alone ------------------------------------------------- */

static void
test_head_parser (void)
{
  static const struct { const char *head; HotpathHttpHeadResult result; guint status; } cases[] = {
    { "GET / HTTP/1.1\r\nHost: x\r\n\r\n", HOTPATH_HTTP_HEAD_OK, 0 },
    { "GET /a?b=c HTTP/1.0\r\n\r\n", HOTPATH_HTTP_HEAD_OK, 0 },
    { "POST /mcp HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", HOTPATH_HTTP_HEAD_OK, 0 },
    { "GET / HTTP/1.1\r\nHost: x\r\n", HOTPATH_HTTP_HEAD_INCOMPLETE, 0 },
    { "GET", HOTPATH_HTTP_HEAD_INCOMPLETE, 0 },
    { "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET / HTTP/1.1\r\nContent-Length: +1\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 411 },
    { "GET / HTTP/1.1\r\nTransfer-Encoding: foo\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 501 },
    { "GET / HTTP/1.1\r\nExpect: 200-ok\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 417 },
    { "GET / HTTP/2.0\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 505 },
    { "GET / HTTX/1.1\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET http://x/ HTTP/1.1\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET /\x01 HTTP/1.1\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET / HTTP/1.1\r\nBad Name: a\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "\x16\x03\x01\x02", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET /%zz HTTP/1.1\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET /%2 HTTP/1.1\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET /a%00b HTTP/1.1\r\n\r\n", HOTPATH_HTTP_HEAD_ERROR, 400 },
    { "GET /a%20b%2F HTTP/1.1\r\n\r\n", HOTPATH_HTTP_HEAD_OK, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(HotpathHttpHead) head = { 0 };
      g_autofree char *message = NULL;
      gsize head_length;
      guint status;
      HotpathHttpHeadResult result;

      g_test_message ("%u: %s", i, cases[i].head);
      result = hotpath_http_head_parse (cases[i].head, strlen (cases[i].head), &head, &head_length,
                                        &status, &message);
      g_assert_cmpint (result, ==, cases[i].result);
      if (result == HOTPATH_HTTP_HEAD_ERROR)
        {
          g_assert_cmpuint (status, ==, cases[i].status);
          g_assert_nonnull (message);
        }
      if (result == HOTPATH_HTTP_HEAD_OK)
        g_assert_cmpuint (head_length, ==, strlen (cases[i].head));
    }

  /* Over the head limit with no end in sight: 431, not a wait. */
  {
    g_auto(HotpathHttpHead) head = { 0 };
    g_autofree char *message = NULL;
    g_autofree char *big = g_strnfill (HOTPATH_HTTP_MAX_HEAD + 10, 'a');
    gsize head_length;
    guint status;

    memcpy (big, "GET /", 5);
    g_assert_cmpint (hotpath_http_head_parse (big, strlen (big), &head, &head_length, &status, &message),
                     ==, HOTPATH_HTTP_HEAD_ERROR);
    g_assert_cmpuint (status, ==, 431);
  }
}

/* Issue 12.1: json-glib recurses once per level; 80,000 '[' overflowed
 * the server thread's stack and killed the program. */
static void
test_deep_nesting (Fixture       *f,
                   gconstpointer  data)
{
  gsize depth = 80000;
  g_autofree char *deep = g_strnfill (depth, '[');
  g_autofree char *request = mcp_request (deep, "");
  g_autofree char *body = NULL;
  g_autofree char *ping_body = NULL;
  g_autofree char *ping = mcp_request ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", "");

  g_assert_cmpuint (raw_exchange (f->mcp_port, request, strlen (request), &body), ==, 400);
  assert_json_error (body);
  g_assert_nonnull (strstr (body, "-32700"));
  g_assert_nonnull (strstr (body, "deeper than 64"));

  /* Still alive. */
  g_assert_cmpuint (raw_exchange (f->mcp_port, ping, strlen (ping), &ping_body), ==, 200);
  g_assert_nonnull (strstr (ping_body, "\"result\""));
}

/* Issue 12.2: a refused request's body is never read into memory, and
 * the refusal comes before the body (the old server waited for it). */
static void
test_refused_unread (Fixture       *f,
                     gconstpointer  data)
{
  static const char head[] = "GET /report HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500000000\r\n\r\n";
  g_autoptr(GSocket) early = connect_to (f->http_port);
  g_autofree char *early_body = NULL;
  gsize chunk_size = 1024 * 1024;
  g_autofree char *chunk = g_malloc0 (chunk_size);
  gsize before, after;

  /* HTTP with a token: 401 with only the head sent, 500 MB announced. */
  send_some (early, head, strlen (head));
  g_assert_cmpuint (read_answer (early, &early_body), ==, 401);
  assert_json_error (early_body);

  /* MCP (the HTTP token protects it too), over its limit: 413 at once. */
  {
    g_autofree char *body = NULL;
    static const char big[] = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " TOKEN "\r\n"
                              "Content-Length: 300000000\r\n\r\n";

    g_assert_cmpuint (raw_exchange (f->mcp_port, big, strlen (big), &body), ==, 413);
    assert_json_error (body);
  }

  /* 48 MiB sent after a refused head stay on the floor. */
  before = rss_bytes ();
  for (guint round = 0; round < 4; round++)
    {
      g_autoptr(GSocket) socket = connect_to (f->http_port);
      g_autofree char *body = NULL;

      send_some (socket, head, strlen (head));
      for (guint i = 0; i < 12; i++)
        send_some (socket, chunk, chunk_size);
      g_socket_shutdown (socket, FALSE, TRUE, NULL);
      g_assert_cmpuint (read_answer (socket, &body), ==, 401);
    }
  after = rss_bytes ();
  g_test_message ("RSS %" G_GSIZE_FORMAT " KiB before, %" G_GSIZE_FORMAT " KiB after 48 MiB of refused bodies",
                  before / 1024, after / 1024);
  g_assert_cmpuint (after, <, before + 8 * 1024 * 1024);
}

/* Issue 12.4: libsoup 3.2.3 leaked ~60 KB per malformed head; these
 * never reach it now. */
static void
test_malformed_heads (Fixture       *f,
                      gconstpointer  data)
{
  gsize path_length = 60 * 1024;
  g_autofree char *path = g_strnfill (path_length, 'a');
  g_autofree char *long_head = g_strdup_printf ("GET /%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n", path);
  static const char bad_length[] = "GET /profiler_status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n";
  static const char bad_encoding[] = "GET /profiler_status HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: foo\r\n\r\n";
  gsize before = 0, after;

  for (guint i = 0; i < 1600; i++)
    {
      g_autofree char *body = NULL;
      guint expected[] = { 431, 400, 501 };
      const char *requests[] = { long_head, bad_length, bad_encoding };

      /* The first 100 warm up what is allocated once. */
      if (i == 100)
        before = rss_bytes ();
      g_assert_cmpuint (raw_exchange (f->http_port, requests[i % 3], strlen (requests[i % 3]), &body),
                        ==, expected[i % 3]);
      assert_json_error (body);
    }
  after = rss_bytes ();
  g_test_message ("RSS %" G_GSIZE_FORMAT " KiB before, %" G_GSIZE_FORMAT " KiB after 1,500 malformed heads",
                  before / 1024, after / 1024);
  g_assert_cmpuint (after, <, before + 4 * 1024 * 1024);
}

static gboolean
readable_now (GSocket *socket)
{
  struct pollfd pfd = { .fd = g_socket_get_fd (socket), .events = POLLIN };

  return poll (&pfd, 1, 0) == 1;
}

/* Issue 12.3: idle connections time out, slow ones do not get more time
 * per byte, and more than 32 never lock out a real client. */
static void
test_idle_and_slow (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) idle = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocket) slow = NULL;
  g_autofree char *body = NULL;
  static const char request[] = "GET /profiler_status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  static const char trickle[] = "GET /profiler_status HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa";
  guint n_408 = 0;

  for (guint i = 0; i < 40; i++)
    g_ptr_array_add (idle, connect_to (f->http_port));

  /* A real request gets through while 40 clients sit idle. */
  g_assert_cmpuint (raw_exchange (f->http_port, request, strlen (request), &body), ==, 200);
  hotpath_test_assert_valid_json (body, "profiler_status");

  /* Each idle one is closed with 408: the oldest to make room, the
   * rest at the head deadline (shortened to 400 ms here). */
  hotpath_http_set_head_timeout_for_testing (400);
  slow = connect_to (f->http_port);
  for (guint i = 0; i < idle->len; i++)
    {
      g_autofree char *idle_body = NULL;

      if (read_answer (g_ptr_array_index (idle, i), &idle_body) == 408)
        {
          assert_json_error (idle_body);
          n_408++;
        }
    }
  g_assert_cmpuint (n_408, ==, idle->len);

  /* A byte every 50 ms for 1.5 s: the deadline counts from the start. */
  for (guint i = 0; i < 30 && !readable_now (slow); i++)
    {
      send_some (slow, trickle + i, 1);
      g_usleep (50 * 1000);
    }
  g_assert_true (readable_now (slow));
  g_assert_cmpuint (read_answer (slow, NULL), ==, 408);
}

/* Issue 12.3: under `ulimit -n 64`, 100 clients never take the
 * program's last descriptors, and the program still serves once they go. */
static void
limit_fds (gpointer data)
{
  struct rlimit limit = { 64, 64 };

  setrlimit (RLIMIT_NOFILE, &limit);
}

static guint
count_fds_of (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

static void
test_fd_reserve (void)
{
  g_autoptr(GSubprocessLauncher) launcher = live_target_launcher_new (LIVE_TARGET_HTTP, "none");
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);
  LiveTarget target;
  g_auto(LiveResponse) response = { 0 };
  g_autoptr(GError) error = NULL;
  const char *pid;
  guint n_fds = 0;
  guint n_lines = 0;

  g_subprocess_launcher_set_child_setup (launcher, limit_fds, NULL, NULL);
  live_target_start (&target, launcher, "flow");
  pid = g_subprocess_get_identifier (target.process);

  for (guint i = 0; i < 100; i++)
    g_ptr_array_add (clients, connect_to (target.http_port));
  /* Let the target accept (or refuse) them all. */
  for (guint i = 0; i < 50; i++)
    {
      g_usleep (20 * 1000);
      n_fds = count_fds_of (pid);
    }
  g_test_message ("live-target holds %u descriptors of 64 with 100 clients", n_fds);
  g_assert_cmpuint (n_fds, <=, 64 - 16);

  g_ptr_array_set_size (clients, 0);
  for (guint i = 0; i < 100; i++)
    {
      g_usleep (20 * 1000);
      if (count_fds_of (pid) < 20)
        break;
    }
  live_get (target.http_port, "/profiler_status", &response);
  g_assert_cmpuint (response.status, ==, 200);

  g_output_stream_close (g_subprocess_get_stdin_pipe (target.process), NULL, NULL);
  /* The refusals said so in one line (a warning repeats once a minute). */
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (target.err, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        break;
      g_test_message ("live-target: %s", line);
      g_assert_nonnull (strstr (line, "the live HTTP server refused"));
      n_lines++;
    }
  g_assert_cmpuint (n_lines, <=, 1);
  g_subprocess_wait (target.process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (target.process));
  g_assert_cmpint (g_subprocess_get_exit_status (target.process), ==, 0);
  live_target_clear (&target);
}

/* Issue 12.11: percent-encoded bytes come back as valid JSON. */
static void
test_percent_encoded (Fixture       *f,
                      gconstpointer  data)
{
  static const char *paths[] = {
    "/%ff", "/%c3%28", "/functions_timing?limit=%ff", "/functions_timing/%ff/logs",
    "/functions_timing/1%00/logs", "/%00", "/%e2%82%ac", "/%zz", "/%4", "/a%",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", paths[i]);
      g_autofree char *body = NULL;
      guint status = raw_exchange (f->http_port, request, strlen (request), &body);

      g_test_message ("%s: %u %s", paths[i], status, body);
      g_assert_cmpuint (status, >=, 400);
      assert_json_error (body);
    }
}

static void
test_expect_continue (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *request = mcp_request ("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}",
                                          "Expect: 100-continue\r\n");
  g_autofree char *body = NULL;

  g_assert_cmpuint (raw_exchange (f->mcp_port, request, strlen (request), &body), ==, 200);
  g_assert_nonnull (strstr (body, "\"id\":7"));
}

static char *
batch_of (guint       n,
          const char *method)
{
  g_autoptr(GString) batch = g_string_new ("[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (batch, "%s{\"jsonrpc\":\"2.0\",\"id\":%u,\"method\":\"%s\"}",
                            i > 0 ? "," : "", i, method);
  g_string_append_c (batch, ']');

  return g_string_free (g_steal_pointer (&batch), FALSE);
}

/* Issue 12.5: batches are bounded in count; the answer in size. */
static void
test_mcp_batch (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *small = batch_of (64, "tools/list");
  g_autofree char *large = batch_of (8000, "tools/list");
  g_autofree char *small_request = mcp_request (small, "");
  g_autofree char *large_request = mcp_request (large, "");
  g_autofree char *body = NULL;
  g_autofree char *large_body = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (raw_exchange (f->mcp_port, small_request, strlen (small_request), &body), ==, 200);
  node = json_from_string (body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 64);

  g_assert_cmpuint (raw_exchange (f->mcp_port, large_request, strlen (large_request), &large_body), ==, 400);
  assert_json_error (large_body);
  g_assert_nonnull (strstr (large_body, "over the limit of 64"));
}

/* Issue 12.11: an id of 1e999 is infinity, which JSON cannot echo. */
static void
test_mcp_bad_ids (Fixture       *f,
                  gconstpointer  data)
{
  static const char *bodies[] = {
    "{\"jsonrpc\":\"2.0\",\"id\":1e999,\"method\":\"ping\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":-1e999,\"method\":\"ping\"}",
    "[{\"jsonrpc\":\"2.0\",\"id\":1e999,\"method\":\"ping\"}]",
    "{\"jsonrpc\":\"2.0\",\"id\":\"\xff\",\"method\":\"ping\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"functions_timing\",\"arguments\":{\"limit\":1e999}}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *request = mcp_request (bodies[i], "");
      g_autofree char *body = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;

      raw_exchange (f->mcp_port, request, strlen (request), &body);
      g_test_message ("case %u -> %s", i, body);
      g_assert_true (g_utf8_validate (body, -1, NULL));
      node = json_from_string (body, &error);
      g_assert_no_error (error);
      g_assert_null (strstr (body, "inf"));
    }
}

/* Issue 12.8: one token for every endpoint. */
static guint
status_with_token (guint16     port,
                   gboolean    mcp,
                   const char *token)
{
  g_autofree char *authorization = token != NULL ? g_strdup_printf ("Authorization: Bearer %s\r\n", token)
                                                 : g_strdup ("");
  g_autofree char *request = NULL;

  if (mcp)
    request = mcp_request ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                           "\"params\":{\"name\":\"functions_timing\"}}", authorization);
  else
    request = g_strdup_printf ("GET /functions_timing HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", authorization);

  return raw_exchange (port, request, strlen (request), NULL);
}

static void
test_tokens (void)
{
  static const struct {
    const char *common, *metrics, *mcp;
    const char *http_token, *mcp_token;   /* what each server wants */
  } cases[] = {
    { "all", NULL, NULL, "all", "all" },
    { NULL, "metrics", NULL, "metrics", "metrics" },   /* MCP no longer open */
    { NULL, NULL, "mcp", "mcp", "mcp" },
    { "all", "metrics", NULL, "metrics", "all" },
    { "all", NULL, "mcp", "all", "mcp" },
    { NULL, "metrics", "mcp", "metrics", "mcp" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      HotpathGuard *guard;
      HotpathServer *server;
      guint16 http_port, mcp_port;

      live_env_reset ();
      g_unsetenv ("HOTPATH_AUTH_TOKEN");
      g_setenv ("HOTPATH_METRICS_SERVER_OFF", "0", TRUE);
      g_setenv ("HOTPATH_MCP_SERVER_OFF", "0", TRUE);
      if (cases[i].common != NULL)
        g_setenv ("HOTPATH_AUTH_TOKEN", cases[i].common, TRUE);
      if (cases[i].metrics != NULL)
        g_setenv ("HOTPATH_METRICS_AUTH_TOKEN", cases[i].metrics, TRUE);
      if (cases[i].mcp != NULL)
        g_setenv ("HOTPATH_MCP_AUTH_TOKEN", cases[i].mcp, TRUE);

      guard = live_guard_new ("test-http-front-tokens");
      server = hotpath_guard_get_server (guard);
      http_port = hotpath_server_get_http_port (server);
      mcp_port = hotpath_server_get_mcp_port (server);

      g_test_message ("case %u", i);
      g_assert_cmpuint (status_with_token (http_port, FALSE, NULL), ==, 401);
      g_assert_cmpuint (status_with_token (mcp_port, TRUE, NULL), ==, 401);
      g_assert_cmpuint (status_with_token (http_port, FALSE, "wrong"), ==, 401);
      g_assert_cmpuint (status_with_token (mcp_port, TRUE, "wrong"), ==, 401);
      g_assert_cmpuint (status_with_token (http_port, FALSE, cases[i].http_token), ==, 200);
      g_assert_cmpuint (status_with_token (mcp_port, TRUE, cases[i].mcp_token), ==, 200);

      hotpath_guard_finish (guard, NULL);
      g_object_unref (guard);
    }

  g_unsetenv ("HOTPATH_AUTH_TOKEN");
  live_env_reset ();
}

/* Issue 12.8: off loopback without a token, no HTTP server (DNS
 * rebinding would reach it from any web page). */
static void
test_open_host_refused (void)
{
  if (g_test_subprocess ())
    {
      HotpathGuard *guard;

      live_env_reset ();
      g_unsetenv ("HOTPATH_AUTH_TOKEN");
      g_unsetenv ("HOTPATH_INSECURE");
      g_setenv ("HOTPATH_METRICS_SERVER_OFF", "0", TRUE);
      g_setenv ("HOTPATH_METRICS_HOST", "0.0.0.0", TRUE);
      guard = live_guard_new ("test-http-front-open");
      g_assert_cmpuint (hotpath_server_get_http_port (hotpath_guard_get_server (guard)), ==, 0);
      hotpath_guard_finish (guard, NULL);
      g_object_unref (guard);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*HOTPATH_METRICS_HOST=0.0.0.0 is reachable from other machines and no token is set*"
                             "HOTPATH_INSECURE=1*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/Hotpath/HttpFront/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/Hotpath/HttpFront/head-parser", test_head_parser);
  ADD ("deep-nesting", test_deep_nesting, NULL);
  ADD ("refused-unread", test_refused_unread, TOKEN);
  ADD ("malformed-heads", test_malformed_heads, NULL);
  ADD ("idle-and-slow", test_idle_and_slow, NULL);
  g_test_add_func ("/Hotpath/HttpFront/fd-reserve", test_fd_reserve);
  ADD ("percent-encoded", test_percent_encoded, NULL);
  ADD ("expect-continue", test_expect_continue, NULL);
  ADD ("mcp-batch", test_mcp_batch, NULL);
  ADD ("mcp-bad-ids", test_mcp_bad_ids, NULL);
  g_test_add_func ("/Hotpath/HttpFront/tokens", test_tokens);
  g_test_add_func ("/Hotpath/HttpFront/open-host-refused", test_open_host_refused);

  return g_test_run ();
}
