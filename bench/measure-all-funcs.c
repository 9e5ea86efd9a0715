/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * measure-all-funcs.c: built with the library's measure_all_cflags, for
 * bench/measure-all: an empty function, one that HOTPATH_NOTRACE leaves
 * out, and 64 distinct ones called in turn (so the hooks' per-thread cache
 * holds many functions at once, as in a real program).
 */

#include "config.h"

#include "measure-all-funcs.h"

#define EMPTY_BODY __asm__ volatile ("" ::: "memory")

void ma_bench_empty (void) { EMPTY_BODY; }
void ma_bench_filtered (void) { EMPTY_BODY; }

#define F(n) static void ma_bench_f##n (void) { EMPTY_BODY; }
#define F8(n) F(n##0) F(n##1) F(n##2) F(n##3) F(n##4) F(n##5) F(n##6) F(n##7)
F8(0) F8(1) F8(2) F8(3) F8(4) F8(5) F8(6) F8(7)
#undef F

#define F(n) ma_bench_f##n,
void (*const ma_bench_many[MA_BENCH_N_MANY]) (void) = {
  F8(0) F8(1) F8(2) F8(3) F8(4) F8(5) F8(6) F8(7)
};
