/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-item-store"

#include "ewn-item-store-private.h"

/* Version 1 of the files: an item as a GVariant tuple. Only read, when a store
 * written by an older version is loaded; it is written as version 2 from then on. */

static char *
dup_string (GVariant *tuple,
            gsize     index)
{
  g_autoptr (GVariant) maybe = g_variant_get_child_value (tuple, index);
  g_autoptr (GVariant) child = g_variant_get_maybe (maybe);

  return child != NULL ? g_variant_dup_string (child, NULL) : NULL;
}

static GDateTime *
dup_time (GVariant *tuple,
          gsize     index)
{
  g_autoptr (GVariant) maybe = g_variant_get_child_value (tuple, index);
  g_autoptr (GVariant) child = g_variant_get_maybe (maybe);

  return child != NULL ? ewn_store_time_from_usec (g_variant_get_int64 (child)) : NULL;
}

static gboolean
get_boolean (GVariant *tuple,
             gsize     index)
{
  g_autoptr (GVariant) child = g_variant_get_child_value (tuple, index);

  return g_variant_get_boolean (child);
}

static GPtrArray *
dup_attendees (GVariant *tuple,
               gsize     index)
{
  g_autoptr (GVariant) maybe = g_variant_get_child_value (tuple, index);
  g_autoptr (GVariant) array = g_variant_get_maybe (maybe);
  GPtrArray *attendees;
  gsize      n;

  if (array == NULL)
    return NULL;

  n = g_variant_n_children (array);
  attendees = g_ptr_array_new_full (n, (GDestroyNotify)ews_attendee_free);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) child = g_variant_get_child_value (array, i);
      EwsAttendee *attendee = ews_attendee_new ();

      attendee->name = dup_string (child, 0);
      attendee->email = dup_string (child, 1);
      attendee->response = dup_string (child, 2);
      attendee->required = get_boolean (child, 3);
      g_ptr_array_add (attendees, attendee);
    }
  return attendees;
}

static GError *
dup_error (GVariant *tuple,
           gsize     index)
{
  g_autoptr (GVariant) maybe = g_variant_get_child_value (tuple, index);
  g_autoptr (GVariant) child = g_variant_get_maybe (maybe);
  const char *domain;
  const char *message;
  gint32      code;

  if (child == NULL)
    return NULL;
  g_variant_get (child, "(&si&s)", &domain, &code, &message);
  if (*domain == '\0')
    return NULL;
  return g_error_new_literal (g_quark_from_string (domain), code, message);
}

/**
 * ewn_store_entry_dup_item:
 * @entry: a value of type %EWN_STORE_ENTRY_TYPE in normal form (version 1)
 *
 * Out-of-range enumerations and percentages from the file become "unknown".
 *
 * Returns: (transfer full): the item
 */
EwsItem *
ewn_store_entry_dup_item (GVariant *entry)
{
  g_autoptr (GVariant) tuple = g_variant_get_child_value (entry, 1);
  g_autoptr (GVariant) kind = g_variant_get_child_value (tuple, 0);
  g_autoptr (GVariant) status = g_variant_get_child_value (tuple, 21);
  g_autoptr (GVariant) percent = g_variant_get_child_value (tuple, 22);
  EwsItem *item;
  guint32  value;

  g_assert (g_variant_is_of_type (entry, G_VARIANT_TYPE (EWN_STORE_ENTRY_TYPE)));

  value = g_variant_get_uint32 (kind);
  item = ews_item_new (value <= EWS_ITEM_KIND_MESSAGE ? value : EWS_ITEM_KIND_OTHER);
  item->id = dup_string (tuple, 1);
  item->change_key = dup_string (tuple, 2);
  item->parent_folder_id = dup_string (tuple, 3);
  item->item_class = dup_string (tuple, 4);
  item->subject = dup_string (tuple, 5);
  item->body_preview = dup_string (tuple, 6);
  item->last_modified_name = dup_string (tuple, 7);
  item->last_modified_time = dup_time (tuple, 8);
  item->web_client_read_form_query_string = dup_string (tuple, 9);
  item->start = dup_time (tuple, 10);
  item->end = dup_time (tuple, 11);
  item->is_all_day = get_boolean (tuple, 12);
  item->location = dup_string (tuple, 13);
  item->organizer_name = dup_string (tuple, 14);
  item->organizer_email = dup_string (tuple, 15);
  item->is_cancelled = get_boolean (tuple, 16);
  item->my_response_type = dup_string (tuple, 17);
  item->attendees = dup_attendees (tuple, 18);
  item->due_date = dup_time (tuple, 19);
  item->task_start_date = dup_time (tuple, 20);
  value = g_variant_get_uint32 (status);
  item->status = value <= EWS_TASK_STATUS_DEFERRED ? value : EWS_TASK_STATUS_UNKNOWN;
  item->percent_complete = g_variant_get_int32 (percent);
  if (item->percent_complete < -1 || item->percent_complete > 100)
    item->percent_complete = -1;
  item->is_complete = get_boolean (tuple, 23);
  item->error = dup_error (tuple, 24);
  return item;
}
