/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-locks.c: monitored GMutex, GRecMutex and GRWLock under real
 * threads, read back through the "locks" section's row description.
 */

#include "config.h"

#include <string.h>

#include "hotpath.h"
#include "hotpath-test-rows.h"

static HotpathGuard *
start_session (void)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("test-locks");

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  return hotpath_guard_builder_build (builder, NULL);
}

static const HotpathRowsDesc *
lock_rows (void)
{
  return test_section ("locks")->rows;
}

static gconstpointer
find_lock (HotpathSnapshot *snapshot,
           const char      *name)
{
  gconstpointer row = test_find_row (snapshot, "locks", "name", name);

  if (row == NULL)
    g_error ("no lock %s", name);
  return row;
}

/* --------------------------------------------------------- GMutex */

#define N_THREADS 2
#define N_LOCKS   1000

static GMutex counted_lock;
static guint  counted_value;

static gpointer
lock_thread (gpointer data)
{
  for (guint i = 0; i < N_LOCKS; i++)
    {
      hotpath_mutex_lock (&counted_lock);
      counted_value++;
      hotpath_mutex_unlock (&counted_lock);
    }
  return NULL;
}

static void
test_mutex_threads (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  GThread *threads[N_THREADS];
  const HotpathRowsDesc *holders_desc;
  gconstpointer row, holders, holder;

  HOTPATH_MUTEX (&counted_lock, .label = "counter");
  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("locker", lock_thread, NULL);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (counted_value, ==, N_THREADS * N_LOCKS);

  snapshot = hotpath_guard_snapshot (guard);
  row = find_lock (snapshot, "counter");
  g_assert_cmpstr (test_text (lock_rows (), row, "type"), ==, "mutex");
  g_assert_cmpuint (test_uint (lock_rows (), row, "acquisitions"), ==, N_THREADS * N_LOCKS);
  g_assert_cmpuint (test_uint (lock_rows (), row, "contended"), <=, N_THREADS * N_LOCKS);
  g_assert_cmpuint (test_uint (lock_rows (), row, "try_failed"), ==, 0);
  /* Wait percentiles are over every acquisition, 0 for uncontended ones. */
  g_assert_cmpuint (test_histogram (lock_rows (), row, "wait_ns")->count, ==, N_THREADS * N_LOCKS);
  g_assert_cmpuint (test_histogram (lock_rows (), row, "hold_ns")->count, ==, N_THREADS * N_LOCKS);
  g_assert_cmpstr (test_text (lock_rows (), row, "file"), ==, "test-locks.c");

  /* One call site took it every time. */
  holders_desc = test_nested (lock_rows (), row, "holders", &holders);
  g_assert_cmpuint (holders_desc->count (holders), ==, 1);
  holder = holders_desc->nth (holders, 0);
  g_assert_cmpstr (test_text (holders_desc, holder, "function"), ==, "lock_thread");
  g_assert_true (g_str_has_prefix (test_text (holders_desc, holder, "location"), "test-locks.c:"));
  g_assert_cmpuint (test_uint (holders_desc, holder, "count"), ==, N_THREADS * N_LOCKS);
  g_assert_cmpuint (test_uint (holders_desc, holder, "max_ns"), <=,
                    test_uint (holders_desc, holder, "total_ns"));

  test_assert_outputs (snapshot, "locks");
  hotpath_guard_finish (guard, NULL);
}

typedef struct
{
  GMutex  *lock;
  gint     started;
  gboolean got;
} Contender;

static gpointer
contend_thread (gpointer data)
{
  Contender *contender = data;

  g_atomic_int_set (&contender->started, 1);
  hotpath_mutex_lock (contender->lock);
  contender->got = TRUE;
  hotpath_mutex_unlock (contender->lock);
  return NULL;
}

static void
test_mutex_contended (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  const HotpathRowsDesc *holders_desc;
  const HotpathHistogram *wait, *hold;
  gconstpointer row, holders;
  GMutex lock;
  Contender contender = { &lock, 0, FALSE };
  GThread *thread;

  g_mutex_init (&lock);
  HOTPATH_MUTEX (&lock, .label = "contended");

  /* The other thread has to wait for the whole of this hold. */
  hotpath_mutex_lock (&lock);
  thread = g_thread_new ("contender", contend_thread, &contender);
  while (!g_atomic_int_get (&contender.started))
    g_thread_yield ();
  g_usleep (20000);
  g_assert_false (contender.got);
  hotpath_mutex_unlock (&lock);
  g_thread_join (thread);
  g_assert_true (contender.got);

  snapshot = hotpath_guard_snapshot (guard);
  row = find_lock (snapshot, "contended");
  g_assert_cmpuint (test_uint (lock_rows (), row, "acquisitions"), ==, 2);
  g_assert_cmpuint (test_uint (lock_rows (), row, "contended"), ==, 1);
  wait = test_histogram (lock_rows (), row, "wait_ns");
  hold = test_histogram (lock_rows (), row, "hold_ns");
  g_assert_cmpuint (wait->count, ==, 2);
  g_assert_cmpuint (wait->min, ==, 0);
  g_assert_cmpuint (wait->max, >, 0);
  /* The long hold is the main thread's, the other one's is short. */
  g_assert_cmpuint (hold->max, >, hold->min);

  /* Two call sites; the one that held longest comes first. */
  holders_desc = test_nested (lock_rows (), row, "holders", &holders);
  g_assert_cmpuint (holders_desc->count (holders), ==, 2);
  g_assert_cmpstr (test_text (holders_desc, holders_desc->nth (holders, 0), "function"), ==,
                   "test_mutex_contended");
  g_assert_cmpstr (test_text (holders_desc, holders_desc->nth (holders, 1), "function"), ==,
                   "contend_thread");

  test_assert_outputs (snapshot, "locks");
  hotpath_guard_finish (guard, NULL);
  hotpath_mutex_clear (&lock);
}

static gpointer
trylock_thread (gpointer data)
{
  gboolean got = hotpath_mutex_trylock ((GMutex *) data);

  if (got)
    hotpath_mutex_unlock ((GMutex *) data);
  return GINT_TO_POINTER (got);
}

static void
test_mutex_trylock (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  gconstpointer row;
  GMutex lock;

  g_mutex_init (&lock);
  HOTPATH_MUTEX (&lock, .label = "try");

  /* Same answers as g_mutex_trylock(). */
  g_assert_true (hotpath_mutex_trylock (&lock));
  g_assert_false (GPOINTER_TO_INT (g_thread_join (g_thread_new ("try", trylock_thread, &lock))));
  hotpath_mutex_unlock (&lock);
  g_assert_true (GPOINTER_TO_INT (g_thread_join (g_thread_new ("try", trylock_thread, &lock))));

  snapshot = hotpath_guard_snapshot (guard);
  row = find_lock (snapshot, "try");
  g_assert_cmpuint (test_uint (lock_rows (), row, "acquisitions"), ==, 2);
  g_assert_cmpuint (test_uint (lock_rows (), row, "try_failed"), ==, 1);
  g_assert_cmpuint (test_uint (lock_rows (), row, "contended"), ==, 0);

  hotpath_guard_finish (guard, NULL);
  hotpath_mutex_clear (&lock);
}

/* ------------------------------------------------------ GRecMutex */

static void
test_rec_mutex (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  gconstpointer row;
  GRecMutex lock;

  g_rec_mutex_init (&lock);
  HOTPATH_REC_MUTEX (&lock, .label = "recursive");

  hotpath_rec_mutex_lock (&lock);
  hotpath_rec_mutex_lock (&lock);
  g_assert_true (hotpath_rec_mutex_trylock (&lock));
  hotpath_rec_mutex_unlock (&lock);
  hotpath_rec_mutex_unlock (&lock);
  hotpath_rec_mutex_unlock (&lock);

  snapshot = hotpath_guard_snapshot (guard);
  row = find_lock (snapshot, "recursive");
  g_assert_cmpstr (test_text (lock_rows (), row, "type"), ==, "rec_mutex");
  g_assert_cmpuint (test_uint (lock_rows (), row, "acquisitions"), ==, 3);
  g_assert_cmpuint (test_uint (lock_rows (), row, "contended"), ==, 0);

  hotpath_guard_finish (guard, NULL);
  hotpath_rec_mutex_clear (&lock);
}

/* -------------------------------------------------------- GRWLock */

#define N_READS  500
#define N_WRITES 100

static GRWLock rw_lock;
static guint   rw_value;

static gpointer
reader_thread (gpointer data)
{
  guint sum = 0;

  for (guint i = 0; i < N_READS; i++)
    {
      hotpath_rw_lock_reader_lock (&rw_lock);
      sum += rw_value;
      hotpath_rw_lock_reader_unlock (&rw_lock);
    }
  return GUINT_TO_POINTER (sum);
}

static gpointer
writer_thread (gpointer data)
{
  for (guint i = 0; i < N_WRITES; i++)
    {
      hotpath_rw_lock_writer_lock (&rw_lock);
      rw_value++;
      hotpath_rw_lock_writer_unlock (&rw_lock);
    }
  return NULL;
}

static void
test_rw_lock (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  GThread *threads[3];
  gconstpointer row;

  HOTPATH_RW_LOCK (&rw_lock, .label = "table");
  threads[0] = g_thread_new ("reader", reader_thread, NULL);
  threads[1] = g_thread_new ("reader", reader_thread, NULL);
  threads[2] = g_thread_new ("writer", writer_thread, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (rw_value, ==, N_WRITES);

  /* A reader trylock fails while a writer holds it. */
  hotpath_rw_lock_writer_lock (&rw_lock);
  g_assert_false (hotpath_rw_lock_reader_trylock (&rw_lock));
  hotpath_rw_lock_writer_unlock (&rw_lock);
  g_assert_true (hotpath_rw_lock_writer_trylock (&rw_lock));
  hotpath_rw_lock_writer_unlock (&rw_lock);

  snapshot = hotpath_guard_snapshot (guard);
  row = find_lock (snapshot, "table");
  g_assert_cmpstr (test_text (lock_rows (), row, "type"), ==, "rw_lock");
  g_assert_cmpuint (test_uint (lock_rows (), row, "reads"), ==, 2 * N_READS);
  g_assert_cmpuint (test_uint (lock_rows (), row, "writes"), ==, N_WRITES + 2);
  g_assert_cmpuint (test_uint (lock_rows (), row, "acquisitions"), ==, 2 * N_READS + N_WRITES + 2);
  g_assert_cmpuint (test_uint (lock_rows (), row, "try_failed"), ==, 1);

  test_assert_outputs (snapshot, "locks");
  hotpath_guard_finish (guard, NULL);
}

/* ----------------------------------------------------- the edges */

static void
test_unregistered (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autofree char *name = NULL;
  GMutex locks[3];
  guint line;

  /* Never registered: named after the call site that took it; the locks
   * of many objects taken at one line share a row. */
  for (guint i = 0; i < G_N_ELEMENTS (locks); i++)
    g_mutex_init (&locks[i]);
  for (guint i = 0; i < G_N_ELEMENTS (locks); i++)
    {
      line = __LINE__ + 1;
      hotpath_mutex_lock (&locks[i]);
      hotpath_mutex_unlock (&locks[i]);
    }

  name = g_strdup_printf ("test-locks.c:%u", line);
  snapshot = hotpath_guard_snapshot (guard);
  g_assert_cmpuint (test_uint (lock_rows (), find_lock (snapshot, name), "acquisitions"), ==, 3);

  test_assert_outputs (snapshot, "locks");
  hotpath_guard_finish (guard, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (locks); i++)
    hotpath_mutex_clear (&locks[i]);
}

static void
test_outside_session (void)
{
  g_autoptr(HotpathGuard) guard = NULL;
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  GMutex lock;

  g_mutex_init (&lock);
  HOTPATH_MUTEX (&lock, .label = "across");

  /* Taken before the session, released in it: the release is plain; the
   * next acquisition counts. Locks nested and released out of order
   * count too. */
  hotpath_mutex_lock (&lock);
  guard = start_session ();
  hotpath_mutex_unlock (&lock);
  g_assert_true (g_mutex_trylock (&lock));
  g_mutex_unlock (&lock);

  hotpath_mutex_lock (&lock);
  hotpath_mutex_lock (&counted_lock);
  hotpath_mutex_unlock (&lock);
  hotpath_mutex_unlock (&counted_lock);

  snapshot = hotpath_guard_snapshot (guard);
  g_assert_cmpuint (test_uint (lock_rows (), find_lock (snapshot, "across"), "acquisitions"), ==, 1);
  g_assert_cmpuint (test_uint (lock_rows (), find_lock (snapshot, "counter"), "acquisitions"), ==, 1);

  hotpath_guard_finish (guard, NULL);
  hotpath_mutex_clear (&lock);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/Locks/mutex-threads", test_mutex_threads);
  g_test_add_func ("/Hotpath/Locks/mutex-contended", test_mutex_contended);
  g_test_add_func ("/Hotpath/Locks/mutex-trylock", test_mutex_trylock);
  g_test_add_func ("/Hotpath/Locks/rec-mutex", test_rec_mutex);
  g_test_add_func ("/Hotpath/Locks/rw-lock", test_rw_lock);
  g_test_add_func ("/Hotpath/Locks/unregistered", test_unregistered);
  g_test_add_func ("/Hotpath/Locks/outside-session", test_outside_session);

  return g_test_run ();
}
