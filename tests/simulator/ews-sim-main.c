/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-sim-main"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ews-sim-kdc.h"
#include "ews-simulator.h"

#include "ews-sim-demo.h"

/* `ews-simulator --port PORT --user NAME:PASSWORD … [--tls] [--keepalive S]
 * [--demo [--demo-interval S]]`: prints "url=<EWS URL>" first, then serves until
 * SIGTERM or SIGINT. */

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— a small EWS server for tests and demos");
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsSimulator) sim = NULL;
  g_autoptr (EwsSimKdc) kdc = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GMainLoop) loop = NULL;
  g_auto (GStrv) users = NULL;
  g_autofree char   *demo_password = NULL;
  g_autofree char   *first_smtp = NULL;
  int                port = 0;
  int                keepalive = 0;
  int                demo_interval = 4;
  gboolean           tls = FALSE;
  gboolean           ntlm = FALSE;
  gboolean           kerberos = FALSE;
  gboolean           demo = FALSE;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0 = any free port)", "PORT" },
    { "user", 0, 0, G_OPTION_ARG_STRING_ARRAY, &users, "A user with a mailbox (repeatable)", "NAME:PASSWORD" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls, "Serve HTTPS with a generated self-signed certificate", NULL },
    { "ntlm", 0, 0, G_OPTION_ARG_NONE, &ntlm, "Offer NTLM sign-in (NTLMv2) beside Basic, as IIS does", NULL },
    { "kerberos", 0, 0, G_OPTION_ARG_NONE, &kerberos, "Offer Kerberos (Negotiate) beside NTLM and Basic, with a realm of its own; the first user gets a ticket", NULL },
    { "keepalive", 0, 0, G_OPTION_ARG_INT, &keepalive, "Seconds between streaming keep-alives", "SECONDS" },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo, "A colleague keeps changing the first user's mailbox", NULL },
    { "demo-interval", 0, 0, G_OPTION_ARG_INT, &demo_interval, "Seconds between demo changes (default 4)", "SECONDS" },
    { NULL },
  };

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("Invalid port %d\n", port);
      return 2;
    }

  sim = ews_simulator_new ();
  ews_simulator_set_ntlm (sim, ntlm);
  for (guint i = 0; users != NULL && users[i] != NULL; i++)
    {
      const char      *colon = strchr (users[i], ':');
      g_autofree char *name = colon != NULL ? g_strndup (users[i], colon - users[i]) : NULL;

      if (name == NULL || name[0] == '\0')
        {
          g_printerr ("--user takes NAME:PASSWORD\n");
          return 2;
        }
      ews_simulator_add_user (sim, name, colon + 1);
      g_ptr_array_add (names, g_strdup (name));
      if (first_smtp == NULL)
        first_smtp = strchr (name, '@') != NULL ? g_strdup (name) : g_strdup_printf ("%s@example.com", name);
    }
  if (first_smtp == NULL)
    {
      g_printerr ("At least one --user is needed\n");
      return 2;
    }
  if (demo)
    {
      demo_password = g_uuid_string_random ();
      ews_simulator_add_user (sim, "colleague", demo_password);
    }
  if (kerberos)
    {
      g_ptr_array_add (names, NULL);
      kdc = ews_sim_kdc_start ((const char *const *)names->pdata, &error);
      if (kdc == NULL || !ews_simulator_set_kerberos (sim, ews_sim_kdc_get_service_keytab (kdc), &error)
          || !ews_sim_kdc_kinit (kdc, g_ptr_array_index (names, 0), &error))
        {
          g_printerr ("Cannot set up Kerberos: %s\n", error->message);
          return 1;
        }
    }
  if (keepalive > 0)
    ews_simulator_set_keepalive_interval (sim, (guint)keepalive * 1000);
  if (!ews_simulator_listen (sim, (guint16)port, tls, &error))
    {
      g_printerr ("Cannot listen: %s\n", error->message);
      return 1;
    }

  printf ("url=%s\n", ews_simulator_get_url (sim));
  if (tls)
    printf ("certificate=%s\n", ews_simulator_get_certificate_file (sim));
  if (kerberos)
    {
      /* What a client needs in its environment to sign in with the ticket. */
      printf ("KRB5_CONFIG=%s\n", ews_sim_kdc_get_config_file (kdc));
      printf ("KRB5CCNAME=%s\n", ews_sim_kdc_get_cache (kdc));
    }
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  if (demo)
    ews_sim_demo_start (ews_simulator_get_url (sim), "colleague", demo_password, first_smtp, (guint)demo_interval);
  g_main_loop_run (loop);
  ews_sim_demo_stop ();
  return 0;
}
