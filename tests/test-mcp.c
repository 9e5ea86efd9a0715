/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-mcp.c: JSON-RPC sessions with the MCP server over a real libsoup
 * client: version negotiation, tools, tool errors, protocol errors and
 * malformed input, auth and size limits.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hotpath-test-live.h"
#include "hotpath-test-live-target.h"
#include "hotpath-test-schema.h"
#include "hotpath-sections-private.h"

/* slow_frame sleeps 250 ms: its figures are at least that, and a loaded
 * machine may add any amount (250-999 ms, or seconds). */
#define AT_LEAST_250_MS "(?:(?:2[5-9][0-9]|[3-9][0-9][0-9])(?:\\.[0-9]+)? ms|[0-9.]+ s)"

static void
measured (void)
{
  HOTPATH_MEASURE_AS ("test-mcp::measured");
}

static void
other (void)
{
  HOTPATH_MEASURE_AS ("test-mcp::other");
}

typedef struct
{
  HotpathGuard *guard;
  guint16       port;
  const char   *token;
  gint64        next_id;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  HotpathServer *server;

  live_env_reset ();
  g_setenv ("HOTPATH_MCP_SERVER_OFF", "0", TRUE);
  f->token = data;
  if (f->token != NULL)
    g_setenv ("HOTPATH_MCP_AUTH_TOKEN", f->token, TRUE);

  f->guard = live_guard_new ("test-mcp");
  server = hotpath_guard_get_server (f->guard);
  hotpath_server_set_max_age_ms (server, 0);
  f->port = hotpath_server_get_mcp_port (server);
  g_assert_cmpuint (f->port, >, 0);
  g_assert_cmpuint (hotpath_server_get_http_port (server), ==, 0);

  for (guint i = 0; i < 5; i++)
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

static void
post_raw (Fixture      *f,
          const char   *body,
          const char   *authorization,
          LiveResponse *response)
{
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  live_request_full ("POST", f->port, "/mcp", authorization, "application/json, text/event-stream",
                     "application/json", bytes, response);
}

/* Sends @body and returns the parsed answer (NULL for 202 Accepted). */
static JsonNode *
post (Fixture    *f,
      const char *body,
      guint       expected_status)
{
  g_auto(LiveResponse) response = { 0 };
  g_autofree char *bearer = f->token ? g_strdup_printf ("Bearer %s", f->token) : NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  post_raw (f, body, bearer, &response);
  g_assert_cmpuint (response.status, ==, expected_status);
  if (response.status == 202)
    {
      g_assert_cmpstr (response.body, ==, "");
      return NULL;
    }

  g_assert_cmpstr (response.content_type, ==, "application/json");
  node = json_from_string (response.body, &error);
  g_assert_no_error (error);
  return node;
}

static JsonNode *
request (Fixture    *f,
         const char *method,
         const char *params)
{
  g_autofree char *body = NULL;

  f->next_id++;
  body = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT ",\"method\":\"%s\"%s%s}",
                          f->next_id, method, params ? ",\"params\":" : "", params ? params : "");
  return post (f, body, 200);
}

static JsonObject *
result_of (JsonNode *response)
{
  JsonObject *object = json_node_get_object (response);

  g_assert_cmpstr (json_object_get_string_member (object, "jsonrpc"), ==, "2.0");
  if (json_object_has_member (object, "error"))
    g_error ("unexpected error: %s",
             json_object_get_string_member (json_object_get_object_member (object, "error"), "message"));
  return json_object_get_object_member (object, "result");
}

static void
assert_rpc_error (JsonNode *response,
                  int       code)
{
  JsonObject *object = json_node_get_object (response);
  JsonObject *error;

  g_assert_cmpstr (json_object_get_string_member (object, "jsonrpc"), ==, "2.0");
  g_assert_true (json_object_has_member (object, "id"));
  g_assert_false (json_object_has_member (object, "result"));
  error = json_object_get_object_member (object, "error");
  g_assert_nonnull (error);
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (error, "message"), !=, "");
}

static void
test_mcp_initialize (Fixture       *f,
                     gconstpointer  data)
{
  static const struct { const char *asked; const char *answered; } cases[] = {
    { "2025-06-18", "2025-06-18" },
    { "2025-03-26", "2025-03-26" },
    { "2024-11-05", "2024-11-05" },
    { "1999-01-01", "2025-06-18" },
    { NULL, "2025-06-18" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *params = NULL;
      g_autoptr(JsonNode) response = NULL;
      JsonObject *result;

      if (cases[i].asked != NULL)
        params = g_strdup_printf ("{\"protocolVersion\":\"%s\",\"capabilities\":{},"
                                  "\"clientInfo\":{\"name\":\"test-mcp\",\"version\":\"1\"}}",
                                  cases[i].asked);
      else
        params = g_strdup ("{\"capabilities\":{}}");

      response = request (f, "initialize", params);
      result = result_of (response);
      g_assert_cmpstr (json_object_get_string_member (result, "protocolVersion"), ==, cases[i].answered);
      g_assert_true (json_object_has_member (json_object_get_object_member (result, "capabilities"), "tools"));
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (result, "serverInfo"), "name"),
                       ==, "hotpath-glib");
    }

  /* The notification that completes the handshake gets 202 and no body. */
  g_assert_null (post (f, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", 202));

  {
    g_autoptr(JsonNode) pong = request (f, "ping", NULL);
    g_assert_cmpuint (json_object_get_size (result_of (pong)), ==, 0);
  }
}

static void
test_mcp_tools_list (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) response = request (f, "tools/list", "{}");
  JsonArray *tools = json_object_get_array_member (result_of (response), "tools");
  guint n_sections = hotpath_sections_get_n (), n_expected = 0;

  for (guint i = 0; i < n_sections; i++)
    n_expected += hotpath_sections_get_nth (i)->has_logs ? 2 : 1;
  g_assert_cmpuint (json_array_get_length (tools), ==, n_expected);

  for (guint i = 0; i < json_array_get_length (tools); i++)
    {
      JsonObject *tool = json_array_get_object_element (tools, i);
      JsonObject *schema = json_object_get_object_member (tool, "inputSchema");
      const char *name = json_object_get_string_member (tool, "name");

      g_assert_true (g_regex_match_simple ("^[a-z_]+$", name, 0, 0));
      g_assert_cmpuint (strlen (json_object_get_string_member (tool, "description")), >, 40);
      g_assert_cmpstr (json_object_get_string_member (schema, "type"), ==, "object");
      g_assert_true (json_object_has_member (schema, "properties"));
      if (g_str_has_suffix (name, "_logs"))
        g_assert_true (json_object_has_member (json_object_get_object_member (schema, "properties"), "id"));
    }

  for (const char * const *name = (const char * const[]) { "functions_timing", "functions_alloc", "channels",
                                                          "futures", "sources", "main_loop",
                                                          "functions_timing_logs", NULL };
       *name != NULL; name++)
    {
      gboolean found = FALSE;
      for (guint i = 0; i < json_array_get_length (tools); i++)
        found |= g_str_equal (json_object_get_string_member (json_array_get_object_element (tools, i), "name"), *name);
      g_assert_true (found);
    }
}

static const char *
raw_json (JsonObject *result)
{
  JsonArray *content = json_object_get_array_member (result, "content");
  const char *text;

  g_assert_cmpuint (json_array_get_length (content), ==, 2);
  text = json_object_get_string_member (json_array_get_object_element (content, 1), "text");
  g_assert_nonnull (strchr (text, '\n'));
  return strchr (text, '\n') + 1;
}

static const char *
first_text (JsonObject *result)
{
  JsonArray *content = json_object_get_array_member (result, "content");
  JsonObject *first = json_array_get_object_element (content, 0);

  g_assert_cmpstr (json_object_get_string_member (first, "type"), ==, "text");
  return json_object_get_string_member (first, "text");
}

static void
test_mcp_tools_call (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) timing = request (f, "tools/call", "{\"name\":\"functions_timing\",\"arguments\":{}}");
  g_autoptr(JsonNode) limited = request (f, "tools/call", "{\"name\":\"functions_timing\",\"arguments\":{\"limit\":1}}");
  g_autoptr(JsonNode) timing_json = NULL;
  g_autoptr(JsonNode) limited_json = NULL;
  g_autoptr(JsonNode) logs = NULL;
  g_autofree char *params = NULL;
  JsonObject *result = result_of (timing);
  JsonArray *rows;
  gint64 id = -1;

  g_assert_false (json_object_get_boolean_member (result, "isError"));
  g_assert_nonnull (strstr (first_text (result), "test-mcp::measured"));
  g_assert_nonnull (strstr (first_text (result), "5 calls"));
  g_assert_true (g_regex_match_simple ("avg [0-9.]+ (ns|µs|ms|s)", first_text (result), 0, 0));
  hotpath_test_assert_valid_json (raw_json (result), "functions_timing");

  timing_json = json_from_string (raw_json (result), NULL);
  rows = json_object_get_array_member (json_node_get_object (timing_json), "data");
  for (guint i = 0; i < json_array_get_length (rows); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (rows, i), "name"), "test-mcp::measured"))
      id = json_object_get_int_member (json_array_get_object_element (rows, i), "id");
  g_assert_cmpint (id, >=, 0);

  limited_json = json_from_string (raw_json (result_of (limited)), NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (limited_json), "data")), ==, 1);

  params = g_strdup_printf ("{\"name\":\"functions_timing_logs\",\"arguments\":{\"id\":%" G_GINT64_FORMAT "}}", id);
  logs = request (f, "tools/call", params);
  result = result_of (logs);
  g_assert_false (json_object_get_boolean_member (result, "isError"));
  g_assert_true (g_str_has_prefix (first_text (result), "Last 5 calls of test-mcp::measured"));
  hotpath_test_assert_valid_json (raw_json (result), "function_logs");
}

/* Sections that are not collected answer a tool error, not a protocol one. */
static void
test_mcp_unavailable (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GArray) ranks = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(HotpathSnapshot) snapshot = hotpath_collector_snapshot ("test", ranks, 0);
  guint n = hotpath_sections_get_n ();

  for (guint i = 0; i < n; i++)
    {
      const HotpathSectionDesc *section = hotpath_sections_get_nth (i);
      g_autofree char *params = NULL;
      g_autoptr(JsonNode) response = NULL;
      JsonObject *result;

      if (hotpath_live_section_is_available (section, snapshot))
        continue;

      params = g_strdup_printf ("{\"name\":\"%s\"}", section->name);
      response = request (f, "tools/call", params);
      result = result_of (response);
      g_assert_true (json_object_get_boolean_member (result, "isError"));
      g_assert_nonnull (strstr (first_text (result), "is not available"));

      if (section->has_logs)
        {
          g_autoptr(JsonNode) logs = NULL;

          g_free (params);
          params = g_strdup_printf ("{\"name\":\"%s_logs\",\"arguments\":{\"id\":1}}", section->name);
          logs = request (f, "tools/call", params);
          g_assert_true (json_object_get_boolean_member (result_of (logs), "isError"));
        }
    }

  {
    g_autoptr(JsonNode) missing = request (f, "tools/call", "{\"name\":\"functions_timing_logs\",\"arguments\":{\"id\":4000000}}");
    g_assert_true (json_object_get_boolean_member (result_of (missing), "isError"));
    g_assert_nonnull (strstr (first_text (result_of (missing)), "4000000"));
  }
}

static void
test_mcp_bad_params (Fixture       *f,
                     gconstpointer  data)
{
  static const char *cases[] = {
    "{\"name\":\"nope\"}",
    "{\"name\":\"threads_logs\",\"arguments\":{\"id\":1}}",    /* threads keep no logs */
    "{\"name\":\"channels_logs\"}",                              /* id is required */
    "{\"name\":42}",
    "{}",
    "{\"name\":\"functions_timing\",\"arguments\":[1]}",
    "{\"name\":\"functions_timing\",\"arguments\":{\"limit\":-1}}",
    "{\"name\":\"functions_timing\",\"arguments\":{\"limit\":1.5}}",
    "{\"name\":\"functions_timing\",\"arguments\":{\"limit\":\"3\"}}",
    "{\"name\":\"functions_timing\",\"arguments\":{\"limit\":1e300}}",
    "{\"name\":\"functions_timing\",\"arguments\":{\"bogus\":1}}",
    "{\"name\":\"functions_timing_logs\"}",
    "{\"name\":\"functions_timing_logs\",\"arguments\":{}}",
    "{\"name\":\"functions_timing_logs\",\"arguments\":{\"id\":\"abc\"}}",
    "{\"name\":\"functions_timing_logs\",\"arguments\":{\"id\":null}}",
    "{\"name\":\"functions_timing_logs\",\"arguments\":{\"id\":{}}}",
    "[1,2]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) response = NULL;

      g_test_message ("tools/call %s", cases[i]);
      response = request (f, "tools/call", cases[i]);
      assert_rpc_error (response, -32602);
    }
}

static void
test_mcp_protocol_errors (Fixture       *f,
                          gconstpointer  data)
{
  static const struct { const char *body; guint status; int code; } cases[] = {
    { "{\"jsonrpc\":\"2.0\",\"id\":1,", 400, -32700 },
    { "not json at all", 400, -32700 },
    { "", 400, -32700 },
    { "\xff\xfe\x00garbage", 400, -32700 },
    { "42", 400, -32600 },
    { "\"text\"", 400, -32600 },
    { "null", 400, -32600 },
    { "[]", 400, -32600 },
    { "{\"id\":1,\"method\":\"ping\"}", 400, -32600 },
    { "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", 400, -32600 },
    { "{\"jsonrpc\":2,\"id\":1,\"method\":\"ping\"}", 400, -32600 },
    { "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", 400, -32600 },
    { "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}", 400, -32600 },
    { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", 400, -32600 },
    { "{\"jsonrpc\":\"2.0\",\"id\":1}", 400, -32600 },
    { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nope/nope\"}", 200, -32601 },
    { "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"resources/list\"}", 200, -32601 },
    { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":[1]}", 200, -32602 },
    { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":\"x\"}", 200, -32602 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) response = NULL;
      g_autofree char *shown = g_strescape (cases[i].body, NULL);

      /* Escaped: some bodies are not UTF-8, which TAP output must be. */
      g_test_message ("POST /mcp %s", shown);
      response = post (f, cases[i].body, cases[i].status);
      assert_rpc_error (response, cases[i].code);
    }

  /* A batch: answers for requests, none for notifications, errors inline. */
  {
    g_autoptr(JsonNode) batch = post (f, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
                                         "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
                                         "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},"
                                         "7]", 200);
    JsonArray *answers = json_node_get_array (batch);

    g_assert_cmpuint (json_array_get_length (answers), ==, 3);
    g_assert_true (json_object_has_member (json_array_get_object_element (answers, 0), "result"));
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_array_get_object_element (answers, 1), "error"), "code"), ==, -32601);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_array_get_object_element (answers, 2), "error"), "code"), ==, -32600);
  }

  /* Client responses and notifications only: 202. */
  g_assert_null (post (f, "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}", 202));
  g_assert_null (post (f, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}", 202));

  /* Still answering. */
  {
    g_autoptr(JsonNode) pong = request (f, "ping", NULL);
    result_of (pong);
  }
}

static void
test_mcp_http_errors (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(LiveResponse) get = { 0 };
  g_auto(LiveResponse) other_path = { 0 };
  g_auto(LiveResponse) huge = { 0 };
  g_auto(LiveResponse) version = { 0 };
  gsize size = 2 * 1024 * 1024;
  g_autoptr(GBytes) big = g_bytes_new_take (g_malloc0 (size), size);
  g_autoptr(GBytes) ping = g_bytes_new_static ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", 40);

  live_get (f->port, "/mcp", &get);
  g_assert_cmpuint (get.status, ==, 405);
  g_assert_cmpstr (get.allow, ==, "POST");
  hotpath_test_assert_valid_json (get.body, "error");

  live_get (f->port, "/functions_timing", &other_path);
  g_assert_cmpuint (other_path.status, ==, 404);
  hotpath_test_assert_valid_json (other_path.body, "error");

  live_request_full ("POST", f->port, "/mcp", NULL, NULL, "application/json", big, &huge);
  g_assert_cmpuint (huge.status, ==, 413);
  hotpath_test_assert_valid_json (huge.body, "error");

  {
    g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/mcp", f->port);
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
    g_autoptr(GBytes) bytes = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "MCP-Protocol-Version", "1999-01-01");
    soup_message_set_request_body_from_bytes (msg, "application/json", ping);
    bytes = soup_session_send_and_read (live_session (), msg, NULL, NULL);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 400);
  }

  /* A supported version header is fine. */
  {
    g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/mcp", f->port);
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
    g_autoptr(GBytes) bytes = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "MCP-Protocol-Version", "2025-06-18");
    soup_message_set_request_body_from_bytes (msg, "application/json", ping);
    bytes = soup_session_send_and_read (live_session (), msg, NULL, NULL);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  }
  /* A web page of another origin is refused (MCP asks servers to check). */
  {
    g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/mcp", f->port);
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
    g_autoptr(GBytes) bytes = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Origin", "https://evil.example");
    soup_message_set_request_body_from_bytes (msg, "application/json", ping);
    bytes = soup_session_send_and_read (live_session (), msg, NULL, NULL);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 403);
  }
  (void) version;
}

static void
test_mcp_auth (Fixture       *f,
               gconstpointer  data)
{
  static const struct { const char *header; guint status; } cases[] = {
    { NULL, 401 },
    { "Bearer nope", 401 },
    { "mcp-token", 200 },
    { "Bearer mcp-token", 200 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(LiveResponse) response = { 0 };

      post_raw (f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", cases[i].header, &response);
      g_assert_cmpuint (response.status, ==, cases[i].status);
      if (cases[i].status == 401)
        hotpath_test_assert_valid_json (response.body, "error");
    }
}

/* Data flow (issue 4): the tools of a real program's channels, futures,
 * sources and main loop, from tests/fixtures/live-target.c "flow". */

static GSubprocess *
flow_target_start (guint16 *mcp_port)
{
  g_autoptr(GSubprocessLauncher) launcher = live_target_launcher_new (LIVE_TARGET_MCP, "none");
  LiveTarget target;

  live_target_start (&target, launcher, "flow");
  g_assert_cmpuint (target.mcp_port, >, 0);
  *mcp_port = target.mcp_port;
  g_clear_object (&target.err);  /* flow_target_stop() reads the rest */

  return target.process;
}

static void
flow_target_stop (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, "", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_object_unref (process);
}

/* Calls @tool and returns its result, checked for units and schema. */
static JsonNode *
call_flow_tool (Fixture    *f,
                const char *tool,
                gint64      id,
                const char *def)
{
  g_autofree char *params = id < 0
    ? g_strdup_printf ("{\"name\":\"%s\",\"arguments\":{\"limit\":0}}", tool)
    : g_strdup_printf ("{\"name\":\"%s\",\"arguments\":{\"id\":%" G_GINT64_FORMAT "}}", tool, id);
  JsonNode *response = request (f, "tools/call", params);
  JsonObject *result = result_of (response);

  g_test_message ("%s:\n%s", tool, first_text (result));
  g_assert_false (json_object_get_boolean_member (result, "isError"));
  hotpath_test_assert_valid_json (raw_json (result), def);

  return response;
}

static gint64
flow_id (JsonObject *result,
         const char *name)
{
  g_autoptr(JsonNode) node = json_from_string (raw_json (result), NULL);
  JsonArray *rows = json_object_get_array_member (json_node_get_object (node), "data");

  for (guint i = 0; i < json_array_get_length (rows); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (rows, i), "name"), name))
      return json_object_get_int_member (json_array_get_object_element (rows, i), "id");

  g_error ("no row %s", name);
  return -1;
}

static void
test_mcp_flow (void)
{
  Fixture f = { 0 };
  GSubprocess *process = flow_target_start (&f.port);
  g_autoptr(JsonNode) channels = call_flow_tool (&f, "channels", -1, "channels_section");
  g_autoptr(JsonNode) futures = call_flow_tool (&f, "futures", -1, "futures_section");
  g_autoptr(JsonNode) sources = call_flow_tool (&f, "sources", -1, "sources_section");
  g_autoptr(JsonNode) main_loop = call_flow_tool (&f, "main_loop", -1, "main_loop_section");
  g_autoptr(JsonNode) channel_logs = NULL;
  g_autoptr(JsonNode) future_logs = NULL;
  g_autoptr(JsonNode) source_logs = NULL;
  g_autoptr(JsonNode) stalls = NULL;
  g_autoptr(JsonNode) missing = NULL;
  const char *text;

  /* One line per item, with its id and formatted units. */
  text = first_text (result_of (channels));
  g_assert_nonnull (strstr (text, " elapsed, 1 channel.\n"));
  g_assert_nonnull (strstr (text, "1. jobs (id "));
  g_assert_nonnull (strstr (text, "async_queue, active, 5 sent, 3 received, 2 queued (max 5), latency avg "));
  g_assert_true (g_regex_match_simple ("latency avg [0-9.]+ (ns|µs|ms), p95 [0-9.]+ (ns|µs|ms), "
                                       "max [0-9.]+ (ns|µs|ms), 5 log lines\n$", text, 0, 0));

  text = first_text (result_of (futures));
  g_assert_nonnull (strstr (text, "1. checksum (id "));
  g_assert_nonnull (strstr (text, "task, 1 created, 1 completed, 0 in flight, 1 ran in a thread, "
                                  "returned 1 value, 0 errors, 0 cancelled, 1 callback ran, no faults"));
  g_assert_true (g_regex_match_simple ("lifetime avg [0-9.]+ (ns|µs|ms)", text, 0, 0));

  text = first_text (result_of (sources));
  g_assert_nonnull (strstr (text, " elapsed, 2 watched sources and signal handlers.\n"));
  g_assert_true (g_regex_match_simple ("^1\\. slow_frame \\(id [0-9]+\\): timeout on context main, 1 dispatch, "
                                       "total " AT_LEAST_250_MS, text, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^2\\. tick \\(id [0-9]+\\): idle on context main, 4 dispatches, "
                                       "total [0-9.]+ (ns|µs)", text, G_REGEX_MULTILINE, 0));

  text = first_text (result_of (main_loop));
  g_assert_true (g_regex_match_simple ("^1\\. main \\(id [0-9]+\\): watching, [0-9]+ iterations, busy [0-9.]+ ms, "
                                       "waiting in poll [0-9.]+ (ms|s) \\([0-9.]+% busy\\), 1 stall "
                                       "\\(iterations busier than 200.00 ms; " AT_LEAST_250_MS " in all\\)",
                                       text, G_REGEX_MULTILINE, 0));
  g_assert_nonnull (strstr (text, "longest dispatches: slow_frame 25"));

  /* The logs tools: one item with its log lines. */
  channel_logs = call_flow_tool (&f, "channels_logs", flow_id (result_of (channels), "jobs"), "channel");
  text = first_text (result_of (channel_logs));
  g_assert_true (g_str_has_prefix (text, "Last 5 messages of jobs (id "));
  g_assert_true (g_regex_match_simple ("^#4  message 5  still queued  sent [0-9.]+ (µs|ms|s) into the session  thread [0-9]+$",
                                       text, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^#0  message 1  received after [0-9.]+ (ns|µs|ms)  sent ",
                                       text, G_REGEX_MULTILINE, 0));

  future_logs = call_flow_tool (&f, "futures_logs", flow_id (result_of (futures), "checksum"), "future");
  g_assert_true (g_regex_match_simple ("^#0  value  lifetime [0-9.]+ (µs|ms)  to callback ",
                                       first_text (result_of (future_logs)), G_REGEX_MULTILINE, 0));

  source_logs = call_flow_tool (&f, "sources_logs", flow_id (result_of (sources), "tick"), "source");
  g_assert_true (g_str_has_prefix (first_text (result_of (source_logs)), "Last 4 dispatches of tick (id "));

  stalls = call_flow_tool (&f, "main_loop_logs", flow_id (result_of (main_loop), "main"), "main_loop");
  text = first_text (result_of (stalls));
  g_assert_true (g_str_has_prefix (text, "Last 1 stall of main (id "));
  g_assert_true (g_regex_match_simple ("^#0  at [0-9.]+ ms into the session: busy " AT_LEAST_250_MS ", 1 watched dispatch, "
                                       "longest: slow_frame " AT_LEAST_250_MS ", unwatched ",
                                       text, G_REGEX_MULTILINE, 0));

  missing = request (&f, "tools/call", "{\"name\":\"channels_logs\",\"arguments\":{\"id\":4000000}}");
  g_assert_true (json_object_get_boolean_member (result_of (missing), "isError"));
  g_assert_nonnull (strstr (first_text (result_of (missing)), "4000000"));

  flow_target_stop (process);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/Hotpath/Mcp/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("initialize", test_mcp_initialize, NULL);
  ADD ("tools-list", test_mcp_tools_list, NULL);
  ADD ("tools-call", test_mcp_tools_call, NULL);
  ADD ("unavailable", test_mcp_unavailable, NULL);
  ADD ("bad-params", test_mcp_bad_params, NULL);
  ADD ("protocol-errors", test_mcp_protocol_errors, NULL);
  ADD ("http-errors", test_mcp_http_errors, NULL);
  ADD ("auth", test_mcp_auth, "mcp-token");
  g_test_add_func ("/Hotpath/Mcp/flow", test_mcp_flow);

  return g_test_run ();
}
