/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * live: a program to look at while it runs. It parses, renders and saves
 * in a loop for a minute (or the number of seconds given as argument);
 * meanwhile its profiling data is live on HTTP (127.0.0.1:6770), /metrics,
 * D-Bus and MCP (127.0.0.1:6771/mcp). See docs/live.md.
 *
 *   build/examples/live 300 &
 *   curl -s http://127.0.0.1:6770/functions_timing
 */

#define G_LOG_DOMAIN "live"

#include <stdlib.h>
#include <glib.h>
#include <hotpath-glib/hotpath.h>

static guint64
parse (guint n)
{
  HOTPATH_MEASURE ();
  guint64 sum = 0;

  for (guint i = 0; i < n; i++)
    sum += (guint64) i * i;

  return sum;
}

static void
render (void)
{
  HOTPATH_MEASURE ();

  g_usleep (200 + g_random_int_range (0, 300));
}

static void
save (void)
{
  HOTPATH_MEASURE ();

  g_usleep (2000);
}

int
main (int   argc,
      char *argv[])
{
  HOTPATH_MAIN (.percentiles = HOTPATH_PERCENTILES (50, 95, 99));
  gint64 seconds = argc > 1 ? atoi (argv[1]) : 60;
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  volatile guint64 sink = 0;

  for (guint round = 0; g_get_monotonic_time () < end; round++)
    {
      sink += parse (1000 + round % 1000);
      render ();
      if (round % 50 == 0)
        save ();
    }

  return 0;
}
