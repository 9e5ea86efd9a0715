/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-test-schema.h: a small JSON Schema validator for the test suites.
 *
 * It implements only the keywords data/hotpath-report.schema.json uses and
 * rejects every other keyword when the schema is loaded, so the schema can
 * never rely on a rule nobody checks. See hotpath-test-schema.c for the list.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define HOTPATH_TEST_SCHEMA_ERROR (hotpath_test_schema_error_quark ())

/**
 * HotpathTestSchemaError:
 * @HOTPATH_TEST_SCHEMA_ERROR_INVALID: the instance does not match the schema
 * @HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA: the schema is malformed, or a $ref
 *   or definition name does not resolve
 * @HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED: the schema uses a keyword (or a
 *   form of one) this validator does not implement
 */
typedef enum
{
  HOTPATH_TEST_SCHEMA_ERROR_INVALID,
  HOTPATH_TEST_SCHEMA_ERROR_BAD_SCHEMA,
  HOTPATH_TEST_SCHEMA_ERROR_UNSUPPORTED,
} HotpathTestSchemaError;

GQuark   hotpath_test_schema_error_quark      (void);

gboolean hotpath_test_schema_validate         (JsonNode    *instance,
                                               const char  *schema_path,
                                               const char  *def_name,
                                               GError     **error);
gboolean hotpath_test_schema_validate_string  (const char  *json,
                                               const char  *schema_path,
                                               const char  *def_name,
                                               GError     **error);
void     hotpath_test_schema_clear_cache      (void);

void     hotpath_test_assert_valid_json       (const char  *json,
                                               const char  *def_name);
void     hotpath_test_assert_valid_json_at    (const char  *file,
                                               int          line,
                                               const char  *func,
                                               const char  *json,
                                               const char  *def_name);

/* Report the caller's location, not ours, when the assertion fails. */
#define hotpath_test_assert_valid_json(json, def_name) \
  hotpath_test_assert_valid_json_at (__FILE__, __LINE__, G_STRFUNC, (json), (def_name))

G_END_DECLS
