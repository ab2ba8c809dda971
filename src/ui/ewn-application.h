/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EWN_TYPE_APPLICATION (ewn_application_get_type ())
G_DECLARE_FINAL_TYPE (EwnApplication, ewn_application, EWN, APPLICATION, GtkApplication)

EwnApplication *ewn_application_new (void);
int             ewn_application_run (int    argc,
                                     char **argv);

G_END_DECLS
