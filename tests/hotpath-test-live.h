/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-test-live.h: helpers the live-data suites share: start a
 * session whose servers listen on free loopback ports, and talk to them
 * with a real libsoup client.
 */
#pragma once

#include <libsoup/soup.h>

#include "hotpath.h"
#include "hotpath-collector-private.h"
#include "hotpath-guard-private.h"
#include "hotpath-server-private.h"

typedef struct
{
  guint  status;
  char  *body;
  char  *content_type;
  char  *allow;
  char  *www_authenticate;
} LiveResponse;

static G_GNUC_UNUSED void
live_response_clear (LiveResponse *response)
{
  g_clear_pointer (&response->body, g_free);
  g_clear_pointer (&response->content_type, g_free);
  g_clear_pointer (&response->allow, g_free);
  g_clear_pointer (&response->www_authenticate, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LiveResponse, live_response_clear)

/* Every live server off, so a suite turns on only what it tests. */
static G_GNUC_UNUSED void
live_env_reset (void)
{
  g_setenv ("HOTPATH_METRICS_SERVER_OFF", "1", TRUE);
  g_setenv ("HOTPATH_MCP_SERVER_OFF", "1", TRUE);
  g_setenv ("HOTPATH_DBUS_OFF", "1", TRUE);
  g_setenv ("HOTPATH_METRICS_PORT", "0", TRUE);
  g_setenv ("HOTPATH_MCP_PORT", "0", TRUE);
  g_unsetenv ("HOTPATH_METRICS_HOST");
  g_unsetenv ("HOTPATH_METRICS_AUTH_TOKEN");
  g_unsetenv ("HOTPATH_MCP_AUTH_TOKEN");
}

static G_GNUC_UNUSED HotpathGuard *
live_guard_new (const char *name)
{
  g_autoptr(HotpathGuardBuilder) builder = hotpath_guard_builder_new (name);
  static const double percentiles[] = { 50, 95, 99.9 };
  HotpathGuard *guard;

  hotpath_guard_builder_set_format (builder, HOTPATH_FORMAT_NONE);
  hotpath_guard_builder_set_percentiles (builder, percentiles, G_N_ELEMENTS (percentiles));
  guard = hotpath_guard_builder_build (builder, NULL);
  g_assert_nonnull (guard);

  return guard;
}

static G_GNUC_UNUSED SoupSession *
live_session (void)
{
  static SoupSession *session;

  if (session == NULL)
    session = soup_session_new_with_options ("timeout", 10, NULL);

  return session;
}

static G_GNUC_UNUSED void
live_request_full (const char   *method,
                   guint16       port,
                   const char   *path,
                   const char   *authorization,
                   const char   *accept,
                   const char   *content_type,
                   GBytes       *body,
                   LiveResponse *response)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SoupMessageHeaders *headers;

  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  if (authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", authorization);
  if (accept != NULL)
    soup_message_headers_replace (headers, "Accept", accept);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);

  bytes = soup_session_send_and_read (live_session (), msg, NULL, &error);
  g_assert_no_error (error);

  headers = soup_message_get_response_headers (msg);
  response->status = soup_message_get_status (msg);
  response->body = g_bytes_get_size (bytes) > 0 ? g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes))
                                                : g_strdup ("");
  response->content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
  response->allow = g_strdup (soup_message_headers_get_one (headers, "Allow"));
  response->www_authenticate = g_strdup (soup_message_headers_get_one (headers, "WWW-Authenticate"));
}

static G_GNUC_UNUSED void
live_get (guint16       port,
          const char   *path,
          LiveResponse *response)
{
  live_request_full ("GET", port, path, NULL, NULL, NULL, NULL, response);
}
