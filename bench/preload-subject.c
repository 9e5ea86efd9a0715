/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * preload-subject: what bench/preload times. Built twice: plain (no
 * hotpath-glib; bench/preload runs it alone and under `hotpath run`'s
 * preloaded library) and WATCHED (linked, with HOTPATH_MAIN, a watched idle
 * source and a watched handler: the cost the preload must not exceed).
 *
 *   preload-subject N_DISPATCHES N_EMISSIONS
 *
 * prints "dispatch_ns=D emit_ns=E": one main-context iteration that
 * dispatches an idle source, and one g_signal_emit() to one handler. Each
 * is timed in chunks of CHUNK and the fastest tenth of chunks counts: on a
 * shared machine, a chunk the scheduler interrupted says nothing about us.
 */

#include <stdio.h>
#include <stdlib.h>
#include <glib-object.h>
#ifdef WATCHED
# include <hotpath-glib/hotpath.h>
#endif

typedef struct { GObject parent; } Pinger;
typedef struct { GObjectClass parent_class; } PingerClass;

static GType pinger_get_type (void);
G_DEFINE_TYPE (Pinger, pinger, G_TYPE_OBJECT)

static guint ping_signal;

static void
pinger_class_init (PingerClass *klass)
{
  ping_signal = g_signal_new ("ping", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                              NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pinger_init (Pinger *self)
{
}

#define CHUNK 1000

static guint64 dispatches;
static guint64 pings;

static gboolean
on_idle (gpointer data)
{
  dispatches++;
  return G_SOURCE_CONTINUE;
}

static void
on_ping (Pinger   *pinger,
         gpointer  data)
{
  pings++;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
fastest_tenth (GArray *chunks)
{
  g_array_sort (chunks, compare_doubles);

  return g_array_index (chunks, double, chunks->len / 10);
}

int
main (int   argc,
      char *argv[])
{
#ifdef WATCHED
  HOTPATH_MAIN (.format = HOTPATH_FORMAT_NONE);
#endif
  guint64 n_dispatches = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  guint64 n_emissions = argc > 2 ? g_ascii_strtoull (argv[2], NULL, 10) : 100000;
  Pinger *pinger = g_object_new (pinger_get_type (), NULL);
  g_autoptr(GArray) dispatch_chunks = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) emit_chunks = g_array_new (FALSE, FALSE, sizeof (double));
  double dispatch_ns, emit_ns;
  guint id;

#ifdef WATCHED
  id = HOTPATH_IDLE_ADD (on_idle, NULL);
  HOTPATH_SIGNAL_CONNECT (pinger, "ping", on_ping, NULL);
#else
  id = g_idle_add (on_idle, NULL);
  g_signal_connect (pinger, "ping", G_CALLBACK (on_ping), NULL);
#endif

  while (dispatches < n_dispatches)
    {
      gint64 start = g_get_monotonic_time ();
      double ns;

      for (guint i = 0; i < CHUNK; i++)
        g_main_context_iteration (NULL, FALSE);
      ns = (g_get_monotonic_time () - start) * 1000.0 / CHUNK;
      g_array_append_val (dispatch_chunks, ns);
    }

  for (guint64 done = 0; done < n_emissions; done += CHUNK)
    {
      gint64 start = g_get_monotonic_time ();
      double ns;

      for (guint i = 0; i < CHUNK; i++)
        g_signal_emit (pinger, ping_signal, 0);
      ns = (g_get_monotonic_time () - start) * 1000.0 / CHUNK;
      g_array_append_val (emit_chunks, ns);
    }

  dispatch_ns = fastest_tenth (dispatch_chunks);
  emit_ns = fastest_tenth (emit_chunks);

  g_source_remove (id);
  g_object_unref (pinger);
  printf ("dispatch_ns=%.2f emit_ns=%.2f\n", dispatch_ns, emit_ns);

  return pings >= n_emissions ? 0 : 1;
}
