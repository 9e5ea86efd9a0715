/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-env.c: HOTPATH_* environment variables.
 *
 * The environment beats the code; an invalid value keeps what the program
 * would have had without it and prints exactly one line on stderr naming
 * the variable and what it accepts. Every case runs in a subprocess so its
 * stderr can be compared whole: a pattern without wildcards matches only
 * that exact text, which also pins the number of lines.
 *
 * The test environment sets every HOTPATH_* variable to "", which counts
 * as unset.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "hotpath.h"
#include "hotpath-clock-private.h"
#include "hotpath-collector-private.h"
#include "hotpath-env-private.h"
#include "hotpath-guard-private.h"
#include "hotpath-snapshot-private.h"

#include "hotpath-test-log.h"
#include "hotpath-test-schema.h"

#define CODE_FORMAT      HOTPATH_FORMAT_JSON_PRETTY
#define CODE_OUTPUT_PATH "code-report.txt"
#define CODE_LIMIT       3
#define CODE_LOGS_LIMIT  20

static const char * const all_variables[] = {
  "HOTPATH_OUTPUT_FORMAT", "HOTPATH_OUTPUT_PATH", "HOTPATH_PERCENTILES",
  "HOTPATH_LIMIT", "HOTPATH_LOGS_LIMIT", "HOTPATH_CLOCK", NULL
};

static void
clear_environment (void)
{
  for (guint i = 0; all_variables[i] != NULL; i++)
    g_unsetenv (all_variables[i]);
}

/* What the program says, different from every library default. */
static void
config_set_from_code (HotpathConfig *config)
{
  const double code_percentiles[] = { 10, 90 };

  config->format = CODE_FORMAT;
  g_free (config->output_path);
  config->output_path = g_strdup (CODE_OUTPUT_PATH);
  g_array_set_size (config->percentiles, 0);
  g_array_append_vals (config->percentiles, code_percentiles, G_N_ELEMENTS (code_percentiles));
  config->limit = CODE_LIMIT;
  config->logs_limit = CODE_LOGS_LIMIT;
}

/* Sets @variable to @value (unset if %NULL), builds a config the way the
 * guard builder does and lets the environment have its say. */
static void
config_apply (HotpathConfig *config,
              const char    *variable,
              const char    *value,
              gboolean       with_code)
{
  clear_environment ();
  if (value != NULL)
    g_setenv (variable, value, TRUE);

  hotpath_config_init (config);
  if (with_code)
    config_set_from_code (config);
  hotpath_config_apply_env (config);

  g_unsetenv (variable);
}

static void
assert_percentiles (GArray       *percentiles,
                    const double *expected,
                    guint         n_expected)
{
  g_assert_cmpuint (percentiles->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpfloat (g_array_index (percentiles, double, i), ==, expected[i]);
}

#define assert_percentiles_are(array, ...) \
  G_STMT_START { \
    const double expected_[] = { __VA_ARGS__ }; \
    assert_percentiles ((array), expected_, G_N_ELEMENTS (expected_)); \
  } G_STMT_END

/* Checks that everything is as the code (or the library) left it. */
static void
assert_untouched (HotpathConfig *config,
                  gboolean       with_code)
{
  if (with_code)
    {
      g_assert_cmpint (config->format, ==, CODE_FORMAT);
      g_assert_cmpstr (config->output_path, ==, CODE_OUTPUT_PATH);
      assert_percentiles_are (config->percentiles, 10, 90);
      g_assert_cmpuint (config->limit, ==, CODE_LIMIT);
      g_assert_cmpuint (config->logs_limit, ==, CODE_LOGS_LIMIT);
    }
  else
    {
      g_assert_cmpint (config->format, ==, HOTPATH_FORMAT_TABLE);
      g_assert_null (config->output_path);
      assert_percentiles_are (config->percentiles, 95);
      g_assert_cmpuint (config->limit, ==, HOTPATH_DEFAULT_LIMIT);
      g_assert_cmpuint (config->logs_limit, ==, HOTPATH_DEFAULT_LOGS_LIMIT);
    }
}

/* Runs the current test again in a child; it must pass and print exactly
 * @expected_stderr on stderr and nothing on stdout. */
static void
expect_child (const char *expected_stderr)
{
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr (expected_stderr);
}

static char *
complaint (const char *variable,
           const char *value,
           const char *accepts)
{
  return g_strdup_printf (HOTPATH_TEST_MESSAGE "%s=\"%s\" is not valid: expected %s; using the default\n",
                          variable, value, accepts);
}

/* Valid values ------------------------------------------------------------ */

static void
test_env_defaults (void)
{
  if (g_test_subprocess ())
    {
      HotpathConfig config;

      config_apply (&config, "HOTPATH_LIMIT", NULL, FALSE);
      assert_untouched (&config, FALSE);
      hotpath_config_clear (&config);

      config_apply (&config, "HOTPATH_LIMIT", NULL, TRUE);
      assert_untouched (&config, TRUE);
      hotpath_config_clear (&config);

      /* Empty counts as unset: the test environment relies on it. */
      for (guint i = 0; all_variables[i] != NULL; i++)
        {
          config_apply (&config, all_variables[i], "", TRUE);
          assert_untouched (&config, TRUE);
          hotpath_config_clear (&config);
        }
      return;
    }

  expect_child ("");
}

static void
test_env_output_format (void)
{
  if (g_test_subprocess ())
    {
      static const struct {
        const char    *value;
        HotpathFormat  format;
      } cases[] = {
        { "table", HOTPATH_FORMAT_TABLE },
        { "json", HOTPATH_FORMAT_JSON },
        { "json-pretty", HOTPATH_FORMAT_JSON_PRETTY },
        { "none", HOTPATH_FORMAT_NONE },
        { "JSON", HOTPATH_FORMAT_JSON },
        { "Table", HOTPATH_FORMAT_TABLE },
      };

      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        for (guint with_code = 0; with_code < 2; with_code++)
          {
            HotpathConfig config;

            config_apply (&config, "HOTPATH_OUTPUT_FORMAT", cases[i].value, with_code);
            g_assert_cmpint (config.format, ==, cases[i].format);
            /* Nothing else moves. */
            g_assert_cmpuint (config.limit, ==, with_code ? CODE_LIMIT : HOTPATH_DEFAULT_LIMIT);
            hotpath_config_clear (&config);
          }
      return;
    }

  expect_child ("");
}

static void
test_env_output_path (void)
{
  if (g_test_subprocess ())
    {
      HotpathConfig config;

      config_apply (&config, "HOTPATH_OUTPUT_PATH", "/tmp/hotpath-env-report.json", TRUE);
      g_assert_cmpstr (config.output_path, ==, "/tmp/hotpath-env-report.json");
      g_assert_cmpint (config.format, ==, CODE_FORMAT);
      hotpath_config_clear (&config);

      config_apply (&config, "HOTPATH_OUTPUT_PATH", "relative dir/ü.txt", FALSE);
      g_assert_cmpstr (config.output_path, ==, "relative dir/ü.txt");
      hotpath_config_clear (&config);
      return;
    }

  expect_child ("");
}

static void
test_env_percentiles (void)
{
  if (g_test_subprocess ())
    {
      HotpathConfig config;

      config_apply (&config, "HOTPATH_PERCENTILES", "50,95,99.9", TRUE);
      assert_percentiles_are (config.percentiles, 50, 95, 99.9);
      g_assert_cmpuint (config.limit, ==, CODE_LIMIT);
      hotpath_config_clear (&config);

      /* Sorted, without duplicates. */
      config_apply (&config, "HOTPATH_PERCENTILES", "99.9,50,95,50,99.90", TRUE);
      assert_percentiles_are (config.percentiles, 50, 95, 99.9);
      hotpath_config_clear (&config);

      /* The ends: 0 is the minimum, 100 the maximum. */
      config_apply (&config, "HOTPATH_PERCENTILES", "0,100", FALSE);
      assert_percentiles_are (config.percentiles, 0, 100);
      hotpath_config_clear (&config);

      config_apply (&config, "HOTPATH_PERCENTILES", "100,0", TRUE);
      assert_percentiles_are (config.percentiles, 0, 100);
      hotpath_config_clear (&config);

      config_apply (&config, "HOTPATH_PERCENTILES", " 50 , 99.99 ", TRUE);
      assert_percentiles_are (config.percentiles, 50, 99.99);
      hotpath_config_clear (&config);

      config_apply (&config, "HOTPATH_PERCENTILES", "75", FALSE);
      assert_percentiles_are (config.percentiles, 75);
      hotpath_config_clear (&config);
      return;
    }

  expect_child ("");
}

static void
test_env_limit (void)
{
  if (g_test_subprocess ())
    {
      HotpathConfig config;

      config_apply (&config, "HOTPATH_LIMIT", "0", TRUE);
      g_assert_cmpuint (config.limit, ==, 0);
      g_assert_cmpuint (config.logs_limit, ==, CODE_LOGS_LIMIT);
      hotpath_config_clear (&config);

      config_apply (&config, "HOTPATH_LIMIT", "7", TRUE);
      g_assert_cmpuint (config.limit, ==, 7);
      hotpath_config_clear (&config);

      config_apply (&config, "HOTPATH_LIMIT", "2147483647", FALSE);
      g_assert_cmpuint (config.limit, ==, G_MAXINT);
      hotpath_config_clear (&config);
      return;
    }

  expect_child ("");
}

static void
test_env_logs_limit (void)
{
  if (g_test_subprocess ())
    {
      HotpathConfig config;

      config_apply (&config, "HOTPATH_LOGS_LIMIT", "0", TRUE);
      g_assert_cmpuint (config.logs_limit, ==, 0);
      g_assert_cmpuint (config.limit, ==, CODE_LIMIT);
      hotpath_config_clear (&config);

      config_apply (&config, "HOTPATH_LOGS_LIMIT", "200", FALSE);
      g_assert_cmpuint (config.logs_limit, ==, 200);
      hotpath_config_clear (&config);

      config_apply (&config, "HOTPATH_LOGS_LIMIT", "100000", TRUE);
      g_assert_cmpuint (config.logs_limit, ==, 100000);
      hotpath_config_clear (&config);
      return;
    }

  expect_child ("");
}

/* Invalid values ------------------------------------------------------------ */

typedef struct
{
  const char *variable;
  const char *value;
  const char *accepts;
} InvalidCase;

#define ACCEPTS_FORMAT      "table|json|json-pretty|none"
#define ACCEPTS_PERCENTILES "a comma-separated list of numbers from 0 to 100, such as 50,95,99.9"
#define ACCEPTS_LIMIT       "an integer from 0 to 2147483647"
#define ACCEPTS_LOGS_LIMIT  "an integer from 0 to 100000"

static const InvalidCase invalid_cases[] = {
  { "HOTPATH_OUTPUT_FORMAT", "xml", ACCEPTS_FORMAT },
  { "HOTPATH_OUTPUT_FORMAT", "jsonpretty", ACCEPTS_FORMAT },
  { "HOTPATH_OUTPUT_FORMAT", " json", ACCEPTS_FORMAT },
  { "HOTPATH_PERCENTILES", "abc", ACCEPTS_PERCENTILES },
  { "HOTPATH_PERCENTILES", "101", ACCEPTS_PERCENTILES },
  { "HOTPATH_PERCENTILES", "-1", ACCEPTS_PERCENTILES },
  { "HOTPATH_PERCENTILES", "100.01", ACCEPTS_PERCENTILES },
  { "HOTPATH_PERCENTILES", "50,,95", ACCEPTS_PERCENTILES },
  { "HOTPATH_PERCENTILES", "50,95,", ACCEPTS_PERCENTILES },
  { "HOTPATH_PERCENTILES", ",", ACCEPTS_PERCENTILES },
  { "HOTPATH_PERCENTILES", " ", ACCEPTS_PERCENTILES },
  { "HOTPATH_PERCENTILES", "50;95", ACCEPTS_PERCENTILES },
  { "HOTPATH_PERCENTILES", "95%", ACCEPTS_PERCENTILES },
  { "HOTPATH_PERCENTILES", "nan", ACCEPTS_PERCENTILES },
  { "HOTPATH_PERCENTILES", "inf", ACCEPTS_PERCENTILES },
  { "HOTPATH_LIMIT", "-1", ACCEPTS_LIMIT },
  { "HOTPATH_LIMIT", "abc", ACCEPTS_LIMIT },
  { "HOTPATH_LIMIT", "3.5", ACCEPTS_LIMIT },
  { "HOTPATH_LIMIT", "2147483648", ACCEPTS_LIMIT },
  { "HOTPATH_LIMIT", "99999999999999999999999", ACCEPTS_LIMIT },
  { "HOTPATH_LOGS_LIMIT", "100001", ACCEPTS_LOGS_LIMIT },
  { "HOTPATH_LOGS_LIMIT", "x", ACCEPTS_LOGS_LIMIT },
  { "HOTPATH_LOGS_LIMIT", "-5", ACCEPTS_LOGS_LIMIT },
};

typedef struct
{
  const InvalidCase *invalid;
  gboolean           with_code;
} InvalidRun;

static void
test_env_invalid (gconstpointer data)
{
  const InvalidRun *run = data;
  g_autofree char *expected = NULL;

  if (g_test_subprocess ())
    {
      HotpathConfig config;

      config_apply (&config, run->invalid->variable, run->invalid->value, run->with_code);
      assert_untouched (&config, run->with_code);
      hotpath_config_clear (&config);
      return;
    }

  expected = complaint (run->invalid->variable, run->invalid->value, run->invalid->accepts);
  expect_child (expected);
}

/* One invalid variable among valid ones: only it keeps its default. */
static void
test_env_invalid_among_valid (void)
{
  if (g_test_subprocess ())
    {
      HotpathConfig config;

      clear_environment ();
      g_setenv ("HOTPATH_OUTPUT_FORMAT", "json", TRUE);
      g_setenv ("HOTPATH_PERCENTILES", "50,150", TRUE);
      g_setenv ("HOTPATH_LIMIT", "0", TRUE);
      hotpath_config_init (&config);
      config_set_from_code (&config);
      hotpath_config_apply_env (&config);

      g_assert_cmpint (config.format, ==, HOTPATH_FORMAT_JSON);
      assert_percentiles_are (config.percentiles, 10, 90);
      g_assert_cmpuint (config.limit, ==, 0);
      g_assert_cmpuint (config.logs_limit, ==, CODE_LOGS_LIMIT);
      hotpath_config_clear (&config);
      return;
    }

  expect_child (HOTPATH_TEST_MESSAGE "HOTPATH_PERCENTILES=\"50,150\" is not valid: expected "
                ACCEPTS_PERCENTILES "; using the default\n");
}

/* HOTPATH_CLOCK ------------------------------------------------------------- */

static HotpathClockSource
automatic_source (void)
{
  /* test-clock covers how the choice is made on other machines. */
  return hotpath_clock_choose (NULL);
}

static void
test_env_clock_monotonic (void)
{
  if (g_test_subprocess ())
    {
      clear_environment ();
      g_setenv ("HOTPATH_CLOCK", "monotonic", TRUE);
      hotpath_clock_init ();
      g_assert_cmpint (hotpath_clock_get_source (), ==, HOTPATH_CLOCK_SOURCE_MONOTONIC);
      g_assert_cmpstr (hotpath_clock_source_to_string (hotpath_clock_get_source ()), ==, "monotonic");
      /* Monotonic ticks are nanoseconds. */
      g_assert_cmpuint (hotpath_clock_ticks_to_ns (123456789), ==, 123456789);
      g_assert_cmpfloat (hotpath_clock_calibrate (), ==, 1.0);

      /* Case does not matter. */
      g_setenv ("HOTPATH_CLOCK", "MONOTONIC", TRUE);
      hotpath_clock_init ();
      g_assert_cmpint (hotpath_clock_get_source (), ==, HOTPATH_CLOCK_SOURCE_MONOTONIC);

      /* A session started this way records through the slow path. */
      g_setenv ("HOTPATH_CLOCK", "monotonic", TRUE);
      g_assert_true (hotpath_collector_start (10));
      g_assert_cmpint (hotpath_clock_get_source (), ==, HOTPATH_CLOCK_SOURCE_MONOTONIC);
      g_assert_cmpint (hotpath_recording, ==, HOTPATH_RECORDING_CLOCK);
      hotpath_collector_stop ();

      /* Unset again: back to the automatic choice. */
      g_unsetenv ("HOTPATH_CLOCK");
      hotpath_clock_init ();
      g_assert_cmpint (hotpath_clock_get_source (), ==, automatic_source ());
      return;
    }

  expect_child ("");
}

static void
test_env_clock_tsc (void)
{
#if defined (__x86_64__) || defined (__i386__)
  gboolean tsc_ok = hotpath_clock_choose (NULL) == HOTPATH_CLOCK_SOURCE_TSC;

  if (g_test_subprocess ())
    {
      clear_environment ();
      g_setenv ("HOTPATH_CLOCK", "tsc", TRUE);
      hotpath_clock_init ();
      /* Asked for, the TSC is used even where it is not trusted. */
      g_assert_cmpint (hotpath_clock_get_source (), ==, HOTPATH_CLOCK_SOURCE_TSC);
      return;
    }

  expect_child (tsc_ok ? "" : HOTPATH_TEST_MESSAGE "HOTPATH_CLOCK=tsc: this TSC is not invariant or the kernel "
                              "does not use it; timings may drift\n");
#else
  g_test_skip ("no TSC on this architecture");
#endif
}

static void
test_env_clock_invalid (gconstpointer data)
{
  const char *value = data;
  g_autofree char *expected = NULL;

  if (g_test_subprocess ())
    {
      clear_environment ();
      g_setenv ("HOTPATH_CLOCK", value, TRUE);
      hotpath_clock_init ();
      g_assert_cmpint (hotpath_clock_get_source (), ==, automatic_source ());
      return;
    }

  expected = complaint ("HOTPATH_CLOCK", value, "tsc|monotonic");
  expect_child (expected);
}

/* A whole session ------------------------------------------------------- */

static G_GNUC_NO_INLINE void
env_session_call (void)
{
  HOTPATH_MEASURE ();
}

static G_GNUC_NO_INLINE void
env_session_other (void)
{
  HOTPATH_MEASURE ();
}

static HotpathGuard *
build_guard_from_code (void)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("env-session");
  const double percentiles[] = { 95 };

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_TABLE);
  hotpath_guard_builder_set_limit (builder, 15);
  hotpath_guard_builder_set_percentiles (builder, percentiles, G_N_ELEMENTS (percentiles));

  return hotpath_guard_builder_build (builder, NULL);
}

/* The environment steers a real guard: format, path, percentiles, limit and
 * logs limit all beat what the code asked for. */
static void
test_env_session (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *timing;
  JsonArray *percentiles;

  if (g_test_subprocess ())
    {
      g_autoptr(HotpathGuard) guard = NULL;
      g_autoptr(HotpathSnapshot) snapshot = NULL;
      HotpathFunctionStats *stats;

      g_setenv ("HOTPATH_OUTPUT_FORMAT", "json", TRUE);
      g_setenv ("HOTPATH_PERCENTILES", "99.9,50", TRUE);
      g_setenv ("HOTPATH_LIMIT", "1", TRUE);
      g_setenv ("HOTPATH_LOGS_LIMIT", "2", TRUE);
      /* HOTPATH_OUTPUT_PATH comes from the parent. */

      guard = build_guard_from_code ();
      g_assert_nonnull (guard);
      for (guint i = 0; i < 5; i++)
        env_session_call ();
      env_session_other ();

      snapshot = hotpath_guard_snapshot (guard);
      g_assert_cmpuint (hotpath_snapshot_get_n_functions (snapshot), ==, 2);
      for (guint i = 0; i < 2; i++)
        {
          stats = hotpath_snapshot_get_function (snapshot, i);
          /* Five calls keep two logs, one call keeps one. */
          if (hotpath_function_stats_get_calls (stats) == 5)
            g_assert_cmpuint (hotpath_function_stats_get_n_logs (stats), ==, 2);
          else
            g_assert_cmpuint (hotpath_function_stats_get_n_logs (stats), ==, 1);
        }
      g_assert_true (hotpath_guard_finish (guard, NULL));
      return;
    }

  dir = g_dir_make_tmp ("hotpath-test-env-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "report.json", NULL);
  g_setenv ("HOTPATH_OUTPUT_PATH", path, TRUE);
  expect_child ("");
  g_setenv ("HOTPATH_OUTPUT_PATH", "", TRUE);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  hotpath_test_assert_valid_json (contents, NULL);

  parser = json_parser_new ();
  json_parser_load_from_data (parser, contents, -1, &error);
  g_assert_no_error (error);
  timing = json_object_get_object_member (
    json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "sections"),
    "functions_timing");
  percentiles = json_object_get_array_member (timing, "percentiles");
  g_assert_cmpuint (json_array_get_length (percentiles), ==, 2);
  g_assert_cmpfloat (json_array_get_double_element (percentiles, 0), ==, 50);
  g_assert_cmpfloat (json_array_get_double_element (percentiles, 1), ==, 99.9);
  g_assert_cmpint (json_object_get_int_member (timing, "limit"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (timing, "total_count"), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (timing, "data")), ==, 1);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Every variable wrong at once: one line each, once per session. */
static void
test_env_session_invalid (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(HotpathGuard) guard = NULL;
      g_autoptr(HotpathSnapshot) snapshot = NULL;

      g_setenv ("HOTPATH_OUTPUT_FORMAT", "yaml", TRUE);
      g_setenv ("HOTPATH_PERCENTILES", "fifty", TRUE);
      g_setenv ("HOTPATH_LIMIT", "many", TRUE);
      g_setenv ("HOTPATH_LOGS_LIMIT", "-2", TRUE);
      g_setenv ("HOTPATH_CLOCK", "sundial", TRUE);

      guard = build_guard_from_code ();
      g_assert_nonnull (guard);
      env_session_call ();
      snapshot = hotpath_guard_snapshot (guard);
      g_assert_cmpuint (hotpath_snapshot_get_n_functions (snapshot), ==, 1);
      g_assert_cmpint (hotpath_snapshot_get_function (snapshot, 0)->n_logs, ==, 1);
      /* The code's format, a table, goes to stderr when the guard goes. */
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr (
    HOTPATH_TEST_MESSAGE "HOTPATH_OUTPUT_FORMAT=\"yaml\" is not valid: expected " ACCEPTS_FORMAT "; using the default\n"
    HOTPATH_TEST_MESSAGE "HOTPATH_PERCENTILES=\"fifty\" is not valid: expected " ACCEPTS_PERCENTILES "; using the default\n"
    HOTPATH_TEST_MESSAGE "HOTPATH_LIMIT=\"many\" is not valid: expected " ACCEPTS_LIMIT "; using the default\n"
    HOTPATH_TEST_MESSAGE "HOTPATH_LOGS_LIMIT=\"-2\" is not valid: expected " ACCEPTS_LOGS_LIMIT "; using the default\n"
    HOTPATH_TEST_MESSAGE "HOTPATH_CLOCK=\"sundial\" is not valid: expected tsc|monotonic; using the default\n"
    "[hotpath] env-session: * elapsed, 1 measured function\n*P95*");
}

static char *
path_component (const char *value)
{
  GString *out = g_string_new (NULL);

  if (*value == '\0')
    return g_string_free (out, FALSE);

  for (const char *p = value; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '.' || *p == '-')
        g_string_append_c (out, *p);
      else
        g_string_append_printf (out, "%%%02X", (guchar) *p);
    }

  return g_string_free (out, FALSE);
}

/* Issue 12.8: a mistyped variable is named, with the likely intended one. */
static void
test_env_unknown_variables (void)
{
  if (g_test_subprocess ())
    {
      static const char * const names[] = {
        "HOTPATH_LIMT", "HOTPATH_AUTH_TOKN", "HOTPATH_SOMETHING_ELSE_ENTIRELY",
        "HOTPATH_LIMIT", "HOTPATH_AUTH_TOKEN", "HOTPATH_INSECURE", "HOTPATH_TEST_ANYTHING",
        "PATH", "HOTPATHX", NULL
      };

      hotpath_env_warn_unknown_in (names);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*HOTPATH_LIMT is not a hotpath-glib variable and is ignored; did you mean HOTPATH_LIMIT?*"
                             "HOTPATH_AUTH_TOKN *did you mean HOTPATH_AUTH_TOKEN?*"
                             "HOTPATH_SOMETHING_ELSE_ENTIRELY is not a hotpath-glib variable and is ignored*");
  g_test_trap_assert_stderr_unmatched ("*HOTPATH_LIMIT is not*");
  g_test_trap_assert_stderr_unmatched ("*HOTPATH_TEST_ANYTHING*");
  g_test_trap_assert_stderr_unmatched ("*HOTPATH_INSECURE is not*");
  g_test_trap_assert_stderr_unmatched ("*HOTPATHX*");
  g_test_trap_assert_stderr_unmatched ("*ENTIRELY is not*did you mean*");
}

int
main (int   argc,
      char *argv[])
{
  static const char * const invalid_clocks[] = { "hpet", "tsc2", "monotonic-raw" };
  g_autofree InvalidRun *runs = g_new0 (InvalidRun, 2 * G_N_ELEMENTS (invalid_cases));

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/Env/defaults", test_env_defaults);
  g_test_add_func ("/Hotpath/Env/unknown-variables", test_env_unknown_variables);
  g_test_add_func ("/Hotpath/Env/output-format", test_env_output_format);
  g_test_add_func ("/Hotpath/Env/output-path", test_env_output_path);
  g_test_add_func ("/Hotpath/Env/percentiles", test_env_percentiles);
  g_test_add_func ("/Hotpath/Env/limit", test_env_limit);
  g_test_add_func ("/Hotpath/Env/logs-limit", test_env_logs_limit);

  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    for (guint with_code = 0; with_code < 2; with_code++)
      {
        InvalidRun *run = &runs[2 * i + with_code];
        g_autofree char *value = path_component (invalid_cases[i].value);
        g_autofree char *path = g_strdup_printf ("/Hotpath/Env/invalid/%s/%s/%s",
                                                 invalid_cases[i].variable + strlen ("HOTPATH_"),
                                                 value, with_code ? "code" : "default");

        run->invalid = &invalid_cases[i];
        run->with_code = with_code;
        g_test_add_data_func (path, run, test_env_invalid);
      }
  g_test_add_func ("/Hotpath/Env/invalid-among-valid", test_env_invalid_among_valid);

  g_test_add_func ("/Hotpath/Env/clock/monotonic", test_env_clock_monotonic);
  g_test_add_func ("/Hotpath/Env/clock/tsc", test_env_clock_tsc);
  for (guint i = 0; i < G_N_ELEMENTS (invalid_clocks); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Hotpath/Env/clock/invalid/%s", invalid_clocks[i]);
      g_test_add_data_func (path, invalid_clocks[i], test_env_clock_invalid);
    }

  g_test_add_func ("/Hotpath/Env/session", test_env_session);
  g_test_add_func ("/Hotpath/Env/session-invalid", test_env_session_invalid);

  return g_test_run ();
}
