/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memory.c: what the profiler holds after many calls.
 *
 * 100 million measured calls spread over 1,000 distinct functions, each a
 * real HOTPATH_MEASURE () site. After 1M, 10M and 100M calls the profiler's
 * own account (hotpath_collector_get_memory_size) and malloc's
 * (mallinfo2: bytes in use, arenas and mmapped chunks, against a baseline
 * taken before the first call) are printed. The target: at most 4 MiB, and
 * no growth with the number of calls (10M and 100M equal within a small
 * margin).
 *
 * Each function does a varying amount of work per call (0 to --spread
 * steps of a small loop), so its durations spread over a range the way a
 * real function's do, and its histogram has more than a couple of buckets.
 * --spread 0 gives empty functions.
 *
 *   meson test -C build --benchmark --verbose memory
 *   build/bench/memory --calls 100000000 --spread 64
 */

#define G_LOG_DOMAIN "bench"

#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <time.h>

#include <glib.h>
#include <hotpath-glib/hotpath.h>

#include "hotpath-collector-private.h"
#include "hotpath-snapshot-private.h"

#define N_FUNCTIONS    1000
#define LIMIT_BYTES    (4 * 1024 * 1024)
/* "Does not grow": 10M and 100M calls may differ by this much. */
#define GROWTH_MARGIN  0.05

static guint spread_mask = 63;

static inline void
work (guint32 seed)
{
  /* 0 .. spread_mask steps, a different count on each call. */
  guint steps = (seed * 2654435761u >> 16) & spread_mask;

  for (guint i = 0; i < steps; i++)
    __asm__ volatile ("" ::: "memory");
}

/* 1,000 static functions fn_000 .. fn_999, each its own measured site. */
#define FN(n) \
  static void __attribute__((noinline)) \
  fn_##n (guint32 seed) \
  { \
    HOTPATH_MEASURE (); \
    work (seed); \
  }
#define FN10(n)  FN(n##0) FN(n##1) FN(n##2) FN(n##3) FN(n##4) \
                 FN(n##5) FN(n##6) FN(n##7) FN(n##8) FN(n##9)
#define FN100(n) FN10(n##0) FN10(n##1) FN10(n##2) FN10(n##3) FN10(n##4) \
                 FN10(n##5) FN10(n##6) FN10(n##7) FN10(n##8) FN10(n##9)

FN100 (0) FN100 (1) FN100 (2) FN100 (3) FN100 (4)
FN100 (5) FN100 (6) FN100 (7) FN100 (8) FN100 (9)

#define REF(n)     fn_##n,
#define REF10(n)   REF(n##0) REF(n##1) REF(n##2) REF(n##3) REF(n##4) \
                   REF(n##5) REF(n##6) REF(n##7) REF(n##8) REF(n##9)
#define REF100(n)  REF10(n##0) REF10(n##1) REF10(n##2) REF10(n##3) REF10(n##4) \
                   REF10(n##5) REF10(n##6) REF10(n##7) REF10(n##8) REF10(n##9)

static void (* const functions[N_FUNCTIONS]) (guint32 seed) = {
  REF100 (0) REF100 (1) REF100 (2) REF100 (3) REF100 (4)
  REF100 (5) REF100 (6) REF100 (7) REF100 (8) REF100 (9)
};

static gsize
malloc_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  /* Small chunks in the arenas plus large chunks malloc mmapped. */
  return info.uordblks + info.hblkhd;
}

static double
mib (gsize bytes)
{
  return (double) bytes / (1024.0 * 1024.0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HotpathGuardBuilder) builder = NULL;
  g_autoptr(HotpathGuard) guard = NULL;
  gint64 total_calls = 100000000;
  int spread = 63;
  guint64 checkpoints[3];
  gsize profiler_size[3] = { 0 }, malloc_size[3] = { 0 };
  gsize histogram_size[3] = { 0 };
  guint64 buckets[3] = { 0 }, max_buckets[3] = { 0 };
  gsize malloc_baseline;
  guint n_functions_seen = 0;
  guint64 calls_seen = 0;
  guint64 done = 0;
  gint64 started;
  gboolean ok = TRUE;
  const GOptionEntry entries[] = {
    { "calls", 'n', 0, G_OPTION_ARG_INT64, &total_calls, "Measured calls in all (default 100000000)", "N" },
    { "spread", 's', 0, G_OPTION_ARG_INT, &spread, "Work steps per call vary over 0..S, S+1 a power of two (default 63)", "S" },
    { NULL }
  };

  context = g_option_context_new ("- memory the profiler holds");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  total_calls = MAX (total_calls, 100);
  spread_mask = (guint) CLAMP (spread, 0, 4095);
  checkpoints[0] = (guint64) total_calls / 100;
  checkpoints[1] = (guint64) total_calls / 10;
  checkpoints[2] = (guint64) total_calls;

  builder = hotpath_guard_builder_new ("memory");
  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  guard = hotpath_guard_builder_build (builder);
  if (guard == NULL)
    {
      g_printerr ("could not start a profiling session\n");
      return 1;
    }

  malloc_baseline = malloc_in_use ();
  started = g_get_monotonic_time ();

  printf ("== memory: %" G_GUINT64_FORMAT " measured calls over %u functions "
          "(HOTPATH_MEASURE sites), 0..%u work steps per call ==\n\n",
          checkpoints[2], N_FUNCTIONS, spread_mask);
  printf ("%12s | %14s | %14s | %14s | %17s | %9s\n", "calls", "profiler", "malloc delta",
          "of which hist.", "buckets mean/max", "elapsed");
  printf ("-------------+----------------+----------------+----------------+-------------------+----------\n");
  fflush (stdout);

  for (guint c = 0; c < G_N_ELEMENTS (checkpoints); c++)
    {
      g_autoptr(HotpathSnapshot) snapshot = NULL;

      for (; done < checkpoints[c]; done++)
        functions[done % N_FUNCTIONS] ((guint32) done);

      /* A snapshot drains every ring, so the aggregates hold every call
       * made so far; it is dropped before malloc is asked. */
      snapshot = hotpath_guard_snapshot (guard);
      n_functions_seen = hotpath_snapshot_get_n_functions (snapshot);
      calls_seen = 0;
      for (guint i = 0; i < n_functions_seen; i++)
        {
          HotpathFunctionStats *stats = hotpath_snapshot_get_function (snapshot, i);

          calls_seen += hotpath_function_stats_get_calls (stats);
          /* The snapshot's copy has the live histogram's shape. */
          histogram_size[c] += hotpath_histogram_get_memory_size (&stats->histogram);
          buckets[c] += stats->histogram.n_used;
          max_buckets[c] = MAX (max_buckets[c], stats->histogram.n_used);
        }
      g_clear_pointer (&snapshot, hotpath_snapshot_unref);

      profiler_size[c] = hotpath_collector_get_memory_size ();
      malloc_size[c] = malloc_in_use () - malloc_baseline;

      printf ("%12" G_GUINT64_FORMAT " | %10.3f MiB | %10.3f MiB | %10.3f MiB | %8.1f / %6" G_GUINT64_FORMAT
              " | %7.2f s\n",
              checkpoints[c], mib (profiler_size[c]), mib (malloc_size[c]), mib (histogram_size[c]),
              (double) buckets[c] / MAX (n_functions_seen, 1), max_buckets[c],
              (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC);
      fflush (stdout);
    }

  printf ("\nfunctions in the report: %u, calls counted: %" G_GUINT64_FORMAT "\n",
          n_functions_seen, calls_seen);
  printf ("per function: %.0f bytes (profiler's account)\n",
          (double) profiler_size[2] / N_FUNCTIONS);
  printf ("without histograms (rings, aggregates, logs, names): %.3f / %.3f / %.3f MiB\n",
          mib (profiler_size[0] - histogram_size[0]), mib (profiler_size[1] - histogram_size[1]),
          mib (profiler_size[2] - histogram_size[2]));
  printf ("histograms alone: %.3f / %.3f / %.3f MiB\n",
          mib (histogram_size[0]), mib (histogram_size[1]), mib (histogram_size[2]));

  if (n_functions_seen != N_FUNCTIONS || calls_seen != checkpoints[2])
    {
      printf ("FAILED: expected %u functions and %" G_GUINT64_FORMAT " calls\n",
              N_FUNCTIONS, checkpoints[2]);
      ok = FALSE;
    }

  for (guint c = 0; c < G_N_ELEMENTS (checkpoints); c++)
    if (profiler_size[c] > LIMIT_BYTES || malloc_size[c] > LIMIT_BYTES)
      {
        printf ("FAILED: above 4 MiB after %" G_GUINT64_FORMAT " calls\n", checkpoints[c]);
        ok = FALSE;
      }

  {
    double growth = ((double) profiler_size[2] - (double) profiler_size[1]) / (double) profiler_size[1];
    double malloc_growth = ((double) malloc_size[2] - (double) malloc_size[1]) / (double) malloc_size[1];

    printf ("growth from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT " calls: profiler %+.2f%%, "
            "malloc %+.2f%% (margin %.0f%%)\n", checkpoints[1], checkpoints[2],
            growth * 100, malloc_growth * 100, GROWTH_MARGIN * 100);
    if (growth > GROWTH_MARGIN || malloc_growth > GROWTH_MARGIN)
      {
        printf ("FAILED: memory grows with the number of calls\n");
        ok = FALSE;
      }
  }

  hotpath_guard_finish (guard, NULL);

  printf ("\nmemory: %s\n", ok ? "PASS" : "FAIL");

  return ok ? 0 : 1;
}
