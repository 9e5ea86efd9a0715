/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void alloc_instrumented_inner (guint n);
void alloc_instrumented_outer (guint n);

G_END_DECLS
