/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "hotpath-cli.h"
int
hotpath_cli_list (int argc, char **argv)
{
  return 2;
}
int
hotpath_cli_show (int argc, char **argv)
{
  return 2;
}
