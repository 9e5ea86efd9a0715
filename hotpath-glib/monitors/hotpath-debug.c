/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-debug.c: HOTPATH_DBG() and HOTPATH_VAL() (section "debug").
 *
 * The calling thread records the raw value, not its text: 64 bits and a
 * type tag in one ring event, so a debug value costs a clock read and a
 * store, plus a bounded copy when it is a string. The worker keeps the
 * latest value and a log per row; text is made when a snapshot is taken.
 * HOTPATH_DBG() rows are per call site (the event's key is the site);
 * HOTPATH_VAL() rows are per key (the key is interned once per call site,
 * so a literal key costs one pointer comparison afterwards).
 */

#include "config.h"

#include <string.h>

#include "hotpath-debug.h"
#include "hotpath-flow-private.h"
#include "hotpath-registry-private.h"

enum
{
  DEBUG_EVENT_DBG,   /* key HotpathDebugSite, start = time, end = value, extra = type | size << 8 */
  DEBUG_EVENT_VAL,   /* key an interned key string, same payload */
  DEBUG_N_EVENTS,
};

/* Longer strings are cut: a debug value is for reading. */
#define MAX_STRING 256

static guint32 first_kind;

static const char * const type_names[] = {
  "int", "uint", "float", "bool", "char", "string", "pointer", "other",
};
G_STATIC_ASSERT (G_N_ELEMENTS (type_names) == HOTPATH_DEBUG_TYPE_OTHER + 1);

/* -------------------------------------------------------- recording */

static guint64
encode (HotpathDebugType type,
        gconstpointer    value,
        gsize            size)
{
  switch (type)
    {
    case HOTPATH_DEBUG_TYPE_INT:
      switch (size)
        {
        case 1: return (guint64) (gint64) *(const gint8 *) value;
        case 2: return (guint64) (gint64) *(const gint16 *) value;
        case 4: return (guint64) (gint64) *(const gint32 *) value;
        default: return (guint64) *(const gint64 *) value;
        }

    case HOTPATH_DEBUG_TYPE_UINT:
      switch (size)
        {
        case 1: return *(const guint8 *) value;
        case 2: return *(const guint16 *) value;
        case 4: return *(const guint32 *) value;
        default: return *(const guint64 *) value;
        }

    case HOTPATH_DEBUG_TYPE_FLOAT:
      {
        double d;
        guint64 bits;

        if (size == sizeof (float))
          d = *(const float *) value;
        else if (size == sizeof (double))
          d = *(const double *) value;
        else
          d = (double) *(const long double *) value;
        memcpy (&bits, &d, sizeof bits);
        return bits;
      }

    case HOTPATH_DEBUG_TYPE_BOOL:
      return *(const _Bool *) value ? 1 : 0;

    case HOTPATH_DEBUG_TYPE_CHAR:
      return (guint64) (guint8) *(const char *) value;

    case HOTPATH_DEBUG_TYPE_STRING:
      {
        const char *s = *(const char * const *) value;

        /* The copy goes to the worker, which frees it. */
        return s != NULL ? (guint64) (guintptr) g_strndup (s, MAX_STRING) : 0;
      }

    case HOTPATH_DEBUG_TYPE_POINTER:
      return (guint64) (guintptr) *(const gconstpointer *) value;

    case HOTPATH_DEBUG_TYPE_OTHER:
    default:
      if (size == sizeof (gpointer))
        return (guint64) (guintptr) *(const gconstpointer *) value;
      return 0;
    }
}

static inline gboolean
recording (void)
{
  return __atomic_load_n (&hotpath_recording, __ATOMIC_RELAXED) != HOTPATH_RECORDING_OFF;
}

static inline guint32
pack_type (HotpathDebugType type,
           gsize            size)
{
  if ((guint) type > HOTPATH_DEBUG_TYPE_OTHER)
    type = HOTPATH_DEBUG_TYPE_OTHER;
  return (guint32) type | (guint32) MIN (size, 0xffffff) << 8;
}

/**
 * hotpath_debug_record_dbg:
 * @site: the call site (HOTPATH_DBG() makes it)
 * @type: how to read @value
 * @value: (not nullable): the value's address
 * @size: its size
 *
 * What HOTPATH_DBG() calls.
 */
void
hotpath_debug_record_dbg (HotpathDebugSite *site,
                          HotpathDebugType  type,
                          gconstpointer     value,
                          gsize             size)
{
  if (!recording () || site == NULL || value == NULL)
    return;

  hotpath_collector_record_full (first_kind + DEBUG_EVENT_DBG, site, hotpath_clock_read (),
                                 encode (type, value, size), pack_type (type, size));
}

typedef struct
{
  const char *interned;   /* the key the site was first called with */
} SiteCache;

static G_GNUC_NO_INLINE const char *
intern_key (HotpathDebugSite *site,
            const char       *key)
{
  const char *interned = g_intern_string (key);

  if (__atomic_load_n (&site->cache, __ATOMIC_ACQUIRE) == NULL)
    {
      SiteCache *cache = g_new (SiteCache, 1);

      cache->interned = interned;
      if (!__atomic_compare_exchange_n (&site->cache, &(gpointer) { NULL }, cache, FALSE,
                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        g_free (cache);
    }

  return interned;
}

/**
 * hotpath_debug_record_val:
 * @site: the call site (HOTPATH_VAL() makes it)
 * @key: the value's name
 * @type: how to read @value
 * @value: (not nullable): the value's address
 * @size: its size
 *
 * What HOTPATH_VAL() calls.
 */
void
hotpath_debug_record_val (HotpathDebugSite *site,
                          const char       *key,
                          HotpathDebugType  type,
                          gconstpointer     value,
                          gsize             size)
{
  SiteCache *cache;
  const char *interned;

  if (!recording () || site == NULL || value == NULL)
    return;
  if (key == NULL)
    key = "(null)";

  /* The same address may be a reused buffer: compare the text. */
  cache = __atomic_load_n (&site->cache, __ATOMIC_ACQUIRE);
  if (G_LIKELY (cache != NULL && strcmp (cache->interned, key) == 0))
    interned = cache->interned;
  else
    interned = intern_key (site, key);

  hotpath_collector_record_full (first_kind + DEBUG_EVENT_VAL, interned, hotpath_clock_read (),
                                 encode (type, value, size), pack_type (type, size));
}

/* ------------------------------------------------------------ worker */

typedef struct
{
  guint              id;
  gboolean           is_val;
  char              *name;       /* the expression, or the key */
  char              *location;   /* file:line (dbg), or NULL */
  guint64            count;
  guint32            tag;        /* the latest value */
  guint64            bits;
  char              *string;     /* the latest value when it is a string */
  HotpathFlowLogRing logs;       /* seq = bits, value_ns = tag, text = string */
} DebugRow;

/* Worker only (collector lock held). */
static GHashTable *rows_by_key;   /* site or interned key -> DebugRow */
static GPtrArray  *rows;          /* by id - 1 */

static DebugRow *
debug_row_get (gconstpointer key,
               gboolean      is_val)
{
  DebugRow *self;

  if (rows_by_key == NULL)
    {
      rows_by_key = g_hash_table_new (NULL, NULL);
      rows = g_ptr_array_new ();
    }

  self = g_hash_table_lookup (rows_by_key, key);
  if (self != NULL)
    return self;

  self = g_new0 (DebugRow, 1);
  self->is_val = is_val;
  if (is_val)
    self->name = g_strdup (key);
  else
    {
      const HotpathDebugSite *site = key;
      g_autofree char *base = g_path_get_basename (site->file != NULL ? site->file : "(unknown)");

      self->name = g_strdup (site->expression != NULL ? site->expression : "(expression)");
      self->location = g_strdup_printf ("%s:%u", base, site->line);
    }
  g_ptr_array_add (rows, self);
  self->id = rows->len;
  g_hash_table_insert (rows_by_key, (gpointer) key, self);

  return self;
}

static void
debug_aggregate (const HotpathEvent        *event,
                 const HotpathEventContext *context)
{
  gboolean is_string = (event->reserved & 0xff) == HOTPATH_DEBUG_TYPE_STRING;
  char *string = is_string ? (char *) (guintptr) event->end : NULL;
  HotpathFlowLog *entry;
  DebugRow *self;

  if (event->start < context->session_start_ticks)
    {
      g_free (string);
      return;
    }

  self = debug_row_get (event->key, context->kind == DEBUG_EVENT_VAL);
  self->count++;
  self->tag = event->reserved;
  self->bits = event->end;

  entry = hotpath_flow_log_ring_add (&self->logs, context->logs_limit);
  if (entry != NULL)
    {
      /* Ticks here; the snapshot converts. */
      entry->at_ns = event->start;
      entry->thread_id = context->thread_id;
      entry->seq = event->end;
      entry->value_ns = event->reserved;
      entry->text = g_strdup (string);
    }

  g_free (self->string);
  self->string = string;
}

static void
debug_reset (void)
{
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      DebugRow *self = g_ptr_array_index (rows, i);

      self->count = 0;
      self->tag = 0;
      self->bits = 0;
      g_clear_pointer (&self->string, g_free);
      hotpath_flow_log_ring_clear (&self->logs);
    }
}

/* ---------------------------------------------------------- snapshot */

static char *
format_value (guint32     tag,
              guint64     bits,
              const char *string)
{
  HotpathDebugType type = tag & 0xff;

  switch (type)
    {
    case HOTPATH_DEBUG_TYPE_INT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) bits);

    case HOTPATH_DEBUG_TYPE_UINT:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, bits);

    case HOTPATH_DEBUG_TYPE_FLOAT:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];
        double d;

        memcpy (&d, &bits, sizeof d);
        return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.15g", d));
      }

    case HOTPATH_DEBUG_TYPE_BOOL:
      return g_strdup (bits ? "true" : "false");

    case HOTPATH_DEBUG_TYPE_CHAR:
      if (g_ascii_isprint ((char) bits))
        return g_strdup_printf ("'%c'", (char) bits);
      return g_strdup_printf ("'\\x%02x'", (guint) (bits & 0xff));

    case HOTPATH_DEBUG_TYPE_STRING:
      /* A string is shown as is; a NULL string has no text. */
      return g_strdup (string);

    case HOTPATH_DEBUG_TYPE_POINTER:
      return g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", bits);

    case HOTPATH_DEBUG_TYPE_OTHER:
    default:
      if ((tag >> 8) == sizeof (gpointer))
        return g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", bits);
      return g_strdup_printf ("(%u bytes)", tag >> 8);
    }
}

typedef struct
{
  guint64     index;
  guint64     at_ns;
  guint64     thread_id;
  char       *value;
} DebugLog;

typedef struct
{
  guint       id;
  const char *kind;      /* "dbg", "val" */
  char       *name;
  char       *location;
  guint64     count;
  const char *type;
  char       *value;
  DebugLog   *logs;      /* oldest first */
  guint       n_logs;
} DebugRowCopy;

static void
debug_row_copy_free (gpointer data)
{
  DebugRowCopy *row = data;

  g_free (row->name);
  g_free (row->location);
  g_free (row->value);
  for (guint i = 0; i < row->n_logs; i++)
    g_free (row->logs[i].value);
  g_free (row->logs);
  g_free (row);
}

static gpointer
debug_snapshot (const HotpathSnapshotContext *context)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (debug_row_copy_free);

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      DebugRow *self = g_ptr_array_index (rows, i);
      HotpathFlowLog *logs;
      DebugRowCopy *row;
      guint n_logs;

      if (self->count == 0)
        continue;

      row = g_new0 (DebugRowCopy, 1);
      row->id = self->id;
      row->kind = self->is_val ? "val" : "dbg";
      row->name = g_strdup (self->name);
      row->location = g_strdup (self->location);
      row->count = self->count;
      row->type = type_names[MIN (self->tag & 0xff, (guint) HOTPATH_DEBUG_TYPE_OTHER)];
      row->value = format_value (self->tag, self->bits, self->string);

      logs = hotpath_flow_log_ring_copy (&self->logs, &n_logs);
      row->logs = g_new0 (DebugLog, MAX (n_logs, 1));
      row->n_logs = n_logs;
      for (guint j = 0; j < n_logs; j++)
        {
          row->logs[j].index = logs[j].index;
          row->logs[j].at_ns = hotpath_flow_at_ns (logs[j].at_ns, context->session_start_ticks);
          row->logs[j].thread_id = logs[j].thread_id;
          row->logs[j].value = format_value ((guint32) logs[j].value_ns, logs[j].seq, logs[j].text);
        }
      hotpath_flow_logs_free (logs, n_logs);

      g_ptr_array_add (out, row);
    }

  return out;
}

/* --------------------------------------------------------------- rows */

enum { F_ID, F_KIND, F_NAME, F_LOCATION, F_COUNT, F_TYPE, F_VALUE, F_LOGS };

static void
debug_row_get_field (gconstpointer       data,
                     const HotpathField *field,
                     HotpathValue       *value)
{
  const DebugRowCopy *row = data;

  switch (field->arg)
    {
    case F_ID: hotpath_value_set_uint (value, row->id); break;
    case F_KIND: hotpath_value_set_string (value, row->kind); break;
    case F_NAME: hotpath_value_set_string (value, row->name); break;
    case F_LOCATION: hotpath_value_set_string (value, row->location); break;
    case F_COUNT: hotpath_value_set_uint (value, row->count); break;
    case F_TYPE: hotpath_value_set_string (value, row->type); break;
    case F_VALUE: hotpath_value_set_string (value, row->value); break;
    case F_LOGS: hotpath_value_set_rows (value, row); break;
    default: g_assert_not_reached ();
    }
}

enum { L_INDEX, L_AT, L_THREAD, L_VALUE };

static void
debug_log_get (gconstpointer       data,
               const HotpathField *field,
               HotpathValue       *value)
{
  const DebugLog *log = data;

  switch (field->arg)
    {
    case L_INDEX: hotpath_value_set_uint (value, log->index); break;
    case L_AT: hotpath_value_set_uint (value, log->at_ns); break;
    case L_THREAD: hotpath_value_set_uint (value, log->thread_id); break;
    case L_VALUE: hotpath_value_set_string (value, log->value); break;
    default: g_assert_not_reached ();
    }
}

static guint
logs_count (gconstpointer container)
{
  return ((const DebugRowCopy *) container)->n_logs;
}

static gconstpointer
logs_nth (gconstpointer container,
          guint         index)
{
  const DebugRowCopy *row = container;

  return &row->logs[row->n_logs - 1 - index];
}

static const HotpathField log_fields[] = {
  { "index", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "How many values were logged before this one", NULL, NULL, NULL, debug_log_get, L_INDEX },
  { "at_ns", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NS, "When the value was recorded, since the session started", "At", NULL, NULL, debug_log_get, L_AT },
  { "thread_id", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "The kernel thread id that recorded it", "Thread", NULL, NULL, debug_log_get, L_THREAD },
  { "value", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The value, formatted by its type", "Value", NULL, NULL, debug_log_get, L_VALUE },
};

static const HotpathRowsDesc log_rows = {
  log_fields, G_N_ELEMENTS (log_fields), logs_count, logs_nth,
};

static const HotpathField debug_fields[] = {
  { "id", HOTPATH_FIELD_ID, HOTPATH_UNIT_NONE, "The row's id, stable for the life of the process", NULL, NULL, NULL, debug_row_get_field, F_ID },
  { "kind", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "dbg (HOTPATH_DBG, one row per call site) or val (HOTPATH_VAL, one row per key)", "Kind", NULL, NULL, debug_row_get_field, F_KIND },
  { "name", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The expression's text (dbg) or the key (val)", "Name", NULL, NULL, debug_row_get_field, F_NAME },
  { "location", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "file:line of a dbg row; null for val", "Location", NULL, NULL, debug_row_get_field, F_LOCATION },
  { "count", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NONE, "Values recorded this session", "Count", NULL, NULL, debug_row_get_field, F_COUNT },
  { "type", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The latest value's type: int, uint, float, bool, char, string, pointer or other", "Type", NULL, NULL, debug_row_get_field, F_TYPE },
  { "value", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The latest value, formatted by its type (null for a NULL string)", "Value", NULL, NULL, debug_row_get_field, F_VALUE },
  { "logs", HOTPATH_FIELD_ROWS, HOTPATH_UNIT_NONE, "The last values, newest first", NULL, NULL, &log_rows, debug_row_get_field, F_LOGS },
};

static const HotpathRowsDesc debug_rows = {
  debug_fields, G_N_ELEMENTS (debug_fields), hotpath_flow_rows_count, hotpath_flow_rows_nth,
};

const HotpathSectionDesc hotpath_debug_section = {
  .name = "debug",
  .title = "debug values",
  .description = "Values recorded with HOTPATH_DBG (per call site) and HOTPATH_VAL (per key): the latest value, its type, how many",
  .schema_def = "debug_section",
  .logs_schema_def = "debug_value",
  .n_event_kinds = DEBUG_N_EVENTS,
  .first_event_kind = &first_kind,
  .aggregate = debug_aggregate,
  .reset = debug_reset,
  .snapshot = debug_snapshot,
  .free_data = hotpath_flow_rows_free,
  .rows = &debug_rows,
  .has_logs = TRUE,
  .when_empty = "no debug values",
  .item_noun = "value",
  .items_noun = "values",
  .order = "by id",
};
