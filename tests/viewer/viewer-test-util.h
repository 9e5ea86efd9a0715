/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* viewer-test-util.h: helpers for tests that run the viewer in-process. */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef gboolean (*ViewerTestPredicate) (gpointer data);

gboolean  viewer_test_wait_for        (ViewerTestPredicate  predicate,
                                       gpointer             data,
                                       guint                timeout_ms);
void      viewer_test_spin            (guint                ms);
gboolean  viewer_test_tree_has_label  (GtkWidget           *root,
                                       const char          *text);
guint     viewer_test_count_labels    (GtkWidget           *root,
                                       const char          *text_suffix);
char     *viewer_test_save_png        (GtkWidget           *widget,
                                       const char          *name);
GPid      viewer_test_spawn_live      (const char          *program,
                                       const char * const  *argv_tail,
                                       guint               *http_port);

G_END_DECLS
