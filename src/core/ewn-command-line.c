/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ewn-command-line.h"

/* What the headless mode and the desktop application share for an account given on
 * the command line: the password from standard input, the account's id, and its
 * client. */

/**
 * ewn_command_line_read_password:
 *
 * Reads the first line of standard input; typed by a person on a terminal, it asks
 * and does not echo.
 *
 * Returns: (transfer full): the password, or %NULL with @error set when there is none
 */
char *
ewn_command_line_read_password (GError **error)
{
  g_autoptr (GString) line = g_string_new (NULL);
  struct termios saved;
  gboolean       terminal = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
  int            c;

  if (terminal)
    {
      struct termios quiet = saved;

      quiet.c_lflag &= (tcflag_t)~ECHO;
      g_printerr ("%s", _("Password: "));
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  while ((c = fgetc (stdin)) != EOF && c != '\n')
    g_string_append_c (line, (char)c);
  if (terminal)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }

  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  if (line->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("No password on standard input"));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/**
 * ewn_command_line_account_id:
 *
 * Returns: (transfer full): a readable, file-name-safe id such as
 *   "alice@mail.example.com"
 */
char *
ewn_command_line_account_id (const char *url,
                             const char *user)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *id = g_strdup_printf ("%s@%s", user, uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "server");

  return g_strcanon (g_steal_pointer (&id), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.-_", '_');
}

/**
 * ewn_command_line_new_client:
 * @server: the EWS URL
 * @user: the user name
 * @password: (nullable): the password, wiped once used; %NULL to sign in with the
 *   session's Kerberos ticket (--kerberos)
 *
 * With a password the client signs in as a new account does by default: with the
 * strongest scheme the server offers (Kerberos when there is a ticket, NTLM, Basic).
 *
 * Returns: (transfer full): the client
 */
EwsClient *
ewn_command_line_new_client (const char *server,
                             const char *user,
                             char       *password)
{
  EwsClient *client = ews_client_new (server);

  ews_client_set_credentials (client, user, password);
  ews_client_set_auth_mechanism (client, password != NULL ? EWS_AUTH_AUTOMATIC : EWS_AUTH_NEGOTIATE);
  if (password != NULL)
    memset (password, 0, strlen (password));
  if (strchr (user, '@') != NULL)
    ews_client_set_anchor_mailbox (client, user);
  return client;
}
