/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-clock.c: the clock every measurement reads.
 *
 * On x86 with an invariant TSC (constant rate, runs in every C-state) and a
 * kernel that itself uses the TSC as clocksource, a measured call reads
 * `rdtsc` twice: about 10 ns per read here, against 25 ns for
 * clock_gettime(), which is rdtsc plus an ordering fence and a seqlock.
 * Ticks become nanoseconds only when a snapshot is taken, using a ratio
 * calibrated against CLOCK_MONOTONIC over the whole run so far, so the
 * longer a program runs the more exact the ratio becomes.
 *
 * Anywhere else, or with HOTPATH_CLOCK=monotonic, ticks are CLOCK_MONOTONIC
 * nanoseconds.
 */

#include "config.h"

#include <time.h>
#include <stdio.h>
#include <string.h>
#if defined (__x86_64__) || defined (__i386__)
# include <cpuid.h>
#endif

#include "hotpath-clock-private.h"
#include "hotpath-env-private.h"
#include "hotpath-measure.h"

/* A pairing of both clocks, read as close together as we can. */
typedef struct
{
  guint64 ticks;
  guint64 ns;
} ClockPair;

static HotpathClockSource clock_source = HOTPATH_CLOCK_SOURCE_MONOTONIC;
static ClockPair          clock_start;
static guint64            fake_now_ns;
static GMutex             calibration_lock;
static ClockPair          calibration_last;
static double             calibration_ns_per_tick = 1.0;

static inline guint64
monotonic_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (guint64) ts.tv_sec * G_GUINT64_CONSTANT (1000000000) + (guint64) ts.tv_nsec;
}

guint64
hotpath_clock_read_slow (void)
{
  if (G_UNLIKELY (clock_source == HOTPATH_CLOCK_SOURCE_FAKE))
    return __atomic_load_n (&fake_now_ns, __ATOMIC_RELAXED);
#if defined (__x86_64__) || defined (__i386__)
  if (clock_source == HOTPATH_CLOCK_SOURCE_TSC)
    return __builtin_ia32_rdtsc ();
#endif
  return monotonic_ns ();
}

static ClockPair
read_pair (void)
{
  ClockPair best = { 0, 0 };
  guint64 best_window = G_MAXUINT64;

  if (clock_source != HOTPATH_CLOCK_SOURCE_TSC)
    {
      guint64 now = hotpath_clock_read_slow ();
      return (ClockPair) { now, now };
    }

  /* The TSC read is paired with the middle of the two monotonic reads around
   * it; of a few tries the one with the narrowest window wins, which keeps a
   * preemption between the reads from skewing the ratio. */
  for (guint i = 0; i < 5; i++)
    {
      guint64 before = monotonic_ns ();
      guint64 ticks = hotpath_clock_read_slow ();
      guint64 after = monotonic_ns ();

      if (after - before < best_window)
        {
          best_window = after - before;
          best.ticks = ticks;
          best.ns = before + (after - before) / 2;
        }
    }

  return best;
}

gboolean
hotpath_clock_tsc_is_invariant (void)
{
#if defined (__x86_64__) || defined (__i386__)
  unsigned int eax, ebx, ecx, edx;

  if (__get_cpuid_max (0x80000000, NULL) < 0x80000007)
    return FALSE;
  if (!__get_cpuid (0x80000007, &eax, &ebx, &ecx, &edx))
    return FALSE;
  /* CPUID.80000007H:EDX[8] is "invariant TSC". */
  return (edx & (1u << 8)) != 0;
#else
  return FALSE;
#endif
}

gboolean
hotpath_clock_kernel_trusts_tsc (void)
{
  g_autofree char *contents = NULL;

  /* The kernel watches the TSC against other clocks and switches its
   * clocksource away from it when it finds it unstable (unsynchronized
   * sockets, a migrating VM). If it dropped the TSC, so do we. Without sysfs
   * we have only CPUID to go by. */
  if (!g_file_get_contents ("/sys/devices/system/clocksource/clocksource0/current_clocksource",
                            &contents, NULL, NULL))
    return TRUE;

  return g_str_has_prefix (contents, "tsc");
}

void
hotpath_clock_init (void)
{
  static const char * const accepted[] = { "tsc", "monotonic", NULL };
  int forced = hotpath_env_get_choice ("HOTPATH_CLOCK", accepted, -1);
  gboolean tsc_ok = hotpath_clock_tsc_is_invariant () && hotpath_clock_kernel_trusts_tsc ();

  if (clock_source == HOTPATH_CLOCK_SOURCE_FAKE)
    return;

  if (forced == 1)
    clock_source = HOTPATH_CLOCK_SOURCE_MONOTONIC;
  else if (forced == 0)
    {
#if defined (__x86_64__) || defined (__i386__)
      if (!tsc_ok)
        fprintf (stderr, "hotpath: HOTPATH_CLOCK=tsc: this TSC is not invariant or the kernel "
                         "does not use it; timings may drift\n");
      clock_source = HOTPATH_CLOCK_SOURCE_TSC;
#else
      fprintf (stderr, "hotpath: HOTPATH_CLOCK=tsc: no TSC on this machine; using monotonic\n");
      clock_source = HOTPATH_CLOCK_SOURCE_MONOTONIC;
#endif
    }
  else
    {
#if defined (__x86_64__) || defined (__i386__)
      clock_source = tsc_ok ? HOTPATH_CLOCK_SOURCE_TSC : HOTPATH_CLOCK_SOURCE_MONOTONIC;
#else
      clock_source = HOTPATH_CLOCK_SOURCE_MONOTONIC;
#endif
    }

  clock_start = read_pair ();
  calibration_last = clock_start;
  calibration_ns_per_tick = 1.0;
}

HotpathClockSource
hotpath_clock_get_source (void)
{
  return clock_source;
}

const char *
hotpath_clock_source_to_string (HotpathClockSource source)
{
  switch (source)
    {
    case HOTPATH_CLOCK_SOURCE_TSC:
      return "tsc";
    case HOTPATH_CLOCK_SOURCE_MONOTONIC:
      return "monotonic";
    case HOTPATH_CLOCK_SOURCE_FAKE:
      return "fake";
    default:
      g_return_val_if_reached ("unknown");
    }
}

guint64
hotpath_clock_now_ns (void)
{
  if (clock_source == HOTPATH_CLOCK_SOURCE_FAKE)
    return hotpath_clock_read_slow ();
  return monotonic_ns ();
}

/* Recomputes the tick rate over the longest span we have: from the start of
 * the session to now. A span under 2 ms is stretched by waiting, which only
 * happens when a program reports right after it starts. Called once per
 * snapshot; conversions in between use the cached ratio. */
double
hotpath_clock_calibrate (void)
{
  ClockPair now;

  if (clock_source != HOTPATH_CLOCK_SOURCE_TSC)
    return 1.0;

  g_mutex_lock (&calibration_lock);

  do
    now = read_pair ();
  while (now.ns - clock_start.ns < 2 * 1000 * 1000);

  if (now.ticks > clock_start.ticks && now.ns > calibration_last.ns)
    {
      double ns_per_tick = (double) (now.ns - clock_start.ns) / (double) (now.ticks - clock_start.ticks);

      __atomic_store (&calibration_ns_per_tick, &ns_per_tick, __ATOMIC_RELAXED);
      calibration_last = now;
    }

  g_mutex_unlock (&calibration_lock);

  return calibration_ns_per_tick;
}

double
hotpath_clock_get_ticks_per_second (void)
{
  double ns_per_tick;

  g_mutex_lock (&calibration_lock);
  ns_per_tick = calibration_ns_per_tick;
  g_mutex_unlock (&calibration_lock);

  return 1e9 / ns_per_tick;
}

guint64
hotpath_clock_ticks_to_ns (guint64 ticks)
{
  if (clock_source != HOTPATH_CLOCK_SOURCE_TSC)
    return ticks;

  double ns_per_tick;

  __atomic_load (&calibration_ns_per_tick, &ns_per_tick, __ATOMIC_RELAXED);
  return (guint64) ((double) ticks * ns_per_tick + 0.5);
}

/* A timestamp in ticks, as nanoseconds on the CLOCK_MONOTONIC time line. */
guint64
hotpath_clock_ticks_since_start_to_ns (guint64 ticks)
{
  if (clock_source != HOTPATH_CLOCK_SOURCE_TSC)
    return ticks;

  if (ticks < clock_start.ticks)
    return clock_start.ns;

  return clock_start.ns + hotpath_clock_ticks_to_ns (ticks - clock_start.ticks);
}

void
hotpath_clock_use_fake (guint64 start_ns)
{
  clock_source = HOTPATH_CLOCK_SOURCE_FAKE;
  fake_now_ns = start_ns;
  clock_start = (ClockPair) { start_ns, start_ns };
  /* Fake ticks are nanoseconds: drop a TSC rate calibrated before, or
   * snapshots would report it as ticks_per_second. */
  g_mutex_lock (&calibration_lock);
  calibration_last = clock_start;
  calibration_ns_per_tick = 1.0;
  g_mutex_unlock (&calibration_lock);
}

void
hotpath_clock_fake_advance (guint64 ns)
{
  __atomic_fetch_add (&fake_now_ns, ns, __ATOMIC_RELAXED);
}

void
hotpath_clock_use_real (void)
{
  clock_source = HOTPATH_CLOCK_SOURCE_MONOTONIC;
  hotpath_clock_init ();
}
