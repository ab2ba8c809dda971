/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-item-store"

#include <string.h>

#include "ewn-item-store-private.h"

/* The framing every file of the store is written in, records, snapshots and journals
 * alike: varints, strings of a varint length, and times in microseconds. */

/* Writing */

/* Writes @value as a varint at @bytes (room for EWN_STORE_VARINT_MAX), returns its length. */
guint
ewn_store_encode_varint (guint8 *bytes,
                         guint64 value)
{
  guint n = 0;

  do
    {
      bytes[n++] = (value & 0x7f) | (value >= 0x80 ? 0x80 : 0);
      value >>= 7;
    }
  while (value != 0);
  return n;
}

void
ewn_store_put_varint (GByteArray *out,
                      guint64     value)
{
  guint8 bytes[EWN_STORE_VARINT_MAX];

  g_byte_array_append (out, bytes, ewn_store_encode_varint (bytes, value));
}

#define WRITER_CHUNK 512

void
ewn_store_writer_init (EwnStoreWriter *writer,
                       GByteArray     *out)
{
  writer->out = out;
  writer->pos = writer->end = out != NULL ? out->len : 0;
}

void
ewn_store_writer_grow (EwnStoreWriter *writer,
                       gsize           length)
{
  g_byte_array_set_size (writer->out, (guint)(writer->pos + MAX (length, WRITER_CHUNK)));
  writer->end = writer->out->len;
}

void
ewn_store_writer_finish (EwnStoreWriter *writer)
{
  if (writer->out != NULL)
    g_byte_array_set_size (writer->out, (guint)writer->pos);
}

/* A string of the framing: varint length, bytes. */
void
ewn_store_put_string (GByteArray *out,
                      const char *text)
{
  gsize length = strlen (text);

  ewn_store_put_varint (out, length);
  g_byte_array_append (out, (const guint8 *)text, length);
}

/* The same, or 0 for none and length + 1 for a string. */
void
ewn_store_put_nullable (GByteArray *out,
                        const char *text)
{
  gsize length;

  if (text == NULL)
    {
      ewn_store_put_varint (out, 0);
      return;
    }
  length = strlen (text);
  ewn_store_put_varint (out, (guint64)length + 1);
  g_byte_array_append (out, (const guint8 *)text, length);
}

/* Reading: every length is checked, so a damaged file can only fail to load. */

guint64
ewn_store_read_varint (EwnStoreReader *reader)
{
  guint64 value = 0;

  for (guint shift = 0; shift < 64; shift += 7)
    {
      guint8 byte;

      if (reader->pos >= reader->end)
        break;
      byte = *reader->pos++;
      value |= (guint64)(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        return value;
    }
  reader->failed = TRUE;
  reader->pos = reader->end;
  return 0;
}

guint8
ewn_store_read_byte (EwnStoreReader *reader)
{
  if (reader->pos >= reader->end)
    {
      reader->failed = TRUE;
      return 0;
    }
  return *reader->pos++;
}

const guint8 *
ewn_store_read_bytes (EwnStoreReader *reader,
                      gsize           length)
{
  const guint8 *bytes = reader->pos;

  if (length > (gsize)(reader->end - reader->pos))
    {
      reader->failed = TRUE;
      reader->pos = reader->end;
      return NULL;
    }
  reader->pos += length;
  return bytes;
}

/* Reads a string of the framing; %NULL for none (when @nullable) or on failure. */
char *
ewn_store_read_string (EwnStoreReader *reader,
                       gboolean        nullable)
{
  guint64       length = ewn_store_read_varint (reader);
  const guint8 *bytes;

  if (nullable)
    {
      if (length == 0)
        return NULL;
      length--;
    }
  bytes = ewn_store_read_bytes (reader, length);
  return bytes != NULL ? g_strndup ((const char *)bytes, length) : NULL;
}
