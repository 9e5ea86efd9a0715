/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Availability and deprecation markers for the public API, in the GLib way:
 * a program that defines HOTPATH_VERSION_MIN_REQUIRED / _MAX_ALLOWED gets a
 * compiler warning for API outside that window.
 */
#pragma once

#if !defined (HOTPATH_INSIDE) && !defined (HOTPATH_COMPILATION)
# error "Only <hotpath-glib/hotpath.h> can be included directly."
#endif

#include <glib.h>

#include "hotpath-version.h"

#ifndef _HOTPATH_EXTERN
# define _HOTPATH_EXTERN __attribute__((visibility("default"))) extern
#endif

/**
 * HOTPATH_VERSION_0_1:
 *
 * The encoded version of hotpath-glib 0.1, for
 * %HOTPATH_VERSION_MIN_REQUIRED and %HOTPATH_VERSION_MAX_ALLOWED.
 *
 * Since: 0.2
 */
#define HOTPATH_VERSION_0_1 (G_ENCODE_VERSION (0, 1))

/**
 * HOTPATH_VERSION_0_2:
 *
 * The encoded version of hotpath-glib 0.2, for
 * %HOTPATH_VERSION_MIN_REQUIRED and %HOTPATH_VERSION_MAX_ALLOWED.
 *
 * Since: 0.2
 */
#define HOTPATH_VERSION_0_2 (G_ENCODE_VERSION (0, 2))

/* An odd minor version is a development series: it builds the next even,
 * stable one, whose API it already has. */
#if (HOTPATH_MINOR_VERSION % 2)
# define HOTPATH_VERSION_CUR_STABLE (G_ENCODE_VERSION (HOTPATH_MAJOR_VERSION, HOTPATH_MINOR_VERSION + 1))
#else
# define HOTPATH_VERSION_CUR_STABLE (G_ENCODE_VERSION (HOTPATH_MAJOR_VERSION, HOTPATH_MINOR_VERSION))
#endif

#if (HOTPATH_MINOR_VERSION % 2)
# define HOTPATH_VERSION_PREV_STABLE (G_ENCODE_VERSION (HOTPATH_MAJOR_VERSION, HOTPATH_MINOR_VERSION - 1))
#elif HOTPATH_MINOR_VERSION >= 2
# define HOTPATH_VERSION_PREV_STABLE (G_ENCODE_VERSION (HOTPATH_MAJOR_VERSION, HOTPATH_MINOR_VERSION - 2))
#else
# define HOTPATH_VERSION_PREV_STABLE (G_ENCODE_VERSION (HOTPATH_MAJOR_VERSION, 0))
#endif

/**
 * HOTPATH_VERSION_MIN_REQUIRED:
 *
 * Define it before including hotpath.h to the oldest version (one of the
 * `HOTPATH_VERSION_x_y` values) the program must build against: API
 * deprecated since then warns. Defaults to the current stable version.
 *
 * Since: 0.2
 */
#ifndef HOTPATH_VERSION_MIN_REQUIRED
# define HOTPATH_VERSION_MIN_REQUIRED (HOTPATH_VERSION_CUR_STABLE)
#endif

/**
 * HOTPATH_VERSION_MAX_ALLOWED:
 *
 * Define it before including hotpath.h to the newest version whose API the
 * program may use: API added after it warns. Defaults to the current
 * stable version.
 *
 * Since: 0.2
 */
#ifndef HOTPATH_VERSION_MAX_ALLOWED
# if HOTPATH_VERSION_MIN_REQUIRED > HOTPATH_VERSION_PREV_STABLE
#  define HOTPATH_VERSION_MAX_ALLOWED (HOTPATH_VERSION_MIN_REQUIRED)
# else
#  define HOTPATH_VERSION_MAX_ALLOWED (HOTPATH_VERSION_CUR_STABLE)
# endif
#endif

#if HOTPATH_VERSION_MAX_ALLOWED < HOTPATH_VERSION_MIN_REQUIRED
# error "HOTPATH_VERSION_MAX_ALLOWED must be >= HOTPATH_VERSION_MIN_REQUIRED"
#endif
#if HOTPATH_VERSION_MIN_REQUIRED < HOTPATH_VERSION_0_1
# error "HOTPATH_VERSION_MIN_REQUIRED must be >= HOTPATH_VERSION_0_1"
#endif

#define HOTPATH_DEPRECATED              G_DEPRECATED _HOTPATH_EXTERN
#define HOTPATH_DEPRECATED_FOR(f)       G_DEPRECATED_FOR (f) _HOTPATH_EXTERN
#define HOTPATH_UNAVAILABLE(maj,min)    G_UNAVAILABLE (maj, min) _HOTPATH_EXTERN

/* API that exists in every version. */
#define HOTPATH_AVAILABLE_IN_ALL _HOTPATH_EXTERN

#if HOTPATH_VERSION_MIN_REQUIRED >= HOTPATH_VERSION_0_1
# define HOTPATH_DEPRECATED_IN_0_1              HOTPATH_DEPRECATED
# define HOTPATH_DEPRECATED_IN_0_1_FOR(f)       HOTPATH_DEPRECATED_FOR (f)
#else
# define HOTPATH_DEPRECATED_IN_0_1              _HOTPATH_EXTERN
# define HOTPATH_DEPRECATED_IN_0_1_FOR(f)       _HOTPATH_EXTERN
#endif

#if HOTPATH_VERSION_MAX_ALLOWED < HOTPATH_VERSION_0_1
# define HOTPATH_AVAILABLE_IN_0_1               HOTPATH_UNAVAILABLE (0, 1)
#else
# define HOTPATH_AVAILABLE_IN_0_1               _HOTPATH_EXTERN
#endif

#if HOTPATH_VERSION_MIN_REQUIRED >= HOTPATH_VERSION_0_2
# define HOTPATH_DEPRECATED_IN_0_2              HOTPATH_DEPRECATED
# define HOTPATH_DEPRECATED_IN_0_2_FOR(f)       HOTPATH_DEPRECATED_FOR (f)
#else
# define HOTPATH_DEPRECATED_IN_0_2              _HOTPATH_EXTERN
# define HOTPATH_DEPRECATED_IN_0_2_FOR(f)       _HOTPATH_EXTERN
#endif

#if HOTPATH_VERSION_MAX_ALLOWED < HOTPATH_VERSION_0_2
# define HOTPATH_AVAILABLE_IN_0_2               HOTPATH_UNAVAILABLE (0, 2)
#else
# define HOTPATH_AVAILABLE_IN_0_2               _HOTPATH_EXTERN
#endif
