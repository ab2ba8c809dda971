/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void bench_machine_print (void);

G_END_DECLS
