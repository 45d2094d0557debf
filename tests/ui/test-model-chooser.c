/* The Image workspace's model chooser under Xvfb, on a models folder of its
 * own (GS_MODELS_DIR): it lists the built-in model, the test model and a
 * broken file (shown with why, not choosable); choosing the test model takes
 * its family's defaults, loads it and generates from it; a model added by
 * link is listed and chosen, and removing it (after the question) unlinks
 * it and leaves the file; restoring an image chooses the model it was made
 * with.
 *
 * The test model is a copy of emoji32 named "emoji-copy", or, when
 * GS_TEST_SD_MODEL names a .safetensors file or a diffusers folder, that
 * model (linked into the folder); GS_TEST_SD_TOKENIZER may name tokenizer
 * files for it (a diffusers folder or a CLIP-format .txt.gz).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <string.h>

#include "gs-application.h"
#include "gs-history-item.h"
#include "gs-window.h"
#include "ui-test-support.h"

static GsWindow *window;
static GsImagePage *page;
static GsModelChooser *chooser;
static char *models_dir, *outside_dir;
static char *test_model; /* its name in the folder */

typedef gboolean (*BusyFunc)(gpointer object);

static void
wait_while(BusyFunc busy, gpointer object, int seconds)
{
    gint64 deadline = g_get_monotonic_time() + seconds * G_USEC_PER_SEC;
    while (busy(object) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_false(busy(object));
    iterate_until_idle();
}

static void
wait_for_chooser(void)
{
    wait_while((BusyFunc)gs_model_chooser_get_busy, chooser, 60);
}

/* The text of every toast on screen, joined. */
static void
collect_toasts(GtkWidget *widget, GString *text)
{
    if (g_str_equal(gtk_widget_get_css_name(widget), "toast")) {
        GtkWidget *label = ui_test_find_descendant(widget, GTK_TYPE_LABEL);
        if (label)
            g_string_append_printf(text, "%s\n", gtk_label_get_label(GTK_LABEL(label)));
        return;
    }
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child))
        collect_toasts(child, text);
}

static char *
toasts(void)
{
    GString *text = g_string_new(NULL);
    collect_toasts(GTK_WIDGET(window), text);
    return g_string_free(text, FALSE);
}

static GsModelEntry *
find_model(const char *name, guint *position)
{
    GListModel *models = gs_model_chooser_get_models(chooser);
    for (guint i = 0; i < g_list_model_get_n_items(models); i++) {
        GsModelEntry *entry = g_list_model_get_item(models, i);
        g_object_unref(entry); /* the list keeps it */
        if (g_str_equal(gs_model_entry_get_name(entry), name)) {
            if (position)
                *position = i;
            return entry;
        }
    }
    return NULL;
}

static AdwMessageDialog *
find_message_dialog(void)
{
    g_autoptr(GList) toplevels = gtk_window_list_toplevels();
    for (GList *l = toplevels; l; l = l->next)
        if (ADW_IS_MESSAGE_DIALOG(l->data) && gtk_widget_get_visible(l->data))
            return l->data;
    return NULL;
}

static void
test_list(void)
{
    wait_for_chooser();
    GListModel *models = gs_model_chooser_get_models(chooser);
    g_assert_cmpuint(g_list_model_get_n_items(models), ==, 3);
    g_autoptr(GsModelEntry) first = g_list_model_get_item(models, 0);
    g_assert_cmpint(gs_model_entry_get_kind(first), ==, GS_MODEL_BUILTIN);
    g_autofree char *builtin_label = gs_model_entry_dup_label(first);
    g_assert_cmpstr(builtin_label, ==, "emoji32 — GenStudio");
    g_assert_true(gs_model_chooser_get_selected(chooser) != NULL);
    g_assert_cmpint(gs_model_entry_get_kind(gs_model_chooser_get_selected(chooser)), ==, GS_MODEL_BUILTIN);

    GsModelEntry *model = find_model(test_model, NULL);
    g_assert_nonnull(model);
    g_assert_true(gs_model_entry_get_usable(model));
    g_autofree char *label = gs_model_entry_dup_label(model);
    g_print("test model: %s (%s)\n", label, gs_model_entry_get_path(model));
    g_assert_true(g_str_has_prefix(label, test_model));
    g_assert_nonnull(strstr(label, " — "));

    guint broken_position;
    GsModelEntry *broken = find_model("garbage", &broken_position);
    g_assert_nonnull(broken);
    g_assert_false(gs_model_entry_get_usable(broken));
    g_assert_cmpstr(gs_model_entry_get_refusal(broken), !=, "");
    g_print("refused: %s\n", gs_model_entry_get_refusal(broken));

    /* A refused model cannot be chosen, by name or in the drop-down. */
    g_assert_false(gs_model_chooser_select(chooser, "garbage"));
    GtkDropDown *dropdown = GTK_DROP_DOWN(ui_test_find_descendant(GTK_WIDGET(chooser), GTK_TYPE_DROP_DOWN));
    gtk_drop_down_set_selected(dropdown, broken_position);
    iterate_until_idle();
    g_assert_cmpuint(gtk_drop_down_get_selected(dropdown), ==, 0);
    g_assert_cmpint(gs_model_entry_get_kind(gs_model_chooser_get_selected(chooser)), ==, GS_MODEL_BUILTIN);
    g_autofree char *shown = toasts();
    g_assert_nonnull(strstr(shown, gs_model_entry_get_refusal(broken)));
}

static void
test_choose_and_generate(void)
{
    g_autoptr(GSettings) settings = g_settings_new("org.genstudio.GenStudio");
    g_settings_set_int(settings, "steps", 3); /* not the family's defaults */
    g_settings_set_string(settings, "sampler", "ddim");
    iterate_until_idle();
    GsModelEntry *model = find_model(test_model, NULL);
    const gs_model_info *info = gs_model_entry_get_info(model);
    g_assert_true(gs_model_chooser_select(chooser, test_model));
    g_assert_true(gs_model_chooser_get_selected(chooser) == model);
    g_assert_true(gs_image_page_get_loading(page));
    wait_while((BusyFunc)gs_image_page_get_loading, page, 600);
    g_autofree char *shown = toasts();
    g_assert_null(strstr(shown, "Cannot load")); /* no load error */
    g_autofree char *saved = g_settings_get_string(settings, "model");
    g_assert_cmpstr(saved, ==, test_model);
    g_assert_cmpint(g_settings_get_int(settings, "steps"), ==, info->default_steps);
    g_autofree char *sampler = g_settings_get_string(settings, "sampler");
    g_assert_cmpint(info->default_sampler, ==, GS_SAMPLER_EULER_A);
    g_assert_cmpstr(sampler, ==, "euler_a");

    int width, height;
    gboolean free_size;
    gs_image_page_get_size(page, &width, &height, &free_size);
    g_assert_cmpint(width, ==, info->default_width);
    g_assert_cmpint(height, ==, info->default_height);
    g_assert_true(free_size == (info->family != GS_FAMILY_GENSTUDIO));

    /* Few steps: on lavapipe an SD checkpoint takes its time. */
    g_settings_set_int(settings, "steps", 2);
    g_settings_set_int(settings, "batch-count", 1);
    iterate_until_idle();
    gs_image_page_set_prompt(page, "red apple");
    gtk_widget_activate_action(GTK_WIDGET(page), "image.generate", NULL);
    g_assert_true(gs_image_page_get_generating(page));
    wait_while((BusyFunc)gs_image_page_get_generating, page, 600);
    GListModel *history = gs_image_page_get_history(page);
    g_assert_cmpuint(g_list_model_get_n_items(history), ==, 1);
    g_autoptr(GsHistoryItem) item = g_list_model_get_item(history, 0);
    const GsImageParams *params = gs_history_item_get_params(item);
    g_print("generated: %s\n", gs_history_item_get_parameters_text(item));
    g_assert_cmpstr(params->model, ==, test_model);
    g_assert_cmpint(params->width, ==, info->default_width);
    g_assert_cmpint(params->height, ==, info->default_height);
    g_assert_cmpint(gdk_texture_get_width(gs_history_item_get_texture(item)), ==, info->default_width);
}

static void
test_restore(void)
{
    /* Back to the built-in model, then an image of the test model restored. */
    g_assert_true(gs_model_chooser_select(chooser, "emoji32"));
    wait_while((BusyFunc)gs_image_page_get_loading, page, 600);
    g_assert_cmpint(gs_model_entry_get_kind(gs_model_chooser_get_selected(chooser)), ==, GS_MODEL_BUILTIN);
    gs_image_page_restore(page, 0);
    g_assert_cmpstr(gs_model_entry_get_name(gs_model_chooser_get_selected(chooser)), ==, test_model);
    wait_while((BusyFunc)gs_image_page_get_loading, page, 600);
}

static void
test_add_and_remove(void)
{
    g_autofree char *original = g_build_filename(outside_dir, "emoji-linked.safetensors", NULL);
    g_assert_true(g_file_set_contents(original, "", 0, NULL));
    g_autofree char *contents = NULL;
    gsize size;
    g_assert_true(g_file_get_contents(GS_MODEL_PATH, &contents, &size, NULL));
    g_assert_true(g_file_set_contents(original, contents, (gssize)size, NULL));

    g_autoptr(GFile) file = g_file_new_for_path(original);
    gs_model_chooser_add(chooser, file, TRUE);
    g_assert_true(gs_model_chooser_get_busy(chooser));
    wait_for_chooser();
    GsModelEntry *added = gs_model_chooser_get_selected(chooser);
    g_assert_cmpstr(gs_model_entry_get_name(added), ==, "emoji-linked");
    g_assert_cmpint(gs_model_entry_get_kind(added), ==, GS_MODEL_LINK);
    g_autofree char *link = g_build_filename(models_dir, "emoji-linked.safetensors", NULL);
    g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
    wait_while((BusyFunc)gs_image_page_get_loading, page, 600);

    /* Remove asks first; "Cancel" keeps it. */
    gtk_widget_activate_action(GTK_WIDGET(chooser), "model.remove", NULL);
    iterate_until_idle();
    AdwMessageDialog *dialog = find_message_dialog();
    g_assert_nonnull(dialog);
    g_assert_cmpstr(adw_message_dialog_get_heading(dialog), ==, "Remove “emoji-linked”?");
    g_assert_nonnull(strstr(adw_message_dialog_get_body(dialog), original));
    adw_message_dialog_response(dialog, "cancel");
    gtk_window_destroy(GTK_WINDOW(dialog));
    iterate_until_idle();
    g_assert_false(gs_model_chooser_get_busy(chooser));
    g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));

    gtk_widget_activate_action(GTK_WIDGET(chooser), "model.remove", NULL);
    iterate_until_idle();
    dialog = find_message_dialog();
    g_assert_nonnull(dialog);
    adw_message_dialog_response(dialog, "remove");
    gtk_window_destroy(GTK_WINDOW(dialog));
    wait_for_chooser();
    g_assert_false(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
    g_assert_true(g_file_test(original, G_FILE_TEST_IS_REGULAR));
    g_assert_null(find_model("emoji-linked", NULL));
    g_assert_cmpint(gs_model_entry_get_kind(gs_model_chooser_get_selected(chooser)), ==, GS_MODEL_BUILTIN);
    /* The built-in model cannot be removed: the action is off. */
    gtk_widget_activate_action(GTK_WIDGET(chooser), "model.remove", NULL);
    iterate_until_idle();
    g_assert_null(find_message_dialog());
    wait_while((BusyFunc)gs_image_page_get_loading, page, 600);
}

static void
on_activate(GApplication *app)
{
    window = GS_WINDOW(gtk_application_get_active_window(GTK_APPLICATION(app)));
    page = gs_window_get_image_page(window);
    chooser = gs_image_page_get_model_chooser(page);
    iterate_until_idle();
    g_test_add_func("/model-chooser/list", test_list);
    g_test_add_func("/model-chooser/choose-and-generate", test_choose_and_generate);
    g_test_add_func("/model-chooser/restore", test_restore);
    g_test_add_func("/model-chooser/add-and-remove", test_add_and_remove);
    int status = g_test_run();
    gtk_window_destroy(GTK_WINDOW(window));
    if (status)
        exit(status);
}

/* The folder the window finds: the test model, and a file it refuses. */
static void
fill_models_folder(void)
{
    g_autoptr(GsModelLibrary) library = gs_model_library_new(models_dir);
    g_autoptr(GError) error = NULL;
    const char *sd = g_getenv("GS_TEST_SD_MODEL");
    g_assert_cmpint(g_mkdir_with_parents(models_dir, 0755), ==, 0);
    if (sd && *sd) {
        g_autoptr(GsModelEntry) entry = gs_model_library_add(library, sd, TRUE, NULL, NULL, NULL, &error);
        g_assert_no_error(error);
        test_model = g_strdup(gs_model_entry_get_name(entry));
    } else {
        g_autofree char *contents = NULL;
        gsize size;
        g_assert_true(g_file_get_contents(GS_MODEL_PATH, &contents, &size, NULL));
        g_autofree char *copy = g_build_filename(models_dir, "emoji-copy.safetensors", NULL);
        g_assert_true(g_file_set_contents(copy, contents, (gssize)size, NULL));
        test_model = g_strdup("emoji-copy");
    }
    const char *tokenizer = g_getenv("GS_TEST_SD_TOKENIZER");
    if (tokenizer && *tokenizer) {
        g_assert_true(gs_model_library_add_tokenizer(library, tokenizer, &error));
        g_assert_no_error(error);
    }
    char garbage[3000];
    for (gsize i = 0; i < sizeof garbage; i++)
        garbage[i] = (char)(i * 2654435761u >> 7);
    g_autofree char *broken = g_build_filename(models_dir, "garbage.safetensors", NULL);
    g_assert_true(g_file_set_contents(broken, garbage, sizeof garbage, NULL));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_autofree char *root = g_dir_make_tmp("genstudio-models-ui-XXXXXX", NULL);
    g_autofree char *state_dir = g_build_filename(root, "state", NULL);
    models_dir = g_build_filename(root, "models", NULL);
    outside_dir = g_build_filename(root, "outside", NULL);
    g_mkdir(state_dir, 0755);
    g_mkdir(outside_dir, 0755);
    g_setenv("XDG_STATE_HOME", state_dir, TRUE);
    g_setenv("GS_MODELS_DIR", models_dir, TRUE);
    g_setenv("GS_AUDIO_SINK", "fakesink", TRUE);
    fill_models_folder();
    g_autoptr(GsApplication) app = gs_application_new();
    g_application_set_flags(G_APPLICATION(app), G_APPLICATION_NON_UNIQUE);
    g_signal_connect_after(app, "activate", G_CALLBACK(on_activate), NULL);
    int status = g_application_run(G_APPLICATION(app), 0, NULL);
    ui_test_remove_tree(root);
    g_free(models_dir);
    g_free(outside_dir);
    g_free(test_model);
    return status;
}
