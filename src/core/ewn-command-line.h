/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

#include "ews-client.h"

G_BEGIN_DECLS

char      *ewn_command_line_read_password (GError **error);
char      *ewn_command_line_account_id (const char *url,
                                        const char *user);
EwsClient *ewn_command_line_new_client (const char *server,
                                        const char *user,
                                        char       *password);

G_END_DECLS
