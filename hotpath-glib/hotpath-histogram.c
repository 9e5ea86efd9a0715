/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hotpath-histogram-private.h"

#define SUB_BITS   10
#define COUNT_BITS 48
#define COUNT_MASK ((G_GUINT64_CONSTANT (1) << COUNT_BITS) - 1)

guint
hotpath_histogram_bucket_index (guint64 value)
{
  guint msb, shift;

  if (value < HOTPATH_HISTOGRAM_EXACT_LIMIT)
    return (guint) value;

  msb = 63 - __builtin_clzll (value);
  shift = msb - SUB_BITS;

  return HOTPATH_HISTOGRAM_EXACT_LIMIT
         + (shift - 1) * HOTPATH_HISTOGRAM_SUB_BUCKETS
         + (guint) (value >> shift) - HOTPATH_HISTOGRAM_SUB_BUCKETS;
}

guint64
hotpath_histogram_bucket_lowest (guint index)
{
  guint shift, sub;

  if (index < HOTPATH_HISTOGRAM_EXACT_LIMIT)
    return index;

  shift = (index - HOTPATH_HISTOGRAM_EXACT_LIMIT) / HOTPATH_HISTOGRAM_SUB_BUCKETS + 1;
  sub = (index - HOTPATH_HISTOGRAM_EXACT_LIMIT) % HOTPATH_HISTOGRAM_SUB_BUCKETS + HOTPATH_HISTOGRAM_SUB_BUCKETS;

  return (guint64) sub << shift;
}

guint64
hotpath_histogram_bucket_highest (guint index)
{
  guint shift;

  if (index < HOTPATH_HISTOGRAM_EXACT_LIMIT)
    return index;

  shift = (index - HOTPATH_HISTOGRAM_EXACT_LIMIT) / HOTPATH_HISTOGRAM_SUB_BUCKETS + 1;

  return hotpath_histogram_bucket_lowest (index) + ((G_GUINT64_CONSTANT (1) << shift) - 1);
}

void
hotpath_histogram_init (HotpathHistogram *self)
{
  memset (self, 0, sizeof *self);
  self->min = G_MAXUINT64;
}

void
hotpath_histogram_clear (HotpathHistogram *self)
{
  g_clear_pointer (&self->slots, g_free);
  hotpath_histogram_init (self);
}

static inline guint
slot_for (guint index,
          guint n_slots)
{
  /* Fibonacci hashing spreads neighbouring buckets over the table. */
  return ((guint32) (index + 1) * 0x9E3779B1u) >> (32 - __builtin_ctz (n_slots));
}

static void
add_to_bucket (HotpathHistogram *self,
               guint             index,
               guint64           n);

static void
grow (HotpathHistogram *self)
{
  guint64 *old_slots = self->slots;
  guint old_n_slots = self->n_slots;

  self->n_slots = old_n_slots ? old_n_slots * 2 : 16;
  self->slots = g_new0 (guint64, self->n_slots);
  self->n_used = 0;

  for (guint i = 0; i < old_n_slots; i++)
    if (old_slots[i] != 0)
      add_to_bucket (self, (guint) (old_slots[i] >> COUNT_BITS) - 1, old_slots[i] & COUNT_MASK);

  g_free (old_slots);
}

static void
add_to_bucket (HotpathHistogram *self,
               guint             index,
               guint64           n)
{
  guint64 key = (guint64) (index + 1) << COUNT_BITS;
  guint mask, slot;

  if (G_UNLIKELY ((self->n_used + 1) * 4 > self->n_slots * 3))
    grow (self);

  mask = self->n_slots - 1;
  for (slot = slot_for (index, self->n_slots); ; slot = (slot + 1) & mask)
    {
      guint64 entry = self->slots[slot];

      if (entry == 0)
        {
          self->slots[slot] = key | n;
          self->n_used++;
          return;
        }

      if ((entry & ~COUNT_MASK) == key)
        {
          self->slots[slot] = entry + n;
          return;
        }
    }
}

void
hotpath_histogram_record_n (HotpathHistogram *self,
                            guint64           value,
                            guint64           n)
{
  if (n == 0)
    return;

  add_to_bucket (self, hotpath_histogram_bucket_index (value), n);
  self->count += n;
  self->sum += value * n;
  if (value < self->min)
    self->min = value;
  if (value > self->max)
    self->max = value;
}

void
hotpath_histogram_record (HotpathHistogram *self,
                          guint64           value)
{
  hotpath_histogram_record_n (self, value, 1);
}

void
hotpath_histogram_merge (HotpathHistogram       *self,
                         const HotpathHistogram *other)
{
  for (guint i = 0; i < other->n_slots; i++)
    if (other->slots[i] != 0)
      add_to_bucket (self, (guint) (other->slots[i] >> COUNT_BITS) - 1, other->slots[i] & COUNT_MASK);

  self->count += other->count;
  self->sum += other->sum;
  self->min = MIN (self->min, other->min);
  self->max = MAX (self->max, other->max);
}

void
hotpath_histogram_copy (HotpathHistogram       *dest,
                        const HotpathHistogram *src)
{
  *dest = *src;
  dest->slots = src->n_slots ? g_memdup2 (src->slots, src->n_slots * sizeof (guint64)) : NULL;
}

gsize
hotpath_histogram_get_memory_size (const HotpathHistogram *self)
{
  return self->n_slots * sizeof (guint64);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  guint64 x = *(const guint64 *) a;
  guint64 y = *(const guint64 *) b;

  return (x > y) - (x < y);
}

/* Nearest rank: the value at position ceil(p/100 * count) of the sorted
 * data. Inside a bucket the midpoint stands for the value, which is within
 * 1/2048 of any value in it; exact buckets, min and max are exact. */
void
hotpath_histogram_values_at_percentiles (const HotpathHistogram *self,
                                         const double           *percentiles,
                                         guint                   n_percentiles,
                                         guint64                *values)
{
  g_autofree guint64 *entries = NULL;
  guint n_entries = 0;

  if (self->count == 0)
    {
      for (guint i = 0; i < n_percentiles; i++)
        values[i] = 0;
      return;
    }

  /* The key sits in the high bits, so sorting the packed entries sorts the
   * buckets by value. */
  entries = g_new (guint64, self->n_used);
  for (guint i = 0; i < self->n_slots; i++)
    if (self->slots[i] != 0)
      entries[n_entries++] = self->slots[i];
  qsort (entries, n_entries, sizeof (guint64), compare_entries);

  for (guint p = 0; p < n_percentiles; p++)
    {
      double percentile = percentiles[p];
      guint64 rank, seen = 0;

      if (percentile <= 0.0)
        {
          values[p] = self->min;
          continue;
        }
      if (percentile >= 100.0)
        {
          values[p] = self->max;
          continue;
        }

      /* p * count first keeps integral products exact (95 * 200 / 100 is
       * 190, not 190.00000000000003); the tiny slack absorbs 99.9's
       * binary representation. */
      rank = (guint64) ceil (percentile * (double) self->count / 100.0 - 1e-9);
      rank = CLAMP (rank, 1, self->count);

      values[p] = self->max;
      for (guint e = 0; e < n_entries; e++)
        {
          seen += entries[e] & COUNT_MASK;
          if (seen >= rank)
            {
              guint index = (guint) (entries[e] >> COUNT_BITS) - 1;
              guint64 low = hotpath_histogram_bucket_lowest (index);
              guint64 high = hotpath_histogram_bucket_highest (index);
              guint64 value = low + (high - low) / 2;

              values[p] = CLAMP (value, self->min, self->max);
              break;
            }
        }
    }
}

guint64
hotpath_histogram_value_at_percentile (const HotpathHistogram *self,
                                       double                  percentile)
{
  guint64 value;

  hotpath_histogram_values_at_percentiles (self, &percentile, 1, &value);
  return value;
}
