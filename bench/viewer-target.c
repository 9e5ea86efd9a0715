/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * viewer-target: a profiled program with 1,000 measured functions, all
 * called all the time, for the viewer benchmark (bench/viewer.c). Its live
 * HTTP server prints its port on stderr (HOTPATH_METRICS_PORT=0). Runs
 * for the seconds given as argument (default 60).
 */

#define G_LOG_DOMAIN "viewer-target"

#include <stdlib.h>
#include <glib.h>
#include <hotpath-glib/hotpath.h>

#define N_FUNCTIONS 1000

static HotpathSite sites[N_FUNCTIONS];

int
main (int   argc,
      char *argv[])
{
  HOTPATH_MAIN (.name = "viewer-target", .percentiles = HOTPATH_PERCENTILES (50, 95, 99),
                .format = HOTPATH_FORMAT_NONE);
  gint64 seconds = argc > 1 ? atoi (argv[1]) : 60;
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  volatile guint64 sink = 0;

  for (guint i = 0; i < N_FUNCTIONS; i++)
    sites[i] = (HotpathSite) { G_LOG_DOMAIN, "function", g_strdup_printf ("viewer-target::function_%04u", i),
                               __FILE__, i + 1, 0 };

  while (g_get_monotonic_time () < end)
    {
      for (guint i = 0; i < N_FUNCTIONS; i++)
        {
          G_GNUC_UNUSED __attribute__((cleanup (hotpath_scope_cleanup)))
          HotpathScope scope = hotpath_scope_begin (&sites[i]);

          for (guint j = 0; j < (i % 50) * 10; j++)
            sink += j;
        }
      g_usleep (5000);
    }

  return 0;
}
