/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A program as a user writes it: no profiling code beyond one measured
 * block. Built with the measure-all flags it profiles every function;
 * built with -DWITH_MAIN, HOTPATH_MAIN() takes over the configuration.
 */

#include <stdio.h>

#include <glib.h>
#include <hotpath-glib/hotpath.h>

/* fib (n) makes 2 * F(n + 1) - 1 calls: fib (15) makes 1973. */
static guint
fib (guint n)
{
  return n < 2 ? n : fib (n - 1) + fib (n - 2);
}

static guint
work (void)
{
  HOTPATH_MEASURE_AS ("work");

  return fib (15);
}

int
main (void)
{
#ifdef WITH_MAIN
  HOTPATH_MAIN (.name = "with-main");
#endif

  printf ("%u\n", work ());
  return 0;
}
