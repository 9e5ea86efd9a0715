/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * alloc-instrumented.c: built like a measure-all target
 * (-finstrument-functions), for test-alloc.
 */

#include "config.h"

#include <stdlib.h>

#include <glib.h>

#include "alloc-instrumented.h"

static gpointer volatile instrumented_sink;

G_GNUC_NO_INLINE void
alloc_instrumented_inner (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      gpointer block = malloc (40);

      instrumented_sink = block;
      free (block);
    }
}

G_GNUC_NO_INLINE void
alloc_instrumented_outer (guint n)
{
  gpointer block = malloc (100);

  alloc_instrumented_inner (n);
  instrumented_sink = block;
  free (block);
}
