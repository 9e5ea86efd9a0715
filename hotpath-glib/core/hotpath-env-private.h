/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each reader returns TRUE and sets @out only when the variable is set and
 * valid. An invalid value prints one line on stderr naming the variable and
 * what it accepts; the caller then keeps its default. */
int      hotpath_env_get_choice      (const char         *name,
                                      const char * const *accepted,
                                      int                 default_index);
gboolean hotpath_env_get_uint        (const char         *name,
                                      guint               max,
                                      guint              *out);
gboolean hotpath_env_get_flag        (const char         *name,
                                      gboolean           *out);
gboolean hotpath_env_get_percentiles (const char         *name,
                                      GArray            **out);
gboolean hotpath_percentiles_parse   (const char         *text,
                                      GArray            **out,
                                      GError            **error);

gboolean hotpath_env_is_known        (const char         *name);
char    *hotpath_env_suggest         (const char         *name);
void     hotpath_env_warn_unknown    (void);
void     hotpath_env_warn_unknown_in (const char * const *names);

G_END_DECLS
