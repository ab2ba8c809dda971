/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <string.h>
#include <libxml/xmlerror.h>

#include "stream-test-util.h"

#include "ews-error.h"

#define NS_SOAP     "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_MESSAGES "http://schemas.microsoft.com/exchange/services/2006/messages"
#define NS_TYPES    "http://schemas.microsoft.com/exchange/services/2006/types"

static const char *const subscriptions[] = {
  "JgBibjFwcjAzbWIyMDIubmFtcHJkMDMucHJvZC5vdXRsb29rLmNvbRAAAADwXxVesOnHS5BxUHKwAW88SHjwd1iB0Ag=",
  "JgBibjFwcjAzbWIyMDIubmFtcHJkMDMucHJvZC5vdXRsb29rLmNvbRAAAAC1bm9wcXJzdHV2d3h5ekFCQ0RFRkdI0Ag=",
  "EQBzZWNvbmQtc3Vic2NyaXB0aW9uLWZvci10YXNrcw==",
};

char *
stream_describe_notification (const EwsNotification *notification)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "notification sub=%s prev=%s more=%d events=%u",
                          notification->subscription_id, notification->previous_watermark,
                          notification->more_events, notification->events->len);
  for (guint i = 0; i < notification->events->len; i++)
    {
      const EwsEvent  *event = g_ptr_array_index (notification->events, i);
      g_autofree char *ts = event->timestamp != NULL ? g_date_time_format_iso8601 (event->timestamp) : NULL;

      g_string_append_printf (out, "\n  %s folder=%d id=%s ck=%s parent=%s old=%s oldparent=%s ts=%s wm=%s unread=%d",
                              ews_event_type_to_string (event->type), event->is_folder, event->id,
                              event->change_key, event->parent_folder_id, event->old_id,
                              event->old_parent_folder_id, ts, event->watermark, event->unread_count);
    }
  return g_string_free (out, FALSE);
}

char *
stream_describe_status (int status)
{
  return g_strdup_printf ("status %s", status == EWS_CONNECTION_STATUS_OK ? "OK" : status == EWS_CONNECTION_STATUS_CLOSED ? "Closed"
                                                                                                                          : "?");
}

char *
stream_describe_error (const GError      *error,
                       const char *const *subscription_ids)
{
  g_autofree char *raw = ews_error_dup_response_code (error);
  g_autofree char *ids = g_strjoinv (",", (char **)subscription_ids);

  return g_strdup_printf ("error %s/%d raw=%s backoff=%u ids=%s", g_quark_to_string (error->domain),
                          error->code, raw, ews_error_get_back_off_ms (error), ids);
}

static void
describe_time (GString    *out,
               const char *name,
               gint64      time)
{
  g_autoptr (GDateTime) date_time = ews_time_to_date_time (time);
  g_autofree char *text = date_time != NULL ? g_date_time_format_iso8601 (date_time) : NULL;

  g_string_append_printf (out, " %s=%s", name, text != NULL ? text : "(none)");
}

static void
describe_string (GString    *out,
                 const char *name,
                 const char *text)
{
  if (text == NULL)
    g_string_append_printf (out, " %s=(none)", name);
  else
    g_string_append_printf (out, " %s=[%s]", name, text);
}

static void
describe_item (GString       *out,
               const EwsItem *item)
{
  g_string_append_printf (out, "\n    item kind=%d", item->kind);
  describe_string (out, "id", item->id);
  describe_string (out, "ck", item->change_key);
  describe_string (out, "parent", item->parent_folder_id);
  describe_string (out, "class", item->item_class);
  describe_string (out, "subject", item->subject);
  describe_string (out, "body", item->body_preview);
  describe_string (out, "by", item->last_modified_name);
  describe_time (out, "modified", item->last_modified_time);
  describe_string (out, "link", item->web_client_read_form_query_string);
  describe_time (out, "start", item->start);
  describe_time (out, "end", item->end);
  describe_string (out, "location", item->location);
  describe_string (out, "organizer", item->organizer_name);
  describe_string (out, "organizer_email", item->organizer_email);
  describe_string (out, "response", item->my_response_type);
  describe_time (out, "due", item->due_date);
  describe_time (out, "task_start", item->task_start_date);
  g_string_append_printf (out, " all_day=%d cancelled=%d status=%d percent=%d complete=%d error=%s",
                          item->is_all_day, item->is_cancelled, item->status, item->percent_complete,
                          item->is_complete, item->error != NULL ? item->error->message : "(none)");
  if (item->attendees == NULL)
    g_string_append (out, " attendees=(none)");
  for (guint i = 0; item->attendees != NULL && i < item->attendees->len; i++)
    {
      EwsAttendee *attendee = g_ptr_array_index (item->attendees, i);

      g_string_append_printf (out, "\n      attendee required=%d", attendee->required);
      describe_string (out, "name", attendee->name);
      describe_string (out, "email", attendee->email);
      describe_string (out, "response", attendee->response);
    }
}

char *
stream_describe_sync (const EwsSyncResult *result,
                      const GError        *error)
{
  GString *out = g_string_new (NULL);

  if (result == NULL)
    {
      g_string_append_printf (out, "error %s %d %s", g_quark_to_string (error->domain), error->code, error->message);
      return g_string_free (out, FALSE);
    }
  g_string_append_printf (out, "sync last=%d", result->includes_last_item_in_range);
  describe_string (out, "state", result->sync_state);
  for (guint i = 0; i < result->changes->len; i++)
    {
      const EwsSyncChange *change = g_ptr_array_index (result->changes, i);

      g_string_append_printf (out, "\n  change type=%d read=%d", change->type, change->is_read);
      describe_string (out, "id", change->item_id);
      describe_string (out, "ck", change->change_key);
      if (change->item != NULL)
        describe_item (out, change->item);
    }
  return g_string_free (out, FALSE);
}

static void
on_notification (EwsEventStream  *stream,
                 EwsNotification *notification,
                 StreamRecorder  *recorder)
{
  g_ptr_array_insert (recorder->trace, recorder->trace->len - 1, stream_describe_notification (notification));
  g_ptr_array_add (recorder->notifications, ews_notification_copy (notification));
  recorder->events += notification->events->len;
}

static void
on_connection_status (EwsEventStream *stream,
                      int             status,
                      StreamRecorder *recorder)
{
  g_ptr_array_insert (recorder->trace, recorder->trace->len - 1, stream_describe_status (status));
  g_ptr_array_add (recorder->statuses, GINT_TO_POINTER (status));
}

static void
on_response_error (EwsEventStream *stream,
                   GError         *error,
                   char          **ids,
                   StreamRecorder *recorder)
{
  g_assert_nonnull (ids);
  g_ptr_array_insert (recorder->trace, recorder->trace->len - 1, stream_describe_error (error, (const char *const *)ids));
  g_ptr_array_add (recorder->errors, g_error_copy (error));
  g_ptr_array_add (recorder->error_ids, g_strdupv (ids));
}

StreamRecorder *
stream_recorder_new (EwsEventStream *stream)
{
  StreamRecorder *recorder = g_new0 (StreamRecorder, 1);

  recorder->stream = g_object_ref (stream);

  recorder->trace = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (recorder->trace, NULL);
  recorder->notifications = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_notification_free);
  recorder->statuses = g_ptr_array_new ();
  recorder->errors = g_ptr_array_new_with_free_func ((GDestroyNotify)g_error_free);
  recorder->error_ids = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);

  g_signal_connect (stream, "notification", G_CALLBACK (on_notification), recorder);
  g_signal_connect (stream, "connection-status", G_CALLBACK (on_connection_status), recorder);
  g_signal_connect (stream, "response-error", G_CALLBACK (on_response_error), recorder);
  return recorder;
}

void
stream_recorder_free (StreamRecorder *recorder)
{
  g_signal_handlers_disconnect_by_data (recorder->stream, recorder);
  g_object_unref (recorder->stream);
  g_ptr_array_unref (recorder->trace);
  g_ptr_array_unref (recorder->notifications);
  g_ptr_array_unref (recorder->statuses);
  g_ptr_array_unref (recorder->errors);
  g_ptr_array_unref (recorder->error_ids);
  g_free (recorder);
}

char **
stream_recorder_get_trace (StreamRecorder *recorder)
{
  return (char **)recorder->trace->pdata;
}

char *
stream_load_fixture (const char *name,
                     gsize      *length)
{
  const char      *dir = g_getenv ("EWS_FIXTURES_DIR");
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  if (dir == NULL)
    g_error ("EWS_FIXTURES_DIR is not set");

  path = g_build_filename (dir, name, NULL);
  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

/* The trace of one fixture, fed alone in one piece. */
static void
append_fixture (GString    *out,
                GPtrArray  *expected,
                const char *name)
{
  g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
  g_autoptr (StreamRecorder) recorder = stream_recorder_new (stream);
  g_autoptr (GError) error = NULL;
  gsize            length;
  g_autofree char *xml = stream_load_fixture (name, &length);

  ews_event_stream_feed (stream, xml, length, &error);
  g_assert_no_error (error);
  g_string_append_len (out, xml, length);
  for (guint i = 0; i + 1 < recorder->trace->len; i++)
    g_ptr_array_add (expected, g_strdup (g_ptr_array_index (recorder->trace, i)));
}

static char *
random_base64 (GRand *rand,
               guint  length)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char             *text = g_malloc (length + 1);

  for (guint i = 0; i < length; i++)
    text[i] = alphabet[g_rand_int_range (rand, 0, 64)];
  text[length] = '\0';
  return text;
}

/* An Id as the server sends it, sometimes with non-ASCII text and an '=' padding. */
static char *
random_id (GRand *rand)
{
  g_autofree char *base = random_base64 (rand, g_rand_int_range (rand, 100, 160));

  if (g_rand_int_range (rand, 0, 5) == 0)
    return g_strconcat (base, "-Réunion·café☕会議", NULL);
  return g_strconcat (base, "=", NULL);
}

static void
write_id (GString    *out,
          GRand      *rand,
          const char *t,
          const char *name,
          const char *id,
          const char *change_key)
{
  char q = g_rand_boolean (rand) ? '"' : '\'';

  g_string_append_printf (out, "<%s:%s Id=%c%s%c", t, name, q, id, q);
  if (change_key != NULL)
    g_string_append_printf (out, " ChangeKey=%c%s%c", q, change_key, q);
  if (g_rand_boolean (rand))
    g_string_append (out, " />");
  else
    g_string_append_printf (out, "></%s:%s>", t, name);
}

static EwsEvent *
write_event (GString    *out,
             GRand      *rand,
             const char *t)
{
  static const EwsEventType types[] = {
    EWS_EVENT_TYPE_CREATED, EWS_EVENT_TYPE_MODIFIED, EWS_EVENT_TYPE_DELETED,
    EWS_EVENT_TYPE_MOVED, EWS_EVENT_TYPE_COPIED, EWS_EVENT_TYPE_NEW_MAIL
  };
  EwsEventType     type = types[g_rand_int_range (rand, 0, G_N_ELEMENTS (types))];
  EwsEvent        *event = ews_event_new (type);
  const char      *name = ews_event_type_to_string (type);
  g_autofree char *ts = NULL;

  event->timestamp = g_date_time_new_utc (2024, 3, g_rand_int_range (rand, 1, 29),
                                          g_rand_int_range (rand, 0, 24), g_rand_int_range (rand, 0, 60),
                                          g_rand_int_range (rand, 0, 60));
  ts = g_date_time_format_iso8601 (event->timestamp);
  event->is_folder = g_rand_int_range (rand, 0, 10) == 0;
  event->id = random_id (rand);
  event->change_key = random_base64 (rand, 40);
  event->parent_folder_id = random_id (rand);

  g_string_append_printf (out, "<%s:%s><%s:TimeStamp>%s</%s:TimeStamp>", t, name, t, ts, t);
  write_id (out, rand, t, event->is_folder ? "FolderId" : "ItemId", event->id, event->change_key);
  write_id (out, rand, t, "ParentFolderId", event->parent_folder_id, "AQAAAA==");
  if (type == EWS_EVENT_TYPE_MOVED || type == EWS_EVENT_TYPE_COPIED)
    {
      event->old_id = random_id (rand);
      event->old_parent_folder_id = random_id (rand);
      write_id (out, rand, t, event->is_folder ? "OldFolderId" : "OldItemId", event->old_id, NULL);
      write_id (out, rand, t, "OldParentFolderId", event->old_parent_folder_id, NULL);
    }
  g_string_append_printf (out, "</%s:%s>", t, name);
  return event;
}

/* Markup a real tokenizer must not take for the end of the document. */
static void
write_noise (GString    *out,
             GRand      *rand,
             const char *t)
{
  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      g_string_append (out, "<!-- not </Envelope> nor <a/>, 1 > 0 - -->");
      break;
    case 1:
      g_string_append_printf (out, "<%s:Extra Note=\"a>b/c/>\" Sq='q\"/>' Subject=\"Réunion · café ☕ 会議\">"
                                   "<![CDATA[</soap11:Body></Envelope><x> ]] > ]]></%s:Extra>",
                              t, t);
      break;
    case 2:
      g_string_append (out, "<?ews-note hint=\"?>\"?>");
      break;
    default:
      g_string_append_printf (out, "<%s:Extra Subject='Übersicht/Ärger>' />", t);
      break;
    }
}

static void
write_notifications (GString    *out,
                     GRand      *rand,
                     const char *m,
                     const char *t,
                     GPtrArray  *expected)
{
  guint n_notifications = g_rand_int_range (rand, 1, 4);

  g_string_append_printf (out, "<%s:Notifications>", m);
  for (guint i = 0; i < n_notifications; i++)
    {
      g_autoptr (EwsNotification) notification = ews_notification_new ();
      guint       n_events = g_rand_int_range (rand, 1, 6);
      /* servers write m:Notification, the schema says t: */
      const char *element_prefix = g_rand_boolean (rand) ? m : t;

      notification->subscription_id = g_strdup (subscriptions[g_rand_int_range (rand, 0, G_N_ELEMENTS (subscriptions))]);
      g_string_append_printf (out, "<%s:Notification><%s:SubscriptionId>%s</%s:SubscriptionId>",
                              element_prefix, t, notification->subscription_id, t);
      for (guint e = 0; e < n_events; e++)
        {
          if (g_rand_int_range (rand, 0, 4) == 0)
            write_noise (out, rand, t);
          g_ptr_array_add (notification->events, write_event (out, rand, t));
        }
      g_string_append_printf (out, "</%s:Notification>", element_prefix);
      g_ptr_array_add (expected, stream_describe_notification (notification));
    }
  g_string_append_printf (out, "</%s:Notifications>", m);
}

static void
write_message (GString    *out,
               GRand      *rand,
               const char *m,
               const char *t,
               int         kind,
               GPtrArray  *expected)
{
  if (kind == 2)
    {
      const char *sub = subscriptions[g_rand_int_range (rand, 0, G_N_ELEMENTS (subscriptions))];
      const char *id_prefix = g_rand_boolean (rand) ? m : t;

      g_string_append_printf (out, "<%s:GetStreamingEventsResponseMessage ResponseClass=\"Error\">"
                                   "<%s:MessageText>Missed events.</%s:MessageText>"
                                   "<%s:ResponseCode>ErrorMissedNotificationEvents</%s:ResponseCode>"
                                   "<%s:ErrorSubscriptionIds><%s:SubscriptionId>%s</%s:SubscriptionId></%s:ErrorSubscriptionIds>"
                                   "</%s:GetStreamingEventsResponseMessage>",
                              m, m, m, m, m, m, id_prefix, sub, id_prefix, m, m);
      g_ptr_array_add (expected, g_strdup_printf ("error %s/%d raw=ErrorMissedNotificationEvents backoff=0 ids=%s",
                                                  g_quark_to_string (EWS_ERROR), EWS_ERROR_MISSED_EVENTS, sub));
      return;
    }

  g_string_append_printf (out, "<%s:GetStreamingEventsResponseMessage ResponseClass=\"Success\">"
                               "<%s:ResponseCode>NoError</%s:ResponseCode>",
                          m, m, m);
  if (kind == 0)
    write_notifications (out, rand, m, t, expected);
  else
    {
      gboolean closed = kind == 3;

      g_string_append_printf (out, "<%s:ConnectionStatus>%s</%s:ConnectionStatus>", m, closed ? "Closed" : "OK", m);
      g_ptr_array_add (expected, stream_describe_status (closed ? EWS_CONNECTION_STATUS_CLOSED : EWS_CONNECTION_STATUS_OK));
    }
  g_string_append_printf (out, "</%s:GetStreamingEventsResponseMessage>", m);
}

/* kind: 0 events, 1 keep-alive, 2 error, 3 closed */
static void
write_envelope (GString   *out,
                GRand     *rand,
                int        kind,
                GPtrArray *expected)
{
  /* prefixes are arbitrary; the last pair swaps them to catch matching by prefix */
  static const char *const prefixes[][2] = { { "m", "t" }, { "msg", "typ" }, { "t", "m" } };
  guint                    style = g_rand_int_range (rand, 0, G_N_ELEMENTS (prefixes));
  const char              *m = prefixes[style][0];
  const char              *t = prefixes[style][1];
  const char              *s = g_rand_boolean (rand) ? "soap11" : "s";
  guint                    n_messages = kind == 0 ? g_rand_int_range (rand, 1, 4) : 1;

  if (g_rand_int_range (rand, 0, 4) == 0)
    g_string_append (out, g_rand_boolean (rand) ? "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
                                                : "<?xml version='1.0'?>");
  if (g_rand_int_range (rand, 0, 6) == 0)
    g_string_append (out, "<!-- envelope <b>follows</b> -->\n");

  g_string_append_printf (out, "<%s:Envelope xmlns:%s=\"" NS_SOAP "\">", s, s);
  if (g_rand_boolean (rand))
    g_string_append_printf (out, "<%s:Header><ServerVersionInfo MajorVersion=\"15\" Version='V2_8' "
                                 "xmlns=\"" NS_TYPES "\"/></%s:Header>",
                            s, s);
  g_string_append_printf (out, "<%s:Body><%s:GetStreamingEventsResponse xmlns:%s=\"" NS_MESSAGES "\" "
                               "xmlns:%s=\"" NS_TYPES "\"><%s:ResponseMessages>",
                          s, m, m, t, m);
  for (guint i = 0; i < n_messages; i++)
    write_message (out, rand, m, t, kind, expected);
  g_string_append_printf (out, "</%s:ResponseMessages></%s:GetStreamingEventsResponse></%s:Body></%s:Envelope>",
                          m, m, s, s);

  if (g_rand_int_range (rand, 0, 5) == 0)
    g_string_append (out, g_rand_boolean (rand) ? "\r\n" : " \n\t ");
}

GString *
stream_generate (guint32    seed,
                 guint      n_envelopes,
                 GPtrArray *expected)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  GString *out = g_string_new (NULL);

  append_fixture (out, expected, "getstreamingevents-response-ok-heartbeat.xml");
  for (guint i = 0; i < n_envelopes; i++)
    {
      int roll = g_rand_int_range (rand, 0, 20);

      if (roll == 0)
        append_fixture (out, expected, "getstreamingevents-response-events.xml");
      else if (roll == 1)
        append_fixture (out, expected, "getstreamingevents-response-ok-heartbeat.xml");
      else if (roll < 4)
        write_envelope (out, rand, 1, expected);
      else if (roll == 4)
        write_envelope (out, rand, 2, expected);
      else
        write_envelope (out, rand, 0, expected);
    }
  append_fixture (out, expected, "getstreamingevents-response-events.xml");
  write_envelope (out, rand, 3, expected);
  return out;
}

static void
silence_xml (void       *ctx,
             const char *msg,
             ...)
{
}

void
stream_silence_libxml2 (void)
{
  static gsize quiet = 0;

  if (g_once_init_enter (&quiet))
    {
      xmlSetGenericErrorFunc (NULL, silence_xml);
      g_once_init_leave (&quiet, 1);
    }
}
