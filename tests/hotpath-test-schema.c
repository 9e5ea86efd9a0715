/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-test-schema.c: a small JSON Schema validator for the test suites.
 *
 * Supported keywords (draft 2020-12 meaning): type, properties, required,
 * additionalProperties, patternProperties, items (one schema), enum, const,
 * minimum, maximum, exclusiveMinimum, minItems, maxItems, pattern, $defs (at
 * the root) and $ref ("#/$defs/<name>" only). $schema, $id, $comment, title
 * and description are annotations and are ignored.
 *
 * The whole schema is checked when it is loaded: any other keyword, a
 * malformed value, a bad regex, a $ref that does not resolve or a $ref cycle
 * fails every validation against it. Checking at load, not on the way,
 * catches rules in branches the instance at hand never reaches.
 *
 * Stricter than the specification in one place: "integer" accepts only
 * numbers written without a fraction or exponent (json-glib's gint64 nodes),
 * so 3.0 is rejected. Machine output writes counts as integers; a double
 * there means a route drifted to json_builder_add_double_value().
 *
 * Text goes through json-glib's parser, which is lenient in a few ways
 * (it takes comments, single quotes and leading zeros, and wraps integers
 * past gint64); json-glib's generator never writes those, so reports are
 * unaffected. It does reject the inf.0 and nan.0 the generator writes for
 * non-finite doubles, which is what we want.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "hotpath-test-schema.h"

/* Instance nesting plus $ref hops; deeper than any report we write. */
#define MAX_DEPTH 512

/* Keep assertion messages readable when a big report fails. */
#define MAX_EXCERPT 4096

typedef struct
{
  JsonNode   *root;
  GHashTable *regexes; /* pattern → GRegex; filled at load, read-only after */
} SchemaDoc;

typedef struct
{
  JsonNode   *root;
  GHashTable *regexes;
  GString    *spath;
} Checker;

typedef struct
{
  SchemaDoc *doc;
  GString   *ipath;
  GString   *spath;
  guint      depth;
} Validator;

static const char * const type_names[] = {
  "object", "array", "string", "integer", "number", "boolean", "null",
};

static GMutex cache_lock;
static GHashTable *cache; /* schema path → SchemaDoc (atomic rc box) */

G_DEFINE_QUARK (hotpath-test-schema-error-quark, hotpath_test_schema_error)

static gboolean validate_node (Validator  *v,
                               JsonNode   *instance,
                               JsonNode   *schema,
                               GError    **error);

/* Paths ----------------------------------------------------------------- */

static gboolean
is_identifier (const char *name)
{
  if (!g_ascii_isalpha (*name) && *name != '_')
    return FALSE;

  for (const char *p = name + 1; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;

  return TRUE;
}

/* $.a.b for plain names, $["p99.9"] for anything else. */
static void
ipath_push_member (GString    *path,
                   const char *name)
{
  if (is_identifier (name))
    {
      g_string_append_c (path, '.');
      g_string_append (path, name);
    }
  else
    {
      g_autofree char *escaped = g_strescape (name, NULL);

      g_string_append_printf (path, "[\"%s\"]", escaped);
    }
}

/* JSON Pointer (RFC 6901) token, as in #/$defs/count/minimum. */
static void
spath_push (GString    *path,
            const char *token)
{
  g_string_append_c (path, '/');

  for (const char *p = token; *p; p++)
    {
      if (*p == '~')
        g_string_append (path, "~0");
      else if (*p == '/')
        g_string_append (path, "~1");
      else
        g_string_append_c (path, *p);
    }
}

/* Nodes ----------------------------------------------------------------- */

static gboolean
node_holds (JsonNode *node,
            GType     value_type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == value_type;
}

static gboolean
node_is_number (JsonNode *node)
{
  return node_holds (node, G_TYPE_INT64) || node_holds (node, G_TYPE_DOUBLE);
}

static double
node_as_double (JsonNode *node)
{
  if (node_holds (node, G_TYPE_INT64))
    return (double) json_node_get_int (node);
  return json_node_get_double (node);
}

static const char *
node_type_name (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return "object";
    case JSON_NODE_ARRAY:
      return "array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return "integer";
    case G_TYPE_DOUBLE:
      return "number";
    case G_TYPE_BOOLEAN:
      return "boolean";
    case G_TYPE_STRING:
      return "string";
    default:
      return "unknown";
    }
}

/* A short rendering of a value for error messages. */
static char *
node_describe (JsonNode *node)
{
  g_autofree char *text = NULL;

  if (JSON_NODE_HOLDS_OBJECT (node))
    return g_strdup ("an object");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return g_strdup ("an array");

  text = json_to_string (node, FALSE);
  if (strlen (text) > 80)
    return g_strdup_printf ("%.77s…", text);

  return g_steal_pointer (&text);
}

static int
compare_numbers (JsonNode *a,
                 JsonNode *b)
{
  double da, db;

  /* Compare gint64 exactly; doubles lose precision above 2^53. */
  if (node_holds (a, G_TYPE_INT64) && node_holds (b, G_TYPE_INT64))
    {
      gint64 ia = json_node_get_int (a);
      gint64 ib = json_node_get_int (b);

      return (ia > ib) - (ia < ib);
    }

  da = node_as_double (a);
  db = node_as_double (b);

  return (da > db) - (da < db);
}

/* JSON Schema equality: 1 and 1.0 are the same number, member order does
 * not matter. */
static gboolean
nodes_equal (JsonNode *a,
             JsonNode *b)
{
  if (node_is_number (a) && node_is_number (b))
    return compare_numbers (a, b) == 0;

  if (json_node_get_node_type (a) != json_node_get_node_type (b))
    return FALSE;

  switch (json_node_get_node_type (a))
    {
    case JSON_NODE_NULL:
      return TRUE;

    case JSON_NODE_VALUE:
      if (json_node_get_value_type (a) != json_node_get_value_type (b))
        return FALSE;
      if (node_holds (a, G_TYPE_BOOLEAN))
        return json_node_get_boolean (a) == json_node_get_boolean (b);
      if (node_holds (a, G_TYPE_STRING))
        return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
      return FALSE;

    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a);
        JsonArray *ab = json_node_get_array (b);
        guint n = json_array_get_length (aa);

        if (n != json_array_get_length (ab))
          return FALSE;

        for (guint i = 0; i < n; i++)
          if (!nodes_equal (json_array_get_element (aa, i), json_array_get_element (ab, i)))
            return FALSE;

        return TRUE;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a);
        JsonObject *ob = json_node_get_object (b);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        if (json_object_get_size (oa) != json_object_get_size (ob))
          return FALSE;

        json_object_iter_init (&iter, oa);
        while (json_object_iter_next (&iter, &name, &member))
          {
            JsonNode *other = json_object_get_member (ob, name);

            if (other == NULL || !nodes_equal (member, other))
              return FALSE;
          }

        return TRUE;
      }

    default:
      return FALSE;
    }
}

static gboolean
is_type_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (g_str_equal (name, type_names[i]))
      return TRUE;

  return FALSE;
}

static gboolean
type_matches (JsonNode   *instance,
              const char *type)
{
  /* "integer" is strict, see the top of the file. */
  if (g_str_equal (type, "number"))
    return node_is_number (instance);

  return g_str_equal (type, node_type_name (instance));
}

/* Loading and checking the schema --------------------------------------- */

static gboolean schema_error (GError     **error,
                              int          code,
                              GString     *spath,
                              const char  *format,
                              ...) G_GNUC_PRINTF (4, 5);

static gboolean
schema_error (GError     **error,
              int          code,
              GString     *spath,
              const char  *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, HOTPATH_TEST_SCHEMA_ERROR, code,
               "schema %s: %s", spath->str, message);

  return FALSE;
}

#define REF_PREFIX "#/$defs/"

/* Only "#/$defs/<name>": the one form our schema needs. */
static JsonNode *
resolve_ref (JsonNode   *root,
             const char *ref)
{
  const char *name;
  JsonNode *defs;

  if (!g_str_has_prefix (ref, REF_PREFIX) || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  name = ref + strlen (REF_PREFIX);
  if (*name == '\0' || strchr (name, '/') != NULL || strchr (name, '~') != NULL)
    return NULL;

  defs = json_object_get_member (json_node_get_object (root), "$defs");
  if (defs == NULL || !JSON_NODE_HOLDS_OBJECT (defs))
    return NULL;

  return json_object_get_member (json_node_get_object (defs), name);
}

static gboolean
schema_has_ref (JsonNode    *schema,
                const char **ref)
{
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (schema))
    return FALSE;

  member = json_object_get_member (json_node_get_object (schema), "$ref");
  if (member == NULL || !node_holds (member, G_TYPE_STRING))
    return FALSE;

  *ref = json_node_get_string (member);
  return TRUE;
}

static gboolean
check_regex (Checker     *c,
             const char  *pattern,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GRegex *regex;

  if (g_hash_table_contains (c->regexes, pattern))
    return TRUE;

  regex = g_regex_new (pattern, G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT, &local_error);
  if (regex == NULL)
    return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                         "invalid regular expression “%s”: %s", pattern, local_error->message);

  g_hash_table_insert (c->regexes, g_strdup (pattern), regex);

  return TRUE;
}

static gboolean check_schema (Checker   *c,
                              JsonNode  *schema,
                              gboolean   is_root,
                              GError   **error);

/* Each member of @value (an object) must be a schema. */
static gboolean
check_schema_map (Checker    *c,
                  JsonNode   *value,
                  gboolean    keys_are_patterns,
                  GError    **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (value))
    return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                         "expected an object");

  json_object_iter_init_ordered (&iter, json_node_get_object (value));
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      gsize len = c->spath->len;

      spath_push (c->spath, name);
      if (keys_are_patterns && !check_regex (c, name, error))
        return FALSE;
      if (!check_schema (c, member, FALSE, error))
        return FALSE;
      g_string_truncate (c->spath, len);
    }

  return TRUE;
}

static gboolean
check_ref (Checker     *c,
           JsonNode    *schema,
           JsonNode    *value,
           GError     **error)
{
  g_autoptr(GHashTable) seen = NULL;
  const char *ref;
  JsonNode *target;

  if (!node_holds (value, G_TYPE_STRING))
    return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                         "expected a string");

  ref = json_node_get_string (value);
  if (!g_str_has_prefix (ref, REF_PREFIX))
    return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED, c->spath,
                         "unsupported $ref “%s”: only " REF_PREFIX "<name> is supported", ref);

  target = resolve_ref (c->root, ref);
  if (target == NULL)
    return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                         "$ref “%s” does not resolve", ref);

  /* A chain of $refs that comes back to where it started would recurse
   * without ever stepping into the instance. */
  seen = g_hash_table_new (NULL, NULL);
  g_hash_table_add (seen, schema);
  while (target != NULL)
    {
      const char *next;

      if (g_hash_table_contains (seen, target))
        return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                             "$ref “%s” leads to a $ref cycle", ref);
      g_hash_table_add (seen, target);

      if (!schema_has_ref (target, &next))
        break;
      target = resolve_ref (c->root, next);
    }

  return TRUE;
}

static gboolean
check_keyword (Checker     *c,
               JsonNode    *schema,
               const char  *keyword,
               JsonNode    *value,
               gboolean     is_root,
               GError     **error)
{
  if (g_str_equal (keyword, "$schema") ||
      g_str_equal (keyword, "$id") ||
      g_str_equal (keyword, "$comment") ||
      g_str_equal (keyword, "title") ||
      g_str_equal (keyword, "description"))
    {
      if (!node_holds (value, G_TYPE_STRING))
        return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                             "expected a string");
      return TRUE;
    }

  if (g_str_equal (keyword, "$defs"))
    {
      if (!is_root)
        return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED, c->spath,
                             "$defs is only supported at the root, where $ref looks");
      return check_schema_map (c, value, FALSE, error);
    }

  if (g_str_equal (keyword, "$ref"))
    return check_ref (c, schema, value, error);

  if (g_str_equal (keyword, "type"))
    {
      if (node_holds (value, G_TYPE_STRING))
        {
          if (!is_type_name (json_node_get_string (value)))
            return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                                 "unknown type “%s”", json_node_get_string (value));
          return TRUE;
        }

      if (JSON_NODE_HOLDS_ARRAY (value))
        {
          JsonArray *types = json_node_get_array (value);
          guint n = json_array_get_length (types);

          if (n == 0)
            return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                                 "expected at least one type");

          for (guint i = 0; i < n; i++)
            {
              JsonNode *element = json_array_get_element (types, i);

              if (!node_holds (element, G_TYPE_STRING) ||
                  !is_type_name (json_node_get_string (element)))
                return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                                     "element %u is not a type name", i);
            }

          return TRUE;
        }

      return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                           "expected a type name or an array of them");
    }

  if (g_str_equal (keyword, "properties"))
    return check_schema_map (c, value, FALSE, error);

  if (g_str_equal (keyword, "patternProperties"))
    return check_schema_map (c, value, TRUE, error);

  if (g_str_equal (keyword, "additionalProperties"))
    return check_schema (c, value, FALSE, error);

  if (g_str_equal (keyword, "items"))
    {
      if (JSON_NODE_HOLDS_ARRAY (value))
        return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED, c->spath,
                             "items as an array (tuple form) is not supported");
      return check_schema (c, value, FALSE, error);
    }

  if (g_str_equal (keyword, "required"))
    {
      JsonArray *names;

      if (!JSON_NODE_HOLDS_ARRAY (value))
        return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                             "expected an array of property names");

      names = json_node_get_array (value);
      for (guint i = 0; i < json_array_get_length (names); i++)
        if (!node_holds (json_array_get_element (names, i), G_TYPE_STRING))
          return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                               "element %u is not a string", i);

      return TRUE;
    }

  if (g_str_equal (keyword, "enum"))
    {
      if (!JSON_NODE_HOLDS_ARRAY (value) ||
          json_array_get_length (json_node_get_array (value)) == 0)
        return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                             "expected a non-empty array");
      return TRUE;
    }

  if (g_str_equal (keyword, "const"))
    return TRUE;

  if (g_str_equal (keyword, "minimum") ||
      g_str_equal (keyword, "maximum") ||
      g_str_equal (keyword, "exclusiveMinimum"))
    {
      if (!node_is_number (value))
        return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                             "expected a number");
      return TRUE;
    }

  if (g_str_equal (keyword, "minItems") ||
      g_str_equal (keyword, "maxItems"))
    {
      if (!node_holds (value, G_TYPE_INT64) || json_node_get_int (value) < 0)
        return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                             "expected a non-negative integer");
      return TRUE;
    }

  if (g_str_equal (keyword, "pattern"))
    {
      if (!node_holds (value, G_TYPE_STRING))
        return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                             "expected a string");
      return check_regex (c, json_node_get_string (value), error);
    }

  return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED, c->spath,
                       "unsupported keyword “%s”", keyword);
}

static gboolean
check_schema (Checker   *c,
              JsonNode  *schema,
              gboolean   is_root,
              GError   **error)
{
  JsonObjectIter iter;
  const char *keyword;
  JsonNode *value;

  if (node_holds (schema, G_TYPE_BOOLEAN))
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (schema))
    return schema_error (error, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA, c->spath,
                         "a schema must be an object or a boolean");

  json_object_iter_init_ordered (&iter, json_node_get_object (schema));
  while (json_object_iter_next_ordered (&iter, &keyword, &value))
    {
      gsize len = c->spath->len;

      spath_push (c->spath, keyword);
      if (!check_keyword (c, schema, keyword, value, is_root, error))
        return FALSE;
      g_string_truncate (c->spath, len);
    }

  return TRUE;
}

static void
schema_doc_clear (gpointer data)
{
  SchemaDoc *doc = data;

  g_clear_pointer (&doc->root, json_node_unref);
  g_clear_pointer (&doc->regexes, g_hash_table_unref);
}

static void
schema_doc_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, schema_doc_clear);
}

static SchemaDoc *
schema_doc_load (const char  *path,
                 GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GHashTable) regexes = NULL;
  g_autoptr(GString) spath = NULL;
  JsonNode *root;
  SchemaDoc *doc;
  Checker c;

  if (!json_parser_load_from_file (parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, HOTPATH_TEST_SCHEMA_ERROR, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA,
                   "%s: empty document", path);
      return NULL;
    }

  regexes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) g_regex_unref);
  spath = g_string_new ("#");

  c.root = root;
  c.regexes = regexes;
  c.spath = spath;

  if (!check_schema (&c, root, TRUE, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  doc = g_atomic_rc_box_new0 (SchemaDoc);
  doc->root = json_node_ref (root);
  doc->regexes = g_steal_pointer (&regexes);

  return doc;
}

/* Returns a reference. Failed loads are not cached, so a broken schema
 * fails every validation with the same error. */
static SchemaDoc *
schema_doc_lookup (const char  *path,
                   GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cache_lock);
  SchemaDoc *doc;

  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, schema_doc_release);

  doc = g_hash_table_lookup (cache, path);
  if (doc == NULL)
    {
      doc = schema_doc_load (path, error);
      if (doc == NULL)
        return NULL;
      g_hash_table_insert (cache, g_strdup (path), doc);
    }

  return g_atomic_rc_box_acquire (doc);
}

/**
 * hotpath_test_schema_clear_cache:
 *
 * Drops every cached schema; the next validation reloads its file.
 * Validations running at the same time keep their own reference.
 */
void
hotpath_test_schema_clear_cache (void)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cache_lock);

  g_clear_pointer (&cache, g_hash_table_unref);
}

/* Validation ------------------------------------------------------------ */

static gboolean invalid (Validator   *v,
                         GError     **error,
                         const char  *format,
                         ...) G_GNUC_PRINTF (3, 4);

static gboolean
invalid (Validator   *v,
         GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, HOTPATH_TEST_SCHEMA_ERROR, HOTPATH_TEST_SCHEMA_ERROR_INVALID,
               "%s: %s (schema %s)", v->ipath->str, message, v->spath->str);

  return FALSE;
}

static gboolean
validate_type (Validator  *v,
               JsonNode   *instance,
               JsonNode   *type,
               GError    **error)
{
  g_autofree char *got = NULL;
  g_autoptr(GString) expected = NULL;

  if (node_holds (type, G_TYPE_STRING))
    {
      if (type_matches (instance, json_node_get_string (type)))
        return TRUE;
      expected = g_string_new (json_node_get_string (type));
    }
  else
    {
      JsonArray *types = json_node_get_array (type);

      expected = g_string_new (NULL);
      for (guint i = 0; i < json_array_get_length (types); i++)
        {
          const char *name = json_array_get_string_element (types, i);

          if (type_matches (instance, name))
            return TRUE;
          if (i > 0)
            g_string_append (expected, " or ");
          g_string_append (expected, name);
        }
    }

  got = node_describe (instance);
  if (JSON_NODE_HOLDS_VALUE (instance))
    return invalid (v, error, "expected %s, got %s %s",
                    expected->str, node_type_name (instance), got);

  return invalid (v, error, "expected %s, got %s", expected->str, got);
}

static gboolean
validate_number (Validator  *v,
                 JsonNode   *instance,
                 JsonObject *schema,
                 GError    **error)
{
  static const struct {
    const char *keyword;
    int         worst;  /* the comparison result that fails */
    gboolean    or_equal;
    const char *what;
  } bounds[] = {
    { "minimum",          -1, FALSE, "less than the minimum" },
    { "maximum",           1, FALSE, "greater than the maximum" },
    { "exclusiveMinimum", -1, TRUE,  "not greater than the exclusive minimum" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bounds); i++)
    {
      JsonNode *bound = json_object_get_member (schema, bounds[i].keyword);
      int cmp;

      if (bound == NULL)
        continue;

      cmp = compare_numbers (instance, bound);
      if (cmp == bounds[i].worst || (bounds[i].or_equal && cmp == 0))
        {
          g_autofree char *got = node_describe (instance);
          g_autofree char *limit = node_describe (bound);
          gsize len = v->spath->len;

          spath_push (v->spath, bounds[i].keyword);
          invalid (v, error, "%s is %s %s", got, bounds[i].what, limit);
          g_string_truncate (v->spath, len);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
validate_array (Validator  *v,
                JsonNode   *instance,
                JsonObject *schema,
                GError    **error)
{
  JsonArray *array = json_node_get_array (instance);
  guint n = json_array_get_length (array);
  JsonNode *min_items = json_object_get_member (schema, "minItems");
  JsonNode *max_items = json_object_get_member (schema, "maxItems");
  JsonNode *items = json_object_get_member (schema, "items");

  if (min_items != NULL && (gint64) n < json_node_get_int (min_items))
    {
      spath_push (v->spath, "minItems");
      return invalid (v, error, "expected at least %" G_GINT64_FORMAT " items, got %u",
                      json_node_get_int (min_items), n);
    }

  if (max_items != NULL && (gint64) n > json_node_get_int (max_items))
    {
      spath_push (v->spath, "maxItems");
      return invalid (v, error, "expected at most %" G_GINT64_FORMAT " items, got %u",
                      json_node_get_int (max_items), n);
    }

  if (items != NULL)
    {
      gsize slen = v->spath->len;

      spath_push (v->spath, "items");
      for (guint i = 0; i < n; i++)
        {
          gsize ilen = v->ipath->len;

          g_string_append_printf (v->ipath, "[%u]", i);
          if (!validate_node (v, json_array_get_element (array, i), items, error))
            return FALSE;
          g_string_truncate (v->ipath, ilen);
        }
      g_string_truncate (v->spath, slen);
    }

  return TRUE;
}

static gboolean
validate_member (Validator   *v,
                 const char  *name,
                 JsonNode    *member,
                 JsonObject  *schema,
                 GError     **error)
{
  JsonNode *properties = json_object_get_member (schema, "properties");
  JsonNode *patterns = json_object_get_member (schema, "patternProperties");
  JsonNode *additional = json_object_get_member (schema, "additionalProperties");
  gsize len = v->spath->len;
  gboolean matched = FALSE;

  if (properties != NULL)
    {
      JsonNode *property = json_object_get_member (json_node_get_object (properties), name);

      if (property != NULL)
        {
          spath_push (v->spath, "properties");
          spath_push (v->spath, name);
          if (!validate_node (v, member, property, error))
            return FALSE;
          g_string_truncate (v->spath, len);
          matched = TRUE;
        }
    }

  if (patterns != NULL)
    {
      JsonObjectIter iter;
      const char *pattern;
      JsonNode *property;

      json_object_iter_init_ordered (&iter, json_node_get_object (patterns));
      while (json_object_iter_next_ordered (&iter, &pattern, &property))
        {
          GRegex *regex = g_hash_table_lookup (v->doc->regexes, pattern);

          if (!g_regex_match (regex, name, G_REGEX_MATCH_DEFAULT, NULL))
            continue;

          spath_push (v->spath, "patternProperties");
          spath_push (v->spath, pattern);
          if (!validate_node (v, member, property, error))
            return FALSE;
          g_string_truncate (v->spath, len);
          matched = TRUE;
        }
    }

  if (!matched && additional != NULL)
    {
      spath_push (v->spath, "additionalProperties");
      if (node_holds (additional, G_TYPE_BOOLEAN) && !json_node_get_boolean (additional))
        return invalid (v, error, "property not allowed");
      if (!validate_node (v, member, additional, error))
        return FALSE;
      g_string_truncate (v->spath, len);
    }

  return TRUE;
}

static gboolean
validate_object (Validator  *v,
                 JsonNode   *instance,
                 JsonObject *schema,
                 GError    **error)
{
  JsonObject *object = json_node_get_object (instance);
  JsonNode *required = json_object_get_member (schema, "required");
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (required != NULL)
    {
      JsonArray *names = json_node_get_array (required);

      for (guint i = 0; i < json_array_get_length (names); i++)
        {
          const char *required_name = json_array_get_string_element (names, i);

          if (!json_object_has_member (object, required_name))
            {
              ipath_push_member (v->ipath, required_name);
              spath_push (v->spath, "required");
              return invalid (v, error, "required property is missing");
            }
        }
    }

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      gsize len = v->ipath->len;

      ipath_push_member (v->ipath, name);
      if (!validate_member (v, name, member, schema, error))
        return FALSE;
      g_string_truncate (v->ipath, len);
    }

  return TRUE;
}

static gboolean
validate_schema_object (Validator  *v,
                        JsonNode   *instance,
                        JsonObject *schema,
                        GError    **error)
{
  JsonNode *keyword;
  gsize len = v->spath->len;

  /* The schema was checked at load: every keyword has the right shape. */
  if ((keyword = json_object_get_member (schema, "$ref")))
    {
      const char *ref = json_node_get_string (keyword);
      g_autofree char *saved = g_strdup (v->spath->str);

      /* Errors inside name the definition, which is where to fix them. */
      g_string_assign (v->spath, ref);
      if (!validate_node (v, instance, resolve_ref (v->doc->root, ref), error))
        return FALSE;
      g_string_assign (v->spath, saved);
    }

  if ((keyword = json_object_get_member (schema, "type")))
    {
      spath_push (v->spath, "type");
      if (!validate_type (v, instance, keyword, error))
        return FALSE;
      g_string_truncate (v->spath, len);
    }

  if ((keyword = json_object_get_member (schema, "const")))
    {
      if (!nodes_equal (instance, keyword))
        {
          g_autofree char *got = node_describe (instance);
          g_autofree char *expected = node_describe (keyword);

          spath_push (v->spath, "const");
          return invalid (v, error, "expected %s, got %s", expected, got);
        }
    }

  if ((keyword = json_object_get_member (schema, "enum")))
    {
      JsonArray *values = json_node_get_array (keyword);
      g_autofree char *got = NULL;
      g_autofree char *expected = NULL;
      gboolean found = FALSE;

      for (guint i = 0; i < json_array_get_length (values) && !found; i++)
        found = nodes_equal (instance, json_array_get_element (values, i));

      if (!found)
        {
          got = node_describe (instance);
          expected = json_to_string (keyword, FALSE);
          spath_push (v->spath, "enum");
          return invalid (v, error, "%s is not one of %s", got, expected);
        }
    }

  if (node_is_number (instance) && !validate_number (v, instance, schema, error))
    return FALSE;

  if (node_holds (instance, G_TYPE_STRING) &&
      (keyword = json_object_get_member (schema, "pattern")))
    {
      const char *pattern = json_node_get_string (keyword);
      GRegex *regex = g_hash_table_lookup (v->doc->regexes, pattern);

      if (!g_regex_match (regex, json_node_get_string (instance), G_REGEX_MATCH_DEFAULT, NULL))
        {
          g_autofree char *got = node_describe (instance);

          spath_push (v->spath, "pattern");
          return invalid (v, error, "%s does not match “%s”", got, pattern);
        }
    }

  if (JSON_NODE_HOLDS_ARRAY (instance) && !validate_array (v, instance, schema, error))
    return FALSE;

  if (JSON_NODE_HOLDS_OBJECT (instance) && !validate_object (v, instance, schema, error))
    return FALSE;

  return TRUE;
}

static gboolean
validate_node (Validator  *v,
               JsonNode   *instance,
               JsonNode   *schema,
               GError    **error)
{
  gboolean ret;

  if (v->depth >= MAX_DEPTH)
    {
      g_set_error (error, HOTPATH_TEST_SCHEMA_ERROR, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA,
                   "%s: nested deeper than %d levels (schema %s)",
                   v->ipath->str, MAX_DEPTH, v->spath->str);
      return FALSE;
    }

  /* json-glib writes these as inf.0 and nan.0, which no parser reads back:
   * typically a percentage of an elapsed time of 0. */
  if (node_holds (instance, G_TYPE_DOUBLE) && !isfinite (json_node_get_double (instance)))
    return invalid (v, error, "%g is not a JSON number", json_node_get_double (instance));

  if (node_holds (schema, G_TYPE_BOOLEAN))
    {
      if (json_node_get_boolean (schema))
        return TRUE;
      return invalid (v, error, "no value is allowed here");
    }

  v->depth++;
  ret = validate_schema_object (v, instance, json_node_get_object (schema), error);
  v->depth--;

  return ret;
}

/**
 * hotpath_test_schema_validate:
 * @instance: the JSON value to check
 * @schema_path: a JSON Schema file; parsed and checked once, then cached
 * @def_name: (nullable): validate against `$defs/<def_name>` instead of the
 *   root schema
 * @error: a #GError
 *
 * Errors name the JSON path of the failing value and the schema location
 * of the rule it broke, e.g.
 * `$.sections.functions_timing.data[0].calls: expected integer, got string "x" (schema #/$defs/count/type)`.
 *
 * Returns: %TRUE if @instance matches
 */
gboolean
hotpath_test_schema_validate (JsonNode    *instance,
                              const char  *schema_path,
                              const char  *def_name,
                              GError     **error)
{
  g_autoptr(GString) ipath = NULL;
  g_autoptr(GString) spath = NULL;
  SchemaDoc *doc;
  JsonNode *schema;
  Validator v;
  gboolean ret;

  g_return_val_if_fail (instance != NULL, FALSE);
  g_return_val_if_fail (schema_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  doc = schema_doc_lookup (schema_path, error);
  if (doc == NULL)
    return FALSE;

  if (def_name != NULL)
    {
      spath = g_string_new (REF_PREFIX);
      g_string_append (spath, def_name);
      schema = resolve_ref (doc->root, spath->str);
      if (schema == NULL)
        {
          g_set_error (error, HOTPATH_TEST_SCHEMA_ERROR, HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA,
                       "%s: no definition “%s”", schema_path, def_name);
          g_atomic_rc_box_release_full (doc, schema_doc_clear);
          return FALSE;
        }
    }
  else
    {
      spath = g_string_new ("#");
      schema = doc->root;
    }

  ipath = g_string_new ("$");

  v.doc = doc;
  v.ipath = ipath;
  v.spath = spath;
  v.depth = 0;

  ret = validate_node (&v, instance, schema, error);

  g_atomic_rc_box_release_full (doc, schema_doc_clear);

  return ret;
}

/**
 * hotpath_test_schema_validate_string:
 * @json: JSON text
 * @schema_path: a JSON Schema file
 * @def_name: (nullable): a `$defs` name, or %NULL for the root schema
 * @error: a #GError
 *
 * Parses @json and validates it; a parse error is reported in
 * %JSON_PARSER_ERROR.
 *
 * Returns: %TRUE if @json parses and matches
 */
gboolean
hotpath_test_schema_validate_string (const char  *json,
                                     const char  *schema_path,
                                     const char  *def_name,
                                     GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  g_return_val_if_fail (json != NULL, FALSE);
  g_return_val_if_fail (schema_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, -1, error))
    {
      g_prefix_error (error, "invalid JSON: ");
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, HOTPATH_TEST_SCHEMA_ERROR, HOTPATH_TEST_SCHEMA_ERROR_INVALID,
                           "$: empty JSON document");
      return FALSE;
    }

  return hotpath_test_schema_validate (root, schema_path, def_name, error);
}

/**
 * hotpath_test_assert_valid_json_at:
 * @file: the caller's file
 * @line: the caller's line
 * @func: the caller's function
 * @json: JSON text
 * @def_name: (nullable): a `$defs` name, or %NULL for the whole report
 *
 * Fails the test unless @json matches the schema. The schema is
 * `$HOTPATH_TEST_SCHEMA` if set (the environment beats the build), else
 * the file named by the HOTPATH_SCHEMA_PATH define. Use it through the
 * hotpath_test_assert_valid_json() macro.
 */
void
hotpath_test_assert_valid_json_at (const char *file,
                                   int         line,
                                   const char *func,
                                   const char *json,
                                   const char *def_name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  const char *schema_path = g_getenv ("HOTPATH_TEST_SCHEMA");
  gsize len;

#ifdef HOTPATH_SCHEMA_PATH
  if (schema_path == NULL || *schema_path == '\0')
    schema_path = HOTPATH_SCHEMA_PATH;
#endif

  if (schema_path == NULL || *schema_path == '\0')
    {
      g_assertion_message (G_LOG_DOMAIN, file, line, func,
                           "no JSON Schema: set HOTPATH_TEST_SCHEMA or build with "
                           "-DHOTPATH_SCHEMA_PATH=\"…/data/hotpath-report.schema.json\"");
      return;
    }

  if (json == NULL)
    {
      g_assertion_message (G_LOG_DOMAIN, file, line, func, "JSON to validate is NULL");
      return;
    }

  if (hotpath_test_schema_validate_string (json, schema_path, def_name, &error))
    return;

  len = strlen (json);
  message = g_strdup_printf ("JSON does not match %s%s%s: %s\n%.*s%s",
                             schema_path,
                             def_name != NULL ? "#/$defs/" : "",
                             def_name != NULL ? def_name : "",
                             error->message,
                             (int) MIN (len, MAX_EXCERPT), json,
                             len > MAX_EXCERPT ? "…" : "");
  g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
}

/* The function behind the macro, for callers that take its address. */
void
(hotpath_test_assert_valid_json) (const char *json,
                                  const char *def_name)
{
  hotpath_test_assert_valid_json_at (__FILE__, __LINE__, G_STRFUNC, json, def_name);
}
