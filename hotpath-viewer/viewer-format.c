/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * viewer-format.c: durations, sizes, counts and rates as people read them.
 * The JSON carries raw integers with the unit in the member name
 * (`avg_ns`, `bytes`); the viewer picks the unit from that name.
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "viewer-format.h"

char *
viewer_format_duration (double ns)
{
  if (!isfinite (ns) || ns < 0)
    return g_strdup ("—");
  if (ns < 1000.0)
    return g_strdup_printf ("%.0f ns", ns);
  if (ns < 1000.0 * 1000.0)
    return g_strdup_printf ("%.2f µs", ns / 1000.0);
  if (ns < 1000.0 * 1000.0 * 1000.0)
    return g_strdup_printf ("%.2f ms", ns / (1000.0 * 1000.0));
  return g_strdup_printf ("%.2f s", ns / (1000.0 * 1000.0 * 1000.0));
}

char *
viewer_format_size (double bytes)
{
  if (!isfinite (bytes) || bytes < 0)
    return g_strdup ("—");
  if (bytes < 1024.0)
    return g_strdup_printf ("%.0f B", bytes);
  if (bytes < 1024.0 * 1024.0)
    return g_strdup_printf ("%.1f KiB", bytes / 1024.0);
  if (bytes < 1024.0 * 1024.0 * 1024.0)
    return g_strdup_printf ("%.1f MiB", bytes / (1024.0 * 1024.0));
  return g_strdup_printf ("%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
}

char *
viewer_format_count (guint64 count)
{
  /* Thin spaces between thousands keep wide numbers readable and are
   * correct in every locale we translate to. */
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, count);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, "\u2009");
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

char *
viewer_format_rate (double per_second)
{
  if (!isfinite (per_second) || per_second < 0)
    return g_strdup ("—");
  if (per_second < 10.0)
    return g_strdup_printf ("%.1f/s", per_second);
  if (per_second < 10000.0)
    return g_strdup_printf ("%.0f/s", per_second);
  if (per_second < 10000000.0)
    return g_strdup_printf ("%.1fk/s", per_second / 1000.0);
  return g_strdup_printf ("%.1fM/s", per_second / 1000000.0);
}

char *
viewer_format_percent (double percent)
{
  if (!isfinite (percent) || percent < 0)
    return g_strdup ("—");
  return g_strdup_printf ("%.1f %%", percent);
}

char *
viewer_format_uptime (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;
  if (seconds < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " s", seconds);
  if (seconds < 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT " min %02" G_GINT64_FORMAT " s",
                            seconds / 60, seconds % 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT " h %02" G_GINT64_FORMAT " min",
                          seconds / 3600, (seconds / 60) % 60);
}

/**
 * viewer_member_is_percentile:
 *
 * Returns: whether @member is a percentile key as the library writes
 *   them: "p50", "p99.9"
 */
gboolean
viewer_member_is_percentile (const char *member)
{
  return member[0] == 'p' && g_ascii_isdigit (member[1]);
}

/**
 * viewer_member_path_dot:
 *
 * A member in a nested object is named by its path, "latency_ns.p99.9";
 * a percentile key has dots of its own, "p99.9".
 *
 * Returns: (nullable): the dot after the outer object's name in @member,
 *   or %NULL when @member is not nested
 */
const char *
viewer_member_path_dot (const char *member)
{
  return viewer_member_is_percentile (member) ? NULL : strchr (member, '.');
}

/**
 * viewer_member_leaf:
 *
 * Returns: the innermost part of @member's path: "p99.9" for
 *   "latency_ns.p99.9", @member itself when it is not nested
 */
const char *
viewer_member_leaf (const char *member)
{
  const char *dot = viewer_member_path_dot (member);

  return dot ? dot + 1 : member;
}

/* A plain number: a count when it is a whole one. */
static char *
format_number (double value)
{
  if (value >= 0 && value == floor (value) && value < 1e19)
    return viewer_format_count ((guint64) value);
  return g_strdup_printf ("%.3g", value);
}

/* Format a section member by the unit in its name. A nested member takes
 * its unit from the object it is in: "latency_ns.p50" is a duration,
 * "bytes.total" a size, "count.p50" a count (a bare "p50" is a duration,
 * the timing section's). */
char *
viewer_format_value (const char *member,
                     double      value)
{
  const char *dot = viewer_member_path_dot (member);

  if (dot != NULL)
    {
      g_autofree char *head = g_strndup (member, dot - member);

      if (g_str_has_suffix (head, "_ns") || g_str_has_suffix (dot + 1, "_ns"))
        return viewer_format_duration (value);
      if (strstr (head, "bytes") != NULL)
        return viewer_format_size (value);
      member = dot + 1;
      if (viewer_member_is_percentile (member))
        return format_number (value);
    }

  if (g_str_has_suffix (member, "_ns") ||
      viewer_member_is_percentile (member))
    return viewer_format_duration (value);
  if (g_str_has_suffix (member, "bytes") || g_str_has_suffix (member, "_size"))
    return viewer_format_size (value);
  if (g_str_has_prefix (member, "percent") || g_str_has_suffix (member, "_percent"))
    return viewer_format_percent (value);
  return format_number (value);
}

/* Column titles for members we know; other members get a readable
 * version of their own name. */
char *
viewer_format_column_title (const char *member)
{
  static const struct { const char *member; const char *title; } known[] = {
    { "name", N_("Name") },
    { "calls", N_("Calls") },
    { "total_ns", N_("Total") },
    { "self_ns", N_("Self") },
    { "avg_ns", N_("Average") },
    { "min_ns", N_("Min") },
    { "max_ns", N_("Max") },
    { "percent_total", N_("% Total") },
    { "duration_ns", N_("Duration") },
    { "end_ns", N_("Ended At") },
    { "thread_id", N_("Thread") },
    { "index", N_("#") },
    { "bytes", N_("Bytes") },
    { "count", N_("Count") },
    { "queued", N_("Queued") },
    { "max_queued", N_("Max Queued") },
    { "in_flight", N_("In Flight") },
    { "busy_percent", N_("Busy") },
    { "latency_ns", N_("Latency") },
    { "lifetime_ns", N_("Lifetime") },
    { "iteration_busy_ns", N_("Iteration") },
  };
  g_autofree char *base = NULL;
  const char *dot = viewer_member_path_dot (member);
  char *p;

  /* A nested member: the object's title, then the member's, in lower
   * case unless it is a percentile ("Latency p50", "Lag max"). */
  if (dot != NULL)
    {
      g_autofree char *head = g_strndup (member, dot - member);
      g_autofree char *outer = viewer_format_column_title (head);
      g_autofree char *inner = viewer_format_column_title (dot + 1);

      if (!viewer_member_is_percentile (inner))
        {
          g_autofree char *lower = g_utf8_strdown (inner, -1);
          g_free (inner);
          inner = g_steal_pointer (&lower);
        }
      return g_strdup_printf ("%s %s", outer, inner);
    }

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (member, known[i].member))
      return g_strdup (_(known[i].title));

  if (viewer_member_is_percentile (member))
    return g_strdup (member);

  base = g_strdup (member);
  if (g_str_has_suffix (base, "_ns"))
    base[strlen (base) - 3] = '\0';
  for (p = base; *p; p++)
    if (*p == '_')
      *p = ' ';
  base[0] = g_ascii_toupper (base[0]);
  return g_steal_pointer (&base);
}

/* A 1-2-5 step that puts at most max_ticks ticks on an axis of this range. */
double
viewer_axis_step (double range,
                  guint  max_ticks)
{
  double raw, magnitude, residual;

  if (!(range > 0) || max_ticks == 0)
    return 1.0;

  raw = range / max_ticks;
  magnitude = pow (10.0, floor (log10 (raw)));
  residual = raw / magnitude;

  if (residual <= 1.0)
    return magnitude;
  if (residual <= 2.0)
    return 2.0 * magnitude;
  if (residual <= 5.0)
    return 5.0 * magnitude;
  return 10.0 * magnitude;
}
