/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The parts of a desktop the application talks to, played by bench-desktop on the
 * session bus: a notification server (org.freedesktop.Notifications) and a tray
 * (org.kde.StatusNotifierWatcher). */

typedef struct _BenchShell BenchShell;

/**
 * BenchNotifyFunc:
 * @summary: the notification's summary
 * @body: its body
 * @replaces_id: the notification it updates, or 0
 * @arrival_us: g_get_monotonic_time() when the Notify call reached its handler
 *
 * Called on the shell's thread for every Notify, after the reply is sent.
 */
typedef void (*BenchNotifyFunc) (const char *summary,
                                 const char *body,
                                 guint32     replaces_id,
                                 gint64      arrival_us,
                                 gpointer    user_data);

BenchShell *bench_shell_new (const char *bus_address,
                             GError    **error);
void        bench_shell_set_notify_func (BenchShell     *self,
                                         BenchNotifyFunc func,
                                         gpointer        user_data);
guint       bench_shell_get_n_registrations (BenchShell *self);
gboolean    bench_shell_wait_registration (BenchShell *self,
                                           guint       n,
                                           guint       timeout_ms,
                                           gint64     *arrival_us);
double      bench_shell_time_notify (BenchShell *self,
                                     guint       n,
                                     GError    **error);
void        bench_shell_free (BenchShell *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchShell, bench_shell_free)

G_END_DECLS
