/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * plain-loop: a GLib program built without hotpath-glib, for `hotpath run`,
 * `list`, `show` and `compare`. Every TICK_MS its timeout callback,
 * busy_tick(), works for WORK_US microseconds (the first argument; the
 * tests run it at 1x and 10x for compare); one GTask runs in a thread.
 *
 *   plain-loop WORK_US TICKS   quits after TICKS ticks
 *   plain-loop WORK_US         runs until its standard input closes
 *
 * Prints "plain-loop: ready" on stderr after the first tick.
 */

#include <stdlib.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib-unix.h>

#define TICK_MS 2

static GMainLoop *loop;
static gint64 work_us = 100;
static guint ticks_wanted;
static guint ticks;

static void
compute_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  g_usleep (1000);
  g_task_return_boolean (task, TRUE);
}

static void
computed (GObject      *source_object,
          GAsyncResult *result,
          gpointer      data)
{
  g_task_propagate_boolean (G_TASK (result), NULL);
}

static void
start_computation (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, computed, NULL);

  g_task_run_in_thread (task, compute_in_thread);
}

static gboolean
busy_tick (gpointer data)
{
  gint64 until = g_get_monotonic_time () + work_us;

  while (g_get_monotonic_time () < until)
    ;

  if (++ticks == 1)
    {
      start_computation ();
      g_printerr ("plain-loop: ready\n");
    }
  if (ticks_wanted > 0 && ticks >= ticks_wanted)
    {
      g_main_loop_quit (loop);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
stdin_closed (int          fd,
              GIOCondition condition,
              gpointer     data)
{
  char buffer[64];

  if (read (fd, buffer, sizeof buffer) > 0)
    return G_SOURCE_CONTINUE;

  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  if (argc > 1)
    work_us = atoi (argv[1]);
  if (argc > 2)
    ticks_wanted = atoi (argv[2]);

  loop = g_main_loop_new (NULL, FALSE);
  g_timeout_add (TICK_MS, busy_tick, NULL);
  if (ticks_wanted == 0)
    g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP, stdin_closed, NULL);
  g_main_loop_run (loop);
  g_main_loop_unref (loop);

  return 0;
}
