/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-account"

#include "config.h"

#include <glib/gi18n.h>

#include "ews-error.h"
#include "ews-event-stream.h"
#include "ewn-account-private.h"
#include "ewn-item-store.h"
#include "ewn-sync-engine.h"
#include "ewn-system-watch.h"

/* One mailbox login: one streaming connection carrying the subscriptions of its own
 * mailbox and of the extra mailboxes it watches. Stream events are only hints for the
 * sync engine; every gap (start, reconnect, resubscribe, missed events, network back,
 * wake-up) ends in a catch-up sync. Nothing is fatal forever: a slow retry remains. */

static const EwnAccountTiming default_timing = {
  .watchdog_ms = 90 * 1000,
  .backoff_initial_ms = 1000,
  .backoff_max_ms = 5 * 60 * 1000,
  .connection_timeout_min = 30,
  .pull_interval_ms = 60 * 1000,
  .pull_timeout_min = 30,
};

G_DEFINE_FINAL_TYPE (EwnAccount, ewn_account, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_STATE_REASON,
  PROP_WARNING,
  N_PROPS
};

enum
{
  CHANGE,
  CREDENTIALS_NEEDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (EwnAccountState, ewn_account_state, G_DEFINE_ENUM_VALUE (EWN_ACCOUNT_STATE_OFFLINE, "offline"), G_DEFINE_ENUM_VALUE (EWN_ACCOUNT_STATE_RESOLVING, "resolving"), G_DEFINE_ENUM_VALUE (EWN_ACCOUNT_STATE_SUBSCRIBING, "subscribing"), G_DEFINE_ENUM_VALUE (EWN_ACCOUNT_STATE_STREAMING, "streaming"), G_DEFINE_ENUM_VALUE (EWN_ACCOUNT_STATE_SYNCING, "syncing"), G_DEFINE_ENUM_VALUE (EWN_ACCOUNT_STATE_BACKING_OFF, "backing-off"), G_DEFINE_ENUM_VALUE (EWN_ACCOUNT_STATE_AUTH_NEEDED, "auth-needed"), G_DEFINE_ENUM_VALUE (EWN_ACCOUNT_STATE_PAUSED, "paused"), G_DEFINE_ENUM_VALUE (EWN_ACCOUNT_STATE_ERROR, "error"))

/**
 * ewn_account_state_to_string:
 * @state: an #EwnAccountState
 *
 * Returns: the stable name of @state, e.g. "backing-off"
 */
const char *
ewn_account_state_to_string (EwnAccountState state)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (EWN_TYPE_ACCOUNT_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  return value != NULL ? value->value_nick : "unknown";
}

void
ewn_account_set_state (EwnAccount     *self,
                       EwnAccountState state,
                       const char     *reason)
{
  gboolean state_changed = self->state != state;
  gboolean reason_changed = g_strcmp0 (self->state_reason, reason) != 0;

  if (reason_changed)
    {
      g_free (self->state_reason);
      self->state_reason = g_strdup (reason);
    }
  self->state = state;

  if (state_changed || reason_changed)
    g_debug ("%s: %s%s%s", self->id, ewn_account_state_to_string (state),
             reason != NULL ? ": " : "", reason != NULL ? reason : "");
  if (state_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (reason_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_REASON]);
}

/* streaming ⇄ syncing follows the engine while the connection is up. */
void
ewn_account_update_live_state (EwnAccount *self)
{
  if (self->state != EWN_ACCOUNT_STATE_STREAMING && self->state != EWN_ACCOUNT_STATE_SYNCING)
    return;

  ewn_account_set_state (self, ewn_sync_engine_get_busy (self->engine) ? EWN_ACCOUNT_STATE_SYNCING : EWN_ACCOUNT_STATE_STREAMING, NULL);
}

void
ewn_account_set_warning (EwnAccount *self,
                         const char *warning)
{
  if (g_strcmp0 (self->warning, warning) == 0)
    return;
  g_free (self->warning);
  self->warning = g_strdup (warning);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARNING]);
}

/* Once per change: by its id, not its name. */
void
ewn_account_emit_change (EwnAccount *self,
                         EwnChange  *change)
{
  g_signal_emit (self, signals[CHANGE], 0, change);
}

/**
 * ewn_account_describe_state:
 * @state: a state
 *
 * Returns: the state in a few words for people ("Connected", "Needs the password")
 */
const char *
ewn_account_describe_state (EwnAccountState state)
{
  switch (state)
    {
    case EWN_ACCOUNT_STATE_STREAMING:
    case EWN_ACCOUNT_STATE_SYNCING:
      return _("Connected");
    case EWN_ACCOUNT_STATE_RESOLVING:
    case EWN_ACCOUNT_STATE_SUBSCRIBING:
      return _("Connecting…");
    case EWN_ACCOUNT_STATE_BACKING_OFF:
      return _("Reconnecting…");
    case EWN_ACCOUNT_STATE_OFFLINE:
      return _("Offline");
    case EWN_ACCOUNT_STATE_AUTH_NEEDED:
      return _("Needs the password");
    case EWN_ACCOUNT_STATE_PAUSED:
      return _("Paused");
    case EWN_ACCOUNT_STATE_ERROR:
    default:
      return _("Needs attention");
    }
}

/**
 * ewn_account_describe:
 * @self: an #EwnAccount
 *
 * Returns: @self's state in a few words for people, as ewn_account_describe_state()
 *   says it, except that a Kerberos account in auth-needed needs a ticket, not a
 *   password — or is waiting for a domain controller (KDC) that did not answer
 */
const char *
ewn_account_describe (EwnAccount *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT (self), NULL);

  if (self->state == EWN_ACCOUNT_STATE_AUTH_NEEDED && !ewn_account_is_waiting_for_password (self))
    return self->client != NULL && ews_client_get_kerberos_unanswered (self->client) ? _("Domain controller not answering") : _("Needs a Kerberos ticket");
  return ewn_account_describe_state (self->state);
}

static void
ewn_account_dispose (GObject *object)
{
  EwnAccount *self = (EwnAccount *)object;

  g_cancellable_cancel (self->cancellable);
  ewn_account_halt (self);
  if (self->system != NULL)
    g_signal_handlers_disconnect_by_data (self->system, self);
  g_clear_object (&self->system);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  if (self->stream != NULL)
    g_signal_handlers_disconnect_by_data (self->stream, self);
  g_clear_object (&self->stream);
  g_clear_object (&self->store);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (ewn_account_parent_class)->dispose (object);
}

static void
ewn_account_finalize (GObject *object)
{
  EwnAccount *self = (EwnAccount *)object;

  g_clear_object (&self->cancellable);
  g_clear_error (&self->subscribe_error);
  g_ptr_array_unref (self->subscriptions);
  g_strfreev (self->mailboxes);
  g_free (self->address);
  g_free (self->display_name);
  g_free (self->owner_name);
  g_free (self->warning);
  g_free (self->state_reason);
  g_free (self->id);

  G_OBJECT_CLASS (ewn_account_parent_class)->finalize (object);
}

static void
ewn_account_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EwnAccount *self = EWN_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_STATE_REASON:
      g_value_set_string (value, self->state_reason);
      break;
    case PROP_WARNING:
      g_value_set_string (value, self->warning);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ewn_account_class_init (EwnAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ewn_account_dispose;
  object_class->finalize = ewn_account_finalize;
  object_class->get_property = ewn_account_get_property;

  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, EWN_TYPE_ACCOUNT_STATE, EWN_ACCOUNT_STATE_OFFLINE,
                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE_REASON] = g_param_spec_string ("state-reason", NULL, NULL, NULL,
                                                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * EwnAccount:warning:
   *
   * A problem that does not stop the account but that a person should know about
   * (the state cannot be saved), or %NULL.
   */
  properties[PROP_WARNING] = g_param_spec_string ("warning", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EwnAccount::change:
   * @change: the change
   *
   * A watched item changed. Emitted exactly once per change, after it was saved.
   */
  signals[CHANGE] = g_signal_new ("change", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                                  EWN_TYPE_CHANGE | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EwnAccount::credentials-needed:
   *
   * The server refused the credentials. The account waits in auth-needed until
   * ewn_account_reconnect() is called with new credentials set on its client.
   */
  signals[CREDENTIALS_NEEDED] = g_signal_new ("credentials-needed", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 0);
}

static void
ewn_account_init (EwnAccount *self)
{
  self->timing = default_timing;
  self->subscriptions = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_subscription_free);
  self->cancellable = g_cancellable_new ();
  self->stream = ews_event_stream_new ();
  self->watch_system = TRUE;
  self->watch_calendar = TRUE;
  self->watch_tasks = TRUE;
  g_signal_connect (self->stream, "notification", G_CALLBACK (ewn_account_on_notification), self);
}

/**
 * ewn_account_new:
 * @id: a stable id, used for the state folder and in change records
 * @client: the client, with URL, credentials and TLS set up
 * @state_dir: the folder for this account's state (item store)
 * @extra_mailboxes: (nullable): shared or delegate mailboxes to watch as well
 *
 * Returns: (transfer full): a new #EwnAccount
 */
EwnAccount *
ewn_account_new (const char        *id,
                 EwsClient         *client,
                 const char        *state_dir,
                 const char *const *extra_mailboxes)
{
  EwnAccount *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (EWS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (state_dir != NULL, NULL);

  self = g_object_new (EWN_TYPE_ACCOUNT, NULL);
  self->id = g_strdup (id);
  self->client = g_object_ref (client);
  self->mailboxes = g_strdupv ((char **)extra_mailboxes);
  self->store = ewn_item_store_new (state_dir);
  self->engine = ewn_sync_engine_new (client, self->store, id);
  ewn_account_follow_engine (self);
  return self;
}

const char *
ewn_account_get_id (EwnAccount *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT (self), NULL);

  return self->id;
}

EwsClient *
ewn_account_get_client (EwnAccount *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT (self), NULL);

  return self->client;
}

/**
 * ewn_account_is_waiting_for_password:
 * @self: an #EwnAccount
 *
 * Returns: whether @self is in auth-needed for want of a password a person must
 *   give; a Kerberos account in auth-needed waits for a ticket and retries by itself
 */
gboolean
ewn_account_is_waiting_for_password (EwnAccount *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT (self), FALSE);

  return self->state == EWN_ACCOUNT_STATE_AUTH_NEEDED && ews_client_get_auth_mechanism (self->client) != EWS_AUTH_NEGOTIATE;
}

EwnAccountState
ewn_account_get_state (EwnAccount *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT (self), EWN_ACCOUNT_STATE_ERROR);

  return self->state;
}

const char *
ewn_account_get_state_reason (EwnAccount *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT (self), NULL);

  return self->state_reason;
}

/**
 * ewn_account_get_pull:
 * @self: an #EwnAccount
 *
 * Returns: %TRUE when the account polls (GetEvents) because streaming is unavailable
 */
gboolean
ewn_account_get_pull (EwnAccount *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT (self), FALSE);

  return self->pull;
}

/**
 * ewn_account_get_display_name:
 * @self: an #EwnAccount
 *
 * Returns: (nullable): the name a person gave the account, else its address, else %NULL
 */
const char *
ewn_account_get_display_name (EwnAccount *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT (self), NULL);

  return self->display_name != NULL ? self->display_name : self->address;
}

void
ewn_account_set_display_name (EwnAccount *self,
                              const char *display_name)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));

  g_free (self->display_name);
  self->display_name = display_name != NULL && *display_name != '\0' ? g_strdup (display_name) : NULL;
}

/**
 * ewn_account_set_owner_name:
 * @self: an #EwnAccount
 * @owner_name: (nullable): the mailbox owner's display name, as the server writes it
 *   in LastModifiedName
 */
void
ewn_account_set_owner_name (EwnAccount *self,
                            const char *owner_name)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));

  g_free (self->owner_name);
  self->owner_name = owner_name != NULL && *owner_name != '\0' ? g_strdup (owner_name) : NULL;
}

static gboolean
same_name (const char *a,
           const char *b)
{
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  fa = g_utf8_casefold (a, -1);
  fb = g_utf8_casefold (b, -1);
  return g_str_equal (fa, fb);
}

/**
 * ewn_account_is_own_change:
 * @self: an #EwnAccount
 * @change: a change this account reported
 *
 * Returns: %TRUE when the change was made by the account's owner: the item's last
 *   modifier is the owner's name or address
 */
gboolean
ewn_account_is_own_change (EwnAccount      *self,
                           const EwnChange *change)
{
  const EwsItem *item;

  g_return_val_if_fail (EWN_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (change != NULL, FALSE);

  item = ewn_change_get_item (change);
  if (item == NULL || item->last_modified_name == NULL)
    return FALSE;
  return same_name (item->last_modified_name, self->owner_name) || same_name (item->last_modified_name, self->address);
}

/**
 * ewn_account_set_folders:
 * @self: an #EwnAccount
 * @calendar: whether the calendars are watched
 * @tasks: whether the task lists are watched
 *
 * Chooses the folders watched in every mailbox of the account; set it before
 * ewn_account_start(). Watching neither is an error the account reports.
 */
void
ewn_account_set_folders (EwnAccount *self,
                         gboolean    calendar,
                         gboolean    tasks)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));
  g_return_if_fail (!self->running);

  self->watch_calendar = calendar;
  self->watch_tasks = tasks;
}

/**
 * ewn_account_set_pull:
 * @self: an #EwnAccount
 * @pull: %TRUE to poll with GetEvents instead of streaming
 *
 * For servers or proxies that do not allow long-lived connections; set it before
 * ewn_account_start(). An account also falls back to polling on its own when the
 * server cannot stream.
 */
void
ewn_account_set_pull (EwnAccount *self,
                      gboolean    pull)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));
  g_return_if_fail (!self->running);

  self->pull = pull;
}

/**
 * ewn_account_wait_for_credentials:
 * @self: an #EwnAccount that has not started
 * @reason: what is missing, in words ("The keyring is locked")
 *
 * Shows the account as needing attention before it starts: its password could not
 * be had. Set the credentials on its client and call ewn_account_start() when it is.
 */
void
ewn_account_wait_for_credentials (EwnAccount *self,
                                  const char *reason)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));
  g_return_if_fail (!self->running);

  ewn_account_set_state (self, EWN_ACCOUNT_STATE_AUTH_NEEDED, reason);
}

/**
 * ewn_account_wait:
 * @self: an #EwnAccount that has not started
 * @reason: what it waits for, in words ("Reading the password from the keyring…")
 *
 * Shows the account as not connected yet, for a reason that needs nobody's attention.
 */
void
ewn_account_wait (EwnAccount *self,
                  const char *reason)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));
  g_return_if_fail (!self->running);

  ewn_account_set_state (self, EWN_ACCOUNT_STATE_OFFLINE, reason);
}

/**
 * ewn_account_get_started:
 * @self: an #EwnAccount
 *
 * Returns: %TRUE once ewn_account_start() was called (and until it stopped)
 */
gboolean
ewn_account_get_started (EwnAccount *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT (self), FALSE);

  return self->running;
}

void
ewn_account_set_timing (EwnAccount             *self,
                        const EwnAccountTiming *timing)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));
  g_return_if_fail (timing != NULL);

  self->timing = *timing;
  self->timing.connection_timeout_min = CLAMP (timing->connection_timeout_min, 1, 30);
  self->timing.pull_timeout_min = CLAMP (timing->pull_timeout_min, 1, 1440);
  self->timing.backoff_max_ms = MAX (timing->backoff_max_ms, timing->backoff_initial_ms);
}

/**
 * ewn_account_set_address:
 * @self: an #EwnAccount
 * @address: (nullable): the e-mail address of the account's own mailbox
 *
 * Names the own mailbox in change records; set it before ewn_account_start().
 */
void
ewn_account_set_address (EwnAccount *self,
                         const char *address)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));

  g_free (self->address);
  self->address = g_strdup (address);
}

/**
 * ewn_account_get_n_mailboxes:
 *
 * Returns: how many mailboxes the account watches, its own included
 */
guint
ewn_account_get_n_mailboxes (EwnAccount *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT (self), 0);

  return 1 + (self->mailboxes != NULL ? g_strv_length (self->mailboxes) : 0);
}

const char *
ewn_account_get_warning (EwnAccount *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT (self), NULL);

  return self->warning;
}

const char *
ewn_account_get_address (EwnAccount *self)
{
  g_return_val_if_fail (EWN_IS_ACCOUNT (self), NULL);

  return self->address;
}

/**
 * ewn_account_set_watch_system:
 * @self: an #EwnAccount
 * @watch_system: whether to follow network changes and suspend/resume
 *
 * On by default; tests that drive reconnects themselves turn it off.
 */
void
ewn_account_set_watch_system (EwnAccount *self,
                              gboolean    watch_system)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));
  g_return_if_fail (!self->running);

  self->watch_system = watch_system;
}

/**
 * ewn_account_set_system_watch:
 * @self: an #EwnAccount
 * @watch: the watch of network and sleep to follow instead of the machine's own
 *
 * For a caller that already has one (and for tests with a network monitor of their
 * own); implies ewn_account_set_watch_system() %TRUE.
 */
void
ewn_account_set_system_watch (EwnAccount     *self,
                              EwnSystemWatch *watch)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));
  g_return_if_fail (EWN_IS_SYSTEM_WATCH (watch));
  g_return_if_fail (!self->running);

  g_set_object (&self->system, watch);
  self->watch_system = TRUE;
}
