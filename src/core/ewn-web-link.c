/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-web-link"

#include "config.h"

#include "ewn-web-link.h"

/* An item's Outlook on the web link, as the server gives it in
 * WebClientReadFormQueryString: a whole URL (Exchange 2013 and later) or a query for
 * the OWA of the EWS host (Exchange 2010). A link is only ever opened if it is https
 * and on the account's own host: a server's text never sends anyone elsewhere. */

/**
 * ewn_web_link_for_item:
 * @ews_url: the account's EWS URL
 * @read_form_link: (nullable): WebClientReadFormQueryString
 *
 * Returns: (transfer full) (nullable): the URL to open, or %NULL when there is none
 *   or it is refused (which is logged)
 */
char *
ewn_web_link_for_item (const char *ews_url,
                       const char *read_form_link)
{
  g_autoptr (GUri) ews = NULL;
  g_autoptr (GUri) link = NULL;
  g_autoptr (GUri) owa = NULL;

  if (ews_url == NULL || read_form_link == NULL || *read_form_link == '\0')
    return NULL;

  /* An account without TLS has no web link that could be trusted: say nothing. */
  ews = g_uri_parse (ews_url, G_URI_FLAGS_ENCODED, NULL);
  if (ews == NULL || g_uri_get_host (ews) == NULL || g_strcmp0 (g_uri_get_scheme (ews), "https") != 0)
    return NULL;

  if (g_uri_peek_scheme (read_form_link) != NULL)
    link = g_uri_parse (read_form_link, G_URI_FLAGS_ENCODED, NULL);
  else
    {
      g_autofree char *base = g_strdup_printf ("%s://%s/owa/", g_uri_get_scheme (ews), g_uri_get_host (ews));

      owa = g_uri_parse (base, G_URI_FLAGS_ENCODED, NULL);
      link = owa != NULL ? g_uri_parse_relative (owa, read_form_link, G_URI_FLAGS_ENCODED, NULL) : NULL;
    }

  if (link == NULL)
    {
      g_message ("Refused a web link the server gave: it is not a URL");
      return NULL;
    }
  if (g_strcmp0 (g_uri_get_scheme (link), "https") != 0 || g_ascii_strcasecmp (g_uri_get_host (link) != NULL ? g_uri_get_host (link) : "", g_uri_get_host (ews)) != 0 || g_uri_get_userinfo (link) != NULL)
    {
      /* Only the host is logged: the rest may carry item ids. */
      g_message ("Refused a web link the server gave: not https on %s (it was %s on %s)", g_uri_get_host (ews),
                 g_uri_get_scheme (link), g_uri_get_host (link) != NULL ? g_uri_get_host (link) : "no host");
      return NULL;
    }
  return g_uri_to_string (link);
}
