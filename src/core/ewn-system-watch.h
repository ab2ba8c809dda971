/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * EwnSystemWatch:
 *
 * Tells when the machine goes to sleep, wakes up, loses or regains the network:
 * the moments when a streaming connection is silently dead and must be reopened.
 */
#define EWN_TYPE_SYSTEM_WATCH (ewn_system_watch_get_type ())
G_DECLARE_FINAL_TYPE (EwnSystemWatch, ewn_system_watch, EWN, SYSTEM_WATCH, GObject)

EwnSystemWatch *ewn_system_watch_get_default (void);
EwnSystemWatch *ewn_system_watch_new (GNetworkMonitor *monitor,
                                      GDBusConnection *system_bus);
gboolean        ewn_system_watch_get_online (EwnSystemWatch *self);

G_END_DECLS
