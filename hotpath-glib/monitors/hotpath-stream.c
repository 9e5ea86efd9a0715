/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-stream.c: GIO streams (section "streams").
 *
 * HOTPATH_INPUT_STREAM() and HOTPATH_OUTPUT_STREAM() wrap a stream in a
 * filter stream (hotpath-input-stream.c, hotpath-output-stream.c) that
 * forwards every call to the base stream and reports each operation here:
 * one event in the calling thread's ring (start, bytes, duration, kind =
 * operation and outcome). Rows are per name, the label or else the call
 * site, so a server that wraps every connection's stream at one line has
 * one row, and memory depends on the program's lines, not on how many
 * streams it opens.
 */

#include "config.h"

#include <string.h>

#include "hotpath-clock-private.h"
#include "hotpath-flow-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-stream-private.h"

/* Kinds: one per operation and outcome, then two more. */
enum
{
  OUTCOME_OK,
  OUTCOME_ERROR,
  OUTCOME_CANCELLED,
  N_OUTCOMES,
};

#define STREAM_EVENT_OP(op, outcome) ((op) * N_OUTCOMES + (outcome))
enum
{
  /* key stats, start = op start, end = bytes, extra = duration (packed) */
  STREAM_EVENT_OPENED = HOTPATH_STREAM_N_OPS * N_OUTCOMES,  /* key stats, start = time */
  STREAM_EVENT_ERROR_TEXT,                                  /* key stats, end = (char *) message */
  STREAM_N_EVENTS,
};

static const char * const op_names[] = { "read", "write", "skip", "splice", "flush", "close" };
static const char * const outcome_names[] = { "ok", "error", "cancelled" };

static guint32 first_kind;

struct _HotpathStreamStats
{
  guint              id;
  char              *name;
  const char        *direction;   /* "input", "output" */
  char              *file;
  guint              line;
  int                log;         /* any of its streams asked for logs */

  /* worker */
  guint64            opened;
  guint64            closed;
  guint64            items;
  guint64            bytes;
  guint64            errors;
  guint64            cancelled;
  guint64            ops[HOTPATH_STREAM_N_OPS];
  HotpathHistogram   latency;     /* ticks */
  gboolean           last_failed;
  char              *last_error;
  HotpathFlowLogRing logs;
};

static GMutex      stats_lock;    /* registration; never held while recording */
static GHashTable *stats_by_key;  /* "direction\nname" -> HotpathStreamStats */
static GPtrArray  *all_stats;     /* by id - 1 */

HotpathStreamStats *
hotpath_stream_stats_open (const HotpathStreamOptions *options,
                           const HotpathSite          *site,
                           gboolean                    output)
{
  g_autofree char *name = NULL;
  g_autofree char *key = NULL;
  HotpathStreamStats *self;

  if (options != NULL && options->label != NULL)
    name = g_strdup (options->label);
  else if (site != NULL && site->file != NULL)
    {
      g_autofree char *base = g_path_get_basename (site->file);
      name = g_strdup_printf ("%s:%u", base, site->line);
    }
  else
    name = g_strdup ("(unknown)");

  key = g_strdup_printf ("%s\n%s", output ? "output" : "input", name);

  g_mutex_lock (&stats_lock);
  if (stats_by_key == NULL)
    {
      stats_by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      all_stats = g_ptr_array_new ();
    }

  self = g_hash_table_lookup (stats_by_key, key);
  if (self == NULL)
    {
      self = g_new0 (HotpathStreamStats, 1);
      self->name = g_steal_pointer (&name);
      self->direction = output ? "output" : "input";
      self->file = site != NULL && site->file != NULL ? g_path_get_basename (site->file) : NULL;
      self->line = site != NULL ? site->line : 0;
      hotpath_histogram_init_bounded (&self->latency, 192);
      g_ptr_array_add (all_stats, self);
      self->id = all_stats->len;
      g_hash_table_insert (stats_by_key, g_steal_pointer (&key), self);
    }
  if (options != NULL && options->log)
    __atomic_store_n (&self->log, TRUE, __ATOMIC_RELAXED);
  g_mutex_unlock (&stats_lock);

  if (__atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) != HOTPATH_RECORDING_OFF)
    hotpath_collector_record_full (first_kind + STREAM_EVENT_OPENED, self, hotpath_clock_read (), 0, 0);

  return self;
}

/* A duration in 32 bits: 27 bits of mantissa and a 5-bit shift, so a read
 * that blocks for minutes keeps eight significant digits (the histogram
 * keeps three). */
static inline guint32
pack_duration (guint64 ticks)
{
  guint shift = 0;

  while ((ticks >> shift) >= (G_GUINT64_CONSTANT (1) << 27) && shift < 31)
    shift++;
  return (guint32) (shift << 27 | MIN (ticks >> shift, (G_GUINT64_CONSTANT (1) << 27) - 1));
}

static inline guint64
unpack_duration (guint32 packed)
{
  return (guint64) (packed & ((1u << 27) - 1)) << (packed >> 27);
}

void
hotpath_stream_stats_end (HotpathStreamStats *stats,
                          HotpathStreamOp     op,
                          guint64             start,
                          guint64             bytes,
                          const GError       *error)
{
  guint64 end;
  guint outcome = OUTCOME_OK;

  if (start == 0 || stats == NULL)
    return;

  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return;
      outcome = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? OUTCOME_CANCELLED
                                                                           : OUTCOME_ERROR;
      bytes = 0;
    }

  end = hotpath_clock_read ();
  hotpath_collector_record_full (first_kind + STREAM_EVENT_OP (op, outcome), stats, start, bytes,
                                 pack_duration (end >= start ? end - start : 0));

  /* The message is the error path's only allocation. */
  if (outcome == OUTCOME_ERROR)
    hotpath_collector_record_full (first_kind + STREAM_EVENT_ERROR_TEXT, stats, start,
                                   (guint64) (guintptr) g_strdup (error->message), 0);
}

/* ------------------------------------------------------------ worker */

static void
stream_aggregate (const HotpathEvent        *event,
                  const HotpathEventContext *context)
{
  HotpathStreamStats *self = (HotpathStreamStats *) event->key;
  HotpathFlowLog *entry;
  guint op, outcome;
  guint64 ticks;

  if (context->kind == STREAM_EVENT_ERROR_TEXT)
    {
      char *message = (char *) (guintptr) event->end;

      if (event->start < context->session_start_ticks)
        {
          g_free (message);
          return;
        }

      /* The failed operation came just before, from the same thread: its
       * log line gets the message. */
      if (self->logs.entries != NULL && self->logs.n > 0)
        {
          HotpathFlowLog *last = &self->logs.entries[(self->logs.n - 1) % self->logs.limit];

          if (last->text == NULL && g_strcmp0 (last->outcome, "error") == 0)
            last->text = g_strdup (message);
        }
      g_free (self->last_error);
      self->last_error = message;
      return;
    }

  if (event->start < context->session_start_ticks)
    return;

  if (context->kind == STREAM_EVENT_OPENED)
    {
      self->opened++;
      return;
    }

  op = context->kind / N_OUTCOMES;
  outcome = context->kind % N_OUTCOMES;
  ticks = unpack_duration (event->reserved);

  self->ops[op]++;
  if (op == HOTPATH_STREAM_OP_CLOSE)
    {
      self->closed++;
      self->last_failed = outcome == OUTCOME_ERROR;
    }
  else
    {
      self->items++;
      self->bytes += event->end;
      self->last_failed = outcome == OUTCOME_ERROR;
    }
  if (outcome == OUTCOME_ERROR)
    self->errors++;
  else if (outcome == OUTCOME_CANCELLED)
    self->cancelled++;
  hotpath_histogram_record (&self->latency, ticks);

  if (!__atomic_load_n (&self->log, __ATOMIC_RELAXED))
    return;

  entry = hotpath_flow_log_ring_add (&self->logs, context->logs_limit);
  if (entry != NULL)
    {
      /* Ticks here; the snapshot converts. */
      entry->at_ns = event->start;
      entry->duration_ns = ticks;
      entry->thread_id = context->thread_id;
      entry->seq = event->end;
      entry->value_ns = op;
      entry->outcome = outcome_names[outcome];
    }
}

static void
stream_reset (void)
{
  g_mutex_lock (&stats_lock);
  for (guint i = 0; all_stats != NULL && i < all_stats->len; i++)
    {
      HotpathStreamStats *self = g_ptr_array_index (all_stats, i);

      /* Streams open when the session starts stay open in it. */
      self->opened = self->opened > self->closed ? self->opened - self->closed : 0;
      self->closed = 0;
      self->items = self->bytes = self->errors = self->cancelled = 0;
      memset (self->ops, 0, sizeof self->ops);
      hotpath_histogram_reset (&self->latency);
      self->last_failed = FALSE;
      g_clear_pointer (&self->last_error, g_free);
      hotpath_flow_log_ring_clear (&self->logs);
    }
  g_mutex_unlock (&stats_lock);
}

/* ---------------------------------------------------------- snapshot */

typedef struct
{
  guint64     index;
  guint64     at_ns;
  guint64     thread_id;
  const char *op;
  guint64     bytes;
  guint64     duration_ns;
  const char *outcome;
  char       *error;
} StreamLog;

typedef struct
{
  guint            id;
  char            *name;
  const char      *direction;
  const char      *state;
  char            *file;
  guint            line;
  guint64          streams;
  guint64          open;
  guint64          items;
  guint64          bytes;
  guint64          errors;
  guint64          cancelled;
  guint64          ops[HOTPATH_STREAM_N_OPS];
  double           ns_per_tick;
  HotpathHistogram latency;   /* ticks */
  char            *last_error;
  StreamLog       *logs;      /* oldest first */
  guint            n_logs;
} StreamRow;

static void
stream_row_free (gpointer data)
{
  StreamRow *row = data;

  g_free (row->name);
  g_free (row->file);
  g_free (row->last_error);
  hotpath_histogram_clear (&row->latency);
  for (guint i = 0; i < row->n_logs; i++)
    g_free (row->logs[i].error);
  g_free (row->logs);
  g_free (row);
}

static gpointer
stream_snapshot (const HotpathSnapshotContext *context)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (stream_row_free);
  double ns_per_tick = 1e9 / hotpath_clock_get_ticks_per_second ();

  g_mutex_lock (&stats_lock);
  for (guint i = 0; all_stats != NULL && i < all_stats->len; i++)
    {
      HotpathStreamStats *self = g_ptr_array_index (all_stats, i);
      HotpathFlowLog *logs;
      StreamRow *row;
      guint n_logs;

      if (self->opened == 0 && self->latency.count == 0)
        continue;

      row = g_new0 (StreamRow, 1);
      row->id = self->id;
      row->name = g_strdup (self->name);
      row->direction = self->direction;
      row->file = g_strdup (self->file);
      row->line = self->line;
      row->streams = self->opened;
      row->open = self->opened > self->closed ? self->opened - self->closed : 0;
      row->state = self->last_failed ? "error" : row->open > 0 ? "open" : "closed";
      row->items = self->items;
      row->bytes = self->bytes;
      row->errors = self->errors;
      row->cancelled = self->cancelled;
      memcpy (row->ops, self->ops, sizeof row->ops);
      row->ns_per_tick = ns_per_tick;
      hotpath_histogram_copy (&row->latency, &self->latency);
      row->last_error = g_strdup (self->last_error);

      logs = hotpath_flow_log_ring_copy (&self->logs, &n_logs);
      row->logs = g_new0 (StreamLog, MAX (n_logs, 1));
      row->n_logs = n_logs;
      for (guint j = 0; j < n_logs; j++)
        {
          StreamLog *log = &row->logs[j];

          log->index = logs[j].index;
          log->at_ns = hotpath_flow_at_ns (logs[j].at_ns, context->session_start_ticks);
          log->thread_id = logs[j].thread_id;
          log->op = op_names[MIN (logs[j].value_ns, (guint64) HOTPATH_STREAM_N_OPS - 1)];
          log->bytes = logs[j].seq;
          log->duration_ns = (guint64) (logs[j].duration_ns * ns_per_tick);
          log->outcome = logs[j].outcome;
          log->error = g_steal_pointer (&logs[j].text);
        }
      hotpath_flow_logs_free (logs, n_logs);

      g_ptr_array_add (rows, row);
    }
  g_mutex_unlock (&stats_lock);

  return rows;
}

/* --------------------------------------------------------------- rows */

enum { F_ID, F_NAME, F_DIRECTION, F_STATE, F_STREAMS, F_OPEN, F_ITEMS, F_BYTES, F_ERRORS,
       F_CANCELLED, F_LATENCY, F_LAST_ERROR, F_FILE, F_LINE, F_LOGS,
       F_OPS /* + op */ };

static void
stream_row_get (gconstpointer       data,
                const HotpathField *field,
                HotpathValue       *value)
{
  const StreamRow *row = data;

  switch (field->arg)
    {
    case F_ID: hotpath_value_set_uint (value, row->id); break;
    case F_NAME: hotpath_value_set_string (value, row->name); break;
    case F_DIRECTION: hotpath_value_set_string (value, row->direction); break;
    case F_STATE: hotpath_value_set_string (value, row->state); break;
    case F_STREAMS: hotpath_value_set_uint (value, row->streams); break;
    case F_OPEN: hotpath_value_set_uint (value, row->open); break;
    case F_ITEMS: hotpath_value_set_uint (value, row->items); break;
    case F_BYTES: hotpath_value_set_uint (value, row->bytes); break;
    case F_ERRORS: hotpath_value_set_uint (value, row->errors); break;
    case F_CANCELLED: hotpath_value_set_uint (value, row->cancelled); break;
    case F_LATENCY: hotpath_value_set_histogram (value, &row->latency, row->ns_per_tick); break;
    case F_LAST_ERROR: hotpath_value_set_string (value, row->last_error); break;
    case F_FILE: hotpath_value_set_string (value, row->file); break;
    case F_LINE: hotpath_value_set_uint (value, row->line); break;
    case F_LOGS: hotpath_value_set_rows (value, row); break;
    default:
      g_assert (field->arg >= F_OPS && field->arg < F_OPS + HOTPATH_STREAM_N_OPS);
      hotpath_value_set_uint (value, row->ops[field->arg - F_OPS]);
      break;
    }
}

enum { L_INDEX, L_AT, L_THREAD, L_OP, L_BYTES, L_DURATION, L_OUTCOME, L_ERROR };

static void
stream_log_get (gconstpointer       data,
                const HotpathField *field,
                HotpathValue       *value)
{
  const StreamLog *log = data;

  switch (field->arg)
    {
    case L_INDEX: hotpath_value_set_uint (value, log->index); break;
    case L_AT: hotpath_value_set_uint (value, log->at_ns); break;
    case L_THREAD: hotpath_value_set_uint (value, log->thread_id); break;
    case L_OP: hotpath_value_set_string (value, log->op); break;
    case L_BYTES: hotpath_value_set_uint (value, log->bytes); break;
    case L_DURATION: hotpath_value_set_uint (value, log->duration_ns); break;
    case L_OUTCOME: hotpath_value_set_string (value, log->outcome); break;
    case L_ERROR: hotpath_value_set_string (value, log->error); break;
    default: g_assert_not_reached ();
    }
}

static guint
logs_count (gconstpointer container)
{
  return ((const StreamRow *) container)->n_logs;
}

static gconstpointer
logs_nth (gconstpointer container,
          guint         index)
{
  const StreamRow *row = container;

  return &row->logs[row->n_logs - 1 - index];
}

static const HotpathField log_fields[] = {
  { "index", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "How many operations were logged before this one", NULL, NULL, NULL, stream_log_get, L_INDEX },
  { "at_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "When the operation started, since the session started", "At", NULL, NULL, stream_log_get, L_AT },
  { "thread_id", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "The kernel thread id that ran it", "Thread", NULL, NULL, stream_log_get, L_THREAD },
  { "op", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "read, write, skip, splice, flush or close", "Op", NULL, NULL, stream_log_get, L_OP },
  { "bytes", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_BYTES, "Bytes moved", "Bytes", NULL, NULL, stream_log_get, L_BYTES },
  { "duration_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "How long it took", "Duration", NULL, NULL, stream_log_get, L_DURATION },
  { "outcome", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "ok, error or cancelled", "Outcome", NULL, NULL, stream_log_get, L_OUTCOME },
  { "error", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The error's message, or null", "Error", NULL, NULL, stream_log_get, L_ERROR },
};

static const HotpathRowsDesc log_rows = {
  log_fields, G_N_ELEMENTS (log_fields), logs_count, logs_nth,
};

static const HotpathField stream_fields[] = {
  { "id", HOTPATH_FIELD_ID, HOTPATH_UNIT_NONE, "The stream row's id, stable for the life of the process", NULL, NULL, NULL, stream_row_get, F_ID },
  { "name", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The streams' label, or the call site that wrapped them", "Stream", NULL, NULL, stream_row_get, F_NAME },
  { "direction", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "input or output", "Dir", NULL, NULL, stream_row_get, F_DIRECTION },
  { "state", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "open (a stream is open), closed, or error (the last operation failed)", "State", NULL, NULL, stream_row_get, F_STATE },
  { "streams", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Streams wrapped under this name", NULL, NULL, NULL, stream_row_get, F_STREAMS },
  { "open", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "Streams open now", "Open", NULL, NULL, stream_row_get, F_OPEN },
  { "items", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Operations that move data: reads, writes, skips, splices, flushes (sync and async)", "Items", NULL, NULL, stream_row_get, F_ITEMS },
  { "bytes", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_BYTES, "Bytes read, skipped, written or spliced", "Bytes", NULL, NULL, stream_row_get, F_BYTES },
  { "errors", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Operations that failed (not cancelled)", "Errors", NULL, NULL, stream_row_get, F_ERRORS },
  { "cancelled", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Operations cancelled", NULL, NULL, NULL, stream_row_get, F_CANCELLED },
  { "reads", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Read operations", NULL, "ops", NULL, stream_row_get, F_OPS + HOTPATH_STREAM_OP_READ },
  { "writes", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Write operations (writev counts once)", NULL, "ops", NULL, stream_row_get, F_OPS + HOTPATH_STREAM_OP_WRITE },
  { "skips", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Skip operations", NULL, "ops", NULL, stream_row_get, F_OPS + HOTPATH_STREAM_OP_SKIP },
  { "splices", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Splice operations", NULL, "ops", NULL, stream_row_get, F_OPS + HOTPATH_STREAM_OP_SPLICE },
  { "flushes", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Flush operations", NULL, "ops", NULL, stream_row_get, F_OPS + HOTPATH_STREAM_OP_FLUSH },
  { "closes", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Close operations", NULL, "ops", NULL, stream_row_get, F_OPS + HOTPATH_STREAM_OP_CLOSE },
  { "latency_ns", HOTPATH_FIELD_SUMMARY, HOTPATH_UNIT_NS, "Time per operation, close included", "Latency", NULL, NULL, stream_row_get, F_LATENCY },
  { "last_error", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The message of the last failed operation, or null", NULL, NULL, NULL, stream_row_get, F_LAST_ERROR },
  { "file", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "Where the first stream of this row was wrapped", NULL, NULL, NULL, stream_row_get, F_FILE },
  { "line", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "Its line", NULL, NULL, NULL, stream_row_get, F_LINE },
  { "logs", HOTPATH_FIELD_ROWS, HOTPATH_UNIT_NONE, "The last operations, newest first (streams made with .log = TRUE)", NULL, NULL, &log_rows, stream_row_get, F_LOGS },
};

static const HotpathRowsDesc stream_rows = {
  stream_fields, G_N_ELEMENTS (stream_fields), hotpath_flow_rows_count, hotpath_flow_rows_nth,
};

const HotpathSectionDesc hotpath_streams_section = {
  .name = "streams",
  .title = "streams",
  .description = "GIO streams wrapped with HOTPATH_INPUT_STREAM and HOTPATH_OUTPUT_STREAM: operations, bytes, latency, errors, state",
  .schema_def = "streams_section",
  .logs_schema_def = "stream",
  .n_event_kinds = STREAM_N_EVENTS,
  .first_event_kind = &first_kind,
  .aggregate = stream_aggregate,
  .reset = stream_reset,
  .snapshot = stream_snapshot,
  .free_data = hotpath_flow_rows_free,
  .rows = &stream_rows,
  .has_logs = TRUE,
  .when_empty = "no monitored stream",
  .item_noun = "stream",
  .items_noun = "streams",
  .order = "by id",
};
