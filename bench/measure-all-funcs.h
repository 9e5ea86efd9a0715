/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define MA_BENCH_N_MANY 64

void ma_bench_empty (void);
void ma_bench_filtered (void);
extern void (*const ma_bench_many[MA_BENCH_N_MANY]) (void);
