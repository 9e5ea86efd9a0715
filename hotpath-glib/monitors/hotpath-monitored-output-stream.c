/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-monitored-output-stream.c: HotpathMonitoredOutputStream, the stream that
 * HOTPATH_OUTPUT_STREAM() returns.
 *
 * The output twin of HotpathMonitoredInputStream: a GFilterOutputStream that
 * forwards writes (writev included), flushes and closes to the base
 * stream, sync to sync and async to async, is pollable and seekable when
 * the base is, and reports each operation to the "streams" section.
 * A splice is one operation: GOutputStream's own splice runs (it reads the
 * source and writes through this stream) with the writes inside it not
 * counted apart. The flush GOutputStream does as part of a close is part
 * of the close.
 */

#include "config.h"

#include "hotpath-monitored-output-stream-private.h"

struct _HotpathMonitoredOutputStream
{
  GFilterOutputStream  parent_instance;
  HotpathStreamStats  *stats;
  gboolean             splicing;   /* ops on one stream never overlap (pending flag) */
};

static void seekable_iface_init (GSeekableIface *iface);
static void pollable_iface_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HotpathMonitoredOutputStream, hotpath_monitored_output_stream, G_TYPE_FILTER_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE, seekable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM, pollable_iface_init))

static inline GOutputStream *
get_base (gpointer stream)
{
  return g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));
}

static inline void
record (HotpathMonitoredOutputStream *self,
        HotpathStreamOp      op,
        guint64              start,
        gssize               bytes,
        const GError        *error)
{
  /* Writes made by a splice belong to the splice. */
  if (op == HOTPATH_STREAM_OP_WRITE && self->splicing)
    return;
  hotpath_stream_stats_end (self->stats, op, start, bytes > 0 ? (guint64) bytes : 0, error);
}

/* ------------------------------------------------------------- sync */

static gssize
hotpath_monitored_output_stream_write (GOutputStream  *stream,
                             const void     *buffer,
                             gsize           count,
                             GCancellable   *cancellable,
                             GError        **error)
{
  HotpathMonitoredOutputStream *self = HOTPATH_MONITORED_OUTPUT_STREAM (stream);
  guint64 start = hotpath_stream_stats_begin ();
  GError *local_error = NULL;
  gssize n;

  n = g_output_stream_write (get_base (self), buffer, count, cancellable, &local_error);
  record (self, HOTPATH_STREAM_OP_WRITE, start, n, local_error);
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return n;
}

static gboolean
hotpath_monitored_output_stream_writev (GOutputStream        *stream,
                              const GOutputVector  *vectors,
                              gsize                 n_vectors,
                              gsize                *bytes_written,
                              GCancellable         *cancellable,
                              GError              **error)
{
  HotpathMonitoredOutputStream *self = HOTPATH_MONITORED_OUTPUT_STREAM (stream);
  guint64 start = hotpath_stream_stats_begin ();
  GError *local_error = NULL;
  gsize written = 0;
  gboolean ret;

  ret = g_output_stream_writev (get_base (self), vectors, n_vectors, &written, cancellable, &local_error);
  record (self, HOTPATH_STREAM_OP_WRITE, start, written, local_error);
  if (bytes_written != NULL)
    *bytes_written = written;
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return ret;
}

static gssize
hotpath_monitored_output_stream_splice (GOutputStream             *stream,
                              GInputStream              *source,
                              GOutputStreamSpliceFlags   flags,
                              GCancellable              *cancellable,
                              GError                   **error)
{
  HotpathMonitoredOutputStream *self = HOTPATH_MONITORED_OUTPUT_STREAM (stream);
  guint64 start = hotpath_stream_stats_begin ();
  GError *local_error = NULL;
  gssize n;

  self->splicing = TRUE;
  n = G_OUTPUT_STREAM_CLASS (hotpath_monitored_output_stream_parent_class)->splice (stream, source, flags,
                                                                         cancellable, &local_error);
  self->splicing = FALSE;
  record (self, HOTPATH_STREAM_OP_SPLICE, start, n, local_error);
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return n;
}

static gboolean
hotpath_monitored_output_stream_flush (GOutputStream  *stream,
                             GCancellable   *cancellable,
                             GError        **error)
{
  HotpathMonitoredOutputStream *self = HOTPATH_MONITORED_OUTPUT_STREAM (stream);
  gboolean closing = g_output_stream_is_closing (stream);
  guint64 start = closing ? 0 : hotpath_stream_stats_begin ();
  GError *local_error = NULL;
  gboolean ret;

  ret = g_output_stream_flush (get_base (self), cancellable, &local_error);
  record (self, HOTPATH_STREAM_OP_FLUSH, start, 0, local_error);
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return ret;
}

static gboolean
hotpath_monitored_output_stream_close (GOutputStream  *stream,
                             GCancellable   *cancellable,
                             GError        **error)
{
  HotpathMonitoredOutputStream *self = HOTPATH_MONITORED_OUTPUT_STREAM (stream);
  guint64 start = hotpath_stream_stats_begin ();
  GError *local_error = NULL;
  gboolean ret = TRUE;

  if (g_filter_output_stream_get_close_base_stream (G_FILTER_OUTPUT_STREAM (stream)))
    ret = g_output_stream_close (get_base (self), cancellable, &local_error);
  record (self, HOTPATH_STREAM_OP_CLOSE, start, 0, local_error);
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return ret;
}

/* ------------------------------------------------------------ async */

typedef struct
{
  guint64 start;
  gsize   bytes;
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
  AsyncData *data = g_new0 (AsyncData, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_priority (task, io_priority);
  /* The base stream decides whether the operation was cancelled. */
  g_task_set_check_cancellable (task, FALSE);
  data->start = hotpath_stream_stats_begin ();
  g_task_set_task_data (task, data, g_free);

  return task;
}

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AsyncData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n;

  n = g_output_stream_write_finish (G_OUTPUT_STREAM (source), result, &error);
  record (g_task_get_source_object (task), HOTPATH_STREAM_OP_WRITE, data->start, n, error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static void
hotpath_monitored_output_stream_write_async (GOutputStream       *stream,
                                   const void          *buffer,
                                   gsize                count,
                                   int                  io_priority,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task = async_task_new (stream, hotpath_monitored_output_stream_write_async, io_priority,
                                cancellable, callback, user_data);

  g_output_stream_write_async (get_base (stream), buffer, count, io_priority, cancellable,
                               write_done, task);
}

static gssize
hotpath_monitored_output_stream_write_finish (GOutputStream  *stream,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

static void
writev_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AsyncData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gsize written = 0;

  g_output_stream_writev_finish (G_OUTPUT_STREAM (source), result, &written, &error);
  record (g_task_get_source_object (task), HOTPATH_STREAM_OP_WRITE, data->start, written, error);
  data->bytes = written;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
hotpath_monitored_output_stream_writev_async (GOutputStream       *stream,
                                    const GOutputVector *vectors,
                                    gsize                n_vectors,
                                    int                  io_priority,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task = async_task_new (stream, hotpath_monitored_output_stream_writev_async, io_priority,
                                cancellable, callback, user_data);

  g_output_stream_writev_async (get_base (stream), vectors, n_vectors, io_priority, cancellable,
                                writev_done, task);
}

static gboolean
hotpath_monitored_output_stream_writev_finish (GOutputStream  *stream,
                                     GAsyncResult   *result,
                                     gsize          *bytes_written,
                                     GError        **error)
{
  AsyncData *data;

  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);

  /* What was written before an error counts too, as GIO's writev says. */
  data = g_task_get_task_data (G_TASK (result));
  if (bytes_written != NULL)
    *bytes_written = data->bytes;
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
splice_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HotpathMonitoredOutputStream *self = HOTPATH_MONITORED_OUTPUT_STREAM (source);
  AsyncData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n;

  n = G_OUTPUT_STREAM_CLASS (hotpath_monitored_output_stream_parent_class)->splice_finish (G_OUTPUT_STREAM (source),
                                                                                result, &error);
  self->splicing = FALSE;
  record (self, HOTPATH_STREAM_OP_SPLICE, data->start, n, error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static void
hotpath_monitored_output_stream_splice_async (GOutputStream            *stream,
                                    GInputStream             *source,
                                    GOutputStreamSpliceFlags  flags,
                                    int                       io_priority,
                                    GCancellable             *cancellable,
                                    GAsyncReadyCallback       callback,
                                    gpointer                  user_data)
{
  GTask *task = async_task_new (stream, hotpath_monitored_output_stream_splice_async, io_priority,
                                cancellable, callback, user_data);

  HOTPATH_MONITORED_OUTPUT_STREAM (stream)->splicing = TRUE;
  G_OUTPUT_STREAM_CLASS (hotpath_monitored_output_stream_parent_class)->splice_async (stream, source, flags,
                                                                           io_priority, cancellable,
                                                                           splice_done, task);
}

static gssize
hotpath_monitored_output_stream_splice_finish (GOutputStream  *stream,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

static void
flush_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AsyncData *data = g_task_get_task_data (task);
  GError *error = NULL;

  g_output_stream_flush_finish (G_OUTPUT_STREAM (source), result, &error);
  record (g_task_get_source_object (task), HOTPATH_STREAM_OP_FLUSH, data->start, 0, error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
hotpath_monitored_output_stream_flush_async (GOutputStream       *stream,
                                   int                  io_priority,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task = async_task_new (stream, hotpath_monitored_output_stream_flush_async, io_priority,
                                cancellable, callback, user_data);

  if (g_output_stream_is_closing (stream))
    ((AsyncData *) g_task_get_task_data (task))->start = 0;
  g_output_stream_flush_async (get_base (stream), io_priority, cancellable, flush_done, task);
}

static gboolean
hotpath_monitored_output_stream_flush_finish (GOutputStream  *stream,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
close_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AsyncData *data = g_task_get_task_data (task);
  GError *error = NULL;

  g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error);
  record (g_task_get_source_object (task), HOTPATH_STREAM_OP_CLOSE, data->start, 0, error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
hotpath_monitored_output_stream_close_async (GOutputStream       *stream,
                                   int                  io_priority,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task = async_task_new (stream, hotpath_monitored_output_stream_close_async, io_priority,
                                cancellable, callback, user_data);

  if (g_filter_output_stream_get_close_base_stream (G_FILTER_OUTPUT_STREAM (stream)))
    {
      g_output_stream_close_async (get_base (stream), io_priority, cancellable, close_done, task);
      return;
    }

  record (HOTPATH_MONITORED_OUTPUT_STREAM (stream), HOTPATH_STREAM_OP_CLOSE,
          ((AsyncData *) g_task_get_task_data (task))->start, 0, NULL);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
hotpath_monitored_output_stream_close_finish (GOutputStream  *stream,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --------------------------------------------------------- pollable */

static GPollableOutputStream *
get_pollable_base (gpointer stream)
{
  GOutputStream *base = get_base (stream);

  return G_IS_POLLABLE_OUTPUT_STREAM (base) ? G_POLLABLE_OUTPUT_STREAM (base) : NULL;
}

static gboolean
hotpath_monitored_output_stream_can_poll (GPollableOutputStream *stream)
{
  GPollableOutputStream *base = get_pollable_base (stream);

  return base != NULL && g_pollable_output_stream_can_poll (base);
}

static gboolean
hotpath_monitored_output_stream_is_writable (GPollableOutputStream *stream)
{
  GPollableOutputStream *base = get_pollable_base (stream);

  return base != NULL && g_pollable_output_stream_is_writable (base);
}

static GSource *
hotpath_monitored_output_stream_create_source (GPollableOutputStream *stream,
                                     GCancellable          *cancellable)
{
  GPollableOutputStream *base = get_pollable_base (stream);
  g_autoptr(GSource) base_source = NULL;

  g_return_val_if_fail (base != NULL, NULL);

  /* The callback gets the wrapper, not the base. */
  base_source = g_pollable_output_stream_create_source (base, NULL);
  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static gssize
hotpath_monitored_output_stream_write_nonblocking (GPollableOutputStream  *stream,
                                         const void             *buffer,
                                         gsize                   count,
                                         GError                **error)
{
  HotpathMonitoredOutputStream *self = HOTPATH_MONITORED_OUTPUT_STREAM (stream);
  GPollableOutputStream *base = get_pollable_base (stream);
  GError *local_error = NULL;
  guint64 start;
  gssize n;

  if (base == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The base stream is not pollable");
      return -1;
    }

  start = hotpath_stream_stats_begin ();
  n = g_pollable_output_stream_write_nonblocking (base, buffer, count, NULL, &local_error);
  record (self, HOTPATH_STREAM_OP_WRITE, start, n, local_error);
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return n;
}

static GPollableReturn
hotpath_monitored_output_stream_writev_nonblocking (GPollableOutputStream  *stream,
                                          const GOutputVector    *vectors,
                                          gsize                   n_vectors,
                                          gsize                  *bytes_written,
                                          GError                **error)
{
  HotpathMonitoredOutputStream *self = HOTPATH_MONITORED_OUTPUT_STREAM (stream);
  GPollableOutputStream *base = get_pollable_base (stream);
  GError *local_error = NULL;
  GPollableReturn ret;
  gsize written = 0;
  guint64 start;

  if (base == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The base stream is not pollable");
      return G_POLLABLE_RETURN_FAILED;
    }

  start = hotpath_stream_stats_begin ();
  ret = g_pollable_output_stream_writev_nonblocking (base, vectors, n_vectors, &written, NULL, &local_error);
  if (ret != G_POLLABLE_RETURN_WOULD_BLOCK)
    record (self, HOTPATH_STREAM_OP_WRITE, start, written, local_error);
  if (bytes_written != NULL)
    *bytes_written = written;
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return ret;
}

static void
pollable_iface_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = hotpath_monitored_output_stream_can_poll;
  iface->is_writable = hotpath_monitored_output_stream_is_writable;
  iface->create_source = hotpath_monitored_output_stream_create_source;
  iface->write_nonblocking = hotpath_monitored_output_stream_write_nonblocking;
  iface->writev_nonblocking = hotpath_monitored_output_stream_writev_nonblocking;
}

/* --------------------------------------------------------- seekable */

static GSeekable *
get_seekable_base (gpointer stream)
{
  GOutputStream *base = get_base (stream);

  return G_IS_SEEKABLE (base) ? G_SEEKABLE (base) : NULL;
}

static goffset
hotpath_monitored_output_stream_tell (GSeekable *seekable)
{
  GSeekable *base = get_seekable_base (seekable);

  return base != NULL ? g_seekable_tell (base) : 0;
}

static gboolean
hotpath_monitored_output_stream_can_seek (GSeekable *seekable)
{
  GSeekable *base = get_seekable_base (seekable);

  return base != NULL && g_seekable_can_seek (base);
}

static gboolean
hotpath_monitored_output_stream_seek (GSeekable     *seekable,
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

  if (!g_output_stream_set_pending (G_OUTPUT_STREAM (seekable), error))
    return FALSE;
  ret = g_seekable_seek (base, offset, type, cancellable, error);
  g_output_stream_clear_pending (G_OUTPUT_STREAM (seekable));

  return ret;
}

static gboolean
hotpath_monitored_output_stream_can_truncate (GSeekable *seekable)
{
  GSeekable *base = get_seekable_base (seekable);

  return base != NULL && g_seekable_can_truncate (base);
}

static gboolean
hotpath_monitored_output_stream_truncate (GSeekable     *seekable,
                                goffset        offset,
                                GCancellable  *cancellable,
                                GError       **error)
{
  GSeekable *base = get_seekable_base (seekable);
  gboolean ret;

  if (base == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Truncate not supported on the base stream");
      return FALSE;
    }

  if (!g_output_stream_set_pending (G_OUTPUT_STREAM (seekable), error))
    return FALSE;
  ret = g_seekable_truncate (base, offset, cancellable, error);
  g_output_stream_clear_pending (G_OUTPUT_STREAM (seekable));

  return ret;
}

static void
seekable_iface_init (GSeekableIface *iface)
{
  iface->tell = hotpath_monitored_output_stream_tell;
  iface->can_seek = hotpath_monitored_output_stream_can_seek;
  iface->seek = hotpath_monitored_output_stream_seek;
  iface->can_truncate = hotpath_monitored_output_stream_can_truncate;
  iface->truncate_fn = hotpath_monitored_output_stream_truncate;
}

/* ------------------------------------------------------------ class */

static void
hotpath_monitored_output_stream_class_init (HotpathMonitoredOutputStreamClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  stream_class->write_fn = hotpath_monitored_output_stream_write;
  stream_class->writev_fn = hotpath_monitored_output_stream_writev;
  stream_class->splice = hotpath_monitored_output_stream_splice;
  stream_class->flush = hotpath_monitored_output_stream_flush;
  stream_class->close_fn = hotpath_monitored_output_stream_close;
  stream_class->write_async = hotpath_monitored_output_stream_write_async;
  stream_class->write_finish = hotpath_monitored_output_stream_write_finish;
  stream_class->writev_async = hotpath_monitored_output_stream_writev_async;
  stream_class->writev_finish = hotpath_monitored_output_stream_writev_finish;
  stream_class->splice_async = hotpath_monitored_output_stream_splice_async;
  stream_class->splice_finish = hotpath_monitored_output_stream_splice_finish;
  stream_class->flush_async = hotpath_monitored_output_stream_flush_async;
  stream_class->flush_finish = hotpath_monitored_output_stream_flush_finish;
  stream_class->close_async = hotpath_monitored_output_stream_close_async;
  stream_class->close_finish = hotpath_monitored_output_stream_close_finish;
}

static void
hotpath_monitored_output_stream_init (HotpathMonitoredOutputStream *self)
{
}

/**
 * hotpath_output_stream_new:
 * @base: the stream to write to
 * @options: (nullable): its name and whether to keep logs
 * @site: (nullable): where it is wrapped
 *
 * What HOTPATH_OUTPUT_STREAM() calls.
 *
 * Returns: (transfer full): a new stream that writes to @base
 */
GOutputStream *
hotpath_output_stream_new (GOutputStream              *base,
                           const HotpathStreamOptions *options,
                           const HotpathSite          *site)
{
  HotpathMonitoredOutputStream *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (base), NULL);

  self = g_object_new (HOTPATH_TYPE_MONITORED_OUTPUT_STREAM, "base-stream", base, NULL);
  self->stats = hotpath_stream_stats_open (options, site, TRUE);

  return G_OUTPUT_STREAM (self);
}
