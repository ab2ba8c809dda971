/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-simulator"

#include "config.h"

#include <string.h>

#include "ews-sim-private.h"
#include "ews-xml-private.h"

/* Requests as they arrive: Basic auth, injected faults, and dispatch of SOAP
 * operations to the handlers in the other ews-sim-*.c files. */

#define REALM "EWS Simulator"

typedef void (*EwsSimHandler) (EwsSimRequest *req);

static const struct
{
  const char   *operation;
  EwsSimHandler handler;
} handlers[] = {
  { "GetFolder", ews_sim_handle_get_folder },
  { "Subscribe", ews_sim_handle_subscribe },
  { "Unsubscribe", ews_sim_handle_unsubscribe },
  { "GetEvents", ews_sim_handle_get_events },
  { "GetStreamingEvents", ews_sim_handle_get_streaming_events },
  { "SyncFolderItems", ews_sim_handle_sync_folder_items },
  { "GetItem", ews_sim_handle_get_item },
  { "CreateItem", ews_sim_handle_create_item },
  { "UpdateItem", ews_sim_handle_update_item },
  { "DeleteItem", ews_sim_handle_delete_item },
  { "MoveItem", ews_sim_handle_move_item },
};

gboolean
ews_sim_take_fault (EwsSimulator *self,
                    EwsSimFault   fault,
                    guint        *param)
{
  if (self->faults[fault] == 0)
    return FALSE;
  self->faults[fault]--;
  if (param != NULL)
    *param = self->fault_param[fault];
  g_debug ("fault %d applied", fault);
  return TRUE;
}

void
ews_sim_traffic_bytes (EwsSimulator *self,
                       const char   *operation,
                       gboolean      is_response,
                       GBytes       *bytes)
{
  if (self->traffic_func != NULL)
    self->traffic_func (operation, is_response, bytes, self->traffic_data);
}

/* The same for bytes not yet in a GBytes: copied only when someone listens. */
void
ews_sim_traffic (EwsSimulator *self,
                 const char   *operation,
                 gboolean      is_response,
                 const char   *data,
                 gsize         length)
{
  g_autoptr (GBytes) bytes = NULL;

  if (self->traffic_func == NULL)
    return;
  bytes = g_bytes_new (data, length);
  ews_sim_traffic_bytes (self, operation, is_response, bytes);
}

static void
respond_text (EwsSimulator      *self,
              SoupServerMessage *msg,
              guint              status,
              const char        *operation,
              GString           *body)
{
  gsize length = body->len;
  g_autoptr (GBytes) bytes = g_bytes_new_take (g_string_free (body, FALSE), length);

  /* as soup_server_message_set_response(), but without copying the body */
  ews_sim_traffic_bytes (self, operation, TRUE, bytes);
  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Type", "text/xml; charset=utf-8");
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}

void
ews_sim_respond (EwsSimRequest *req,
                 GString       *envelope)
{
  respond_text (req->sim, req->msg, SOUP_STATUS_OK, req->operation, envelope);
}

EwsSimMailbox *
ews_sim_lookup_mailbox (EwsSimulator *self,
                        const char   *name_or_smtp)
{
  return g_hash_table_lookup (self->mailboxes, name_or_smtp);
}

EwsSimItem *
ews_sim_lookup_item (EwsSimulator *self,
                     const char   *id)
{
  for (guint i = 0; i < self->mailbox_list->len; i++)
    {
      EwsSimMailbox *mailbox = g_ptr_array_index (self->mailbox_list, i);
      EwsSimItem    *item = g_hash_table_lookup (mailbox->items, id);

      if (item != NULL)
        return item;
    }
  return NULL;
}

EwsSimFolder *
ews_sim_lookup_folder (EwsSimulator *self,
                       const char   *id)
{
  for (guint i = 0; i < self->mailbox_list->len; i++)
    {
      EwsSimMailbox *mailbox = g_ptr_array_index (self->mailbox_list, i);

      for (guint j = 0; j < mailbox->folders->len; j++)
        {
          EwsSimFolder *folder = g_ptr_array_index (mailbox->folders, j);

          if (strcmp (folder->id, id) == 0)
            return folder;
        }
    }
  return NULL;
}

static GString *
soap_fault (const char *code,
            const char *text)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out,
                          "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                          "<s:Envelope xmlns:s=\"" EWS_NS_SOAP "\"><s:Body><s:Fault>"
                          "<faultcode xmlns:a=\"" EWS_NS_TYPES "\">a:%s</faultcode>"
                          "<faultstring xml:lang=\"en-US\">%s</faultstring>"
                          "<detail><e:ResponseCode xmlns:e=\"" EWS_NS_ERRORS "\">%s</e:ResponseCode>"
                          "<e:Message xmlns:e=\"" EWS_NS_ERRORS "\">%s</e:Message></detail>"
                          "</s:Fault></s:Body></s:Envelope>",
                          code, text, code, text);
  return out;
}

/* Faults that replace the answer to any request; %TRUE when one was applied. */
static gboolean
apply_request_faults (EwsSimulator      *self,
                      SoupServerMessage *msg)
{
  guint param = 0;

  /* Not a different answer: the same one, on a connection that ends with it. */
  if (ews_sim_take_fault (self, EWS_SIM_FAULT_CLOSE_CONNECTION, NULL))
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  if (ews_sim_take_fault (self, EWS_SIM_FAULT_UNAUTHORIZED, NULL))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate", "Basic realm=\"" REALM "\"");
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      return TRUE;
    }
  if (ews_sim_take_fault (self, EWS_SIM_FAULT_HTTP_500, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      return TRUE;
    }
  if (ews_sim_take_fault (self, EWS_SIM_FAULT_HTTP_503, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      return TRUE;
    }
  if (ews_sim_take_fault (self, EWS_SIM_FAULT_SERVER_BUSY, &param))
    {
      respond_text (self, msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Fault", ews_sim_fault_server_busy (param));
      return TRUE;
    }
  return FALSE;
}

/**
 * ews_sim_connection_data:
 * @msg: a request
 * @key: the name of the state (a static string)
 * @size: the state's size: a new one is zero-filled
 * @free_func: frees the state
 *
 * A sign-in's state for @msg's connection, attached to its GSocket so that it ends
 * with the connection.
 *
 * Returns: (transfer none) (nullable): the state, made on first use; %NULL when
 *   @msg has no socket
 */
gpointer
ews_sim_connection_data (SoupServerMessage *msg,
                         const char        *key,
                         gsize              size,
                         GDestroyNotify     free_func)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  GQuark   quark = g_quark_from_static_string (key);
  gpointer data;

  if (socket == NULL)
    return NULL;
  data = g_object_get_qdata (G_OBJECT (socket), quark);
  if (data == NULL)
    {
      data = g_malloc0 (size);
      g_object_set_qdata_full (G_OBJECT (socket), quark, data, free_func);
    }
  return data;
}

/* The user a request is from; without one, @msg has got its 401. With NTLM and Kerberos off,
 * the Basic auth domain has already refused requests without valid credentials. */
static char *
authenticate (EwsSimulator      *self,
              SoupServerMessage *msg)
{
  char *user;

  if (self->kerberos != NULL)
    return ews_sim_negotiate_authenticate (self, msg);
  if (g_atomic_int_get (&self->ntlm))
    return ews_sim_ntlm_authenticate (self, msg);
  user = soup_auth_domain_accepts (self->auth_domain, msg);
  if (user == NULL)
    soup_auth_domain_challenge (self->auth_domain, msg);
  return user;
}

static void
ews_handler (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  EwsSimulator    *self = user_data;
  g_autofree char *user = authenticate (self, msg);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (xmlDoc) doc = NULL;
  EwsSimRequest req = { 0 };
  xmlNode      *element = NULL;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }
  if (user == NULL)
    return;
  if (apply_request_faults (self, msg))
    return;

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  doc = ews_xml_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  element = doc != NULL ? ews_xml_soap_body (doc, NULL) : NULL;
  req.sim = self;
  req.msg = msg;
  req.user = user;
  req.mailbox = ews_sim_lookup_mailbox (self, user);
  req.element = element;
  req.operation = element != NULL ? (const char *)element->name : "Unknown";
  ews_sim_traffic_bytes (self, req.operation, FALSE, body);

  if (element != NULL && ews_xml_is (element, EWS_NS_MESSAGES, (const char *)element->name) && req.mailbox != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
      if (strcmp (handlers[i].operation, req.operation) == 0)
        {
          g_debug ("%s from %s", req.operation, user);
          handlers[i].handler (&req);
          return;
        }

  g_debug ("unsupported request %s", req.operation);
  respond_text (self, msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Fault",
                soap_fault (element == NULL ? "ErrorSchemaValidation" : "ErrorInvalidRequest",
                            element == NULL ? "The request failed schema validation." : "The request is invalid."));
}

static void
autodiscover_handler (SoupServer        *server,
                      SoupServerMessage *msg,
                      const char        *path,
                      GHashTable        *query,
                      gpointer           user_data)
{
  EwsSimulator    *self = user_data;
  g_autofree char *user = authenticate (self, msg);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (xmlDoc) doc = NULL;
  xmlNode         *root, *request;
  g_autofree char *email = NULL;
  EwsSimMailbox   *mailbox;
  GString         *out;

  if (user == NULL)
    return;
  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  doc = ews_xml_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;
  request = root != NULL ? ews_xml_child (root, EWS_NS_AUTODISCOVER_REQUEST, "Request") : NULL;
  email = request != NULL ? ews_xml_child_text (request, EWS_NS_AUTODISCOVER_REQUEST, "EMailAddress") : NULL;
  mailbox = email != NULL ? ews_sim_lookup_mailbox (self, email) : NULL;
  out = g_string_new ("<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                      "<Autodiscover xmlns=\"" EWS_NS_AUTODISCOVER "\">");

  ews_sim_traffic_bytes (self, "Autodiscover", FALSE, body);
  if (apply_request_faults (self, msg))
    {
      g_string_free (out, TRUE);
      return;
    }
  if (mailbox == NULL)
    {
      g_string_append (out, "<Response><Error Time=\"00:00:00.0000000\" Id=\"1\"><ErrorCode>500</ErrorCode>"
                            "<Message>The e-mail address cannot be found.</Message><DebugData /></Error></Response>");
    }
  else
    {
      g_string_append (out, "<Response xmlns=\"" EWS_NS_AUTODISCOVER_RESPONSE "\"><User><DisplayName>");
      ews_xml_append_escaped (out, mailbox->display_name);
      g_string_append (out, "</DisplayName><AutoDiscoverSMTPAddress>");
      ews_xml_append_escaped (out, mailbox->smtp);
      g_string_append (out, "</AutoDiscoverSMTPAddress></User><Account><AccountType>email</AccountType>"
                            "<Action>settings</Action><MicrosoftOnline>False</MicrosoftOnline>");
      for (int i = 0; i < 2; i++)
        {
          g_string_append_printf (out, "<Protocol><Type>%s</Type><Server>127.0.0.1</Server><EwsUrl>", i == 0 ? "EXCH" : "EXPR");
          ews_xml_append_escaped (out, self->url);
          g_string_append (out, "</EwsUrl>");
          if (i == 1)
            g_string_append (out, "<GroupingInformation>SimulatorSite</GroupingInformation>");
          g_string_append (out, "</Protocol>");
        }
      g_string_append (out, "</Account></Response>");
    }
  g_string_append (out, "</Autodiscover>");
  respond_text (self, msg, SOUP_STATUS_OK, "Autodiscover", out);
}

static gboolean
auth_cb (SoupAuthDomain    *domain,
         SoupServerMessage *msg,
         const char        *username,
         const char        *password,
         gpointer           user_data)
{
  EwsSimulator    *self = user_data;
  g_autofree char *key = g_ascii_strdown (username, -1);
  const char      *expected = g_hash_table_lookup (self->passwords, key);
  g_autofree char *utf8 = NULL;

  /* Like IIS, Basic credentials are taken as ISO-8859-1 unless they are UTF-8 (libsoup
   * sends ISO-8859-1 whenever the text fits in it). */
  if (!g_utf8_validate (password, -1, NULL))
    utf8 = g_convert (password, -1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
  return expected != NULL && g_strcmp0 (expected, utf8 != NULL ? utf8 : password) == 0;
}

/* With NTLM on, the handlers sign requests in themselves (ews-sim-ntlm.c). */
static gboolean
basic_filter (SoupAuthDomain    *domain,
              SoupServerMessage *msg,
              gpointer           user_data)
{
  EwsSimulator *self = user_data;

  return !g_atomic_int_get (&self->ntlm);
}

/* Puts Basic auth in front of /EWS and /autodiscover and routes them here. */
void
ews_sim_dispatch_install (EwsSimulator *self)
{
  self->auth_domain = soup_auth_domain_basic_new ("realm", REALM, NULL);
  soup_auth_domain_basic_set_auth_callback (self->auth_domain, auth_cb, self, NULL);
  soup_auth_domain_set_filter (self->auth_domain, basic_filter, self, NULL);
  soup_auth_domain_add_path (self->auth_domain, "/EWS");
  soup_auth_domain_add_path (self->auth_domain, "/autodiscover");
  soup_server_add_auth_domain (self->server, self->auth_domain);
  soup_server_add_handler (self->server, "/EWS", ews_handler, self, NULL);
  soup_server_add_handler (self->server, "/autodiscover", autodiscover_handler, self, NULL);
}
