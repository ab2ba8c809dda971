/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-change"

#include "config.h"

#include <glib/gi18n.h>

#include "ewn-change-text.h"

/* A change worded for a notification: a headline that says what happened and when it
 * now is ("Design review moved to Thu 11:00–12:00 (was 10:00)"), and details (who,
 * where, which mailbox). Plain text: whoever shows it escapes it for markup. Times are
 * in the local time zone. */

static gboolean
same_day (GDateTime *a,
          GDateTime *b)
{
  return a != NULL && b != NULL && g_date_time_get_year (a) == g_date_time_get_year (b) && g_date_time_get_day_of_year (a) == g_date_time_get_day_of_year (b);
}

/* "Thu 11:00–12:00", "Thu 11:00 – Fri 09:00", or "Thu 27 Nov" for a whole day. */
static char *
format_span (const EwsItem *item)
{
  g_autoptr (GDateTime) start = ewn_local_time_at (item->start);
  g_autoptr (GDateTime) end = ewn_local_time_at (item->end);
  g_autofree char *day = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  if (start == NULL)
    return g_strdup (_("no time"));
  if (item->is_all_day)
    /* Translators: an all-day event's day, see g_date_time_format() */
    return g_date_time_format (start, _("%a %e %b"));

  /* Translators: the day of a meeting, see g_date_time_format() */
  day = g_date_time_format (start, _("%a"));
  from = g_date_time_format (start, "%H:%M");
  if (end == NULL)
    return g_strdup_printf ("%s %s", day, from);
  if (same_day (start, end))
    {
      to = g_date_time_format (end, "%H:%M");
      /* Translators: day, start and end time: "Thu 11:00–12:00" */
      return g_strdup_printf (_("%s %s–%s"), day, from, to);
    }
  /* Translators: an end on another day, see g_date_time_format() */
  to = g_date_time_format (end, _("%a %H:%M"));
  return g_strdup_printf (_("%s %s – %s"), day, from, to);
}

/* The old start as short as it can be next to the new one: "10:00" or "Wed 10:00". */
static char *
format_was (gint64 old_start,
            gint64 new_start)
{
  g_autoptr (GDateTime) old_local = ewn_local_time_at (old_start);
  g_autoptr (GDateTime) new_local = ewn_local_time_at (new_start);

  if (old_local == NULL)
    return g_strdup (_("no time"));
  if (same_day (old_local, new_local))
    return g_date_time_format (old_local, "%H:%M");
  /* Translators: the former start on another day, see g_date_time_format() */
  return g_date_time_format (old_local, _("%a %e %b %H:%M"));
}

static const char *
place (const char *location)
{
  return location != NULL && *location != '\0' ? location : _("no place");
}

/**
 * ewn_change_dup_headline:
 * @change: an #EwnChange
 *
 * Returns: (transfer full): what happened, for a notification's summary
 */
char *
ewn_change_dup_headline (const EwnChange *change)
{
  const EwsItem *item;
  const char    *subject;
  const char    *who;

  g_return_val_if_fail (change != NULL, NULL);

  item = ewn_change_get_item (change);
  subject = item->subject != NULL && *item->subject != '\0' ? item->subject : _("(no subject)");
  who = item->last_modified_name;

  switch (change->kind)
    {
    case EWN_CHANGE_CREATED:
      {
        g_autofree char *when = format_span (item);

        return g_strdup_printf (_("New: %s on %s"), subject, when);
      }
    case EWN_CHANGE_RESCHEDULED:
      {
        g_autofree char *when = format_span (change->after);
        g_autofree char *was = format_was (change->before->start, change->after->start);

        return g_strdup_printf (_("%s moved to %s (was %s)"), subject, when, was);
      }
    case EWN_CHANGE_RELOCATED:
      return g_strdup_printf (_("%s moved to %s (was %s)"), subject, place (change->after->location),
                                 place (change->before->location));
    case EWN_CHANGE_CANCELLED:
      if (who != NULL)
        return g_strdup_printf (_("%s cancelled by %s"), subject, who);
      return g_strdup_printf (_("%s cancelled"), subject);
    case EWN_CHANGE_UPDATED:
      return g_strdup_printf (_("%s updated"), subject);
    case EWN_CHANGE_DELETED:
      return g_strdup_printf (_("%s removed from the calendar"), subject);
    case EWN_CHANGE_TASK_CREATED:
      if (item->due_date != EWS_TIME_NONE)
        {
          g_autofree char *due = ewn_format_day (item->due_date);

          return g_strdup_printf (_("New task ‘%s’, due %s"), subject, due);
        }
      return g_strdup_printf (_("New task ‘%s’"), subject);
    case EWN_CHANGE_TASK_DUE_CHANGED:
      {
        g_autofree char *due = ewn_format_day (change->after->due_date);

        return g_strdup_printf (_("Task ‘%s’ due date changed to %s"), subject, due);
      }
    case EWN_CHANGE_TASK_COMPLETED:
      return g_strdup_printf (_("Task ‘%s’ completed"), subject);
    case EWN_CHANGE_TASK_REOPENED:
      return g_strdup_printf (_("Task ‘%s’ reopened"), subject);
    case EWN_CHANGE_TASK_PROGRESS:
      return g_strdup_printf (_("Task ‘%s’ is %d %% done"), subject, MAX (change->after->percent_complete, 0));
    case EWN_CHANGE_TASK_UPDATED:
      return g_strdup_printf (_("Task ‘%s’ updated"), subject);
    case EWN_CHANGE_TASK_DELETED:
      return g_strdup_printf (_("Task ‘%s’ deleted"), subject);
    default:
      g_assert_not_reached ();
    }
}

/**
 * ewn_change_dup_details:
 * @change: an #EwnChange
 * @with_mailbox: whether to name the mailbox (when more than one is watched)
 *
 * Returns: (transfer full): who changed it, where and when it is, one per line
 */
char *
ewn_change_dup_details (const EwnChange *change,
                        gboolean         with_mailbox)
{
  const EwsItem *item;
  g_autoptr (GString) text = g_string_new (NULL);

  g_return_val_if_fail (change != NULL, NULL);

  item = ewn_change_get_item (change);
  if (item->last_modified_name != NULL && change->kind != EWN_CHANGE_CANCELLED)
    g_string_append_printf (text, _("By %s"), item->last_modified_name);

  if (item->kind == EWS_ITEM_KIND_CALENDAR && change->kind != EWN_CHANGE_CREATED && change->kind != EWN_CHANGE_RESCHEDULED && item->start != EWS_TIME_NONE)
    {
      g_autofree char *when = format_span (item);

      g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", when);
    }
  if (item->kind == EWS_ITEM_KIND_CALENDAR && change->kind != EWN_CHANGE_RELOCATED && item->location != NULL && *item->location != '\0')
    g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", item->location);
  if (with_mailbox && change->mailbox != NULL)
    {
      g_string_append (text, text->len > 0 ? "\n" : "");
      g_string_append_printf (text, item->kind == EWS_ITEM_KIND_TASK ? _("In the tasks of %s") : _("In the calendar of %s"), change->mailbox);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * ewn_change_is_minor:
 *
 * Returns: whether the change is of little value once seen (an update of other
 *   fields, task progress): its notification need not stay
 */
gboolean
ewn_change_is_minor (const EwnChange *change)
{
  g_return_val_if_fail (change != NULL, FALSE);

  return change->kind == EWN_CHANGE_UPDATED || change->kind == EWN_CHANGE_TASK_UPDATED || change->kind == EWN_CHANGE_TASK_PROGRESS;
}

/**
 * ewn_change_is_urgent:
 * @now: the current time
 *
 * Returns: whether a person must not miss it: a meeting cancelled (or removed) that
 *   was to start within the next 24 hours
 */
gboolean
ewn_change_is_urgent (const EwnChange *change,
                      GDateTime       *now)
{
  const EwsItem *item;
  gint64         now_time;
  GTimeSpan      until;

  g_return_val_if_fail (change != NULL, FALSE);
  g_return_val_if_fail (now != NULL, FALSE);

  if (change->kind != EWN_CHANGE_CANCELLED && change->kind != EWN_CHANGE_DELETED)
    return FALSE;
  item = ewn_change_get_item (change);
  if (item->start == EWS_TIME_NONE)
    return FALSE;
  now_time = ews_time_from_date_time (now);
  until = (item->end != EWS_TIME_NONE ? item->end : item->start) - now_time;
  return until > 0 && item->start - now_time < G_TIME_SPAN_DAY;
}
