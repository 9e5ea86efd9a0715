/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * viewer-section-model.c: a GListModel of ViewerRow for one report section.
 *
 * A section is the JSON object the library serves for it (the same for a
 * live target and a saved report): `data` is an array of rows, each with
 * an `id` (else its position) and a `name`. Updates keep the rows of ids
 * seen before, in the order first seen, so selections and widgets
 * survive a refresh; only rows that come or go are items-changed.
 *
 * The columns are the section's own: for functions_timing the known ones
 * with the percentiles the data carries; for the sections whose format is
 * still open, the scalar members of their rows, in order.
 */

#include "config.h"

#include <hotpath-glib/hotpath.h>

#include <string.h>
#include <glib/gi18n.h>

#include "viewer-section-model.h"

/* A refresh being applied to the rows. */
typedef struct
{
  JsonNode   *section;
  JsonArray  *array;
  guint       n;
  guint       cursor;
  gint64      time_us;
  GPtrArray  *rows;           /* ViewerRow, in the order served */
  GHashTable *by_id;          /* gint64 id → ViewerRow */
  GPtrArray  *graveyard;      /* the rows' previous JsonObjects */
  gboolean    structure_changed;
  gboolean    any_changed;
} Apply;

struct _ViewerSectionModel
{
  GObject     parent_instance;

  char       *name;
  GPtrArray  *rows;          /* ViewerRow, in the order served */
  GHashTable *by_id;         /* gint64 id → ViewerRow */
  GPtrArray  *pending;       /* ViewerRow whose changed is not emitted yet */
  guint       pending_id;
  Apply      *apply;         /* a refresh being applied, a slice at a time */
  JsonNode   *next;          /* the refresh after it, if one came meanwhile */
  gint64      next_time_us;
  guint       apply_id;
  GStrv       columns;
  GStrv       percentiles;   /* "p50", "p95", … */
  char       *rate_member;
  const char *level_member;  /* static, from the section's shape */
  char       *summary_member;
  gint64      window_us;
  guint64     total_count;
};

enum {
  COLUMNS_CHANGED,
  VALUES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);
static gboolean apply_step (ViewerSectionModel *self,
                            gint64              deadline);
static void apply_free (Apply *apply);
static void node_unref_in_thread (JsonNode *node);

G_DEFINE_FINAL_TYPE_WITH_CODE (ViewerSectionModel, viewer_section_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static const struct {
  const char *name;
  const char *title;
} section_titles[] = {
  { "functions_timing", N_("Timing") },
  { "functions_alloc", N_("Memory") },
  { "channels", N_("Channels") },
  { "futures", N_("Futures") },
  { "sources", N_("Sources") },
  { "main_loop", N_("Main Loop") },
  { "threads", N_("Threads") },
  { "gauges", N_("Gauges") },
  { "debug", N_("Debug") },
  { "streams", N_("Streams") },
  { "locks", N_("Locks") },
  { "logs", N_("Log") },
};

/* Members that count events, whose rate is graphed. */
static const char *rate_members[] = {
  "calls", "count", "allocations", "sent", "completed", "dispatches", "iterations", NULL
};

/* What the viewer knows of the data-flow and allocation sections: their
 * columns, in order after the name and the rate ("%" where the summary's
 * percentiles go), the counter the rate follows, the nested summary whose
 * percentiles are columns and the values graph ("latency_ns.p50"), and a
 * level graphed as it is. Sections not listed show the scalar members of
 * their rows. */
typedef struct
{
  const char *name;
  const char *rate_member;
  const char *summary;
  const char *level_member;
  const char *columns[10];
  gboolean    no_logs;      /* its items keep no log: no log pane */
} SectionShape;

static const SectionShape section_shapes[] = {
  { "channels", "sent", "latency_ns", "queued",
    { "type", "state", "sent", "received", "queued", "max_queued", "%", "latency_ns.max_ns", NULL } },
  { "futures", "completed", "lifetime_ns", "in_flight",
    { "type", "created", "in_flight", "completed", "returned_error", "cancelled", "%", "lifetime_ns.max_ns", NULL } },
  { "sources", "dispatches", "duration_ns", NULL,
    { "type", "context", "dispatches", "total_ns", "%", "duration_ns.max_ns", NULL } },
  { "main_loop", "iterations", "iteration_busy_ns", "busy_percent",
    { "state", "iterations", "busy_percent", "stalls", "stall_ns", "%", "lag_ns.max_ns", NULL } },
  { "functions_alloc", "calls", "bytes", NULL,
    { "calls", "bytes.total", "count.total", "%", "peak_bytes.max", NULL } },
  /* A CPU graph per thread. */
  { "threads", NULL, NULL, "cpu_percent",
    { "tid", "state", "cpu_percent", "max_cpu_percent", "avg_cpu_percent", "cpu_time_ns", NULL },
    .no_logs = TRUE },
  /* A gauge's value over time. */
  { "gauges", "updates", NULL, "value",
    { "value", "min", "max", "updates", NULL } },
  /* The latest values; the log pane has the earlier ones. */
  { "debug", "count", NULL, NULL,
    { "kind", "location", "type", "value", "count", NULL } },
  /* Bytes per second and each operation's latency. */
  { "streams", "bytes", "latency_ns", "open",
    { "direction", "state", "open", "items", "bytes", "errors", "%", "latency_ns.max_ns", NULL } },
  /* Wait percentiles as the section's percentiles, hold ones beside. */
  { "locks", "acquisitions", "wait_ns", NULL,
    { "type", "acquisitions", "contended", "%", "hold_ns.p50", "hold_ns.p99", "hold_ns.max_ns", NULL },
    .no_logs = TRUE },
};

static const SectionShape *
find_shape (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (section_shapes); i++)
    if (g_str_equal (section_shapes[i].name, name))
      return &section_shapes[i];
  return NULL;
}

const char *
viewer_section_title (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (section_titles); i++)
    if (g_str_equal (name, section_titles[i].name))
      return _(section_titles[i].title);
  return name;
}

static GType
get_item_type (GListModel *model)
{
  return VIEWER_TYPE_ROW;
}

static guint
get_n_items (GListModel *model)
{
  return VIEWER_SECTION_MODEL (model)->rows->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  ViewerSectionModel *self = VIEWER_SECTION_MODEL (model);

  if (position >= self->rows->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->rows, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* Main-loop time one idle iteration may spend applying a refresh or
 * telling rows they changed; the rest waits for the next iteration, so the
 * loop stays well inside a 16 ms frame. */
#define SLICE_BUDGET_US 4000

/**
 * viewer_idle_add_named:
 * @func: the idle function
 * @data: its data
 * @name: (not nullable): a static string naming the source
 *
 * Adds an idle source at %G_PRIORITY_DEFAULT_IDLE that hotpath's main-loop
 * monitor names when the viewer is built with viewer_profiling
 * (hotpath_source_watch() is a no-op otherwise).
 *
 * Returns: the source's id
 */
guint
viewer_idle_add_named (GSourceFunc  func,
                       gpointer     data,
                       const char  *name)
{
  GSource *source = g_idle_source_new ();
  guint id;

  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (source, func, data, NULL);
  g_source_set_static_name (source, name);
  hotpath_source_watch (source, name);
  id = g_source_attach (source, NULL);
  g_source_unref (source);
  return id;
}

static void
free_in_pool (gpointer data,
              gpointer user_data)
{
  g_ptr_array_unref (data);
}

/**
 * viewer_free_in_thread:
 * @array: (transfer full): a GPtrArray whose free function frees its items
 *
 * Frees @array and its items on a worker thread: a thousand JSON rows
 * take milliseconds to free, time the main loop should not spend. Nothing
 * on the main thread may use them any more.
 */
void
viewer_free_in_thread (GPtrArray *array)
{
  static GThreadPool *pool;

  if (array->len == 0)
    {
      g_ptr_array_unref (array);
      return;
    }

  /* One thread: the report and the rows' old objects share JSON nodes,
   * so they must be freed one after the other, never at the same time. */
  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (free_in_pool, NULL, 1, FALSE, NULL));
  g_thread_pool_push (pool, array, NULL);
}

static gboolean
emit_pending (gpointer data)
{
  ViewerSectionModel *self = data;
  gint64 deadline = g_get_monotonic_time () + SLICE_BUDGET_US;
  guint i = 0;

  /* Oldest first; remove what was emitted in one go, not row by row. */
  while (i < self->pending->len && (i % 8 != 0 || g_get_monotonic_time () < deadline))
    viewer_row_emit_changed (g_ptr_array_index (self->pending, i++));
  g_ptr_array_remove_range (self->pending, 0, i);

  if (self->pending->len > 0)
    return G_SOURCE_CONTINUE;
  self->pending_id = 0;
  return G_SOURCE_REMOVE;
}

/**
 * viewer_section_model_flush:
 *
 * Emits the #ViewerRow::changed signals still waiting for idle time.
 */
void
viewer_section_model_flush (ViewerSectionModel *self)
{
  g_return_if_fail (VIEWER_IS_SECTION_MODEL (self));

  while (self->apply != NULL)
    apply_step (self, 0);
  while (self->pending->len > 0)
    emit_pending (self);
  g_clear_handle_id (&self->pending_id, g_source_remove);
}

static void
viewer_section_model_finalize (GObject *object)
{
  ViewerSectionModel *self = (ViewerSectionModel *) object;

  g_clear_handle_id (&self->pending_id, g_source_remove);
  g_clear_handle_id (&self->apply_id, g_source_remove);
  g_clear_pointer (&self->apply, apply_free);
  g_clear_pointer (&self->next, node_unref_in_thread);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->columns, g_strfreev);
  g_clear_pointer (&self->percentiles, g_strfreev);
  g_clear_pointer (&self->rate_member, g_free);
  g_clear_pointer (&self->summary_member, g_free);

  G_OBJECT_CLASS (viewer_section_model_parent_class)->finalize (object);
}

static void
viewer_section_model_class_init (ViewerSectionModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = viewer_section_model_finalize;

  /**
   * ViewerSectionModel::columns-changed:
   *
   * The section's columns changed (the first rows arrived, or the
   * percentiles did); views rebuild their columns.
   */
  signals[COLUMNS_CHANGED] =
    g_signal_new ("columns-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * ViewerSectionModel::values-changed:
   *
   * A refresh changed values but no row came or went; views that sort
   * re-sort.
   */
  signals[VALUES_CHANGED] =
    g_signal_new ("values-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
viewer_section_model_init (ViewerSectionModel *self)
{
  self->rows = g_ptr_array_new_with_free_func (g_object_unref);
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->columns = g_new0 (char *, 1);
  self->percentiles = g_new0 (char *, 1);
  self->window_us = 5 * 60 * G_USEC_PER_SEC;
}

ViewerSectionModel *
viewer_section_model_new (const char *name)
{
  ViewerSectionModel *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (VIEWER_TYPE_SECTION_MODEL, NULL);
  self->name = g_strdup (name);
  return self;
}

const char *
viewer_section_model_get_name (ViewerSectionModel *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), NULL);
  return self->name;
}

const char *
viewer_section_model_get_title (ViewerSectionModel *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), NULL);
  return viewer_section_title (self->name);
}

void
viewer_section_model_set_window (ViewerSectionModel *self,
                                 gint64              window_us)
{
  g_return_if_fail (VIEWER_IS_SECTION_MODEL (self));
  self->window_us = MAX (window_us, G_USEC_PER_SEC);
}

const char * const *
viewer_section_model_get_columns (ViewerSectionModel *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), NULL);
  return (const char * const *) self->columns;
}

const char * const *
viewer_section_model_get_percentiles (ViewerSectionModel *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), NULL);
  return (const char * const *) self->percentiles;
}

const char *
viewer_section_model_get_rate_member (ViewerSectionModel *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), NULL);
  return self->rate_member;
}

/**
 * viewer_section_model_has_logs:
 * @self: a #ViewerSectionModel
 *
 * Returns: %FALSE for a section whose items keep no log (threads, locks)
 */
gboolean
viewer_section_model_has_logs (ViewerSectionModel *self)
{
  const SectionShape *shape;

  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), TRUE);
  shape = find_shape (self->name);
  return shape == NULL || !shape->no_logs;
}

/**
 * viewer_section_model_get_level_member:
 *
 * Returns: (nullable): the member graphed as it is over time (a queue's
 *   length, a main loop's busy %), if the section has one
 */
const char *
viewer_section_model_get_level_member (ViewerSectionModel *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), NULL);
  return self->level_member;
}

/**
 * viewer_section_model_get_summary_member:
 *
 * Returns: (nullable): the nested summary whose percentiles the section
 *   shows ("latency_ns"); %NULL when they are the row's own (timing)
 */
const char *
viewer_section_model_get_summary_member (ViewerSectionModel *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), NULL);
  return self->summary_member;
}

guint64
viewer_section_model_get_total_count (ViewerSectionModel *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), 0);
  return self->total_count;
}

ViewerRow *
viewer_section_model_lookup (ViewerSectionModel *self,
                             gint64              id)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), NULL);
  return g_hash_table_lookup (self->by_id, &id);
}

static char *
percentile_key (double rank)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  /* As the library writes them: shortest form, no exponent ("p99.9"). */
  g_autofree char *text = g_strdup_printf ("%.6f", rank);
  char *end = text + strlen (text) - 1;

  while (end > text && *end == '0')
    *end-- = '\0';
  if (*end == '.')
    *end = '\0';
  g_snprintf (buf, sizeof buf, "p%s", text);
  return g_strdup (buf);
}

/* The percentile keys of @section ("p50", "p99.9"): its "percentiles"
 * array (timing and allocations), else the keys of @summary in @first. */
static GStrv
percentile_keys (JsonObject *section,
                 JsonObject *first,
                 const char *summary)
{
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();
  JsonNode *ranks = section ? json_object_get_member (section, "percentiles") : NULL;
  JsonNode *inner = first && summary ? json_object_get_member (first, summary) : NULL;

  if (ranks != NULL && JSON_NODE_HOLDS_ARRAY (ranks))
    {
      JsonArray *array = json_node_get_array (ranks);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *key = percentile_key (json_array_get_double_element (array, i));
          g_strv_builder_add (keys, key);
        }
    }
  else if (inner != NULL && JSON_NODE_HOLDS_OBJECT (inner))
    {
      JsonObject *object = json_node_get_object (inner);
      JsonNode *pct = json_object_get_member (object, "percentiles_ns");

      if (pct == NULL)
        pct = json_object_get_member (object, "percentiles");
      if (pct != NULL && JSON_NODE_HOLDS_OBJECT (pct))
        {
          /* get_members keeps the order the library wrote them in. */
          g_autoptr(GList) members = json_object_get_members (json_node_get_object (pct));

          for (GList *l = members; l != NULL; l = l->next)
            g_strv_builder_add (keys, l->data);
        }
    }
  return g_strv_builder_end (keys);
}

static void
set_columns (ViewerSectionModel *self,
             JsonObject         *section,
             JsonObject         *first)
{
  const SectionShape *shape = find_shape (self->name);
  const char *metric = section ? json_object_get_string_member_with_default (section, "metric", NULL) : NULL;
  const char *summary = shape ? shape->summary : NULL;
  g_autoptr(GStrvBuilder) columns = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) percentiles = g_strv_builder_new ();
  g_auto(GStrv) keys = NULL;
  g_autofree char *rate = NULL;

  /* Allocations: the percentiles of the metric the program chose
   * (HOTPATH_ALLOC_METRIC: bytes, count, peak_bytes or peak_count). */
  if (shape != NULL && metric != NULL && first != NULL && json_object_has_member (first, metric))
    summary = metric;
  g_free (self->summary_member);
  self->summary_member = g_strdup (summary);
  keys = percentile_keys (section, first, summary);

  /* Percentiles of a nested summary are named by their path. */
  for (guint i = 0; keys[i]; i++)
    {
      g_autofree char *key = summary ? g_strdup_printf ("%s.%s", summary, keys[i]) : g_strdup (keys[i]);
      g_strv_builder_add (percentiles, key);
    }

  if (shape != NULL)
    rate = g_strdup (shape->rate_member);
  else if (first != NULL)
    {
      for (guint i = 0; rate_members[i] && rate == NULL; i++)
        if (json_object_has_member (first, rate_members[i]))
          rate = g_strdup (rate_members[i]);
    }

  g_strfreev (self->percentiles);
  self->percentiles = g_strv_builder_end (percentiles);

  if (g_str_equal (self->name, "functions_timing"))
    {
      static const char *head[] = { "name", "calls", "rate", "avg_ns", NULL };
      static const char *tail[] = { "min_ns", "max_ns", "total_ns", "self_ns", "percent_total", NULL };

      g_strv_builder_addv (columns, head);
      g_strv_builder_addv (columns, (const char **) self->percentiles);
      g_strv_builder_addv (columns, tail);
    }
  else if (shape != NULL)
    {
      g_strv_builder_add (columns, "name");
      g_strv_builder_add (columns, "rate");
      for (guint i = 0; shape->columns[i]; i++)
        {
          if (g_str_equal (shape->columns[i], "%"))
            g_strv_builder_addv (columns, (const char **) self->percentiles);
          else
            g_strv_builder_add (columns, shape->columns[i]);
        }
    }
  else
    {
      const char *member;
      JsonNode *node;

      if (first != NULL && json_object_has_member (first, "name"))
        g_strv_builder_add (columns, "name");
      if (rate != NULL)
        g_strv_builder_add (columns, "rate");
      if (first != NULL)
        {
          /* get_members keeps the order the library wrote them in. */
          g_autoptr(GList) members = json_object_get_members (first);

          for (GList *l = members; l != NULL; l = l->next)
            {
              member = l->data;
              node = json_object_get_member (first, member);
              if (g_str_equal (member, "name") || g_str_equal (member, "id"))
                continue;
              if (g_str_equal (member, "percentiles_ns"))
                {
                  g_strv_builder_addv (columns, (const char **) self->percentiles);
                  continue;
                }
              if (JSON_NODE_HOLDS_VALUE (node) || JSON_NODE_HOLDS_NULL (node))
                g_strv_builder_add (columns, member);
            }
        }
    }

  g_strfreev (self->columns);
  self->columns = g_strv_builder_end (columns);
  g_free (self->rate_member);
  self->rate_member = g_steal_pointer (&rate);
  self->level_member = shape ? shape->level_member : NULL;
}

static JsonArray *
section_rows (JsonNode *section)
{
  JsonNode *data;

  if (JSON_NODE_HOLDS_ARRAY (section))
    return json_node_get_array (section);
  if (!JSON_NODE_HOLDS_OBJECT (section))
    return NULL;

  /* Logs carry their rows in "logs", sections in "data". */
  data = json_object_get_member (json_node_get_object (section), "data");
  if (data == NULL)
    data = json_object_get_member (json_node_get_object (section), "logs");
  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    return NULL;
  return json_node_get_array (data);
}

/* A section is part of the source's report, which is freed on the free
 * thread (viewer_free_in_thread): JSON refs are dropped there, one after
 * the other, never on two threads at once. */
static void
node_unref_in_thread (JsonNode *node)
{
  GPtrArray *array = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  g_ptr_array_add (array, node);
  viewer_free_in_thread (array);
}

static void
apply_free (Apply *apply)
{
  g_clear_pointer (&apply->section, node_unref_in_thread);
  g_clear_pointer (&apply->rows, g_ptr_array_unref);
  g_clear_pointer (&apply->by_id, g_hash_table_unref);
  if (apply->graveyard != NULL)
    viewer_free_in_thread (g_steal_pointer (&apply->graveyard));
  g_free (apply);
}

/* Takes the section's columns and counts and starts applying its rows. */
static gboolean
apply_begin (ViewerSectionModel  *self,
             JsonNode            *section,
             gint64               time_us,
             GError             **error)
{
  JsonObject *first = NULL;
  JsonArray *array;
  Apply *apply;
  guint n;

  g_assert (self->apply == NULL);

  array = section_rows (section);
  if (array == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Section “%s” has no rows"), self->name);
      return FALSE;
    }

  apply = g_new0 (Apply, 1);
  n = json_array_get_length (array);
  for (guint i = 0; i < n && first == NULL; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_OBJECT (node))
        first = json_node_get_object (node);
    }

  if (first != NULL || self->columns[0] == NULL)
    {
      g_auto(GStrv) old_columns = g_strdupv (self->columns);
      set_columns (self, JSON_NODE_HOLDS_OBJECT (section) ? json_node_get_object (section) : NULL,
                   first);
      if (!g_strv_equal ((const char * const *) old_columns, (const char * const *) self->columns))
        {
          apply->structure_changed = TRUE;
          g_signal_emit (self, signals[COLUMNS_CHANGED], 0);
        }
    }

  if (JSON_NODE_HOLDS_OBJECT (section) &&
      json_object_has_member (json_node_get_object (section), "total_count"))
    self->total_count = json_object_get_int_member (json_node_get_object (section), "total_count");
  else
    self->total_count = n;

  apply->section = json_node_ref (section);
  apply->array = array;
  apply->n = n;
  apply->time_us = time_us;
  apply->rows = g_ptr_array_new_full (n, g_object_unref);
  apply->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  apply->graveyard = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->apply = apply;
  return TRUE;
}

/* The rows keep the order they were first seen in: views sort them
 * themselves. Only rows coming or going are items-changed; new values are
 * ViewerRow::changed for the cells that show them, and values-changed
 * once, for views to re-sort. The library serves rows largest total
 * first, so their order changes all the time: following it would rebuild
 * every view at every refresh. */
static void
apply_finish (ViewerSectionModel *self)
{
  Apply *apply = g_steal_pointer (&self->apply);
  g_autoptr(GPtrArray) ordered = g_ptr_array_new_full (apply->rows->len, g_object_unref);
  gboolean structure_changed = apply->structure_changed;
  guint old_len;

  HOTPATH_MEASURE ();

  for (guint i = 0; i < self->rows->len; i++)
    {
      ViewerRow *row = g_ptr_array_index (self->rows, i);
      gint64 id = viewer_row_get_id (row);

      if (g_hash_table_contains (apply->by_id, &id))
        g_ptr_array_add (ordered, g_object_ref (row));
      else
        structure_changed = TRUE;
    }
  for (guint i = 0; i < apply->rows->len; i++)
    {
      ViewerRow *row = g_ptr_array_index (apply->rows, i);
      gint64 id = viewer_row_get_id (row);

      if (!g_hash_table_contains (self->by_id, &id))
        {
          g_ptr_array_add (ordered, g_object_ref (row));
          structure_changed = TRUE;
        }
    }

  old_len = self->rows->len;
  g_ptr_array_unref (self->rows);
  self->rows = g_steal_pointer (&ordered);
  g_hash_table_unref (self->by_id);
  self->by_id = g_steal_pointer (&apply->by_id);

  if (structure_changed)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->rows->len);
  else if (apply->any_changed)
    g_signal_emit (self, signals[VALUES_CHANGED], 0);

  apply_free (apply);

  /* A list view keeps some 200 rows' widgets bound, visible or not:
   * updating all their cells at once takes tens of milliseconds. Tell the
   * rows a time slice at a time, between frames. */
  if (self->pending->len > 0 && self->pending_id == 0)
    self->pending_id = viewer_idle_add_named (emit_pending, self, "viewer-section-model:emit-changed");
}

/* Applies rows until @deadline (monotonic µs; 0: all of them), then, when
 * all are applied, finishes. Returns whether it finished. */
static gboolean
apply_step (ViewerSectionModel *self,
            gint64              deadline)
{
  Apply *apply = self->apply;

  HOTPATH_MEASURE ();

  while (apply->cursor < apply->n)
    {
      guint i = apply->cursor;
      JsonNode *node = json_array_get_element (apply->array, i);
      JsonObject *object;
      ViewerRow *row;
      gint64 id;

      if (deadline != 0 && i % 8 == 7 && g_get_monotonic_time () >= deadline)
        break;
      apply->cursor++;
      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      object = json_node_get_object (node);
      id = json_object_has_member (object, "id") ? json_object_get_int_member (object, "id") : i;
      if (g_hash_table_contains (apply->by_id, &id))
        continue;

      row = g_hash_table_lookup (self->by_id, &id);
      if (row != NULL)
        g_object_ref (row);
      else
        {
          const char *name = json_object_get_string_member_with_default (object, "name", NULL);
          g_autofree char *fallback = name ? NULL : g_strdup_printf ("%" G_GINT64_FORMAT, id);

          row = viewer_row_new (id, name ? name : fallback);
        }

      if (viewer_row_update (row, object, (const char * const *) self->percentiles,
                             self->rate_member, self->level_member, apply->time_us,
                             self->window_us, apply->graveyard))
        {
          apply->any_changed = TRUE;
          if (!viewer_row_get_pending (row))
            {
              viewer_row_set_pending (row, TRUE);
              g_ptr_array_add (self->pending, g_object_ref (row));
            }
        }

      g_hash_table_insert (apply->by_id, g_memdup2 (&id, sizeof id), g_object_ref (row));
      g_ptr_array_add (apply->rows, row);
    }

  /* Finishing tells the views (a re-sort check, new rows): in an
   * iteration of its own when this one spent its budget. */
  if (apply->cursor < apply->n || (deadline != 0 && g_get_monotonic_time () >= deadline))
    return FALSE;

  apply_finish (self);
  return TRUE;
}

static gboolean
apply_in_idle (gpointer data)
{
  ViewerSectionModel *self = data;

  if (!apply_step (self, g_get_monotonic_time () + SLICE_BUDGET_US))
    return G_SOURCE_CONTINUE;

  /* A refresh came while this one was applied: it is next. */
  if (self->next != NULL)
    {
      JsonNode *next = g_steal_pointer (&self->next);
      g_autoptr(GError) error = NULL;
      gboolean ok = apply_begin (self, next, self->next_time_us, &error);

      node_unref_in_thread (next);
      if (ok)
        return G_SOURCE_CONTINUE;
      g_debug ("%s", error->message);
    }

  self->apply_id = 0;
  return G_SOURCE_REMOVE;
}

/**
 * viewer_section_model_update:
 * @section: the section's JSON (an object with `data`, or an array of rows)
 * @time_us: when it was taken, on the monotonic clock
 *
 * Applies @section at once (a refresh still being applied by
 * viewer_section_model_queue_update() is finished first).
 *
 * Returns: %TRUE, or %FALSE with @error set when @section is not a section
 */
gboolean
viewer_section_model_update (ViewerSectionModel  *self,
                             JsonNode            *section,
                             gint64               time_us,
                             GError             **error)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), FALSE);
  g_return_val_if_fail (section != NULL, FALSE);

  while (self->apply != NULL)
    apply_step (self, 0);
  g_clear_pointer (&self->next, node_unref_in_thread);
  g_clear_handle_id (&self->apply_id, g_source_remove);

  if (!apply_begin (self, section, time_us, error))
    return FALSE;
  apply_step (self, 0);
  return TRUE;
}

/**
 * viewer_section_model_queue_update:
 * @section: the section's JSON (an object with `data`, or an array of rows)
 * @time_us: when it was taken, on the monotonic clock
 *
 * Applies @section in idle time, a slice of at most a few milliseconds per
 * main-loop iteration, so a thousand rows never hold up a frame. Columns
 * and counts change at once; rows come, go and change when the last slice
 * is applied. A refresh that comes while one is being applied is applied
 * after it (only the newest one waits).
 *
 * Returns: %TRUE, or %FALSE with @error set when @section is not a section
 */
gboolean
viewer_section_model_queue_update (ViewerSectionModel  *self,
                                   JsonNode            *section,
                                   gint64               time_us,
                                   GError             **error)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), FALSE);
  g_return_val_if_fail (section != NULL, FALSE);

  if (section_rows (section) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Section “%s” has no rows"), self->name);
      return FALSE;
    }

  if (self->apply != NULL)
    {
      g_clear_pointer (&self->next, node_unref_in_thread);
      self->next = json_node_ref (section);
      self->next_time_us = time_us;
      return TRUE;
    }

  if (!apply_begin (self, section, time_us, error))
    return FALSE;
  if (self->apply_id == 0)
    self->apply_id = viewer_idle_add_named (apply_in_idle, self, "viewer-section-model:apply");
  return TRUE;
}

/**
 * viewer_section_model_is_applying:
 *
 * Returns: whether a refresh given to viewer_section_model_queue_update()
 *   is still being applied
 */
gboolean
viewer_section_model_is_applying (ViewerSectionModel *self)
{
  g_return_val_if_fail (VIEWER_IS_SECTION_MODEL (self), FALSE);
  return self->apply != NULL || self->next != NULL;
}
