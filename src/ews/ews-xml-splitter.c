/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <string.h>

#include "ews-xml-splitter-private.h"

#include "ews-error.h"

/* A GetStreamingEvents body is a sequence of complete SOAP envelopes with no separator.
 * This tokenizer finds where each document ends, so that only a complete document is
 * handed to libxml2. It knows just enough XML for that: tags and their depth, quoted
 * attribute values, comments, processing instructions and CDATA sections. DTDs are
 * refused here, before libxml2 could see one. */

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

static EwsXmlSplitResult
scan_fail (GError    **error,
           const char *reason)
{
  set_scan_error (error, reason);
  return EWS_XML_SPLIT_ERROR;
}

/* After "<!": a comment, a CDATA section, or a declaration we refuse. Returns FALSE
 * on error; leaves *p alone when more bytes are needed to decide. */
static gboolean
scan_bang (EwsXmlSplitter *self,
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
      self->state = EWS_XML_SPLITTER_COMMENT;
    }
  else if (cdata == 1)
    {
      if (self->depth == 0)
        return set_scan_error (error, "CDATA section outside the root element");
      *p += 7;
      self->mark = *p;
      self->state = EWS_XML_SPLITTER_CDATA;
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
scan_until (EwsXmlSplitter *self,
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
          self->state = EWS_XML_SPLITTER_CONTENT;
          return;
        }
    }
}

static inline gsize
document_end (EwsXmlSplitter *self,
              gsize           input_len,
              gsize           doc_start)
{
  if (input_len - doc_start > self->max_document_size)
    return doc_start + self->max_document_size + 1;
  return input_len;
}

/* Advances the tokenizer over base[*p, input_len). Stops just past the end of a document
 * (EWS_XML_SPLIT_DOCUMENT; *doc_start says where it began), at an error, or when it needs more
 * bytes (EWS_XML_SPLIT_NEED_MORE; *p == input_len unless a lookahead was cut). */
EwsXmlSplitResult
ews_xml_splitter_feed (EwsXmlSplitter *self,
                       const char     *base,
                       gsize           input_len,
                       gsize          *p,
                       gsize          *doc_start,
                       GError        **error)
{
  gboolean need_more = FALSE;
  /* Never look further than one byte past the size limit of the current document. */
  gsize    len = self->state == EWS_XML_SPLITTER_IDLE ? input_len : document_end (self, input_len, *doc_start);

  while (*p < len && !need_more)
    {
      char c = base[*p];

      switch (self->state)
        {
        case EWS_XML_SPLITTER_IDLE:
          if (c == '<')
            {
              *doc_start = *p;
              self->depth = 0;
              self->state = EWS_XML_SPLITTER_LT;
            }
          else if (!is_space (c))
            return scan_fail (error, "text between documents");
          *p += 1;
          if (c == '<')
            len = document_end (self, input_len, *doc_start);
          break;

        case EWS_XML_SPLITTER_CONTENT:
          if (self->depth > 0)
            {
              const char *lt = memchr (base + *p, '<', len - *p);

              *p = lt != NULL ? (gsize)(lt - base) + 1 : len;
              if (lt != NULL)
                self->state = EWS_XML_SPLITTER_LT;
            }
          else if (c == '<')
            {
              *p += 1;
              self->state = EWS_XML_SPLITTER_LT;
            }
          else if (is_space (c))
            *p += 1;
          else
            return scan_fail (error, "text outside the root element");
          break;

        case EWS_XML_SPLITTER_LT:
          if (c == '/' && self->depth == 0)
            return scan_fail (error, "end tag without a start tag");
          else if (c == '/')
            self->state = EWS_XML_SPLITTER_END_TAG;
          else if (c == '?')
            {
              self->state = EWS_XML_SPLITTER_PI;
              self->mark = *p + 1;
            }
          else if (c == '!')
            self->state = EWS_XML_SPLITTER_BANG;
          else if (is_name_start (c))
            self->state = EWS_XML_SPLITTER_START_TAG;
          else
            return scan_fail (error, "invalid character after '<'");
          *p += 1;
          break;

        case EWS_XML_SPLITTER_BANG:
          if (!scan_bang (self, base, len, p, &need_more, error))
            return EWS_XML_SPLIT_ERROR;
          break;

        case EWS_XML_SPLITTER_START_TAG:
          {
            /* by a local index: a char read may alias *p */
            gsize at = *p;

            for (; at < len; at++)
              {
                c = base[at];
                if (c == '"' || c == '\'' || c == '>' || c == '<')
                  break;
              }
            *p = at;
          }
          if (*p == len)
            break;
          if (c == '<')
            return scan_fail (error, "'<' inside a tag");
          *p += 1;
          if (c == '"')
            self->state = EWS_XML_SPLITTER_ATTR_DQ;
          else if (c == '\'')
            self->state = EWS_XML_SPLITTER_ATTR_SQ;
          else if (base[*p - 2] == '/')
            {
              /* an empty element; the tag's '<' and name lie before the '/' */
              self->state = self->depth == 0 ? EWS_XML_SPLITTER_IDLE : EWS_XML_SPLITTER_CONTENT;
              if (self->depth == 0)
                return EWS_XML_SPLIT_DOCUMENT;
            }
          else
            {
              self->depth++;
              self->state = EWS_XML_SPLITTER_CONTENT;
            }
          break;

        case EWS_XML_SPLITTER_ATTR_DQ:
        case EWS_XML_SPLITTER_ATTR_SQ:
          {
            const char *quote = memchr (base + *p, self->state == EWS_XML_SPLITTER_ATTR_DQ ? '"' : '\'', len - *p);

            *p = quote != NULL ? (gsize)(quote - base) + 1 : len;
            if (quote != NULL)
              self->state = EWS_XML_SPLITTER_START_TAG;
          }
          break;

        case EWS_XML_SPLITTER_END_TAG:
          {
            const char *gt = memchr (base + *p, '>', len - *p);

            if (gt == NULL)
              {
                *p = len;
                break;
              }
            *p = (gsize)(gt - base) + 1;
            self->depth--;
            self->state = self->depth == 0 ? EWS_XML_SPLITTER_IDLE : EWS_XML_SPLITTER_CONTENT;
            if (self->depth == 0)
              return EWS_XML_SPLIT_DOCUMENT;
          }
          break;

        case EWS_XML_SPLITTER_PI:
          scan_until (self, base, len, p, "?");
          break;

        case EWS_XML_SPLITTER_COMMENT:
          scan_until (self, base, len, p, "--");
          break;

        case EWS_XML_SPLITTER_CDATA:
          scan_until (self, base, len, p, "]]");
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return EWS_XML_SPLIT_NEED_MORE;
}

/**
 * ews_xml_splitter_init:
 * @self: a splitter
 * @max_document_size: the longest document it will look into, in bytes
 *
 * Sets up @self between documents.
 */
void
ews_xml_splitter_init (EwsXmlSplitter *self,
                       gsize           max_document_size)
{
  self->max_document_size = max_document_size;
  ews_xml_splitter_reset (self);
}

/**
 * ews_xml_splitter_reset:
 * @self: a splitter
 *
 * Forgets any partial document. The size limit is kept.
 */
void
ews_xml_splitter_reset (EwsXmlSplitter *self)
{
  self->state = EWS_XML_SPLITTER_IDLE;
  self->mark = 0;
  self->depth = 0;
}

/**
 * ews_xml_splitter_rebase:
 * @self: a splitter
 * @offset: how many bytes the caller dropped from the start of its input
 *
 * Keeps the splitter's positions valid when the caller moves the unfinished tail of
 * a document to the start of a buffer.
 */
void
ews_xml_splitter_rebase (EwsXmlSplitter *self,
                         gsize           offset)
{
  self->mark = self->mark >= offset ? self->mark - offset : 0;
}
