/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <string.h>

#include "ews-error.h"
#include "ews-records.h"
#include "ews-types.h"
#include "ews-string-private.h"
#include "ews-xml-private.h"

/**
 * ews_xml_parse_with_context:
 * @ctxt: a parser context to reuse (reset here)
 * @data: a complete XML document
 * @length: its length in bytes
 * @error: return location for an %EWS_ERROR_PROTOCOL error
 *
 * Parses @data without network access, entity substitution or DTD loading, and
 * refuses documents that carry a DTD at all.
 *
 * Returns: (transfer full) (nullable): the document
 */
xmlDoc *
ews_xml_parse_with_context (xmlParserCtxt *ctxt,
                            const char    *data,
                            gsize          length,
                            GError       **error)
{
  xmlDoc *doc;

  g_assert (ctxt != NULL);

  if (length > G_MAXINT)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "XML document too large");
      return NULL;
    }

  doc = xmlCtxtReadMemory (ctxt, data, (int)length, NULL, NULL, EWS_XML_PARSE_OPTIONS);
  if (doc == NULL || !ctxt->wellFormed)
    {
      const xmlError  *xerr = xmlCtxtGetLastError (ctxt);
      g_autofree char *reason = NULL;

      if (xerr != NULL && xerr->message != NULL)
        reason = g_strstrip (g_strdup (xerr->message));
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL,
                   "Malformed XML at line %d: %s",
                   xerr != NULL ? xerr->line : 0,
                   reason != NULL ? reason : "unknown error");
      g_clear_pointer (&doc, xmlFreeDoc);
      return NULL;
    }

  if (doc->intSubset != NULL || doc->extSubset != NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL,
                   "XML document carries a document type declaration, which is not accepted");
      xmlFreeDoc (doc);
      return NULL;
    }

  return doc;
}

xmlDoc *
ews_xml_parse (const char *data,
               gsize       length,
               GError    **error)
{
  g_autoptr (xmlParserCtxt) ctxt = xmlNewParserCtxt ();

  if (ctxt == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_FAILED, "Out of memory");
      return NULL;
    }

  return ews_xml_parse_with_context (ctxt, data, length, error);
}

gboolean
ews_xml_is (const xmlNode *node,
            const char    *ns,
            const char    *name)
{
  if (node == NULL || node->type != XML_ELEMENT_NODE)
    return FALSE;
  if (strcmp ((const char *)node->name, name) != 0)
    return FALSE;
  if (ns == NULL)
    return TRUE;
  return node->ns != NULL && node->ns->href != NULL && strcmp ((const char *)node->ns->href, ns) == 0;
}

/* Servers write m: where the schema says t: (Notification, SubscriptionId in
 * ErrorSubscriptionIds), so some elements are accepted from either namespace. */
gboolean
ews_xml_is_ews (const xmlNode *node,
                const char    *name)
{
  return ews_xml_is (node, EWS_NS_MESSAGES, name) || ews_xml_is (node, EWS_NS_TYPES, name);
}

xmlNode *
ews_xml_first_element (xmlNode *node)
{
  for (; node != NULL; node = node->next)
    if (node->type == XML_ELEMENT_NODE)
      return node;
  return NULL;
}

xmlNode *
ews_xml_next_element (xmlNode *node)
{
  return node != NULL ? ews_xml_first_element (node->next) : NULL;
}

xmlNode *
ews_xml_child (xmlNode    *parent,
               const char *ns,
               const char *name)
{
  if (parent == NULL)
    return NULL;

  for (xmlNode *node = parent->children; node != NULL; node = node->next)
    if (ews_xml_is (node, ns, name))
      return node;
  return NULL;
}

xmlNode *
ews_xml_child_ews (xmlNode    *parent,
                   const char *name)
{
  if (parent == NULL)
    return NULL;

  for (xmlNode *node = parent->children; node != NULL; node = node->next)
    if (ews_xml_is_ews (node, name))
      return node;
  return NULL;
}

xmlNode *
ews_xml_next (xmlNode    *node,
              const char *ns,
              const char *name)
{
  if (node == NULL)
    return NULL;

  for (node = node->next; node != NULL; node = node->next)
    if (ews_xml_is (node, ns, name))
      return node;
  return NULL;
}

/**
 * ews_xml_text:
 * @node: an element
 *
 * Returns: (transfer full) (nullable): the text content of @node
 */
char *
ews_xml_text (const xmlNode *node)
{
  const xmlNode *child;

  if (node == NULL)
    return NULL;

  /* The common case, a single text node, without a libxml2 allocation. */
  child = node->children;
  if (child == NULL)
    return g_strdup ("");
  if (child->next == NULL && (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE))
    return g_strdup ((const char *)child->content);

  {
    xmlChar *content = xmlNodeGetContent (node);
    char    *text = g_strdup ((const char *)content);

    xmlFree (content);
    return text;
  }
}

char *
ews_xml_child_text (xmlNode    *parent,
                    const char *ns,
                    const char *name)
{
  return ews_xml_text (ews_xml_child (parent, ns, name));
}

char *
ews_xml_child_text_ews (xmlNode    *parent,
                        const char *name)
{
  return ews_xml_text (ews_xml_child_ews (parent, name));
}

char *
ews_xml_attr (const xmlNode *node,
              const char    *name)
{
  if (node == NULL)
    return NULL;

  /* Attributes of EWS elements are unqualified. */
  for (const xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    if (attr->ns == NULL && strcmp ((const char *)attr->name, name) == 0)
      {
        if (attr->children != NULL && attr->children->next == NULL && attr->children->type == XML_TEXT_NODE)
          return g_strdup ((const char *)attr->children->content);
        else
          {
            xmlChar *value = xmlNodeGetContent ((const xmlNode *)attr);
            char    *copy = g_strdup ((const char *)value);

            xmlFree (value);
            return copy;
          }
      }
  return NULL;
}

gboolean
ews_xml_parse_boolean (const char *text,
                       gboolean    fallback)
{
  if (text == NULL)
    return fallback;
  if (g_str_equal (text, "true") || g_str_equal (text, "1"))
    return TRUE;
  if (g_str_equal (text, "false") || g_str_equal (text, "0"))
    return FALSE;
  return fallback;
}

static int
digits_value (const char *text,
              int         n)
{
  int value = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return -1;
      value = value * 10 + (text[i] - '0');
    }
  return value;
}

/* Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm). */
static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  gint64 y = year - (month <= 2);
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SSZ", what servers send almost always, without
 * g_date_time_new_from_iso8601() and its time zones; EWS_TIME_NONE for anything else. */
static gint64
parse_plain_utc (const char *text)
{
  int year, month, day, hour, minute, second;

  if (strlen (text) != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z')
    return EWS_TIME_NONE;
  year = digits_value (text, 4);
  month = digits_value (text + 5, 2);
  day = digits_value (text + 8, 2);
  hour = digits_value (text + 11, 2);
  minute = digits_value (text + 14, 2);
  second = digits_value (text + 17, 2);
  if (year < 1 || month < 1 || day < 1 || !g_date_valid_dmy ((GDateDay)day, (GDateMonth)month, (GDateYear)year) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
    return EWS_TIME_NONE;
  return (days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60 + second) * G_USEC_PER_SEC;
}

/**
 * ews_xml_parse_time:
 * @text: (nullable): an xs:dateTime or xs:date
 *
 * Returns: @text in microseconds since the Unix epoch; a value without a zone is
 *   taken as UTC. %EWS_TIME_NONE for an empty or invalid @text.
 */
gint64
ews_xml_parse_time (const char *text)
{
  g_autoptr (GTimeZone) utc = NULL;
  g_autoptr (GDateTime) parsed = NULL;
  gint64 plain;

  if (text == NULL || *text == '\0')
    return EWS_TIME_NONE;
  plain = parse_plain_utc (text);
  if (plain != EWS_TIME_NONE)
    return plain;

  utc = g_time_zone_new_utc ();
  parsed = g_date_time_new_from_iso8601 (text, utc);
  if (parsed == NULL && strlen (text) == 10)
    {
      /* xs:date, as some servers send for task dates */
      g_autofree char *midnight = g_strconcat (text, "T00:00:00Z", NULL);
      parsed = g_date_time_new_from_iso8601 (midnight, utc);
    }
  return ews_time_from_date_time (parsed);
}

/**
 * ews_xml_parse_date_time:
 * @text: (nullable): an xs:dateTime or xs:date
 *
 * Returns: (transfer full) (nullable): @text in UTC; a value without a zone is taken as UTC
 */
GDateTime *
ews_xml_parse_date_time (const char *text)
{
  return ews_time_to_date_time (ews_xml_parse_time (text));
}

#define EARLIEST_TIME (G_GINT64_CONSTANT (-62135596800) * G_USEC_PER_SEC)                      /* 0001-01-01T00:00:00Z */
#define LATEST_TIME   (G_GINT64_CONSTANT (253402300799) * G_USEC_PER_SEC + G_USEC_PER_SEC - 1) /* 9999-12-31T23:59:59.999999Z */

/**
 * ews_time_new_utc:
 * @year: 1 to 9999
 * @month: 1 to 12
 * @day: 1 to 31, valid in @month
 * @hour: 0 to 23
 * @minute: 0 to 59
 * @second: 0 to 59
 *
 * Returns: that time in UTC, in microseconds since the Unix epoch
 */
gint64
ews_time_new_utc (int year,
                  int month,
                  int day,
                  int hour,
                  int minute,
                  int second)
{
  g_return_val_if_fail (year >= 1 && year <= 9999 && g_date_valid_dmy ((GDateDay)day, (GDateMonth)month, (GDateYear)year), EWS_TIME_NONE);
  g_return_val_if_fail (hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60, EWS_TIME_NONE);

  return (days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60 + second) * G_USEC_PER_SEC;
}

/**
 * ews_time_to_date_time:
 * @time: microseconds since the Unix epoch, or %EWS_TIME_NONE
 *
 * Returns: (transfer full) (nullable): @time in UTC, %NULL for %EWS_TIME_NONE
 */
GDateTime *
ews_time_to_date_time (gint64 time)
{
  gint64 rest;
  g_autoptr (GDateTime) seconds = NULL;

  /* what GDateTime holds, years 1 to 9999 (and no overflow below) */
  if (time < EARLIEST_TIME || time > LATEST_TIME)
    return NULL;
  rest = ((time % G_USEC_PER_SEC) + G_USEC_PER_SEC) % G_USEC_PER_SEC;
  seconds = g_date_time_new_from_unix_utc ((time - rest) / G_USEC_PER_SEC);
  if (seconds == NULL || rest == 0)
    return g_steal_pointer (&seconds);
  return g_date_time_add (seconds, rest);
}

/**
 * ews_time_from_date_time:
 * @date_time: (nullable): a #GDateTime
 *
 * Returns: @date_time in microseconds since the Unix epoch, %EWS_TIME_NONE for %NULL
 */
gint64
ews_time_from_date_time (GDateTime *date_time)
{
  if (date_time == NULL)
    return EWS_TIME_NONE;
  return g_date_time_to_unix (date_time) * G_USEC_PER_SEC + g_date_time_get_microsecond (date_time);
}

/**
 * ews_xml_time_cache_parse:
 * @cache: the last time read
 * @text: (nullable): as for ews_xml_parse_date_time()
 *
 * Returns: (transfer full) (nullable): what ews_xml_parse_date_time() returns
 */
GDateTime *
ews_xml_time_cache_parse (EwsXmlTimeCache *cache,
                          const char      *text)
{
  GDateTime *value;

  if (text != NULL && cache->value != NULL && strcmp (text, cache->text) == 0)
    return g_date_time_ref (cache->value);
  value = ews_xml_parse_date_time (text);
  if (value != NULL && strlen (text) < sizeof cache->text)
    {
      ews_xml_time_cache_clear (cache);
      strcpy (cache->text, text);
      cache->value = g_date_time_ref (value);
    }
  return value;
}

void
ews_xml_time_cache_clear (EwsXmlTimeCache *cache)
{
  g_clear_pointer (&cache->value, g_date_time_unref);
  cache->text[0] = '\0';
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm). */
static void
civil_from_days (gint64  days,
                 gint64 *year,
                 int    *month,
                 int    *day)
{
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;

  *day = (int)(doy - (153 * mp + 2) / 5 + 1);
  *month = (int)(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2);
}

static char *
put_two_digits (char *out,
                int   value)
{
  out[0] = (char)('0' + value / 10);
  out[1] = (char)('0' + value % 10);
  return out + 2;
}

/**
 * ews_time_append:
 * @out: where to append
 * @time: microseconds since the Unix epoch, not %EWS_TIME_NONE
 *
 * Appends @time in UTC as "YYYY-MM-DDTHH:MM:SSZ", as
 * g_date_time_format ("%Y-%m-%dT%H:%M:%SZ") of it in UTC writes it, without a
 * #GDateTime and the format parsing: a burst writes hundreds of thousands.
 */
void
ews_time_append (GString *out,
                 gint64   time)
{
  gint64 seconds = time / G_USEC_PER_SEC - (time % G_USEC_PER_SEC < 0 ? 1 : 0);
  gint64 days = seconds / 86400 - (seconds % 86400 < 0 ? 1 : 0);
  int    second_of_day = (int)(seconds - days * 86400);
  gint64 year;
  int    month, day;
  char   rest[17];
  char  *p = rest;

  civil_from_days (days, &year, &month, &day);
  *p++ = '-';
  p = put_two_digits (p, month);
  *p++ = '-';
  p = put_two_digits (p, day);
  *p++ = 'T';
  p = put_two_digits (p, second_of_day / 3600);
  *p++ = ':';
  p = put_two_digits (p, second_of_day / 60 % 60);
  *p++ = ':';
  p = put_two_digits (p, second_of_day % 60);
  *p++ = 'Z';
  if (year >= 1000 && year <= 9999)
    {
      char digits[4] = { (char)('0' + year / 1000), (char)('0' + year / 100 % 10), (char)('0' + year / 10 % 10), (char)('0' + year % 10) };

      ews_string_append_len (out, digits, sizeof digits);
    }
  else
    g_string_append_printf (out, "%" G_GINT64_FORMAT, year);
  ews_string_append_len (out, rest, p - rest);
}

/**
 * ews_xml_append_date_time:
 * @out: where to append
 * @date_time: a #GDateTime
 *
 * Appends @date_time as ews_time_append() does.
 */
void
ews_xml_append_date_time (GString   *out,
                          GDateTime *date_time)
{
  ews_time_append (out, g_date_time_to_unix (date_time) * G_USEC_PER_SEC);
}

/**
 * ews_xml_format_date_time:
 * @date_time: a #GDateTime
 *
 * Returns: (transfer full): @date_time in UTC as "YYYY-MM-DDTHH:MM:SSZ"
 */
char *
ews_xml_format_date_time (GDateTime *date_time)
{
  GString *out;

  g_return_val_if_fail (date_time != NULL, NULL);

  out = g_string_sized_new (24);
  ews_xml_append_date_time (out, date_time);
  return g_string_free (out, FALSE);
}

/**
 * ews_xml_soap_body:
 * @doc: a SOAP 1.1 envelope
 * @error: set to the fault when the body is a SOAP Fault, or to a protocol error
 *
 * Returns: (transfer none) (nullable): the first element inside soap:Body
 */
xmlNode *
ews_xml_soap_body (xmlDoc  *doc,
                   GError **error)
{
  xmlNode *root = xmlDocGetRootElement (doc);
  xmlNode *body;
  xmlNode *content;

  if (!ews_xml_is (root, EWS_NS_SOAP, "Envelope"))
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "Response is not a SOAP envelope");
      return NULL;
    }

  body = ews_xml_child (root, EWS_NS_SOAP, "Body");
  content = body != NULL ? ews_xml_first_element (body->children) : NULL;
  if (content == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "SOAP envelope has an empty body");
      return NULL;
    }

  if (ews_xml_is (content, EWS_NS_SOAP, "Fault"))
    {
      g_propagate_error (error, ews_xml_fault_to_error (content));
      return NULL;
    }

  return content;
}

static guint
parse_back_off (xmlNode *message_xml)
{
  for (xmlNode *node = message_xml != NULL ? message_xml->children : NULL; node != NULL; node = node->next)
    {
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (!ews_xml_is (node, EWS_NS_TYPES, "Value"))
        continue;
      name = ews_xml_attr (node, "Name");
      if (g_strcmp0 (name, "BackOffMilliseconds") != 0)
        continue;
      value = ews_xml_text (node);
      return (guint)MIN (g_ascii_strtoull (value, NULL, 10), G_MAXUINT);
    }
  return 0;
}

/**
 * ews_xml_fault_to_error:
 * @fault: a soap:Fault element
 *
 * Exchange puts its ResponseCode and MessageXml into the fault's detail, so a fault
 * maps to the same #EwsError as a ResponseMessage would.
 *
 * Returns: (transfer full): the error
 */
GError *
ews_xml_fault_to_error (xmlNode *fault)
{
  g_autofree char *faultcode = ews_xml_child_text (fault, NULL, "faultcode");
  g_autofree char *faultstring = ews_xml_child_text (fault, NULL, "faultstring");
  xmlNode         *detail = ews_xml_child (fault, NULL, "detail");
  g_autofree char *response_code = ews_xml_child_text (detail, EWS_NS_ERRORS, "ResponseCode");
  g_autofree char *message = ews_xml_child_text (detail, EWS_NS_ERRORS, "Message");
  xmlNode         *message_xml = ews_xml_child (detail, EWS_NS_TYPES, "MessageXml");

  if (response_code == NULL)
    response_code = ews_xml_child_text_ews (detail, "ResponseCode");
  if (message_xml == NULL)
    message_xml = ews_xml_child_ews (detail, "MessageXml");

  if (response_code != NULL)
    return ews_error_new_from_response (response_code,
                                        message != NULL ? message : faultstring,
                                        parse_back_off (message_xml));

  return g_error_new (EWS_ERROR, EWS_ERROR_FAILED, "SOAP fault %s: %s",
                      faultcode != NULL ? faultcode : "(no code)",
                      faultstring != NULL ? faultstring : "(no text)");
}

/**
 * ews_xml_response_message_error:
 * @message: a *ResponseMessage element
 *
 * Returns: (transfer full) (nullable): %NULL when ResponseClass is Success (or
 *   Warning), else the error it carries
 */
GError *
ews_xml_response_message_error (xmlNode *message)
{
  g_autofree char *response_class = ews_xml_attr (message, "ResponseClass");
  g_autofree char *response_code = NULL;
  g_autofree char *message_text = NULL;
  xmlNode         *message_xml;
  guint            back_off;

  if (response_class == NULL || !g_str_equal (response_class, "Error"))
    return NULL;

  response_code = ews_xml_child_text (message, EWS_NS_MESSAGES, "ResponseCode");
  message_text = ews_xml_child_text (message, EWS_NS_MESSAGES, "MessageText");
  message_xml = ews_xml_child (message, EWS_NS_MESSAGES, "MessageXml");
  back_off = parse_back_off (message_xml);

  /* Throttling reported as ErrorInternalServerError with an inner ErrorServerBusy. */
  if (g_strcmp0 (response_code, "ErrorInternalServerError") == 0 && ((message_text != NULL && strstr (message_text, "ErrorServerBusy") != NULL) || back_off > 0))
    {
      g_free (response_code);
      response_code = g_strdup ("ErrorServerBusy");
    }

  return ews_error_new_from_response (response_code != NULL ? response_code : "ErrorInternalServerError",
                                      message_text, back_off);
}

void
ews_xml_append_escaped (GString    *out,
                        const char *text)
{
  if (text == NULL)
    return;
  for (;;)
    {
      /* Runs without a character to escape go in at once. */
      gsize run = strcspn (text, "&<>\"'");

      ews_string_append_len (out, text, (gssize)run);
      text += run;
      switch (*text)
        {
        case '\0':
          return;
        case '&':
          ews_string_append (out, "&amp;");
          break;
        case '<':
          ews_string_append (out, "&lt;");
          break;
        case '>':
          ews_string_append (out, "&gt;");
          break;
        case '"':
          ews_string_append (out, "&quot;");
          break;
        default:
          ews_string_append (out, "&apos;");
          break;
        }
      text++;
    }
}
