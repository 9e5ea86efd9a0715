/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-span.c: the measuring API for bindings (HotpathSpan and
 * hotpath_measure_begin/end), from C.
 */

#include "config.h"

#include <hotpath-glib/hotpath.h>

static HotpathGuard *
new_guard (void)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new ("test-span");
  g_autoptr(GError) error = NULL;
  HotpathGuard *guard;

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  guard = hotpath_guard_builder_build (builder, &error);
  g_assert_no_error (error);
  return guard;
}

static guint64
calls_of (HotpathSnapshot *snapshot,
          const char      *name,
          guint           *n_rows)
{
  guint64 calls = 0;

  *n_rows = 0;
  for (guint i = 0; i < hotpath_snapshot_get_n_functions (snapshot); i++)
    {
      HotpathFunctionStats *stats = hotpath_snapshot_get_function (snapshot, i);

      if (g_str_equal (hotpath_function_stats_get_name (stats), name))
        {
          calls += hotpath_function_stats_get_calls (stats);
          (*n_rows)++;
        }
    }

  return calls;
}

/* One name, however many times and from however many strings, is one row. */
static void
test_span_interned (void)
{
  g_autoptr(HotpathGuard) guard = new_guard ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  guint n_rows;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup ("span::work");   /* a new string each time */
      g_autoptr(HotpathSpan) span = hotpath_span_begin (name);

      g_assert_cmpstr (hotpath_span_get_name (span), ==, "span::work");
      hotpath_span_end (span);
      hotpath_span_end (span);   /* a second end records nothing */
    }

  snapshot = hotpath_guard_snapshot (guard);
  g_assert_cmpuint (calls_of (snapshot, "span::work", &n_rows), ==, 20);
  g_assert_cmpuint (n_rows, ==, 1);
  g_assert_true (hotpath_guard_finish (guard, NULL));
}

/* A span released without an end records nothing. */
static void
test_span_unended (void)
{
  g_autoptr(HotpathGuard) guard = new_guard ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  guint n_rows;

  hotpath_span_unref (hotpath_span_begin ("span::dropped"));

  snapshot = hotpath_guard_snapshot (guard);
  g_assert_cmpuint (calls_of (snapshot, "span::dropped", &n_rows), ==, 0);
  g_assert_true (hotpath_guard_finish (guard, NULL));
}

/* Tokens end in any order; 0 and ended tokens do nothing. */
static void
test_measure_tokens (void)
{
  g_autoptr(HotpathGuard) guard = new_guard ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  guint outer, inner, n_rows;

  outer = hotpath_measure_begin ("measure::outer");
  inner = hotpath_measure_begin ("measure::inner");
  g_assert_cmpuint (outer, !=, 0);
  g_assert_cmpuint (inner, !=, 0);
  g_assert_cmpuint (outer, !=, inner);
  hotpath_measure_end (outer);   /* out of order */
  hotpath_measure_end (inner);
  hotpath_measure_end (inner);
  hotpath_measure_end (0);
  hotpath_measure_end (G_MAXUINT);

  snapshot = hotpath_guard_snapshot (guard);
  g_assert_cmpuint (calls_of (snapshot, "measure::outer", &n_rows), ==, 1);
  g_assert_cmpuint (calls_of (snapshot, "measure::inner", &n_rows), ==, 1);
  g_assert_true (hotpath_guard_finish (guard, NULL));
}

/* 64 measurements may be open on a thread; more are not recorded. */
static void
test_measure_slots_full (void)
{
  g_autoptr(HotpathGuard) guard = new_guard ();
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  guint tokens[65];
  guint n_rows;

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    tokens[i] = hotpath_measure_begin ("measure::deep");
  g_assert_cmpuint (tokens[63], !=, 0);
  g_assert_cmpuint (tokens[64], ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    hotpath_measure_end (tokens[i]);

  /* Every slot is free again. */
  tokens[0] = hotpath_measure_begin ("measure::deep");
  g_assert_cmpuint (tokens[0], ==, 1);
  hotpath_measure_end (tokens[0]);

  snapshot = hotpath_guard_snapshot (guard);
  g_assert_cmpuint (calls_of (snapshot, "measure::deep", &n_rows), ==, 65);
  g_assert_true (hotpath_guard_finish (guard, NULL));
}

/* No session: nothing is recorded and the token is 0. */
static void
test_measure_no_session (void)
{
  g_autoptr(HotpathGuard) guard = NULL;
  g_autoptr(HotpathSnapshot) snapshot = NULL;
  g_autoptr(HotpathSpan) span = NULL;
  guint n_rows;

  g_assert_cmpuint (hotpath_measure_begin ("measure::off"), ==, 0);
  span = hotpath_span_begin ("measure::off");
  hotpath_span_end (span);

  guard = new_guard ();
  snapshot = hotpath_guard_snapshot (guard);
  g_assert_cmpuint (calls_of (snapshot, "measure::off", &n_rows), ==, 0);
  g_assert_true (hotpath_guard_finish (guard, NULL));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    data)
{
  (*(guint *) data)++;
}

/* The builder's properties are the setters' values, with notifications. */
static void
test_builder_properties (void)
{
  g_autoptr(HotpathGuardBuilder) builder = NULL;
  g_autofree char *name = NULL;
  g_autofree char *output_path = NULL;
  HotpathFormat format;
  guint limit, timeout_ms, notified = 0;

  builder = g_object_new (HOTPATH_TYPE_GUARD_BUILDER,
                          "name", "props",
                          "format", HOTPATH_FORMAT_JSON,
                          "limit", 3,
                          "output-path", "/tmp/report.json",
                          "timeout-ms", 250,
                          NULL);
  g_object_get (builder,
                "name", &name,
                "format", &format,
                "limit", &limit,
                "output-path", &output_path,
                "timeout-ms", &timeout_ms,
                NULL);
  g_assert_cmpstr (name, ==, "props");
  g_assert_cmpint (format, ==, HOTPATH_FORMAT_JSON);
  g_assert_cmpuint (limit, ==, 3);
  g_assert_cmpstr (output_path, ==, "/tmp/report.json");
  g_assert_cmpuint (timeout_ms, ==, 250);

  g_signal_connect (builder, "notify::limit", G_CALLBACK (count_notify), &notified);
  hotpath_guard_builder_set_limit (builder, 7);
  hotpath_guard_builder_set_limit (builder, 7);   /* unchanged: no notification */
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpuint (hotpath_guard_builder_get_limit (builder), ==, 7);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/Span/interned", test_span_interned);
  g_test_add_func ("/Hotpath/Span/unended", test_span_unended);
  g_test_add_func ("/Hotpath/Span/measure-tokens", test_measure_tokens);
  g_test_add_func ("/Hotpath/Span/measure-slots-full", test_measure_slots_full);
  g_test_add_func ("/Hotpath/Span/no-session", test_measure_no_session);
  g_test_add_func ("/Hotpath/Span/builder-properties", test_builder_properties);

  return g_test_run ();
}
