/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

G_GNUC_NO_INLINE
void bench_instrumented_empty (void);

G_END_DECLS
