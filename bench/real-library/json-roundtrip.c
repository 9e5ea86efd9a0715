/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json-roundtrip: parses a JSON file with cJSON and prints it back, a few
 * times over; the output (printed once) must be the same whatever the
 * profiler does. No profiling code here: bench/real-library/run.py builds
 * it plain, with the measure-all flags and with -pg for uftrace.
 *
 *   json-roundtrip FILE ITERATIONS [parse-only]
 *
 * parse-only parses and frees without printing: the benchmark takes the
 * plain program's parse:print split from it.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cjson/cJSON.h"

static char *
read_file (const char *path)
{
  FILE *file = fopen (path, "rb");
  char *text;
  long size;

  if (file == NULL || fseek (file, 0, SEEK_END) != 0 || (size = ftell (file)) < 0)
    return NULL;
  rewind (file);
  text = malloc ((size_t) size + 1);
  if (text == NULL || fread (text, 1, (size_t) size, file) != (size_t) size)
    return NULL;
  text[size] = '\0';
  fclose (file);

  return text;
}

int
main (int   argc,
      char *argv[])
{
  char *text;
  int iterations;
  int parse_only;

  if (argc < 3 || argc > 4 || (text = read_file (argv[1])) == NULL || (iterations = atoi (argv[2])) < 1)
    {
      fprintf (stderr, "usage: json-roundtrip FILE ITERATIONS [parse-only]\n");
      return 2;
    }
  parse_only = argc == 4 && strcmp (argv[3], "parse-only") == 0;

  for (int i = 0; i < iterations; i++)
    {
      cJSON *root = cJSON_Parse (text);
      char *printed;

      if (root == NULL)
        {
          fprintf (stderr, "json-roundtrip: parse error near byte %ld\n",
                   (long) (cJSON_GetErrorPtr () - text));
          return 1;
        }

      if (parse_only)
        {
          cJSON_Delete (root);
          continue;
        }

      printed = cJSON_Print (root);
      if (i == 0)
        fputs (printed, stdout);
      free (printed);
      cJSON_Delete (root);
    }

  free (text);
  return 0;
}
