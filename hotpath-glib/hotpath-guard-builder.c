/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-guard-builder.c: configures a session, then starts it.
 */

#include "config.h"

#include <errno.h>

#include "hotpath-env-private.h"
#include "hotpath-guard-builder.h"
#include "hotpath-guard-private.h"

struct _HotpathGuardBuilder
{
  GObject       parent_instance;
  HotpathConfig config;
};

G_DEFINE_FINAL_TYPE (HotpathGuardBuilder, hotpath_guard_builder, G_TYPE_OBJECT)

static char *
default_name (void)
{
  const char *prgname = g_get_prgname ();

  if (prgname != NULL)
    return g_strdup (prgname);
  return g_strdup (program_invocation_short_name);
}

void
hotpath_config_init (HotpathConfig *config)
{
  double default_percentile = 95.0;

  config->name = default_name ();
  config->percentiles = g_array_new (FALSE, FALSE, sizeof (double));
  g_array_append_val (config->percentiles, default_percentile);
  config->format = HOTPATH_FORMAT_TABLE;
  config->limit = HOTPATH_DEFAULT_LIMIT;
  config->output_path = NULL;
  config->timeout_ms = 0;
  config->logs_limit = HOTPATH_DEFAULT_LOGS_LIMIT;
  config->reporter = NULL;
}

void
hotpath_config_clear (HotpathConfig *config)
{
  g_clear_pointer (&config->name, g_free);
  g_clear_pointer (&config->percentiles, g_array_unref);
  g_clear_pointer (&config->output_path, g_free);
  g_clear_object (&config->reporter);
}

void
hotpath_config_copy (HotpathConfig       *dest,
                     const HotpathConfig *src)
{
  *dest = *src;
  dest->name = g_strdup (src->name);
  dest->percentiles = g_array_copy (src->percentiles);
  dest->output_path = g_strdup (src->output_path);
  dest->reporter = src->reporter ? g_object_ref (src->reporter) : NULL;
}

/* The environment beats the code. */
void
hotpath_config_apply_env (HotpathConfig *config)
{
  static const char * const formats[] = { "table", "json", "json-pretty", "none", NULL };
  g_autoptr(GArray) percentiles = NULL;
  const char *output_path;
  int format;

  hotpath_env_warn_unknown ();

  format = hotpath_env_get_choice ("HOTPATH_OUTPUT_FORMAT", formats, -1);
  if (format >= 0)
    config->format = (HotpathFormat) format;

  output_path = g_getenv ("HOTPATH_OUTPUT_PATH");
  if (output_path != NULL && *output_path != '\0')
    {
      g_free (config->output_path);
      config->output_path = g_strdup (output_path);
    }

  if (hotpath_env_get_percentiles ("HOTPATH_PERCENTILES", &percentiles))
    {
      g_array_unref (config->percentiles);
      config->percentiles = g_steal_pointer (&percentiles);
    }

  hotpath_env_get_uint ("HOTPATH_LIMIT", G_MAXINT, &config->limit);
  hotpath_env_get_uint ("HOTPATH_LOGS_LIMIT", 100000, &config->logs_limit);
}

static void
hotpath_guard_builder_finalize (GObject *object)
{
  HotpathGuardBuilder *self = HOTPATH_GUARD_BUILDER (object);

  hotpath_config_clear (&self->config);

  G_OBJECT_CLASS (hotpath_guard_builder_parent_class)->finalize (object);
}

static void
hotpath_guard_builder_class_init (HotpathGuardBuilderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hotpath_guard_builder_finalize;
}

static void
hotpath_guard_builder_init (HotpathGuardBuilder *self)
{
  hotpath_config_init (&self->config);
}

/**
 * hotpath_guard_builder_new:
 * @name: (nullable): the name in the report header; the program's if %NULL
 *
 * Returns: (transfer full): a builder with the defaults: percentile 95,
 *   table format, 15 rows, stderr, no timeout
 */
HotpathGuardBuilder *
hotpath_guard_builder_new (const char *name)
{
  HotpathGuardBuilder *self = g_object_new (HOTPATH_TYPE_GUARD_BUILDER, NULL);

  if (name != NULL)
    {
      g_free (self->config.name);
      self->config.name = g_strdup (name);
    }

  return self;
}

/**
 * hotpath_guard_builder_new_from_options:
 * @options: options as HOTPATH_MAIN() takes them
 *
 * Returns: (transfer full): a builder set from @options; takes the
 *   reference in `options->reporter`
 */
HotpathGuardBuilder *
hotpath_guard_builder_new_from_options (const HotpathOptions *options)
{
  HotpathGuardBuilder *self;

  g_return_val_if_fail (options != NULL, NULL);

  self = hotpath_guard_builder_new (options->name);

  if (options->percentiles != NULL)
    {
      guint n = 0;

      while (options->percentiles[n] >= 0.0)
        n++;
      if (n > 0)
        hotpath_guard_builder_set_percentiles (self, options->percentiles, n);
    }

  hotpath_guard_builder_set_format (self, options->format);
  if (options->limit >= 0)
    hotpath_guard_builder_set_limit (self, (guint) options->limit);
  hotpath_guard_builder_set_output_path (self, options->output_path);
  hotpath_guard_builder_set_timeout_ms (self, options->timeout_ms);
  if (options->reporter != NULL)
    {
      hotpath_guard_builder_set_reporter (self, options->reporter);
      g_object_unref (options->reporter);
    }

  return self;
}

/**
 * hotpath_guard_builder_set_percentiles:
 * @self: a #HotpathGuardBuilder
 * @percentiles: (array length=n_percentiles): values from 0 (min) to 100 (max)
 * @n_percentiles: how many
 *
 * Chooses the percentiles to report. Values outside 0..100 are refused with
 * a critical.
 */
void
hotpath_guard_builder_set_percentiles (HotpathGuardBuilder *self,
                                       const double        *percentiles,
                                       guint                n_percentiles)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GArray) parsed = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HOTPATH_IS_GUARD_BUILDER (self));
  g_return_if_fail (percentiles != NULL || n_percentiles == 0);

  /* One parser for code and environment, so both sort and de-duplicate. */
  for (guint i = 0; i < n_percentiles; i++)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (text, "%s%s", i ? "," : "",
                              g_ascii_dtostr (buffer, sizeof buffer, percentiles[i]));
    }

  if (!hotpath_percentiles_parse (text->str, &parsed, &error))
    {
      g_critical ("Invalid percentiles: %s", error->message);
      return;
    }

  g_array_unref (self->config.percentiles);
  self->config.percentiles = g_steal_pointer (&parsed);
}

/**
 * hotpath_guard_builder_set_format:
 * @self: a #HotpathGuardBuilder
 * @format: the report format
 */
void
hotpath_guard_builder_set_format (HotpathGuardBuilder *self,
                                  HotpathFormat        format)
{
  g_return_if_fail (HOTPATH_IS_GUARD_BUILDER (self));
  g_return_if_fail (format <= HOTPATH_FORMAT_NONE);

  self->config.format = format;
}

/**
 * hotpath_guard_builder_set_limit:
 * @self: a #HotpathGuardBuilder
 * @limit: rows per table; 0 shows all
 */
void
hotpath_guard_builder_set_limit (HotpathGuardBuilder *self,
                                 guint                limit)
{
  g_return_if_fail (HOTPATH_IS_GUARD_BUILDER (self));

  self->config.limit = limit;
}

/**
 * hotpath_guard_builder_set_output_path:
 * @self: a #HotpathGuardBuilder
 * @output_path: (nullable) (type filename): a file for the report, "-" for stdout; stderr if %NULL
 */
void
hotpath_guard_builder_set_output_path (HotpathGuardBuilder *self,
                                       const char          *output_path)
{
  g_return_if_fail (HOTPATH_IS_GUARD_BUILDER (self));

  g_free (self->config.output_path);
  self->config.output_path = g_strdup (output_path);
}

/**
 * hotpath_guard_builder_set_timeout_ms:
 * @self: a #HotpathGuardBuilder
 * @timeout_ms: if not 0, report after this long and stop recording
 */
void
hotpath_guard_builder_set_timeout_ms (HotpathGuardBuilder *self,
                                      guint                timeout_ms)
{
  g_return_if_fail (HOTPATH_IS_GUARD_BUILDER (self));

  self->config.timeout_ms = timeout_ms;
}

/**
 * hotpath_guard_builder_set_reporter:
 * @self: a #HotpathGuardBuilder
 * @reporter: (nullable): a custom reporter, used instead of the built-in output
 */
void
hotpath_guard_builder_set_reporter (HotpathGuardBuilder *self,
                                    HotpathReporter     *reporter)
{
  g_return_if_fail (HOTPATH_IS_GUARD_BUILDER (self));
  g_return_if_fail (reporter == NULL || HOTPATH_IS_REPORTER (reporter));

  g_set_object (&self->config.reporter, reporter);
}

/**
 * hotpath_guard_builder_build:
 * @self: a #HotpathGuardBuilder
 *
 * Applies the `HOTPATH_*` environment variables and starts the session.
 * Only one guard can be active: while one is, this returns %NULL with a
 * critical, and the program goes on unprofiled.
 *
 * Returns: (transfer full) (nullable): the running session
 */
HotpathGuard *
hotpath_guard_builder_build (HotpathGuardBuilder *self)
{
  HotpathConfig config;
  HotpathGuard *guard;

  g_return_val_if_fail (HOTPATH_IS_GUARD_BUILDER (self), NULL);

  hotpath_config_copy (&config, &self->config);
  hotpath_config_apply_env (&config);
  guard = hotpath_guard_new (&config);
  hotpath_config_clear (&config);

  return guard;
}
