/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib.h>

#ifndef _HOTPATH_EXTERN
# define _HOTPATH_EXTERN __attribute__((visibility("default"))) extern
#endif

#define HOTPATH_AVAILABLE_IN_ALL _HOTPATH_EXTERN
