/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-simulator"

#include "config.h"

#include <gio/gio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>

#include "ews-sim-kdc.h"

/* A throwaway Kerberos realm for the simulator: MIT's own KDC (krb5kdc) on a free
 * loopback port, its database, configuration and keytabs in a temporary directory.
 * The simulator's service principals are HTTP/127.0.0.1 and HTTP/example.com (the
 * name tests give it through a resolver of their own); each user gets a principal
 * of the same name with a random key, which a client keytab holds, so that kinit
 * needs no password at all. */

#define SERVICE_PRINCIPAL       "HTTP/127.0.0.1"
#define NAMED_SERVICE_PRINCIPAL "HTTP/example.com"
#define START_TIMEOUT_US        (10 * G_USEC_PER_SEC)

struct _EwsSimKdc
{
  char        *dir;
  char        *config;
  char        *profile;
  char        *service_keytab;
  char        *client_keytab;
  char        *cache;
  GSubprocess *kdc;
};

static char *
find_program (const char *name)
{
  char *path = g_find_program_in_path (name);

  /* The KDC's tools live in /usr/sbin, which a user's PATH often lacks. */
  if (path == NULL)
    path = g_build_filename ("/usr/sbin", name, NULL);
  return path;
}

static GSubprocessLauncher *
launcher_new (EwsSimKdc *kdc)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_setenv (launcher, "KRB5_CONFIG", kdc->config, TRUE);
  g_subprocess_launcher_setenv (launcher, "KRB5_KDC_PROFILE", kdc->profile, TRUE);
  g_subprocess_launcher_setenv (launcher, "KRB5CCNAME", kdc->cache, TRUE);
  return launcher;
}

/* Runs one of the realm's tools to its end; its error output becomes the error. */
static gboolean
run (EwsSimKdc         *kdc,
     const char *const *argv,
     GError           **error)
{
  g_autoptr (GSubprocessLauncher) launcher = launcher_new (kdc);
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *errors = NULL;

  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &errors, error))
    return FALSE;
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed: %s", argv[0], g_strstrip (errors));
      return FALSE;
    }
  return TRUE;
}

static gboolean
kadmin (EwsSimKdc  *kdc,
        const char *query,
        GError    **error)
{
  g_autofree char  *program = find_program ("kadmin.local");
  const char *const argv[] = { program, "-r", EWS_SIM_KDC_REALM, "-q", query, NULL };

  return run (kdc, argv, error);
}

static guint16
free_port (GError **error)
{
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  if (socket == NULL || !g_socket_bind (socket, any, FALSE, error))
    return 0;
  bound = g_socket_get_local_address (socket, error);
  return bound != NULL ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)) : 0;
}

static gboolean
write_configuration (EwsSimKdc *kdc,
                     guint16    port,
                     GError   **error)
{
  g_autofree char *config = NULL;
  g_autofree char *profile = NULL;

  /* No DNS at all: the realm is named, its KDC is given, host names are taken as they are. */
  config = g_strdup_printf ("[libdefaults]\n"
                            "  default_realm = " EWS_SIM_KDC_REALM "\n"
                            "  dns_lookup_kdc = false\n"
                            "  dns_lookup_realm = false\n"
                            "  rdns = false\n"
                            "  dns_canonicalize_hostname = false\n"
                            "  udp_preference_limit = 1\n"
                            "[realms]\n"
                            "  " EWS_SIM_KDC_REALM " = {\n"
                            "    kdc = 127.0.0.1:%u\n"
                            "  }\n"
                            "[domain_realm]\n"
                            "  127.0.0.1 = " EWS_SIM_KDC_REALM "\n",
                            port);
  profile = g_strdup_printf ("[kdcdefaults]\n"
                             "  kdc_listen = 127.0.0.1:%u\n"
                             "  kdc_tcp_listen = 127.0.0.1:%u\n"
                             "[realms]\n"
                             "  " EWS_SIM_KDC_REALM " = {\n"
                             "    database_name = %s/principal\n"
                             "    key_stash_file = %s/stash\n"
                             "    acl_file = %s/kadm5.acl\n"
                             "    max_life = 10h\n"
                             "  }\n"
                             "[logging]\n"
                             "  kdc = FILE:%s/kdc.log\n"
                             "  admin_server = FILE:%s/kadmin.log\n"
                             "  default = FILE:%s/krb5.log\n",
                             port, port, kdc->dir, kdc->dir, kdc->dir, kdc->dir, kdc->dir, kdc->dir);
  return g_file_set_contents (kdc->config, config, -1, error) && g_file_set_contents (kdc->profile, profile, -1, error);
}

static gboolean
wait_listening (EwsSimKdc *kdc,
                guint16    port,
                GError   **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_US;

  for (;;)
    {
      g_autoptr (GSocketConnection) connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

      if (connection != NULL)
        return TRUE;
      if (g_subprocess_get_identifier (kdc->kdc) == NULL || g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "krb5kdc did not start (see %s/kdc.log)", kdc->dir);
          return FALSE;
        }
      g_usleep (20 * 1000);
    }
}

/* The KDC goes when the test that started it does, however it ends. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts the KDC on a free port. Another program may take the port between the
 * moment it is found free and the KDC's start: then it is tried again on another. */
static gboolean
start_kdc (EwsSimKdc *kdc,
           GError   **error)
{
  g_autofree char *krb5kdc = find_program ("krb5kdc");

  for (guint attempt = 1;; attempt++)
    {
      g_autoptr (GSubprocessLauncher) launcher = launcher_new (kdc);
      g_autoptr (GError) local_error = NULL;
      guint16 port = free_port (error);

      if (port == 0 || !write_configuration (kdc, port, error))
        return FALSE;
      g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
      kdc->kdc = g_subprocess_launcher_spawn (launcher, error, krb5kdc, "-n", "-r", EWS_SIM_KDC_REALM, NULL);
      if (kdc->kdc == NULL)
        return FALSE;
      if (wait_listening (kdc, port, &local_error))
        return TRUE;
      g_subprocess_force_exit (kdc->kdc);
      g_subprocess_wait (kdc->kdc, NULL, NULL);
      g_clear_object (&kdc->kdc);
      if (attempt == 3)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
}

static gboolean
set_up (EwsSimKdc         *kdc,
        const char *const *users,
        GError           **error)
{
  g_autofree char *kdb5_util = find_program ("kdb5_util");
  g_autofree char *master_key = g_uuid_string_random ();
  g_autofree char *add_service = g_strdup_printf ("ktadd -k %s " SERVICE_PRINCIPAL " " NAMED_SERVICE_PRINCIPAL, kdc->service_keytab);
  g_autoptr (GString) add_users = g_string_new (NULL);

  /* The database's location is all its tools need of the configuration. */
  if (!write_configuration (kdc, 88, error))
    return FALSE;

  /* The database's master key guards nothing but this directory. */
  const char *const create[] = { kdb5_util, "-r", EWS_SIM_KDC_REALM, "create", "-s", "-P", master_key, NULL };
  if (!run (kdc, create, error) || !kadmin (kdc, "addprinc -randkey " SERVICE_PRINCIPAL, error)
      || !kadmin (kdc, "addprinc -randkey " NAMED_SERVICE_PRINCIPAL, error) || !kadmin (kdc, add_service, error))
    return FALSE;

  g_string_printf (add_users, "ktadd -k %s", kdc->client_keytab);
  for (guint i = 0; users[i] != NULL; i++)
    {
      g_autofree char *add = g_strdup_printf ("addprinc -randkey %s", users[i]);

      if (!kadmin (kdc, add, error))
        return FALSE;
      g_string_append_printf (add_users, " %s", users[i]);
    }
  return kadmin (kdc, add_users->str, error) && start_kdc (kdc, error);
}

/**
 * ews_sim_kdc_start:
 * @users: the user names to give principals, %NULL-terminated
 * @error: where to put an error
 *
 * Creates the realm %EWS_SIM_KDC_REALM and starts its KDC. This process's
 * Kerberos library is pointed at it (KRB5_CONFIG, KRB5CCNAME: call this before
 * any other thread starts), and so are the processes it starts from then on.
 * The ticket cache starts empty: see ews_sim_kdc_kinit().
 *
 * Returns: (transfer full): the running KDC, or %NULL with @error set
 */
EwsSimKdc *
ews_sim_kdc_start (const char *const *users,
                   GError           **error)
{
  g_autoptr (EwsSimKdc) kdc = g_new0 (EwsSimKdc, 1);
  g_autofree char *cache_file = NULL;

  kdc->dir = g_dir_make_tmp ("ews-sim-kdc-XXXXXX", error);
  if (kdc->dir == NULL)
    return NULL;
  kdc->config = g_build_filename (kdc->dir, "krb5.conf", NULL);
  kdc->profile = g_build_filename (kdc->dir, "kdc.conf", NULL);
  kdc->service_keytab = g_build_filename (kdc->dir, "service.keytab", NULL);
  kdc->client_keytab = g_build_filename (kdc->dir, "client.keytab", NULL);
  cache_file = g_build_filename (kdc->dir, "ccache", NULL);
  kdc->cache = g_strconcat ("FILE:", cache_file, NULL);

  g_setenv ("KRB5_CONFIG", kdc->config, TRUE);
  g_setenv ("KRB5CCNAME", kdc->cache, TRUE);
  /* No replay cache in /var/tmp: the realm lives and dies with the test. */
  g_setenv ("KRB5RCACHETYPE", "none", TRUE);

  if (!set_up (kdc, users, error))
    return NULL;
  return g_steal_pointer (&kdc);
}

/**
 * ews_sim_kdc_get_service_keytab:
 * @kdc: a running KDC
 *
 * Returns: the keytab of HTTP/127.0.0.1, for ews_simulator_set_kerberos()
 */
const char *
ews_sim_kdc_get_service_keytab (EwsSimKdc *kdc)
{
  return kdc->service_keytab;
}

/**
 * ews_sim_kdc_get_config_file:
 * @kdc: a running KDC
 *
 * Returns: the krb5.conf that points at the realm (KRB5_CONFIG)
 */
const char *
ews_sim_kdc_get_config_file (EwsSimKdc *kdc)
{
  return kdc->config;
}

/**
 * ews_sim_kdc_get_cache:
 * @kdc: a running KDC
 *
 * Returns: the ticket cache ews_sim_kdc_kinit() fills (KRB5CCNAME)
 */
const char *
ews_sim_kdc_get_cache (EwsSimKdc *kdc)
{
  return kdc->cache;
}

/**
 * ews_sim_kdc_kinit:
 * @kdc: a running KDC
 * @user: one of the users it was started with
 * @error: where to put an error
 *
 * Gets @user a ticket-granting ticket in the cache, as signing in to the domain
 * does; with the user's key from the client keytab, so no password is involved.
 *
 * Returns: %FALSE with @error set when kinit failed
 */
gboolean
ews_sim_kdc_kinit (EwsSimKdc  *kdc,
                   const char *user,
                   GError    **error)
{
  g_autofree char  *program = find_program ("kinit");
  const char *const argv[] = { program, "-k", "-t", kdc->client_keytab, "-c", kdc->cache, user, NULL };

  return run (kdc, argv, error);
}

/**
 * ews_sim_kdc_kdestroy:
 * @kdc: a running KDC
 * @error: where to put an error
 *
 * Empties the ticket cache, as kdestroy or an expired ticket leaves it.
 *
 * Returns: %FALSE with @error set when the cache could not be removed
 */
gboolean
ews_sim_kdc_kdestroy (EwsSimKdc *kdc,
                      GError   **error)
{
  const char *file = kdc->cache + strlen ("FILE:");

  if (g_unlink (file) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot remove %s: %s", file, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/**
 * ews_sim_kdc_set_answering:
 * @kdc: a running KDC
 * @answering: %FALSE to stop the KDC where it is, %TRUE to let it go on
 *
 * A KDC that does not answer, as one behind a VPN that is down: connections to it
 * are taken by the kernel, and no reply ever comes. Requests sent meanwhile are
 * answered once it goes on.
 */
void
ews_sim_kdc_set_answering (EwsSimKdc *kdc,
                           gboolean   answering)
{
  g_autofree char *stat_file = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (kdc->kdc));
  gint64           deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  g_subprocess_send_signal (kdc->kdc, answering ? SIGCONT : SIGSTOP);
  /* A signal stops a process only once it is scheduled: until then, a request
   * already on its way could still be answered. */
  while (!answering && g_get_monotonic_time () < deadline)
    {
      g_autofree char *stat = NULL;
      const char      *state;

      if (!g_file_get_contents (stat_file, &stat, NULL, NULL))
        break;
      state = strrchr (stat, ')');
      if (state != NULL && (state[2] == 'T' || state[2] == 't'))
        break;
      g_usleep (1000);
    }
}

/**
 * ews_sim_kdc_has_service_ticket:
 * @kdc: a running KDC
 * @host: a server's host name
 *
 * Returns: whether the ticket cache holds a ticket for @host's HTTP service
 */
gboolean
ews_sim_kdc_has_service_ticket (EwsSimKdc  *kdc,
                                const char *host)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *program = find_program ("klist");
  g_autofree char *listing = NULL;
  g_autofree char *principal = g_strdup_printf (" HTTP/%s@", host);

  g_subprocess_launcher_setenv (launcher, "KRB5_CONFIG", kdc->config, TRUE);
  process = g_subprocess_launcher_spawn (launcher, NULL, program, "-c", kdc->cache, NULL);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, &listing, NULL, NULL))
    return FALSE;
  return listing != NULL && strstr (listing, principal) != NULL;
}

/**
 * ews_sim_kdc_stop:
 * @kdc: (transfer full): a KDC
 *
 * Stops the KDC and removes its realm.
 */
void
ews_sim_kdc_stop (EwsSimKdc *kdc)
{
  if (kdc->kdc != NULL)
    {
      g_subprocess_force_exit (kdc->kdc);
      g_subprocess_wait (kdc->kdc, NULL, NULL);
      g_object_unref (kdc->kdc);
    }
  if (kdc->dir != NULL)
    {
      g_autoptr (GDir) dir = g_dir_open (kdc->dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (kdc->dir, name, NULL);

          g_unlink (path);
        }
      g_rmdir (kdc->dir);
    }
  g_free (kdc->dir);
  g_free (kdc->config);
  g_free (kdc->profile);
  g_free (kdc->service_keytab);
  g_free (kdc->client_keytab);
  g_free (kdc->cache);
  g_free (kdc);
}
