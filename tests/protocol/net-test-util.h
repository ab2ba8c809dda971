/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What tests of real connections on loopback share: a resolver for made-up domains,
 * certificates made with openssl, a log that can be searched for secrets, and a
 * watch on how long the main loop stands. */

/* Maps the names it was told to an IPv4 address (any other name is not found) and
 * answers SRV lookups from records it was given. */
#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, GResolver)

TestResolver *test_resolver_new (void);
void          test_resolver_add_host (TestResolver *self,
                                      const char   *name,
                                      const char   *address);
void          test_resolver_remove_hosts (TestResolver *self);
void          test_resolver_add_srv (TestResolver *self,
                                     const char   *rrname,
                                     const char   *target,
                                     guint16       port,
                                     guint16       priority,
                                     guint16       weight);

/* A self-signed certificate for 127.0.0.1 and @dns_names, made at test time. */
typedef struct
{
  char            *dir;
  char            *cert_path;
  char            *key_path;
  GTlsCertificate *certificate;
  char            *fingerprint; /* SHA-256 in colon hex, computed here independently */
} TestCert;

TestCert *test_cert_new (const char        *common_name,
                         const char *const *dns_names);
void      test_cert_free (TestCert *cert);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestCert, test_cert_free)

/* Every message logged (debug included, not printed) from now on. */
void                          test_log_capture_start (void);
void                          test_log_capture_reset (void);
const char                   *test_log_captured (void);

/* The longest the main loop stood while watched: the largest gap between the ticks
 * of a 10 ms timeout on the thread-default main context. */
typedef struct _TestLoopWatch TestLoopWatch;

TestLoopWatch                *test_loop_watch_start (void);
gint64                        test_loop_watch_get_max_gap_us (TestLoopWatch *watch);
void                          test_loop_watch_stop (TestLoopWatch *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestLoopWatch, test_loop_watch_stop)

G_END_DECLS
