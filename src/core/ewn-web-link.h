/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *ewn_web_link_for_item (const char *ews_url,
                             const char *read_form_link);

G_END_DECLS
