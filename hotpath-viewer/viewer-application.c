/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * viewer-application.c: hotpath-viewer [--pid N | URL | FILE]
 *
 * With no argument the window opens on the start page; --pid connects to
 * io.github.HotpathGlib.Target.instance<N> on the session bus, an
 * http(s):// address to a live HTTP server, anything else is a saved
 * report file.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "viewer-application.h"
#include "viewer-window.h"

#define APP_ID "io.github.HotpathGlib.Viewer"

struct _ViewerApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (ViewerApplication, viewer_application, ADW_TYPE_APPLICATION)

static const GOptionEntry options[] = {
  { "pid", 'p', 0, G_OPTION_ARG_INT, NULL, N_("Connect to the profiled program with this process id"), N_("PID") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, N_("[URL | FILE]") },
  { NULL }
};

static ViewerWindow *
new_window (ViewerApplication *self)
{
  return viewer_window_new (GTK_APPLICATION (self));
}

static void
viewer_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (new_window (VIEWER_APPLICATION (application)));
  gtk_window_present (window);
}

static int
viewer_application_handle_local_options (GApplication *application,
                                         GVariantDict *options_dict)
{
  if (g_variant_dict_contains (options_dict, "version"))
    {
      g_print ("hotpath-viewer %s\n", PACKAGE_VERSION);
      return 0;
    }
  return -1;
}

static int
viewer_application_command_line (GApplication            *application,
                                 GApplicationCommandLine *command_line)
{
  ViewerApplication *self = VIEWER_APPLICATION (application);
  GVariantDict *dict = g_application_command_line_get_options_dict (command_line);
  g_autofree const char **remaining = NULL;
  g_autoptr(ViewerSource) source = NULL;
  ViewerWindow *window;
  int pid = 0;

  g_variant_dict_lookup (dict, "pid", "i", &pid);
  g_variant_dict_lookup (dict, G_OPTION_REMAINING, "^a&ay", &remaining);

  if (pid < 0 || (pid > 0 && remaining != NULL && remaining[0] != NULL) ||
      (remaining != NULL && remaining[0] != NULL && remaining[1] != NULL))
    {
      g_application_command_line_printerr (command_line, "%s\n",
                                           _("Usage: hotpath-viewer [--pid N | URL | FILE]"));
      return 2;
    }

  if (pid > 0)
    source = viewer_source_new_for_pid (pid);
  else if (remaining != NULL && remaining[0] != NULL)
    {
      const char *arg = remaining[0];

      if (g_str_has_prefix (arg, "http://") || g_str_has_prefix (arg, "https://"))
        {
          g_autoptr(GError) error = NULL;

          if (!(source = viewer_source_new_for_url (arg, &error)))
            {
              g_application_command_line_printerr (command_line, "hotpath-viewer: %s\n", error->message);
              return 2;
            }
        }
      else
        {
          g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, arg);
          source = viewer_source_new_for_file (file);
        }
    }

  window = new_window (self);
  if (source != NULL)
    viewer_window_open_source (window, source);
  gtk_window_present (GTK_WINDOW (window));

  return 0;
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (new_window (user_data)));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  /* Close each window so it saves its size and stops its source. */
  for (GList *l = g_list_copy (windows), *copy = l; l; l = l->next)
    {
      gtk_window_close (l->data);
      if (l->next == NULL)
        g_list_free (copy);
    }
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *application = user_data;
  static const char *developers[] = { "The hotpath-glib authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (application),
                        "application-icon", APP_ID,
                        "application-name", _("Hotpath Viewer"),
                        "developer-name", _("The hotpath-glib authors"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Live graphs, percentile tables and per-call logs of programs profiled with hotpath-glib."),
                        "license-type", GTK_LICENSE_LGPL_2_1,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  ViewerApplication *self = user_data;
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/HotpathGlib/Viewer/viewer-preferences.ui");
  GtkWindow *window = GTK_WINDOW (gtk_builder_get_object (builder, "preferences"));

  g_settings_bind (self->settings, "refresh-interval",
                   gtk_builder_get_object (builder, "interval_adjustment"), "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-size",
                   gtk_builder_get_object (builder, "window_adjustment"), "value", G_SETTINGS_BIND_DEFAULT);
  gtk_window_set_transient_for (window, gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (window);
}

static void
apply_style (ViewerApplication *self)
{
  g_autofree char *variant = g_settings_get_string (self->settings, "style-variant");
  AdwColorScheme scheme = ADW_COLOR_SCHEME_DEFAULT;

  if (g_str_equal (variant, "light"))
    scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_str_equal (variant, "dark"))
    scheme = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), scheme);
}

static void
viewer_application_startup (GApplication *application)
{
  ViewerApplication *self = VIEWER_APPLICATION (application);
  static const GActionEntry actions[] = {
    { "new-window", new_window_action },
    { "quit", quit_action },
    { "about", about_action },
    { "preferences", preferences_action },
  };
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.new-window", { "<Control>n", NULL } },
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.pause", { "<Control>p", "space", NULL } },
  };

  G_APPLICATION_CLASS (viewer_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  g_action_map_add_action (G_ACTION_MAP (self), g_settings_create_action (self->settings, "style-variant"));
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);

  g_signal_connect_object (self->settings, "changed::style-variant", G_CALLBACK (apply_style),
                           self, G_CONNECT_SWAPPED);
  apply_style (self);
}

static void
viewer_application_finalize (GObject *object)
{
  ViewerApplication *self = (ViewerApplication *) object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (viewer_application_parent_class)->finalize (object);
}

static void
viewer_application_class_init (ViewerApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = viewer_application_finalize;
  app_class->activate = viewer_application_activate;
  app_class->startup = viewer_application_startup;
  app_class->command_line = viewer_application_command_line;
  app_class->handle_local_options = viewer_application_handle_local_options;
}

static void
viewer_application_init (ViewerApplication *self)
{
  self->settings = g_settings_new (APP_ID);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[--pid N | URL | FILE]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Show live profiling data of programs built with hotpath-glib."));
}

ViewerApplication *
viewer_application_new (GApplicationFlags flags)
{
  return g_object_new (VIEWER_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", "/io/github/HotpathGlib/Viewer",
                       "flags", flags | G_APPLICATION_HANDLES_COMMAND_LINE,
                       NULL);
}
