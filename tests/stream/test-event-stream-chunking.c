/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "stream-test-util.h"

#define N_ENVELOPES 60
#define N_SEEDS     50

typedef struct
{
  GString   *stream;
  GPtrArray *expected; /* NULL-terminated trace */
} Recording;

static void
recording_free (Recording *recording)
{
  g_string_free (recording->stream, TRUE);
  g_ptr_array_unref (recording->expected);
  g_free (recording);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recording, recording_free)

static Recording *
recording_new (guint32 seed)
{
  Recording *recording = g_new0 (Recording, 1);

  recording->expected = g_ptr_array_new_with_free_func (g_free);
  recording->stream = stream_generate (seed, N_ENVELOPES, recording->expected);
  g_ptr_array_add (recording->expected, NULL);
  return recording;
}

/* chunk_size 0: random sizes from @rand; otherwise fixed */
static GPtrArray *
replay (const GString *data,
        gsize          chunk_size,
        GRand         *rand)
{
  g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
  g_autoptr (StreamRecorder) recorder = stream_recorder_new (stream);
  g_autoptr (GError) error = NULL;
  gsize fed = 0;

  while (fed < data->len)
    {
      gsize n = chunk_size;

      if (n == 0)
        {
          /* mostly small cuts, sometimes large ones that hold several documents */
          static const int limits[] = { 4, 64, 1500, 40000 };

          n = g_rand_int_range (rand, 1, limits[g_rand_int_range (rand, 0, G_N_ELEMENTS (limits))] + 1);
        }
      n = MIN (n, data->len - fed);
      if (!ews_event_stream_feed (stream, data->str + fed, n, &error))
        g_error ("feed failed at byte %" G_GSIZE_FORMAT ": %s", fed, error->message);
      fed += n;
    }
  g_assert_true (ews_event_stream_finish (stream, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ews_event_stream_get_bytes_received (stream), ==, data->len);

  return g_ptr_array_ref (recorder->trace);
}

static void
assert_trace (GPtrArray  *trace,
              GPtrArray  *expected,
              const char *how)
{
  g_test_message ("%s: %u signals", how, trace->len - 1);
  g_assert_cmpstrv ((char **)trace->pdata, (char **)expected->pdata);
}

static void
test_one_piece (void)
{
  g_autoptr (Recording) recording = recording_new (1);
  g_autoptr (GPtrArray) trace = replay (recording->stream, recording->stream->len, NULL);

  g_assert_cmpuint (recording->expected->len, >, N_ENVELOPES);
  assert_trace (trace, recording->expected, "one piece");
}

static void
test_byte_by_byte (void)
{
  for (guint32 seed = 1; seed <= 3; seed++)
    {
      g_autoptr (Recording) recording = recording_new (seed);
      g_autoptr (GPtrArray) trace = replay (recording->stream, 1, NULL);

      assert_trace (trace, recording->expected, "byte by byte");
    }
}

static void
test_fixed_sizes (void)
{
  static const gsize sizes[] = { 2, 3, 7, 13, 100, 1023, 4096, 16384 };
  g_autoptr (Recording) recording = recording_new (7);

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GPtrArray) trace = replay (recording->stream, sizes[i], NULL);

      assert_trace (trace, recording->expected, "fixed size");
    }
}

/* For every seed: a different recorded stream, cut at random places. */
static void
test_random_chunks (void)
{
  for (guint32 seed = 1; seed <= N_SEEDS; seed++)
    {
      g_autoptr (Recording) recording = recording_new (seed);
      g_autoptr (GRand) rand = g_rand_new_with_seed (seed * 7919);
      g_autoptr (GPtrArray) whole = replay (recording->stream, recording->stream->len, NULL);
      g_autoptr (GPtrArray) cut = replay (recording->stream, 0, rand);

      assert_trace (whole, recording->expected, "one piece");
      assert_trace (cut, recording->expected, "random chunks");
    }
}

/* Every possible single cut of a stream of three documents. */
static void
test_every_cut (void)
{
  gsize            a_len, b_len;
  g_autofree char *a = stream_load_fixture ("getstreamingevents-response-events.xml", &a_len);
  g_autofree char *b = stream_load_fixture ("getstreamingevents-error-subscription-not-found.xml", &b_len);
  g_autoptr (GString) data = g_string_new (NULL);
  g_autoptr (GPtrArray) reference = NULL;

  g_string_append_len (data, b, b_len);
  g_string_append_len (data, a, a_len);
  g_string_append (data, "\n");
  g_string_append_len (data, b, b_len);
  reference = replay (data, data->len, NULL);
  g_assert_cmpuint (reference->len, ==, 6);

  for (gsize cut = 1; cut < data->len; cut++)
    {
      g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
      g_autoptr (StreamRecorder) recorder = stream_recorder_new (stream);
      g_autoptr (GError) error = NULL;

      g_assert_true (ews_event_stream_feed (stream, data->str, cut, &error));
      g_assert_true (ews_event_stream_feed (stream, data->str + cut, data->len - cut, &error));
      g_assert_true (ews_event_stream_finish (stream, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (ews_event_stream_get_documents (stream), ==, 3);
      g_assert_cmpstrv (stream_recorder_get_trace (recorder), (char **)reference->pdata);
    }
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ews/stream/chunking/one-piece", test_one_piece);
  g_test_add_func ("/ews/stream/chunking/byte-by-byte", test_byte_by_byte);
  g_test_add_func ("/ews/stream/chunking/fixed-sizes", test_fixed_sizes);
  g_test_add_func ("/ews/stream/chunking/random", test_random_chunks);
  g_test_add_func ("/ews/stream/chunking/every-cut", test_every_cut);

  return g_test_run ();
}
