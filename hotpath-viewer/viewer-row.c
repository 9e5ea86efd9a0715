/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * viewer-row.c: one item of a section (a function, a channel, a log entry),
 * wrapping the JSON object the library serves for it.
 *
 * Rows are kept across refreshes, so selections and open detail panes
 * stay on the same item; each refresh adds a sample to the row's history,
 * which the graph draws. Members are read by name, so sections whose
 * format is still open show whatever their rows carry.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "viewer-format.h"
#include "viewer-row.h"

typedef struct
{
  const char *member;        /* interned; NULL when the key is stale */
  char       *text;          /* collation key, for text members */
  double      number;
} SortKey;

struct _ViewerRow
{
  GObject     parent_instance;

  gint64      id;
  char       *name;
  JsonObject *object;
  GArray     *samples;
  double      rate;
  double      last_count;
  gint64      last_time_us;
  gboolean    pending;       /* changed, not emitted yet (the model's queue) */

  /* What viewer_row_compare() compares, for the two members last sorted
   * by (a column view sorter falls back to the previous column on ties):
   * a sort of 1,000 rows compares ~10,000 pairs, and reading JSON members
   * and rounding for each took several ms. */
  SortKey     keys[2];
  guint       next_key;      /* the slot a new member replaces */
};

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ViewerRow, viewer_row, G_TYPE_OBJECT)

static void
viewer_row_finalize (GObject *object)
{
  ViewerRow *self = (ViewerRow *) object;

  g_clear_pointer (&self->name, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (self->keys); i++)
    g_clear_pointer (&self->keys[i].text, g_free);
  g_clear_pointer (&self->object, json_object_unref);
  g_clear_pointer (&self->samples, g_array_unref);

  G_OBJECT_CLASS (viewer_row_parent_class)->finalize (object);
}

static void
viewer_row_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  ViewerRow *self = VIEWER_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
viewer_row_class_init (ViewerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = viewer_row_finalize;
  object_class->get_property = viewer_row_get_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ViewerRow::changed:
   *
   * The row's values changed in a refresh. Cells that show the row
   * connect while they are bound.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
viewer_row_init (ViewerRow *self)
{
  self->id = -1;
  self->samples = g_array_new (FALSE, FALSE, sizeof (ViewerSample));
  self->last_count = NAN;
}

ViewerRow *
viewer_row_new (gint64      id,
                const char *name)
{
  ViewerRow *self = g_object_new (VIEWER_TYPE_ROW, NULL);

  self->id = id;
  self->name = g_strdup (name != NULL ? name : "");
  self->object = json_object_new ();
  return self;
}

gint64
viewer_row_get_id (ViewerRow *self)
{
  g_return_val_if_fail (VIEWER_IS_ROW (self), -1);
  return self->id;
}

const char *
viewer_row_get_name (ViewerRow *self)
{
  g_return_val_if_fail (VIEWER_IS_ROW (self), NULL);
  return self->name;
}

JsonObject *
viewer_row_get_object (ViewerRow *self)
{
  g_return_val_if_fail (VIEWER_IS_ROW (self), NULL);
  return self->object;
}

/* A member of @object: "calls"; a percentile, "p99.9", kept in the nested
 * "percentiles_ns" (durations) or "percentiles" (other metrics); or a
 * member of a nested object, "latency_ns.p50", "bytes.total". */
static JsonNode *
lookup (JsonObject *object,
        const char *member)
{
  const char *dot;

  if (viewer_member_is_percentile (member))
    {
      JsonNode *pct = json_object_get_member (object, "percentiles_ns");

      if (pct == NULL)
        pct = json_object_get_member (object, "percentiles");
      if (pct != NULL && JSON_NODE_HOLDS_OBJECT (pct))
        return json_object_get_member (json_node_get_object (pct), member);
      return NULL;
    }

  if ((dot = viewer_member_path_dot (member)) != NULL)
    {
      g_autofree char *head = g_strndup (member, dot - member);
      JsonNode *inner = json_object_get_member (object, head);

      if (inner == NULL || !JSON_NODE_HOLDS_OBJECT (inner))
        return NULL;
      return lookup (json_node_get_object (inner), dot + 1);
    }

  return json_object_get_member (object, member);
}

static double
node_number (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NAN;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return (double) json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return json_node_get_double (node);
    case G_TYPE_BOOLEAN:
      return json_node_get_boolean (node) ? 1.0 : 0.0;
    default:
      return NAN;
    }
}

gboolean
viewer_row_has_member (ViewerRow  *self,
                       const char *member)
{
  g_return_val_if_fail (VIEWER_IS_ROW (self), FALSE);

  if (g_str_equal (member, "rate"))
    return TRUE;
  return lookup (self->object, member) != NULL;
}

double
viewer_row_get_number (ViewerRow  *self,
                       const char *member)
{
  g_return_val_if_fail (VIEWER_IS_ROW (self), NAN);

  if (g_str_equal (member, "rate"))
    return self->rate;
  return node_number (lookup (self->object, member));
}

const char *
viewer_row_get_string (ViewerRow  *self,
                       const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (VIEWER_IS_ROW (self), NULL);

  node = lookup (self->object, member);
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

char *
viewer_row_format (ViewerRow  *self,
                   const char *member)
{
  const char *text;
  double value;

  g_return_val_if_fail (VIEWER_IS_ROW (self), NULL);

  if (g_str_equal (member, "rate"))
    return viewer_format_rate (self->rate);

  if ((text = viewer_row_get_string (self, member)))
    return g_strdup (text);

  value = viewer_row_get_number (self, member);
  if (isnan (value))
    return g_strdup ("");
  return viewer_format_value (member, value);
}

double
viewer_row_get_rate (ViewerRow *self)
{
  g_return_val_if_fail (VIEWER_IS_ROW (self), NAN);
  return self->rate;
}

const ViewerSample *
viewer_row_get_samples (ViewerRow *self,
                        guint     *n_samples)
{
  g_return_val_if_fail (VIEWER_IS_ROW (self), NULL);

  *n_samples = self->samples->len;
  return (const ViewerSample *) (gpointer) self->samples->data;
}

/**
 * viewer_row_update:
 * @series: members recorded in each sample's values, at most
 *   %VIEWER_MAX_SERIES (the percentile keys for functions)
 * @rate_member: (nullable): a cumulative count whose rate is recorded
 * @level_member: (nullable): a level recorded as it is (a queue's length,
 *   a main loop's busy %)
 * @window_us: how much history to keep
 * @graveyard: (nullable): where to put the row's previous object instead
 *   of freeing it, so a caller can free a thousand of them off the main
 *   thread
 *
 * Takes the row's new JSON object and records a sample at @time_us.
 * Emit #ViewerRow::changed with viewer_row_emit_changed() when it returns
 * %TRUE.
 *
 * Returns: whether any value changed
 */
gboolean
viewer_row_update (ViewerRow          *self,
                   JsonObject         *object,
                   const char * const *series,
                   const char         *rate_member,
                   const char         *level_member,
                   gint64              time_us,
                   gint64              window_us,
                   GPtrArray          *graveyard)
{
  ViewerSample sample = { time_us, 0, NAN, { NAN, NAN, NAN, NAN } };
  gboolean changed;
  guint drop = 0;

  g_return_val_if_fail (VIEWER_IS_ROW (self), FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  changed = !json_object_equal (self->object, object);
  if (changed)
    {
      if (graveyard != NULL)
        g_ptr_array_add (graveyard, self->object);
      else
        json_object_unref (self->object);
      self->object = json_object_ref (object);
    }

  for (guint i = 0; i < G_N_ELEMENTS (self->keys); i++)
    self->keys[i].member = NULL;
  if (rate_member != NULL)
    {
      double count = viewer_row_get_number (self, rate_member);
      double previous_rate = self->rate;

      if (!isnan (self->last_count) && time_us > self->last_time_us && count >= self->last_count)
        self->rate = (count - self->last_count) * G_USEC_PER_SEC / (double) (time_us - self->last_time_us);
      else if (isnan (self->last_count))
        self->rate = NAN;
      self->last_count = count;
      self->last_time_us = time_us;
      if (!(isnan (previous_rate) && isnan (self->rate)) && previous_rate != self->rate)
        changed = TRUE;
    }
  sample.rate = self->rate;
  if (level_member != NULL)
    sample.level = viewer_row_get_number (self, level_member);

  for (guint i = 0; series != NULL && series[i] != NULL && i < VIEWER_MAX_SERIES; i++)
    sample.values[i] = viewer_row_get_number (self, series[i]);

  /* A rate needs two refreshes; the first sample would only show a gap. */
  if (!isnan (sample.rate) || rate_member == NULL)
    g_array_append_val (self->samples, sample);

  while (drop < self->samples->len &&
         g_array_index (self->samples, ViewerSample, drop).time_us < time_us - window_us)
    drop++;
  /* Keep one point left of the window so lines enter from the edge. */
  if (drop > 1)
    g_array_remove_range (self->samples, 0, drop - 1);

  return changed;
}

/**
 * viewer_row_emit_changed:
 *
 * Tells the cells and graphs that show the row that its values changed.
 * viewer_row_update() leaves this to the caller, so a model can spread
 * the work of a thousand rows over several main-loop iterations.
 */
void
viewer_row_emit_changed (ViewerRow *self)
{
  g_return_if_fail (VIEWER_IS_ROW (self));
  self->pending = FALSE;
  g_signal_emit (self, signals[CHANGED], 0);
}

/**
 * viewer_row_get_pending:
 *
 * Returns: whether the row waits in a model's queue for
 *   viewer_row_emit_changed() (the model's bookkeeping, so it need not
 *   search its queue for each of a thousand rows)
 */
gboolean
viewer_row_get_pending (ViewerRow *self)
{
  g_return_val_if_fail (VIEWER_IS_ROW (self), FALSE);
  return self->pending;
}

void
viewer_row_set_pending (ViewerRow *self,
                        gboolean   pending)
{
  g_return_if_fail (VIEWER_IS_ROW (self));
  self->pending = pending;
}

static double
round_3 (double value)
{
  double scale;

  if (!isfinite (value) || value == 0)
    return value;
  scale = pow (10.0, floor (log10 (fabs (value))) - 2);
  return round (value / scale) * scale;
}

/* The value @self is sorted by for @member: three significant digits of
 * a number, or the collation key of a text. */
static const SortKey *
ensure_sort_key (ViewerRow  *self,
                 const char *member)
{
  SortKey *key;
  const char *text;

  for (guint i = 0; i < G_N_ELEMENTS (self->keys); i++)
    {
      key = &self->keys[i];
      if (key->member != NULL && (key->member == member || strcmp (key->member, member) == 0))
        return key;
    }

  key = &self->keys[self->next_key];
  self->next_key = (self->next_key + 1) % G_N_ELEMENTS (self->keys);
  g_clear_pointer (&key->text, g_free);
  key->member = g_intern_string (member);
  if ((text = viewer_row_get_string (self, member)) != NULL)
    key->text = g_utf8_collate_key (text, -1);
  else
    key->number = round_3 (viewer_row_get_number (self, member));
  return key;
}

int
viewer_row_compare (ViewerRow  *a,
                    ViewerRow  *b,
                    const char *member)
{
  const SortKey *ka = ensure_sort_key (a, member);
  const SortKey *kb = ensure_sort_key (b, member);
  double da, db;

  if (ka->text != NULL || kb->text != NULL)
    return strcmp (ka->text ? ka->text : "", kb->text ? kb->text : "");

  /* Compare what the table shows, three significant digits: rows that
   * look equal keep their order instead of swapping at every refresh,
   * which would make the list jitter. */
  da = ka->number;
  db = kb->number;
  if (isnan (da))
    return isnan (db) ? 0 : -1;
  if (isnan (db))
    return 1;
  return (da > db) - (da < db);
}
