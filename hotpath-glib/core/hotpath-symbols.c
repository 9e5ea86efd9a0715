/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#ifndef _GNU_SOURCE
# define _GNU_SOURCE /* dladdr, dl_iterate_phdr */
#endif

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#ifdef HAVE_LZMA_H
# include <lzma.h>
#endif

#include "hotpath-symbols-private.h"

#define MAX_BUILD_ID    64
#define DEBUG_ID_DIR    "/usr/lib/debug/.build-id"
/* How far back a lookup walks past symbols without a size looking for a
 * sized function that contains the address. */
#define MAX_UNSIZED_WALK 16

typedef struct
{
  guint64 start;
  guint64 end;    /* exclusive; guessed for symbols without a size */
  gsize   name;   /* offset into the string table */
  guint8  rank;   /* which of several names at one address to show */
  guint8  sized;
} HotpathSymbol;

struct _HotpathSymbolTable
{
  GBytes        *bytes;   /* keeps the mapping, hence the names, alive */
  const char    *strtab;
  gsize          strtab_len;
  HotpathSymbol *symbols;
  gsize          n_symbols;
  guint8         build_id[MAX_BUILD_ID];
  gsize          build_id_len;
  guint          full : 1;   /* from .symtab, not only .dynsym */
  guint64        debugdata_offset;   /* .gnu_debugdata (MiniDebugInfo), if size > 0 */
  guint64        debugdata_size;
  HotpathSymbolTable *fallback;      /* looked up when this one has no name */
};

/* The parts of the ELF headers we use, widened so that one parser reads
 * both classes. The file is only ever read through memcpy() into these:
 * offsets in a damaged file need not be aligned. */
typedef struct
{
  const guint8 *data;
  gsize         len;
  gboolean      is_64;
  guint16       machine;
  guint64       shoff;
  gsize         shentsize;
  gsize         shnum;
  gsize         shstrndx;
} ElfFile;

typedef struct
{
  guint32 type;
  guint64 flags;
  guint64 addr;
  guint64 offset;
  guint64 size;
  guint32 link;
  guint64 addralign;
  guint64 entsize;
} ElfSection;

typedef struct
{
  guint32 name;
  guint8  info;
  guint16 shndx;
  guint64 value;
  guint64 size;
} ElfSym;

static const HotpathSymbol *table_lookup_symbol (HotpathSymbolTable *self,
                                                 guint64             file_address);

static GMutex      cache_mutex;
static GHashTable *cache;   /* path → HotpathSymbolTable, NULL if unreadable */

static inline gboolean
range_ok (gsize   len,
          guint64 offset,
          guint64 size)
{
  return offset <= len && size <= len - offset;
}

static gboolean
set_invalid (GError     **error,
             const char  *message)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, message);
  return FALSE;
}

static void
elf_file_get_section (const ElfFile *elf,
                      gsize          index,
                      ElfSection    *out)
{
  /* elf_file_init() checked that all shnum headers are inside the file. */
  const guint8 *p = elf->data + elf->shoff + index * elf->shentsize;

  if (elf->is_64)
    {
      Elf64_Shdr s;

      memcpy (&s, p, sizeof s);
      out->type = s.sh_type;
      out->flags = s.sh_flags;
      out->addr = s.sh_addr;
      out->offset = s.sh_offset;
      out->size = s.sh_size;
      out->link = s.sh_link;
      out->addralign = s.sh_addralign;
      out->entsize = s.sh_entsize;
    }
  else
    {
      Elf32_Shdr s;

      memcpy (&s, p, sizeof s);
      out->type = s.sh_type;
      out->flags = s.sh_flags;
      out->addr = s.sh_addr;
      out->offset = s.sh_offset;
      out->size = s.sh_size;
      out->link = s.sh_link;
      out->addralign = s.sh_addralign;
      out->entsize = s.sh_entsize;
    }
}

static void
elf_file_get_sym (const ElfFile *elf,
                  const guint8  *p,
                  ElfSym        *out)
{
  if (elf->is_64)
    {
      Elf64_Sym s;

      memcpy (&s, p, sizeof s);
      out->name = s.st_name;
      out->info = s.st_info;
      out->shndx = s.st_shndx;
      out->value = s.st_value;
      out->size = s.st_size;
    }
  else
    {
      Elf32_Sym s;

      memcpy (&s, p, sizeof s);
      out->name = s.st_name;
      out->info = s.st_info;
      out->shndx = s.st_shndx;
      out->value = s.st_value;
      out->size = s.st_size;
    }
}

static gboolean
elf_file_init (ElfFile       *elf,
               const guint8  *data,
               gsize          len,
               GError       **error)
{
  const guint8 native = G_BYTE_ORDER == G_LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB;
  gsize min_shentsize;

  memset (elf, 0, sizeof *elf);
  elf->data = data;
  elf->len = len;

  if (data == NULL || len < EI_NIDENT || memcmp (data, ELFMAG, SELFMAG) != 0)
    return set_invalid (error, "Not an ELF file");

  /* Only objects this process could have loaded matter. */
  if (data[EI_DATA] != native)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "ELF file of foreign byte order");
      return FALSE;
    }

  if (data[EI_CLASS] == ELFCLASS64)
    {
      Elf64_Ehdr h;

      if (len < sizeof h)
        return set_invalid (error, "Truncated ELF header");
      memcpy (&h, data, sizeof h);
      elf->is_64 = TRUE;
      elf->machine = h.e_machine;
      elf->shoff = h.e_shoff;
      elf->shentsize = h.e_shentsize;
      elf->shnum = h.e_shnum;
      elf->shstrndx = h.e_shstrndx;
      min_shentsize = sizeof (Elf64_Shdr);
    }
  else if (data[EI_CLASS] == ELFCLASS32)
    {
      Elf32_Ehdr h;

      if (len < sizeof h)
        return set_invalid (error, "Truncated ELF header");
      memcpy (&h, data, sizeof h);
      elf->is_64 = FALSE;
      elf->machine = h.e_machine;
      elf->shoff = h.e_shoff;
      elf->shentsize = h.e_shentsize;
      elf->shnum = h.e_shnum;
      elf->shstrndx = h.e_shstrndx;
      min_shentsize = sizeof (Elf32_Shdr);
    }
  else
    return set_invalid (error, "Unknown ELF class");

  if (elf->shoff == 0)
    {
      /* No section headers (sstrip): nothing to read, not an error. */
      elf->shnum = 0;
      return TRUE;
    }

  if (elf->shentsize < min_shentsize || !range_ok (len, elf->shoff, elf->shentsize))
    return set_invalid (error, "Bad ELF section header table");

  if (elf->shnum == 0)
    {
      ElfSection first;

      /* More than SHN_LORESERVE sections: the count is in section 0. */
      elf->shnum = 1;
      elf_file_get_section (elf, 0, &first);
      if (first.size > G_MAXSIZE)
        return set_invalid (error, "Bad ELF section count");
      elf->shnum = first.size;
    }

  if (elf->shnum > (len - elf->shoff) / elf->shentsize)
    return set_invalid (error, "ELF section header table past end of file");

  return TRUE;
}

/* Whether section @index is called @name, all offsets checked. */
static gboolean
section_name_is (const ElfFile    *elf,
                 const ElfSection *shstrtab,
                 const guint8     *shstr_data,
                 gsize             index,
                 const char       *name)
{
  const guint8 *p = elf->data + elf->shoff + index * elf->shentsize;
  gsize len = strlen (name) + 1;
  guint32 offset;

  /* sh_name is the first field in both classes. */
  memcpy (&offset, p, sizeof offset);

  return offset < shstrtab->size && len <= shstrtab->size - offset &&
         memcmp (shstr_data + offset, name, len) == 0;
}

/* Returns the bytes of @section, or NULL if it has none in the file. */
static const guint8 *
elf_file_section_data (const ElfFile    *elf,
                       const ElfSection *section)
{
  if (section->type == SHT_NOBITS || !range_ok (elf->len, section->offset, section->size))
    return NULL;

  return elf->data + section->offset;
}

static gsize
find_build_id_in_notes (const guint8 *notes,
                        gsize         len,
                        guint64       align,
                        guint8       *out)
{
  gsize pos = 0;

  align = align == 8 ? 8 : 4;

  while (len - pos >= 12)
    {
      guint32 namesz, descsz, type;
      guint64 padded;
      gsize name_pos, desc_pos;

      memcpy (&namesz, notes + pos, 4);
      memcpy (&descsz, notes + pos + 4, 4);
      memcpy (&type, notes + pos + 8, 4);
      pos += 12;

      name_pos = pos;
      padded = ((guint64) namesz + align - 1) & ~(align - 1);
      if (padded > len - pos)
        break;
      pos += padded;

      desc_pos = pos;
      if (descsz > len - pos)
        break;

      if (type == NT_GNU_BUILD_ID &&
          namesz == 4 && memcmp (notes + name_pos, "GNU", 4) == 0 &&
          descsz > 0 && descsz <= MAX_BUILD_ID)
        {
          memcpy (out, notes + desc_pos, descsz);
          return descsz;
        }

      padded = ((guint64) descsz + align - 1) & ~(align - 1);
      if (padded > len - pos)
        break;
      pos += padded;
    }

  return 0;
}

static guint8
binding_rank (guint8 binding)
{
  switch (binding)
    {
    case STB_GLOBAL:
    case STB_GNU_UNIQUE:
      return 3;
    case STB_WEAK:
      return 2;
    default:
      return 1;
    }
}

static int
compare_symbols (const void *a,
                 const void *b)
{
  const HotpathSymbol *sa = a;
  const HotpathSymbol *sb = b;

  if (sa->start != sb->start)
    return sa->start < sb->start ? -1 : 1;
  /* Best name first among aliases of one address. */
  if (sa->rank != sb->rank)
    return sa->rank > sb->rank ? -1 : 1;
  if (sa->sized != sb->sized)
    return sa->sized > sb->sized ? -1 : 1;
  if (sa->name != sb->name)
    return sa->name < sb->name ? -1 : 1;
  return 0;
}

/* Keeps one entry per address, then gives symbols without a size an end:
 * the next symbol, and never past the end of their section. */
static gsize
finish_symbols (HotpathSymbol *symbols,
                gsize          n_symbols)
{
  gsize n = 0;

  qsort (symbols, n_symbols, sizeof *symbols, compare_symbols);

  for (gsize i = 0; i < n_symbols; i++)
    {
      if (n > 0 && symbols[n - 1].start == symbols[i].start)
        {
          HotpathSymbol *kept = &symbols[n - 1];

          if (symbols[i].sized && (!kept->sized || symbols[i].end > kept->end))
            {
              kept->end = symbols[i].end;
              kept->sized = TRUE;
            }
          continue;
        }

      symbols[n++] = symbols[i];
    }

  for (gsize i = 0; i < n; i++)
    {
      HotpathSymbol *sym = &symbols[i];
      guint64 end = sym->end;   /* end of its section, or 0 */

      if (sym->sized)
        continue;

      if (i + 1 < n && (end == 0 || symbols[i + 1].start < end))
        end = symbols[i + 1].start;
      if (end <= sym->start)
        end = sym->start == G_MAXUINT64 ? sym->start : sym->start + 1;
      sym->end = end;
    }

  return n;
}

/**
 * hotpath_symbols_table_new_for_bytes:
 * @bytes: the contents of an ELF file
 * @error: return location for a #GError
 *
 * Parses the function symbols of an ELF file: .symtab, else .dynsym. Every
 * offset is checked against the size of @bytes, so any input is safe.
 *
 * Returns: (transfer full): a table, keeping a reference on @bytes
 */
HotpathSymbolTable *
hotpath_symbols_table_new_for_bytes (GBytes  *bytes,
                                     GError **error)
{
  g_autoptr(HotpathSymbolTable) self = NULL;
  ElfFile elf;
  ElfSection symtab = { 0 };
  ElfSection dynsym = { 0 };
  ElfSection strtab;
  ElfSection shstrtab = { 0 };
  const guint8 *shstr_data = NULL;
  const ElfSection *syms;
  gboolean have_symtab = FALSE;
  gboolean have_dynsym = FALSE;
  const guint8 *data;
  const guint8 *sym_data;
  const guint8 *str_data;
  gsize len;
  gsize sym_size;
  guint64 entsize;
  guint64 count;
  gsize n = 0;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (!elf_file_init (&elf, data, len, error))
    return NULL;

  self = g_new0 (HotpathSymbolTable, 1);
  self->bytes = g_bytes_ref (bytes);

  if (elf.shstrndx < elf.shnum)
    {
      elf_file_get_section (&elf, elf.shstrndx, &shstrtab);
      shstr_data = elf_file_section_data (&elf, &shstrtab);
    }

  for (gsize i = 0; i < elf.shnum; i++)
    {
      ElfSection section;

      elf_file_get_section (&elf, i, &section);

      if (section.type == SHT_PROGBITS && shstr_data != NULL &&
          section_name_is (&elf, &shstrtab, shstr_data, i, ".gnu_debugdata") &&
          elf_file_section_data (&elf, &section) != NULL)
        {
          self->debugdata_offset = section.offset;
          self->debugdata_size = section.size;
        }
      else if (section.type == SHT_SYMTAB && !have_symtab)
        {
          symtab = section;
          have_symtab = TRUE;
        }
      else if (section.type == SHT_DYNSYM && !have_dynsym)
        {
          dynsym = section;
          have_dynsym = TRUE;
        }
      else if (section.type == SHT_NOTE && self->build_id_len == 0)
        {
          const guint8 *notes = elf_file_section_data (&elf, &section);

          if (notes != NULL)
            self->build_id_len = find_build_id_in_notes (notes, section.size,
                                                         section.addralign,
                                                         self->build_id);
        }
    }

  if (!have_symtab && !have_dynsym)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "No symbol table");
      return NULL;
    }

  syms = have_symtab ? &symtab : &dynsym;
  self->full = have_symtab;

  if (syms->link >= elf.shnum)
    {
      set_invalid (error, "Bad ELF string table index");
      return NULL;
    }
  elf_file_get_section (&elf, syms->link, &strtab);

  if ((syms->flags & SHF_COMPRESSED) || (strtab.flags & SHF_COMPRESSED))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Compressed symbol table");
      return NULL;
    }

  sym_size = elf.is_64 ? sizeof (Elf64_Sym) : sizeof (Elf32_Sym);
  entsize = syms->entsize != 0 ? syms->entsize : sym_size;
  sym_data = elf_file_section_data (&elf, syms);
  str_data = elf_file_section_data (&elf, &strtab);

  if (entsize < sym_size || sym_data == NULL)
    {
      set_invalid (error, "Bad ELF symbol table");
      return NULL;
    }
  if (strtab.type != SHT_STRTAB || str_data == NULL)
    {
      set_invalid (error, "Bad ELF string table");
      return NULL;
    }

  self->strtab = (const char *) str_data;
  self->strtab_len = strtab.size;

  /* Bounded by the file size, as the section was range-checked. */
  count = syms->size / entsize;
  self->symbols = g_new (HotpathSymbol, MAX (count, 1));

  for (guint64 i = 0; i < count; i++)
    {
      HotpathSymbol *out = &self->symbols[n];
      const char *name;
      ElfSym sym;

      elf_file_get_sym (&elf, sym_data + i * entsize, &sym);

      if (ELF64_ST_TYPE (sym.info) != STT_FUNC || sym.shndx == SHN_UNDEF)
        continue;
      if (sym.name == 0 || sym.name >= self->strtab_len)
        continue;

      name = self->strtab + sym.name;
      if (name[0] == '\0' || memchr (name, '\0', self->strtab_len - sym.name) == NULL)
        continue;

      /* The low bit of an ARM function address selects Thumb code. */
      if (elf.machine == EM_ARM)
        sym.value &= ~(guint64) 1;
      if (sym.value == 0)
        continue;

      out->start = sym.value;
      out->name = sym.name;
      out->rank = binding_rank (ELF64_ST_BIND (sym.info)) * 2 + (name[0] != '_');
      out->sized = sym.size > 0;

      if (out->sized)
        {
          out->end = sym.value + sym.size;
          if (out->end < sym.value)
            out->end = G_MAXUINT64;
        }
      else
        {
          out->end = 0;

          /* Remember where its section ends to bound the guess. */
          if (sym.shndx < SHN_LORESERVE && sym.shndx < elf.shnum)
            {
              ElfSection section;

              elf_file_get_section (&elf, sym.shndx, &section);
              if (sym.value >= section.addr && sym.value - section.addr < section.size)
                out->end = section.addr + section.size;
            }
        }

      n++;
    }

  self->n_symbols = finish_symbols (self->symbols, n);

  return g_steal_pointer (&self);
}

/**
 * hotpath_symbols_table_new_for_file:
 * @path: an ELF file
 * @error: return location for a #GError
 *
 * Maps @path read-only and parses it with
 * hotpath_symbols_table_new_for_bytes(). The table keeps the mapping.
 *
 * Returns: (transfer full): a table, or %NULL with @error set
 */
HotpathSymbolTable *
hotpath_symbols_table_new_for_file (const char  *path,
                                    GError     **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  HotpathSymbolTable *self;

  g_return_val_if_fail (path != NULL, NULL);

  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return NULL;

  bytes = g_mapped_file_get_bytes (mapped);
  self = hotpath_symbols_table_new_for_bytes (bytes, error);
  if (self == NULL)
    g_prefix_error (error, "%s: ", path);

  return self;
}

void
hotpath_symbols_table_free (HotpathSymbolTable *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->symbols, g_free);
  g_clear_pointer (&self->fallback, hotpath_symbols_table_free);
  g_free (self);
}

/**
 * hotpath_symbols_table_lookup:
 * @self: a table
 * @file_address: an address as the ELF file sees it
 *
 * A function whose size says it contains @file_address wins; else the
 * symbol without a size right before it, if nothing else starts between
 * them and it is in the same section.
 *
 * Returns: (nullable): the function's name, valid as long as @self
 */
const char *
hotpath_symbols_table_lookup (HotpathSymbolTable *self,
                              guint64             file_address)
{
  const HotpathSymbol *sym;

  g_return_val_if_fail (self != NULL, NULL);

  sym = table_lookup_symbol (self, file_address);

  return sym != NULL ? self->strtab + sym->name : NULL;
}

static const HotpathSymbol *
table_lookup_symbol (HotpathSymbolTable *self,
                     guint64             file_address)
{
  const HotpathSymbol *guess = NULL;
  gsize lo = 0;
  gsize hi;

  /* First symbol that starts after the address. */
  hi = self->n_symbols;
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (self->symbols[mid].start <= file_address)
        lo = mid + 1;
      else
        hi = mid;
    }

  for (gsize i = lo, steps = 0; i > 0 && steps < MAX_UNSIZED_WALK; i--, steps++)
    {
      const HotpathSymbol *sym = &self->symbols[i - 1];

      if (sym->sized)
        {
          if (file_address < sym->end)
            return sym;
          /* Sized functions do not overlap: nothing earlier can match. */
          break;
        }

      /* Unsized symbols end at the next start, so only the nearest can
       * cover the address; keep walking in case a sized one encloses it. */
      if (i == lo && file_address < sym->end)
        guess = sym;
    }

  return guess;
}

gsize
hotpath_symbols_table_get_size (HotpathSymbolTable *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_symbols;
}

/* TRUE when the table came from .symtab, so static functions are known. */
gboolean
hotpath_symbols_table_is_full (HotpathSymbolTable *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->full;
}

const guint8 *
hotpath_symbols_table_get_build_id (HotpathSymbolTable *self,
                                    gsize              *len)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (len != NULL)
    *len = self->build_id_len;

  return self->build_id_len > 0 ? self->build_id : NULL;
}

typedef struct
{
  guintptr address;
  gboolean found;
  char    *name;
  guintptr bias;
  guint8   build_id[MAX_BUILD_ID];
  gsize    build_id_len;
} ObjectInfo;

static int
find_object_cb (struct dl_phdr_info *info,
                size_t               size,
                void                *user_data)
{
  ObjectInfo *object = user_data;
  gboolean found = FALSE;

  for (guint i = 0; i < info->dlpi_phnum && !found; i++)
    {
      const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
      guintptr start = info->dlpi_addr + ph->p_vaddr;

      if (ph->p_type == PT_LOAD &&
          object->address >= start && object->address - start < ph->p_memsz)
        found = TRUE;
    }

  if (!found)
    return 0;

  object->found = TRUE;
  object->name = g_strdup (info->dlpi_name != NULL ? info->dlpi_name : "");
  object->bias = info->dlpi_addr;

  /* The build-id of the code actually loaded, to catch a file replaced on
   * disk since and to find separate debug info. Read notes only where a
   * loaded segment maps them. */
  for (guint i = 0; i < info->dlpi_phnum && object->build_id_len == 0; i++)
    {
      const ElfW(Phdr) *note = &info->dlpi_phdr[i];

      if (note->p_type != PT_NOTE)
        continue;

      for (guint j = 0; j < info->dlpi_phnum; j++)
        {
          const ElfW(Phdr) *load = &info->dlpi_phdr[j];

          if (load->p_type == PT_LOAD &&
              note->p_vaddr >= load->p_vaddr &&
              note->p_memsz <= load->p_filesz &&
              note->p_vaddr - load->p_vaddr <= load->p_filesz - note->p_memsz)
            {
              const guint8 *notes = (const guint8 *) (info->dlpi_addr + note->p_vaddr);

              object->build_id_len = find_build_id_in_notes (notes, note->p_memsz,
                                                             note->p_align,
                                                             object->build_id);
              break;
            }
        }
    }

  return 1;
}

/* Debian and Fedora install stripped objects and keep .symtab in
 * /usr/lib/debug/.build-id/xx/yyyy.debug. */
static HotpathSymbolTable *
load_debug_table (const guint8 *build_id,
                  gsize         build_id_len)
{
  g_autoptr(GString) path = NULL;
  g_autoptr(HotpathSymbolTable) table = NULL;

  if (build_id_len < 2)
    return NULL;

  path = g_string_new (DEBUG_ID_DIR "/");
  g_string_append_printf (path, "%02x/", build_id[0]);
  for (gsize i = 1; i < build_id_len; i++)
    g_string_append_printf (path, "%02x", build_id[i]);
  g_string_append (path, ".debug");

  if (!g_file_test (path->str, G_FILE_TEST_IS_REGULAR))
    return NULL;

  table = hotpath_symbols_table_new_for_file (path->str, NULL);
  if (table == NULL || !table->full)
    return NULL;

  return g_steal_pointer (&table);
}

/* MiniDebugInfo, as Fedora ships it: an xz-compressed ELF file in
 * .gnu_debugdata whose .symtab has the functions missing from .dynsym.
 * liblzma is opened only when such a section is found, so the core links
 * nothing more. */
#ifdef HAVE_LZMA_H
typedef lzma_ret (*LzmaStreamDecoder) (lzma_stream *strm, uint64_t memlimit, uint32_t flags);
typedef lzma_ret (*LzmaCode) (lzma_stream *strm, lzma_action action);
typedef void (*LzmaEnd) (lzma_stream *strm);

#define MAX_DEBUGDATA (256 * 1024 * 1024)

static GBytes *
xz_decompress (const guint8 *data,
               gsize         len)
{
  static gsize loaded;
  static LzmaStreamDecoder stream_decoder;
  static LzmaCode code;
  static LzmaEnd end;
  lzma_stream stream = LZMA_STREAM_INIT;
  g_autoptr(GByteArray) out = NULL;
  lzma_ret ret;

  if (g_once_init_enter (&loaded))
    {
      void *handle = dlopen ("liblzma.so.5", RTLD_NOW | RTLD_LOCAL);

      if (handle != NULL)
        {
          stream_decoder = (LzmaStreamDecoder) dlsym (handle, "lzma_stream_decoder");
          code = (LzmaCode) dlsym (handle, "lzma_code");
          end = (LzmaEnd) dlsym (handle, "lzma_end");
        }
      g_once_init_leave (&loaded, 1);
    }

  if (stream_decoder == NULL || code == NULL || end == NULL)
    return NULL;

  if (stream_decoder (&stream, UINT64_MAX, 0) != LZMA_OK)
    return NULL;

  out = g_byte_array_sized_new (MIN (len * 4, MAX_DEBUGDATA));
  stream.next_in = data;
  stream.avail_in = len;

  do
    {
      guint8 buffer[65536];

      stream.next_out = buffer;
      stream.avail_out = sizeof buffer;
      ret = code (&stream, LZMA_FINISH);
      g_byte_array_append (out, buffer, sizeof buffer - stream.avail_out);
      if (out->len > MAX_DEBUGDATA)
        ret = LZMA_MEM_ERROR;
    }
  while (ret == LZMA_OK);

  end (&stream);

  if (ret != LZMA_STREAM_END)
    return NULL;

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
#endif

static HotpathSymbolTable *
load_mini_debuginfo (HotpathSymbolTable *table)
{
#ifdef HAVE_LZMA_H
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(HotpathSymbolTable) mini = NULL;
  const guint8 *data;
  gsize len;

  if (table == NULL || table->debugdata_size == 0)
    return NULL;

  data = g_bytes_get_data (table->bytes, &len);
  if (!range_ok (len, table->debugdata_offset, table->debugdata_size))
    return NULL;

  bytes = xz_decompress (data + table->debugdata_offset, table->debugdata_size);
  if (bytes == NULL)
    return NULL;

  mini = hotpath_symbols_table_new_for_bytes (bytes, NULL);
  if (mini == NULL || !mini->full)
    return NULL;

  /* The mini file names what .dynsym does not: ask both. Its own
   * build-id is empty; the loaded object's is checked against table's. */
  memcpy (mini->build_id, table->build_id, table->build_id_len);
  mini->build_id_len = table->build_id_len;
  mini->fallback = table;
  return g_steal_pointer (&mini);
#else
  return NULL;
#endif
}

static HotpathSymbolTable *
load_table (const char       *path,
            const ObjectInfo *object)
{
  g_autoptr(HotpathSymbolTable) table = NULL;
  g_autoptr(GError) error = NULL;
  HotpathSymbolTable *debug_table;

  table = hotpath_symbols_table_new_for_file (path, &error);
  if (table != NULL && table->full)
    return g_steal_pointer (&table);

  if (error != NULL)
    g_debug ("No symbols from %s: %s", path, error->message);

  /* Prefer the loaded code's build-id: it names the right debug file even
   * if the file on disk was replaced. */
  if (object->build_id_len > 0)
    debug_table = load_debug_table (object->build_id, object->build_id_len);
  else if (table != NULL)
    debug_table = load_debug_table (table->build_id, table->build_id_len);
  else
    debug_table = NULL;

  if (debug_table != NULL)
    return debug_table;

  if (table != NULL && table->debugdata_size > 0)
    {
      HotpathSymbolTable *mini = load_mini_debuginfo (table);

      if (mini != NULL)
        {
          g_steal_pointer (&table);   /* now mini's fallback */
          return mini;
        }
    }

  return g_steal_pointer (&table);
}

static char *
main_program_basename (void)
{
  g_autofree char *target = g_file_read_link ("/proc/self/exe", NULL);

  if (target == NULL)
    return g_strdup (g_get_prgname ());

  if (g_str_has_suffix (target, " (deleted)"))
    target[strlen (target) - strlen (" (deleted)")] = '\0';

  return g_path_get_basename (target);
}

static char *
module_stem (const char *basename)
{
  char *stem = g_strdup (basename);
  char *dot = strrchr (stem, '.');

  if (dot != NULL && dot != stem)
    *dot = '\0';

  return stem;
}

/**
 * hotpath_symbols_describe:
 * @address: a code address in this process
 * @info: (out caller-allocates): what is known; clear with
 *   hotpath_symbols_info_clear()
 *
 * Names the function containing @address, static functions and those of
 * an executable built without -rdynamic included: from the object's
 * .symtab, else its separate debug file (by build-id), else its
 * MiniDebugInfo (.gnu_debugdata), else its .dynsym. Thread-safe; the first
 * lookup in an object reads its symbols from disk, so keep it off the hot
 * path. The module and offset are set whenever @address is in a loaded
 * object, even if no name is known.
 *
 * Returns: %TRUE if @address is in a loaded object
 */
gboolean
hotpath_symbols_describe (gconstpointer      address,
                          HotpathSymbolInfo *info)
{
  ObjectInfo object = { .address = (guintptr) address };
  HotpathSymbolTable *table = NULL;
  const char *path;
  gboolean is_main;

  memset (info, 0, sizeof *info);

  if (address == NULL)
    return FALSE;

  /* Unlike dladdr(), this gives the load bias (right for PIE, non-PIE and
   * prelinked objects alike) and only matches addresses inside a segment. */
  dl_iterate_phdr (find_object_cb, &object);
  if (!object.found)
    return FALSE;

  /* The main program has an empty name; /proc/self/exe opens the very file
   * that was executed, whatever the working directory or argv[0]. */
  is_main = object.name[0] == '\0';
  path = is_main ? "/proc/self/exe" : object.name;
  info->offset = (guint64) (object.address - object.bias);

  g_mutex_lock (&cache_mutex);

  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) hotpath_symbols_table_free);

  if (!g_hash_table_lookup_extended (cache, path, NULL, (gpointer *) &table))
    {
      table = load_table (path, &object);
      g_hash_table_insert (cache, g_strdup (path), table);
    }

  /* A different build-id means the file on disk is not what is loaded. */
  if (table != NULL &&
      (object.build_id_len == 0 || table->build_id_len == 0 ||
       (object.build_id_len == table->build_id_len &&
        memcmp (object.build_id, table->build_id, table->build_id_len) == 0)))
    {
      for (HotpathSymbolTable *t = table; t != NULL && info->symbol == NULL; t = t->fallback)
        {
          const HotpathSymbol *sym = table_lookup_symbol (t, info->offset);

          if (sym != NULL)
            {
              info->symbol = g_strdup (t->strtab + sym->name);
              info->size = sym->sized ? sym->end - sym->start : 0;
            }
        }
    }

  g_mutex_unlock (&cache_mutex);

  if (info->symbol == NULL)
    {
      Dl_info dl;

      /* The vDSO, or an object whose file is gone or replaced. */
      if (dladdr (address, &dl) != 0 && dl.dli_sname != NULL && dl.dli_saddr != NULL)
        info->symbol = g_strdup (dl.dli_sname);
    }

  if (is_main)
    {
      g_autofree char *basename = main_program_basename ();

      info->module = module_stem (basename);
    }
  else
    {
      g_autofree char *basename = g_path_get_basename (path);

      info->module = module_stem (basename);
    }

  g_free (object.name);

  return TRUE;
}

/**
 * hotpath_symbols_info_to_name:
 * @info: what hotpath_symbols_describe() found
 *
 * Returns: (transfer full): `module::symbol`; `module+0xOFFSET` when no
 *   symbol is known (the same in every run, and what `addr2line -e` takes);
 *   or the bare address outside any object
 */
char *
hotpath_symbols_info_to_name (const HotpathSymbolInfo *info)
{
  if (info->module != NULL && info->symbol != NULL)
    return g_strdup_printf ("%s::%s", info->module, info->symbol);
  if (info->module != NULL)
    return g_strdup_printf ("%s+0x%" G_GINT64_MODIFIER "x", info->module, info->offset);
  if (info->symbol != NULL)
    return g_strdup (info->symbol);
  return g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", info->offset);
}

void
hotpath_symbols_info_clear (HotpathSymbolInfo *info)
{
  g_clear_pointer (&info->symbol, g_free);
  g_clear_pointer (&info->module, g_free);
}

/**
 * hotpath_symbols_resolve:
 * @address: a code address in this process
 * @file_out: (out) (optional): the basename of the object holding @address
 *
 * Like hotpath_symbols_describe(), for the name alone.
 *
 * Returns: (transfer full) (nullable): the function name
 */
char *
hotpath_symbols_resolve (gconstpointer   address,
                         char          **file_out)
{
  ObjectInfo object = { .address = (guintptr) address };
  HotpathSymbolInfo info;

  if (file_out != NULL)
    *file_out = NULL;

  if (!hotpath_symbols_describe (address, &info))
    return NULL;

  if (file_out != NULL)
    {
      dl_iterate_phdr (find_object_cb, &object);
      if (object.found && object.name[0] != '\0')
        *file_out = g_path_get_basename (object.name);
      else if (object.found)
        *file_out = main_program_basename ();
      g_free (object.name);
    }

  g_clear_pointer (&info.module, g_free);
  return info.symbol;
}

/**
 * hotpath_symbols_clear_cache:
 *
 * Drops every parsed symbol table and its mapping, for the tests and after
 * objects were unloaded.
 */
void
hotpath_symbols_clear_cache (void)
{
  g_mutex_lock (&cache_mutex);
  g_clear_pointer (&cache, g_hash_table_unref);
  g_mutex_unlock (&cache_mutex);
}
