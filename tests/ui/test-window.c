/* The studio window under Xvfb: generate (the canvas leaves its placeholder,
 * history grows, the main loop stays responsive), cancel, restore from
 * history and from a dropped PNG's parameters, and a screenshot artefact;
 * then the Voice workspace: a take from a script, its waveform, playback
 * (on fakesink), export, cancel, and its own screenshot; then the Music
 * workspace: a piece from a prompt, its summary, playback, export, MIDI.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "gs-application.h"
#include "gs-music-page.h"
#include "gs-png.h"
#include "gs-voice-page.h"
#include "gs-window.h"

static GsWindow *window;
static GsImagePage *page;
static GsVoicePage *voice_page;
static GsMusicPage *music_page;
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

/* The window's header has no getter for every workspace: look it up. */
static GtkWidget *
find_descendant(GtkWidget *widget, GType type)
{
    if (G_TYPE_CHECK_INSTANCE_TYPE(widget, type))
        return widget;
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child)) {
        GtkWidget *found = find_descendant(child, type);
        if (found)
            return found;
    }
    return NULL;
}

static gboolean
shows_toast(GtkWidget *widget)
{
    if (g_str_equal(gtk_widget_get_css_name(widget), "toast"))
        return TRUE;
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child))
        if (shows_toast(child))
            return TRUE;
    return FALSE;
}

/* Toasts from earlier tests would cover the screenshot: let them time out. */
static void
wait_for_toasts_to_go(void)
{
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    while (shows_toast(GTK_WIDGET(window)) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
}

static void
wait_for_speech(void)
{
    gint64 deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    while (gs_voice_page_get_generating(voice_page) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_false(gs_voice_page_get_generating(voice_page));
    iterate_until_idle();
}

static void
on_playback_finished(GsAudioPlayer *player, gboolean *finished)
{
    *finished = TRUE;
}

static void
keep_result(GObject *source, GAsyncResult *result, gpointer user_data)
{
    GAsyncResult **kept = user_data;
    *kept = g_object_ref(result);
}

static void
test_voice(void)
{
    GListModel *takes = gs_voice_page_get_takes(voice_page);
    adw_view_stack_set_visible_child_name(ADW_VIEW_STACK(find_descendant(GTK_WIDGET(window), ADW_TYPE_VIEW_STACK)),
                                          "voice");
    iterate_until_idle();

    gs_voice_page_set_script(voice_page, "Hello from GenStudio.");
    last_tick_us = longest_gap_us = 0;
    guint timer = g_timeout_add(5, tick, NULL);
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.generate", NULL);
    g_assert_true(gs_voice_page_get_generating(voice_page));
    wait_for_speech();
    g_source_remove(timer);
    g_print("longest main-loop iteration while speaking: %.1f ms\n", longest_gap_us / 1000.0);
    g_assert_cmpint(longest_gap_us, <, 200 * 1000);
    g_assert_cmpuint(g_list_model_get_n_items(takes), ==, 1);
    g_autoptr(GsTake) take = g_list_model_get_item(takes, 0);
    g_print("take: %.2f s, voice %s\n", gs_take_get_duration(take), gs_take_get_voice(take));
    g_assert_cmpfloat(gs_take_get_duration(take), >, 0.5);
    g_assert_cmpstr(gs_take_get_text(take), ==, "Hello from GenStudio.");

    /* The new take is selected, so the waveform shows it. */
    GsWaveform *waveform = gs_voice_page_get_waveform(voice_page);
    g_assert_true(gs_waveform_get_take(waveform) == take);
    gsize count = 0;
    g_assert_nonnull(gs_take_get_samples(gs_waveform_get_take(waveform), &count));
    g_assert_cmpuint(count, >, 0);
    int bins, frames;
    g_assert_nonnull(gs_take_get_mel(take, &bins, &frames));
    GdkTexture *spectrogram = gs_waveform_get_spectrogram(waveform);
    g_assert_nonnull(spectrogram);
    g_assert_cmpint(gdk_texture_get_width(spectrogram), ==, frames);
    g_assert_cmpint(gdk_texture_get_height(spectrogram), ==, bins);

    /* Play to the end (GS_AUDIO_SINK=fakesink keeps real time). */
    GsAudioPlayer *player = gs_voice_page_get_player(voice_page);
    gboolean finished = FALSE;
    gulong handler = g_signal_connect(player, "finished", G_CALLBACK(on_playback_finished), &finished);
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.toggle-play", "u", 0);
    g_assert_true(gs_audio_player_is_playing(player));
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    while (!finished && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_signal_handler_disconnect(player, handler);
    g_assert_true(finished);
    g_assert_false(gs_audio_player_is_playing(player));

    /* Export as the file chooser would, to Ogg Vorbis. */
    g_autofree char *dir = g_dir_make_tmp("genstudio-voice-XXXXXX", NULL);
    g_assert_nonnull(dir);
    g_autofree char *path = g_build_filename(dir, "take.ogg", NULL);
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_autoptr(GAsyncResult) result = NULL;
    gs_voice_page_export_async(voice_page, take, file, NULL, keep_result, &result);
    while (!result)
        g_main_context_iteration(NULL, TRUE);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_voice_page_export_finish(voice_page, result, &error));
    g_assert_no_error(error);
    GStatBuf st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_print("exported: %s (%ld bytes)\n", path, (long)st.st_size);
    g_assert_cmpint(st.st_size, >, 0);
    g_remove(path);
    g_rmdir(dir);

    wait_for_toasts_to_go();
    screenshot(GS_ARTEFACT_DIR "/voice.png");
}

static gboolean
cancel_speech_soon(gpointer data)
{
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.cancel", NULL);
    return G_SOURCE_REMOVE;
}

static void
test_voice_cancel(void)
{
    GListModel *takes = gs_voice_page_get_takes(voice_page);
    guint before = g_list_model_get_n_items(takes);
    /* A blank script says so instead of starting. */
    gs_voice_page_set_script(voice_page, " \n\t\n");
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.generate", NULL);
    g_assert_false(gs_voice_page_get_generating(voice_page));

    gs_voice_page_set_script(voice_page, "One paragraph.\nAnother paragraph.\nA third one.");
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.generate", NULL);
    g_timeout_add(50, cancel_speech_soon, NULL);
    wait_for_speech();
    g_assert_cmpuint(g_list_model_get_n_items(takes), ==, before);
    gs_voice_page_set_script(voice_page, "Hello from GenStudio.");
}

static gboolean
count_frame(GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
    (*(int *)user_data)++;
    return G_SOURCE_CONTINUE;
}

/* A workspace's first frame is drawn when it is first shown, not while it
 * composes: let it pass before the main loop is timed. */
static void
wait_for_first_frame(GtkWidget *widget)
{
    int frames = 0;
    guint id = gtk_widget_add_tick_callback(widget, count_frame, &frames, NULL);
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (frames < 2 && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    gtk_widget_remove_tick_callback(widget, id);
    iterate_until_idle();
}

static void
test_music(void)
{
    GListModel *pieces = gs_music_page_get_pieces(music_page);
    adw_view_stack_set_visible_child_name(ADW_VIEW_STACK(find_descendant(GTK_WIDGET(window), ADW_TYPE_VIEW_STACK)),
                                          "music");
    wait_for_first_frame(GTK_WIDGET(music_page));

    gs_music_page_set_prompt(music_page, "happy pop in C major, 8 seconds");
    last_tick_us = longest_gap_us = 0;
    guint timer = g_timeout_add(5, tick, NULL);
    gtk_widget_activate_action(GTK_WIDGET(music_page), "music.generate", NULL);
    g_assert_true(gs_music_page_get_generating(music_page));
    gint64 deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    while (gs_music_page_get_generating(music_page) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_source_remove(timer);
    g_assert_false(gs_music_page_get_generating(music_page));
    iterate_until_idle();
    g_print("longest main-loop iteration while composing: %.1f ms\n", longest_gap_us / 1000.0);
    g_assert_cmpint(longest_gap_us, <, 200 * 1000);
    g_assert_cmpuint(g_list_model_get_n_items(pieces), ==, 1);
    g_autoptr(GsMusicPiece) piece = g_list_model_get_item(pieces, 0);

    /* The summary says what was understood: pop, about 8 s. */
    const char *summary = gs_music_page_get_summary(music_page);
    g_print("summary:\n%s\n", summary);
    g_assert_nonnull(strstr(summary, "pop"));
    double seconds = gs_arrangement_seconds(gs_music_piece_get_arrangement(piece));
    g_assert_cmpfloat(seconds, >=, 6.0);
    g_assert_cmpfloat(seconds, <=, 10.0);
    g_autofree char *length = g_strdup_printf("%.1f s", seconds);
    g_assert_nonnull(strstr(summary, length));

    /* The new piece is selected: the waveform shows its mix. */
    g_autoptr(GsTake) mix = g_object_ref(gs_waveform_get_take(gs_music_page_get_waveform(music_page)));
    g_assert_cmpfloat(fabs(gs_take_get_duration(mix) - gs_music_piece_get_duration(piece)), <, 0.01);

    /* Play to the end (fakesink keeps real time), or stop after 20 s. */
    GsAudioPlayer *player = gs_music_page_get_player(music_page);
    gboolean finished = FALSE;
    gulong handler = g_signal_connect(player, "finished", G_CALLBACK(on_playback_finished), &finished);
    gtk_widget_activate_action(GTK_WIDGET(music_page), "music.toggle-play", NULL);
    g_assert_true(gs_audio_player_is_playing(player));

    /* Muting the drums while it plays changes the mix and keeps it playing. */
    deadline = g_get_monotonic_time() + G_USEC_PER_SEC / 2;
    while (g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    GtkToggleButton *drums = GTK_TOGGLE_BUTTON(find_descendant(GTK_WIDGET(music_page), GTK_TYPE_TOGGLE_BUTTON));
    g_assert_nonnull(drums);
    gtk_toggle_button_set_active(drums, TRUE);
    g_assert_true(gs_music_piece_get_muted(piece, GS_MUSIC_PART_DRUMS));
    g_assert_true(gs_audio_player_is_playing(player));
    GsTake *muted = gs_waveform_get_take(gs_music_page_get_waveform(music_page));
    g_assert_true(muted != mix);
    gsize count, muted_count;
    const float *all = gs_take_get_samples(mix, &count), *some = gs_take_get_samples(muted, &muted_count);
    g_assert_cmpuint(count, ==, muted_count);
    g_assert_true(memcmp(all, some, count * sizeof(float)) != 0);

    deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    while (!finished && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_signal_handler_disconnect(player, handler);
    if (!finished)
        gtk_widget_activate_action(GTK_WIDGET(music_page), "music.toggle-play", NULL);
    g_assert_false(gs_audio_player_is_playing(player));
    gtk_toggle_button_set_active(drums, FALSE);
    g_assert_false(gs_music_piece_get_muted(piece, GS_MUSIC_PART_DRUMS));

    /* Export as the file chooser would, to Ogg Vorbis, and the notes as MIDI. */
    g_autofree char *dir = g_dir_make_tmp("genstudio-music-XXXXXX", NULL);
    g_assert_nonnull(dir);
    g_autofree char *path = g_build_filename(dir, "piece.ogg", NULL);
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_autoptr(GAsyncResult) result = NULL;
    gs_music_page_export_async(music_page, piece, file, NULL, keep_result, &result);
    while (!result)
        g_main_context_iteration(NULL, TRUE);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_music_page_export_finish(music_page, result, &error));
    g_assert_no_error(error);
    GStatBuf st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_print("exported: %s (%ld bytes)\n", path, (long)st.st_size);
    g_assert_cmpint(st.st_size, >, 0);
    g_remove(path);
    g_autofree char *midi_path = g_build_filename(dir, "piece.mid", NULL);
    g_autoptr(GFile) midi = g_file_new_for_path(midi_path);
    g_assert_true(gs_music_page_save_midi(music_page, piece, midi, &error));
    g_assert_no_error(error);
    g_assert_cmpint(g_stat(midi_path, &st), ==, 0);
    g_assert_cmpint(st.st_size, >, 0);
    g_remove(midi_path);
    g_rmdir(dir);

    wait_for_toasts_to_go();
    screenshot(GS_ARTEFACT_DIR "/music.png");
}

static void
on_activate(GApplication *app)
{
    window = GS_WINDOW(gtk_application_get_active_window(GTK_APPLICATION(app)));
    page = gs_window_get_image_page(window);
    voice_page = GS_VOICE_PAGE(find_descendant(GTK_WIDGET(window), GS_TYPE_VOICE_PAGE));
    music_page = GS_MUSIC_PAGE(find_descendant(GTK_WIDGET(window), GS_TYPE_MUSIC_PAGE));
    iterate_until_idle();
    g_test_add_func("/window/generate", test_generate);
    g_test_add_func("/window/cancel", test_cancel);
    g_test_add_func("/window/restore", test_restore);
    g_test_add_func("/window/voice", test_voice);
    g_test_add_func("/window/voice-cancel", test_voice_cancel);
    g_test_add_func("/window/music", test_music);
    int status = g_test_run();
    gtk_window_destroy(GTK_WINDOW(window));
    if (status)
        exit(status);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_setenv("GS_AUDIO_SINK", "fakesink", TRUE); /* silent playback that still keeps time */
    g_autoptr(GsApplication) app = gs_application_new();
    g_application_set_flags(G_APPLICATION(app), G_APPLICATION_NON_UNIQUE);
    g_signal_connect_after(app, "activate", G_CALLBACK(on_activate), NULL);
    return g_application_run(G_APPLICATION(app), 0, NULL);
}
