/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memory.c: what the profiler holds after many calls.
 *
 * 100 million measured calls spread over 1,000 distinct functions, each a
 * real HOTPATH_MEASURE () site, while another thread takes a snapshot every
 * 500 ms and renders its functions_timing JSON with every row, as the live
 * server does for a viewer. After 1M, 10M and 100M calls it prints the
 * process's resident memory (RSS, from /proc/self/statm, against a baseline
 * taken when the session started, before the first call): what the program
 * pays, including memory malloc holds on to after the snapshots free it.
 * The profiler's own account (hotpath_collector_get_memory_size) and
 * malloc's (mallinfo2: bytes in use) are printed beside it. Targets (issue
 * 13): RSS growth at most 4 MiB, and flat from 10M to 100M calls (within
 * 5%, or 256 KiB, whichever is larger). Exits non-zero on a miss.
 *
 * Each function does a varying amount of work per call (0 to --spread
 * steps of a small loop), so its durations spread over a range the way a
 * real function's do, and its histogram has more than a couple of buckets.
 * --spread 0 gives empty functions.
 *
 *   meson test -C build --benchmark --verbose memory
 *   build/bench/memory --calls 100000000 --spread 63 --snapshot-ms 500
 */

#define G_LOG_DOMAIN "bench"

#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <time.h>

#include <glib.h>
#include <hotpath-glib/hotpath.h>

#include "hotpath-collector-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-report-private.h"
#include "hotpath-snapshot-private.h"

#include "bench-common.h"

#define N_FUNCTIONS    1000
#define LIMIT_BYTES    (4 * 1024 * 1024)
/* "Does not grow": 10M and 100M calls may differ by this much, or by
 * GROWTH_SLACK, whichever is larger (a few pages come and go). */
#define GROWTH_MARGIN  0.05
#define GROWTH_SLACK   (256 * 1024)

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

static gsize
resident_bytes (void)
{
  g_autofree char *statm = NULL;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    return 0;
  fields = g_strsplit (statm, " ", -1);
  if (fields[0] == NULL || fields[1] == NULL)
    return 0;
  return (gsize) g_ascii_strtoull (fields[1], NULL, 10) * (gsize) sysconf (_SC_PAGESIZE);
}

static gsize
peak_resident_bytes (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return (gsize) g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10) * 1024;
}

/* A live viewer: a snapshot every @interval_ms and its functions_timing
 * JSON with every row, on a thread of its own as the server's. */
typedef struct
{
  HotpathGuard *guard;
  GMutex        lock;
  GCond         cond;
  guint         interval_ms;
  gboolean      stop;
  gboolean      busy;         /* from a snapshot to its last free */
  int           request;      /* a checkpoint's number + 1, or 0 */
  guint         n_snapshots;
  gsize         json_bytes;
} Viewer;

/* What a checkpoint reads from a snapshot. */
static guint   n_functions_seen;
static guint64 calls_seen;
static gsize   histogram_size[3];
static guint64 buckets[3], max_buckets[3];

static void
analyse (HotpathSnapshot *snapshot,
         guint            c)
{
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
}

/* The live viewer: a snapshot every @interval_ms and its functions_timing
 * JSON with every row, on a thread of its own as the server's. The
 * checkpoints read its snapshots too, so that only this thread takes any. */
static gpointer
viewer_main (gpointer data)
{
  Viewer *viewer = data;

  g_mutex_lock (&viewer->lock);
  while (!viewer->stop)
    {
      gint64 wake_at = g_get_monotonic_time () + viewer->interval_ms * 1000;
      g_autoptr(HotpathSnapshot) snapshot = NULL;
      g_autofree char *json = NULL;
      int request;

      while (!viewer->stop && viewer->request == 0 && g_get_monotonic_time () < wake_at)
        g_cond_wait_until (&viewer->cond, &viewer->lock, wake_at);
      if (viewer->stop)
        break;
      request = viewer->request;
      viewer->busy = TRUE;
      g_mutex_unlock (&viewer->lock);

      snapshot = hotpath_guard_snapshot (viewer->guard);
      json = hotpath_report_section_json (hotpath_registry_lookup ("functions_timing"), snapshot, 0, FALSE);
      if (request != 0)
        analyse (snapshot, (guint) request - 1);
      viewer->json_bytes = strlen (json);
      viewer->n_snapshots++;
      g_clear_pointer (&json, g_free);
      g_clear_pointer (&snapshot, hotpath_snapshot_unref);

      g_mutex_lock (&viewer->lock);
      viewer->busy = FALSE;
      if (request != 0)
        viewer->request = 0;
      g_cond_broadcast (&viewer->cond);
    }
  g_mutex_unlock (&viewer->lock);

  return NULL;
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
  gsize malloc_baseline, rss_baseline;
  gsize rss[3] = { 0 };
  int snapshot_ms = 500;
  Viewer viewer = { 0 };
  GThread *viewer_thread = NULL;
  guint64 done = 0;
  gint64 started;
  const GOptionEntry entries[] = {
    { "calls", 'n', 0, G_OPTION_ARG_INT64, &total_calls, "Measured calls in all (default 100000000)", "N" },
    { "spread", 's', 0, G_OPTION_ARG_INT, &spread, "Work steps per call vary over 0..S, S+1 a power of two (default 63)", "S" },
    { "snapshot-ms", 0, 0, G_OPTION_ARG_INT, &snapshot_ms, "A viewer's snapshot every MS milliseconds; 0: none (default 500)", "MS" },
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
  guard = hotpath_guard_builder_build (builder, NULL);
  if (guard == NULL)
    {
      g_printerr ("could not start a profiling session\n");
      return 1;
    }

  bench_print_machine ("bench/memory");

  malloc_baseline = malloc_in_use ();
  rss_baseline = resident_bytes ();
  started = g_get_monotonic_time ();

  if (snapshot_ms > 0)
    {
      viewer.guard = guard;
      g_mutex_init (&viewer.lock);
      g_cond_init (&viewer.cond);
      viewer.interval_ms = (guint) snapshot_ms;
      viewer_thread = g_thread_new ("viewer", viewer_main, &viewer);
    }

  printf ("== memory: %" G_GUINT64_FORMAT " measured calls over %u functions "
          "(HOTPATH_MEASURE sites), 0..%u work steps per call, ",
          checkpoints[2], N_FUNCTIONS, spread_mask);
  if (snapshot_ms > 0)
    printf ("a snapshot + JSON every %d ms ==\n\n", snapshot_ms);
  else
    printf ("no snapshots ==\n\n");
  printf ("%12s | %14s | %14s | %14s | %14s | %17s | %9s\n", "calls", "RSS growth", "profiler", "malloc delta",
          "of which hist.", "buckets mean/max", "elapsed");
  printf ("-------------+----------------+----------------+----------------+----------------+-------------------+----------\n");
  fflush (stdout);

  for (guint c = 0; c < G_N_ELEMENTS (checkpoints); c++)
    {
      for (; done < checkpoints[c]; done++)
        functions[done % N_FUNCTIONS] ((guint32) done);

      /* A snapshot drains every ring, so the aggregates hold every call
       * made so far. Memory is read between two of the viewer's
       * snapshots: what stays resident, not a snapshot in the making
       * (the peak is printed at the end). */
      if (viewer_thread != NULL)
        {
          g_mutex_lock (&viewer.lock);
          viewer.request = (int) c + 1;
          g_cond_broadcast (&viewer.cond);
          while (viewer.request != 0 || viewer.busy)
            g_cond_wait (&viewer.cond, &viewer.lock);
        }
      else
        {
          g_autoptr(HotpathSnapshot) snapshot = hotpath_guard_snapshot (guard);

          analyse (snapshot, c);
        }
      profiler_size[c] = hotpath_collector_get_memory_size ();
      malloc_size[c] = malloc_in_use () - malloc_baseline;
      rss[c] = resident_bytes () - rss_baseline;
      if (viewer_thread != NULL)
        g_mutex_unlock (&viewer.lock);

      printf ("%12" G_GUINT64_FORMAT " | %10.3f MiB | %10.3f MiB | %10.3f MiB | %10.3f MiB | %8.1f / %6" G_GUINT64_FORMAT
              " | %7.2f s\n",
              checkpoints[c], mib (rss[c]), mib (profiler_size[c]), mib (malloc_size[c]), mib (histogram_size[c]),
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

  if (viewer_thread != NULL)
    {
      g_mutex_lock (&viewer.lock);
      viewer.stop = TRUE;
      g_cond_broadcast (&viewer.cond);
      g_mutex_unlock (&viewer.lock);
      g_thread_join (viewer_thread);
      printf ("viewer snapshots: %u, last functions_timing JSON %.1f KiB\n",
              viewer.n_snapshots, (double) viewer.json_bytes / 1024.0);
    }
  printf ("peak RSS (VmHWM) %.3f MiB above the baseline, with a snapshot and its JSON in the making\n",
          mib (peak_resident_bytes () - rss_baseline));

  printf ("targets:\n");
  bench_verdict ("every function and every call in the report",
                 n_functions_seen == N_FUNCTIONS && calls_seen == checkpoints[2]);

  for (guint c = 0; c < G_N_ELEMENTS (checkpoints); c++)
    {
      g_autofree char *what = g_strdup_printf ("RSS growth after %" G_GUINT64_FORMAT " calls: %.3f MiB <= 4 MiB",
                                               checkpoints[c], mib (rss[c]));

      bench_verdict (what, rss[c] <= LIMIT_BYTES);
    }

  {
    double growth = ((double) rss[2] - (double) rss[1]) / (double) MAX (rss[1], 1);
    double profiler_growth = ((double) profiler_size[2] - (double) profiler_size[1]) / (double) profiler_size[1];
    g_autofree char *what = g_strdup_printf ("RSS flat from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
                                             " calls: %+.2f%% (%+.3f MiB)", checkpoints[1], checkpoints[2],
                                             growth * 100, mib (rss[2]) - mib (rss[1]));
    g_autofree char *own = g_strdup_printf ("profiler's account flat: %+.2f%%, at most 4 MiB", profiler_growth * 100);

    bench_verdict (what, rss[2] <= rss[1] + MAX ((gsize) (rss[1] * GROWTH_MARGIN), GROWTH_SLACK));
    bench_verdict (own, profiler_growth <= GROWTH_MARGIN && profiler_size[2] <= LIMIT_BYTES);
  }

  hotpath_guard_finish (guard, NULL);

  return bench_finish ("memory");
}
