/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-application.h"
#include "gs-window.h"

struct _GsApplication {
    AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE(GsApplication, gs_application, ADW_TYPE_APPLICATION)

/* Scratch files outlive a crash; clearing them is safe where no workspace
 * is writing one, and where no other GenStudio shares the folder: in the
 * one instance of a unique application. */
static void
remove_unused_scratch_files(GApplication *app)
{
    if (!(g_application_get_flags(app) & G_APPLICATION_NON_UNIQUE))
        gs_window_remove_unused_scratch_files(GTK_APPLICATION(app));
}

static void
gs_application_activate(GApplication *app)
{
    GtkWindow *window = gtk_application_get_active_window(GTK_APPLICATION(app));
    if (window) {
        gtk_window_present(window);
        return;
    }
    GsWindow *new_window = gs_window_new(GTK_APPLICATION(app));
    gtk_window_present(GTK_WINDOW(new_window));
    remove_unused_scratch_files(app);
    /* After presenting: the question needs its parent on screen. */
    gs_window_offer_recovery(new_window);
}

static void
gs_application_shutdown(GApplication *app)
{
    remove_unused_scratch_files(app);
    G_APPLICATION_CLASS(gs_application_parent_class)->shutdown(app);
}

static void
gs_application_startup(GApplication *app)
{
    G_APPLICATION_CLASS(gs_application_parent_class)->startup(app);
    gs_application_install_actions(GS_APPLICATION(app));
}

static void
gs_application_class_init(GsApplicationClass *klass)
{
    GApplicationClass *app_class = G_APPLICATION_CLASS(klass);
    app_class->activate = gs_application_activate;
    app_class->startup = gs_application_startup;
    app_class->shutdown = gs_application_shutdown;
}

static void
gs_application_init(GsApplication *self)
{
}

GsApplication *
gs_application_new(void)
{
    return g_object_new(GS_TYPE_APPLICATION, "application-id", "org.genstudio.GenStudio", "flags",
                        G_APPLICATION_DEFAULT_FLAGS, "resource-base-path", "/org/genstudio/GenStudio", NULL);
}
