/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-alloc.c: allocation tracking, exactly.
 *
 * Built twice: linked to libhotpath-glib-alloc-1 (test-alloc) and without
 * it (test-alloc-preload), which meson runs with LD_PRELOAD, and once more
 * with nothing loaded to check that the core works without the library
 * (HOTPATH_TEST_EXPECT_ALLOC=0).
 *
 * Bytes are what the code asked for, so they are known in advance. Peaks
 * are in usable bytes, which depend on where glibc carved each block from;
 * the measured functions add up malloc_usable_size() of what they hold at
 * their peak (it allocates nothing) into `held`, the expected figure.
 */

#include "config.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/wait.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "hotpath-glib/hotpath.h"
#include "hotpath-alloc-core-private.h"
#include "hotpath-collector-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-report-private.h"
#include "hotpath-sections-private.h"
#include "hotpath-snapshot-private.h"

#include "alloc-instrumented.h"
#include "hotpath-test-schema.h"
#include "hotpath-test-report.h"

/* test-alloc-preload gets the alloc library only at run time. */
#pragma weak hotpath_alloc_foreach_thread
#pragma weak hotpath_alloc_thread_get

#define BYTES      HOTPATH_ALLOC_METRIC_BYTES
#define COUNT      HOTPATH_ALLOC_METRIC_COUNT
#define PEAK_BYTES HOTPATH_ALLOC_METRIC_PEAK_BYTES
#define PEAK_COUNT HOTPATH_ALLOC_METRIC_PEAK_COUNT

/* Keeps the compiler from eliding malloc/free pairs. */
static gpointer volatile sink;
static gpointer sink_aligned;

/* The expected sum of per-call peaks, in usable bytes. */
static guint64 held;

static gsize
usable (gpointer block)
{
  return malloc_usable_size (block);
}

static void
session_start (gboolean self)
{
  g_setenv ("HOTPATH_ALLOC_SELF", self ? "1" : "0", TRUE);
  g_assert_true (hotpath_collector_start (0));
  g_assert_true (hotpath_alloc_session_was_tracked ());
}

static HotpathSnapshot *
session_finish (void)
{
  g_autoptr(GArray) percentiles = g_array_new (FALSE, FALSE, sizeof (double));
  double p = 95.0;

  g_array_append_val (percentiles, p);
  hotpath_collector_stop ();

  return hotpath_collector_snapshot ("test-alloc", percentiles, 0);
}

static HotpathFunctionStats *
find_function (HotpathSnapshot *snapshot,
               const char      *name)
{
  for (guint i = 0; i < snapshot->functions->len; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (snapshot->functions, i);

      if (g_strcmp0 (stats->name, name) == 0)
        return stats;
    }

  g_error ("no function %s in the snapshot", name);
  return NULL;
}

static const HotpathAllocStats *
find_alloc (HotpathSnapshot *snapshot,
            const char      *name)
{
  HotpathFunctionStats *stats = find_function (snapshot, name);

  g_assert_nonnull (stats->alloc);
  return stats->alloc;
}

/* Asserts the four totals and the number of recorded calls. */
static void
assert_alloc (HotpathSnapshot *snapshot,
              const char      *name,
              guint64          calls,
              guint64          bytes,
              guint64          count,
              guint64          peak_bytes,
              guint64          peak_count)
{
  const HotpathAllocStats *stats = find_alloc (snapshot, name);

  g_test_message ("%s: calls %" G_GUINT64_FORMAT " bytes %" G_GUINT64_FORMAT
                  " count %" G_GUINT64_FORMAT " peak %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                  name, stats->metrics[BYTES].count, stats->metrics[BYTES].sum,
                  stats->metrics[COUNT].sum, stats->metrics[PEAK_BYTES].sum,
                  stats->metrics[PEAK_COUNT].sum);
  for (guint m = 0; m < HOTPATH_ALLOC_N_METRICS; m++)
    g_assert_cmpuint (stats->metrics[m].count, ==, calls);
  g_assert_cmpuint (stats->metrics[BYTES].sum, ==, bytes);
  g_assert_cmpuint (stats->metrics[COUNT].sum, ==, count);
  g_assert_cmpuint (stats->metrics[PEAK_BYTES].sum, ==, peak_bytes);
  g_assert_cmpuint (stats->metrics[PEAK_COUNT].sum, ==, peak_count);
}

static void
test_usable_sizes (void)
{
  static const gsize sizes[] = { 1, 8, 24, 25, 40, 100, 104, 200, 1000, 4000, 200000 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      gpointer block = malloc (sizes[i]);

      /* What live bytes count: at least what was asked for. */
      g_assert_cmpuint (malloc_usable_size (block), >=, sizes[i]);
      g_assert_cmpuint (malloc_usable_size (block), <, sizes[i] + 64 + (sizes[i] >= 131072 ? 4096 : 0));
      free (block);
    }
}

/* N mallocs of K bytes, all live at once, then freed. */
static void
n_mallocs (guint n,
           gsize k)
{
  HOTPATH_MEASURE_AS ("n_mallocs");
  gpointer blocks[64];

  g_assert_cmpuint (n, <=, G_N_ELEMENTS (blocks));
  for (guint i = 0; i < n; i++)
    blocks[i] = malloc (k);
  for (guint i = 0; i < n; i++)
    held += usable (blocks[i]);
  for (guint i = 0; i < n; i++)
    free (blocks[i]);
}

static void
nothing (void)
{
  HOTPATH_MEASURE_AS ("nothing");
}

static void
test_malloc (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  held = 0;
  session_start (FALSE);
  nothing ();
  n_mallocs (10, 104);
  n_mallocs (50, 24);
  n_mallocs (3, 1);
  snapshot = session_finish ();

  /* The profiler's own first-call allocations (the thread's ring, the
   * allocation stack) are not in "nothing". */
  assert_alloc (snapshot, "nothing", 1, 0, 0, 0, 0);
  assert_alloc (snapshot, "n_mallocs", 3,
                10 * 104 + 50 * 24 + 3 * 1,
                10 + 50 + 3,
                held,
                10 + 50 + 3);
  g_assert_cmpuint (find_alloc (snapshot, "n_mallocs")->metrics[BYTES].max, ==, 50 * 24);
  g_assert_cmpuint (find_alloc (snapshot, "n_mallocs")->metrics[BYTES].min, ==, 3 * 1);
  g_assert_cmpuint (find_alloc (snapshot, "n_mallocs")->metrics[COUNT].max, ==, 50);
}

/* More blocks than a packed ring slot holds (4095): the call's figures
 * take a second slot. */
#define N_MANY 5000

static void
many_mallocs (void)
{
  HOTPATH_MEASURE_AS ("many_mallocs");
  gpointer *blocks = malloc (N_MANY * sizeof (gpointer));

  held = usable (blocks);
  for (guint i = 0; i < N_MANY; i++)
    {
      blocks[i] = malloc (24);
      held += usable (blocks[i]);
    }
  for (guint i = 0; i < N_MANY; i++)
    free (blocks[i]);
  free (blocks);
}

static void
test_many (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  guint64 held_many;

  session_start (FALSE);
  many_mallocs ();
  held_many = held;
  held = 0;
  n_mallocs (2, 24);      /* packed, after a wide one */
  snapshot = session_finish ();

  assert_alloc (snapshot, "many_mallocs", 1, N_MANY * sizeof (gpointer) + N_MANY * 24,
                N_MANY + 1, held_many, N_MANY + 1);
  assert_alloc (snapshot, "n_mallocs", 1, 2 * 24, 2, held, 2);
}

static void
do_calloc (void)
{
  HOTPATH_MEASURE_AS ("do_calloc");
  guchar *block = calloc (25, 4);

  for (guint i = 0; i < 100; i++)
    g_assert_cmpuint (block[i], ==, 0);
  held = usable (block);
  free (block);
}

static void
test_calloc (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  session_start (FALSE);
  do_calloc ();
  snapshot = session_finish ();

  assert_alloc (snapshot, "do_calloc", 1, 100, 1, held, 1);
}

static gpointer
do_realloc (gpointer block,
            gsize    size)
{
  HOTPATH_MEASURE_AS ("do_realloc");

  return realloc (block, size);
}

static gpointer
do_realloc_shrink (gpointer block,
                   gsize    size)
{
  HOTPATH_MEASURE_AS ("do_realloc_shrink");

  return realloc (block, size);
}

static void
do_realloc_null_and_zero (void)
{
  HOTPATH_MEASURE_AS ("do_realloc_null_and_zero");
  gpointer block = realloc (NULL, 200);    /* a malloc */

  held = usable (block);
  sink = realloc (block, 0);               /* a free */
}

static void
test_realloc (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  gpointer block = malloc (24);
  gsize small = usable (block), large;

  session_start (FALSE);
  /* Grow: one allocation of 1000 and a free of 24; live grows by the
   * difference of the usable sizes, the block count stays. */
  block = do_realloc (block, 1000);
  large = usable (block);
  /* Shrink: one allocation of 24 and a free of 1000; live only falls. */
  block = do_realloc_shrink (block, 24);
  g_assert_cmpuint (usable (block), <, large);
  do_realloc_null_and_zero ();
  snapshot = session_finish ();
  free (block);

  assert_alloc (snapshot, "do_realloc", 1, 1000, 1, large - small, 0);
  assert_alloc (snapshot, "do_realloc_shrink", 1, 24, 1, 0, 0);
  assert_alloc (snapshot, "do_realloc_null_and_zero", 1, 200, 1, held, 1);
  g_assert_null (sink);
}

static gsize aligned_usable;

static void
do_aligned (void)
{
  HOTPATH_MEASURE_AS ("do_aligned");
  gpointer blocks[4] = { NULL, };

  g_assert_cmpint (posix_memalign (&blocks[0], 64, 100), ==, 0);
  g_assert_cmpint (posix_memalign (&sink_aligned, 3, 100), ==, EINVAL);  /* not counted */
  blocks[1] = aligned_alloc (128, 256);
  blocks[2] = memalign (256, 40);
  blocks[3] = valloc (1000);

  g_assert_cmpuint ((guintptr) blocks[0] % 64, ==, 0);
  g_assert_cmpuint ((guintptr) blocks[1] % 128, ==, 0);
  g_assert_cmpuint ((guintptr) blocks[2] % 256, ==, 0);
  g_assert_cmpuint ((guintptr) blocks[3] % 4096, ==, 0);

  aligned_usable = 0;
  for (guint i = 0; i < G_N_ELEMENTS (blocks); i++)
    aligned_usable += malloc_usable_size (blocks[i]);
  for (guint i = 0; i < G_N_ELEMENTS (blocks); i++)
    free (blocks[i]);
}

static void
test_aligned (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  session_start (FALSE);
  do_aligned ();
  snapshot = session_finish ();

  /* An aligned block's usable size depends on where it was carved out; the
   * counters must match what malloc_usable_size() says of each block. */
  g_assert_cmpuint (aligned_usable, >=, 100 + 256 + 40 + 1000);
  assert_alloc (snapshot, "do_aligned", 1, 100 + 256 + 40 + 1000, 4, aligned_usable, 4);
}

static void
do_glib (void)
{
  HOTPATH_MEASURE_AS ("do_glib");
  gpointer a = g_malloc (100);
  gint64 *b = g_new (gint64, 25);
  char *c = g_strdup ("hello");           /* 6 bytes */

  held = usable (a) + usable (b) + usable (c);
  g_free (a);
  g_free (b);
  g_free (c);
}

static void
test_glib (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  session_start (FALSE);
  do_glib ();
  snapshot = session_finish ();

  assert_alloc (snapshot, "do_glib", 1, 100 + 200 + 6, 3, held, 3);
}

static void
do_slice (void)
{
  HOTPATH_MEASURE_AS ("do_slice");
  gpointer a[100];
  gpointer b = g_slice_alloc0 (200);

  held = usable (b);
  for (guint i = 0; i < G_N_ELEMENTS (a); i++)
    {
      a[i] = g_slice_alloc (40);
      held += usable (a[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (a); i++)
    g_slice_free1 (40, a[i]);
  g_slice_free1 (200, b);
}

static void
test_slice (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  /* The alloc library set G_SLICE=always-malloc before GLib read it. */
  g_assert_cmpstr (g_getenv ("G_SLICE"), ==, "always-malloc");
  /* g_slice_get_config() reports g_slice_set_config() only, not the
   * environment: the exact counts below are the proof. With magazines, 100
   * slices of 40 bytes would be a few page-sized chunks or nothing. */

  session_start (FALSE);
  do_slice ();
  snapshot = session_finish ();

  assert_alloc (snapshot, "do_slice", 1, 100 * 40 + 200, 101, held, 101);
}

/* outer: 104 of its own, held while inner runs; inner: 200, freed; and
 * 40 that inner returns and outer frees. */
static guint64 held_inner, held_outer_own;

static gpointer
inner (void)
{
  HOTPATH_MEASURE_AS ("inner");
  gpointer block = malloc (200);
  gpointer kept = malloc (40);

  held_inner += usable (block) + usable (kept);
  free (block);
  return kept;
}

static void
outer (void)
{
  HOTPATH_MEASURE_AS ("outer");
  gpointer own = malloc (104);
  gpointer from_inner;

  held_outer_own += usable (own);
  from_inner = inner ();
  free (own);
  free (from_inner);
}

static void
test_nested_cumulative (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  held_inner = held_outer_own = 0;
  session_start (FALSE);
  outer ();
  outer ();
  snapshot = session_finish ();

  /* Peaks: inner holds its two blocks at most; outer its own and those. */
  assert_alloc (snapshot, "inner", 2, 2 * 240, 2 * 2, held_inner, 2 * 2);
  assert_alloc (snapshot, "outer", 2, 2 * 344, 2 * 3, held_outer_own + held_inner, 2 * 3);
}

static void
test_nested_self (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  held_inner = held_outer_own = 0;
  session_start (TRUE);
  outer ();
  outer ();
  snapshot = session_finish ();

  /* Self: outer's own 104, one block; inner's 40 that outer then holds is
   * inner's, not outer's. */
  assert_alloc (snapshot, "inner", 2, 2 * 240, 2 * 2, held_inner, 2 * 2);
  assert_alloc (snapshot, "outer", 2, 2 * 104, 2 * 1, held_outer_own, 2 * 1);
}

/* Each level allocates 40 bytes and keeps them while it recurses. */
static void
recurse (guint depth)
{
  HOTPATH_MEASURE_AS ("recurse");
  gpointer block = malloc (40);

  held += usable (block);
  if (depth > 1)
    recurse (depth - 1);
  free (block);
}

static void
test_recursive_cumulative (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  HotpathFunctionStats *stats;

  held = 0;
  session_start (FALSE);
  recurse (5);
  recurse (3);
  snapshot = session_finish ();

  /* Only the outermost calls carry figures: 200 and 120 bytes, never
   * 200 + 160 + 120 + ... */
  assert_alloc (snapshot, "recurse", 2, 5 * 40 + 3 * 40, 5 + 3, held, 5 + 3);
  stats = find_function (snapshot, "recurse");
  g_assert_cmpuint (hotpath_function_stats_get_calls (stats), ==, 8);
}

static void
test_recursive_self (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  held = 0;
  session_start (TRUE);
  recurse (5);
  recurse (3);
  snapshot = session_finish ();

  /* Every level has its own 40 bytes. */
  assert_alloc (snapshot, "recurse", 8, 8 * 40, 8, held, 8);
}

#define N_THREADS 4
#define N_PER_THREAD 1000

static void
thread_work (void)
{
  HOTPATH_MEASURE_AS ("thread_work");
  gpointer *blocks = malloc (N_PER_THREAD * sizeof (gpointer));
  guint64 total;

  for (guint i = 0; i < N_PER_THREAD; i++)
    blocks[i] = malloc (104);
  total = usable (blocks);
  for (guint i = 0; i < N_PER_THREAD; i++)
    total += usable (blocks[i]);
  __atomic_add_fetch (&held, total, __ATOMIC_RELAXED);
  for (guint i = 0; i < N_PER_THREAD; i++)
    free (blocks[i]);
  free (blocks);
}

/* All threads start their work together, to allocate at the same time. */
typedef struct
{
  GMutex mutex;
  GCond  cond;
  guint  waiting;
} Barrier;

static void
barrier_wait (Barrier *barrier)
{
  g_mutex_lock (&barrier->mutex);
  if (++barrier->waiting == N_THREADS)
    g_cond_broadcast (&barrier->cond);
  while (barrier->waiting < N_THREADS)
    g_cond_wait (&barrier->cond, &barrier->mutex);
  g_mutex_unlock (&barrier->mutex);
}

static gpointer
thread_main (gpointer data)
{
  barrier_wait (data);
  for (guint i = 0; i < 10; i++)
    thread_work ();

  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  GThread *threads[N_THREADS];
  Barrier barrier = { 0, };
  guint64 sum_alloc = 0, sum_free = 0;
  HotpathAllocSnapshot *alloc;
  guint64 per_call = N_PER_THREAD * sizeof (gpointer) + N_PER_THREAD * 104;

  held = 0;
  session_start (FALSE);
  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("alloc-test", thread_main, &barrier);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  snapshot = session_finish ();

  assert_alloc (snapshot, "thread_work", N_THREADS * 10,
                N_THREADS * 10 * per_call, N_THREADS * 10 * (N_PER_THREAD + 1),
                held, N_THREADS * 10 * (N_PER_THREAD + 1));

  /* Threads and process: the parts add up to the whole. */
  alloc = snapshot->alloc;
  g_assert_cmpuint (alloc->threads->len, >=, 2);
  for (guint i = 0; i < alloc->threads->len; i++)
    {
      HotpathAllocTotals *t = &g_array_index (alloc->threads, HotpathAllocTotals, i);
      sum_alloc += t->alloc_bytes;
      sum_free += t->free_bytes;
    }
  g_assert_cmpuint (sum_alloc, ==, alloc->process.alloc_bytes);
  g_assert_cmpuint (sum_free, ==, alloc->process.free_bytes);
  g_assert_cmpuint (alloc->process.alloc_bytes, >=, alloc->process.free_bytes);
  /* The exited threads' work is kept, under thread id 0. */
  g_assert_cmpuint (g_array_index (alloc->threads, HotpathAllocTotals, alloc->threads->len - 1).thread_id, ==, 0);
  g_assert_cmpuint (g_array_index (alloc->threads, HotpathAllocTotals, alloc->threads->len - 1).request_bytes,
                    >=, N_THREADS * 10 * per_call);
  g_assert_cmpuint (g_array_index (alloc->threads, HotpathAllocTotals, alloc->threads->len - 1).alloc_bytes,
                    >=, held);
  g_assert_cmpuint (alloc->session.request_bytes, >=, N_THREADS * 10 * per_call);
}

#define N_OLD 100
static gpointer old_blocks[N_OLD];

static void
free_old_and_allocate (void)
{
  HOTPATH_MEASURE_AS ("free_old_and_allocate");

  for (guint i = 0; i < N_OLD; i++)
    free (old_blocks[i]);
  sink = malloc (40);
}

static void
test_frees_before (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  HotpathAllocSnapshot *alloc;

  for (guint i = 0; i < N_OLD; i++)
    old_blocks[i] = malloc (104);

  session_start (FALSE);
  free_old_and_allocate ();
  snapshot = session_finish ();
  free (sink);
  sink = NULL;

  /* 40 bytes in one block; live never rose above where it started. */
  assert_alloc (snapshot, "free_old_and_allocate", 1, 40, 1, 0, 0);

  alloc = snapshot->alloc;
  g_assert_cmpuint (alloc->session.free_bytes, >=, N_OLD * 104);
  g_assert_cmpuint (alloc->session.request_bytes, >=, 40);
  g_assert_cmpuint (alloc->session.free_count, >=, N_OLD);
  g_assert_cmpuint (alloc->process.alloc_bytes, >=, alloc->process.free_bytes);
  g_assert_cmpuint (alloc->process.alloc_count, >=, alloc->process.free_count);
}

static gsize first_allocated_len, final_allocated_len;

static void
grow_string (void)
{
  HOTPATH_MEASURE_AS ("grow_string");
  GString *string = g_string_new (NULL);

  first_allocated_len = string->allocated_len;
  for (guint i = 0; i < 5000; i++)
    g_string_append_c (string, 'x');
  final_allocated_len = string->allocated_len;
  held = usable (string) + usable (string->str);
  g_string_free (string, TRUE);
}

static void
test_gstring (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  const HotpathAllocStats *stats;
  guint64 expected_bytes = sizeof (GString);
  guint64 expected_count = 1;

  held = 0;
  session_start (FALSE);
  grow_string ();
  snapshot = session_finish ();

  /* GString allocates inside libglib, whose calls to its own functions
   * cannot be interposed, yet it allocates with malloc and realloc: the
   * struct, then a buffer that doubles from its first size (a power of
   * two) up to allocated_len, one realloc each time. */
  g_assert_cmpuint (final_allocated_len, >=, 5001);
  for (gsize len = final_allocated_len; len >= first_allocated_len; len /= 2)
    {
      expected_bytes += len;
      expected_count++;
    }
  stats = find_alloc (snapshot, "grow_string");
  g_test_message ("GString: %" G_GUINT64_FORMAT " bytes in %" G_GUINT64_FORMAT " allocations",
                  stats->metrics[BYTES].sum, stats->metrics[COUNT].sum);
  assert_alloc (snapshot, "grow_string", 1, expected_bytes, expected_count, held, 2);
}

static HotpathFunctionStats *
find_function_suffix (HotpathSnapshot *snapshot,
                      const char      *suffix)
{
  for (guint i = 0; i < snapshot->functions->len; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (snapshot->functions, i);

      if (g_str_has_suffix (stats->name, suffix))
        return stats;
    }

  g_error ("no function *%s in the snapshot", suffix);
  return NULL;
}

static void
test_measure_all (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  HotpathAllocStats *inner_stats, *outer_stats;

  session_start (FALSE);
  alloc_instrumented_outer (10);
  alloc_instrumented_outer (5);
  snapshot = session_finish ();

  inner_stats = find_function_suffix (snapshot, "::alloc_instrumented_inner")->alloc;
  outer_stats = find_function_suffix (snapshot, "::alloc_instrumented_outer")->alloc;
  g_assert_nonnull (inner_stats);
  g_assert_nonnull (outer_stats);
  g_assert_cmpuint (inner_stats->metrics[BYTES].count, ==, 2);
  g_assert_cmpuint (inner_stats->metrics[BYTES].sum, ==, 15 * 40);
  g_assert_cmpuint (inner_stats->metrics[COUNT].sum, ==, 15);
  g_assert_cmpuint (inner_stats->metrics[PEAK_COUNT].sum, ==, 2);
  g_assert_cmpuint (outer_stats->metrics[BYTES].sum, ==, 2 * 100 + 15 * 40);
  g_assert_cmpuint (outer_stats->metrics[COUNT].sum, ==, 2 + 15);
  g_assert_cmpuint (outer_stats->metrics[PEAK_COUNT].sum, ==, 2 * 2);
}

static void
count_threads (const HotpathAllocTotals *totals,
               void                     *user_data)
{
  if (totals->thread_id != 0)
    (*(guint *) user_data)++;
}

/* A forked child keeps counting, with itself as its only live thread and
 * the parent's other threads among the exited ones. */
static void
test_fork (void)
{
  HotpathAllocTotals before, after;
  guint n_threads = 0;
  int status = 0;
  pid_t pid;

  hotpath_alloc_foreach_thread (count_threads, &n_threads, &before);
  g_assert_cmpuint (n_threads, >=, 1);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      gpointer block;

      n_threads = 0;
      hotpath_alloc_foreach_thread (count_threads, &n_threads, &after);
      if (n_threads != 1 || after.alloc_count < before.alloc_count)
        _exit (1);
      block = malloc (100);
      sink = block;
      hotpath_alloc_foreach_thread (NULL, NULL, &after);
      free (block);
      if (after.request_bytes < before.request_bytes + 100)
        g_printerr ("child: before %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT "\n", before.request_bytes, after.request_bytes);
      _exit (after.request_bytes >= before.request_bytes + 100 ? 0 : 2);
    }

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* Threads that allocate, reallocate and free at random, half of their
 * blocks freed by another thread, some large enough for their own
 * mapping. Each thread adds up the usable sizes of what it allocates and
 * frees (malloc_usable_size () allocates nothing) and compares with its
 * own counters: exact, with no lock or atomic on the counting side. No
 * GLib call inside the loop, so nothing else allocates on these threads
 * meanwhile. */
#define STRESS_THREADS 6
#define STRESS_OPS     20000
#define HANDOFF_SIZE   256

typedef struct
{
  pthread_mutex_t lock;
  gpointer        blocks[HANDOFF_SIZE];
  guint           n_blocks;
} Handoff;

typedef struct
{
  Handoff *out;
  Handoff *in;
  guint64  seed;
  guint64  alloc_bytes, alloc_count, free_bytes, free_count;
  gboolean ok;
} StressThread;

static guint64
xorshift (guint64 *state)
{
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state;
}

static void
stress_free (StressThread *self,
             gpointer      block)
{
  if (block == NULL)
    return;
  self->free_bytes += malloc_usable_size (block);
  self->free_count++;
  free (block);
}

static gpointer
stress_alloc (StressThread *self,
              gpointer      block)
{
  if (block != NULL)
    {
      self->alloc_bytes += malloc_usable_size (block);
      self->alloc_count++;
    }
  return block;
}

static gpointer
stress_main (gpointer data)
{
  StressThread *self = data;
  HotpathAllocThread *counters = hotpath_alloc_thread_get ();
  gpointer slots[64] = { NULL, };
  guint64 alloc_bytes0 = counters->alloc_bytes, alloc_count0 = counters->alloc_count;
  guint64 free_bytes0 = counters->free_bytes, free_count0 = counters->free_count;

  for (guint i = 0; i < STRESS_OPS; i++)
    {
      guint64 r = xorshift (&self->seed);
      guint slot = r % G_N_ELEMENTS (slots);
      gsize size = (r >> 8) % 100 == 0 ? 200000 : (r >> 16) % 2000;

      switch ((r >> 32) % 4)
        {
        case 0:
          stress_free (self, slots[slot]);
          slots[slot] = stress_alloc (self, malloc (size));
          break;
        case 1:
          /* realloc: a free of the old block and an allocation of the new */
          if (slots[slot] != NULL && size != 0)
            {
              self->free_bytes += malloc_usable_size (slots[slot]);
              self->free_count++;
              slots[slot] = stress_alloc (self, realloc (slots[slot], size));
            }
          break;
        case 2:
          stress_free (self, slots[slot]);
          slots[slot] = stress_alloc (self, calloc (1, size));
          break;
        default:
          pthread_mutex_lock (&self->out->lock);
          if (slots[slot] != NULL && self->out->n_blocks < HANDOFF_SIZE)
            self->out->blocks[self->out->n_blocks++] = g_steal_pointer (&slots[slot]);
          pthread_mutex_unlock (&self->out->lock);
          break;
        }

      pthread_mutex_lock (&self->in->lock);
      while (self->in->n_blocks > 0)
        stress_free (self, self->in->blocks[--self->in->n_blocks]);
      pthread_mutex_unlock (&self->in->lock);
    }

  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    stress_free (self, slots[i]);

  self->ok = counters->alloc_bytes - alloc_bytes0 == self->alloc_bytes &&
             counters->alloc_count - alloc_count0 == self->alloc_count &&
             counters->free_bytes - free_bytes0 == self->free_bytes &&
             counters->free_count - free_count0 == self->free_count;

  return NULL;
}

static void
test_stress (void)
{
  StressThread threads[STRESS_THREADS];
  Handoff handoffs[STRESS_THREADS];
  GThread *handles[STRESS_THREADS];
  guint64 total = 0;

  for (guint i = 0; i < STRESS_THREADS; i++)
    {
      pthread_mutex_init (&handoffs[i].lock, NULL);
      handoffs[i].n_blocks = 0;
    }
  for (guint i = 0; i < STRESS_THREADS; i++)
    {
      memset (&threads[i], 0, sizeof threads[i]);
      threads[i].out = &handoffs[i];
      threads[i].in = &handoffs[(i + STRESS_THREADS - 1) % STRESS_THREADS];
      threads[i].seed = 0x9e3779b97f4a7c15 * (i + 1);
    }

  for (guint i = 0; i < STRESS_THREADS; i++)
    handles[i] = g_thread_new ("alloc-stress", stress_main, &threads[i]);
  for (guint i = 0; i < STRESS_THREADS; i++)
    g_thread_join (handles[i]);

  for (guint i = 0; i < STRESS_THREADS; i++)
    {
      g_assert_true (threads[i].ok);
      total += threads[i].alloc_count;
      while (handoffs[i].n_blocks > 0)
        free (handoffs[i].blocks[--handoffs[i].n_blocks]);
      pthread_mutex_destroy (&handoffs[i].lock);
    }
  g_test_message ("stress: %" G_GUINT64_FORMAT " allocations", total);
  g_assert_cmpuint (total, >, STRESS_THREADS * STRESS_OPS / 4);
}

/* A snapshot taken inside a measured function: the profiler's own
 * allocations, and their frees, are not the function's. */
static void
snapshot_inside (void)
{
  HOTPATH_MEASURE_AS ("snapshot_inside");
  g_autoptr(GArray) percentiles = NULL;
  HotpathSnapshot *inner;
  double p = 50.0;

  hotpath_alloc_internal_enter ();
  percentiles = g_array_new (FALSE, FALSE, sizeof (double));
  g_array_append_val (percentiles, p);
  hotpath_alloc_internal_leave ();

  inner = hotpath_collector_snapshot ("inner", percentiles, 0);
  hotpath_snapshot_unref (inner);

  hotpath_alloc_internal_enter ();
  g_clear_pointer (&percentiles, g_array_unref);
  hotpath_alloc_internal_leave ();
}

static void
test_profiler_not_counted (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  session_start (FALSE);
  n_mallocs (3, 40);      /* something for the inner snapshot to copy */
  snapshot_inside ();
  snapshot = session_finish ();

  assert_alloc (snapshot, "snapshot_inside", 1, 0, 0, 0, 0);
}

static void
test_disabled (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  g_setenv ("HOTPATH_ALLOC", "0", TRUE);
  g_assert_true (hotpath_collector_start (0));
  g_unsetenv ("HOTPATH_ALLOC");
  g_assert_false (hotpath_alloc_session_was_tracked ());
  n_mallocs (3, 40);
  snapshot = session_finish ();

  g_assert_null (snapshot->alloc);
  g_assert_null (find_function (snapshot, "n_mallocs")->alloc);
}

/* The recent calls' figures, for the live routes: newest first, and in
 * cumulative mode without the recursive calls, which have none. */
static void
test_logs (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(GArray) percentiles = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  const HotpathAllocStats *stats;
  double p = 50.0;

  g_array_append_val (percentiles, p);
  g_setenv ("HOTPATH_ALLOC_SELF", "0", TRUE);
  g_assert_true (hotpath_collector_start (3));
  for (guint n = 1; n <= 5; n++)
    n_mallocs (n, 24);
  recurse (3);
  hotpath_collector_stop ();
  snapshot = hotpath_collector_snapshot ("test-alloc", percentiles, 0);

  stats = find_alloc (snapshot, "n_mallocs");
  g_assert_cmpuint (stats->n_logs, ==, 3);
  /* Oldest first in the snapshot: the calls with 3, 4 and 5 blocks. */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (stats->logs[i].values[BYTES], ==, (3 + i) * 24);
      g_assert_cmpuint (stats->logs[i].values[COUNT], ==, 3 + i);
      g_assert_cmpuint (stats->logs[i].values[PEAK_COUNT], ==, 3 + i);
      g_assert_cmpuint (stats->logs[i].thread_id, !=, 0);
    }

  /* recurse (3): three timed calls, one with figures. */
  g_assert_cmpuint (hotpath_function_stats_get_n_logs (find_function (snapshot, "recurse")), ==, 3);
  stats = find_alloc (snapshot, "recurse");
  g_assert_cmpuint (stats->n_logs, ==, 1);
  g_assert_cmpuint (stats->logs[0].values[BYTES], ==, 3 * 40);

  node = hotpath_test_item_json (snapshot, "functions_alloc", find_function (snapshot, "n_mallocs")->id);
  json = json_to_string (node, FALSE);
  hotpath_test_assert_valid_json (json, "function_alloc_logs");
  g_assert_nonnull (strstr (json, "\"logs\":[{\"index\":0,\"bytes\":120,\"count\":5,"));
  g_assert_null (hotpath_test_item_json (snapshot, "functions_alloc", 100000));

  text = hotpath_test_item_text (snapshot, "functions_alloc", find_function (snapshot, "n_mallocs")->id);
  g_assert_nonnull (strstr (text, "#0  120 B in 5 allocations"));
}

static void
test_report (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *table = NULL;
  g_autofree char *count_table = NULL;
  JsonObject *section, *function = NULL, *bytes;
  JsonArray *data;

  session_start (FALSE);
  n_mallocs (10, 104);
  snapshot = session_finish ();

  json = hotpath_snapshot_to_json (snapshot, FALSE);
  /* The whole report, and the section on its own, against the schema. */
  hotpath_test_assert_valid_json (json, NULL);
  {
    g_autoptr(JsonNode) node = hotpath_test_section_json (snapshot, "functions_alloc", 0);
    g_autofree char *section_json = json_to_string (node, FALSE);

    hotpath_test_assert_valid_json (section_json, "functions_alloc");
  }
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  section = json_object_get_object_member (
    json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "sections"),
    "functions_alloc");
  g_assert_nonnull (section);
  g_assert_cmpstr (json_object_get_string_member (section, "mode"), ==, "cumulative");
  g_assert_cmpstr (json_object_get_string_member (section, "metric"), ==, "bytes");
  g_assert_true (json_object_has_member (section, "process"));
  g_assert_true (json_object_has_member (section, "session"));
  g_assert_true (json_object_has_member (section, "threads"));
  data = json_object_get_array_member (section, "data");
  for (guint i = 0; i < json_array_get_length (data); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (data, i), "name"), "n_mallocs") == 0)
      function = json_array_get_object_element (data, i);
  g_assert_nonnull (function);
  g_assert_cmpint (json_object_get_int_member (function, "calls"), ==, 1);
  bytes = json_object_get_object_member (function, "bytes");
  g_assert_cmpint (json_object_get_int_member (bytes, "total"), ==, 1040);
  g_assert_cmpint (json_object_get_int_member (bytes, "avg"), ==, 1040);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (bytes, "percentiles"), "p95"), ==, 1040);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (function, "count"), "total"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (function, "peak_bytes"), "max"), >=, 1040);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (function, "peak_count"), "min"), ==, 10);

  /* The live routes (HTTP, D-Bus, MCP) serve it from the sections table. */
  {
    const HotpathSectionDesc *live = hotpath_sections_lookup ("functions_alloc");
    g_autofree char *section_json = NULL;
    g_autofree char *text = NULL;

    g_assert_nonnull (live);
    g_assert_true (hotpath_live_section_is_available (live, snapshot));
    section_json = hotpath_section_to_json (live, snapshot, 0);
    hotpath_test_assert_valid_json (section_json, live->schema_def);
    text = hotpath_section_to_text (live, snapshot, 0);
    g_assert_nonnull (strstr (text, "n_mallocs (id "));
    g_assert_nonnull (strstr (text, "1.02 KiB in 10 allocations"));
  }

  table = hotpath_snapshot_to_table (snapshot);
  g_assert_nonnull (strstr (table, "[hotpath] allocations, bytes allocated (cumulative)"));
  g_assert_nonnull (strstr (table, "| n_mallocs "));
  g_assert_nonnull (strstr (table, "1.02 KiB"));

  /* The table's metric comes from the environment, read per snapshot. */
  g_setenv ("HOTPATH_ALLOC_METRIC", "count", TRUE);
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);
  session_start (FALSE);
  n_mallocs (10, 104);
  snapshot = session_finish ();
  g_unsetenv ("HOTPATH_ALLOC_METRIC");
  count_table = hotpath_snapshot_to_table (snapshot);
  g_assert_nonnull (strstr (count_table, "[hotpath] allocations, allocations (cumulative)"));
  g_test_message ("%s", count_table);
  g_assert_null (strstr (count_table, "1.02 KiB |"));
  g_assert_nonnull (strstr (count_table, "|    10 |"));
}

/* An invalid HOTPATH_ALLOC_METRIC or HOTPATH_ALLOC_SELF: one line on
 * stderr naming the variable, and the default. */
static void
test_invalid_env (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(HotpathSnapshot) snapshot = NULL;
      g_autofree char *table = NULL;

      g_setenv ("HOTPATH_ALLOC_METRIC", "megabytes", TRUE);
      g_setenv ("HOTPATH_ALLOC_SELF", "maybe", TRUE);
      g_assert_true (hotpath_collector_start (0));
      n_mallocs (2, 24);
      snapshot = session_finish ();
      g_assert_false (snapshot->alloc->self_mode);
      g_assert_cmpint (snapshot->alloc->metric, ==, HOTPATH_ALLOC_METRIC_BYTES);
      table = hotpath_snapshot_to_table (snapshot);
      g_assert_nonnull (strstr (table, "bytes allocated (cumulative)"));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*HOTPATH_ALLOC_METRIC*megabytes*");
  g_test_trap_assert_stderr ("*HOTPATH_ALLOC_SELF*maybe*");
}

static void
test_absent (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autofree char *json = NULL;
  g_autofree char *table = NULL;

  g_assert_false (hotpath_alloc_is_available ());
  g_assert_true (hotpath_collector_start (0));
  g_assert_false (hotpath_alloc_session_was_tracked ());
  n_mallocs (10, 104);
  snapshot = session_finish ();

  g_assert_null (snapshot->alloc);
  g_assert_null (find_function (snapshot, "n_mallocs")->alloc);
  json = hotpath_snapshot_to_json (snapshot, FALSE);
  g_assert_null (strstr (json, "functions_alloc"));
  table = hotpath_snapshot_to_table (snapshot);
  g_assert_null (strstr (table, "allocations"));
}

/* The threads section, with the allocation library: each thread's
 * allocation totals beside its CPU use. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean allocated;
  gboolean stop;
} Holder;

static gpointer
holder_main (gpointer data)
{
  Holder *holder = data;
  gpointer block = g_malloc (1 << 20);

  memset (block, 1, 1 << 20);
  g_mutex_lock (&holder->lock);
  holder->allocated = TRUE;
  g_cond_broadcast (&holder->cond);
  while (!holder->stop)
    g_cond_wait (&holder->cond, &holder->lock);
  g_mutex_unlock (&holder->lock);
  g_free (block);
  return NULL;
}

static void
test_threads_section (void)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  const HotpathSectionDesc *section = hotpath_registry_lookup ("threads");
  g_autofree char *json = NULL;
  gconstpointer row = NULL;
  Holder holder = { 0 };
  GThread *thread;

  g_setenv ("HOTPATH_THREADS", "1", TRUE);
  g_setenv ("HOTPATH_THREADS_INTERVAL_MS", "10", TRUE);
  g_mutex_init (&holder.lock);
  g_cond_init (&holder.cond);
  session_start (FALSE);
  thread = g_thread_new ("alloc-holder", holder_main, &holder);
  g_mutex_lock (&holder.lock);
  while (!holder.allocated)
    g_cond_wait (&holder.cond, &holder.lock);
  g_mutex_unlock (&holder.lock);
  g_usleep (100 * 1000);   /* a few samples: the thread has a row */
  snapshot = session_finish ();

  g_assert_nonnull (section);
  for (guint i = 0; i < hotpath_section_get_n_rows (section, snapshot) && row == NULL; i++)
    {
      gconstpointer candidate = hotpath_section_get_row (section, snapshot, i);
      HotpathValue value = { 0 };

      hotpath_field_get (hotpath_rows_find_field (section->rows, "name"), candidate, &value);
      if (g_strcmp0 (value.s, "alloc-holder") == 0)
        row = candidate;
    }
  g_assert_nonnull (row);
  {
    HotpathValue alloc = { 0 }, freed = { 0 };

    hotpath_field_get (hotpath_rows_find_field (section->rows, "alloc_bytes"), row, &alloc);
    hotpath_field_get (hotpath_rows_find_field (section->rows, "free_bytes"), row, &freed);
    g_assert_cmpint (alloc.type, ==, HOTPATH_VALUE_UINT);
    g_assert_cmpuint (alloc.u, >=, 1 << 20);
    g_assert_cmpuint (freed.u, <, alloc.u);
  }
  json = hotpath_report_section_json (section, snapshot, 0, FALSE);
  hotpath_test_assert_valid_json (json, section->schema_def);

  g_mutex_lock (&holder.lock);
  holder.stop = TRUE;
  g_cond_broadcast (&holder.cond);
  g_mutex_unlock (&holder.lock);
  g_thread_join (thread);
  g_mutex_clear (&holder.lock);
  g_cond_clear (&holder.cond);
  g_unsetenv ("HOTPATH_THREADS_INTERVAL_MS");
}

int
main (int   argc,
      char *argv[])
{
  const char *expect = g_getenv ("HOTPATH_TEST_EXPECT_ALLOC");

  g_test_init (&argc, &argv, NULL);

  if (g_strcmp0 (expect, "0") == 0)
    {
      g_test_add_func ("/Hotpath/Alloc/absent", test_absent);
      return g_test_run ();
    }

  if (!hotpath_alloc_is_available ())
    g_error ("libhotpath-glib-alloc-1 is neither linked nor preloaded");

  g_test_add_func ("/Hotpath/Alloc/usable-sizes", test_usable_sizes);
  g_test_add_func ("/Hotpath/Alloc/malloc", test_malloc);
  g_test_add_func ("/Hotpath/Alloc/many", test_many);
  g_test_add_func ("/Hotpath/Alloc/calloc", test_calloc);
  g_test_add_func ("/Hotpath/Alloc/realloc", test_realloc);
  g_test_add_func ("/Hotpath/Alloc/aligned", test_aligned);
  g_test_add_func ("/Hotpath/Alloc/glib", test_glib);
  g_test_add_func ("/Hotpath/Alloc/slice", test_slice);
  g_test_add_func ("/Hotpath/Alloc/nested-cumulative", test_nested_cumulative);
  g_test_add_func ("/Hotpath/Alloc/nested-self", test_nested_self);
  g_test_add_func ("/Hotpath/Alloc/recursive-cumulative", test_recursive_cumulative);
  g_test_add_func ("/Hotpath/Alloc/recursive-self", test_recursive_self);
  g_test_add_func ("/Hotpath/Alloc/threads", test_threads);
  g_test_add_func ("/Hotpath/Alloc/frees-before-profiling", test_frees_before);
  g_test_add_func ("/Hotpath/Alloc/gstring", test_gstring);
  g_test_add_func ("/Hotpath/Alloc/measure-all", test_measure_all);
  g_test_add_func ("/Hotpath/Alloc/fork", test_fork);
  g_test_add_func ("/Hotpath/Alloc/stress", test_stress);
  g_test_add_func ("/Hotpath/Alloc/profiler-not-counted", test_profiler_not_counted);
  g_test_add_func ("/Hotpath/Alloc/disabled", test_disabled);
  g_test_add_func ("/Hotpath/Alloc/invalid-env", test_invalid_env);
  g_test_add_func ("/Hotpath/Alloc/logs", test_logs);
  g_test_add_func ("/Hotpath/Alloc/threads-section", test_threads_section);
  g_test_add_func ("/Hotpath/Alloc/report", test_report);

  return g_test_run ();
}
