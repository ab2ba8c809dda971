/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void ews_sim_demo_start (const char *url,
                         const char *user,
                         const char *password,
                         const char *mailbox,
                         guint       interval_s);
void ews_sim_demo_stop (void);

G_END_DECLS
