/* A song in the Music workspace under Xvfb: lyrics too long refused before
 * anything plays, lyrics with nothing to sing refused by the engine, then
 * a prompt and two lyric lines rendered and sung (the one render with
 * vocals: 10–30 s on lavapipe) — a "Vocals" stem row with a mute toggle,
 * vocals that are not silent, a mix that muting them changes, the lyrics
 * and singer kept in the project, and the vocals sent to the Timeline on a
 * track of their own. GS_TEST_SCREENSHOTS=1 writes
 * data/screenshots/music-vocals.png (else music-vocals.png in the build's
 * tests folder).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "gs-application.h"
#include "gs-audio.h"
#include "gs-music-page.h"
#include "gs-music-vocals.h"
#include "gs-timeline-page.h"
#include "gs-window.h"
#include "ui-test-support.h"

#define PROMPT "happy pop in C major, 8 seconds"
#define LYRICS "Hello the morning\nsing it to the sun"

static GsWindow *window;
static GsMusicPage *music_page;
static GsTimelinePage *timeline_page;

static void
collect(GtkWidget *widget, GType type, GPtrArray *found)
{
    if (G_TYPE_CHECK_INSTANCE_TYPE(widget, type))
        g_ptr_array_add(found, widget);
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child))
        collect(child, type, found);
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

/* The text of the toast shown, NULL when none is. */
static const char *
toast_text(GtkWidget *widget)
{
    if (g_str_equal(gtk_widget_get_css_name(widget), "toast")) {
        GtkWidget *label = ui_test_find_descendant(widget, GTK_TYPE_LABEL);
        return label ? gtk_label_get_text(GTK_LABEL(label)) : "";
    }
    for (GtkWidget *child = gtk_widget_get_first_child(widget); child; child = gtk_widget_get_next_sibling(child)) {
        const char *text = toast_text(child);
        if (text)
            return text;
    }
    return NULL;
}

static void
iterate_for(gint64 us)
{
    gint64 until = g_get_monotonic_time() + us;
    while (g_get_monotonic_time() < until) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(5000);
    }
}

/* The toast saying `needle`, looked for as soon as it can show: a toast
 * lasts five seconds, which draining the main loop on a loaded machine can
 * outlast. NULL when none said it within 15 s. */
static const char *
wait_for_toast(const char *needle)
{
    gint64 deadline = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
    for (;;) {
        const char *text = toast_text(GTK_WIDGET(window));
        if ((text && strstr(text, needle)) || g_get_monotonic_time() >= deadline)
            return text && strstr(text, needle) ? text : NULL;
        iterate_for(G_USEC_PER_SEC / 50); /* sleeps between iterations: the page's worker needs the cores */
    }
}

static void
show_workspace(const char *name)
{
    adw_view_stack_set_visible_child_name(ADW_VIEW_STACK(ui_test_find_descendant(GTK_WIDGET(window), ADW_TYPE_VIEW_STACK)),
                                          name);
    iterate_until_idle();
}

static void
wait_for_toasts_to_go(void)
{
    gint64 deadline = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
    while (shows_toast(GTK_WIDGET(window)) && g_get_monotonic_time() < deadline)
        iterate_for(G_USEC_PER_SEC / 10);
}

/* The stem row titled `title`, NULL when there is none. */
static AdwActionRow *
find_stem_row(const char *title)
{
    g_autoptr(GPtrArray) rows = g_ptr_array_new();
    collect(GTK_WIDGET(music_page), ADW_TYPE_ACTION_ROW, rows);
    for (guint i = 0; i < rows->len; i++)
        if (g_strcmp0(adw_preferences_row_get_title(g_ptr_array_index(rows, i)), title) == 0)
            return g_ptr_array_index(rows, i);
    return NULL;
}

/* Runs the main loop until the page is done composing (at most 4 min);
 * whether its status said `status` meanwhile. */
static gboolean
wait_for_compose(const char *status)
{
    gboolean said = FALSE;
    gint64 deadline = g_get_monotonic_time() + 240 * G_USEC_PER_SEC;
    while (gs_music_page_get_generating(music_page) && g_get_monotonic_time() < deadline) {
        g_main_context_iteration(NULL, TRUE);
        const char *shown = gs_music_page_get_status(music_page);
        said = said || (shown && strstr(shown, status));
    }
    g_assert_false(gs_music_page_get_generating(music_page));
    return said;
}

static double
rms(const float *samples, gsize count)
{
    double sum = 0;
    for (gsize i = 0; i < count; i++)
        sum += (double)samples[i] * samples[i];
    return count ? sqrt(sum / count) : 0;
}

/* Too long or too many lines: refused at once, with a toast, nothing composed. */
static void
test_refused(void)
{
    show_workspace("music");
    GListModel *pieces = gs_music_page_get_pieces(music_page);
    gs_music_page_set_prompt(music_page, PROMPT);
    char *long_lyrics = g_malloc(GS_VOCALS_MAX_BYTES + 2);
    memset(long_lyrics, 'a', GS_VOCALS_MAX_BYTES + 1);
    long_lyrics[GS_VOCALS_MAX_BYTES + 1] = '\0';
    gs_music_page_set_lyrics(music_page, long_lyrics);
    g_free(long_lyrics);
    gtk_widget_activate_action(GTK_WIDGET(music_page), "music.generate", NULL);
    g_assert_false(gs_music_page_get_generating(music_page));
    const char *toast = wait_for_toast("too long");
    g_print("too long: %s\n", toast);
    g_assert_nonnull(toast);
    wait_for_toasts_to_go();

    g_autoptr(GString) many = g_string_new(NULL);
    for (int i = 0; i <= GS_VOCALS_MAX_LINES; i++)
        g_string_append(many, "la\n");
    g_string_append(many, "la");
    gs_music_page_set_lyrics(music_page, many->str);
    gtk_widget_activate_action(GTK_WIDGET(music_page), "music.generate", NULL);
    g_assert_false(gs_music_page_get_generating(music_page));
    toast = wait_for_toast("too many lines");
    g_print("too many lines: %s\n", toast);
    g_assert_nonnull(toast);
    wait_for_toasts_to_go();

    /* Nothing to sing is found out on the engine: the page says so, and no piece is added. */
    gs_music_page_set_lyrics(music_page, "?! ...");
    gtk_widget_activate_action(GTK_WIDGET(music_page), "music.generate", NULL);
    gint64 deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    while (gs_music_page_get_generating(music_page) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_false(gs_music_page_get_generating(music_page));
    toast = wait_for_toast("no words to sing");
    g_print("no syllables: %s\n", toast);
    g_assert_nonnull(toast);
    wait_for_toasts_to_go();
    g_assert_cmpuint(g_list_model_get_n_items(pieces), ==, 0);
    g_assert_cmpuint(gs_project_get_n_music(gs_window_get_project(window)), ==, 0);
}

static void
test_song(void)
{
    show_workspace("music");
    GListModel *pieces = gs_music_page_get_pieces(music_page);
    /* The singer chooser fills once the speech model has loaded. */
    GtkDropDown *singer = NULL;
    {
        g_autoptr(GPtrArray) dropdowns = g_ptr_array_new();
        collect(GTK_WIDGET(music_page), GTK_TYPE_DROP_DOWN, dropdowns);
        g_assert_cmpuint(dropdowns->len, ==, 1);
        singer = g_ptr_array_index(dropdowns, 0);
    }
    gint64 deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    while (!gtk_widget_get_sensitive(GTK_WIDGET(singer)) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_true(gtk_widget_get_sensitive(GTK_WIDGET(singer)));
    GtkStringObject *voice = gtk_drop_down_get_selected_item(singer);
    g_assert_nonnull(voice);
    g_autofree char *voice_name = g_strdup(gtk_string_object_get_string(voice));
    g_print("singer: %s of %u voices\n", voice_name, g_list_model_get_n_items(gtk_drop_down_get_model(singer)));

    gs_music_page_set_prompt(music_page, PROMPT);
    gs_music_page_set_lyrics(music_page, LYRICS);
    gint64 start = g_get_monotonic_time();
    gtk_widget_activate_action(GTK_WIDGET(music_page), "music.generate", NULL);
    g_assert_true(gs_music_page_get_generating(music_page));
    /* The page says when the vocals are being sung. */
    gboolean said_singing = wait_for_compose("Singing 2 lines");
    g_print("composed and sung in %.1f s\n", (g_get_monotonic_time() - start) / 1e6);
    g_assert_true(said_singing);
    iterate_until_idle();
    if (g_list_model_get_n_items(pieces) != 1)
        g_error("no piece: %s", toast_text(GTK_WIDGET(window)));
    g_autoptr(GsMusicPiece) piece = g_list_model_get_item(pieces, 0);
    g_assert_cmpstr(gs_music_piece_get_lyrics(piece), ==, LYRICS);
    g_assert_cmpstr(gs_music_piece_get_voice(piece), ==, voice_name);
    g_assert_cmpint(gs_music_piece_get_n_stems(piece), ==, GS_MUSIC_PIECE_MAX_STEMS);

    /* A "Vocals" row with a mute toggle, among the band's. */
    const char *band[] = { "Drums", "Bass", "Chords", "Melody" };
    for (gsize i = 0; i < G_N_ELEMENTS(band); i++)
        g_assert_nonnull(find_stem_row(band[i]));
    AdwActionRow *row = find_stem_row("Vocals");
    g_assert_nonnull(row);
    g_print("vocals row: %s\n", adw_action_row_get_subtitle(row));
    g_assert_nonnull(strstr(adw_action_row_get_subtitle(row), voice_name));
    GtkToggleButton *mute = GTK_TOGGLE_BUTTON(ui_test_find_descendant(GTK_WIDGET(row), GTK_TYPE_TOGGLE_BUTTON));
    g_assert_nonnull(mute);
    g_assert_false(gtk_toggle_button_get_active(mute));

    /* The vocals are heard, and the stems, vocals included, add up to the mix. */
    const GsMusicAudio *audio = gs_music_piece_get_audio(piece);
    gsize count = audio->frames * 2;
    double vocals_rms = rms(gs_music_piece_get_stem(piece, GS_MUSIC_PIECE_VOCALS), count);
    g_print("vocals: rms %.4f, mix rms %.4f\n", vocals_rms, rms(audio->mix, count));
    g_assert_cmpfloat(vocals_rms, >, 1e-3);
    g_autofree float *mix = gs_music_piece_mix(piece);
    float peak = 0;
    for (gsize i = 0; i < count; i++) {
        g_assert_cmpfloat(fabsf(mix[i] - audio->mix[i]), <, 1e-4);
        peak = MAX(peak, fabsf(mix[i]));
    }
    g_assert_cmpfloat(peak, <=, 0.9f);

    if (g_getenv("GS_TEST_SCREENSHOTS")) {
        g_autofree char *path = g_build_filename(GS_SOURCE_ROOT, "data", "screenshots", "music-vocals.png", NULL);
        ui_test_screenshot(GTK_WINDOW(window), path);
    } else {
        ui_test_screenshot(GTK_WINDOW(window), GS_ARTEFACT_DIR "/music-vocals.png");
    }

    /* Muting the vocals changes the mix by exactly them; the project remembers. */
    GsTake *before = g_object_ref(gs_waveform_get_take(gs_music_page_get_waveform(music_page)));
    gtk_toggle_button_set_active(mute, TRUE);
    g_assert_true(gs_music_piece_get_muted(piece, GS_MUSIC_PIECE_VOCALS));
    GsTake *after = gs_waveform_get_take(gs_music_page_get_waveform(music_page));
    g_assert_true(after != before);
    gsize before_count, after_count;
    const float *with = gs_take_get_samples(before, &before_count), *without = gs_take_get_samples(after, &after_count);
    g_assert_cmpuint(before_count, ==, after_count);
    g_assert_true(memcmp(with, without, before_count * sizeof(float)) != 0);
    g_object_unref(before);
    g_autofree float *band_mix = gs_music_piece_mix(piece);
    const float *vocals = gs_music_piece_get_stem(piece, GS_MUSIC_PIECE_VOCALS);
    for (gsize i = 0; i < count; i++)
        g_assert_cmpfloat(fabsf(band_mix[i] + vocals[i] - mix[i]), <, 1e-4);

    GsProject *project = gs_window_get_project(window);
    g_assert_cmpuint(gs_project_get_n_music(project), ==, 1);
    const GsProjectMusic *music = gs_project_get_music(project, 0);
    g_assert_cmpstr(music->lyrics, ==, LYRICS);
    g_assert_cmpstr(music->voice, ==, voice_name);
    const char *vocals_only[] = { "vocals", NULL };
    g_assert_true(g_strv_equal((const char *const *)music->muted, vocals_only));
    gtk_toggle_button_set_active(mute, FALSE);
    g_assert_false(gs_music_piece_get_muted(piece, GS_MUSIC_PIECE_VOCALS));

    /* Sent to the timeline, the vocals are a clip on a track of their own. */
    gtk_widget_activate_action(GTK_WIDGET(music_page), "music.send-to-timeline", NULL);
    iterate_until_idle();
    GsTimeline *timeline = gs_timeline_page_get_timeline(timeline_page);
    g_autofree char *label = g_strdup_printf("%s — vocals", PROMPT);
    guint n_tracks = 0, found = 0;
    g_autofree guint *tracks = gs_timeline_dup_track_ids(timeline, &n_tracks);
    for (guint t = 0; t < n_tracks; t++) {
        guint n_clips = 0;
        g_autofree guint *clips = gs_timeline_dup_clip_ids(timeline, tracks[t], &n_clips);
        for (guint c = 0; c < n_clips; c++) {
            GsTimelineClip clip;
            if (!gs_timeline_get_clip(timeline, clips[c], &clip) || g_strcmp0(clip.label, label) != 0)
                continue;
            GsTimelineTrack track;
            g_assert_true(gs_timeline_get_track(timeline, clip.track, &track));
            g_assert_cmpstr(track.name, ==, "Vocals");
            g_assert_cmpfloat(fabs(clip.out - clip.in - gs_music_piece_get_duration(piece)), <, 0.01);
            found++;
        }
    }
    g_assert_cmpuint(found, ==, 1);

    /* The project keeps the sung vocals as a file; reopened, the piece reads
     * them rather than singing again — a tone written over that file is
     * what comes back, and the page never says it sings. */
    g_assert_nonnull(music->vocals_path);
    g_assert_true(g_file_test(music->vocals_path, G_FILE_TEST_IS_REGULAR));
    g_autofree float *tone = g_new(float, count);
    for (gsize i = 0; i < audio->frames; i++)
        tone[2 * i] = tone[2 * i + 1] = 0.25f * sinf(2.0f * (float)G_PI * 440.0f * (float)i / (float)audio->rate);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_audio_export(music->vocals_path, tone, audio->frames, 2, audio->rate, NULL, NULL, NULL, NULL,
                                  &error));
    g_assert_no_error(error);
    gs_music_page_set_pieces(music_page, project);
    g_assert_false(wait_for_compose("Singing"));
    g_assert_cmpuint(g_list_model_get_n_items(pieces), ==, 1);
    g_autoptr(GsMusicPiece) reopened = g_list_model_get_item(pieces, 0);
    g_assert_cmpstr(gs_music_piece_get_lyrics(reopened), ==, LYRICS);
    const float *read_back = gs_music_piece_get_stem(reopened, GS_MUSIC_PIECE_VOCALS);
    /* The piece scales its stems to the mix's peak: compare at the best gain. */
    double cross = 0, tone_energy = 0, error_energy = 0;
    for (gsize i = 0; i < count; i++) {
        cross += (double)read_back[i] * tone[i];
        tone_energy += (double)tone[i] * tone[i];
    }
    double gain = cross / tone_energy;
    for (gsize i = 0; i < count; i++)
        error_energy += (read_back[i] - gain * tone[i]) * (read_back[i] - gain * tone[i]);
    g_print("reopened vocals: the tone at gain %.3f, %.1f dB above the rest (the watermark, 16 bits)\n", gain,
            10.0 * log10(gain * gain * tone_energy / error_energy));
    g_assert_cmpfloat(gain, >, 0.1);
    g_assert_cmpfloat(error_energy, <, 0.01 * gain * gain * tone_energy);
}

static void
on_activate(GApplication *app)
{
    window = GS_WINDOW(gtk_application_get_active_window(GTK_APPLICATION(app)));
    music_page = GS_MUSIC_PAGE(ui_test_find_descendant(GTK_WIDGET(window), GS_TYPE_MUSIC_PAGE));
    timeline_page = GS_TIMELINE_PAGE(ui_test_find_descendant(GTK_WIDGET(window), GS_TYPE_TIMELINE_PAGE));
    iterate_until_idle();
    g_test_add_func("/music-vocals/refused", test_refused);
    g_test_add_func("/music-vocals/song", test_song);
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
