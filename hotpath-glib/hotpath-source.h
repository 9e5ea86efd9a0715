/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib-object.h>

#include "hotpath-version-macros.h"

G_BEGIN_DECLS

HOTPATH_AVAILABLE_IN_ALL
void   hotpath_source_watch         (GSource     *source,
                                     const char  *label);
HOTPATH_AVAILABLE_IN_ALL
guint  hotpath_timeout_add_named    (guint        interval,
                                     GSourceFunc  function,
                                     gpointer     data,
                                     const char  *name);
HOTPATH_AVAILABLE_IN_ALL
guint  hotpath_idle_add_named       (GSourceFunc  function,
                                     gpointer     data,
                                     const char  *name);
HOTPATH_AVAILABLE_IN_ALL
gulong hotpath_signal_connect_named (gpointer     instance,
                                     const char  *detailed_signal,
                                     GCallback    handler,
                                     gpointer     data,
                                     const char  *name);

/**
 * HOTPATH_TIMEOUT_ADD:
 * @interval: milliseconds
 * @callback: a #GSourceFunc
 * @data: its data
 *
 * g_timeout_add() whose dispatches are timed under the callback's own
 * name. Off, it is g_timeout_add().
 *
 * Returns: the source id
 */
#define HOTPATH_TIMEOUT_ADD(interval, callback, data) \
  hotpath_timeout_add_named ((interval), (callback), (data), #callback)

/**
 * HOTPATH_IDLE_ADD:
 * @callback: a #GSourceFunc
 * @data: its data
 *
 * g_idle_add() whose dispatches are timed under the callback's own name;
 * g_idle_remove_by_data() still finds the source. Off, it is g_idle_add().
 *
 * Returns: the source id
 */
#define HOTPATH_IDLE_ADD(callback, data) \
  hotpath_idle_add_named ((callback), (data), #callback)

/**
 * HOTPATH_SIGNAL_CONNECT:
 * @instance: a #GObject
 * @detailed_signal: "signal::detail"
 * @callback: the handler
 * @data: its data
 *
 * g_signal_connect() whose handler runs are timed under the handler's own
 * name. Off, it is g_signal_connect().
 *
 * Returns: the handler id
 */
#define HOTPATH_SIGNAL_CONNECT(instance, detailed_signal, callback, data) \
  hotpath_signal_connect_named ((instance), (detailed_signal), G_CALLBACK (callback), (data), #callback)

G_END_DECLS
