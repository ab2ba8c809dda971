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
