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

/* Bits of HotpathAllocThread.mode private to this library. */
#define MODE_CALL_USABLE   0x40000000u  /* the chunk header cannot be read */
#define MODE_INTERNAL_MASK 0x0ffffffeu

/* glibc keeps a chunk's size in the word before the block, with flags in
 * the low three bits. */
#define CHUNK_IS_MMAPPED ((size_t) 0x2)
#define CHUNK_FLAGS      ((size_t) 0x7)

/* 1 once the constructor found the header reading right, 2 if wrong. */
static int usable_size_checked;

/* Plain stores, but atomic ones: other threads read the counters. */
#define STORE(field, value) __atomic_store_n (&(field), (value), __ATOMIC_RELAXED)
#define LOAD(field)         __atomic_load_n (&(field), __ATOMIC_RELAXED)

static inline __attribute__((always_inline)) void
count_alloc_no_peaks (HotpathAllocThread *t,
                      size_t              request,
                      size_t              size)
{
  STORE (t->request_bytes, t->request_bytes + request);
  STORE (t->alloc_bytes, t->alloc_bytes + size);
  STORE (t->alloc_count, t->alloc_count + 1);
}

static inline __attribute__((always_inline)) void
count_alloc_fast (HotpathAllocThread *t,
                  size_t              request,
                  size_t              size)
{
  uint64_t alloc_bytes = t->alloc_bytes + size;
  uint64_t alloc_count = t->alloc_count + 1;
  int64_t live_bytes = (int64_t) (alloc_bytes - t->free_bytes);
  int64_t live_count = (int64_t) (alloc_count - t->free_count);

  STORE (t->request_bytes, t->request_bytes + request);
  STORE (t->alloc_bytes, alloc_bytes);
  STORE (t->alloc_count, alloc_count);
  if (live_bytes > t->peak_bytes)
    STORE (t->peak_bytes, live_bytes);
  if (live_count > t->peak_count)
    STORE (t->peak_count, live_count);
}

static inline __attribute__((always_inline)) void
count_free_fast (HotpathAllocThread *t,
                 size_t              size)
{
  STORE (t->free_bytes, t->free_bytes + size);
  STORE (t->free_count, t->free_count + 1);
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

  STORE (t->mode, (t->mode - HOTPATH_ALLOC_MODE_INTERNAL) | HOTPATH_ALLOC_MODE_REGISTERED |
                 (usable_size_checked == 2 ? MODE_CALL_USABLE : 0));
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
  if (mode & MODE_INTERNAL_MASK)
    return 0;

  if (!(mode & HOTPATH_ALLOC_MODE_REGISTERED))
    thread_register (t);
  return 1;
}

/* The usable size of a block, read from its chunk header: 8 bytes of the
 * chunk are header, 16 for a chunk of its own mapping. */
static inline __attribute__((always_inline)) size_t
header_usable_size (void *block)
{
  size_t header = ((size_t *) block)[-1];

  return (header & ~(size_t) CHUNK_FLAGS) - sizeof (size_t) - ((header & CHUNK_IS_MMAPPED) << 2);
}

/* The fast path reads malloc_usable_size() from the chunk header instead
 * of calling it. The constructor checks that reading against glibc for
 * plain, aligned and mmapped blocks; if glibc ever lays chunks out
 * differently, every thread takes the slow path, which calls glibc. */
static void
check_usable_size (void)
{
  static const size_t sizes[] = { 0, 1, 24, 25, 100, 1000, 5000, 200000, 4 << 20 };
  int ok = 1;

  for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    {
      void *block = __libc_malloc (sizes[i]);
      void *aligned = __libc_memalign (256, sizes[i]);

      if (block == NULL || aligned == NULL)
        ok = 0;
      else
        ok &= header_usable_size (block) == malloc_usable_size (block) &&
              header_usable_size (aligned) == malloc_usable_size (aligned);
      __libc_free (block);
      __libc_free (aligned);
    }

  __atomic_store_n (&usable_size_checked, ok ? 1 : 2, __ATOMIC_RELAXED);
  if (!ok)
    STORE (tls.mode, tls.mode | MODE_CALL_USABLE);
}

static __attribute__((noinline)) void *
counted_slow (void   *block,
              size_t  request)
{
  HotpathAllocThread *t = &tls;
  size_t size = malloc_usable_size (block);

  if (slow_path (t, request, size, 1))
    count_alloc_fast (t, request, size);
  return block;
}

/* Counts @block and returns it. Called in tail position, so that malloc
 * keeps only @size across the call into glibc; its fast path is a leaf
 * that needs no stack frame, everything else is in counted_slow(). */
static __attribute__((noinline)) void *
counted (void   *block,
         size_t  request)
{
  HotpathAllocThread *t = &tls;
  uint32_t mode = t->mode;

  if (LIKELY (mode == HOTPATH_ALLOC_MODE_COUNTING))
    count_alloc_no_peaks (t, request, header_usable_size (block));
  else if (LIKELY (mode == (HOTPATH_ALLOC_MODE_COUNTING | HOTPATH_ALLOC_MODE_PEAKS)))
    count_alloc_fast (t, request, header_usable_size (block));
  else
    return counted_slow (block, request);
  return block;
}

static __attribute__((noinline)) void
uncount_slow (void *block)
{
  HotpathAllocThread *t = &tls;
  size_t size = malloc_usable_size (block);

  if (slow_path (t, 0, size, 0))
    count_free_fast (t, size);
}

EXPORT void *
malloc (size_t size)
{
  void *block = __libc_malloc (size);

  if (UNLIKELY (block == NULL))
    return NULL;
  return counted (block, size);
}

EXPORT void
free (void *ptr)
{
  HotpathAllocThread *t = &tls;

  if (ptr == NULL)
    return;

  if (LIKELY ((t->mode & ~HOTPATH_ALLOC_MODE_PEAKS) == HOTPATH_ALLOC_MODE_COUNTING))
    count_free_fast (t, header_usable_size (ptr));
  else
    uncount_slow (ptr);
  __libc_free (ptr);
}

EXPORT void *
calloc (size_t n,
        size_t size)
{
  void *block = __libc_calloc (n, size);

  if (UNLIKELY (block == NULL))
    return NULL;
  return counted (block, n * size);  /* calloc checked the product */
}

/* One free of the old block and one allocation of the new one, even when
 * glibc grows or shrinks the block in place. */
EXPORT void *
realloc (void   *ptr,
         size_t  size)
{
  HotpathAllocThread *t = &tls;
  size_t old_size;
  void *block;

  if (ptr == NULL)
    return malloc (size);

  old_size = (t->mode & ~HOTPATH_ALLOC_MODE_PEAKS) == HOTPATH_ALLOC_MODE_COUNTING
               ? header_usable_size (ptr) : malloc_usable_size (ptr);
  block = __libc_realloc (ptr, size);

  /* A failed realloc leaves ptr as it was; realloc (ptr, 0) frees ptr and
   * returns NULL. */
  if (block == NULL && size != 0)
    return NULL;

  if (LIKELY ((t->mode & ~HOTPATH_ALLOC_MODE_PEAKS) == HOTPATH_ALLOC_MODE_COUNTING) ||
      slow_path (t, 0, old_size, 0))
    count_free_fast (t, old_size);

  if (block == NULL)
    return NULL;
  return counted (block, size);
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

  if (UNLIKELY (block == NULL))
    return NULL;
  return counted (block, size);
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

  *memptr = counted (block, size);
  return 0;
}

EXPORT void *
valloc (size_t size)
{
  void *block = __libc_valloc (size);

  if (UNLIKELY (block == NULL))
    return NULL;
  return counted (block, size);
}

EXPORT void *
pvalloc (size_t size)
{
  void *block = __libc_pvalloc (size);

  if (UNLIKELY (block == NULL))
    return NULL;
  return counted (block, size);
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

/* fork(): the child has only the forking thread. The registry lock is
 * held across fork() so the list is consistent, and in the child the
 * other threads' counters move to the exited totals. */
static void
atfork_prepare (void)
{
  /* Registering takes the lock: not while holding it. */
  (void) hotpath_alloc_thread_get ();
  pthread_mutex_lock (&registry_lock);
}

static void
atfork_parent (void)
{
  pthread_mutex_unlock (&registry_lock);
}

static void
atfork_child (void)
{
  HotpathAllocThread *self = &tls;
  int self_listed = 0;

  for (HotpathAllocThread *t = threads; t != NULL; t = t->next)
    {
      if (t == self)
        {
          self_listed = 1;
          continue;
        }
      exited.request_bytes += t->request_bytes;
      exited.alloc_bytes += t->alloc_bytes;
      exited.alloc_count += t->alloc_count;
      exited.free_bytes += t->free_bytes;
      exited.free_count += t->free_count;
    }
  threads = NULL;
  if (self_listed)
    {
      self->next = NULL;
      threads = self;
#ifdef SYS_gettid
      self->thread_id = (uint64_t) syscall (SYS_gettid);
#endif
    }

  pthread_mutex_init (&registry_lock, NULL);
}

__attribute__((constructor (101))) static void
hotpath_alloc_init (void)
{
  pthread_once (&key_once, create_key);
  pthread_atfork (atfork_prepare, atfork_parent, atfork_child);
  check_usable_size ();
  if (env_lookup ("G_SLICE") == NULL)
    setenv ("G_SLICE", "always-malloc", 0);
}
