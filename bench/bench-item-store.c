/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* What EwnItemStore costs the main thread: the latency of committing a sync page of 1
 * and of 50 changed items into stores of 1,000 and 10,000 items (journal append; the
 * fdatasync and compaction run in the worker), the time to load 10,000 items, and the
 * size of the files. */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>

#include "ewn-item-store.h"

#define FOLDER "AAMkADdlNGI0YjM0LWU2ZDgtNDc3Yi1hZWE4LWQ5ZjRhOTQ0NzM0NwAuAAAAAAB4u2CsThZxR4VXbs7eTmAbAQA="

static char *
random_id (GRand *rand)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  GString          *id = g_string_new ("AAMkAD");

  for (guint i = 0; i < 146; i++)
    g_string_append_c (id, alphabet[g_rand_int_range (rand, 0, 64)]);
  return g_string_free (id, FALSE);
}

/* A meeting the size of one a server sends: base64 ids, a preview, a few attendees. */
static EwsItem *
meeting (GRand      *rand,
         const char *id,
         guint       version)
{
  EwsItem *item = ews_item_new (EWS_ITEM_KIND_CALENDAR);

  item->id = g_strdup (id);
  item->change_key = g_strdup_printf ("DwAAABYAAAB4u2CsThZxR4VXbs7eTmAbAAA%06u", version);
  item->parent_folder_id = g_strdup (FOLDER);
  item->item_class = g_strdup ("IPM.Appointment");
  item->subject = g_strdup_printf ("Weekly design review %u", g_rand_int (rand));
  item->body_preview = g_strnfill (200, 'x');
  item->last_modified_name = g_strdup ("Alice Example");
  item->last_modified_time = g_get_real_time ();
  item->start = ews_time_new_utc (2026, 11, 24, 10 + version % 8, 0, 0);
  item->end = ews_time_new_utc (2026, 11, 24, 11 + version % 8, 0, 0);
  item->location = g_strdup ("Building 4, Room 4.12 (Zürich)");
  item->organizer_name = g_strdup ("Alice Example");
  item->organizer_email = g_strdup ("alice@example.com");
  item->my_response_type = g_strdup ("Accept");
  item->attendees = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_attendee_free);
  for (guint i = 0; i < 4; i++)
    {
      EwsAttendee *attendee = ews_attendee_new ();

      attendee->name = g_strdup_printf ("Person %u", i);
      attendee->email = g_strdup_printf ("person%u@example.com", i);
      attendee->response = g_strdup ("NoResponseReceived");
      attendee->required = i < 2;
      g_ptr_array_add (item->attendees, attendee);
    }
  return item;
}

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

static gint64
percentile (GArray *samples,
            guint   p)
{
  g_array_sort (samples, compare_gint64);
  return g_array_index (samples, gint64, MIN (samples->len - 1, samples->len * p / 100));
}

static goffset
folder_size (const char *dir,
             const char *prefix)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  goffset     total = 0;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, prefix))
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);
        GStatBuf         info;

        if (g_stat (file, &info) == 0)
          total += info.st_size;
      }
  return total;
}

static void
remove_folder (const char *dir)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
}

static EwnItemStore *
load (const char *dir,
      gint64     *elapsed)
{
  g_autoptr (GError) error = NULL;
  EwnItemStore *store = ewn_item_store_new (dir);
  gint64        begin = g_get_monotonic_time ();

  if (!ewn_item_store_load (store, &error))
    g_error ("%s", error->message);
  if (elapsed != NULL)
    *elapsed = g_get_monotonic_time () - begin;
  return store;
}

static void
run (guint n_items,
     guint page)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (n_items + page);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) commit = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) whole = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GError) error = NULL;
  g_autoptr (EwnItemStore) store = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-item-store-XXXXXX", &error);
  guint            rounds = page == 1 ? 2000 : 400;
  gint64           load_time;
  goffset          snapshot_size;

  g_assert_no_error (error);
  store = load (dir, NULL);
  ewn_item_store_add_folder (store, FOLDER, NULL, EWS_FOLDER_KIND_CALENDAR);
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr (EwsItem) item = NULL;

      g_ptr_array_add (ids, random_id (rand));
      item = meeting (rand, g_ptr_array_index (ids, i), 0);
      ewn_item_store_put (store, FOLDER, item);
    }
  ewn_item_store_set_sync_state (store, FOLDER, "H4sIAAAAAAAEAGNgYGBgBGIQYAEQA2AAAAA=");
  if (!ewn_item_store_close (store, &error))
    g_error ("%s", error->message);
  g_clear_object (&store);
  snapshot_size = folder_size (dir, "items.snapshot");

  store = load (dir, &load_time);
  for (guint r = 0; r < rounds; r++)
    {
      g_autofree char *state = g_strdup_printf ("H4sIAAAAAAAEAGNgYGBgBGIQYAEQA2%08u", r);
      gint64           begin = g_get_monotonic_time ();
      gint64           before_commit;

      for (guint i = 0; i < page; i++)
        {
          const char *id = g_ptr_array_index (ids, g_rand_int_range (rand, 0, n_items));
          g_autoptr (EwsItem) item = meeting (rand, id, r + 1);

          ewn_item_store_put (store, FOLDER, item);
        }
      ewn_item_store_set_sync_state (store, FOLDER, state);
      before_commit = g_get_monotonic_time ();
      if (!ewn_item_store_commit (store, &error))
        g_error ("%s", error->message);
      g_array_append_val (commit, (gint64){ g_get_monotonic_time () - before_commit });
      g_array_append_val (whole, (gint64){ g_get_monotonic_time () - begin });
    }

  g_print ("%6u items, page of %2u: commit p50 %4" G_GINT64_FORMAT " µs p99 %5" G_GINT64_FORMAT
           " µs | puts+commit p50 %4" G_GINT64_FORMAT " µs p99 %5" G_GINT64_FORMAT " µs"
           " | snapshot %7" G_GOFFSET_FORMAT " KiB, journal now %6" G_GOFFSET_FORMAT " KiB | load %5.1f ms\n",
           n_items, page, percentile (commit, 50), percentile (commit, 99), percentile (whole, 50),
           percentile (whole, 99), snapshot_size / 1024, folder_size (dir, "journal-") / 1024, load_time / 1000.0);

  if (n_items == 10000 && page == 50)
    {
      gint64 replay_time;

      /* a load that also replays a journal, as after a crash */
      g_clear_object (&store);
      store = load (dir, &replay_time);
      g_print ("%6u items: load of snapshot %" G_GOFFSET_FORMAT " KiB + journal %" G_GOFFSET_FORMAT
               " KiB: %.1f ms\n",
               n_items, folder_size (dir, "items.snapshot") / 1024, folder_size (dir, "journal-") / 1024, replay_time / 1000.0);
    }
  g_clear_object (&store);
  remove_folder (dir);
}

int
main (int   argc,
      char *argv[])
{
  const guint sizes[] = { 1000, 10000 };
  const guint pages[] = { 1, 50 };

  setlocale (LC_ALL, "");

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint p = 0; p < G_N_ELEMENTS (pages); p++)
      run (sizes[s], pages[p]);
  return 0;
}
