/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-instrument.c: measure-all.
 *
 * A target built with `-finstrument-functions` calls these two hooks around
 * every function it defines (and around every inlined copy of one). They
 * run billions of times in a real library, so the path of a call does no
 * lookup beyond one per-thread cache line:
 *
 * - every function address gets one HotpathFunctionSlot, found once in a
 *   process-wide lock-free table and then kept in a small per-thread
 *   direct-mapped cache (address → slot, plus how many calls of it are open
 *   on this thread, which tells an outermost call from a recursive one);
 * - a per-thread shadow stack keeps each open call's start and the time
 *   spent in its measured callees, so a return records total and self time
 *   in one event keyed by the slot: the consumer needs no hash lookup either;
 * - filters (names, symbol size, depth, time) live in the slot's flags, so
 *   a filtered function costs two cache hits and nothing else.
 *
 * Names are looked up in the ELF symbol tables only when a report needs
 * them, or when a filter that needs them is set. A program that links the
 * library and has no HOTPATH_MAIN() starts an automatic session at its
 * first hook; HOTPATH_MAIN() or a guard built later takes over.
 */

#include "config.h"

#include <string.h>

#include "hotpath-alloc-core-private.h"
#include "hotpath-collector-private.h"
#include "hotpath-env-private.h"
#include "hotpath-guard-private.h"
#include "hotpath-instrument-private.h"
#include "hotpath-symbols-private.h"

#define NO_INSTRUMENT __attribute__((no_instrument_function))
#define HOOK          __attribute__((no_instrument_function, visibility ("default")))

#define CACHE_BITS    9
#define CACHE_SIZE    (1u << CACHE_BITS)
#define SHADOW_DEPTH  512
#define TABLE_BITS    16
#define TABLE_SIZE    (1u << TABLE_BITS)
#define TABLE_MAX     (TABLE_SIZE / 4 * 3)

/* Defaults: a first run on a real library must be useful, not 5x slower.
 * A function whose calls never took longer than this after that many calls
 * costs more to measure than it runs; it is dropped and listed as such. */
#define DEFAULT_TIME_FILTER_NS  200
#define DEFAULT_LEARN_CALLS     1024

void __cyg_profile_func_enter (void *fn, void *call_site) HOOK;
void __cyg_profile_func_exit  (void *fn, void *call_site) HOOK;

typedef struct
{
  gconstpointer        fn;
  HotpathFunctionSlot *slot;
  guint                active;   /* open calls of fn on this thread */
} CacheEntry;

typedef struct
{
  gconstpointer fn;
  guintptr      slot;       /* HotpathFunctionSlot *, low bit: outermost call */
  guint64       start;
  guint64       children;   /* ticks spent in measured callees */
} Frame;

typedef struct
{
  guint      depth;       /* frames in use */
  guint      dropped;     /* open calls beyond the depth limit */
  CacheEntry cache[CACHE_SIZE];
  Frame      frames[SHADOW_DEPTH];
} InstrumentThread;

static __thread InstrumentThread *tls_thread __attribute__((tls_model ("initial-exec")));
static __thread gboolean tls_dead __attribute__((tls_model ("initial-exec")));

static void instrument_thread_free (gpointer data);
static GPrivate thread_owner = G_PRIVATE_INIT (instrument_thread_free);

/* The process-wide address → slot table: readers probe without a lock,
 * writers insert under slot_lock and publish with a release store. */
static HotpathFunctionSlot **slot_table;
static guint                 n_slots;
static GMutex                slot_lock;
/* Where functions go once the table is full: never measured. */
static HotpathFunctionSlot   overflow_slot = { NULL, 0, HOTPATH_SLOT_FILTERED_NAME };

/* Configuration, read once when the first hook runs. */
static gsize        config_initialized;
static gboolean     enabled = TRUE;
static guint        depth_limit = SHADOW_DEPTH;
static guint        min_size;
static GPtrArray   *filter_patterns;    /* GPatternSpec; NULL: everything */
static GPtrArray   *notrace_patterns;   /* GPatternSpec; NULL: nothing */
static guint64      time_filter_ns = DEFAULT_TIME_FILTER_NS;
static guint        learn_calls = DEFAULT_LEARN_CALLS;

/* 0: not tried, 1: starting, 2: tried (running or not) */
static int          auto_session_state;

static inline guint NO_INSTRUMENT
hash_address (gconstpointer fn,
              guint         bits)
{
  return (guint) (((guint64) (guintptr) fn * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> (64 - bits));
}

static GPtrArray * NO_INSTRUMENT
parse_patterns (const char *name)
{
  const char *value = g_getenv (name);
  g_auto(GStrv) globs = NULL;
  GPtrArray *patterns;

  if (value == NULL || *value == '\0')
    return NULL;

  patterns = g_ptr_array_new_with_free_func ((GDestroyNotify) g_pattern_spec_free);
  globs = g_strsplit (value, ",", -1);
  for (guint i = 0; globs[i] != NULL; i++)
    {
      g_strstrip (globs[i]);
      if (*globs[i] != '\0')
        g_ptr_array_add (patterns, g_pattern_spec_new (globs[i]));
    }

  if (patterns->len == 0)
    g_clear_pointer (&patterns, g_ptr_array_unref);

  return patterns;
}

/* `500ns`, `2us`, `1ms`, `0` (off); a bare number is nanoseconds. */
static gboolean NO_INSTRUMENT
parse_duration (const char *text,
                guint64    *ns)
{
  static const struct { const char *suffix; guint64 scale; } units[] = {
    { "ns", 1 }, { "us", 1000 }, { "µs", 1000 }, { "ms", 1000000 }, { "s", 1000000000 }, { "", 1 },
  };
  char *end = NULL;
  guint64 value;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;

  value = g_ascii_strtoull (text, &end, 10);
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_str_equal (end, units[i].suffix))
      {
        if (value > G_MAXUINT64 / units[i].scale)
          return FALSE;
        *ns = value * units[i].scale;
        return TRUE;
      }

  return FALSE;
}

static void NO_INSTRUMENT
read_config (void)
{
  const char *value;
  guint depth;

  hotpath_env_get_flag ("HOTPATH_MEASURE_ALL", &enabled);

  if (hotpath_env_get_uint ("HOTPATH_DEPTH", G_MAXINT, &depth) && depth > 0)
    depth_limit = MIN (depth, SHADOW_DEPTH);
  hotpath_env_get_uint ("HOTPATH_MIN_SIZE", G_MAXINT, &min_size);
  hotpath_env_get_uint ("HOTPATH_TIME_FILTER_CALLS", G_MAXINT, &learn_calls);
  if (learn_calls == 0)
    learn_calls = 1;

  value = g_getenv ("HOTPATH_TIME_FILTER");
  if (value != NULL && *value != '\0' && !parse_duration (value, &time_filter_ns))
    g_message ("HOTPATH_TIME_FILTER=\"%s\" is not valid: expected a duration such as 500ns, "
               "2us or 1ms, or 0 for none; using the default", value);

  filter_patterns = parse_patterns ("HOTPATH_FILTER");
  notrace_patterns = parse_patterns ("HOTPATH_NOTRACE");
}

static void NO_INSTRUMENT
ensure_config (void)
{
  if (g_once_init_enter (&config_initialized))
    {
      hotpath_alloc_internal_enter ();
      read_config ();
      hotpath_collector_set_time_filter (time_filter_ns, learn_calls);
      slot_table = g_new0 (HotpathFunctionSlot *, TABLE_SIZE);
      hotpath_alloc_internal_leave ();
      g_once_init_leave (&config_initialized, 1);
    }
}

static gboolean NO_INSTRUMENT
patterns_match (GPtrArray  *patterns,
                const char *full_name,
                const char *symbol)
{
  for (guint i = 0; i < patterns->len; i++)
    {
      GPatternSpec *pattern = g_ptr_array_index (patterns, i);

      if (g_pattern_spec_match_string (pattern, full_name) ||
          (symbol != NULL && g_pattern_spec_match_string (pattern, symbol)))
        return TRUE;
    }

  return FALSE;
}

/* The filters decided once per function: names and symbol size. Only
 * when one of them is set is the function's name looked up here. */
static int NO_INSTRUMENT
static_flags (gconstpointer fn)
{
  HotpathSymbolInfo info = { 0 };
  g_autofree char *name = NULL;
  int flags = 0;

  if (filter_patterns == NULL && notrace_patterns == NULL && min_size == 0)
    return 0;

  hotpath_symbols_describe (fn, &info);
  name = hotpath_symbols_info_to_name (&info);

  if (filter_patterns != NULL && !patterns_match (filter_patterns, name, info.symbol))
    flags |= HOTPATH_SLOT_FILTERED_NAME;
  if (notrace_patterns != NULL && patterns_match (notrace_patterns, name, info.symbol))
    flags |= HOTPATH_SLOT_FILTERED_NAME;
  /* A size of 0 is unknown (no symbol, or one without a size): kept. */
  if (min_size > 0 && info.size > 0 && info.size < min_size)
    flags |= HOTPATH_SLOT_FILTERED_SIZE;

  hotpath_symbols_info_clear (&info);

  return flags;
}

static HotpathFunctionSlot * NO_INSTRUMENT
lookup_slot (gconstpointer fn,
             gboolean      create)
{
  guint i = hash_address (fn, TABLE_BITS);
  HotpathFunctionSlot *slot;

  for (;; i = (i + 1) & (TABLE_SIZE - 1))
    {
      slot = __atomic_load_n (&slot_table[i], __ATOMIC_ACQUIRE);
      if (slot == NULL)
        break;
      if (slot->fn == fn)
        return slot;
    }

  if (!create)
    return NULL;

  hotpath_alloc_internal_enter ();
  g_mutex_lock (&slot_lock);

  /* Another thread may have inserted it, or anything, meanwhile. */
  for (i = hash_address (fn, TABLE_BITS); ; i = (i + 1) & (TABLE_SIZE - 1))
    {
      slot = slot_table[i];
      if (slot == NULL || slot->fn == fn)
        break;
    }

  if (slot == NULL)
    {
      if (n_slots >= TABLE_MAX)
        {
          static gboolean said;

          if (!said)
            g_message ("measure-all: more than %u instrumented functions ran; "
                       "the later ones are not measured (HOTPATH_FILTER narrows them down)",
                       TABLE_MAX);
          said = TRUE;
          slot = &overflow_slot;
        }
      else
        {
          slot = g_new0 (HotpathFunctionSlot, 1);
          slot->fn = fn;
          slot->flags = static_flags (fn);
          n_slots++;
          __atomic_store_n (&slot_table[i], slot, __ATOMIC_RELEASE);
        }
    }

  g_mutex_unlock (&slot_lock);
  hotpath_alloc_internal_leave ();

  return slot;
}

static void NO_INSTRUMENT
instrument_thread_free (gpointer data)
{
  if (tls_thread == data)
    tls_thread = NULL;
  /* Destructors of other thread-locals may still call hooks. */
  tls_dead = TRUE;
  g_free (data);
}

static void NO_INSTRUMENT
maybe_start_auto_session (void)
{
  int expected = 0;

  /* Only a process that never had a session: a program that ran its own
   * and ended it does not want a second one. */
  if (hotpath_collector_ever_started ())
    return;

  if (!__atomic_compare_exchange_n (&auto_session_state, &expected, 1, FALSE,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return;

  hotpath_main_begin_automatic ();
  __atomic_store_n (&auto_session_state, 2, __ATOMIC_RELEASE);
}

static G_GNUC_NO_INLINE InstrumentThread * NO_INSTRUMENT
thread_new (void)
{
  InstrumentThread *thread;

  if (tls_dead)
    return NULL;

  ensure_config ();
  if (!enabled)
    return NULL;

  if (__atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) == HOTPATH_RECORDING_OFF)
    {
      maybe_start_auto_session ();
      if (__atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) == HOTPATH_RECORDING_OFF)
        return NULL;
    }

  hotpath_alloc_internal_enter ();
  thread = g_new0 (InstrumentThread, 1);
  tls_thread = thread;
  g_private_set (&thread_owner, thread);
  hotpath_alloc_internal_leave ();

  return thread;
}

/* Open calls of @fn on this thread's stack. */
static guint NO_INSTRUMENT
count_open (InstrumentThread *thread,
            gconstpointer     fn)
{
  guint n = 0;

  for (guint i = 0; i < thread->depth; i++)
    n += thread->frames[i].fn == fn;

  return n;
}

static inline void NO_INSTRUMENT
push_frame (InstrumentThread    *thread,
            gconstpointer        fn,
            HotpathFunctionSlot *slot,
            gboolean             outermost,
            int                  recording)
{
  Frame *frame = &thread->frames[thread->depth++];

  frame->fn = fn;
  frame->slot = (guintptr) slot | (outermost ? 1 : 0);
  frame->children = 0;
  frame->start = hotpath_clock_read ();

  /* Allocation tracking shares the collector's per-thread frame stack
   * with HOTPATH_MEASURE scopes, so both nest. */
  if (G_UNLIKELY (recording & HOTPATH_RECORDING_ALLOC))
    hotpath_alloc_frame_push (hotpath_collector_get_alloc_stack (), fn, frame->start);
}

/* Everything but a cached, unfiltered function while plain timing runs. */
static G_GNUC_NO_INLINE void NO_INSTRUMENT
enter_slow (InstrumentThread *thread,
            gconstpointer     fn)
{
  int recording = __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED);
  CacheEntry *entry = &thread->cache[hash_address (fn, CACHE_BITS)];
  HotpathFunctionSlot *slot;
  gboolean outermost;

  if (recording == HOTPATH_RECORDING_OFF)
    return;

  if (entry->fn == fn)
    slot = entry->slot;
  else
    {
      slot = lookup_slot (fn, TRUE);
      /* An entry with open calls stays: its count must survive. */
      if (entry->active == 0)
        {
          entry->fn = fn;
          entry->slot = slot;
          entry->active = count_open (thread, fn);
        }
    }

  if (__atomic_load_n (&slot->flags, __ATOMIC_RELAXED) != 0)
    return;

  if (thread->depth >= depth_limit)
    {
      thread->dropped++;
      return;
    }

  if (entry->fn == fn)
    outermost = entry->active++ == 0;
  else
    outermost = count_open (thread, fn) == 0;

  push_frame (thread, fn, slot, outermost, recording);
}

void
__cyg_profile_func_enter (void *fn,
                          void *call_site)
{
  InstrumentThread *thread = tls_thread;
  CacheEntry *entry;
  HotpathFunctionSlot *slot;

  if (G_UNLIKELY (thread == NULL))
    {
      thread = thread_new ();
      if (thread == NULL)
        return;
    }

  entry = &thread->cache[hash_address (fn, CACHE_BITS)];
  if (G_UNLIKELY (entry->fn != fn))
    {
      enter_slow (thread, fn);
      return;
    }

  slot = entry->slot;
  /* Filtered: the cheapest way out. */
  if (G_UNLIKELY (__atomic_load_n (&slot->flags, __ATOMIC_RELAXED) != 0))
    return;
  if (G_UNLIKELY (thread->depth >= depth_limit ||
                  __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) != HOTPATH_RECORDING_TSC))
    {
      enter_slow (thread, fn);
      return;
    }

  push_frame (thread, fn, slot, entry->active++ == 0, HOTPATH_RECORDING_TSC);
}

/* Pops the top frame, which belongs to @fn, and records the call. */
static inline void NO_INSTRUMENT
pop_frame (InstrumentThread *thread,
           gconstpointer     fn,
           guint64           end,
           int               recording)
{
  Frame *frame = &thread->frames[--thread->depth];
  CacheEntry *entry = &thread->cache[hash_address (fn, CACHE_BITS)];
  HotpathFunctionSlot *slot = (HotpathFunctionSlot *) (frame->slot & ~(guintptr) 1);
  HotpathEventKind kind = (frame->slot & 1) ? HOTPATH_EVENT_FUNCTION : HOTPATH_EVENT_FUNCTION_INNER;
  guint64 duration = end - frame->start;
  guint64 self = duration >= frame->children ? duration - frame->children : 0;

  if (entry->fn == fn && entry->active > 0)
    entry->active--;
  if (thread->depth > 0)
    thread->frames[thread->depth - 1].children += duration;

  if (G_UNLIKELY (recording == HOTPATH_RECORDING_OFF || end < frame->start))
    return;

  if (G_UNLIKELY (recording & HOTPATH_RECORDING_ALLOC))
    {
      hotpath_collector_record_function_alloc (kind, slot, frame->start, end, self);
      return;
    }

  if (G_LIKELY (self < G_MAXUINT32))
    hotpath_collector_record_full (kind, slot, frame->start, end, (guint32) self);
  else
    hotpath_collector_record_function_long (kind, slot, frame->start, end, self);
}

static G_GNUC_NO_INLINE void NO_INSTRUMENT
exit_slow (InstrumentThread *thread,
           gconstpointer     fn)
{
  int recording = __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED);
  CacheEntry *entry = &thread->cache[hash_address (fn, CACHE_BITS)];
  HotpathFunctionSlot *slot;
  guint i;

  if (thread->dropped == 0 && thread->depth > 0 && thread->frames[thread->depth - 1].fn == fn)
    {
      pop_frame (thread, fn, hotpath_clock_read (), recording);
      return;
    }

  slot = entry->fn == fn ? entry->slot : lookup_slot (fn, FALSE);
  /* Entered before this thread measured anything, or filtered. */
  if (slot == NULL || __atomic_load_n (&slot->flags, __ATOMIC_RELAXED) != 0)
    return;

  if (thread->dropped > 0)
    {
      thread->dropped--;
      return;
    }

  /* A longjmp() skipped the exits of the frames above this function's. */
  for (i = thread->depth; i > 0 && thread->frames[i - 1].fn != fn; i--)
    ;
  if (i == 0)
    return;   /* entered before recording started */

  while (thread->depth > i)
    {
      Frame *skipped = &thread->frames[--thread->depth];
      CacheEntry *skipped_entry = &thread->cache[hash_address (skipped->fn, CACHE_BITS)];

      if (skipped_entry->fn == skipped->fn && skipped_entry->active > 0)
        skipped_entry->active--;
    }

  pop_frame (thread, fn, hotpath_clock_read (), recording);
}

void
__cyg_profile_func_exit (void *fn,
                         void *call_site)
{
  InstrumentThread *thread = tls_thread;
  CacheEntry *entry;
  guint depth;

  if (G_UNLIKELY (thread == NULL))
    return;

  depth = thread->depth;
  if (G_LIKELY (depth > 0 && thread->frames[depth - 1].fn == fn && thread->dropped == 0))
    {
      int recording = __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED);

      if (G_LIKELY (recording == HOTPATH_RECORDING_TSC))
        pop_frame (thread, fn, hotpath_clock_read (), HOTPATH_RECORDING_TSC);
      else
        pop_frame (thread, fn, hotpath_clock_read (), recording);
      return;
    }

  /* Filtered, so never on the stack. */
  entry = &thread->cache[hash_address (fn, CACHE_BITS)];
  if (G_LIKELY (entry->fn == fn && __atomic_load_n (&entry->slot->flags, __ATOMIC_RELAXED) != 0))
    return;

  exit_slow (thread, fn);
}

/* --- Tests ----------------------------------------------------------- */

/* Tests: forget the configuration and the slots' filters, as if the
 * process started again with the current environment. Only while nothing
 * is measured. */
void
hotpath_instrument_reload_config (void)
{
  ensure_config ();

  g_mutex_lock (&slot_lock);
  g_clear_pointer (&filter_patterns, g_ptr_array_unref);
  g_clear_pointer (&notrace_patterns, g_ptr_array_unref);
  enabled = TRUE;
  depth_limit = SHADOW_DEPTH;
  min_size = 0;
  time_filter_ns = DEFAULT_TIME_FILTER_NS;
  learn_calls = DEFAULT_LEARN_CALLS;
  read_config ();
  hotpath_collector_set_time_filter (time_filter_ns, learn_calls);
  for (guint i = 0; i < TABLE_SIZE; i++)
    if (slot_table[i] != NULL)
      slot_table[i]->flags = static_flags (slot_table[i]->fn);
  g_mutex_unlock (&slot_lock);
}
