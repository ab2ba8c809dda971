/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

/* g_string_append_len() without a function call while @out has room, as GLib 2.76
 * inlines it: the writers of documents and JSON lines append small pieces by the
 * million in a burst. */
static inline void
ews_string_append_len (GString    *out,
                       const char *data,
                       gsize       length)
{
  if (G_LIKELY (out->len + length < out->allocated_len))
    {
      memcpy (out->str + out->len, data, length);
      out->len += length;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_len (out, data, (gssize)length);
}

static inline void
ews_string_append (GString    *out,
                   const char *text)
{
  ews_string_append_len (out, text, strlen (text));
}

/* g_str_hash() for the long ids of EWS (an ItemId is some 150 characters, most of
 * them alike from item to item): eight bytes a step instead of one. For the tables
 * keyed by ItemId and FolderId that a burst looks up several times a change. */
static inline guint
ews_id_hash (gconstpointer key)
{
  const char *text = key;
  gsize       length = strlen (text);
  guint64     hash = 0x9e3779b97f4a7c15u ^ length;
  guint64     word;

  for (; length >= sizeof word; length -= sizeof word, text += sizeof word)
    {
      memcpy (&word, text, sizeof word);
      hash = (hash ^ word) * 0xff51afd7ed558ccdu;
      hash ^= hash >> 32;
    }
  word = 0;
  memcpy (&word, text, length);
  hash ^= word;
  /* every bit of the last words into the low ones, which the table uses */
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdu;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53u;
  hash ^= hash >> 33;
  return (guint)hash;
}

G_END_DECLS
