/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * csv-reporter: a custom HotpathReporter. CsvReporter replaces the built-in
 * table with CSV, one row per measured function:
 *
 *   name,calls,total_ns,avg_ns,p50_ns,p95_ns,p99.9_ns
 *
 * one percentile column per percentile of the snapshot (so
 * HOTPATH_PERCENTILES changes the columns), fields quoted as RFC 4180 says
 * when they hold a comma, a quote or a line break. It writes to the file
 * named by the first argument, or to stdout.
 *
 *   build/examples/csv-reporter                 # CSV on stdout
 *   build/examples/csv-reporter report.csv      # CSV in report.csv
 *   HOTPATH_PERCENTILES=0,50,100 build/examples/csv-reporter
 */

#define G_LOG_DOMAIN "csv-reporter"

#include <stdio.h>
#include <string.h>

#include <glib-object.h>
#include <hotpath-glib/hotpath.h>

#define CSV_TYPE_REPORTER (csv_reporter_get_type ())

G_DECLARE_FINAL_TYPE (CsvReporter, csv_reporter, CSV, REPORTER, GObject)

struct _CsvReporter
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

static void csv_reporter_iface_init (HotpathReporterInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CsvReporter, csv_reporter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HOTPATH_TYPE_REPORTER,
                                                      csv_reporter_iface_init))

/* RFC 4180: quote a field that holds a separator, a quote or a line break,
 * and double the quotes inside it. */
static void
append_field (GString    *out,
              const char *field)
{
  if (strpbrk (field, ",\"\r\n") == NULL)
    {
      g_string_append (out, field);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_uint (GString *out,
             guint64  value)
{
  g_string_append_printf (out, ",%" G_GUINT64_FORMAT, value);
}

static char *
csv_reporter_render (HotpathSnapshot *snapshot)
{
  GString *out = g_string_new ("name,calls,total_ns,avg_ns");
  const double *percentiles;
  guint n_percentiles;
  guint n_functions;

  percentiles = hotpath_snapshot_get_percentiles (snapshot, &n_percentiles);
  for (guint p = 0; p < n_percentiles; p++)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *title = NULL;

      /* %g keeps 99.9 as "99.9" and 95 as "95", like the JSON keys. */
      title = g_strdup_printf ("p%s_ns", g_ascii_formatd (buffer, sizeof buffer, "%g", percentiles[p]));
      g_string_append_c (out, ',');
      append_field (out, title);
    }
  g_string_append_c (out, '\n');

  n_functions = hotpath_snapshot_get_n_functions (snapshot);
  for (guint i = 0; i < n_functions; i++)
    {
      HotpathFunctionStats *stats = hotpath_snapshot_get_function (snapshot, i);

      append_field (out, hotpath_function_stats_get_name (stats));
      append_uint (out, hotpath_function_stats_get_calls (stats));
      append_uint (out, hotpath_function_stats_get_total_ns (stats));
      append_uint (out, hotpath_function_stats_get_avg_ns (stats));
      for (guint p = 0; p < n_percentiles; p++)
        append_uint (out, hotpath_function_stats_get_percentile_ns (stats, percentiles[p]));
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}

static gboolean
csv_reporter_report (HotpathReporter  *reporter,
                     HotpathSnapshot  *snapshot,
                     GError          **error)
{
  CsvReporter *self = CSV_REPORTER (reporter);
  g_autofree char *csv = csv_reporter_render (snapshot);
  gsize length = strlen (csv);

  if (self->path != NULL)
    return g_file_set_contents (self->path, csv, (gssize) length, error);

  if (fwrite (csv, 1, length, stdout) != length || fflush (stdout) != 0)
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_IO,
                           "Cannot write the CSV report to stdout");
      return FALSE;
    }

  return TRUE;
}

static void
csv_reporter_iface_init (HotpathReporterInterface *iface)
{
  iface->report = csv_reporter_report;
}

static void
csv_reporter_finalize (GObject *object)
{
  CsvReporter *self = CSV_REPORTER (object);

  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (csv_reporter_parent_class)->finalize (object);
}

static void
csv_reporter_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CsvReporter *self = CSV_REPORTER (object);

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
csv_reporter_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CsvReporter *self = CSV_REPORTER (object);

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
csv_reporter_class_init (CsvReporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = csv_reporter_finalize;
  object_class->get_property = csv_reporter_get_property;
  object_class->set_property = csv_reporter_set_property;

  /**
   * CsvReporter:path: (type filename)
   *
   * The file to write; stdout if %NULL.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
csv_reporter_init (CsvReporter *self)
{
}

static CsvReporter *
csv_reporter_new (const char *path)
{
  return g_object_new (CSV_TYPE_REPORTER, "path", path, NULL);
}

/* The measured program. ------------------------------------------------ */

static guint
parse_record (const char *line)
{
  HOTPATH_MEASURE ();
  g_auto(GStrv) fields = g_strsplit (line, ";", -1);

  return g_strv_length (fields);
}

static guint
checksum (const char *text)
{
  HOTPATH_MEASURE ();

  return g_str_hash (text);
}

static void
write_batch (void)
{
  /* A label with a comma and quotes shows the CSV quoting. */
  HOTPATH_MEASURE_AS ("write \"batch\", flushed");

  g_usleep (100);
}

int
main (int   argc,
      char *argv[])
{
  HOTPATH_MAIN (.percentiles = HOTPATH_PERCENTILES (50, 95, 99.9),
                .reporter = HOTPATH_REPORTER (csv_reporter_new (argc > 1 ? argv[1] : NULL)));
  volatile guint sink = 0;

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *line = g_strdup_printf ("%u;item-%u;%u", i, i, i * 7);

      sink += parse_record (line);
      if (i % 4 == 0)
        sink += checksum (line);
      if (i % 20 == 0)
        write_batch ();
    }

  return sink == 42 ? 1 : 0;
}
