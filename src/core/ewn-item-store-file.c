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

/* The store's files: checksums, journal record framing, snapshots written as they
 * are made and installed atomically, and reading both back. What goes inside a
 * record is ewn-item-store-format.c's. */

/* Checksums: CRC-32 as in zlib and PNG, eight bytes at a time (slicing-by-8). */

static guint32 crc_tables[8][256];

static gpointer
init_crc_tables (gpointer data)
{
  for (guint32 i = 0; i < 256; i++)
    {
      guint32 c = i;

      for (int k = 0; k < 8; k++)
        c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      crc_tables[0][i] = c;
    }
  for (guint32 i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++)
      crc_tables[t][i] = (crc_tables[t - 1][i] >> 8) ^ crc_tables[0][crc_tables[t - 1][i] & 0xff];
  return NULL;
}

/* Start with 0 and feed the result back to continue. */
guint32
ewn_store_crc32 (guint32       crc,
                 gconstpointer data,
                 gsize         length)
{
  static GOnce  once = G_ONCE_INIT;
  const guint8 *bytes = data;

  g_once (&once, init_crc_tables, NULL);

  crc = ~crc;
  for (; length >= 8; length -= 8, bytes += 8)
    {
      guint32 low = crc ^ ((guint32)bytes[0] | (guint32)bytes[1] << 8 | (guint32)bytes[2] << 16 | (guint32)bytes[3] << 24);

      crc = crc_tables[7][low & 0xff] ^ crc_tables[6][(low >> 8) & 0xff] ^ crc_tables[5][(low >> 16) & 0xff] ^ crc_tables[4][low >> 24] ^ crc_tables[3][bytes[4]] ^ crc_tables[2][bytes[5]] ^ crc_tables[1][bytes[6]] ^ crc_tables[0][bytes[7]];
    }
  for (; length > 0; length--, bytes++)
    crc = crc_tables[0][(crc ^ *bytes) & 0xff] ^ (crc >> 8);
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

/* Fills the header of the record that @record holds: EWN_STORE_RECORD_HEADER_SIZE
 * bytes, then the payload; @length covers both. */
void
ewn_store_frame_record (guint8 *record,
                        gsize   length,
                        guint64 seq)
{
  put_u32 (record, length - EWN_STORE_RECORD_HEADER_SIZE);
  put_u64 (record + 8, seq);
  put_u32 (record + 4, ewn_store_crc32 (0, record + 8, length - 8));
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

/* Snapshots are written as they are made, in pieces of this size: a whole one in
 * memory cost its size in fresh pages every time. */
#define SNAPSHOT_FLUSH_SIZE (256 * 1024)

struct _EwnStoreSnapshotFile
{
  char       *temp;
  int         fd;
  GByteArray *buffer;
  guint32     crc; /* of the payload written so far */
  guint64     length;
  int         error; /* errno of the first failure */
};

/**
 * ewn_store_snapshot_file_new:
 *
 * A temporary file beside the snapshot, to write a new one into: the payload with
 * ewn_store_snapshot_file_flush(), then the header with
 * ewn_store_snapshot_file_finish(); ewn_store_snapshot_file_install() makes it
 * the snapshot.
 */
EwnStoreSnapshotFile *
ewn_store_snapshot_file_new (const char *dir,
                             GError    **error)
{
  static const guint8   header[EWN_STORE_SNAPSHOT_HEADER_SIZE] = { 0 };
  EwnStoreSnapshotFile *file = g_new0 (EwnStoreSnapshotFile, 1);

  file->temp = g_build_filename (dir, EWN_STORE_TEMP_PREFIX "XXXXXX", NULL);
  file->fd = g_mkstemp_full (file->temp, O_WRONLY | O_CLOEXEC, 0600);
  if (file->fd < 0 || !ewn_store_write_all (file->fd, header, sizeof header))
    {
      set_errno_error (error, errno, "Could not create", file->temp);
      ewn_store_snapshot_file_free (file);
      return NULL;
    }
  file->buffer = g_byte_array_sized_new (SNAPSHOT_FLUSH_SIZE + 4096);
  return file;
}

/* Deletes the file unless it was installed. */
void
ewn_store_snapshot_file_free (EwnStoreSnapshotFile *file)
{
  if (file->fd >= 0)
    {
      close (file->fd);
      g_unlink (file->temp);
    }
  g_free (file->temp);
  g_clear_pointer (&file->buffer, g_byte_array_unref);
  g_free (file);
}

/* Where the payload goes; ewn_store_snapshot_file_flush() writes it out. */
GByteArray *
ewn_store_snapshot_file_get_buffer (EwnStoreSnapshotFile *file)
{
  return file->buffer;
}

/* Writes the buffer out once it is big enough, or with @all at the end. */
void
ewn_store_snapshot_file_flush (EwnStoreSnapshotFile *file,
                               gboolean              all)
{
  if (file->buffer->len == 0 || (!all && file->buffer->len < SNAPSHOT_FLUSH_SIZE))
    return;
  file->crc = ewn_store_crc32 (file->crc, file->buffer->data, file->buffer->len);
  file->length += file->buffer->len;
  if (file->error == 0 && !ewn_store_write_all (file->fd, file->buffer->data, file->buffer->len))
    file->error = errno;
  g_byte_array_set_size (file->buffer, 0);
}

/* The payload's length, once finished. */
guint64
ewn_store_snapshot_file_get_length (EwnStoreSnapshotFile *file)
{
  return file->length;
}

/**
 * ewn_store_snapshot_file_finish:
 *
 * Writes what is left of the payload and the header (its checksum covers the
 * payload, then the header's first 28 bytes), without syncing anything.
 */
gboolean
ewn_store_snapshot_file_finish (EwnStoreSnapshotFile *file,
                                guint64               last_seq,
                                guint64               next_gen,
                                GError              **error)
{
  guint8 header[EWN_STORE_SNAPSHOT_HEADER_SIZE];

  ewn_store_snapshot_file_flush (file, TRUE);
  if (file->error == 0 && file->length > G_MAXUINT32)
    file->error = EFBIG;
  if (file->error != 0)
    return set_errno_error (error, file->error, "Could not write", file->temp);

  memcpy (header, "EWNS", 4);
  put_u32 (header + 4, EWN_STORE_FORMAT_VERSION);
  put_u64 (header + 8, last_seq);
  put_u64 (header + 16, next_gen);
  put_u32 (header + 24, (guint32)file->length);
  put_u32 (header + 28, ewn_store_crc32 (file->crc, header, 28));
  if (pwrite (file->fd, header, sizeof header, 0) != sizeof header)
    return set_errno_error (error, errno, "Could not write", file->temp);
  return TRUE;
}

/**
 * ewn_store_snapshot_file_install:
 *
 * Makes the finished file @dir's snapshot: fsync, rename, fsync of the folder.
 * Either the old or the new snapshot is there whenever the process or the machine
 * stops.
 */
gboolean
ewn_store_snapshot_file_install (EwnStoreSnapshotFile *file,
                                 const char           *dir,
                                 GError              **error)
{
  g_autofree char *final = g_build_filename (dir, EWN_STORE_SNAPSHOT_NAME, NULL);
  int              fd = file->fd;
  gboolean         written = fsync (fd) == 0;
  int              saved_errno = errno;

  file->fd = -1;
  if (close (fd) != 0 && written)
    {
      written = FALSE;
      saved_errno = errno;
    }
  if (!written)
    {
      g_unlink (file->temp);
      return set_errno_error (error, saved_errno, "Could not write", file->temp);
    }
  if (g_rename (file->temp, final) != 0)
    {
      saved_errno = errno;
      g_unlink (file->temp);
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

static gboolean
known_version (guint32 version)
{
  return version == EWN_STORE_FORMAT_VERSION || version == EWN_STORE_FORMAT_VERSION_1;
}

/**
 * ewn_store_read_snapshot:
 * @version: (out): the format of the payload
 *
 * Returns: (transfer full) (nullable): the snapshot's payload, its checksum verified
 */
GBytes *
ewn_store_read_snapshot (const char *file,
                         guint32    *version,
                         guint64    *last_seq,
                         guint64    *next_gen,
                         GError    **error)
{
  g_autoptr (GBytes) bytes = NULL;
  const guint8 *data;
  gsize         size;
  guint32       payload_len;
  guint32       crc;

  bytes = read_file (file, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &size);

  if (size < EWN_STORE_SNAPSHOT_HEADER_SIZE || memcmp (data, "EWNS", 4) != 0)
    return set_corrupt_error (error, file, "not a snapshot"), NULL;
  if (!known_version (get_u32 (data + 4)))
    return set_corrupt_error (error, file, "unknown version"), NULL;
  payload_len = get_u32 (data + 24);
  if (payload_len != size - EWN_STORE_SNAPSHOT_HEADER_SIZE)
    return set_corrupt_error (error, file, "wrong length"), NULL;
  if (get_u32 (data + 4) == EWN_STORE_FORMAT_VERSION_1)
    crc = ewn_store_crc32 (ewn_store_crc32 (0, data, 28), data + EWN_STORE_SNAPSHOT_HEADER_SIZE, payload_len);
  else
    crc = ewn_store_crc32 (ewn_store_crc32 (0, data + EWN_STORE_SNAPSHOT_HEADER_SIZE, payload_len), data, 28);
  if (get_u32 (data + 28) != crc)
    return set_corrupt_error (error, file, "checksum mismatch"), NULL;

  *version = get_u32 (data + 4);
  *last_seq = get_u64 (data + 8);
  *next_gen = get_u64 (data + 16);
  return g_bytes_new_from_bytes (bytes, EWN_STORE_SNAPSHOT_HEADER_SIZE, payload_len);
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
  gsize         offset = EWN_STORE_JOURNAL_HEADER_SIZE;
  guint32       version;

  bytes = read_file (file, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);

  /* A crash right after the file was created leaves it shorter than its header. */
  if (size < EWN_STORE_JOURNAL_HEADER_SIZE)
    return TRUE;
  if (memcmp (data, "EWNJ", 4) != 0)
    return set_corrupt_error (error, file, "not a journal");
  version = get_u32 (data + 4);
  if (!known_version (version))
    return set_corrupt_error (error, file, "unknown version");

  while (size - offset >= EWN_STORE_RECORD_HEADER_SIZE)
    {
      const guint8 *record = data + offset;
      guint32       payload_len = get_u32 (record);
      g_autoptr (GBytes) payload = NULL;

      if (payload_len > size - offset - EWN_STORE_RECORD_HEADER_SIZE)
        break; /* torn */
      if (get_u32 (record + 4) != ewn_store_crc32 (0, record + 8, 8 + payload_len))
        break;
      payload = g_bytes_new_from_bytes (bytes, offset + EWN_STORE_RECORD_HEADER_SIZE, payload_len);
      if (!func (version, get_u64 (record + 8), payload, user_data))
        break;
      offset += EWN_STORE_RECORD_HEADER_SIZE + payload_len;
    }
  return TRUE;
}
