/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-change-json"

#include <string.h>

#include "ewn-change-json.h"
#include "ews-string-private.h"

/* The line is written straight into a GString: a change is printed for every record
 * of a burst, and building a JSON tree first cost more than everything else the
 * record needed. The output is byte for byte what json-glib's generator writes for
 * the same members (the test compares them). */

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

static Field
changed_fields (const EwsItem *a,
                const EwsItem *b)
{
  Field changed = 0;

  if (g_strcmp0 (a->subject, b->subject) != 0)
    changed |= FIELD_SUBJECT;
  if (a->start != b->start)
    changed |= FIELD_START;
  if (a->end != b->end)
    changed |= FIELD_END;
  if (g_strcmp0 (a->location, b->location) != 0)
    changed |= FIELD_LOCATION;
  if (a->is_all_day != b->is_all_day)
    changed |= FIELD_ALL_DAY;
  if (a->is_cancelled != b->is_cancelled)
    changed |= FIELD_CANCELLED;
  if (g_strcmp0 (a->organizer_email, b->organizer_email) != 0 || g_strcmp0 (a->organizer_name, b->organizer_name) != 0)
    changed |= FIELD_ORGANIZER;
  if (a->due_date != b->due_date)
    changed |= FIELD_DUE;
  if (a->status != b->status)
    changed |= FIELD_STATUS;
  if (a->percent_complete != b->percent_complete)
    changed |= FIELD_PERCENT;
  if (a->is_complete != b->is_complete)
    changed |= FIELD_COMPLETE;
  return changed;
}

/* json-glib's escaping: quote and backslash, the control characters below 0x1f
 * (short forms where JSON has them) and DEL; everything else as it is. Bytes above
 * ASCII are first checked for UTF-8, once per string: most strings have none. */
static const guint8 json_plain[128] = {
  [0x1f] = 1,
  [0x20 ... 0x21] = 1,
  [0x23 ... 0x5b] = 1,
  [0x5d ... 0x7e] = 1,
};

/* Returns FALSE, having appended nothing, when @text is not valid UTF-8. */
static gboolean
append_escaped (GString    *out,
                const char *text)
{
  static const char hex[] = "0123456789abcdef";
  const char       *run = text;
  const char       *p;
  gsize             start = out->len;
  gboolean          checked = FALSE;

  for (p = text;; p++)
    {
      guchar c = (guchar)*p;

      if (c < 0x80 && json_plain[c])
        continue;
      if (c >= 0x80)
        {
          if (!checked && !g_utf8_validate (text, -1, NULL))
            {
              g_string_truncate (out, start);
              return FALSE;
            }
          checked = TRUE;
          continue;
        }
      ews_string_append_len (out, run, p - run);
      if (c == '\0')
        return TRUE;
      run = p + 1;
      switch (c)
        {
        case '"':
          ews_string_append_len (out, "\\\"", 2);
          break;
        case '\\':
          ews_string_append_len (out, "\\\\", 2);
          break;
        case '\b':
          ews_string_append_len (out, "\\b", 2);
          break;
        case '\f':
          ews_string_append_len (out, "\\f", 2);
          break;
        case '\n':
          ews_string_append_len (out, "\\n", 2);
          break;
        case '\r':
          ews_string_append_len (out, "\\r", 2);
          break;
        case '\t':
          ews_string_append_len (out, "\\t", 2);
          break;
        default:
          {
            char escape[] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };

            ews_string_append_len (out, escape, sizeof escape);
          }
        }
    }
}

/* A member's name as it is written, quoted and with its colon, and its length: the
 * two arguments every add_*() takes for it. */
#define KEY(name) "\"" name "\":", sizeof "\"" name "\":" - 1

static void
add_name (GString    *out,
          gboolean   *first,
          const char *key,
          gsize       key_length)
{
  if (!*first)
    g_string_append_c (out, ',');
  *first = FALSE;
  ews_string_append_len (out, key, key_length);
}

static void
add_string (GString    *out,
            gboolean   *first,
            const char *key,
            gsize       key_length,
            const char *value)
{
  add_name (out, first, key, key_length);
  if (value == NULL)
    {
      ews_string_append (out, "null");
      return;
    }
  g_string_append_c (out, '"');
  if (!append_escaped (out, value))
    {
      g_autofree char *valid = g_utf8_make_valid (value, -1);

      append_escaped (out, valid);
    }
  g_string_append_c (out, '"');
}

/* As g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ"), without the conversions. */
static void
add_time (GString    *out,
          gboolean   *first,
          const char *key,
          gsize       key_length,
          gint64      value)
{
  if (value == EWS_TIME_NONE)
    {
      add_string (out, first, key, key_length, NULL);
      return;
    }
  add_name (out, first, key, key_length);
  g_string_append_c (out, '"');
  ews_time_append (out, value);
  g_string_append_c (out, '"');
}

static void
add_boolean (GString    *out,
             gboolean   *first,
             const char *key,
             gsize       key_length,
             gboolean    value)
{
  add_name (out, first, key, key_length);
  ews_string_append (out, value ? "true" : "false");
}

static void
add_side (GString       *out,
          gboolean      *first,
          const char    *key,
          gsize          key_length,
          const EwsItem *item,
          Field          fields)
{
  gboolean first_field = TRUE;

  add_name (out, first, key, key_length);
  if (item == NULL)
    {
      ews_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '{');
  if (fields & FIELD_SUBJECT)
    add_string (out, &first_field, KEY ("subject"), item->subject);
  if (fields & FIELD_START)
    add_time (out, &first_field, KEY ("start"), item->start);
  if (fields & FIELD_END)
    add_time (out, &first_field, KEY ("end"), item->end);
  if (fields & FIELD_LOCATION)
    add_string (out, &first_field, KEY ("location"), item->location);
  if (fields & FIELD_ALL_DAY)
    add_boolean (out, &first_field, KEY ("is_all_day"), item->is_all_day);
  if (fields & FIELD_CANCELLED)
    add_boolean (out, &first_field, KEY ("is_cancelled"), item->is_cancelled);
  if (fields & FIELD_ORGANIZER)
    {
      add_string (out, &first_field, KEY ("organizer_name"), item->organizer_name);
      add_string (out, &first_field, KEY ("organizer_email"), item->organizer_email);
    }
  if (fields & FIELD_DUE)
    add_time (out, &first_field, KEY ("due"), item->due_date);
  if (fields & FIELD_STATUS)
    add_string (out, &first_field, KEY ("status"), ews_task_status_to_string (item->status));
  if (fields & FIELD_PERCENT)
    {
      add_name (out, &first_field, KEY ("percent"));
      if (item->percent_complete >= 0)
        g_string_append_printf (out, "%d", item->percent_complete);
      else
        ews_string_append (out, "null");
    }
  if (fields & FIELD_COMPLETE)
    add_boolean (out, &first_field, KEY ("is_complete"), item->is_complete);
  g_string_append_c (out, '}');
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
 * ewn_change_append_json:
 * @change: an #EwnChange
 * @out: where the line is appended, without a newline
 *
 * The stable form of a change for `--watch --json`: account, mailbox, folder, kind,
 * item_id, subject, before, after, changed_by and time. @before and @after hold the
 * fields the kind is about plus those that changed (all of them for a created or
 * deleted item, whose missing side is null); times are ISO 8601 in UTC.
 */
void
ewn_change_append_json (const EwnChange *change,
                        GString         *out)
{
  const EwsItem *item;
  const char    *changed_by;
  Field          fields;
  gboolean       first = TRUE;

  g_return_if_fail (change != NULL);
  g_return_if_fail (change->before != NULL || change->after != NULL);
  g_return_if_fail (out != NULL);

  item = ewn_change_get_item (change);
  fields = item->kind == EWS_ITEM_KIND_TASK ? TASK_FIELDS : CALENDAR_FIELDS;
  if (change->before != NULL && change->after != NULL)
    fields &= kind_fields (change->kind) | changed_fields (change->before, change->after);
  changed_by = change->after != NULL && change->after->last_modified_name != NULL
                   ? change->after->last_modified_name
               : change->before != NULL ? change->before->last_modified_name
                                        : NULL;

  g_string_append_c (out, '{');
  add_string (out, &first, KEY ("account"), change->account);
  add_string (out, &first, KEY ("mailbox"), change->mailbox);
  add_string (out, &first, KEY ("folder"), folder_name (change));
  add_string (out, &first, KEY ("kind"), ewn_change_kind_to_string (change->kind));
  add_string (out, &first, KEY ("item_id"), item->id);
  add_string (out, &first, KEY ("subject"), item->subject);
  add_side (out, &first, KEY ("before"), change->before, fields);
  add_side (out, &first, KEY ("after"), change->after, fields);
  add_string (out, &first, KEY ("changed_by"), changed_by);
  add_time (out, &first, KEY ("time"), change->time);
  g_string_append_c (out, '}');
}

/**
 * ewn_change_to_json_line:
 * @change: an #EwnChange
 *
 * See ewn_change_append_json().
 *
 * Returns: (transfer full): one line of JSON, without a newline
 */
char *
ewn_change_to_json_line (const EwnChange *change)
{
  GString *out;

  g_return_val_if_fail (change != NULL, NULL);
  g_return_val_if_fail (change->before != NULL || change->after != NULL, NULL);

  out = g_string_sized_new (512);
  ewn_change_append_json (change, out);
  return g_string_free (out, FALSE);
}
