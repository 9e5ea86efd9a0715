/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-histogram.c: the log-linear histogram behind every percentile.
 *
 * Percentiles are checked against the exact nearest-rank value of the same
 * data, sorted: the histogram may only be off by the width of a bucket, at
 * most 1/1024 of the value, and must land in the same bucket as the exact
 * answer. The data is pseudo-random with fixed seeds, so every run checks
 * the same values.
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "hotpath-histogram-private.h"

#define ONE_HOUR_NS G_GUINT64_CONSTANT (3600000000000)

/* Percentiles in tenths, so the reference rank is computed in integers:
 * rank = ceil (p * N / 100) with no floating point in the way. */
static const guint percentile_tenths[] = { 0, 10, 500, 900, 950, 990, 999, 1000 };

typedef guint64 (*Generator) (GRand *rand);

static int
compare_values (gconstpointer a,
                gconstpointer b)
{
  guint64 x = *(const guint64 *) a;
  guint64 y = *(const guint64 *) b;

  return (x > y) - (x < y);
}

static guint64
exact_percentile (const guint64 *sorted,
                  guint          n,
                  guint          tenths)
{
  guint64 rank;

  if (tenths == 0)
    return sorted[0];

  rank = ((guint64) tenths * n + 999) / 1000;
  rank = CLAMP (rank, 1, n);

  return sorted[rank - 1];
}

static guint64
clamp_to_range (double value)
{
  if (!(value >= 1.0))
    return 1;
  if (value >= (double) ONE_HOUR_NS)
    return ONE_HOUR_NS;
  return (guint64) value;
}

static double
normal (GRand  *rand,
        double  mean,
        double  sd)
{
  /* Box-Muller; 1 - u keeps log() away from 0. */
  double u = 1.0 - g_rand_double (rand);
  double v = g_rand_double (rand);

  return mean + sd * sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

/* 1 ns to one hour, evenly. */
static guint64
gen_uniform (GRand *rand)
{
  return clamp_to_range (g_rand_double_range (rand, 1.0, (double) ONE_HOUR_NS));
}

/* 100 ns to 10 µs, evenly: the range of most measured functions. */
static guint64
gen_uniform_narrow (GRand *rand)
{
  return (guint64) g_rand_int_range (rand, 100, 10001);
}

/* Evenly spread over the orders of magnitude from 1 ns to one hour. */
static guint64
gen_log_uniform (GRand *rand)
{
  return clamp_to_range (exp (g_rand_double_range (rand, 0.0, log ((double) ONE_HOUR_NS))));
}

/* Exponential with a mean of 50 µs: many short calls, a long tail. */
static guint64
gen_exponential (GRand *rand)
{
  return clamp_to_range (-log (1.0 - g_rand_double (rand)) * 50000.0);
}

/* Exponential with a mean of 2 s, reaching minutes. */
static guint64
gen_exponential_slow (GRand *rand)
{
  return clamp_to_range (-log (1.0 - g_rand_double (rand)) * 2e9);
}

/* 85% fast calls around 20 µs, 15% slow ones around 400 ms. */
static guint64
gen_bimodal (GRand *rand)
{
  if (g_rand_double (rand) < 0.85)
    return clamp_to_range (normal (rand, 20000.0, 2000.0));
  return clamp_to_range (normal (rand, 4e8, 4e7));
}

/* Nanoseconds (exact buckets) next to about an hour. */
static guint64
gen_bimodal_extreme (GRand *rand)
{
  if (g_rand_boolean (rand))
    return (guint64) g_rand_int_range (rand, 1, 2000);
  return clamp_to_range (normal (rand, 3.0e12, 1.5e11));
}

typedef struct
{
  const char *name;
  Generator   generate;
  guint       n;
  guint32     seed;
} Distribution;

static const Distribution distributions[] = {
  { "uniform", gen_uniform, 200000, 1 },
  { "uniform-narrow", gen_uniform_narrow, 100000, 2 },
  { "log-uniform", gen_log_uniform, 1000000, 3 },
  { "exponential", gen_exponential, 200000, 4 },
  { "exponential-slow", gen_exponential_slow, 200000, 5 },
  { "bimodal", gen_bimodal, 200000, 6 },
  { "bimodal-extreme", gen_bimodal_extreme, 200000, 7 },
};

static guint64 *
generate (const Distribution *distribution)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (distribution->seed);
  guint64 *values = g_new (guint64, distribution->n);

  for (guint i = 0; i < distribution->n; i++)
    values[i] = distribution->generate (rand);

  return values;
}

static void
assert_close (guint64     approx,
              guint64     exact,
              const char *what)
{
  guint64 diff = approx > exact ? approx - exact : exact - approx;

  /* Relative error at most 0.1%: diff / exact <= 1 / 1000. */
  if (diff * 1000 > exact)
    g_error ("%s: histogram says %" G_GUINT64_FORMAT ", exact is %" G_GUINT64_FORMAT
             " (relative error %.5f%%)", what, approx, exact, 100.0 * (double) diff / (double) exact);

  /* Nearest rank picks a bucket: it must be the exact value's bucket. */
  g_assert_cmpuint (hotpath_histogram_bucket_index (approx), ==, hotpath_histogram_bucket_index (exact));
}

static void
test_histogram_accuracy (gconstpointer data)
{
  const Distribution *distribution = data;
  g_autofree guint64 *values = generate (distribution);
  guint n = distribution->n;
  HotpathHistogram histogram;
  double percentiles[G_N_ELEMENTS (percentile_tenths)];
  guint64 batch[G_N_ELEMENTS (percentile_tenths)];
  guint64 sum = 0;

  hotpath_histogram_init (&histogram);
  for (guint i = 0; i < n; i++)
    {
      hotpath_histogram_record (&histogram, values[i]);
      sum += values[i];
    }

  qsort (values, n, sizeof (guint64), compare_values);

  /* The data really spans what the distribution promises. */
  g_assert_cmpuint (values[0], >=, 1);
  g_assert_cmpuint (values[n - 1], <=, ONE_HOUR_NS);
  g_assert_cmpuint (values[0], <, values[n - 1]);

  g_assert_cmpuint (histogram.count, ==, n);
  g_assert_cmpuint (histogram.sum, ==, sum);
  g_assert_cmpuint (histogram.min, ==, values[0]);
  g_assert_cmpuint (histogram.max, ==, values[n - 1]);

  for (guint p = 0; p < G_N_ELEMENTS (percentile_tenths); p++)
    {
      guint64 exact = exact_percentile (values, n, percentile_tenths[p]);
      g_autofree char *what = NULL;
      guint64 approx;

      percentiles[p] = percentile_tenths[p] / 10.0;
      approx = hotpath_histogram_value_at_percentile (&histogram, percentiles[p]);
      what = g_strdup_printf ("%s p%g", distribution->name, percentiles[p]);
      assert_close (approx, exact, what);

      /* The minimum and the maximum are kept exactly. */
      if (percentile_tenths[p] == 0 || percentile_tenths[p] == 1000)
        g_assert_cmpuint (approx, ==, exact);
    }

  /* Many percentiles at once give what one at a time give. */
  hotpath_histogram_values_at_percentiles (&histogram, percentiles, G_N_ELEMENTS (percentiles), batch);
  for (guint p = 0; p < G_N_ELEMENTS (percentiles); p++)
    g_assert_cmpuint (batch[p], ==, hotpath_histogram_value_at_percentile (&histogram, percentiles[p]));

  hotpath_histogram_clear (&histogram);
  g_assert_cmpuint (histogram.count, ==, 0);
  g_assert_null (histogram.slots);
}

/* Small values have a bucket each, so their percentiles are exact; this
 * also pins down nearest rank (not interpolation) on known data. */
static void
test_histogram_exact_small (void)
{
  HotpathHistogram histogram;

  hotpath_histogram_init (&histogram);
  for (guint64 v = 1; v <= 100; v++)
    hotpath_histogram_record (&histogram, v);

  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&histogram, 0), ==, 1);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&histogram, 1), ==, 1);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&histogram, 1.5), ==, 2);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&histogram, 50), ==, 50);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&histogram, 50.1), ==, 51);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&histogram, 95), ==, 95);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&histogram, 99), ==, 99);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&histogram, 99.9), ==, 100);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&histogram, 100), ==, 100);
  g_assert_cmpuint (histogram.sum, ==, 5050);

  hotpath_histogram_clear (&histogram);
}

static void
test_histogram_empty (void)
{
  HotpathHistogram histogram;
  const double percentiles[] = { 0, 50, 100 };
  guint64 values[] = { 7, 7, 7 };

  hotpath_histogram_init (&histogram);

  g_assert_cmpuint (histogram.count, ==, 0);
  g_assert_cmpuint (hotpath_histogram_get_memory_size (&histogram), ==, 0);
  hotpath_histogram_values_at_percentiles (&histogram, percentiles, G_N_ELEMENTS (percentiles), values);
  g_assert_cmpuint (values[0], ==, 0);
  g_assert_cmpuint (values[1], ==, 0);
  g_assert_cmpuint (values[2], ==, 0);

  hotpath_histogram_clear (&histogram);
}

static void
assert_bucket (guint index)
{
  guint64 lowest = hotpath_histogram_bucket_lowest (index);
  guint64 highest = hotpath_histogram_bucket_highest (index);
  guint64 width = highest - lowest + 1;

  g_assert_cmpuint (lowest, <=, highest);
  g_assert_cmpuint (hotpath_histogram_bucket_index (lowest), ==, index);
  g_assert_cmpuint (hotpath_histogram_bucket_index (highest), ==, index);
  g_assert_cmpuint (hotpath_histogram_bucket_index (lowest + width / 2), ==, index);

  /* Three significant digits: no value shares its bucket with one more
   * than 1/1024 of it away. Below 2048 every value has its own bucket. */
  if (lowest < HOTPATH_HISTOGRAM_EXACT_LIMIT)
    g_assert_cmpuint (width, ==, 1);
  else
    g_assert_cmpuint (width * 1024, <=, lowest);
}

static void
test_histogram_buckets (void)
{
  guint last = hotpath_histogram_bucket_index (G_MAXUINT64);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  g_assert_cmpuint (hotpath_histogram_bucket_index (0), ==, 0);
  g_assert_cmpuint (hotpath_histogram_bucket_index (2047), ==, 2047);
  g_assert_cmpuint (hotpath_histogram_bucket_index (2048), ==, 2048);
  g_assert_cmpuint (hotpath_histogram_bucket_index (2049), ==, 2048);
  g_assert_cmpuint (hotpath_histogram_bucket_index (2050), ==, 2049);
  g_assert_cmpuint (hotpath_histogram_bucket_highest (last), ==, G_MAXUINT64);

  /* Every bucket over the whole 64-bit range, and no gap or overlap
   * between neighbours. */
  for (guint index = 0; index <= last; index++)
    {
      assert_bucket (index);
      if (index > 0)
        g_assert_cmpuint (hotpath_histogram_bucket_lowest (index),
                          ==, hotpath_histogram_bucket_highest (index - 1) + 1);
    }

  /* An hour fits comfortably. */
  g_assert_cmpuint (hotpath_histogram_bucket_index (ONE_HOUR_NS), <, last);

  /* Random values land in the bucket that covers them. */
  for (guint i = 0; i < 100000; i++)
    {
      guint64 value = ((guint64) g_rand_int (rand) << 32 | g_rand_int (rand)) >> g_rand_int_range (rand, 0, 64);
      guint index = hotpath_histogram_bucket_index (value);

      g_assert_cmpuint (hotpath_histogram_bucket_lowest (index), <=, value);
      g_assert_cmpuint (hotpath_histogram_bucket_highest (index), >=, value);
    }
}

static void
assert_same_histogram (const HotpathHistogram *a,
                       const HotpathHistogram *b)
{
  double percentiles[101 + 3];
  guint64 values_a[G_N_ELEMENTS (percentiles)];
  guint64 values_b[G_N_ELEMENTS (percentiles)];

  g_assert_cmpuint (a->count, ==, b->count);
  g_assert_cmpuint (a->sum, ==, b->sum);
  g_assert_cmpuint (a->min, ==, b->min);
  g_assert_cmpuint (a->max, ==, b->max);
  g_assert_cmpuint (a->n_used, ==, b->n_used);

  for (guint p = 0; p <= 100; p++)
    percentiles[p] = p;
  percentiles[101] = 99.9;
  percentiles[102] = 99.99;
  percentiles[103] = 0.1;

  hotpath_histogram_values_at_percentiles (a, percentiles, G_N_ELEMENTS (percentiles), values_a);
  hotpath_histogram_values_at_percentiles (b, percentiles, G_N_ELEMENTS (percentiles), values_b);
  for (guint p = 0; p < G_N_ELEMENTS (percentiles); p++)
    g_assert_cmpuint (values_a[p], ==, values_b[p]);
}

static void
test_histogram_merge (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  HotpathHistogram all, first, second, empty;
  guint n = 200000;

  hotpath_histogram_init (&all);
  hotpath_histogram_init (&first);
  hotpath_histogram_init (&second);
  hotpath_histogram_init (&empty);

  /* Two threads' worth of different shapes, overlapping in range. */
  for (guint i = 0; i < n; i++)
    {
      guint64 value = i % 3 == 0 ? gen_bimodal (rand) : gen_log_uniform (rand);

      hotpath_histogram_record (&all, value);
      hotpath_histogram_record (i % 3 == 0 ? &first : &second, value);
    }

  g_assert_cmpuint (first.count + second.count, ==, n);
  g_assert_cmpuint (first.min, !=, second.min);

  hotpath_histogram_merge (&first, &second);
  assert_same_histogram (&first, &all);

  /* Merging into an empty histogram copies; merging an empty one changes
   * nothing (its min is G_MAXUINT64, its max 0). */
  hotpath_histogram_merge (&empty, &all);
  assert_same_histogram (&empty, &all);
  hotpath_histogram_clear (&second);
  hotpath_histogram_merge (&all, &second);
  assert_same_histogram (&empty, &all);

  hotpath_histogram_clear (&all);
  hotpath_histogram_clear (&first);
  hotpath_histogram_clear (&second);
  hotpath_histogram_clear (&empty);
}

static void
test_histogram_copy (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  HotpathHistogram original, copy, reference, empty_copy;

  hotpath_histogram_init (&original);
  hotpath_histogram_init (&reference);
  for (guint i = 0; i < 50000; i++)
    {
      guint64 value = gen_exponential (rand);

      hotpath_histogram_record (&original, value);
      hotpath_histogram_record (&reference, value);
    }

  hotpath_histogram_copy (&copy, &original);
  g_assert_true (copy.slots != original.slots);
  assert_same_histogram (&copy, &original);

  /* The copy is independent: writes to either leave the other alone. */
  hotpath_histogram_record (&original, ONE_HOUR_NS);
  hotpath_histogram_record (&copy, 1);
  g_assert_cmpuint (original.count, ==, reference.count + 1);
  g_assert_cmpuint (original.max, ==, ONE_HOUR_NS);
  g_assert_cmpuint (copy.min, ==, 1);
  g_assert_cmpuint (copy.max, ==, reference.max);
  hotpath_histogram_clear (&copy);
  g_assert_cmpuint (original.count, ==, reference.count + 1);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&original, 100), ==, ONE_HOUR_NS);

  /* An empty histogram copies to an empty one without a table. */
  hotpath_histogram_clear (&reference);
  hotpath_histogram_copy (&empty_copy, &reference);
  g_assert_null (empty_copy.slots);
  g_assert_cmpuint (empty_copy.count, ==, 0);
  g_assert_cmpuint (empty_copy.min, ==, G_MAXUINT64);
  hotpath_histogram_record (&empty_copy, 5);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&empty_copy, 50), ==, 5);

  hotpath_histogram_clear (&empty_copy);
  hotpath_histogram_clear (&original);
}

static void
test_histogram_memory (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);
  HotpathHistogram histogram;
  gsize after_first, after_all;
  guint64 sum = 0;

  hotpath_histogram_init (&histogram);

  /* A function that takes 1.0 to 1.1 ms: about 150 buckets. */
  for (guint i = 0; i < 100000; i++)
    {
      guint64 value = (guint64) g_rand_int_range (rand, 1000000, 1100001);
      hotpath_histogram_record (&histogram, value);
      sum += value;
    }
  after_first = hotpath_histogram_get_memory_size (&histogram);

  for (guint i = 100000; i < 1000000; i++)
    {
      guint64 value = (guint64) g_rand_int_range (rand, 1000000, 1100001);
      hotpath_histogram_record (&histogram, value);
      sum += value;
    }
  after_all = hotpath_histogram_get_memory_size (&histogram);

  g_assert_cmpuint (histogram.count, ==, 1000000);
  g_assert_cmpuint (histogram.sum, ==, sum);
  g_assert_cmpuint (after_all, <, 8 * 1024);
  g_assert_cmpuint (after_all, >, 0);
  /* It does not grow with the number of calls, only with the buckets hit. */
  g_assert_cmpuint (after_all, ==, after_first);
  g_assert_cmpuint (histogram.n_used, <=, 200);
  g_assert_cmpuint (after_all, ==, histogram.n_slots * sizeof (guint64));

  hotpath_histogram_clear (&histogram);

  /* Even every bucket from 1 ns to an hour stays well under a MiB. */
  hotpath_histogram_init (&histogram);
  for (guint index = 0; index <= hotpath_histogram_bucket_index (ONE_HOUR_NS); index++)
    hotpath_histogram_record (&histogram, hotpath_histogram_bucket_lowest (index));
  g_assert_cmpuint (histogram.n_used, ==, hotpath_histogram_bucket_index (ONE_HOUR_NS) + 1);
  g_assert_cmpuint (hotpath_histogram_get_memory_size (&histogram), <=, 1024 * 1024);
  hotpath_histogram_clear (&histogram);
}

static void
test_histogram_record_n (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  HotpathHistogram one_by_one, batched, big;

  hotpath_histogram_init (&one_by_one);
  hotpath_histogram_init (&batched);

  for (guint i = 0; i < 2000; i++)
    {
      guint64 value = gen_bimodal (rand);
      guint64 n = (guint64) g_rand_int_range (rand, 0, 20);

      for (guint64 k = 0; k < n; k++)
        hotpath_histogram_record (&one_by_one, value);
      hotpath_histogram_record_n (&batched, value, n);
    }
  assert_same_histogram (&batched, &one_by_one);

  /* n = 0 records nothing, not even the min and max. */
  hotpath_histogram_clear (&batched);
  hotpath_histogram_record_n (&batched, 12345, 0);
  g_assert_cmpuint (batched.count, ==, 0);
  g_assert_cmpuint (batched.sum, ==, 0);
  g_assert_cmpuint (batched.min, ==, G_MAXUINT64);
  g_assert_cmpuint (batched.max, ==, 0);
  g_assert_null (batched.slots);

  /* Counts far beyond 32 bits stay exact, and nearest rank holds at the
   * boundary: 999e9 fast calls and 1e9 slow ones put p99.9 exactly on the
   * last fast call. */
  hotpath_histogram_init (&big);
  hotpath_histogram_record_n (&big, 1000, G_GUINT64_CONSTANT (999000000000));
  hotpath_histogram_record_n (&big, 2000, G_GUINT64_CONSTANT (1000000000));
  g_assert_cmpuint (big.count, ==, G_GUINT64_CONSTANT (1000000000000));
  g_assert_cmpuint (big.sum, ==, G_GUINT64_CONSTANT (1001000000000000));
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&big, 99.9), ==, 1000);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&big, 99.91), ==, 2000);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&big, 50), ==, 1000);
  hotpath_histogram_record_n (&big, 1000, 1);
  g_assert_cmpuint (hotpath_histogram_value_at_percentile (&big, 99.9), ==, 1000);
  g_assert_cmpuint (big.n_used, ==, 2);

  hotpath_histogram_clear (&big);
  hotpath_histogram_clear (&batched);
  hotpath_histogram_clear (&one_by_one);
}

/* A bounded histogram (what the collector gives each function) keeps its
 * memory from the first value; when values need more buckets it halves its
 * precision, never losing a count, and stays within 2^k/1024 after k
 * halvings. */
static void
test_histogram_bounded (void)
{
  static const guint tenths[] = { 10, 500, 900, 950, 990, 999 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  HotpathHistogram narrow, wide;
  g_autofree guint64 *values = g_new (guint64, 100000);
  gsize size;
  guint64 sum = 0;

  /* A function whose calls take 20-40 µs: few buckets, full precision. */
  hotpath_histogram_init_bounded (&narrow, 192);
  size = hotpath_histogram_get_memory_size (&narrow);
  g_assert_cmpuint (size, ==, 256 * sizeof (guint64));
  for (guint i = 0; i < 1000; i++)
    hotpath_histogram_record (&narrow, 20000 + g_rand_int_range (rand, 0, 20));
  g_assert_cmpuint (narrow.coarsening, ==, 0);
  g_assert_cmpuint (hotpath_histogram_get_memory_size (&narrow), ==, size);

  /* Durations over eight octaves need thousands of buckets at full
   * precision: the histogram coarsens instead of growing. */
  hotpath_histogram_init_bounded (&wide, 192);
  for (guint i = 0; i < 100000; i++)
    {
      values[i] = (guint64) (1000.0 * pow (2.0, 8.0 * g_rand_double (rand)));
      sum += values[i];
      hotpath_histogram_record (&wide, values[i]);
    }
  g_assert_cmpuint (hotpath_histogram_get_memory_size (&wide), ==, size);
  g_assert_cmpuint (wide.n_used, <=, 192);
  g_assert_cmpuint (wide.coarsening, >, 0);
  g_assert_cmpuint (wide.count, ==, 100000);
  g_assert_cmpuint (wide.sum, ==, sum);

  qsort (values, 100000, sizeof (guint64), compare_values);
  g_assert_cmpuint (wide.min, ==, values[0]);
  g_assert_cmpuint (wide.max, ==, values[99999]);
  for (guint i = 0; i < G_N_ELEMENTS (tenths); i++)
    {
      guint64 exact = exact_percentile (values, 100000, tenths[i]);
      guint64 approx = hotpath_histogram_value_at_percentile (&wide, tenths[i] / 10.0);
      guint64 diff = approx > exact ? approx - exact : exact - approx;

      /* Width 2^k/1024 of the value; the midpoint is within half of it. */
      g_assert_cmpfloat ((double) diff / (double) exact, <=, (double) (1u << wide.coarsening) / 1024.0);
    }

  /* The smallest bound still holds any 64-bit value: one bucket per
   * power of two. */
  {
    HotpathHistogram tiny;

    hotpath_histogram_init_bounded (&tiny, 8);
    for (guint shift = 0; shift < 64; shift++)
      for (guint i = 0; i < 3; i++)
        hotpath_histogram_record (&tiny, (G_GUINT64_CONSTANT (1) << shift) + i);
    g_assert_cmpuint (tiny.count, ==, 64 * 3);
    g_assert_cmpuint (tiny.max, ==, (G_GUINT64_CONSTANT (1) << 63) + 2);
    g_assert_cmpuint (tiny.n_used, <=, 66);
    hotpath_histogram_clear (&tiny);
  }

  /* Reset keeps the table: a new session allocates nothing. */
  hotpath_histogram_reset (&wide);
  g_assert_cmpuint (wide.count, ==, 0);
  g_assert_cmpuint (wide.coarsening, ==, 0);
  g_assert_cmpuint (hotpath_histogram_get_memory_size (&wide), ==, size);

  hotpath_histogram_clear (&narrow);
  hotpath_histogram_clear (&wide);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (distributions); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Hotpath/Histogram/accuracy/%s", distributions[i].name);
      g_test_add_data_func (path, &distributions[i], test_histogram_accuracy);
    }
  g_test_add_func ("/Hotpath/Histogram/exact-small", test_histogram_exact_small);
  g_test_add_func ("/Hotpath/Histogram/empty", test_histogram_empty);
  g_test_add_func ("/Hotpath/Histogram/buckets", test_histogram_buckets);
  g_test_add_func ("/Hotpath/Histogram/merge", test_histogram_merge);
  g_test_add_func ("/Hotpath/Histogram/copy", test_histogram_copy);
  g_test_add_func ("/Hotpath/Histogram/memory", test_histogram_memory);
  g_test_add_func ("/Hotpath/Histogram/record-n", test_histogram_record_n);
  g_test_add_func ("/Hotpath/Histogram/bounded", test_histogram_bounded);

  return g_test_run ();
}
