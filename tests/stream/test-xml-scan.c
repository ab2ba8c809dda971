/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* ews_xml_scan(), the reader in front of libxml2 for the documents that come by the
 * thousand: it reads the real messages, and whatever it reads, libxml2 reads alike.
 * Every document here also goes through libxml2 (xml-scan-compare.c). */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "stream-test-util.h"
#include "xml-scan-compare.h"

#define NS_S "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_M "http://schemas.microsoft.com/exchange/services/2006/messages"
#define NS_T "http://schemas.microsoft.com/exchange/services/2006/types"

static GPtrArray *
fixture_names (void)
{
  g_autoptr (GDir) dir = g_dir_open (g_getenv ("EWS_FIXTURES_DIR"), 0, NULL);
  GPtrArray  *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_suffix (name, ".xml"))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, (GCompareFunc)g_strcmp0);
  g_assert_cmpuint (names->len, >, 20);
  return names;
}

/* Every fixture, the servers' answers and the clients' requests alike, is plain
 * enough for the scanner, and it reads each as libxml2 does. */
static void
test_fixtures (void)
{
  g_autoptr (GPtrArray) names = fixture_names ();

  for (guint i = 0; i < names->len; i++)
    {
      gsize            length;
      g_autofree char *data = stream_load_fixture (names->pdata[i], &length);

      g_test_message ("%s", (const char *)names->pdata[i]);
      g_assert_cmpint (xml_scan_compare (data, length, 0), ==, EWS_XML_SCAN_READ);
    }
}

/* A walk that stops at each element in turn stops both readers at the same place. */
static void
test_give_up (void)
{
  gsize            length;
  g_autofree char *data = stream_load_fixture ("syncfolderitems-response.xml", &length);

  for (guint at = 1; at < 200; at++)
    g_assert_cmpint (xml_scan_compare (data, length, at), ==, EWS_XML_SCAN_READ);
}

typedef struct
{
  const char *xml;
  gboolean    read; /* FALSE: refused, and libxml2 reads it or says what is wrong */
} Case;

static const Case cases[] = {
  /* read */
  { "<a/>", TRUE },
  { " \n<a>x</a>\n ", TRUE },
  { "<?xml version=\"1.0\"?><a/>", TRUE },
  { "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<a/>", TRUE },
  { "<?xml version=\"1.0\" standalone=\"no\"?><a/>", TRUE },
  { "<s:E xmlns:s=\"" NS_S "\"><s:B/></s:E>", TRUE },
  { "<E xmlns=\"" NS_T "\"><B xmlns=\"\"/><C/></E>", TRUE },
  { "<p:a xmlns:p=\"u1\"><p:b xmlns:p=\"u2\"/><p:c/></p:a>", TRUE },
  { "<a x=\"1\" y='2' z = \"3\" >t</a >", TRUE },
  { "<a p:x=\"1\" x=\"2\" xmlns:p=\"u\"/>", TRUE },
  { "<a x='say \"hi\"' y=\"it's\"/>", TRUE },
  { "<a>&amp;&lt;&gt;&quot;&apos;</a>", TRUE },
  { "<a>x&#65;&#x42;&#x1F600;y</a>", TRUE },
  { "<a>&#13;&#9;</a>", TRUE },
  { "<a>line\r\nnext\rlast\r</a>", TRUE },
  { "<a>K\xc3\xb6ln \xe2\x86\x92 \xf0\x9f\x98\x80</a>", TRUE },
  { "<a x=\"\xc3\xa9\"/>", TRUE },
  { "<a>]] > ]]</a>", TRUE },
  { "<a\n\tx='1'\r\n/>", TRUE },
  { "<a.b-c_d/>", TRUE },
  { "<a xml:lang=\"de\"/>", TRUE },
  /* refused: not well-formed */
  { "", FALSE },
  { "   ", FALSE },
  { "text", FALSE },
  { "<a>", FALSE },
  { "<a></b>", FALSE },
  { "<a><b></a></b>", FALSE },
  { "</a>", FALSE },
  { "<a/><b/>", FALSE },
  { "<a/>x", FALSE },
  { "<a x=\"1\" x=\"2\"/>", FALSE },
  { "<a p:x=\"1\" q:x=\"2\" xmlns:p=\"u\" xmlns:q=\"u\"/>", FALSE },
  { "<a x=\"1\"y=\"2\"/>", FALSE },
  { "<a x=1/>", FALSE },
  { "<a x=\"<\"/>", FALSE },
  { "<a>]]></a>", FALSE },
  { "<a>&bogus;</a>", FALSE },
  { "<a>&amp</a>", FALSE },
  { "<a>&#0;</a>", FALSE },
  { "<a>&#xD800;</a>", FALSE },
  { "<a>&#x110000;</a>", FALSE },
  { "<a>&#;</a>", FALSE },
  { "<a>\x01</a>", FALSE },
  { "<a>\xc3</a>", FALSE },
  { "<a>\xc0\xaf</a>", FALSE },
  { "<a>\xed\xa0\x80</a>", FALSE },
  { "<a>\xef\xbf\xbe</a>", FALSE },
  { "<p:a/>", FALSE },
  { "<a xmlns:p=\"\"/>", FALSE },
  { "<a xmlns:p=\"u\" xmlns:p=\"v\"/>", FALSE },
  { "<a xmlns:xmlns=\"u\"/>", FALSE },
  { "<a:b:c xmlns:a=\"u\"/>", FALSE },
  { "<xml:a/>", FALSE },
  { "<a xmlns:x=\"http://www.w3.org/XML/1998/namespace\"/>", FALSE },
  { "<1a/>", FALSE },
  { " <?xml version=\"1.0\"?><a/>", FALSE },
  { "<?xml version=\"1.0\"?><?xml version=\"1.0\"?><a/>", FALSE },
  /* refused: well-formed, left to libxml2 */
  { "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>", FALSE },
  { "<!DOCTYPE a><a/>", FALSE },
  { "<a><!-- c --></a>", FALSE },
  { "<a><![CDATA[x]]></a>", FALSE },
  { "<a><?pi x?></a>", FALSE },
  { "<a x=\"&amp;\"/>", FALSE },
  { "<a x=\"1\n2\"/>", FALSE },
  { "<\xc3\xa9/>", FALSE },
  { "\xef\xbb\xbf<a/>", FALSE },
};

static void
test_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].xml);
      if (cases[i].read)
        g_assert_cmpint (xml_scan_compare (cases[i].xml, strlen (cases[i].xml), 0), ==, EWS_XML_SCAN_READ);
      else
        g_assert_cmpint (xml_scan_compare (cases[i].xml, strlen (cases[i].xml), 0), !=, EWS_XML_SCAN_READ);
    }
}

/* Deeper than libxml2 goes is refused. */
static void
test_depth (void)
{
  g_autoptr (GString) xml = g_string_new (NULL);

  for (guint i = 0; i < 300; i++)
    g_string_append (xml, "<a>");
  for (guint i = 0; i < 300; i++)
    g_string_append (xml, "</a>");
  g_assert_cmpint (xml_scan_compare (xml->str, xml->len, 0), !=, EWS_XML_SCAN_READ);
}

/* Every fixture cut short at every byte, and with bytes that matter to XML put in,
 * or taken out, all along it: whatever the scanner still reads, libxml2 reads alike. */
static void
test_damaged (void)
{
  static const char put[] = { '<', '>', '&', ';', '"', '\'', '=', ':', '/', ' ', ']', '\r', '\t', '\x01', '\xc3', '\xff', '#', 'x', '?', '!' };
  g_autoptr (GPtrArray) names = fixture_names ();
  guint n_read = 0, n_tried = 0;

  for (guint i = 0; i < names->len; i++)
    {
      gsize            length;
      g_autofree char *data = stream_load_fixture (names->pdata[i], &length);
      g_autofree char *copy = g_malloc (length + 1);

      /* cut short: refused, but after the root's end tag */
      for (gsize cut = 0; cut < length; cut += 1 + cut / 64)
        {
          if (xml_scan_compare (data, cut, 0) == EWS_XML_SCAN_READ)
            g_assert_null (g_strstr_len (data + cut, (gssize)(length - cut), "<"));
        }
      for (gsize at = 0; at < length; at += 3 + at % 13)
        {
          /* one byte taken out */
          memcpy (copy, data, at);
          memcpy (copy + at, data + at + 1, length - at - 1);
          n_read += xml_scan_compare (copy, length - 1, 0) == EWS_XML_SCAN_READ;
          n_tried++;
          /* one byte put in its place */
          for (guint k = 0; k < G_N_ELEMENTS (put); k++)
            {
              memcpy (copy, data, length);
              copy[at] = put[k];
              n_read += xml_scan_compare (copy, length, 0) == EWS_XML_SCAN_READ;
              n_tried++;
            }
        }
    }
  g_test_message ("%u of %u damaged documents read by the scanner, all as libxml2 reads them", n_read, n_tried);
  g_assert_cmpuint (n_read, >, 0);
}

/* The namespaces of EWS come out of the scanner as their interned copies; every
 * other way of comparing them gives the same answer as strcmp(). */
static void
test_interned_namespaces (void)
{
  char types[] = EWS_NS_TYPES;

  g_assert_true (ews_xml_ns_intern (EWS_NS_TYPES, strlen (EWS_NS_TYPES)) == ews_xml_ns_types);
  g_assert_true (ews_xml_ns_intern (EWS_NS_MESSAGES, strlen (EWS_NS_MESSAGES)) == ews_xml_ns_messages);
  g_assert_true (ews_xml_ns_intern (EWS_NS_SOAP, strlen (EWS_NS_SOAP)) == ews_xml_ns_soap);
  g_assert_null (ews_xml_ns_intern (EWS_NS_TYPES, strlen (EWS_NS_TYPES) - 1));
  g_assert_null (ews_xml_ns_intern (EWS_NS_ERRORS, strlen (EWS_NS_ERRORS)));

  g_assert_true (ews_xml_ns_is (ews_xml_ns_types, ews_xml_ns_types));
  g_assert_true (ews_xml_ns_is (types, ews_xml_ns_types));
  g_assert_true (ews_xml_ns_is (ews_xml_ns_types, types));
  g_assert_true (ews_xml_ns_is (types, EWS_NS_TYPES));
  g_assert_false (ews_xml_ns_is (ews_xml_ns_messages, ews_xml_ns_types));
  g_assert_false (ews_xml_ns_is (ews_xml_ns_types, EWS_NS_MESSAGES));
  g_assert_false (ews_xml_ns_is (NULL, ews_xml_ns_types));
  g_assert_false (ews_xml_ns_is (ews_xml_ns_types, NULL));
  g_assert_true (ews_xml_ns_is (NULL, NULL));
  types[strlen (types) - 1] = 'S';
  g_assert_false (ews_xml_ns_is (types, ews_xml_ns_types));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/xml-scan/fixtures", test_fixtures);
  g_test_add_func ("/xml-scan/give-up", test_give_up);
  g_test_add_func ("/xml-scan/cases", test_cases);
  g_test_add_func ("/xml-scan/depth", test_depth);
  g_test_add_func ("/xml-scan/damaged", test_damaged);
  g_test_add_func ("/xml-scan/interned-namespaces", test_interned_namespaces);
  return g_test_run ();
}
