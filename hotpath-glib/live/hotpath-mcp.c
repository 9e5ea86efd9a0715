/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-mcp.c: a Model Context Protocol server (tools only) over
 * Streamable HTTP at POST /mcp.
 *
 * Stateless: no session id is issued and every request stands alone, so a
 * client can reconnect at any time. Responses are plain application/json
 * (the transport allows it; we never need to stream). One tool per section
 * of the section table and one `<section>_logs` tool per section with
 * per-item logs. Text results carry formatted units for an LLM, followed by
 * the raw JSON the HTTP route serves. Whatever a client sends, it gets a
 * JSON-RPC answer or an HTTP error, never a crash.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "hotpath-format-private.h"
#include "hotpath-http-private.h"
#include "hotpath-sections-private.h"

#define JSONRPC_PARSE_ERROR      -32700
#define JSONRPC_INVALID_REQUEST  -32600
#define JSONRPC_METHOD_NOT_FOUND -32601
#define JSONRPC_INVALID_PARAMS   -32602
#define JSONRPC_INTERNAL_ERROR   -32603

/* Bounds on what one request can make the server do. json-glib's parser
 * recurses once per nesting level on the server thread's stack; a batch
 * multiplies the work and the answer. MCP needs a nesting of 5. */
#define MAX_DEPTH          64
#define MAX_BATCH          64
#define MAX_RESPONSE_BYTES (8 * 1024 * 1024)

/* Newest first: answered when a client asks for one we do not know. */
static const char * const protocol_versions[] = {
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
};

/* A member's string, or NULL if it is missing or not a string: untrusted
 * input must never reach the json-glib getters that assert on type. */
static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gboolean
protocol_version_supported (const char *version)
{
  for (guint i = 0; i < G_N_ELEMENTS (protocol_versions); i++)
    if (g_strcmp0 (version, protocol_versions[i]) == 0)
      return TRUE;

  return FALSE;
}

typedef struct
{
  int   code;
  char *message;
} RpcError;

static JsonNode *
rpc_error_response (JsonNode   *id,
                    int         code,
                    const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "id");
  if (id != NULL)
    json_builder_add_value (builder, json_node_copy (id));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JsonNode *
rpc_result_response (JsonNode *id,
                     JsonNode *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "id");
  json_builder_add_value (builder, json_node_copy (id));
  json_builder_set_member_name (builder, "result");
  json_builder_add_value (builder, result);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JsonNode *
empty_object (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

static JsonNode *
handle_initialize (JsonObject  *params)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *requested = string_member (params, "protocolVersion");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "protocolVersion");
  json_builder_add_string_value (builder, protocol_version_supported (requested)
                                            ? requested : protocol_versions[0]);
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tools");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "listChanged");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "serverInfo");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "hotpath-glib");
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, "hotpath-glib live profiler");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "instructions");
  json_builder_add_string_value (builder,
    "Live profiling data of one running GLib program. Start with functions_timing to see "
    "where time goes (largest total first); call functions_timing_logs with a row's id for "
    "its most recent calls. Durations in text are formatted (ns, µs, ms, s); the raw JSON "
    "that follows uses integer nanoseconds (fields ending in _ns). Sections that this "
    "process does not collect answer with an error saying so.");
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
add_tool (JsonBuilder *builder,
          const char  *name,
          const char  *title,
          const char  *description,
          gboolean     logs)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, title);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, description);

  json_builder_set_member_name (builder, "inputSchema");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "object");
  json_builder_set_member_name (builder, "properties");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, logs ? "id" : "limit");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "integer");
  json_builder_set_member_name (builder, "minimum");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, logs
    ? "Id of the item, from the id field of a row of the section."
    : "Maximum number of rows, largest first; 0 for all. Defaults to the session's limit (HOTPATH_LIMIT, 15).");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  if (logs)
    {
      json_builder_set_member_name (builder, "required");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, "id");
      json_builder_end_array (builder);
    }
  json_builder_set_member_name (builder, "additionalProperties");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "annotations");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "readOnlyHint");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "openWorldHint");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);

  json_builder_end_object (builder);
}

static JsonNode *
handle_tools_list (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint n = hotpath_sections_get_n ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tools");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      const HotpathSectionDesc *section = hotpath_sections_get_nth (i);
      g_autofree char *fields = hotpath_section_fields_text (section);
      g_autofree char *description = NULL;
      g_autofree char *logs_name = NULL;
      g_autofree char *logs_description = NULL;
      g_autofree char *title = g_strdup_printf ("Live %s", section->name);

      description = g_strdup_printf ("%s The text lists items with formatted durations, then the raw "
                                     "JSON. Fields: %s", section->description, fields);
      add_tool (builder, section->name, title, description, FALSE);

      if (!section->has_logs)
        continue;

      logs_name = g_strdup_printf ("%s_logs", section->name);
      logs_description = g_strdup_printf ("The most recent entries (HOTPATH_LOGS_LIMIT, 50) of one item of "
                                          "%s, newest first: for functions, each call's duration, when it "
                                          "ended (time since the session started) and the thread id; for "
                                          "channels, each message's queue latency and text; for futures, each "
                                          "task's lifetime and outcome; for sources, each dispatch's duration; "
                                          "for main loops, each stall and what ran in it. Take the id from a "
                                          "row of %s.", section->name, section->name);
      g_free (title);
      title = g_strdup_printf ("Live %s logs", section->name);
      add_tool (builder, logs_name, title, logs_description, TRUE);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JsonNode *
tool_result (gboolean    is_error,
             const char *text,
             const char *json)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "content");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "text");
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  if (json != NULL)
    {
      g_autofree char *raw = g_strconcat ("Raw JSON (integer nanoseconds in *_ns fields):\n", json, NULL);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "text");
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, raw);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "isError");
  json_builder_add_boolean_value (builder, is_error);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* An optional non-negative integer argument; FALSE with @error set when
 * present but wrong. */
static gboolean
get_uint_argument (JsonObject  *arguments,
                   const char  *name,
                   gboolean    *present,
                   guint       *value,
                   char       **error)
{
  JsonNode *node;
  double number;

  *present = FALSE;
  if (arguments == NULL || !json_object_has_member (arguments, name))
    return TRUE;

  node = json_object_get_member (arguments, name);
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_INT64 &&
       json_node_get_value_type (node) != G_TYPE_DOUBLE))
    {
      *error = g_strdup_printf ("argument %s must be a non-negative integer", name);
      return FALSE;
    }

  number = json_node_get_value_type (node) == G_TYPE_INT64
             ? (double) json_node_get_int (node) : json_node_get_double (node);
  if (number < 0 || number > G_MAXUINT || number != (double) (guint) number)
    {
      *error = g_strdup_printf ("argument %s must be a non-negative integer", name);
      return FALSE;
    }

  *present = TRUE;
  *value = (guint) number;
  return TRUE;
}

static JsonNode *
handle_tools_call (HotpathServer *server,
                   JsonObject    *params,
                   RpcError      *error)
{
  const char *name = string_member (params, "name");
  JsonObject *arguments = NULL;
  const HotpathSectionDesc *section;
  g_autofree char *section_name = NULL;
  g_autofree char *argument_error = NULL;
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  gboolean logs = FALSE;
  gboolean present;
  guint value = 0;

  if (name == NULL)
    {
      error->code = JSONRPC_INVALID_PARAMS;
      error->message = g_strdup ("tools/call needs params.name, a string");
      return NULL;
    }

  if (json_object_has_member (params, "arguments"))
    {
      JsonNode *member = json_object_get_member (params, "arguments");
      if (JSON_NODE_HOLDS_OBJECT (member))
        arguments = json_node_get_object (member);
      else if (!JSON_NODE_HOLDS_NULL (member))
        {
          error->code = JSONRPC_INVALID_PARAMS;
          error->message = g_strdup ("params.arguments must be an object");
          return NULL;
        }
    }

  section = hotpath_sections_lookup (name);
  if (section == NULL && g_str_has_suffix (name, "_logs"))
    {
      section_name = g_strndup (name, strlen (name) - strlen ("_logs"));
      section = hotpath_sections_lookup (section_name);
      logs = TRUE;
      if (section != NULL && !section->has_logs)
        section = NULL;
    }
  if (section == NULL)
    {
      error->code = JSONRPC_INVALID_PARAMS;
      error->message = g_strdup_printf ("Unknown tool: %s", name);
      return NULL;
    }

  if (arguments != NULL)
    {
      JsonObjectIter iter;
      const char *member_name;

      json_object_iter_init (&iter, arguments);
      while (json_object_iter_next (&iter, &member_name, NULL))
        if (!g_str_equal (member_name, logs ? "id" : "limit"))
          {
            error->code = JSONRPC_INVALID_PARAMS;
            error->message = g_strdup_printf ("unknown argument %s for tool %s", member_name, name);
            return NULL;
          }
    }

  if (!get_uint_argument (arguments, logs ? "id" : "limit", &present, &value, &argument_error))
    {
      error->code = JSONRPC_INVALID_PARAMS;
      error->message = g_steal_pointer (&argument_error);
      return NULL;
    }
  if (logs && !present)
    {
      error->code = JSONRPC_INVALID_PARAMS;
      error->message = g_strdup_printf ("tool %s needs the argument id", name);
      return NULL;
    }
  if (!logs && !present)
    value = hotpath_server_get_limit (server);

  snapshot = hotpath_server_snapshot (server);
  if (!hotpath_live_section_is_available (section, snapshot))
    {
      g_autoptr(GString) available = g_string_new (NULL);
      g_autofree char *message = NULL;

      for (guint i = 0; i < hotpath_sections_get_n (); i++)
        if (hotpath_live_section_is_available (hotpath_sections_get_nth (i), snapshot))
          g_string_append_printf (available, "%s%s", available->len > 0 ? ", " : "",
                                  hotpath_sections_get_nth (i)->name);

      message = g_strdup_printf ("The %s section is not available in this process (its monitor is "
                                 "off). Available now: %s.", section->name, available->str);
      return tool_result (TRUE, message, NULL);
    }

  json = logs ? hotpath_section_item_to_json (section, snapshot, value)
              : hotpath_section_to_json (section, snapshot, value);
  if (json == NULL)
    {
      g_autofree char *message =
        g_strdup_printf ("No item of %s has id %u; the ids are in the rows of the %s tool.",
                         section->name, value, section->name);
      return tool_result (TRUE, message, NULL);
    }

  text = logs ? hotpath_section_item_to_text (section, snapshot, value)
              : hotpath_section_to_text (section, snapshot, value);
  if (text == NULL)
    text = g_strdup_printf ("%s:", name);

  return tool_result (FALSE, text, json);
}

/* One JSON-RPC message in; a response, or NULL for notifications and
 * client responses. */
static JsonNode *
handle_message (HotpathServer *server,
                JsonNode      *message)
{
  JsonObject *object;
  JsonNode *id = NULL;
  JsonNode *method_node;
  JsonObject *params = NULL;
  const char *method;
  RpcError error = { 0 };
  JsonNode *result = NULL;
  JsonNode *response;

  if (!JSON_NODE_HOLDS_OBJECT (message))
    return rpc_error_response (NULL, JSONRPC_INVALID_REQUEST, "Invalid Request: a message is a JSON object");

  object = json_node_get_object (message);

  if (json_object_has_member (object, "id"))
    {
      id = json_object_get_member (object, "id");
      if (!JSON_NODE_HOLDS_VALUE (id) ||
          (json_node_get_value_type (id) != G_TYPE_STRING &&
           json_node_get_value_type (id) != G_TYPE_INT64 &&
           json_node_get_value_type (id) != G_TYPE_DOUBLE))
        return rpc_error_response (NULL, JSONRPC_INVALID_REQUEST, "Invalid Request: id must be a string or a number");
      /* 1e999 parses as infinity, which JSON cannot carry back. */
      if (json_node_get_value_type (id) == G_TYPE_DOUBLE && !isfinite (json_node_get_double (id)))
        return rpc_error_response (NULL, JSONRPC_INVALID_REQUEST, "Invalid Request: id must be a finite number");
    }

  if (g_strcmp0 (string_member (object, "jsonrpc"), "2.0") != 0)
    return rpc_error_response (id, JSONRPC_INVALID_REQUEST, "Invalid Request: jsonrpc must be \"2.0\"");

  method_node = json_object_get_member (object, "method");
  if (method_node == NULL)
    {
      /* A response to a request of ours; we send none, so ignore it. */
      if (id != NULL && (json_object_has_member (object, "result") || json_object_has_member (object, "error")))
        return NULL;
      return rpc_error_response (id, JSONRPC_INVALID_REQUEST, "Invalid Request: no method");
    }
  if (!JSON_NODE_HOLDS_VALUE (method_node) || json_node_get_value_type (method_node) != G_TYPE_STRING)
    return rpc_error_response (id, JSONRPC_INVALID_REQUEST, "Invalid Request: method must be a string");
  method = json_node_get_string (method_node);

  if (json_object_has_member (object, "params"))
    {
      JsonNode *params_node = json_object_get_member (object, "params");

      if (JSON_NODE_HOLDS_OBJECT (params_node))
        params = json_node_get_object (params_node);
      else if (!JSON_NODE_HOLDS_NULL (params_node))
        return id != NULL ? rpc_error_response (id, JSONRPC_INVALID_PARAMS, "Invalid params: params must be an object")
                          : NULL;
    }

  /* Notifications (initialized, cancelled, …) need no answer. */
  if (id == NULL)
    return NULL;

  if (g_str_equal (method, "initialize"))
    result = handle_initialize (params);
  else if (g_str_equal (method, "ping"))
    result = empty_object ();
  else if (g_str_equal (method, "tools/list"))
    result = handle_tools_list ();
  else if (g_str_equal (method, "tools/call"))
    result = handle_tools_call (server, params, &error);
  else
    {
      error.code = JSONRPC_METHOD_NOT_FOUND;
      error.message = g_strdup_printf ("Method not found: %s", method);
    }

  if (result != NULL)
    return rpc_result_response (id, result);

  response = rpc_error_response (id, error.code, error.message);
  g_free (error.message);
  return response;
}


/* Whether @data nests arrays and objects at most @max_depth deep, checked
 * before json-glib parses it (recursively, on our stack). */
static gboolean
nesting_within (const char *data,
                gsize       size,
                guint       max_depth)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < size; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

static char *
error_string (JsonNode   *id,
              int         code,
              const char *message)
{
  g_autoptr(JsonNode) node = rpc_error_response (id, code, message);

  return json_to_string (node, FALSE);
}

/**
 * hotpath_mcp_handle_body:
 * @server: the server
 * @data: a request body
 * @size: its length
 * @status: (out): the HTTP status to answer with
 *
 * Answers one JSON-RPC message or a batch of them. Never trusts @data:
 * invalid UTF-8, nesting deeper than %MAX_DEPTH, a batch over %MAX_BATCH
 * messages and answers over %MAX_RESPONSE_BYTES all get JSON-RPC errors.
 *
 * Returns: (transfer full) (nullable): the JSON answer, or %NULL when
 *   there is nothing to answer (202)
 */
char *
hotpath_mcp_handle_body (HotpathServer *server,
                         const char    *data,
                         gsize          size,
                         guint         *status)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) response = NULL;
  JsonNode *root;

  *status = SOUP_STATUS_BAD_REQUEST;

  if (size == 0)
    return error_string (NULL, JSONRPC_PARSE_ERROR, "Parse error: empty body");
  if (!g_utf8_validate_len (data, size, NULL))
    return error_string (NULL, JSONRPC_PARSE_ERROR, "Parse error: the body is not UTF-8");
  if (!nesting_within (data, size, MAX_DEPTH))
    return error_string (NULL, JSONRPC_PARSE_ERROR, "Parse error: arrays and objects nest deeper than 64");

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) size, &error))
    {
      g_autofree char *message = g_strdup_printf ("Parse error: %s", error->message);

      return error_string (NULL, JSONRPC_PARSE_ERROR, message);
    }

  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *batch = json_node_get_array (root);
      guint n = json_array_get_length (batch);
      g_autoptr(GString) out = NULL;
      guint n_answers = 0;

      if (n == 0)
        return error_string (NULL, JSONRPC_INVALID_REQUEST, "Invalid Request: empty batch");
      if (n > MAX_BATCH)
        {
          g_autofree char *message =
            g_strdup_printf ("Invalid Request: a batch of %u messages is over the limit of %u", n, MAX_BATCH);

          return error_string (NULL, JSONRPC_INVALID_REQUEST, message);
        }

      out = g_string_new ("[");
      for (guint i = 0; i < n; i++)
        {
          JsonNode *message = json_array_get_element (batch, i);
          g_autoptr(JsonNode) one = NULL;
          g_autofree char *text = NULL;

          /* The program is ending: answer the rest with an error, at once. */
          if (hotpath_server_is_stopping (server))
            {
              JsonNode *id = JSON_NODE_HOLDS_OBJECT (message)
                               ? json_object_get_member (json_node_get_object (message), "id") : NULL;

              if (id == NULL || !JSON_NODE_HOLDS_VALUE (id))
                continue;
              text = error_string (id, JSONRPC_INTERNAL_ERROR, "the profiled program is exiting");
            }
          else
            {
              one = handle_message (server, message);
              if (one == NULL)
                continue;
              text = json_to_string (one, FALSE);
              if (out->len + strlen (text) > MAX_RESPONSE_BYTES)
                {
                  JsonObject *object = json_node_get_object (one);

                  g_free (text);
                  text = error_string (json_object_get_member (object, "id"), JSONRPC_INTERNAL_ERROR,
                                       "the answers to this batch are over 8 MiB; send fewer requests at once");
                }
            }

          if (n_answers++ > 0)
            g_string_append_c (out, ',');
          g_string_append (out, text);
        }

      if (n_answers == 0)
        {
          *status = SOUP_STATUS_ACCEPTED;
          return NULL;
        }

      g_string_append_c (out, ']');
      *status = SOUP_STATUS_OK;
      return g_string_free (g_steal_pointer (&out), FALSE);
    }

  response = root != NULL ? handle_message (server, root) : NULL;
  if (response == NULL)
    {
      *status = SOUP_STATUS_ACCEPTED;
      return NULL;
    }

  /* A request the server could not even read as one is a 400, as the
   * transport asks; answers to real requests are 200. */
  {
    JsonObject *object = json_node_get_object (response);
    JsonNode *error_node = json_object_get_member (object, "error");
    gboolean unreadable = error_node != NULL &&
                          json_object_get_int_member (json_node_get_object (error_node), "code") == JSONRPC_INVALID_REQUEST;

    *status = unreadable ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_OK;
  }

  return json_to_string (response, FALSE);
}

/**
 * hotpath_mcp_handle:
 * @server: the server
 * @msg: a POST to /mcp whose size and token were checked
 *
 * Answers one HTTP request of the Streamable HTTP transport: a JSON-RPC
 * message or a batch of them.
 */
void
hotpath_mcp_handle (HotpathServer     *server,
                    SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *version = soup_message_headers_get_one (headers, "MCP-Protocol-Version");
  g_autoptr(GBytes) body = NULL;
  const char *data;
  gsize size;
  guint status;
  char *answer;

  if (version != NULL && !protocol_version_supported (version))
    {
      hotpath_http_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                                  "unsupported MCP-Protocol-Version %s; supported: 2025-06-18, "
                                  "2025-03-26, 2024-11-05", version);
      return;
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  data = g_bytes_get_data (body, &size);
  answer = hotpath_mcp_handle_body (server, data, size, &status);
  if (answer == NULL)
    hotpath_http_respond (msg, status, NULL, NULL);
  else
    hotpath_http_respond_json (msg, status, answer);
}
