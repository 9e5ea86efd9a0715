/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-frames.c: the frames section, GTK's frame clocks as the user
 * sees them: how many frames, how long each took (before-paint to
 * after-paint) and its layout and paint phases, how late each started
 * against when the clock wanted it, and the frames missed against the
 * monitor's refresh rate.
 *
 * A frame misses floor((late + duration) / refresh) refresh slots: it was
 * due at the clock's chosen time and should have been done one refresh
 * later. A main loop blocked by a slow callback makes the next frame late;
 * the main_loop section's stalls name what ran.
 */

#include "config.h"

#include <string.h>

#include "hotpath-clock-private.h"
#include "hotpath-format-private.h"
#include "hotpath-frames-private.h"
#include "hotpath-measure.h"
#include "hotpath-registry-private.h"
#include "hotpath-snapshot-private.h"

#define MAX_LOGS 256
#define DEFAULT_REFRESH_NS G_GUINT64_CONSTANT (16666667)

typedef struct
{
  guint64 index;
  guint64 at_ns;
  guint64 duration_ns;
  guint64 late_ns;
  guint64 missed;
} FrameLog;

struct _HotpathFrameClock
{
  guint64           id;
  char             *name;
  guint64           refresh_ns;        /* atomic */
  /* worker */
  guint64           frames;
  guint64           late_frames;
  guint64           missed_frames;
  HotpathHistogram  frame_time;
  HotpathHistogram  lateness;
  HotpathHistogram  layout;
  HotpathHistogram  paint;
  FrameLog          logs[MAX_LOGS];    /* the last late frames, a ring */
  guint64           n_logged;
};

typedef struct
{
  guint64           id;
  char             *name;
  guint64           refresh_ns;
  guint64           frames;
  guint64           late_frames;
  guint64           missed_frames;
  HotpathHistogram  frame_time;
  HotpathHistogram  lateness;
  HotpathHistogram  layout;
  HotpathHistogram  paint;
  FrameLog         *logs;              /* newest first */
  guint             n_logs;
} FramesRow;

static guint32 first_event;
static GMutex clocks_lock;
static GPtrArray *clocks;              /* HotpathFrameClock, in creation order */

HotpathFrameClock *
hotpath_frames_clock_new (void)
{
  HotpathFrameClock *self = g_new0 (HotpathFrameClock, 1);

  hotpath_histogram_init (&self->frame_time);
  hotpath_histogram_init (&self->lateness);
  hotpath_histogram_init (&self->layout);
  hotpath_histogram_init (&self->paint);
  self->refresh_ns = DEFAULT_REFRESH_NS;

  g_mutex_lock (&clocks_lock);
  if (clocks == NULL)
    clocks = g_ptr_array_new ();
  g_ptr_array_add (clocks, self);
  self->id = clocks->len;
  self->name = g_strdup_printf ("surface %u", clocks->len);
  g_mutex_unlock (&clocks_lock);

  return self;
}

void
hotpath_frames_clock_set_refresh (HotpathFrameClock *self,
                                  guint64            refresh_ns)
{
  if (refresh_ns > 0)
    __atomic_store_n (&self->refresh_ns, refresh_ns, __ATOMIC_RELAXED);
}

void
hotpath_frames_record (HotpathFrameClock  *self,
                       HotpathFramesEvent  event,
                       guint64             start,
                       guint64             end,
                       guint32             late_us)
{
  if (first_event == 0 ||
      __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) == HOTPATH_RECORDING_OFF)
    return;

  hotpath_collector_record_full (first_event + event, self, start, end, late_us);
}

/* ------------------------------------------------------------- worker */

static void
frames_aggregate (const HotpathEvent        *event,
                  const HotpathEventContext *context)
{
  HotpathFrameClock *self = (HotpathFrameClock *) event->key;
  guint64 duration_ns;

  if (event->start < context->session_start_ticks)
    return;

  duration_ns = hotpath_clock_ticks_to_ns (event->end >= event->start ? event->end - event->start : 0);

  switch (context->kind)
    {
    case HOTPATH_FRAMES_EVENT_FRAME:
      {
        guint64 late_ns = (guint64) event->reserved * 1000;
        guint64 refresh_ns = __atomic_load_n (&self->refresh_ns, __ATOMIC_RELAXED);
        guint64 missed = (late_ns + duration_ns) / refresh_ns;

        self->frames++;
        hotpath_histogram_record (&self->frame_time, duration_ns);
        hotpath_histogram_record (&self->lateness, late_ns);
        if (missed > 0)
          {
            FrameLog *entry = &self->logs[self->n_logged % MAX_LOGS];

            self->late_frames++;
            self->missed_frames += missed;
            entry->index = self->late_frames - 1;
            entry->at_ns = hotpath_clock_ticks_to_ns (event->start - context->session_start_ticks);
            entry->duration_ns = duration_ns;
            entry->late_ns = late_ns;
            entry->missed = missed;
            self->n_logged++;
          }
      }
      break;

    case HOTPATH_FRAMES_EVENT_LAYOUT:
      hotpath_histogram_record (&self->layout, duration_ns);
      break;

    case HOTPATH_FRAMES_EVENT_PAINT:
      hotpath_histogram_record (&self->paint, duration_ns);
      break;

    default:
      break;
    }
}

static void
frames_reset (void)
{
  g_mutex_lock (&clocks_lock);
  for (guint i = 0; clocks != NULL && i < clocks->len; i++)
    {
      HotpathFrameClock *self = g_ptr_array_index (clocks, i);

      self->frames = self->late_frames = self->missed_frames = 0;
      self->n_logged = 0;
      hotpath_histogram_clear (&self->frame_time);
      hotpath_histogram_clear (&self->lateness);
      hotpath_histogram_clear (&self->layout);
      hotpath_histogram_clear (&self->paint);
    }
  g_mutex_unlock (&clocks_lock);
}

static void
frames_row_free (gpointer data)
{
  FramesRow *row = data;

  g_free (row->name);
  hotpath_histogram_clear (&row->frame_time);
  hotpath_histogram_clear (&row->lateness);
  hotpath_histogram_clear (&row->layout);
  hotpath_histogram_clear (&row->paint);
  g_free (row->logs);
  g_free (row);
}

/* Clocks that drew a frame this session. Served empty, as the data-flow
 * sections are, where none did; the report leaves it out then. */
static gpointer
frames_snapshot (const HotpathSnapshotContext *context)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (frames_row_free);

  g_mutex_lock (&clocks_lock);
  for (guint i = 0; clocks != NULL && i < clocks->len; i++)
    {
      HotpathFrameClock *self = g_ptr_array_index (clocks, i);
      FramesRow *row;
      guint n;

      if (self->frames == 0)
        continue;

      row = g_new0 (FramesRow, 1);
      row->id = self->id;
      row->name = g_strdup (self->name);
      row->refresh_ns = __atomic_load_n (&self->refresh_ns, __ATOMIC_RELAXED);
      row->frames = self->frames;
      row->late_frames = self->late_frames;
      row->missed_frames = self->missed_frames;
      hotpath_histogram_copy (&row->frame_time, &self->frame_time);
      hotpath_histogram_copy (&row->lateness, &self->lateness);
      hotpath_histogram_copy (&row->layout, &self->layout);
      hotpath_histogram_copy (&row->paint, &self->paint);

      n = (guint) MIN (self->n_logged, MIN ((guint64) MAX_LOGS, (guint64) context->logs_limit));
      row->logs = g_new0 (FrameLog, MAX (n, 1));
      for (guint j = 0; j < n; j++)
        row->logs[j] = self->logs[(self->n_logged - 1 - j) % MAX_LOGS];
      row->n_logs = n;

      g_ptr_array_add (rows, row);
    }
  g_mutex_unlock (&clocks_lock);

  return rows;
}

static void
frames_free (gpointer data)
{
  g_ptr_array_unref (data);
}

/* -------------------------------------------------------------- rows */

enum
{
  COLUMN_ID,
  COLUMN_NAME,
  COLUMN_FRAMES,
  COLUMN_REFRESH,
  COLUMN_LATE_FRAMES,
  COLUMN_MISSED,
  COLUMN_FRAME_TIME,
  COLUMN_LATENESS,
  COLUMN_LAYOUT,
  COLUMN_PAINT,
  COLUMN_LOGS,
};

static void
frames_get (gconstpointer       data,
            const HotpathField *field,
            HotpathValue       *value)
{
  const FramesRow *row = data;

  switch (field->arg)
    {
    case COLUMN_ID:          hotpath_value_set_uint (value, row->id); break;
    case COLUMN_NAME:        hotpath_value_set_string (value, row->name); break;
    case COLUMN_FRAMES:      hotpath_value_set_uint (value, row->frames); break;
    case COLUMN_REFRESH:     hotpath_value_set_uint (value, row->refresh_ns); break;
    case COLUMN_LATE_FRAMES: hotpath_value_set_uint (value, row->late_frames); break;
    case COLUMN_MISSED:      hotpath_value_set_uint (value, row->missed_frames); break;
    case COLUMN_FRAME_TIME:  hotpath_value_set_histogram (value, &row->frame_time, 1.0); break;
    case COLUMN_LATENESS:    hotpath_value_set_histogram (value, &row->lateness, 1.0); break;
    case COLUMN_LAYOUT:      hotpath_value_set_histogram (value, &row->layout, 1.0); break;
    case COLUMN_PAINT:       hotpath_value_set_histogram (value, &row->paint, 1.0); break;
    case COLUMN_LOGS:        hotpath_value_set_rows (value, row); break;
    default:                 break;
    }
}

enum
{
  LOG_INDEX,
  LOG_AT,
  LOG_DURATION,
  LOG_LATE,
  LOG_MISSED,
};

static void
frame_log_get (gconstpointer       data,
               const HotpathField *field,
               HotpathValue       *value)
{
  const FrameLog *entry = data;

  switch (field->arg)
    {
    case LOG_INDEX:    hotpath_value_set_uint (value, entry->index); break;
    case LOG_AT:       hotpath_value_set_uint (value, entry->at_ns); break;
    case LOG_DURATION: hotpath_value_set_uint (value, entry->duration_ns); break;
    case LOG_LATE:     hotpath_value_set_uint (value, entry->late_ns); break;
    case LOG_MISSED:   hotpath_value_set_uint (value, entry->missed); break;
    default:           break;
    }
}

static guint
frame_logs_count (gconstpointer container)
{
  return ((const FramesRow *) container)->n_logs;
}

static gconstpointer
frame_logs_nth (gconstpointer container,
                guint         index)
{
  const FramesRow *row = container;

  return index < row->n_logs ? &row->logs[index] : NULL;
}

static const HotpathField frame_log_fields[] = {
  { "index", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "late frames logged before this one", "#",
    .get = frame_log_get, .arg = LOG_INDEX },
  { "at_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "when the frame started, since the session started",
    "Started at", .get = frame_log_get, .arg = LOG_AT },
  { "duration_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "before-paint to after-paint", "Duration",
    .get = frame_log_get, .arg = LOG_DURATION },
  { "late_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "how long after the clock wanted it it started",
    "Late by", .get = frame_log_get, .arg = LOG_LATE },
  { "missed", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "refresh slots missed", "Missed",
    .get = frame_log_get, .arg = LOG_MISSED },
};

static const HotpathRowsDesc frame_logs = {
  frame_log_fields, G_N_ELEMENTS (frame_log_fields), frame_logs_count, frame_logs_nth,
};

static guint
frames_rows_count (gconstpointer container)
{
  return container != NULL ? ((const GPtrArray *) container)->len : 0;
}

static gconstpointer
frames_rows_nth (gconstpointer container,
                 guint         index)
{
  const GPtrArray *rows = container;

  return index < rows->len ? g_ptr_array_index (rows, index) : NULL;
}

static const HotpathField frames_fields[] = {
  { "id", HOTPATH_FIELD_ID, .get = frames_get, .arg = COLUMN_ID },
  { "name", HOTPATH_FIELD_TEXT, .help = "the surface whose frame clock this is, in order of creation",
    .title = "Surface", .get = frames_get, .arg = COLUMN_NAME },
  { "frames", HOTPATH_FIELD_COUNTER, .help = "frames drawn this session", .title = "Frames",
    .get = frames_get, .arg = COLUMN_FRAMES },
  { "refresh_interval_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS,
    "the monitor's refresh interval as the clock reports it", "Refresh",
    .get = frames_get, .arg = COLUMN_REFRESH },
  { "late_frames", HOTPATH_FIELD_COUNTER, .help = "frames that missed at least one refresh",
    .title = "Late", .get = frames_get, .arg = COLUMN_LATE_FRAMES },
  { "missed_frames", HOTPATH_FIELD_COUNTER,
    .help = "refresh slots missed: per frame, (late by + duration) / refresh interval",
    .title = "Missed", .get = frames_get, .arg = COLUMN_MISSED },
  { "frame_time_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "each frame, before-paint to after-paint",
    "Frame", .get = frames_get, .arg = COLUMN_FRAME_TIME },
  { "late_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS,
    "how long after the clock wanted it each frame started", "Late by",
    .get = frames_get, .arg = COLUMN_LATENESS },
  { "layout_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "each frame's layout phase", "Layout",
    .get = frames_get, .arg = COLUMN_LAYOUT },
  { "paint_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "each frame's paint phase", "Paint",
    .get = frames_get, .arg = COLUMN_PAINT },
  { "logs", HOTPATH_FIELD_ROWS, .help = "the last late frames", .rows = &frame_logs,
    .get = frames_get, .arg = COLUMN_LOGS },
};

static const HotpathRowsDesc frames_rows = {
  frames_fields, G_N_ELEMENTS (frames_fields), frames_rows_count, frames_rows_nth,
};

static void
frames_row_text (const HotpathSectionDesc *section,
                 HotpathSnapshot          *snapshot,
                 gconstpointer             data,
                 GString                  *out)
{
  const FramesRow *row = data;

  g_string_append_printf (out, "%" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
                          " late, %" G_GUINT64_FORMAT " refresh slots missed",
                          row->frames, row->late_frames, row->missed_frames);
  hotpath_format_append_duration (out, ", refresh every ", row->refresh_ns);
  hotpath_format_append_summary (out, "frame", &row->frame_time,
                                 (const double *) (gpointer) snapshot->percentiles->data,
                                 snapshot->percentiles->len);
  hotpath_format_append_summary (out, "layout", &row->layout,
                                 (const double *) (gpointer) snapshot->percentiles->data,
                                 snapshot->percentiles->len);
  hotpath_format_append_summary (out, "paint", &row->paint,
                                 (const double *) (gpointer) snapshot->percentiles->data,
                                 snapshot->percentiles->len);
}

static void
frames_log_text (const HotpathSectionDesc *section,
                 gconstpointer             item,
                 gconstpointer             line,
                 guint                     position,
                 GString                  *out)
{
  const FrameLog *entry = line;

  g_string_append_printf (out, "#%" G_GUINT64_FORMAT, entry->index);
  hotpath_format_append_duration (out, " at ", entry->at_ns);
  hotpath_format_append_duration (out, ": took ", entry->duration_ns);
  hotpath_format_append_duration (out, ", started late by ", entry->late_ns);
  g_string_append_printf (out, ", missed %" G_GUINT64_FORMAT, entry->missed);
}

const HotpathSectionDesc hotpath_frames_section = {
  .name = "frames",
  .title = "frames",
  .description = "GTK frame clocks (one per window): frames drawn, each frame's time and its "
                 "layout and paint phases, how late frames started and the refresh slots "
                 "missed against the monitor's refresh rate. Collected by `hotpath run`.",
  .schema_def = "frames_section",
  .logs_schema_def = "frame_clock",
  .n_event_kinds = HOTPATH_FRAMES_N_EVENTS,
  .first_event_kind = &first_event,
  .aggregate = frames_aggregate,
  .reset = frames_reset,
  .snapshot = frames_snapshot,
  .free_data = frames_free,
  .rows = &frames_rows,
  .has_logs = TRUE,
  .when_empty = "No GTK frame was drawn this session.",
  .item_noun = "frame clock",
  .items_noun = "frame clocks",
  .order = "in order of creation",
  .log_noun = "late frame",
  .logs_noun = "late frames",
  .row_text = frames_row_text,
  .log_text = frames_log_text,
};
