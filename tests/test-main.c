/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-main.c: HOTPATH_MAIN and guards as a user meets them. The examples
 * and tests/fixtures run as real processes, because what matters here is
 * what a process prints and when: exactly one report however it ends,
 * environment variables over code, errors that lose nothing. The guard
 * cases run in trapped subprocesses, as the collector is process-wide.
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <hotpath-glib/hotpath.h>

#include "hotpath-test-log.h"
#include "hotpath-test-schema.h"

#if !defined (HOTPATH_TEST_BASIC) || !defined (HOTPATH_TEST_CSV_REPORTER) || \
    !defined (HOTPATH_TEST_JSON_FILE_REPORTER) || !defined (HOTPATH_TEST_THREADS_EXIT) || \
    !defined (HOTPATH_TEST_EXIT_MODES) || !defined (HOTPATH_TEST_TIMEOUT) || \
    !defined (HOTPATH_TEST_SIGNALS)
# error "tests/meson.build passes the paths of the programs to run"
#endif

#define REPORT_HEADER "[hotpath] "

/* Running programs ------------------------------------------------------ */

typedef struct
{
  int   status;
  char *out;
  char *err;
} RunResult;

static void
run_result_free (RunResult *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RunResult, run_result_free)

/* The test's environment without any HOTPATH_* variable, plus @env
 * (NAME=VALUE strings, %NULL-terminated). */
static GSubprocessLauncher *
launcher_new (GSubprocessFlags    flags,
              const char * const *env)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_auto(GStrv) environ_ = g_get_environ ();
  g_auto(GStrv) names = NULL;

  names = g_new0 (char *, g_strv_length (environ_) + 1);
  for (guint i = 0, n = 0; environ_[i] != NULL; i++)
    if (g_str_has_prefix (environ_[i], "HOTPATH_"))
      names[n++] = g_strndup (environ_[i], strcspn (environ_[i], "="));
  for (guint i = 0; names[i] != NULL; i++)
    environ_ = g_environ_unsetenv (environ_, names[i]);

  /* No live servers unless a case asks: their default ports may be taken
   * by a profiled program the developer is running. */
  environ_ = g_environ_setenv (environ_, "HOTPATH_METRICS_SERVER_OFF", "1", TRUE);
  environ_ = g_environ_setenv (environ_, "HOTPATH_MCP_SERVER_OFF", "1", TRUE);
  environ_ = g_environ_setenv (environ_, "HOTPATH_DBUS_OFF", "1", TRUE);
  /* Nor the threads table: these tests read whole reports. */
  environ_ = g_environ_setenv (environ_, "HOTPATH_THREADS", "0", TRUE);

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *eq = strchr (env[i], '=');
      g_autofree char *name = g_strndup (env[i], eq - env[i]);

      environ_ = g_environ_setenv (environ_, name, eq + 1, TRUE);
    }

  g_subprocess_launcher_set_environ (launcher, environ_);

  return g_steal_pointer (&launcher);
}

static RunResult *
run_program (const char * const *argv,
             const char * const *env)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GError) error = NULL;
  RunResult *result = g_new0 (RunResult, 1);

  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, env);
  subprocess = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (subprocess, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);

  g_assert_true (g_subprocess_get_if_exited (subprocess));
  result->status = g_subprocess_get_exit_status (subprocess);

  if (g_test_verbose ())
    g_printerr ("$ %s\n--- stdout\n%s--- stderr\n%s---\n", argv[0], result->out, result->err);

  return result;
}

#define RUN(env, ...) run_program ((const char * const []) { __VA_ARGS__, NULL }, (env))
#define ENV(...) ((const char * const []) { __VA_ARGS__, NULL })

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("hotpath-test-main-XXXXXX", &error);

  g_assert_no_error (error);

  return dir;
}

static void
remove_temp_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (dir);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* Reading reports ------------------------------------------------------- */

static guint
count_occurrences (const char *text,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;

  return n;
}

static guint
count_lines (const char *text)
{
  return count_occurrences (text, "\n");
}

/* Name -> calls of every row of the function tables in @text. */
static GHashTable *
table_calls (const char *text)
{
  GHashTable *calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cells = NULL;
      guint64 value;

      if (!g_str_has_prefix (lines[i], "| "))
        continue;

      cells = g_strsplit (lines[i], "|", -1);
      g_assert_cmpuint (g_strv_length (cells), >=, 4);
      g_strstrip (cells[1]);
      g_strstrip (cells[2]);
      if (g_str_equal (cells[1], "Function"))
        continue;

      g_assert_true (g_ascii_string_to_unsigned (cells[2], 10, 0, G_MAXUINT64, &value, NULL));
      g_assert_false (g_hash_table_contains (calls, cells[1]));
      g_hash_table_insert (calls, g_strdup (cells[1]), GSIZE_TO_POINTER ((gsize) value));
    }

  return calls;
}

static guint64
lookup_calls (GHashTable *calls,
              const char *name)
{
  gpointer value;

  if (!g_hash_table_lookup_extended (calls, name, NULL, &value))
    g_error ("no row for %s in the report", name);

  return GPOINTER_TO_SIZE (value);
}

/* Name -> calls from a JSON report, after checking it against the schema. */
static GHashTable *
json_calls (const char *json)
{
  GHashTable *calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *timing;
  JsonArray *data;

  hotpath_test_assert_valid_json (json, NULL);

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);

  timing = json_object_get_object_member (
             json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                            "sections"),
             "functions_timing");
  data = json_object_get_array_member (timing, "data");
  g_assert_cmpuint (json_object_get_int_member (timing, "total_count"), ==, json_array_get_length (data));

  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *row = json_array_get_object_element (data, i);
      const char *name = json_object_get_string_member (row, "name");

      g_assert_false (g_hash_table_contains (calls, name));
      g_hash_table_insert (calls, g_strdup (name),
                           GSIZE_TO_POINTER ((gsize) json_object_get_int_member (row, "calls")));
    }

  return calls;
}

/* examples/basic: three functions, 100 calls each. */
static void
assert_basic_calls (GHashTable *calls)
{
  g_assert_cmpuint (g_hash_table_size (calls), ==, 3);
  g_assert_cmpuint (lookup_calls (calls, "basic::sync_function"), ==, 100);
  g_assert_cmpuint (lookup_calls (calls, "custom_block"), ==, 100);
  g_assert_cmpuint (lookup_calls (calls, "basic::slow_function"), ==, 100);
}

static void
assert_one_basic_table (const char *text)
{
  g_autoptr(GHashTable) calls = table_calls (text);

  g_assert_cmpuint (count_occurrences (text, REPORT_HEADER), ==, 1);
  g_assert_nonnull (strstr (text, REPORT_HEADER "basic: "));
  assert_basic_calls (calls);
}

/* A tiny RFC 4180 reader: rows of fields. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GStrvBuilder) row = g_strv_builder_new ();
  g_autoptr(GString) field = g_string_new (NULL);
  gboolean quoted = FALSE;
  gboolean row_started = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, *p++);
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, *p);
          continue;
        }

      row_started = TRUE;
      if (*p == '"')
        {
          g_assert_cmpuint (field->len, ==, 0);
          quoted = TRUE;
        }
      else if (*p == ',')
        {
          g_strv_builder_add (row, field->str);
          g_string_truncate (field, 0);
        }
      else if (*p == '\n')
        {
          g_strv_builder_add (row, field->str);
          g_string_truncate (field, 0);
          g_ptr_array_add (rows, g_strv_builder_end (row));
          g_clear_pointer (&row, g_strv_builder_unref);
          row = g_strv_builder_new ();
          row_started = FALSE;
        }
      else
        g_string_append_c (field, *p);
    }

  g_assert_false (quoted);
  g_assert_false (row_started);   /* the last row ends with a newline */

  return rows;
}

static guint64
parse_uint (const char *text)
{
  guint64 value = 0;
  g_autoptr(GError) error = NULL;

  g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &value, &error);
  g_assert_no_error (error);

  return value;
}

/* Checks the CSV of examples/csv-reporter against @header; returns name ->
 * calls. */
static GHashTable *
csv_calls (const char *csv,
           const char *header)
{
  GHashTable *calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) rows = parse_csv (csv);
  g_autofree char *first = NULL;
  guint n_columns;

  g_assert_cmpuint (rows->len, >=, 1);
  first = g_strjoinv (",", g_ptr_array_index (rows, 0));
  g_assert_cmpstr (first, ==, header);
  n_columns = g_strv_length (g_ptr_array_index (rows, 0));

  for (guint r = 1; r < rows->len; r++)
    {
      GStrv row = g_ptr_array_index (rows, r);
      guint64 calls_value = parse_uint (row[1]);
      guint64 total = parse_uint (row[2]);
      guint64 avg = parse_uint (row[3]);
      guint64 previous = 0;

      g_assert_cmpuint (g_strv_length (row), ==, n_columns);
      g_assert_cmpuint (calls_value, >, 0);
      /* The average is rounded to the nearest ns. */
      g_assert_cmpuint (avg, >=, total / calls_value);
      g_assert_cmpuint (avg, <=, total / calls_value + 1);
      /* Percentile columns are in increasing order. */
      for (guint c = 4; c < n_columns; c++)
        {
          guint64 value = parse_uint (row[c]);

          g_assert_cmpuint (value, >=, previous);
          previous = value;
        }

      g_hash_table_insert (calls, g_strdup (row[0]), GSIZE_TO_POINTER ((gsize) calls_value));
    }

  return calls;
}

static void
assert_csv_reporter_calls (GHashTable *calls)
{
  g_assert_cmpuint (g_hash_table_size (calls), ==, 3);
  g_assert_cmpuint (lookup_calls (calls, "csv-reporter::parse_record"), ==, 200);
  g_assert_cmpuint (lookup_calls (calls, "csv-reporter::checksum"), ==, 50);
  g_assert_cmpuint (lookup_calls (calls, "write \"batch\", flushed"), ==, 10);
}

/* Reports ---------------------------------------------------------------- */

/* stdout belongs to the program: the report is on stderr, and nothing
 * comes before it there. */
static void
test_basic_table (void)
{
  g_autoptr(RunResult) result = RUN (NULL, HOTPATH_TEST_BASIC);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "");
  g_assert_true (g_str_has_prefix (result->err, REPORT_HEADER));
  assert_one_basic_table (result->err);
  /* basic asks for 50, 95 and 99. */
  g_assert_nonnull (strstr (result->err, "| Function "));
  g_assert_nonnull (strstr (result->err, " P50 "));
  g_assert_nonnull (strstr (result->err, " P99 "));
}

/* HOTPATH_OUTPUT_PATH=- puts it on stdout, alone. */
static void
test_output_stdout (void)
{
  g_autoptr(RunResult) table = RUN (ENV ("HOTPATH_OUTPUT_PATH=-"), HOTPATH_TEST_BASIC);
  g_autoptr(RunResult) json = RUN (ENV ("HOTPATH_OUTPUT_PATH=-", "HOTPATH_OUTPUT_FORMAT=json"),
                                   HOTPATH_TEST_BASIC);
  g_autoptr(GHashTable) calls = NULL;

  g_assert_cmpint (table->status, ==, 0);
  g_assert_cmpstr (table->err, ==, "");
  g_assert_true (g_str_has_prefix (table->out, REPORT_HEADER));
  assert_one_basic_table (table->out);

  g_assert_cmpint (json->status, ==, 0);
  g_assert_cmpstr (json->err, ==, "");
  g_assert_cmpuint (count_lines (json->out), ==, 1);
  calls = json_calls (json->out);
  assert_basic_calls (calls);
}

static void
test_basic_json (void)
{
  g_autoptr(RunResult) result = RUN (ENV ("HOTPATH_OUTPUT_FORMAT=json"), HOTPATH_TEST_BASIC);
  g_autoptr(GHashTable) calls = NULL;
  const char *newline;

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "");

  /* One document: one line, nothing before or after it. */
  newline = strchr (result->err, '\n');
  g_assert_nonnull (newline);
  g_assert_cmpint (newline[1], ==, '\0');
  g_assert_true (g_str_has_prefix (result->err, "{\"type\":\"hotpath_report\""));

  calls = json_calls (result->err);
  assert_basic_calls (calls);
}

static void
test_output_path (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *table_path = g_build_filename (dir, "report.txt", NULL);
  g_autofree char *json_path = g_build_filename (dir, "report.json", NULL);
  g_autofree char *table_env = g_strconcat ("HOTPATH_OUTPUT_PATH=", table_path, NULL);
  g_autofree char *json_env = g_strconcat ("HOTPATH_OUTPUT_PATH=", json_path, NULL);
  g_autoptr(RunResult) table = NULL;
  g_autoptr(RunResult) json = NULL;
  g_autofree char *table_text = NULL;
  g_autofree char *json_text = NULL;
  g_autoptr(GHashTable) calls = NULL;

  table = RUN (ENV (table_env), HOTPATH_TEST_BASIC);
  g_assert_cmpint (table->status, ==, 0);
  g_assert_cmpstr (table->out, ==, "");
  g_assert_cmpstr (table->err, ==, "");
  table_text = read_file (table_path);
  assert_one_basic_table (table_text);

  json = RUN (ENV (json_env, "HOTPATH_OUTPUT_FORMAT=json-pretty"), HOTPATH_TEST_BASIC);
  g_assert_cmpint (json->status, ==, 0);
  g_assert_cmpstr (json->out, ==, "");
  g_assert_cmpstr (json->err, ==, "");
  json_text = read_file (json_path);
  g_assert_cmpuint (count_lines (json_text), >, 10);   /* pretty */
  calls = json_calls (json_text);
  assert_basic_calls (calls);

  remove_temp_dir (dir);
}

static void
test_output_path_unwritable (void)
{
  g_autoptr(RunResult) result = RUN (ENV ("HOTPATH_OUTPUT_PATH=/proc/nonexistent/x"),
                                     HOTPATH_TEST_BASIC);
  const char *newline;

  /* Failing to save the report is not the program's failure. */
  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "");

  /* One line that says what went wrong, then the whole report. */
  g_assert_nonnull (hotpath_test_message_text (result->err));
  newline = strchr (result->err, '\n');
  g_assert_nonnull (newline);
  g_assert_nonnull (g_strstr_len (result->err, newline - result->err, "/proc/nonexistent/x"));
  g_assert_true (g_str_has_prefix (newline + 1, REPORT_HEADER "basic: "));
  g_assert_cmpuint (count_occurrences (result->err, HOTPATH_TEST_MESSAGE_HEAD), ==, 1);
  assert_one_basic_table (newline + 1);
}

typedef struct
{
  const char *assignment;
  const char *name;
} InvalidEnv;

static const InvalidEnv invalid_envs[] = {
  { "HOTPATH_LIMIT=abc", "HOTPATH_LIMIT" },
  { "HOTPATH_LIMIT=-1", "HOTPATH_LIMIT" },
  { "HOTPATH_OUTPUT_FORMAT=xml", "HOTPATH_OUTPUT_FORMAT" },
  { "HOTPATH_PERCENTILES=50,abc", "HOTPATH_PERCENTILES" },
  { "HOTPATH_PERCENTILES=101", "HOTPATH_PERCENTILES" },
  { "HOTPATH_LOGS_LIMIT=many", "HOTPATH_LOGS_LIMIT" },
};

static void
test_invalid_env (gconstpointer data)
{
  const InvalidEnv *invalid = data;
  g_autoptr(RunResult) result = RUN (ENV (invalid->assignment), HOTPATH_TEST_BASIC);

  g_autofree char *complaint = NULL;
  const char *newline;

  /* One line naming the variable and what it accepts; then the default. */
  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "");
  g_assert_nonnull (hotpath_test_message_text (result->err));
  newline = strchr (result->err, '\n');
  g_assert_nonnull (newline);
  complaint = g_strndup (result->err, newline - result->err);
  g_assert_nonnull (strstr (complaint, invalid->name));
  g_assert_nonnull (strstr (complaint, "expected"));
  /* The report follows it. */
  g_assert_true (g_str_has_prefix (newline + 1, REPORT_HEADER));
  assert_one_basic_table (newline + 1);
}

/* Ways to end ------------------------------------------------------------ */

static void
test_exit_from_thread (void)
{
  /* A race would show only sometimes: try a few times. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(RunResult) result = RUN (NULL, HOTPATH_TEST_THREADS_EXIT);
      g_autoptr(GHashTable) calls = NULL;

      g_assert_cmpint (result->status, ==, 0);
      g_assert_cmpstr (result->out, ==, "");
      g_assert_cmpuint (count_occurrences (result->err, REPORT_HEADER), ==, 1);
      g_assert_true (g_str_has_prefix (result->err, REPORT_HEADER "threads-exit: "));

      calls = table_calls (result->err);
      g_assert_cmpuint (g_hash_table_size (calls), ==, 2);
      g_assert_cmpuint (lookup_calls (calls, "threads-exit::main_thread_work"), ==, 50);
      g_assert_cmpuint (lookup_calls (calls, "threads-exit::worker_work"), ==, 70);
    }
}

static void
test_exit_modes (gconstpointer data)
{
  const char *mode = data;
  g_autoptr(RunResult) result = RUN (NULL, HOTPATH_TEST_EXIT_MODES, mode);
  g_autoptr(GHashTable) calls = NULL;

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "");
  g_assert_cmpuint (count_occurrences (result->err, REPORT_HEADER), ==, 1);
  g_assert_true (g_str_has_prefix (result->err, REPORT_HEADER "exit-modes: "));

  calls = table_calls (result->err);
  g_assert_cmpuint (g_hash_table_size (calls), ==, 2);
  g_assert_cmpuint (lookup_calls (calls, "exit-modes::work"), ==, 30);
  g_assert_cmpuint (lookup_calls (calls, "thread_work"), ==, 1);
}

static void
test_timeout (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GHashTable) calls = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) err = NULL;
  const char * const argv[] = { HOTPATH_TEST_TIMEOUT, NULL };
  gint64 started, header_at = 0;
  char *line;
  const char *last;
  guint64 ticks;

  /* The report on stdout ("-"), so its place among the program's own
   * lines shows. */
  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE, ENV ("HOTPATH_OUTPUT_PATH=-"));
  started = g_get_monotonic_time ();
  subprocess = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (subprocess));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      if (g_str_has_prefix (line, REPORT_HEADER) && header_at == 0)
        {
          GOutputStream *input = g_subprocess_get_stdin_pipe (subprocess);

          header_at = g_get_monotonic_time ();
          /* Let it run on a little, so its last count is surely above
           * what was recorded before the timeout. */
          g_usleep (50 * 1000);
          g_output_stream_write_all (input, "quit\n", 5, NULL, NULL, &error);
          g_assert_no_error (error);
          g_output_stream_close (input, NULL, &error);
          g_assert_no_error (error);
        }
      g_string_append_printf (out, "%s\n", line);
      g_free (line);
    }
  g_assert_no_error (error);

  err = g_memory_output_stream_new_resizable ();
  g_output_stream_splice (err, g_subprocess_get_stderr_pipe (subprocess),
                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (subprocess, NULL, &error);
  g_assert_no_error (error);

  if (g_test_verbose ())
    g_printerr ("%s", out->str);

  /* Printed once, at the timeout, before main() returned... */
  g_assert_cmpint (header_at, >, 0);
  g_assert_cmpint (header_at - started, >=, 195 * 1000);
  g_assert_cmpuint (count_occurrences (out->str, REPORT_HEADER), ==, 1);
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (err)), ==, 0);

  /* ...which was the last thing it said. */
  last = g_strrstr (out->str, "timeout: main returns after ");
  g_assert_nonnull (last);
  g_assert_true (last > strstr (out->str, REPORT_HEADER));
  ticks = g_ascii_strtoull (last + strlen ("timeout: main returns after "), NULL, 10);

  /* Recording stopped at the timeout. */
  calls = table_calls (out->str);
  g_assert_cmpuint (g_hash_table_size (calls), ==, 1);
  g_assert_cmpuint (lookup_calls (calls, "timeout::tick"), >, 0);
  g_assert_cmpuint (lookup_calls (calls, "timeout::tick"), <, ticks);
}

/* Custom reporters ------------------------------------------------------- */

static void
test_csv_reporter (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "report.csv", NULL);
  g_autoptr(RunResult) to_file = NULL;
  g_autoptr(RunResult) to_stdout = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(GHashTable) file_calls = NULL;
  g_autoptr(GHashTable) stdout_calls = NULL;

  /* The reporter replaces the table. */
  to_file = RUN (NULL, HOTPATH_TEST_CSV_REPORTER, path);
  g_assert_cmpint (to_file->status, ==, 0);
  g_assert_cmpstr (to_file->out, ==, "");
  g_assert_cmpstr (to_file->err, ==, "");
  csv = read_file (path);
  file_calls = csv_calls (csv, "name,calls,total_ns,avg_ns,p50_ns,p95_ns,p99.9_ns");
  assert_csv_reporter_calls (file_calls);
  /* The label with a comma and quotes came out quoted. */
  g_assert_nonnull (strstr (csv, "\n\"write \"\"batch\"\", flushed\",10,"));

  /* Without a path it writes to stdout; the environment picks the columns. */
  to_stdout = RUN (ENV ("HOTPATH_PERCENTILES=100,0,99.99"), HOTPATH_TEST_CSV_REPORTER);
  g_assert_cmpint (to_stdout->status, ==, 0);
  g_assert_cmpstr (to_stdout->err, ==, "");
  stdout_calls = csv_calls (to_stdout->out, "name,calls,total_ns,avg_ns,p0_ns,p99.99_ns,p100_ns");
  assert_csv_reporter_calls (stdout_calls);

  remove_temp_dir (dir);
}

static void
test_json_file_reporter (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "report.json", NULL);
  g_autoptr(RunResult) result = NULL;
  g_autoptr(RunResult) failed = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GHashTable) calls = NULL;

  result = RUN (NULL, HOTPATH_TEST_JSON_FILE_REPORTER, path);
  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "");
  g_assert_true (g_str_has_prefix (result->err, "json-file-reporter: report written to "));
  json = read_file (path);
  calls = json_calls (json);
  g_assert_cmpuint (g_hash_table_size (calls), ==, 2);
  g_assert_cmpuint (lookup_calls (calls, "json-file-reporter::is_prime"), ==, 1000);
  g_assert_cmpuint (lookup_calls (calls, "json-file-reporter::save_progress"), ==, 10);

  /* The reporter's GError reaches stderr, with the reason; the program's
   * exit status is its own. */
  failed = RUN (NULL, HOTPATH_TEST_JSON_FILE_REPORTER, "/proc/nonexistent/report.json");
  g_assert_cmpint (failed->status, ==, 0);
  g_assert_cmpstr (failed->out, ==, "");
  g_assert_cmpuint (count_lines (failed->err), ==, 1);
  g_assert_nonnull (strstr (failed->err, "JsonFileReporter"));
  g_assert_nonnull (strstr (failed->err, "/proc/nonexistent/report.json"));

  remove_temp_dir (dir);
}

/* Guards, in process ----------------------------------------------------- */

static G_GNUC_NO_INLINE guint
measured_call (guint i)
{
  HOTPATH_MEASURE ();

  return g_int_hash (&i) + i;
}

static guint64
snapshot_calls (HotpathGuard *guard,
                const char   *name)
{
  g_autoptr(HotpathSnapshot) snapshot = hotpath_guard_snapshot (guard);

  for (guint i = 0; i < hotpath_snapshot_get_n_functions (snapshot); i++)
    {
      HotpathFunctionStats *stats = hotpath_snapshot_get_function (snapshot, i);

      if (g_str_equal (hotpath_function_stats_get_name (stats), name))
        return hotpath_function_stats_get_calls (stats);
    }

  return 0;
}

static void
test_guard_second (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("second");
      g_autoptr(HotpathGuard) first = NULL;
      g_autoptr(HotpathGuard) second = NULL;
      g_autoptr(HotpathGuard) third = NULL;

      hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
      first = hotpath_guard_builder_build (builder, NULL);
      g_assert_nonnull (first);

      g_test_expect_message ("Hotpath", G_LOG_LEVEL_CRITICAL, "*already active*");
      second = hotpath_guard_builder_build (builder, NULL);
      g_test_assert_expected_messages ();
      g_assert_null (second);

      /* The first one did not notice. */
      for (guint i = 0; i < 3; i++)
        measured_call (i);
      g_assert_cmpuint (snapshot_calls (first, "test-main::measured_call"), ==, 3);

      /* Once it is finished, a new one starts from zero. */
      g_assert_true (hotpath_guard_finish (first, NULL));
      third = hotpath_guard_builder_build (builder, NULL);
      g_assert_nonnull (third);
      measured_call (0);
      g_assert_cmpuint (snapshot_calls (third, "test-main::measured_call"), ==, 1);
      g_assert_true (hotpath_guard_finish (third, NULL));

      g_print ("done\n");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("done\n");
  g_test_trap_assert_stderr ("");
}

/* The generated version header agrees with the project's version. */
G_STATIC_ASSERT (HOTPATH_CHECK_VERSION (0, 1, 0));
G_STATIC_ASSERT (!HOTPATH_CHECK_VERSION (HOTPATH_MAJOR_VERSION, HOTPATH_MINOR_VERSION + 1, 0));
G_STATIC_ASSERT (HOTPATH_VERSION_MIN_REQUIRED <= HOTPATH_VERSION_MAX_ALLOWED);

static void
test_version (void)
{
  g_autofree char *version = g_strdup_printf ("%d.%d.%d", HOTPATH_MAJOR_VERSION,
                                              HOTPATH_MINOR_VERSION, HOTPATH_MICRO_VERSION);

  g_assert_cmpstr (version, ==, PACKAGE_VERSION);
  g_assert_cmpstr (HOTPATH_VERSION_S, ==, PACKAGE_VERSION);
  g_assert_cmphex (HOTPATH_VERSION_HEX, ==, (guint) (HOTPATH_MAJOR_VERSION << 24 |
                                                     HOTPATH_MINOR_VERSION << 16 |
                                                     HOTPATH_MICRO_VERSION << 8));
}

/* A reporter that always fails, to see its error come back from finish. */
#define FAILING_TYPE_REPORTER (failing_reporter_get_type ())
G_DECLARE_FINAL_TYPE (FailingReporter, failing_reporter, FAILING, REPORTER, GObject)

struct _FailingReporter
{
  GObject parent_instance;
};

static gboolean
failing_reporter_report (HotpathReporter  *reporter,
                         HotpathSnapshot  *snapshot,
                         GError          **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "the disk is full");
  return FALSE;
}

static void
failing_reporter_iface_init (HotpathReporterInterface *iface)
{
  iface->report = failing_reporter_report;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (FailingReporter, failing_reporter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HOTPATH_TYPE_REPORTER,
                                                      failing_reporter_iface_init))

static void
failing_reporter_class_init (FailingReporterClass *klass)
{
}

static void
failing_reporter_init (FailingReporter *self)
{
}

/* hotpath_guard_finish() hands the reporter's error to its caller, every
 * time it is asked, and then logs nothing itself. */
static void
test_guard_finish_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("finish-error");
      g_autoptr(HotpathReporter) reporter = g_object_new (FAILING_TYPE_REPORTER, NULL);
      g_autoptr(HotpathGuard) guard = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) again = NULL;

      hotpath_guard_builder_set_reporter (builder, reporter);
      guard = hotpath_guard_builder_build (builder, NULL);
      g_assert_nonnull (guard);

      g_assert_false (hotpath_guard_finish (guard, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
      g_assert_nonnull (strstr (error->message, "FailingReporter"));
      g_assert_nonnull (strstr (error->message, "the disk is full"));

      g_assert_false (hotpath_guard_finish (guard, &again));
      g_assert_error (again, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
      g_print ("done\n");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("done\n");
  g_test_trap_assert_stderr ("");
}

/* An output file that cannot be written: a GFileError, and the report on
 * stderr so it is not lost. */
static void
test_guard_finish_output_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("finish-output");
      g_autoptr(HotpathGuard) guard = NULL;
      g_autoptr(GError) error = NULL;

      hotpath_guard_builder_set_output_path (builder, "/proc/nonexistent/report.txt");
      guard = hotpath_guard_builder_build (builder, NULL);
      g_assert_nonnull (guard);
      measured_call (1);

      g_assert_false (hotpath_guard_finish (guard, &error));
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      g_assert_nonnull (strstr (error->message, "/proc/nonexistent/report.txt"));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr (REPORT_HEADER "finish-output: *test-main::measured_call*");
}

static void
test_guard_autoptr (void)
{
  if (g_test_subprocess ())
    {
      {
        g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("autoptr-scope");
        g_autoptr(HotpathGuard) guard = NULL;

        /* A pending timeout must not keep the guard alive past its scope. */
        hotpath_guard_builder_set_timeout_ms (builder, 60000);
        /* On stdout, to see where it comes among the lines printed. */
        hotpath_guard_builder_set_output_path (builder, "-");
        guard = hotpath_guard_builder_build (builder, NULL);

        g_assert_nonnull (guard);
        for (guint i = 0; i < 5; i++)
          measured_call (i);
        g_print ("scope ends\n");
      }
      g_print ("after the scope\n");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("scope ends\n" REPORT_HEADER "autoptr-scope: *"
                             "| test-main::measured_call |*5 |*"
                             "after the scope\n");
  g_test_trap_assert_stdout_unmatched ("*" REPORT_HEADER "*" REPORT_HEADER "*");
  g_test_trap_assert_stderr ("");
}

/* HOTPATH_MAIN works in any function; this one plays main(). */
static void
main_with_format_none (void)
{
  HOTPATH_MAIN (.format = HOTPATH_FORMAT_NONE, .name = "format-none");

  for (guint i = 0; i < 5; i++)
    measured_call (i);
}

static void
test_main_format_none (void)
{
  if (g_test_subprocess ())
    {
      main_with_format_none ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr ("");
}

static void
test_main_env_beats_code (void)
{
  if (g_test_subprocess ())
    {
      g_setenv ("HOTPATH_OUTPUT_FORMAT", "json", TRUE);
      main_with_format_none ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("{\"type\":\"hotpath_report\",*\"program\":\"format-none\",*"
                             "\"name\":\"test-main::measured_call\",*\"calls\":5,*}\n");
  g_test_trap_assert_stderr_unmatched ("*\n*\n*");
  g_test_trap_assert_stdout ("");
}

/* `prog --help` under a session: nothing measured, nothing printed; a
 * format or a file asked for explicitly still gets its report. */
static void
main_measuring_nothing (void)
{
  HOTPATH_MAIN (.name = "nothing");
}

static void
test_main_nothing_measured (void)
{
  if (g_test_subprocess ())
    {
      main_measuring_nothing ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr ("");
}

static void
test_main_nothing_measured_json (void)
{
  if (g_test_subprocess ())
    {
      g_setenv ("HOTPATH_OUTPUT_FORMAT", "json", TRUE);
      main_measuring_nothing ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr ("{\"type\":\"hotpath_report\",*\"program\":\"nothing\",*}\n");
}


/* Signals and exec ------------------------------------------------------- */

#include <signal.h>

typedef struct
{
  GSubprocess *process;
  char        *out;   /* stdout after "ready\n" */
  char        *err;
} SignalRun;

static void
signal_run_clear (SignalRun *run)
{
  g_clear_object (&run->process);
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SignalRun, signal_run_clear)

/* Starts tests/fixtures/signals @argv, waits for "ready", sends @sig (if
 * not 0), and reads everything until it ends. */
static void
signal_run (SignalRun          *run,
            const char * const *env,
            const char * const *argv,
            int                 sig)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *rest = NULL;

  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, env);
  run->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run->process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");

  if (sig != 0)
    g_subprocess_send_signal (run->process, sig);

  /* The rest of stdout through the buffered stream, then stderr. */
  rest = g_data_input_stream_read_upto (lines, "", 0, NULL, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
    g_autoptr(GOutputStream) err = g_memory_output_stream_new_resizable ();

    g_output_stream_splice (out, G_INPUT_STREAM (lines), G_OUTPUT_STREAM_SPLICE_NONE, NULL, &error);
    g_assert_no_error (error);
    g_output_stream_splice (err, g_subprocess_get_stderr_pipe (run->process),
                            G_OUTPUT_STREAM_SPLICE_NONE, NULL, &error);
    g_assert_no_error (error);
    g_output_stream_write (out, "", 1, NULL, NULL);
    g_output_stream_write (err, "", 1, NULL, NULL);
    run->out = g_strconcat (rest ? rest : "", g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)), NULL);
    run->err = g_strdup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (err)));
  }
  g_subprocess_wait (run->process, NULL, &error);
  g_assert_no_error (error);

  if (g_test_verbose ())
    g_printerr ("--- stdout\n%s--- stderr\n%s---\n", run->out, run->err);
}

static void
assert_signals_table (const char *text)
{
  const char *start = strstr (text, REPORT_HEADER "signals: ");
  g_autofree char *functions = NULL;
  g_autoptr(GHashTable) calls = NULL;

  /* The functions' table, up to the main loop's. */
  g_assert_nonnull (start);
  g_assert_cmpuint (count_occurrences (text, REPORT_HEADER "signals: "), ==, 1);
  functions = g_strndup (start, strstr (start, "\n\n") ? (gsize) (strstr (start, "\n\n") - start) : strlen (start));
  calls = table_calls (functions);
  g_assert_cmpuint (g_hash_table_size (calls), ==, 1);
  g_assert_cmpuint (lookup_calls (calls, "signals::tick"), >=, 5);
}

/* SIGINT, SIGTERM, SIGHUP: the report, then death by the same signal. */
static void
test_signal_report (gconstpointer data)
{
  int sig = GPOINTER_TO_INT (data);
  g_auto(SignalRun) run = { 0 };

  signal_run (&run, NULL, (const char * const []) { HOTPATH_TEST_SIGNALS, "loop", NULL }, sig);

  g_assert_true (g_subprocess_get_if_signaled (run.process));
  g_assert_cmpint (g_subprocess_get_term_sig (run.process), ==, sig);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, REPORT_HEADER "signals: "));
  assert_signals_table (run.err);
}

/* What a shell sees: 128 + N, as without the profiler. */
static void
test_signal_shell_status (void)
{
  g_autofree char *script = g_strdup_printf ("'%s' loop >/dev/null 2>&1 & pid=$!; "
                                             "sleep 0.3; kill -TERM $pid; wait $pid; echo $?",
                                             HOTPATH_TEST_SIGNALS);
  g_autoptr(RunResult) result = RUN (NULL, "/bin/sh", "-c", script);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "143\n");
}

/* JSON into a file, and a custom reporter: every output is written. */
static void
test_signal_outputs (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "report.json", NULL);
  g_autofree char *path_env = g_strconcat ("HOTPATH_OUTPUT_PATH=", path, NULL);
  g_autofree char *json = NULL;
  g_autoptr(GHashTable) calls = NULL;
  g_auto(SignalRun) to_file = { 0 };
  g_auto(SignalRun) reporter = { 0 };

  signal_run (&to_file, ENV (path_env, "HOTPATH_OUTPUT_FORMAT=json"),
              (const char * const []) { HOTPATH_TEST_SIGNALS, "loop", NULL }, SIGTERM);
  g_assert_true (g_subprocess_get_if_signaled (to_file.process));
  g_assert_cmpint (g_subprocess_get_term_sig (to_file.process), ==, SIGTERM);
  g_assert_cmpstr (to_file.err, ==, "");
  json = read_file (path);
  calls = json_calls (json);
  g_assert_cmpuint (lookup_calls (calls, "signals::tick"), >=, 5);

  signal_run (&reporter, NULL, (const char * const []) { HOTPATH_TEST_SIGNALS, "reporter", NULL }, SIGINT);
  g_assert_true (g_subprocess_get_if_signaled (reporter.process));
  g_assert_cmpint (g_subprocess_get_term_sig (reporter.process), ==, SIGINT);
  g_assert_cmpstr (reporter.err, ==, "reporter: 1 functions\n");

  remove_temp_dir (dir);
}

/* The program's own handlers keep working; the report comes at exit. */
static void
test_signal_program_handler (gconstpointer data)
{
  const char *mode = data;
  g_auto(SignalRun) run = { 0 };

  signal_run (&run, NULL, (const char * const []) { HOTPATH_TEST_SIGNALS, mode, NULL }, SIGTERM);

  g_assert_true (g_subprocess_get_if_exited (run.process));
  g_assert_cmpint (g_subprocess_get_exit_status (run.process), ==, 0);
  g_assert_cmpstr (run.out, ==, "handled 15\n");
  g_assert_true (g_str_has_prefix (run.err, REPORT_HEADER "signals: "));
  assert_signals_table (run.err);
}

/* exec*(): the report is written before the image is replaced. */
static void
test_exec_report (gconstpointer data)
{
  const char *mode = data;
  g_auto(SignalRun) run = { 0 };
  const char *exec_out;

  /* Both on stdout, so the order shows. */
  signal_run (&run, ENV ("HOTPATH_OUTPUT_PATH=-"),
              (const char * const []) { HOTPATH_TEST_SIGNALS, mode,
                                        g_str_equal (mode, "execlp") ? "echo" : "/bin/echo",
                                        "the new image", NULL }, 0);

  g_assert_true (g_subprocess_get_if_exited (run.process));
  g_assert_cmpint (g_subprocess_get_exit_status (run.process), ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  exec_out = strstr (run.out, "the new image\n");
  g_assert_nonnull (exec_out);
  g_assert_cmpstr (exec_out, ==, "the new image\n");
  assert_signals_table (run.out);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/Main/basic-table", test_basic_table);
  g_test_add_func ("/Hotpath/Main/basic-json", test_basic_json);
  g_test_add_func ("/Hotpath/Main/output-stdout", test_output_stdout);
  g_test_add_func ("/Hotpath/Main/nothing-measured", test_main_nothing_measured);
  g_test_add_func ("/Hotpath/Main/nothing-measured-json", test_main_nothing_measured_json);
  g_test_add_func ("/Hotpath/Main/output-path", test_output_path);
  g_test_add_func ("/Hotpath/Main/output-path-unwritable", test_output_path_unwritable);
  for (guint i = 0; i < G_N_ELEMENTS (invalid_envs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Hotpath/Main/invalid-env/%s", invalid_envs[i].assignment);
      g_test_add_data_func (path, &invalid_envs[i], test_invalid_env);
    }
  g_test_add_func ("/Hotpath/Main/exit-from-thread", test_exit_from_thread);
  g_test_add_data_func ("/Hotpath/Main/exit-modes/return", "return", test_exit_modes);
  g_test_add_data_func ("/Hotpath/Main/exit-modes/exit", "exit", test_exit_modes);
  g_test_add_func ("/Hotpath/Main/timeout", test_timeout);
  g_test_add_data_func ("/Hotpath/Main/signal/SIGINT", GINT_TO_POINTER (SIGINT), test_signal_report);
  g_test_add_data_func ("/Hotpath/Main/signal/SIGTERM", GINT_TO_POINTER (SIGTERM), test_signal_report);
  g_test_add_data_func ("/Hotpath/Main/signal/SIGHUP", GINT_TO_POINTER (SIGHUP), test_signal_report);
  g_test_add_func ("/Hotpath/Main/signal/shell-status", test_signal_shell_status);
  g_test_add_func ("/Hotpath/Main/signal/outputs", test_signal_outputs);
  g_test_add_data_func ("/Hotpath/Main/signal/program-glib", "glib", test_signal_program_handler);
  g_test_add_data_func ("/Hotpath/Main/signal/program-sigaction", "sigaction", test_signal_program_handler);
  g_test_add_data_func ("/Hotpath/Main/exec/execv", "exec", test_exec_report);
  g_test_add_data_func ("/Hotpath/Main/exec/execlp", "execlp", test_exec_report);
  g_test_add_func ("/Hotpath/Main/format-none", test_main_format_none);
  g_test_add_func ("/Hotpath/Main/env-beats-code", test_main_env_beats_code);
  g_test_add_func ("/Hotpath/Main/csv-reporter", test_csv_reporter);
  g_test_add_func ("/Hotpath/Main/json-file-reporter", test_json_file_reporter);
  g_test_add_func ("/Hotpath/Guard/second", test_guard_second);
  g_test_add_func ("/Hotpath/Guard/autoptr", test_guard_autoptr);
  g_test_add_func ("/Hotpath/Main/version", test_version);
  g_test_add_func ("/Hotpath/Guard/finish-error", test_guard_finish_error);
  g_test_add_func ("/Hotpath/Guard/finish-output-error", test_guard_finish_output_error);

  return g_test_run ();
}
