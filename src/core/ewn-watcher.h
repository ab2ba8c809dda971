/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib-object.h>

#include "ewn-change.h"

G_BEGIN_DECLS

#define EWN_TYPE_WATCHER (ewn_watcher_get_type ())
G_DECLARE_FINAL_TYPE (EwnWatcher, ewn_watcher, EWN, WATCHER, GObject)

EwnWatcher *ewn_watcher_new (const char        *url,
                             const char        *username,
                             const char        *password,
                             const char *const *extra_mailboxes);
void        ewn_watcher_set_trace (EwnWatcher *self,
                                   gboolean    trace);
void        ewn_watcher_start (EwnWatcher *self);
void        ewn_watcher_stop (EwnWatcher *self);
gboolean    ewn_watcher_get_running (EwnWatcher *self);
const char *ewn_watcher_get_status (EwnWatcher *self);
int         ewn_watcher_get_exit_status (EwnWatcher *self);

G_END_DECLS
