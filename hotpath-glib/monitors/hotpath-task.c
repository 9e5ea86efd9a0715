/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-task.c: GTask and GIO _async calls as futures.
 *
 * GTask cannot be subclassed and its callback is private, so a watched task
 * carries a small record as qdata, filled in by whoever touches the task:
 * hotpath_task_run_in_thread() (queued), its trampoline (run start and end,
 * on the pool thread), the hotpath_task_return_*() calls (how it returned),
 * the "completed" notify (fires once, right after the callback, in the
 * callback's context) and a weak reference (the task is going away). Each
 * step happens after the one before it through GTask's own
 * synchronisation, so the record needs no lock. On finalization the record
 * goes to the worker as one event and the worker adds it up per label.
 *
 * HOTPATH_ASYNC() passes a trampoline as the callback of any _async call:
 * start to callback, success or error (when the result is a GTask, as for
 * nearly all of GIO).
 */

#include "config.h"

#include <string.h>

#include "hotpath-flow-private.h"
#include "hotpath-format-private.h"
#include "hotpath-snapshot-private.h"
#include "hotpath-task.h"

#define MAX_SITES 4096

/* This section's events, after the first kind the registry gave it. */
enum
{
  EVENT_TASK_DONE,      /* key TaskRecord (the worker frees it) */
  EVENT_ASYNC_DONE,     /* key FutureStats, start..end, extra = 1 on error */
  EVENT_FUTURE_CREATED, /* key FutureStats, start = created (task or async call) */
  EVENT_TASK_RETURNED,  /* key FutureStats: now awaiting its callback */
  EVENT_TASK_CALLBACK,  /* key FutureStats: no longer awaiting (callback done) */
  N_EVENTS,
};
static guint32          first_event;
static HotpathFlowItems future_items;

enum
{
  OUTCOME_NONE,
  OUTCOME_VALUE,
  OUTCOME_ERROR,
  OUTCOME_CANCELLED,
};

typedef struct
{
  HotpathFlowItem    item;
  char              *name;
  char              *file;
  guint              line;
  const char        *type;
  gboolean           log;
  /* worker (counted from events: no cache line shared by the threads
   * that make tasks) */
  guint64            created;
  guint64            returned;       /* returns noted while the callback was pending */
  guint64            awaiting_ended;
  guint64            ran_in_thread;
  guint64            returned_value;
  guint64            returned_error;
  guint64            cancelled;
  guint64            callbacks;
  guint64            finalized;
  guint64            no_return;
  guint64            no_callback;
  HotpathHistogram   queue_wait;
  HotpathHistogram   run;
  HotpathHistogram   to_callback;
  HotpathHistogram   lifetime;
  HotpathFlowLogRing logs;
} FutureStats;

typedef struct
{
  FutureStats     *stats;
  GTask           *task;          /* not a reference; NULL once released */
  GCancellable    *cancellable;
  GTaskThreadFunc  func;
  guint64          created;
  guint64          queued;
  guint64          run_start;
  guint64          run_end;
  guint64          returned;
  guint64          completed;
  guint64          finalized;
  guint8           outcome;
  guint8           ran_in_thread;
  guint8           awaiting;        /* a TASK_RETURNED event was sent */
} TaskRecord;

typedef struct
{
  FutureStats         *stats;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
  guint64              start;
} AsyncCall;

static GMutex       sites_lock;
static GHashTable  *stats_by_label;   /* "type\nlabel" -> FutureStats */
static FutureStats *stats_by_index[MAX_SITES];
static guint        n_stats;
static GQuark       record_quark;

/* ---------------------------------------------------------------- stats */

static void
future_stats_reset (HotpathFlowItem *item)
{
  FutureStats *self = (FutureStats *) item;

  self->created = 0;
  self->returned = 0;
  self->awaiting_ended = 0;
  self->ran_in_thread = 0;
  self->returned_value = 0;
  self->returned_error = 0;
  self->cancelled = 0;
  self->callbacks = 0;
  self->finalized = 0;
  self->no_return = 0;
  self->no_callback = 0;
  hotpath_histogram_clear (&self->queue_wait);
  hotpath_histogram_clear (&self->run);
  hotpath_histogram_clear (&self->to_callback);
  hotpath_histogram_clear (&self->lifetime);
  hotpath_flow_log_ring_clear (&self->logs);
}

static gpointer
future_stats_snapshot (HotpathFlowItem *item,
                       guint64          session_start_ticks)
{
  FutureStats *self = (FutureStats *) item;
  HotpathFlowFuture *copy;
  guint64 awaiting = self->returned > self->awaiting_ended ? self->returned - self->awaiting_ended : 0;

  if (self->created == 0 && self->finalized == 0 && self->callbacks == 0 && awaiting == 0)
    return NULL;

  copy = g_new0 (HotpathFlowFuture, 1);
  copy->id = self->item.id;
  copy->name = g_strdup (self->name);
  copy->file = g_strdup (self->file);
  copy->line = self->line;
  copy->type = self->type;
  copy->created = self->created;
  copy->ran_in_thread = self->ran_in_thread;
  copy->returned_value = self->returned_value;
  copy->returned_error = self->returned_error;
  copy->cancelled = self->cancelled;
  copy->callbacks = self->callbacks;
  copy->finalized = self->finalized;
  copy->no_return = self->no_return;
  copy->no_callback = self->no_callback;
  copy->awaiting_callback = awaiting;
  hotpath_histogram_copy (&copy->queue_wait, &self->queue_wait);
  hotpath_histogram_copy (&copy->run, &self->run);
  hotpath_histogram_copy (&copy->to_callback, &self->to_callback);
  hotpath_histogram_copy (&copy->lifetime, &self->lifetime);
  copy->logs = hotpath_flow_log_ring_copy (&self->logs, &copy->n_logs);

  return copy;
}

static char *
site_name (const char        *label,
           const HotpathSite *site)
{
  g_autofree char *base = NULL;

  if (label != NULL)
    return g_strdup (label);
  if (site == NULL || site->file == NULL)
    return g_strdup ("(unknown)");

  base = g_path_get_basename (site->file);
  return g_strdup_printf ("%s:%u", base, site->line);
}

static void
ensure_quarks (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      record_quark = g_quark_from_static_string ("hotpath-task-record");
      g_once_init_leave (&initialized, 1);
    }
}

/* The stats of a call site. The site's id (which the core never sees for
 * these sites) caches the index, so after the first call this is a load. */
static FutureStats *
future_stats_for_site (const HotpathSite *site,
                       const char        *label,
                       gboolean           log,
                       const char        *type)
{
  HotpathSite *writable = (HotpathSite *) site;
  guint index = site ? __atomic_load_n (&writable->id, __ATOMIC_ACQUIRE) : 0;
  g_autofree char *name = NULL;
  g_autofree char *key = NULL;
  FutureStats *self;

  ensure_quarks ();

  if (G_LIKELY (index != 0))
    return stats_by_index[index - 1];

  name = site_name (label, site);
  key = g_strdup_printf ("%s\n%s", type, name);

  g_mutex_lock (&sites_lock);

  if (stats_by_label == NULL)
    stats_by_label = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self = g_hash_table_lookup (stats_by_label, key);
  if (self == NULL)
    {
      self = g_new0 (FutureStats, 1);
          self->item.reset = future_stats_reset;
      self->item.snapshot = future_stats_snapshot;
      self->name = g_steal_pointer (&name);
      self->file = site ? g_strdup (site->file) : NULL;
      self->line = site ? site->line : 0;
      self->type = type;
      hotpath_histogram_init (&self->queue_wait);
      hotpath_histogram_init (&self->run);
      hotpath_histogram_init (&self->to_callback);
      hotpath_histogram_init (&self->lifetime);
      g_hash_table_insert (stats_by_label, g_steal_pointer (&key), self);
      hotpath_flow_items_add (&future_items, &self->item);
    }
  self->log |= log;

  if (site != NULL && n_stats < MAX_SITES)
    {
      stats_by_index[n_stats++] = self;
      __atomic_store_n (&writable->id, n_stats, __ATOMIC_RELEASE);
    }

  g_mutex_unlock (&sites_lock);

  return self;
}

static inline gboolean
recording (void)
{
  return __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) != HOTPATH_RECORDING_OFF;
}

static inline guint64
now_ticks (void)
{
  return recording () ? hotpath_clock_read () : 0;
}

/* ---------------------------------------------------------------- tasks */

static void
note_outcome (TaskRecord *record,
              GTask      *task)
{
  if (record->outcome != OUTCOME_NONE)
    return;

  if (g_task_had_error (task))
    record->outcome = record->cancellable && g_cancellable_is_cancelled (record->cancellable)
                        ? OUTCOME_CANCELLED : OUTCOME_ERROR;
  else if (g_task_get_completed (task))
    record->outcome = OUTCOME_VALUE;
}

static inline void
send (guint32       kind,
      FutureStats  *stats,
      guint64       ticks)
{
  if (ticks != 0)
    hotpath_collector_record_full (kind, stats, ticks, 0, 0);
}

/* With `.log = TRUE` only: the exact end of the callback. */
static void
task_completed (GObject    *object,
                GParamSpec *pspec,
                gpointer    data)
{
  TaskRecord *record = data;

  record->completed = now_ticks ();
  if (record->awaiting)
    {
      record->awaiting = FALSE;
      send (first_event + EVENT_TASK_CALLBACK, record->stats, record->completed);
    }
  if (record->completed == 0)
    record->completed = 1;
  note_outcome (record, G_TASK (object));
}

/* The qdata's destroy notify: g_object_finalize() runs it after GTask's
 * own finalize, when the task's memory is still there but its members are
 * released, so only the completed flag and had_error are read. One qdata
 * entry does the work of a weak reference and a lookup table: per task it
 * costs one GData slot, not a signal handler (see docs/performance.md). */
static void
task_released (gpointer data)
{
  TaskRecord *record = data;
  GTask *task = record->task;
  guint64 now = now_ticks ();

  if (g_task_get_completed (task))
    {
      /* Without the notify, the callback's end is taken as the release,
       * which GTask itself does right after the callback unless the
       * application still holds the task. */
      if (record->completed == 0)
        record->completed = now ? now : 1;
      note_outcome (record, task);
    }
  else if (record->outcome == OUTCOME_NONE && g_task_had_error (task))
    record->outcome = OUTCOME_ERROR;

  /* The worker ends the wait if record->awaiting is still set. */
  g_clear_object (&record->cancellable);
  record->task = NULL;

  if (now == 0)
    {
      g_free (record);
      return;
    }

  record->finalized = now;
  hotpath_collector_record_full (first_event + EVENT_TASK_DONE, record, record->created,
                                 record->finalized, 0);
}

/**
 * hotpath_task_register:
 * @task: a #GTask
 * @options: what HOTPATH_TASK() was given
 * @site: (nullable): where it was called
 *
 * What HOTPATH_TASK() calls.
 *
 * Returns: (transfer none): @task
 */
GTask *
hotpath_task_register (GTask                    *task,
                       const HotpathTaskOptions *options,
                       const HotpathSite        *site)
{
  TaskRecord *record;
  FutureStats *stats;
  GCancellable *cancellable;

  g_return_val_if_fail (G_IS_TASK (task), task);

  stats = future_stats_for_site (site, options ? options->label : NULL,
                                 options ? options->log : FALSE, "task");
  /* No check for a second HOTPATH_TASK on the same task: it would cost a
   * qdata lookup on every task, and replacing the qdata releases the
   * first record (counted as finalized without returning). */
  record = g_new0 (TaskRecord, 1);
  record->stats = stats;
  record->task = task;
  record->created = now_ticks ();
  send (first_event + EVENT_FUTURE_CREATED, stats, record->created);
  if ((cancellable = g_task_get_cancellable (task)) != NULL)
    record->cancellable = g_object_ref (cancellable);

  g_object_set_qdata_full (G_OBJECT (task), record_quark, record, task_released);
  if (stats->log)
    g_signal_connect (task, "notify::completed", G_CALLBACK (task_completed), record);

  return task;
}

static inline TaskRecord *
task_record (GTask *task)
{
  if (record_quark == 0)
    return NULL;
  return g_object_get_qdata (G_OBJECT (task), record_quark);
}

static void
task_thread_trampoline (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  TaskRecord *record = task_record (task);

  record->run_start = now_ticks ();
  record->func (task, source_object, task_data, cancellable);
  record->run_end = now_ticks ();
}

static void
run_in_thread (GTask           *task,
               GTaskThreadFunc  task_func,
               gboolean         sync)
{
  TaskRecord *record = task_record (task);

  if (record == NULL)
    {
      if (sync)
        g_task_run_in_thread_sync (task, task_func);
      else
        g_task_run_in_thread (task, task_func);
      return;
    }

  record->func = task_func;
  record->queued = now_ticks ();
  record->ran_in_thread = TRUE;

  if (sync)
    g_task_run_in_thread_sync (task, task_thread_trampoline);
  else
    g_task_run_in_thread (task, task_thread_trampoline);
}

/**
 * hotpath_task_run_in_thread:
 * @task: a #GTask
 * @task_func: (scope async): the function to run in a thread
 *
 * g_task_run_in_thread(), timed: the wait for a pool thread and the run.
 */
void
hotpath_task_run_in_thread (GTask           *task,
                            GTaskThreadFunc  task_func)
{
  g_return_if_fail (G_IS_TASK (task));
  run_in_thread (task, task_func, FALSE);
}

/**
 * hotpath_task_run_in_thread_sync:
 * @task: a #GTask
 * @task_func: (scope call): the function to run in a thread
 *
 * g_task_run_in_thread_sync(), timed.
 */
void
hotpath_task_run_in_thread_sync (GTask           *task,
                                 GTaskThreadFunc  task_func)
{
  g_return_if_fail (G_IS_TASK (task));
  run_in_thread (task, task_func, TRUE);
}

static inline void
note_return (GTask *task,
             guint8 outcome)
{
  TaskRecord *record = task_record (task);

  if (record != NULL)
    {
      record->returned = now_ticks ();
      record->outcome = outcome;
      /* Before the return: the callback may run inside it. */
      if (!record->awaiting && record->completed == 0 && record->returned != 0)
        {
          record->awaiting = TRUE;
          send (first_event + EVENT_TASK_RETURNED, record->stats, record->returned);
        }
    }
}

/**
 * hotpath_task_return_pointer:
 * @task: a #GTask
 * @result: (nullable) (transfer full): the result
 * @result_destroy: (nullable): frees @result if it is never propagated
 *
 * g_task_return_pointer(), noted.
 */
void
hotpath_task_return_pointer (GTask          *task,
                             gpointer        result,
                             GDestroyNotify  result_destroy)
{
  note_return (task, OUTCOME_VALUE);
  g_task_return_pointer (task, result, result_destroy);
}

/**
 * hotpath_task_return_boolean:
 * @task: a #GTask
 * @result: the result
 *
 * g_task_return_boolean(), noted.
 */
void
hotpath_task_return_boolean (GTask    *task,
                             gboolean  result)
{
  note_return (task, OUTCOME_VALUE);
  g_task_return_boolean (task, result);
}

/**
 * hotpath_task_return_int:
 * @task: a #GTask
 * @result: the result
 *
 * g_task_return_int(), noted.
 */
void
hotpath_task_return_int (GTask  *task,
                         gssize  result)
{
  note_return (task, OUTCOME_VALUE);
  g_task_return_int (task, result);
}

/**
 * hotpath_task_return_error:
 * @task: a #GTask
 * @error: (transfer full): the error
 *
 * g_task_return_error(), noted; %G_IO_ERROR_CANCELLED counts as cancelled.
 */
void
hotpath_task_return_error (GTask  *task,
                           GError *error)
{
  note_return (task, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                       ? OUTCOME_CANCELLED : OUTCOME_ERROR);
  g_task_return_error (task, error);
}

/**
 * hotpath_task_return_error_if_cancelled:
 * @task: a #GTask
 *
 * g_task_return_error_if_cancelled(), noted.
 *
 * Returns: whether the task was cancelled and has returned
 */
gboolean
hotpath_task_return_error_if_cancelled (GTask *task)
{
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    note_return (task, OUTCOME_CANCELLED);

  return g_task_return_error_if_cancelled (task);
}

/* ------------------------------------------------------ HOTPATH_ASYNC */

/**
 * hotpath_async_begin:
 * @site: the call site, with its label
 * @callback: (nullable): the caller's callback
 * @user_data: its data
 *
 * What HOTPATH_ASYNC() calls to start timing.
 *
 * Returns: (transfer full): the data for hotpath_async_ready()
 */
gpointer
hotpath_async_begin (const HotpathSite   *site,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  AsyncCall *call = g_new (AsyncCall, 1);

  call->stats = future_stats_for_site (site, site ? site->label : NULL, FALSE, "async");
  call->callback = callback;
  call->user_data = user_data;
  call->start = now_ticks ();
  send (first_event + EVENT_FUTURE_CREATED, call->stats, call->start);

  return call;
}

/**
 * hotpath_async_ready:
 * @source_object: (nullable): as for #GAsyncReadyCallback
 * @result: the result
 * @data: what hotpath_async_begin() returned
 *
 * The callback HOTPATH_ASYNC() passes: records, then calls the caller's.
 */
void
hotpath_async_ready (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      data)
{
  AsyncCall *call = data;
  gboolean failed = G_IS_TASK (result) && g_task_had_error (G_TASK (result));

  if (call->start != 0 && recording ())
    hotpath_collector_record_full (first_event + EVENT_ASYNC_DONE, call->stats, call->start,
                                   hotpath_clock_read (), failed);

  if (call->callback != NULL)
    call->callback (source_object, result, call->user_data);

  g_free (call);
}

/* --------------------------------------------------------------- worker */

static const char *
outcome_name (const TaskRecord *record)
{
  if (record->completed == 0)
    return record->outcome != OUTCOME_NONE ? "no_callback" : "no_return";

  switch (record->outcome)
    {
    case OUTCOME_ERROR:
      return "error";
    case OUTCOME_CANCELLED:
      return "cancelled";
    default:
      return "value";
    }
}

static inline guint64
span_ns (guint64 from,
         guint64 to)
{
  return from != 0 && to >= from ? hotpath_flow_ticks_to_ns (to - from) : 0;
}

static void
futures_aggregate (const HotpathEvent        *event,
                   const HotpathEventContext *context)
{
  guint32 kind = context->kind;
  guint64 thread_id = context->thread_id;
  guint64 session_start_ticks = context->session_start_ticks;
  guint logs_limit = context->logs_limit;

  if (kind == EVENT_FUTURE_CREATED ||
      kind == EVENT_TASK_RETURNED ||
      kind == EVENT_TASK_CALLBACK)
    {
      FutureStats *stats = (FutureStats *) event->key;

      if (event->start < session_start_ticks)
        return;
      if (kind == EVENT_FUTURE_CREATED)
        stats->created++;
      else if (kind == EVENT_TASK_RETURNED)
        stats->returned++;
      else
        stats->awaiting_ended++;
      return;
    }

  if (kind == EVENT_ASYNC_DONE)
    {
      FutureStats *stats = (FutureStats *) event->key;
      guint64 duration_ns;

      if (event->start < session_start_ticks)
        return;

      duration_ns = span_ns (event->start, event->end);
      stats->callbacks++;
      stats->finalized++;
      if (event->reserved)
        stats->returned_error++;
      else
        stats->returned_value++;
      hotpath_histogram_record (&stats->to_callback, duration_ns);
      hotpath_histogram_record (&stats->lifetime, duration_ns);
      return;
    }

  if (kind == EVENT_TASK_DONE)
    {
      TaskRecord *record = (TaskRecord *) event->key;
      FutureStats *stats = record->stats;
      const char *outcome = outcome_name (record);
      guint64 lifetime_ns = span_ns (record->created, record->finalized);
      guint64 to_callback_ns = 0;
      HotpathFlowLog *entry;

      if (record->created < session_start_ticks)
        {
          g_free (record);
          return;
        }

      if (record->awaiting)
        stats->awaiting_ended++;

      stats->finalized++;
      if (record->ran_in_thread)
        {
          stats->ran_in_thread++;
          if (record->run_start != 0)
            {
              hotpath_histogram_record (&stats->queue_wait, span_ns (record->queued, record->run_start));
              hotpath_histogram_record (&stats->run, span_ns (record->run_start, record->run_end));
            }
        }

      if (record->completed != 0)
        {
          /* Without a hotpath_task_return_*() call, a thread function
           * is taken to return the task as it ends, as most do. */
          guint64 returned = record->returned ? record->returned : record->run_end;

          stats->callbacks++;
          if (returned != 0)
            {
              to_callback_ns = span_ns (returned, record->completed);
              hotpath_histogram_record (&stats->to_callback, to_callback_ns);
            }
        }

      if (strcmp (outcome, "value") == 0)
        stats->returned_value++;
      else if (strcmp (outcome, "error") == 0)
        stats->returned_error++;
      else if (strcmp (outcome, "cancelled") == 0)
        stats->cancelled++;
      else if (strcmp (outcome, "no_callback") == 0)
        stats->no_callback++;
      else
        stats->no_return++;

      hotpath_histogram_record (&stats->lifetime, lifetime_ns);

      if (stats->log && (entry = hotpath_flow_log_ring_add (&stats->logs, logs_limit)) != NULL)
        {
          entry->at_ns = hotpath_flow_at_ns (record->created, session_start_ticks);
          entry->duration_ns = lifetime_ns;
          entry->value_ns = to_callback_ns;
          entry->thread_id = thread_id;
          entry->outcome = outcome;
          if (record->ran_in_thread && record->run_start != 0)
            entry->text = g_strdup_printf ("queued %" G_GUINT64_FORMAT " ns, ran %" G_GUINT64_FORMAT " ns",
                                           span_ns (record->queued, record->run_start),
                                           span_ns (record->run_start, record->run_end));
        }

      g_free (record);
    }
}

/* ------------------------------------------------------------ section */

static void
futures_reset (void)
{
  hotpath_flow_items_reset (&future_items);
}

static gpointer
futures_snapshot (const HotpathSnapshotContext *context)
{
  return hotpath_flow_items_snapshot (&future_items, context->session_start_ticks,
                                      hotpath_flow_future_free);
}

enum
{
  COLUMN_ID,
  COLUMN_NAME,
  COLUMN_TYPE,
  COLUMN_FILE,
  COLUMN_LINE,
  COLUMN_CREATED,
  COLUMN_IN_FLIGHT,
  COLUMN_COMPLETED,
  COLUMN_RAN_IN_THREAD,
  COLUMN_RETURNED_VALUE,
  COLUMN_RETURNED_ERROR,
  COLUMN_CANCELLED,
  COLUMN_CALLBACKS,
  COLUMN_NO_RETURN,
  COLUMN_NO_CALLBACK,
  COLUMN_AWAITING_CALLBACK,
  COLUMN_QUEUE_WAIT,
  COLUMN_RUN,
  COLUMN_TO_CALLBACK,
  COLUMN_LIFETIME,
  COLUMN_LOGS,
};

static void
future_get (gconstpointer       row,
            const HotpathField *field,
            HotpathValue       *value)
{
  const HotpathFlowFuture *future = row;

  switch (field->arg)
    {
    case COLUMN_ID:                hotpath_value_set_uint (value, future->id); break;
    case COLUMN_NAME:              hotpath_value_set_string (value, future->name); break;
    case COLUMN_TYPE:              hotpath_value_set_string (value, future->type); break;
    case COLUMN_FILE:              hotpath_value_set_string (value, future->file); break;
    case COLUMN_LINE:              hotpath_value_set_uint (value, future->line); break;
    case COLUMN_CREATED:           hotpath_value_set_uint (value, future->created); break;
    case COLUMN_IN_FLIGHT:
      hotpath_value_set_uint (value, future->created > future->finalized ? future->created - future->finalized : 0);
      break;
    case COLUMN_COMPLETED:         hotpath_value_set_uint (value, future->finalized); break;
    case COLUMN_RAN_IN_THREAD:     hotpath_value_set_uint (value, future->ran_in_thread); break;
    case COLUMN_RETURNED_VALUE:    hotpath_value_set_uint (value, future->returned_value); break;
    case COLUMN_RETURNED_ERROR:    hotpath_value_set_uint (value, future->returned_error); break;
    case COLUMN_CANCELLED:         hotpath_value_set_uint (value, future->cancelled); break;
    case COLUMN_CALLBACKS:         hotpath_value_set_uint (value, future->callbacks); break;
    case COLUMN_NO_RETURN:         hotpath_value_set_uint (value, future->no_return); break;
    case COLUMN_NO_CALLBACK:       hotpath_value_set_uint (value, future->no_callback); break;
    case COLUMN_AWAITING_CALLBACK: hotpath_value_set_uint (value, future->awaiting_callback); break;
    case COLUMN_QUEUE_WAIT:        hotpath_value_set_histogram (value, &future->queue_wait, 1.0); break;
    case COLUMN_RUN:               hotpath_value_set_histogram (value, &future->run, 1.0); break;
    case COLUMN_TO_CALLBACK:       hotpath_value_set_histogram (value, &future->to_callback, 1.0); break;
    case COLUMN_LIFETIME:          hotpath_value_set_histogram (value, &future->lifetime, 1.0); break;
    case COLUMN_LOGS:              hotpath_value_set_rows (value, future); break;
    default:                       break;
    }
}

static guint
future_logs_count (gconstpointer container)
{
  const HotpathFlowFuture *future = container;

  return future->n_logs;
}

static gconstpointer
future_logs_nth (gconstpointer container,
                 guint         index)
{
  const HotpathFlowFuture *future = container;

  return hotpath_flow_logs_nth (future->logs, future->n_logs, index);
}

static const HotpathField future_log_fields[] = {
  { "index", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "tasks logged before this one", "#",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_INDEX },
  { "at_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "when it was created, since the session started",
    "Created at", .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_AT },
  { "lifetime_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "created to finalized", "Lifetime",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_DURATION },
  { "to_callback_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "return to the end of the callback",
    "To callback", .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_VALUE },
  { "thread_id", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "the thread that finalized it", "Thread",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_THREAD },
  { "outcome", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE,
    "value, error, cancelled, no_return or no_callback", "Outcome",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_OUTCOME },
  { "text", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "time queued and running, for thread tasks",
    "Detail", .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_TEXT },
};

static const HotpathRowsDesc future_logs = {
  future_log_fields, G_N_ELEMENTS (future_log_fields), future_logs_count, future_logs_nth,
};

static const HotpathField future_fields[] = {
  { "id", HOTPATH_FIELD_ID, .get = future_get, .arg = COLUMN_ID },
  { "name", HOTPATH_FIELD_TEXT, .help = "the task's label or the _async call site",
    .title = "Future", .get = future_get, .arg = COLUMN_NAME },
  { "type", HOTPATH_FIELD_TEXT, .help = "task or async", .title = "Type",
    .get = future_get, .arg = COLUMN_TYPE },
  { "file", HOTPATH_FIELD_TEXT, .get = future_get, .arg = COLUMN_FILE },
  { "line", HOTPATH_FIELD_GAUGE, .get = future_get, .arg = COLUMN_LINE },
  { "created", HOTPATH_FIELD_COUNTER, .help = "futures created this session", .title = "Created",
    .get = future_get, .arg = COLUMN_CREATED },
  { "in_flight", HOTPATH_FIELD_GAUGE, .help = "created and not finalized yet", .title = "In flight",
    .get = future_get, .arg = COLUMN_IN_FLIGHT },
  { "completed", HOTPATH_FIELD_COUNTER, .help = "finalized", .title = "Completed",
    .get = future_get, .arg = COLUMN_COMPLETED },
  { "ran_in_thread", HOTPATH_FIELD_COUNTER, .help = "ran with g_task_run_in_thread",
    .get = future_get, .arg = COLUMN_RAN_IN_THREAD },
  { "returned_value", HOTPATH_FIELD_COUNTER, .help = "returned a value", .title = "Value",
    .get = future_get, .arg = COLUMN_RETURNED_VALUE },
  { "returned_error", HOTPATH_FIELD_COUNTER, .help = "returned an error", .title = "Error",
    .get = future_get, .arg = COLUMN_RETURNED_ERROR },
  { "cancelled", HOTPATH_FIELD_COUNTER, .help = "returned an error after cancellation",
    .title = "Cancelled", .get = future_get, .arg = COLUMN_CANCELLED },
  { "callbacks", HOTPATH_FIELD_COUNTER, .help = "callbacks run", .get = future_get,
    .arg = COLUMN_CALLBACKS },
  { "no_return", HOTPATH_FIELD_COUNTER, .help = "fault: finalized without returning",
    .title = "No return", .group = "faults", .get = future_get, .arg = COLUMN_NO_RETURN },
  { "no_callback", HOTPATH_FIELD_COUNTER, .help = "fault: returned, finalized before its callback",
    .title = "No callback", .group = "faults", .get = future_get, .arg = COLUMN_NO_CALLBACK },
  { "awaiting_callback", HOTPATH_FIELD_GAUGE, .help = "returned, callback not run yet",
    .group = "faults", .get = future_get, .arg = COLUMN_AWAITING_CALLBACK },
  { "queue_wait_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "wait for a thread", "Queue wait",
    .get = future_get, .arg = COLUMN_QUEUE_WAIT },
  { "run_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "run in the thread", "Run",
    .get = future_get, .arg = COLUMN_RUN },
  { "to_callback_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS,
    "return to the end of the callback (async: start to callback)", "To callback",
    .get = future_get, .arg = COLUMN_TO_CALLBACK },
  { "lifetime_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "created to finalized", "Lifetime",
    .get = future_get, .arg = COLUMN_LIFETIME },
  { "logs", HOTPATH_FIELD_ROWS, .help = "the last tasks of a label registered with .log = TRUE",
    .rows = &future_logs, .get = future_get, .arg = COLUMN_LOGS },
};

static const HotpathRowsDesc future_rows = {
  future_fields, G_N_ELEMENTS (future_fields), hotpath_flow_rows_count, hotpath_flow_rows_nth,
};

static void
future_row_text (const HotpathSectionDesc *section,
                 HotpathSnapshot          *snapshot,
                 gconstpointer             row,
                 GString                  *out)
{
  const HotpathFlowFuture *future = row;
  const double *ranks = (const double *) (gpointer) snapshot->percentiles->data;
  guint n_ranks = snapshot->percentiles->len;
  gboolean async = g_strcmp0 (future->type, "async") == 0;
  guint64 in_flight = future->created > future->finalized ? future->created - future->finalized : 0;

  g_string_append_printf (out, "%s, %" G_GUINT64_FORMAT " created, "
                          "%" G_GUINT64_FORMAT " completed, %" G_GUINT64_FORMAT " in flight, "
                          "%" G_GUINT64_FORMAT " ran in a thread, returned %" G_GUINT64_FORMAT " value%s, "
                          "%" G_GUINT64_FORMAT " error%s, %" G_GUINT64_FORMAT " cancelled, "
                          "%" G_GUINT64_FORMAT " callback%s ran",
                          future->type, future->created, future->finalized, in_flight,
                          future->ran_in_thread,
                          future->returned_value, hotpath_flow_plural (future->returned_value, "", "s"),
                          future->returned_error, hotpath_flow_plural (future->returned_error, "", "s"),
                          future->cancelled,
                          future->callbacks, hotpath_flow_plural (future->callbacks, "", "s"));
  if (future->no_return + future->no_callback + future->awaiting_callback == 0)
    g_string_append (out, ", no faults");
  if (future->no_return > 0)
    g_string_append_printf (out, ", FAULT %" G_GUINT64_FORMAT " finalized without returning", future->no_return);
  if (future->no_callback > 0)
    g_string_append_printf (out, ", FAULT %" G_GUINT64_FORMAT " returned but finalized before the callback ran",
                            future->no_callback);
  if (future->awaiting_callback > 0)
    g_string_append_printf (out, ", %" G_GUINT64_FORMAT " returned and still awaiting the callback",
                            future->awaiting_callback);
  hotpath_format_append_summary (out, "wait for a thread", &future->queue_wait, ranks, n_ranks);
  hotpath_format_append_summary (out, "run", &future->run, ranks, n_ranks);
  hotpath_format_append_summary (out, async ? "start to callback" : "return to callback",
                                 &future->to_callback, ranks, n_ranks);
  hotpath_format_append_summary (out, "lifetime", &future->lifetime, ranks, n_ranks);
}

static void
future_log_text (const HotpathSectionDesc *section,
                 gconstpointer             item,
                 gconstpointer             line,
                 guint                     position,
                 GString                  *out)
{
  const HotpathFlowLog *entry = line;

  g_string_append_printf (out, "#%" G_GUINT64_FORMAT "  %s", entry->index, entry->outcome != NULL ? entry->outcome : "-");
  hotpath_format_append_duration (out, "  lifetime ", entry->duration_ns);
  hotpath_format_append_duration (out, "  to callback ", entry->value_ns);
  hotpath_format_append_duration (out, "  created ", entry->at_ns);
  g_string_append_printf (out, " into the session  thread %" G_GUINT64_FORMAT, entry->thread_id);
  if (entry->text != NULL)
    g_string_append_printf (out, "  (%s)", entry->text);
}

const HotpathSectionDesc hotpath_futures_section = {
  .name = "futures",
  .title = "futures",
  .description = "GTask futures (HOTPATH_TASK, by label) and GIO _async calls (HOTPATH_ASYNC, by "
                 "call site): how many were created, how they returned, how long they waited, ran "
                 "and took to reach their callback, and faults such as a callback that never ran.",
  .schema_def = "futures_section",
  .logs_schema_def = "future",
  .n_event_kinds = N_EVENTS,
  .first_event_kind = &first_event,
  .aggregate = futures_aggregate,
  .reset = futures_reset,
  .snapshot = futures_snapshot,
  .free_data = hotpath_flow_rows_free,
  .rows = &future_rows,
  .has_logs = TRUE,
  .when_empty = "No GTask (HOTPATH_TASK) or GIO _async call (HOTPATH_ASYNC) was "
                "created this session.",
  .item_noun = "future",
  .items_noun = "futures",
  .order = "by id",
  .log_noun = "task",
  .logs_noun = "tasks",
  .row_text = future_row_text,
  .log_text = future_log_text,
  .metric_prefix = "future",
  .metric_label = "future",
};
