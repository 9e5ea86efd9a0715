/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-lock.c: GMutex, GRecMutex and GRWLock acquisitions, waits and
 * holds (section "locks").
 *
 * A monitored lock is still the application's lock. Taking it reads the
 * clock once and tries the lock; only when the try fails (the lock is
 * contended) does it wait in the real lock call and read the clock again.
 * The acquisition goes on a small per-thread stack of held locks; the
 * release reads the clock, releases the lock and then records one event
 * (lock, acquired, released, call site) in the thread's ring. So an
 * uncontended lock and unlock costs two clock reads and one ring store
 * more than GLib's, and takes no lock of ours.
 *
 * The worker finds each lock's row by address. Rows are per name (the
 * label, else the call site that registered or first took the lock), so
 * the locks of a thousand objects made by one line share one row and the
 * memory stays bounded by the program's lines, not its objects.
 */

#include "config.h"

#include <string.h>

#include "hotpath-lock.h"
#include "hotpath-clock-private.h"
#include "hotpath-flow-private.h"
#include "hotpath-registry-private.h"

enum
{
  LOCK_EVENT_HOLD,        /* key lock, start = acquired, end = released, extra = site << 2 | mode */
  LOCK_EVENT_WAIT,        /* key lock, start = asked, end = acquired, extra = site << 2 | mode */
  LOCK_EVENT_TRY_FAILED,  /* key lock, start = end = asked, extra = site << 2 | mode */
  LOCK_N_EVENTS,
};

typedef enum
{
  MODE_MUTEX,
  MODE_REC_MUTEX,
  MODE_READ,
  MODE_WRITE,
} LockMode;

static const char * const mode_types[] = { "mutex", "rec_mutex", "rw_lock", "rw_lock" };

#define MAX_HELD        32     /* locks one thread holds at once, nested */
#define MAX_SITE_ID     ((1u << 30) - 1)
#define N_HOLDERS       5      /* longest holders kept per lock */
#define MAX_ADDRESSES   65536  /* registered addresses remembered */

static guint32 first_kind;

/* ------------------------------------------------------------ sites */

static GMutex     sites_lock;
static GPtrArray *sites;        /* HotpathLockSite, by id - 1 */

static G_GNUC_NO_INLINE void
site_register (HotpathLockSite *site)
{
  g_mutex_lock (&sites_lock);
  if (site->id == 0)
    {
      if (sites == NULL)
        sites = g_ptr_array_new ();
      if (sites->len < MAX_SITE_ID)
        {
          g_ptr_array_add (sites, site);
          __atomic_store_n (&site->id, sites->len, __ATOMIC_RELEASE);
        }
    }
  g_mutex_unlock (&sites_lock);
}

static const HotpathLockSite *
site_lookup (guint id)
{
  const HotpathLockSite *site = NULL;

  g_mutex_lock (&sites_lock);
  if (sites != NULL && id >= 1 && id <= sites->len)
    site = g_ptr_array_index (sites, id - 1);
  g_mutex_unlock (&sites_lock);

  return site;
}

/* ------------------------------------------------------ registrations */

typedef struct
{
  char       *name;
  LockMode    mode;
  char       *file;
  guint       line;
} Registration;

static GMutex      registrations_lock;
static GHashTable *registrations;       /* lock address -> Registration */
static guint       registrations_serial;  /* bumped on every change; the worker drops its cache */

static void
registration_free (gpointer data)
{
  Registration *self = data;

  g_free (self->name);
  g_free (self->file);
  g_free (self);
}

static char *
site_name (const char *file,
           guint       line)
{
  g_autofree char *base = g_path_get_basename (file != NULL ? file : "(unknown)");

  return g_strdup_printf ("%s:%u", base, line);
}

static void
lock_register (gpointer                  lock,
               LockMode                  mode,
               const HotpathLockOptions *options,
               const HotpathSite        *site)
{
  Registration *self;

  g_return_if_fail (lock != NULL);

  self = g_new0 (Registration, 1);
  self->mode = mode;
  self->file = site != NULL && site->file != NULL ? g_path_get_basename (site->file) : NULL;
  self->line = site != NULL ? site->line : 0;
  if (options != NULL && options->label != NULL)
    self->name = g_strdup (options->label);
  else
    self->name = site_name (site != NULL ? site->file : NULL, site != NULL ? site->line : 0);

  g_mutex_lock (&registrations_lock);
  if (registrations == NULL)
    registrations = g_hash_table_new_full (NULL, NULL, NULL, registration_free);
  /* Locks in freed memory are never unregistered: forget them all rather
   * than grow without bound. Forgotten locks are named by call site. */
  if (g_hash_table_size (registrations) >= MAX_ADDRESSES)
    g_hash_table_remove_all (registrations);
  g_hash_table_insert (registrations, lock, self);
  __atomic_add_fetch (&registrations_serial, 1, __ATOMIC_RELEASE);
  g_mutex_unlock (&registrations_lock);
}

/**
 * hotpath_mutex_register:
 * @mutex: a #GMutex
 * @options: (nullable): its name
 * @site: (nullable): where it is registered
 *
 * What HOTPATH_MUTEX() calls.
 */
void
hotpath_mutex_register (GMutex                   *mutex,
                        const HotpathLockOptions *options,
                        const HotpathSite        *site)
{
  lock_register (mutex, MODE_MUTEX, options, site);
}

/**
 * hotpath_rec_mutex_register:
 * @rec_mutex: a #GRecMutex
 * @options: (nullable): its name
 * @site: (nullable): where it is registered
 *
 * What HOTPATH_REC_MUTEX() calls.
 */
void
hotpath_rec_mutex_register (GRecMutex                *rec_mutex,
                            const HotpathLockOptions *options,
                            const HotpathSite        *site)
{
  lock_register (rec_mutex, MODE_REC_MUTEX, options, site);
}

/**
 * hotpath_rw_lock_register:
 * @rw_lock: a #GRWLock
 * @options: (nullable): its name
 * @site: (nullable): where it is registered
 *
 * What HOTPATH_RW_LOCK() calls.
 */
void
hotpath_rw_lock_register (GRWLock                  *rw_lock,
                          const HotpathLockOptions *options,
                          const HotpathSite        *site)
{
  lock_register (rw_lock, MODE_READ, options, site);
}

static void
lock_unregister (gpointer lock)
{
  g_mutex_lock (&registrations_lock);
  if (registrations != NULL && g_hash_table_remove (registrations, lock))
    __atomic_add_fetch (&registrations_serial, 1, __ATOMIC_RELEASE);
  g_mutex_unlock (&registrations_lock);
}

/**
 * hotpath_mutex_clear:
 * @mutex: a #GMutex registered with HOTPATH_MUTEX()
 *
 * g_mutex_clear(), after which the profiler forgets @mutex's name, so that
 * another lock at the same address later is not taken for it. Its row
 * stays.
 */
void
hotpath_mutex_clear (GMutex *mutex)
{
  lock_unregister (mutex);
  g_mutex_clear (mutex);
}

/**
 * hotpath_rec_mutex_clear:
 * @rec_mutex: a #GRecMutex registered with HOTPATH_REC_MUTEX()
 *
 * g_rec_mutex_clear(), and the profiler forgets @rec_mutex's name.
 */
void
hotpath_rec_mutex_clear (GRecMutex *rec_mutex)
{
  lock_unregister (rec_mutex);
  g_rec_mutex_clear (rec_mutex);
}

/**
 * hotpath_rw_lock_clear:
 * @rw_lock: a #GRWLock registered with HOTPATH_RW_LOCK()
 *
 * g_rw_lock_clear(), and the profiler forgets @rw_lock's name.
 */
void
hotpath_rw_lock_clear (GRWLock *rw_lock)
{
  lock_unregister (rw_lock);
  g_rw_lock_clear (rw_lock);
}

/* ------------------------------------------------------ the hot path */

typedef struct
{
  gconstpointer lock;
  guint64       acquired;
  guint32       extra;     /* site << 2 | mode */
} Held;

typedef struct
{
  guint n;
  Held  held[MAX_HELD];
} HeldStack;

/* A pointer, not the stack itself, so the library takes 8 bytes of static
 * TLS wherever it is loaded. */
static __thread HeldStack *tls_held __attribute__((tls_model ("initial-exec")));

static void
held_stack_free (gpointer data)
{
  tls_held = NULL;
  g_free (data);
}

static GPrivate held_owner = G_PRIVATE_INIT (held_stack_free);

static G_GNUC_NO_INLINE HeldStack *
held_stack_new (void)
{
  HeldStack *stack = g_new0 (HeldStack, 1);

  g_private_set (&held_owner, stack);
  tls_held = stack;
  return stack;
}

static inline gboolean
recording (void)
{
  return __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) != HOTPATH_RECORDING_OFF;
}

static inline guint32
site_extra (HotpathLockSite *site,
            LockMode         mode)
{
  guint id = __atomic_load_n (&site->id, __ATOMIC_ACQUIRE);

  if (G_UNLIKELY (id == 0))
    {
      site_register (site);
      id = site->id;
    }
  return id << 2 | mode;
}

/* After the lock is taken: remember it until its release. */
static inline void
held_push (gconstpointer lock,
           guint64       acquired,
           guint32       extra)
{
  HeldStack *stack = tls_held;

  if (G_UNLIKELY (stack == NULL))
    stack = held_stack_new ();
  if (G_LIKELY (stack->n < MAX_HELD))
    stack->held[stack->n++] = (Held) { lock, acquired, extra };
}

/* Before the lock is released: the newest acquisition of @lock by this
 * thread, or FALSE when it was taken unmonitored (before the session, or
 * deeper than MAX_HELD). */
static inline gboolean
held_pop (gconstpointer  lock,
          Held          *out)
{
  HeldStack *stack = tls_held;

  if (G_UNLIKELY (stack == NULL || stack->n == 0))
    return FALSE;

  if (G_LIKELY (stack->held[stack->n - 1].lock == lock))
    {
      *out = stack->held[--stack->n];
      return TRUE;
    }

  /* Released out of order (hand-over-hand locking). */
  for (guint i = stack->n - 1; i > 0; i--)
    if (stack->held[i - 1].lock == lock)
      {
        *out = stack->held[i - 1];
        memmove (&stack->held[i - 1], &stack->held[i], (stack->n - i) * sizeof (Held));
        stack->n--;
        return TRUE;
      }

  return FALSE;
}

static inline void
record_release (gconstpointer lock,
                const Held   *held,
                guint64       released)
{
  if (G_LIKELY (recording ()))
    hotpath_collector_record_full (first_kind + LOCK_EVENT_HOLD, lock, held->acquired, released, held->extra);
}

/* The lock, the try and the wait, for every kind of lock. */
#define LOCK_BODY(lock, trylock_call, lock_call, mode) \
  G_STMT_START { \
    guint64 asked_; \
    guint32 extra_; \
    if (G_UNLIKELY (!recording ())) \
      { \
        lock_call; \
        return; \
      } \
    extra_ = site_extra (site, (mode)); \
    asked_ = hotpath_clock_read (); \
    if (G_UNLIKELY (!(trylock_call))) \
      { \
        guint64 acquired_; \
        lock_call; \
        acquired_ = hotpath_clock_read (); \
        hotpath_collector_record_full (first_kind + LOCK_EVENT_WAIT, (lock), asked_, acquired_, extra_); \
        asked_ = acquired_; \
      } \
    held_push ((lock), asked_, extra_); \
  } G_STMT_END

#define TRYLOCK_BODY(lock, trylock_call, mode) \
  G_STMT_START { \
    guint64 asked_; \
    guint32 extra_; \
    if (G_UNLIKELY (!recording ())) \
      return (trylock_call); \
    extra_ = site_extra (site, (mode)); \
    asked_ = hotpath_clock_read (); \
    if (!(trylock_call)) \
      { \
        hotpath_collector_record_full (first_kind + LOCK_EVENT_TRY_FAILED, (lock), asked_, asked_, extra_); \
        return FALSE; \
      } \
    held_push ((lock), asked_, extra_); \
    return TRUE; \
  } G_STMT_END

#define UNLOCK_BODY(lock, unlock_call) \
  G_STMT_START { \
    Held held_; \
    guint64 released_; \
    if (G_UNLIKELY (!held_pop ((lock), &held_))) \
      { \
        unlock_call; \
        return; \
      } \
    released_ = hotpath_clock_read (); \
    unlock_call; \
    record_release ((lock), &held_, released_); \
  } G_STMT_END

/**
 * hotpath_mutex_lock_at:
 * @mutex: a #GMutex
 * @site: the call site (hotpath_mutex_lock() makes it)
 *
 * g_mutex_lock(), monitored; what hotpath_mutex_lock() calls.
 */
void
hotpath_mutex_lock_at (GMutex          *mutex,
                       HotpathLockSite *site)
{
  LOCK_BODY (mutex, g_mutex_trylock (mutex), g_mutex_lock (mutex), MODE_MUTEX);
}

/**
 * hotpath_mutex_trylock_at:
 * @mutex: a #GMutex
 * @site: the call site (hotpath_mutex_trylock() makes it)
 *
 * g_mutex_trylock(), monitored.
 *
 * Returns: %TRUE if @mutex was taken
 */
gboolean
hotpath_mutex_trylock_at (GMutex          *mutex,
                          HotpathLockSite *site)
{
  TRYLOCK_BODY (mutex, g_mutex_trylock (mutex), MODE_MUTEX);
}

/**
 * hotpath_mutex_unlock:
 * @mutex: a #GMutex taken with hotpath_mutex_lock()
 *
 * g_mutex_unlock(), monitored.
 */
void
hotpath_mutex_unlock (GMutex *mutex)
{
  UNLOCK_BODY (mutex, g_mutex_unlock (mutex));
}

/**
 * hotpath_rec_mutex_lock_at:
 * @rec_mutex: a #GRecMutex
 * @site: the call site (hotpath_rec_mutex_lock() makes it)
 *
 * g_rec_mutex_lock(), monitored.
 */
void
hotpath_rec_mutex_lock_at (GRecMutex       *rec_mutex,
                           HotpathLockSite *site)
{
  LOCK_BODY (rec_mutex, g_rec_mutex_trylock (rec_mutex), g_rec_mutex_lock (rec_mutex), MODE_REC_MUTEX);
}

/**
 * hotpath_rec_mutex_trylock_at:
 * @rec_mutex: a #GRecMutex
 * @site: the call site (hotpath_rec_mutex_trylock() makes it)
 *
 * g_rec_mutex_trylock(), monitored.
 *
 * Returns: %TRUE if @rec_mutex was taken
 */
gboolean
hotpath_rec_mutex_trylock_at (GRecMutex       *rec_mutex,
                              HotpathLockSite *site)
{
  TRYLOCK_BODY (rec_mutex, g_rec_mutex_trylock (rec_mutex), MODE_REC_MUTEX);
}

/**
 * hotpath_rec_mutex_unlock:
 * @rec_mutex: a #GRecMutex taken with hotpath_rec_mutex_lock()
 *
 * g_rec_mutex_unlock(), monitored.
 */
void
hotpath_rec_mutex_unlock (GRecMutex *rec_mutex)
{
  UNLOCK_BODY (rec_mutex, g_rec_mutex_unlock (rec_mutex));
}

/**
 * hotpath_rw_lock_reader_lock_at:
 * @rw_lock: a #GRWLock
 * @site: the call site (hotpath_rw_lock_reader_lock() makes it)
 *
 * g_rw_lock_reader_lock(), monitored.
 */
void
hotpath_rw_lock_reader_lock_at (GRWLock         *rw_lock,
                                HotpathLockSite *site)
{
  LOCK_BODY (rw_lock, g_rw_lock_reader_trylock (rw_lock), g_rw_lock_reader_lock (rw_lock), MODE_READ);
}

/**
 * hotpath_rw_lock_reader_trylock_at:
 * @rw_lock: a #GRWLock
 * @site: the call site (hotpath_rw_lock_reader_trylock() makes it)
 *
 * g_rw_lock_reader_trylock(), monitored.
 *
 * Returns: %TRUE if a read lock was taken
 */
gboolean
hotpath_rw_lock_reader_trylock_at (GRWLock         *rw_lock,
                                   HotpathLockSite *site)
{
  TRYLOCK_BODY (rw_lock, g_rw_lock_reader_trylock (rw_lock), MODE_READ);
}

/**
 * hotpath_rw_lock_reader_unlock:
 * @rw_lock: a #GRWLock read-locked with hotpath_rw_lock_reader_lock()
 *
 * g_rw_lock_reader_unlock(), monitored.
 */
void
hotpath_rw_lock_reader_unlock (GRWLock *rw_lock)
{
  UNLOCK_BODY (rw_lock, g_rw_lock_reader_unlock (rw_lock));
}

/**
 * hotpath_rw_lock_writer_lock_at:
 * @rw_lock: a #GRWLock
 * @site: the call site (hotpath_rw_lock_writer_lock() makes it)
 *
 * g_rw_lock_writer_lock(), monitored.
 */
void
hotpath_rw_lock_writer_lock_at (GRWLock         *rw_lock,
                                HotpathLockSite *site)
{
  LOCK_BODY (rw_lock, g_rw_lock_writer_trylock (rw_lock), g_rw_lock_writer_lock (rw_lock), MODE_WRITE);
}

/**
 * hotpath_rw_lock_writer_trylock_at:
 * @rw_lock: a #GRWLock
 * @site: the call site (hotpath_rw_lock_writer_trylock() makes it)
 *
 * g_rw_lock_writer_trylock(), monitored.
 *
 * Returns: %TRUE if the write lock was taken
 */
gboolean
hotpath_rw_lock_writer_trylock_at (GRWLock         *rw_lock,
                                   HotpathLockSite *site)
{
  TRYLOCK_BODY (rw_lock, g_rw_lock_writer_trylock (rw_lock), MODE_WRITE);
}

/**
 * hotpath_rw_lock_writer_unlock:
 * @rw_lock: a #GRWLock write-locked with hotpath_rw_lock_writer_lock()
 *
 * g_rw_lock_writer_unlock(), monitored.
 */
void
hotpath_rw_lock_writer_unlock (GRWLock *rw_lock)
{
  UNLOCK_BODY (rw_lock, g_rw_lock_writer_unlock (rw_lock));
}

/* ------------------------------------------------------------ worker */

typedef struct
{
  guint   site;
  guint64 count;
  guint64 total;    /* ticks */
  guint64 max;
} Holder;

typedef struct
{
  guint            id;
  char            *name;
  const char      *type;
  char            *file;
  guint            line;

  guint64          acquisitions;
  guint64          contended;
  guint64          try_failed;
  guint64          reads;
  guint64          writes;
  HotpathHistogram wait;      /* ticks, contended acquisitions only */
  HotpathHistogram hold;      /* ticks */
  GArray          *holders;   /* Holder, one per call site */
} LockStats;

/* Worker only (collector lock held). */
static GHashTable *rows_by_name;     /* name -> LockStats */
static GPtrArray  *rows;             /* by id - 1 */
static GHashTable *rows_by_address;  /* lock -> LockStats: a cache */
static guint       seen_serial;

static LockStats *
lock_stats_get (const char *name,
                LockMode    mode,
                const char *file,
                guint       line)
{
  LockStats *self;

  if (rows_by_name == NULL)
    {
      rows_by_name = g_hash_table_new (g_str_hash, g_str_equal);
      rows = g_ptr_array_new ();
    }

  self = g_hash_table_lookup (rows_by_name, name);
  if (self != NULL)
    return self;

  self = g_new0 (LockStats, 1);
  self->name = g_strdup (name);
  self->type = mode_types[mode];
  self->file = g_strdup (file);
  self->line = line;
  hotpath_histogram_init_bounded (&self->wait, 192);
  hotpath_histogram_init_bounded (&self->hold, 192);
  self->holders = g_array_new (FALSE, TRUE, sizeof (Holder));
  g_ptr_array_add (rows, self);
  self->id = rows->len;
  g_hash_table_insert (rows_by_name, self->name, self);

  return self;
}

static LockStats *
lock_stats_for (gconstpointer lock,
                guint32       extra)
{
  guint serial = __atomic_load_n (&registrations_serial, __ATOMIC_ACQUIRE);
  LockStats *self;

  if (rows_by_address == NULL || serial != seen_serial ||
      g_hash_table_size (rows_by_address) >= MAX_ADDRESSES)
    {
      if (rows_by_address == NULL)
        rows_by_address = g_hash_table_new (NULL, NULL);
      g_hash_table_remove_all (rows_by_address);
      seen_serial = serial;
    }

  self = g_hash_table_lookup (rows_by_address, lock);
  if (self == NULL)
    {
      Registration *registration;

      g_mutex_lock (&registrations_lock);
      registration = registrations != NULL ? g_hash_table_lookup (registrations, lock) : NULL;
      if (registration != NULL)
        self = lock_stats_get (registration->name, registration->mode,
                               registration->file, registration->line);
      g_mutex_unlock (&registrations_lock);

      if (self == NULL)
        {
          const HotpathLockSite *site = site_lookup (extra >> 2);
          g_autofree char *name = site_name (site != NULL ? site->file : NULL,
                                             site != NULL ? site->line : 0);
          g_autofree char *file = site != NULL ? g_path_get_basename (site->file) : NULL;

          self = lock_stats_get (name, extra & 3, file, site != NULL ? site->line : 0);
        }

      g_hash_table_insert (rows_by_address, (gpointer) lock, self);
    }

  return self;
}

static void
holder_add (LockStats *self,
            guint      site,
            guint64    ticks)
{
  Holder *holder = NULL;

  for (guint i = 0; i < self->holders->len; i++)
    if (g_array_index (self->holders, Holder, i).site == site)
      {
        holder = &g_array_index (self->holders, Holder, i);
        break;
      }

  if (holder == NULL)
    {
      g_array_set_size (self->holders, self->holders->len + 1);
      holder = &g_array_index (self->holders, Holder, self->holders->len - 1);
      holder->site = site;
    }

  holder->count++;
  holder->total += ticks;
  holder->max = MAX (holder->max, ticks);
}

static void
lock_aggregate (const HotpathEvent        *event,
                const HotpathEventContext *context)
{
  LockStats *self;
  guint64 ticks;

  if (event->start < context->session_start_ticks)
    return;

  self = lock_stats_for (event->key, event->reserved);
  ticks = event->end >= event->start ? event->end - event->start : 0;

  switch (context->kind)
    {
    case LOCK_EVENT_HOLD:
      self->acquisitions++;
      if ((event->reserved & 3) == MODE_READ)
        self->reads++;
      else if ((event->reserved & 3) == MODE_WRITE)
        self->writes++;
      hotpath_histogram_record (&self->hold, ticks);
      holder_add (self, event->reserved >> 2, ticks);
      break;

    case LOCK_EVENT_WAIT:
      self->contended++;
      hotpath_histogram_record (&self->wait, ticks);
      break;

    case LOCK_EVENT_TRY_FAILED:
      self->try_failed++;
      break;

    default:
      break;
    }
}

static void
lock_reset (void)
{
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      LockStats *self = g_ptr_array_index (rows, i);

      self->acquisitions = self->contended = self->try_failed = 0;
      self->reads = self->writes = 0;
      hotpath_histogram_reset (&self->wait);
      hotpath_histogram_reset (&self->hold);
      g_array_set_size (self->holders, 0);
    }
}

/* ---------------------------------------------------------- snapshot */

typedef struct
{
  char    *location;   /* file:line */
  char    *function;
  guint64  count;
  guint64  total_ns;
  guint64  max_ns;
} HolderRow;

typedef struct
{
  guint            id;
  char            *name;
  const char      *type;
  char            *file;
  guint            line;
  guint64          acquisitions;
  guint64          contended;
  guint64          try_failed;
  guint64          reads;
  guint64          writes;
  double           ns_per_tick;
  HotpathHistogram wait;     /* ticks, every acquisition (0 when uncontended) */
  HotpathHistogram hold;     /* ticks */
  HolderRow        holders[N_HOLDERS];
  guint            n_holders;
} LockRow;

static void
lock_row_free (gpointer data)
{
  LockRow *row = data;

  g_free (row->name);
  g_free (row->file);
  hotpath_histogram_clear (&row->wait);
  hotpath_histogram_clear (&row->hold);
  for (guint i = 0; i < row->n_holders; i++)
    {
      g_free (row->holders[i].location);
      g_free (row->holders[i].function);
    }
  g_free (row);
}

static int
compare_holders (gconstpointer a,
                 gconstpointer b)
{
  const Holder *x = a;
  const Holder *y = b;

  if (x->max != y->max)
    return x->max < y->max ? 1 : -1;
  return (x->site > y->site) - (x->site < y->site);
}

static gpointer
lock_snapshot (const HotpathSnapshotContext *context)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (lock_row_free);
  double ns_per_tick = 1e9 / hotpath_clock_get_ticks_per_second ();

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      LockStats *self = g_ptr_array_index (rows, i);
      g_autoptr(GArray) holders = NULL;
      LockRow *row;

      if (self->acquisitions == 0 && self->try_failed == 0 && self->contended == 0)
        continue;

      row = g_new0 (LockRow, 1);
      row->id = self->id;
      row->name = g_strdup (self->name);
      row->type = self->type;
      row->file = g_strdup (self->file);
      row->line = self->line;
      row->acquisitions = self->acquisitions;
      row->contended = self->contended;
      row->try_failed = self->try_failed;
      row->reads = self->reads;
      row->writes = self->writes;
      row->ns_per_tick = ns_per_tick;
      hotpath_histogram_copy (&row->wait, &self->wait);
      /* Uncontended acquisitions waited 0: the percentiles are those of
       * every acquisition. */
      if (self->acquisitions > self->contended)
        hotpath_histogram_record_n (&row->wait, 0, self->acquisitions - self->contended);
      hotpath_histogram_copy (&row->hold, &self->hold);

      holders = g_array_copy (self->holders);
      g_array_sort (holders, compare_holders);
      for (guint j = 0; j < holders->len && row->n_holders < N_HOLDERS; j++)
        {
          const Holder *holder = &g_array_index (holders, Holder, j);
          const HotpathLockSite *site = site_lookup (holder->site);
          HolderRow *dest = &row->holders[row->n_holders++];

          dest->location = site_name (site != NULL ? site->file : NULL, site != NULL ? site->line : 0);
          dest->function = g_strdup (site != NULL ? site->function : NULL);
          dest->count = holder->count;
          dest->total_ns = (guint64) (holder->total * ns_per_tick);
          dest->max_ns = (guint64) (holder->max * ns_per_tick);
        }

      g_ptr_array_add (out, row);
    }

  return out;
}

/* --------------------------------------------------------------- rows */

enum { F_ID, F_NAME, F_TYPE, F_ACQUISITIONS, F_CONTENDED, F_TRY_FAILED, F_READS, F_WRITES,
       F_WAIT, F_HOLD, F_HOLDERS, F_FILE, F_LINE };

static void
lock_row_get (gconstpointer       data,
              const HotpathField *field,
              HotpathValue       *value)
{
  const LockRow *row = data;

  switch (field->arg)
    {
    case F_ID: hotpath_value_set_uint (value, row->id); break;
    case F_NAME: hotpath_value_set_string (value, row->name); break;
    case F_TYPE: hotpath_value_set_string (value, row->type); break;
    case F_ACQUISITIONS: hotpath_value_set_uint (value, row->acquisitions); break;
    case F_CONTENDED: hotpath_value_set_uint (value, row->contended); break;
    case F_TRY_FAILED: hotpath_value_set_uint (value, row->try_failed); break;
    case F_READS: hotpath_value_set_uint (value, row->reads); break;
    case F_WRITES: hotpath_value_set_uint (value, row->writes); break;
    case F_WAIT: hotpath_value_set_histogram (value, &row->wait, row->ns_per_tick); break;
    case F_HOLD: hotpath_value_set_histogram (value, &row->hold, row->ns_per_tick); break;
    case F_HOLDERS: hotpath_value_set_rows (value, row); break;
    case F_FILE: hotpath_value_set_string (value, row->file); break;
    case F_LINE: hotpath_value_set_uint (value, row->line); break;
    default: g_assert_not_reached ();
    }
}

enum { H_LOCATION, H_FUNCTION, H_COUNT, H_TOTAL, H_MAX };

static void
holder_get (gconstpointer       data,
            const HotpathField *field,
            HotpathValue       *value)
{
  const HolderRow *holder = data;

  switch (field->arg)
    {
    case H_LOCATION: hotpath_value_set_string (value, holder->location); break;
    case H_FUNCTION: hotpath_value_set_string (value, holder->function); break;
    case H_COUNT: hotpath_value_set_uint (value, holder->count); break;
    case H_TOTAL: hotpath_value_set_uint (value, holder->total_ns); break;
    case H_MAX: hotpath_value_set_uint (value, holder->max_ns); break;
    default: g_assert_not_reached ();
    }
}

static guint
holders_count (gconstpointer container)
{
  return ((const LockRow *) container)->n_holders;
}

static gconstpointer
holders_nth (gconstpointer container,
             guint         index)
{
  return &((const LockRow *) container)->holders[index];
}

static const HotpathField holder_fields[] = {
  { "location", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The call site that took the lock, file:line", "Site", NULL, NULL, holder_get, H_LOCATION },
  { "function", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The function at that site", "Function", NULL, NULL, holder_get, H_FUNCTION },
  { "count", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Acquisitions from that site", "Count", NULL, NULL, holder_get, H_COUNT },
  { "total_ns", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NS, "Time held from that site", "Total", NULL, NULL, holder_get, H_TOTAL },
  { "max_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "Longest hold from that site", "Max", NULL, NULL, holder_get, H_MAX },
};

static const HotpathRowsDesc holder_rows = {
  holder_fields, G_N_ELEMENTS (holder_fields), holders_count, holders_nth,
};

static const HotpathField lock_fields[] = {
  { "id", HOTPATH_FIELD_ID, HOTPATH_UNIT_NONE, "The lock's id, stable for the life of the process", NULL, NULL, NULL, lock_row_get, F_ID },
  { "name", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The lock's label, or the call site that registered or first took it", "Lock", NULL, NULL, lock_row_get, F_NAME },
  { "type", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "mutex, rec_mutex or rw_lock", "Type", NULL, NULL, lock_row_get, F_TYPE },
  { "acquisitions", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Times the lock was taken and released", "Acquired", NULL, NULL, lock_row_get, F_ACQUISITIONS },
  { "contended", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Acquisitions that had to wait for another holder", "Contended", NULL, NULL, lock_row_get, F_CONTENDED },
  { "try_failed", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "trylock calls that found the lock taken", NULL, NULL, NULL, lock_row_get, F_TRY_FAILED },
  { "reads", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Read acquisitions (rw_lock)", NULL, NULL, NULL, lock_row_get, F_READS },
  { "writes", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Write acquisitions (rw_lock)", NULL, NULL, NULL, lock_row_get, F_WRITES },
  { "wait_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "Time to acquire the lock, 0 when uncontended", "Wait", NULL, NULL, lock_row_get, F_WAIT },
  { "hold_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "Time the lock was held", "Hold", NULL, NULL, lock_row_get, F_HOLD },
  { "holders", HOTPATH_FIELD_ROWS, HOTPATH_UNIT_NONE, "The call sites that held the lock longest, longest first", NULL, NULL, &holder_rows, lock_row_get, F_HOLDERS },
  { "file", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "Where the lock was registered or first taken", NULL, NULL, NULL, lock_row_get, F_FILE },
  { "line", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "Its line", NULL, NULL, NULL, lock_row_get, F_LINE },
};

static const HotpathRowsDesc lock_rows = {
  lock_fields, G_N_ELEMENTS (lock_fields), hotpath_flow_rows_count, hotpath_flow_rows_nth,
};

const HotpathSectionDesc hotpath_locks_section = {
  .name = "locks",
  .title = "locks",
  .description = "GMutex, GRecMutex and GRWLock taken with the hotpath_*_lock calls: acquisitions, contention, wait and hold times, longest holders",
  .schema_def = "locks_section",
  .n_event_kinds = LOCK_N_EVENTS,
  .first_event_kind = &first_kind,
  .aggregate = lock_aggregate,
  .reset = lock_reset,
  .snapshot = lock_snapshot,
  .free_data = hotpath_flow_rows_free,
  .rows = &lock_rows,
  .when_empty = "no monitored lock taken",
  .item_noun = "lock",
  .items_noun = "locks",
  .order = "by id",
};
