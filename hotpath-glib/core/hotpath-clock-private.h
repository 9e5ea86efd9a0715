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

void               hotpath_clock_init                 (void);
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
