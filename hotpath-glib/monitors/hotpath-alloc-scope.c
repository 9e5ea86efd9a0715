/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-alloc-scope.c: what a measured scope allocated, per call.
 *
 * When the alloc library is loaded, a measured scope reads its thread's
 * counters when it begins and when it ends. The counters are plain
 * per-thread sums, so the work per scope is a few loads and stores:
 *
 * - bytes and count: the growth of the thread's requested bytes (what the
 *   code asked malloc for) and allocation count between begin and end
 *   (callees included);
 * - peaks, in usable bytes (what the heap really held): the thread's high-water marks of live bytes and live blocks are
 *   lowered to the current live values when a scope begins; at its end the
 *   peak of the call is the mark minus the live value at the start, and the
 *   parent's mark is restored as the larger of the two. Nested scopes thus
 *   each get their own peak without any per-allocation work.
 *
 * Cumulative mode (default) records, per call, everything allocated while
 * the call ran. A recursive call (a scope whose site is already on the
 * thread's stack) records nothing of its own: the outermost call of that
 * function already counts it, so totals are never counted twice.
 *
 * Self mode (HOTPATH_ALLOC_SELF=1) subtracts what measured callees
 * allocated; its peaks are those of the live memory the function's own
 * code holds, callees' net effect (what they left allocated) set aside.
 */

#include "config.h"

#include <string.h>

#include "hotpath-alloc-core-private.h"
#include "hotpath-env-private.h"
#include "hotpath-snapshot-private.h"

/* Provided by libhotpath-glib-alloc-1 when it is loaded; NULL otherwise
 * (a weak reference, so the core links and runs without it). */
#pragma weak hotpath_alloc_thread_get
#pragma weak hotpath_alloc_foreach_thread

gboolean                  hotpath_alloc_self_mode;
guint                     hotpath_alloc_generation;
static gboolean           tracked;
static HotpathAllocTotals session_start_totals;

/**
 * hotpath_alloc_is_available:
 *
 * Returns: whether libhotpath-glib-alloc-1 is loaded
 */
gboolean
hotpath_alloc_is_available (void)
{
  return hotpath_alloc_thread_get != NULL && hotpath_alloc_foreach_thread != NULL;
}

/*
 * hotpath_alloc_session_begin:
 *
 * Called by the collector when a session starts, with its lock held.
 * `HOTPATH_ALLOC=0` turns tracking off even with the library loaded.
 *
 * Returns: whether the session tracks allocations
 */
gboolean
hotpath_alloc_session_begin (void)
{
  gboolean enabled = TRUE;
  gboolean self = FALSE;

  tracked = FALSE;
  if (!hotpath_alloc_is_available ())
    return FALSE;

  /* A library from another build of hotpath-glib may lay its counters out
   * differently: time only. */
  if (hotpath_alloc_thread_get ()->abi != HOTPATH_ALLOC_ABI_VERSION)
    {
      static gsize warned;

      if (g_once_init_enter (&warned))
        {
          g_message ("libhotpath-glib-alloc-1 does not match this libhotpath-glib-1 "
                     "(ABI %u, expected %u): allocations are not tracked",
                      hotpath_alloc_thread_get ()->abi, HOTPATH_ALLOC_ABI_VERSION);
          g_once_init_leave (&warned, 1);
        }
      return FALSE;
    }

  hotpath_env_get_flag ("HOTPATH_ALLOC", &enabled);
  if (!enabled)
    return FALSE;

  hotpath_env_get_flag ("HOTPATH_ALLOC_SELF", &self);
  hotpath_alloc_self_mode = self;
  /* Frames left by scopes that were running when the last session ended
   * are dropped lazily, by generation. */
  __atomic_add_fetch (&hotpath_alloc_generation, 1, __ATOMIC_RELEASE);
  hotpath_alloc_foreach_thread (NULL, NULL, &session_start_totals);
  tracked = TRUE;

  return TRUE;
}

/* Whether the last session that started tracked allocations. */
gboolean
hotpath_alloc_session_was_tracked (void)
{
  return tracked;
}

/* The profiler's own allocations are not the program's: every entry point
 * of the core that allocates is bracketed by these. They nest. */
void
hotpath_alloc_internal_enter (void)
{
  if (hotpath_alloc_thread_get != NULL)
    {
      HotpathAllocThread *thread = hotpath_alloc_thread_get ();
      __atomic_store_n (&thread->mode, thread->mode + HOTPATH_ALLOC_MODE_INTERNAL, __ATOMIC_RELAXED);
    }
}

void
hotpath_alloc_internal_leave (void)
{
  if (hotpath_alloc_thread_get != NULL)
    {
      HotpathAllocThread *thread = hotpath_alloc_thread_get ();
      __atomic_store_n (&thread->mode, thread->mode - HOTPATH_ALLOC_MODE_INTERNAL, __ATOMIC_RELAXED);
    }
}

HotpathAllocStack *
hotpath_alloc_stack_new (void)
{
  HotpathAllocStack *stack;

  g_return_val_if_fail (hotpath_alloc_is_available (), NULL);

  hotpath_alloc_internal_enter ();
  stack = g_new0 (HotpathAllocStack, 1);
  hotpath_alloc_internal_leave ();
  stack->thread = hotpath_alloc_thread_get ();
  stack->generation = __atomic_load_n (&hotpath_alloc_generation, __ATOMIC_ACQUIRE);

  return stack;
}

void
hotpath_alloc_stack_free (HotpathAllocStack *stack)
{
  g_free (stack);
}

static HotpathAllocAggregate *
aggregate_ensure (HotpathAllocAggregate **aggregate)
{
  HotpathAllocAggregate *self = *aggregate;

  if (G_UNLIKELY (self == NULL))
    {
      self = *aggregate = g_new0 (HotpathAllocAggregate, 1);
      for (guint i = 0; i < HOTPATH_ALLOC_N_METRICS; i++)
        hotpath_histogram_init (&self->metrics[i]);
    }

  return self;
}

/* Keeps the figures of the call that the function's timing log entry
 * @log_seq describes (the consumer wrote that entry just before). */
static inline void
aggregate_log (HotpathAllocAggregate *self,
               guint64                log_seq,
               guint                  logs_limit,
               guint64                bytes,
               guint64                count,
               guint64                peak_bytes,
               guint64                peak_count)
{
  guint slot;

  if (logs_limit == 0 || log_seq == G_MAXUINT64)
    return;

  if (G_UNLIKELY (self->logs == NULL))
    {
      self->logs = g_new (HotpathAllocSample, logs_limit);
      self->log_seqs = g_new (guint64, logs_limit);
      for (guint i = 0; i < logs_limit; i++)
        self->log_seqs[i] = G_MAXUINT64;
    }

  slot = (guint) (log_seq % logs_limit);
  self->logs[slot].values[HOTPATH_ALLOC_METRIC_BYTES] = bytes;
  self->logs[slot].values[HOTPATH_ALLOC_METRIC_COUNT] = count;
  self->logs[slot].values[HOTPATH_ALLOC_METRIC_PEAK_BYTES] = peak_bytes;
  self->logs[slot].values[HOTPATH_ALLOC_METRIC_PEAK_COUNT] = peak_count;
  self->log_seqs[slot] = log_seq;
}

/* A call that allocated nothing: counted, and recorded as zeros in the
 * histograms only when a snapshot copies them. */
void
hotpath_alloc_aggregate_record_none (HotpathAllocAggregate **aggregate,
                                     guint64                 log_seq,
                                     guint                   logs_limit)
{
  HotpathAllocAggregate *self = aggregate_ensure (aggregate);

  self->calls_without_alloc++;
  aggregate_log (self, log_seq, logs_limit, 0, 0, 0, 0);
}

static void
aggregate_flush (HotpathAllocAggregate *self)
{
  if (self->run_length > 0)
    {
      for (guint i = 0; i < HOTPATH_ALLOC_N_METRICS; i++)
        hotpath_histogram_record_n (&self->metrics[i], self->run_values[i], self->run_length);
      self->run_length = 0;
    }

  if (self->calls_without_alloc > 0)
    {
      for (guint i = 0; i < HOTPATH_ALLOC_N_METRICS; i++)
        hotpath_histogram_record_n (&self->metrics[i], 0, self->calls_without_alloc);
      self->calls_without_alloc = 0;
    }
}

/* The worker records four histograms per call: runs of equal figures are
 * recorded at once, which keeps it ahead of a loop of allocating calls. */
void
hotpath_alloc_aggregate_record (HotpathAllocAggregate   **aggregate,
                                const HotpathAllocEvent  *event,
                                guint64                   log_seq,
                                guint                     logs_limit)
{
  HotpathAllocAggregate *self = aggregate_ensure (aggregate);

  aggregate_log (self, log_seq, logs_limit, event->bytes, event->count,
                 event->peak_bytes, event->peak_count);

  if (self->run_length > 0 &&
      self->run_values[HOTPATH_ALLOC_METRIC_BYTES] == event->bytes &&
      self->run_values[HOTPATH_ALLOC_METRIC_COUNT] == event->count &&
      self->run_values[HOTPATH_ALLOC_METRIC_PEAK_BYTES] == event->peak_bytes &&
      self->run_values[HOTPATH_ALLOC_METRIC_PEAK_COUNT] == event->peak_count)
    {
      self->run_length++;
      return;
    }

  if (self->run_length > 0)
    {
      for (guint i = 0; i < HOTPATH_ALLOC_N_METRICS; i++)
        hotpath_histogram_record_n (&self->metrics[i], self->run_values[i], self->run_length);
    }

  self->run_values[HOTPATH_ALLOC_METRIC_BYTES] = event->bytes;
  self->run_values[HOTPATH_ALLOC_METRIC_COUNT] = event->count;
  self->run_values[HOTPATH_ALLOC_METRIC_PEAK_BYTES] = event->peak_bytes;
  self->run_values[HOTPATH_ALLOC_METRIC_PEAK_COUNT] = event->peak_count;
  self->run_length = 1;
}

void
hotpath_alloc_aggregate_free (HotpathAllocAggregate *aggregate)
{
  if (aggregate == NULL)
    return;

  for (guint i = 0; i < HOTPATH_ALLOC_N_METRICS; i++)
    hotpath_histogram_clear (&aggregate->metrics[i]);
  g_free (aggregate->logs);
  g_free (aggregate->log_seqs);
  g_free (aggregate);
}

gsize
hotpath_alloc_aggregate_get_memory_size (const HotpathAllocAggregate *aggregate,
                                         guint                        logs_limit)
{
  gsize size;

  if (aggregate == NULL)
    return 0;

  size = sizeof (HotpathAllocAggregate);
  for (guint i = 0; i < HOTPATH_ALLOC_N_METRICS; i++)
    size += hotpath_histogram_get_memory_size (&aggregate->metrics[i]);
  if (aggregate->logs != NULL)
    size += logs_limit * (sizeof (HotpathAllocSample) + sizeof (guint64));

  return size;
}

/*
 * hotpath_alloc_stats_copy:
 * @aggregate: (nullable): a function's allocation aggregate
 * @first_seq: the sequence number of the oldest call in @timing_logs
 * @timing_logs: the function's logged calls, as the snapshot keeps them
 * @n_logs: how many
 * @logs_limit: the size of the log rings
 *
 * Called by the consumer, with the collector's lock held: it folds the
 * pending runs into the aggregate's histograms.
 *
 * Returns: (nullable): the snapshot's copy, or %NULL if no call recorded
 *   allocation figures
 */
HotpathAllocStats *
hotpath_alloc_stats_copy (HotpathAllocAggregate *aggregate,
                          guint64                first_seq,
                          const HotpathLogEntry *timing_logs,
                          guint                  n_logs,
                          guint                  logs_limit)
{
  HotpathAllocStats *stats;

  if (aggregate == NULL)
    return NULL;

  aggregate_flush (aggregate);
  if (aggregate->metrics[0].count == 0)
    return NULL;

  stats = g_new0 (HotpathAllocStats, 1);
  for (guint i = 0; i < HOTPATH_ALLOC_N_METRICS; i++)
    hotpath_histogram_copy (&stats->metrics[i], &aggregate->metrics[i]);

  stats->logs = g_new (HotpathAllocLogEntry, MAX (n_logs, 1));
  for (guint j = 0; j < n_logs && aggregate->logs != NULL; j++)
    {
      guint64 seq = first_seq + j;
      guint slot = (guint) (seq % logs_limit);

      /* Recursive calls in cumulative mode have no figures of their own. */
      if (aggregate->log_seqs[slot] != seq)
        continue;

      memcpy (stats->logs[stats->n_logs].values, aggregate->logs[slot].values,
              sizeof stats->logs[0].values);
      stats->logs[stats->n_logs].end_ns = timing_logs[j].end_ns;
      stats->logs[stats->n_logs].thread_id = timing_logs[j].thread_id;
      stats->n_logs++;
    }

  return stats;
}

void
hotpath_alloc_stats_free (HotpathAllocStats *stats)
{
  if (stats == NULL)
    return;

  for (guint i = 0; i < HOTPATH_ALLOC_N_METRICS; i++)
    hotpath_histogram_clear (&stats->metrics[i]);
  g_free (stats->logs);
  g_free (stats);
}

static void
collect_thread (const HotpathAllocTotals *totals,
                void                     *user_data)
{
  g_array_append_val ((GArray *) user_data, *totals);
}

static int
compare_threads (gconstpointer a,
                 gconstpointer b)
{
  const HotpathAllocTotals *x = a;
  const HotpathAllocTotals *y = b;

  /* Exited threads (id 0) last, the others by id. */
  if ((x->thread_id == 0) != (y->thread_id == 0))
    return x->thread_id == 0 ? 1 : -1;
  return (x->thread_id > y->thread_id) - (x->thread_id < y->thread_id);
}

static int
compare_by_metric (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  HotpathFunctionStats *x = *(HotpathFunctionStats * const *) a;
  HotpathFunctionStats *y = *(HotpathFunctionStats * const *) b;
  HotpathAllocMetric metric = GPOINTER_TO_UINT (user_data);
  guint64 xs = x->alloc->metrics[metric].sum;
  guint64 ys = y->alloc->metrics[metric].sum;

  if (xs != ys)
    return xs < ys ? 1 : -1;
  return (x->id > y->id) - (x->id < y->id);
}

/*
 * hotpath_alloc_snapshot_sort:
 *
 * Sorts the functions by the total of the snapshot's metric, descending,
 * and works out each metric's share of its denominator: what the whole
 * process allocated during the session for bytes and count; the sum over
 * the functions for peaks, which do not add up across a process.
 */
void
hotpath_alloc_snapshot_sort (HotpathAllocSnapshot *self)
{
  guint64 denominators[HOTPATH_ALLOC_N_METRICS] = { 0 };

  g_ptr_array_sort_with_data (self->functions, compare_by_metric, GUINT_TO_POINTER (self->metric));

  denominators[HOTPATH_ALLOC_METRIC_BYTES] = self->session.request_bytes;
  denominators[HOTPATH_ALLOC_METRIC_COUNT] = self->session.alloc_count;
  for (guint i = 0; i < self->functions->len; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (self->functions, i);

      denominators[HOTPATH_ALLOC_METRIC_PEAK_BYTES] += stats->alloc->metrics[HOTPATH_ALLOC_METRIC_PEAK_BYTES].sum;
      denominators[HOTPATH_ALLOC_METRIC_PEAK_COUNT] += stats->alloc->metrics[HOTPATH_ALLOC_METRIC_PEAK_COUNT].sum;
    }

  for (guint i = 0; i < self->functions->len; i++)
    {
      HotpathFunctionStats *stats = g_ptr_array_index (self->functions, i);

      for (guint m = 0; m < HOTPATH_ALLOC_N_METRICS; m++)
        stats->alloc->percent_total[m] = denominators[m] != 0
          ? 100.0 * (double) stats->alloc->metrics[m].sum / (double) denominators[m] : 0.0;
    }
}

/*
 * hotpath_alloc_snapshot_new:
 *
 * The caller adds the functions that have allocation figures to
 * functions, then calls hotpath_alloc_snapshot_sort().
 * Reads the thread totals. Call on a thread marked internal: the totals
 * are collected under the alloc library's lock.
 */
HotpathAllocSnapshot *
hotpath_alloc_snapshot_new (void)
{
  static const char * const metrics[] = { "bytes", "count", "peak-bytes", "peak-count", NULL };
  HotpathAllocSnapshot *self = g_new0 (HotpathAllocSnapshot, 1);
  int metric;

  self->self_mode = hotpath_alloc_self_mode;
  metric = hotpath_env_get_choice ("HOTPATH_ALLOC_METRIC", metrics, HOTPATH_ALLOC_METRIC_BYTES);
  self->metric = metric >= 0 ? (HotpathAllocMetric) metric : HOTPATH_ALLOC_METRIC_BYTES;

  /* Sized up front so that appending under the registry lock does not
   * allocate in the common case (it would not count anyway). */
  self->threads = g_array_sized_new (FALSE, TRUE, sizeof (HotpathAllocTotals), 64);
  hotpath_alloc_foreach_thread (collect_thread, self->threads, &self->process);
  g_array_sort (self->threads, compare_threads);

  self->session = self->process;
  self->session.request_bytes -= session_start_totals.request_bytes;
  self->session.alloc_bytes -= session_start_totals.alloc_bytes;
  self->session.alloc_count -= session_start_totals.alloc_count;
  self->session.free_bytes -= session_start_totals.free_bytes;
  self->session.free_count -= session_start_totals.free_count;

  self->functions = g_ptr_array_new ();

  return self;
}

void
hotpath_alloc_snapshot_free (HotpathAllocSnapshot *self)
{
  if (self == NULL)
    return;

  g_array_unref (self->threads);
  g_ptr_array_unref (self->functions);
  g_free (self);
}
