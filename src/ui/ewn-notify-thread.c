/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-notifier"

#include "config.h"

#include <glib/gi18n.h>
#include <libnotify/notify.h>

#include "ewn-notify-thread.h"

/* libnotify confined to a thread of its own. libnotify talks to the notification
 * server synchronously: Notify waits up to 25 s for an answer. Called from the main
 * loop, a server that hangs would freeze the tray, the windows and the accounts'
 * connections with it. Here every libnotify call, and the signals of its D-Bus proxy
 * (clicks, closes), happen on one thread with a main context of its own; the main
 * thread posts what to show and gets the clicks back on its own main context. A
 * server that stops answering then only holds up notifications: a burst's summary
 * keeps its latest text only, and a few single notifications at most wait. */

#ifndef __GI_SCANNER__
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NotifyNotification, g_object_unref)
#endif

#define MAX_WAITING  16 /* single notifications waiting for a server that does not answer */
#define STOP_WAIT_US (2 * G_USEC_PER_SEC)

typedef struct _SummaryJob SummaryJob;

struct _EwnNotifyThread
{
  /* Set before the thread starts. */
  GThread            *thread;
  GMainContext       *context;
  GMainLoop          *loop;
  GMainContext       *main_context;
  GWeakRef            owner;
  EwnNotifyActionFunc action_func;
  char               *app_name;
  char               *icon;

  /* Shared, under lock. */
  GMutex              lock;
  GCond               finished_cond;
  gboolean            finished;
  SummaryJob         *pending_summary; /* posted, not started: a newer text replaces its own */
  gint                waiting;         /* (atomic) single notifications posted, not yet shown */

  /* The thread's alone. */
  gboolean            has_actions;
  gboolean            has_markup;
  GHashTable         *live;  /* NotifyNotification → change id (0: a summary), kept for their clicks */
  GQueue              order; /* the notifications in live but the current summary, oldest first */
  NotifyNotification *summary;
};

struct _SummaryJob
{
  EwnNotifyThread *thread;
  char            *title;
  char            *body;
};

typedef struct
{
  EwnNotifyThread *thread;
  char            *headline;
  char            *details;
  char            *category;
  gboolean         urgent;
  gboolean         transient;
  gboolean         web_link;
  guint            entry_id;
} ShowJob;

typedef struct
{
  GObject            *owner;
  EwnNotifyActionFunc func;
  guint               entry_id;
  char               *action;
  char               *activation_token;
} ActionEvent;

/* On the main context. */
static gboolean
deliver_action (gpointer data)
{
  ActionEvent *event = data;

  event->func (event->owner, event->entry_id, event->action, event->activation_token);
  return G_SOURCE_REMOVE;
}

static void
action_event_free (ActionEvent *event)
{
  g_object_unref (event->owner);
  g_free (event->action);
  g_free (event->activation_token);
  g_free (event);
}

static void
on_action (NotifyNotification *notification,
           char               *action,
           gpointer            user_data)
{
  EwnNotifyThread *self = user_data;
  GObject         *owner = g_weak_ref_get (&self->owner);
  ActionEvent     *event;

  if (owner == NULL)
    return;
  event = g_new0 (ActionEvent, 1);
  event->owner = owner;
  event->func = self->action_func;
  event->entry_id = GPOINTER_TO_UINT (g_hash_table_lookup (self->live, notification));
  event->action = g_strdup (action);
  /* Only valid during this callback: the server sends it just before the click. */
  event->activation_token = g_strdup (notify_notification_get_activation_token (notification));
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, deliver_action, event,
                              (GDestroyNotify)action_event_free);
}

static void
on_closed (NotifyNotification *notification,
           EwnNotifyThread    *self)
{
  if (notification == self->summary)
    g_clear_object (&self->summary);
  else
    g_queue_remove (&self->order, notification);
  g_hash_table_remove (self->live, notification);
}

/* Servers close what they no longer show, but some never do: past the newest
 * EWN_NOTIFY_THREAD_MAX_KEPT, the oldest are let go (left on screen, their clicks
 * no longer heard), so that a long session does not keep every notification.
 * Called once the newest has gone out: letting one go (libnotify finalising it) is
 * not on the way from a change to its notification. */
static void
let_go_oldest (EwnNotifyThread *self)
{
  while (self->order.length > EWN_NOTIFY_THREAD_MAX_KEPT)
    {
      NotifyNotification *oldest = g_queue_pop_head (&self->order);

      g_signal_handlers_disconnect_by_data (oldest, self);
      g_hash_table_remove (self->live, oldest);
    }
}

static void
keep (EwnNotifyThread    *self,
      NotifyNotification *notification,
      guint               entry_id)
{
  g_hash_table_replace (self->live, g_object_ref (notification), GUINT_TO_POINTER (entry_id));
  g_signal_connect (notification, "closed", G_CALLBACK (on_closed), self);
  /* A burst's summary joins them when its burst ends. */
  if (entry_id != 0)
    g_queue_push_tail (&self->order, notification);
}

static void
send (NotifyNotification *notification)
{
  g_autoptr (GError) error = NULL;

  if (!notify_notification_show (notification, &error))
    g_message ("Could not show a notification: %s", error->message);
}

/* What the notification server can do: buttons only where it advertises actions (the
 * click on the bubble, the default action, works everywhere that has one). */
static void
read_capabilities (EwnNotifyThread *self)
{
  GList *caps = notify_get_server_caps ();

  if (caps == NULL)
    g_message ("No notification service: changes are only listed in the tray menu");
  for (GList *l = caps; l != NULL; l = l->next)
    {
      if (g_str_equal (l->data, "actions"))
        self->has_actions = TRUE;
      else if (g_str_equal (l->data, "body-markup"))
        self->has_markup = TRUE;
    }
  g_list_free_full (caps, g_free);
  g_debug ("notification server: actions %s, body markup %s", self->has_actions ? "yes" : "no",
           self->has_markup ? "yes" : "no");
}

static gpointer
run (gpointer data)
{
  EwnNotifyThread *self = data;
  GHashTableIter   iter;
  gpointer         notification;

  g_main_context_push_thread_default (self->context);
  /* Its D-Bus proxy is made here, so that its signals come to this thread. */
  notify_init (self->app_name);
  read_capabilities (self);
  g_main_loop_run (self->loop);

  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, &notification, NULL))
    g_signal_handlers_disconnect_by_data (notification, self);
  g_queue_clear (&self->order);
  g_hash_table_remove_all (self->live);
  g_clear_object (&self->summary);
  notify_uninit ();
  g_main_context_pop_thread_default (self->context);

  g_mutex_lock (&self->lock);
  self->finished = TRUE;
  g_cond_signal (&self->finished_cond);
  g_mutex_unlock (&self->lock);
  return NULL;
}

/**
 * ewn_notify_thread_new:
 * @app_name: the application's name, for the notification server
 * @icon: the icon of every notification
 * @owner: what @action_func is called with; held weakly
 * @action_func: called on the caller's thread-default main context for each click
 *
 * Returns: (transfer full): the thread, started; stop it with ewn_notify_thread_stop()
 */
EwnNotifyThread *
ewn_notify_thread_new (const char         *app_name,
                       const char         *icon,
                       GObject            *owner,
                       EwnNotifyActionFunc action_func)
{
  EwnNotifyThread *self = g_new0 (EwnNotifyThread, 1);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->main_context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&self->owner, owner);
  self->action_func = action_func;
  self->app_name = g_strdup (app_name);
  self->icon = g_strdup (icon);
  g_mutex_init (&self->lock);
  g_cond_init (&self->finished_cond);
  self->live = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  g_queue_init (&self->order);
  self->thread = g_thread_new ("ewn-notify", run, self);
  return self;
}

static void
show_job_free (ShowJob *job)
{
  g_free (job->headline);
  g_free (job->details);
  g_free (job->category);
  g_free (job);
}

static gboolean
show_in_thread (gpointer data)
{
  ShowJob         *job = data;
  EwnNotifyThread *self = job->thread;
  g_autoptr (NotifyNotification) notification = NULL;
  g_autofree char *body = NULL;

  /* Server text never reaches the notification server as markup. */
  body = self->has_markup ? g_markup_escape_text (job->details, -1) : g_strdup (job->details);
  notification = notify_notification_new (job->headline, body, self->icon);
  notify_notification_set_hint (notification, "desktop-entry", g_variant_new_string (APPLICATION_ID));
  notify_notification_set_category (notification, job->category);
  notify_notification_set_urgency (notification, job->urgent ? NOTIFY_URGENCY_CRITICAL : NOTIFY_URGENCY_NORMAL);
  if (job->transient)
    notify_notification_set_hint (notification, "transient", g_variant_new_boolean (TRUE));

  notify_notification_add_action (notification, "default", _("Open"), on_action, self, NULL);
  if (self->has_actions)
    {
      if (job->web_link)
        notify_notification_add_action (notification, "open-in-browser", _("Open in Browser"), on_action, self, NULL);
      notify_notification_add_action (notification, "dismiss", _("Dismiss"), on_action, self, NULL);
    }
  keep (self, notification, job->entry_id);
  send (notification);
  let_go_oldest (self);
  g_atomic_int_add (&self->waiting, -1);
  return G_SOURCE_REMOVE;
}

/**
 * ewn_notify_thread_show:
 * @request: one change's notification
 *
 * Shows @request's notification. While the server does not answer, a few wait;
 * more are dropped (the change stays in the history), and the log says so.
 *
 * Returns: whether the notification is on its way; notifications go out in the
 *   order they were posted
 */
gboolean
ewn_notify_thread_show (EwnNotifyThread        *self,
                        const EwnNotifyRequest *request)
{
  ShowJob *job;

  if (g_atomic_int_get (&self->waiting) >= MAX_WAITING)
    {
      g_message ("The notification server does not answer: not showing “%s”", request->headline);
      return FALSE;
    }
  g_atomic_int_inc (&self->waiting);
  job = g_new0 (ShowJob, 1);
  job->thread = self;
  job->headline = g_strdup (request->headline);
  job->details = g_strdup (request->details);
  job->category = g_strdup (request->category);
  job->urgent = request->urgent;
  job->transient = request->transient;
  job->web_link = request->web_link;
  job->entry_id = request->entry_id;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, show_in_thread, job, (GDestroyNotify)show_job_free);
  return TRUE;
}

static void
summary_job_free (SummaryJob *job)
{
  g_free (job->title);
  g_free (job->body);
  g_free (job);
}

static gboolean
show_summary_in_thread (gpointer data)
{
  SummaryJob      *job = data;
  EwnNotifyThread *self = job->thread;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  /* From now on a newer text is a job of its own. */
  g_mutex_lock (&self->lock);
  if (self->pending_summary == job)
    self->pending_summary = NULL;
  title = g_steal_pointer (&job->title);
  body = g_steal_pointer (&job->body);
  g_mutex_unlock (&self->lock);

  if (self->summary == NULL)
    {
      self->summary = notify_notification_new (title, body, self->icon);
      notify_notification_set_hint (self->summary, "desktop-entry", g_variant_new_string (APPLICATION_ID));
      notify_notification_set_category (self->summary, "x-ews-notifier.summary");
      notify_notification_add_action (self->summary, "default", _("Show"), on_action, self, NULL);
      if (self->has_actions)
        notify_notification_add_action (self->summary, "show-recent", _("Show All"), on_action, self, NULL);
      keep (self, self->summary, 0);
    }
  else
    notify_notification_update (self->summary, title, body, self->icon);
  send (self->summary);
  return G_SOURCE_REMOVE;
}

/**
 * ewn_notify_thread_show_summary:
 * @title: what the burst's summary says
 * @body: its body, plain text
 *
 * Shows the current burst's summary, or updates it in place. Texts not shown yet
 * are replaced by newer ones.
 */
void
ewn_notify_thread_show_summary (EwnNotifyThread *self,
                                const char      *title,
                                const char      *body)
{
  SummaryJob *job;

  g_mutex_lock (&self->lock);
  if (self->pending_summary != NULL)
    {
      g_free (self->pending_summary->title);
      g_free (self->pending_summary->body);
      self->pending_summary->title = g_strdup (title);
      self->pending_summary->body = g_strdup (body);
      g_mutex_unlock (&self->lock);
      return;
    }
  job = g_new0 (SummaryJob, 1);
  job->thread = self;
  job->title = g_strdup (title);
  job->body = g_strdup (body);
  self->pending_summary = job;
  g_mutex_unlock (&self->lock);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, show_summary_in_thread, job, (GDestroyNotify)summary_job_free);
}

static gboolean
end_summary_in_thread (gpointer data)
{
  EwnNotifyThread *self = data;

  /* It stays on screen, and its click still opens the list. */
  if (self->summary != NULL && g_hash_table_contains (self->live, self->summary))
    {
      g_queue_push_tail (&self->order, self->summary);
      let_go_oldest (self);
    }
  g_clear_object (&self->summary);
  return G_SOURCE_REMOVE;
}

/**
 * ewn_notify_thread_end_summary:
 *
 * Ends the current burst: the next summary is a notification of its own.
 */
void
ewn_notify_thread_end_summary (EwnNotifyThread *self)
{
  g_mutex_lock (&self->lock);
  self->pending_summary = NULL;
  g_mutex_unlock (&self->lock);
  g_main_context_invoke (self->context, end_summary_in_thread, self);
}

static gboolean
close_all_in_thread (gpointer data)
{
  EwnNotifyThread *self = data;
  GHashTableIter   iter;
  gpointer         notification;

  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, &notification, NULL))
    {
      g_signal_handlers_disconnect_by_data (notification, self);
      notify_notification_close (notification, NULL);
      g_hash_table_iter_remove (&iter);
    }
  g_queue_clear (&self->order);
  g_clear_object (&self->summary);
  return G_SOURCE_REMOVE;
}

/**
 * ewn_notify_thread_close_all:
 *
 * Closes every notification still on screen (on quit).
 */
void
ewn_notify_thread_close_all (EwnNotifyThread *self)
{
  g_main_context_invoke (self->context, close_all_in_thread, self);
}

static gboolean
quit_in_thread (gpointer data)
{
  EwnNotifyThread *self = data;

  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

/**
 * ewn_notify_thread_stop:
 * @thread: (transfer full): a thread
 *
 * Lets the thread finish what was posted, and ends it. A notification server that
 * does not answer is not waited for longer than two seconds: the thread is then
 * left to the end of the process.
 */
void
ewn_notify_thread_stop (EwnNotifyThread *self)
{
  gint64   deadline = g_get_monotonic_time () + STOP_WAIT_US;
  gboolean finished;

  g_main_context_invoke (self->context, quit_in_thread, self);
  g_mutex_lock (&self->lock);
  while (!self->finished)
    if (!g_cond_wait_until (&self->finished_cond, &self->lock, deadline))
      break;
  finished = self->finished;
  g_mutex_unlock (&self->lock);
  if (!finished)
    {
      g_message ("The notification server does not answer: its notifications are left as they are");
      g_thread_unref (self->thread);
      return;
    }

  g_thread_join (self->thread);
  g_hash_table_unref (self->live);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_main_context_unref (self->main_context);
  g_weak_ref_clear (&self->owner);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->finished_cond);
  g_free (self->app_name);
  g_free (self->icon);
  g_free (self);
}
