/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <glib/gi18n.h>

#include "ewn-change.h"

G_DEFINE_BOXED_TYPE (EwnChange, ewn_change, ewn_change_copy, ewn_change_free)

EwnChange *
ewn_change_new (EwnChangeKind  kind,
                const EwsItem *before,
                const EwsItem *after)
{
  EwnChange *change = g_new0 (EwnChange, 1);

  change->kind = kind;
  change->before = before != NULL ? ews_item_copy (before) : NULL;
  change->after = after != NULL ? ews_item_copy (after) : NULL;
  change->time = g_get_real_time ();
  return change;
}

EwnChange *
ewn_change_copy (const EwnChange *change)
{
  EwnChange *copy;

  g_return_val_if_fail (change != NULL, NULL);

  copy = ewn_change_new (change->kind, change->before, change->after);
  ewn_change_set_origin (copy, change->account, change->mailbox, change->folder_id, change->folder_kind);
  copy->time = change->time;
  return copy;
}

/**
 * ewn_change_set_origin:
 * @change: an #EwnChange
 * @account: (nullable): the account id
 * @mailbox: (nullable): the mailbox address, NULL for the account's own
 * @folder_id: (nullable): the watched folder's FolderId
 * @folder_kind: calendar or tasks
 *
 * Records where the change was seen.
 */
void
ewn_change_set_origin (EwnChange    *change,
                       const char   *account,
                       const char   *mailbox,
                       const char   *folder_id,
                       EwsFolderKind folder_kind)
{
  g_return_if_fail (change != NULL);

  g_free (change->account);
  g_free (change->mailbox);
  g_free (change->folder_id);
  change->account = g_strdup (account);
  change->mailbox = g_strdup (mailbox);
  change->folder_id = g_strdup (folder_id);
  change->folder_kind = folder_kind;
}

void
ewn_change_free (EwnChange *change)
{
  if (change == NULL)
    return;

  g_clear_pointer (&change->before, ews_item_free);
  g_clear_pointer (&change->after, ews_item_free);
  g_free (change->account);
  g_free (change->mailbox);
  g_free (change->folder_id);
  g_free (change);
}

/* The meaning of the delta between two versions; FALSE when nothing a person would
 * notice changed. */
static gboolean
compute_kind (const EwsItem *before,
              const EwsItem *after,
              EwnChangeKind *kind)
{
  const EwsItem *item = after != NULL ? after : before;
  gboolean       is_task = item->kind == EWS_ITEM_KIND_TASK;

  if (before == NULL)
    *kind = is_task ? EWN_CHANGE_TASK_CREATED : EWN_CHANGE_CREATED;
  else if (after == NULL)
    *kind = is_task ? EWN_CHANGE_TASK_DELETED : EWN_CHANGE_DELETED;
  else if (is_task)
    {
      gboolean was_complete = before->is_complete || before->status == EWS_TASK_STATUS_COMPLETED;
      gboolean is_complete = after->is_complete || after->status == EWS_TASK_STATUS_COMPLETED;

      if (!was_complete && is_complete)
        *kind = EWN_CHANGE_TASK_COMPLETED;
      else if (was_complete && !is_complete)
        *kind = EWN_CHANGE_TASK_REOPENED;
      else if (before->due_date != after->due_date)
        *kind = EWN_CHANGE_TASK_DUE_CHANGED;
      else if (before->percent_complete != after->percent_complete || before->status != after->status)
        *kind = EWN_CHANGE_TASK_PROGRESS;
      else if (g_strcmp0 (before->subject, after->subject) != 0)
        *kind = EWN_CHANGE_TASK_UPDATED;
      else
        return FALSE;
    }
  else if (!before->is_cancelled && after->is_cancelled)
    *kind = EWN_CHANGE_CANCELLED;
  else if (before->start != after->start || before->end != after->end)
    *kind = EWN_CHANGE_RESCHEDULED;
  else if (g_strcmp0 (before->location, after->location) != 0)
    *kind = EWN_CHANGE_RELOCATED;
  else if (g_strcmp0 (before->subject, after->subject) != 0 || before->is_all_day != after->is_all_day || before->is_cancelled != after->is_cancelled || g_strcmp0 (before->organizer_email, after->organizer_email) != 0)
    *kind = EWN_CHANGE_UPDATED;
  else
    return FALSE;
  return TRUE;
}

/**
 * ewn_change_compute:
 * @before: (nullable): the last known version of the item
 * @after: (nullable): the version the server has now
 *
 * Gives the delta between two versions its meaning. A delta that changes several
 * things gets the most important meaning (cancelled before rescheduled before moved
 * to another place); the two versions carry every changed field.
 *
 * Returns: (transfer full) (nullable): the change, or %NULL when nothing a person
 *   would notice changed
 */
EwnChange *
ewn_change_compute (const EwsItem *before,
                    const EwsItem *after)
{
  EwnChangeKind kind;

  g_return_val_if_fail (before != NULL || after != NULL, NULL);

  if (!compute_kind (before, after, &kind))
    return NULL;
  return ewn_change_new (kind, before, after);
}

/**
 * ewn_change_compute_take:
 * @before: (nullable) (transfer full): the last known version of the item
 * @after: (nullable) (transfer full): the version the server has now
 *
 * As ewn_change_compute(), keeping the two versions instead of copies (freeing them
 * when nothing changed).
 *
 * Returns: (transfer full) (nullable): the change
 */
EwnChange *
ewn_change_compute_take (EwsItem *before,
                         EwsItem *after)
{
  EwnChange    *change;
  EwnChangeKind kind;

  g_return_val_if_fail (before != NULL || after != NULL, NULL);

  if (!compute_kind (before, after, &kind))
    {
      g_clear_pointer (&before, ews_item_free);
      g_clear_pointer (&after, ews_item_free);
      return NULL;
    }
  change = g_new0 (EwnChange, 1);
  change->kind = kind;
  change->before = before;
  change->after = after;
  change->time = g_get_real_time ();
  return change;
}

/**
 * ewn_change_kind_to_string:
 * @kind: an #EwnChangeKind
 *
 * Returns: the stable name used in the JSON output, e.g. "rescheduled"
 */
const char *
ewn_change_kind_to_string (EwnChangeKind kind)
{
  static const char *const names[] = {
    [EWN_CHANGE_CREATED] = "created",
    [EWN_CHANGE_RESCHEDULED] = "rescheduled",
    [EWN_CHANGE_RELOCATED] = "relocated",
    [EWN_CHANGE_CANCELLED] = "cancelled",
    [EWN_CHANGE_UPDATED] = "updated",
    [EWN_CHANGE_DELETED] = "deleted",
    [EWN_CHANGE_TASK_CREATED] = "task-created",
    [EWN_CHANGE_TASK_DUE_CHANGED] = "task-due-changed",
    [EWN_CHANGE_TASK_COMPLETED] = "task-completed",
    [EWN_CHANGE_TASK_REOPENED] = "task-reopened",
    [EWN_CHANGE_TASK_PROGRESS] = "task-progress",
    [EWN_CHANGE_TASK_UPDATED] = "task-updated",
    [EWN_CHANGE_TASK_DELETED] = "task-deleted",
  };

  g_return_val_if_fail ((guint)kind < G_N_ELEMENTS (names), NULL);

  return names[kind];
}

/**
 * ewn_change_get_item:
 * @change: an #EwnChange
 *
 * Returns: (transfer none): the newest known version of the item
 */
const EwsItem *
ewn_change_get_item (const EwnChange *change)
{
  g_return_val_if_fail (change != NULL, NULL);

  return change->after != NULL ? change->after : change->before;
}

/* GLib looks the local zone up again (reading /etc/localtime) for every conversion;
 * once a minute is enough to follow a laptop across time zones. */
static GTimeZone *
local_zone (void)
{
  static GTimeZone *zone;
  static gint64     looked_up;
  gint64            now = g_get_monotonic_time ();

  if (zone == NULL || now - looked_up > 60 * G_USEC_PER_SEC)
    {
      g_clear_pointer (&zone, g_time_zone_unref);
      zone = g_time_zone_new_local ();
      looked_up = now;
    }
  return zone;
}

/**
 * ewn_local_time:
 * @date_time: (nullable): a time
 *
 * Returns: (transfer full) (nullable): @date_time in the local time zone, for people
 */
GDateTime *
ewn_local_time (GDateTime *date_time)
{
  return date_time != NULL ? g_date_time_to_timezone (date_time, local_zone ()) : NULL;
}

/**
 * ewn_local_time_at:
 * @time: an item's time, or %EWS_TIME_NONE
 *
 * Returns: (transfer full) (nullable): @time in the local time zone, for people
 */
GDateTime *
ewn_local_time_at (gint64 time)
{
  g_autoptr (GDateTime) utc = ews_time_to_date_time (time);

  return ewn_local_time (utc);
}

/**
 * ewn_format_day:
 * @time: a day, such as a task's due date, or %EWS_TIME_NONE
 *
 * Returns: (transfer full): the local day for people, "Fri 28 Nov"
 */
char *
ewn_format_day (gint64 time)
{
  g_autoptr (GDateTime) local = ewn_local_time_at (time);

  if (local == NULL)
    return g_strdup (_("no date"));
  /* Translators: a task's due date, see g_date_time_format() */
  return g_date_time_format (local, _("%a %e %b"));
}

static char *
format_time (gint64 time,
             gint64 reference)
{
  g_autoptr (GDateTime) local = NULL;
  g_autoptr (GDateTime) local_reference = NULL;

  local = ewn_local_time_at (time);
  if (local == NULL)
    return g_strdup (_("no time"));
  local_reference = ewn_local_time_at (reference);

  /* Only say the day when it is not the same day as the other end of the change. */
  if (local_reference != NULL && g_date_time_get_year (local) == g_date_time_get_year (local_reference) && g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (local_reference))
    return g_date_time_format (local, "%H:%M");

  /* Translators: a date and time in a change summary, see g_date_time_format() */
  return g_date_time_format (local, _("%a %e %b %H:%M"));
}

/**
 * ewn_change_dup_summary:
 * @change: an #EwnChange
 *
 * Returns: (transfer full): one line for a person, e.g. "Design review moved 10:00 → 11:00"
 */
char *
ewn_change_dup_summary (const EwnChange *change)
{
  const EwsItem *item;
  const char    *subject;

  g_return_val_if_fail (change != NULL, NULL);

  item = ewn_change_get_item (change);
  subject = item->subject != NULL && *item->subject != '\0' ? item->subject : _("(no subject)");

  switch (change->kind)
    {
    case EWN_CHANGE_CREATED:
      {
        g_autofree char *start = format_time (item->start, EWS_TIME_NONE);

        return g_strdup_printf (_("New: %s on %s"), subject, start);
      }
    case EWN_CHANGE_RESCHEDULED:
      {
        g_autofree char *old_start = format_time (change->before->start, change->after->start);
        g_autofree char *new_start = format_time (change->after->start, change->before->start);

        if (change->before->start == change->after->start)
          {
            g_autofree char *old_end = format_time (change->before->end, change->after->end);
            g_autofree char *new_end = format_time (change->after->end, change->before->end);

            return g_strdup_printf (_("%s now ends %s → %s"), subject, old_end, new_end);
          }
        return g_strdup_printf (_("%s moved %s → %s"), subject, old_start, new_start);
      }
    case EWN_CHANGE_RELOCATED:
      return g_strdup_printf (_("%s moved from %s to %s"), subject,
                                 change->before->location != NULL && *change->before->location ? change->before->location : _("no place"), change->after->location != NULL && *change->after->location ? change->after->location : _("no place"));
    case EWN_CHANGE_CANCELLED:
      return g_strdup_printf (_("%s cancelled"), subject);
    case EWN_CHANGE_UPDATED:
      return g_strdup_printf (_("%s updated"), subject);
    case EWN_CHANGE_DELETED:
      return g_strdup_printf (_("%s deleted"), subject);
    case EWN_CHANGE_TASK_CREATED:
      return g_strdup_printf (_("New task ‘%s’"), subject);
    case EWN_CHANGE_TASK_DUE_CHANGED:
      {
        g_autofree char *old_due = ewn_format_day (change->before->due_date);
        g_autofree char *new_due = ewn_format_day (change->after->due_date);

        return g_strdup_printf (_("Task ‘%s’ due %s → %s"), subject, old_due, new_due);
      }
    case EWN_CHANGE_TASK_COMPLETED:
      return g_strdup_printf (_("Task ‘%s’ completed"), subject);
    case EWN_CHANGE_TASK_REOPENED:
      return g_strdup_printf (_("Task ‘%s’ reopened"), subject);
    case EWN_CHANGE_TASK_PROGRESS:
      return g_strdup_printf (_("Task ‘%s’ %d%% → %d%%"), subject,
                                 MAX (change->before->percent_complete, 0),
                                 MAX (change->after->percent_complete, 0));
    case EWN_CHANGE_TASK_UPDATED:
      return g_strdup_printf (_("Task ‘%s’ updated"), subject);
    case EWN_CHANGE_TASK_DELETED:
      return g_strdup_printf (_("Task ‘%s’ deleted"), subject);
    default:
      g_assert_not_reached ();
    }
}
