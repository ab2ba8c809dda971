/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <libxml/tree.h>

#include "ews-records.h"

G_BEGIN_DECLS

EwsNotification *ews_notification_parse (xmlNode *notification);

G_END_DECLS
