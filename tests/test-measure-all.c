/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-measure-all.c: a target built with the library's measure-all flags
 * (examples/measure-all) reports every function it defines under its real
 * name, static ones included, with exact call counts; HOTPATH_SKIP leaves a
 * function out, and nothing stays an unresolved address.
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "hotpath-test-schema.h"

#ifndef HOTPATH_TEST_MEASURE_ALL
# error "tests/meson.build passes the path of examples/measure-all"
#endif

/* Runs examples/measure-all with a JSON report of every function. */
static JsonNode *
run_measure_all (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* The report on stdout, apart from anything else. */
  g_subprocess_launcher_setenv (launcher, "HOTPATH_OUTPUT_PATH", "-", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "HOTPATH_PERCENTILES");
  g_subprocess_launcher_unsetenv (launcher, "HOTPATH_LOGS_LIMIT");
  g_subprocess_launcher_setenv (launcher, "HOTPATH_OUTPUT_FORMAT", "json", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_LIMIT", "0", TRUE);

  subprocess = g_subprocess_launcher_spawn (launcher, &error, HOTPATH_TEST_MEASURE_ALL, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (subprocess, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (subprocess, NULL, &error);
  g_assert_no_error (error);

  if (g_test_verbose ())
    g_printerr ("%s%s", out, err);

  g_assert_cmpstr (err, ==, "");
  hotpath_test_assert_valid_json (out, NULL);

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);

  return json_parser_steal_root (parser);
}

static JsonArray *
functions_timing_data (JsonNode *root)
{
  JsonObject *sections = json_object_get_object_member (json_node_get_object (root), "sections");
  JsonObject *timing = json_object_get_object_member (sections, "functions_timing");

  return json_object_get_array_member (timing, "data");
}

static JsonObject *
find_function (JsonArray  *data,
               const char *name)
{
  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *row = json_array_get_object_element (data, i);

      if (g_str_equal (json_object_get_string_member (row, "name"), name))
        return row;
    }

  return NULL;
}

static void
assert_calls (JsonArray  *data,
              const char *name,
              gint64      calls)
{
  JsonObject *row = find_function (data, name);

  if (row == NULL)
    g_error ("%s is not in the report", name);
  g_assert_cmpint (json_object_get_int_member (row, "calls"), ==, calls);
}

static void
test_names_and_counts (void)
{
  g_autoptr(JsonNode) root = run_measure_all ();
  JsonArray *data = functions_timing_data (root);

  /* Static, exported and recursive: fib (15) makes 2 * F(16) - 1 calls. */
  assert_calls (data, "measure-all::sum_of_squares", 100);
  assert_calls (data, "measure-all::measure_all_count_words", 50);
  assert_calls (data, "measure-all::fib", 2 * 987 - 1);

  /* A measured block beside them. */
  assert_calls (data, "fibonacci", 1);

  /* HOTPATH_SKIP works, and main() was entered before profiling began. */
  g_assert_null (find_function (data, "measure-all::skipped_helper"));
  g_assert_null (find_function (data, "measure-all::main"));
  g_assert_cmpuint (json_array_get_length (data), ==, 4);

  /* Nothing is left as a bare address, and the profiler's own inline
   * helpers (hotpath_scope_begin...) are not measured. */
  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      const char *name = json_object_get_string_member (json_array_get_object_element (data, i), "name");

      g_assert_null (strstr (name, "0x"));
      g_assert_null (strstr (name, "hotpath"));
      g_assert_true (g_str_has_prefix (name, "measure-all::") || g_str_equal (name, "fibonacci"));
    }
}

static void
test_recursion_times (void)
{
  g_autoptr(JsonNode) root = run_measure_all ();
  JsonObject *fib = find_function (functions_timing_data (root), "measure-all::fib");

  /* Each recursive call is its own measurement. Calls at the same depth
   * do not overlap and all lie within the outermost call, the longest; the
   * recursion is 15 deep, so all of them together last at most 15 times
   * as long. */
  g_assert_nonnull (fib);
  g_assert_cmpint (json_object_get_int_member (fib, "min_ns"), <=,
                   json_object_get_int_member (fib, "avg_ns"));
  g_assert_cmpint (json_object_get_int_member (fib, "avg_ns"), <=,
                   json_object_get_int_member (fib, "max_ns"));
  g_assert_cmpint (json_object_get_int_member (fib, "total_ns"), <=,
                   15 * json_object_get_int_member (fib, "max_ns"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/MeasureAll/names-and-counts", test_names_and_counts);
  g_test_add_func ("/Hotpath/MeasureAll/recursion-times", test_recursion_times);

  return g_test_run ();
}
