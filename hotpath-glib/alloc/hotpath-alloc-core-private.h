/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-alloc-core-private.h: allocation tracking inside the core.
 *
 * libhotpath-glib-1 works without the alloc library: every entry point of
 * it is a weak reference, and hotpath_recording carries the
 * HOTPATH_RECORDING_ALLOC flag only when it was found at session start.
 */
#pragma once

#include <glib.h>

#include "hotpath-alloc-private.h"
#include "hotpath-histogram-private.h"

G_BEGIN_DECLS

typedef enum
{
  HOTPATH_ALLOC_METRIC_BYTES,
  HOTPATH_ALLOC_METRIC_COUNT,
  HOTPATH_ALLOC_METRIC_PEAK_BYTES,
  HOTPATH_ALLOC_METRIC_PEAK_COUNT,
  HOTPATH_ALLOC_N_METRICS
} HotpathAllocMetric;

/* One measured scope in progress on a thread, while allocations are
 * tracked. Scopes nest strictly, so a per-thread stack holds them. */
typedef struct
{
  gconstpointer site;
  guint64       start;
  guint64       bytes0;            /* the thread's counters at the start */
  guint64       count0;
  gint64        live_bytes0;
  gint64        live_count0;
  gint64        saved_peak_bytes;  /* the parent's high-water marks */
  gint64        saved_peak_count;
  /* Self mode: what measured callees did. */
  guint64       child_bytes;
  guint64       child_count;
  gint64        child_net_bytes;   /* live bytes callees left behind */
  gint64        child_net_count;
  gint64        self_peak_bytes;
  gint64        self_peak_count;
} HotpathAllocFrame;

#define HOTPATH_ALLOC_STACK_DEPTH 256

typedef struct
{
  HotpathAllocThread *thread;
  guint               depth;       /* may exceed HOTPATH_ALLOC_STACK_DEPTH */
  guint               generation;  /* the session the frames belong to */
  HotpathAllocFrame   frames[HOTPATH_ALLOC_STACK_DEPTH];
} HotpathAllocStack;

/* What one call allocated: the payload of a HOTPATH_EVENT_ALLOC event. */
typedef struct
{
  guint64 values[HOTPATH_ALLOC_N_METRICS];
} HotpathAllocSample;

/* The second ring slot of a measured call when allocations are tracked; it
 * follows the timing event and has the same size, with kind at the same
 * offset. */
typedef struct
{
  guint64 bytes;
  guint64 count;
  guint64 peak_bytes;
  guint32 kind;
  guint32 peak_count;
} HotpathAllocEvent;

/* A measured call and what it allocated in one ring slot, when the figures
 * are small enough (nearly always): half the ring traffic of a timing
 * event followed by a HotpathAllocEvent. kind is at the same offset as in
 * HotpathEvent: HOTPATH_EVENT_ALLOC_PACKED | count << 8 | peak_count << 20. */
typedef struct
{
  gconstpointer key;
  guint64       start;
  guint32       duration;
  guint32       bytes;
  guint32       kind;
  guint32       peak_bytes;
} HotpathAllocPackedEvent;

#define HOTPATH_ALLOC_PACKED_KIND_MASK 0xffu
#define HOTPATH_ALLOC_PACKED_MAX_COUNT 0xfffu

/* Per function: one histogram per metric, of per-call values. */
typedef struct
{
  HotpathHistogram metrics[HOTPATH_ALLOC_N_METRICS];
  guint64          calls_without_alloc;  /* not yet in the histograms */
  /* A run of calls with the same four figures (a loop calling a function
   * that allocates the same each time), not yet in the histograms. */
  guint64          run_values[HOTPATH_ALLOC_N_METRICS];
  guint64          run_length;
  /* The figures of the calls in the function's timing log ring, same
   * index; seq says which call an entry belongs to (calls recorded without
   * figures leave theirs stale). */
  HotpathAllocSample *logs;
  guint64            *log_seqs;
} HotpathAllocAggregate;

/* One logged call as a snapshot keeps it, oldest first. */
typedef struct
{
  guint64 values[HOTPATH_ALLOC_N_METRICS];
  guint64 end_ns;       /* since the session started */
  guint64 thread_id;
} HotpathAllocLogEntry;

typedef struct
{
  HotpathHistogram      metrics[HOTPATH_ALLOC_N_METRICS];
  double                percent_total[HOTPATH_ALLOC_N_METRICS];  /* set by the sort */
  HotpathAllocLogEntry *logs;
  guint                 n_logs;
} HotpathAllocStats;

typedef struct _HotpathFunctionStats HotpathFunctionStats;
typedef struct _HotpathLogEntry HotpathLogEntry;

/* The allocation part of a snapshot; absent when nothing was tracked. */
typedef struct
{
  gboolean            self_mode;
  HotpathAllocMetric  metric;          /* for the table */
  HotpathAllocTotals  process;         /* since the alloc library started */
  HotpathAllocTotals  session;         /* since the session started */
  GArray             *threads;         /* HotpathAllocTotals, live threads
                                        * then one entry (thread_id 0) for
                                        * threads that exited */
  GPtrArray          *functions;       /* HotpathFunctionStats, by the metric's total */
} HotpathAllocSnapshot;

gboolean              hotpath_alloc_is_available      (void);
gboolean              hotpath_alloc_session_begin     (void);
gboolean              hotpath_alloc_session_was_tracked (void);

void                  hotpath_alloc_internal_enter    (void);
void                  hotpath_alloc_internal_leave    (void);

HotpathAllocStack    *hotpath_alloc_stack_new         (void);
void                  hotpath_alloc_stack_free        (HotpathAllocStack *stack);

void                  hotpath_alloc_aggregate_record  (HotpathAllocAggregate **aggregate,
                                                       const HotpathAllocEvent *event,
                                                       guint64                 log_seq,
                                                       guint                   logs_limit);
void                  hotpath_alloc_aggregate_record_none (HotpathAllocAggregate **aggregate,
                                                           guint64                 log_seq,
                                                           guint                   logs_limit);
void                  hotpath_alloc_aggregate_free    (HotpathAllocAggregate  *aggregate);
gsize                 hotpath_alloc_aggregate_get_memory_size (const HotpathAllocAggregate *aggregate,
                                                               guint                        logs_limit);
HotpathAllocStats    *hotpath_alloc_stats_copy        (HotpathAllocAggregate  *aggregate,
                                                       guint64                 first_seq,
                                                       const HotpathLogEntry  *timing_logs,
                                                       guint                   n_logs,
                                                       guint                   logs_limit);
void                  hotpath_alloc_stats_free        (HotpathAllocStats      *stats);

HotpathAllocSnapshot *hotpath_alloc_snapshot_new      (void);
void                  hotpath_alloc_snapshot_sort     (HotpathAllocSnapshot   *self);
void                  hotpath_alloc_snapshot_free     (HotpathAllocSnapshot   *self);


/* Read by every tracked scope; written when a session starts. */
extern gboolean hotpath_alloc_self_mode;
extern guint    hotpath_alloc_generation;

/* The frames of measured scopes, inline: they run on every measured call
 * while allocations are tracked. See hotpath-alloc-scope.c for what they
 * compute. */
static inline void
hotpath_alloc_frame_push (HotpathAllocStack *stack,
                          gconstpointer      site,
                          guint64            start)
{
  HotpathAllocThread *t = stack->thread;
  guint current = __atomic_load_n (&hotpath_alloc_generation, __ATOMIC_RELAXED);
  HotpathAllocFrame *frame;
  guint depth;

  if (G_UNLIKELY (stack->generation != current))
    {
      stack->generation = current;
      stack->depth = 0;
    }

  depth = stack->depth++;
  if (G_UNLIKELY (depth >= HOTPATH_ALLOC_STACK_DEPTH))
    return;

  frame = &stack->frames[depth];
  frame->site = site;
  frame->start = start;
  frame->bytes0 = t->request_bytes;
  frame->count0 = t->alloc_count;
  frame->live_bytes0 = hotpath_alloc_thread_live_bytes (t);
  frame->live_count0 = hotpath_alloc_thread_live_count (t);
  frame->saved_peak_bytes = t->peak_bytes;
  frame->saved_peak_count = t->peak_count;
  frame->child_bytes = 0;
  frame->child_count = 0;
  frame->child_net_bytes = 0;
  frame->child_net_count = 0;
  frame->self_peak_bytes = 0;
  frame->self_peak_count = 0;

  if (hotpath_alloc_self_mode && depth > 0)
    {
      /* The parent's own code ran up to here: keep its peak. */
      HotpathAllocFrame *parent = &stack->frames[depth - 1];

      parent->self_peak_bytes = MAX (parent->self_peak_bytes,
                                     t->peak_bytes - parent->live_bytes0 - parent->child_net_bytes);
      parent->self_peak_count = MAX (parent->self_peak_count,
                                     t->peak_count - parent->live_count0 - parent->child_net_count);
    }

  /* Only this thread writes the marks; from here malloc keeps them. */
  __atomic_store_n (&t->peak_bytes, hotpath_alloc_thread_live_bytes (t), __ATOMIC_RELAXED);
  __atomic_store_n (&t->peak_count, hotpath_alloc_thread_live_count (t), __ATOMIC_RELAXED);
  if (G_UNLIKELY (!(t->mode & HOTPATH_ALLOC_MODE_PEAKS)))
    __atomic_store_n (&t->mode, t->mode | HOTPATH_ALLOC_MODE_PEAKS, __ATOMIC_RELAXED);
}

/* The outermost scope ended: malloc can stop keeping the marks. */
static inline void
hotpath_alloc_stack_check_empty (HotpathAllocStack *stack)
{
  HotpathAllocThread *t = stack->thread;

  if (stack->depth == 0 && (t->mode & HOTPATH_ALLOC_MODE_PEAKS))
    __atomic_store_n (&t->mode, t->mode & ~HOTPATH_ALLOC_MODE_PEAKS, __ATOMIC_RELAXED);
}

static inline guint64
hotpath_alloc_clamp_positive (gint64 value)
{
  return value > 0 ? (guint64) value : 0;
}

/*
 * hotpath_alloc_frame_pop:
 *
 * Ends the frame of the scope (@site, @start). Frames above it, left by
 * scopes a longjmp() skipped, are dropped.
 *
 * Returns: %TRUE if @sample is to be recorded with the call; %FALSE for a
 *   scope that was not on the stack, or a recursive call in cumulative mode
 */
static inline gboolean
hotpath_alloc_frame_pop (HotpathAllocStack  *stack,
                         gconstpointer       site,
                         guint64             start,
                         HotpathAllocSample *sample)
{
  HotpathAllocThread *t = stack->thread;
  HotpathAllocFrame *frame;
  guint64 bytes, count;
  guint depth;

  if (G_UNLIKELY (stack->generation != __atomic_load_n (&hotpath_alloc_generation, __ATOMIC_RELAXED)))
    return FALSE;

  if (G_UNLIKELY (stack->depth == 0))
    return FALSE;

  if (G_UNLIKELY (stack->depth > HOTPATH_ALLOC_STACK_DEPTH))
    {
      /* Too deep to be tracked; the frame was only counted. */
      stack->depth--;
      return FALSE;
    }

  depth = stack->depth - 1;
  if (G_UNLIKELY (stack->frames[depth].site != site || stack->frames[depth].start != start))
    {
      guint i = depth;

      while (i > 0 && (stack->frames[i].site != site || stack->frames[i].start != start))
        i--;
      if (stack->frames[i].site != site || stack->frames[i].start != start)
        return FALSE;   /* begun before tracking started */
      depth = i;
    }
  stack->depth = depth;
  frame = &stack->frames[depth];

  bytes = t->request_bytes - frame->bytes0;
  count = t->alloc_count - frame->count0;

  if (!hotpath_alloc_self_mode)
    {
      sample->values[HOTPATH_ALLOC_METRIC_BYTES] = bytes;
      sample->values[HOTPATH_ALLOC_METRIC_COUNT] = count;
      sample->values[HOTPATH_ALLOC_METRIC_PEAK_BYTES] = hotpath_alloc_clamp_positive (t->peak_bytes - frame->live_bytes0);
      sample->values[HOTPATH_ALLOC_METRIC_PEAK_COUNT] = hotpath_alloc_clamp_positive (t->peak_count - frame->live_count0);

      /* The parent's mark covers this call too. */
      __atomic_store_n (&t->peak_bytes, MAX (t->peak_bytes, frame->saved_peak_bytes), __ATOMIC_RELAXED);
      __atomic_store_n (&t->peak_count, MAX (t->peak_count, frame->saved_peak_count), __ATOMIC_RELAXED);

      /* A recursive call is inside an outer call of the same function. */
      for (guint i = 0; i < depth; i++)
        if (stack->frames[i].site == site)
          return FALSE;

      return TRUE;
    }

  sample->values[HOTPATH_ALLOC_METRIC_BYTES] = bytes - frame->child_bytes;
  sample->values[HOTPATH_ALLOC_METRIC_COUNT] = count - frame->child_count;
  sample->values[HOTPATH_ALLOC_METRIC_PEAK_BYTES] =
    hotpath_alloc_clamp_positive (MAX (frame->self_peak_bytes, t->peak_bytes - frame->live_bytes0 - frame->child_net_bytes));
  sample->values[HOTPATH_ALLOC_METRIC_PEAK_COUNT] =
    hotpath_alloc_clamp_positive (MAX (frame->self_peak_count, t->peak_count - frame->live_count0 - frame->child_net_count));

  if (depth > 0)
    {
      HotpathAllocFrame *parent = &stack->frames[depth - 1];

      parent->child_bytes += bytes;
      parent->child_count += count;
      parent->child_net_bytes += hotpath_alloc_thread_live_bytes (t) - frame->live_bytes0;
      parent->child_net_count += hotpath_alloc_thread_live_count (t) - frame->live_count0;
    }

  /* The parent's own peak resumes from here (its earlier part was kept
   * when this frame was pushed). */
  __atomic_store_n (&t->peak_bytes, hotpath_alloc_thread_live_bytes (t), __ATOMIC_RELAXED);
  __atomic_store_n (&t->peak_count, hotpath_alloc_thread_live_count (t), __ATOMIC_RELAXED);

  return TRUE;
}


G_END_DECLS
