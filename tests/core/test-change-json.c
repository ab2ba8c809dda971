/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ewn-change-json.h"

static EwsItem *
meeting (const char *subject,
         int         start_hour,
         const char *location)
{
  EwsItem *item = ews_item_new (EWS_ITEM_KIND_CALENDAR);

  item->id = g_strdup ("AAMkAD-meeting");
  item->subject = g_strdup (subject);
  item->start = ews_time_new_utc (2026, 11, 24, start_hour, 0, 0);
  item->end = ews_time_new_utc (2026, 11, 24, start_hour + 1, 0, 0);
  item->location = g_strdup (location);
  item->organizer_name = g_strdup ("Alice");
  item->organizer_email = g_strdup ("alice@example.com");
  item->last_modified_name = g_strdup ("Alice");
  return item;
}

static EwsItem *
task (EwsTaskStatus status,
      int           percent,
      int           due_day)
{
  EwsItem *item = ews_item_new (EWS_ITEM_KIND_TASK);

  item->id = g_strdup ("AAMkAD-task");
  item->subject = g_strdup ("Send the report");
  item->status = status;
  item->percent_complete = percent;
  item->is_complete = status == EWS_TASK_STATUS_COMPLETED;
  item->due_date = ews_time_new_utc (2026, 11, due_day, 0, 0, 0);
  item->last_modified_name = g_strdup ("Bob");
  return item;
}

/* The line must be exactly what json-glib's generator writes for the same members:
 * scripts may compare lines, and the format must not drift. */
static void
assert_json_glib_form (const char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *again = NULL;

  g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
  g_assert_no_error (error);
  json_generator_set_root (generator, json_parser_get_root (parser));
  again = json_generator_to_data (generator, NULL);
  g_assert_cmpstr (line, ==, again);
}

/* Serialises @change (folder and origin set here) and parses the line back. */
static JsonObject *
round_trip (EwnChange    *change,
            EwsFolderKind folder_kind)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  JsonNode        *root;

  g_assert_nonnull (change);
  ewn_change_set_origin (change, "work", folder_kind == EWS_FOLDER_KIND_TASKS ? NULL : "room@example.com",
                         "AAMkAD-folder", folder_kind);
  change->time = ews_time_new_utc (2026, 11, 23, 8, 15, 30);

  line = ewn_change_to_json_line (change);
  g_assert_null (strchr (line, '\n'));
  assert_json_glib_form (line);
  g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static void
assert_header (JsonObject *object,
               const char *kind,
               const char *folder,
               const char *item_id,
               const char *changed_by)
{
  g_autoptr (GList) members = json_object_get_members (object);

  g_assert_cmpuint (g_list_length (members), ==, 10);
  g_assert_cmpstr (json_object_get_string_member (object, "account"), ==, "work");
  g_assert_cmpstr (json_object_get_string_member (object, "folder"), ==, folder);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, kind);
  g_assert_cmpstr (json_object_get_string_member (object, "item_id"), ==, item_id);
  g_assert_cmpstr (json_object_get_string_member (object, "changed_by"), ==, changed_by);
  g_assert_cmpstr (json_object_get_string_member (object, "time"), ==, "2026-11-23T08:15:30Z");
  if (g_str_equal (folder, "tasks"))
    g_assert_true (json_object_get_null_member (object, "mailbox"));
  else
    g_assert_cmpstr (json_object_get_string_member (object, "mailbox"), ==, "room@example.com");
}

static guint
n_members (JsonObject *object)
{
  g_autoptr (GList) members = json_object_get_members (object);

  return g_list_length (members);
}

static void
test_calendar (void)
{
  g_autoptr (EwsItem) before = meeting ("Design review", 10, "Room A");
  g_autoptr (EwsItem) moved = meeting ("Design review", 11, "Room A");
  g_autoptr (EwsItem) relocated = meeting ("Design review", 10, NULL);
  g_autoptr (EwsItem) cancelled = meeting ("Design review", 10, "Room A");
  g_autoptr (EwnChange) rescheduled = ewn_change_compute (before, moved);
  g_autoptr (EwnChange) room = ewn_change_compute (before, relocated);
  g_autoptr (EwnChange) cancel = NULL;
  g_autoptr (EwnChange) created = ewn_change_compute (NULL, before);
  g_autoptr (EwnChange) deleted = ewn_change_compute (before, NULL);
  g_autoptr (JsonObject) object = NULL;
  JsonObject *side;

  object = round_trip (rescheduled, EWS_FOLDER_KIND_CALENDAR);
  assert_header (object, "rescheduled", "calendar", "AAMkAD-meeting", "Alice");
  g_assert_cmpstr (json_object_get_string_member (object, "subject"), ==, "Design review");
  side = json_object_get_object_member (object, "before");
  g_assert_cmpuint (n_members (side), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (side, "start"), ==, "2026-11-24T10:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (side, "end"), ==, "2026-11-24T11:00:00Z");
  side = json_object_get_object_member (object, "after");
  g_assert_cmpuint (n_members (side), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (side, "start"), ==, "2026-11-24T11:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (side, "end"), ==, "2026-11-24T12:00:00Z");
  g_clear_pointer (&object, json_object_unref);

  object = round_trip (room, EWS_FOLDER_KIND_CALENDAR);
  assert_header (object, "relocated", "calendar", "AAMkAD-meeting", "Alice");
  side = json_object_get_object_member (object, "before");
  g_assert_cmpuint (n_members (side), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (side, "location"), ==, "Room A");
  side = json_object_get_object_member (object, "after");
  g_assert_cmpuint (n_members (side), ==, 1);
  g_assert_true (json_object_get_null_member (side, "location"));
  g_clear_pointer (&object, json_object_unref);

  cancelled->is_cancelled = TRUE;
  g_free (cancelled->last_modified_name);
  cancelled->last_modified_name = g_strdup ("Carol");
  cancel = ewn_change_compute (before, cancelled);
  object = round_trip (cancel, EWS_FOLDER_KIND_CALENDAR);
  assert_header (object, "cancelled", "calendar", "AAMkAD-meeting", "Carol");
  side = json_object_get_object_member (object, "before");
  g_assert_cmpuint (n_members (side), ==, 1);
  g_assert_false (json_object_get_boolean_member (side, "is_cancelled"));
  side = json_object_get_object_member (object, "after");
  g_assert_true (json_object_get_boolean_member (side, "is_cancelled"));
  g_clear_pointer (&object, json_object_unref);

  object = round_trip (created, EWS_FOLDER_KIND_CALENDAR);
  assert_header (object, "created", "calendar", "AAMkAD-meeting", "Alice");
  g_assert_true (json_object_get_null_member (object, "before"));
  side = json_object_get_object_member (object, "after");
  g_assert_cmpstr (json_object_get_string_member (side, "subject"), ==, "Design review");
  g_assert_cmpstr (json_object_get_string_member (side, "start"), ==, "2026-11-24T10:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (side, "end"), ==, "2026-11-24T11:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (side, "location"), ==, "Room A");
  g_assert_cmpstr (json_object_get_string_member (side, "organizer_email"), ==, "alice@example.com");
  g_assert_false (json_object_get_boolean_member (side, "is_all_day"));
  g_assert_false (json_object_get_boolean_member (side, "is_cancelled"));
  g_clear_pointer (&object, json_object_unref);

  object = round_trip (deleted, EWS_FOLDER_KIND_CALENDAR);
  assert_header (object, "deleted", "calendar", "AAMkAD-meeting", "Alice");
  g_assert_true (json_object_get_null_member (object, "after"));
  side = json_object_get_object_member (object, "before");
  g_assert_cmpstr (json_object_get_string_member (side, "location"), ==, "Room A");
  g_assert_cmpstr (json_object_get_string_member (side, "start"), ==, "2026-11-24T10:00:00Z");
}

static void
test_tasks (void)
{
  g_autoptr (EwsItem) open = task (EWS_TASK_STATUS_IN_PROGRESS, 40, 27);
  g_autoptr (EwsItem) done = task (EWS_TASK_STATUS_COMPLETED, 100, 27);
  g_autoptr (EwsItem) later = task (EWS_TASK_STATUS_IN_PROGRESS, 40, 30);
  g_autoptr (EwsItem) further = task (EWS_TASK_STATUS_IN_PROGRESS, 75, 27);
  g_autoptr (EwnChange) completed = ewn_change_compute (open, done);
  g_autoptr (EwnChange) due = ewn_change_compute (open, later);
  g_autoptr (EwnChange) progress = ewn_change_compute (open, further);
  g_autoptr (JsonObject) object = NULL;
  JsonObject *side;

  object = round_trip (completed, EWS_FOLDER_KIND_TASKS);
  assert_header (object, "task-completed", "tasks", "AAMkAD-task", "Bob");
  side = json_object_get_object_member (object, "before");
  g_assert_cmpstr (json_object_get_string_member (side, "status"), ==, "InProgress");
  g_assert_cmpint (json_object_get_int_member (side, "percent"), ==, 40);
  g_assert_false (json_object_get_boolean_member (side, "is_complete"));
  g_assert_false (json_object_has_member (side, "due"));
  side = json_object_get_object_member (object, "after");
  g_assert_cmpstr (json_object_get_string_member (side, "status"), ==, "Completed");
  g_assert_cmpint (json_object_get_int_member (side, "percent"), ==, 100);
  g_assert_true (json_object_get_boolean_member (side, "is_complete"));
  g_clear_pointer (&object, json_object_unref);

  object = round_trip (due, EWS_FOLDER_KIND_TASKS);
  assert_header (object, "task-due-changed", "tasks", "AAMkAD-task", "Bob");
  side = json_object_get_object_member (object, "before");
  g_assert_cmpuint (n_members (side), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (side, "due"), ==, "2026-11-27T00:00:00Z");
  side = json_object_get_object_member (object, "after");
  g_assert_cmpstr (json_object_get_string_member (side, "due"), ==, "2026-11-30T00:00:00Z");
  g_clear_pointer (&object, json_object_unref);

  object = round_trip (progress, EWS_FOLDER_KIND_TASKS);
  assert_header (object, "task-progress", "tasks", "AAMkAD-task", "Bob");
  side = json_object_get_object_member (object, "before");
  g_assert_cmpuint (n_members (side), ==, 2);
  g_assert_cmpint (json_object_get_int_member (side, "percent"), ==, 40);
  g_assert_cmpstr (json_object_get_string_member (side, "status"), ==, "InProgress");
  side = json_object_get_object_member (object, "after");
  g_assert_cmpint (json_object_get_int_member (side, "percent"), ==, 75);
}

static void
test_escaping (void)
{
  const char *subject = "Say \"hi\"\nto Zoë ☕ \\ \t and </script>";
  g_autoptr (EwsItem) item = meeting (subject, 9, "Büro 3\r\n");
  g_autoptr (EwnChange) created = ewn_change_compute (NULL, item);
  g_autoptr (JsonObject) object = NULL;
  g_autofree char *line = NULL;
  JsonObject      *side;

  object = round_trip (created, EWS_FOLDER_KIND_CALENDAR);
  g_assert_cmpstr (json_object_get_string_member (object, "subject"), ==, subject);
  side = json_object_get_object_member (object, "after");
  g_assert_cmpstr (json_object_get_string_member (side, "subject"), ==, subject);
  g_assert_cmpstr (json_object_get_string_member (side, "location"), ==, "Büro 3\r\n");

  line = ewn_change_to_json_line (created);
  g_assert_null (strchr (line, '\n'));
  g_assert_null (strchr (line, '\r'));
  g_assert_true (g_utf8_validate (line, -1, NULL));
}

/* Every control character, DEL, bytes that are not UTF-8, and times far from now. */
static void
test_odd_values (void)
{
  g_autoptr (GString) subject = g_string_new ("\"\\/");
  g_autoptr (EwsItem) item = NULL;
  g_autoptr (EwnChange) created = NULL;
  g_autoptr (GTimeZone) zone = g_time_zone_new_offset (-(7 * 3600 + 30 * 60));
  g_autoptr (GDateTime) end = NULL;
  g_autoptr (JsonObject) object = NULL;
  g_autofree char *line = NULL;
  JsonObject      *side;

  for (int c = 1; c < 0x80; c++)
    g_string_append_c (subject, (char)c);
  item = meeting (subject->str, 9, "\xff\xfeRoom");
  /* escapes and valid UTF-8 before a bad byte: the escaped part is not kept twice */
  g_free (item->organizer_name);
  item->organizer_name = g_strdup ("\"R\"\tRen\xc3\xa9\x65 \xff!");
  item->start = ews_time_new_utc (7, 3, 1, 0, 0, 0) + G_USEC_PER_SEC / 2;
  end = g_date_time_new (zone, 1969, 12, 31, 23, 59, 59.75);
  item->end = ews_time_from_date_time (end);
  created = ewn_change_compute (NULL, item);

  object = round_trip (created, EWS_FOLDER_KIND_OTHER);
  g_assert_cmpstr (json_object_get_string_member (object, "folder"), ==, "AAMkAD-folder");
  g_assert_cmpstr (json_object_get_string_member (object, "subject"), ==, subject->str);
  side = json_object_get_object_member (object, "after");
  g_assert_cmpstr (json_object_get_string_member (side, "start"), ==, "7-03-01T00:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (side, "end"), ==, "1970-01-01T07:29:59Z");
  g_assert_cmpstr (json_object_get_string_member (side, "location"), ==, "\xef\xbf\xbd\xef\xbf\xbdRoom");
  g_assert_cmpstr (json_object_get_string_member (side, "organizer_name"), ==, "\"R\"\tRen\xc3\xa9\x65 \xef\xbf\xbd!");

  /* appending leaves what was there */
  line = ewn_change_to_json_line (created);
  g_string_assign (subject, "x");
  ewn_change_append_json (created, subject);
  g_assert_cmpstr (subject->str + 1, ==, line);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/change-json/calendar", test_calendar);
  g_test_add_func ("/change-json/tasks", test_tasks);
  g_test_add_func ("/change-json/escaping", test_escaping);
  g_test_add_func ("/change-json/odd-values", test_odd_values);

  return g_test_run ();
}
