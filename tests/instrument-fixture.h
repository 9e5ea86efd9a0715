/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void  fixture_leaf    (void);
void  fixture_parent  (guint n);
guint fixture_recurse (guint n);

G_END_DECLS
