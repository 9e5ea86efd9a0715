/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>
#include <hotpath-glib/hotpath.h>

#include "viewer-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ViewerApplication) app = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Say what to do rather than abort in g_settings_new(). */
  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                            "io.github.HotpathGlib.Viewer", TRUE);
  if (schema == NULL)
    {
      g_printerr ("hotpath-viewer: the GSettings schema io.github.HotpathGlib.Viewer is not installed; "
                  "install the viewer, or run it from the build tree with "
                  "GSETTINGS_SCHEMA_DIR=<builddir>/data\n");
      return 1;
    }

  /* With -Dviewer_profiling=true: live data about the viewer itself, on
   * free ports so it never takes 6770 from the program it looks at. */
  g_setenv ("HOTPATH_METRICS_PORT", "0", FALSE);
  g_setenv ("HOTPATH_MCP_PORT", "0", FALSE);
  HOTPATH_MAIN (.name = "hotpath-viewer", .format = HOTPATH_FORMAT_NONE);

  g_set_application_name (_("Hotpath Viewer"));
  app = viewer_application_new (G_APPLICATION_DEFAULT_FLAGS);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
