/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* One account watching many mailboxes on one connection: 80 shared calendars with a
 * fault in the middle, a meeting moved between two watched calendars, and the limit
 * of 200 subscriptions per connection. */

#include "config.h"

#include <string.h>

#include "account-fixture.h"

#define N_MAILBOXES 80

static gboolean
one_stream (Fixture *fixture)
{
  return is_streaming (fixture) && ews_simulator_get_n_streams (fixture->simulator) == 1;
}

static gboolean
in_error (Fixture *fixture)
{
  return ewn_account_get_state (fixture->account) == EWN_ACCOUNT_STATE_ERROR;
}

/* Alice watches her own mailbox and 79 others; each gets a meeting, the stream is cut
 * half-way, and each gets another. */
static void
test_eighty_mailboxes (Fixture      *fixture,
                       gconstpointer data)
{
  g_autoptr (GPtrArray) shared = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) mailbox_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 1; i < N_MAILBOXES; i++)
    {
      g_autofree char *name = g_strdup_printf ("room%02u", i);

      ews_simulator_add_user (fixture->simulator, name, "unused");
      g_ptr_array_add (shared, g_strdup_printf ("%s@example.com", name));
    }
  g_ptr_array_add (shared, NULL);

  fixture_new_account (fixture, (const char *const *)shared->pdata);
  ewn_account_start (fixture->account);
  wait_until (fixture, one_stream);
  /* One subscription per mailbox, all on one connection. */
  g_assert_cmpuint (ews_simulator_get_n_subscriptions (fixture->simulator), ==, N_MAILBOXES);

  for (guint round = 0; round < 2; round++)
    {
      for (guint i = 0; i < N_MAILBOXES; i++)
        {
          const char      *mailbox = i == 0 ? ALICE : g_ptr_array_index (shared, i - 1);
          g_autofree char *subject = g_strdup_printf ("Round %u in %s", round, mailbox);
          g_autofree char *id = create_meeting_in (fixture, mailbox, subject, 8 + (int)round);

          expect (fixture, "created", id);
          g_hash_table_insert (mailbox_of, g_strdup (id), g_strdup (mailbox));
          if (round == 0 && i == N_MAILBOXES / 2)
            ews_simulator_inject_fault (fixture->simulator, EWS_SIM_FAULT_DROP_STREAM, 0);
        }
      wait_until (fixture, has_expected);
    }
  assert_exact (fixture);

  /* Every record names the mailbox its meeting is in. */
  for (guint i = 0; i < fixture->records->len; i++)
    {
      const EwnChange *change = g_ptr_array_index (fixture->records, i);

      g_assert_cmpstr (change->mailbox, ==, g_hash_table_lookup (mailbox_of, change->after->id));
      g_assert_cmpint (change->folder_kind, ==, EWS_FOLDER_KIND_CALENDAR);
    }
  g_assert_cmpuint (ews_simulator_get_n_streams (fixture->simulator), <=, 1);
}

/* A meeting moved from Alice's calendar to Bob's, both watched — live, or while the
 * app was closed: one item that moved, not a deletion and a creation; a later change
 * to it is one record, with its old and new times and its new mailbox. */
static void
test_move_between_watched (Fixture      *fixture,
                           gconstpointer data)
{
  gboolean         while_closed = GPOINTER_TO_INT (data);
  const char      *mailboxes[] = { BOB, NULL };
  g_autofree char *id = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *mark_alice = NULL;
  g_autofree char *mark_bob = NULL;
  const EwnChange *change;

  g_free (create_meeting (fixture, "Existing", 8));
  fixture_new_account (fixture, mailboxes);
  ewn_account_start (fixture->account);
  wait_until (fixture, is_streaming);

  id = create_meeting (fixture, "Handover", 9);
  expect (fixture, "created", id);
  wait_until (fixture, has_expected);

  if (while_closed)
    fixture_stop_account (fixture);
  new_id = move_item (fixture, id, "calendar", BOB);
  g_assert_cmpstr (new_id, !=, id);
  if (while_closed)
    {
      fixture_new_account (fixture, NULL);
      ewn_account_start (fixture->account);
    }

  /* Both calendars have certainly been synced past the move once these show up. */
  mark_alice = create_meeting (fixture, "Marker", 10);
  mark_bob = create_meeting_in (fixture, BOB, "Bob's marker", 11);
  expect (fixture, "created", mark_alice);
  expect (fixture, "created", mark_bob);
  wait_until (fixture, has_expected);

  reschedule (fixture, new_id, "2026-11-25T14:00:00Z");
  expect (fixture, "rescheduled", new_id);
  assert_exact (fixture);

  change = find_record (fixture, "rescheduled", new_id);
  g_assert_cmpint (ews_sim_utc_hour (change->before->start), ==, 9);
  g_assert_cmpint (ews_sim_utc_hour (change->after->start), ==, 14);
  g_assert_cmpstr (change->mailbox, ==, BOB);
}

static void
test_too_many_mailboxes (Fixture      *fixture,
                         gconstpointer data)
{
  g_autoptr (GPtrArray) shared = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < 200; i++)
    g_ptr_array_add (shared, g_strdup_printf ("room%03u@example.com", i));
  g_ptr_array_add (shared, NULL);

  fixture_new_account (fixture, (const char *const *)shared->pdata);
  ewn_account_start (fixture->account);
  wait_until (fixture, in_error);
  g_assert_nonnull (strstr (ewn_account_get_state_reason (fixture->account), "200"));
  g_assert_cmpuint (fixture->requests, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/account/eighty-mailboxes", Fixture, NULL, fixture_set_up, test_eighty_mailboxes, fixture_tear_down);
  g_test_add ("/account/move-between-watched/live", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up, test_move_between_watched, fixture_tear_down);
  g_test_add ("/account/move-between-watched/while-closed", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up, test_move_between_watched, fixture_tear_down);
  g_test_add ("/account/too-many-mailboxes", Fixture, NULL, fixture_set_up, test_too_many_mailboxes, fixture_tear_down);

  return g_test_run ();
}
