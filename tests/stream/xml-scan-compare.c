/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <string.h>

#include "xml-scan-compare.h"

typedef struct
{
  GString *out;
  GString *text;    /* joined until the next element, as the walks join it */
  guint    n_calls; /* of start and end: text comes in pieces that differ */
  guint    give_up_at;
} Record;

static void
flush_text (Record *record)
{
  if (record->text->len == 0)
    return;
  g_string_append (record->out, "text ");
  g_string_append_len (record->out, record->text->str, (gssize)record->text->len);
  g_string_append_c (record->out, '\n');
  g_string_truncate (record->text, 0);
}

static void
count_call (EwsXmlSax *sax,
            Record    *record)
{
  if (++record->n_calls == record->give_up_at)
    {
      flush_text (record);
      g_string_append (record->out, "gave up\n");
      ews_xml_sax_give_up (sax);
    }
}

static void
record_start (EwsXmlSax      *sax,
              const char     *ns,
              const char     *name,
              int             n_attributes,
              const xmlChar **attributes)
{
  Record *record = sax->user_data;

  flush_text (record);
  g_string_append_printf (record->out, "start {%s}%s", ns != NULL ? ns : "", name);
  for (int i = 0; i < n_attributes; i++)
    {
      const xmlChar  **attribute = attributes + 5 * i;
      g_autofree char *value = ews_xml_sax_attr (n_attributes, attributes, (const char *)attribute[0]);

      /* ews_xml_sax_attr() finds the first attribute of that name in no namespace */
      g_string_append_printf (record->out, " {%s}%s=[%.*s]", attribute[2] != NULL ? (const char *)attribute[2] : "",
                              (const char *)attribute[0], (int)(attribute[4] - attribute[3]), (const char *)attribute[3]);
      if (attribute[2] == NULL)
        g_string_append_printf (record->out, "=[%s]", value);
    }
  g_string_append_c (record->out, '\n');
  count_call (sax, record);
}

static void
record_end (EwsXmlSax *sax)
{
  Record *record = sax->user_data;

  flush_text (record);
  g_string_append (record->out, "end\n");
  count_call (sax, record);
}

static void
record_text (EwsXmlSax  *sax,
             const char *text,
             gsize       length)
{
  Record *record = sax->user_data;

  g_assert_cmpuint (length, >, 0);
  g_string_append_len (record->text, text, (gssize)length);
}

static const EwsXmlSaxFuncs record_funcs = { record_start, record_end, record_text };

EwsXmlScanResult
xml_scan_compare (const char *data,
                  gsize       length,
                  guint       give_up_at)
{
  Record           scanned = { g_string_new (NULL), g_string_new (NULL), 0, give_up_at };
  Record           walked = { g_string_new (NULL), g_string_new (NULL), 0, give_up_at };
  EwsXmlSax        sax = { &record_funcs, &scanned, NULL, FALSE };
  EwsXmlScanResult result = ews_xml_scan (data, length, &sax);

  if (result == EWS_XML_SCAN_REFUSED)
    g_assert_cmpuint (scanned.n_calls, ==, 0);
  if (result == EWS_XML_SCAN_READ)
    {
      gboolean libxml2_read = ews_xml_sax_parse_libxml2 (data, length, &record_funcs, &walked);

      flush_text (&scanned);
      flush_text (&walked);
      g_assert_cmpstr (scanned.out->str, ==, walked.out->str);
      g_assert_true (sax.given_up == (scanned.n_calls >= give_up_at && give_up_at > 0));
      g_assert_true (libxml2_read == !sax.given_up);
    }
  g_string_free (scanned.out, TRUE);
  g_string_free (scanned.text, TRUE);
  g_string_free (walked.out, TRUE);
  g_string_free (walked.text, TRUE);
  return result;
}
