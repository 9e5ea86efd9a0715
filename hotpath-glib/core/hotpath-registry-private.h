/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-registry-private.h: the section registry.
 *
 * Every section (functions timing, allocations, channels, futures,
 * sources, main loop, and any later one) is one HotpathSectionDesc: typed
 * functions for what the worker does with its events (aggregate, reset,
 * snapshot copy and free) and ONE description of its rows. The collector
 * iterates the registry to route events and take snapshots; the exit table,
 * the JSON, the MCP text, /metrics, D-Bus and the HTTP routes are all
 * derived from the row description. Nothing outside a section's own file
 * names it.
 *
 * Adding a section: one new file that defines a HotpathSectionDesc, and
 * one line in monitors/hotpath-monitors.c that registers it (see
 * docs/internals.md, "Adding a section").
 */
#pragma once

#include <glib.h>

#include "hotpath-collector-private.h"
#include "hotpath-histogram-private.h"
#include "hotpath-snapshot.h"

G_BEGIN_DECLS

typedef struct _HotpathSectionDesc HotpathSectionDesc;
typedef struct _HotpathRowsDesc    HotpathRowsDesc;
typedef struct _HotpathField       HotpathField;

/* ---------------------------------------------------------- row values */

/* What a field holds, and so how every output shows it. */
typedef enum
{
  HOTPATH_FIELD_ID,          /* guint64: the row's id; addresses /<section>/<id>/logs */
  HOTPATH_FIELD_TEXT,        /* a string (NULL: JSON null) */
  HOTPATH_FIELD_COUNTER,     /* only grows during a session (calls, bytes sent) */
  HOTPATH_FIELD_GAUGE,       /* a value now (queued, busy_percent, a line number) */
  HOTPATH_FIELD_SUMMARY,     /* a histogram: {count, total, avg, min, max, percentiles} */
  HOTPATH_FIELD_PERCENTILES, /* a histogram, shown only as its percentiles {p50: ...} */
  HOTPATH_FIELD_ROWS,        /* nested rows: logs, longest dispatches, per-thread totals */
  HOTPATH_FIELD_POSITION,    /* no getter: the row's position in its list (logs' "index") */
} HotpathFieldKind;

/* The unit of a number; machine output keeps raw integers with the unit in
 * the member's name, people get formatted units. */
typedef enum
{
  HOTPATH_UNIT_NONE,
  HOTPATH_UNIT_NS,
  HOTPATH_UNIT_BYTES,
  HOTPATH_UNIT_PERCENT,
} HotpathUnit;

typedef enum
{
  HOTPATH_VALUE_NONE,        /* absent: the member is left out of this row */
  HOTPATH_VALUE_NULL,        /* present, but null */
  HOTPATH_VALUE_UINT,
  HOTPATH_VALUE_INT,
  HOTPATH_VALUE_DOUBLE,
  HOTPATH_VALUE_STRING,
  HOTPATH_VALUE_BOOLEAN,
  HOTPATH_VALUE_HISTOGRAM,
  HOTPATH_VALUE_ROWS,
} HotpathValueType;

/* One value of one field of one row, filled in by the field's getter. Owns
 * nothing: strings and histograms belong to the snapshot. */
typedef struct
{
  HotpathValueType type;
  union
  {
    guint64     u;
    gint64      i;
    double      d;
    const char *s;
    gboolean    b;
    struct
    {
      const HotpathHistogram *histogram;
      double                  scale;   /* histogram values x scale = the unit */
    } h;
    gconstpointer rows;                /* the container the field's rows desc reads */
  };
} HotpathValue;

/* Fills @value for @row (one of the pointers the rows desc hands out);
 * @field says which field, so one getter can serve several (field->arg). */
typedef void (*HotpathFieldGetFunc) (gconstpointer       row,
                                     const HotpathField *field,
                                     HotpathValue       *value);

struct _HotpathField
{
  const char            *name;    /* JSON member, metric suffix: "sent", "latency_ns" */
  HotpathFieldKind       kind;
  HotpathUnit            unit;
  const char            *help;    /* one sentence: /metrics HELP, MCP field list */
  const char            *title;   /* table column and label in text; NULL: not shown */
  const char            *group;   /* JSON: members with the same group form one nested
                                   * object of that name ("faults") */
  const HotpathRowsDesc *rows;    /* HOTPATH_FIELD_ROWS: the nested rows */
  HotpathFieldGetFunc    get;
  guint                  arg;     /* for the getter: which metric, which slot */
  /* /metrics: a number or histogram field with a help is one family,
   * named from its name and unit ("busy_ns" -> busy_seconds); this
   * overrides that name, "" uses the group's name alone, "-" leaves the
   * field out. On a TEXT field: the label it becomes ("type"). */
  const char            *metric;
};

/* Rows: how to walk a container (a section's snapshot data, or one row's
 * log ring) and what each row holds. */
typedef guint         (*HotpathRowsCountFunc) (gconstpointer container);
typedef gconstpointer (*HotpathRowsNthFunc)   (gconstpointer container,
                                               guint         index);

struct _HotpathRowsDesc
{
  const HotpathField   *fields;
  guint                 n_fields;
  HotpathRowsCountFunc  count;
  HotpathRowsNthFunc    nth;
};

/* -------------------------------------------------------- the sections */

/* What the worker hands a section with each of its events. */
typedef struct
{
  guint64 thread_id;
  guint64 session_start_ticks;
  guint   logs_limit;
  guint32 kind;         /* the event's kind minus the section's first kind */
} HotpathEventContext;

/* What a section's snapshot function may read. */
typedef struct
{
  HotpathSnapshot *snapshot;   /* being built: its functions are already in */
  guint64          session_start_ticks;
  guint            logs_limit;
} HotpathSnapshotContext;

/* The worker, with the collector lock held. */
typedef void     (*HotpathSectionAggregateFunc) (const HotpathEvent        *event,
                                                 const HotpathEventContext *context);
typedef void     (*HotpathSectionResetFunc)     (void);
/* A copy for a snapshot: immutable afterwards, freed with free_data.
 * NULL: the section is not available in this snapshot. */
typedef gpointer (*HotpathSectionSnapshotFunc)  (const HotpathSnapshotContext *context);
typedef void     (*HotpathSectionFreeFunc)      (gpointer data);
/* Sections whose data is not a copy of their own (the functions, which
 * the collector keeps in the snapshot itself) say where it is. */
typedef gconstpointer (*HotpathSectionDataFunc) (HotpathSnapshot *snapshot);
/* Optional people-facing hooks; every one has a generic default derived
 * from the rows. They write formatted units (core/hotpath-format). */
/* The exit table's first line; default "[hotpath] <title>: <n> <items>". */
typedef void     (*HotpathSectionHeadingFunc)   (const HotpathSectionDesc *section,
                                                 HotpathSnapshot          *snapshot,
                                                 GString                  *out);
/* After the table: what does not fit in columns (a main loop's stalls). */
typedef void     (*HotpathSectionTableFunc)     (const HotpathSectionDesc *section,
                                                 HotpathSnapshot          *snapshot,
                                                 guint                     limit,
                                                 GString                  *out);
/* The one group of grouped fields tables and text show (a chosen metric);
 * default: none of them. */
typedef const char *(*HotpathSectionGroupFunc)  (HotpathSnapshot          *snapshot);
/* One row for people and LLMs, after "<n>. <name> (id <id>): ". */
typedef void     (*HotpathSectionRowTextFunc)   (const HotpathSectionDesc *section,
                                                 HotpathSnapshot          *snapshot,
                                                 gconstpointer             row,
                                                 GString                  *out);
/* One log line of @item, after "#<index>". */
typedef void     (*HotpathSectionLogTextFunc)   (const HotpathSectionDesc *section,
                                                 gconstpointer             item,
                                                 gconstpointer             line,
                                                 guint                     position,
                                                 GString                  *out);

struct _HotpathSectionDesc
{
  const char                 *name;          /* "channels": JSON member, route, MCP tool */
  const char                 *title;         /* "channels": the exit table's heading */
  const char                 *description;   /* one sentence: MCP tool, D-Bus, docs */
  const char                 *schema_def;    /* $defs entry of the section's JSON */
  const char                 *logs_schema_def; /* ... of one item with its logs */

  /* Events: the registry gives the section n_event_kinds consecutive kinds
   * and stores the first in *first_event_kind; the section records
   * first + its own kind. */
  guint                       n_event_kinds;
  guint32                    *first_event_kind;
  HotpathSectionAggregateFunc aggregate;
  HotpathSectionResetFunc     reset;
  HotpathSectionSnapshotFunc  snapshot;
  HotpathSectionFreeFunc      free_data;
  HotpathSectionDataFunc      data;          /* instead of snapshot/free_data */

  /* Rows: one per item. header fields come before total_count in the
   * JSON and describe the whole section (a mode, totals). */
  const HotpathRowsDesc      *rows;
  const HotpathField         *header;
  guint                       n_header;
  gboolean                    percentile_ranks;  /* JSON: "percentiles": [50, 95, 99] */
  gboolean                    report_when_empty; /* in the report even without rows */
  /* Items have logs (/<name>/<id>/logs, the <name>_logs MCP tool). One
   * item is served with the fields of item, or as its whole row when
   * item is NULL. */
  gboolean                    has_logs;
  const HotpathRowsDesc      *item;

  /* People: the table, MCP text; all optional (see the hooks above). */
  const char                 *when_empty;    /* text when there are no rows */
  const char                 *item_noun;     /* "channel" */
  const char                 *items_noun;    /* "channels" */
  const char                 *order;         /* which rows a limit keeps: "by id" */
  const char                 *log_noun;      /* "message" */
  const char                 *logs_noun;     /* "messages" */
  HotpathSectionHeadingFunc   heading;
  HotpathSectionTableFunc     table;
  HotpathSectionGroupFunc     table_group;
  HotpathSectionRowTextFunc   row_text;
  HotpathSectionLogTextFunc   log_text;

  /* /metrics: families are hotpath_<metric_prefix>_<field>, one sample
   * per row labelled <metric_label>="<the row's name>"; default prefix
   * the section's name, default label "name". */
  const char                 *metric_prefix;
  const char                 *metric_label;

  /* Rows that exist whatever the program does (its threads): they alone
   * do not make a snapshot worth reporting. */
  gboolean                    background;
};

/* Registration: at most HOTPATH_REGISTRY_MAX_SECTIONS; the report lists
 * sections in registration order. Returns FALSE (with a warning) for a
 * duplicate name or when kinds run out. Safe from constructors. */
#define HOTPATH_REGISTRY_MAX_SECTIONS 32
gboolean                  hotpath_registry_register     (const HotpathSectionDesc *section);
const HotpathSectionDesc *hotpath_registry_lookup       (const char               *name);
guint                     hotpath_registry_get_n_sections (void);
const HotpathSectionDesc *hotpath_registry_get_section  (guint                     index);
int                       hotpath_registry_index_of     (const HotpathSectionDesc *section);

/* The event encoding: kinds below this belong to the collector (functions,
 * allocations); sections get kinds from here up to
 * HOTPATH_EVENT_LAST_SECTION_KIND. Packed allocation events keep their
 * kind in the low byte, so every kind must fit in it. */
#define HOTPATH_EVENT_FIRST_SECTION_KIND 16u
#define HOTPATH_EVENT_LAST_SECTION_KIND  255u
G_STATIC_ASSERT (HOTPATH_EVENT_FIRST_SECTION_KIND > HOTPATH_EVENT_ALLOC_PACKED_ADDRESS);
G_STATIC_ASSERT (HOTPATH_EVENT_LAST_SECTION_KIND <= 0xff);

/* For the collector, with its lock held. */
void     hotpath_registry_aggregate (const HotpathEvent *event,
                                     guint64             thread_id,
                                     guint64             session_start_ticks,
                                     guint               logs_limit);
void     hotpath_registry_reset     (void);
void     hotpath_registry_snapshot  (HotpathSnapshot    *snapshot,
                                     guint64             session_start_ticks,
                                     guint               logs_limit);

/* Reading a snapshot through the description. */
gconstpointer hotpath_section_get_data     (const HotpathSectionDesc *section,
                                            HotpathSnapshot          *snapshot);
gboolean      hotpath_section_is_available (const HotpathSectionDesc *section,
                                            HotpathSnapshot          *snapshot);
guint         hotpath_section_get_n_rows   (const HotpathSectionDesc *section,
                                            HotpathSnapshot          *snapshot);
gconstpointer hotpath_section_get_row      (const HotpathSectionDesc *section,
                                            HotpathSnapshot          *snapshot,
                                            guint                     index);
gconstpointer hotpath_section_find_row     (const HotpathSectionDesc *section,
                                            HotpathSnapshot          *snapshot,
                                            guint64                   id);
const HotpathField *hotpath_rows_find_field (const HotpathRowsDesc   *rows,
                                             const char              *name);
void          hotpath_field_get            (const HotpathField       *field,
                                            gconstpointer             row,
                                            HotpathValue             *value);

/* Getter helpers for the common cases, so a field list stays declarative. */
static inline void
hotpath_value_set_uint (HotpathValue *value,
                        guint64       u)
{
  value->type = HOTPATH_VALUE_UINT;
  value->u = u;
}

static inline void
hotpath_value_set_int (HotpathValue *value,
                       gint64        i)
{
  value->type = HOTPATH_VALUE_INT;
  value->i = i;
}

static inline void
hotpath_value_set_double (HotpathValue *value,
                          double        d)
{
  value->type = HOTPATH_VALUE_DOUBLE;
  value->d = d;
}

static inline void
hotpath_value_set_string (HotpathValue *value,
                          const char   *s)
{
  value->type = s != NULL ? HOTPATH_VALUE_STRING : HOTPATH_VALUE_NULL;
  value->s = s;
}

static inline void
hotpath_value_set_histogram (HotpathValue           *value,
                             const HotpathHistogram *histogram,
                             double                  scale)
{
  value->type = HOTPATH_VALUE_HISTOGRAM;
  value->h.histogram = histogram;
  value->h.scale = scale;
}

static inline void
hotpath_value_set_rows (HotpathValue  *value,
                        gconstpointer  rows)
{
  value->type = HOTPATH_VALUE_ROWS;
  value->rows = rows;
}

G_END_DECLS
