/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib.h>

#include "hotpath-version-macros.h"
#include "hotpath-site.h"

G_BEGIN_DECLS

/**
 * HotpathRecording:
 * @HOTPATH_RECORDING_OFF: no profiling session is running
 * @HOTPATH_RECORDING_TSC: recording, timestamps come from the invariant TSC
 * @HOTPATH_RECORDING_CLOCK: recording, timestamps come from hotpath_clock_read_slow()
 * @HOTPATH_RECORDING_ALLOC: a flag added to TSC or CLOCK when allocations are
 *   tracked too (libhotpath-glib-alloc-1 is loaded)
 *
 * What a measured scope does when it starts. Read on every measured call,
 * written only when a session starts or stops. Only the plain TSC value takes
 * the inline fast path; everything else calls hotpath_scope_begin_slow().
 */
typedef enum
{
  HOTPATH_RECORDING_OFF = 0,
  HOTPATH_RECORDING_TSC = 1,
  HOTPATH_RECORDING_CLOCK = 2,
  HOTPATH_RECORDING_ALLOC = 4,
} HotpathRecording;

/**
 * HotpathScope:
 * @site: the site being measured, or %NULL when nothing is recorded
 * @start: the start timestamp in clock ticks
 *
 * A measurement in progress; lives on the measured function's stack.
 */
typedef struct _HotpathScope
{
  const HotpathSite *site;
  guint64            start;
} HotpathScope;

HOTPATH_AVAILABLE_IN_ALL
int     hotpath_recording;

HOTPATH_AVAILABLE_IN_ALL
guint64 hotpath_clock_read_slow (void);
HOTPATH_AVAILABLE_IN_ALL
void    hotpath_scope_end       (const HotpathScope *scope);
HOTPATH_AVAILABLE_IN_ALL
HotpathScope hotpath_scope_begin_slow (const HotpathSite *site);

/* The inline helpers below are no_instrument_function so that measure-all
 * targets (-finstrument-functions) do not measure the profiler itself. */

/**
 * hotpath_clock_read:
 *
 * Reads the profiler's clock in ticks. On x86 with an invariant TSC this is
 * one `rdtsc`; elsewhere it is `clock_gettime (CLOCK_MONOTONIC)` in ns.
 *
 * Returns: the current timestamp in ticks
 */
static inline __attribute__((no_instrument_function)) guint64
hotpath_clock_read (void)
{
#if defined (__x86_64__) || defined (__i386__)
  /* Written by the session's thread: a relaxed atomic load, which is the
   * same single mov as a plain read, and no data race for TSan. */
  if (G_LIKELY (__atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) == HOTPATH_RECORDING_TSC))
    return __builtin_ia32_rdtsc ();
#endif
  return hotpath_clock_read_slow ();
}

static inline __attribute__((no_instrument_function)) HotpathScope
hotpath_scope_begin (const HotpathSite *site)
{
  HotpathScope scope;
  int recording = __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED);

#if defined (__x86_64__) || defined (__i386__)
  if (G_LIKELY (recording == HOTPATH_RECORDING_TSC))
    {
      scope.site = site;
      scope.start = __builtin_ia32_rdtsc ();
      return scope;
    }
#endif

  if (recording == HOTPATH_RECORDING_OFF)
    {
      scope.site = NULL;
      scope.start = 0;
      return scope;
    }

  /* The clock fallback, or allocation tracking. */
  return hotpath_scope_begin_slow (site);
}

static inline __attribute__((no_instrument_function)) void
hotpath_scope_cleanup (const HotpathScope *scope)
{
  if (scope->site != NULL)
    hotpath_scope_end (scope);
}

/* One static site per call site, made inside a statement expression so that
 * every macro stays a single declaration or statement. */
#define _HOTPATH_SITE(label_) \
  __extension__ ({ static HotpathSite hotpath_site_ = { G_LOG_DOMAIN, __func__, (label_), __FILE__, __LINE__, 0 }; \
     &hotpath_site_; })

#define _HOTPATH_SCOPE(var_, label_) \
  G_GNUC_UNUSED __attribute__((cleanup (hotpath_scope_cleanup))) \
  HotpathScope var_ = hotpath_scope_begin (_HOTPATH_SITE (label_))

G_END_DECLS
