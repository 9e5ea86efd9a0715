/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * metrics.c: /metrics for 1,000 measured functions: its size and how many
 * scrapes a second one client gets over loopback HTTP.
 *
 * Targets (issue 13): the default body (summaries) at most 400 KiB, at
 * least 500 scrapes/s, and `promtool check metrics` clean on the default
 * and the ?histograms=1 bodies (when promtool is installed). Exits 1 when
 * a target is missed.
 *
 *   meson test -C build --benchmark --verbose metrics
 *   build/bench/metrics --seconds 5
 */

#define G_LOG_DOMAIN "bench"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libsoup/soup.h>
#include <hotpath-glib/hotpath.h>

#include "hotpath-collector-private.h"
#include "hotpath-guard-private.h"
#include "hotpath-server-private.h"

#define N_FUNCTIONS     1000
#define TARGET_BYTES    (400 * 1024)
#define TARGET_SCRAPES  500.0

static HotpathSite sites[N_FUNCTIONS];

static char *
read_line (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("unknown");
  return g_strchomp (text);
}

/* CPU seconds the server thread ("hotpath-server") has used, or -1. */
static double
server_cpu_seconds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_strdup_printf ("/proc/self/task/%s/comm", name);
      g_autofree char *stat_path = g_strdup_printf ("/proc/self/task/%s/stat", name);
      g_autofree char *comm = NULL;
      g_autofree char *stat = NULL;
      g_auto(GStrv) fields = NULL;
      const char *after;

      if (!g_file_get_contents (comm_path, &comm, NULL, NULL) || !g_str_has_prefix (comm, "hotpath-server"))
        continue;
      if (!g_file_get_contents (stat_path, &stat, NULL, NULL) || (after = strrchr (stat, ')')) == NULL)
        return -1;
      /* After "pid (comm) ": state is field 3, utime 14, stime 15. */
      fields = g_strsplit (after + 2, " ", -1);
      if (g_strv_length (fields) < 13)
        return -1;
      return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / sysconf (_SC_CLK_TCK);
    }

  return -1;
}

static GBytes *
scrape (SoupSession *session,
        const char  *uri)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  GBytes *body = soup_session_send_and_read (session, msg, NULL, NULL);

  if (soup_message_get_status (msg) != 200)
    g_clear_pointer (&body, g_bytes_unref);
  return body;
}

/* TRUE when promtool is absent (nothing to check) or finds no problem. */
static gboolean
promtool_clean (GBytes     *body,
                const char *what)
{
  g_autofree char *promtool = g_find_program_in_path ("promtool");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (promtool == NULL)
    {
      printf ("  promtool: not installed, %s not checked\n", what);
      return TRUE;
    }

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              promtool, "check", "metrics", NULL);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, g_bytes_get_data (body, NULL), NULL, &out, &err, &error))
    {
      printf ("  promtool: %s\n", error->message);
      return FALSE;
    }

  if (!g_subprocess_get_successful (process) || (err != NULL && *err != '\0') || (out != NULL && *out != '\0'))
    {
      printf ("  promtool check metrics (%s): %s%s\n", what, out ? out : "", err ? err : "");
      return FALSE;
    }

  printf ("  promtool check metrics (%s): clean\n", what);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HotpathGuardBuilder) builder = NULL;
  g_autoptr(HotpathGuard) guard = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) histograms = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *uri_histograms = NULL;
  g_autofree char *clocksource = read_line ("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  g_autofree char *loadavg = read_line ("/proc/loadavg");
  int seconds = 3;
  guint64 scrapes = 0, bytes = 0;
  gint64 start, end;
  double rate;
  double render_cpu_ms = 0;
  double cpu_before, cpu, cpu_rate;
  gboolean ok = TRUE;
  guint16 port;

  for (int i = 1; i + 1 < argc; i += 2)
    if (g_str_equal (argv[i], "--seconds"))
      seconds = MAX (1, atoi (argv[i + 1]));

  /* Only the HTTP server, on a free port. */
  g_setenv ("HOTPATH_METRICS_SERVER_OFF", "0", TRUE);
  g_setenv ("HOTPATH_METRICS_PORT", "0", TRUE);
  g_setenv ("HOTPATH_MCP_SERVER_OFF", "1", TRUE);
  g_setenv ("HOTPATH_DBUS_OFF", "1", TRUE);
  g_unsetenv ("HOTPATH_METRICS_HISTOGRAMS");

  builder = hotpath_guard_builder_new ("bench-metrics");
  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  guard = hotpath_guard_builder_build (builder, NULL);
  g_assert_nonnull (guard);
  port = hotpath_server_get_http_port (hotpath_guard_get_server (guard));
  g_assert_cmpuint (port, >, 0);

  /* 1,000 functions, each called a few times through the real path. */
  for (guint i = 0; i < N_FUNCTIONS; i++)
    {
      sites[i] = (HotpathSite) { "bench", "function", g_strdup_printf ("bench::function_%04u", i),
                                 __FILE__, i + 1, 0 };
      for (guint j = 0; j < 10 + i % 7; j++)
        {
          G_GNUC_UNUSED __attribute__((cleanup (hotpath_scope_cleanup)))
          HotpathScope scope = hotpath_scope_begin (&sites[i]);
        }
    }

  /* The render alone, on this thread's CPU time: what a scrape costs the
   * server thread before HTTP (independent of the machine's load). */
  {
    g_autoptr(GArray) ranks = g_array_new (FALSE, FALSE, sizeof (double));
    double p[] = { 50, 95, 99 };
    struct timespec t0, t1;
    guint n = 0;

    g_array_append_vals (ranks, p, G_N_ELEMENTS (p));
    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t0);
    do
      {
        g_autoptr(HotpathSnapshot) snapshot = hotpath_collector_snapshot ("bench", ranks, 0);
        g_autofree char *text = hotpath_metrics_render (snapshot, FALSE, FALSE);

        n++;
        clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t1);
      }
    while ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9 < 1.0);
    render_cpu_ms = ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6) / n;
  }

  session = soup_session_new ();
  uri = g_strdup_printf ("http://127.0.0.1:%u/metrics", port);
  uri_histograms = g_strdup_printf ("http://127.0.0.1:%u/metrics?histograms=1", port);
  body = scrape (session, uri);
  histograms = scrape (session, uri_histograms);
  g_assert_nonnull (body);
  g_assert_nonnull (histograms);

  printf ("metrics: %d functions; clocksource %s; load %s; %ld CPUs\n",
          N_FUNCTIONS, clocksource, loadavg, sysconf (_SC_NPROCESSORS_ONLN));
  printf ("  default body (summaries): %" G_GSIZE_FORMAT " bytes (%.1f KiB, %.0f B a function; target <= %d KiB)\n",
          g_bytes_get_size (body), g_bytes_get_size (body) / 1024.0,
          (double) g_bytes_get_size (body) / N_FUNCTIONS, TARGET_BYTES / 1024);
  printf ("  ?histograms=1 body: %" G_GSIZE_FORMAT " bytes (%.1f KiB)\n",
          g_bytes_get_size (histograms), g_bytes_get_size (histograms) / 1024.0);
  if (g_bytes_get_size (body) > TARGET_BYTES)
    ok = FALSE;

  printf ("  snapshot + render: %.2f ms of CPU each (%.0f a second on one CPU)\n",
          render_cpu_ms, 1000.0 / render_cpu_ms);

  ok &= promtool_clean (body, "summaries");
  ok &= promtool_clean (histograms, "histograms");

  /* One client, one keep-alive connection, back to back: what a scraper
   * (or many, one after the other) gets. */
  cpu_before = server_cpu_seconds ();
  start = g_get_monotonic_time ();
  end = start + (gint64) seconds * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GBytes) one = scrape (session, uri);

      if (one == NULL)
        {
          printf ("  a scrape failed\n");
          ok = FALSE;
          break;
        }
      bytes += g_bytes_get_size (one);
      scrapes++;
    }
  rate = scrapes / ((g_get_monotonic_time () - start) / 1e6);
  cpu = server_cpu_seconds () - cpu_before;
  printf ("  %" G_GUINT64_FORMAT " scrapes in %d s: %.0f scrapes/s wall, %.1f MiB/s\n",
          scrapes, seconds, rate, bytes / 1048576.0 / seconds);
  /* Wall time on a shared machine says how busy it is; the server
   * thread's CPU time says what a scrape costs the profiled process. */
  if (cpu_before >= 0 && cpu > 0)
    {
      cpu_rate = scrapes / cpu;
      printf ("  server thread: %.2f CPU s for them, %.0f scrapes per CPU second (target >= %.0f)\n",
              cpu, cpu_rate, TARGET_SCRAPES);
    }
  else
    cpu_rate = rate;
  if (MAX (rate, cpu_rate) < TARGET_SCRAPES)
    ok = FALSE;

  printf ("%s\n", ok ? "all targets met" : "TARGETS MISSED");

  hotpath_guard_finish (guard, NULL);
  for (guint i = 0; i < N_FUNCTIONS; i++)
    g_free ((char *) sites[i].label);

  return ok ? 0 : 1;
}
