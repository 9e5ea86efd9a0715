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
HOTPATH_AVAILABLE_IN_ALL
guint  hotpath_timeout_add_full_named    (int             priority,
                                          guint           interval,
                                          GSourceFunc     function,
                                          gpointer        data,
                                          GDestroyNotify  notify,
                                          const char     *name);
HOTPATH_AVAILABLE_IN_ALL
guint  hotpath_timeout_add_seconds_named (guint           interval,
                                          GSourceFunc     function,
                                          gpointer        data,
                                          const char     *name);
HOTPATH_AVAILABLE_IN_ALL
guint  hotpath_idle_add_full_named       (int             priority,
                                          GSourceFunc     function,
                                          gpointer        data,
                                          GDestroyNotify  notify,
                                          const char     *name);
HOTPATH_AVAILABLE_IN_ALL
gulong hotpath_signal_connect_data_named (gpointer        instance,
                                          const char     *detailed_signal,
                                          GCallback       handler,
                                          gpointer        data,
                                          GClosureNotify  destroy_data,
                                          GConnectFlags   connect_flags,
                                          const char     *name);
HOTPATH_AVAILABLE_IN_ALL
gulong hotpath_signal_connect_object_named (gpointer       instance,
                                            const char    *detailed_signal,
                                            GCallback      handler,
                                            gpointer       gobject,
                                            GConnectFlags  connect_flags,
                                            const char    *name);

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

/**
 * HOTPATH_SIGNAL_CONNECT_SWAPPED:
 * @instance: a #GObject
 * @detailed_signal: "signal::detail"
 * @callback: the handler, called with @data first and @instance last
 * @data: its data
 *
 * g_signal_connect_swapped(), timed under the handler's own name. Off, it
 * is g_signal_connect_swapped().
 *
 * Returns: the handler id
 */
#define HOTPATH_SIGNAL_CONNECT_SWAPPED(instance, detailed_signal, callback, data) \
  hotpath_signal_connect_data_named ((instance), (detailed_signal), G_CALLBACK (callback), (data), \
                                     NULL, G_CONNECT_SWAPPED, #callback)

/**
 * HOTPATH_SIGNAL_CONNECT_AFTER:
 * @instance: a #GObject
 * @detailed_signal: "signal::detail"
 * @callback: the handler, run after the default handler
 * @data: its data
 *
 * g_signal_connect_after(), timed under the handler's own name. Off, it is
 * g_signal_connect_after().
 *
 * Returns: the handler id
 */
#define HOTPATH_SIGNAL_CONNECT_AFTER(instance, detailed_signal, callback, data) \
  hotpath_signal_connect_data_named ((instance), (detailed_signal), G_CALLBACK (callback), (data), \
                                     NULL, G_CONNECT_AFTER, #callback)

/**
 * HOTPATH_SIGNAL_CONNECT_OBJECT:
 * @instance: a #GObject
 * @detailed_signal: "signal::detail"
 * @callback: the handler
 * @gobject: (type GObject.Object): the object passed as the handler's data;
 *   the handler is disconnected when it is finalized
 * @connect_flags: #GConnectFlags (%G_CONNECT_SWAPPED, %G_CONNECT_AFTER)
 *
 * g_signal_connect_object(), timed under the handler's own name. Off, it
 * is g_signal_connect_object().
 *
 * Returns: the handler id
 */
#define HOTPATH_SIGNAL_CONNECT_OBJECT(instance, detailed_signal, callback, gobject, connect_flags) \
  hotpath_signal_connect_object_named ((instance), (detailed_signal), G_CALLBACK (callback), \
                                       (gobject), (connect_flags), #callback)

/**
 * HOTPATH_TIMEOUT_ADD_SECONDS:
 * @interval: seconds
 * @callback: a #GSourceFunc
 * @data: its data
 *
 * g_timeout_add_seconds(), timed under the callback's own name. Off, it is
 * g_timeout_add_seconds().
 *
 * Returns: the source id
 */
#define HOTPATH_TIMEOUT_ADD_SECONDS(interval, callback, data) \
  hotpath_timeout_add_seconds_named ((interval), (callback), (data), #callback)

/**
 * HOTPATH_TIMEOUT_ADD_FULL:
 * @priority: the source's priority
 * @interval: milliseconds
 * @callback: a #GSourceFunc
 * @data: its data
 * @notify: (nullable): called with @data when the source is removed
 *
 * g_timeout_add_full(), timed under the callback's own name. Off, it is
 * g_timeout_add_full().
 *
 * Returns: the source id
 */
#define HOTPATH_TIMEOUT_ADD_FULL(priority, interval, callback, data, notify) \
  hotpath_timeout_add_full_named ((priority), (interval), (callback), (data), (notify), #callback)

/**
 * HOTPATH_IDLE_ADD_FULL:
 * @priority: the source's priority
 * @callback: a #GSourceFunc
 * @data: its data
 * @notify: (nullable): called with @data when the source is removed
 *
 * g_idle_add_full(), timed under the callback's own name;
 * g_idle_remove_by_data() still finds the source. Off, it is
 * g_idle_add_full().
 *
 * Returns: the source id
 */
#define HOTPATH_IDLE_ADD_FULL(priority, callback, data, notify) \
  hotpath_idle_add_full_named ((priority), (callback), (data), (notify), #callback)

G_END_DECLS
