/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-guard-builder.c: configures a session, then starts it.
 *
 * Every setting is a GObject property too, so bindings can write
 * `Hotpath.GuardBuilder (name = "app", format = Hotpath.Format.JSON)`.
 */

#include "config.h"

#include <errno.h>

#include "hotpath-enums.h"
#include "hotpath-env-private.h"
#include "hotpath-guard-builder.h"
#include "hotpath-guard-private.h"

struct _HotpathGuardBuilder
{
  GObject       parent_instance;
  HotpathConfig config;
};

G_DEFINE_FINAL_TYPE (HotpathGuardBuilder, hotpath_guard_builder, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_FORMAT,
  PROP_LIMIT,
  PROP_OUTPUT_PATH,
  PROP_TIMEOUT_MS,
  PROP_REPORTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
hotpath_guard_builder_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  HotpathGuardBuilder *self = HOTPATH_GUARD_BUILDER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->config.name);
      break;
    case PROP_FORMAT:
      g_value_set_enum (value, self->config.format);
      break;
    case PROP_LIMIT:
      g_value_set_uint (value, self->config.limit);
      break;
    case PROP_OUTPUT_PATH:
      g_value_set_string (value, self->config.output_path);
      break;
    case PROP_TIMEOUT_MS:
      g_value_set_uint (value, self->config.timeout_ms);
      break;
    case PROP_REPORTER:
      g_value_set_object (value, self->config.reporter);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hotpath_guard_builder_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  HotpathGuardBuilder *self = HOTPATH_GUARD_BUILDER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      hotpath_guard_builder_set_name (self, g_value_get_string (value));
      break;
    case PROP_FORMAT:
      hotpath_guard_builder_set_format (self, g_value_get_enum (value));
      break;
    case PROP_LIMIT:
      hotpath_guard_builder_set_limit (self, g_value_get_uint (value));
      break;
    case PROP_OUTPUT_PATH:
      hotpath_guard_builder_set_output_path (self, g_value_get_string (value));
      break;
    case PROP_TIMEOUT_MS:
      hotpath_guard_builder_set_timeout_ms (self, g_value_get_uint (value));
      break;
    case PROP_REPORTER:
      hotpath_guard_builder_set_reporter (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hotpath_guard_builder_class_init (HotpathGuardBuilderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hotpath_guard_builder_finalize;
  object_class->get_property = hotpath_guard_builder_get_property;
  object_class->set_property = hotpath_guard_builder_set_property;

  /**
   * HotpathGuardBuilder:name: (getter get_name) (setter set_name)
   *
   * The name in the report header. Setting %NULL means the program's
   * name (g_get_prgname()).
   *
   * Since: 0.2
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * HotpathGuardBuilder:format: (getter get_format) (setter set_format)
   *
   * How the report printed at the end looks.
   *
   * Since: 0.2
   */
  properties[PROP_FORMAT] =
    g_param_spec_enum ("format", NULL, NULL,
                       HOTPATH_TYPE_FORMAT,
                       HOTPATH_FORMAT_TABLE,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * HotpathGuardBuilder:limit: (getter get_limit) (setter set_limit)
   *
   * Rows per table in the report; 0 shows all.
   *
   * Since: 0.2
   */
  properties[PROP_LIMIT] =
    g_param_spec_uint ("limit", NULL, NULL,
                       0, G_MAXINT, HOTPATH_DEFAULT_LIMIT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * HotpathGuardBuilder:output-path: (getter get_output_path) (setter set_output_path)
   *
   * A file for the report, "-" for stdout; %NULL means stderr.
   *
   * Since: 0.2
   */
  properties[PROP_OUTPUT_PATH] =
    g_param_spec_string ("output-path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * HotpathGuardBuilder:timeout-ms: (getter get_timeout_ms) (setter set_timeout_ms)
   *
   * If not 0, the report is written after this many milliseconds and
   * recording stops.
   *
   * Since: 0.2
   */
  properties[PROP_TIMEOUT_MS] =
    g_param_spec_uint ("timeout-ms", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * HotpathGuardBuilder:reporter: (getter get_reporter) (setter set_reporter)
   *
   * A custom reporter used instead of the built-in output, or %NULL.
   *
   * Since: 0.2
   */
  properties[PROP_REPORTER] =
    g_param_spec_object ("reporter", NULL, NULL,
                         HOTPATH_TYPE_REPORTER,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
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
 * Creates a builder with the defaults: percentile 95, table format, 15
 * rows, stderr, no timeout.
 *
 * Returns: (transfer full): a new builder
 *
 * Since: 0.1
 */
HotpathGuardBuilder *
hotpath_guard_builder_new (const char *name)
{
  return g_object_new (HOTPATH_TYPE_GUARD_BUILDER,
                       "name", name,
                       NULL);
}

/**
 * hotpath_guard_builder_get_name:
 * @self: a #HotpathGuardBuilder
 *
 * Gets the name in the report header.
 *
 * Returns: the name
 *
 * Since: 0.2
 */
const char *
hotpath_guard_builder_get_name (HotpathGuardBuilder *self)
{
  g_return_val_if_fail (HOTPATH_IS_GUARD_BUILDER (self), NULL);

  return self->config.name;
}

/**
 * hotpath_guard_builder_set_name:
 * @self: a #HotpathGuardBuilder
 * @name: (nullable): the name in the report header; the program's if %NULL
 *
 * Sets the name in the report header.
 *
 * Since: 0.2
 */
void
hotpath_guard_builder_set_name (HotpathGuardBuilder *self,
                                const char          *name)
{
  g_autofree char *value = NULL;

  g_return_if_fail (HOTPATH_IS_GUARD_BUILDER (self));

  value = name != NULL ? g_strdup (name) : default_name ();
  if (g_strcmp0 (value, self->config.name) == 0)
    return;

  g_free (self->config.name);
  self->config.name = g_steal_pointer (&value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * hotpath_guard_builder_new_from_options: (skip)
 * @options: options as HOTPATH_MAIN() takes them
 *
 * Creates a builder set from @options, as HOTPATH_MAIN() does; it takes
 * the reference in `options->reporter`.
 *
 * Returns: (transfer full): a new builder
 *
 * Since: 0.1
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
 *
 * Since: 0.1
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
 * hotpath_guard_builder_get_percentiles:
 * @self: a #HotpathGuardBuilder
 * @n_percentiles: (out): how many
 *
 * Gets the percentiles to report, sorted, without duplicates.
 *
 * Returns: (array length=n_percentiles) (transfer none): the percentiles
 *
 * Since: 0.2
 */
const double *
hotpath_guard_builder_get_percentiles (HotpathGuardBuilder *self,
                                       guint               *n_percentiles)
{
  g_return_val_if_fail (HOTPATH_IS_GUARD_BUILDER (self), NULL);
  g_return_val_if_fail (n_percentiles != NULL, NULL);

  *n_percentiles = self->config.percentiles->len;
  return (const double *) (gpointer) self->config.percentiles->data;
}

/**
 * hotpath_guard_builder_set_format: (set-property format)
 * @self: a #HotpathGuardBuilder
 * @format: the report format
 *
 * Sets how the report looks.
 *
 * Since: 0.1
 */
void
hotpath_guard_builder_set_format (HotpathGuardBuilder *self,
                                  HotpathFormat        format)
{
  g_return_if_fail (HOTPATH_IS_GUARD_BUILDER (self));
  g_return_if_fail (format <= HOTPATH_FORMAT_NONE);

  if (self->config.format == format)
    return;

  self->config.format = format;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FORMAT]);
}

/**
 * hotpath_guard_builder_get_format: (get-property format)
 * @self: a #HotpathGuardBuilder
 *
 * Gets how the report looks.
 *
 * Returns: the report format
 *
 * Since: 0.2
 */
HotpathFormat
hotpath_guard_builder_get_format (HotpathGuardBuilder *self)
{
  g_return_val_if_fail (HOTPATH_IS_GUARD_BUILDER (self), HOTPATH_FORMAT_TABLE);

  return self->config.format;
}

/**
 * hotpath_guard_builder_set_limit: (set-property limit)
 * @self: a #HotpathGuardBuilder
 * @limit: rows per table; 0 shows all
 *
 * Sets how many rows each table of the report shows.
 *
 * Since: 0.1
 */
void
hotpath_guard_builder_set_limit (HotpathGuardBuilder *self,
                                 guint                limit)
{
  g_return_if_fail (HOTPATH_IS_GUARD_BUILDER (self));
  g_return_if_fail (limit <= G_MAXINT);

  if (self->config.limit == limit)
    return;

  self->config.limit = limit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT]);
}

/**
 * hotpath_guard_builder_get_limit: (get-property limit)
 * @self: a #HotpathGuardBuilder
 *
 * Gets how many rows each table of the report shows.
 *
 * Returns: rows per table; 0 shows all
 *
 * Since: 0.2
 */
guint
hotpath_guard_builder_get_limit (HotpathGuardBuilder *self)
{
  g_return_val_if_fail (HOTPATH_IS_GUARD_BUILDER (self), 0);

  return self->config.limit;
}

/**
 * hotpath_guard_builder_set_output_path: (set-property output-path)
 * @self: a #HotpathGuardBuilder
 * @output_path: (nullable) (type filename): a file for the report, "-" for
 *   stdout; stderr if %NULL
 *
 * Sets where the report goes.
 *
 * Since: 0.1
 */
void
hotpath_guard_builder_set_output_path (HotpathGuardBuilder *self,
                                       const char          *output_path)
{
  g_return_if_fail (HOTPATH_IS_GUARD_BUILDER (self));

  if (g_strcmp0 (self->config.output_path, output_path) == 0)
    return;

  g_free (self->config.output_path);
  self->config.output_path = g_strdup (output_path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTPUT_PATH]);
}

/**
 * hotpath_guard_builder_get_output_path: (get-property output-path)
 * @self: a #HotpathGuardBuilder
 *
 * Gets where the report goes.
 *
 * Returns: (nullable) (type filename): a file, "-" for stdout, or %NULL
 *   for stderr
 *
 * Since: 0.2
 */
const char *
hotpath_guard_builder_get_output_path (HotpathGuardBuilder *self)
{
  g_return_val_if_fail (HOTPATH_IS_GUARD_BUILDER (self), NULL);

  return self->config.output_path;
}

/**
 * hotpath_guard_builder_set_timeout_ms: (set-property timeout-ms)
 * @self: a #HotpathGuardBuilder
 * @timeout_ms: if not 0, report after this long and stop recording
 *
 * Sets when the session ends by itself.
 *
 * Since: 0.1
 */
void
hotpath_guard_builder_set_timeout_ms (HotpathGuardBuilder *self,
                                      guint                timeout_ms)
{
  g_return_if_fail (HOTPATH_IS_GUARD_BUILDER (self));

  if (self->config.timeout_ms == timeout_ms)
    return;

  self->config.timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT_MS]);
}

/**
 * hotpath_guard_builder_get_timeout_ms: (get-property timeout-ms)
 * @self: a #HotpathGuardBuilder
 *
 * Gets when the session ends by itself.
 *
 * Returns: milliseconds, or 0 for no timeout
 *
 * Since: 0.2
 */
guint
hotpath_guard_builder_get_timeout_ms (HotpathGuardBuilder *self)
{
  g_return_val_if_fail (HOTPATH_IS_GUARD_BUILDER (self), 0);

  return self->config.timeout_ms;
}

/**
 * hotpath_guard_builder_set_reporter: (set-property reporter)
 * @self: a #HotpathGuardBuilder
 * @reporter: (nullable): a custom reporter, used instead of the built-in output
 *
 * Sets a custom reporter.
 *
 * Since: 0.1
 */
void
hotpath_guard_builder_set_reporter (HotpathGuardBuilder *self,
                                    HotpathReporter     *reporter)
{
  g_return_if_fail (HOTPATH_IS_GUARD_BUILDER (self));
  g_return_if_fail (reporter == NULL || HOTPATH_IS_REPORTER (reporter));

  if (g_set_object (&self->config.reporter, reporter))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORTER]);
}

/**
 * hotpath_guard_builder_get_reporter: (get-property reporter)
 * @self: a #HotpathGuardBuilder
 *
 * Gets the custom reporter.
 *
 * Returns: (nullable) (transfer none): the reporter, or %NULL
 *
 * Since: 0.2
 */
HotpathReporter *
hotpath_guard_builder_get_reporter (HotpathGuardBuilder *self)
{
  g_return_val_if_fail (HOTPATH_IS_GUARD_BUILDER (self), NULL);

  return self->config.reporter;
}

/**
 * hotpath_guard_builder_build:
 * @self: a #HotpathGuardBuilder
 * @error: return location for a #GError, or %NULL
 *
 * Applies the `HOTPATH_*` environment variables and starts the session.
 * Only one guard can be active: while one is, this fails with
 * %HOTPATH_ERROR_BUSY (a critical when @error is %NULL) and the program
 * goes on unprofiled.
 *
 * Returns: (transfer full): the running session, or %NULL on error
 *
 * Since: 0.1
 */
HotpathGuard *
hotpath_guard_builder_build (HotpathGuardBuilder  *self,
                             GError              **error)
{
  HotpathConfig config;
  HotpathGuard *guard;

  g_return_val_if_fail (HOTPATH_IS_GUARD_BUILDER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  hotpath_config_copy (&config, &self->config);
  hotpath_config_apply_env (&config);
  guard = hotpath_guard_new (&config, error);
  hotpath_config_clear (&config);

  return guard;
}
