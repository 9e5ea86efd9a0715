/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * measure-all.c: what the measure-all hooks cost per call, against
 * HOTPATH_MEASURE.
 *
 * One thread, interleaved rounds, the median of each variant's per-call
 * time (thread CPU time, so a busy neighbour moves one round, not the
 * result):
 *
 *   plain     an empty noinline function, unmeasured
 *   measure   the same with HOTPATH_MEASURE ()
 *   all       an empty function built with measure_all_cflags
 *   all-many  64 such functions called in turn
 *   filtered  one left out by HOTPATH_NOTRACE (the cost of a filtered call)
 *
 * The cost of a call is its time minus plain's. Target (issue 11): a
 * measure-all call costs at most 1.3x a HOTPATH_MEASURE call; the
 * benchmark exits 1 when `all` misses it.
 *
 *   meson test -C build --benchmark --verbose measure-all
 */

#define G_LOG_DOMAIN "bench"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>
#include <hotpath-glib/hotpath.h>

#include "hotpath-collector-private.h"

#include "measure-all-funcs.h"

#define TARGET_RATIO 1.3
#define ROUNDS       15
#define CALLS        (2 * 1000 * 1000)

typedef enum { PLAIN, MEASURE, ALL, ALL_MANY, FILTERED, N_VARIANTS } Variant;

static const char *names[N_VARIANTS] = { "plain", "measure", "all", "all-many", "filtered" };

static G_GNUC_NO_INLINE void
plain_empty (void)
{
  __asm__ volatile ("" ::: "memory");
}

static G_GNUC_NO_INLINE void
measured_empty (void)
{
  HOTPATH_MEASURE ();
  __asm__ volatile ("" ::: "memory");
}

static double
thread_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double
run (Variant variant)
{
  double start = thread_ns ();

  switch (variant)
    {
    case PLAIN:
      for (guint i = 0; i < CALLS; i++)
        plain_empty ();
      break;
    case MEASURE:
      for (guint i = 0; i < CALLS; i++)
        measured_empty ();
      break;
    case ALL:
      for (guint i = 0; i < CALLS; i++)
        ma_bench_empty ();
      break;
    case ALL_MANY:
      for (guint i = 0; i < CALLS; i++)
        ma_bench_many[i % MA_BENCH_N_MANY] ();
      break;
    case FILTERED:
      for (guint i = 0; i < CALLS; i++)
        ma_bench_filtered ();
      break;
    case N_VARIANTS:
    default:
      g_assert_not_reached ();
    }

  return (thread_ns () - start) / CALLS;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  double samples[N_VARIANTS][ROUNDS];
  double median[N_VARIANTS];
  g_autofree char *clocksource = NULL;
  g_autofree char *loadavg = NULL;
  double measure_cost, all_cost, ratio;

  /* Read when the first hook runs: every call is measured, but one. */
  g_setenv ("HOTPATH_TIME_FILTER", "0", TRUE);
  g_setenv ("HOTPATH_NOTRACE", "*ma_bench_filtered", TRUE);
  g_unsetenv ("HOTPATH_FILTER");
  g_unsetenv ("HOTPATH_DEPTH");
  g_unsetenv ("HOTPATH_MIN_SIZE");

  if (!hotpath_collector_start (0))
    {
      g_printerr ("measure-all: cannot start a session\n");
      return 1;
    }

  for (guint r = 0; r < ROUNDS; r++)
    for (guint v = 0; v < N_VARIANTS; v++)
      samples[v][r] = run (v);

  hotpath_collector_stop ();

  for (guint v = 0; v < N_VARIANTS; v++)
    {
      qsort (samples[v], ROUNDS, sizeof (double), compare_doubles);
      median[v] = samples[v][ROUNDS / 2];
    }

  g_file_get_contents ("/sys/devices/system/clocksource/clocksource0/current_clocksource",
                       &clocksource, NULL, NULL);
  g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);
  printf ("== measure-all hook cost: %d rounds of %d calls, thread CPU time, medians\n",
          ROUNDS, CALLS);
  printf ("   machine: %u CPUs, clocksource %s, load %s", g_get_num_processors (),
          clocksource != NULL ? g_strstrip (clocksource) : "?",
          loadavg != NULL ? loadavg : "?\n");
  printf ("   %-10s %10s %10s\n", "variant", "ns/call", "cost ns");
  for (guint v = 0; v < N_VARIANTS; v++)
    printf ("   %-10s %10.2f %10.2f\n", names[v], median[v], median[v] - median[PLAIN]);

  measure_cost = median[MEASURE] - median[PLAIN];
  all_cost = median[ALL] - median[PLAIN];
  ratio = all_cost / measure_cost;
  printf ("   measure-all / HOTPATH_MEASURE: %.2fx (64 functions in turn: %.2fx; a filtered call: %.2fx)\n",
          ratio, (median[ALL_MANY] - median[PLAIN]) / measure_cost,
          (median[FILTERED] - median[PLAIN]) / measure_cost);

  if (ratio > TARGET_RATIO)
    {
      printf ("   verdict: MISSED, target <= %.1fx\n", TARGET_RATIO);
      return 1;
    }

  printf ("   verdict: met, target <= %.1fx\n", TARGET_RATIO);
  return 0;
}
