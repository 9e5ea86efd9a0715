/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hotpath-alloc-core-private.h"
#include "hotpath-clock-private.h"
#include "hotpath-histogram-private.h"
#include "hotpath-snapshot.h"

G_BEGIN_DECLS

typedef struct _HotpathLogEntry
{
  guint64 duration_ns;
  guint64 end_ns;       /* since the session started */
  guint64 thread_id;
} HotpathLogEntry;

struct _HotpathFunctionStats
{
  gatomicrefcount  ref_count;
  guint            id;
  char            *name;
  char            *file;
  guint            line;
  guint64          elapsed_ns;
  double           ns_per_tick;
  HotpathHistogram histogram;    /* in ticks */
  HotpathLogEntry *logs;         /* oldest first */
  guint            n_logs;
  HotpathAllocStats *alloc;      /* allocation tracking; NULL when off */
  /* measure-all: total counts outermost calls only, so a recursive
   * function is counted once; self excludes measured callees. */
  gboolean         measure_all;
  gboolean         time_filtered;
  guint64          outer_ticks;
  guint64          self_ticks;
};

/* What each registered section keeps in a snapshot (hotpath-registry.c
 * fills these in; free_data of the section frees data). */
typedef struct _HotpathSectionDesc HotpathSectionDesc;
typedef struct
{
  const HotpathSectionDesc *section;
  gpointer                  data;    /* NULL: not available */
} HotpathSnapshotSection;

struct _HotpathSnapshot
{
  gatomicrefcount     ref_count;
  char               *name;
  gint64              pid;
  guint64             elapsed_ns;
  HotpathClockSource  clock_source;
  double              ticks_per_second;
  const char         *clock_reason;        /* interned: why this clock */
  const char         *kernel_clocksource;  /* interned, NULL when unknown */
  GArray             *percentiles;   /* double, sorted */
  guint               limit;         /* 0 = all */
  GPtrArray          *functions;     /* HotpathFunctionStats, by total desc */
  HotpathAllocSnapshot *alloc;       /* allocation tracking; NULL when off */
  HotpathSnapshotSection *sections;  /* in registration order */
  guint               n_sections;
  /* measure-all: functions the time filter dropped, what they did while
   * it watched them */
  GPtrArray          *filtered;      /* HotpathFunctionStats, by name */
  guint64             time_filter_ns;
  guint               time_filter_calls;
};

HotpathSnapshot      *hotpath_snapshot_new          (const char       *name,
                                                     guint64           elapsed_ns,
                                                     GArray           *percentiles,
                                                     guint             limit);
void                  hotpath_snapshot_take_function (HotpathSnapshot     *self,
                                                      HotpathFunctionStats *stats);
void                  hotpath_snapshot_sort          (HotpathSnapshot  *self);
HotpathFunctionStats *hotpath_function_stats_new     (guint             id,
                                                      const char       *name,
                                                      const char       *file,
                                                      guint             line,
                                                      guint64           elapsed_ns,
                                                      double            ns_per_tick,
                                                      const HotpathHistogram *histogram);
void                  hotpath_snapshot_clear_sections (HotpathSnapshot *self);
guint64               hotpath_function_stats_total_ticks (HotpathFunctionStats *self);
guint64               hotpath_function_stats_ticks_to_ns (HotpathFunctionStats *self,
                                                          guint64               ticks);

G_END_DECLS
