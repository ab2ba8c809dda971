/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-sim-colleague"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "ews-sim-colleague.h"

#include "ews-error.h"
#include "ews-types.h"
#include "ews-xml-private.h"

/* A colleague who edits a mailbox through EWS over HTTP, as Outlook would: its
 * own session, Basic auth, one request per change. */

struct _EwsSimColleague
{
  GObject      parent_instance;
  SoupSession *session;
  char        *url;
  char        *authorization;
};

G_DEFINE_FINAL_TYPE (EwsSimColleague, ews_sim_colleague, G_TYPE_OBJECT)

static void
ews_sim_colleague_dispose (GObject *object)
{
  EwsSimColleague *self = EWS_SIM_COLLEAGUE (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ews_sim_colleague_parent_class)->dispose (object);
}

static void
ews_sim_colleague_finalize (GObject *object)
{
  EwsSimColleague *self = EWS_SIM_COLLEAGUE (object);

  g_free (self->url);
  g_free (self->authorization);

  G_OBJECT_CLASS (ews_sim_colleague_parent_class)->finalize (object);
}

static void
ews_sim_colleague_class_init (EwsSimColleagueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ews_sim_colleague_dispose;
  object_class->finalize = ews_sim_colleague_finalize;
}

static void
ews_sim_colleague_init (EwsSimColleague *self)
{
  self->session = soup_session_new_with_options ("timeout", 30, NULL);
}

/**
 * ews_sim_colleague_new:
 * @url: the EWS URL
 * @user: (not nullable): the colleague's user name
 * @password: the password
 *
 * Returns: (transfer full): a colleague; it trusts any certificate, so use it
 *   only against the simulator
 */
EwsSimColleague *
ews_sim_colleague_new (const char *url,
                       const char *user,
                       const char *password)
{
  EwsSimColleague *self;
  g_autofree char *pair = NULL;
  g_autofree char *encoded = NULL;

  g_return_val_if_fail (url != NULL && user != NULL && password != NULL, NULL);

  self = g_object_new (EWS_TYPE_SIM_COLLEAGUE, NULL);
  self->url = g_strdup (url);
  pair = g_strdup_printf ("%s:%s", user, password);
  encoded = g_base64_encode ((const guchar *)pair, strlen (pair));
  self->authorization = g_strdup_printf ("Basic %s", encoded);
  return self;
}

static gboolean
accept_certificate_cb (SoupMessage         *msg,
                       GTlsCertificate     *certificate,
                       GTlsCertificateFlags errors,
                       gpointer             user_data)
{
  return TRUE;
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr (xmlDoc) doc = NULL;
  xmlNode *response;
  xmlNode *messages;
  xmlNode *message;
  xmlNode *items;
  xmlNode *item;
  xmlNode *item_id;
  GError  *message_error;

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  doc = ews_xml_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  if (doc == NULL)
    {
      g_task_return_new_error (task, EWS_ERROR, EWS_ERROR_PROTOCOL, "HTTP %u without a SOAP answer", soup_message_get_status (msg));
      return;
    }
  response = ews_xml_soap_body (doc, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  messages = ews_xml_child (response, EWS_NS_MESSAGES, "ResponseMessages");
  message = messages != NULL ? ews_xml_first_element (messages->children) : NULL;
  if (message == NULL)
    {
      g_task_return_new_error (task, EWS_ERROR, EWS_ERROR_PROTOCOL, "No ResponseMessage");
      return;
    }
  message_error = ews_xml_response_message_error (message);
  if (message_error != NULL)
    {
      g_task_return_error (task, message_error);
      return;
    }
  items = ews_xml_child (message, EWS_NS_MESSAGES, "Items");
  item = items != NULL ? ews_xml_first_element (items->children) : NULL;
  item_id = item != NULL ? ews_xml_child (item, EWS_NS_TYPES, "ItemId") : NULL;
  g_task_return_pointer (task, item_id != NULL ? ews_xml_attr (item_id, "Id") : g_strdup (""), g_free);
}

static void
post (EwsSimColleague    *self,
      gpointer            source_tag,
      GString            *body,
      GCancellable       *cancellable,
      GAsyncReadyCallback callback,
      gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, self->url);
  g_autoptr (GBytes) bytes = NULL;

  g_task_set_source_tag (task, source_tag);
  g_string_prepend (body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                          "<soap:Envelope xmlns:soap=\"" EWS_NS_SOAP "\" xmlns:m=\"" EWS_NS_MESSAGES "\" xmlns:t=\"" EWS_NS_TYPES "\">"
                          "<soap:Header><t:RequestServerVersion Version=\"Exchange2013_SP1\"/></soap:Header><soap:Body>");
  g_string_append (body, "</soap:Body></soap:Envelope>");
  bytes = g_string_free_to_bytes (body);
  soup_message_set_request_body_from_bytes (msg, "text/xml; charset=utf-8", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", self->authorization);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), NULL);
  g_task_set_task_data (task, g_object_ref (msg), g_object_unref);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable, sent_cb, g_steal_pointer (&task));
}

static void
append_text (GString    *out,
             const char *element,
             const char *text)
{
  g_string_append_printf (out, "<t:%s>", element);
  ews_xml_append_escaped (out, text);
  g_string_append_printf (out, "</t:%s>", element);
}

static void
append_date (GString    *out,
             const char *element,
             GDateTime  *date)
{
  g_autofree char *text = ews_xml_format_date_time (date);

  append_text (out, element, text);
}

static void
append_folder (GString    *out,
               const char *container,
               const char *distinguished,
               const char *mailbox)
{
  g_string_append_printf (out, "<m:%s><t:DistinguishedFolderId Id=\"%s\">", container, distinguished);
  if (mailbox != NULL)
    {
      g_string_append (out, "<t:Mailbox>");
      append_text (out, "EmailAddress", mailbox);
      g_string_append (out, "</t:Mailbox>");
    }
  g_string_append_printf (out, "</t:DistinguishedFolderId></m:%s>", container);
}

void
ews_sim_colleague_create_meeting_async (EwsSimColleague    *self,
                                        const char         *mailbox,
                                        const char         *subject,
                                        GDateTime          *start,
                                        GDateTime          *end,
                                        const char         *location,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data)
{
  GString *out = g_string_new ("<m:CreateItem SendMeetingInvitations=\"SendToNone\">");

  g_return_if_fail (EWS_IS_SIM_COLLEAGUE (self));
  g_return_if_fail (subject != NULL && start != NULL && end != NULL);

  append_folder (out, "SavedItemFolderId", "calendar", mailbox);
  g_string_append (out, "<m:Items><t:CalendarItem>");
  append_text (out, "Subject", subject);
  g_string_append (out, "<t:Body BodyType=\"Text\">");
  ews_xml_append_escaped (out, "Let's meet to go through the open points.");
  g_string_append (out, "</t:Body>");
  append_date (out, "Start", start);
  append_date (out, "End", end);
  if (location != NULL)
    append_text (out, "Location", location);
  if (mailbox != NULL)
    {
      g_string_append (out, "<t:RequiredAttendees><t:Attendee><t:Mailbox>");
      append_text (out, "EmailAddress", mailbox);
      g_string_append (out, "</t:Mailbox></t:Attendee></t:RequiredAttendees>");
    }
  g_string_append (out, "</t:CalendarItem></m:Items></m:CreateItem>");
  post (self, ews_sim_colleague_create_meeting_async, out, cancellable, callback, user_data);
}

void
ews_sim_colleague_create_task_async (EwsSimColleague    *self,
                                     const char         *mailbox,
                                     const char         *subject,
                                     GDateTime          *due,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  GString *out = g_string_new ("<m:CreateItem>");

  g_return_if_fail (EWS_IS_SIM_COLLEAGUE (self));
  g_return_if_fail (subject != NULL);

  append_folder (out, "SavedItemFolderId", "tasks", mailbox);
  g_string_append (out, "<m:Items><t:Task>");
  append_text (out, "Subject", subject);
  if (due != NULL)
    append_date (out, "DueDate", due);
  append_text (out, "Status", "NotStarted");
  g_string_append (out, "</t:Task></m:Items></m:CreateItem>");
  post (self, ews_sim_colleague_create_task_async, out, cancellable, callback, user_data);
}

/**
 * ews_sim_colleague_create_finish:
 *
 * Returns: (transfer full): the new ItemId
 */
char *
ews_sim_colleague_create_finish (EwsSimColleague *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ews_sim_colleague_update_async:
 * @field_uri: "item:Subject", "calendar:Start", "task:PercentComplete", …
 * @value: (nullable): the new value as xs text; %NULL deletes the field
 */
void
ews_sim_colleague_update_async (EwsSimColleague    *self,
                                const char         *item_id,
                                const char         *field_uri,
                                const char         *value,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  GString    *out = g_string_new ("<m:UpdateItem ConflictResolution=\"AlwaysOverwrite\" SendMeetingInvitationsOrCancellations=\"SendToNone\">");
  const char *name;
  const char *element = "Item";

  g_return_if_fail (EWS_IS_SIM_COLLEAGUE (self));
  g_return_if_fail (item_id != NULL && field_uri != NULL && strchr (field_uri, ':') != NULL);

  name = strchr (field_uri, ':') + 1;
  if (g_str_has_prefix (field_uri, "calendar:"))
    element = "CalendarItem";
  else if (g_str_has_prefix (field_uri, "task:"))
    element = "Task";

  g_string_append (out, "<m:ItemChanges><t:ItemChange><t:ItemId Id=\"");
  ews_xml_append_escaped (out, item_id);
  g_string_append (out, "\"/><t:Updates>");
  if (value == NULL)
    {
      g_string_append_printf (out, "<t:DeleteItemField><t:FieldURI FieldURI=\"%s\"/></t:DeleteItemField>", field_uri);
    }
  else
    {
      g_string_append_printf (out, "<t:SetItemField><t:FieldURI FieldURI=\"%s\"/><t:%s>", field_uri, element);
      if (g_str_equal (name, "Body"))
        g_string_append (out, "<t:Body BodyType=\"Text\">");
      else
        g_string_append_printf (out, "<t:%s>", name);
      ews_xml_append_escaped (out, value);
      g_string_append_printf (out, "</t:%s></t:%s></t:SetItemField>", name, element);
    }
  g_string_append (out, "</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>");
  post (self, ews_sim_colleague_update_async, out, cancellable, callback, user_data);
}

void
ews_sim_colleague_delete_async (EwsSimColleague    *self,
                                const char         *item_id,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  GString *out = g_string_new ("<m:DeleteItem DeleteType=\"HardDelete\" SendMeetingCancellations=\"SendToNone\" AffectedTaskOccurrences=\"AllOccurrences\">");

  g_return_if_fail (EWS_IS_SIM_COLLEAGUE (self));
  g_return_if_fail (item_id != NULL);

  g_string_append (out, "<m:ItemIds><t:ItemId Id=\"");
  ews_xml_append_escaped (out, item_id);
  g_string_append (out, "\"/></m:ItemIds></m:DeleteItem>");
  post (self, ews_sim_colleague_delete_async, out, cancellable, callback, user_data);
}

void
ews_sim_colleague_move_async (EwsSimColleague    *self,
                              const char         *item_id,
                              const char         *to_distinguished_folder,
                              const char         *mailbox,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  GString *out = g_string_new ("<m:MoveItem>");

  g_return_if_fail (EWS_IS_SIM_COLLEAGUE (self));
  g_return_if_fail (item_id != NULL && to_distinguished_folder != NULL);

  append_folder (out, "ToFolderId", to_distinguished_folder, mailbox);
  g_string_append (out, "<m:ItemIds><t:ItemId Id=\"");
  ews_xml_append_escaped (out, item_id);
  g_string_append (out, "\"/></m:ItemIds></m:MoveItem>");
  post (self, ews_sim_colleague_move_async, out, cancellable, callback, user_data);
}

gboolean
ews_sim_colleague_finish (EwsSimColleague *self,
                          GAsyncResult    *result,
                          GError         **error)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  id = g_task_propagate_pointer (G_TASK (result), error);
  return id != NULL;
}

/* Synchronous forms for tests: each runs the thread-default main context until the
 * answer is there, so the simulator (in the same thread or not) keeps serving. */

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  GMainContext *context = g_main_context_ref_thread_default ();

  while (*slot == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_unref (context);
  return *slot;
}

/**
 * ews_sim_colleague_create_meeting:
 *
 * The synchronous form of ews_sim_colleague_create_meeting_async().
 *
 * Returns: (transfer full): the new ItemId, or %NULL with @error set
 */
char *
ews_sim_colleague_create_meeting (EwsSimColleague *self,
                                  const char      *mailbox,
                                  const char      *subject,
                                  GDateTime       *start,
                                  GDateTime       *end,
                                  const char      *location,
                                  GError         **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  ews_sim_colleague_create_meeting_async (self, mailbox, subject, start, end, location, NULL, store_result, &result);
  return ews_sim_colleague_create_finish (self, wait_result (&result), error);
}

/**
 * ews_sim_colleague_create_task:
 *
 * Returns: (transfer full): the new ItemId, or %NULL with @error set
 */
char *
ews_sim_colleague_create_task (EwsSimColleague *self,
                               const char      *mailbox,
                               const char      *subject,
                               GDateTime       *due,
                               GError         **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  ews_sim_colleague_create_task_async (self, mailbox, subject, due, NULL, store_result, &result);
  return ews_sim_colleague_create_finish (self, wait_result (&result), error);
}

gboolean
ews_sim_colleague_update (EwsSimColleague *self,
                          const char      *item_id,
                          const char      *field_uri,
                          const char      *value,
                          GError         **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  ews_sim_colleague_update_async (self, item_id, field_uri, value, NULL, store_result, &result);
  return ews_sim_colleague_finish (self, wait_result (&result), error);
}

gboolean
ews_sim_colleague_delete (EwsSimColleague *self,
                          const char      *item_id,
                          GError         **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  ews_sim_colleague_delete_async (self, item_id, NULL, store_result, &result);
  return ews_sim_colleague_finish (self, wait_result (&result), error);
}

/**
 * ews_sim_colleague_move:
 *
 * Returns: (transfer full): the item's new id, as MoveItem answers it, or %NULL with
 *   @error set
 */
char *
ews_sim_colleague_move (EwsSimColleague *self,
                        const char      *item_id,
                        const char      *to_distinguished_folder,
                        const char      *mailbox,
                        GError         **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  ews_sim_colleague_move_async (self, item_id, to_distinguished_folder, mailbox, NULL, store_result, &result);
  return ews_sim_colleague_create_finish (self, wait_result (&result), error);
}
