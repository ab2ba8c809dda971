/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _EwnNotifyThread EwnNotifyThread;

/* How many of the latest single notifications stay clickable, at most. */
#define EWN_NOTIFY_THREAD_MAX_KEPT 256

/**
 * EwnNotifyActionFunc:
 * @owner: the object given to ewn_notify_thread_new()
 * @entry_id: the change's id in the history; 0 for the summary
 * @action: the action's name ("default", "open-in-browser", …)
 * @activation_token: (nullable): what the notification server gave for the
 *   window the click opens to get the focus (an X11 startup id, or a Wayland
 *   xdg-activation token)
 *
 * A click on a notification, delivered on the main context of the thread that
 * created the #EwnNotifyThread.
 */
typedef void (*EwnNotifyActionFunc) (GObject    *owner,
                                     guint       entry_id,
                                     const char *action,
                                     const char *activation_token);

/* What one change's notification says and offers. */
typedef struct
{
  const char *headline;
  const char *details;  /* plain text: escaped here when the server takes markup */
  const char *category; /* "x-ews-notifier.calendar", … */
  gboolean    urgent;
  gboolean    transient;
  gboolean    web_link; /* whether "Open in Browser" can work */
  guint       entry_id;
} EwnNotifyRequest;

EwnNotifyThread *ewn_notify_thread_new (const char         *app_name,
                                        const char         *icon,
                                        GObject            *owner,
                                        EwnNotifyActionFunc action_func);
gboolean         ewn_notify_thread_show (EwnNotifyThread        *thread,
                                         const EwnNotifyRequest *request);
void             ewn_notify_thread_show_summary (EwnNotifyThread *thread,
                                                 const char      *title,
                                                 const char      *body);
void             ewn_notify_thread_end_summary (EwnNotifyThread *thread);
void             ewn_notify_thread_close_all (EwnNotifyThread *thread);
void             ewn_notify_thread_stop (EwnNotifyThread *thread);

G_END_DECLS
