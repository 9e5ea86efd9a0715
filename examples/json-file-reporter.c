/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json-file-reporter: a custom HotpathReporter that saves the JSON report
 * (the same document as HOTPATH_OUTPUT_FORMAT=json-pretty, described by
 * data/hotpath-report.schema.json) to a file. It writes atomically with
 * g_file_set_contents(), so a reader never sees half a report, and a
 * failure comes back as a GError that the profiler prints on stderr.
 *
 *   build/examples/json-file-reporter                # writes hotpath-report.json
 *   build/examples/json-file-reporter /tmp/run.json
 */

#define G_LOG_DOMAIN "json-file-reporter"

#include <string.h>

#include <glib-object.h>
#include <hotpath-glib/hotpath.h>

#define JSON_FILE_TYPE_REPORTER (json_file_reporter_get_type ())

G_DECLARE_FINAL_TYPE (JsonFileReporter, json_file_reporter, JSON_FILE, REPORTER, GObject)

struct _JsonFileReporter
{
  GObject  parent_instance;
  char    *path;
};

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void json_file_reporter_iface_init (HotpathReporterInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JsonFileReporter, json_file_reporter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HOTPATH_TYPE_REPORTER,
                                                      json_file_reporter_iface_init))

static gboolean
json_file_reporter_report (HotpathReporter  *reporter,
                           HotpathSnapshot  *snapshot,
                           GError          **error)
{
  JsonFileReporter *self = JSON_FILE_REPORTER (reporter);
  g_autofree char *json = hotpath_snapshot_to_json (snapshot, TRUE);
  g_autofree char *contents = g_strconcat (json, "\n", NULL);

  if (!g_file_set_contents (self->path, contents, (gssize) strlen (contents), error))
    return FALSE;

  g_printerr ("json-file-reporter: report written to %s\n", self->path);

  return TRUE;
}

static void
json_file_reporter_iface_init (HotpathReporterInterface *iface)
{
  iface->report = json_file_reporter_report;
}

static void
json_file_reporter_finalize (GObject *object)
{
  JsonFileReporter *self = JSON_FILE_REPORTER (object);

  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (json_file_reporter_parent_class)->finalize (object);
}

static void
json_file_reporter_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  JsonFileReporter *self = JSON_FILE_REPORTER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
json_file_reporter_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  JsonFileReporter *self = JSON_FILE_REPORTER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
json_file_reporter_class_init (JsonFileReporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = json_file_reporter_finalize;
  object_class->get_property = json_file_reporter_get_property;
  object_class->set_property = json_file_reporter_set_property;

  /**
   * JsonFileReporter:path: (type filename)
   *
   * The file the report is saved to.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         "hotpath-report.json",
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
json_file_reporter_init (JsonFileReporter *self)
{
}

static JsonFileReporter *
json_file_reporter_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (JSON_FILE_TYPE_REPORTER, "path", path, NULL);
}

/* The measured program. ------------------------------------------------ */

static gboolean
is_prime (guint n)
{
  HOTPATH_MEASURE ();

  if (n < 2)
    return FALSE;
  for (guint d = 2; d * d <= n; d++)
    if (n % d == 0)
      return FALSE;

  return TRUE;
}

static void
save_progress (void)
{
  HOTPATH_MEASURE ();

  g_usleep (200);
}

int
main (int   argc,
      char *argv[])
{
  HOTPATH_MAIN (.reporter = HOTPATH_REPORTER (json_file_reporter_new (argc > 1 ? argv[1] : "hotpath-report.json")));
  guint primes = 0;

  for (guint n = 0; n < 1000; n++)
    {
      if (is_prime (n))
        primes++;
      if (n % 100 == 0)
        save_progress ();
    }

  return primes == 168 ? 0 : 1;
}
