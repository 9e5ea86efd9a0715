/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-flow.c: what the data-flow sections (channels, futures,
 * sources, main loop) share: item lists, log rings, copies' free
 * functions and their configuration. Each section registers with the
 * registry from its own file.
 */

#include "config.h"

#include <string.h>

#include "hotpath-clock-private.h"
#include "hotpath-env-private.h"
#include "hotpath-flow-private.h"

void
hotpath_flow_items_add (HotpathFlowItems *items,
                        HotpathFlowItem  *item)
{
  /* Ids are unique across sections: the live API addresses items by
   * section and id, and people compare ids across sections. */
  static guint last_id;

  g_mutex_lock (&items->lock);
  if (items->items == NULL)
    items->items = g_ptr_array_new ();
  if (item->id == 0)
    item->id = __atomic_add_fetch (&last_id, 1, __ATOMIC_RELAXED);
  g_ptr_array_add (items->items, item);
  g_mutex_unlock (&items->lock);
}

void
hotpath_flow_items_reset (HotpathFlowItems *items)
{
  g_mutex_lock (&items->lock);
  for (guint i = 0; items->items != NULL && i < items->items->len; i++)
    {
      HotpathFlowItem *item = g_ptr_array_index (items->items, i);
      if (item->reset != NULL)
        item->reset (item);
    }
  g_mutex_unlock (&items->lock);
}

static int
compare_items_by_id (gconstpointer a,
                     gconstpointer b)
{
  const HotpathFlowItem *x = *(HotpathFlowItem * const *) a;
  const HotpathFlowItem *y = *(HotpathFlowItem * const *) b;

  return (x->id > y->id) - (x->id < y->id);
}

/* The copies, in id order. */
GPtrArray *
hotpath_flow_items_snapshot (HotpathFlowItems *items,
                             guint64           session_start_ticks,
                             GDestroyNotify    free_func)
{
  GPtrArray *copies = g_ptr_array_new_with_free_func (free_func);
  g_autoptr(GPtrArray) sorted = NULL;

  g_mutex_lock (&items->lock);
  if (items->items != NULL)
    {
      /* Two threads may register items concurrently: ids are taken
       * before the list's lock. */
      sorted = g_ptr_array_copy (items->items, NULL, NULL);
      g_ptr_array_sort (sorted, compare_items_by_id);
      for (guint i = 0; i < sorted->len; i++)
        {
          HotpathFlowItem *item = g_ptr_array_index (sorted, i);
          gpointer copy = item->snapshot (item, session_start_ticks);

          if (copy != NULL)
            g_ptr_array_add (copies, copy);
        }
    }
  g_mutex_unlock (&items->lock);

  return copies;
}

guint
hotpath_flow_rows_count (gconstpointer container)
{
  const GPtrArray *copies = container;

  return copies->len;
}

gconstpointer
hotpath_flow_rows_nth (gconstpointer container,
                       guint         index)
{
  const GPtrArray *copies = container;

  return g_ptr_array_index (copies, index);
}

void
hotpath_flow_rows_free (gpointer data)
{
  g_ptr_array_unref (data);
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

const HotpathFlowLog *
hotpath_flow_logs_nth (const HotpathFlowLog *logs,
                       guint                 n_logs,
                       guint                 index)
{
  return &logs[n_logs - 1 - index];
}

void
hotpath_flow_log_get (gconstpointer       row,
                      const HotpathField *field,
                      HotpathValue       *value)
{
  const HotpathFlowLog *entry = row;

  switch (field->arg)
    {
    case HOTPATH_FLOW_LOG_INDEX:
      hotpath_value_set_uint (value, entry->index);
      break;
    case HOTPATH_FLOW_LOG_AT:
      hotpath_value_set_uint (value, entry->at_ns);
      break;
    case HOTPATH_FLOW_LOG_DURATION:
      hotpath_value_set_uint (value, entry->duration_ns);
      break;
    case HOTPATH_FLOW_LOG_VALUE:
      hotpath_value_set_uint (value, entry->value_ns);
      break;
    case HOTPATH_FLOW_LOG_THREAD:
      hotpath_value_set_uint (value, entry->thread_id);
      break;
    case HOTPATH_FLOW_LOG_OUTCOME:
      if (entry->outcome != NULL)
        hotpath_value_set_string (value, entry->outcome);
      break;
    case HOTPATH_FLOW_LOG_TEXT:
      if (entry->text != NULL)
        hotpath_value_set_string (value, entry->text);
      break;
    default:
      break;
    }
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

const char *
hotpath_flow_plural (guint64     n,
                     const char *one,
                     const char *many)
{
  return n == 1 ? one : many;
}
