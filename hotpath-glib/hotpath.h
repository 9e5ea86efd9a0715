/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath.h: the one header a program includes.
 *
 * Every macro here is a no-op unless HOTPATH_ENABLED is defined: without it
 * this header needs only <glib.h>, declares nothing and links nothing, so a
 * program built that way contains not one extra instruction.
 */
#pragma once

#include <glib.h>

#ifdef HOTPATH_ENABLED

#define HOTPATH_INSIDE
# include "hotpath-version-macros.h"
# include "hotpath-enums.h"
# include "hotpath-site.h"
# include "hotpath-measure.h"
# include "hotpath-options.h"
# include "hotpath-snapshot.h"
# include "hotpath-reporter.h"
# include "hotpath-guard.h"
# include "hotpath-guard-builder.h"
# include "hotpath-span.h"
/* data flow: queues, thread pools, tasks, sources, main contexts */
# include "hotpath-channel.h"
# include "hotpath-main-context.h"
# include "hotpath-source.h"
# include "hotpath-task.h"
# include "hotpath-gauge.h"
# include "hotpath-debug.h"
# include "hotpath-lock.h"
# include "hotpath-stream.h"
#undef HOTPATH_INSIDE

G_BEGIN_DECLS

HOTPATH_AVAILABLE_IN_ALL
HotpathGuard *hotpath_main_begin (const HotpathOptions *options);
HOTPATH_AVAILABLE_IN_ALL
void          hotpath_main_end   (HotpathGuard        **guard);

#if defined (__clang__)
# define _HOTPATH_DEFAULTS_BEGIN _Pragma ("clang diagnostic push") \
                                 _Pragma ("clang diagnostic ignored \"-Winitializer-overrides\"")
# define _HOTPATH_DEFAULTS_END   _Pragma ("clang diagnostic pop")
#else
# define _HOTPATH_DEFAULTS_BEGIN _Pragma ("GCC diagnostic push") \
                                 _Pragma ("GCC diagnostic ignored \"-Woverride-init\"")
# define _HOTPATH_DEFAULTS_END   _Pragma ("GCC diagnostic pop")
#endif

/**
 * HOTPATH_MAIN:
 * @...: designated initializers for #HotpathOptions, e.g. `.limit = 0`
 *
 * Starts profiling; use it as the first statement of main(). The report is
 * printed once: when main() returns, when exit() is called from any thread,
 * or after `.timeout_ms`. Fields not given keep their defaults, and
 * `HOTPATH_*` environment variables override what the code says.
 *
 * Since: 0.1
 */
#define HOTPATH_MAIN(...) \
  G_GNUC_UNUSED __attribute__((cleanup (hotpath_main_end))) \
  HotpathGuard *hotpath_main_guard_ = __extension__ ({ \
    _HOTPATH_DEFAULTS_BEGIN \
    const HotpathOptions hotpath_main_options_ = { HOTPATH_OPTIONS_INIT, __VA_ARGS__ }; \
    _HOTPATH_DEFAULTS_END \
    hotpath_main_begin (&hotpath_main_options_); \
  })

/**
 * HOTPATH_MEASURE:
 *
 * Times the enclosing function from here until it returns. Use it as the
 * function's first statement. The function is named
 * `G_LOG_DOMAIN::function`, or `file-stem::function` without a log domain.
 *
 * Since: 0.1
 */
#define HOTPATH_MEASURE() _HOTPATH_SCOPE (G_PASTE (hotpath_scope_, __LINE__), NULL)

/**
 * HOTPATH_MEASURE_AS:
 * @label: the name to report
 *
 * Like HOTPATH_MEASURE(), reported under @label.
 *
 * Since: 0.1
 */
#define HOTPATH_MEASURE_AS(label) _HOTPATH_SCOPE (G_PASTE (hotpath_scope_, __LINE__), (label))

/**
 * HOTPATH_MEASURE_BLOCK:
 * @label: the name to report
 *
 * Times the block that follows: `HOTPATH_MEASURE_BLOCK ("parse") { ... }`.
 * `break` leaves the block; the time is recorded however it is left.
 *
 * Since: 0.1
 */
#define HOTPATH_MEASURE_BLOCK(label) \
  for (int G_PASTE (hotpath_once_, __LINE__) = 1; G_PASTE (hotpath_once_, __LINE__); \
       G_PASTE (hotpath_once_, __LINE__) = 0) \
    for (_HOTPATH_SCOPE (G_PASTE (hotpath_block_, __LINE__), (label)); \
         G_PASTE (hotpath_once_, __LINE__); G_PASTE (hotpath_once_, __LINE__) = 0)

/**
 * HOTPATH_SKIP:
 *
 * Put before a function definition to leave it out of measure-all
 * (`-finstrument-functions`) targets.
 *
 * Since: 0.1
 */
#define HOTPATH_SKIP __attribute__((no_instrument_function))

G_END_DECLS

#else /* !HOTPATH_ENABLED */

#define HOTPATH_MAIN(...)
#define HOTPATH_MEASURE()
#define HOTPATH_MEASURE_AS(label)
#define HOTPATH_MEASURE_BLOCK(label)
#define HOTPATH_SKIP

/* Off, the data-flow API is GLib itself. The
 * function-like names are plain aliases, so even their addresses are the
 * GLib functions'. */
#define HOTPATH_ASYNC_QUEUE(queue, ...) (queue)
#define hotpath_async_queue_push g_async_queue_push
#define hotpath_async_queue_pop g_async_queue_pop
#define hotpath_async_queue_try_pop g_async_queue_try_pop
#define hotpath_async_queue_timeout_pop g_async_queue_timeout_pop
#define hotpath_async_queue_length g_async_queue_length
#define hotpath_async_queue_ref g_async_queue_ref
#define hotpath_async_queue_unref g_async_queue_unref
#define HOTPATH_THREAD_POOL(pool, ...) (pool)
#define hotpath_thread_pool_push g_thread_pool_push
#define hotpath_thread_pool_free g_thread_pool_free
#define HOTPATH_TASK(task, ...) (task)
#define hotpath_task_run_in_thread g_task_run_in_thread
#define hotpath_task_run_in_thread_sync g_task_run_in_thread_sync
#define hotpath_task_return_pointer g_task_return_pointer
#define hotpath_task_return_boolean g_task_return_boolean
#define hotpath_task_return_int g_task_return_int
#define hotpath_task_return_error g_task_return_error
#define hotpath_task_return_error_if_cancelled g_task_return_error_if_cancelled
#define HOTPATH_ASYNC(callback, user_data, label) callback, user_data
#define hotpath_source_watch(source, label) ((void) 0)
#define HOTPATH_TIMEOUT_ADD(interval, callback, data) g_timeout_add ((interval), (callback), (data))
#define HOTPATH_IDLE_ADD(callback, data) g_idle_add ((callback), (data))
#define HOTPATH_SIGNAL_CONNECT(instance, detailed_signal, callback, data) \
  g_signal_connect ((instance), (detailed_signal), G_CALLBACK (callback), (data))
#define HOTPATH_SIGNAL_CONNECT_SWAPPED(instance, detailed_signal, callback, data) \
  g_signal_connect_swapped ((instance), (detailed_signal), G_CALLBACK (callback), (data))
#define HOTPATH_SIGNAL_CONNECT_AFTER(instance, detailed_signal, callback, data) \
  g_signal_connect_after ((instance), (detailed_signal), G_CALLBACK (callback), (data))
#define HOTPATH_SIGNAL_CONNECT_OBJECT(instance, detailed_signal, callback, gobject, connect_flags) \
  g_signal_connect_object ((instance), (detailed_signal), G_CALLBACK (callback), (gobject), (connect_flags))
#define HOTPATH_TIMEOUT_ADD_SECONDS(interval, callback, data) \
  g_timeout_add_seconds ((interval), (callback), (data))
#define HOTPATH_TIMEOUT_ADD_FULL(priority, interval, callback, data, notify) \
  g_timeout_add_full ((priority), (interval), (callback), (data), (notify))
#define HOTPATH_IDLE_ADD_FULL(priority, callback, data, notify) \
  g_idle_add_full ((priority), (callback), (data), (notify))
#define hotpath_main_context_watch(context, label) (TRUE)
#define hotpath_main_context_unwatch(context) ((void) 0)

/* Gauges and debug values: nothing, and the value is not evaluated;
 * HOTPATH_DBG is its expression. */
#define HOTPATH_GAUGE_SET(name, value)
#define HOTPATH_GAUGE_ADD(name, delta)
#define HOTPATH_DBG(expr) (expr)
#define HOTPATH_VAL(key, value)

/* Locks: the GLib calls themselves. */
#define HOTPATH_MUTEX(mutex, ...)
#define HOTPATH_REC_MUTEX(rec_mutex, ...)
#define HOTPATH_RW_LOCK(rw_lock, ...)
#define hotpath_mutex_lock g_mutex_lock
#define hotpath_mutex_trylock g_mutex_trylock
#define hotpath_mutex_unlock g_mutex_unlock
#define hotpath_rec_mutex_lock g_rec_mutex_lock
#define hotpath_rec_mutex_trylock g_rec_mutex_trylock
#define hotpath_rec_mutex_unlock g_rec_mutex_unlock
#define hotpath_rw_lock_reader_lock g_rw_lock_reader_lock
#define hotpath_rw_lock_reader_trylock g_rw_lock_reader_trylock
#define hotpath_rw_lock_reader_unlock g_rw_lock_reader_unlock
#define hotpath_rw_lock_writer_lock g_rw_lock_writer_lock
#define hotpath_rw_lock_writer_trylock g_rw_lock_writer_trylock
#define hotpath_rw_lock_writer_unlock g_rw_lock_writer_unlock
#define hotpath_mutex_clear g_mutex_clear
#define hotpath_rec_mutex_clear g_rec_mutex_clear
#define hotpath_rw_lock_clear g_rw_lock_clear

/* Streams: the caller gets its own reference to the base stream. */
#define HOTPATH_INPUT_STREAM(base, ...) g_object_ref (base)
#define HOTPATH_OUTPUT_STREAM(base, ...) g_object_ref (base)

#endif /* HOTPATH_ENABLED */
