/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include "ewn-account-list.h"
#include "ewn-application.h"
#include "ewn-history.h"
#include "ewn-notifier.h"
#include "ewn-preferences-window.h"
#include "ewn-tray.h"

G_BEGIN_DECLS

struct _EwnApplication
{
  GtkApplication  parent_instance;

  GSettings      *settings;
  EwnAccountList *accounts;
  EwnHistory     *history;
  EwnNotifier    *notifier;
  EwnTray        *tray;
  gboolean        activated;
  gboolean        open_preferences; /* --preferences on the first launch */
  gboolean        quitting;
  guint           stops_pending;
  guint           quit_timeout_id;
  guint           sigint_id;
  guint           sigterm_id;
  guint           save_history_id;
  GThreadPool    *history_writer; /* one thread: the writes land in order */
  char           *history_path;

  /* A temporary account from the command line (not saved). */
  char           *server;
  char           *user;
  char           *password;
  char           *ca_file;
  GStrv           mailboxes;
};

void                  ewn_application_add_actions (EwnApplication *self);
EwnPreferencesWindow *ewn_application_present_preferences (EwnApplication *self);

G_END_DECLS
