/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-monitored-input-stream.c: HotpathMonitoredInputStream, the stream that
 * HOTPATH_INPUT_STREAM() returns.
 *
 * A GFilterInputStream that forwards every operation to its base stream,
 * sync to sync and async to async, and reports each one to the "streams"
 * section. Nothing is buffered, so reading the wrapper or seeking the base
 * gives the same bytes. It implements GPollableInputStream and GSeekable
 * and answers can_poll/can_seek/can_truncate with the base's answer, as
 * GIO's own filter streams do. Async operations run on the base stream's
 * own async implementation (so a socket stays non-blocking, a file still
 * uses GIO's thread pool) and their GTask does not check the cancellable
 * again: the base's result, error or cancellation, passes through as is.
 */

#include "config.h"

#include "hotpath-monitored-input-stream-private.h"

struct _HotpathMonitoredInputStream
{
  GFilterInputStream  parent_instance;
  HotpathStreamStats *stats;
};

static void seekable_iface_init (GSeekableIface *iface);
static void pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HotpathMonitoredInputStream, hotpath_monitored_input_stream, G_TYPE_FILTER_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE, seekable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM, pollable_iface_init))

static inline GInputStream *
get_base (gpointer stream)
{
  return g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
}

static inline void
record (HotpathMonitoredInputStream *self,
        HotpathStreamOp     op,
        guint64             start,
        gssize              bytes,
        const GError       *error)
{
  hotpath_stream_stats_end (self->stats, op, start, bytes > 0 ? (guint64) bytes : 0, error);
}

/* ------------------------------------------------------------- sync */

static gssize
hotpath_monitored_input_stream_read (GInputStream  *stream,
                           void          *buffer,
                           gsize          count,
                           GCancellable  *cancellable,
                           GError       **error)
{
  HotpathMonitoredInputStream *self = HOTPATH_MONITORED_INPUT_STREAM (stream);
  guint64 start = hotpath_stream_stats_begin ();
  GError *local_error = NULL;
  gssize n;

  n = g_input_stream_read (get_base (self), buffer, count, cancellable, &local_error);
  record (self, HOTPATH_STREAM_OP_READ, start, n, local_error);
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return n;
}

static gssize
hotpath_monitored_input_stream_skip (GInputStream  *stream,
                           gsize          count,
                           GCancellable  *cancellable,
                           GError       **error)
{
  HotpathMonitoredInputStream *self = HOTPATH_MONITORED_INPUT_STREAM (stream);
  guint64 start = hotpath_stream_stats_begin ();
  GError *local_error = NULL;
  gssize n;

  n = g_input_stream_skip (get_base (self), count, cancellable, &local_error);
  record (self, HOTPATH_STREAM_OP_SKIP, start, n, local_error);
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return n;
}

static gboolean
hotpath_monitored_input_stream_close (GInputStream  *stream,
                            GCancellable  *cancellable,
                            GError       **error)
{
  HotpathMonitoredInputStream *self = HOTPATH_MONITORED_INPUT_STREAM (stream);
  guint64 start = hotpath_stream_stats_begin ();
  GError *local_error = NULL;
  gboolean ret = TRUE;

  if (g_filter_input_stream_get_close_base_stream (G_FILTER_INPUT_STREAM (stream)))
    ret = g_input_stream_close (get_base (self), cancellable, &local_error);
  record (self, HOTPATH_STREAM_OP_CLOSE, start, 0, local_error);
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return ret;
}

/* ------------------------------------------------------------ async */

typedef struct
{
  guint64 start;
} AsyncData;

static GTask *
async_task_new (gpointer             stream,
                gpointer             source_tag,
                int                  io_priority,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);
  AsyncData *data = g_new (AsyncData, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_priority (task, io_priority);
  /* The base stream decides whether the operation was cancelled. */
  g_task_set_check_cancellable (task, FALSE);
  data->start = hotpath_stream_stats_begin ();
  g_task_set_task_data (task, data, g_free);

  return task;
}

static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AsyncData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  record (g_task_get_source_object (task), HOTPATH_STREAM_OP_READ, data->start, n, error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static void
hotpath_monitored_input_stream_read_async (GInputStream        *stream,
                                 void                *buffer,
                                 gsize                count,
                                 int                  io_priority,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = async_task_new (stream, hotpath_monitored_input_stream_read_async, io_priority,
                                cancellable, callback, user_data);

  g_input_stream_read_async (get_base (stream), buffer, count, io_priority, cancellable,
                             read_done, task);
}

static gssize
hotpath_monitored_input_stream_read_finish (GInputStream  *stream,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

static void
skip_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AsyncData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_skip_finish (G_INPUT_STREAM (source), result, &error);
  record (g_task_get_source_object (task), HOTPATH_STREAM_OP_SKIP, data->start, n, error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static void
hotpath_monitored_input_stream_skip_async (GInputStream        *stream,
                                 gsize                count,
                                 int                  io_priority,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = async_task_new (stream, hotpath_monitored_input_stream_skip_async, io_priority,
                                cancellable, callback, user_data);

  g_input_stream_skip_async (get_base (stream), count, io_priority, cancellable, skip_done, task);
}

static gssize
hotpath_monitored_input_stream_skip_finish (GInputStream  *stream,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

static void
close_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AsyncData *data = g_task_get_task_data (task);
  GError *error = NULL;

  g_input_stream_close_finish (G_INPUT_STREAM (source), result, &error);
  record (g_task_get_source_object (task), HOTPATH_STREAM_OP_CLOSE, data->start, 0, error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
hotpath_monitored_input_stream_close_async (GInputStream        *stream,
                                  int                  io_priority,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = async_task_new (stream, hotpath_monitored_input_stream_close_async, io_priority,
                                cancellable, callback, user_data);

  if (g_filter_input_stream_get_close_base_stream (G_FILTER_INPUT_STREAM (stream)))
    {
      g_input_stream_close_async (get_base (stream), io_priority, cancellable, close_done, task);
      return;
    }

  record (HOTPATH_MONITORED_INPUT_STREAM (stream), HOTPATH_STREAM_OP_CLOSE,
          ((AsyncData *) g_task_get_task_data (task))->start, 0, NULL);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
hotpath_monitored_input_stream_close_finish (GInputStream  *stream,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --------------------------------------------------------- pollable */

static GPollableInputStream *
get_pollable_base (gpointer stream)
{
  GInputStream *base = get_base (stream);

  return G_IS_POLLABLE_INPUT_STREAM (base) ? G_POLLABLE_INPUT_STREAM (base) : NULL;
}

static gboolean
hotpath_monitored_input_stream_can_poll (GPollableInputStream *stream)
{
  GPollableInputStream *base = get_pollable_base (stream);

  return base != NULL && g_pollable_input_stream_can_poll (base);
}

static gboolean
hotpath_monitored_input_stream_is_readable (GPollableInputStream *stream)
{
  GPollableInputStream *base = get_pollable_base (stream);

  return base != NULL && g_pollable_input_stream_is_readable (base);
}

static GSource *
hotpath_monitored_input_stream_create_source (GPollableInputStream *stream,
                                    GCancellable         *cancellable)
{
  GPollableInputStream *base = get_pollable_base (stream);
  g_autoptr(GSource) base_source = NULL;

  g_return_val_if_fail (base != NULL, NULL);

  /* The callback gets the wrapper, not the base. */
  base_source = g_pollable_input_stream_create_source (base, NULL);
  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static gssize
hotpath_monitored_input_stream_read_nonblocking (GPollableInputStream  *stream,
                                       void                  *buffer,
                                       gsize                  count,
                                       GError               **error)
{
  HotpathMonitoredInputStream *self = HOTPATH_MONITORED_INPUT_STREAM (stream);
  GPollableInputStream *base = get_pollable_base (stream);
  guint64 start;
  GError *local_error = NULL;
  gssize n;

  if (base == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The base stream is not pollable");
      return -1;
    }

  start = hotpath_stream_stats_begin ();
  n = g_pollable_input_stream_read_nonblocking (base, buffer, count, NULL, &local_error);
  record (self, HOTPATH_STREAM_OP_READ, start, n, local_error);
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return n;
}

static void
pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = hotpath_monitored_input_stream_can_poll;
  iface->is_readable = hotpath_monitored_input_stream_is_readable;
  iface->create_source = hotpath_monitored_input_stream_create_source;
  iface->read_nonblocking = hotpath_monitored_input_stream_read_nonblocking;
}

/* --------------------------------------------------------- seekable */

static GSeekable *
get_seekable_base (gpointer stream)
{
  GInputStream *base = get_base (stream);

  return G_IS_SEEKABLE (base) ? G_SEEKABLE (base) : NULL;
}

static goffset
hotpath_monitored_input_stream_tell (GSeekable *seekable)
{
  GSeekable *base = get_seekable_base (seekable);

  return base != NULL ? g_seekable_tell (base) : 0;
}

static gboolean
hotpath_monitored_input_stream_can_seek (GSeekable *seekable)
{
  GSeekable *base = get_seekable_base (seekable);

  return base != NULL && g_seekable_can_seek (base);
}

static gboolean
hotpath_monitored_input_stream_seek (GSeekable     *seekable,
                           goffset        offset,
                           GSeekType      type,
                           GCancellable  *cancellable,
                           GError       **error)
{
  GSeekable *base = get_seekable_base (seekable);
  gboolean ret;

  if (base == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Seek not supported on the base stream");
      return FALSE;
    }

  /* Like GIO's seekable streams: no seek during another operation. */
  if (!g_input_stream_set_pending (G_INPUT_STREAM (seekable), error))
    return FALSE;
  ret = g_seekable_seek (base, offset, type, cancellable, error);
  g_input_stream_clear_pending (G_INPUT_STREAM (seekable));

  return ret;
}

static gboolean
hotpath_monitored_input_stream_can_truncate (GSeekable *seekable)
{
  GSeekable *base = get_seekable_base (seekable);

  return base != NULL && g_seekable_can_truncate (base);
}

static gboolean
hotpath_monitored_input_stream_truncate (GSeekable     *seekable,
                               goffset        offset,
                               GCancellable  *cancellable,
                               GError       **error)
{
  GSeekable *base = get_seekable_base (seekable);

  if (base == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Truncate not supported on the base stream");
      return FALSE;
    }

  return g_seekable_truncate (base, offset, cancellable, error);
}

static void
seekable_iface_init (GSeekableIface *iface)
{
  iface->tell = hotpath_monitored_input_stream_tell;
  iface->can_seek = hotpath_monitored_input_stream_can_seek;
  iface->seek = hotpath_monitored_input_stream_seek;
  iface->can_truncate = hotpath_monitored_input_stream_can_truncate;
  iface->truncate_fn = hotpath_monitored_input_stream_truncate;
}

/* ------------------------------------------------------------ class */

static void
hotpath_monitored_input_stream_class_init (HotpathMonitoredInputStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  stream_class->read_fn = hotpath_monitored_input_stream_read;
  stream_class->skip = hotpath_monitored_input_stream_skip;
  stream_class->close_fn = hotpath_monitored_input_stream_close;
  stream_class->read_async = hotpath_monitored_input_stream_read_async;
  stream_class->read_finish = hotpath_monitored_input_stream_read_finish;
  stream_class->skip_async = hotpath_monitored_input_stream_skip_async;
  stream_class->skip_finish = hotpath_monitored_input_stream_skip_finish;
  stream_class->close_async = hotpath_monitored_input_stream_close_async;
  stream_class->close_finish = hotpath_monitored_input_stream_close_finish;
}

static void
hotpath_monitored_input_stream_init (HotpathMonitoredInputStream *self)
{
}

/**
 * hotpath_input_stream_new:
 * @base: the stream to read from
 * @options: (nullable): its name and whether to keep logs
 * @site: (nullable): where it is wrapped
 *
 * What HOTPATH_INPUT_STREAM() calls.
 *
 * Returns: (transfer full): a new stream that reads @base
 */
GInputStream *
hotpath_input_stream_new (GInputStream               *base,
                          const HotpathStreamOptions *options,
                          const HotpathSite          *site)
{
  HotpathMonitoredInputStream *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (base), NULL);

  self = g_object_new (HOTPATH_TYPE_MONITORED_INPUT_STREAM, "base-stream", base, NULL);
  self->stats = hotpath_stream_stats_open (options, site, FALSE);

  return G_INPUT_STREAM (self);
}
