/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-source.c: how long each main-loop source and signal handler runs.
 *
 * A watched source gets a private copy of its GSourceFuncs whose dispatch
 * reads the clock around the original dispatch (g_source_set_funcs, before
 * the source is attached). Idle sources are the exception: g_idle_remove_by_data()
 * finds them by comparing their funcs with &g_idle_funcs, so for them the
 * callback is wrapped instead (g_source_set_callback_indirect) and the
 * funcs stay GLib's own.
 *
 * Signal handlers are timed with closure marshal guards, which GObject
 * calls right before and after the handler.
 *
 * Statistics are kept per name and type, so the hundred sources made by one
 * HOTPATH_TIMEOUT_ADD() line add up in one row.
 */

#include "config.h"

#include <string.h>

#include "hotpath-flow-private.h"
#include "hotpath-format-private.h"
#include "hotpath-snapshot-private.h"
#include "hotpath-source.h"

typedef struct
{
  HotpathFlowItem    item;
  char              *name;
  const char        *type;
  /* worker */
  HotpathHistogram   duration;
  HotpathFlowLogRing logs;
  guint              last_slot;
} SourceStats;

/* This section's events, after the first kind the registry gave it. */
enum
{
  EVENT_DISPATCH,   /* key SourceStats, start..end, extra = context slot + 1 */
  N_EVENTS,
};
static guint32          first_event;
static HotpathFlowItems source_items;

static GMutex      stats_lock;
static GHashTable *stats_by_key;   /* "type\nname" -> SourceStats */

static void
source_stats_reset (HotpathFlowItem *item)
{
  SourceStats *self = (SourceStats *) item;

  hotpath_histogram_clear (&self->duration);
  hotpath_flow_log_ring_clear (&self->logs);
}

static gpointer
source_stats_snapshot (HotpathFlowItem *item,
                       guint64          session_start_ticks)
{
  SourceStats *self = (SourceStats *) item;
  HotpathFlowSource *copy;
  const char *context;

  if (self->duration.count == 0)
    return NULL;

  copy = g_new0 (HotpathFlowSource, 1);
  copy->id = self->item.id;
  copy->name = g_strdup (self->name);
  copy->type = self->type;
  context = self->last_slot ? hotpath_main_context_slot_name (self->last_slot) : NULL;
  copy->context = g_strdup (context);
  hotpath_histogram_copy (&copy->duration, &self->duration);
  copy->logs = hotpath_flow_log_ring_copy (&self->logs, &copy->n_logs);

  return copy;
}

static SourceStats *
source_stats_get (const char *type,
                  const char *name)
{
  g_autofree char *key = g_strdup_printf ("%s\n%s", type, name);
  SourceStats *self;

  g_mutex_lock (&stats_lock);

  if (stats_by_key == NULL)
    stats_by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self = g_hash_table_lookup (stats_by_key, key);
  if (self == NULL)
    {
      self = g_new0 (SourceStats, 1);
      self->item.reset = source_stats_reset;
      self->item.snapshot = source_stats_snapshot;
      self->name = g_strdup (name);
      self->type = type;
      hotpath_histogram_init (&self->duration);
      g_hash_table_insert (stats_by_key, g_steal_pointer (&key), self);
      hotpath_flow_items_add (&source_items, &self->item);
    }

  g_mutex_unlock (&stats_lock);

  return self;
}

static void
sources_aggregate (const HotpathEvent        *event,
                   const HotpathEventContext *context)
{
  guint64 thread_id = context->thread_id;
  guint64 session_start_ticks = context->session_start_ticks;
  guint logs_limit = context->logs_limit;
  SourceStats *self = (SourceStats *) event->key;
  HotpathFlowLog *entry;
  guint64 duration_ns;

  if (event->start < session_start_ticks)
    return;

  duration_ns = hotpath_flow_ticks_to_ns (event->end >= event->start ? event->end - event->start : 0);
  hotpath_histogram_record (&self->duration, duration_ns);

  entry = hotpath_flow_log_ring_add (&self->logs, logs_limit);
  if (entry != NULL)
    {
      entry->at_ns = hotpath_flow_at_ns (event->start, session_start_ticks);
      entry->duration_ns = duration_ns;
      entry->thread_id = thread_id;
    }

  if (event->reserved != 0)
    {
      self->last_slot = event->reserved;
      hotpath_main_context_note_dispatch (event->reserved, self->name, event->start,
                                          duration_ns, session_start_ticks);
    }
}

/* ------------------------------------------------- wrapped GSourceFuncs */

typedef struct
{
  GSourceFuncs  funcs;    /* first: the source points here */
  const GSourceFuncs *orig;
  SourceStats  *stats;
} WatchedFuncs;

static inline void
record_dispatch (SourceStats  *stats,
                 GMainContext *context,
                 guint64       start,
                 guint64       end)
{
  hotpath_collector_record_full (first_event + EVENT_DISPATCH, stats, start, end,
                                 context != NULL ? hotpath_main_context_slot (context) : 0);
}

static gboolean
watched_dispatch (GSource     *source,
                  GSourceFunc  callback,
                  gpointer     user_data)
{
  WatchedFuncs *watched = (WatchedFuncs *) source->source_funcs;
  const GSourceFuncs *orig = watched->orig;
  guint64 start;
  gboolean ret;

  if (G_UNLIKELY (__atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) == HOTPATH_RECORDING_OFF))
    return orig->dispatch (source, callback, user_data);

  start = hotpath_clock_read ();
  ret = orig->dispatch (source, callback, user_data);
  record_dispatch (watched->stats, source->context, start, hotpath_clock_read ());

  return ret;
}

static void
watched_finalize (GSource *source)
{
  WatchedFuncs *watched = (WatchedFuncs *) source->source_funcs;

  /* GLib is done with the funcs once finalize returns; give the source its
   * own back first so nothing can reach the copy after it is freed. */
  source->source_funcs = watched->orig;
  if (watched->orig->finalize != NULL)
    watched->orig->finalize (source);
  g_free (watched);
}

/* ------------------------------------------- wrapped idle callbacks */

typedef struct
{
  GSourceCallbackFuncs *orig_funcs;
  gpointer              orig_data;
  SourceStats          *stats;
  gint                  ref_count;
} WatchedCallback;

/* get() hands the trampoline to g_main_dispatch(), which calls it next on
 * this same thread; the original function waits here until then. */
static __thread WatchedCallback *pending_callback;
static __thread GSourceFunc      pending_function;
static __thread GSource         *pending_source;

static void
watched_callback_ref (gpointer data)
{
  WatchedCallback *self = data;

  g_atomic_int_inc (&self->ref_count);
}

static void
watched_callback_unref (gpointer data)
{
  WatchedCallback *self = data;

  if (g_atomic_int_dec_and_test (&self->ref_count))
    {
      self->orig_funcs->unref (self->orig_data);
      g_free (self);
    }
}

static gboolean idle_trampoline (gpointer user_data);

static void
watched_callback_get (gpointer     data,
                      GSource     *source,
                      GSourceFunc *func,
                      gpointer    *user_data)
{
  WatchedCallback *self = data;

  /* The user's data comes back unchanged: g_idle_remove_by_data() and
   * g_source_remove_by_user_data() compare it. */
  self->orig_funcs->get (self->orig_data, source, func, user_data);
  pending_callback = self;
  pending_function = *func;
  pending_source = source;
  if (*func != NULL)
    *func = idle_trampoline;
}

static GSourceCallbackFuncs watched_callback_funcs = {
  watched_callback_ref,
  watched_callback_unref,
  watched_callback_get,
};

static gboolean
idle_trampoline (gpointer user_data)
{
  WatchedCallback *self = pending_callback;
  GSourceFunc function = pending_function;
  GSource *source = pending_source;
  guint64 start;
  gboolean ret;

  pending_callback = NULL;
  pending_function = NULL;
  pending_source = NULL;

  if (G_UNLIKELY (self == NULL || function == NULL))
    return G_SOURCE_REMOVE;

  if (G_UNLIKELY (__atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) == HOTPATH_RECORDING_OFF))
    return function (user_data);

  start = hotpath_clock_read ();
  ret = function (user_data);
  record_dispatch (self->stats, source ? source->context : NULL, start, hotpath_clock_read ());

  return ret;
}

static const char *
source_type (GSource *source)
{
  if (source->source_funcs == &g_idle_funcs)
    return "idle";
  if (source->source_funcs == &g_timeout_funcs)
    return "timeout";
  return "source";
}

static void
watch_with_type (GSource    *source,
                 const char *label,
                 const char *type)
{
  SourceStats *stats;
  const char *name = label;

  if (name == NULL)
    name = g_source_get_name (source);
  if (name == NULL)
    name = "(unnamed)";

  stats = source_stats_get (type, name);

  if (g_source_get_name (source) == NULL)
    g_source_set_name (source, name);

  /* Watching twice changes nothing. */
  if (source->callback_funcs == &watched_callback_funcs ||
      source->source_funcs->dispatch == watched_dispatch)
    return;

  if (source->source_funcs == &g_idle_funcs && source->callback_funcs != NULL)
    {
      WatchedCallback *callback = g_new0 (WatchedCallback, 1);

      callback->orig_funcs = source->callback_funcs;
      callback->orig_data = source->callback_data;
      callback->stats = stats;
      callback->ref_count = 1;
      /* set_callback_indirect() drops the source's reference on the old
       * callback data: ours keeps it alive. */
      callback->orig_funcs->ref (callback->orig_data);
      g_source_set_callback_indirect (source, callback, &watched_callback_funcs);
      return;
    }

  {
    WatchedFuncs *watched = g_new0 (WatchedFuncs, 1);

    watched->orig = source->source_funcs;
    watched->funcs = *source->source_funcs;
    watched->funcs.dispatch = watched_dispatch;
    watched->funcs.finalize = watched_finalize;
    watched->stats = stats;
    g_source_set_funcs (source, &watched->funcs);
  }
}

/**
 * hotpath_source_watch:
 * @source: a #GSource that is not attached yet
 * @label: (nullable): the name to report; the source's name if %NULL
 *
 * Times every dispatch of @source: the count and a duration histogram per
 * name, and the source's share of main-loop stalls. Call it before
 * g_source_attach(). An idle source should have its callback set first,
 * so that g_idle_remove_by_data() keeps finding it.
 */
void
hotpath_source_watch (GSource    *source,
                      const char *label)
{
  g_return_if_fail (source != NULL);
  g_return_if_fail (g_source_get_context (source) == NULL);

  watch_with_type (source, label, source_type (source));
}

/**
 * hotpath_timeout_add_named:
 * @interval: milliseconds
 * @function: the callback
 * @data: its data
 * @name: the name to report
 *
 * What HOTPATH_TIMEOUT_ADD() calls.
 *
 * Returns: the source id
 */
guint
hotpath_timeout_add_named (guint        interval,
                           GSourceFunc  function,
                           gpointer     data,
                           const char  *name)
{
  return hotpath_timeout_add_full_named (G_PRIORITY_DEFAULT, interval, function, data, NULL, name);
}

/* What g_timeout_add_full() and g_idle_add_full() do, with the source
 * watched before it is attached. */
static guint
add_watched (GSource        *source,
             int             priority,
             GSourceFunc     function,
             gpointer        data,
             GDestroyNotify  notify,
             const char     *name,
             const char     *type)
{
  guint id;

  g_source_set_priority (source, priority);
  g_source_set_callback (source, function, data, notify);
  watch_with_type (source, name, type);
  id = g_source_attach (source, NULL);
  g_source_unref (source);

  return id;
}

/**
 * hotpath_timeout_add_full_named:
 * @priority: the source's priority
 * @interval: milliseconds
 * @function: the callback
 * @data: its data
 * @notify: (nullable): called with @data when the source is removed
 * @name: the name to report
 *
 * What HOTPATH_TIMEOUT_ADD_FULL() calls.
 *
 * Returns: the source id
 */
guint
hotpath_timeout_add_full_named (int             priority,
                                guint           interval,
                                GSourceFunc     function,
                                gpointer        data,
                                GDestroyNotify  notify,
                                const char     *name)
{
  g_return_val_if_fail (function != NULL, 0);

  return add_watched (g_timeout_source_new (interval), priority, function, data, notify,
                      name, "timeout");
}

/**
 * hotpath_timeout_add_seconds_named:
 * @interval: seconds
 * @function: the callback
 * @data: its data
 * @name: the name to report
 *
 * What HOTPATH_TIMEOUT_ADD_SECONDS() calls.
 *
 * Returns: the source id
 */
guint
hotpath_timeout_add_seconds_named (guint        interval,
                                   GSourceFunc  function,
                                   gpointer     data,
                                   const char  *name)
{
  g_return_val_if_fail (function != NULL, 0);

  return add_watched (g_timeout_source_new_seconds (interval), G_PRIORITY_DEFAULT, function, data,
                      NULL, name, "timeout");
}

/**
 * hotpath_idle_add_full_named:
 * @priority: the source's priority
 * @function: the callback
 * @data: its data
 * @notify: (nullable): called with @data when the source is removed
 * @name: the name to report
 *
 * What HOTPATH_IDLE_ADD_FULL() calls.
 *
 * Returns: the source id
 */
guint
hotpath_idle_add_full_named (int             priority,
                             GSourceFunc     function,
                             gpointer        data,
                             GDestroyNotify  notify,
                             const char     *name)
{
  g_return_val_if_fail (function != NULL, 0);

  return add_watched (g_idle_source_new (), priority, function, data, notify, name, "idle");
}

/**
 * hotpath_idle_add_named:
 * @function: the callback
 * @data: its data
 * @name: the name to report
 *
 * What HOTPATH_IDLE_ADD() calls.
 *
 * Returns: the source id
 */
guint
hotpath_idle_add_named (GSourceFunc  function,
                        gpointer     data,
                        const char  *name)
{
  return hotpath_idle_add_full_named (G_PRIORITY_DEFAULT_IDLE, function, data, NULL, name);
}

/* ------------------------------------------------------ signal handlers */

#define SIGNAL_DEPTH 64

static __thread guint64 signal_starts[SIGNAL_DEPTH];
static __thread guint   signal_depth;

static void
signal_pre (gpointer  data,
            GClosure *closure)
{
  guint depth = signal_depth++;

  if (G_LIKELY (depth < SIGNAL_DEPTH))
    signal_starts[depth] = hotpath_clock_read ();
}

static void
signal_post (gpointer  data,
             GClosure *closure)
{
  guint depth = --signal_depth;
  guint64 end;

  if (G_UNLIKELY (depth >= SIGNAL_DEPTH))
    return;
  if (__atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) == HOTPATH_RECORDING_OFF)
    return;

  end = hotpath_clock_read ();
  hotpath_collector_record_full (first_event + EVENT_DISPATCH, data,
                                 signal_starts[depth], end, 0);
}

/**
 * hotpath_signal_connect_named:
 * @instance: (type GObject.Object): the instance to connect to
 * @detailed_signal: "signal::detail"
 * @handler: the handler
 * @data: its data
 * @name: the name to report
 *
 * What HOTPATH_SIGNAL_CONNECT() calls.
 *
 * Returns: the handler id, as g_signal_connect() returns it
 */
gulong
hotpath_signal_connect_named (gpointer     instance,
                              const char  *detailed_signal,
                              GCallback    handler,
                              gpointer     data,
                              const char  *name)
{
  return hotpath_signal_connect_data_named (instance, detailed_signal, handler, data, NULL, 0, name);
}

static gulong
connect_timed (gpointer     instance,
               const char  *detailed_signal,
               GClosure    *closure,
               gboolean     after,
               const char  *name)
{
  SourceStats *stats = source_stats_get ("signal", name ? name : detailed_signal);

  g_closure_add_marshal_guards (closure, stats, signal_pre, stats, signal_post);

  return g_signal_connect_closure (instance, detailed_signal, closure, after);
}

/**
 * hotpath_signal_connect_data_named:
 * @instance: (type GObject.Object): the instance to connect to
 * @detailed_signal: "signal::detail"
 * @handler: the handler
 * @data: its data
 * @destroy_data: (nullable): called with @data when the handler goes
 * @connect_flags: %G_CONNECT_SWAPPED, %G_CONNECT_AFTER
 * @name: the name to report
 *
 * g_signal_connect_data() with the handler's runs timed; what
 * HOTPATH_SIGNAL_CONNECT_SWAPPED() and HOTPATH_SIGNAL_CONNECT_AFTER() call.
 *
 * Returns: the handler id
 */
gulong
hotpath_signal_connect_data_named (gpointer        instance,
                                   const char     *detailed_signal,
                                   GCallback       handler,
                                   gpointer        data,
                                   GClosureNotify  destroy_data,
                                   GConnectFlags   connect_flags,
                                   const char     *name)
{
  GClosure *closure;

  g_return_val_if_fail (G_TYPE_CHECK_INSTANCE (instance), 0);
  g_return_val_if_fail (detailed_signal != NULL, 0);
  g_return_val_if_fail (handler != NULL, 0);

  if (connect_flags & G_CONNECT_SWAPPED)
    closure = g_cclosure_new_swap (handler, data, destroy_data);
  else
    closure = g_cclosure_new (handler, data, destroy_data);

  return connect_timed (instance, detailed_signal, closure,
                        (connect_flags & G_CONNECT_AFTER) != 0, name);
}

typedef struct
{
  GClosure     closure;
  GClosure    *inner;
  SourceStats *stats;
  gboolean     inner_invalid;  /* its notifier ran, and is gone */
} TimedClosure;

static void
timed_closure_marshal (GClosure     *closure,
                       GValue       *return_value,
                       guint         n_param_values,
                       const GValue *param_values,
                       gpointer      invocation_hint,
                       gpointer      marshal_data)
{
  TimedClosure *timed = (TimedClosure *) closure;

  signal_pre (timed->stats, closure);
  g_closure_invoke (timed->inner, return_value, n_param_values, param_values, invocation_hint);
  signal_post (timed->stats, closure);
}

/* The object went: the signal drops the handler with our closure. */
static void
on_inner_invalidated (gpointer  data,
                      GClosure *inner)
{
  ((TimedClosure *) data)->inner_invalid = TRUE;
  g_closure_invalidate (data);
}

static void
timed_closure_finalize (gpointer  data,
                        GClosure *closure)
{
  TimedClosure *timed = (TimedClosure *) closure;

  if (!timed->inner_invalid)
    g_closure_remove_invalidate_notifier (timed->inner, closure, on_inner_invalidated);
  g_closure_invalidate (timed->inner);
  g_closure_unref (timed->inner);
}

/**
 * hotpath_signal_connect_object_named:
 * @instance: (type GObject.Object): the instance to connect to
 * @detailed_signal: "signal::detail"
 * @handler: the handler
 * @gobject: (type GObject.Object): the handler's data; the handler is
 *   disconnected when it is finalized
 * @connect_flags: %G_CONNECT_SWAPPED, %G_CONNECT_AFTER
 * @name: the name to report
 *
 * g_signal_connect_object() with the handler's runs timed; what
 * HOTPATH_SIGNAL_CONNECT_OBJECT() calls.
 *
 * Returns: the handler id
 */
gulong
hotpath_signal_connect_object_named (gpointer       instance,
                                     const char    *detailed_signal,
                                     GCallback      handler,
                                     gpointer       gobject,
                                     GConnectFlags  connect_flags,
                                     const char    *name)
{
  GClosure *closure, *inner;
  TimedClosure *timed;

  g_return_val_if_fail (G_TYPE_CHECK_INSTANCE (instance), 0);
  g_return_val_if_fail (detailed_signal != NULL, 0);
  g_return_val_if_fail (handler != NULL, 0);

  if (gobject == NULL)
    return hotpath_signal_connect_data_named (instance, detailed_signal, handler, NULL, NULL,
                                              connect_flags, name);

  g_return_val_if_fail (G_IS_OBJECT (gobject), 0);

  /* As g_signal_connect_object(): the object closure is invalidated, and
   * the handler disconnected, when @gobject is finalized. That closure
   * already has the one pair of marshal guards GLib allows (they hold
   * @gobject during a run), so the timing is a closure around it. */
  if (connect_flags & G_CONNECT_SWAPPED)
    inner = g_cclosure_new_object_swap (handler, gobject);
  else
    inner = g_cclosure_new_object (handler, gobject);
  g_closure_set_marshal (inner, g_cclosure_marshal_generic);

  closure = g_closure_new_simple (sizeof (TimedClosure), NULL);
  timed = (TimedClosure *) closure;
  timed->inner = g_closure_ref (inner);
  g_closure_sink (inner);
  timed->stats = source_stats_get ("signal", name ? name : detailed_signal);
  g_closure_set_marshal (closure, timed_closure_marshal);
  g_closure_add_invalidate_notifier (inner, closure, on_inner_invalidated);
  g_closure_add_finalize_notifier (closure, NULL, timed_closure_finalize);

  return g_signal_connect_closure (instance, detailed_signal, closure,
                                   (connect_flags & G_CONNECT_AFTER) != 0);
}

/* `hotpath run`: times a closure that is about to be connected, under
 * @name, as HOTPATH_SIGNAL_CONNECT() does (hotpath-glib/preload/). */
void
hotpath_source_watch_closure (GClosure   *closure,
                              const char *name)
{
  SourceStats *stats = source_stats_get ("signal", name);

  g_closure_add_marshal_guards (closure, stats, signal_pre, stats, signal_post);
}

/* ------------------------------------------------------------ section */

static void
sources_reset (void)
{
  hotpath_flow_items_reset (&source_items);
}

static int
compare_by_total (gconstpointer a,
                  gconstpointer b)
{
  const HotpathFlowSource *x = *(HotpathFlowSource * const *) a;
  const HotpathFlowSource *y = *(HotpathFlowSource * const *) b;

  if (x->duration.sum != y->duration.sum)
    return x->duration.sum < y->duration.sum ? 1 : -1;
  return (x->id > y->id) - (x->id < y->id);
}

/* Largest total time first: these are the names that explain stalls. */
static gpointer
sources_snapshot (const HotpathSnapshotContext *context)
{
  GPtrArray *copies = hotpath_flow_items_snapshot (&source_items, context->session_start_ticks,
                                                   hotpath_flow_source_free);

  g_ptr_array_sort (copies, compare_by_total);
  return copies;
}

enum
{
  COLUMN_ID,
  COLUMN_NAME,
  COLUMN_TYPE,
  COLUMN_CONTEXT,
  COLUMN_DISPATCHES,
  COLUMN_TOTAL,
  COLUMN_DURATION,
  COLUMN_LOGS,
};

static void
source_get (gconstpointer       row,
            const HotpathField *field,
            HotpathValue       *value)
{
  const HotpathFlowSource *source = row;

  switch (field->arg)
    {
    case COLUMN_ID:         hotpath_value_set_uint (value, source->id); break;
    case COLUMN_NAME:       hotpath_value_set_string (value, source->name); break;
    case COLUMN_TYPE:       hotpath_value_set_string (value, source->type); break;
    case COLUMN_CONTEXT:    hotpath_value_set_string (value, source->context); break;
    case COLUMN_DISPATCHES: hotpath_value_set_uint (value, source->duration.count); break;
    case COLUMN_TOTAL:      hotpath_value_set_uint (value, source->duration.sum); break;
    case COLUMN_DURATION:   hotpath_value_set_histogram (value, &source->duration, 1.0); break;
    case COLUMN_LOGS:       hotpath_value_set_rows (value, source); break;
    default:                break;
    }
}

static guint
source_logs_count (gconstpointer container)
{
  const HotpathFlowSource *source = container;

  return source->n_logs;
}

static gconstpointer
source_logs_nth (gconstpointer container,
                 guint         index)
{
  const HotpathFlowSource *source = container;

  return hotpath_flow_logs_nth (source->logs, source->n_logs, index);
}

static const HotpathField source_log_fields[] = {
  { "index", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "dispatches logged before this one", "#",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_INDEX },
  { "at_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "when it started, since the session started",
    "Started at", .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_AT },
  { "duration_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "how long the dispatch took", "Duration",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_DURATION },
  { "thread_id", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "the dispatching thread", "Thread",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_THREAD },
};

static const HotpathRowsDesc source_logs = {
  source_log_fields, G_N_ELEMENTS (source_log_fields), source_logs_count, source_logs_nth,
};

static const HotpathField source_fields[] = {
  { "id", HOTPATH_FIELD_ID, .get = source_get, .arg = COLUMN_ID },
  { "name", HOTPATH_FIELD_TEXT, .help = "the callback's name or the label given",
    .title = "Source", .get = source_get, .arg = COLUMN_NAME },
  { "type", HOTPATH_FIELD_TEXT, .help = "timeout, idle, source or signal", .title = "Type",
    .get = source_get, .arg = COLUMN_TYPE, .metric = "type" },
  { "context", HOTPATH_FIELD_TEXT, .help = "the watched main context it last ran on, or null",
    .title = "Context", .get = source_get, .arg = COLUMN_CONTEXT },
  { "dispatches", HOTPATH_FIELD_COUNTER, .help = "dispatches this session", .title = "Dispatches",
    .get = source_get, .arg = COLUMN_DISPATCHES },
  { "total_ns", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NS, "time in its dispatches", "Total",
    .get = source_get, .arg = COLUMN_TOTAL, .metric = "dispatch_seconds" },
  { "duration_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "each dispatch", "Dispatch",
    .get = source_get, .arg = COLUMN_DURATION },
  { "logs", HOTPATH_FIELD_ROWS, .help = "the last dispatches", .rows = &source_logs,
    .get = source_get, .arg = COLUMN_LOGS },
};

static const HotpathRowsDesc source_rows = {
  source_fields, G_N_ELEMENTS (source_fields), hotpath_flow_rows_count, hotpath_flow_rows_nth,
};

static void
source_row_text (const HotpathSectionDesc *section,
                 HotpathSnapshot          *snapshot,
                 gconstpointer             row,
                 GString                  *out)
{
  const HotpathFlowSource *source = row;
  guint64 dispatches = source->duration.count;
  gboolean signal = g_strcmp0 (source->type, "signal") == 0;

  g_string_append (out, source->type);
  if (source->context != NULL)
    g_string_append_printf (out, " on context %s", source->context);
  g_string_append_printf (out, ", %" G_GUINT64_FORMAT " %s", dispatches,
                          signal ? (dispatches == 1 ? "call" : "calls")
                                 : (dispatches == 1 ? "dispatch" : "dispatches"));
  hotpath_format_append_duration (out, ", total ", source->duration.sum);
  hotpath_format_append_summary (out, "each", &source->duration,
                                 (const double *) (gpointer) snapshot->percentiles->data,
                                 snapshot->percentiles->len);
}

static void
source_log_text (const HotpathSectionDesc *section,
                 gconstpointer             item,
                 gconstpointer             line,
                 guint                     position,
                 GString                  *out)
{
  const HotpathFlowLog *entry = line;

  g_string_append_printf (out, "#%" G_GUINT64_FORMAT, entry->index);
  hotpath_format_append_duration (out, "  ", entry->duration_ns);
  hotpath_format_append_duration (out, "  started ", entry->at_ns);
  g_string_append_printf (out, " into the session  thread %" G_GUINT64_FORMAT, entry->thread_id);
}

const HotpathSectionDesc hotpath_sources_section = {
  .name = "sources",
  .title = "sources",
  .description = "Watched main-loop sources (HOTPATH_TIMEOUT_ADD, HOTPATH_IDLE_ADD, "
                 "hotpath_source_watch) and signal handlers (HOTPATH_SIGNAL_CONNECT), grouped by "
                 "name: how often they ran and for how long, largest total time first. These are "
                 "the names that explain main-loop stalls.",
  .schema_def = "sources_section",
  .logs_schema_def = "source",
  .n_event_kinds = N_EVENTS,
  .first_event_kind = &first_event,
  .aggregate = sources_aggregate,
  .reset = sources_reset,
  .snapshot = sources_snapshot,
  .free_data = hotpath_flow_rows_free,
  .rows = &source_rows,
  .has_logs = TRUE,
  .when_empty = "No watched source (HOTPATH_TIMEOUT_ADD, HOTPATH_IDLE_ADD, "
                "hotpath_source_watch) or signal handler (HOTPATH_SIGNAL_CONNECT) "
                "ran this session.",
  .item_noun = "watched source or signal handler",
  .items_noun = "watched sources and signal handlers",
  .order = "with the largest total time",
  .log_noun = "dispatch",
  .logs_noun = "dispatches",
  .row_text = source_row_text,
  .log_text = source_log_text,
  .metric_prefix = "source",
  .metric_label = "source",
};
