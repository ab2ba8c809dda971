/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include "ewn-change.h"

G_BEGIN_DECLS

char    *ewn_change_dup_headline (const EwnChange *change);
char    *ewn_change_dup_details (const EwnChange *change,
                                 gboolean         with_mailbox);
gboolean ewn_change_is_minor (const EwnChange *change);
gboolean ewn_change_is_urgent (const EwnChange *change,
                               GDateTime       *now);

G_END_DECLS
