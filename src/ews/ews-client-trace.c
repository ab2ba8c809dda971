/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-client"

#include "config.h"

#include <string.h>

#include "ews-client-private.h"

/* Headers whose whole value is a secret or a session token. */
static const char *const secret_headers[] = {
  "Authorization",
  "Proxy-Authorization",
  "Cookie",
  "Set-Cookie",
  "WWW-Authenticate",
  "Proxy-Authenticate",
};

static gboolean
is_secret_header (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (secret_headers); i++)
    if (g_ascii_strcasecmp (name, secret_headers[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Belt and braces: a password can never reach the log, wherever it hides. */
static void
scrub (GString    *text,
       const char *password)
{
  if (password != NULL && *password != '\0')
    g_string_replace (text, password, "[redacted]", 0);
}

void
ews_client_trace_headers (const char         *direction,
                          const char         *first_line,
                          SoupMessageHeaders *headers,
                          const char         *password)
{
  g_autoptr (GString) out = g_string_new (NULL);
  SoupMessageHeadersIter iter;
  const char            *name;
  const char            *value;

  g_string_append_printf (out, "%s %s", direction, first_line);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (out, "\n%s %s: %s", direction, name, is_secret_header (name) ? "[redacted]" : value);
  scrub (out, password);
  g_debug ("%s", out->str);
}

void
ews_client_trace_body (const char *direction,
                       const char *data,
                       gsize       length,
                       const char *password)
{
  g_autoptr (GString) out = g_string_new (NULL);

  g_string_append_printf (out, "%s body (%" G_GSIZE_FORMAT " bytes)\n", direction, length);
  g_string_append_len (out, data, (gssize)length);
  scrub (out, password);
  g_debug ("%s", out->str);
}
