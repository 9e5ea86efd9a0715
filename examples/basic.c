/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * basic: the smallest profiled program. A quick function, a measured block
 * and a slow function, 100 calls each; the report prints when main returns.
 *
 *   build-aux/dev.sh demo
 *   HOTPATH_OUTPUT_FORMAT=json-pretty HOTPATH_PERCENTILES=50,95,99.9 build/examples/basic
 */

#define G_LOG_DOMAIN "basic"

#include <glib.h>
#include <hotpath-glib/hotpath.h>

static guint64
sync_function (guint n)
{
  HOTPATH_MEASURE ();
  guint64 sum = 0;

  for (guint i = 0; i < n; i++)
    sum += (guint64) i * i;

  return sum;
}

static void
slow_function (void)
{
  HOTPATH_MEASURE ();

  g_usleep (1000);
}

int
main (void)
{
  HOTPATH_MAIN (.percentiles = HOTPATH_PERCENTILES (50, 95, 99));
  volatile guint64 sink = 0;

  for (guint i = 0; i < 100; i++)
    {
      sink += sync_function (1000);

      HOTPATH_MEASURE_BLOCK ("custom_block")
        {
          g_autofree char *text = g_strdup_printf ("item %u", i);
          sink += g_str_hash (text);
        }

      slow_function ();
    }

  return sink == 42 ? 1 : 0;
}
