/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-registry.c: the sections, in the order they registered.
 *
 * Registration happens from constructors (the built-in monitors, see
 * monitors/hotpath-monitors.c) or at run time (tests); sections are never
 * removed. Readers do not lock: a section's slot and its event kinds are
 * written before the count that publishes them.
 */

#include "config.h"

#include "hotpath-clock-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-snapshot-private.h"

static GMutex                    register_lock;
static const HotpathSectionDesc *sections[HOTPATH_REGISTRY_MAX_SECTIONS];
static guint                     n_sections;
static guint32                   next_kind = HOTPATH_EVENT_FIRST_SECTION_KIND;
/* Event kind -> index + 1 of the section that consumes it (0: none). */
static guint8                    kind_owner[HOTPATH_EVENT_LAST_SECTION_KIND + 1];

G_STATIC_ASSERT (HOTPATH_REGISTRY_MAX_SECTIONS < G_MAXUINT8);

/**
 * hotpath_registry_register:
 * @section: a section that lives as long as the process
 *
 * Adds @section to every output and hands it its event kinds.
 *
 * Returns: %FALSE if a section of that name exists or the registry is full
 */
gboolean
hotpath_registry_register (const HotpathSectionDesc *section)
{
  guint n;

  g_return_val_if_fail (section != NULL, FALSE);
  g_return_val_if_fail (section->name != NULL, FALSE);
  g_return_val_if_fail (section->rows != NULL, FALSE);
  g_return_val_if_fail (section->n_event_kinds == 0 || section->first_event_kind != NULL, FALSE);
  g_return_val_if_fail (section->n_event_kinds == 0 || section->aggregate != NULL, FALSE);

  g_mutex_lock (&register_lock);
  n = __atomic_load_n (&n_sections, __ATOMIC_RELAXED);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (sections[i]->name, section->name))
      {
        g_mutex_unlock (&register_lock);
        g_warning ("hotpath: a section named %s is already registered", section->name);
        return FALSE;
      }

  if (n == HOTPATH_REGISTRY_MAX_SECTIONS ||
      next_kind + section->n_event_kinds > HOTPATH_EVENT_LAST_SECTION_KIND + 1)
    {
      g_mutex_unlock (&register_lock);
      g_warning ("hotpath: no room to register section %s", section->name);
      return FALSE;
    }

  if (section->n_event_kinds > 0)
    {
      *section->first_event_kind = next_kind;
      for (guint k = 0; k < section->n_event_kinds; k++)
        kind_owner[next_kind + k] = (guint8) (n + 1);
      next_kind += section->n_event_kinds;
    }

  sections[n] = section;
  __atomic_store_n (&n_sections, n + 1, __ATOMIC_RELEASE);
  g_mutex_unlock (&register_lock);

  return TRUE;
}

guint
hotpath_registry_get_n_sections (void)
{
  return __atomic_load_n (&n_sections, __ATOMIC_ACQUIRE);
}

const HotpathSectionDesc *
hotpath_registry_get_section (guint index)
{
  if (index >= hotpath_registry_get_n_sections ())
    return NULL;
  return sections[index];
}

const HotpathSectionDesc *
hotpath_registry_lookup (const char *name)
{
  guint n = hotpath_registry_get_n_sections ();

  if (name == NULL)
    return NULL;

  for (guint i = 0; i < n; i++)
    if (g_str_equal (sections[i]->name, name))
      return sections[i];

  return NULL;
}

int
hotpath_registry_index_of (const HotpathSectionDesc *section)
{
  guint n = hotpath_registry_get_n_sections ();

  for (guint i = 0; i < n; i++)
    if (sections[i] == section)
      return (int) i;

  return -1;
}

/* ------------------------------------------------------- the collector */

/* Section aggregates are kept in ns (a stall threshold is compared as
 * events arrive), so the tick rate must be known while draining, not only
 * at snapshot time: recalibrate every 100 ms of events. */
static guint64 recalibrate_at;
static guint64 calibrated_session;

static inline void
maybe_calibrate (guint64 ticks,
                 guint64 session_start_ticks)
{
  if (G_UNLIKELY (ticks >= recalibrate_at || calibrated_session != session_start_ticks))
    {
      double ns_per_tick = hotpath_clock_calibrate ();

      calibrated_session = session_start_ticks;
      recalibrate_at = ticks + (guint64) (100e6 / ns_per_tick);
    }
}

/* Called by the collector, with its lock held, for every event whose kind
 * belongs to a section. */
void
hotpath_registry_aggregate (const HotpathEvent *event,
                            guint64             thread_id,
                            guint64             session_start_ticks,
                            guint               logs_limit)
{
  HotpathEventContext context;
  const HotpathSectionDesc *section;
  guint owner;

  if (G_UNLIKELY (event->kind > HOTPATH_EVENT_LAST_SECTION_KIND))
    return;
  owner = kind_owner[event->kind];
  if (G_UNLIKELY (owner == 0))
    return;

  section = sections[owner - 1];
  maybe_calibrate (event->start, session_start_ticks);

  context.thread_id = thread_id;
  context.session_start_ticks = session_start_ticks;
  context.logs_limit = logs_limit;
  context.kind = event->kind - *section->first_event_kind;
  section->aggregate (event, &context);
}

void
hotpath_registry_reset (void)
{
  guint n = hotpath_registry_get_n_sections ();

  for (guint i = 0; i < n; i++)
    if (sections[i]->reset != NULL)
      sections[i]->reset ();
}

/* Asks every section for its copy; called by the collector with its lock
 * held, after the functions are in @snapshot. */
void
hotpath_registry_snapshot (HotpathSnapshot *snapshot,
                           guint64          session_start_ticks,
                           guint            logs_limit)
{
  HotpathSnapshotContext context = { snapshot, session_start_ticks, logs_limit };
  guint n = hotpath_registry_get_n_sections ();

  hotpath_snapshot_clear_sections (snapshot);
  snapshot->sections = g_new0 (HotpathSnapshotSection, MAX (n, 1));
  snapshot->n_sections = n;

  for (guint i = 0; i < n; i++)
    {
      snapshot->sections[i].section = sections[i];
      if (sections[i]->snapshot != NULL)
        snapshot->sections[i].data = sections[i]->snapshot (&context);
    }
}

/* ------------------------------------------------- reading a snapshot */

/**
 * hotpath_section_get_data:
 *
 * Returns: (nullable): what @section keeps in @snapshot, or %NULL when it
 *   is not available there (its monitor was off, or the snapshot was not
 *   taken by the collector)
 */
gconstpointer
hotpath_section_get_data (const HotpathSectionDesc *section,
                          HotpathSnapshot          *snapshot)
{
  if (section->data != NULL)
    return section->data (snapshot);

  for (guint i = 0; i < snapshot->n_sections; i++)
    if (snapshot->sections[i].section == section)
      return snapshot->sections[i].data;

  return NULL;
}

gboolean
hotpath_section_is_available (const HotpathSectionDesc *section,
                              HotpathSnapshot          *snapshot)
{
  return hotpath_section_get_data (section, snapshot) != NULL;
}

guint
hotpath_section_get_n_rows (const HotpathSectionDesc *section,
                            HotpathSnapshot          *snapshot)
{
  gconstpointer data = hotpath_section_get_data (section, snapshot);

  return data != NULL ? section->rows->count (data) : 0;
}

gconstpointer
hotpath_section_get_row (const HotpathSectionDesc *section,
                         HotpathSnapshot          *snapshot,
                         guint                     index)
{
  gconstpointer data = hotpath_section_get_data (section, snapshot);

  if (data == NULL || index >= section->rows->count (data))
    return NULL;
  return section->rows->nth (data, index);
}

static const HotpathField *
id_field (const HotpathRowsDesc *rows)
{
  for (guint i = 0; i < rows->n_fields; i++)
    if (rows->fields[i].kind == HOTPATH_FIELD_ID)
      return &rows->fields[i];
  return NULL;
}

/**
 * hotpath_section_find_row:
 *
 * Returns: (nullable): the row whose %HOTPATH_FIELD_ID field is @id
 */
gconstpointer
hotpath_section_find_row (const HotpathSectionDesc *section,
                          HotpathSnapshot          *snapshot,
                          guint64                   id)
{
  gconstpointer data = hotpath_section_get_data (section, snapshot);
  const HotpathField *field = id_field (section->rows);
  guint n;

  if (data == NULL || field == NULL)
    return NULL;

  n = section->rows->count (data);
  for (guint i = 0; i < n; i++)
    {
      gconstpointer row = section->rows->nth (data, i);
      HotpathValue value = { 0 };

      hotpath_field_get (field, row, &value);
      if (value.type == HOTPATH_VALUE_UINT && value.u == id)
        return row;
    }

  return NULL;
}

const HotpathField *
hotpath_rows_find_field (const HotpathRowsDesc *rows,
                         const char            *name)
{
  for (guint i = 0; i < rows->n_fields; i++)
    if (g_str_equal (rows->fields[i].name, name))
      return &rows->fields[i];
  return NULL;
}

void
hotpath_field_get (const HotpathField *field,
                   gconstpointer       row,
                   HotpathValue       *value)
{
  value->type = HOTPATH_VALUE_NONE;
  field->get (row, field, value);
}
