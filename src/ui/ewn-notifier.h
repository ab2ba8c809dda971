/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

#include "ewn-history.h"

G_BEGIN_DECLS

#define EWN_TYPE_NOTIFIER (ewn_notifier_get_type ())
G_DECLARE_FINAL_TYPE (EwnNotifier, ewn_notifier, EWN, NOTIFIER, GObject)

EwnNotifier     *ewn_notifier_new (GApplication *application,
                                   GSettings    *settings);
void             ewn_notifier_show (EwnNotifier     *self,
                                    EwnHistoryEntry *entry,
                                    gboolean         name_mailbox,
                                    gboolean         has_web_link);
gboolean         ewn_notifier_get_suppressed (EwnNotifier *self,
                                              GDateTime   *now);
void             ewn_notifier_close_all (EwnNotifier *self);
EwnHistoryEntry *ewn_notifier_lookup_entry (EwnNotifier *self,
                                            guint        id);

G_END_DECLS
