/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-flow-off.c: every data-flow macro and call, built WITHOUT
 * HOTPATH_ENABLED and without the library. That this links at all shows
 * off means absent; the tests show the calls are the GLib ones.
 */

#include <gio/gio.h>

#include "hotpath.h"

#ifdef HOTPATH_ENABLED
# error "this test must be built without HOTPATH_ENABLED"
#endif

/* Off, the options are dropped: a describe function is then unused. */
G_GNUC_UNUSED static char *
describe (gconstpointer item)
{
  return g_strdup ("x");
}

static gboolean
tick (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_REMOVE;
}

static void
on_activate (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       data)
{
  (*(guint *) data)++;
}

static void
on_activate_swapped (gpointer       data,
                     GVariant      *parameter,
                     GSimpleAction *action)
{
  g_assert_true (G_IS_SIMPLE_ACTION (action));
  (*(guint *) data)++;
}

static void
on_activate_object (GSimpleAction *action,
                    GVariant      *parameter,
                    GSimpleAction *object)
{
  g_assert_true (action == object);
  (*(guint *) g_object_get_data (G_OBJECT (object), "count"))++;
}

static void
work (gpointer data,
      gpointer user_data)
{
  g_atomic_int_inc ((gint *) user_data);
}

static void
thread_func (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  hotpath_task_return_int (task, 7);
}

static void
done (GObject      *source_object,
      GAsyncResult *result,
      gpointer      data)
{
  *(gssize *) data = g_task_propagate_int (G_TASK (result), NULL);
}

static void
test_off (void)
{
  GAsyncQueue *queue = HOTPATH_ASYNC_QUEUE (g_async_queue_new (), .label = "q", .log = TRUE,
                                            .describe = describe);
  void (*push) (GAsyncQueue *, gpointer) = hotpath_async_queue_push;
  GThreadPool *pool;
  GSimpleAction *action = g_simple_action_new ("a", NULL);
  GSource *source = g_idle_source_new ();
  GTask *task;
  guint count = 0;
  gint pooled = 0;
  gssize result = 0;

  /* The names are GLib's own functions. */
  g_assert_true (push == g_async_queue_push);
  g_assert_true ((gpointer) hotpath_task_return_int == (gpointer) g_task_return_int);

  hotpath_async_queue_push (queue, GUINT_TO_POINTER (1));
  g_assert_cmpint (hotpath_async_queue_length (queue), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (hotpath_async_queue_try_pop (queue)), ==, 1);
  g_assert_null (hotpath_async_queue_timeout_pop (queue, 1000));
  hotpath_async_queue_push (queue, GUINT_TO_POINTER (2));
  g_assert_cmpuint (GPOINTER_TO_UINT (hotpath_async_queue_pop (queue)), ==, 2);
  hotpath_async_queue_unref (hotpath_async_queue_ref (queue));
  hotpath_async_queue_unref (queue);

  pool = HOTPATH_THREAD_POOL (g_thread_pool_new (work, &pooled, 2, FALSE, NULL), .label = "p");
  for (guint i = 0; i < 10; i++)
    hotpath_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
  hotpath_thread_pool_free (pool, FALSE, TRUE);
  g_assert_cmpint (pooled, ==, 10);

  task = HOTPATH_TASK (g_task_new (NULL, NULL, done, &result), .label = "t", .log = TRUE);
  hotpath_task_run_in_thread (task, thread_func);
  g_object_unref (task);
  while (result == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (result, ==, 7);

  HOTPATH_TIMEOUT_ADD (1, tick, &count);
  HOTPATH_IDLE_ADD (tick, &count);
  while (count < 2)
    g_main_context_iteration (NULL, TRUE);

  g_object_set_data (G_OBJECT (action), "count", &count);
  HOTPATH_SIGNAL_CONNECT (action, "activate", on_activate, &count);
  g_action_activate (G_ACTION (action), NULL);
  g_assert_cmpuint (count, ==, 3);

  /* The other wrappers are the GLib calls too. */
  HOTPATH_TIMEOUT_ADD_FULL (G_PRIORITY_HIGH, 1, tick, &count, NULL);
  HOTPATH_IDLE_ADD_FULL (G_PRIORITY_LOW, tick, &count, NULL);
  while (count < 5)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (HOTPATH_TIMEOUT_ADD_SECONDS (3600, tick, &count), >, 0);
  HOTPATH_SIGNAL_CONNECT_SWAPPED (action, "activate", on_activate_swapped, &count);
  HOTPATH_SIGNAL_CONNECT_AFTER (action, "activate", on_activate, &count);
  HOTPATH_SIGNAL_CONNECT_OBJECT (action, "activate", on_activate_object, action, G_CONNECT_AFTER);
  g_action_activate (G_ACTION (action), NULL);
  g_assert_cmpuint (count, ==, 9);

  hotpath_source_watch (source, "idle");
  g_source_unref (source);
  g_assert_true (hotpath_main_context_watch (NULL, "main"));
  hotpath_main_context_unwatch (NULL);

  g_object_unref (action);
}

int
main (int   argc,
      char *argv[])
{
  HOTPATH_MAIN (.limit = 0);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Hotpath/Flow/off", test_off);

  return g_test_run ();
}
