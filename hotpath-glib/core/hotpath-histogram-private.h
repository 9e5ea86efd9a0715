/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Values below this are their own bucket; above it every power of two is
 * split in HOTPATH_HISTOGRAM_SUB_BUCKETS linear buckets, so a bucket is at
 * most 1/1024 of its value wide: three significant digits over any range. */
#define HOTPATH_HISTOGRAM_SUB_BUCKETS 1024
#define HOTPATH_HISTOGRAM_EXACT_LIMIT (2 * HOTPATH_HISTOGRAM_SUB_BUCKETS)

/* A log-linear (HDR-style) histogram stored sparsely: only the buckets that
 * were hit take memory, 8 bytes each, so a thousand functions whose times
 * sit in a few octaves cost a few KiB each however long the program runs.
 * Min, max, count and sum are exact. Not thread-safe: the collector's
 * worker owns every live histogram. */
typedef struct _HotpathHistogram
{
  guint64 *slots;      /* (bucket index + 1) << 48 | count; 0 is empty */
  guint32  n_slots;    /* 0 or a power of two */
  guint32  n_used;
  guint32  max_buckets; /* 0: unbounded, else the table never grows */
  guint32  coarsening;  /* precision given up so far: buckets are 2^k wider */
  guint64  count;
  guint64  sum;
  guint64  min;
  guint64  max;
} HotpathHistogram;

void     hotpath_histogram_init                 (HotpathHistogram       *self);
void     hotpath_histogram_init_bounded         (HotpathHistogram       *self,
                                                 guint                   max_buckets);
void     hotpath_histogram_clear                (HotpathHistogram       *self);
void     hotpath_histogram_reset                (HotpathHistogram       *self);
void     hotpath_histogram_record               (HotpathHistogram       *self,
                                                 guint64                 value);
void     hotpath_histogram_record_n             (HotpathHistogram       *self,
                                                 guint64                 value,
                                                 guint64                 n);
void     hotpath_histogram_merge                (HotpathHistogram       *self,
                                                 const HotpathHistogram *other);
void     hotpath_histogram_copy                 (HotpathHistogram       *dest,
                                                 const HotpathHistogram *src);
guint64  hotpath_histogram_value_at_percentile  (const HotpathHistogram *self,
                                                 double                  percentile);
void     hotpath_histogram_values_at_percentiles (const HotpathHistogram *self,
                                                 const double           *percentiles,
                                                 guint                   n_percentiles,
                                                 guint64                *values);
gsize    hotpath_histogram_get_memory_size      (const HotpathHistogram *self);

guint    hotpath_histogram_bucket_index         (guint64                 value);
guint64  hotpath_histogram_bucket_lowest        (guint                   index);
guint64  hotpath_histogram_bucket_highest       (guint                   index);
guint64  hotpath_histogram_entry_lowest         (const HotpathHistogram *self,
                                                 guint                   index);

G_END_DECLS
