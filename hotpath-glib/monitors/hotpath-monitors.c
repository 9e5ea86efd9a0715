/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-monitors.c: the built-in sections, registered when the library
 * loads. The order of this list is the order of the report, the routes
 * and the MCP tools. A new section is one new file that defines its
 * HotpathSectionDesc, and one line here.
 */

#include "config.h"

#include "hotpath-registry-private.h"

extern const HotpathSectionDesc hotpath_functions_timing_section;
extern const HotpathSectionDesc hotpath_functions_alloc_section;
extern const HotpathSectionDesc hotpath_channels_section;
extern const HotpathSectionDesc hotpath_futures_section;
extern const HotpathSectionDesc hotpath_sources_section;
extern const HotpathSectionDesc hotpath_main_loop_section;
extern const HotpathSectionDesc hotpath_frames_section;
extern const HotpathSectionDesc hotpath_threads_section;
extern const HotpathSectionDesc hotpath_gauges_section;
extern const HotpathSectionDesc hotpath_debug_section;
extern const HotpathSectionDesc hotpath_streams_section;
extern const HotpathSectionDesc hotpath_locks_section;

static const HotpathSectionDesc * const builtin_sections[] = {
  &hotpath_functions_timing_section,
  &hotpath_functions_alloc_section,
  &hotpath_channels_section,
  &hotpath_futures_section,
  &hotpath_sources_section,
  &hotpath_main_loop_section,
  &hotpath_frames_section,
  &hotpath_threads_section,
  &hotpath_gauges_section,
  &hotpath_debug_section,
  &hotpath_streams_section,
  &hotpath_locks_section,
};

/* A constructor, so that a section exists before anything can record an
 * event for it, whichever entry point the program uses first. */
__attribute__((constructor)) static void
register_builtin_sections (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (builtin_sections); i++)
    hotpath_registry_register (builtin_sections[i]);
}
