/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-collector.c: from measured calls on any thread to exact aggregates.
 *
 * The measured functions use the real macros, so these tests cover the path
 * a program takes: the static site, the per-thread ring, the worker and the
 * snapshot. Nothing here asserts on real time; where durations matter the
 * fake clock makes them exact.
 *
 * HOTPATH_TEST_SCALE (a factor, default 1) shrinks the big loops; under
 * valgrind, which we recognise by its preload library, it defaults to 0.01.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "hotpath.h"
#include "hotpath-clock-private.h"
#include "hotpath-collector-private.h"
#include "hotpath-snapshot-private.h"

#define SNAPSHOT_NAME "test-collector"

static GArray *percentiles;
static volatile guint sink;

static guint
scaled (guint n)
{
  const char *scale = g_getenv ("HOTPATH_TEST_SCALE");
  const char *preload = g_getenv ("LD_PRELOAD");
  double factor = 1.0;

  if (scale != NULL && *scale != '\0')
    factor = g_ascii_strtod (scale, NULL);
  else if (preload != NULL && strstr (preload, "vgpreload") != NULL)
    factor = 0.01;

  return (guint) CLAMP ((double) n * factor, 1.0, (double) n);
}

static guint64
current_tid (void)
{
  return (guint64) syscall (SYS_gettid);
}

static HotpathSnapshot *
take_snapshot (void)
{
  return hotpath_collector_snapshot (SNAPSHOT_NAME, percentiles, 0);
}

static HotpathFunctionStats *
find_function (HotpathSnapshot *snapshot,
               const char      *name)
{
  HotpathFunctionStats *found = NULL;

  for (guint i = 0; i < hotpath_snapshot_get_n_functions (snapshot); i++)
    {
      HotpathFunctionStats *stats = hotpath_snapshot_get_function (snapshot, i);

      if (g_strcmp0 (hotpath_function_stats_get_name (stats), name) == 0)
        {
          /* Each site is one row: a name must not appear twice here. */
          g_assert_null (found);
          found = stats;
        }
    }

  return found;
}

static guint64
calls_of (HotpathSnapshot *snapshot,
          const char      *name)
{
  HotpathFunctionStats *stats = find_function (snapshot, name);

  return stats != NULL ? hotpath_function_stats_get_calls (stats) : 0;
}

static void
start_session (guint logs_limit)
{
  g_assert_false (hotpath_collector_is_running ());
  g_assert_true (hotpath_collector_start (logs_limit));
  g_assert_true (hotpath_collector_is_running ());
}

static void
stop_session (void)
{
  hotpath_collector_stop ();
  g_assert_false (hotpath_collector_is_running ());
}

/* Measured functions ---------------------------------------------------- */

static guint named_plain_line;
static guint named_in_domain_line;
static guint named_label_line;

static G_GNUC_NO_INLINE void
thread_a_call (void)
{
  HOTPATH_MEASURE ();
  sink++;
}

static G_GNUC_NO_INLINE void
thread_b_call (void)
{
  HOTPATH_MEASURE ();
  sink++;
}

static G_GNUC_NO_INLINE void
shared_call (void)
{
  HOTPATH_MEASURE ();
  sink++;
}

static G_GNUC_NO_INLINE void
exiting_thread_call (void)
{
  HOTPATH_MEASURE ();
  sink++;
}

static G_GNUC_NO_INLINE void
named_plain (void)
{
  HOTPATH_MEASURE (); named_plain_line = __LINE__;
  sink++;
}

/* Only this function sees a log domain; the rest of the file has none, as
 * GLib's default ((gchar *) 0) says. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Hotpath-Test"

static G_GNUC_NO_INLINE void
named_in_domain (void)
{
  HOTPATH_MEASURE (); named_in_domain_line = __LINE__;
  sink++;
}

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN ((gchar *) 0)

static G_GNUC_NO_INLINE void
named_label (void)
{
  HOTPATH_MEASURE_AS ("collector.label"); named_label_line = __LINE__;
  sink++;
}

/* Advances the fake clock by @ns while measured. */
static G_GNUC_NO_INLINE void
logged_call (guint64 ns)
{
  HOTPATH_MEASURE ();
  hotpath_clock_fake_advance (ns);
}

static G_GNUC_NO_INLINE void
reset_call (void)
{
  HOTPATH_MEASURE ();
  sink++;
}

static G_GNUC_NO_INLINE void
off_call (void)
{
  HOTPATH_MEASURE ();
  sink++;
}

static G_GNUC_NO_INLINE void
stable_first (void)
{
  HOTPATH_MEASURE ();
  sink++;
}

static G_GNUC_NO_INLINE void
stable_second (void)
{
  HOTPATH_MEASURE ();
  sink++;
}

/* Exact counts under concurrency ---------------------------------------- */

typedef struct
{
  guint         n_calls;
  void        (*call) (void);
  int          *go;
  int           done;
} Producer;

typedef struct
{
  Producer *producers;
  guint     n_producers;
  int      *go;
  guint     n_snapshots;
} Snapshotter;

static gpointer
producer_main (gpointer data)
{
  Producer *producer = data;

  while (!g_atomic_int_get (producer->go))
    g_thread_yield ();

  for (guint i = 0; i < producer->n_calls; i++)
    {
      producer->call ();
      /* Both threads also share one function. */
      if (i % 10 == 0)
        shared_call ();
    }

  g_atomic_int_set (&producer->done, TRUE);

  return NULL;
}

static gpointer
snapshotter_main (gpointer data)
{
  Snapshotter *self = data;
  guint64 last_a = 0, last_b = 0, last_shared = 0, last_total = 0;
  guint id_a = 0, id_b = 0;
  gboolean all_done;

  do
    {
      g_autoptr(HotpathSnapshot) snapshot = take_snapshot ();
      HotpathFunctionStats *a = find_function (snapshot, "test-collector::thread_a_call");
      HotpathFunctionStats *b = find_function (snapshot, "test-collector::thread_b_call");
      guint64 calls_a = calls_of (snapshot, "test-collector::thread_a_call");
      guint64 calls_b = calls_of (snapshot, "test-collector::thread_b_call");
      guint64 calls_shared = calls_of (snapshot, "test-collector::shared_call");
      guint64 total = calls_a + calls_b + calls_shared;

      /* Nothing goes backwards, nothing is counted twice. */
      g_assert_cmpuint (calls_a, >=, last_a);
      g_assert_cmpuint (calls_b, >=, last_b);
      g_assert_cmpuint (calls_shared, >=, last_shared);
      g_assert_cmpuint (total, >=, last_total);
      g_assert_cmpuint (calls_a, <=, self->producers[0].n_calls);
      g_assert_cmpuint (calls_b, <=, self->producers[1].n_calls);

      /* Ids never change once given. */
      if (a != NULL)
        {
          if (id_a == 0)
            id_a = hotpath_function_stats_get_id (a);
          g_assert_cmpuint (hotpath_function_stats_get_id (a), ==, id_a);
        }
      if (b != NULL)
        {
          if (id_b == 0)
            id_b = hotpath_function_stats_get_id (b);
          g_assert_cmpuint (hotpath_function_stats_get_id (b), ==, id_b);
        }

      last_a = calls_a;
      last_b = calls_b;
      last_shared = calls_shared;
      last_total = total;
      self->n_snapshots++;

      /* The producers start once the first snapshot is taken, so the
       * snapshots that follow overlap with them. */
      g_atomic_int_set (self->go, TRUE);

      all_done = TRUE;
      for (guint i = 0; i < self->n_producers; i++)
        all_done &= g_atomic_int_get (&self->producers[i].done);
    }
  while (!all_done);

  return NULL;
}

static void
test_collector_exact_counts (void)
{
  guint n = scaled (1000000);
  int go = FALSE;
  Producer producers[2] = {
    { n, thread_a_call, &go, FALSE },
    { n, thread_b_call, &go, FALSE },
  };
  Snapshotter snapshotter = { producers, G_N_ELEMENTS (producers), &go, 0 };
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  GThread *threads[3];
  HotpathFunctionStats *a;

  g_test_message ("%u calls per thread", n);

  start_session (50);

  threads[0] = g_thread_new ("snapshotter", snapshotter_main, &snapshotter);
  threads[1] = g_thread_new ("producer-a", producer_main, &producers[0]);
  threads[2] = g_thread_new ("producer-b", producer_main, &producers[1]);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_test_message ("%u snapshots taken", snapshotter.n_snapshots);
  g_assert_cmpuint (snapshotter.n_snapshots, >=, 2);

  snapshot = take_snapshot ();
  g_assert_cmpuint (calls_of (snapshot, "test-collector::thread_a_call"), ==, n);
  g_assert_cmpuint (calls_of (snapshot, "test-collector::thread_b_call"), ==, n);
  g_assert_cmpuint (calls_of (snapshot, "test-collector::shared_call"), ==, 2 * ((n + 9) / 10));

  /* Durations are real but some are always there; each keeps its logs. */
  a = find_function (snapshot, "test-collector::thread_a_call");
  g_assert_cmpuint (hotpath_function_stats_get_n_logs (a), ==, 50);
  g_assert_cmpuint (hotpath_function_stats_get_min_ns (a), <=, hotpath_function_stats_get_max_ns (a));
  g_assert_cmpuint (hotpath_function_stats_get_total_ns (a), >=, hotpath_function_stats_get_max_ns (a));

  stop_session ();
}

/* A thread that exits ---------------------------------------------------- */

static gpointer
exiting_thread_main (gpointer data)
{
  guint n = GPOINTER_TO_UINT (data);

  for (guint i = 0; i < n; i++)
    exiting_thread_call ();

  return GSIZE_TO_POINTER ((gsize) current_tid ());
}

static void
test_collector_thread_exit (void)
{
  g_autoptr(HotpathSnapshot) first = NULL;
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  HotpathFunctionStats *stats;
  guint64 tid, thread_id = 0;
  gsize memory_before, memory_after;

  start_session (50);

  /* Settle: a drain frees the rings of threads that exited earlier. */
  first = take_snapshot ();
  memory_before = hotpath_collector_get_memory_size ();

  /* 3000 calls are less than one ring: the worker may not have seen them
   * when the thread is gone. */
  tid = (guint64) GPOINTER_TO_SIZE (g_thread_join (g_thread_new ("exiting", exiting_thread_main,
                                                                 GUINT_TO_POINTER (3000))));

  snapshot = take_snapshot ();
  stats = find_function (snapshot, "test-collector::exiting_thread_call");
  g_assert_nonnull (stats);
  g_assert_cmpuint (hotpath_function_stats_get_calls (stats), ==, 3000);
  g_assert_cmpuint (hotpath_function_stats_get_n_logs (stats), ==, 50);
  g_assert_true (hotpath_function_stats_get_log (stats, 49, NULL, NULL, &thread_id));
  g_assert_cmpuint (thread_id, ==, tid);
  g_assert_cmpuint (tid, !=, current_tid ());

  /* The exited thread's ring is freed once drained: only the new
   * aggregate is left, far less than a ring. */
  memory_after = hotpath_collector_get_memory_size ();
  g_assert_cmpuint (memory_after, <, memory_before + 16 * 1024);

  stop_session ();
}

/* Logs ------------------------------------------------------------------ */

typedef struct
{
  guint    n_calls;
  guint64  tid;
  guint64 *end_ns;    /* n_calls, since the session started */
  guint64  session_start;
} LogRun;

static gpointer
log_thread_main (gpointer data)
{
  LogRun *run = data;

  run->tid = current_tid ();
  for (guint i = 1; i <= run->n_calls; i++)
    {
      hotpath_clock_fake_advance (1000);
      logged_call (i);
      run->end_ns[i - 1] = hotpath_clock_now_ns () - run->session_start;
    }

  return NULL;
}

static void
run_logged_calls (LogRun *run,
                  guint   n_calls)
{
  run->n_calls = n_calls;
  run->end_ns = g_new0 (guint64, n_calls);
  run->session_start = hotpath_clock_now_ns ();
  g_thread_join (g_thread_new ("logger", log_thread_main, run));
}

static void
test_collector_logs (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(HotpathSnapshot) second = NULL;
  g_autofree guint64 *end_ns = NULL;
  HotpathFunctionStats *stats;
  guint64 duration, end, thread_id;
  LogRun run = { 0 };
  guint first;

  hotpath_clock_use_fake (G_GUINT64_CONSTANT (5000000000));
  start_session (50);

  run_logged_calls (&run, 120);
  end_ns = run.end_ns;

  snapshot = take_snapshot ();
  stats = find_function (snapshot, "test-collector::logged_call");
  g_assert_nonnull (stats);
  g_assert_cmpuint (hotpath_function_stats_get_calls (stats), ==, 120);
  g_assert_cmpuint (hotpath_function_stats_get_min_ns (stats), ==, 1);
  g_assert_cmpuint (hotpath_function_stats_get_max_ns (stats), ==, 120);
  g_assert_cmpuint (hotpath_function_stats_get_total_ns (stats), ==, 120 * 121 / 2);

  /* Exactly the last 50, oldest first: calls 71 to 120. */
  g_assert_cmpuint (hotpath_function_stats_get_n_logs (stats), ==, 50);
  first = 120 - 50;
  for (guint j = 0; j < 50; j++)
    {
      g_assert_true (hotpath_function_stats_get_log (stats, j, &duration, &end, &thread_id));
      g_assert_cmpuint (duration, ==, first + j + 1);
      g_assert_cmpuint (end, ==, end_ns[first + j]);
      g_assert_cmpuint (thread_id, ==, run.tid);
    }
  g_assert_true (hotpath_function_stats_get_log (stats, 49, &duration, NULL, NULL));
  g_assert_cmpuint (duration, ==, 120);
  g_assert_false (hotpath_function_stats_get_log (stats, 50, &duration, NULL, NULL));
  g_assert_cmpuint (run.tid, !=, current_tid ());

  /* Ticks are nanoseconds with the fake clock, whatever ran before. */
  g_assert_cmpint (snapshot->clock_source, ==, HOTPATH_CLOCK_SOURCE_FAKE);
  g_assert_cmpfloat (snapshot->ticks_per_second, ==, 1e9);

  stop_session ();

  /* A new session with a smaller limit starts from nothing. */
  start_session (3);
  g_clear_pointer (&end_ns, g_free);
  run_logged_calls (&run, 5);
  end_ns = run.end_ns;
  second = take_snapshot ();
  stats = find_function (second, "test-collector::logged_call");
  g_assert_cmpuint (hotpath_function_stats_get_calls (stats), ==, 5);
  g_assert_cmpuint (hotpath_function_stats_get_n_logs (stats), ==, 3);
  for (guint j = 0; j < 3; j++)
    {
      g_assert_true (hotpath_function_stats_get_log (stats, j, &duration, &end, NULL));
      g_assert_cmpuint (duration, ==, j + 3);
      g_assert_cmpuint (end, ==, end_ns[j + 2]);
    }

  stop_session ();
  hotpath_clock_use_real ();
}

static void
test_collector_logs_disabled (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  HotpathFunctionStats *stats;
  guint64 duration = 7;

  hotpath_clock_use_fake (1000);
  start_session (0);

  for (guint i = 1; i <= 10; i++)
    logged_call (i * 100);

  snapshot = take_snapshot ();
  stats = find_function (snapshot, "test-collector::logged_call");
  g_assert_cmpuint (hotpath_function_stats_get_calls (stats), ==, 10);
  g_assert_cmpuint (hotpath_function_stats_get_total_ns (stats), ==, 5500);
  g_assert_cmpuint (hotpath_function_stats_get_n_logs (stats), ==, 0);
  g_assert_false (hotpath_function_stats_get_log (stats, 0, &duration, NULL, NULL));
  g_assert_cmpuint (duration, ==, 7);

  stop_session ();
  hotpath_clock_use_real ();
}

/* Sessions --------------------------------------------------------------- */

static void
test_collector_reset (void)
{
  g_autoptr(HotpathSnapshot) before = NULL;
  g_autoptr(HotpathSnapshot) after = NULL;
  g_autoptr(HotpathSnapshot) again = NULL;
  HotpathFunctionStats *stats;

  start_session (50);

  for (guint i = 0; i < 10; i++)
    reset_call ();
  before = take_snapshot ();
  g_assert_cmpuint (calls_of (before, "test-collector::reset_call"), ==, 10);

  hotpath_collector_reset ();
  after = take_snapshot ();
  /* A function with no calls is not listed at all. */
  g_assert_null (find_function (after, "test-collector::reset_call"));
  g_assert_cmpuint (hotpath_snapshot_get_n_functions (after), ==, 0);
  g_assert_true (hotpath_collector_is_running ());

  for (guint i = 0; i < 3; i++)
    reset_call ();
  again = take_snapshot ();
  stats = find_function (again, "test-collector::reset_call");
  g_assert_cmpuint (hotpath_function_stats_get_calls (stats), ==, 3);
  g_assert_cmpuint (hotpath_function_stats_get_n_logs (stats), ==, 3);

  stop_session ();
}

static void
test_collector_recording_off (void)
{
  g_autoptr(HotpathSnapshot) idle = NULL;
  g_autoptr(HotpathSnapshot) during = NULL;
  g_autoptr(HotpathSnapshot) after = NULL;
  g_autoptr(HotpathSnapshot) restarted = NULL;

  g_assert_false (hotpath_collector_is_running ());
  g_assert_cmpint (hotpath_recording, ==, HOTPATH_RECORDING_OFF);

  /* Before any session of this test: the previous one was reset at its
   * start, so these calls would be the only ones. */
  hotpath_collector_reset ();
  for (guint i = 0; i < 10; i++)
    off_call ();
  idle = take_snapshot ();
  g_assert_null (find_function (idle, "test-collector::off_call"));

  start_session (50);
  g_assert_cmpint (hotpath_recording, !=, HOTPATH_RECORDING_OFF);
  for (guint i = 0; i < 5; i++)
    off_call ();
  during = take_snapshot ();
  g_assert_cmpuint (calls_of (during, "test-collector::off_call"), ==, 5);
  stop_session ();
  g_assert_cmpint (hotpath_recording, ==, HOTPATH_RECORDING_OFF);

  /* After the session: what it recorded stays, nothing more is added. */
  for (guint i = 0; i < 10; i++)
    off_call ();
  after = take_snapshot ();
  g_assert_cmpuint (calls_of (after, "test-collector::off_call"), ==, 5);

  /* A new session starts from zero. */
  start_session (50);
  restarted = take_snapshot ();
  g_assert_null (find_function (restarted, "test-collector::off_call"));
  g_assert_false (hotpath_collector_start (50));
  stop_session ();
}

/* Names ----------------------------------------------------------------- */

static void
assert_site (HotpathSnapshot *snapshot,
             const char      *name,
             guint            line,
             guint64          calls)
{
  HotpathFunctionStats *stats = find_function (snapshot, name);

  g_assert_nonnull (stats);
  g_assert_cmpuint (hotpath_function_stats_get_calls (stats), ==, calls);
  g_assert_true (g_str_has_suffix (hotpath_function_stats_get_file (stats), "test-collector.c"));
  g_assert_cmpuint (hotpath_function_stats_get_line (stats), ==, line);
}

static void
test_collector_names (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  start_session (50);

  named_plain ();
  named_in_domain ();
  named_in_domain ();
  named_label ();
  named_label ();
  named_label ();

  snapshot = take_snapshot ();
  g_assert_cmpuint (hotpath_snapshot_get_n_functions (snapshot), ==, 3);
  assert_site (snapshot, "test-collector::named_plain", named_plain_line, 1);
  assert_site (snapshot, "Hotpath-Test::named_in_domain", named_in_domain_line, 2);
  assert_site (snapshot, "collector.label", named_label_line, 3);
  g_assert_cmpstr (hotpath_snapshot_get_name (snapshot), ==, SNAPSHOT_NAME);

  stop_session ();
}

static guint
block_with_break (guint  n,
                  guint *finished)
{
  guint entered = 0;

  for (guint i = 0; i < n; i++)
    {
      HOTPATH_MEASURE_BLOCK ("collector.block-break")
        {
          entered++;
          /* Leaves the measured block, not the loop around it. */
          if (i % 2 == 0)
            break;
          (*finished)++;
        }
    }

  return entered;
}

static guint
block_with_continue (guint n)
{
  guint entered = 0;

  for (guint i = 0; i < n; i++)
    HOTPATH_MEASURE_BLOCK ("collector.block-continue")
      {
        entered++;
        if (i % 3 == 0)
          continue;
        sink++;
      }

  return entered;
}

static guint
block_with_return (guint i)
{
  HOTPATH_MEASURE_BLOCK ("collector.block-return")
    {
      if (i % 2 == 0)
        return 1;
    }

  return 2;
}

static void
test_collector_block (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  guint finished = 0, returned = 0;

  start_session (50);

  g_assert_cmpuint (block_with_break (10, &finished), ==, 10);
  g_assert_cmpuint (finished, ==, 5);
  g_assert_cmpuint (block_with_continue (9), ==, 9);
  for (guint i = 0; i < 7; i++)
    returned += block_with_return (i);
  g_assert_cmpuint (returned, ==, 4 * 1 + 3 * 2);

  snapshot = take_snapshot ();
  g_assert_cmpuint (calls_of (snapshot, "collector.block-break"), ==, 10);
  g_assert_cmpuint (calls_of (snapshot, "collector.block-continue"), ==, 9);
  g_assert_cmpuint (calls_of (snapshot, "collector.block-return"), ==, 7);

  stop_session ();
}

static void
shared_label_first (void)
{
  HOTPATH_MEASURE_AS ("collector.shared");
}

static void
shared_label_second (void)
{
  HOTPATH_MEASURE_AS ("collector.shared");
}

/* Two call sites with one label are one function, as in hotpath. */
static void
test_collector_shared_label (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  guint rows = 0;

  start_session (50);

  for (guint i = 0; i < 3; i++)
    shared_label_first ();
  for (guint i = 0; i < 4; i++)
    shared_label_second ();

  snapshot = take_snapshot ();
  for (guint i = 0; i < hotpath_snapshot_get_n_functions (snapshot); i++)
    if (g_strcmp0 (hotpath_function_stats_get_name (hotpath_snapshot_get_function (snapshot, i)),
                   "collector.shared") == 0)
      rows++;
  g_assert_cmpuint (rows, ==, 1);
  g_assert_cmpuint (calls_of (snapshot, "collector.shared"), ==, 7);

  stop_session ();
}

static void
test_collector_stable_ids (void)
{
  g_autoptr(HotpathSnapshot) first = NULL;
  g_autoptr(HotpathSnapshot) second = NULL;
  g_autoptr(HotpathSnapshot) third = NULL;
  HotpathFunctionStats *stats;
  guint id_first, id_second;

  start_session (50);

  stable_first ();
  first = take_snapshot ();
  stats = find_function (first, "test-collector::stable_first");
  id_first = hotpath_function_stats_get_id (stats);
  g_assert_cmpuint (id_first, >, 0);

  /* A second function, and the first called more: now it sorts
   * differently, yet keeps its id. */
  for (guint i = 0; i < 5; i++)
    stable_second ();
  stable_first ();
  second = take_snapshot ();
  g_assert_cmpuint (hotpath_function_stats_get_id (find_function (second, "test-collector::stable_first")),
                    ==, id_first);
  id_second = hotpath_function_stats_get_id (find_function (second, "test-collector::stable_second"));
  g_assert_cmpuint (id_second, >, 0);
  g_assert_cmpuint (id_second, !=, id_first);
  g_assert_cmpuint (calls_of (second, "test-collector::stable_first"), ==, 2);

  /* And across sessions: ids live as long as the process. */
  stop_session ();
  start_session (50);
  stable_second ();
  stable_first ();
  third = take_snapshot ();
  g_assert_cmpuint (hotpath_function_stats_get_id (find_function (third, "test-collector::stable_first")),
                    ==, id_first);
  g_assert_cmpuint (hotpath_function_stats_get_id (find_function (third, "test-collector::stable_second")),
                    ==, id_second);

  stop_session ();
}

int
main (int   argc,
      char *argv[])
{
  const double default_percentiles[] = { 50, 99 };
  int ret;

  g_test_init (&argc, &argv, NULL);

  percentiles = g_array_new (FALSE, FALSE, sizeof (double));
  g_array_append_vals (percentiles, default_percentiles, G_N_ELEMENTS (default_percentiles));

  g_test_add_func ("/Hotpath/Collector/exact-counts", test_collector_exact_counts);
  g_test_add_func ("/Hotpath/Collector/thread-exit", test_collector_thread_exit);
  g_test_add_func ("/Hotpath/Collector/logs", test_collector_logs);
  g_test_add_func ("/Hotpath/Collector/logs-disabled", test_collector_logs_disabled);
  g_test_add_func ("/Hotpath/Collector/reset", test_collector_reset);
  g_test_add_func ("/Hotpath/Collector/recording-off", test_collector_recording_off);
  g_test_add_func ("/Hotpath/Collector/names", test_collector_names);
  g_test_add_func ("/Hotpath/Collector/block", test_collector_block);
  g_test_add_func ("/Hotpath/Collector/stable-ids", test_collector_stable_ids);
  g_test_add_func ("/Hotpath/Collector/shared-label", test_collector_shared_label);

  ret = g_test_run ();

  g_array_unref (percentiles);

  return ret;
}
