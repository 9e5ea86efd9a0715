/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-gauges.c: HOTPATH_GAUGE_SET() and HOTPATH_GAUGE_ADD(), read back
 * through the "gauges" section's row description.
 */

#include "config.h"

#include <string.h>

#include "hotpath.h"
#include "hotpath-test-rows.h"

static HotpathGuard *
start_session (void)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("test-gauges");

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  return hotpath_guard_builder_build (builder, NULL);
}

static const HotpathRowsDesc *
gauge_rows (void)
{
  return test_section ("gauges")->rows;
}

static void
test_set_add (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  const HotpathRowsDesc *logs_desc;
  gconstpointer row, logs, newest, oldest;

  HOTPATH_GAUGE_SET ("depth", 5);
  HOTPATH_GAUGE_ADD ("depth", -1);
  HOTPATH_GAUGE_ADD ("depth", 3);

  snapshot = hotpath_guard_snapshot (guard);
  row = test_find_row (snapshot, "gauges", "name", "depth");
  g_assert_nonnull (row);
  g_assert_cmpfloat (test_number (gauge_rows (), row, "value"), ==, 7);
  g_assert_cmpfloat (test_number (gauge_rows (), row, "min"), ==, 4);
  g_assert_cmpfloat (test_number (gauge_rows (), row, "max"), ==, 7);
  g_assert_cmpuint (test_uint (gauge_rows (), row, "updates"), ==, 3);
  g_assert_cmpstr (test_text (gauge_rows (), row, "file"), ==, "test-gauges.c");

  /* The log, newest first: what each update did and the value after it. */
  logs_desc = test_nested (gauge_rows (), row, "logs", &logs);
  g_assert_cmpuint (logs_desc->count (logs), ==, 3);
  newest = logs_desc->nth (logs, 0);
  oldest = logs_desc->nth (logs, 2);
  g_assert_cmpstr (test_text (logs_desc, newest, "op"), ==, "add");
  g_assert_cmpfloat (test_number (logs_desc, newest, "argument"), ==, 3);
  g_assert_cmpfloat (test_number (logs_desc, newest, "value"), ==, 7);
  g_assert_cmpstr (test_text (logs_desc, oldest, "op"), ==, "set");
  g_assert_cmpfloat (test_number (logs_desc, oldest, "value"), ==, 5);
  g_assert_cmpuint (test_uint (logs_desc, oldest, "index"), ==, 0);
  g_assert_cmpuint (test_uint (logs_desc, newest, "thread_id"), >, 0);
  g_assert_cmpuint (test_uint (logs_desc, newest, "at_ns"), >=,
                    test_uint (logs_desc, oldest, "at_ns"));

  test_assert_outputs (snapshot, "gauges");
  hotpath_guard_finish (guard, NULL);
}

static void
test_double (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  HotpathValue value;
  gconstpointer row;

  /* An integer gauge turns floating-point at its first such update. */
  HOTPATH_GAUGE_SET ("load", 1);
  HOTPATH_GAUGE_ADD ("load", 0.25);
  HOTPATH_GAUGE_SET ("ratio", 0.5f);

  snapshot = hotpath_guard_snapshot (guard);
  row = test_find_row (snapshot, "gauges", "name", "load");
  test_value (gauge_rows (), row, "value", &value);
  g_assert_cmpint (value.type, ==, HOTPATH_VALUE_DOUBLE);
  g_assert_cmpfloat (value.d, ==, 1.25);
  g_assert_cmpfloat (test_number (gauge_rows (), row, "min"), ==, 1);

  row = test_find_row (snapshot, "gauges", "name", "ratio");
  g_assert_cmpfloat (test_number (gauge_rows (), row, "value"), ==, 0.5);

  /* Integers stay exact integers. */
  row = NULL;
  HOTPATH_GAUGE_SET ("big", G_GINT64_CONSTANT (9007199254740993));
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);
  snapshot = hotpath_guard_snapshot (guard);
  row = test_find_row (snapshot, "gauges", "name", "big");
  test_value (gauge_rows (), row, "value", &value);
  g_assert_cmpint (value.type, ==, HOTPATH_VALUE_INT);
  g_assert_cmpint (value.i, ==, G_GINT64_CONSTANT (9007199254740993));

  test_assert_outputs (snapshot, "gauges");
  hotpath_guard_finish (guard, NULL);
}

#define N_THREADS 2
#define N_ADDS    1000

static gpointer
add_thread (gpointer data)
{
  for (guint i = 0; i < N_ADDS; i++)
    {
      HOTPATH_GAUGE_ADD ("in-flight", 1);
      HOTPATH_GAUGE_ADD ("in-flight", -1);
      HOTPATH_GAUGE_ADD ("done", 1);
    }
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  GThread *threads[N_THREADS];
  gconstpointer row;

  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("adder", add_thread, NULL);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  /* Adds from any number of threads sum exactly. */
  snapshot = hotpath_guard_snapshot (guard);
  row = test_find_row (snapshot, "gauges", "name", "done");
  g_assert_cmpfloat (test_number (gauge_rows (), row, "value"), ==, N_THREADS * N_ADDS);
  g_assert_cmpuint (test_uint (gauge_rows (), row, "updates"), ==, N_THREADS * N_ADDS);
  row = test_find_row (snapshot, "gauges", "name", "in-flight");
  g_assert_cmpfloat (test_number (gauge_rows (), row, "value"), ==, 0);
  g_assert_cmpuint (test_uint (gauge_rows (), row, "updates"), ==, 2 * N_THREADS * N_ADDS);
  /* Applied in time order: each thread's +1 comes before its -1. */
  g_assert_cmpfloat (test_number (gauge_rows (), row, "min"), ==, 0);
  g_assert_cmpfloat (test_number (gauge_rows (), row, "max"), >=, 1);
  g_assert_cmpfloat (test_number (gauge_rows (), row, "max"), <=, N_THREADS);

  test_assert_outputs (snapshot, "gauges");
  hotpath_guard_finish (guard, NULL);
}

static void
test_names (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  const HotpathSectionDesc *section = test_section ("gauges");
  guint before, after;
  gconstpointer row;

  /* Two call sites, one name: one row. A name built at run time works
   * too, even from a buffer that is reused for another name. */
  HOTPATH_GAUGE_SET ("shared", 1);
  HOTPATH_GAUGE_ADD ("shared", 1);
  for (guint i = 0; i < 3; i++)
    {
      char name[32];

      g_snprintf (name, sizeof name, "worker-%u", i);
      HOTPATH_GAUGE_SET (name, i * 10);
    }

  snapshot = hotpath_guard_snapshot (guard);
  row = test_find_row (snapshot, "gauges", "name", "shared");
  g_assert_cmpfloat (test_number (gauge_rows (), row, "value"), ==, 2);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("worker-%u", i);

      row = test_find_row (snapshot, "gauges", "name", name);
      g_assert_nonnull (row);
      g_assert_cmpfloat (test_number (gauge_rows (), row, "value"), ==, i * 10);
      g_assert_cmpuint (test_uint (gauge_rows (), row, "updates"), ==, 1);
    }

  /* Ids are stable across snapshots. */
  before = test_uint (gauge_rows (), test_find_row (snapshot, "gauges", "name", "shared"), "id");
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);
  snapshot = hotpath_guard_snapshot (guard);
  after = test_uint (gauge_rows (), test_find_row (snapshot, "gauges", "name", "shared"), "id");
  g_assert_cmpuint (before, ==, after);
  g_assert_nonnull (hotpath_section_find_row (section, snapshot, after));

  test_assert_outputs (snapshot, "gauges");
  hotpath_guard_finish (guard, NULL);
}

static void
test_sessions (void)
{
  g_autoptr(HotpathGuard) guard = NULL;
  g_autoptr(HotpathSnapshot) snapshot = NULL;

  /* Outside a session nothing is recorded; a new session starts from
   * nothing. */
  HOTPATH_GAUGE_SET ("between", 1);
  guard = start_session ();
  snapshot = hotpath_guard_snapshot (guard);
  g_assert_null (test_find_row (snapshot, "gauges", "name", "between"));
  g_assert_null (test_find_row (snapshot, "gauges", "name", "depth"));
  HOTPATH_GAUGE_ADD ("between", 2);
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);
  snapshot = hotpath_guard_snapshot (guard);
  g_assert_cmpfloat (test_number (gauge_rows (), test_find_row (snapshot, "gauges", "name", "between"),
                                  "value"), ==, 2);
  hotpath_guard_finish (guard, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/Gauges/set-add", test_set_add);
  g_test_add_func ("/Hotpath/Gauges/double", test_double);
  g_test_add_func ("/Hotpath/Gauges/threads", test_threads);
  g_test_add_func ("/Hotpath/Gauges/names", test_names);
  g_test_add_func ("/Hotpath/Gauges/sessions", test_sessions);

  return g_test_run ();
}
