/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  EWS_XML_SPLITTER_IDLE,      /* between documents: only whitespace */
  EWS_XML_SPLITTER_CONTENT,   /* in a document, outside markup (prolog when depth is 0) */
  EWS_XML_SPLITTER_LT,        /* after '<' */
  EWS_XML_SPLITTER_BANG,      /* after "<!" */
  EWS_XML_SPLITTER_START_TAG, /* in a start or empty-element tag, outside attribute values */
  EWS_XML_SPLITTER_ATTR_DQ,   /* in an attribute value in double quotes */
  EWS_XML_SPLITTER_ATTR_SQ,   /* in an attribute value in single quotes */
  EWS_XML_SPLITTER_END_TAG,
  EWS_XML_SPLITTER_PI, /* processing instruction or XML declaration */
  EWS_XML_SPLITTER_COMMENT,
  EWS_XML_SPLITTER_CDATA,
} EwsXmlSplitterState;

typedef enum
{
  EWS_XML_SPLIT_NEED_MORE,
  EWS_XML_SPLIT_DOCUMENT,
  EWS_XML_SPLIT_ERROR,
} EwsXmlSplitResult;

/* Finds where each XML document ends in a sequence of documents with no separator,
 * without parsing them. It keeps its state between feeds, so it never rescans bytes;
 * the caller owns the bytes and says where to resume. Embedded by value, no GObject. */
typedef struct
{
  EwsXmlSplitterState state;
  gsize               mark;  /* start of the current comment, PI or CDATA body */
  guint               depth; /* open elements */
  gsize               max_document_size;
} EwsXmlSplitter;

void              ews_xml_splitter_init (EwsXmlSplitter *self,
                                         gsize           max_document_size);
void              ews_xml_splitter_reset (EwsXmlSplitter *self);
void              ews_xml_splitter_rebase (EwsXmlSplitter *self,
                                           gsize           offset);
EwsXmlSplitResult ews_xml_splitter_feed (EwsXmlSplitter *self,
                                         const char     *base,
                                         gsize           input_len,
                                         gsize          *p,
                                         gsize          *doc_start,
                                         GError        **error);

static inline gboolean
ews_xml_splitter_is_idle (const EwsXmlSplitter *self)
{
  return self->state == EWS_XML_SPLITTER_IDLE;
}

G_END_DECLS
