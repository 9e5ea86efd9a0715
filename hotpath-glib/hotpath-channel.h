/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib.h>

#include "hotpath-version-macros.h"
#include "hotpath-site.h"

G_BEGIN_DECLS

/**
 * HotpathDescribeFunc:
 * @item: a message being sent
 *
 * Describes a message for the channel's log. Called on the sending thread,
 * before the message is pushed, only for channels with `.log = TRUE`.
 *
 * Returns: (transfer full): a short text
 */
typedef char *(*HotpathDescribeFunc) (gconstpointer item);

/**
 * HotpathChannelOptions:
 * @label: (nullable): the name to report; the call site `file:line` if %NULL
 * @log: keep the last `HOTPATH_LOGS_LIMIT` messages for the live API
 * @describe: (nullable): turns a message into the text of its log line;
 *   without it the log shows the sequence number only
 * @counts_only: count messages and lengths but do not time them: two clock
 *   reads less per message, for the hottest queues (see docs/performance.md)
 *
 * What HOTPATH_ASYNC_QUEUE() and HOTPATH_THREAD_POOL() accept as designated
 * initializers.
 */
typedef struct _HotpathChannelOptions
{
  const char          *label;
  gboolean             log;
  HotpathDescribeFunc  describe;
  gboolean             counts_only;
} HotpathChannelOptions;

HOTPATH_AVAILABLE_IN_ALL
GAsyncQueue *hotpath_async_queue_register   (GAsyncQueue                 *queue,
                                             const HotpathChannelOptions *options,
                                             const HotpathSite           *site);
HOTPATH_AVAILABLE_IN_ALL
void         hotpath_async_queue_push       (GAsyncQueue *queue,
                                             gpointer     data);
HOTPATH_AVAILABLE_IN_ALL
gpointer     hotpath_async_queue_pop        (GAsyncQueue *queue);
HOTPATH_AVAILABLE_IN_ALL
gpointer     hotpath_async_queue_try_pop    (GAsyncQueue *queue);
HOTPATH_AVAILABLE_IN_ALL
gpointer     hotpath_async_queue_timeout_pop (GAsyncQueue *queue,
                                              guint64      timeout);
HOTPATH_AVAILABLE_IN_ALL
gint         hotpath_async_queue_length     (GAsyncQueue *queue);
HOTPATH_AVAILABLE_IN_ALL
GAsyncQueue *hotpath_async_queue_ref        (GAsyncQueue *queue);
HOTPATH_AVAILABLE_IN_ALL
void         hotpath_async_queue_unref      (GAsyncQueue *queue);

HOTPATH_AVAILABLE_IN_ALL
GThreadPool *hotpath_thread_pool_register   (GThreadPool                 *pool,
                                             const HotpathChannelOptions *options,
                                             const HotpathSite           *site);
HOTPATH_AVAILABLE_IN_ALL
gboolean     hotpath_thread_pool_push       (GThreadPool  *pool,
                                             gpointer      data,
                                             GError      **error);
HOTPATH_AVAILABLE_IN_ALL
void         hotpath_thread_pool_free       (GThreadPool  *pool,
                                             gboolean      immediate,
                                             gboolean      wait_);

/**
 * HOTPATH_ASYNC_QUEUE:
 * @queue: a new #GAsyncQueue
 * @...: designated initializers for #HotpathChannelOptions:
 *   `.label = "jobs", .log = TRUE, .describe = describe_job`
 *
 * Registers @queue as a channel and returns it. Use the
 * `hotpath_async_queue_*` calls on it: they act exactly like their
 * `g_async_queue_*` namesakes and count sent and received messages, the
 * queue's length and each message's time from push to pop. Off, this is
 * @queue and the calls are the GLib ones.
 *
 * Returns: @queue
 */
#define HOTPATH_ASYNC_QUEUE(queue, ...) \
  ({ \
    _HOTPATH_DEFAULTS_BEGIN \
    const HotpathChannelOptions hotpath_channel_options_ = { .label = NULL, __VA_ARGS__ }; \
    _HOTPATH_DEFAULTS_END \
    hotpath_async_queue_register ((queue), &hotpath_channel_options_, _HOTPATH_SITE (NULL)); \
  })

/**
 * HOTPATH_THREAD_POOL:
 * @pool: a new #GThreadPool, before anything is pushed to it
 * @...: designated initializers for #HotpathChannelOptions (`.label`)
 *
 * Registers @pool as a channel and returns it: hotpath_thread_pool_push()
 * then records each item's wait in the queue and its run time, and the
 * pool's unprocessed and running counts. Off, this is @pool.
 *
 * Returns: @pool
 */
#define HOTPATH_THREAD_POOL(pool, ...) \
  ({ \
    _HOTPATH_DEFAULTS_BEGIN \
    const HotpathChannelOptions hotpath_channel_options_ = { .label = NULL, __VA_ARGS__ }; \
    _HOTPATH_DEFAULTS_END \
    hotpath_thread_pool_register ((pool), &hotpath_channel_options_, _HOTPATH_SITE (NULL)); \
  })

G_END_DECLS
