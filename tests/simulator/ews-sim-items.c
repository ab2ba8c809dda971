/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-sim-items"

#include "config.h"

#include <string.h>

#include "ews-sim-private.h"
#include "ews-string-private.h"
#include "ews-xml-private.h"

/* Folder and item operations: GetFolder, SyncFolderItems, GetItem and the
 * operations a colleague uses to change a mailbox. */

/* Answers with a single error ResponseMessage. */
static void
respond_error (EwsSimRequest *req,
               GString       *out,
               const char    *code,
               const char    *text)
{
  ews_sim_message_begin (out, req->operation, code, text);
  ews_sim_message_end (out, req->operation);
  ews_sim_envelope_end (out, req->operation);
  ews_sim_respond (req, out);
}

EwsSimFolder *
ews_sim_resolve_folder (EwsSimRequest *req,
                        xmlNode       *folder_id,
                        const char   **error_code)
{
  g_autofree char *id = ews_xml_attr (folder_id, "Id");
  EwsSimFolder    *folder = NULL;

  *error_code = "ErrorFolderNotFound";
  if (ews_xml_is (folder_id, EWS_NS_TYPES, "DistinguishedFolderId"))
    {
      xmlNode         *mailbox_node = ews_xml_child (folder_id, EWS_NS_TYPES, "Mailbox");
      g_autofree char *smtp = mailbox_node != NULL ? ews_xml_child_text (mailbox_node, EWS_NS_TYPES, "EmailAddress") : NULL;
      EwsSimMailbox   *mailbox = req->mailbox;

      if (smtp != NULL)
        {
          /* Delegate access: every user may open every mailbox. */
          mailbox = ews_sim_lookup_mailbox (req->sim, smtp);
          if (mailbox == NULL)
            {
              *error_code = "ErrorNonExistentMailbox";
              return NULL;
            }
        }
      folder = id != NULL ? ews_sim_mailbox_get_folder (mailbox, id) : NULL;
    }
  else if (ews_xml_is (folder_id, EWS_NS_TYPES, "FolderId") && id != NULL)
    {
      folder = ews_sim_lookup_folder (req->sim, id);
    }
  return folder;
}

void
ews_sim_handle_get_folder (EwsSimRequest *req)
{
  GString *out = ews_sim_envelope_begin ("GetFolder");
  xmlNode *ids = ews_xml_child (req->element, EWS_NS_MESSAGES, "FolderIds");

  for (xmlNode *node = ids != NULL ? ews_xml_first_element (ids->children) : NULL; node != NULL; node = ews_xml_next_element (node))
    {
      const char   *code = NULL;
      EwsSimFolder *folder = ews_sim_resolve_folder (req, node, &code);

      ews_sim_message_begin (out, "GetFolder", folder != NULL ? NULL : code, NULL);
      if (folder != NULL)
        {
          g_string_append (out, "<m:Folders>");
          ews_sim_write_folder (out, folder);
          g_string_append (out, "</m:Folders>");
        }
      ews_sim_message_end (out, "GetFolder");
    }
  ews_sim_envelope_end (out, "GetFolder");
  ews_sim_respond (req, out);
}

/* One item's net change; the strings are the folder log's. */
typedef struct
{
  EwsSimLogType type;
  const char   *item_id;
  const char   *change_key;
} SyncChange;

/* Folds the log from @position into at most @max changes, one per item in the order
 * of their first entry, so a create followed by a delete disappears and updates
 * after a create stay a create. */
static guint
collect_changes (EwsSimFolder *folder,
                 guint         position,
                 guint         max,
                 GArray       *changes)
{
  g_autoptr (GHashTable) index = g_hash_table_new (ews_id_hash, g_str_equal); /* id → position + 1 */
  guint i;

  for (i = position; i < folder->log->len; i++)
    {
      EwsSimLogEntry *entry = g_ptr_array_index (folder->log, i);
      guint           at = GPOINTER_TO_UINT (g_hash_table_lookup (index, entry->item_id));
      SyncChange     *change;

      if (at == 0)
        {
          SyncChange first = { entry->type, entry->item_id, NULL };

          if (changes->len >= max)
            break;
          g_array_append_val (changes, first);
          at = changes->len;
          g_hash_table_insert (index, entry->item_id, GUINT_TO_POINTER (at));
        }
      change = &g_array_index (changes, SyncChange, at - 1);
      if (entry->type == EWS_SIM_LOG_DELETE)
        change->type = EWS_SIM_LOG_DELETE;
      change->change_key = entry->change_key;
    }
  return i;
}

void
ews_sim_handle_sync_folder_items (EwsSimRequest *req)
{
  GString         *out = ews_sim_envelope_begin ("SyncFolderItems");
  xmlNode         *sync_folder = ews_xml_child (req->element, EWS_NS_MESSAGES, "SyncFolderId");
  xmlNode         *folder_node = sync_folder != NULL ? ews_xml_first_element (sync_folder->children) : NULL;
  g_autofree char *state = ews_xml_child_text (req->element, EWS_NS_MESSAGES, "SyncState");
  g_autofree char *max_text = ews_xml_child_text (req->element, EWS_NS_MESSAGES, "MaxChangesReturned");
  g_autoptr (GArray) changes = g_array_new (FALSE, FALSE, sizeof (SyncChange));
  EwsSimShape      shape = { 0 };
  g_autofree char *new_state = NULL;
  const char      *code = NULL;
  EwsSimFolder    *folder = folder_node != NULL ? ews_sim_resolve_folder (req, folder_node, &code) : NULL;
  guint64          max = 512;
  guint            position = 0;
  guint            end;

  if (folder == NULL)
    {
      respond_error (req, out, code != NULL ? code : "ErrorInvalidRequest", NULL);
      return;
    }
  if (state != NULL && *state != '\0' && !ews_sim_sync_state_decode (folder, state, &position))
    {
      respond_error (req, out, "ErrorInvalidSyncStateData", "Synchronization state data is corrupt or otherwise invalid.");
      return;
    }
  if (max_text != NULL)
    g_ascii_string_to_unsigned (max_text, 10, 1, 512, &max, NULL);

  ews_sim_shape_parse (&shape, ews_xml_child (req->element, EWS_NS_MESSAGES, "ItemShape"));
  end = collect_changes (folder, position, (guint)max, changes);
  new_state = ews_sim_sync_state_encode (folder, end);
  /* room for the whole page at once: growing it by doubling copied it eight times */
  {
    gsize used = out->len;

    g_string_set_size (out, used + 1024 + (gsize)changes->len * 768);
    g_string_truncate (out, used);
  }

  ews_sim_message_begin (out, "SyncFolderItems", NULL, NULL);
  g_string_append_printf (out, "<m:SyncState>%s</m:SyncState><m:IncludesLastItemInRange>%s</m:IncludesLastItemInRange>",
                          new_state, end == folder->log->len ? "true" : "false");
  g_string_append (out, "<m:Changes>");
  for (guint i = 0; i < changes->len; i++)
    {
      SyncChange *change = &g_array_index (changes, SyncChange, i);
      const char *id = change->item_id;
      /* Only this folder's mailbox can hold it; a big burst makes the lookup hot. */
      EwsSimItem *item = g_hash_table_lookup (folder->mailbox->items, id);

      if (change->type != EWS_SIM_LOG_DELETE && (item == NULL || item->folder != folder))
        change->type = EWS_SIM_LOG_DELETE;
      if (change->type == EWS_SIM_LOG_DELETE)
        {
          g_string_append (out, "<t:Delete>");
          ews_sim_write_item_id (out, "ItemId", id, change->change_key);
          g_string_append (out, "</t:Delete>");
          continue;
        }
      g_string_append (out, change->type == EWS_SIM_LOG_CREATE ? "<t:Create>" : "<t:Update>");
      ews_sim_write_item (out, item, &shape, req->sim->owa_base);
      g_string_append (out, change->type == EWS_SIM_LOG_CREATE ? "</t:Create>" : "</t:Update>");
    }
  g_string_append (out, "</m:Changes>");
  ews_sim_message_end (out, "SyncFolderItems");
  ews_sim_envelope_end (out, "SyncFolderItems");
  ews_sim_respond (req, out);
}

void
ews_sim_handle_get_item (EwsSimRequest *req)
{
  GString    *out = ews_sim_envelope_begin ("GetItem");
  xmlNode    *ids = ews_xml_child (req->element, EWS_NS_MESSAGES, "ItemIds");
  EwsSimShape shape = { 0 };

  ews_sim_shape_parse (&shape, ews_xml_child (req->element, EWS_NS_MESSAGES, "ItemShape"));
  for (xmlNode *node = ids != NULL ? ews_xml_first_element (ids->children) : NULL; node != NULL; node = ews_xml_next_element (node))
    {
      g_autofree char *id = ews_xml_attr (node, "Id");
      EwsSimItem      *item = id != NULL ? ews_sim_lookup_item (req->sim, id) : NULL;

      if (item == NULL)
        {
          ews_sim_message_begin (out, "GetItem", "ErrorItemNotFound", "The specified object was not found in the store., The process failed to get the correct properties.");
          g_string_append (out, "<m:Items/>");
        }
      else
        {
          ews_sim_message_begin (out, "GetItem", NULL, NULL);
          g_string_append (out, "<m:Items>");
          ews_sim_write_item (out, item, &shape, req->sim->owa_base);
          g_string_append (out, "</m:Items>");
        }
      ews_sim_message_end (out, "GetItem");
    }
  ews_sim_envelope_end (out, "GetItem");
  ews_sim_respond (req, out);
}

static void
set_date (GDateTime **field,
          xmlNode    *value)
{
  g_autofree char *text = value != NULL ? ews_xml_text (value) : NULL;

  g_clear_pointer (field, g_date_time_unref);
  if (text != NULL)
    *field = ews_xml_parse_date_time (text);
}

static void
set_text (char   **field,
          xmlNode *value)
{
  g_free (*field);
  *field = value != NULL ? ews_xml_text (value) : NULL;
}

static void
set_attendees (GPtrArray *emails,
               xmlNode   *value)
{
  g_ptr_array_set_size (emails, 0);
  for (xmlNode *att = value != NULL ? ews_xml_first_element (value->children) : NULL; att != NULL; att = ews_xml_next_element (att))
    {
      xmlNode *mailbox = ews_xml_child (att, EWS_NS_TYPES, "Mailbox");
      char    *email = mailbox != NULL ? ews_xml_child_text (mailbox, EWS_NS_TYPES, "EmailAddress") : NULL;

      if (email != NULL)
        g_ptr_array_add (emails, email);
    }
}

/* Sets (or with @value %NULL clears) the property named by the local part of a
 * FieldURI or an element name. Unknown properties are accepted and ignored, as
 * clients send many (time zones, reminders, …). */
static void
apply_property (EwsSimItem *item,
                const char *name,
                xmlNode    *value)
{
  g_autofree char *text = value != NULL ? ews_xml_text (value) : NULL;

  if (strcmp (name, "Subject") == 0)
    set_text (&item->subject, value);
  else if (strcmp (name, "Body") == 0)
    set_text (&item->body, value);
  else if (strcmp (name, "Location") == 0)
    set_text (&item->location, value);
  else if (strcmp (name, "Start") == 0)
    set_date (&item->start, value);
  else if (strcmp (name, "End") == 0)
    set_date (&item->end, value);
  else if (strcmp (name, "DueDate") == 0)
    set_date (&item->due, value);
  else if (strcmp (name, "StartDate") == 0)
    set_date (&item->task_start, value);
  else if (strcmp (name, "IsCancelled") == 0)
    item->is_cancelled = ews_xml_parse_boolean (text, FALSE);
  else if (strcmp (name, "IsAllDayEvent") == 0)
    item->is_all_day = ews_xml_parse_boolean (text, FALSE);
  else if (strcmp (name, "RequiredAttendees") == 0)
    set_attendees (item->required, value);
  else if (strcmp (name, "OptionalAttendees") == 0)
    set_attendees (item->optional, value);
  else if (strcmp (name, "Status") == 0)
    {
      item->status = text != NULL ? ews_task_status_from_string (text) : EWS_TASK_STATUS_NOT_STARTED;
      if (item->status == EWS_TASK_STATUS_UNKNOWN)
        item->status = EWS_TASK_STATUS_NOT_STARTED;
      if (item->status == EWS_TASK_STATUS_COMPLETED)
        item->percent_complete = 100;
    }
  else if (strcmp (name, "PercentComplete") == 0)
    {
      guint64 percent = 0;

      if (text != NULL)
        g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, 100, &percent, NULL);
      item->percent_complete = (int)percent;
      if (percent == 100)
        item->status = EWS_TASK_STATUS_COMPLETED;
      else if (percent > 0 && item->status == EWS_TASK_STATUS_NOT_STARTED)
        item->status = EWS_TASK_STATUS_IN_PROGRESS;
    }
}

void
ews_sim_handle_create_item (EwsSimRequest *req)
{
  GString *out = ews_sim_envelope_begin ("CreateItem");
  xmlNode *saved = ews_xml_child (req->element, EWS_NS_MESSAGES, "SavedItemFolderId");
  xmlNode *items = ews_xml_child (req->element, EWS_NS_MESSAGES, "Items");

  for (xmlNode *node = items != NULL ? ews_xml_first_element (items->children) : NULL; node != NULL; node = ews_xml_next_element (node))
    {
      gboolean      is_task = ews_xml_is (node, EWS_NS_TYPES, "Task");
      const char   *code = "ErrorInvalidRequest";
      EwsSimFolder *folder = NULL;
      EwsSimItem   *item;

      if (saved != NULL && ews_xml_first_element (saved->children) != NULL)
        folder = ews_sim_resolve_folder (req, ews_xml_first_element (saved->children), &code);
      else
        folder = ews_sim_mailbox_get_folder (req->mailbox, is_task ? "tasks" : "calendar");
      if (folder == NULL || (!is_task && !ews_xml_is (node, EWS_NS_TYPES, "CalendarItem")))
        {
          ews_sim_message_begin (out, "CreateItem", code, NULL);
          ews_sim_message_end (out, "CreateItem");
          continue;
        }

      item = ews_sim_item_new (folder->mailbox, folder, is_task ? EWS_ITEM_KIND_TASK : EWS_ITEM_KIND_CALENDAR);
      if (!is_task)
        {
          item->organizer_name = g_strdup (req->mailbox->display_name);
          item->organizer_email = g_strdup (req->mailbox->smtp);
        }
      for (xmlNode *prop = ews_xml_first_element (node->children); prop != NULL; prop = ews_xml_next_element (prop))
        apply_property (item, (const char *)prop->name, prop);
      ews_sim_item_touch (req->sim, item, req->user);
      g_hash_table_insert (folder->mailbox->items, item->id, item);
      folder->n_items++;
      ews_sim_folder_log (folder, EWS_SIM_LOG_CREATE, item);
      ews_sim_item_event (req->sim, EWS_EVENT_TYPE_CREATED, item, NULL, NULL, NULL);

      ews_sim_message_begin (out, "CreateItem", NULL, NULL);
      g_string_append_printf (out, "<m:Items><t:%s>", ews_sim_item_element (item));
      ews_sim_write_item_id (out, "ItemId", item->id, item->change_key);
      g_string_append_printf (out, "</t:%s></m:Items>", ews_sim_item_element (item));
      ews_sim_message_end (out, "CreateItem");
    }
  ews_sim_envelope_end (out, "CreateItem");
  ews_sim_respond (req, out);
}

static void
apply_update (EwsSimItem *item,
              xmlNode    *update)
{
  xmlNode         *uri_node = ews_xml_child (update, EWS_NS_TYPES, "FieldURI");
  g_autofree char *uri = uri_node != NULL ? ews_xml_attr (uri_node, "FieldURI") : NULL;
  const char      *name = uri != NULL ? strchr (uri, ':') : NULL;
  xmlNode         *value = NULL;

  if (name == NULL)
    return;
  name++;
  if (!ews_xml_is (update, EWS_NS_TYPES, "DeleteItemField"))
    {
      /* The value is the one property inside t:CalendarItem / t:Task / t:Item. */
      for (xmlNode *node = ews_xml_first_element (update->children); node != NULL; node = ews_xml_next_element (node))
        if (node != uri_node)
          value = ews_xml_first_element (node->children);
      if (value == NULL)
        return;
    }
  apply_property (item, name, value);
}

void
ews_sim_handle_update_item (EwsSimRequest *req)
{
  GString *out = ews_sim_envelope_begin ("UpdateItem");
  xmlNode *changes = ews_xml_child (req->element, EWS_NS_MESSAGES, "ItemChanges");

  for (xmlNode *change = changes != NULL ? ews_xml_first_element (changes->children) : NULL; change != NULL; change = ews_xml_next_element (change))
    {
      xmlNode         *id_node = ews_xml_child (change, EWS_NS_TYPES, "ItemId");
      xmlNode         *updates = ews_xml_child (change, EWS_NS_TYPES, "Updates");
      g_autofree char *id = id_node != NULL ? ews_xml_attr (id_node, "Id") : NULL;
      EwsSimItem      *item = id != NULL ? ews_sim_lookup_item (req->sim, id) : NULL;

      if (item == NULL)
        {
          ews_sim_message_begin (out, "UpdateItem", "ErrorItemNotFound", "The specified object was not found in the store.");
          ews_sim_message_end (out, "UpdateItem");
          continue;
        }
      for (xmlNode *update = updates != NULL ? ews_xml_first_element (updates->children) : NULL; update != NULL; update = ews_xml_next_element (update))
        apply_update (item, update);
      ews_sim_item_touch (req->sim, item, req->user);
      ews_sim_folder_log (item->folder, EWS_SIM_LOG_UPDATE, item);
      ews_sim_item_event (req->sim, EWS_EVENT_TYPE_MODIFIED, item, NULL, NULL, NULL);

      ews_sim_message_begin (out, "UpdateItem", NULL, NULL);
      g_string_append_printf (out, "<m:Items><t:%s>", ews_sim_item_element (item));
      ews_sim_write_item_id (out, "ItemId", item->id, item->change_key);
      g_string_append_printf (out, "</t:%s></m:Items><m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>", ews_sim_item_element (item));
      ews_sim_message_end (out, "UpdateItem");
    }
  ews_sim_envelope_end (out, "UpdateItem");
  ews_sim_respond (req, out);
}

/* Moves @item to @to: a new ItemId in the new folder, as Exchange does. */
static void
move_item (EwsSimRequest *req,
           EwsSimItem    *item,
           EwsSimFolder  *to)
{
  EwsSimFolder    *from = item->folder;
  g_autofree char *old_id = g_strdup (item->id);
  g_autofree char *old_ck = g_strdup (item->change_key);

  ews_sim_folder_log (from, EWS_SIM_LOG_DELETE, item);
  from->n_items--;
  g_hash_table_steal (from->mailbox->items, item->id);
  ews_sim_ref_string_clear (&item->id);
  item->id = ews_sim_item_new_id (to->mailbox, to);
  item->folder = to;
  ews_sim_item_touch (req->sim, item, req->user);
  g_hash_table_insert (to->mailbox->items, item->id, item);
  to->n_items++;
  ews_sim_folder_log (to, EWS_SIM_LOG_CREATE, item);
  ews_sim_item_event (req->sim, EWS_EVENT_TYPE_MOVED, item, old_id, old_ck, from);
}

void
ews_sim_handle_delete_item (EwsSimRequest *req)
{
  GString         *out = ews_sim_envelope_begin ("DeleteItem");
  xmlNode         *ids = ews_xml_child (req->element, EWS_NS_MESSAGES, "ItemIds");
  g_autofree char *delete_type = ews_xml_attr (req->element, "DeleteType");

  for (xmlNode *node = ids != NULL ? ews_xml_first_element (ids->children) : NULL; node != NULL; node = ews_xml_next_element (node))
    {
      g_autofree char *id = ews_xml_attr (node, "Id");
      EwsSimItem      *item = id != NULL ? ews_sim_lookup_item (req->sim, id) : NULL;

      if (item == NULL)
        {
          ews_sim_message_begin (out, "DeleteItem", "ErrorItemNotFound", "The specified object was not found in the store.");
          ews_sim_message_end (out, "DeleteItem");
          continue;
        }
      if (g_strcmp0 (delete_type, "MoveToDeletedItems") == 0 && item->folder != ews_sim_mailbox_get_folder (item->folder->mailbox, "deleteditems"))
        {
          move_item (req, item, ews_sim_mailbox_get_folder (item->folder->mailbox, "deleteditems"));
        }
      else
        {
          ews_sim_folder_log (item->folder, EWS_SIM_LOG_DELETE, item);
          item->folder->n_items--;
          ews_sim_item_event (req->sim, EWS_EVENT_TYPE_DELETED, item, NULL, NULL, NULL);
          g_hash_table_remove (item->folder->mailbox->items, id);
        }
      ews_sim_message_begin (out, "DeleteItem", NULL, NULL);
      ews_sim_message_end (out, "DeleteItem");
    }
  ews_sim_envelope_end (out, "DeleteItem");
  ews_sim_respond (req, out);
}

void
ews_sim_handle_move_item (EwsSimRequest *req)
{
  GString      *out = ews_sim_envelope_begin ("MoveItem");
  xmlNode      *to_node = ews_xml_child (req->element, EWS_NS_MESSAGES, "ToFolderId");
  xmlNode      *ids = ews_xml_child (req->element, EWS_NS_MESSAGES, "ItemIds");
  const char   *code = "ErrorInvalidRequest";
  EwsSimFolder *to = NULL;

  if (to_node != NULL && ews_xml_first_element (to_node->children) != NULL)
    to = ews_sim_resolve_folder (req, ews_xml_first_element (to_node->children), &code);
  for (xmlNode *node = ids != NULL ? ews_xml_first_element (ids->children) : NULL; node != NULL; node = ews_xml_next_element (node))
    {
      g_autofree char *id = ews_xml_attr (node, "Id");
      EwsSimItem      *item = id != NULL ? ews_sim_lookup_item (req->sim, id) : NULL;

      if (to == NULL || item == NULL)
        {
          ews_sim_message_begin (out, "MoveItem", to == NULL ? code : "ErrorItemNotFound", NULL);
          ews_sim_message_end (out, "MoveItem");
          continue;
        }
      move_item (req, item, to);
      ews_sim_message_begin (out, "MoveItem", NULL, NULL);
      g_string_append_printf (out, "<m:Items><t:%s>", ews_sim_item_element (item));
      ews_sim_write_item_id (out, "ItemId", item->id, item->change_key);
      g_string_append_printf (out, "</t:%s></m:Items>", ews_sim_item_element (item));
      ews_sim_message_end (out, "MoveItem");
    }
  ews_sim_envelope_end (out, "MoveItem");
  ews_sim_respond (req, out);
}

/* In-process changes for benchmarks: the same commits and events as a CreateItem or
 * an UpdateItem of Start and End sent by @user, without the HTTP round trip. */
EwsSimItem *
ews_sim_create_meeting (EwsSimulator *sim,
                        EwsSimFolder *folder,
                        const char   *user,
                        const char   *subject,
                        GDateTime    *start,
                        GDateTime    *end)
{
  EwsSimMailbox *organizer = ews_sim_lookup_mailbox (sim, user);
  EwsSimItem    *item = ews_sim_item_new (folder->mailbox, folder, EWS_ITEM_KIND_CALENDAR);

  item->organizer_name = g_strdup (organizer != NULL ? organizer->display_name : user);
  item->organizer_email = g_strdup (organizer != NULL ? organizer->smtp : user);
  item->subject = g_strdup (subject);
  item->start = g_date_time_ref (start);
  item->end = g_date_time_ref (end);
  ews_sim_item_touch (sim, item, user);
  g_hash_table_insert (folder->mailbox->items, item->id, item);
  folder->n_items++;
  ews_sim_folder_log (folder, EWS_SIM_LOG_CREATE, item);
  ews_sim_item_event (sim, EWS_EVENT_TYPE_CREATED, item, NULL, NULL, NULL);
  return item;
}

void
ews_sim_reschedule (EwsSimulator *sim,
                    EwsSimItem   *item,
                    const char   *user,
                    GDateTime    *start,
                    GDateTime    *end)
{
  g_clear_pointer (&item->start, g_date_time_unref);
  g_clear_pointer (&item->end, g_date_time_unref);
  item->start = g_date_time_ref (start);
  item->end = g_date_time_ref (end);
  ews_sim_item_touch (sim, item, user);
  ews_sim_folder_log (item->folder, EWS_SIM_LOG_UPDATE, item);
  ews_sim_item_event (sim, EWS_EVENT_TYPE_MODIFIED, item, NULL, NULL, NULL);
}
