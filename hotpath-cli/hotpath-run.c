/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-run.c: `hotpath run` and `hotpath record`.
 *
 * Runs a program with libhotpath-glib-preload.so in LD_PRELOAD; each
 * option is one HOTPATH_* variable (docs/cli.md), so `run` does nothing a
 * user could not do by hand. The program's exit status comes back as ours,
 * and a signal that killed it kills us the same way, so scripts and CI
 * see what they would have seen without us.
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hotpath-cli.h"

#define PRELOAD_NAME "libhotpath-glib-preload.so"
#define ALLOC_NAME   "libhotpath-glib-alloc-1.so"

static volatile sig_atomic_t child_pid;

/* A SIGTERM or SIGHUP meant for the run goes to the program, which then
 * ends (or not) as it would alone; we follow it. */
static void
forward_signal (int signum)
{
  if (child_pid > 0)
    kill (child_pid, signum);
}

/* The installed file, or in a build tree the one built beside us; an
 * environment variable names another (tests, packagers). */
static char *
find_library (const char *env_name,
              const char *build_path,
              const char *installed_path)
{
  const char *env = g_getenv (env_name);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      g_autofree char *built = g_build_filename (dir, "..", build_path, NULL);

      if (g_file_test (built, G_FILE_TEST_IS_REGULAR))
        return g_canonicalize_filename (built, NULL);
    }

  return g_strdup (installed_path);
}

/* Ours go first, except a sanitizer's runtime, which must be first of all
 * (a run under ASan, as the tests of a sanitized build do). */
static char **
prepend_preload (char       **env,
                 const char  *library)
{
  const char *old = g_environ_getenv (env, "LD_PRELOAD");
  g_auto(GStrv) entries = g_strsplit_set (old != NULL ? old : "", " :", -1);
  g_autoptr(GPtrArray) runtimes = g_ptr_array_new ();
  g_autoptr(GPtrArray) others = g_ptr_array_new ();
  g_autoptr(GString) value = g_string_new (NULL);

  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (entries[i]);

      if (*entries[i] == '\0')
        continue;
      if (g_str_has_prefix (base, "libasan") || g_str_has_prefix (base, "libubsan") ||
          g_str_has_prefix (base, "libtsan"))
        g_ptr_array_add (runtimes, entries[i]);
      else
        g_ptr_array_add (others, entries[i]);
    }

  for (guint i = 0; i < runtimes->len; i++)
    g_string_append_printf (value, "%s:", (const char *) g_ptr_array_index (runtimes, i));
  g_string_append (value, library);
  for (guint i = 0; i < others->len; i++)
    g_string_append_printf (value, ":%s", (const char *) g_ptr_array_index (others, i));

  return g_environ_setenv (env, "LD_PRELOAD", value->str, TRUE);
}

int
hotpath_cli_run (int      argc,
                 char   **argv,
                 gboolean record)
{
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  g_autofree char *percentiles = NULL;
  g_autofree char *preload = NULL;
  g_auto(GStrv) program = NULL;
  g_auto(GStrv) env = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean alloc = FALSE;
  gboolean no_live = FALSE;
  gboolean follow = FALSE;
  int stall_ms = -1;
  int limit = -1;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      "Report format: table, json, json-pretty or none (HOTPATH_OUTPUT_FORMAT)", "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "Write the report to FILE instead of the terminal (HOTPATH_OUTPUT_PATH)", "FILE" },
    { "alloc", 0, 0, G_OPTION_ARG_NONE, &alloc,
      "Track allocations too (preloads libhotpath-glib-alloc-1)", NULL },
    { "no-live", 0, 0, G_OPTION_ARG_NONE, &no_live,
      "No live HTTP, MCP or D-Bus while it runs (hotpath list will not see it)", NULL },
    { "percentiles", 0, 0, G_OPTION_ARG_STRING, &percentiles,
      "Percentiles to report, e.g. 50,95,99 (HOTPATH_PERCENTILES)", "LIST" },
    { "stall-ms", 0, 0, G_OPTION_ARG_INT, &stall_ms,
      "A main-loop iteration busier than this is a stall (HOTPATH_STALL_MS, 16)", "MS" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit,
      "Rows per table; 0 for all (HOTPATH_LIMIT, 15)", "N" },
    { "follow", 0, 0, G_OPTION_ARG_NONE, &follow,
      "Profile the programs it starts too (each reports on its own)", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &program, NULL, NULL },
    { NULL }
  };
  int status;
  pid_t pid;

  context = g_option_context_new (record ? "-o FILE [--] PROGRAM [ARGS…]" : "[--] PROGRAM [ARGS…]");
  g_option_context_set_summary (context, record
    ? "Runs PROGRAM unmodified with the profiler preloaded and writes its report as JSON to FILE."
    : "Runs PROGRAM unmodified with the profiler preloaded: its main loop, sources, signal\n"
      "handlers and tasks, named after their functions; the report when it exits.");
  /* Options after PROGRAM are PROGRAM's. */
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      hotpath_cli_error ("%s", error->message);
      return 2;
    }
  if (program != NULL && program[0] != NULL && strcmp (program[0], "--") == 0)
    {
      char **rest = g_strdupv (program + 1);

      g_strfreev (program);
      program = rest;
    }
  if (program == NULL || program[0] == NULL)
    {
      hotpath_cli_error ("no program to run: hotpath %s [OPTIONS] -- PROGRAM [ARGS…]",
                         record ? "record -o FILE" : "run");
      return 2;
    }
  if (record)
    {
      if (output == NULL)
        {
          hotpath_cli_error ("record needs -o FILE");
          return 2;
        }
      if (format == NULL)
        format = g_strdup ("json");
    }
  if (format != NULL && !g_strv_contains ((const char * const[]) { "table", "json", "json-pretty", "none", NULL }, format))
    {
      hotpath_cli_error ("--format must be table, json, json-pretty or none, not '%s'", format);
      return 2;
    }

  env = g_get_environ ();
  preload = find_library ("HOTPATH_PRELOAD_LIBRARY", "hotpath-glib/" PRELOAD_NAME,
                          HOTPATH_LIBDIR "/hotpath-glib-1/" PRELOAD_NAME);
  if (!g_file_test (preload, G_FILE_TEST_IS_REGULAR))
    {
      hotpath_cli_error ("%s is missing: is hotpath-glib installed?", preload);
      return 2;
    }
  env = prepend_preload (env, preload);
  if (alloc)
    {
      g_autofree char *alloc_library = find_library ("HOTPATH_ALLOC_LIBRARY",
                                                     "hotpath-glib/alloc/" ALLOC_NAME,
                                                     HOTPATH_LIBDIR "/" ALLOC_NAME ".0");

      /* First, so it sees every allocation. */
      env = prepend_preload (env, alloc_library);
      env = g_environ_setenv (env, "HOTPATH_ALLOC", "1", TRUE);
    }

  if (format != NULL)
    env = g_environ_setenv (env, "HOTPATH_OUTPUT_FORMAT", format, TRUE);
  if (output != NULL)
    env = g_environ_setenv (env, "HOTPATH_OUTPUT_PATH", output, TRUE);
  if (percentiles != NULL)
    env = g_environ_setenv (env, "HOTPATH_PERCENTILES", percentiles, TRUE);
  if (stall_ms >= 0)
    {
      g_autofree char *value = g_strdup_printf ("%d", stall_ms);
      env = g_environ_setenv (env, "HOTPATH_STALL_MS", value, TRUE);
    }
  if (limit >= 0)
    {
      g_autofree char *value = g_strdup_printf ("%d", limit);
      env = g_environ_setenv (env, "HOTPATH_LIMIT", value, TRUE);
    }
  if (follow)
    env = g_environ_setenv (env, "HOTPATH_RUN_FOLLOW", "1", TRUE);
  if (no_live)
    {
      env = g_environ_setenv (env, "HOTPATH_METRICS_SERVER_OFF", "1", TRUE);
      env = g_environ_setenv (env, "HOTPATH_MCP_SERVER_OFF", "1", TRUE);
      env = g_environ_setenv (env, "HOTPATH_DBUS_OFF", "1", TRUE);
    }
  else
    {
      /* Any free ports, so that two runs never fight over 6770; `hotpath
       * list` finds them on D-Bus. What the user set stays. */
      env = g_environ_setenv (env, "HOTPATH_METRICS_PORT", "0", FALSE);
      env = g_environ_setenv (env, "HOTPATH_MCP_PORT", "0", FALSE);
    }

  /* The loader ignores LD_PRELOAD for these: say so rather than print
   * nothing. */
  {
    g_autofree char *path = g_find_program_in_path (program[0]);
    struct stat st;

    if (path != NULL && stat (path, &st) == 0 &&
        (((st.st_mode & S_ISUID) != 0 && st.st_uid != geteuid ()) ||
         ((st.st_mode & S_ISGID) != 0 && st.st_gid != getegid ())))
      hotpath_cli_error ("%s is set-user-ID or set-group-ID: the loader ignores LD_PRELOAD "
                         "for it, so it runs unprofiled", program[0]);
  }

  fflush (NULL);
  pid = fork ();
  if (pid < 0)
    {
      hotpath_cli_error ("cannot start %s: %s", program[0], g_strerror (errno));
      return 127;
    }
  if (pid == 0)
    {
      int saved;

      execvpe (program[0], program, env);
      saved = errno;
      fprintf (stderr, "hotpath: cannot run %s: %s\n", program[0], g_strerror (saved));
      _exit (saved == ENOENT ? 127 : 126);
    }

  child_pid = pid;
  /* The terminal sends ^C and ^\ to the whole group: the program decides,
   * and we wait to report how it ended. */
  signal (SIGINT, SIG_IGN);
  signal (SIGQUIT, SIG_IGN);
  signal (SIGTERM, forward_signal);
  signal (SIGHUP, forward_signal);

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        hotpath_cli_error ("waiting for %s: %s", program[0], g_strerror (errno));
        return 127;
      }

  if (WIFEXITED (status))
    return WEXITSTATUS (status);

  if (WIFSIGNALED (status))
    {
      int signum = WTERMSIG (status);
      struct rlimit no_core = { 0, 0 };
      sigset_t set;

      /* Die of the same signal, without a core file of our own. */
      setrlimit (RLIMIT_CORE, &no_core);
      signal (signum, SIG_DFL);
      sigemptyset (&set);
      sigaddset (&set, signum);
      sigprocmask (SIG_UNBLOCK, &set, NULL);
      fflush (NULL);
      raise (signum);
      return 128 + signum;
    }

  return 127;
}
