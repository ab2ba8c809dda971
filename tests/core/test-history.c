/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>

#include "ewn-history.h"

static EwnChange *
meeting_change (const char *id,
                int         hour)
{
  g_autoptr (EwsItem) before = ews_item_new (EWS_ITEM_KIND_CALENDAR);
  g_autoptr (EwsItem) after = NULL;

  before->id = g_strdup (id);
  before->subject = g_strdup ("Standup");
  before->start = ews_time_new_utc (2026, 11, 24, 9, 0, 0);
  before->end = ews_time_new_utc (2026, 11, 24, 10, 0, 0);
  after = ews_item_copy (before);
  after->start = ews_time_new_utc (2026, 11, 24, hour, 0, 0);
  return ewn_change_compute (before, after);
}

static guint changed_position, changed_removed, changed_added;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    data)
{
  changed_position = position;
  changed_removed = removed;
  changed_added = added;
}

static void
test_order_and_bound (void)
{
  g_autoptr (EwnHistory) history = ewn_history_new (3);
  g_autoptr (EwnHistoryEntry) first = NULL;
  guint ids[5];

  g_signal_connect (history, "items-changed", G_CALLBACK (on_items_changed), NULL);
  for (int i = 0; i < 5; i++)
    {
      g_autoptr (EwnChange) change = meeting_change (i % 2 == 0 ? "even" : "odd", 10 + i);

      ids[i] = ewn_history_entry_get_id (ewn_history_add (history, change));
    }

  /* Newest first, at most three kept, ids unique. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 3);
  g_assert_cmpuint (changed_position, ==, 3);
  g_assert_cmpuint (changed_removed, ==, 1);
  first = g_list_model_get_item (G_LIST_MODEL (history), 0);
  g_assert_cmpuint (ewn_history_entry_get_id (first), ==, ids[4]);
  g_assert_nonnull (ewn_history_lookup (history, ids[2]));
  g_assert_null (ewn_history_lookup (history, ids[1]));
  g_assert_cmpuint (ids[0], !=, ids[1]);

  /* One item's history, oldest first. */
  {
    g_autoptr (GPtrArray) even = ewn_history_dup_for_item (history, "even");

    g_assert_cmpuint (even->len, ==, 2);
    g_assert_cmpuint (ewn_history_entry_get_id (g_ptr_array_index (even, 0)), ==, ids[2]);
    g_assert_cmpuint (ewn_history_entry_get_id (g_ptr_array_index (even, 1)), ==, ids[4]);
  }

  g_assert_cmpuint (ewn_history_get_unseen (history), ==, 5);
  ewn_history_mark_seen (history);
  g_assert_cmpuint (ewn_history_get_unseen (history), ==, 0);

  ewn_history_set_max_size (history, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 1);
}

/* Three changes, one of another account; returns the file they were saved to. */
static char *
saved_history (EwnHistory **out)
{
  g_autoptr (EwnHistory) history = ewn_history_new (10);
  g_autoptr (GError) error = NULL;
  char             *path = g_build_filename (g_get_user_state_dir (), "ews-notifier", "history", NULL);
  const char *const accounts[] = { "alice@example.com", NULL };

  for (int i = 0; i < 3; i++)
    {
      g_autoptr (EwnChange) change = meeting_change (i == 1 ? "other" : "mine", 11 + i);

      ewn_change_set_origin (change, i == 1 ? "bob@example.com" : "alice@example.com", i == 2 ? "team@example.com" : NULL,
                             "calendar-folder", EWS_FOLDER_KIND_CALENDAR);
      ewn_history_add (history, change);
    }
  /* The file's directory does not exist yet. */
  g_assert_true (ewn_history_save (history, path, accounts, &error));
  g_assert_no_error (error);
  *out = g_steal_pointer (&history);
  return path;
}

static EwnHistoryEntry *
nth_entry (EwnHistory *history,
           guint       position)
{
  EwnHistoryEntry *entry = g_list_model_get_item (G_LIST_MODEL (history), position);

  g_object_unref (entry); /* the history holds it */
  return entry;
}

static void
test_save_and_load (void)
{
  g_autoptr (EwnHistory) saved = NULL;
  g_autofree char *path = saved_history (&saved);
  g_autoptr (EwnHistory) loaded = ewn_history_new (10);
  g_autoptr (GError) error = NULL;
  GStatBuf info;

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpuint (info.st_mode & 0777, ==, 0600);

  g_assert_true (ewn_history_load (loaded, path, &error));
  g_assert_no_error (error);
  /* bob's change was not saved; the order stays newest first. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      EwnHistoryEntry *was = nth_entry (saved, i == 0 ? 0 : 2);
      EwnHistoryEntry *is = nth_entry (loaded, i);
      const EwnChange *a = ewn_history_entry_get_change (was);
      const EwnChange *b = ewn_history_entry_get_change (is);

      g_assert_cmpint (b->kind, ==, EWN_CHANGE_RESCHEDULED);
      g_assert_cmpint (b->kind, ==, a->kind);
      g_assert_cmpstr (b->account, ==, "alice@example.com");
      g_assert_cmpstr (b->mailbox, ==, a->mailbox);
      g_assert_cmpstr (b->folder_id, ==, "calendar-folder");
      g_assert_cmpint (b->folder_kind, ==, EWS_FOLDER_KIND_CALENDAR);
      g_assert_cmpint (b->time, ==, a->time);
      g_assert_true (g_date_time_equal (ewn_history_entry_get_seen (is), ewn_history_entry_get_seen (was)));
      g_assert_cmpstr (b->before->id, ==, "mine");
      g_assert_cmpstr (b->after->subject, ==, "Standup");
      g_assert_cmpint (b->before->start, ==, a->before->start);
      g_assert_cmpint (b->after->start, ==, a->after->start);
      g_assert_cmpstr (ewn_history_entry_get_item_id (is), ==, "mine");
    }
  g_assert_cmpstr (ewn_history_entry_get_change (nth_entry (loaded, 0))->mailbox, ==, "team@example.com");
  /* Loaded changes were looked at before; the ids are this run's. */
  g_assert_cmpuint (ewn_history_get_unseen (loaded), ==, 0);
  g_assert_true (nth_entry (loaded, 0) == ewn_history_lookup (loaded, ewn_history_entry_get_id (nth_entry (loaded, 0))));

  /* Nothing to keep (only a temporary account's changes): no file is made. */
  {
    g_autofree char  *none = g_build_filename (g_get_user_state_dir (), "none", "history", NULL);
    const char *const nobody[] = { "carol@example.com", NULL };

    g_assert_true (ewn_history_save (saved, none, nobody, &error));
    g_assert_no_error (error);
    g_assert_false (g_file_test (none, G_FILE_TEST_EXISTS));
  }

  /* A smaller history keeps the newest. */
  {
    g_autoptr (EwnHistory) small = ewn_history_new (1);

    g_assert_true (ewn_history_load (small, path, &error));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (small)), ==, 1);
    g_assert_cmpstr (ewn_history_entry_get_change (nth_entry (small, 0))->mailbox, ==, "team@example.com");
  }
}

static void
test_missing_and_damaged (void)
{
  g_autoptr (EwnHistory) saved = NULL;
  g_autofree char *path = saved_history (&saved);
  g_autofree char *contents = NULL;
  gsize            length;
  struct
  {
    const char *what;
    guint       n_read; /* entries that survive */
  } cases[] = {
    { "cut in the second entry", 1 },
    { "a byte turned in the second entry", 1 },
    { "a bad first line", 0 },
    { "empty", 0 },
  };

  {
    g_autoptr (EwnHistory) none = ewn_history_new (10);
    g_autofree char *missing = g_build_filename (g_get_user_state_dir (), "no-such-history", NULL);
    g_autoptr (GError) error = NULL;

    g_assert_true (ewn_history_load (none, missing, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (none)), ==, 0);
  }

  /* Whole and checksummed, yet not a change that can be told: a reschedule without
   * the version before it (another version's file, a bug) is refused, not shown. */
  {
    g_autoptr (EwnHistory) odd = ewn_history_new (10);
    g_autoptr (EwnHistory) loaded = ewn_history_new (10);
    g_autoptr (EwnChange) sound = meeting_change ("mine", 12);
    g_autoptr (EwnChange) half = ewn_change_new (EWN_CHANGE_RESCHEDULED, NULL, sound->after);
    g_autofree char *odd_path = g_build_filename (g_get_user_state_dir (), "odd", "history", NULL);
    g_autoptr (GError) error = NULL;

    ewn_history_add (odd, half);
    ewn_history_add (odd, sound);
    g_assert_true (ewn_history_save (odd, odd_path, NULL, &error));
    g_assert_false (ewn_history_load (loaded, odd_path, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 1);
    g_assert_nonnull (ewn_history_entry_get_change (nth_entry (loaded, 0))->before);
  }

  /* Far larger than any history: not read at all. */
  {
    g_autoptr (EwnHistory) loaded = ewn_history_new (10);
    g_autofree char *big = g_build_filename (g_get_user_state_dir (), "big-history", NULL);
    g_autoptr (GError) error = NULL;
    FILE *file = fopen (big, "w");

    g_assert_nonnull (file);
    g_assert_cmpint (fputs ("EWNH1\n", file), >=, 0);
    g_assert_cmpint (fseek (file, 65 * 1024 * 1024, SEEK_SET), ==, 0);
    g_assert_cmpint (fputc ('x', file), ==, 'x');
    g_assert_cmpint (fclose (file), ==, 0);
    g_assert_false (ewn_history_load (loaded, big, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 0);
  }

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (EwnHistory) loaded = ewn_history_new (10);
      g_autoptr (GError) error = NULL;
      g_autofree char *damaged = g_memdup2 (contents, length);
      gsize            damaged_length = length;

      g_test_message ("%s", cases[i].what);
      if (i == 0)
        damaged_length = length - 10;
      else if (i == 1)
        damaged[length - 20] ^= 0x20;
      else if (i == 2)
        damaged[0] = 'X';
      else
        damaged_length = 0;
      g_assert_true (g_file_set_contents (path, damaged, (gssize)damaged_length, NULL));

      g_assert_false (ewn_history_load (loaded, path, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, cases[i].n_read);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/history/order-and-bound", test_order_and_bound);
  g_test_add_func ("/history/save-and-load", test_save_and_load);
  g_test_add_func ("/history/missing-and-damaged", test_missing_and_damaged);

  return g_test_run ();
}
