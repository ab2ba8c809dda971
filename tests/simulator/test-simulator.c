/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "test-simulator"

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ews-sim-colleague.h"
#include "ews-simulator.h"

#include "ews-sim-private.h"
#include "ews-types.h"
#include "ews-xml-private.h"

/* The simulator seen from outside: a plain SoupSession posting raw SOAP. Every
 * body it reads or writes is collected and validated against the EWS schema at
 * the end. */

#define ENVELOPE_HEAD "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"" EWS_NS_SOAP "\" xmlns:m=\"" EWS_NS_MESSAGES "\" xmlns:t=\"" EWS_NS_TYPES "\"><soap:Header><t:RequestServerVersion Version=\"Exchange2013_SP1\"/></soap:Header><soap:Body>"
#define ENVELOPE_TAIL "</soap:Body></soap:Envelope>"

/* Under valgrind everything is about ten times slower: EWS_TEST_TIME_SCALE stretches the
 * simulator's short "minute" and every deadline alike. */
static guint time_scale = 1;

typedef struct
{
  char    *operation;
  GBytes  *body;
  gboolean is_response;
} Traffic;

static GPtrArray *traffic; /* every body of every simulator in this run */

static void
traffic_free (gpointer data)
{
  Traffic *t = data;

  g_free (t->operation);
  g_bytes_unref (t->body);
  g_free (t);
}

static void
traffic_cb (const char *operation,
            gboolean    is_response,
            GBytes     *body,
            gpointer    user_data)
{
  Traffic *t = g_new0 (Traffic, 1);

  t->operation = g_strdup (operation);
  t->body = g_bytes_ref (body);
  t->is_response = is_response;
  g_ptr_array_add (traffic, t);
}

typedef struct
{
  EwsSimulator *sim;
  SoupSession  *session;
  const char   *url;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->sim = ews_simulator_new ();
  ews_simulator_add_user (f->sim, "alice", "secret");
  ews_simulator_add_user (f->sim, "bob", "hunter2");
  ews_simulator_set_traffic_func (f->sim, traffic_cb, NULL, NULL);
  ews_simulator_set_keepalive_interval (f->sim, 100);
  ews_simulator_set_minute_ms (f->sim, 400 * time_scale);
  g_assert_true (ews_simulator_listen (f->sim, 0, FALSE, &error));
  g_assert_no_error (error);
  f->url = ews_simulator_get_url (f->sim);
  f->session = soup_session_new_with_options ("timeout", 0, "idle-timeout", 0, NULL);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  soup_session_abort (f->session);
  g_clear_object (&f->session);
  g_clear_object (&f->sim);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

static SoupMessage *
new_message (Fixture    *f,
             const char *user,
             const char *password,
             const char *body)
{
  SoupMessage *msg = soup_message_new (SOUP_METHOD_POST, f->url);
  g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

  soup_message_set_request_body_from_bytes (msg, "text/xml; charset=utf-8", bytes);
  if (user != NULL)
    {
      g_autofree char *pair = g_strdup_printf ("%s:%s", user, password);
      g_autofree char *encoded = g_base64_encode ((const guchar *)pair, strlen (pair));
      g_autofree char *header = g_strdup_printf ("Basic %s", encoded);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
    }
  return msg;
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GBytes **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (*out == NULL)
    *out = g_bytes_new (NULL, 0);
}

/* Posts @body as @user and returns the answer text; @status gets the HTTP status. */
static char *
post_full (Fixture    *f,
           const char *user,
           const char *body,
           guint      *status)
{
  g_autoptr (SoupMessage) msg = new_message (f, user, g_strcmp0 (user, "bob") == 0 ? "hunter2" : "secret", body);
  g_autoptr (GBytes) answer = NULL;

  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &answer);
  while (answer == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (status != NULL)
    *status = soup_message_get_status (msg);
  return g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
}

static char *
post (Fixture    *f,
      const char *body_inner)
{
  g_autofree char *body = g_strconcat (ENVELOPE_HEAD, body_inner, ENVELOPE_TAIL, NULL);
  guint            status = 0;
  char            *answer = post_full (f, "alice", body, &status);

  g_assert_cmpuint (status, ==, 200);
  return answer;
}

/* The text between the first <tag> and </tag> after @from. */
static char *
extract (const char *text,
         const char *tag)
{
  g_autofree char *open = g_strdup_printf ("<%s>", tag);
  g_autofree char *close = g_strdup_printf ("</%s>", tag);
  const char      *start = strstr (text, open);
  const char      *end;

  g_assert_nonnull (start);
  start += strlen (open);
  end = strstr (start, close);
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

static char *
extract_attr (const char *text,
              const char *element,
              const char *attr)
{
  g_autofree char *needle = g_strdup_printf ("<t:%s %s=\"", element, attr);
  const char      *start = strstr (text, needle);

  g_assert_nonnull (start);
  start += strlen (needle);
  return g_strndup (start, strchr (start, '"') - start);
}

static guint
count (const char *text,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static char *
subscribe (Fixture    *f,
           const char *kind,
           const char *extra)
{
  g_autofree char *body = g_strdup_printf ("<m:Subscribe><m:%s><t:FolderIds><t:DistinguishedFolderId Id=\"calendar\"/><t:DistinguishedFolderId Id=\"tasks\"/></t:FolderIds>"
                                           "<t:EventTypes><t:EventType>CreatedEvent</t:EventType><t:EventType>ModifiedEvent</t:EventType><t:EventType>DeletedEvent</t:EventType><t:EventType>MovedEvent</t:EventType></t:EventTypes>%s</m:%s></m:Subscribe>",
                                           kind, extra, kind);
  g_autofree char *answer = post (f, body);

  g_assert_nonnull (strstr (answer, "NoError"));
  return extract (answer, "m:SubscriptionId");
}

/* Streaming reader */

typedef struct
{
  GInputStream *in;
  GString      *text;
  gboolean      eof;
  GError       *error;
  SoupMessage  *msg;
  GCancellable *cancellable;
} Reader;

static void read_next (Reader *r);

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reader *r = user_data;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &r->error);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      r->eof = TRUE;
      return;
    }
  g_string_append_len (r->text, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  read_next (r);
}

static void
read_next (Reader *r)
{
  g_clear_error (&r->error);
  g_input_stream_read_bytes_async (r->in, 8192, G_PRIORITY_DEFAULT, r->cancellable, read_cb, r);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reader *r = user_data;

  r->in = soup_session_send_finish (SOUP_SESSION (source), result, &r->error);
  if (r->in == NULL)
    r->eof = TRUE;
  else
    read_next (r);
}

static Reader *
open_stream (Fixture    *f,
             const char *ids,
             guint       minutes)
{
  Reader          *r = g_new0 (Reader, 1);
  g_autofree char *body = g_strdup_printf (ENVELOPE_HEAD "<m:GetStreamingEvents><m:SubscriptionIds>%s</m:SubscriptionIds><m:ConnectionTimeout>%u</m:ConnectionTimeout></m:GetStreamingEvents>" ENVELOPE_TAIL, ids, minutes);

  r->text = g_string_new (NULL);
  r->msg = new_message (f, "alice", "secret", body);
  r->cancellable = g_cancellable_new ();
  soup_session_send_async (f->session, r->msg, G_PRIORITY_DEFAULT, r->cancellable, send_cb, r);
  return r;
}

static void
reader_free (Reader *r)
{
  g_cancellable_cancel (r->cancellable);
  while (!r->eof)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&r->in);
  g_clear_object (&r->cancellable);
  g_clear_object (&r->msg);
  g_clear_error (&r->error);
  g_string_free (r->text, TRUE);
  g_free (r);
}

/* Waits until the stream text contains @needle @n times (or ends). */
static gboolean
wait_for (Reader     *r,
          const char *needle,
          guint       n,
          guint       timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)timeout_ms * time_scale * 1000;

  while (count (r->text->str, needle) < n && !r->eof && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (500);
  return count (r->text->str, needle) >= n;
}

static void
wait_eof (Reader *r,
          guint   timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)timeout_ms * time_scale * 1000;

  while (!r->eof && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (500);
  g_assert_true (r->eof);
}

/* Colleague helpers */

static void
async_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static char *
colleague_create_meeting (EwsSimColleague *c,
                          const char      *subject)
{
  g_autoptr (GDateTime) start = g_date_time_new_utc (2024, 3, 12, 13, 0, 0);
  g_autoptr (GDateTime) end = g_date_time_new_utc (2024, 3, 12, 14, 0, 0);
  g_autoptr (GError) error = NULL;
  char *id = ews_sim_colleague_create_meeting (c, "alice@example.com", subject, start, end, "Room 2.17", &error);

  g_assert_no_error (error);
  return id;
}

static void
colleague_update (EwsSimColleague *c,
                  const char      *id,
                  const char      *field,
                  const char      *value)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ews_sim_colleague_update (c, id, field, value, &error));
  g_assert_no_error (error);
}

static void
test_get_folder (Fixture      *f,
                 gconstpointer data)
{
  g_autofree char *answer = post (f, "<m:GetFolder><m:FolderShape><t:BaseShape>AllProperties</t:BaseShape></m:FolderShape><m:FolderIds>"
                                     "<t:DistinguishedFolderId Id=\"root\"><t:Mailbox><t:EmailAddress>alice@example.com</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId>"
                                     "<t:DistinguishedFolderId Id=\"calendar\"><t:Mailbox><t:EmailAddress>bob@example.com</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId>"
                                     "<t:DistinguishedFolderId Id=\"tasks\"/><t:DistinguishedFolderId Id=\"publicfoldersroot\"/>"
                                     "</m:FolderIds></m:GetFolder>");
  g_autofree char *calendar_id = extract_attr (answer, "FolderId", "Id");
  g_autofree char *by_id = NULL;
  g_autofree char *body = NULL;

  g_assert_nonnull (strstr (answer, "<t:Folder><t:FolderId"));
  g_assert_nonnull (strstr (answer, "<t:CalendarFolder><t:FolderId"));
  g_assert_nonnull (strstr (answer, "<t:FolderClass>IPF.Task</t:FolderClass>"));
  g_assert_nonnull (strstr (answer, "<m:ResponseCode>ErrorFolderNotFound</m:ResponseCode>"));
  g_assert_cmpuint (count (answer, "ResponseClass=\"Success\""), ==, 3);

  body = g_strdup_printf ("<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:FolderId Id=\"%s\"/></m:FolderIds></m:GetFolder>", calendar_id);
  by_id = post (f, body);
  g_assert_nonnull (strstr (by_id, "<t:DisplayName>Top of Information Store</t:DisplayName>"));
}

static void
test_stream (Fixture      *f,
             gconstpointer data)
{
  g_autofree char *sub_id = subscribe (f, "StreamingSubscriptionRequest", "");
  g_autofree char *ids = g_strdup_printf ("<t:SubscriptionId>%s</t:SubscriptionId>", sub_id);
  g_autoptr (EwsSimColleague) bob = ews_sim_colleague_new (f->url, "bob", "hunter2");
  g_autofree char *item_id = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  Reader *r = open_stream (f, ids, 1);

  g_assert_true (wait_for (r, "<m:ConnectionStatus>OK</m:ConnectionStatus>", 2, 2000));
  g_assert_cmpuint (ews_simulator_get_n_streams (f->sim), ==, 1);

  item_id = colleague_create_meeting (bob, "Design review");
  g_assert_true (wait_for (r, "<t:CreatedEvent>", 1, 2000));
  g_assert_nonnull (strstr (r->text->str, item_id));
  g_assert_nonnull (strstr (r->text->str, "<t:FolderId")); /* the folder's ModifiedEvent */
  colleague_update (bob, item_id, "item:Subject", "Design review (moved)");
  g_assert_true (wait_for (r, "<t:ModifiedEvent><t:TimeStamp>", 2, 2000));
  ews_sim_colleague_delete_async (bob, item_id, NULL, async_cb, &result);
  g_assert_true (ews_sim_colleague_finish (bob, wait_result (&result), NULL));
  g_assert_true (wait_for (r, "<t:DeletedEvent>", 1, 2000));

  /* ConnectionTimeout of one (short) minute. */
  g_assert_true (wait_for (r, "<m:ConnectionStatus>Closed</m:ConnectionStatus>", 1, 3000));
  wait_eof (r, 2000);
  iterate_for (50);
  g_assert_cmpuint (ews_simulator_get_n_streams (f->sim), ==, 0);
  reader_free (r);
}

static void
test_sync (Fixture      *f,
           gconstpointer data)
{
  g_autoptr (EwsSimColleague) bob = ews_sim_colleague_new (f->url, "bob", "hunter2");
  g_autofree char *a = colleague_create_meeting (bob, "Budget");
  g_autofree char *b = colleague_create_meeting (bob, "Sprint planning");
  g_autofree char *c = colleague_create_meeting (bob, "Hiring panel");
  g_autofree char *state = NULL;
  g_autofree char *page1 = NULL;
  g_autofree char *page2 = NULL;
  g_autofree char *page3 = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *body = NULL;
  const char      *shape = "<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI=\"item:Subject\"/><t:FieldURI FieldURI=\"calendar:Start\"/>"
                           "<t:FieldURI FieldURI=\"calendar:Location\"/><t:FieldURI FieldURI=\"item:LastModifiedName\"/><t:FieldURI FieldURI=\"calendar:IsCancelled\"/></t:AdditionalProperties></m:ItemShape>";

  body = g_strdup_printf ("<m:SyncFolderItems>%s<m:SyncFolderId><t:DistinguishedFolderId Id=\"calendar\"/></m:SyncFolderId><m:MaxChangesReturned>2</m:MaxChangesReturned></m:SyncFolderItems>", shape);
  page1 = post (f, body);
  g_assert_cmpuint (count (page1, "<t:Create>"), ==, 2);
  g_assert_nonnull (strstr (page1, "<m:IncludesLastItemInRange>false"));
  g_assert_nonnull (strstr (page1, "<t:LastModifiedName>Bob</t:LastModifiedName>"));
  g_assert_nonnull (strstr (page1, a));
  state = extract (page1, "m:SyncState");

  colleague_update (bob, a, "calendar:IsCancelled", "true");
  g_free (body);
  body = g_strdup_printf ("<m:SyncFolderItems>%s<m:SyncFolderId><t:DistinguishedFolderId Id=\"calendar\"/></m:SyncFolderId><m:SyncState>%s</m:SyncState><m:MaxChangesReturned>2</m:MaxChangesReturned></m:SyncFolderItems>", shape, state);
  page2 = post (f, body);
  g_assert_nonnull (strstr (page2, c));
  g_assert_cmpuint (count (page2, "<t:Create>"), ==, 1);
  g_assert_cmpuint (count (page2, "<t:Update>"), ==, 1);
  g_assert_nonnull (strstr (page2, "<t:IsCancelled>true</t:IsCancelled>"));
  g_assert_nonnull (strstr (page2, "<m:IncludesLastItemInRange>true"));
  g_free (state);
  state = extract (page2, "m:SyncState");

  g_free (body);
  body = g_strdup_printf ("<m:SyncFolderItems>%s<m:SyncFolderId><t:DistinguishedFolderId Id=\"calendar\"/></m:SyncFolderId><m:SyncState>%s</m:SyncState><m:MaxChangesReturned>2</m:MaxChangesReturned></m:SyncFolderItems>", shape, state);
  page3 = post (f, body);
  g_assert_null (strstr (page3, "<t:Create>"));
  g_assert_nonnull (strstr (page3, "<m:IncludesLastItemInRange>true"));
  (void)b;

  bad = post (f, "<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id=\"calendar\"/></m:SyncFolderId>"
                 "<m:SyncState>bm9uc2Vuc2U=</m:SyncState><m:MaxChangesReturned>10</m:MaxChangesReturned></m:SyncFolderItems>");
  g_assert_nonnull (strstr (bad, "<m:ResponseCode>ErrorInvalidSyncStateData</m:ResponseCode>"));
  g_assert_nonnull (strstr (bad, "<m:MessageText>"));
}

static void
test_get_events (Fixture      *f,
                 gconstpointer data)
{
  g_autofree char *sub = NULL;
  g_autofree char *answer = post (f, "<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id=\"calendar\"/></t:FolderIds>"
                                     "<t:EventTypes><t:EventType>CreatedEvent</t:EventType><t:EventType>ModifiedEvent</t:EventType></t:EventTypes><t:Timeout>10</t:Timeout>"
                                     "</m:PullSubscriptionRequest></m:Subscribe>");
  g_autofree char *watermark = extract (answer, "m:Watermark");
  g_autoptr (EwsSimColleague) bob = ews_sim_colleague_new (f->url, "bob", "hunter2");
  g_autofree char *id = colleague_create_meeting (bob, "Customer call");
  g_autofree char *body = NULL;
  g_autofree char *events = NULL;
  g_autofree char *again = NULL;
  g_autofree char *status = NULL;
  g_autofree char *last = NULL;
  g_autofree char *invalid = NULL;
  const char      *p;

  sub = extract (answer, "m:SubscriptionId");
  body = g_strdup_printf ("<m:GetEvents><m:SubscriptionId>%s</m:SubscriptionId><m:Watermark>%s</m:Watermark></m:GetEvents>", sub, watermark);
  events = post (f, body);
  g_assert_nonnull (strstr (events, "<t:CreatedEvent><t:Watermark>"));
  g_assert_nonnull (strstr (events, id));
  g_assert_nonnull (strstr (events, "<t:MoreEvents>false</t:MoreEvents>"));
  /* The same watermark gives the same events: nothing is acknowledged yet. */
  again = post (f, body);
  g_assert_cmpuint (count (again, "<t:Watermark>"), ==, count (events, "<t:Watermark>"));

  p = g_strrstr (events, "<t:Watermark>");
  last = extract (p, "t:Watermark");
  g_free (body);
  body = g_strdup_printf ("<m:GetEvents><m:SubscriptionId>%s</m:SubscriptionId><m:Watermark>%s</m:Watermark></m:GetEvents>", sub, last);
  status = post (f, body);
  g_assert_nonnull (strstr (status, "<t:StatusEvent>"));
  g_assert_null (strstr (status, "<t:CreatedEvent>"));

  g_free (body);
  body = g_strdup_printf ("<m:GetEvents><m:SubscriptionId>%s</m:SubscriptionId><m:Watermark>AAAA</m:Watermark></m:GetEvents>", sub);
  invalid = post (f, body);
  g_assert_nonnull (strstr (invalid, "ErrorInvalidWatermark"));
}

static void
test_get_item (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (EwsSimColleague) bob = ews_sim_colleague_new (f->url, "bob", "hunter2");
  g_autofree char *id = colleague_create_meeting (bob, "Quarterly planning & review");
  g_autofree char *body = NULL;
  g_autofree char *answer = NULL;

  colleague_update (bob, id, "item:Body", "Agenda: numbers");
  body = g_strdup_printf ("<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id=\"%s\"/><t:ItemId Id=\"AAMkAGone=\"/></m:ItemIds></m:GetItem>", id);
  answer = post (f, body);
  g_assert_nonnull (strstr (answer, "<t:Subject>Quarterly planning &amp; review</t:Subject>"));
  g_assert_nonnull (strstr (answer, "Agenda: numbers"));
  g_assert_nonnull (strstr (answer, "<t:RequiredAttendees>"));
  g_assert_nonnull (strstr (answer, "<t:WebClientReadFormQueryString>"));
  g_assert_nonnull (strstr (answer, "<t:Location>Room 2.17</t:Location>"));
  g_assert_nonnull (strstr (answer, "<m:ResponseCode>ErrorItemNotFound</m:ResponseCode>"));
  g_assert_cmpuint (count (answer, "<m:GetItemResponseMessage "), ==, 2);
}

static void
test_tasks_and_move (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (EwsSimColleague) bob = ews_sim_colleague_new (f->url, "bob", "hunter2");
  g_autoptr (GAsyncResult) created = NULL;
  g_autoptr (GAsyncResult) moved = NULL;
  g_autoptr (GDateTime) due = g_date_time_new_utc (2024, 3, 15, 0, 0, 0);
  g_autofree char *sub_id = subscribe (f, "StreamingSubscriptionRequest", "");
  g_autofree char *ids = g_strdup_printf ("<t:SubscriptionId>%s</t:SubscriptionId>", sub_id);
  g_autofree char *task = NULL;
  g_autofree char *meeting = NULL;
  g_autofree char *body = NULL;
  g_autofree char *answer = NULL;
  Reader          *r;

  ews_sim_colleague_create_task_async (bob, "alice@example.com", "Submit expense report", due, NULL, async_cb, &created);
  task = ews_sim_colleague_create_finish (bob, wait_result (&created), NULL);
  g_assert_nonnull (task);
  colleague_update (bob, task, "task:PercentComplete", "50");
  colleague_update (bob, task, "task:DueDate", "2024-03-20T00:00:00Z");
  body = g_strdup_printf ("<m:GetItem><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id=\"%s\"/></m:ItemIds></m:GetItem>", task);
  answer = post (f, body);
  g_assert_nonnull (strstr (answer, "<t:DueDate>2024-03-20T00:00:00Z</t:DueDate><t:IsComplete>false</t:IsComplete><t:PercentComplete>50</t:PercentComplete><t:Status>InProgress</t:Status>"));

  /* Events queued while no stream is open arrive when one opens. */
  meeting = colleague_create_meeting (bob, "1:1");
  ews_sim_colleague_move_async (bob, meeting, "deleteditems", "alice@example.com", NULL, async_cb, &moved);
  g_assert_true (ews_sim_colleague_finish (bob, wait_result (&moved), NULL));
  r = open_stream (f, ids, 5);
  g_assert_true (wait_for (r, "<t:MovedEvent>", 1, 2000));
  g_assert_nonnull (strstr (r->text->str, "<t:OldItemId"));
  reader_free (r);
}

typedef struct
{
  guint    received;
  gboolean unsubscribe;
} Listener;

static void
listener_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  Listener *l = user_data;
  g_autoptr (GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree char *answer = NULL;

  if (strstr (g_bytes_get_data (body, NULL), "<t:CreatedEvent>") != NULL)
    l->received++;
  answer = g_strdup_printf ("<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"" EWS_NS_SOAP "\" xmlns:m=\"" EWS_NS_MESSAGES "\">"
                            "<s:Body><m:SendNotificationResult><m:SubscriptionStatus>%s</m:SubscriptionStatus></m:SendNotificationResult></s:Body></s:Envelope>",
                            l->unsubscribe ? "Unsubscribe" : "OK");
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/xml; charset=utf-8", SOUP_MEMORY_COPY, answer, strlen (answer));
}

static void
test_push (Fixture      *f,
           gconstpointer data)
{
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (EwsSimColleague) bob = ews_sim_colleague_new (f->url, "bob", "hunter2");
  g_autoptr (GError) error = NULL;
  g_autofree char *extra = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *id = NULL;
  Listener         l = { 0 };
  GSList          *uris;
  gint64           end;

  soup_server_add_handler (server, "/push", listener_cb, &l, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (server);
  extra = g_strdup_printf ("<t:StatusFrequency>1</t:StatusFrequency><t:URL>http://127.0.0.1:%d/push</t:URL>", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  sub = subscribe (f, "PushSubscriptionRequest", extra);
  g_assert_cmpuint (ews_simulator_get_n_subscriptions (f->sim), ==, 1);

  id = colleague_create_meeting (bob, "Budget");
  end = g_get_monotonic_time () + 3 * time_scale * G_USEC_PER_SEC;
  while (l.received == 0 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (l.received, ==, 1);

  /* The listener ends the subscription at the next status event. */
  l.unsubscribe = TRUE;
  end = g_get_monotonic_time () + 3 * time_scale * G_USEC_PER_SEC;
  while (ews_simulator_get_n_subscriptions (f->sim) > 0 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpuint (ews_simulator_get_n_subscriptions (f->sim), ==, 0);
  soup_server_disconnect (server);
}

static const char get_folder_body[] = ENVELOPE_HEAD "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id=\"calendar\"/></m:FolderIds></m:GetFolder>" ENVELOPE_TAIL;

static void
test_request_faults (Fixture      *f,
                     gconstpointer data)
{
  guint            status = 0;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;
  g_autofree char *e = NULL;

  ews_simulator_inject_fault (f->sim, EWS_SIM_FAULT_HTTP_500, 0);
  a = post_full (f, "alice", get_folder_body, &status);
  g_assert_cmpuint (status, ==, 500);
  ews_simulator_inject_fault (f->sim, EWS_SIM_FAULT_HTTP_503, 0);
  b = post_full (f, "alice", get_folder_body, &status);
  g_assert_cmpuint (status, ==, 503);
  ews_simulator_inject_fault (f->sim, EWS_SIM_FAULT_SERVER_BUSY, 1234);
  c = post_full (f, "alice", get_folder_body, &status);
  g_assert_cmpuint (status, ==, 500);
  g_assert_nonnull (strstr (c, "<t:Value Name=\"BackOffMilliseconds\">1234</t:Value>"));
  ews_simulator_inject_fault (f->sim, EWS_SIM_FAULT_UNAUTHORIZED, 0);
  d = post_full (f, "alice", get_folder_body, &status);
  g_assert_cmpuint (status, ==, 401);
  e = post_full (f, "alice", get_folder_body, &status);
  g_assert_cmpuint (status, ==, 200);
}

static void
test_stream_faults (Fixture      *f,
                    gconstpointer data)
{
  g_autofree char *sub_id = subscribe (f, "StreamingSubscriptionRequest", "");
  g_autofree char *ids = g_strdup_printf ("<t:SubscriptionId>%s</t:SubscriptionId>", sub_id);
  g_autofree char *pull = NULL;
  g_autofree char *pull_body = NULL;
  g_autofree char *gone = NULL;
  Reader          *r;
  gsize            length;

  r = open_stream (f, ids, 30);
  g_assert_true (wait_for (r, "ConnectionStatus>OK", 1, 2000));
  ews_simulator_inject_fault (f->sim, EWS_SIM_FAULT_MALFORMED_XML, 0);
  g_assert_true (wait_for (r, "<<&", 1, 2000));
  ews_simulator_inject_fault (f->sim, EWS_SIM_FAULT_MISSED_EVENTS, 0);
  g_assert_true (wait_for (r, "ErrorMissedNotificationEvents", 1, 2000));
  wait_eof (r, 2000);
  reader_free (r);

  r = open_stream (f, ids, 30);
  g_assert_true (wait_for (r, "ConnectionStatus>OK", 1, 2000));
  ews_simulator_inject_fault (f->sim, EWS_SIM_FAULT_DROP_STREAM, 0);
  wait_eof (r, 2000);
  g_assert_false (g_str_has_suffix (r->text->str, "</Envelope>"));
  reader_free (r);

  r = open_stream (f, ids, 30);
  g_assert_true (wait_for (r, "ConnectionStatus>OK", 1, 2000));
  ews_simulator_inject_fault (f->sim, EWS_SIM_FAULT_STALL_STREAM, 0);
  iterate_for (50);
  length = r->text->len;
  iterate_for (400);
  g_assert_cmpuint (r->text->len, ==, length);
  g_assert_false (r->eof);
  ews_simulator_restart (f->sim);
  wait_eof (r, 2000);
  g_assert_cmpuint (ews_simulator_get_n_subscriptions (f->sim), ==, 0);
  g_assert_cmpuint (ews_simulator_get_n_streams (f->sim), ==, 0);
  reader_free (r);

  /* Forgotten: the next stream names the subscription in ErrorSubscriptionIds. */
  g_free (sub_id);
  g_free (ids);
  sub_id = subscribe (f, "StreamingSubscriptionRequest", "");
  ids = g_strdup_printf ("<t:SubscriptionId>%s</t:SubscriptionId>", sub_id);
  pull = subscribe (f, "PullSubscriptionRequest", "<t:Timeout>10</t:Timeout>");
  ews_simulator_inject_fault (f->sim, EWS_SIM_FAULT_FORGET_SUBSCRIPTIONS, 0);
  r = open_stream (f, ids, 30);
  wait_eof (r, 2000);
  g_assert_nonnull (strstr (r->text->str, "<m:ResponseCode>ErrorSubscriptionNotFound</m:ResponseCode>"));
  g_assert_nonnull (strstr (r->text->str, sub_id));
  reader_free (r);
  pull_body = g_strdup_printf ("<m:GetEvents><m:SubscriptionId>%s</m:SubscriptionId><m:Watermark>AAAAAMAGAAAAAAAAAQ==</m:Watermark></m:GetEvents>", pull);
  gone = post (f, pull_body);
  g_assert_nonnull (strstr (gone, "ErrorSubscriptionNotFound"));

  /* Expired while streaming: the open stream is told at once. */
  g_free (sub_id);
  g_free (ids);
  sub_id = subscribe (f, "StreamingSubscriptionRequest", "");
  ids = g_strdup_printf ("<t:SubscriptionId>%s</t:SubscriptionId>", sub_id);
  r = open_stream (f, ids, 30);
  g_assert_true (wait_for (r, "ConnectionStatus>OK", 1, 2000));
  ews_simulator_inject_fault (f->sim, EWS_SIM_FAULT_EXPIRE_SUBSCRIPTIONS, 0);
  wait_eof (r, 2000);
  g_assert_nonnull (strstr (r->text->str, "<m:ErrorSubscriptionIds><m:SubscriptionId>"));
  reader_free (r);
}

static void
test_auth (Fixture      *f,
           gconstpointer data)
{
  guint            status = 0;
  g_autofree char *without_credentials = post_full (f, NULL, get_folder_body, &status);
  g_autoptr (SoupMessage) msg = new_message (f, "alice", "wrong", get_folder_body);
  g_autoptr (GBytes) answer = NULL;

  g_assert_cmpuint (status, ==, 401);
  g_assert_null (without_credentials);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &answer);
  while (answer == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 401);
}

static void
test_tls (void)
{
  g_autoptr (EwsSimulator) sim = ews_simulator_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsDatabase) database = NULL;
  Fixture          f = { 0 };
  guint            status = 0;
  g_autofree char *answer = NULL;

  ews_simulator_add_user (sim, "alice", "secret");
  ews_simulator_set_traffic_func (sim, traffic_cb, NULL, NULL);
  g_assert_true (ews_simulator_listen (sim, 0, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ews_simulator_get_url (sim), "https://127.0.0.1:"));
  g_assert_nonnull (ews_simulator_get_certificate (sim));
  database = g_tls_file_database_new (ews_simulator_get_certificate_file (sim), &error);
  g_assert_no_error (error);

  f.sim = sim;
  f.url = ews_simulator_get_url (sim);
  f.session = soup_session_new_with_options ("tls-database", database, NULL);
  answer = post_full (&f, "alice", get_folder_body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (answer, "<t:CalendarFolder>"));
  soup_session_abort (f.session);
  g_object_unref (f.session);
}

/* The benchmark mode: the simulator serves from its own thread and context. */
static void
test_thread (void)
{
  g_autoptr (GError) error = NULL;
  Fixture          f = { 0 };
  guint            status = 0;
  g_autofree char *answer = NULL;

  f.sim = ews_simulator_new_in_thread ();
  ews_simulator_add_user (f.sim, "alice", "secret");
  g_assert_true (ews_simulator_listen (f.sim, 0, FALSE, &error));
  g_assert_no_error (error);
  f.url = ews_simulator_get_url (f.sim);
  f.session = soup_session_new ();
  answer = post_full (&f, "alice", get_folder_body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (answer, "<t:CalendarFolder>"));
  g_assert_cmpuint (ews_simulator_get_n_streams (f.sim), ==, 0);
  soup_session_abort (f.session);
  g_object_unref (f.session);
  g_object_unref (f.sim);
}

static char *
load_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("EWS_FIXTURES_DIR"), name, NULL);
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Every request fixture is read by the simulator, and the values it reads (ids,
 * folders, shapes) are the ones in the file. */
static void
test_request_fixtures (Fixture      *f,
                       gconstpointer data)
{
  static const char *const subscribe_files[] = { "subscribe-streaming-request.xml", "subscribe-pull-request.xml" };
  g_autofree char         *answer = NULL;
  guint                    status = 0;

  if (g_getenv ("EWS_FIXTURES_DIR") == NULL)
    {
      g_test_skip ("EWS_FIXTURES_DIR not set");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (subscribe_files); i++)
    {
      g_autofree char *body = load_fixture (subscribe_files[i]);
      g_autofree char *reply = post_full (f, "alice", body, &status);

      g_assert_nonnull (strstr (reply, "<m:ResponseCode>NoError</m:ResponseCode>"));
    }
  g_assert_cmpuint (ews_simulator_get_n_subscriptions (f->sim), ==, 2);

  {
    g_autofree char *body = load_fixture ("getstreamingevents-request.xml");
    g_autofree char *reply = post_full (f, "alice", body, &status);

    g_assert_nonnull (strstr (reply, "<m:SubscriptionId>JgBibjFwcjAzbWIyMDIubmFtcHJkMDMucHJvZC5vdXRsb29rLmNvbRAAAADwXxVesOnHS5BxUHKwAW88SHjwd1iB0Ag=</m:SubscriptionId>"));
  }
  {
    g_autofree char *body = load_fixture ("getevents-request.xml");
    g_autofree char *reply = post_full (f, "alice", body, &status);

    g_assert_nonnull (strstr (reply, "ErrorSubscriptionNotFound"));
  }
  {
    g_autofree char *body = load_fixture ("unsubscribe-request.xml");
    g_autofree char *reply = post_full (f, "alice", body, &status);

    g_assert_nonnull (strstr (reply, "ErrorSubscriptionNotFound"));
  }
  {
    g_autofree char *body = load_fixture ("syncfolderitems-request.xml");
    g_autofree char *reply = post_full (f, "alice", body, &status);

    g_assert_nonnull (strstr (reply, "ErrorInvalidSyncStateData"));
  }
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *body = load_fixture (i == 0 ? "getitem-calendar-request.xml" : "getitem-task-request.xml");
      g_autofree char *reply = post_full (f, "alice", body, &status);

      g_assert_cmpuint (count (reply, "ErrorItemNotFound</m:ResponseCode>"), ==, 1);
    }
  {
    /* The parser of the push request reads the URL; delivery there fails quietly. */
    g_autofree char *body = load_fixture ("subscribe-push-request.xml");
    g_autofree char *reply = post_full (f, "alice", body, &status);

    g_assert_nonnull (strstr (reply, "<m:Watermark>"));
  }
  {
    g_autofree char *body = load_fixture ("autodiscover-pox-request.xml");
    g_autofree char *url = g_strdup_printf ("%.*s/autodiscover/autodiscover.xml", (int)(strstr (f->url, "/EWS/") - f->url), f->url);
    g_autoptr (SoupMessage) msg = NULL;
    g_autoptr (GBytes) reply = NULL;
    g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

    ews_simulator_add_user (f->sim, "user@contoso.com", "pw");
    msg = soup_message_new (SOUP_METHOD_POST, url);
    soup_message_set_request_body_from_bytes (msg, "text/xml", bytes);
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", "Basic dXNlckBjb250b3NvLmNvbTpwdw==");
    soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &reply);
    while (reply == NULL)
      g_main_context_iteration (NULL, TRUE);
    answer = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
    g_assert_nonnull (strstr (answer, "<AutoDiscoverSMTPAddress>user@contoso.com</AutoDiscoverSMTPAddress>"));
    g_assert_nonnull (strstr (answer, f->url));
  }
}

static char *
replace_all (const char *text,
             const char *from,
             const char *to)
{
  g_auto (GStrv) parts = g_strsplit (text, from, -1);

  return g_strjoinv (to, parts);
}

/* Runs last: every body seen so far goes through Microsoft's schema. */
static void
test_schema (void)
{
  g_autofree char *xmllint = g_find_program_in_path ("xmllint");
  const char      *xsd_dir = g_getenv ("EWS_XSD_DIR");
  g_autofree char *dir = NULL;
  g_autofree char *schema = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  int              wait_status = 0;
  guint            n_files = 0;

  if (xmllint == NULL || xsd_dir == NULL)
    {
      g_test_skip ("xmllint or EWS_XSD_DIR missing");
      return;
    }
  dir = g_dir_make_tmp ("ews-sim-schema-XXXXXX", &error);
  g_assert_no_error (error);
  schema = g_build_filename (xsd_dir, "ews-soap.xsd", NULL);
  g_ptr_array_add (argv, g_strdup (xmllint));
  g_ptr_array_add (argv, g_strdup ("--nonet"));
  g_ptr_array_add (argv, g_strdup ("--noout"));
  g_ptr_array_add (argv, g_strdup ("--schema"));
  g_ptr_array_add (argv, g_strdup (schema));

  for (guint i = 0; i < traffic->len; i++)
    {
      Traffic         *t = g_ptr_array_index (traffic, i);
      g_autofree char *text = g_strndup (g_bytes_get_data (t->body, NULL), g_bytes_get_size (t->body));
      g_autofree char *path = NULL;

      if (g_str_equal (t->operation, "Autodiscover"))
        {
          /* POX autodiscover has no schema here: well-formed is all we check. */
          g_autoptr (xmlDoc) doc = ews_xml_parse (text, strlen (text), &error);

          g_assert_no_error (error);
          g_assert_nonnull (doc);
          continue;
        }
      if (g_str_equal (t->operation, "GetStreamingEvents") && t->is_response)
        {
          /* The two known server/schema deviations (see xsd/README.md): real servers
           * write m:Notification and m:ErrorSubscriptionIds/m:SubscriptionId where
           * the schema says t:. The simulator keeps the real form; rewrite exactly
           * those names before validating. */
          g_autofree char *a = replace_all (text, "<m:Notification>", "<t:Notification>");
          g_autofree char *b = replace_all (a, "</m:Notification>", "</t:Notification>");
          g_autofree char *c = replace_all (b, "<m:SubscriptionId>", "<t:SubscriptionId>");

          g_free (text);
          text = replace_all (c, "</m:SubscriptionId>", "</t:SubscriptionId>");
        }
      path = g_strdup_printf ("%s/%04u-%s-%s.xml", dir, i, t->operation, t->is_response ? "out" : "in");
      g_assert_true (g_file_set_contents (path, text, -1, NULL));
      g_ptr_array_add (argv, g_steal_pointer (&path));
      n_files++;
    }
  g_ptr_array_add (argv, NULL);
  g_assert_cmpuint (n_files, >, 50);

  g_spawn_sync (NULL, (char **)argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &wait_status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (wait_status, NULL))
    g_printerr ("%s", err);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));

  for (guint i = 5; i < argv->len - 1; i++)
    g_unlink (g_ptr_array_index (argv, i));
  g_rmdir (dir);
}

/* RFC 1320's test suite. */
static void
test_md4 (void)
{
  static const struct
  {
    const char *text;
    const char *digest;
  } cases[] = {
    { "", "31d6cfe0d16ae931b73c59d7e0c089c0" },
    { "a", "bde52cb31de33e46245e05fbdbd6fb24" },
    { "abc", "a448017aaf21d8525fc10ae87aa6729d" },
    { "message digest", "d9130a8164549fe818874806e1c7014b" },
    { "abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9" },
    { "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "043f8582f241db351ce627e153e7f0e4" },
    { "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
      "e33b4ddc9c38f2199c3e7b164fcc0536" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint8 digest[16];
      char   hex[33];

      ews_sim_md4 ((const guint8 *)cases[i].text, strlen (cases[i].text), digest);
      for (guint j = 0; j < 16; j++)
        g_snprintf (hex + 2 * j, 3, "%02x", digest[j]);
      g_assert_cmpstr (hex, ==, cases[i].digest);
    }
}

/* MS-NLMP 4.2.4, "NTLMv2 Authentication": user "User", domain "Domain", password
 * "Password", server challenge 0123456789abcdef, client challenge aaaaaaaaaaaaaaaa,
 * time 0, target information (NetBIOS domain "Domain", computer "Server"). */
static void
test_ntlm_v2_proof (void)
{
  static const guint8 challenge[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
  static const guint8 blob[] = {
    0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* header, time */
    0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0x00, 0x00, 0x00, 0x00,                         /* client challenge */
    0x02, 0x00, 0x0c, 0x00, 'D', 0, 'o', 0, 'm', 0, 'a', 0, 'i', 0, 'n', 0,                         /* NbDomainName */
    0x01, 0x00, 0x0c, 0x00, 'S', 0, 'e', 0, 'r', 0, 'v', 0, 'e', 0, 'r', 0,                         /* NbComputerName */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                                                 /* EOL, padding */
  };
  static const guint8 expected[16] = { 0x68, 0xcd, 0x0a, 0xb8, 0x51, 0xe5, 0x1c, 0x96,
                                       0xaa, 0xbc, 0x92, 0x7b, 0xeb, 0xef, 0x6a, 0x1c };
  guint8              proof[16];

  ews_sim_ntlm_v2_proof ("Password", "User", "Domain", challenge, blob, sizeof blob, proof);
  g_assert_cmpmem (proof, sizeof proof, expected, sizeof expected);
  ews_sim_ntlm_v2_proof ("password", "User", "Domain", challenge, blob, sizeof blob, proof);
  g_assert_true (memcmp (proof, expected, sizeof expected) != 0);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* Loopback only: keep the desktop's proxy settings (and their schemas) out. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (g_getenv ("EWS_TEST_TIME_SCALE") != NULL)
    time_scale = CLAMP (g_ascii_strtoull (g_getenv ("EWS_TEST_TIME_SCALE"), NULL, 10), 1, 100);
  traffic = g_ptr_array_new_with_free_func (traffic_free);

#define ADD(path, func) g_test_add ("/simulator/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("get-folder", test_get_folder);
  ADD ("stream", test_stream);
  ADD ("sync", test_sync);
  ADD ("get-events", test_get_events);
  ADD ("get-item", test_get_item);
  ADD ("tasks-and-move", test_tasks_and_move);
  ADD ("push", test_push);
  ADD ("request-faults", test_request_faults);
  ADD ("stream-faults", test_stream_faults);
  ADD ("auth", test_auth);
  ADD ("request-fixtures", test_request_fixtures);
#undef ADD
  g_test_add_func ("/simulator/tls", test_tls);
  g_test_add_func ("/simulator/md4", test_md4);
  g_test_add_func ("/simulator/ntlm-v2-proof", test_ntlm_v2_proof);
  g_test_add_func ("/simulator/thread", test_thread);
  g_test_add_func ("/simulator/schema", test_schema);

  ret = g_test_run ();
  g_ptr_array_unref (traffic);
  return ret;
}
