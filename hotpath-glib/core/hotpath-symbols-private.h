/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Turns code addresses into function names at report time. Measure-all
 * mode (-finstrument-functions) only gives addresses, and dladdr() cannot
 * name static functions nor anything in an executable not linked with
 * -rdynamic, so this reads the ELF symbol table of each object from disk.
 * Never call it from the hot path: the first lookup in an object parses
 * its whole symbol table.
 */

char *hotpath_symbols_resolve           (gconstpointer   address,
                                         char          **file_out);
void  hotpath_symbols_clear_cache       (void);

/* One parsed symbol table; exposed for the tests. Addresses given to
 * lookup are file addresses (the runtime address minus the load bias).
 */
typedef struct _HotpathSymbolTable HotpathSymbolTable;

HotpathSymbolTable *hotpath_symbols_table_new_for_file  (const char         *path,
                                                         GError            **error);
HotpathSymbolTable *hotpath_symbols_table_new_for_bytes (GBytes             *bytes,
                                                         GError            **error);
void                hotpath_symbols_table_free          (HotpathSymbolTable *self);
const char         *hotpath_symbols_table_lookup        (HotpathSymbolTable *self,
                                                         guint64             file_address);
gsize               hotpath_symbols_table_get_size      (HotpathSymbolTable *self);
gboolean            hotpath_symbols_table_is_full       (HotpathSymbolTable *self);
const guint8       *hotpath_symbols_table_get_build_id  (HotpathSymbolTable *self,
                                                         gsize              *len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HotpathSymbolTable, hotpath_symbols_table_free)

G_END_DECLS
