/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-format.c: units for people. Machine output keeps raw integers
 * with the unit in the field name; only tables and the viewer use these.
 */

#include "config.h"

#include <string.h>

#include "hotpath-format-private.h"

/**
 * hotpath_format_duration:
 * @ns: a duration in nanoseconds
 *
 * Returns: "523 ns", "12.34 µs", "1.05 ms" or "2.10 s"
 */
char *
hotpath_format_duration (guint64 ns)
{
  /* The unit is chosen by the value as printed with two decimals, so
   * 999999 ns is "1.00 ms", not "1000.00 µs". */
  if (ns < 1000)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " ns", ns);
  if ((double) ns / 1e3 < 999.995)
    return g_strdup_printf ("%.2f µs", (double) ns / 1e3);
  if ((double) ns / 1e6 < 999.995)
    return g_strdup_printf ("%.2f ms", (double) ns / 1e6);
  return g_strdup_printf ("%.2f s", (double) ns / 1e9);
}

/**
 * hotpath_format_bytes:
 * @bytes: a size
 *
 * Returns: "512 B", "1.50 KiB", "3.25 MiB" or "1.00 GiB" (base 1024)
 */
char *
hotpath_format_bytes (guint64 bytes)
{
  /* As for durations: 1048575 bytes is "1.00 MiB", not "1024.00 KiB". */
  if (bytes < 1024)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " B", bytes);
  if ((double) bytes / 1024.0 < 1023.995)
    return g_strdup_printf ("%.2f KiB", (double) bytes / 1024.0);
  if ((double) bytes / (1024.0 * 1024.0) < 1023.995)
    return g_strdup_printf ("%.2f MiB", (double) bytes / (1024.0 * 1024.0));
  return g_strdup_printf ("%.2f GiB", (double) bytes / (1024.0 * 1024.0 * 1024.0));
}

/* Plain decimal, never an exponent: 99.9 -> "99.9", 1e-05 -> "0.00001",
 * 99.99999 -> "99.99999" (%g would say "p100" and clash with the max). */
static char *
format_percentile (double percentile)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char *end;

  g_ascii_formatd (buffer, sizeof buffer, "%.6f", percentile);
  end = buffer + strlen (buffer) - 1;
  while (*end == '0')
    *end-- = '\0';
  if (*end == '.')
    *end = '\0';

  return g_strdup (buffer);
}

/**
 * hotpath_format_percentile_key:
 * @percentile: 0 to 100
 *
 * Returns: the JSON key, such as "p95" or "p99.9"
 */
char *
hotpath_format_percentile_key (double percentile)
{
  g_autofree char *number = format_percentile (percentile);

  return g_strconcat ("p", number, NULL);
}

/**
 * hotpath_format_percentile_title:
 * @percentile: 0 to 100
 *
 * Returns: the table column title: "Min", "Max", "P95", "P99.9"
 */
char *
hotpath_format_percentile_title (double percentile)
{
  g_autofree char *number = NULL;

  if (percentile <= 0.0)
    return g_strdup ("Min");
  if (percentile >= 100.0)
    return g_strdup ("Max");

  number = format_percentile (percentile);
  return g_strconcat ("P", number, NULL);
}

/* "<prefix>1.20 ms" */
void
hotpath_format_append_duration (GString    *out,
                                const char *prefix,
                                guint64     ns)
{
  g_autofree char *formatted = hotpath_format_duration (ns);

  g_string_append_printf (out, "%s%s", prefix, formatted);
}

/* ", latency avg 1.20 µs, p50 1.10 µs, p95 2.00 µs, max 3.10 µs" for a
 * histogram of nanoseconds; ", latency none" when it counted nothing. */
void
hotpath_format_append_summary (GString                *out,
                               const char             *label,
                               const HotpathHistogram *histogram,
                               const double           *ranks,
                               guint                   n_ranks)
{
  if (histogram->count == 0)
    {
      g_string_append_printf (out, ", %s none", label);
      return;
    }

  g_string_append_printf (out, ", %s", label);
  hotpath_format_append_duration (out, " avg ", (histogram->sum + histogram->count / 2) / histogram->count);
  for (guint p = 0; p < n_ranks; p++)
    {
      g_autofree char *key = hotpath_format_percentile_key (ranks[p]);
      g_autofree char *prefix = g_strdup_printf (", %s ", key);

      hotpath_format_append_duration (out, prefix, hotpath_histogram_value_at_percentile (histogram, ranks[p]));
    }
  hotpath_format_append_duration (out, ", max ", histogram->max);
}
