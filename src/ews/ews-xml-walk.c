/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* Walking a document without its tree: the documents that come by the thousand go
 * to ews_xml_scan() first and to libxml2's SAX2 parser when it refuses them. */

#include "config.h"

#include <string.h>

#include "ews-types.h"
#include "ews-xml-private.h"

const char ews_xml_ns_soap[] = EWS_NS_SOAP;
const char ews_xml_ns_messages[] = EWS_NS_MESSAGES;
const char ews_xml_ns_types[] = EWS_NS_TYPES;

/* The interned copy of the namespace @uri, or NULL for another one. */
const char *
ews_xml_ns_intern (const char *uri,
                   gsize       length)
{
  static const char *const interned[] = { ews_xml_ns_soap, ews_xml_ns_messages, ews_xml_ns_types };

  for (gsize i = 0; i < G_N_ELEMENTS (interned); i++)
    if (length == strlen (interned[i]) && memcmp (uri, interned[i], length) == 0)
      return interned[i];
  return NULL;
}

/* A parser whose dictionary has grown past this (a server inventing names) is
 * replaced. */
#define SAX_MAX_DICT_NAMES 4096

static gint walking_off;

void
ews_xml_set_walking (gboolean enabled)
{
  g_atomic_int_set (&walking_off, !enabled);
}

static void
free_sax_context (gpointer ctxt)
{
  xmlFreeParserCtxt (ctxt);
}

/* One parser per thread, kept: a context and its dictionary cost more to set up
 * than a small document costs to parse. */
static GPrivate sax_context = G_PRIVATE_INIT (free_sax_context);

static xmlParserCtxt *
get_sax_context (void)
{
  xmlParserCtxt *ctxt = g_private_get (&sax_context);

  if (ctxt != NULL && ctxt->dict != NULL && xmlDictSize (ctxt->dict) > SAX_MAX_DICT_NAMES)
    ctxt = NULL;
  if (ctxt == NULL)
    {
      ctxt = xmlNewParserCtxt ();
      g_assert (ctxt != NULL);
      g_private_replace (&sax_context, ctxt);
    }
  return ctxt;
}

static void
sax_start (void           *user_data,
           const xmlChar  *localname,
           const xmlChar  *prefix,
           const xmlChar  *uri,
           int             n_namespaces,
           const xmlChar **namespaces,
           int             n_attributes,
           int             n_defaulted,
           const xmlChar **attributes)
{
  EwsXmlSax *sax = user_data;

  if (!sax->given_up)
    sax->funcs->start (sax, (const char *)uri, (const char *)localname, n_attributes, attributes);
}

static void
sax_end (void          *user_data,
         const xmlChar *localname,
         const xmlChar *prefix,
         const xmlChar *uri)
{
  EwsXmlSax *sax = user_data;

  if (!sax->given_up)
    sax->funcs->end (sax);
}

static void
sax_text (void          *user_data,
          const xmlChar *text,
          int            length)
{
  EwsXmlSax *sax = user_data;

  if (!sax->given_up && length > 0)
    sax->funcs->text (sax, (const char *)text, (gsize)length);
}

/* A document type declaration: refused, as ews_xml_parse_with_context() does. */
static void
sax_subset (void          *user_data,
            const xmlChar *name,
            const xmlChar *external_id,
            const xmlChar *system_id)
{
  ews_xml_sax_give_up (user_data);
}

/**
 * ews_xml_sax_parse:
 * @data: a complete XML document
 * @length: its length in bytes
 * @funcs: the callbacks
 * @user_data: for the callbacks, as @sax->user_data
 *
 * Parses @data with the options of ews_xml_parse(), calling @funcs for its elements
 * and text.
 *
 * Returns: %TRUE when @data is a well-formed document without a document type
 *   declaration and the callbacks did not give up; otherwise the caller parses it
 *   with ews_xml_parse(), which says what is wrong
 */
gboolean
ews_xml_sax_parse (const char           *data,
                   gsize                 length,
                   const EwsXmlSaxFuncs *funcs,
                   gpointer              user_data)
{
  EwsXmlSax sax = { funcs, user_data, NULL, FALSE };

  if (length > G_MAXINT || g_atomic_int_get (&walking_off))
    return FALSE;
  /* The plain XML servers write, read without libxml2 (ews-xml-scan.c). What that
   * refuses after the callbacks saw part of it goes to the tree-building parser. */
  switch (ews_xml_scan (data, length, &sax))
    {
    case EWS_XML_SCAN_READ:
      return !sax.given_up;
    case EWS_XML_SCAN_REFUSED_LATE:
      return FALSE;
    case EWS_XML_SCAN_REFUSED:
    default:
      return ews_xml_sax_parse_libxml2 (data, length, funcs, user_data);
    }
}

/**
 * ews_xml_sax_parse_libxml2:
 *
 * As ews_xml_sax_parse(), always with libxml2's parser.
 */
gboolean
ews_xml_sax_parse_libxml2 (const char           *data,
                           gsize                 length,
                           const EwsXmlSaxFuncs *funcs,
                           gpointer              user_data)
{
  EwsXmlSax      sax = { funcs, user_data, NULL, FALSE };
  xmlSAXHandler *handler;
  xmlDoc        *doc;
  gboolean       ok;

  if (length > G_MAXINT || g_atomic_int_get (&walking_off))
    return FALSE;
  sax.ctxt = get_sax_context ();
  handler = sax.ctxt->sax;
  memset (handler, 0, sizeof *handler);
  handler->initialized = XML_SAX2_MAGIC;
  handler->startElementNs = sax_start;
  handler->endElementNs = sax_end;
  handler->characters = sax_text;
  handler->ignorableWhitespace = sax_text;
  handler->internalSubset = sax_subset;
  handler->externalSubset = sax_subset;

  sax.ctxt->userData = &sax;
  doc = xmlCtxtReadMemory (sax.ctxt, data, (int)length, NULL, NULL, EWS_XML_PARSE_OPTIONS);
  ok = doc == NULL && sax.ctxt->wellFormed && !sax.given_up;
  g_clear_pointer (&doc, xmlFreeDoc);
  sax.ctxt->userData = sax.ctxt;
  return ok;
}

/* Stops the walk: ews_xml_sax_parse() returns FALSE. */
void
ews_xml_sax_give_up (EwsXmlSax *sax)
{
  sax->given_up = TRUE;
  if (sax->ctxt != NULL)
    xmlStopParser (sax->ctxt);
}

/**
 * ews_xml_sax_attr:
 * @n_attributes: as given to EwsXmlSaxFuncs.start
 * @attributes: as given to EwsXmlSaxFuncs.start
 * @name: an unqualified attribute
 *
 * The attribute as ews_xml_attr() reads it from a tree: libxml2 hands a walk "&#38;"
 * for every ampersand of the value, its other references already resolved.
 *
 * Returns: (transfer full) (nullable): its value
 */
char *
ews_xml_sax_attr (int             n_attributes,
                  const xmlChar **attributes,
                  const char     *name)
{
  for (int i = 0; i < n_attributes; i++)
    {
      const xmlChar **attribute = attributes + 5 * i;
      const char     *value = (const char *)attribute[3];
      gsize           length = attribute[4] - attribute[3];
      GString        *decoded;

      if (attribute[2] != NULL || strcmp ((const char *)attribute[0], name) != 0)
        continue;
      if (memchr (value, '&', length) == NULL)
        return g_strndup (value, length);
      decoded = g_string_sized_new (length);
      for (gsize j = 0; j < length; j++)
        {
          if (value[j] == '&' && length - j >= 5 && memcmp (value + j, "&#38;", 5) == 0)
            {
              g_string_append_c (decoded, '&');
              j += 4;
            }
          else
            g_string_append_c (decoded, value[j]);
        }
      return g_string_free (decoded, FALSE);
    }
  return NULL;
}
