/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * viewer-section-view.c: one section of a report: a sortable, searchable
 * table and, for the selected row, a detail pane with its graphs and its
 * recent log.
 *
 * Columns come from the section model, so the percentiles shown are the
 * ones the target serves (those in the "percentiles" setting, when any
 * match). The table lists places (ViewerRankModel), not rows: widgets
 * never move, and a cell redraws its text when its place shows another
 * row or its row's values change (ViewerRank::changed). A refresh or a
 * re-sort costs the visible cells, not the thousand rows behind them.
 */

#include "config.h"

#include <hotpath-glib/hotpath.h>

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "viewer-format.h"
#include "viewer-rank-model.h"
#include "viewer-section-view.h"

struct _ViewerSectionView
{
  GtkWidget           parent_instance;

  ViewerSectionModel *model;
  ViewerSectionModel *log_model;
  ViewerSource       *source;
  ViewerRankModel    *ranks;
  GtkSingleSelection *selection;     /* of ranks */
  ViewerRow          *selected_row;  /* follows its row from place to place */
  gulong              selected_changed_id;
  GtkStringFilter    *filter;
  GCancellable       *log_cancellable;
  GStrv               shown_percentiles;
  GHashTable         *stale_cells;   /* GtkListItem bound off screen, not updated */
  GQueue              due_cells;     /* GtkListItem on screen, to update at a frame */
  GHashTable         *due_links;     /* GtkListItem → its GList link in due_cells */
  guint               due_tick_id;
  gboolean            has_rate;
  gboolean            has_values;
  gboolean            has_level;
  gboolean            log_in_flight;
  gint64              log_row_id;

  /* Template widgets */
  GtkPaned           *paned;
  GtkSearchEntry     *search_entry;
  GtkLabel           *count_label;
  GtkColumnView      *column_view;
  GtkStack           *detail_stack;
  GtkLabel           *detail_title;
  GtkLabel           *detail_subtitle;
  GtkLabel           *detail_summary;
  GtkLabel           *rate_heading;
  GtkLabel           *values_heading;
  GtkLabel           *level_heading;
  GtkLabel           *log_heading;
  ViewerGraph        *rate_graph;
  ViewerGraph        *values_graph;
  ViewerGraph        *level_graph;
  GtkStack           *log_stack;
  GtkColumnView      *log_view;
  GtkLabel           *log_message;
};

G_DEFINE_FINAL_TYPE (ViewerSectionView, viewer_section_view, GTK_TYPE_WIDGET)

static gboolean
is_text_member (const char *member)
{
  return g_str_equal (member, "name") || g_str_equal (member, "file");
}

/* Short words: a channel's type and state, a source's context, a log
 * entry's outcome and text. */
static gboolean
is_word_member (const char *member)
{
  static const char *words[] = { "type", "state", "context", "outcome", "text", "source", NULL };

  return g_strv_contains (words, member);
}

static GQuark
member_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("viewer-member");
  return quark;
}

static void
format_cell (GtkListItem *item)
{
  const char *member = g_object_get_qdata (G_OBJECT (item), member_quark ());
  ViewerRank *rank = gtk_list_item_get_item (item);
  ViewerRow *row = rank ? viewer_rank_get_row (rank) : NULL;
  GtkInscription *cell = GTK_INSCRIPTION (gtk_list_item_get_child (item));
  g_autofree char *text = NULL;

  if (row == NULL || cell == NULL)
    return;

  text = viewer_row_format (row, member);
  gtk_inscription_set_text (cell, text);
}

/* The positions on screen of @view, a few rows either side. */
static gboolean
visible_range (GtkColumnView *view,
               guint         *first,
               guint         *last)
{
  GtkAdjustment *vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));
  guint n = model ? g_list_model_get_n_items (model) : 0;
  double row_height, upper, value;

  if (n == 0 || vadj == NULL || (upper = gtk_adjustment_get_upper (vadj)) <= 0)
    return FALSE;
  row_height = upper / n;
  value = gtk_adjustment_get_value (vadj);
  *first = (guint) MAX (0.0, value / row_height - 3);
  *last = (guint) ((value + gtk_adjustment_get_page_size (vadj)) / row_height + 3);
  return TRUE;
}

/* At most this many cells get new text per frame. Drawing text is what a
 * refresh costs the frame (the cairo renderer, under Xvfb): ~10 ms when
 * all ~400 cells on screen change at once, as they do when 1,000 rows
 * change and re-sort. A few rows per frame keep each frame short; the
 * whole table follows within a few frames. */
#define CELLS_PER_FRAME 96

static void
forget_due_cell (ViewerSectionView *self,
                 GtkListItem       *item)
{
  GList *link;

  if (self->due_links != NULL && (link = g_hash_table_lookup (self->due_links, item)) != NULL)
    {
      g_queue_delete_link (&self->due_cells, link);
      g_hash_table_remove (self->due_links, item);
    }
}

static gboolean
update_due_cells (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  ViewerSectionView *self = VIEWER_SECTION_VIEW (widget);

  HOTPATH_MEASURE ();

  for (guint i = 0; i < CELLS_PER_FRAME && self->due_cells.length > 0; i++)
    {
      GtkListItem *item = g_queue_pop_head (&self->due_cells);

      g_hash_table_remove (self->due_links, item);
      format_cell (item);
    }
  if (self->due_cells.length > 0)
    return G_SOURCE_CONTINUE;
  self->due_tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
queue_due_cell (ViewerSectionView *self,
                GtkListItem       *item)
{
  if (g_hash_table_contains (self->due_links, item))
    return;
  g_queue_push_tail (&self->due_cells, item);
  g_hash_table_insert (self->due_links, item, self->due_cells.tail);
  if (self->due_tick_id == 0)
    self->due_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), update_due_cells, NULL, NULL);
}

/* GTK 4.8 keeps some 200 rows bound, ten times what a window shows. The
 * cells of a place whose row changed get their new text at a frame, a
 * few rows per frame (update_due_cells), when the place is on screen; off
 * screen they wait, stale, until it scrolls into view (flush_stale_cells).
 * @cells are one place's: one view, one position. */
static void
update_cells (GPtrArray *cells)
{
  GtkListItem *first_cell;
  GtkWidget *label;
  ViewerSectionView *self;
  GtkWidget *view;
  guint first, last, position;
  gboolean on_screen = TRUE;

  HOTPATH_MEASURE ();

  if (cells == NULL || cells->len == 0)
    return;
  first_cell = g_ptr_array_index (cells, 0);
  label = gtk_list_item_get_child (first_cell);
  self = label ? (ViewerSectionView *) gtk_widget_get_ancestor (label, VIEWER_TYPE_SECTION_VIEW) : NULL;
  view = label ? gtk_widget_get_ancestor (label, GTK_TYPE_COLUMN_VIEW) : NULL;
  if (self == NULL || self->stale_cells == NULL || view == NULL)
    {
      for (guint i = 0; i < cells->len; i++)
        format_cell (g_ptr_array_index (cells, i));
      return;
    }

  if (visible_range (GTK_COLUMN_VIEW (view), &first, &last))
    {
      position = gtk_list_item_get_position (first_cell);
      on_screen = position >= first && position <= last;
    }

  for (guint i = 0; i < cells->len; i++)
    {
      GtkListItem *item = g_ptr_array_index (cells, i);

      if (on_screen)
        {
          g_hash_table_remove (self->stale_cells, item);
          queue_due_cell (self, item);
        }
      else
        {
          forget_due_cell (self, item);
          g_hash_table_insert (self->stale_cells, item, view);
        }
    }
}

/* Cells that come into view are drawn at once: the view moves anyway. */
static void
flush_stale_cells (ViewerSectionView *self)
{
  GHashTableIter iter;
  gpointer item, view;
  guint first[2], last[2];
  gboolean known[2];

  if (self->stale_cells == NULL || g_hash_table_size (self->stale_cells) == 0)
    return;

  known[0] = visible_range (self->column_view, &first[0], &last[0]);
  known[1] = visible_range (self->log_view, &first[1], &last[1]);
  g_hash_table_iter_init (&iter, self->stale_cells);
  while (g_hash_table_iter_next (&iter, &item, &view))
    {
      guint i = view == (gpointer) self->column_view ? 0 : 1;
      guint position = gtk_list_item_get_position (item);

      if (!known[i] || (position >= first[i] && position <= last[i]))
        {
          g_hash_table_iter_remove (&iter);
          format_cell (item);
        }
    }
}

/* Names are ellipsized: show them whole on hover. Setting a tooltip text
 * on each update would ask the X server where the pointer is, every time:
 * that alone stalled the loop for tens of milliseconds per refresh. */
static gboolean
on_cell_query_tooltip (GtkWidget  *label,
                       int         x,
                       int         y,
                       gboolean    keyboard,
                       GtkTooltip *tooltip,
                       gpointer    user_data)
{
  const char *text = gtk_inscription_get_text (GTK_INSCRIPTION (label));

  if (text == NULL || *text == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            const char               *member)
{
  /* GtkInscription, not GtkLabel: its size does not follow its text, so
   * a new value redraws the cell instead of laying out the whole table
   * (a column view re-allocates every bound row when one cell resizes). */
  GtkWidget *label = gtk_inscription_new (NULL);

  g_object_set_qdata (G_OBJECT (item), member_quark (), (gpointer) member);
  if (is_text_member (member))
    {
      gtk_inscription_set_xalign (GTK_INSCRIPTION (label), 0);
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_MIDDLE);
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (label), 24);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (label), 32);
      gtk_widget_set_has_tooltip (label, TRUE);
      g_signal_connect (label, "query-tooltip", G_CALLBACK (on_cell_query_tooltip), NULL);
    }
  else if (is_word_member (member))
    {
      gtk_inscription_set_xalign (GTK_INSCRIPTION (label), 0);
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (label), g_str_equal (member, "text") ? 8 : 11);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (label), g_str_equal (member, "text") ? 24 : 12);
      gtk_widget_set_has_tooltip (label, TRUE);
      g_signal_connect (label, "query-tooltip", G_CALLBACK (on_cell_query_tooltip), NULL);
    }
  else
    {
      gtk_inscription_set_xalign (GTK_INSCRIPTION (label), 1);
      /* "234.56 ms": room for the values the table shows. */
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (label), 9);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (label), 9);
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_START);
      gtk_widget_add_css_class (label, "numeric");
    }
  gtk_list_item_set_child (item, label);
}

/* Each place keeps the cells bound to it, and one handler tells them all:
 * a signal connection per cell (a closure and a weak reference each) made
 * binding some 2,000 cells several ms slower. */
static GQuark
cells_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("viewer-bound-cells");
  return quark;
}

static void
on_rank_changed (ViewerRank *rank,
                 gpointer    user_data)
{
  update_cells (g_object_get_qdata (G_OBJECT (rank), cells_quark ()));
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  ViewerRank *rank = gtk_list_item_get_item (item);
  GPtrArray *cells = g_object_get_qdata (G_OBJECT (rank), cells_quark ());

  if (cells == NULL)
    {
      cells = g_ptr_array_new ();
      g_object_set_qdata_full (G_OBJECT (rank), cells_quark (), cells, (GDestroyNotify) g_ptr_array_unref);
      g_signal_connect (rank, "changed", G_CALLBACK (on_rank_changed), NULL);
    }
  g_ptr_array_add (cells, item);
  /* Newly bound (a scroll, a new row): its text now, not at a later frame. */
  format_cell (item);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  ViewerRank *rank = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  ViewerSectionView *self = label ? (ViewerSectionView *) gtk_widget_get_ancestor (label, VIEWER_TYPE_SECTION_VIEW) : NULL;
  GPtrArray *cells = rank ? g_object_get_qdata (G_OBJECT (rank), cells_quark ()) : NULL;

  if (cells != NULL)
    g_ptr_array_remove_fast (cells, item);
  if (self != NULL && self->stale_cells != NULL)
    {
      g_hash_table_remove (self->stale_cells, item);
      forget_due_cell (self, item);
    }
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      member)
{
  return viewer_row_compare (VIEWER_ROW ((gpointer) a), VIEWER_ROW ((gpointer) b), member);
}

static GtkColumnViewColumn *
make_column (const char *member)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autofree char *title = viewer_format_column_title (member);
  g_autoptr(GtkSorter) sorter = NULL;
  GtkColumnViewColumn *column;
  char *owned = g_strdup (member);

  /* The factory owns the member name its cells read. */
  g_object_set_data_full (G_OBJECT (factory), "viewer-member", owned, g_free);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), owned);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), NULL);

  column = gtk_column_view_column_new (title, factory);
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, g_strdup (member), g_free));
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_resizable (column, TRUE);
  if (g_str_equal (member, "name"))
    gtk_column_view_column_set_expand (column, TRUE);
  g_object_set_data_full (G_OBJECT (column), "viewer-member", g_strdup (member), g_free);
  return column;
}

static void
rebuild_columns (GtkColumnView      *view,
                 ViewerSectionModel *model)
{
  GListModel *columns = gtk_column_view_get_columns (view);
  const char * const *members = viewer_section_model_get_columns (model);

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);
      gtk_column_view_remove_column (view, column);
    }

  for (guint i = 0; members[i]; i++)
    {
      g_autoptr(GtkColumnViewColumn) column = make_column (members[i]);
      gtk_column_view_append_column (view, column);
    }
}

static GtkColumnViewColumn *
find_column (GtkColumnView *view,
             const char    *member)
{
  GListModel *columns = gtk_column_view_get_columns (view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      if (g_strcmp0 (g_object_get_data (G_OBJECT (column), "viewer-member"), member) == 0)
        return column;
    }
  return NULL;
}

/* A saved report is one moment: no rate, no history to draw. */
static void
update_graphs_visible (ViewerSectionView *self)
{
  gboolean report = self->source != NULL &&
                    viewer_source_get_kind (self->source) == VIEWER_SOURCE_FILE;
  GtkColumnViewColumn *rate = find_column (self->column_view, "rate");

  gtk_widget_set_visible (GTK_WIDGET (self->rate_graph), self->has_rate && !report);
  gtk_widget_set_visible (GTK_WIDGET (self->rate_heading), self->has_rate && !report);
  gtk_widget_set_visible (GTK_WIDGET (self->values_graph), self->has_values && !report);
  gtk_widget_set_visible (GTK_WIDGET (self->values_heading), self->has_values && !report);
  gtk_widget_set_visible (GTK_WIDGET (self->level_graph), self->has_level && !report);
  gtk_widget_set_visible (GTK_WIDGET (self->level_heading), self->has_level && !report);
  if (rate != NULL)
    gtk_column_view_column_set_visible (rate, !report);
}

/* Whether the "percentiles" setting names @key: "p99", or the percentile
 * of a nested summary, "latency_ns.p99". */
static gboolean
percentile_shown (ViewerSectionView *self,
                  const char        *key)
{
  return self->shown_percentiles != NULL &&
         g_strv_contains ((const char * const *) self->shown_percentiles, viewer_member_leaf (key));
}

static void
apply_percentiles (ViewerSectionView *self)
{
  const char * const *data = viewer_section_model_get_percentiles (self->model);
  gboolean any_match = FALSE;
  g_autoptr(GStrvBuilder) graphed = g_strv_builder_new ();
  g_auto(GStrv) series = NULL;

  for (guint i = 0; data[i]; i++)
    if (percentile_shown (self, data[i]))
      any_match = TRUE;

  for (guint i = 0; data[i]; i++)
    {
      GtkColumnViewColumn *column = find_column (self->column_view, data[i]);
      gboolean shown = !any_match || percentile_shown (self, data[i]);

      if (column != NULL)
        gtk_column_view_column_set_visible (column, shown);
    }

  /* The graph draws the series the model records: the data's own. */
  g_strv_builder_addv (graphed, (const char **) data);
  series = g_strv_builder_end (graphed);
  viewer_graph_set_series_names (self->values_graph, (const char * const *) series);
  self->has_values = data[0] != NULL;
  update_graphs_visible (self);
}

/* Headings name what each graph shows: "Sent per Second", "Queued",
 * "Latency Percentiles". */
static void
update_headings (ViewerSectionView *self)
{
  const char *rate = viewer_section_model_get_rate_member (self->model);
  const char *level = viewer_section_model_get_level_member (self->model);
  const char *summary = viewer_section_model_get_summary_member (self->model);
  g_autofree char *text = NULL;

  if (g_str_equal (viewer_section_model_get_name (self->model), "functions_timing"))
    return;

  if (rate != NULL)
    {
      g_autofree char *title = viewer_format_column_title (rate);
      /* TRANSLATORS: a graph's heading, %s is what is counted ("Sent") */
      text = g_strdup_printf (_("%s per Second"), title);
      gtk_label_set_text (self->rate_heading, text);
      g_clear_pointer (&text, g_free);
    }
  if (level != NULL)
    {
      text = viewer_format_column_title (level);
      gtk_label_set_text (self->level_heading, text);
      g_clear_pointer (&text, g_free);
    }
  if (summary != NULL)
    {
      g_autofree char *title = viewer_format_column_title (summary);
      /* TRANSLATORS: a graph's heading, %s is what the percentiles are of ("Latency") */
      text = g_strdup_printf (_("%s Percentiles"), title);
      gtk_label_set_text (self->values_heading, text);
    }
}

static void
on_columns_changed (ViewerSectionView  *self,
                    ViewerSectionModel *model)
{
  const char *rate = viewer_section_model_get_rate_member (model);
  GtkColumnViewColumn *sort_column;

  const char *level = viewer_section_model_get_level_member (model);
  const char *rate_series[] = { rate, NULL };
  const char *level_series[] = { level, NULL };

  rebuild_columns (self->column_view, model);
  apply_percentiles (self);

  viewer_graph_set_series_names (self->rate_graph, rate_series);
  viewer_graph_set_series_names (self->level_graph, level_series);
  self->has_rate = rate != NULL;
  self->has_level = level != NULL;
  update_headings (self);
  update_graphs_visible (self);

  /* Largest total first, as the library's table; else by the counter. */
  sort_column = find_column (self->column_view, "total_ns");
  if (sort_column == NULL && rate != NULL)
    sort_column = find_column (self->column_view, rate);
  if (sort_column != NULL)
    gtk_column_view_sort_by_column (self->column_view, sort_column, GTK_SORT_DESCENDING);
}

static void
on_log_columns_changed (ViewerSectionView  *self,
                        ViewerSectionModel *model)
{
  rebuild_columns (self->log_view, model);
}

static void
update_count (ViewerSectionView *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->ranks));
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  g_autofree char *text = NULL;

  if (shown == total)
    text = g_strdup_printf (ngettext ("%u item", "%u items", total), total);
  else
    text = g_strdup_printf (_("%u of %u"), shown, total);
  gtk_label_set_text (self->count_label, text);
}

static void
logs_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ViewerSectionView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) logs = viewer_source_get_logs_finish (VIEWER_SOURCE (object), result, &error);

  self->log_in_flight = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (logs == NULL || !viewer_section_model_update (self->log_model, logs, g_get_monotonic_time (), &error))
    {
      g_autofree char *text = g_strdup_printf (_("No log for this item: %s"), error->message);

      gtk_label_set_text (self->log_message, text);
      gtk_stack_set_visible_child_name (self->log_stack, "message");
      return;
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (self->log_model)) == 0)
    {
      gtk_label_set_text (self->log_message, _("No calls recorded yet."));
      gtk_stack_set_visible_child_name (self->log_stack, "message");
    }
  else
    gtk_stack_set_visible_child_name (self->log_stack, "logs");
}

static void
fetch_logs (ViewerSectionView *self,
            ViewerRow         *row)
{
  if (self->source == NULL || row == NULL)
    return;

  if (!viewer_section_model_has_logs (self->model))
    return;

  if (!viewer_source_has_logs (self->source))
    {
      gtk_label_set_text (self->log_message,
                          _("A saved report has no per-call log; connect to the running program to see it."));
      gtk_stack_set_visible_child_name (self->log_stack, "message");
      return;
    }

  if (self->log_in_flight && self->log_row_id == viewer_row_get_id (row))
    return;

  g_cancellable_cancel (self->log_cancellable);
  g_clear_object (&self->log_cancellable);
  self->log_cancellable = g_cancellable_new ();
  self->log_in_flight = TRUE;
  self->log_row_id = viewer_row_get_id (row);
  viewer_source_get_logs_async (self->source, viewer_section_model_get_name (self->model),
                                viewer_row_get_id (row), self->log_cancellable,
                                logs_done, g_object_ref (self));
}

static void
update_summary (ViewerSectionView *self,
                ViewerRow         *row)
{
  static const char *timing[] = { "calls", "avg_ns", "max_ns", "percent_total", NULL };
  const char * const *columns = viewer_section_model_get_columns (self->model);
  g_autoptr(GStrvBuilder) chosen = g_strv_builder_new ();
  g_auto(GStrv) members = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  const char *file = viewer_row_get_string (row, "file");
  double line = viewer_row_get_number (row, "line");
  g_autofree char *subtitle = NULL;

  if (file != NULL && line > 0)
    subtitle = g_strdup_printf ("%s:%.0f", file, line);
  else if (file != NULL)
    subtitle = g_strdup (file);
  gtk_label_set_text (self->detail_subtitle, subtitle ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->detail_subtitle), subtitle != NULL);

  /* Timing: its usual four. Other sections: their first columns after
   * the name and the rate (a channel's type, state, sent, received). */
  if (g_str_equal (viewer_section_model_get_name (self->model), "functions_timing"))
    g_strv_builder_addv (chosen, timing);
  else
    for (guint i = 0, n = 0; columns[i] && n < 4; i++)
      if (!g_str_equal (columns[i], "name") && !g_str_equal (columns[i], "rate"))
        {
          g_strv_builder_add (chosen, columns[i]);
          n++;
        }
  members = g_strv_builder_end (chosen);

  for (guint i = 0; members[i]; i++)
    {
      g_autofree char *title = NULL;
      g_autofree char *value = NULL;

      if (!viewer_row_has_member (row, members[i]))
        continue;
      title = viewer_format_column_title (members[i]);
      value = viewer_row_format (row, members[i]);
      if (text->len > 0)
        g_string_append (text, "  ·  ");
      g_string_append_printf (text, "%s %s", title, value);
    }
  gtk_label_set_text (self->detail_summary, text->str);
}

/* The summary follows the row's values as they are applied, not the
 * refresh that brought them (applied a slice at a time, later). */
static void
on_selected_row_changed (ViewerRow         *row,
                         ViewerSectionView *self)
{
  update_summary (self, row);
}

static void
show_row (ViewerSectionView *self,
          ViewerRow         *row)
{
  g_clear_signal_handler (&self->selected_changed_id, self->selected_row);
  if (row != NULL)
    self->selected_changed_id = g_signal_connect (row, "changed", G_CALLBACK (on_selected_row_changed), self);
  viewer_graph_set_row (self->rate_graph, row);
  viewer_graph_set_row (self->values_graph, row);
  viewer_graph_set_row (self->level_graph, row);

  if (row == NULL)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "empty");
      return;
    }

  gtk_label_set_text (self->detail_title, viewer_row_get_name (row));
  update_summary (self, row);
  gtk_stack_set_visible_child_name (self->detail_stack, "detail");

  /* A new item: start its log afresh. */
  if (viewer_row_get_id (row) != self->log_row_id)
    {
      g_autoptr(JsonNode) empty = json_from_string ("{\"logs\":[]}", NULL);
      viewer_section_model_update (self->log_model, empty, 0, NULL);
      self->log_in_flight = FALSE;
    }
  fetch_logs (self, row);
}

static void
on_selection_changed (ViewerSectionView *self)
{
  ViewerRank *rank = gtk_single_selection_get_selected_item (self->selection);
  ViewerRow *row = rank ? viewer_rank_get_row (rank) : NULL;

  /* A search that hides places while re-ranking drops the selection;
   * on_reordered() puts it back where the row went, if it is shown. */
  if (row == NULL && viewer_rank_model_is_reranking (self->ranks))
    return;
  /* The selection followed its row to another place. */
  if (row == self->selected_row)
    return;
  g_clear_signal_handler (&self->selected_changed_id, self->selected_row);
  g_set_object (&self->selected_row, row);
  show_row (self, row);
}

/* The selected item is the row, not the place: when a new order moves
 * the row, move the selection with it. */
static void
on_reordered (ViewerSectionView *self)
{
  guint position;

  if (self->selected_row == NULL)
    return;

  position = viewer_rank_model_find (self->ranks, self->selected_row);
  if (position != GTK_INVALID_LIST_POSITION)
    {
      if (position != gtk_single_selection_get_selected (self->selection))
        gtk_single_selection_set_selected (self->selection, position);
      return;
    }

  g_clear_signal_handler (&self->selected_changed_id, self->selected_row);
  g_clear_object (&self->selected_row);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  show_row (self, NULL);
}

static void
on_search_changed (ViewerSectionView *self,
                   GtkSearchEntry    *entry)
{
  gtk_string_filter_set_search (self->filter, gtk_editable_get_text (GTK_EDITABLE (entry)));
  update_count (self);
}

static void
on_stop_search (ViewerSectionView *self,
                GtkSearchEntry    *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
viewer_section_view_dispose (GObject *object)
{
  ViewerSectionView *self = (ViewerSectionView *) object;

  g_cancellable_cancel (self->log_cancellable);
  g_clear_object (&self->log_cancellable);
  g_clear_pointer (&self->stale_cells, g_hash_table_unref);
  if (self->due_tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->due_tick_id);
  self->due_tick_id = 0;
  g_queue_clear (&self->due_cells);
  g_clear_pointer (&self->due_links, g_hash_table_unref);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->ranks != NULL)
    g_signal_handlers_disconnect_by_data (self->ranks, self);
  g_clear_pointer ((GtkWidget **) &self->paned, gtk_widget_unparent);
  g_clear_object (&self->selection);
  g_clear_object (&self->ranks);
  g_clear_signal_handler (&self->selected_changed_id, self->selected_row);
  g_clear_object (&self->selected_row);
  g_clear_object (&self->filter);
  g_clear_object (&self->model);
  g_clear_object (&self->log_model);
  g_clear_object (&self->source);
  g_clear_pointer (&self->shown_percentiles, g_strfreev);

  G_OBJECT_CLASS (viewer_section_view_parent_class)->dispose (object);
}

static void
viewer_section_view_class_init (ViewerSectionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = viewer_section_view_dispose;

  g_type_ensure (VIEWER_TYPE_GRAPH);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/HotpathGlib/Viewer/viewer-section-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, paned);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, count_label);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, column_view);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, detail_title);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, detail_subtitle);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, detail_summary);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, rate_heading);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, values_heading);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, level_heading);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, level_graph);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, log_heading);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, rate_graph);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, values_graph);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, log_stack);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, log_view);
  gtk_widget_class_bind_template_child (widget_class, ViewerSectionView, log_message);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sectionview");
}

static void
viewer_section_view_init (ViewerSectionView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->log_row_id = -1;
  self->stale_cells = g_hash_table_new (NULL, NULL);
  self->due_links = g_hash_table_new (NULL, NULL);
  self->log_model = viewer_section_model_new ("logs");
  g_signal_connect_object (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->log_view)),
                           "value-changed", G_CALLBACK (flush_stale_cells), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->log_view)),
                           "changed", G_CALLBACK (flush_stale_cells), self, G_CONNECT_SWAPPED);
  viewer_graph_set_kind (self->rate_graph, VIEWER_GRAPH_RATE);
  viewer_graph_set_kind (self->values_graph, VIEWER_GRAPH_VALUES);
  viewer_graph_set_kind (self->level_graph, VIEWER_GRAPH_LEVEL);
  g_signal_connect_object (self->log_model, "columns-changed", G_CALLBACK (on_log_columns_changed),
                           self, G_CONNECT_SWAPPED);
  /* The log's newest entries come first: places, so its rows do not move. */
  {
    g_autoptr(GtkNoSelection) log_places =
      gtk_no_selection_new (G_LIST_MODEL (viewer_rank_model_new (self->log_model, NULL, NULL)));

    /* set_model takes a reference of its own. */
    gtk_column_view_set_model (self->log_view, GTK_SELECTION_MODEL (log_places));
  }
  g_signal_connect_object (gtk_column_view_get_model (self->log_view), "items-changed",
                           G_CALLBACK (flush_stale_cells), self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
}

GtkWidget *
viewer_section_view_new (ViewerSectionModel *model,
                         ViewerSource       *source)
{
  ViewerSectionView *self;

  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (model), NULL);
  g_return_val_if_fail (!source || VIEWER_IS_SOURCE (source), NULL);

  self = g_object_new (VIEWER_TYPE_SECTION_VIEW, NULL);
  self->model = g_object_ref (model);
  self->source = source ? g_object_ref (source) : NULL;

  self->filter = gtk_string_filter_new (gtk_property_expression_new (VIEWER_TYPE_ROW, NULL, "name"));
  gtk_string_filter_set_match_mode (self->filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (self->filter, TRUE);
  /* Places, not a GtkSortListModel: a live re-sort then changes the text
   * of the rows on screen instead of moving ~200 rows' widgets. */
  self->ranks = viewer_rank_model_new (model, gtk_column_view_get_sorter (self->column_view),
                                       GTK_FILTER (self->filter));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->ranks)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (on_selection_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (model, "columns-changed", G_CALLBACK (on_columns_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ranks, "reordered", G_CALLBACK (on_reordered),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view)),
                           "value-changed", G_CALLBACK (flush_stale_cells), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view)),
                           "changed", G_CALLBACK (flush_stale_cells), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ranks, "items-changed", G_CALLBACK (update_count),
                           self, G_CONNECT_SWAPPED);

  /* Threads and locks keep no log: no log pane. */
  gtk_widget_set_visible (GTK_WIDGET (self->log_heading), viewer_section_model_has_logs (model));
  gtk_widget_set_visible (GTK_WIDGET (self->log_stack), viewer_section_model_has_logs (model));

  /* Until the section's shape is known (update_headings). */
  if (!g_str_equal (viewer_section_model_get_name (model), "functions_timing"))
    {
      gtk_label_set_text (self->rate_heading, _("Rate"));
      gtk_label_set_text (self->values_heading, _("Percentiles"));
      gtk_label_set_text (self->log_heading, _("Recent Entries"));
    }
  if (viewer_section_model_get_columns (model)[0] != NULL)
    on_columns_changed (self, model);
  update_count (self);


  return GTK_WIDGET (self);
}

ViewerSectionModel *
viewer_section_view_get_model (ViewerSectionView *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_VIEW (self), NULL);
  return self->model;
}

GtkColumnView *
viewer_section_view_get_column_view (ViewerSectionView *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_VIEW (self), NULL);
  return self->column_view;
}

GtkColumnView *
viewer_section_view_get_log_view (ViewerSectionView *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_VIEW (self), NULL);
  return self->log_view;
}

ViewerGraph *
viewer_section_view_get_rate_graph (ViewerSectionView *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_VIEW (self), NULL);
  return self->rate_graph;
}

ViewerGraph *
viewer_section_view_get_values_graph (ViewerSectionView *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_VIEW (self), NULL);
  return self->values_graph;
}

ViewerGraph *
viewer_section_view_get_level_graph (ViewerSectionView *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_VIEW (self), NULL);
  return self->level_graph;
}

ViewerRow *
viewer_section_view_get_selected (ViewerSectionView *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_VIEW (self), NULL);
  return self->selected_row;
}

guint
viewer_section_view_get_n_logs (ViewerSectionView *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_VIEW (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->log_model));
}

/**
 * viewer_section_view_select_name:
 *
 * Selects the row called @name, as a click on it would.
 *
 * Returns: whether a row has that name
 */
gboolean
viewer_section_view_select_name (ViewerSectionView *self,
                                 const char        *name)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_VIEW (self), FALSE);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->ranks)); i++)
    {
      ViewerRow *row = viewer_rank_model_get_row (self->ranks, i);

      if (g_strcmp0 (viewer_row_get_name (row), name) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

void
viewer_section_view_set_search (ViewerSectionView *self,
                                const char        *text)
{
  g_return_if_fail (VIEWER_IS_SECTION_VIEW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  /* search-changed is delayed; filter now. */
  gtk_string_filter_set_search (self->filter, text);
  update_count (self);
}

void
viewer_section_view_focus_search (ViewerSectionView *self)
{
  g_return_if_fail (VIEWER_IS_SECTION_VIEW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
viewer_section_view_set_window (ViewerSectionView *self,
                                guint              seconds)
{
  g_return_if_fail (VIEWER_IS_SECTION_VIEW (self));
  viewer_section_model_set_window (self->model, (gint64) seconds * G_USEC_PER_SEC);
  viewer_graph_set_window (self->rate_graph, seconds);
  viewer_graph_set_window (self->values_graph, seconds);
  viewer_graph_set_window (self->level_graph, seconds);
}

void
viewer_section_view_set_percentiles (ViewerSectionView  *self,
                                     const char * const *shown)
{
  g_return_if_fail (VIEWER_IS_SECTION_VIEW (self));
  g_strfreev (self->shown_percentiles);
  self->shown_percentiles = g_strdupv ((char **) shown);
  apply_percentiles (self);
}

/* After each refresh of the model: counts, detail, log. */
void
viewer_section_view_refresh (ViewerSectionView *self)
{
  ViewerRow *row;
  gboolean live;

  g_return_if_fail (VIEWER_IS_SECTION_VIEW (self));

  update_count (self);
  live = self->source != NULL &&
         viewer_source_get_status (self->source) != VIEWER_STATUS_REPORT &&
         viewer_source_get_status (self->source) != VIEWER_STATUS_PAUSED;
  viewer_graph_set_live (self->rate_graph, live);
  viewer_graph_set_live (self->values_graph, live);
  viewer_graph_set_live (self->level_graph, live);

  row = self->selected_row;
  if (row != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    fetch_logs (self, row);
}
