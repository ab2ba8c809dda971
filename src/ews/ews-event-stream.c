/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-stream"

#include "config.h"

#include <string.h>

#include "ews-event-stream.h"

#include "ews-error.h"
#include "ews-notification-private.h"
#include "ews-records.h"
#include "ews-xml-private.h"

/* A GetStreamingEvents body is a sequence of complete SOAP envelopes with no separator.
 * A small tokenizer finds where each document ends; only then is the document handed
 * to libxml2. The tokenizer keeps its state between feeds, so it never rescans bytes.
 *
 * Input is scanned in place; only the unfinished tail of a document is copied into
 * the buffer, which therefore always starts with the current document. */

/* Keep a buffer this large between documents; a larger one is given back. */
#define KEEP_BUFFER_SIZE (64 * 1024)
/* A server inventing element names would grow the parser's dictionary for ever. */
#define MAX_DICT_NAMES 4096

typedef enum
{
  SCAN_IDLE,      /* between documents: only whitespace */
  SCAN_CONTENT,   /* in a document, outside markup (prolog when depth is 0) */
  SCAN_LT,        /* after '<' */
  SCAN_BANG,      /* after "<!" */
  SCAN_START_TAG, /* in a start or empty-element tag, outside attribute values */
  SCAN_ATTR_DQ,   /* in an attribute value in double quotes */
  SCAN_ATTR_SQ,   /* in an attribute value in single quotes */
  SCAN_END_TAG,
  SCAN_PI, /* processing instruction or XML declaration */
  SCAN_COMMENT,
  SCAN_CDATA,
} ScanState;

typedef enum
{
  SCAN_NEED_MORE,
  SCAN_DOCUMENT,
  SCAN_ERROR,
} ScanResult;

struct _EwsEventStream
{
  GObject        parent_instance;

  xmlParserCtxt *ctxt;

  char          *buffer;
  gsize          buffer_len;
  gsize          buffer_alloc;
  gsize          max_document_size;

  /* tokenizer */
  ScanState      state;
  gsize          pos;   /* where to resume in the buffer */
  gsize          mark;  /* start of the current comment, PI or CDATA body */
  guint          depth; /* open elements */

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

static inline gboolean
is_space (char c)
{
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_' || c == ':' || (guchar)c >= 0x80;
}

/* 1: @text starts with @literal; 0: it may, once more bytes arrive; -1: it does not */
static int
match_literal (const char *text,
               gsize       avail,
               const char *literal)
{
  gsize n = strlen (literal);

  if (memcmp (text, literal, MIN (avail, n)) != 0)
    return -1;
  return avail >= n ? 1 : 0;
}

static gboolean
set_scan_error (GError    **error,
                const char *reason)
{
  g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "Malformed event stream: %s", reason);
  return FALSE;
}

static ScanResult
scan_fail (GError    **error,
           const char *reason)
{
  set_scan_error (error, reason);
  return SCAN_ERROR;
}

/* After "<!": a comment, a CDATA section, or a declaration we refuse. Returns FALSE
 * on error; leaves *p alone when more bytes are needed to decide. */
static gboolean
scan_bang (EwsEventStream *self,
           const char     *base,
           gsize           len,
           gsize          *p,
           gboolean       *need_more,
           GError        **error)
{
  const char *text = base + *p;
  gsize       avail = len - *p;
  int         comment = match_literal (text, avail, "--");
  int         cdata = match_literal (text, avail, "[CDATA[");
  int         doctype = match_literal (text, avail, "DOCTYPE");

  if (comment == 1)
    {
      *p += 2;
      self->mark = *p;
      self->state = SCAN_COMMENT;
    }
  else if (cdata == 1)
    {
      if (self->depth == 0)
        return set_scan_error (error, "CDATA section outside the root element");
      *p += 7;
      self->mark = *p;
      self->state = SCAN_CDATA;
    }
  else if (doctype == 1)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL,
                   "Event stream document carries a document type declaration (DTD), "
                   "which is not accepted");
      return FALSE;
    }
  else if (comment == 0 || cdata == 0 || doctype == 0)
    *need_more = TRUE;
  else
    return set_scan_error (error, "markup declarations (DTD, entities) are not accepted");

  return TRUE;
}

/* Ends a comment, PI or CDATA section at the first '>' preceded by @closer (one or
 * two bytes) that lies inside the body. */
static void
scan_until (EwsEventStream *self,
            const char     *base,
            gsize           len,
            gsize          *p,
            const char     *closer)
{
  gsize n = strlen (closer);

  while (*p < len)
    {
      const char *gt = memchr (base + *p, '>', len - *p);
      gsize       at;

      if (gt == NULL)
        {
          *p = len;
          return;
        }
      at = gt - base;
      *p = at + 1;
      if (at >= self->mark + n && memcmp (base + at - n, closer, n) == 0)
        {
          self->state = SCAN_CONTENT;
          return;
        }
    }
}

static inline gsize
document_end (EwsEventStream *self,
              gsize           input_len,
              gsize           doc_start)
{
  if (input_len - doc_start > self->max_document_size)
    return doc_start + self->max_document_size + 1;
  return input_len;
}

/* Advances the tokenizer over base[*p, len). Stops just past the end of a document
 * (SCAN_DOCUMENT; *doc_start says where it began), at an error, or when it needs more
 * bytes (SCAN_NEED_MORE; *p == len unless a lookahead was cut). */
static ScanResult
scan (EwsEventStream *self,
      const char     *base,
      gsize           input_len,
      gsize          *p,
      gsize          *doc_start,
      GError        **error)
{
  gboolean need_more = FALSE;
  /* Never look further than one byte past the size limit of the current document. */
  gsize    len = self->state == SCAN_IDLE ? input_len : document_end (self, input_len, *doc_start);

  while (*p < len && !need_more)
    {
      char c = base[*p];

      switch (self->state)
        {
        case SCAN_IDLE:
          if (c == '<')
            {
              *doc_start = *p;
              self->depth = 0;
              self->state = SCAN_LT;
            }
          else if (!is_space (c))
            return scan_fail (error, "text between documents");
          *p += 1;
          if (c == '<')
            len = document_end (self, input_len, *doc_start);
          break;

        case SCAN_CONTENT:
          if (self->depth > 0)
            {
              const char *lt = memchr (base + *p, '<', len - *p);

              *p = lt != NULL ? (gsize)(lt - base) + 1 : len;
              if (lt != NULL)
                self->state = SCAN_LT;
            }
          else if (c == '<')
            {
              *p += 1;
              self->state = SCAN_LT;
            }
          else if (is_space (c))
            *p += 1;
          else
            return scan_fail (error, "text outside the root element");
          break;

        case SCAN_LT:
          if (c == '/' && self->depth == 0)
            return scan_fail (error, "end tag without a start tag");
          else if (c == '/')
            self->state = SCAN_END_TAG;
          else if (c == '?')
            {
              self->state = SCAN_PI;
              self->mark = *p + 1;
            }
          else if (c == '!')
            self->state = SCAN_BANG;
          else if (is_name_start (c))
            self->state = SCAN_START_TAG;
          else
            return scan_fail (error, "invalid character after '<'");
          *p += 1;
          break;

        case SCAN_BANG:
          if (!scan_bang (self, base, len, p, &need_more, error))
            return SCAN_ERROR;
          break;

        case SCAN_START_TAG:
          for (; *p < len; *p += 1)
            {
              c = base[*p];
              if (c == '"' || c == '\'' || c == '>' || c == '<')
                break;
            }
          if (*p == len)
            break;
          if (c == '<')
            return scan_fail (error, "'<' inside a tag");
          *p += 1;
          if (c == '"')
            self->state = SCAN_ATTR_DQ;
          else if (c == '\'')
            self->state = SCAN_ATTR_SQ;
          else if (base[*p - 2] == '/')
            {
              /* an empty element; the tag's '<' and name lie before the '/' */
              self->state = self->depth == 0 ? SCAN_IDLE : SCAN_CONTENT;
              if (self->depth == 0)
                return SCAN_DOCUMENT;
            }
          else
            {
              self->depth++;
              self->state = SCAN_CONTENT;
            }
          break;

        case SCAN_ATTR_DQ:
        case SCAN_ATTR_SQ:
          {
            const char *quote = memchr (base + *p, self->state == SCAN_ATTR_DQ ? '"' : '\'', len - *p);

            *p = quote != NULL ? (gsize)(quote - base) + 1 : len;
            if (quote != NULL)
              self->state = SCAN_START_TAG;
          }
          break;

        case SCAN_END_TAG:
          {
            const char *gt = memchr (base + *p, '>', len - *p);

            if (gt == NULL)
              {
                *p = len;
                break;
              }
            *p = (gsize)(gt - base) + 1;
            self->depth--;
            self->state = self->depth == 0 ? SCAN_IDLE : SCAN_CONTENT;
            if (self->depth == 0)
              return SCAN_DOCUMENT;
          }
          break;

        case SCAN_PI:
          scan_until (self, base, len, p, "?");
          break;

        case SCAN_COMMENT:
          scan_until (self, base, len, p, "--");
          break;

        case SCAN_CDATA:
          scan_until (self, base, len, p, "]]");
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return SCAN_NEED_MORE;
}

static gboolean
set_oversized_error (EwsEventStream *self,
                     GError        **error)
{
  g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL,
               "Event stream document exceeds the limit of %" G_GSIZE_FORMAT " bytes",
               self->max_document_size);
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

  if (length > self->max_document_size)
    return set_oversized_error (self, error);

  self->documents++;

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
  gsize      old_len = self->buffer_len;
  gsize      take;
  gsize      doc_start = 0;
  ScanResult result;

  if (self->buffer_len > self->max_document_size)
    return set_oversized_error (self, error);

  take = MIN (*length, self->max_document_size + 1 - self->buffer_len);
  buffer_append (self, *data, take);

  result = scan (self, self->buffer, self->buffer_len, &self->pos, &doc_start, error);
  if (result == SCAN_ERROR)
    return FALSE;

  if (result == SCAN_DOCUMENT)
    {
      gsize    used = self->pos - old_len;
      gboolean ok = handle_document (self, self->buffer, self->pos, error);

      buffer_clear (self);
      *data += used;
      *length -= used;
      return ok;
    }

  if (self->buffer_len > self->max_document_size)
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
  gsize      pos = 0;
  gsize      doc_start = 0;
  ScanResult result;

  g_assert (self->state == SCAN_IDLE);

  result = scan (self, *data, *length, &pos, &doc_start, error);
  if (result == SCAN_ERROR)
    return FALSE;

  if (result == SCAN_DOCUMENT)
    {
      gboolean ok = handle_document (self, *data + doc_start, pos - doc_start, error);

      *data += pos;
      *length -= pos;
      return ok;
    }

  if (self->state != SCAN_IDLE)
    {
      if (*length - doc_start > self->max_document_size)
        return set_oversized_error (self, error);
      buffer_append (self, *data + doc_start, *length - doc_start);
      self->pos = pos - doc_start;
      self->mark = self->mark >= doc_start ? self->mark - doc_start : 0;
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

  if (self->state != SCAN_IDLE)
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
  self->state = SCAN_IDLE;
  self->mark = 0;
  self->depth = 0;
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
  self->max_document_size = MIN (max_bytes, (gsize)G_MAXINT);
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
  self->max_document_size = EWS_EVENT_STREAM_DEFAULT_MAX_DOCUMENT_SIZE;
  self->state = SCAN_IDLE;
  self->ctxt = xmlNewParserCtxt ();
  g_assert (self->ctxt != NULL);
}
