/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-flow-private.h: what the data-flow subsystems (channels, futures,
 * main-loop sources and main contexts) share with the collector and the
 * reports.
 *
 * Every flow object lives until the process ends (a queue that is freed
 * only becomes "closed"), so events can carry raw pointers to them and the
 * worker never looks anything up under a lock. Fields marked "worker" are
 * touched only with the collector's lock held: by the worker while it
 * drains, or by a thread taking a snapshot.
 */
#pragma once

#include <glib.h>

#include "hotpath-collector-private.h"
#include "hotpath-histogram-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-snapshot-private.h"

G_BEGIN_DECLS

/* One kept log line, for the live API. Times in ns since the session
 * started; unused fields are 0 or NULL. */
typedef struct
{
  guint64  index;         /* how many were logged before this one */
  guint64  at_ns;
  guint64  duration_ns;   /* dispatch, run, latency or lifetime */
  guint64  value_ns;      /* a second duration (queue wait, return to callback) */
  guint64  thread_id;
  guint64  seq;
  char    *text;          /* owned */
  const char *outcome;    /* static */
} HotpathFlowLog;

typedef struct
{
  HotpathFlowLog *entries;   /* a ring of `limit` */
  guint           limit;
  guint64         n;
} HotpathFlowLogRing;

void            hotpath_flow_log_ring_clear (HotpathFlowLogRing *ring);
HotpathFlowLog *hotpath_flow_log_ring_add   (HotpathFlowLogRing *ring,
                                             guint               limit);
HotpathFlowLog *hotpath_flow_log_ring_copy  (const HotpathFlowLogRing *ring,
                                             guint              *n_logs);
void            hotpath_flow_logs_free      (HotpathFlowLog     *logs,
                                             guint               n_logs);

/* ----------------------------------------------------------------- items */

/* What a snapshot holds for one channel (GAsyncQueue or GThreadPool). */
typedef struct
{
  guint            id;
  char            *name;
  const char      *type;          /* "async_queue", "thread_pool" */
  const char      *state;         /* "active", "closed" */
  char            *file;
  guint            line;
  guint64          sent;          /* pool: pushed */
  guint64          received;      /* pool: started */
  gint64           queued;        /* sent - received */
  guint64          max_queued;
  guint64          running;       /* pools */
  guint64          max_running;
  guint64          finished;      /* pools */
  HotpathHistogram latency;       /* ns, send to receive; pool: wait in queue */
  HotpathHistogram run;           /* ns, pools */
  HotpathFlowLog  *logs;
  guint            n_logs;
} HotpathFlowChannel;

/* One GTask label or HOTPATH_ASYNC call site. */
typedef struct
{
  guint            id;
  char            *name;
  const char      *type;          /* "task", "async" */
  char            *file;
  guint            line;
  guint64          created;
  guint64          ran_in_thread;
  guint64          returned_value;
  guint64          returned_error;
  guint64          cancelled;
  guint64          callbacks;
  guint64          finalized;
  guint64          no_return;     /* fault: finalized without returning */
  guint64          no_callback;   /* fault: returned, finalized, callback never ran */
  guint64          awaiting_callback; /* returned, alive, callback not run yet */
  HotpathHistogram queue_wait;    /* ns */
  HotpathHistogram run;           /* ns */
  HotpathHistogram to_callback;   /* ns: return to callback (task), start to callback (async) */
  HotpathHistogram lifetime;      /* ns: created to finalized */
  HotpathFlowLog  *logs;
  guint            n_logs;
} HotpathFlowFuture;

/* One watched source name (or signal handler). */
typedef struct
{
  guint            id;
  char            *name;
  const char      *type;          /* "timeout", "idle", "source", "signal" */
  char            *context;       /* the watched context it last ran on, or NULL */
  HotpathHistogram duration;      /* ns */
  HotpathFlowLog  *logs;
  guint            n_logs;
} HotpathFlowSource;

typedef struct
{
  char    *name;
  guint64  duration_ns;
  guint64  at_ns;
} HotpathFlowDispatch;

#define HOTPATH_FLOW_STALL_TOP 3
#define HOTPATH_FLOW_LONGEST   10

typedef struct
{
  guint64             index;         /* how many stalls came before it */
  guint64             at_ns;
  guint64             duration_ns;
  guint64             unwatched_ns;  /* busy time no watched source explains */
  HotpathFlowDispatch top[HOTPATH_FLOW_STALL_TOP];
  guint               n_top;
  guint64             n_dispatches;
} HotpathFlowStall;

typedef struct
{
  guint               id;
  char               *name;
  const char         *state;        /* "watching", "stopped" */
  guint64             stall_threshold_ns;
  guint64             iterations;
  guint64             busy_ns;
  guint64             wait_ns;
  guint64             n_stalls;
  guint64             stall_ns;
  HotpathHistogram    busy;         /* ns per iteration */
  HotpathHistogram    lag;          /* ns the probe timer fired late */
  HotpathFlowDispatch longest[HOTPATH_FLOW_LONGEST];
  guint               n_longest;
  HotpathFlowStall   *stalls;       /* oldest first */
  guint               n_stalls_kept;
} HotpathFlowMainLoop;

/* ------------------------------------------------------------ items */

/* A flow object registers once with its section's list; the section's
 * snapshot asks each for a copy. */
typedef struct _HotpathFlowItem HotpathFlowItem;
struct _HotpathFlowItem
{
  guint              id;
  /* worker: clear the aggregates (new session) */
  void             (*reset)    (HotpathFlowItem *item);
  /* worker: a copy for a snapshot, or NULL to leave it out */
  gpointer         (*snapshot) (HotpathFlowItem *item,
                                guint64          session_start_ticks);
};

/* The items of one section, in id order. Its lock is for registration
 * only; never held while recording an event, so the worker (which drains
 * with the collector lock) can never wait for it while a producer waits
 * for the worker. */
typedef struct
{
  GMutex     lock;
  GPtrArray *items;   /* HotpathFlowItem */
} HotpathFlowItems;

void       hotpath_flow_items_add      (HotpathFlowItems *items,
                                        HotpathFlowItem  *item);
void       hotpath_flow_items_reset    (HotpathFlowItems *items);
GPtrArray *hotpath_flow_items_snapshot (HotpathFlowItems *items,
                                        guint64           session_start_ticks,
                                        GDestroyNotify    free_func);

/* Rows of a section whose snapshot data is a GPtrArray of copies. */
/* The text outputs' "1 task" / "2 tasks". */
const char   *hotpath_flow_plural     (guint64        n,
                                       const char    *one,
                                       const char    *many);
guint         hotpath_flow_rows_count (gconstpointer container);
gconstpointer hotpath_flow_rows_nth   (gconstpointer container,
                                       guint         index);
void          hotpath_flow_rows_free  (gpointer      data);

/* The fields of a log line (HotpathFlowLog), for rows descriptions: use
 * hotpath_flow_log_get as getter and one of these as arg. */
enum
{
  HOTPATH_FLOW_LOG_INDEX,
  HOTPATH_FLOW_LOG_AT,
  HOTPATH_FLOW_LOG_DURATION,
  HOTPATH_FLOW_LOG_VALUE,
  HOTPATH_FLOW_LOG_THREAD,
  HOTPATH_FLOW_LOG_OUTCOME,
  HOTPATH_FLOW_LOG_TEXT,
};
void     hotpath_flow_log_get (gconstpointer       row,
                               const HotpathField *field,
                               HotpathValue       *value);
/* Newest first, as a person reads a log. */
const HotpathFlowLog *hotpath_flow_logs_nth (const HotpathFlowLog *logs,
                                             guint                 n_logs,
                                             guint                 index);

guint64  hotpath_flow_ticks_to_ns   (guint64 ticks);
guint64  hotpath_flow_at_ns         (guint64 ticks,
                                     guint64 session_start_ticks);

/* Main contexts: the slot (1-based) of a watched context, 0 if not watched. */
guint        hotpath_main_context_slot      (GMainContext *context);
const char  *hotpath_main_context_slot_name (guint slot);
void         hotpath_main_context_note_dispatch (guint        slot,
                                                 const char  *name,
                                                 guint64      start_ticks,
                                                 guint64      duration_ns,
                                                 guint64      session_start_ticks);

void hotpath_flow_channel_free   (gpointer data);
void hotpath_flow_future_free    (gpointer data);
void hotpath_flow_source_free    (gpointer data);
void hotpath_flow_main_loop_free (gpointer data);

/* HOTPATH_MAIN(): watch the default context for the session. */
void     hotpath_main_context_session_begin (void);
void     hotpath_main_context_session_end   (void);

/* hotpath-source.c, for `hotpath run` (hotpath-glib/preload/). */
void     hotpath_source_watch_closure   (GClosure     *closure,
                                         const char   *name);

/* Configuration read from the environment (once). */
guint    hotpath_flow_stall_ms      (void);
guint    hotpath_flow_lag_probe_ms  (void);

G_END_DECLS
