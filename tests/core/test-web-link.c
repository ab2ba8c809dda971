/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include "ewn-web-link.h"

#define EWS "https://mail.example.com/EWS/Exchange.asmx"

static void
test_accepted (void)
{
  g_autofree char *whole = ewn_web_link_for_item (EWS, "https://mail.example.com/owa/?ItemID=AAMk%2BAD&exvsurl=1&viewmodel=ReadMessageItem");
  g_autofree char *query = ewn_web_link_for_item (EWS, "?ae=Item&a=Open&t=IPM.Appointment&id=RgAAAA");
  g_autofree char *upper = ewn_web_link_for_item (EWS, "https://MAIL.example.com/owa/?ItemID=1");

  g_assert_cmpstr (whole, ==, "https://mail.example.com/owa/?ItemID=AAMk%2BAD&exvsurl=1&viewmodel=ReadMessageItem");
  g_assert_cmpstr (query, ==, "https://mail.example.com/owa/?ae=Item&a=Open&t=IPM.Appointment&id=RgAAAA");
  g_assert_nonnull (upper);
}

static void
test_refused (void)
{
  const char *bad[] = {
    "http://mail.example.com/owa/?ItemID=1",  /* not https */
    "https://evil.example.net/owa/?ItemID=1", /* another host */
    "https://mail.example.com.evil.net/owa/", /* a look-alike */
    "https://user@mail.example.com/owa/",     /* credentials in the link */
    "javascript:alert(1)",                    /* not a web page */
    "file:///etc/passwd",
    "",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *link = ewn_web_link_for_item (EWS, bad[i]);

      g_assert_null (link);
    }
  g_assert_null (ewn_web_link_for_item (EWS, NULL));
  /* An http EWS URL has no https OWA of its own. */
  g_assert_null (ewn_web_link_for_item ("http://mail.example.com/EWS/Exchange.asmx", "?id=1"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/web-link/accepted", test_accepted);
  g_test_add_func ("/web-link/refused", test_refused);

  return g_test_run ();
}
