/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-show.c: `hotpath list` and `hotpath show`.
 *
 * Both read the published contract only: the D-Bus interface
 * io.github.HotpathGlib.Profiler1 (data/io.github.HotpathGlib.Profiler1.xml)
 * that every profiled process offers as ...Target.instance<PID>, and, for a
 * URL, the HTTP routes of docs/live.md. Tables are drawn from the JSON the
 * way the exit report draws them, whatever sections a process serves.
 */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hotpath-cli.h"

#define BUS_PREFIX "io.github.HotpathGlib.Target.instance"
#define OBJECT_PATH "/io/github/HotpathGlib/Profiler"
#define INTERFACE "io.github.HotpathGlib.Profiler1"
#define MAX_HTTP_BODY (64 * 1024 * 1024)

/* ------------------------------------------------------------- D-Bus */

static GDBusConnection *
session_bus (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);

  if (bus == NULL)
    hotpath_cli_error ("no session bus (%s): profiled programs are found on it", error->message);

  return bus;
}

/* Names of profiled processes, sorted by PID. */
static GPtrArray *
list_targets (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListNames", NULL,
                                       G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, 5000,
                                       NULL, NULL);
  if (reply == NULL)
    return names;

  g_variant_get (reply, "(as)", &iter);
  while (g_variant_iter_next (iter, "&s", &name))
    if (g_str_has_prefix (name, BUS_PREFIX))
      g_ptr_array_add (names, g_strdup (name));

  return names;
}

static int
compare_by_pid (gconstpointer a,
                gconstpointer b)
{
  const char *x = *(const char * const *) a + strlen (BUS_PREFIX);
  const char *y = *(const char * const *) b + strlen (BUS_PREFIX);
  guint64 px = g_ascii_strtoull (x, NULL, 10), py = g_ascii_strtoull (y, NULL, 10);

  return (px > py) - (px < py);
}

static GVariant *
get_properties (GDBusConnection *bus,
                const char      *name)
{
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (bus, name, OBJECT_PATH, "org.freedesktop.DBus.Properties",
                                       "GetAll", g_variant_new ("(s)", INTERFACE),
                                       G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 5000,
                                       NULL, NULL);
  if (reply == NULL)
    return NULL;

  return g_variant_get_child_value (reply, 0);
}

static char *
format_uptime (gint64 start_us)
{
  gint64 seconds = start_us > 0 ? (g_get_real_time () - start_us) / G_USEC_PER_SEC : 0;

  if (seconds < 0)
    seconds = 0;
  if (seconds < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT "s", seconds);
  if (seconds < 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT "m%02" G_GINT64_FORMAT "s", seconds / 60, seconds % 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT "h%02" G_GINT64_FORMAT "m", seconds / 3600, (seconds / 60) % 60);
}

static char *
format_port (guint16 port,
             const char *path)
{
  return port != 0 ? g_strdup_printf ("http://127.0.0.1:%u%s", port, path) : g_strdup ("-");
}

int
hotpath_cli_list (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GPtrArray) names = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON array, for scripts", NULL },
    { NULL }
  };
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    "Lists the profiled programs running on this session bus: PID, program, uptime,\n"
    "live HTTP and MCP addresses, sections.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      hotpath_cli_error ("%s", error->message);
      return 2;
    }
  if (argc > 1)
    {
      hotpath_cli_error ("list takes no arguments");
      return 2;
    }

  if ((bus = session_bus ()) == NULL)
    return 1;
  names = list_targets (bus);
  g_ptr_array_sort (names, compare_by_pid);

  if (!json)
    printf ("%-8s  %-20s  %-8s  %-28s  %-32s  %s\n", "PID", "PROGRAM", "UPTIME", "HTTP", "MCP", "SECTIONS");
  json_builder_begin_array (builder);
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr(GVariant) props = get_properties (bus, g_ptr_array_index (names, i));
      g_autoptr(GVariantDict) dict = NULL;
      const char *program = "?";
      guint32 pid = 0;
      gint64 start = 0;
      guint16 http = 0, mcp = 0;
      g_autofree const char **sections = NULL;
      g_autoptr(GVariant) sections_variant = NULL;
      g_autofree char *joined = NULL;
      g_autofree char *uptime = NULL;
      g_autofree char *http_url = NULL;
      g_autofree char *mcp_url = NULL;

      /* Gone between ListNames and now. */
      if (props == NULL)
        continue;

      dict = g_variant_dict_new (props);
      g_variant_dict_lookup (dict, "ProgramName", "&s", &program);
      g_variant_dict_lookup (dict, "Pid", "u", &pid);
      g_variant_dict_lookup (dict, "StartTime", "x", &start);
      g_variant_dict_lookup (dict, "HttpPort", "q", &http);
      g_variant_dict_lookup (dict, "McpPort", "q", &mcp);
      sections_variant = g_variant_dict_lookup_value (dict, "Sections", G_VARIANT_TYPE ("as"));
      if (sections_variant != NULL)
        sections = g_variant_get_strv (sections_variant, NULL);
      joined = sections != NULL ? g_strjoinv (",", (char **) sections) : g_strdup ("");
      uptime = format_uptime (start);
      http_url = format_port (http, "/");
      mcp_url = format_port (mcp, "/mcp");

      if (!json)
        printf ("%-8u  %-20s  %-8s  %-28s  %-32s  %s\n", pid, program, uptime, http_url, mcp_url, joined);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "pid");
      json_builder_add_int_value (builder, pid);
      json_builder_set_member_name (builder, "program");
      json_builder_add_string_value (builder, program);
      json_builder_set_member_name (builder, "start_time_unix_us");
      json_builder_add_int_value (builder, start);
      json_builder_set_member_name (builder, "http_port");
      json_builder_add_int_value (builder, http);
      json_builder_set_member_name (builder, "mcp_port");
      json_builder_add_int_value (builder, mcp);
      json_builder_set_member_name (builder, "dbus_name");
      json_builder_add_string_value (builder, g_ptr_array_index (names, i));
      json_builder_set_member_name (builder, "sections");
      json_builder_begin_array (builder);
      for (guint j = 0; sections != NULL && sections[j] != NULL; j++)
        json_builder_add_string_value (builder, sections[j]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      g_autofree char *text = json_to_string (root, TRUE);

      printf ("%s\n", text);
    }

  return 0;
}

/* -------------------------------------------------------------- HTTP */

/* One GET on loopback, HTTP/1.0: what `show URL` needs, without a client
 * library. */
static char *
http_get (const char  *base_url,
          const char  *route,
          GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GString) request = g_string_new (NULL);
  g_autoptr(GByteArray) response = g_byte_array_new ();
  const char *token = g_getenv ("HOTPATH_METRICS_AUTH_TOKEN");
  const char *body;
  const char *path;
  guint8 buffer[16384];
  int status = 0;
  gssize n;

  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return NULL;
  if (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 || g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s is not an http:// URL", base_url);
      return NULL;
    }

  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri),
                                                g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 80,
                                                NULL, error);
  if (connection == NULL)
    return NULL;

  /* The route goes under the URL's path: http://host:port/ or a proxy's
   * http://host/prefix/. */
  path = g_uri_get_path (uri);
  g_string_append_printf (request, "GET %.*s/%s HTTP/1.0\r\nHost: %s\r\nAccept: application/json\r\n",
                          (int) (g_str_has_suffix (path, "/") ? strlen (path) - 1 : strlen (path)), path,
                          route, g_uri_get_host (uri));
  if (token != NULL && *token != '\0')
    g_string_append_printf (request, "Authorization: Bearer %s\r\n", token);
  g_string_append (request, "\r\n");

  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                  request->str, request->len, NULL, NULL, error))
    return NULL;
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                   buffer, sizeof buffer, NULL, error)) > 0)
    {
      g_byte_array_append (response, buffer, n);
      if (response->len > MAX_HTTP_BODY)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "the answer is too large");
          return NULL;
        }
    }
  if (n < 0)
    return NULL;
  g_byte_array_append (response, (const guint8 *) "", 1);

  if (sscanf ((const char *) response->data, "HTTP/%*d.%*d %d", &status) != 1 ||
      (body = strstr ((const char *) response->data, "\r\n\r\n")) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s did not answer HTTP", base_url);
      return NULL;
    }
  body += 4;
  if (status != 200)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "/%s: HTTP %d %s", route, status, g_strstrip ((char *) body));
      return NULL;
    }

  return g_strdup (body);
}

/* ------------------------------------------------------------ tables */

static char *
format_ns (double ns)
{
  if (ns < 1e3)
    return g_strdup_printf ("%.0f ns", ns);
  if (ns < 1e6)
    return g_strdup_printf ("%.2f µs", ns / 1e3);
  if (ns < 1e9)
    return g_strdup_printf ("%.2f ms", ns / 1e6);
  return g_strdup_printf ("%.2f s", ns / 1e9);
}

static char *
format_bytes (double bytes)
{
  if (bytes < 1024)
    return g_strdup_printf ("%.0f B", bytes);
  if (bytes < 1024 * 1024)
    return g_strdup_printf ("%.2f KiB", bytes / 1024);
  return g_strdup_printf ("%.2f MiB", bytes / (1024 * 1024));
}

/* A member by dotted path; "*" is the first member of an object (the
 * first percentile). */
static JsonNode *
lookup_path (JsonObject *object,
             const char *path,
             char      **last_name)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (object == NULL)
        return NULL;
      if (strcmp (parts[i], "*") == 0)
        {
          g_autoptr(GList) members = json_object_get_members (object);

          if (members == NULL)
            return NULL;
          node = json_object_get_member (object, members->data);
          if (last_name != NULL)
            {
              g_free (*last_name);
              *last_name = g_strdup (members->data);
            }
        }
      else
        node = json_object_get_member (object, parts[i]);
      if (node == NULL)
        return NULL;
      object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    }

  return node;
}

static char *
format_cell (JsonNode   *node,
             const char *path)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("-");
  if (!JSON_NODE_HOLDS_VALUE (node))
    return g_strdup ("…");

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "yes" : "no");
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
      {
        double value = json_node_get_value_type (node) == G_TYPE_INT64
          ? (double) json_node_get_int (node) : json_node_get_double (node);

        if (g_str_has_suffix (path, "_ns") || strstr (path, "_ns.") != NULL)
          return format_ns (value);
        if (strstr (path, "bytes") != NULL)
          return format_bytes (value);
        if (strstr (path, "percent") != NULL)
          return g_strdup_printf ("%.2f%%", value);
        if (value == floor (value) && fabs (value) < 1e15)
          return g_strdup_printf ("%.0f", value);
        return g_strdup_printf ("%.3g", value);
      }
    default:
      return g_strdup ("?");
    }
}

typedef struct
{
  const char *title;
  const char *path;
} Column;

typedef struct
{
  const char   *section;
  const char   *title;
  const Column *columns;
} TableSpec;

static const Column functions_timing_columns[] = {
  { "Function", "name" }, { "Calls", "calls" }, { "Avg", "avg_ns" }, { "P*", "percentiles_ns.*" },
  { "Total", "total_ns" }, { "% Total", "percent_total" }, { NULL, NULL } };
static const Column functions_alloc_columns[] = {
  { "Function", "name" }, { "Calls", "calls" }, { "Bytes avg", "bytes.avg" },
  { "Bytes total", "bytes.total" }, { "Allocs avg", "count.avg" }, { "Peak bytes max", "peak_bytes.max" },
  { NULL, NULL } };
static const Column sources_columns[] = {
  { "Source", "name" }, { "Type", "type" }, { "Context", "context" }, { "Dispatches", "dispatches" },
  { "Avg", "duration_ns.avg_ns" }, { "P*", "duration_ns.percentiles_ns.*" }, { "Max", "duration_ns.max_ns" },
  { "Total", "total_ns" }, { NULL, NULL } };
static const Column main_loop_columns[] = {
  { "Context", "name" }, { "Iterations", "iterations" }, { "Busy", "busy_ns" }, { "Waiting", "wait_ns" },
  { "Busy %", "busy_percent" }, { "Stalls", "stalls" }, { "Longest", "iteration_busy_ns.max_ns" },
  { "Lag P*", "lag_ns.percentiles_ns.*" }, { NULL, NULL } };
static const Column futures_columns[] = {
  { "Future", "name" }, { "Type", "type" }, { "Created", "created" }, { "In flight", "in_flight" },
  { "Completed", "completed" }, { "Errors", "returned_error" }, { "Cancelled", "cancelled" },
  { "Run P*", "run_ns.percentiles_ns.*" }, { "Lifetime P*", "lifetime_ns.percentiles_ns.*" },
  { NULL, NULL } };
static const Column channels_columns[] = {
  { "Channel", "name" }, { "Type", "type" }, { "State", "state" }, { "Sent", "sent" },
  { "Received", "received" }, { "Queued", "queued" }, { "Max", "max_queued" },
  { "Latency P*", "latency_ns.percentiles_ns.*" }, { NULL, NULL } };

static const Column frames_columns[] = {
  { "Surface", "name" }, { "Frames", "frames" }, { "Refresh", "refresh_interval_ns" },
  { "Late", "late_frames" }, { "Missed", "missed_frames" }, { "Frame P*", "frame_time_ns.percentiles_ns.*" },
  { "Late by P*", "late_ns.percentiles_ns.*" }, { "Layout P*", "layout_ns.percentiles_ns.*" },
  { "Paint P*", "paint_ns.percentiles_ns.*" }, { NULL, NULL } };

static const TableSpec table_specs[] = {
  { "functions_timing", "functions", functions_timing_columns },
  { "functions_alloc", "allocations per call", functions_alloc_columns },
  { "main_loop", "main loop", main_loop_columns },
  { "sources", "main-loop sources and signal handlers", sources_columns },
  { "futures", "futures", futures_columns },
  { "channels", "channels", channels_columns },
  { "frames", "frames", frames_columns },
};

/* Sections nobody here knows yet: every scalar member of their rows. */
static Column *
generic_columns (JsonArray *rows)
{
  GArray *columns = g_array_new (TRUE, TRUE, sizeof (Column));
  JsonNode *first = json_array_get_length (rows) > 0 ? json_array_get_element (rows, 0) : NULL;
  g_autoptr(GList) members = NULL;

  if (first == NULL || !JSON_NODE_HOLDS_OBJECT (first))
    return (Column *) g_array_free (columns, FALSE);

  members = json_object_get_members (json_node_get_object (first));
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (json_node_get_object (first), l->data);
      Column column = { g_intern_string (l->data), g_intern_string (l->data) };

      if (JSON_NODE_HOLDS_VALUE (node) || JSON_NODE_HOLDS_NULL (node))
        g_array_append_val (columns, column);
    }

  return (Column *) g_array_free (columns, FALSE);
}

static void
print_table (GString      *out,
             const char   *title,
             const Column *columns,
             JsonObject   *section,
             guint         limit,
             gboolean      explicit)
{
  JsonNode *data = json_object_get_member (section, "data");
  JsonArray *rows = data != NULL && JSON_NODE_HOLDS_ARRAY (data) ? json_node_get_array (data) : NULL;
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) widths = g_array_new (FALSE, TRUE, sizeof (guint));
  g_autofree Column *generic = NULL;
  guint n_columns = 0, n_rows;

  if (rows == NULL)
    return;
  /* Nothing to say about what the program does not use, unless asked. */
  if (json_array_get_length (rows) == 0 && !explicit)
    return;
  if (columns == NULL)
    columns = generic = generic_columns (rows);
  while (columns[n_columns].title != NULL)
    n_columns++;
  n_rows = json_array_get_length (rows);
  if (limit > 0)
    n_rows = MIN (n_rows, limit);

  g_string_append_printf (out, "[hotpath] %s: %" G_GINT64_FORMAT "\n", title,
                          json_object_get_int_member_with_default (section, "total_count", n_rows));
  if (n_rows == 0 || n_columns == 0)
    {
      g_string_append (out, "(none yet)\n\n");
      return;
    }

  /* Headers: "P*" takes the percentile's key, e.g. "P95". */
  for (guint c = 0; c < n_columns; c++)
    {
      JsonNode *first = json_array_get_element (rows, 0);
      g_autofree char *key = NULL;
      g_autofree char *upper = NULL;
      char *header;

      if (strchr (columns[c].title, '*') != NULL && JSON_NODE_HOLDS_OBJECT (first))
        {
          lookup_path (json_node_get_object (first), columns[c].path, &key);
          upper = key != NULL ? g_ascii_strup (key, -1) : NULL;
          header = upper != NULL
            ? g_strdup_printf ("%.*s%s", (int) (strchr (columns[c].title, '*') - columns[c].title - 1),
                               columns[c].title, upper)
            : g_strdup (columns[c].title);
        }
      else
        header = g_strdup (columns[c].title);
      g_ptr_array_add (cells, header);
    }
  for (guint r = 0; r < n_rows; r++)
    {
      JsonNode *node = json_array_get_element (rows, r);
      JsonObject *row = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      for (guint c = 0; c < n_columns; c++)
        g_ptr_array_add (cells, format_cell (row != NULL ? lookup_path (row, columns[c].path, NULL) : NULL,
                                             columns[c].path));
    }

  g_array_set_size (widths, n_columns);
  for (guint i = 0; i < cells->len; i++)
    {
      guint *width = &g_array_index (widths, guint, i % n_columns);
      *width = MAX (*width, MIN (g_utf8_strlen (g_ptr_array_index (cells, i), -1), 60));
    }

  for (guint r = 0; r <= n_rows; r++)
    {
      for (guint c = 0; c < n_columns; c++)
        {
          const char *cell = g_ptr_array_index (cells, r * n_columns + c);
          guint width = g_array_index (widths, guint, c);
          glong length = g_utf8_strlen (cell, -1);
          g_autofree char *cut = length > (glong) width ? g_utf8_substring (cell, 0, width) : g_strdup (cell);
          guint pad = width - MIN ((guint) g_utf8_strlen (cut, -1), width);

          /* Names left, figures right. */
          if (c == 0)
            g_string_append_printf (out, "%s%*s", cut, pad, "");
          else
            g_string_append_printf (out, "  %*s%s", pad, "", cut);
        }
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
}

static char *
render_report (JsonObject         *report,
               const char * const *only,
               guint               limit)
{
  g_autoptr(GString) out = g_string_new (NULL);
  JsonNode *sections_node = json_object_get_member (report, "sections");
  JsonObject *sections = sections_node != NULL && JSON_NODE_HOLDS_OBJECT (sections_node)
    ? json_node_get_object (sections_node) : NULL;
  g_autoptr(GList) names = NULL;
  g_autofree char *elapsed = format_ns (json_object_get_int_member_with_default (report, "elapsed_ns", 0));

  g_string_append_printf (out, "[hotpath] %s (PID %" G_GINT64_FORMAT "): %s elapsed\n\n",
                          json_object_get_string_member_with_default (report, "program", "?"),
                          json_object_get_int_member_with_default (report, "pid", 0), elapsed);
  if (sections == NULL)
    return g_string_free (g_steal_pointer (&out), FALSE);

  /* Known sections in the report's order of importance, then the rest. */
  for (guint i = 0; i < G_N_ELEMENTS (table_specs); i++)
    {
      JsonNode *node = json_object_get_member (sections, table_specs[i].section);

      if (only != NULL && !g_strv_contains (only, table_specs[i].section))
        continue;
      /* Asked for, but nothing in it yet: reports leave empty sections out. */
      if ((node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) && only != NULL)
        {
          g_string_append_printf (out, "[hotpath] %s: none yet\n\n", table_specs[i].title);
          continue;
        }
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      print_table (out, table_specs[i].title, table_specs[i].columns, json_node_get_object (node), limit,
                   only != NULL);
    }
  names = json_object_get_members (sections);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (sections, l->data);
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (table_specs); i++)
        known |= strcmp (l->data, table_specs[i].section) == 0;
      if (known || !JSON_NODE_HOLDS_OBJECT (node) || (only != NULL && !g_strv_contains (only, l->data)))
        continue;
      print_table (out, l->data, NULL, json_node_get_object (node), limit, only != NULL);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* -------------------------------------------------------------- show */

typedef struct
{
  GDBusConnection *bus;
  char            *dbus_name;  /* or */
  char            *url;
} Target;

static gboolean
is_number (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static char *
dbus_call_string (Target      *target,
                  const char  *method,
                  GVariant    *parameters,
                  GError     **error)
{
  g_autoptr(GVariant) reply = NULL;
  char *json;

  reply = g_dbus_connection_call_sync (target->bus, target->dbus_name, OBJECT_PATH, INTERFACE, method,
                                       parameters, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE,
                                       10000, NULL, error);
  if (reply == NULL)
    {
      if (*error != NULL)
        g_dbus_error_strip_remote_error (*error);
      return NULL;
    }
  g_variant_get (reply, "(s)", &json);

  return json;
}

static char *
fetch (Target      *target,
       const char  *section,
       const char  *id,
       GError     **error)
{
  if (target->url != NULL)
    {
      g_autofree char *route = section == NULL ? g_strdup ("report")
        : id == NULL ? g_strdup_printf ("%s?limit=0", section)
        : g_strdup_printf ("%s/%s/logs", section, id);

      return http_get (target->url, route, error);
    }

  if (section == NULL)
    return dbus_call_string (target, "GetReport", NULL, error);
  if (id == NULL)
    return dbus_call_string (target, "GetSection", g_variant_new ("(s)", section), error);

  return dbus_call_string (target, "GetLogs",
                           g_variant_new ("(su)", section, (guint32) g_ascii_strtoull (id, NULL, 10)),
                           error);
}

static volatile sig_atomic_t interrupted;

static void
on_interrupt (int signum)
{
  interrupted = 1;
}

static gboolean
parse_watch (const char  *option_name,
             const char  *value,
             gpointer     data,
             GError     **error)
{
  double *seconds = data;

  *seconds = 1;
  if (value != NULL)
    {
      char *end = NULL;

      *seconds = g_ascii_strtod (value, &end);
      if (end == value || *end != '\0' || !(*seconds >= 0.1) || *seconds > 3600)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--watch takes seconds between 0.1 and 3600, not '%s'", value);
          return FALSE;
        }
    }

  return TRUE;
}

int
hotpath_cli_show (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  g_autoptr(GPtrArray) sections = g_ptr_array_new ();
  gboolean json = FALSE;
  double watch = 0;
  int limit = 15;
  const GOptionEntry entries[] = {
    { "watch", 'w', G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, parse_watch,
      "Redraw every SECONDS (default 1) until ^C, like top", "SECONDS" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "The JSON as served, not tables", NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Rows per table; 0 for all (default 15)", "N" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionGroup) group = NULL;
  Target target = { NULL, NULL, NULL };
  g_autofree char *watch_option = NULL;
  const char *log_id = NULL;
  guint first = 0;
  int ret = 0;

  /* `--watch 2`: GOption takes an optional value only as --watch=2; a
   * small number right after --watch is the period, not a PID. */
  for (int i = 1; i + 1 < argc; i++)
    if ((strcmp (argv[i], "--watch") == 0 || strcmp (argv[i], "-w") == 0))
      {
        char *end = NULL;
        double seconds = g_ascii_strtod (argv[i + 1], &end);

        if (end != argv[i + 1] && *end == '\0' && seconds > 0 && seconds <= 60)
          {
            g_free (watch_option);
            watch_option = g_strdup_printf ("--watch=%s", argv[i + 1]);
            argv[i] = watch_option;
            memmove (&argv[i + 1], &argv[i + 2], (argc - i - 2) * sizeof (char *));
            argc--;
            argv[argc] = NULL;
          }
      }

  context = g_option_context_new ("[PID|URL] [SECTION…] [ID]");
  g_option_context_set_summary (context,
    "Shows what a running profiled program measured so far, as its exit report would.\n"
    "PID is a process `hotpath list` shows (found on D-Bus; the only one when left out);\n"
    "URL its live HTTP address. `show PID SECTION ID` prints the logs of one item.");
  group = g_option_group_new ("show", "", "", &watch, NULL);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, g_steal_pointer (&group));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      hotpath_cli_error ("%s", error->message);
      return 2;
    }
  if (limit < 0)
    {
      hotpath_cli_error ("--limit must be 0 or more");
      return 2;
    }

  if (args != NULL && args[0] != NULL && g_str_has_prefix (args[0], "http://"))
    {
      target.url = g_strdup (args[0]);
      first = 1;
    }
  else
    {
      g_autoptr(GPtrArray) names = NULL;

      if ((target.bus = session_bus ()) == NULL)
        return 1;
      if (args != NULL && is_number (args[0]))
        {
          target.dbus_name = g_strconcat (BUS_PREFIX, args[0], NULL);
          first = 1;
        }
      else
        {
          names = list_targets (target.bus);
          if (names->len != 1)
            {
              hotpath_cli_error (names->len == 0
                                 ? "no profiled program is running on this session bus (start one with `hotpath run`)"
                                 : "%u profiled programs are running: say which (PID from `hotpath list`)",
                                 names->len);
              g_clear_object (&target.bus);
              return 1;
            }
          target.dbus_name = g_strdup (g_ptr_array_index (names, 0));
        }
    }

  for (guint i = first; args != NULL && args[i] != NULL; i++)
    {
      if (is_number (args[i]))
        {
          if (sections->len != 1 || args[i + 1] != NULL)
            {
              hotpath_cli_error ("an item id goes after exactly one section: show PID SECTION ID");
              ret = 2;
              goto out;
            }
          log_id = args[i];
        }
      else
        g_ptr_array_add (sections, args[i]);
    }
  g_ptr_array_add (sections, NULL);

  if (watch > 0)
    {
      signal (SIGINT, on_interrupt);
      signal (SIGTERM, on_interrupt);
      printf ("\033[H\033[2J");
    }

  do
    {
      g_autofree char *text = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GString) out = g_string_new (NULL);

      if (log_id != NULL || (json && sections->len == 2))
        text = fetch (&target, sections->pdata[0], log_id, &error);
      else
        text = fetch (&target, NULL, NULL, &error);
      if (text == NULL)
        {
          hotpath_cli_error ("%s: %s", target.url != NULL ? target.url : target.dbus_name + strlen (BUS_PREFIX),
                             error->message);
          ret = 1;
          break;
        }

      if (json || log_id != NULL)
        g_string_append (out, text);
      else if (!json_parser_load_from_data (parser, text, -1, &error) ||
               !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          hotpath_cli_error ("the report is not JSON: %s", error != NULL ? error->message : "not an object");
          ret = 1;
          break;
        }
      else
        {
          g_autofree char *tables = render_report (json_node_get_object (json_parser_get_root (parser)),
                                                   sections->len > 1 ? (const char * const *) sections->pdata : NULL,
                                                   (guint) limit);
          g_string_append (out, tables);
        }

      /* Redraw in place: home, the text, clear what the last one left. */
      if (watch > 0)
        printf ("\033[H%s\033[J", out->str);
      else
        printf ("%s%s", out->str, g_str_has_suffix (out->str, "\n") ? "" : "\n");
      fflush (stdout);

      if (watch > 0)
        for (gint64 until = g_get_monotonic_time () + (gint64) (watch * G_USEC_PER_SEC);
             !interrupted && g_get_monotonic_time () < until;)
          g_usleep (MIN (50000, MAX (0, until - g_get_monotonic_time ())));
    }
  while (watch > 0 && !interrupted);

out:
  g_clear_object (&target.bus);
  g_free (target.dbus_name);
  g_free (target.url);

  return ret;
}
