/* The studio window under Xvfb: generate (the canvas leaves its placeholder,
 * history grows, the main loop stays responsive), cancel, restore from
 * history and from a dropped PNG's parameters, and a screenshot artefact.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>

#include "gs-application.h"
#include "gs-png.h"
#include "gs-window.h"

static GsWindow *window;
static GsImagePage *page;
static gint64 last_tick_us, longest_gap_us;

/* A 5 ms timer: the largest gap between its ticks is the longest main-loop
 * iteration while the engine works in its thread. */
static gboolean
tick(gpointer data)
{
    gint64 now = g_get_monotonic_time();
    if (last_tick_us && now - last_tick_us > longest_gap_us)
        longest_gap_us = now - last_tick_us;
    last_tick_us = now;
    return G_SOURCE_CONTINUE;
}

static void
iterate_until_idle(void)
{
    while (g_main_context_iteration(NULL, FALSE))
        ;
}

static void
wait_for_generation(void)
{
    gint64 deadline = g_get_monotonic_time() + 300 * G_USEC_PER_SEC;
    while (gs_image_page_get_generating(page) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_false(gs_image_page_get_generating(page));
    iterate_until_idle();
}

static void
screenshot(const char *path)
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

static void
test_generate(void)
{
    GsCanvas *canvas = gs_image_page_get_canvas(page);
    g_assert_null(gs_canvas_get_texture(canvas)); /* the placeholder: nothing */
    gs_image_page_set_prompt(page, "red apple");
    guint timer = g_timeout_add(5, tick, NULL);
    gtk_widget_activate_action(GTK_WIDGET(page), "image.generate", NULL);
    g_assert_true(gs_image_page_get_generating(page));
    wait_for_generation();
    g_source_remove(timer);
    g_assert_nonnull(gs_canvas_get_texture(canvas));
    g_assert_cmpuint(g_list_model_get_n_items(gs_image_page_get_history(page)), ==, 1);
    g_print("longest main-loop iteration while generating: %.1f ms\n", longest_gap_us / 1000.0);
    g_assert_cmpint(longest_gap_us, <, 200 * 1000);
    screenshot(GS_ARTEFACT_DIR "/window.png");
}

static gboolean
cancel_soon(gpointer data)
{
    gtk_widget_activate_action(GTK_WIDGET(page), "image.cancel", NULL);
    return G_SOURCE_REMOVE;
}

static void
test_cancel(void)
{
    guint before = g_list_model_get_n_items(gs_image_page_get_history(page));
    gtk_widget_activate_action(GTK_WIDGET(page), "image.generate", NULL);
    g_timeout_add(50, cancel_soon, NULL);
    wait_for_generation();
    g_assert_cmpuint(g_list_model_get_n_items(gs_image_page_get_history(page)), ==, before);
}

static void
test_restore(void)
{
    gs_image_page_set_prompt(page, "something else");
    gs_image_page_restore(page, 0);
    g_autofree char *prompt = gs_image_page_dup_prompt(page);
    g_assert_cmpstr(prompt, ==, "red apple");

    /* A PNG with A1111-style parameters, as a drop brings it. */
    g_autofree char *path = g_build_filename(GS_ARTEFACT_DIR, "dropped.png", NULL);
    float rgb[3] = { 1, 0, 0 };
    GsPngText text = { "parameters", "a sunny sun\nNegative prompt: rain\nSteps: 7, Sampler: DDIM, CFG scale: 3, "
                                     "Seed: 99, Size: 32x32, Model: emoji32" };
    g_assert_true(gs_png_save(path, rgb, 1, 1, &text, 1, NULL));
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_assert_true(gs_image_page_restore_from_png(page, file, NULL));
    g_free(prompt);
    prompt = gs_image_page_dup_prompt(page);
    g_assert_cmpstr(prompt, ==, "a sunny sun");
    g_autoptr(GError) error = NULL;
    g_autoptr(GFile) plain = g_file_new_for_path(GS_ARTEFACT_DIR "/window.png");
    g_assert_false(gs_image_page_restore_from_png(page, plain, &error));
    g_assert_nonnull(error);
    gs_image_page_set_prompt(page, "red apple");
}

static void
on_activate(GApplication *app)
{
    window = GS_WINDOW(gtk_application_get_active_window(GTK_APPLICATION(app)));
    page = gs_window_get_image_page(window);
    iterate_until_idle();
    g_test_add_func("/window/generate", test_generate);
    g_test_add_func("/window/cancel", test_cancel);
    g_test_add_func("/window/restore", test_restore);
    int status = g_test_run();
    gtk_window_destroy(GTK_WINDOW(window));
    if (status)
        exit(status);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_autoptr(GsApplication) app = gs_application_new();
    g_application_set_flags(G_APPLICATION(app), G_APPLICATION_NON_UNIQUE);
    g_signal_connect_after(app, "activate", G_CALLBACK(on_activate), NULL);
    return g_application_run(G_APPLICATION(app), 0, NULL);
}
