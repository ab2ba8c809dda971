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

G_END_DECLS
