/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-item-store"

#include <string.h>

#include "ewn-item-store-private.h"

/* The compact form of an item, version 2 of the files and the store's memory:
 *
 *   record   := ItemId NUL | u8 kind | u8 flags | field*
 *   flags    := 1 all day | 2 cancelled | 4 complete | 8 ParentFolderId is the
 *               folder the item is stored under (and not written)
 *   field    := u8 tag | value, tags in any order, absent fields unset
 *   string   := varint v: v even, (v >> 1) bytes follow (no NUL); v odd (memory
 *               only), the string with pool index v >> 1
 *   time     := i64 microseconds since the Unix epoch, UTC
 *   int      := zigzag varint
 *   attendees := varint n | n × (u8 1 name, 2 email, 4 response, 8 required
 *               | the strings present, in that order)
 *   error    := string domain | int code | string message
 *
 * An item is encoded once when it is stored, decoded only when a change needs its
 * last version, and no bigger than its strings: a store of 100,000 meetings takes
 * some 20 MB rather than the 200 MB of as many EwsItems. */

enum
{
  TAG_CHANGE_KEY = 1,
  TAG_PARENT_FOLDER_ID,
  TAG_ITEM_CLASS,
  TAG_SUBJECT,
  TAG_BODY_PREVIEW,
  TAG_LAST_MODIFIED_NAME,
  TAG_LAST_MODIFIED_TIME,
  TAG_WEB_LINK,
  TAG_START,
  TAG_END,
  TAG_LOCATION,
  TAG_ORGANIZER_NAME,
  TAG_ORGANIZER_EMAIL,
  TAG_MY_RESPONSE_TYPE,
  TAG_ATTENDEES,
  TAG_DUE_DATE,
  TAG_TASK_START_DATE,
  TAG_STATUS,
  TAG_PERCENT,
  TAG_ERROR,
  N_TAGS
};

typedef enum
{
  TYPE_NONE,
  TYPE_STRING,        /* unique to the item: kept in the record */
  TYPE_SHARED_STRING, /* often the same in many items: pooled in memory */
  TYPE_TIME,
  TYPE_INT,
  TYPE_ATTENDEES,
  TYPE_ERROR,
} FieldType;

static const guint8 field_types[N_TAGS] = {
  [TAG_CHANGE_KEY] = TYPE_STRING,
  [TAG_PARENT_FOLDER_ID] = TYPE_SHARED_STRING,
  [TAG_ITEM_CLASS] = TYPE_SHARED_STRING,
  [TAG_SUBJECT] = TYPE_SHARED_STRING,
  [TAG_BODY_PREVIEW] = TYPE_STRING,
  [TAG_LAST_MODIFIED_NAME] = TYPE_SHARED_STRING,
  [TAG_LAST_MODIFIED_TIME] = TYPE_TIME,
  [TAG_WEB_LINK] = TYPE_STRING,
  [TAG_START] = TYPE_TIME,
  [TAG_END] = TYPE_TIME,
  [TAG_LOCATION] = TYPE_SHARED_STRING,
  [TAG_ORGANIZER_NAME] = TYPE_SHARED_STRING,
  [TAG_ORGANIZER_EMAIL] = TYPE_SHARED_STRING,
  [TAG_MY_RESPONSE_TYPE] = TYPE_SHARED_STRING,
  [TAG_ATTENDEES] = TYPE_ATTENDEES,
  [TAG_DUE_DATE] = TYPE_TIME,
  [TAG_TASK_START_DATE] = TYPE_TIME,
  [TAG_STATUS] = TYPE_INT,
  [TAG_PERCENT] = TYPE_INT,
  [TAG_ERROR] = TYPE_ERROR,
};

#define FLAG_ALL_DAY     1
#define FLAG_CANCELLED   2
#define FLAG_COMPLETE    4
#define FLAG_SAME_PARENT 8
#define FLAGS_KNOWN      15

#define ATTENDEE_NAME     1
#define ATTENDEE_EMAIL    2
#define ATTENDEE_RESPONSE 4
#define ATTENDEE_REQUIRED 8
#define ATTENDEE_KNOWN    15

/* Writing (the framing's primitives are in ewn-item-store-framing.c) */

static void
put_byte (EwnStoreWriter *out,
          guint8          value)
{
  ewn_store_writer_put (out, &value, 1);
}

static void
put_int (EwnStoreWriter *out,
         gint64          value)
{
  ewn_store_writer_put_varint (out, ((guint64)value << 1) ^ (guint64)(value >> 63));
}

/* A string reference after @n_head bytes of @head (a field's tag): the head and the
 * reference go in one append, a record has dozens of fields. */
static void
put_strref_after (EwnStoreWriter *out,
                  const guint8   *head,
                  guint           n_head,
                  const char     *text,
                  gboolean        shared,
                  EwnStorePool   *pool)
{
  guint8 bytes[1 + EWN_STORE_VARINT_MAX];
  gsize  length = 0;
  guint  n;

  if (n_head > 0)
    memcpy (bytes, head, n_head);
  if (shared && pool != NULL)
    n = n_head + ewn_store_encode_varint (bytes + n_head, ((guint64)ewn_store_pool_ref (pool, text) << 1) | 1);
  else
    {
      length = strlen (text);
      n = n_head + ewn_store_encode_varint (bytes + n_head, (guint64)length << 1);
    }
  ewn_store_writer_put (out, bytes, n);
  if (length > 0)
    ewn_store_writer_put (out, text, length);
}

static void
put_strref (EwnStoreWriter *out,
            const char     *text,
            gboolean        shared,
            EwnStorePool   *pool)
{
  put_strref_after (out, NULL, 0, text, shared, pool);
}

static void
put_string_field (EwnStoreWriter *out,
                  guint8          tag,
                  const char     *text,
                  EwnStorePool   *pool)
{
  if (text == NULL)
    return;
  put_strref_after (out, &tag, 1, text, field_types[tag] == TYPE_SHARED_STRING, pool);
}

static void
put_time_field (EwnStoreWriter *out,
                guint8          tag,
                gint64          time)
{
  guint8 bytes[1 + sizeof (gint64)];
  gint64 usec;

  if (time == EWS_TIME_NONE)
    return;
  usec = GINT64_TO_LE (time);
  bytes[0] = tag;
  memcpy (bytes + 1, &usec, sizeof usec);
  ewn_store_writer_put (out, bytes, sizeof bytes);
}

/**
 * ewn_store_record_encode:
 * @out: where the record is appended
 * @folder_id: the folder the item is stored under
 * @pool: (nullable): the memory's string pool; %NULL for the form on disk
 */
void
ewn_store_record_encode (GByteArray    *bytes,
                         const EwsItem *item,
                         const char    *folder_id,
                         EwnStorePool  *pool)
{
  gboolean        same_parent = item->parent_folder_id != NULL && g_strcmp0 (item->parent_folder_id, folder_id) == 0;
  guint8          header[2];
  EwnStoreWriter  writer;
  EwnStoreWriter *out = &writer;

  ewn_store_writer_init (out, bytes);
  ewn_store_writer_put (out, item->id, strlen (item->id) + 1);
  header[0] = (guint8)item->kind;
  header[1] = (item->is_all_day ? FLAG_ALL_DAY : 0) | (item->is_cancelled ? FLAG_CANCELLED : 0) | (item->is_complete ? FLAG_COMPLETE : 0) | (same_parent ? FLAG_SAME_PARENT : 0);
  ewn_store_writer_put (out, header, sizeof header);

  put_string_field (out, TAG_CHANGE_KEY, item->change_key, pool);
  if (!same_parent)
    put_string_field (out, TAG_PARENT_FOLDER_ID, item->parent_folder_id, pool);
  put_string_field (out, TAG_ITEM_CLASS, item->item_class, pool);
  put_string_field (out, TAG_SUBJECT, item->subject, pool);
  put_string_field (out, TAG_BODY_PREVIEW, item->body_preview, pool);
  put_string_field (out, TAG_LAST_MODIFIED_NAME, item->last_modified_name, pool);
  put_time_field (out, TAG_LAST_MODIFIED_TIME, item->last_modified_time);
  put_string_field (out, TAG_WEB_LINK, item->web_client_read_form_query_string, pool);
  put_time_field (out, TAG_START, item->start);
  put_time_field (out, TAG_END, item->end);
  put_string_field (out, TAG_LOCATION, item->location, pool);
  put_string_field (out, TAG_ORGANIZER_NAME, item->organizer_name, pool);
  put_string_field (out, TAG_ORGANIZER_EMAIL, item->organizer_email, pool);
  put_string_field (out, TAG_MY_RESPONSE_TYPE, item->my_response_type, pool);
  if (item->attendees != NULL)
    {
      put_byte (out, TAG_ATTENDEES);
      ewn_store_writer_put_varint (out, item->attendees->len);
      for (guint i = 0; i < item->attendees->len; i++)
        {
          EwsAttendee *attendee = g_ptr_array_index (item->attendees, i);

          put_byte (out, (attendee->name != NULL ? ATTENDEE_NAME : 0) | (attendee->email != NULL ? ATTENDEE_EMAIL : 0) | (attendee->response != NULL ? ATTENDEE_RESPONSE : 0) | (attendee->required ? ATTENDEE_REQUIRED : 0));
          if (attendee->name != NULL)
            put_strref (out, attendee->name, TRUE, pool);
          if (attendee->email != NULL)
            put_strref (out, attendee->email, TRUE, pool);
          if (attendee->response != NULL)
            put_strref (out, attendee->response, TRUE, pool);
        }
    }
  put_time_field (out, TAG_DUE_DATE, item->due_date);
  put_time_field (out, TAG_TASK_START_DATE, item->task_start_date);
  if (item->status != EWS_TASK_STATUS_UNKNOWN)
    {
      put_byte (out, TAG_STATUS);
      put_int (out, item->status);
    }
  if (item->percent_complete != -1)
    {
      put_byte (out, TAG_PERCENT);
      put_int (out, item->percent_complete);
    }
  if (item->error != NULL)
    {
      const char *domain = g_quark_to_string (item->error->domain);

      put_byte (out, TAG_ERROR);
      put_strref (out, domain != NULL ? domain : "", TRUE, pool);
      put_int (out, item->error->code);
      put_strref (out, item->error->message != NULL ? item->error->message : "", FALSE, pool);
    }
  ewn_store_writer_finish (out);
}

/* Reading: every length is checked, so a damaged record can only fail to decode. */

static gint64
read_int (EwnStoreReader *reader)
{
  guint64 value = ewn_store_read_varint (reader);

  return (gint64)(value >> 1) ^ -(gint64)(value & 1);
}

static gint64
read_time (EwnStoreReader *reader)
{
  const guint8 *bytes = ewn_store_read_bytes (reader, sizeof (gint64));
  gint64        usec = 0;

  if (bytes != NULL)
    memcpy (&usec, bytes, sizeof usec);
  return GINT64_FROM_LE (usec);
}

/* A string reference: its text (borrowed from the record or the pool) and length. */
static const char *
read_strref (EwnStoreReader *reader,
             EwnStorePool   *pool,
             gsize          *length,
             gboolean       *pooled)
{
  guint64     value = ewn_store_read_varint (reader);
  const char *text;

  *pooled = (value & 1) != 0;
  if (*pooled)
    {
      if (pool == NULL || (value >> 1) >= pool->slots->len || (text = ewn_store_pool_get (pool, (guint32)(value >> 1))) == NULL)
        {
          reader->failed = TRUE;
          return NULL;
        }
      *length = strlen (text);
      return text;
    }
  *length = (gsize)(value >> 1);
  return (const char *)ewn_store_read_bytes (reader, *length);
}

static char *
dup_strref (EwnStoreReader *reader,
            EwnStorePool   *pool)
{
  gsize       length;
  gboolean    pooled;
  const char *text = read_strref (reader, pool, &length, &pooled);

  return text != NULL ? g_strndup (text, length) : NULL;
}

static void
replace_string (char **field,
                char  *text)
{
  g_free (*field);
  *field = text;
}

static char **
string_field (EwsItem *item,
              guint8   tag)
{
  switch (tag)
    {
    case TAG_CHANGE_KEY:
      return &item->change_key;
    case TAG_PARENT_FOLDER_ID:
      return &item->parent_folder_id;
    case TAG_ITEM_CLASS:
      return &item->item_class;
    case TAG_SUBJECT:
      return &item->subject;
    case TAG_BODY_PREVIEW:
      return &item->body_preview;
    case TAG_LAST_MODIFIED_NAME:
      return &item->last_modified_name;
    case TAG_WEB_LINK:
      return &item->web_client_read_form_query_string;
    case TAG_LOCATION:
      return &item->location;
    case TAG_ORGANIZER_NAME:
      return &item->organizer_name;
    case TAG_ORGANIZER_EMAIL:
      return &item->organizer_email;
    case TAG_MY_RESPONSE_TYPE:
      return &item->my_response_type;
    default:
      g_assert_not_reached ();
    }
}

static gint64 *
time_field (EwsItem *item,
            guint8   tag)
{
  switch (tag)
    {
    case TAG_LAST_MODIFIED_TIME:
      return &item->last_modified_time;
    case TAG_START:
      return &item->start;
    case TAG_END:
      return &item->end;
    case TAG_DUE_DATE:
      return &item->due_date;
    case TAG_TASK_START_DATE:
      return &item->task_start_date;
    default:
      g_assert_not_reached ();
    }
}

static GPtrArray *
read_attendees (EwnStoreReader *reader,
                EwnStorePool   *pool)
{
  guint64    n = ewn_store_read_varint (reader);
  GPtrArray *attendees;

  /* every attendee takes a byte at least */
  if (n > (guint64)(reader->end - reader->pos))
    {
      reader->failed = TRUE;
      return NULL;
    }
  attendees = g_ptr_array_new_full ((guint)n, (GDestroyNotify)ews_attendee_free);
  for (guint64 i = 0; i < n && !reader->failed; i++)
    {
      EwsAttendee *attendee = ews_attendee_new ();
      guint8       mask = ewn_store_read_byte (reader);

      if ((mask & ~ATTENDEE_KNOWN) != 0)
        reader->failed = TRUE;
      if (mask & ATTENDEE_NAME)
        attendee->name = dup_strref (reader, pool);
      if (mask & ATTENDEE_EMAIL)
        attendee->email = dup_strref (reader, pool);
      if (mask & ATTENDEE_RESPONSE)
        attendee->response = dup_strref (reader, pool);
      attendee->required = (mask & ATTENDEE_REQUIRED) != 0;
      g_ptr_array_add (attendees, attendee);
    }
  return attendees;
}

/**
 * ewn_store_record_decode:
 * @folder_id: the folder the item is stored under
 * @pool: (nullable): the memory's string pool; %NULL for a record from disk
 *
 * Out-of-range enumerations and percentages become "unknown".
 *
 * Returns: (transfer full) (nullable): the item, %NULL for a damaged record
 */
EwsItem *
ewn_store_record_decode (const guint8 *record,
                         gsize         length,
                         const char   *folder_id,
                         EwnStorePool *pool)
{
  EwnStoreReader reader = { record, record + length, FALSE };
  const guint8  *nul = memchr (record, '\0', length);
  g_autoptr (EwsItem) item = NULL;
  guint8 kind, flags;

  if (nul == NULL)
    return NULL;
  reader.pos = nul + 1;
  kind = ewn_store_read_byte (&reader);
  flags = ewn_store_read_byte (&reader);
  item = ews_item_new (kind <= EWS_ITEM_KIND_MESSAGE ? kind : EWS_ITEM_KIND_OTHER);
  item->id = g_strdup ((const char *)record);
  item->is_all_day = (flags & FLAG_ALL_DAY) != 0;
  item->is_cancelled = (flags & FLAG_CANCELLED) != 0;
  item->is_complete = (flags & FLAG_COMPLETE) != 0;
  if (flags & FLAG_SAME_PARENT)
    item->parent_folder_id = g_strdup (folder_id);
  if ((flags & ~FLAGS_KNOWN) != 0)
    return NULL;

  while (reader.pos < reader.end && !reader.failed)
    {
      guint8 tag = ewn_store_read_byte (&reader);

      switch (tag < N_TAGS ? field_types[tag] : TYPE_NONE)
        {
        case TYPE_STRING:
        case TYPE_SHARED_STRING:
          replace_string (string_field (item, tag), dup_strref (&reader, pool));
          break;
        case TYPE_TIME:
          *time_field (item, tag) = read_time (&reader);
          break;
        case TYPE_INT:
          {
            gint64 value = read_int (&reader);

            if (tag == TAG_STATUS)
              item->status = value >= 0 && value <= EWS_TASK_STATUS_DEFERRED ? (EwsTaskStatus)value : EWS_TASK_STATUS_UNKNOWN;
            else
              item->percent_complete = value >= -1 && value <= 100 ? (int)value : -1;
            break;
          }
        case TYPE_ATTENDEES:
          g_clear_pointer (&item->attendees, g_ptr_array_unref);
          item->attendees = read_attendees (&reader, pool);
          break;
        case TYPE_ERROR:
          {
            g_autofree char *domain = dup_strref (&reader, pool);
            gint64           code = read_int (&reader);
            g_autofree char *message = dup_strref (&reader, pool);

            g_clear_error (&item->error);
            if (domain != NULL && *domain != '\0' && message != NULL)
              item->error = g_error_new_literal (g_quark_from_string (domain), (gint)code, message);
            break;
          }
        default:
          return NULL;
        }
    }
  return reader.failed ? NULL : g_steal_pointer (&item);
}

/* Transforms of records without decoding them */

typedef enum
{
  WALK_CHECK,   /* a record from disk: is it well formed? */
  WALK_RELEASE, /* a record in memory goes: unref its pooled strings */
  WALK_UNPOOL,  /* memory → disk */
  WALK_POOL,    /* disk → memory */
} WalkMode;

/* What a walk has appended to its output so far: the record is copied in runs, and
 * only the strings whose form changes are written apart. */
static void
flush_run (EwnStoreWriter *out,
           const guint8  **flushed,
           const guint8   *upto)
{
  if (out->out != NULL && upto > *flushed)
    ewn_store_writer_put (out, *flushed, (gsize)(upto - *flushed));
  *flushed = upto;
}

static gboolean
walk_strref (EwnStoreReader *reader,
             WalkMode        mode,
             gboolean        shared,
             EwnStorePool   *pool,
             EwnStoreWriter *out,
             const guint8  **flushed)
{
  const guint8 *start = reader->pos;
  guint64       value = ewn_store_read_varint (reader);
  const guint8 *bytes;

  if (reader->failed)
    return FALSE;
  if (value & 1)
    {
      guint32 index = (guint32)(value >> 1);

      if (mode == WALK_CHECK || mode == WALK_POOL)
        return FALSE; /* never on disk */
      if (mode == WALK_RELEASE)
        ewn_store_pool_unref (pool, index);
      else
        {
          const char *text = ewn_store_pool_get (pool, index);
          gsize       length = strlen (text);

          flush_run (out, flushed, start);
          ewn_store_writer_put_varint (out, (guint64)length << 1);
          ewn_store_writer_put (out, text, length);
          *flushed = reader->pos;
        }
      return TRUE;
    }
  bytes = ewn_store_read_bytes (reader, (gsize)(value >> 1));
  if (bytes == NULL)
    return FALSE;
  if (mode == WALK_POOL && shared)
    {
      g_autofree char *text = g_strndup ((const char *)bytes, (gsize)(value >> 1));

      flush_run (out, flushed, start);
      ewn_store_writer_put_varint (out, ((guint64)ewn_store_pool_ref (pool, text) << 1) | 1);
      *flushed = reader->pos;
    }
  return TRUE;
}

static gboolean
walk_fields (const guint8   *record,
             gsize           length,
             WalkMode        mode,
             EwnStorePool   *pool,
             EwnStoreWriter *out)
{
  EwnStoreReader reader = { record, record + length, FALSE };
  const guint8  *nul = memchr (record, '\0', length);
  const guint8  *flushed = record;

  if (nul == NULL || (gsize)(reader.end - nul) < 3 || (nul[2] & ~FLAGS_KNOWN) != 0)
    return FALSE;
  reader.pos = nul + 3;

  while (reader.pos < reader.end)
    {
      guint8    tag = ewn_store_read_byte (&reader);
      FieldType type = tag < N_TAGS ? field_types[tag] : TYPE_NONE;
      gboolean  ok = TRUE;

      switch (type)
        {
        case TYPE_STRING:
        case TYPE_SHARED_STRING:
          ok = walk_strref (&reader, mode, type == TYPE_SHARED_STRING, pool, out, &flushed);
          break;
        case TYPE_TIME:
          ok = ewn_store_read_bytes (&reader, sizeof (gint64)) != NULL;
          break;
        case TYPE_INT:
          ewn_store_read_varint (&reader);
          break;
        case TYPE_ATTENDEES:
          {
            guint64 n = ewn_store_read_varint (&reader);

            for (guint64 i = 0; i < n && ok && !reader.failed; i++)
              {
                guint8 mask = ewn_store_read_byte (&reader);

                ok = (mask & ~ATTENDEE_KNOWN) == 0;
                for (guint bit = ATTENDEE_NAME; bit <= ATTENDEE_RESPONSE && ok; bit <<= 1)
                  if (mask & bit)
                    ok = walk_strref (&reader, mode, TRUE, pool, out, &flushed);
              }
            break;
          }
        case TYPE_ERROR:
          ok = walk_strref (&reader, mode, TRUE, pool, out, &flushed);
          read_int (&reader);
          ok = ok && walk_strref (&reader, mode, FALSE, pool, out, &flushed);
          break;
        case TYPE_NONE:
        default:
          return FALSE;
        }
      if (!ok || reader.failed)
        return FALSE;
    }
  flush_run (out, &flushed, reader.end);
  return TRUE;
}

/* Walks @record; in the modes that write, appends its other form to @bytes. */
static gboolean
walk_record (const guint8 *record,
             gsize         length,
             WalkMode      mode,
             EwnStorePool *pool,
             GByteArray   *bytes)
{
  guint          before = bytes != NULL ? bytes->len : 0;
  EwnStoreWriter writer;
  gboolean       ok;

  ewn_store_writer_init (&writer, bytes);
  ok = walk_fields (record, length, mode, pool, &writer);
  if (ok)
    ewn_store_writer_finish (&writer);
  else if (bytes != NULL)
    g_byte_array_set_size (bytes, before);
  return ok;
}

/* Whether a record read from disk is well formed (without pool references). */
gboolean
ewn_store_record_check (const guint8 *record,
                        gsize         length)
{
  return walk_record (record, length, WALK_CHECK, NULL, NULL);
}

/* Appends @record (memory form) in the form for disk. */
void
ewn_store_record_unpool (GByteArray   *out,
                         const guint8 *record,
                         gsize         length,
                         EwnStorePool *pool)
{
  gboolean ok = walk_record (record, length, WALK_UNPOOL, pool, out);

  g_assert (ok);
}

/* Appends @record (checked, from disk) in the form for memory. */
void
ewn_store_record_pool (GByteArray   *out,
                       const guint8 *record,
                       gsize         length,
                       EwnStorePool *pool)
{
  gboolean ok = walk_record (record, length, WALK_POOL, pool, out);

  g_assert (ok);
}

/* Gives back the pooled strings of a record (memory form) that goes. */
void
ewn_store_record_release (const guint8 *record,
                          gsize         length,
                          EwnStorePool *pool)
{
  gboolean ok = walk_record (record, length, WALK_RELEASE, pool, NULL);

  g_assert (ok);
}
