/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each subcommand gets its arguments after its name (argv[0] is
 * "hotpath SUBCOMMAND") and returns the process's exit status. */
int hotpath_cli_run     (int argc, char **argv, gboolean record);
int hotpath_cli_list    (int argc, char **argv);
int hotpath_cli_show    (int argc, char **argv);
int hotpath_cli_compare (int argc, char **argv);

/* Prints "hotpath: MESSAGE" on stderr. */
void hotpath_cli_error  (const char *format, ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
