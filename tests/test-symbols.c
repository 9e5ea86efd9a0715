/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#ifndef _GNU_SOURCE
# define _GNU_SOURCE /* RTLD_NOLOAD */
#endif

#include <dlfcn.h>
#include <elf.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hotpath-symbols-private.h"

/* Functions to find. Called through volatile pointers so that they exist
 * out of line at the address taken, and of different bodies so that
 * identical code folding cannot merge them. */

G_GNUC_NO_INLINE static guint
symbols_static_helper (const char *s)
{
  guint h = 5381;

  for (; *s != '\0'; s++)
    h = h * 33 + (guchar) *s;

  return h;
}

guint symbols_public_helper (const char *s);

G_GNUC_NO_INLINE guint
symbols_public_helper (const char *s)
{
  guint h = 0;

  for (; *s != '\0'; s++)
    h = (h << 4) ^ (h >> 28) ^ (guchar) *s;

  return h ^ 0x9e3779b9;
}

static guint (* volatile static_helper_ptr) (const char *) = symbols_static_helper;
static guint (* volatile public_helper_ptr) (const char *) = symbols_public_helper;

G_GNUC_NO_INLINE static gconstpointer
get_return_address (void)
{
  return __builtin_return_address (0);
}

static void
assert_resolves (gconstpointer  address,
                 const char    *expected_name,
                 const char    *expected_file)
{
  g_autofree char *file = NULL;
  g_autofree char *name = hotpath_symbols_resolve (address, &file);

  g_assert_cmpstr (name, ==, expected_name);
  if (expected_file != NULL)
    g_assert_cmpstr (file, ==, expected_file);
}

static char *program_basename;

static void
test_symbols_static (void)
{
  g_assert_cmpuint (static_helper_ptr ("hotpath"), !=, 0);
  assert_resolves ((gconstpointer) symbols_static_helper, "symbols_static_helper", program_basename);
}

static void
test_symbols_public (void)
{
  g_assert_cmpuint (public_helper_ptr ("hotpath"), !=, 0);
  assert_resolves ((gconstpointer) symbols_public_helper, "symbols_public_helper", program_basename);
  assert_resolves ((gconstpointer) test_symbols_public, "test_symbols_public", NULL);
}

static void
test_symbols_middle (void)
{
  gconstpointer call_site = get_return_address ();

  assert_resolves ((const guint8 *) symbols_static_helper + 4, "symbols_static_helper", NULL);
  assert_resolves ((const guint8 *) symbols_public_helper + 4, "symbols_public_helper", NULL);
  /* What -finstrument-functions passes as call_site. */
  assert_resolves (call_site, "test_symbols_middle", NULL);
}

static gconstpointer
lookup_in_libglib (const char *symbol)
{
  void *handle;
  gconstpointer address;

  /* Taking &g_strdup in a non-PIE test would give its PLT stub in the
   * executable; dlsym on libglib's own handle gives the real code. */
  handle = dlopen ("libglib-2.0.so.0", RTLD_LAZY | RTLD_NOLOAD);
  g_assert_nonnull (handle);
  address = dlsym (handle, symbol);
  g_assert_nonnull (address);
  dlclose (handle);

  return address;
}

static void
test_symbols_library (void)
{
  gconstpointer strdup_address = lookup_in_libglib ("g_strdup");
  g_autofree char *file = NULL;
  g_autofree char *name = NULL;

  name = hotpath_symbols_resolve (strdup_address, &file);
  g_assert_cmpstr (name, ==, "g_strdup");
  g_assert_true (g_str_has_prefix (file, "libglib-2.0.so"));

  assert_resolves ((const guint8 *) strdup_address + 4, "g_strdup", NULL);
  assert_resolves (lookup_in_libglib ("g_hash_table_insert"), "g_hash_table_insert", NULL);
}

static void
test_symbols_nowhere (void)
{
  g_autofree char *heap = g_malloc (64);
  char *file = (char *) "unset";
  int on_stack = 0;
  char *name;

  name = hotpath_symbols_resolve (heap, &file);
  g_assert_null (name);
  g_assert_null (file);

  g_assert_null (hotpath_symbols_resolve (&on_stack, NULL));
  g_assert_null (hotpath_symbols_resolve (NULL, NULL));
  g_assert_null (hotpath_symbols_resolve (GSIZE_TO_POINTER (16), NULL));
}

static gpointer
resolve_thread (gpointer data)
{
  guint index = GPOINTER_TO_UINT (data);
  gconstpointer strdup_address = lookup_in_libglib ("g_strdup");
  g_autofree char *heap = g_malloc (16);

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *a = hotpath_symbols_resolve ((gconstpointer) symbols_static_helper, NULL);
      g_autofree char *b = hotpath_symbols_resolve ((const guint8 *) symbols_public_helper + 2, NULL);
      g_autofree char *c = hotpath_symbols_resolve (heap, NULL);
      g_autofree char *d = hotpath_symbols_resolve (strdup_address, NULL);

      g_assert_cmpstr (a, ==, "symbols_static_helper");
      g_assert_cmpstr (b, ==, "symbols_public_helper");
      g_assert_null (c);
      g_assert_cmpstr (d, ==, "g_strdup");

      /* One thread keeps dropping the tables under the others. */
      if (index == 0 && i % 50 == 0)
        hotpath_symbols_clear_cache ();
    }

  return NULL;
}

static void
test_symbols_threads (void)
{
  GThread *threads[4];

  hotpath_symbols_clear_cache ();

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("resolve", resolve_thread, GUINT_TO_POINTER (i));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

/* A small ELF file of either class with .text, .symtab and .strtab, to
 * check the lookup rules on known input. */

typedef struct
{
  const char *name;
  guint64     value;
  guint64     size;
  guint8      type;
  guint8      binding;
} FakeSym;

static const FakeSym fake_syms[] = {
  { "alpha",        0x1000, 0x20, STT_FUNC,   STB_LOCAL },
  { "beta",         0x1020, 0,    STT_FUNC,   STB_GLOBAL },
  { "_gamma_alias", 0x1040, 0x10, STT_FUNC,   STB_GLOBAL },
  { "gamma_local",  0x1040, 0x10, STT_FUNC,   STB_LOCAL },
  { "gamma",        0x1040, 0x10, STT_FUNC,   STB_GLOBAL },
  { "table",        0x1050, 0x10, STT_OBJECT, STB_GLOBAL },
  { "outer",        0x10a0, 0x40, STT_FUNC,   STB_GLOBAL },
  { "inner_label",  0x10b0, 0,    STT_FUNC,   STB_LOCAL },
  { "delta",        0x10e0, 0,    STT_FUNC,   STB_GLOBAL },
  { "undefined",    0,      0,    STT_FUNC,   STB_GLOBAL },
};

#define TEXT_ADDR 0x1000
#define TEXT_SIZE 0x100

#define DEFINE_FAKE_ELF(bits)                                                  \
static GBytes *                                                                \
build_fake_elf##bits (void)                                                    \
{                                                                              \
  g_autoptr(GByteArray) out = g_byte_array_new ();                             \
  g_autoptr(GString) strtab = g_string_new_len ("", 1);                        \
  const char shstrtab[] = "\0.text\0.symtab\0.strtab\0.shstrtab";              \
  Elf##bits##_Ehdr ehdr = { 0 };                                               \
  Elf##bits##_Shdr shdr[5] = { { 0 } };                                        \
  Elf##bits##_Sym sym = { 0 };                                                 \
  gsize symtab_offset;                                                         \
  guint8 zero = 0;                                                             \
                                                                               \
  g_byte_array_append (out, (const guint8 *) &ehdr, sizeof ehdr);              \
                                                                               \
  /* .symtab: the null symbol, then the fakes */                               \
  symtab_offset = out->len;                                                    \
  g_byte_array_append (out, (const guint8 *) &sym, sizeof sym);                \
  for (guint i = 0; i < G_N_ELEMENTS (fake_syms); i++)                         \
    {                                                                          \
      memset (&sym, 0, sizeof sym);                                            \
      sym.st_name = strtab->len;                                               \
      g_string_append_len (strtab, fake_syms[i].name,                          \
                           strlen (fake_syms[i].name) + 1);                    \
      sym.st_value = fake_syms[i].value;                                       \
      sym.st_size = fake_syms[i].size;                                         \
      sym.st_info = ELF##bits##_ST_INFO (fake_syms[i].binding,                 \
                                         fake_syms[i].type);                   \
      sym.st_shndx = fake_syms[i].value != 0 ? 1 : SHN_UNDEF;                  \
      g_byte_array_append (out, (const guint8 *) &sym, sizeof sym);            \
    }                                                                          \
                                                                               \
  shdr[1].sh_name = 1;                                                         \
  shdr[1].sh_type = SHT_PROGBITS;                                              \
  shdr[1].sh_flags = SHF_ALLOC | SHF_EXECINSTR;                                \
  shdr[1].sh_addr = TEXT_ADDR;                                                 \
  shdr[1].sh_offset = 0;                                                       \
  shdr[1].sh_size = TEXT_SIZE;                                                 \
  shdr[2].sh_name = 7;                                                         \
  shdr[2].sh_type = SHT_SYMTAB;                                                \
  shdr[2].sh_offset = symtab_offset;                                           \
  shdr[2].sh_size = out->len - symtab_offset;                                  \
  shdr[2].sh_link = 3;                                                         \
  shdr[2].sh_entsize = sizeof sym;                                             \
  shdr[3].sh_name = 15;                                                        \
  shdr[3].sh_type = SHT_STRTAB;                                                \
  shdr[3].sh_offset = out->len;                                                \
  shdr[3].sh_size = strtab->len;                                               \
  g_byte_array_append (out, (const guint8 *) strtab->str, strtab->len);        \
  shdr[4].sh_name = 23;                                                        \
  shdr[4].sh_type = SHT_STRTAB;                                                \
  shdr[4].sh_offset = out->len;                                                \
  shdr[4].sh_size = sizeof shstrtab;                                           \
  g_byte_array_append (out, (const guint8 *) shstrtab, sizeof shstrtab);       \
  while (out->len % 8 != 0)                                                    \
    g_byte_array_append (out, &zero, 1);                                       \
                                                                               \
  memcpy (ehdr.e_ident, ELFMAG, SELFMAG);                                      \
  ehdr.e_ident[EI_CLASS] = ELFCLASS##bits;                                     \
  ehdr.e_ident[EI_DATA] = G_BYTE_ORDER == G_LITTLE_ENDIAN ? ELFDATA2LSB        \
                                                          : ELFDATA2MSB;       \
  ehdr.e_ident[EI_VERSION] = EV_CURRENT;                                       \
  ehdr.e_type = ET_DYN;                                                        \
  ehdr.e_version = EV_CURRENT;                                                 \
  ehdr.e_ehsize = sizeof ehdr;                                                 \
  ehdr.e_shoff = out->len;                                                     \
  ehdr.e_shentsize = sizeof shdr[0];                                           \
  ehdr.e_shnum = G_N_ELEMENTS (shdr);                                          \
  ehdr.e_shstrndx = 4;                                                         \
  g_byte_array_append (out, (const guint8 *) shdr, sizeof shdr);               \
  memcpy (out->data, &ehdr, sizeof ehdr);                                      \
                                                                               \
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));                  \
}

DEFINE_FAKE_ELF (32)
DEFINE_FAKE_ELF (64)

static void
check_fake_table (GBytes *bytes)
{
  g_autoptr(HotpathSymbolTable) table = NULL;
  g_autoptr(GError) error = NULL;

  table = hotpath_symbols_table_new_for_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_true (hotpath_symbols_table_is_full (table));
  /* alpha, beta, gamma, outer, inner_label, delta */
  g_assert_cmpuint (hotpath_symbols_table_get_size (table), ==, 6);

  g_assert_null (hotpath_symbols_table_lookup (table, 0));
  g_assert_null (hotpath_symbols_table_lookup (table, 0xfff));
  g_assert_cmpstr (hotpath_symbols_table_lookup (table, 0x1000), ==, "alpha");
  g_assert_cmpstr (hotpath_symbols_table_lookup (table, 0x101f), ==, "alpha");
  /* No size: runs to the next symbol. */
  g_assert_cmpstr (hotpath_symbols_table_lookup (table, 0x1020), ==, "beta");
  g_assert_cmpstr (hotpath_symbols_table_lookup (table, 0x103f), ==, "beta");
  /* Aliases: the global name without underscores. */
  g_assert_cmpstr (hotpath_symbols_table_lookup (table, 0x1040), ==, "gamma");
  g_assert_cmpstr (hotpath_symbols_table_lookup (table, 0x104f), ==, "gamma");
  /* Between functions, and data, belong to nothing. */
  g_assert_null (hotpath_symbols_table_lookup (table, 0x1050));
  g_assert_null (hotpath_symbols_table_lookup (table, 0x109f));
  /* A sized function beats an unsized symbol inside it. */
  g_assert_cmpstr (hotpath_symbols_table_lookup (table, 0x10b0), ==, "outer");
  g_assert_cmpstr (hotpath_symbols_table_lookup (table, 0x10df), ==, "outer");
  /* The last unsized symbol stops at the end of its section. */
  g_assert_cmpstr (hotpath_symbols_table_lookup (table, 0x10e0), ==, "delta");
  g_assert_cmpstr (hotpath_symbols_table_lookup (table, 0x10ff), ==, "delta");
  g_assert_null (hotpath_symbols_table_lookup (table, 0x1100));
  g_assert_null (hotpath_symbols_table_lookup (table, G_MAXUINT64));
}

static void
test_symbols_table_rules (void)
{
  g_autoptr(GBytes) elf32 = build_fake_elf32 ();
  g_autoptr(GBytes) elf64 = build_fake_elf64 ();

  check_fake_table (elf32);
  check_fake_table (elf64);
}

static void
test_symbols_self (void)
{
  g_autoptr(HotpathSymbolTable) table = NULL;
  g_autoptr(GError) error = NULL;
  gsize build_id_len = 0;

  table = hotpath_symbols_table_new_for_file ("/proc/self/exe", &error);
  g_assert_no_error (error);
  g_assert_true (hotpath_symbols_table_is_full (table));
  g_assert_cmpuint (hotpath_symbols_table_get_size (table), >, 10);
  hotpath_symbols_table_get_build_id (table, &build_id_len);
  g_test_message ("build-id of %" G_GSIZE_FORMAT " bytes", build_id_len);
}

static void
assert_bad_file (const char *dir,
                 const char *basename,
                 const void *contents,
                 gsize       len,
                 GQuark      domain,
                 int         code)
{
  g_autofree char *path = g_build_filename (dir, basename, NULL);
  g_autoptr(HotpathSymbolTable) table = NULL;
  g_autoptr(GError) error = NULL;

  if (contents != NULL)
    {
      g_file_set_contents (path, contents, len, &error);
      g_assert_no_error (error);
    }

  table = hotpath_symbols_table_new_for_file (path, &error);
  g_assert_null (table);
  g_assert_error (error, domain, code);
  g_test_message ("%s: %s", basename, error->message);
}

/* Flips bytes of a valid file and parses it: either a table or a GError,
 * never a crash nor a read out of bounds (run under ASan or valgrind). */
static void
fuzz_bytes (const guint8 *data,
            gsize         len,
            gsize         hot_start,
            gsize         hot_len,
            guint         rounds)
{
  for (guint round = 0; round < rounds; round++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(HotpathSymbolTable) table = NULL;
      g_autoptr(GError) error = NULL;
      gsize copy_len = len;
      guint flips = g_test_rand_int_range (1, 16);

      for (guint i = 0; i < flips; i++)
        {
          gsize at;

          /* Mostly where offsets and counts live. */
          if (g_test_rand_bit () && hot_len > 0)
            at = hot_start + g_test_rand_int_range (0, hot_len);
          else
            at = g_test_rand_int_range (0, len);
          copy[at] = g_test_rand_int_range (0, 256);
        }

      if (round % 4 == 0)
        copy_len = g_test_rand_int_range (0, len);

      bytes = g_bytes_new (copy, copy_len);
      table = hotpath_symbols_table_new_for_bytes (bytes, &error);
      if (table != NULL)
        {
          g_assert_no_error (error);
          for (guint i = 0; i < 64; i++)
            hotpath_symbols_table_lookup (table, g_test_rand_int_range (0, 0x4000));
          hotpath_symbols_table_lookup (table, G_MAXUINT64);
        }
      else
        g_assert_nonnull (error);
    }
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }

  g_rmdir (dir);
}

static void
test_symbols_malformed (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *self = NULL;
  g_autoptr(GBytes) elf64 = build_fake_elf64 ();
  g_autoptr(GBytes) elf32 = build_fake_elf32 ();
  g_autoptr(GError) error = NULL;
  guint8 header[sizeof (Elf64_Ehdr)] = { 0 };
  const char garbage[] = "this is not an ELF file at all, just words";
  gsize self_len;
  Elf64_Ehdr ehdr;
  const guint8 *data;
  gsize len;

  dir = g_dir_make_tmp ("test-symbols-XXXXXX", &error);
  g_assert_no_error (error);

  assert_bad_file (dir, "missing", NULL, 0, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  assert_bad_file (dir, "empty", "", 0, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  assert_bad_file (dir, "garbage", garbage, sizeof garbage, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  assert_bad_file (dir, "magic", ELFMAG, SELFMAG, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  /* A header whose section table lies far past the end of the file. */
  memcpy (header, ELFMAG, SELFMAG);
  header[EI_CLASS] = ELFCLASS64;
  header[EI_DATA] = G_BYTE_ORDER == G_LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB;
  memcpy (&ehdr, header, sizeof ehdr);
  ehdr.e_shoff = G_MAXUINT64 - 8;
  ehdr.e_shentsize = sizeof (Elf64_Shdr);
  ehdr.e_shnum = 30;
  memcpy (header, &ehdr, sizeof ehdr);
  assert_bad_file (dir, "far-sections", header, sizeof header, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  /* This very program, cut short: the section headers are at the end. */
  g_file_get_contents ("/proc/self/exe", &self, &self_len, &error);
  g_assert_no_error (error);
  assert_bad_file (dir, "truncated-64", self, 64, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  assert_bad_file (dir, "truncated-half", self, self_len / 2, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  assert_bad_file (dir, "truncated-one", self, self_len - 1, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  /* Section headers and symbols of the small files are all "hot". */
  data = g_bytes_get_data (elf64, &len);
  fuzz_bytes (data, len, 0, len, 2000);
  data = g_bytes_get_data (elf32, &len);
  fuzz_bytes (data, len, 0, len, 2000);

  /* The real program: aim at the ELF and section headers. */
  memcpy (&ehdr, self, sizeof ehdr);
  g_assert_cmpuint (ehdr.e_shoff, <, self_len);
  fuzz_bytes ((const guint8 *) self, self_len, 0, sizeof ehdr, 20);
  fuzz_bytes ((const guint8 *) self, self_len, ehdr.e_shoff, self_len - ehdr.e_shoff, 60);

  remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  program_basename = g_path_get_basename (argv[0]);

  g_test_add_func ("/Hotpath/Symbols/static", test_symbols_static);
  g_test_add_func ("/Hotpath/Symbols/public", test_symbols_public);
  g_test_add_func ("/Hotpath/Symbols/middle", test_symbols_middle);
  g_test_add_func ("/Hotpath/Symbols/library", test_symbols_library);
  g_test_add_func ("/Hotpath/Symbols/nowhere", test_symbols_nowhere);
  g_test_add_func ("/Hotpath/Symbols/threads", test_symbols_threads);
  g_test_add_func ("/Hotpath/Symbols/table-rules", test_symbols_table_rules);
  g_test_add_func ("/Hotpath/Symbols/self", test_symbols_self);
  g_test_add_func ("/Hotpath/Symbols/malformed", test_symbols_malformed);

  ret = g_test_run ();
  g_free (program_basename);

  return ret;
}
