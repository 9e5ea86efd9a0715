/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * viewer-window.c: the main window: a start page with the profiled
 * programs found on the session bus, and a profile page with one view
 * per section the target publishes (timing first), switched with an
 * AdwViewSwitcher.
 */

#include "config.h"

#include <hotpath-glib/hotpath.h>

#include <glib/gi18n.h>

#include "viewer-format.h"
#include "viewer-section-model.h"
#include "viewer-targets.h"
#include "viewer-window.h"

#define APP_ID "io.github.HotpathGlib.Viewer"

struct _ViewerWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  ViewerTargets        *targets;
  ViewerSource         *source;
  GHashTable           *models;     /* section name → ViewerSectionModel */
  GHashTable           *views;      /* section name → ViewerSectionView */
  guint                 clock_id;

  /* Template widgets */
  GtkStack             *main_stack;
  GtkStack             *targets_stack;
  GtkListBox           *targets_list;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *view_stack;
  AdwToastOverlay      *toast_overlay;
  GtkLabel             *status_label;
  GtkToggleButton      *pause_button;
};

G_DEFINE_FINAL_TYPE (ViewerWindow, viewer_window, ADW_TYPE_APPLICATION_WINDOW)

static const struct {
  const char *name;
  const char *icon;
} known_sections[] = {
  { "functions_timing", "document-open-recent-symbolic" },
  { "functions_alloc", "drive-harddisk-symbolic" },
  { "channels", "mail-send-receive-symbolic" },
  { "futures", "emblem-synchronizing-symbolic" },
  { "sources", "system-run-symbolic" },
  { "main_loop", "view-refresh-symbolic" },
  { "threads", "view-grid-symbolic" },
  { "gauges", "power-profile-balanced-symbolic" },
  { "debug", "dialog-information-symbolic" },
  { "streams", "network-transmit-receive-symbolic" },
  { "locks", "changes-prevent-symbolic" },
};

static void
toast (ViewerWindow *self,
       const char   *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static char *
uptime_text (gint64 start_time_us)
{
  if (start_time_us <= 0)
    return g_strdup ("");
  return viewer_format_uptime ((g_get_real_time () - start_time_us) / G_USEC_PER_SEC);
}

static char *
target_subtitle (ViewerTarget *target)
{
  g_autofree char *uptime = uptime_text (viewer_target_get_start_time (target));

  if (viewer_target_get_http_port (target) > 0)
    return g_strdup_printf (_("PID %u · up %s · HTTP port %u"), viewer_target_get_pid (target),
                            uptime, viewer_target_get_http_port (target));
  return g_strdup_printf (_("PID %u · up %s"), viewer_target_get_pid (target), uptime);
}

static GtkWidget *
create_target_row (gpointer item,
                   gpointer user_data)
{
  ViewerTarget *target = item;
  g_autofree char *subtitle = target_subtitle (target);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), viewer_target_get_program (target));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "viewer-target", g_object_ref (target), g_object_unref);
  return row;
}

static void
on_targets_changed (ViewerWindow *self)
{
  gboolean any = g_list_model_get_n_items (G_LIST_MODEL (self->targets)) > 0;

  gtk_stack_set_visible_child_name (self->targets_stack, any ? "list" : "empty");
}

static void
on_target_activated (ViewerWindow  *self,
                     GtkListBoxRow *row)
{
  ViewerTarget *target = g_object_get_data (G_OBJECT (row), "viewer-target");
  g_autoptr(ViewerSource) source = NULL;

  if (target == NULL)
    return;
  source = viewer_source_new_for_bus_name (viewer_target_get_bus_name (target));
  viewer_window_open_source (self, source);
}

/* Only when it changes: setting a tooltip asks the display server where
 * the pointer is, a round trip each time. */
static void
set_tooltip (GtkWidget  *widget,
             const char *text)
{
  const char *current = gtk_widget_get_tooltip_text (widget);

  if (g_strcmp0 (current, text) != 0)
    gtk_widget_set_tooltip_text (widget, text);
}

static void
update_status (ViewerWindow *self)
{
  static const char *classes[] = { "connecting", "live", "stale", "paused", "disconnected", "report" };
  ViewerStatus status;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  const char *program;

  if (self->source == NULL)
    return;

  status = viewer_source_get_status (self->source);
  gtk_label_set_text (self->status_label, viewer_status_to_string (status));
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      if (i == status)
        gtk_widget_add_css_class (GTK_WIDGET (self->status_label), classes[i]);
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), classes[i]);
    }
  set_tooltip (GTK_WIDGET (self->status_label), viewer_source_get_error (self->source));

  program = viewer_source_get_program (self->source);
  adw_view_switcher_title_set_title (self->switcher_title, program ? program : viewer_source_get_address (self->source));
  gtk_window_set_title (GTK_WINDOW (self), program ? program : _("Hotpath Viewer"));

  if (viewer_source_get_pid (self->source) > 0)
    g_string_append_printf (subtitle, _("PID %u"), viewer_source_get_pid (self->source));
  if (viewer_source_get_kind (self->source) != VIEWER_SOURCE_DBUS)
    {
      if (subtitle->len)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, viewer_source_get_address (self->source));
    }
  if (viewer_source_get_report (self->source) != NULL)
    {
      JsonObject *report = viewer_source_get_report (self->source);
      gint64 elapsed = json_object_get_int_member_with_default (report, "elapsed_ns", 0);
      g_autofree char *uptime = viewer_format_uptime (elapsed / 1000000000);

      if (subtitle->len)
        g_string_append (subtitle, " · ");
      g_string_append_printf (subtitle, status == VIEWER_STATUS_REPORT ? _("ran %s") : _("up %s"), uptime);
    }
  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle->str);

  gtk_widget_set_sensitive (GTK_WIDGET (self->pause_button), status != VIEWER_STATUS_REPORT);
  gtk_button_set_icon_name (GTK_BUTTON (self->pause_button),
                            viewer_source_get_paused (self->source) ? "media-playback-start-symbolic"
                                                                    : "media-playback-pause-symbolic");
  set_tooltip (GTK_WIDGET (self->pause_button),
               viewer_source_get_paused (self->source) ? _("Resume") : _("Pause"));
}

static gboolean
on_clock (gpointer data)
{
  ViewerWindow *self = data;

  /* Uptimes on the start page. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->targets_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      ViewerTarget *target = g_object_get_data (G_OBJECT (child), "viewer-target");
      g_autofree char *subtitle = NULL;

      if (target == NULL)
        continue;
      subtitle = target_subtitle (target);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (child), subtitle);
    }

  return G_SOURCE_CONTINUE;
}

static int
section_rank (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_sections); i++)
    if (g_str_equal (name, known_sections[i].name))
      return i;
  return G_N_ELEMENTS (known_sections);
}

static int
compare_sections (gconstpointer a,
                  gconstpointer b)
{
  const char *sa = *(const char **) a, *sb = *(const char **) b;
  int ra = section_rank (sa), rb = section_rank (sb);

  return ra != rb ? ra - rb : g_strcmp0 (sa, sb);
}

static void
apply_settings_to_view (ViewerWindow      *self,
                        ViewerSectionView *view)
{
  g_auto(GStrv) percentiles = g_settings_get_strv (self->settings, "percentiles");

  viewer_section_view_set_window (view, g_settings_get_uint (self->settings, "window-size"));
  viewer_section_view_set_percentiles (view, (const char * const *) percentiles);
}

static ViewerSectionView *
ensure_view (ViewerWindow *self,
             const char   *name)
{
  ViewerSectionView *view = g_hash_table_lookup (self->views, name);
  g_autoptr(ViewerSectionModel) model = NULL;
  int rank;

  if (view != NULL)
    return view;

  model = viewer_section_model_new (name);
  view = VIEWER_SECTION_VIEW (viewer_section_view_new (model, self->source));
  apply_settings_to_view (self, view);
  g_hash_table_insert (self->models, g_strdup (name), g_object_ref (model));
  g_hash_table_insert (self->views, g_strdup (name), view);

  rank = section_rank (name);
  adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (view), name, viewer_section_title (name));
  adw_view_stack_page_set_icon_name (adw_view_stack_get_page (self->view_stack, GTK_WIDGET (view)),
                                     rank < (int) G_N_ELEMENTS (known_sections) ? known_sections[rank].icon
                                                                                : "view-list-symbolic");
  return view;
}

static void
on_source_updated (ViewerWindow *self,
                   ViewerSource *source)
{
  JsonObject *report = viewer_source_get_report (source);
  JsonObject *sections = json_object_get_object_member (report, "sections");
  g_autoptr(GPtrArray) names = NULL;
  gint64 time_us = viewer_source_get_report_time (source);
  gboolean first = g_hash_table_size (self->views) == 0;

  HOTPATH_MEASURE ();

  if (sections == NULL)
    return;

  names = g_ptr_array_new ();
  for (GList *l = json_object_get_members (sections), *members = l; l; l = l->next)
    {
      g_ptr_array_add (names, l->data);
      if (l->next == NULL)
        g_list_free (members);
    }
  g_ptr_array_sort (names, compare_sections);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      JsonNode *node = json_object_get_member (sections, name);
      ViewerSectionView *view = ensure_view (self, name);
      ViewerSectionModel *model = g_hash_table_lookup (self->models, name);
      g_autoptr(GError) error = NULL;

      if (!viewer_section_model_queue_update (model, node, time_us, &error))
        g_debug ("%s", error->message);
      viewer_section_view_refresh (view);
    }

  /* Timing first. */
  if (first && g_hash_table_contains (self->views, "functions_timing"))
    adw_view_stack_set_visible_child_name (self->view_stack, "functions_timing");

  update_status (self);
}

static void
clear_views (ViewerWindow *self)
{
  GHashTableIter iter;
  gpointer view;

  g_hash_table_iter_init (&iter, self->views);
  while (g_hash_table_iter_next (&iter, NULL, &view))
    adw_view_stack_remove (self->view_stack, view);
  g_hash_table_remove_all (self->views);
  g_hash_table_remove_all (self->models);
}

static void
close_source (ViewerWindow *self)
{
  if (self->source == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->source, self);
  viewer_source_stop (self->source);
  g_clear_object (&self->source);
  clear_views (self);
}

void
viewer_window_open_source (ViewerWindow *self,
                           ViewerSource *source)
{
  g_return_if_fail (VIEWER_IS_WINDOW (self));
  g_return_if_fail (VIEWER_IS_SOURCE (source));

  close_source (self);
  self->source = g_object_ref (source);

  g_settings_bind (self->settings, "refresh-interval", source, "interval", G_SETTINGS_BIND_GET);
  g_signal_connect_object (source, "updated", G_CALLBACK (on_source_updated), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (source, "notify::status", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (source, "notify::program", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (source, "notify::error", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);

  if (viewer_source_get_kind (source) == VIEWER_SOURCE_HTTP)
    g_settings_set_string (self->settings, "last-address", viewer_source_get_address (source));

  g_simple_action_set_state (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "pause")),
                             g_variant_new_boolean (FALSE));
  gtk_stack_set_visible_child_name (self->main_stack, "profile");
  update_status (self);
  viewer_source_start (source);
}

void
viewer_window_show_start (ViewerWindow *self)
{
  g_return_if_fail (VIEWER_IS_WINDOW (self));

  close_source (self);
  gtk_window_set_title (GTK_WINDOW (self), _("Hotpath Viewer"));
  gtk_stack_set_visible_child_name (self->main_stack, "start");
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  viewer_window_show_start (VIEWER_WINDOW (widget));
}

static void
connect_response (AdwMessageDialog *dialog,
                  const char       *response,
                  ViewerWindow     *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "viewer-entry");
  g_autoptr(ViewerSource) source = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "connect"))
    return;

  source = viewer_source_new_for_url (gtk_editable_get_text (entry), &error);
  if (source == NULL)
    {
      toast (self, error->message);
      return;
    }
  viewer_window_open_source (self, source);
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ViewerWindow *self = VIEWER_WINDOW (widget);
  GtkWidget *dialog, *entry;
  g_autofree char *last = g_settings_get_string (self->settings, "last-address");

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Connect to Address"),
                                   _("The HTTP address of a program profiled with hotpath-glib, "
                                     "such as 127.0.0.1:6770."));
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), last);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_URL);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  g_object_set_data (G_OBJECT (dialog), "viewer-entry", entry);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "connect", _("C_onnect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "connect", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "connect");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (connect_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkFileFilter *
json_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("JSON Reports"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_pattern (filter, "*.json");
  return filter;
}

static void
open_response (GtkNativeDialog *dialog,
               int              response,
               ViewerWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(ViewerSource) source = viewer_source_new_for_file (file);

      viewer_window_open_source (self, source);
    }
  g_object_unref (dialog);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ViewerWindow *self = VIEWER_WINDOW (widget);
  GtkFileChooserNative *dialog;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = gtk_file_chooser_native_new (_("Open Report"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), json_filter ());
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_signal_connect_object (dialog, "response", G_CALLBACK (open_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
saved (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(ViewerWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    toast (self, error->message);
  else
    toast (self, _("Report saved"));
}

static void
save_response (GtkNativeDialog *dialog,
               int              response,
               ViewerWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->source && viewer_source_get_report (self->source))
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), viewer_source_get_report (self->source));
      g_autoptr(GBytes) bytes = NULL;
      char *json = json_to_string (node, TRUE);

      bytes = g_bytes_new_take (json, strlen (json));
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                           NULL, saved, g_object_ref (self));
    }
  g_object_unref (dialog);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ViewerWindow *self = VIEWER_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;

  if (self->source == NULL || viewer_source_get_report (self->source) == NULL)
    {
      toast (self, _("There is no report to save yet"));
      return;
    }

  name = g_strdup_printf ("%s-report.json", viewer_source_get_program (self->source));
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = gtk_file_chooser_native_new (_("Save Report"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), json_filter ());
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_signal_connect_object (dialog, "response", G_CALLBACK (save_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ViewerWindow *self = VIEWER_WINDOW (widget);

  if (self->source != NULL)
    viewer_source_refresh (self->source);
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ViewerWindow *self = VIEWER_WINDOW (widget);
  GtkWidget *view = adw_view_stack_get_visible_child (self->view_stack);

  if (VIEWER_IS_SECTION_VIEW (view))
    viewer_section_view_focus_search (VIEWER_SECTION_VIEW (view));
}

static void
pause_changed (GSimpleAction *action,
               GVariant      *state,
               gpointer       user_data)
{
  ViewerWindow *self = user_data;

  g_simple_action_set_state (action, state);
  if (self->source != NULL)
    viewer_source_set_paused (self->source, g_variant_get_boolean (state));
  update_status (self);
}

static void
pause_activate (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_autoptr(GVariant) state = g_action_get_state (G_ACTION (action));

  g_action_change_state (G_ACTION (action), g_variant_new_boolean (!g_variant_get_boolean (state)));
}

static void
switch_section (ViewerWindow *self,
                int           delta)
{
  GtkSelectionModel *pages = adw_view_stack_get_pages (self->view_stack);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (pages));
  GtkWidget *visible = adw_view_stack_get_visible_child (self->view_stack);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);

      if (adw_view_stack_page_get_child (page) == visible)
        {
          g_autoptr(AdwViewStackPage) next = g_list_model_get_item (G_LIST_MODEL (pages), (i + n + delta) % n);
          adw_view_stack_set_visible_child (self->view_stack, adw_view_stack_page_get_child (next));
          break;
        }
    }
  g_object_unref (pages);
}

static void
next_section_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  switch_section (VIEWER_WINDOW (widget), g_str_equal (action_name, "win.next-section") ? 1 : -1);
}

static void
on_settings_changed (ViewerWindow *self,
                     const char   *key)
{
  GHashTableIter iter;
  gpointer view;

  g_hash_table_iter_init (&iter, self->views);
  while (g_hash_table_iter_next (&iter, NULL, &view))
    apply_settings_to_view (self, view);
}

static gboolean
viewer_window_close_request (GtkWindow *window)
{
  ViewerWindow *self = VIEWER_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set (self->settings, "window-size-pixels", "(ii)", width, height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  close_source (self);

  return GTK_WINDOW_CLASS (viewer_window_parent_class)->close_request (window);
}

static void
viewer_window_dispose (GObject *object)
{
  ViewerWindow *self = (ViewerWindow *) object;

  close_source (self);
  g_clear_handle_id (&self->clock_id, g_source_remove);
  g_clear_object (&self->targets);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->models, g_hash_table_unref);
  g_clear_pointer (&self->views, g_hash_table_unref);

  G_OBJECT_CLASS (viewer_window_parent_class)->dispose (object);
}

static void
viewer_window_class_init (ViewerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = viewer_window_dispose;
  window_class->close_request = viewer_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/HotpathGlib/Viewer/viewer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ViewerWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ViewerWindow, targets_stack);
  gtk_widget_class_bind_template_child (widget_class, ViewerWindow, targets_list);
  gtk_widget_class_bind_template_child (widget_class, ViewerWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, ViewerWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ViewerWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ViewerWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ViewerWindow, pause_button);
  gtk_widget_class_bind_template_callback (widget_class, on_target_activated);

  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "win.next-section", NULL, next_section_action);
  gtk_widget_class_install_action (widget_class, "win.previous-section", NULL, next_section_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.connect", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_CONTROL_MASK, "win.next-section", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_CONTROL_MASK, "win.previous-section", NULL);
}

static void
viewer_window_init (ViewerWindow *self)
{
  static const GActionEntry actions[] = {
    { "pause", pause_activate, NULL, "false", pause_changed },
  };
  int width = 0, height = 0;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->views = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);

  g_settings_get (self->settings, "window-size-pixels", "(ii)", &width, &height);
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_signal_connect_object (self->settings, "changed::percentiles", G_CALLBACK (on_settings_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::window-size", G_CALLBACK (on_settings_changed),
                           self, G_CONNECT_SWAPPED);

  self->targets = viewer_targets_new ();
  gtk_list_box_bind_model (self->targets_list, G_LIST_MODEL (self->targets), create_target_row, self, NULL);
  g_signal_connect_object (self->targets, "items-changed", G_CALLBACK (on_targets_changed), self, G_CONNECT_SWAPPED);
  on_targets_changed (self);

  self->clock_id = g_timeout_add_seconds (1, on_clock, self);
}

ViewerWindow *
viewer_window_new (GtkApplication *application)
{
  return g_object_new (VIEWER_TYPE_WINDOW, "application", application, NULL);
}

ViewerSource *
viewer_window_get_source (ViewerWindow *self)
{
  g_return_val_if_fail (VIEWER_IS_WINDOW (self), NULL);
  return self->source;
}

ViewerSectionView *
viewer_window_get_section_view (ViewerWindow *self,
                                const char   *section)
{
  g_return_val_if_fail (VIEWER_IS_WINDOW (self), NULL);
  return g_hash_table_lookup (self->views, section);
}

/**
 * viewer_window_show_section:
 * @section: a section's name, "channels"
 *
 * Shows the page of @section, as a click on its switcher button would.
 *
 * Returns: whether the window has a page for @section
 */
gboolean
viewer_window_show_section (ViewerWindow *self,
                            const char   *section)
{
  g_return_val_if_fail (VIEWER_IS_WINDOW (self), FALSE);

  if (g_hash_table_lookup (self->views, section) == NULL)
    return FALSE;
  adw_view_stack_set_visible_child_name (self->view_stack, section);
  return TRUE;
}

const char *
viewer_window_get_visible_page (ViewerWindow *self)
{
  g_return_val_if_fail (VIEWER_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->main_stack);
}

GtkListBox *
viewer_window_get_targets_list (ViewerWindow *self)
{
  g_return_val_if_fail (VIEWER_IS_WINDOW (self), NULL);
  return self->targets_list;
}

GtkLabel *
viewer_window_get_status_label (ViewerWindow *self)
{
  g_return_val_if_fail (VIEWER_IS_WINDOW (self), NULL);
  return self->status_label;
}
