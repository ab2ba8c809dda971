/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <string.h>

#include "ews-response.h"
#include "ews-item-parse-private.h"
#include "ews-xml-private.h"

/* SyncFolderItems without building a tree: the pages of a burst are large, and
 * building and freeing their tree cost more than reading them. What the walk does
 * not expect (a fault, a failed message, a malformed document) makes it give up;
 * the tree-building parser, ews_response_parse_sync_folder_items_tree() in
 * ews-response.c, then reads the document and says what is wrong. Where it does
 * not give up, it reads exactly what that parser reads: the first of each element
 * that one reads the first of, and the same text. */

typedef enum
{
  SYNC_IGNORE,
  SYNC_DOCUMENT,
  SYNC_ENVELOPE,
  SYNC_BODY,
  SYNC_RESPONSE,
  SYNC_MESSAGES,
  SYNC_MESSAGE,
  SYNC_STATE,
  SYNC_LAST,
  SYNC_CHANGES,
  SYNC_CREATE_OR_UPDATE,
  SYNC_DELETE_OR_READ_FLAG,
  SYNC_IS_READ,
} SyncRole;

#define SYNC_MAX_DEPTH 300 /* libxml2 refuses documents deeper than 256 */

#define SEEN_FIRST  (1 << 0) /* the first element child, whatever it is */
#define SEEN_BODY   (1 << 1)
#define SEEN_STATE  (1 << 2)
#define SEEN_LAST   (1 << 3)
#define SEEN_CHANGE (1 << 4)
#define SEEN_ITEMID (1 << 5)
#define SEEN_ISREAD (1 << 6)
#define SEEN_LIST   (1 << 7) /* ResponseMessages, or the message in it */

typedef struct
{
  EwsSyncResult *result;
  EwsSyncChange *change; /* being read */
  char          *sync_state;
  char          *last;
  gboolean       message;
  int            depth;
  guint8         roles[SYNC_MAX_DEPTH + 1];
  guint8         seen[SYNC_MAX_DEPTH + 1];
  int            collect_depth;
  GString       *text;
  gboolean       in_item;
  int            item_depth;
  EwsItemSax     item;
} SyncWalk;

static SyncRole
sync_role (EwsXmlSax      *sax,
           SyncWalk       *walk,
           SyncRole        parent,
           const char     *ns,
           const char     *name,
           int             n_attributes,
           const xmlChar **attributes)
{
  switch (parent)
    {
    case SYNC_DOCUMENT:
      if (ews_xml_sax_is (ns, name, ews_xml_ns_soap, "Envelope"))
        return SYNC_ENVELOPE;
      break;
    case SYNC_ENVELOPE:
      if (ews_xml_sax_is (ns, name, ews_xml_ns_soap, "Body") && ews_xml_sax_first (walk->seen, walk->depth, SEEN_BODY))
        return SYNC_BODY;
      return SYNC_IGNORE;
    case SYNC_BODY:
      if (!ews_xml_sax_first (walk->seen, walk->depth, SEEN_FIRST))
        return SYNC_IGNORE;
      if (ews_xml_sax_is (ns, name, ews_xml_ns_messages, "SyncFolderItemsResponse"))
        return SYNC_RESPONSE;
      break; /* a fault, or another answer */
    case SYNC_RESPONSE:
      if (ews_xml_sax_is (ns, name, ews_xml_ns_messages, "ResponseMessages") && ews_xml_sax_first (walk->seen, walk->depth, SEEN_LIST))
        return SYNC_MESSAGES;
      return SYNC_IGNORE;
    case SYNC_MESSAGES:
      if (ews_xml_sax_is (ns, name, ews_xml_ns_messages, "SyncFolderItemsResponseMessage") && ews_xml_sax_first (walk->seen, walk->depth, SEEN_LIST))
        {
          g_autofree char *response_class = ews_xml_sax_attr (n_attributes, attributes, "ResponseClass");

          if (g_strcmp0 (response_class, "Error") == 0)
            break;
          walk->message = TRUE;
          return SYNC_MESSAGE;
        }
      return SYNC_IGNORE;
    case SYNC_MESSAGE:
      if (ews_xml_sax_is (ns, name, ews_xml_ns_messages, "SyncState") && ews_xml_sax_first (walk->seen, walk->depth, SEEN_STATE))
        return SYNC_STATE;
      if (ews_xml_sax_is (ns, name, ews_xml_ns_messages, "IncludesLastItemInRange") && ews_xml_sax_first (walk->seen, walk->depth, SEEN_LAST))
        return SYNC_LAST;
      if (ews_xml_sax_is (ns, name, ews_xml_ns_messages, "Changes") && ews_xml_sax_first (walk->seen, walk->depth, SEEN_CHANGE))
        return SYNC_CHANGES;
      return SYNC_IGNORE;
    case SYNC_CHANGES:
      if (!ews_xml_ns_is (ns, ews_xml_ns_types))
        return SYNC_IGNORE;
      if (strcmp (name, "Create") == 0 || strcmp (name, "Update") == 0)
        {
          walk->change = ews_sync_change_new (name[0] == 'C' ? EWS_SYNC_CHANGE_CREATE : EWS_SYNC_CHANGE_UPDATE);
          return SYNC_CREATE_OR_UPDATE;
        }
      if (strcmp (name, "Delete") == 0 || strcmp (name, "ReadFlagChange") == 0)
        {
          walk->change = ews_sync_change_new (name[0] == 'D' ? EWS_SYNC_CHANGE_DELETE : EWS_SYNC_CHANGE_READ_FLAG);
          return SYNC_DELETE_OR_READ_FLAG;
        }
      return SYNC_IGNORE;
    case SYNC_CREATE_OR_UPDATE:
      if (ews_xml_sax_first (walk->seen, walk->depth, SEEN_FIRST))
        {
          walk->in_item = TRUE;
          walk->item_depth = walk->depth;
          ews_item_sax_begin (&walk->item, name, walk->text);
        }
      return SYNC_IGNORE;
    case SYNC_DELETE_OR_READ_FLAG:
      if (ews_xml_sax_is (ns, name, ews_xml_ns_types, "ItemId") && ews_xml_sax_first (walk->seen, walk->depth, SEEN_ITEMID))
        {
          walk->change->item_id = ews_xml_sax_attr (n_attributes, attributes, "Id");
          walk->change->change_key = ews_xml_sax_attr (n_attributes, attributes, "ChangeKey");
        }
      else if (ews_xml_sax_is (ns, name, ews_xml_ns_types, "IsRead") && ews_xml_sax_first (walk->seen, walk->depth, SEEN_ISREAD))
        return SYNC_IS_READ;
      return SYNC_IGNORE;
    default:
      return SYNC_IGNORE;
    }
  ews_xml_sax_give_up (sax);
  return SYNC_IGNORE;
}

static void
sync_start (EwsXmlSax      *sax,
            const char     *ns,
            const char     *name,
            int             n_attributes,
            const xmlChar **attributes)
{
  SyncWalk *walk = sax->user_data;
  SyncRole  parent = walk->roles[walk->depth];
  SyncRole  role;

  if (walk->depth >= SYNC_MAX_DEPTH)
    {
      ews_xml_sax_give_up (sax);
      return;
    }
  walk->depth++;
  if (walk->in_item)
    {
      ews_item_sax_start (&walk->item, ns, name, n_attributes, attributes);
      return;
    }
  role = sync_role (sax, walk, parent, ns, name, n_attributes, attributes);
  walk->roles[walk->depth] = role;
  walk->seen[walk->depth] = 0;
  if ((role == SYNC_STATE || role == SYNC_LAST || role == SYNC_IS_READ) && walk->collect_depth == 0)
    {
      walk->collect_depth = walk->depth;
      g_string_truncate (walk->text, 0);
    }
}

static void
sync_end (EwsXmlSax *sax)
{
  SyncWalk      *walk = sax->user_data;
  EwsSyncChange *change;

  if (walk->in_item)
    {
      if (walk->depth == walk->item_depth)
        {
          walk->change->item = ews_item_sax_finish (&walk->item);
          walk->in_item = FALSE;
        }
      else
        ews_item_sax_end (&walk->item);
      walk->depth--;
      return;
    }

  if (walk->collect_depth == walk->depth)
    {
      walk->collect_depth = 0;
      switch (walk->roles[walk->depth])
        {
        case SYNC_STATE:
          walk->sync_state = g_strdup (walk->text->str);
          break;
        case SYNC_LAST:
          walk->last = g_strdup (walk->text->str);
          break;
        case SYNC_IS_READ:
          walk->change->is_read = ews_xml_parse_boolean (walk->text->str, FALSE);
          break;
        default:
          g_assert_not_reached ();
        }
    }

  switch (walk->roles[walk->depth])
    {
    case SYNC_CREATE_OR_UPDATE:
      change = g_steal_pointer (&walk->change);
      if (change->item != NULL)
        {
          change->item_id = g_strdup (change->item->id);
          change->change_key = g_strdup (change->item->change_key);
        }
      if (change->item_id != NULL)
        g_ptr_array_add (walk->result->changes, change);
      else
        ews_sync_change_free (change);
      break;
    case SYNC_DELETE_OR_READ_FLAG:
      change = g_steal_pointer (&walk->change);
      if (change->item_id != NULL)
        g_ptr_array_add (walk->result->changes, change);
      else
        ews_sync_change_free (change);
      break;
    default:
      break;
    }
  walk->depth--;
}

static void
sync_text (EwsXmlSax  *sax,
           const char *text,
           gsize       length)
{
  SyncWalk *walk = sax->user_data;

  if (walk->in_item)
    ews_item_sax_text (&walk->item, text, length);
  else if (walk->collect_depth > 0)
    g_string_append_len (walk->text, text, length);
}

static const EwsXmlSaxFuncs sync_funcs = { sync_start, sync_end, sync_text };

/* The result, or %NULL when the tree-building parser must read @data. */
static EwsSyncResult *
walk_sync_folder_items (const char *data,
                        gsize       length)
{
  SyncWalk walk = { 0 };
  gboolean ok;

  walk.result = ews_sync_result_new ();
  walk.roles[0] = SYNC_DOCUMENT;
  walk.text = g_string_sized_new (256);
  ok = ews_xml_sax_parse (data, length, &sync_funcs, &walk);
  ews_item_sax_clear (&walk.item);
  g_clear_pointer (&walk.change, ews_sync_change_free);
  g_string_free (walk.text, TRUE);
  if (!ok || !walk.message || walk.sync_state == NULL)
    {
      g_free (walk.sync_state);
      g_free (walk.last);
      g_clear_pointer (&walk.result, ews_sync_result_free);
      return NULL;
    }
  walk.result->sync_state = walk.sync_state;
  walk.result->includes_last_item_in_range = ews_xml_parse_boolean (walk.last, TRUE);
  g_free (walk.last);
  return walk.result;
}

/**
 * ews_response_parse_sync_folder_items:
 * @data: the response body
 * @length: its length
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the new sync state and the changes, in order
 */
EwsSyncResult *
ews_response_parse_sync_folder_items (const char *data,
                                      gsize       length,
                                      GError    **error)
{
  EwsSyncResult *walked = walk_sync_folder_items (data, length);

  return walked != NULL ? walked : ews_response_parse_sync_folder_items_tree (data, length, error);
}
