/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-debug.c: HOTPATH_DBG() and HOTPATH_VAL(), read back through the
 * "debug" section's row description.
 */

#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "hotpath.h"
#include "hotpath-test-rows.h"

static HotpathGuard *
start_session (void)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("test-debug");

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  return hotpath_guard_builder_build (builder, NULL);
}

static const HotpathRowsDesc *
debug_rows (void)
{
  return test_section ("debug")->rows;
}

static gconstpointer
find_value (HotpathSnapshot *snapshot,
            const char      *name)
{
  gconstpointer row = test_find_row (snapshot, "debug", "name", name);

  if (row == NULL)
    g_error ("no debug row %s", name);
  return row;
}

static void
assert_value (HotpathSnapshot *snapshot,
              const char      *name,
              const char      *type,
              const char      *value)
{
  gconstpointer row = find_value (snapshot, name);

  g_assert_cmpstr (test_text (debug_rows (), row, "type"), ==, type);
  g_assert_cmpstr (test_text (debug_rows (), row, "value"), ==, value);
}

typedef struct
{
  int a, b, c;
} Triple;

static void
test_dbg (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autofree char *location = NULL;
  int x = 21;
  int y;
  int calls = 0;
  guint line;
  gconstpointer row;

  /* The value and its type come back; the expression runs once. */
  line = __LINE__ + 1;
  y = HOTPATH_DBG (x * 2);
  g_assert_cmpint (y, ==, 42);
  g_assert_cmpint (HOTPATH_DBG (++calls), ==, 1);
  g_assert_cmpint (calls, ==, 1);
  g_assert_cmpfloat (HOTPATH_DBG (x / 2.0), ==, 10.5);

  snapshot = hotpath_guard_snapshot (guard);
  row = find_value (snapshot, "x * 2");
  location = g_strdup_printf ("test-debug.c:%u", line);
  g_assert_cmpstr (test_text (debug_rows (), row, "kind"), ==, "dbg");
  g_assert_cmpstr (test_text (debug_rows (), row, "location"), ==, location);
  g_assert_cmpuint (test_uint (debug_rows (), row, "count"), ==, 1);
  assert_value (snapshot, "x * 2", "int", "42");
  assert_value (snapshot, "++calls", "int", "1");
  assert_value (snapshot, "x / 2.0", "float", "10.5");

  test_assert_outputs (snapshot, "debug");
  hotpath_guard_finish (guard, NULL);
}

static void
test_types (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autofree char *address = NULL;
  const char *null_string = NULL;
  char buffer[8] = "buf";
  Triple triple = { 1, 2, 3 };
  GPtrArray *array = g_ptr_array_new ();
  gint8 small = -5;
  guint64 big = G_MAXUINT64;
  float f = 0.25f;
  bool flag = true;
  char letter = 'A';
  void *pointer = array;

  HOTPATH_VAL ("small", small);
  HOTPATH_VAL ("big", big);
  HOTPATH_VAL ("float", f);
  HOTPATH_VAL ("bool", flag);
  HOTPATH_VAL ("gboolean", (gboolean) TRUE);
  HOTPATH_VAL ("char", letter);
  HOTPATH_VAL ("string", "ready");
  HOTPATH_VAL ("array", buffer);
  HOTPATH_VAL ("null", null_string);
  HOTPATH_VAL ("pointer", pointer);
  HOTPATH_VAL ("object", array);
  HOTPATH_VAL ("struct", triple);

  snapshot = hotpath_guard_snapshot (guard);
  assert_value (snapshot, "small", "int", "-5");
  assert_value (snapshot, "big", "uint", "18446744073709551615");
  assert_value (snapshot, "float", "float", "0.25");
  assert_value (snapshot, "bool", "bool", "true");
  assert_value (snapshot, "gboolean", "int", "1");   /* an int to C */
  assert_value (snapshot, "char", "char", "'A'");
  assert_value (snapshot, "string", "string", "ready");
  assert_value (snapshot, "array", "string", "buf");
  assert_value (snapshot, "null", "string", NULL);
  address = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", (guint64) (guintptr) array);
  assert_value (snapshot, "pointer", "pointer", address);
  assert_value (snapshot, "object", "other", address);
  assert_value (snapshot, "struct", "other", "(12 bytes)");
  g_assert_cmpstr (test_text (debug_rows (), find_value (snapshot, "small"), "kind"), ==, "val");
  g_assert_null (test_text (debug_rows (), find_value (snapshot, "small"), "location"));

  test_assert_outputs (snapshot, "debug");
  hotpath_guard_finish (guard, NULL);
  g_ptr_array_unref (array);
}

static void
test_val_history (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  const HotpathRowsDesc *logs_desc;
  gconstpointer row, logs;
  char key[16];

  HOTPATH_VAL ("state", "starting");
  HOTPATH_VAL ("state", "ready");
  HOTPATH_VAL ("state", "running");

  /* One buffer, two keys: two rows. */
  strcpy (key, "first");
  HOTPATH_VAL (key, 1);
  strcpy (key, "second");
  HOTPATH_VAL (key, 2);

  snapshot = hotpath_guard_snapshot (guard);
  row = find_value (snapshot, "state");
  g_assert_cmpuint (test_uint (debug_rows (), row, "count"), ==, 3);
  g_assert_cmpstr (test_text (debug_rows (), row, "value"), ==, "running");
  logs_desc = test_nested (debug_rows (), row, "logs", &logs);
  g_assert_cmpuint (logs_desc->count (logs), ==, 3);
  g_assert_cmpstr (test_text (logs_desc, logs_desc->nth (logs, 0), "value"), ==, "running");
  g_assert_cmpstr (test_text (logs_desc, logs_desc->nth (logs, 2), "value"), ==, "starting");
  g_assert_cmpuint (test_uint (logs_desc, logs_desc->nth (logs, 2), "index"), ==, 0);

  assert_value (snapshot, "first", "int", "1");
  assert_value (snapshot, "second", "int", "2");

  test_assert_outputs (snapshot, "debug");
  hotpath_guard_finish (guard, NULL);
}

#define N_VALUES 1000

static gpointer
val_thread (gpointer data)
{
  for (int i = 0; i < N_VALUES; i++)
    HOTPATH_VAL ("progress", i);
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  GThread *threads[2];
  gconstpointer row;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("val", val_thread, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  snapshot = hotpath_guard_snapshot (guard);
  row = find_value (snapshot, "progress");
  g_assert_cmpuint (test_uint (debug_rows (), row, "count"), ==, 2 * N_VALUES);
  g_assert_cmpstr (test_text (debug_rows (), row, "value"), ==, "999");

  test_assert_outputs (snapshot, "debug");
  hotpath_guard_finish (guard, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/Debug/dbg", test_dbg);
  g_test_add_func ("/Hotpath/Debug/types", test_types);
  g_test_add_func ("/Hotpath/Debug/val-history", test_val_history);
  g_test_add_func ("/Hotpath/Debug/threads", test_threads);

  return g_test_run ();
}
