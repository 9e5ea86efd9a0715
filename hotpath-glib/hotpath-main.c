/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-main.c: what HOTPATH_MAIN() expands to.
 *
 * The report must come out exactly once whether main() returns, exit() is
 * called on any thread or the timeout fires. The guard's finish is
 * idempotent and serialized; an atexit() handler covers exit() and the
 * cleanup variable in main() covers return.
 */

#include "config.h"

#include <stdlib.h>

#include "hotpath.h"
#include "hotpath-flow-private.h"   /* the main-loop lag probe */
#include "hotpath-guard-private.h"

/* Holds its own reference until the process ends, so the atexit handler
 * never races with main() dropping the guard. */
static HotpathGuard *main_guard;
/* measure-all's automatic session, kept reachable once replaced. */
static HotpathGuard *automatic_guard;

static void
finish_at_exit (void)
{
  HotpathGuard *guard = g_atomic_pointer_get (&main_guard);

  if (guard != NULL)
    hotpath_guard_finish (guard, NULL);
}

/**
 * hotpath_main_begin: (skip)
 * @options: the options HOTPATH_MAIN() was given, defaults filled in
 *
 * What HOTPATH_MAIN() calls; not for direct use.
 *
 * Returns: (transfer full) (nullable): the session's guard
 *
 * Since: 0.1
 */
HotpathGuard *
hotpath_main_begin (const HotpathOptions *options)
{
  static gsize atexit_registered;
  g_autoptr(HotpathGuardBuilder) builder = NULL;
  HotpathGuard *guard;

  g_return_val_if_fail (options != NULL, NULL);

  builder = hotpath_guard_builder_new_from_options (options);
  guard = hotpath_guard_builder_build (builder, NULL);
  if (guard == NULL)
    return NULL;

  /* A previous session's guard (HOTPATH_MAIN run twice) is kept, not
   * unreffed: an exit() on another thread may be reading it right now.
   * It is finished already; what it holds is a few hundred bytes. */
  g_atomic_pointer_set (&main_guard, g_object_ref (guard));

  hotpath_main_context_session_begin ();  /* HOTPATH_MAIN_LOOP */

  if (g_once_init_enter (&atexit_registered))
    {
      atexit (finish_at_exit);
      g_once_init_leave (&atexit_registered, 1);
    }

  return guard;
}

/*
 * hotpath_main_begin_automatic:
 *
 * Measure-all needs no code: a program built with the measure-all flags
 * that never calls HOTPATH_MAIN() gets this session at its first hook, as
 * if HOTPATH_MAIN() were the first statement of main() (environment
 * included). It reports at exit. A guard built later, by HOTPATH_MAIN()
 * or the builder, replaces it and its configuration.
 */
void
hotpath_main_begin_automatic (void)
{
  const HotpathOptions options = { HOTPATH_OPTIONS_INIT };
  HotpathGuard *guard;

  guard = hotpath_main_begin (&options);
  if (guard == NULL)
    return;

  hotpath_guard_set_automatic (guard);
  /* Never freed: a guard that replaces it reads it (hotpath-guard.c). */
  g_atomic_pointer_set (&automatic_guard, guard);
}

/**
 * hotpath_main_end: (skip)
 * @guard: the variable HOTPATH_MAIN() declared
 *
 * Writes the report when main() returns; what HOTPATH_MAIN() calls, not
 * for direct use.
 *
 * Since: 0.1
 */
void
hotpath_main_end (HotpathGuard **guard)
{
  if (*guard == NULL)
    return;

  hotpath_guard_finish (*guard, NULL);
  hotpath_main_context_session_end ();  /* removes the lag probe */
  g_clear_object (guard);
}
