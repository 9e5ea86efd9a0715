/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-sections-off.c: gauges, debug values, locks and streams built
 * WITHOUT HOTPATH_ENABLED and without the library: the macros are nothing
 * or the plain expression, the calls are GLib's.
 */

#include <gio/gio.h>

#include "hotpath.h"

#ifdef HOTPATH_ENABLED
# error "this test must be built without HOTPATH_ENABLED"
#endif

static int evaluated;

static int
side_effect (void)
{
  return ++evaluated;
}

static void
test_off (void)
{
  void (*lock) (GMutex *) = hotpath_mutex_lock;
  void (*unlock) (GMutex *) = hotpath_mutex_unlock;
  void (*reader_lock) (GRWLock *) = hotpath_rw_lock_reader_lock;
  static GMutex mutex;
  static GRecMutex rec_mutex;
  static GRWLock rw_lock;
  GInputStream *base = g_memory_input_stream_new ();
  GOutputStream *out_base = g_memory_output_stream_new_resizable ();
  GInputStream *in;
  GOutputStream *out;
  int x = 21;

  /* Off, the value is not evaluated; HOTPATH_DBG is its expression. */
  HOTPATH_GAUGE_SET ("depth", side_effect ());
  HOTPATH_GAUGE_ADD ("depth", side_effect ());
  HOTPATH_VAL ("state", side_effect ());
  g_assert_cmpint (evaluated, ==, 0);
  g_assert_cmpint (HOTPATH_DBG (x * 2), ==, 42);
  g_assert_cmpint (HOTPATH_DBG (side_effect ()), ==, 1);

  /* The lock calls are GLib's functions. */
  g_assert_true (lock == g_mutex_lock);
  g_assert_true (unlock == g_mutex_unlock);
  g_assert_true (reader_lock == g_rw_lock_reader_lock);
  HOTPATH_MUTEX (&mutex, .label = "m");
  HOTPATH_REC_MUTEX (&rec_mutex, .label = "r");
  HOTPATH_RW_LOCK (&rw_lock, .label = "rw");
  hotpath_mutex_lock (&mutex);
  g_assert_false (hotpath_mutex_trylock (&mutex));
  hotpath_mutex_unlock (&mutex);
  hotpath_rec_mutex_lock (&rec_mutex);
  g_assert_true (hotpath_rec_mutex_trylock (&rec_mutex));
  hotpath_rec_mutex_unlock (&rec_mutex);
  hotpath_rec_mutex_unlock (&rec_mutex);
  hotpath_rw_lock_writer_lock (&rw_lock);
  g_assert_false (hotpath_rw_lock_reader_trylock (&rw_lock));
  hotpath_rw_lock_writer_unlock (&rw_lock);

  /* A stream is its base, with a reference for the caller. */
  in = HOTPATH_INPUT_STREAM (base, .label = "in", .log = TRUE);
  out = HOTPATH_OUTPUT_STREAM (out_base, .label = "out");
  g_assert_true (in == base);
  g_assert_true (out == out_base);
  g_object_unref (in);
  g_object_unref (out);
  g_object_unref (base);
  g_object_unref (out_base);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Hotpath/Sections/off", test_off);

  return g_test_run ();
}
