/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib-object.h>

#include "ews-types.h"

G_BEGIN_DECLS

#define EWS_TYPE_EVENT_STREAM (ews_event_stream_get_type ())
G_DECLARE_FINAL_TYPE (EwsEventStream, ews_event_stream, EWS, EVENT_STREAM, GObject)

/* A single GetStreamingEvents envelope carries at most a few hundred events; a document
 * larger than this is a broken or hostile server. */
#define EWS_EVENT_STREAM_DEFAULT_MAX_DOCUMENT_SIZE (8 * 1024 * 1024)

EwsEventStream *ews_event_stream_new (void);
void            ews_event_stream_set_max_document_size (EwsEventStream *self,
                                                        gsize           max_bytes);
gboolean        ews_event_stream_feed (EwsEventStream *self,
                                       const char     *data,
                                       gsize           length,
                                       GError        **error);
gboolean        ews_event_stream_finish (EwsEventStream *self,
                                         GError        **error);
void            ews_event_stream_reset (EwsEventStream *self);
guint64         ews_event_stream_get_bytes_received (EwsEventStream *self);
guint           ews_event_stream_get_documents (EwsEventStream *self);

G_END_DECLS
