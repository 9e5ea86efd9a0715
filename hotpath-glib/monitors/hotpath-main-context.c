/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-main-context.c: is the main loop healthy?
 *
 * A watched context gets a poll function (g_main_context_set_poll_func)
 * that reads the clock around the real poll. Poll is where an iteration
 * waits; everything between the end of one poll and the start of the next
 * is the iteration's busy time (check, dispatch, prepare). An iteration
 * busier than HOTPATH_STALL_MS is a stall, and the watched sources that
 * were dispatched in it (hotpath-source.c reports each dispatch with the
 * slot of its context) name what ran.
 *
 * GPollFunc has no user data, so each of the HOTPATH_MAX_WATCHED_CONTEXTS
 * slots has its own trampoline.
 *
 * The lag probe is the only thing hotpath attaches to the application's
 * context: a source with a ready time, whose dispatch reads the clock, says
 * how late it is and sets the next ready time. The first iteration arms it,
 * so start-up before the loop runs is not counted as lag. Unwatching
 * destroys it.
 */

#include "config.h"

#include <string.h>

#include "hotpath-env-private.h"
#include "hotpath-flow-private.h"
#include "hotpath-format-private.h"
#include "hotpath-snapshot-private.h"
#include "hotpath-main-context.h"

#define N_SLOTS HOTPATH_MAX_WATCHED_CONTEXTS

/* This section's events, after the first kind the registry gave it. */
enum
{
  EVENT_POLL,   /* key ContextWatch, start..end of poll */
  EVENT_LAG,    /* key ContextWatch, start = fire time, end = lag in ns */
  N_EVENTS,
};
static guint32          first_event;
static HotpathFlowItems main_loop_items;

typedef struct
{
  const char *name;        /* a SourceStats name: lives forever */
  guint64     duration_ns;
  guint64     start;
} SegmentEntry;

typedef struct
{
  HotpathFlowItem     item;
  char               *name;
  GMainContext       *context;
  GPollFunc           orig_poll;
  GSource            *probe;
  guint               slot;        /* 1-based */
  gboolean            watching;
  guint64             stall_threshold_ns;

  /* worker */
  guint64             last_poll_end;
  guint64             iterations;
  guint64             busy_ns;
  guint64             wait_ns;
  guint64             n_stalls;
  guint64             stall_ns;
  HotpathHistogram    busy;
  HotpathHistogram    lag;
  HotpathFlowDispatch longest[HOTPATH_FLOW_LONGEST];  /* names not owned */
  guint               n_longest;
  GArray             *segment;     /* SegmentEntry */
  HotpathFlowStall   *stalls;      /* a ring of stalls_limit; names not owned */
  guint               stalls_limit;
} ContextWatch;

typedef struct
{
  GSource       source;
  ContextWatch *watch;
  gint64        period_us;
  gboolean      armed;      /* by the first iteration (probe_prepare) */
} ProbeSource;

static GMutex        watch_lock;
static ContextWatch *slots[N_SLOTS];
static guint         n_slots;

/* ------------------------------------------------------------- hot path */

guint
hotpath_main_context_slot (GMainContext *context)
{
  guint n = __atomic_load_n (&n_slots, __ATOMIC_ACQUIRE);

  if (context == NULL)
    context = g_main_context_default ();

  for (guint i = 0; i < n; i++)
    {
      ContextWatch *watch = __atomic_load_n (&slots[i], __ATOMIC_RELAXED);
      if (watch->context == context)
        return __atomic_load_n (&watch->watching, __ATOMIC_RELAXED) ? i + 1 : 0;
    }

  return 0;
}

static inline gint
watched_poll (guint     index,
              GPollFD  *fds,
              guint     n_fds,
              gint      timeout)
{
  ContextWatch *watch = __atomic_load_n (&slots[index], __ATOMIC_RELAXED);
  guint64 start;
  gint ret;

  if (G_UNLIKELY (__atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) == HOTPATH_RECORDING_OFF))
    return watch->orig_poll (fds, n_fds, timeout);

  start = hotpath_clock_read ();
  ret = watch->orig_poll (fds, n_fds, timeout);
  hotpath_collector_record_full (first_event + EVENT_POLL, watch, start, hotpath_clock_read (), 0);

  return ret;
}

#define POLL_TRAMPOLINE(i) \
  static gint poll_##i (GPollFD *fds, guint n_fds, gint timeout) { return watched_poll (i, fds, n_fds, timeout); }
POLL_TRAMPOLINE (0) POLL_TRAMPOLINE (1) POLL_TRAMPOLINE (2) POLL_TRAMPOLINE (3)
POLL_TRAMPOLINE (4) POLL_TRAMPOLINE (5) POLL_TRAMPOLINE (6) POLL_TRAMPOLINE (7)
#undef POLL_TRAMPOLINE

static const GPollFunc trampolines[N_SLOTS] = {
  poll_0, poll_1, poll_2, poll_3, poll_4, poll_5, poll_6, poll_7,
};

static gboolean
probe_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  ProbeSource *probe = (ProbeSource *) source;
  gint64 ready = g_source_get_ready_time (source);
  gint64 now = g_get_monotonic_time ();

  if (__atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) != HOTPATH_RECORDING_OFF && ready >= 0)
    hotpath_collector_record_full (first_event + EVENT_LAG, probe->watch, hotpath_clock_read (),
                                   (guint64) MAX (now - ready, 0) * 1000, 0);

  g_source_set_ready_time (source, now + probe->period_us);

  return G_SOURCE_CONTINUE;
}

/* Armed by the first iteration, not at watch time: the time a program
 * spends before it runs its loop is not lag. */
static gboolean
probe_prepare (GSource *source,
               gint    *timeout)
{
  ProbeSource *probe = (ProbeSource *) source;

  if (!probe->armed)
    {
      probe->armed = TRUE;
      g_source_set_ready_time (source, g_get_monotonic_time () + probe->period_us);
    }

  *timeout = -1;
  return FALSE;
}

static GSourceFuncs probe_funcs = { probe_prepare, NULL, probe_dispatch, NULL, NULL, NULL };

/* --------------------------------------------------------------- worker */

const char *
hotpath_main_context_slot_name (guint slot)
{
  if (slot == 0 || slot > N_SLOTS || slots[slot - 1] == NULL)
    return NULL;
  return slots[slot - 1]->name;
}

void
hotpath_main_context_note_dispatch (guint        slot,
                                    const char  *name,
                                    guint64      start_ticks,
                                    guint64      duration_ns,
                                    guint64      session_start_ticks)
{
  ContextWatch *watch;
  SegmentEntry entry = { name, duration_ns, start_ticks };
  guint i;

  if (slot == 0 || slot > N_SLOTS || (watch = slots[slot - 1]) == NULL)
    return;

  if (watch->segment == NULL)
    watch->segment = g_array_new (FALSE, FALSE, sizeof (SegmentEntry));
  if (watch->segment->len < 4096)
    g_array_append_val (watch->segment, entry);

  /* Keep the longest dispatches, longest first. */
  if (watch->n_longest == HOTPATH_FLOW_LONGEST &&
      watch->longest[HOTPATH_FLOW_LONGEST - 1].duration_ns >= duration_ns)
    return;

  i = MIN (watch->n_longest, HOTPATH_FLOW_LONGEST - 1);
  while (i > 0 && watch->longest[i - 1].duration_ns < duration_ns)
    {
      watch->longest[i] = watch->longest[i - 1];
      i--;
    }
  watch->longest[i] = (HotpathFlowDispatch) {
    (char *) name, duration_ns, hotpath_flow_at_ns (start_ticks, session_start_ticks)
  };
  if (watch->n_longest < HOTPATH_FLOW_LONGEST)
    watch->n_longest++;
}

static int
compare_segment_entries (gconstpointer a,
                         gconstpointer b)
{
  const SegmentEntry *x = a;
  const SegmentEntry *y = b;

  return (x->duration_ns < y->duration_ns) - (x->duration_ns > y->duration_ns);
}

static void
record_stall (ContextWatch *watch,
              guint64       busy_ns,
              guint64       session_start_ticks,
              guint         logs_limit)
{
  HotpathFlowStall *stall;
  guint64 explained = 0;
  guint n = watch->segment ? watch->segment->len : 0;

  watch->n_stalls++;
  watch->stall_ns += busy_ns;

  if (logs_limit == 0)
    return;

  if (watch->stalls == NULL || watch->stalls_limit != logs_limit)
    {
      g_free (watch->stalls);
      watch->stalls = g_new0 (HotpathFlowStall, logs_limit);
      watch->stalls_limit = logs_limit;
    }

  stall = &watch->stalls[(watch->n_stalls - 1) % logs_limit];
  memset (stall, 0, sizeof *stall);
  stall->at_ns = hotpath_flow_at_ns (watch->last_poll_end, session_start_ticks);
  stall->duration_ns = busy_ns;
  stall->n_dispatches = n;

  if (n > 0)
    {
      g_array_sort (watch->segment, compare_segment_entries);
      for (guint i = 0; i < n; i++)
        {
          SegmentEntry *entry = &g_array_index (watch->segment, SegmentEntry, i);

          explained += entry->duration_ns;
          if (stall->n_top < HOTPATH_FLOW_STALL_TOP)
            stall->top[stall->n_top++] = (HotpathFlowDispatch) {
              (char *) entry->name, entry->duration_ns,
              hotpath_flow_at_ns (entry->start, session_start_ticks)
            };
        }
    }

  stall->unwatched_ns = busy_ns > explained ? busy_ns - explained : 0;
}

static void
main_loop_aggregate (const HotpathEvent        *event,
                     const HotpathEventContext *context)
{
  ContextWatch *watch = (ContextWatch *) event->key;
  guint64 session_start_ticks = context->session_start_ticks;
  guint logs_limit = context->logs_limit;

  if (context->kind == EVENT_LAG)
    {
      if (event->start >= session_start_ticks)
        hotpath_histogram_record (&watch->lag, event->end);
      return;
    }

  if (event->start < session_start_ticks)
    return;

  if (watch->last_poll_end != 0 && event->start >= watch->last_poll_end)
    {
      guint64 busy_ns = hotpath_flow_ticks_to_ns (event->start - watch->last_poll_end);

      watch->iterations++;
      watch->busy_ns += busy_ns;
      hotpath_histogram_record (&watch->busy, busy_ns);

      if (busy_ns > watch->stall_threshold_ns)
        record_stall (watch, busy_ns, session_start_ticks, logs_limit);
    }

  watch->wait_ns += hotpath_flow_ticks_to_ns (event->end >= event->start ? event->end - event->start : 0);
  watch->last_poll_end = event->end;
  if (watch->segment != NULL)
    g_array_set_size (watch->segment, 0);
}

static void
context_watch_reset (HotpathFlowItem *item)
{
  ContextWatch *watch = (ContextWatch *) item;

  watch->last_poll_end = 0;
  watch->iterations = 0;
  watch->busy_ns = 0;
  watch->wait_ns = 0;
  watch->n_stalls = 0;
  watch->stall_ns = 0;
  hotpath_histogram_clear (&watch->busy);
  hotpath_histogram_clear (&watch->lag);
  watch->n_longest = 0;
  if (watch->segment != NULL)
    g_array_set_size (watch->segment, 0);
  g_clear_pointer (&watch->stalls, g_free);
  watch->stalls_limit = 0;
}

static gpointer
context_watch_snapshot (HotpathFlowItem *item,
                        guint64          session_start_ticks)
{
  ContextWatch *watch = (ContextWatch *) item;
  HotpathFlowMainLoop *copy;
  guint64 first;

  /* A program that never ran a main loop has nothing to say here (HOTPATH_MAIN
   * watches the default context of every program). */
  if (watch->iterations == 0 && watch->lag.count == 0)
    return NULL;

  copy = g_new0 (HotpathFlowMainLoop, 1);
  copy->id = watch->item.id;
  copy->name = g_strdup (watch->name);
  copy->state = __atomic_load_n (&watch->watching, __ATOMIC_RELAXED) ? "watching" : "stopped";
  copy->stall_threshold_ns = watch->stall_threshold_ns;
  copy->iterations = watch->iterations;
  copy->busy_ns = watch->busy_ns;
  copy->wait_ns = watch->wait_ns;
  copy->n_stalls = watch->n_stalls;
  copy->stall_ns = watch->stall_ns;
  hotpath_histogram_copy (&copy->busy, &watch->busy);
  hotpath_histogram_copy (&copy->lag, &watch->lag);

  copy->n_longest = watch->n_longest;
  for (guint i = 0; i < watch->n_longest; i++)
    {
      copy->longest[i] = watch->longest[i];
      copy->longest[i].name = g_strdup (watch->longest[i].name);
    }

  copy->n_stalls_kept = watch->stalls ? (guint) MIN (watch->n_stalls, (guint64) watch->stalls_limit) : 0;
  copy->stalls = g_new0 (HotpathFlowStall, MAX (copy->n_stalls_kept, 1));
  first = watch->n_stalls - copy->n_stalls_kept;
  for (guint i = 0; i < copy->n_stalls_kept; i++)
    {
      HotpathFlowStall *stall = &copy->stalls[i];

      *stall = watch->stalls[(first + i) % watch->stalls_limit];
      stall->index = first + i;
      for (guint j = 0; j < stall->n_top; j++)
        stall->top[j].name = g_strdup (stall->top[j].name);
    }

  return copy;
}

/* ----------------------------------------------------------------- API */

static GSource *
probe_new (ContextWatch *watch,
           guint         period_ms)
{
  GSource *source = g_source_new (&probe_funcs, sizeof (ProbeSource));
  ProbeSource *probe = (ProbeSource *) source;

  probe->watch = watch;
  probe->period_us = (gint64) period_ms * 1000;
  g_source_set_static_name (source, "hotpath-lag-probe");
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  /* Not ready until probe_prepare arms it. */

  return source;
}

/**
 * hotpath_main_context_watch:
 * @context: (nullable): a #GMainContext, or %NULL for the default one
 * @label: (nullable): the name to report; "main" for the default context,
 *   else "context-N"
 *
 * Watches the health of @context: iterations, time busy and waiting in
 * poll, stalls (iterations busier than `HOTPATH_STALL_MS`, 16 by default)
 * with the watched sources that ran in them, the longest dispatches, and
 * how late a probe timer fires (every `HOTPATH_LAG_PROBE_MS`, 100 by
 * default; 0 turns the probe off). HOTPATH_MAIN() watches the default
 * context unless `HOTPATH_MAIN_LOOP=0`.
 *
 * Returns: %FALSE if %HOTPATH_MAX_WATCHED_CONTEXTS contexts are watched already
 */
gboolean
hotpath_main_context_watch (GMainContext *context,
                            const char   *label)
{
  ContextWatch *watch = NULL;
  guint lag_ms;

  if (context == NULL)
    context = g_main_context_default ();

  g_mutex_lock (&watch_lock);

  for (guint i = 0; i < n_slots; i++)
    if (slots[i]->context == context)
      watch = slots[i];

  if (watch != NULL && __atomic_load_n (&watch->watching, __ATOMIC_RELAXED))
    {
      g_mutex_unlock (&watch_lock);
      return TRUE;
    }

  if (watch == NULL)
    {
      if (n_slots == N_SLOTS)
        {
          g_mutex_unlock (&watch_lock);
          return FALSE;
        }

      watch = g_new0 (ContextWatch, 1);
      watch->item.reset = context_watch_reset;
      watch->item.snapshot = context_watch_snapshot;
      watch->context = g_main_context_ref (context);
      watch->slot = n_slots + 1;
      hotpath_histogram_init (&watch->busy);
      hotpath_histogram_init (&watch->lag);
      if (label != NULL)
        watch->name = g_strdup (label);
      else if (context == g_main_context_default ())
        watch->name = g_strdup ("main");
      else
        watch->name = g_strdup_printf ("context-%u", watch->slot);
      __atomic_store_n (&slots[n_slots], watch, __ATOMIC_RELAXED);
      __atomic_store_n (&n_slots, n_slots + 1, __ATOMIC_RELEASE);
      hotpath_flow_items_add (&main_loop_items, &watch->item);
    }

  watch->stall_threshold_ns = (guint64) hotpath_flow_stall_ms () * 1000000;
  watch->orig_poll = g_main_context_get_poll_func (context);
  g_main_context_set_poll_func (context, trampolines[watch->slot - 1]);
  __atomic_store_n (&watch->watching, TRUE, __ATOMIC_RELAXED);

  lag_ms = hotpath_flow_lag_probe_ms ();
  if (lag_ms > 0)
    {
      watch->probe = probe_new (watch, lag_ms);
      g_source_attach (watch->probe, context);
    }

  g_mutex_unlock (&watch_lock);

  return TRUE;
}

/**
 * hotpath_main_context_unwatch:
 * @context: (nullable): a watched #GMainContext, or %NULL for the default one
 *
 * Gives @context its poll function back and removes the lag probe. What
 * was measured stays in the report.
 */
void
hotpath_main_context_unwatch (GMainContext *context)
{
  if (context == NULL)
    context = g_main_context_default ();

  g_mutex_lock (&watch_lock);

  for (guint i = 0; i < n_slots; i++)
    {
      ContextWatch *watch = slots[i];

      if (watch->context != context || !__atomic_load_n (&watch->watching, __ATOMIC_RELAXED))
        continue;

      if (g_main_context_get_poll_func (context) == trampolines[i])
        g_main_context_set_poll_func (context, watch->orig_poll);
      __atomic_store_n (&watch->watching, FALSE, __ATOMIC_RELAXED);

      if (watch->probe != NULL)
        {
          g_source_destroy (watch->probe);
          g_clear_pointer (&watch->probe, g_source_unref);
        }
    }

  g_mutex_unlock (&watch_lock);
}

/* HOTPATH_MAIN(): the default context, unless HOTPATH_MAIN_LOOP=0. */
void
hotpath_main_context_session_begin (void)
{
  gboolean enabled = TRUE;

  hotpath_env_get_flag ("HOTPATH_MAIN_LOOP", &enabled);
  if (enabled)
    hotpath_main_context_watch (NULL, NULL);
}

void
hotpath_main_context_session_end (void)
{
  hotpath_main_context_unwatch (NULL);
}

/* ------------------------------------------------------------ section */

static void
main_loop_reset (void)
{
  hotpath_flow_items_reset (&main_loop_items);
}

static gpointer
main_loop_snapshot (const HotpathSnapshotContext *context)
{
  return hotpath_flow_items_snapshot (&main_loop_items, context->session_start_ticks,
                                      hotpath_flow_main_loop_free);
}

enum
{
  COLUMN_ID,
  COLUMN_NAME,
  COLUMN_STATE,
  COLUMN_ITERATIONS,
  COLUMN_BUSY,
  COLUMN_WAIT,
  COLUMN_BUSY_PERCENT,
  COLUMN_STALL_THRESHOLD,
  COLUMN_STALLS,
  COLUMN_STALL,
  COLUMN_ITERATION_BUSY,
  COLUMN_LAG,
  COLUMN_LONGEST,
  COLUMN_LOGS,
};

static void
main_loop_get (gconstpointer       row,
               const HotpathField *field,
               HotpathValue       *value)
{
  const HotpathFlowMainLoop *loop = row;
  guint64 total = loop->busy_ns + loop->wait_ns;

  switch (field->arg)
    {
    case COLUMN_ID:              hotpath_value_set_uint (value, loop->id); break;
    case COLUMN_NAME:            hotpath_value_set_string (value, loop->name); break;
    case COLUMN_STATE:           hotpath_value_set_string (value, loop->state); break;
    case COLUMN_ITERATIONS:      hotpath_value_set_uint (value, loop->iterations); break;
    case COLUMN_BUSY:            hotpath_value_set_uint (value, loop->busy_ns); break;
    case COLUMN_WAIT:            hotpath_value_set_uint (value, loop->wait_ns); break;
    case COLUMN_BUSY_PERCENT:
      hotpath_value_set_double (value, total ? 100.0 * (double) loop->busy_ns / (double) total : 0.0);
      break;
    case COLUMN_STALL_THRESHOLD: hotpath_value_set_uint (value, loop->stall_threshold_ns); break;
    case COLUMN_STALLS:          hotpath_value_set_uint (value, loop->n_stalls); break;
    case COLUMN_STALL:           hotpath_value_set_uint (value, loop->stall_ns); break;
    case COLUMN_ITERATION_BUSY:  hotpath_value_set_histogram (value, &loop->busy, 1.0); break;
    case COLUMN_LAG:             hotpath_value_set_histogram (value, &loop->lag, 1.0); break;
    case COLUMN_LONGEST:
    case COLUMN_LOGS:            hotpath_value_set_rows (value, loop); break;
    default:                     break;
    }
}

enum
{
  DISPATCH_SOURCE,
  DISPATCH_DURATION,
  DISPATCH_AT,
};

static void
dispatch_get (gconstpointer       row,
              const HotpathField *field,
              HotpathValue       *value)
{
  const HotpathFlowDispatch *dispatch = row;

  switch (field->arg)
    {
    case DISPATCH_SOURCE:   hotpath_value_set_string (value, dispatch->name); break;
    case DISPATCH_DURATION: hotpath_value_set_uint (value, dispatch->duration_ns); break;
    case DISPATCH_AT:       hotpath_value_set_uint (value, dispatch->at_ns); break;
    default:                break;
    }
}

static guint
longest_count (gconstpointer container)
{
  const HotpathFlowMainLoop *loop = container;

  return loop->n_longest;
}

static gconstpointer
longest_nth (gconstpointer container,
             guint         index)
{
  const HotpathFlowMainLoop *loop = container;

  return &loop->longest[index];
}

static const HotpathField longest_fields[] = {
  { "source", HOTPATH_FIELD_TEXT, .help = "the watched source", .title = "Source",
    .get = dispatch_get, .arg = DISPATCH_SOURCE },
  { "duration_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "how long it ran", "Duration",
    .get = dispatch_get, .arg = DISPATCH_DURATION },
  { "at_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "when it started, since the session started",
    "At", .get = dispatch_get, .arg = DISPATCH_AT },
};

static const HotpathRowsDesc longest_rows = {
  longest_fields, G_N_ELEMENTS (longest_fields), longest_count, longest_nth,
};

/* A stall's sources: no time of their own, the stall has it. */
static const HotpathField stall_source_fields[] = {
  { "source", HOTPATH_FIELD_TEXT, .help = "the watched source", .title = "Source",
    .get = dispatch_get, .arg = DISPATCH_SOURCE },
  { "duration_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "how long it ran", "Duration",
    .get = dispatch_get, .arg = DISPATCH_DURATION },
};

static guint
stall_sources_count (gconstpointer container)
{
  const HotpathFlowStall *stall = container;

  return stall->n_top;
}

static gconstpointer
stall_sources_nth (gconstpointer container,
                   guint         index)
{
  const HotpathFlowStall *stall = container;

  return &stall->top[index];
}

static const HotpathRowsDesc stall_source_rows = {
  stall_source_fields, G_N_ELEMENTS (stall_source_fields), stall_sources_count, stall_sources_nth,
};

enum
{
  STALL_INDEX,
  STALL_AT,
  STALL_DURATION,
  STALL_UNWATCHED,
  STALL_DISPATCHES,
  STALL_SOURCES,
};

static void
stall_get (gconstpointer       row,
           const HotpathField *field,
           HotpathValue       *value)
{
  const HotpathFlowStall *stall = row;

  switch (field->arg)
    {
    case STALL_INDEX:      hotpath_value_set_uint (value, stall->index); break;
    case STALL_AT:         hotpath_value_set_uint (value, stall->at_ns); break;
    case STALL_DURATION:   hotpath_value_set_uint (value, stall->duration_ns); break;
    case STALL_UNWATCHED:  hotpath_value_set_uint (value, stall->unwatched_ns); break;
    case STALL_DISPATCHES: hotpath_value_set_uint (value, stall->n_dispatches); break;
    case STALL_SOURCES:    hotpath_value_set_rows (value, stall); break;
    default:               break;
    }
}

static const HotpathField stall_fields[] = {
  { "index", HOTPATH_FIELD_COUNTER, .help = "stalls before this one", .title = "#",
    .get = stall_get, .arg = STALL_INDEX },
  { "at_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "when it began, since the session started", "At",
    .get = stall_get, .arg = STALL_AT },
  { "duration_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "busy time of the iteration", "Busy",
    .get = stall_get, .arg = STALL_DURATION },
  { "unwatched_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "busy time no watched source explains",
    "Unwatched", .get = stall_get, .arg = STALL_UNWATCHED },
  { "dispatches", HOTPATH_FIELD_COUNTER, .help = "watched dispatches in the stall",
    .title = "Dispatches", .get = stall_get, .arg = STALL_DISPATCHES },
  { "sources", HOTPATH_FIELD_ROWS, .help = "the longest sources that ran in the stall",
    .title = "Longest", .rows = &stall_source_rows, .get = stall_get, .arg = STALL_SOURCES },
};

static guint
stalls_count (gconstpointer container)
{
  const HotpathFlowMainLoop *loop = container;

  return loop->n_stalls_kept;
}

/* Newest first. */
static gconstpointer
stalls_nth (gconstpointer container,
            guint         index)
{
  const HotpathFlowMainLoop *loop = container;

  return &loop->stalls[loop->n_stalls_kept - 1 - index];
}

static const HotpathRowsDesc stall_rows = {
  stall_fields, G_N_ELEMENTS (stall_fields), stalls_count, stalls_nth,
};

static const HotpathField main_loop_fields[] = {
  { "id", HOTPATH_FIELD_ID, .get = main_loop_get, .arg = COLUMN_ID },
  { "name", HOTPATH_FIELD_TEXT, .help = "\"main\" for the default context", .title = "Context",
    .get = main_loop_get, .arg = COLUMN_NAME },
  { "state", HOTPATH_FIELD_TEXT, .help = "watching or stopped", .title = "State",
    .get = main_loop_get, .arg = COLUMN_STATE },
  { "iterations", HOTPATH_FIELD_COUNTER, .help = "main loop iterations this session",
    .title = "Iterations", .get = main_loop_get, .arg = COLUMN_ITERATIONS },
  { "busy_ns", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NS, "time between polls", "Busy",
    .get = main_loop_get, .arg = COLUMN_BUSY },
  { "wait_ns", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NS, "time waiting in poll", "Waiting",
    .get = main_loop_get, .arg = COLUMN_WAIT },
  { "busy_percent", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_PERCENT, "busy over busy plus waiting",
    "% Busy", .get = main_loop_get, .arg = COLUMN_BUSY_PERCENT },
  { "stall_threshold_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS,
    "iterations busier than this are stalls (HOTPATH_STALL_MS)", .get = main_loop_get,
    .arg = COLUMN_STALL_THRESHOLD },
  { "stalls", HOTPATH_FIELD_COUNTER, .help = "stalls this session", .title = "Stalls",
    .get = main_loop_get, .arg = COLUMN_STALLS },
  { "stall_ns", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NS, "time in stalls", NULL,
    .get = main_loop_get, .arg = COLUMN_STALL },
  { "iteration_busy_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "busy time per iteration",
    "Busy per iteration", .get = main_loop_get, .arg = COLUMN_ITERATION_BUSY },
  { "lag_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "how late the probe timer fired", "Timer lag",
    .get = main_loop_get, .arg = COLUMN_LAG },
  { "longest_dispatches", HOTPATH_FIELD_ROWS, .help = "the longest dispatches, longest first",
    .rows = &longest_rows, .get = main_loop_get,
    .arg = COLUMN_LONGEST },
  { "logs", HOTPATH_FIELD_ROWS, .help = "the last stalls", .rows = &stall_rows,
    .get = main_loop_get, .arg = COLUMN_LOGS },
};

static const HotpathRowsDesc main_loop_rows = {
  main_loop_fields, G_N_ELEMENTS (main_loop_fields), hotpath_flow_rows_count, hotpath_flow_rows_nth,
};

/* "slow_frame 250.00 ms, tick 2.10 µs" */
static void
append_dispatches (GString                   *out,
                   const HotpathFlowDispatch *dispatches,
                   guint                      n)
{
  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", dispatches[i].name);
      hotpath_format_append_duration (out, " ", dispatches[i].duration_ns);
    }
}

static void
main_loop_row_text (const HotpathSectionDesc *section,
                    HotpathSnapshot          *snapshot,
                    gconstpointer             row,
                    GString                  *out)
{
  const HotpathFlowMainLoop *loop = row;
  const double *ranks = (const double *) (gpointer) snapshot->percentiles->data;
  guint n_ranks = snapshot->percentiles->len;
  guint64 total = loop->busy_ns + loop->wait_ns;

  g_string_append_printf (out, "%s, %" G_GUINT64_FORMAT " iteration%s", loop->state, loop->iterations,
                          hotpath_flow_plural (loop->iterations, "", "s"));
  hotpath_format_append_duration (out, ", busy ", loop->busy_ns);
  hotpath_format_append_duration (out, ", waiting in poll ", loop->wait_ns);
  g_string_append_printf (out, " (%.2f%% busy)", total ? 100.0 * (double) loop->busy_ns / (double) total : 0.0);
  g_string_append_printf (out, ", %" G_GUINT64_FORMAT " stall%s", loop->n_stalls, hotpath_flow_plural (loop->n_stalls, "", "s"));
  hotpath_format_append_duration (out, " (iterations busier than ", loop->stall_threshold_ns);
  hotpath_format_append_duration (out, "; ", loop->stall_ns);
  g_string_append (out, " in all)");
  hotpath_format_append_summary (out, "busy per iteration", &loop->busy, ranks, n_ranks);
  hotpath_format_append_summary (out, "timer lag", &loop->lag, ranks, n_ranks);
  if (loop->n_longest > 0)
    {
      g_string_append (out, ", longest dispatches: ");
      append_dispatches (out, loop->longest, MIN (loop->n_longest, 5));
    }
}

static void
main_loop_log_text (const HotpathSectionDesc *section,
                    gconstpointer             item,
                    gconstpointer             line,
                    guint                     position,
                    GString                  *out)
{
  const HotpathFlowStall *stall = line;

  g_string_append_printf (out, "#%" G_GUINT64_FORMAT, stall->index);
  hotpath_format_append_duration (out, "  at ", stall->at_ns);
  hotpath_format_append_duration (out, " into the session: busy ", stall->duration_ns);
  g_string_append_printf (out, ", %" G_GUINT64_FORMAT " watched dispatch%s", stall->n_dispatches,
                          hotpath_flow_plural (stall->n_dispatches, "", "es"));
  if (stall->n_top > 0)
    {
      g_string_append (out, ", longest: ");
      append_dispatches (out, stall->top, stall->n_top);
    }
  hotpath_format_append_duration (out, ", unwatched ", stall->unwatched_ns);
}

/* Under the table: each context's longest dispatches and last stalls. */
static void
main_loop_table (const HotpathSectionDesc *section,
                 HotpathSnapshot          *snapshot,
                 guint                     n_shown,
                 GString                  *out)
{
  const GPtrArray *loops = hotpath_section_get_data (section, snapshot);

  for (guint i = 0; loops != NULL && i < MIN (n_shown, loops->len); i++)
    {
      const HotpathFlowMainLoop *loop = g_ptr_array_index (loops, i);
      g_autofree char *threshold = hotpath_format_duration (loop->stall_threshold_ns);
      guint first = loop->n_stalls_kept > 5 ? loop->n_stalls_kept - 5 : 0;

      if (loop->n_longest > 0)
        {
          g_string_append_printf (out, "  %s: longest dispatches: ", loop->name);
          append_dispatches (out, loop->longest, MIN (loop->n_longest, 5));
          g_string_append_c (out, '\n');
        }

      if (loop->n_stalls > 0)
        g_string_append_printf (out, "  %s: %" G_GUINT64_FORMAT " stall%s (iterations over %s); the last:\n",
                                loop->name, loop->n_stalls, hotpath_flow_plural (loop->n_stalls, "", "s"), threshold);

      for (guint j = first; j < loop->n_stalls_kept; j++)
        {
          const HotpathFlowStall *stall = &loop->stalls[j];

          hotpath_format_append_duration (out, "    at ", stall->at_ns);
          hotpath_format_append_duration (out, ": ", stall->duration_ns);
          g_string_append_c (out, ':');
          if (stall->n_top > 0)
            {
              g_string_append_c (out, ' ');
              append_dispatches (out, stall->top, stall->n_top);
            }
          if (stall->unwatched_ns > 0)
            hotpath_format_append_duration (out, stall->n_top ? ", unwatched " : " unwatched ", stall->unwatched_ns);
          g_string_append_c (out, '\n');
        }
    }
}

const HotpathSectionDesc hotpath_main_loop_section = {
  .name = "main_loop",
  .title = "main loop",
  .description = "Health of each watched GMainContext (HOTPATH_MAIN watches the default one): "
                 "iterations, time busy versus waiting in poll, stalls (iterations busier than "
                 "HOTPATH_STALL_MS, 16 ms by default) with the sources that ran in them, and how "
                 "late a probe timer fires.",
  .schema_def = "main_loop_section",
  .logs_schema_def = "main_loop",
  .n_event_kinds = N_EVENTS,
  .first_event_kind = &first_event,
  .aggregate = main_loop_aggregate,
  .reset = main_loop_reset,
  .snapshot = main_loop_snapshot,
  .free_data = hotpath_flow_rows_free,
  .rows = &main_loop_rows,
  .has_logs = TRUE,
  .when_empty = "No main context is watched: HOTPATH_MAIN() watches the default one "
                "(unless HOTPATH_MAIN_LOOP=0), hotpath_main_context_watch() any other.",
  .item_noun = "watched main context",
  .items_noun = "watched main contexts",
  .order = "by id",
  .log_noun = "stall",
  .logs_noun = "stalls",
  .table = main_loop_table,
  .row_text = main_loop_row_text,
  .log_text = main_loop_log_text,
  .metric_prefix = "main_loop",
  .metric_label = "context",
};
