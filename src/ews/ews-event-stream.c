/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-stream"

#include "config.h"

#include <string.h>

#include "ews-event-stream.h"

#include "ews-error.h"
#include "ews-event-walk-private.h"
#include "ews-notification-private.h"
#include "ews-records.h"
#include "ews-xml-private.h"
#include "ews-xml-splitter-private.h"

/* A GetStreamingEvents body is a sequence of complete SOAP envelopes with no separator.
 * An EwsXmlSplitter finds where each document ends; only then is the document handed
 * to libxml2. The splitter keeps its state between feeds, so it never rescans bytes.
 *
 * Input is scanned in place; only the unfinished tail of a document is copied into
 * the buffer, which therefore always starts with the current document. */

/* Keep a buffer this large between documents; a larger one is given back. */
#define KEEP_BUFFER_SIZE (64 * 1024)
/* A server inventing element names would grow the parser's dictionary for ever. */
#define MAX_DICT_NAMES 4096

struct _EwsEventStream
{
  GObject        parent_instance;

  xmlParserCtxt *ctxt;

  char          *buffer;
  gsize          buffer_len;
  gsize          buffer_alloc;
  gsize          pos; /* where the splitter resumes in the buffer */

  EwsXmlSplitter splitter;

  guint64        bytes_received;
  guint          documents;
  guint          generation; /* bumped by reset, which a signal handler may call */
  gboolean       failed;
  gboolean       in_feed;
};

/**
 * EwsEventStream:
 *
 * Reads the body of a GetStreamingEvents response, fed in chunks as they arrive,
 * and emits a signal for every notification, keep-alive, close and error in it.
 */
G_DEFINE_FINAL_TYPE (EwsEventStream, ews_event_stream, G_TYPE_OBJECT)

enum
{
  SIGNAL_NOTIFICATION,
  SIGNAL_CONNECTION_STATUS,
  SIGNAL_RESPONSE_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
set_oversized_error (EwsEventStream *self,
                     GError        **error)
{
  g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL,
               "Event stream document exceeds the limit of %" G_GSIZE_FORMAT " bytes",
               self->splitter.max_document_size);
  return FALSE;
}

static gboolean
body_is_fault (xmlDoc *doc)
{
  xmlNode *body = ews_xml_child (xmlDocGetRootElement (doc), EWS_NS_SOAP, "Body");
  xmlNode *content = body != NULL ? ews_xml_first_element (body->children) : NULL;

  return ews_xml_is (content, EWS_NS_SOAP, "Fault");
}

/* The ids of m:ErrorSubscriptionIds; servers write m:SubscriptionId, the schema t:. */
static GStrv
collect_error_subscription_ids (xmlNode *message)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  xmlNode *ids = ews_xml_child_ews (message, "ErrorSubscriptionIds");

  for (xmlNode *node = ids != NULL ? ids->children : NULL; node != NULL; node = node->next)
    if (ews_xml_is_ews (node, "SubscriptionId"))
      {
        g_autofree char *id = ews_xml_text (node);

        g_strv_builder_add (builder, id);
      }

  return g_strv_builder_end (builder);
}

static void
emit_connection_status (EwsEventStream *self,
                        xmlNode        *node)
{
  g_autofree char *text = ews_xml_text (node);

  g_strstrip (text);
  if (g_str_equal (text, "OK"))
    g_signal_emit (self, signals[SIGNAL_CONNECTION_STATUS], 0, (int)EWS_CONNECTION_STATUS_OK);
  else if (g_str_equal (text, "Closed"))
    g_signal_emit (self, signals[SIGNAL_CONNECTION_STATUS], 0, (int)EWS_CONNECTION_STATUS_CLOSED);
  else
    g_debug ("Ignoring unknown ConnectionStatus");
}

static void
handle_response_message (EwsEventStream *self,
                         xmlNode        *message,
                         guint           generation)
{
  g_autoptr (GError) message_error = ews_xml_response_message_error (message);

  if (message_error != NULL)
    {
      g_auto (GStrv) ids = collect_error_subscription_ids (message);
      g_autofree char *code = ews_error_dup_response_code (message_error);

      g_debug ("GetStreamingEvents response message failed: %s", code);
      g_signal_emit (self, signals[SIGNAL_RESPONSE_ERROR], 0, message_error, ids);
    }

  for (xmlNode *node = ews_xml_first_element (message->children);
       node != NULL && generation == self->generation;
       node = ews_xml_next_element (node))
    {
      if (ews_xml_is_ews (node, "Notifications"))
        {
          for (xmlNode *child = ews_xml_first_element (node->children);
               child != NULL && generation == self->generation;
               child = ews_xml_next_element (child))
            {
              g_autoptr (EwsNotification) notification = NULL;

              if (!ews_xml_is_ews (child, "Notification"))
                continue;
              notification = ews_notification_parse (child);
              g_signal_emit (self, signals[SIGNAL_NOTIFICATION], 0, notification);
            }
        }
      else if (ews_xml_is_ews (node, "ConnectionStatus"))
        emit_connection_status (self, node);
    }
}

/* Announces what the envelope says; FALSE (announcing nothing) when the tree path
 * must read it. */
static gboolean
walk_document (EwsEventStream *self,
               const char     *data,
               gsize           length,
               guint           generation)
{
  g_autoptr (GArray) said = ews_event_walk (data, length);

  if (said == NULL)
    return FALSE;
  for (guint i = 0; i < said->len && generation == self->generation; i++)
    {
      EwsEventSaid *one = &g_array_index (said, EwsEventSaid, i);

      if (one->notification != NULL)
        g_signal_emit (self, signals[SIGNAL_NOTIFICATION], 0, one->notification);
      else if (one->status >= 0)
        g_signal_emit (self, signals[SIGNAL_CONNECTION_STATUS], 0, one->status);
      else
        g_debug ("Ignoring unknown ConnectionStatus");
    }
  return TRUE;
}

static gboolean
handle_document (EwsEventStream *self,
                 const char     *data,
                 gsize           length,
                 GError        **error)
{
  g_autoptr (xmlDoc) doc = NULL;
  g_autoptr (GError) body_error = NULL;
  xmlNode *content;
  xmlNode *messages;
  guint    generation = self->generation;

  if (length > self->splitter.max_document_size)
    return set_oversized_error (self, error);

  self->documents++;
  if (walk_document (self, data, length, generation))
    return TRUE;

  if (self->ctxt->dict != NULL && xmlDictSize (self->ctxt->dict) > MAX_DICT_NAMES)
    {
      xmlFreeParserCtxt (self->ctxt);
      self->ctxt = xmlNewParserCtxt ();
      g_assert (self->ctxt != NULL);
    }

  doc = ews_xml_parse_with_context (self->ctxt, data, length, error);
  if (doc == NULL)
    {
      g_prefix_error (error, "Event stream document %u: ", self->documents);
      return FALSE;
    }

  content = ews_xml_soap_body (doc, &body_error);
  if (content == NULL && body_is_fault (doc))
    {
      const char *const no_ids[] = { NULL };

      g_debug ("SOAP fault in the event stream (error %d)", body_error->code);
      g_signal_emit (self, signals[SIGNAL_RESPONSE_ERROR], 0, body_error, no_ids);
      return TRUE;
    }
  if (content == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&body_error),
                                  "Event stream document %u: ", self->documents);
      return FALSE;
    }
  if (!ews_xml_is (content, EWS_NS_MESSAGES, "GetStreamingEventsResponse"))
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL,
                   "Event stream document %u is not a GetStreamingEventsResponse", self->documents);
      return FALSE;
    }

  messages = ews_xml_child (content, EWS_NS_MESSAGES, "ResponseMessages");
  for (xmlNode *node = messages != NULL ? ews_xml_first_element (messages->children) : NULL;
       node != NULL && generation == self->generation;
       node = ews_xml_next_element (node))
    if (ews_xml_is (node, EWS_NS_MESSAGES, "GetStreamingEventsResponseMessage"))
      handle_response_message (self, node, generation);

  return TRUE;
}

static void
buffer_append (EwsEventStream *self,
               const char     *data,
               gsize           length)
{
  if (self->buffer_len + length > self->buffer_alloc)
    {
      self->buffer_alloc = MAX (self->buffer_alloc * 2, self->buffer_len + length);
      self->buffer_alloc = MAX (self->buffer_alloc, 4096);
      self->buffer = g_realloc (self->buffer, self->buffer_alloc);
    }
  memcpy (self->buffer + self->buffer_len, data, length);
  self->buffer_len += length;
}

static void
buffer_clear (EwsEventStream *self)
{
  self->buffer_len = 0;
  self->pos = 0;
  if (self->buffer_alloc > KEEP_BUFFER_SIZE)
    {
      g_clear_pointer (&self->buffer, g_free);
      self->buffer_alloc = 0;
    }
}

/* Completes the document that started in an earlier feed. Appends no more than the
 * size limit allows; input bytes past the end of the document are given back. */
static gboolean
feed_buffered (EwsEventStream *self,
               const char    **data,
               gsize          *length,
               GError        **error)
{
  gsize             old_len = self->buffer_len;
  gsize             take;
  gsize             doc_start = 0;
  EwsXmlSplitResult result;

  if (self->buffer_len > self->splitter.max_document_size)
    return set_oversized_error (self, error);

  take = MIN (*length, self->splitter.max_document_size + 1 - self->buffer_len);
  buffer_append (self, *data, take);

  result = ews_xml_splitter_feed (&self->splitter, self->buffer, self->buffer_len, &self->pos, &doc_start, error);
  if (result == EWS_XML_SPLIT_ERROR)
    return FALSE;

  if (result == EWS_XML_SPLIT_DOCUMENT)
    {
      gsize    used = self->pos - old_len;
      gboolean ok = handle_document (self, self->buffer, self->pos, error);

      buffer_clear (self);
      *data += used;
      *length -= used;
      return ok;
    }

  if (self->buffer_len > self->splitter.max_document_size)
    return set_oversized_error (self, error);

  *data += take;
  *length -= take;
  return TRUE;
}

/* Handles the documents complete in @data without copying them, and keeps the tail. */
static gboolean
feed_in_place (EwsEventStream *self,
               const char    **data,
               gsize          *length,
               GError        **error)
{
  gsize             pos = 0;
  gsize             doc_start = 0;
  EwsXmlSplitResult result;

  g_assert (ews_xml_splitter_is_idle (&self->splitter));

  result = ews_xml_splitter_feed (&self->splitter, *data, *length, &pos, &doc_start, error);
  if (result == EWS_XML_SPLIT_ERROR)
    return FALSE;

  if (result == EWS_XML_SPLIT_DOCUMENT)
    {
      gboolean ok = handle_document (self, *data + doc_start, pos - doc_start, error);

      *data += pos;
      *length -= pos;
      return ok;
    }

  if (!ews_xml_splitter_is_idle (&self->splitter))
    {
      if (*length - doc_start > self->splitter.max_document_size)
        return set_oversized_error (self, error);
      buffer_append (self, *data + doc_start, *length - doc_start);
      self->pos = pos - doc_start;
      ews_xml_splitter_rebase (&self->splitter, doc_start);
    }

  *data += *length;
  *length = 0;
  return TRUE;
}

/**
 * ews_event_stream_feed:
 * @self: an #EwsEventStream
 * @data: (array length=length): bytes of the response body, as they arrive
 * @length: the number of bytes in @data
 * @error: return location for an %EWS_ERROR_PROTOCOL error
 *
 * Feeds the next bytes of a GetStreamingEvents response body; chunks may be cut
 * anywhere. Signals are emitted synchronously, before this returns, for every
 * document completed by @data. A handler may call ews_event_stream_reset(), which
 * drops the rest of @data.
 *
 * On a malformed, oversized or DTD-bearing document the stream refuses further input
 * until ews_event_stream_reset(): the connection should be dropped.
 *
 * Returns: %TRUE on success
 */
gboolean
ews_event_stream_feed (EwsEventStream *self,
                       const char     *data,
                       gsize           length,
                       GError        **error)
{
  g_autoptr (EwsEventStream) hold = NULL;
  guint    generation;
  gboolean ok = TRUE;

  g_return_val_if_fail (EWS_IS_EVENT_STREAM (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (!self->in_feed, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->failed)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL,
                   "The event stream failed earlier and must be reset");
      return FALSE;
    }

  hold = g_object_ref (self);
  generation = self->generation;
  self->bytes_received += length;
  self->in_feed = TRUE;

  while (ok && length > 0 && generation == self->generation)
    {
      if (self->buffer_len > 0)
        ok = feed_buffered (self, &data, &length, error);
      else
        ok = feed_in_place (self, &data, &length, error);
    }

  self->in_feed = FALSE;
  if (!ok && generation == self->generation)
    {
      self->failed = TRUE;
      buffer_clear (self);
    }
  return ok;
}

/**
 * ews_event_stream_finish:
 * @self: an #EwsEventStream
 * @error: return location for an %EWS_ERROR_PROTOCOL error
 *
 * Tells the stream that the response body ended.
 *
 * Returns: %TRUE when nothing but whitespace followed the last complete document
 */
gboolean
ews_event_stream_finish (EwsEventStream *self,
                         GError        **error)
{
  g_return_val_if_fail (EWS_IS_EVENT_STREAM (self), FALSE);
  g_return_val_if_fail (!self->in_feed, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->failed)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL,
                   "The event stream failed earlier and must be reset");
      return FALSE;
    }

  if (!ews_xml_splitter_is_idle (&self->splitter))
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL,
                   "The event stream ended inside an incomplete document (%" G_GSIZE_FORMAT " bytes)",
                   self->buffer_len);
      self->failed = TRUE;
      buffer_clear (self);
      return FALSE;
    }

  return TRUE;
}

/**
 * ews_event_stream_reset:
 * @self: an #EwsEventStream
 *
 * Forgets any partial document, an earlier failure and the counters, ready for a
 * new connection. The size limit is kept.
 */
void
ews_event_stream_reset (EwsEventStream *self)
{
  g_return_if_fail (EWS_IS_EVENT_STREAM (self));

  self->generation++;
  buffer_clear (self);
  ews_xml_splitter_reset (&self->splitter);
  self->failed = FALSE;
  self->bytes_received = 0;
  self->documents = 0;
}

/**
 * ews_event_stream_set_max_document_size:
 * @self: an #EwsEventStream
 * @max_bytes: the largest document accepted, in bytes
 *
 * A document growing past @max_bytes fails the stream without being buffered further.
 * The default is %EWS_EVENT_STREAM_DEFAULT_MAX_DOCUMENT_SIZE.
 */
void
ews_event_stream_set_max_document_size (EwsEventStream *self,
                                        gsize           max_bytes)
{
  g_return_if_fail (EWS_IS_EVENT_STREAM (self));
  g_return_if_fail (max_bytes > 0);

  /* libxml2 takes an int length */
  self->splitter.max_document_size = MIN (max_bytes, (gsize)G_MAXINT);
}

/**
 * ews_event_stream_get_bytes_received:
 * @self: an #EwsEventStream
 *
 * Returns: the number of bytes fed since creation or the last reset
 */
guint64
ews_event_stream_get_bytes_received (EwsEventStream *self)
{
  g_return_val_if_fail (EWS_IS_EVENT_STREAM (self), 0);

  return self->bytes_received;
}

/**
 * ews_event_stream_get_documents:
 * @self: an #EwsEventStream
 *
 * Returns: the number of complete documents seen since creation or the last reset
 */
guint
ews_event_stream_get_documents (EwsEventStream *self)
{
  g_return_val_if_fail (EWS_IS_EVENT_STREAM (self), 0);

  return self->documents;
}

/**
 * ews_event_stream_new:
 *
 * Returns: (transfer full): a stream reader with the default size limit
 */
EwsEventStream *
ews_event_stream_new (void)
{
  return g_object_new (EWS_TYPE_EVENT_STREAM, NULL);
}

static void
ews_event_stream_finalize (GObject *object)
{
  EwsEventStream *self = EWS_EVENT_STREAM (object);

  g_clear_pointer (&self->buffer, g_free);
  g_clear_pointer (&self->ctxt, xmlFreeParserCtxt);

  G_OBJECT_CLASS (ews_event_stream_parent_class)->finalize (object);
}

static void
ews_event_stream_class_init (EwsEventStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ews_event_stream_finalize;

  /**
   * EwsEventStream::notification:
   * @self: the stream
   * @notification: (transfer none): one m:Notification with its subscription id and events
   *
   * Emitted for every Notification element, in document order. @notification is only
   * valid during the emission; copy it to keep it.
   */
  signals[SIGNAL_NOTIFICATION] = g_signal_new ("notification", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 1, EWS_TYPE_NOTIFICATION | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EwsEventStream::connection-status:
   * @self: the stream
   * @status: an #EwsConnectionStatus: %EWS_CONNECTION_STATUS_OK for a keep-alive,
   *   %EWS_CONNECTION_STATUS_CLOSED when the server ends the connection
   *
   * Emitted for every m:ConnectionStatus.
   */
  signals[SIGNAL_CONNECTION_STATUS] = g_signal_new ("connection-status", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                    G_TYPE_NONE, 1, G_TYPE_INT);

  /**
   * EwsEventStream::response-error:
   * @self: the stream
   * @error: (transfer none): the error, in %EWS_ERROR with the raw ResponseCode
   * @subscription_ids: (transfer none) (array zero-terminated=1): the ids from
   *   m:ErrorSubscriptionIds; empty for a SOAP fault
   *
   * Emitted for a GetStreamingEventsResponseMessage with ResponseClass="Error", and
   * for a SOAP Fault envelope inside the stream. The stream itself stays usable.
   */
  signals[SIGNAL_RESPONSE_ERROR] = g_signal_new ("response-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 2,
                                                 G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE,
                                                 G_TYPE_STRV | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ews_event_stream_init (EwsEventStream *self)
{
  ews_xml_splitter_init (&self->splitter, EWS_EVENT_STREAM_DEFAULT_MAX_DOCUMENT_SIZE);
  self->ctxt = xmlNewParserCtxt ();
  g_assert (self->ctxt != NULL);
}
