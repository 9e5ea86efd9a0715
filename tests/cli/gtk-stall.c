/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gtk-stall: a plain GTK 4 program, built without hotpath-glib, for
 * `hotpath run`. A window shows a label and a spinner with a tick callback,
 * an animation that asks for a frame every refresh; a timeout callback,
 * stall_tick(), blocks the main loop for STALL_MS every TICK_MS (leaving the
 * rest for frames), so stalls happen and the frames after them are late,
 * then the application quits after TICKS ticks.
 */

#include <gtk/gtk.h>

#define TICK_MS  100
#define STALL_MS 60
#define TICKS    8

static guint ticks;

static gboolean
stall_tick (gpointer data)
{
  GtkLabel *label = data;
  gint64 until = g_get_monotonic_time () + STALL_MS * 1000;
  g_autofree char *text = NULL;

  /* Busy, as a slow computation on the main thread would be. */
  while (g_get_monotonic_time () < until)
    ;

  text = g_strdup_printf ("tick %u", ++ticks);
  gtk_label_set_text (label, text);

  if (ticks < TICKS)
    return G_SOURCE_CONTINUE;

  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

/* An animation: a frame every refresh while the window shows. */
static gboolean
animate (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  gtk_widget_set_opacity (widget, 0.5 + 0.5 * (gdk_frame_clock_get_frame_counter (clock) % 2));

  return G_SOURCE_CONTINUE;
}

static void
on_activate (GtkApplication *app,
             gpointer        data)
{
  GtkWidget *window = gtk_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *label = gtk_label_new ("tick 0");

  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_add_tick_callback (spinner, animate, NULL, NULL);
  gtk_box_append (GTK_BOX (box), spinner);
  gtk_box_append (GTK_BOX (box), label);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 320, 200);
  gtk_window_present (GTK_WINDOW (window));
  g_timeout_add (TICK_MS, stall_tick, label);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = gtk_application_new ("io.github.HotpathGlib.Test.GtkStall",
                                                       G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
