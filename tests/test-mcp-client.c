/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-mcp-client.c: a standard MCP client uses the MCP server (issue 5).
 * Starts tests/fixtures/live-target "flow" with its MCP server on a free
 * port and runs tests/mcp-client/check-mcp-client.mjs against it: the
 * official MCP TypeScript SDK client (Client + StreamableHTTPClientTransport)
 * connects, negotiates, lists and calls tools, gets errors for bad calls and
 * pings, printing TAP. Skipped when node or the SDK (npm ci, done by
 * `build-aux/dev.sh deps`) is missing.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "hotpath-test-live-target.h"

/* From tests/fixtures/live-target.c: G_LOG_DOMAIN "live-target", work()
 * measured 10 times. */
#define TARGET_FUNCTION "live-target::work"
#define TARGET_CALLS    "10"


/* Skips the test (and returns FALSE) unless node and the SDK are there. */
static gboolean
have_client (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *sdk = NULL;

  if (HOTPATH_TEST_NODE[0] == '\0')
    {
      g_test_skip ("node not found when the build was configured: install Node.js (node 20) "
                   "and reconfigure, or run build-aux/dev.sh deps");
      return FALSE;
    }

  dir = g_path_get_dirname (HOTPATH_TEST_MCP_CLIENT_SCRIPT);
  sdk = g_build_filename (dir, "node_modules", "@modelcontextprotocol", "sdk", "package.json", NULL);
  if (!g_file_test (sdk, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *message =
        g_strdup_printf ("the MCP TypeScript SDK is not installed in %s/node_modules: "
                         "run build-aux/dev.sh deps (npm ci --prefix tests/mcp-client)", dir);
      g_test_skip (message);
      return FALSE;
    }

  return TRUE;
}

/* Starts live-target "flow", waits until its data is all in and returns
 * its MCP endpoint. */
static GSubprocess *
target_start (const char  *token,
              char       **url)
{
  g_autoptr(GSubprocessLauncher) launcher = live_target_launcher_new (LIVE_TARGET_MCP, "none");
  LiveTarget target;

  if (token != NULL)
    g_subprocess_launcher_setenv (launcher, "HOTPATH_MCP_AUTH_TOKEN", token, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "HOTPATH_MCP_AUTH_TOKEN");

  live_target_start (&target, launcher, "flow");
  g_assert_cmpuint (target.mcp_port, >, 0);
  g_clear_object (&target.err);  /* target_stop() reads the rest */

  *url = g_strdup_printf ("http://127.0.0.1:%u/mcp", target.mcp_port);
  return target.process;
}

static void
target_stop (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, "", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_object_unref (process);
}

/* Runs the SDK client against @url (with @token, if any) and returns its
 * exit status; its TAP output goes to @output and into the test log (its
 * stderr, node's own messages, straight to the test's). */
static int
run_client (const char  *url,
            const char  *token,
            char       **output)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;

  g_ptr_array_add (argv, (char *) HOTPATH_TEST_NODE);
  g_ptr_array_add (argv, (char *) HOTPATH_TEST_MCP_CLIENT_SCRIPT);
  g_ptr_array_add (argv, (char *) url);
  if (token != NULL)
    g_ptr_array_add (argv, (char *) token);
  g_ptr_array_add (argv, (char *) "--function");
  g_ptr_array_add (argv, (char *) TARGET_FUNCTION);
  g_ptr_array_add (argv, (char *) "--calls");
  g_ptr_array_add (argv, (char *) TARGET_CALLS);
  g_ptr_array_add (argv, NULL);

  /* The developer's node settings must not change what is tested. */
  g_subprocess_launcher_unsetenv (launcher, "NODE_OPTIONS");
  g_subprocess_launcher_unsetenv (launcher, "NODE_PATH");
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, output, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*output);

  lines = g_strsplit (*output, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_test_message ("node: %s", lines[i]);

  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* Every check of the script ran and passed. */
static void
assert_tap_passed (const char *output)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);
  guint planned = 0, passed = 0;

  g_assert_true (g_str_has_prefix (output, "1.."));
  planned = (guint) atoi (output + 3);
  g_assert_cmpuint (planned, >, 0);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_assert_false (g_str_has_prefix (lines[i], "not ok"));
      if (g_str_has_prefix (lines[i], "ok "))
        passed++;
    }
  g_assert_cmpuint (passed, ==, planned);
}

static void
test_mcp_client_sdk (void)
{
  g_autofree char *url = NULL;
  g_autofree char *output = NULL;
  GSubprocess *target;
  int status;

  if (!have_client ())
    return;

  target = target_start (NULL, &url);
  status = run_client (url, NULL, &output);
  target_stop (target);

  g_assert_cmpint (status, ==, 0);
  assert_tap_passed (output);
  /* What was checked, to read in the log. */
  g_assert_nonnull (strstr (output, "ok 1 - the SDK client (@modelcontextprotocol/sdk "));
  g_assert_nonnull (strstr (output, "# negotiated 2025-"));
  g_assert_nonnull (strstr (output, "1. " TARGET_FUNCTION " (id "));
}

/* HOTPATH_MCP_AUTH_TOKEN: the SDK client with the Bearer token works; the
 * script also checks that without it, or with a wrong one, the SDK
 * surfaces the 401 as an error. */
static void
test_mcp_client_auth (void)
{
  g_autofree char *url = NULL;
  g_autofree char *output = NULL;
  g_autofree char *refused = NULL;
  GSubprocess *target;
  int status, refused_status;

  if (!have_client ())
    return;

  target = target_start ("sdk-client-token", &url);
  status = run_client (url, "sdk-client-token", &output);
  refused_status = run_client (url, NULL, &refused);
  target_stop (target);

  g_assert_cmpint (status, ==, 0);
  assert_tap_passed (output);
  g_assert_nonnull (strstr (output, "ok 1 - a client without the token gets HTTP 401 as an error\n"));
  g_assert_nonnull (strstr (output, "ok 2 - a client with a wrong token gets HTTP 401 as an error\n"));

  /* Without the token the whole session fails, starting with connect. */
  g_assert_cmpint (refused_status, ==, 1);
  g_assert_nonnull (strstr (refused, "not ok 1 - the SDK client (@modelcontextprotocol/sdk "));
  g_assert_nonnull (strstr (refused, "# HTTP status 401\n"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hotpath/McpClient/sdk", test_mcp_client_sdk);
  g_test_add_func ("/Hotpath/McpClient/auth", test_mcp_client_auth);

  return g_test_run ();
}
