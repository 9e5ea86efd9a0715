/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-flow-report.c: the data-flow sections of a real report. Runs
 * examples/dataflow as a process with JSON output, validates the whole
 * report against data/hotpath-report.schema.json and checks the numbers
 * the example guarantees (see examples/dataflow.c): every job sent is
 * received, every third job goes through the pool, 20 tasks of which task
 * 13 fails, 50 idles, a signal every fifth frame and a stall every tenth.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#include "hotpath-test-schema.h"

#ifndef HOTPATH_TEST_DATAFLOW
# error "tests/meson.build passes the path of examples/dataflow"
#endif

/* From examples/dataflow.c. */
#define N_JOBS        2000
#define N_POOL_ITEMS  (N_JOBS / 3)   /* jobs whose id is a multiple of 3 */
#define N_TASKS       20
#define N_IDLES       50
#define LOGS_LIMIT    10             /* HOTPATH_LOGS_LIMIT below */
#define SLOW_FRAME_NS G_GINT64_CONSTANT (30000000)   /* every tenth frame */
#define STALL_NS      G_GINT64_CONSTANT (16000000)   /* HOTPATH_STALL_MS's default */

typedef struct
{
  char       *out;
  JsonParser *parser;
  JsonObject *report;
  guint       frames;   /* as the example printed them */
} Run;

static Run *run;

/* Running the example --------------------------------------------------- */

/* The test's environment without any HOTPATH_* variable, plus ours. */
static GSubprocessLauncher *
launcher_new (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_auto(GStrv) environ_ = g_get_environ ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  for (guint i = 0; environ_[i] != NULL; i++)
    if (g_str_has_prefix (environ_[i], "HOTPATH_"))
      g_ptr_array_add (names, g_strndup (environ_[i], strcspn (environ_[i], "=")));
  for (guint i = 0; i < names->len; i++)
    environ_ = g_environ_unsetenv (environ_, g_ptr_array_index (names, i));

  environ_ = g_environ_setenv (environ_, "HOTPATH_OUTPUT_FORMAT", "json", TRUE);
  /* The report on stdout, apart from the program's lines on stderr. */
  environ_ = g_environ_setenv (environ_, "HOTPATH_OUTPUT_PATH", "-", TRUE);
  environ_ = g_environ_setenv (environ_, "HOTPATH_LOGS_LIMIT", G_STRINGIFY (LOGS_LIMIT), TRUE);
  /* The report is all this test reads: no live servers, which could find
   * their default ports taken by another profiled program. */
  environ_ = g_environ_setenv (environ_, "HOTPATH_METRICS_SERVER_OFF", "1", TRUE);
  environ_ = g_environ_setenv (environ_, "HOTPATH_MCP_SERVER_OFF", "1", TRUE);
  environ_ = g_environ_setenv (environ_, "HOTPATH_DBUS_OFF", "1", TRUE);
  g_subprocess_launcher_set_environ (launcher, environ_);

  return g_steal_pointer (&launcher);
}

/* Runs the example once; every case reads the same report. */
static Run *
get_run (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  guint tasks = 0, idles = 0;
  char loaded[4] = "";
  const char *json;

  if (run != NULL)
    return run;

  run = g_new0 (Run, 1);

  launcher = launcher_new ();
  subprocess = g_subprocess_launcher_spawn (launcher, &error, HOTPATH_TEST_DATAFLOW, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (subprocess, NULL, NULL, &run->out, &err, &error);
  g_assert_no_error (error);

  if (g_test_verbose ())
    g_printerr ("--- stdout\n%s--- stderr\n%s---\n", run->out, err);

  g_assert_true (g_subprocess_get_if_exited (subprocess));
  g_assert_cmpint (g_subprocess_get_exit_status (subprocess), ==, 0);
  g_assert_cmpstr (err, ==, "");

  /* The example's own line, then the report: one line of JSON. */
  lines = g_strsplit (run->out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[2], ==, "");
  g_assert_cmpint (sscanf (lines[0], "dataflow: %u frames, %u tasks, %u idles, loaded itself: %3s",
                           &run->frames, &tasks, &idles, loaded), ==, 4);
  g_assert_cmpuint (tasks, ==, N_TASKS);
  g_assert_cmpuint (idles, ==, N_IDLES);
  g_assert_cmpstr (loaded, ==, "yes");

  json = lines[1];
  g_assert_true (g_str_has_prefix (json, "{\"type\":\"hotpath_report\""));
  hotpath_test_assert_valid_json (json, NULL);

  run->parser = json_parser_new ();
  json_parser_load_from_data (run->parser, json, -1, &error);
  g_assert_no_error (error);
  run->report = json_node_get_object (json_parser_get_root (run->parser));

  return run;
}

static void
run_free (Run *self)
{
  if (self == NULL)
    return;

  g_free (self->out);
  g_clear_object (&self->parser);
  g_free (self);
}

/* Reading the report ---------------------------------------------------- */

static JsonObject *
section (const char *name)
{
  JsonObject *sections = json_object_get_object_member (get_run ()->report, "sections");

  if (!json_object_has_member (sections, name))
    g_error ("the report has no %s section", name);

  return json_object_get_object_member (sections, name);
}

static JsonArray *
section_data (const char *name)
{
  return json_object_get_array_member (section (name), "data");
}

/* The row named @name; there must be exactly one. */
static JsonObject *
item (const char *section_name,
      const char *name)
{
  JsonArray *data = section_data (section_name);
  JsonObject *found = NULL;

  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *row = json_array_get_object_element (data, i);

      if (g_str_equal (json_object_get_string_member (row, "name"), name))
        {
          g_assert_null (found);
          found = row;
        }
    }

  if (found == NULL)
    g_error ("no %s row named %s", section_name, name);

  return found;
}

static gint64
count (JsonObject *object,
       const char *member)
{
  g_assert_true (json_object_has_member (object, member));

  return json_object_get_int_member (object, member);
}

/* The count of a summary (a duration histogram) member. */
static gint64
summary_count (JsonObject *object,
               const char *member)
{
  JsonObject *summary = json_object_get_object_member (object, member);

  g_assert_nonnull (summary);
  /* The example asks for these percentiles (HOTPATH_PERCENTILES (50, 95, 99)). */
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (summary, "percentiles_ns")), ==, 3);
  g_assert_true (json_object_has_member (json_object_get_object_member (summary, "percentiles_ns"), "p99"));

  return count (summary, "count");
}

static JsonArray *
logs (JsonObject *object)
{
  return json_object_get_array_member (object, "logs");
}

/* Newest first: indexes count down by one, the newest being @newest. */
static void
assert_log_indexes (JsonArray *array,
                    gint64     newest)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_assert_cmpint (count (json_array_get_object_element (array, i), "index"), ==, newest - (gint64) i);
}

static void
assert_section_shape (const char *name,
                      guint       n_items)
{
  JsonObject *timing = section ("functions_timing");

  g_assert_cmpint (count (section (name), "total_count"), ==, n_items);
  g_assert_cmpint (count (section (name), "limit"), ==, count (timing, "limit"));
  g_assert_cmpuint (json_array_get_length (section_data (name)), ==, n_items);
}

/* Cases ----------------------------------------------------------------- */

static void
test_flow_report_schema (void)
{
  JsonObject *sections = json_object_get_object_member (get_run ()->report, "sections");

  /* get_run() validated the whole report; each section is there. */
  g_assert_true (json_object_has_member (sections, "channels"));
  g_assert_true (json_object_has_member (sections, "futures"));
  g_assert_true (json_object_has_member (sections, "sources"));
  g_assert_true (json_object_has_member (sections, "main_loop"));
}

static void
test_flow_report_channels (void)
{
  JsonObject *jobs, *resizer;
  JsonArray *jobs_logs;

  assert_section_shape ("channels", 2);

  /* Registered first, so first by id. */
  jobs = json_array_get_object_element (section_data ("channels"), 0);
  g_assert_cmpstr (json_object_get_string_member (jobs, "name"), ==, "jobs");
  g_assert_cmpstr (json_object_get_string_member (jobs, "type"), ==, "async_queue");
  g_assert_cmpstr (json_object_get_string_member (jobs, "state"), ==, "closed");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (jobs, "file"), "dataflow.c"));
  g_assert_cmpint (count (jobs, "line"), >, 0);
  g_assert_cmpint (count (jobs, "sent"), ==, N_JOBS);
  g_assert_cmpint (count (jobs, "received"), ==, N_JOBS);
  g_assert_cmpint (count (jobs, "queued"), ==, 0);
  g_assert_cmpint (count (jobs, "max_queued"), >=, 1);
  g_assert_cmpint (count (jobs, "max_queued"), <=, N_JOBS);
  g_assert_cmpint (summary_count (jobs, "latency_ns"), ==, N_JOBS);
  g_assert_false (json_object_has_member (jobs, "running"));
  g_assert_false (json_object_has_member (jobs, "run_ns"));

  /* .log = TRUE: the last messages, all received, as .describe wrote them. */
  jobs_logs = logs (jobs);
  g_assert_cmpuint (json_array_get_length (jobs_logs), ==, LOGS_LIMIT);
  assert_log_indexes (jobs_logs, N_JOBS - 1);
  for (guint i = 0; i < LOGS_LIMIT; i++)
    {
      JsonObject *entry = json_array_get_object_element (jobs_logs, i);
      g_autofree char *prefix = g_strdup_printf ("job %u (", N_JOBS - i);

      g_assert_cmpstr (json_object_get_string_member (entry, "outcome"), ==, "received");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (entry, "text"), prefix));
      g_assert_true (json_object_has_member (entry, "latency_ns"));
      g_assert_cmpint (count (entry, "thread_id"), >, 0);
    }

  resizer = item ("channels", "resizer");
  g_assert_cmpstr (json_object_get_string_member (resizer, "type"), ==, "thread_pool");
  g_assert_cmpstr (json_object_get_string_member (resizer, "state"), ==, "closed");
  g_assert_cmpint (count (resizer, "sent"), ==, N_POOL_ITEMS);
  g_assert_cmpint (count (resizer, "received"), ==, N_POOL_ITEMS);
  g_assert_cmpint (count (resizer, "finished"), ==, N_POOL_ITEMS);
  g_assert_cmpint (count (resizer, "queued"), ==, 0);
  g_assert_cmpint (count (resizer, "running"), ==, 0);
  g_assert_cmpint (count (resizer, "max_running"), >=, 1);
  g_assert_cmpint (count (resizer, "max_running"), <=, 4);
  g_assert_cmpint (summary_count (resizer, "latency_ns"), ==, N_POOL_ITEMS);
  g_assert_cmpint (summary_count (resizer, "run_ns"), ==, N_POOL_ITEMS);
  g_assert_cmpuint (json_array_get_length (logs (resizer)), ==, 0);
}

static void
test_flow_report_futures (void)
{
  JsonObject *checksum, *faults, *load;
  JsonArray *checksum_logs;

  assert_section_shape ("futures", 2);

  checksum = item ("futures", "checksum");
  g_assert_cmpstr (json_object_get_string_member (checksum, "type"), ==, "task");
  g_assert_cmpint (count (checksum, "created"), ==, N_TASKS);
  g_assert_cmpint (count (checksum, "in_flight"), ==, 0);
  g_assert_cmpint (count (checksum, "completed"), ==, N_TASKS);
  g_assert_cmpint (count (checksum, "ran_in_thread"), ==, N_TASKS);
  g_assert_cmpint (count (checksum, "returned_value"), ==, N_TASKS - 1);
  g_assert_cmpint (count (checksum, "returned_error"), ==, 1);   /* task 13 */
  g_assert_cmpint (count (checksum, "cancelled"), ==, 0);
  g_assert_cmpint (count (checksum, "callbacks"), ==, N_TASKS);
  faults = json_object_get_object_member (checksum, "faults");
  g_assert_cmpint (count (faults, "no_return"), ==, 0);
  g_assert_cmpint (count (faults, "no_callback"), ==, 0);
  g_assert_cmpint (count (faults, "awaiting_callback"), ==, 0);
  g_assert_cmpint (summary_count (checksum, "queue_wait_ns"), ==, N_TASKS);
  g_assert_cmpint (summary_count (checksum, "run_ns"), ==, N_TASKS);
  g_assert_cmpint (summary_count (checksum, "to_callback_ns"), ==, N_TASKS);
  g_assert_cmpint (summary_count (checksum, "lifetime_ns"), ==, N_TASKS);

  checksum_logs = logs (checksum);
  g_assert_cmpuint (json_array_get_length (checksum_logs), ==, LOGS_LIMIT);
  assert_log_indexes (checksum_logs, N_TASKS - 1);
  for (guint i = 0; i < LOGS_LIMIT; i++)
    {
      JsonObject *entry = json_array_get_object_element (checksum_logs, i);
      const char *outcome = json_object_get_string_member (entry, "outcome");

      g_assert_true (g_str_equal (outcome, "value") || g_str_equal (outcome, "error"));
      g_assert_true (g_str_has_prefix (json_object_get_string_member (entry, "text"), "queued "));
      g_assert_true (json_object_has_member (entry, "lifetime_ns"));
      g_assert_true (json_object_has_member (entry, "to_callback_ns"));
    }

  load = item ("futures", "load-self");
  g_assert_cmpstr (json_object_get_string_member (load, "type"), ==, "async");
  g_assert_cmpint (count (load, "created"), ==, 1);
  g_assert_cmpint (count (load, "in_flight"), ==, 0);
  g_assert_cmpint (count (load, "completed"), ==, 1);
  g_assert_cmpint (count (load, "callbacks"), ==, 1);
  g_assert_cmpint (count (load, "returned_value"), ==, 1);
  g_assert_cmpint (count (load, "returned_error"), ==, 0);
  g_assert_cmpint (count (load, "ran_in_thread"), ==, 0);
  g_assert_cmpint (summary_count (load, "to_callback_ns"), ==, 1);
  g_assert_cmpuint (json_array_get_length (logs (load)), ==, 0);
}

static void
assert_source (const char *name,
               const char *type,
               const char *context,
               gint64      dispatches)
{
  JsonObject *source = item ("sources", name);
  JsonObject *duration = json_object_get_object_member (source, "duration_ns");
  JsonArray *source_logs = logs (source);

  g_test_message ("source %s", name);
  g_assert_cmpstr (json_object_get_string_member (source, "type"), ==, type);
  if (context != NULL)
    g_assert_cmpstr (json_object_get_string_member (source, "context"), ==, context);
  else
    g_assert_true (json_object_get_null_member (source, "context"));
  if (dispatches >= 0)
    g_assert_cmpint (count (source, "dispatches"), ==, dispatches);
  else
    g_assert_cmpint (count (source, "dispatches"), >, 0);
  g_assert_cmpint (summary_count (source, "duration_ns"), ==, count (source, "dispatches"));
  g_assert_cmpint (count (duration, "total_ns"), ==, count (source, "total_ns"));

  g_assert_cmpuint (json_array_get_length (source_logs), ==, MIN (count (source, "dispatches"), LOGS_LIMIT));
  assert_log_indexes (source_logs, count (source, "dispatches") - 1);
  for (guint i = 0; i < json_array_get_length (source_logs); i++)
    {
      JsonObject *entry = json_array_get_object_element (source_logs, i);

      g_assert_true (json_object_has_member (entry, "duration_ns"));
      g_assert_false (json_object_has_member (entry, "outcome"));
    }
}

static void
test_flow_report_sources (void)
{
  guint frames = get_run ()->frames;
  JsonArray *data = section_data ("sources");
  gint64 previous = G_MAXINT64;

  assert_section_shape ("sources", 5);

  assert_source ("render_frame", "timeout", "main", frames);
  assert_source ("update_status", "idle", "main", N_IDLES);
  assert_source ("on_save", "signal", NULL, frames / 5);    /* activated every fifth frame */
  assert_source ("poll-sensors", "timeout", "main", -1);
  assert_source ("io_tick", "timeout", "io-thread", -1);

  /* Largest total first. */
  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      gint64 total = count (json_array_get_object_element (data, i), "total_ns");

      g_assert_cmpint (total, <=, previous);
      previous = total;
    }
}

static void
test_flow_report_main_loop (void)
{
  guint frames = get_run ()->frames;
  JsonObject *main_loop, *io;
  JsonArray *stalls, *longest;
  gboolean slow_frame_stall = FALSE;

  assert_section_shape ("main_loop", 2);

  /* The report is written before HOTPATH_MAIN stops watching. */
  main_loop = item ("main_loop", "main");
  g_assert_cmpstr (json_object_get_string_member (main_loop, "state"), ==, "watching");
  g_assert_cmpint (count (main_loop, "stall_threshold_ns"), ==, STALL_NS);
  g_assert_cmpint (count (main_loop, "iterations"), >, 0);
  g_assert_cmpint (summary_count (main_loop, "iteration_busy_ns"), ==, count (main_loop, "iterations"));
  g_assert_cmpint (summary_count (main_loop, "lag_ns"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (main_loop, "busy_percent"), >, 0.0);

  stalls = logs (main_loop);
  g_assert_cmpuint (json_array_get_length (stalls), ==, MIN (count (main_loop, "stalls"), LOGS_LIMIT));
  assert_log_indexes (stalls, count (main_loop, "stalls") - 1);

  /* Every tenth frame sleeps 30 ms: a stall, and the longest dispatch. */
  if (frames >= 10)
    {
      g_assert_cmpint (count (main_loop, "stalls"), >=, frames / 10);
      g_assert_cmpint (count (main_loop, "stall_ns"), >=, (gint64) (frames / 10) * SLOW_FRAME_NS);

      longest = json_object_get_array_member (main_loop, "longest_dispatches");
      g_assert_cmpuint (json_array_get_length (longest), >=, 1);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (longest, 0), "source"),
                       ==, "render_frame");
      g_assert_cmpint (count (json_array_get_object_element (longest, 0), "duration_ns"), >=, SLOW_FRAME_NS);

      for (guint i = 0; i < json_array_get_length (stalls); i++)
        {
          JsonObject *stall = json_array_get_object_element (stalls, i);
          JsonArray *sources = json_object_get_array_member (stall, "sources");
          JsonObject *top;

          g_assert_cmpint (count (stall, "duration_ns"), >, STALL_NS);
          if (json_array_get_length (sources) == 0)
            continue;
          top = json_array_get_object_element (sources, 0);
          if (g_str_equal (json_object_get_string_member (top, "source"), "render_frame") &&
              count (top, "duration_ns") >= SLOW_FRAME_NS)
            slow_frame_stall = TRUE;
        }
      g_assert_true (slow_frame_stall);
    }
  else
    {
      g_test_message ("only %u frames: the machine is too busy to check stalls", frames);
    }

  /* Unwatched before its thread ends; only io_tick is watched there. */
  io = item ("main_loop", "io-thread");
  g_assert_cmpstr (json_object_get_string_member (io, "state"), ==, "stopped");
  g_assert_cmpint (count (io, "iterations"), >, 0);
  longest = json_object_get_array_member (io, "longest_dispatches");
  g_assert_cmpuint (json_array_get_length (longest), >=, 1);
  for (guint i = 0; i < json_array_get_length (longest); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (longest, i), "source"),
                     ==, "io_tick");
}

/* Gauges, debug values, the lock, the streams and the threads of the same
 * run: exact where the program makes them exact. */
static void
test_flow_report_sections (void)
{
  JsonObject *jobs, *frame, *phase, *journal, *reader, *stats;
  JsonArray *threads = section_data ("threads");
  gboolean main_thread = FALSE;

  jobs = item ("gauges", "jobs-in-flight");
  g_assert_cmpint (json_object_get_int_member (jobs, "value"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (jobs, "updates"), ==, 2 * 2000);
  /* Updates from two threads are applied in time order: never below 0. */
  g_assert_cmpint (json_object_get_int_member (jobs, "min"), ==, 0);
  frame = item ("gauges", "frame-ms");
  g_assert_cmpfloat (json_object_get_double_member (frame, "max"), ==, 30.0);

  phase = item ("debug", "phase");
  g_assert_cmpstr (json_object_get_string_member (phase, "value"), ==, "draining");
  g_assert_cmpint (json_object_get_int_member (phase, "count"), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (phase, "logs")), ==, 3);

  journal = item ("streams", "journal");
  g_assert_cmpstr (json_object_get_string_member (journal, "direction"), ==, "output");
  g_assert_cmpstr (json_object_get_string_member (journal, "state"), ==, "closed");
  g_assert_cmpint (json_object_get_int_member (journal, "items"), ==, 2000 / 50);
  reader = item ("streams", "self-reader");
  g_assert_cmpint (json_object_get_int_member (reader, "bytes"), >, 0);

  /* Every job adds to the totals under the lock, and a third of them
   * again in the pool. */
  stats = item ("locks", "stats");
  g_assert_cmpint (json_object_get_int_member (stats, "acquisitions"), ==, 2000 + 2000 / 3);

  for (guint i = 0; i < json_array_get_length (threads); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (threads, i), "name"),
                     "dataflow"))
      main_thread = TRUE;
  g_assert_true (main_thread);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/Flow/report/schema", test_flow_report_schema);
  g_test_add_func ("/Hotpath/Flow/report/channels", test_flow_report_channels);
  g_test_add_func ("/Hotpath/Flow/report/futures", test_flow_report_futures);
  g_test_add_func ("/Hotpath/Flow/report/sources", test_flow_report_sources);
  g_test_add_func ("/Hotpath/Flow/report/main-loop", test_flow_report_main_loop);
  g_test_add_func ("/Hotpath/Flow/report/sections", test_flow_report_sections);

  ret = g_test_run ();

  g_clear_pointer (&run, run_free);
  hotpath_test_schema_clear_cache ();

  return ret;
}
