/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-instrumented.c: compiled with the library's measure_all_cflags
 * (-finstrument-functions), so every function here calls the measure-all
 * hooks on entry and exit. bench/overhead.c times it against an empty
 * function built without the flags.
 */

#include "config.h"

#include "bench-instrumented.h"

void
bench_instrumented_empty (void)
{
  /* Keeps the call: an empty function could be dropped as having no effect. */
  __asm__ volatile ("" ::: "memory");
}
