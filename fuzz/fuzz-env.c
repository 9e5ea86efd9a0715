/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-env: HOTPATH_* values through every reader in core/hotpath-env.c,
 * and the input as a variable name for the unknown-variable warning.
 * Readers accept or refuse with one line on stderr; never more.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "hotpath-env-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const choices[] = { "table", "json", "json-pretty", "none", NULL };
  g_autofree char *value = g_strndup ((const char *) data, size);   /* stops at a NUL */
  g_autofree char *name = g_strconcat ("HOTPATH_", value, NULL);
  g_autoptr(GArray) percentiles = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { name, NULL };
  guint number = 7;
  gboolean flag = FALSE;
  int choice;

  /* Values with '=' cannot be set; the rest can. */
  if (strchr (value, '=') == NULL)
    {
      g_setenv ("HOTPATH_FUZZ_VALUE", value, TRUE);
      if (hotpath_env_get_uint ("HOTPATH_FUZZ_VALUE", 1000, &number))
        g_assert (number <= 1000);
      choice = hotpath_env_get_choice ("HOTPATH_FUZZ_VALUE", choices, -1);
      g_assert (choice >= -1 && choice < 4);
      hotpath_env_get_flag ("HOTPATH_FUZZ_VALUE", &flag);
      if (hotpath_env_get_percentiles ("HOTPATH_FUZZ_VALUE", &percentiles))
        {
          g_assert (percentiles->len > 0);
          for (guint i = 0; i < percentiles->len; i++)
            {
              double p = g_array_index (percentiles, double, i);

              g_assert (p >= 0 && p <= 100);
              g_assert (i == 0 || p > g_array_index (percentiles, double, i - 1));
            }
        }
    }

  if (strchr (name, '=') == NULL)
    {
      g_free (hotpath_env_suggest (name));
      hotpath_env_warn_unknown_in (names);
    }

  return 0;
}
