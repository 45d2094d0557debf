/* App-wide actions: quit, about.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>

#include "gs-application.h"

static void
quit(GSimpleAction *action, GVariant *param, gpointer app)
{
    /* Closing, not destroying: a window with unsaved changes asks first.
     * The application ends with its last window. */
    GList *windows = g_list_copy(gtk_application_get_windows(GTK_APPLICATION(app)));
    for (GList *l = windows; l; l = l->next)
        gtk_window_close(l->data);
    g_list_free(windows);
}

static void
about(GSimpleAction *action, GVariant *param, gpointer app)
{
    const char *developers[] = { "The GenStudio developers", NULL };
    adw_show_about_window(gtk_application_get_active_window(GTK_APPLICATION(app)),
                          "application-name", _("GenStudio"),
                          "application-icon", "org.genstudio.GenStudio",
                          "version", GS_VERSION,
                          "comments", _("Generate images, speech and music on your own computer"),
                          "developers", developers,
                          "license-type", GTK_LICENSE_GPL_3_0,
                          NULL);
}

void
gs_application_install_actions(GsApplication *self)
{
    const GActionEntry entries[] = {
        { .name = "quit", .activate = quit },
        { .name = "about", .activate = about },
    };
    g_action_map_add_action_entries(G_ACTION_MAP(self), entries, G_N_ELEMENTS(entries), self);
    const char *quit_accels[] = { "<Control>q", NULL };
    gtk_application_set_accels_for_action(GTK_APPLICATION(self), "app.quit", quit_accels);
}
