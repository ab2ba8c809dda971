/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

#include "ews-event-stream.h"
#include "ews-records.h"

G_BEGIN_DECLS

/* Everything an EwsEventStream emitted, as one line per signal (notifications keep a
 * copy too), so that two runs compare with g_assert_cmpstrv. */
typedef struct
{
  EwsEventStream *stream;
  GPtrArray      *trace;         /* (element-type utf8), NULL-terminated */
  GPtrArray      *notifications; /* (element-type EwsNotification) */
  GPtrArray      *statuses;      /* (element-type int) as GINT_TO_POINTER */
  GPtrArray      *errors;        /* (element-type GError) */
  GPtrArray      *error_ids;     /* (element-type GStrv) */
  guint           events;
} StreamRecorder;

StreamRecorder *stream_recorder_new (EwsEventStream *stream);
void            stream_recorder_free (StreamRecorder *recorder);
char          **stream_recorder_get_trace (StreamRecorder *recorder);

char           *stream_describe_notification (const EwsNotification *notification);
char           *stream_describe_status (int status);
char           *stream_describe_error (const GError      *error,
                                       const char *const *subscription_ids);
/* A SyncFolderItems page with every field of every item, or the error. */
char           *stream_describe_sync (const EwsSyncResult *result,
                                      const GError        *error);

char           *stream_load_fixture (const char *name,
                                     gsize      *length);
/* For fuzz targets: libxml2 reports encoding failures through its generic handler
 * even with XML_PARSE_NOERROR; the parsers turn them into errors anyway. */
void            stream_silence_libxml2 (void);

/* A recorded stream: fixture envelopes and generated ones with XML declarations,
 * comments, CDATA, awkward attribute values and non-ASCII text, ending with Closed.
 * @expected gets the trace a correct reader must produce. */
GString        *stream_generate (guint32    seed,
                                 guint      n_envelopes,
                                 GPtrArray *expected);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StreamRecorder, stream_recorder_free)

G_END_DECLS
