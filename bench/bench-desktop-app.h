/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

#include "bench-desktop-session.h"

G_BEGIN_DECLS

/* The real desktop application, `ews-notifier --server … --user … --password-stdin`,
 * in a BenchSession. */

typedef struct _BenchApp BenchApp;

BenchApp                *bench_app_start (const char        *binary,
                                          BenchSession      *session,
                                          const char        *schema_dir,
                                          const char        *url,
                                          const char        *user,
                                          const char        *password,
                                          const char *const *mailboxes,
                                          gint64            *spawn_us,
                                          GError           **error);
int                      bench_app_get_pid (BenchApp *self);
gboolean                 bench_app_stop (BenchApp *self,
                                         guint     timeout_ms,
                                         GError  **error);
void                     bench_app_free (BenchApp *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchApp, bench_app_free)

G_END_DECLS
