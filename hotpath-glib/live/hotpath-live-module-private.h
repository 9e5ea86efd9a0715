/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The live module's interface: the HTTP and MCP servers (libsoup 3) live in
 * a module, libhotpath-glib-live.so, loaded at session start, so the core
 * never links libsoup and a program that holds libsoup 2 (WebKitGTK 4.0
 * apps) can still be profiled: libsoup 2 and 3 abort when both are loaded.
 *
 * The module does not link the core (tests link the core statically, and a
 * second copy would have its own collector). It reaches the core only
 * through HotpathLiveCore, filled by the core; the core reaches it only
 * through HotpathLiveModule. Both are private and change together: the
 * module and the library come from one build, checked by version and size.
 */

#include <glib.h>

#include "hotpath-sections-private.h"
#include "hotpath-server-private.h"

G_BEGIN_DECLS

/* The module's file name, and its folder under libdir once installed. */
#define HOTPATH_LIVE_MODULE_NAME   "libhotpath-glib-live.so"
#define HOTPATH_LIVE_MODULE_SUBDIR "hotpath-glib-1"
/* The symbol the module exports: a HotpathLiveModuleInitFunc. */
#define HOTPATH_LIVE_MODULE_INIT   "hotpath_live_module_init"

/* What the module may call in the core. */
typedef struct
{
  gsize                  size;       /* sizeof (HotpathLiveCore) */
  const char            *version;    /* PACKAGE_VERSION of the core */

  HotpathSnapshot      *(*server_snapshot)        (HotpathServer *server);
  void                  (*snapshot_unref)         (HotpathSnapshot *snapshot);
  guint                 (*server_get_limit)       (HotpathServer *server);
  const char           *(*server_lookup_body)     (HotpathServer *server,
                                                   const char    *key);
  void                  (*server_store_body)      (HotpathServer *server,
                                                   const char    *key,
                                                   const char    *body);
  char                 *(*server_status_json)     (HotpathServer *server);
  void                  (*server_close_in_child)  (int            fd);
  void                  (*server_forget_in_child) (int            fd);
  gboolean              (*server_is_stopping)     (HotpathServer *server);

  /* The sections (hotpath-sections-private.h): JSON and text. */
  guint                 (*sections_get_n)         (void);
  const HotpathSectionDesc *(*sections_get_nth)   (guint          index);
  const HotpathSectionDesc *(*sections_lookup)    (const char    *name);
  gboolean              (*section_is_available)   (const HotpathSectionDesc *section,
                                                   HotpathSnapshot          *snapshot);
  char                 *(*section_to_json)        (const HotpathSectionDesc *section,
                                                   HotpathSnapshot          *snapshot,
                                                   guint                     limit);
  char                 *(*section_to_text)        (const HotpathSectionDesc *section,
                                                   HotpathSnapshot          *snapshot,
                                                   guint                     limit);
  char                 *(*section_item_to_json)   (const HotpathSectionDesc *section,
                                                   HotpathSnapshot          *snapshot,
                                                   guint64                   id);
  char                 *(*section_item_to_text)   (const HotpathSectionDesc *section,
                                                   HotpathSnapshot          *snapshot,
                                                   guint64                   id);
  char                 *(*section_fields_text)    (const HotpathSectionDesc *section);

  char                 *(*report_to_json)         (HotpathSnapshot *snapshot);
  gboolean              (*report_write_now)       (char           **destination,
                                                   GError         **error);
  char                 *(*metrics_render)         (HotpathSnapshot *snapshot,
                                                   gboolean         openmetrics,
                                                   gboolean         histograms);
} HotpathLiveCore;

/* What the core may call in the module: one listening HTTP server (the
 * JSON routes and /metrics, or MCP at /mcp), on the server thread. */
typedef struct
{
  gsize         size;                /* sizeof (HotpathLiveModule) */
  const char   *version;             /* PACKAGE_VERSION of the module */

  HotpathHttp *(*http_new)  (HotpathServer *server,
                             const char    *what,
                             const char    *host,
                             guint          port,
                             const char    *token,
                             gboolean       mcp,
                             guint16       *bound_port);
  void         (*http_free) (HotpathHttp   *http);
} HotpathLiveModule;

typedef gboolean (*HotpathLiveModuleInitFunc) (const HotpathLiveCore *core,
                                               HotpathLiveModule     *module);

/* Core side (hotpath-live-loader.c). Loads the module once per process;
 * on failure prints one line on stderr, once, saying why HTTP and MCP are
 * off. Returns: (nullable): the module, resident */
const HotpathLiveModule *hotpath_live_module_load (void);

G_END_DECLS
