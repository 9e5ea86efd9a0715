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
 * HotpathLockOptions:
 * @label: (nullable): the name to report; the call site `file:line` if %NULL
 *
 * What HOTPATH_MUTEX(), HOTPATH_REC_MUTEX() and HOTPATH_RW_LOCK() accept as
 * designated initializers.
 */
typedef struct _HotpathLockOptions
{
  const char *label;
} HotpathLockOptions;

/**
 * HotpathLockSite:
 * @function: the function that takes the lock (`__func__`)
 * @file: the source file (`__FILE__`)
 * @line: the source line
 * @id: assigned by the profiler on the site's first use; 0 until then
 *
 * One place that takes a monitored lock; the profiler keeps the longest
 * holders of each lock by this site. The lock calls make one static site
 * per call.
 */
typedef struct _HotpathLockSite
{
  const char *function;
  const char *file;
  guint       line;
  guint       id;
} HotpathLockSite;

HOTPATH_AVAILABLE_IN_0_2
void     hotpath_mutex_register              (GMutex                   *mutex,
                                              const HotpathLockOptions *options,
                                              const HotpathSite        *site);
HOTPATH_AVAILABLE_IN_0_2
void     hotpath_rec_mutex_register          (GRecMutex                *rec_mutex,
                                              const HotpathLockOptions *options,
                                              const HotpathSite        *site);
HOTPATH_AVAILABLE_IN_0_2
void     hotpath_rw_lock_register            (GRWLock                  *rw_lock,
                                              const HotpathLockOptions *options,
                                              const HotpathSite        *site);
HOTPATH_AVAILABLE_IN_0_2
void     hotpath_mutex_clear                 (GMutex                   *mutex);
HOTPATH_AVAILABLE_IN_0_2
void     hotpath_rec_mutex_clear             (GRecMutex                *rec_mutex);
HOTPATH_AVAILABLE_IN_0_2
void     hotpath_rw_lock_clear               (GRWLock                  *rw_lock);

HOTPATH_AVAILABLE_IN_0_2
void     hotpath_mutex_lock_at               (GMutex          *mutex,
                                              HotpathLockSite *site);
HOTPATH_AVAILABLE_IN_0_2
gboolean hotpath_mutex_trylock_at            (GMutex          *mutex,
                                              HotpathLockSite *site);
HOTPATH_AVAILABLE_IN_0_2
void     hotpath_mutex_unlock                (GMutex          *mutex);

HOTPATH_AVAILABLE_IN_0_2
void     hotpath_rec_mutex_lock_at           (GRecMutex       *rec_mutex,
                                              HotpathLockSite *site);
HOTPATH_AVAILABLE_IN_0_2
gboolean hotpath_rec_mutex_trylock_at        (GRecMutex       *rec_mutex,
                                              HotpathLockSite *site);
HOTPATH_AVAILABLE_IN_0_2
void     hotpath_rec_mutex_unlock            (GRecMutex       *rec_mutex);

HOTPATH_AVAILABLE_IN_0_2
void     hotpath_rw_lock_reader_lock_at      (GRWLock         *rw_lock,
                                              HotpathLockSite *site);
HOTPATH_AVAILABLE_IN_0_2
gboolean hotpath_rw_lock_reader_trylock_at   (GRWLock         *rw_lock,
                                              HotpathLockSite *site);
HOTPATH_AVAILABLE_IN_0_2
void     hotpath_rw_lock_reader_unlock       (GRWLock         *rw_lock);
HOTPATH_AVAILABLE_IN_0_2
void     hotpath_rw_lock_writer_lock_at      (GRWLock         *rw_lock,
                                              HotpathLockSite *site);
HOTPATH_AVAILABLE_IN_0_2
gboolean hotpath_rw_lock_writer_trylock_at   (GRWLock         *rw_lock,
                                              HotpathLockSite *site);
HOTPATH_AVAILABLE_IN_0_2
void     hotpath_rw_lock_writer_unlock       (GRWLock         *rw_lock);

#define _HOTPATH_LOCK_SITE \
  __extension__ ({ static HotpathLockSite hotpath_lock_site_ = { __func__, __FILE__, __LINE__, 0 }; \
     &hotpath_lock_site_; })

#define _HOTPATH_LOCK_REGISTER(func, lock, ...) \
  __extension__ ({ \
    _HOTPATH_DEFAULTS_BEGIN \
    const HotpathLockOptions hotpath_lock_options_ = { .label = NULL, __VA_ARGS__ }; \
    _HOTPATH_DEFAULTS_END \
    func ((lock), &hotpath_lock_options_, _HOTPATH_SITE (NULL)); \
  })

/**
 * HOTPATH_MUTEX:
 * @mutex: a #GMutex
 * @...: designated initializers for #HotpathLockOptions: `.label = "cache"`
 *
 * Names @mutex in the `locks` section; call it once, before the lock is
 * used. Take and release it with hotpath_mutex_lock(),
 * hotpath_mutex_trylock() and hotpath_mutex_unlock(): they act exactly
 * like their `g_mutex_*` namesakes and count acquisitions, the ones that
 * had to wait, the wait and the hold time, and the longest holders by call
 * site. A lock taken with those calls and never registered is reported
 * under the call site that first took it. A lock in memory that is freed
 * (a lock in an object or on the stack) is cleared with
 * hotpath_mutex_clear(), so that another lock later at the same address is
 * not taken for it. Off, this is nothing and the calls are GLib's.
 */
#define HOTPATH_MUTEX(mutex, ...) _HOTPATH_LOCK_REGISTER (hotpath_mutex_register, mutex, __VA_ARGS__)

/**
 * HOTPATH_REC_MUTEX:
 * @rec_mutex: a #GRecMutex
 * @...: designated initializers for #HotpathLockOptions
 *
 * HOTPATH_MUTEX() for a #GRecMutex, taken with hotpath_rec_mutex_lock(),
 * hotpath_rec_mutex_trylock() and hotpath_rec_mutex_unlock(). Every lock
 * and unlock pair counts, nested ones included.
 */
#define HOTPATH_REC_MUTEX(rec_mutex, ...) _HOTPATH_LOCK_REGISTER (hotpath_rec_mutex_register, rec_mutex, __VA_ARGS__)

/**
 * HOTPATH_RW_LOCK:
 * @rw_lock: a #GRWLock
 * @...: designated initializers for #HotpathLockOptions
 *
 * HOTPATH_MUTEX() for a #GRWLock, taken with the
 * `hotpath_rw_lock_reader_*` and `hotpath_rw_lock_writer_*` calls; reads
 * and writes are also counted apart.
 */
#define HOTPATH_RW_LOCK(rw_lock, ...) _HOTPATH_LOCK_REGISTER (hotpath_rw_lock_register, rw_lock, __VA_ARGS__)

/**
 * hotpath_mutex_lock:
 * @mutex: a #GMutex
 *
 * g_mutex_lock(), monitored.
 */
#define hotpath_mutex_lock(mutex) hotpath_mutex_lock_at ((mutex), _HOTPATH_LOCK_SITE)
/**
 * hotpath_mutex_trylock:
 * @mutex: a #GMutex
 *
 * g_mutex_trylock(), monitored.
 *
 * Returns: %TRUE if @mutex was taken
 */
#define hotpath_mutex_trylock(mutex) hotpath_mutex_trylock_at ((mutex), _HOTPATH_LOCK_SITE)
#define hotpath_rec_mutex_lock(rec_mutex) hotpath_rec_mutex_lock_at ((rec_mutex), _HOTPATH_LOCK_SITE)
#define hotpath_rec_mutex_trylock(rec_mutex) hotpath_rec_mutex_trylock_at ((rec_mutex), _HOTPATH_LOCK_SITE)
#define hotpath_rw_lock_reader_lock(rw_lock) hotpath_rw_lock_reader_lock_at ((rw_lock), _HOTPATH_LOCK_SITE)
#define hotpath_rw_lock_reader_trylock(rw_lock) hotpath_rw_lock_reader_trylock_at ((rw_lock), _HOTPATH_LOCK_SITE)
#define hotpath_rw_lock_writer_lock(rw_lock) hotpath_rw_lock_writer_lock_at ((rw_lock), _HOTPATH_LOCK_SITE)
#define hotpath_rw_lock_writer_trylock(rw_lock) hotpath_rw_lock_writer_trylock_at ((rw_lock), _HOTPATH_LOCK_SITE)

G_END_DECLS
