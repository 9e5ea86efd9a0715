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

/* ------------------------------------------------------------- helpers */

static HotpathGuard *
start_session (void)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("test-flow");

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  return hotpath_guard_builder_build (builder);
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
  source = find_item (snapshot->flow->sources, "tick_cb");
  g_assert_nonnull (source);
  g_assert_cmpstr (source->type, ==, "timeout");
  g_assert_cmpuint (source->duration.count, ==, 5);
  g_assert_cmpuint (source->n_logs, ==, 5);
  hotpath_guard_finish (guard);
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

  HOTPATH_IDLE_ADD (idle_cb, &runs);
  g_main_loop_run (loop);

  g_assert_cmpuint (removed.count, ==, 0);
  g_assert_cmpuint (by_user_data.count, ==, 0);
  g_assert_cmpuint (runs.count, ==, 3);

  snapshot = hotpath_guard_snapshot (guard);
  source = find_item (snapshot->flow->sources, "idle_cb");
  g_assert_nonnull (source);
  g_assert_cmpstr (source->type, ==, "idle");
  g_assert_cmpuint (source->duration.count, ==, 3);
  hotpath_guard_finish (guard);
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
  g_assert_cmpstr (g_source_get_name (source), ==, "custom");
  g_source_attach (source, context);

  while (counter.count < 4)
    g_main_context_iteration (context, TRUE);

  custom_finalized = FALSE;
  g_source_unref (source);
  g_assert_true (custom_finalized);

  snapshot = hotpath_guard_snapshot (guard);
  stats = find_item (snapshot->flow->sources, "custom");
  g_assert_nonnull (stats);
  g_assert_cmpstr (stats->type, ==, "source");
  g_assert_cmpuint (stats->duration.count, ==, 4);
  /* Not a watched context: no context name. */
  g_assert_null (stats->context);
  hotpath_guard_finish (guard);
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
  stats = find_item (snapshot->flow->sources, "on_activate");
  g_assert_nonnull (stats);
  g_assert_cmpstr (stats->type, ==, "signal");
  g_assert_cmpuint (stats->duration.count, ==, 7);
  hotpath_guard_finish (guard);
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
  health = find_item (snapshot->flow->main_loops, "ui");
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

  slow = find_item (snapshot->flow->sources, "slow_cb");
  g_assert_nonnull (slow);
  g_assert_cmpstr (slow->context, ==, "ui");
  g_assert_cmpuint (slow->duration.count, ==, 1);

  hotpath_main_context_unwatch (context);
  g_assert_true (g_main_context_get_poll_func (context) == g_poll);
  hotpath_guard_finish (guard);
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
  health = find_item (snapshot->flow->main_loops, "worker");
  g_assert_nonnull (health);
  g_assert_cmpstr (health->state, ==, "stopped");
  iterations = health->iterations;
  g_assert_cmpuint (iterations, >, 0);
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);

  iterate_for (context, 5);
  snapshot = hotpath_guard_snapshot (guard);
  health = find_item (snapshot->flow->main_loops, "worker");
  g_assert_cmpuint (health->iterations, ==, iterations);

  /* Watching again reuses the slot. */
  g_assert_true (hotpath_main_context_watch (context, "worker"));
  hotpath_main_context_unwatch (context);
  hotpath_guard_finish (guard);
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
  g_test_add_func ("/Hotpath/Flow/main-context-stall", test_main_context_stall);
  g_test_add_func ("/Hotpath/Flow/main-context-unwatch", test_main_context_unwatch);

  return g_test_run ();
}
