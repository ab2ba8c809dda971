/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* libFuzzer target for EwsEventStream. The first two bytes choose the chunk sizes,
 * the rest is the response body. A failed feed resets the stream and goes on, so
 * recovery is fuzzed too. The body is read twice, walking the envelopes and building
 * their trees, and both readings must emit the same. */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "ews-error.h"
#include "ews-event-stream.h"
#include "ews-records.h"
#include "ews-xml-private.h"
#include "stream-test-util.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
on_notification (EwsEventStream  *stream,
                 EwsNotification *notification,
                 gsize           *checksum)
{
  /* touch everything, so that a dangling pointer shows up under ASan */
  *checksum += notification->subscription_id != NULL ? strlen (notification->subscription_id) : 0;
  for (guint i = 0; i < notification->events->len; i++)
    {
      const EwsEvent *event = g_ptr_array_index (notification->events, i);

      *checksum += event->type + (event->id != NULL ? strlen (event->id) : 0);
      *checksum += event->old_id != NULL ? strlen (event->old_id) : 0;
    }
}

static void
on_response_error (EwsEventStream *stream,
                   GError         *error,
                   char          **ids,
                   gsize          *checksum)
{
  *checksum += strlen (error->message) + g_strv_length (ids);
}

static void
silence (const char    *log_domain,
         GLogLevelFlags log_level,
         const char    *message,
         gpointer       user_data)
{
}

/* Everything the stream emitted, and whether it failed, as one string. */
static char *
read_body (const uint8_t *data,
           size_t         size,
           const gsize    sizes[2],
           gboolean       walking,
           gsize         *checksum)
{
  g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
  g_autoptr (StreamRecorder) recorder = NULL;
  GString *outcome = g_string_new (NULL);
  gsize    fed = 0;

  ews_xml_set_walking (walking);
  ews_event_stream_set_max_document_size (stream, 4096);
  recorder = stream_recorder_new (stream);
  g_signal_connect (stream, "notification", G_CALLBACK (on_notification), checksum);
  g_signal_connect (stream, "response-error", G_CALLBACK (on_response_error), checksum);

  for (guint i = 0; fed < size; i++)
    {
      gsize n = MIN (sizes[i % 2], size - fed);
      g_autoptr (GError) error = NULL;

      if (!ews_event_stream_feed (stream, (const char *)data + fed, n, &error))
        {
          g_assert (error != NULL && error->domain == EWS_ERROR);
          g_string_append_printf (outcome, "failed: %s\n", error->message);
          ews_event_stream_reset (stream);
        }
      fed += n;
    }

  {
    g_autoptr (GError) error = NULL;

    if (!ews_event_stream_finish (stream, &error))
      g_assert (error != NULL);
  }

  for (char **line = stream_recorder_get_trace (recorder); *line != NULL; line++)
    g_string_append_printf (outcome, "%s\n", *line);
  ews_xml_set_walking (TRUE);
  return g_string_free (outcome, FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gsize     log_handler = 0;
  g_autofree char *walked = NULL;
  g_autofree char *built = NULL;
  gsize            sizes[2];
  gsize            checksum = 0;

  if (size < 2)
    return 0;

  if (g_once_init_enter (&log_handler))
    g_once_init_leave (&log_handler, g_log_set_handler ("ews-stream", G_LOG_LEVEL_DEBUG, silence, NULL));
  sizes[0] = data[0] % 32 + 1;
  sizes[1] = data[1] + 1;
  data += 2;
  size -= 2;

  walked = read_body (data, size, sizes, TRUE, &checksum);
  built = read_body (data, size, sizes, FALSE, &checksum);
  g_assert_cmpstr (walked, ==, built);

  return checksum == G_MAXSIZE ? 1 : 0;
}
