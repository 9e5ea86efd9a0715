/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-instrument.c: measure-all.
 *
 * A target built with `-finstrument-functions` calls these two hooks around
 * every function it defines. They keep a per-thread shadow stack of start
 * times and record one event per return, keyed by the function's address;
 * the name is looked up in the ELF symbol tables only when a report needs
 * it, so static functions get their real names too.
 */

#include "config.h"

#include "hotpath-collector-private.h"

#define NO_INSTRUMENT __attribute__((no_instrument_function, visibility ("default")))

void __cyg_profile_func_enter (void *fn, void *call_site) NO_INSTRUMENT;
void __cyg_profile_func_exit  (void *fn, void *call_site) NO_INSTRUMENT;

void
__cyg_profile_func_enter (void *fn,
                          void *call_site)
{
  hotpath_collector_enter_address (fn);
}

void
__cyg_profile_func_exit (void *fn,
                         void *call_site)
{
  hotpath_collector_exit_address (fn);
}
