/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hotpath-server-private.h"

HotpathDBus *
hotpath_dbus_new (HotpathServer *server)
{
  return NULL;
}

void
hotpath_dbus_free (HotpathDBus *self)
{
}

const char *
hotpath_dbus_get_name (HotpathDBus *self)
{
  return NULL;
}
