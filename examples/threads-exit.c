/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * threads-exit: the report still comes out, once, when the program ends
 * with exit() on another thread. main() measures 50 calls, starts a worker
 * that measures 70 and then calls exit (0) while main() is blocked joining
 * it, so main() never returns. The report includes the calls of both
 * threads and is printed exactly once.
 *
 *   build/examples/threads-exit
 */

#define G_LOG_DOMAIN "threads-exit"

#include <stdlib.h>

#include <glib.h>
#include <hotpath-glib/hotpath.h>

static guint
main_thread_work (guint i)
{
  HOTPATH_MEASURE ();

  return g_int_hash (&i) ^ i;
}

static guint
worker_work (guint i)
{
  HOTPATH_MEASURE ();

  g_usleep (50);

  return i * 31;
}

static gpointer
worker_main (gpointer data)
{
  volatile guint sink = 0;

  for (guint i = 0; i < 70; i++)
    sink += worker_work (i);

  /* Ends the process from here: main() is still blocked in g_thread_join(). */
  exit (sink == 42 ? 1 : 0);
}

int
main (int   argc,
      char *argv[])
{
  HOTPATH_MAIN ();
  volatile guint sink = 0;
  GThread *worker;

  for (guint i = 0; i < 50; i++)
    sink += main_thread_work (i);

  worker = g_thread_new ("worker", worker_main, NULL);
  g_thread_join (worker);

  g_assert_not_reached ();
  return sink == 42 ? 1 : 0;
}
