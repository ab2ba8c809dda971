/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <libsoup/soup.h>
#include <libxml/tree.h>

#include "ews-simulator.h"
#include "ews-records.h"
#include "ews-types.h"

G_BEGIN_DECLS

/* Internals shared by the simulator's files. Everything here runs on the
 * simulator's own GMainContext. */

typedef struct _EwsSimMailbox      EwsSimMailbox;
typedef struct _EwsSimFolder       EwsSimFolder;
typedef struct _EwsSimItem         EwsSimItem;
typedef struct _EwsSimEvent        EwsSimEvent;
typedef struct _EwsSimSubscription EwsSimSubscription;
typedef struct _EwsSimStream       EwsSimStream;
typedef struct _EwsSimKerberos     EwsSimKerberos;

typedef enum
{
  EWS_SIM_LOG_CREATE,
  EWS_SIM_LOG_UPDATE,
  EWS_SIM_LOG_DELETE,
} EwsSimLogType;

/* The ids and ChangeKeys of folders, items, log entries and events are GRefStrings
 * (ews_sim_ref_string_acquire(), ews_sim_ref_string_clear()): every change is in a
 * log entry and two events, which share them. */

typedef struct
{
  EwsSimLogType type;
  char         *item_id;
  char         *change_key;
  gboolean      is_task;
} EwsSimLogEntry;

struct _EwsSimFolder
{
  EwsSimMailbox *mailbox;
  EwsSimFolder  *parent;
  char          *id;
  char          *change_key;
  const char    *distinguished_id;
  const char    *display_name;
  const char    *folder_class;
  const char    *element; /* "Folder", "CalendarFolder", "TasksFolder" */
  guint          n_items;
  GPtrArray     *log; /* (element-type EwsSimLogEntry) the folder's change log */
};

struct _EwsSimItem
{
  EwsSimFolder *folder;
  EwsItemKind   kind;
  char         *id;
  char         *change_key;
  char         *subject;
  char         *body;
  char         *location;
  char         *organizer_name;
  char         *organizer_email;
  char         *last_modified_name;
  GDateTime    *created;
  GDateTime    *last_modified;
  GDateTime    *start;
  GDateTime    *end;
  GDateTime    *due;
  GDateTime    *task_start;
  gboolean      is_all_day;
  gboolean      is_cancelled;
  EwsTaskStatus status;
  int           percent_complete;
  GPtrArray    *required; /* (element-type utf8) SMTP addresses */
  GPtrArray    *optional;
};

struct _EwsSimMailbox
{
  char       *smtp;
  char       *display_name;
  guint8      guid[16];
  GPtrArray  *folders;       /* (element-type EwsSimFolder) */
  GHashTable *items;         /* id → EwsSimItem (owned) */
  GPtrArray  *subscriptions; /* EwsSimSubscription on this mailbox (unowned) */
  guint64     next_serial;
  guint64     next_watermark;
};

/* One change as subscribers see it. Reference counted: every subscription on the
 * folder queues the same event. */
struct _EwsSimEvent
{
  EwsEventType type;
  GDateTime   *timestamp;
  guint64      watermark;
  gboolean     is_folder;
  char        *id;
  char        *change_key;
  char        *parent_id;
  char        *parent_change_key;
  char        *old_id;
  char        *old_change_key;
  char        *old_parent_id;
  char        *old_parent_change_key;
  int          unread_count; /* folder events; -1 = none */
};

typedef struct
{
  EwsSimulator      *sim;
  SoupServerMessage *msg;
  const char        *user;      /* the authenticated user */
  EwsSimMailbox     *mailbox;   /* the user's own mailbox */
  const char        *operation; /* "GetFolder", … */
  xmlNode           *element;   /* the operation element in soap:Body */
} EwsSimRequest;

/* ews-simulator.c */
struct _EwsSimulator
{
  GObject           parent_instance;
  GMainContext     *context;
  GThread          *thread;
  GMainLoop        *thread_loop;
  SoupServer       *server;
  SoupAuthDomain   *auth_domain;
  SoupSession      *push_session;
  GHashTable       *passwords; /* name → password */
  GHashTable       *mailboxes; /* lower-case SMTP and user name → EwsSimMailbox (the SMTP key owns) */
  GPtrArray        *mailbox_list;
  GHashTable       *subscriptions; /* id → EwsSimSubscription */
  GPtrArray        *streams;       /* (element-type EwsSimStream) open GetStreamingEvents */
  char             *url;
  char             *owa_base;
  char             *tls_dir;
  char             *cert_file;
  char             *key_file;
  GTlsCertificate  *certificate;
  guint             keepalive_ms;
  guint             minute_ms;
  gint              streaming; /* whether streaming subscriptions are offered */
  gint              ntlm;      /* whether NTLM is offered beside Basic */
  gint              ntlm_sign_ins;
  EwsSimKerberos   *kerberos; /* Kerberos (Negotiate) offered beside NTLM, or NULL */
  gint              kerberos_sign_ins;
  gint              refused_sign_ins; /* NTLM and Kerberos */
  guint             faults[EWS_SIM_FAULT_CLOSE_CONNECTION + 1];
  guint             fault_param[EWS_SIM_FAULT_CLOSE_CONNECTION + 1];
  guint64           change_number;
  EwsSimTrafficFunc traffic_func;
  gpointer          traffic_data;
  GDestroyNotify    traffic_destroy;
  EwsSimCommitFunc  commit_func;
  gpointer          commit_data;
  GDestroyNotify    commit_destroy;
};

/* Subscriptions: ews-sim-stream.c, ews-sim-push.c */
#define MAX_EVENTS_PER_NOTIFICATION 50

struct _EwsSimSubscription
{
  EwsSimulator       *sim;
  char               *id;
  EwsSubscriptionKind kind;
  EwsSimMailbox      *mailbox;
  GPtrArray          *folders; /* unowned EwsSimFolder; empty = all folders */
  guint               mask;
  GQueue              events;    /* EwsSimEvent, not yet delivered (or acknowledged) */
  guint64             watermark; /* the last watermark handed out */
  EwsSimStream       *stream;
  char               *url;
  guint               status_frequency;
  GSource            *push_source;
  gboolean            push_busy;
  guint               push_sent;
  GCancellable       *cancellable;
};

/* ews-sim-dispatch.c */
gboolean        ews_sim_take_fault (EwsSimulator *self,
                                    EwsSimFault   fault,
                                    guint        *param);
void            ews_sim_traffic (EwsSimulator *self,
                                 const char   *operation,
                                 gboolean      is_response,
                                 const char   *data,
                                 gsize         length);
void            ews_sim_traffic_bytes (EwsSimulator *self,
                                       const char   *operation,
                                       gboolean      is_response,
                                       GBytes       *bytes);
void            ews_sim_respond (EwsSimRequest *req,
                                 GString       *envelope);
EwsSimMailbox  *ews_sim_lookup_mailbox (EwsSimulator *self,
                                        const char   *name_or_smtp);
EwsSimItem     *ews_sim_lookup_item (EwsSimulator *self,
                                     const char   *id);
EwsSimFolder   *ews_sim_lookup_folder (EwsSimulator *self,
                                       const char   *id);
void            ews_sim_dispatch_install (EwsSimulator *self);
gpointer        ews_sim_connection_data (SoupServerMessage *msg,
                                         const char        *key,
                                         gsize              size,
                                         GDestroyNotify     free_func);

/* ews-sim-negotiate.c */
EwsSimKerberos *ews_sim_kerberos_new (const char *keytab,
                                      GError    **error);
void            ews_sim_kerberos_free (EwsSimKerberos *kerberos);
char           *ews_sim_negotiate_authenticate (EwsSimulator      *self,
                                                SoupServerMessage *msg);

/* ews-sim-ntlm.c */
char           *ews_sim_ntlm_authenticate (EwsSimulator      *self,
                                           SoupServerMessage *msg);
void            ews_sim_ntlm_challenge (EwsSimulator      *self,
                                        SoupServerMessage *msg);
void            ews_sim_md4 (const guint8 *data,
                             gsize         length,
                             guint8        digest[16]);
void            ews_sim_ntlm_v2_proof (const char   *password,
                                       const char   *user,
                                       const char   *domain,
                                       const guint8  challenge[8],
                                       const guint8 *blob,
                                       gsize         blob_size,
                                       guint8        proof[16]);

/* ews-sim-mailbox.c */
EwsSimMailbox  *ews_sim_mailbox_new (const char *smtp,
                                     const char *display_name);
void            ews_sim_mailbox_free (EwsSimMailbox *mailbox);
EwsSimFolder   *ews_sim_mailbox_get_folder (EwsSimMailbox *mailbox,
                                            const char    *distinguished_id);
EwsSimItem     *ews_sim_item_new (EwsSimMailbox *mailbox,
                                  EwsSimFolder  *folder,
                                  EwsItemKind    kind);
void            ews_sim_item_free (EwsSimItem *item);
void            ews_sim_item_touch (EwsSimulator *sim,
                                    EwsSimItem   *item,
                                    const char   *user);
char           *ews_sim_item_new_id (EwsSimMailbox *mailbox,
                                     EwsSimFolder  *folder);
char           *ews_sim_ref_string_acquire (char *text);
void            ews_sim_ref_string_clear (char **text);
void            ews_sim_folder_log (EwsSimFolder *folder,
                                    EwsSimLogType type,
                                    EwsSimItem   *item);
char           *ews_sim_sync_state_encode (EwsSimFolder *folder,
                                           guint         position);
gboolean        ews_sim_sync_state_decode (EwsSimFolder *folder,
                                           const char   *state,
                                           guint        *position);
char           *ews_sim_watermark_encode (guint64 value);
gboolean        ews_sim_watermark_decode (const char *text,
                                          guint64    *value);
char           *ews_sim_new_subscription_id (EwsSubscriptionKind kind);

/* ews-sim-writer.c */
typedef struct
{
  int     base;   /* 0 IdOnly, 1 Default, 2 AllProperties */
  guint32 wanted; /* the additional properties the writer knows, by bit */
} EwsSimShape;

void          ews_sim_shape_parse (EwsSimShape *shape,
                                   xmlNode     *item_shape);
GString      *ews_sim_envelope_begin (const char *operation);
void          ews_sim_envelope_end (GString    *out,
                                    const char *operation);
void          ews_sim_message_begin (GString    *out,
                                     const char *operation,
                                     const char *response_code,
                                     const char *message_text);
void          ews_sim_message_end (GString    *out,
                                   const char *operation);
void          ews_sim_write_folder (GString      *out,
                                    EwsSimFolder *folder);
void          ews_sim_write_item (GString           *out,
                                  EwsSimItem        *item,
                                  const EwsSimShape *shape,
                                  const char        *owa_base);
void          ews_sim_write_item_id (GString    *out,
                                     const char *element,
                                     const char *id,
                                     const char *change_key);
void          ews_sim_write_event (GString           *out,
                                   const EwsSimEvent *event,
                                   gboolean           with_watermark);
const char   *ews_sim_item_element (EwsSimItem *item);
GString      *ews_sim_stream_envelope_begin (void);
void          ews_sim_stream_envelope_end (GString *out);
GString      *ews_sim_fault_server_busy (guint back_off_ms);
gboolean      ews_sim_write_notification (GString            *out,
                                          EwsSimSubscription *sub,
                                          gboolean            pull_or_push,
                                          const char         *previous_watermark,
                                          gboolean            consume);

/* ews-sim-items.c */
void          ews_sim_handle_get_folder (EwsSimRequest *req);
void          ews_sim_handle_sync_folder_items (EwsSimRequest *req);
void          ews_sim_handle_get_item (EwsSimRequest *req);
void          ews_sim_handle_create_item (EwsSimRequest *req);
void          ews_sim_handle_update_item (EwsSimRequest *req);
void          ews_sim_handle_delete_item (EwsSimRequest *req);
void          ews_sim_handle_move_item (EwsSimRequest *req);
EwsSimFolder *ews_sim_resolve_folder (EwsSimRequest *req,
                                      xmlNode       *folder_id,
                                      const char   **error_code);
EwsSimItem   *ews_sim_create_meeting (EwsSimulator *sim,
                                      EwsSimFolder *folder,
                                      const char   *user,
                                      const char   *subject,
                                      GDateTime    *start,
                                      GDateTime    *end);
void          ews_sim_reschedule (EwsSimulator *sim,
                                  EwsSimItem   *item,
                                  const char   *user,
                                  GDateTime    *start,
                                  GDateTime    *end);

/* ews-sim-stream.c */
void          ews_sim_source_clear (GSource *source);
GSource      *ews_sim_add_timeout (EwsSimulator *sim,
                                   guint         ms,
                                   GSourceFunc   func,
                                   gpointer      data);
EwsSimEvent  *ews_sim_event_new (EwsEventType type,
                                 GDateTime   *timestamp);
EwsSimEvent  *ews_sim_event_ref (EwsSimEvent *event);
void          ews_sim_event_unref (EwsSimEvent *event);
void          ews_sim_subscription_free (EwsSimSubscription *sub);
void          ews_sim_stream_close (EwsSimStream *stream,
                                    gboolean      send_closed);
void          ews_sim_publish (EwsSimulator *self,
                               EwsSimFolder *folder,
                               EwsSimFolder *other_folder,
                               EwsSimEvent  *event);
void          ews_sim_item_event (EwsSimulator *self,
                                  EwsEventType  type,
                                  EwsSimItem   *item,
                                  const char   *old_id,
                                  const char   *old_change_key,
                                  EwsSimFolder *old_folder);
void          ews_sim_expire_streams (EwsSimulator *self);
void          ews_sim_kick_streams (EwsSimulator *self);
void          ews_sim_flush_streams (EwsSimulator *self);
void          ews_sim_drop_streams (EwsSimulator *self);
void          ews_sim_free_streams (EwsSimulator *self);
guint         ews_sim_count_streams (EwsSimulator *self);
void          ews_sim_handle_subscribe (EwsSimRequest *req);
void          ews_sim_handle_unsubscribe (EwsSimRequest *req);
void          ews_sim_handle_get_events (EwsSimRequest *req);
void          ews_sim_handle_get_streaming_events (EwsSimRequest *req);

/* ews-sim-push.c */
void          ews_sim_push_schedule (EwsSimSubscription *sub,
                                     guint               delay_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsSimEvent, ews_sim_event_unref)

G_END_DECLS
