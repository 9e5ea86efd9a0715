/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * viewer-graph.c: a time-series graph drawn with GtkSnapshot.
 *
 * It draws the history a ViewerRow keeps: its rate, its level (a queue's
 * length, a main loop's busy %) or its series (the percentiles), over a
 * window of the last minutes. While live
 * the time axis moves with the frame clock, so the lines glide instead of
 * jumping at each refresh. Axes carry units; hovering shows a rule and a
 * tooltip with the values under the pointer.
 *
 * GTK 4.8 has no GskPath, so the lines are one cairo node inside the plot
 * area; the frame, grid and labels are snapshot nodes.
 */

#include "config.h"

#include <hotpath-glib/hotpath.h>

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "viewer-format.h"
#include "viewer-graph.h"

#define MARGIN_TOP     8.0
#define MARGIN_RIGHT   8.0
#define TICK_GAP       6.0

struct _ViewerGraph
{
  GtkWidget        parent_instance;

  ViewerRow       *row;
  gulong           changed_id;
  ViewerGraphKind  kind;
  GStrv            series_names;
  guint            window_s;
  guint            tick_id;
  double           hover_x;
  gint64           drawn_at_us;
  gboolean         live;
  gboolean         hovering;
};

G_DEFINE_FINAL_TYPE (ViewerGraph, viewer_graph, GTK_TYPE_WIDGET)

static const GdkRGBA series_colors[] = {
  { 0.21, 0.52, 0.89, 1.0 },   /* blue 3 */
  { 0.96, 0.47, 0.00, 1.0 },   /* orange 3 */
  { 0.88, 0.11, 0.14, 1.0 },   /* red 3 */
  { 0.57, 0.25, 0.67, 1.0 },   /* purple 3 */
};
static const GdkRGBA rate_color = { 0.15, 0.64, 0.41, 1.0 };   /* green 5 */
static const GdkRGBA level_color = { 0.57, 0.25, 0.67, 1.0 };  /* purple 3 */

static double
sample_value (const ViewerSample *sample,
              ViewerGraphKind     kind,
              guint               series)
{
  switch (kind)
    {
    case VIEWER_GRAPH_RATE:
      return sample->rate;
    case VIEWER_GRAPH_LEVEL:
      return sample->level;
    case VIEWER_GRAPH_VALUES:
    default:
      return sample->values[series];
    }
}

static gboolean
is_single (ViewerGraph *self)
{
  return self->kind == VIEWER_GRAPH_RATE || self->kind == VIEWER_GRAPH_LEVEL;
}

static guint
n_series (ViewerGraph *self)
{
  if (is_single (self))
    return 1;
  return self->series_names ? MIN (g_strv_length (self->series_names), VIEWER_MAX_SERIES) : 0;
}

static const char *
first_series_name (ViewerGraph *self)
{
  return self->series_names && self->series_names[0] ? self->series_names[0] : NULL;
}

static const GdkRGBA *
series_color (ViewerGraph *self,
              guint        series)
{
  switch (self->kind)
    {
    case VIEWER_GRAPH_RATE:
      return &rate_color;
    case VIEWER_GRAPH_LEVEL:
      return &level_color;
    case VIEWER_GRAPH_VALUES:
    default:
      return &series_colors[series];
    }
}

/* The legend's name of a series: "calls/s", "Queued", "p99". */
static char *
series_label (ViewerGraph *self,
              guint        series)
{
  const char *name = first_series_name (self);

  switch (self->kind)
    {
    case VIEWER_GRAPH_RATE:
      /* TRANSLATORS: a rate in the graph's legend, %s is what is counted ("calls/s") */
      return g_strdup_printf (_("%s/s"), name ? name : "calls");
    case VIEWER_GRAPH_LEVEL:
      return name ? viewer_format_column_title (name) : g_strdup ("");
    case VIEWER_GRAPH_VALUES:
    default:
      return g_strdup (viewer_member_leaf (self->series_names[series]));
    }
}

/* Values in the unit their member names: durations for percentiles of
 * durations, sizes for bytes, a percentage for busy %. */
static char *
format_value (ViewerGraph *self,
              double       value)
{
  const char *name = first_series_name (self);

  if (self->kind == VIEWER_GRAPH_RATE)
    return viewer_format_rate (value);
  if (name == NULL)
    return viewer_format_duration (value);
  return viewer_format_value (name, value);
}

static gint64
graph_now (ViewerGraph *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  const ViewerSample *samples;
  guint n = 0;

  if (self->live)
    return clock ? gdk_frame_clock_get_frame_time (clock) : g_get_monotonic_time ();

  /* Paused or a saved report: the window ends at the last sample. */
  if (self->row != NULL)
    {
      samples = viewer_row_get_samples (self->row, &n);
      if (n > 0)
        return samples[n - 1].time_us;
    }
  return g_get_monotonic_time ();
}

static PangoLayout *
make_layout (ViewerGraph *self,
             const char  *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  return layout;
}

static void
get_fg (ViewerGraph *self,
        GdkRGBA     *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), color);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

typedef struct
{
  graphene_rect_t plot;
  gint64          start_us;
  gint64          end_us;
  double          max;
  double          step;
} Geometry;

static void
compute_geometry (ViewerGraph *self,
                  Geometry    *geo,
                  double      *label_width)
{
  const ViewerSample *samples = NULL;
  guint n = 0, k = n_series (self);
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double max = 0;
  int lw = 0, lh = 0;
  g_autofree char *widest = NULL;
  g_autoptr(PangoLayout) layout = NULL;

  geo->end_us = graph_now (self);
  geo->start_us = geo->end_us - (gint64) self->window_s * G_USEC_PER_SEC;

  if (self->row != NULL)
    samples = viewer_row_get_samples (self->row, &n);
  for (guint i = 0; i < n; i++)
    for (guint s = 0; s < k; s++)
      {
        double v = sample_value (&samples[i], self->kind, s);
        if (isfinite (v) && samples[i].time_us >= geo->start_us && v > max)
          max = v;
      }
  if (max <= 0)
    max = self->kind == VIEWER_GRAPH_VALUES ? 1000 : 10;

  geo->step = viewer_axis_step (max, 4);
  geo->max = ceil (max / geo->step) * geo->step;
  if (geo->max < max * 1.05)
    geo->max += geo->step;

  widest = format_value (self, geo->max);
  layout = make_layout (self, widest);
  pango_layout_get_pixel_size (layout, &lw, &lh);
  *label_width = lw;

  geo->plot = GRAPHENE_RECT_INIT (lw + TICK_GAP * 2, MARGIN_TOP,
                                  MAX (1, width - lw - TICK_GAP * 2 - MARGIN_RIGHT),
                                  MAX (1, height - MARGIN_TOP - lh - TICK_GAP * 2));
}

static double
x_for_time (const Geometry *geo,
            gint64          time_us)
{
  return geo->plot.origin.x +
         (double) (time_us - geo->start_us) / (double) (geo->end_us - geo->start_us) * geo->plot.size.width;
}

static double
y_for_value (const Geometry *geo,
             double          value)
{
  return geo->plot.origin.y + geo->plot.size.height - value / geo->max * geo->plot.size.height;
}

static void
draw_lines (ViewerGraph    *self,
            cairo_t        *cr,
            const Geometry *geo)
{
  const ViewerSample *samples;
  guint n, k = n_series (self);

  samples = viewer_row_get_samples (self->row, &n);
  cairo_rectangle (cr, geo->plot.origin.x, geo->plot.origin.y, geo->plot.size.width, geo->plot.size.height);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_width (cr, 1.5);

  for (guint s = 0; s < k; s++)
    {
      const GdkRGBA *color = series_color (self, s);
      gboolean started = FALSE;
      double first_x = 0, last_x = 0;

      for (guint i = 0; i < n; i++)
        {
          double v = sample_value (&samples[i], self->kind, s);
          double x, y;

          if (!isfinite (v))
            continue;
          x = x_for_time (geo, samples[i].time_us);
          y = y_for_value (geo, v);
          if (!started)
            {
              cairo_move_to (cr, x, y);
              first_x = x;
              started = TRUE;
            }
          else
            cairo_line_to (cr, x, y);
          last_x = x;
        }
      if (!started)
        continue;

      if (is_single (self))
        {
          /* A soft fill under a single line. */
          cairo_path_t *path = cairo_copy_path (cr);
          double bottom = geo->plot.origin.y + geo->plot.size.height;

          cairo_line_to (cr, last_x, bottom);
          cairo_line_to (cr, first_x, bottom);
          cairo_close_path (cr);
          cairo_set_source_rgba (cr, color->red, color->green, color->blue, 0.18);
          cairo_fill (cr);
          cairo_append_path (cr, path);
          cairo_path_destroy (path);
        }
      gdk_cairo_set_source_rgba (cr, color);
      cairo_stroke (cr);
    }
}

static const ViewerSample *
sample_at (ViewerGraph    *self,
           const Geometry *geo,
           double          x)
{
  const ViewerSample *samples, *best = NULL;
  double best_d = G_MAXDOUBLE;
  guint n;

  if (self->row == NULL)
    return NULL;
  samples = viewer_row_get_samples (self->row, &n);
  for (guint i = 0; i < n; i++)
    {
      double d = fabs (x_for_time (geo, samples[i].time_us) - x);
      if (samples[i].time_us >= geo->start_us && d < best_d)
        {
          best_d = d;
          best = &samples[i];
        }
    }
  return best_d < 40 ? best : NULL;
}

/* Whole seconds or minutes, at most six ticks. */
static gint64
time_step (guint window_s)
{
  static const guint steps[] = { 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (window_s / steps[i] <= 6)
      return steps[i];
  return 3600;
}

static void
viewer_graph_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  ViewerGraph *self = VIEWER_GRAPH (widget);
  Geometry geo;
  GdkRGBA fg, grid, frame;
  double label_width;
  gint64 x_step_s;
  guint n = 0;

  HOTPATH_MEASURE ();

  compute_geometry (self, &geo, &label_width);
  self->drawn_at_us = geo.end_us;
  get_fg (self, &fg);
  grid = fg;
  grid.alpha = 0.10;
  frame = fg;
  frame.alpha = 0.25;

  /* Horizontal grid and value labels. */
  for (double v = 0; v <= geo.max + geo.step / 2; v += geo.step)
    {
      double y = round (y_for_value (&geo, v));
      g_autofree char *text = format_value (self, v);
      g_autoptr(PangoLayout) layout = make_layout (self, text);
      int lw, lh;

      gtk_snapshot_append_color (snapshot, v == 0 ? &frame : &grid,
                                 &GRAPHENE_RECT_INIT (geo.plot.origin.x, y, geo.plot.size.width, 1));
      pango_layout_get_pixel_size (layout, &lw, &lh);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (geo.plot.origin.x - TICK_GAP - lw, y - lh / 2.0));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);
    }

  /* Time labels: seconds ago, on whole steps so they move with the data. */
  x_step_s = time_step (self->window_s);
  for (gint64 ago = 0; ago <= self->window_s; ago += x_step_s)
    {
      double x = x_for_time (&geo, geo.end_us - ago * G_USEC_PER_SEC);
      g_autofree char *text = NULL;
      g_autoptr(PangoLayout) layout = NULL;
      int lw, lh;

      if (ago == 0)
        text = g_strdup (self->live ? _("now") : _("last"));
      else if (ago % 60 == 0)
        text = g_strdup_printf (_("−%d min"), (int) (ago / 60));
      else
        text = g_strdup_printf (_("−%d s"), (int) ago);
      layout = make_layout (self, text);
      pango_layout_get_pixel_size (layout, &lw, &lh);
      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (round (x), geo.plot.origin.y, 1, geo.plot.size.height));
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT (CLAMP (x - lw / 2.0, geo.plot.origin.x - label_width,
                                                           geo.plot.origin.x + geo.plot.size.width - lw),
                                                    geo.plot.origin.y + geo.plot.size.height + TICK_GAP));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);
    }

  if (self->row != NULL)
    viewer_row_get_samples (self->row, &n);

  if (n == 0)
    {
      g_autoptr(PangoLayout) layout = make_layout (self, _("Waiting for data…"));
      int lw, lh;

      pango_layout_get_pixel_size (layout, &lw, &lh);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT (geo.plot.origin.x + (geo.plot.size.width - lw) / 2,
                                                    geo.plot.origin.y + (geo.plot.size.height - lh) / 2));
      gtk_snapshot_append_layout (snapshot, layout, &frame);
      gtk_snapshot_restore (snapshot);
      return;
    }

  {
    cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &geo.plot);
    draw_lines (self, cr, &geo);
    cairo_destroy (cr);
  }

  /* Legend, top left inside the plot. */
  {
    double x = geo.plot.origin.x + 8;

    for (guint s = 0; s < n_series (self); s++)
      {
        g_autofree char *name = series_label (self, s);
        const GdkRGBA *color = series_color (self, s);
        g_autoptr(PangoLayout) layout = make_layout (self, name);
        int lw, lh;

        pango_layout_get_pixel_size (layout, &lw, &lh);
        gtk_snapshot_append_color (snapshot, color,
                                   &GRAPHENE_RECT_INIT (x, geo.plot.origin.y + 4 + lh / 2.0 - 4, 8, 8));
        gtk_snapshot_save (snapshot);
        gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 12, geo.plot.origin.y + 4));
        gtk_snapshot_append_layout (snapshot, layout, &fg);
        gtk_snapshot_restore (snapshot);
        x += lw + 24;
      }
  }

  /* Hover rule and dots. */
  if (self->hovering)
    {
      const ViewerSample *sample = sample_at (self, &geo, self->hover_x);

      if (sample != NULL)
        {
          double x = round (x_for_time (&geo, sample->time_us));

          gtk_snapshot_append_color (snapshot, &frame,
                                     &GRAPHENE_RECT_INIT (x, geo.plot.origin.y, 1, geo.plot.size.height));
          for (guint s = 0; s < n_series (self); s++)
            {
              double v = sample_value (sample, self->kind, s);
              const GdkRGBA *color = series_color (self, s);

              if (isfinite (v))
                gtk_snapshot_append_color (snapshot, color,
                                           &GRAPHENE_RECT_INIT (x - 3, y_for_value (&geo, v) - 3, 6, 6));
            }
        }
    }
}

static void
viewer_graph_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 400;
    }
  else
    {
      *minimum = 120;
      *natural = 160;
    }
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  ViewerGraph *self = VIEWER_GRAPH (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  double px_per_us = gtk_widget_get_width (widget) / ((double) self->window_s * G_USEC_PER_SEC);

  /* The time axis glides: redraw when it has moved by half a pixel, not
   * at every frame (a 5 minute window moves about one pixel a second). */
  if ((now - self->drawn_at_us) * px_per_us >= 0.5)
    gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static void
update_ticking (ViewerGraph *self)
{
  gboolean want = self->live && self->row != NULL && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (want && self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  else if (!want && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

static void
viewer_graph_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (viewer_graph_parent_class)->map (widget);
  update_ticking (VIEWER_GRAPH (widget));
}

static void
viewer_graph_unmap (GtkWidget *widget)
{
  ViewerGraph *self = VIEWER_GRAPH (widget);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->tick_id);
      self->tick_id = 0;
    }
  GTK_WIDGET_CLASS (viewer_graph_parent_class)->unmap (widget);
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           ViewerGraph              *self)
{
  self->hovering = TRUE;
  self->hover_x = x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *controller,
          ViewerGraph              *self)
{
  self->hovering = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * viewer_graph_describe_at:
 * @x: a widget coordinate
 *
 * Returns: (nullable): the tooltip text for the sample nearest @x
 */
char *
viewer_graph_describe_at (ViewerGraph *self,
                          double       x)
{
  Geometry geo;
  double label_width;
  const ViewerSample *sample;
  GString *text;
  double ago;

  g_return_val_if_fail (VIEWER_IS_GRAPH (self), NULL);

  compute_geometry (self, &geo, &label_width);
  if (!(sample = sample_at (self, &geo, x)))
    return NULL;

  ago = (geo.end_us - sample->time_us) / (double) G_USEC_PER_SEC;
  text = g_string_new (NULL);
  g_string_append_printf (text, _("%.1f s ago"), MAX (ago, 0.0));
  for (guint s = 0; s < n_series (self); s++)
    {
      g_autofree char *value = format_value (self, sample_value (sample, self->kind, s));
      g_autofree char *name = series_label (self, s);

      g_string_append_printf (text, "\n%s: %s", name, value);
    }
  return g_string_free (text, FALSE);
}

static gboolean
on_query_tooltip (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  g_autofree char *text = viewer_graph_describe_at (VIEWER_GRAPH (widget), x);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
viewer_graph_dispose (GObject *object)
{
  ViewerGraph *self = (ViewerGraph *) object;

  viewer_graph_set_row (self, NULL);
  g_clear_pointer (&self->series_names, g_strfreev);

  G_OBJECT_CLASS (viewer_graph_parent_class)->dispose (object);
}

static void
viewer_graph_class_init (ViewerGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = viewer_graph_dispose;
  widget_class->snapshot = viewer_graph_snapshot;
  widget_class->measure = viewer_graph_measure;
  widget_class->map = viewer_graph_map;
  widget_class->unmap = viewer_graph_unmap;

  gtk_widget_class_set_css_name (widget_class, "graph");
}

static void
viewer_graph_init (ViewerGraph *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->window_s = 300;
  self->live = TRUE;

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
}

GtkWidget *
viewer_graph_new (void)
{
  return g_object_new (VIEWER_TYPE_GRAPH, NULL);
}

void
viewer_graph_set_row (ViewerGraph *self,
                      ViewerRow   *row)
{
  g_return_if_fail (VIEWER_IS_GRAPH (self));
  g_return_if_fail (!row || VIEWER_IS_ROW (row));

  if (self->row == row)
    return;

  if (self->row != NULL)
    g_clear_signal_handler (&self->changed_id, self->row);
  g_set_object (&self->row, row);
  if (row != NULL)
    self->changed_id = g_signal_connect_object (row, "changed", G_CALLBACK (gtk_widget_queue_draw),
                                                self, G_CONNECT_SWAPPED);
  update_ticking (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

ViewerRow *
viewer_graph_get_row (ViewerGraph *self)
{
  g_return_val_if_fail (VIEWER_IS_GRAPH (self), NULL);
  return self->row;
}

void
viewer_graph_set_kind (ViewerGraph     *self,
                       ViewerGraphKind  kind)
{
  g_return_if_fail (VIEWER_IS_GRAPH (self));
  self->kind = kind;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
viewer_graph_set_series_names (ViewerGraph        *self,
                               const char * const *names)
{
  g_return_if_fail (VIEWER_IS_GRAPH (self));
  g_strfreev (self->series_names);
  self->series_names = g_strdupv ((char **) names);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
viewer_graph_set_window (ViewerGraph *self,
                         guint        seconds)
{
  g_return_if_fail (VIEWER_IS_GRAPH (self));
  self->window_s = CLAMP (seconds, 10, 3600);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
viewer_graph_set_live (ViewerGraph *self,
                       gboolean     live)
{
  g_return_if_fail (VIEWER_IS_GRAPH (self));
  self->live = !!live;
  update_ticking (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
viewer_graph_get_n_points (ViewerGraph *self)
{
  guint n = 0;

  g_return_val_if_fail (VIEWER_IS_GRAPH (self), 0);
  if (self->row != NULL)
    viewer_row_get_samples (self->row, &n);
  return n;
}
