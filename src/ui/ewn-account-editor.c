/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-account-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ews-autodiscover.h"
#include "ews-error.h"
#include "ewn-account-config.h"
#include "ewn-account-editor.h"
#include "ewn-secret.h"

/* Adds or edits an account. "Sign In" finds the server (Autodiscover) unless an EWS
 * address is given, signs in (GetFolder) and only then saves: the settings, and the
 * password in the keyring. "Test Connection" does the same without saving. A
 * certificate nobody vouches for is shown with its fingerprint, and trusted for this
 * account only when the person says so. */

struct _EwnAccountEditor
{
  GtkWindow        parent_instance;

  GtkWidget       *sign_in_button;
  GtkWidget       *cancel_button;
  GtkWidget       *test_button;
  GtkEntry        *email;
  GtkEntry        *password;
  GtkExpander     *advanced;
  GtkEntry        *username;
  GtkEntry        *ews_url;
  GtkComboBoxText *auth;
  GtkToggleButton *watch_calendar;
  GtkToggleButton *watch_tasks;
  GtkTextView     *mailboxes;
  GtkToggleButton *enabled;
  GtkSpinner      *spinner;
  GtkLabel        *status;
  GtkWidget       *certificate_box;
  GtkLabel        *certificate_details;
  GtkWidget       *trust_button;

  GSettings       *app_settings;
  EwnAccountList  *accounts;
  char            *account_id; /* NULL: a new account, until saving names it */
  gboolean         is_new;
  char            *pin; /* the fingerprint the person trusts */
  char            *offered_pin;
  char            *owner_name;
  char            *saved_password; /* from the keyring, when editing */
  gboolean         loading_password;
  gboolean         run_when_loaded; /* Sign In (or Test) pressed while it was loading */
  gboolean         save_when_loaded;
  gboolean         check_when_loaded;
  gboolean         discovering;
  GCancellable    *cancellable;
  gboolean         save;
  gboolean         busy;
};

G_DEFINE_FINAL_TYPE (EwnAccountEditor, ewn_account_editor, GTK_TYPE_WINDOW)

static const char *
auth_id (EwnAccountEditor *self)
{
  const char *id = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->auth));

  return id != NULL ? id : "automatic";
}

static EwsAuthMechanism
auth_mechanism (EwnAccountEditor *self)
{
  const char *id = auth_id (self);

  if (g_str_equal (id, "basic"))
    return EWS_AUTH_BASIC;
  if (g_str_equal (id, "negotiate"))
    return EWS_AUTH_NEGOTIATE;
  if (g_str_equal (id, "ntlm"))
    return EWS_AUTH_NTLM;
  return EWS_AUTH_AUTOMATIC;
}

/* What was typed, else what the keyring holds for the account being edited. */
static const char *
current_password (EwnAccountEditor *self)
{
  const char *typed = gtk_entry_get_text (self->password);

  if (*typed != '\0' || self->saved_password == NULL)
    return typed;
  return self->saved_password;
}

static char *
dup_user (EwnAccountEditor *self)
{
  const char *user = gtk_entry_get_text (self->username);

  return g_strdup (*user != '\0' ? user : gtk_entry_get_text (self->email));
}

static GStrv
dup_mailboxes (EwnAccountEditor *self)
{
  GtkTextBuffer   *buffer = gtk_text_view_get_buffer (self->mailboxes);
  GtkTextIter      start, end;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  lines = g_strsplit_set (text, "\n,; ", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      g_strv_builder_add (builder, lines[i]);
  return g_strv_builder_end (builder);
}

static void
set_busy (EwnAccountEditor *self,
          gboolean          busy,
          const char       *status)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  if (busy)
    gtk_spinner_start (self->spinner);
  else
    gtk_spinner_stop (self->spinner);
  gtk_label_set_text (self->status, status != NULL ? status : "");
  gtk_widget_set_sensitive (self->sign_in_button, !busy);
  gtk_widget_set_sensitive (self->test_button, !busy);
  gtk_widget_set_sensitive (self->trust_button, !busy);
}

/* Says which step failed and what to do; a certificate is shown for trusting.
 * @kerberos_unanswered: Kerberos was not tried because the credential cache or
 * the KDC did not answer in time. */
static void
show_failure (EwnAccountEditor *self,
              const char       *step,
              const GError     *error,
              gboolean          kerberos_unanswered)
{
  GTlsCertificateFlags flags = 0;
  GTlsCertificate     *certificate = ews_error_get_peer_certificate (error, &flags);
  g_autofree char     *message = NULL;

  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_AUTH) && g_str_equal (auth_id (self), "negotiate") && kerberos_unanswered)
    message = g_strdup_printf (_("%s: Kerberos could not sign in: the domain controller or the credential cache did not answer. Check the network or VPN connection, and try again."), step);
  else if (g_error_matches (error, EWS_ERROR, EWS_ERROR_AUTH) && g_str_equal (auth_id (self), "negotiate"))
    message = g_strdup_printf (_("%s: the server did not accept a Kerberos sign-in. Check that you have a valid ticket (klist; sign in to the domain again, or kinit), and that the EWS address starts with https."), step);
  else if (g_error_matches (error, EWS_ERROR, EWS_ERROR_AUTH) && ews_auth_withholds_password (auth_mechanism (self), current_password (self)))
    message = g_strdup_printf (_("%s: the server did not accept the sign-in. This password has characters that NTLM sign-in cannot send (only those of ISO-8859-1, Western European letters, can), so it was not sent. Choose Kerberos under Advanced, or Basic if the server offers it over https."), step);
  else if (g_error_matches (error, EWS_ERROR, EWS_ERROR_AUTH))
    message = g_strdup_printf (_("%s: the server rejected the user name or password. Check them, or the user name under Advanced (DOMAIN\\user or user@example.com)."), step);
  else if (certificate != NULL)
    message = g_strdup_printf (_("%s: the server’s certificate is not trusted. Check it below."), step);
  else if (g_error_matches (error, EWS_ERROR, EWS_ERROR_UNREACHABLE))
    message = g_strdup_printf (_("%s: the server could not be reached. Check the network connection, the proxy and the address.\n(%s)"), step, error->message);
  else if (g_error_matches (error, EWS_ERROR, EWS_ERROR_NOT_SUPPORTED) && self->discovering)
    message = g_strdup_printf (_("%s: no Autodiscover service answered for this domain. Enter the EWS address under Advanced; your IT department knows it.\n(%s)"), step, error->message);
  else if (g_error_matches (error, EWS_ERROR, EWS_ERROR_NOT_SUPPORTED))
    message = g_strdup_printf (_("%s: this server does not offer EWS at this address. Check the EWS address under Advanced.\n(%s)"), step, error->message);
  else
    message = g_strdup_printf (_("%s: %s"), step, error->message);
  set_busy (self, FALSE, message);

  gtk_widget_set_visible (self->certificate_box, certificate != NULL);
  if (certificate != NULL)
    {
      g_autofree char *details = ews_client_describe_certificate (certificate, flags);

      g_free (self->offered_pin);
      self->offered_pin = ews_client_certificate_fingerprint (certificate);
      gtk_label_set_text (self->certificate_details, details);
    }
}

static gboolean
watched_set_changed (EwnAccountEditor *self,
                     GSettings        *settings)
{
  g_auto (GStrv) before = g_settings_get_strv (settings, "extra-mailboxes");
  g_auto (GStrv) after = dup_mailboxes (self);

  return g_settings_get_boolean (settings, "watch-calendar") != gtk_toggle_button_get_active (self->watch_calendar) || g_settings_get_boolean (settings, "watch-tasks") != gtk_toggle_button_get_active (self->watch_tasks) || !g_strv_equal ((const char *const *)before, (const char *const *)after);
}

static void
write_settings (EwnAccountEditor *self,
                GSettings        *settings)
{
  g_auto (GStrv) mailboxes = dup_mailboxes (self);
  g_autoptr (GString) pin = g_string_new (NULL);

  /* Hexadecimal digits only, as the key says. */
  for (const char *p = self->pin; p != NULL && *p != '\0'; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (pin, g_ascii_tolower (*p));

  g_settings_delay (settings);
  g_settings_set_string (settings, "email", gtk_entry_get_text (self->email));
  g_settings_set_string (settings, "username", gtk_entry_get_text (self->username));
  g_settings_set_string (settings, "ews-url", gtk_entry_get_text (self->ews_url));
  g_settings_set_string (settings, "auth-mechanism", auth_id (self));
  g_settings_set_string (settings, "pinned-certificate", pin->str);
  g_settings_set_boolean (settings, "watch-calendar", gtk_toggle_button_get_active (self->watch_calendar));
  g_settings_set_boolean (settings, "watch-tasks", gtk_toggle_button_get_active (self->watch_tasks));
  g_settings_set_strv (settings, "extra-mailboxes", (const char *const *)mailboxes);
  g_settings_set_boolean (settings, "enabled", gtk_toggle_button_get_active (self->enabled));
  if (self->owner_name != NULL)
    g_settings_set_string (settings, "owner-name", self->owner_name);
  g_settings_apply (settings);
}

static void
finish_saving (EwnAccountEditor *self)
{
  g_autoptr (GSettings) settings = NULL;
  gboolean clear_state = FALSE;
  gboolean is_new = self->is_new;

  if (self->account_id == NULL)
    self->account_id = ewn_account_config_new_id (self->app_settings, gtk_entry_get_text (self->email));
  settings = ewn_account_config_settings (self->account_id);
  if (!is_new)
    clear_state = watched_set_changed (self, settings);
  write_settings (self, settings);

  /* A new id in the list starts the account; an edited one restarts. */
  if (is_new)
    ewn_account_config_add (self->app_settings, self->account_id);
  else
    ewn_account_list_reload (self->accounts, self->account_id, clear_state);
  gtk_widget_destroy (GTK_WIDGET (self));
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  EwnAccountEditor *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!ewn_secret_store_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_autofree char *message = g_strdup_printf (_("Signed in, but the password could not be saved in the keyring: %s. Unlock or set up the keyring, then sign in again."),
                                                     error->message);
      set_busy (self, FALSE, message);
      return;
    }
  finish_saving (self);
}

static void
save (EwnAccountEditor *self)
{
  g_autofree char *user = dup_user (self);
  g_autofree char *server = NULL;
  g_autoptr (GUri) uri = g_uri_parse (gtk_entry_get_text (self->ews_url), G_URI_FLAGS_NONE, NULL);

  if (g_str_equal (auth_id (self), "negotiate"))
    {
      /* Kerberos needs no password: one kept from before goes. */
      if (self->account_id != NULL)
        ewn_secret_clear_async (self->account_id, EWN_SECRET_DEFAULT_TIMEOUT_MS, NULL, NULL, NULL);
      finish_saving (self);
      return;
    }
  /* The id must exist before the password is stored under it. */
  if (self->account_id == NULL)
    self->account_id = ewn_account_config_new_id (self->app_settings, gtk_entry_get_text (self->email));
  server = g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "");
  set_busy (self, TRUE, _("Saving the password in the keyring…"));
  ewn_secret_store_async (self->account_id, user, server, current_password (self), EWN_SECRET_PROMPT_TIMEOUT_MS,
                          self->cancellable, on_stored, self);
}

static void
on_checked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  EwnAccountEditor *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *message = NULL;

  if (!ews_client_check_finish (EWS_CLIENT (source), result, &version, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_failure (self, _("Signing in"), error, ews_client_get_kerberos_unanswered (EWS_CLIENT (source)));
      return;
    }

  gtk_widget_hide (self->certificate_box);
  message = version != NULL ? g_strdup_printf (_("Signed in to %s (Exchange %s): calendars and tasks can be watched."),
                                                  ews_client_get_url (EWS_CLIENT (source)), version)
                            : g_strdup_printf (_("Signed in to %s: calendars and tasks can be watched."), ews_client_get_url (EWS_CLIENT (source)));
  set_busy (self, FALSE, message);
  if (self->save)
    save (self);
}

static void
check (EwnAccountEditor *self)
{
  g_autoptr (EwsClient) client = ews_client_new (gtk_entry_get_text (self->ews_url));
  g_autofree char *user = dup_user (self);
  g_autofree char *status = g_strdup_printf (_("Signing in to %s…"), gtk_entry_get_text (self->ews_url));
  g_autoptr (GSettings) settings = self->account_id != NULL ? ewn_account_config_settings (self->account_id) : NULL;
  g_autofree char *ca_file = settings != NULL ? g_settings_get_string (settings, "ca-file") : NULL;
  g_autoptr (GError) error = NULL;

  ews_client_set_auth_mechanism (client, auth_mechanism (self));
  ews_client_set_credentials (client, user, g_str_equal (auth_id (self), "negotiate") ? NULL : current_password (self));
  ews_client_set_anchor_mailbox (client, gtk_entry_get_text (self->email));
  if (self->pin != NULL)
    ews_client_set_pinned_certificate (client, self->pin);
  if (ca_file != NULL && *ca_file != '\0' && !ews_client_set_ca_file (client, ca_file, &error))
    {
      show_failure (self, _("Reading the certificate authority file"), error, FALSE);
      return;
    }
  set_busy (self, TRUE, status);
  ews_client_check_async (client, self->cancellable, on_checked, self);
}

static void
on_discovered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  EwnAccountEditor *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsAutodiscoverSettings) found = ews_autodiscover_run_finish (EWS_AUTODISCOVER (source), result, &error);

  if (found == NULL)
    {
      g_autofree char *attempts = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* What was tried, for whoever helps: each address and what it answered. */
      attempts = g_strjoinv ("\n", (char **)ews_autodiscover_get_attempts (EWS_AUTODISCOVER (source)));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->status), attempts);
      show_failure (self, _("Finding the server"), error, ews_autodiscover_get_kerberos_unanswered (EWS_AUTODISCOVER (source)));
      self->discovering = FALSE;
      if (!g_error_matches (error, EWS_ERROR, EWS_ERROR_AUTH) && ews_error_get_peer_certificate (error, NULL) == NULL)
        gtk_expander_set_expanded (self->advanced, TRUE); /* the EWS address can be typed there */
      return;
    }

  self->discovering = FALSE;
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status), NULL);
  gtk_entry_set_text (self->ews_url, found->ews_url);
  g_free (self->owner_name);
  self->owner_name = g_strdup (found->display_name);
  check (self);
}

static gboolean
validate (EwnAccountEditor *self)
{
  const char *email = gtk_entry_get_text (self->email);
  const char *url = gtk_entry_get_text (self->ews_url);
  const char *at = strchr (email, '@');

  if (at == NULL || at == email || at[1] == '\0' || strchr (at + 1, '@') != NULL)
    {
      set_busy (self, FALSE, _("Enter your e-mail address, such as name@example.com."));
      gtk_widget_grab_focus (GTK_WIDGET (self->email));
      return FALSE;
    }
  if (!g_str_equal (auth_id (self), "negotiate") && *current_password (self) == '\0')
    {
      set_busy (self, FALSE, _("Enter your password. With Kerberos (under Advanced) none is needed."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password));
      return FALSE;
    }
  if (*url != '\0' && !g_str_has_prefix (url, "https://") && !g_str_has_prefix (url, "http://"))
    {
      set_busy (self, FALSE, _("The EWS address starts with https://, such as https://mail.example.com/EWS/Exchange.asmx."));
      gtk_expander_set_expanded (self->advanced, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->ews_url));
      return FALSE;
    }
  return TRUE;
}

static void
run (EwnAccountEditor *self,
     gboolean          save_after)
{
  g_autoptr (EwsAutodiscover) discover = NULL;
  g_autofree char *user = NULL;
  g_autofree char *status = NULL;

  if (self->busy)
    return;
  if (self->loading_password && *gtk_entry_get_text (self->password) == '\0')
    {
      /* Pressed at once: the saved password is still on its way from the keyring. */
      self->run_when_loaded = TRUE;
      self->save_when_loaded = save_after;
      set_busy (self, TRUE, _("Getting the saved password from the keyring…"));
      return;
    }
  if (!validate (self))
    return;
  self->save = save_after;
  gtk_widget_hide (self->certificate_box);
  if (*gtk_entry_get_text (self->ews_url) != '\0')
    {
      check (self);
      return;
    }

  discover = ews_autodiscover_new ();
  user = dup_user (self);
  ews_autodiscover_set_credentials (discover, user, current_password (self));
  ews_autodiscover_set_auth_mechanism (discover, auth_mechanism (self));
  if (self->pin != NULL)
    ews_autodiscover_set_pinned_certificate (discover, self->pin);
  status = g_strdup_printf (_("Looking for the server of %s…"), strchr (gtk_entry_get_text (self->email), '@') + 1);
  set_busy (self, TRUE, status);
  self->discovering = TRUE;
  ews_autodiscover_run_async (discover, gtk_entry_get_text (self->email), self->cancellable, on_discovered, self);
}

static void
on_sign_in (EwnAccountEditor *self)
{
  run (self, TRUE);
}

static void
on_test (EwnAccountEditor *self)
{
  run (self, FALSE);
}

static void
on_trust (EwnAccountEditor *self)
{
  if (self->offered_pin == NULL)
    return;
  g_free (self->pin);
  self->pin = g_strdup (self->offered_pin);
  /* Trusting is deciding to use this server: signing in then saves. */
  run (self, TRUE);
}

/* Kerberos signs in with the session's ticket: no password to type. */
static void
on_auth_changed (EwnAccountEditor *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->password), !g_str_equal (auth_id (self), "negotiate"));
}

static void
on_cancel (EwnAccountEditor *self)
{
  gtk_widget_destroy (GTK_WIDGET (self));
}

static void
on_saved_password (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  char             *password = ewn_secret_lookup_finish (result, &error);
  EwnAccountEditor *self = user_data;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading_password = FALSE;
  if (self->run_when_loaded)
    set_busy (self, FALSE, NULL);
  if (password == NULL)
    {
      g_debug ("no saved password: %s", error->message);
      gtk_entry_set_placeholder_text (self->password, _("Enter the password"));
      gtk_widget_grab_focus (GTK_WIDGET (self->password));
    }
  else
    {
      ewn_secret_free (self->saved_password);
      self->saved_password = password;
      gtk_entry_set_placeholder_text (self->password, _("Saved in the keyring"));
    }
  /* What was pressed while it loaded goes on now (and says so without a password);
   * opened to fix a problem, the editor finds out at once what it is now. */
  if (self->run_when_loaded)
    {
      self->run_when_loaded = FALSE;
      run (self, self->save_when_loaded);
    }
  else if (self->check_when_loaded && password != NULL)
    run (self, FALSE);
}

static void
load (EwnAccountEditor *self)
{
  g_autoptr (GSettings) settings = ewn_account_config_settings (self->account_id);
  g_autofree char *email = g_settings_get_string (settings, "email");
  g_autofree char *username = g_settings_get_string (settings, "username");
  g_autofree char *url = g_settings_get_string (settings, "ews-url");
  g_autofree char *pin = g_settings_get_string (settings, "pinned-certificate");
  g_autofree char *auth = g_settings_get_string (settings, "auth-mechanism");
  g_auto (GStrv) mailboxes = g_settings_get_strv (settings, "extra-mailboxes");
  g_autofree char *lines = g_strjoinv ("\n", mailboxes);
  EwnAccount      *account = ewn_account_list_find (self->accounts, self->account_id);

  gtk_entry_set_text (self->email, email);
  gtk_entry_set_text (self->username, username);
  gtk_entry_set_text (self->ews_url, url);
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->auth), auth);
  gtk_toggle_button_set_active (self->watch_calendar, g_settings_get_boolean (settings, "watch-calendar"));
  gtk_toggle_button_set_active (self->watch_tasks, g_settings_get_boolean (settings, "watch-tasks"));
  gtk_toggle_button_set_active (self->enabled, g_settings_get_boolean (settings, "enabled"));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->mailboxes), lines, -1);
  self->pin = *pin != '\0' ? g_strdup (pin) : NULL;
  self->owner_name = g_settings_get_string (settings, "owner-name");
  if (account != NULL && ewn_account_get_state_reason (account) != NULL)
    gtk_label_set_text (self->status, ewn_account_get_state_reason (account));
  /* The saved password is used unless another is typed; it is never shown. */
  if (ewn_account_config_needs_password (settings))
    {
      self->loading_password = TRUE;
      ewn_secret_lookup_async (self->account_id, EWN_SECRET_DEFAULT_TIMEOUT_MS, self->cancellable, on_saved_password, self);
    }
  else if (self->check_when_loaded)
    run (self, FALSE);
}

static void
ewn_account_editor_dispose (GObject *object)
{
  EwnAccountEditor *self = EWN_ACCOUNT_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  if (self->password != NULL)
    gtk_entry_set_text (self->password, "");
  g_clear_object (&self->app_settings);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (ewn_account_editor_parent_class)->dispose (object);
}

static void
ewn_account_editor_finalize (GObject *object)
{
  EwnAccountEditor *self = EWN_ACCOUNT_EDITOR (object);

  g_clear_object (&self->cancellable);
  g_free (self->account_id);
  g_free (self->pin);
  g_free (self->offered_pin);
  g_free (self->owner_name);
  ewn_secret_free (self->saved_password);

  G_OBJECT_CLASS (ewn_account_editor_parent_class)->finalize (object);
}

static void
ewn_account_editor_class_init (EwnAccountEditorClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ewn_account_editor_dispose;
  object_class->finalize = ewn_account_editor_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ewsnotifier/EwsNotifier/ewn-account-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, test_button);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, email);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, password);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, advanced);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, username);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, ews_url);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, auth);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, watch_calendar);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, watch_tasks);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, mailboxes);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, enabled);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, spinner);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, status);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, certificate_box);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, certificate_details);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountEditor, trust_button);
}

static void
ewn_account_editor_init (EwnAccountEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->auth), "automatic");
  gtk_toggle_button_set_active (self->watch_calendar, TRUE);
  gtk_toggle_button_set_active (self->watch_tasks, TRUE);
  gtk_toggle_button_set_active (self->enabled, TRUE);
  gtk_widget_set_can_default (self->sign_in_button, TRUE);
  gtk_window_set_default (GTK_WINDOW (self), self->sign_in_button);
  g_signal_connect_swapped (self->sign_in_button, "clicked", G_CALLBACK (on_sign_in), self);
  g_signal_connect_swapped (self->test_button, "clicked", G_CALLBACK (on_test), self);
  g_signal_connect_swapped (self->trust_button, "clicked", G_CALLBACK (on_trust), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (on_cancel), self);
  g_signal_connect_swapped (self->auth, "changed", G_CALLBACK (on_auth_changed), self);
}

/**
 * ewn_account_editor_new:
 * @parent: the preferences window
 * @app_settings: the application's settings
 * @accounts: the running accounts
 * @account_id: (nullable): the account to edit, or %NULL to add one
 *
 * Returns: (transfer floating): the editor
 */
GtkWidget *
ewn_account_editor_new (GtkWindow      *parent,
                        GSettings      *app_settings,
                        EwnAccountList *accounts,
                        const char     *account_id)
{
  EwnAccountEditor *self = g_object_new (EWN_TYPE_ACCOUNT_EDITOR, "transient-for", parent, NULL);

  self->app_settings = g_object_ref (app_settings);
  self->accounts = g_object_ref (accounts);
  self->account_id = g_strdup (account_id);
  self->is_new = account_id == NULL;
  if (account_id != NULL)
    {
      EwnAccount *account = ewn_account_list_find (accounts, account_id);

      self->check_when_loaded = account != NULL && ewn_account_get_state (account) == EWN_ACCOUNT_STATE_ERROR;
      load (self);
    }
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->email));
  return GTK_WIDGET (self);
}
