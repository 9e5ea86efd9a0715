/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-flow.c: the glue between the data-flow subsystems and the core.
 *
 * Flow objects (channels, pools, future sites, watched sources, watched
 * main contexts) register here once. The collector hands every flow event
 * to hotpath_flow_aggregate() from its drain loop, and asks for a copy of
 * every item when it takes a snapshot.
 */

#include "config.h"

#include <string.h>

#include "hotpath-clock-private.h"
#include "hotpath-env-private.h"
#include "hotpath-flow-private.h"

/* Registration only; never held while recording an event, so the worker
 * (which drains with the collector lock) can never wait for it while a
 * producer waits for the worker. */
static GMutex     registry_lock;
static GPtrArray *items;          /* HotpathFlowItem */
static guint      last_id;

void
hotpath_flow_register (HotpathFlowItem *item)
{
  g_mutex_lock (&registry_lock);
  if (items == NULL)
    items = g_ptr_array_new ();
  if (item->id == 0)
    item->id = ++last_id;
  g_ptr_array_add (items, item);
  g_mutex_unlock (&registry_lock);
}

guint64
hotpath_flow_ticks_to_ns (guint64 ticks)
{
  return hotpath_clock_ticks_to_ns (ticks);
}

guint64
hotpath_flow_at_ns (guint64 ticks,
                    guint64 session_start_ticks)
{
  if (ticks <= session_start_ticks)
    return 0;
  return hotpath_clock_ticks_to_ns (ticks - session_start_ticks);
}

/* ------------------------------------------------------------------ logs */

void
hotpath_flow_log_ring_clear (HotpathFlowLogRing *ring)
{
  if (ring->entries != NULL)
    {
      for (guint i = 0; i < MIN (ring->n, (guint64) ring->limit); i++)
        g_free (ring->entries[i].text);
      g_clear_pointer (&ring->entries, g_free);
    }
  ring->n = 0;
  ring->limit = 0;
}

/* A new entry, zeroed, or NULL when logs are off. */
HotpathFlowLog *
hotpath_flow_log_ring_add (HotpathFlowLogRing *ring,
                           guint               limit)
{
  HotpathFlowLog *entry;

  if (limit == 0)
    return NULL;

  if (ring->entries == NULL || ring->limit != limit)
    {
      hotpath_flow_log_ring_clear (ring);
      ring->entries = g_new0 (HotpathFlowLog, limit);
      ring->limit = limit;
    }

  entry = &ring->entries[ring->n % limit];
  g_free (entry->text);
  memset (entry, 0, sizeof *entry);
  entry->index = ring->n++;

  return entry;
}

HotpathFlowLog *
hotpath_flow_log_ring_copy (const HotpathFlowLogRing *ring,
                            guint                    *n_logs)
{
  guint n = ring->entries ? (guint) MIN (ring->n, (guint64) ring->limit) : 0;
  guint64 first = ring->n - n;
  HotpathFlowLog *copy = g_new0 (HotpathFlowLog, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      copy[i] = ring->entries[(first + i) % ring->limit];
      copy[i].text = g_strdup (copy[i].text);
    }

  *n_logs = n;
  return copy;
}

void
hotpath_flow_logs_free (HotpathFlowLog *logs,
                        guint           n_logs)
{
  if (logs == NULL)
    return;
  for (guint i = 0; i < n_logs; i++)
    g_free (logs[i].text);
  g_free (logs);
}

/* ---------------------------------------------------------- aggregation */

/* Flow aggregates are kept in ns (stall thresholds are compared as
 * events arrive), so the tick rate must be known while draining, not only
 * at snapshot time: recalibrate every 100 ms of events. */
static guint64 recalibrate_at;
static guint64 calibrated_session;

static inline void
maybe_calibrate (guint64 ticks,
                 guint64 session_start_ticks)
{
  if (G_UNLIKELY (ticks >= recalibrate_at || calibrated_session != session_start_ticks))
    {
      double ns_per_tick = hotpath_clock_calibrate ();

      calibrated_session = session_start_ticks;
      recalibrate_at = ticks + (guint64) (100e6 / ns_per_tick);
    }
}

void
hotpath_flow_aggregate (const HotpathEvent *event,
                        guint64             thread_id,
                        guint64             session_start_ticks,
                        guint               logs_limit)
{
  maybe_calibrate (event->start, session_start_ticks);

  switch (event->kind)
    {
    case HOTPATH_FLOW_EVENT_SOURCE_DISPATCH:
      hotpath_source_aggregate (event, thread_id, session_start_ticks, logs_limit);
      break;
    case HOTPATH_FLOW_EVENT_MAIN_POLL:
    case HOTPATH_FLOW_EVENT_MAIN_LAG:
      hotpath_main_context_aggregate (event, thread_id, session_start_ticks, logs_limit);
      break;
    case HOTPATH_FLOW_EVENT_CHANNEL_RECV:
    case HOTPATH_FLOW_EVENT_CHANNEL_LOG:
    case HOTPATH_FLOW_EVENT_POOL_PUSH:
    case HOTPATH_FLOW_EVENT_POOL_RUN:
      hotpath_channel_aggregate (event, thread_id, session_start_ticks, logs_limit);
      break;
    case HOTPATH_FLOW_EVENT_TASK_DONE:
    case HOTPATH_FLOW_EVENT_ASYNC_DONE:
    case HOTPATH_FLOW_EVENT_FUTURE_CREATED:
    case HOTPATH_FLOW_EVENT_TASK_RETURNED:
    case HOTPATH_FLOW_EVENT_TASK_CALLBACK:
      hotpath_task_aggregate (event, thread_id, session_start_ticks, logs_limit);
      break;
    default:
      break;
    }
}

void
hotpath_flow_reset (void)
{
  g_mutex_lock (&registry_lock);
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      HotpathFlowItem *item = g_ptr_array_index (items, i);
      if (item->reset != NULL)
        item->reset (item);
    }
  g_mutex_unlock (&registry_lock);
}

static int
compare_by_id (gconstpointer a,
               gconstpointer b)
{
  /* Every snapshot struct starts with its id. */
  guint x = **(const guint * const *) a;
  guint y = **(const guint * const *) b;

  return (x > y) - (x < y);
}

void
hotpath_flow_snapshot (HotpathSnapshot *snapshot,
                       guint64          session_start_ticks,
                       guint            logs_limit)
{
  HotpathFlowSnapshot *flow = g_new0 (HotpathFlowSnapshot, 1);
  GPtrArray *by_section[HOTPATH_FLOW_N_SECTIONS];

  flow->channels = g_ptr_array_new_with_free_func (hotpath_flow_channel_free);
  flow->futures = g_ptr_array_new_with_free_func (hotpath_flow_future_free);
  flow->sources = g_ptr_array_new_with_free_func (hotpath_flow_source_free);
  flow->main_loops = g_ptr_array_new_with_free_func (hotpath_flow_main_loop_free);
  by_section[HOTPATH_FLOW_CHANNEL] = flow->channels;
  by_section[HOTPATH_FLOW_FUTURE] = flow->futures;
  by_section[HOTPATH_FLOW_SOURCE] = flow->sources;
  by_section[HOTPATH_FLOW_MAIN_LOOP] = flow->main_loops;

  g_mutex_lock (&registry_lock);
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      HotpathFlowItem *item = g_ptr_array_index (items, i);
      gpointer copy = item->snapshot (item, session_start_ticks);

      if (copy != NULL)
        g_ptr_array_add (by_section[item->section], copy);
    }
  g_mutex_unlock (&registry_lock);

  for (guint s = 0; s < HOTPATH_FLOW_N_SECTIONS; s++)
    g_ptr_array_sort (by_section[s], compare_by_id);

  g_clear_pointer (&snapshot->flow, hotpath_flow_snapshot_free);
  snapshot->flow = flow;
}

void
hotpath_flow_snapshot_free (HotpathFlowSnapshot *flow)
{
  if (flow == NULL)
    return;
  g_ptr_array_unref (flow->channels);
  g_ptr_array_unref (flow->futures);
  g_ptr_array_unref (flow->sources);
  g_ptr_array_unref (flow->main_loops);
  g_free (flow);
}

void
hotpath_flow_channel_free (gpointer data)
{
  HotpathFlowChannel *self = data;

  g_free (self->name);
  g_free (self->file);
  hotpath_histogram_clear (&self->latency);
  hotpath_histogram_clear (&self->run);
  hotpath_flow_logs_free (self->logs, self->n_logs);
  g_free (self);
}

void
hotpath_flow_future_free (gpointer data)
{
  HotpathFlowFuture *self = data;

  g_free (self->name);
  g_free (self->file);
  hotpath_histogram_clear (&self->queue_wait);
  hotpath_histogram_clear (&self->run);
  hotpath_histogram_clear (&self->to_callback);
  hotpath_histogram_clear (&self->lifetime);
  hotpath_flow_logs_free (self->logs, self->n_logs);
  g_free (self);
}

void
hotpath_flow_source_free (gpointer data)
{
  HotpathFlowSource *self = data;

  g_free (self->name);
  g_free (self->context);
  hotpath_histogram_clear (&self->duration);
  hotpath_flow_logs_free (self->logs, self->n_logs);
  g_free (self);
}

void
hotpath_flow_main_loop_free (gpointer data)
{
  HotpathFlowMainLoop *self = data;

  g_free (self->name);
  hotpath_histogram_clear (&self->busy);
  hotpath_histogram_clear (&self->lag);
  for (guint i = 0; i < self->n_longest; i++)
    g_free (self->longest[i].name);
  for (guint i = 0; i < self->n_stalls_kept; i++)
    for (guint j = 0; j < self->stalls[i].n_top; j++)
      g_free (self->stalls[i].top[j].name);
  g_free (self->stalls);
  g_free (self);
}

/* ------------------------------------------------------- configuration */

guint
hotpath_flow_stall_ms (void)
{
  guint value = 16;

  hotpath_env_get_uint ("HOTPATH_STALL_MS", 3600 * 1000, &value);
  return MAX (value, 1);
}

guint
hotpath_flow_lag_probe_ms (void)
{
  guint value = 100;

  hotpath_env_get_uint ("HOTPATH_LAG_PROBE_MS", 3600 * 1000, &value);
  return value;
}
