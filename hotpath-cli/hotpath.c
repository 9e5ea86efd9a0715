/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath: the command line of hotpath-glib. Profile an unmodified program
 * (run, record), look at running ones (list, show) and compare two runs
 * (compare), e.g. in CI.
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "hotpath-cli.h"

static const char usage[] =
  "Usage: hotpath COMMAND [OPTIONS…]\n"
  "\n"
  "Commands:\n"
  "  run [OPTIONS] -- PROGRAM [ARGS…]   profile PROGRAM as it is, no rebuild; report at exit\n"
  "  record -o FILE [OPTIONS] -- PROGRAM [ARGS…]\n"
  "                                     run, writing the report as JSON to FILE\n"
  "  list                               profiled programs running on this session bus\n"
  "  show [PID|URL] [SECTION…]          the report of a running program (--watch, --json)\n"
  "  compare BASE.json HEAD.json        what changed between two reports (CI)\n"
  "\n"
  "`hotpath COMMAND --help` describes a command's options.\n";

void
hotpath_cli_error (const char *format,
                   ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "hotpath: %s\n", message);
}

int
main (int   argc,
      char *argv[])
{
  const char *command;

  setlocale (LC_ALL, "");

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
      strcmp (argv[1], "help") == 0)
    {
      fputs (usage, argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("hotpath %s\n", PACKAGE_VERSION);
      return 0;
    }

  command = argv[1];
  argv[1] = g_strdup_printf ("hotpath %s", command);

  if (strcmp (command, "run") == 0)
    return hotpath_cli_run (argc - 1, argv + 1, FALSE);
  if (strcmp (command, "record") == 0)
    return hotpath_cli_run (argc - 1, argv + 1, TRUE);
  if (strcmp (command, "list") == 0)
    return hotpath_cli_list (argc - 1, argv + 1);
  if (strcmp (command, "show") == 0)
    return hotpath_cli_show (argc - 1, argv + 1);
  if (strcmp (command, "compare") == 0)
    return hotpath_cli_compare (argc - 1, argv + 1);

  hotpath_cli_error ("unknown command '%s'", command);
  fputs (usage, stderr);
  return 2;
}
