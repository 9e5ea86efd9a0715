/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-env.c: HOTPATH_* environment variables.
 *
 * The environment beats the code, so a profiled program can be steered
 * without rebuilding it. A bad value must never stop the program: it gets
 * one message and the default. Messages, not warnings: G_DEBUG=fatal-warnings
 * must not turn a typo in the environment into a crash.
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotpath-env-private.h"

static void
complain (const char *name,
          const char *value,
          const char *accepts)
{
  g_message ("%s=\"%s\" is not valid: expected %s; using the default",
             name, value, accepts);
}

int
hotpath_env_get_choice (const char         *name,
                        const char * const *accepted,
                        int                 default_index)
{
  const char *value = g_getenv (name);
  g_autofree char *joined = NULL;

  if (value == NULL || *value == '\0')
    return default_index;

  for (int i = 0; accepted[i] != NULL; i++)
    if (g_ascii_strcasecmp (value, accepted[i]) == 0)
      return i;

  joined = g_strjoinv ("|", (char **) accepted);
  complain (name, value, joined);

  return default_index;
}

gboolean
hotpath_env_get_uint (const char *name,
                      guint       max,
                      guint      *out)
{
  const char *value = g_getenv (name);
  guint64 parsed = 0;

  if (value == NULL || *value == '\0')
    return FALSE;

  if (!g_ascii_string_to_unsigned (value, 10, 0, max, &parsed, NULL))
    {
      g_autofree char *accepts = g_strdup_printf ("an integer from 0 to %u", max);
      complain (name, value, accepts);
      return FALSE;
    }

  *out = (guint) parsed;
  return TRUE;
}

gboolean
hotpath_env_get_flag (const char *name,
                      gboolean   *out)
{
  static const char * const accepted[] = { "0", "1", "false", "true", "no", "yes", "off", "on", NULL };
  int index = hotpath_env_get_choice (name, accepted, -1);

  if (index < 0)
    return FALSE;

  *out = (index % 2) == 1;
  return TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/**
 * hotpath_percentiles_parse:
 * @text: a comma-separated list such as `50,95,99.9`
 * @out: (out): a sorted #GArray of doubles without duplicates
 *
 * Returns: %TRUE if every entry is a number from 0 to 100
 */
gboolean
hotpath_percentiles_parse (const char  *text,
                           GArray     **out,
                           GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = g_strstrip (parts[i]);
      char *end = NULL;
      double value;

      if (*part == '\0')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "empty entry");
          return FALSE;
        }

      errno = 0;
      value = g_ascii_strtod (part, &end);
      if (errno != 0 || end == part || *end != '\0' || !(value >= 0.0 && value <= 100.0))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "“%s” is not a number from 0 to 100", part);
          return FALSE;
        }

      g_array_append_val (values, value);
    }

  if (values->len == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "no percentiles");
      return FALSE;
    }

  g_array_sort (values, compare_doubles);
  for (guint i = 1; i < values->len; )
    {
      if (g_array_index (values, double, i) == g_array_index (values, double, i - 1))
        g_array_remove_index (values, i);
      else
        i++;
    }

  *out = g_steal_pointer (&values);
  return TRUE;
}

gboolean
hotpath_env_get_percentiles (const char  *name,
                             GArray     **out)
{
  const char *value = g_getenv (name);
  g_autoptr(GError) error = NULL;

  if (value == NULL || *value == '\0')
    return FALSE;

  if (!hotpath_percentiles_parse (value, out, &error))
    {
      complain (name, value, "a comma-separated list of numbers from 0 to 100, such as 50,95,99.9");
      return FALSE;
    }

  return TRUE;
}

/* Every HOTPATH_* variable anything of ours reads (the library, the malloc
 * interposer, the live module loader, measure-all, the preload library and
 * the `hotpath` command, the benchmarks). tests/check-env-names.sh
 * fails when code reads one that is missing here. HOTPATH_TEST_* belong to
 * the test suites. */
static const char * const known_variables[] = {
  "HOTPATH_ALLOC",
  "HOTPATH_ALLOC_LIBRARY",
  "HOTPATH_ALLOC_METRIC",
  "HOTPATH_ALLOC_SELF",
  "HOTPATH_AUTH_TOKEN",
  "HOTPATH_BENCH_QUICK",
  "HOTPATH_BENCH_STRICT",
  "HOTPATH_CLOCK",
  "HOTPATH_DBUS_OFF",
  "HOTPATH_DEPTH",
  "HOTPATH_FILTER",
  "HOTPATH_INSECURE",
  "HOTPATH_LAG_PROBE_MS",
  "HOTPATH_LIMIT",
  "HOTPATH_LIVE_MODULE",
  "HOTPATH_LOGS_LIMIT",
  "HOTPATH_MAIN_LOOP",
  "HOTPATH_MCP_AUTH_TOKEN",
  "HOTPATH_MCP_PORT",
  "HOTPATH_MCP_SERVER_OFF",
  "HOTPATH_MEASURE_ALL",
  "HOTPATH_METRICS_AUTH_TOKEN",
  "HOTPATH_METRICS_HISTOGRAMS",
  "HOTPATH_METRICS_HOST",
  "HOTPATH_METRICS_PORT",
  "HOTPATH_METRICS_SERVER_OFF",
  "HOTPATH_MIN_SIZE",
  "HOTPATH_NOTRACE",
  "HOTPATH_OUTPUT_FORMAT",
  "HOTPATH_OUTPUT_PATH",
  "HOTPATH_PERCENTILES",
  "HOTPATH_PRELOAD_LIBRARY",
  "HOTPATH_RUN_FOLLOW",
  "HOTPATH_STALL_MS",
  "HOTPATH_THREADS",
  "HOTPATH_THREADS_INTERVAL_MS",
  "HOTPATH_TIME_FILTER",
  "HOTPATH_TIME_FILTER_CALLS",
  NULL
};

gboolean
hotpath_env_is_known (const char *name)
{
  if (g_str_has_prefix (name, "HOTPATH_TEST_"))
    return TRUE;

  for (guint i = 0; known_variables[i] != NULL; i++)
    if (g_str_equal (name, known_variables[i]))
      return TRUE;

  return FALSE;
}

static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = a[i - 1] == b[j - 1] ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }

  return row[lb];
}

/**
 * hotpath_env_suggest:
 * @name: an unknown variable name
 *
 * Returns: (transfer full) (nullable): the known variable @name is most
 *   likely a typo of, if any is close
 */
char *
hotpath_env_suggest (const char *name)
{
  const char *best = NULL;
  guint best_distance = 4;

  /* Names of environment variables are short; bound the work anyway. */
  if (strlen (name) > 64)
    return NULL;

  for (guint i = 0; known_variables[i] != NULL; i++)
    {
      guint distance = edit_distance (name, known_variables[i]);

      if (distance < best_distance)
        {
          best = known_variables[i];
          best_distance = distance;
        }
    }

  return g_strdup (best);
}

/**
 * hotpath_env_warn_unknown_in:
 * @names: %NULL-terminated variable names
 *
 * One line on stderr for each `HOTPATH_*` name that nothing reads: a
 * mistyped variable otherwise does nothing, silently.
 */
void
hotpath_env_warn_unknown_in (const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *suggestion = NULL;

      const char *value;

      if (!g_str_has_prefix (names[i], "HOTPATH_") || hotpath_env_is_known (names[i]))
        continue;
      /* Empty counts as unset, everywhere. */
      value = g_getenv (names[i]);
      if (value != NULL && *value == '\0')
        continue;

      suggestion = hotpath_env_suggest (names[i]);
      g_message ("%s is not a hotpath-glib variable and is ignored%s%s%s",
                 names[i], suggestion != NULL ? "; did you mean " : "",
                 suggestion != NULL ? suggestion : "", suggestion != NULL ? "?" : "");
    }
}

/* Once per process, at the first session. */
void
hotpath_env_warn_unknown (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      g_auto(GStrv) names = g_listenv ();

      hotpath_env_warn_unknown_in ((const char * const *) names);
      g_once_init_leave (&done, 1);
    }
}
