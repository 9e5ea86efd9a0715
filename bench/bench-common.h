/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-common.h: what every benchmark prints about the machine, pinning a
 * thread to a CPU, and the verdict line that decides the exit status.
 *
 * Every benchmark names the machine its figures come from (CPU, kernel
 * clocksource, load), because ratios that hold on one machine class
 * (bare metal, clocksource tsc) need not hold on another (a KVM guest,
 * kvm-clock), and prints one verdict per target; it exits non-zero when
 * any target is missed.
 */
#pragma once

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <glib.h>

#define BENCH_CLOCKSOURCE_PATH "/sys/devices/system/clocksource/clocksource0/"

static G_GNUC_UNUSED char *
bench_read_line (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("(unknown)");
  return g_strstrip (contents);
}

static G_GNUC_UNUSED double
bench_load_average (void)
{
  g_autofree char *loadavg = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    return -1;
  return g_ascii_strtod (loadavg, NULL);
}

/* One line: CPU model and count, kernel clocksource (and the available
 * ones), load average. */
static G_GNUC_UNUSED void
bench_print_machine (const char *bench)
{
  g_autofree char *cpuinfo = NULL;
  g_autofree char *model = NULL;
  g_autofree char *current = bench_read_line (BENCH_CLOCKSOURCE_PATH "current_clocksource");
  g_autofree char *available = bench_read_line (BENCH_CLOCKSOURCE_PATH "available_clocksource");
  double load = bench_load_average ();

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (cpuinfo, "\n", -1);

      for (guint i = 0; lines[i] != NULL && model == NULL; i++)
        if (g_str_has_prefix (lines[i], "model name") && strchr (lines[i], ':') != NULL)
          model = g_strdup (g_strstrip (strchr (lines[i], ':') + 1));
    }

  printf ("%s: machine: %s, %u CPUs, kernel clocksource %s (available: %s), load average %.2f%s\n",
          bench, model ? model : "(unknown CPU)", g_get_num_processors (), current, available,
          load, load > g_get_num_processors () * 0.5 ? " (busy: figures will be noisy)" : "");
  fflush (stdout);
}

/* The kernel thread id of this process's thread named @comm, or 0. */
static G_GNUC_UNUSED pid_t
bench_find_thread (const char *comm)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;

  if (dir == NULL)
    return 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/comm", name);
      g_autofree char *contents = NULL;

      if (g_file_get_contents (path, &contents, NULL, NULL) &&
          g_strcmp0 (g_strstrip (contents), comm) == 0)
        return (pid_t) atoi (name);
    }

  return 0;
}

static G_GNUC_UNUSED pid_t
bench_gettid (void)
{
  return (pid_t) syscall (SYS_gettid);
}

/* Pins thread @tid (0: the caller) to @cpu; -1 lets it run anywhere. */
static G_GNUC_UNUSED gboolean
bench_pin (pid_t tid,
           int   cpu)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  if (cpu < 0)
    for (guint i = 0; i < g_get_num_processors () && i < CPU_SETSIZE; i++)
      CPU_SET (i, &set);
  else
    CPU_SET (cpu, &set);

  return sched_setaffinity (tid, sizeof set, &set) == 0;
}

static int bench_misses;

/* One target: prints "ok" or "MISSED" and counts misses for the exit status. */
static G_GNUC_UNUSED void
bench_verdict (const char *what,
               gboolean    ok)
{
  printf ("  %-66s %s\n", what, ok ? "ok" : "MISSED");
  if (!ok)
    bench_misses++;
  fflush (stdout);
}

/* The last line and the exit status. */
static G_GNUC_UNUSED int
bench_finish (const char *bench)
{
  printf ("\n%s: %s\n", bench, bench_misses == 0 ? "PASS" : "FAIL");
  return bench_misses == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
