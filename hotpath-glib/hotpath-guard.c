/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-guard.c: one profiling session, from build to report.
 *
 * Only one guard exists at a time, because the measured code writes to one
 * process-wide collector. The report is written once, by whichever comes
 * first: hotpath_guard_finish(), the last unref, exit() on any thread, or
 * the timeout.
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#include "hotpath-collector-private.h"
#include "hotpath-flow-private.h"
#include "hotpath-guard-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-report-private.h"
#include "hotpath-server-private.h"

struct _HotpathGuard
{
  GObject        parent_instance;
  HotpathConfig  config;
  GMutex         finish_lock;
  GThread       *finishing_thread;  /* set while the report is being written */
  gboolean       finished;
  GError        *report_error;      /* why the report failed; NULL when it was written */
  HotpathServer *server;            /* live data; NULL when all of it is off */
  gboolean           automatic;     /* measure-all's session without code; replaceable */
};

G_DEFINE_FINAL_TYPE (HotpathGuard, hotpath_guard, G_TYPE_OBJECT)
G_DEFINE_QUARK (hotpath-error-quark, hotpath_error)

static HotpathGuard *active_guard;
/* Held to read active_guard and take a reference (signals, exec), and to
 * clear it: a reference taken under it is never to a finalized guard. */
static GMutex active_lock;
/* Serializes writing the report: on demand (server thread) and at the end.
 * Never held while waiting for finish_lock, so the end, which stops the
 * server thread, cannot deadlock with a write on demand. */
static GMutex write_lock;

static void
hotpath_guard_dispose (GObject *object)
{
  HotpathGuard *self = HOTPATH_GUARD (object);

  hotpath_guard_finish (self, NULL);

  G_OBJECT_CLASS (hotpath_guard_parent_class)->dispose (object);
}

static void
hotpath_guard_finalize (GObject *object)
{
  HotpathGuard *self = HOTPATH_GUARD (object);

  hotpath_config_clear (&self->config);
  g_clear_error (&self->report_error);
  g_mutex_clear (&self->finish_lock);

  G_OBJECT_CLASS (hotpath_guard_parent_class)->finalize (object);
}

static void
hotpath_guard_class_init (HotpathGuardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hotpath_guard_dispose;
  object_class->finalize = hotpath_guard_finalize;
}

static void
hotpath_guard_init (HotpathGuard *self)
{
  g_mutex_init (&self->finish_lock);
}

/* The timeout holds a weak reference: the user's last unref must still
 * finish the session (and write its report) at once. */
static void
on_timeout (gpointer data)
{
  g_autoptr(HotpathGuard) self = g_weak_ref_get (data);

  if (self != NULL)
    hotpath_guard_finish (self, NULL);
}

static void
timeout_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

void
hotpath_guard_set_automatic (HotpathGuard *self)
{
  g_atomic_int_set (&self->automatic, TRUE);
}

/* A guard built while measure-all's automatic session runs replaces it:
 * that session ends without a report. Its guard is never freed (main_guard
 * in hotpath-main.c holds it), so reading it here is safe. */
static gboolean
dismiss_automatic_guard (void)
{
  HotpathGuard *active = g_atomic_pointer_get (&active_guard);

  if (active == NULL || active == (gpointer) 1 || !g_atomic_int_get (&active->automatic))
    return FALSE;

  g_mutex_lock (&active->finish_lock);
  if (!active->finished)
    {
      active->finished = TRUE;
      g_clear_pointer (&active->server, hotpath_server_stop);
      hotpath_collector_stop ();
      g_atomic_pointer_compare_and_exchange (&active_guard, active, NULL);
    }
  g_mutex_unlock (&active->finish_lock);

  return TRUE;
}

/* A second session is a programmer error: with nobody to take the error,
 * it stays as loud as a g_return_if_fail(). */
static void
fail (GError     **error,
      HotpathError code,
      const char  *message)
{
  if (error == NULL)
    g_critical ("%s", message);
  else
    g_set_error_literal (error, HOTPATH_ERROR, code, message);
}

/*
 * hotpath_guard_new:
 * @config: the session's configuration, environment applied
 * @error: where to say why no session started; a critical if %NULL
 *
 * Returns: (transfer full) (nullable): a running guard, or %NULL if another
 *   guard is active
 */
HotpathGuard *
hotpath_guard_new (const HotpathConfig  *config,
                   GError              **error)
{
  HotpathGuard *self;

  if (!g_atomic_pointer_compare_and_exchange (&active_guard, NULL, (gpointer) 1) &&
      !(dismiss_automatic_guard () &&
        g_atomic_pointer_compare_and_exchange (&active_guard, NULL, (gpointer) 1)))
    {
      fail (error, HOTPATH_ERROR_BUSY,
            "A hotpath guard is already active; finish it before building another. "
            "This one is ignored.");
      return NULL;
    }

  if (!hotpath_collector_start (config->logs_limit))
    {
      g_atomic_pointer_set (&active_guard, NULL);
      fail (error,
            hotpath_collector_is_forked_child () ? HOTPATH_ERROR_NOT_SUPPORTED : HOTPATH_ERROR_BUSY,
            "The hotpath collector cannot start: a session is already recording, "
            "or this is a forked child, which runs unprofiled");
      return NULL;
    }

  self = g_object_new (HOTPATH_TYPE_GUARD, NULL);
  hotpath_config_copy (&self->config, config);
  g_mutex_lock (&active_lock);
  g_atomic_pointer_set (&active_guard, self);
  g_mutex_unlock (&active_lock);

  /* Ctrl-C, SIGTERM, SIGHUP and exec*() write the report too. */
  hotpath_guard_ends_install ();

  /* Live data: HTTP, MCP and D-Bus on the profiler's own thread. */
  self->server = hotpath_server_start (&self->config);

  if (self->config.timeout_ms > 0)
    {
      GWeakRef *ref = g_new0 (GWeakRef, 1);

      g_weak_ref_init (ref, self);
      hotpath_collector_set_timeout (self->config.timeout_ms, on_timeout, ref, timeout_ref_free);
    }

  return self;
}

/* The live server of the session, for tests; NULL when it is off. */
HotpathServer *
hotpath_guard_get_server (HotpathGuard *self)
{
  return self->server;
}

/**
 * hotpath_guard_snapshot:
 * @self: a #HotpathGuard
 *
 * Takes a snapshot of everything measured so far, without ending the
 * session.
 *
 * Returns: (transfer full): a new snapshot
 */
HotpathSnapshot *
hotpath_guard_snapshot (HotpathGuard *self)
{
  g_return_val_if_fail (HOTPATH_IS_GUARD (self), NULL);

  return hotpath_collector_snapshot (self->config.name, self->config.percentiles,
                                     self->config.limit);
}

static gboolean
write_all (FILE       *stream,
           const char *text)
{
  gsize length = strlen (text);

  return fwrite (text, 1, length, stream) == length && fflush (stream) == 0;
}

/* Nothing measured at all: a `--help` run or a program that failed early. */
static gboolean
snapshot_is_empty (HotpathSnapshot *snapshot)
{
  for (guint i = 0; i < hotpath_registry_get_n_sections (); i++)
    {
      const HotpathSectionDesc *section = hotpath_registry_get_section (i);

      if (!section->background && hotpath_section_get_n_rows (section, snapshot) > 0)
        return FALSE;
    }

  return TRUE;
}

/* Where the built-in formats write: stderr, because stdout belongs to the
 * program (`prog | jq` must see only the program's output); "-" is stdout. */
static gboolean
output_is_stdout (HotpathGuard *self)
{
  return g_strcmp0 (self->config.output_path, "-") == 0;
}

/* Writes the report where the configuration says. When that fails,
 * @fallback receives the text for the caller to print on stderr after it
 * has said why, so the report is never lost. */
static gboolean
write_report (HotpathGuard     *self,
              HotpathSnapshot  *snapshot,
              char            **fallback,
              GError          **error)
{
  g_autofree char *text = NULL;
  FILE *stream = output_is_stdout (self) ? stdout : stderr;
  gboolean to_file = self->config.output_path != NULL && !output_is_stdout (self);
  gboolean ok;

  if (self->config.reporter != NULL)
    {
      if (!hotpath_reporter_report (self->config.reporter, snapshot, error))
        {
          g_prefix_error (error, "the %s reporter failed: ", G_OBJECT_TYPE_NAME (self->config.reporter));
          return FALSE;
        }
      return TRUE;
    }

  switch (self->config.format)
    {
    case HOTPATH_FORMAT_NONE:
      return TRUE;
    case HOTPATH_FORMAT_JSON:
    case HOTPATH_FORMAT_JSON_PRETTY:
      {
        g_autofree char *json = hotpath_snapshot_to_json (snapshot, self->config.format == HOTPATH_FORMAT_JSON_PRETTY);
        text = g_strconcat (json, "\n", NULL);
      }
      break;
    case HOTPATH_FORMAT_TABLE:
    default:
      /* An empty table on a terminal stream says nothing anyone asked for
       * (`prog --help`); a file, JSON or a reporter was asked for. */
      if (!to_file && snapshot_is_empty (snapshot))
        return TRUE;
      text = hotpath_report_table (snapshot);
      break;
    }

  if (to_file)
    {
      stream = fopen (self->config.output_path, "w");
      if (stream == NULL)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       "cannot write the report to %s: %s; printing it on stderr instead",
                       self->config.output_path, g_strerror (saved_errno));
          *fallback = g_steal_pointer (&text);
          return FALSE;
        }
    }

  ok = write_all (stream, text);

  if (to_file)
    {
      ok = (fclose (stream) == 0) && ok;
      if (!ok)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO,
                       "writing the report to %s failed; printing it on stderr instead",
                       self->config.output_path);
          *fallback = g_steal_pointer (&text);
        }
    }
  else if (!ok)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "writing the report to %s failed",
                 stream == stdout ? "stdout" : "stderr");

  return ok;
}

static HotpathGuard *
ref_active_guard (void)
{
  HotpathGuard *guard = NULL;
  gpointer current;

  g_mutex_lock (&active_lock);
  current = g_atomic_pointer_get (&active_guard);
  if (current != NULL && current != (gpointer) 1)
    guard = g_object_ref (current);
  g_mutex_unlock (&active_lock);

  return guard;
}

static char *
describe_destination (HotpathGuard *self)
{
  if (self->config.reporter != NULL)
    return g_strdup_printf ("reporter %s", G_OBJECT_TYPE_NAME (self->config.reporter));
  if (self->config.format == HOTPATH_FORMAT_NONE)
    return g_strdup ("none");
  if (self->config.output_path == NULL)
    return g_strdup ("stderr");
  if (output_is_stdout (self))
    return g_strdup ("stdout");
  return g_strdup (self->config.output_path);
}

/*
 * hotpath_report_write_now:
 * @destination: (out) (optional): where it went: "stderr", "stdout", a
 *   file path, "reporter TypeName" or "none"
 *
 * Writes the report of the running session, as it stands, where the
 * session's report goes (a file is rewritten), and keeps the session
 * running. For the D-Bus method WriteReport and POST /report/write.
 */
gboolean
hotpath_report_write_now (char   **destination,
                          GError **error)
{
  g_autoptr(HotpathGuard) guard = ref_active_guard ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autofree char *fallback = NULL;
  gboolean ok;

  if (guard == NULL || g_atomic_int_get (&guard->finished))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no profiling session is running");
      return FALSE;
    }

  snapshot = hotpath_guard_snapshot (guard);

  g_mutex_lock (&write_lock);
  ok = write_report (guard, snapshot, &fallback, error);
  if (fallback != NULL)
    write_all (stderr, fallback);
  g_mutex_unlock (&write_lock);

  if (ok && destination != NULL)
    *destination = describe_destination (guard);

  return ok;
}

void
hotpath_guard_finish_active (void)
{
  g_autoptr(HotpathGuard) guard = ref_active_guard ();

  if (guard != NULL)
    hotpath_guard_finish (guard, NULL);
}

/**
 * hotpath_guard_finish:
 * @self: a #HotpathGuard
 * @error: return location for a #GError, or %NULL
 *
 * Ends the session and writes its report, once; later calls return the
 * first result again. Another guard can be built afterwards.
 *
 * When the report cannot be written, @error says why (a custom reporter's
 * own error, or a #GFileError for the output file, in which case the
 * report went to stderr instead). When nobody asks for the error (@error
 * is %NULL, or the session ends at exit, on its timeout or on the last
 * unref), it is logged as a message in the "Hotpath" log domain.
 *
 * Returns: %TRUE if the report was written
 *
 * Since: 0.1
 */
gboolean
hotpath_guard_finish (HotpathGuard  *self,
                      GError       **error)
{
  gboolean ret;

  g_return_val_if_fail (HOTPATH_IS_GUARD (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* exit() called while this thread writes the report (from a custom
   * reporter, say) comes back here through the atexit handler: the
   * report is already being written, and waiting would deadlock. */
  if (g_atomic_pointer_get (&self->finishing_thread) == g_thread_self ())
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                           "the report is being written by this thread already");
      return FALSE;
    }

  /* A second caller (exit() on another thread, say) waits here until the
   * report is out, so the process cannot end halfway through it. */
  g_mutex_lock (&self->finish_lock);
  g_atomic_pointer_set (&self->finishing_thread, g_thread_self ());

  /* A forked child reports nothing: its parent owns the session. */
  if (!self->finished && hotpath_collector_is_forked_child ())
    {
      self->finished = TRUE;
      self->report_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                "a forked child writes no report; "
                                                "its parent owns the session");
    }

  if (!self->finished)
    {
      g_autoptr(HotpathSnapshot) snapshot = NULL;
      g_autofree char *fallback = NULL;

      self->finished = TRUE;
      /* Live data first: nothing may ask for a snapshot once it stops. */
      g_clear_pointer (&self->server, hotpath_server_stop);
      hotpath_collector_stop ();
      snapshot = hotpath_collector_snapshot (self->config.name, self->config.percentiles,
                                             self->config.limit);
      /* When nobody asks for the error, say it, before the report it
       * explains. */
      g_mutex_lock (&write_lock);
      if (!write_report (self, snapshot, &fallback, &self->report_error) && error == NULL)
        g_message ("%s", self->report_error->message);
      if (fallback != NULL)
        write_all (stderr, fallback);
      g_mutex_unlock (&write_lock);
      g_mutex_lock (&active_lock);
      g_atomic_pointer_compare_and_exchange (&active_guard, self, NULL);
      g_mutex_unlock (&active_lock);
      hotpath_guard_ends_uninstall ();
    }

  ret = self->report_error == NULL;
  if (!ret && error != NULL)
    *error = g_error_copy (self->report_error);

  g_atomic_pointer_set (&self->finishing_thread, NULL);
  g_mutex_unlock (&self->finish_lock);

  return ret;
}
