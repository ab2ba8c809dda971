/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-autostart"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ewn-autostart.h"

/* "Start at login": an XDG autostart entry in the user's autostart folder, written or
 * removed to follow the start-at-login key. */

/**
 * ewn_autostart_path:
 *
 * Returns: (transfer full): the autostart entry's file name
 */
char *
ewn_autostart_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APPLICATION_ID ".desktop", NULL);
}

/**
 * ewn_autostart_set:
 * @enabled: whether the application starts at login
 * @error: return location for an error
 *
 * Returns: %TRUE when the entry is (or is no longer) there
 */
gboolean
ewn_autostart_set (gboolean enabled,
                   GError **error)
{
  g_autofree char *path = ewn_autostart_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GKeyFile) entry = NULL;
  const char *group = G_KEY_FILE_DESKTOP_GROUP;

  if (!enabled)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Could not remove %s: %s"), path, g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Could not create %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  entry = g_key_file_new ();
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_TYPE, G_KEY_FILE_DESKTOP_TYPE_APPLICATION);
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_NAME, _("EWS Notifier"));
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_COMMENT, _("Watch your Exchange calendar and tasks in the background"));
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_ICON, APPLICATION_ID);
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_EXEC, "ews-notifier --gapplication-service");
  g_key_file_set_boolean (entry, group, G_KEY_FILE_DESKTOP_KEY_TERMINAL, FALSE);
  g_key_file_set_boolean (entry, group, G_KEY_FILE_DESKTOP_KEY_NO_DISPLAY, TRUE);
  g_key_file_set_boolean (entry, group, "X-GNOME-Autostart-enabled", TRUE);
  g_key_file_set_boolean (entry, group, "X-GNOME-UsesNotifications", TRUE);
  return g_key_file_save_to_file (entry, path, error);
}
