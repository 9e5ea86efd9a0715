/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <gio/gio.h>

#include "hotpath-version-macros.h"
#include "hotpath-site.h"

G_BEGIN_DECLS

/**
 * HotpathTaskOptions:
 * @label: (nullable): the name to report; the call site if %NULL
 * @log: keep the last `HOTPATH_LOGS_LIMIT` tasks of this label for the live API
 *
 * What HOTPATH_TASK() accepts as designated initializers.
 */
typedef struct _HotpathTaskOptions
{
  const char *label;
  gboolean    log;
} HotpathTaskOptions;

HOTPATH_AVAILABLE_IN_ALL
GTask   *hotpath_task_register             (GTask                    *task,
                                            const HotpathTaskOptions *options,
                                            const HotpathSite        *site);
HOTPATH_AVAILABLE_IN_ALL
void     hotpath_task_run_in_thread        (GTask           *task,
                                            GTaskThreadFunc  task_func);
HOTPATH_AVAILABLE_IN_ALL
void     hotpath_task_run_in_thread_sync   (GTask           *task,
                                            GTaskThreadFunc  task_func);
HOTPATH_AVAILABLE_IN_ALL
void     hotpath_task_return_pointer       (GTask           *task,
                                            gpointer         result,
                                            GDestroyNotify   result_destroy);
HOTPATH_AVAILABLE_IN_ALL
void     hotpath_task_return_boolean       (GTask           *task,
                                            gboolean         result);
HOTPATH_AVAILABLE_IN_ALL
void     hotpath_task_return_int           (GTask           *task,
                                            gssize           result);
HOTPATH_AVAILABLE_IN_ALL
void     hotpath_task_return_error         (GTask           *task,
                                            GError          *error);
HOTPATH_AVAILABLE_IN_ALL
gboolean hotpath_task_return_error_if_cancelled (GTask      *task);

HOTPATH_AVAILABLE_IN_ALL
gpointer hotpath_async_begin               (const HotpathSite   *site,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
HOTPATH_AVAILABLE_IN_ALL
void     hotpath_async_ready               (GObject             *source_object,
                                            GAsyncResult        *result,
                                            gpointer             data);

/**
 * HOTPATH_TASK:
 * @task: a #GTask just made by g_task_new()
 * @...: designated initializers for #HotpathTaskOptions: `.label = "load", .log = TRUE`
 *
 * Follows @task from creation to finalization: its run in a thread
 * (hotpath_task_run_in_thread(): queue wait and run time), how it returned
 * (value, error, cancelled), when its callback ran, and the faults: a task
 * finalized without returning, or whose callback never ran. Off, this is
 * @task.
 *
 * Returns: @task
 */
#define HOTPATH_TASK(task, ...) \
  ({ \
    _HOTPATH_DEFAULTS_BEGIN \
    const HotpathTaskOptions hotpath_task_options_ = { .label = NULL, __VA_ARGS__ }; \
    _HOTPATH_DEFAULTS_END \
    hotpath_task_register ((task), &hotpath_task_options_, _HOTPATH_SITE (NULL)); \
  })

/**
 * HOTPATH_ASYNC:
 * @callback: the #GAsyncReadyCallback of an `_async` call
 * @user_data: its data
 * @label: the name to report
 *
 * Expands to the last two arguments of any GIO-style `_async` call and
 * measures the time from the call to its callback, success or error:
 * `g_file_load_contents_async (file, NULL, HOTPATH_ASYNC (on_loaded, self, "load"));`.
 * Off, it expands to `callback, user_data`.
 */
#define HOTPATH_ASYNC(callback, user_data, label) \
  hotpath_async_ready, hotpath_async_begin (_HOTPATH_SITE (label), (callback), (user_data))

G_END_DECLS
