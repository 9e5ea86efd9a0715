/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-compare.c: `hotpath compare BASE.json… HEAD.json…`.
 *
 * Reads JSON reports (HOTPATH_OUTPUT_FORMAT=json, `hotpath record`), lines
 * up their rows by section and name (functions, sources and handlers,
 * futures, main loops, channels, GTK frames; allocations with --metric
 * alloc), takes
 * the median of each side's repeated runs, and prints the change: Markdown
 * ready to post on a merge request by default. Exit status 1 when a row
 * got slower than --threshold percent, so CI can fail on it.
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "hotpath-cli.h"

/* The sections compared, and where each keeps its figures. */
typedef struct
{
  const char *section;
  const char *calls;       /* member counted as calls */
  const char *histogram;   /* member with avg_ns/percentiles_ns/total_ns; NULL: the row */
  const char *total;       /* member with the total time; NULL: the histogram's */
  const char *label;       /* for people */
} SectionSpec;

static const SectionSpec time_sections[] = {
  { "functions_timing", "calls",      NULL,                "total_ns", "function" },
  { "sources",          "dispatches", "duration_ns",       "total_ns", "source" },
  { "futures",          "created",    "lifetime_ns",       NULL,       "future" },
  { "main_loop",        "iterations", "iteration_busy_ns", "busy_ns",  "main loop" },
  { "channels",         "received",   "latency_ns",        NULL,       "channel" },
  { "frames",           "frames",     "frame_time_ns",     NULL,       "frames" },
};

static const SectionSpec alloc_section = { "functions_alloc", "calls", "bytes", NULL, "allocations" };

typedef struct
{
  char   *section;
  char   *label;
  char   *name;
  GArray *calls;    /* double, one per run that has the row */
  GArray *values;
  GArray *totals;
} Samples;

typedef struct
{
  GHashTable *rows;        /* "section\nname" -> Samples */
  GArray     *elapsed;     /* double, one per run */
  char       *program;
  guint       runs;
} Side;

typedef enum
{
  STATUS_SAME,
  STATUS_REGRESSION,
  STATUS_IMPROVEMENT,
  STATUS_NEW,
  STATUS_REMOVED,
} Status;

typedef struct
{
  const Samples *base;
  const Samples *head;
  double         base_calls, head_calls;
  double         base_value, head_value;
  double         base_total, head_total;
  double         change;        /* percent; NAN when not comparable */
  Status         status;
} Row;

static void
samples_free (gpointer data)
{
  Samples *self = data;

  g_free (self->section);
  g_free (self->label);
  g_free (self->name);
  g_array_unref (self->calls);
  g_array_unref (self->values);
  g_array_unref (self->totals);
  g_free (self);
}

static void
side_init (Side *side)
{
  side->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, samples_free);
  side->elapsed = g_array_new (FALSE, FALSE, sizeof (double));
  side->program = NULL;
  side->runs = 0;
}

static void
side_clear (Side *side)
{
  g_clear_pointer (&side->rows, g_hash_table_unref);
  g_clear_pointer (&side->elapsed, g_array_unref);
  g_clear_pointer (&side->program, g_free);
}

static gboolean
number_member (JsonObject *object,
               const char *name,
               double     *out)
{
  JsonNode *node = object != NULL && name != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *out = (double) json_node_get_int (node);
      return TRUE;
    case G_TYPE_DOUBLE:
      *out = json_node_get_double (node);
      return TRUE;
    default:
      return FALSE;
    }
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* @metric: "avg", "total", "alloc" or "p<rank>". */
static gboolean
row_value (JsonObject        *row,
           const SectionSpec *spec,
           const char        *metric,
           double            *value)
{
  JsonObject *histogram = spec->histogram != NULL ? object_member (row, spec->histogram) : row;

  if (histogram == NULL)
    return FALSE;

  if (strcmp (metric, "alloc") == 0)
    return number_member (histogram, "avg", value);
  if (strcmp (metric, "avg") == 0)
    return number_member (histogram, "avg_ns", value);
  if (strcmp (metric, "total") == 0)
    return (spec->total != NULL && number_member (row, spec->total, value)) ||
           number_member (histogram, "total_ns", value);

  return number_member (object_member (histogram, "percentiles_ns"), metric, value);
}

static void
add_section (Side              *side,
             JsonObject        *sections,
             const SectionSpec *spec,
             const char        *metric,
             guint             *n_missing_metric)
{
  JsonObject *section = object_member (sections, spec->section);
  JsonNode *data = section != NULL ? json_object_get_member (section, "data") : NULL;
  JsonArray *rows;

  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    return;

  rows = json_node_get_array (data);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode *node = json_array_get_element (rows, i);
      JsonObject *row = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *name = row != NULL ? json_object_get_string_member_with_default (row, "name", NULL) : NULL;
      double calls = 0, value = 0, total = 0;
      g_autofree char *key = NULL;
      Samples *samples;

      if (name == NULL)
        continue;
      if (!row_value (row, spec, metric, &value))
        {
          (*n_missing_metric)++;
          continue;
        }
      number_member (row, spec->calls, &calls);
      if (!row_value (row, spec, strcmp (metric, "alloc") == 0 ? "alloc" : "total", &total))
        total = value * calls;
      if (strcmp (metric, "alloc") == 0)
        total = value * calls;

      key = g_strdup_printf ("%s\n%s", spec->section, name);
      samples = g_hash_table_lookup (side->rows, key);
      if (samples == NULL)
        {
          samples = g_new0 (Samples, 1);
          samples->section = g_strdup (spec->section);
          samples->label = g_strdup (spec->label);
          samples->name = g_strdup (name);
          samples->calls = g_array_new (FALSE, FALSE, sizeof (double));
          samples->values = g_array_new (FALSE, FALSE, sizeof (double));
          samples->totals = g_array_new (FALSE, FALSE, sizeof (double));
          g_hash_table_insert (side->rows, g_steal_pointer (&key), samples);
        }
      g_array_append_val (samples->calls, calls);
      g_array_append_val (samples->values, value);
      g_array_append_val (samples->totals, total);
    }
}

static gboolean
side_add_file (Side        *side,
               const char  *path,
               const char  *metric,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *report;
  JsonObject *sections;
  guint n_missing_metric = 0;
  double elapsed;

  if (!json_parser_load_from_file (parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  report = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (report == NULL ||
      g_strcmp0 (json_object_get_string_member_with_default (report, "type", NULL), "hotpath_report") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s is not a hotpath JSON report (record one with `hotpath record -o FILE`, "
                   "or HOTPATH_OUTPUT_FORMAT=json)", path);
      return FALSE;
    }

  sections = object_member (report, "sections");
  if (strcmp (metric, "alloc") == 0)
    {
      if (object_member (sections, alloc_section.section) == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s has no allocations (record with `hotpath record --alloc`)", path);
          return FALSE;
        }
      add_section (side, sections, &alloc_section, metric, &n_missing_metric);
    }
  else
    for (guint i = 0; i < G_N_ELEMENTS (time_sections); i++)
      add_section (side, sections, &time_sections[i], metric, &n_missing_metric);

  if (n_missing_metric > 0 && g_hash_table_size (side->rows) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s has no %s (record with HOTPATH_PERCENTILES including %s)",
                   path, metric, metric + 1);
      return FALSE;
    }

  if (number_member (report, "elapsed_ns", &elapsed))
    g_array_append_val (side->elapsed, elapsed);
  if (side->program == NULL)
    side->program = g_strdup (json_object_get_string_member_with_default (report, "program", "program"));
  side->runs++;

  return TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The median damps a noisy run: CI machines are. */
static double
median (GArray *values)
{
  g_autoptr(GArray) sorted = NULL;
  guint n = values->len;

  if (n == 0)
    return 0;

  sorted = g_array_copy (values);
  g_array_sort (sorted, compare_doubles);
  if (n % 2 == 1)
    return g_array_index (sorted, double, n / 2);

  return (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
}

/* ------------------------------------------------------------ output */

static char *
format_value (double      value,
              const char *metric)
{
  if (strcmp (metric, "alloc") == 0)
    {
      if (value < 1024)
        return g_strdup_printf ("%.0f B", value);
      if (value < 1024 * 1024)
        return g_strdup_printf ("%.2f KiB", value / 1024);
      return g_strdup_printf ("%.2f MiB", value / (1024 * 1024));
    }

  if (value < 1e3)
    return g_strdup_printf ("%.0f ns", value);
  if (value < 1e6)
    return g_strdup_printf ("%.2f µs", value / 1e3);
  if (value < 1e9)
    return g_strdup_printf ("%.2f ms", value / 1e6);
  return g_strdup_printf ("%.2f s", value / 1e9);
}

static char *
format_change (double change)
{
  if (isnan (change))
    return g_strdup ("");
  return g_strdup_printf (" (%+.1f%%)", change);
}

static const char *
status_mark (Status status)
{
  switch (status)
    {
    case STATUS_REGRESSION:  return "⚠️";
    case STATUS_IMPROVEMENT: return "🚀";
    case STATUS_NEW:         return "🆕";
    case STATUS_REMOVED:     return "➖";
    case STATUS_SAME:
    default:                 return "";
    }
}

static const char *
status_name (Status status)
{
  switch (status)
    {
    case STATUS_REGRESSION:  return "regression";
    case STATUS_IMPROVEMENT: return "improvement";
    case STATUS_NEW:         return "new";
    case STATUS_REMOVED:     return "removed";
    case STATUS_SAME:
    default:                 return "same";
    }
}

static char *
row_cell (const Row  *row,
          const char *metric)
{
  g_autofree char *base = format_value (row->base_value, metric);
  g_autofree char *head = format_value (row->head_value, metric);
  g_autofree char *change = format_change (row->change);

  if (row->status == STATUS_NEW)
    return g_strdup_printf ("%s (new)", head);
  if (row->status == STATUS_REMOVED)
    return g_strdup_printf ("%s (removed)", base);

  return g_strdup_printf ("%s → %s%s", base, head, change);
}

static char *
calls_cell (const Row *row)
{
  if (row->status == STATUS_NEW)
    return g_strdup_printf ("%.0f", row->head_calls);
  if (row->status == STATUS_REMOVED)
    return g_strdup_printf ("%.0f", row->base_calls);
  return g_strdup_printf ("%.0f → %.0f", row->base_calls, row->head_calls);
}

/* Names may hold anything a symbol or a label can: keep the table whole. */
static char *
markdown_code (const char *text)
{
  g_autoptr(GString) out = g_string_new ("`");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '`')
        g_string_append_c (out, '\'');
      else if (*p == '|')
        g_string_append (out, "\\|");
      else if (*p == '\n' || *p == '\r')
        g_string_append_c (out, ' ');
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '`');

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
markdown_rows (GString    *out,
               GPtrArray  *rows,
               guint       max,
               const char *metric)
{
  g_string_append_printf (out, "| | Section | Name | Calls | %s |\n|---|---|---|---:|---:|\n", metric);
  for (guint i = 0; i < rows->len && i < max; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);
      const Samples *samples = row->head != NULL ? row->head : row->base;
      g_autofree char *name = markdown_code (samples->name);
      g_autofree char *calls = calls_cell (row);
      g_autofree char *cell = row_cell (row, metric);

      g_string_append_printf (out, "| %s | %s | %s | %s | %s |\n", status_mark (row->status),
                              samples->label, name, calls, cell);
    }
}

static char *
render_markdown (GPtrArray  *rows,
                 const Side *base,
                 const Side *head,
                 const char *metric,
                 double      threshold,
                 guint       regressions,
                 guint       improvements)
{
  g_autoptr(GString) out = g_string_new ("<!-- hotpath-compare -->\n");
  g_autoptr(GPtrArray) notable = g_ptr_array_new ();
  double base_elapsed = median (base->elapsed), head_elapsed = median (head->elapsed);
  g_autofree char *before = format_value (base_elapsed, "avg");
  g_autofree char *after = format_value (head_elapsed, "avg");
  g_autofree char *change = format_change (base_elapsed > 0 ? (head_elapsed - base_elapsed) / base_elapsed * 100 : NAN);

  g_string_append_printf (out, "### Performance comparison: %s, base → head\n\n", head->program);
  if (regressions > 0)
    g_string_append_printf (out, "⚠️ **%u regression%s** beyond +%g%% (%s)", regressions,
                            regressions == 1 ? "" : "s", threshold, metric);
  else
    g_string_append_printf (out, "✅ **No regression** beyond +%g%% (%s)", threshold, metric);
  if (improvements > 0)
    g_string_append_printf (out, ", 🚀 %u improvement%s", improvements, improvements == 1 ? "" : "s");
  g_string_append_printf (out, " · elapsed %s → %s%s · base: %u run%s, head: %u run%s (medians)\n\n",
                          before, after, change, base->runs, base->runs == 1 ? "" : "s",
                          head->runs, head->runs == 1 ? "" : "s");

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = g_ptr_array_index (rows, i);

      if (row->status != STATUS_SAME)
        g_ptr_array_add (notable, row);
    }
  if (notable->len > 0)
    markdown_rows (out, notable, 20, metric);
  else
    g_string_append (out, "Every row is within the threshold.\n");

  g_string_append_printf (out, "\n<details><summary>All %u rows</summary>\n\n", rows->len);
  markdown_rows (out, rows, G_MAXUINT, metric);
  g_string_append (out, "\n</details>\n");

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
render_table (GPtrArray  *rows,
              const char *metric,
              double      threshold,
              guint       regressions)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint name_width = 4, label_width = 7;

  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);
      const Samples *samples = row->head != NULL ? row->head : row->base;

      name_width = MAX (name_width, g_utf8_strlen (samples->name, -1));
      label_width = MAX (label_width, strlen (samples->label));
    }
  name_width = MIN (name_width, 60);

  g_string_append_printf (out, "%-*s  %-*s  %-12s  %-16s  %s\n", (int) label_width, "Section",
                          (int) name_width, "Name", "Status", "Calls", metric);
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);
      const Samples *samples = row->head != NULL ? row->head : row->base;
      g_autofree char *calls = calls_cell (row);
      g_autofree char *cell = row_cell (row, metric);

      g_string_append_printf (out, "%-*s  %-*.*s  %-12s  %-16s  %s\n", (int) label_width, samples->label,
                              (int) name_width, (int) name_width, samples->name,
                              status_name (row->status), calls, cell);
    }
  g_string_append_printf (out, "%u regression%s beyond +%g%%\n", regressions,
                          regressions == 1 ? "" : "s", threshold);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
render_json (GPtrArray  *rows,
             const char *metric,
             double      threshold,
             guint       regressions)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "hotpath_compare");
  json_builder_set_member_name (builder, "metric");
  json_builder_add_string_value (builder, metric);
  json_builder_set_member_name (builder, "threshold_percent");
  json_builder_add_double_value (builder, threshold);
  json_builder_set_member_name (builder, "regressions");
  json_builder_add_int_value (builder, regressions);
  json_builder_set_member_name (builder, "rows");
  json_builder_begin_array (builder);
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);
      const Samples *samples = row->head != NULL ? row->head : row->base;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "section");
      json_builder_add_string_value (builder, samples->section);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, samples->name);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, status_name (row->status));
      if (row->base != NULL)
        {
          json_builder_set_member_name (builder, "base");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "calls");
          json_builder_add_double_value (builder, row->base_calls);
          json_builder_set_member_name (builder, "value");
          json_builder_add_double_value (builder, row->base_value);
          json_builder_end_object (builder);
        }
      if (row->head != NULL)
        {
          json_builder_set_member_name (builder, "head");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "calls");
          json_builder_add_double_value (builder, row->head_calls);
          json_builder_set_member_name (builder, "value");
          json_builder_add_double_value (builder, row->head_value);
          json_builder_end_object (builder);
        }
      json_builder_set_member_name (builder, "change_percent");
      if (isnan (row->change))
        json_builder_add_null_value (builder);
      else
        json_builder_add_double_value (builder, row->change);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);

  return json_generator_to_data (generator, NULL);
}

/* Largest change of total time first: what the change costs the program. */
static int
compare_impact (gconstpointer a,
                gconstpointer b)
{
  const Row *x = *(Row * const *) a, *y = *(Row * const *) b;
  double dx = fabs (x->head_total - x->base_total), dy = fabs (y->head_total - y->base_total);

  if ((x->status == STATUS_REGRESSION) != (y->status == STATUS_REGRESSION))
    return x->status == STATUS_REGRESSION ? -1 : 1;

  if (dx != dy)
    return (dx < dy) - (dx > dy);

  /* Ties in a stable order: section, then name. */
  {
    const Samples *sx = x->head != NULL ? x->head : x->base;
    const Samples *sy = y->head != NULL ? y->head : y->base;
    int by_section = strcmp (sx->section, sy->section);

    return by_section != 0 ? by_section : strcmp (sx->name, sy->name);
  }
}

int
hotpath_cli_compare (int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) files = NULL;
  g_autofree char *metric_option = NULL;
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  g_autofree char *metric = NULL;
  double threshold = 20;
  double ignore_below = 0;
  const GOptionEntry entries[] = {
    { "threshold", 0, 0, G_OPTION_ARG_DOUBLE, &threshold,
      "A row slower by more than PCT percent is a regression (default 20)", "PCT" },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric_option,
      "avg, p50, p95 (any recorded percentile), total, or alloc (bytes per call; needs --alloc)", "METRIC" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      "markdown (default, for a merge-request comment), table or json", "FORMAT" },
    { "ignore-below", 0, 0, G_OPTION_ARG_DOUBLE, &ignore_below,
      "Rows under this value (ns, or bytes) on both sides are never regressions", "VALUE" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "Write to FILE instead of standard output", "FILE" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };
  Side base, head;
  guint n_files, n_base, regressions = 0, improvements = 0;
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer key;

  context = g_option_context_new ("BASE.json HEAD.json | B1.json… H1.json…");
  g_option_context_set_summary (context,
    "Compares two JSON reports row by row (functions, sources, futures, main loops, channels).\n"
    "With more files, the first half is the base and the second half the head; each side's\n"
    "runs are combined by their median. Exit status 1 when a row regressed beyond --threshold,\n"
    "2 on bad input.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      hotpath_cli_error ("%s", error->message);
      return 2;
    }

  metric = g_strdup (metric_option != NULL ? metric_option : "avg");
  if (strcmp (metric, "avg") != 0 && strcmp (metric, "total") != 0 && strcmp (metric, "alloc") != 0)
    {
      char *end = NULL;
      double rank = metric[0] == 'p' ? g_ascii_strtod (metric + 1, &end) : -1;

      if (end == NULL || *end != '\0' || end == metric + 1 || rank <= 0 || rank > 100)
        {
          hotpath_cli_error ("--metric must be avg, p50, p95 (any pN), total or alloc, not '%s'", metric);
          return 2;
        }
    }
  if (format == NULL)
    format = g_strdup ("markdown");
  if (strcmp (format, "markdown") != 0 && strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    {
      hotpath_cli_error ("--format must be markdown, table or json, not '%s'", format);
      return 2;
    }
  if (!(threshold >= 0))
    {
      hotpath_cli_error ("--threshold must be a percentage of 0 or more");
      return 2;
    }

  /* The first half is the base, the second the head. */
  n_files = files != NULL ? g_strv_length (files) : 0;
  if (n_files < 2 || n_files % 2 == 1)
    {
      hotpath_cli_error ("compare needs BASE.json HEAD.json, or as many base reports as head "
                         "reports (B1.json B2.json H1.json H2.json)");
      return 2;
    }
  n_base = n_files / 2;

  side_init (&base);
  side_init (&head);
  for (guint i = 0; i < n_files; i++)
    {
      if (!side_add_file (i < n_base ? &base : &head, files[i], metric, &error))
        {
          hotpath_cli_error ("%s", error->message);
          side_clear (&base);
          side_clear (&head);
          return 2;
        }
    }
  if (base.runs == 0 || head.runs == 0)
    {
      hotpath_cli_error ("compare needs at least one report on each side");
      side_clear (&base);
      side_clear (&head);
      return 2;
    }

  g_hash_table_iter_init (&iter, base.rows);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (keys, key);
  g_hash_table_iter_init (&iter, head.rows);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (keys, key);

  g_hash_table_iter_init (&iter, keys);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Row *row = g_new0 (Row, 1);

      row->base = g_hash_table_lookup (base.rows, key);
      row->head = g_hash_table_lookup (head.rows, key);
      row->change = NAN;
      if (row->base != NULL)
        {
          row->base_calls = median (row->base->calls);
          row->base_value = median (row->base->values);
          row->base_total = median (row->base->totals);
        }
      if (row->head != NULL)
        {
          row->head_calls = median (row->head->calls);
          row->head_value = median (row->head->values);
          row->head_total = median (row->head->totals);
        }

      if (row->base == NULL)
        row->status = STATUS_NEW;
      else if (row->head == NULL)
        row->status = STATUS_REMOVED;
      else
        {
          if (row->base_value > 0)
            row->change = (row->head_value - row->base_value) / row->base_value * 100;
          else if (row->head_value > 0)
            row->change = INFINITY;
          else
            row->change = 0;

          if (row->base_value < ignore_below && row->head_value < ignore_below)
            row->status = STATUS_SAME;
          else if (row->change > threshold)
            row->status = STATUS_REGRESSION;
          else if (row->change < -threshold)
            row->status = STATUS_IMPROVEMENT;
          else
            row->status = STATUS_SAME;
        }

      regressions += row->status == STATUS_REGRESSION;
      improvements += row->status == STATUS_IMPROVEMENT;
      g_ptr_array_add (rows, row);
    }
  g_ptr_array_sort (rows, compare_impact);

  if (strcmp (format, "markdown") == 0)
    text = render_markdown (rows, &base, &head, metric, threshold, regressions, improvements);
  else if (strcmp (format, "table") == 0)
    text = render_table (rows, metric, threshold, regressions);
  else
    text = render_json (rows, metric, threshold, regressions);

  if (output != NULL)
    {
      if (!g_file_set_contents (output, text, -1, &error))
        {
          hotpath_cli_error ("%s", error->message);
          side_clear (&base);
          side_clear (&head);
          return 2;
        }
    }
  else
    {
      fputs (text, stdout);
      if (strcmp (format, "json") == 0)
        fputc ('\n', stdout);
    }

  side_clear (&base);
  side_clear (&head);

  return regressions > 0 ? 1 : 0;
}
