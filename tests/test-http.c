/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-http.c: the live HTTP server, through a real libsoup client on
 * loopback with free ports. Every body is validated against the schema.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotpath-test-live.h"
#include "hotpath-test-live-target.h"
#include "hotpath-test-schema.h"
#include "hotpath-http-private.h"
#include "hotpath-sections-private.h"

static void
measured (void)
{
  HOTPATH_MEASURE_AS ("test-http::measured");
}

static void
other (void)
{
  HOTPATH_MEASURE_AS ("test-http::other");
}

typedef struct
{
  HotpathGuard *guard;
  guint16       port;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *token = data;
  HotpathServer *server;

  live_env_reset ();
  g_setenv ("HOTPATH_METRICS_SERVER_OFF", "0", TRUE);
  if (token != NULL)
    g_setenv ("HOTPATH_METRICS_AUTH_TOKEN", token, TRUE);

  f->guard = live_guard_new ("test-http");
  server = hotpath_guard_get_server (f->guard);
  g_assert_nonnull (server);
  hotpath_server_set_max_age_ms (server, 0);
  f->port = hotpath_server_get_http_port (server);
  g_assert_cmpuint (f->port, >, 0);

  for (guint i = 0; i < 7; i++)
    measured ();
  other ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hotpath_guard_finish (f->guard, NULL);
  g_clear_object (&f->guard);
  live_env_reset ();
}

static JsonNode *
parse (const char *body)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (body, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);

  return node;
}

static void
assert_error (LiveResponse *response,
              guint         status,
              const char   *fragment)
{
  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (response->content_type, ==, "application/json");
  hotpath_test_assert_valid_json (response->body, "error");
  if (fragment != NULL)
    g_assert_nonnull (strstr (response->body, fragment));
}

static gint64
find_id (JsonNode   *timing,
         const char *name,
         gint64     *calls)
{
  JsonArray *data = json_object_get_array_member (json_node_get_object (timing), "data");

  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *row = json_array_get_object_element (data, i);

      if (g_str_equal (json_object_get_string_member (row, "name"), name))
        {
          if (calls != NULL)
            *calls = json_object_get_int_member (row, "calls");
          return json_object_get_int_member (row, "id");
        }
    }

  return -1;
}

static void
test_http_status (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(LiveResponse) response = { 0 };
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonArray *sections;
  guint n_sections;

  live_get (f->port, "/profiler_status", &response);
  g_assert_cmpuint (response.status, ==, 200);
  g_assert_cmpstr (response.content_type, ==, "application/json");
  hotpath_test_assert_valid_json (response.body, "profiler_status");

  node = parse (response.body);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "program"), ==, "test-http");
  g_assert_cmpint (json_object_get_int_member (object, "pid"), ==, getpid ());
  g_assert_cmpint (json_object_get_int_member (object, "http_port"), ==, f->port);
  g_assert_cmpint (json_object_get_int_member (object, "mcp_port"), ==, 0);
  g_assert_true (json_object_get_null_member (object, "dbus_name"));
  g_assert_cmpint (json_object_get_int_member (object, "functions"), >=, 2);
  /* Which clock times the program, and why. */
  g_assert_true (json_object_has_member (json_object_get_object_member (object, "clock"), "source"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "clock"), "reason"), !=, "");

  sections = json_object_get_array_member (object, "sections");
  n_sections = hotpath_sections_get_n ();
  g_assert_cmpuint (json_array_get_length (sections), ==, n_sections);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (sections, 0), "name"),
                   ==, "functions_timing");
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (sections, 0), "available"));
}

static void
test_http_report (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(LiveResponse) response = { 0 };

  live_get (f->port, "/report", &response);
  g_assert_cmpuint (response.status, ==, 200);
  hotpath_test_assert_valid_json (response.body, NULL);
  g_assert_nonnull (strstr (response.body, "\"test-http::measured\""));
}

static void
test_http_functions_timing (Fixture       *f,
                            gconstpointer  data)
{
  g_auto(LiveResponse) response = { 0 };
  g_auto(LiveResponse) limited = { 0 };
  g_auto(LiveResponse) trailing = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) limited_node = NULL;
  gint64 calls = 0;

  live_get (f->port, "/functions_timing", &response);
  g_assert_cmpuint (response.status, ==, 200);
  hotpath_test_assert_valid_json (response.body, "functions_timing");
  node = parse (response.body);
  g_assert_cmpint (find_id (node, "test-http::measured", &calls), >=, 0);
  g_assert_cmpint (calls, ==, 7);

  /* Live data: calls made now show up in the next answer. */
  measured ();
  live_response_clear (&response);
  live_get (f->port, "/functions_timing?limit=0", &response);
  hotpath_test_assert_valid_json (response.body, "functions_timing");
  g_clear_pointer (&node, json_node_unref);
  node = parse (response.body);
  find_id (node, "test-http::measured", &calls);
  g_assert_cmpint (calls, ==, 8);

  live_get (f->port, "/functions_timing?limit=1", &limited);
  g_assert_cmpuint (limited.status, ==, 200);
  hotpath_test_assert_valid_json (limited.body, "functions_timing");
  limited_node = parse (limited.body);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (limited_node), "data")), ==, 1);

  live_get (f->port, "/functions_timing/", &trailing);
  g_assert_cmpuint (trailing.status, ==, 200);
  hotpath_test_assert_valid_json (trailing.body, "functions_timing");
}

static void
test_http_logs (Fixture       *f,
                gconstpointer  data)
{
  g_auto(LiveResponse) timing = { 0 };
  g_auto(LiveResponse) logs = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) logs_node = NULL;
  g_autofree char *path = NULL;
  gint64 id;

  live_get (f->port, "/functions_timing", &timing);
  node = parse (timing.body);
  id = find_id (node, "test-http::measured", NULL);
  g_assert_cmpint (id, >=, 0);

  path = g_strdup_printf ("/functions_timing/%" G_GINT64_FORMAT "/logs", id);
  live_get (f->port, path, &logs);
  g_assert_cmpuint (logs.status, ==, 200);
  hotpath_test_assert_valid_json (logs.body, "function_logs");
  logs_node = parse (logs.body);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (logs_node), "id"), ==, id);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (logs_node), "logs")), ==, 7);
}

static void
test_http_errors (Fixture       *f,
                  gconstpointer  data)
{
  static const struct { const char *path; guint status; const char *fragment; } cases[] = {
    { "/", 404, "no route /" },
    { "/nope", 404, "no route /nope" },
    { "/functions_timing/abc/logs", 400, "non-negative integer" },
    { "/functions_timing/-1/logs", 400, "non-negative integer" },
    { "/functions_timing/99999999999999999999/logs", 400, "non-negative integer" },
    { "/functions_timing/4000000/logs", 404, "no item with id 4000000" },
    { "/functions_timing/1/nope", 404, "no route" },
    { "/functions_timing/1", 404, "no route" },
    { "/functions_timing//logs", 400, "non-negative integer" },
    { "/functions_timing?limit=abc", 400, "limit" },
    { "/functions_timing?limit=-3", 400, "limit" },
    { "/report/extra", 404, "no route" },
    { "/sources/4000000/logs", 404, "no item with id 4000000" },
    { "/channels/4000000/logs", 404, "no item with id 4000000" },
    { "/channels/abc/logs", 400, "non-negative integer" },
    { "/threads/1/logs", 404, "no route" },  /* threads keep no logs */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(LiveResponse) response = { 0 };

      g_test_message ("GET %s", cases[i].path);
      live_get (f->port, cases[i].path, &response);
      assert_error (&response, cases[i].status, cases[i].fragment);
    }
}

static void
test_http_unavailable (Fixture       *f,
                       gconstpointer  data)
{
  guint n_sections = hotpath_sections_get_n ();

  for (guint i = 0; i < n_sections; i++)
    {
      const HotpathSectionDesc *section = hotpath_sections_get_nth (i);
      g_auto(LiveResponse) response = { 0 };
      g_autofree char *path = g_strdup_printf ("/%s", section->name);

      live_get (f->port, path, &response);
      /* functions_alloc needs libhotpath-glib-alloc-1, which this test does
       * not load: it is not available. */
      if (!g_str_equal (section->name, "functions_alloc"))
        {
          g_assert_cmpuint (response.status, ==, 200);
          hotpath_test_assert_valid_json (response.body, section->schema_def);
        }
      else
        assert_error (&response, 404, "is not available");
    }
}

static void
test_http_methods (Fixture       *f,
                   gconstpointer  data)
{
  static const char *methods[] = { "POST", "PUT", "DELETE", "PATCH", "OPTIONS" };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_auto(LiveResponse) response = { 0 };
      g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);

      live_request_full (methods[i], f->port, "/report", NULL, NULL,
                         "application/json", g_str_equal (methods[i], "POST") ? body : NULL, &response);
      assert_error (&response, 405, "not allowed");
      g_assert_cmpstr (response.allow, ==, "GET, HEAD");
    }
}

static void
test_http_huge_body (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(LiveResponse) response = { 0 };
  g_auto(LiveResponse) after = { 0 };
  gsize size = 4 * 1024 * 1024;
  g_autoptr(GBytes) body = g_bytes_new_take (g_malloc0 (size), size);

  live_request_full ("GET", f->port, "/report", NULL, NULL, "application/octet-stream", body, &response);
  assert_error (&response, 413, "over the limit");

  /* And the server still answers. */
  live_get (f->port, "/profiler_status", &after);
  g_assert_cmpuint (after.status, ==, 200);
}

static void
test_http_auth (Fixture       *f,
                gconstpointer  data)
{
  static const struct { const char *header; guint status; } cases[] = {
    { NULL, 401 },
    { "", 401 },
    { "Bearer", 401 },
    { "Bearer wrong-token", 401 },
    { "s3cret-tok", 401 },           /* a prefix */
    { "s3cret-token-and-more", 401 },
    { "Basic czNjcmV0LXRva2Vu", 401 },
    { "s3cret-token", 200 },
    { "Bearer s3cret-token", 200 },
    { "bearer  s3cret-token", 200 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(LiveResponse) response = { 0 };

      g_test_message ("Authorization: %s", cases[i].header ? cases[i].header : "(none)");
      live_request_full ("GET", f->port, "/functions_timing", cases[i].header, NULL, NULL, NULL, &response);
      g_assert_cmpuint (response.status, ==, cases[i].status);
      if (cases[i].status == 401)
        {
          assert_error (&response, 401, "token");
          g_assert_nonnull (response.www_authenticate);
        }
      else
        hotpath_test_assert_valid_json (response.body, "functions_timing");
    }

  g_assert_true (hotpath_http_token_matches ("Bearer abc", "abc"));
  g_assert_false (hotpath_http_token_matches ("Bearer abd", "abc"));
  g_assert_false (hotpath_http_token_matches (NULL, "abc"));
}

static void
test_http_off (void)
{
  HotpathGuard *guard;

  live_env_reset ();
  guard = live_guard_new ("test-http-off");
  g_assert_null (hotpath_guard_get_server (guard));
  hotpath_guard_finish (guard, NULL);
  g_object_unref (guard);
}

static void
test_http_bad_host (void)
{
  HotpathGuard *guard;

  if (g_test_subprocess ())
    {
      live_env_reset ();
      g_setenv ("HOTPATH_METRICS_SERVER_OFF", "0", TRUE);
      g_setenv ("HOTPATH_METRICS_HOST", "not-an-address", TRUE);
      guard = live_guard_new ("test-http-host");
      g_assert_nonnull (hotpath_guard_get_server (guard));
      g_assert_cmpuint (hotpath_server_get_http_port (hotpath_guard_get_server (guard)), ==, 0);
      hotpath_guard_finish (guard, NULL);
      g_object_unref (guard);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr (HOTPATH_TEST_MESSAGE "HOTPATH_METRICS_HOST=\"not-an-address\" is not an IP address*");
}

/* live-target with HTTP and MCP on, JSON report at exit. */
static GSubprocess *
spawn_target (const char  *http_port,
              const char  *mcp_port,
              const char  *argument,
              GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    live_target_launcher_new (LIVE_TARGET_HTTP | LIVE_TARGET_MCP, "json");

  g_subprocess_launcher_setenv (launcher, "HOTPATH_METRICS_PORT", http_port, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_MCP_PORT", mcp_port, TRUE);

  return g_subprocess_launcher_spawn (launcher, error, HOTPATH_TEST_LIVE_TARGET, argument, NULL);
}

static char *
read_line (GDataInputStream *stream)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (stream, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);

  return line;
}

static guint16
port_from_line (const char *line,
                const char *prefix)
{
  g_assert_true (hotpath_test_message_has_prefix (line, prefix));
  return live_target_parse_port (line, prefix);
}

static void
finish_target (GSubprocess *process,
               char       **out_stdout,
               char       **out_stderr)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, "", NULL, out_stdout, out_stderr, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

/* Two profiled programs on the same ports: the second says so in one line
 * per server and runs on without them. */
static void
test_http_busy_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GDataInputStream) first_err = NULL;
  g_autofree char *http_line = NULL;
  g_autofree char *mcp_line = NULL;
  g_autofree char *http_port = NULL;
  g_autofree char *mcp_port = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *first_out = NULL;
  g_autofree char *first_rest = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(LiveResponse) response = { 0 };

  first = spawn_target ("0", "0", NULL, &error);
  g_assert_no_error (error);
  first_err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (first));
  http_line = read_line (first_err);
  mcp_line = read_line (first_err);
  http_port = g_strdup_printf ("%u", port_from_line (http_line, LIVE_TARGET_HTTP_LINE));
  mcp_port = g_strdup_printf ("%u", port_from_line (mcp_line, LIVE_TARGET_MCP_LINE));

  second = spawn_target (http_port, mcp_port, NULL, &error);
  g_assert_no_error (error);
  finish_target (second, &out, &err);

  lines = g_strsplit (err, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);   /* two lines and "" */
  g_assert_true (hotpath_test_message_has_prefix (lines[0], "cannot serve HTTP on 127.0.0.1:"));
  g_assert_nonnull (strstr (lines[0], "the program goes on without it"));
  g_assert_true (hotpath_test_message_has_prefix (lines[1], "cannot serve MCP on 127.0.0.1:"));
  /* It ran to the end and reported. */
  hotpath_test_assert_valid_json (out, NULL);

  /* The first one still serves. */
  live_get ((guint16) atoi (http_port), "/profiler_status", &response);
  g_assert_cmpuint (response.status, ==, 200);
  hotpath_test_assert_valid_json (response.body, "profiler_status");

  g_output_stream_close (g_subprocess_get_stdin_pipe (first), NULL, NULL);
  g_subprocess_wait (first, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (first), ==, 0);
  first_out = g_strdup ("");
}

/* exit() on another thread while the server runs: the report prints once
 * and the process ends (no hang joining the server thread). */
static void
test_http_exit_from_thread (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GDataInputStream) err_stream = NULL;
  g_autofree char *line = NULL;
  g_auto(LiveResponse) response = { 0 };

  process = spawn_target ("0", "0", "exit-thread", &error);
  g_assert_no_error (error);
  err_stream = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  line = read_line (err_stream);

  live_get (port_from_line (line, LIVE_TARGET_HTTP_LINE), "/functions_timing", &response);
  g_assert_cmpuint (response.status, ==, 200);
  hotpath_test_assert_valid_json (response.body, "functions_timing");

  finish_target (process, &out, &err);
  g_assert_nonnull (out);
  g_assert_null (strchr (g_strchomp (out), '\n'));   /* one report */
  hotpath_test_assert_valid_json (out, NULL);
}

/* A forked child keeps running after its parent: the port must not stay
 * bound with nobody to accept (clients would hang). */
static void
test_http_fork (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) err_stream = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *line = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint16 port;

  process = spawn_target ("0", "0", "fork", &error);
  g_assert_no_error (error);
  err_stream = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  line = read_line (err_stream);
  port = port_from_line (line, LIVE_TARGET_HTTP_LINE);

  finish_target (process, &out, &err);
  hotpath_test_assert_valid_json (out, NULL);

  /* The child lives 3 s more; its copy of the listening socket is closed. */
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 1);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_null (connection);
}

/* Data flow (issue 4) ------------------------------------------------- */

/* From tests/fixtures/live-target.c, mode "flow". */
#define FLOW_SENT     5
#define FLOW_RECEIVED 3
#define FLOW_TICKS    4

/* Starts live-target "flow" and waits until its data is all in. */
static void
flow_target_start (LiveTarget *target)
{
  g_autoptr(GSubprocessLauncher) launcher =
    live_target_launcher_new (LIVE_TARGET_HTTP | LIVE_TARGET_MCP, "json");

  live_target_start (target, launcher, "flow");
  g_assert_cmpuint (target->http_port, >, 0);
}

static void
flow_target_stop (LiveTarget *target)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  finish_target (target->process, &out, &err);
  /* The exit report has the same sections. */
  hotpath_test_assert_valid_json (out, NULL);
  g_assert_nonnull (strstr (out, "\"channels\":{\"total_count\":1"));
  live_target_clear (target);
}

/* GETs @path, checks it against $defs/@def and returns it parsed. */
static JsonNode *
get_valid (guint16     port,
           const char *path,
           const char *def)
{
  g_auto(LiveResponse) response = { 0 };

  g_test_message ("GET %s", path);
  live_get (port, path, &response);
  g_assert_cmpuint (response.status, ==, 200);
  g_assert_cmpstr (response.content_type, ==, "application/json");
  hotpath_test_assert_valid_json (response.body, def);

  return parse (response.body);
}

static JsonObject *
find_row (JsonNode   *section,
          const char *name)
{
  JsonArray *data = json_object_get_array_member (json_node_get_object (section), "data");

  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *row = json_array_get_object_element (data, i);

      if (g_str_equal (json_object_get_string_member (row, "name"), name))
        return row;
    }

  g_error ("no row %s", name);
  return NULL;
}

static gint64
total_count (JsonNode *section)
{
  return json_object_get_int_member (json_node_get_object (section), "total_count");
}

static gint64
summary_count (JsonObject *row,
               const char *member)
{
  return json_object_get_int_member (json_object_get_object_member (row, member), "count");
}

static void
test_http_flow_sections (void)
{
  LiveTarget target;
  g_autoptr(JsonNode) channels = NULL;
  g_autoptr(JsonNode) futures = NULL;
  g_autoptr(JsonNode) sources = NULL;
  g_autoptr(JsonNode) limited = NULL;
  g_autoptr(JsonNode) main_loop = NULL;
  g_autoptr(JsonNode) status = NULL;
  JsonObject *row;
  JsonArray *sections;

  flow_target_start (&target);

  channels = get_valid (target.http_port, "/channels", "channels_section");
  g_assert_cmpint (total_count (channels), ==, 1);
  row = find_row (channels, "jobs");
  g_assert_cmpstr (json_object_get_string_member (row, "type"), ==, "async_queue");
  g_assert_cmpstr (json_object_get_string_member (row, "state"), ==, "active");
  g_assert_cmpint (json_object_get_int_member (row, "sent"), ==, FLOW_SENT);
  g_assert_cmpint (json_object_get_int_member (row, "received"), ==, FLOW_RECEIVED);
  g_assert_cmpint (json_object_get_int_member (row, "queued"), ==, FLOW_SENT - FLOW_RECEIVED);
  g_assert_cmpint (json_object_get_int_member (row, "max_queued"), ==, FLOW_SENT);
  g_assert_cmpint (summary_count (row, "latency_ns"), ==, FLOW_RECEIVED);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (row, "logs")), ==, FLOW_SENT);

  futures = get_valid (target.http_port, "/futures", "futures_section");
  g_assert_cmpint (total_count (futures), ==, 1);
  row = find_row (futures, "checksum");
  g_assert_cmpstr (json_object_get_string_member (row, "type"), ==, "task");
  g_assert_cmpint (json_object_get_int_member (row, "created"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (row, "completed"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (row, "in_flight"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (row, "ran_in_thread"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (row, "returned_value"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (row, "returned_error"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (row, "callbacks"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (row, "faults"), "no_callback"), ==, 0);

  /* Largest total first: the one slow dispatch beats four quick ones. */
  sources = get_valid (target.http_port, "/sources", "sources_section");
  g_assert_cmpint (total_count (sources), ==, 2);
  row = json_array_get_object_element (json_object_get_array_member (json_node_get_object (sources), "data"), 0);
  g_assert_cmpstr (json_object_get_string_member (row, "name"), ==, "slow_frame");
  g_assert_cmpstr (json_object_get_string_member (row, "type"), ==, "timeout");
  g_assert_cmpstr (json_object_get_string_member (row, "context"), ==, "main");
  g_assert_cmpint (json_object_get_int_member (row, "dispatches"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (row, "total_ns"), >=, 250 * G_GINT64_CONSTANT (1000000));
  row = find_row (sources, "tick");
  g_assert_cmpstr (json_object_get_string_member (row, "type"), ==, "idle");
  g_assert_cmpint (json_object_get_int_member (row, "dispatches"), ==, FLOW_TICKS);

  limited = get_valid (target.http_port, "/sources?limit=1", "sources_section");
  g_assert_cmpint (total_count (limited), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (limited), "data")), ==, 1);

  main_loop = get_valid (target.http_port, "/main_loop", "main_loop_section");
  g_assert_cmpint (total_count (main_loop), ==, 1);
  row = find_row (main_loop, "main");
  g_assert_cmpstr (json_object_get_string_member (row, "state"), ==, "watching");
  g_assert_cmpint (json_object_get_int_member (row, "stall_threshold_ns"), ==, 200 * G_GINT64_CONSTANT (1000000));
  g_assert_cmpint (json_object_get_int_member (row, "stalls"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (row, "iterations"), >=, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (row, "longest_dispatches"), 0), "source"),
                   ==, "slow_frame");

  /* All four are served, with logs. */
  status = get_valid (target.http_port, "/profiler_status", "profiler_status");
  sections = json_object_get_array_member (json_node_get_object (status), "sections");
  for (guint i = 0; i < json_array_get_length (sections); i++)
    {
      JsonObject *section = json_array_get_object_element (sections, i);
      const char *name = json_object_get_string_member (section, "name");

      if (g_strv_contains ((const char * const[]) { "channels", "futures", "sources", "main_loop", NULL }, name))
        {
          g_assert_true (json_object_get_boolean_member (section, "available"));
          g_assert_true (json_object_get_boolean_member (section, "has_logs"));
        }
    }

  flow_target_stop (&target);
}

/* This process moves no data through hotpath: each flow section is an
 * empty list, not a 404, since the subsystem is there and has nothing. */
static void
test_http_flow_empty (Fixture       *f,
                      gconstpointer  data)
{
  static const char *sections[] = { "channels", "futures", "sources", "main_loop" };

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      g_autofree char *path = g_strdup_printf ("/%s", sections[i]);
      g_autofree char *def = g_strdup_printf ("%s_section", sections[i]);
      g_autoptr(JsonNode) node = get_valid (f->port, path, def);
      g_auto(LiveResponse) logs = { 0 };

      g_assert_cmpint (total_count (node), ==, 0);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node), "data")), ==, 0);

      g_free (path);
      path = g_strdup_printf ("/%s/1/logs", sections[i]);
      live_get (f->port, path, &logs);
      assert_error (&logs, 404, "no item with id 1");
    }
}

static gint64
row_id (JsonObject *row)
{
  return json_object_get_int_member (row, "id");
}

static JsonNode *
get_logs (guint16     port,
          const char *section,
          gint64      id,
          const char *def)
{
  g_autofree char *path = g_strdup_printf ("/%s/%" G_GINT64_FORMAT "/logs", section, id);
  JsonNode *node = get_valid (port, path, def);

  g_assert_cmpint (row_id (json_node_get_object (node)), ==, id);
  return node;
}

static void
test_http_flow_logs (void)
{
  LiveTarget target;
  g_autoptr(JsonNode) channels = NULL;
  g_autoptr(JsonNode) futures = NULL;
  g_autoptr(JsonNode) sources = NULL;
  g_autoptr(JsonNode) main_loop = NULL;
  g_autoptr(JsonNode) channel = NULL;
  g_autoptr(JsonNode) future = NULL;
  g_autoptr(JsonNode) source = NULL;
  g_autoptr(JsonNode) loop = NULL;
  g_autofree char *other_section = NULL;
  g_autofree char *no_logs = NULL;
  JsonArray *logs;
  JsonObject *line;
  gint64 channel_id;

  flow_target_start (&target);

  channels = get_valid (target.http_port, "/channels", "channels_section");
  futures = get_valid (target.http_port, "/futures", "futures_section");
  sources = get_valid (target.http_port, "/sources", "sources_section");
  main_loop = get_valid (target.http_port, "/main_loop", "main_loop_section");

  /* The channel's messages, newest first, the last two still queued. */
  channel_id = row_id (find_row (channels, "jobs"));
  channel = get_logs (target.http_port, "channels", channel_id, "channel");
  logs = json_object_get_array_member (json_node_get_object (channel), "logs");
  g_assert_cmpuint (json_array_get_length (logs), ==, FLOW_SENT);
  line = json_array_get_object_element (logs, 0);
  g_assert_cmpint (json_object_get_int_member (line, "index"), ==, FLOW_SENT - 1);
  g_assert_cmpstr (json_object_get_string_member (line, "text"), ==, "message 5");
  g_assert_cmpstr (json_object_get_string_member (line, "outcome"), ==, "queued");
  line = json_array_get_object_element (logs, FLOW_SENT - 1);
  g_assert_cmpstr (json_object_get_string_member (line, "text"), ==, "message 1");
  g_assert_cmpstr (json_object_get_string_member (line, "outcome"), ==, "received");

  future = get_logs (target.http_port, "futures", row_id (find_row (futures, "checksum")), "future");
  logs = json_object_get_array_member (json_node_get_object (future), "logs");
  g_assert_cmpuint (json_array_get_length (logs), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (logs, 0), "outcome"), ==, "value");

  source = get_logs (target.http_port, "sources", row_id (find_row (sources, "tick")), "source");
  logs = json_object_get_array_member (json_node_get_object (source), "logs");
  g_assert_cmpuint (json_array_get_length (logs), ==, FLOW_TICKS);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (logs, 0), "index"), ==, FLOW_TICKS - 1);

  /* A main context's logs are its stalls, with what ran in them. */
  loop = get_logs (target.http_port, "main_loop", row_id (find_row (main_loop, "main")), "main_loop");
  logs = json_object_get_array_member (json_node_get_object (loop), "logs");
  g_assert_cmpuint (json_array_get_length (logs), ==, 1);
  line = json_array_get_object_element (logs, 0);
  g_assert_cmpint (json_object_get_int_member (line, "duration_ns"), >=, 250 * G_GINT64_CONSTANT (1000000));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (line, "sources"), 0),
                                                  "source"), ==, "slow_frame");

  /* Ids are shared by the four sections, but an item answers only in its own. */
  other_section = g_strdup_printf ("/sources/%" G_GINT64_FORMAT "/logs", channel_id);
  no_logs = g_strdup_printf ("/channels/%" G_GINT64_FORMAT, channel_id);
  {
    const struct { const char *path; guint status; const char *fragment; } cases[] = {
      { "/channels/4000000/logs", 404, "no item with id 4000000 in channels" },
      { "/futures/4000000/logs", 404, "no item with id 4000000 in futures" },
      { "/main_loop/4000000/logs", 404, "no item with id 4000000 in main_loop" },
      { other_section, 404, "in sources" },
      { "/channels/x/logs", 400, "non-negative integer" },
      { no_logs, 404, "no route" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_auto(LiveResponse) response = { 0 };

        g_test_message ("GET %s", cases[i].path);
        live_get (target.http_port, cases[i].path, &response);
        assert_error (&response, cases[i].status, cases[i].fragment);
      }
  }

  flow_target_stop (&target);
}

static void
assert_metric (const char *text,
               const char *sample,
               const char *value)
{
  g_autofree char *line = g_strdup_printf ("\n%s %s\n", sample, value);

  g_test_message ("%s %s", sample, value);
  g_assert_nonnull (strstr (text, line));
}

/* /metrics of a real process with data flow, checked by promtool. */
static void
test_http_flow_metrics (void)
{
  LiveTarget target;
  g_auto(LiveResponse) response = { 0 };
  g_autoptr(JsonNode) channels = NULL;
  g_autoptr(JsonNode) sources = NULL;
  g_autoptr(JsonNode) main_loop = NULL;
  g_autofree char *sent = NULL;
  g_autofree char *received = NULL;
  g_autofree char *queued = NULL;
  g_autofree char *dispatches = NULL;
  g_autofree char *stalls = NULL;
  const char *promtool = HOTPATH_TEST_PROMTOOL;

  flow_target_start (&target);
  channels = get_valid (target.http_port, "/channels", "channels_section");
  sources = get_valid (target.http_port, "/sources", "sources_section");
  main_loop = get_valid (target.http_port, "/main_loop", "main_loop_section");

  live_get (target.http_port, "/metrics", &response);
  g_assert_cmpuint (response.status, ==, 200);

  sent = g_strdup_printf ("hotpath_channel_sent_total{channel=\"jobs\",id=\"%" G_GINT64_FORMAT "\",type=\"async_queue\"}",
                          row_id (find_row (channels, "jobs")));
  received = g_strdup_printf ("hotpath_channel_received_total{channel=\"jobs\",id=\"%" G_GINT64_FORMAT "\",type=\"async_queue\"}",
                              row_id (find_row (channels, "jobs")));
  queued = g_strdup_printf ("hotpath_channel_queued{channel=\"jobs\",id=\"%" G_GINT64_FORMAT "\",type=\"async_queue\"}",
                            row_id (find_row (channels, "jobs")));
  dispatches = g_strdup_printf ("hotpath_source_dispatches_total{source=\"tick\",id=\"%" G_GINT64_FORMAT "\",type=\"idle\"}",
                                row_id (find_row (sources, "tick")));
  stalls = g_strdup_printf ("hotpath_main_loop_stalls_total{context=\"main\",id=\"%" G_GINT64_FORMAT "\"}",
                            row_id (find_row (main_loop, "main")));
  assert_metric (response.body, sent, G_STRINGIFY (FLOW_SENT));
  assert_metric (response.body, received, G_STRINGIFY (FLOW_RECEIVED));
  assert_metric (response.body, queued, "2");
  assert_metric (response.body, dispatches, G_STRINGIFY (FLOW_TICKS));
  assert_metric (response.body, stalls, "1");
  g_assert_nonnull (strstr (response.body, "# TYPE hotpath_main_loop_busy_seconds_total counter\n"));
  g_assert_nonnull (strstr (response.body, "\nhotpath_main_loop_iterations_total{context=\"main\""));

  if (*promtool != '\0')
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                  G_SUBPROCESS_FLAGS_STDERR_MERGE, &error,
                                  promtool, "check", "metrics", NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, response.body, NULL, &out, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, "");
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
    }

  flow_target_stop (&target);
}

static void
test_http_metrics_route (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(LiveResponse) text = { 0 };
  g_auto(LiveResponse) openmetrics = { 0 };

  live_get (f->port, "/metrics", &text);
  g_assert_cmpuint (text.status, ==, 200);
  g_assert_cmpstr (text.content_type, ==, "text/plain; version=0.0.4; charset=utf-8");
  g_assert_nonnull (strstr (text.body, "# TYPE hotpath_function_calls_total counter\n"));
  g_assert_nonnull (strstr (text.body, "hotpath_function_calls_total{function=\"test-http::measured\""));
  g_assert_null (strstr (text.body, "# EOF"));

  live_request_full ("GET", f->port, "/metrics", NULL,
                     "application/openmetrics-text;version=1.0.0,text/plain;q=0.5", NULL, NULL, &openmetrics);
  g_assert_cmpuint (openmetrics.status, ==, 200);
  g_assert_true (g_str_has_prefix (openmetrics.content_type, "application/openmetrics-text"));
  g_assert_true (g_str_has_suffix (openmetrics.body, "# EOF\n"));
  g_assert_nonnull (strstr (openmetrics.body, "# TYPE hotpath_function_calls counter\n"));
}

/* Sends @request as is and returns the status code of the answer. */
static guint
raw_request (guint16     port,
             const char *request)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autofree char *status_line = NULL;
  guint status = 0;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  status_line = g_data_input_stream_read_line (input, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (status_line);
  sscanf (status_line, "HTTP/1.%*d %u", &status);

  return status;
}

/* DNS rebinding and cross-origin pages: refused with 403. */
static void
test_http_host_origin (Fixture       *f,
                       gconstpointer  data)
{
  static const struct { const char *headers; guint status; } cases[] = {
    { "Host: 127.0.0.1\r\n", 200 },
    { "Host: localhost:6770\r\n", 200 },
    { "Host: LOCALHOST\r\n", 200 },
    { "Host: [::1]:6770\r\n", 200 },
    { "Host: 127.0.0.2:80\r\n", 200 },
    { "Host: localhost\r\nOrigin: http://localhost:3000\r\n", 200 },
    { "Host: localhost\r\nOrigin: http://127.0.0.1\r\n", 200 },
    { "Host: evil.example\r\n", 403 },
    { "Host: evil.example:6770\r\n", 403 },
    { "Host: 10.0.0.1\r\n", 403 },
    { "Host: localhost.evil.example\r\n", 403 },
    { "Host: localhost\r\nOrigin: http://evil.example\r\n", 403 },
    { "Host: localhost\r\nOrigin: null\r\n", 403 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *request = g_strdup_printf ("GET /profiler_status HTTP/1.1\r\n%s\r\n", cases[i].headers);

      g_test_message ("%s", cases[i].headers);
      g_assert_cmpuint (raw_request (f->port, request), ==, cases[i].status);
    }
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

/* libsoup 3.2 leaks a kept-alive connection's descriptor when the client
 * closes it: 100 clients that each connect, ask and go away must leave
 * no descriptor behind in the profiled program. */
static void
test_http_no_fd_leak (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/functions_timing", f->port);
  guint before, after = 0;

  /* Warm up whatever the first request allocates once. */
  {
    g_auto(LiveResponse) response = { 0 };
    live_get (f->port, "/functions_timing", &response);
  }
  before = count_fds ();

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(SoupSession) session = soup_session_new ();
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

      g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
      g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Connection"),
                       ==, "close");
    }

  /* The server thread closes its side asynchronously. */
  for (guint i = 0; i < 100; i++)
    {
      after = count_fds ();
      if (after <= before + 2)
        break;
      g_usleep (10000);
    }
  g_test_message ("descriptors: %u before, %u after 100 connections", before, after);
  g_assert_cmpuint (after, <=, before + 2);
}


/* POST /report/write: the report, now, where it goes at exit; the program
 * goes on and reports again at exit. Token-protected, POST only. */
static void
test_http_write_report (void)
{
  g_autoptr(GSubprocessLauncher) launcher = live_target_launcher_new (LIVE_TARGET_HTTP, "json");
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  g_auto(LiveResponse) no_token = { 0 };
  g_auto(LiveResponse) get = { 0 };
  g_auto(LiveResponse) written = { 0 };
  LiveTarget target;

  g_subprocess_launcher_setenv (launcher, "HOTPATH_AUTH_TOKEN", "wr1te-token", TRUE);
  live_target_start (&target, launcher, "flow");
  g_assert_cmpuint (target.http_port, >, 0);

  live_request_full ("POST", target.http_port, "/report/write", NULL, NULL, NULL, NULL, &no_token);
  assert_error (&no_token, 401, "token");

  live_request_full ("GET", target.http_port, "/report/write", "Bearer wr1te-token", NULL, NULL, NULL, &get);
  assert_error (&get, 405, "POST");
  g_assert_cmpstr (get.allow, ==, "POST");

  live_request_full ("POST", target.http_port, "/report/write", "Bearer wr1te-token", NULL, NULL, NULL, &written);
  g_assert_cmpuint (written.status, ==, 200);
  hotpath_test_assert_valid_json (written.body, "report_written");
  g_assert_cmpstr (written.body, ==, "{\"written\":true,\"destination\":\"stdout\"}");

  /* The report came out at once, whole... */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (target.process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  hotpath_test_assert_valid_json (line, NULL);
  g_assert_nonnull (strstr (line, "\"name\":\"live-target::work\""));

  /* ...and the session went on to its report at exit. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (target.process), NULL, NULL);
  rest = g_data_input_stream_read_upto (out, "", 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait (target.process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (target.process), ==, 0);
  g_assert_nonnull (rest);
  g_strchomp (rest);
  g_assert_null (strchr (rest, '\n'));   /* one more report */
  hotpath_test_assert_valid_json (rest, NULL);
  live_target_clear (&target);
}

int
main (int   argc,
      char *argv[])
{
  /* Every section is available in the live target: threads too. */
  g_setenv ("HOTPATH_THREADS", "1", TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/Hotpath/Http/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("status", test_http_status, NULL);
  ADD ("report", test_http_report, NULL);
  ADD ("functions-timing", test_http_functions_timing, NULL);
  ADD ("logs", test_http_logs, NULL);
  ADD ("errors", test_http_errors, NULL);
  ADD ("unavailable-sections", test_http_unavailable, NULL);
  ADD ("methods", test_http_methods, NULL);
  ADD ("huge-body", test_http_huge_body, NULL);
  ADD ("auth", test_http_auth, "s3cret-token");
  ADD ("metrics-route", test_http_metrics_route, NULL);
  ADD ("no-fd-leak", test_http_no_fd_leak, NULL);
  ADD ("host-origin", test_http_host_origin, NULL);
  ADD ("flow-empty", test_http_flow_empty, NULL);
  g_test_add_func ("/Hotpath/Http/off", test_http_off);
  g_test_add_func ("/Hotpath/Http/bad-host", test_http_bad_host);
  g_test_add_func ("/Hotpath/Http/busy-port", test_http_busy_port);
  g_test_add_func ("/Hotpath/Http/exit-from-thread", test_http_exit_from_thread);
  g_test_add_func ("/Hotpath/Http/fork", test_http_fork);
  g_test_add_func ("/Hotpath/Http/flow-sections", test_http_flow_sections);
  g_test_add_func ("/Hotpath/Http/flow-logs", test_http_flow_logs);
  g_test_add_func ("/Hotpath/Http/flow-metrics", test_http_flow_metrics);
  g_test_add_func ("/Hotpath/Http/write-report", test_http_write_report);

  return g_test_run ();
}
