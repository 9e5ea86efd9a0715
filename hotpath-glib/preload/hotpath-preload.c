/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-preload.c: libhotpath-glib-preload.so, what `hotpath run`
 * preloads into a program that was not built with hotpath-glib.
 *
 * Its constructor starts a session as HOTPATH_MAIN() would (the default
 * main context watched from the start, the report at exit). It then
 * replaces, for every caller that reaches them through the PLT (the
 * program, GIO, GTK, any library but libglib itself, which binds its own
 * calls with -Bsymbolic-functions), the GLib calls that create work on a
 * main loop:
 *
 * - g_source_attach() and the g_timeout_add*()/g_idle_add*() family: a
 *   source attached to a watched context is timed under its callback's
 *   symbol (else its name, else its dispatch function's symbol);
 * - g_signal_connect_data()/g_signal_connect_object(): handlers are timed
 *   under their symbol (marshal guards, as HOTPATH_SIGNAL_CONNECT());
 * - g_task_new() and the g_task_run_in_thread()/g_task_return_*() calls:
 *   tasks are futures named after the function that created them;
 * - GTK's frame clocks, found when GDK connects to their signals: each
 *   frame and its layout and paint phases feed the frames section.
 *
 * The core is linked in statically, so its own calls to these functions
 * come back here: a per-thread depth counter sends them straight to GLib.
 */

#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <gio/gio.h>

#include "hotpath.h"
#include "hotpath-env-private.h"
#include "hotpath-flow-private.h"
#include "hotpath-frames-private.h"
#include "hotpath-symbols-private.h"

#define PRELOAD_NAME "libhotpath-glib-preload.so"
#define ALLOC_NAME   "libhotpath-glib-alloc-1.so"

static gboolean active;
static HotpathGuard *guard;

/* What was seen, for the line at exit that says what was not. */
static guint sources_seen;
static guint handlers_seen;
static guint tasks_seen;

/* > 0 while the core runs on this thread on our behalf. */
static __thread guint in_core;
/* 1 on the profiler's own threads (their work is not the program's). */
static __thread gint8 own_thread = -1;

#define REAL(name) \
  static __typeof__ (name) *real_##name; \
  if (G_UNLIKELY (real_##name == NULL)) \
    real_##name = (__typeof__ (name) *) dlsym (RTLD_NEXT, #name)

static gboolean
on_own_thread (void)
{
  if (G_UNLIKELY (own_thread < 0))
    {
      char name[17] = "";

      prctl (PR_GET_NAME, name, 0, 0, 0);
      own_thread = g_str_has_prefix (name, "hotpath") ? 1 : 0;
    }

  return own_thread == 1;
}

static inline gboolean
should_watch (void)
{
  return __atomic_load_n (&active, __ATOMIC_RELAXED) && in_core == 0 && !on_own_thread ();
}

/* ------------------------------------------------------------- names */

static GMutex names_lock;
static GHashTable *names;   /* code address -> interned name */

static gboolean
is_loaded (const char *soname)
{
  void *handle = dlopen (soname, RTLD_LAZY | RTLD_NOLOAD);

  if (handle == NULL)
    return FALSE;
  dlclose (handle);

  return TRUE;
}

/* GJS and PyGObject hand GLib a libffi closure for each JavaScript or
 * Python callback: no symbol says which function it runs. */
static const char *
binding_callback_name (void)
{
  if (is_loaded ("libgjs.so.0"))
    return "gjs::(JavaScript callback)";
  if (dlsym (RTLD_DEFAULT, "Py_Initialize") != NULL)
    return "python::(Python callback)";

  return "(callback in generated code)";
}

/* "module::symbol", or "module+0xOFFSET" when the module has no symbol
 * there (stripped): the names measure-all gives functions. */
static const char *
name_for (gconstpointer address)
{
  const char *name;

  g_mutex_lock (&names_lock);
  if (names == NULL)
    names = g_hash_table_new (NULL, NULL);
  name = g_hash_table_lookup (names, address);
  g_mutex_unlock (&names_lock);

  if (name == NULL)
    {
      HotpathSymbolInfo info;
      g_autofree char *full = NULL;

      /* Code in no object: a binding's closure (libffi), one per
       * callback, so named after the binding rather than its address. */
      if (!hotpath_symbols_describe (address, &info) || info.module == NULL)
        full = g_strdup (binding_callback_name ());
      else
        full = hotpath_symbols_info_to_name (&info);
      hotpath_symbols_info_clear (&info);

      name = g_intern_string (full);
      g_mutex_lock (&names_lock);
      g_hash_table_insert (names, (gpointer) address, (gpointer) name);
      g_mutex_unlock (&names_lock);
    }

  return name;
}

/* ----------------------------------------------------------- sources */


/* Every source attached to a watched context passes here once, before
 * GLib has it: the only moment its funcs can still be wrapped. */
static void
watch_source (GSource      *source,
              GMainContext *context)
{
  GSourceFunc func = NULL;
  gpointer data = NULL;
  const char *name;

  if (source == NULL || g_source_get_context (source) != NULL ||
      hotpath_main_context_slot (context) == 0)
    return;

  name = g_source_get_name (source);
  if (name != NULL && g_str_has_prefix (name, "hotpath"))
    return;

  if (source->callback_funcs != NULL && source->callback_funcs->get != NULL)
    source->callback_funcs->get (source->callback_data, source, &func, &data);
  if (func != NULL)
    name = name_for (func);
  else if (name == NULL && source->source_funcs != NULL)
    name = name_for (source->source_funcs->dispatch);

  in_core++;
  hotpath_source_watch (source, name);
  in_core--;
  g_atomic_int_inc (&sources_seen);
}

G_MODULE_EXPORT guint
g_source_attach (GSource      *source,
                 GMainContext *context)
{
  REAL (g_source_attach);

  if (should_watch ())
    watch_source (source, context);

  return real_g_source_attach (source, context);
}

/* GLib's own g_timeout_add*() and g_idle_add*() attach inside libglib,
 * out of reach: do what they do here, through the g_source_attach()
 * above. */
static guint
add_source (GSource        *source,
            gint            priority,
            GSourceFunc     function,
            gpointer        data,
            GDestroyNotify  notify)
{
  guint id;

  g_source_set_priority (source, priority);
  g_source_set_callback (source, function, data, notify);
  id = g_source_attach (source, NULL);
  g_source_unref (source);

  return id;
}

G_MODULE_EXPORT guint
g_timeout_add_full (gint           priority,
                    guint          interval,
                    GSourceFunc    function,
                    gpointer       data,
                    GDestroyNotify notify)
{
  REAL (g_timeout_add_full);

  if (!should_watch () || function == NULL)
    return real_g_timeout_add_full (priority, interval, function, data, notify);

  return add_source (g_timeout_source_new (interval), priority, function, data, notify);
}

G_MODULE_EXPORT guint
g_timeout_add (guint       interval,
               GSourceFunc function,
               gpointer    data)
{
  REAL (g_timeout_add);

  if (!should_watch () || function == NULL)
    return real_g_timeout_add (interval, function, data);

  return add_source (g_timeout_source_new (interval), G_PRIORITY_DEFAULT, function, data, NULL);
}

G_MODULE_EXPORT guint
g_timeout_add_seconds_full (gint           priority,
                            guint          interval,
                            GSourceFunc    function,
                            gpointer       data,
                            GDestroyNotify notify)
{
  REAL (g_timeout_add_seconds_full);

  if (!should_watch () || function == NULL)
    return real_g_timeout_add_seconds_full (priority, interval, function, data, notify);

  return add_source (g_timeout_source_new_seconds (interval), priority, function, data, notify);
}

G_MODULE_EXPORT guint
g_timeout_add_seconds (guint       interval,
                       GSourceFunc function,
                       gpointer    data)
{
  REAL (g_timeout_add_seconds);

  if (!should_watch () || function == NULL)
    return real_g_timeout_add_seconds (interval, function, data);

  return add_source (g_timeout_source_new_seconds (interval), G_PRIORITY_DEFAULT, function, data, NULL);
}

G_MODULE_EXPORT guint
g_idle_add_full (gint           priority,
                 GSourceFunc    function,
                 gpointer       data,
                 GDestroyNotify notify)
{
  REAL (g_idle_add_full);

  if (!should_watch () || function == NULL)
    return real_g_idle_add_full (priority, function, data, notify);

  return add_source (g_idle_source_new (), priority, function, data, notify);
}

G_MODULE_EXPORT guint
g_idle_add (GSourceFunc function,
            gpointer    data)
{
  REAL (g_idle_add);

  if (!should_watch () || function == NULL)
    return real_g_idle_add (function, data);

  return add_source (g_idle_source_new (), G_PRIORITY_DEFAULT_IDLE, function, data, NULL);
}

/* ------------------------------------------------------------ frames */

/* GDK's frame clocks, without linking GTK: recognised by type name when
 * GDK connects to one, then timed by four handlers of ours, connected
 * before GDK's own so that they see each phase begin. A frame is late by
 * how long after its due time (the ready time of the clock's paint
 * timeout, dispatching now) it began. */
typedef struct
{
  HotpathFrameClock *stats;
  guint64            frame_start;
  guint64            layout_start;
  guint64            paint_start;
  guint32            late_us;
} ClockHook;

typedef gint64 (*FrameTimeFunc)   (gpointer clock);
typedef void   (*RefreshInfoFunc) (gpointer clock,
                                   gint64   base_time,
                                   gint64  *refresh_interval,
                                   gint64  *presentation_time);

static GType frame_clock_type;
static GQuark clock_hook_quark;
static FrameTimeFunc frame_time_func;
static RefreshInfoFunc refresh_info_func;

static void
on_before_paint (gpointer clock,
                 gpointer data)
{
  ClockHook *hook = data;
  GSource *source = g_main_current_source ();
  gint64 due = source != NULL ? g_source_get_ready_time (source) : -1;
  gint64 now = g_get_monotonic_time ();

  hook->frame_start = hotpath_clock_read ();
  hook->layout_start = hook->paint_start = 0;
  hook->late_us = due > 0 && now > due ? (guint32) MIN (now - due, (gint64) G_MAXUINT32) : 0;

  if (frame_time_func != NULL && refresh_info_func != NULL)
    {
      gint64 refresh = 0, presentation = 0;

      refresh_info_func (clock, frame_time_func (clock), &refresh, &presentation);
      if (refresh > 0)
        hotpath_frames_clock_set_refresh (hook->stats, (guint64) refresh * 1000);
    }
}

static void
on_layout (gpointer clock,
           gpointer data)
{
  ((ClockHook *) data)->layout_start = hotpath_clock_read ();
}

static void
on_paint (gpointer clock,
          gpointer data)
{
  ClockHook *hook = data;

  hook->paint_start = hotpath_clock_read ();
  if (hook->layout_start != 0)
    hotpath_frames_record (hook->stats, HOTPATH_FRAMES_EVENT_LAYOUT, hook->layout_start,
                           hook->paint_start, 0);
}

static void
on_paint_done (gpointer clock,
               gpointer data)
{
  ClockHook *hook = data;

  if (hook->paint_start != 0)
    hotpath_frames_record (hook->stats, HOTPATH_FRAMES_EVENT_PAINT, hook->paint_start,
                           hotpath_clock_read (), 0);
}

static void
on_frame_done (gpointer clock,
               gpointer data)
{
  ClockHook *hook = data;

  if (hook->frame_start != 0)
    hotpath_frames_record (hook->stats, HOTPATH_FRAMES_EVENT_FRAME, hook->frame_start,
                           hotpath_clock_read (), hook->late_us);
  hook->frame_start = 0;
}

static void
maybe_hook_frame_clock (gpointer instance)
{
  ClockHook *hook;

  if (G_UNLIKELY (frame_clock_type == 0))
    {
      frame_clock_type = g_type_from_name ("GdkFrameClock");
      if (frame_clock_type == 0)
        return;
      clock_hook_quark = g_quark_from_static_string ("hotpath-frame-clock");
      frame_time_func = (FrameTimeFunc) dlsym (RTLD_DEFAULT, "gdk_frame_clock_get_frame_time");
      refresh_info_func = (RefreshInfoFunc) dlsym (RTLD_DEFAULT, "gdk_frame_clock_get_refresh_info");
    }
  if (!G_TYPE_CHECK_INSTANCE_TYPE (instance, frame_clock_type) ||
      g_object_get_qdata (instance, clock_hook_quark) != NULL)
    return;

  hook = g_new0 (ClockHook, 1);
  hook->stats = hotpath_frames_clock_new ();
  g_object_set_qdata_full (instance, clock_hook_quark, hook, g_free);

  in_core++;
  g_signal_connect (instance, "before-paint", G_CALLBACK (on_before_paint), hook);
  g_signal_connect (instance, "layout", G_CALLBACK (on_layout), hook);
  g_signal_connect (instance, "paint", G_CALLBACK (on_paint), hook);
  g_signal_connect (instance, "after-paint", G_CALLBACK (on_paint_done), hook);
  g_signal_connect_after (instance, "after-paint", G_CALLBACK (on_frame_done), hook);
  in_core--;
}

/* ----------------------------------------------------------- signals */

static gulong
connect_watched (gpointer     instance,
                 const char  *detailed_signal,
                 GClosure    *closure,
                 GCallback    handler,
                 gboolean     after)
{
  in_core++;
  hotpath_source_watch_closure (closure, name_for (handler));
  in_core--;
  g_atomic_int_inc (&handlers_seen);

  return g_signal_connect_closure (instance, detailed_signal, closure, after);
}

G_MODULE_EXPORT gulong
g_signal_connect_data (gpointer       instance,
                       const gchar   *detailed_signal,
                       GCallback      c_handler,
                       gpointer       data,
                       GClosureNotify destroy_data,
                       GConnectFlags  connect_flags)
{
  GClosure *closure;

  REAL (g_signal_connect_data);

  if (should_watch () && G_TYPE_CHECK_INSTANCE (instance))
    maybe_hook_frame_clock (instance);

  if (!should_watch () || c_handler == NULL || detailed_signal == NULL ||
      !G_TYPE_CHECK_INSTANCE (instance))
    return real_g_signal_connect_data (instance, detailed_signal, c_handler, data,
                                       destroy_data, connect_flags);

  closure = (connect_flags & G_CONNECT_SWAPPED)
    ? g_cclosure_new_swap (c_handler, data, destroy_data)
    : g_cclosure_new (c_handler, data, destroy_data);

  return connect_watched (instance, detailed_signal, closure, c_handler,
                          (connect_flags & G_CONNECT_AFTER) != 0);
}

/* g_signal_connect_object() ties the handler to @gobject with
 * g_object_watch_closure(), which takes the closure's only pair of marshal
 * guards: ours need it. So the tie is made here with a weak reference
 * (the handler goes when @gobject does), without the reference GLib holds
 * on @gobject while the handler runs. */
typedef struct
{
  GObject  *object;
  GClosure *closure;
  gboolean  object_gone;
} ObjectTie;

static void
tie_object_gone (gpointer  data,
                 GObject  *where_the_object_was)
{
  ObjectTie *tie = data;

  tie->object_gone = TRUE;
  g_closure_invalidate (tie->closure);
}

static void
tie_closure_invalidated (gpointer  data,
                         GClosure *closure)
{
  ObjectTie *tie = data;

  if (!tie->object_gone)
    g_object_weak_unref (tie->object, tie_object_gone, tie);
  g_free (tie);
}

G_MODULE_EXPORT gulong
g_signal_connect_object (gpointer      instance,
                         const gchar  *detailed_signal,
                         GCallback     c_handler,
                         gpointer      gobject,
                         GConnectFlags connect_flags)
{
  GClosure *closure;
  ObjectTie *tie;

  REAL (g_signal_connect_object);

  if (should_watch () && G_TYPE_CHECK_INSTANCE (instance))
    maybe_hook_frame_clock (instance);

  if (!should_watch () || c_handler == NULL || detailed_signal == NULL ||
      !G_TYPE_CHECK_INSTANCE (instance) || !G_IS_OBJECT (gobject))
    return real_g_signal_connect_object (instance, detailed_signal, c_handler, gobject,
                                         connect_flags);

  closure = (connect_flags & G_CONNECT_SWAPPED)
    ? g_cclosure_new_swap (c_handler, gobject, NULL)
    : g_cclosure_new (c_handler, gobject, NULL);
  tie = g_new0 (ObjectTie, 1);
  tie->object = gobject;
  tie->closure = closure;
  g_object_weak_ref (gobject, tie_object_gone, tie);
  g_closure_add_invalidate_notifier (closure, tie, tie_closure_invalidated);

  return connect_watched (instance, detailed_signal, closure, c_handler,
                          (connect_flags & G_CONNECT_AFTER) != 0);
}

/* ------------------------------------------------------------- tasks */

G_MODULE_EXPORT GTask *
g_task_new (gpointer            source_object,
            GCancellable       *cancellable,
            GAsyncReadyCallback callback,
            gpointer            callback_data)
{
  GTask *task;

  REAL (g_task_new);

  task = real_g_task_new (source_object, cancellable, callback, callback_data);
  if (task != NULL && should_watch ())
    {
      /* Named after its creator, as a HOTPATH_TASK() is after its line. */
      const HotpathTaskOptions options = { .label = name_for (__builtin_return_address (0)) };

      in_core++;
      hotpath_task_register (task, &options, NULL);
      in_core--;
      g_atomic_int_inc (&tasks_seen);
    }

  return task;
}

#define TASK_FORWARD(call, hotpath_call) \
  G_STMT_START { \
    if (in_core > 0 || !__atomic_load_n (&active, __ATOMIC_RELAXED)) \
      { \
        call; \
      } \
    else \
      { \
        in_core++; \
        hotpath_call; \
        in_core--; \
      } \
  } G_STMT_END

G_MODULE_EXPORT void
g_task_run_in_thread (GTask           *task,
                      GTaskThreadFunc  task_func)
{
  REAL (g_task_run_in_thread);
  TASK_FORWARD (real_g_task_run_in_thread (task, task_func),
                hotpath_task_run_in_thread (task, task_func));
}

G_MODULE_EXPORT void
g_task_run_in_thread_sync (GTask           *task,
                           GTaskThreadFunc  task_func)
{
  REAL (g_task_run_in_thread_sync);
  TASK_FORWARD (real_g_task_run_in_thread_sync (task, task_func),
                hotpath_task_run_in_thread_sync (task, task_func));
}

G_MODULE_EXPORT void
g_task_return_pointer (GTask          *task,
                       gpointer        result,
                       GDestroyNotify  result_destroy)
{
  REAL (g_task_return_pointer);
  TASK_FORWARD (real_g_task_return_pointer (task, result, result_destroy),
                hotpath_task_return_pointer (task, result, result_destroy));
}

G_MODULE_EXPORT void
g_task_return_boolean (GTask    *task,
                       gboolean  result)
{
  REAL (g_task_return_boolean);
  TASK_FORWARD (real_g_task_return_boolean (task, result),
                hotpath_task_return_boolean (task, result));
}

G_MODULE_EXPORT void
g_task_return_int (GTask  *task,
                   gssize  result)
{
  REAL (g_task_return_int);
  TASK_FORWARD (real_g_task_return_int (task, result),
                hotpath_task_return_int (task, result));
}

G_MODULE_EXPORT void
g_task_return_error (GTask  *task,
                     GError *error)
{
  REAL (g_task_return_error);
  TASK_FORWARD (real_g_task_return_error (task, error),
                hotpath_task_return_error (task, error));
}

G_MODULE_EXPORT gboolean
g_task_return_error_if_cancelled (GTask *task)
{
  gboolean ret;

  REAL (g_task_return_error_if_cancelled);
  TASK_FORWARD (ret = real_g_task_return_error_if_cancelled (task),
                ret = hotpath_task_return_error_if_cancelled (task));

  return ret;
}

/* ---------------------------------------------------- introspection */

/* GJS and PyGObject find GLib's functions through GObject Introspection,
 * which looks each symbol up inside libglib (dlsym on its handle), past
 * any PLT: hand them ours instead, so that what a script attaches is
 * watched as what a C program attaches. libgirepository calls
 * g_typelib_symbol() through its PLT, so this reaches every binding. */
typedef struct _GITypelib GITypelib;
G_MODULE_EXPORT gboolean g_typelib_symbol (GITypelib   *typelib,
                                           const gchar *symbol_name,
                                           gpointer    *symbol);

G_MODULE_EXPORT gboolean
g_typelib_symbol (GITypelib   *typelib,
                  const gchar *symbol_name,
                  gpointer    *symbol)
{
  static const struct
  {
    const char *name;
    gpointer    ours;
  } replaced[] = {
    { "g_source_attach", (gpointer) g_source_attach },
    { "g_timeout_add_full", (gpointer) g_timeout_add_full },
    { "g_timeout_add", (gpointer) g_timeout_add },
    { "g_timeout_add_seconds_full", (gpointer) g_timeout_add_seconds_full },
    { "g_timeout_add_seconds", (gpointer) g_timeout_add_seconds },
    { "g_idle_add_full", (gpointer) g_idle_add_full },
    { "g_idle_add", (gpointer) g_idle_add },
    { "g_signal_connect_data", (gpointer) g_signal_connect_data },
    { "g_signal_connect_object", (gpointer) g_signal_connect_object },
    { "g_task_new", (gpointer) g_task_new },
  };
  gboolean found;

  REAL (g_typelib_symbol);

  found = real_g_typelib_symbol != NULL && real_g_typelib_symbol (typelib, symbol_name, symbol);
  if (found && symbol_name != NULL && __atomic_load_n (&active, __ATOMIC_RELAXED))
    for (guint i = 0; i < G_N_ELEMENTS (replaced); i++)
      if (strcmp (symbol_name, replaced[i].name) == 0)
        {
          *symbol = replaced[i].ours;
          break;
        }

  return found;
}

/* ----------------------------------------------------------- session */

/* Children get the program's environment without us, unless --follow. */
static void
drop_from_ld_preload (void)
{
  const char *value = g_getenv ("LD_PRELOAD");
  g_auto(GStrv) entries = NULL;
  g_autoptr(GString) kept = NULL;

  if (value == NULL)
    return;

  kept = g_string_new (NULL);
  entries = g_strsplit_set (value, " :", -1);
  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (entries[i]);

      if (*entries[i] == '\0' || strcmp (base, PRELOAD_NAME) == 0 ||
          g_str_has_prefix (base, ALLOC_NAME))
        continue;
      if (kept->len > 0)
        g_string_append_c (kept, ':');
      g_string_append (kept, entries[i]);
    }

  if (kept->len > 0)
    g_setenv ("LD_PRELOAD", kept->str, TRUE);
  else
    g_unsetenv ("LD_PRELOAD");
}

/* After the report (atexit runs in reverse order of registration). */
static void
say_what_was_not_seen (void)
{
  guint sources = g_atomic_int_get (&sources_seen);
  guint handlers = g_atomic_int_get (&handlers_seen);
  guint tasks = g_atomic_int_get (&tasks_seen);

  if (!__atomic_load_n (&active, __ATOMIC_RELAXED))
    return;

  if (sources + handlers + tasks == 0)
    g_message ("%s attached no main-loop source, connected no signal handler and made no "
               "GTask that hotpath could see (not a GLib program, or it runs without a main "
               "loop): the report holds only what the session itself measured",
               program_invocation_short_name);
  else
    g_message ("%s: saw %u sources, %u signal handlers, %u tasks; not seen: sources and "
               "tasks that libglib and libgio create for themselves (their calls to their own "
               "functions bind inside the library)",
               program_invocation_short_name, sources, handlers, tasks);
}

static void __attribute__ ((constructor))
preload_init (void)
{
  const HotpathOptions options = { HOTPATH_OPTIONS_INIT, .name = program_invocation_short_name };
  void *core;

  gboolean follow = FALSE;

  if (!hotpath_env_get_flag ("HOTPATH_RUN_FOLLOW", &follow) || !follow)
    drop_from_ld_preload ();

  /* A program built with hotpath-glib profiles itself: a second core
   * would count everything twice. */
  core = dlopen ("libhotpath-glib-1.so.0", RTLD_LAZY | RTLD_NOLOAD);
  if (core != NULL)
    {
      dlclose (core);
      g_message ("%s links libhotpath-glib-1 and profiles itself; `hotpath run` adds nothing",
                 program_invocation_short_name);
      return;
    }

  atexit (say_what_was_not_seen);

  in_core++;
  guard = hotpath_main_begin (&options);
  in_core--;

  __atomic_store_n (&active, guard != NULL, __ATOMIC_RELAXED);
}
