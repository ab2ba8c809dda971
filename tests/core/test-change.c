/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <locale.h>

#include "ewn-change.h"

static gint64
utc (int hour,
     int minute)
{
  return ews_time_new_utc (2026, 11, 23, hour, minute, 0);
}

static EwsItem *
meeting (const char *subject,
         int         start_hour,
         const char *location)
{
  EwsItem *item = ews_item_new (EWS_ITEM_KIND_CALENDAR);

  item->id = g_strdup ("AAMkAD-meeting");
  item->subject = g_strdup (subject);
  item->start = utc (start_hour, 0);
  item->end = utc (start_hour + 1, 0);
  item->location = g_strdup (location);
  return item;
}

static EwsItem *
task (const char   *subject,
      EwsTaskStatus status,
      int           percent)
{
  EwsItem *item = ews_item_new (EWS_ITEM_KIND_TASK);

  item->id = g_strdup ("AAMkAD-task");
  item->subject = g_strdup (subject);
  item->status = status;
  item->percent_complete = percent;
  item->is_complete = status == EWS_TASK_STATUS_COMPLETED;
  item->due_date = ews_time_new_utc (2026, 11, 27, 0, 0, 0);
  return item;
}

static void
test_calendar_kinds (void)
{
  g_autoptr (EwsItem) before = meeting ("Design review", 10, "Room A");
  g_autoptr (EwsItem) moved = meeting ("Design review", 11, "Room A");
  g_autoptr (EwsItem) relocated = meeting ("Design review", 10, "Room B");
  g_autoptr (EwsItem) cancelled = meeting ("Design review", 11, "Room A");
  g_autoptr (EwsItem) renamed = meeting ("Design review (v2)", 10, "Room A");
  g_autoptr (EwnChange) created = ewn_change_compute (NULL, before);
  g_autoptr (EwnChange) rescheduled = ewn_change_compute (before, moved);
  g_autoptr (EwnChange) room = ewn_change_compute (before, relocated);
  g_autoptr (EwnChange) cancel = NULL;
  g_autoptr (EwnChange) updated = ewn_change_compute (before, renamed);
  g_autoptr (EwnChange) deleted = ewn_change_compute (before, NULL);
  g_autoptr (EwnChange) same = ewn_change_compute (before, before);

  cancelled->is_cancelled = TRUE;
  cancel = ewn_change_compute (before, cancelled);

  g_assert_cmpint (created->kind, ==, EWN_CHANGE_CREATED);
  g_assert_null (created->before);
  g_assert_cmpint (rescheduled->kind, ==, EWN_CHANGE_RESCHEDULED);
  g_assert_cmpint (rescheduled->before->start, ==, before->start);
  g_assert_cmpint (rescheduled->after->start, ==, moved->start);
  g_assert_cmpint (room->kind, ==, EWN_CHANGE_RELOCATED);
  /* cancelled wins over the time change that came with it */
  g_assert_cmpint (cancel->kind, ==, EWN_CHANGE_CANCELLED);
  g_assert_cmpint (updated->kind, ==, EWN_CHANGE_UPDATED);
  g_assert_cmpint (deleted->kind, ==, EWN_CHANGE_DELETED);
  g_assert_null (deleted->after);
  g_assert_null (same);

  g_assert_cmpstr (ewn_change_kind_to_string (rescheduled->kind), ==, "rescheduled");
  g_assert_cmpstr (ewn_change_kind_to_string (room->kind), ==, "relocated");
}

static void
test_task_kinds (void)
{
  g_autoptr (EwsItem) open = task ("Budget", EWS_TASK_STATUS_NOT_STARTED, 0);
  g_autoptr (EwsItem) progress = task ("Budget", EWS_TASK_STATUS_IN_PROGRESS, 50);
  g_autoptr (EwsItem) done = task ("Budget", EWS_TASK_STATUS_COMPLETED, 100);
  g_autoptr (EwsItem) later = task ("Budget", EWS_TASK_STATUS_NOT_STARTED, 0);
  g_autoptr (EwnChange) c1 = ewn_change_compute (NULL, open);
  g_autoptr (EwnChange) c2 = ewn_change_compute (open, progress);
  g_autoptr (EwnChange) c3 = ewn_change_compute (progress, done);
  g_autoptr (EwnChange) c4 = ewn_change_compute (done, progress);
  g_autoptr (EwnChange) c5 = NULL;
  g_autoptr (EwnChange) c6 = ewn_change_compute (open, NULL);

  later->due_date = ews_time_new_utc (2026, 12, 4, 0, 0, 0);
  c5 = ewn_change_compute (open, later);

  g_assert_cmpint (c1->kind, ==, EWN_CHANGE_TASK_CREATED);
  g_assert_cmpint (c2->kind, ==, EWN_CHANGE_TASK_PROGRESS);
  g_assert_cmpint (c3->kind, ==, EWN_CHANGE_TASK_COMPLETED);
  g_assert_cmpint (c4->kind, ==, EWN_CHANGE_TASK_REOPENED);
  g_assert_cmpint (c5->kind, ==, EWN_CHANGE_TASK_DUE_CHANGED);
  g_assert_cmpint (c6->kind, ==, EWN_CHANGE_TASK_DELETED);
  g_assert_cmpstr (ewn_change_kind_to_string (c5->kind), ==, "task-due-changed");
}

static void
test_summaries (void)
{
  g_autoptr (EwsItem) before = meeting ("Design review", 10, "Room A");
  g_autoptr (EwsItem) moved = meeting ("Design review", 11, "Room A");
  g_autoptr (EwsItem) relocated = meeting ("Design review", 10, "Room B");
  g_autoptr (EwsItem) open = task ("Budget", EWS_TASK_STATUS_IN_PROGRESS, 50);
  g_autoptr (EwsItem) done = task ("Budget", EWS_TASK_STATUS_COMPLETED, 100);
  g_autoptr (EwnChange) rescheduled = ewn_change_compute (before, moved);
  g_autoptr (EwnChange) room = ewn_change_compute (before, relocated);
  g_autoptr (EwnChange) completed = ewn_change_compute (open, done);
  g_autofree char *s1 = ewn_change_dup_summary (rescheduled);
  g_autofree char *s2 = ewn_change_dup_summary (room);
  g_autofree char *s3 = ewn_change_dup_summary (completed);

  /* TZ=UTC is set in main(), so local time is UTC here */
  g_assert_cmpstr (s1, ==, "Design review moved 10:00 → 11:00");
  g_assert_cmpstr (s2, ==, "Design review moved from Room A to Room B");
  g_assert_cmpstr (s3, ==, "Task ‘Budget’ completed");
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/change/calendar-kinds", test_calendar_kinds);
  g_test_add_func ("/core/change/task-kinds", test_task_kinds);
  g_test_add_func ("/core/change/summaries", test_summaries);

  return g_test_run ();
}
