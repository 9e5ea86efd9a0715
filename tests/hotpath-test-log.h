/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library logs its one-line messages (a bad environment variable, a
 * port in use, the live server's address) with g_message() in the
 * "Hotpath" domain. GLib's default writer prints them on stderr as
 * "Hotpath-Message: HH:MM:SS.mmm: text"; these helpers match that line.
 */
#pragma once

#include <glib.h>
#include <string.h>

/* For g_test_trap_assert_stderr() and g_pattern_match_simple(). */
#define HOTPATH_TEST_MESSAGE "Hotpath-Message: ??:??:??.???: "

#define HOTPATH_TEST_MESSAGE_HEAD "Hotpath-Message: "

/* The text of a message line, or NULL if @line is not one. */
static inline const char *
hotpath_test_message_text (const char *line)
{
  const char *text;

  if (line == NULL || !g_str_has_prefix (line, HOTPATH_TEST_MESSAGE_HEAD))
    return NULL;
  text = strstr (line + strlen (HOTPATH_TEST_MESSAGE_HEAD), ": ");
  return text != NULL ? text + 2 : NULL;
}

/* Whether @line is a message whose text starts with @prefix. */
static inline gboolean
hotpath_test_message_has_prefix (const char *line,
                                 const char *prefix)
{
  const char *text = hotpath_test_message_text (line);

  return text != NULL && g_str_has_prefix (text, prefix);
}
