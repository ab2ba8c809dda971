/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "ews-error.h"
#include "stream-test-util.h"

#define SUBSCRIPTION "JgBibjFwcjAzbWIyMDIubmFtcHJkMDMucHJvZC5vdXRsb29rLmNvbRAAAADwXxVesOnHS5BxUHKwAW88SHjwd1iB0Ag="
#define ITEM(tail)   "AAMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwBGAAAAAABSSWVKrmGUTJE+MVIvofglBwDZGACZQpSgSpyNkexYe2b7AAAAAAE" tail
#define FOLDER(tail) "AQMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwAuAAADUkllSq5hlEyRPjFSL6H4JQEA2RgAmUKUoEqcjZHsWHtm+wAAAgE" tail
#define CK(tail)     "AAABYAAADZGACZQpSgSpyNkexYe2b7AAANG" tail

#define ENVELOPE_START "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Body>"                                    \
                       "<m:GetStreamingEventsResponse xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" " \
                       "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><m:ResponseMessages>"
#define ENVELOPE_END "</m:ResponseMessages></m:GetStreamingEventsResponse></Body></Envelope>"

/* The recorder keeps the stream. */
static StreamRecorder *
feed_fixture (const char *name)
{
  g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
  g_autoptr (GError) error = NULL;
  gsize            length;
  g_autofree char *xml = stream_load_fixture (name, &length);
  StreamRecorder  *recorder = stream_recorder_new (stream);

  g_assert_true (ews_event_stream_feed (stream, xml, length, &error));
  g_assert_no_error (error);
  g_assert_true (ews_event_stream_finish (stream, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ews_event_stream_get_documents (stream), ==, 1);
  g_assert_cmpuint (ews_event_stream_get_bytes_received (stream), ==, length);
  return recorder;
}

static void
assert_event (const EwsEvent *event,
              EwsEventType    type,
              const char     *timestamp,
              gboolean        is_folder,
              const char     *id,
              const char     *change_key,
              const char     *parent_folder_id)
{
  g_autofree char *ts = g_date_time_format_iso8601 (event->timestamp);

  g_assert_cmpint (event->type, ==, type);
  g_assert_cmpstr (ts, ==, timestamp);
  g_assert_cmpint (event->is_folder, ==, is_folder);
  g_assert_cmpstr (event->id, ==, id);
  g_assert_cmpstr (event->change_key, ==, change_key);
  g_assert_cmpstr (event->parent_folder_id, ==, parent_folder_id);
  g_assert_null (event->watermark);
}

static void
test_fixture_events (void)
{
  g_autoptr (StreamRecorder) recorder = feed_fixture ("getstreamingevents-response-events.xml");
  EwsNotification *notification;
  EwsEvent        *moved;

  g_assert_cmpuint (recorder->notifications->len, ==, 1);
  g_assert_cmpuint (recorder->statuses->len, ==, 0);
  g_assert_cmpuint (recorder->errors->len, ==, 0);

  notification = g_ptr_array_index (recorder->notifications, 0);
  g_assert_cmpstr (notification->subscription_id, ==, SUBSCRIPTION);
  g_assert_null (notification->previous_watermark);
  g_assert_cmpuint (notification->events->len, ==, 7);

  assert_event (g_ptr_array_index (notification->events, 0), EWS_EVENT_TYPE_CREATED, "2024-03-11T09:15:02Z",
                FALSE, ITEM ("NAADZGACZQpSgSpyNkexYe2b7AAANGFYwAAA="), "Dw" CK ("Lzm"), FOLDER ("NAAAA"));
  assert_event (g_ptr_array_index (notification->events, 1), EWS_EVENT_TYPE_MODIFIED, "2024-03-11T09:15:02Z",
                TRUE, FOLDER ("NAAAA"), "AQAAAA==", FOLDER ("IAAAA"));
  assert_event (g_ptr_array_index (notification->events, 2), EWS_EVENT_TYPE_MODIFIED, "2024-03-11T09:17:40Z",
                FALSE, ITEM ("NAADZGACZQpSgSpyNkexYe2b7AAANGFYxAAA="), "Dw" CK ("Lzn"), FOLDER ("NAAAA"));
  assert_event (g_ptr_array_index (notification->events, 3), EWS_EVENT_TYPE_CREATED, "2024-03-11T09:20:11Z",
                FALSE, ITEM ("TAADZGACZQpSgSpyNkexYe2b7AAANGFZAAAA="), "Ew" CK ("Lzo"), FOLDER ("TAAAA"));
  assert_event (g_ptr_array_index (notification->events, 4), EWS_EVENT_TYPE_MODIFIED, "2024-03-11T09:21:30Z",
                FALSE, ITEM ("TAADZGACZQpSgSpyNkexYe2b7AAANGFZBAAA="), "Ew" CK ("Lzp"), FOLDER ("TAAAA"));
  assert_event (g_ptr_array_index (notification->events, 5), EWS_EVENT_TYPE_MOVED, "2024-03-11T09:25:44Z",
                FALSE, ITEM ("NAADZGACZQpSgSpyNkexYe2b7AAANGFYxAAA="), "Dw" CK ("Lzq"), FOLDER ("KAAAA"));
  assert_event (g_ptr_array_index (notification->events, 6), EWS_EVENT_TYPE_DELETED, "2024-03-11T09:30:05Z",
                FALSE, ITEM ("TAADZGACZQpSgSpyNkexYe2b7AAANGFZBAAA="), "Ew" CK ("Lzp"), FOLDER ("TAAAA"));

  moved = g_ptr_array_index (notification->events, 5);
  g_assert_cmpstr (moved->old_id, ==, ITEM ("NAADZGACZQpSgSpyNkexYe2b7AAANGFYxAAA="));
  g_assert_cmpstr (moved->old_parent_folder_id, ==, FOLDER ("NAAAA"));
  for (guint i = 0; i < notification->events->len; i++)
    if (i != 5)
      g_assert_null (((EwsEvent *)g_ptr_array_index (notification->events, i))->old_id);
}

static void
test_fixture_status (gconstpointer data)
{
  gboolean closed = GPOINTER_TO_INT (data);
  g_autoptr (StreamRecorder) recorder = feed_fixture (closed ? "getstreamingevents-response-closed.xml"
                                                             : "getstreamingevents-response-ok-heartbeat.xml");

  g_assert_cmpuint (recorder->notifications->len, ==, 0);
  g_assert_cmpuint (recorder->errors->len, ==, 0);
  g_assert_cmpuint (recorder->statuses->len, ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (recorder->statuses, 0)), ==,
                   closed ? EWS_CONNECTION_STATUS_CLOSED : EWS_CONNECTION_STATUS_OK);
}

static void
test_fixture_subscription_not_found (void)
{
  g_autoptr (StreamRecorder) recorder = feed_fixture ("getstreamingevents-error-subscription-not-found.xml");
  const char *const expected_ids[] = { SUBSCRIPTION, NULL };
  GError           *error;
  g_autofree char  *raw = NULL;

  g_assert_cmpuint (recorder->notifications->len, ==, 0);
  g_assert_cmpuint (recorder->errors->len, ==, 1);
  error = g_ptr_array_index (recorder->errors, 0);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_SUBSCRIPTION_DEAD);
  raw = ews_error_dup_response_code (error);
  g_assert_cmpstr (raw, ==, "ErrorSubscriptionNotFound");
  g_assert_nonnull (strstr (error->message, "The specified subscription was not found."));
  g_assert_cmpstrv (g_ptr_array_index (recorder->error_ids, 0), expected_ids);

  /* the same message also says the server closes the connection, after the error */
  g_assert_cmpuint (recorder->statuses->len, ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (recorder->statuses, 0)), ==, EWS_CONNECTION_STATUS_CLOSED);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (recorder->trace, 0), "error "));
  g_assert_cmpstr (g_ptr_array_index (recorder->trace, 1), ==, "status Closed");
}

static void
test_soap_fault (void)
{
  g_autoptr (StreamRecorder) recorder = feed_fixture ("soapfault-errorserverbusy.xml");
  GError *error;

  g_assert_cmpuint (recorder->errors->len, ==, 1);
  error = g_ptr_array_index (recorder->errors, 0);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_SERVER_BUSY);
  g_assert_cmpuint (ews_error_get_back_off_ms (error), ==, 297749);
  g_assert_cmpuint (g_strv_length (g_ptr_array_index (recorder->error_ids, 0)), ==, 0);
}

/* Several messages per envelope, several notifications per message, several
 * subscriptions, t:SubscriptionId in ErrorSubscriptionIds, prefixes that lie. */
static void
test_many_per_envelope (void)
{
  const char *xml = " \r\n" ENVELOPE_START
                    "<m:GetStreamingEventsResponseMessage ResponseClass=\"Success\"><m:Notifications>"
                    "<t:Notification><t:SubscriptionId>A</t:SubscriptionId><t:NewMailEvent><t:ItemId Id=\"1\"/></t:NewMailEvent>"
                    "<t:CreatedEvent><t:ItemId Id=\"2\"/></t:CreatedEvent></t:Notification>"
                    "<m:Notification><t:SubscriptionId>B</t:SubscriptionId><t:DeletedEvent><t:ItemId Id=\"3\"/></t:DeletedEvent></m:Notification>"
                    "<x:Notification xmlns:x=\"urn:not-ews\"><t:SubscriptionId>C</t:SubscriptionId></x:Notification>"
                    "</m:Notifications></m:GetStreamingEventsResponseMessage>"
                    "<m:GetStreamingEventsResponseMessage ResponseClass=\"Error\"><m:ResponseCode>ErrorInvalidSubscription</m:ResponseCode>"
                    "<m:ErrorSubscriptionIds><t:SubscriptionId>B</t:SubscriptionId><m:SubscriptionId>D</m:SubscriptionId></m:ErrorSubscriptionIds>"
                    "</m:GetStreamingEventsResponseMessage>"
                    "<t:GetStreamingEventsResponseMessage xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/messages\" "
                    "xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/types\" ResponseClass=\"Success\">"
                    "<t:Notifications><m:Notification><m:SubscriptionId>E</m:SubscriptionId><m:ModifiedEvent><m:FolderId Id=\"4\"/>"
                    "</m:ModifiedEvent></m:Notification></t:Notifications><t:ConnectionStatus>OK</t:ConnectionStatus>"
                    "</t:GetStreamingEventsResponseMessage>" ENVELOPE_END "\n";
  const char *const ids[] = { "B", "D", NULL };
  g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
  g_autoptr (StreamRecorder) recorder = stream_recorder_new (stream);
  g_autoptr (GError) error = NULL;
  const char *subs[] = { "A", "B", "E" };

  g_assert_true (ews_event_stream_feed (stream, xml, strlen (xml), &error));
  g_assert_true (ews_event_stream_finish (stream, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (recorder->notifications->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (((EwsNotification *)g_ptr_array_index (recorder->notifications, i))->subscription_id, ==, subs[i]);
  g_assert_cmpuint (recorder->events, ==, 4);
  g_assert_cmpuint (recorder->errors->len, ==, 1);
  g_assert_error ((GError *)g_ptr_array_index (recorder->errors, 0), EWS_ERROR, EWS_ERROR_SUBSCRIPTION_DEAD);
  g_assert_cmpstrv (g_ptr_array_index (recorder->error_ids, 0), ids);
  g_assert_cmpuint (recorder->statuses->len, ==, 1);
  g_assert_cmpuint (recorder->trace->len, ==, 6);
}

static void
assert_fails_then_recovers (const char *xml,
                            gsize       length,
                            gboolean    at_finish,
                            const char *expected_message)
{
  g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
  g_autoptr (StreamRecorder) recorder = stream_recorder_new (stream);
  g_autoptr (GError) error = NULL;
  gsize            heartbeat_length;
  g_autofree char *heartbeat = stream_load_fixture ("getstreamingevents-response-ok-heartbeat.xml", &heartbeat_length);
  gboolean         ok;
  guint            statuses;

  ews_event_stream_set_max_document_size (stream, 2048);
  ok = ews_event_stream_feed (stream, xml, length, &error);
  if (at_finish)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      ok = ews_event_stream_finish (stream, &error);
    }
  g_assert_false (ok);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL);
  if (strstr (error->message, expected_message) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, expected_message);
  g_clear_error (&error);

  /* refused until reset */
  g_assert_false (ews_event_stream_feed (stream, heartbeat, heartbeat_length, &error));
  g_assert_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL);
  g_clear_error (&error);
  statuses = recorder->statuses->len;

  ews_event_stream_reset (stream);
  g_assert_cmpuint (ews_event_stream_get_bytes_received (stream), ==, 0);
  g_assert_true (ews_event_stream_feed (stream, heartbeat, heartbeat_length, &error));
  g_assert_true (ews_event_stream_finish (stream, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (recorder->statuses->len, ==, statuses + 1);
  g_assert_cmpuint (ews_event_stream_get_documents (stream), ==, 1);
}

static void
test_error_malformed (void)
{
  const char *bad_nesting = ENVELOPE_START "<m:GetStreamingEventsResponseMessage><m:ConnectionStatus>OK"
                                           "</m:GetStreamingEventsResponseMessage></m:ConnectionStatus>" ENVELOPE_END;
  const char *not_soap = "<Envelope xmlns=\"urn:x\"/>";

  assert_fails_then_recovers (bad_nesting, strlen (bad_nesting), FALSE, "Malformed XML");
  assert_fails_then_recovers (not_soap, strlen (not_soap), FALSE, "not a SOAP envelope");
  assert_fails_then_recovers ("</Envelope>", 11, FALSE, "end tag without a start tag");
  assert_fails_then_recovers ("HTTP/1.1 200 OK", 15, FALSE, "text between documents");
  assert_fails_then_recovers ("<![CDATA[<a/>]]>", 16, FALSE, "CDATA section outside");
}

static void
test_error_oversized (void)
{
  gsize            length;
  g_autofree char *xml = stream_load_fixture ("getstreamingevents-response-events.xml", &length);
  g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
  g_autoptr (GError) error = NULL;
  gsize fed = 0;

  g_assert_cmpuint (length, >, 2048);
  assert_fails_then_recovers (xml, length, FALSE, "exceeds the limit of 2048 bytes");

  /* byte by byte, it fails as soon as the document passes the limit */
  ews_event_stream_set_max_document_size (stream, 1000);
  while (fed < length && ews_event_stream_feed (stream, xml + fed, 1, &error))
    fed++;
  g_assert_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL);
  g_assert_cmpuint (fed, ==, 1000);
}

static void
test_error_doctype (void)
{
  const char *laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE Envelope [\n <!ENTITY lol \"lol\">\n"
                       " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
                       " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n"
                       "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Body>&lol3;</Body></Envelope>";
  const char *entity_inside = "<a><!ENTITY x \"y\"></a>";
  g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
  g_autoptr (GError) error = NULL;
  gsize fed = 0;

  assert_fails_then_recovers (laughs, strlen (laughs), FALSE, "document type declaration");
  assert_fails_then_recovers (entity_inside, strlen (entity_inside), FALSE, "entities");

  /* "<!DOC" | "TYPE": the decision waits for the bytes it needs */
  while (ews_event_stream_feed (stream, laughs + fed, 1, &error))
    fed++;
  g_assert_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL);
  g_assert_cmpuint (fed, ==, strstr (laughs, "DOCTYPE") - laughs + 6);
}

static void
test_error_truncated (void)
{
  gsize            length;
  g_autofree char *xml = stream_load_fixture ("getstreamingevents-response-closed.xml", &length);
  g_autofree char *two = g_strconcat (xml, "\r\n", xml, NULL);

  assert_fails_then_recovers (xml, length / 2, TRUE, "incomplete document");
  assert_fails_then_recovers (two, length + 2 + 9, TRUE, "incomplete document");
  assert_fails_then_recovers ("<", 1, TRUE, "incomplete document");
}

static void
on_notification_reset (EwsEventStream  *stream,
                       EwsNotification *notification,
                       gpointer         user_data)
{
  ews_event_stream_reset (stream);
}

/* A handler may reset the stream (the connection is dropped): the rest is ignored. */
static void
test_reset_in_handler (void)
{
  gsize            length;
  g_autofree char *xml = stream_load_fixture ("getstreamingevents-response-events.xml", &length);
  g_autofree char *two = g_strconcat (xml, xml, NULL);
  g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
  g_autoptr (StreamRecorder) recorder = stream_recorder_new (stream);
  g_autoptr (GError) error = NULL;

  g_signal_connect (stream, "notification", G_CALLBACK (on_notification_reset), NULL);
  g_assert_true (ews_event_stream_feed (stream, two, length + length / 2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (recorder->notifications->len, ==, 1);
  g_assert_cmpuint (ews_event_stream_get_documents (stream), ==, 0);
  g_assert_true (ews_event_stream_finish (stream, &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ews/stream/fixture/events", test_fixture_events);
  g_test_add_data_func ("/ews/stream/fixture/heartbeat", GINT_TO_POINTER (FALSE), test_fixture_status);
  g_test_add_data_func ("/ews/stream/fixture/closed", GINT_TO_POINTER (TRUE), test_fixture_status);
  g_test_add_func ("/ews/stream/fixture/subscription-not-found", test_fixture_subscription_not_found);
  g_test_add_func ("/ews/stream/fixture/soap-fault", test_soap_fault);
  g_test_add_func ("/ews/stream/many-per-envelope", test_many_per_envelope);
  g_test_add_func ("/ews/stream/error/malformed", test_error_malformed);
  g_test_add_func ("/ews/stream/error/oversized", test_error_oversized);
  g_test_add_func ("/ews/stream/error/doctype", test_error_doctype);
  g_test_add_func ("/ews/stream/error/truncated", test_error_truncated);
  g_test_add_func ("/ews/stream/reset-in-handler", test_reset_in_handler);

  return g_test_run ();
}
