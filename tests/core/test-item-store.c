/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ewn-item-store.h"
#include "ewn-item-store-private.h"

#define CALENDAR "AAMkAD-calendar"
#define TASKS    "AAMkAD-tasks"
#define KEEP     40 /* items the crash writer keeps */

static const char *self_path;

static gint64
utc (int day,
     int hour)
{
  return ews_time_new_utc (2026, 11, day, hour, 30, 15) + G_USEC_PER_SEC / 4;
}

static EwsItem *
full_meeting (const char *id)
{
  EwsItem     *item = ews_item_new (EWS_ITEM_KIND_CALENDAR);
  EwsAttendee *attendee = ews_attendee_new ();

  item->id = g_strdup (id);
  item->change_key = g_strdup ("DwAAABYA");
  item->parent_folder_id = g_strdup (CALENDAR);
  item->item_class = g_strdup ("IPM.Appointment");
  item->subject = g_strdup ("Design review “Q4” — Zürich");
  item->body_preview = g_strdup ("Agenda:\n1. numbers\n2. ☕");
  item->last_modified_name = g_strdup ("Alice Example");
  item->last_modified_time = utc (20, 9);
  item->web_client_read_form_query_string = g_strdup ("https://mail.example.com/owa/?ItemID=x");
  item->start = utc (24, 10);
  item->end = utc (24, 11);
  item->is_all_day = TRUE;
  item->location = g_strdup ("Room A");
  item->organizer_name = g_strdup ("Alice Example");
  item->organizer_email = g_strdup ("alice@example.com");
  item->is_cancelled = TRUE;
  item->my_response_type = g_strdup ("Accept");
  item->attendees = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_attendee_free);
  attendee->name = g_strdup ("Bob");
  attendee->email = g_strdup ("bob@example.com");
  attendee->response = g_strdup ("Tentative");
  attendee->required = TRUE;
  g_ptr_array_add (item->attendees, attendee);
  attendee = ews_attendee_new ();
  attendee->email = g_strdup ("carol@example.com");
  g_ptr_array_add (item->attendees, attendee);
  item->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "ErrorItemNotFound");
  return item;
}

static EwsItem *
full_task (const char *id)
{
  EwsItem *item = ews_item_new (EWS_ITEM_KIND_TASK);

  item->id = g_strdup (id);
  item->change_key = g_strdup ("EwAAABYA");
  item->subject = g_strdup ("Send the report");
  item->due_date = utc (27, 0);
  item->task_start_date = ews_time_new_utc (1969, 12, 31, 23, 59, 59) + G_USEC_PER_SEC / 2;
  item->status = EWS_TASK_STATUS_IN_PROGRESS;
  item->percent_complete = 40;
  item->is_complete = FALSE;
  return item;
}

static void
assert_same_time (gint64 a,
                  gint64 b)
{
  g_assert_cmpint (a, ==, b);
}

static void
assert_same_item (const EwsItem *a,
                  const EwsItem *b)
{
  g_assert_nonnull (b);
  g_assert_cmpint (a->kind, ==, b->kind);
  g_assert_cmpstr (a->id, ==, b->id);
  g_assert_cmpstr (a->change_key, ==, b->change_key);
  g_assert_cmpstr (a->parent_folder_id, ==, b->parent_folder_id);
  g_assert_cmpstr (a->item_class, ==, b->item_class);
  g_assert_cmpstr (a->subject, ==, b->subject);
  g_assert_cmpstr (a->body_preview, ==, b->body_preview);
  g_assert_cmpstr (a->last_modified_name, ==, b->last_modified_name);
  assert_same_time (a->last_modified_time, b->last_modified_time);
  g_assert_cmpstr (a->web_client_read_form_query_string, ==, b->web_client_read_form_query_string);
  assert_same_time (a->start, b->start);
  assert_same_time (a->end, b->end);
  g_assert_cmpint (a->is_all_day, ==, b->is_all_day);
  g_assert_cmpstr (a->location, ==, b->location);
  g_assert_cmpstr (a->organizer_name, ==, b->organizer_name);
  g_assert_cmpstr (a->organizer_email, ==, b->organizer_email);
  g_assert_cmpint (a->is_cancelled, ==, b->is_cancelled);
  g_assert_cmpstr (a->my_response_type, ==, b->my_response_type);
  g_assert_true ((a->attendees == NULL) == (b->attendees == NULL));
  for (guint i = 0; a->attendees != NULL && i < a->attendees->len; i++)
    {
      EwsAttendee *x = g_ptr_array_index (a->attendees, i);
      EwsAttendee *y = g_ptr_array_index (b->attendees, i);

      g_assert_cmpuint (a->attendees->len, ==, b->attendees->len);
      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpstr (x->email, ==, y->email);
      g_assert_cmpstr (x->response, ==, y->response);
      g_assert_cmpint (x->required, ==, y->required);
    }
  assert_same_time (a->due_date, b->due_date);
  assert_same_time (a->task_start_date, b->task_start_date);
  g_assert_cmpint (a->status, ==, b->status);
  g_assert_cmpint (a->percent_complete, ==, b->percent_complete);
  g_assert_cmpint (a->is_complete, ==, b->is_complete);
  if (a->error == NULL)
    g_assert_null (b->error);
  else
    g_assert_error (b->error, a->error->domain, a->error->code);
}

/* Stores @item, which the store copies, and frees it. */
static void
put_taken (EwnItemStore *store,
           const char   *folder_id,
           EwsItem      *item)
{
  ewn_item_store_put (store, folder_id, item);
  ews_item_free (item);
}

static char *
store_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "ews-notifier", "account", NULL);
}

static EwnItemStore *
open_store (const char *dir)
{
  g_autoptr (GError) error = NULL;
  EwnItemStore *store = ewn_item_store_new (dir);

  g_assert_true (ewn_item_store_load (store, &error));
  g_assert_no_error (error);
  return store;
}

static void
fill (EwnItemStore *store)
{
  const char *const ids[] = { "sub-1", "sub-2", NULL };

  ewn_item_store_add_folder (store, CALENDAR, NULL, EWS_FOLDER_KIND_CALENDAR);
  ewn_item_store_add_folder (store, TASKS, "bob@example.com", EWS_FOLDER_KIND_TASKS);
  put_taken (store, CALENDAR, full_meeting ("meeting-1"));
  ewn_item_store_remove (store, "nothing");
  put_taken (store, TASKS, full_task ("task-1"));
  ewn_item_store_set_sync_state (store, CALENDAR, "H4sIAAAAAAAEAO29B2AcSZ");
  ewn_item_store_set_primed (store, CALENDAR, TRUE);
  ewn_item_store_set_sync_state (store, TASKS, "tasks-state");
  ewn_item_store_set_subscription_ids (store, ids);
}

static void
check_filled_with (EwnItemStore *store,
                   guint         n_meetings)
{
  g_autoptr (EwsItem) meeting = full_meeting ("meeting-1");
  g_autoptr (EwsItem) task = full_task ("task-1");
  g_autoptr (EwsItem) stored_meeting = NULL;
  g_autoptr (EwsItem) stored_task = NULL;
  g_auto (GStrv) ids = ewn_item_store_dup_subscription_ids (store);
  g_auto (GStrv) folders = ewn_item_store_dup_folder_ids (store);
  const char *folder = NULL;

  g_assert_cmpuint (g_strv_length (folders), ==, 2);
  g_assert_cmpint (ewn_item_store_get_folder_kind (store, CALENDAR), ==, EWS_FOLDER_KIND_CALENDAR);
  g_assert_cmpint (ewn_item_store_get_folder_kind (store, TASKS), ==, EWS_FOLDER_KIND_TASKS);
  g_assert_null (ewn_item_store_get_folder_mailbox (store, CALENDAR));
  g_assert_cmpstr (ewn_item_store_get_folder_mailbox (store, TASKS), ==, "bob@example.com");
  g_assert_cmpstr (ewn_item_store_get_sync_state (store, CALENDAR), ==, "H4sIAAAAAAAEAO29B2AcSZ");
  g_assert_cmpstr (ewn_item_store_get_sync_state (store, TASKS), ==, "tasks-state");
  g_assert_true (ewn_item_store_get_primed (store, CALENDAR));
  g_assert_false (ewn_item_store_get_primed (store, TASKS));
  g_assert_cmpuint (ewn_item_store_get_n_items (store, CALENDAR), ==, n_meetings);
  g_assert_cmpuint (ewn_item_store_get_n_items (store, TASKS), ==, 1);
  stored_meeting = ewn_item_store_dup_item (store, "meeting-1", &folder);
  assert_same_item (meeting, stored_meeting);
  g_assert_cmpstr (folder, ==, CALENDAR);
  stored_task = ewn_item_store_dup_item (store, "task-1", &folder);
  assert_same_item (task, stored_task);
  g_assert_cmpstr (folder, ==, TASKS);
  g_assert_true (ewn_item_store_contains (store, "task-1", &folder));
  g_assert_cmpstr (folder, ==, TASKS);
  g_assert_false (ewn_item_store_contains (store, "task-2", &folder));
  g_assert_null (folder);
  g_assert_cmpstrv (ids, ((const char *const[]){ "sub-1", "sub-2", NULL }));
}

static void
check_filled (EwnItemStore *store)
{
  check_filled_with (store, 1);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = store_dir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (EwnItemStore) store = open_store (dir);
  g_autoptr (EwnItemStore) again = NULL;
  GStatBuf info;

  g_assert_cmpuint (ewn_item_store_get_n_items (store, CALENDAR), ==, 0);
  g_assert_cmpint (g_stat (dir, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);

  fill (store);
  check_filled (store);
  g_assert_true (ewn_item_store_close (store, &error));
  g_assert_no_error (error);

  again = open_store (dir);
  check_filled (again);
}

static void
test_replay_and_compaction (gconstpointer data)
{
  gboolean         compact = GPOINTER_TO_INT (data);
  g_autofree char *dir = store_dir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (EwnItemStore) store = open_store (dir);
  g_autoptr (EwnItemStore) again = NULL;
  g_autofree char *snapshot = g_build_filename (dir, "items.snapshot", NULL);
  g_autoptr (GDir) listing = NULL;
  const char *name;
  GStatBuf    info;

  if (compact)
    ewn_item_store_set_compact_threshold (store, 1);
  fill (store);
  g_assert_true (ewn_item_store_commit (store, &error));
  g_assert_no_error (error);
  /* a second page: reset_folder forgets the state but keeps the items */
  put_taken (store, CALENDAR, full_meeting ("meeting-2"));
  ewn_item_store_remove (store, "meeting-2");
  ewn_item_store_reset_folder (store, TASKS);
  ewn_item_store_set_sync_state (store, TASKS, "tasks-state");
  g_assert_true (ewn_item_store_commit (store, &error));
  /* uncommitted: lost when the store goes without close */
  put_taken (store, CALENDAR, full_meeting ("meeting-3"));
  g_clear_object (&store);

  if (compact)
    {
      g_assert_cmpint (g_stat (snapshot, &info), ==, 0);
      g_assert_cmpint (info.st_mode & 0777, ==, 0600);
    }
  else
    g_assert_false (g_file_test (snapshot, G_FILE_TEST_EXISTS));

  again = open_store (dir);
  check_filled (again);
  g_assert_false (ewn_item_store_contains (again, "meeting-3", NULL));

  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);

      g_assert_false (g_str_has_prefix (name, "items.snapshot.tmp-"));
      g_assert_cmpint (g_stat (file, &info), ==, 0);
      g_assert_cmpint (info.st_mode & 0777, ==, 0600);
    }
}

/* The pages of a burst, each committed. */
static void
commit_pages (EwnItemStore *store)
{
  g_autoptr (GError) error = NULL;

  fill (store);
  g_assert_true (ewn_item_store_commit (store, &error));
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *id = g_strdup_printf ("meeting-page-%d", i);

      put_taken (store, CALENDAR, full_meeting (id));
      g_assert_true (ewn_item_store_commit (store, &error));
    }
  g_assert_no_error (error);
}

/* How many files in @dir have a name starting with @prefix; @size: their bytes. */
static guint
count_files (const char *dir,
             const char *prefix,
             gsize      *size)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  guint       n = 0;

  g_assert_nonnull (listing);
  if (size != NULL)
    *size = 0;
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, prefix))
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);
        GStatBuf         info;

        g_assert_cmpint (g_stat (file, &info), ==, 0);
        if (size != NULL)
          *size += (gsize)info.st_size;
        n++;
      }
  return n;
}

static gsize
journal_size (const char *dir)
{
  gsize size;

  count_files (dir, "journal-", &size);
  return size;
}

/* While a burst holds compaction, pages that would have been folded into a snapshot
 * stay in the journal; the snapshot comes when the hold ends. */
static void
test_compaction_held (void)
{
  g_autofree char *measured_dir = g_build_filename (store_dir (), "measured", NULL);
  g_autofree char *free_dir = g_build_filename (store_dir (), "free", NULL);
  g_autofree char *held_dir = g_build_filename (store_dir (), "held", NULL);
  g_autofree char *long_dir = g_build_filename (store_dir (), "long", NULL);
  g_autofree char *free_snapshot = g_build_filename (free_dir, "items.snapshot", NULL);
  g_autofree char *held_snapshot = g_build_filename (held_dir, "items.snapshot", NULL);
  g_autoptr (EwnItemStore) store = open_store (measured_dir);
  g_autoptr (EwnItemStore) again = NULL;
  gsize journalled;

  /* what the pages take in the journal */
  ewn_item_store_set_compact_threshold (store, G_MAXSIZE);
  commit_pages (store);
  g_clear_object (&store);
  journalled = journal_size (measured_dir);
  g_assert_cmpuint (journalled, >, 0);

  /* without the hold, half of that starts a compaction */
  store = open_store (free_dir);
  ewn_item_store_set_compact_threshold (store, journalled / 2);
  commit_pages (store);
  g_clear_object (&store);
  g_assert_true (g_file_test (free_snapshot, G_FILE_TEST_EXISTS));

  store = open_store (held_dir);
  ewn_item_store_set_compact_threshold (store, journalled / 2);
  ewn_item_store_hold_compaction (store, TRUE);
  commit_pages (store);
  /* a compaction would have begun a new journal and a snapshot at once */
  g_assert_cmpuint (count_files (held_dir, "journal-", NULL), ==, 1);
  g_assert_cmpuint (count_files (held_dir, "items.snapshot", NULL), ==, 0);
  ewn_item_store_hold_compaction (store, FALSE);
  g_assert_cmpuint (count_files (held_dir, "items.snapshot", NULL), ==, 1);
  g_clear_object (&store);
  g_assert_true (g_file_test (held_snapshot, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (journal_size (held_dir), <, journalled);

  /* held, but not for ever: four times further, the journal is folded all the same */
  store = open_store (long_dir);
  ewn_item_store_set_compact_threshold (store, journalled / 8);
  ewn_item_store_hold_compaction (store, TRUE);
  commit_pages (store);
  g_assert_cmpuint (count_files (long_dir, "items.snapshot", NULL), >=, 1);
  g_clear_object (&store);

  again = open_store (held_dir);
  g_assert_cmpuint (ewn_item_store_get_n_items (again, CALENDAR), ==, 5);
  g_assert_true (ewn_item_store_contains (again, "task-1", NULL));
  g_assert_true (ewn_item_store_contains (again, "meeting-page-3", NULL));
}

static void
test_reset_folder (void)
{
  g_autofree char *dir = store_dir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (EwnItemStore) store = open_store (dir);
  g_autoptr (EwnItemStore) again = NULL;
  g_autoptr (GPtrArray) ids = NULL;

  fill (store);
  ewn_item_store_reset_folder (store, CALENDAR);
  g_assert_null (ewn_item_store_get_sync_state (store, CALENDAR));
  g_assert_false (ewn_item_store_get_primed (store, CALENDAR));
  g_assert_cmpuint (ewn_item_store_get_n_items (store, CALENDAR), ==, 1);
  g_assert_true (ewn_item_store_commit (store, &error));
  g_clear_object (&store);

  again = open_store (dir);
  g_assert_null (ewn_item_store_get_sync_state (again, CALENDAR));
  g_assert_false (ewn_item_store_get_primed (again, CALENDAR));
  ids = ewn_item_store_dup_item_ids (again, CALENDAR);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "meeting-1");

  /* moving an item to another folder */
  put_taken (again, TASKS, full_meeting ("meeting-1"));
  g_assert_cmpuint (ewn_item_store_get_n_items (again, CALENDAR), ==, 0);
  g_assert_cmpuint (ewn_item_store_get_n_items (again, TASKS), ==, 2);
  g_assert_true (ewn_item_store_remove (again, "meeting-1"));
  g_assert_false (ewn_item_store_remove (again, "meeting-1"));
  g_assert_cmpuint (ewn_item_store_get_n_items (again, TASKS), ==, 1);
}

static void
write_bytes (const char *file,
             const char *data,
             gssize      length)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (file, data, length, &error));
  g_assert_no_error (error);
}

static void
test_corrupt_snapshot (gconstpointer data)
{
  const char      *how = data;
  g_autofree char *dir = store_dir ();
  g_autofree char *snapshot = g_build_filename (dir, "items.snapshot", NULL);
  g_autofree char *aside = g_strconcat (snapshot, ".corrupt", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (EwnItemStore) store = open_store (dir);
  g_autoptr (EwnItemStore) again = NULL;
  g_autofree char *contents = NULL;
  gsize            length;

  fill (store);
  g_assert_true (ewn_item_store_close (store, &error));
  g_assert_true (g_file_get_contents (snapshot, &contents, &length, NULL));

  if (g_str_equal (how, "random"))
    {
      g_autoptr (GRand) rand = g_rand_new_with_seed (42);

      for (gsize i = 0; i < length; i++)
        contents[i] = g_rand_int (rand);
    }
  else if (g_str_equal (how, "truncated"))
    length /= 2;
  else if (g_str_equal (how, "version"))
    contents[4] = 99;
  else if (g_str_equal (how, "bit-flip"))
    contents[length - 10] ^= 0x10;
  write_bytes (snapshot, contents, length);

  again = ewn_item_store_new (dir);
  g_assert_false (ewn_item_store_load (again, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, snapshot));
  g_assert_cmpuint (ewn_item_store_get_n_items (again, CALENDAR), ==, 0);
  g_assert_false (ewn_item_store_has_folder (again, CALENDAR));
  g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (snapshot, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* the store works from nothing afterwards */
  fill (again);
  g_assert_true (ewn_item_store_close (again, &error));
  g_assert_no_error (error);
  g_clear_object (&again);
  again = open_store (dir);
  check_filled (again);
}

static void
test_torn_journal (void)
{
  g_autofree char *dir = store_dir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (EwnItemStore) store = open_store (dir);
  g_autoptr (EwnItemStore) again = NULL;
  g_autoptr (GDir) listing = NULL;
  g_autofree char *journal = NULL;
  const char      *name;
  GStatBuf         info;

  fill (store);
  g_assert_true (ewn_item_store_commit (store, &error));
  ewn_item_store_set_sync_state (store, CALENDAR, "lost");
  put_taken (store, CALENDAR, full_meeting ("meeting-lost"));
  g_assert_true (ewn_item_store_commit (store, &error));
  g_clear_object (&store);

  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "journal-"))
      journal = g_build_filename (dir, name, NULL);
  g_assert_nonnull (journal);
  g_assert_cmpint (g_stat (journal, &info), ==, 0);
  g_assert_cmpint (truncate (journal, info.st_size - 5), ==, 0);

  again = open_store (dir);
  check_filled (again);
  g_assert_false (ewn_item_store_contains (again, "meeting-lost", NULL));

  /* new records go after the torn one and survive the next load */
  ewn_item_store_set_sync_state (again, CALENDAR, "after");
  g_assert_true (ewn_item_store_commit (again, &error));
  g_clear_object (&again);
  again = open_store (dir);
  g_assert_cmpstr (ewn_item_store_get_sync_state (again, CALENDAR), ==, "after");
  g_assert_cmpuint (ewn_item_store_get_n_items (again, CALENDAR), ==, 1);
}

static void
test_io_errors (void)
{
  g_autofree char *file = g_build_filename (g_get_user_state_dir (), "plain-file", NULL);
  g_autofree char *below = g_build_filename (file, "account", NULL);
  g_autofree char *dir = store_dir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (EwnItemStore) store = ewn_item_store_new (below);
  g_autoptr (EwnItemStore) locked = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_state_dir (), 0700), ==, 0);
  write_bytes (file, "x", 1);
  g_assert_false (ewn_item_store_load (store, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_assert_nonnull (strstr (error->message, below));
  g_clear_error (&error);

  fill (store);
  g_assert_false (ewn_item_store_commit (store, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, below));
  g_clear_error (&error);
  g_assert_false (ewn_item_store_close (store, &error));
  g_clear_error (&error);
  /* still usable in memory */
  check_filled (store);

  if (geteuid () == 0)
    {
      g_test_message ("running as root: permissions do not apply");
      return;
    }
  locked = open_store (dir);
  g_assert_cmpint (g_chmod (dir, 0500), ==, 0);
  fill (locked);
  g_assert_false (ewn_item_store_commit (locked, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
  g_assert_true (ewn_item_store_commit (locked, &error));
  g_assert_no_error (error);
}

/* Commits in quick succession share their fdatasync; close still leaves every one on
 * the disk. */
static void
test_batched_sync (void)
{
  g_autofree char *dir = store_dir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (EwnItemStore) store = open_store (dir);
  g_autoptr (EwnItemStore) again = NULL;

  fill (store);
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *id = g_strdup_printf ("meeting-%u", i + 100);

      put_taken (store, CALENDAR, full_meeting (id));
      g_assert_true (ewn_item_store_commit (store, &error));
      g_assert_no_error (error);
    }
  g_test_message ("%u syncs for 200 commits", ewn_item_store_get_n_syncs (store));
  g_assert_cmpuint (ewn_item_store_get_n_syncs (store), <=, 10);
  /* the sync still pending is done before the snapshot replaces the journal */
  g_assert_true (ewn_item_store_close (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ewn_item_store_get_n_syncs (store), >=, 1);
  g_clear_object (&store);

  again = open_store (dir);
  g_assert_cmpuint (ewn_item_store_get_n_items (again, CALENDAR), ==, 201);
  g_assert_true (ewn_item_store_contains (again, "meeting-299", NULL));
}

/* Version 1 files, as the release before the compact form wrote them. */

static void
v1_add_string (GVariantBuilder *builder,
               const char      *text)
{
  g_variant_builder_add_value (builder, g_variant_new_maybe (G_VARIANT_TYPE_STRING, text != NULL ? g_variant_new_string (text) : NULL));
}

static void
v1_add_time (GVariantBuilder *builder,
             gint64           time)
{
  GVariant *child = NULL;

  if (time != EWS_TIME_NONE)
    child = g_variant_new_int64 (time);
  g_variant_builder_add_value (builder, g_variant_new_maybe (G_VARIANT_TYPE_INT64, child));
}

static GVariant *
v1_entry (const char    *folder_id,
          const EwsItem *item)
{
  GVariantBuilder builder;
  GVariantBuilder attendees;
  GVariant       *error = NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE (EWN_STORE_ITEM_TYPE));
  g_variant_builder_add (&builder, "u", (guint32)item->kind);
  v1_add_string (&builder, item->id);
  v1_add_string (&builder, item->change_key);
  v1_add_string (&builder, item->parent_folder_id);
  v1_add_string (&builder, item->item_class);
  v1_add_string (&builder, item->subject);
  v1_add_string (&builder, item->body_preview);
  v1_add_string (&builder, item->last_modified_name);
  v1_add_time (&builder, item->last_modified_time);
  v1_add_string (&builder, item->web_client_read_form_query_string);
  v1_add_time (&builder, item->start);
  v1_add_time (&builder, item->end);
  g_variant_builder_add (&builder, "b", item->is_all_day);
  v1_add_string (&builder, item->location);
  v1_add_string (&builder, item->organizer_name);
  v1_add_string (&builder, item->organizer_email);
  g_variant_builder_add (&builder, "b", item->is_cancelled);
  v1_add_string (&builder, item->my_response_type);
  g_variant_builder_init (&attendees, G_VARIANT_TYPE ("a(msmsmsb)"));
  for (guint i = 0; item->attendees != NULL && i < item->attendees->len; i++)
    {
      EwsAttendee *attendee = g_ptr_array_index (item->attendees, i);

      g_variant_builder_open (&attendees, G_VARIANT_TYPE ("(msmsmsb)"));
      v1_add_string (&attendees, attendee->name);
      v1_add_string (&attendees, attendee->email);
      v1_add_string (&attendees, attendee->response);
      g_variant_builder_add (&attendees, "b", attendee->required);
      g_variant_builder_close (&attendees);
    }
  g_variant_builder_add_value (&builder, g_variant_new_maybe (G_VARIANT_TYPE ("a(msmsmsb)"), item->attendees != NULL ? g_variant_builder_end (&attendees) : NULL));
  if (item->attendees == NULL)
    g_variant_builder_clear (&attendees);
  v1_add_time (&builder, item->due_date);
  v1_add_time (&builder, item->task_start_date);
  g_variant_builder_add (&builder, "u", (guint32)item->status);
  g_variant_builder_add (&builder, "i", (gint32)item->percent_complete);
  g_variant_builder_add (&builder, "b", item->is_complete);
  if (item->error != NULL)
    error = g_variant_new ("(sis)", g_quark_to_string (item->error->domain), item->error->code, item->error->message);
  g_variant_builder_add_value (&builder, g_variant_new_maybe (G_VARIANT_TYPE ("(sis)"), error));
  return g_variant_new ("(s@" EWN_STORE_ITEM_TYPE ")", folder_id, g_variant_builder_end (&builder));
}

static void
put_le32 (GByteArray *out,
          guint32     value)
{
  value = GUINT32_TO_LE (value);
  g_byte_array_append (out, (const guint8 *)&value, 4);
}

static void
put_le64 (GByteArray *out,
          guint64     value)
{
  value = GUINT64_TO_LE (value);
  g_byte_array_append (out, (const guint8 *)&value, 8);
}

static void
write_v1_files (const char *dir)
{
  g_autoptr (EwsItem) meeting = full_meeting ("meeting-1");
  g_autoptr (EwsItem) task = full_task ("task-1");
  g_autoptr (GVariant) snapshot = NULL;
  g_autoptr (GVariant) record = NULL;
  g_autoptr (GByteArray) file = g_byte_array_new ();
  g_autofree char *snapshot_path = g_build_filename (dir, "items.snapshot", NULL);
  g_autofree char *journal_path = g_build_filename (dir, "journal-0000000000000003", NULL);
  const char      *subscriptions[] = { "sub-1", "sub-2", NULL };
  GVariantBuilder  ops;
  guint32          crc;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  /* snapshot: both folders, the meeting, the subscriptions; record 1, journals from 3 */
  snapshot = g_variant_ref_sink (g_variant_new ("(@a(smsumsb)@a(s" EWN_STORE_ITEM_TYPE ")^as)",
                                                g_variant_new_parsed ("[('" CALENDAR "', @ms nothing, uint32 1, @ms 'H4sIAAAAAAAEAO29B2AcSZ', true),"
                                                                      " ('" TASKS "', @ms 'bob@example.com', 2, @ms nothing, false)]"),
                                                g_variant_new_array (NULL, (GVariant *[]){ v1_entry (CALENDAR, meeting) }, 1),
                                                subscriptions));
  g_byte_array_append (file, (const guint8 *)"EWNS", 4);
  put_le32 (file, 1);
  put_le64 (file, 1);
  put_le64 (file, 3);
  put_le32 (file, g_variant_get_size (snapshot));
  crc = ewn_store_crc32 (0, file->data, file->len);
  crc = ewn_store_crc32 (crc, g_variant_get_data (snapshot), g_variant_get_size (snapshot));
  put_le32 (file, crc);
  g_byte_array_append (file, g_variant_get_data (snapshot), g_variant_get_size (snapshot));
  write_bytes (snapshot_path, (const char *)file->data, file->len);

  /* journal 3, record 2: the task and the task list's sync state */
  g_variant_builder_init (&ops, G_VARIANT_TYPE ("a(ysv)"));
  g_variant_builder_add (&ops, "(ysv)", 'i', "", v1_entry (TASKS, task));
  g_variant_builder_add (&ops, "(ysv)", 's', TASKS, g_variant_new ("ms", "tasks-state"));
  record = g_variant_ref_sink (g_variant_builder_end (&ops));
  g_byte_array_set_size (file, 0);
  g_byte_array_append (file, (const guint8 *)"EWNJ", 4);
  put_le32 (file, 1);
  put_le32 (file, g_variant_get_size (record));
  put_le32 (file, 0);
  put_le64 (file, 2);
  g_byte_array_append (file, g_variant_get_data (record), g_variant_get_size (record));
  crc = ewn_store_crc32 (0, file->data + 16, file->len - 16);
  memcpy (file->data + 12, &(guint32){ GUINT32_TO_LE (crc) }, 4);
  write_bytes (journal_path, (const char *)file->data, file->len);
}

static guint32
file_version (const char *file)
{
  g_autofree char *contents = NULL;
  gsize            length = 0;
  guint32          version;

  g_assert_true (g_file_get_contents (file, &contents, &length, NULL));
  g_assert_cmpuint (length, >=, 8);
  memcpy (&version, contents + 4, 4);
  return GUINT32_FROM_LE (version);
}

/* The state of the release before loads; new records are appended in a journal of
 * the new form after it, and the next snapshot replaces both. */
static void
test_version_1 (void)
{
  g_autofree char *dir = store_dir ();
  g_autofree char *snapshot = g_build_filename (dir, "items.snapshot", NULL);
  g_autofree char *old_journal = g_build_filename (dir, "journal-0000000000000003", NULL);
  g_autofree char *new_journal = g_build_filename (dir, "journal-0000000000000004", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (EwnItemStore) store = NULL;

  write_v1_files (dir);
  store = open_store (dir);
  check_filled (store);

  put_taken (store, CALENDAR, full_meeting ("meeting-2"));
  g_assert_true (ewn_item_store_commit (store, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpuint (file_version (snapshot), ==, 1);
  g_assert_cmpuint (file_version (old_journal), ==, 1);
  g_assert_cmpuint (file_version (new_journal), ==, 2);

  store = open_store (dir);
  check_filled_with (store, 2);
  g_assert_true (ewn_item_store_contains (store, "meeting-2", NULL));
  g_assert_true (ewn_item_store_close (store, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpuint (file_version (snapshot), ==, 2);
  g_assert_false (g_file_test (old_journal, G_FILE_TEST_EXISTS));

  store = open_store (dir);
  check_filled_with (store, 2);
}

/* A snapshot whose checksum is right but whose contents are not: it fails to load
 * (or loads what it says), it never crashes. */
static void
test_checked_garbage (void)
{
  g_autofree char *dir = store_dir ();
  g_autofree char *snapshot = g_build_filename (dir, "items.snapshot", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (EwnItemStore) store = open_store (dir);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autofree char *contents = NULL;
  gsize            length;
  guint            n_failed = 0;

  fill (store);
  g_assert_true (ewn_item_store_close (store, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_true (g_file_get_contents (snapshot, &contents, &length, NULL));

  for (guint round = 0; round < 300; round++)
    {
      g_autofree char *damaged = g_memdup2 (contents, length);
      guint32          crc;

      for (guint i = 0; i < 1 + round % 4; i++)
        damaged[g_rand_int_range (rand, 32, (gint32)length)] ^= 1 << g_rand_int_range (rand, 0, 8);
      /* version 2: the payload, then the header */
      crc = ewn_store_crc32 (ewn_store_crc32 (0, damaged + 32, length - 32), damaged, 28);
      crc = GUINT32_TO_LE (crc);
      memcpy (damaged + 28, &crc, 4);
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      write_bytes (snapshot, damaged, length);

      store = ewn_item_store_new (dir);
      if (!ewn_item_store_load (store, &error))
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
          g_clear_error (&error);
          n_failed++;
        }
      g_clear_object (&store);
    }
  g_test_message ("%u of 300 damaged snapshots refused", n_failed);
  g_assert_cmpuint (n_failed, >, 0);
  /* most damage (in strings, times) leaves a readable file: the checksum was right */
  g_assert_cmpuint (n_failed, <, 300);
}

/* The checksum is zlib's CRC-32 (files of earlier releases carry it), however it is
 * computed and in whatever pieces. */
static void
test_crc (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  guint8 data[1000];

  g_assert_cmphex (ewn_store_crc32 (0, "123456789", 9), ==, 0xCBF43926);
  for (gsize i = 0; i < sizeof data; i++)
    data[i] = (guint8)g_rand_int (rand);
  for (guint round = 0; round < 200; round++)
    {
      gsize   length = g_rand_int_range (rand, 0, sizeof data);
      gsize   cut = g_rand_int_range (rand, 0, (gint32)length + 1);
      guint32 expected = 0xFFFFFFFF;

      for (gsize i = 0; i < length; i++)
        {
          expected ^= data[i];
          for (int k = 0; k < 8; k++)
            expected = (expected & 1) != 0 ? 0xEDB88320u ^ (expected >> 1) : expected >> 1;
        }
      expected = ~expected;
      g_assert_cmphex (ewn_store_crc32 (0, data, length), ==, expected);
      g_assert_cmphex (ewn_store_crc32 (ewn_store_crc32 (0, data, cut), data + cut, length - cut), ==, expected);
    }
}

/* The crash test. The writer commits record n as: sync state "n", item-n put,
 * item-(n-KEEP) removed, subscription "sub-n"; it reports each commit on stdout. */

static int
crash_writer (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (EwnItemStore) store = ewn_item_store_new (dir);
  const char *state;
  guint64     n = 0;

  if (!ewn_item_store_load (store, &error))
    return 3;
  ewn_item_store_set_compact_threshold (store, 16 * 1024);
  ewn_item_store_add_folder (store, CALENDAR, NULL, EWS_FOLDER_KIND_CALENDAR);
  state = ewn_item_store_get_sync_state (store, CALENDAR);
  if (state != NULL)
    n = g_ascii_strtoull (state, NULL, 10);

  for (;;)
    {
      g_autofree char *line = NULL;
      g_autofree char *id = NULL;
      g_autofree char *gone = NULL;
      g_autofree char *sub = NULL;
      EwsItem         *item;

      n++;
      id = g_strdup_printf ("item-%" G_GUINT64_FORMAT, n);
      item = full_meeting (id);
      g_free (item->subject);
      item->subject = g_strdup_printf ("subject %" G_GUINT64_FORMAT, n);
      put_taken (store, CALENDAR, item);
      if (n > KEEP)
        {
          gone = g_strdup_printf ("item-%" G_GUINT64_FORMAT, n - KEEP);
          ewn_item_store_remove (store, gone);
        }
      sub = g_strdup_printf ("sub-%" G_GUINT64_FORMAT, n);
      ewn_item_store_set_subscription_ids (store, (const char *const[]){ sub, NULL });
      line = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
      ewn_item_store_set_sync_state (store, CALENDAR, line);
      if (!ewn_item_store_commit (store, &error))
        return 4;
      line = g_strconcat (line, "\n", NULL);
      if (write (STDOUT_FILENO, line, strlen (line)) < 0)
        return 5;
    }
}

/* Everything up to the kill, keeping the last complete line; with @first_only, up
 * to the first complete line. A line cut between two calls stays in @tail, so its
 * end is never read as a number of its own. */
static guint64
drain (int      fd,
       GString *tail,
       gint64   deadline,
       gboolean first_only)
{
  guint64 last = 0;
  char    buffer[4096];

  for (;;)
    {
      gint64  now = g_get_monotonic_time ();
      GPollFD poll_fd = { fd, G_IO_IN, 0 };
      gssize  n;

      if (deadline > 0 && now >= deadline)
        break;
      if (g_poll (&poll_fd, 1, deadline > 0 ? (deadline - now + 999) / 1000 : -1) <= 0)
        continue;
      n = read (fd, buffer, sizeof buffer);
      if (n <= 0)
        break;
      g_string_append_len (tail, buffer, n);
      while (strchr (tail->str, '\n') != NULL)
        {
          char *end = strchr (tail->str, '\n');

          *end = '\0';
          last = g_ascii_strtoull (tail->str, NULL, 10);
          g_string_erase (tail, 0, end - tail->str + 1);
        }
      if (first_only && last > 0)
        break;
    }
  return last;
}

static void
check_consistent (EwnItemStore *store,
                  guint64       n)
{
  g_autofree char *sub = g_strdup_printf ("sub-%" G_GUINT64_FORMAT, n);
  g_auto (GStrv) subs = ewn_item_store_dup_subscription_ids (store);

  g_assert_cmpuint (ewn_item_store_get_n_items (store, CALENDAR), ==, MIN (n, KEEP));
  for (guint64 i = n > KEEP ? n - KEEP + 1 : 1; i <= n; i++)
    {
      g_autofree char *id = g_strdup_printf ("item-%" G_GUINT64_FORMAT, i);
      g_autofree char *subject = g_strdup_printf ("subject %" G_GUINT64_FORMAT, i);
      g_autoptr (EwsItem) item = ewn_item_store_dup_item (store, id, NULL);

      g_assert_nonnull (item);
      g_assert_cmpstr (item->subject, ==, subject);
      g_assert_cmpuint (item->attendees->len, ==, 2);
    }
  if (n > 0)
    g_assert_cmpstrv (subs, ((const char *const[]){ sub, NULL }));
}

static void
test_crash (void)
{
  g_autofree char *dir = store_dir ();
  guint64          previous = 0;
  guint            n_compacted = 0;

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr (GRand) rand = g_rand_new_with_seed (0x5eed + round);
      g_autoptr (GError) error = NULL;
      g_autoptr (EwnItemStore) store = NULL;
      g_autofree char *snapshot = g_build_filename (dir, "items.snapshot", NULL);
      const char      *argv[] = { self_path, "--crash-writer", dir, NULL };
      const char      *state;
      GPid             pid;
      int              out;
      int              status;
      guint64          reported;
      guint64          late;
      guint64          loaded;
      g_autoptr (GString) tail = g_string_new (NULL);

      g_assert_true (g_spawn_async_with_pipes (NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                               NULL, NULL, &pid, NULL, &out, NULL, &error));
      g_assert_no_error (error);
      /* The kill falls at a random instant after the writer is up and committing, so a
       * slow start (sanitizers, valgrind, a busy machine) does not shrink the window. */
      reported = drain (out, tail, g_get_monotonic_time () + 30 * G_USEC_PER_SEC, TRUE);
      reported = MAX (reported, drain (out, tail, g_get_monotonic_time () + g_rand_int_range (rand, 5000, 150000), FALSE));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      late = drain (out, tail, 0, FALSE);
      /* a writer killed before its first commit reports nothing */
      reported = MAX (MAX (reported, late), previous);
      close (out);
      g_spawn_close_pid (pid);
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

      store = open_store (dir);
      state = ewn_item_store_get_sync_state (store, CALENDAR);
      loaded = state != NULL ? g_ascii_strtoull (state, NULL, 10) : 0;
      g_test_message ("round %u: reported %" G_GUINT64_FORMAT ", loaded %" G_GUINT64_FORMAT,
                      round, reported, loaded);
      /* nothing committed is lost, nothing is repeated or half there */
      g_assert_cmpuint (loaded, >=, reported);
      g_assert_cmpuint (loaded, <=, reported + 1);
      g_assert_cmpuint (loaded, >=, previous);
      check_consistent (store, loaded);
      previous = loaded;
      n_compacted += g_file_test (snapshot, G_FILE_TEST_EXISTS);
    }
  g_assert_cmpuint (previous, >, 0);
  g_assert_cmpuint (n_compacted, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "--crash-writer"))
    return crash_writer (argv[2]);

  self_path = argv[0];
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/item-store/round-trip", test_round_trip);
  g_test_add_data_func ("/item-store/journal-replay", GINT_TO_POINTER (FALSE), test_replay_and_compaction);
  g_test_add_data_func ("/item-store/compaction", GINT_TO_POINTER (TRUE), test_replay_and_compaction);
  g_test_add_func ("/item-store/compaction-held", test_compaction_held);
  g_test_add_func ("/item-store/reset-folder", test_reset_folder);
  g_test_add_data_func ("/item-store/corrupt/random", "random", test_corrupt_snapshot);
  g_test_add_data_func ("/item-store/corrupt/truncated", "truncated", test_corrupt_snapshot);
  g_test_add_data_func ("/item-store/corrupt/version", "version", test_corrupt_snapshot);
  g_test_add_data_func ("/item-store/corrupt/bit-flip", "bit-flip", test_corrupt_snapshot);
  g_test_add_func ("/item-store/torn-journal", test_torn_journal);
  g_test_add_func ("/item-store/io-errors", test_io_errors);
  g_test_add_func ("/item-store/batched-sync", test_batched_sync);
  g_test_add_func ("/item-store/version-1", test_version_1);
  g_test_add_func ("/item-store/crc", test_crc);
  g_test_add_func ("/item-store/corrupt/checked-garbage", test_checked_garbage);
  g_test_add_func ("/item-store/crash", test_crash);

  return g_test_run ();
}
