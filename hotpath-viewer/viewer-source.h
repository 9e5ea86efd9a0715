/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  VIEWER_STATUS_CONNECTING,
  VIEWER_STATUS_LIVE,
  VIEWER_STATUS_STALE,
  VIEWER_STATUS_PAUSED,
  VIEWER_STATUS_DISCONNECTED,
  VIEWER_STATUS_REPORT,
} ViewerStatus;

typedef enum
{
  VIEWER_SOURCE_DBUS,
  VIEWER_SOURCE_HTTP,
  VIEWER_SOURCE_FILE,
} ViewerSourceKind;

#define VIEWER_TYPE_STATUS (viewer_status_get_type ())
GType viewer_status_get_type (void) G_GNUC_CONST;

#define VIEWER_TYPE_SOURCE (viewer_source_get_type ())

G_DECLARE_FINAL_TYPE (ViewerSource, viewer_source, VIEWER, SOURCE, GObject)

ViewerSource     *viewer_source_new_for_bus_name (const char           *bus_name);
ViewerSource     *viewer_source_new_for_pid      (guint                 pid);
ViewerSource     *viewer_source_new_for_url      (const char           *url,
                                                  GError              **error);
ViewerSource     *viewer_source_new_for_file     (GFile                *file);
ViewerSourceKind  viewer_source_get_kind         (ViewerSource         *self);
const char       *viewer_source_get_address      (ViewerSource         *self);
const char       *viewer_source_get_program      (ViewerSource         *self);
guint             viewer_source_get_pid          (ViewerSource         *self);
ViewerStatus      viewer_source_get_status       (ViewerSource         *self);
const char       *viewer_source_get_error        (ViewerSource         *self);
gboolean          viewer_source_get_paused       (ViewerSource         *self);
void              viewer_source_set_paused       (ViewerSource         *self,
                                                  gboolean              paused);
guint             viewer_source_get_interval     (ViewerSource         *self);
void              viewer_source_set_interval     (ViewerSource         *self,
                                                  guint                 interval_ms);
void              viewer_source_start            (ViewerSource         *self);
void              viewer_source_stop             (ViewerSource         *self);
void              viewer_source_refresh          (ViewerSource         *self);
JsonObject       *viewer_source_get_report       (ViewerSource         *self);
gint64            viewer_source_get_report_time  (ViewerSource         *self);
guint             viewer_source_get_n_updates    (ViewerSource         *self);
gboolean          viewer_source_has_logs         (ViewerSource         *self);
void              viewer_source_get_logs_async   (ViewerSource         *self,
                                                  const char           *section,
                                                  gint64                id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
JsonNode         *viewer_source_get_logs_finish  (ViewerSource         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

const char       *viewer_status_to_string        (ViewerStatus          status);

#define VIEWER_MAX_JSON_DEPTH 128

gboolean          viewer_report_bytes_acceptable (GBytes               *bytes,
                                                  GError              **error);

G_END_DECLS
