/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * measure-all: every function measured without a single HOTPATH_MEASURE.
 * The target is built with the flags the library exports
 * (`libhotpath_dep.get_variable('measure_all_cflags')` in meson, or
 * `pkg-config --variable=measure_all_cflags hotpath-glib-1`), i.e.
 * -finstrument-functions. Static functions are reported by their real
 * names too (`measure-all::fib`); `HOTPATH_SKIP` leaves skipped_helper()
 * out. main() is instrumented as well, but it was entered before profiling
 * started, so it is not in the report. The HOTPATH_* macros still work in
 * such a target: main() times a block.
 *
 *   build/examples/measure-all
 *   HOTPATH_OUTPUT_FORMAT=json-pretty HOTPATH_LIMIT=0 build/examples/measure-all
 */

#include <glib.h>
#include <hotpath-glib/hotpath.h>

/* Exported, so it needs a prototype. */
guint measure_all_count_words (const char *text);

static guint64
sum_of_squares (guint n)
{
  guint64 sum = 0;

  for (guint i = 0; i < n; i++)
    sum += (guint64) i * i;

  return sum;
}

guint
measure_all_count_words (const char *text)
{
  guint words = 0;
  gboolean in_word = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      gboolean space = g_ascii_isspace (*p);

      if (!space && !in_word)
        words++;
      in_word = !space;
    }

  return words;
}

/* fib (n) makes 2 * F(n + 1) - 1 calls: fib (15) makes 1973. */
static guint
fib (guint n)
{
  return n < 2 ? n : fib (n - 1) + fib (n - 2);
}

/* Called as often as the others, yet absent from the report. */
HOTPATH_SKIP
static guint
skipped_helper (guint x)
{
  return x * 2654435761u;
}

int
main (int   argc,
      char *argv[])
{
  HOTPATH_MAIN ();
  volatile guint64 sink = 0;

  for (guint i = 0; i < 100; i++)
    {
      sink += sum_of_squares (1000 + i);
      sink += skipped_helper (i);
      if (i % 2 == 0)
        sink += measure_all_count_words ("the quick brown fox jumps over the lazy dog");
    }

  /* The macros still work in such a target, for blocks say. */
  HOTPATH_MEASURE_BLOCK ("fibonacci")
    {
      sink += fib (15);
    }

  return sink == 42 ? 1 : 0;
}
