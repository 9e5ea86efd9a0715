/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-threads.c: the "threads" section, sampled from /proc/self/task
 * with a short interval.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "hotpath.h"
#include "hotpath-test-rows.h"

static HotpathGuard *
start_session (void)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("test-threads");

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  return hotpath_guard_builder_build (builder, NULL);
}

static const HotpathRowsDesc *
thread_rows (void)
{
  return test_section ("threads")->rows;
}

typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean stop;
  gint     spun;
} Shared;

static gpointer
spin_thread (gpointer data)
{
  Shared *shared = data;
  gint64 until = g_get_monotonic_time () + 150 * 1000;
  volatile guint64 sum = 0;

  /* Busy for a while, so its CPU time is well above zero. */
  while (g_get_monotonic_time () < until)
    for (guint i = 0; i < 10000; i++)
      sum += i;
  g_atomic_int_set (&shared->spun, 1);
  return NULL;
}

static gpointer
sleep_thread (gpointer data)
{
  Shared *shared = data;

  g_mutex_lock (&shared->lock);
  while (!shared->stop)
    g_cond_wait (&shared->cond, &shared->lock);
  g_mutex_unlock (&shared->lock);
  return NULL;
}

/* Waits (no timing judged: up to a generous bound) until @name's row has
 * @state. */
static HotpathSnapshot *
wait_for_state (HotpathGuard *guard,
                const char   *name,
                const char   *state)
{
  for (guint i = 0; i < 500; i++)
    {
      HotpathSnapshot *snapshot = hotpath_guard_snapshot (guard);
      gconstpointer row = test_find_row (snapshot, "threads", "name", name);

      if (row != NULL && g_strcmp0 (test_text (thread_rows (), row, "state"), state) == 0)
        return snapshot;
      hotpath_snapshot_unref (snapshot);
      g_usleep (20 * 1000);
    }
  g_error ("thread %s never reached state %s", name, state);
  return NULL;
}

static void
test_sampled (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  Shared shared = { 0 };
  GThread *spinner, *sleeper;
  g_autofree char *comm = NULL;
  gconstpointer row, main_row;
  guint64 cpu_time;

  g_mutex_init (&shared.lock);
  g_cond_init (&shared.cond);
  sleeper = g_thread_new ("sleepy", sleep_thread, &shared);
  spinner = g_thread_new ("spinner", spin_thread, &shared);

  /* A thread blocked in a condition variable sleeps. */
  snapshot = wait_for_state (guard, "sleepy", "sleeping");
  row = test_find_row (snapshot, "threads", "name", "sleepy");
  g_assert_cmpuint (test_uint (thread_rows (), row, "tid"), >, 0);
  g_assert_cmpuint (test_uint (thread_rows (), row, "id"), >, 0);

  /* The main thread is there under the program's name. */
  main_row = NULL;
  for (guint i = 0; i < hotpath_section_get_n_rows (test_section ("threads"), snapshot); i++)
    {
      gconstpointer candidate = hotpath_section_get_row (test_section ("threads"), snapshot, i);

      if (test_uint (thread_rows (), candidate, "tid") == (guint64) getpid ())
        main_row = candidate;
    }
  g_assert_nonnull (main_row);
  /* As the kernel names it (valgrind renames the process). */
  g_assert_true (g_file_get_contents ("/proc/self/comm", &comm, NULL, NULL));
  g_assert_cmpstr (test_text (thread_rows (), main_row, "name"), ==, g_strstrip (comm));
  g_assert_true (g_strv_contains ((const char * const[]) { "running", "sleeping", NULL },
                                 test_text (thread_rows (), main_row, "state")));

  /* A thread that exits keeps its row and its last figures. */
  g_thread_join (spinner);
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);
  snapshot = wait_for_state (guard, "spinner", "exited");
  row = test_find_row (snapshot, "threads", "name", "spinner");
  cpu_time = test_uint (thread_rows (), row, "cpu_time_ns");
  g_assert_cmpuint (cpu_time, >, 0);
  g_assert_cmpfloat (test_number (thread_rows (), row, "cpu_percent"), ==, 0);
  g_assert_cmpfloat (test_number (thread_rows (), row, "max_cpu_percent"), >, 0);
  g_assert_cmpfloat (test_number (thread_rows (), row, "avg_cpu_percent"), >, 0);
  g_assert_cmpfloat (test_number (thread_rows (), row, "avg_cpu_percent"), <=,
                     test_number (thread_rows (), row, "max_cpu_percent") + 0.001);
  g_assert_cmpfloat (test_number (thread_rows (), row, "max_cpu_percent"), <=, 100.0 * g_get_num_processors () + 1);

  /* The sleeper used far less CPU than the spinner. */
  row = test_find_row (snapshot, "threads", "name", "sleepy");
  g_assert_cmpuint (test_uint (thread_rows (), row, "cpu_time_ns"), <, cpu_time);

  g_mutex_lock (&shared.lock);
  shared.stop = TRUE;
  g_cond_signal (&shared.cond);
  g_mutex_unlock (&shared.lock);
  g_thread_join (sleeper);

  test_assert_outputs (snapshot, "threads");
  hotpath_guard_finish (guard, NULL);
  g_mutex_clear (&shared.lock);
  g_cond_clear (&shared.cond);
}

static void
test_off (void)
{
  g_autoptr(HotpathGuard) guard = NULL;
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  /* HOTPATH_THREADS=0: no sampler, and the section is not available. */
  g_setenv ("HOTPATH_THREADS", "0", TRUE);
  guard = start_session ();
  snapshot = hotpath_guard_snapshot (guard);
  g_assert_false (hotpath_section_is_available (test_section ("threads"), snapshot));
  hotpath_guard_finish (guard, NULL);
  g_setenv ("HOTPATH_THREADS", "1", TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("HOTPATH_THREADS", "1", TRUE);
  g_setenv ("HOTPATH_THREADS_INTERVAL_MS", "20", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/Threads/sampled", test_sampled);
  g_test_add_func ("/Hotpath/Threads/off", test_off);

  return g_test_run ();
}
