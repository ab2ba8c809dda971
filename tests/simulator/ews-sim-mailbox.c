/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-sim-mailbox"

#include "config.h"

#include <string.h>

#include "ews-sim-private.h"
#include "ews-string-private.h"

/* The data model: one mailbox per user with the distinguished folders a notifier
 * touches, items, and a change log per folder that SyncFolderItems walks. Ids are
 * binary blobs in base64, shaped like Exchange's so clients treat them as opaque. */

static const struct
{
  const char *id;
  const char *parent;
  const char *display_name;
  const char *folder_class;
  const char *element;
} folder_layout[] = {
  { "root", NULL, "Top of Information Store", NULL, "Folder" },
  { "msgfolderroot", "root", "Top of Information Store", "IPF.Note", "Folder" },
  { "calendar", "msgfolderroot", "Calendar", "IPF.Appointment", "CalendarFolder" },
  { "tasks", "msgfolderroot", "Tasks", "IPF.Task", "TasksFolder" },
  { "inbox", "msgfolderroot", "Inbox", "IPF.Note", "Folder" },
  { "deleteditems", "msgfolderroot", "Deleted Items", "IPF.Note", "Folder" },
};

static void
log_entry_free (gpointer data)
{
  EwsSimLogEntry *entry = data;

  ews_sim_ref_string_clear (&entry->item_id);
  ews_sim_ref_string_clear (&entry->change_key);
  g_free (entry);
}

/* Base64 of @blob, as a GRefString. */
static char *
ref_base64 (const guint8 *blob,
            gsize         length)
{
  char  text[128];
  int   state = 0, save = 0;
  gsize n;

  g_assert (length <= 64); /* 88 characters, and what encode_step asks for on top */
  n = g_base64_encode_step (blob, length, FALSE, text, &state, &save);
  n += g_base64_encode_close (FALSE, text + n, &state, &save);
  return g_ref_string_new_len (text, (gssize)n);
}

void
ews_sim_ref_string_clear (char **text)
{
  g_clear_pointer (text, g_ref_string_release);
}

char *
ews_sim_ref_string_acquire (char *text)
{
  return text != NULL ? g_ref_string_acquire (text) : NULL;
}

static char *
encode_blob (const guint8 *prefix,
             gsize         prefix_len,
             const guint8  guid[16],
             guint64       a,
             guint64       b)
{
  guint8  blob[64];
  guint64 le_a = GUINT64_TO_LE (a);
  guint64 le_b = GUINT64_TO_LE (b);

  g_assert (prefix_len + 32 <= sizeof blob);
  memcpy (blob, prefix, prefix_len);
  memcpy (blob + prefix_len, guid, 16);
  memcpy (blob + prefix_len + 16, &le_a, sizeof le_a);
  memcpy (blob + prefix_len + 24, &le_b, sizeof le_b);
  return ref_base64 (blob, prefix_len + 32);
}

static void
folder_free (gpointer data)
{
  EwsSimFolder *folder = data;

  ews_sim_ref_string_clear (&folder->id);
  ews_sim_ref_string_clear (&folder->change_key);
  g_ptr_array_unref (folder->log);
  g_free (folder);
}

EwsSimMailbox *
ews_sim_mailbox_new (const char *smtp,
                     const char *display_name)
{
  static const guint8 folder_prefix[] = { 0x01, 0x03, 0x24, 0x00 };
  static const guint8 folder_ck[] = { 0x01, 0x00, 0x00, 0x00 };
  EwsSimMailbox      *mailbox = g_new0 (EwsSimMailbox, 1);
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize  digest_len = sizeof digest;

  mailbox->smtp = g_ascii_strdown (smtp, -1);
  mailbox->display_name = g_strdup (display_name);
  g_checksum_update (sum, (const guchar *)mailbox->smtp, -1);
  g_checksum_get_digest (sum, digest, &digest_len);
  memcpy (mailbox->guid, digest, 16);
  mailbox->folders = g_ptr_array_new_with_free_func (folder_free);
  mailbox->items = g_hash_table_new_full (ews_id_hash, g_str_equal, NULL, (GDestroyNotify)ews_sim_item_free);
  mailbox->subscriptions = g_ptr_array_new ();
  mailbox->next_serial = 0x0d185630;
  mailbox->next_watermark = 0x6c0;

  for (guint i = 0; i < G_N_ELEMENTS (folder_layout); i++)
    {
      EwsSimFolder *folder = g_new0 (EwsSimFolder, 1);

      folder->mailbox = mailbox;
      folder->distinguished_id = folder_layout[i].id;
      folder->display_name = folder_layout[i].display_name;
      folder->folder_class = folder_layout[i].folder_class;
      folder->element = folder_layout[i].element;
      folder->id = encode_blob (folder_prefix, sizeof folder_prefix, mailbox->guid, 0x0300002e, 0x0108 + i);
      folder->change_key = ref_base64 (folder_ck, sizeof folder_ck);
      folder->log = g_ptr_array_new_with_free_func (log_entry_free);
      if (folder_layout[i].parent != NULL)
        folder->parent = ews_sim_mailbox_get_folder (mailbox, folder_layout[i].parent);
      g_ptr_array_add (mailbox->folders, folder);
    }

  return mailbox;
}

void
ews_sim_mailbox_free (EwsSimMailbox *mailbox)
{
  if (mailbox == NULL)
    return;
  g_hash_table_unref (mailbox->items);
  g_ptr_array_unref (mailbox->subscriptions);
  g_ptr_array_unref (mailbox->folders);
  g_free (mailbox->smtp);
  g_free (mailbox->display_name);
  g_free (mailbox);
}

EwsSimFolder *
ews_sim_mailbox_get_folder (EwsSimMailbox *mailbox,
                            const char    *distinguished_id)
{
  for (guint i = 0; i < mailbox->folders->len; i++)
    {
      EwsSimFolder *folder = g_ptr_array_index (mailbox->folders, i);

      if (g_strcmp0 (folder->distinguished_id, distinguished_id) == 0)
        return folder;
    }
  return NULL;
}

char *
ews_sim_item_new_id (EwsSimMailbox *mailbox,
                     EwsSimFolder  *folder)
{
  static const guint8 item_prefix[] = { 0x00, 0x03, 0x24, 0x00 };
  guint               folder_index = 0;

  for (guint i = 0; i < mailbox->folders->len; i++)
    if (g_ptr_array_index (mailbox->folders, i) == folder)
      folder_index = i;
  return encode_blob (item_prefix, sizeof item_prefix, mailbox->guid, 0x0046 | ((guint64)folder_index << 32), mailbox->next_serial++);
}

EwsSimItem *
ews_sim_item_new (EwsSimMailbox *mailbox,
                  EwsSimFolder  *folder,
                  EwsItemKind    kind)
{
  EwsSimItem *item = g_new0 (EwsSimItem, 1);

  item->folder = folder;
  item->kind = kind;
  item->id = ews_sim_item_new_id (mailbox, folder);
  item->status = EWS_TASK_STATUS_NOT_STARTED;
  item->required = g_ptr_array_new_with_free_func (g_free);
  item->optional = g_ptr_array_new_with_free_func (g_free);
  item->created = g_date_time_new_now_utc ();
  return item;
}

void
ews_sim_item_free (EwsSimItem *item)
{
  if (item == NULL)
    return;
  ews_sim_ref_string_clear (&item->id);
  ews_sim_ref_string_clear (&item->change_key);
  g_free (item->subject);
  g_free (item->body);
  g_free (item->location);
  g_free (item->organizer_name);
  g_free (item->organizer_email);
  g_free (item->last_modified_name);
  g_clear_pointer (&item->created, g_date_time_unref);
  g_clear_pointer (&item->last_modified, g_date_time_unref);
  g_clear_pointer (&item->start, g_date_time_unref);
  g_clear_pointer (&item->end, g_date_time_unref);
  g_clear_pointer (&item->due, g_date_time_unref);
  g_clear_pointer (&item->task_start, g_date_time_unref);
  g_ptr_array_unref (item->required);
  g_ptr_array_unref (item->optional);
  g_free (item);
}

/* Every change gets a new ChangeKey (type, length, mailbox guid, change number),
 * and records who made it. */
void
ews_sim_item_touch (EwsSimulator *sim,
                    EwsSimItem   *item,
                    const char   *user)
{
  guint8  blob[30] = { 0 };
  guint64 number = ++sim->change_number;

  blob[0] = item->kind == EWS_ITEM_KIND_TASK ? 0x13 : 0x0f;
  blob[4] = 0x16;
  memcpy (blob + 8, item->folder->mailbox->guid, 16);
  for (int i = 0; i < 6; i++)
    blob[29 - i] = (number >> (8 * i)) & 0xff;
  ews_sim_ref_string_clear (&item->change_key);
  item->change_key = ref_base64 (blob, sizeof blob);
  /* made and last modified at once when it is new */
  if (item->last_modified == NULL && item->created != NULL)
    item->last_modified = g_date_time_ref (item->created);
  else
    {
      g_clear_pointer (&item->last_modified, g_date_time_unref);
      item->last_modified = g_date_time_new_now_utc ();
    }
  if (user != NULL)
    {
      EwsSimMailbox *who = ews_sim_lookup_mailbox (sim, user);

      g_free (item->last_modified_name);
      item->last_modified_name = g_strdup (who != NULL ? who->display_name : user);
    }
}

void
ews_sim_folder_log (EwsSimFolder *folder,
                    EwsSimLogType type,
                    EwsSimItem   *item)
{
  EwsSimLogEntry *entry = g_new0 (EwsSimLogEntry, 1);

  entry->type = type;
  entry->item_id = ews_sim_ref_string_acquire (item->id);
  entry->change_key = ews_sim_ref_string_acquire (item->change_key);
  entry->is_task = item->kind == EWS_ITEM_KIND_TASK;
  g_ptr_array_add (folder->log, entry);
}

/* SyncState: a magic, the position in the folder's change log and the folder id,
 * so a state is only accepted for the folder it came from. */
#define SYNC_STATE_MAGIC "EwsSimSync1"

char *
ews_sim_sync_state_encode (EwsSimFolder *folder,
                           guint         position)
{
  g_autofree char *plain = g_strdup_printf (SYNC_STATE_MAGIC ":%u:%s", position, folder->id);

  return g_base64_encode ((const guchar *)plain, strlen (plain));
}

gboolean
ews_sim_sync_state_decode (EwsSimFolder *folder,
                           const char   *state,
                           guint        *position)
{
  g_autofree guchar *raw = NULL;
  g_autofree char   *plain = NULL;
  g_auto (GStrv) parts = NULL;
  gsize   len = 0;
  guint64 value = 0;

  raw = g_base64_decode (state, &len);
  if (raw == NULL || len == 0)
    return FALSE;
  plain = g_strndup ((const char *)raw, len);
  parts = g_strsplit (plain, ":", 3);
  if (g_strv_length (parts) != 3 || strcmp (parts[0], SYNC_STATE_MAGIC) != 0 || strcmp (parts[2], folder->id) != 0)
    return FALSE;
  if (!g_ascii_string_to_unsigned (parts[1], 10, 0, folder->log->len, &value, NULL))
    return FALSE;
  *position = (guint)value;
  return TRUE;
}

/* Watermarks look like Exchange's 13-byte blobs: four zero bytes, a 64-bit
 * counter, a trailing 1. */
char *
ews_sim_watermark_encode (guint64 value)
{
  guint8 blob[13] = { 0 };

  for (int i = 0; i < 8; i++)
    blob[4 + i] = (value >> (8 * i)) & 0xff;
  blob[12] = 1;
  return g_base64_encode (blob, sizeof blob);
}

gboolean
ews_sim_watermark_decode (const char *text,
                          guint64    *value)
{
  g_autofree guchar *blob = NULL;
  gsize              len = 0;

  if (text == NULL)
    return FALSE;
  blob = g_base64_decode (text, &len);
  if (blob == NULL || len != 13 || blob[12] != 1)
    return FALSE;
  *value = 0;
  for (int i = 0; i < 8; i++)
    *value |= ((guint64)blob[4 + i]) << (8 * i);
  return TRUE;
}

char *
ews_sim_new_subscription_id (EwsSubscriptionKind kind)
{
  static const char host[] = "sim01mb001.simulator.example.com";
  g_autoptr (GByteArray) blob = NULL;
  guint8 marker[2] = { sizeof host - 1, 0 };

  if (kind != EWS_SUBSCRIPTION_STREAMING)
    return g_uuid_string_random ();

  blob = g_byte_array_new ();
  g_byte_array_append (blob, marker, sizeof marker);
  g_byte_array_append (blob, (const guint8 *)host, sizeof host - 1);
  marker[0] = 0x10;
  g_byte_array_append (blob, marker, 1);
  for (int i = 0; i < 4; i++)
    {
      guint32 r = g_random_int ();

      g_byte_array_append (blob, (const guint8 *)&r, sizeof r);
    }
  return g_base64_encode (blob->data, blob->len);
}
