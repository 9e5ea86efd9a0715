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

/* Per function: one histogram per metric, of per-call values. */
typedef struct
{
  HotpathHistogram metrics[HOTPATH_ALLOC_N_METRICS];
} HotpathAllocAggregate;

typedef HotpathAllocAggregate HotpathAllocStats;

typedef struct _HotpathFunctionStats HotpathFunctionStats;

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
gboolean              hotpath_alloc_get_self_mode     (void);

void                  hotpath_alloc_internal_enter    (void);
void                  hotpath_alloc_internal_leave    (void);

HotpathAllocStack    *hotpath_alloc_stack_new         (void);
void                  hotpath_alloc_stack_free        (HotpathAllocStack *stack);
void                  hotpath_alloc_frame_push        (HotpathAllocStack *stack,
                                                       gconstpointer      site,
                                                       guint64            start);
gboolean              hotpath_alloc_frame_pop         (HotpathAllocStack *stack,
                                                       gconstpointer      site,
                                                       guint64            start,
                                                       HotpathAllocSample *sample);

void                  hotpath_alloc_aggregate_record  (HotpathAllocAggregate **aggregate,
                                                       const HotpathAllocEvent *event);
void                  hotpath_alloc_aggregate_free    (HotpathAllocAggregate  *aggregate);
HotpathAllocStats    *hotpath_alloc_stats_copy        (const HotpathAllocAggregate *aggregate);
void                  hotpath_alloc_stats_free        (HotpathAllocStats      *stats);

HotpathAllocSnapshot *hotpath_alloc_snapshot_new      (void);
void                  hotpath_alloc_snapshot_sort     (HotpathAllocSnapshot   *self);
void                  hotpath_alloc_snapshot_free     (HotpathAllocSnapshot   *self);

const char           *hotpath_alloc_metric_to_string  (HotpathAllocMetric      metric);

G_END_DECLS
