/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-schema.c: the report JSON Schema and the validator the other suites
 * use to check every route against it. Each rule of the schema that guards
 * against drift gets a case that breaks it.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "hotpath-test-schema.h"

#ifndef HOTPATH_SCHEMA_PATH
# error "Build with -DHOTPATH_SCHEMA_PATH=\"…/data/hotpath-report.schema.json\""
#endif

/* The example in docs/json.md; keep them in step. */
static const char example_report[] =
  "{\"type\":\"hotpath_report\",\"version\":1,\"program\":\"basic\",\"pid\":1234,\"elapsed_ns\":123456789,"
  " \"clock\":{\"source\":\"tsc\",\"ticks_per_second\":2596140000},"
  " \"sections\":{\"functions_timing\":{\"percentiles\":[50,95,99.9],\"total_count\":3,\"limit\":15,"
  "   \"data\":[{\"id\":1,\"name\":\"basic::slow_function\",\"file\":\"../examples/basic.c\",\"line\":42,"
  "            \"calls\":100,\"total_ns\":105000000,\"avg_ns\":1050000,\"min_ns\":1000000,\"max_ns\":1200000,"
  "            \"percentiles_ns\":{\"p50\":1040000,\"p95\":1100000,\"p99.9\":1190000},\"percent_total\":85.03}]}}}";

static const char example_logs[] =
  "{\"id\":1,\"name\":\"basic::slow_function\",\"logs\":["
  "{\"index\":0,\"duration_ns\":123,\"end_ns\":456,\"thread_id\":789},"
  "{\"index\":1,\"duration_ns\":0,\"end_ns\":999,\"thread_id\":789}]}";

/* $HOTPATH_TEST_SCHEMA beats the build, as in hotpath_test_assert_valid_json(). */
static const char *schema_path;

/* Helpers --------------------------------------------------------------- */

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);

  return json_parser_steal_root (parser);
}

static char *
replace_once (const char *text,
              const char *from,
              const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);

  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

static JsonObject *
member_object (JsonNode   *root,
               const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonObject *object = json_node_get_object (root);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (g_str_equal (parts[i], "data[0]"))
        object = json_array_get_object_element (json_object_get_array_member (object, "data"), 0);
      else
        object = json_object_get_object_member (object, parts[i]);
      g_assert_nonnull (object);
    }

  return object;
}

static JsonObject *
first_row (JsonNode *report)
{
  return member_object (report, "sections.functions_timing.data[0]");
}

/* Fails with the whole message when it does not start with @prefix: the
 * JSON path comes first, so the prefix pins where the error was found. */
static void
assert_error_prefix (const GError *error,
                     int           code,
                     const char   *prefix)
{
  g_assert_nonnull (error);
  if (!g_error_matches (error, HOTPATH_TEST_SCHEMA_ERROR, code))
    g_test_message ("unexpected error: %s", error->message);
  g_assert_error (error, HOTPATH_TEST_SCHEMA_ERROR, code);
  if (!g_str_has_prefix (error->message, prefix))
    g_assert_cmpstr (error->message, ==, prefix);
}

static void
assert_valid (JsonNode   *instance,
              const char *def_name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = json_to_string (instance, FALSE);

  hotpath_test_schema_validate (instance, schema_path, def_name, &error);
  g_assert_no_error (error);

  /* Also through the serialized form the routes produce. */
  hotpath_test_assert_valid_json (text, def_name);
}

static void
assert_invalid (JsonNode   *instance,
                const char *def_name,
                const char *prefix)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (hotpath_test_schema_validate (instance, schema_path, def_name, &error));
  assert_error_prefix (error, HOTPATH_TEST_SCHEMA_ERROR_INVALID, prefix);
}

/* Validates against a throwaway schema file. */
static gboolean
validate_with_schema (const char  *schema_text,
                      const char  *json,
                      const char  *def_name,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  gboolean ret;
  int fd;

  fd = g_file_open_tmp ("hotpath-test-schema-XXXXXX.json", &path, &local_error);
  g_assert_no_error (local_error);
  g_close (fd, NULL);
  g_file_set_contents (path, schema_text, -1, &local_error);
  g_assert_no_error (local_error);

  ret = hotpath_test_schema_validate_string (json, path, def_name, error);

  g_unlink (path);

  return ret;
}

static void
assert_schema_rejected (const char *schema_text,
                        int         code,
                        const char *needle)
{
  g_autoptr(GError) error = NULL;

  /* The instance is valid under any reading; only the schema is at fault. */
  g_assert_false (validate_with_schema (schema_text, "{}", NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_error (error, HOTPATH_TEST_SCHEMA_ERROR, code);
  if (strstr (error->message, needle) == NULL)
    g_assert_cmpstr (error->message, ==, needle);
}

/* The schema file ------------------------------------------------------- */

static void
test_schema_is_json (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  json_parser_load_from_file (parser, schema_path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "$schema"), ==,
                   "https://json-schema.org/draft/2020-12/schema");
  g_assert_true (json_object_has_member (json_object_get_object_member (root, "$defs"), "section"));
  g_assert_true (json_object_has_member (json_object_get_object_member (root, "$defs"), "function_logs"));
}

static void
check_descriptions (JsonObject *schema,
                    const char *where)
{
  static const char * const maps[] = { "properties", "patternProperties", "$defs" };
  static const char * const subschemas[] = { "items", "additionalProperties" };

  for (guint m = 0; m < G_N_ELEMENTS (maps); m++)
    {
      JsonObject *map;
      GList *names;

      if (!json_object_has_member (schema, maps[m]))
        continue;

      map = json_object_get_object_member (schema, maps[m]);
      names = json_object_get_members (map);
      for (const GList *l = names; l != NULL; l = l->next)
        {
          g_autofree char *child_where = g_strdup_printf ("%s/%s/%s", where, maps[m], (const char *) l->data);
          JsonObject *child = json_object_get_object_member (map, l->data);

          g_assert_nonnull (child);
          if (!json_object_has_member (child, "description"))
            g_assert_cmpstr (child_where, ==, "a schema with a description");
          check_descriptions (child, child_where);
        }
      g_list_free (names);
    }

  for (guint s = 0; s < G_N_ELEMENTS (subschemas); s++)
    {
      JsonNode *child = json_object_get_member (schema, subschemas[s]);

      if (child != NULL && JSON_NODE_HOLDS_OBJECT (child))
        {
          g_autofree char *child_where = g_strdup_printf ("%s/%s", where, subschemas[s]);

          check_descriptions (json_node_get_object (child), child_where);
        }
    }
}

static void
test_schema_descriptions (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, schema_path, &error);
  g_assert_no_error (error);

  check_descriptions (json_node_get_object (json_parser_get_root (parser)), "#");
}

/* The report ------------------------------------------------------------ */

static void
test_schema_valid_report (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) report = parse (example_report);

  g_assert_true (hotpath_test_schema_validate_string (example_report, schema_path, NULL, &error));
  g_assert_no_error (error);

  hotpath_test_assert_valid_json (example_report, NULL);
  assert_valid (report, NULL);
}

static void
test_schema_valid_variants (void)
{
  g_autoptr(JsonNode) report = parse (example_report);
  JsonObject *row = first_row (report);
  JsonObject *clock = member_object (report, "clock");
  JsonObject *timing = member_object (report, "sections.functions_timing");
  g_autoptr(JsonNode) empty = NULL;

  /* measure-all functions have no file */
  json_object_set_null_member (row, "file");
  json_object_set_int_member (row, "line", 0);
  json_object_set_double_member (row, "percent_total", 0.0);
  json_object_set_int_member (row, "calls", 0);
  json_object_set_string_member (clock, "source", "monotonic");
  json_object_set_double_member (clock, "ticks_per_second", 1e9);
  json_object_set_array_member (timing, "percentiles", json_array_new ());
  json_object_set_object_member (row, "percentiles_ns", json_object_new ());
  assert_valid (report, NULL);

  json_object_set_string_member (clock, "source", "fake");
  json_object_set_int_member (clock, "ticks_per_second", 1000000000);
  assert_valid (report, NULL);

  empty = parse ("{\"type\":\"hotpath_report\",\"version\":1,\"program\":\"\",\"pid\":1,\"elapsed_ns\":0,"
                 "\"clock\":{\"source\":\"monotonic\",\"ticks_per_second\":1e9},"
                 "\"sections\":{\"functions_timing\":{\"percentiles\":[0,100],\"total_count\":0,\"limit\":0,\"data\":[]}}}");
  assert_valid (empty, NULL);
}

static void
test_schema_missing_required (void)
{
  g_autoptr(JsonNode) report = parse (example_report);
  g_autoptr(JsonNode) no_section = parse (example_report);
  g_autoptr(JsonNode) no_file = parse (example_report);

  json_object_remove_member (first_row (report), "calls");
  assert_invalid (report, NULL,
                  "$.sections.functions_timing.data[0].calls: required property is missing");

  json_object_remove_member (json_node_get_object (report), "pid");
  assert_invalid (report, NULL, "$.pid: required property is missing");

  json_object_remove_member (member_object (no_section, "sections"), "functions_timing");
  assert_invalid (no_section, NULL, "$.sections.functions_timing: required property is missing");

  /* null is allowed, absence is not */
  json_object_remove_member (first_row (no_file), "file");
  assert_invalid (no_file, NULL, "$.sections.functions_timing.data[0].file: required property is missing");
}

static void
test_schema_wrong_type (void)
{
  g_autoptr(JsonNode) report = parse (example_report);
  g_autoptr(JsonNode) pid = parse (example_report);
  g_autoptr(JsonNode) clock = parse (example_report);

  json_object_set_string_member (first_row (report), "calls", "100");
  assert_invalid (report, NULL,
                  "$.sections.functions_timing.data[0].calls: expected integer, got string \"100\"");

  json_object_set_string_member (json_node_get_object (pid), "pid", "1234");
  assert_invalid (pid, NULL, "$.pid: expected integer");

  json_object_set_array_member (json_node_get_object (clock), "clock", json_array_new ());
  assert_invalid (clock, NULL, "$.clock: expected object, got an array");
}

static void
test_schema_fraction (void)
{
  g_autoptr(JsonNode) report = parse (example_report);
  g_autoptr(JsonNode) integral_double = parse (example_report);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_object_set_double_member (first_row (report), "calls", 1.5);
  assert_invalid (report, NULL,
                  "$.sections.functions_timing.data[0].calls: expected integer, got number 1.5");

  /* Stricter than the specification on purpose: a double in a count is a
   * route using the wrong builder call, even when it happens to be whole. */
  json_object_set_double_member (first_row (integral_double), "total_ns", 105000000.0);
  assert_invalid (integral_double, NULL,
                  "$.sections.functions_timing.data[0].total_ns: expected integer, got number");

  /* The same through text, as a route would write it. */
  text = replace_once (example_report, "\"version\":1,", "\"version\":1.0,");
  g_assert_false (hotpath_test_schema_validate_string (text, schema_path, NULL, &error));
  assert_error_prefix (error, HOTPATH_TEST_SCHEMA_ERROR_INVALID, "$.version: expected integer, got number 1.0");
}

static void
test_schema_negative (void)
{
  g_autoptr(JsonNode) report = parse (example_report);
  g_autoptr(JsonNode) pid = parse (example_report);
  g_autoptr(JsonNode) ticks = parse (example_report);
  g_autoptr(JsonNode) percentile = parse (example_report);
  g_autoptr(JsonNode) percent = parse (example_report);
  g_autoptr(JsonNode) elapsed = parse (example_report);

  json_object_set_int_member (first_row (report), "calls", -1);
  assert_invalid (report, NULL,
                  "$.sections.functions_timing.data[0].calls: -1 is less than the minimum 0");

  json_object_set_int_member (json_node_get_object (elapsed), "elapsed_ns", -5);
  assert_invalid (elapsed, NULL, "$.elapsed_ns: -5 is less than the minimum 0");

  json_object_set_int_member (json_node_get_object (pid), "pid", 0);
  assert_invalid (pid, NULL, "$.pid: 0 is less than the minimum 1");

  json_object_set_int_member (member_object (ticks, "clock"), "ticks_per_second", 0);
  assert_invalid (ticks, NULL,
                  "$.clock.ticks_per_second: 0 is not greater than the exclusive minimum 0");

  json_array_add_double_element (json_object_get_array_member (member_object (percentile, "sections.functions_timing"),
                                                               "percentiles"), 100.5);
  assert_invalid (percentile, NULL,
                  "$.sections.functions_timing.percentiles[3]: 100.5 is greater than the maximum 100");

  json_object_set_double_member (first_row (percent), "percent_total", -0.5);
  assert_invalid (percent, NULL,
                  "$.sections.functions_timing.data[0].percent_total: -0.5 is less than the minimum 0");
}

static void
test_schema_extra_field (void)
{
  static const char * const places[] = {
    "",
    "clock",
    "sections.functions_timing",
    "sections.functions_timing.data[0]",
    "sections.functions_timing.data[0].percentiles_ns",
  };

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      g_autoptr(JsonNode) report = parse (example_report);
      g_autofree char *prefix = NULL;
      JsonObject *object;

      object = places[i][0] ? member_object (report, places[i]) : json_node_get_object (report);
      json_object_set_int_member (object, "bogus", 1);

      prefix = g_strdup_printf ("$%s%s.bogus: ", places[i][0] ? "." : "", places[i]);
      assert_invalid (report, NULL, prefix);
    }
}

static void
test_schema_percentile_key (void)
{
  static const struct {
    const char *key;
    const char *path; /* how the error names it */
  } bad[] = {
    { "p9x", ".p9x" },
    { "p", ".p" },
    { "P50", ".P50" },
    { "50", "[\"50\"]" },
    { "p50.", "[\"p50.\"]" },
    { "p.5", "[\"p.5\"]" },
    { "p50 ", "[\"p50 \"]" },
  };
  static const char * const good[] = { "p0", "p100", "p99.99" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) report = parse (example_report);
      g_autofree char *prefix = NULL;

      json_object_set_int_member (json_object_get_object_member (first_row (report), "percentiles_ns"),
                                  bad[i].key, 1);
      prefix = g_strdup_printf ("$.sections.functions_timing.data[0].percentiles_ns%s: property not allowed",
                                bad[i].path);
      assert_invalid (report, NULL, prefix);
    }

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(JsonNode) report = parse (example_report);

      json_object_set_int_member (json_object_get_object_member (first_row (report), "percentiles_ns"),
                                  good[i], 1);
      assert_valid (report, NULL);
    }

  /* A matching key still has its value checked. */
  {
    g_autoptr(JsonNode) report = parse (example_report);

    json_object_set_double_member (json_object_get_object_member (first_row (report), "percentiles_ns"),
                                   "p95", 1.5);
    assert_invalid (report, NULL,
                    "$.sections.functions_timing.data[0].percentiles_ns.p95: expected integer");
  }
}

static void
test_schema_unknown_section (void)
{
  g_autoptr(JsonNode) report = parse (example_report);
  JsonObject *sections = member_object (report, "sections");
  JsonObject *sprites = json_object_new ();

  /* Sections the schema does not describe yet take any object. */
  json_object_set_int_member (sprites, "anything", 1);
  json_object_set_object_member (sections, "sprites", sprites);
  json_object_set_object_member (sections, "widgets", json_object_new ());
  assert_valid (report, NULL);

  /* Described ones do not. */
  json_object_set_object_member (sections, "gauges", json_object_new ());
  assert_invalid (report, NULL, "$.sections.gauges.total_count: required property is missing");
  json_object_remove_member (sections, "gauges");
  json_object_set_object_member (sections, "channels", json_object_new ());
  assert_invalid (report, NULL, "$.sections.channels.total_count: required property is missing");
  json_object_remove_member (sections, "channels");

  json_object_set_array_member (sections, "widgets", json_array_new ());
  assert_invalid (report, NULL, "$.sections.widgets: expected object, got an array (schema #/$defs/section/type)");

  json_object_set_int_member (sections, "widgets", 3);
  assert_invalid (report, NULL, "$.sections.widgets: expected object, got integer 3");
}

static void
test_schema_enum_const (void)
{
  g_autoptr(JsonNode) type = parse (example_report);
  g_autoptr(JsonNode) version = parse (example_report);
  g_autoptr(JsonNode) source = parse (example_report);

  json_object_set_string_member (json_node_get_object (type), "type", "hotpath_snapshot");
  assert_invalid (type, NULL, "$.type: expected \"hotpath_report\", got \"hotpath_snapshot\"");

  json_object_set_int_member (json_node_get_object (version), "version", 2);
  assert_invalid (version, NULL, "$.version: expected 1, got 2");

  json_object_set_string_member (member_object (source, "clock"), "source", "rdtsc");
  assert_invalid (source, NULL, "$.clock.source: \"rdtsc\" is not one of [\"tsc\",\"monotonic\",\"fake\"]");
}

static void
test_schema_function_logs (void)
{
  g_autoptr(JsonNode) logs = parse (example_logs);
  g_autoptr(JsonNode) bad = parse (example_logs);
  g_autoptr(GError) error = NULL;
  JsonObject *entry;

  assert_valid (logs, "function_logs");

  entry = json_array_get_object_element (json_object_get_array_member (json_node_get_object (bad), "logs"), 1);
  json_object_set_int_member (entry, "duration_ns", -3);
  assert_invalid (bad, "function_logs", "$.logs[1].duration_ns: -3 is less than the minimum 0");

  /* A report is not a function_logs document and vice versa. */
  g_assert_false (hotpath_test_schema_validate_string (example_logs, schema_path, NULL, &error));
  assert_error_prefix (error, HOTPATH_TEST_SCHEMA_ERROR_INVALID, "$.type: required property is missing");
  g_clear_error (&error);

  g_assert_false (hotpath_test_schema_validate (logs, schema_path, "no_such_def", &error));
  g_assert_error (error, HOTPATH_TEST_SCHEMA_ERROR, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA);
}

/* A main context's stall names at most its three longest dispatches. */
static void
test_schema_flow_stall (void)
{
  static const char stall[] =
    "{\"index\":3,\"at_ns\":700279408,\"duration_ns\":30702669,\"unwatched_ns\":10536,\"dispatches\":4,"
    " \"sources\":[{\"source\":\"render_frame\",\"duration_ns\":30000000},"
    "             {\"source\":\"on_save\",\"duration_ns\":500000},"
    "             {\"source\":\"poll-sensors\",\"duration_ns\":300000}]}";
  g_autoptr(JsonNode) valid = parse (stall);
  g_autoptr(JsonNode) too_many = parse (stall);
  g_autoptr(JsonNode) extra = parse (stall);
  JsonArray *sources;
  JsonObject *dispatch;

  assert_valid (valid, "stall");

  sources = json_object_get_array_member (json_node_get_object (too_many), "sources");
  dispatch = json_object_new ();
  json_object_set_string_member (dispatch, "source", "update_status");
  json_object_set_int_member (dispatch, "duration_ns", 10);
  json_array_add_object_element (sources, dispatch);
  assert_invalid (too_many, "stall", "$.sources: expected at most 3 items, got 4 (schema #/$defs/stall/properties/sources/maxItems)");

  json_object_set_int_member (json_node_get_object (extra), "stalls", 1);
  assert_invalid (extra, "stall", "$.stalls: property not allowed");
}

/* The validator --------------------------------------------------------- */

static void
test_schema_unsupported_keyword (void)
{
  /* Each one sits where no instance reaches: checking is done at load. */
  assert_schema_rejected ("{\"type\":\"object\",\"$defs\":{\"x\":{\"oneOf\":[{\"type\":\"string\"}]}}}",
                          HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED,
                          "schema #/$defs/x/oneOf: unsupported keyword “oneOf”");
  assert_schema_rejected ("{\"properties\":{\"when\":{\"type\":\"string\",\"format\":\"date-time\"}}}",
                          HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED,
                          "schema #/properties/when/format: unsupported keyword “format”");
  assert_schema_rejected ("{\"properties\":{\"a\":{\"type\":\"array\",\"uniqueItems\":true}}}",
                          HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED,
                          "unsupported keyword “uniqueItems”");
  assert_schema_rejected ("{\"items\":[{\"type\":\"string\"}]}",
                          HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED,
                          "tuple form");
  assert_schema_rejected ("{\"$ref\":\"other.json#/$defs/x\"}",
                          HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED,
                          "unsupported $ref");
  assert_schema_rejected ("{\"properties\":{\"a\":{\"$defs\":{}}}}",
                          HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED,
                          "only supported at the root");
  assert_schema_rejected ("{\"patternProperties\":{\"^a\":{\"if\":true}}}",
                          HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED,
                          "schema #/patternProperties/^a/if:");
  assert_schema_rejected ("{\"additionalProperties\":{\"unevaluatedProperties\":false}}",
                          HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED,
                          "schema #/additionalProperties/unevaluatedProperties:");
}

static void
test_schema_bad_schema (void)
{
  g_autoptr(GError) error = NULL;

  assert_schema_rejected ("{\"$ref\":\"#/$defs/missing\"}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "does not resolve");
  assert_schema_rejected ("{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/a\"}}}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "cycle");
  assert_schema_rejected ("{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/a\"}}}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "cycle");
  assert_schema_rejected ("{\"pattern\":\"(\"}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "invalid regular expression");
  assert_schema_rejected ("{\"patternProperties\":{\"[\":true}}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "invalid regular expression");
  assert_schema_rejected ("{\"type\":\"float\"}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "unknown type “float”");
  assert_schema_rejected ("{\"type\":[]}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "schema #/type:");
  assert_schema_rejected ("{\"required\":\"a\"}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "schema #/required:");
  assert_schema_rejected ("{\"minimum\":\"0\"}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "schema #/minimum: expected a number");
  assert_schema_rejected ("{\"minItems\":-1}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "schema #/minItems:");
  assert_schema_rejected ("{\"maxItems\":-1}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "schema #/maxItems: expected a non-negative integer");
  assert_schema_rejected ("{\"maxItems\":2.5}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "schema #/maxItems:");
  /* In a branch no instance reaches: checked at load all the same. */
  assert_schema_rejected ("{\"$defs\":{\"x\":{\"items\":{\"maxItems\":\"3\"}}}}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "schema #/$defs/x/items/maxItems:");
  assert_schema_rejected ("{\"enum\":[]}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "schema #/enum:");
  assert_schema_rejected ("{\"properties\":{\"a\":3}}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "schema #/properties/a: a schema must be");
  assert_schema_rejected ("{\"description\":7}",
                          HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, "schema #/description: expected a string");

  /* Not JSON at all. */
  g_assert_false (validate_with_schema ("{\"type\":", "{}", NULL, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
  g_clear_error (&error);

  g_assert_false (hotpath_test_schema_validate_string ("{}", "/nonexistent/schema.json", NULL, &error));
  g_assert_nonnull (error);
}

static void
test_schema_ref (void)
{
  static const char schema[] =
    "{\"type\":\"object\","
    " \"properties\":{\"a\":{\"$ref\":\"#/$defs/count\"},"
    "                 \"tree\":{\"$ref\":\"#/$defs/tree\"},"
    "                 \"alias\":{\"$ref\":\"#/$defs/alias\",\"maximum\":10}},"
    " \"$defs\":{\"count\":{\"type\":\"integer\",\"minimum\":0},"
    "           \"alias\":{\"$ref\":\"#/$defs/count\"},"
    "           \"tree\":{\"type\":\"object\",\"required\":[\"v\"],"
    "                     \"properties\":{\"v\":{\"$ref\":\"#/$defs/count\"},"
    "                                     \"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/tree\"}}}}}}";
  g_autoptr(GError) error = NULL;

  g_assert_true (validate_with_schema (schema, "{\"a\":1,\"alias\":10}", NULL, &error));
  g_assert_no_error (error);

  g_assert_false (validate_with_schema (schema, "{\"a\":-1}", NULL, &error));
  assert_error_prefix (error, HOTPATH_TEST_SCHEMA_ERROR_INVALID,
                       "$.a: -1 is less than the minimum 0 (schema #/$defs/count/minimum)");
  g_clear_error (&error);

  /* a chain of $refs, and a sibling keyword beside $ref */
  g_assert_false (validate_with_schema (schema, "{\"alias\":-1}", NULL, &error));
  assert_error_prefix (error, HOTPATH_TEST_SCHEMA_ERROR_INVALID,
                       "$.alias: -1 is less than the minimum 0 (schema #/$defs/count/minimum)");
  g_clear_error (&error);
  g_assert_false (validate_with_schema (schema, "{\"alias\":11}", NULL, &error));
  assert_error_prefix (error, HOTPATH_TEST_SCHEMA_ERROR_INVALID,
                       "$.alias: 11 is greater than the maximum 10 (schema #/properties/alias/maximum)");
  g_clear_error (&error);

  /* recursion through $ref */
  g_assert_true (validate_with_schema (schema, "{\"tree\":{\"v\":0,\"kids\":[{\"v\":1},{\"v\":2,\"kids\":[{\"v\":3}]}]}}",
                                       NULL, &error));
  g_assert_no_error (error);
  g_assert_false (validate_with_schema (schema, "{\"tree\":{\"v\":0,\"kids\":[{\"v\":1},{\"v\":2,\"kids\":[{\"v\":\"x\"}]}]}}",
                                        NULL, &error));
  assert_error_prefix (error, HOTPATH_TEST_SCHEMA_ERROR_INVALID,
                       "$.tree.kids[1].kids[0].v: expected integer, got string \"x\" (schema #/$defs/count/type)");
  g_clear_error (&error);
  g_assert_false (validate_with_schema (schema, "{\"tree\":{\"v\":0,\"kids\":[{}]}}", NULL, &error));
  assert_error_prefix (error, HOTPATH_TEST_SCHEMA_ERROR_INVALID, "$.tree.kids[0].v: required property is missing");
  g_clear_error (&error);

  /* def_name picks a definition */
  g_assert_true (validate_with_schema (schema, "5", "count", &error));
  g_assert_no_error (error);
  g_assert_false (validate_with_schema (schema, "\"5\"", "alias", &error));
  assert_error_prefix (error, HOTPATH_TEST_SCHEMA_ERROR_INVALID, "$: expected integer");
  g_clear_error (&error);
  g_assert_false (validate_with_schema (schema, "5", "nope", &error));
  g_assert_error (error, HOTPATH_TEST_SCHEMA_ERROR, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA);
}

static void
test_schema_keywords (void)
{
  static const struct {
    const char *schema;
    const char *json;
    const char *error_prefix; /* NULL: valid */
  } cases[] = {
    { "{\"type\":[\"string\",\"null\"]}", "null", NULL },
    { "{\"type\":[\"string\",\"null\"]}", "1", "$: expected string or null, got integer 1" },
    { "{\"type\":\"number\"}", "1", NULL },
    { "{\"type\":\"number\"}", "1.25", NULL },
    { "{\"type\":\"number\"}", "true", "$: expected number, got boolean true" },
    { "{\"type\":\"boolean\"}", "false", NULL },
    { "{\"type\":\"array\"}", "{}", "$: expected array, got an object" },
    { "{\"type\":\"integer\"}", "-9223372036854775808", NULL },
    { "{\"minimum\":0}", "\"strings have no minimum\"", NULL },
    { "{\"minimum\":0.5}", "0", "$: 0 is less than the minimum 0.5" },
    { "{\"maximum\":9007199254740993}", "9007199254740992", NULL },
    { "{\"maximum\":9007199254740992}", "9007199254740993", "$: 9007199254740993 is greater" },
    { "{\"exclusiveMinimum\":0}", "0.001", NULL },
    { "{\"exclusiveMinimum\":0}", "0.0", "$: 0.0 is not greater" },
    { "{\"minItems\":2}", "[1,2]", NULL },
    { "{\"minItems\":2}", "[1]", "$: expected at least 2 items, got 1" },
    { "{\"maxItems\":2}", "[1,2]", NULL },
    { "{\"maxItems\":2}", "[]", NULL },
    { "{\"maxItems\":2}", "[1,2,3]", "$: expected at most 2 items, got 3 (schema #/maxItems)" },
    { "{\"maxItems\":0}", "[null]", "$: expected at most 0 items, got 1" },
    { "{\"maxItems\":1}", "{\"a\":1,\"b\":2}", NULL }, /* maxItems applies to arrays only */
    { "{\"maxItems\":1}", "\"ab\"", NULL },
    { "{\"minItems\":1,\"maxItems\":1}", "[[1,2]]", NULL },
    { "{\"properties\":{\"a\":{\"maxItems\":1}}}", "{\"a\":[1,2]}",
      "$.a: expected at most 1 items, got 2 (schema #/properties/a/maxItems)" },
    { "{\"items\":{\"type\":\"string\"}}", "[\"a\",\"b\",3]", "$[2]: expected string" },
    { "{\"items\":false}", "[]", NULL },
    { "{\"items\":false}", "[1]", "$[0]: no value is allowed here" },
    { "{\"pattern\":\"^a+$\"}", "\"aaa\"", NULL },
    { "{\"pattern\":\"^a+$\"}", "\"aab\"", "$: \"aab\" does not match “^a+$”" },
    { "{\"pattern\":\"b\"}", "\"abc\"", NULL }, /* unanchored, as in the spec */
    { "{\"enum\":[1,\"x\",null]}", "1.0", NULL }, /* 1 and 1.0 are one number */
    { "{\"enum\":[1,\"x\",null]}", "null", NULL },
    { "{\"enum\":[1,\"x\",null]}", "\"y\"", "$: \"y\" is not one of [1,\"x\",null]" },
    { "{\"const\":{\"a\":[1,{\"b\":true}],\"c\":null}}", "{\"c\":null,\"a\":[1,{\"b\":true}]}", NULL },
    { "{\"const\":{\"a\":[1,{\"b\":true}]}}", "{\"a\":[1,{\"b\":false}]}", "$: expected an object, got an object" },
    { "{\"const\":[1,2]}", "[2,1]", "$: expected an array" },
    { "{\"required\":[\"a\",\"b\"]}", "{\"a\":1}", "$.b: required property is missing" },
    { "{\"required\":[\"a\"]}", "[]", NULL }, /* required applies to objects only */
    { "{\"properties\":{\"a b\":{\"type\":\"null\"}}}", "{\"a b\":0}", "$[\"a b\"]: expected null" },
    { "{\"additionalProperties\":{\"type\":\"integer\"}}", "{\"x\":1,\"y\":\"2\"}", "$.y: expected integer" },
    { "{\"properties\":{\"a\":true},\"additionalProperties\":false}", "{\"a\":{\"deep\":1}}", NULL },
    { "{\"properties\":{\"a\":true},\"additionalProperties\":false}", "{\"a\":1,\"b\":2}",
      "$.b: property not allowed (schema #/additionalProperties)" },
    { "{\"patternProperties\":{\"^x\":{\"type\":\"integer\"},\"y$\":{\"minimum\":5}}}", "{\"xy\":6,\"z\":\"free\"}", NULL },
    { "{\"patternProperties\":{\"^x\":{\"type\":\"integer\"},\"y$\":{\"minimum\":5}}}", "{\"xy\":4}",
      "$.xy: 4 is less than the minimum 5 (schema #/patternProperties/y$/minimum)" },
    { "false", "{}", "$: no value is allowed here" },
    { "true", "[1,{}]", NULL },
    { "{\"title\":\"t\",\"description\":\"d\",\"$comment\":\"c\",\"$id\":\"urn:x\"}", "7", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok;

      g_test_message ("case %u: %s against %s", i, cases[i].json, cases[i].schema);
      ok = validate_with_schema (cases[i].schema, cases[i].json, NULL, &error);
      if (cases[i].error_prefix == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          assert_error_prefix (error, HOTPATH_TEST_SCHEMA_ERROR_INVALID, cases[i].error_prefix);
        }
    }
}

static void
test_schema_invalid_json (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (hotpath_test_schema_validate_string ("{\"type\":", schema_path, NULL, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "invalid JSON: "));
  g_clear_error (&error);

  g_assert_false (hotpath_test_schema_validate_string ("", schema_path, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
}

/* percent_total of an elapsed time of 0 must not slip through as NaN. */
static void
test_schema_non_finite (void)
{
  g_autoptr(JsonNode) report = parse (example_report);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_object_set_double_member (first_row (report), "percent_total", NAN);
  assert_invalid (report, NULL,
                  "$.sections.functions_timing.data[0].percent_total: nan is not a JSON number");

  json_object_set_double_member (first_row (report), "percent_total", INFINITY);
  assert_invalid (report, NULL,
                  "$.sections.functions_timing.data[0].percent_total: inf is not a JSON number");

  /* What a route would actually send. */
  text = json_to_string (report, FALSE);
  g_assert_false (hotpath_test_schema_validate_string (text, schema_path, NULL, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_BAREWORD);
}

static void
test_schema_assert_message (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(JsonNode) report = parse (example_report);
      g_autofree char *text = NULL;

      json_object_set_string_member (first_row (report), "calls", "many");
      text = json_to_string (report, FALSE);
      hotpath_test_assert_valid_json (text, NULL);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*test-schema.c:*JSON does not match *hotpath-report.schema.json: "
                             "$.sections.functions_timing.data[0].calls: expected integer, got string \"many\"*");
}

static void
test_schema_env_override (void)
{
  g_autofree char *path = NULL;
  g_autofree char *pattern = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  if (g_test_subprocess ())
    {
      hotpath_test_assert_valid_json (example_report, NULL);
      return;
    }

  /* A schema that accepts nothing: if the report fails, the variable won. */
  fd = g_file_open_tmp ("hotpath-test-schema-XXXXXX.json", &path, &error);
  g_assert_no_error (error);
  g_close (fd, NULL);
  g_file_set_contents (path, "{\"type\":\"null\"}", -1, &error);
  g_assert_no_error (error);

  g_setenv ("HOTPATH_TEST_SCHEMA", path, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_unsetenv ("HOTPATH_TEST_SCHEMA");
  g_unlink (path);

  g_test_trap_assert_failed ();
  pattern = g_strdup_printf ("*JSON does not match %s: $: expected null, got an object*", path);
  g_test_trap_assert_stderr (pattern);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  schema_path = g_getenv ("HOTPATH_TEST_SCHEMA");
  if (schema_path == NULL || *schema_path == '\0')
    schema_path = HOTPATH_SCHEMA_PATH;

  g_test_add_func ("/Hotpath/Schema/schema-is-json", test_schema_is_json);
  g_test_add_func ("/Hotpath/Schema/descriptions", test_schema_descriptions);
  g_test_add_func ("/Hotpath/Schema/valid-report", test_schema_valid_report);
  g_test_add_func ("/Hotpath/Schema/valid-variants", test_schema_valid_variants);
  g_test_add_func ("/Hotpath/Schema/missing-required", test_schema_missing_required);
  g_test_add_func ("/Hotpath/Schema/wrong-type", test_schema_wrong_type);
  g_test_add_func ("/Hotpath/Schema/fraction", test_schema_fraction);
  g_test_add_func ("/Hotpath/Schema/negative", test_schema_negative);
  g_test_add_func ("/Hotpath/Schema/extra-field", test_schema_extra_field);
  g_test_add_func ("/Hotpath/Schema/percentile-key", test_schema_percentile_key);
  g_test_add_func ("/Hotpath/Schema/unknown-section", test_schema_unknown_section);
  g_test_add_func ("/Hotpath/Schema/enum-const", test_schema_enum_const);
  g_test_add_func ("/Hotpath/Schema/function-logs", test_schema_function_logs);
  g_test_add_func ("/Hotpath/Schema/flow-stall", test_schema_flow_stall);
  g_test_add_func ("/Hotpath/Schema/unsupported-keyword", test_schema_unsupported_keyword);
  g_test_add_func ("/Hotpath/Schema/bad-schema", test_schema_bad_schema);
  g_test_add_func ("/Hotpath/Schema/ref", test_schema_ref);
  g_test_add_func ("/Hotpath/Schema/keywords", test_schema_keywords);
  g_test_add_func ("/Hotpath/Schema/invalid-json", test_schema_invalid_json);
  g_test_add_func ("/Hotpath/Schema/non-finite", test_schema_non_finite);
  g_test_add_func ("/Hotpath/Schema/assert-message", test_schema_assert_message);
  g_test_add_func ("/Hotpath/Schema/env-override", test_schema_env_override);

  ret = g_test_run ();

  /* Leaves nothing behind for valgrind to report. */
  hotpath_test_schema_clear_cache ();

  return ret;
}
