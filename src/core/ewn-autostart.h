/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char    *ewn_autostart_path (void);
gboolean ewn_autostart_set (gboolean enabled,
                            GError **error);

G_END_DECLS
