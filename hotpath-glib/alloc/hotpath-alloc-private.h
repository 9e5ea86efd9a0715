/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-alloc-private.h: what libhotpath-glib-alloc-1 (the malloc
 * interposer, alloc/) and libhotpath-glib-1 (the core) share.
 *
 * The alloc library keeps one HotpathAllocThread per thread in initial-exec
 * TLS and exports hotpath_alloc_thread_get() and friends. The core declares
 * them weak: without the alloc library they resolve to NULL and the core
 * never tracks allocations. Only plain C types here: the alloc library does
 * not link GLib.
 */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HOTPATH_ALLOC_ABI_VERSION 1

/* HotpathAllocThread.mode: the hot path counts only when mode is exactly
 * HOTPATH_ALLOC_MODE_COUNTING, with or without HOTPATH_ALLOC_MODE_PEAKS;
 * anything else takes the slow path. */
#define HOTPATH_ALLOC_MODE_REGISTERED 1u           /* on the list of threads */
#define HOTPATH_ALLOC_MODE_INTERNAL   2u           /* added per nested profiler section */
#define HOTPATH_ALLOC_MODE_PEAKS      0x10000000u  /* a measured scope is open: keep the
                                                    * peak fields up to date (set by the core) */
#define HOTPATH_ALLOC_MODE_DEAD       0x80000000u  /* its thread-exit destructor ran */
#define HOTPATH_ALLOC_MODE_COUNTING   HOTPATH_ALLOC_MODE_REGISTERED

/* Two sizes per allocation: request_bytes adds what the program asked
 * for (N mallocs of K bytes add N * K, whatever the allocator rounds to);
 * alloc_bytes, free_bytes and the live and peak figures use the block's
 * malloc_usable_size(), on allocation and on free alike, so that
 * live = allocated - freed is exact without knowing what a freed block was
 * asked for. */
typedef struct _HotpathAllocThread HotpathAllocThread;

struct __attribute__((aligned (64))) _HotpathAllocThread
{
  /* Written by the owning thread only; read by others with relaxed loads. */
  uint32_t            mode;
  uint32_t            abi;
  uint64_t            request_bytes;
  uint64_t            alloc_bytes;
  uint64_t            alloc_count;
  /* Live = allocated - freed (see hotpath_alloc_thread_live_bytes()); it is
   * not stored, so that malloc and free each update their own counters and
   * a malloc/free loop has no chain of updates through one field. */
  uint64_t            free_bytes;
  uint64_t            free_count;
  /* High-water marks of live bytes and live blocks since the core last set
   * them (the core lowers them to the live values when a measured scope
   * begins, to find the peak inside the scope). Kept only while the core
   * sets HOTPATH_ALLOC_MODE_PEAKS, so that allocations outside measured
   * scopes pay nothing for them. */
  int64_t             peak_bytes;
  int64_t             peak_count;

  /* Owned by the alloc library's registry lock; off the hot line. */
  uint64_t            thread_id __attribute__((aligned (64)));
  HotpathAllocThread *next;
};

/* Live figures are negative on a thread that frees other threads' blocks. */
static inline int64_t
hotpath_alloc_thread_live_bytes (const HotpathAllocThread *t)
{
  return (int64_t) (t->alloc_bytes - t->free_bytes);
}

static inline int64_t
hotpath_alloc_thread_live_count (const HotpathAllocThread *t)
{
  return (int64_t) (t->alloc_count - t->free_count);
}

/* Totals of one thread, or of the process. */
typedef struct
{
  uint64_t thread_id;      /* 0 for the process or for exited threads */
  uint64_t request_bytes;
  uint64_t alloc_bytes;
  uint64_t alloc_count;
  uint64_t free_bytes;
  uint64_t free_count;
} HotpathAllocTotals;

typedef void (*HotpathAllocTotalsFunc) (const HotpathAllocTotals *totals,
                                        void                     *user_data);

/* Exported by libhotpath-glib-alloc-1. */

/* The calling thread's counters; never NULL, valid until the thread exits. */
HotpathAllocThread *hotpath_alloc_thread_get    (void);
/* Calls @func for every live thread, then once with thread_id 0 for the
 * threads that have exited; returns the process totals in @process. */
void                hotpath_alloc_foreach_thread (HotpathAllocTotalsFunc func,
                                                  void                  *user_data,
                                                  HotpathAllocTotals    *process);

#ifdef __cplusplus
}
#endif
