/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hotpath-guard.h"
#include "hotpath-options.h"
#include "hotpath-reporter.h"

G_BEGIN_DECLS

/* What a session was asked for, after the environment had its say. */
typedef struct
{
  char            *name;
  GArray          *percentiles;   /* double, sorted, unique */
  HotpathFormat    format;
  guint            limit;
  char            *output_path;
  guint            timeout_ms;
  guint            logs_limit;
  HotpathReporter *reporter;
} HotpathConfig;

void          hotpath_config_init      (HotpathConfig       *config);
void          hotpath_config_clear     (HotpathConfig       *config);
void          hotpath_config_copy      (HotpathConfig       *dest,
                                        const HotpathConfig *src);
void          hotpath_config_apply_env (HotpathConfig       *config);

HotpathGuard *hotpath_guard_new        (const HotpathConfig  *config,
                                        GError              **error);
/* Finishes the running session, if any (signals, exec, on demand). */
void          hotpath_guard_finish_active (void);

/* hotpath-guard-ends.c: signals and exec*() while a session runs. */
void          hotpath_guard_ends_install   (void);
void          hotpath_guard_ends_uninstall (void);

/* measure-all with no code: the automatic session (hotpath-main.c), which a
 * guard built later replaces. */
void          hotpath_guard_set_automatic  (HotpathGuard *self);
void          hotpath_main_begin_automatic (void);

typedef struct _HotpathServer HotpathServer;
HotpathServer *hotpath_guard_get_server (HotpathGuard      *self);

G_END_DECLS
