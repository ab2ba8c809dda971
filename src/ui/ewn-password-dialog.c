/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-password-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ewn-password-dialog.h"
#include "ewn-secret.h"

/* Asks for an account's password when the keyring has none, is locked or the server
 * refused the saved one. What is typed is used at once and saved in the keyring. */

#define RESPONSE_KEYRING 1 /* unlock it, or ask it again */

struct _EwnPasswordDialog
{
  GtkDialog       parent_instance;

  GtkLabel       *headline;
  GtkLabel       *reason;
  GtkEntry       *password;
  GtkWidget      *unlock_button;
  GtkWidget      *connect_button;

  EwnAccountList *accounts;
  char           *account_id;
};

G_DEFINE_FINAL_TYPE (EwnPasswordDialog, ewn_password_dialog, GTK_TYPE_DIALOG)

static void
on_text_changed (EwnPasswordDialog *self)
{
  gtk_widget_set_sensitive (self->connect_button, *gtk_entry_get_text (self->password) != '\0');
}

static void
ewn_password_dialog_response (GtkDialog *dialog,
                              int        response)
{
  EwnPasswordDialog *self = EWN_PASSWORD_DIALOG (dialog);

  if (response == GTK_RESPONSE_OK && *gtk_entry_get_text (self->password) != '\0')
    ewn_account_list_use_password (self->accounts, self->account_id, gtk_entry_get_text (self->password));
  else if (response == RESPONSE_KEYRING && ewn_account_list_is_keyring_locked (self->accounts, self->account_id))
    ewn_account_list_unlock_keyring (self->accounts, self->account_id);
  else if (response == RESPONSE_KEYRING)
    ewn_account_list_retry_keyring (self->accounts, self->account_id);
  /* Nothing of the password stays in the entry's buffer. */
  gtk_entry_set_text (self->password, "");
  gtk_widget_destroy (GTK_WIDGET (self));
}

static void
ewn_password_dialog_finalize (GObject *object)
{
  EwnPasswordDialog *self = EWN_PASSWORD_DIALOG (object);

  g_clear_object (&self->accounts);
  g_free (self->account_id);

  G_OBJECT_CLASS (ewn_password_dialog_parent_class)->finalize (object);
}

static void
ewn_password_dialog_class_init (EwnPasswordDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkDialogClass *dialog_class = GTK_DIALOG_CLASS (klass);

  object_class->finalize = ewn_password_dialog_finalize;
  dialog_class->response = ewn_password_dialog_response;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ewsnotifier/EwsNotifier/ewn-password-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EwnPasswordDialog, headline);
  gtk_widget_class_bind_template_child (widget_class, EwnPasswordDialog, reason);
  gtk_widget_class_bind_template_child (widget_class, EwnPasswordDialog, password);
  gtk_widget_class_bind_template_child (widget_class, EwnPasswordDialog, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, EwnPasswordDialog, connect_button);
}

static void
ewn_password_dialog_init (EwnPasswordDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->password, "changed", G_CALLBACK (on_text_changed), self);
  on_text_changed (self);
}

/**
 * ewn_password_dialog_new:
 * @accounts: the running accounts
 * @account: the account that needs its password
 *
 * Returns: (transfer floating): the dialog; it uses the password and closes itself
 */
GtkWidget *
ewn_password_dialog_new (GtkApplication *application,
                         EwnAccountList *accounts,
                         EwnAccount     *account)
{
  EwnPasswordDialog *self = g_object_new (EWN_TYPE_PASSWORD_DIALOG, "application", application, "use-header-bar", FALSE, NULL);
  const char        *name = ewn_account_get_display_name (account);
  const char        *reason = ewn_account_get_state_reason (account);
  g_autofree char   *headline = g_strdup_printf (_("Enter the password for %s"), name != NULL ? name : ewn_account_get_id (account));

  self->accounts = g_object_ref (accounts);
  self->account_id = g_strdup (ewn_account_get_id (account));
  gtk_label_set_text (self->headline, headline);
  gtk_label_set_text (self->reason, reason != NULL ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reason), reason != NULL);
  /* The keyring can help when it is locked (unlock it) or did not answer (ask again). */
  switch (ewn_account_list_get_keyring_problem (accounts, self->account_id))
    {
    case EWN_SECRET_ERROR_LOCKED:
      gtk_button_set_label (GTK_BUTTON (self->unlock_button), _("_Unlock Keyring"));
      gtk_widget_show (self->unlock_button);
      break;
    case EWN_SECRET_ERROR_TIMEOUT:
    case EWN_SECRET_ERROR_UNAVAILABLE:
      gtk_button_set_label (GTK_BUTTON (self->unlock_button), _("_Try the Keyring Again"));
      gtk_widget_show (self->unlock_button);
      break;
    default:
      gtk_widget_hide (self->unlock_button);
      break;
    }
  return GTK_WIDGET (self);
}

const char *
ewn_password_dialog_get_account_id (EwnPasswordDialog *self)
{
  g_return_val_if_fail (EWN_IS_PASSWORD_DIALOG (self), NULL);

  return self->account_id;
}
