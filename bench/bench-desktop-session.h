/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A private headless desktop for bench-desktop: an X server and a session bus of its
 * own, nothing else. */

typedef struct _BenchSession BenchSession;

BenchSession                *bench_session_start (GError **error);
const char                  *bench_session_get_display (BenchSession *self);
const char                  *bench_session_get_bus_address (BenchSession *self);
void                         bench_session_free (BenchSession *self);

void                         bench_die_with_parent (gpointer user_data);
gboolean                     bench_process_stop (GSubprocess *process,
                                                 int          signum,
                                                 guint        timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchSession, bench_session_free)

G_END_DECLS
