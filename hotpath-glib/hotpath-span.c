/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-span.c: measuring by function calls, for language bindings.
 *
 * The C macros give every call site a static HotpathSite, so a measured
 * call costs no lookup. A binding has no call site to put one in: it has a
 * name. Each distinct name is interned once into a HotpathSite that lives
 * as long as the process (the collector keys its aggregates by the site's
 * address, so sites are never freed); later spans of the same name find it
 * in one hash lookup.
 */

#include "config.h"

#include "hotpath-measure.h"
#include "hotpath-span.h"

struct _HotpathSpan
{
  gatomicrefcount  ref_count;
  HotpathScope     scope;
  const char      *name;      /* interned; the site's label */
  GThread         *thread;    /* the thread that began it */
  gboolean         ended;
};

G_DEFINE_BOXED_TYPE (HotpathSpan, hotpath_span, hotpath_span_ref, hotpath_span_unref)

static GMutex sites_lock;
static GHashTable *sites;    /* interned name -> HotpathSite, never freed */

static const HotpathSite *
intern_site (const char *name)
{
  HotpathSite *site;

  g_mutex_lock (&sites_lock);

  if (G_UNLIKELY (sites == NULL))
    sites = g_hash_table_new (g_str_hash, g_str_equal);

  site = g_hash_table_lookup (sites, name);
  if (site == NULL)
    {
      const char *interned = g_intern_string (name);

      site = g_new0 (HotpathSite, 1);
      site->function = interned;
      site->label = interned;
      site->file = "";
      g_hash_table_insert (sites, (gpointer) interned, site);
    }

  g_mutex_unlock (&sites_lock);

  return site;
}

/**
 * HotpathSpan:
 *
 * A measured stretch of code, begun and ended by function calls.
 *
 * This is the measuring API for language bindings (Python, JavaScript,
 * Vala); C code uses HOTPATH_MEASURE() and its siblings, which cost less.
 * A span is reported as a function named after it, exactly like a C
 * function measured with HOTPATH_MEASURE_AS(): calls, total, average,
 * percentiles and the recent calls.
 *
 * ```python
 * span = Hotpath.Span.begin ("parse")
 * parse (data)
 * span.end ()
 * ```
 *
 * A span is ended on the thread that began it, and spans nest: end the
 * innermost first. Without a running session (no guard, or after it
 * finished) a span records nothing.
 *
 * Since: 0.2
 */

/**
 * hotpath_span_begin: (constructor)
 * @name: the name to report the span under
 *
 * Starts measuring. The first span of each distinct @name interns it;
 * later ones cost one hash lookup and a small allocation more than the
 * macros.
 *
 * Returns: (transfer full): a running span; end it with hotpath_span_end()
 *
 * Since: 0.2
 */
HotpathSpan *
hotpath_span_begin (const char *name)
{
  const HotpathSite *site;
  HotpathSpan *self;

  g_return_val_if_fail (name != NULL, NULL);

  site = intern_site (name);
  self = g_new0 (HotpathSpan, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->name = site->label;
  self->thread = g_thread_self ();
  /* Last, so the allocation above is not part of the measurement. */
  self->scope = hotpath_scope_begin (site);

  return self;
}

/**
 * hotpath_span_end:
 * @self: a #HotpathSpan
 *
 * Stops measuring and records the span. Ending a span twice records it
 * once; ending it on another thread than the one that began it is an
 * error and records nothing.
 *
 * Since: 0.2
 */
void
hotpath_span_end (HotpathSpan *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->thread == g_thread_self ());

  if (self->ended)
    return;

  self->ended = TRUE;
  hotpath_scope_cleanup (&self->scope);
}

/**
 * hotpath_span_get_name:
 * @self: a #HotpathSpan
 *
 * Gets the name the span is reported under.
 *
 * Returns: the name
 *
 * Since: 0.2
 */
const char *
hotpath_span_get_name (HotpathSpan *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

/**
 * hotpath_span_ref:
 * @self: a #HotpathSpan
 *
 * Acquires a reference on @self.
 *
 * Returns: (transfer full): @self
 *
 * Since: 0.2
 */
HotpathSpan *
hotpath_span_ref (HotpathSpan *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * hotpath_span_unref:
 * @self: (transfer full): a #HotpathSpan
 *
 * Releases a reference on @self. A span released without
 * hotpath_span_end() records nothing: a garbage collector decides when
 * the last reference goes, which says nothing about the time measured.
 *
 * Since: 0.2
 */
void
hotpath_span_unref (HotpathSpan *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    g_free (self);
}

/* Measurements begun with hotpath_measure_begin() wait in a few slots per
 * thread; the token is the slot's index plus 1, a small integer that every
 * binding passes cheaply (a 64-bit timestamp costs GJS microseconds). Slots,
 * not a stack, so a token may end out of order (Python coroutines on one
 * event loop interleave). */
#define MEASURE_SLOTS 64

typedef struct
{
  guint64      used;                  /* one bit per slot */
  HotpathScope slots[MEASURE_SLOTS];
} MeasureSlots;

/* Allocated per thread on first use: the library's static TLS block must
 * stay small, or dlopen() (PyGObject and GJS load it that way) fails. */
static GPrivate measure_slots_key = G_PRIVATE_INIT (g_free);

static MeasureSlots *
get_measure_slots (void)
{
  MeasureSlots *slots = g_private_get (&measure_slots_key);

  if (G_UNLIKELY (slots == NULL))
    {
      slots = g_new0 (MeasureSlots, 1);
      g_private_set (&measure_slots_key, slots);
    }

  return slots;
}

/**
 * hotpath_measure_begin:
 * @name: the name to report the measurement under
 *
 * Starts measuring without an object: the cheapest way for a binding,
 * which pays for every object it wraps (a #HotpathSpan costs GJS a few
 * microseconds more). End it with hotpath_measure_end() on the same
 * thread; measurements may end in any order, and up to 64 may be open on
 * a thread at once (more are not recorded).
 *
 * ```js
 * const token = Hotpath.measure_begin('parse');
 * parse(data);
 * Hotpath.measure_end(token);
 * ```
 *
 * Returns: a token for hotpath_measure_end(); 0 when nothing is recorded
 *
 * Since: 0.2
 */
guint
hotpath_measure_begin (const char *name)
{
  MeasureSlots *slots;
  HotpathScope scope;
  guint slot;

  g_return_val_if_fail (name != NULL, 0);

  /* Nothing recorded: no lookup either. */
  if (g_atomic_int_get (&hotpath_recording) == HOTPATH_RECORDING_OFF)
    return 0;

  slots = get_measure_slots ();
  if (slots->used == G_MAXUINT64)
    return 0;

  slot = (guint) __builtin_ctzll (~slots->used);
  scope = hotpath_scope_begin (intern_site (name));
  if (scope.site == NULL)
    return 0;

  slots->slots[slot] = scope;
  slots->used |= G_GUINT64_CONSTANT (1) << slot;
  return slot + 1;
}

/**
 * hotpath_measure_end:
 * @token: what hotpath_measure_begin() returned on this thread
 *
 * Stops measuring and records the call. A token of 0, or one already
 * ended, does nothing.
 *
 * Since: 0.2
 */
void
hotpath_measure_end (guint token)
{
  MeasureSlots *slots;
  guint64 bit;

  if (token == 0 || token > MEASURE_SLOTS)
    return;

  slots = get_measure_slots ();
  bit = G_GUINT64_CONSTANT (1) << (token - 1);
  if ((slots->used & bit) == 0)
    return;

  slots->used &= ~bit;
  hotpath_scope_end (&slots->slots[token - 1]);
}
