/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-alloc.c: libhotpath-glib-alloc-1, the malloc interposer.
 *
 * A program gets it by linking it (pkg-config hotpath-glib-alloc-1) or with
 * LD_PRELOAD. Every malloc family call is forwarded to glibc's allocator
 * through the __libc_* entry points glibc exports for this purpose, so
 * there is no dlsym() bootstrap and no recursion.
 *
 * Counting: each thread has one HotpathAllocThread in initial-exec TLS.
 * An allocation adds the size asked for to the thread's requested bytes,
 * and the block's malloc_usable_size() to its allocated and live bytes; a
 * free subtracts the usable size of the block it frees. Counting usable
 * sizes on both sides keeps live bytes exact: the usable size may exceed
 * the size asked for (malloc (1) gives 24 bytes on x86_64, and a block cut
 * from a free chunk may get up to 24 more), and a free only knows the
 * block. realloc is one free of the old block plus one allocation of the
 * new one.
 *
 * The hot path is a TLS load, one compare, malloc_usable_size() and a few
 * adds to the thread's own cache line: no lock, no atomic read-modify-write.
 * Everything unusual (a thread's first allocation, the profiler's own
 * allocations, a thread that is exiting) takes the slow path.
 *
 * This library does not link GLib: it must work before GLib is loaded.
 */

#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "hotpath-alloc-private.h"

#define EXPORT __attribute__((visibility ("default")))
#define LIKELY(x)   __builtin_expect (!!(x), 1)
#define UNLIKELY(x) __builtin_expect (!!(x), 0)

/* glibc's allocator, exported by libc.so.6 for interposers. */
extern void *__libc_malloc   (size_t size);
extern void  __libc_free     (void *ptr);
extern void *__libc_calloc   (size_t n, size_t size);
extern void *__libc_realloc  (void *ptr, size_t size);
extern void *__libc_memalign (size_t alignment, size_t size);
extern void *__libc_valloc   (size_t size);
extern void *__libc_pvalloc  (size_t size);

static __thread HotpathAllocThread tls __attribute__((tls_model ("initial-exec")));

/* The registry of live threads and what exited threads left behind. */
static pthread_mutex_t     registry_lock = PTHREAD_MUTEX_INITIALIZER;
static HotpathAllocThread *threads;
static HotpathAllocTotals  exited;        /* updated atomically */
static pthread_once_t      key_once = PTHREAD_ONCE_INIT;
static pthread_key_t       exit_key;
static int                 key_ok;

/* Plain stores, but atomic ones: other threads read the counters. */
#define STORE(field, value) __atomic_store_n (&(field), (value), __ATOMIC_RELAXED)
#define LOAD(field)         __atomic_load_n (&(field), __ATOMIC_RELAXED)

static inline void
count_alloc_fast (HotpathAllocThread *t,
                  size_t              request,
                  size_t              size)
{
  int64_t live_bytes = t->live_bytes + (int64_t) size;
  int64_t live_count = t->live_count + 1;

  STORE (t->request_bytes, t->request_bytes + request);
  STORE (t->alloc_bytes, t->alloc_bytes + size);
  STORE (t->alloc_count, t->alloc_count + 1);
  STORE (t->live_bytes, live_bytes);
  STORE (t->live_count, live_count);
  if (live_bytes > t->peak_bytes)
    STORE (t->peak_bytes, live_bytes);
  if (live_count > t->peak_count)
    STORE (t->peak_count, live_count);
}

static inline void
count_free_fast (HotpathAllocThread *t,
                 size_t              size)
{
  STORE (t->free_bytes, t->free_bytes + size);
  STORE (t->free_count, t->free_count + 1);
  STORE (t->live_bytes, t->live_bytes - (int64_t) size);
  STORE (t->live_count, t->live_count - 1);
}

static void
thread_exited (void *data)
{
  HotpathAllocThread *t = data;
  HotpathAllocThread **link;

  pthread_mutex_lock (&registry_lock);
  for (link = &threads; *link != NULL; link = &(*link)->next)
    if (*link == t)
      {
        *link = t->next;
        break;
      }
  __atomic_add_fetch (&exited.request_bytes, t->request_bytes, __ATOMIC_RELAXED);
  __atomic_add_fetch (&exited.alloc_bytes, t->alloc_bytes, __ATOMIC_RELAXED);
  __atomic_add_fetch (&exited.alloc_count, t->alloc_count, __ATOMIC_RELAXED);
  __atomic_add_fetch (&exited.free_bytes, t->free_bytes, __ATOMIC_RELAXED);
  __atomic_add_fetch (&exited.free_count, t->free_count, __ATOMIC_RELAXED);
  /* From now on this thread's frees (TLS teardown) go to the exited totals. */
  STORE (t->mode, t->mode | HOTPATH_ALLOC_MODE_DEAD);
  pthread_mutex_unlock (&registry_lock);
}

static void
create_key (void)
{
  key_ok = pthread_key_create (&exit_key, thread_exited) == 0;
}

/* The thread's first call: put it on the list. Whatever registering
 * allocates (nothing, normally) is not counted. */
static void
thread_register (HotpathAllocThread *t)
{
  t->mode += HOTPATH_ALLOC_MODE_INTERNAL;

  pthread_once (&key_once, create_key);
  t->abi = HOTPATH_ALLOC_ABI_VERSION;
#ifdef SYS_gettid
  t->thread_id = (uint64_t) syscall (SYS_gettid);
#endif

  pthread_mutex_lock (&registry_lock);
  t->next = threads;
  threads = t;
  pthread_mutex_unlock (&registry_lock);

  if (key_ok)
    pthread_setspecific (exit_key, t);

  STORE (t->mode, (t->mode - HOTPATH_ALLOC_MODE_INTERNAL) | HOTPATH_ALLOC_MODE_REGISTERED);
}

/* Returns whether the caller should count on @t after all. */
static __attribute__((noinline)) int
slow_path (HotpathAllocThread *t,
           size_t              request,
           size_t              size,
           int                 is_alloc)
{
  uint32_t mode = t->mode;

  if (mode & HOTPATH_ALLOC_MODE_DEAD)
    {
      if (is_alloc)
        {
          __atomic_add_fetch (&exited.request_bytes, request, __ATOMIC_RELAXED);
          __atomic_add_fetch (&exited.alloc_bytes, size, __ATOMIC_RELAXED);
          __atomic_add_fetch (&exited.alloc_count, 1, __ATOMIC_RELAXED);
        }
      else
        {
          __atomic_add_fetch (&exited.free_bytes, size, __ATOMIC_RELAXED);
          __atomic_add_fetch (&exited.free_count, 1, __ATOMIC_RELAXED);
        }
      return 0;
    }

  /* Inside the profiler: not the program's memory. */
  if (mode & ~HOTPATH_ALLOC_MODE_REGISTERED)
    return 0;

  thread_register (t);
  return 1;
}

static inline void
count_alloc (void   *block,
             size_t  request)
{
  HotpathAllocThread *t = &tls;
  size_t size = malloc_usable_size (block);

  if (LIKELY (t->mode == HOTPATH_ALLOC_MODE_COUNTING) || slow_path (t, request, size, 1))
    count_alloc_fast (t, request, size);
}

static inline void
count_free (void *block)
{
  HotpathAllocThread *t = &tls;
  size_t size = malloc_usable_size (block);

  if (LIKELY (t->mode == HOTPATH_ALLOC_MODE_COUNTING) || slow_path (t, 0, size, 0))
    count_free_fast (t, size);
}

EXPORT void *
malloc (size_t size)
{
  void *block = __libc_malloc (size);

  if (LIKELY (block != NULL))
    count_alloc (block, size);
  return block;
}

EXPORT void
free (void *ptr)
{
  if (ptr == NULL)
    return;
  count_free (ptr);
  __libc_free (ptr);
}

EXPORT void *
calloc (size_t n,
        size_t size)
{
  void *block = __libc_calloc (n, size);

  if (LIKELY (block != NULL))
    count_alloc (block, n * size);  /* calloc checked the product */
  return block;
}

/* One free of the old block and one allocation of the new one, even when
 * glibc grows or shrinks the block in place. */
EXPORT void *
realloc (void   *ptr,
         size_t  size)
{
  size_t old_size;
  void *block;

  if (ptr == NULL)
    return malloc (size);

  old_size = malloc_usable_size (ptr);
  block = __libc_realloc (ptr, size);

  if (block != NULL || size == 0)
    {
      /* realloc (ptr, 0) frees ptr and returns NULL. */
      HotpathAllocThread *t = &tls;

      if (LIKELY (t->mode == HOTPATH_ALLOC_MODE_COUNTING) || slow_path (t, 0, old_size, 0))
        count_free_fast (t, old_size);
      if (block != NULL)
        count_alloc (block, size);
    }

  return block;
}

/* glibc's own reallocarray calls its internal realloc, which would bypass
 * us: interpose it too. */
EXPORT void *
reallocarray (void   *ptr,
              size_t  n,
              size_t  size)
{
  size_t total;

  if (__builtin_mul_overflow (n, size, &total))
    {
      errno = ENOMEM;
      return NULL;
    }
  return realloc (ptr, total);
}

EXPORT void *
memalign (size_t alignment,
          size_t size)
{
  void *block = __libc_memalign (alignment, size);

  if (LIKELY (block != NULL))
    count_alloc (block, size);
  return block;
}

EXPORT void *
aligned_alloc (size_t alignment,
               size_t size)
{
  return memalign (alignment, size);
}

EXPORT int
posix_memalign (void   **memptr,
                size_t   alignment,
                size_t   size)
{
  void *block;

  if (alignment % sizeof (void *) != 0 || alignment == 0 ||
      (alignment & (alignment - 1)) != 0)
    return EINVAL;

  block = __libc_memalign (alignment, size);
  if (block == NULL)
    return ENOMEM;

  count_alloc (block, size);
  *memptr = block;
  return 0;
}

EXPORT void *
valloc (size_t size)
{
  void *block = __libc_valloc (size);

  if (LIKELY (block != NULL))
    count_alloc (block, size);
  return block;
}

EXPORT void *
pvalloc (size_t size)
{
  void *block = __libc_pvalloc (size);

  if (LIKELY (block != NULL))
    count_alloc (block, size);
  return block;
}

/**
 * hotpath_alloc_thread_get:
 *
 * Returns: the calling thread's counters, registered
 */
EXPORT HotpathAllocThread *
hotpath_alloc_thread_get (void)
{
  HotpathAllocThread *t = &tls;

  if (UNLIKELY (!(t->mode & (HOTPATH_ALLOC_MODE_REGISTERED | HOTPATH_ALLOC_MODE_DEAD))))
    thread_register (t);
  return t;
}

static void
totals_add (HotpathAllocTotals       *sum,
            const HotpathAllocTotals *part)
{
  sum->request_bytes += part->request_bytes;
  sum->alloc_bytes += part->alloc_bytes;
  sum->alloc_count += part->alloc_count;
  sum->free_bytes += part->free_bytes;
  sum->free_count += part->free_count;
}

/**
 * hotpath_alloc_foreach_thread:
 * @func: (nullable): called per live thread, then once for exited threads
 * @user_data: for @func
 * @process: (out) (optional): the sum over every thread
 *
 * @func runs under the registry lock: it must not allocate memory unless
 * the calling thread is marked internal (allocations then do not count and
 * do not take the lock).
 */
EXPORT void
hotpath_alloc_foreach_thread (HotpathAllocTotalsFunc  func,
                              void                   *user_data,
                              HotpathAllocTotals     *process)
{
  HotpathAllocTotals sum = { 0, };
  HotpathAllocTotals part;

  pthread_mutex_lock (&registry_lock);
  for (HotpathAllocThread *t = threads; t != NULL; t = t->next)
    {
      part.thread_id = t->thread_id;
      part.request_bytes = LOAD (t->request_bytes);
      part.alloc_bytes = LOAD (t->alloc_bytes);
      part.alloc_count = LOAD (t->alloc_count);
      part.free_bytes = LOAD (t->free_bytes);
      part.free_count = LOAD (t->free_count);
      totals_add (&sum, &part);
      if (func != NULL)
        func (&part, user_data);
    }
  part.thread_id = 0;
  part.request_bytes = LOAD (exited.request_bytes);
  part.alloc_bytes = LOAD (exited.alloc_bytes);
  part.alloc_count = LOAD (exited.alloc_count);
  part.free_bytes = LOAD (exited.free_bytes);
  part.free_count = LOAD (exited.free_count);
  totals_add (&sum, &part);
  if (func != NULL)
    func (&part, user_data);
  pthread_mutex_unlock (&registry_lock);

  if (process != NULL)
    *process = sum;
}

/* GSlice on GLib < 2.76 keeps its own magazines and would hide most of
 * GLib's small allocations; G_SLICE=always-malloc sends them through
 * malloc. GLib reads the variable when it first allocates a slice, which
 * libglib's own constructor does (g_quark_init), and the order of
 * constructors between unrelated libraries is not ours to choose (an
 * LD_PRELOADed library is initialised after libglib). So getenv() is
 * interposed too: it answers "always-malloc" for G_SLICE when the variable
 * is not set. The constructor also sets it, for child processes and for
 * code that reads environ directly. A value the user set is kept. */

static char *
env_lookup (const char *name)
{
  size_t length = strlen (name);

  if (environ == NULL || length == 0 || strchr (name, '=') != NULL)
    return NULL;

  for (char **entry = environ; *entry != NULL; entry++)
    if (strncmp (*entry, name, length) == 0 && (*entry)[length] == '=')
      return *entry + length + 1;

  return NULL;
}

EXPORT char *
getenv (const char *name)
{
  char *value = env_lookup (name);

  if (UNLIKELY (value == NULL) && strcmp (name, "G_SLICE") == 0)
    return (char *) "always-malloc";

  return value;
}

__attribute__((constructor (101))) static void
hotpath_alloc_init (void)
{
  pthread_once (&key_once, create_key);
  if (env_lookup ("G_SLICE") == NULL)
    setenv ("G_SLICE", "always-malloc", 0);
}
