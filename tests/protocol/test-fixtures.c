/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "ews-error.h"
#include "ews-response.h"

#define ITEM(tail)   "AAMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwBGAAAAAABSSWVKrmGUTJE+MVIvofglBwDZGACZQpSgSpyNkexYe2b7AAAAAAE" tail
#define FOLDER(tail) "AQMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwAuAAADUkllSq5hlEyRPjFSL6H4JQEA2RgAmUKUoEqcjZHsWHtm+wAAAgE" tail
#define STREAMING_ID "JgBibjFwcjAzbWIyMDIubmFtcHJkMDMucHJvZC5vdXRsb29rLmNvbRAAAADwXxVesOnHS5BxUHKwAW88SHjwd1iB0Ag="
#define PULL_ID      "f6bc657d-dde1-4f94-952d-143b95d6483d"

static char *
load (const char *name,
      gsize      *length)
{
  g_autofree char *path = g_build_filename (g_getenv ("EWS_FIXTURES_DIR"), name, NULL);
  g_autoptr (GError) error = NULL;
  char *data = NULL;

  g_file_get_contents (path, &data, length, &error);
  g_assert_no_error (error);
  return data;
}

static void
assert_time (gint64      time,
             const char *expected)
{
  g_autoptr (GDateTime) want = g_date_time_new_from_iso8601 (expected, NULL);

  g_assert_cmpint (time, ==, g_date_time_to_unix (want) * G_USEC_PER_SEC);
}

static void
assert_utc (GDateTime  *dt,
            const char *expected)
{
  g_autoptr (GDateTime) want = g_date_time_new_from_iso8601 (expected, NULL);

  g_assert_nonnull (dt);
  g_assert_cmpint (g_date_time_get_utc_offset (dt), ==, 0);
  g_assert_true (g_date_time_equal (dt, want));
}

static void
test_subscribe (gconstpointer data)
{
  const char      *name = data;
  gsize            length;
  g_autofree char *xml = load (name, &length);
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsSubscription) sub = ews_response_parse_subscribe (xml, length, &error);

  g_assert_no_error (error);
  if (g_str_has_prefix (name, "subscribe-streaming"))
    {
      g_assert_cmpstr (sub->id, ==, STREAMING_ID);
      g_assert_null (sub->watermark);
    }
  else
    {
      g_assert_cmpstr (sub->id, ==, PULL_ID);
      g_assert_cmpstr (sub->watermark, ==, "AAAAAMAGAAAAAAAAAQ==");
    }
}

static void
test_subscribe_server_busy (void)
{
  gsize            length;
  g_autofree char *xml = load ("subscribe-error-serverbusy-responsemessage.xml", &length);
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsSubscription) sub = ews_response_parse_subscribe (xml, length, &error);
  g_autofree char *code = NULL;

  g_assert_null (sub);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_SERVER_BUSY);
  g_assert_cmpuint (ews_error_get_back_off_ms (error), ==, 30000);
  code = ews_error_dup_response_code (error);
  g_assert_cmpstr (code, ==, "ErrorServerBusy");
}

static void
test_soap_fault (void)
{
  gsize            length;
  g_autofree char *xml = load ("soapfault-errorserverbusy.xml", &length);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) fault = ews_response_parse_error (xml, length);
  g_autoptr (EwsSyncResult) result = ews_response_parse_sync_folder_items (xml, length, &error);

  /* Any parser turns the fault into the same error. */
  g_assert_null (result);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_SERVER_BUSY);
  g_assert_cmpuint (ews_error_get_back_off_ms (error), ==, 297749);
  g_assert_error (fault, EWS_ERROR, EWS_ERROR_SERVER_BUSY);
  g_assert_cmpuint (ews_error_get_back_off_ms (fault), ==, 297749);
}

static void
test_get_events (void)
{
  gsize            length;
  g_autofree char *xml = load ("getevents-response.xml", &length);
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsNotification) n = ews_response_parse_get_events (xml, length, &error);
  EwsEvent *e;

  g_assert_no_error (error);
  g_assert_cmpstr (n->subscription_id, ==, PULL_ID);
  g_assert_cmpstr (n->previous_watermark, ==, "AAAAAMAGAAAAAAAAAQ==");
  g_assert_true (n->more_events);
  g_assert_cmpuint (n->events->len, ==, 2);
  e = g_ptr_array_index (n->events, 0);
  g_assert_cmpint (e->type, ==, EWS_EVENT_TYPE_CREATED);
  g_assert_cmpstr (e->watermark, ==, "AAAAAM4GAAAAAAAAAQ==");
  assert_utc (e->timestamp, "2024-03-11T09:15:02Z");
  g_assert_cmpstr (e->id, ==, ITEM ("NAADZGACZQpSgSpyNkexYe2b7AAANGFYwAAA="));
  g_assert_cmpstr (e->change_key, ==, "DwAAABYAAADZGACZQpSgSpyNkexYe2b7AAANGLzm");
  g_assert_cmpstr (e->parent_folder_id, ==, FOLDER ("NAAAA"));
  g_assert_false (e->is_folder);
  e = g_ptr_array_index (n->events, 1);
  g_assert_cmpint (e->type, ==, EWS_EVENT_TYPE_MODIFIED);
  g_assert_cmpstr (e->watermark, ==, "AAAAAOQGAAAAAAAAAQ==");
  g_assert_cmpstr (e->id, ==, ITEM ("TAADZGACZQpSgSpyNkexYe2b7AAANGFZBAAA="));
  g_assert_cmpstr (e->parent_folder_id, ==, FOLDER ("TAAAA"));
}

static void
test_get_events_status_only (void)
{
  gsize            length;
  g_autofree char *xml = load ("getevents-response-status-only.xml", &length);
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsNotification) n = ews_response_parse_get_events (xml, length, &error);
  EwsEvent *e;

  g_assert_no_error (error);
  g_assert_false (n->more_events);
  g_assert_cmpstr (n->previous_watermark, ==, "AAAAAOQGAAAAAAAAAQ==");
  g_assert_cmpuint (n->events->len, ==, 1);
  e = g_ptr_array_index (n->events, 0);
  g_assert_cmpint (e->type, ==, EWS_EVENT_TYPE_STATUS);
  g_assert_cmpstr (e->watermark, ==, "AAAAAOQGAAAAAAAAAQ==");
  g_assert_null (e->id);
}

static void
test_get_events_invalid_watermark (void)
{
  gsize            length;
  g_autofree char *xml = load ("getevents-error-invalid-watermark.xml", &length);
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsNotification) n = ews_response_parse_get_events (xml, length, &error);
  g_autofree char *code = NULL;

  g_assert_null (n);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_SUBSCRIPTION_DEAD);
  code = ews_error_dup_response_code (error);
  g_assert_cmpstr (code, ==, "ErrorInvalidWatermark");
  g_assert_nonnull (strstr (error->message, "Watermark is invalid."));
}

static void
test_unsubscribe (void)
{
  gsize            length;
  g_autofree char *xml = load ("unsubscribe-response.xml", &length);
  g_autoptr (GError) error = NULL;

  g_assert_true (ews_response_parse_unsubscribe (xml, length, &error));
  g_assert_no_error (error);
}

static void
test_sync_folder_items (void)
{
  gsize            length;
  g_autofree char *xml = load ("syncfolderitems-response.xml", &length);
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsSyncResult) r = ews_response_parse_sync_folder_items (xml, length, &error);
  EwsSyncChange *c;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (r->sync_state, "H4sIAAAAAAAEAO29B2AcSZYlJi9tynt"));
  g_assert_true (g_str_has_suffix (r->sync_state, "/XGZkAWz2zkrayZ4hgKrIHz9+fB8/In7xR02TfP2j+Ykc5"));
  g_assert_false (r->includes_last_item_in_range);
  g_assert_cmpuint (r->changes->len, ==, 4);

  c = g_ptr_array_index (r->changes, 0);
  g_assert_cmpint (c->type, ==, EWS_SYNC_CHANGE_CREATE);
  g_assert_cmpstr (c->item_id, ==, ITEM ("NAADZGACZQpSgSpyNkexYe2b7AAANGFYwAAA="));
  g_assert_cmpstr (c->change_key, ==, "DwAAABYAAADZGACZQpSgSpyNkexYe2b7AAANGLzm");
  g_assert_nonnull (c->item);
  g_assert_cmpint (c->item->kind, ==, EWS_ITEM_KIND_CALENDAR);
  g_assert_cmpstr (c->item->id, ==, c->item_id);

  c = g_ptr_array_index (r->changes, 1);
  g_assert_cmpint (c->type, ==, EWS_SYNC_CHANGE_UPDATE);
  g_assert_cmpstr (c->item_id, ==, ITEM ("NAADZGACZQpSgSpyNkexYe2b7AAANGFYxAAA="));
  g_assert_cmpstr (c->change_key, ==, "DwAAABYAAADZGACZQpSgSpyNkexYe2b7AAANGLzn");
  g_assert_cmpint (c->item->kind, ==, EWS_ITEM_KIND_CALENDAR);

  c = g_ptr_array_index (r->changes, 2);
  g_assert_cmpint (c->type, ==, EWS_SYNC_CHANGE_DELETE);
  g_assert_cmpstr (c->item_id, ==, ITEM ("NAADZGACZQpSgSpyNkexYe2b7AAANGFYyAAA="));
  g_assert_cmpstr (c->change_key, ==, "DwAAAA==");
  g_assert_null (c->item);

  c = g_ptr_array_index (r->changes, 3);
  g_assert_cmpint (c->type, ==, EWS_SYNC_CHANGE_READ_FLAG);
  g_assert_cmpstr (c->item_id, ==, ITEM ("NAADZGACZQpSgSpyNkexYe2b7AAANGFYwAAA="));
  g_assert_true (c->is_read);
}

static void
test_get_item_calendar (void)
{
  gsize            length;
  g_autofree char *xml = load ("getitem-calendar-response.xml", &length);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = ews_response_parse_get_item (xml, length, &error);
  EwsItem *item;

  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_no_error (item->error);
  g_assert_cmpint (item->kind, ==, EWS_ITEM_KIND_CALENDAR);
  g_assert_cmpstr (item->id, ==, ITEM ("NAADZGACZQpSgSpyNkexYe2b7AAANGFYwAAA="));
  g_assert_cmpstr (item->change_key, ==, "DwAAABYAAADZGACZQpSgSpyNkexYe2b7AAANGLzm");
  g_assert_cmpstr (item->item_class, ==, "IPM.Appointment");
  g_assert_cmpstr (item->subject, ==, "Quarterly planning & review");
  g_assert_cmpstr (item->web_client_read_form_query_string, ==,
                   "https://mail.contoso.com/owa/?ItemID=AAMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwBGAAAAAABSSWVKrmGUTJE%2BMVIvofglBwDZGACZQpSgSpyNkexYe2b7AAAAAAENAADZGACZQpSgSpyNkexYe2b7AAANGFYwAAA%3D&exvsurl=1&viewmodel=ICalendarItemDetailsViewModelFactory");
  assert_time (item->start, "2024-03-12T13:00:00Z");
  assert_time (item->end, "2024-03-12T14:30:00Z");
  g_assert_false (item->is_all_day);
  g_assert_cmpstr (item->location, ==, "Building 4 / Room 2.17 (Zürich)");
  g_assert_false (item->is_cancelled);
  g_assert_cmpstr (item->my_response_type, ==, "Accept");
  g_assert_cmpstr (item->organizer_name, ==, "Alfred Example");
  g_assert_cmpstr (item->organizer_email, ==, "alfred@contoso.com");
  g_assert_cmpint (item->due_date, ==, EWS_TIME_NONE);
  g_assert_cmpint (item->percent_complete, ==, -1);
}

static void
test_get_item_task (void)
{
  gsize            length;
  g_autofree char *xml = load ("getitem-task-response.xml", &length);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = ews_response_parse_get_item (xml, length, &error);
  EwsItem *item;

  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->kind, ==, EWS_ITEM_KIND_TASK);
  g_assert_cmpstr (item->id, ==, ITEM ("TAADZGACZQpSgSpyNkexYe2b7AAANGFZAAAA="));
  g_assert_cmpstr (item->change_key, ==, "EwAAABYAAADZGACZQpSgSpyNkexYe2b7AAANGLzo");
  g_assert_cmpstr (item->subject, ==, "Submit expense report");
  g_assert_true (g_str_has_suffix (item->web_client_read_form_query_string, "&exvsurl=1&viewmodel=TaskReadFormViewModel"));
  assert_time (item->due_date, "2024-03-15T00:00:00Z");
  assert_time (item->task_start_date, "2024-03-11T00:00:00Z");
  g_assert_false (item->is_complete);
  g_assert_cmpint (item->percent_complete, ==, 50);
  g_assert_cmpint (item->status, ==, EWS_TASK_STATUS_IN_PROGRESS);
  g_assert_cmpint (item->start, ==, EWS_TIME_NONE);
}

static void
test_send_notification (gconstpointer data)
{
  const char      *name = data;
  gsize            length;
  g_autofree char *xml = load (name, &length);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = ews_response_parse_send_notification (xml, length, &error);
  EwsNotification *n;
  EwsEvent        *e;

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  n = g_ptr_array_index (list, 0);
  g_assert_cmpstr (n->subscription_id, ==, PULL_ID);
  g_assert_false (n->more_events);
  if (g_str_has_suffix (name, "-status.xml"))
    {
      g_assert_cmpstr (n->previous_watermark, ==, "AAAAAMAGAAAAAAAAAQ==");
      g_assert_cmpuint (n->events->len, ==, 1);
      e = g_ptr_array_index (n->events, 0);
      g_assert_cmpint (e->type, ==, EWS_EVENT_TYPE_STATUS);
      g_assert_cmpstr (e->watermark, ==, "AAAAAM4GAAAAAAAAAQ==");
      return;
    }

  g_assert_cmpstr (n->previous_watermark, ==, "AAAAAM4GAAAAAAAAAQ==");
  g_assert_cmpuint (n->events->len, ==, 2);
  e = g_ptr_array_index (n->events, 0);
  g_assert_cmpint (e->type, ==, EWS_EVENT_TYPE_CREATED);
  g_assert_cmpstr (e->watermark, ==, "AAAAAOQGAAAAAAAAAQ==");
  e = g_ptr_array_index (n->events, 1);
  g_assert_cmpint (e->type, ==, EWS_EVENT_TYPE_DELETED);
  g_assert_cmpstr (e->watermark, ==, "AAAAAPIGAAAAAAAAAQ==");
  assert_utc (e->timestamp, "2024-03-11T09:30:05Z");
  g_assert_cmpstr (e->id, ==, ITEM ("NAADZGACZQpSgSpyNkexYe2b7AAANGFYxAAA="));
}

static void
test_send_notification_result (void)
{
  const char *names[] = { "sendnotificationresult-ok.xml", "sendnotificationresult-unsubscribe.xml" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gsize            length;
      g_autofree char *xml = load (names[i], &length);
      g_autoptr (GError) error = NULL;
      EwsPushStatus status = 99;

      g_assert_true (ews_response_parse_send_notification_result (xml, length, &status, &error));
      g_assert_no_error (error);
      g_assert_cmpint (status, ==, i == 0 ? EWS_PUSH_STATUS_OK : EWS_PUSH_STATUS_UNSUBSCRIBE);
    }
}

static void
test_autodiscover (gconstpointer data)
{
  const char      *name = data;
  gsize            length;
  g_autofree char *xml = load (name, &length);
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsAutodiscoverResult) r = ews_response_parse_autodiscover (xml, length, &error);

  g_assert_no_error (error);
  if (g_str_has_suffix (name, "-settings.xml"))
    {
      g_assert_cmpint (r->action, ==, EWS_AUTODISCOVER_ACTION_SETTINGS);
      g_assert_cmpstr (r->display_name, ==, "First Last");
      g_assert_cmpstr (r->ews_url, ==, "https://mail.contoso.com/EWS/Exchange.asmx");
      g_assert_cmpstr (r->internal_ews_url, ==, "https://mail.internal.contoso.com/EWS/Exchange.asmx");
      g_assert_cmpstr (r->grouping_information, ==, "ContosoSite1");
    }
  else if (g_str_has_suffix (name, "-redirectaddr.xml"))
    {
      g_assert_cmpint (r->action, ==, EWS_AUTODISCOVER_ACTION_REDIRECT_ADDR);
      g_assert_cmpstr (r->redirect, ==, "user@tenant.mail.onmicrosoft.com");
    }
  else if (g_str_has_suffix (name, "-redirecturl.xml"))
    {
      g_assert_cmpint (r->action, ==, EWS_AUTODISCOVER_ACTION_REDIRECT_URL);
      g_assert_cmpstr (r->redirect, ==, "https://autodiscover-s.outlook.com/Autodiscover/Autodiscover.xml");
    }
  else
    {
      g_assert_cmpint (r->action, ==, EWS_AUTODISCOVER_ACTION_ERROR);
      g_assert_cmpstr (r->error_code, ==, "600");
      g_assert_cmpstr (r->error_message, ==, "Invalid Request");
    }
}

static const struct
{
  const char   *fixture;
  GTestDataFunc func;
} fixture_tests[] = {
  { "subscribe-streaming-response.xml", test_subscribe },
  { "subscribe-pull-response.xml", test_subscribe },
  { "subscribe-push-response.xml", test_subscribe },
  { "subscribe-error-serverbusy-responsemessage.xml", (GTestDataFunc)test_subscribe_server_busy },
  { "soapfault-errorserverbusy.xml", (GTestDataFunc)test_soap_fault },
  { "getevents-response.xml", (GTestDataFunc)test_get_events },
  { "getevents-response-status-only.xml", (GTestDataFunc)test_get_events_status_only },
  { "getevents-error-invalid-watermark.xml", (GTestDataFunc)test_get_events_invalid_watermark },
  { "unsubscribe-response.xml", (GTestDataFunc)test_unsubscribe },
  { "syncfolderitems-response.xml", (GTestDataFunc)test_sync_folder_items },
  { "getitem-calendar-response.xml", (GTestDataFunc)test_get_item_calendar },
  { "getitem-task-response.xml", (GTestDataFunc)test_get_item_task },
  { "sendnotification-request-events.xml", test_send_notification },
  { "sendnotification-request-status.xml", test_send_notification },
  { "sendnotificationresult-ok.xml", (GTestDataFunc)test_send_notification_result },
  { "sendnotificationresult-unsubscribe.xml", (GTestDataFunc)test_send_notification_result },
  { "autodiscover-pox-response-settings.xml", test_autodiscover },
  { "autodiscover-pox-response-redirectaddr.xml", test_autodiscover },
  { "autodiscover-pox-response-redirecturl.xml", test_autodiscover },
  { "autodiscover-pox-response-error.xml", test_autodiscover },
};

/* Every response fixture must have a test above; requests are server input and the
 * streaming fixtures belong to the event-stream tests. */
static void
test_every_fixture_covered (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (g_getenv ("EWS_FIXTURES_DIR"), 0, &error);
  const char *name;
  guint       checked = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gboolean found = FALSE;

      if (!g_str_has_suffix (name, ".xml") || g_str_has_prefix (name, "getstreamingevents-") || (g_str_has_suffix (name, "-request.xml") && !g_str_has_prefix (name, "sendnotification-")))
        continue;
      for (guint i = 0; i < G_N_ELEMENTS (fixture_tests); i++)
        found |= g_str_equal (fixture_tests[i].fixture, name);
      if (!found)
        g_test_message ("fixture %s has no parser test", name);
      g_assert_true (found);
      checked++;
    }
  g_assert_cmpuint (checked, ==, G_N_ELEMENTS (fixture_tests));
}

static void
test_get_folder (void)
{
  static const char xml[] = "<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>"
                            "<m:GetFolderResponse xmlns:m='http://schemas.microsoft.com/exchange/services/2006/messages'"
                            " xmlns:t='http://schemas.microsoft.com/exchange/services/2006/types'><m:ResponseMessages>"
                            "<m:GetFolderResponseMessage ResponseClass='Success'><m:ResponseCode>NoError</m:ResponseCode><m:Folders>"
                            "<t:CalendarFolder><t:FolderId Id='cal-id' ChangeKey='ck1'/><t:FolderClass>IPF.Appointment</t:FolderClass>"
                            "<t:DisplayName>Calendar</t:DisplayName></t:CalendarFolder></m:Folders></m:GetFolderResponseMessage>"
                            "<m:GetFolderResponseMessage ResponseClass='Error'><m:MessageText>Access is denied.</m:MessageText>"
                            "<m:ResponseCode>ErrorAccessDenied</m:ResponseCode></m:GetFolderResponseMessage>"
                            "<m:GetFolderResponseMessage ResponseClass='Success'><m:ResponseCode>NoError</m:ResponseCode><m:Folders>"
                            "<t:Folder><t:FolderId Id='task-id' ChangeKey='ck2'/><t:FolderClass>IPF.Task</t:FolderClass>"
                            "<t:DisplayName>Aufgaben</t:DisplayName></t:Folder></m:Folders></m:GetFolderResponseMessage>"
                            "</m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>";
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = ews_response_parse_get_folder (xml, sizeof xml - 1, &error);
  EwsFolder *f;

  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 3);
  f = g_ptr_array_index (folders, 0);
  g_assert_no_error (f->error);
  g_assert_cmpstr (f->id, ==, "cal-id");
  g_assert_cmpstr (f->change_key, ==, "ck1");
  g_assert_cmpstr (f->display_name, ==, "Calendar");
  g_assert_cmpint (f->kind, ==, EWS_FOLDER_KIND_CALENDAR);
  f = g_ptr_array_index (folders, 1);
  g_assert_error (f->error, EWS_ERROR, EWS_ERROR_FAILED);
  g_assert_null (f->id);
  f = g_ptr_array_index (folders, 2);
  g_assert_cmpint (f->kind, ==, EWS_FOLDER_KIND_TASKS);
  g_assert_cmpstr (f->folder_class, ==, "IPF.Task");
  g_assert_cmpstr (f->display_name, ==, "Aufgaben");
}

static void
test_get_item_not_found (void)
{
  static const char xml[] = "<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>"
                            "<GetItemResponse xmlns='http://schemas.microsoft.com/exchange/services/2006/messages'><ResponseMessages>"
                            "<GetItemResponseMessage ResponseClass='Error'><MessageText>The specified object was not found in the store.</MessageText>"
                            "<ResponseCode>ErrorItemNotFound</ResponseCode><Items/></GetItemResponseMessage>"
                            "<GetItemResponseMessage ResponseClass='Success'><ResponseCode>NoError</ResponseCode><Items>"
                            "<x:Message xmlns:x='http://schemas.microsoft.com/exchange/services/2006/types'><x:ItemId Id='m1'/>"
                            "<x:Subject>Hi</x:Subject><x:Body BodyType='Text'>  Hello there  </x:Body></x:Message>"
                            "</Items></GetItemResponseMessage></ResponseMessages></GetItemResponse></s:Body></s:Envelope>";
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = ews_response_parse_get_item (xml, sizeof xml - 1, &error);
  EwsItem *item;

  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 2);
  item = g_ptr_array_index (items, 0);
  g_assert_error (item->error, EWS_ERROR, EWS_ERROR_ITEM_NOT_FOUND);
  g_assert_null (item->id);
  item = g_ptr_array_index (items, 1);
  g_assert_no_error (item->error);
  g_assert_cmpint (item->kind, ==, EWS_ITEM_KIND_MESSAGE);
  g_assert_cmpstr (item->body_preview, ==, "Hello there");
}

static void
test_malformed (void)
{
  static const char *const bodies[] = {
    "",
    "not xml",
    "<a><b></a>",
    "<html><body>Service unavailable</body></html>",
    "<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body/></s:Envelope>",
    "<!DOCTYPE x [<!ENTITY e 'boom'>]><x>&e;</x>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (EwsSubscription) sub = ews_response_parse_subscribe (bodies[i], strlen (bodies[i]), &error);

      g_assert_null (sub);
      g_assert_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL);
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (g_getenv ("EWS_FIXTURES_DIR") == NULL)
    {
      g_test_skip ("EWS_FIXTURES_DIR not set");
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (fixture_tests); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ews/fixtures/%s", fixture_tests[i].fixture);

      g_test_add_data_func (path, fixture_tests[i].fixture, fixture_tests[i].func);
    }
  g_test_add_func ("/ews/fixtures/all-covered", test_every_fixture_covered);
  g_test_add_func ("/ews/responses/get-folder", test_get_folder);
  g_test_add_func ("/ews/responses/get-item-not-found", test_get_item_not_found);
  g_test_add_func ("/ews/responses/malformed", test_malformed);

  return g_test_run ();
}
