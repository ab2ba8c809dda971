/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EWS_TYPE_SIM_COLLEAGUE (ews_sim_colleague_get_type ())
G_DECLARE_FINAL_TYPE (EwsSimColleague, ews_sim_colleague, EWS, SIM_COLLEAGUE, GObject)

EwsSimColleague *ews_sim_colleague_new (const char *url,
                                        const char *user,
                                        const char *password);
void             ews_sim_colleague_create_meeting_async (EwsSimColleague    *self,
                                                         const char         *mailbox,
                                                         const char         *subject,
                                                         GDateTime          *start,
                                                         GDateTime          *end,
                                                         const char         *location,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
void             ews_sim_colleague_create_task_async (EwsSimColleague    *self,
                                                      const char         *mailbox,
                                                      const char         *subject,
                                                      GDateTime          *due,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
char            *ews_sim_colleague_create_finish (EwsSimColleague *self,
                                                  GAsyncResult    *result,
                                                  GError         **error);
void             ews_sim_colleague_update_async (EwsSimColleague    *self,
                                                 const char         *item_id,
                                                 const char         *field_uri,
                                                 const char         *value,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
void             ews_sim_colleague_delete_async (EwsSimColleague    *self,
                                                 const char         *item_id,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
void             ews_sim_colleague_move_async (EwsSimColleague    *self,
                                               const char         *item_id,
                                               const char         *to_distinguished_folder,
                                               const char         *mailbox,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gboolean         ews_sim_colleague_finish (EwsSimColleague *self,
                                           GAsyncResult    *result,
                                           GError         **error);

char            *ews_sim_colleague_create_meeting (EwsSimColleague *self,
                                                   const char      *mailbox,
                                                   const char      *subject,
                                                   GDateTime       *start,
                                                   GDateTime       *end,
                                                   const char      *location,
                                                   GError         **error);
char            *ews_sim_colleague_create_task (EwsSimColleague *self,
                                                const char      *mailbox,
                                                const char      *subject,
                                                GDateTime       *due,
                                                GError         **error);
gboolean         ews_sim_colleague_update (EwsSimColleague *self,
                                           const char      *item_id,
                                           const char      *field_uri,
                                           const char      *value,
                                           GError         **error);
gboolean         ews_sim_colleague_delete (EwsSimColleague *self,
                                           const char      *item_id,
                                           GError         **error);
char            *ews_sim_colleague_move (EwsSimColleague *self,
                                         const char      *item_id,
                                         const char      *to_distinguished_folder,
                                         const char      *mailbox,
                                         GError         **error);

G_END_DECLS
