/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-collector.c: from measured calls on any thread to aggregates.
 *
 * Each thread that measures something owns one single-producer ring buffer.
 * A measured call stores one 32-byte event in it and publishes the new head:
 * no lock, no syscall, no allocation, and no cache line that another thread
 * writes (the consumer's tail sits on its own line and the producer only
 * reads it when its cached copy says the ring is full). When a ring is half
 * full the producer wakes the worker if it sleeps; when it is full the
 * producer waits for room, so nothing is ever dropped.
 *
 * The consumer is whoever holds collector_lock: the worker thread, which
 * drains every few milliseconds, or a thread taking a snapshot, which drains
 * first so the snapshot includes everything measured before it.
 */

#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "hotpath-alloc-core-private.h"
#include "hotpath-clock-private.h"
#include "hotpath-collector-private.h"
#include "hotpath-histogram-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-snapshot-private.h"
#include "hotpath-symbols-private.h"

#define RING_SIZE       8192
#define RING_MASK       (RING_SIZE - 1)
#define KICK_INTERVAL   (RING_SIZE / 2)
#define RETURN_ROOM_EVERY 1024
/* 192 buckets in 256 slots: 2 KiB per function, whatever the run length.
 * Typical functions use 10 to 40 buckets; wider ones give up precision
 * (see hotpath_histogram_init_bounded) instead of memory. */
#define HOTPATH_FUNCTION_MAX_BUCKETS 192
#define WORKER_PERIOD_US 5000
#define CACHELINE       64

typedef struct _ThreadBuffer ThreadBuffer;

struct _ThreadBuffer
{
  /* The owning thread's line. */
  guint64       head __attribute__((aligned (CACHELINE)));
  guint64       cached_tail;
  HotpathAllocStack *alloc_stack;   /* allocation tracking; lazily */

  /* The consumer's line. */
  guint64       tail __attribute__((aligned (CACHELINE)));

  /* Written once. */
  guint64       thread_id __attribute__((aligned (CACHELINE)));
  int           orphaned;
  ThreadBuffer *next;

  HotpathEvent  events[RING_SIZE] __attribute__((aligned (CACHELINE)));
};

typedef struct
{
  guint             id;
  HotpathEventKind  kind;
  gconstpointer     key;
  char             *name;
  char             *file;
  guint             line;
  HotpathHistogram  histogram;
  HotpathLogEntry  *logs;          /* a ring of logs_limit entries, in ticks */
  guint64           n_logged;
  HotpathAllocAggregate *alloc;    /* allocation tracking; NULL until used */
  /* measure-all */
  HotpathFunctionSlot *slot;
  guint64           outer_ticks;   /* outermost calls only: recursion counted once */
  guint64           self_ticks;    /* exclusive of measured callees */
  gboolean          time_filtered;
  guint64           time_filter_check;   /* calls at the next decision */
} FunctionAggregate;

static __thread ThreadBuffer *tls_buffer __attribute__((tls_model ("initial-exec")));

static void thread_buffer_orphan (gpointer data);
static GPrivate buffer_owner = G_PRIVATE_INIT (thread_buffer_orphan);

/* Guards the list of buffers (registration only). */
static GMutex        registry_lock;
static ThreadBuffer *buffers;

/* Guards everything below: held by whoever consumes. */
static GMutex        collector_lock;
static GPtrArray    *aggregates;        /* FunctionAggregate, index = id - 1 */
static GHashTable   *aggregates_by_address;
static GHashTable   *aggregates_by_name;   /* sites only; names owned by the aggregates */
static guint         logs_limit = 50;
static guint64       session_start_ticks;
static guint64       session_start_ns;
static gboolean      running;
static gboolean      ever_started;
static guint64       time_filter_ns;      /* measure-all's time filter; 0: off */
static guint64       time_filter_ticks;   /* from time_filter_ns once the clock runs */
static guint         time_filter_calls;
static gboolean      forked_child;

/* The worker. */
static GThread      *worker;
static GMutex        worker_lock;
static GCond         worker_cond;
static int           worker_sleeping;
static guint64       timeout_deadline_ns;
static HotpathCollectorTimeoutFunc timeout_func;
static gpointer      timeout_data;
static GDestroyNotify timeout_destroy;

int hotpath_recording = HOTPATH_RECORDING_OFF;

static inline guint64
current_thread_id (void)
{
#ifdef SYS_gettid
  return (guint64) syscall (SYS_gettid);
#else
  return (guint64) (guintptr) g_thread_self ();
#endif
}

static ThreadBuffer *
thread_buffer_new (void)
{
  ThreadBuffer *buffer;

  hotpath_alloc_internal_enter ();
  buffer = g_aligned_alloc0 (1, sizeof (ThreadBuffer), CACHELINE);
  buffer->thread_id = current_thread_id ();

  g_mutex_lock (&registry_lock);
  buffer->next = buffers;
  buffers = buffer;
  g_mutex_unlock (&registry_lock);

  tls_buffer = buffer;
  g_private_set (&buffer_owner, buffer);
  hotpath_alloc_internal_leave ();

  return buffer;
}

/* Runs when the thread exits: the consumer drains what is left, then frees
 * the buffer. */
static void
thread_buffer_orphan (gpointer data)
{
  ThreadBuffer *buffer = data;

  if (tls_buffer == buffer)
    tls_buffer = NULL;
  __atomic_store_n (&buffer->orphaned, TRUE, __ATOMIC_RELEASE);
}

static void
kick_worker (void)
{
  if (__atomic_load_n (&worker_sleeping, __ATOMIC_RELAXED))
    {
      g_mutex_lock (&worker_lock);
      g_cond_signal (&worker_cond);
      g_mutex_unlock (&worker_lock);
    }
}

static G_GNUC_NO_INLINE void
wait_for_room (ThreadBuffer *buffer,
               guint         n_events)
{
  guint spins = 0;

  for (;;)
    {
      buffer->cached_tail = __atomic_load_n (&buffer->tail, __ATOMIC_ACQUIRE);
      if (buffer->head - buffer->cached_tail + n_events <= RING_SIZE)
        return;

      kick_worker ();
      if (++spins < 64)
        sched_yield ();
      else
        g_usleep (50);
    }
}

static inline void
push_event_flags (ThreadBuffer     *buffer,
                  HotpathEventKind  kind,
                  guint32           flags,
                  gconstpointer     key,
                  guint64           start,
                  guint64           end)
{
  guint64 head = buffer->head;
  HotpathEvent *event;

  if (G_UNLIKELY (head - buffer->cached_tail >= RING_SIZE))
    wait_for_room (buffer, 1);

  event = &buffer->events[head & RING_MASK];
  event->key = key;
  event->start = start;
  event->end = end;
  event->kind = kind;
  event->reserved = flags;

  __atomic_store_n (&buffer->head, head + 1, __ATOMIC_RELEASE);

  if (G_UNLIKELY (((head + 1) & (KICK_INTERVAL - 1)) == 0))
    kick_worker ();
}

static inline void
push_event (ThreadBuffer     *buffer,
            HotpathEventKind  kind,
            gconstpointer     key,
            guint64           start,
            guint64           end)
{
  push_event_flags (buffer, kind, 0, key, start, end);
}

void
hotpath_collector_record (HotpathEventKind kind,
                          gconstpointer    key,
                          guint64          start,
                          guint64          end)
{
  ThreadBuffer *buffer = tls_buffer;

  if (G_UNLIKELY (buffer == NULL))
    buffer = thread_buffer_new ();

  push_event (buffer, kind, key, start, end);
}

/* --- Allocation tracking (hotpath-alloc-scope.c) --------------------- */

/* A timing event and its allocation event, published together so that the
 * consumer never sees one without the other. */
static inline void
push_event_with_alloc (ThreadBuffer             *buffer,
                       HotpathEventKind          kind,
                       gconstpointer             key,
                       guint64                   start,
                       guint64                   end,
                       const HotpathAllocSample *sample)
{
  guint64 head = buffer->head;
  HotpathEvent *event;
  HotpathAllocEvent *alloc;

  if (G_UNLIKELY (head - buffer->cached_tail + 2 > RING_SIZE))
    wait_for_room (buffer, 2);

  event = &buffer->events[head & RING_MASK];
  event->key = key;
  event->start = start;
  event->end = end;
  event->kind = kind;
  event->reserved = 0;

  alloc = (HotpathAllocEvent *) &buffer->events[(head + 1) & RING_MASK];
  alloc->bytes = sample->values[HOTPATH_ALLOC_METRIC_BYTES];
  alloc->count = sample->values[HOTPATH_ALLOC_METRIC_COUNT];
  alloc->peak_bytes = sample->values[HOTPATH_ALLOC_METRIC_PEAK_BYTES];
  alloc->peak_count = (guint32) MIN (sample->values[HOTPATH_ALLOC_METRIC_PEAK_COUNT], G_MAXUINT32);
  alloc->kind = HOTPATH_EVENT_ALLOC;

  __atomic_store_n (&buffer->head, head + 2, __ATOMIC_RELEASE);

  if (G_UNLIKELY (((head + 2) & (KICK_INTERVAL - 1)) <= 1))
    kick_worker ();
}

static inline void
push_event_packed (ThreadBuffer             *buffer,
                   HotpathEventKind          kind,
                   gconstpointer             key,
                   guint64                   start,
                   guint64                   end,
                   const HotpathAllocSample *sample)
{
  guint64 head = buffer->head;
  HotpathAllocPackedEvent *event;

  if (G_UNLIKELY (head - buffer->cached_tail >= RING_SIZE))
    wait_for_room (buffer, 1);

  event = (HotpathAllocPackedEvent *) &buffer->events[head & RING_MASK];
  event->key = key;
  event->start = start;
  event->duration = (guint32) (end - start);
  event->bytes = (guint32) sample->values[HOTPATH_ALLOC_METRIC_BYTES];
  event->peak_bytes = (guint32) sample->values[HOTPATH_ALLOC_METRIC_PEAK_BYTES];
  event->kind = (kind == HOTPATH_EVENT_SITE ? HOTPATH_EVENT_ALLOC_PACKED
                                            : HOTPATH_EVENT_ALLOC_PACKED_ADDRESS) |
                (guint32) sample->values[HOTPATH_ALLOC_METRIC_COUNT] << 8 |
                (guint32) sample->values[HOTPATH_ALLOC_METRIC_PEAK_COUNT] << 20;

  __atomic_store_n (&buffer->head, head + 1, __ATOMIC_RELEASE);

  if (G_UNLIKELY (((head + 1) & (KICK_INTERVAL - 1)) == 0))
    kick_worker ();
}

static inline ThreadBuffer *
get_alloc_buffer (void)
{
  ThreadBuffer *buffer = tls_buffer;

  if (G_UNLIKELY (buffer == NULL))
    buffer = thread_buffer_new ();
  if (G_UNLIKELY (buffer->alloc_stack == NULL))
    buffer->alloc_stack = hotpath_alloc_stack_new ();

  return buffer;
}

/**
 * hotpath_scope_begin_slow:
 * @site: the site being measured
 *
 * The part of hotpath_scope_begin() that is not inline: the clock fallback
 * and allocation tracking. Not meant to be called directly.
 *
 * Returns: the scope
 */
HotpathScope
hotpath_scope_begin_slow (const HotpathSite *site)
{
  int recording = __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED);
  HotpathScope scope;

  if (recording == HOTPATH_RECORDING_OFF)
    {
      scope.site = NULL;
      scope.start = 0;
      return scope;
    }

  scope.site = site;
  if (recording & HOTPATH_RECORDING_ALLOC)
    {
      ThreadBuffer *buffer = get_alloc_buffer ();

#if defined (__x86_64__) || defined (__i386__)
      if (G_LIKELY (recording & HOTPATH_RECORDING_TSC))
        scope.start = __builtin_ia32_rdtsc ();
      else
#endif
        scope.start = hotpath_clock_read_slow ();
      hotpath_alloc_frame_push (buffer->alloc_stack, site, scope.start);
      return scope;
    }

  scope.start = hotpath_clock_read_slow ();
  return scope;
}

/* Ends the allocation frame of a measured call and pushes the call. */
static inline void
push_event_alloc_frame (ThreadBuffer     *buffer,
                        HotpathEventKind  kind,
                        gconstpointer     key,
                        guint64           start,
                        guint64           end)
{
  HotpathAllocSample sample;
  gboolean popped = hotpath_alloc_frame_pop (buffer->alloc_stack, key, start, &sample);

  hotpath_alloc_stack_check_empty (buffer->alloc_stack);
  if (popped)
    {
      /* Most calls allocate nothing: one slot says so. Most others fit in
       * one packed slot. */
      if ((sample.values[0] | sample.values[1] | sample.values[2] | sample.values[3]) == 0)
        push_event_flags (buffer, kind, HOTPATH_EVENT_FLAG_NO_ALLOC, key, start, end);
      else if (end >= start && end - start <= G_MAXUINT32 &&
               sample.values[HOTPATH_ALLOC_METRIC_BYTES] <= G_MAXUINT32 &&
               sample.values[HOTPATH_ALLOC_METRIC_PEAK_BYTES] <= G_MAXUINT32 &&
               sample.values[HOTPATH_ALLOC_METRIC_COUNT] <= HOTPATH_ALLOC_PACKED_MAX_COUNT &&
               sample.values[HOTPATH_ALLOC_METRIC_PEAK_COUNT] <= HOTPATH_ALLOC_PACKED_MAX_COUNT)
        push_event_packed (buffer, kind, key, start, end, &sample);
      else
        push_event_with_alloc (buffer, kind, key, start, end, &sample);
    }
  else
    push_event (buffer, kind, key, start, end);
}

static G_GNUC_NO_INLINE void
scope_end_alloc (const HotpathScope *scope,
                 guint64             end)
{
  push_event_alloc_frame (get_alloc_buffer (), HOTPATH_EVENT_SITE, scope->site, scope->start, end);
}

/* --- end of allocation tracking ----------------------------------------- */
/* A section's event, with a 32-bit payload in `reserved`. The fast path
 * saves no register: anything unusual goes to the slow path. */
static G_GNUC_NO_INLINE void
record_full_slow (guint32       kind,
                  gconstpointer key,
                  guint64       start,
                  guint64       end,
                  guint32       extra)
{
  ThreadBuffer *buffer = tls_buffer;
  guint64 head;

  if (buffer == NULL)
    buffer = thread_buffer_new ();

  head = buffer->head;
  if (head - buffer->cached_tail >= RING_SIZE)
    wait_for_room (buffer, 1);

  buffer->events[head & RING_MASK] = (HotpathEvent) { key, start, end, kind, extra };
  __atomic_store_n (&buffer->head, head + 1, __ATOMIC_RELEASE);

  if (((head + 1) & (KICK_INTERVAL - 1)) == 0)
    kick_worker ();
}

void
hotpath_collector_record_full (guint32       kind,
                               gconstpointer key,
                               guint64       start,
                               guint64       end,
                               guint32       extra)
{
  ThreadBuffer *buffer = tls_buffer;
  guint64 head;

  if (G_UNLIKELY (buffer == NULL))
    {
      record_full_slow (kind, key, start, end, extra);
      return;
    }

  head = buffer->head;
  if (G_UNLIKELY (head - buffer->cached_tail >= RING_SIZE ||
                  ((head + 1) & (KICK_INTERVAL - 1)) == 0))
    {
      record_full_slow (kind, key, start, end, extra);
      return;
    }

  buffer->events[head & RING_MASK] = (HotpathEvent) { key, start, end, kind, extra };
  __atomic_store_n (&buffer->head, head + 1, __ATOMIC_RELEASE);
}

/**
 * hotpath_scope_end:
 * @scope: a scope begun by hotpath_scope_begin()
 *
 * Records the measurement of @scope. Called by the cleanup of the measuring
 * macros; not meant to be called directly.
 */
void
hotpath_scope_end (const HotpathScope *scope)
{
  int recording = __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED);
  guint64 end;
  ThreadBuffer *buffer;

#if defined (__x86_64__) || defined (__i386__)
  if (G_LIKELY (recording == HOTPATH_RECORDING_TSC))
    end = __builtin_ia32_rdtsc ();
  else
#endif
  if (recording == HOTPATH_RECORDING_OFF)
    return;
  else
    end = hotpath_clock_read_slow ();

  if (G_UNLIKELY (recording & HOTPATH_RECORDING_ALLOC))
    {
      scope_end_alloc (scope, end);
      return;
    }

  buffer = tls_buffer;
  if (G_UNLIKELY (buffer == NULL))
    buffer = thread_buffer_new ();

  push_event (buffer, HOTPATH_EVENT_SITE, scope->site, scope->start, end);
}

/* --- measure-all (hotpath-instrument.c) -------------------------------- */

/* Events published together, so that the consumer never sees one without
 * the others. */
static void
push_events (const HotpathEvent *events,
             guint               n_events)
{
  ThreadBuffer *buffer = tls_buffer;
  guint64 head;

  if (G_UNLIKELY (buffer == NULL))
    buffer = thread_buffer_new ();

  head = buffer->head;
  if (G_UNLIKELY (head - buffer->cached_tail + n_events > RING_SIZE))
    wait_for_room (buffer, n_events);

  for (guint i = 0; i < n_events; i++)
    buffer->events[(head + i) & RING_MASK] = events[i];

  __atomic_store_n (&buffer->head, head + n_events, __ATOMIC_RELEASE);

  if (G_UNLIKELY (((head + n_events) & (KICK_INTERVAL - 1)) < n_events))
    kick_worker ();
}

/* Set by hotpath-instrument.c before its first event. */
void
hotpath_collector_set_time_filter (guint64 threshold_ns,
                                   guint   learn_calls)
{
  time_filter_ns = threshold_ns;
  time_filter_calls = learn_calls;
}

gboolean
hotpath_collector_ever_started (void)
{
  return __atomic_load_n (&ever_started, __ATOMIC_ACQUIRE);
}

HotpathAllocStack *
hotpath_collector_get_alloc_stack (void)
{
  return get_alloc_buffer ()->alloc_stack;
}

/* A call whose self time needs 64 bits. */
void
hotpath_collector_record_function_long (HotpathEventKind     kind,
                                        HotpathFunctionSlot *slot,
                                        guint64              start,
                                        guint64              end,
                                        guint64              self)
{
  HotpathEvent events[2] = {
    { slot, start, end, kind, G_MAXUINT32 },
    { NULL, self, 0, HOTPATH_EVENT_SELF, 0 },
  };

  push_events (events, G_N_ELEMENTS (events));
}

/* A call while allocations are tracked: its figures follow it. */
void
hotpath_collector_record_function_alloc (HotpathEventKind     kind,
                                         HotpathFunctionSlot *slot,
                                         guint64              start,
                                         guint64              end,
                                         guint64              self)
{
  ThreadBuffer *buffer = get_alloc_buffer ();
  HotpathEvent events[3] = {
    { slot, start, end, kind, self < G_MAXUINT32 ? (guint32) self : G_MAXUINT32 },
  };
  guint n = 1;
  HotpathAllocSample sample;
  gboolean popped = hotpath_alloc_frame_pop (buffer->alloc_stack, slot->fn, start, &sample);

  hotpath_alloc_stack_check_empty (buffer->alloc_stack);

  if (self >= G_MAXUINT32)
    events[n++] = (HotpathEvent) { NULL, self, 0, HOTPATH_EVENT_SELF, 0 };

  if (popped)
    {
      HotpathAllocEvent *alloc = (HotpathAllocEvent *) &events[n++];

      alloc->bytes = sample.values[HOTPATH_ALLOC_METRIC_BYTES];
      alloc->count = sample.values[HOTPATH_ALLOC_METRIC_COUNT];
      alloc->peak_bytes = sample.values[HOTPATH_ALLOC_METRIC_PEAK_BYTES];
      alloc->peak_count = (guint32) MIN (sample.values[HOTPATH_ALLOC_METRIC_PEAK_COUNT], G_MAXUINT32);
      alloc->kind = HOTPATH_EVENT_ALLOC;
    }

  push_events (events, n);
}

static void
function_aggregate_free (gpointer data)
{
  FunctionAggregate *aggregate = data;

  hotpath_histogram_clear (&aggregate->histogram);
  hotpath_alloc_aggregate_free (aggregate->alloc);
  g_free (aggregate->logs);
  g_free (aggregate->name);
  g_free (aggregate->file);
  g_free (aggregate);
}

static char *
file_stem (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';

  return g_steal_pointer (&base);
}

static char *
site_name (const HotpathSite *site)
{
  g_autofree char *stem = NULL;

  if (site->label != NULL)
    return g_strdup (site->label);
  if (site->domain != NULL)
    return g_strdup_printf ("%s::%s", site->domain, site->function);

  stem = file_stem (site->file);
  return g_strdup_printf ("%s::%s", stem, site->function);
}

/* Takes @name. Addresses get theirs when a snapshot needs it: reading
 * symbol tables is too slow for the drain loop. */
static FunctionAggregate *
function_aggregate_new (HotpathEventKind  kind,
                        gconstpointer     key,
                        char             *name,
                        const char       *file,
                        guint             line)
{
  FunctionAggregate *aggregate = g_new0 (FunctionAggregate, 1);

  aggregate->kind = kind;
  aggregate->key = key;
  aggregate->name = name;
  aggregate->file = g_strdup (file);
  aggregate->line = line;
  /* Fixed from the first call: a function's memory never grows. */
  hotpath_histogram_init_bounded (&aggregate->histogram, HOTPATH_FUNCTION_MAX_BUCKETS);

  g_ptr_array_add (aggregates, aggregate);
  aggregate->id = aggregates->len;

  return aggregate;
}

/* Sites with the same name are one function: the same label used in two
 * places, or a measured static inline function compiled into several
 * files. */
static FunctionAggregate *
aggregate_for_new_site (const HotpathSite *site)
{
  char *name = site_name (site);
  FunctionAggregate *aggregate = g_hash_table_lookup (aggregates_by_name, name);

  if (aggregate != NULL)
    {
      g_free (name);
      return aggregate;
    }

  aggregate = function_aggregate_new (HOTPATH_EVENT_SITE, site, name, site->file, site->line);
  g_hash_table_insert (aggregates_by_name, aggregate->name, aggregate);

  return aggregate;
}

static inline FunctionAggregate *
lookup_aggregate (const HotpathEvent *event)
{
  FunctionAggregate *aggregate;

  if (event->kind == HOTPATH_EVENT_SITE)
    {
      /* The site's id is written only here, under collector_lock, so the
       * measured code never writes to it. */
      HotpathSite *site = (HotpathSite *) event->key;

      if (G_LIKELY (site->id != 0))
        return g_ptr_array_index (aggregates, site->id - 1);

      aggregate = aggregate_for_new_site (site);
      site->id = aggregate->id;
      return aggregate;
    }

  if (event->kind == HOTPATH_EVENT_FUNCTION || event->kind == HOTPATH_EVENT_FUNCTION_INNER)
    {
      /* Like a site: the slot's id is written only here. */
      HotpathFunctionSlot *slot = (HotpathFunctionSlot *) event->key;

      if (G_LIKELY (slot->id != 0))
        return g_ptr_array_index (aggregates, slot->id - 1);

      aggregate = g_hash_table_lookup (aggregates_by_address, slot->fn);
      if (aggregate == NULL)
        {
          aggregate = function_aggregate_new (HOTPATH_EVENT_ADDRESS, slot->fn, NULL, NULL, 0);
          g_hash_table_insert (aggregates_by_address, (gpointer) slot->fn, aggregate);
        }
      aggregate->slot = slot;
      aggregate->time_filter_check = MAX (time_filter_calls, 1);
      slot->id = aggregate->id;
      return aggregate;
    }

  aggregate = g_hash_table_lookup (aggregates_by_address, event->key);
  if (aggregate == NULL)
    {
      aggregate = function_aggregate_new (HOTPATH_EVENT_ADDRESS, event->key, NULL, NULL, 0);
      g_hash_table_insert (aggregates_by_address, (gpointer) event->key, aggregate);
    }

  return aggregate;
}

/* Total and self time of a measure-all call, and the time filter: a
 * function whose calls never took longer than the threshold is dropped
 * by its hooks from then on. */
static inline void
measure_all_event (FunctionAggregate  *aggregate,
                   const HotpathEvent *event,
                   guint64             duration)
{
  if (event->kind == HOTPATH_EVENT_FUNCTION)
    aggregate->outer_ticks += duration;
  if (event->reserved != G_MAXUINT32)
    aggregate->self_ticks += event->reserved;

  /* Decided after learn_calls calls, and again at each doubling: a
   * function whose first calls ran cold still gets dropped later. */
  if (G_UNLIKELY (aggregate->histogram.count >= aggregate->time_filter_check) &&
      time_filter_ns > 0 && !aggregate->time_filtered)
    {
      aggregate->time_filter_check = aggregate->histogram.count * 2;
      if (time_filter_ticks == 0)
        time_filter_ticks = MAX (1, (guint64) ((double) time_filter_ns *
                                               hotpath_clock_get_ticks_per_second () / 1e9));
      /* "Never" allows for the odd call a preemption or a page fault
       * made long: 99 in 100 calls decide. */
      if (hotpath_histogram_value_at_percentile (&aggregate->histogram, 99.0) < time_filter_ticks)
        {
          aggregate->time_filtered = TRUE;
          __atomic_or_fetch (&aggregate->slot->flags, HOTPATH_SLOT_FILTERED_TIME, __ATOMIC_RELAXED);
        }
    }
}

/* Returns the aggregate the event went to, or NULL. */
static inline FunctionAggregate *
aggregate_event (const HotpathEvent *event,
                 guint64             thread_id)
{
  FunctionAggregate *aggregate;
  guint64 duration;

  /* Kinds from HOTPATH_EVENT_FIRST_SECTION_KIND on belong to the
   * registered sections. */
  if (event->kind >= HOTPATH_EVENT_FIRST_SECTION_KIND)
    {
      hotpath_registry_aggregate (event, thread_id, session_start_ticks, logs_limit);
      return NULL;
    }

  /* Events from before the current session (a scope that straddled a
   * restart) do not belong to it. */
  if (G_UNLIKELY (event->start < session_start_ticks))
    return NULL;

  /* A scope that began under another session's clock (TSC then
   * monotonic) has no duration we can trust: drop it, don't count 0 ns. */
  if (G_UNLIKELY (event->end < event->start))
    return NULL;

  aggregate = lookup_aggregate (event);
  duration = event->end - event->start;
  hotpath_histogram_record (&aggregate->histogram, duration);

  if (event->kind == HOTPATH_EVENT_FUNCTION || event->kind == HOTPATH_EVENT_FUNCTION_INNER)
    measure_all_event (aggregate, event, duration);

  if (logs_limit > 0)
    {
      HotpathLogEntry *entry;

      if (G_UNLIKELY (aggregate->logs == NULL))
        aggregate->logs = g_new (HotpathLogEntry, logs_limit);

      entry = &aggregate->logs[aggregate->n_logged % logs_limit];
      entry->duration_ns = duration;
      entry->end_ns = event->end;
      entry->thread_id = thread_id;
      aggregate->n_logged++;
    }

  return aggregate;
}

static guint64
drain_buffer (ThreadBuffer *buffer)
{
  guint64 head = __atomic_load_n (&buffer->head, __ATOMIC_ACQUIRE);
  guint64 tail = buffer->tail;
  guint64 drained = head - tail;

  FunctionAggregate *last = NULL;

  for (; tail != head; tail++)
    {
      const HotpathEvent *event = &buffer->events[tail & RING_MASK];

      /* Allocation tracking: the figures of the call just aggregated, or
       * a call and its figures in one slot. (Section kinds start at 16
       * and stay below 256, so the low byte tells the packed kinds
       * apart: hotpath-registry-private.h asserts it.) */
      if (G_UNLIKELY (event->kind == HOTPATH_EVENT_SELF))
        {
          if (last != NULL)
            last->self_ticks += event->start;
        }
      else if (G_UNLIKELY (event->kind == HOTPATH_EVENT_ALLOC))
        {
          if (last != NULL)
            hotpath_alloc_aggregate_record (&last->alloc, (const HotpathAllocEvent *) event,
                                            last->n_logged - 1, logs_limit);
        }
      else if (G_UNLIKELY ((event->kind & HOTPATH_ALLOC_PACKED_KIND_MASK) == HOTPATH_EVENT_ALLOC_PACKED ||
                           (event->kind & HOTPATH_ALLOC_PACKED_KIND_MASK) == HOTPATH_EVENT_ALLOC_PACKED_ADDRESS))
        {
          const HotpathAllocPackedEvent *packed = (const HotpathAllocPackedEvent *) event;
          HotpathEvent timing = { packed->key, packed->start, packed->start + packed->duration,
                                  (packed->kind & HOTPATH_ALLOC_PACKED_KIND_MASK) == HOTPATH_EVENT_ALLOC_PACKED
                                    ? HOTPATH_EVENT_SITE : HOTPATH_EVENT_ADDRESS, 0 };
          HotpathAllocEvent alloc = { packed->bytes, (packed->kind >> 8) & HOTPATH_ALLOC_PACKED_MAX_COUNT,
                                      packed->peak_bytes, HOTPATH_EVENT_ALLOC,
                                      (packed->kind >> 20) & HOTPATH_ALLOC_PACKED_MAX_COUNT };

          last = aggregate_event (&timing, buffer->thread_id);
          if (last != NULL)
            hotpath_alloc_aggregate_record (&last->alloc, &alloc, last->n_logged - 1, logs_limit);
        }
      else
        {
          /* Section events (kind >= HOTPATH_EVENT_FIRST_SECTION_KIND)
           * carry a payload in reserved and go to no function:
           * aggregate_event () returns NULL for them. */
          last = aggregate_event (event, buffer->thread_id);
          if (G_UNLIKELY (last != NULL && (event->reserved & HOTPATH_EVENT_FLAG_NO_ALLOC)))
            hotpath_alloc_aggregate_record_none (&last->alloc, last->n_logged - 1, logs_limit);
        }

      /* Hand room back as we go, so a producer waiting on a full ring
       * resumes before the whole ring is drained. */
      if (G_UNLIKELY ((tail & (RETURN_ROOM_EVERY - 1)) == RETURN_ROOM_EVERY - 1))
        __atomic_store_n (&buffer->tail, tail + 1, __ATOMIC_RELEASE);
    }

  __atomic_store_n (&buffer->tail, tail, __ATOMIC_RELEASE);

  return drained;
}

/* Called with collector_lock held. Returns how many events it drained. */
static guint64
drain_all (void)
{
  ThreadBuffer **link;
  guint64 drained = 0;

  g_mutex_lock (&registry_lock);

  for (link = &buffers; *link != NULL; )
    {
      ThreadBuffer *buffer = *link;
      /* Read before draining: every event the thread pushed before it
       * orphaned its buffer is then visible to the drain. */
      gboolean orphaned = __atomic_load_n (&buffer->orphaned, __ATOMIC_ACQUIRE);

      drained += drain_buffer (buffer);

      if (orphaned)
        {
          *link = buffer->next;
          hotpath_alloc_stack_free (buffer->alloc_stack);
          g_aligned_free (buffer);
        }
      else
        link = &buffer->next;
    }

  g_mutex_unlock (&registry_lock);

  return drained;
}

static gpointer
worker_main (gpointer data)
{
  /* Allocation tracking: nothing this thread allocates is the program's. */
  hotpath_alloc_internal_enter ();

  for (;;)
    {
      HotpathCollectorTimeoutFunc func = NULL;
      gpointer func_data = NULL;
      GDestroyNotify func_destroy = NULL;
      gint64 wake_at;
      guint64 drained;

      g_mutex_lock (&collector_lock);
      drained = drain_all ();
      g_mutex_unlock (&collector_lock);

      g_mutex_lock (&worker_lock);
      if (timeout_func != NULL && hotpath_clock_now_ns () >= timeout_deadline_ns)
        {
          func = g_steal_pointer (&timeout_func);
          func_data = g_steal_pointer (&timeout_data);
          func_destroy = g_steal_pointer (&timeout_destroy);
        }
      g_mutex_unlock (&worker_lock);

      if (func != NULL)
        {
          func (func_data);
          if (func_destroy != NULL)
            func_destroy (func_data);
          continue;
        }

      /* Producers are busy: going to sleep now would only have them wait
       * for room, and waking this thread again costs more than a pass. */
      if (drained >= RING_SIZE / 8)
        continue;

      g_mutex_lock (&worker_lock);
      __atomic_store_n (&worker_sleeping, TRUE, __ATOMIC_RELAXED);
      wake_at = g_get_monotonic_time () + WORKER_PERIOD_US;
      g_cond_wait_until (&worker_cond, &worker_lock, wake_at);
      __atomic_store_n (&worker_sleeping, FALSE, __ATOMIC_RELAXED);
      g_mutex_unlock (&worker_lock);
    }

  return NULL;
}

/* A forked child has no worker thread: if it kept recording, its rings
 * would fill and it would wait for room forever. It runs unprofiled, and
 * never touches locks another thread may have held at the fork. */
static void
stop_in_child (void)
{
  __atomic_store_n (&hotpath_recording, HOTPATH_RECORDING_OFF, __ATOMIC_RELAXED);
  forked_child = TRUE;
}

static void
ensure_initialized (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      aggregates = g_ptr_array_new_with_free_func (function_aggregate_free);
      aggregates_by_address = g_hash_table_new (NULL, NULL);
      aggregates_by_name = g_hash_table_new (g_str_hash, g_str_equal);
      pthread_atfork (NULL, NULL, stop_in_child);
      g_once_init_leave (&initialized, 1);
    }
}

gboolean
hotpath_collector_is_forked_child (void)
{
  return forked_child;
}

static void
reset_locked (void)
{
  for (guint i = 0; i < aggregates->len; i++)
    {
      FunctionAggregate *aggregate = g_ptr_array_index (aggregates, i);

      hotpath_histogram_reset (&aggregate->histogram);
      g_clear_pointer (&aggregate->logs, g_free);
      g_clear_pointer (&aggregate->alloc, hotpath_alloc_aggregate_free);
      aggregate->n_logged = 0;
      aggregate->outer_ticks = 0;
      aggregate->self_ticks = 0;
      /* A new session learns again. */
      if (aggregate->time_filtered)
        __atomic_and_fetch (&aggregate->slot->flags, ~HOTPATH_SLOT_FILTERED_TIME, __ATOMIC_RELAXED);
      aggregate->time_filtered = FALSE;
      aggregate->time_filter_check = time_filter_calls;
    }
  time_filter_ticks = 0;

  hotpath_registry_reset ();
}

/**
 * hotpath_collector_start:
 * @logs_limit_: how many recent calls to keep per function
 *
 * Starts a session: clears the aggregates and starts recording.
 *
 * Returns: %FALSE if a session is already running
 */
gboolean
hotpath_collector_start (guint logs_limit_)
{
  int recording;

  /* A forked child has no worker thread to drain its rings (and the
   * parent's locks may be held): it runs unprofiled. */
  if (forked_child)
    return FALSE;

  hotpath_alloc_internal_enter ();
  ensure_initialized ();

  g_mutex_lock (&collector_lock);

  if (running)
    {
      g_mutex_unlock (&collector_lock);
      hotpath_alloc_internal_leave ();
      return FALSE;
    }

  /* What the previous session left in the rings is not ours. */
  drain_all ();
  reset_locked ();

  hotpath_clock_init ();
  logs_limit = logs_limit_;
  session_start_ticks = hotpath_clock_read_slow ();
  session_start_ns = hotpath_clock_now_ns ();
  running = TRUE;
  __atomic_store_n (&ever_started, TRUE, __ATOMIC_RELEASE);

  if (worker == NULL)
    worker = g_thread_new ("hotpath-worker", worker_main, NULL);

  recording = hotpath_clock_get_source () == HOTPATH_CLOCK_SOURCE_TSC
                ? HOTPATH_RECORDING_TSC : HOTPATH_RECORDING_CLOCK;
  if (hotpath_alloc_session_begin ())
    recording |= HOTPATH_RECORDING_ALLOC;
  __atomic_store_n (&hotpath_recording, recording, __ATOMIC_RELEASE);

  g_mutex_unlock (&collector_lock);
  hotpath_alloc_internal_leave ();

  return TRUE;
}

void
hotpath_collector_stop (void)
{
  __atomic_store_n (&hotpath_recording, HOTPATH_RECORDING_OFF, __ATOMIC_RELEASE);

  g_mutex_lock (&collector_lock);
  running = FALSE;
  g_mutex_unlock (&collector_lock);

  hotpath_collector_set_timeout (0, NULL, NULL, NULL);
}

gboolean
hotpath_collector_is_running (void)
{
  gboolean ret;

  g_mutex_lock (&collector_lock);
  ret = running;
  g_mutex_unlock (&collector_lock);

  return ret;
}

void
hotpath_collector_reset (void)
{
  hotpath_alloc_internal_enter ();
  ensure_initialized ();

  g_mutex_lock (&collector_lock);
  drain_all ();
  reset_locked ();
  g_mutex_unlock (&collector_lock);
  hotpath_alloc_internal_leave ();
}

/**
 * hotpath_collector_set_timeout:
 *
 * Calls @func on the worker thread once @timeout_ms have passed; replaces a
 * timeout set before. A @func of %NULL cancels.
 */
void
hotpath_collector_set_timeout (guint                       timeout_ms,
                               HotpathCollectorTimeoutFunc func,
                               gpointer                    data,
                               GDestroyNotify              destroy)
{
  HotpathCollectorTimeoutFunc old_func;
  gpointer old_data;
  GDestroyNotify old_destroy;

  g_mutex_lock (&worker_lock);
  old_func = timeout_func;
  old_data = timeout_data;
  old_destroy = timeout_destroy;
  timeout_func = func;
  timeout_data = data;
  timeout_destroy = destroy;
  timeout_deadline_ns = hotpath_clock_now_ns () + (guint64) timeout_ms * 1000000;
  g_cond_signal (&worker_cond);
  g_mutex_unlock (&worker_lock);

  if (old_func != NULL && old_destroy != NULL)
    old_destroy (old_data);
}

/* `module::symbol`, or `module+0xOFFSET` (stable across runs) when the
 * object has no name for it. */
static void
name_address (FunctionAggregate *aggregate)
{
  HotpathSymbolInfo info;

  hotpath_symbols_describe (aggregate->key, &info);
  aggregate->name = hotpath_symbols_info_to_name (&info);
  hotpath_symbols_info_clear (&info);
}

/**
 * hotpath_collector_snapshot:
 *
 * Drains every buffer and copies the aggregates into an immutable snapshot.
 * Everything measured before the call is in it.
 */
HotpathSnapshot *
hotpath_collector_snapshot (const char *name,
                            GArray     *percentiles,
                            guint       limit)
{
  HotpathSnapshot *snapshot;
  double ns_per_tick;
  guint64 elapsed_ns;
  gboolean tracking_alloc;

  hotpath_alloc_internal_enter ();
  ensure_initialized ();

  g_mutex_lock (&collector_lock);

  drain_all ();
  ns_per_tick = hotpath_clock_calibrate ();
  elapsed_ns = hotpath_clock_now_ns () - session_start_ns;
  snapshot = hotpath_snapshot_new (name, elapsed_ns, percentiles, limit);
  /* Allocation tracking: the figures of the last session that had it. */
  tracking_alloc = hotpath_alloc_session_was_tracked ();
  if (tracking_alloc)
    snapshot->alloc = hotpath_alloc_snapshot_new ();

  for (guint i = 0; i < aggregates->len; i++)
    {
      FunctionAggregate *aggregate = g_ptr_array_index (aggregates, i);
      HotpathFunctionStats *stats;
      guint64 first;

      if (aggregate->histogram.count == 0)
        continue;

      if (aggregate->name == NULL)
        name_address (aggregate);

      stats = hotpath_function_stats_new (aggregate->id, aggregate->name,
                                          aggregate->file, aggregate->line,
                                          elapsed_ns, ns_per_tick,
                                          &aggregate->histogram);
      if (aggregate->slot != NULL)
        {
          stats->measure_all = TRUE;
          stats->outer_ticks = aggregate->outer_ticks;
          stats->self_ticks = aggregate->self_ticks;
          stats->time_filtered = aggregate->time_filtered;
        }

      stats->n_logs = (guint) MIN (aggregate->n_logged, (guint64) logs_limit);
      stats->logs = g_new (HotpathLogEntry, MAX (stats->n_logs, 1));
      first = aggregate->n_logged - stats->n_logs;
      for (guint j = 0; j < stats->n_logs; j++)
        {
          const HotpathLogEntry *entry = &aggregate->logs[(first + j) % logs_limit];

          stats->logs[j].duration_ns = hotpath_clock_ticks_to_ns (entry->duration_ns);
          stats->logs[j].end_ns = entry->end_ns > session_start_ticks
                                    ? hotpath_clock_ticks_to_ns (entry->end_ns - session_start_ticks)
                                    : 0;
          stats->logs[j].thread_id = entry->thread_id;
        }

      if (tracking_alloc)
        {
          stats->alloc = hotpath_alloc_stats_copy (aggregate->alloc, first, stats->logs,
                                                   stats->n_logs, logs_limit);
          if (stats->alloc != NULL)
            g_ptr_array_add (snapshot->alloc->functions, stats);
        }

      if (stats->time_filtered)
        g_ptr_array_add (snapshot->filtered, stats);
      else
        hotpath_snapshot_take_function (snapshot, stats);
    }
  snapshot->time_filter_ns = time_filter_ns;
  snapshot->time_filter_calls = time_filter_calls;

  hotpath_registry_snapshot (snapshot, session_start_ticks, logs_limit);

  g_mutex_unlock (&collector_lock);

  hotpath_snapshot_sort (snapshot);
  if (snapshot->alloc != NULL)
    hotpath_alloc_snapshot_sort (snapshot->alloc);
  hotpath_alloc_internal_leave ();

  return snapshot;
}

/**
 * hotpath_collector_get_memory_size:
 *
 * Returns: the bytes the collector holds: rings, aggregates, histograms
 *   and logs
 */
gsize
hotpath_collector_get_memory_size (void)
{
  gsize size = 0;

  ensure_initialized ();

  g_mutex_lock (&collector_lock);

  g_mutex_lock (&registry_lock);
  for (ThreadBuffer *buffer = buffers; buffer != NULL; buffer = buffer->next)
    {
      size += sizeof (ThreadBuffer);
      if (buffer->alloc_stack != NULL)   /* allocation tracking */
        size += sizeof (HotpathAllocStack);
    }
  g_mutex_unlock (&registry_lock);

  for (guint i = 0; i < aggregates->len; i++)
    {
      FunctionAggregate *aggregate = g_ptr_array_index (aggregates, i);

      size += sizeof (FunctionAggregate);
      size += hotpath_histogram_get_memory_size (&aggregate->histogram);
      if (aggregate->logs != NULL)
        size += logs_limit * sizeof (HotpathLogEntry);
      size += hotpath_alloc_aggregate_get_memory_size (aggregate->alloc, logs_limit);
      if (aggregate->name != NULL)
        size += strlen (aggregate->name) + 1;
      if (aggregate->file != NULL)
        size += strlen (aggregate->file) + 1;
    }
  size += aggregates->len * sizeof (gpointer);

  g_mutex_unlock (&collector_lock);

  return size;
}
