/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-item-store"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ewn-item-store-private.h"

#define SNAPSHOT_HEADER_SIZE 32
#define JOURNAL_HEADER_SIZE  8
#define RECORD_HEADER_SIZE   16

/* Serialisation of one item */

static void
add_string (GVariantBuilder *builder,
            const char      *text)
{
  GVariant *child = NULL;

  if (text != NULL)
    {
      /* The file must stay loadable whatever the server sent. */
      if (g_utf8_validate (text, -1, NULL))
        child = g_variant_new_string (text);
      else
        child = g_variant_new_take_string (g_utf8_make_valid (text, -1));
    }
  g_variant_builder_add_value (builder, g_variant_new_maybe (G_VARIANT_TYPE_STRING, child));
}

static void
add_time (GVariantBuilder *builder,
          GDateTime       *date_time)
{
  GVariant *child = NULL;

  if (date_time != NULL)
    child = g_variant_new_int64 (g_date_time_to_unix (date_time) * G_USEC_PER_SEC + g_date_time_get_microsecond (date_time));
  g_variant_builder_add_value (builder, g_variant_new_maybe (G_VARIANT_TYPE_INT64, child));
}

static GVariant *
attendees_to_variant (GPtrArray *attendees)
{
  GVariantBuilder builder;

  if (attendees == NULL)
    return g_variant_new_maybe (G_VARIANT_TYPE ("a(msmsmsb)"), NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(msmsmsb)"));
  for (guint i = 0; i < attendees->len; i++)
    {
      EwsAttendee *attendee = g_ptr_array_index (attendees, i);

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("(msmsmsb)"));
      add_string (&builder, attendee->name);
      add_string (&builder, attendee->email);
      add_string (&builder, attendee->response);
      g_variant_builder_add (&builder, "b", attendee->required);
      g_variant_builder_close (&builder);
    }
  return g_variant_new_maybe (NULL, g_variant_builder_end (&builder));
}

static GVariant *
error_to_variant (const GError *error)
{
  GVariant *child = NULL;

  if (error != NULL)
    {
      const char *domain = g_quark_to_string (error->domain);

      child = g_variant_new ("(sis)", domain != NULL ? domain : "", error->code,
                             g_utf8_validate (error->message, -1, NULL) ? error->message : "");
    }
  return g_variant_new_maybe (G_VARIANT_TYPE ("(sis)"), child);
}

static GVariant *
item_to_variant (const EwsItem *item)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE (EWN_STORE_ITEM_TYPE));
  g_variant_builder_add (&builder, "u", (guint32)item->kind);
  add_string (&builder, item->id);
  add_string (&builder, item->change_key);
  add_string (&builder, item->parent_folder_id);
  add_string (&builder, item->item_class);
  add_string (&builder, item->subject);
  add_string (&builder, item->body_preview);
  add_string (&builder, item->last_modified_name);
  add_time (&builder, item->last_modified_time);
  add_string (&builder, item->web_client_read_form_query_string);
  add_time (&builder, item->start);
  add_time (&builder, item->end);
  g_variant_builder_add (&builder, "b", item->is_all_day);
  add_string (&builder, item->location);
  add_string (&builder, item->organizer_name);
  add_string (&builder, item->organizer_email);
  g_variant_builder_add (&builder, "b", item->is_cancelled);
  add_string (&builder, item->my_response_type);
  g_variant_builder_add_value (&builder, attendees_to_variant (item->attendees));
  add_time (&builder, item->due_date);
  add_time (&builder, item->task_start_date);
  g_variant_builder_add (&builder, "u", (guint32)item->status);
  g_variant_builder_add (&builder, "i", (gint32)item->percent_complete);
  g_variant_builder_add (&builder, "b", item->is_complete);
  g_variant_builder_add_value (&builder, error_to_variant (item->error));
  return g_variant_builder_end (&builder);
}

/**
 * ewn_store_entry_new:
 *
 * Returns: (transfer full): the item and its folder, already in serialised form so
 *   that other threads only ever read it
 */
GVariant *
ewn_store_entry_new (const char    *folder_id,
                     const EwsItem *item)
{
  GVariant *children[2];
  GVariant *entry;

  children[0] = g_variant_new_string (folder_id);
  children[1] = item_to_variant (item);
  entry = g_variant_ref_sink (g_variant_new_tuple (children, 2));
  (void)g_variant_get_data (entry);
  return entry;
}

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
  g_autoptr (GDateTime) seconds = NULL;
  gint64 usec;

  if (child == NULL)
    return NULL;
  usec = g_variant_get_int64 (child);
  /* floor division, so that times before 1970 keep their microseconds */
  seconds = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC - (usec % G_USEC_PER_SEC < 0 ? 1 : 0));
  if (seconds == NULL)
    return NULL;
  return g_date_time_add (seconds, ((usec % G_USEC_PER_SEC) + G_USEC_PER_SEC) % G_USEC_PER_SEC);
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
 * @entry: a value of type %EWN_STORE_ENTRY_TYPE in normal form
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

/* Checksums */

static guint32 crc_table[256];

static gpointer
init_crc_table (gpointer data)
{
  for (guint32 i = 0; i < 256; i++)
    {
      guint32 c = i;

      for (int k = 0; k < 8; k++)
        c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      crc_table[i] = c;
    }
  return NULL;
}

/* CRC-32 as in zlib and PNG; start with 0 and feed the result back to continue. */
guint32
ewn_store_crc32 (guint32       crc,
                 gconstpointer data,
                 gsize         length)
{
  static GOnce  once = G_ONCE_INIT;
  const guint8 *bytes = data;

  g_once (&once, init_crc_table, NULL);

  crc = ~crc;
  for (gsize i = 0; i < length; i++)
    crc = crc_table[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

/* Framing */

static void
put_u32 (guint8 *out,
         guint32 value)
{
  value = GUINT32_TO_LE (value);
  memcpy (out, &value, sizeof value);
}

static void
put_u64 (guint8 *out,
         guint64 value)
{
  value = GUINT64_TO_LE (value);
  memcpy (out, &value, sizeof value);
}

static guint32
get_u32 (const guint8 *in)
{
  guint32 value;

  memcpy (&value, in, sizeof value);
  return GUINT32_FROM_LE (value);
}

static guint64
get_u64 (const guint8 *in)
{
  guint64 value;

  memcpy (&value, in, sizeof value);
  return GUINT64_FROM_LE (value);
}

/* Stores @payload after @header_size bytes of a new buffer, in little-endian order. */
static guint8 *
serialise (GVariant *payload,
           gsize     header_size,
           gsize    *length)
{
  g_autoptr (GVariant) ordered = NULL;
  guint8 *buffer;

#if G_BYTE_ORDER == G_BIG_ENDIAN
  ordered = g_variant_byteswap (payload);
#else
  ordered = g_variant_ref (payload);
#endif
  *length = header_size + g_variant_get_size (ordered);
  buffer = g_malloc (*length);
  g_variant_store (ordered, buffer + header_size);
  return buffer;
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

guint8 *
ewn_store_frame_record (guint64   seq,
                        GVariant *payload,
                        gsize    *length)
{
  guint8 *record = serialise (payload, RECORD_HEADER_SIZE, length);

  put_u32 (record, *length - RECORD_HEADER_SIZE);
  put_u64 (record + 8, seq);
  put_u32 (record + 4, ewn_store_crc32 (0, record + 8, *length - 8));
  return record;
}

/* Sets errno on failure. */
gboolean
ewn_store_write_all (int           fd,
                     gconstpointer data,
                     gsize         length)
{
  const guint8 *bytes = data;

  while (length > 0)
    {
      gssize n = write (fd, bytes, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      bytes += n;
      length -= n;
    }
  return TRUE;
}

static gboolean
set_errno_error (GError    **error,
                 int         saved_errno,
                 const char *what,
                 const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s “%s”: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

gboolean
ewn_store_fsync_dir (const char *dir,
                     GError    **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;

  if (fd < 0)
    return set_errno_error (error, errno, "Could not open folder", dir);
  /* Some file systems cannot sync a folder; their renames are as durable as it gets. */
  if (fsync (fd) != 0 && errno != EINVAL)
    {
      saved_errno = errno;
      close (fd);
      return set_errno_error (error, saved_errno, "Could not sync folder", dir);
    }
  close (fd);
  return TRUE;
}

/**
 * ewn_store_write_snapshot:
 *
 * Replaces @dir's snapshot: temp file, fsync, rename, fsync of the folder. Either the
 * old or the new snapshot is there whenever the process or the machine stops.
 */
gboolean
ewn_store_write_snapshot (const char *dir,
                          GVariant   *payload,
                          guint64     last_seq,
                          guint64     next_gen,
                          GError    **error)
{
  g_autofree char   *final = g_build_filename (dir, EWN_STORE_SNAPSHOT_NAME, NULL);
  g_autofree char   *temp = g_build_filename (dir, EWN_STORE_TEMP_PREFIX "XXXXXX", NULL);
  g_autofree guint8 *buffer = NULL;
  gsize              length;
  gboolean           written;
  int                saved_errno;
  int                fd;

  buffer = serialise (payload, SNAPSHOT_HEADER_SIZE, &length);
  if (length - SNAPSHOT_HEADER_SIZE > G_MAXUINT32)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "Snapshot “%s” too large", final);
      return FALSE;
    }
  memcpy (buffer, "EWNS", 4);
  put_u32 (buffer + 4, EWN_STORE_FORMAT_VERSION);
  put_u64 (buffer + 8, last_seq);
  put_u64 (buffer + 16, next_gen);
  put_u32 (buffer + 24, length - SNAPSHOT_HEADER_SIZE);
  put_u32 (buffer + 28, ewn_store_crc32 (ewn_store_crc32 (0, buffer, 28), buffer + SNAPSHOT_HEADER_SIZE, length - SNAPSHOT_HEADER_SIZE));

  fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_errno_error (error, errno, "Could not create", temp);

  written = ewn_store_write_all (fd, buffer, length) && fsync (fd) == 0;
  saved_errno = errno;
  if (close (fd) != 0 && written)
    {
      written = FALSE;
      saved_errno = errno;
    }
  if (!written)
    {
      g_unlink (temp);
      return set_errno_error (error, saved_errno, "Could not write", temp);
    }
  if (g_rename (temp, final) != 0)
    {
      saved_errno = errno;
      g_unlink (temp);
      return set_errno_error (error, saved_errno, "Could not replace", final);
    }
  return ewn_store_fsync_dir (dir, error);
}

static gboolean
set_corrupt_error (GError    **error,
                   const char *path,
                   const char *why)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Damaged state file “%s”: %s", path, why);
  return FALSE;
}

/* A copy, not a mapping: a file truncated behind our back must not fault. */
static GBytes *
read_file (const char *file,
           GError    **error)
{
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (file, &contents, &length, error))
    return NULL;
  return g_bytes_new_take (contents, length);
}

/**
 * ewn_store_read_snapshot:
 *
 * Returns: (transfer full) (nullable): the snapshot's payload, checked: its type
 *   is %EWN_STORE_SNAPSHOT_TYPE and it is in normal form
 */
GVariant *
ewn_store_read_snapshot (const char *file,
                         guint64    *last_seq,
                         guint64    *next_gen,
                         GError    **error)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) payload_bytes = NULL;
  const guint8 *data;
  gsize         size;
  guint32       payload_len;
  GVariant     *payload;

  bytes = read_file (file, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &size);

  if (size < SNAPSHOT_HEADER_SIZE || memcmp (data, "EWNS", 4) != 0)
    return set_corrupt_error (error, file, "not a snapshot"), NULL;
  if (get_u32 (data + 4) != EWN_STORE_FORMAT_VERSION)
    return set_corrupt_error (error, file, "unknown version"), NULL;
  payload_len = get_u32 (data + 24);
  if (payload_len != size - SNAPSHOT_HEADER_SIZE)
    return set_corrupt_error (error, file, "wrong length"), NULL;
  if (get_u32 (data + 28) != ewn_store_crc32 (ewn_store_crc32 (0, data, 28), data + SNAPSHOT_HEADER_SIZE, payload_len))
    return set_corrupt_error (error, file, "checksum mismatch"), NULL;

  payload_bytes = g_bytes_new_from_bytes (bytes, SNAPSHOT_HEADER_SIZE, payload_len);
  payload = deserialise (payload_bytes, G_VARIANT_TYPE (EWN_STORE_SNAPSHOT_TYPE));
  if (payload == NULL)
    return set_corrupt_error (error, file, "malformed contents"), NULL;

  *last_seq = get_u64 (data + 8);
  *next_gen = get_u64 (data + 16);
  return payload;
}

gboolean
ewn_store_read_journal (const char        *file,
                        EwnStoreRecordFunc func,
                        gpointer           user_data,
                        GError           **error)
{
  g_autoptr (GBytes) bytes = NULL;
  const guint8 *data;
  gsize         size;
  gsize         offset = JOURNAL_HEADER_SIZE;

  bytes = read_file (file, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);

  /* A crash right after the file was created leaves it shorter than its header. */
  if (size < JOURNAL_HEADER_SIZE)
    return TRUE;
  if (memcmp (data, "EWNJ", 4) != 0)
    return set_corrupt_error (error, file, "not a journal");
  if (get_u32 (data + 4) != EWN_STORE_FORMAT_VERSION)
    return set_corrupt_error (error, file, "unknown version");

  while (size - offset >= RECORD_HEADER_SIZE)
    {
      const guint8 *record = data + offset;
      guint32       payload_len = get_u32 (record);
      g_autoptr (GBytes) payload_bytes = NULL;
      g_autoptr (GVariant) payload = NULL;

      if (payload_len > size - offset - RECORD_HEADER_SIZE)
        break; /* torn */
      if (get_u32 (record + 4) != ewn_store_crc32 (0, record + 8, 8 + payload_len))
        break;
      payload_bytes = g_bytes_new_from_bytes (bytes, offset + RECORD_HEADER_SIZE, payload_len);
      payload = deserialise (payload_bytes, G_VARIANT_TYPE (EWN_STORE_RECORD_TYPE));
      if (payload == NULL || !func (get_u64 (record + 8), payload, user_data))
        break;
      offset += RECORD_HEADER_SIZE + payload_len;
    }
  return TRUE;
}
