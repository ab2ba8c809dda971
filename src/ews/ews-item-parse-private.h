/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <libxml/tree.h>

#include "ews-records.h"

G_BEGIN_DECLS

EwsItem       *ews_item_parse (xmlNode *element);
EwsSyncChange *ews_sync_change_parse (xmlNode *node);

G_END_DECLS
