/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-snapshot.c: an immutable, ref-counted copy of what the profiler
 * knows at one moment. Every consumer (the exit report, custom reporters,
 * the live servers) reads snapshots, never the live aggregates.
 */

#include "config.h"

#include <unistd.h>
#ifdef __GLIBC__
# include <malloc.h>
#endif

#include "hotpath-registry-private.h"
#include "hotpath-snapshot-private.h"

G_DEFINE_BOXED_TYPE (HotpathSnapshot, hotpath_snapshot, hotpath_snapshot_ref, hotpath_snapshot_unref)
G_DEFINE_BOXED_TYPE (HotpathFunctionStats, hotpath_function_stats,
                     hotpath_function_stats_ref, hotpath_function_stats_unref)

HotpathSnapshot *
hotpath_snapshot_new (const char *name,
                      guint64     elapsed_ns,
                      GArray     *percentiles,
                      guint       limit)
{
  HotpathSnapshot *self = g_new0 (HotpathSnapshot, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->name = g_strdup (name);
  self->pid = getpid ();
  self->elapsed_ns = elapsed_ns;
  self->clock_source = hotpath_clock_get_source ();
  self->ticks_per_second = hotpath_clock_get_ticks_per_second ();
  self->clock_reason = hotpath_clock_get_reason ();
  self->kernel_clocksource = hotpath_clock_get_kernel_clocksource ();
  self->percentiles = g_array_copy (percentiles);
  self->limit = limit;
  self->functions = g_ptr_array_new_with_free_func ((GDestroyNotify) hotpath_function_stats_unref);
  self->filtered = g_ptr_array_new_with_free_func ((GDestroyNotify) hotpath_function_stats_unref);

  return self;
}

void
hotpath_snapshot_take_function (HotpathSnapshot      *self,
                                HotpathFunctionStats *stats)
{
  g_ptr_array_add (self->functions, stats);
}

void
hotpath_snapshot_clear_sections (HotpathSnapshot *self)
{
  for (guint i = 0; i < self->n_sections; i++)
    {
      const HotpathSectionDesc *section = self->sections[i].section;

      if (self->sections[i].data != NULL && section->free_data != NULL)
        section->free_data (self->sections[i].data);
    }
  g_clear_pointer (&self->sections, g_free);
  self->n_sections = 0;
}

static int
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  HotpathFunctionStats *x = *(HotpathFunctionStats * const *) a;
  HotpathFunctionStats *y = *(HotpathFunctionStats * const *) b;

  return g_strcmp0 (x->name, y->name);
}

static int
compare_by_total (gconstpointer a,
                  gconstpointer b)
{
  HotpathFunctionStats *x = *(HotpathFunctionStats * const *) a;
  HotpathFunctionStats *y = *(HotpathFunctionStats * const *) b;

  guint64 tx = hotpath_function_stats_total_ticks (x);
  guint64 ty = hotpath_function_stats_total_ticks (y);

  if (tx != ty)
    return tx < ty ? 1 : -1;
  /* Equal totals: the stable order of first appearance. */
  return (x->id > y->id) - (x->id < y->id);
}

void
hotpath_snapshot_sort (HotpathSnapshot *self)
{
  g_ptr_array_sort (self->functions, compare_by_total);
  g_ptr_array_sort (self->filtered, compare_by_name);
}

/* A snapshot of many functions is megabytes of short-lived copies, and the
 * JSON made from it as much again. malloc keeps what they free resident, so
 * a program watched live (D-Bus takes a snapshot every 250 ms, a viewer one
 * every 500 ms) would carry a snapshot's worth of RSS more than the profiler
 * holds. After a big snapshot is freed, free pages go back to the kernel: a
 * few hundred µs on the thread that freed it, on the profiler's threads
 * in a live session (the server shares one snapshot between requests for
 * 20 ms, so under load this runs at most 50 times a second). */
static void
release_freed_memory (guint n_items)
{
#ifdef __GLIBC__
  if (n_items >= 256)
    malloc_trim (0);
#endif
}

/**
 * hotpath_snapshot_ref:
 * @self: a #HotpathSnapshot
 *
 * Returns: (transfer full): @self
 */
HotpathSnapshot *
hotpath_snapshot_ref (HotpathSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * hotpath_snapshot_unref:
 * @self: (transfer full): a #HotpathSnapshot
 */
void
hotpath_snapshot_unref (HotpathSnapshot *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      guint n_items = self->functions->len;

      /* Allocation tracking: what the profiler made is freed uncounted. */
      hotpath_alloc_internal_enter ();
      g_free (self->name);
      g_array_unref (self->percentiles);
      g_ptr_array_unref (self->functions);
      g_ptr_array_unref (self->filtered);
      hotpath_alloc_snapshot_free (self->alloc);
      hotpath_snapshot_clear_sections (self);
      g_free (self);
      release_freed_memory (n_items);
      hotpath_alloc_internal_leave ();
    }
}

/**
 * hotpath_snapshot_get_name:
 * @self: a #HotpathSnapshot
 *
 * Returns: the program or session name shown in the report header
 */
const char *
hotpath_snapshot_get_name (HotpathSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->name;
}

/**
 * hotpath_snapshot_get_pid:
 * @self: a #HotpathSnapshot
 *
 * Returns: the profiled process id
 */
gint64
hotpath_snapshot_get_pid (HotpathSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->pid;
}

/**
 * hotpath_snapshot_get_elapsed_ns:
 * @self: a #HotpathSnapshot
 *
 * Returns: nanoseconds from the start of the session to the snapshot
 */
guint64
hotpath_snapshot_get_elapsed_ns (HotpathSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->elapsed_ns;
}

/**
 * hotpath_snapshot_get_percentiles:
 * @self: a #HotpathSnapshot
 * @n_percentiles: (out): the number of percentiles
 *
 * Returns: (array length=n_percentiles) (transfer none): the percentiles the
 *   session reports, ascending
 */
const double *
hotpath_snapshot_get_percentiles (HotpathSnapshot *self,
                                  guint           *n_percentiles)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_percentiles != NULL, NULL);

  *n_percentiles = self->percentiles->len;
  return (const double *) (gpointer) self->percentiles->data;
}

/**
 * hotpath_snapshot_get_n_functions:
 * @self: a #HotpathSnapshot
 *
 * Returns: how many measured functions were called at least once
 */
guint
hotpath_snapshot_get_n_functions (HotpathSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->functions->len;
}

/**
 * hotpath_snapshot_get_function:
 * @self: a #HotpathSnapshot
 * @position: from 0, in descending order of total time
 *
 * Returns: (transfer none) (nullable): the function at @position
 */
HotpathFunctionStats *
hotpath_snapshot_get_function (HotpathSnapshot *self,
                               guint            position)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (position >= self->functions->len)
    return NULL;

  return g_ptr_array_index (self->functions, position);
}

HotpathFunctionStats *
hotpath_function_stats_new (guint                   id,
                            const char             *name,
                            const char             *file,
                            guint                   line,
                            guint64                 elapsed_ns,
                            double                  ns_per_tick,
                            const HotpathHistogram *histogram)
{
  HotpathFunctionStats *self = g_new0 (HotpathFunctionStats, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->id = id;
  self->name = g_strdup (name);
  self->file = g_strdup (file);
  self->line = line;
  self->elapsed_ns = elapsed_ns;
  self->ns_per_tick = ns_per_tick;
  hotpath_histogram_copy (&self->histogram, histogram);

  return self;
}

/* Outermost calls only for measure-all, so recursion is counted once. */
guint64
hotpath_function_stats_total_ticks (HotpathFunctionStats *self)
{
  return self->measure_all ? self->outer_ticks : self->histogram.sum;
}

guint64
hotpath_function_stats_ticks_to_ns (HotpathFunctionStats *self,
                                    guint64               ticks)
{
  if (self->ns_per_tick == 1.0)
    return ticks;
  return (guint64) ((double) ticks * self->ns_per_tick + 0.5);
}

/**
 * hotpath_function_stats_ref:
 * @self: a #HotpathFunctionStats
 *
 * Returns: (transfer full): @self
 */
HotpathFunctionStats *
hotpath_function_stats_ref (HotpathFunctionStats *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * hotpath_function_stats_unref:
 * @self: (transfer full): a #HotpathFunctionStats
 */
void
hotpath_function_stats_unref (HotpathFunctionStats *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      /* Allocation tracking: what the profiler made is freed uncounted. */
      hotpath_alloc_internal_enter ();
      hotpath_histogram_clear (&self->histogram);
      hotpath_alloc_stats_free (self->alloc);
      g_free (self->logs);
      g_free (self->name);
      g_free (self->file);
      g_free (self);
      hotpath_alloc_internal_leave ();
    }
}

/**
 * hotpath_function_stats_get_id:
 * @self: a #HotpathFunctionStats
 *
 * Returns: the function's numeric id, stable for the life of the process
 */
guint
hotpath_function_stats_get_id (HotpathFunctionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->id;
}

/**
 * hotpath_function_stats_get_name:
 * @self: a #HotpathFunctionStats
 *
 * Returns: `domain::function`, `file-stem::function` or the label
 */
const char *
hotpath_function_stats_get_name (HotpathFunctionStats *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->name;
}

/**
 * hotpath_function_stats_get_file:
 * @self: a #HotpathFunctionStats
 *
 * Returns: (nullable): the source file, unknown for measure-all functions
 */
const char *
hotpath_function_stats_get_file (HotpathFunctionStats *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->file;
}

/**
 * hotpath_function_stats_get_line:
 * @self: a #HotpathFunctionStats
 *
 * Returns: the source line, or 0 when unknown
 */
guint
hotpath_function_stats_get_line (HotpathFunctionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->line;
}

/**
 * hotpath_function_stats_get_calls:
 * @self: a #HotpathFunctionStats
 *
 * Returns: the exact number of calls
 */
guint64
hotpath_function_stats_get_calls (HotpathFunctionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->histogram.count;
}

/**
 * hotpath_function_stats_get_total_ns:
 * @self: a #HotpathFunctionStats
 *
 * The time spent in all calls together. For a function measured by
 * measure-all, a call made inside another call of the same function on
 * the same thread (recursion) is part of that outer call and not counted
 * again, so the total never exceeds the session's length per thread.
 *
 * Returns: the time spent in all calls together
 */
guint64
hotpath_function_stats_get_total_ns (HotpathFunctionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return hotpath_function_stats_ticks_to_ns (self, hotpath_function_stats_total_ticks (self));
}

/**
 * hotpath_function_stats_get_self_ns:
 * @self: a #HotpathFunctionStats
 * @self_ns: (out) (optional): the time spent in the function itself
 *
 * Self time is the time spent in the function's own code, without the
 * measured functions it called. Only measure-all knows a function's
 * callees; functions measured with HOTPATH_MEASURE() have no self time.
 *
 * Returns: %TRUE if @self_ns was set
 */
gboolean
hotpath_function_stats_get_self_ns (HotpathFunctionStats *self,
                                    guint64              *self_ns)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!self->measure_all)
    return FALSE;

  if (self_ns != NULL)
    *self_ns = hotpath_function_stats_ticks_to_ns (self, self->self_ticks);

  return TRUE;
}

/**
 * hotpath_function_stats_get_avg_ns:
 * @self: a #HotpathFunctionStats
 *
 * Returns: the mean duration of a call
 */
guint64
hotpath_function_stats_get_avg_ns (HotpathFunctionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->histogram.count == 0)
    return 0;

  return (guint64) ((double) self->histogram.sum * self->ns_per_tick / (double) self->histogram.count + 0.5);
}

/**
 * hotpath_function_stats_get_min_ns:
 * @self: a #HotpathFunctionStats
 *
 * Returns: the shortest call
 */
guint64
hotpath_function_stats_get_min_ns (HotpathFunctionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->histogram.count ? hotpath_function_stats_ticks_to_ns (self, self->histogram.min) : 0;
}

/**
 * hotpath_function_stats_get_max_ns:
 * @self: a #HotpathFunctionStats
 *
 * Returns: the longest call
 */
guint64
hotpath_function_stats_get_max_ns (HotpathFunctionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return hotpath_function_stats_ticks_to_ns (self, self->histogram.max);
}

/**
 * hotpath_function_stats_get_percentile_ns:
 * @self: a #HotpathFunctionStats
 * @percentile: from 0 (the minimum) to 100 (the maximum)
 *
 * Returns: the call duration at @percentile, within 0.1%
 */
guint64
hotpath_function_stats_get_percentile_ns (HotpathFunctionStats *self,
                                          double                percentile)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (percentile >= 0.0 && percentile <= 100.0, 0);

  return hotpath_function_stats_ticks_to_ns (self,
                                             hotpath_histogram_value_at_percentile (&self->histogram, percentile));
}

/**
 * hotpath_function_stats_get_percent_total:
 * @self: a #HotpathFunctionStats
 *
 * Returns: the function's total time as a percentage of the whole run
 */
double
hotpath_function_stats_get_percent_total (HotpathFunctionStats *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  if (self->elapsed_ns == 0)
    return 0.0;

  return 100.0 * (double) hotpath_function_stats_get_total_ns (self) / (double) self->elapsed_ns;
}

/**
 * hotpath_function_stats_get_n_logs:
 * @self: a #HotpathFunctionStats
 *
 * Returns: how many recent calls are kept (at most `HOTPATH_LOGS_LIMIT`)
 */
guint
hotpath_function_stats_get_n_logs (HotpathFunctionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_logs;
}

/**
 * hotpath_function_stats_get_log:
 * @self: a #HotpathFunctionStats
 * @position: from 0, the oldest kept call
 * @duration_ns: (out) (optional): how long the call took
 * @end_ns: (out) (optional): when it returned, in ns since the session started
 * @thread_id: (out) (optional): the kernel thread id that made the call
 *
 * Returns: %FALSE if @position is out of range
 */
gboolean
hotpath_function_stats_get_log (HotpathFunctionStats *self,
                                guint                 position,
                                guint64              *duration_ns,
                                guint64              *end_ns,
                                guint64              *thread_id)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (position >= self->n_logs)
    return FALSE;

  if (duration_ns != NULL)
    *duration_ns = self->logs[position].duration_ns;
  if (end_ns != NULL)
    *end_ns = self->logs[position].end_ns;
  if (thread_id != NULL)
    *thread_id = self->logs[position].thread_id;

  return TRUE;
}
