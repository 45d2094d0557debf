/* The GAN-vs-diffusion comparison in the Image workspace under Xvfb: opened
 * from the prompt pane with its prompt, run to the end (16 + 16 images of
 * the right size, figures that gs_emoji_reference_* give again on the same
 * images, and in the labels), a prompt that names no emoji group, and a
 * run cancelled half-way (nothing of it left, the window still works).
 * The diffusion side runs 4 denoising steps to keep the suite short;
 * GS_TEST_COMPARE_FULL=1 runs the view's default and writes the screenshot
 * for the README (compare.png in the build's tests folder).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "gs-application.h"
#include "gs-emoji-reference.h"
#include "gs-window.h"
#include "ui-test-support.h"

static GsWindow *window;
static GsImagePage *page;
static GsCompareView *view;
static gboolean full;

static void
wait_until_done(int seconds)
{
    gint64 deadline = g_get_monotonic_time() + seconds * G_USEC_PER_SEC;
    while (gs_compare_view_get_running(view) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_false(gs_compare_view_get_running(view));
    iterate_until_idle();
}

static void
collect(GtkWidget *widget, GType type, GPtrArray *found)
{
    if (G_TYPE_CHECK_INSTANCE_TYPE(widget, type))
        g_ptr_array_add(found, widget);
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child))
        collect(child, type, found);
}

/* The grid cells: the GAN's 16, then diffusion's. */
static GPtrArray *
cells(void)
{
    GPtrArray *found = g_ptr_array_new();
    collect(GTK_WIDGET(view), GTK_TYPE_PICTURE, found);
    g_assert_cmpuint(found->len, ==, 2 * GS_COMPARE_COUNT);
    return found;
}

static GtkProgressBar *
progress_bar(void)
{
    g_autoptr(GPtrArray) found = g_ptr_array_new();
    collect(GTK_WIDGET(view), GTK_TYPE_PROGRESS_BAR, found);
    g_assert_cmpuint(found->len, ==, 1);
    return g_ptr_array_index(found, 0);
}

/* A finished side: 16 images of 32², each cell showing one enlarged ×3. */
static void
assert_side_complete(GsCompareSide side, GPtrArray *pictures)
{
    const GsImageBatch *batch = gs_compare_view_get_batch(view, side);
    g_assert_nonnull(batch);
    g_assert_cmpint(batch->count, ==, GS_COMPARE_COUNT);
    g_assert_cmpint(batch->size, ==, 32);
    for (int i = 0; i < GS_COMPARE_COUNT; i++) {
        GdkPaintable *shown = gtk_picture_get_paintable(g_ptr_array_index(pictures, side * GS_COMPARE_COUNT + i));
        g_assert_true(GDK_IS_TEXTURE(shown));
        g_assert_cmpint(gdk_texture_get_width(GDK_TEXTURE(shown)), ==, 96);
        g_assert_cmpint(gdk_texture_get_height(GDK_TEXTURE(shown)), ==, 96);
    }
}

/* The side's figures are what the shared functions give on its images,
 * and its labels show them. */
static void
assert_figures(GsCompareSide side, GsEmojiReference *ref, int group)
{
    const GsImageBatch *batch = gs_compare_view_get_batch(view, side);
    double diversity, adherence;
    g_assert_true(gs_compare_view_get_figures(view, side, &diversity, &adherence));
    g_assert_cmpfloat(diversity, ==, gs_image_set_diversity(batch->rgb, batch->count, batch->size));
    g_assert_cmpfloat(diversity, >, 0.0);
    g_autofree char *summary = gs_compare_view_dup_summary(view, side);
    g_print("%s:\n%s\n", side == GS_COMPARE_GAN ? "GAN" : "diffusion", summary);
    g_autofree char *diversity_text = g_strdup_printf("Diversity %.2f ", diversity);
    g_assert_nonnull(strstr(summary, diversity_text));
    if (group < 0) {
        g_assert_true(isnan(adherence));
        g_assert_nonnull(strstr(summary, "Adherence — "));
        return;
    }
    g_assert_cmpfloat(adherence, ==, gs_emoji_reference_adherence(ref, batch->rgb, batch->count, batch->size, group));
    g_autofree char *reference_text = g_strdup_printf("(training images of this group: %.2f)",
                                                      gs_emoji_reference_group_diversity(ref, group));
    g_assert_nonnull(strstr(summary, reference_text));
    g_autofree char *adherence_text = g_strdup_printf("Adherence %.0f %% land nearest to %s", adherence * 100,
                                                      gs_emoji_reference_group_name(ref, group));
    g_assert_nonnull(strstr(summary, adherence_text));
    g_assert_nonnull(strstr(summary, " s per image, "));
}

static void
test_run(void)
{
    gs_image_page_set_prompt(page, "red apple");
    g_assert_false(gs_image_page_get_comparing(page));
    gtk_widget_activate_action(GTK_WIDGET(page), "image.compare", NULL);
    g_assert_true(gs_image_page_get_comparing(page));
    g_assert_true(gtk_widget_get_mapped(GTK_WIDGET(view)));
    g_assert_cmpstr(gs_compare_view_get_prompt(view), ==, "red apple");
    g_assert_cmpint(gs_compare_view_get_steps(view), ==, 10); /* emoji32's default, with plain Euler */
    if (!full)
        gs_compare_view_set_steps(view, 4);

    gtk_widget_activate_action(GTK_WIDGET(view), "compare.run", NULL);
    g_assert_true(gs_compare_view_get_running(view));
    wait_until_done(900);
    g_autoptr(GPtrArray) pictures = cells();
    assert_side_complete(GS_COMPARE_GAN, pictures);
    assert_side_complete(GS_COMPARE_DIFFUSION, pictures);

    g_autoptr(GError) error = NULL;
    g_autoptr(GsEmojiReference) ref = gs_emoji_reference_load(NULL, &error);
    g_assert_no_error(error);
    int group = gs_emoji_reference_prompt_group(ref, "red apple");
    g_assert_cmpint(group, >=, 0);
    assert_figures(GS_COMPARE_GAN, ref, group);
    assert_figures(GS_COMPARE_DIFFUSION, ref, group);
    g_print("progress: %s\n", gtk_progress_bar_get_text(progress_bar()));
    if (full)
        ui_test_screenshot(GTK_WINDOW(window), GS_ARTEFACT_DIR "/compare.png");
}

static void
test_no_group(void)
{
    /* No training caption shares a word with it: no adherence to speak of. */
    gs_image_page_set_prompt(page, "zyzzyva quux");
    g_assert_cmpstr(gs_compare_view_get_prompt(view), ==, "zyzzyva quux");
    int steps = gs_compare_view_get_steps(view);
    gs_compare_view_set_steps(view, 1);
    gtk_widget_activate_action(GTK_WIDGET(view), "compare.run", NULL);
    wait_until_done(600);
    gs_compare_view_set_steps(view, steps);
    g_autoptr(GPtrArray) pictures = cells();
    assert_side_complete(GS_COMPARE_GAN, pictures);
    assert_side_complete(GS_COMPARE_DIFFUSION, pictures);
    assert_figures(GS_COMPARE_GAN, NULL, -1);
    assert_figures(GS_COMPARE_DIFFUSION, NULL, -1);
}

static void
test_cancel(void)
{
    gs_image_page_set_prompt(page, "red apple");
    guint64 seed = gs_compare_view_get_base_seed(view);
    /* New seeds: another base seed, and a run at once. */
    gtk_widget_activate_action(GTK_WIDGET(view), "compare.new-seeds", NULL);
    g_assert_true(gs_compare_view_get_running(view));
    g_assert_cmpuint(gs_compare_view_get_base_seed(view), !=, seed);
    /* Cancelled once the GAN grid is full and diffusion has drawn some. */
    g_autoptr(GPtrArray) pictures = cells();
    GtkPicture *first_diffusion = g_ptr_array_index(pictures, GS_COMPARE_COUNT);
    gint64 deadline = g_get_monotonic_time() + 600 * G_USEC_PER_SEC;
    while (!gtk_picture_get_paintable(first_diffusion) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_nonnull(gtk_picture_get_paintable(first_diffusion));
    g_assert_true(gs_compare_view_get_running(view));
    gtk_widget_activate_action(GTK_WIDGET(view), "compare.cancel", NULL);
    wait_until_done(120);

    g_assert_cmpstr(gtk_progress_bar_get_text(progress_bar()), ==, "Cancelled");
    for (guint i = 0; i < pictures->len; i++)
        g_assert_null(gtk_picture_get_paintable(g_ptr_array_index(pictures, i)));
    double diversity, adherence;
    for (int side = 0; side < 2; side++) {
        g_assert_null(gs_compare_view_get_batch(view, side));
        g_assert_false(gs_compare_view_get_figures(view, side, &diversity, &adherence));
        g_autofree char *summary = gs_compare_view_dup_summary(view, side);
        g_assert_nonnull(strstr(summary, "Diversity —"));
    }

    /* The window still works: an image on the canvas, which Generate shows. */
    GListModel *history = gs_image_page_get_history(page);
    guint before = g_list_model_get_n_items(history);
    gs_image_page_set_upscale_generated(page, FALSE);
    gtk_widget_activate_action(GTK_WIDGET(page), "image.generate", NULL);
    g_assert_false(gs_image_page_get_comparing(page));
    deadline = g_get_monotonic_time() + 300 * G_USEC_PER_SEC;
    while (gs_image_page_get_generating(page) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_false(gs_image_page_get_generating(page));
    g_assert_cmpuint(g_list_model_get_n_items(history), ==, before + 1);
    /* And back to the comparison, which runs again. */
    gtk_widget_activate_action(GTK_WIDGET(page), "image.compare", NULL);
    g_assert_true(gs_image_page_get_comparing(page));
    gs_compare_view_set_steps(view, 1);
    gtk_widget_activate_action(GTK_WIDGET(view), "compare.run", NULL);
    wait_until_done(600);
    assert_side_complete(GS_COMPARE_DIFFUSION, pictures);
}

static void
on_activate(GApplication *app)
{
    window = GS_WINDOW(gtk_application_get_active_window(GTK_APPLICATION(app)));
    page = gs_window_get_image_page(window);
    view = gs_image_page_get_compare_view(page);
    iterate_until_idle();
    g_test_add_func("/compare/run", test_run);
    if (!full) {
        g_test_add_func("/compare/no-group", test_no_group);
        g_test_add_func("/compare/cancel", test_cancel);
    }
    int status = g_test_run();
    gtk_window_destroy(GTK_WINDOW(window));
    if (status)
        exit(status);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    full = g_strcmp0(g_getenv("GS_TEST_COMPARE_FULL"), "1") == 0;
    return ui_test_run_app(on_activate);
}
