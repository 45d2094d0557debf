/* "New Voice from a Recording" under Xvfb, with scratch data folders (the
 * consent ledger and the voices folder live in XDG_DATA_HOME):
 *  - GS_AUDIO_SOURCE accepts live audio sources only: filesrc, decodebin,
 *    a pipeline description and an unknown element are refused;
 *  - the dialog, opened with the Voice page's "voice.new-clone": a name, a
 *    consent sentence that holds it and a phrase of four words, a ledger
 *    written; a recording of audiotestsrc's sine (not speech) with a moving
 *    level meter, refused by the consent check in words (GS_CONSENT_ERROR),
 *    no voice written, "Try Again" with the same sentence; GS_AUDIO_SOURCE=
 *    filesrc refused in the dialog, which keeps working;
 *  - the Voice page lists the voices folder's .gsvoice files after the
 *    model's voices (broken ones skipped with a warning), speaks in one,
 *    and its export's comment carries the consent record.
 * The screenshot of the dialog while it records goes to the build's tests
 * folder, or with GS_TEST_SCREENSHOTS set to data/screenshots/clone-dialog.png.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gst/pbutils/pbutils.h>

#include "gs-application.h"
#include "gs-clone-dialog.h"
#include "gs-music-page.h"
#include "gs-voice-page.h"
#include "gs-voice.h"
#include "gs-window.h"
#include "ui-test-support.h"

static GsWindow *window;
static GsVoicePage *voice_page;

/* The button labelled `label`, as a person would look for it. */
static GtkWidget *
find_button(GtkWidget *widget, const char *label)
{
    if (GTK_IS_BUTTON(widget) && g_strcmp0(gtk_button_get_label(GTK_BUTTON(widget)), label) == 0)
        return widget;
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child)) {
        GtkWidget *found = find_button(child, label);
        if (found)
            return found;
    }
    return NULL;
}

static void
press(GtkWidget *root, const char *label)
{
    GtkWidget *button = find_button(root, label);
    g_assert_nonnull(button);
    g_assert_true(gtk_widget_is_sensitive(button));
    g_signal_emit_by_name(button, "clicked");
    iterate_until_idle();
}

/* The visible label whose text contains `text`. */
static GtkLabel *
find_label(GtkWidget *widget, const char *text)
{
    if (GTK_IS_LABEL(widget) && gtk_widget_is_visible(widget) && strstr(gtk_label_get_text(GTK_LABEL(widget)), text))
        return GTK_LABEL(widget);
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child)) {
        GtkLabel *found = find_label(child, text);
        if (found)
            return found;
    }
    return NULL;
}

static GsCloneDialog *
find_clone_dialog(void)
{
    GListModel *toplevels = gtk_window_get_toplevels();
    for (guint i = 0; i < g_list_model_get_n_items(toplevels); i++) {
        g_autoptr(GObject) toplevel = g_list_model_get_item(toplevels, i);
        if (GS_IS_CLONE_DIALOG(toplevel))
            return GS_CLONE_DIALOG(toplevel);
    }
    return NULL;
}

static void
iterate_for(double seconds)
{
    gint64 until = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    while (g_get_monotonic_time() < until) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(5000);
    }
}

static guint
count_voice_files(void)
{
    g_autofree char *dir_path = gs_voices_dir();
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
    guint count = 0;
    for (const char *name; dir && (name = g_dir_read_name(dir));)
        count += g_str_has_suffix(name, GS_VOICE_EXTENSION);
    return count;
}

static void
save_screenshot(GsCloneDialog *dialog)
{
    g_autofree char *path = g_getenv("GS_TEST_SCREENSHOTS")
                                ? g_build_filename(GS_SOURCE_ROOT, "data", "screenshots", "clone-dialog.png", NULL)
                                : g_build_filename(GS_ARTEFACT_DIR, "clone-dialog.png", NULL);
    ui_test_screenshot(GTK_WINDOW(dialog), path);
}

static void
assert_source_refused(const char *source, int code)
{
    g_setenv("GS_AUDIO_SOURCE", source, TRUE);
    g_autoptr(GsAudioRecorder) recorder = gs_audio_recorder_new();
    g_autoptr(GError) error = NULL;
    g_assert_false(gs_audio_recorder_start(recorder, &error));
    g_assert_error(error, G_IO_ERROR, code);
    g_print("GS_AUDIO_SOURCE=%s: %s\n", source, error->message);
    g_assert_false(gs_audio_recorder_get_recording(recorder));
    g_setenv("GS_AUDIO_SOURCE", "audiotestsrc", TRUE);
}

static void
count_level(GsAudioRecorder *recorder, double peak, double rms, int *levels)
{
    g_assert_cmpfloat(peak, <=, 0.0);
    g_assert_cmpfloat(rms, <=, peak);
    (*levels)++;
}

static void
test_sources(void)
{
    assert_source_refused("filesrc", G_IO_ERROR_PERMISSION_DENIED);
    assert_source_refused("decodebin", G_IO_ERROR_PERMISSION_DENIED);
    assert_source_refused("audiotestsrc ! filesrc", G_IO_ERROR_PERMISSION_DENIED);
    assert_source_refused("audiotestsrc wave=sine", G_IO_ERROR_PERMISSION_DENIED);
    assert_source_refused("filesrc location=consent.wav", G_IO_ERROR_PERMISSION_DENIED);
    assert_source_refused("nosuchsource", G_IO_ERROR_NOT_FOUND);

    /* audiotestsrc records, as mono 16 kHz with levels on the way. */
    g_autoptr(GsAudioRecorder) recorder = gs_audio_recorder_new();
    g_autoptr(GError) error = NULL;
    int levels = 0;
    g_signal_connect(recorder, "level", G_CALLBACK(count_level), &levels);
    g_assert_true(gs_audio_recorder_start(recorder, &error));
    g_assert_no_error(error);
    g_assert_true(gs_audio_recorder_get_recording(recorder));
    iterate_for(0.6);
    gsize count = 0;
    g_autofree float *samples = gs_audio_recorder_stop(recorder, &count);
    g_assert_false(gs_audio_recorder_get_recording(recorder));
    g_print("recorded %.2f s, %d levels\n", (double)count / GS_AUDIO_RECORDER_RATE, levels);
    g_assert_cmpuint(count, >, GS_AUDIO_RECORDER_RATE / 5);
    g_assert_cmpint(levels, >, 2);
    float peak = 0;
    for (gsize i = 0; i < count; i++)
        peak = MAX(peak, fabsf(samples[i]));
    g_assert_cmpfloat(peak, >, 0.5f); /* audiotestsrc's sine at 0.8 */
}

static void
test_refusal(void)
{
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.new-clone", NULL);
    iterate_until_idle();
    GsCloneDialog *dialog = find_clone_dialog();
    g_assert_nonnull(dialog);
    GtkWidget *root = GTK_WIDGET(dialog);
    g_assert_cmpstr(gtk_window_get_title(GTK_WINDOW(dialog)), ==, "New Voice from a Recording");
    g_assert_true(gtk_window_get_modal(GTK_WINDOW(dialog)));
    g_assert_cmpint(gs_clone_dialog_get_state(dialog), ==, GS_CLONE_DIALOG_NAME);

    /* A name, then the sentence. */
    g_autofree char *ledger = gs_consent_default_ledger_path();
    g_assert_false(g_file_test(ledger, G_FILE_TEST_EXISTS));
    gtk_editable_set_text(GTK_EDITABLE(ui_test_find_descendant(root, ADW_TYPE_ENTRY_ROW)), "Ann Smith");
    press(root, "Get Consent Sentence");
    g_assert_cmpint(gs_clone_dialog_get_state(dialog), ==, GS_CLONE_DIALOG_READY);
    g_assert_true(g_file_test(ledger, G_FILE_TEST_IS_REGULAR));
    const GsConsentRequest *request = gs_clone_dialog_get_request(dialog);
    g_assert_nonnull(request);
    g_auto(GStrv) phrase = g_strsplit(request->phrase, " ", -1);
    g_assert_cmpuint(g_strv_length(phrase), ==, 4);
    GtkLabel *sentence = find_label(root, "agree that GenStudio");
    g_assert_nonnull(sentence);
    const char *shown = gtk_label_get_text(sentence);
    g_print("sentence: %s\n", shown);
    g_assert_true(gtk_label_get_selectable(sentence));
    g_assert_nonnull(strstr(shown, "Ann Smith"));
    g_assert_nonnull(strstr(shown, request->phrase));
    g_assert_nonnull(find_label(root, "Valid for "));
    g_assert_nonnull(find_label(root, "never accepted here"));
    g_autofree char *id = g_strdup(request->id);

    /* Six seconds of a sine: the meter moves, the screenshot shows it. */
    GtkLevelBar *meter = GTK_LEVEL_BAR(ui_test_find_descendant(root, GTK_TYPE_LEVEL_BAR));
    press(root, "Record");
    g_assert_cmpint(gs_clone_dialog_get_state(dialog), ==, GS_CLONE_DIALOG_RECORDING);
    GsAudioRecorder *recorder = gs_clone_dialog_get_recorder(dialog);
    g_assert_true(gs_audio_recorder_get_recording(recorder));
    iterate_for(2.5);
    g_print("meter: %.2f\n", gtk_level_bar_get_value(meter));
    g_assert_cmpfloat(gtk_level_bar_get_value(meter), >, 0.5);
    g_assert_nonnull(find_label(root, " s of 5–30 s"));
    save_screenshot(dialog);
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    while (gs_audio_recorder_get_seconds(recorder) < 6.0 && g_get_monotonic_time() < deadline)
        iterate_for(0.05);
    g_assert_cmpfloat(gs_audio_recorder_get_seconds(recorder), >=, 6.0);

    /* Stop: checked in the worker, refused in words. */
    press(root, "Stop");
    g_assert_false(gs_audio_recorder_get_recording(recorder));
    deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    while (gs_clone_dialog_get_state(dialog) == GS_CLONE_DIALOG_CHECKING && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    iterate_until_idle();
    g_assert_cmpint(gs_clone_dialog_get_state(dialog), ==, GS_CLONE_DIALOG_REFUSED);
    const GError *refusal = gs_clone_dialog_get_error(dialog);
    g_assert_nonnull(refusal);
    g_print("refused: %s\n", refusal->message);
    g_assert_true(refusal->domain == GS_CONSENT_ERROR);
    g_assert_nonnull(find_label(root, refusal->message));
    g_assert_cmpuint(count_voice_files(), ==, 0);
    g_assert_nonnull(find_button(root, "Try Again"));
    g_assert_true(gtk_widget_is_visible(find_button(root, "Try Again")));

    /* Try Again keeps the sentence. */
    press(root, "Try Again");
    g_assert_cmpint(gs_clone_dialog_get_state(dialog), ==, GS_CLONE_DIALOG_READY);
    g_assert_cmpstr(gs_clone_dialog_get_request(dialog)->id, ==, id);
    g_assert_null(gs_clone_dialog_get_error(dialog));

    /* A file in place of the microphone: refused, and the dialog still works. */
    g_setenv("GS_AUDIO_SOURCE", "filesrc", TRUE);
    press(root, "Record");
    g_setenv("GS_AUDIO_SOURCE", "audiotestsrc", TRUE);
    g_assert_cmpint(gs_clone_dialog_get_state(dialog), ==, GS_CLONE_DIALOG_READY);
    const GError *error = gs_clone_dialog_get_error(dialog);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
    g_print("filesrc: %s\n", error->message);
    g_assert_nonnull(strstr(error->message, "filesrc"));
    g_assert_nonnull(find_label(root, error->message));
    press(root, "Record");
    g_assert_cmpint(gs_clone_dialog_get_state(dialog), ==, GS_CLONE_DIALOG_RECORDING);
    g_assert_null(gs_clone_dialog_get_error(dialog));

    /* Closing while it records leaves nothing behind. */
    gtk_window_destroy(GTK_WINDOW(dialog));
    iterate_until_idle();
    g_assert_null(find_clone_dialog());
    g_assert_cmpuint(count_voice_files(), ==, 0);
}

/* ---- the Voice page and cloned voices ------------------------------------ */

/* The voice dropdown, known by its tooltip. */
static GtkDropDown *
find_voice_dropdown(GtkWidget *widget)
{
    if (GTK_IS_DROP_DOWN(widget) && g_strcmp0(gtk_widget_get_tooltip_text(widget), "The speakers the model learnt") == 0)
        return GTK_DROP_DOWN(widget);
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child)) {
        GtkDropDown *found = find_voice_dropdown(child);
        if (found)
            return found;
    }
    return NULL;
}

static gboolean
on_timeout(gpointer flag)
{
    *(gboolean *)flag = TRUE;
    return G_SOURCE_REMOVE;
}

static char *
export_comment(const char *path)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new(10 * GST_SECOND, &error);
    g_assert_no_error(error);
    g_autofree char *uri = gst_filename_to_uri(path, &error);
    g_autoptr(GstDiscovererInfo) info = gst_discoverer_discover_uri(discoverer, uri, &error);
    g_assert_no_error(error);
    char *comment = NULL;
    GList *streams = gst_discoverer_info_get_stream_list(info);
    for (GList *s = streams; s && !comment; s = s->next) {
        const GstTagList *tags = gst_discoverer_stream_info_get_tags(s->data);
        if (tags)
            gst_tag_list_get_string(tags, GST_TAG_COMMENT, &comment);
    }
    gst_discoverer_stream_info_list_free(streams);
    return comment;
}

static void
on_exported(GObject *source, GAsyncResult *result, gpointer user_data)
{
    *(GAsyncResult **)user_data = g_object_ref(result);
}

static void
test_cloned_voices(void)
{
    /* The model's voices first. */
    adw_view_stack_set_visible_child_name(
        ADW_VIEW_STACK(ui_test_find_descendant(GTK_WIDGET(window), ADW_TYPE_VIEW_STACK)), "voice");
    GtkDropDown *dropdown = find_voice_dropdown(GTK_WIDGET(voice_page));
    g_assert_nonnull(dropdown);
    gint64 deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    while (!gtk_widget_get_sensitive(GTK_WIDGET(dropdown)) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_true(gtk_widget_get_sensitive(GTK_WIDGET(dropdown)));
    GListModel *names = gtk_drop_down_get_model(dropdown);
    guint model_count = g_list_model_get_n_items(names);
    g_assert_cmpuint(model_count, >, 0);

    /* A voice fitted to this model (as the dialog would save it) and a broken file. */
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
    for (guint i = 0; i < model_count; i++) { /* "awb — English (US)" */
        g_auto(GStrv) label = g_strsplit(gtk_string_list_get_string(GTK_STRING_LIST(names), i), " — ", 2);
        g_strv_builder_add(builder, label[0]);
    }
    g_auto(GStrv) model_voices = g_strv_builder_end(builder);
    g_autofree float *weights = g_new0(float, model_count);
    weights[0] = 1.0f;
    GsVoice voice = {
        .name = "Bea Jones", .model_voices = model_voices, .weights = weights, .pitch = 2.0f,
        .consent_id = "0123456789abcdef", .consent_sentence = "I, Bea Jones, agree …",
        .consent_transcript = "i bea jones agree", .consent_match = 0.9,
        .consent_audio_sha256 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        .consent_time = 1767225600,
    };
    g_autofree char *dir = gs_voices_dir();
    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    g_autofree char *path = g_build_filename(dir, "Bea Jones.gsvoice", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_voice_save(&voice, path, &error));
    g_assert_no_error(error);
    g_autofree char *broken = g_build_filename(dir, "Broken.gsvoice", NULL);
    g_assert_true(g_file_set_contents(broken, "{ not a voice", -1, NULL));

    /* Listed after the model's voices once a clone is added (the dialog's
     * signal, as on success), the broken file skipped with a warning. */
    g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "Skipping the voice file*Broken.gsvoice*");
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.new-clone", NULL);
    GsCloneDialog *dialog = find_clone_dialog();
    g_assert_nonnull(dialog);
    g_signal_emit_by_name(dialog, "voice-added", "Bea Jones", path);
    g_test_assert_expected_messages();
    gtk_window_destroy(GTK_WINDOW(dialog));
    iterate_until_idle();
    names = gtk_drop_down_get_model(dropdown);
    g_assert_cmpuint(g_list_model_get_n_items(names), ==, model_count + 1);
    g_assert_cmpstr(gtk_string_list_get_string(GTK_STRING_LIST(names), model_count), ==, "Bea Jones (cloned)");
    g_assert_cmpuint(gtk_drop_down_get_selected(dropdown), ==, model_count); /* the new voice is selected */

    /* Speaking in it: the take says whose voice, its export carries the consent. */
    GListModel *takes = gs_voice_page_get_takes(voice_page);
    guint before = g_list_model_get_n_items(takes);
    gs_voice_page_set_script(voice_page, "Hello there.");
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.generate", NULL);
    deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    while (gs_voice_page_get_generating(voice_page) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_false(gs_voice_page_get_generating(voice_page));
    g_assert_cmpuint(g_list_model_get_n_items(takes), ==, before + 1);
    g_autoptr(GsTake) take = g_list_model_get_item(takes, before);
    g_assert_cmpstr(gs_take_get_voice(take), ==, "Bea Jones (cloned)");
    g_assert_cmpfloat(gs_take_get_duration(take), >, 0.3);

    g_autofree char *ogg = g_build_filename(g_get_user_data_dir(), "take.ogg", NULL);
    g_autoptr(GFile) file = g_file_new_for_path(ogg);
    g_autoptr(GAsyncResult) result = NULL;
    gs_voice_page_export_async(voice_page, take, file, NULL, on_exported, &result);
    while (!result)
        g_main_context_iteration(NULL, TRUE);
    g_assert_true(gs_voice_page_export_finish(voice_page, result, &error));
    g_assert_no_error(error);
    g_autofree char *comment = export_comment(ogg);
    g_print("comment: %s\n", comment);
    g_assert_nonnull(comment);
    g_assert_nonnull(strstr(comment, "Bea Jones"));
    g_assert_nonnull(strstr(comment, "0123456789abcdef"));
    g_remove(ogg);
    g_remove(broken);

    /* The Music page offers the voice as a singer too, after the model's
     * English voices (lyrics are sung with English phonemes). */
    guint english = 0;
    for (guint i = 0; i < model_count; i++)
        english += g_str_has_suffix(gtk_string_list_get_string(GTK_STRING_LIST(names), i), " — English (US)");
    AdwViewStack *stack = ADW_VIEW_STACK(ui_test_find_descendant(GTK_WIDGET(window), ADW_TYPE_VIEW_STACK));
    adw_view_stack_set_visible_child_name(stack, "music");
    GtkDropDown *singer = GTK_DROP_DOWN(
        ui_test_find_descendant(ui_test_find_descendant(GTK_WIDGET(window), GS_TYPE_MUSIC_PAGE), GTK_TYPE_DROP_DOWN));
    deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    while ((!gtk_drop_down_get_model(singer) ||
            g_list_model_get_n_items(gtk_drop_down_get_model(singer)) != english + 1) &&
           g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    GListModel *singers = gtk_drop_down_get_model(singer);
    g_assert_cmpuint(english, >, 0);
    g_assert_cmpuint(g_list_model_get_n_items(singers), ==, english + 1);
    g_assert_cmpstr(gtk_string_list_get_string(GTK_STRING_LIST(singers), english), ==, "Bea Jones (cloned)");
    adw_view_stack_set_visible_child_name(stack, "voice");

    /* The take carries the voice, so a project opened where the voices
     * folder lacks it (another computer) still offers it. */
    const GsVoice *carried = gs_take_get_cloned_voice(take);
    g_assert_nonnull(carried);
    g_assert_cmpstr(carried->consent_id, ==, "0123456789abcdef");
    g_assert_cmpint(g_remove(path), ==, 0);
    g_autoptr(GListStore) opened = g_list_store_new(GS_TYPE_TAKE);
    g_list_store_append(opened, take);
    gs_voice_page_set_takes(voice_page, opened);
    names = gtk_drop_down_get_model(dropdown);
    g_assert_cmpuint(g_list_model_get_n_items(names), ==, model_count + 1);
    g_assert_cmpstr(gtk_string_list_get_string(GTK_STRING_LIST(names), model_count), ==,
                    "Bea Jones (cloned, from this project)");

    /* Let the toast go before the window does. */
    gboolean done = FALSE;
    g_timeout_add(100, on_timeout, &done);
    while (!done)
        g_main_context_iteration(NULL, TRUE);
}

static void
on_activate(GApplication *app)
{
    window = GS_WINDOW(gtk_application_get_active_window(GTK_APPLICATION(app)));
    voice_page = GS_VOICE_PAGE(ui_test_find_descendant(GTK_WIDGET(window), GS_TYPE_VOICE_PAGE));
    iterate_until_idle();
    g_test_add_func("/clone-dialog/sources", test_sources);
    g_test_add_func("/clone-dialog/refusal", test_refusal);
    g_test_add_func("/clone-dialog/cloned-voices", test_cloned_voices);
    int status = g_test_run();
    gtk_window_destroy(GTK_WINDOW(window));
    if (status)
        exit(status);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_setenv("GS_AUDIO_SOURCE", "audiotestsrc", TRUE); /* a sine: not speech */
    return ui_test_run_app(on_activate);
}
