/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* Which sign-in schemes a session offers, and how a challenge is answered: the rules
 * that keep a password where it belongs and an account from being locked. */

#define G_LOG_DOMAIN "ews-client"

#include "config.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>

#include "ews-client.h"
#include "ews-client-private.h"

/* Logs @message (%NULL: all is well) unless it is what @said last: a problem is
 * said once, not on every look. */
G_LOCK_DEFINE_STATIC (said);

static void
say_once (char      **said,
          const char *message)
{
  G_LOCK (said);
  if (message != NULL && g_strcmp0 (message, *said) != 0)
    g_message ("%s", message);
  g_free (*said);
  *said = g_strdup (message);
  G_UNLOCK (said);
}

/* Whether the credential caches can be read as far as GSSAPI reads them: up to the
 * first that names its principal. MIT krb5 1.20 (Debian 12) frees an uninitialised
 * principal in krb5_cccol_have_content() when a cache before that cannot be read —
 * corrupt, truncated, not a file — and gss_acquire_cred() calls it: a crash, or
 * worse. Here the same walk is made safely, and such a cache means no ticket. */
static gboolean
caches_readable (void)
{
  static char      *said;
  krb5_context      context = NULL;
  krb5_cccol_cursor cursor = NULL;
  krb5_ccache       cache = NULL;
  g_autofree char  *problem = NULL;
  g_autofree char  *message = NULL;

  if (krb5_init_context (&context) != 0)
    return FALSE;
  if (krb5_cccol_cursor_new (context, &cursor) == 0)
    {
      while (problem == NULL && krb5_cccol_cursor_next (context, cursor, &cache) == 0 && cache != NULL)
        {
          krb5_principal  principal = NULL;
          krb5_error_code code = krb5_cc_get_principal (context, cache, &principal);

          if (code != 0)
            {
              const char *text = krb5_get_error_message (context, code);

              problem = g_strdup_printf ("%s:%s (%s)", krb5_cc_get_type (context, cache),
                                         krb5_cc_get_name (context, cache), text);
              krb5_free_error_message (context, text);
            }
          krb5_free_principal (context, principal);
          krb5_cc_close (context, cache);
          if (code == 0)
            break;
        }
      krb5_cccol_cursor_free (context, &cursor);
    }
  krb5_free_context (context);

  message = problem != NULL ? g_strdup_printf ("The Kerberos credential cache %s cannot be read: signing in without Kerberos", problem) : NULL;
  say_once (&said, message);
  return problem == NULL;
}

/* GSSAPI's words for one status code of @type. */
static void
append_gss_status (GString  *text,
                   OM_uint32 code,
                   int       type)
{
  OM_uint32 context = 0, ignored;

  do
    {
      gss_buffer_desc part = GSS_C_EMPTY_BUFFER;

      if (GSS_ERROR (gss_display_status (&ignored, code, type, GSS_C_NO_OID, &context, &part)))
        break;
      if (part.length > 0)
        g_string_append_printf (text, "%s%.*s", text->len > 0 ? "; " : "", (int)part.length, (const char *)part.value);
      gss_release_buffer (&ignored, &part);
    }
  while (context != 0);
}

/* GSSAPI's words for @major and @minor. */
static char *
dup_gss_status (OM_uint32 major,
                OM_uint32 minor)
{
  GString *text = g_string_new (NULL);

  append_gss_status (text, major, GSS_C_GSS_CODE);
  if (minor != 0)
    append_gss_status (text, minor, GSS_C_MECH_CODE);
  return g_string_free (text, FALSE);
}

/* Gets the ticket for @host's HTTP service into the credential cache, as libsoup's
 * Negotiate would on its first sign-in there — but libsoup does it on the main loop,
 * where a KDC that does not answer (behind a VPN that is down) stops the whole app
 * for half a minute. Once in the cache, libsoup takes it from there. */
static gboolean
fetch_service_ticket (gss_cred_id_t credential,
                      const char   *host)
{
  static char     *said;
  g_autofree char *service = g_strdup_printf ("HTTP@%s", host);
  gss_buffer_desc  service_name = { strlen (service), service };
  gss_name_t       target = GSS_C_NO_NAME;
  gss_ctx_id_t     context = GSS_C_NO_CONTEXT;
  gss_buffer_desc  token = GSS_C_EMPTY_BUFFER;
  OM_uint32        major, minor, ignored;
  g_autofree char *problem = NULL;
  g_autofree char *message = NULL;

  major = gss_import_name (&minor, &service_name, GSS_C_NT_HOSTBASED_SERVICE, &target);
  if (!GSS_ERROR (major))
    major = gss_init_sec_context (&minor, credential, &context, target, (gss_OID)gss_mech_krb5, 0, GSS_C_INDEFINITE,
                                  GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, NULL, &token, NULL, NULL);
  if (GSS_ERROR (major))
    {
      g_autofree char *status = dup_gss_status (major, minor);

      problem = g_strdup_printf ("%s (%s)", service, status);
    }
  gss_release_buffer (&ignored, &token);
  if (context != GSS_C_NO_CONTEXT)
    gss_delete_sec_context (&ignored, &context, GSS_C_NO_BUFFER);
  if (target != GSS_C_NO_NAME)
    gss_release_name (&ignored, &target);

  message = problem != NULL ? g_strdup_printf ("No Kerberos ticket for %s: signing in without Kerberos", problem) : NULL;
  say_once (&said, message);
  return problem == NULL;
}

/* Whether the session has a Kerberos ticket it can sign in to @host with: a
 * credential cache (KRB5CCNAME, or the system's default) with a ticket-granting
 * ticket that has not expired and, given @host, the ticket for its HTTP service.
 * Asks GSSAPI, as libsoup's Negotiate does: a few tens of microseconds, a few
 * milliseconds the first time in a process — but the cache may be a daemon (KCM,
 * sssd) or a file on a network share that does not answer, and the KDC may not
 * answer either, so this only ever runs in a thread of its own. */
static gboolean
has_ticket (const char *host)
{
  gss_OID_set_desc kerberos = { 1, (gss_OID)gss_mech_krb5 };
  gss_cred_id_t    credential = GSS_C_NO_CREDENTIAL;
  OM_uint32        major, minor;
  OM_uint32        lifetime = 0;
  gboolean         usable;

  if (!caches_readable ())
    return FALSE;
  major = gss_acquire_cred (&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &kerberos, GSS_C_INITIATE, &credential, NULL,
                            &lifetime);
  usable = !GSS_ERROR (major) && lifetime > 0;
  if (usable && host != NULL)
    usable = fetch_service_ticket (credential, host);
  if (credential != GSS_C_NO_CREDENTIAL)
    gss_release_cred (&minor, &credential);
  return usable;
}

/* One caller of ews_kerberos_look_async(), answered by the look, by its wait
 * running out or by its cancellation, whichever comes first. */
typedef struct
{
  GTask   *task;
  GSource *wait;
  GSource *cancelled; /* (nullable) */
  char    *key;       /* of its look */
  guint    wait_ms;
  gint     answered;
} Waiter;

static void
waiter_clear (Waiter *waiter)
{
  g_clear_object (&waiter->task);
  g_clear_pointer (&waiter->wait, g_source_unref);
  g_clear_pointer (&waiter->cancelled, g_source_unref);
  g_free (waiter->key);
}

static void
waiter_release (gpointer waiter)
{
  g_atomic_rc_box_release_full (waiter, (GDestroyNotify)waiter_clear);
}

/* What a look tells its callers. */
typedef enum
{
  ANSWER_NO_TICKET,
  ANSWER_TICKET,
  ANSWER_NONE, /* the cache or the KDC did not answer in time */
} Answer;

/* Returns whether this answered @waiter: FALSE when it already had its answer. A
 * cancelled task returns G_IO_ERROR_CANCELLED instead. */
static gboolean
waiter_answer (Waiter *waiter,
               Answer  answer)
{
  if (!g_atomic_int_compare_and_exchange (&waiter->answered, FALSE, TRUE))
    return FALSE;
  g_task_return_int (waiter->task, answer);
  g_source_destroy (waiter->wait);
  if (waiter->cancelled != NULL)
    g_source_destroy (waiter->cancelled);
  return TRUE;
}

/* A look in flight: for one host (the empty key: the ticket-granting ticket alone),
 * with the callers waiting for it, and whether it has kept one waiting too long.
 * One look at a time for each host, shared by every caller, so a cache or a KDC
 * that never answers holds one thread, not one per attempt. */
typedef struct
{
  char      *key;
  GPtrArray *waiters;
  gboolean   overdue;
} Look;

G_LOCK_DEFINE_STATIC (looking);
static GHashTable *looks; /* key → Look, while in flight */

static void
answer_all (Look    *look,
            gboolean have_ticket)
{
  G_LOCK (looking);
  g_hash_table_steal (looks, look->key);
  G_UNLOCK (looking);
  for (guint i = 0; i < look->waiters->len; i++)
    waiter_answer (look->waiters->pdata[i], have_ticket ? ANSWER_TICKET : ANSWER_NO_TICKET);
  g_ptr_array_unref (look->waiters);
  g_free (look->key);
  g_free (look);
}

static gpointer
look_thread (gpointer data)
{
  Look *look = data;

  answer_all (look, has_ticket (look->key[0] != '\0' ? look->key : NULL));
  return NULL;
}

/* No longer waiting: the look does not keep @waiter, however long it hangs. When
 * the look was @overdue for it, later callers do not wait for it either. */
static void
waiter_leave (Waiter  *waiter,
              gboolean overdue)
{
  Look *look;

  G_LOCK (looking);
  look = looks != NULL ? g_hash_table_lookup (looks, waiter->key) : NULL;
  if (look != NULL && g_ptr_array_remove_fast (look->waiters, waiter) && overdue)
    look->overdue = TRUE;
  G_UNLOCK (looking);
}

static gboolean
wait_over (gpointer data)
{
  Waiter *waiter = data;

  waiter_leave (waiter, TRUE);
  if (waiter_answer (waiter, ANSWER_NONE))
    g_message ("Kerberos (the credential cache, or the KDC) has not answered within %u ms: signing in without "
               "Kerberos for now",
               waiter->wait_ms);
  return G_SOURCE_REMOVE;
}

static gboolean
waiter_cancelled (GCancellable *cancellable,
                  gpointer      data)
{
  waiter_leave (data, FALSE);
  waiter_answer (data, ANSWER_NO_TICKET);
  return G_SOURCE_REMOVE;
}

/**
 * ews_kerberos_look_async:
 * @host: (nullable): the server to sign in to, or %NULL for the ticket-granting
 *   ticket alone
 * @wait_ms: how long to wait for the credential cache and the KDC
 * @cancellable: (nullable): ends the wait at once
 * @callback: called with the answer, at the latest after @wait_ms
 * @user_data: for @callback
 *
 * Asks GSSAPI, in a thread, whether the session has a Kerberos ticket to sign in
 * with — and given @host, gets the ticket for its HTTP service into the cache.
 * Without a ticket, offering Negotiate only makes libsoup fail a GSSAPI step, and
 * say so as a warning, on every new connection before it falls back to NTLM; and
 * libsoup asks the KDC for the service ticket on the main loop.
 *
 * A cache or a KDC that does not answer within @wait_ms counts as no ticket, so
 * that a hung KCM daemon or an unreachable KDC delays a sign-in but never stops
 * it, nor the main loop. A look still in flight for the same host is shared by
 * later callers; once it has kept one waiting too long, the others get "no
 * ticket" at once until it answers.
 */
void
ews_kerberos_look_async (const char         *host,
                         guint               wait_ms,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  const char *key = host != NULL ? host : "";
  Waiter     *waiter;
  Look       *look;
  GThread    *thread;
  gboolean    start;

  g_task_set_source_tag (task, ews_kerberos_look_async);
  g_task_set_name (task, "ews_kerberos_look");

  G_LOCK (looking);
  look = looks != NULL ? g_hash_table_lookup (looks, key) : NULL;
  if (look != NULL && look->overdue)
    {
      G_UNLOCK (looking);
      g_debug ("Kerberos still has not answered: signing in without Kerberos");
      g_task_return_int (task, ANSWER_NONE);
      return;
    }
  G_UNLOCK (looking);

  waiter = g_atomic_rc_box_new0 (Waiter);
  waiter->task = g_object_ref (task);
  waiter->key = g_strdup (key);
  waiter->wait_ms = wait_ms;
  waiter->wait = g_timeout_source_new (wait_ms);
  g_source_set_callback (waiter->wait, wait_over, g_atomic_rc_box_acquire (waiter), waiter_release);
  g_source_attach (waiter->wait, g_task_get_context (task));
  if (cancellable != NULL)
    {
      waiter->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancelled, (GSourceFunc)(void (*) (void))waiter_cancelled,
                             g_atomic_rc_box_acquire (waiter), waiter_release);
      g_source_attach (waiter->cancelled, g_task_get_context (task));
    }

  G_LOCK (looking);
  if (looks == NULL)
    looks = g_hash_table_new (g_str_hash, g_str_equal);
  look = g_hash_table_lookup (looks, key);
  start = look == NULL;
  if (start)
    {
      look = g_new0 (Look, 1);
      look->key = g_strdup (key);
      look->waiters = g_ptr_array_new_with_free_func (waiter_release);
      g_hash_table_insert (looks, look->key, look);
    }
  g_ptr_array_add (look->waiters, waiter);
  G_UNLOCK (looking);
  if (!start)
    return;

  thread = g_thread_try_new ("ews-kerberos", look_thread, look, &error);
  if (thread == NULL)
    {
      g_message ("Cannot look for a Kerberos ticket: %s", error->message);
      answer_all (look, FALSE);
      return;
    }
  g_thread_unref (thread);
}

/**
 * ews_kerberos_look_finish:
 * @result: the result
 * @unanswered: (out) (optional): set to whether the credential cache or the KDC
 *   did not answer in time (then there is no ticket for now)
 * @error: set to G_IO_ERROR_CANCELLED only, when the look was cancelled
 *
 * Returns: %TRUE when there is a usable ticket
 */
gboolean
ews_kerberos_look_finish (GAsyncResult *result,
                          gboolean     *unanswered,
                          GError      **error)
{
  gssize answer;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ews_kerberos_look_async, FALSE);

  answer = g_task_propagate_int (G_TASK (result), error);
  if (unanswered != NULL)
    *unanswered = answer == ANSWER_NONE;
  return answer == ANSWER_TICKET;
}

/* @password as libsoup's NTLM must be given it: in ISO-8859-1 (see
 * ews_password_fits_ntlm()); %NULL when it does not fit. Clear it with
 * ews_client_clear_secret(). */
static char *
dup_ntlm_password (const char *password)
{
  if (g_str_is_ascii (password))
    return g_strdup (password);
  return g_convert (password, -1, "ISO-8859-1", "UTF-8", NULL, NULL, NULL);
}

/**
 * ews_password_fits_ntlm:
 * @password: (nullable): a password, in UTF-8
 *
 * libsoup 3.2's NTLM hashes each byte of the password as a character of its own
 * (ISO-8859-1, Latin-1), where Windows hashes the password's characters (UTF-16).
 * A password with characters beyond Latin-1 (“Пароль”, “a€”) cannot be sent by it
 * at all: the hash would be wrong, and each attempt a failed sign-in that Active
 * Directory counts towards locking the account.
 *
 * Returns: whether NTLM can sign in with @password (%TRUE for %NULL: nothing to send)
 */
gboolean
ews_password_fits_ntlm (const char *password)
{
  char    *ntlm;
  gboolean fits;

  if (password == NULL)
    return TRUE;
  ntlm = dup_ntlm_password (password);
  fits = ntlm != NULL;
  ews_client_clear_secret (&ntlm);
  return fits;
}

/**
 * ews_auth_withholds_password:
 * @mechanism: the sign-in method
 * @password: (nullable): its password
 *
 * Whether a sign-in with @mechanism that the server refused may have been refused
 * because NTLM could not send @password (see ews_password_fits_ntlm()): then it
 * was not sent at all, and retyping it cannot help — the person has to choose
 * Kerberos, or Basic over https.
 *
 * Returns: %TRUE when NTLM may have withheld @password
 */
gboolean
ews_auth_withholds_password (EwsAuthMechanism mechanism,
                             const char      *password)
{
  return (mechanism == EWS_AUTH_NTLM || mechanism == EWS_AUTH_AUTOMATIC) && !ews_password_fits_ntlm (password);
}

/**
 * ews_auth_decline:
 * @auth: a challenge libsoup got
 *
 * Answers @auth with nothing: the request ends with the server's 401. Only
 * returning %FALSE from the handler is not enough for NTLM, where libsoup 3.2
 * would go on with an empty password: a failed sign-in that Active Directory
 * counts towards locking the account.
 *
 * Returns: %TRUE, for the handler to return
 */
gboolean
ews_auth_decline (SoupAuth *auth)
{
  soup_auth_cancel (auth);
  return TRUE;
}

/**
 * ews_auth_answer:
 * @auth: a challenge libsoup got
 * @username: the user name
 * @password: the password, in UTF-8
 *
 * Answers @auth with the credentials. NTLM gets a password with letters outside
 * ASCII (“Grüße”) in ISO-8859-1, the only way libsoup's NTLM hashes it right; one
 * that does not fit (see ews_password_fits_ntlm()) is not sent at all, so the
 * server ends the request with 401 without counting a failed sign-in.
 *
 * Returns: %TRUE, for the handler to return
 */
gboolean
ews_auth_answer (SoupAuth   *auth,
                 const char *username,
                 const char *password)
{
  char *ntlm;

  if (!G_TYPE_CHECK_INSTANCE_TYPE (auth, SOUP_TYPE_AUTH_NTLM))
    {
      soup_auth_authenticate (auth, username, password);
      return TRUE;
    }
  ntlm = dup_ntlm_password (password);
  if (ntlm == NULL)
    {
      g_message ("NTLM cannot sign in with this password: it has characters beyond ISO-8859-1 (Latin-1), "
                 "which libsoup's NTLM cannot send. Nothing was sent; sign in with Kerberos, or with Basic over https");
      return ews_auth_decline (auth);
    }
  soup_auth_authenticate (auth, username, ntlm);
  ews_client_clear_secret (&ntlm);
  return TRUE;
}

/**
 * ews_session_set_auth_schemes:
 * @session: a session
 * @current: (inout): the schemes @session offers now
 * @wanted: the schemes it should offer
 */
void
ews_session_set_auth_schemes (SoupSession *session,
                              AuthSchemes *current,
                              AuthSchemes  wanted)
{
  const struct
  {
    AuthSchemes scheme;
    GType       type;
  } schemes[] = {
    { AUTH_BASIC, SOUP_TYPE_AUTH_BASIC },
    { AUTH_DIGEST, SOUP_TYPE_AUTH_DIGEST },
    { AUTH_NTLM, SOUP_TYPE_AUTH_NTLM },
    { AUTH_NEGOTIATE, SOUP_TYPE_AUTH_NEGOTIATE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      gboolean have = (*current & schemes[i].scheme) != 0;
      gboolean want = (wanted & schemes[i].scheme) != 0;

      if (want && !have)
        soup_session_add_feature_by_type (session, schemes[i].type);
      else if (have && !want)
        soup_session_remove_feature_by_type (session, schemes[i].type);
    }
  /* libsoup keeps the Negotiate sign-in of a host and makes it again on each new
   * connection there, whichever schemes the session still has: asking the KDC on
   * the main loop. Once Negotiate is no longer offered, that sign-in goes too (and
   * with it the others: they are asked for again). */
  if ((*current & AUTH_NEGOTIATE) != 0 && (wanted & AUTH_NEGOTIATE) == 0)
    {
      SoupSessionFeature *manager = soup_session_get_feature (session, SOUP_TYPE_AUTH_MANAGER);

      if (manager != NULL)
        soup_auth_manager_clear_cached_credentials (SOUP_AUTH_MANAGER (manager));
    }
  *current = wanted;
}

/**
 * ews_auth_schemes_for_mechanism:
 * @mechanism: what the user chose
 * @password: (nullable): the password it will answer with
 * @secure: whether the server is reached over https
 * @have_ticket: whether the session has a Kerberos ticket (ews_kerberos_look_async())
 *
 * Negotiate is offered only while the session has a Kerberos ticket: without one,
 * libsoup would fail a GSSAPI step, and log a warning, on every new connection.
 * Over https, Automatic leaves NTLM out for a password it cannot send, so that
 * Kerberos or Basic get their chance; over plain http it does not, lest such a
 * password go out in the clear with Basic where the server offers NTLM too.
 *
 * Returns: the libsoup schemes that answer @mechanism now
 */
AuthSchemes
ews_auth_schemes_for_mechanism (EwsAuthMechanism mechanism,
                                const char      *password,
                                gboolean         secure,
                                gboolean         have_ticket)
{
  AuthSchemes wanted = AUTH_BASIC;

  if (mechanism == EWS_AUTH_NTLM)
    wanted = AUTH_NTLM;
  else if (mechanism == EWS_AUTH_NEGOTIATE)
    {
      /* Kerberos through GSSAPI, with the session's ticket and nothing else: there
       * is no password, and an NTLM answer without one would only be a failed
       * sign-in that Active Directory counts towards locking the account. Without
       * a ticket nothing is sent at all, and the server's 401 says what is wrong. */
      wanted = 0;
      if (!soup_auth_negotiate_supported ())
        g_message ("Kerberos sign-in is not possible: this libsoup was built without GSSAPI");
      else if (have_ticket)
        wanted = AUTH_NEGOTIATE;
    }
  else if (mechanism == EWS_AUTH_AUTOMATIC)
    {
      /* libsoup answers with the strongest scheme the server offers: Basic only
       * when it offers nothing else. */
      wanted = AUTH_BASIC;
      if (!secure || ews_password_fits_ntlm (password))
        wanted |= AUTH_NTLM;
      if (soup_auth_negotiate_supported () && have_ticket)
        wanted |= AUTH_NEGOTIATE;
    }
  return wanted;
}
