/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char *bench_home_new (GSubprocessLauncher *launcher,
                      GError             **error);
void  bench_home_remove (char *home);

G_END_DECLS
