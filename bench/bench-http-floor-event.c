/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* bench-http-floor's event run: the least the notifier does for a change, in
 * libsoup. The server pushes an event's worth of bytes down a chunked response that
 * stays open, as GetStreamingEvents does; the client, woken by it, sends a request
 * of a SyncFolderItems' size and reads its answer. Each event starts with the time
 * it was pushed (CLOCK_MONOTONIC is the same in both processes), and the client
 * times the answer's last byte against it. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bench-http-floor.h"

/* The server, on its own thread and main context. */

typedef struct
{
  SoupServerMessage *msg;
  guint              n;
  guint              sent;
  guint              rate;
  gint64             begin;
} EventPush;

static gboolean push_next_event (gpointer user_data);

/* Schedules the next push from a timer, as a change committed elsewhere wakes the
 * simulator; never early. */
static void
schedule_push (EventPush *push)
{
  gint64 due = push->rate > 0 ? push->begin + (gint64)push->sent * G_USEC_PER_SEC / push->rate : 0;
  gint64 now = g_get_monotonic_time ();
  g_autoptr (GSource) timer = g_timeout_source_new (due > now ? (guint)((due - now + 999) / 1000) : 0);

  /* On the server's thread, not in the default context. */
  g_source_set_callback (timer, push_next_event, push, NULL);
  g_source_attach (timer, g_main_context_get_thread_default ());
}

static gboolean
push_next_event (gpointer user_data)
{
  EventPush       *push = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (push->msg);
  char            *event = g_malloc (EVENT_SIZE);

  memset (event, 'e', EVENT_SIZE);
  g_snprintf (event, STAMP_DIGITS + 1, "%0*" G_GINT64_FORMAT, STAMP_DIGITS, g_get_monotonic_time ());
  event[STAMP_DIGITS] = ' ';
  soup_message_body_append (body, SOUP_MEMORY_TAKE, event, EVENT_SIZE);
  soup_server_message_unpause (push->msg);
  if (++push->sent < push->n)
    schedule_push (push);
  else
    {
      soup_message_body_complete (body);
      soup_server_message_unpause (push->msg);
      g_object_unref (push->msg);
      g_free (push);
    }
  return G_SOURCE_REMOVE;
}

/* GET /events?n=N&rate=R: N events, R a second. */
void
bench_floor_events_handler (SoupServer        *server,
                            SoupServerMessage *msg,
                            const char        *path,
                            GHashTable        *query,
                            gpointer           user_data)
{
  EventPush          *push = g_new0 (EventPush, 1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char         *n = query != NULL ? g_hash_table_lookup (query, "n") : NULL;
  const char         *rate = query != NULL ? g_hash_table_lookup (query, "rate") : NULL;

  push->msg = g_object_ref (msg);
  push->n = n != NULL ? (guint)atoi (n) : 0;
  push->rate = rate != NULL ? (guint)atoi (rate) : 0;
  push->begin = g_get_monotonic_time () + G_USEC_PER_SEC / 10;
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_replace (headers, "Content-Type", "text/xml; charset=utf-8");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_pause (msg);
  if (push->n == 0)
    {
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      soup_server_message_unpause (msg);
      g_object_unref (push->msg);
      g_free (push);
      return;
    }
  schedule_push (push);
}

/* The client. */

typedef struct
{
  SoupSession  *session;
  char         *url;
  GBytes       *request;
  GInputStream *events;
  GInputStream *answer;
  char          buffer[8192];
  char          stamp[STAMP_DIGITS + 1];
  gsize         offset; /* in the event being read */
  GArray       *pushed; /* push times of the events not yet answered */
  gboolean      syncing;
  gint64       *times;
  guint         n;
  guint         done;
  GMainLoop    *loop;
  gboolean      failed;
} EventRun;

static void
event_run_fail (EventRun *run)
{
  run->failed = TRUE;
  g_main_loop_quit (run->loop);
}

static void event_sync_start (EventRun *run);

#define READ_WAITING (-2)

/* Reads what has arrived on @stream, as the notifier does: at once, and a source
 * only for a read that would block. Returns the bytes read, 0 at the end, -1 on an
 * error, or READ_WAITING when @callback will be called once more has arrived (a
 * source for each wait: libsoup's stay ready once they have fired, so one kept
 * attached would spin). */
static gssize
read_or_wait (EventRun     *run,
              GInputStream *stream,
              gboolean (*callback) (GObject *, gpointer))
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSource) source = NULL;
  gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream), run->buffer, sizeof run->buffer,
                                                       NULL, &error);

  if (n >= 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return n < 0 ? -1 : n;
  source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (stream), NULL);
  g_source_set_callback (source, (GSourceFunc)(void (*) (void))callback, run, NULL);
  g_source_attach (source, NULL);
  return READ_WAITING;
}

static gboolean
event_answer_readable_cb (GObject *stream,
                          gpointer user_data)
{
  EventRun *run = user_data;
  gssize    n;

  while ((n = read_or_wait (run, run->answer, event_answer_readable_cb)) > 0)
    ;
  if (n == READ_WAITING)
    return G_SOURCE_REMOVE;
  if (n < 0)
    {
      event_run_fail (run);
      return G_SOURCE_REMOVE;
    }

  g_clear_object (&run->answer);
  run->times[run->done++] = g_get_monotonic_time () - g_array_index (run->pushed, gint64, 0);
  g_array_remove_index (run->pushed, 0);
  run->syncing = FALSE;
  if (run->done == run->n)
    g_main_loop_quit (run->loop);
  else if (run->pushed->len > 0)
    event_sync_start (run);
  return G_SOURCE_REMOVE;
}

/* The response's body, or %NULL when the run failed. */
static GInputStream *
finish_send (EventRun     *run,
             GObject      *session,
             GAsyncResult *result)
{
  GInputStream *stream = soup_session_send_finish (SOUP_SESSION (session), result, NULL);

  if (stream == NULL || !G_IS_POLLABLE_INPUT_STREAM (stream))
    {
      g_clear_object (&stream);
      event_run_fail (run);
    }
  return stream;
}

static void
event_sent_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  EventRun *run = user_data;

  run->answer = finish_send (run, object, result);
  if (run->answer != NULL)
    event_answer_readable_cb (NULL, run);
}

static void
event_sync_start (EventRun *run)
{
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, run->url);

  run->syncing = TRUE;
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  soup_message_set_request_body_from_bytes (msg, "text/xml; charset=utf-8", run->request);
  soup_session_send_async (run->session, msg, G_PRIORITY_DEFAULT, NULL, event_sent_cb, run);
}

/* Takes @length bytes of the event stream: each event's first bytes give its push
 * time, and its last byte starts the round trip. */
static void
event_take (EventRun   *run,
            const char *data,
            gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      if (run->offset < STAMP_DIGITS)
        run->stamp[run->offset] = data[i];
      if (++run->offset < EVENT_SIZE)
        continue;
      {
        gint64 pushed = g_ascii_strtoll (run->stamp, NULL, 10);

        g_array_append_val (run->pushed, pushed);
      }
      run->offset = 0;
      if (!run->syncing)
        event_sync_start (run);
    }
}

static gboolean
event_stream_readable_cb (GObject *stream,
                          gpointer user_data)
{
  EventRun *run = user_data;
  gssize    n;

  while ((n = read_or_wait (run, run->events, event_stream_readable_cb)) > 0)
    event_take (run, run->buffer, (gsize)n);
  /* The stream ends after the last event; its answer may still be on its way. */
  if (n == -1 || (n == 0 && run->pushed->len == 0 && run->done < run->n))
    event_run_fail (run);
  return G_SOURCE_REMOVE;
}

static void
event_stream_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  EventRun *run = user_data;

  run->events = finish_send (run, object, result);
  if (run->events != NULL)
    event_stream_readable_cb (NULL, run);
}

int
bench_floor_event_client (const char *url,
                          guint       n,
                          guint       rate)
{
  g_autofree gint64 *times = g_new (gint64, n);
  g_autofree char   *request = g_malloc (REQUEST_SIZE);
  g_autofree char   *events_url = g_strdup_printf ("%sevents?n=%u&rate=%u", url, n, rate);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, events_url);
  EventRun run = { 0 };

  memset (request, 'q', REQUEST_SIZE);
  run.session = soup_session_new ();
  run.url = (char *)url;
  run.request = g_bytes_new_static (request, REQUEST_SIZE);
  run.pushed = g_array_new (FALSE, FALSE, sizeof (gint64));
  run.times = times;
  run.n = n;
  run.loop = g_main_loop_new (NULL, FALSE);
  soup_session_send_async (run.session, msg, G_PRIORITY_DEFAULT, NULL, event_stream_cb, &run);
  g_main_loop_run (run.loop);
  g_main_loop_unref (run.loop);
  g_clear_object (&run.answer);
  g_clear_object (&run.events);
  g_array_unref (run.pushed);
  g_bytes_unref (run.request);
  g_object_unref (run.session);
  if (run.failed)
    return 1;
  bench_floor_print_times ("event_paced", times, n);
  return 0;
}
