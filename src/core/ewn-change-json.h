/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

#include "ewn-change.h"

G_BEGIN_DECLS

char *ewn_change_to_json_line (const EwnChange *change);
void  ewn_change_append_json (const EwnChange *change,
                              GString         *out);

G_END_DECLS
