/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* What the wire costs on this machine before any EWS work: the floor under
 * bench-watch's latency, which pays for an event's hop down the stream, one
 * request and its answer (the SyncFolderItems) and the JSON line's hop.
 *
 * A server thread in this process, a client in a process of its own (as the
 * simulator and the notifier are), the sizes of a streamed event and of a
 * SyncFolderItems exchange, paced like bench-watch latency (50 a second) and, but
 * for event, back to back:
 *
 *   tcp    bytes over a loopback TCP connection, blocking reads and writes
 *   soup   libsoup: SoupSession's send_async and a read of the body on the client,
 *          a SoupServer handler on the server, each on a GMainLoop
 *   event  what the notifier cannot do without, in libsoup: the server pushes an
 *          event's worth of bytes down a chunked response that stays open (as
 *          GetStreamingEvents does), and the client, woken by it, sends the request
 *          and reads its answer; timed from the push to the answer's last byte
 *
 * The gap between the paced and the back-to-back figures is what the machine
 * charges to wake a sleeping CPU and to run cold code. First of all it prints what
 * one system call costs, warm and after such a sleep: on a virtual machine whose
 * kernel is entered through the hypervisor, that alone adds up to much of a change's
 * time, and GLib and libsoup make dozens a change. */

#include "config.h"

#include <errno.h>
#include <libsoup/soup.h>
#include <locale.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-http-floor.h"
#include "bench-machine.h"

static char *self_path;

static int
compare_int64 (const void *a,
               const void *b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/* Prints the percentiles of @times (µs), after the warm-up. */
void
bench_floor_print_times (const char *name,
                         gint64     *times,
                         guint       n)
{
  gint64 *kept = times + WARM_UP;
  guint   n_kept = n - WARM_UP;

  qsort (kept, n_kept, sizeof (gint64), compare_int64);
  printf ("%s_p50_ms=%.3f\n%s_p90_ms=%.3f\n%s_p99_ms=%.3f\n", name, kept[n_kept / 2] / 1000.0, name,
          kept[n_kept * 9 / 10] / 1000.0, name, kept[n_kept * 99 / 100] / 1000.0);
  fflush (stdout);
}

/* Waits until @due (monotonic µs); 0 means at once. */
static void
pace (gint64 due)
{
  gint64 now = g_get_monotonic_time ();

  if (due > now)
    g_usleep (due - now);
}

/* What the kernel charges for the least a system call does, warm (back to back) and
 * for the first after the CPU slept as long as between two paced changes. Every
 * event and round trip above pays for dozens: GLib's and libsoup's reads, writes,
 * polls and main-context wake-ups. */
static void
print_syscall_cost (guint rate)
{
  const guint warm = 100000;
  const guint cold = 200;
  gint64      begin = g_get_monotonic_time ();
  gint64      total = 0;

  for (guint i = 0; i < warm; i++)
    syscall (SYS_getppid);
  printf ("syscall_warm_us=%.3f\n", (double)(g_get_monotonic_time () - begin) / warm);

  for (guint i = 0; i < cold; i++)
    {
      g_usleep (G_USEC_PER_SEC / rate);
      begin = g_get_monotonic_time ();
      syscall (SYS_getppid);
      total += g_get_monotonic_time () - begin;
    }
  printf ("syscall_after_sleep_us=%.3f\n", (double)total / cold);
  fflush (stdout);
}

/* The raw TCP side. */

/* Reads or writes all @length bytes, blocking. */
static gboolean
transfer (int      fd,
          char    *buffer,
          gsize    length,
          gboolean writing)
{
  gsize done = 0;

  while (done < length)
    {
      gssize n = writing ? write (fd, buffer + done, length - done) : read (fd, buffer + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      done += (gsize)n;
    }
  return TRUE;
}

static void
set_nodelay (int fd)
{
  int one = 1;

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static gpointer
tcp_server_thread (gpointer data)
{
  int  listener = GPOINTER_TO_INT (data);
  int  fd = accept (listener, NULL, NULL);
  char request[REQUEST_SIZE];
  char response[RESPONSE_SIZE];

  memset (response, 'r', sizeof response);
  if (fd < 0)
    return NULL;
  set_nodelay (fd);
  while (transfer (fd, request, sizeof request, FALSE) && transfer (fd, response, sizeof response, TRUE))
    ;
  close (fd);
  return NULL;
}

static int
tcp_client (guint16 port,
            guint   n,
            guint   rate)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port), .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  g_autofree gint64 *times = g_new (gint64, n);
  int                fd = socket (AF_INET, SOCK_STREAM, 0);
  char               request[REQUEST_SIZE];
  char               response[RESPONSE_SIZE];
  gint64             begin;

  if (fd < 0 || connect (fd, (struct sockaddr *)&address, sizeof address) < 0)
    return 1;
  set_nodelay (fd);
  memset (request, 'q', sizeof request);
  begin = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      gint64 start;

      pace (rate > 0 ? begin + (gint64)i * G_USEC_PER_SEC / rate : 0);
      start = g_get_monotonic_time ();
      if (!transfer (fd, request, sizeof request, TRUE) || !transfer (fd, response, sizeof response, FALSE))
        return 1;
      times[i] = g_get_monotonic_time () - start;
    }
  close (fd);
  bench_floor_print_times (rate > 0 ? "tcp_paced" : "tcp_back_to_back", times, n);
  return 0;
}

/* The libsoup side. */

static char response_body[RESPONSE_SIZE];

static void
soup_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/xml; charset=utf-8", SOUP_MEMORY_STATIC, response_body, sizeof response_body);
}

static gpointer
soup_server_thread (gpointer data)
{
  GMainContext *context = data;
  GMainLoop    *loop = g_main_loop_new (context, FALSE);

  g_main_context_push_thread_default (context);
  g_main_loop_run (loop);
  return NULL;
}

typedef struct
{
  SoupSession  *session;
  char         *url;
  GBytes       *request;
  GInputStream *input;
  char          buffer[8192];
  gint64       *times;
  guint         n;
  guint         done;
  guint         rate;
  gint64        begin;
  gint64        start;
  GMainLoop    *loop;
  gboolean      failed;
} SoupRun;

static void soup_send_next (SoupRun *run);

static gboolean
soup_due_cb (gpointer user_data)
{
  soup_send_next (user_data);
  return G_SOURCE_REMOVE;
}

static void
soup_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SoupRun *run = user_data;
  gssize   n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);
  gint64   due;
  gint64   now;

  if (n > 0)
    {
      g_input_stream_read_async (run->input, run->buffer, sizeof run->buffer, G_PRIORITY_DEFAULT, NULL, soup_read_cb, run);
      return;
    }
  g_clear_object (&run->input);
  if (n < 0)
    {
      run->failed = TRUE;
      g_main_loop_quit (run->loop);
      return;
    }
  run->times[run->done++] = g_get_monotonic_time () - run->start;
  if (run->done == run->n)
    {
      g_main_loop_quit (run->loop);
      return;
    }
  /* The next request is sent from a timer, as a stream event wakes the notifier. */
  due = run->rate > 0 ? run->begin + (gint64)run->done * G_USEC_PER_SEC / run->rate : 0;
  now = g_get_monotonic_time ();
  g_timeout_add (due > now ? (guint)((due - now + 999) / 1000) : 0, soup_due_cb, run); /* never early */
}

static void
soup_send_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SoupRun *run = user_data;

  run->input = soup_session_send_finish (SOUP_SESSION (object), result, NULL);
  if (run->input == NULL)
    {
      run->failed = TRUE;
      g_main_loop_quit (run->loop);
      return;
    }
  g_input_stream_read_async (run->input, run->buffer, sizeof run->buffer, G_PRIORITY_DEFAULT, NULL, soup_read_cb, run);
}

static void
soup_send_next (SoupRun *run)
{
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, run->url);

  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  soup_message_set_request_body_from_bytes (msg, "text/xml; charset=utf-8", run->request);
  run->start = g_get_monotonic_time ();
  soup_session_send_async (run->session, msg, G_PRIORITY_DEFAULT, NULL, soup_send_cb, run);
}

static int
soup_client (const char *url,
             guint       n,
             guint       rate)
{
  g_autofree gint64 *times = g_new (gint64, n);
  g_autofree char   *request = g_malloc (REQUEST_SIZE);
  SoupRun            run = { 0 };

  memset (request, 'q', REQUEST_SIZE);
  run.session = soup_session_new ();
  run.url = (char *)url;
  run.request = g_bytes_new_static (request, REQUEST_SIZE);
  run.times = times;
  run.n = n;
  run.rate = rate;
  run.loop = g_main_loop_new (NULL, FALSE);
  run.begin = g_get_monotonic_time ();
  soup_send_next (&run);
  g_main_loop_run (run.loop);
  g_main_loop_unref (run.loop);
  g_bytes_unref (run.request);
  g_object_unref (run.session);
  if (run.failed)
    return 1;
  bench_floor_print_times (rate > 0 ? "soup_paced" : "soup_back_to_back", times, n);
  return 0;
}

/* The parent: servers in threads, each client in a process of its own. */

static gboolean
run_client (const char *kind,
            const char *target,
            guint       n,
            guint       rate)
{
  g_autofree char *n_text = g_strdup_printf ("%u", n);
  g_autofree char *rate_text = g_strdup_printf ("%u", rate);
  const char      *argv[] = { self_path, "--client", kind, target, n_text, rate_text, NULL };
  g_autoptr (GError) error = NULL;
  int status = 0;

  fflush (stdout);
  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                     &status, &error))
    {
      g_printerr ("Cannot run the %s client: %s\n", kind, error->message);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("The %s client failed: %s\n", kind, error->message);
      return FALSE;
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  SoupServer *server; /* serves until the process ends: its thread never stops */
  g_autoptr (GMainContext) server_context = NULL;
  g_autofree char   *url = NULL;
  g_autofree char   *port_text = NULL;
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t          address_length = sizeof address;
  int                round_trips = 1000;
  int                rate = 50;
  int                listener;
  GSList            *uris;
  gboolean           ok = TRUE;
  GOptionEntry       entries[] = {
          { "round-trips", 0, 0, G_OPTION_ARG_INT, &round_trips, "Round trips in each run (1000)", "N" },
          { "rate", 0, 0, G_OPTION_ARG_INT, &rate, "Paced runs: round trips per second (50)", "N" },
          { NULL }
  };

  setlocale (LC_ALL, "C");
  /* The clients are this very program, however it was started. */
  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (self_path == NULL)
    self_path = argv[0];
  if (argc == 6 && strcmp (argv[1], "--client") == 0)
    {
      guint n = (guint)atoi (argv[4]);
      guint client_rate = (guint)atoi (argv[5]);

      if (strcmp (argv[2], "tcp") == 0)
        return tcp_client ((guint16)atoi (argv[3]), n, client_rate);
      if (strcmp (argv[2], "event") == 0)
        return bench_floor_event_client (argv[3], n, client_rate);
      return soup_client (argv[3], n, client_rate);
    }

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Times a bare loopback TCP round trip and a libsoup one, of a SyncFolderItems' size.");
  if (!g_option_context_parse (context, &argc, &argv, &error) || round_trips <= WARM_UP || rate <= 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--round-trips must be over 50, --rate over 0");
      return 2;
    }

  bench_machine_print ();
  memset (response_body, 'r', sizeof response_body);
  printf ("round_trips=%d\nrate=%d\nrequest_bytes=%d\nresponse_bytes=%d\n", round_trips, rate, REQUEST_SIZE, RESPONSE_SIZE);
  print_syscall_cost ((guint)rate);

  for (int paced = 1; paced >= 0 && ok; paced--)
    {
      listener = socket (AF_INET, SOCK_STREAM, 0);
      if (listener < 0 || bind (listener, (struct sockaddr *)&address, sizeof address) < 0 || listen (listener, 1) < 0 || getsockname (listener, (struct sockaddr *)&address, &address_length) < 0)
        g_error ("Cannot listen: %s", g_strerror (errno));
      g_thread_unref (g_thread_new ("tcp-server", tcp_server_thread, GINT_TO_POINTER (listener)));
      g_free (port_text);
      port_text = g_strdup_printf ("%u", ntohs (address.sin_port));
      ok = run_client ("tcp", port_text, (guint)round_trips, paced ? (guint)rate : 0);
      close (listener);
      address.sin_port = 0;
    }

  server_context = g_main_context_new ();
  g_main_context_push_thread_default (server_context);
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, soup_handler, NULL, NULL);
  soup_server_add_handler (server, "/events", bench_floor_events_handler, NULL, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("Cannot listen: %s", error->message);
  uris = soup_server_get_uris (server);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  g_main_context_pop_thread_default (server_context);
  g_thread_unref (g_thread_new ("soup-server", soup_server_thread, server_context));

  for (int paced = 1; paced >= 0 && ok; paced--)
    ok = run_client ("soup", url, (guint)round_trips, paced ? (guint)rate : 0);
  if (ok)
    ok = run_client ("event", url, (guint)round_trips, (guint)rate);
  return ok ? 0 : 1;
}
