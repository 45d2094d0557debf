/* The studio window under Xvfb: generate (the canvas leaves its placeholder,
 * history grows, the main loop stays responsive), cancel, restore from
 * history and from a dropped PNG's parameters, and a screenshot artefact;
 * then the Voice workspace: a take from a script, its waveform, playback
 * (on fakesink), export, cancel, and its own screenshot; then the Music
 * workspace: a piece from a prompt, its summary, playback, export, MIDI;
 * then the Timeline workspace: clips placed, moved, split, undone and
 * redone, playback and export of the mix;
 * then the project: save, new, open (a good, a corrupt and a newer file),
 * recovery from an autosave, and the question when closing unsaved work.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "gs-application.h"
#include "gs-history-item.h"
#include "gs-music-page.h"
#include "gs-png.h"
#include "gs-timeline-mix.h"
#include "gs-timeline-page.h"
#include "gs-voice-page.h"
#include "gs-window.h"
#include "ui-test-support.h"

static GsWindow *window;
static GsImagePage *page;
static GsVoicePage *voice_page;
static GsMusicPage *music_page;
static GsTimelinePage *timeline_page;
static gint64 last_tick_us, longest_gap_us, watch_start_us;

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

static guint
watch_main_loop(void)
{
    last_tick_us = longest_gap_us = 0;
    watch_start_us = g_get_monotonic_time();
    return g_timeout_add(5, tick, NULL);
}

/* A job run on the main loop would stall it for about the job's whole
 * length; one in a worker thread leaves only short gaps. The bound is
 * 200 ms, or half the job on a machine so loaded that 200 ms is noise. */
static void
check_main_loop(guint timer, const char *while_doing)
{
    g_source_remove(timer);
    gint64 job_us = g_get_monotonic_time() - watch_start_us;
    g_print("longest main-loop iteration while %s: %.1f ms of %.1f ms\n", while_doing, longest_gap_us / 1000.0,
            job_us / 1000.0);
    g_assert_cmpint(longest_gap_us, <, MAX(200 * 1000, job_us / 2));
}

static void
iterate_for(gint64 usec)
{
    gint64 deadline = g_get_monotonic_time() + usec;
    while (g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
}

/* Until `*done`, for `seconds` at most. */
static void
iterate_until_done(const gboolean *done, int seconds)
{
    gint64 deadline = g_get_monotonic_time() + seconds * G_USEC_PER_SEC;
    while (!*done && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
}

/* A page's "generating" getter. */
typedef gboolean (*PageBusyFunc)(gpointer page);

/* The page must be done within `seconds`; then what its end queued runs. */
static void
wait_while_busy(PageBusyFunc busy, gpointer busy_page, int seconds)
{
    gint64 deadline = g_get_monotonic_time() + seconds * G_USEC_PER_SEC;
    while (busy(busy_page) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_false(busy(busy_page));
    iterate_until_idle();
}

static void
wait_for_generation(void)
{
    wait_while_busy((PageBusyFunc)gs_image_page_get_generating, page, 300);
}

/* The first descendant with a style class. */
static GtkWidget *
find_styled(GtkWidget *widget, const char *css_class)
{
    if (gtk_widget_has_css_class(widget, css_class))
        return widget;
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child)) {
        GtkWidget *found = find_styled(child, css_class);
        if (found)
            return found;
    }
    return NULL;
}

static void
test_generate(void)
{
    GsCanvas *canvas = gs_image_page_get_canvas(page);
    g_assert_null(gs_canvas_get_texture(canvas)); /* the placeholder: nothing */
    gs_image_page_set_prompt(page, "red apple");
    guint timer = watch_main_loop();
    gtk_widget_activate_action(GTK_WIDGET(page), "image.generate", NULL);
    g_assert_true(gs_image_page_get_generating(page));
    wait_for_generation();
    check_main_loop(timer, "generating");
    g_assert_nonnull(gs_canvas_get_texture(canvas));
    g_assert_cmpuint(g_list_model_get_n_items(gs_image_page_get_history(page)), ==, 1);
    /* Every result wears the badge. */
    GtkWidget *badge = find_styled(GTK_WIDGET(page), "ai-badge");
    g_assert_nonnull(badge);
    g_assert_true(gtk_widget_get_visible(badge));
    ui_test_screenshot(GTK_WINDOW(window), GS_ARTEFACT_DIR "/window.png");
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

/* The mute toggle of the Music page's stem row titled `title` (the
 * singer dropdown above has a toggle button of its own). */
static GtkWidget *
find_mute_toggle_in(GtkWidget *widget, const char *title)
{
    if (ADW_IS_ACTION_ROW(widget) && g_strcmp0(adw_preferences_row_get_title(ADW_PREFERENCES_ROW(widget)), title) == 0)
        return ui_test_find_descendant(widget, GTK_TYPE_TOGGLE_BUTTON);
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child)) {
        GtkWidget *found = find_mute_toggle_in(child, title);
        if (found)
            return found;
    }
    return NULL;
}

static GtkWidget *
find_mute_toggle(const char *title)
{
    return find_mute_toggle_in(GTK_WIDGET(music_page), title);
}

/* The dropdown whose model holds an item starting with `first`. */
static GtkDropDown *
find_dropdown(GtkWidget *widget, const char *first)
{
    if (GTK_IS_DROP_DOWN(widget)) {
        GListModel *model = gtk_drop_down_get_model(GTK_DROP_DOWN(widget));
        const char *item = model && g_list_model_get_n_items(model)
                               ? gtk_string_list_get_string(GTK_STRING_LIST(model), 0) : NULL;
        if (item && g_str_has_prefix(item, first))
            return GTK_DROP_DOWN(widget);
    }
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child)) {
        GtkDropDown *found = find_dropdown(child, first);
        if (found)
            return found;
    }
    return NULL;
}

/* The window's header has no getter for its view stack. */
static void
show_workspace(const char *name)
{
    adw_view_stack_set_visible_child_name(ADW_VIEW_STACK(ui_test_find_descendant(GTK_WIDGET(window), ADW_TYPE_VIEW_STACK)),
                                          name);
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
    wait_while_busy((PageBusyFunc)gs_voice_page_get_generating, voice_page, 120);
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
wait_for_result(GAsyncResult **kept)
{
    while (!*kept)
        g_main_context_iteration(NULL, TRUE);
}

/* For files exported as the file chooser would. */
static char *
make_export_dir(const char *template)
{
    char *dir = g_dir_make_tmp(template, NULL);
    g_assert_nonnull(dir);
    return dir;
}

static void
assert_written_and_remove(const char *path)
{
    GStatBuf st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_print("exported: %s (%ld bytes)\n", path, (long)st.st_size);
    g_assert_cmpint(st.st_size, >, 0);
    g_remove(path);
}

static void
test_voice(void)
{
    GListModel *takes = gs_voice_page_get_takes(voice_page);
    show_workspace("voice");
    iterate_until_idle();

    gs_voice_page_set_script(voice_page, "Hello from GenStudio.");
    guint timer = watch_main_loop();
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.generate", NULL);
    g_assert_true(gs_voice_page_get_generating(voice_page));
    wait_for_speech();
    check_main_loop(timer, "speaking");
    g_assert_cmpuint(g_list_model_get_n_items(takes), ==, 1);
    g_autoptr(GsTake) take = g_list_model_get_item(takes, 0);
    g_print("take: %.2f s, voice %s\n", gs_take_get_duration(take), gs_take_get_voice(take));
    g_assert_cmpfloat(gs_take_get_duration(take), >, 0.5);
    g_assert_cmpstr(gs_take_get_text(take), ==, "Hello from GenStudio.");

    /* Languages with trained voices are listed as such; the others say
     * they borrow the nearest sounds. */
    GtkDropDown *languages = find_dropdown(GTK_WIDGET(voice_page), "English (US)");
    g_assert_nonnull(languages);
    GtkStringList *names = GTK_STRING_LIST(gtk_drop_down_get_model(languages));
    const char *trained[] = { "English (US)", "Catalan", "Czech",   "Finnish", "Hindi",
                              "Italian",      "Marathi", "Russian", "Telugu",  NULL };
    const char *borrowing = " (nearest phonemes, no trained voice)";
    guint italian = G_MAXUINT;
    for (guint i = 0; i < g_list_model_get_n_items(G_LIST_MODEL(names)); i++) {
        const char *name = gtk_string_list_get_string(names, i);
        gboolean borrowed = g_str_has_suffix(name, borrowing);
        g_autofree char *language = borrowed ? g_strndup(name, strlen(name) - strlen(borrowing)) : g_strdup(name);
        g_assert_cmpint(borrowed, !=, g_strv_contains(trained, language));
        italian = g_str_equal(name, "Italian") ? i : italian;
    }
    /* Choosing one gives one of its voices. */
    GtkDropDown *voices = find_dropdown(GTK_WIDGET(voice_page), gs_take_get_voice(take));
    g_assert_nonnull(voices);
    gtk_drop_down_set_selected(languages, italian);
    const char *voice = gtk_string_object_get_string(gtk_drop_down_get_selected_item(voices));
    g_assert_true(g_str_equal(voice, "lp — Italian") || g_str_equal(voice, "pc — Italian"));
    gtk_drop_down_set_selected(languages, 0);

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
    iterate_until_done(&finished, 30);
    g_signal_handler_disconnect(player, handler);
    g_assert_true(finished);
    g_assert_false(gs_audio_player_is_playing(player));

    /* Export as the file chooser would, to Ogg Vorbis. */
    g_autofree char *dir = make_export_dir("genstudio-voice-XXXXXX");
    g_autofree char *path = g_build_filename(dir, "take.ogg", NULL);
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_autoptr(GAsyncResult) result = NULL;
    gs_voice_page_export_async(voice_page, take, file, NULL, keep_result, &result);
    wait_for_result(&result);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_voice_page_export_finish(voice_page, result, &error));
    g_assert_no_error(error);
    assert_written_and_remove(path);
    g_rmdir(dir);

    wait_for_toasts_to_go();
    ui_test_screenshot(GTK_WINDOW(window), GS_ARTEFACT_DIR "/voice.png");
}

static void
cancel_speech_on_first_take(GListModel *takes, guint position, guint removed, guint added, gpointer data)
{
    if (added)
        gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.cancel", NULL);
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

    /* Cancelled before its first take is made: no take. */
    gs_voice_page_set_script(voice_page, "A take that is cancelled before it is made.");
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.generate", NULL);
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.cancel", NULL);
    wait_for_speech();
    g_assert_cmpuint(g_list_model_get_n_items(takes), ==, before);

    /* Cancelled between paragraphs: the finished take stays, the rest are
     * not spoken. (Cancelling on the event, not after a delay, so a fast
     * machine cannot finish a paragraph first.) */
    gs_voice_page_set_script(voice_page, "One paragraph.\nAnother paragraph.\nA third one.");
    gulong handler = g_signal_connect(takes, "items-changed", G_CALLBACK(cancel_speech_on_first_take), NULL);
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.generate", NULL);
    wait_for_speech();
    g_signal_handler_disconnect(takes, handler);
    g_assert_cmpuint(g_list_model_get_n_items(takes), ==, before + 1);
    g_autoptr(GsTake) kept = g_list_model_get_item(takes, before);
    g_assert_cmpstr(gs_take_get_text(kept), ==, "One paragraph.");
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
wait_for_music(void)
{
    wait_while_busy((PageBusyFunc)gs_music_page_get_generating, music_page, 120);
}

static void
test_music(void)
{
    GListModel *pieces = gs_music_page_get_pieces(music_page);
    show_workspace("music");
    wait_for_first_frame(GTK_WIDGET(music_page));

    gs_music_page_set_prompt(music_page, "happy pop in C major, 8 seconds");
    guint timer = watch_main_loop();
    gtk_widget_activate_action(GTK_WIDGET(music_page), "music.generate", NULL);
    g_assert_true(gs_music_page_get_generating(music_page));
    gint64 deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    while (gs_music_page_get_generating(music_page) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    check_main_loop(timer, "composing");
    g_assert_false(gs_music_page_get_generating(music_page));
    iterate_until_idle();
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
    iterate_for(G_USEC_PER_SEC / 2);
    GtkToggleButton *drums = GTK_TOGGLE_BUTTON(find_mute_toggle("Drums"));
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

    iterate_until_done(&finished, 20);
    g_signal_handler_disconnect(player, handler);
    if (!finished)
        gtk_widget_activate_action(GTK_WIDGET(music_page), "music.toggle-play", NULL);
    g_assert_false(gs_audio_player_is_playing(player));
    gtk_toggle_button_set_active(drums, FALSE);
    g_assert_false(gs_music_piece_get_muted(piece, GS_MUSIC_PART_DRUMS));

    /* Export as the file chooser would, to Ogg Vorbis, and the notes as MIDI. */
    g_autofree char *dir = make_export_dir("genstudio-music-XXXXXX");
    g_autofree char *path = g_build_filename(dir, "piece.ogg", NULL);
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_autoptr(GAsyncResult) result = NULL;
    gs_music_page_export_async(music_page, piece, file, NULL, keep_result, &result);
    wait_for_result(&result);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_music_page_export_finish(music_page, result, &error));
    g_assert_no_error(error);
    assert_written_and_remove(path);
    g_autofree char *midi_path = g_build_filename(dir, "piece.mid", NULL);
    g_autoptr(GFile) midi = g_file_new_for_path(midi_path);
    g_assert_true(gs_music_page_save_midi(music_page, piece, midi, &error));
    g_assert_no_error(error);
    assert_written_and_remove(midi_path);
    g_rmdir(dir);

    wait_for_toasts_to_go();
    ui_test_screenshot(GTK_WINDOW(window), GS_ARTEFACT_DIR "/music.png");
}

/* Interleaved stereo at the timeline's rate: a sum of sines, quiet enough
 * that two clips mixed stay below full scale. */
static float *
tone_new(double seconds, const double *hz, gsize n_hz, gsize *frames)
{
    *frames = (gsize)(seconds * GS_TIMELINE_RATE);
    float *stereo = g_new(float, 2 * *frames);
    for (gsize i = 0; i < *frames; i++) {
        double t = (double)i / GS_TIMELINE_RATE, v = 0;
        for (gsize k = 0; k < n_hz; k++)
            v += 0.3 / n_hz * sin(2 * G_PI * hz[k] * t);
        stereo[2 * i] = stereo[2 * i + 1] = (float)v;
    }
    return stereo;
}

static void
assert_clip(GsTimeline *timeline, guint id, guint track, double position, double in, double out)
{
    GsTimelineClip clip;
    g_assert_true(gs_timeline_get_clip(timeline, id, &clip));
    g_assert_cmpuint(clip.track, ==, track);
    g_assert_cmpfloat_with_epsilon(clip.position, position, 1e-4);
    g_assert_cmpfloat_with_epsilon(clip.in, in, 1e-4);
    g_assert_cmpfloat_with_epsilon(clip.out, out, 1e-4);
}

static guint
count_clips(GsTimeline *timeline)
{
    guint n_tracks = 0, total = 0;
    g_autofree guint *tracks = gs_timeline_dup_track_ids(timeline, &n_tracks);
    for (guint t = 0; t < n_tracks; t++) {
        guint n = 0;
        g_free(gs_timeline_dup_clip_ids(timeline, tracks[t], &n));
        total += n;
    }
    return total;
}

static void
test_timeline(void)
{
    show_workspace("timeline");
    wait_for_first_frame(GTK_WIDGET(timeline_page));
    GsTimeline *timeline = gs_timeline_page_get_timeline(timeline_page);
    GsTimelineView *view = gs_timeline_page_get_view(timeline_page);

    /* Two empty tracks to start with, and nothing to undo. */
    guint n_tracks = 0;
    g_autofree guint *tracks = gs_timeline_dup_track_ids(timeline, &n_tracks);
    g_assert_cmpuint(n_tracks, ==, 2);
    GsTimelineTrack track;
    g_assert_true(gs_timeline_get_track(timeline, tracks[0], &track));
    g_assert_cmpstr(track.name, ==, "Voice");
    g_assert_false(gs_timeline_can_undo(timeline));

    /* A 2 s tone lands on the first track; a 4 s chord at the same time
     * goes to the second, where there is room. */
    const double a[] = { 440 }, chord[] = { 261.63, 329.63, 392.0 };
    gsize speech_frames, bed_frames;
    g_autofree float *speech_audio = tone_new(2, a, G_N_ELEMENTS(a), &speech_frames);
    g_autofree float *bed_audio = tone_new(4, chord, G_N_ELEMENTS(chord), &bed_frames);
    guint speech = gs_timeline_page_add_clip_to_track(timeline_page, NULL, "speech", speech_audio, speech_frames);
    guint bed = gs_timeline_page_add_clip_to_track(timeline_page, NULL, "music bed", bed_audio, bed_frames);
    g_assert_cmpuint(speech, !=, 0);
    g_assert_cmpuint(bed, !=, 0);
    assert_clip(timeline, speech, tracks[0], 0, 0, 2);
    assert_clip(timeline, bed, tracks[1], 0, 0, 4);
    g_assert_cmpuint(gs_timeline_view_get_selected_clip(view), ==, bed);
    g_assert_cmpfloat_with_epsilon(gs_timeline_get_duration(timeline), 4, 1e-4);

    /* Waveform thumbnails come from a worker thread once the clips are drawn. */
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (gs_timeline_view_get_n_thumbnails(view) < 2 && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_cmpuint(gs_timeline_view_get_n_thumbnails(view), ==, 2);

    /* Move the speech to 1 s, then split it at the playhead (2 s). */
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_timeline_move_clip(timeline, speech, tracks[0], 1.0, &error));
    g_assert_no_error(error);
    assert_clip(timeline, speech, tracks[0], 1, 0, 2);
    gs_timeline_view_set_selected_clip(view, speech);
    gs_timeline_page_seek(timeline_page, 2.0);
    gtk_widget_activate_action(GTK_WIDGET(timeline_page), "timeline.split", NULL);
    g_assert_cmpuint(count_clips(timeline), ==, 3);
    assert_clip(timeline, speech, tracks[0], 1, 0, 1);
    guint n_clips = 0;
    g_autofree guint *clips = gs_timeline_dup_clip_ids(timeline, tracks[0], &n_clips);
    g_assert_cmpuint(n_clips, ==, 2);
    assert_clip(timeline, clips[1], tracks[0], 2, 1, 2);

    /* Undo the split, then the move; redo the move. */
    gtk_widget_activate_action(GTK_WIDGET(timeline_page), "timeline.undo", NULL);
    g_assert_cmpuint(count_clips(timeline), ==, 2);
    assert_clip(timeline, speech, tracks[0], 1, 0, 2);
    gtk_widget_activate_action(GTK_WIDGET(timeline_page), "timeline.undo", NULL);
    assert_clip(timeline, speech, tracks[0], 0, 0, 2);
    gtk_widget_activate_action(GTK_WIDGET(timeline_page), "timeline.redo", NULL);
    assert_clip(timeline, speech, tracks[0], 1, 0, 2);
    assert_clip(timeline, bed, tracks[1], 0, 0, 4);
    g_assert_cmpuint(count_clips(timeline), ==, 2);

    /* Play from the start for a moment (the mix is made in a thread); the
     * playhead follows the player. */
    gs_timeline_page_seek(timeline_page, 0);
    GsAudioPlayer *player = gs_timeline_page_get_player(timeline_page);
    guint timer = watch_main_loop();
    gtk_widget_activate_action(GTK_WIDGET(timeline_page), "timeline.toggle-play", NULL);
    g_assert_true(gs_timeline_page_get_playing(timeline_page));
    deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!gs_audio_player_is_playing(player) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_true(gs_audio_player_is_playing(player));
    iterate_for(G_USEC_PER_SEC / 2);
    double playhead = gs_timeline_view_get_playhead(view);
    g_print("playhead after 0.5 s of playback: %.2f s\n", playhead);
    g_assert_cmpfloat(playhead, >, 0.05);
    g_assert_cmpfloat(playhead, <, 4.0);
    gtk_widget_activate_action(GTK_WIDGET(timeline_page), "timeline.toggle-play", NULL);
    g_assert_false(gs_timeline_page_get_playing(timeline_page));
    g_assert_false(gs_audio_player_is_playing(player));

    /* Export the mix as the file chooser would, to Ogg Vorbis: 4 s long. */
    g_autofree char *dir = make_export_dir("genstudio-timeline-XXXXXX");
    g_autofree char *path = g_build_filename(dir, "mix.ogg", NULL);
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_autoptr(GAsyncResult) result = NULL;
    gs_timeline_page_export_async(timeline_page, file, NULL, keep_result, &result);
    wait_for_result(&result);
    check_main_loop(timer, "playing and exporting");
    g_assert_true(gs_timeline_page_export_finish(timeline_page, result, &error));
    g_assert_no_error(error);
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
    g_autofree float *decoded = NULL;
    gsize decoded_frames = 0;
    g_assert_true(gs_audio_decode(path, 2, GS_TIMELINE_RATE, &decoded, &decoded_frames, &error));
    g_assert_no_error(error);
    double seconds = (double)decoded_frames / GS_TIMELINE_RATE;
    g_print("exported mix: %s, %.3f s\n", path, seconds);
    g_assert_cmpfloat(fabs(seconds - 4.0), <, 0.1);
    g_remove(path);
    g_rmdir(dir);

    wait_for_toasts_to_go();
    ui_test_screenshot(GTK_WINDOW(window), GS_ARTEFACT_DIR "/timeline.png");
}

/* A label inside a toast whose text has `needle`: what the user reads. */
static gboolean
toast_says(GtkWidget *widget, const char *needle, gboolean in_toast)
{
    in_toast = in_toast || g_str_equal(gtk_widget_get_css_name(widget), "toast");
    if (in_toast && GTK_IS_LABEL(widget) && strstr(gtk_label_get_text(GTK_LABEL(widget)), needle))
        return TRUE;
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child))
        if (toast_says(child, needle, in_toast))
            return TRUE;
    return FALSE;
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
answer_dialog(AdwMessageDialog *dialog, const char *response)
{
    adw_message_dialog_response(dialog, response);
    gtk_window_destroy(GTK_WINDOW(dialog));
    iterate_until_idle();
}

static void
write_file(const char *dir, const char *name, const char *contents, char **path)
{
    *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(*path, contents, -1, NULL));
}

/* The clip labelled `label` on the Timeline page, 0 when there is none. */
static guint
find_clip(const char *label, GsTimelineClip *found)
{
    GsTimeline *timeline = gs_timeline_page_get_timeline(timeline_page);
    guint n_tracks = 0;
    g_autofree guint *tracks = gs_timeline_dup_track_ids(timeline, &n_tracks);
    for (guint t = 0; t < n_tracks; t++) {
        guint n_clips = 0;
        g_autofree guint *clips = gs_timeline_dup_clip_ids(timeline, tracks[t], &n_clips);
        for (guint c = 0; c < n_clips; c++)
            if (gs_timeline_get_clip(timeline, clips[c], found) && g_strcmp0(found->label, label) == 0)
                return clips[c];
    }
    return 0;
}

/* The selected take, resampled to stereo 44.1 kHz, and the selected
 * piece's unmuted stems arrive on the timeline as clips of their length. */
static void
test_send_to_timeline(void)
{
    GsTake *take = gs_waveform_get_take(gs_voice_page_get_waveform(voice_page));
    g_assert_nonnull(take);
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.send-to-timeline", NULL);
    GsTimelineClip clip;
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    while (!find_clip(gs_take_get_text(take), &clip) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_cmpuint(find_clip(gs_take_get_text(take), &clip), !=, 0);
    g_assert_cmpfloat(fabs(clip.out - clip.in - gs_take_get_duration(take)), <, 0.01);

    /* Whichever piece is selected, each unmuted stem lands on its part's
     * track, labelled with the prompt and the part. */
    GListModel *pieces = gs_music_page_get_pieces(music_page);
    g_assert_cmpuint(g_list_model_get_n_items(pieces), >, 0);
    gtk_widget_activate_action(GTK_WIDGET(music_page), "music.send-to-timeline", NULL);
    static const char *const tracks[GS_MUSIC_PART_COUNT] = {
        [GS_MUSIC_PART_DRUMS] = "Drums",
        [GS_MUSIC_PART_BASS] = "Bass",
        [GS_MUSIC_PART_CHORDS] = "Chords",
        [GS_MUSIC_PART_MELODY] = "Melody",
    };
    guint sent = 0;
    for (guint i = 0; i < g_list_model_get_n_items(pieces) && !sent; i++) {
        g_autoptr(GsMusicPiece) piece = g_list_model_get_item(pieces, i);
        guint unmuted = 0;
        for (int part = 0; part < GS_MUSIC_PART_COUNT; part++) {
            if (gs_music_piece_get_muted(piece, part))
                continue;
            unmuted++;
            g_autofree char *label =
                g_strdup_printf("%s — %s", gs_music_piece_get_text(piece), gs_music_part_name(part));
            if (!find_clip(label, &clip))
                continue;
            GsTimelineTrack track;
            g_assert_true(gs_timeline_get_track(gs_timeline_page_get_timeline(timeline_page), clip.track, &track));
            g_assert_cmpstr(track.name, ==, tracks[part]);
            g_assert_cmpfloat(fabs(clip.out - clip.in - gs_music_piece_get_duration(piece)), <, 0.01);
            sent++;
        }
        if (!sent)
            continue;
        g_assert_cmpuint(sent, ==, unmuted);
        /* Its sections are markers from where its stems start. */
        GsTimeline *timeline = gs_timeline_page_get_timeline(timeline_page);
        const GsArrangement *arrangement = gs_music_piece_get_arrangement(piece);
        g_assert_cmpint(arrangement->n_sections, >, 0);
        g_assert_cmpuint(gs_timeline_get_n_markers(timeline), ==, (guint)arrangement->n_sections);
        for (int s = 0; s < arrangement->n_sections; s++) {
            GsTimelineMarker marker;
            g_assert_true(gs_timeline_get_marker(timeline, (guint)s, &marker));
            g_assert_cmpstr(marker.name, ==, gs_music_section_name(arrangement->sections[s].kind));
            double start = clip.position + gs_arrangement_bar_seconds(arrangement, arrangement->sections[s].first_bar);
            g_assert_cmpfloat(fabs(marker.time - start), <, 1e-3);
        }
    }
    g_assert_cmpuint(sent, >, 0);
    show_workspace("timeline");
    wait_for_toasts_to_go();
    ui_test_screenshot(GTK_WINDOW(window), GS_ARTEFACT_DIR "/timeline-sections.png");
}

static void
test_project(void)
{
    GsProject *project = gs_window_get_project(window);
    /* The takes live in the project. */
    g_assert_true(G_LIST_MODEL(gs_project_get_takes(project)) == gs_voice_page_get_takes(voice_page));
    /* Images and music made so far are in it too. */
    guint n_images = g_list_model_get_n_items(gs_image_page_get_history(page));
    guint n_music = g_list_model_get_n_items(gs_music_page_get_pieces(music_page));
    g_assert_cmpuint(gs_project_get_n_images(project), ==, n_images);
    g_assert_cmpuint(gs_project_get_n_music(project), ==, n_music);
    show_workspace("voice");
    gs_voice_page_set_script(voice_page, "Kept in a project.");
    gtk_widget_activate_action(GTK_WIDGET(voice_page), "voice.generate", NULL);
    wait_for_speech();
    GListModel *takes = gs_voice_page_get_takes(voice_page);
    guint n_takes = g_list_model_get_n_items(takes);
    g_assert_cmpuint(n_takes, >=, 1);
    g_autoptr(GsTake) take = g_list_model_get_item(takes, n_takes - 1);
    g_assert_cmpstr(gs_take_get_text(take), ==, "Kept in a project.");
    g_assert_true(gs_project_get_dirty(project));
    g_assert_true(g_str_has_prefix(gtk_window_get_title(GTK_WINDOW(window)), "• "));

    /* A piece with its drums muted: the project keeps how to render it again. */
    GListModel *pieces = gs_music_page_get_pieces(music_page);
    gs_music_page_set_prompt(music_page, "happy pop in C major, 4 seconds");
    gtk_widget_activate_action(GTK_WIDGET(music_page), "music.generate", NULL);
    wait_for_music();
    n_music++;
    g_assert_cmpuint(g_list_model_get_n_items(pieces), ==, n_music);
    g_autoptr(GsMusicPiece) piece = g_list_model_get_item(pieces, n_music - 1);
    GtkToggleButton *drums = GTK_TOGGLE_BUTTON(find_mute_toggle("Drums"));
    gtk_toggle_button_set_active(drums, TRUE);
    g_assert_true(gs_music_piece_get_muted(piece, GS_MUSIC_PART_DRUMS));
    const char *const drums_only[] = { "drums", NULL };
    g_assert_true(g_strv_equal((const char *const *)gs_project_get_music(project, n_music - 1)->muted, drums_only));
    gsize piece_frames = gs_music_piece_get_audio(piece)->frames;

    /* A clip on the timeline, whose audio the project keeps. */
    gsize clip_frames = GS_TIMELINE_RATE / 4;
    g_autofree float *clip_audio = g_new0(float, clip_frames * GS_TIMELINE_CHANNELS);
    for (gsize i = 0; i < clip_frames * GS_TIMELINE_CHANNELS; i++)
        clip_audio[i] = 0.25f * sinf((float)i * 0.05f);
    gs_timeline_page_seek(timeline_page, 3.5);
    g_assert_cmpuint(gs_timeline_page_add_clip_to_track(timeline_page, NULL, "Kept clip", clip_audio, clip_frames), !=, 0);

    g_autofree char *dir = g_dir_make_tmp("genstudio-project-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "My Session.genstudio", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_window_save_project(window, path, &error));
    g_assert_no_error(error);
    g_assert_false(gs_project_get_dirty(project));
    g_assert_cmpstr(gtk_window_get_title(GTK_WINDOW(window)), ==, "My Session — GenStudio");

    gtk_widget_activate_action(GTK_WIDGET(window), "project.new", NULL);
    g_assert_true(gs_window_get_project(window) != project);
    g_assert_cmpuint(g_list_model_get_n_items(gs_voice_page_get_takes(voice_page)), ==, 0);
    g_assert_nonnull(strstr(gtk_window_get_title(GTK_WINDOW(window)), "Untitled"));
    g_assert_cmpuint(g_list_model_get_n_items(gs_image_page_get_history(page)), ==, 0);
    g_assert_cmpuint(g_list_model_get_n_items(pieces), ==, 0);
    GsTimelineClip clip;
    g_assert_cmpuint(find_clip("Kept clip", &clip), ==, 0);

    gtk_widget_activate_action(GTK_WIDGET(window), "project.open-file", "s", path);
    project = gs_window_get_project(window);
    g_assert_cmpstr(gs_project_get_path(project), ==, path);
    takes = gs_voice_page_get_takes(voice_page);
    g_assert_true(G_LIST_MODEL(gs_project_get_takes(project)) == takes);
    g_assert_cmpuint(g_list_model_get_n_items(takes), ==, n_takes);
    g_autoptr(GsTake) loaded = g_list_model_get_item(takes, n_takes - 1);
    g_assert_cmpstr(gs_take_get_text(loaded), ==, "Kept in a project.");
    g_assert_cmpfloat(fabs(gs_take_get_duration(loaded) - gs_take_get_duration(take)), <, 0.01);
    g_assert_cmpuint(gs_project_get_n_images(project), ==, n_images);
    g_assert_cmpuint(gs_project_get_n_music(project), ==, n_music);
    g_assert_cmpstr(gtk_window_get_title(GTK_WINDOW(window)), ==, "My Session — GenStudio");
    /* The images are back in the history, newest first, with how they were made. */
    GListModel *history = gs_image_page_get_history(page);
    g_assert_cmpuint(g_list_model_get_n_items(history), ==, n_images);
    for (guint i = 0; i < n_images; i++) {
        g_autoptr(GsHistoryItem) item = g_list_model_get_item(history, n_images - 1 - i);
        g_assert_cmpstr(gs_history_item_get_parameters_text(item), ==, gs_project_get_image(project, i)->parameters);
    }
    /* The pieces are rendered again: the same, drums still muted. */
    wait_for_music();
    g_assert_cmpuint(g_list_model_get_n_items(pieces), ==, n_music);
    g_autoptr(GsMusicPiece) reloaded = g_list_model_get_item(pieces, n_music - 1);
    g_assert_cmpstr(gs_music_piece_get_text(reloaded), ==, "happy pop in C major, 4 seconds");
    g_assert_cmpuint(gs_music_piece_get_seed(reloaded), ==, gs_music_piece_get_seed(piece));
    g_assert_true(gs_music_piece_get_muted(reloaded, GS_MUSIC_PART_DRUMS));
    g_assert_false(gs_music_piece_get_muted(reloaded, GS_MUSIC_PART_BASS));
    g_assert_cmpuint(gs_music_piece_get_audio(reloaded)->frames, ==, piece_frames);
    drums = GTK_TOGGLE_BUTTON(find_mute_toggle("Drums"));
    g_assert_true(gtk_toggle_button_get_active(drums));
    g_assert_cmpuint(find_clip("Kept clip", &clip), !=, 0);
    g_assert_cmpfloat_with_epsilon(clip.position, 3.5, 1.0 / GS_TIMELINE_RATE);
    g_assert_nonnull(clip.audio);
    g_assert_cmpuint(g_bytes_get_size(clip.audio), ==, clip_frames * GS_TIMELINE_CHANNELS * sizeof(float));
    g_assert_false(gs_project_get_dirty(project));

    /* A corrupt project and one from a newer GenStudio: a toast, and the
     * project stays. */
    g_autofree char *corrupt = NULL, *newer = NULL;
    write_file(dir, "corrupt.genstudio", "{ \"format\": \"genstudio-proj", &corrupt);
    write_file(dir, "newer.genstudio", "{ \"format\": \"genstudio-project\", \"version\": 99 }", &newer);
    const char *bad[] = { corrupt, newer };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        gtk_widget_activate_action(GTK_WIDGET(window), "project.open-file", "s", bad[i]);
        iterate_until_idle();
        g_assert_true(toast_says(GTK_WIDGET(window), bad[i], FALSE));
        g_assert_true(gs_window_get_project(window) == project);
        g_assert_cmpuint(g_list_model_get_n_items(gs_voice_page_get_takes(voice_page)), ==, n_takes);
    }

    /* An autosave is offered back as a recovery, and a save drops it. */
    g_list_store_remove(gs_project_get_takes(project), 0);
    g_assert_true(gs_project_autosave(project, &error));
    g_assert_no_error(error);
    g_auto(GStrv) recoveries = gs_project_find_recoveries();
    g_assert_cmpuint(g_strv_length(recoveries), ==, 1);
    g_assert_cmpstr(recoveries[0], ==, gs_project_get_recovery_path(project));
    g_assert_true(g_str_has_prefix(recoveries[0], g_get_user_state_dir()));
    gs_window_offer_recovery(window);
    AdwMessageDialog *dialog = find_message_dialog();
    g_assert_nonnull(dialog);
    g_assert_cmpstr(adw_message_dialog_get_heading(dialog), ==, "Recover unsaved work?");
    answer_dialog(dialog, "recover");
    GsProject *recovered = gs_window_get_project(window);
    g_assert_true(recovered != project);
    g_assert_cmpstr(gs_project_get_path(recovered), ==, path);
    g_assert_true(gs_project_get_dirty(recovered));
    g_assert_cmpuint(g_list_model_get_n_items(gs_voice_page_get_takes(voice_page)), ==, n_takes - 1);
    g_assert_true(gs_window_save_project(window, path, &error));
    g_assert_false(g_file_test(recoveries[0], G_FILE_TEST_EXISTS));

    /* Closing with unsaved changes asks first; Cancel keeps the window. */
    g_list_store_append(gs_project_get_takes(recovered), take);
    gtk_window_close(GTK_WINDOW(window));
    iterate_until_idle();
    dialog = find_message_dialog();
    g_assert_nonnull(dialog);
    answer_dialog(dialog, "cancel");
    g_assert_true(gtk_widget_get_visible(GTK_WIDGET(window)));
    g_assert_true(gs_project_get_dirty(recovered));

    wait_for_toasts_to_go();
    ui_test_remove_tree(dir);
}

static guint
n_takes_of(GsWindow *some_window)
{
    return g_list_model_get_n_items(G_LIST_MODEL(gs_project_get_takes(gs_window_get_project(some_window))));
}

/* Two untitled windows left two autosaves (of one take and of two): both
 * come back, the newest in this window, the other in a new one. */
static void
test_recover_untitled(void)
{
    g_autoptr(GsTake) take = g_list_model_get_item(gs_voice_page_get_takes(voice_page), 0);
    for (guint takes = 1; takes <= 2; takes++) {
        g_autoptr(GsProject) untitled = gs_project_new();
        for (guint i = 0; i < takes; i++)
            g_list_store_append(gs_project_get_takes(untitled), take);
        g_autoptr(GError) error = NULL;
        g_assert_true(gs_project_autosave(untitled, &error));
        g_assert_no_error(error);
        g_usleep(10000); /* a later modification time for the next */
    }

    gs_window_offer_recovery(window);
    AdwMessageDialog *dialog = find_message_dialog();
    g_assert_nonnull(dialog);
    answer_dialog(dialog, "recover");
    g_assert_cmpuint(n_takes_of(window), ==, 2);
    GList *windows = gtk_application_get_windows(gtk_window_get_application(GTK_WINDOW(window)));
    g_assert_cmpuint(g_list_length(windows), ==, 2);
    GsWindow *other = GS_WINDOW(windows->data == window ? windows->next->data : windows->data);
    g_assert_cmpuint(n_takes_of(other), ==, 1);
    g_assert_null(gs_project_get_path(gs_window_get_project(other)));
    g_assert_true(gs_project_get_dirty(gs_window_get_project(other)));
    gtk_window_destroy(GTK_WINDOW(other));
    iterate_until_idle();
}

/* "Check a File…" on the image just made: the verify report in a dialog. */
static void
test_check_file(void)
{
    GsProject *project = gs_window_get_project(window);
    g_assert_cmpuint(gs_project_get_n_images(project), >, 0);
    const char *path = gs_project_get_image(project, 0)->png_path;
    gtk_widget_activate_action(GTK_WIDGET(window), "provenance.check-path", "s", path);
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    AdwMessageDialog *dialog = NULL;
    while (!(dialog = find_message_dialog()) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_nonnull(dialog);
    iterate_until_idle();
    g_assert_cmpstr(adw_message_dialog_get_heading(dialog), ==, "Made with GenStudio");
    const char *body = adw_message_dialog_get_body(dialog);
    g_assert_nonnull(strstr(body, "trainedAlgorithmicMedia"));
    g_assert_nonnull(strstr(body, "metadata only")); /* the default model's 32² */
    ui_test_screenshot(GTK_WINDOW(dialog), GS_ARTEFACT_DIR "/check-file.png");
    answer_dialog(dialog, "close");
}

static void
on_activate(GApplication *app)
{
    window = GS_WINDOW(gtk_application_get_active_window(GTK_APPLICATION(app)));
    page = gs_window_get_image_page(window);
    voice_page = GS_VOICE_PAGE(ui_test_find_descendant(GTK_WIDGET(window), GS_TYPE_VOICE_PAGE));
    music_page = GS_MUSIC_PAGE(ui_test_find_descendant(GTK_WIDGET(window), GS_TYPE_MUSIC_PAGE));
    timeline_page = GS_TIMELINE_PAGE(ui_test_find_descendant(GTK_WIDGET(window), GS_TYPE_TIMELINE_PAGE));
    iterate_until_idle();
    g_test_add_func("/window/generate", test_generate);
    g_test_add_func("/window/check-file", test_check_file);
    g_test_add_func("/window/cancel", test_cancel);
    g_test_add_func("/window/restore", test_restore);
    g_test_add_func("/window/voice", test_voice);
    g_test_add_func("/window/voice-cancel", test_voice_cancel);
    g_test_add_func("/window/music", test_music);
    g_test_add_func("/window/timeline", test_timeline);
    g_test_add_func("/window/send-to-timeline", test_send_to_timeline);
    g_test_add_func("/window/project", test_project);
    g_test_add_func("/window/recover-untitled", test_recover_untitled);
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
