/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-sim-demo"

#include "config.h"

#include <stdio.h>

#include "ews-sim-demo.h"

#include "ews-sim-colleague.h"

/* The scripted colleague of `ews-simulator --demo`: every few seconds one
 * believable change to the first user's calendar or task list, through EWS. */

static const char *const meeting_subjects[] = {
  "Design review",
  "Budget",
  "Sprint planning",
  "1:1 with Alex",
  "Release retrospective",
  "Customer call: Contoso",
  "Architecture sync",
  "Hiring panel",
  "Quarterly business review",
};
static const char *const rooms[] = {
  "Room 2.17",
  "Room 4.02 (Zürich)",
  "Big meeting room",
  "Video call",
  "Cafeteria corner",
  "Room 1.05",
};
static const char *const task_subjects[] = {
  "Submit expense report",
  "Review the budget draft",
  "Prepare slides for the design review",
  "Update the onboarding wiki",
  "Answer the auditor's questions",
  "Book the offsite venue",
};

typedef struct
{
  EwsSimColleague *colleague;
  char            *mailbox;
  GPtrArray       *meetings; /* item ids */
  GPtrArray       *tasks;
  guint            step;
  guint            counter;
  guint            source;
  gboolean         busy;
} Demo;

static Demo *demo;

static GDateTime *
next_slot (guint hours_ahead,
           guint minutes)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) hour = g_date_time_new_utc (g_date_time_get_year (now), g_date_time_get_month (now),
                                                    g_date_time_get_day_of_month (now), g_date_time_get_hour (now), 0, 0);

  return g_date_time_add_minutes (hour, hours_ahead * 60 + minutes);
}

static char *
format (GDateTime *date)
{
  g_autoptr (GDateTime) utc = g_date_time_to_utc (date);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GPtrArray *list = user_data;
  g_autoptr (GError) error = NULL;
  char *id = ews_sim_colleague_create_finish (EWS_SIM_COLLEAGUE (source), result, &error);

  if (demo != NULL)
    demo->busy = FALSE;
  if (id == NULL)
    {
      g_printerr ("demo: change failed: %s\n", error->message);
      return;
    }
  g_ptr_array_add (list, id);
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (demo != NULL)
    demo->busy = FALSE;
  if (!ews_sim_colleague_finish (EWS_SIM_COLLEAGUE (source), result, &error))
    g_printerr ("demo: change failed: %s\n", error->message);
}

static void
update (const char *id,
        const char *field,
        const char *value)
{
  demo->busy = TRUE;
  ews_sim_colleague_update_async (demo->colleague, id, field, value, NULL, done_cb, NULL);
}

static const char *
pick (GPtrArray *list)
{
  return list->len > 0 ? g_ptr_array_index (list, g_random_int_range (0, list->len)) : NULL;
}

static gboolean
tick_cb (gpointer data)
{
  guint       n = demo->counter++;
  const char *meeting = pick (demo->meetings);
  const char *task = pick (demo->tasks);

  if (demo->busy)
    return G_SOURCE_CONTINUE;

  switch (demo->step++ % 10)
    {
    case 0:
    case 5:
      {
        const char *subject = meeting_subjects[n % G_N_ELEMENTS (meeting_subjects)];
        const char *room = rooms[n % G_N_ELEMENTS (rooms)];
        g_autoptr (GDateTime) start = next_slot (1 + n % 5, (n % 2) * 30);
        g_autoptr (GDateTime) end = g_date_time_add_minutes (start, 30 + (n % 3) * 30);

        g_printerr ("demo: new meeting \"%s\" in %s\n", subject, room);
        demo->busy = TRUE;
        ews_sim_colleague_create_meeting_async (demo->colleague, demo->mailbox, subject, start, end, room, NULL, created_cb, demo->meetings);
      }
      break;
    case 1:
      if (meeting != NULL)
        {
          g_autoptr (GDateTime) start = next_slot (2 + n % 4, 0);
          g_autoptr (GDateTime) end = g_date_time_add_minutes (start, 60);
          g_autofree char *start_text = format (start);
          g_autofree char *end_text = format (end);

          g_printerr ("demo: meeting rescheduled to %s\n", start_text);
          /* End first so the meeting never ends before it starts. */
          ews_sim_colleague_update_async (demo->colleague, meeting, "calendar:End", end_text, NULL, done_cb, NULL);
          update (meeting, "calendar:Start", start_text);
        }
      break;
    case 2:
      if (meeting != NULL)
        {
          const char *room = rooms[(n + 3) % G_N_ELEMENTS (rooms)];

          g_printerr ("demo: meeting moved to %s\n", room);
          update (meeting, "calendar:Location", room);
        }
      break;
    case 3:
      {
        const char *subject = task_subjects[n % G_N_ELEMENTS (task_subjects)];
        g_autoptr (GDateTime) due = next_slot (24 * (1 + n % 3), 0);

        g_printerr ("demo: new task \"%s\"\n", subject);
        demo->busy = TRUE;
        ews_sim_colleague_create_task_async (demo->colleague, demo->mailbox, subject, due, NULL, created_cb, demo->tasks);
      }
      break;
    case 4:
      if (task != NULL)
        {
          g_autoptr (GDateTime) due = next_slot (24 * (2 + n % 5), 0);
          g_autofree char *due_text = format (due);

          g_printerr ("demo: task due date changed to %s\n", due_text);
          update (task, "task:DueDate", due_text);
        }
      break;
    case 6:
      if (task != NULL)
        {
          g_printerr ("demo: task is 50%% done\n");
          ews_sim_colleague_update_async (demo->colleague, task, "task:Status", "InProgress", NULL, done_cb, NULL);
          update (task, "task:PercentComplete", "50");
        }
      break;
    case 7:
      if (meeting != NULL)
        {
          g_printerr ("demo: meeting cancelled\n");
          update (meeting, "calendar:IsCancelled", "true");
        }
      break;
    case 8:
      if (task != NULL)
        {
          g_printerr ("demo: task completed\n");
          update (task, "task:Status", "Completed");
          g_ptr_array_remove (demo->tasks, (gpointer)task);
        }
      break;
    case 9:
      if (meeting != NULL && demo->meetings->len > 2)
        {
          g_printerr ("demo: meeting deleted\n");
          demo->busy = TRUE;
          ews_sim_colleague_delete_async (demo->colleague, meeting, NULL, done_cb, NULL);
          g_ptr_array_remove (demo->meetings, (gpointer)meeting);
        }
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

void
ews_sim_demo_start (const char *url,
                    const char *user,
                    const char *password,
                    const char *mailbox,
                    guint       interval_s)
{
  g_return_if_fail (demo == NULL);

  demo = g_new0 (Demo, 1);
  demo->colleague = ews_sim_colleague_new (url, user, password);
  demo->mailbox = g_strdup (mailbox);
  demo->meetings = g_ptr_array_new_with_free_func (g_free);
  demo->tasks = g_ptr_array_new_with_free_func (g_free);
  demo->source = g_timeout_add_seconds (MAX (interval_s, 1), tick_cb, NULL);
  tick_cb (NULL);
}

void
ews_sim_demo_stop (void)
{
  if (demo == NULL)
    return;
  g_clear_handle_id (&demo->source, g_source_remove);
  g_clear_object (&demo->colleague);
  g_ptr_array_unref (demo->meetings);
  g_ptr_array_unref (demo->tasks);
  g_free (demo->mailbox);
  g_clear_pointer (&demo, g_free);
}
