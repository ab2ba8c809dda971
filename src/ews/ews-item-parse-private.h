/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <libxml/tree.h>

#include "ews-records.h"
#include "ews-xml-private.h"

G_BEGIN_DECLS

EwsItem       *ews_item_parse (xmlNode *element);
EwsSyncChange *ews_sync_change_parse (xmlNode *node);

/* The same item from a walk of the document (ews_xml_sax_parse()): begin at the item
 * element's start, start/end/text for everything inside it, finish at its end. */
#define EWS_ITEM_SAX_MAX_DEPTH 8

typedef struct
{
  EwsItem     *item;
  EwsAttendee *attendee; /* the one being read */
  int          depth;    /* of the element last started, the item's children at 1 */
  guint8       roles[EWS_ITEM_SAX_MAX_DEPTH + 1];
  guint8       seen[EWS_ITEM_SAX_MAX_DEPTH + 1];
  int          collect_depth; /* > 0 while the text of that element is collected */
  GString     *text;
} EwsItemSax;

void     ews_item_sax_begin (EwsItemSax *walk,
                             const char *element_name,
                             GString    *text);
void     ews_item_sax_start (EwsItemSax     *walk,
                             const char     *ns,
                             const char     *name,
                             int             n_attributes,
                             const xmlChar **attributes);
void     ews_item_sax_end (EwsItemSax *walk);
void     ews_item_sax_text (EwsItemSax *walk,
                            const char *text,
                            gsize       length);
EwsItem *ews_item_sax_finish (EwsItemSax *walk);
void     ews_item_sax_clear (EwsItemSax *walk);

G_END_DECLS
