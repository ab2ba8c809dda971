/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

/* What the EwnAccount tests share: the simulator on loopback with the users alice and
 * bob, a colleague who changes mailboxes through EWS, an account with short intervals,
 * and the record of every change it announced. */

#include "ews-sim-colleague.h"
#include "ews-simulator.h"
#include "ewn-account.h"

#define ALICE_PASSWORD "correct horse battery staple"
#define BOB_PASSWORD   "bob's password"
#define ALICE          "alice@example.com"
#define BOB            "bob@example.com"

typedef struct
{
  EwsSimulator    *simulator;
  EwsClient       *client;
  EwsSimColleague *colleague;
  EwnAccount      *account;
  char           **mailboxes; /* the account's extra mailboxes */
  GPtrArray       *changes;   /* "kind item-id", in order */
  GPtrArray       *records;   /* (element-type EwnChange), in order */
  GPtrArray       *expected;  /* "kind item-id" */
  GAsyncResult    *result;
  gint64           backoff_started;
  gint64           backoff_ended;
  guint            credentials_needed;
  guint            stream_requests;
  guint            stream_requests_seen;
  guint            requests;
  guint            requests_seen;
} Fixture;

typedef gboolean (*Condition) (Fixture *fixture);

void             fixture_set_up (Fixture      *fixture,
                                 gconstpointer data);
void             fixture_tear_down (Fixture      *fixture,
                                    gconstpointer data);
void             fixture_new_account (Fixture           *fixture,
                                      const char *const *mailboxes);
void             fixture_stop_account (Fixture *fixture);
char            *fixture_state_dir (void);

void             wait_until (Fixture  *fixture,
                             Condition condition);
gboolean         has_result (Fixture *fixture);
gboolean         is_streaming (Fixture *fixture);
gboolean         request_made (Fixture *fixture);
gboolean         stream_reissued (Fixture *fixture);

char            *start_and_see_meeting (Fixture    *fixture,
                                        const char *subject,
                                        int         hour);
char            *create_meeting_in (Fixture    *fixture,
                                    const char *mailbox,
                                    const char *subject,
                                    int         hour);
char            *create_meeting (Fixture    *fixture,
                                 const char *subject,
                                 int         hour);
void             update_item (Fixture    *fixture,
                              const char *item_id,
                              const char *field_uri,
                              const char *value);
void             reschedule (Fixture    *fixture,
                             const char *item_id,
                             const char *start);
char            *move_item (Fixture    *fixture,
                            const char *item_id,
                            const char *folder,
                            const char *mailbox);

void             expect (Fixture    *fixture,
                         const char *kind,
                         const char *item_id);
gboolean         has_expected (Fixture *fixture);
void             assert_exact (Fixture *fixture);
const EwnChange *find_record (Fixture    *fixture,
                              const char *kind,
                              const char *item_id);
