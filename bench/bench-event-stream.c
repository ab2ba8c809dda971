/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* How fast EwsEventStream turns a recorded GetStreamingEvents body into events,
 * compared with xmllint parsing the same bytes as one document. */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>

#include "ews-event-stream.h"
#include "ews-records.h"

#define N_EVENTS     100000
#define CHUNK_SIZE   (16 * 1024)
#define RUNS         5
#define XMLLINT_RUNS 3

#define ENVELOPE_START                                                                                                          \
  "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap11:Header "                                               \
  "xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\"><ServerVersionInfo "                                              \
  "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" MajorVersion=\"15\" " \
  "MinorVersion=\"0\" MajorBuildNumber=\"847\" MinorBuildNumber=\"31\" Version=\"V2_8\" "                                       \
  "xmlns=\"http://schemas.microsoft.com/exchange/services/2006/types\" /></soap11:Header><soap11:Body "                         \
  "xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\"><m:GetStreamingEventsResponse "                                   \
  "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "                     \
  "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\" "                                                      \
  "xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\"><m:ResponseMessages>"                               \
  "<m:GetStreamingEventsResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>"
#define ENVELOPE_END "</m:GetStreamingEventsResponseMessage></m:ResponseMessages></m:GetStreamingEventsResponse></soap11:Body></Envelope>"

static void
append_base64 (GString *out,
               GRand   *rand,
               guint    length)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  for (guint i = 0; i < length; i++)
    g_string_append_c (out, alphabet[g_rand_int_range (rand, 0, 64)]);
}

static void
append_id (GString    *out,
           GRand      *rand,
           const char *element,
           guint       id_length)
{
  g_string_append_printf (out, "<t:%s Id=\"", element);
  append_base64 (out, rand, id_length);
  g_string_append (out, "=\" ChangeKey=\"");
  append_base64 (out, rand, 40);
  g_string_append (out, "\" />");
}

static void
append_event (GString *out,
              GRand   *rand)
{
  static const char *const names[] = { "CreatedEvent", "ModifiedEvent", "ModifiedEvent", "DeletedEvent", "MovedEvent" };
  const char              *name = names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))];

  g_string_append_printf (out, "<t:%s><t:TimeStamp>2024-03-11T09:%02d:%02dZ</t:TimeStamp>", name,
                          g_rand_int_range (rand, 0, 60), g_rand_int_range (rand, 0, 60));
  append_id (out, rand, "ItemId", 151);
  append_id (out, rand, "ParentFolderId", 119);
  if (name[0] == 'M' && name[1] == 'o' && name[2] == 'v')
    {
      append_id (out, rand, "OldItemId", 151);
      append_id (out, rand, "OldParentFolderId", 119);
    }
  g_string_append_printf (out, "</t:%s>", name);
}

/* Envelopes of one to three notifications with 2 to 50 events each, and now and
 * then a keep-alive, as a busy server sends them. */
static GString *
generate_stream (guint *n_events)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (2024);
  GString *out = g_string_new (NULL);

  *n_events = 0;
  while (*n_events < N_EVENTS)
    {
      guint n_notifications = g_rand_int_range (rand, 1, 4);

      if (g_rand_int_range (rand, 0, 10) == 0)
        g_string_append (out, ENVELOPE_START "<m:ConnectionStatus>OK</m:ConnectionStatus>" ENVELOPE_END);

      g_string_append (out, ENVELOPE_START "<m:Notifications>");
      for (guint i = 0; i < n_notifications && *n_events < N_EVENTS; i++)
        {
          guint n = g_rand_int_range (rand, 2, 51);

          n = MIN (n, N_EVENTS - *n_events);

          g_string_append (out, "<m:Notification><t:SubscriptionId>");
          append_base64 (out, rand, 92);
          g_string_append (out, "</t:SubscriptionId>");
          for (guint e = 0; e < n; e++)
            append_event (out, rand);
          g_string_append (out, "</m:Notification>");
          *n_events += n;
        }
      g_string_append (out, "</m:Notifications>" ENVELOPE_END);
    }
  return out;
}

static void
on_notification (EwsEventStream  *stream,
                 EwsNotification *notification,
                 guint           *events)
{
  *events += notification->events->len;
}

static double
run_once (const GString *data,
          gsize          chunk_size,
          guint         *events)
{
  g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
  g_autoptr (GError) error = NULL;
  gint64 start;

  *events = 0;
  g_signal_connect (stream, "notification", G_CALLBACK (on_notification), events);

  start = g_get_monotonic_time ();
  for (gsize fed = 0; fed < data->len; fed += chunk_size)
    if (!ews_event_stream_feed (stream, data->str + fed, MIN (chunk_size, data->len - fed), &error))
      g_error ("Feeding failed: %s", error->message);
  if (!ews_event_stream_finish (stream, &error))
    g_error ("Finishing failed: %s", error->message);
  return (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
}

/* Best wall time of `xmllint --noout path`, in seconds, or a negative value. */
static double
time_xmllint (const char *xmllint,
              const char *path)
{
  double best = -1;

  for (int i = 0; i < XMLLINT_RUNS; i++)
    {
      const char *argv[] = { xmllint, "--noout", path, NULL };
      g_autoptr (GError) error = NULL;
      int    status = 0;
      gint64 start = g_get_monotonic_time ();
      double seconds;

      if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error) || !g_spawn_check_wait_status (status, &error))
        {
          g_printerr ("xmllint failed: %s\n", error->message);
          return -1;
        }
      seconds = (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
      if (best < 0 || seconds < best)
        best = seconds;
    }
  return best;
}

static char *
write_temp (const char *contents,
            gsize       length)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int   fd = g_file_open_tmp ("bench-event-stream-XXXXXX.xml", &path, &error);

  if (fd < 0)
    g_error ("Cannot create a temporary file: %s", error->message);
  g_close (fd, NULL);
  if (!g_file_set_contents (path, contents, length, &error))
    g_error ("Cannot write %s: %s", path, error->message);
  return path;
}

/* xmllint's MB/s on the same bytes wrapped in one root element, start-up excluded. */
static double
xmllint_mb_per_s (const GString *data)
{
  g_autofree char *xmllint = g_find_program_in_path ("xmllint");
  g_autoptr (GString) wrapped = NULL;
  g_autofree char *big = NULL;
  g_autofree char *tiny = NULL;
  double           big_s, tiny_s, mb_per_s;

  if (xmllint == NULL)
    {
      g_print ("xmllint: not found on PATH, no comparison\n");
      return 0;
    }

  wrapped = g_string_sized_new (data->len + 32);
  g_string_append (wrapped, "<Stream>");
  g_string_append_len (wrapped, data->str, data->len);
  g_string_append (wrapped, "</Stream>\n");
  big = write_temp (wrapped->str, wrapped->len);
  tiny = write_temp ("<Stream/>\n", 10);

  big_s = time_xmllint (xmllint, big);
  tiny_s = time_xmllint (xmllint, tiny);
  g_unlink (big);
  g_unlink (tiny);
  if (big_s < 0 || tiny_s < 0 || big_s <= tiny_s)
    return 0;

  mb_per_s = wrapped->len / (big_s - tiny_s) / 1e6;
  g_print ("xmllint --noout: %.3f s, start-up %.3f s, %.1f MB/s\n", big_s, tiny_s, mb_per_s);
  return mb_per_s;
}

int
main (int    argc,
      char **argv)
{
  guint expected_events;
  g_autoptr (GString) data = NULL;
  double best = -1;
  double events_per_s, mb_per_s, xmllint_mb, ratio;

  setlocale (LC_ALL, "");

  data = generate_stream (&expected_events);
  g_print ("stream: %u events, %.1f MB, fed in %d KiB chunks\n", expected_events, data->len / 1e6, CHUNK_SIZE / 1024);

  for (int i = 0; i < RUNS; i++)
    {
      guint  events;
      double seconds = run_once (data, CHUNK_SIZE, &events);

      if (events != expected_events)
        g_error ("Counted %u events, expected %u", events, expected_events);
      g_print ("run %d: %.3f s\n", i + 1, seconds);
      if (best < 0 || seconds < best)
        best = seconds;
    }

  events_per_s = expected_events / best;
  mb_per_s = data->len / best / 1e6;
  g_print ("EwsEventStream: best %.3f s, %.0f events/s, %.1f MB/s\n", best, events_per_s, mb_per_s);

  {
    /* the tokenizer resumes where it stopped: one byte at a time stays linear */
    guint  events;
    double seconds = run_once (data, 1, &events);

    g_print ("byte by byte: %.3f s, %.1f MB/s\n", seconds, data->len / seconds / 1e6);
  }

  xmllint_mb = xmllint_mb_per_s (data);
  ratio = xmllint_mb > 0 ? mb_per_s / xmllint_mb : 0;
  if (xmllint_mb > 0)
    g_print ("EwsEventStream is %.2f× xmllint's speed\n", ratio);

  g_print ("events_per_s=%.0f mb_per_s=%.1f vs_xmllint=%.2f\n", events_per_s, mb_per_s, ratio);
  return 0;
}
