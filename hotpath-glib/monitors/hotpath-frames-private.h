/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The frames section: one row per GTK frame clock (one per toplevel
 * surface). Fed by `hotpath run`'s preload, which hooks the clocks GDK
 * makes; nothing here knows GTK. */
typedef struct _HotpathFrameClock HotpathFrameClock;

typedef enum
{
  HOTPATH_FRAMES_EVENT_FRAME,   /* before-paint to after-paint; extra: late by, in µs */
  HOTPATH_FRAMES_EVENT_LAYOUT,  /* the layout phase */
  HOTPATH_FRAMES_EVENT_PAINT,   /* the paint phase */
  HOTPATH_FRAMES_N_EVENTS,
} HotpathFramesEvent;

/* Never freed: a program has a few clocks, and events may still be in
 * flight to the worker when a surface goes. Thread-safe. */
HotpathFrameClock *hotpath_frames_clock_new         (void);
void               hotpath_frames_clock_set_refresh (HotpathFrameClock  *clock,
                                                     guint64             refresh_ns);
/* On the clock's thread: one phase or frame, in clock ticks. */
void               hotpath_frames_record            (HotpathFrameClock  *clock,
                                                     HotpathFramesEvent  event,
                                                     guint64             start,
                                                     guint64             end,
                                                     guint32             late_us);

G_END_DECLS
