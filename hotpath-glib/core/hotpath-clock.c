/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-clock.c: the clock every measurement reads.
 *
 * On x86 with an invariant TSC (constant rate, runs in every C-state) a
 * measured call reads `rdtsc` twice: about 10 ns per read, against 25 ns
 * for clock_gettime(), which is rdtsc plus an ordering fence, a seqlock and
 * scaling (or, on kvm-clock, the pvclock page as well). The TSC is used
 * when the kernel's clocksource is `tsc`, and also when it is a paravirtual
 * clock (`kvm-clock`, `hyperv_clocksource_tsc_page`) that KVM and Hyper-V
 * guests keep even over an invariant TSC, provided a short check finds the
 * TSC's rate steady against CLOCK_MONOTONIC. Any other clocksource (hpet,
 * acpi_pm) means the kernel dropped a TSC it found unstable, and so do we.
 * Ticks become nanoseconds only when a snapshot is taken, using a ratio
 * calibrated against CLOCK_MONOTONIC over the whole run so far, so the
 * longer a program runs the more exact the ratio becomes.
 *
 * Anywhere else, or with HOTPATH_CLOCK=monotonic, ticks are CLOCK_MONOTONIC
 * nanoseconds. Which clock, and why, is kept as a sentence for the report's
 * `clock` object and /profiler_status.
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

/* How far the TSC may disagree with CLOCK_MONOTONIC in the start-up check:
 * the accuracy the benchmarks hold the clock to. */
#define AGREEMENT_LIMIT 0.001
/* Each interval of the check; the pairs' read windows (tens of ns) are
 * then a few 1e-5 of it. */
#define AGREEMENT_INTERVAL_US 1000
#define AGREEMENT_ATTEMPTS 3

#define SYSFS_CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/current_clocksource"

static HotpathClockSource clock_source = HOTPATH_CLOCK_SOURCE_MONOTONIC;
static const char        *clock_reason;            /* interned */
static const char        *kernel_clocksource;      /* interned, NULL when unknown */

/* What the automatic choice found, computed once per probe: the check
 * sleeps a few milliseconds and the machine does not change. */
static GMutex             choice_lock;
static gboolean           choice_done;
static HotpathClockSource choice_source;
static const char        *choice_reason;
static const char        *choice_kernel_clocksource;
static HotpathClockProbe  probe = { NULL, -1, NULL };
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

#if defined (__x86_64__) || defined (__i386__)
static guint64
read_rdtsc (void)
{
  return __builtin_ia32_rdtsc ();
}
#endif

/* The TSC read is paired with the middle of the two monotonic reads around
 * it; of a few tries the one with the narrowest window wins, which keeps a
 * preemption between the reads from skewing the ratio. */
static ClockPair
read_pair_with (guint64 (*read_ticks) (void),
                guint64  *window_out)
{
  ClockPair best = { 0, 0 };
  guint64 best_window = G_MAXUINT64;

  for (guint i = 0; i < 5; i++)
    {
      guint64 before = monotonic_ns ();
      guint64 ticks = read_ticks ();
      guint64 after = monotonic_ns ();

      if (after - before < best_window)
        {
          best_window = after - before;
          best.ticks = ticks;
          best.ns = before + (after - before) / 2;
        }
    }

  if (window_out != NULL)
    *window_out = best_window;
  return best;
}

static ClockPair
read_pair (void)
{
  if (clock_source != HOTPATH_CLOCK_SOURCE_TSC)
    {
      guint64 now = hotpath_clock_read_slow ();
      return (ClockPair) { now, now };
    }

  return read_pair_with (hotpath_clock_read_slow, NULL);
}

gboolean
hotpath_clock_tsc_is_invariant (void)
{
  if (probe.tsc_invariant >= 0)
    return probe.tsc_invariant != 0;
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

/* The kernel's current clocksource ("tsc", "kvm-clock", ...), interned, or
 * NULL without sysfs. */
static const char *
read_kernel_clocksource (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (probe.clocksource_path ? probe.clocksource_path : SYSFS_CLOCKSOURCE,
                            &contents, NULL, NULL))
    return NULL;

  g_strstrip (contents);
  if (contents[0] == '\0' || strlen (contents) > 64)
    return NULL;
  for (const char *c = contents; *c; c++)
    if (!g_ascii_isgraph (*c))
      return NULL;

  return g_intern_string (contents);
}

/**
 * hotpath_clock_kernel_trusts_tsc:
 *
 * Whether the kernel's own clocksource is the TSC, or unknown (no sysfs).
 * The kernel watches the TSC against other clocks and switches its
 * clocksource away from it when it finds it unstable (unsynchronized
 * sockets, a migrating VM).
 *
 * Returns: %TRUE if the kernel uses the TSC or we cannot tell
 */
gboolean
hotpath_clock_kernel_trusts_tsc (void)
{
  const char *current = read_kernel_clocksource ();

  return current == NULL || g_str_has_prefix (current, "tsc");
}

/* Paravirtual clocksources that hypervisors give their guests in place of
 * the TSC even when the TSC is invariant: their choice says nothing about
 * the TSC, so a check decides. */
static gboolean
is_paravirt_clocksource (const char *name)
{
  return g_strcmp0 (name, "kvm-clock") == 0 ||
         g_strcmp0 (name, "hyperv_clocksource_tsc_page") == 0;
}

/**
 * hotpath_clock_tsc_agrees:
 * @error_out: (out) (optional): the smallest relative disagreement found
 *
 * The start-up check: calibrates the TSC against CLOCK_MONOTONIC over one
 * interval of about a millisecond and predicts the next one from it. A TSC
 * that keeps one rate and one count across the CPUs the thread runs on
 * (it sleeps in between, so it may move) agrees within a few 1e-5; one that
 * changes rate or jumps does not. A few attempts, so that a preemption
 * while pairing the clocks cannot make a good TSC fail.
 *
 * Returns: %TRUE if an attempt agreed within 0.1%
 */
gboolean
hotpath_clock_tsc_agrees (double *error_out)
{
  guint64 (*read_ticks) (void) = probe.read_tsc;
  double best = G_MAXDOUBLE;

#if defined (__x86_64__) || defined (__i386__)
  if (read_ticks == NULL)
    read_ticks = read_rdtsc;
#endif

  if (read_ticks == NULL)
    {
      if (error_out != NULL)
        *error_out = best;
      return FALSE;
    }

  for (guint attempt = 0; attempt < AGREEMENT_ATTEMPTS && best > AGREEMENT_LIMIT; attempt++)
    {
      ClockPair p0, p1, p2;
      double ns_per_tick, predicted, error;

      p0 = read_pair_with (read_ticks, NULL);
      g_usleep (AGREEMENT_INTERVAL_US);
      p1 = read_pair_with (read_ticks, NULL);
      g_usleep (AGREEMENT_INTERVAL_US);
      p2 = read_pair_with (read_ticks, NULL);

      /* A count that stands still or runs backwards disagrees outright. */
      if (p1.ticks <= p0.ticks || p2.ticks <= p1.ticks || p1.ns <= p0.ns || p2.ns <= p1.ns)
        continue;

      ns_per_tick = (double) (p1.ns - p0.ns) / (double) (p1.ticks - p0.ticks);
      predicted = (double) (p2.ticks - p1.ticks) * ns_per_tick;
      error = (predicted - (double) (p2.ns - p1.ns)) / (double) (p2.ns - p1.ns);
      best = MIN (best, ABS (error));
    }

  if (error_out != NULL)
    *error_out = best;
  return best <= AGREEMENT_LIMIT;
}

/* The automatic choice, without HOTPATH_CLOCK. */
static HotpathClockSource
choose (const char **reason,
        const char **kernel_out)
{
  const char *kernel = read_kernel_clocksource ();
  double error = 0;

  *kernel_out = kernel;

#if defined (__x86_64__) || defined (__i386__)
  if (!hotpath_clock_tsc_is_invariant ())
    {
      *reason = "the TSC is not invariant (CPUID 80000007H:EDX[8] is clear)";
      return HOTPATH_CLOCK_SOURCE_MONOTONIC;
    }

  if (kernel == NULL)
    {
      *reason = "invariant TSC; the kernel's clocksource is unknown (no sysfs)";
      return HOTPATH_CLOCK_SOURCE_TSC;
    }

  if (g_str_has_prefix (kernel, "tsc"))
    {
      *reason = g_intern_static_string ("invariant TSC, which the kernel uses as its clocksource");
      return HOTPATH_CLOCK_SOURCE_TSC;
    }

  if (!is_paravirt_clocksource (kernel))
    {
      g_autofree char *text = g_strdup_printf ("the kernel's clocksource is %s: it dropped or "
                                               "never used the TSC", kernel);
      *reason = g_intern_string (text);
      return HOTPATH_CLOCK_SOURCE_MONOTONIC;
    }

  if (hotpath_clock_tsc_agrees (&error))
    {
      g_autofree char *text = g_strdup_printf ("invariant TSC, which agrees with CLOCK_MONOTONIC "
                                               "(%.4f%%) under the kernel's %s",
                                               error * 100, kernel);
      *reason = g_intern_string (text);
      return HOTPATH_CLOCK_SOURCE_TSC;
    }
  else
    {
      g_autofree char *text = NULL;

      if (error == G_MAXDOUBLE)
        text = g_strdup_printf ("the invariant TSC does not advance steadily against "
                                "CLOCK_MONOTONIC (kernel clocksource %s)", kernel);
      else
        text = g_strdup_printf ("the invariant TSC disagrees with CLOCK_MONOTONIC by %.3f%% "
                                "(kernel clocksource %s)", error * 100, kernel);
      *reason = g_intern_string (text);
      return HOTPATH_CLOCK_SOURCE_MONOTONIC;
    }
#else
  *reason = "no TSC on this architecture";
  return HOTPATH_CLOCK_SOURCE_MONOTONIC;
#endif
}

/**
 * hotpath_clock_choose:
 * @reason: (out) (optional): why, as a sentence (interned)
 *
 * The clock hotpath_clock_init() picks when HOTPATH_CLOCK is not set. The
 * first call may take a few milliseconds (the agreement check); the result
 * is kept until the probe changes.
 *
 * Returns: the automatic clock source
 */
HotpathClockSource
hotpath_clock_choose (const char **reason)
{
  HotpathClockSource source;

  g_mutex_lock (&choice_lock);
  if (!choice_done)
    {
      choice_source = choose (&choice_reason, &choice_kernel_clocksource);
      choice_reason = g_intern_string (choice_reason);
      choice_done = TRUE;
    }
  source = choice_source;
  if (reason != NULL)
    *reason = choice_reason;
  g_mutex_unlock (&choice_lock);

  return source;
}

/**
 * hotpath_clock_set_probe:
 * @new_probe: (nullable): what to read instead of the machine, or %NULL
 *
 * Tests: pretend another machine (a kernel clocksource file, what CPUID says,
 * a TSC to check). Forgets the automatic choice made so far.
 */
void
hotpath_clock_set_probe (const HotpathClockProbe *new_probe)
{
  g_mutex_lock (&choice_lock);
  if (new_probe != NULL)
    probe = *new_probe;
  else
    probe = (HotpathClockProbe) { NULL, -1, NULL };
  choice_done = FALSE;
  g_mutex_unlock (&choice_lock);
}

const char *
hotpath_clock_get_reason (void)
{
  return clock_reason != NULL ? clock_reason : "not started";
}

const char *
hotpath_clock_get_kernel_clocksource (void)
{
  return kernel_clocksource;
}

void
hotpath_clock_init (void)
{
  static const char * const accepted[] = { "tsc", "monotonic", NULL };
  int forced = hotpath_env_get_choice ("HOTPATH_CLOCK", accepted, -1);
  const char *automatic_reason = NULL;
  HotpathClockSource automatic;

  if (clock_source == HOTPATH_CLOCK_SOURCE_FAKE)
    return;

  /* Asked for monotonic, the check is not needed. */
  if (forced == 1)
    {
      clock_source = HOTPATH_CLOCK_SOURCE_MONOTONIC;
      clock_reason = g_intern_static_string ("HOTPATH_CLOCK=monotonic");
      kernel_clocksource = read_kernel_clocksource ();
      goto done;
    }

  automatic = hotpath_clock_choose (&automatic_reason);
  g_mutex_lock (&choice_lock);
  kernel_clocksource = choice_kernel_clocksource;
  g_mutex_unlock (&choice_lock);

  if (forced == 0)
    {
#if defined (__x86_64__) || defined (__i386__)
      if (automatic != HOTPATH_CLOCK_SOURCE_TSC)
        {
          g_autofree char *text = g_strdup_printf ("HOTPATH_CLOCK=tsc, although %s", automatic_reason);

          g_message ("HOTPATH_CLOCK=tsc: this TSC is not invariant or the kernel "
                     "does not use it; timings may drift");
          clock_reason = g_intern_string (text);
        }
      else
        clock_reason = g_intern_static_string ("HOTPATH_CLOCK=tsc");
      clock_source = HOTPATH_CLOCK_SOURCE_TSC;
#else
      g_message ("HOTPATH_CLOCK=tsc: no TSC on this machine; using monotonic");
      clock_source = HOTPATH_CLOCK_SOURCE_MONOTONIC;
      clock_reason = g_intern_static_string ("HOTPATH_CLOCK=tsc, but there is no TSC on this architecture");
#endif
    }
  else
    {
      clock_source = automatic;
      clock_reason = automatic_reason;
    }

done:

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
  clock_reason = g_intern_static_string ("a fake clock (tests)");
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
