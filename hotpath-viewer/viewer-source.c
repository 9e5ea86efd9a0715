/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * viewer-source.c: where the viewer's data comes from.
 *
 * Three kinds of source give the same thing, a report object shaped like
 * the library's JSON report ({program, pid, elapsed_ns, sections}):
 *
 * - D-Bus: a target's io.github.HotpathGlib.Profiler1 by its well-known
 *   name (or pid). DataChanged marks the data dirty; the refresh timer
 *   fetches every section with GetSection (all rows), so a busy target
 *   costs at most one fetch per interval and an idle one none.
 * - HTTP: /profiler_status, then /<section>?limit=0 for each available
 *   section, polled every interval.
 * - A saved report file (HOTPATH_OUTPUT_FORMAT=json), loaded once.
 *
 * Bodies are parsed on a worker thread so a large report never stalls the
 * UI. Failures make the source Stale, then Disconnected after a few; it
 * keeps trying to reconnect every few seconds, and a D-Bus name that comes
 * back is fetched at once.
 */

#include "config.h"

#include <hotpath-glib/hotpath.h>

#include <string.h>
#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "viewer-section-model.h"
#include "viewer-source.h"

#define TARGET_NAME_PREFIX  "io.github.HotpathGlib.Target.instance"
#define PROFILER_PATH       "/io/github/HotpathGlib/Profiler"
#define PROFILER_IFACE      "io.github.HotpathGlib.Profiler1"
#define CALL_TIMEOUT_MS     5000
#define STALE_AFTER         3     /* failures before Disconnected */
#define RECONNECT_US        (2 * G_USEC_PER_SEC)

struct _ViewerSource
{
  GObject           parent_instance;

  ViewerSourceKind  kind;
  char             *address;
  char             *bus_name;
  char             *base_url;
  GFile            *file;
  SoupSession      *session;
  GDBusConnection  *bus;
  GCancellable     *cancellable;

  char             *program;
  guint             pid;
  gint64            start_time_us;
  char             *error;

  JsonObject       *report;
  gint64            report_time_us;
  guint             n_updates;

  ViewerStatus      status;
  guint             interval_ms;
  guint             timer_id;
  guint             watch_id;
  guint             signal_id;
  guint             failures;
  gint64            next_attempt_us;
  gint64            last_success_us;
  guint             started : 1;
  guint             paused : 1;
  guint             in_flight : 1;
  guint             dirty : 1;
  guint             name_present : 1;
};

enum {
  PROP_0,
  PROP_STATUS,
  PROP_PAUSED,
  PROP_INTERVAL,
  PROP_PROGRAM,
  PROP_ERROR,
  N_PROPS
};

enum {
  UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (ViewerStatus, viewer_status,
  G_DEFINE_ENUM_VALUE (VIEWER_STATUS_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (VIEWER_STATUS_LIVE, "live"),
  G_DEFINE_ENUM_VALUE (VIEWER_STATUS_STALE, "stale"),
  G_DEFINE_ENUM_VALUE (VIEWER_STATUS_PAUSED, "paused"),
  G_DEFINE_ENUM_VALUE (VIEWER_STATUS_DISCONNECTED, "disconnected"),
  G_DEFINE_ENUM_VALUE (VIEWER_STATUS_REPORT, "report"))

G_DEFINE_FINAL_TYPE (ViewerSource, viewer_source, G_TYPE_OBJECT)

const char *
viewer_status_to_string (ViewerStatus status)
{
  switch (status)
    {
    case VIEWER_STATUS_CONNECTING:   return _("Connecting");
    case VIEWER_STATUS_LIVE:         return _("Live");
    case VIEWER_STATUS_STALE:        return _("Stale");
    case VIEWER_STATUS_PAUSED:       return _("Paused");
    case VIEWER_STATUS_DISCONNECTED: return _("Disconnected");
    case VIEWER_STATUS_REPORT:       return _("Saved Report");
    default:                         return "";
    }
}

static void
set_status (ViewerSource *self,
            ViewerStatus  status)
{
  if (self->paused && status != VIEWER_STATUS_REPORT && status != VIEWER_STATUS_DISCONNECTED)
    status = VIEWER_STATUS_PAUSED;
  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
set_error (ViewerSource *self,
           const char   *message)
{
  if (g_strcmp0 (self->error, message) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
set_program (ViewerSource *self,
             const char   *program)
{
  if (program == NULL || g_strcmp0 (self->program, program) == 0)
    return;
  g_free (self->program);
  self->program = g_strdup (program);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRAM]);
}

/* A fetch: the names and JSON bodies of the sections, plus the header. */
typedef struct
{
  ViewerSource *self;
  GPtrArray    *names;
  GPtrArray    *bodies;      /* GBytes, parallel to names */
  guint         remaining;
  GError       *error;
  char         *program;
  guint         pid;
  gint64        elapsed_ns;
  gint64        time_us;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->self);
  g_clear_pointer (&fetch->names, g_ptr_array_unref);
  g_clear_pointer (&fetch->bodies, g_ptr_array_unref);
  g_clear_error (&fetch->error);
  g_clear_pointer (&fetch->program, g_free);
  g_free (fetch);
}

static Fetch *
fetch_new (ViewerSource *self)
{
  Fetch *fetch = g_new0 (Fetch, 1);

  fetch->self = g_object_ref (self);
  fetch->names = g_ptr_array_new_with_free_func (g_free);
  fetch->bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  fetch->time_us = g_get_monotonic_time ();
  return fetch;
}

/**
 * viewer_report_bytes_acceptable:
 *
 * json-glib parses recursively: a file or an answer of 100,000 '[' would
 * overflow the parsing thread's stack. Reports nest a few levels; refuse
 * anything past %VIEWER_MAX_JSON_DEPTH before parsing.
 */
gboolean
viewer_report_bytes_acceptable (GBytes  *bytes,
                                GError **error)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
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
      else if ((c == '[' || c == '{') && ++depth > VIEWER_MAX_JSON_DEPTH)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("This data nests deeper than %u levels; it is not a hotpath-glib report"),
                       VIEWER_MAX_JSON_DEPTH);
          return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

static JsonNode *
parse_bytes (GBytes  *bytes,
             GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (!viewer_report_bytes_acceptable (bytes, error))
    return NULL;
  if (!json_parser_load_from_data (parser, data, size, error))
    return NULL;
  return json_parser_steal_root (parser);
}

static void
parse_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Fetch *fetch = task_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) sections = json_object_new ();
  JsonObject *report;

  HOTPATH_MEASURE ();

  for (guint i = 0; i < fetch->names->len; i++)
    {
      GError *error = NULL;
      JsonNode *node = parse_bytes (g_ptr_array_index (fetch->bodies, i), &error);

      if (node == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      json_object_set_member (sections, g_ptr_array_index (fetch->names, i), node);
    }

  report = json_object_new ();
  json_object_set_string_member (report, "type", "hotpath_report");
  json_object_set_int_member (report, "version", 1);
  json_object_set_string_member (report, "program", fetch->program ? fetch->program : "");
  json_object_set_int_member (report, "pid", fetch->pid);
  json_object_set_int_member (report, "elapsed_ns", fetch->elapsed_ns);
  json_object_set_object_member (report, "sections", g_steal_pointer (&sections));
  g_task_return_pointer (task, report, (GDestroyNotify) json_object_unref);
}

static void
take_report (ViewerSource *self,
             JsonObject   *report,
             gint64        time_us)
{
  if (self->report != NULL)
    {
      /* The rows took what they keep; free the rest off the main loop. */
      GPtrArray *old = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

      g_ptr_array_add (old, g_steal_pointer (&self->report));
      viewer_free_in_thread (old);
    }
  self->report = report;
  self->report_time_us = time_us;
  self->n_updates++;
  set_program (self, json_object_get_string_member_with_default (report, "program", NULL));
  if (self->pid == 0)
    self->pid = json_object_get_int_member_with_default (report, "pid", 0);
  g_signal_emit (self, signals[UPDATED], 0);
}

static void
fetch_failed (ViewerSource *self,
              const GError *error)
{
  self->in_flight = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->failures++;
  self->next_attempt_us = g_get_monotonic_time () + RECONNECT_US;
  set_error (self, error->message);
  g_debug ("%s: %s", self->address, error->message);

  if (self->failures >= STALE_AFTER || (self->kind == VIEWER_SOURCE_DBUS && !self->name_present))
    set_status (self, VIEWER_STATUS_DISCONNECTED);
  else
    set_status (self, VIEWER_STATUS_STALE);
}

static void
parse_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  ViewerSource *self = VIEWER_SOURCE (object);
  Fetch *fetch = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  JsonObject *report = g_task_propagate_pointer (G_TASK (result), &error);

  if (report == NULL)
    {
      fetch_failed (self, error);
      if (self->kind == VIEWER_SOURCE_FILE)
        set_status (self, VIEWER_STATUS_DISCONNECTED);
      return;
    }

  if (self->kind == VIEWER_SOURCE_FILE)
    {
      /* parse_thread put the whole file under sections.report: lift it. */
      JsonObject *sections = json_object_get_object_member (report, "sections");
      JsonNode *node = sections ? json_object_get_member (sections, "report") : NULL;
      JsonObject *file_report = NULL;

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        file_report = json_node_get_object (node);
      if (file_report == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (file_report, "type", NULL), "hotpath_report") != 0 ||
          !json_object_has_member (file_report, "sections"))
        {
          g_autoptr(GError) invalid = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                                   _("This file is not a hotpath-glib report"));
          json_object_unref (report);
          fetch_failed (self, invalid);
          set_status (self, VIEWER_STATUS_DISCONNECTED);
          return;
        }
      json_object_ref (file_report);
      json_object_unref (report);
      report = file_report;
    }

  self->in_flight = FALSE;
  self->failures = 0;
  self->last_success_us = g_get_monotonic_time ();
  set_error (self, NULL);
  if (self->kind == VIEWER_SOURCE_FILE)
    set_status (self, VIEWER_STATUS_REPORT);
  else
    set_status (self, VIEWER_STATUS_LIVE);
  take_report (self, report, fetch->time_us);
}

static void
fetch_parse (Fetch *fetch)
{
  ViewerSource *self = fetch->self;
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, parse_done, NULL);

  g_task_set_source_tag (task, fetch_parse);
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);
  g_task_run_in_thread (task, parse_thread);
}

static void
fetch_part_done (Fetch  *fetch,
                 GError *error)
{
  if (error != NULL && fetch->error == NULL)
    fetch->error = error;
  else if (error != NULL)
    g_error_free (error);

  if (--fetch->remaining > 0)
    return;

  if (fetch->error != NULL)
    {
      fetch_failed (fetch->self, fetch->error);
      fetch_free (fetch);
      return;
    }

  fetch_parse (fetch);
}

/* D-Bus */

typedef struct
{
  Fetch *fetch;
  guint  index;
} Part;

static void
dbus_get_section_done (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Part *part = user_data;
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  if (reply != NULL)
    {
      const char *json;

      g_variant_get (reply, "(&s)", &json);
      g_ptr_array_index (part->fetch->bodies, part->index) = g_bytes_new (json, strlen (json));
    }
  fetch_part_done (part->fetch, error);
  g_free (part);
}

static void
dbus_get_all_done (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Fetch *fetch = user_data;
  ViewerSource *self = fetch->self;
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  g_autoptr(GVariant) props = NULL;
  g_autofree const char **sections = NULL;
  gint64 start_time = 0;

  if (reply == NULL)
    {
      fetch_failed (self, error);
      g_error_free (error);
      fetch_free (fetch);
      return;
    }

  props = g_variant_get_child_value (reply, 0);
  g_variant_lookup (props, "ProgramName", "s", &fetch->program);
  g_variant_lookup (props, "Pid", "u", &fetch->pid);
  if (g_variant_lookup (props, "StartTime", "x", &start_time))
    {
      self->start_time_us = start_time;
      fetch->elapsed_ns = MAX (0, g_get_real_time () - start_time) * 1000;
    }
  if (!g_variant_lookup (props, "Sections", "^a&s", &sections) || sections[0] == NULL)
    {
      g_clear_pointer (&sections, g_free);
      sections = g_new0 (const char *, 2);
      sections[0] = "functions_timing";
    }

  for (guint i = 0; sections[i]; i++)
    {
      g_ptr_array_add (fetch->names, g_strdup (sections[i]));
      g_ptr_array_add (fetch->bodies, NULL);
    }
  fetch->remaining = fetch->names->len;

  for (guint i = 0; i < fetch->names->len; i++)
    {
      Part *part = g_new0 (Part, 1);

      part->fetch = fetch;
      part->index = i;
      g_dbus_connection_call (self->bus, self->bus_name, PROFILER_PATH, PROFILER_IFACE,
                              "GetSection", g_variant_new ("(s)", g_ptr_array_index (fetch->names, i)),
                              G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                              CALL_TIMEOUT_MS, self->cancellable, dbus_get_section_done, part);
    }
}

static void
dbus_fetch (ViewerSource *self)
{
  Fetch *fetch = fetch_new (self);

  self->dirty = FALSE;
  g_dbus_connection_call (self->bus, self->bus_name, PROFILER_PATH,
                          "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", PROFILER_IFACE),
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          CALL_TIMEOUT_MS, self->cancellable, dbus_get_all_done, fetch);
}

/* HTTP */

static SoupMessage *
http_message (ViewerSource *self,
              const char   *path)
{
  g_autofree char *uri = g_strconcat (self->base_url, path, NULL);
  SoupMessage *msg = soup_message_new ("GET", uri);
  const char *token = g_getenv ("HOTPATH_METRICS_AUTH_TOKEN");

  if (msg != NULL && token != NULL && *token != '\0')
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  return msg;
}

static GBytes *
http_finish (GObject       *object,
             GAsyncResult  *result,
             SoupMessage   *msg,
             GError       **error)
{
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, error);
  guint status;

  if (bytes == NULL)
    return NULL;

  status = soup_message_get_status (msg);
  if (status != SOUP_STATUS_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "HTTP %u %s", status,
                   soup_message_get_reason_phrase (msg));
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

typedef struct
{
  Fetch       *fetch;
  guint        index;
  SoupMessage *msg;
} HttpPart;

static void
http_section_done (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  HttpPart *part = user_data;
  GError *error = NULL;
  GBytes *bytes = http_finish (object, result, part->msg, &error);

  g_ptr_array_index (part->fetch->bodies, part->index) = bytes;
  fetch_part_done (part->fetch, error);
  g_object_unref (part->msg);
  g_free (part);
}

static void
http_status_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  HttpPart *status_part = user_data;
  Fetch *fetch = status_part->fetch;
  ViewerSource *self = fetch->self;
  GError *error = NULL;
  g_autoptr(GBytes) bytes = http_finish (object, result, status_part->msg, &error);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *status;
  JsonArray *sections;

  g_object_unref (status_part->msg);
  g_free (status_part);

  if (bytes == NULL || !(root = parse_bytes (bytes, &error)) || !JSON_NODE_HOLDS_OBJECT (root))
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Not a hotpath-glib server"));
      fetch_failed (self, error);
      g_error_free (error);
      fetch_free (fetch);
      return;
    }

  status = json_node_get_object (root);
  fetch->program = g_strdup (json_object_get_string_member_with_default (status, "program", ""));
  fetch->pid = json_object_get_int_member_with_default (status, "pid", 0);
  fetch->elapsed_ns = json_object_get_int_member_with_default (status, "elapsed_ns", 0);
  self->start_time_us = json_object_get_int_member_with_default (status, "start_time_unix_us", 0);

  sections = json_object_get_array_member (status, "sections");
  for (guint i = 0; sections != NULL && i < json_array_get_length (sections); i++)
    {
      JsonObject *section = json_array_get_object_element (sections, i);

      if (section != NULL && json_object_get_boolean_member_with_default (section, "available", FALSE))
        {
          g_ptr_array_add (fetch->names, g_strdup (json_object_get_string_member (section, "name")));
          g_ptr_array_add (fetch->bodies, NULL);
        }
    }
  if (fetch->names->len == 0)
    {
      g_ptr_array_add (fetch->names, g_strdup ("functions_timing"));
      g_ptr_array_add (fetch->bodies, NULL);
    }

  fetch->remaining = fetch->names->len;
  for (guint i = 0; i < fetch->names->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s?limit=0", (char *) g_ptr_array_index (fetch->names, i));
      HttpPart *part = g_new0 (HttpPart, 1);

      part->fetch = fetch;
      part->index = i;
      part->msg = http_message (self, path);
      soup_session_send_and_read_async (self->session, part->msg, G_PRIORITY_DEFAULT,
                                        self->cancellable, http_section_done, part);
    }
}

static void
http_fetch (ViewerSource *self)
{
  HttpPart *part = g_new0 (HttpPart, 1);

  part->fetch = fetch_new (self);
  part->msg = http_message (self, "profiler_status");
  soup_session_send_and_read_async (self->session, part->msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, http_status_done, part);
}

/* Files */

static void
file_loaded (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fetch *fetch = user_data;
  ViewerSource *self = fetch->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);

  if (bytes == NULL)
    {
      fetch_failed (self, error);
      set_status (self, VIEWER_STATUS_DISCONNECTED);
      fetch_free (fetch);
      return;
    }

  /* The report is parsed whole; its sections are taken apart after. */
  g_ptr_array_add (fetch->names, g_strdup ("report"));
  g_ptr_array_add (fetch->bodies, g_steal_pointer (&bytes));
  fetch_parse (fetch);
}

/* Scheduling */

static void
fetch_now (ViewerSource *self)
{
  if (self->in_flight || self->paused)
    return;

  switch (self->kind)
    {
    case VIEWER_SOURCE_DBUS:
      if (self->bus == NULL)
        return;
      self->in_flight = TRUE;
      dbus_fetch (self);
      break;

    case VIEWER_SOURCE_HTTP:
      self->in_flight = TRUE;
      http_fetch (self);
      break;

    case VIEWER_SOURCE_FILE:
      self->in_flight = TRUE;
      g_file_load_bytes_async (self->file, self->cancellable, file_loaded, fetch_new (self));
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
on_timer (gpointer data)
{
  ViewerSource *self = data;
  gint64 now = g_get_monotonic_time ();

  if (self->paused || self->in_flight)
    return G_SOURCE_CONTINUE;

  /* After a failure, try again only every few seconds. */
  if (self->failures > 0 && now < self->next_attempt_us)
    return G_SOURCE_CONTINUE;

  if (self->kind == VIEWER_SOURCE_HTTP)
    fetch_now (self);
  else if (self->kind == VIEWER_SOURCE_DBUS && self->name_present &&
           (self->dirty || self->failures > 0 || self->n_updates == 0))
    fetch_now (self);

  return G_SOURCE_CONTINUE;
}

static void
restart_timer (ViewerSource *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->kind != VIEWER_SOURCE_FILE && self->started)
    {
      GSource *timer = g_timeout_source_new (self->interval_ms);

      /* Named for hotpath's main-loop monitor (viewer_profiling). */
      g_source_set_callback (timer, on_timer, self, NULL);
      g_source_set_static_name (timer, "viewer-source:refresh");
      hotpath_source_watch (timer, "viewer-source:refresh");
      self->timer_id = g_source_attach (timer, NULL);
      g_source_unref (timer);
    }
}

static void
on_data_changed (GDBusConnection *connection,
                 const char      *sender,
                 const char      *object_path,
                 const char      *interface,
                 const char      *signal,
                 GVariant        *parameters,
                 gpointer         user_data)
{
  ViewerSource *self = user_data;

  self->dirty = TRUE;
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  ViewerSource *self = user_data;

  self->name_present = TRUE;
  self->dirty = TRUE;
  self->failures = 0;
  fetch_now (self);
}

static void
on_name_vanished (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  ViewerSource *self = user_data;

  self->name_present = FALSE;
  if (connection == NULL)
    set_error (self, _("No session bus"));
  else
    set_error (self, _("The program is not running"));
  self->status = VIEWER_STATUS_CONNECTING;  /* so the notify below fires */
  set_status (self, VIEWER_STATUS_DISCONNECTED);
}

static void
bus_ready (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ViewerSource) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);

  if (bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_error (self, error->message);
          set_status (self, VIEWER_STATUS_DISCONNECTED);
        }
      return;
    }

  if (!self->started)
    {
      g_object_unref (bus);
      return;
    }

  self->bus = bus;
  self->signal_id =
    g_dbus_connection_signal_subscribe (bus, self->bus_name, PROFILER_IFACE, "DataChanged",
                                        PROFILER_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_data_changed, self, NULL);
  self->watch_id =
    g_bus_watch_name_on_connection (bus, self->bus_name, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                    on_name_appeared, on_name_vanished, self, NULL);
}

static void
viewer_source_dispose (GObject *object)
{
  ViewerSource *self = (ViewerSource *) object;

  viewer_source_stop (self);

  G_OBJECT_CLASS (viewer_source_parent_class)->dispose (object);
}

static void
viewer_source_finalize (GObject *object)
{
  ViewerSource *self = (ViewerSource *) object;

  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->bus_name, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->program, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->report, json_object_unref);
  g_clear_object (&self->file);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (viewer_source_parent_class)->finalize (object);
}

static void
viewer_source_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ViewerSource *self = VIEWER_SOURCE (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;

    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval_ms);
      break;

    case PROP_PROGRAM:
      g_value_set_string (value, self->program);
      break;

    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
viewer_source_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ViewerSource *self = VIEWER_SOURCE (object);

  switch (prop_id)
    {
    case PROP_PAUSED:
      viewer_source_set_paused (self, g_value_get_boolean (value));
      break;

    case PROP_INTERVAL:
      viewer_source_set_interval (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
viewer_source_class_init (ViewerSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = viewer_source_dispose;
  object_class->finalize = viewer_source_finalize;
  object_class->get_property = viewer_source_get_property;
  object_class->set_property = viewer_source_set_property;

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, VIEWER_TYPE_STATUS, VIEWER_STATUS_CONNECTING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 50, 60000, 500,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRAM] =
    g_param_spec_string ("program", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ViewerSource::updated:
   *
   * A new report is available from viewer_source_get_report().
   */
  signals[UPDATED] =
    g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
viewer_source_init (ViewerSource *self)
{
  self->interval_ms = 500;
  self->status = VIEWER_STATUS_CONNECTING;
}

ViewerSource *
viewer_source_new_for_bus_name (const char *bus_name)
{
  ViewerSource *self;

  g_return_val_if_fail (g_dbus_is_name (bus_name), NULL);

  self = g_object_new (VIEWER_TYPE_SOURCE, NULL);
  self->kind = VIEWER_SOURCE_DBUS;
  self->bus_name = g_strdup (bus_name);
  self->address = g_strdup (bus_name);
  if (g_str_has_prefix (bus_name, TARGET_NAME_PREFIX))
    self->pid = g_ascii_strtoull (bus_name + strlen (TARGET_NAME_PREFIX), NULL, 10);
  return self;
}

ViewerSource *
viewer_source_new_for_pid (guint pid)
{
  g_autofree char *name = g_strdup_printf (TARGET_NAME_PREFIX "%u", pid);

  return viewer_source_new_for_bus_name (name);
}

ViewerSource *
viewer_source_new_for_url (const char  *url,
                           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  ViewerSource *self;
  g_autofree char *text = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  /* "127.0.0.1:6770" and "localhost:6770" are addresses too. */
  if (strstr (url, "://") == NULL)
    text = g_strconcat ("http://", url, NULL);
  else
    text = g_strdup (url);

  uri = g_uri_parse (text, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return NULL;
  if (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an HTTP address"), url);
      return NULL;
    }

  self = g_object_new (VIEWER_TYPE_SOURCE, NULL);
  self->kind = VIEWER_SOURCE_HTTP;
  /* The routes sit at the root of the server: keep scheme, host and port. */
  if (g_uri_get_port (uri) > 0)
    self->base_url = g_strdup_printf ("%s://%s:%d/", g_uri_get_scheme (uri), g_uri_get_host (uri),
                                      g_uri_get_port (uri));
  else
    self->base_url = g_strdup_printf ("%s://%s/", g_uri_get_scheme (uri), g_uri_get_host (uri));
  self->address = g_strndup (self->base_url, strlen (self->base_url) - 1);
  self->session = soup_session_new_with_options ("timeout", 5, "idle-timeout", 30, NULL);
  return self;
}

ViewerSource *
viewer_source_new_for_file (GFile *file)
{
  ViewerSource *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (VIEWER_TYPE_SOURCE, NULL);
  self->kind = VIEWER_SOURCE_FILE;
  self->file = g_object_ref (file);
  self->address = g_file_get_parse_name (file);
  return self;
}

ViewerSourceKind
viewer_source_get_kind (ViewerSource *self)
{
  g_return_val_if_fail (VIEWER_IS_SOURCE (self), 0);
  return self->kind;
}

const char *
viewer_source_get_address (ViewerSource *self)
{
  g_return_val_if_fail (VIEWER_IS_SOURCE (self), NULL);
  return self->address;
}

const char *
viewer_source_get_program (ViewerSource *self)
{
  g_return_val_if_fail (VIEWER_IS_SOURCE (self), NULL);
  return self->program;
}

guint
viewer_source_get_pid (ViewerSource *self)
{
  g_return_val_if_fail (VIEWER_IS_SOURCE (self), 0);
  return self->pid;
}

ViewerStatus
viewer_source_get_status (ViewerSource *self)
{
  g_return_val_if_fail (VIEWER_IS_SOURCE (self), VIEWER_STATUS_DISCONNECTED);
  return self->status;
}

const char *
viewer_source_get_error (ViewerSource *self)
{
  g_return_val_if_fail (VIEWER_IS_SOURCE (self), NULL);
  return self->error;
}

gboolean
viewer_source_get_paused (ViewerSource *self)
{
  g_return_val_if_fail (VIEWER_IS_SOURCE (self), FALSE);
  return self->paused;
}

void
viewer_source_set_paused (ViewerSource *self,
                          gboolean      paused)
{
  g_return_if_fail (VIEWER_IS_SOURCE (self));

  paused = !!paused;
  if (self->kind == VIEWER_SOURCE_FILE || self->paused == paused)
    return;

  self->paused = paused;
  if (paused)
    set_status (self, VIEWER_STATUS_PAUSED);
  else
    {
      self->status = self->failures > 0 ? VIEWER_STATUS_STALE : VIEWER_STATUS_LIVE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
      self->dirty = TRUE;
      fetch_now (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

guint
viewer_source_get_interval (ViewerSource *self)
{
  g_return_val_if_fail (VIEWER_IS_SOURCE (self), 0);
  return self->interval_ms;
}

void
viewer_source_set_interval (ViewerSource *self,
                            guint         interval_ms)
{
  g_return_if_fail (VIEWER_IS_SOURCE (self));

  interval_ms = CLAMP (interval_ms, 50, 60000);
  if (self->interval_ms == interval_ms)
    return;
  self->interval_ms = interval_ms;
  restart_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

/**
 * viewer_source_start:
 *
 * Connects and starts refreshing. The first report comes with
 * #ViewerSource::updated.
 */
void
viewer_source_start (ViewerSource *self)
{
  g_return_if_fail (VIEWER_IS_SOURCE (self));

  if (self->started)
    return;
  self->started = TRUE;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  restart_timer (self);
  if (self->kind == VIEWER_SOURCE_DBUS)
    g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, bus_ready, g_object_ref (self));
  else
    fetch_now (self);
}

void
viewer_source_stop (ViewerSource *self)
{
  g_return_if_fail (VIEWER_IS_SOURCE (self));

  self->started = FALSE;
  g_cancellable_cancel (self->cancellable);
  self->in_flight = FALSE;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  if (self->bus != NULL && self->signal_id != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->signal_id);
  self->signal_id = 0;
  g_clear_object (&self->bus);
}

/* Fetch now, whatever the timer says (F5). */
void
viewer_source_refresh (ViewerSource *self)
{
  g_return_if_fail (VIEWER_IS_SOURCE (self));

  self->dirty = TRUE;
  self->failures = 0;
  fetch_now (self);
}

/**
 * viewer_source_get_report:
 *
 * Returns: (transfer none) (nullable): the last report
 */
JsonObject *
viewer_source_get_report (ViewerSource *self)
{
  g_return_val_if_fail (VIEWER_IS_SOURCE (self), NULL);
  return self->report;
}

gint64
viewer_source_get_report_time (ViewerSource *self)
{
  g_return_val_if_fail (VIEWER_IS_SOURCE (self), 0);
  return self->report_time_us;
}

guint
viewer_source_get_n_updates (ViewerSource *self)
{
  g_return_val_if_fail (VIEWER_IS_SOURCE (self), 0);
  return self->n_updates;
}

gboolean
viewer_source_has_logs (ViewerSource *self)
{
  g_return_val_if_fail (VIEWER_IS_SOURCE (self), FALSE);
  return self->kind != VIEWER_SOURCE_FILE;
}

static void
logs_dbus_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  g_autoptr(GBytes) bytes = NULL;
  const char *json;
  JsonNode *node;

  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_variant_get (reply, "(&s)", &json);
  bytes = g_bytes_new (json, strlen (json));
  if ((node = parse_bytes (bytes, &error)))
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
  else
    g_task_return_error (task, error);
}

static void
logs_http_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(GBytes) bytes = http_finish (object, result, g_task_get_task_data (task), &error);
  JsonNode *node;

  if (bytes != NULL && (node = parse_bytes (bytes, &error)))
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
  else
    g_task_return_error (task, error);
}

/**
 * viewer_source_get_logs_async:
 *
 * Gets the recent log of one item ($defs/function_logs for functions).
 */
void
viewer_source_get_logs_async (ViewerSource        *self,
                              const char          *section,
                              gint64               id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (VIEWER_IS_SOURCE (self));
  g_return_if_fail (section != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, viewer_source_get_logs_async);

  if (self->kind == VIEWER_SOURCE_DBUS && self->bus != NULL)
    g_dbus_connection_call (self->bus, self->bus_name, PROFILER_PATH, PROFILER_IFACE, "GetLogs",
                            g_variant_new ("(su)", section, (guint32) id), G_VARIANT_TYPE ("(s)"),
                            G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, cancellable,
                            logs_dbus_done, g_steal_pointer (&task));
  else if (self->kind == VIEWER_SOURCE_HTTP)
    {
      g_autofree char *path = g_strdup_printf ("%s/%" G_GINT64_FORMAT "/logs", section, id);
      SoupMessage *msg = http_message (self, path);

      g_task_set_task_data (task, msg, g_object_unref);
      soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                        logs_http_done, g_steal_pointer (&task));
    }
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             _("A saved report has no logs"));
}

/**
 * viewer_source_get_logs_finish:
 *
 * Returns: (transfer full): the logs object, or %NULL with @error set
 */
JsonNode *
viewer_source_get_logs_finish (ViewerSource  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
