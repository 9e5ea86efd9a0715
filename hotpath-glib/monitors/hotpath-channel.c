/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-channel.c: GAsyncQueue and GThreadPool as channels.
 *
 * A registered GAsyncQueue is still the application's queue: no proxy, no
 * extra slot, no forwarding thread. Each wrapped call takes the queue's
 * own lock exactly as its g_async_queue_* namesake does and calls the
 * *_unlocked variant inside it, so try_pop and timeout_pop behave as on a
 * plain queue. Inside that lock, which the call takes anyway, the channel
 * numbers each message (exact counts under any concurrency, no lock of our
 * own) and keeps its send timestamp in a ring indexed by that number; the
 * queue is FIFO, so the receiver finds the send time of the message it
 * popped and reports the latency as one collector event.
 *
 * A registered GThreadPool keeps its queue too: its public `func` and
 * `user_data` fields are swapped for a trampoline that times each run.
 * Push and run events carry the item, and the worker pairs them to get
 * each item's wait in the queue.
 */

#include "config.h"

#include <string.h>

#include "hotpath-channel.h"
#include "hotpath-flow-private.h"
#include "hotpath-format-private.h"
#include "hotpath-snapshot-private.h"

#define TABLE_SIZE     4096
#define TABLE_MASK     (TABLE_SIZE - 1)
#define MAX_POOLS      1024
#define MIN_STAMPS     64
#define MAX_PENDING    (1 << 17)

/* Fields are grouped by who writes them, each group on cache lines of its
 * own: a push reads the configuration on every call, senders and receivers
 * write the counts under the queue's lock (whose line they share anyway),
 * and the worker writes the aggregates for every event. With the worker's
 * histogram next to `stamps_mask` a push waited for that line to come back
 * from the worker's CPU on every call. */
#define CACHE_LINE 64
#define ALIGNED_LINE __attribute__((aligned (CACHE_LINE)))

typedef struct
{
  HotpathFlowItem     item;
  char               *name;
  char               *file;
  guint               line;

  /* Read by every push and pop; written at registration, by grow_stamps()
   * under the queue's lock and by the last unref. */
  ALIGNED_LINE
  GAsyncQueue        *queue;
  guint64            *stamps;        /* send ticks, by message number */
  guint64             stamps_mask;
  guint64             base;          /* messages before this were queued before registration */
  HotpathDescribeFunc describe;
  gboolean            log;
  gboolean            timed;
  gint                refs;
  int                 closed;

  /* Written under the queue's lock; read anywhere with atomic loads. */
  ALIGNED_LINE
  guint64             sent;
  guint64             received;
  guint64             max_queued;

  /* worker */
  ALIGNED_LINE
  HotpathHistogram    latency;
  HotpathFlowLogRing  logs;
  GHashTable         *early_receipts;  /* seq -> latency + 1, received before their log event */
  guint64             sent_base;       /* counts when the session started */
  guint64             received_base;
} Channel;

typedef struct
{
  HotpathFlowItem  item;
  char            *name;
  char            *file;
  guint            line;

  /* Read by every item's run; written at registration. */
  ALIGNED_LINE
  GThreadPool     *pool;
  GFunc            func;
  gpointer         user_data;
  guint            index;

  /* The application's threads, atomically. */
  ALIGNED_LINE
  gint64           pushed;
  gint64           started;
  gint64           finished;
  gint64           running;
  gint64           max_running;
  gint64           max_unprocessed;
  int              closed;

  /* worker */
  ALIGNED_LINE
  HotpathHistogram wait;
  HotpathHistogram run;
  GHashTable      *pending_pushes;   /* item -> GArray of guint64 ticks */
  GHashTable      *pending_starts;
  guint            n_pending;
  gint64           pushed_base;
  gint64           started_base;
  gint64           finished_base;
} Pool;

typedef struct
{
  gpointer  key;
  Channel  *channel;
} TableSlot;

/* This section's events, after the first kind the registry gave it. */
enum
{
  EVENT_CHANNEL_RECV,   /* key Channel, start = sent, end = received, extra = seq */
  EVENT_CHANNEL_LOG,    /* key Channel, start = sent, end = (char *) text, extra = seq */
  EVENT_POOL_PUSH,      /* key item, start = pushed, extra = pool index */
  EVENT_POOL_RUN,       /* key item, start..end of the run, extra = pool index */
  N_EVENTS,
};
static guint32          first_event;
static HotpathFlowItems channel_items;

static GMutex    register_lock;
static TableSlot slots_table[TABLE_SIZE];
static Pool     *pools[MAX_POOLS];
static guint     n_pools;

static char *
site_name (const char        *label,
           const HotpathSite *site)
{
  g_autofree char *base = NULL;

  if (label != NULL)
    return g_strdup (label);
  if (site == NULL || site->file == NULL)
    return g_strdup ("(unknown)");

  base = g_path_get_basename (site->file);
  return g_strdup_printf ("%s:%u", base, site->line);
}

static inline guint
hash_pointer (gconstpointer pointer)
{
  guint64 x = (guint64) (guintptr) pointer;

  x ^= x >> 29;
  x *= G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  return (guint) (x >> 40) & TABLE_MASK;
}

/* Lock-free: slots are only ever added (a freed queue keeps its key with
 * no channel), so a probe ends at an empty key. */
static inline Channel *
lookup (GAsyncQueue *queue)
{
  guint i = hash_pointer (queue);

  for (guint n = 0; n < TABLE_SIZE; n++, i = (i + 1) & TABLE_MASK)
    {
      gpointer key = __atomic_load_n (&slots_table[i].key, __ATOMIC_ACQUIRE);

      if (key == queue)
        return __atomic_load_n (&slots_table[i].channel, __ATOMIC_ACQUIRE);
      if (key == NULL)
        return NULL;
    }

  return NULL;
}

/* With register_lock held. */
static gboolean
table_set (gpointer  key,
           Channel  *channel)
{
  guint i = hash_pointer (key);

  for (guint n = 0; n < TABLE_SIZE; n++, i = (i + 1) & TABLE_MASK)
    {
      if (slots_table[i].key == key || slots_table[i].key == NULL)
        {
          __atomic_store_n (&slots_table[i].channel, channel, __ATOMIC_RELEASE);
          __atomic_store_n (&slots_table[i].key, key, __ATOMIC_RELEASE);
          return TRUE;
        }
    }

  return FALSE;
}

/* -------------------------------------------------------------- channels */

static void
channel_reset (HotpathFlowItem *item)
{
  Channel *self = (Channel *) item;

  hotpath_histogram_clear (&self->latency);
  hotpath_flow_log_ring_clear (&self->logs);
  g_clear_pointer (&self->early_receipts, g_hash_table_unref);
  /* Counts are per session; the queue's length is not. */
  self->sent_base = __atomic_load_n (&self->sent, __ATOMIC_RELAXED);
  self->received_base = __atomic_load_n (&self->received, __ATOMIC_RELAXED);
}

static gpointer
channel_snapshot (HotpathFlowItem *item,
                  guint64          session_start_ticks)
{
  Channel *self = (Channel *) item;
  HotpathFlowChannel *copy;
  guint64 sent = __atomic_load_n (&self->sent, __ATOMIC_RELAXED);
  guint64 received = __atomic_load_n (&self->received, __ATOMIC_RELAXED);
  gboolean closed = __atomic_load_n (&self->closed, __ATOMIC_ACQUIRE);
  guint64 sent_base = MAX (self->sent_base, self->base);

  /* A queue closed before this session has nothing to say in it. */
  if (closed && sent == sent_base && received == self->received_base)
    return NULL;

  copy = g_new0 (HotpathFlowChannel, 1);
  copy->id = self->item.id;
  copy->name = g_strdup (self->name);
  copy->file = g_strdup (self->file);
  copy->line = self->line;
  copy->type = "async_queue";
  copy->state = closed ? "closed" : "active";
  copy->sent = sent - sent_base;
  copy->received = received - self->received_base;
  copy->queued = (gint64) sent - (gint64) received;
  copy->max_queued = __atomic_load_n (&self->max_queued, __ATOMIC_RELAXED);
  hotpath_histogram_copy (&copy->latency, &self->latency);
  hotpath_histogram_init (&copy->run);
  copy->logs = hotpath_flow_log_ring_copy (&self->logs, &copy->n_logs);

  return copy;
}

/**
 * hotpath_async_queue_register:
 * @queue: (transfer none): a #GAsyncQueue
 * @options: what HOTPATH_ASYNC_QUEUE() was given
 * @site: (nullable): where it was called
 *
 * What HOTPATH_ASYNC_QUEUE() calls. Registering a queue twice makes it a
 * new channel.
 *
 * Returns: (transfer none): @queue
 */
GAsyncQueue *
hotpath_async_queue_register (GAsyncQueue                 *queue,
                              const HotpathChannelOptions *options,
                              const HotpathSite           *site)
{
  Channel *self;
  gint length;

  g_return_val_if_fail (queue != NULL, NULL);

  /* Aligned, so that the groups above really are on lines of their own. */
  self = g_aligned_alloc0 (1, sizeof (Channel), CACHE_LINE);
  self->item.reset = channel_reset;
  self->item.snapshot = channel_snapshot;
  self->queue = queue;
  self->name = site_name (options ? options->label : NULL, site);
  self->file = site ? g_strdup (site->file) : NULL;
  self->line = site ? site->line : 0;
  self->log = options ? options->log : FALSE;
  self->describe = options ? options->describe : NULL;
  self->timed = options ? !options->counts_only : TRUE;
  self->refs = 1;
  self->stamps = g_new0 (guint64, MIN_STAMPS);
  self->stamps_mask = MIN_STAMPS - 1;
  hotpath_histogram_init (&self->latency);

  /* Messages already queued have no send time: numbers below `base`. */
  g_async_queue_lock (queue);
  length = g_async_queue_length_unlocked (queue);
  self->base = self->sent = (guint64) MAX (length, 0);
  self->max_queued = self->base;

  g_mutex_lock (&register_lock);
  if (!table_set (queue, self))
    {
      g_mutex_unlock (&register_lock);
      g_async_queue_unlock (queue);
      g_free (self->stamps);
      g_free (self->name);
      g_free (self->file);
      g_aligned_free (self);
      return queue;
    }
  g_mutex_unlock (&register_lock);
  g_async_queue_unlock (queue);

  hotpath_flow_items_add (&channel_items, &self->item);

  return queue;
}

/* With the queue's lock held: room for one more send time. */
static G_GNUC_NO_INLINE void
grow_stamps (Channel *self)
{
  guint64 capacity = (self->stamps_mask + 1) * 2;
  guint64 *stamps = g_new0 (guint64, capacity);

  for (guint64 seq = self->received; seq < self->sent; seq++)
    stamps[seq & (capacity - 1)] = self->stamps[seq & self->stamps_mask];

  g_free (self->stamps);
  self->stamps = stamps;
  self->stamps_mask = capacity - 1;
}

/**
 * hotpath_async_queue_push:
 * @queue: a #GAsyncQueue
 * @data: the message, not %NULL
 *
 * g_async_queue_push(), counted.
 */
void
hotpath_async_queue_push (GAsyncQueue *queue,
                          gpointer     data)
{
  Channel *self = lookup (queue);
  gboolean recording;
  char *text = NULL;
  guint64 seq, now = 0;

  if (self == NULL)
    {
      g_async_queue_push (queue, data);
      return;
    }

  g_return_if_fail (data != NULL);

  recording = __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) != HOTPATH_RECORDING_OFF;
  /* Before the push: once pushed, the message belongs to the receiver. */
  if (G_UNLIKELY (self->log && recording && self->describe != NULL))
    text = self->describe (data);

  /* Read before the lock, to keep the queue's critical section as short
   * as it is without us: the latency runs from the push call. */
  if (G_LIKELY (recording && self->timed))
    now = hotpath_clock_read ();

  g_async_queue_lock (queue);

  seq = self->sent;
  if (G_LIKELY (self->timed))
    {
      if (G_UNLIKELY (seq - self->received > self->stamps_mask))
        grow_stamps (self);
      self->stamps[seq & self->stamps_mask] = now;
    }
  g_async_queue_push_unlocked (queue, data);
  __atomic_store_n (&self->sent, seq + 1, __ATOMIC_RELAXED);
  if (seq + 1 - self->received > self->max_queued)
    __atomic_store_n (&self->max_queued, seq + 1 - self->received, __ATOMIC_RELAXED);

  g_async_queue_unlock (queue);

  if (G_UNLIKELY (self->log && recording))
    hotpath_collector_record_full (first_event + EVENT_CHANNEL_LOG, self, now,
                                   (guint64) (guintptr) text, (guint32) seq);
}

/* With the queue's lock held, after a message was popped. */
static inline void
count_received (Channel *self,
                guint64 *sent_at,
                guint64 *seq_out)
{
  guint64 seq = self->received;

  *sent_at = self->timed && seq >= self->base ? self->stamps[seq & self->stamps_mask] : 0;
  *seq_out = seq;
  __atomic_store_n (&self->received, seq + 1, __ATOMIC_RELAXED);
}

static inline void
record_received (Channel *self,
                 guint64  sent_at,
                 guint64  seq)
{
  if (sent_at != 0 && __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) != HOTPATH_RECORDING_OFF)
    hotpath_collector_record_full (first_event + EVENT_CHANNEL_RECV, self, sent_at,
                                   hotpath_clock_read (), (guint32) seq);
}

/**
 * hotpath_async_queue_pop:
 * @queue: a #GAsyncQueue
 *
 * g_async_queue_pop(), counted.
 *
 * Returns: (transfer full): the oldest message
 */
gpointer
hotpath_async_queue_pop (GAsyncQueue *queue)
{
  Channel *self = lookup (queue);
  guint64 sent_at, seq;
  gpointer data;

  if (self == NULL)
    return g_async_queue_pop (queue);

  g_async_queue_lock (queue);
  data = g_async_queue_pop_unlocked (queue);
  count_received (self, &sent_at, &seq);
  g_async_queue_unlock (queue);

  record_received (self, sent_at, seq);

  return data;
}

/**
 * hotpath_async_queue_try_pop:
 * @queue: a #GAsyncQueue
 *
 * g_async_queue_try_pop(), counted.
 *
 * Returns: (transfer full) (nullable): the oldest message, or %NULL at once
 *   if the queue is empty
 */
gpointer
hotpath_async_queue_try_pop (GAsyncQueue *queue)
{
  Channel *self = lookup (queue);
  guint64 sent_at = 0, seq = 0;
  gpointer data;

  if (self == NULL)
    return g_async_queue_try_pop (queue);

  g_async_queue_lock (queue);
  data = g_async_queue_try_pop_unlocked (queue);
  if (data != NULL)
    count_received (self, &sent_at, &seq);
  g_async_queue_unlock (queue);

  if (data != NULL)
    record_received (self, sent_at, seq);

  return data;
}

/**
 * hotpath_async_queue_timeout_pop:
 * @queue: a #GAsyncQueue
 * @timeout: microseconds to wait
 *
 * g_async_queue_timeout_pop(), counted.
 *
 * Returns: (transfer full) (nullable): the oldest message, or %NULL if
 *   none came within @timeout
 */
gpointer
hotpath_async_queue_timeout_pop (GAsyncQueue *queue,
                                 guint64      timeout)
{
  Channel *self = lookup (queue);
  guint64 sent_at = 0, seq = 0;
  gpointer data;

  if (self == NULL)
    return g_async_queue_timeout_pop (queue, timeout);

  g_async_queue_lock (queue);
  data = g_async_queue_timeout_pop_unlocked (queue, timeout);
  if (data != NULL)
    count_received (self, &sent_at, &seq);
  g_async_queue_unlock (queue);

  if (data != NULL)
    record_received (self, sent_at, seq);

  return data;
}

/**
 * hotpath_async_queue_length:
 * @queue: a #GAsyncQueue
 *
 * g_async_queue_length(): messages minus waiting threads, so negative
 * while receivers wait.
 *
 * Returns: the length
 */
gint
hotpath_async_queue_length (GAsyncQueue *queue)
{
  return g_async_queue_length (queue);
}

/**
 * hotpath_async_queue_ref:
 * @queue: a #GAsyncQueue
 *
 * g_async_queue_ref(); the channel closes when the last reference taken
 * through these calls is dropped with hotpath_async_queue_unref().
 *
 * Returns: (transfer full): @queue
 */
GAsyncQueue *
hotpath_async_queue_ref (GAsyncQueue *queue)
{
  Channel *self = lookup (queue);

  if (self != NULL)
    g_atomic_int_inc (&self->refs);

  return g_async_queue_ref (queue);
}

/**
 * hotpath_async_queue_unref:
 * @queue: (transfer full): a #GAsyncQueue
 *
 * g_async_queue_unref(); dropping the last reference closes the channel,
 * which stays in the report.
 */
void
hotpath_async_queue_unref (GAsyncQueue *queue)
{
  Channel *self = lookup (queue);

  if (self != NULL && g_atomic_int_dec_and_test (&self->refs))
    {
      g_mutex_lock (&register_lock);
      table_set (queue, NULL);
      g_mutex_unlock (&register_lock);
      __atomic_store_n (&self->closed, TRUE, __ATOMIC_RELEASE);
      /* Nobody may use the queue now; its send times go with it. */
      g_clear_pointer (&self->stamps, g_free);
    }

  g_async_queue_unref (queue);
}

static void
channel_aggregate_log (Channel            *self,
                       const HotpathEvent *event,
                       guint64             thread_id,
                       guint64             session_start_ticks,
                       guint               logs_limit)
{
  char *text = (char *) (guintptr) event->end;
  HotpathFlowLog *entry = NULL;

  if (event->start >= session_start_ticks)
    entry = hotpath_flow_log_ring_add (&self->logs, logs_limit);

  if (entry == NULL)
    {
      g_free (text);
      return;
    }

  entry->at_ns = hotpath_flow_at_ns (event->start, session_start_ticks);
  entry->seq = event->reserved;
  entry->thread_id = thread_id;
  entry->text = text ? text : g_strdup_printf ("#%u", event->reserved);
  entry->outcome = "queued";

  /* The receiver's ring may have been drained before the sender's. */
  if (self->early_receipts != NULL)
    {
      gpointer latency;

      if (g_hash_table_steal_extended (self->early_receipts, GUINT_TO_POINTER (event->reserved), NULL, &latency))
        {
          entry->outcome = "received";
          entry->duration_ns = GPOINTER_TO_SIZE (latency) - 1;
        }
    }
}

static void
channel_log_received (Channel *self,
                      guint32  seq,
                      guint64  latency_ns)
{
  guint n = self->logs.entries ? (guint) MIN (self->logs.n, (guint64) self->logs.limit) : 0;

  /* Newest first: the message just received is usually recent. */
  for (guint i = 0; i < n; i++)
    {
      HotpathFlowLog *entry = &self->logs.entries[(self->logs.n - 1 - i) % self->logs.limit];

      if (entry->seq == seq && entry->outcome != NULL && strcmp (entry->outcome, "queued") == 0)
        {
          entry->outcome = "received";
          entry->duration_ns = latency_ns;
          return;
        }
    }

  if (self->early_receipts == NULL || g_hash_table_size (self->early_receipts) > 4096)
    {
      g_clear_pointer (&self->early_receipts, g_hash_table_unref);
      self->early_receipts = g_hash_table_new (NULL, NULL);
    }
  g_hash_table_insert (self->early_receipts, GUINT_TO_POINTER (seq), GSIZE_TO_POINTER (latency_ns + 1));
}

/* ----------------------------------------------------------------- pools */

static void
pool_trampoline (gpointer data,
                 gpointer user_data)
{
  Pool *self = user_data;
  gint64 running;
  gint64 max;
  guint64 start = 0;
  gboolean recording;

  __atomic_fetch_add (&self->started, 1, __ATOMIC_RELAXED);
  running = __atomic_add_fetch (&self->running, 1, __ATOMIC_RELAXED);
  max = __atomic_load_n (&self->max_running, __ATOMIC_RELAXED);
  while (running > max &&
         !__atomic_compare_exchange_n (&self->max_running, &max, running, TRUE,
                                       __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;

  recording = __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) != HOTPATH_RECORDING_OFF;
  if (recording)
    start = hotpath_clock_read ();

  self->func (data, self->user_data);

  if (recording)
    hotpath_collector_record_full (first_event + EVENT_POOL_RUN, data, start,
                                   hotpath_clock_read (), self->index);

  __atomic_fetch_sub (&self->running, 1, __ATOMIC_RELAXED);
  __atomic_fetch_add (&self->finished, 1, __ATOMIC_RELEASE);
}

static void
pool_reset (HotpathFlowItem *item)
{
  Pool *self = (Pool *) item;

  hotpath_histogram_clear (&self->wait);
  hotpath_histogram_clear (&self->run);
  g_clear_pointer (&self->pending_pushes, g_hash_table_unref);
  g_clear_pointer (&self->pending_starts, g_hash_table_unref);
  self->n_pending = 0;
  self->pushed_base = __atomic_load_n (&self->pushed, __ATOMIC_RELAXED);
  self->started_base = __atomic_load_n (&self->started, __ATOMIC_RELAXED);
  self->finished_base = __atomic_load_n (&self->finished, __ATOMIC_RELAXED);
}

static gpointer
pool_snapshot (HotpathFlowItem *item,
               guint64          session_start_ticks)
{
  Pool *self = (Pool *) item;
  HotpathFlowChannel *copy;
  gint64 pushed = __atomic_load_n (&self->pushed, __ATOMIC_RELAXED);
  gint64 started = __atomic_load_n (&self->started, __ATOMIC_RELAXED);
  gint64 finished = __atomic_load_n (&self->finished, __ATOMIC_ACQUIRE);
  gboolean closed = __atomic_load_n (&self->closed, __ATOMIC_ACQUIRE);

  if (closed && pushed == self->pushed_base && finished == self->finished_base)
    return NULL;

  copy = g_new0 (HotpathFlowChannel, 1);
  copy->id = self->item.id;
  copy->name = g_strdup (self->name);
  copy->file = g_strdup (self->file);
  copy->line = self->line;
  copy->type = "thread_pool";
  copy->state = closed ? "closed" : "active";
  copy->finished = (guint64) (finished - self->finished_base);
  copy->received = (guint64) (started - self->started_base);
  copy->sent = (guint64) (MAX (pushed, started) - self->pushed_base);
  copy->queued = MAX (pushed - started, 0);
  copy->max_queued = (guint64) __atomic_load_n (&self->max_unprocessed, __ATOMIC_RELAXED);
  copy->running = (guint64) MAX (__atomic_load_n (&self->running, __ATOMIC_RELAXED), 0);
  copy->max_running = (guint64) __atomic_load_n (&self->max_running, __ATOMIC_RELAXED);
  hotpath_histogram_copy (&copy->latency, &self->wait);
  hotpath_histogram_copy (&copy->run, &self->run);
  copy->logs = g_new0 (HotpathFlowLog, 1);

  return copy;
}

/**
 * hotpath_thread_pool_register:
 * @pool: a #GThreadPool nothing was pushed to yet
 * @options: what HOTPATH_THREAD_POOL() was given
 * @site: (nullable): where it was called
 *
 * What HOTPATH_THREAD_POOL() calls.
 *
 * Returns: (transfer none): @pool
 */
GThreadPool *
hotpath_thread_pool_register (GThreadPool                 *pool,
                              const HotpathChannelOptions *options,
                              const HotpathSite           *site)
{
  Pool *self;

  g_return_val_if_fail (pool != NULL, NULL);

  if (pool->func == pool_trampoline)
    return pool;

  g_mutex_lock (&register_lock);
  if (n_pools == MAX_POOLS)
    {
      g_mutex_unlock (&register_lock);
      return pool;
    }

  self = g_aligned_alloc0 (1, sizeof (Pool), CACHE_LINE);
  self->item.reset = pool_reset;
  self->item.snapshot = pool_snapshot;
  self->pool = pool;
  self->func = pool->func;
  self->user_data = pool->user_data;
  self->name = site_name (options ? options->label : NULL, site);
  self->file = site ? g_strdup (site->file) : NULL;
  self->line = site ? site->line : 0;
  self->index = n_pools;
  hotpath_histogram_init (&self->wait);
  hotpath_histogram_init (&self->run);
  __atomic_store_n (&pools[n_pools], self, __ATOMIC_RELEASE);
  n_pools++;
  g_mutex_unlock (&register_lock);

  /* GThreadPool's func and user_data are public and read for each item;
   * nothing runs yet, so swapping them now is safe. */
  pool->user_data = self;
  __atomic_store_n (&pool->func, pool_trampoline, __ATOMIC_RELEASE);

  hotpath_flow_items_add (&channel_items, &self->item);

  return pool;
}

/**
 * hotpath_thread_pool_push:
 * @pool: a #GThreadPool
 * @data: the item
 * @error: return location for a #GError
 *
 * g_thread_pool_push(), counted.
 *
 * Returns: what g_thread_pool_push() returns
 */
gboolean
hotpath_thread_pool_push (GThreadPool  *pool,
                          gpointer      data,
                          GError      **error)
{
  Pool *self;
  gint64 unprocessed, max;

  g_return_val_if_fail (pool != NULL, FALSE);

  if (pool->func != pool_trampoline)
    return g_thread_pool_push (pool, data, error);

  self = pool->user_data;

  if (__atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) != HOTPATH_RECORDING_OFF)
    hotpath_collector_record_full (first_event + EVENT_POOL_PUSH, data, hotpath_clock_read (), 0,
                                   self->index);

  unprocessed = __atomic_add_fetch (&self->pushed, 1, __ATOMIC_RELAXED) -
                __atomic_load_n (&self->started, __ATOMIC_RELAXED);
  max = __atomic_load_n (&self->max_unprocessed, __ATOMIC_RELAXED);
  while (unprocessed > max &&
         !__atomic_compare_exchange_n (&self->max_unprocessed, &max, unprocessed, TRUE,
                                       __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;

  return g_thread_pool_push (pool, data, error);
}

/**
 * hotpath_thread_pool_free:
 * @pool: a #GThreadPool
 * @immediate: as for g_thread_pool_free()
 * @wait_: as for g_thread_pool_free()
 *
 * g_thread_pool_free(); the channel becomes closed.
 */
void
hotpath_thread_pool_free (GThreadPool *pool,
                          gboolean     immediate,
                          gboolean     wait_)
{
  g_return_if_fail (pool != NULL);

  if (pool->func == pool_trampoline)
    {
      Pool *self = pool->user_data;
      __atomic_store_n (&self->closed, TRUE, __ATOMIC_RELEASE);
    }

  g_thread_pool_free (pool, immediate, wait_);
}

static guint64
pending_take (GHashTable   *table,
              gconstpointer key)
{
  GArray *array;
  guint64 value;

  if (table == NULL || (array = g_hash_table_lookup (table, key)) == NULL)
    return 0;

  value = g_array_index (array, guint64, 0);
  g_array_remove_index (array, 0);
  if (array->len == 0)
    g_hash_table_remove (table, key);

  return value;
}

static void
pending_add (Pool          *self,
             GHashTable   **table,
             gconstpointer  key,
             guint64        value)
{
  GArray *array;

  /* Items pushed without hotpath_thread_pool_push() never pair up: drop
   * the lot rather than grow without end. */
  if (++self->n_pending > MAX_PENDING)
    {
      g_clear_pointer (&self->pending_pushes, g_hash_table_unref);
      g_clear_pointer (&self->pending_starts, g_hash_table_unref);
      self->n_pending = 0;
    }

  if (*table == NULL)
    *table = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_array_unref);

  array = g_hash_table_lookup (*table, key);
  if (array == NULL)
    {
      array = g_array_sized_new (FALSE, FALSE, sizeof (guint64), 1);
      g_hash_table_insert (*table, (gpointer) key, array);
    }
  g_array_append_val (array, value);
}

static void
pool_aggregate (const HotpathEvent *event,
                guint32             kind,
                guint64             session_start_ticks)
{
  Pool *self;
  guint64 other;

  if (event->reserved >= MAX_POOLS ||
      (self = __atomic_load_n (&pools[event->reserved], __ATOMIC_ACQUIRE)) == NULL)
    return;

  if (event->start < session_start_ticks)
    return;

  if (kind == EVENT_POOL_RUN)
    {
      hotpath_histogram_record (&self->run,
                                hotpath_flow_ticks_to_ns (event->end >= event->start ? event->end - event->start : 0));

      other = pending_take (self->pending_pushes, event->key);
      if (other != 0)
        hotpath_histogram_record (&self->wait,
                                  hotpath_flow_ticks_to_ns (event->start >= other ? event->start - other : 0));
      else
        pending_add (self, &self->pending_starts, event->key, event->start);
    }
  else
    {
      other = pending_take (self->pending_starts, event->key);
      if (other != 0)
        hotpath_histogram_record (&self->wait,
                                  hotpath_flow_ticks_to_ns (other >= event->start ? other - event->start : 0));
      else
        pending_add (self, &self->pending_pushes, event->key, event->start);
    }
}

static void
channels_aggregate (const HotpathEvent        *event,
                    const HotpathEventContext *context)
{
  Channel *self;
  guint64 latency_ns;

  switch (context->kind)
    {
    case EVENT_POOL_PUSH:
    case EVENT_POOL_RUN:
      pool_aggregate (event, context->kind, context->session_start_ticks);
      return;

    case EVENT_CHANNEL_LOG:
      channel_aggregate_log ((Channel *) event->key, event, context->thread_id,
                             context->session_start_ticks, context->logs_limit);
      return;

    case EVENT_CHANNEL_RECV:
      self = (Channel *) event->key;
      if (event->start < context->session_start_ticks)
        return;
      latency_ns = hotpath_flow_ticks_to_ns (event->end >= event->start ? event->end - event->start : 0);
      hotpath_histogram_record (&self->latency, latency_ns);
      if (self->log)
        channel_log_received (self, event->reserved, latency_ns);
      return;

    default:
      return;
    }
}

/* ------------------------------------------------------------ section */

static void
channels_reset (void)
{
  hotpath_flow_items_reset (&channel_items);
}

static gpointer
channels_snapshot (const HotpathSnapshotContext *context)
{
  return hotpath_flow_items_snapshot (&channel_items, context->session_start_ticks,
                                      hotpath_flow_channel_free);
}

enum
{
  COLUMN_ID,
  COLUMN_NAME,
  COLUMN_TYPE,
  COLUMN_STATE,
  COLUMN_FILE,
  COLUMN_LINE,
  COLUMN_SENT,
  COLUMN_RECEIVED,
  COLUMN_QUEUED,
  COLUMN_MAX_QUEUED,
  COLUMN_LATENCY,
  COLUMN_RUNNING,
  COLUMN_MAX_RUNNING,
  COLUMN_FINISHED,
  COLUMN_RUN,
  COLUMN_LOGS,
};

static void
channel_get (gconstpointer       row,
             const HotpathField *field,
             HotpathValue       *value)
{
  const HotpathFlowChannel *channel = row;
  gboolean pool = strcmp (channel->type, "thread_pool") == 0;

  switch (field->arg)
    {
    case COLUMN_ID:          hotpath_value_set_uint (value, channel->id); break;
    case COLUMN_NAME:        hotpath_value_set_string (value, channel->name); break;
    case COLUMN_TYPE:        hotpath_value_set_string (value, channel->type); break;
    case COLUMN_STATE:       hotpath_value_set_string (value, channel->state); break;
    case COLUMN_FILE:        hotpath_value_set_string (value, channel->file); break;
    case COLUMN_LINE:        hotpath_value_set_uint (value, channel->line); break;
    case COLUMN_SENT:        hotpath_value_set_uint (value, channel->sent); break;
    case COLUMN_RECEIVED:    hotpath_value_set_uint (value, channel->received); break;
    case COLUMN_QUEUED:      hotpath_value_set_int (value, channel->queued); break;
    case COLUMN_MAX_QUEUED:  hotpath_value_set_uint (value, channel->max_queued); break;
    case COLUMN_LATENCY:     hotpath_value_set_histogram (value, &channel->latency, 1.0); break;
    /* Pools only: a queue has no threads of its own. */
    case COLUMN_RUNNING:     if (pool) hotpath_value_set_uint (value, channel->running); break;
    case COLUMN_MAX_RUNNING: if (pool) hotpath_value_set_uint (value, channel->max_running); break;
    case COLUMN_FINISHED:    if (pool) hotpath_value_set_uint (value, channel->finished); break;
    case COLUMN_RUN:         if (pool) hotpath_value_set_histogram (value, &channel->run, 1.0); break;
    case COLUMN_LOGS:        hotpath_value_set_rows (value, channel); break;
    default:                 break;
    }
}

static guint
channel_logs_count (gconstpointer container)
{
  const HotpathFlowChannel *channel = container;

  return channel->n_logs;
}

static gconstpointer
channel_logs_nth (gconstpointer container,
                  guint         index)
{
  const HotpathFlowChannel *channel = container;

  return hotpath_flow_logs_nth (channel->logs, channel->n_logs, index);
}

static const HotpathField channel_log_fields[] = {
  { "index", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "messages logged before this one", "#",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_INDEX },
  { "at_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "when it was sent, since the session started", "Sent at",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_AT },
  { "latency_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "time in the queue", "Latency",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_DURATION },
  { "thread_id", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "the sending thread", "Thread",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_THREAD },
  { "outcome", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "queued or received", "Outcome",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_OUTCOME },
  { "text", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "the message, as described", "Message",
    .get = hotpath_flow_log_get, .arg = HOTPATH_FLOW_LOG_TEXT },
};

static const HotpathRowsDesc channel_logs = {
  channel_log_fields, G_N_ELEMENTS (channel_log_fields), channel_logs_count, channel_logs_nth,
};

static const HotpathField channel_fields[] = {
  { "id", HOTPATH_FIELD_ID, .get = channel_get, .arg = COLUMN_ID },
  { "name", HOTPATH_FIELD_TEXT, .help = "the label, else file.c:line", .title = "Channel",
    .get = channel_get, .arg = COLUMN_NAME },
  { "type", HOTPATH_FIELD_TEXT, .help = "async_queue or thread_pool", .title = "Type",
    .get = channel_get, .arg = COLUMN_TYPE, .metric = "type" },
  { "state", HOTPATH_FIELD_TEXT, .help = "active, or closed once freed", .title = "State",
    .get = channel_get, .arg = COLUMN_STATE },
  { "file", HOTPATH_FIELD_TEXT, .get = channel_get, .arg = COLUMN_FILE },
  { "line", HOTPATH_FIELD_GAUGE, .get = channel_get, .arg = COLUMN_LINE },
  { "sent", HOTPATH_FIELD_COUNTER, .help = "messages sent (pools: pushed) this session",
    .title = "Sent", .get = channel_get, .arg = COLUMN_SENT },
  { "received", HOTPATH_FIELD_COUNTER, .help = "messages received (pools: started) this session",
    .title = "Received", .get = channel_get, .arg = COLUMN_RECEIVED },
  { "queued", HOTPATH_FIELD_GAUGE, .help = "messages in the queue now", .title = "Queued",
    .get = channel_get, .arg = COLUMN_QUEUED },
  { "max_queued", HOTPATH_FIELD_GAUGE, .help = "the most messages ever queued", .title = "Max",
    .get = channel_get, .arg = COLUMN_MAX_QUEUED },
  { "latency_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "push to pop (pools: wait for a thread)",
    "Latency", .get = channel_get, .arg = COLUMN_LATENCY },
  { "running", HOTPATH_FIELD_GAUGE, .help = "pool items running now", .get = channel_get,
    .arg = COLUMN_RUNNING },
  { "max_running", HOTPATH_FIELD_GAUGE, .help = "the most pool items ever running at once",
    .get = channel_get, .arg = COLUMN_MAX_RUNNING },
  { "finished", HOTPATH_FIELD_COUNTER, .help = "pool items finished this session",
    .get = channel_get, .arg = COLUMN_FINISHED },
  { "run_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "how long a pool item ran", NULL,
    .get = channel_get, .arg = COLUMN_RUN },
  { "logs", HOTPATH_FIELD_ROWS, .help = "the last messages of a queue registered with .log = TRUE",
    .rows = &channel_logs, .get = channel_get, .arg = COLUMN_LOGS },
};

static const HotpathRowsDesc channel_rows = {
  channel_fields, G_N_ELEMENTS (channel_fields), hotpath_flow_rows_count, hotpath_flow_rows_nth,
};

static void
channel_row_text (const HotpathSectionDesc *section,
                  HotpathSnapshot          *snapshot,
                  gconstpointer             row,
                  GString                  *out)
{
  const HotpathFlowChannel *channel = row;
  const double *ranks = (const double *) (gpointer) snapshot->percentiles->data;
  guint n_ranks = snapshot->percentiles->len;

  g_string_append_printf (out, "%s, %s, ", channel->type, channel->state);
  if (strcmp (channel->type, "thread_pool") == 0)
    {
      g_string_append_printf (out, "%" G_GUINT64_FORMAT " pushed, %" G_GUINT64_FORMAT " started, "
                              "%" G_GINT64_FORMAT " waiting (max %" G_GUINT64_FORMAT "), "
                              "%" G_GUINT64_FORMAT " running (max %" G_GUINT64_FORMAT "), "
                              "%" G_GUINT64_FORMAT " finished",
                              channel->sent, channel->received, channel->queued, channel->max_queued,
                              channel->running, channel->max_running, channel->finished);
      hotpath_format_append_summary (out, "wait for a thread", &channel->latency, ranks, n_ranks);
      hotpath_format_append_summary (out, "run", &channel->run, ranks, n_ranks);
    }
  else
    {
      g_string_append_printf (out, "%" G_GUINT64_FORMAT " sent, %" G_GUINT64_FORMAT " received, "
                              "%" G_GINT64_FORMAT " queued (max %" G_GUINT64_FORMAT ")",
                              channel->sent, channel->received, channel->queued, channel->max_queued);
      hotpath_format_append_summary (out, "latency", &channel->latency, ranks, n_ranks);
    }
  g_string_append_printf (out, ", %u log line%s", channel->n_logs, hotpath_flow_plural (channel->n_logs, "", "s"));
}

static void
channel_log_text (const HotpathSectionDesc *section,
                  gconstpointer             item,
                  gconstpointer             line,
                  guint                     position,
                  GString                  *out)
{
  const HotpathFlowLog *entry = line;

  g_string_append_printf (out, "#%" G_GUINT64_FORMAT "  %s  ", entry->index, entry->text != NULL ? entry->text : "-");
  if (g_strcmp0 (entry->outcome, "queued") == 0)
    g_string_append (out, "still queued");
  else
    hotpath_format_append_duration (out, "received after ", entry->duration_ns);
  hotpath_format_append_duration (out, "  sent ", entry->at_ns);
  g_string_append_printf (out, " into the session  thread %" G_GUINT64_FORMAT, entry->thread_id);
}

const HotpathSectionDesc hotpath_channels_section = {
  .name = "channels",
  .title = "channels",
  .description = "GAsyncQueue channels (HOTPATH_ASYNC_QUEUE) and GThreadPool channels "
                 "(HOTPATH_THREAD_POOL): messages sent, received and queued, and how long each "
                 "waited in the queue. An empty list when nothing registered has carried data.",
  .schema_def = "channels_section",
  .logs_schema_def = "channel",
  .n_event_kinds = N_EVENTS,
  .first_event_kind = &first_event,
  .aggregate = channels_aggregate,
  .reset = channels_reset,
  .snapshot = channels_snapshot,
  .free_data = hotpath_flow_rows_free,
  .rows = &channel_rows,
  .has_logs = TRUE,
  .when_empty = "No GAsyncQueue (HOTPATH_ASYNC_QUEUE) or GThreadPool (HOTPATH_THREAD_POOL) "
                "has carried anything this session.",
  .item_noun = "channel",
  .items_noun = "channels",
  .order = "by id",
  .log_noun = "message",
  .logs_noun = "messages",
  .row_text = channel_row_text,
  .log_text = channel_log_text,
  .metric_prefix = "channel",
  .metric_label = "channel",
};
