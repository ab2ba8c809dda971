/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "net-test-util.h"

struct _TestResolver
{
  GResolver   parent_instance;
  GHashTable *hosts;    /* name → IPv4 address */
  GHashTable *services; /* rrname → GList of GSrvTarget */
};

G_DEFINE_FINAL_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static GList *
test_resolver_resolve (TestResolver            *self,
                       const char              *hostname,
                       GResolverNameLookupFlags flags,
                       GError                 **error)
{
  g_autofree char *name = g_ascii_strdown (hostname, -1);
  const char      *address = g_hostname_is_ip_address (name) ? name : g_hash_table_lookup (self->hosts, name);

  if (address == NULL || (flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY) != 0)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "No address for “%s”", hostname);
      return NULL;
    }
  return g_list_prepend (NULL, g_inet_address_new_from_string (address));
}

static GList *
test_resolver_lookup_by_name_with_flags (GResolver               *resolver,
                                         const char              *hostname,
                                         GResolverNameLookupFlags flags,
                                         GCancellable            *cancellable,
                                         GError                 **error)
{
  return test_resolver_resolve (TEST_RESOLVER (resolver), hostname, flags, error);
}

static GList *
test_resolver_lookup_by_name (GResolver    *resolver,
                              const char   *hostname,
                              GCancellable *cancellable,
                              GError      **error)
{
  return test_resolver_resolve (TEST_RESOLVER (resolver), hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT, error);
}

static void
test_resolver_lookup_by_name_with_flags_async (GResolver               *resolver,
                                               const char              *hostname,
                                               GResolverNameLookupFlags flags,
                                               GCancellable            *cancellable,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data)
{
  g_autoptr (GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList  *addresses = test_resolver_resolve (TEST_RESOLVER (resolver), hostname, flags, &error);

  if (addresses == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify)g_resolver_free_addresses);
}

static void
test_resolver_lookup_by_name_async (GResolver          *resolver,
                                    const char         *hostname,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  test_resolver_lookup_by_name_with_flags_async (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT, cancellable,
                                                 callback, user_data);
}

static GList *
test_resolver_lookup_finish (GResolver    *resolver,
                             GAsyncResult *result,
                             GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
test_resolver_services (TestResolver *self,
                        const char   *rrname,
                        GError      **error)
{
  GList *targets = g_hash_table_lookup (self->services, rrname);
  GList *copy = NULL;

  if (targets == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "No service record for “%s”", rrname);
      return NULL;
    }
  for (GList *l = targets; l != NULL; l = l->next)
    copy = g_list_append (copy, g_srv_target_copy (l->data));
  return copy;
}

static GList *
test_resolver_lookup_service (GResolver    *resolver,
                              const char   *rrname,
                              GCancellable *cancellable,
                              GError      **error)
{
  return test_resolver_services (TEST_RESOLVER (resolver), rrname, error);
}

static void
test_resolver_lookup_service_async (GResolver          *resolver,
                                    const char         *rrname,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList  *targets = test_resolver_services (TEST_RESOLVER (resolver), rrname, &error);

  if (targets == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, targets, (GDestroyNotify)g_resolver_free_targets);
}

static void
test_resolver_finalize (GObject *object)
{
  TestResolver *self = TEST_RESOLVER (object);

  g_hash_table_unref (self->hosts);
  g_hash_table_unref (self->services);
  G_OBJECT_CLASS (test_resolver_parent_class)->finalize (object);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = test_resolver_finalize;
  resolver_class->lookup_by_name = test_resolver_lookup_by_name;
  resolver_class->lookup_by_name_async = test_resolver_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = test_resolver_lookup_finish;
  resolver_class->lookup_by_name_with_flags = test_resolver_lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = test_resolver_lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = test_resolver_lookup_finish;
  resolver_class->lookup_service = test_resolver_lookup_service;
  resolver_class->lookup_service_async = test_resolver_lookup_service_async;
  resolver_class->lookup_service_finish = test_resolver_lookup_finish;
}

static void
test_resolver_init (TestResolver *self)
{
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_resolver_free_targets);
}

TestResolver *
test_resolver_new (void)
{
  return g_object_new (TEST_TYPE_RESOLVER, NULL);
}

void
test_resolver_add_host (TestResolver *self,
                        const char   *name,
                        const char   *address)
{
  g_hash_table_replace (self->hosts, g_strdup (name), g_strdup (address));
}

void
test_resolver_remove_hosts (TestResolver *self)
{
  g_hash_table_remove_all (self->hosts);
}

void
test_resolver_add_srv (TestResolver *self,
                       const char   *rrname,
                       const char   *target,
                       guint16       port,
                       guint16       priority,
                       guint16       weight)
{
  gpointer key = NULL;
  gpointer targets = NULL;

  /* Stealing hands back the key as well, which g_hash_table_steal() would drop. */
  if (!g_hash_table_steal_extended (self->services, rrname, &key, &targets))
    key = g_strdup (rrname);
  targets = g_list_append (targets, g_srv_target_new (target, port, priority, weight));
  g_hash_table_insert (self->services, key, targets);
}

void
test_cert_free (TestCert *cert)
{
  if (cert->dir != NULL)
    {
      g_unlink (cert->cert_path);
      g_unlink (cert->key_path);
      g_rmdir (cert->dir);
    }
  g_free (cert->dir);
  g_free (cert->cert_path);
  g_free (cert->key_path);
  g_clear_object (&cert->certificate);
  g_free (cert->fingerprint);
  g_free (cert);
}

TestCert *
test_cert_new (const char        *common_name,
               const char *const *dns_names)
{
  g_autoptr (TestCert) cert = g_new0 (TestCert, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) der = NULL;
  g_autoptr (GString) san = g_string_new ("subjectAltName=IP:127.0.0.1");
  g_autoptr (GString) fingerprint = g_string_new (NULL);
  g_autofree char *subject = g_strdup_printf ("/CN=%s/O=EWS Notifier tests", common_name);
  g_autofree char *hex = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  int              status = -1;

  g_assert_nonnull (openssl);
  for (guint i = 0; dns_names != NULL && dns_names[i] != NULL; i++)
    g_string_append_printf (san, ",DNS:%s", dns_names[i]);

  cert->dir = g_dir_make_tmp ("ews-test-cert-XXXXXX", &error);
  g_assert_no_error (error);
  cert->cert_path = g_build_filename (cert->dir, "cert.pem", NULL);
  cert->key_path = g_build_filename (cert->dir, "key.pem", NULL);
  {
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                           "-nodes", "-days", "2", "-subj", subject, "-addext", san->str,
                           "-keyout", cert->key_path, "-out", cert->cert_path, NULL };

    g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
  }
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);

  cert->certificate = g_tls_certificate_new_from_files (cert->cert_path, cert->key_path, &error);
  g_assert_no_error (error);
  g_object_get (cert->certificate, "certificate", &der, NULL);
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  for (gsize i = 0; hex[i] != '\0'; i += 2)
    g_string_append_printf (fingerprint, "%s%c%c", i > 0 ? ":" : "", g_ascii_toupper (hex[i]), g_ascii_toupper (hex[i + 1]));
  cert->fingerprint = g_string_free (g_steal_pointer (&fingerprint), FALSE);
  return g_steal_pointer (&cert);
}

static GString *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      g_string_append_printf (captured_log, "%s\n", (const char *)fields[i].value);
  if (log_level & G_LOG_LEVEL_DEBUG)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
test_log_capture_start (void)
{
  g_assert_null (captured_log);
  captured_log = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
}

void
test_log_capture_reset (void)
{
  g_string_truncate (captured_log, 0);
}

const char *
test_log_captured (void)
{
  return captured_log->str;
}

struct _TestLoopWatch
{
  GSource *ticks;
  gint64   last_us;
  gint64   max_gap_us;
};

static gboolean
loop_watch_tick (gpointer user_data)
{
  TestLoopWatch *watch = user_data;
  gint64         now = g_get_monotonic_time ();

  watch->max_gap_us = MAX (watch->max_gap_us, now - watch->last_us);
  watch->last_us = now;
  return G_SOURCE_CONTINUE;
}

TestLoopWatch *
test_loop_watch_start (void)
{
  TestLoopWatch *watch = g_new0 (TestLoopWatch, 1);

  watch->last_us = g_get_monotonic_time ();
  watch->ticks = g_timeout_source_new (10);
  g_source_set_callback (watch->ticks, loop_watch_tick, watch, NULL);
  g_source_attach (watch->ticks, g_main_context_get_thread_default ());
  return watch;
}

/* Up to now, the current gap included. */
gint64
test_loop_watch_get_max_gap_us (TestLoopWatch *watch)
{
  return MAX (watch->max_gap_us, g_get_monotonic_time () - watch->last_us);
}

void
test_loop_watch_stop (TestLoopWatch *watch)
{
  g_source_destroy (watch->ticks);
  g_source_unref (watch->ticks);
  g_free (watch);
}
