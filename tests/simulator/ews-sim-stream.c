/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-sim-stream"

#include "config.h"

#include <string.h>

#include "ews-sim-private.h"
#include "ews-xml-private.h"

/* Subscriptions (streaming, pull, push), event fan-out and the long-lived
 * GetStreamingEvents responses. Push delivery is in ews-sim-push.c. */

struct _EwsSimStream
{
  EwsSimulator      *sim;
  SoupServerMessage *msg;
  GPtrArray         *sub_ids;
  GSource           *keepalive;
  GSource           *timeout;
  GSource           *flush;
  gboolean           stalled;
  gboolean           done;
};

static void stream_schedule_flush (EwsSimStream *stream);

/* @timestamp: (nullable): when it happened; now if %NULL */
EwsSimEvent *
ews_sim_event_new (EwsEventType type,
                   GDateTime   *timestamp)
{
  EwsSimEvent *event = g_atomic_rc_box_new0 (EwsSimEvent);

  event->type = type;
  event->timestamp = timestamp != NULL ? g_date_time_ref (timestamp) : g_date_time_new_now_utc ();
  event->unread_count = -1;
  return event;
}

EwsSimEvent *
ews_sim_event_ref (EwsSimEvent *event)
{
  return g_atomic_rc_box_acquire (event);
}

static void
event_clear (gpointer data)
{
  EwsSimEvent *event = data;

  g_date_time_unref (event->timestamp);
  ews_sim_ref_string_clear (&event->id);
  ews_sim_ref_string_clear (&event->change_key);
  ews_sim_ref_string_clear (&event->parent_id);
  ews_sim_ref_string_clear (&event->parent_change_key);
  ews_sim_ref_string_clear (&event->old_id);
  ews_sim_ref_string_clear (&event->old_change_key);
  ews_sim_ref_string_clear (&event->old_parent_id);
  ews_sim_ref_string_clear (&event->old_parent_change_key);
}

void
ews_sim_event_unref (EwsSimEvent *event)
{
  g_atomic_rc_box_release_full (event, event_clear);
}

void
ews_sim_source_clear (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

GSource *
ews_sim_add_timeout (EwsSimulator *sim,
                     guint         ms,
                     GSourceFunc   func,
                     gpointer      data)
{
  GSource *source = ms == 0 ? g_idle_source_new () : g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, sim->context);
  return source;
}

void
ews_sim_subscription_free (EwsSimSubscription *sub)
{
  if (sub->mailbox != NULL)
    g_ptr_array_remove (sub->mailbox->subscriptions, sub);
  g_cancellable_cancel (sub->cancellable);
  g_clear_object (&sub->cancellable);
  g_clear_pointer (&sub->push_source, ews_sim_source_clear);
  g_queue_clear_full (&sub->events, (GDestroyNotify)ews_sim_event_unref);
  g_ptr_array_unref (sub->folders);
  g_free (sub->url);
  g_free (sub->id);
  g_free (sub);
}

static gboolean
subscription_watches (EwsSimSubscription *sub,
                      EwsSimFolder       *folder)
{
  if (folder == NULL || folder->mailbox != sub->mailbox)
    return FALSE;
  return sub->folders->len == 0 || g_ptr_array_find (sub->folders, folder, NULL);
}

static void
publish_to (EwsSimMailbox *mailbox,
            EwsSimFolder  *folder,
            EwsSimFolder  *other_folder,
            EwsSimEvent   *event)
{
  for (guint i = 0; i < mailbox->subscriptions->len; i++)
    {
      EwsSimSubscription *sub = g_ptr_array_index (mailbox->subscriptions, i);

      if ((sub->mask & (1u << event->type)) == 0)
        continue;
      if (!subscription_watches (sub, folder) && !subscription_watches (sub, other_folder))
        continue;
      g_queue_push_tail (&sub->events, ews_sim_event_ref (event));
      if (sub->stream != NULL)
        stream_schedule_flush (sub->stream);
      else if (sub->kind == EWS_SUBSCRIPTION_PUSH)
        ews_sim_push_schedule (sub, 0);
    }
}

/* Only the subscriptions on the folders' mailboxes can watch them. */
void
ews_sim_publish (EwsSimulator *self,
                 EwsSimFolder *folder,
                 EwsSimFolder *other_folder,
                 EwsSimEvent  *event)
{
  if (folder != NULL)
    publish_to (folder->mailbox, folder, other_folder, event);
  if (other_folder != NULL && (folder == NULL || other_folder->mailbox != folder->mailbox))
    publish_to (other_folder->mailbox, folder, other_folder, event);
}

static void
publish_folder_modified (EwsSimulator *self,
                         EwsSimFolder *folder,
                         GDateTime    *timestamp)
{
  g_autoptr (EwsSimEvent) event = ews_sim_event_new (EWS_EVENT_TYPE_MODIFIED, timestamp);

  event->watermark = folder->mailbox->next_watermark++;
  event->is_folder = TRUE;
  event->id = ews_sim_ref_string_acquire (folder->id);
  event->change_key = ews_sim_ref_string_acquire (folder->change_key);
  event->parent_id = ews_sim_ref_string_acquire (folder->parent->id);
  event->parent_change_key = ews_sim_ref_string_acquire (folder->parent->change_key);
  ews_sim_publish (self, folder, NULL, event);
}

/* One user action, the events a real server sends for it: the item event plus a
 * ModifiedEvent for every folder whose contents changed. */
void
ews_sim_item_event (EwsSimulator *self,
                    EwsEventType  type,
                    EwsSimItem   *item,
                    const char   *old_id,
                    const char   *old_change_key,
                    EwsSimFolder *old_folder)
{
  g_autoptr (EwsSimEvent) event = ews_sim_event_new (type, NULL);

  event->watermark = item->folder->mailbox->next_watermark++;
  event->id = ews_sim_ref_string_acquire (item->id);
  event->change_key = ews_sim_ref_string_acquire (item->change_key);
  event->parent_id = ews_sim_ref_string_acquire (item->folder->id);
  event->parent_change_key = ews_sim_ref_string_acquire (item->folder->change_key);
  if (old_folder != NULL)
    {
      event->old_id = old_id != NULL ? g_ref_string_new (old_id) : NULL;
      event->old_change_key = old_change_key != NULL ? g_ref_string_new (old_change_key) : NULL;
      event->old_parent_id = ews_sim_ref_string_acquire (old_folder->id);
      event->old_parent_change_key = ews_sim_ref_string_acquire (old_folder->change_key);
    }
  ews_sim_publish (self, item->folder, old_folder, event);
  if (type != EWS_EVENT_TYPE_MODIFIED)
    publish_folder_modified (self, item->folder, event->timestamp);
  if (old_folder != NULL)
    publish_folder_modified (self, old_folder, event->timestamp);
  if (self->commit_func != NULL)
    self->commit_func (item->id, g_get_monotonic_time (), self->commit_data);
}

/* Streams */

static void
stream_free (EwsSimStream *stream)
{
  g_clear_pointer (&stream->keepalive, ews_sim_source_clear);
  g_clear_pointer (&stream->timeout, ews_sim_source_clear);
  g_clear_pointer (&stream->flush, ews_sim_source_clear);
  for (guint i = 0; i < stream->sub_ids->len; i++)
    {
      EwsSimSubscription *sub = g_hash_table_lookup (stream->sim->subscriptions, g_ptr_array_index (stream->sub_ids, i));

      if (sub != NULL && sub->stream == stream)
        sub->stream = NULL;
    }
  g_signal_handlers_disconnect_by_data (stream->msg, stream);
  g_object_unref (stream->msg);
  g_ptr_array_unref (stream->sub_ids);
  g_free (stream);
}

static void
stream_finished_cb (SoupServerMessage *msg,
                    EwsSimStream      *stream)
{
  g_debug ("stream finished");
  g_ptr_array_remove (stream->sim->streams, stream);
  stream_free (stream);
}

static void
stream_write (EwsSimStream *stream,
              const char   *data,
              gsize         length,
              gboolean      report)
{
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);

  if (report)
    ews_sim_traffic (stream->sim, "GetStreamingEvents", TRUE, data, length);
  soup_message_body_append (body, SOUP_MEMORY_COPY, data, length);
  soup_server_message_unpause (stream->msg);
}

/* Hands a finished envelope over without copying it: a burst writes megabytes. */
static void
stream_write_envelope (EwsSimStream *stream,
                       GString      *out)
{
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);
  gsize            length = out->len;
  g_autoptr (GBytes) bytes = g_bytes_new_take (g_string_free (out, FALSE), length);

  ews_sim_traffic_bytes (stream->sim, "GetStreamingEvents", TRUE, bytes);
  soup_message_body_append_bytes (body, bytes);
  soup_server_message_unpause (stream->msg);
}

static void
stream_finish (EwsSimStream *stream)
{
  if (stream->done)
    return;
  stream->done = TRUE;
  g_clear_pointer (&stream->keepalive, ews_sim_source_clear);
  g_clear_pointer (&stream->timeout, ews_sim_source_clear);
  g_clear_pointer (&stream->flush, ews_sim_source_clear);
  soup_message_body_complete (soup_server_message_get_response_body (stream->msg));
  soup_server_message_unpause (stream->msg);
}

static void
stream_send_status (EwsSimStream *stream,
                    const char   *status,
                    const char   *error_code,
                    const char   *error_text)
{
  g_autoptr (GString) out = ews_sim_stream_envelope_begin ();

  ews_sim_message_begin (out, "GetStreamingEvents", error_code, error_text);
  if (error_code != NULL)
    {
      g_string_append (out, "<m:ErrorSubscriptionIds>");
      for (guint i = 0; i < stream->sub_ids->len; i++)
        {
          g_string_append (out, "<m:SubscriptionId>");
          ews_xml_append_escaped (out, g_ptr_array_index (stream->sub_ids, i));
          g_string_append (out, "</m:SubscriptionId>");
        }
      g_string_append (out, "</m:ErrorSubscriptionIds>");
    }
  g_string_append_printf (out, "<m:ConnectionStatus>%s</m:ConnectionStatus>", status);
  ews_sim_message_end (out, "GetStreamingEvents");
  ews_sim_stream_envelope_end (out);
  stream_write (stream, out->str, out->len, TRUE);
}

void
ews_sim_stream_close (EwsSimStream *stream,
                      gboolean      send_closed)
{
  if (stream->done)
    return;
  if (send_closed)
    stream_send_status (stream, "Closed", NULL, NULL);
  stream_finish (stream);
}

static void
drop_wrote_chunk_cb (SoupServerMessage *msg,
                     EwsSimStream      *stream)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  /* Cut the TCP connection under libsoup: the client sees half an envelope. */
  g_debug ("dropping stream");
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  g_signal_handlers_disconnect_by_func (msg, drop_wrote_chunk_cb, stream);
  stream_finish (stream);
}

/* Applies pending stream faults; %TRUE when the stream must send nothing more. */
static gboolean
stream_apply_faults (EwsSimStream *stream)
{
  if (stream->done || stream->stalled)
    return TRUE;
  if (ews_sim_take_fault (stream->sim, EWS_SIM_FAULT_STALL_STREAM, NULL))
    {
      stream->stalled = TRUE;
      g_clear_pointer (&stream->keepalive, ews_sim_source_clear);
      g_clear_pointer (&stream->timeout, ews_sim_source_clear);
      return TRUE;
    }
  if (ews_sim_take_fault (stream->sim, EWS_SIM_FAULT_DROP_STREAM, NULL))
    {
      g_autoptr (GString) out = ews_sim_stream_envelope_begin ();

      ews_sim_message_begin (out, "GetStreamingEvents", NULL, NULL);
      g_string_append (out, "<m:ConnectionStatus>OK</m:ConnectionStatus>");
      g_clear_pointer (&stream->keepalive, ews_sim_source_clear);
      g_clear_pointer (&stream->timeout, ews_sim_source_clear);
      g_signal_connect (stream->msg, "wrote-chunk", G_CALLBACK (drop_wrote_chunk_cb), stream);
      stream_write (stream, out->str, out->len / 2, FALSE);
      return TRUE;
    }
  if (ews_sim_take_fault (stream->sim, EWS_SIM_FAULT_MISSED_EVENTS, NULL))
    {
      stream_send_status (stream, "Closed", "ErrorMissedNotificationEvents", "One or more notification events were missed.");
      stream_finish (stream);
      return TRUE;
    }
  if (ews_sim_take_fault (stream->sim, EWS_SIM_FAULT_MALFORMED_XML, NULL))
    {
      static const char broken[] = "<Envelope xmlns=\"" EWS_NS_SOAP "\"><soap11:Body xmlns:soap11=\"" EWS_NS_SOAP "\">"
                                   "<m:GetStreamingEventsResponse xmlns:m=\"" EWS_NS_MESSAGES "\"><m:ResponseMessages <<& "
                                   "</m:Broken></soap11:Body></Envelope>";

      stream_write (stream, broken, sizeof broken - 1, FALSE);
    }
  return FALSE;
}

static gboolean
stream_flush_cb (gpointer data)
{
  EwsSimStream *stream = data;
  gboolean      more = TRUE;

  g_clear_pointer (&stream->flush, ews_sim_source_clear);
  if (stream_apply_faults (stream))
    return G_SOURCE_REMOVE;

  /* One Notification per subscription with events, each of at most 50 of them; an
   * envelope is closed once it holds 50, so that many subscriptions in a burst give
   * many envelopes of tens of kilobytes rather than one of megabytes, and a client
   * can work on the first while the rest are written. */
  while (more)
    {
      g_autoptr (GString) out = ews_sim_stream_envelope_begin ();
      guint n_events = 0;

      more = FALSE;
      ews_sim_message_begin (out, "GetStreamingEvents", NULL, NULL);
      g_string_append (out, "<m:Notifications>");
      for (guint i = 0; i < stream->sub_ids->len; i++)
        {
          EwsSimSubscription *sub = g_hash_table_lookup (stream->sim->subscriptions, g_ptr_array_index (stream->sub_ids, i));

          if (sub == NULL || sub->stream != stream || sub->events.length == 0)
            continue;
          if (n_events >= MAX_EVENTS_PER_NOTIFICATION)
            {
              more = TRUE;
              break;
            }
          n_events += MIN (sub->events.length, MAX_EVENTS_PER_NOTIFICATION);
          more |= ews_sim_write_notification (out, sub, FALSE, NULL, TRUE);
        }
      g_string_append (out, "</m:Notifications>");
      ews_sim_message_end (out, "GetStreamingEvents");
      ews_sim_stream_envelope_end (out);
      if (n_events > 0)
        stream_write_envelope (stream, g_steal_pointer (&out));
    }
  return G_SOURCE_REMOVE;
}

static void
stream_schedule_flush (EwsSimStream *stream)
{
  if (stream->flush == NULL && !stream->done && !stream->stalled)
    stream->flush = ews_sim_add_timeout (stream->sim, 0, stream_flush_cb, stream);
}

/* Sends what is queued on every stream now rather than in the next iteration:
 * for the in-process changes of a benchmark, whose envelope would otherwise wait
 * for the main loop to come round once more. */
void
ews_sim_flush_streams (EwsSimulator *self)
{
  for (guint i = 0; i < self->streams->len; i++)
    {
      EwsSimStream *stream = g_ptr_array_index (self->streams, i);

      if (stream->flush != NULL)
        stream_flush_cb (stream);
    }
}

static gboolean
stream_keepalive_cb (gpointer data)
{
  EwsSimStream *stream = data;

  if (stream_apply_faults (stream))
    return G_SOURCE_CONTINUE;
  stream_send_status (stream, "OK", NULL, NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
stream_timeout_cb (gpointer data)
{
  EwsSimStream *stream = data;

  ews_sim_stream_close (stream, TRUE);
  return G_SOURCE_CONTINUE;
}

/* Applies stream faults injected while a stream is open to the newest one. */
void
ews_sim_kick_streams (EwsSimulator *self)
{
  for (guint i = self->streams->len; i > 0; i--)
    {
      EwsSimStream *stream = g_ptr_array_index (self->streams, i - 1);

      if (!stream->done && !stream->stalled)
        {
          stream_schedule_flush (stream);
          return;
        }
    }
}

/* Every open stream learns that its subscriptions are gone, then closes. */
void
ews_sim_expire_streams (EwsSimulator *self)
{
  for (guint i = 0; i < self->streams->len; i++)
    {
      EwsSimStream *stream = g_ptr_array_index (self->streams, i);

      if (stream->done)
        continue;
      stream_send_status (stream, "Closed", "ErrorSubscriptionNotFound", "The specified subscription was not found.");
      stream_finish (stream);
    }
}

/* Operations */

static guint
parse_event_mask (xmlNode *event_types)
{
  static const char *const names[] = { "StatusEvent", "CopiedEvent", "CreatedEvent", "DeletedEvent", "ModifiedEvent", "MovedEvent", "NewMailEvent", "FreeBusyChangedEvent" };
  guint                    mask = 0;

  for (xmlNode *node = event_types != NULL ? ews_xml_first_element (event_types->children) : NULL; node != NULL; node = ews_xml_next_element (node))
    {
      g_autofree char *text = ews_xml_text (node);

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        if (g_strcmp0 (text, names[i]) == 0)
          mask |= 1u << i;
    }
  return mask;
}

static const char *
parse_subscription (EwsSimRequest      *req,
                    xmlNode            *request,
                    EwsSimSubscription *sub)
{
  xmlNode         *folder_ids = ews_xml_child (request, EWS_NS_TYPES, "FolderIds");
  g_autofree char *all = ews_xml_attr (request, "SubscribeToAllFolders");
  g_autofree char *watermark = ews_xml_child_text (request, EWS_NS_TYPES, "Watermark");
  g_autofree char *frequency = ews_xml_child_text (request, EWS_NS_TYPES, "StatusFrequency");

  sub->mailbox = req->mailbox;
  for (xmlNode *node = folder_ids != NULL ? ews_xml_first_element (folder_ids->children) : NULL; node != NULL; node = ews_xml_next_element (node))
    {
      const char   *code = NULL;
      EwsSimFolder *folder = ews_sim_resolve_folder (req, node, &code);

      if (folder == NULL)
        return code;
      if (sub->folders->len > 0 && folder->mailbox != sub->mailbox)
        return "ErrorInvalidSubscriptionRequest";
      sub->mailbox = folder->mailbox;
      g_ptr_array_add (sub->folders, folder);
    }
  if (sub->folders->len == 0 && !ews_xml_parse_boolean (all, FALSE))
    return "ErrorInvalidSubscriptionRequest";
  sub->mask = parse_event_mask (ews_xml_child (request, EWS_NS_TYPES, "EventTypes"));
  if (sub->mask == 0)
    return "ErrorInvalidSubscriptionRequest";
  sub->watermark = sub->mailbox->next_watermark - 1;
  if (watermark != NULL && !ews_sim_watermark_decode (watermark, &sub->watermark))
    return "ErrorInvalidWatermark";
  sub->url = ews_xml_child_text (request, EWS_NS_TYPES, "URL");
  sub->status_frequency = frequency != NULL ? (guint)g_ascii_strtoull (frequency, NULL, 10) : 30;
  if (sub->kind == EWS_SUBSCRIPTION_PUSH && sub->url == NULL)
    return "ErrorInvalidPushSubscriptionUrl";
  return NULL;
}

void
ews_sim_handle_subscribe (EwsSimRequest *req)
{
  GString            *out = ews_sim_envelope_begin ("Subscribe");
  EwsSimSubscription *sub = g_new0 (EwsSimSubscription, 1);
  xmlNode            *request = ews_xml_first_element (req->element->children);
  const char         *code = "ErrorInvalidSubscriptionRequest";

  sub->sim = req->sim;
  sub->folders = g_ptr_array_new ();
  sub->cancellable = g_cancellable_new ();
  if (ews_xml_is (request, EWS_NS_MESSAGES, "StreamingSubscriptionRequest"))
    sub->kind = EWS_SUBSCRIPTION_STREAMING;
  else if (ews_xml_is (request, EWS_NS_MESSAGES, "PullSubscriptionRequest"))
    sub->kind = EWS_SUBSCRIPTION_PULL;
  else if (ews_xml_is (request, EWS_NS_MESSAGES, "PushSubscriptionRequest"))
    sub->kind = EWS_SUBSCRIPTION_PUSH;
  else
    request = NULL;
  if (request != NULL && sub->kind == EWS_SUBSCRIPTION_STREAMING && !g_atomic_int_get (&req->sim->streaming))
    code = "ErrorInvalidServerVersion"; /* a server before Exchange 2010 SP1 has no streaming */
  else if (request != NULL)
    code = parse_subscription (req, request, sub);

  ews_sim_message_begin (out, "Subscribe", code, NULL);
  if (code == NULL)
    {
      sub->id = ews_sim_new_subscription_id (sub->kind);
      g_string_append_printf (out, "<m:SubscriptionId>%s</m:SubscriptionId>", sub->id);
      if (sub->kind != EWS_SUBSCRIPTION_STREAMING)
        {
          g_autofree char *watermark = ews_sim_watermark_encode (sub->watermark);

          g_string_append_printf (out, "<m:Watermark>%s</m:Watermark>", watermark);
        }
      g_hash_table_insert (req->sim->subscriptions, sub->id, sub);
      g_ptr_array_add (sub->mailbox->subscriptions, sub);
      if (sub->kind == EWS_SUBSCRIPTION_PUSH)
        ews_sim_push_schedule (sub, 0);
    }
  else
    {
      ews_sim_subscription_free (sub);
    }
  ews_sim_message_end (out, "Subscribe");
  ews_sim_envelope_end (out, "Subscribe");
  ews_sim_respond (req, out);
}

void
ews_sim_handle_unsubscribe (EwsSimRequest *req)
{
  GString         *out = ews_sim_envelope_begin ("Unsubscribe");
  g_autofree char *id = ews_xml_child_text (req->element, EWS_NS_MESSAGES, "SubscriptionId");

  if (id != NULL && g_hash_table_remove (req->sim->subscriptions, id))
    ews_sim_message_begin (out, "Unsubscribe", NULL, NULL);
  else
    ews_sim_message_begin (out, "Unsubscribe", "ErrorSubscriptionNotFound", "The specified subscription was not found.");
  ews_sim_message_end (out, "Unsubscribe");
  ews_sim_envelope_end (out, "Unsubscribe");
  ews_sim_respond (req, out);
}

void
ews_sim_handle_get_events (EwsSimRequest *req)
{
  GString            *out = ews_sim_envelope_begin ("GetEvents");
  g_autofree char    *id = ews_xml_child_text (req->element, EWS_NS_MESSAGES, "SubscriptionId");
  g_autofree char    *watermark = ews_xml_child_text (req->element, EWS_NS_MESSAGES, "Watermark");
  EwsSimSubscription *sub = id != NULL ? g_hash_table_lookup (req->sim->subscriptions, id) : NULL;
  guint64             position = 0;

  if (sub == NULL || sub->kind != EWS_SUBSCRIPTION_PULL)
    {
      ews_sim_message_begin (out, "GetEvents", "ErrorSubscriptionNotFound", "The specified subscription was not found.");
    }
  else if (ews_sim_take_fault (req->sim, EWS_SIM_FAULT_MISSED_EVENTS, NULL))
    {
      ews_sim_message_begin (out, "GetEvents", "ErrorMissedNotificationEvents", "One or more notification events were missed.");
    }
  else if (!ews_sim_watermark_decode (watermark, &position))
    {
      ews_sim_message_begin (out, "GetEvents", "ErrorInvalidWatermark", "Watermark is invalid.");
    }
  else
    {
      /* Events up to the client's watermark are acknowledged. */
      while (sub->events.length > 0 && ((EwsSimEvent *)g_queue_peek_head (&sub->events))->watermark <= position)
        ews_sim_event_unref (g_queue_pop_head (&sub->events));
      sub->watermark = MAX (sub->watermark, position);
      ews_sim_message_begin (out, "GetEvents", NULL, NULL);
      ews_sim_write_notification (out, sub, TRUE, watermark, FALSE);
    }
  ews_sim_message_end (out, "GetEvents");
  ews_sim_envelope_end (out, "GetEvents");
  ews_sim_respond (req, out);
}

void
ews_sim_handle_get_streaming_events (EwsSimRequest *req)
{
  EwsSimulator    *sim = req->sim;
  xmlNode         *ids = ews_xml_child (req->element, EWS_NS_MESSAGES, "SubscriptionIds");
  g_autofree char *timeout_text = ews_xml_child_text (req->element, EWS_NS_MESSAGES, "ConnectionTimeout");
  g_autoptr (GPtrArray) sub_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) missing = g_ptr_array_new ();
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);
  EwsSimStream       *stream;
  guint64             minutes = 30;

  for (xmlNode *node = ids != NULL ? ews_xml_first_element (ids->children) : NULL; node != NULL; node = ews_xml_next_element (node))
    {
      char *id = ews_xml_text (node);

      g_ptr_array_add (sub_ids, id);
      if (!g_hash_table_contains (sim->subscriptions, id))
        g_ptr_array_add (missing, id);
    }
  if (timeout_text != NULL)
    g_ascii_string_to_unsigned (g_strstrip (timeout_text), 10, 1, 30, &minutes, NULL);

  stream = g_new0 (EwsSimStream, 1);
  stream->sim = sim;
  stream->msg = g_object_ref (req->msg);
  stream->sub_ids = g_steal_pointer (&sub_ids);
  g_ptr_array_add (sim->streams, stream);
  g_signal_connect (req->msg, "finished", G_CALLBACK (stream_finished_cb), stream);

  soup_server_message_set_status (req->msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "text/xml; charset=utf-8", NULL);
  soup_message_headers_replace (headers, "X-NoBuffering", "1");
  /* A stream lives for up to 30 minutes: what was sent is not kept (libsoup would
   * hold every envelope, and walk them all to find the next one to write). */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (req->msg), FALSE);

  if (missing->len > 0 || stream->sub_ids->len == 0)
    {
      /* Only the unknown ids are named in the error. */
      g_autoptr (GPtrArray) named = g_ptr_array_new_with_free_func (g_free);

      for (guint i = 0; i < missing->len; i++)
        g_ptr_array_add (named, g_strdup (g_ptr_array_index (missing, i)));
      g_ptr_array_unref (stream->sub_ids);
      stream->sub_ids = g_steal_pointer (&named);
      stream_send_status (stream, "Closed", "ErrorSubscriptionNotFound", "The specified subscription was not found.");
      stream_finish (stream);
      return;
    }

  for (guint i = 0; i < stream->sub_ids->len; i++)
    {
      EwsSimSubscription *sub = g_hash_table_lookup (sim->subscriptions, g_ptr_array_index (stream->sub_ids, i));

      sub->stream = stream;
    }
  /* A quiet stream only sends keep-alives. */
  soup_server_message_pause (req->msg);
  stream->keepalive = ews_sim_add_timeout (sim, sim->keepalive_ms, stream_keepalive_cb, stream);
  stream->timeout = ews_sim_add_timeout (sim, (guint)(minutes * sim->minute_ms), stream_timeout_cb, stream);
  stream_schedule_flush (stream);
}

/* A restarted server cuts every connection. */
void
ews_sim_drop_streams (EwsSimulator *self)
{
  for (guint i = 0; i < self->streams->len; i++)
    {
      EwsSimStream *stream = g_ptr_array_index (self->streams, i);
      GSocket      *socket = soup_server_message_get_socket (stream->msg);

      if (stream->done)
        continue;
      if (socket != NULL)
        g_socket_shutdown (socket, TRUE, TRUE, NULL);
      stream_finish (stream);
    }
}

/* Only for dispose: forgets the streams without waiting for libsoup. */
void
ews_sim_free_streams (EwsSimulator *self)
{
  while (self->streams->len > 0)
    stream_free (g_ptr_array_steal_index (self->streams, self->streams->len - 1));
}

guint
ews_sim_count_streams (EwsSimulator *self)
{
  guint n = 0;

  for (guint i = 0; i < self->streams->len; i++)
    if (!((EwsSimStream *)g_ptr_array_index (self->streams, i))->done)
      n++;
  return n;
}
