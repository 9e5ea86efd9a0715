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

/* Runs @program with a JSON report of every function; @env is NULL or
 * NAME=VALUE pairs. */
static JsonNode *
run_program (const char         *program,
             const char * const *env)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_OUTPUT_PATH", "-", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "HOTPATH_PERCENTILES");
  g_subprocess_launcher_unsetenv (launcher, "HOTPATH_LOGS_LIMIT");
  g_subprocess_launcher_setenv (launcher, "HOTPATH_OUTPUT_FORMAT", "json", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_LIMIT", "0", TRUE);
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);

  subprocess = g_subprocess_launcher_spawn (launcher, &error, program, NULL);
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

/* Runs examples/measure-all with a JSON report of every function. */
static JsonNode *
run_measure_all (void)
{
  return run_program (HOTPATH_TEST_MEASURE_ALL, NULL);
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

static guint
data_length (JsonNode *root)
{
  return json_array_get_length (functions_timing_data (root));
}

static gint64
int_member (JsonObject *row,
            const char *member)
{
  g_assert_nonnull (row);
  return json_object_get_int_member (row, member);
}

/* No HOTPATH_MAIN(): linking the library and the flags are enough. */
static void
test_no_code (void)
{
  g_autoptr(JsonNode) root = run_program (HOTPATH_TEST_NAMES_TARGET, NULL);
  JsonArray *data = functions_timing_data (root);
  JsonObject *parent = find_function (data, "names-target::names_static_parent");
  JsonObject *leaf = find_function (data, "names-target::names_static_leaf");
  JsonObject *main_row = find_function (data, "names-target::main");

  assert_calls (data, "names-target::main", 1);
  assert_calls (data, "names-target::names_static_parent", 10);
  assert_calls (data, "names-target::names_static_leaf", 200);
  g_assert_cmpuint (data_length (root), ==, 3);

  /* Self time: what a function spent without its measured callees. */
  g_assert_cmpint (int_member (parent, "self_ns"), <=, int_member (parent, "total_ns"));
  g_assert_cmpint (int_member (leaf, "self_ns"), ==, int_member (leaf, "total_ns"));
  g_assert_cmpint (int_member (parent, "total_ns"), <=, int_member (main_row, "total_ns"));
  g_assert_cmpint (int_member (main_row, "self_ns") + int_member (parent, "total_ns"), <=,
                   int_member (main_row, "total_ns") + 1);
}

static void
test_recursion_once (void)
{
  g_autoptr(JsonNode) root = run_measure_all ();
  JsonArray *data = functions_timing_data (root);
  JsonObject *fib = find_function (data, "measure-all::fib");
  JsonObject *block = find_function (data, "fibonacci");

  /* fib (15) runs inside the block once: its total is the outermost
   * call's, not the sum of 1973 nested calls, and no row exceeds 100%. */
  g_assert_cmpint (int_member (fib, "total_ns"), <=, int_member (block, "total_ns"));
  g_assert_cmpint (int_member (fib, "self_ns"), <=, int_member (fib, "total_ns"));
  for (guint i = 0; i < json_array_get_length (data); i++)
    g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (data, i),
                                                      "percent_total"), <=, 100.0);
}

static void
test_filter (void)
{
  const char *env[] = { "HOTPATH_FILTER", "names-target::names_static_*", NULL };
  g_autoptr(JsonNode) root = run_program (HOTPATH_TEST_NAMES_TARGET, env);
  JsonArray *data = functions_timing_data (root);

  assert_calls (data, "names-target::names_static_parent", 10);
  assert_calls (data, "names-target::names_static_leaf", 200);
  g_assert_null (find_function (data, "names-target::main"));
}

static void
test_notrace (void)
{
  const char *env[] = { "HOTPATH_NOTRACE", "*leaf, nothing_else", NULL };
  g_autoptr(JsonNode) root = run_program (HOTPATH_TEST_NAMES_TARGET, env);
  JsonArray *data = functions_timing_data (root);
  JsonObject *parent = find_function (data, "names-target::names_static_parent");

  assert_calls (data, "names-target::names_static_parent", 10);
  g_assert_null (find_function (data, "names-target::names_static_leaf"));
  /* The leaf's time is now the parent's own. */
  g_assert_cmpint (int_member (parent, "self_ns"), ==, int_member (parent, "total_ns"));
}

static void
test_depth (void)
{
  const char *env[] = { "HOTPATH_DEPTH", "2", NULL };
  g_autoptr(JsonNode) root = run_program (HOTPATH_TEST_NAMES_TARGET, env);
  JsonArray *data = functions_timing_data (root);

  assert_calls (data, "names-target::main", 1);
  assert_calls (data, "names-target::names_static_parent", 10);
  g_assert_null (find_function (data, "names-target::names_static_leaf"));
}

/* The size of @symbol in the fixture, from nm. */
static guint
symbol_size (const char *symbol)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { "nm", "-S", HOTPATH_TEST_NAMES_TARGET, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);

      if (g_strv_length (fields) == 4 && g_str_equal (fields[3], symbol))
        return (guint) g_ascii_strtoull (fields[1], NULL, 16);
    }

  g_error ("no %s in nm's output", symbol);
  return 0;
}

static void
test_min_size (void)
{
  guint leaf = symbol_size ("names_static_leaf");
  guint parent = symbol_size ("names_static_parent");
  g_autofree char *min_size = NULL;
  const char *env[] = { "HOTPATH_MIN_SIZE", NULL, NULL };
  g_autoptr(JsonNode) root = NULL;
  JsonArray *data;

  g_assert_cmpuint (leaf, <, parent);
  min_size = g_strdup_printf ("%u", leaf + 1);
  env[1] = min_size;
  root = run_program (HOTPATH_TEST_NAMES_TARGET, env);
  data = functions_timing_data (root);

  assert_calls (data, "names-target::names_static_parent", 10);
  g_assert_null (find_function (data, "names-target::names_static_leaf"));
}

static void
test_time_filter (void)
{
  /* Nothing takes a second: after 100 calls the leaf is dropped. The
   * parent (10 calls) is still learning, main too. */
  const char *env[] = { "HOTPATH_TIME_FILTER", "1s", "HOTPATH_TIME_FILTER_CALLS", "100", NULL };
  g_autoptr(JsonNode) root = run_program (HOTPATH_TEST_NAMES_TARGET, env);
  JsonObject *section = json_object_get_object_member (json_object_get_object_member (json_node_get_object (root), "sections"),
                                                       "functions_timing");
  JsonArray *data = json_object_get_array_member (section, "data");
  JsonObject *time_filter = json_object_get_object_member (section, "time_filter");
  JsonArray *filtered;
  JsonObject *leaf;

  assert_calls (data, "names-target::names_static_parent", 10);
  g_assert_null (find_function (data, "names-target::names_static_leaf"));

  g_assert_nonnull (time_filter);
  g_assert_cmpint (json_object_get_int_member (time_filter, "threshold_ns"), ==, 1000000000);
  g_assert_cmpint (json_object_get_int_member (time_filter, "learn_calls"), ==, 100);
  filtered = json_object_get_array_member (time_filter, "filtered");
  g_assert_cmpuint (json_array_get_length (filtered), ==, 1);
  leaf = json_array_get_object_element (filtered, 0);
  g_assert_cmpstr (json_object_get_string_member (leaf, "name"), ==, "names-target::names_static_leaf");
  g_assert_cmpint (json_object_get_int_member (leaf, "calls"), >=, 100);
  g_assert_cmpint (json_object_get_int_member (leaf, "calls"), <=, 200);
}

static void
test_time_filter_off (void)
{
  const char *env[] = { "HOTPATH_TIME_FILTER", "0", "HOTPATH_TIME_FILTER_CALLS", "100", NULL };
  g_autoptr(JsonNode) root = run_program (HOTPATH_TEST_NAMES_TARGET, env);

  assert_calls (functions_timing_data (root), "names-target::names_static_leaf", 200);
}

/* Names from a program stripped of every symbol table: the module and the
 * offset in the file, the same in every run, and what addr2line takes. */
static void
test_stripped_offsets (void)
{
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  JsonArray *data;
  guint n_resolved = 0;

  if (*HOTPATH_TEST_NAMES_STRIPPED == '\0')
    {
      g_test_skip ("objcopy or xz is missing");
      return;
    }

  first = run_program (HOTPATH_TEST_NAMES_STRIPPED, NULL);
  second = run_program (HOTPATH_TEST_NAMES_STRIPPED, NULL);
  data = functions_timing_data (first);
  g_assert_cmpuint (json_array_get_length (data), ==, 3);

  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *row = json_array_get_object_element (data, i);
      const char *name = json_object_get_string_member (row, "name");
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      const char *argv[] = { "addr2line", "-f", "-e", HOTPATH_TEST_NAMES_TARGET, NULL, NULL };

      g_assert_true (g_str_has_prefix (name, "names-target-stripped+0x"));
      /* Stable: the second run has the same name with the same calls. */
      g_assert_cmpint (int_member (find_function (functions_timing_data (second), name), "calls"), ==,
                       int_member (row, "calls"));

      argv[4] = name + strlen ("names-target-stripped+");
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, &out, NULL, NULL, &error);
      g_assert_no_error (error);
      if (g_str_has_prefix (out, "names_static_leaf\n"))
        {
          g_assert_cmpint (int_member (row, "calls"), ==, 200);
          n_resolved++;
        }
      else if (g_str_has_prefix (out, "names_static_parent\n"))
        {
          g_assert_cmpint (int_member (row, "calls"), ==, 10);
          n_resolved++;
        }
      else if (g_str_has_prefix (out, "main\n"))
        n_resolved++;
    }

  g_assert_cmpuint (n_resolved, ==, 3);
}

static void
test_mini_debuginfo (void)
{
  g_autoptr(JsonNode) root = NULL;
  JsonArray *data;

  if (*HOTPATH_TEST_NAMES_MINI == '\0')
    {
      g_test_skip ("objcopy or xz is missing");
      return;
    }
#ifndef HAVE_LZMA_H
  g_test_skip ("built without lzma.h: no MiniDebugInfo");
  return;
#endif

  root = run_program (HOTPATH_TEST_NAMES_MINI, NULL);
  data = functions_timing_data (root);
  assert_calls (data, "names-target-mini::names_static_leaf", 200);
  assert_calls (data, "names-target-mini::names_static_parent", 10);
  assert_calls (data, "names-target-mini::main", 1);
}

/* A guard built while the automatic session runs replaces it: one
 * report, the guard's, with its phase only. */
static void
test_guard_takes_over (void)
{
  g_autoptr(JsonNode) root = run_program (HOTPATH_TEST_TAKEOVER, NULL);
  JsonArray *data = functions_timing_data (root);

  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "program"), ==, "phase");
  assert_calls (data, "takeover::takeover_phase", 7);
  g_assert_null (find_function (data, "takeover::takeover_before"));
  g_assert_null (find_function (data, "takeover::main"));
  g_assert_cmpuint (data_length (root), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/MeasureAll/names-and-counts", test_names_and_counts);
  g_test_add_func ("/Hotpath/MeasureAll/recursion-times", test_recursion_times);
  g_test_add_func ("/Hotpath/MeasureAll/recursion-once", test_recursion_once);
  g_test_add_func ("/Hotpath/MeasureAll/no-code", test_no_code);
  g_test_add_func ("/Hotpath/MeasureAll/guard-takes-over", test_guard_takes_over);
  g_test_add_func ("/Hotpath/MeasureAll/filter", test_filter);
  g_test_add_func ("/Hotpath/MeasureAll/notrace", test_notrace);
  g_test_add_func ("/Hotpath/MeasureAll/depth", test_depth);
  g_test_add_func ("/Hotpath/MeasureAll/min-size", test_min_size);
  g_test_add_func ("/Hotpath/MeasureAll/time-filter", test_time_filter);
  g_test_add_func ("/Hotpath/MeasureAll/time-filter-off", test_time_filter_off);
  g_test_add_func ("/Hotpath/MeasureAll/stripped-offsets", test_stripped_offsets);
  g_test_add_func ("/Hotpath/MeasureAll/mini-debuginfo", test_mini_debuginfo);

  return g_test_run ();
}
