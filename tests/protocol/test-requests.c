/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <locale.h>
#include <string.h>

#include "ews-request.h"

#define ODD "R&D <\"Q1\"> 'ü' ]]>"

typedef struct
{
  const char *name;
  GBytes     *bytes;
} Built;

static GPtrArray *
calendar_and_tasks (const char *mailbox)
{
  GPtrArray *refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);

  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", mailbox));
  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("tasks", mailbox));
  return refs;
}

static void
add_built (GPtrArray  *all,
           const char *name,
           GBytes     *bytes)
{
  Built *b = g_new0 (Built, 1);

  b->name = name;
  b->bytes = bytes;
  g_ptr_array_add (all, b);
}

static GPtrArray *
build_all (void)
{
  GPtrArray *all = g_ptr_array_new ();
  g_autoptr (GPtrArray) own = calendar_and_tasks (NULL);
  g_autoptr (GPtrArray) other = calendar_and_tasks ("room.4&2@contoso.com");
  g_autoptr (GPtrArray) real = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_autoptr (GPtrArray) calendar = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_autoptr (EwsFolderRef) by_id = ews_folder_ref_new_id ("AQMk+/=&id", "AQAAAA==");
  g_autoptr (EwsFolderRef) tasks_other = ews_folder_ref_new_distinguished ("tasks", "boss@contoso.com");
  const char *one_id[] = { "JgBibjFwcjAzbWIyMDIubmFtcHJkMDMucHJvZC5vdXRsb29rLmNvbRAAAADwXxVesOnHS5BxUHKwAW88SHjwd1iB0Ag=", NULL };
  const char *ids[] = { "sub-1", "sub<2>&", "sub-3", NULL };
  const char *item_ids[] = { "AAMkADkz+/=", "item&\"quoted\"", NULL };
  g_autoptr (GPtrArray) many = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (real, ews_folder_ref_new_id ("AQMk+/=&id", "AQAAAA=="));
  g_ptr_array_add (real, ews_folder_ref_new_id ("AQMk-no-change-key", NULL));
  g_ptr_array_add (calendar, ews_folder_ref_new_distinguished ("calendar", NULL));
  for (guint i = 0; i < EWS_REQUEST_MAX_STREAMING_IDS; i++)
    g_ptr_array_add (many, g_strdup_printf ("subscription-%u", i));
  g_ptr_array_add (many, NULL);

#define ADD(n, expr) add_built (all, n, expr)
  ADD ("getfolder.xml", ews_request_get_folder (NULL, own));
  ADD ("getfolder-other-mailbox.xml", ews_request_get_folder ("Exchange2016", other));
  ADD ("getfolder-ids.xml", ews_request_get_folder ("Exchange2010_SP1", real));
  ADD ("subscribe-streaming.xml", ews_request_subscribe_streaming ("Exchange2013_SP1", own, EWS_EVENT_MASK_ITEMS));
  ADD ("subscribe-streaming-ids.xml", ews_request_subscribe_streaming (NULL, real, EWS_EVENT_MASK_ITEMS | EWS_EVENT_MASK_NEW_MAIL | EWS_EVENT_MASK_FREE_BUSY_CHANGED));
  ADD ("subscribe-pull.xml", ews_request_subscribe_pull ("Exchange2010_SP1", own, EWS_EVENT_MASK_CREATED | EWS_EVENT_MASK_MODIFIED | EWS_EVENT_MASK_DELETED | EWS_EVENT_MASK_MOVED, NULL, 10));
  ADD ("subscribe-pull-watermark.xml", ews_request_subscribe_pull (NULL, other, EWS_EVENT_MASK_ITEMS, "AAAAAMAGAAAAAAAAAQ==", 5000));
  ADD ("subscribe-push.xml", ews_request_subscribe_push ("Exchange2010_SP1", calendar, EWS_EVENT_MASK_CREATED | EWS_EVENT_MASK_MODIFIED | EWS_EVENT_MASK_DELETED, NULL, "https://listener.example.com:8443/ews/push", 1));
  ADD ("subscribe-push-watermark.xml", ews_request_subscribe_push (NULL, own, EWS_EVENT_MASK_ITEMS, "AAAA+/==", "https://h.example/push?a=1&b=" ODD, 0));
  ADD ("getstreamingevents.xml", ews_request_get_streaming_events ("Exchange2013_SP1", one_id, 30));
  ADD ("getstreamingevents-many.xml", ews_request_get_streaming_events (NULL, ids, 99));
  ADD ("getstreamingevents-200.xml", ews_request_get_streaming_events (NULL, (const char *const *)many->pdata, 0));
  ADD ("getevents.xml", ews_request_get_events ("Exchange2010_SP1", "f6bc657d-dde1-4f94-952d-143b95d6483d", "AAAAAMAGAAAAAAAAAQ=="));
  ADD ("getevents-odd.xml", ews_request_get_events (NULL, ODD, ODD));
  ADD ("unsubscribe.xml", ews_request_unsubscribe ("Exchange2013_SP1", one_id[0]));
  ADD ("syncfolderitems.xml", ews_request_sync_folder_items ("Exchange2013_SP1", g_ptr_array_index (calendar, 0), EWS_FOLDER_KIND_CALENDAR, "H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0oQiAYBMk2JBAEOzBiM3mkuwdaUcjKasqgcplVmVdZhZAzO2dvPfee++999577733ujudTif33/8/XGZkAWz2zkrayZ4hgKrIHz9+fB8/In7xR02TfP2j", 512));
  ADD ("syncfolderitems-first.xml", ews_request_sync_folder_items (NULL, by_id, EWS_FOLDER_KIND_TASKS, NULL, 0));
  ADD ("syncfolderitems-other.xml", ews_request_sync_folder_items (NULL, tasks_other, EWS_FOLDER_KIND_OTHER, ODD, 9999));
  ADD ("getitem.xml", ews_request_get_item ("Exchange2013_SP1", item_ids));
  ADD ("getitem-2010.xml", ews_request_get_item ("Exchange2010_SP1", one_id));
  ADD ("sendnotificationresult-ok.xml", ews_request_send_notification_result (EWS_PUSH_STATUS_OK));
  ADD ("sendnotificationresult-unsubscribe.xml", ews_request_send_notification_result (EWS_PUSH_STATUS_UNSUBSCRIBE));
#undef ADD
  return all;
}

static void
built_free (gpointer data)
{
  Built *b = data;

  g_bytes_unref (b->bytes);
  g_free (b);
}

static xmlDoc *
parse_bytes (GBytes *bytes)
{
  gsize       size;
  const char *data = g_bytes_get_data (bytes, &size);
  xmlDoc     *doc = xmlReadMemory (data, (int)size, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);

  g_assert_nonnull (doc);
  return doc;
}

static void
test_well_formed_and_escaped (void)
{
  g_autoptr (GPtrArray) all = build_all ();

  g_ptr_array_set_free_func (all, built_free);
  for (guint i = 0; i < all->len; i++)
    {
      Built  *b = g_ptr_array_index (all, i);
      xmlDoc *doc;

      g_assert_nonnull (b->bytes);
      doc = parse_bytes (b->bytes);
      g_assert_true (g_str_has_prefix (g_bytes_get_data (b->bytes, NULL), "<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
      if (strstr (b->name, "odd") != NULL)
        {
          xmlChar *text = xmlNodeGetContent (xmlDocGetRootElement (doc));

          g_assert_nonnull (strstr ((const char *)text, ODD));
          xmlFree (text);
        }
      xmlFreeDoc (doc);
    }
}

static void
test_schema_valid (void)
{
  const char *xmllint = g_getenv ("EWS_XMLLINT");
  const char *xsd_dir = g_getenv ("EWS_XSD_DIR");
  g_autoptr (GPtrArray) all = build_all ();
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status = -1;

  g_ptr_array_set_free_func (all, built_free);
  if (xmllint == NULL || xsd_dir == NULL)
    {
      g_test_skip ("xmllint or EWS_XSD_DIR not available");
      return;
    }

  tmp = g_dir_make_tmp ("ews-requests-XXXXXX", &error);
  g_assert_no_error (error);
  g_ptr_array_add (argv, g_strdup (xmllint));
  g_ptr_array_add (argv, g_strdup ("--nonet"));
  g_ptr_array_add (argv, g_strdup ("--noout"));
  g_ptr_array_add (argv, g_strdup ("--schema"));
  g_ptr_array_add (argv, g_build_filename (xsd_dir, "ews-soap.xsd", NULL));
  for (guint i = 0; i < all->len; i++)
    {
      Built      *b = g_ptr_array_index (all, i);
      char       *path = g_build_filename (tmp, b->name, NULL);
      gsize       size;
      const char *data = g_bytes_get_data (b->bytes, &size);

      g_file_set_contents (path, data, size, &error);
      g_assert_no_error (error);
      g_ptr_array_add (argv, path);
    }
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("xmllint: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  for (guint i = 0; i < all->len; i++)
    {
      g_autofree char *line = g_strdup_printf ("%s validates", ((Built *)g_ptr_array_index (all, i))->name);

      g_assert_nonnull (strstr (err, line));
    }

  for (guint i = 5; i < argv->len - 1; i++)
    g_unlink (g_ptr_array_index (argv, i));
  g_rmdir (tmp);
}

/* Element names with namespace URI, attributes and leaf text, in document order;
 * whitespace and prefixes do not matter. */
static void
signature (xmlNode    *node,
           GString    *out,
           const char *skip)
{
  for (; node != NULL; node = node->next)
    {
      if (node->type != XML_ELEMENT_NODE)
        continue;
      if (skip != NULL && strcmp ((const char *)node->name, skip) == 0)
        continue;
      g_string_append_printf (out, "<{%s}%s", node->ns != NULL ? (const char *)node->ns->href : "", node->name);
      for (xmlAttr *a = node->properties; a != NULL; a = a->next)
        {
          xmlChar *v = xmlNodeGetContent ((xmlNode *)a);

          g_string_append_printf (out, " %s=%s", a->name, v);
          xmlFree (v);
        }
      g_string_append_c (out, '>');
      if (node->children != NULL && node->children->type == XML_TEXT_NODE && node->children->next == NULL)
        g_string_append (out, g_strstrip ((char *)node->children->content));
      signature (node->children, out, skip);
      g_string_append (out, "</>");
    }
}

static void
assert_same_structure (GBytes     *built,
                       const char *fixture,
                       const char *skip)
{
  g_autofree char *path = g_build_filename (g_getenv ("EWS_FIXTURES_DIR"), fixture, NULL);
  g_autoptr (GString) a = g_string_new (NULL);
  g_autoptr (GString) b = g_string_new (NULL);
  xmlDoc *mine = parse_bytes (built);
  xmlDoc *theirs = xmlReadFile (path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);

  g_assert_nonnull (theirs);
  signature (xmlDocGetRootElement (mine), a, skip);
  signature (xmlDocGetRootElement (theirs), b, skip);
  g_assert_cmpstr (a->str, ==, b->str);
  xmlFreeDoc (mine);
  xmlFreeDoc (theirs);
}

static void
test_like_fixtures (void)
{
  g_autoptr (GPtrArray) own = calendar_and_tasks (NULL);
  g_autoptr (GPtrArray) calendar = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  const char        *streaming_id[] = { "JgBibjFwcjAzbWIyMDIubmFtcHJkMDMucHJvZC5vdXRsb29rLmNvbRAAAADwXxVesOnHS5BxUHKwAW88SHjwd1iB0Ag=", NULL };
  const EwsEventMask cmd = EWS_EVENT_MASK_CREATED | EWS_EVENT_MASK_MODIFIED | EWS_EVENT_MASK_DELETED;
  g_autoptr (GBytes) b1 = NULL, b2 = NULL, b3 = NULL, b4 = NULL, b5 = NULL, b6 = NULL, b7 = NULL, b8 = NULL, b9 = NULL;

  g_ptr_array_add (calendar, ews_folder_ref_new_distinguished ("calendar", NULL));

  b1 = ews_request_subscribe_streaming ("Exchange2013_SP1", own, EWS_EVENT_MASK_ITEMS);
  assert_same_structure (b1, "subscribe-streaming-request.xml", NULL);
  b2 = ews_request_subscribe_pull ("Exchange2010_SP1", own, cmd | EWS_EVENT_MASK_MOVED, NULL, 10);
  assert_same_structure (b2, "subscribe-pull-request.xml", NULL);
  b3 = ews_request_subscribe_push ("Exchange2010_SP1", calendar, cmd, NULL, "https://listener.example.com:8443/ews/push", 1);
  assert_same_structure (b3, "subscribe-push-request.xml", NULL);
  b4 = ews_request_get_streaming_events ("Exchange2013_SP1", streaming_id, 30);
  assert_same_structure (b4, "getstreamingevents-request.xml", NULL);
  b5 = ews_request_get_events ("Exchange2010_SP1", "f6bc657d-dde1-4f94-952d-143b95d6483d", "AAAAAMAGAAAAAAAAAQ==");
  assert_same_structure (b5, "getevents-request.xml", NULL);
  b6 = ews_request_unsubscribe ("Exchange2013_SP1", streaming_id[0]);
  assert_same_structure (b6, "unsubscribe-request.xml", NULL);
  /* The fixture asks for IdOnly; ours adds the properties a notification needs. */
  b7 = ews_request_sync_folder_items ("Exchange2013_SP1", g_ptr_array_index (calendar, 0), EWS_FOLDER_KIND_CALENDAR,
                                      "H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0oQiAYBMk2JBAEOzBiM3mkuwdaUcjKasqgcplVmVdZhZAzO2dvPfee++999577733ujudTif33/8/XGZkAWz2zkrayZ4hgKrIHz9+fB8/In7xR02TfP2j", 512);
  assert_same_structure (b7, "syncfolderitems-request.xml", "AdditionalProperties");
  b8 = ews_request_autodiscover ("user@contoso.com");
  assert_same_structure (b8, "autodiscover-pox-request.xml", NULL);
  b9 = ews_request_send_notification_result (EWS_PUSH_STATUS_UNSUBSCRIBE);
  assert_same_structure (b9, "sendnotificationresult-unsubscribe.xml", NULL);
}

static void
test_autodiscover_well_formed (void)
{
  g_autoptr (GBytes) bytes = ews_request_autodiscover ("first.o'last+tag@contoso.com");
  xmlDoc  *doc = parse_bytes (bytes);
  xmlChar *text = xmlNodeGetContent (xmlDocGetRootElement (doc));

  g_assert_nonnull (strstr ((const char *)text, "first.o'last+tag@contoso.com"));
  xmlFree (text);
  xmlFreeDoc (doc);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ews/requests/well-formed", test_well_formed_and_escaped);
  g_test_add_func ("/ews/requests/schema-valid", test_schema_valid);
  g_test_add_func ("/ews/requests/like-fixtures", test_like_fixtures);
  g_test_add_func ("/ews/requests/autodiscover", test_autodiscover_well_formed);

  return g_test_run ();
}
