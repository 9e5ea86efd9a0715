/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-live-loader.c: finds and loads the live module (HTTP and MCP over
 * libsoup 3) when a session starts its live servers.
 *
 * libsoup 2 and libsoup 3 abort the process when both are loaded, so the
 * module is not loaded into a process that already holds libsoup 2: the
 * program runs on with D-Bus and its report, and one line says why HTTP and
 * MCP are off.
 */

#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <gmodule.h>

#include "hotpath-live-module-private.h"
#include "hotpath-report-private.h"

#define LIBSOUP2_SONAME "libsoup-2.4.so.1"

static const HotpathLiveCore live_core = {
  .size = sizeof (HotpathLiveCore),
  .version = PACKAGE_VERSION,
  .server_snapshot = hotpath_server_snapshot,
  .snapshot_unref = hotpath_snapshot_unref,
  .server_get_limit = hotpath_server_get_limit,
  .server_lookup_body = hotpath_server_lookup_body,
  .server_store_body = hotpath_server_store_body,
  .server_status_json = hotpath_server_status_json,
  .server_close_in_child = hotpath_server_close_in_child,
  .server_forget_in_child = hotpath_server_forget_in_child,
  .server_is_stopping = hotpath_server_is_stopping,
  .sections_get_n = hotpath_sections_get_n,
  .sections_get_nth = hotpath_sections_get_nth,
  .sections_lookup = hotpath_sections_lookup,
  .section_is_available = hotpath_live_section_is_available,
  .section_to_json = hotpath_section_to_json,
  .section_to_text = hotpath_section_to_text,
  .section_item_to_json = hotpath_section_item_to_json,
  .section_item_to_text = hotpath_section_item_to_text,
  .section_fields_text = hotpath_section_fields_text,
  .report_to_json = hotpath_report_to_json,
  .report_write_now = hotpath_report_write_now,
  .metrics_render = hotpath_metrics_render,
};

static gboolean
process_holds_libsoup2 (void)
{
  void *handle = dlopen (LIBSOUP2_SONAME, RTLD_LAZY | RTLD_NOLOAD);

  if (handle == NULL)
    return FALSE;
  dlclose (handle);

  return TRUE;
}

/* Where to look, first match wins:
 * - HOTPATH_LIVE_MODULE, a file (the tests, whose programs link the core
 *   statically, so the library's folder is not theirs);
 * - beside the library that holds this code, in hotpath-glib-1/, as
 *   installed (works wherever the prefix was moved);
 * - the configured libdir/hotpath-glib-1/;
 * - beside the library itself, as in the build tree. */
static GPtrArray *
candidate_paths (void)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *env = g_getenv ("HOTPATH_LIVE_MODULE");
  Dl_info info;

  if (env != NULL && *env != '\0')
    {
      g_ptr_array_add (paths, g_strdup (env));
      return paths;
    }

  memset (&info, 0, sizeof info);
  if (dladdr ((void *) hotpath_live_module_load, &info) != 0 && info.dli_fname != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (info.dli_fname);

      g_ptr_array_add (paths, g_build_filename (dir, HOTPATH_LIVE_MODULE_SUBDIR,
                                                HOTPATH_LIVE_MODULE_NAME, NULL));
      g_ptr_array_add (paths, g_build_filename (HOTPATH_LIVE_MODULE_DIR,
                                                HOTPATH_LIVE_MODULE_NAME, NULL));
      g_ptr_array_add (paths, g_build_filename (dir, HOTPATH_LIVE_MODULE_NAME, NULL));
    }
  else
    g_ptr_array_add (paths, g_build_filename (HOTPATH_LIVE_MODULE_DIR,
                                              HOTPATH_LIVE_MODULE_NAME, NULL));

  return paths;
}

static const HotpathLiveModule *
load (char **why)
{
  static HotpathLiveModule module;
  g_autoptr(GPtrArray) paths = NULL;
  HotpathLiveModuleInitFunc init = NULL;
  GModule *gmodule = NULL;
  const char *path = NULL;

  if (process_holds_libsoup2 ())
    {
      *why = g_strdup ("this process uses libsoup 2 (" LIBSOUP2_SONAME "), which cannot "
                       "share a process with the libsoup 3 they need");
      return NULL;
    }

  paths = candidate_paths ();
  for (guint i = 0; i < paths->len; i++)
    if (g_file_test (g_ptr_array_index (paths, i), G_FILE_TEST_IS_REGULAR))
      {
        path = g_ptr_array_index (paths, i);
        break;
      }
  if (path == NULL)
    {
      *why = g_strdup_printf ("%s is not installed (looked for %s)",
                              HOTPATH_LIVE_MODULE_NAME,
                              (const char *) g_ptr_array_index (paths, 0));
      return NULL;
    }

  /* Local binding: the module's symbols must not interpose anybody's. */
  gmodule = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (gmodule == NULL)
    {
      *why = g_strdup_printf ("cannot load %s: %s", path, g_module_error ());
      return NULL;
    }
  if (!g_module_symbol (gmodule, HOTPATH_LIVE_MODULE_INIT, (gpointer *) &init) || init == NULL)
    {
      *why = g_strdup_printf ("%s has no %s", path, HOTPATH_LIVE_MODULE_INIT);
      g_module_close (gmodule);
      return NULL;
    }
  if (!init (&live_core, &module) ||
      module.size != sizeof module ||
      g_strcmp0 (module.version, PACKAGE_VERSION) != 0 ||
      module.http_new == NULL || module.http_free == NULL)
    {
      *why = g_strdup_printf ("%s does not match this libhotpath-glib-1 (%s)",
                              path, PACKAGE_VERSION);
      g_module_close (gmodule);
      return NULL;
    }

  /* Servers come and go with sessions; the code stays. */
  g_module_make_resident (gmodule);

  return &module;
}

const HotpathLiveModule *
hotpath_live_module_load (void)
{
  static gsize loaded;
  static const HotpathLiveModule *module;

  if (g_once_init_enter (&loaded))
    {
      g_autofree char *why = NULL;

      module = load (&why);
      if (module == NULL)
        g_message ("live HTTP and MCP servers are off: %s; "
                   "D-Bus and the report still work", why);
      g_once_init_leave (&loaded, 1);
    }

  return module;
}
