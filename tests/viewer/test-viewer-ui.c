/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-viewer-ui.c: the viewer end to end, under Xvfb and a private
 * session bus (run-under-xvfb.sh).
 *
 * A real profiled program (examples/live) runs meanwhile; the viewer runs
 * in this process, so the assertions read its widget tree: the start page
 * lists the program, its timing table shows its functions with their
 * calls, selecting one shows its graphs and its log; the same over HTTP;
 * a report saved by the library opens; the program's exit shows as
 * Disconnected. Screenshots go to the build dir.
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "viewer-application.h"
#include "viewer-format.h"
#include "viewer-rank-model.h"
#include "viewer-test-util.h"
#include "viewer-window.h"

static ViewerApplication *app;
static GSettings *settings;
static GPid live_pid;
static guint live_port;

static const char *functions[] = { "live::parse", "live::render", "live::save" };

static gboolean
has_target_row (gpointer data)
{
  ViewerWindow *window = data;
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (viewer_window_get_targets_list (window), 0);

  return row != NULL && viewer_test_tree_has_label (GTK_WIDGET (row), "live");
}

static gboolean
timing_shows_functions (gpointer data)
{
  ViewerWindow *window = data;
  ViewerSectionView *view = viewer_window_get_section_view (window, "functions_timing");
  ViewerSectionModel *model;
  GtkWidget *table;

  if (view == NULL || !gtk_widget_get_mapped (GTK_WIDGET (view)))
    return FALSE;
  model = viewer_section_view_get_model (view);
  table = GTK_WIDGET (viewer_section_view_get_column_view (view));

  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    {
      ViewerRow *row = NULL;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (model)) && row == NULL; j++)
        {
          g_autoptr(ViewerRow) item = g_list_model_get_item (G_LIST_MODEL (model), j);
          if (g_str_equal (viewer_row_get_name (item), functions[i]))
            row = item;
        }
      if (row == NULL || viewer_row_get_number (row, "calls") <= 0)
        return FALSE;

      /* What the table shows, not only what the model holds. */
      if (!viewer_test_tree_has_label (table, functions[i]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
detail_has_graph_and_log (gpointer data)
{
  ViewerSectionView *view = data;
  GtkColumnView *log_view = viewer_section_view_get_log_view (view);
  g_autoptr(ViewerRank) newest = NULL;
  g_autofree char *duration = NULL;

  if (viewer_graph_get_n_points (viewer_section_view_get_rate_graph (view)) < 2 ||
      viewer_graph_get_n_points (viewer_section_view_get_values_graph (view)) < 2 ||
      viewer_section_view_get_n_logs (view) == 0 ||
      !gtk_widget_get_mapped (GTK_WIDGET (log_view)))
    return FALSE;

  /* The log table shows the newest call's duration. */
  newest = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (log_view)), 0);
  duration = viewer_row_format (viewer_rank_get_row (newest), "duration_ns");
  return viewer_test_tree_has_label (GTK_WIDGET (log_view), duration);
}

static gboolean
shows_one_row (gpointer data)
{
  GtkColumnView *table = viewer_section_view_get_column_view (data);

  /* Filtering is incremental: wait for it to finish. */
  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (table))) == 1;
}

static gboolean
graph_has_history (gpointer data)
{
  return viewer_graph_get_n_points (viewer_section_view_get_rate_graph (data)) >= 14;
}

static gboolean
status_is (gpointer data)
{
  gpointer *args = data;

  return viewer_source_get_status (args[0]) == GPOINTER_TO_UINT (args[1]);
}

static void
assert_calls_shown (ViewerSectionView *view,
                    const char        *name)
{
  ViewerSectionModel *model = viewer_section_view_get_model (view);

  for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (model)); j++)
    {
      g_autoptr(ViewerRow) row = g_list_model_get_item (G_LIST_MODEL (model), j);
      if (g_str_equal (viewer_row_get_name (row), name))
        {
          g_autofree char *calls = viewer_row_format (row, "calls");
          g_assert_cmpfloat (viewer_row_get_number (row, "calls"), >, 0);
          g_assert_cmpstr (calls, !=, "");
          return;
        }
    }
  g_assert_not_reached ();
}

static void
test_live_dbus (void)
{
  ViewerWindow *window = viewer_window_new (GTK_APPLICATION (app));
  ViewerSectionView *view;
  GtkListBoxRow *row;
  g_autofree char *shot = NULL;
  g_autofree char *tooltip = NULL;
  ViewerGraph *graph;

  gtk_window_set_default_size (GTK_WINDOW (window), 1300, 820);
  gtk_window_present (GTK_WINDOW (window));

  /* The start page finds the program on the session bus. */
  g_assert_true (viewer_test_wait_for (has_target_row, window, 10000));
  g_assert_cmpstr (viewer_window_get_visible_page (window), ==, "start");
  g_free (viewer_test_save_png (GTK_WIDGET (window), "viewer-start.png"));

  row = gtk_list_box_get_row_at_index (viewer_window_get_targets_list (window), 0);
  g_signal_emit_by_name (viewer_window_get_targets_list (window), "row-activated", row);
  g_assert_cmpstr (viewer_window_get_visible_page (window), ==, "profile");
  g_assert_cmpint (viewer_source_get_kind (viewer_window_get_source (window)), ==, VIEWER_SOURCE_DBUS);

  /* The timing table shows the functions with their calls. */
  g_assert_true (viewer_test_wait_for (timing_shows_functions, window, 10000));
  view = viewer_window_get_section_view (window, "functions_timing");
  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    assert_calls_shown (view, functions[i]);
  g_assert_cmpstr (gtk_label_get_text (viewer_window_get_status_label (window)), ==, "Live");
  g_assert_true (viewer_test_tree_has_label (GTK_WIDGET (viewer_section_view_get_column_view (view)), "Calls"));
  g_assert_true (viewer_test_tree_has_label (GTK_WIDGET (viewer_section_view_get_column_view (view)), "p95"));

  /* Selecting a function shows its graphs and its log. */
  g_settings_set_uint (settings, "window-size", 60);
  g_assert_true (viewer_section_view_select_name (view, "live::save"));
  g_assert_cmpstr (viewer_row_get_name (viewer_section_view_get_selected (view)), ==, "live::save");
  g_assert_true (viewer_test_wait_for (detail_has_graph_and_log, view, 15000));
  /* A few more seconds of history for the screenshot. */
  viewer_test_wait_for (graph_has_history, view, 8000);

  graph = viewer_section_view_get_rate_graph (view);
  g_assert_true (viewer_graph_get_row (graph) == viewer_section_view_get_selected (view));
  tooltip = viewer_graph_describe_at (graph, gtk_widget_get_width (GTK_WIDGET (graph)) - 12);
  g_test_message ("tooltip at the right edge: %s", tooltip ? tooltip : "(none)");

  shot = viewer_test_save_png (GTK_WIDGET (window), "viewer-timing.png");
  g_assert_true (g_file_test (shot, G_FILE_TEST_IS_REGULAR));

  /* Search filters the table. */
  viewer_section_view_set_search (view, "rend");
  g_assert_true (viewer_test_wait_for (shows_one_row, view, 5000));
  g_assert_true (viewer_test_tree_has_label (GTK_WIDGET (viewer_section_view_get_column_view (view)), "live::render"));
  g_assert_false (viewer_test_tree_has_label (GTK_WIDGET (viewer_section_view_get_column_view (view)), "live::save"));
  viewer_section_view_set_search (view, "");

  /* Pause and resume. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "pause", NULL);
  g_assert_cmpint (viewer_source_get_status (viewer_window_get_source (window)), ==, VIEWER_STATUS_PAUSED);
  g_assert_cmpstr (gtk_label_get_text (viewer_window_get_status_label (window)), ==, "Paused");
  g_action_group_activate_action (G_ACTION_GROUP (window), "pause", NULL);
  g_assert_false (viewer_source_get_paused (viewer_window_get_source (window)));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_live_http (void)
{
  ViewerWindow *window = viewer_window_new (GTK_APPLICATION (app));
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/", live_port);
  g_autoptr(ViewerSource) source = NULL;
  g_autoptr(GError) error = NULL;

  source = viewer_source_new_for_url (url, &error);
  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (window));
  viewer_window_open_source (window, source);
  g_assert_true (viewer_test_wait_for (timing_shows_functions, window, 10000));
  g_assert_cmpint (viewer_source_get_status (source), ==, VIEWER_STATUS_LIVE);

  {
    ViewerSectionView *view = viewer_window_get_section_view (window, "functions_timing");
    g_assert_true (viewer_section_view_select_name (view, "live::render"));
    g_assert_true (viewer_test_wait_for (detail_has_graph_and_log, view, 15000));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The function names the table shows, top to bottom, as a person reads
 * them: the texts of its cells in widget order. */
static void
collect_names (GtkWidget *widget,
               GString   *names)
{
  if (GTK_IS_INSCRIPTION (widget))
    {
      const char *text = gtk_inscription_get_text (GTK_INSCRIPTION (widget));

      if (text != NULL && g_str_has_prefix (text, "live::"))
        g_string_append_printf (names, "%s%s", names->len ? " " : "", text);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_names (child, names);
}

static gboolean
table_shows_in_order (gpointer data)
{
  ViewerSectionView *view = data;
  GtkColumnView *table = viewer_section_view_get_column_view (view);
  GListModel *places = G_LIST_MODEL (gtk_column_view_get_model (table));
  GtkSorter *sorter = gtk_column_view_get_sorter (table);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GString) shown = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (places); i++)
    {
      g_autoptr(ViewerRank) rank = g_list_model_get_item (places, i);
      ViewerRow *row = viewer_rank_get_row (rank);

      if (i > 0)
        {
          g_autoptr(ViewerRank) previous = g_list_model_get_item (places, i - 1);

          if (gtk_sorter_compare (sorter, viewer_rank_get_row (previous), row) == GTK_ORDERING_LARGER)
            return FALSE;
        }
      if (g_str_has_prefix (viewer_row_get_name (row), "live::"))
        g_string_append_printf (expected, "%s%s", expected->len ? " " : "", viewer_row_get_name (row));
    }
  collect_names (GTK_WIDGET (table), shown);
  return expected->len > 0 && g_str_equal (expected->str, shown->str);
}

static GtkColumnViewColumn *
column_titled (GtkColumnView *table,
               const char    *title)
{
  GListModel *columns = gtk_column_view_get_columns (table);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;
    }
  return NULL;
}

static void
assert_selection_on (ViewerSectionView *view,
                     const char        *name)
{
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (viewer_section_view_get_column_view (view)));
  ViewerRank *selected = gtk_single_selection_get_selected_item (selection);

  g_assert_nonnull (selected);
  g_assert_cmpstr (viewer_row_get_name (viewer_rank_get_row (selected)), ==, name);
  g_assert_cmpstr (viewer_row_get_name (viewer_section_view_get_selected (view)), ==, name);
  g_assert_true (viewer_graph_get_row (viewer_section_view_get_rate_graph (view)) == viewer_section_view_get_selected (view));
}

static gboolean
two_more_refreshes (gpointer data)
{
  gpointer *args = data;

  return viewer_source_get_n_updates (args[0]) >= GPOINTER_TO_UINT (args[1]) + 2;
}

/* A live table stays in order at every refresh, a click on a header
 * re-sorts it, and the selection stays on its function wherever it goes,
 * while the places (and so the widgets) stay where they are. */
static void
test_live_order (void)
{
  ViewerWindow *window = viewer_window_new (GTK_APPLICATION (app));
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/", live_port);
  g_autoptr(ViewerSource) source = viewer_source_new_for_url (url, NULL);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
  ViewerSectionView *view;
  GtkColumnView *table;
  GListModel *places;
  GtkColumnViewColumn *name;
  gpointer args[2];
  guint position;

  gtk_window_set_default_size (GTK_WINDOW (window), 1300, 820);
  gtk_window_present (GTK_WINDOW (window));
  viewer_window_open_source (window, source);
  g_assert_true (viewer_test_wait_for (timing_shows_functions, window, 10000));
  view = viewer_window_get_section_view (window, "functions_timing");
  table = viewer_section_view_get_column_view (view);
  places = G_LIST_MODEL (gtk_column_view_get_model (table));

  /* Largest total first, on screen too. */
  g_assert_true (viewer_test_wait_for (table_shows_in_order, view, 5000));
  g_assert_true (viewer_section_view_select_name (view, "live::save"));
  assert_selection_on (view, "live::save");
  for (guint i = 0; i < g_list_model_get_n_items (places); i++)
    g_ptr_array_add (kept, g_list_model_get_item (places, i));

  /* A click on the Name header: names in order, the same places. */
  name = column_titled (table, "Name");
  g_assert_nonnull (name);
  gtk_column_view_sort_by_column (table, name, GTK_SORT_ASCENDING);
  g_assert_true (viewer_test_wait_for (table_shows_in_order, view, 5000));
  assert_selection_on (view, "live::save");
  for (guint i = 0; i < kept->len; i++)
    {
      g_autoptr(ViewerRank) now = g_list_model_get_item (places, i);
      g_assert_true (now == g_ptr_array_index (kept, i));
    }

  /* Descending: the selection moves with live::save to its new place. */
  position = gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (places));
  gtk_column_view_sort_by_column (table, name, GTK_SORT_DESCENDING);
  g_assert_true (viewer_test_wait_for (table_shows_in_order, view, 5000));
  assert_selection_on (view, "live::save");
  g_assert_cmpuint (gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (places)), !=, position);

  /* By calls, live: the order holds refresh after refresh. */
  gtk_column_view_sort_by_column (table, column_titled (table, "Calls"), GTK_SORT_DESCENDING);
  args[0] = source;
  args[1] = GUINT_TO_POINTER (viewer_source_get_n_updates (source));
  g_assert_true (viewer_test_wait_for (two_more_refreshes, args, 10000));
  g_assert_true (viewer_test_wait_for (table_shows_in_order, view, 5000));
  assert_selection_on (view, "live::save");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Runs @program to its end and returns the path of its JSON report. */
static char *
save_report (const char *program,
             const char *argument)
{
  g_autofree char *dir = g_dir_make_tmp ("hotpath-viewer-XXXXXX", NULL);
  char *path = g_build_filename (dir, "report.json", NULL);
  const char *argv[] = { program, argument, NULL };
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  int status;

  envp = g_environ_setenv (envp, "HOTPATH_OUTPUT_FORMAT", "json-pretty", TRUE);
  envp = g_environ_setenv (envp, "HOTPATH_OUTPUT_PATH", path, TRUE);
  envp = g_environ_setenv (envp, "HOTPATH_METRICS_SERVER_OFF", "1", TRUE);
  envp = g_environ_setenv (envp, "HOTPATH_DBUS_OFF", "1", TRUE);
  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  return path;
}

static gboolean
model_has_rows (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (data)) > 0;
}

static gboolean
shows_page_soon (gpointer data)
{
  gpointer *args = data;

  return viewer_window_get_section_view (args[0], args[1]) != NULL;
}

static void
test_saved_report (void)
{
  g_autofree char *path = save_report (HOTPATH_TEST_LIVE, "1");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(ViewerSource) source = viewer_source_new_for_file (file);
  ViewerWindow *window = viewer_window_new (GTK_APPLICATION (app));
  gpointer args[] = { source, GUINT_TO_POINTER (VIEWER_STATUS_REPORT) };
  ViewerSectionView *view;
  ViewerSectionModel *model;
  GtkSelectionModel *places;

  gtk_window_set_default_size (GTK_WINDOW (window), 1300, 820);
  gtk_window_present (GTK_WINDOW (window));
  viewer_window_open_source (window, source);
  g_assert_true (viewer_test_wait_for (status_is, args, 5000));
  g_assert_true (viewer_test_wait_for (timing_shows_functions, window, 5000));
  g_assert_cmpstr (gtk_label_get_text (viewer_window_get_status_label (window)), ==, "Saved Report");
  g_assert_cmpstr (viewer_source_get_program (source), ==, "live");

  view = viewer_window_get_section_view (window, "functions_timing");
  g_assert_true (viewer_section_view_select_name (view, "live::render"));
  viewer_test_spin (200);
  g_free (viewer_test_save_png (GTK_WIDGET (window), "viewer-report.png"));

  /* Closing the window frees its sections: the models, their rows and
   * the table's places. */
  model = viewer_section_view_get_model (view);
  places = gtk_column_view_get_model (viewer_section_view_get_column_view (view));
  g_object_add_weak_pointer (G_OBJECT (model), (gpointer *) &model);
  g_object_add_weak_pointer (G_OBJECT (places), (gpointer *) &places);
  gtk_window_destroy (GTK_WINDOW (window));
  viewer_test_spin (200);
  g_assert_null (places);
  g_assert_null (model);
  g_unlink (path);
}

/* Sections other than timing get their own page, after timing, with the
 * columns their rows carry (their JSON formats are still open). */
/* The data-flow sections of a saved report from examples/dataflow: one
 * page each, with the rows of the report and the sections' own columns. */
static void
test_more_sections (void)
{
  static const char *flow[] = { "channels", "futures", "sources", "main_loop" };
  g_autofree char *path = save_report (HOTPATH_TEST_DATAFLOW, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(ViewerSource) source = NULL;
  ViewerWindow *window;
  JsonObject *sections;
  gpointer args[2];

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  sections = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "sections");

  file = g_file_new_for_path (path);
  source = viewer_source_new_for_file (file);
  args[0] = source;
  args[1] = GUINT_TO_POINTER (VIEWER_STATUS_REPORT);
  window = viewer_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1300, 820);
  gtk_window_present (GTK_WINDOW (window));
  viewer_window_open_source (window, source);
  g_assert_true (viewer_test_wait_for (status_is, args, 5000));

  for (guint i = 0; i < G_N_ELEMENTS (flow); i++)
    {
      JsonArray *data = json_object_get_array_member (json_object_get_object_member (sections, flow[i]), "data");
      ViewerSectionView *view = viewer_window_get_section_view (window, flow[i]);
      ViewerSectionModel *model;

      g_assert_nonnull (view);
      model = viewer_section_view_get_model (view);
      g_assert_true (viewer_test_wait_for (model_has_rows, model, 5000));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, json_array_get_length (data));
    }
  g_assert_true (g_strv_contains (viewer_section_model_get_columns (viewer_section_view_get_model (
                   viewer_window_get_section_view (window, "channels"))), "latency_ns.p99"));
  g_assert_true (g_strv_contains (viewer_section_model_get_columns (viewer_section_view_get_model (
                   viewer_window_get_section_view (window, "main_loop"))), "busy_percent"));
  /* Timing stays the page shown first. */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (viewer_window_get_section_view (window, "functions_timing"))));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (viewer_window_get_section_view (window, "channels"))));

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
}

static gboolean
shows_page (gpointer data)
{
  gpointer *args = data;
  ViewerSectionView *view = viewer_window_get_section_view (args[0], args[1]);

  return view != NULL && gtk_widget_get_mapped (GTK_WIDGET (view)) &&
         g_list_model_get_n_items (G_LIST_MODEL (viewer_section_view_get_model (view))) > 0;
}

static gboolean
level_and_log_shown (gpointer data)
{
  ViewerSectionView *view = data;

  return viewer_graph_get_n_points (viewer_section_view_get_level_graph (view)) >= 3 &&
         viewer_graph_get_n_points (viewer_section_view_get_values_graph (view)) >= 3 &&
         gtk_widget_get_mapped (GTK_WIDGET (viewer_section_view_get_level_graph (view))) &&
         viewer_section_view_get_n_logs (view) > 0;
}

/* Starts @program (with @preload, if any, as LD_PRELOAD) live for ten
 * minutes, opens it over HTTP in a new window and shows @section's page
 * once it has rows. Returns the window; *pid is the program's. */
static ViewerWindow *
open_live_page (const char *program,
                const char *preload,
                const char *section,
                GPid       *pid)
{
  const char *tail[] = { "600", NULL };
  ViewerWindow *window = viewer_window_new (GTK_APPLICATION (app));
  g_autoptr(ViewerSource) source = NULL;
  g_autofree char *url = NULL;
  gpointer args[2] = { window, (gpointer) section };
  guint port = 0;

  if (preload != NULL)
    g_setenv ("LD_PRELOAD", preload, TRUE);
  *pid = viewer_test_spawn_live (program, tail, &port);
  g_unsetenv ("LD_PRELOAD");
  url = g_strdup_printf ("http://127.0.0.1:%u/", port);
  source = viewer_source_new_for_url (url, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1300, 820);
  gtk_window_present (GTK_WINDOW (window));
  viewer_window_open_source (window, source);

  g_assert_true (viewer_test_wait_for (shows_page_soon, args, 10000));
  g_assert_true (viewer_window_show_section (window, section));
  g_assert_true (viewer_test_wait_for (shows_page, args, 10000));
  return window;
}

/* examples/dataflow, live over HTTP: the channels page shows the queue
 * with its latency percentiles, and for the selected queue its send rate,
 * its length and its latencies over time, and its recent messages; the
 * main loop page graphs the loop's busy %. */
static void
test_live_flow (void)
{
  g_autofree char *shot = NULL;
  g_autofree char *length = NULL;
  ViewerSectionView *channels, *main_loop;
  ViewerWindow *window;
  GtkWidget *table;
  gpointer args[2];
  GPid pid;

  window = open_live_page (HOTPATH_TEST_DATAFLOW, NULL, "channels", &pid);
  channels = viewer_window_get_section_view (window, "channels");

  table = GTK_WIDGET (viewer_section_view_get_column_view (channels));
  g_assert_true (viewer_test_tree_has_label (table, "Latency p99"));
  g_assert_true (viewer_test_tree_has_label (table, "Queued"));
  g_assert_true (viewer_section_view_select_name (channels, "jobs"));
  g_assert_true (viewer_test_wait_for (level_and_log_shown, channels, 15000));
  g_assert_true (viewer_test_tree_has_label (GTK_WIDGET (channels), "Sent per Second"));
  g_assert_true (viewer_test_tree_has_label (GTK_WIDGET (channels), "Latency Percentiles"));
  /* The level graph's tooltip names the queue's length. */
  length = viewer_graph_describe_at (viewer_section_view_get_level_graph (channels),
                                     gtk_widget_get_width (GTK_WIDGET (viewer_section_view_get_level_graph (channels))) - 12);
  g_assert_nonnull (length);
  g_assert_nonnull (strstr (length, "Queued: "));
  shot = viewer_test_save_png (GTK_WIDGET (window), "viewer-channels.png");
  g_assert_true (g_file_test (shot, G_FILE_TEST_IS_REGULAR));

  args[0] = window;
  args[1] = (gpointer) "main_loop";
  viewer_window_show_section (window, "main_loop");
  g_assert_true (viewer_test_wait_for (shows_page, args, 10000));
  main_loop = viewer_window_get_section_view (window, "main_loop");
  g_assert_true (viewer_section_view_select_name (main_loop, "main"));
  g_assert_true (viewer_test_wait_for (level_and_log_shown, main_loop, 15000));
  g_assert_true (viewer_test_tree_has_label (GTK_WIDGET (main_loop), "Busy"));
  g_assert_true (viewer_test_tree_has_label (GTK_WIDGET (main_loop), "Iteration Percentiles"));

  gtk_window_destroy (GTK_WINDOW (window));
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
}

/* What a page of the sections below shows for its selected row, once
 * live data came in: its graphs (those its shape has) and its log. */
typedef struct
{
  const char *section;
  const char *row;
  gboolean    rate;
  gboolean    values;
  gboolean    level;
  gboolean    logs;
  const char *column;   /* a column title the table has */
} PageCheck;

static ViewerSectionView *checked_view;
static const PageCheck *checked_page;

/* The window has something to paint (not between a relayout and its
 * next frame). */
static gboolean
window_paints (gpointer data)
{
  GtkWidget *widget = data;
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  node = gtk_snapshot_free_to_node (snapshot);
  return node != NULL;
}

static gboolean
page_shown (gpointer data)
{
  ViewerSectionView *view = checked_view;
  const PageCheck *check = checked_page;

  if (check->rate && viewer_graph_get_n_points (viewer_section_view_get_rate_graph (view)) < 3)
    return FALSE;
  if (check->values && viewer_graph_get_n_points (viewer_section_view_get_values_graph (view)) < 3)
    return FALSE;
  if (check->level && (viewer_graph_get_n_points (viewer_section_view_get_level_graph (view)) < 3 ||
                       !gtk_widget_get_mapped (GTK_WIDGET (viewer_section_view_get_level_graph (view)))))
    return FALSE;
  if (check->logs && viewer_section_view_get_n_logs (view) == 0)
    return FALSE;
  return TRUE;
}

/* examples/dataflow, live over HTTP: a page for each of threads (a CPU
 * graph per thread), gauges (a value over time), streams (bytes per
 * second and latency), locks (wait percentiles, hold columns) and debug
 * values (the latest values and their log), each with a screenshot. */
static void
test_live_sections (void)
{
  static const PageCheck pages[] = {
    { "threads", "dataflow", FALSE, FALSE, TRUE, FALSE, "Cpu percent" },
    { "gauges", "jobs-in-flight", TRUE, FALSE, TRUE, TRUE, "Value" },
    { "streams", "self-reader", TRUE, TRUE, TRUE, TRUE, "Bytes" },
    { "locks", "stats", TRUE, TRUE, FALSE, FALSE, "Contended" },
    { "debug", "phase", FALSE, FALSE, FALSE, TRUE, "Value" },
  };
  ViewerWindow *window;
  GPid pid;

  g_setenv ("HOTPATH_THREADS", "1", TRUE);
  g_setenv ("HOTPATH_THREADS_INTERVAL_MS", "200", TRUE);
  window = open_live_page (HOTPATH_TEST_DATAFLOW, NULL, "gauges", &pid);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *name = g_strdup_printf ("viewer-%s.png", pages[i].section);
      g_autofree char *shot = NULL;
      gpointer args[2] = { window, (gpointer) pages[i].section };
      GtkWidget *table;

      g_test_message ("page %s, row %s", pages[i].section, pages[i].row);
      g_assert_true (viewer_window_show_section (window, pages[i].section));
      g_assert_true (viewer_test_wait_for (shows_page, args, 10000));
      checked_view = viewer_window_get_section_view (window, pages[i].section);
      checked_page = &pages[i];
      table = GTK_WIDGET (viewer_section_view_get_column_view (checked_view));
      g_assert_true (viewer_test_tree_has_label (table, pages[i].column));
      g_assert_true (viewer_section_view_select_name (checked_view, pages[i].row));
      g_assert_true (viewer_test_wait_for (page_shown, NULL, 20000));
      viewer_test_spin (250);   /* the page's own layout settles */
      g_assert_true (viewer_test_wait_for (window_paints, window, 10000));
      shot = viewer_test_save_png (GTK_WIDGET (window), name);
      g_assert_true (g_file_test (shot, G_FILE_TEST_IS_REGULAR));
    }

  gtk_window_destroy (GTK_WINDOW (window));
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_unsetenv ("HOTPATH_THREADS_INTERVAL_MS");
}

#ifdef HOTPATH_TEST_ALLOC_LIB
static gboolean
memory_graphs_shown (gpointer data)
{
  ViewerSectionView *view = data;

  return viewer_graph_get_n_points (viewer_section_view_get_rate_graph (view)) >= 2 &&
         viewer_graph_get_n_points (viewer_section_view_get_values_graph (view)) >= 2 &&
         gtk_widget_get_mapped (GTK_WIDGET (viewer_section_view_get_values_graph (view)));
}
#endif

/* examples/live with the allocation library preloaded, live over HTTP:
 * the Memory page shows bytes per function, in sizes. */
static void
test_live_memory (void)
{
#ifdef HOTPATH_TEST_ALLOC_LIB
  g_autofree char *described = NULL;
  g_autofree char *total = NULL;
  ViewerSectionView *memory;
  ViewerWindow *window;
  ViewerGraph *values;
  GPid pid;

  window = open_live_page (HOTPATH_TEST_LIVE, HOTPATH_TEST_ALLOC_LIB, "functions_alloc", &pid);
  memory = viewer_window_get_section_view (window, "functions_alloc");
  g_assert_true (g_strv_contains (viewer_section_model_get_columns (viewer_section_view_get_model (memory)),
                                  "bytes.total"));
  g_assert_true (viewer_test_tree_has_label (GTK_WIDGET (viewer_section_view_get_column_view (memory)),
                                             "Bytes total"));

  g_assert_true (viewer_section_view_select_name (memory, "live::parse"));
  g_assert_true (viewer_test_wait_for (memory_graphs_shown, memory, 15000));
  total = viewer_row_format (viewer_section_view_get_selected (memory), "bytes.total");
  g_assert_true (g_str_has_suffix (total, "B"));
  /* The percentiles of bytes per call are drawn in sizes. */
  values = viewer_section_view_get_values_graph (memory);
  described = viewer_graph_describe_at (values, gtk_widget_get_width (GTK_WIDGET (values)) - 12);
  g_assert_nonnull (described);
  g_assert_nonnull (strstr (described, "p50: "));
  g_assert_nonnull (strstr (described, " B"));

  gtk_window_destroy (GTK_WINDOW (window));
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
#else
  g_test_skip ("the allocation library interposes malloc, as the sanitizers do");
#endif
}

static void
test_not_a_report (void)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "hotpath-viewer-not-a-report.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(ViewerSource) source = NULL;
  gpointer args[2];

  g_assert_true (g_file_set_contents (path, "{\"hello\": 1}", -1, NULL));
  source = viewer_source_new_for_file (file);
  args[0] = source;
  args[1] = GUINT_TO_POINTER (VIEWER_STATUS_DISCONNECTED);
  viewer_source_start (source);
  g_assert_true (viewer_test_wait_for (status_is, args, 5000));
  g_assert_nonnull (viewer_source_get_error (source));
  g_unlink (path);
}

static void
test_disconnect (void)
{
  g_autoptr(ViewerSource) source = viewer_source_new_for_pid (live_pid);
  gpointer live[] = { source, GUINT_TO_POINTER (VIEWER_STATUS_LIVE) };
  gpointer gone[] = { source, GUINT_TO_POINTER (VIEWER_STATUS_DISCONNECTED) };
  int status;

  viewer_source_start (source);
  g_assert_true (viewer_test_wait_for (status_is, live, 10000));

  kill (live_pid, SIGTERM);
  waitpid (live_pid, &status, 0);
  live_pid = 0;
  g_assert_true (viewer_test_wait_for (status_is, gone, 10000));
  viewer_source_stop (source);
}

static void
test_reconnect_http (void)
{
  const char *tail[] = { "60", NULL };
  guint port = 0;
  GPid pid = viewer_test_spawn_live (HOTPATH_TEST_LIVE, tail, &port);
  g_autofree char *url = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr(ViewerSource) source = viewer_source_new_for_url (url, NULL);
  gpointer live[] = { source, GUINT_TO_POINTER (VIEWER_STATUS_LIVE) };
  gpointer stale[] = { source, GUINT_TO_POINTER (VIEWER_STATUS_STALE) };
  gpointer gone[] = { source, GUINT_TO_POINTER (VIEWER_STATUS_DISCONNECTED) };
  guint again = port;
  int status;

  viewer_source_start (source);
  g_assert_true (viewer_test_wait_for (status_is, live, 10000));

  /* The program goes away: Stale at the first failure, then Disconnected. */
  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
  g_assert_true (viewer_test_wait_for (status_is, stale, 5000));
  g_assert_true (viewer_test_wait_for (status_is, gone, 15000));

  /* It comes back on the same address: the source reconnects by itself. */
  pid = viewer_test_spawn_live (HOTPATH_TEST_LIVE, tail, &again);
  g_assert_cmpuint (again, ==, port);
  g_assert_true (viewer_test_wait_for (status_is, live, 10000));
  g_assert_null (viewer_source_get_error (source));

  viewer_source_stop (source);
  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
}

int
main (int   argc,
      char *argv[])
{
  const char *tail[] = { "600", NULL };
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  live_port = 0;
  live_pid = viewer_test_spawn_live (HOTPATH_TEST_LIVE, tail, &live_port);

  settings = g_settings_new ("io.github.HotpathGlib.Viewer");
  app = viewer_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (app));

  g_test_add_func ("/Hotpath/Viewer/UI/live-dbus", test_live_dbus);
  g_test_add_func ("/Hotpath/Viewer/UI/live-http", test_live_http);
  g_test_add_func ("/Hotpath/Viewer/UI/live-sections", test_live_sections);
  g_test_add_func ("/Hotpath/Viewer/UI/live-order", test_live_order);
  g_test_add_func ("/Hotpath/Viewer/UI/saved-report", test_saved_report);
  g_test_add_func ("/Hotpath/Viewer/UI/more-sections", test_more_sections);
  g_test_add_func ("/Hotpath/Viewer/UI/live-flow", test_live_flow);
  g_test_add_func ("/Hotpath/Viewer/UI/live-memory", test_live_memory);
  g_test_add_func ("/Hotpath/Viewer/UI/not-a-report", test_not_a_report);
  g_test_add_func ("/Hotpath/Viewer/UI/disconnect", test_disconnect);
  g_test_add_func ("/Hotpath/Viewer/UI/reconnect-http", test_reconnect_http);

  ret = g_test_run ();

  if (live_pid > 0)
    kill (live_pid, SIGTERM);
  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  g_clear_object (&settings);
  return ret;
}
