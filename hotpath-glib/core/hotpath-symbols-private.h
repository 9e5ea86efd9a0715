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

/* Everything known about a code address. */
typedef struct
{
  char    *symbol;   /* the function's name, or NULL */
  char    *module;   /* the object's file name without its last extension, or NULL */
  guint64  offset;   /* the address as the object file sees it (what addr2line takes) */
  guint64  size;     /* the function's size in bytes; 0 if unknown */
} HotpathSymbolInfo;

gboolean hotpath_symbols_describe        (gconstpointer      address,
                                          HotpathSymbolInfo *info);
char    *hotpath_symbols_info_to_name    (const HotpathSymbolInfo *info);
void     hotpath_symbols_info_clear      (HotpathSymbolInfo *info);
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
