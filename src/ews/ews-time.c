/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <string.h>

#include "ews-records.h"
#include "ews-string-private.h"
#include "ews-xml-private.h"

/* Times as EWS writes them, "YYYY-MM-DDTHH:MM:SSZ", and as items keep them,
 * microseconds since the Unix epoch in UTC: read and written without GDateTime where a
 * burst meets them hundreds of thousands of times. */

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
