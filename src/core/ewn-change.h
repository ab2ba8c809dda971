/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib-object.h>

#include "ews-records.h"

G_BEGIN_DECLS

typedef enum
{
  EWN_CHANGE_CREATED,
  EWN_CHANGE_RESCHEDULED,
  EWN_CHANGE_RELOCATED,
  EWN_CHANGE_CANCELLED,
  EWN_CHANGE_UPDATED,
  EWN_CHANGE_DELETED,
  EWN_CHANGE_TASK_CREATED,
  EWN_CHANGE_TASK_DUE_CHANGED,
  EWN_CHANGE_TASK_COMPLETED,
  EWN_CHANGE_TASK_REOPENED,
  EWN_CHANGE_TASK_PROGRESS,
  EWN_CHANGE_TASK_UPDATED,
  EWN_CHANGE_TASK_DELETED,
} EwnChangeKind;

typedef struct _EwnChange EwnChange;

/**
 * EwnChange:
 * @kind: the meaning of the change
 * @before: (nullable): the last known version (NULL for created)
 * @after: (nullable): the new version (NULL for deleted)
 * @account: (nullable): the account id it was seen on
 * @mailbox: (nullable): the mailbox's SMTP address (NULL: the account's own)
 * @folder_id: (nullable): the real FolderId of the watched folder
 * @folder_kind: calendar or tasks
 * @time: when it was detected, in microseconds since the Unix epoch
 *
 * One change of one watched item, as a person would describe it.
 */
struct _EwnChange
{
  EwnChangeKind kind;
  EwsItem      *before;
  EwsItem      *after;
  char         *account;
  char         *mailbox;
  char         *folder_id;
  EwsFolderKind folder_kind;
  gint64        time;
};

#define EWN_TYPE_CHANGE (ewn_change_get_type ())
GType          ewn_change_get_type (void) G_GNUC_CONST;
EwnChange     *ewn_change_new (EwnChangeKind  kind,
                               const EwsItem *before,
                               const EwsItem *after);
EwnChange     *ewn_change_copy (const EwnChange *change);
void           ewn_change_set_origin (EwnChange    *change,
                                      const char   *account,
                                      const char   *mailbox,
                                      const char   *folder_id,
                                      EwsFolderKind folder_kind);
void           ewn_change_free (EwnChange *change);
EwnChange     *ewn_change_compute (const EwsItem *before,
                                   const EwsItem *after);
EwnChange     *ewn_change_compute_take (EwsItem *before,
                                        EwsItem *after);
const char    *ewn_change_kind_to_string (EwnChangeKind kind);
const EwsItem *ewn_change_get_item (const EwnChange *change);
char          *ewn_change_dup_summary (const EwnChange *change);
GDateTime     *ewn_local_time (GDateTime *date_time);
GDateTime     *ewn_local_time_at (gint64 time);
char          *ewn_format_day (gint64 time);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwnChange, ewn_change_free)

G_END_DECLS
