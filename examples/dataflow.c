/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dataflow: how data moves through a GLib program, and what blocks its main
 * loop. Every data-flow feature in one small program:
 *
 *   - a GAsyncQueue channel with a message log (HOTPATH_ASYNC_QUEUE)
 *   - a GThreadPool channel (HOTPATH_THREAD_POOL)
 *   - GTask futures run in threads (HOTPATH_TASK), and a GIO _async call
 *     (HOTPATH_ASYNC)
 *   - main-loop sources and a signal handler (HOTPATH_TIMEOUT_ADD,
 *     HOTPATH_IDLE_ADD, HOTPATH_SIGNAL_CONNECT, hotpath_source_watch)
 *   - main-loop health of the default context (on with HOTPATH_MAIN) and
 *     of a worker thread's context (hotpath_main_context_watch)
 *   - gauges (HOTPATH_GAUGE_SET, HOTPATH_GAUGE_ADD), debug values
 *     (HOTPATH_DBG, HOTPATH_VAL), a monitored lock (HOTPATH_MUTEX) and GIO
 *     streams (HOTPATH_INPUT_STREAM, HOTPATH_OUTPUT_STREAM)
 *   - every thread's CPU use, with no code at all
 *
 *   build/examples/dataflow
 *   HOTPATH_OUTPUT_FORMAT=json-pretty build/examples/dataflow
 *   build/examples/dataflow 120 &     # keeps the data flowing for 120 s, to
 *   build/hotpath-viewer/hotpath-viewer   # watch it live (docs/viewer.md)
 */

#define G_LOG_DOMAIN "dataflow"

#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>
#include <hotpath-glib/hotpath.h>

#define N_JOBS 2000

typedef struct
{
  guint id;
  guint size;
} Job;

typedef struct
{
  GMainLoop     *loop;
  GAsyncQueue   *jobs;
  GThreadPool   *resizer;
  GSimpleAction *save;
  guint          frames;
  guint          tasks_done;
  guint          idles;
  gboolean       loaded;
  gint64         until_us;    /* given a duration: keep producing until then */
  gint           produced;
  guint          tasks_started;
  gint           producing;
  GMutex         stats_lock;  /* the totals and the journal */
  guint64        bytes_seen;
  GOutputStream *journal;
  GFile         *self;
} App;

/* ------------------------------------------------------------ channels */

static char *
describe_job (gconstpointer item)
{
  const Job *job = item;

  return g_strdup_printf ("job %u (%u bytes)", job->id, job->size);
}

static gpointer
producer (gpointer data)
{
  App *app = data;

  for (guint i = 1; i <= N_JOBS || g_get_monotonic_time () < app->until_us; i++)
    {
      Job *job = g_new (Job, 1);

      job->id = i;
      job->size = g_random_int_range (100, 10000);
      HOTPATH_GAUGE_ADD ("jobs-in-flight", 1);
      hotpath_async_queue_push (app->jobs, job);
      g_atomic_int_inc (&app->produced);
      if (i % 100 == 0)
        g_usleep (2000);
      /* Past the first batch, a steady trickle with bursts the queue
       * has to absorb. */
      else if (i > N_JOBS && i % 10 == 0)
        g_usleep (i % 3000 < 1000 ? 500 : 4000);
    }
  g_atomic_int_set (&app->producing, FALSE);

  return NULL;
}

static gpointer
consumer (gpointer data)
{
  App *app = data;
  guint received = 0;

  while (g_atomic_int_get (&app->producing) || received < (guint) g_atomic_int_get (&app->produced))
    {
      g_autofree Job *job = hotpath_async_queue_timeout_pop (app->jobs, 100 * 1000);

      if (job == NULL)
        continue;
      received++;
      HOTPATH_GAUGE_ADD ("jobs-in-flight", -1);

      hotpath_mutex_lock (&app->stats_lock);
      app->bytes_seen += job->size;
      if (job->id % 50 == 0)
        {
          g_autofree char *line = g_strdup_printf ("job %u: %" G_GUINT64_FORMAT " bytes so far\n",
                                                   job->id, app->bytes_seen);

          g_output_stream_write_all (app->journal, line, strlen (line), NULL, NULL, NULL);
        }
      hotpath_mutex_unlock (&app->stats_lock);
      if (job->id % 3 == 0)
        hotpath_thread_pool_push (app->resizer, GUINT_TO_POINTER (job->size), NULL);
    }

  return NULL;
}

static void
resize (gpointer data,
        gpointer user_data)
{
  App *app = user_data;

  /* Work proportional to the size; the pool's threads share the totals. */
  g_usleep (GPOINTER_TO_UINT (data) / 50);
  hotpath_mutex_lock (&app->stats_lock);
  app->bytes_seen += GPOINTER_TO_UINT (data) / 2;
  hotpath_mutex_unlock (&app->stats_lock);
}

/* ------------------------------------------------------------- futures */

static void
checksum_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  guint n = GPOINTER_TO_UINT (task_data);
  guint32 sum = 0;

  if (n == 13)
    {
      hotpath_task_return_error (task, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unlucky %u", n));
      return;
    }

  for (guint i = 0; i < n * 20000; i++)
    sum = sum * 31 + i;
  hotpath_task_return_int (task, sum);
}

static void
checksum_done (GObject      *source_object,
               GAsyncResult *result,
               gpointer      data)
{
  App *app = data;
  g_autoptr(GError) error = NULL;

  g_task_propagate_int (G_TASK (result), &error);
  app->tasks_done++;
}

static void
on_loaded (GObject      *source_object,
           GAsyncResult *result,
           gpointer      data)
{
  App *app = data;
  g_autofree char *contents = NULL;

  app->loaded = g_file_load_contents_finish (G_FILE (source_object), result, &contents, NULL, NULL, NULL);
}

/* ------------------------------------------------------------- sources */

static void
on_save (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       data)
{
  g_usleep (500);
}

static gboolean
render_frame (gpointer data)
{
  App *app = data;

  /* Every tenth frame is slow: a stall the report names. */
  guint delay_us = HOTPATH_DBG (++app->frames % 10 == 0 ? 30000u : 2000u);

  g_usleep (delay_us);
  HOTPATH_GAUGE_SET ("frame-ms", delay_us / 1000.0);
  if (app->frames % 5 == 0)
    g_action_activate (G_ACTION (app->save), NULL);

  return G_SOURCE_CONTINUE;
}

static gboolean
update_status (gpointer data)
{
  App *app = data;

  app->idles++;
  return app->idles < 50 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
poll_sensors (gpointer data)
{
  g_usleep (300);
  return G_SOURCE_CONTINUE;
}

/* Given a duration, a task every 250 ms while it lasts. */
static void start_checksum (App  *app,
                            guint n);

static gboolean
more_checksums (gpointer data)
{
  App *app = data;
  static guint n = 20;

  /* None in the last second, so all of them finish. */
  if (g_get_monotonic_time () < app->until_us - G_USEC_PER_SEC)
    start_checksum (app, ++n % 40);
  return G_SOURCE_CONTINUE;
}

static gboolean
quit (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* A worker thread with its own context, watched too. It reads the
 * program's own file in chunks through a monitored stream. */
static gboolean
io_tick (gpointer data)
{
  GInputStream *in = data;
  char buffer[4096];
  gssize n;

  g_usleep (1000);
  n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL);
  if (n == 0)
    g_seekable_seek (G_SEEKABLE (in), 0, G_SEEK_SET, NULL, NULL);
  HOTPATH_VAL ("io-offset", (gint64) g_seekable_tell (G_SEEKABLE (in)));
  return G_SOURCE_CONTINUE;
}

static gpointer
io_thread (gpointer data)
{
  App *app = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(GFileInputStream) file = g_file_read (app->self, NULL, NULL);
  g_autoptr(GInputStream) in = NULL;
  GSource *source;

  if (file == NULL)
    return NULL;
  in = HOTPATH_INPUT_STREAM (G_INPUT_STREAM (file), .label = "self-reader", .log = TRUE);
  hotpath_main_context_watch (context, "io-thread");
  g_main_context_push_thread_default (context);

  source = g_timeout_source_new (20);
  g_source_set_callback (source, io_tick, in, NULL);
  hotpath_source_watch (source, "io_tick");
  g_source_attach (source, context);
  g_source_unref (source);

  source = g_timeout_source_new (app->until_us == 0 ? 700
                                 : MAX (700, (app->until_us - g_get_monotonic_time ()) / 1000 - 100));
  g_source_set_callback (source, quit, loop, NULL);
  g_source_attach (source, context);
  g_source_unref (source);

  g_main_loop_run (loop);

  g_main_context_pop_thread_default (context);
  hotpath_main_context_unwatch (context);

  return NULL;
}

static void
start_checksum (App  *app,
                guint n)
{
  g_autoptr(GTask) task = HOTPATH_TASK (g_task_new (NULL, NULL, checksum_done, app),
                                        .label = "checksum", .log = TRUE);

  g_task_set_task_data (task, GUINT_TO_POINTER (n), NULL);
  app->tasks_started++;
  hotpath_task_run_in_thread (task, checksum_thread);
}

int
main (int   argc,
      char *argv[])
{
  HOTPATH_MAIN (.percentiles = HOTPATH_PERCENTILES (50, 95, 99));
  App app = { 0 };
  guint seconds = argc > 1 ? (guint) atoi (argv[1]) : 0;
  guint run_ms = seconds > 0 ? seconds * 1000 : 800;
  g_autoptr(GFile) self = g_file_new_for_path (argv[0]);
  g_autoptr(GOutputStream) journal_base = g_memory_output_stream_new_resizable ();
  GThread *threads[3];
  GSource *sensors;

  app.loop = g_main_loop_new (NULL, FALSE);
  app.jobs = HOTPATH_ASYNC_QUEUE (g_async_queue_new (), .label = "jobs", .log = TRUE,
                                  .describe = describe_job);
  app.resizer = HOTPATH_THREAD_POOL (g_thread_pool_new (resize, &app, 4, FALSE, NULL),
                                     .label = "resizer");
  app.save = g_simple_action_new ("save", NULL);
  app.self = self;
  g_mutex_init (&app.stats_lock);
  HOTPATH_MUTEX (&app.stats_lock, .label = "stats");
  app.journal = HOTPATH_OUTPUT_STREAM (journal_base, .label = "journal", .log = TRUE);
  HOTPATH_VAL ("phase", "starting");
  app.until_us = seconds > 0 ? g_get_monotonic_time () + run_ms * (gint64) 1000 : 0;
  app.producing = TRUE;

  HOTPATH_SIGNAL_CONNECT (app.save, "activate", on_save, &app);
  HOTPATH_TIMEOUT_ADD (16, render_frame, &app);
  HOTPATH_IDLE_ADD (update_status, &app);
  sensors = g_timeout_source_new (50);
  g_source_set_callback (sensors, poll_sensors, NULL, NULL);
  hotpath_source_watch (sensors, "poll-sensors");
  g_source_attach (sensors, NULL);
  g_source_unref (sensors);
  g_timeout_add (run_ms, quit, app.loop);
  if (seconds > 0)
    g_timeout_add (250, more_checksums, &app);

  for (guint i = 1; i <= 20; i++)
    start_checksum (&app, i);
  g_file_load_contents_async (self, NULL, HOTPATH_ASYNC (on_loaded, &app, "load-self"));

  threads[0] = g_thread_new ("producer", producer, &app);
  threads[1] = g_thread_new ("consumer", consumer, &app);
  threads[2] = g_thread_new ("io", io_thread, &app);

  HOTPATH_VAL ("phase", "running");
  g_main_loop_run (app.loop);
  HOTPATH_VAL ("phase", "draining");
  while (app.tasks_done < app.tasks_started)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  hotpath_thread_pool_free (app.resizer, FALSE, TRUE);
  hotpath_async_queue_unref (app.jobs);
  g_output_stream_close (app.journal, NULL, NULL);
  g_object_unref (app.journal);
  hotpath_mutex_clear (&app.stats_lock);
  g_object_unref (app.save);
  g_main_loop_unref (app.loop);

  g_print ("dataflow: %u frames, %u tasks, %u idles, loaded itself: %s\n",
           app.frames, app.tasks_done, app.idles, app.loaded ? "yes" : "no");

  return 0;
}
