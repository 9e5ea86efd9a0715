/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-guard-ends.c: the ends of a process that exit() does not see.
 *
 * Signals. While a session runs, SIGINT, SIGTERM and SIGHUP get a handler
 * if they still have their default disposition (a handler or SIG_IGN the
 * program set first stays; one it sets later replaces ours, and its report
 * then comes at exit as usual). The handler only writes the signal number
 * to a pipe, which is async-signal-safe; a thread of ours reads it, writes
 * the report (any format, file or reporter: it finishes the session), puts
 * the default disposition back and raises the signal again, so the process
 * dies of it as it would have (a shell sees 128+N). A second signal while
 * the report is written kills at once.
 *
 * exec*(). The library defines execve() and its siblings, so calls from
 * the program, GLib or GTK reach these first (they are found before libc's
 * in the global scope). The session is finished, its report written, and
 * the real function runs: the new image starts without the old one's
 * measurements, and if exec fails the program goes on unprofiled. A forked
 * child (fork + exec, as GLib spawns) must only call async-signal-safe
 * functions: it goes straight to libc.
 */

#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <unistd.h>

#include <glib-unix.h>

#include "hotpath-collector-private.h"
#include "hotpath-guard-private.h"

static const int handled_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define N_HANDLED G_N_ELEMENTS (handled_signals)

static int            signal_pipe[2] = { -1, -1 };
static pid_t          handler_pid;        /* the process the handlers were installed in */
static volatile sig_atomic_t signal_pending;
static GMutex         install_lock;
static gboolean       installed[N_HANDLED];

/* ------------------------------------------------------------ signals */

static void
die_of (int sig)
{
  struct sigaction dfl = { 0 };
  sigset_t set;

  dfl.sa_handler = SIG_DFL;
  sigemptyset (&dfl.sa_mask);
  sigaction (sig, &dfl, NULL);
  sigemptyset (&set);
  sigaddset (&set, sig);
  pthread_sigmask (SIG_UNBLOCK, &set, NULL);
  raise (sig);
}

/* Async-signal-safe only: getpid, write, sigaction, raise. */
static void
on_signal (int sig)
{
  int saved_errno = errno;
  unsigned char byte = (unsigned char) sig;

  /* A forked child inherits the handler, not our thread (which lives in
   * its parent), and a second signal means "now". */
  if (getpid () != handler_pid || signal_pending)
    {
      die_of (sig);
      errno = saved_errno;
      return;
    }

  signal_pending = 1;
  if (write (signal_pipe[1], &byte, 1) != 1)
    die_of (sig);

  errno = saved_errno;
}

static gpointer
signal_thread_main (gpointer data)
{
  for (;;)
    {
      unsigned char byte;
      ssize_t n = read (signal_pipe[0], &byte, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n != 1)
        return NULL;

      hotpath_guard_finish_active ();
      die_of (byte);
      /* Still here: the signal is blocked in every thread, or was ignored
       * meanwhile. The program goes on, without a session. */
      signal_pending = 0;
    }
}

static gboolean
ensure_signal_thread (void)
{
  static gsize started;

  if (g_once_init_enter (&started))
    {
      gsize ok = 2;

      if (g_unix_open_pipe (signal_pipe, FD_CLOEXEC, NULL) &&
          g_unix_set_fd_nonblocking (signal_pipe[1], TRUE, NULL))
        {
          GThread *thread = g_thread_try_new ("hotpath-signals", signal_thread_main, NULL, NULL);

          if (thread != NULL)
            {
              g_thread_unref (thread);
              ok = 1;
            }
        }
      g_once_init_leave (&started, ok);
    }

  return started == 1;
}

/* A new session: handle the signals nobody else handles. */
void
hotpath_guard_ends_install (void)
{
  g_mutex_lock (&install_lock);
  handler_pid = getpid ();
  signal_pending = 0;

  if (!ensure_signal_thread ())
    {
      g_mutex_unlock (&install_lock);
      return;
    }

  for (guint i = 0; i < N_HANDLED; i++)
    {
      struct sigaction old, act = { 0 };

      if (installed[i] || sigaction (handled_signals[i], NULL, &old) != 0)
        continue;
      /* The program's own handler, or SIG_IGN: leave it. */
      if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
        continue;

      act.sa_handler = on_signal;
      act.sa_flags = SA_RESTART;
      sigemptyset (&act.sa_mask);
      installed[i] = sigaction (handled_signals[i], &act, NULL) == 0;
    }

  g_mutex_unlock (&install_lock);
}

/* The session is over: give back the default disposition, unless the
 * program put its own handler there since. */
void
hotpath_guard_ends_uninstall (void)
{
  g_mutex_lock (&install_lock);

  for (guint i = 0; i < N_HANDLED; i++)
    {
      struct sigaction old, dfl = { 0 };

      if (!installed[i])
        continue;
      installed[i] = FALSE;
      if (sigaction (handled_signals[i], NULL, &old) != 0 ||
          (old.sa_flags & SA_SIGINFO) || old.sa_handler != on_signal)
        continue;

      dfl.sa_handler = SIG_DFL;
      sigemptyset (&dfl.sa_mask);
      sigaction (handled_signals[i], &dfl, NULL);
    }

  g_mutex_unlock (&install_lock);
}

/* --------------------------------------------------------------- exec */

typedef int (*ExecveFunc)  (const char *, char *const[], char *const[]);
typedef int (*ExecvFunc)   (const char *, char *const[]);
typedef int (*FexecveFunc) (int, char *const[], char *const[]);

static ExecveFunc  real_execve;
static ExecvFunc   real_execv;
static ExecvFunc   real_execvp;
static ExecveFunc  real_execvpe;
static FexecveFunc real_fexecve;

/* Resolved when the library loads: a forked child may not call dlsym(). */
__attribute__((constructor)) static void
resolve_exec_functions (void)
{
  real_execve = (ExecveFunc) dlsym (RTLD_NEXT, "execve");
  real_execv = (ExecvFunc) dlsym (RTLD_NEXT, "execv");
  real_execvp = (ExecvFunc) dlsym (RTLD_NEXT, "execvp");
  real_execvpe = (ExecveFunc) dlsym (RTLD_NEXT, "execvpe");
  real_fexecve = (FexecveFunc) dlsym (RTLD_NEXT, "fexecve");
}

static void
before_exec (void)
{
  /* Forked children and vforked ones share nothing with the session but
   * memory they must not touch. */
  if (handler_pid == 0 || getpid () != handler_pid || hotpath_collector_is_forked_child ())
    return;

  hotpath_guard_finish_active ();
}

static int
missing (void)
{
  errno = ENOSYS;
  return -1;
}

#define EXPORT __attribute__((visibility ("default")))

EXPORT int
execve (const char  *path,
        char *const  argv[],
        char *const  envp[])
{
  before_exec ();
  return real_execve != NULL ? real_execve (path, argv, envp) : missing ();
}

EXPORT int
execv (const char  *path,
       char *const  argv[])
{
  before_exec ();
  return real_execv != NULL ? real_execv (path, argv) : missing ();
}

EXPORT int
execvp (const char  *file,
        char *const  argv[])
{
  before_exec ();
  return real_execvp != NULL ? real_execvp (file, argv) : missing ();
}

EXPORT int
execvpe (const char  *file,
         char *const  argv[],
         char *const  envp[])
{
  before_exec ();
  return real_execvpe != NULL ? real_execvpe (file, argv, envp) : missing ();
}

EXPORT int
fexecve (int          fd,
         char *const  argv[],
         char *const  envp[])
{
  before_exec ();
  return real_fexecve != NULL ? real_fexecve (fd, argv, envp) : missing ();
}

/* The variadic forms count their arguments, then call the vector forms
 * with an array on the stack (no malloc: they may run in a forked child). */
#define COLLECT_ARGS(first, ap, argv)                                  \
  G_STMT_START {                                                      \
    argv[0] = (char *) first;                                         \
    for (gsize i_ = 1; argv[i_ - 1] != NULL; i_++)                    \
      argv[i_] = va_arg (ap, char *);                                 \
  } G_STMT_END

static gsize
count_args (const char *first,
            va_list     ap)
{
  gsize n = 1;

  if (first == NULL)
    return 1;
  while (va_arg (ap, char *) != NULL)
    n++;

  return n + 1;   /* with the NULL */
}

EXPORT int
execl (const char *path,
       const char *arg,
       ...)
{
  va_list ap;
  gsize n;

  va_start (ap, arg);
  n = count_args (arg, ap);
  va_end (ap);

  {
    char *argv[n];

    va_start (ap, arg);
    COLLECT_ARGS (arg, ap, argv);
    va_end (ap);
    return execv (path, argv);
  }
}

EXPORT int
execlp (const char *file,
        const char *arg,
        ...)
{
  va_list ap;
  gsize n;

  va_start (ap, arg);
  n = count_args (arg, ap);
  va_end (ap);

  {
    char *argv[n];

    va_start (ap, arg);
    COLLECT_ARGS (arg, ap, argv);
    va_end (ap);
    return execvp (file, argv);
  }
}

EXPORT int
execle (const char *path,
        const char *arg,
        ...)
{
  va_list ap;
  gsize n;

  va_start (ap, arg);
  n = count_args (arg, ap);
  va_end (ap);

  {
    char *argv[n];
    char **envp;

    va_start (ap, arg);
    COLLECT_ARGS (arg, ap, argv);
    envp = va_arg (ap, char **);
    va_end (ap);
    return execve (path, argv, envp);
  }
}
