/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include "ews-response.h"
#include "ews-error.h"
#include "ews-xml-private.h"

/* POX Autodiscover mixes the 2006 and 2006a response namespaces. */
static xmlNode *
ad_child (xmlNode    *parent,
          const char *name)
{
  xmlNode *node = ews_xml_child (parent, EWS_NS_AUTODISCOVER_RESPONSE, name);

  return node != NULL ? node : ews_xml_child (parent, EWS_NS_AUTODISCOVER, name);
}

static char *
ad_child_text (xmlNode    *parent,
               const char *name)
{
  g_autofree char *text = ews_xml_text (ad_child (parent, name));

  return text != NULL ? g_strstrip (g_steal_pointer (&text)) : NULL;
}

static void
replace_str (char      **field,
             const char *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static void
parse_autodiscover_protocols (EwsAutodiscoverResult *result,
                              xmlNode               *account)
{
  for (xmlNode *node = ews_xml_first_element (account->children); node != NULL; node = ews_xml_next_element (node))
    {
      g_autofree char *type = NULL;
      g_autofree char *url = NULL;

      if (!ews_xml_is (node, EWS_NS_AUTODISCOVER_RESPONSE, "Protocol") && !ews_xml_is (node, EWS_NS_AUTODISCOVER, "Protocol"))
        continue;

      type = ad_child_text (node, "Type");
      url = ad_child_text (node, "EwsUrl");
      if (g_strcmp0 (type, "EXPR") == 0)
        {
          g_autofree char *grouping = ad_child_text (node, "GroupingInformation");

          if (url != NULL)
            replace_str (&result->ews_url, url);
          if (grouping != NULL)
            replace_str (&result->grouping_information, grouping);
        }
      else if (g_strcmp0 (type, "EXCH") == 0)
        {
          g_autofree char *grouping = ad_child_text (node, "GroupingInformation");

          if (url != NULL)
            replace_str (&result->internal_ews_url, url);
          if (grouping != NULL && result->grouping_information == NULL)
            replace_str (&result->grouping_information, grouping);
        }
    }

  if (result->ews_url == NULL && result->internal_ews_url != NULL)
    result->ews_url = g_strdup (result->internal_ews_url);
}

static gboolean
parse_autodiscover_error (EwsAutodiscoverResult *result,
                          xmlNode               *parent)
{
  xmlNode *node = ad_child (parent, "Error");

  if (node == NULL)
    return FALSE;
  result->action = EWS_AUTODISCOVER_ACTION_ERROR;
  result->error_code = ad_child_text (node, "ErrorCode");
  result->error_message = ad_child_text (node, "Message");
  return TRUE;
}

/**
 * ews_response_parse_autodiscover:
 * @data: a POX Autodiscover response
 * @length: its length
 * @error: return location for an error
 *
 * An Autodiscover Error element is a result (action error), not a #GError.
 *
 * Returns: (transfer full) (nullable): the action and its data
 */
EwsAutodiscoverResult *
ews_response_parse_autodiscover (const char *data,
                                 gsize       length,
                                 GError    **error)
{
  g_autoptr (xmlDoc) doc = ews_xml_parse (data, length, error);
  g_autoptr (EwsAutodiscoverResult) result = NULL;
  g_autofree char *action = NULL;
  xmlNode         *root;
  xmlNode         *response;
  xmlNode         *account;

  if (doc == NULL)
    return NULL;

  root = xmlDocGetRootElement (doc);
  response = ews_xml_is (root, EWS_NS_AUTODISCOVER, "Autodiscover") ? ad_child (root, "Response") : NULL;
  if (response == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "Not an Autodiscover response");
      return NULL;
    }

  result = ews_autodiscover_result_new ();
  if (parse_autodiscover_error (result, response))
    return g_steal_pointer (&result);

  account = ad_child (response, "Account");
  if (account == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "Autodiscover response without Account");
      return NULL;
    }
  if (parse_autodiscover_error (result, account))
    return g_steal_pointer (&result);

  result->display_name = ad_child_text (ad_child (response, "User"), "DisplayName");
  action = ad_child_text (account, "Action");
  if (g_strcmp0 (action, "redirectAddr") == 0)
    {
      result->action = EWS_AUTODISCOVER_ACTION_REDIRECT_ADDR;
      result->redirect = ad_child_text (account, "RedirectAddr");
    }
  else if (g_strcmp0 (action, "redirectUrl") == 0)
    {
      result->action = EWS_AUTODISCOVER_ACTION_REDIRECT_URL;
      result->redirect = ad_child_text (account, "RedirectURL");
    }
  else
    {
      result->action = EWS_AUTODISCOVER_ACTION_SETTINGS;
      parse_autodiscover_protocols (result, account);
      if (result->ews_url == NULL)
        {
          g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "Autodiscover settings without an EwsUrl");
          return NULL;
        }
    }

  if (result->action != EWS_AUTODISCOVER_ACTION_SETTINGS && result->redirect == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "Autodiscover %s without a target", action);
      return NULL;
    }
  return g_steal_pointer (&result);
}
