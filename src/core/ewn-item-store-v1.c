/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-item-store"

#include "ewn-item-store-private.h"

/* Version 1 of the files: GVariant snapshots and journal records, an item as a
 * GVariant tuple. Only read, when a store written by an older version is loaded; it
 * is written as version 2 from then on. */

static char *
dup_string (GVariant *tuple,
            gsize     index)
{
  g_autoptr (GVariant) maybe = g_variant_get_child_value (tuple, index);
  g_autoptr (GVariant) child = g_variant_get_maybe (maybe);

  return child != NULL ? g_variant_dup_string (child, NULL) : NULL;
}

static gint64
dup_time (GVariant *tuple,
          gsize     index)
{
  g_autoptr (GVariant) maybe = g_variant_get_child_value (tuple, index);
  g_autoptr (GVariant) child = g_variant_get_maybe (maybe);

  return child != NULL ? g_variant_get_int64 (child) : EWS_TIME_NONE;
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

/* The item of @entry, a value of type EWN_STORE_ENTRY_TYPE in normal form.
 * Out-of-range enumerations and percentages from the file become "unknown". */
static EwsItem *
entry_dup_item (GVariant *entry)
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

/* A trusted value in our byte order from untrusted little-endian bytes, or NULL when
 * they do not hold a value of @type in normal form. */
static GVariant *
deserialise (GBytes             *bytes,
             const GVariantType *type)
{
  g_autoptr (GVariant) value = g_variant_ref_sink (g_variant_new_from_bytes (type, bytes, FALSE));

  if (!g_variant_is_normal_form (value))
    return NULL;
#if G_BYTE_ORDER == G_BIG_ENDIAN
  return g_variant_byteswap (value);
#else
  return g_steal_pointer (&value);
#endif
}

static void
put_v1_entry (EwnStoreState *state,
              GVariant      *entry)
{
  g_autoptr (GVariant) folder_id = g_variant_get_child_value (entry, 0);
  g_autoptr (EwsItem) item = entry_dup_item (entry);

  if (item->id != NULL)
    ewn_store_state_put (state, g_variant_get_string (folder_id, NULL), item);
}

/* Returns: %FALSE when @bytes is not a version-1 snapshot */
gboolean
ewn_store_state_load_v1_snapshot (EwnStoreState *state,
                                  GBytes        *bytes)
{
  g_autoptr (GVariant) payload = deserialise (bytes, G_VARIANT_TYPE (EWN_STORE_SNAPSHOT_TYPE));
  g_autoptr (GVariant) folders = NULL;
  g_autoptr (GVariant) entries = NULL;
  g_autoptr (GVariant) subscription_ids = NULL;
  GVariantIter iter;
  GVariant    *child;

  if (payload == NULL)
    return FALSE;
  folders = g_variant_get_child_value (payload, 0);
  entries = g_variant_get_child_value (payload, 1);
  subscription_ids = g_variant_get_child_value (payload, 2);

  g_variant_iter_init (&iter, folders);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      const char     *id, *mailbox, *sync_state;
      guint32         kind;
      gboolean        primed;
      EwnStoreFolder *folder;

      g_variant_get (child, "(&sm&sum&sb)", &id, &mailbox, &kind, &sync_state, &primed);
      ewn_store_state_set_folder (state, id, mailbox, kind);
      folder = ewn_store_state_ensure_folder (state, id);
      g_free (folder->sync_state);
      folder->sync_state = g_strdup (sync_state);
      folder->primed = primed;
      g_variant_unref (child);
    }

  g_variant_iter_init (&iter, entries);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      put_v1_entry (state, child);
      g_variant_unref (child);
    }

  g_strfreev (state->subscription_ids);
  state->subscription_ids = g_variant_dup_strv (subscription_ids, NULL);
  return TRUE;
}

static const GVariantType *
v1_op_value_type (guchar op)
{
  switch (op)
    {
    case EWN_STORE_OP_FOLDER:
      return G_VARIANT_TYPE ("(msu)");
    case EWN_STORE_OP_SYNC_STATE:
      return G_VARIANT_TYPE ("ms");
    case EWN_STORE_OP_PRIMED:
      return G_VARIANT_TYPE_BOOLEAN;
    case EWN_STORE_OP_PUT:
      return G_VARIANT_TYPE (EWN_STORE_ENTRY_TYPE);
    case EWN_STORE_OP_REMOVE:
      return G_VARIANT_TYPE_UNIT;
    case EWN_STORE_OP_SUBSCRIPTIONS:
      return G_VARIANT_TYPE_STRING_ARRAY;
    default:
      return NULL;
    }
}

static void
replay_v1_op (EwnStoreState *state,
              guchar         op,
              const char    *key,
              GVariant      *value)
{
  switch (op)
    {
    case EWN_STORE_OP_FOLDER:
      {
        const char *mailbox;
        guint32     kind;

        g_variant_get (value, "(m&su)", &mailbox, &kind);
        ewn_store_state_set_folder (state, key, mailbox, kind);
        break;
      }
    case EWN_STORE_OP_SYNC_STATE:
      {
        EwnStoreFolder *folder = ewn_store_state_ensure_folder (state, key);

        g_free (folder->sync_state);
        g_variant_get (value, "ms", &folder->sync_state);
        break;
      }
    case EWN_STORE_OP_PRIMED:
      ewn_store_state_ensure_folder (state, key)->primed = g_variant_get_boolean (value);
      break;
    case EWN_STORE_OP_PUT:
      put_v1_entry (state, value);
      break;
    case EWN_STORE_OP_REMOVE:
      ewn_store_state_remove (state, key);
      break;
    case EWN_STORE_OP_SUBSCRIPTIONS:
      g_strfreev (state->subscription_ids);
      state->subscription_ids = g_variant_dup_strv (value, NULL);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Returns: %FALSE when @bytes is not a version-1 journal record (nothing applied) */
gboolean
ewn_store_state_replay_v1 (EwnStoreState *state,
                           GBytes        *bytes)
{
  g_autoptr (GVariant) payload = deserialise (bytes, G_VARIANT_TYPE (EWN_STORE_RECORD_TYPE));
  gsize n;

  if (payload == NULL)
    return FALSE;
  n = g_variant_n_children (payload);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) op = g_variant_get_child_value (payload, i);
      g_autoptr (GVariant) value = NULL;
      const GVariantType *type;
      guchar              code;

      g_variant_get (op, "(y&sv)", &code, NULL, &value);
      type = v1_op_value_type (code);
      if (type == NULL || !g_variant_is_of_type (value, type))
        return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) op = g_variant_get_child_value (payload, i);
      g_autoptr (GVariant) value = NULL;
      const char *key;
      guchar      code;

      g_variant_get (op, "(y&sv)", &code, &key, &value);
      replay_v1_op (state, code, key, value);
    }
  return TRUE;
}
