/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-server.c: the profiler's server thread.
 *
 * HTTP, MCP and D-Bus all run on one thread with its own GMainContext,
 * never on a context of the application's, so live data works in programs
 * without a main loop and never stalls a UI. The guard starts the thread
 * with the session and joins it when the session finishes (main() returning,
 * exit() on any thread, or the timeout).
 */

#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "hotpath-alloc-core-private.h"
#include "hotpath-collector-private.h"
#include "hotpath-env-private.h"
#include "hotpath-live-module-private.h"
#include "hotpath-report-private.h"
#include "hotpath-sections-private.h"
#include "hotpath-server-private.h"

/* Requests arriving faster than this share one snapshot: a snapshot drains
 * every thread's buffer and copies every histogram, and a scraper or a
 * load test must not turn that into the server's whole job. */
#define DEFAULT_MAX_AGE_MS 20

/* The server thread's stack, whatever `ulimit -s` the program runs with:
 * request parsing is bounded in depth (hotpath-mcp.c), so this is ample. */
#define SERVER_STACK_SIZE (2 * 1024 * 1024)

struct _HotpathServer
{
  pthread_t            thread;
  gint                 stopping;          /* atomic */
  GMainContext        *context;
  GMainLoop           *loop;
  HotpathServerConfig  server_config;

  /* The session's settings, copied: the guard may go first at exit. */
  char                *name;
  GArray              *percentiles;
  guint                limit;
  gint64               start_time_us;     /* wall clock, for people */
  gint64               start_monotonic_us;

  GMutex               lock;
  GCond                cond;
  gboolean             ready;
  guint16              http_port;         /* under lock after ready */
  guint16              mcp_port;

  /* HTTP and MCP, loaded at start; NULL when both are off. */
  const HotpathLiveModule *live;

  /* Server thread only. */
  HotpathHttp         *http;
  HotpathHttp         *mcp;
  HotpathDBus         *dbus;
  HotpathSnapshot     *cached;
  gint64               cached_at_us;
  GHashTable          *bodies;            /* route → body, of @cached */
  guint                max_age_ms;
};

/* Descriptors a forked child must not keep: the listening sockets (or the
 * port would stay bound, accepting nobody, after the parent exits) and the
 * bus connection (or our name would outlive the parent). The child has no
 * server thread, so it closes them in the atfork handler; close() is
 * async-signal-safe. */
#define MAX_CHILD_FDS 8
static int child_fds[MAX_CHILD_FDS] = { -1, -1, -1, -1, -1, -1, -1, -1 };

static void
close_in_child (void)
{
  for (guint i = 0; i < MAX_CHILD_FDS; i++)
    {
      int fd = __atomic_load_n (&child_fds[i], __ATOMIC_RELAXED);

      if (fd >= 0)
        close (fd);
      child_fds[i] = -1;
    }
}

void
hotpath_server_close_in_child (int fd)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      pthread_atfork (NULL, NULL, close_in_child);
      g_once_init_leave (&registered, 1);
    }

  for (guint i = 0; i < MAX_CHILD_FDS; i++)
    {
      int expected = -1;

      if (__atomic_compare_exchange_n (&child_fds[i], &expected, fd, FALSE,
                                       __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        return;
    }
}

void
hotpath_server_forget_in_child (int fd)
{
  for (guint i = 0; i < MAX_CHILD_FDS; i++)
    {
      int expected = fd;

      __atomic_compare_exchange_n (&child_fds[i], &expected, -1, FALSE,
                                   __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    }
}

static const char *
nonempty_env (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : NULL;
}

/* Off loopback, Host and Origin say nothing (any name may point at us),
 * so DNS rebinding lets any web page read an open server: without a token
 * it only listens there when told HOTPATH_INSECURE=1. */
static gboolean
host_allowed (const HotpathServerConfig *config)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (config->http_host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (config->http_host);
  if (address == NULL || g_inet_address_get_is_loopback (address))
    return TRUE;   /* not an address: the HTTP server says so */

  if (config->http_token != NULL)
    return TRUE;
  if (config->insecure)
    {
      g_message ("HOTPATH_INSECURE=1: the live HTTP server listens on %s "
                 "without a token; anyone who reaches it, and any web page through DNS rebinding, "
                 "reads this program's profile", config->http_host);
      return TRUE;
    }

  g_message ("HOTPATH_METRICS_HOST=%s is reachable from other machines and no token "
             "is set: running without the live HTTP server; set HOTPATH_AUTH_TOKEN (or "
             "HOTPATH_INSECURE=1 to serve anyway)", config->http_host);
  return FALSE;
}

void
hotpath_server_config_from_env (HotpathServerConfig *config)
{
  gboolean off;
  const char *value;

  memset (config, 0, sizeof *config);
  config->http_enabled = TRUE;
  config->http_port = HOTPATH_DEFAULT_METRICS_PORT;
  config->mcp_enabled = TRUE;
  config->mcp_port = HOTPATH_DEFAULT_MCP_PORT;
  config->dbus_enabled = TRUE;

  if (hotpath_env_get_flag ("HOTPATH_METRICS_SERVER_OFF", &off) && off)
    config->http_enabled = FALSE;
  if (hotpath_env_get_flag ("HOTPATH_MCP_SERVER_OFF", &off) && off)
    config->mcp_enabled = FALSE;
  if (hotpath_env_get_flag ("HOTPATH_DBUS_OFF", &off) && off)
    config->dbus_enabled = FALSE;

  hotpath_env_get_uint ("HOTPATH_METRICS_PORT", 65535, &config->http_port);
  hotpath_env_get_uint ("HOTPATH_MCP_PORT", 65535, &config->mcp_port);

  value = g_getenv ("HOTPATH_METRICS_HOST");
  config->http_host = g_strdup (value != NULL && *value != '\0' ? value : "127.0.0.1");

  /* Read here, on the thread that starts the session: the server thread
   * must not read the environment while the program may change it. */
  if (config->dbus_enabled)
    config->dbus_address = hotpath_dbus_session_address ();

  /* One token for every endpoint (HOTPATH_AUTH_TOKEN); the specific ones
   * override it. A token set for one server only protects the other too:
   * someone who set any token expects no endpoint to answer without it. */
  {
    const char *common = nonempty_env ("HOTPATH_AUTH_TOKEN");
    const char *http = nonempty_env ("HOTPATH_METRICS_AUTH_TOKEN");
    const char *mcp = nonempty_env ("HOTPATH_MCP_AUTH_TOKEN");

    config->http_token = g_strdup (http != NULL ? http : common != NULL ? common : mcp);
    config->mcp_token = g_strdup (mcp != NULL ? mcp : common != NULL ? common : http);
  }

  if (!hotpath_env_get_flag ("HOTPATH_INSECURE", &config->insecure))
    config->insecure = FALSE;
}

void
hotpath_server_config_clear (HotpathServerConfig *config)
{
  g_clear_pointer (&config->http_host, g_free);
  g_clear_pointer (&config->http_token, g_free);
  g_clear_pointer (&config->mcp_token, g_free);
  g_clear_pointer (&config->dbus_address, g_free);
}

static void *
server_thread (void *data)
{
  HotpathServer *self = data;
  HotpathServerConfig *config = &self->server_config;
  guint16 http_port = 0;
  guint16 mcp_port = 0;

  pthread_setname_np (pthread_self (), "hotpath-server");

  /* Allocation tracking: nothing this thread allocates is the program's. */
  hotpath_alloc_internal_enter ();

  g_main_context_push_thread_default (self->context);

  if (config->http_enabled)
    self->http = !host_allowed (config) ? NULL : self->live->http_new (self, "HTTP", config->http_host, config->http_port,
                                   config->http_token, FALSE, &http_port);
  if (config->mcp_enabled)
    self->mcp = self->live->http_new (self, "MCP", "127.0.0.1", config->mcp_port,
                                  config->mcp_token, TRUE, &mcp_port);

  g_mutex_lock (&self->lock);
  self->http_port = http_port;
  self->mcp_port = mcp_port;
  self->ready = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  /* D-Bus after the ports are known: it publishes them, and connecting to
   * the bus must not hold up the program that started the session. */
  if (config->dbus_enabled)
    self->dbus = hotpath_dbus_new (self, config->dbus_address);

  g_main_loop_run (self->loop);

  g_clear_pointer (&self->dbus, hotpath_dbus_free);
  g_clear_pointer (&self->mcp, self->live->http_free);
  g_clear_pointer (&self->http, self->live->http_free);
  g_clear_pointer (&self->cached, hotpath_snapshot_unref);
  g_clear_pointer (&self->bodies, g_hash_table_unref);

  /* Let sources removed above run their destroy notifies here. */
  while (g_main_context_iteration (self->context, FALSE))
    ;

  g_main_context_pop_thread_default (self->context);

  return NULL;
}

/**
 * hotpath_server_start:
 * @config: the session's configuration
 *
 * Starts the server thread and waits until its HTTP and MCP ports are
 * bound (or failed to bind). D-Bus connects afterwards, on the thread.
 *
 * Returns: (transfer full) (nullable): the server, or %NULL when every
 *   live server is disabled
 */
HotpathServer *
hotpath_server_start (const HotpathConfig *config)
{
  HotpathServer *self;

  self = g_new0 (HotpathServer, 1);
  hotpath_server_config_from_env (&self->server_config);

  /* libsoup 3 is loaded only now, and only if it is safe (no libsoup 2
   * in the process); else HTTP and MCP are off and D-Bus goes on alone. */
  if (self->server_config.http_enabled || self->server_config.mcp_enabled)
    {
      self->live = hotpath_live_module_load ();
      if (self->live == NULL)
        self->server_config.http_enabled = self->server_config.mcp_enabled = FALSE;
    }

  if (!self->server_config.http_enabled &&
      !self->server_config.mcp_enabled &&
      !self->server_config.dbus_enabled)
    {
      hotpath_server_config_clear (&self->server_config);
      g_free (self);
      return NULL;
    }

  self->name = g_strdup (config->name);
  self->percentiles = g_array_copy (config->percentiles);
  self->limit = config->limit;
  self->start_time_us = g_get_real_time ();
  self->start_monotonic_us = g_get_monotonic_time ();
  self->max_age_ms = DEFAULT_MAX_AGE_MS;
  self->bodies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  {
    pthread_attr_t attr;
    int error;

    /* g_thread_new() has no stack size (GLib 2.74): a known one, so a
     * deep request cannot depend on the program's `ulimit -s`. */
    pthread_attr_init (&attr);
    pthread_attr_setstacksize (&attr, SERVER_STACK_SIZE);
    error = pthread_create (&self->thread, &attr, server_thread, self);
    pthread_attr_destroy (&attr);
    if (error != 0)
      {
        g_message ("cannot start the live server thread (%s); the program goes on "
                   "without it", g_strerror (error));
        g_main_loop_unref (self->loop);
        g_main_context_unref (self->context);
        g_mutex_clear (&self->lock);
        g_cond_clear (&self->cond);
        g_hash_table_unref (self->bodies);
        g_array_unref (self->percentiles);
        g_free (self->name);
        hotpath_server_config_clear (&self->server_config);
        g_free (self);
        return NULL;
      }
  }

  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  return self;
}

static gboolean
quit_loop (gpointer data)
{
  HotpathServer *self = data;

  g_main_loop_quit (self->loop);

  return G_SOURCE_REMOVE;
}

/**
 * hotpath_server_stop:
 * @self: (transfer full): a server
 *
 * Closes every listener and the bus connection on the server thread, joins
 * it and frees the server.
 */
void
hotpath_server_stop (HotpathServer *self)
{
  if (self == NULL)
    return;

  /* A forked child has no server thread: fork() copied only the caller. */
  if (hotpath_collector_is_forked_child ())
    return;

  /* Batches in progress stop at their next message. */
  g_atomic_int_set (&self->stopping, 1);

  if (pthread_equal (pthread_self (), self->thread))
    {
      /* Finished from a live request (never done today): cannot join
       * ourselves, so leave the thread to wind down and leak the rest. */
      g_main_loop_quit (self->loop);
      return;
    }

  g_main_context_invoke (self->context, quit_loop, self);
  pthread_join (self->thread, NULL);

  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_array_unref (self->percentiles);
  g_free (self->name);
  hotpath_server_config_clear (&self->server_config);
  g_free (self);
}

/**
 * hotpath_server_is_stopping:
 *
 * Thread-safe. Long work on the server thread checks it, so that it never
 * holds up the program's exit.
 */
gboolean
hotpath_server_is_stopping (HotpathServer *self)
{
  return g_atomic_int_get (&self->stopping) != 0;
}

guint16
hotpath_server_get_http_port (HotpathServer *self)
{
  guint16 port;

  g_mutex_lock (&self->lock);
  port = self->http_port;
  g_mutex_unlock (&self->lock);

  return port;
}

guint16
hotpath_server_get_mcp_port (HotpathServer *self)
{
  guint16 port;

  g_mutex_lock (&self->lock);
  port = self->mcp_port;
  g_mutex_unlock (&self->lock);

  return port;
}

GMainContext *
hotpath_server_get_context (HotpathServer *self)
{
  return self->context;
}

/**
 * hotpath_server_snapshot:
 *
 * Returns: (transfer full): a snapshot at most max_age_ms old
 */
HotpathSnapshot *
hotpath_server_snapshot (HotpathServer *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->cached == NULL ||
      now - self->cached_at_us >= (gint64) self->max_age_ms * 1000)
    {
      g_clear_pointer (&self->cached, hotpath_snapshot_unref);
      g_hash_table_remove_all (self->bodies);
      self->cached = hotpath_collector_snapshot (self->name, self->percentiles, self->limit);
      self->cached_at_us = now;
    }

  return hotpath_snapshot_ref (self->cached);
}

void
hotpath_server_invalidate (HotpathServer *self)
{
  g_clear_pointer (&self->cached, hotpath_snapshot_unref);
  g_hash_table_remove_all (self->bodies);
}

/**
 * hotpath_server_lookup_body:
 * @key: a route with its query, e.g. "functions_timing?limit=15"
 *
 * Bodies rendered from the current snapshot are kept until it is
 * replaced: under load most requests share a snapshot, and rendering the
 * JSON is most of a request's cost.
 *
 * Returns: (nullable): the body rendered for @key from the snapshot
 *   hotpath_server_snapshot() last returned
 */
const char *
hotpath_server_lookup_body (HotpathServer *self,
                            const char    *key)
{
  return g_hash_table_lookup (self->bodies, key);
}

void
hotpath_server_store_body (HotpathServer *self,
                           const char    *key,
                           const char    *body)
{
  if (self->cached != NULL)
    g_hash_table_replace (self->bodies, g_strdup (key), g_strdup (body));
}

void
hotpath_server_set_max_age_ms (HotpathServer *self,
                               guint          max_age_ms)
{
  self->max_age_ms = max_age_ms;
  hotpath_server_invalidate (self);
}

guint
hotpath_server_get_limit (HotpathServer *self)
{
  return self->limit;
}

const char *
hotpath_server_get_program_name (HotpathServer *self)
{
  return self->name;
}

gint64
hotpath_server_get_start_time (HotpathServer *self)
{
  return self->start_time_us;
}

const char *
hotpath_server_get_dbus_name (HotpathServer *self)
{
  return self->dbus != NULL ? hotpath_dbus_get_name (self->dbus) : NULL;
}

/**
 * hotpath_server_status_json:
 *
 * Returns: (transfer full): the body of /profiler_status, described by
 *   `$defs/profiler_status` in data/hotpath-report.schema.json
 */
char *
hotpath_server_status_json (HotpathServer *self)
{
  g_autoptr(HotpathSnapshot) snapshot = hotpath_server_snapshot (self);
  const char *dbus_name = hotpath_server_get_dbus_name (self);
  HotpathJsonWriter writer;
  GString *out = g_string_new (NULL);

  hotpath_json_writer_init (&writer, out, FALSE);
  hotpath_json_writer_begin_object (&writer);
  hotpath_json_writer_member (&writer, "type");
  hotpath_json_writer_string (&writer, "hotpath_status");
  hotpath_json_writer_member (&writer, "version");
  hotpath_json_writer_uint (&writer, 1);
  hotpath_json_writer_member (&writer, "hotpath_version");
  hotpath_json_writer_string (&writer, PACKAGE_VERSION);
  hotpath_json_writer_member (&writer, "program");
  hotpath_json_writer_string (&writer, self->name);
  hotpath_json_writer_member (&writer, "pid");
  hotpath_json_writer_int (&writer, getpid ());
  hotpath_json_writer_member (&writer, "start_time_unix_us");
  hotpath_json_writer_int (&writer, self->start_time_us);
  hotpath_json_writer_member (&writer, "elapsed_ns");
  hotpath_json_writer_uint (&writer, hotpath_snapshot_get_elapsed_ns (snapshot));
  hotpath_json_writer_member (&writer, "functions");
  hotpath_json_writer_uint (&writer, hotpath_snapshot_get_n_functions (snapshot));
  hotpath_json_writer_member (&writer, "clock");
  hotpath_report_write_clock (&writer, snapshot);
  hotpath_json_writer_member (&writer, "http_port");
  hotpath_json_writer_uint (&writer, hotpath_server_get_http_port (self));
  hotpath_json_writer_member (&writer, "mcp_port");
  hotpath_json_writer_uint (&writer, hotpath_server_get_mcp_port (self));
  hotpath_json_writer_member (&writer, "dbus_name");
  hotpath_json_writer_string (&writer, dbus_name);

  hotpath_json_writer_member (&writer, "sections");
  hotpath_json_writer_begin_array (&writer);
  for (guint i = 0; i < hotpath_sections_get_n (); i++)
    {
      const HotpathSectionDesc *section = hotpath_sections_get_nth (i);

      hotpath_json_writer_begin_object (&writer);
      hotpath_json_writer_member (&writer, "name");
      hotpath_json_writer_string (&writer, section->name);
      hotpath_json_writer_member (&writer, "available");
      hotpath_json_writer_boolean (&writer, hotpath_live_section_is_available (section, snapshot));
      hotpath_json_writer_member (&writer, "has_logs");
      hotpath_json_writer_boolean (&writer, section->has_logs);
      hotpath_json_writer_end_object (&writer);
    }
  hotpath_json_writer_end_array (&writer);
  hotpath_json_writer_end_object (&writer);

  return g_string_free (out, FALSE);
}
