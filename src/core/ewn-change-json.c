/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-change-json"

#include <json-glib/json-glib.h>

#include "ewn-change-json.h"

/* The fields of `before` and `after`, and which kinds show them. */
typedef enum
{
  FIELD_SUBJECT = 1 << 0,
  FIELD_START = 1 << 1,
  FIELD_END = 1 << 2,
  FIELD_LOCATION = 1 << 3,
  FIELD_ALL_DAY = 1 << 4,
  FIELD_CANCELLED = 1 << 5,
  FIELD_ORGANIZER = 1 << 6,
  FIELD_DUE = 1 << 7,
  FIELD_STATUS = 1 << 8,
  FIELD_PERCENT = 1 << 9,
  FIELD_COMPLETE = 1 << 10,
} Field;

#define CALENDAR_FIELDS (FIELD_SUBJECT | FIELD_START | FIELD_END | FIELD_LOCATION | FIELD_ALL_DAY | FIELD_CANCELLED | FIELD_ORGANIZER)
#define TASK_FIELDS     (FIELD_SUBJECT | FIELD_DUE | FIELD_STATUS | FIELD_PERCENT | FIELD_COMPLETE)

/* What a kind is about: shown on both sides even when only part of it changed. */
static Field
kind_fields (EwnChangeKind kind)
{
  switch (kind)
    {
    case EWN_CHANGE_RESCHEDULED:
      return FIELD_START | FIELD_END;
    case EWN_CHANGE_RELOCATED:
      return FIELD_LOCATION;
    case EWN_CHANGE_CANCELLED:
      return FIELD_CANCELLED;
    case EWN_CHANGE_TASK_DUE_CHANGED:
      return FIELD_DUE;
    case EWN_CHANGE_TASK_COMPLETED:
    case EWN_CHANGE_TASK_REOPENED:
      return FIELD_STATUS | FIELD_PERCENT | FIELD_COMPLETE;
    case EWN_CHANGE_TASK_PROGRESS:
      return FIELD_STATUS | FIELD_PERCENT;
    case EWN_CHANGE_TASK_UPDATED:
      return FIELD_SUBJECT;
    default:
      return 0;
    }
}

static gboolean
same_time (GDateTime *a,
           GDateTime *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_date_time_equal (a, b);
}

static Field
changed_fields (const EwsItem *a,
                const EwsItem *b)
{
  Field changed = 0;

  if (g_strcmp0 (a->subject, b->subject) != 0)
    changed |= FIELD_SUBJECT;
  if (!same_time (a->start, b->start))
    changed |= FIELD_START;
  if (!same_time (a->end, b->end))
    changed |= FIELD_END;
  if (g_strcmp0 (a->location, b->location) != 0)
    changed |= FIELD_LOCATION;
  if (a->is_all_day != b->is_all_day)
    changed |= FIELD_ALL_DAY;
  if (a->is_cancelled != b->is_cancelled)
    changed |= FIELD_CANCELLED;
  if (g_strcmp0 (a->organizer_email, b->organizer_email) != 0 || g_strcmp0 (a->organizer_name, b->organizer_name) != 0)
    changed |= FIELD_ORGANIZER;
  if (!same_time (a->due_date, b->due_date))
    changed |= FIELD_DUE;
  if (a->status != b->status)
    changed |= FIELD_STATUS;
  if (a->percent_complete != b->percent_complete)
    changed |= FIELD_PERCENT;
  if (a->is_complete != b->is_complete)
    changed |= FIELD_COMPLETE;
  return changed;
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL && g_utf8_validate (value, -1, NULL))
    json_builder_add_string_value (builder, value);
  else if (value != NULL)
    {
      g_autofree char *valid = g_utf8_make_valid (value, -1);

      json_builder_add_string_value (builder, valid);
    }
  else
    json_builder_add_null_value (builder);
}

static void
add_time (JsonBuilder *builder,
          const char  *name,
          GDateTime   *value)
{
  g_autofree char *text = NULL;

  if (value != NULL)
    {
      g_autoptr (GDateTime) utc = g_date_time_to_utc (value);

      text = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
    }
  add_string (builder, name, text);
}

static void
add_boolean (JsonBuilder *builder,
             const char  *name,
             gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static void
add_side (JsonBuilder   *builder,
          const char    *name,
          const EwsItem *item,
          Field          fields)
{
  json_builder_set_member_name (builder, name);
  if (item == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }

  json_builder_begin_object (builder);
  if (fields & FIELD_SUBJECT)
    add_string (builder, "subject", item->subject);
  if (fields & FIELD_START)
    add_time (builder, "start", item->start);
  if (fields & FIELD_END)
    add_time (builder, "end", item->end);
  if (fields & FIELD_LOCATION)
    add_string (builder, "location", item->location);
  if (fields & FIELD_ALL_DAY)
    add_boolean (builder, "is_all_day", item->is_all_day);
  if (fields & FIELD_CANCELLED)
    add_boolean (builder, "is_cancelled", item->is_cancelled);
  if (fields & FIELD_ORGANIZER)
    {
      add_string (builder, "organizer_name", item->organizer_name);
      add_string (builder, "organizer_email", item->organizer_email);
    }
  if (fields & FIELD_DUE)
    add_time (builder, "due", item->due_date);
  if (fields & FIELD_STATUS)
    add_string (builder, "status", ews_task_status_to_string (item->status));
  if (fields & FIELD_PERCENT)
    {
      json_builder_set_member_name (builder, "percent");
      if (item->percent_complete >= 0)
        json_builder_add_int_value (builder, item->percent_complete);
      else
        json_builder_add_null_value (builder);
    }
  if (fields & FIELD_COMPLETE)
    add_boolean (builder, "is_complete", item->is_complete);
  json_builder_end_object (builder);
}

static const char *
folder_name (const EwnChange *change)
{
  switch (change->folder_kind)
    {
    case EWS_FOLDER_KIND_CALENDAR:
      return "calendar";
    case EWS_FOLDER_KIND_TASKS:
      return "tasks";
    case EWS_FOLDER_KIND_OTHER:
    default:
      return change->folder_id;
    }
}

/**
 * ewn_change_to_json_line:
 * @change: an #EwnChange
 *
 * The stable form of a change for `--watch --json`: account, mailbox, folder, kind,
 * item_id, subject, before, after, changed_by and time. @before and @after hold the
 * fields the kind is about plus those that changed (all of them for a created or
 * deleted item, whose missing side is null); times are ISO 8601 in UTC.
 *
 * Returns: (transfer full): one line of JSON, without a newline
 */
char *
ewn_change_to_json_line (const EwnChange *change)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  const EwsItem *item;
  const char    *changed_by;
  Field          fields;

  g_return_val_if_fail (change != NULL, NULL);
  g_return_val_if_fail (change->before != NULL || change->after != NULL, NULL);

  item = ewn_change_get_item (change);
  fields = item->kind == EWS_ITEM_KIND_TASK ? TASK_FIELDS : CALENDAR_FIELDS;
  if (change->before != NULL && change->after != NULL)
    fields &= kind_fields (change->kind) | changed_fields (change->before, change->after);
  changed_by = change->after != NULL && change->after->last_modified_name != NULL
                   ? change->after->last_modified_name
               : change->before != NULL ? change->before->last_modified_name
                                        : NULL;

  json_builder_begin_object (builder);
  add_string (builder, "account", change->account);
  add_string (builder, "mailbox", change->mailbox);
  add_string (builder, "folder", folder_name (change));
  add_string (builder, "kind", ewn_change_kind_to_string (change->kind));
  add_string (builder, "item_id", item->id);
  add_string (builder, "subject", item->subject);
  add_side (builder, "before", change->before, fields);
  add_side (builder, "after", change->after, fields);
  add_string (builder, "changed_by", changed_by);
  add_time (builder, "time", change->time);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, FALSE);
  return json_generator_to_data (generator, NULL);
}
