/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include "ewn-application.h"

struct _EwnApplication
{
  GtkApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (EwnApplication, ewn_application, GTK_TYPE_APPLICATION)

static void
ewn_application_class_init (EwnApplicationClass *klass)
{
}

static void
ewn_application_init (EwnApplication *self)
{
}

EwnApplication *
ewn_application_new (void)
{
  return g_object_new (EWN_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

int
ewn_application_run (int    argc,
                     char **argv)
{
  g_autoptr (EwnApplication) app = ewn_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
