/* Upscaling in the studio window under Xvfb: the prompt pane's "Upscale ×4"
 * switch (on by default for the built-in emoji32, whose 32² becomes 128²,
 * with the upscale in the parameters), upscaling a history entry into a new
 * one, cancelling an upscale (no new entry, the window still works), and the
 * switch turned off.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "gs-application.h"
#include "gs-history-item.h"
#include "gs-window.h"
#include "ui-test-support.h"

static GsImagePage *page;

static void
wait_until_done(int seconds)
{
    gint64 deadline = g_get_monotonic_time() + seconds * G_USEC_PER_SEC;
    while (gs_image_page_get_generating(page) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_false(gs_image_page_get_generating(page));
    iterate_until_idle();
}

static guint
n_history(void)
{
    return g_list_model_get_n_items(gs_image_page_get_history(page));
}

/* History entry `i` (0 = newest): its size and parameters. */
static GsHistoryItem *
history_item(guint i)
{
    GsHistoryItem *item = g_list_model_get_item(gs_image_page_get_history(page), i);
    g_assert_nonnull(item);
    g_object_unref(item); /* the history keeps it */
    return item;
}

static void
assert_size(GdkTexture *texture, int side)
{
    g_assert_nonnull(texture);
    g_assert_cmpint(gdk_texture_get_width(texture), ==, side);
    g_assert_cmpint(gdk_texture_get_height(texture), ==, side);
}

static void
test_generate_upscaled(void)
{
    /* emoji32 is the chosen model: the switch is on by default. */
    g_assert_true(gs_image_page_get_upscale_generated(page));
    gs_image_page_set_prompt(page, "red apple");
    gtk_widget_activate_action(GTK_WIDGET(page), "image.generate", NULL);
    g_assert_true(gs_image_page_get_generating(page));
    wait_until_done(300);
    g_assert_cmpuint(n_history(), ==, 1);
    GsHistoryItem *item = history_item(0);
    assert_size(gs_history_item_get_texture(item), 128);
    assert_size(gs_canvas_get_texture(gs_image_page_get_canvas(page)), 128);
    const char *text = gs_history_item_get_parameters_text(item);
    g_print("parameters: %s\n", text);
    g_assert_nonnull(strstr(text, "Size: 32x32, Model: emoji32"));
    g_assert_nonnull(strstr(text, ", Upscale: 4x ESRGAN-slim"));
    /* The parameters read back, upscale included. */
    GsImageParams p;
    gs_image_params_init(&p);
    g_assert_true(gs_image_params_parse(text, &p, NULL));
    g_assert_cmpstr(p.upscale, ==, "Upscale: 4x ESRGAN-slim");
    gs_image_params_clear(&p);
}

static void
test_upscale_item(void)
{
    /* The history entry's "Upscale…" shows it and opens the popover. */
    gtk_widget_activate_action(GTK_WIDGET(page), "image.upscale-item", "u", 0);
    iterate_until_idle();
    gtk_widget_activate_action(GTK_WIDGET(page), "image.upscale", "(is)", 2, "slim");
    g_assert_true(gs_image_page_get_generating(page));
    wait_until_done(300);
    g_assert_cmpuint(n_history(), ==, 2);
    GsHistoryItem *item = history_item(0);
    assert_size(gs_history_item_get_texture(item), 256);
    assert_size(gs_canvas_get_texture(gs_image_page_get_canvas(page)), 256);
    const char *text = gs_history_item_get_parameters_text(item);
    g_print("parameters: %s\n", text);
    g_assert_nonnull(strstr(text, "Model: emoji32"));
    g_assert_true(g_str_has_suffix(text, ", Upscale: 4x ESRGAN-slim, Upscale: 2x ESRGAN-slim"));
    /* The original entry is untouched. */
    assert_size(gs_history_item_get_texture(history_item(1)), 128);
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
    guint before = n_history();
    GdkTexture *shown = gs_canvas_get_texture(gs_image_page_get_canvas(page));
    /* 256² ×8 with medium: long enough to be cancelled mid-way. */
    gtk_widget_activate_action(GTK_WIDGET(page), "image.upscale", "(is)", 8, "medium");
    g_assert_true(gs_image_page_get_generating(page));
    g_timeout_add(50, cancel_soon, NULL);
    wait_until_done(300);
    g_assert_cmpuint(n_history(), ==, before);
    /* Cancelled, not failed (a failure would also leave the history alone). */
    GtkProgressBar *progress = GTK_PROGRESS_BAR(ui_test_find_descendant(GTK_WIDGET(page), GTK_TYPE_PROGRESS_BAR));
    g_assert_cmpstr(gtk_progress_bar_get_text(progress), ==, "Cancelled");
    g_assert_true(gs_canvas_get_texture(gs_image_page_get_canvas(page)) == shown);

    /* Still usable: the switch off, a plain 32² image. */
    gs_image_page_set_upscale_generated(page, FALSE);
    g_autoptr(GSettings) settings = g_settings_new("org.genstudio.GenStudio");
    g_assert_false(g_settings_get_boolean(settings, "upscale-builtin"));
    gtk_widget_activate_action(GTK_WIDGET(page), "image.generate", NULL);
    g_assert_true(gs_image_page_get_generating(page));
    wait_until_done(300);
    g_assert_cmpuint(n_history(), ==, before + 1);
    GsHistoryItem *item = history_item(0);
    assert_size(gs_history_item_get_texture(item), 32);
    g_assert_null(strstr(gs_history_item_get_parameters_text(item), "Upscale:"));
}

static void
on_activate(GApplication *app)
{
    GsWindow *window = GS_WINDOW(gtk_application_get_active_window(GTK_APPLICATION(app)));
    page = gs_window_get_image_page(window);
    iterate_until_idle();
    g_test_add_func("/upscale/generate-upscaled", test_generate_upscaled);
    g_test_add_func("/upscale/history-item", test_upscale_item);
    g_test_add_func("/upscale/cancel", test_cancel);
    int status = g_test_run();
    gtk_window_destroy(GTK_WINDOW(window));
    if (status)
        exit(status);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    return ui_test_run_app(on_activate);
}
