/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* EwsClient against the EWS simulator: real HTTP on loopback, real SOAP, real streaming. */

#include "config.h"

#include <string.h>

#include "ews-autodiscover.h"
#include "ews-client.h"
#include "ews-client-private.h"
#include "ews-error.h"
#include "ews-event-stream.h"
#include "ews-sim-colleague.h"
#include "ews-sim-kdc.h"
#include "ews-simulator.h"
#include "net-test-util.h"

#define PASSWORD "correct horse battery staple"

/* Under valgrind everything is about ten times slower: EWS_TEST_TIME_SCALE stretches
 * the waits, and what the main loop may take between two ticks. */
static guint time_scale = 1;
#define MS(ms) ((ms)*time_scale)

/* What a test's fixture is set up with. */
enum
{
  WITH_TLS = 1 << 0,
  WITH_NTLM = 1 << 1,     /* the server offers NTLM beside Basic; the client signs in with NTLM only */
  WITH_KERBEROS = 1 << 2, /* the server offers Negotiate, NTLM and Basic; the client uses its Kerberos ticket */
};

/* The realm Kerberos tests sign in to; alice has a ticket at the start of each. */
static EwsSimKdc *kdc;

typedef struct
{
  EwsSimulator    *simulator;
  EwsClient       *client;
  EwsSimColleague *colleague;
  EwsEventStream  *stream;
  GPtrArray       *events;
  GPtrArray       *statuses;
  GAsyncResult    *result;
  char            *calendar_id;
  char            *tasks_id;
} Fixture;

static void
on_notification (EwsEventStream  *stream,
                 EwsNotification *notification,
                 Fixture         *fixture)
{
  for (guint i = 0; i < notification->events->len; i++)
    g_ptr_array_add (fixture->events, ews_event_copy (g_ptr_array_index (notification->events, i)));
}

static void
on_status (EwsEventStream *stream,
           int             status,
           Fixture        *fixture)
{
  g_ptr_array_add (fixture->statuses, GINT_TO_POINTER (status + 1));
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_assert_null (fixture->result);
  fixture->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (fixture->result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return fixture->result;
}

static void
clear_result (Fixture *fixture)
{
  g_clear_object (&fixture->result);
}

static gboolean
has_event (Fixture     *fixture,
           EwsEventType type,
           const char  *item_id)
{
  for (guint i = 0; i < fixture->events->len; i++)
    {
      EwsEvent *event = g_ptr_array_index (fixture->events, i);

      if (event->type == type && g_strcmp0 (event->id, item_id) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
wait_event (Fixture     *fixture,
            EwsEventType type,
            const char  *item_id)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!has_event (fixture, type, item_id))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
wait_streams (Fixture *fixture,
              guint    n_streams)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (ews_simulator_get_n_streams (fixture->simulator) != n_streams)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint    flags = GPOINTER_TO_UINT (data);
  gboolean tls = (flags & WITH_TLS) != 0;

  fixture->simulator = ews_simulator_new ();
  ews_simulator_set_ntlm (fixture->simulator, (flags & WITH_NTLM) != 0);
  if (flags & WITH_KERBEROS)
    {
      ews_simulator_set_kerberos (fixture->simulator, ews_sim_kdc_get_service_keytab (kdc), &error);
      g_assert_no_error (error);
      ews_sim_kdc_kinit (kdc, "alice", &error);
      g_assert_no_error (error);
    }
  ews_simulator_add_user (fixture->simulator, "alice", PASSWORD);
  ews_simulator_add_user (fixture->simulator, "bob", "bob's password");
  ews_simulator_set_keepalive_interval (fixture->simulator, 50);
  g_assert_true (ews_simulator_listen (fixture->simulator, 0, tls, &error));
  g_assert_no_error (error);

  fixture->client = ews_client_new (ews_simulator_get_url (fixture->simulator));
  ews_client_set_credentials (fixture->client, "alice", PASSWORD);
  if (flags & WITH_NTLM)
    ews_client_set_auth_mechanism (fixture->client, EWS_AUTH_NTLM);
  if (flags & WITH_KERBEROS)
    {
      /* No password: the ticket is all there is. */
      ews_client_set_credentials (fixture->client, "alice", NULL);
      ews_client_set_auth_mechanism (fixture->client, EWS_AUTH_NEGOTIATE);
      g_assert_true (ews_client_set_ca_file (fixture->client, ews_simulator_get_certificate_file (fixture->simulator), &error));
      g_assert_no_error (error);
    }
  fixture->colleague = ews_sim_colleague_new (ews_simulator_get_url (fixture->simulator), "bob", "bob's password");
  fixture->stream = ews_event_stream_new ();
  fixture->events = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_event_free);
  fixture->statuses = g_ptr_array_new ();
  g_signal_connect (fixture->stream, "notification", G_CALLBACK (on_notification), fixture);
  g_signal_connect (fixture->stream, "connection-status", G_CALLBACK (on_status), fixture);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  clear_result (fixture);
  g_clear_object (&fixture->stream);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->colleague);
  g_clear_object (&fixture->simulator);
  g_ptr_array_unref (fixture->events);
  g_ptr_array_unref (fixture->statuses);
  g_free (fixture->calendar_id);
  g_free (fixture->tasks_id);
  /* let cancelled operations and closed connections finish */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
resolve_folders (Fixture *fixture)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  EwsFolder *calendar, *tasks;

  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", NULL));
  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("tasks", NULL));
  ews_client_get_folders_async (fixture->client, refs, NULL, store_result, fixture);
  folders = ews_client_get_folders_finish (fixture->client, wait_result (fixture), &error);
  clear_result (fixture);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 2);

  calendar = g_ptr_array_index (folders, 0);
  tasks = g_ptr_array_index (folders, 1);
  g_assert_null (calendar->error);
  g_assert_cmpint (calendar->kind, ==, EWS_FOLDER_KIND_CALENDAR);
  g_assert_cmpint (tasks->kind, ==, EWS_FOLDER_KIND_TASKS);
  g_assert_nonnull (calendar->id);
  g_assert_cmpstr (calendar->id, !=, tasks->id);
  fixture->calendar_id = g_strdup (calendar->id);
  fixture->tasks_id = g_strdup (tasks->id);
}

static char *
subscribe_streaming (Fixture *fixture)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_autoptr (EwsSubscription) subscription = NULL;
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (refs, ews_folder_ref_new_id (fixture->calendar_id, NULL));
  g_ptr_array_add (refs, ews_folder_ref_new_id (fixture->tasks_id, NULL));
  ews_client_subscribe_streaming_async (fixture->client, refs, EWS_EVENT_MASK_ITEMS, NULL, store_result, fixture);
  subscription = ews_client_subscribe_finish (fixture->client, wait_result (fixture), &error);
  clear_result (fixture);
  g_assert_no_error (error);
  g_assert_nonnull (subscription->id);
  return g_strdup (subscription->id);
}

static char *
colleague_creates_meeting (Fixture    *fixture,
                           const char *subject,
                           int         hour)
{
  g_autoptr (GDateTime) start = g_date_time_new_utc (2026, 11, 24, hour, 0, 0);
  g_autoptr (GDateTime) end = g_date_time_add_hours (start, 1);
  g_autoptr (GError) error = NULL;
  char *id = ews_sim_colleague_create_meeting (fixture->colleague, "alice@example.com", subject, start, end,
                                               "Room 1", &error);

  g_assert_no_error (error);
  return id;
}

static void
colleague_updates (Fixture    *fixture,
                   const char *item_id,
                   const char *field,
                   const char *value)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ews_sim_colleague_update (fixture->colleague, item_id, field, value, &error));
  g_assert_no_error (error);
}

static EwsSyncResult *
sync_folder (Fixture      *fixture,
             const char   *folder_id,
             EwsFolderKind kind,
             const char   *sync_state,
             guint         max_changes,
             GError      **error)
{
  g_autoptr (EwsFolderRef) ref = ews_folder_ref_new_id (folder_id, NULL);
  EwsSyncResult *result;

  ews_client_sync_folder_items_async (fixture->client, ref, kind, sync_state, max_changes, NULL, store_result, fixture);
  result = ews_client_sync_folder_items_finish (fixture->client, wait_result (fixture), error);
  clear_result (fixture);
  return result;
}

static void
test_stream_and_sync (Fixture      *fixture,
                      gconstpointer data)
{
  g_autofree char *subscription_id = NULL;
  g_autofree char *item_id = NULL;
  g_autoptr (EwsSyncResult) first = NULL;
  g_autoptr (EwsSyncResult) second = NULL;
  g_autoptr (GError) error = NULL;
  const char    *ids[2] = { NULL, NULL };
  EwsSyncChange *change;

  resolve_folders (fixture);
  first = sync_folder (fixture, fixture->calendar_id, EWS_FOLDER_KIND_CALENDAR, NULL, 512, &error);
  g_assert_no_error (error);
  g_assert_true (first->includes_last_item_in_range);

  subscription_id = subscribe_streaming (fixture);
  ids[0] = subscription_id;
  ews_simulator_set_minute_ms (fixture->simulator, 1500);
  ews_client_stream_events_async (fixture->client, ids, 1, fixture->stream, NULL, store_result, fixture);

  item_id = colleague_creates_meeting (fixture, "Design review", 10);
  wait_event (fixture, EWS_EVENT_TYPE_CREATED, item_id);

  colleague_updates (fixture, item_id, "calendar:Start", "2026-11-24T11:00:00Z");
  wait_event (fixture, EWS_EVENT_TYPE_MODIFIED, item_id);

  second = sync_folder (fixture, fixture->calendar_id, EWS_FOLDER_KIND_CALENDAR, first->sync_state, 512, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->changes->len, >=, 1);
  change = g_ptr_array_index (second->changes, second->changes->len - 1);
  g_assert_cmpstr (change->item_id, ==, item_id);
  g_assert_nonnull (change->item);
  g_assert_cmpstr (change->item->subject, ==, "Design review");
  g_assert_cmpint (ews_sim_utc_hour (change->item->start), ==, 11);
  g_assert_cmpstr (change->item->location, ==, "Room 1");
  g_assert_cmpstr (change->item->last_modified_name, !=, NULL);

  /* ConnectionTimeout of one (short) minute: the server closes the stream normally */
  g_assert_true (ews_client_stream_events_finish (fixture->client, wait_result (fixture), &error));
  g_assert_no_error (error);
  clear_result (fixture);
  g_assert_cmpuint (fixture->statuses->len, >=, 2);
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (fixture->statuses, fixture->statuses->len - 1)) - 1,
                   ==, EWS_CONNECTION_STATUS_CLOSED);
}

static void
test_sync_paging (Fixture      *fixture,
                  gconstpointer data)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *state = NULL;
  guint            pages = 0;

  resolve_folders (fixture);
  for (int i = 0; i < 7; i++)
    g_free (colleague_creates_meeting (fixture, "Stand-up", 8 + i));

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (EwsSyncResult) page = sync_folder (fixture, fixture->calendar_id, EWS_FOLDER_KIND_CALENDAR, state, 3, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (page->changes->len, <=, 3);
      for (guint i = 0; i < page->changes->len; i++)
        {
          EwsSyncChange *change = g_ptr_array_index (page->changes, i);
          g_assert_true (g_hash_table_add (seen, g_strdup (change->item_id)));
        }
      g_free (state);
      state = g_strdup (page->sync_state);
      pages++;
      if (page->includes_last_item_in_range)
        break;
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 7);
  g_assert_cmpuint (pages, ==, 3);
}

static void
test_get_items (Fixture      *fixture,
                gconstpointer data)
{
  g_autofree char *item_id = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GError) error = NULL;
  const char *ids[3] = { NULL, "AAMkAGRvZXNub3RleGlzdA==", NULL };
  EwsItem    *item, *missing;

  resolve_folders (fixture);
  item_id = colleague_creates_meeting (fixture, "Budget <review> & \"plans\"", 14);
  ids[0] = item_id;
  ews_client_get_items_async (fixture->client, ids, NULL, store_result, fixture);
  items = ews_client_get_items_finish (fixture->client, wait_result (fixture), &error);
  clear_result (fixture);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 2);
  item = g_ptr_array_index (items, 0);
  missing = g_ptr_array_index (items, 1);
  g_assert_null (item->error);
  g_assert_cmpstr (item->subject, ==, "Budget <review> & \"plans\"");
  g_assert_cmpint (item->kind, ==, EWS_ITEM_KIND_CALENDAR);
  g_assert_cmpint (ews_sim_utc_hour (item->start), ==, 14);
  g_assert_error (missing->error, EWS_ERROR, EWS_ERROR_ITEM_NOT_FOUND);
}

static void
test_pull (Fixture      *fixture,
           gconstpointer data)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_autoptr (EwsSubscription) subscription = NULL;
  g_autoptr (EwsNotification) notification = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *item_id = NULL;
  gboolean         found = FALSE;

  resolve_folders (fixture);
  g_ptr_array_add (refs, ews_folder_ref_new_id (fixture->calendar_id, NULL));
  ews_client_subscribe_pull_async (fixture->client, refs, EWS_EVENT_MASK_ITEMS, NULL, 10, NULL, store_result, fixture);
  subscription = ews_client_subscribe_finish (fixture->client, wait_result (fixture), &error);
  clear_result (fixture);
  g_assert_no_error (error);
  g_assert_nonnull (subscription->watermark);

  item_id = colleague_creates_meeting (fixture, "Pull me", 9);
  ews_client_get_events_async (fixture->client, subscription->id, subscription->watermark, NULL, store_result, fixture);
  notification = ews_client_get_events_finish (fixture->client, wait_result (fixture), &error);
  clear_result (fixture);
  g_assert_no_error (error);
  g_assert_cmpstr (notification->subscription_id, ==, subscription->id);
  for (guint i = 0; i < notification->events->len; i++)
    {
      EwsEvent *event = g_ptr_array_index (notification->events, i);

      g_assert_nonnull (event->watermark);
      if (event->type == EWS_EVENT_TYPE_CREATED && g_strcmp0 (event->id, item_id) == 0)
        found = TRUE;
    }
  g_assert_true (found);

  ews_client_unsubscribe_async (fixture->client, subscription->id, NULL, store_result, fixture);
  g_assert_true (ews_client_unsubscribe_finish (fixture->client, wait_result (fixture), &error));
  clear_result (fixture);
  g_assert_no_error (error);
}

static void
test_wrong_password (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;

  ews_client_set_credentials (fixture->client, "alice", "wrong");
  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", NULL));
  ews_client_get_folders_async (fixture->client, refs, NULL, store_result, fixture);
  folders = ews_client_get_folders_finish (fixture->client, wait_result (fixture), &error);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_AUTH);
  g_assert_null (folders);
}

static void
test_server_busy (Fixture      *fixture,
                  gconstpointer data)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;

  ews_simulator_inject_fault (fixture->simulator, EWS_SIM_FAULT_SERVER_BUSY, 1234);
  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", NULL));
  ews_client_get_folders_async (fixture->client, refs, NULL, store_result, fixture);
  folders = ews_client_get_folders_finish (fixture->client, wait_result (fixture), &error);
  clear_result (fixture);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_SERVER_BUSY);
  g_assert_cmpuint (ews_error_get_back_off_ms (error), ==, 1234);
  g_assert_null (folders);

  g_clear_error (&error);
  ews_simulator_inject_fault (fixture->simulator, EWS_SIM_FAULT_HTTP_503, 0);
  ews_client_get_folders_async (fixture->client, refs, NULL, store_result, fixture);
  folders = ews_client_get_folders_finish (fixture->client, wait_result (fixture), &error);
  clear_result (fixture);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_SERVER_BUSY);
  g_assert_null (folders);

  /* the fault was once: the next request succeeds */
  resolve_folders (fixture);
}

static void
start_stream (Fixture    *fixture,
              const char *subscription_id)
{
  const char *ids[2] = { subscription_id, NULL };

  ews_client_stream_events_async (fixture->client, ids, 1, fixture->stream, NULL, store_result, fixture);
}

static void
test_stream_faults (Fixture      *fixture,
                    gconstpointer data)
{
  struct
  {
    EwsSimFault fault;
    GQuark      domain;
    int         code;
  } cases[] = {
    { EWS_SIM_FAULT_EXPIRE_SUBSCRIPTIONS, 0, EWS_ERROR_SUBSCRIPTION_DEAD },
    { EWS_SIM_FAULT_MISSED_EVENTS, 0, EWS_ERROR_MISSED_EVENTS },
    { EWS_SIM_FAULT_MALFORMED_XML, 0, EWS_ERROR_PROTOCOL },
    { EWS_SIM_FAULT_DROP_STREAM, 0, -1 },
  };

  resolve_folders (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *subscription_id = subscribe_streaming (fixture);
      g_autofree char *item_id = NULL;
      g_autoptr (GError) error = NULL;

      start_stream (fixture, subscription_id);
      item_id = colleague_creates_meeting (fixture, "Before the fault", 10);
      wait_event (fixture, EWS_EVENT_TYPE_CREATED, item_id);

      ews_simulator_inject_fault (fixture->simulator, cases[i].fault, 0);
      if (cases[i].fault != EWS_SIM_FAULT_EXPIRE_SUBSCRIPTIONS)
        g_free (colleague_creates_meeting (fixture, "Carrier of the fault", 11));

      g_assert_false (ews_client_stream_events_finish (fixture->client, wait_result (fixture), &error));
      clear_result (fixture);
      g_assert_nonnull (error);
      g_test_message ("fault %u: %s", cases[i].fault, error->message);
      if (cases[i].code >= 0)
        g_assert_error (error, EWS_ERROR, cases[i].code);
      ews_event_stream_reset (fixture->stream);
    }
}

/* A server that forgot the subscription (a restart) says so on the next connection. */
static void
test_forgotten_subscription (Fixture      *fixture,
                             gconstpointer data)
{
  g_autofree char *subscription_id = NULL;
  g_autoptr (GError) error = NULL;

  resolve_folders (fixture);
  subscription_id = subscribe_streaming (fixture);
  ews_simulator_set_minute_ms (fixture->simulator, 300);
  start_stream (fixture, subscription_id);
  wait_streams (fixture, 1);
  ews_simulator_inject_fault (fixture->simulator, EWS_SIM_FAULT_FORGET_SUBSCRIPTIONS, 0);
  g_assert_true (ews_client_stream_events_finish (fixture->client, wait_result (fixture), &error));
  g_assert_no_error (error);
  clear_result (fixture);

  start_stream (fixture, subscription_id);
  g_assert_false (ews_client_stream_events_finish (fixture->client, wait_result (fixture), &error));
  clear_result (fixture);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_SUBSCRIPTION_DEAD);
  g_assert_cmpuint (ews_simulator_get_n_subscriptions (fixture->simulator), ==, 0);
}

static void
test_tls (Fixture      *fixture,
          gconstpointer data)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_str_has_prefix (ews_simulator_get_url (fixture->simulator), "https://"));

  /* a private CA the system does not know: refused, with the fingerprint to compare */
  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", NULL));
  ews_client_get_folders_async (fixture->client, refs, NULL, store_result, fixture);
  folders = ews_client_get_folders_finish (fixture->client, wait_result (fixture), &error);
  clear_result (fixture);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "SHA-256"));
  g_clear_error (&error);

  g_assert_true (ews_client_set_ca_file (fixture->client, ews_simulator_get_certificate_file (fixture->simulator), &error));
  g_assert_no_error (error);
  resolve_folders (fixture);
}

/* NTLM: the whole exchange of test_stream_and_sync, with the requests and the stream
 * each signed in once on their own connection, not once per request. */
static void
test_ntlm_stream_and_sync (Fixture      *fixture,
                           gconstpointer data)
{
  test_stream_and_sync (fixture, data);
  g_test_message ("%u NTLM sign-ins", ews_simulator_get_ntlm_sign_ins (fixture->simulator));
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), >=, 2);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), <=, 3);
}

static void
test_ntlm_one_sign_in (Fixture      *fixture,
                       gconstpointer data)
{
  for (guint i = 0; i < 10; i++)
    {
      g_clear_pointer (&fixture->calendar_id, g_free);
      g_clear_pointer (&fixture->tasks_id, g_free);
      resolve_folders (fixture);
    }
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 1);
}

static void
test_ntlm_wrong_password (Fixture      *fixture,
                          gconstpointer data)
{
  test_wrong_password (fixture, data);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 0);
  /* One wrong password, one failed sign-in: no second try that a domain would count
   * towards a lockout. */
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 1);
}

/* libsoup's NTLM hashes the password's bytes as ISO-8859-1 characters: a UTF-8
 * password with letters outside ASCII signs in only because the client hands it over
 * in ISO-8859-1. The simulator hashes the password as Windows does (UTF-16). */
static void
test_ntlm_non_ascii_password (Fixture      *fixture,
                              gconstpointer data)
{
  g_autoptr (EwsClient) client = NULL;
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;

  ews_simulator_add_user (fixture->simulator, "carol", "Grüße, Zoë");
  client = ews_client_new (ews_simulator_get_url (fixture->simulator));
  ews_client_set_credentials (client, "carol", "Grüße, Zoë");
  ews_client_set_auth_mechanism (client, EWS_AUTH_NTLM);
  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", NULL));
  ews_client_get_folders_async (client, refs, NULL, store_result, fixture);
  folders = ews_client_get_folders_finish (client, wait_result (fixture), &error);
  clear_result (fixture);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 1);
}

/* Which passwords libsoup's NTLM can send: those whose characters are all in
 * ISO-8859-1. */
static void
test_password_fits_ntlm (void)
{
  g_assert_true (ews_password_fits_ntlm (NULL));
  g_assert_true (ews_password_fits_ntlm (PASSWORD));
  g_assert_true (ews_password_fits_ntlm ("Grüße, Zoë"));
  g_assert_false (ews_password_fits_ntlm ("Пароль-42"));
  g_assert_false (ews_password_fits_ntlm ("Preis 5 €"));
  g_assert_false (ews_password_fits_ntlm ("パスワード"));

  /* Whether a refusal may come from NTLM withholding the password: only where NTLM
   * may be used, and only for a password it cannot send. */
  g_assert_true (ews_auth_withholds_password (EWS_AUTH_NTLM, "Пароль-42"));
  g_assert_true (ews_auth_withholds_password (EWS_AUTH_AUTOMATIC, "Пароль-42"));
  g_assert_false (ews_auth_withholds_password (EWS_AUTH_BASIC, "Пароль-42"));
  g_assert_false (ews_auth_withholds_password (EWS_AUTH_NEGOTIATE, "Пароль-42"));
  g_assert_false (ews_auth_withholds_password (EWS_AUTH_NTLM, "Grüße, Zoë"));
  g_assert_false (ews_auth_withholds_password (EWS_AUTH_AUTOMATIC, NULL));
}

/* Folders of the calendar for @client, or the error. */
static GPtrArray *
calendar_folders (Fixture   *fixture,
                  EwsClient *client,
                  GError   **error)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  GPtrArray *folders;

  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", NULL));
  ews_client_get_folders_async (client, refs, NULL, store_result, fixture);
  folders = ews_client_get_folders_finish (client, wait_result (fixture), error);
  clear_result (fixture);
  return folders;
}

#define CYRILLIC_PASSWORD "Пароль-42"

/* A client for dmitri, whose password has letters beyond ISO-8859-1. */
static EwsClient *
new_dmitri_client (Fixture         *fixture,
                   EwsAuthMechanism mechanism)
{
  const char *certificate = ews_simulator_get_certificate_file (fixture->simulator);
  EwsClient  *client;
  g_autoptr (GError) error = NULL;

  ews_simulator_add_user (fixture->simulator, "dmitri", CYRILLIC_PASSWORD);
  client = ews_client_new (ews_simulator_get_url (fixture->simulator));
  g_assert_true (ews_client_set_ca_file (client, certificate, &error));
  g_assert_no_error (error);
  ews_client_set_credentials (client, "dmitri", CYRILLIC_PASSWORD);
  ews_client_set_auth_mechanism (client, mechanism);
  return client;
}

/* @client's sign-in fails without one attempt that a domain would count. */
static void
assert_refused_untried (Fixture   *fixture,
                        EwsClient *client)
{
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;

  folders = calendar_folders (fixture, client, &error);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_AUTH);
  g_assert_null (folders);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 0);
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);
}

/* A password beyond ISO-8859-1 with NTLM: libsoup would hash it wrongly, and the
 * domain would count each try towards locking the account. Nothing is sent. */
static void
test_ntlm_password_beyond_latin1 (Fixture      *fixture,
                                  gconstpointer data)
{
  g_autoptr (EwsClient) client = new_dmitri_client (fixture, EWS_AUTH_NTLM);

  g_assert_true (ews_client_withholds_password (client));
  assert_refused_untried (fixture, client);
}

/* No password yet (the keyring still locked, say): libsoup's NTLM would go on with
 * an empty one, a failed sign-in for the domain. Nothing is sent. */
static void
test_ntlm_no_password (Fixture      *fixture,
                       gconstpointer data)
{
  ews_client_set_credentials (fixture->client, "alice", NULL);
  assert_refused_untried (fixture, fixture->client);
}

/* The same password with Automatic, against a server that offers NTLM and Basic over
 * https (IIS's Windows and Basic authentication): Basic signs in, NTLM is never
 * tried. */
static void
test_automatic_password_beyond_latin1 (Fixture      *fixture,
                                       gconstpointer data)
{
  g_autoptr (EwsClient) client = new_dmitri_client (fixture, EWS_AUTH_AUTOMATIC);
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;

  folders = calendar_folders (fixture, client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 0);
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);
}

/* Over plain http, Automatic never falls back to Basic for such a password where the
 * server offers NTLM as well: the password would go out in the clear. Nothing is
 * sent, as with NTLM. */
static void
test_automatic_password_beyond_latin1_http (Fixture      *fixture,
                                            gconstpointer data)
{
  g_autoptr (EwsClient) client = new_dmitri_client (fixture, EWS_AUTH_AUTOMATIC);

  assert_refused_untried (fixture, client);
}

/* Kerberos: the requests and the stream each sign in once with alice's ticket, on
 * their own connection; NTLM, offered as well, is never used. */
static void
test_kerberos_stream_and_sync (Fixture      *fixture,
                               gconstpointer data)
{
  test_stream_and_sync (fixture, data);
  g_test_message ("%u Kerberos sign-ins", ews_simulator_get_kerberos_sign_ins (fixture->simulator));
  g_assert_cmpuint (ews_simulator_get_kerberos_sign_ins (fixture->simulator), >=, 2);
  g_assert_cmpuint (ews_simulator_get_kerberos_sign_ins (fixture->simulator), <=, 3);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 0);
}

static void
test_kerberos_one_sign_in (Fixture      *fixture,
                           gconstpointer data)
{
  for (guint i = 0; i < 10; i++)
    {
      g_clear_pointer (&fixture->calendar_id, g_free);
      g_clear_pointer (&fixture->tasks_id, g_free);
      resolve_folders (fixture);
    }
  g_assert_cmpuint (ews_simulator_get_kerberos_sign_ins (fixture->simulator), ==, 1);
}

/* No ticket (never signed in to the domain, or it expired): refused as a sign-in
 * problem, without any credentials sent. */
static void
test_kerberos_no_ticket (Fixture      *fixture,
                         gconstpointer data)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (ews_sim_kdc_kdestroy (kdc, &error));
  g_assert_no_error (error);
  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", NULL));
  /* Without a ticket, Negotiate is not even offered: libsoup has no GSSAPI step to
   * fail, and no warning to log (warnings are fatal here). */
  ews_client_get_folders_async (fixture->client, refs, NULL, store_result, fixture);
  folders = ews_client_get_folders_finish (fixture->client, wait_result (fixture), &error);
  clear_result (fixture);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_AUTH);
  g_test_message ("%s", error->message);
  g_assert_null (folders);
  /* No ticket, which the user fixes by signing in again, not a KDC that did not answer. */
  g_assert_false (ews_client_get_kerberos_unanswered (fixture->client));
  g_assert_cmpuint (ews_simulator_get_kerberos_sign_ins (fixture->simulator), ==, 0);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 0);
  /* Not even a failed attempt, which a domain counts towards a lockout: there is no
   * password to try NTLM with. */
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);
}

/* Automatic, the default, with a password, against Windows authentication (Negotiate
 * and NTLM): Kerberos while there is a ticket, NTLM with the password without one. */
static void
test_kerberos_automatic (Fixture      *fixture,
                         gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  ews_client_set_credentials (fixture->client, "alice", PASSWORD);
  ews_client_set_auth_mechanism (fixture->client, EWS_AUTH_AUTOMATIC);
  resolve_folders (fixture);
  g_assert_cmpuint (ews_simulator_get_kerberos_sign_ins (fixture->simulator), ==, 1);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 0);

  /* A new client (new connections) without a ticket. */
  g_clear_object (&fixture->client);
  fixture->client = ews_client_new (ews_simulator_get_url (fixture->simulator));
  ews_client_set_credentials (fixture->client, "alice", PASSWORD);
  ews_client_set_auth_mechanism (fixture->client, EWS_AUTH_AUTOMATIC);
  ews_client_set_ca_file (fixture->client, ews_simulator_get_certificate_file (fixture->simulator), &error);
  g_assert_no_error (error);
  ews_sim_kdc_kdestroy (kdc, &error);
  g_assert_no_error (error);
  g_clear_pointer (&fixture->calendar_id, g_free);
  g_clear_pointer (&fixture->tasks_id, g_free);
  /* Straight to NTLM: Negotiate is not offered without a ticket, so libsoup logs no
   * failed GSSAPI step on the way (warnings are fatal here). */
  resolve_folders (fixture);
  g_assert_cmpuint (ews_simulator_get_kerberos_sign_ins (fixture->simulator), ==, 1);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 1);
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);
}

static void
store_look (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(int *)user_data = ews_kerberos_look_finish (result, NULL, NULL) ? 1 : 0;
}

/* Until a look for @host's service ticket says yes: the look left waiting for a
 * KDC that did not answer has ended, and until then, looks say "no ticket" at once. */
static void
wait_service_ticket (const char *host)
{
  gint64 begin = g_get_monotonic_time ();
  int    looked = -1;

  while (looked != 1)
    {
      g_assert_cmpint (g_get_monotonic_time () - begin, <, MS (20000) * 1000);
      looked = -1;
      ews_kerberos_look_async (host, MS (20000), NULL, store_look, &looked);
      while (looked < 0)
        g_main_context_iteration (NULL, TRUE);
      if (looked != 1)
        g_usleep (10 * 1000);
    }
}

/* Automatic with a ticket, and a KDC that does not answer (behind a VPN that is
 * down, while the server is reachable): the ticket for the server's HTTP service
 * would keep krb5 waiting for half a minute. It is fetched in the look's thread,
 * waited for as long as the client's Kerberos wait, and NTLM signs in meanwhile,
 * the main loop never held. Once the KDC answers, Kerberos signs in again. */
static void
test_kerberos_kdc_not_answering (Fixture      *fixture,
                                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TestLoopWatch) loop = NULL;
  gint64 begin, took, max_gap_us;

  ews_client_set_credentials (fixture->client, "alice", PASSWORD);
  ews_client_set_auth_mechanism (fixture->client, EWS_AUTH_AUTOMATIC);
  ews_client_set_kerberos_wait (fixture->client, MS (500));
  ews_sim_kdc_set_answering (kdc, FALSE);
  g_test_expect_message ("ews-client", G_LOG_LEVEL_MESSAGE, "Kerberos (the credential cache, or the KDC) has not answered within *");
  loop = test_loop_watch_start ();
  begin = g_get_monotonic_time ();
  resolve_folders (fixture);
  took = g_get_monotonic_time () - begin;
  max_gap_us = test_loop_watch_get_max_gap_us (loop);
  /* The look still waiting for it gets its answer: the service ticket is cached. */
  ews_sim_kdc_set_answering (kdc, TRUE);
  g_test_assert_expected_messages ();
  g_test_message ("signed in after %.0f ms; the main loop stood %.0f ms at most", took / 1000.0, max_gap_us / 1000.0);
  /* Without the look, libsoup asks the KDC on the main loop: 27 s here. */
  g_assert_cmpint (max_gap_us, <, MS (1500) * 1000);
  g_assert_cmpint (took, >=, MS (500) * 1000);
  g_assert_cmpint (took, <, MS (5000) * 1000);
  g_assert_cmpuint (ews_simulator_get_kerberos_sign_ins (fixture->simulator), ==, 0);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 1);
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);
  /* What the account tells the user: the KDC did not answer, not "run kinit". */
  g_assert_true (ews_client_get_kerberos_unanswered (fixture->client));

  wait_service_ticket ("127.0.0.1");

  /* A new client (new connections) signs in with Kerberos. */
  g_clear_object (&fixture->client);
  fixture->client = ews_client_new (ews_simulator_get_url (fixture->simulator));
  ews_client_set_credentials (fixture->client, "alice", PASSWORD);
  ews_client_set_auth_mechanism (fixture->client, EWS_AUTH_AUTOMATIC);
  ews_client_set_kerberos_wait (fixture->client, MS (3000));
  ews_client_set_ca_file (fixture->client, ews_simulator_get_certificate_file (fixture->simulator), &error);
  g_assert_no_error (error);
  g_clear_pointer (&fixture->calendar_id, g_free);
  g_clear_pointer (&fixture->tasks_id, g_free);
  resolve_folders (fixture);
  g_assert_cmpuint (ews_simulator_get_kerberos_sign_ins (fixture->simulator), ==, 1);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 1);
  g_assert_false (ews_client_get_kerberos_unanswered (fixture->client));
}

/* While Negotiate is offered, a request that is not one of those that open the way
 * (here a SyncFolderItems) may still open a new connection, on which libsoup signs
 * in with the service ticket. When the cache has lost it (a kinit, a renewal) and
 * the KDC does not answer, the request waits for a look rather than letting libsoup
 * ask the KDC on the main loop. */
static void
test_kerberos_new_connection_kdc_not_answering (Fixture      *fixture,
                                                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsSyncResult) sync = NULL;
  g_autoptr (TestLoopWatch) loop = NULL;
  gint64 begin, took, max_gap_us;

  ews_client_set_credentials (fixture->client, "alice", PASSWORD);
  ews_client_set_auth_mechanism (fixture->client, EWS_AUTH_AUTOMATIC);
  ews_client_set_kerberos_wait (fixture->client, MS (500));
  resolve_folders (fixture);
  g_assert_cmpuint (ews_simulator_get_kerberos_sign_ins (fixture->simulator), ==, 1);

  /* The connection ends after its next answer; the cache starts afresh, with the
   * ticket-granting ticket alone; the KDC stops answering; the last look is old. */
  ews_simulator_inject_fault (fixture->simulator, EWS_SIM_FAULT_CLOSE_CONNECTION, 0);
  sync = sync_folder (fixture, fixture->calendar_id, EWS_FOLDER_KIND_CALENDAR, NULL, 10, &error);
  g_assert_no_error (error);
  g_clear_pointer (&sync, ews_sync_result_free);
  g_assert_true (ews_sim_kdc_kinit (kdc, "alice", &error));
  g_assert_no_error (error);
  ews_sim_kdc_set_answering (kdc, FALSE);
  /* What this is about: the fresh cache has no service ticket. */
  for (guint i = 0; ews_sim_kdc_has_service_ticket (kdc, "127.0.0.1"); i++)
    {
      g_test_message ("the service ticket came back into the cache after kinit; kinit again");
      g_assert_cmpuint (i, <, 5);
      ews_sim_kdc_set_answering (kdc, TRUE);
      g_assert_true (ews_sim_kdc_kinit (kdc, "alice", &error));
      g_assert_no_error (error);
      ews_sim_kdc_set_answering (kdc, FALSE);
    }
  ews_client_set_ticket_recheck (fixture->client, 0);

  g_test_expect_message ("ews-client", G_LOG_LEVEL_MESSAGE, "Kerberos (the credential cache, or the KDC) has not answered within *");
  loop = test_loop_watch_start ();
  begin = g_get_monotonic_time ();
  sync = sync_folder (fixture, fixture->calendar_id, EWS_FOLDER_KIND_CALENDAR, NULL, 10, &error);
  took = g_get_monotonic_time () - begin;
  max_gap_us = test_loop_watch_get_max_gap_us (loop);
  ews_sim_kdc_set_answering (kdc, TRUE);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_test_message ("synced after %.0f ms; the main loop stood %.0f ms at most", took / 1000.0, max_gap_us / 1000.0);
  /* Going at once, libsoup asks the KDC on the main loop: 27 s here. */
  g_assert_cmpint (max_gap_us, <, MS (1500) * 1000);
  g_assert_cmpuint (ews_simulator_get_kerberos_sign_ins (fixture->simulator), ==, 1);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 1);
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);
  wait_service_ticket ("127.0.0.1");
}

/* Autodiscover (the account editor's first step) with Automatic and a ticket, the
 * KDC not answering: the service ticket of the server it asks is fetched off the
 * main loop too, and the password signs in meanwhile. The first candidate
 * (example.com) cannot be reached; the next (autodiscover.example.com) goes without
 * Kerberos at once rather than wait for the KDC as long again. */
static void
test_kerberos_autodiscover_kdc_not_answering (Fixture      *fixture,
                                              gconstpointer data)
{
  g_autoptr (TestResolver) resolver = test_resolver_new ();
  g_autoptr (GResolver) system_resolver = g_resolver_get_default ();
  g_autoptr (EwsAutodiscover) autodiscover = ews_autodiscover_new ();
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GUri) uri = g_uri_parse (ews_simulator_get_url (fixture->simulator), G_URI_FLAGS_NONE, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *pin = ews_client_certificate_fingerprint (ews_simulator_get_certificate (fixture->simulator));
  g_autoptr (TestLoopWatch) loop = NULL;
  gint64 begin, took, max_gap_us;

  /* libsoup connects through the default resolver. */
  test_resolver_add_host (resolver, "autodiscover.example.com", "127.0.0.1");
  g_resolver_set_default (G_RESOLVER (resolver));
  ews_autodiscover_set_resolver (autodiscover, G_RESOLVER (resolver));
  ews_autodiscover_set_ports (autodiscover, (guint16)g_uri_get_port (uri), 1);
  ews_autodiscover_set_credentials (autodiscover, "alice", PASSWORD);
  ews_autodiscover_set_auth_mechanism (autodiscover, EWS_AUTH_AUTOMATIC);
  ews_autodiscover_set_kerberos_wait (autodiscover, MS (1000));
  ews_autodiscover_set_pinned_certificate (autodiscover, pin);

  ews_sim_kdc_set_answering (kdc, FALSE);
  g_test_expect_message ("ews-client", G_LOG_LEVEL_MESSAGE, "Kerberos (the credential cache, or the KDC) has not answered within *");
  loop = test_loop_watch_start ();
  begin = g_get_monotonic_time ();
  ews_autodiscover_run_async (autodiscover, "alice@example.com", NULL, store_result, fixture);
  settings = ews_autodiscover_run_finish (autodiscover, wait_result (fixture), &error);
  took = g_get_monotonic_time () - begin;
  clear_result (fixture);
  max_gap_us = test_loop_watch_get_max_gap_us (loop);
  ews_sim_kdc_set_answering (kdc, TRUE);
  g_resolver_set_default (system_resolver);
  g_assert_no_error (error);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (settings->ews_url, ==, ews_simulator_get_url (fixture->simulator));
  g_test_message ("discovered after %.0f ms; the main loop stood %.0f ms at most", took / 1000.0, max_gap_us / 1000.0);
  /* Without the look, libsoup asks the KDC on the main loop: 27 s here. */
  g_assert_cmpint (max_gap_us, <, MS (1500) * 1000);
  g_assert_true (ews_autodiscover_get_kerberos_unanswered (autodiscover));
  /* One wait for the KDC, not one for each server. */
  g_assert_cmpint (took, >=, MS (1000) * 1000);
  g_assert_cmpint (took, <, MS (1800) * 1000);
  g_assert_cmpuint (ews_simulator_get_kerberos_sign_ins (fixture->simulator), ==, 0);
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);
  wait_service_ticket ("example.com");
}

int
main (int   argc,
      char *argv[])
{
  const char *const kdc_users[] = { "alice", NULL };
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (g_getenv ("EWS_TEST_TIME_SCALE") != NULL)
    time_scale = CLAMP (g_ascii_strtoull (g_getenv ("EWS_TEST_TIME_SCALE"), NULL, 10), 1, 100);
  /* Before any thread starts: it points this process's Kerberos at the test realm. */
  kdc = ews_sim_kdc_start (kdc_users, &error);
  g_assert_no_error (error);

#define ADD(path, func, flags) \
  g_test_add ("/client-simulator/" path, Fixture, GUINT_TO_POINTER (flags), fixture_set_up, func, fixture_tear_down)
  ADD ("stream-and-sync", test_stream_and_sync, 0);
  ADD ("sync-paging", test_sync_paging, 0);
  ADD ("get-items", test_get_items, 0);
  ADD ("pull", test_pull, 0);
  ADD ("wrong-password", test_wrong_password, 0);
  ADD ("server-busy", test_server_busy, 0);
  ADD ("stream-faults", test_stream_faults, 0);
  ADD ("forgotten-subscription", test_forgotten_subscription, 0);
  ADD ("tls", test_tls, WITH_TLS);
  ADD ("ntlm/stream-and-sync", test_ntlm_stream_and_sync, WITH_NTLM);
  ADD ("ntlm/one-sign-in", test_ntlm_one_sign_in, WITH_NTLM);
  ADD ("ntlm/wrong-password", test_ntlm_wrong_password, WITH_NTLM);
  ADD ("ntlm/tls", test_tls, WITH_TLS | WITH_NTLM);
  ADD ("ntlm/non-ascii-password", test_ntlm_non_ascii_password, WITH_NTLM);
  ADD ("ntlm/no-password", test_ntlm_no_password, WITH_NTLM);
  ADD ("ntlm/password-beyond-latin1", test_ntlm_password_beyond_latin1, WITH_NTLM);
  ADD ("ntlm/automatic-password-beyond-latin1", test_automatic_password_beyond_latin1, WITH_TLS | WITH_NTLM);
  ADD ("ntlm/automatic-password-beyond-latin1-http", test_automatic_password_beyond_latin1_http, WITH_NTLM);
  ADD ("kerberos/stream-and-sync", test_kerberos_stream_and_sync, WITH_TLS | WITH_KERBEROS);
  ADD ("kerberos/one-sign-in", test_kerberos_one_sign_in, WITH_TLS | WITH_KERBEROS);
  ADD ("kerberos/no-ticket", test_kerberos_no_ticket, WITH_TLS | WITH_KERBEROS);
  ADD ("kerberos/automatic", test_kerberos_automatic, WITH_TLS | WITH_KERBEROS);
  ADD ("kerberos/kdc-not-answering", test_kerberos_kdc_not_answering, WITH_TLS | WITH_KERBEROS);
  ADD ("kerberos/new-connection-kdc-not-answering", test_kerberos_new_connection_kdc_not_answering, WITH_TLS | WITH_KERBEROS);
  ADD ("kerberos/autodiscover-kdc-not-answering", test_kerberos_autodiscover_kdc_not_answering, WITH_TLS | WITH_KERBEROS);
#undef ADD
  g_test_add_func ("/client-simulator/password-fits-ntlm", test_password_fits_ntlm);

  status = g_test_run ();
  ews_sim_kdc_stop (kdc);
  return status;
}
