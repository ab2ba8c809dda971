/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean ewn_watch_requested (int          argc,
                              char *const *argv);
int      ewn_watch_main (int    argc,
                         char **argv);

G_END_DECLS
