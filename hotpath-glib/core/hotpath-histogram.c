/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hotpath-histogram-private.h"

#define SUB_BITS   10
#define COUNT_BITS 48
/* Buckets at precision 0 for any 64-bit value: 0, 1, then one per power
 * of two. */
#define MIN_BOUNDED_BUCKETS 66
#define COUNT_MASK ((G_GUINT64_CONSTANT (1) << COUNT_BITS) - 1)

/* Buckets at precision @bits: values below 2^(bits+1) are exact, and every
 * power of two above is split in 2^bits buckets. A bucket at bits - 1 is
 * exactly two buckets at bits, which is what lets a bounded histogram
 * coarsen without moving a count across a bucket edge. */
static inline guint
index_at (guint64 value,
          guint   bits)
{
  guint64 exact_limit = G_GUINT64_CONSTANT (2) << bits;
  guint msb, shift;

  if (value < exact_limit)
    return (guint) value;

  msb = 63 - __builtin_clzll (value);
  shift = msb - bits;

  return (guint) exact_limit + (shift - 1) * (1u << bits) + (guint) (value >> shift) - (1u << bits);
}

static inline guint64
lowest_at (guint index,
           guint bits)
{
  guint exact_limit = 2u << bits;
  guint shift, sub;

  if (index < exact_limit)
    return index;

  shift = (index - exact_limit) / (1u << bits) + 1;
  sub = (index - exact_limit) % (1u << bits) + (1u << bits);

  return (guint64) sub << shift;
}

static inline guint64
highest_at (guint index,
            guint bits)
{
  guint exact_limit = 2u << bits;
  guint shift;

  if (index < exact_limit)
    return index;

  shift = (index - exact_limit) / (1u << bits) + 1;

  return lowest_at (index, bits) + ((G_GUINT64_CONSTANT (1) << shift) - 1);
}

guint
hotpath_histogram_bucket_index (guint64 value)
{
  return index_at (value, SUB_BITS);
}

guint64
hotpath_histogram_bucket_lowest (guint index)
{
  return lowest_at (index, SUB_BITS);
}

guint64
hotpath_histogram_bucket_highest (guint index)
{
  return highest_at (index, SUB_BITS);
}

/**
 * hotpath_histogram_entry_lowest:
 * @self: a histogram
 * @index: a bucket index stored in @self
 *
 * Returns: the lowest value of that bucket at the histogram's precision
 */
guint64
hotpath_histogram_entry_lowest (const HotpathHistogram *self,
                                guint                   index)
{
  return lowest_at (index, SUB_BITS - self->coarsening);
}

void
hotpath_histogram_init (HotpathHistogram *self)
{
  memset (self, 0, sizeof *self);
  self->min = G_MAXUINT64;
}

/**
 * hotpath_histogram_init_bounded:
 * @self: a histogram
 * @max_buckets: how many buckets it may hold
 *
 * A histogram whose memory is fixed from the start: its table is allocated
 * now, for @max_buckets. When a value would need one bucket more, the whole
 * histogram halves its precision (two neighbouring buckets become one), so
 * it keeps every count and stays within 1/2^(10-k) of every value after k
 * halvings: three significant digits until then.
 */
void
hotpath_histogram_init_bounded (HotpathHistogram *self,
                                guint             max_buckets)
{
  guint n_slots = 16;

  hotpath_histogram_init (self);

  max_buckets = MAX (max_buckets, MIN_BOUNDED_BUCKETS);
  while (n_slots * 3 < max_buckets * 4)
    n_slots *= 2;

  self->max_buckets = max_buckets;
  self->n_slots = n_slots;
  self->slots = g_new0 (guint64, n_slots);
}

/* Frees the buckets; the histogram is then empty and unbounded. */
void
hotpath_histogram_clear (HotpathHistogram *self)
{
  g_clear_pointer (&self->slots, g_free);
  hotpath_histogram_init (self);
}

/* Empties the histogram and gives back its precision; a bounded one keeps
 * its table, so reusing it allocates nothing. */
void
hotpath_histogram_reset (HotpathHistogram *self)
{
  guint64 *slots = self->slots;
  guint32 n_slots = self->n_slots;
  guint32 max_buckets = self->max_buckets;

  if (max_buckets == 0)
    {
      hotpath_histogram_clear (self);
      return;
    }

  hotpath_histogram_init (self);
  memset (slots, 0, n_slots * sizeof (guint64));
  self->slots = slots;
  self->n_slots = n_slots;
  self->max_buckets = max_buckets;
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

/* Halves the precision: every bucket joins its neighbour. */
static void
coarsen (HotpathHistogram *self)
{
  g_autofree guint64 *old_slots = g_memdup2 (self->slots, self->n_slots * sizeof (guint64));
  guint bits = SUB_BITS - self->coarsening;

  memset (self->slots, 0, self->n_slots * sizeof (guint64));
  self->n_used = 0;
  self->coarsening++;

  for (guint i = 0; i < self->n_slots; i++)
    if (old_slots[i] != 0)
      {
        guint64 low = lowest_at ((guint) (old_slots[i] >> COUNT_BITS) - 1, bits);

        add_to_bucket (self, index_at (low, bits - 1), old_slots[i] & COUNT_MASK);
      }
}

static inline guint64 *
find_slot (HotpathHistogram *self,
           guint64           key,
           guint             index)
{
  guint mask = self->n_slots - 1;

  for (guint slot = slot_for (index, self->n_slots); ; slot = (slot + 1) & mask)
    if (self->slots[slot] == 0 || (self->slots[slot] & ~COUNT_MASK) == key)
      return &self->slots[slot];
}

static void
add_to_bucket (HotpathHistogram *self,
               guint             index,
               guint64           n)
{
  guint64 key = (guint64) (index + 1) << COUNT_BITS;
  guint mask, slot;

  if (self->max_buckets > 0)
    {
      guint64 *entry = find_slot (self, key, index);

      if (*entry != 0)
        {
          *entry += n;
          return;
        }
      /* The load stays under 3/4 (see init_bounded), so a probe always
       * ends on an empty slot. At 0 bits of precision (one bucket per
       * power of two) every 64-bit value fits in 65 buckets, and
       * init_bounded allows no fewer: the table cannot overflow. */
      if (self->n_used < self->max_buckets || self->coarsening == SUB_BITS)
        {
          *entry = key | n;
          self->n_used++;
          return;
        }

      /* Full: this index is at the old precision; find it again at the
       * new one. */
      {
        guint64 low = lowest_at (index, SUB_BITS - self->coarsening);

        coarsen (self);
        add_to_bucket (self, index_at (low, SUB_BITS - self->coarsening), n);
      }
      return;
    }

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

  add_to_bucket (self, index_at (value, SUB_BITS - self->coarsening), n);
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
  /* Meet at the coarser precision, so no count lands in a narrower bucket
   * than it was measured in. */
  while (self->coarsening < other->coarsening)
    coarsen (self);

  for (guint i = 0; i < other->n_slots; i++)
    if (other->slots[i] != 0)
      {
        guint64 low = lowest_at ((guint) (other->slots[i] >> COUNT_BITS) - 1, SUB_BITS - other->coarsening);

        add_to_bucket (self, index_at (low, SUB_BITS - self->coarsening), other->slots[i] & COUNT_MASK);
      }

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
              guint64 low = lowest_at (index, SUB_BITS - self->coarsening);
              guint64 high = highest_at (index, SUB_BITS - self->coarsening);
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
