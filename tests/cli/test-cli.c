/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-cli.c: the `hotpath` command as a user runs it, on programs built
 * without hotpath-glib (the programs in tests/cli): run and record (what the preloaded
 * profiler sees and says it cannot see, exit status, signals, children),
 * compare on real reports of a program run at 1x and 10x the work, and
 * list/show against a running program on the session bus and over HTTP.
 * Runs under tests/viewer/run-under-xvfb.sh: its own X server and bus.
 */

#include "config.h"

#include <signal.h>
#include <unistd.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "hotpath-test-schema.h"

#if !defined (HOTPATH_TEST_CLI) || !defined (HOTPATH_TEST_PLAIN_LOOP)
# error "tests/cli/meson.build passes the paths of the programs to run"
#endif

typedef struct
{
  gboolean signaled;
  int      status;       /* exit status, or the signal */
  char    *out;
  char    *err;
} Run;

static void
run_free (Run *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static Run *
run_cli_argv (const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);

  /* The programs' own warnings are not the test's. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->signaled = g_subprocess_get_if_signaled (process);
  run->status = run->signaled ? g_subprocess_get_term_sig (process) : g_subprocess_get_exit_status (process);
  g_test_message ("%s: status %d%s\nstdout:\n%s\nstderr:\n%s", argv[1], run->status,
                  run->signaled ? " (signal)" : "", run->out, run->err);

  return run;
}

#define run_cli(...) run_cli_argv ((const char * const[]) { HOTPATH_TEST_CLI, __VA_ARGS__, NULL })

static JsonObject *
load_json (const char *path,
           JsonNode  **root_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  hotpath_test_assert_valid_json (text, NULL);
  *root_out = json_from_string (text, &error);
  g_assert_no_error (error);

  return json_node_get_object (*root_out);
}

static JsonObject *
find_row (JsonObject *report,
          const char *section,
          const char *name)
{
  JsonObject *sections = json_object_get_object_member (report, "sections");
  JsonArray *data;

  if (!json_object_has_member (sections, section))
    return NULL;
  data = json_object_get_array_member (json_object_get_object_member (sections, section), "data");
  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *row = json_array_get_object_element (data, i);

      if (g_strcmp0 (json_object_get_string_member (row, "name"), name) == 0)
        return row;
    }

  return NULL;
}

static char *
temp_path (const char *name)
{
  static char *dir;

  if (dir == NULL)
    dir = g_dir_make_tmp ("hotpath-cli-XXXXXX", NULL);

  return g_build_filename (dir, name, NULL);
}

/* ------------------------------------------------------------ usage */

static void
test_usage (void)
{
  g_autoptr(Run) none = run_cli_argv ((const char * const[]) { HOTPATH_TEST_CLI, NULL });
  g_autoptr(Run) unknown = run_cli ("frobnicate");
  g_autoptr(Run) no_program = run_cli ("run");
  g_autoptr(Run) bad_format = run_cli ("run", "--format", "xml", "--", "true");
  g_autoptr(Run) no_output = run_cli ("record", "--", "true");
  g_autoptr(Run) help = run_cli ("run", "--help");

  g_assert_cmpint (none->status, ==, 2);
  g_assert_nonnull (strstr (none->err, "Usage: hotpath COMMAND"));
  g_assert_cmpint (unknown->status, ==, 2);
  g_assert_nonnull (strstr (unknown->err, "unknown command 'frobnicate'"));
  g_assert_cmpint (no_program->status, ==, 2);
  g_assert_nonnull (strstr (no_program->err, "no program to run"));
  g_assert_cmpint (bad_format->status, ==, 2);
  g_assert_nonnull (strstr (bad_format->err, "--format must be"));
  g_assert_cmpint (no_output->status, ==, 2);
  g_assert_nonnull (strstr (no_output->err, "record needs -o FILE"));
  g_assert_cmpint (help->status, ==, 0);
  g_assert_nonnull (strstr (help->out, "--alloc"));
}

/* -------------------------------------------------------------- run */

/* Not a GLib program: it runs as usual, and we say what we could not see. */
static void
test_run_true (void)
{
  g_autoptr(Run) run = run_cli ("run", "--no-live", "--", "/bin/true");

  g_assert_false (run->signaled);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->err, ": true attached no main-loop source, connected no signal "
                                      "handler and made no GTask"));
}

static void
test_run_exit_status (void)
{
  g_autoptr(Run) three = run_cli ("run", "--no-live", "--", "sh", "-c", "exit 3");
  g_autoptr(Run) missing = run_cli ("run", "--no-live", "--", "/nonexistent/program");

  g_assert_false (three->signaled);
  g_assert_cmpint (three->status, ==, 3);
  g_assert_cmpint (missing->status, ==, 127);
  g_assert_nonnull (strstr (missing->err, "hotpath: cannot run /nonexistent/program"));

  /* A set-user-ID program (of another user) ignores LD_PRELOAD: said,
   * and it still runs. */
  if (g_file_test ("/usr/bin/passwd", G_FILE_TEST_EXISTS) && geteuid () != 0)
    {
      g_autoptr(Run) setuid = run_cli ("run", "--no-live", "--", "/usr/bin/passwd", "--help");

      g_assert_nonnull (strstr (setuid->err, "set-user-ID or set-group-ID"));
    }
}

/* Killed by a signal: so is `hotpath run`, as the shell would see it. */
static void
test_run_signal (void)
{
  g_autoptr(Run) run = run_cli ("run", "--no-live", "--", "sh", "-c", "kill -TERM $$");

  g_assert_true (run->signaled);
  g_assert_cmpint (run->status, ==, SIGTERM);
}

/* Children are not profiled unless --follow. */
static void
test_run_children (void)
{
  g_autoptr(Run) alone = run_cli ("run", "--no-live", "--", "sh", "-c", "echo \"[$LD_PRELOAD]\"");
  g_autoptr(Run) follow = run_cli ("run", "--no-live", "--follow", "--", "sh", "-c", "echo \"[$LD_PRELOAD]\"");

  g_assert_cmpint (alone->status, ==, 0);
  g_assert_nonnull (strstr (alone->out, "["));
  g_assert_null (strstr (alone->out, "libhotpath-glib-preload.so"));
  g_assert_cmpint (follow->status, ==, 0);
  g_assert_nonnull (strstr (follow->out, "libhotpath-glib-preload.so"));
}

/* The table report of a plain GLib program names its callback. */
static void
test_run_table (void)
{
  g_autoptr(Run) run = run_cli ("run", "--no-live", "--format", "table", "--",
                                HOTPATH_TEST_PLAIN_LOOP, "100", "10");
  g_autofree char *all = NULL;

  g_assert_cmpint (run->status, ==, 0);
  all = g_strconcat (run->out, run->err, NULL);
  g_assert_nonnull (strstr (all, "[hotpath] plain-loop"));
  g_assert_nonnull (strstr (all, "plain-loop::busy_tick"));
  g_assert_nonnull (strstr (run->err, ": plain-loop: saw "));
}

/* An unmodified GTK 4 program whose timeout callback stalls the main
 * loop: the sources and main_loop sections name the callback, and frames
 * counts the frames the stalls made late. */
#define TICKS 8   /* tests/cli/gtk-stall.c */
static void
test_run_gtk (void)
{
#ifdef HOTPATH_TEST_GTK_STALL
  g_autofree char *path = temp_path ("gtk-stall.json");
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *report, *tick, *activate, *main_loop, *sections, *frames;
  JsonArray *longest, *stalls;
  gboolean stall_named = FALSE, longest_named = FALSE;

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_test_skip ("no X display (run under tests/viewer/run-under-xvfb.sh)");
      return;
    }

  run = run_cli ("record", "-o", path, "--", HOTPATH_TEST_GTK_STALL);
  g_assert_false (run->signaled);
  g_assert_cmpint (run->status, ==, 0);
  report = load_json (path, &root);
  sections = json_object_get_object_member (report, "sections");
  hotpath_test_assert_valid_json (json_to_string (json_object_get_member (sections, "sources"), FALSE),
                                  "sources_section");

  tick = find_row (report, "sources", "gtk-stall::stall_tick");
  g_assert_nonnull (tick);
  g_assert_cmpstr (json_object_get_string_member (tick, "type"), ==, "timeout");
  g_assert_cmpstr (json_object_get_string_member (tick, "context"), ==, "main");
  g_assert_cmpint (json_object_get_int_member (tick, "dispatches"), ==, 8);
  /* 60 ms of busy work each. */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (tick, "duration_ns"), "min_ns"),
                   >=, 60 * 1000 * 1000);

  activate = find_row (report, "sources", "gtk-stall::on_activate");
  g_assert_nonnull (activate);
  g_assert_cmpstr (json_object_get_string_member (activate, "type"), ==, "signal");

  main_loop = find_row (report, "main_loop", "main");
  g_assert_nonnull (main_loop);
  g_assert_cmpint (json_object_get_int_member (main_loop, "stalls"), >=, 4);
  longest = json_object_get_array_member (main_loop, "longest_dispatches");
  for (guint i = 0; i < json_array_get_length (longest); i++)
    longest_named |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (longest, i), "source"),
                                "gtk-stall::stall_tick") == 0;
  g_assert_true (longest_named);
  stalls = json_object_get_array_member (main_loop, "logs");
  for (guint i = 0; i < json_array_get_length (stalls); i++)
    {
      JsonArray *sources = json_object_get_array_member (json_array_get_object_element (stalls, i), "sources");

      for (guint j = 0; j < json_array_get_length (sources); j++)
        stall_named |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (sources, j), "source"),
                                  "gtk-stall::stall_tick") == 0;
    }
  g_assert_true (stall_named);
  g_assert_nonnull (strstr (run->err, ": gtk-stall: saw "));

  /* Its animation asks for a frame every refresh; each stall makes the
   * next frame late by up to 60 ms: refresh slots missed. */
  hotpath_test_assert_valid_json (json_to_string (json_object_get_member (sections, "frames"), FALSE),
                                  "frames_section");
  frames = find_row (report, "frames", "surface 2");
  if (frames == NULL)
    frames = find_row (report, "frames", "surface 1");
  g_assert_nonnull (frames);
  g_assert_cmpint (json_object_get_int_member (frames, "frames"), >=, TICKS);
  g_assert_cmpint (json_object_get_int_member (frames, "late_frames"), >=, TICKS / 2);
  g_assert_cmpint (json_object_get_int_member (frames, "missed_frames"), >=, TICKS);
  g_assert_cmpint (json_object_get_int_member (frames, "refresh_interval_ns"), >, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (frames, "layout_ns"), "count"), >=, TICKS);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (frames, "paint_ns"), "count"), >=, TICKS);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (frames, "logs")), >=, TICKS / 2);
#else
  g_test_skip ("built without GTK 4");
#endif
}

/* libsoup 2 and 3 cannot share a process: HTTP/MCP are off, one line says
 * why, the program runs and the report comes. */
static void
test_run_libsoup2 (void)
{
#ifdef HOTPATH_TEST_SOUP2_PLAIN
  g_autofree char *path = temp_path ("soup2.json");
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *report;
  guint off_lines = 0;

  run = run_cli ("record", "-o", path, "--", HOTPATH_TEST_SOUP2_PLAIN);
  g_assert_false (run->signaled);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_null (strstr (run->err, "libsoup-ERROR"));
  lines = g_strsplit (run->err, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    off_lines += strstr (lines[i], "live HTTP and MCP servers are off: this process "
                                   "uses libsoup 2 (libsoup-2.4.so.1)") != NULL;
  g_assert_cmpuint (off_lines, ==, 1);

  report = load_json (path, &root);
  g_assert_nonnull (find_row (report, "sources", "soup2-plain::quit_soon"));
#else
  g_test_skip ("built without libsoup-2.4");
#endif
}

/* GJS reaches GLib through GObject Introspection: its timeout callbacks
 * are watched too, named after the binding. */
static void
test_run_gjs (void)
{
#ifdef HOTPATH_TEST_GJS
  g_autofree char *path = temp_path ("gjs.json");
  g_autoptr(Run) run = run_cli ("record", "--no-live", "-o", path, "--",
                                HOTPATH_TEST_GJS, HOTPATH_TEST_GJS_SCRIPT);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *report, *tick, *main_loop;

  g_assert_cmpint (run->status, ==, 0);
  report = load_json (path, &root);
  tick = find_row (report, "sources", "gjs::(JavaScript callback)");
  g_assert_nonnull (tick);
  g_assert_cmpstr (json_object_get_string_member (tick, "type"), ==, "timeout");
  g_assert_cmpint (json_object_get_int_member (tick, "dispatches"), ==, 5);
  main_loop = find_row (report, "main_loop", "main");
  g_assert_nonnull (main_loop);
  g_assert_cmpint (json_object_get_int_member (main_loop, "stalls"), >=, 3);
#else
  g_test_skip ("gjs is not installed");
#endif
}

/* --alloc preloads the malloc interposer too: allocations per thread. */
static void
test_run_alloc (void)
{
#ifndef HOTPATH_TEST_SANITIZED
  g_autofree char *path = temp_path ("alloc.json");
  g_autoptr(Run) run = run_cli ("record", "--alloc", "--no-live", "-o", path, "--",
                                HOTPATH_TEST_PLAIN_LOOP, "100", "10");
  g_autoptr(JsonNode) root = NULL;
  JsonObject *report, *alloc;

  g_assert_cmpint (run->status, ==, 0);
  report = load_json (path, &root);
  alloc = json_object_get_object_member (json_object_get_object_member (report, "sections"),
                                         "functions_alloc");
  g_assert_nonnull (alloc);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (alloc, "session"),
                                               "alloc_count"), >, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (alloc, "threads")), >=, 1);
#else
  g_test_skip ("the sanitizer replaces malloc itself");
#endif
}

/* ---------------------------------------------------------- compare */

static char *base_reports[3];
static char *head_reports[3];

/* Real reports: plain-loop at 100 µs per tick (base) and 1 ms (head). */
static void
record_reports (void)
{
  if (base_reports[0] != NULL)
    return;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *base_name = g_strdup_printf ("base%u.json", i);
      g_autofree char *head_name = g_strdup_printf ("head%u.json", i);
      g_autoptr(Run) base = NULL;
      g_autoptr(Run) head = NULL;

      base_reports[i] = temp_path (base_name);
      head_reports[i] = temp_path (head_name);
      base = run_cli ("record", "--no-live", "--percentiles", "50,95", "-o", base_reports[i], "--",
                      HOTPATH_TEST_PLAIN_LOOP, "100", "20");
      head = run_cli ("record", "--no-live", "--percentiles", "50,95", "-o", head_reports[i], "--",
                      HOTPATH_TEST_PLAIN_LOOP, "1000", "20");
      g_assert_cmpint (base->status, ==, 0);
      g_assert_cmpint (head->status, ==, 0);
    }
}

static void
test_compare_regression (void)
{
  g_autoptr(Run) run = NULL;

  record_reports ();
  /* The median of three runs a side, on p50: robust to a busy machine. */
  run = run_cli ("compare", "--threshold", "50", "--metric", "p50",
                 base_reports[0], base_reports[1], base_reports[2],
                 head_reports[0], head_reports[1], head_reports[2]);
  g_assert_false (run->signaled);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->out, "<!-- hotpath-compare -->"));
  g_assert_nonnull (strstr (run->out, "### Performance comparison: plain-loop, base → head"));
  g_assert_nonnull (strstr (run->out, "base: 3 runs, head: 3 runs"));
  g_assert_nonnull (strstr (run->out, "| ⚠️ | source | `plain-loop::busy_tick` | 20 → 20 |"));
  g_assert_nonnull (strstr (run->out, "<details><summary>All "));
}

static void
test_compare_same (void)
{
  g_autoptr(Run) run = NULL;

  record_reports ();
  run = run_cli ("compare", "--threshold", "50", head_reports[0], head_reports[0]);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "✅ **No regression** beyond +50%"));
  g_assert_null (strstr (run->out, "⚠️"));
}

static void
test_compare_json (void)
{
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonArray *rows;
  gboolean found = FALSE;

  record_reports ();
  run = run_cli ("compare", "--format", "json", "--metric", "p50", "--threshold", "50",
                 base_reports[0], base_reports[1], head_reports[0], head_reports[1]);
  g_assert_cmpint (run->status, ==, 1);
  root = json_from_string (run->out, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "hotpath_compare");
  g_assert_cmpint (json_object_get_int_member (object, "regressions"), >=, 1);
  rows = json_object_get_array_member (object, "rows");
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      if (g_strcmp0 (json_object_get_string_member (row, "name"), "plain-loop::busy_tick") == 0 &&
          g_strcmp0 (json_object_get_string_member (row, "section"), "sources") == 0)
        {
          found = TRUE;
          g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "regression");
          g_assert_cmpfloat (json_object_get_double_member (row, "change_percent"), >, 50);
        }
    }
  g_assert_true (found);
}

static void
test_compare_errors (void)
{
  g_autofree char *bogus = temp_path ("bogus.json");
  g_autoptr(Run) one = NULL;
  g_autoptr(Run) odd = NULL;
  g_autoptr(Run) not_report = NULL;
  g_autoptr(Run) metric = NULL;
  g_autoptr(Run) missing_percentile = NULL;
  g_autoptr(Run) table = NULL;

  record_reports ();
  g_file_set_contents (bogus, "{\"type\": \"something else\"}", -1, NULL);
  one = run_cli ("compare", base_reports[0]);
  odd = run_cli ("compare", base_reports[0], base_reports[1], head_reports[0]);
  not_report = run_cli ("compare", bogus, head_reports[0]);
  metric = run_cli ("compare", "--metric", "fastest", base_reports[0], head_reports[0]);
  missing_percentile = run_cli ("compare", "--metric", "p99", base_reports[0], head_reports[0]);
  table = run_cli ("compare", "--format", "table", "--metric", "p50", "--threshold", "50",
                   base_reports[0], head_reports[0]);

  g_assert_cmpint (one->status, ==, 2);
  g_assert_cmpint (odd->status, ==, 2);
  g_assert_cmpint (not_report->status, ==, 2);
  g_assert_nonnull (strstr (not_report->err, "is not a hotpath JSON report"));
  g_assert_cmpint (metric->status, ==, 2);
  g_assert_cmpint (missing_percentile->status, ==, 2);
  g_assert_nonnull (strstr (missing_percentile->err, "has no p99"));
  g_assert_cmpint (table->status, ==, 1);
  g_assert_nonnull (strstr (table->out, "plain-loop::busy_tick"));
  g_assert_nonnull (strstr (table->out, "regression"));
}

/* -------------------------------------------------------- list, show */

static void
test_list_show (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Run) list = NULL;
  g_autoptr(Run) list_json = NULL;
  g_autoptr(Run) show = NULL;
  g_autoptr(Run) show_json = NULL;
  g_autoptr(Run) show_url = NULL;
  g_autoptr(Run) show_logs = NULL;
  g_autoptr(Run) show_missing = NULL;
  g_autoptr(JsonNode) targets = NULL;
  g_autoptr(JsonNode) section = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *url = NULL;
  g_autofree char *id = NULL;
  JsonArray *array;
  char *line;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no session bus (run under tests/viewer/run-under-xvfb.sh)");
      return;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  /* Free ports: 6770/6771 may be held by another program. (The test
   * environment sets these empty, which `hotpath run` keeps.) */
  g_subprocess_launcher_setenv (launcher, "HOTPATH_METRICS_PORT", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOTPATH_MCP_PORT", "0", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, HOTPATH_TEST_CLI, "run", "--",
                                         HOTPATH_TEST_PLAIN_LOOP, "200", NULL);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  while ((line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error)) != NULL)
    {
      gboolean ready = strcmp (line, "plain-loop: ready") == 0;

      g_test_message ("run: %s", line);
      g_free (line);
      if (ready)
        break;
    }
  g_assert_no_error (error);

  /* It may take a moment to own its name on the bus. */
  for (guint i = 0; i < 200; i++)
    {
      g_clear_pointer (&list_json, run_free);
      list_json = run_cli ("list", "--json");
      g_assert_cmpint (list_json->status, ==, 0);
      if (strstr (list_json->out, "\"plain-loop\"") != NULL)
        break;
      g_usleep (20000);
    }
  targets = json_from_string (list_json->out, &error);
  g_assert_no_error (error);
  array = json_node_get_array (targets);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *target = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (target, "program"), "plain-loop") == 0)
        {
          pid = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (target, "pid"));
          url = g_strdup_printf ("http://127.0.0.1:%" G_GINT64_FORMAT "/",
                                 json_object_get_int_member (target, "http_port"));
          g_assert_cmpint (json_object_get_int_member (target, "http_port"), >, 0);
        }
    }
  g_assert_nonnull (pid);

  list = run_cli ("list");
  g_assert_cmpint (list->status, ==, 0);
  g_assert_nonnull (strstr (list->out, "PROGRAM"));
  g_assert_nonnull (strstr (list->out, pid));
  g_assert_nonnull (strstr (list->out, "plain-loop"));

  /* The first tick's dispatch ends after "ready": wait until it is in. */
  for (guint i = 0; i < 200; i++)
    {
      g_clear_pointer (&show, run_free);
      show = run_cli ("show", pid, "sources", "main_loop");
      g_assert_cmpint (show->status, ==, 0);
      if (strstr (show->out, "plain-loop::busy_tick") != NULL)
        break;
      g_usleep (20000);
    }
  g_assert_nonnull (strstr (show->out, "[hotpath] main-loop sources and signal handlers"));
  g_assert_nonnull (strstr (show->out, "plain-loop::busy_tick"));
  g_assert_nonnull (strstr (show->out, "[hotpath] main loop"));
  g_assert_null (strstr (show->out, "[hotpath] futures"));

  show_json = run_cli ("show", pid, "--json");
  g_assert_cmpint (show_json->status, ==, 0);
  hotpath_test_assert_valid_json (show_json->out, NULL);

  show_url = run_cli ("show", url, "sources", "--json");
  g_assert_cmpint (show_url->status, ==, 0);
  hotpath_test_assert_valid_json (show_url->out, "sources_section");
  section = json_from_string (show_url->out, &error);
  g_assert_no_error (error);
  id = g_strdup_printf ("%" G_GINT64_FORMAT,
                        json_object_get_int_member (json_array_get_object_element (
                          json_object_get_array_member (json_node_get_object (section), "data"), 0), "id"));

  show_logs = run_cli ("show", pid, "sources", id);
  g_assert_cmpint (show_logs->status, ==, 0);
  hotpath_test_assert_valid_json (show_logs->out, "source");

  show_missing = run_cli ("show", "999999999");
  g_assert_cmpint (show_missing->status, ==, 1);

  /* --watch redraws in place until ^C. */
  {
    g_autoptr(GSubprocess) watch = NULL;
    g_autofree char *out = NULL;
    const char *p;
    guint frames = 0;

    watch = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, HOTPATH_TEST_CLI, "show", pid,
                              "main_loop", "--watch", "0.2", NULL);
    g_assert_no_error (error);
    g_usleep (1500 * 1000);
    g_subprocess_send_signal (watch, SIGINT);
    g_subprocess_communicate_utf8 (watch, NULL, NULL, &out, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_subprocess_get_exit_status (watch), ==, 0);
    for (p = out; (p = strstr (p, "\033[H[hotpath] plain-loop")) != NULL; p++)
      frames++;
    g_assert_cmpuint (frames, >=, 2);
    g_assert_nonnull (strstr (out, "[hotpath] main loop"));
  }

  /* End of input: the program quits, `hotpath run` passes its 0 on. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, &error);
  g_assert_no_error (error);
  while ((line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error)) != NULL)
    g_free (line);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Profiled children serve HTTP and MCP on free ports: another program (or
   * another test running beside this one) may hold 6770 and 6771. */
  g_setenv ("HOTPATH_METRICS_PORT", "0", TRUE);
  g_setenv ("HOTPATH_MCP_PORT", "0", TRUE);

  g_test_add_func ("/Hotpath/Cli/usage", test_usage);
  g_test_add_func ("/Hotpath/Cli/run/true", test_run_true);
  g_test_add_func ("/Hotpath/Cli/run/exit-status", test_run_exit_status);
  g_test_add_func ("/Hotpath/Cli/run/signal", test_run_signal);
  g_test_add_func ("/Hotpath/Cli/run/children", test_run_children);
  g_test_add_func ("/Hotpath/Cli/run/table", test_run_table);
  g_test_add_func ("/Hotpath/Cli/run/gtk", test_run_gtk);
  g_test_add_func ("/Hotpath/Cli/run/libsoup2", test_run_libsoup2);
  g_test_add_func ("/Hotpath/Cli/run/alloc", test_run_alloc);
  g_test_add_func ("/Hotpath/Cli/run/gjs", test_run_gjs);
  g_test_add_func ("/Hotpath/Cli/compare/regression", test_compare_regression);
  g_test_add_func ("/Hotpath/Cli/compare/same", test_compare_same);
  g_test_add_func ("/Hotpath/Cli/compare/json", test_compare_json);
  g_test_add_func ("/Hotpath/Cli/compare/errors", test_compare_errors);
  g_test_add_func ("/Hotpath/Cli/list-show", test_list_show);

  return g_test_run ();
}
