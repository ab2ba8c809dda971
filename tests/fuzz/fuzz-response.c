/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* libFuzzer target for the response parsers. Every input goes to every parser: a
 * server may answer any request with any document, so each parser must cope with the
 * others' responses as well as with garbage. SyncFolderItems is read by a walk of the
 * document and by the tree-building parser, which must agree. */

#include "config.h"

#include <stdint.h>

#include "ews-error.h"
#include "ews-response.h"
#include "ews-xml-private.h"
#include "stream-test-util.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A parser returns a result or sets an EWS_ERROR, never both and never neither. */
static void
check_outcome (gboolean      parsed,
               const GError *error)
{
  g_assert (parsed == (error == NULL));
  g_assert (error == NULL || error->domain == EWS_ERROR);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *)data;

  stream_silence_libxml2 ();

  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) folders = ews_response_parse_get_folder (text, size, &error);

    check_outcome (folders != NULL, error);
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (EwsSubscription) subscription = ews_response_parse_subscribe (text, size, &error);

    check_outcome (subscription != NULL, error);
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (EwsNotification) notification = ews_response_parse_get_events (text, size, &error);

    check_outcome (notification != NULL, error);
  }
  {
    g_autoptr (GError) error = NULL;
    gboolean ok = ews_response_parse_unsubscribe (text, size, &error);

    check_outcome (ok, error);
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GError) tree_error = NULL;
    g_autoptr (EwsSyncResult) sync = ews_response_parse_sync_folder_items (text, size, &error);
    g_autoptr (EwsSyncResult) tree = ews_response_parse_sync_folder_items_tree (text, size, &tree_error);
    g_autofree char *walked = NULL;
    g_autofree char *built = NULL;

    check_outcome (sync != NULL, error);
    check_outcome (tree != NULL, tree_error);
    /* the walk reads what the tree-building parser reads */
    walked = stream_describe_sync (sync, error);
    built = stream_describe_sync (tree, tree_error);
    g_assert_cmpstr (walked, ==, built);
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) items = ews_response_parse_get_item (text, size, &error);

    check_outcome (items != NULL, error);
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) notifications = ews_response_parse_send_notification (text, size, &error);

    check_outcome (notifications != NULL, error);
  }
  {
    g_autoptr (GError) error = NULL;
    EwsPushStatus status = EWS_PUSH_STATUS_OK;
    gboolean      ok = ews_response_parse_send_notification_result (text, size, &status, &error);

    check_outcome (ok, error);
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (EwsAutodiscoverResult) autodiscover = ews_response_parse_autodiscover (text, size, &error);

    check_outcome (autodiscover != NULL, error);
  }
  {
    g_autoptr (GError) error = ews_response_parse_error (text, size);

    g_assert (error == NULL || error->domain == EWS_ERROR);
  }

  return 0;
}
