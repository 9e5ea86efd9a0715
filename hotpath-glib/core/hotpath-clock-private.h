/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  HOTPATH_CLOCK_SOURCE_TSC,
  HOTPATH_CLOCK_SOURCE_MONOTONIC,
  HOTPATH_CLOCK_SOURCE_FAKE,
} HotpathClockSource;

/* What the automatic choice reads, replaceable by tests to play another
 * machine: a file in place of sysfs' current_clocksource, what CPUID says
 * about the TSC (-1: ask CPUID), and the TSC the agreement check reads
 * (NULL: rdtsc). A measured call always reads the real TSC. */
typedef struct
{
  const char *clocksource_path;
  int         tsc_invariant;
  guint64   (*read_tsc) (void);
} HotpathClockProbe;

void               hotpath_clock_init                 (void);
HotpathClockSource hotpath_clock_choose               (const char **reason);
const char        *hotpath_clock_get_reason           (void);
const char        *hotpath_clock_get_kernel_clocksource (void);
gboolean           hotpath_clock_tsc_agrees           (double      *error_out);
void               hotpath_clock_set_probe            (const HotpathClockProbe *probe);
HotpathClockSource hotpath_clock_get_source           (void);
const char        *hotpath_clock_source_to_string     (HotpathClockSource source);
gboolean           hotpath_clock_tsc_is_invariant     (void);
gboolean           hotpath_clock_kernel_trusts_tsc    (void);
guint64            hotpath_clock_now_ns               (void);
double             hotpath_clock_calibrate            (void);
double             hotpath_clock_get_ticks_per_second (void);
guint64            hotpath_clock_ticks_to_ns          (guint64 ticks);
guint64            hotpath_clock_ticks_since_start_to_ns (guint64 ticks);

/* Tests: a clock that only moves when told. Ticks are nanoseconds. */
void               hotpath_clock_use_fake             (guint64 start_ns);
void               hotpath_clock_fake_advance         (guint64 ns);
void               hotpath_clock_use_real             (void);

G_END_DECLS
