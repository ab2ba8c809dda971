/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include "ews-request.h"
#include "ews-xml-private.h"

/* Element order below follows the sequences of messages.xsd and types.xsd; the
 * protocol tests validate every builder's output against them. */

#define SUBSCRIBABLE_EVENTS (EWS_EVENT_MASK_ITEMS | EWS_EVENT_MASK_NEW_MAIL | EWS_EVENT_MASK_FREE_BUSY_CHANGED)

static const char *const item_fields[] = {
  "item:ItemClass", "item:Subject", "item:ParentFolderId",
  "item:LastModifiedName", "item:LastModifiedTime", NULL
};

static const char *const calendar_fields[] = {
  "calendar:Start", "calendar:End", "calendar:IsAllDayEvent", "calendar:Location",
  "calendar:Organizer", "calendar:IsCancelled", NULL
};

static const char *const task_fields[] = {
  "task:DueDate", "task:StartDate", "task:Status", "task:PercentComplete", "task:IsComplete", NULL
};

static const char *const detail_fields[] = {
  "item:Body", "item:WebClientReadFormQueryString", "calendar:MyResponseType",
  "calendar:RequiredAttendees", "calendar:OptionalAttendees", NULL
};

static GString *
envelope_begin (const char *server_version)
{
  /* room for a SyncFolderItems with its sync state, the request sent most */
  GString *out = g_string_sized_new (2048);

  g_string_append (out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                        "<soap:Envelope"
                        " xmlns:soap=\"" EWS_NS_SOAP "\""
                        " xmlns:m=\"" EWS_NS_MESSAGES "\""
                        " xmlns:t=\"" EWS_NS_TYPES "\">"
                        "<soap:Header><t:RequestServerVersion Version=\"");

  ews_xml_append_escaped (out, server_version != NULL ? server_version : EWS_DEFAULT_SERVER_VERSION);
  g_string_append (out, "\"/></soap:Header><soap:Body>");
  return out;
}

static GBytes *
envelope_end (GString *out)
{
  g_string_append (out, "</soap:Body></soap:Envelope>\n");
  return g_string_free_to_bytes (out);
}

static void
append_text_element (GString    *out,
                     const char *name,
                     const char *text)
{
  g_string_append_c (out, '<');
  g_string_append (out, name);
  g_string_append_c (out, '>');
  ews_xml_append_escaped (out, text);
  g_string_append (out, "</");
  g_string_append (out, name);
  g_string_append_c (out, '>');
}

static void
append_folder_ref (GString            *out,
                   const EwsFolderRef *ref)
{
  if (ref->id != NULL)
    {
      g_string_append (out, "<t:FolderId Id=\"");
      ews_xml_append_escaped (out, ref->id);
      if (ref->change_key != NULL)
        {
          g_string_append (out, "\" ChangeKey=\"");
          ews_xml_append_escaped (out, ref->change_key);
        }
      g_string_append (out, "\"/>");
      return;
    }

  g_string_append (out, "<t:DistinguishedFolderId Id=\"");
  ews_xml_append_escaped (out, ref->distinguished_id);
  if (ref->mailbox == NULL)
    {
      g_string_append (out, "\"/>");
      return;
    }
  g_string_append (out, "\"><t:Mailbox>");
  append_text_element (out, "t:EmailAddress", ref->mailbox);
  g_string_append (out, "</t:Mailbox></t:DistinguishedFolderId>");
}

static void
append_folder_ids (GString   *out,
                   GPtrArray *folder_refs)
{
  g_string_append (out, "<t:FolderIds>");
  for (guint i = 0; i < folder_refs->len; i++)
    append_folder_ref (out, g_ptr_array_index (folder_refs, i));
  g_string_append (out, "</t:FolderIds>");
}

static void
append_field_uris (GString           *out,
                   const char *const *fields)
{
  for (gsize i = 0; fields[i] != NULL; i++)
    {
      g_string_append (out, "<t:FieldURI FieldURI=\"");
      g_string_append (out, fields[i]);
      g_string_append (out, "\"/>");
    }
}

static gboolean
folder_refs_valid (GPtrArray *folder_refs)
{
  if (folder_refs == NULL || folder_refs->len == 0)
    return FALSE;
  for (guint i = 0; i < folder_refs->len; i++)
    {
      const EwsFolderRef *ref = g_ptr_array_index (folder_refs, i);

      if (ref == NULL || (ref->id == NULL && ref->distinguished_id == NULL))
        return FALSE;
    }
  return TRUE;
}

/**
 * ews_request_get_folder:
 * @server_version: (nullable): RequestServerVersion
 * @folder_refs: (element-type EwsFolderRef): the folders, at least one
 *
 * Returns: (transfer full): a GetFolder request asking for ids, DisplayName and FolderClass
 */
GBytes *
ews_request_get_folder (const char *server_version,
                        GPtrArray  *folder_refs)
{
  GString *out;

  g_return_val_if_fail (folder_refs_valid (folder_refs), NULL);

  out = envelope_begin (server_version);
  g_string_append (out, "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>"
                        "<t:AdditionalProperties>"
                        "<t:FieldURI FieldURI=\"folder:DisplayName\"/>"
                        "<t:FieldURI FieldURI=\"folder:FolderClass\"/>"
                        "</t:AdditionalProperties></m:FolderShape><m:FolderIds>");
  for (guint i = 0; i < folder_refs->len; i++)
    append_folder_ref (out, g_ptr_array_index (folder_refs, i));
  g_string_append (out, "</m:FolderIds></m:GetFolder>");
  return envelope_end (out);
}

static void
append_event_types (GString     *out,
                    EwsEventMask mask)
{
  /* StatusEvent cannot be subscribed to; the server produces it. */
  static const EwsEventType order[] = {
    EWS_EVENT_TYPE_CREATED, EWS_EVENT_TYPE_MODIFIED, EWS_EVENT_TYPE_DELETED, EWS_EVENT_TYPE_MOVED,
    EWS_EVENT_TYPE_COPIED, EWS_EVENT_TYPE_NEW_MAIL, EWS_EVENT_TYPE_FREE_BUSY_CHANGED
  };

  g_string_append (out, "<t:EventTypes>");
  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    if (mask & (1 << order[i]))
      append_text_element (out, "t:EventType", ews_event_type_to_string (order[i]));
  g_string_append (out, "</t:EventTypes>");
}

static GString *
subscribe_begin (const char  *server_version,
                 const char  *kind,
                 GPtrArray   *folder_refs,
                 EwsEventMask mask,
                 const char  *watermark)
{
  GString *out = envelope_begin (server_version);

  g_string_append_printf (out, "<m:Subscribe><m:%sSubscriptionRequest>", kind);
  append_folder_ids (out, folder_refs);
  append_event_types (out, mask);
  if (watermark != NULL)
    append_text_element (out, "t:Watermark", watermark);
  return out;
}

static GBytes *
subscribe_end (GString    *out,
               const char *kind)
{
  g_string_append_printf (out, "</m:%sSubscriptionRequest></m:Subscribe>", kind);
  return envelope_end (out);
}

/**
 * ews_request_subscribe_streaming:
 * @server_version: (nullable): at least Exchange2010_SP1
 * @folder_refs: (element-type EwsFolderRef): folders of one mailbox
 * @mask: the event types, at least one
 *
 * Returns: (transfer full): a Subscribe request for a streaming subscription
 */
GBytes *
ews_request_subscribe_streaming (const char  *server_version,
                                 GPtrArray   *folder_refs,
                                 EwsEventMask mask)
{
  g_return_val_if_fail (folder_refs_valid (folder_refs), NULL);
  g_return_val_if_fail ((mask & SUBSCRIBABLE_EVENTS) != 0, NULL);

  return subscribe_end (subscribe_begin (server_version, "Streaming", folder_refs, mask, NULL), "Streaming");
}

/**
 * ews_request_subscribe_pull:
 * @server_version: (nullable): RequestServerVersion
 * @folder_refs: (element-type EwsFolderRef): folders of one mailbox
 * @mask: the event types, at least one
 * @watermark: (nullable): where to resume
 * @timeout_minutes: idle lifetime, clamped to 1–1440
 *
 * Returns: (transfer full): a Subscribe request for a pull subscription
 */
GBytes *
ews_request_subscribe_pull (const char  *server_version,
                            GPtrArray   *folder_refs,
                            EwsEventMask mask,
                            const char  *watermark,
                            guint        timeout_minutes)
{
  GString *out;

  g_return_val_if_fail (folder_refs_valid (folder_refs), NULL);
  g_return_val_if_fail ((mask & SUBSCRIBABLE_EVENTS) != 0, NULL);

  out = subscribe_begin (server_version, "Pull", folder_refs, mask, watermark);
  g_string_append_printf (out, "<t:Timeout>%u</t:Timeout>",
                          CLAMP (timeout_minutes, 1, EWS_REQUEST_MAX_SUBSCRIPTION_TIMEOUT));
  return subscribe_end (out, "Pull");
}

/**
 * ews_request_subscribe_push:
 * @server_version: (nullable): RequestServerVersion
 * @folder_refs: (element-type EwsFolderRef): folders of one mailbox
 * @mask: the event types, at least one
 * @watermark: (nullable): where to resume
 * @url: the listener the server POSTs SendNotification to
 * @status_frequency_minutes: clamped to 1–1440
 *
 * Returns: (transfer full): a Subscribe request for a push subscription
 */
GBytes *
ews_request_subscribe_push (const char  *server_version,
                            GPtrArray   *folder_refs,
                            EwsEventMask mask,
                            const char  *watermark,
                            const char  *url,
                            guint        status_frequency_minutes)
{
  GString *out;

  g_return_val_if_fail (folder_refs_valid (folder_refs), NULL);
  g_return_val_if_fail ((mask & SUBSCRIBABLE_EVENTS) != 0, NULL);
  g_return_val_if_fail (url != NULL, NULL);

  out = subscribe_begin (server_version, "Push", folder_refs, mask, watermark);
  g_string_append_printf (out, "<t:StatusFrequency>%u</t:StatusFrequency>",
                          CLAMP (status_frequency_minutes, 1, EWS_REQUEST_MAX_SUBSCRIPTION_TIMEOUT));
  append_text_element (out, "t:URL", url);
  return subscribe_end (out, "Push");
}

/**
 * ews_request_get_streaming_events:
 * @server_version: (nullable): at least Exchange2010_SP1
 * @subscription_ids: (array zero-terminated=1): 1 to 200 subscription ids
 * @connection_timeout_minutes: clamped to 1–30
 *
 * Returns: (transfer full): a GetStreamingEvents request
 */
GBytes *
ews_request_get_streaming_events (const char        *server_version,
                                  const char *const *subscription_ids,
                                  guint              connection_timeout_minutes)
{
  GString *out;
  guint    n_ids;

  g_return_val_if_fail (subscription_ids != NULL, NULL);
  n_ids = g_strv_length ((char **)subscription_ids);
  g_return_val_if_fail (n_ids >= 1 && n_ids <= EWS_REQUEST_MAX_STREAMING_IDS, NULL);

  out = envelope_begin (server_version);
  g_string_append (out, "<m:GetStreamingEvents><m:SubscriptionIds>");
  for (guint i = 0; i < n_ids; i++)
    append_text_element (out, "t:SubscriptionId", subscription_ids[i]);
  g_string_append_printf (out, "</m:SubscriptionIds><m:ConnectionTimeout>%u</m:ConnectionTimeout>"
                               "</m:GetStreamingEvents>",
                          CLAMP (connection_timeout_minutes, 1, EWS_REQUEST_MAX_CONNECTION_TIMEOUT));
  return envelope_end (out);
}

/**
 * ews_request_get_events:
 * @server_version: (nullable): RequestServerVersion
 * @subscription_id: a pull subscription
 * @watermark: the last watermark received
 *
 * Returns: (transfer full): a GetEvents request
 */
GBytes *
ews_request_get_events (const char *server_version,
                        const char *subscription_id,
                        const char *watermark)
{
  GString *out;

  g_return_val_if_fail (subscription_id != NULL, NULL);
  g_return_val_if_fail (watermark != NULL, NULL);

  out = envelope_begin (server_version);
  g_string_append (out, "<m:GetEvents>");
  append_text_element (out, "m:SubscriptionId", subscription_id);
  append_text_element (out, "m:Watermark", watermark);
  g_string_append (out, "</m:GetEvents>");
  return envelope_end (out);
}

/**
 * ews_request_unsubscribe:
 * @server_version: (nullable): RequestServerVersion
 * @subscription_id: a streaming or pull subscription
 *
 * Returns: (transfer full): an Unsubscribe request
 */
GBytes *
ews_request_unsubscribe (const char *server_version,
                         const char *subscription_id)
{
  GString *out;

  g_return_val_if_fail (subscription_id != NULL, NULL);

  out = envelope_begin (server_version);
  g_string_append (out, "<m:Unsubscribe>");
  append_text_element (out, "m:SubscriptionId", subscription_id);
  g_string_append (out, "</m:Unsubscribe>");
  return envelope_end (out);
}

/**
 * ews_request_sync_folder_items:
 * @server_version: (nullable): RequestServerVersion
 * @folder: the folder to synchronise
 * @kind: decides which calendar or task properties are asked for
 * @sync_state: (nullable): the state returned last time; %NULL for a full sync
 * @max_changes: clamped to 1–512
 *
 * Returns: (transfer full): a SyncFolderItems request
 */
GBytes *
ews_request_sync_folder_items (const char         *server_version,
                               const EwsFolderRef *folder,
                               EwsFolderKind       kind,
                               const char         *sync_state,
                               guint               max_changes)
{
  GString *out;

  g_return_val_if_fail (folder != NULL && (folder->id != NULL || folder->distinguished_id != NULL), NULL);

  out = envelope_begin (server_version);
  g_string_append (out, "<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>"
                        "<t:AdditionalProperties>");
  append_field_uris (out, item_fields);
  if (kind == EWS_FOLDER_KIND_CALENDAR)
    append_field_uris (out, calendar_fields);
  else if (kind == EWS_FOLDER_KIND_TASKS)
    append_field_uris (out, task_fields);
  g_string_append (out, "</t:AdditionalProperties></m:ItemShape><m:SyncFolderId>");
  append_folder_ref (out, folder);
  g_string_append (out, "</m:SyncFolderId>");
  if (sync_state != NULL && *sync_state != '\0')
    append_text_element (out, "m:SyncState", sync_state);
  g_string_append_printf (out, "<m:MaxChangesReturned>%u</m:MaxChangesReturned>"
                               "<m:SyncScope>NormalItems</m:SyncScope></m:SyncFolderItems>",
                          CLAMP (max_changes, 1, EWS_REQUEST_MAX_SYNC_CHANGES));
  return envelope_end (out);
}

/**
 * ews_request_get_item:
 * @server_version: (nullable): RequestServerVersion
 * @item_ids: (array zero-terminated=1): at least one ItemId
 *
 * Asks for the calendar and task properties a notification shows, the body as
 * plain text (item:Body works on every server version; item:Preview needs 2013)
 * and the attendees.
 *
 * Returns: (transfer full): a GetItem request
 */
GBytes *
ews_request_get_item (const char        *server_version,
                      const char *const *item_ids)
{
  GString *out;

  g_return_val_if_fail (item_ids != NULL && item_ids[0] != NULL, NULL);

  out = envelope_begin (server_version);
  g_string_append (out, "<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>"
                        "<t:BodyType>Text</t:BodyType><t:AdditionalProperties>");
  append_field_uris (out, item_fields);
  append_field_uris (out, calendar_fields);
  append_field_uris (out, task_fields);
  append_field_uris (out, detail_fields);
  g_string_append (out, "</t:AdditionalProperties></m:ItemShape><m:ItemIds>");
  for (gsize i = 0; item_ids[i] != NULL; i++)
    {
      g_string_append (out, "<t:ItemId Id=\"");
      ews_xml_append_escaped (out, item_ids[i]);
      g_string_append (out, "\"/>");
    }
  g_string_append (out, "</m:ItemIds></m:GetItem>");
  return envelope_end (out);
}

/**
 * ews_request_send_notification_result:
 * @status: keep or end the push subscription
 *
 * Returns: (transfer full): the envelope a push listener answers SendNotification with
 */
GBytes *
ews_request_send_notification_result (EwsPushStatus status)
{
  GString *out = g_string_new ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                               "<soap:Envelope"
                               " xmlns:soap=\"" EWS_NS_SOAP "\""
                               " xmlns:m=\"" EWS_NS_MESSAGES "\">"
                               "<soap:Body>");

  g_string_append_printf (out, "<m:SendNotificationResult><m:SubscriptionStatus>%s</m:SubscriptionStatus>"
                               "</m:SendNotificationResult>",
                          status == EWS_PUSH_STATUS_UNSUBSCRIBE ? "Unsubscribe" : "OK");
  return envelope_end (out);
}

/**
 * ews_request_autodiscover:
 * @email_address: the mailbox to discover
 *
 * Returns: (transfer full): a POX Autodiscover request (not SOAP)
 */
GBytes *
ews_request_autodiscover (const char *email_address)
{
  GString *out;

  g_return_val_if_fail (email_address != NULL, NULL);

  out = g_string_new ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                      "<Autodiscover xmlns=\"" EWS_NS_AUTODISCOVER_REQUEST "\"><Request>");
  append_text_element (out, "EMailAddress", email_address);
  append_text_element (out, "AcceptableResponseSchema", EWS_NS_AUTODISCOVER_RESPONSE);
  g_string_append (out, "</Request></Autodiscover>\n");
  return g_string_free_to_bytes (out);
}
