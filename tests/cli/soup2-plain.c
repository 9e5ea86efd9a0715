/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * soup2-plain: a GLib program that uses libsoup 2.4 (as WebKitGTK 4.0 apps
 * do), built without hotpath-glib, for `hotpath run`: the preloaded
 * profiler must keep libsoup 3 out of it. Runs a main loop for a few
 * ticks of quit_soon(), then exits 0.
 */

#include <libsoup/soup.h>

static guint ticks;

static gboolean
quit_soon (gpointer data)
{
  if (++ticks < 5)
    return G_SOURCE_CONTINUE;

  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add (5, quit_soon, loop);
  g_main_loop_run (loop);

  return session != NULL ? 0 : 1;
}
