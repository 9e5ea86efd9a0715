/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "hotpath-guard-private.h"
#include "hotpath-snapshot.h"

G_BEGIN_DECLS

#define HOTPATH_DEFAULT_METRICS_PORT 6770
#define HOTPATH_DEFAULT_MCP_PORT     6771

typedef struct _HotpathServer HotpathServer;
typedef struct _HotpathHttp   HotpathHttp;
typedef struct _HotpathDBus   HotpathDBus;

/* What the live servers were asked for, from the environment. */
typedef struct
{
  gboolean  http_enabled;
  char     *http_host;
  guint     http_port;
  char     *http_token;
  gboolean  mcp_enabled;
  guint     mcp_port;
  char     *mcp_token;
  gboolean  insecure;       /* HOTPATH_INSECURE: off loopback without a token */
  gboolean  dbus_enabled;
  char     *dbus_address;   /* NULL: no session bus */
} HotpathServerConfig;

void             hotpath_server_config_from_env   (HotpathServerConfig *config);
void             hotpath_server_config_clear      (HotpathServerConfig *config);

HotpathServer   *hotpath_server_start             (const HotpathConfig *config);
void             hotpath_server_stop              (HotpathServer       *self);

/* Thread-safe. */
guint16          hotpath_server_get_http_port     (HotpathServer       *self);
guint16          hotpath_server_get_mcp_port      (HotpathServer       *self);
GMainContext    *hotpath_server_get_context       (HotpathServer       *self);
gboolean         hotpath_server_is_stopping       (HotpathServer       *self);

/* On the server thread only. */
HotpathSnapshot *hotpath_server_snapshot          (HotpathServer       *self);
void             hotpath_server_invalidate        (HotpathServer       *self);
const char      *hotpath_server_lookup_body       (HotpathServer       *self,
                                                   const char          *key);
void             hotpath_server_store_body        (HotpathServer       *self,
                                                   const char          *key,
                                                   const char          *body);
guint            hotpath_server_get_limit         (HotpathServer       *self);
const char      *hotpath_server_get_program_name  (HotpathServer       *self);
gint64           hotpath_server_get_start_time    (HotpathServer       *self);
const char      *hotpath_server_get_dbus_name     (HotpathServer       *self);
char            *hotpath_server_status_json       (HotpathServer       *self);
void             hotpath_server_set_max_age_ms    (HotpathServer       *self,
                                                   guint                max_age_ms);

/* hotpath-metrics.c: the /metrics body. */
char            *hotpath_metrics_render           (HotpathSnapshot     *snapshot,
                                                   gboolean             openmetrics,
                                                   gboolean             histograms);

/* fork(): descriptors the child closes at once. */
void             hotpath_server_close_in_child    (int                  fd);
void             hotpath_server_forget_in_child   (int                  fd);

/* Components, created and freed on the server thread. */
HotpathHttp     *hotpath_http_new                 (HotpathServer       *server,
                                                   const char          *what,
                                                   const char          *host,
                                                   guint                port,
                                                   const char          *token,
                                                   gboolean             mcp,
                                                   guint16             *bound_port);
void             hotpath_http_free                (HotpathHttp         *self);

HotpathDBus     *hotpath_dbus_new                 (HotpathServer       *server,
                                                   const char          *address);
char            *hotpath_dbus_session_address     (void);
void             hotpath_dbus_free                (HotpathDBus         *self);
const char      *hotpath_dbus_get_name            (HotpathDBus         *self);

G_END_DECLS
