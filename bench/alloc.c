/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * alloc.c: what allocation tracking costs, in one run.
 *
 * The benchmark runs itself as child processes, so that the same binary is
 * measured with and without libhotpath-glib-alloc-1 (LD_PRELOAD):
 *
 * - in-scope: what users have: malloc (64) + free pairs inside a measured
 *   scope while a session runs, without the library (untracked) and with
 *   it (tracked: every pair also updates the scope's peaks); target: at
 *   most 1.3x.
 * - malloc: the same pair outside any scope, without the library and with
 *   it; target: at most 1.3x.
 * - scope: an empty measured function minus an empty unmeasured one, with
 *   the library loaded, timing only (HOTPATH_ALLOC=0) and with allocation
 *   tracking; target: at most 2x.
 *
 * Each figure is the best of many chunks of 100,000 iterations (ns per
 * iteration), the usual way to take scheduling noise out of a
 * micro-benchmark on a shared machine; the configurations
 * are interleaved, so a slow moment of the machine hits them alike. Exits
 * non-zero when a target is missed.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "hotpath-glib/hotpath.h"

#include "bench-common.h"


static gpointer volatile sink;

static inline guint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (guint64) ts.tv_sec * G_GUINT64_CONSTANT (1000000000) + (guint64) ts.tv_nsec;
}

/* Every figure is the best chunk of CHUNK iterations (about a millisecond):
 * on a shared machine a chunk that kept its CPU throughout is the one that
 * shows the code's cost. */
#define CHUNK 100000

static double
bench_malloc (guint64 n)
{
  double best = G_MAXDOUBLE;

  for (guint64 done = 0; done < n; done += CHUNK)
    {
      guint64 start = now_ns ();

      for (guint64 i = 0; i < CHUNK; i++)
        {
          gpointer block = malloc (64);
          /* Keeps the compiler from removing the pair. */
          sink = block;
          free (block);
        }
      best = MIN (best, (double) (now_ns () - start) / (double) CHUNK);
    }

  return best;
}

static G_GNUC_NO_INLINE void
unmeasured_empty (void)
{
  __asm__ volatile ("" ::: "memory");
}

static G_GNUC_NO_INLINE void
measured_empty (void)
{
  HOTPATH_MEASURE_AS ("measured_empty");
  __asm__ volatile ("" ::: "memory");
}

static G_GNUC_NO_INLINE void
unmeasured_malloc (void)
{
  gpointer block = malloc (64);

  sink = block;
  free (block);
}

static G_GNUC_NO_INLINE void
measured_malloc (void)
{
  HOTPATH_MEASURE_AS ("measured_malloc");
  gpointer block = malloc (64);

  sink = block;
  free (block);
}

static void (* volatile unmeasured_ptr) (void) = unmeasured_empty;
static void (* volatile measured_ptr) (void) = measured_empty;
static void (* volatile unmeasured_malloc_ptr) (void) = unmeasured_malloc;
static void (* volatile measured_malloc_ptr) (void) = measured_malloc;

static double
bench_loop (void (*fn) (void),
            guint64 n)
{
  double best = G_MAXDOUBLE;

  for (guint64 done = 0; done < n; done += CHUNK)
    {
      guint64 start = now_ns ();

      for (guint64 i = 0; i < CHUNK; i++)
        fn ();
      best = MIN (best, (double) (now_ns () - start) / (double) CHUNK);
    }

  return best;
}

static double
bench_scope (guint64  n,
             gboolean allocating)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("bench-alloc");
  g_autoptr(HotpathGuard) guard = NULL;
  double measured, unmeasured;

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  guard = hotpath_guard_builder_build (builder, NULL);
  g_assert_nonnull (guard);

  unmeasured = bench_loop (allocating ? unmeasured_malloc_ptr : unmeasured_ptr, n);
  measured = bench_loop (allocating ? measured_malloc_ptr : measured_ptr, n);
  hotpath_guard_finish (guard, NULL);

  return measured - unmeasured;
}

/* malloc (64) + free pairs inside one measured call. */
static G_GNUC_NO_INLINE void
measured_pairs (guint64 n)
{
  HOTPATH_MEASURE_AS ("measured_pairs");

  for (guint64 i = 0; i < n; i++)
    {
      gpointer block = malloc (64);

      sink = block;
      free (block);
    }
}

static void (* volatile measured_pairs_ptr) (guint64 n) = measured_pairs;

static double
bench_in_scope (guint64 n)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("bench-alloc");
  g_autoptr(HotpathGuard) guard = NULL;
  double best = G_MAXDOUBLE;

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  guard = hotpath_guard_builder_build (builder, NULL);
  g_assert_nonnull (guard);

  /* Chunks of CHUNK pairs, each one measured call: the scope's own cost
   * is spread over them. */
  measured_pairs_ptr (CHUNK);
  for (guint64 done = 0; done < n; done += CHUNK)
    {
      guint64 start = now_ns ();

      measured_pairs_ptr (CHUNK);
      best = MIN (best, (double) (now_ns () - start) / (double) CHUNK);
    }
  hotpath_guard_finish (guard, NULL);

  return best;
}

static double
run_child_once (const char *what,
                gboolean    preload,
                const char *alloc_env)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *argv[] = { self, "--child", what, NULL };
  int status = 0;

  env = g_environ_unsetenv (env, "LD_PRELOAD");
  if (preload)
    env = g_environ_setenv (env, "LD_PRELOAD", HOTPATH_ALLOC_LIBRARY, TRUE);
  env = g_environ_setenv (env, "HOTPATH_ALLOC", alloc_env, TRUE);

  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                     &output, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s", what, error->message);

  return g_ascii_strtod (output, NULL);
}

typedef struct
{
  const char *what;
  gboolean    preload;
  const char *alloc_env;
  double      best;
} Config;

int
main (int   argc,
      char *argv[])
{
  Config configs[] = {
    { "in-scope", FALSE, "1", G_MAXDOUBLE },
    { "in-scope", TRUE, "1", G_MAXDOUBLE },
    { "malloc", FALSE, "1", G_MAXDOUBLE },
    { "malloc", TRUE, "1", G_MAXDOUBLE },
    { "scope", TRUE, "0", G_MAXDOUBLE },
    { "scope", TRUE, "1", G_MAXDOUBLE },
    { "scope-malloc", TRUE, "0", G_MAXDOUBLE },
    { "scope-malloc", TRUE, "1", G_MAXDOUBLE },
  };
  guint64 n = 5000000;
  guint repeats = 3;

  if (g_getenv ("HOTPATH_BENCH_QUICK") != NULL)
    {
      n = 1000000;
      repeats = 1;
    }

  if (argc == 3 && strcmp (argv[1], "--child") == 0)
    {
      double result;
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      /* Measured calls fill the rings 32 bytes a call; a quarter of the
       * iterations is plenty. */
      if (strcmp (argv[2], "malloc") == 0)
        result = bench_malloc (n);
      else if (strcmp (argv[2], "in-scope") == 0)
        result = bench_in_scope (n);
      else
        result = bench_scope (n / 4, strcmp (argv[2], "scope-malloc") == 0);
      printf ("%s\n", g_ascii_dtostr (buffer, sizeof buffer, result));
      return 0;
    }

  bench_print_machine ("bench/alloc");

  /* Interleaved, best of each: a slow moment of the machine hits every
   * configuration alike. */
  for (guint r = 0; r < repeats; r++)
    for (guint c = 0; c < G_N_ELEMENTS (configs); c++)
      configs[c].best = MIN (configs[c].best,
                             run_child_once (configs[c].what, configs[c].preload, configs[c].alloc_env));

  printf ("malloc(64)+free pair inside a measured scope, untracked: %6.2f ns\n", configs[0].best);
  printf ("malloc(64)+free pair inside a measured scope, tracked:   %6.2f ns  (%.2fx)\n",
          configs[1].best, configs[1].best / configs[0].best);
  printf ("malloc(64)+free pair, without libhotpath-glib-alloc-1:   %6.2f ns\n", configs[2].best);
  printf ("malloc(64)+free pair, with tracking:                     %6.2f ns  (%.2fx)\n",
          configs[3].best, configs[3].best / configs[2].best);
  printf ("measured empty call overhead, timing only:               %6.2f ns\n", configs[4].best);
  printf ("measured empty call overhead, allocation tracking:       %6.2f ns  (%.2fx)\n",
          configs[5].best, configs[5].best / configs[4].best);
  printf ("measured call doing malloc(64)+free, timing only:        %6.2f ns\n", configs[6].best);
  printf ("measured call doing malloc(64)+free, tracking:           %6.2f ns  (%.2fx, not a target)\n",
          configs[7].best, configs[7].best / configs[6].best);

  printf ("targets:\n");
  bench_verdict ("malloc+free inside a measured scope, tracked <= 1.3x untracked",
                 configs[1].best / configs[0].best <= 1.3);
  bench_verdict ("malloc+free outside scopes, tracked <= 1.3x untracked",
                 configs[3].best / configs[2].best <= 1.3);
  bench_verdict ("measured empty call overhead, tracking <= 2x timing only",
                 configs[5].best / configs[4].best <= 2.0);

  return bench_finish ("alloc");
}
