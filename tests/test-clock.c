/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-clock.c: which clock a session reads, on machines other than this one.
 *
 * The choice reads the kernel's clocksource from sysfs, asks CPUID whether
 * the TSC is invariant and, under a paravirtual clocksource (kvm-clock,
 * Hyper-V's TSC page), checks the TSC against CLOCK_MONOTONIC. A probe
 * replaces all three, so these cases play a KVM guest, a Hyper-V guest,
 * bare metal and broken TSCs wherever the suite runs. The TSC the check
 * reads is a function of CLOCK_MONOTONIC: steady, speeding up, or jumping
 * between reads as unsynchronized CPUs would.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "hotpath.h"
#include "hotpath-clock-private.h"
#include "hotpath-collector-private.h"
#include "hotpath-report-private.h"
#include "hotpath-snapshot-private.h"

#include "hotpath-test-schema.h"
#include "hotpath-test-report.h"

static guint64
monotonic_ns (void)
{
  return (guint64) g_get_monotonic_time () * 1000;
}

/* Fake TSCs for the agreement check. g_get_monotonic_time() has a 1 µs
 * grain; over the check's millisecond intervals that is 0.1% at worst, so
 * the steady one reads CLOCK_MONOTONIC itself. */
static guint64
steady_tsc (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ((guint64) ts.tv_sec * G_GUINT64_CONSTANT (1000000000) + (guint64) ts.tv_nsec) * 3 + 12345;
}

static guint64 speeding_start;

/* Its rate grows by 10% a millisecond. */
static guint64
speeding_tsc (void)
{
  guint64 now = monotonic_ns ();
  double ns;

  if (speeding_start == 0)
    speeding_start = now;
  ns = (double) (now - speeding_start);
  return (guint64) (ns + ns * ns / 2e7) + 1;
}

static guint n_jumping_reads;

/* Every other clock pairing (five reads) lands on a CPU whose count is
 * half a millisecond ahead. */
static guint64
jumping_tsc (void)
{
  guint64 offset = (n_jumping_reads++ / 5) % 2 ? 500000 : 0;

  return monotonic_ns () + offset;
}

static guint64
stopped_tsc (void)
{
  return 42;
}

typedef struct
{
  char *dir;
  char *clocksource_path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("hotpath-test-clock-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->clocksource_path = g_build_filename (f->dir, "current_clocksource", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  hotpath_clock_set_probe (NULL);
  hotpath_clock_use_real ();
  g_unlink (f->clocksource_path);
  g_rmdir (f->dir);
  g_free (f->clocksource_path);
  g_free (f->dir);
}

/* Plays a machine whose kernel uses @clocksource (NULL: no sysfs file). */
static void
play (Fixture    *f,
      const char *clocksource,
      int         tsc_invariant,
      guint64   (*read_tsc) (void))
{
  HotpathClockProbe probe = { f->clocksource_path, tsc_invariant, read_tsc };

  if (clocksource != NULL)
    {
      g_autofree char *contents = g_strconcat (clocksource, "\n", NULL);

      g_assert_true (g_file_set_contents (f->clocksource_path, contents, -1, NULL));
    }
  else
    g_unlink (f->clocksource_path);

  hotpath_clock_set_probe (&probe);
}

static gboolean
have_tsc (void)
{
#if defined (__x86_64__) || defined (__i386__)
  return TRUE;
#else
  g_test_skip ("no TSC on this architecture");
  return FALSE;
#endif
}

static HotpathSnapshot *
take_snapshot (void)
{
  g_autoptr(GArray) percentiles = g_array_new (FALSE, FALSE, sizeof (double));
  double p50 = 50;

  g_array_append_val (percentiles, p50);
  return hotpath_collector_snapshot ("test-clock", percentiles, 0);
}

static void
assert_choice (HotpathClockSource  expected,
               const char         *reason_part)
{
  const char *reason = NULL;

  g_assert_cmpint (hotpath_clock_choose (&reason), ==, expected);
  g_assert_nonnull (reason);
  if (strstr (reason, reason_part) == NULL)
    g_error ("reason \"%s\" does not mention \"%s\"", reason, reason_part);
}

/* A KVM guest as CI runners are: kvm-clock, an invariant TSC that agrees. */
static void
test_clock_kvm_agreeing (Fixture       *f,
                         gconstpointer  data)
{
  if (!have_tsc ())
    return;

  play (f, "kvm-clock", 1, steady_tsc);
  assert_choice (HOTPATH_CLOCK_SOURCE_TSC, "agrees with CLOCK_MONOTONIC");
  assert_choice (HOTPATH_CLOCK_SOURCE_TSC, "kvm-clock");

  /* A session started there reads the TSC on the inline path. */
  g_assert_true (hotpath_collector_start (10));
  g_assert_cmpint (hotpath_clock_get_source (), ==, HOTPATH_CLOCK_SOURCE_TSC);
  g_assert_cmpint (hotpath_recording & ~HOTPATH_RECORDING_ALLOC, ==, HOTPATH_RECORDING_TSC);
  g_assert_cmpstr (hotpath_clock_get_kernel_clocksource (), ==, "kvm-clock");
  g_assert_nonnull (strstr (hotpath_clock_get_reason (), "agrees"));
  hotpath_collector_stop ();
}

static void
test_clock_hyperv_agreeing (Fixture       *f,
                            gconstpointer  data)
{
  if (!have_tsc ())
    return;

  play (f, "hyperv_clocksource_tsc_page", 1, steady_tsc);
  assert_choice (HOTPATH_CLOCK_SOURCE_TSC, "hyperv_clocksource_tsc_page");
}

/* The same guest with a TSC whose rate changes: CLOCK_MONOTONIC. */
static void
test_clock_kvm_speeding (Fixture       *f,
                         gconstpointer  data)
{
  if (!have_tsc ())
    return;

  speeding_start = 0;
  play (f, "kvm-clock", 1, speeding_tsc);
  assert_choice (HOTPATH_CLOCK_SOURCE_MONOTONIC, "disagrees with CLOCK_MONOTONIC");

  g_assert_true (hotpath_collector_start (10));
  g_assert_cmpint (hotpath_clock_get_source (), ==, HOTPATH_CLOCK_SOURCE_MONOTONIC);
  g_assert_cmpint (hotpath_recording & ~HOTPATH_RECORDING_ALLOC, ==, HOTPATH_RECORDING_CLOCK);
  g_assert_nonnull (strstr (hotpath_clock_get_reason (), "kvm-clock"));
  hotpath_collector_stop ();
}

/* Counts that differ between CPUs. */
static void
test_clock_kvm_jumping (Fixture       *f,
                        gconstpointer  data)
{
  double error = 0;

  if (!have_tsc ())
    return;

  n_jumping_reads = 0;
  play (f, "kvm-clock", 1, jumping_tsc);
  g_assert_false (hotpath_clock_tsc_agrees (&error));
  g_assert_cmpfloat (error, >, 0.01);
  assert_choice (HOTPATH_CLOCK_SOURCE_MONOTONIC, "disagrees");
}

static void
test_clock_kvm_stopped (Fixture       *f,
                        gconstpointer  data)
{
  if (!have_tsc ())
    return;

  play (f, "kvm-clock", 1, stopped_tsc);
  assert_choice (HOTPATH_CLOCK_SOURCE_MONOTONIC, "does not advance");
}

/* No invariant TSC: no check, whatever the clocksource. */
static void
test_clock_not_invariant (Fixture       *f,
                          gconstpointer  data)
{
  if (!have_tsc ())
    return;

  play (f, "kvm-clock", 0, steady_tsc);
  assert_choice (HOTPATH_CLOCK_SOURCE_MONOTONIC, "not invariant");
  play (f, "tsc", 0, steady_tsc);
  assert_choice (HOTPATH_CLOCK_SOURCE_MONOTONIC, "not invariant");
}

/* Bare metal: the kernel's own choice of the TSC is enough; the check is
 * not run (this TSC would fail it). */
static void
test_clock_kernel_tsc (Fixture       *f,
                       gconstpointer  data)
{
  if (!have_tsc ())
    return;

  play (f, "tsc", 1, stopped_tsc);
  assert_choice (HOTPATH_CLOCK_SOURCE_TSC, "the kernel uses as its clocksource");
}

/* A kernel that switched to the HPET dropped a TSC it found unstable. */
static void
test_clock_kernel_hpet (Fixture       *f,
                        gconstpointer  data)
{
  if (!have_tsc ())
    return;

  play (f, "hpet", 1, steady_tsc);
  assert_choice (HOTPATH_CLOCK_SOURCE_MONOTONIC, "hpet");
  play (f, "acpi_pm", 1, steady_tsc);
  assert_choice (HOTPATH_CLOCK_SOURCE_MONOTONIC, "acpi_pm");
}

static void
test_clock_no_sysfs (Fixture       *f,
                     gconstpointer  data)
{
  if (!have_tsc ())
    return;

  play (f, NULL, 1, stopped_tsc);
  assert_choice (HOTPATH_CLOCK_SOURCE_TSC, "unknown");
  g_assert_true (hotpath_collector_start (10));
  g_assert_null (hotpath_clock_get_kernel_clocksource ());
  hotpath_collector_stop ();
}

/* HOTPATH_CLOCK beats the choice, and the reason says so. */
static void
test_clock_forced (Fixture       *f,
                   gconstpointer  data)
{
  if (!have_tsc ())
    return;

  play (f, "kvm-clock", 1, steady_tsc);
  g_setenv ("HOTPATH_CLOCK", "monotonic", TRUE);
  hotpath_clock_init ();
  g_assert_cmpint (hotpath_clock_get_source (), ==, HOTPATH_CLOCK_SOURCE_MONOTONIC);
  g_assert_cmpstr (hotpath_clock_get_reason (), ==, "HOTPATH_CLOCK=monotonic");
  g_assert_cmpstr (hotpath_clock_get_kernel_clocksource (), ==, "kvm-clock");

  g_setenv ("HOTPATH_CLOCK", "tsc", TRUE);
  hotpath_clock_init ();
  g_assert_cmpint (hotpath_clock_get_source (), ==, HOTPATH_CLOCK_SOURCE_TSC);
  g_assert_cmpstr (hotpath_clock_get_reason (), ==, "HOTPATH_CLOCK=tsc");
  g_unsetenv ("HOTPATH_CLOCK");
}

/* This machine's own TSC, when it is invariant, agrees with the kernel. */
static void
test_clock_real_agreement (void)
{
  double error = 1;

#if defined (__x86_64__) || defined (__i386__)
  if (!hotpath_clock_tsc_is_invariant ())
    {
      g_test_skip ("this TSC is not invariant");
      return;
    }
  g_assert_true (hotpath_clock_tsc_agrees (&error));
  g_assert_cmpfloat (error, <=, 0.001);
#else
  g_assert_false (hotpath_clock_tsc_agrees (&error));
#endif
}

/* The report's clock object says which clock and why, and validates. */
static void
test_clock_report (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(JsonNode) clock = NULL;
  g_autofree char *json = NULL;
  JsonObject *object;

  if (!have_tsc ())
    return;

  play (f, "kvm-clock", 1, steady_tsc);
  g_assert_true (hotpath_collector_start (10));
  snapshot = take_snapshot ();
  hotpath_collector_stop ();

  clock = hotpath_test_clock_json (snapshot);
  object = json_node_get_object (clock);
  g_assert_cmpstr (json_object_get_string_member (object, "source"), ==, "tsc");
  g_assert_cmpstr (json_object_get_string_member (object, "kernel_clocksource"), ==, "kvm-clock");
  g_assert_nonnull (strstr (json_object_get_string_member (object, "reason"), "agrees"));

  json = hotpath_snapshot_to_json (snapshot, FALSE);
  hotpath_test_assert_valid_json (json, NULL);
  g_assert_nonnull (strstr (json, "\"kernel_clocksource\":\"kvm-clock\""));

  /* Without sysfs the field is null, and still valid. */
  g_clear_pointer (&snapshot, hotpath_snapshot_unref);
  g_clear_pointer (&json, g_free);
  play (f, NULL, 1, steady_tsc);
  g_assert_true (hotpath_collector_start (10));
  snapshot = take_snapshot ();
  hotpath_collector_stop ();
  json = hotpath_snapshot_to_json (snapshot, FALSE);
  hotpath_test_assert_valid_json (json, NULL);
  g_assert_nonnull (strstr (json, "\"kernel_clocksource\":null"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("HOTPATH_CLOCK");

#define ADD(path, func) \
  g_test_add ("/Hotpath/Clock/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("kvm-clock-agreeing", test_clock_kvm_agreeing);
  ADD ("hyperv-agreeing", test_clock_hyperv_agreeing);
  ADD ("kvm-clock-speeding", test_clock_kvm_speeding);
  ADD ("kvm-clock-jumping", test_clock_kvm_jumping);
  ADD ("kvm-clock-stopped", test_clock_kvm_stopped);
  ADD ("not-invariant", test_clock_not_invariant);
  ADD ("kernel-tsc", test_clock_kernel_tsc);
  ADD ("kernel-hpet", test_clock_kernel_hpet);
  ADD ("no-sysfs", test_clock_no_sysfs);
  ADD ("forced", test_clock_forced);
  ADD ("report", test_clock_report);
#undef ADD
  g_test_add_func ("/Hotpath/Clock/real-agreement", test_clock_real_agreement);

  return g_test_run ();
}
