/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-application.h"
#include "ui-test-support.h"

void
iterate_until_idle(void)
{
    while (g_main_context_iteration(NULL, FALSE))
        ;
}

void
ui_test_screenshot(GtkWindow *window, const char *path)
{
    GtkWidget *widget = GTK_WIDGET(window);
    g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new(widget);
    int w = gtk_widget_get_width(widget), h = gtk_widget_get_height(widget);
    /* The window has a render node only once a frame has been drawn since
     * the last change: let frames happen until there is one. */
    g_autoptr(GskRenderNode) node = NULL;
    for (int attempt = 0; !node && attempt < 200; attempt++) {
        g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new();
        gdk_paintable_snapshot(paintable, snapshot, w, h);
        node = gtk_snapshot_free_to_node(g_steal_pointer(&snapshot));
        if (!node) {
            gtk_widget_queue_draw(widget);
            g_usleep(10000);
            iterate_until_idle();
        }
    }
    g_assert_nonnull(node);
    GskRenderer *renderer = gtk_native_get_renderer(GTK_NATIVE(window));
    g_autoptr(GdkTexture) texture = gsk_renderer_render_texture(renderer, node, &GRAPHENE_RECT_INIT(0, 0, w, h));
    g_assert_true(gdk_texture_save_to_png(texture, path));
    g_print("screenshot: %s (%dx%d)\n", path, w, h);
}

GtkWidget *
ui_test_find_descendant(GtkWidget *widget, GType type)
{
    if (G_TYPE_CHECK_INSTANCE_TYPE(widget, type))
        return widget;
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child)) {
        GtkWidget *found = ui_test_find_descendant(child, type);
        if (found)
            return found;
    }
    return NULL;
}

void
ui_test_remove_tree(const char *path)
{
    const char *argv[] = { "rm", "-rf", path, NULL };
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL));
}

int
ui_test_run_app(void (*on_activate)(GApplication *app))
{
    g_autofree char *scratch = g_dir_make_tmp("genstudio-ui-XXXXXX", NULL);
    g_assert_nonnull(scratch);
    const char *folders[][2] = {
        { "XDG_STATE_HOME", "state" }, { "XDG_DATA_HOME", "data" }, { "GS_MODELS_DIR", "models" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(folders); i++) {
        g_autofree char *folder = g_build_filename(scratch, folders[i][1], NULL);
        g_setenv(folders[i][0], folder, TRUE);
    }
    g_setenv("GS_AUDIO_SINK", "fakesink", TRUE);
    g_autoptr(GsApplication) app = gs_application_new();
    g_application_set_flags(G_APPLICATION(app), G_APPLICATION_NON_UNIQUE);
    g_signal_connect_after(app, "activate", G_CALLBACK(on_activate), NULL);
    int status = g_application_run(G_APPLICATION(app), 0, NULL);
    ui_test_remove_tree(scratch);
    return status;
}
