/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ewn-application.h"
#include "ewn-watch.h"

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The headless mode must not touch the display, so it never creates the GTK application. */
  if (ewn_watch_requested (argc, argv))
    return ewn_watch_main (argc, argv);

  return ewn_application_run (argc, argv);
}
