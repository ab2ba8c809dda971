/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include "ewn-history.h"

static EwnChange *
meeting_change (const char *id,
                int         hour)
{
  g_autoptr (EwsItem) before = ews_item_new (EWS_ITEM_KIND_CALENDAR);
  g_autoptr (EwsItem) after = NULL;

  before->id = g_strdup (id);
  before->subject = g_strdup ("Standup");
  before->start = g_date_time_new_utc (2026, 11, 24, 9, 0, 0);
  before->end = g_date_time_new_utc (2026, 11, 24, 10, 0, 0);
  after = ews_item_copy (before);
  g_date_time_unref (after->start);
  after->start = g_date_time_new_utc (2026, 11, 24, hour, 0, 0);
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/history/order-and-bound", test_order_and_bound);

  return g_test_run ();
}
