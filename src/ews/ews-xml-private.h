/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <string.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlParserCtxt, xmlFreeParserCtxt)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlBuffer, xmlBufferFree)

/* Parse options for everything that comes from a server or a client: no network,
 * no entity substitution, no DTD loading. DTDs are refused after parsing. */
#define EWS_XML_PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_COMPACT)

/* A document walked without building its tree, for the answers that come by the
 * thousand (stream envelopes, SyncFolderItems pages). The callbacks see elements by
 * namespace URI and local name, and text as it comes (entities resolved, CDATA as
 * text, attribute values as libxml2 gives them: see ews_xml_sax_attr()). */
typedef struct _EwsXmlSax EwsXmlSax;

typedef struct
{
  void (*start) (EwsXmlSax      *sax,
                 const char     *ns,
                 const char     *name,
                 int             n_attributes,
                 const xmlChar **attributes);
  void (*end) (EwsXmlSax *sax);
  void (*text) (EwsXmlSax  *sax,
                const char *text,
                gsize       length);
} EwsXmlSaxFuncs;

struct _EwsXmlSax
{
  const EwsXmlSaxFuncs *funcs;
  gpointer              user_data;
  xmlParserCtxt        *ctxt;
  gboolean              given_up;
};

gboolean ews_xml_sax_parse (const char           *data,
                            gsize                 length,
                            const EwsXmlSaxFuncs *funcs,
                            gpointer              user_data);
void     ews_xml_sax_give_up (EwsXmlSax *sax);
/* libxml2's walk alone, without ews_xml_scan() in front: for the tests that compare. */
gboolean ews_xml_sax_parse_libxml2 (const char           *data,
                                    gsize                 length,
                                    const EwsXmlSaxFuncs *funcs,
                                    gpointer              user_data);

typedef enum
{
  EWS_XML_SCAN_READ,
  EWS_XML_SCAN_REFUSED,
  EWS_XML_SCAN_REFUSED_LATE,
} EwsXmlScanResult;

EwsXmlScanResult  ews_xml_scan (const char *data,
                                gsize       length,
                                EwsXmlSax  *sax);
char             *ews_xml_sax_attr (int             n_attributes,
                                    const xmlChar **attributes,
                                    const char     *name);
/* The namespaces of EWS, one copy of each: ews_xml_scan() hands these out for them,
 * and a walk that asks for them by these names compares pointers. */
extern const char ews_xml_ns_soap[];
extern const char ews_xml_ns_messages[];
extern const char ews_xml_ns_types[];

const char       *ews_xml_ns_intern (const char *uri,
                                     gsize       length);

static inline gboolean
ews_xml_ns_is_interned (const char *ns)
{
  return ns == ews_xml_ns_soap || ns == ews_xml_ns_messages || ns == ews_xml_ns_types;
}

/* Whether @ns is @want; two different interned namespaces differ without a look
 * at their 52 common first characters. */
static inline gboolean
ews_xml_ns_is (const char *ns,
               const char *want)
{
  if (ns == want)
    return TRUE;
  if (ns == NULL || want == NULL || (ews_xml_ns_is_interned (ns) && ews_xml_ns_is_interned (want)))
    return FALSE;
  return strcmp (ns, want) == 0;
}

/* An element named @want_name in namespace @want_ns. */
static inline gboolean
ews_xml_sax_is (const char *ns,
                const char *name,
                const char *want_ns,
                const char *want_name)
{
  /* The name first: namespaces are long and mostly alike. */
  return g_strcmp0 (name, want_name) == 0 && ews_xml_ns_is (ns, want_ns);
}

/* Whether the child marked @bit is met for the first time in the element at
 * @depth (1-based): walks read only the first of each kind, as the tree parser does. */
static inline gboolean
ews_xml_sax_first (guint8 *seen,
                   guint   depth,
                   guint   bit)
{
  guint8 *mark = &seen[depth - 1];

  if (*mark & bit)
    return FALSE;
  *mark |= bit;
  return TRUE;
}

/* For tests: with walks off, every document takes the tree-building path. */
void       ews_xml_set_walking (gboolean enabled);

xmlDoc    *ews_xml_parse (const char *data,
                          gsize       length,
                          GError    **error);
xmlDoc    *ews_xml_parse_with_context (xmlParserCtxt *ctxt,
                                       const char    *data,
                                       gsize          length,
                                       GError       **error);

gboolean   ews_xml_is (const xmlNode *node,
                       const char    *ns,
                       const char    *name);
gboolean   ews_xml_is_ews (const xmlNode *node,
                           const char    *name);
xmlNode   *ews_xml_first_element (xmlNode *node);
xmlNode   *ews_xml_next_element (xmlNode *node);
xmlNode   *ews_xml_child (xmlNode    *parent,
                          const char *ns,
                          const char *name);
xmlNode   *ews_xml_child_ews (xmlNode    *parent,
                              const char *name);
xmlNode   *ews_xml_next (xmlNode    *node,
                         const char *ns,
                         const char *name);
char      *ews_xml_text (const xmlNode *node);
char      *ews_xml_child_text (xmlNode    *parent,
                               const char *ns,
                               const char *name);
char      *ews_xml_child_text_ews (xmlNode    *parent,
                                   const char *name);
char      *ews_xml_attr (const xmlNode *node,
                         const char    *name);
gboolean   ews_xml_parse_boolean (const char *text,
                                  gboolean    fallback);
GDateTime *ews_xml_parse_date_time (const char *text);
gint64     ews_xml_parse_time (const char *text);

/* The last time read, with its text: the events and items of a burst carry the same
 * TimeStamp or LastModifiedTime over and over. Zeroed to begin. */
#define EWS_XML_TIME_TEXT_MAX 40

typedef struct
{
  char       text[EWS_XML_TIME_TEXT_MAX];
  GDateTime *value;
} EwsXmlTimeCache;

GDateTime *ews_xml_time_cache_parse (EwsXmlTimeCache *cache,
                                     const char      *text);
void       ews_xml_time_cache_clear (EwsXmlTimeCache *cache);
char      *ews_xml_format_date_time (GDateTime *date_time);

xmlNode   *ews_xml_soap_body (xmlDoc  *doc,
                              GError **error);
GError    *ews_xml_fault_to_error (xmlNode *fault);
GError    *ews_xml_response_message_error (xmlNode *message);

void       ews_xml_append_escaped (GString    *out,
                                   const char *text);

G_END_DECLS
