/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <time.h>

#include "ewn-change-text.h"

static EwsItem *
meeting (const char *subject,
         int         day,
         int         hour,
         const char *location)
{
  EwsItem *item = ews_item_new (EWS_ITEM_KIND_CALENDAR);

  item->id = g_strdup ("AAMkAD-meeting");
  item->subject = g_strdup (subject);
  item->start = ews_time_new_utc (2026, 11, day, hour, 0, 0);
  item->end = item->start + G_TIME_SPAN_HOUR;
  item->location = g_strdup (location);
  item->last_modified_name = g_strdup ("Ana Lopez");
  return item;
}

static EwsItem *
task (const char   *subject,
      int           due_day,
      EwsTaskStatus status)
{
  EwsItem *item = ews_item_new (EWS_ITEM_KIND_TASK);

  item->id = g_strdup ("AAMkAD-task");
  item->subject = g_strdup (subject);
  item->due_date = ews_time_new_utc (2026, 11, due_day, 0, 0, 0);
  item->status = status;
  item->last_modified_name = g_strdup ("Ana Lopez");
  return item;
}

static void
assert_headline (EwsItem    *before,
                 EwsItem    *after,
                 const char *expected)
{
  g_autoptr (EwnChange) change = ewn_change_compute (before, after);
  g_autofree char *headline = NULL;

  g_assert_nonnull (change);
  headline = ewn_change_dup_headline (change);
  g_assert_cmpstr (headline, ==, expected);
}

static void
test_calendar (void)
{
  g_autoptr (EwsItem) review = meeting ("Design review", 26, 10, "Room 1");
  g_autoptr (EwsItem) later = meeting ("Design review", 26, 11, "Room 1");
  g_autoptr (EwsItem) next_day = meeting ("Design review", 27, 9, "Room 1");
  g_autoptr (EwsItem) elsewhere = meeting ("Design review", 26, 10, "Room 2");
  g_autoptr (EwsItem) cancelled = meeting ("Budget review", 26, 10, "Room 1");

  cancelled->is_cancelled = TRUE;
  assert_headline (NULL, review, "New: Design review on Thu 10:00–11:00");
  assert_headline (review, later, "Design review moved to Thu 11:00–12:00 (was 10:00)");
  assert_headline (review, next_day, "Design review moved to Fri 09:00–10:00 (was Thu 26 Nov 10:00)");
  assert_headline (review, elsewhere, "Design review moved to Room 2 (was Room 1)");
  g_free (review->subject);
  review->subject = g_strdup ("Budget review");
  assert_headline (review, cancelled, "Budget review cancelled by Ana Lopez");
  assert_headline (review, NULL, "Budget review removed from the calendar");
}

static void
test_tasks (void)
{
  g_autoptr (EwsItem) open = task ("Q3 report", 27, EWS_TASK_STATUS_NOT_STARTED);
  g_autoptr (EwsItem) later = task ("Q3 report", 28, EWS_TASK_STATUS_NOT_STARTED);
  g_autoptr (EwsItem) done = task ("Q3 report", 27, EWS_TASK_STATUS_COMPLETED);

  done->is_complete = TRUE;
  done->percent_complete = 100;
  assert_headline (NULL, open, "New task ‘Q3 report’, due Fri 27 Nov");
  assert_headline (open, later, "Task ‘Q3 report’ due date changed to Sat 28 Nov");
  assert_headline (open, done, "Task ‘Q3 report’ completed");
}

static void
test_details_and_weight (void)
{
  g_autoptr (EwsItem) review = meeting ("Design review", 26, 10, "Room 1");
  g_autoptr (EwsItem) later = meeting ("Design review", 26, 11, "Room 1");
  g_autoptr (EwsItem) cancelled = meeting ("Design review", 26, 10, "Room 1");
  g_autoptr (EwnChange) moved = ewn_change_compute (review, later);
  g_autoptr (EwnChange) cancel = NULL;
  g_autoptr (GDateTime) day_before = g_date_time_new_utc (2026, 11, 25, 12, 0, 0);
  g_autoptr (GDateTime) week_before = g_date_time_new_utc (2026, 11, 19, 12, 0, 0);
  g_autofree char *details = NULL;
  g_autofree char *shared = NULL;

  ewn_change_set_origin (moved, "work", "team@example.com", "folder", EWS_FOLDER_KIND_CALENDAR);
  details = ewn_change_dup_details (moved, FALSE);
  g_assert_cmpstr (details, ==, "By Ana Lopez\nRoom 1");
  shared = ewn_change_dup_details (moved, TRUE);
  g_assert_cmpstr (shared, ==, "By Ana Lopez\nRoom 1\nIn the calendar of team@example.com");

  cancelled->is_cancelled = TRUE;
  cancel = ewn_change_compute (review, cancelled);
  g_assert_true (ewn_change_is_urgent (cancel, day_before));
  g_assert_false (ewn_change_is_urgent (cancel, week_before));
  g_assert_false (ewn_change_is_urgent (moved, day_before));
  g_assert_false (ewn_change_is_minor (moved));
}

int
main (int   argc,
      char *argv[])
{
  /* Times are shown in the local zone: make it known. */
  g_setenv ("TZ", "UTC", TRUE);
  tzset ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/change-text/calendar", test_calendar);
  g_test_add_func ("/change-text/tasks", test_tasks);
  g_test_add_func ("/change-text/details-and-weight", test_details_and_weight);

  return g_test_run ();
}
