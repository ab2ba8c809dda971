/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* EwnSyncEngine against the EWS simulator over real HTTP on loopback, with a real
 * EwnItemStore in the isolated state folder. A colleague changes the mailbox through
 * EWS; every wait is on a signal or a condition, with a deadline. */

#include "config.h"

#include <locale.h>

#include "ews-client.h"
#include "ews-error.h"
#include "ews-event-stream.h"
#include "ews-sim-colleague.h"
#include "ews-simulator.h"
#include "ewn-item-store.h"
#include "ewn-sync-engine.h"

#define ALICE_PASSWORD "correct horse battery staple"
#define BOB_PASSWORD   "bob's password"
#define BOB            "bob@example.com"
#define ACCOUNT        "alice-account"

typedef struct
{
  EwsSimulator    *simulator;
  EwsClient       *client;
  EwsSimColleague *colleague;
  EwnItemStore    *store;
  EwnSyncEngine   *engine;
  EwsEventStream  *stream;
  GCancellable    *stream_cancellable;
  GPtrArray       *changes;
  GPtrArray       *errors;
  GAsyncResult    *result;
  char            *store_path;
  char            *calendar_id;
  char            *tasks_id;
  char            *bob_calendar_id;
  EwnChange       *taken;
  guint            n_sync_requests;
  guint            n_synced;
  GMutex           requested_lock;
  GString         *requested; /* a letter per SyncFolderItems request: a(lice), t(asks), b(ob) */
} Fixture;

static void
count_traffic (const char *operation,
               gboolean    is_response,
               GBytes     *body,
               gpointer    user_data)
{
  Fixture *fixture = user_data;

  if (!is_response && g_strcmp0 (operation, "SyncFolderItems") == 0)
    {
      gsize       size;
      const char *text = g_bytes_get_data (body, &size);

      fixture->n_sync_requests++;
      g_mutex_lock (&fixture->requested_lock);
      if (g_strstr_len (text, (gssize)size, fixture->calendar_id) != NULL)
        g_string_append_c (fixture->requested, 'a');
      else if (g_strstr_len (text, (gssize)size, fixture->tasks_id) != NULL)
        g_string_append_c (fixture->requested, 't');
      else if (g_strstr_len (text, (gssize)size, fixture->bob_calendar_id) != NULL)
        g_string_append_c (fixture->requested, 'b');
      g_mutex_unlock (&fixture->requested_lock);
    }
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

typedef gboolean (*Condition) (Fixture *fixture);

static void
wait_until (Fixture  *fixture,
            Condition condition)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!condition (fixture))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
has_result (Fixture *fixture)
{
  return fixture->result != NULL;
}

static gboolean
is_idle (Fixture *fixture)
{
  return !ewn_sync_engine_get_busy (fixture->engine);
}

static GAsyncResult *
wait_result (Fixture *fixture)
{
  wait_until (fixture, has_result);
  return fixture->result;
}

static void
on_change (EwnSyncEngine *engine,
           EwnChange     *change,
           Fixture       *fixture)
{
  g_ptr_array_add (fixture->changes, ewn_change_copy (change));
}

static void
on_folder_synced (EwnSyncEngine *engine,
                  const char    *folder_id,
                  Fixture       *fixture)
{
  fixture->n_synced++;
}

static void
on_sync_error (EwnSyncEngine *engine,
               const char    *folder_id,
               GError        *error,
               Fixture       *fixture)
{
  g_ptr_array_add (fixture->errors, g_error_copy (error));
}

static void
resolve_folders (Fixture *fixture)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", NULL));
  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("tasks", NULL));
  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", BOB));
  ews_client_get_folders_async (fixture->client, refs, NULL, store_result, fixture);
  folders = ews_client_get_folders_finish (fixture->client, wait_result (fixture), &error);
  g_clear_object (&fixture->result);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 3);
  fixture->calendar_id = g_strdup (((EwsFolder *)g_ptr_array_index (folders, 0))->id);
  fixture->tasks_id = g_strdup (((EwsFolder *)g_ptr_array_index (folders, 1))->id);
  fixture->bob_calendar_id = g_strdup (((EwsFolder *)g_ptr_array_index (folders, 2))->id);
}

static void
engine_start (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;

  fixture->store = ewn_item_store_new (fixture->store_path);
  g_assert_true (ewn_item_store_load (fixture->store, &error));
  g_assert_no_error (error);
  fixture->engine = ewn_sync_engine_new (fixture->client, fixture->store, ACCOUNT);
  ewn_sync_engine_add_folder (fixture->engine, fixture->calendar_id, NULL, EWS_FOLDER_KIND_CALENDAR);
  ewn_sync_engine_add_folder (fixture->engine, fixture->tasks_id, NULL, EWS_FOLDER_KIND_TASKS);
  ewn_sync_engine_add_folder (fixture->engine, fixture->bob_calendar_id, BOB, EWS_FOLDER_KIND_CALENDAR);
  g_signal_connect (fixture->engine, "change", G_CALLBACK (on_change), fixture);
  g_signal_connect (fixture->engine, "folder-synced", G_CALLBACK (on_folder_synced), fixture);
  g_signal_connect (fixture->engine, "sync-error", G_CALLBACK (on_sync_error), fixture);
}

static void
engine_stop (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;

  g_clear_object (&fixture->engine);
  if (fixture->store != NULL)
    {
      g_assert_true (ewn_item_store_close (fixture->store, &error));
      g_assert_no_error (error);
    }
  g_clear_object (&fixture->store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_mutex_init (&fixture->requested_lock);
  fixture->requested = g_string_new (NULL);
  fixture->simulator = ews_simulator_new ();
  ews_simulator_add_user (fixture->simulator, "alice", ALICE_PASSWORD);
  ews_simulator_add_user (fixture->simulator, "bob", BOB_PASSWORD);
  ews_simulator_set_keepalive_interval (fixture->simulator, 50);
  g_assert_true (ews_simulator_listen (fixture->simulator, 0, FALSE, &error));
  g_assert_no_error (error);
  ews_simulator_set_traffic_func (fixture->simulator, count_traffic, fixture, NULL);

  fixture->client = ews_client_new (ews_simulator_get_url (fixture->simulator));
  ews_client_set_credentials (fixture->client, "alice", ALICE_PASSWORD);
  fixture->colleague = ews_sim_colleague_new (ews_simulator_get_url (fixture->simulator), "bob", BOB_PASSWORD);
  fixture->changes = g_ptr_array_new_with_free_func ((GDestroyNotify)ewn_change_free);
  fixture->errors = g_ptr_array_new_with_free_func ((GDestroyNotify)g_error_free);
  fixture->store_path = g_build_filename (g_get_user_state_dir (), "ews-notifier", ACCOUNT, NULL);
  resolve_folders (fixture);
  engine_start (fixture);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_cancellable_cancel (fixture->stream_cancellable);
  engine_stop (fixture);
  g_clear_object (&fixture->result);
  g_clear_object (&fixture->stream);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->colleague);
  ews_simulator_set_traffic_func (fixture->simulator, NULL, NULL, NULL);
  g_clear_object (&fixture->simulator);
  g_clear_object (&fixture->stream_cancellable);
  g_clear_pointer (&fixture->taken, ewn_change_free);
  g_ptr_array_unref (fixture->changes);
  g_ptr_array_unref (fixture->errors);
  g_free (fixture->store_path);
  g_free (fixture->calendar_id);
  g_free (fixture->tasks_id);
  g_free (fixture->bob_calendar_id);
  g_string_free (fixture->requested, TRUE);
  g_mutex_clear (&fixture->requested_lock);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Syncs every folder (or one) and waits until the engine rests. */
static void
sync_and_wait (Fixture    *fixture,
               const char *folder_id)
{
  if (folder_id != NULL)
    ewn_sync_engine_sync_folder (fixture->engine, folder_id);
  else
    ewn_sync_engine_catch_up (fixture->engine);
  g_assert_true (ewn_sync_engine_get_busy (fixture->engine));
  wait_until (fixture, is_idle);
  g_assert_cmpuint (fixture->errors->len, ==, 0);
}

static char *
create_meeting (Fixture    *fixture,
                const char *mailbox,
                const char *subject,
                int         hour)
{
  g_autoptr (GDateTime) start = g_date_time_new_utc (2026, 11, 24, hour, 0, 0);
  g_autoptr (GDateTime) end = g_date_time_add_hours (start, 1);
  g_autoptr (GError) error = NULL;
  char *id = ews_sim_colleague_create_meeting (fixture->colleague, mailbox != NULL ? mailbox : "alice@example.com",
                                               subject, start, end, "Room 1", &error);

  g_assert_no_error (error);
  return id;
}

static char *
create_task (Fixture    *fixture,
             const char *subject,
             int         day)
{
  g_autoptr (GDateTime) due = g_date_time_new_utc (2026, 11, day, 0, 0, 0);
  g_autoptr (GError) error = NULL;
  char *id = ews_sim_colleague_create_task (fixture->colleague, "alice@example.com", subject, due, &error);

  g_assert_no_error (error);
  return id;
}

static void
update (Fixture    *fixture,
        const char *item_id,
        const char *field,
        const char *value)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ews_sim_colleague_update (fixture->colleague, item_id, field, value, &error));
  g_assert_no_error (error);
}

static void delete (Fixture    *fixture,
                    const char *item_id)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ews_sim_colleague_delete (fixture->colleague, item_id, &error));
  g_assert_no_error (error);
}

static void
move_to_bob (Fixture    *fixture,
             const char *item_id)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *new_id = ews_sim_colleague_move (fixture->colleague, item_id, "calendar", BOB, &error);

  g_assert_no_error (error);
  g_assert_nonnull (new_id);
}

/* Exactly one change was announced since the last call: returns it. */
static const EwnChange *
take_one (Fixture      *fixture,
          EwnChangeKind kind,
          const char   *folder_id)
{
  EwnChange *change;

  g_clear_pointer (&fixture->taken, ewn_change_free);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  change = g_ptr_array_steal_index (fixture->changes, 0);
  fixture->taken = change;
  g_assert_cmpstr (ewn_change_kind_to_string (change->kind), ==, ewn_change_kind_to_string (kind));
  g_assert_cmpstr (change->account, ==, ACCOUNT);
  g_assert_cmpstr (change->folder_id, ==, folder_id);
  g_assert_cmpint (change->folder_kind, ==, g_strcmp0 (folder_id, fixture->tasks_id) == 0 ? EWS_FOLDER_KIND_TASKS : EWS_FOLDER_KIND_CALENDAR);
  return change;
}

static void
test_first_sync_silent (Fixture      *fixture,
                        gconstpointer data)
{
  for (int i = 0; i < 3; i++)
    g_free (create_meeting (fixture, NULL, "Existing", 9 + i));
  g_free (create_task (fixture, "Existing task", 20));
  g_free (create_meeting (fixture, BOB, "Bob's", 12));

  sync_and_wait (fixture, NULL);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_cmpuint (fixture->n_synced, ==, 3);
  g_assert_cmpuint (ewn_item_store_get_n_items (fixture->store, fixture->calendar_id), ==, 3);
  g_assert_cmpuint (ewn_item_store_get_n_items (fixture->store, fixture->tasks_id), ==, 1);
  g_assert_cmpuint (ewn_item_store_get_n_items (fixture->store, fixture->bob_calendar_id), ==, 1);
  g_assert_true (ewn_item_store_get_primed (fixture->store, fixture->calendar_id));
  g_assert_nonnull (ewn_item_store_get_sync_state (fixture->store, fixture->calendar_id));

  /* nothing changed: nothing announced */
  sync_and_wait (fixture, NULL);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
}

static void
test_calendar_changes (Fixture      *fixture,
                       gconstpointer data)
{
  const char      *cal = fixture->calendar_id;
  g_autofree char *id = NULL;
  const EwnChange *change;

  g_free (create_meeting (fixture, NULL, "Existing", 8));
  sync_and_wait (fixture, NULL);
  g_assert_cmpuint (fixture->changes->len, ==, 0);

  id = create_meeting (fixture, NULL, "Design review", 10);
  sync_and_wait (fixture, cal);
  change = take_one (fixture, EWN_CHANGE_CREATED, cal);
  g_assert_null (change->before);
  g_assert_cmpstr (change->after->subject, ==, "Design review");
  g_assert_null (change->mailbox);

  update (fixture, id, "calendar:Start", "2026-11-24T11:00:00Z");
  update (fixture, id, "calendar:End", "2026-11-24T12:00:00Z");
  sync_and_wait (fixture, cal);
  change = take_one (fixture, EWN_CHANGE_RESCHEDULED, cal);
  g_assert_cmpint (ews_sim_utc_hour (change->before->start), ==, 10);
  g_assert_cmpint (ews_sim_utc_hour (change->after->start), ==, 11);

  update (fixture, id, "calendar:Location", "Room 2");
  sync_and_wait (fixture, cal);
  change = take_one (fixture, EWN_CHANGE_RELOCATED, cal);
  g_assert_cmpstr (change->before->location, ==, "Room 1");
  g_assert_cmpstr (change->after->location, ==, "Room 2");

  update (fixture, id, "item:Subject", "Design review (v2)");
  sync_and_wait (fixture, cal);
  change = take_one (fixture, EWN_CHANGE_UPDATED, cal);
  g_assert_cmpstr (change->before->subject, ==, "Design review");
  g_assert_cmpstr (change->after->subject, ==, "Design review (v2)");

  update (fixture, id, "calendar:IsCancelled", "true");
  sync_and_wait (fixture, cal);
  change = take_one (fixture, EWN_CHANGE_CANCELLED, cal);
  g_assert_false (change->before->is_cancelled);
  g_assert_true (change->after->is_cancelled);

  delete (fixture, id);
  sync_and_wait (fixture, cal);
  change = take_one (fixture, EWN_CHANGE_DELETED, cal);
  g_assert_cmpstr (change->before->subject, ==, "Design review (v2)");
  g_assert_null (change->after);
  g_assert_false (ewn_item_store_contains (fixture->store, id, NULL));
  g_assert_cmpuint (ewn_item_store_get_n_items (fixture->store, cal), ==, 1);
}

static void
test_task_changes (Fixture      *fixture,
                   gconstpointer data)
{
  const char      *tasks = fixture->tasks_id;
  g_autofree char *id = NULL;
  const EwnChange *change;

  sync_and_wait (fixture, NULL);

  id = create_task (fixture, "Write report", 20);
  sync_and_wait (fixture, tasks);
  change = take_one (fixture, EWN_CHANGE_TASK_CREATED, tasks);
  g_assert_cmpstr (change->after->subject, ==, "Write report");

  update (fixture, id, "task:DueDate", "2026-11-27T00:00:00Z");
  sync_and_wait (fixture, tasks);
  change = take_one (fixture, EWN_CHANGE_TASK_DUE_CHANGED, tasks);
  g_assert_cmpint (change->before->due_date, ==, ews_time_new_utc (2026, 11, 20, 0, 0, 0));
  g_assert_cmpint (change->after->due_date, ==, ews_time_new_utc (2026, 11, 27, 0, 0, 0));

  update (fixture, id, "task:PercentComplete", "50");
  sync_and_wait (fixture, tasks);
  change = take_one (fixture, EWN_CHANGE_TASK_PROGRESS, tasks);
  g_assert_cmpint (change->after->percent_complete, ==, 50);

  update (fixture, id, "task:Status", "Completed");
  sync_and_wait (fixture, tasks);
  change = take_one (fixture, EWN_CHANGE_TASK_COMPLETED, tasks);
  g_assert_cmpint (change->after->status, ==, EWS_TASK_STATUS_COMPLETED);

  update (fixture, id, "task:Status", "InProgress");
  update (fixture, id, "task:PercentComplete", "60");
  sync_and_wait (fixture, tasks);
  change = take_one (fixture, EWN_CHANGE_TASK_REOPENED, tasks);
  g_assert_cmpint (change->before->status, ==, EWS_TASK_STATUS_COMPLETED);

  delete (fixture, id);
  sync_and_wait (fixture, tasks);
  change = take_one (fixture, EWN_CHANGE_TASK_DELETED, tasks);
  g_assert_cmpstr (change->before->subject, ==, "Write report");
}

static EwsEvent *
new_hint (EwsEventType type,
          const char  *id,
          const char  *parent)
{
  EwsEvent *event = ews_event_new (type);

  event->id = g_strdup (id);
  event->parent_folder_id = g_strdup (parent);
  return event;
}

static void
test_trailing_sync (Fixture      *fixture,
                    gconstpointer data)
{
  g_autoptr (EwsEvent) folder_event = new_hint (EWS_EVENT_TYPE_MODIFIED, NULL, NULL);
  g_autoptr (EwsEvent) unknown = new_hint (EWS_EVENT_TYPE_CREATED, "AAMkAGVsc2V3aGVyZQ==", "AQMkAG5vd2hlcmU=");
  g_autofree char *id = NULL;

  sync_and_wait (fixture, NULL);
  fixture->n_sync_requests = 0;
  fixture->n_synced = 0;

  /* a hint for a folder the engine does not watch starts nothing */
  ewn_sync_engine_hint (fixture->engine, unknown);
  g_assert_false (ewn_sync_engine_get_busy (fixture->engine));

  id = create_meeting (fixture, NULL, "Burst", 10);
  for (int i = 0; i < 20; i++)
    {
      g_autoptr (EwsEvent) hint = new_hint (EWS_EVENT_TYPE_MODIFIED, id, fixture->calendar_id);

      /* the first starts the sync at once; the others come while it runs */
      ewn_sync_engine_hint (fixture->engine, hint);
      g_assert_true (ewn_sync_engine_get_busy (fixture->engine));
    }
  folder_event->is_folder = TRUE;
  folder_event->id = g_strdup (fixture->calendar_id);
  ewn_sync_engine_hint (fixture->engine, folder_event);
  wait_until (fixture, is_idle);

  g_assert_cmpuint (fixture->n_sync_requests, ==, 2);
  g_assert_cmpuint (fixture->n_synced, ==, 1);
  take_one (fixture, EWN_CHANGE_CREATED, fixture->calendar_id);
}

static void
test_paging (Fixture      *fixture,
             gconstpointer data)
{
  sync_and_wait (fixture, NULL);
  ewn_sync_engine_set_page_size (fixture->engine, 2);
  for (int i = 0; i < 7; i++)
    g_free (create_meeting (fixture, NULL, "Stand-up", 8 + i));

  fixture->n_sync_requests = 0;
  fixture->n_synced = 0;
  sync_and_wait (fixture, fixture->calendar_id);
  g_assert_cmpuint (fixture->n_sync_requests, ==, 4);
  g_assert_cmpuint (fixture->n_synced, ==, 1);
  g_assert_cmpuint (fixture->changes->len, ==, 7);
  for (guint i = 0; i < fixture->changes->len; i++)
    g_assert_cmpint (((EwnChange *)g_ptr_array_index (fixture->changes, i))->kind, ==, EWN_CHANGE_CREATED);
}

static guint
count_kind (Fixture      *fixture,
            EwnChangeKind kind,
            const char   *subject)
{
  guint n = 0;

  for (guint i = 0; i < fixture->changes->len; i++)
    {
      EwnChange *change = g_ptr_array_index (fixture->changes, i);

      if (change->kind == kind && g_strcmp0 (ewn_change_get_item (change)->subject, subject) == 0)
        n++;
    }
  return n;
}

static void
test_invalid_sync_state (Fixture      *fixture,
                         gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *kept = create_meeting (fixture, NULL, "Kept", 8);
  g_autofree char *moved = create_meeting (fixture, NULL, "Moved", 9);
  g_autofree char *gone = create_meeting (fixture, NULL, "Gone", 10);

  sync_and_wait (fixture, NULL);

  update (fixture, moved, "calendar:Start", "2026-11-24T09:30:00Z");
  delete (fixture, gone);
  g_free (create_meeting (fixture, NULL, "New", 11));

  ewn_item_store_set_sync_state (fixture->store, fixture->calendar_id, "bm90IGEgc3luYyBzdGF0ZQ==");
  g_assert_true (ewn_item_store_commit (fixture->store, &error));
  g_assert_no_error (error);

  fixture->n_sync_requests = 0;
  sync_and_wait (fixture, fixture->calendar_id);
  g_assert_cmpuint (fixture->n_sync_requests, ==, 2);
  g_assert_cmpuint (fixture->changes->len, ==, 3);
  g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_RESCHEDULED, "Moved"), ==, 1);
  g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_DELETED, "Gone"), ==, 1);
  g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_CREATED, "New"), ==, 1);
  g_assert_true (ewn_item_store_get_primed (fixture->store, fixture->calendar_id));
  g_assert_cmpuint (ewn_item_store_get_n_items (fixture->store, fixture->calendar_id), ==, 3);
  g_assert_true (ewn_item_store_contains (fixture->store, kept, NULL));
}

static void
on_notification (EwsEventStream  *stream,
                 EwsNotification *notification,
                 Fixture         *fixture)
{
  for (guint i = 0; i < notification->events->len; i++)
    ewn_sync_engine_hint (fixture->engine, g_ptr_array_index (notification->events, i));
}

static char *
subscribe (Fixture    *fixture,
           const char *folder_id,
           const char *other_folder_id)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_autoptr (EwsSubscription) subscription = NULL;
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (refs, ews_folder_ref_new_id (folder_id, NULL));
  if (other_folder_id != NULL)
    g_ptr_array_add (refs, ews_folder_ref_new_id (other_folder_id, NULL));
  ews_client_subscribe_streaming_async (fixture->client, refs, EWS_EVENT_MASK_ITEMS, NULL, store_result, fixture);
  subscription = ews_client_subscribe_finish (fixture->client, wait_result (fixture), &error);
  g_clear_object (&fixture->result);
  g_assert_no_error (error);
  return g_steal_pointer (&subscription->id);
}

static gboolean
stream_open (Fixture *fixture)
{
  return ews_simulator_get_n_streams (fixture->simulator) == 1;
}

static gboolean
moved_to_bob (Fixture *fixture)
{
  return ewn_item_store_get_n_items (fixture->store, fixture->bob_calendar_id) == 1 && ewn_item_store_get_n_items (fixture->store, fixture->calendar_id) == 0 && !ewn_sync_engine_get_busy (fixture->engine);
}

/* Streams the real events of both mailboxes into the engine as hints. */
static void
start_stream (Fixture *fixture)
{
  g_autofree char *own = subscribe (fixture, fixture->calendar_id, fixture->tasks_id);
  g_autofree char *bobs = subscribe (fixture, fixture->bob_calendar_id, NULL);
  const char      *ids[] = { own, bobs, NULL };

  fixture->stream = ews_event_stream_new ();
  fixture->stream_cancellable = g_cancellable_new ();
  g_signal_connect (fixture->stream, "notification", G_CALLBACK (on_notification), fixture);
  ews_client_stream_events_async (fixture->client, ids, 30, fixture->stream, fixture->stream_cancellable, NULL, NULL);
  wait_until (fixture, stream_open);
}

static void
test_move (Fixture      *fixture,
           gconstpointer data)
{
  gboolean         with_hint = GPOINTER_TO_INT (data);
  g_autofree char *id = create_meeting (fixture, NULL, "Handover", 15);

  sync_and_wait (fixture, NULL);
  if (with_hint)
    start_stream (fixture);

  move_to_bob (fixture, id);
  if (!with_hint)
    ewn_sync_engine_catch_up (fixture->engine);
  wait_until (fixture, moved_to_bob);

  g_assert_cmpuint (fixture->errors->len, ==, 0);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_false (ewn_item_store_contains (fixture->store, id, NULL));

  /* the moved meeting is known in its new folder: a later change is one change */
  sync_and_wait (fixture, NULL);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
}

static const EwnChange *
find_change (Fixture      *fixture,
             EwnChangeKind kind)
{
  for (guint i = 0; i < fixture->changes->len; i++)
    {
      const EwnChange *change = g_ptr_array_index (fixture->changes, i);

      if (change->kind == kind)
        return change;
    }
  g_assert_not_reached ();
}

/* A create and a delete in two calendars synced together wait for each other in case
 * they are a move; they are not, and come out as they were seen. */
static void
test_held_back (Fixture      *fixture,
                gconstpointer data)
{
  g_autofree char *gone = create_meeting (fixture, BOB, "Gone at Bob's", 14);
  gint64           before, after;
  gint64           start = ews_time_new_utc (2026, 11, 24, 9, 0, 0);
  const EwnChange *created, *deleted;

  sync_and_wait (fixture, NULL);
  g_free (create_meeting (fixture, NULL, "Only here", 9));
  delete (fixture, gone);

  before = g_get_real_time ();
  sync_and_wait (fixture, NULL);
  after = g_get_real_time ();
  g_assert_cmpuint (fixture->changes->len, ==, 2);

  created = find_change (fixture, EWN_CHANGE_CREATED);
  g_assert_cmpstr (created->folder_id, ==, fixture->calendar_id);
  g_assert_null (created->mailbox);
  g_assert_cmpint (created->folder_kind, ==, EWS_FOLDER_KIND_CALENDAR);
  g_assert_null (created->before);
  g_assert_cmpstr (created->after->subject, ==, "Only here");
  g_assert_cmpstr (created->after->location, ==, "Room 1");
  g_assert_cmpstr (created->after->parent_folder_id, ==, fixture->calendar_id);
  g_assert_cmpint (created->after->start, ==, start);
  g_assert_cmpint (created->time, >=, before);
  g_assert_cmpint (created->time, <=, after);

  deleted = find_change (fixture, EWN_CHANGE_DELETED);
  g_assert_cmpstr (deleted->folder_id, ==, fixture->bob_calendar_id);
  g_assert_cmpstr (deleted->mailbox, ==, BOB);
  g_assert_null (deleted->after);
  g_assert_cmpstr (deleted->before->id, ==, gone);
  g_assert_cmpstr (deleted->before->subject, ==, "Gone at Bob's");
  g_assert_cmpint (deleted->time, >=, before);
  g_assert_cmpint (deleted->time, <=, after);
}

/* New meetings in one calendar while another syncs for new and changed items only
 * come out at once: such a sync cannot bring the other half of a move. */
static void
test_creations_flow (Fixture      *fixture,
                     gconstpointer data)
{
  g_autofree char *review = NULL;
  g_autoptr (EwsEvent) alice_hint = NULL;
  g_autoptr (EwsEvent) bob_hint = NULL;
  guint bob_index = G_MAXUINT;
  guint last_alice = 0;

  sync_and_wait (fixture, NULL);
  ewn_sync_engine_set_page_size (fixture->engine, 2);
  for (int i = 0; i < 9; i++)
    g_free (create_meeting (fixture, NULL, "Stand-up", 8 + i));
  review = create_meeting (fixture, BOB, "Review", 10);

  alice_hint = new_hint (EWS_EVENT_TYPE_CREATED, NULL, fixture->calendar_id);
  bob_hint = new_hint (EWS_EVENT_TYPE_CREATED, review, fixture->bob_calendar_id);
  ewn_sync_engine_hint (fixture->engine, alice_hint);
  ewn_sync_engine_hint (fixture->engine, bob_hint);
  wait_until (fixture, is_idle);

  g_assert_cmpuint (fixture->errors->len, ==, 0);
  g_assert_cmpuint (fixture->changes->len, ==, 10);
  for (guint i = 0; i < fixture->changes->len; i++)
    {
      const EwnChange *change = g_ptr_array_index (fixture->changes, i);

      g_assert_cmpint (change->kind, ==, EWN_CHANGE_CREATED);
      if (g_strcmp0 (change->folder_id, fixture->bob_calendar_id) == 0)
        bob_index = i;
      else
        last_alice = i;
    }
  /* Bob's one page came back while Alice's five were still being fetched */
  g_assert_cmpuint (bob_index, <, last_alice);
}

/* A meeting deleted in one calendar and the same meeting created in another, each
 * with an event of its own rather than a MovedEvent, is one move: the creation waits
 * for the sync the deletion asked for, over all of its pages. */
static void
test_move_by_content (Fixture      *fixture,
                      gconstpointer data)
{
  g_autofree char *old_id = create_meeting (fixture, NULL, "Handover", 15);
  g_autofree char *new_id = NULL;
  g_autoptr (EwsEvent) deleted = NULL;
  g_autoptr (EwsEvent) created = NULL;

  sync_and_wait (fixture, NULL);
  ewn_sync_engine_set_page_size (fixture->engine, 2);
  for (int i = 0; i < 7; i++)
    g_free (create_meeting (fixture, NULL, "Stand-up", 8 + i));
  /* last: on the last of Alice's pages */
  delete (fixture, old_id);
  new_id = create_meeting (fixture, BOB, "Handover", 15);

  deleted = new_hint (EWS_EVENT_TYPE_DELETED, old_id, fixture->calendar_id);
  created = new_hint (EWS_EVENT_TYPE_CREATED, new_id, fixture->bob_calendar_id);
  ewn_sync_engine_hint (fixture->engine, deleted);
  ewn_sync_engine_hint (fixture->engine, created);
  wait_until (fixture, is_idle);

  g_assert_cmpuint (fixture->errors->len, ==, 0);
  /* the meeting moved unchanged: nothing to say about it */
  g_assert_cmpuint (fixture->changes->len, ==, 7);
  g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_CREATED, "Stand-up"), ==, 7);
  g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_CREATED, "Handover"), ==, 0);
  g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_DELETED, "Handover"), ==, 0);
  g_assert_true (ewn_item_store_contains (fixture->store, new_id, NULL));
  g_assert_false (ewn_item_store_contains (fixture->store, old_id, NULL));
}

static void
test_persistence (Fixture      *fixture,
                  gconstpointer data)
{
  g_autofree char *a = create_meeting (fixture, NULL, "Stays", 8);
  g_autofree char *b = create_meeting (fixture, NULL, "Shifts", 9);
  g_autofree char *t = create_task (fixture, "Gets done", 21);

  sync_and_wait (fixture, NULL);
  engine_stop (fixture);

  /* while nobody watches */
  update (fixture, b, "calendar:Start", "2026-11-24T13:00:00Z");
  update (fixture, t, "task:Status", "Completed");
  g_free (create_meeting (fixture, NULL, "Appears", 16));

  engine_start (fixture);
  g_assert_true (ewn_item_store_get_primed (fixture->store, fixture->calendar_id));
  g_assert_cmpuint (ewn_item_store_get_n_items (fixture->store, fixture->calendar_id), ==, 2);
  sync_and_wait (fixture, NULL);
  g_assert_cmpuint (fixture->changes->len, ==, 3);
  g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_RESCHEDULED, "Shifts"), ==, 1);
  g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_TASK_COMPLETED, "Gets done"), ==, 1);
  g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_CREATED, "Appears"), ==, 1);
  g_assert_true (ewn_item_store_contains (fixture->store, a, NULL));
}

/* Folders take turns: one with many pages does not hold up the others, whose first
 * page goes out before its second. */
static void
test_turns (Fixture      *fixture,
            gconstpointer data)
{
  g_autofree char *requested = NULL;
  const char      *second_a;

  sync_and_wait (fixture, NULL);
  ewn_sync_engine_set_page_size (fixture->engine, 2);
  for (int i = 0; i < 7; i++)
    g_free (create_meeting (fixture, NULL, "Stand-up", 8 + i));
  for (int i = 0; i < 3; i++)
    g_free (create_task (fixture, "Report", 10 + i));
  for (int i = 0; i < 5; i++)
    g_free (create_meeting (fixture, BOB, "Review", 8 + i));

  g_mutex_lock (&fixture->requested_lock);
  g_string_truncate (fixture->requested, 0);
  g_mutex_unlock (&fixture->requested_lock);
  sync_and_wait (fixture, NULL);
  g_assert_cmpuint (fixture->changes->len, ==, 15);

  g_mutex_lock (&fixture->requested_lock);
  requested = g_strdup (fixture->requested->str);
  g_mutex_unlock (&fixture->requested_lock);
  g_test_message ("requests by folder: %s", requested);
  g_assert_cmpuint (strlen (requested), ==, 4 + 2 + 3);
  second_a = strchr (strchr (requested, 'a') + 1, 'a');
  g_assert_nonnull (second_a);
  g_assert_true (strchr (requested, 'b') < second_a);
  g_assert_true (strchr (requested, 't') < second_a);
}

/* Pages waiting their turn are forgotten with those in flight when the engine is
 * cancelled, and the next catch-up sends them all again. */
static void
test_cancel_waiting (Fixture      *fixture,
                     gconstpointer data)
{
  sync_and_wait (fixture, NULL);
  g_free (create_meeting (fixture, NULL, "Mine", 8));
  g_free (create_task (fixture, "Chore", 12));
  g_free (create_meeting (fixture, BOB, "Theirs", 9));

  for (int round = 0; round < 3; round++)
    {
      ewn_sync_engine_catch_up (fixture->engine); /* two pages sent, one waits */
      ewn_sync_engine_cancel (fixture->engine);
      g_assert_false (ewn_sync_engine_get_busy (fixture->engine));
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_assert_cmpuint (fixture->changes->len, ==, 0);

  sync_and_wait (fixture, NULL);
  g_assert_cmpuint (fixture->changes->len, ==, 3);
  g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_CREATED, "Mine"), ==, 1);
  g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_TASK_CREATED, "Chore"), ==, 1);
  g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_CREATED, "Theirs"), ==, 1);
}

/* A handler that cancels and syncs a folder again while the engine is about to send
 * that folder's first page: one page goes out, and no request slot is lost (two lost
 * would leave every later page waiting). */
static void
restart_bob (EwnSyncEngine *engine,
             EwnChange     *change,
             Fixture       *fixture)
{
  ewn_sync_engine_cancel (engine);
  ewn_sync_engine_sync_folder (engine, fixture->bob_calendar_id);
}

static gboolean
bob_requested (Fixture *fixture)
{
  gboolean requested;

  g_mutex_lock (&fixture->requested_lock);
  requested = strchr (fixture->requested->str, 'b') != NULL;
  g_mutex_unlock (&fixture->requested_lock);
  return requested;
}

static void
test_restart_in_handler (Fixture      *fixture,
                         gconstpointer data)
{
  sync_and_wait (fixture, NULL);
  for (int round = 0; round < 2; round++)
    {
      gulong handler;

      g_free (create_meeting (fixture, NULL, "Held", 8 + round));
      g_mutex_lock (&fixture->requested_lock);
      g_string_truncate (fixture->requested, 0);
      g_mutex_unlock (&fixture->requested_lock);
      /* Alice's create waits for Bob's sync (Bob's page goes out last); a hint once
       * it is out asks for a trailing sync, whose start releases the create, and the
       * handler restarts Bob inside that start. */
      ewn_sync_engine_catch_up (fixture->engine);
      handler = g_signal_connect (fixture->engine, "change", G_CALLBACK (restart_bob), fixture);
      wait_until (fixture, bob_requested);
      ewn_sync_engine_sync_folder (fixture->engine, fixture->bob_calendar_id);
      wait_until (fixture, is_idle);
      g_signal_handler_disconnect (fixture->engine, handler);
      g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_CREATED, "Held"), ==, round + 1);
    }

  /* every folder still syncs, more than once */
  for (int round = 0; round < 3; round++)
    {
      g_free (create_meeting (fixture, NULL, "Later", 12 + round));
      g_free (create_meeting (fixture, BOB, "Later at Bob's", 12 + round));
      sync_and_wait (fixture, NULL);
      g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_CREATED, "Later"), ==, round + 1);
      g_assert_cmpuint (count_kind (fixture, EWN_CHANGE_CREATED, "Later at Bob's"), ==, round + 1);
    }
}

static void
test_cancel (Fixture      *fixture,
             gconstpointer data)
{
  g_free (create_meeting (fixture, NULL, "Before", 8));
  sync_and_wait (fixture, NULL);
  g_free (create_meeting (fixture, NULL, "During", 9));

  ewn_sync_engine_sync_folder (fixture->engine, fixture->calendar_id);
  ewn_sync_engine_cancel (fixture->engine);
  g_assert_false (ewn_sync_engine_get_busy (fixture->engine));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fixture->changes->len, ==, 0);

  sync_and_wait (fixture, NULL);
  take_one (fixture, EWN_CHANGE_CREATED, fixture->calendar_id);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "UTC", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func, data) g_test_add ("/core/sync-engine/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("first-sync-silent", test_first_sync_silent, NULL);
  ADD ("calendar-changes", test_calendar_changes, NULL);
  ADD ("task-changes", test_task_changes, NULL);
  ADD ("trailing-sync", test_trailing_sync, NULL);
  ADD ("paging", test_paging, NULL);
  ADD ("turns", test_turns, NULL);
  ADD ("cancel-waiting", test_cancel_waiting, NULL);
  ADD ("restart-in-handler", test_restart_in_handler, NULL);
  ADD ("invalid-sync-state", test_invalid_sync_state, NULL);
  ADD ("move-hinted", test_move, GINT_TO_POINTER (TRUE));
  ADD ("move-catch-up", test_move, GINT_TO_POINTER (FALSE));
  ADD ("held-back", test_held_back, NULL);
  ADD ("creations-flow", test_creations_flow, NULL);
  ADD ("move-by-content", test_move_by_content, NULL);
  ADD ("persistence", test_persistence, NULL);
  ADD ("cancel", test_cancel, NULL);
#undef ADD

  return g_test_run ();
}
