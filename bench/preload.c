/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/preload: what `hotpath run` adds to an unmodified program, per
 * main-loop iteration that dispatches a source and per signal emission to
 * one handler, against what the same source and handler cost when the
 * program is built with hotpath-glib and watches them itself. The target:
 * the preloaded library adds no more than a watched source or handler does
 * (within 10% and 15 ns of noise). Each mode runs in its own process,
 * alternating, several rounds; the best of each counts, and within a run
 * the fastest tenth of chunks of 1,000 (bench/preload-subject.c).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#define ROUNDS 5

typedef struct
{
  double dispatch_ns;
  double emit_ns;
} Result;

static gboolean
run_subject (const char *program,
             const char *preload,
             guint       n,
             Result     *result)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *count = g_strdup_printf ("%u", n);

  /* No report: only the figures. */
  g_subprocess_launcher_setenv (launcher, "HOTPATH_OUTPUT_FORMAT", "none", TRUE);
  if (preload != NULL)
    g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", preload, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "LD_PRELOAD");
  process = g_subprocess_launcher_spawn (launcher, &error, program, count, count, NULL);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error) ||
      !g_subprocess_get_successful (process) ||
      sscanf (out, "dispatch_ns=%lf emit_ns=%lf", &result->dispatch_ns, &result->emit_ns) != 2)
    {
      fprintf (stderr, "bench/preload: %s failed: %s\n", program, error ? error->message : out);
      return FALSE;
    }

  return TRUE;
}

static char *
read_line (const char *path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("?");

  return g_strdup (g_strstrip (text));
}

int
main (int   argc,
      char *argv[])
{
  Result best[3] = { { G_MAXDOUBLE, G_MAXDOUBLE }, { G_MAXDOUBLE, G_MAXDOUBLE }, { G_MAXDOUBLE, G_MAXDOUBLE } };
  const char *names[3] = { "plain", "preloaded", "watched (linked)" };
  g_autofree char *clocksource = read_line ("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  g_autofree char *load = read_line ("/proc/loadavg");
  guint n = g_getenv ("HOTPATH_BENCH_QUICK") != NULL ? 50000 : 300000;
  double preload_dispatch, watched_dispatch, preload_emit, watched_emit;
  gboolean ok = TRUE;

  for (guint round = 0; round < ROUNDS; round++)
    for (guint mode = 0; mode < 3; mode++)
      {
        Result result;

        if (!run_subject (mode == 2 ? HOTPATH_BENCH_SUBJECT_WATCHED : HOTPATH_BENCH_SUBJECT,
                          mode == 1 ? HOTPATH_BENCH_PRELOAD : NULL, n, &result))
          return EXIT_FAILURE;
        best[mode].dispatch_ns = MIN (best[mode].dispatch_ns, result.dispatch_ns);
        best[mode].emit_ns = MIN (best[mode].emit_ns, result.emit_ns);
      }

  printf ("bench/preload: best of %d rounds of %u, kernel clocksource %s, load %s\n",
          ROUNDS, n, clocksource, load);
  printf ("  %-18s %14s %14s\n", "", "iteration+dispatch", "signal emit");
  for (guint mode = 0; mode < 3; mode++)
    printf ("  %-18s %11.1f ns %11.1f ns\n", names[mode], best[mode].dispatch_ns, best[mode].emit_ns);

  preload_dispatch = best[1].dispatch_ns - best[0].dispatch_ns;
  watched_dispatch = best[2].dispatch_ns - best[0].dispatch_ns;
  preload_emit = best[1].emit_ns - best[0].emit_ns;
  watched_emit = best[2].emit_ns - best[0].emit_ns;
  printf ("  added per dispatch: preloaded %+.1f ns, watched %+.1f ns (ratio %.2f)\n",
          preload_dispatch, watched_dispatch, best[1].dispatch_ns / best[2].dispatch_ns);
  printf ("  added per emission: preloaded %+.1f ns, watched %+.1f ns (ratio %.2f)\n",
          preload_emit, watched_emit, best[1].emit_ns / best[2].emit_ns);

  if (preload_dispatch > watched_dispatch * 1.10 + 15)
    {
      printf ("  OVER TARGET: the preload adds more per dispatch than a watched source\n");
      ok = FALSE;
    }
  if (preload_emit > watched_emit * 1.10 + 15)
    {
      printf ("  OVER TARGET: the preload adds more per emission than a watched handler\n");
      ok = FALSE;
    }
  if (ok)
    printf ("  target met: no more than a watched source or handler (within 10%% + 15 ns)\n");

  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
