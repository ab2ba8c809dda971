/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include "ewn-watch.h"

gboolean
ewn_watch_requested (int          argc,
                     char *const *argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--watch"))
      return TRUE;
  return FALSE;
}

int
ewn_watch_main (int    argc,
                char **argv)
{
  return 1;
}
