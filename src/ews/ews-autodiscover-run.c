/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-autodiscover"

#include "config.h"

#include <string.h>

#include "ews-autodiscover-private.h"
#include "ews-error.h"
#include "ews-http-private.h"
#include "ews-records.h"
#include "ews-request.h"
#include "ews-response.h"

/* POX Autodiscover from an e-mail address, in the order of PROTOCOL.md §11 (without
 * the Active Directory lookup): https://<domain>, https://autodiscover.<domain>, the
 * unauthenticated plain-http GET that may only redirect to https, then DNS SRV. One
 * discovery is one GTask whose data (Run) holds the queue of steps still to try. */

#define AUTODISCOVER_PATH  "/autodiscover/autodiscover.xml"
#define MAX_RESPONSE_SIZE  (1024 * 1024)
#define DEFAULT_HTTPS_PORT EWS_AUTODISCOVER_DEFAULT_HTTPS_PORT
#define DEFAULT_HTTP_PORT  EWS_AUTODISCOVER_DEFAULT_HTTP_PORT

typedef enum
{
  STEP_POST, /* POST the request (https only) */
  STEP_GET,  /* unauthenticated GET that may redirect to https */
  STEP_SRV,  /* DNS SRV _autodiscover._tcp.<domain> */
} StepKind;

typedef struct
{
  StepKind kind;
  char    *target; /* a URL, or the domain for STEP_SRV */
} Step;

/* One discovery; the GTask's data. */
typedef struct
{
  char        *email; /* the address asked for now (after redirectAddr) */
  char        *login; /* the user name sent */
  GQueue       steps;
  guint        redirects;
  GPtrArray   *attempts;
  GError      *tls_error; /* the first certificate refused */
  gboolean     answered;  /* some server answered over HTTP */
  SoupMessage *msg;
  char        *url;
  GBytes      *body;
  gboolean     looked;   /* the first look for a ticket has answered */
  gboolean     kerberos; /* a ticket-granting ticket: each server's service ticket is looked for */
} Run;

static void
step_free (Step *step)
{
  g_free (step->target);
  g_free (step);
}

static void
run_free (Run *run)
{
  g_free (run->email);
  g_free (run->login);
  g_queue_clear_full (&run->steps, (GDestroyNotify)step_free);
  g_ptr_array_unref (run->attempts);
  g_clear_error (&run->tls_error);
  g_clear_object (&run->msg);
  g_free (run->url);
  g_clear_pointer (&run->body, g_bytes_unref);
  g_free (run);
}

static void run_next_step (GTask *task);

G_GNUC_PRINTF (3, 4)
static void
run_note (Run        *run,
          const char *what,
          const char *format,
          ...)
{
  g_autofree char *detail = NULL;
  va_list          args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  g_debug ("%s: %s", what, detail);
  g_ptr_array_add (run->attempts, g_strdup_printf ("%s: %s", what, detail));
}

static void
run_keep_attempts (GTask *task)
{
  EwsAutodiscover *self = g_task_get_source_object (task);
  Run             *run = g_task_get_task_data (task);

  g_ptr_array_set_size (self->attempts, 0);
  for (guint i = 0; i < run->attempts->len; i++)
    g_ptr_array_add (self->attempts, g_strdup (g_ptr_array_index (run->attempts, i)));
}

static void
run_fail (GTask  *task,
          GError *error)
{
  run_keep_attempts (task);
  g_task_return_error (task, error);
}

/* Queues a step; takes @target. */
static void
run_push (Run     *run,
          StepKind kind,
          char    *target,
          gboolean first)
{
  Step *step = g_new0 (Step, 1);

  step->kind = kind;
  step->target = target;
  if (first)
    g_queue_push_head (&run->steps, step);
  else
    g_queue_push_tail (&run->steps, step);
}

static char *
candidate_url (const char *scheme,
               const char *host,
               guint16     port,
               guint16     default_port)
{
  if (port == default_port)
    return g_strdup_printf ("%s://%s" AUTODISCOVER_PATH, scheme, host);
  return g_strdup_printf ("%s://%s:%u" AUTODISCOVER_PATH, scheme, host, port);
}

/* The domain of @email in ASCII, or NULL when @email is not an address. */
static char *
email_domain (const char *email)
{
  const char      *at = strrchr (email, '@');
  g_autofree char *ascii = NULL;

  if (at == NULL || at == email || at[1] == '\0')
    return NULL;
  ascii = g_hostname_to_ascii (at + 1);
  if (ascii == NULL || g_hostname_is_ip_address (ascii) || ascii[0] == '.' || ascii[0] == '-')
    return NULL;
  for (const char *p = ascii; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return NULL;
  return g_ascii_strdown (ascii, -1);
}

/* Starts over for @email with the four candidates of its domain. */
static gboolean
run_start_address (EwsAutodiscover *self,
                   Run             *run,
                   const char      *email,
                   GError         **error)
{
  g_autofree char *domain = email_domain (email);
  g_autofree char *autodiscover_host = NULL;

  if (domain == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_FAILED, "“%s” is not an e-mail address", email);
      return FALSE;
    }

  g_free (run->email);
  run->email = g_strdup (email);
  g_clear_pointer (&run->body, g_bytes_unref);
  run->body = ews_request_autodiscover (email);
  g_queue_clear_full (&run->steps, (GDestroyNotify)step_free);

  autodiscover_host = g_strconcat ("autodiscover.", domain, NULL);
  run_push (run, STEP_POST, candidate_url ("https", domain, self->https_port, DEFAULT_HTTPS_PORT), FALSE);
  run_push (run, STEP_POST, candidate_url ("https", autodiscover_host, self->https_port, DEFAULT_HTTPS_PORT), FALSE);
  run_push (run, STEP_GET, candidate_url ("http", autodiscover_host, self->http_port, DEFAULT_HTTP_PORT), FALSE);
  run_push (run, STEP_SRV, g_steal_pointer (&domain), FALSE);
  return TRUE;
}

/* Counts a redirect against the shared cap; FALSE (and the task returned) past it. */
static gboolean
run_count_redirect (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (++run->redirects <= EWS_AUTODISCOVER_MAX_REDIRECTS)
    return TRUE;
  run_note (run, run->url, "one redirect too many");
  run_fail (task, g_error_new (EWS_ERROR, EWS_ERROR_PROTOCOL,
                               "Autodiscover for %s was redirected more than %d times (a redirect loop); "
                               "ask the administrator for the EWS address",
                               run->email, EWS_AUTODISCOVER_MAX_REDIRECTS));
  return FALSE;
}

/* The absolute https URL @location points to, or NULL. */
static char *
https_target (const char *base,
              const char *location)
{
  g_autoptr (GUri) base_uri = g_uri_parse (base, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) uri = NULL;

  if (base_uri == NULL || location == NULL)
    return NULL;
  uri = g_uri_parse_relative (base_uri, location, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0 || g_uri_get_host (uri) == NULL)
    return NULL;
  return g_uri_to_string (uri);
}

static gboolean
run_authenticate (SoupMessage *msg,
                  SoupAuth    *auth,
                  gboolean     retrying,
                  gpointer     user_data)
{
  GTask           *task = user_data;
  EwsAutodiscover *self = g_task_get_source_object (task);
  Run             *run = g_task_get_task_data (task);

  /* Tried once: a refusal ends as HTTP 401, which stops the discovery. */
  if (retrying || self->password == NULL)
    return ews_auth_decline (auth);
  g_debug ("Answering %s authentication for %s", soup_auth_get_scheme_name (auth), soup_auth_get_authority (auth));
  return ews_auth_answer (auth, run->login, self->password);
}

static void
run_settings (GTask                 *task,
              EwsAutodiscoverResult *result)
{
  Run                     *run = g_task_get_task_data (task);
  EwsAutodiscoverSettings *settings = g_new0 (EwsAutodiscoverSettings, 1);

  run_note (run, run->url, "settings, EWS URL %s", result->ews_url);
  settings->ews_url = g_strdup (result->ews_url);
  settings->internal_ews_url = g_strdup (result->internal_ews_url);
  settings->display_name = g_strdup (result->display_name);
  settings->smtp_address = g_strdup (run->email);
  settings->grouping_information = g_strdup (result->grouping_information);
  settings->autodiscover_url = g_strdup (run->url);
  run_keep_attempts (task);
  g_task_return_pointer (task, settings, (GDestroyNotify)ews_autodiscover_settings_free);
}

/* An HTTP 200 answer to a POST: settings, a redirect, an error, or not POX at all. */
static void
run_handle_answer (GTask      *task,
                   const char *data,
                   gsize       length)
{
  EwsAutodiscover *self = g_task_get_source_object (task);
  Run             *run = g_task_get_task_data (task);
  g_autoptr (EwsAutodiscoverResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *target = NULL;

  result = ews_response_parse_autodiscover (data, length, &error);
  if (result == NULL)
    {
      run_note (run, run->url, "not an Autodiscover answer (%s)", error->message);
      run_next_step (task);
      return;
    }

  switch (result->action)
    {
    case EWS_AUTODISCOVER_ACTION_SETTINGS:
      run_settings (task, result);
      return;

    case EWS_AUTODISCOVER_ACTION_ERROR:
      run_note (run, run->url, "Autodiscover error %s (%s)", result->error_code, result->error_message);
      error = ews_error_new_from_response (result->error_code != NULL ? result->error_code : "unknown",
                                           result->error_message, 0);
      g_prefix_error (&error, "The Autodiscover service at %s refused %s: ", g_uri_get_host (soup_message_get_uri (run->msg)),
                      run->email);
      run_fail (task, g_steal_pointer (&error));
      return;

    case EWS_AUTODISCOVER_ACTION_REDIRECT_ADDR:
      run_note (run, run->url, "redirectAddr to %s", result->redirect);
      if (!run_count_redirect (task))
        return;
      if (!run_start_address (self, run, result->redirect, &error))
        {
          g_prefix_error (&error, "Autodiscover at %s redirected to an invalid address: ", run->url);
          run_fail (task, g_steal_pointer (&error));
          return;
        }
      run_next_step (task);
      return;

    case EWS_AUTODISCOVER_ACTION_REDIRECT_URL:
      target = https_target (run->url, result->redirect);
      if (target == NULL)
        {
          run_note (run, run->url, "redirectUrl to %s refused (not https)", result->redirect);
          run_next_step (task);
          return;
        }
      run_note (run, run->url, "redirectUrl to %s", target);
      if (!run_count_redirect (task))
        return;
      run_push (run, STEP_POST, g_steal_pointer (&target), TRUE);
      run_next_step (task);
      return;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
is_post_redirect (guint status)
{
  return status == SOUP_STATUS_MOVED_PERMANENTLY || status == SOUP_STATUS_FOUND || status == SOUP_STATUS_TEMPORARY_REDIRECT || status == SOUP_STATUS_PERMANENT_REDIRECT;
}

/* What a failed exchange means for the discovery; TRUE when it goes on. */
static gboolean
run_handle_transport_error (GTask  *task,
                            GError *error)
{
  Run *run = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_error_copy (error));
      return FALSE;
    }
  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_TLS))
    {
      run_note (run, run->url, "%s", error->message);
      run->answered = TRUE;
      if (run->tls_error == NULL)
        run->tls_error = g_error_copy (error);
      return TRUE;
    }
  if (ews_http_error_is_unreachable (error))
    run_note (run, run->url, "could not connect (%s)", error->message);
  else
    {
      run_note (run, run->url, "failed (%s)", error->message);
      run->answered = TRUE;
    }
  return TRUE;
}

static void
post_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = ews_http_send_finish (result, &error);
  g_autofree char *target = NULL;
  gsize            length = 0;
  const char      *data;
  guint            status;

  if (body == NULL)
    {
      if (run_handle_transport_error (task, error))
        run_next_step (task);
      return;
    }

  run->answered = TRUE;
  status = soup_message_get_status (run->msg);
  data = g_bytes_get_data (body, &length);
  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      EwsAutodiscover *self = g_task_get_source_object (task);

      run_note (run, run->url, "HTTP 401, credentials refused");
      run_fail (task, g_error_new (EWS_ERROR, EWS_ERROR_AUTH,
                                   self->password == NULL ? "The Autodiscover service at %s needs a user name and password"
                                                          : "The Autodiscover service at %s rejected the password or user name",
                                   g_uri_get_host (soup_message_get_uri (run->msg))));
      return;
    }
  if (is_post_redirect (status))
    {
      const char *location = soup_message_headers_get_one (soup_message_get_response_headers (run->msg), "Location");

      target = https_target (run->url, location);
      if (target == NULL)
        {
          run_note (run, run->url, "HTTP %u to %s refused (not https)", status, location != NULL ? location : "nowhere");
          run_next_step (task);
          return;
        }
      run_note (run, run->url, "HTTP %u to %s", status, target);
      if (!run_count_redirect (task))
        return;
      run_push (run, STEP_POST, g_steal_pointer (&target), TRUE);
      run_next_step (task);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      run_note (run, run->url, "HTTP %u %s", status, soup_message_get_reason_phrase (run->msg));
      run_next_step (task);
      return;
    }
  run_handle_answer (task, data, length);
}

static void
get_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = ews_http_send_finish (result, &error);
  g_autofree char *target = NULL;
  const char      *location;
  guint            status;

  if (body == NULL)
    {
      if (run_handle_transport_error (task, error))
        run_next_step (task);
      return;
    }

  run->answered = TRUE;
  status = soup_message_get_status (run->msg);
  if (status != SOUP_STATUS_FOUND)
    {
      run_note (run, run->url, "HTTP %u %s (only a redirect to https is followed)", status,
                soup_message_get_reason_phrase (run->msg));
      run_next_step (task);
      return;
    }

  location = soup_message_headers_get_one (soup_message_get_response_headers (run->msg), "Location");
  target = https_target (run->url, location);
  if (target == NULL)
    {
      run_note (run, run->url, "HTTP 302 to %s refused (not https)", location != NULL ? location : "nowhere");
      run_next_step (task);
      return;
    }
  run_note (run, run->url, "HTTP 302 to %s", target);
  if (!run_count_redirect (task))
    return;
  run_push (run, STEP_POST, g_steal_pointer (&target), TRUE);
  run_next_step (task);
}

/* The most preferred record on the https port: lowest priority, then highest weight. */
static GSrvTarget *
pick_srv_target (GList  *targets,
                 guint16 port)
{
  GSrvTarget *best = NULL;

  for (GList *l = targets; l != NULL; l = l->next)
    {
      GSrvTarget *target = l->data;
      const char *host = g_srv_target_get_hostname (target);

      if (g_srv_target_get_port (target) != port || host == NULL || host[0] == '\0' || g_str_equal (host, "."))
        continue;
      if (best == NULL || g_srv_target_get_priority (target) < g_srv_target_get_priority (best) || (g_srv_target_get_priority (target) == g_srv_target_get_priority (best) && g_srv_target_get_weight (target) > g_srv_target_get_weight (best)))
        best = target;
    }
  return best;
}

static void
srv_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  EwsAutodiscover *self = g_task_get_source_object (task);
  Run             *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  GList           *targets = g_resolver_lookup_service_finish (G_RESOLVER (object), result, &error);
  GSrvTarget      *best;
  g_autofree char *host = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (targets == NULL)
    {
      run_note (run, run->url, "no record (%s)", error != NULL ? error->message : "empty");
      run_next_step (task);
      return;
    }

  best = pick_srv_target (targets, self->https_port);
  if (best == NULL)
    run_note (run, run->url, "no record for port %u", self->https_port);
  else
    {
      host = g_strdup (g_srv_target_get_hostname (best));
      if (g_str_has_suffix (host, "."))
        host[strlen (host) - 1] = '\0';
      run_note (run, run->url, "%s port %u", host, g_srv_target_get_port (best));
      run_push (run, STEP_POST, candidate_url ("https", host, self->https_port, DEFAULT_HTTPS_PORT), TRUE);
    }
  g_resolver_free_targets (targets);
  run_next_step (task);
}

/* Every candidate failed. */
static void
run_not_found (GTask *task)
{
  Run             *run = g_task_get_task_data (task);
  g_autofree char *domain = email_domain (run->email);

  if (run->tls_error != NULL)
    run_fail (task, g_steal_pointer (&run->tls_error));
  else if (!run->answered)
    run_fail (task, g_error_new (EWS_ERROR, EWS_ERROR_UNREACHABLE,
                                 "No Autodiscover server for %s could be reached (%u addresses tried); "
                                 "check the network connection and the proxy settings",
                                 domain, run->attempts->len));
  else
    run_fail (task, g_error_new (EWS_ERROR, EWS_ERROR_NOT_SUPPORTED,
                                 "No Autodiscover service was found for %s (%u addresses tried); "
                                 "enter the EWS address by hand",
                                 domain, run->attempts->len));
}

static void
send_post (GTask *task)
{
  EwsAutodiscover *self = g_task_get_source_object (task);
  Run             *run = g_task_get_task_data (task);

  g_assert (g_str_has_prefix (run->url, "https://"));
  soup_message_set_request_body_from_bytes (run->msg, "text/xml; charset=utf-8", run->body);
  ews_http_send_async (self->session, run->msg, run->body, &self->trust, run_authenticate, task, MAX_RESPONSE_SIZE,
                       g_task_get_cancellable (task), post_cb, g_object_ref (task));
}

static void looked_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data);

static void
run_next_step (GTask *task)
{
  EwsAutodiscover *self = g_task_get_source_object (task);
  Run             *run = g_task_get_task_data (task);
  Step            *step;

  if (g_task_return_error_if_cancelled (task))
    return;

  step = g_queue_pop_head (&run->steps);
  if (step == NULL)
    {
      run_not_found (task);
      return;
    }

  g_clear_object (&run->msg);
  g_clear_pointer (&run->url, g_free);
  if (step->kind == STEP_SRV)
    {
      run->url = g_strconcat ("SRV _autodiscover._tcp.", step->target, NULL);
      g_resolver_lookup_service_async (self->resolver, "autodiscover", "tcp", step->target, g_task_get_cancellable (task),
                                       srv_cb, g_object_ref (task));
      step_free (step);
      return;
    }

  run->url = g_steal_pointer (&step->target);
  run->msg = soup_message_new (step->kind == STEP_POST ? SOUP_METHOD_POST : SOUP_METHOD_GET, run->url);
  if (run->msg == NULL)
    {
      run_note (run, run->url, "not a valid URL");
      step_free (step);
      run_next_step (task);
      return;
    }
  soup_message_add_flags (run->msg, SOUP_MESSAGE_NO_REDIRECT);
  g_debug ("%s %s", soup_message_get_method (run->msg), run->url);

  if (step->kind == STEP_POST && run->kerberos)
    {
      /* This server's service ticket, fetched off the main loop before libsoup's
       * Negotiate would ask the KDC on it. */
      ews_kerberos_look_async (g_uri_get_host (soup_message_get_uri (run->msg)), self->kerberos_wait_ms,
                               g_task_get_cancellable (task), looked_cb, g_object_ref (task));
    }
  else if (step->kind == STEP_POST)
    send_post (task);
  else
    {
      /* Plain http: no credentials, nothing but the redirect is believed. */
      ews_http_send_async (self->session, run->msg, NULL, &self->trust, NULL, NULL, MAX_RESPONSE_SIZE,
                           g_task_get_cancellable (task), get_cb, g_object_ref (task));
    }
  step_free (step);
}

/* A look for a Kerberos ticket. The first, before any step, settles whether there
 * is a ticket-granting ticket; each later one, whether Negotiate is offered to the
 * server of the step it comes before. */
static void
looked_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  EwsAutodiscover *self = g_task_get_source_object (task);
  Run             *run = g_task_get_task_data (task);
  GError          *error = NULL;
  gboolean         unanswered = FALSE;
  gboolean         have_ticket = ews_kerberos_look_finish (result, &unanswered, &error);
  gboolean         first = !run->looked;

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  run->looked = TRUE;
  /* A KDC that did not answer for one server will not for the next either: the
   * other candidates go without Kerberos rather than wait as long again. */
  if (first)
    run->kerberos = have_ticket;
  else if (unanswered)
    run->kerberos = FALSE;
  self->kerberos_unanswered |= unanswered;
  self->have_ticket = have_ticket;
  ews_autodiscover_apply_auth (self);
  if (first)
    run_next_step (task);
  else
    send_post (task);
}

/**
 * ews_autodiscover_run_async:
 * @self: an autodiscover
 * @email: the user's e-mail address
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Finds the EWS URL for @email. The candidates are tried in turn; a server that
 * refuses the credentials (HTTP 401) or answers with an Autodiscover error ends the
 * discovery at once. Redirects (redirectAddr, redirectUrl, HTTP 301/302) must lead to
 * https and count against one cap of %EWS_AUTODISCOVER_MAX_REDIRECTS.
 */
void
ews_autodiscover_run_async (EwsAutodiscover    *self,
                            const char         *email,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  Run *run;

  g_return_if_fail (EWS_IS_AUTODISCOVER (self));
  g_return_if_fail (email != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ews_autodiscover_run_async);
  g_task_set_name (task, "ews_autodiscover_run");
  run = g_new0 (Run, 1);
  g_queue_init (&run->steps);
  run->attempts = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, run, (GDestroyNotify)run_free);
  g_ptr_array_set_size (self->attempts, 0);
  self->kerberos_unanswered = FALSE;

  if (!run_start_address (self, run, email, &error))
    {
      run_fail (task, g_steal_pointer (&error));
      return;
    }
  /* After a redirectAddr the user still signs in as before. */
  run->login = g_strdup (self->username != NULL ? self->username : email);
  if (self->auth_mechanism == EWS_AUTH_AUTOMATIC || self->auth_mechanism == EWS_AUTH_NEGOTIATE)
    {
      ews_kerberos_look_async (NULL, self->kerberos_wait_ms, cancellable, looked_cb, g_steal_pointer (&task));
      return;
    }
  /* Each pending step holds its own reference; this one is dropped on return. */
  run_next_step (task);
}

/**
 * ews_autodiscover_run_finish:
 * @self: an autodiscover
 * @result: the result
 * @error: return location for an error
 *
 * Errors: %EWS_ERROR_AUTH (credentials refused), %EWS_ERROR_TLS (a certificate not
 * trusted; ews_error_get_peer_certificate() has it), %EWS_ERROR_NOT_SUPPORTED (no
 * Autodiscover service found), %EWS_ERROR_UNREACHABLE (no server reached),
 * %EWS_ERROR_PROTOCOL (redirect loop), or the Autodiscover error the server sent
 * (ews_error_dup_response_code() has its ErrorCode). ews_autodiscover_get_attempts()
 * says what was tried.
 *
 * Returns: (transfer full): the settings
 */
EwsAutodiscoverSettings *
ews_autodiscover_run_finish (EwsAutodiscover *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (EWS_IS_AUTODISCOVER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ews_autodiscover_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
