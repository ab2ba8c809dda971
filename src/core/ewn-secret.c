/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-secret"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <string.h>

#include "ewn-secret.h"

/* The account passwords in the Secret Service (gnome-keyring, KeePassXC, …), under the
 * schema io.github.ewsnotifier.Account with the attributes account (the account id),
 * user and server.
 *
 * No call here can hang the application: each one gives up after its timeout, and
 * none of them unlocks a keyring on its own. A lookup that finds the password in a
 * locked keyring says so (EWN_SECRET_ERROR_LOCKED); only ewn_secret_unlock_async(),
 * which a person asks for, lets the keyring prompt. Storing may prompt too (for a
 * locked or missing default keyring), since a person has just typed the password. */

static const SecretSchema account_schema = {
  "io.github.ewsnotifier.Account",
  SECRET_SCHEMA_NONE,
  {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
  },
  0,
  NULL,
  NULL,
  NULL,
  NULL,
  NULL,
  NULL,
  NULL,
};

GQuark
ewn_secret_error_quark (void)
{
  return g_quark_from_static_string ("ewn-secret-error-quark");
}

typedef enum
{
  OP_LOOKUP,
  OP_STORE,
  OP_CLEAR,
  OP_UNLOCK,
} Op;

typedef struct
{
  Op            op;
  char         *account_id;
  char         *user;
  char         *server;
  char         *password;
  GCancellable *cancellable; /* ours: cancelled on timeout or by the caller's */
  GCancellable *caller_cancellable;
  gulong        caller_handler;
  guint         timeout_id;
  gboolean      done;
} Call;

static void
call_free (Call *call)
{
  g_clear_handle_id (&call->timeout_id, g_source_remove);
  if (call->caller_handler != 0)
    g_cancellable_disconnect (call->caller_cancellable, call->caller_handler);
  g_clear_object (&call->caller_cancellable);
  g_clear_object (&call->cancellable);
  g_free (call->account_id);
  g_free (call->user);
  g_free (call->server);
  ewn_secret_free (call->password);
  g_free (call);
}

/**
 * ewn_secret_free:
 * @password: (nullable): a password from ewn_secret_lookup_finish()
 *
 * Overwrites the password, then frees it.
 */
void
ewn_secret_free (char *password)
{
  if (password == NULL)
    return;
  explicit_bzero (password, strlen (password));
  g_free (password);
}

static GHashTable *
account_attributes (const Call *call)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (gpointer) "account", call->account_id);
  return attributes;
}

/* Ends the call once: later answers (after a timeout) are dropped. */
static void
finish_error (GTask  *task,
              GError *error)
{
  Call *call = g_task_get_task_data (task);

  if (call->done)
    {
      g_error_free (error);
      return;
    }
  call->done = TRUE;
  g_clear_handle_id (&call->timeout_id, g_source_remove);
  g_task_return_error (task, error);
}

static void
finish_boolean (GTask *task)
{
  Call *call = g_task_get_task_data (task);

  if (call->done)
    return;
  call->done = TRUE;
  g_clear_handle_id (&call->timeout_id, g_source_remove);
  g_task_return_boolean (task, TRUE);
}

/* Puts what the Secret Service or D-Bus said in our terms. */
static void
finish_with (GTask  *task,
             GError *error)
{
  Call *call = g_task_get_task_data (task);

  if (call->done)
    {
      g_error_free (error);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    finish_error (task, error);
  else if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND) || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_FAILED) || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED) || error->domain == G_IO_ERROR)
    {
      g_debug ("no Secret Service: %s", error->message);
      finish_error (task, g_error_new (EWN_SECRET_ERROR, EWN_SECRET_ERROR_UNAVAILABLE,
                                       _("No keyring is available (%s)"), error->message));
      g_error_free (error);
    }
  else if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    {
      finish_error (task, g_error_new_literal (EWN_SECRET_ERROR, EWN_SECRET_ERROR_LOCKED, _("The keyring is locked")));
      g_error_free (error);
    }
  else
    {
      finish_error (task, g_error_new (EWN_SECRET_ERROR, EWN_SECRET_ERROR_FAILED,
                                       _("The keyring refused: %s"), error->message));
      g_error_free (error);
    }
}

static gboolean
on_timeout (gpointer user_data)
{
  GTask *task = user_data;
  Call  *call = g_task_get_task_data (task);

  call->timeout_id = 0;
  g_debug ("the Secret Service did not answer in time");
  g_cancellable_cancel (call->cancellable);
  finish_error (task, g_error_new_literal (EWN_SECRET_ERROR, EWN_SECRET_ERROR_TIMEOUT,
                                           _("The keyring did not answer in time")));
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *caller,
                     Call         *call)
{
  g_cancellable_cancel (call->cancellable);
}

static void
on_unlocked (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (secret_service_unlock_finish (SECRET_SERVICE (source), result, NULL, &error) < 0 || error != NULL)
    finish_with (task, error);
  else
    finish_boolean (task);
}

static void
on_searched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Call   *call = g_task_get_task_data (task);
  GError *error = NULL;
  GList  *items = secret_service_search_finish (SECRET_SERVICE (source), result, &error);
  g_autoptr (GList) locked = NULL;
  g_autofree char *password = NULL;

  if (error != NULL)
    {
      finish_with (task, error);
      return;
    }

  for (GList *l = items; l != NULL; l = l->next)
    {
      SecretItem *item = l->data;

      if (secret_item_get_locked (item))
        locked = g_list_prepend (locked, item);
      else if (password == NULL)
        {
          g_autoptr (SecretValue) value = secret_item_get_secret (item);
          const char *text = value != NULL ? secret_value_get_text (value) : NULL;

          if (text != NULL)
            password = g_strdup (text);
        }
    }

  if (call->op == OP_UNLOCK && locked != NULL)
    {
      secret_service_unlock (SECRET_SERVICE (source), locked, call->cancellable, on_unlocked, g_object_ref (task));
    }
  else if (call->op == OP_UNLOCK)
    {
      if (items != NULL)
        finish_boolean (task);
      else
        finish_error (task, g_error_new_literal (EWN_SECRET_ERROR, EWN_SECRET_ERROR_NOT_FOUND, _("The keyring holds no password for this account")));
    }
  else if (password != NULL && !call->done)
    {
      call->done = TRUE;
      g_clear_handle_id (&call->timeout_id, g_source_remove);
      g_task_return_pointer (task, g_steal_pointer (&password), (GDestroyNotify)ewn_secret_free);
    }
  else if (locked != NULL)
    finish_error (task, g_error_new_literal (EWN_SECRET_ERROR, EWN_SECRET_ERROR_LOCKED, _("The keyring is locked")));
  else
    finish_error (task, g_error_new_literal (EWN_SECRET_ERROR, EWN_SECRET_ERROR_NOT_FOUND, _("The keyring holds no password for this account")));

  if (password != NULL)
    explicit_bzero (password, strlen (password));
  g_list_free_full (items, g_object_unref);
}

/* The new password is in: entries of the account for another user or server go. */
static void
on_others_found (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Call  *call = g_task_get_task_data (task);
  GList *items = secret_service_search_finish (SECRET_SERVICE (source), result, NULL);

  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr (GHashTable) attributes = secret_item_get_attributes (l->data);

      if (g_strcmp0 (g_hash_table_lookup (attributes, "user"), call->user) != 0 || g_strcmp0 (g_hash_table_lookup (attributes, "server"), call->server) != 0)
        secret_item_delete (l->data, NULL, NULL, NULL);
    }
  g_list_free_full (items, g_object_unref);
  finish_boolean (task);
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Call   *call = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (GHashTable) attributes = NULL;

  if (!secret_service_store_finish (SECRET_SERVICE (source), result, &error))
    {
      finish_with (task, error);
      return;
    }
  attributes = account_attributes (call);
  secret_service_search (SECRET_SERVICE (source), &account_schema, attributes, SECRET_SEARCH_ALL,
                         call->cancellable, on_others_found, g_object_ref (task));
}

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error only means there was nothing to remove. */
  secret_service_clear_finish (SECRET_SERVICE (source), result, &error);
  if (error != NULL)
    {
      finish_with (task, error);
      return;
    }

  finish_boolean (task);
}

static void
on_service (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Call   *call = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (SecretService) service = secret_service_get_finish (result, &error);
  g_autoptr (GHashTable) attributes = NULL;

  if (service == NULL)
    {
      finish_with (task, error);
      return;
    }
  if (call->done)
    return;

  attributes = account_attributes (call);
  switch (call->op)
    {
    case OP_LOOKUP:
      /* No SECRET_SEARCH_UNLOCK: a locked keyring is reported, not prompted for. */
      secret_service_search (service, &account_schema, attributes, SECRET_SEARCH_ALL | SECRET_SEARCH_LOAD_SECRETS,
                             call->cancellable, on_searched, g_object_ref (task));
      break;
    case OP_UNLOCK:
      secret_service_search (service, &account_schema, attributes, SECRET_SEARCH_ALL,
                             call->cancellable, on_searched, g_object_ref (task));
      break;
    case OP_STORE:
      {
        /* Stored first, others removed after: a failure leaves the old password, not none. */
        g_autoptr (SecretValue) value = secret_value_new (call->password, -1, "text/plain");
        g_autofree char *label = g_strdup_printf (_("EWS Notifier: %s on %s"), call->user, call->server);

        g_hash_table_insert (attributes, (gpointer) "user", call->user);
        g_hash_table_insert (attributes, (gpointer) "server", call->server);
        secret_service_store (service, &account_schema, attributes, SECRET_COLLECTION_DEFAULT,
                              label, value, call->cancellable, on_stored, g_object_ref (task));
      }
      break;
    case OP_CLEAR:
      secret_service_clear (service, &account_schema, attributes, call->cancellable, on_cleared, g_object_ref (task));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
start (Call               *call,
       guint               timeout_ms,
       GCancellable       *cancellable,
       gpointer            source_tag,
       GAsyncReadyCallback callback,
       gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, call, (GDestroyNotify)call_free);
  call->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      call->caller_cancellable = g_object_ref (cancellable);
      call->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled), call, NULL);
    }
  if (timeout_ms > 0)
    call->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT, timeout_ms, on_timeout, g_object_ref (task), g_object_unref);

  secret_service_get (SECRET_SERVICE_OPEN_SESSION, call->cancellable, on_service, g_steal_pointer (&task));
}

static Call *
call_new (Op          op,
          const char *account_id)
{
  Call *call = g_new0 (Call, 1);

  call->op = op;
  call->account_id = g_strdup (account_id);
  return call;
}

/**
 * ewn_secret_lookup_async:
 * @account_id: the account
 * @timeout_ms: give up after this long (0: wait as long as the Secret Service takes)
 *
 * Finds the account's password without unlocking anything.
 */
void
ewn_secret_lookup_async (const char         *account_id,
                         guint               timeout_ms,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_return_if_fail (account_id != NULL);

  start (call_new (OP_LOOKUP, account_id), timeout_ms, cancellable, ewn_secret_lookup_async, callback, user_data);
}

/**
 * ewn_secret_lookup_finish:
 *
 * Returns: (transfer full): the password, to be freed with ewn_secret_free(); %NULL with
 *   @error set in #EWN_SECRET_ERROR (or G_IO_ERROR_CANCELLED) otherwise
 */
char *
ewn_secret_lookup_finish (GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ewn_secret_store_async:
 * @account_id: the account
 * @user: the user name, an attribute for people looking at their keyring
 * @server: the server's host, likewise
 * @password: the password
 *
 * Replaces whatever the keyring held for the account: the new password is stored
 * first, then the account's entries for another user or server are removed. May
 * prompt to unlock or create the default keyring.
 */
void
ewn_secret_store_async (const char         *account_id,
                        const char         *user,
                        const char         *server,
                        const char         *password,
                        guint               timeout_ms,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  Call *call;

  g_return_if_fail (account_id != NULL);
  g_return_if_fail (password != NULL);

  call = call_new (OP_STORE, account_id);
  call->user = g_strdup (user != NULL ? user : "");
  call->server = g_strdup (server != NULL ? server : "");
  call->password = g_strdup (password);
  start (call, timeout_ms, cancellable, ewn_secret_store_async, callback, user_data);
}

gboolean
ewn_secret_store_finish (GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ewn_secret_clear_async:
 *
 * Removes every password of the account. Nothing to remove is not an error.
 */
void
ewn_secret_clear_async (const char         *account_id,
                        guint               timeout_ms,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  g_return_if_fail (account_id != NULL);

  start (call_new (OP_CLEAR, account_id), timeout_ms, cancellable, ewn_secret_clear_async, callback, user_data);
}

gboolean
ewn_secret_clear_finish (GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ewn_secret_unlock_async:
 *
 * Asks the keyring to unlock the account's password: it prompts the person, so
 * there is no timeout (the caller's @cancellable still works).
 */
void
ewn_secret_unlock_async (const char         *account_id,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_return_if_fail (account_id != NULL);

  start (call_new (OP_UNLOCK, account_id), 0, cancellable, ewn_secret_unlock_async, callback, user_data);
}

gboolean
ewn_secret_unlock_finish (GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
