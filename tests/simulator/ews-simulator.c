/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-simulator"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ews-simulator.h"

#include "ews-sim-private.h"
#include "ews-string-private.h"
#include "ews-xml-private.h"

/* The simulator object: users, listening (with TLS), fault injection and the
 * threaded mode. Requests are taken apart in ews-sim-dispatch.c. */

G_DEFINE_FINAL_TYPE (EwsSimulator, ews_simulator, G_TYPE_OBJECT)

static void ews_simulator_stop_thread (EwsSimulator *self);

static void
ews_simulator_dispose (GObject *object)
{
  EwsSimulator *self = EWS_SIMULATOR (object);

  /* A threaded simulator stops serving before it is torn down. */
  if (self->thread != NULL)
    ews_simulator_stop_thread (self);

  if (self->streams != NULL)
    ews_sim_free_streams (self);
  if (self->subscriptions != NULL)
    g_hash_table_remove_all (self->subscriptions);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_object (&self->auth_domain);
  if (self->push_session != NULL)
    soup_session_abort (self->push_session);
  g_clear_object (&self->push_session);
  g_clear_object (&self->certificate);
  if (self->traffic_destroy != NULL)
    self->traffic_destroy (self->traffic_data);
  self->traffic_func = NULL;
  self->traffic_destroy = NULL;
  if (self->commit_destroy != NULL)
    self->commit_destroy (self->commit_data);
  self->commit_func = NULL;
  self->commit_destroy = NULL;

  G_OBJECT_CLASS (ews_simulator_parent_class)->dispose (object);
}

static void
ews_simulator_finalize (GObject *object)
{
  EwsSimulator *self = EWS_SIMULATOR (object);

  if (self->tls_dir != NULL)
    {
      g_unlink (self->cert_file);
      g_unlink (self->key_file);
      g_rmdir (self->tls_dir);
    }
  ews_sim_kerberos_free (self->kerberos);
  g_free (self->tls_dir);
  g_free (self->cert_file);
  g_free (self->key_file);
  g_free (self->url);
  g_free (self->owa_base);
  g_hash_table_unref (self->subscriptions);
  g_ptr_array_unref (self->streams);
  g_hash_table_unref (self->mailboxes);
  g_ptr_array_unref (self->mailbox_list);
  g_hash_table_unref (self->passwords);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (ews_simulator_parent_class)->finalize (object);
}

static void
ews_simulator_class_init (EwsSimulatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ews_simulator_dispose;
  object_class->finalize = ews_simulator_finalize;
}

/* User names and addresses are looked up without regard to ASCII case, as Exchange
 * does, and without a lowered copy per request. */
static guint
name_hash (gconstpointer key)
{
  guint hash = 5381;

  for (const char *p = key; *p != '\0'; p++)
    hash = hash * 33 + (guchar)g_ascii_tolower (*p);
  return hash;
}

static gboolean
name_equal (gconstpointer a,
            gconstpointer b)
{
  return g_ascii_strcasecmp (a, b) == 0;
}

static void
ews_simulator_init (EwsSimulator *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->passwords = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->mailboxes = g_hash_table_new_full (name_hash, name_equal, g_free, NULL);
  self->mailbox_list = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_sim_mailbox_free);
  self->subscriptions = g_hash_table_new_full (ews_id_hash, g_str_equal, NULL, (GDestroyNotify)ews_sim_subscription_free);
  self->streams = g_ptr_array_new ();
  self->keepalive_ms = 30000;
  self->minute_ms = 60000;
  self->streaming = 1;

  self->server = soup_server_new ("server-header", "Microsoft-IIS/10.0 ", NULL);
  ews_sim_dispatch_install (self);

  self->push_session = soup_session_new_with_options ("timeout", 10, NULL);
}

/**
 * ews_simulator_new:
 *
 * Creates a simulator that runs on the thread-default main context.
 *
 * Returns: (transfer full): a new #EwsSimulator
 */
EwsSimulator *
ews_simulator_new (void)
{
  return g_object_new (EWS_TYPE_SIMULATOR, NULL);
}

/* Running in a thread of its own (for benchmarks): public calls from other threads
 * are run on the simulator's context and waited for. */

typedef enum
{
  CALL_ADD_USER,
  CALL_LISTEN,
  CALL_INJECT,
  CALL_RESTART,
  CALL_COUNT_SUBSCRIPTIONS,
  CALL_COUNT_STREAMS,
  CALL_QUIT,
  CALL_INVOKE,
} CallKind;

typedef void (*CallInvoke) (EwsSimulator *self,
                            gpointer      data);

typedef struct
{
  EwsSimulator *self;
  CallKind      kind;
  const char   *a;
  const char   *b;
  guint         u;
  gboolean      flag;
  GError      **error;
  CallInvoke    invoke; /* CALL_INVOKE */
  gpointer      data;
  guint         result;
  GMutex        lock;
  GCond         cond;
  gboolean      done;
} Call;

static gboolean add_user_impl (EwsSimulator *self,
                               const char   *name,
                               const char   *password);
static gboolean listen_impl (EwsSimulator *self,
                             guint16       port,
                             gboolean      tls,
                             GError      **error);
static void     inject_impl (EwsSimulator *self,
                             EwsSimFault   fault,
                             guint         param);
static void     restart_impl (EwsSimulator *self);

static gboolean
call_dispatch (gpointer data)
{
  Call *call = data;

  switch (call->kind)
    {
    case CALL_ADD_USER:
      add_user_impl (call->self, call->a, call->b);
      break;
    case CALL_LISTEN:
      call->result = listen_impl (call->self, (guint16)call->u, call->flag, call->error);
      break;
    case CALL_INJECT:
      inject_impl (call->self, (EwsSimFault)call->u, (guint)call->flag);
      break;
    case CALL_RESTART:
      restart_impl (call->self);
      break;
    case CALL_COUNT_SUBSCRIPTIONS:
      call->result = g_hash_table_size (call->self->subscriptions);
      break;
    case CALL_COUNT_STREAMS:
      call->result = ews_sim_count_streams (call->self);
      break;
    case CALL_QUIT:
      g_main_loop_quit (call->self->thread_loop);
      break;
    case CALL_INVOKE:
      call->invoke (call->self, call->data);
      ews_sim_flush_streams (call->self);
      break;
    }
  g_mutex_lock (&call->lock);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->lock);
  return G_SOURCE_REMOVE;
}

static void
call_run (Call *call)
{
  EwsSimulator *self = call->self;

  if (self->thread == NULL || g_main_context_is_owner (self->context))
    {
      call_dispatch (call);
      return;
    }
  g_mutex_init (&call->lock);
  g_cond_init (&call->cond);
  g_main_context_invoke (self->context, call_dispatch, call);
  g_mutex_lock (&call->lock);
  while (!call->done)
    g_cond_wait (&call->cond, &call->lock);
  g_mutex_unlock (&call->lock);
  g_mutex_clear (&call->lock);
  g_cond_clear (&call->cond);
}

typedef struct
{
  GMutex        lock;
  GCond         cond;
  EwsSimulator *sim;
} ThreadStart;

static gpointer
thread_main (gpointer data)
{
  ThreadStart *start = data;
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (context, FALSE);
  EwsSimulator *sim;

  g_main_context_push_thread_default (context);
  sim = ews_simulator_new ();
  sim->thread_loop = loop;
  g_mutex_lock (&start->lock);
  start->sim = sim;
  g_cond_signal (&start->cond);
  g_mutex_unlock (&start->lock);

  g_main_loop_run (loop);
  sim->thread_loop = NULL;
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
ews_simulator_stop_thread (EwsSimulator *self)
{
  Call call = { .self = self, .kind = CALL_QUIT };

  call_run (&call);
  g_thread_join (g_steal_pointer (&self->thread));
}

/**
 * ews_simulator_new_in_thread:
 *
 * Creates a simulator that serves from a thread of its own with its own main
 * context, so benchmarks measure the client's main loop alone. The public calls
 * may be made from any thread; the traffic function is called in the simulator's
 * thread. The thread stops when the last reference is dropped.
 *
 * Returns: (transfer full): a new #EwsSimulator
 */
EwsSimulator *
ews_simulator_new_in_thread (void)
{
  ThreadStart start = { 0 };
  GThread    *thread;

  g_mutex_init (&start.lock);
  g_cond_init (&start.cond);
  thread = g_thread_new ("ews-simulator", thread_main, &start);
  g_mutex_lock (&start.lock);
  while (start.sim == NULL)
    g_cond_wait (&start.cond, &start.lock);
  g_mutex_unlock (&start.lock);
  g_mutex_clear (&start.lock);
  g_cond_clear (&start.cond);
  start.sim->thread = thread;
  return start.sim;
}

/* Public API */

static gboolean
add_user_impl (EwsSimulator *self,
               const char   *name,
               const char   *password)
{
  g_autofree char *smtp = strchr (name, '@') != NULL ? g_ascii_strdown (name, -1) : g_strdup_printf ("%s@example.com", name);
  g_autofree char *display = g_strndup (name, strcspn (name, "@"));
  EwsSimMailbox   *mailbox;

  if (display[0] != '\0')
    display[0] = g_ascii_toupper (display[0]);
  /* A known user only gets a new password: the mailbox stays as it is. */
  mailbox = g_hash_table_lookup (self->mailboxes, smtp);
  if (mailbox == NULL)
    {
      mailbox = ews_sim_mailbox_new (smtp, display);
      g_ptr_array_add (self->mailbox_list, mailbox);
      g_hash_table_replace (self->mailboxes, g_ascii_strdown (name, -1), mailbox);
      g_hash_table_replace (self->mailboxes, g_strdup (mailbox->smtp), mailbox);
    }
  g_hash_table_replace (self->passwords, g_ascii_strdown (name, -1), g_strdup (password));
  g_hash_table_replace (self->passwords, g_strdup (mailbox->smtp), g_strdup (password));
  return TRUE;
}

/**
 * ews_simulator_add_user:
 * @name: the user name for Basic auth; the mailbox is name@example.com unless
 *   @name contains '@'
 * @password: the password
 *
 * Adds a user with a mailbox of its own, or changes the password of a known user.
 */
void
ews_simulator_add_user (EwsSimulator *self,
                        const char   *name,
                        const char   *password)
{
  Call call = { .self = self, .kind = CALL_ADD_USER, .a = name, .b = password };

  g_return_if_fail (EWS_IS_SIMULATOR (self));
  g_return_if_fail (name != NULL && password != NULL);
  call_run (&call);
}

static gboolean
make_certificate (EwsSimulator *self,
                  GError      **error)
{
  g_autofree char *dir = g_dir_make_tmp ("ews-simulator-XXXXXX", error);
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  int              status = 0;

  if (dir == NULL)
    return FALSE;
  cert = g_build_filename (dir, "cert.pem", NULL);
  key = g_build_filename (dir, "key.pem", NULL);
  self->tls_dir = g_steal_pointer (&dir);
  self->cert_file = g_strdup (cert);
  self->key_file = g_strdup (key);
  {
    const char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                           "-nodes", "-keyout", key, "-out", cert, "-days", "7", "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", NULL };

    if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, error))
      return FALSE;
  }
  if (!g_spawn_check_wait_status (status, error))
    return FALSE;
  self->certificate = g_tls_certificate_new_from_files (cert, key, error);
  return self->certificate != NULL;
}

static gboolean
listen_impl (EwsSimulator *self,
             guint16       port,
             gboolean      tls,
             GError      **error)
{
  SoupServerListenOptions options = SOUP_SERVER_LISTEN_IPV4_ONLY;
  GSList                 *uris;
  int                     bound;

  if (tls)
    {
      if (self->certificate == NULL && !make_certificate (self, error))
        return FALSE;
      soup_server_set_tls_certificate (self->server, self->certificate);
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }
  if (!soup_server_listen_local (self->server, port, options, error))
    return FALSE;
  uris = soup_server_get_uris (self->server);
  bound = uris != NULL ? g_uri_get_port (uris->data) : port;
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  g_free (self->url);
  g_free (self->owa_base);
  self->url = g_strdup_printf ("%s://127.0.0.1:%d/EWS/Exchange.asmx", tls ? "https" : "http", bound);
  self->owa_base = g_strdup_printf ("%s://127.0.0.1:%d/owa/", tls ? "https" : "http", bound);
  return TRUE;
}

/**
 * ews_simulator_listen:
 * @port: the port, or 0 for any free one
 * @tls: serve HTTPS with a self-signed certificate made at start-up
 *
 * Listens on 127.0.0.1 only.
 */
gboolean
ews_simulator_listen (EwsSimulator *self,
                      guint16       port,
                      gboolean      tls,
                      GError      **error)
{
  Call call = { .self = self, .kind = CALL_LISTEN, .u = port, .flag = tls, .error = error };

  g_return_val_if_fail (EWS_IS_SIMULATOR (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  call_run (&call);
  return call.result;
}

const char *
ews_simulator_get_url (EwsSimulator *self)
{
  g_return_val_if_fail (EWS_IS_SIMULATOR (self), NULL);
  return self->url;
}

GTlsCertificate *
ews_simulator_get_certificate (EwsSimulator *self)
{
  g_return_val_if_fail (EWS_IS_SIMULATOR (self), NULL);
  return self->certificate;
}

const char *
ews_simulator_get_certificate_file (EwsSimulator *self)
{
  g_return_val_if_fail (EWS_IS_SIMULATOR (self), NULL);
  return self->certificate != NULL ? self->cert_file : NULL;
}

void
ews_simulator_set_keepalive_interval (EwsSimulator *self,
                                      guint         ms)
{
  g_return_if_fail (EWS_IS_SIMULATOR (self));
  g_return_if_fail (ms > 0);
  g_atomic_int_set (&self->keepalive_ms, ms);
}

void
ews_simulator_set_minute_ms (EwsSimulator *self,
                             guint         ms)
{
  g_return_if_fail (EWS_IS_SIMULATOR (self));
  g_return_if_fail (ms > 0);
  g_atomic_int_set (&self->minute_ms, ms);
}

/**
 * ews_simulator_set_ntlm:
 * @self: an #EwsSimulator
 * @ntlm: whether NTLM sign-in is offered (off by default)
 *
 * With NTLM on, the server answers like IIS with Windows authentication and Basic
 * both enabled: "WWW-Authenticate: NTLM" and Basic; an NTLM sign-in holds for its
 * connection. Only NTLMv2 responses are accepted.
 */
void
ews_simulator_set_ntlm (EwsSimulator *self,
                        gboolean      ntlm)
{
  g_return_if_fail (EWS_IS_SIMULATOR (self));
  g_atomic_int_set (&self->ntlm, ntlm ? 1 : 0);
}

/**
 * ews_simulator_get_ntlm_sign_ins:
 * @self: an #EwsSimulator
 *
 * Returns: how many NTLM sign-ins (one per authenticated connection) succeeded
 */
guint
ews_simulator_get_ntlm_sign_ins (EwsSimulator *self)
{
  g_return_val_if_fail (EWS_IS_SIMULATOR (self), 0);
  return (guint)g_atomic_int_get (&self->ntlm_sign_ins);
}

/**
 * ews_simulator_set_kerberos:
 * @self: an #EwsSimulator that is not listening yet
 * @keytab: (nullable): a keytab with the key of the service principal
 *   HTTP/127.0.0.1 in its realm, or %NULL to turn Kerberos off again
 * @error: where to put an error
 *
 * With Kerberos on, the server answers like IIS with Windows authentication's
 * providers Negotiate and NTLM (and Basic): "WWW-Authenticate: Negotiate", "NTLM"
 * and Basic. A Kerberos sign-in (SPNEGO, RFC 4559) is accepted with @keytab, its
 * principal's name before the realm is the user, and it holds for its connection.
 * NTLM is on as well, as with ews_simulator_set_ntlm().
 *
 * Returns: %FALSE with @error set when @keytab cannot be used
 */
gboolean
ews_simulator_set_kerberos (EwsSimulator *self,
                            const char   *keytab,
                            GError      **error)
{
  EwsSimKerberos *kerberos = NULL;

  g_return_val_if_fail (EWS_IS_SIMULATOR (self), FALSE);
  g_return_val_if_fail (self->url == NULL, FALSE);

  if (keytab != NULL)
    {
      kerberos = ews_sim_kerberos_new (keytab, error);
      if (kerberos == NULL)
        return FALSE;
    }
  ews_sim_kerberos_free (self->kerberos);
  self->kerberos = kerberos;
  g_atomic_int_set (&self->ntlm, kerberos != NULL ? 1 : 0);
  return TRUE;
}

/**
 * ews_simulator_get_kerberos_sign_ins:
 * @self: an #EwsSimulator
 *
 * Returns: how many Kerberos sign-ins (one per authenticated connection) succeeded
 */
guint
ews_simulator_get_kerberos_sign_ins (EwsSimulator *self)
{
  g_return_val_if_fail (EWS_IS_SIMULATOR (self), 0);
  return (guint)g_atomic_int_get (&self->kerberos_sign_ins);
}

/**
 * ews_simulator_get_refused_sign_ins:
 * @self: an #EwsSimulator
 *
 * Returns: how many NTLM and Kerberos sign-ins were refused: each one that carried
 *   credentials and failed, as Active Directory counts them towards a lockout
 */
guint
ews_simulator_get_refused_sign_ins (EwsSimulator *self)
{
  g_return_val_if_fail (EWS_IS_SIMULATOR (self), 0);
  return (guint)g_atomic_int_get (&self->refused_sign_ins);
}

/**
 * ews_simulator_set_streaming:
 * @self: an #EwsSimulator
 * @streaming: whether streaming subscriptions are offered (the default)
 *
 * Without streaming, a streaming Subscribe gets ErrorInvalidServerVersion, as from a
 * server before Exchange 2010 SP1; pull and push subscriptions still work.
 */
void
ews_simulator_set_streaming (EwsSimulator *self,
                             gboolean      streaming)
{
  g_return_if_fail (EWS_IS_SIMULATOR (self));
  g_atomic_int_set (&self->streaming, streaming ? 1 : 0);
}

static void
inject_impl (EwsSimulator *self,
             EwsSimFault   fault,
             guint         param)
{
  switch (fault)
    {
    case EWS_SIM_FAULT_FORGET_SUBSCRIPTIONS:
      g_hash_table_remove_all (self->subscriptions);
      break;
    case EWS_SIM_FAULT_EXPIRE_SUBSCRIPTIONS:
      ews_sim_expire_streams (self);
      g_hash_table_remove_all (self->subscriptions);
      break;
    case EWS_SIM_FAULT_DROP_STREAM:
    case EWS_SIM_FAULT_STALL_STREAM:
    case EWS_SIM_FAULT_MISSED_EVENTS:
    case EWS_SIM_FAULT_MALFORMED_XML:
      self->faults[fault]++;
      ews_sim_kick_streams (self);
      break;
    case EWS_SIM_FAULT_HTTP_500:
    case EWS_SIM_FAULT_HTTP_503:
    case EWS_SIM_FAULT_SERVER_BUSY:
    case EWS_SIM_FAULT_UNAUTHORIZED:
    case EWS_SIM_FAULT_CLOSE_CONNECTION:
    default:
      self->faults[fault]++;
      self->fault_param[fault] = param;
      break;
    }
}

/**
 * ews_simulator_inject_fault:
 * @fault: what goes wrong
 * @param: BackOffMilliseconds for %EWS_SIM_FAULT_SERVER_BUSY, else ignored
 *
 * Makes the next matching request or stream fail once (see #EwsSimFault).
 */
void
ews_simulator_inject_fault (EwsSimulator *self,
                            EwsSimFault   fault,
                            guint         param)
{
  Call call = { .self = self, .kind = CALL_INJECT, .u = fault, .flag = (gboolean)param };

  g_return_if_fail (EWS_IS_SIMULATOR (self));
  g_return_if_fail ((guint)fault <= EWS_SIM_FAULT_CLOSE_CONNECTION);
  call_run (&call);
}

static void
restart_impl (EwsSimulator *self)
{
  ews_sim_drop_streams (self);
  g_hash_table_remove_all (self->subscriptions);
  memset (self->faults, 0, sizeof self->faults);
}

/**
 * ews_simulator_restart:
 *
 * Behaves like a restarted server: every subscription is gone and every open
 * stream is cut; mailboxes stay.
 */
void
ews_simulator_restart (EwsSimulator *self)
{
  Call call = { .self = self, .kind = CALL_RESTART };

  g_return_if_fail (EWS_IS_SIMULATOR (self));
  call_run (&call);
}

guint
ews_simulator_get_n_subscriptions (EwsSimulator *self)
{
  Call call = { .self = self, .kind = CALL_COUNT_SUBSCRIPTIONS };

  g_return_val_if_fail (EWS_IS_SIMULATOR (self), 0);
  call_run (&call);
  return call.result;
}

guint
ews_simulator_get_n_streams (EwsSimulator *self)
{
  Call call = { .self = self, .kind = CALL_COUNT_STREAMS };

  g_return_val_if_fail (EWS_IS_SIMULATOR (self), 0);
  call_run (&call);
  return call.result;
}

typedef struct
{
  EwsSimTrafficFunc func;
  gpointer          data;
  GDestroyNotify    destroy;
} TrafficFunc;

static void
set_traffic_func_impl (EwsSimulator *self,
                       gpointer      data)
{
  TrafficFunc *traffic = data;

  if (self->traffic_destroy != NULL)
    self->traffic_destroy (self->traffic_data);
  self->traffic_func = traffic->func;
  self->traffic_data = traffic->data;
  self->traffic_destroy = traffic->destroy;
}

/**
 * ews_simulator_set_traffic_func:
 * @func: (nullable): called with every request body received and every body
 *   written (each streamed envelope separately)
 *
 * Takes effect between two bodies, even while a client is being served from the
 * simulator's thread.
 */
void
ews_simulator_set_traffic_func (EwsSimulator     *self,
                                EwsSimTrafficFunc func,
                                gpointer          user_data,
                                GDestroyNotify    destroy)
{
  TrafficFunc traffic = { func, user_data, destroy };
  Call        call = { .self = self, .kind = CALL_INVOKE, .invoke = set_traffic_func_impl, .data = &traffic };

  g_return_if_fail (EWS_IS_SIMULATOR (self));
  call_run (&call);
}

typedef struct
{
  EwsSimCommitFunc func;
  gpointer         data;
  GDestroyNotify   destroy;
} CommitFunc;

static void
set_commit_func_impl (EwsSimulator *self,
                      gpointer      data)
{
  CommitFunc *commit = data;

  if (self->commit_destroy != NULL)
    self->commit_destroy (self->commit_data);
  self->commit_func = commit->func;
  self->commit_data = commit->data;
  self->commit_destroy = commit->destroy;
}

/**
 * ews_simulator_set_commit_func:
 * @func: (nullable): called with every item change as soon as it is committed
 *
 * Lets a benchmark note when each change happened, to compare with when a client
 * reports it. The clocks match across processes (CLOCK_MONOTONIC).
 */
void
ews_simulator_set_commit_func (EwsSimulator    *self,
                               EwsSimCommitFunc func,
                               gpointer         user_data,
                               GDestroyNotify   destroy)
{
  CommitFunc commit = { func, user_data, destroy };
  Call       call = { .self = self, .kind = CALL_INVOKE, .invoke = set_commit_func_impl, .data = &commit };

  g_return_if_fail (EWS_IS_SIMULATOR (self));
  call_run (&call);
}

typedef struct
{
  const char *mailbox;
  const char *organizer;
  const char *subject;
  GDateTime  *start;
  guint       n;
  GPtrArray  *ids;
} CreateMeetings;

static void
create_meetings_impl (EwsSimulator *self,
                      gpointer      data)
{
  CreateMeetings *create = data;
  EwsSimMailbox  *mailbox = ews_sim_lookup_mailbox (self, create->mailbox);
  EwsSimFolder   *folder;

  if (mailbox == NULL)
    return;
  folder = ews_sim_mailbox_get_folder (mailbox, "calendar");
  create->ids = g_ptr_array_new_full (create->n + 1, g_free);
  for (guint i = 0; i < create->n; i++)
    {
      g_autoptr (GDateTime) start = g_date_time_add_hours (create->start, i);
      g_autoptr (GDateTime) end = g_date_time_add_minutes (start, 30);
      EwsSimItem *item = ews_sim_create_meeting (self, folder, create->organizer, create->subject, start, end);

      g_ptr_array_add (create->ids, g_strdup (item->id));
    }
  g_ptr_array_add (create->ids, NULL);
}

/**
 * ews_simulator_create_meetings:
 * @mailbox: the SMTP address or user name whose calendar gets the meetings
 * @organizer: the user who creates them (their ChangedBy)
 * @subject: the subject of each
 * @start: when the first starts; each next one starts an hour later, each lasts 30 min
 * @n: how many
 *
 * Creates @n meetings in one go on the simulator's thread, with the events @n
 * CreateItem requests would cause, without HTTP: for benchmarks that need changes
 * faster than a client can send them.
 *
 * Returns: (transfer full) (nullable): the new ItemIds in order, %NULL for an
 *   unknown @mailbox
 */
char **
ews_simulator_create_meetings (EwsSimulator *self,
                               const char   *mailbox,
                               const char   *organizer,
                               const char   *subject,
                               GDateTime    *start,
                               guint         n)
{
  CreateMeetings create = { mailbox, organizer, subject, start, n, NULL };
  Call           call = { .self = self, .kind = CALL_INVOKE, .invoke = create_meetings_impl, .data = &create };

  g_return_val_if_fail (EWS_IS_SIMULATOR (self), NULL);
  g_return_val_if_fail (mailbox != NULL && organizer != NULL && subject != NULL, NULL);
  g_return_val_if_fail (start != NULL, NULL);
  call_run (&call);
  return create.ids != NULL ? (char **)g_ptr_array_free (create.ids, FALSE) : NULL;
}

typedef struct
{
  const char *item_id;
  const char *user;
  GDateTime  *start;
  GDateTime  *end;
  gboolean    found;
} Reschedule;

static void
reschedule_impl (EwsSimulator *self,
                 gpointer      data)
{
  Reschedule *reschedule = data;
  EwsSimItem *item = ews_sim_lookup_item (self, reschedule->item_id);

  reschedule->found = item != NULL && item->kind == EWS_ITEM_KIND_CALENDAR;
  if (reschedule->found)
    ews_sim_reschedule (self, item, reschedule->user, reschedule->start, reschedule->end);
}

/**
 * ews_simulator_reschedule:
 * @item_id: a meeting's ItemId
 * @user: who moves it (its ChangedBy)
 * @start: the new start
 * @end: the new end
 *
 * Moves a meeting in time as an UpdateItem of calendar:Start and calendar:End would,
 * without HTTP.
 *
 * Returns: %FALSE when no meeting has @item_id
 */
gboolean
ews_simulator_reschedule (EwsSimulator *self,
                          const char   *item_id,
                          const char   *user,
                          GDateTime    *start,
                          GDateTime    *end)
{
  Reschedule reschedule = { item_id, user, start, end, FALSE };
  Call       call = { .self = self, .kind = CALL_INVOKE, .invoke = reschedule_impl, .data = &reschedule };

  g_return_val_if_fail (EWS_IS_SIMULATOR (self), FALSE);
  g_return_val_if_fail (item_id != NULL && user != NULL && start != NULL && end != NULL, FALSE);
  call_run (&call);
  return reschedule.found;
}
