/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* measure-all (hotpath-instrument.c). Tests: read the environment again. */
void     hotpath_instrument_reload_config     (void);

G_END_DECLS
