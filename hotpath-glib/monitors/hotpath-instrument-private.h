/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* measure-all (hotpath-instrument.c): the time filter the collector
 * applies, and a reset for a new session. */
guint64  hotpath_instrument_get_time_filter   (guint *learn_calls);
void     hotpath_instrument_reset_time_filter (void);
void     hotpath_instrument_reload_config     (void);

G_END_DECLS
