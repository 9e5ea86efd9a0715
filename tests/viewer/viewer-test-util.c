/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* viewer-test-util.c: waiting, walking the widget tree, screenshots. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "viewer-test-util.h"

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterate the main context until @predicate holds, at most @timeout_ms. */
gboolean
viewer_test_wait_for (ViewerTestPredicate predicate,
                      gpointer            data,
                      guint               timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint id = g_timeout_add (10, tick, NULL);
  gboolean ok;

  while (!(ok = predicate (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (id);
  return ok;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
viewer_test_spin (guint ms)
{
  viewer_test_wait_for (never, NULL, ms);
}

/* The text a label shows, or a table cell (a GtkInscription). */
static const char *
widget_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  if (GTK_IS_INSCRIPTION (widget))
    return gtk_inscription_get_text (GTK_INSCRIPTION (widget));
  return NULL;
}

gboolean
viewer_test_tree_has_label (GtkWidget  *root,
                            const char *text)
{
  const char *shown = widget_text (root);

  if (shown != NULL && gtk_widget_get_mapped (root) && g_strcmp0 (shown, text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    if (viewer_test_tree_has_label (child, text))
      return TRUE;
  return FALSE;
}

guint
viewer_test_count_labels (GtkWidget  *root,
                          const char *text_suffix)
{
  const char *shown = widget_text (root);
  guint n = 0;

  if (shown != NULL && gtk_widget_get_mapped (root) && g_str_has_suffix (shown, text_suffix))
    n++;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    n += viewer_test_count_labels (child, text_suffix);
  return n;
}

/* Render @widget as the screen shows it and save it in the build dir. */
static gboolean
drawn (gpointer data)
{
  GtkWidget *widget = data;

  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0 &&
         gtk_native_get_renderer (gtk_widget_get_native (widget)) != NULL;
}

char *
viewer_test_save_png (GtkWidget  *widget,
                      const char *name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;
  int width = 0, height = 0;
  const char *dir = g_getenv ("G_TEST_BUILDDIR");
  char *path = g_build_filename (dir ? dir : ".", name, NULL);

  /* Wait for a mapped, laid out widget and let a few frames go by. */
  g_assert_true (viewer_test_wait_for (drawn, widget, 5000));
  viewer_test_spin (250);

  /* A widget paintable has no image while the widget is being laid out
   * again (a page that just filled its rows, a loaded machine): its
   * snapshot is then empty. Ask again until GTK has drawn it. */
  paintable = gtk_widget_paintable_new (widget);
  for (guint attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      if (attempt > 0)
        viewer_test_spin (100);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%dx%d)", path, width, height);
  return path;
}

/* Start a profiled example with live data on the test's session bus and
 * HTTP on port *http_port (0: a free one); returns its pid and sets
 * *http_port to the port it printed. */
GPid
viewer_test_spawn_live (const char         *program,
                        const char * const *argv_tail,
                        guint              *http_port)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  GPid pid;
  int err_fd;
  FILE *err;
  char line[512];

  g_ptr_array_add (argv, (char *) program);
  for (guint i = 0; argv_tail && argv_tail[i]; i++)
    g_ptr_array_add (argv, (char *) argv_tail[i]);
  g_ptr_array_add (argv, NULL);

  {
    g_autofree char *port = g_strdup_printf ("%u", *http_port);
    envp = g_environ_setenv (envp, "HOTPATH_METRICS_PORT", port, TRUE);
  }
  envp = g_environ_setenv (envp, "HOTPATH_MCP_SERVER_OFF", "1", TRUE);
  envp = g_environ_unsetenv (envp, "HOTPATH_METRICS_SERVER_OFF");
  envp = g_environ_unsetenv (envp, "HOTPATH_DBUS_OFF");

  g_spawn_async_with_pipes (NULL, (char **) argv->pdata, envp, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                            NULL, NULL, &pid, NULL, NULL, &err_fd, &error);
  g_assert_no_error (error);

  /* The library names the port only when it picked it. */
  if (*http_port != 0)
    return pid;

  err = fdopen (err_fd, "r");
  while (*http_port == 0 && fgets (line, sizeof line, err) != NULL)
    {
      const char *at = strstr (line, "http://127.0.0.1:");
      if (at != NULL)
        *http_port = atoi (at + strlen ("http://127.0.0.1:"));
    }
  /* Leave stderr open so the child never gets SIGPIPE; it prints little. */
  g_assert_cmpuint (*http_port, >, 0);
  return pid;
}
