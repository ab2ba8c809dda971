/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-account-list"

#include "config.h"

#include <glib/gi18n.h>

#include "ewn-account-config.h"
#include "ewn-account-list.h"
#include "ewn-secret.h"

/* The running accounts: the enabled ones a person set up (their passwords read from
 * the keyring without ever waiting on it for long), plus a temporary one from the
 * command line. It follows the `accounts` key, so an account added or removed in
 * Preferences starts or stops here. Every account's changes come out of one signal. */

struct _EwnAccountList
{
  GObject       parent_instance;

  GSettings    *app_settings;
  GListStore   *accounts;  /* (element-type EwnAccount) */
  GHashTable   *temporary; /* ids not from the settings → their user names */
  GHashTable   *problems;  /* id → 1 + the EwnSecretError that kept its password away */
  GHashTable   *unusable;  /* id → why its settings cannot make an account */
  GHashTable   *lookups;   /* id → the GCancellable of its keyring lookup */
  GHashTable   *unsaved;   /* id → a typed password, saved once the server takes it */
  GCancellable *cancellable;
  guint         secret_timeout_ms;
};

G_DEFINE_FINAL_TYPE (EwnAccountList, ewn_account_list, G_TYPE_OBJECT)

enum
{
  CHANGE,
  CREDENTIALS_NEEDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
cancel_and_unref (GCancellable *cancellable)
{
  g_cancellable_cancel (cancellable);
  g_object_unref (cancellable);
}

typedef struct
{
  EwnAccountList *self;
  EwnAccount     *account;
} Pending;

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->self);
  g_object_unref (pending->account);
  g_free (pending);
}

static Pending *
pending_new (EwnAccountList *self,
             EwnAccount     *account)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->self = g_object_ref (self);
  pending->account = g_object_ref (account);
  return pending;
}

static gboolean
find_position (EwnAccountList *self,
               const char     *account_id,
               guint          *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (EwnAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (g_strcmp0 (ewn_account_get_id (account), account_id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * ewn_account_list_find:
 *
 * Returns: (transfer none) (nullable): the running account with this id
 */
EwnAccount *
ewn_account_list_find (EwnAccountList *self,
                       const char     *account_id)
{
  guint position;
  g_autoptr (EwnAccount) account = NULL;

  g_return_val_if_fail (EWN_IS_ACCOUNT_LIST (self), NULL);

  if (!find_position (self, account_id, &position))
    return NULL;
  account = g_list_model_get_item (G_LIST_MODEL (self->accounts), position);
  return account; /* the store keeps it */
}

/* Whether @account is still the one running under its id (not removed or reloaded). */
static gboolean
is_current (EwnAccountList *self,
            EwnAccount     *account)
{
  return ewn_account_list_find (self, ewn_account_get_id (account)) == account;
}

static void
on_change (EwnAccount     *account,
           EwnChange      *change,
           EwnAccountList *self)
{
  g_signal_emit (self, signals[CHANGE], 0, account, change);
}

static void
on_credentials_needed (EwnAccount     *account,
                       EwnAccountList *self)
{
  g_signal_emit (self, signals[CREDENTIALS_NEEDED], 0, account);
}

static void
append (EwnAccountList *self,
        EwnAccount     *account)
{
  g_signal_connect (account, "change", G_CALLBACK (on_change), self);
  g_signal_connect (account, "credentials-needed", G_CALLBACK (on_credentials_needed), self);
  g_list_store_append (self->accounts, account);
}

static void
stop_and_drop (EwnAccountList *self,
               guint           position,
               gboolean        clear_state)
{
  g_autoptr (EwnAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), position);
  const char *id = ewn_account_get_id (account);

  g_signal_handlers_disconnect_by_data (account, self);
  g_list_store_remove (self->accounts, position);
  g_hash_table_remove (self->problems, id);
  g_hash_table_remove (self->lookups, id);
  g_hash_table_remove (self->unsaved, id);
  /* Unsubscribes in the background; its store is closed at once, so the saved state
   * can go now, before an account of the same id starts afresh. */
  if (ewn_account_get_started (account))
    ewn_account_stop_async (account, NULL, NULL);
  if (clear_state)
    ewn_account_config_clear_state (id);
}

/* The password arrived: sign in with it. */
static void
start_with_password (EwnAccount *account,
                     const char *password)
{
  g_autoptr (GSettings) settings = ewn_account_config_settings (ewn_account_get_id (account));
  g_autofree char *user = ewn_account_config_dup_user (settings);

  ews_client_set_credentials (ewn_account_get_client (account), user, password);
  if (ewn_account_get_started (account))
    ewn_account_reconnect (account);
  else
    ewn_account_start (account);
}

static void
on_password (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Pending        *pending = user_data;
  EwnAccountList *self = pending->self;
  g_autoptr (GError) error = NULL;
  char *password = ewn_secret_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !is_current (self, pending->account))
    ; /* superseded, removed or reloaded meanwhile */
  else if (password != NULL)
    {
      g_hash_table_remove (self->lookups, ewn_account_get_id (pending->account));
      g_hash_table_remove (self->problems, ewn_account_get_id (pending->account));
      start_with_password (pending->account, password);
    }
  else if (!ewn_account_get_started (pending->account))
    {
      const char *reason;

      g_hash_table_remove (self->lookups, ewn_account_get_id (pending->account));
      if (error->domain == EWN_SECRET_ERROR)
        g_hash_table_replace (self->problems, g_strdup (ewn_account_get_id (pending->account)), GINT_TO_POINTER (error->code + 1));
      g_message ("%s: no password from the keyring: %s", ewn_account_get_id (pending->account), error->message);
      if (g_error_matches (error, EWN_SECRET_ERROR, EWN_SECRET_ERROR_LOCKED))
        reason = _("The keyring is locked: unlock it or enter the password");
      else if (g_error_matches (error, EWN_SECRET_ERROR, EWN_SECRET_ERROR_NOT_FOUND))
        reason = _("No password is saved: enter it to connect");
      else if (g_error_matches (error, EWN_SECRET_ERROR, EWN_SECRET_ERROR_TIMEOUT))
        reason = _("The keyring did not answer: enter the password to connect");
      else if (g_error_matches (error, EWN_SECRET_ERROR, EWN_SECRET_ERROR_UNAVAILABLE))
        reason = _("No keyring is available: enter the password to connect");
      else
        reason = error->message;
      ewn_account_wait_for_credentials (pending->account, reason);
    }

  ewn_secret_free (password);
  pending_free (pending);
}

static void
look_up_password (EwnAccountList *self,
                  EwnAccount     *account)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  if (!ewn_account_get_started (account))
    ewn_account_wait (account, _("Reading the password from the keyring…"));
  /* A later lookup, a typed password or the account going away cancels this one. */
  g_hash_table_replace (self->lookups, g_strdup (ewn_account_get_id (account)), g_object_ref (cancellable));
  ewn_secret_lookup_async (ewn_account_get_id (account), self->secret_timeout_ms, cancellable,
                           on_password, pending_new (self, account));
}

static void
add_configured (EwnAccountList *self,
                const char     *account_id)
{
  g_autoptr (GSettings) settings = ewn_account_config_settings (account_id);
  g_autoptr (EwnAccount) account = NULL;
  g_autoptr (GError) error = NULL;

  g_hash_table_remove (self->unusable, account_id);
  if (!g_settings_get_boolean (settings, "enabled"))
    return;

  account = ewn_account_config_new_account (account_id, settings, &error);
  if (account == NULL)
    {
      g_message ("%s: %s", account_id, error->message);
      g_hash_table_replace (self->unusable, g_strdup (account_id), g_strdup (error->message));
      return;
    }
  append (self, account);
  if (ewn_account_config_needs_password (settings))
    look_up_password (self, account);
  else
    ewn_account_start (account);
}

/* Follows the `accounts` key: new ids start, vanished ones stop. */
static void
on_accounts_changed (GSettings      *settings,
                     const char     *key,
                     EwnAccountList *self)
{
  g_auto (GStrv) ids = g_settings_get_strv (self->app_settings, "accounts");
  guint position;

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->accounts)); i > 0; i--)
    {
      g_autoptr (EwnAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i - 1);
      const char *id = ewn_account_get_id (account);

      if (!g_hash_table_contains (self->temporary, id) && !g_strv_contains ((const char *const *)ids, id))
        stop_and_drop (self, i - 1, FALSE);
    }
  for (guint i = 0; ids[i] != NULL; i++)
    if (!find_position (self, ids[i], &position))
      add_configured (self, ids[i]);
}

static void
ewn_account_list_dispose (GObject *object)
{
  EwnAccountList *self = EWN_ACCOUNT_LIST (object);

  g_cancellable_cancel (self->cancellable);
  if (self->app_settings != NULL)
    g_signal_handlers_disconnect_by_data (self->app_settings, self);
  if (self->accounts != NULL)
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->accounts)); i++)
      {
        g_autoptr (EwnAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

        g_signal_handlers_disconnect_by_data (account, self);
      }
  g_clear_object (&self->accounts);
  g_clear_object (&self->app_settings);

  G_OBJECT_CLASS (ewn_account_list_parent_class)->dispose (object);
}

static void
ewn_account_list_finalize (GObject *object)
{
  EwnAccountList *self = EWN_ACCOUNT_LIST (object);

  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->temporary);
  g_hash_table_unref (self->problems);
  g_hash_table_unref (self->unusable);
  g_hash_table_unref (self->lookups);
  g_hash_table_unref (self->unsaved);

  G_OBJECT_CLASS (ewn_account_list_parent_class)->finalize (object);
}

static void
ewn_account_list_class_init (EwnAccountListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ewn_account_list_dispose;
  object_class->finalize = ewn_account_list_finalize;

  /**
   * EwnAccountList::change:
   * @account: the account that saw it
   * @change: the change
   */
  signals[CHANGE] = g_signal_new ("change", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 2, EWN_TYPE_ACCOUNT, EWN_TYPE_CHANGE | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EwnAccountList::credentials-needed:
   * @account: the account whose password the server refused
   */
  signals[CREDENTIALS_NEEDED] = g_signal_new ("credentials-needed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                              NULL, NULL, NULL, G_TYPE_NONE, 1, EWN_TYPE_ACCOUNT);
}

static void
ewn_account_list_init (EwnAccountList *self)
{
  self->accounts = g_list_store_new (EWN_TYPE_ACCOUNT);
  self->temporary = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->problems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->unusable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->lookups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)cancel_and_unref);
  self->unsaved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)ewn_secret_free);
  self->cancellable = g_cancellable_new ();
  self->secret_timeout_ms = EWN_SECRET_DEFAULT_TIMEOUT_MS;
}

/**
 * ewn_account_list_new:
 * @app_settings: the application's settings (its `accounts` key)
 *
 * Returns: (transfer full): an empty list; ewn_account_list_load() fills it
 */
EwnAccountList *
ewn_account_list_new (GSettings *app_settings)
{
  EwnAccountList *self;

  g_return_val_if_fail (G_IS_SETTINGS (app_settings), NULL);

  self = g_object_new (EWN_TYPE_ACCOUNT_LIST, NULL);
  self->app_settings = g_object_ref (app_settings);
  return self;
}

/**
 * ewn_account_list_get_model:
 *
 * Returns: (transfer none): the running accounts, a list model of #EwnAccount
 */
GListModel *
ewn_account_list_get_model (EwnAccountList *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT_LIST (self), NULL);

  return G_LIST_MODEL (self->accounts);
}

/**
 * ewn_account_list_is_configured:
 *
 * Returns: %TRUE when the account is one a person set up (not a temporary one)
 */
gboolean
ewn_account_list_is_configured (EwnAccountList *self,
                                const char     *account_id)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT_LIST (self), FALSE);

  return account_id != NULL && !g_hash_table_contains (self->temporary, account_id);
}

/**
 * ewn_account_list_is_keyring_locked:
 *
 * Returns: %TRUE when the account waits because its password is in a locked keyring
 */
gboolean
ewn_account_list_is_keyring_locked (EwnAccountList *self,
                                    const char     *account_id)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT_LIST (self), FALSE);

  return ewn_account_list_get_keyring_problem (self, account_id) == EWN_SECRET_ERROR_LOCKED;
}

/**
 * ewn_account_list_get_keyring_problem:
 *
 * Returns: the #EwnSecretError that kept the account's password away (locked, none
 *   saved, no answer, no keyring), or -1
 */
int
ewn_account_list_get_keyring_problem (EwnAccountList *self,
                                      const char     *account_id)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT_LIST (self), -1);

  if (account_id == NULL)
    return -1;
  return GPOINTER_TO_INT (g_hash_table_lookup (self->problems, account_id)) - 1;
}

/**
 * ewn_account_list_get_unusable_reason:
 *
 * Returns: (nullable): why a configured, enabled account is not running: its
 *   settings cannot make one (no or a bad EWS address, an unreadable CA file)
 */
const char *
ewn_account_list_get_unusable_reason (EwnAccountList *self,
                                      const char     *account_id)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT_LIST (self), NULL);

  return account_id != NULL ? g_hash_table_lookup (self->unusable, account_id) : NULL;
}

/**
 * ewn_account_list_retry_keyring:
 *
 * Reads the account's password from the keyring again (after it did not answer).
 */
void
ewn_account_list_retry_keyring (EwnAccountList *self,
                                const char     *account_id)
{
  EwnAccount *account;

  g_return_if_fail (EWN_IS_ACCOUNT_LIST (self));

  account = ewn_account_list_find (self, account_id);
  if (account != NULL && !ewn_account_get_started (account))
    look_up_password (self, account);
}

/**
 * ewn_account_list_set_secret_timeout:
 * @timeout_ms: how long a keyring call may take (for tests)
 */
void
ewn_account_list_set_secret_timeout (EwnAccountList *self,
                                     guint           timeout_ms)
{
  g_return_if_fail (EWN_IS_ACCOUNT_LIST (self));

  self->secret_timeout_ms = timeout_ms;
}

/**
 * ewn_account_list_load:
 *
 * Starts every enabled account of the settings, and follows the `accounts` key from now on.
 */
void
ewn_account_list_load (EwnAccountList *self)
{
  g_return_if_fail (EWN_IS_ACCOUNT_LIST (self));

  g_signal_connect (self->app_settings, "changed::accounts", G_CALLBACK (on_accounts_changed), self);
  on_accounts_changed (self->app_settings, "accounts", self);
}

/**
 * ewn_account_list_add_temporary:
 * @account: an account from the command line, with its credentials set
 * @user: the user name it signs in with
 *
 * Adds and starts an account that is not in the settings.
 */
void
ewn_account_list_add_temporary (EwnAccountList *self,
                                EwnAccount     *account,
                                const char     *user)
{
  g_return_if_fail (EWN_IS_ACCOUNT_LIST (self));
  g_return_if_fail (EWN_IS_ACCOUNT (account));

  g_hash_table_insert (self->temporary, g_strdup (ewn_account_get_id (account)), g_strdup (user));
  append (self, account);
  ewn_account_start (account);
}

/**
 * ewn_account_list_reload:
 *
 * @clear_state: %TRUE when what is watched changed (folders, mailboxes): the saved
 *   items are dropped and the account starts afresh, quietly
 *
 * The account's settings changed: stops it and starts it again with the new ones
 * (or not at all, when it is now disabled).
 */
void
ewn_account_list_reload (EwnAccountList *self,
                         const char     *account_id,
                         gboolean        clear_state)
{
  guint position;

  g_return_if_fail (EWN_IS_ACCOUNT_LIST (self));

  if (find_position (self, account_id, &position))
    stop_and_drop (self, position, clear_state);
  else if (clear_state)
    ewn_account_config_clear_state (account_id);
  add_configured (self, account_id);
}

static void
on_password_stored (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autofree char *account_id = user_data;
  g_autoptr (GError) error = NULL;

  if (!ewn_secret_store_finish (result, &error))
    g_message ("%s: the password is used for this session only: %s", account_id, error->message);
}

/* After a typed password: the first live state saves it, a refusal forgets it. */
static void
on_state_for_saving (EwnAccount     *account,
                     GParamSpec     *pspec,
                     EwnAccountList *self)
{
  const char     *id = ewn_account_get_id (account);
  EwnAccountState state = ewn_account_get_state (account);
  const char     *password = g_hash_table_lookup (self->unsaved, id);

  if (state == EWN_ACCOUNT_STATE_AUTH_NEEDED)
    g_hash_table_remove (self->unsaved, id);
  else if ((state == EWN_ACCOUNT_STATE_STREAMING || state == EWN_ACCOUNT_STATE_SYNCING) && password != NULL)
    {
      g_autoptr (GSettings) settings = ewn_account_config_settings (id);
      g_autofree char *user = ewn_account_config_dup_user (settings);
      g_autofree char *server = ewn_account_config_dup_server (settings);

      /* Into a locked keyring only once it is unlocked: storing would prompt. */
      if (!ewn_account_list_is_keyring_locked (self, id))
        ewn_secret_store_async (id, user, server, password, EWN_SECRET_PROMPT_TIMEOUT_MS, self->cancellable,
                                on_password_stored, g_strdup (id));
      else
        g_message ("%s: the keyring is locked: the password is used for this session only", id);
      g_hash_table_remove (self->unsaved, id);
    }
  else
    return;
  g_signal_handlers_disconnect_by_func (account, on_state_for_saving, self);
}

/**
 * ewn_account_list_use_password:
 * @account_id: the account
 * @password: the password a person typed
 *
 * Signs in with @password at once, and saves it in the keyring for the account once
 * the server has accepted it.
 */
void
ewn_account_list_use_password (EwnAccountList *self,
                               const char     *account_id,
                               const char     *password)
{
  EwnAccount *account;

  g_return_if_fail (EWN_IS_ACCOUNT_LIST (self));
  g_return_if_fail (password != NULL);

  account = ewn_account_list_find (self, account_id);
  if (account == NULL)
    return;

  g_hash_table_remove (self->lookups, account_id); /* what was typed wins over a late keyring answer */
  if (!g_hash_table_contains (self->temporary, account_id))
    {
      /* Saved once the server has taken it: a mistyped password must not replace a
       * good one in the keyring. */
      g_hash_table_replace (self->unsaved, g_strdup (account_id), g_strdup (password));
      g_signal_handlers_disconnect_by_func (account, on_state_for_saving, self);
      g_signal_connect (account, "notify::state", G_CALLBACK (on_state_for_saving), self);
      start_with_password (account, password);
    }
  else
    {
      /* Not saved: the temporary account keeps its user name. */
      ews_client_set_credentials (ewn_account_get_client (account), g_hash_table_lookup (self->temporary, account_id), password);
      ewn_account_reconnect (account);
    }
}

static void
on_unlocked (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr (GError) error = NULL;

  if (!ewn_secret_unlock_finish (result, &error))
    g_message ("%s: the keyring was not unlocked: %s", ewn_account_get_id (pending->account), error->message);
  if (is_current (pending->self, pending->account))
    look_up_password (pending->self, pending->account);
  pending_free (pending);
}

/**
 * ewn_account_list_unlock_keyring:
 *
 * Asks the keyring to unlock the account's password (it prompts the person), then
 * reads it again.
 */
void
ewn_account_list_unlock_keyring (EwnAccountList *self,
                                 const char     *account_id)
{
  EwnAccount *account;

  g_return_if_fail (EWN_IS_ACCOUNT_LIST (self));

  account = ewn_account_list_find (self, account_id);
  if (account == NULL)
    return;
  ewn_secret_unlock_async (account_id, self->cancellable, on_unlocked, pending_new (self, account));
}

static void
on_secret_cleared (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autofree char *account_id = user_data;
  g_autoptr (GError) error = NULL;

  if (!ewn_secret_clear_finish (result, &error))
    g_message ("%s: the password could not be removed from the keyring: %s", account_id, error->message);
}

/**
 * ewn_account_list_remove:
 *
 * Stops the account and forgets it: its settings, its state files and its password.
 */
void
ewn_account_list_remove (EwnAccountList *self,
                         const char     *account_id)
{
  guint position;

  g_return_if_fail (EWN_IS_ACCOUNT_LIST (self));
  g_return_if_fail (account_id != NULL);

  g_hash_table_remove (self->temporary, account_id);
  g_hash_table_remove (self->unusable, account_id);
  ewn_account_config_forget (self->app_settings, account_id);
  if (find_position (self, account_id, &position))
    stop_and_drop (self, position, TRUE);
  else
    ewn_account_config_clear_state (account_id);
  ewn_secret_clear_async (account_id, self->secret_timeout_ms, NULL, on_secret_cleared, g_strdup (account_id));
}
