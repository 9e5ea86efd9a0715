/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * viewer-rank-model.c: the rows of a section, filtered and sorted, as a
 * list of places that never move.
 *
 * A GtkSortListModel tells a list view that its items moved whenever the
 * order changes, and GTK 4.8's column view then moves and lays out again
 * the widgets of the ~200 rows it keeps bound: 16 to 25 ms for one live
 * re-sort of 1,000 rows, a dropped frame every time. Here the items are
 * ViewerRank, one per place in the order (first, second, …). A new order
 * changes which row each place shows and emits ViewerRank::changed for
 * the places that show another row; the view redraws their text, as it
 * does for new values. Only a change in the number of rows shown is an
 * items-changed, at the end of the list, so the widgets of the places
 * before it stay where they are.
 *
 * Re-ranking happens when rows come or go, when their values change (a
 * live table is always in order), when the sorter changes (a click on a
 * column header) and when the filter does (the search entry). Rows that
 * compare equal keep their previous places, so equal rows do not swap at
 * every refresh.
 */

#include "config.h"

#include <hotpath-glib/hotpath.h>

#include "viewer-rank-model.h"

/* ViewerRank: one place in the order. */

struct _ViewerRank
{
  GObject    parent_instance;

  ViewerRow *row;
  gulong     row_changed_id;
  guint      position;
};

enum {
  RANK_CHANGED,
  N_RANK_SIGNALS
};

static guint rank_signals[N_RANK_SIGNALS];

G_DEFINE_FINAL_TYPE (ViewerRank, viewer_rank, G_TYPE_OBJECT)

static void
on_row_changed (ViewerRow  *row,
                ViewerRank *self)
{
  g_signal_emit (self, rank_signals[RANK_CHANGED], 0);
}

static void
viewer_rank_clear_row (ViewerRank *self)
{
  if (self->row == NULL)
    return;
  g_clear_signal_handler (&self->row_changed_id, self->row);
  g_clear_object (&self->row);
}

/* Shows @row at this place; tells the cells when it is another row. */
static void
viewer_rank_set_row (ViewerRank *self,
                     ViewerRow  *row)
{
  if (self->row == row)
    return;
  viewer_rank_clear_row (self);
  self->row = g_object_ref (row);
  self->row_changed_id = g_signal_connect (row, "changed", G_CALLBACK (on_row_changed), self);
  g_signal_emit (self, rank_signals[RANK_CHANGED], 0);
}

static void
viewer_rank_dispose (GObject *object)
{
  viewer_rank_clear_row (VIEWER_RANK (object));

  G_OBJECT_CLASS (viewer_rank_parent_class)->dispose (object);
}

static void
viewer_rank_class_init (ViewerRankClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = viewer_rank_dispose;

  /**
   * ViewerRank::changed:
   *
   * The place shows another row, or its row's values changed.
   */
  rank_signals[RANK_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
viewer_rank_init (ViewerRank *self)
{
}

/**
 * viewer_rank_get_row:
 *
 * Returns: (transfer none): the row shown at this place
 */
ViewerRow *
viewer_rank_get_row (ViewerRank *self)
{
  g_return_val_if_fail (VIEWER_IS_RANK (self), NULL);
  return self->row;
}

/**
 * viewer_rank_get_position:
 *
 * Returns: the place, 0 for the first
 */
guint
viewer_rank_get_position (ViewerRank *self)
{
  g_return_val_if_fail (VIEWER_IS_RANK (self), 0);
  return self->position;
}

/* ViewerRankModel */

struct _ViewerRankModel
{
  GObject             parent_instance;

  ViewerSectionModel *rows;
  GtkSorter          *sorter;
  GtkFilter          *filter;
  GPtrArray          *ranks;      /* ViewerRank, one per place */
  GHashTable         *positions;  /* ViewerRow → its place + 1 */
  GHashTable         *matches;    /* ViewerRow (ref) → whether the filter matches it */
  guint               n_reranks;
  guint               rerank_id;
  gboolean            reranking;
};

enum {
  REORDERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ViewerRankModel, viewer_rank_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

typedef struct
{
  ViewerRow *row;
  guint      key;   /* the previous place, or after all of them when new */
} Entry;

static int
compare_entries (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const Entry *ea = a, *eb = b;
  GtkSorter *sorter = user_data;
  int order = sorter ? gtk_sorter_compare (sorter, ea->row, eb->row) : GTK_ORDERING_EQUAL;

  if (order != GTK_ORDERING_EQUAL)
    return order;
  return (ea->key > eb->key) - (ea->key < eb->key);
}

static gboolean
row_matches (ViewerRankModel *self,
             GtkFilterMatch   strictness,
             ViewerRow       *row)
{
  gpointer cached;
  gboolean match;

  if (strictness != GTK_FILTER_MATCH_SOME)
    return strictness == GTK_FILTER_MATCH_ALL;

  /* Names do not change: ask the filter once per row and search text. */
  if (g_hash_table_lookup_extended (self->matches, row, NULL, &cached))
    return GPOINTER_TO_INT (cached);
  match = gtk_filter_match (self->filter, row);
  g_hash_table_insert (self->matches, g_object_ref (row), GINT_TO_POINTER (match));
  return match;
}

static void
rerank (ViewerRankModel *self)
{
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  g_autoptr(GArray) entries = g_array_sized_new (FALSE, FALSE, sizeof (Entry), n_rows);
  GtkFilterMatch strictness = self->filter ? gtk_filter_get_strictness (self->filter) : GTK_FILTER_MATCH_ALL;
  guint old_n = self->ranks->len;
  guint common;

  HOTPATH_MEASURE ();

  g_clear_handle_id (&self->rerank_id, g_source_remove);
  for (guint i = 0; i < n_rows; i++)
    {
      Entry entry;
      guint place;

      entry.row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);
      if (!row_matches (self, strictness, entry.row))
        {
          g_object_unref (entry.row);
          continue;
        }
      /* Without a sorter the rows' own order is the order; with one,
       * equal rows stay where they were and new rows come after them. */
      place = GPOINTER_TO_UINT (g_hash_table_lookup (self->positions, entry.row));
      entry.key = self->sorter == NULL || place == 0 ? G_MAXINT + i : place - 1;
      g_array_append_val (entries, entry);
    }

  g_qsort_with_data (entries->data, entries->len, sizeof (Entry), compare_entries, self->sorter);

  /* Rows the filter no longer sees were cached; drop them now and then. */
  if (g_hash_table_size (self->matches) > 2 * n_rows + 64)
    g_hash_table_remove_all (self->matches);

  g_hash_table_remove_all (self->positions);
  common = MIN (old_n, entries->len);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = &g_array_index (entries, Entry, i);

      g_hash_table_insert (self->positions, entry->row, GUINT_TO_POINTER (i + 1));
      if (i < common)
        viewer_rank_set_row (g_ptr_array_index (self->ranks, i), entry->row);
      else
        {
          ViewerRank *rank = g_object_new (VIEWER_TYPE_RANK, NULL);

          rank->position = i;
          viewer_rank_set_row (rank, entry->row);
          g_ptr_array_add (self->ranks, rank);
        }
    }
  if (entries->len < old_n)
    g_ptr_array_remove_range (self->ranks, common, old_n - common);

  /* The ranks hold the rows now (and the positions table borrows). */
  for (guint i = 0; i < entries->len; i++)
    g_object_unref (g_array_index (entries, Entry, i).row);

  self->n_reranks++;
  if (entries->len != old_n)
    {
      self->reranking = TRUE;
      g_list_model_items_changed (G_LIST_MODEL (self), common, old_n - common, entries->len - common);
      self->reranking = FALSE;
    }
  g_signal_emit (self, signals[REORDERED], 0);
}

static gboolean
rerank_in_idle (gpointer data)
{
  ViewerRankModel *self = data;

  self->rerank_id = 0;
  rerank (self);
  return G_SOURCE_REMOVE;
}

static void
on_values_changed (ViewerRankModel *self)
{
  /* Without a sorter the order does not depend on values. With one, sort
   * in an iteration of its own, not in the one that applied the values. */
  if (self->sorter != NULL && self->rerank_id == 0)
    self->rerank_id = viewer_idle_add_named (rerank_in_idle, self, "viewer-rank-model:rerank");
}

static void
on_filter_changed (ViewerRankModel *self)
{
  g_hash_table_remove_all (self->matches);
  rerank (self);
}

static GType
viewer_rank_model_get_item_type (GListModel *model)
{
  return VIEWER_TYPE_RANK;
}

static guint
viewer_rank_model_get_n_items (GListModel *model)
{
  return VIEWER_RANK_MODEL (model)->ranks->len;
}

static gpointer
viewer_rank_model_get_item (GListModel *model,
                            guint       position)
{
  ViewerRankModel *self = VIEWER_RANK_MODEL (model);

  if (position >= self->ranks->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->ranks, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = viewer_rank_model_get_item_type;
  iface->get_n_items = viewer_rank_model_get_n_items;
  iface->get_item = viewer_rank_model_get_item;
}

static void
viewer_rank_model_dispose (GObject *object)
{
  ViewerRankModel *self = (ViewerRankModel *) object;

  if (self->rows != NULL)
    g_signal_handlers_disconnect_by_data (self->rows, self);
  if (self->sorter != NULL)
    g_signal_handlers_disconnect_by_data (self->sorter, self);
  if (self->filter != NULL)
    g_signal_handlers_disconnect_by_data (self->filter, self);
  g_clear_handle_id (&self->rerank_id, g_source_remove);
  g_clear_object (&self->rows);
  g_clear_object (&self->sorter);
  g_clear_object (&self->filter);
  if (self->positions != NULL)
    g_hash_table_remove_all (self->positions);
  if (self->ranks != NULL)
    g_ptr_array_set_size (self->ranks, 0);
  if (self->matches != NULL)
    g_hash_table_remove_all (self->matches);

  G_OBJECT_CLASS (viewer_rank_model_parent_class)->dispose (object);
}

static void
viewer_rank_model_finalize (GObject *object)
{
  ViewerRankModel *self = (ViewerRankModel *) object;

  g_clear_pointer (&self->ranks, g_ptr_array_unref);
  g_clear_pointer (&self->positions, g_hash_table_unref);
  g_clear_pointer (&self->matches, g_hash_table_unref);

  G_OBJECT_CLASS (viewer_rank_model_parent_class)->finalize (object);
}

static void
viewer_rank_model_class_init (ViewerRankModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = viewer_rank_model_dispose;
  object_class->finalize = viewer_rank_model_finalize;

  /**
   * ViewerRankModel::reordered:
   *
   * The places were given out again (after any items-changed), so a
   * view can move its selection to where its row is now.
   */
  signals[REORDERED] =
    g_signal_new ("reordered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
viewer_rank_model_init (ViewerRankModel *self)
{
  self->ranks = g_ptr_array_new_with_free_func (g_object_unref);
  self->positions = g_hash_table_new (NULL, NULL);
  self->matches = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
}

/**
 * viewer_rank_model_new:
 * @rows: the section's rows
 * @sorter: (nullable): the order; without one, the rows' own
 * @filter: (nullable): which rows to show
 *
 * Returns: (transfer full): a list of the places of @rows's rows
 */
ViewerRankModel *
viewer_rank_model_new (ViewerSectionModel *rows,
                       GtkSorter          *sorter,
                       GtkFilter          *filter)
{
  ViewerRankModel *self;

  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (rows), NULL);
  g_return_val_if_fail (!sorter || GTK_IS_SORTER (sorter), NULL);
  g_return_val_if_fail (!filter || GTK_IS_FILTER (filter), NULL);

  self = g_object_new (VIEWER_TYPE_RANK_MODEL, NULL);
  self->rows = g_object_ref (rows);
  self->sorter = sorter ? g_object_ref (sorter) : NULL;
  self->filter = filter ? g_object_ref (filter) : NULL;

  g_signal_connect_swapped (rows, "items-changed", G_CALLBACK (rerank), self);
  g_signal_connect_swapped (rows, "values-changed", G_CALLBACK (on_values_changed), self);
  if (sorter != NULL)
    g_signal_connect_swapped (sorter, "changed", G_CALLBACK (rerank), self);
  if (filter != NULL)
    g_signal_connect_swapped (filter, "changed", G_CALLBACK (on_filter_changed), self);

  rerank (self);
  return self;
}

/**
 * viewer_rank_model_get_row:
 *
 * Returns: (transfer none) (nullable): the row at @position
 */
ViewerRow *
viewer_rank_model_get_row (ViewerRankModel *self,
                           guint            position)
{
  g_return_val_if_fail (VIEWER_IS_RANK_MODEL (self), NULL);

  if (position >= self->ranks->len)
    return NULL;
  return viewer_rank_get_row (g_ptr_array_index (self->ranks, position));
}

/**
 * viewer_rank_model_find:
 *
 * Returns: the place of @row, or %GTK_INVALID_LIST_POSITION when it is
 *   not shown
 */
guint
viewer_rank_model_find (ViewerRankModel *self,
                        ViewerRow       *row)
{
  guint place;

  g_return_val_if_fail (VIEWER_IS_RANK_MODEL (self), GTK_INVALID_LIST_POSITION);

  place = row ? GPOINTER_TO_UINT (g_hash_table_lookup (self->positions, row)) : 0;
  return place == 0 ? GTK_INVALID_LIST_POSITION : place - 1;
}

/**
 * viewer_rank_model_get_n_reranks:
 *
 * Returns: how many times the places were given out (for tests)
 */
guint
viewer_rank_model_get_n_reranks (ViewerRankModel *self)
{
  g_return_val_if_fail (VIEWER_IS_RANK_MODEL (self), 0);
  return self->n_reranks;
}

/**
 * viewer_rank_model_is_reranking:
 *
 * Returns: whether the model is telling its views that places came or
 *   went, before #ViewerRankModel::reordered (a selection model drops
 *   its selection then, which the view may want to put back)
 */
gboolean
viewer_rank_model_is_reranking (ViewerRankModel *self)
{
  g_return_val_if_fail (VIEWER_IS_RANK_MODEL (self), FALSE);
  return self->reranking;
}
