/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include "ews-xml-private.h"

G_BEGIN_DECLS

/* Reads @data with ews_xml_scan() and with libxml2's walk, and asserts that whatever
 * the scanner reads, libxml2 reads too, into the same elements, attributes and text.
 * A walk that gives up at its @give_up_at-th callback (0: never) must stop both alike. */
EwsXmlScanResult xml_scan_compare (const char *data,
                                   gsize       length,
                                   guint       give_up_at);

G_END_DECLS
