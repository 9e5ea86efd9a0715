/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "hotpath-alloc-core-private.h"
#include "hotpath-measure.h"
#include "hotpath-snapshot.h"

G_BEGIN_DECLS

/* What a finished measurement leaves in its thread's buffer. */
typedef enum
{
  HOTPATH_EVENT_SITE,     /* key is a HotpathSite */
  HOTPATH_EVENT_ADDRESS,  /* key is a function address (measure-all) */
  HOTPATH_EVENT_ALLOC,    /* a HotpathAllocEvent: what the event before it allocated */
  HOTPATH_EVENT_ALLOC_PACKED, /* a HotpathAllocPackedEvent: a site's timing and
                               * allocations in one slot (low 8 bits of kind) */
  HOTPATH_EVENT_ALLOC_PACKED_ADDRESS, /* the same for a function address */
  HOTPATH_EVENT_FUNCTION,       /* measure-all: key is a HotpathFunctionSlot, reserved
                                 * the call's self ticks (G_MAXUINT32: see the
                                 * HOTPATH_EVENT_SELF after it); an outermost call */
  HOTPATH_EVENT_FUNCTION_INNER, /* the same for a call inside another call of
                                 * the same function on the same thread */
  HOTPATH_EVENT_SELF,           /* start: the self ticks of the event before it */
  /* Kinds from HOTPATH_EVENT_FIRST_SECTION_KIND (16) to 255 belong to the
   * registered sections: hotpath-registry.c hands them out. */
} HotpathEventKind;

/* HotpathEvent.reserved, for SITE and ADDRESS events */
#define HOTPATH_EVENT_FLAG_NO_ALLOC 1u  /* allocations tracked: the call made none */

typedef struct
{
  gconstpointer key;
  guint64       start;
  guint64       end;
  guint32       kind;
  guint32       reserved;  /* SITE and ADDRESS: HOTPATH_EVENT_FLAG_*; section
                            * kinds: their 32-bit payload */
} HotpathEvent;

G_STATIC_ASSERT (sizeof (HotpathEvent) == 32);

/* measure-all: one per function address, for the life of the process.
 * The hooks find it once per thread and key their events by it; the
 * consumer writes @id once, and @flags when the time filter drops it. */
typedef struct
{
  gconstpointer fn;
  guint         id;
  int           flags;   /* HOTPATH_SLOT_FILTERED_* */
} HotpathFunctionSlot;

#define HOTPATH_SLOT_FILTERED_NAME 1   /* HOTPATH_FILTER / HOTPATH_NOTRACE */
#define HOTPATH_SLOT_FILTERED_SIZE 2   /* HOTPATH_MIN_SIZE */
#define HOTPATH_SLOT_FILTERED_TIME 4   /* HOTPATH_TIME_FILTER */

typedef void (*HotpathCollectorTimeoutFunc) (gpointer data);

gboolean         hotpath_collector_start          (guint          logs_limit);
void             hotpath_collector_stop           (void);
gboolean         hotpath_collector_is_running     (void);
gboolean         hotpath_collector_is_forked_child (void);
void             hotpath_collector_reset          (void);
HotpathSnapshot *hotpath_collector_snapshot       (const char    *name,
                                                   GArray        *percentiles,
                                                   guint          limit);
void             hotpath_collector_set_timeout    (guint          timeout_ms,
                                                   HotpathCollectorTimeoutFunc func,
                                                   gpointer       data,
                                                   GDestroyNotify destroy);
void             hotpath_collector_record         (HotpathEventKind kind,
                                                   gconstpointer    key,
                                                   guint64          start,
                                                   guint64          end);
gsize            hotpath_collector_get_memory_size (void);
/* A section's event (kind from hotpath-registry.c) with a payload. */
void             hotpath_collector_record_full    (guint32          kind,
                                                   gconstpointer    key,
                                                   guint64          start,
                                                   guint64          end,
                                                   guint32          extra);

/* measure-all (hotpath-instrument.c) */
gboolean         hotpath_collector_ever_started   (void);
void             hotpath_collector_set_time_filter (guint64 threshold_ns,
                                                    guint   learn_calls);
HotpathAllocStack *hotpath_collector_get_alloc_stack (void);
void             hotpath_collector_record_function_long  (HotpathEventKind     kind,
                                                          HotpathFunctionSlot *slot,
                                                          guint64              start,
                                                          guint64              end,
                                                          guint64              self);
void             hotpath_collector_record_function_alloc (HotpathEventKind     kind,
                                                          HotpathFunctionSlot *slot,
                                                          guint64              start,
                                                          guint64              end,
                                                          guint64              self);

G_END_DECLS
