/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* SyncFolderItems pages and stream envelopes are read by a walk of the document,
 * without its tree, falling back to the tree for what the walk does not expect. The
 * walk must read exactly what the tree-building path reads: here both read the same
 * documents — real ones, generated ones with every property and much odd markup,
 * and thousands of random mutations of those — and must agree on every field, every
 * signal and every error. */

#include "config.h"

#include <string.h>

#include "ews-error.h"
#include "ews-event-stream.h"
#include "ews-response.h"
#include "ews-xml-private.h"
#include "stream-test-util.h"

#define N_MUTATIONS 2500

static char *
parse_sync (const char *data,
            gsize       length,
            gboolean    walking)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsSyncResult) result = NULL;

  ews_xml_set_walking (walking);
  result = ews_response_parse_sync_folder_items (data, length, &error);
  ews_xml_set_walking (TRUE);
  g_assert_true ((result == NULL) != (error == NULL));
  return stream_describe_sync (result, error);
}

/* Whether the two paths agree on @data; whether the walk read it (not the tree). */
static gboolean
check_sync (const char *data,
            gsize       length)
{
  g_autofree char *walked = parse_sync (data, length, TRUE);
  g_autofree char *tree = parse_sync (data, length, FALSE);

  if (g_strcmp0 (walked, tree) != 0)
    {
      g_autofree char *shown = g_strndup (data, length);

      g_test_message ("document:\n%s", shown);
      g_assert_cmpstr (walked, ==, tree);
    }
  return !g_str_has_prefix (walked, "error");
}

#define SYNC_HEAD "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"                                                     \
                  "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header><Junk/></s:Header>"   \
                  "<s:Body><m:SyncFolderItemsResponse xmlns:m=\"" EWS_NS_MESSAGES "\" xmlns:t=\"" EWS_NS_TYPES "\">" \
                  "<m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass=\"Success\">"                 \
                  "<m:ResponseCode>NoError</m:ResponseCode>"
#define SYNC_TAIL "</m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>"

/* Every property the parsers read, in the odd forms servers and proxies write. */
static const char *const sync_documents[] = {
  SYNC_HEAD "<m:SyncState>S1</m:SyncState><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange><m:Changes>"
            "<t:Create><t:CalendarItem><t:ItemId Id=\"AA&amp;B\tC&#38;D&lt;\" ChangeKey=\"ck1\"/>"
            "<t:ParentFolderId Id=\"F1\" ChangeKey=\"x\"/><t:ItemClass>IPM.Appointment</t:ItemClass>"
            "<t:Subject>Design &amp; review <!-- no --><![CDATA[<Q4>]]> ☕</t:Subject>"
            "<t:Body BodyType=\"Text\">  Agenda:\n1. numbers  </t:Body><t:Preview>ignored</t:Preview>"
            "<t:LastModifiedName>Alice</t:LastModifiedName><t:LastModifiedTime>2026-11-20T09:30:15Z</t:LastModifiedTime>"
            "<t:WebClientReadFormQueryString>https://x/?a=1&amp;b=2</t:WebClientReadFormQueryString>"
            "<t:Start>2026-11-24T10:00:00Z</t:Start><t:End>2026-11-24T11:00:00+01:00</t:End>"
            "<t:IsAllDayEvent>1</t:IsAllDayEvent><t:Location>Room <b>A</b></t:Location>"
            "<t:Organizer><t:Mailbox><t:Name>Alice</t:Name><t:EmailAddress>alice@example.com</t:EmailAddress>"
            "<t:Name>Second</t:Name></t:Mailbox><t:Mailbox><t:Name>Not her</t:Name></t:Mailbox></t:Organizer>"
            "<t:IsCancelled>false</t:IsCancelled><t:MyResponseType>Accept</t:MyResponseType>"
            "<t:RequiredAttendees><t:Attendee><t:Mailbox><t:Name>Bob</t:Name><t:EmailAddress>bob@example.com</t:EmailAddress>"
            "</t:Mailbox><t:ResponseType>Tentative</t:ResponseType><t:ResponseType>Late</t:ResponseType></t:Attendee>"
            "<t:Attendee/><m:Attendee><t:Mailbox><t:Name>Wrong namespace</t:Name></t:Mailbox></m:Attendee></t:RequiredAttendees>"
            "<t:OptionalAttendees><t:Attendee><t:Mailbox><t:EmailAddress>carol@example.com</t:EmailAddress></t:Mailbox>"
            "</t:Attendee></t:OptionalAttendees><t:Unknown>u</t:Unknown><x:Subject xmlns:x=\"urn:x\">not this</x:Subject>"
            "</t:CalendarItem><t:Task><t:ItemId Id=\"second element, ignored\"/></t:Task></t:Create>"
            "<t:Update><t:Task><t:ItemId Id=\"T1\"/><t:Subject></t:Subject><t:DueDate>2026-11-27</t:DueDate>"
            "<t:StartDate>1969-12-31T23:59:59.5Z</t:StartDate><t:Status>InProgress</t:Status>"
            "<t:PercentComplete>40.5</t:PercentComplete><t:IsComplete>true</t:IsComplete>"
            "<t:Organizer/><t:Preview>  Only the preview  </t:Preview></t:Task></t:Update>"
            "<t:Update><t:Message><t:ItemId Id=\"M1\"/><t:PercentComplete>250</t:PercentComplete></t:Message></t:Update>"
            "<t:Create>no element</t:Create><t:Create><t:CalendarItem><t:Subject>No id</t:Subject></t:CalendarItem></t:Create>"
            "<t:Delete><t:ItemId Id=\"D1\" ChangeKey=\"c\"/><t:ItemId Id=\"D2\"/></t:Delete>"
            "<t:Delete><t:IsRead>true</t:IsRead></t:Delete>"
            "<t:ReadFlagChange><t:IsRead> true </t:IsRead><t:ItemId Id=\"R1\"/><t:IsRead>false</t:IsRead></t:ReadFlagChange>"
            "<m:Create><t:CalendarItem><t:ItemId Id=\"wrong namespace\"/></t:CalendarItem></m:Create>"
            "<t:Frobnicate/></m:Changes><m:SyncState>second</m:SyncState>" SYNC_TAIL,
  /* a default namespace for the types, m: where t: belongs, the state written last */
  "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Body>"
  "<SyncFolderItemsResponse xmlns=\"" EWS_NS_MESSAGES "\"><ResponseMessages>"
  "<SyncFolderItemsResponseMessage ResponseClass=\"Warning\"><Changes xmlns:t=\"" EWS_NS_MESSAGES "\">"
  "<Create xmlns=\"" EWS_NS_TYPES "\"><CalendarItem><ItemId Id=\"X\"/><t:Subject>m: subject</t:Subject>"
  "<Subject>types subject</Subject></CalendarItem></Create></Changes>"
  "<IncludesLastItemInRange>maybe</IncludesLastItemInRange><SyncState>S</SyncState>"
  "</SyncFolderItemsResponseMessage></ResponseMessages></SyncFolderItemsResponse></Body></Envelope>",
  /* errors the walk leaves to the tree */
  SYNC_HEAD "<m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>" SYNC_TAIL,
  "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><faultcode>s:Client</faultcode>"
  "<faultstring>no</faultstring></s:Fault></s:Body></s:Envelope>",
  "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><m:SyncFolderItemsResponse xmlns:m=\"" EWS_NS_MESSAGES "\">"
  "<m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass=\"Error\"><m:MessageText>busy</m:MessageText>"
  "<m:ResponseCode>ErrorServerBusy</m:ResponseCode></m:SyncFolderItemsResponseMessage></m:ResponseMessages>"
  "</m:SyncFolderItemsResponse></s:Body></s:Envelope>",
  "<!DOCTYPE x [<!ENTITY e \"boom\">]><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"/>",
  "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><m:GetItemResponse xmlns:m=\"" EWS_NS_MESSAGES "\"/>"
  "</s:Body></s:Envelope>",
};

/* Bits of markup the mutations insert. */
static const char *const fragments[] = {
  "<t:Subject>Inserted</t:Subject>",
  "<!-- comment -->",
  "<![CDATA[a<b]]>",
  "&amp;",
  "&#38;",
  "&#x263A;",
  "&unknown;",
  "<m:SyncState>Inserted state</m:SyncState>",
  "<t:Organizer/>",
  "<t:Mailbox><t:Name>N</t:Name></t:Mailbox>",
  "<t:Attendee><t:Mailbox><t:Name>Dan</t:Name></t:Mailbox></t:Attendee>",
  "<x:Foo xmlns:x=\"urn:x\">t</x:Foo>",
  "<t:IsRead>true</t:IsRead>",
  "<t:ItemId Id=\"I&amp;J\" ChangeKey=\"k\"/>",
  "<t:Preview>preview</t:Preview>",
  "<t:Body>body</t:Body>",
  "<t:Create><t:CalendarItem><t:ItemId Id=\"new\"/></t:CalendarItem></t:Create>",
  "<t:Delete><t:ItemId Id=\"gone\"/></t:Delete>",
  "<m:Notification><t:SubscriptionId>S</t:SubscriptionId><t:CreatedEvent><t:ItemId Id=\"n\"/></t:CreatedEvent></m:Notification>",
  "<m:ConnectionStatus> OK </m:ConnectionStatus>",
  "<t:ModifiedEvent><t:UnreadCount>7</t:UnreadCount><t:FolderId Id=\"f\"/></t:ModifiedEvent>",
  " ",
  "\n",
  "<",
  "/>",
  "\"",
};

static GString *
mutate (GRand      *rand,
        const char *data,
        gsize       length)
{
  GString *out = g_string_new_len (data, length);

  for (guint n = g_rand_int_range (rand, 1, 4); n > 0; n--)
    {
      gsize at = out->len > 0 ? g_rand_int_range (rand, 0, (gint32)out->len) : 0;
      gsize span = g_rand_int_range (rand, 1, 48);

      span = MIN (span, out->len - at);

      switch (g_rand_int_range (rand, 0, 8))
        {
        case 0:
          g_string_erase (out, at, span);
          break;
        case 1:
          {
            g_autofree char *copy = g_strndup (out->str + at, span);

            g_string_insert (out, g_rand_int_range (rand, 0, (gint32)out->len + 1), copy);
            break;
          }
        case 2:
          {
            char *prefix = strstr (out->str + at, g_rand_boolean (rand) ? "m:" : "t:");

            if (prefix != NULL)
              prefix[0] = prefix[0] == 'm' ? 't' : 'm';
            break;
          }
        default:
          {
            /* mostly between two tags, where the document stays well formed */
            const char *after = g_rand_int_range (rand, 0, 4) > 0 ? strchr (out->str + at, '>') : NULL;

            if (after != NULL)
              at = after + 1 - out->str;
            g_string_insert (out, at, fragments[g_rand_int_range (rand, 0, G_N_ELEMENTS (fragments))]);
            break;
          }
        }
    }
  return out;
}

static void
test_sync_documents (void)
{
  gsize            length;
  g_autofree char *fixture = stream_load_fixture ("syncfolderitems-response.xml", &length);

  g_assert_true (check_sync (fixture, length));
  g_assert_true (check_sync (sync_documents[0], strlen (sync_documents[0])));
  g_assert_true (check_sync (sync_documents[1], strlen (sync_documents[1])));
  for (gsize i = 2; i < G_N_ELEMENTS (sync_documents); i++)
    g_assert_false (check_sync (sync_documents[i], strlen (sync_documents[i])));
}

static void
test_sync_mutations (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (0x5a5);
  gsize            length;
  g_autofree char *fixture = stream_load_fixture ("syncfolderitems-response.xml", &length);
  guint            n_read = 0;

  for (guint i = 0; i < N_MUTATIONS; i++)
    {
      guint       which = g_rand_int_range (rand, 0, G_N_ELEMENTS (sync_documents) + 1);
      const char *base = which < G_N_ELEMENTS (sync_documents) ? sync_documents[which] : fixture;
      g_autoptr (GString) mutated = mutate (rand, base, which < G_N_ELEMENTS (sync_documents) ? strlen (base) : length);

      n_read += check_sync (mutated->str, mutated->len);
    }
  /* many mutations leave a readable page: the comparison covers the walk itself */
  g_test_message ("%u of %u mutated pages read", n_read, N_MUTATIONS);
  g_assert_cmpuint (n_read, >, N_MUTATIONS / 10);
}

/* The stream: everything it emitted for a document, walking or not. */
static char *
feed_stream (const char *data,
             gsize       length,
             gboolean    walking)
{
  g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
  g_autoptr (StreamRecorder) recorder = stream_recorder_new (stream);
  g_autoptr (GError) error = NULL;
  g_autofree char *trace = NULL;
  gboolean         ok;

  ews_xml_set_walking (walking);
  ok = ews_event_stream_feed (stream, data, length, &error) && ews_event_stream_finish (stream, &error);
  ews_xml_set_walking (TRUE);
  trace = g_strjoinv ("\n", stream_recorder_get_trace (recorder));
  return g_strdup_printf ("%s\n%s", trace, ok ? "ok" : error->message);
}

static void
check_stream (const char *data,
              gsize       length)
{
  g_autofree char *walked = feed_stream (data, length, TRUE);
  g_autofree char *tree = feed_stream (data, length, FALSE);

  if (g_strcmp0 (walked, tree) != 0)
    {
      g_autofree char *shown = g_strndup (data, length);

      g_test_message ("stream:\n%s", shown);
      g_assert_cmpstr (walked, ==, tree);
    }
}

static const char *const stream_fixtures[] = {
  "getstreamingevents-response-events.xml",
  "getstreamingevents-response-ok-heartbeat.xml",
  "getstreamingevents-response-closed.xml",
  "getstreamingevents-error-subscription-not-found.xml",
};

#define STREAM_HEAD "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap11:Body xmlns:soap11=\"" \
                    "http://schemas.xmlsoap.org/soap/envelope/\"><m:GetStreamingEventsResponse xmlns:m=\"" EWS_NS_MESSAGES "\" xmlns:t=\"" EWS_NS_TYPES "\"><m:ResponseMessages>"
#define STREAM_TAIL "</m:ResponseMessages></m:GetStreamingEventsResponse></soap11:Body></Envelope>"

static const char *const stream_documents[] = {
  STREAM_HEAD "<m:GetStreamingEventsResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>"
              "<m:Notifications><m:Notification><t:SubscriptionId>S1</t:SubscriptionId><m:SubscriptionId>S2</m:SubscriptionId>"
              "<t:PreviousWatermark>P</t:PreviousWatermark><t:MoreEvents>true</t:MoreEvents>"
              "<t:CreatedEvent><t:Watermark>W</t:Watermark><t:TimeStamp>2026-11-24T10:00:00Z</t:TimeStamp>"
              "<t:ItemId Id=\"I&amp;1\" ChangeKey=\"c\"/><t:ParentFolderId Id=\"P1\"/><t:FolderId Id=\"later\"/></t:CreatedEvent>"
              "<t:MovedEvent><t:OldItemId Id=\"O\"/><t:OldParentFolderId Id=\"OP\"/><t:ItemId Id=\"N\"/>"
              "<x:ItemId xmlns:x=\"urn:x\" Id=\"not this\"/></t:MovedEvent>"
              "<t:ModifiedEvent><t:FolderId Id=\"F\"/><t:UnreadCount> 12</t:UnreadCount></t:ModifiedEvent>"
              "<t:StatusEvent><t:Watermark>WS</t:Watermark></t:StatusEvent><t:FrobEvent/><x:CreatedEvent xmlns:x=\"urn:x\"/>"
              "</m:Notification><t:Notification><t:SubscriptionId>S3</t:SubscriptionId></t:Notification>"
              "<x:Notification xmlns:x=\"urn:x\"/></m:Notifications>"
              "<m:ConnectionStatus> OK\n</m:ConnectionStatus><t:ConnectionStatus>Odd</t:ConnectionStatus>"
              "<m:Notifications><m:Notification><t:DeletedEvent><t:ItemId Id=\"D\"/></t:DeletedEvent></m:Notification></m:Notifications>"
              "</m:GetStreamingEventsResponseMessage>"
              "<m:GetStreamingEventsResponseMessage ResponseClass=\"Warning\"><m:ConnectionStatus>Closed</m:ConnectionStatus>"
              "</m:GetStreamingEventsResponseMessage>" STREAM_TAIL,
  STREAM_HEAD "<m:GetStreamingEventsResponseMessage ResponseClass=\"Error\"><m:MessageText>gone</m:MessageText>"
              "<m:ResponseCode>ErrorSubscriptionNotFound</m:ResponseCode><m:ErrorSubscriptionIds><m:SubscriptionId>S</m:SubscriptionId>"
              "</m:ErrorSubscriptionIds><m:ConnectionStatus>Closed</m:ConnectionStatus></m:GetStreamingEventsResponseMessage>" STREAM_TAIL,
  ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><faultcode>s:Server</faultcode>"
   "<faultstring>down</faultstring></s:Fault></s:Body></s:Envelope>"),
};

static void
test_stream_documents (void)
{
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) generated = stream_generate (17, 40, expected);

  check_stream (generated->str, generated->len);
  for (gsize i = 0; i < G_N_ELEMENTS (stream_fixtures); i++)
    {
      gsize            length;
      g_autofree char *fixture = stream_load_fixture (stream_fixtures[i], &length);

      check_stream (fixture, length);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (stream_documents); i++)
    check_stream (stream_documents[i], strlen (stream_documents[i]));
}

static void
test_stream_mutations (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (0xa5a);

  for (guint i = 0; i < N_MUTATIONS; i++)
    {
      const char *base = stream_documents[g_rand_int_range (rand, 0, G_N_ELEMENTS (stream_documents))];
      g_autoptr (GString) mutated = mutate (rand, base, strlen (base));

      check_stream (mutated->str, mutated->len);
    }
}

/* Dates as requests and the simulator write them: the fast formatter against
 * g_date_time_format(), from the year 32 to 9999 and in other zones. */
static void
test_date_times (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  g_autoptr (GTimeZone) zone = g_time_zone_new_offset (-(9 * 3600 + 30 * 60));

  for (guint i = 0; i < 20000; i++)
    {
      gint64 seconds = g_rand_int_range (rand, -719000, 2932000) * (gint64)86400 + g_rand_int_range (rand, 0, 86400);
      g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (seconds);
      g_autoptr (GDateTime) moved = g_date_time_add (utc, g_rand_int_range (rand, 0, G_USEC_PER_SEC));
      g_autoptr (GDateTime) local = g_date_time_to_timezone (moved, zone);
      g_autofree char *expected = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
      g_autofree char *formatted = ews_xml_format_date_time (local);

      g_assert_cmpstr (formatted, ==, expected);
    }
}

/* And read back: the plain form without GLib's parser must give what it gives. */
static void
test_date_time_parsing (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (43);
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();

  for (guint i = 0; i < 50000; i++)
    {
      g_autofree char *text = g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ", g_rand_int_range (rand, 0, 10001),
                                               g_rand_int_range (rand, 0, 14), g_rand_int_range (rand, 0, 33),
                                               g_rand_int_range (rand, 0, 26), g_rand_int_range (rand, 0, 62),
                                               g_rand_int_range (rand, 0, 62));
      g_autoptr (GDateTime) expected = g_date_time_new_from_iso8601 (text, utc);
      g_autoptr (GDateTime) parsed = ews_xml_parse_date_time (text);

      g_assert_true ((expected == NULL) == (parsed == NULL));
      if (expected != NULL)
        {
          g_assert_true (g_date_time_equal (expected, parsed));
          g_assert_cmpint (g_date_time_get_utc_offset (parsed), ==, 0);
        }
    }
}

/* Items keep times as microseconds: to and from GDateTime, the writer and the parser
 * agree with GLib, and what GDateTime cannot hold converts to nothing. */
static void
test_item_times (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (44);
  g_autoptr (GDateTime) first = g_date_time_new_utc (1, 1, 1, 0, 0, 0);
  g_autoptr (GDateTime) last = g_date_time_new_utc (9999, 12, 31, 23, 59, 59.999999);
  g_autoptr (GDateTime) before_first = NULL;
  g_autoptr (GDateTime) after_last = NULL;
  gint64 earliest = ews_time_from_date_time (first);
  gint64 latest = ews_time_from_date_time (last);

  for (guint i = 0; i < 20000; i++)
    {
      gint64 time = ews_time_new_utc (g_rand_int_range (rand, 1, 10000), g_rand_int_range (rand, 1, 13), g_rand_int_range (rand, 1, 29),
                                      g_rand_int_range (rand, 0, 24), g_rand_int_range (rand, 0, 60), g_rand_int_range (rand, 0, 60))
                    + g_rand_int_range (rand, 0, G_USEC_PER_SEC);
      g_autoptr (GDateTime) date_time = ews_time_to_date_time (time);
      g_autoptr (GString) written = g_string_new (NULL);
      g_autofree char *expected = g_date_time_format (date_time, "%Y-%m-%dT%H:%M:%SZ");

      g_assert_nonnull (date_time);
      g_assert_cmpint (ews_time_from_date_time (date_time), ==, time);
      ews_time_append (written, time);
      g_assert_cmpstr (written->str, ==, expected);
      /* the second it falls in, before 1970 too; EWS writes years in four digits */
      if (g_date_time_get_year (date_time) >= 1000)
        g_assert_cmpint (ews_xml_parse_time (written->str), ==, time - (time % G_USEC_PER_SEC + G_USEC_PER_SEC) % G_USEC_PER_SEC);
    }

  g_assert_null (ews_time_to_date_time (EWS_TIME_NONE));
  g_assert_cmpint (ews_time_from_date_time (NULL), ==, EWS_TIME_NONE);
  g_assert_cmpint (ews_xml_parse_time (NULL), ==, EWS_TIME_NONE);
  g_assert_cmpint (ews_xml_parse_time ("not a time"), ==, EWS_TIME_NONE);
  /* xs:date, as some servers send task dates */
  g_assert_cmpint (ews_xml_parse_time ("2026-11-27"), ==, ews_time_new_utc (2026, 11, 27, 0, 0, 0));
  g_assert_cmpint (ews_xml_parse_time ("2026-11-27T10:00:00+01:00"), ==, ews_time_new_utc (2026, 11, 27, 9, 0, 0));

  before_first = ews_time_to_date_time (earliest);
  after_last = ews_time_to_date_time (latest);
  g_assert_true (g_date_time_equal (before_first, first));
  g_assert_true (g_date_time_equal (after_last, last));
  g_assert_null (ews_time_to_date_time (earliest - 1));
  g_assert_null (ews_time_to_date_time (latest + 1));
  g_assert_null (ews_time_to_date_time (G_MININT64 + 1));
  g_assert_null (ews_time_to_date_time (G_MAXINT64));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/walk/sync/documents", test_sync_documents);
  g_test_add_func ("/walk/sync/mutations", test_sync_mutations);
  g_test_add_func ("/walk/stream/documents", test_stream_documents);
  g_test_add_func ("/walk/stream/mutations", test_stream_mutations);
  g_test_add_func ("/xml/date-times", test_date_times);
  g_test_add_func ("/xml/date-time-parsing", test_date_time_parsing);
  g_test_add_func ("/xml/item-times", test_item_times);

  return g_test_run ();
}
