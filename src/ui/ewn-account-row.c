/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-account-row"

#include "config.h"

#include "ewn-account-row.h"

/* One account in Preferences: its name and, in words, how it is doing. */

struct _EwnAccountRow
{
  GtkListBoxRow parent_instance;

  GtkLabel     *name;
  GtkLabel     *state;
  char         *account_id;
};

G_DEFINE_FINAL_TYPE (EwnAccountRow, ewn_account_row, GTK_TYPE_LIST_BOX_ROW)

static void
ewn_account_row_finalize (GObject *object)
{
  g_free (EWN_ACCOUNT_ROW (object)->account_id);

  G_OBJECT_CLASS (ewn_account_row_parent_class)->finalize (object);
}

static void
ewn_account_row_class_init (EwnAccountRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = ewn_account_row_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ewsnotifier/EwsNotifier/ewn-account-row.ui");
  gtk_widget_class_bind_template_child (widget_class, EwnAccountRow, name);
  gtk_widget_class_bind_template_child (widget_class, EwnAccountRow, state);
}

static void
ewn_account_row_init (EwnAccountRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ewn_account_row_new (const char *account_id,
                     const char *name,
                     const char *state)
{
  EwnAccountRow *self = g_object_new (EWN_TYPE_ACCOUNT_ROW, NULL);

  self->account_id = g_strdup (account_id);
  gtk_label_set_text (self->name, name);
  /* Screen readers read the row as one line: "alice@example.com, Connected". */
  atk_object_set_name (gtk_widget_get_accessible (GTK_WIDGET (self)), name);
  ewn_account_row_set_state (self, state);
  return GTK_WIDGET (self);
}

/**
 * ewn_account_row_set_state:
 * @state: how the account is doing, in words
 *
 * Updates the row in place: focus and selection stay where they are.
 */
void
ewn_account_row_set_state (EwnAccountRow *self,
                           const char    *state)
{
  g_return_if_fail (EWN_IS_ACCOUNT_ROW (self));

  if (g_strcmp0 (gtk_label_get_text (self->state), state) == 0)
    return;
  gtk_label_set_text (self->state, state);
  atk_object_set_description (gtk_widget_get_accessible (GTK_WIDGET (self)), state);
}

const char *
ewn_account_row_get_account_id (EwnAccountRow *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT_ROW (self), NULL);

  return self->account_id;
}
