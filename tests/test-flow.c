/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-flow.c: channels, futures, main-loop sources and main-loop health,
 * with real threads and a real GMainLoop.
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "hotpath.h"
#include "hotpath-flow-private.h"
#include "hotpath-report-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-test-report.h"

/* The copies a flow section keeps in a snapshot. */
static GPtrArray *
flow_items (HotpathSnapshot *snapshot,
            const char      *name)
{
  const HotpathSectionDesc *section = hotpath_registry_lookup (name);

  g_assert_nonnull (section);
  return (GPtrArray *) hotpath_section_get_data (section, snapshot);
}

/* ------------------------------------------------------------- helpers */

static HotpathGuard *
start_session (void)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("test-flow");

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  return hotpath_guard_builder_build (builder, NULL);
}

static gpointer
find_item (GPtrArray  *items,
           const char *name)
{
  for (guint i = 0; i < items->len; i++)
    {
      /* Every flow snapshot struct starts with id then name. */
      struct { guint id; char *name; } *item = g_ptr_array_index (items, i);
      if (g_strcmp0 (item->name, name) == 0)
        return item;
    }
  return NULL;
}

static void
iterate_for (GMainContext *context,
             guint         ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (context, FALSE);
}

/* ----------------------------------------------------------- sources */

typedef struct
{
  guint      count;
  guint      stop_at;
  GMainLoop *loop;
} Counter;

static gboolean
tick_cb (gpointer data)
{
  Counter *counter = data;

  if (++counter->count < counter->stop_at)
    return G_SOURCE_CONTINUE;

  if (counter->loop != NULL)
    g_main_loop_quit (counter->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
idle_cb (gpointer data)
{
  return tick_cb (data);
}

static void
test_source_timeout (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  Counter counter = { 0, 5, loop };
  HotpathFlowSource *source;
  guint id;

  id = HOTPATH_TIMEOUT_ADD (1, tick_cb, &counter);
  g_assert_cmpuint (id, >, 0);
  g_main_loop_run (loop);
  g_assert_cmpuint (counter.count, ==, 5);

  snapshot = hotpath_guard_snapshot (guard);
  source = find_item (flow_items (snapshot, "sources"), "tick_cb");
  g_assert_nonnull (source);
  g_assert_cmpstr (source->type, ==, "timeout");
  g_assert_cmpuint (source->duration.count, ==, 5);
  g_assert_cmpuint (source->n_logs, ==, 5);
  hotpath_guard_finish (guard, NULL);
}

static void
test_source_idle_remove_by_data (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  Counter removed = { 0, 1, NULL };
  Counter by_user_data = { 0, 1, NULL };
  Counter runs = { 0, 3, loop };
  HotpathFlowSource *source;

  /* g_idle_remove_by_data() compares the funcs with &g_idle_funcs and the
   * data with the callback's: both must still match. */
  HOTPATH_IDLE_ADD (idle_cb, &removed);
  g_assert_true (g_idle_remove_by_data (&removed));
  g_assert_false (g_idle_remove_by_data (&removed));

  HOTPATH_IDLE_ADD (idle_cb, &by_user_data);
  g_assert_true (g_source_remove_by_user_data (&by_user_data));

  /* A hand-made idle source, watched twice. */
  {
    GSource *idle = g_idle_source_new ();

    g_source_set_callback (idle, idle_cb, &removed, NULL);
    hotpath_source_watch (idle, "idle_cb");
    hotpath_source_watch (idle, "idle_cb");
    g_source_attach (idle, NULL);
    g_source_unref (idle);
    g_assert_true (g_idle_remove_by_data (&removed));
  }

  HOTPATH_IDLE_ADD (idle_cb, &runs);
  g_main_loop_run (loop);

  g_assert_cmpuint (removed.count, ==, 0);
  g_assert_cmpuint (by_user_data.count, ==, 0);
  g_assert_cmpuint (runs.count, ==, 3);

  snapshot = hotpath_guard_snapshot (guard);
  source = find_item (flow_items (snapshot, "sources"), "idle_cb");
  g_assert_nonnull (source);
  g_assert_cmpstr (source->type, ==, "idle");
  g_assert_cmpuint (source->duration.count, ==, 3);
  hotpath_guard_finish (guard, NULL);
}

static gboolean
custom_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  return callback (user_data);
}

static gboolean custom_finalized;

static void
custom_finalize (GSource *source)
{
  custom_finalized = TRUE;
}

static GSourceFuncs custom_funcs = { NULL, NULL, custom_dispatch, custom_finalize, NULL, NULL };

static void
test_source_watch (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  Counter counter = { 0, 4, NULL };
  HotpathFlowSource *stats;
  GSource *source;

  source = g_source_new (&custom_funcs, sizeof (GSource));
  g_source_set_callback (source, tick_cb, &counter, NULL);
  g_source_set_ready_time (source, 0);
  hotpath_source_watch (source, "custom");
  hotpath_source_watch (source, "custom");  /* twice changes nothing */
  g_assert_cmpstr (g_source_get_name (source), ==, "custom");
  g_source_attach (source, context);

  while (counter.count < 4)
    g_main_context_iteration (context, TRUE);

  custom_finalized = FALSE;
  g_source_unref (source);
  g_assert_true (custom_finalized);

  snapshot = hotpath_guard_snapshot (guard);
  stats = find_item (flow_items (snapshot, "sources"), "custom");
  g_assert_nonnull (stats);
  g_assert_cmpstr (stats->type, ==, "source");
  g_assert_cmpuint (stats->duration.count, ==, 4);
  /* Not a watched context: no context name. */
  g_assert_null (stats->context);
  hotpath_guard_finish (guard, NULL);
}

static void
on_activate (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       data)
{
  guint *count = data;

  (*count)++;
}

static void
test_source_signal (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GSimpleAction) action = g_simple_action_new ("go", NULL);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  HotpathFlowSource *stats;
  guint count = 0;
  gulong id;

  id = HOTPATH_SIGNAL_CONNECT (action, "activate", on_activate, &count);
  g_assert_cmpuint (id, >, 0);
  for (guint i = 0; i < 7; i++)
    g_action_activate (G_ACTION (action), NULL);
  g_assert_cmpuint (count, ==, 7);

  g_signal_handler_disconnect (action, id);
  g_action_activate (G_ACTION (action), NULL);
  g_assert_cmpuint (count, ==, 7);

  snapshot = hotpath_guard_snapshot (guard);
  stats = find_item (flow_items (snapshot, "sources"), "on_activate");
  g_assert_nonnull (stats);
  g_assert_cmpstr (stats->type, ==, "signal");
  g_assert_cmpuint (stats->duration.count, ==, 7);
  hotpath_guard_finish (guard, NULL);
}


/* The other ways GLib adds sources and connects handlers, by name. */

static gboolean
full_cb (gpointer data)
{
  return tick_cb (data);
}

static gboolean
seconds_cb (gpointer data)
{
  return tick_cb (data);
}

static gboolean
idle_full_cb (gpointer data)
{
  return tick_cb (data);
}

static void
count_notify (gpointer data)
{
  (*(guint *) data)++;
}

static guint64
dispatches_of (HotpathSnapshot *snapshot,
               const char      *name,
               const char      *type)
{
  HotpathFlowSource *source = find_item (flow_items (snapshot, "sources"), name);

  g_assert_nonnull (source);
  g_assert_cmpstr (source->type, ==, type);
  return source->duration.count;
}

static void
test_source_wrappers_add (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  Counter full = { 0, 3, loop };
  Counter seconds = { 0, 1, NULL };
  Counter idle = { 0, 2, NULL };
  Counter removed = { 0, 100, NULL };
  guint id;

  id = HOTPATH_TIMEOUT_ADD_FULL (G_PRIORITY_HIGH, 1, full_cb, &full, count_notify);
  g_assert_cmpint (g_source_get_priority (g_main_context_find_source_by_id (NULL, id)), ==, G_PRIORITY_HIGH);
  g_assert_cmpstr (g_source_get_name (g_main_context_find_source_by_id (NULL, id)), ==, "full_cb");
  id = HOTPATH_IDLE_ADD_FULL (G_PRIORITY_LOW, idle_full_cb, &idle, NULL);
  g_assert_cmpint (g_source_get_priority (g_main_context_find_source_by_id (NULL, id)), ==, G_PRIORITY_LOW);
  g_main_loop_run (loop);
  while (idle.count < 2)
    g_main_context_iteration (NULL, TRUE);
  /* Three runs, then the notify (it counts on the same counter) as the
   * source went. */
  g_assert_cmpuint (full.count, ==, 4);

  HOTPATH_IDLE_ADD_FULL (G_PRIORITY_DEFAULT_IDLE, idle_full_cb, &removed,
                         (GDestroyNotify) count_notify);
  g_assert_true (g_idle_remove_by_data (&removed));
  g_assert_cmpuint (removed.count, ==, 1);   /* not run; its notify was */

  /* Whole seconds: the first expiry is within one second. */
  HOTPATH_TIMEOUT_ADD_SECONDS (0, seconds_cb, &seconds);
  while (seconds.count < 1)
    g_main_context_iteration (NULL, TRUE);

  snapshot = hotpath_guard_snapshot (guard);
  g_assert_cmpuint (dispatches_of (snapshot, "full_cb", "timeout"), ==, 3);
  g_assert_cmpuint (dispatches_of (snapshot, "idle_full_cb", "idle"), ==, 2);
  g_assert_cmpuint (dispatches_of (snapshot, "seconds_cb", "timeout"), ==, 1);
  hotpath_guard_finish (guard, NULL);
}

typedef struct
{
  GString *order;
} Handlers;

static void
on_swapped (gpointer       data,
            GVariant      *parameter,
            GSimpleAction *action)
{
  Handlers *handlers = data;

  g_assert_true (G_IS_SIMPLE_ACTION (action));
  g_string_append (handlers->order, "S");
}

static void
on_plain (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       data)
{
  Handlers *handlers = data;

  g_string_append (handlers->order, "P");
}

static void
on_after (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       data)
{
  Handlers *handlers = data;

  g_string_append (handlers->order, "A");
}

/* An object's handler, as g_signal_connect_object() wires it. */
static void
on_object (GSimpleAction *action,
           GVariant      *parameter,
           GObject       *object)
{
  g_assert_true (G_IS_SIMPLE_ACTION (action));
  g_object_set_data (object, "runs",
                     GUINT_TO_POINTER (GPOINTER_TO_UINT (g_object_get_data (object, "runs")) + 1));
}

static void
on_object_swapped (GObject       *object,
                   GVariant      *parameter,
                   GSimpleAction *action)
{
  on_object (action, parameter, object);
}

static void
test_source_wrappers_signal (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GSimpleAction) action = g_simple_action_new ("go", NULL);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(GString) order = g_string_new (NULL);
  Handlers handlers = { order };
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *other = g_object_new (G_TYPE_OBJECT, NULL);
  gulong object_id, swapped_id;

  /* The after-handler, connected first, still runs last. */
  HOTPATH_SIGNAL_CONNECT_AFTER (action, "activate", on_after, &handlers);
  HOTPATH_SIGNAL_CONNECT_SWAPPED (action, "activate", on_swapped, &handlers);
  HOTPATH_SIGNAL_CONNECT (action, "activate", on_plain, &handlers);
  object_id = HOTPATH_SIGNAL_CONNECT_OBJECT (action, "activate", on_object, object, 0);
  swapped_id = HOTPATH_SIGNAL_CONNECT_OBJECT (action, "activate", on_object_swapped, other,
                                              G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  g_action_activate (G_ACTION (action), NULL);
  g_action_activate (G_ACTION (action), NULL);
  g_assert_cmpstr (order->str, ==, "SPASPA");
  g_assert_cmpuint (GPOINTER_TO_UINT (g_object_get_data (object, "runs")), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_object_get_data (other, "runs")), ==, 2);

  /* Finalizing the object disconnects its handler, as GLib's does. */
  g_object_unref (object);
  g_assert_false (g_signal_handler_is_connected (action, object_id));
  g_assert_true (g_signal_handler_is_connected (action, swapped_id));
  g_action_activate (G_ACTION (action), NULL);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_object_get_data (other, "runs")), ==, 3);
  g_object_unref (other);
  g_assert_false (g_signal_handler_is_connected (action, swapped_id));

  /* Disconnected first, finalized after: nothing left to undo. */
  other = g_object_new (G_TYPE_OBJECT, NULL);
  swapped_id = HOTPATH_SIGNAL_CONNECT_OBJECT (action, "activate", on_object, other, 0);
  g_signal_handler_disconnect (action, swapped_id);
  g_action_activate (G_ACTION (action), NULL);
  g_assert_null (g_object_get_data (other, "runs"));
  g_object_unref (other);

  snapshot = hotpath_guard_snapshot (guard);
  g_assert_cmpuint (dispatches_of (snapshot, "on_after", "signal"), ==, 4);
  g_assert_cmpuint (dispatches_of (snapshot, "on_swapped", "signal"), ==, 4);
  g_assert_cmpuint (dispatches_of (snapshot, "on_plain", "signal"), ==, 4);
  g_assert_cmpuint (dispatches_of (snapshot, "on_object", "signal"), ==, 2);
  g_assert_cmpuint (dispatches_of (snapshot, "on_object_swapped", "signal"), ==, 3);
  hotpath_guard_finish (guard, NULL);
}

/* ------------------------------------------------------ main contexts */

static gboolean
slow_cb (gpointer data)
{
  g_usleep (40 * 1000);
  return G_SOURCE_REMOVE;
}

static gboolean
fast_cb (gpointer data)
{
  guint *count = data;

  (*count)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
attach_watched (GMainContext *context,
                GSource      *source,
                GSourceFunc   func,
                gpointer      data,
                const char   *name)
{
  g_source_set_callback (source, func, data, NULL);
  hotpath_source_watch (source, name);
  g_source_attach (source, context);
  g_source_unref (source);
}

static void
test_main_context_stall (void)
{
  g_autoptr(HotpathGuard) guard = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  HotpathFlowMainLoop *health;
  HotpathFlowSource *slow;
  const HotpathFlowStall *stall = NULL;
  guint fast_count = 0;

  /* main() set HOTPATH_LAG_PROBE_MS=5 */
  guard = start_session ();
  g_assert_true (hotpath_main_context_watch (context, "ui"));

  g_main_context_push_thread_default (context);
  attach_watched (context, g_timeout_source_new (30), fast_cb, &fast_count, "fast_cb");
  attach_watched (context, g_timeout_source_new (100), slow_cb, NULL, "slow_cb");
  attach_watched (context, g_timeout_source_new (250), quit_cb, loop, "quit_cb");
  g_main_loop_run (loop);
  g_main_context_pop_thread_default (context);

  snapshot = hotpath_guard_snapshot (guard);
  health = find_item (flow_items (snapshot, "main_loop"), "ui");
  g_assert_nonnull (health);
  g_assert_cmpstr (health->state, ==, "watching");
  g_assert_cmpuint (health->stall_threshold_ns, ==, 16 * 1000000);
  g_assert_cmpuint (health->iterations, >, 10);
  g_assert_cmpuint (health->busy_ns, >=, 40 * 1000000);
  g_assert_cmpuint (health->wait_ns, >, 100 * 1000000);
  g_assert_cmpuint (health->n_stalls, >=, 1);

  /* The stall names what ran in it. */
  for (guint i = 0; i < health->n_stalls_kept; i++)
    if (health->stalls[i].n_top > 0 && g_strcmp0 (health->stalls[i].top[0].name, "slow_cb") == 0)
      stall = &health->stalls[i];
  g_assert_nonnull (stall);
  g_assert_cmpuint (stall->duration_ns, >=, 40 * 1000000);
  g_assert_cmpuint (stall->top[0].duration_ns, >=, 40 * 1000000);
  g_assert_cmpuint (stall->unwatched_ns, <, 10 * 1000000);

  g_assert_cmpuint (health->n_longest, >=, 2);
  g_assert_cmpstr (health->longest[0].name, ==, "slow_cb");

  /* The probe fired every 5 ms, once about 35 ms late (behind slow_cb). */
  g_assert_cmpuint (health->lag.count, >, 5);
  g_assert_cmpuint (health->lag.max, >=, 20 * 1000000);

  slow = find_item (flow_items (snapshot, "sources"), "slow_cb");
  g_assert_nonnull (slow);
  g_assert_cmpstr (slow->context, ==, "ui");
  g_assert_cmpuint (slow->duration.count, ==, 1);

  hotpath_main_context_unwatch (context);
  g_assert_true (g_main_context_get_poll_func (context) == g_poll);
  hotpath_guard_finish (guard, NULL);
}

static void
test_main_context_unwatch (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  HotpathFlowMainLoop *health;
  guint64 iterations;

  g_assert_true (hotpath_main_context_watch (context, "worker"));
  g_assert_true (g_main_context_get_poll_func (context) != g_poll);
  iterate_for (context, 20);
  hotpath_main_context_unwatch (context);
  g_assert_true (g_main_context_get_poll_func (context) == g_poll);

  /* Nothing of ours is left on the context: an iteration has nothing to
   * dispatch and returns at once. */
  g_assert_false (g_main_context_pending (context));

  snapshot = hotpath_guard_snapshot (guard);
  health = find_item (flow_items (snapshot, "main_loop"), "worker");
  g_assert_nonnull (health);
  g_assert_cmpstr (health->state, ==, "stopped");
  iterations = health->iterations;
  g_assert_cmpuint (iterations, >, 0);
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);

  iterate_for (context, 5);
  snapshot = hotpath_guard_snapshot (guard);
  health = find_item (flow_items (snapshot, "main_loop"), "worker");
  g_assert_cmpuint (health->iterations, ==, iterations);

  /* Watching again reuses the slot. */
  g_assert_true (hotpath_main_context_watch (context, "worker"));
  hotpath_main_context_unwatch (context);
  hotpath_guard_finish (guard, NULL);
}


/* ---------------------------------------------------------- channels */

#define N_PRODUCERS 4
#define N_CONSUMERS 2
#define PER_PRODUCER 100000

typedef struct
{
  GAsyncQueue *queue;
  guint        n;
} Worker;

static gpointer
produce (gpointer data)
{
  Worker *worker = data;

  for (guint i = 1; i <= worker->n; i++)
    hotpath_async_queue_push (worker->queue, GUINT_TO_POINTER (i));

  return NULL;
}

static gpointer
consume (gpointer data)
{
  Worker *worker = data;
  guint64 sum = 0;

  for (guint i = 0; i < worker->n; i++)
    sum += GPOINTER_TO_UINT (hotpath_async_queue_pop (worker->queue));

  return GSIZE_TO_POINTER (sum);
}

static void
test_channel_counts (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  GAsyncQueue *queue = HOTPATH_ASYNC_QUEUE (g_async_queue_new (), .label = "jobs");
  GThread *producers[N_PRODUCERS], *consumers[N_CONSUMERS];
  Worker produce_work = { queue, PER_PRODUCER };
  Worker consume_work = { queue, PER_PRODUCER * N_PRODUCERS / N_CONSUMERS };
  guint64 sum = 0;
  HotpathFlowChannel *channel;

  for (guint i = 0; i < N_CONSUMERS; i++)
    consumers[i] = g_thread_new ("consumer", consume, &consume_work);
  for (guint i = 0; i < N_PRODUCERS; i++)
    producers[i] = g_thread_new ("producer", produce, &produce_work);

  /* Snapshots while the channel is busy must not disturb the counts. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(HotpathSnapshot) busy = hotpath_guard_snapshot (guard);
      HotpathFlowChannel *partial = find_item (flow_items (busy, "channels"), "jobs");

      g_assert_nonnull (partial);
      g_assert_cmpuint (partial->received, <=, partial->sent);
    }

  for (guint i = 0; i < N_PRODUCERS; i++)
    g_thread_join (producers[i]);
  for (guint i = 0; i < N_CONSUMERS; i++)
    sum += GPOINTER_TO_SIZE (g_thread_join (consumers[i]));

  g_assert_cmpuint (sum, ==, (guint64) N_PRODUCERS * PER_PRODUCER * (PER_PRODUCER + 1) / 2);

  snapshot = hotpath_guard_snapshot (guard);
  channel = find_item (flow_items (snapshot, "channels"), "jobs");
  g_assert_nonnull (channel);
  g_assert_cmpstr (channel->type, ==, "async_queue");
  g_assert_cmpstr (channel->state, ==, "active");
  g_assert_cmpuint (channel->sent, ==, N_PRODUCERS * PER_PRODUCER);
  g_assert_cmpuint (channel->received, ==, N_PRODUCERS * PER_PRODUCER);
  g_assert_cmpint (channel->queued, ==, 0);
  g_assert_cmpuint (channel->max_queued, >=, 1);
  g_assert_cmpuint (channel->max_queued, <=, N_PRODUCERS * PER_PRODUCER);
  /* Every message has its latency. */
  g_assert_cmpuint (channel->latency.count, ==, N_PRODUCERS * PER_PRODUCER);
  g_assert_cmpuint (channel->n_logs, ==, 0);

  hotpath_async_queue_unref (queue);
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);
  snapshot = hotpath_guard_snapshot (guard);
  channel = find_item (flow_items (snapshot, "channels"), "jobs");
  g_assert_cmpstr (channel->state, ==, "closed");
  hotpath_guard_finish (guard, NULL);
}

typedef struct
{
  GAsyncQueue *queue;
  gboolean     monitored;
  guint        delay_ms;
} DelayedPush;

static gpointer
push_later (gpointer data)
{
  DelayedPush *push = data;

  g_usleep (push->delay_ms * 1000);
  if (push->monitored)
    hotpath_async_queue_push (push->queue, GUINT_TO_POINTER (99));
  else
    g_async_queue_push (push->queue, GUINT_TO_POINTER (99));

  return NULL;
}

static gpointer
pop_blocking (gpointer data)
{
  DelayedPush *push = data;

  return push->monitored ? hotpath_async_queue_pop (push->queue) : g_async_queue_pop (push->queue);
}

/* Runs the same script on a plain and on a monitored queue; returns what
 * each step observed, as text, for comparison. */
static char *
queue_script (gboolean monitored)
{
  GString *log = g_string_new (NULL);
  GAsyncQueue *queue = g_async_queue_new ();
  DelayedPush push = { queue, monitored, 30 };
  GThread *thread;
  gint64 start;
  gpointer item;

#define PUSH(q, d) (monitored ? hotpath_async_queue_push ((q), (d)) : g_async_queue_push ((q), (d)))
#define TRY_POP(q) (monitored ? hotpath_async_queue_try_pop (q) : g_async_queue_try_pop (q))
#define TIMEOUT_POP(q, t) (monitored ? hotpath_async_queue_timeout_pop ((q), (t)) : g_async_queue_timeout_pop ((q), (t)))
#define LENGTH(q) (monitored ? hotpath_async_queue_length (q) : g_async_queue_length (q))

  if (monitored)
    queue = HOTPATH_ASYNC_QUEUE (queue, .label = "script");

  /* try_pop on an empty queue returns NULL at once. */
  start = g_get_monotonic_time ();
  item = TRY_POP (queue);
  g_string_append_printf (log, "try_pop empty: %p fast=%d\n", item, g_get_monotonic_time () - start < 10000);

  PUSH (queue, GUINT_TO_POINTER (1));
  PUSH (queue, GUINT_TO_POINTER (2));
  PUSH (queue, GUINT_TO_POINTER (3));
  g_string_append_printf (log, "length after 3 pushes: %d\n", LENGTH (queue));
  g_string_append_printf (log, "try_pop: %u\n", GPOINTER_TO_UINT (TRY_POP (queue)));
  g_string_append_printf (log, "timeout_pop: %u\n", GPOINTER_TO_UINT (TIMEOUT_POP (queue, 1000)));
  g_string_append_printf (log, "pop: %u\n", GPOINTER_TO_UINT (monitored ? hotpath_async_queue_pop (queue) : g_async_queue_pop (queue)));

  /* timeout_pop on an empty queue waits the whole timeout, then NULL. */
  start = g_get_monotonic_time ();
  item = TIMEOUT_POP (queue, 20000);
  g_string_append_printf (log, "timeout_pop empty: %p waited=%d\n", item, g_get_monotonic_time () - start >= 20000);

  /* timeout_pop is woken by a push. */
  thread = g_thread_new ("pusher", push_later, &push);
  item = TIMEOUT_POP (queue, 5 * G_USEC_PER_SEC);
  g_string_append_printf (log, "timeout_pop woken: %u\n", GPOINTER_TO_UINT (item));
  g_thread_join (thread);

  /* A waiting receiver makes the length negative. */
  thread = g_thread_new ("popper", pop_blocking, &push);
  while (LENGTH (queue) != -1)
    g_usleep (1000);
  g_string_append_printf (log, "length with a waiter: %d\n", LENGTH (queue));
  PUSH (queue, GUINT_TO_POINTER (7));
  g_string_append_printf (log, "waiter got: %u\n", GPOINTER_TO_UINT (g_thread_join (thread)));
  g_string_append_printf (log, "length at end: %d\n", LENGTH (queue));

#undef PUSH
#undef TRY_POP
#undef TIMEOUT_POP
#undef LENGTH

  if (monitored)
    hotpath_async_queue_unref (queue);
  else
    g_async_queue_unref (queue);

  return g_string_free (log, FALSE);
}

static void
test_channel_semantics (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autofree char *plain = queue_script (FALSE);
  g_autofree char *monitored = queue_script (TRUE);
  HotpathFlowChannel *channel;

  g_test_message ("%s", plain);
  g_assert_cmpstr (monitored, ==, plain);
  g_assert_nonnull (strstr (plain, "try_pop empty: (nil) fast=1"));
  g_assert_nonnull (strstr (plain, "length with a waiter: -1"));

  snapshot = hotpath_guard_snapshot (guard);
  channel = find_item (flow_items (snapshot, "channels"), "script");
  g_assert_nonnull (channel);
  g_assert_cmpuint (channel->sent, ==, 5);
  g_assert_cmpuint (channel->received, ==, 5);
  g_assert_cmpuint (channel->max_queued, ==, 3);
  g_assert_cmpuint (channel->latency.count, ==, 5);
  g_assert_cmpstr (channel->state, ==, "closed");
  hotpath_guard_finish (guard, NULL);
}

static char *
describe_job (gconstpointer item)
{
  return g_strdup_printf ("job %u", GPOINTER_TO_UINT (item));
}

static void
test_channel_log (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  GAsyncQueue *queue;
  HotpathFlowChannel *channel;

  /* Messages queued before registration are received but have no latency. */
  queue = g_async_queue_new ();
  g_async_queue_push (queue, GUINT_TO_POINTER (1000));
  g_async_queue_push (queue, GUINT_TO_POINTER (1001));
  queue = HOTPATH_ASYNC_QUEUE (queue, .label = "logged", .log = TRUE, .describe = describe_job);
  g_assert_cmpint (hotpath_async_queue_length (queue), ==, 2);

  for (guint i = 1; i <= 60; i++)
    hotpath_async_queue_push (queue, GUINT_TO_POINTER (i));
  for (guint i = 0; i < 52; i++)
    hotpath_async_queue_pop (queue);

  snapshot = hotpath_guard_snapshot (guard);
  channel = find_item (flow_items (snapshot, "channels"), "logged");
  g_assert_nonnull (channel);
  g_assert_cmpuint (channel->sent, ==, 60);
  g_assert_cmpuint (channel->received, ==, 52);
  g_assert_cmpint (channel->queued, ==, 10);
  g_assert_cmpuint (channel->max_queued, ==, 62);
  g_assert_cmpuint (channel->latency.count, ==, 50);
  g_assert_cmpuint (channel->n_logs, ==, HOTPATH_DEFAULT_LOGS_LIMIT);
  g_assert_cmpstr (channel->logs[channel->n_logs - 1].text, ==, "job 60");
  g_assert_cmpstr (channel->logs[0].text, ==, "job 11");
  /* job 50 was popped, job 51 is still queued. */
  g_assert_cmpstr (channel->logs[39].text, ==, "job 50");
  g_assert_cmpstr (channel->logs[39].outcome, ==, "received");
  g_assert_cmpstr (channel->logs[40].outcome, ==, "queued");

  hotpath_async_queue_ref (queue);
  hotpath_async_queue_unref (queue);
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);
  snapshot = hotpath_guard_snapshot (guard);
  g_assert_cmpstr (((HotpathFlowChannel *) find_item (flow_items (snapshot, "channels"), "logged"))->state, ==, "active");
  hotpath_async_queue_unref (queue);
  hotpath_guard_finish (guard, NULL);
}

static void
pool_work (gpointer data,
           gpointer user_data)
{
  guint *done = user_data;

  g_usleep (200);
  g_atomic_int_inc (done);
}

static void
test_thread_pool (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  HotpathFlowChannel *channel;
  GThreadPool *pool;
  guint done = 0;

  pool = HOTPATH_THREAD_POOL (g_thread_pool_new (pool_work, &done, 4, FALSE, &error), .label = "workers");
  g_assert_no_error (error);

  for (guint i = 1; i <= 500; i++)
    g_assert_true (hotpath_thread_pool_push (pool, GUINT_TO_POINTER (i), &error));
  /* The pool's own calls still work on it. */
  g_assert_cmpuint (g_thread_pool_get_max_threads (pool), ==, 4);
  hotpath_thread_pool_free (pool, FALSE, TRUE);
  g_assert_cmpuint (done, ==, 500);

  snapshot = hotpath_guard_snapshot (guard);
  channel = find_item (flow_items (snapshot, "channels"), "workers");
  g_assert_nonnull (channel);
  g_assert_cmpstr (channel->type, ==, "thread_pool");
  g_assert_cmpstr (channel->state, ==, "closed");
  g_assert_cmpuint (channel->sent, ==, 500);
  g_assert_cmpuint (channel->received, ==, 500);
  g_assert_cmpuint (channel->finished, ==, 500);
  g_assert_cmpint (channel->queued, ==, 0);
  g_assert_cmpuint (channel->running, ==, 0);
  g_assert_cmpuint (channel->max_running, >=, 1);
  g_assert_cmpuint (channel->max_running, <=, 4);
  g_assert_cmpuint (channel->max_queued, >, 4);
  g_assert_cmpuint (channel->latency.count, ==, 500);
  g_assert_cmpuint (channel->run.count, ==, 500);
  g_assert_cmpuint (channel->run.min, >=, 200 * 1000);
  hotpath_guard_finish (guard, NULL);
}


/* ----------------------------------------------------------- futures */

/* GTask drops its last reference from a pool thread after the callback
 * is queued, so finalization comes a little later: wait for it. */
static HotpathSnapshot *
snapshot_when_finalized (HotpathGuard *guard,
                         const char   *name,
                         guint64       finalized)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      HotpathSnapshot *snapshot = hotpath_guard_snapshot (guard);
      HotpathFlowFuture *future = find_item (flow_items (snapshot, "futures"), name);

      if ((future != NULL && future->finalized >= finalized) || g_get_monotonic_time () > deadline)
        return snapshot;

      hotpath_snapshot_unref (snapshot);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

typedef struct
{
  guint      callbacks;
  guint      errors;
  guint      expected;
  GMainLoop *loop;
} TaskState;

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_usleep (1000);
  g_task_return_int (task, GPOINTER_TO_INT (task_data) * 2);
}

static void
task_done (GObject      *source_object,
           GAsyncResult *result,
           gpointer      data)
{
  TaskState *state = data;
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_int (G_TASK (result), &error) < 0 || error != NULL)
    state->errors++;
  if (++state->callbacks == state->expected && state->loop != NULL)
    g_main_loop_quit (state->loop);
}

static void
test_task_thread (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  TaskState state = { 0, 0, 20, loop };
  HotpathFlowFuture *future;

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GTask) task = HOTPATH_TASK (g_task_new (NULL, NULL, task_done, &state),
                                            .label = "compute", .log = TRUE);

      g_task_set_task_data (task, GUINT_TO_POINTER (i + 1), NULL);
      hotpath_task_run_in_thread (task, compute_thread);
    }
  g_main_loop_run (loop);
  /* GTask drops its last references from the pool threads and idles. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (state.callbacks, ==, 20);
  g_assert_cmpuint (state.errors, ==, 0);

  snapshot = snapshot_when_finalized (guard, "compute", 20);
  future = find_item (flow_items (snapshot, "futures"), "compute");
  g_assert_nonnull (future);
  g_assert_cmpstr (future->type, ==, "task");
  g_assert_cmpuint (future->created, ==, 20);
  g_assert_cmpuint (future->finalized, ==, 20);
  g_assert_cmpuint (future->ran_in_thread, ==, 20);
  g_assert_cmpuint (future->returned_value, ==, 20);
  g_assert_cmpuint (future->callbacks, ==, 20);
  g_assert_cmpuint (future->no_return + future->no_callback, ==, 0);
  g_assert_cmpuint (future->queue_wait.count, ==, 20);
  g_assert_cmpuint (future->run.count, ==, 20);
  g_assert_cmpuint (future->run.min, >=, 1000 * 1000);
  g_assert_cmpuint (future->to_callback.count, ==, 20);
  g_assert_cmpuint (future->lifetime.count, ==, 20);
  g_assert_cmpuint (future->n_logs, ==, 20);
  g_assert_cmpstr (future->logs[0].outcome, ==, "value");
  hotpath_guard_finish (guard, NULL);
}

#define TASK_THREADS 4
#define TASKS_PER_THREAD 500

static gpointer
make_tasks (gpointer data)
{
  for (guint i = 0; i < TASKS_PER_THREAD; i++)
    {
      GTask *task = HOTPATH_TASK (g_task_new (NULL, NULL, task_done, data), .label = "many");

      /* Created here, called back on the main context. */
      hotpath_task_return_int (task, 1);
      g_object_unref (task);
    }
  return NULL;
}

static void
test_task_concurrent (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  TaskState state = { 0, 0, TASK_THREADS * TASKS_PER_THREAD, loop };
  GThread *threads[TASK_THREADS];
  HotpathFlowFuture *future;

  for (guint i = 0; i < TASK_THREADS; i++)
    threads[i] = g_thread_new ("tasks", make_tasks, &state);
  g_main_loop_run (loop);
  for (guint i = 0; i < TASK_THREADS; i++)
    g_thread_join (threads[i]);

  snapshot = snapshot_when_finalized (guard, "many", TASK_THREADS * TASKS_PER_THREAD);
  future = find_item (flow_items (snapshot, "futures"), "many");
  g_assert_nonnull (future);
  g_assert_cmpuint (future->created, ==, TASK_THREADS * TASKS_PER_THREAD);
  g_assert_cmpuint (future->finalized, ==, TASK_THREADS * TASKS_PER_THREAD);
  g_assert_cmpuint (future->callbacks, ==, TASK_THREADS * TASKS_PER_THREAD);
  g_assert_cmpuint (future->returned_value, ==, TASK_THREADS * TASKS_PER_THREAD);
  g_assert_cmpuint (future->awaiting_callback, ==, 0);
  g_assert_cmpuint (future->to_callback.count, ==, TASK_THREADS * TASKS_PER_THREAD);
  hotpath_guard_finish (guard, NULL);
}

static void
error_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  hotpath_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "no"));
}

static void
cancel_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  if (!hotpath_task_return_error_if_cancelled (task))
    hotpath_task_return_int (task, 1);
}

static void
test_task_outcomes (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  TaskState state = { 0, 0, 4, loop };
  HotpathFlowFuture *future;
  GTask *task;

  /* An error, through the wrapper. */
  task = HOTPATH_TASK (g_task_new (NULL, NULL, task_done, &state), .label = "outcomes");
  hotpath_task_run_in_thread (task, error_thread);
  g_object_unref (task);

  /* Cancelled. */
  g_cancellable_cancel (cancellable);
  task = HOTPATH_TASK (g_task_new (NULL, cancellable, task_done, &state), .label = "outcomes");
  hotpath_task_run_in_thread (task, cancel_thread);
  g_object_unref (task);

  /* Plain GLib returns: the error is seen at completion. */
  task = HOTPATH_TASK (g_task_new (NULL, NULL, task_done, &state), .label = "outcomes");
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");
  g_object_unref (task);

  task = HOTPATH_TASK (g_task_new (NULL, NULL, task_done, &state), .label = "outcomes");
  hotpath_task_return_pointer (task, NULL, NULL);
  g_object_unref (task);

  g_main_loop_run (loop);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (state.errors, ==, 3);  /* error, cancelled, not found */

  snapshot = snapshot_when_finalized (guard, "outcomes", 4);
  future = find_item (flow_items (snapshot, "futures"), "outcomes");
  g_assert_nonnull (future);
  g_assert_cmpuint (future->created, ==, 4);
  g_assert_cmpuint (future->finalized, ==, 4);
  g_assert_cmpuint (future->returned_error, ==, 2);
  g_assert_cmpuint (future->cancelled, ==, 1);
  g_assert_cmpuint (future->returned_value, ==, 1);
  g_assert_cmpuint (future->callbacks, ==, 4);
  hotpath_guard_finish (guard, NULL);
}

static gpointer
return_from_thread (gpointer data)
{
  hotpath_task_return_boolean (data, TRUE);
  return NULL;
}

static void
test_task_faults (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  TaskState state = { 0, 0, 0, NULL };
  HotpathFlowFuture *future;
  GMainContext *context;
  GTask *task;

  /* Finalized without ever returning. */
  task = HOTPATH_TASK (g_task_new (NULL, NULL, task_done, &state), .label = "faulty");
  g_object_unref (task);

  /* Returned from a thread, but its context is never iterated: the
   * callback waits (the task stays alive, held by its idle source). */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  task = HOTPATH_TASK (g_task_new (NULL, NULL, task_done, &state), .label = "faulty");
  g_main_context_pop_thread_default (context);
  g_thread_join (g_thread_new ("returner", return_from_thread, task));
  g_object_unref (task);

  g_assert_cmpuint (state.callbacks, ==, 0);

  snapshot = hotpath_guard_snapshot (guard);
  future = find_item (flow_items (snapshot, "futures"), "faulty");
  g_assert_nonnull (future);
  g_assert_cmpuint (future->created, ==, 2);
  g_assert_cmpuint (future->finalized, ==, 1);
  g_assert_cmpuint (future->no_return, ==, 1);
  g_assert_cmpuint (future->awaiting_callback, ==, 1);
  g_assert_cmpuint (future->callbacks, ==, 0);
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);

  /* Its context runs at last: the callback comes, the task goes. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_unref (context);
  g_assert_cmpuint (state.callbacks, ==, 1);
  snapshot = snapshot_when_finalized (guard, "faulty", 2);
  future = find_item (flow_items (snapshot, "futures"), "faulty");
  g_assert_cmpuint (future->finalized, ==, 2);
  g_assert_cmpuint (future->awaiting_callback, ==, 0);
  g_assert_cmpuint (future->callbacks, ==, 1);
  g_assert_cmpuint (future->returned_value, ==, 1);
  g_assert_cmpuint (future->to_callback.count, ==, 1);
  hotpath_guard_finish (guard, NULL);
}

static void
test_task_sync (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  HotpathFlowFuture *future;
  GTask *task;

  task = HOTPATH_TASK (g_task_new (NULL, NULL, NULL, NULL), .label = "sync");
  g_task_set_task_data (task, GINT_TO_POINTER (21), NULL);
  hotpath_task_run_in_thread_sync (task, compute_thread);
  g_assert_cmpint (g_task_propagate_int (task, &error), ==, 42);
  g_assert_no_error (error);
  g_object_unref (task);

  snapshot = snapshot_when_finalized (guard, "sync", 1);
  future = find_item (flow_items (snapshot, "futures"), "sync");
  g_assert_nonnull (future);
  g_test_message ("sync: callbacks %" G_GUINT64_FORMAT " no_return %" G_GUINT64_FORMAT
                  " no_callback %" G_GUINT64_FORMAT " value %" G_GUINT64_FORMAT,
                  future->callbacks, future->no_return, future->no_callback, future->returned_value);
  g_assert_cmpuint (future->finalized, ==, 1);
  g_assert_cmpuint (future->ran_in_thread, ==, 1);
  g_assert_cmpuint (future->run.count, ==, 1);
  g_assert_cmpuint (future->no_return + future->no_callback, ==, 0);
  g_assert_cmpuint (future->returned_value, ==, 1);
  hotpath_guard_finish (guard, NULL);
}

typedef struct
{
  guint      done;
  guint      failed;
  GMainLoop *loop;
} LoadState;

static void
on_loaded (GObject      *source_object,
           GAsyncResult *result,
           gpointer      data)
{
  LoadState *state = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  if (!g_file_load_contents_finish (G_FILE (source_object), result, &contents, NULL, NULL, &error))
    state->failed++;
  if (++state->done == 2)
    g_main_loop_quit (state->loop);
}

static void
test_async (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(GFile) exists = g_file_new_for_path (g_test_get_filename (G_TEST_DIST, "test-flow.c", NULL));
  g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/hotpath");
  LoadState state = { 0, 0, loop };
  HotpathFlowFuture *future;

  g_file_load_contents_async (exists, NULL, HOTPATH_ASYNC (on_loaded, &state, "load"));
  g_file_load_contents_async (missing, NULL, HOTPATH_ASYNC (on_loaded, &state, "load"));
  g_main_loop_run (loop);
  g_assert_cmpuint (state.failed, ==, 1);

  snapshot = hotpath_guard_snapshot (guard);
  future = find_item (flow_items (snapshot, "futures"), "load");
  g_assert_nonnull (future);
  g_assert_cmpstr (future->type, ==, "async");
  g_assert_cmpuint (future->created, ==, 2);
  g_assert_cmpuint (future->callbacks, ==, 2);
  g_assert_cmpuint (future->returned_value, ==, 1);
  g_assert_cmpuint (future->returned_error, ==, 1);
  g_assert_cmpuint (future->to_callback.count, ==, 2);
  hotpath_guard_finish (guard, NULL);
}


/* ------------------------------------------------------------ report */

static void
test_report (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *table = NULL;
  GAsyncQueue *queue = HOTPATH_ASYNC_QUEUE (g_async_queue_new (), .label = "report-queue",
                                            .log = TRUE, .describe = describe_job);
  Counter counter = { 0, 3, loop };
  TaskState state = { 0, 0, 0, NULL };
  JsonObject *sections;
  const char *names[] = { "channels", "futures", "sources", "main_loop" };
  GTask *task;

  hotpath_main_context_watch (NULL, NULL);
  hotpath_async_queue_push (queue, GUINT_TO_POINTER (5));
  g_assert_cmpuint (GPOINTER_TO_UINT (hotpath_async_queue_pop (queue)), ==, 5);
  task = HOTPATH_TASK (g_task_new (NULL, NULL, task_done, &state), .label = "report-task", .log = TRUE);
  hotpath_task_return_int (task, 1);
  HOTPATH_TIMEOUT_ADD (1, tick_cb, &counter);
  g_main_loop_run (loop);
  g_object_unref (task);
  hotpath_main_context_unwatch (NULL);

  snapshot = hotpath_guard_snapshot (guard);
  json = hotpath_snapshot_to_json (snapshot, FALSE);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  sections = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "sections");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonObject *section = json_object_get_object_member (sections, names[i]);
      JsonArray *data;

      g_assert_nonnull (section);
      data = json_object_get_array_member (section, "data");
      g_assert_cmpuint (json_array_get_length (data), >, 0);
      g_assert_cmpint (json_object_get_int_member (section, "total_count"), ==, json_array_get_length (data));
      for (guint j = 0; j < json_array_get_length (data); j++)
        {
          JsonObject *item = json_array_get_object_element (data, j);

          g_assert_cmpint (json_object_get_int_member (item, "id"), >, 0);
          g_assert_true (json_object_has_member (item, "name"));
          g_assert_nonnull (json_object_get_array_member (item, "logs"));
        }
    }

  {
    JsonArray *channels = json_object_get_array_member (json_object_get_object_member (sections, "channels"), "data");
    JsonObject *channel = NULL;
    JsonArray *logs;

    /* Only what this session saw: earlier tests' closed queues are gone. */
    g_assert_cmpuint (json_array_get_length (channels), ==, 1);
    channel = json_array_get_object_element (channels, 0);
    logs = json_object_get_array_member (channel, "logs");

    g_assert_cmpstr (json_object_get_string_member (channel, "name"), ==, "report-queue");
    g_assert_cmpint (json_object_get_int_member (channel, "sent"), ==, 1);
    g_assert_cmpuint (json_array_get_length (logs), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (logs, 0), "text"), ==, "job 5");
  }

  /* One item with its logs, for the live API. */
  {
    JsonArray *sources = json_object_get_array_member (json_object_get_object_member (sections, "sources"), "data");
    guint id = (guint) json_object_get_int_member (json_array_get_object_element (sources, 0), "id");
    g_autoptr(JsonNode) item = hotpath_test_item_json (snapshot, "sources", id);
    g_autoptr(JsonNode) missing = hotpath_test_item_json (snapshot, "channels", id);
    g_autoptr(JsonNode) wrong = hotpath_test_item_json (snapshot, "nope", id);

    g_assert_nonnull (item);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (item), "id"), ==, id);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (item), "logs")), ==, 3);
    g_assert_null (missing);
    g_assert_null (wrong);
  }

  table = hotpath_snapshot_to_table (snapshot);
  g_test_message ("%s", table);
  g_assert_nonnull (strstr (table, "| Channel      | Type        | State  | Sent | Received | Queued | Max | Latency P95 |"));
  g_assert_nonnull (strstr (table, "| report-queue | async_queue | active |    1 |        1 |      0 |   1 |"));
  g_assert_nonnull (strstr (table, "[hotpath] futures: "));
  g_assert_nonnull (strstr (table, "| tick_cb "));
  g_assert_nonnull (strstr (table, "[hotpath] main loop: "));

  hotpath_async_queue_unref (queue);
  hotpath_guard_finish (guard, NULL);
}

/* HOTPATH_MAIN watches the default context for the session, and gives it
 * back its poll function when main() ends. */
static void
test_main_default_context (void)
{
  HotpathOptions options = { .format = HOTPATH_FORMAT_NONE, .limit = HOTPATH_DEFAULT_LIMIT };
  HotpathGuard *guard;

  g_assert_true (g_main_context_get_poll_func (NULL) == g_poll);
  guard = hotpath_main_begin (&options);
  g_assert_nonnull (guard);
  g_assert_true (g_main_context_get_poll_func (NULL) != g_poll);
  iterate_for (NULL, 20);
  hotpath_main_end (&guard);
  g_assert_null (guard);
  g_assert_true (g_main_context_get_poll_func (NULL) == g_poll);
}


/* The lag probe starts with the first iteration: the time a program spends
 * before it runs its loop is not lag. Before: lag max ~ the 300 ms sleep. */
static void
test_main_context_lag_from_first_iteration (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  HotpathFlowMainLoop *health;
  GSource *quit;

  /* main() set HOTPATH_LAG_PROBE_MS=5 */
  g_assert_true (hotpath_main_context_watch (context, "late-start"));
  g_usleep (300 * 1000);

  quit = g_timeout_source_new (100);
  g_source_set_callback (quit, quit_cb, loop, NULL);
  g_source_attach (quit, context);
  g_source_unref (quit);
  g_main_context_push_thread_default (context);
  g_main_loop_run (loop);
  g_main_context_pop_thread_default (context);

  snapshot = hotpath_guard_snapshot (guard);
  health = find_item (flow_items (snapshot, "main_loop"), "late-start");
  g_assert_nonnull (health);
  g_test_message ("lag: %" G_GUINT64_FORMAT " probes, max %" G_GUINT64_FORMAT " ns; %" G_GUINT64_FORMAT " iterations",
                  health->lag.count, health->lag.max, health->iterations);
  g_assert_cmpuint (health->lag.count, >, 0);
  /* Well under the sleep before the loop, loaded machine or not. */
  g_assert_cmpuint (health->lag.max, <, 150 * 1000000);
  hotpath_main_context_unwatch (context);
  hotpath_guard_finish (guard, NULL);
}

int
main (int   argc,
      char *argv[])
{
  /* Before any thread exists: a fast lag probe for the stall test. */
  g_setenv ("HOTPATH_LAG_PROBE_MS", "5", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/Flow/source-timeout", test_source_timeout);
  g_test_add_func ("/Hotpath/Flow/source-idle-remove-by-data", test_source_idle_remove_by_data);
  g_test_add_func ("/Hotpath/Flow/source-watch", test_source_watch);
  g_test_add_func ("/Hotpath/Flow/source-signal", test_source_signal);
  g_test_add_func ("/Hotpath/Flow/source-wrappers-add", test_source_wrappers_add);
  g_test_add_func ("/Hotpath/Flow/source-wrappers-signal", test_source_wrappers_signal);
  g_test_add_func ("/Hotpath/Flow/main-context-stall", test_main_context_stall);
  g_test_add_func ("/Hotpath/Flow/main-context-lag-from-first-iteration",
                   test_main_context_lag_from_first_iteration);
  g_test_add_func ("/Hotpath/Flow/main-context-unwatch", test_main_context_unwatch);
  g_test_add_func ("/Hotpath/Flow/channel-counts", test_channel_counts);
  g_test_add_func ("/Hotpath/Flow/channel-semantics", test_channel_semantics);
  g_test_add_func ("/Hotpath/Flow/channel-log", test_channel_log);
  g_test_add_func ("/Hotpath/Flow/thread-pool", test_thread_pool);
  g_test_add_func ("/Hotpath/Flow/task-thread", test_task_thread);
  g_test_add_func ("/Hotpath/Flow/task-concurrent", test_task_concurrent);
  g_test_add_func ("/Hotpath/Flow/task-outcomes", test_task_outcomes);
  g_test_add_func ("/Hotpath/Flow/task-faults", test_task_faults);
  g_test_add_func ("/Hotpath/Flow/task-sync", test_task_sync);
  g_test_add_func ("/Hotpath/Flow/async", test_async);
  g_test_add_func ("/Hotpath/Flow/report", test_report);
  g_test_add_func ("/Hotpath/Flow/main-default-context", test_main_default_context);

  return g_test_run ();
}
