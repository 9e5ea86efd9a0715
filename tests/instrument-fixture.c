/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * instrument-fixture.c: built with the measure-all flags, for
 * test-instrument.
 */

#include "config.h"

#include "instrument-fixture.h"

G_GNUC_NO_INLINE void
fixture_leaf (void)
{
  __asm__ volatile ("" ::: "memory");
}

G_GNUC_NO_INLINE void
fixture_parent (guint n)
{
  for (guint i = 0; i < n; i++)
    fixture_leaf ();
}

G_GNUC_NO_INLINE guint
fixture_recurse (guint n)
{
  return n == 0 ? 0 : fixture_recurse (n - 1) + 1;
}
