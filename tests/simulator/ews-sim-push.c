/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-sim-stream"

#include "config.h"

#include "ews-sim-private.h"
#include "ews-xml-private.h"

/* Push subscriptions: SendNotification requests to the subscriber's URL, with
 * the events the listener has not yet acknowledged. */

static void push_send (EwsSimSubscription *sub);

static gboolean
push_cb (gpointer data)
{
  EwsSimSubscription *sub = data;

  g_clear_pointer (&sub->push_source, ews_sim_source_clear);
  if (!sub->push_busy)
    push_send (sub);
  return G_SOURCE_REMOVE;
}

void
ews_sim_push_schedule (EwsSimSubscription *sub,
                       guint               delay_ms)
{
  if (sub->push_source != NULL)
    {
      if (delay_ms != 0)
        return;
      g_clear_pointer (&sub->push_source, ews_sim_source_clear);
    }
  sub->push_source = ews_sim_add_timeout (sub->sim, delay_ms, push_cb, sub);
}

static void
push_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  EwsSimSubscription *sub = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr (xmlDoc) doc = NULL;
  g_autofree char *status = NULL;
  xmlNode         *body;
  guint            sent;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  sub->push_busy = FALSE;
  sent = sub->push_sent;
  if (bytes != NULL)
    {
      ews_sim_traffic_bytes (sub->sim, "SendNotification", FALSE, bytes);
      doc = ews_xml_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
    }
  body = doc != NULL ? ews_xml_soap_body (doc, NULL) : NULL;
  status = body != NULL ? ews_xml_child_text (body, EWS_NS_MESSAGES, "SubscriptionStatus") : NULL;
  if (g_strcmp0 (status, "Unsubscribe") == 0)
    {
      g_debug ("push subscription ended by the listener");
      g_hash_table_remove (sub->sim->subscriptions, sub->id);
      return;
    }
  if (g_strcmp0 (status, "OK") == 0)
    {
      for (guint i = 0; i < sent && sub->events.length > 0; i++)
        {
          EwsSimEvent *event = g_queue_pop_head (&sub->events);

          sub->watermark = event->watermark;
          ews_sim_event_unref (event);
        }
      if (sub->events.length > 0)
        ews_sim_push_schedule (sub, 0);
    }
  /* Status events keep a quiet subscription alive; failed deliveries retry then. */
  ews_sim_push_schedule (sub, MAX (sub->status_frequency, 1) * sub->sim->minute_ms);
}

static void
push_send (EwsSimSubscription *sub)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, sub->url);
  g_autoptr (GBytes) body = NULL;
  g_autofree char *previous = ews_sim_watermark_encode (sub->watermark);
  guint            n = MIN (sub->events.length, MAX_EVENTS_PER_NOTIFICATION);

  if (msg == NULL)
    return;
  g_string_append (out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                        "<soap:Envelope xmlns:soap=\"" EWS_NS_SOAP "\"><soap:Header>"
                        "<t:RequestServerVersion xmlns:t=\"" EWS_NS_TYPES "\" Version=\"Exchange2016\"/></soap:Header>"
                        "<soap:Body><m:SendNotification xmlns:m=\"" EWS_NS_MESSAGES "\" xmlns:t=\"" EWS_NS_TYPES "\"><m:ResponseMessages>");
  ews_sim_message_begin (out, "SendNotification", NULL, NULL);
  ews_sim_write_notification (out, sub, TRUE, previous, FALSE);
  ews_sim_message_end (out, "SendNotification");
  g_string_append (out, "</m:ResponseMessages></m:SendNotification></soap:Body></soap:Envelope>");
  ews_sim_traffic (sub->sim, "SendNotification", TRUE, out->str, out->len);

  body = g_bytes_new (out->str, out->len);
  soup_message_set_request_body_from_bytes (msg, "text/xml; charset=utf-8", body);
  sub->push_sent = n;
  sub->push_busy = TRUE;
  soup_session_send_and_read_async (sub->sim->push_session, msg, G_PRIORITY_DEFAULT, sub->cancellable, push_sent_cb, sub);
}
