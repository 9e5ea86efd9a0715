/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-gauge.c: named values the program sets or moves (section
 * "gauges").
 *
 * An update costs what a measured call costs: the call site caches the
 * gauge it names (one pointer comparison when the name is a literal), then
 * one clock read and one event in the thread's ring. The worker applies the
 * updates. Adds commute, so they sum exactly from any number of threads; a
 * set applies unless a later set (by timestamp) was already applied, so
 * the latest set wins. The worker drains one thread's ring at a time, so
 * updates wait per gauge and are applied in time order when a snapshot is
 * taken: min and max are those of the real sequence.
 */

#include "config.h"

#include <string.h>

#include "hotpath-gauge.h"
#include "hotpath-flow-private.h"
#include "hotpath-registry-private.h"

enum
{
  GAUGE_EVENT_SET_INT,      /* key Gauge, start = time, end = value */
  GAUGE_EVENT_SET_DOUBLE,   /* end = the double's bits */
  GAUGE_EVENT_ADD_INT,
  GAUGE_EVENT_ADD_DOUBLE,
  GAUGE_N_EVENTS,
};

static guint32 first_kind;

typedef struct
{
  guint              id;
  char              *name;
  char              *file;
  guint              line;

  /* worker */
  gboolean           is_double;   /* integer until a floating-point update */
  gboolean           seen;        /* updated this session */
  gint64             i_value, i_min, i_max;
  double             d_value, d_min, d_max;
  guint64            updates;
  guint64            last_set;    /* ticks of the latest set applied */
  HotpathFlowLogRing logs;
  GArray            *pending;     /* Pending, not applied yet */
  guint64            n_pending;
} Gauge;

/* What a site caches: the name it was first called with and its gauge.
 * Written once; a site called with another name looks it up. */
typedef struct
{
  const char *name;
  Gauge      *gauge;
} SiteCache;

static GMutex      gauges_lock;     /* registration; never held while recording */
static GHashTable *gauges_by_name;
static GPtrArray  *gauges;          /* by id - 1 */

static Gauge *
gauge_lookup (HotpathGaugeSite *site,
              const char       *name)
{
  Gauge *gauge;

  if (name == NULL)
    name = "(null)";

  g_mutex_lock (&gauges_lock);
  if (gauges_by_name == NULL)
    {
      gauges_by_name = g_hash_table_new (g_str_hash, g_str_equal);
      gauges = g_ptr_array_new ();
    }

  gauge = g_hash_table_lookup (gauges_by_name, name);
  if (gauge == NULL)
    {
      gauge = g_new0 (Gauge, 1);
      gauge->name = g_strdup (name);
      gauge->file = g_path_get_basename (site->file != NULL ? site->file : "(unknown)");
      gauge->line = site->line;
      g_ptr_array_add (gauges, gauge);
      gauge->id = gauges->len;
      g_hash_table_insert (gauges_by_name, gauge->name, gauge);
    }

  if (site->cache == NULL)
    {
      SiteCache *cache = g_new (SiteCache, 1);

      cache->name = name;
      cache->gauge = gauge;
      __atomic_store_n (&site->cache, cache, __ATOMIC_RELEASE);
    }
  g_mutex_unlock (&gauges_lock);

  return gauge;
}

static inline void
gauge_record (HotpathGaugeSite *site,
              const char       *name,
              guint32           kind,
              guint64           bits)
{
  SiteCache *cache;
  Gauge *gauge;

  if (G_UNLIKELY (__atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) == HOTPATH_RECORDING_OFF))
    return;

  /* A literal at the same address is the same name; a buffer may have
   * been reused for another one. */
  cache = __atomic_load_n (&site->cache, __ATOMIC_ACQUIRE);
  if (G_LIKELY (cache != NULL && cache->name == name && site->literal))
    gauge = cache->gauge;
  else if (cache != NULL && name != NULL && strcmp (cache->gauge->name, name) == 0)
    gauge = cache->gauge;
  else
    gauge = gauge_lookup (site, name);

  hotpath_collector_record_full (first_kind + kind, gauge, hotpath_clock_read (), bits, 0);
}

static inline guint64
double_bits (double value)
{
  guint64 bits;

  memcpy (&bits, &value, sizeof bits);
  return bits;
}

static inline double
bits_double (guint64 bits)
{
  double value;

  memcpy (&value, &bits, sizeof value);
  return value;
}

/**
 * hotpath_gauge_set_int:
 * @site: the call site (HOTPATH_GAUGE_SET() makes it)
 * @name: the gauge's name
 * @value: the new value
 *
 * What HOTPATH_GAUGE_SET() calls for an integer value.
 */
void
hotpath_gauge_set_int (HotpathGaugeSite *site,
                       const char       *name,
                       gint64            value)
{
  gauge_record (site, name, GAUGE_EVENT_SET_INT, (guint64) value);
}

/**
 * hotpath_gauge_set_double:
 * @site: the call site (HOTPATH_GAUGE_SET() makes it)
 * @name: the gauge's name
 * @value: the new value
 *
 * What HOTPATH_GAUGE_SET() calls for a floating-point value.
 */
void
hotpath_gauge_set_double (HotpathGaugeSite *site,
                          const char       *name,
                          double            value)
{
  gauge_record (site, name, GAUGE_EVENT_SET_DOUBLE, double_bits (value));
}

/**
 * hotpath_gauge_add_int:
 * @site: the call site (HOTPATH_GAUGE_ADD() makes it)
 * @name: the gauge's name
 * @delta: what to add
 *
 * What HOTPATH_GAUGE_ADD() calls for an integer amount.
 */
void
hotpath_gauge_add_int (HotpathGaugeSite *site,
                       const char       *name,
                       gint64            delta)
{
  gauge_record (site, name, GAUGE_EVENT_ADD_INT, (guint64) delta);
}

/**
 * hotpath_gauge_add_double:
 * @site: the call site (HOTPATH_GAUGE_ADD() makes it)
 * @name: the gauge's name
 * @delta: what to add
 *
 * What HOTPATH_GAUGE_ADD() calls for a floating-point amount.
 */
void
hotpath_gauge_add_double (HotpathGaugeSite *site,
                          const char       *name,
                          double            delta)
{
  gauge_record (site, name, GAUGE_EVENT_ADD_DOUBLE, double_bits (delta));
}

/* ------------------------------------------------------------ worker */

static void
gauge_to_double (Gauge *self)
{
  self->is_double = TRUE;
  self->d_value = (double) self->i_value;
  self->d_min = (double) self->i_min;
  self->d_max = (double) self->i_max;
}

/* One update waiting to be applied in time order. */
typedef struct
{
  guint64 at;
  guint64 bits;
  guint64 thread_id;
  guint64 seq;        /* arrival order, for equal times */
  guint32 kind;
} Pending;

static void
apply_update (Gauge         *self,
              const Pending *update,
              guint          logs_limit)
{
  gboolean is_set = update->kind == GAUGE_EVENT_SET_INT || update->kind == GAUGE_EVENT_SET_DOUBLE;
  gboolean is_double = update->kind == GAUGE_EVENT_SET_DOUBLE || update->kind == GAUGE_EVENT_ADD_DOUBLE;
  gboolean apply = TRUE;
  HotpathFlowLog *entry;

  if (is_double && !self->is_double)
    gauge_to_double (self);

  if (is_set)
    {
      /* An older set drained after a newer one changes nothing. */
      apply = update->at >= self->last_set;
      if (apply)
        self->last_set = update->at;
    }

  if (apply)
    {
      if (self->is_double)
        {
          double arg = is_double ? bits_double (update->bits) : (double) (gint64) update->bits;

          self->d_value = is_set ? arg : self->d_value + arg;
          if (!self->seen || self->d_value < self->d_min)
            self->d_min = self->d_value;
          if (!self->seen || self->d_value > self->d_max)
            self->d_max = self->d_value;
        }
      else
        {
          gint64 arg = (gint64) update->bits;

          self->i_value = is_set ? arg : (gint64) ((guint64) self->i_value + (guint64) arg);
          if (!self->seen || self->i_value < self->i_min)
            self->i_min = self->i_value;
          if (!self->seen || self->i_value > self->i_max)
            self->i_max = self->i_value;
        }
      self->seen = TRUE;
    }
  self->updates++;

  entry = hotpath_flow_log_ring_add (&self->logs, logs_limit);
  if (entry != NULL)
    {
      /* The log keeps ticks and raw bits; the snapshot converts them. */
      entry->at_ns = update->at;
      entry->thread_id = update->thread_id;
      entry->outcome = is_set ? (apply ? "set" : "set (superseded)") : "add";
      entry->seq = update->bits;
      entry->value_ns = self->is_double ? double_bits (self->d_value) : (guint64) self->i_value;
      /* which of the two is a double's bits */
      entry->duration_ns = (is_double ? 1 : 0) | (self->is_double ? 2 : 0);
    }
}

static int
compare_pending (gconstpointer a,
                 gconstpointer b)
{
  const Pending *x = a, *y = b;

  if (x->at != y->at)
    return x->at < y->at ? -1 : 1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The worker drains one thread's ring at a time, so updates from several
 * threads arrive in batches, not in time order. They wait here and are
 * applied sorted by time: when a snapshot is taken (every ring has been
 * drained then), or the oldest half when too many wait. */
#define MAX_PENDING 4096

static void
apply_pending (Gauge *self,
               guint  keep,
               guint  logs_limit)
{
  guint n;

  if (self->pending == NULL || self->pending->len <= keep)
    return;

  g_array_sort (self->pending, compare_pending);
  n = self->pending->len - keep;
  for (guint i = 0; i < n; i++)
    apply_update (self, &g_array_index (self->pending, Pending, i), logs_limit);
  g_array_remove_range (self->pending, 0, n);
}

static void
gauge_aggregate (const HotpathEvent        *event,
                 const HotpathEventContext *context)
{
  Gauge *self = (Gauge *) event->key;
  Pending update;

  if (event->start < context->session_start_ticks)
    return;

  update.at = event->start;
  update.bits = event->end;
  update.thread_id = context->thread_id;
  update.seq = self->n_pending++;
  update.kind = context->kind;
  if (self->pending == NULL)
    self->pending = g_array_new (FALSE, FALSE, sizeof (Pending));
  g_array_append_val (self->pending, update);
  if (self->pending->len >= MAX_PENDING)
    apply_pending (self, MAX_PENDING / 2, context->logs_limit);
}

static void
gauge_reset (void)
{
  g_mutex_lock (&gauges_lock);
  for (guint i = 0; gauges != NULL && i < gauges->len; i++)
    {
      Gauge *self = g_ptr_array_index (gauges, i);

      self->is_double = FALSE;
      self->seen = FALSE;
      self->i_value = self->i_min = self->i_max = 0;
      self->d_value = self->d_min = self->d_max = 0;
      self->updates = 0;
      self->last_set = 0;
      hotpath_flow_log_ring_clear (&self->logs);
      if (self->pending != NULL)
        g_array_set_size (self->pending, 0);
    }
  g_mutex_unlock (&gauges_lock);
}

/* ---------------------------------------------------------- snapshot */

typedef struct
{
  guint64 index;
  guint64 at_ns;
  guint64 thread_id;
  const char *op;
  gboolean arg_is_double;
  gboolean result_is_double;
  gint64  arg_i;
  double  arg_d;
  gint64  result_i;
  double  result_d;
} GaugeLog;

typedef struct
{
  guint     id;
  char     *name;
  char     *file;
  guint     line;
  gboolean  is_double;
  gint64    i_value, i_min, i_max;
  double    d_value, d_min, d_max;
  guint64   updates;
  GaugeLog *logs;       /* oldest first */
  guint     n_logs;
} GaugeRow;

static void
gauge_row_free (gpointer data)
{
  GaugeRow *row = data;

  g_free (row->name);
  g_free (row->file);
  g_free (row->logs);
  g_free (row);
}

static gpointer
gauge_snapshot (const HotpathSnapshotContext *context)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (gauge_row_free);

  g_mutex_lock (&gauges_lock);
  for (guint i = 0; gauges != NULL && i < gauges->len; i++)
    {
      Gauge *self = g_ptr_array_index (gauges, i);
      g_autofree HotpathFlowLog *logs = NULL;
      GaugeRow *row;
      guint n_logs;

      apply_pending (self, 0, context->logs_limit);
      if (self->updates == 0)
        continue;

      row = g_new0 (GaugeRow, 1);
      row->id = self->id;
      row->name = g_strdup (self->name);
      row->file = g_strdup (self->file);
      row->line = self->line;
      row->is_double = self->is_double;
      row->i_value = self->i_value;
      row->i_min = self->i_min;
      row->i_max = self->i_max;
      row->d_value = self->d_value;
      row->d_min = self->d_min;
      row->d_max = self->d_max;
      row->updates = self->updates;

      logs = hotpath_flow_log_ring_copy (&self->logs, &n_logs);
      row->logs = g_new0 (GaugeLog, MAX (n_logs, 1));
      row->n_logs = n_logs;
      for (guint j = 0; j < n_logs; j++)
        {
          GaugeLog *log = &row->logs[j];

          log->index = logs[j].index;
          log->at_ns = hotpath_flow_at_ns (logs[j].at_ns, context->session_start_ticks);
          log->thread_id = logs[j].thread_id;
          log->op = logs[j].outcome;
          log->arg_is_double = (logs[j].duration_ns & 1) != 0;
          log->arg_i = (gint64) logs[j].seq;
          log->arg_d = bits_double (logs[j].seq);
          log->result_is_double = (logs[j].duration_ns & 2) != 0;
          log->result_i = (gint64) logs[j].value_ns;
          log->result_d = bits_double (logs[j].value_ns);
        }
      hotpath_flow_logs_free (g_steal_pointer (&logs), n_logs);

      g_ptr_array_add (rows, row);
    }
  g_mutex_unlock (&gauges_lock);

  return rows;
}

/* --------------------------------------------------------------- rows */

static void
set_number (HotpathValue *value,
            gboolean      is_double,
            gint64        i,
            double        d)
{
  if (is_double)
    hotpath_value_set_double (value, d);
  else
    hotpath_value_set_int (value, i);
}

enum { F_ID, F_NAME, F_VALUE, F_MIN, F_MAX, F_UPDATES, F_FILE, F_LINE, F_LOGS };

static void
gauge_row_get (gconstpointer       data,
               const HotpathField *field,
               HotpathValue       *value)
{
  const GaugeRow *row = data;

  switch (field->arg)
    {
    case F_ID: hotpath_value_set_uint (value, row->id); break;
    case F_NAME: hotpath_value_set_string (value, row->name); break;
    case F_VALUE: set_number (value, row->is_double, row->i_value, row->d_value); break;
    case F_MIN: set_number (value, row->is_double, row->i_min, row->d_min); break;
    case F_MAX: set_number (value, row->is_double, row->i_max, row->d_max); break;
    case F_UPDATES: hotpath_value_set_uint (value, row->updates); break;
    case F_FILE: hotpath_value_set_string (value, row->file); break;
    case F_LINE: hotpath_value_set_uint (value, row->line); break;
    case F_LOGS: hotpath_value_set_rows (value, row); break;
    default: g_assert_not_reached ();
    }
}

enum { L_INDEX, L_AT, L_THREAD, L_OP, L_ARG, L_VALUE };

static void
gauge_log_get (gconstpointer       data,
               const HotpathField *field,
               HotpathValue       *value)
{
  const GaugeLog *log = data;

  switch (field->arg)
    {
    case L_INDEX: hotpath_value_set_uint (value, log->index); break;
    case L_AT: hotpath_value_set_uint (value, log->at_ns); break;
    case L_THREAD: hotpath_value_set_uint (value, log->thread_id); break;
    case L_OP: hotpath_value_set_string (value, log->op); break;
    case L_ARG: set_number (value, log->arg_is_double, log->arg_i, log->arg_d); break;
    case L_VALUE: set_number (value, log->result_is_double, log->result_i, log->result_d); break;
    default: g_assert_not_reached ();
    }
}

static guint
logs_count (gconstpointer container)
{
  return ((const GaugeRow *) container)->n_logs;
}

/* Newest first, as every section's logs. */
static gconstpointer
logs_nth (gconstpointer container,
          guint         index)
{
  const GaugeRow *row = container;

  return &row->logs[row->n_logs - 1 - index];
}

static const HotpathField log_fields[] = {
  { "index", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "How many updates were logged before this one", NULL, NULL, NULL, gauge_log_get, L_INDEX },
  { "at_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "When the update was made, since the session started", "At", NULL, NULL, gauge_log_get, L_AT },
  { "thread_id", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "The kernel thread id of the updating thread", "Thread", NULL, NULL, gauge_log_get, L_THREAD },
  { "op", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "set, add, or set (superseded) for a set older than one already applied", "Op", NULL, NULL, gauge_log_get, L_OP },
  { "argument", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "The value set or the amount added", "Argument", NULL, NULL, gauge_log_get, L_ARG },
  { "value", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "The gauge's value after the update", "Value", NULL, NULL, gauge_log_get, L_VALUE },
};

static const HotpathRowsDesc log_rows = {
  log_fields, G_N_ELEMENTS (log_fields), logs_count, logs_nth,
};

static const HotpathField gauge_fields[] = {
  { "id", HOTPATH_FIELD_ID, HOTPATH_UNIT_NONE, "The gauge's id, stable for the life of the process", NULL, NULL, NULL, gauge_row_get, F_ID },
  { "name", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The gauge's name", "Gauge", NULL, NULL, gauge_row_get, F_NAME },
  { "value", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "The current value", "Value", NULL, NULL, gauge_row_get, F_VALUE },
  { "min", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "The lowest value this session", "Min", NULL, NULL, gauge_row_get, F_MIN },
  { "max", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "The highest value this session", "Max", NULL, NULL, gauge_row_get, F_MAX },
  { "updates", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Sets and adds this session", "Updates", NULL, NULL, gauge_row_get, F_UPDATES },
  { "file", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The file of the first call site that named the gauge", NULL, NULL, NULL, gauge_row_get, F_FILE },
  { "line", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "Its line", NULL, NULL, NULL, gauge_row_get, F_LINE },
  { "logs", HOTPATH_FIELD_ROWS, HOTPATH_UNIT_NONE, "The last updates, newest first", NULL, NULL, &log_rows, gauge_row_get, F_LOGS },
};

static const HotpathRowsDesc gauge_rows = {
  gauge_fields, G_N_ELEMENTS (gauge_fields), hotpath_flow_rows_count, hotpath_flow_rows_nth,
};

const HotpathSectionDesc hotpath_gauges_section = {
  .name = "gauges",
  .title = "gauges",
  .description = "Named values set with HOTPATH_GAUGE_SET and HOTPATH_GAUGE_ADD: current value, min, max, updates",
  .schema_def = "gauges_section",
  .logs_schema_def = "gauge",
  .n_event_kinds = GAUGE_N_EVENTS,
  .first_event_kind = &first_kind,
  .aggregate = gauge_aggregate,
  .reset = gauge_reset,
  .snapshot = gauge_snapshot,
  .free_data = hotpath_flow_rows_free,
  .rows = &gauge_rows,
  .has_logs = TRUE,
  .when_empty = "no gauges updated",
  .item_noun = "gauge",
  .items_noun = "gauges",
  .order = "by id",
};
