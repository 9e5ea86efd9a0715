/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-streams.c: HOTPATH_INPUT_STREAM() and HOTPATH_OUTPUT_STREAM():
 * exact counts, and behaviour that does not change (GDataInputStream on
 * top, async reads on a main loop, pollable and seekable bases,
 * cancellation and errors passed through as they are).
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include "hotpath.h"
#include "hotpath-test-rows.h"

static HotpathGuard *
start_session (void)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("test-streams");

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  return hotpath_guard_builder_build (builder, NULL);
}

static const HotpathRowsDesc *
stream_rows (void)
{
  return test_section ("streams")->rows;
}

static gconstpointer
find_stream (HotpathSnapshot *snapshot,
             const char      *name)
{
  gconstpointer row = test_find_row (snapshot, "streams", "name", name);

  if (row == NULL)
    g_error ("no stream %s", name);
  return row;
}

static guint64
stream_uint (gconstpointer  row,
             const char    *field)
{
  return test_uint (stream_rows (), row, field);
}

static GInputStream *
memory_input (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7);
  return g_memory_input_stream_new_from_data (data, size, g_free);
}

/* ---------------------------------------------------------- input */

static void
test_read_counts (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(GInputStream) base = memory_input (1000);
  g_autoptr(GInputStream) in = HOTPATH_INPUT_STREAM (base, .label = "config", .log = TRUE);
  const HotpathRowsDesc *logs_desc;
  gconstpointer row, logs, newest;
  guint8 buffer[100];

  g_assert_true (G_IS_INPUT_STREAM (in));
  g_assert_true (g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (in)) == base);

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_input_stream_read (in, buffer, sizeof buffer, NULL, &error), ==, 100);
      g_assert_no_error (error);
      g_assert_cmpuint (buffer[0], ==, (guint8) (i * 100 * 7));
    }

  snapshot = hotpath_guard_snapshot (guard);
  row = find_stream (snapshot, "config");
  g_assert_cmpuint (stream_uint (row, "items"), ==, 10);
  g_assert_cmpuint (stream_uint (row, "bytes"), ==, 1000);
  g_assert_cmpuint (stream_uint (row, "reads"), ==, 10);
  g_assert_cmpuint (stream_uint (row, "errors"), ==, 0);
  g_assert_cmpuint (test_histogram (stream_rows (), row, "latency_ns")->count, ==, 10);
  g_assert_cmpstr (test_text (stream_rows (), row, "state"), ==, "open");
  g_assert_cmpstr (test_text (stream_rows (), row, "direction"), ==, "input");
  g_assert_cmpuint (stream_uint (row, "open"), ==, 1);

  /* Closing the wrapper closes the base. */
  g_assert_true (g_input_stream_close (in, NULL, NULL));
  g_assert_true (g_input_stream_is_closed (base));
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);
  snapshot = hotpath_guard_snapshot (guard);
  row = find_stream (snapshot, "config");
  g_assert_cmpstr (test_text (stream_rows (), row, "state"), ==, "closed");
  g_assert_cmpuint (stream_uint (row, "closes"), ==, 1);
  g_assert_cmpuint (stream_uint (row, "items"), ==, 10);
  g_assert_cmpuint (stream_uint (row, "open"), ==, 0);

  logs_desc = test_nested (stream_rows (), row, "logs", &logs);
  g_assert_cmpuint (logs_desc->count (logs), ==, 11);
  newest = logs_desc->nth (logs, 0);
  g_assert_cmpstr (test_text (logs_desc, newest, "op"), ==, "close");
  g_assert_cmpstr (test_text (logs_desc, logs_desc->nth (logs, 1), "op"), ==, "read");
  g_assert_cmpuint (test_uint (logs_desc, logs_desc->nth (logs, 1), "bytes"), ==, 100);
  g_assert_cmpstr (test_text (logs_desc, newest, "outcome"), ==, "ok");

  test_assert_outputs (snapshot, "streams");
  hotpath_guard_finish (guard, NULL);
}

static void
test_data_input_stream (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  const char *text = "first line\nsecond\n\nlast";
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_data (text, strlen (text), NULL);
  g_autoptr(GInputStream) in = HOTPATH_INPUT_STREAM (base, .label = "lines");
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);
  const char *expected[] = { "first line", "second", "", "last" };
  char *line;
  guint n = 0;

  while ((line = g_data_input_stream_read_line (data, NULL, NULL, NULL)) != NULL)
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (expected));
      g_assert_cmpstr (line, ==, expected[n++]);
      g_free (line);
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));

  snapshot = hotpath_guard_snapshot (guard);
  g_assert_cmpuint (stream_uint (find_stream (snapshot, "lines"), "bytes"), ==, strlen (text));
  g_assert_cmpuint (stream_uint (find_stream (snapshot, "lines"), "items"), >=, 1);

  hotpath_guard_finish (guard, NULL);
}

typedef struct
{
  GMainLoop *loop;
  gssize     n;
  GError    *error;
} AsyncResult;

static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  AsyncResult *async = data;

  async->n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &async->error);
  g_main_loop_quit (async->loop);
}

static void
test_async_read (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GInputStream) base = memory_input (500);
  g_autoptr(GInputStream) in = HOTPATH_INPUT_STREAM (base, .label = "async");
  guint8 buffer[100];
  gconstpointer row;

  for (guint i = 0; i < 5; i++)
    {
      AsyncResult async = { loop, -1, NULL };

      g_input_stream_read_async (in, buffer, sizeof buffer, G_PRIORITY_DEFAULT, NULL, read_done, &async);
      g_assert_true (g_input_stream_has_pending (in));
      g_main_loop_run (loop);
      g_assert_no_error (async.error);
      g_assert_cmpint (async.n, ==, 100);
      g_assert_cmpuint (buffer[0], ==, (guint8) (i * 100 * 7));
      g_assert_false (g_input_stream_has_pending (in));
    }

  snapshot = hotpath_guard_snapshot (guard);
  row = find_stream (snapshot, "async");
  g_assert_cmpuint (stream_uint (row, "items"), ==, 5);
  g_assert_cmpuint (stream_uint (row, "bytes"), ==, 500);

  hotpath_guard_finish (guard, NULL);
}

static void
test_cancel (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GInputStream) base = NULL;
  g_autoptr(GInputStream) in = NULL;
  AsyncResult async = { loop, 0, NULL };
  guint8 buffer[16];
  gconstpointer row;
  int fds[2];

  /* A pipe nobody writes to: the read waits until it is cancelled. */
  g_assert_no_errno (pipe (fds));
  base = g_unix_input_stream_new (fds[0], TRUE);
  in = HOTPATH_INPUT_STREAM (base, .label = "pipe");
  g_input_stream_read_async (in, buffer, sizeof buffer, G_PRIORITY_DEFAULT, cancellable, read_done, &async);
  g_cancellable_cancel (cancellable);
  g_main_loop_run (loop);
  g_assert_error (async.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (async.n, ==, -1);
  g_clear_error (&async.error);

  /* The stream is usable afterwards, as GIO's own are. */
  g_assert_cmpint (write (fds[1], "hello", 5), ==, 5);
  g_assert_cmpint (g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL), ==, 5);

  snapshot = hotpath_guard_snapshot (guard);
  row = find_stream (snapshot, "pipe");
  g_assert_cmpuint (stream_uint (row, "cancelled"), ==, 1);
  g_assert_cmpuint (stream_uint (row, "errors"), ==, 0);
  g_assert_cmpuint (stream_uint (row, "items"), ==, 2);
  g_assert_cmpuint (stream_uint (row, "bytes"), ==, 5);
  g_assert_cmpstr (test_text (stream_rows (), row, "state"), ==, "open");

  close (fds[1]);
  test_assert_outputs (snapshot, "streams");
  hotpath_guard_finish (guard, NULL);
}

static void
test_errors (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(GInputStream) plain = NULL;
  g_autoptr(GInputStream) base = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) plain_error = NULL;
  g_autoptr(GError) error = NULL;
  const HotpathRowsDesc *logs_desc;
  gconstpointer row, logs;
  guint8 buffer[16];

  /* Reading a directory fails: the same error through the wrapper as from
   * the plain stream. */
  plain = g_unix_input_stream_new (open ("/", O_RDONLY | O_CLOEXEC), TRUE);
  base = g_unix_input_stream_new (open ("/", O_RDONLY | O_CLOEXEC), TRUE);
  in = HOTPATH_INPUT_STREAM (base, .label = "directory", .log = TRUE);
  g_assert_cmpint (g_input_stream_read (plain, buffer, sizeof buffer, NULL, &plain_error), ==, -1);
  g_assert_cmpint (g_input_stream_read (in, buffer, sizeof buffer, NULL, &error), ==, -1);
  g_assert_nonnull (plain_error);
  g_assert_error (error, plain_error->domain, plain_error->code);
  g_assert_cmpstr (error->message, ==, plain_error->message);

  snapshot = hotpath_guard_snapshot (guard);
  row = find_stream (snapshot, "directory");
  g_assert_cmpuint (stream_uint (row, "errors"), ==, 1);
  g_assert_cmpuint (stream_uint (row, "items"), ==, 1);
  g_assert_cmpuint (stream_uint (row, "bytes"), ==, 0);
  g_assert_cmpstr (test_text (stream_rows (), row, "state"), ==, "error");
  g_assert_cmpstr (test_text (stream_rows (), row, "last_error"), ==, error->message);
  logs_desc = test_nested (stream_rows (), row, "logs", &logs);
  g_assert_cmpuint (logs_desc->count (logs), ==, 1);
  g_assert_cmpstr (test_text (logs_desc, logs_desc->nth (logs, 0), "outcome"), ==, "error");
  g_assert_cmpstr (test_text (logs_desc, logs_desc->nth (logs, 0), "error"), ==, error->message);

  test_assert_outputs (snapshot, "streams");
  hotpath_guard_finish (guard, NULL);
}

static gboolean
on_readable (GObject  *stream,
             gpointer  data)
{
  *(GObject **) data = stream;
  return G_SOURCE_REMOVE;
}

static void
test_pollable (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GInputStream) base = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GInputStream) buffered = NULL;
  g_autoptr(GInputStream) over_buffered = NULL;
  g_autoptr(GSource) source = NULL;
  g_autoptr(GError) error = NULL;
  GObject *ready = NULL;
  char buffer[16];
  int fds[2];

  g_assert_no_errno (pipe (fds));
  base = g_unix_input_stream_new (fds[0], TRUE);
  in = HOTPATH_INPUT_STREAM (base);
  g_assert_true (G_IS_POLLABLE_INPUT_STREAM (in));
  g_assert_true (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (in)));
  g_assert_false (g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (in)));
  g_assert_cmpint (g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in), buffer,
                                                             sizeof buffer, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);

  /* The source's callback gets the wrapper. */
  source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (in), NULL);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) on_readable, &ready, NULL);
  g_source_attach (source, NULL);
  g_assert_cmpint (write (fds[1], "x", 1), ==, 1);
  while (ready == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (ready == G_OBJECT (in));
  g_assert_cmpint (g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in), buffer,
                                                             sizeof buffer, NULL, NULL), ==, 1);
  g_source_destroy (source);

  /* Over a stream that cannot poll, neither can the wrapper. */
  buffered = g_buffered_input_stream_new (base);
  over_buffered = HOTPATH_INPUT_STREAM (buffered);
  g_assert_false (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (over_buffered)));

  close (fds[1]);
  hotpath_guard_finish (guard, NULL);
}

static void
test_seekable (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(GInputStream) base = memory_input (1000);
  g_autoptr(GInputStream) in = HOTPATH_INPUT_STREAM (base, .label = "seek");
  g_autoptr(GInputStream) pipe_base = NULL;
  g_autoptr(GInputStream) pipe_in = NULL;
  g_autoptr(GError) error = NULL;
  guint8 buffer[100];
  int fds[2];

  g_assert_true (g_seekable_can_seek (G_SEEKABLE (in)));
  g_assert_true (g_seekable_seek (G_SEEKABLE (in), 500, G_SEEK_SET, NULL, NULL));
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (base)), ==, 500);
  g_assert_cmpint (g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL), ==, 100);
  g_assert_cmpuint (buffer[0], ==, (guint8) (500 * 7));
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (in)), ==, 600);
  g_assert_cmpint (g_input_stream_skip (in, 50, NULL, NULL), ==, 50);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (in)), ==, 650);
  g_assert_false (g_seekable_can_truncate (G_SEEKABLE (in)));

  /* A pipe cannot seek, through the wrapper either. */
  g_assert_no_errno (pipe (fds));
  pipe_base = g_unix_input_stream_new (fds[0], TRUE);
  pipe_in = HOTPATH_INPUT_STREAM (pipe_base);
  g_assert_false (g_seekable_can_seek (G_SEEKABLE (pipe_in)));
  g_assert_false (g_seekable_seek (G_SEEKABLE (pipe_in), 1, G_SEEK_SET, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);

  close (fds[1]);
  hotpath_guard_finish (guard, NULL);
}

/* --------------------------------------------------------- output */

static void
test_write_counts (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(GOutputStream) base = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = HOTPATH_OUTPUT_STREAM (base, .label = "out");
  g_autoptr(GInputStream) source = memory_input (300);
  GOutputVector vectors[3] = { { "ab", 2 }, { "cde", 3 }, { "f", 1 } };
  char chunk[100];
  gsize written = 0;
  gconstpointer row;

  memset (chunk, 'x', sizeof chunk);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (g_output_stream_write (out, chunk, sizeof chunk, NULL, NULL), ==, 100);
  g_assert_true (g_output_stream_writev (out, vectors, G_N_ELEMENTS (vectors), &written, NULL, NULL));
  g_assert_cmpuint (written, ==, 6);
  g_assert_true (g_output_stream_flush (out, NULL, NULL));
  g_assert_cmpint (g_output_stream_splice (out, source, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, NULL, NULL), ==, 300);

  snapshot = hotpath_guard_snapshot (guard);
  row = find_stream (snapshot, "out");
  g_assert_cmpstr (test_text (stream_rows (), row, "direction"), ==, "output");
  g_assert_cmpuint (stream_uint (row, "writes"), ==, 11);
  g_assert_cmpuint (stream_uint (row, "flushes"), ==, 1);
  g_assert_cmpuint (stream_uint (row, "splices"), ==, 1);
  g_assert_cmpuint (stream_uint (row, "items"), ==, 13);
  g_assert_cmpuint (stream_uint (row, "bytes"), ==, 1000 + 6 + 300);

  /* The flush inside a close is part of the close. */
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  g_assert_true (g_output_stream_is_closed (base));
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (base)), ==, 1306);
  g_assert_cmpint (memcmp ((char *) g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (base)) + 1000,
                           "abcdef", 6), ==, 0);
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);
  snapshot = hotpath_guard_snapshot (guard);
  row = find_stream (snapshot, "out");
  g_assert_cmpuint (stream_uint (row, "items"), ==, 13);
  g_assert_cmpuint (stream_uint (row, "flushes"), ==, 1);
  g_assert_cmpuint (stream_uint (row, "closes"), ==, 1);
  g_assert_cmpstr (test_text (stream_rows (), row, "state"), ==, "closed");

  test_assert_outputs (snapshot, "streams");
  hotpath_guard_finish (guard, NULL);
}

typedef struct
{
  GMainLoop *loop;
  guint      pending;
} Writes;

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Writes *writes = data;

  g_assert_cmpint (g_output_stream_write_finish (G_OUTPUT_STREAM (source), result, NULL), ==, 4);
  if (--writes->pending == 0)
    g_main_loop_quit (writes->loop);
}

static void
close_done (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Writes *writes = data;

  g_assert_true (g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, NULL));
  g_main_loop_quit (writes->loop);
}

static void
splice_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Writes *writes = data;

  g_assert_cmpint (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL), ==, 200);
  g_main_loop_quit (writes->loop);
}

static void
test_write_async (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GOutputStream) base = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = HOTPATH_OUTPUT_STREAM (base, .label = "async-out", .log = TRUE);
  g_autoptr(GInputStream) source = memory_input (200);
  Writes writes = { loop, 1 };
  gconstpointer row;

  for (guint i = 0; i < 3; i++)
    {
      writes.pending = 1;
      g_output_stream_write_async (out, "data", 4, G_PRIORITY_DEFAULT, NULL, write_done, &writes);
      g_main_loop_run (loop);
    }
  g_output_stream_splice_async (out, source, G_OUTPUT_STREAM_SPLICE_NONE, G_PRIORITY_DEFAULT, NULL,
                                splice_done, &writes);
  g_main_loop_run (loop);
  g_output_stream_close_async (out, G_PRIORITY_DEFAULT, NULL, close_done, &writes);
  g_main_loop_run (loop);
  g_assert_true (g_output_stream_is_closed (base));
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (base)), ==, 212);

  snapshot = hotpath_guard_snapshot (guard);
  row = find_stream (snapshot, "async-out");
  g_assert_cmpuint (stream_uint (row, "writes"), ==, 3);
  g_assert_cmpuint (stream_uint (row, "splices"), ==, 1);
  g_assert_cmpuint (stream_uint (row, "items"), ==, 4);
  g_assert_cmpuint (stream_uint (row, "bytes"), ==, 212);
  g_assert_cmpuint (stream_uint (row, "closes"), ==, 1);
  g_assert_cmpstr (test_text (stream_rows (), row, "state"), ==, "closed");

  test_assert_outputs (snapshot, "streams");
  hotpath_guard_finish (guard, NULL);
}

static void
test_shared_row (void)
{
  g_autoptr(HotpathGuard) guard = start_session ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  gconstpointer row;

  /* Streams with one label share a row; unlabelled ones are named after
   * the line that wrapped them. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GInputStream) base = memory_input (10);
      g_autoptr(GInputStream) in = HOTPATH_INPUT_STREAM (base, .label = "per-request");
      g_autoptr(GInputStream) unnamed = HOTPATH_INPUT_STREAM (base);
      guint8 buffer[10];

      g_assert_cmpint (g_input_stream_read (in, buffer, 5, NULL, NULL), ==, 5);
      g_assert_cmpint (g_input_stream_read (unnamed, buffer, 5, NULL, NULL), ==, 5);
    }

  snapshot = hotpath_guard_snapshot (guard);
  row = find_stream (snapshot, "per-request");
  g_assert_cmpuint (stream_uint (row, "streams"), ==, 3);
  g_assert_cmpuint (stream_uint (row, "open"), ==, 0);  /* unref closes */
  g_assert_cmpuint (stream_uint (row, "bytes"), ==, 15);
  g_assert_cmpuint (stream_uint (row, "closes"), ==, 3);
  g_assert_cmpuint (test_histogram (stream_rows (), row, "latency_ns")->count, ==, 6);

  row = NULL;
  for (guint i = 0; i < hotpath_section_get_n_rows (test_section ("streams"), snapshot); i++)
    {
      gconstpointer candidate = hotpath_section_get_row (test_section ("streams"), snapshot, i);

      if (g_str_has_prefix (test_text (stream_rows (), candidate, "name"), "test-streams.c:"))
        row = candidate;
    }
  g_assert_nonnull (row);
  g_assert_cmpuint (stream_uint (row, "streams"), ==, 3);

  test_assert_outputs (snapshot, "streams");
  hotpath_guard_finish (guard, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/Streams/read-counts", test_read_counts);
  g_test_add_func ("/Hotpath/Streams/data-input-stream", test_data_input_stream);
  g_test_add_func ("/Hotpath/Streams/async-read", test_async_read);
  g_test_add_func ("/Hotpath/Streams/cancel", test_cancel);
  g_test_add_func ("/Hotpath/Streams/errors", test_errors);
  g_test_add_func ("/Hotpath/Streams/pollable", test_pollable);
  g_test_add_func ("/Hotpath/Streams/seekable", test_seekable);
  g_test_add_func ("/Hotpath/Streams/write-counts", test_write_counts);
  g_test_add_func ("/Hotpath/Streams/write-async", test_write_async);
  g_test_add_func ("/Hotpath/Streams/shared-row", test_shared_row);

  return g_test_run ();
}
