/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * viewer-targets.c: the profiled programs running now.
 *
 * Every process profiled with hotpath-glib owns
 * io.github.HotpathGlib.Target.instance<PID> on the session bus. We list
 * those names once, then follow NameOwnerChanged (matched on the name
 * prefix, so the bus sends us nothing else) and read each target's
 * properties when it appears. No session bus simply means no targets.
 */

#include "config.h"

#include <string.h>

#include "viewer-targets.h"

#define TARGET_NAMESPACE "io.github.HotpathGlib.Target"
#define TARGET_PREFIX    TARGET_NAMESPACE ".instance"
#define PROFILER_PATH    "/io/github/HotpathGlib/Profiler"
#define PROFILER_IFACE   "io.github.HotpathGlib.Profiler1"

struct _ViewerTarget
{
  GObject  parent_instance;

  char    *bus_name;
  char    *program;
  guint    pid;
  gint64   start_time_us;
  guint    http_port;
};

G_DEFINE_FINAL_TYPE (ViewerTarget, viewer_target, G_TYPE_OBJECT)

static void
viewer_target_finalize (GObject *object)
{
  ViewerTarget *self = (ViewerTarget *) object;

  g_free (self->bus_name);
  g_free (self->program);

  G_OBJECT_CLASS (viewer_target_parent_class)->finalize (object);
}

static void
viewer_target_class_init (ViewerTargetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = viewer_target_finalize;
}

static void
viewer_target_init (ViewerTarget *self)
{
}

const char *
viewer_target_get_bus_name (ViewerTarget *self)
{
  g_return_val_if_fail (VIEWER_IS_TARGET (self), NULL);
  return self->bus_name;
}

const char *
viewer_target_get_program (ViewerTarget *self)
{
  g_return_val_if_fail (VIEWER_IS_TARGET (self), NULL);
  return self->program;
}

guint
viewer_target_get_pid (ViewerTarget *self)
{
  g_return_val_if_fail (VIEWER_IS_TARGET (self), 0);
  return self->pid;
}

gint64
viewer_target_get_start_time (ViewerTarget *self)
{
  g_return_val_if_fail (VIEWER_IS_TARGET (self), 0);
  return self->start_time_us;
}

guint
viewer_target_get_http_port (ViewerTarget *self)
{
  g_return_val_if_fail (VIEWER_IS_TARGET (self), 0);
  return self->http_port;
}

struct _ViewerTargets
{
  GObject          parent_instance;

  GDBusConnection *bus;
  GCancellable    *cancellable;
  GPtrArray       *items;
  guint            signal_id;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ViewerTargets, viewer_targets, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return VIEWER_TYPE_TARGET;
}

static guint
get_n_items (GListModel *model)
{
  return VIEWER_TARGETS (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  ViewerTargets *self = VIEWER_TARGETS (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static int
find_name (ViewerTargets *self,
           const char    *name)
{
  for (guint i = 0; i < self->items->len; i++)
    if (g_str_equal (((ViewerTarget *) g_ptr_array_index (self->items, i))->bus_name, name))
      return i;
  return -1;
}

static void
remove_name (ViewerTargets *self,
             const char    *name)
{
  int i = find_name (self, name);

  if (i >= 0)
    {
      g_ptr_array_remove_index (self->items, i);
      g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
    }
}

typedef struct
{
  ViewerTargets *self;
  char          *name;
} Lookup;

static void
got_properties (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  g_autoptr(GVariant) props = NULL;
  ViewerTarget *target;
  guint16 port = 0;

  if (reply == NULL || find_name (lookup->self, lookup->name) >= 0)
    goto out;

  props = g_variant_get_child_value (reply, 0);
  target = g_object_new (VIEWER_TYPE_TARGET, NULL);
  target->bus_name = g_strdup (lookup->name);
  g_variant_lookup (props, "ProgramName", "s", &target->program);
  g_variant_lookup (props, "Pid", "u", &target->pid);
  g_variant_lookup (props, "StartTime", "x", &target->start_time_us);
  g_variant_lookup (props, "HttpPort", "q", &port);
  target->http_port = port;
  if (target->program == NULL)
    target->program = g_strdup (lookup->name);
  if (target->pid == 0)
    target->pid = g_ascii_strtoull (lookup->name + strlen (TARGET_PREFIX), NULL, 10);

  g_ptr_array_add (lookup->self->items, target);
  g_list_model_items_changed (G_LIST_MODEL (lookup->self), lookup->self->items->len - 1, 0, 1);

out:
  g_object_unref (lookup->self);
  g_free (lookup->name);
  g_free (lookup);
}

static void
add_name (ViewerTargets *self,
          const char    *name)
{
  Lookup *lookup;

  if (!g_str_has_prefix (name, TARGET_PREFIX) || find_name (self, name) >= 0)
    return;

  lookup = g_new0 (Lookup, 1);
  lookup->self = g_object_ref (self);
  lookup->name = g_strdup (name);
  g_dbus_connection_call (self->bus, name, PROFILER_PATH, "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", PROFILER_IFACE), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, 3000, self->cancellable,
                          got_properties, lookup);
}

static void
on_name_owner_changed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *object_path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  ViewerTargets *self = user_data;
  const char *name, *old_owner, *new_owner;

  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (*new_owner == '\0')
    remove_name (self, name);
  else
    add_name (self, name);
}

static void
got_names (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ViewerTargets) self = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, NULL);
  g_autofree const char **names = NULL;

  if (reply == NULL)
    return;
  g_variant_get (reply, "(^a&s)", &names);
  for (guint i = 0; names[i]; i++)
    add_name (self, names[i]);
}

static void
bus_ready (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ViewerTargets) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);

  if (bus == NULL)
    {
      g_debug ("No session bus, so no targets: %s", error->message);
      return;
    }

  self->bus = bus;
  self->signal_id =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.DBus", "org.freedesktop.DBus",
                                        "NameOwnerChanged", "/org/freedesktop/DBus", TARGET_NAMESPACE,
                                        G_DBUS_SIGNAL_FLAGS_MATCH_ARG0_NAMESPACE,
                                        on_name_owner_changed, self, NULL);
  g_dbus_connection_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "ListNames", NULL, G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          self->cancellable, got_names, g_object_ref (self));
}

static void
viewer_targets_dispose (GObject *object)
{
  ViewerTargets *self = (ViewerTargets *) object;

  g_cancellable_cancel (self->cancellable);
  if (self->bus != NULL && self->signal_id != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->signal_id);
  self->signal_id = 0;
  g_clear_object (&self->bus);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (viewer_targets_parent_class)->dispose (object);
}

static void
viewer_targets_class_init (ViewerTargetsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = viewer_targets_dispose;
}

static void
viewer_targets_init (ViewerTargets *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}

ViewerTargets *
viewer_targets_new (void)
{
  ViewerTargets *self = g_object_new (VIEWER_TYPE_TARGETS, NULL);

  g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, bus_ready, g_object_ref (self));
  return self;
}

ViewerTarget *
viewer_targets_find_pid (ViewerTargets *self,
                         guint          pid)
{
  g_return_val_if_fail (VIEWER_IS_TARGETS (self), NULL);

  for (guint i = 0; self->items && i < self->items->len; i++)
    if (((ViewerTarget *) g_ptr_array_index (self->items, i))->pid == pid)
      return g_ptr_array_index (self->items, i);
  return NULL;
}
