/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include <adwaita.h>

#include "gs-engine.h"
#include "gs-midi-file.h"
#include "gs-music-vocals.h"
#include "gs-music-page.h"
#include "gs-page-utils.h"
#include "gs-playback.h"
#include "gs-timeline.h"
#include "gs-window.h"

/* Samples per column of the stems' loudness under the waveform (23 ms). */
#define LOUDNESS_HOP 1024

struct _GsMusicPage {
    GtkWidget parent_instance;

    /* template */
    AdwFlap *flap; /* bound so that dispose_template unparents it */
    GtkEntry *prompt_entry;
    GtkTextView *lyrics_view;
    GtkWidget *lyrics_hint; /* shown while the lyrics are empty */
    GtkDropDown *voice_dropdown;
    GtkSpinButton *seed_spin;
    GtkSpinner *spinner;
    GtkLabel *status_label, *summary_label, *ignored_label, *title_label;
    GtkListBox *piece_list, *stem_list;
    GsWaveform *waveform; /* shows the selected piece's mix */
    GtkButton *play_button;

    GListStore *pieces;
    GsMusicPiece *selected;
    float *mix; /* the selected piece's unmuted stems, mixed */
    GsPlayback *playback;
    GCancellable *cancellable; /* while composing */
    GQueue restoring;          /* Compose: saved pieces still to render, in order */
    GsEngine *engine;          /* sings the vocals, with the speech model */
    gboolean voices_requested;
    char **model_voices; /* the speech model's English voices, once listed */
    GPtrArray *cloned;   /* GsVoiceFile: the voices folder's, listed after the model's */
};

G_DEFINE_FINAL_TYPE(GsMusicPage, gs_music_page, GTK_TYPE_WIDGET)

/* The mix goes to the timeline as it is. */
G_STATIC_ASSERT(GS_MUSIC_SAMPLE_RATE == GS_TIMELINE_RATE);
/* The project keeps what the vocal line takes. */
G_STATIC_ASSERT(GS_PROJECT_LYRICS_MAX_BYTES == GS_VOCALS_MAX_BYTES);

enum { SIGNAL_SEND_TO_TIMELINE, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *const part_names[GS_MUSIC_PIECE_MAX_STEMS] = {
    [GS_MUSIC_PART_DRUMS] = N_("Drums"),
    [GS_MUSIC_PART_BASS] = N_("Bass"),
    [GS_MUSIC_PART_CHORDS] = N_("Chords"),
    [GS_MUSIC_PART_MELODY] = N_("Melody"),
    [GS_MUSIC_PIECE_VOCALS] = N_("Vocals"),
};

static void
update_actions(GsMusicPage *self)
{
    gboolean has_piece = self->selected != NULL;
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "music.generate", self->cancellable == NULL);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "music.toggle-play",
                                  has_piece || gs_playback_get_item(self->playback));
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "music.export", has_piece);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "music.save-midi", has_piece);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "music.send-to-timeline", has_piece);
}

static char *
dup_key_name(const GsMusicPrompt *prompt)
{
    const char *key = gs_music_key_name(prompt->key);
    return prompt->mode == GS_MUSIC_MODE_MINOR ? g_strdup_printf(_("%s minor"), key)
                                               : g_strdup_printf(_("%s major"), key);
}

/* ---- the selected piece -------------------------------------------------- */

/* What the parser made of the prompt, as the CLI prints it. */
static void
show_summary(GsMusicPage *self)
{
    if (!self->selected) {
        gtk_label_set_text(self->summary_label, _("Describe the music and press Generate."));
        gtk_widget_set_visible(GTK_WIDGET(self->ignored_label), FALSE);
        gtk_label_set_text(self->title_label, "");
        return;
    }
    const GsMusicPrompt *prompt = gs_music_piece_get_prompt(self->selected);
    const GsArrangement *arr = gs_music_piece_get_arrangement(self->selected);
    g_autofree char *key = dup_key_name(prompt);
    g_autoptr(GString) text = g_string_new(NULL);
    if (prompt->mood != GS_MUSIC_MOOD_NEUTRAL)
        g_string_append_printf(text, _("Style: %s (%s)"), gs_music_style_name(prompt->style),
                               gs_music_mood_name(prompt->mood));
    else
        g_string_append_printf(text, _("Style: %s"), gs_music_style_name(prompt->style));
    g_string_append_c(text, '\n');
    g_string_append_printf(text, _("Tempo: %d bpm"), prompt->bpm);
    g_string_append_c(text, '\n');
    g_string_append_printf(text, _("Key: %s"), key);
    g_string_append_c(text, '\n');
    g_string_append_printf(text, _("Length: %.1f s (%d bars of %d/4)"), gs_arrangement_seconds(arr), arr->bars,
                           arr->beats_per_bar);
    g_string_append_c(text, '\n');
    g_string_append_printf(text, _("Instruments: drums, bass: %s, chords: %s, melody: %s"),
                           gs_music_program_name(prompt->programs[GS_MUSIC_PART_BASS]),
                           gs_music_program_name(prompt->programs[GS_MUSIC_PART_CHORDS]),
                           gs_music_program_name(prompt->programs[GS_MUSIC_PART_MELODY]));
    gtk_label_set_text(self->summary_label, text->str);

    gboolean ignored = prompt->ignored[0] != NULL;
    if (ignored) {
        g_autofree char *words = g_strjoinv(", ", prompt->ignored);
        g_autofree char *line = g_strdup_printf(_("Ignored: %s"), words);
        gtk_label_set_text(self->ignored_label, line);
    }
    gtk_widget_set_visible(GTK_WIDGET(self->ignored_label), ignored);
    gtk_label_set_text(self->title_label, gs_music_piece_get_text(self->selected));
}

/* The waveform was written for speech takes: the mix becomes one, mono,
 * with each stem's loudness (log RMS, as the log-mel range runs) in place
 * of the spectrogram's bands, drums lowest, vocals (if sung) highest. */
static GsTake *
mix_take_new(GsMusicPiece *piece, const float *mix)
{
    const GsMusicAudio *audio = gs_music_piece_get_audio(piece);
    gsize frames = audio->frames;
    float *mono = g_new(float, MAX(frames, 1));
    for (gsize i = 0; i < frames; i++)
        mono[i] = 0.5f * (mix[2 * i] + mix[2 * i + 1]);
    int columns = (int)MAX(frames / LOUDNESS_HOP, 1);
    int n_stems = gs_music_piece_get_n_stems(piece);
    float *loudness = g_new(float, (gsize)n_stems * columns);
    for (int part = 0; part < n_stems; part++) {
        const float *stem = gs_music_piece_get_stem(piece, part);
        for (int column = 0; column < columns; column++) {
            double sum = 0;
            gsize first = (gsize)column * LOUDNESS_HOP, end = MIN(first + LOUDNESS_HOP, frames);
            for (gsize i = 2 * first; i < 2 * end && !gs_music_piece_get_muted(piece, part); i++)
                sum += (double)stem[i] * stem[i];
            double rms = end > first ? sqrt(sum / (2.0 * (end - first))) : 0;
            loudness[(gsize)part * columns + column] = (float)log(rms + 1e-5);
        }
    }
    gs_speech_params params = gs_speech_default_params();
    params.voice = gs_music_style_name(gs_music_piece_get_prompt(piece)->style);
    g_autoptr(GBytes) samples = g_bytes_new_take(mono, frames * sizeof(float));
    g_autoptr(GBytes) bands = g_bytes_new_take(loudness, (gsize)n_stems * columns * sizeof(float));
    return gs_take_new(gs_music_piece_get_text(piece), &params, samples, audio->rate, bands, n_stems, columns);
}

static void
remix(GsMusicPage *self)
{
    g_clear_pointer(&self->mix, g_free);
    if (!self->selected) {
        gs_waveform_set_take(self->waveform, NULL);
        return;
    }
    self->mix = gs_music_piece_mix(self->selected);
    g_autoptr(GsTake) take = mix_take_new(self->selected, self->mix);
    gs_waveform_set_take(self->waveform, take);
}

static void play_from(GsMusicPage *self, double seconds);

/* Each unmuted stem goes on its own track, so the timeline can mix them. */
static void
send_to_timeline(GtkWidget *widget, const char *action, GVariant *param)
{
    GsMusicPage *self = GS_MUSIC_PAGE(widget);
    if (!self->selected)
        return;
    const GsMusicAudio *audio = gs_music_piece_get_audio(self->selected);
    g_autoptr(GStrvBuilder) tracks = g_strv_builder_new();
    g_autoptr(GStrvBuilder) labels = g_strv_builder_new();
    g_autoptr(GPtrArray) stems = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (int part = 0; part < gs_music_piece_get_n_stems(self->selected); part++) {
        if (gs_music_piece_get_muted(self->selected, part))
            continue;
        g_strv_builder_add(tracks, _(part_names[part]));
        g_autofree char *label = g_strdup_printf("%s — %s", gs_music_piece_get_text(self->selected),
                                                 gs_music_piece_stem_name(part));
        g_strv_builder_add(labels, label);
        g_ptr_array_add(stems, g_bytes_new(gs_music_piece_get_stem(self->selected, part),
                                           audio->frames * GS_TIMELINE_CHANNELS * sizeof(float)));
    }
    g_auto(GStrv) track_names = g_strv_builder_end(tracks);
    g_auto(GStrv) clip_labels = g_strv_builder_end(labels);
    /* The sections become markers on the timeline. */
    const GsArrangement *arrangement = gs_music_piece_get_arrangement(self->selected);
    g_autoptr(GStrvBuilder) names = g_strv_builder_new();
    g_autoptr(GArray) starts = g_array_new(FALSE, FALSE, sizeof(double));
    for (int i = 0; i < arrangement->n_sections; i++) {
        const GsMusicSection *section = &arrangement->sections[i];
        double start = gs_arrangement_bar_seconds(arrangement, section->first_bar);
        g_strv_builder_add(names, gs_music_section_name(section->kind));
        g_array_append_val(starts, start);
    }
    g_auto(GStrv) section_names = g_strv_builder_end(names);
    g_signal_emit(self, signals[SIGNAL_SEND_TO_TIMELINE], 0, track_names, clip_labels, stems, section_names, starts);
}

static void
show_mute_state(GtkWidget *button, gboolean muted)
{
    gtk_button_set_icon_name(GTK_BUTTON(button), muted ? "audio-volume-muted-symbolic" : "audio-volume-high-symbolic");
    gtk_widget_set_tooltip_text(button, muted ? _("Unmute") : _("Mute"));
}

/* The project keeps the muted stems, not the audio: a reopened piece is
 * rendered again. Pieces and the project's music line up, except after a
 * saved piece failed to render, hence the check. */
static void
remember_muted(GsMusicPage *self, GsMusicPiece *piece)
{
    GtkWidget *window = gtk_widget_get_ancestor(GTK_WIDGET(self), GS_TYPE_WINDOW);
    guint index;
    if (!window || !g_list_store_find(self->pieces, piece, &index))
        return;
    GsProject *project = gs_window_get_project(GS_WINDOW(window));
    const GsProjectMusic *music = index < gs_project_get_n_music(project) ? gs_project_get_music(project, index) : NULL;
    if (!music || music->seed != gs_music_piece_get_seed(piece) ||
        g_strcmp0(music->prompt, gs_music_piece_get_text(piece)) != 0)
        return;
    g_autoptr(GStrvBuilder) muted = g_strv_builder_new();
    for (int part = 0; part < gs_music_piece_get_n_stems(piece); part++)
        if (gs_music_piece_get_muted(piece, part))
            g_strv_builder_add(muted, gs_music_piece_stem_name(part));
    g_auto(GStrv) names = g_strv_builder_end(muted);
    gs_project_set_music_muted(project, index, (const char *const *)names);
}

static void
on_mute_toggled(GtkToggleButton *button, GsMusicPage *self)
{
    int part = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(button), "part"));
    gboolean muted = gtk_toggle_button_get_active(button);
    show_mute_state(GTK_WIDGET(button), muted);
    gs_music_piece_set_muted(self->selected, part, muted);
    remember_muted(self, self->selected);
    remix(self);
    /* The player holds a copy of the samples: carry on from here with the new mix. */
    if (gs_playback_get_item(self->playback) == G_OBJECT(self->selected))
        play_from(self, gs_playback_get_position(self->playback));
}

static void
show_stems(GsMusicPage *self)
{
    GtkListBoxRow *row;
    while ((row = gtk_list_box_get_row_at_index(self->stem_list, 0))) /* no remove_all before GTK 4.12 */
        gtk_list_box_remove(self->stem_list, GTK_WIDGET(row));
    if (!self->selected)
        return;
    const GsMusicPrompt *prompt = gs_music_piece_get_prompt(self->selected);
    for (int part = 0; part < gs_music_piece_get_n_stems(self->selected); part++) {
        GtkWidget *stem = adw_action_row_new();
        adw_preferences_row_set_title(ADW_PREFERENCES_ROW(stem), _(part_names[part]));
        g_autofree char *singer = NULL;
        if (part == GS_MUSIC_PIECE_VOCALS) {
            const char *voice = gs_music_piece_get_voice(self->selected);
            singer = voice ? g_strdup_printf(_("Sung by voice %s"), voice) : g_strdup(_("Sung by the default voice"));
        }
        adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(stem), FALSE);
        adw_action_row_set_subtitle(ADW_ACTION_ROW(stem), singer                       ? singer
                                                          : part == GS_MUSIC_PART_DRUMS ? _("Standard drum kit")
                                                              : gs_music_program_name(prompt->programs[part]));
        GtkWidget *mute = gtk_toggle_button_new();
        g_object_set_data(G_OBJECT(mute), "part", GINT_TO_POINTER(part));
        gtk_widget_set_valign(mute, GTK_ALIGN_CENTER);
        gtk_widget_add_css_class(mute, "flat");
        gtk_widget_add_css_class(mute, "circular");
        gboolean muted = gs_music_piece_get_muted(self->selected, part);
        gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(mute), muted);
        show_mute_state(mute, muted);
        g_signal_connect(mute, "toggled", G_CALLBACK(on_mute_toggled), self);
        g_autofree char *label = g_strdup_printf(_("Mute %s"), _(part_names[part]));
        gtk_accessible_update_property(GTK_ACCESSIBLE(mute), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
        adw_action_row_add_suffix(ADW_ACTION_ROW(stem), mute);
        adw_action_row_set_activatable_widget(ADW_ACTION_ROW(stem), mute);
        gtk_list_box_append(self->stem_list, stem);
    }
}

static void
on_piece_selected(GtkListBox *list, GtkListBoxRow *row, GsMusicPage *self)
{
    g_autoptr(GsMusicPiece) piece =
        row ? g_list_model_get_item(G_LIST_MODEL(self->pieces), gtk_list_box_row_get_index(row)) : NULL;
    if (piece == self->selected)
        return;
    g_set_object(&self->selected, piece);
    gs_playback_set_shown(self->playback, G_OBJECT(piece));
    show_summary(self);
    show_stems(self);
    remix(self);
    update_actions(self);
}

static GtkWidget *
create_piece_row(gpointer item, gpointer user_data)
{
    GsMusicPiece *piece = item;
    const GsMusicPrompt *prompt = gs_music_piece_get_prompt(piece);
    GtkWidget *row = adw_action_row_new();
    adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
    adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), gs_music_piece_get_text(piece));
    adw_action_row_set_title_lines(ADW_ACTION_ROW(row), 2);
    g_autofree char *key = dup_key_name(prompt);
    g_autofree char *seed = g_strdup_printf("%" G_GUINT64_FORMAT, gs_music_piece_get_seed(piece));
    g_autofree char *subtitle = g_strdup_printf(_("%s · %s · %.1f s · seed %s"), gs_music_style_name(prompt->style),
                                                key, gs_arrangement_seconds(gs_music_piece_get_arrangement(piece)),
                                                seed);
    if (gs_music_piece_get_lyrics(piece)) {
        g_autofree char *sung = g_strdup_printf(_("%s · sung"), subtitle);
        adw_action_row_set_subtitle(ADW_ACTION_ROW(row), sung);
    } else {
        adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
    }
    return row;
}

/* ---- playback ------------------------------------------------------------ */

/* The play button follows what plays. */
static void
show_playback(GsMusicPage *self)
{
    gs_playback_show_button_state(self->play_button, gs_playback_get_item(self->playback) != NULL);
    update_actions(self);
}

static void
on_playing_item_changed(GsPlayback *playback, GParamSpec *pspec, GsMusicPage *self)
{
    show_playback(self);
}

/* Plays the selected piece's current mix from `seconds` on. */
static void
play_from(GsMusicPage *self, double seconds)
{
    const GsMusicAudio *audio = gs_music_piece_get_audio(self->selected);
    gsize first = MIN((gsize)MAX(seconds * audio->rate, 0), audio->frames);
    if (first == audio->frames) {
        gs_playback_stop(self->playback);
        return;
    }
    gs_playback_play(self->playback, G_OBJECT(self->selected), self->mix + 2 * first, audio->frames - first, 2,
                     audio->rate, (double)first / audio->rate);
}

static void
toggle_play(GtkWidget *widget, const char *action, GVariant *param)
{
    GsMusicPage *self = GS_MUSIC_PAGE(widget);
    if (gs_playback_get_item(self->playback))
        gs_playback_stop(self->playback);
    else if (self->selected)
        play_from(self, 0);
}

/* ---- generation ---------------------------------------------------------- */

typedef struct {
    char *text;
    guint64 seed;
    char *lyrics;         /* to sing; NULL: none */
    char *voice;          /* that sings them; NULL: the speech model's default */
    GsVoice *clone;       /* the cloned voice that sings them instead (voice is its label), or NULL */
    GsEngine *engine;
    GsMusicPage *page;    /* for the status, which the thread posts */
    char *wav_path;       /* where the mix goes for the project; NULL: nowhere */
    char *vocals_path;    /* where sung vocals go for the project, or come from; NULL: nowhere */
    gboolean saved;       /* from the project, which has it already */
    gboolean vocals_sung; /* vocals_path holds them already: read, not sung */
    char **muted;         /* of a saved piece: stem names */
} Compose;

static void
compose_free(Compose *compose)
{
    g_free(compose->text);
    g_free(compose->lyrics);
    g_free(compose->voice);
    g_clear_pointer(&compose->clone, gs_voice_free);
    g_clear_object(&compose->engine);
    g_free(compose->wav_path);
    g_free(compose->vocals_path);
    g_strfreev(compose->muted);
    g_free(compose);
}

/* ---- status, posted by the composing thread ---- */

typedef struct {
    GsMusicPage *page;
    GCancellable *cancellable; /* of the compose it is about */
    char *text;
} Status;

static void
show_status(GsMusicPage *self, const char *text)
{
    gtk_label_set_text(self->status_label, text ? text : "");
    gtk_widget_set_visible(GTK_WIDGET(self->status_label), text != NULL);
}

static gboolean
deliver_status(gpointer data)
{
    Status *status = data;
    /* Not after the page went away, nor once that compose is over. */
    if (status->page->pieces && status->page->cancellable == status->cancellable)
        show_status(status->page, status->text);
    g_object_unref(status->page);
    g_object_unref(status->cancellable);
    g_free(status->text);
    g_free(status);
    return G_SOURCE_REMOVE;
}

static void
post_status(Compose *compose, GCancellable *cancellable, const char *text)
{
    Status *status = g_new(Status, 1);
    *status = (Status){ g_object_ref(compose->page), g_object_ref(cancellable), g_strdup(text) };
    g_main_context_invoke(NULL, deliver_status, status);
}

/* Parsing and arranging are quick; rendering takes a second or two. */
static gboolean
continue_unless_cancelled(int part, gpointer cancellable)
{
    return !g_cancellable_is_cancelled(cancellable);
}

/* Vocals sung before and saved with the project, if they still fit the
 * piece (the band renders the same length from the same prompt and seed);
 * else NULL, and they are sung again. */
static float *
read_sung_vocals(const char *path, const GsMusicAudio *audio)
{
    g_autoptr(GError) error = NULL;
    float *samples = NULL;
    gsize frames = 0;
    if (!gs_audio_decode(path, 2, audio->rate, &samples, &frames, &error)) {
        g_warning("Singing again: %s", error->message);
        return NULL;
    }
    if (frames != audio->frames) {
        g_warning("Singing again: %s has %" G_GSIZE_FORMAT " frames, the piece %" G_GSIZE_FORMAT, path, frames,
                  (gsize)audio->frames);
        g_free(samples);
        return NULL;
    }
    return samples;
}

/* The lyrics sung by the engine into a stem `frames` long. */
static float *
sing_lyrics(Compose *compose, const GsArrangement *arrangement, gsize frames, GCancellable *cancellable,
            GError **error)
{
    int lines = 1;
    for (const char *c = compose->lyrics; *c; c++)
        lines += *c == '\n';
    g_autofree char *singing = g_strdup_printf(ngettext("Singing %d line of lyrics (this takes a while)…",
                                                        "Singing %d lines of lyrics (this takes a while)…", lines),
                                               lines);
    post_status(compose, cancellable, singing);
    return gs_engine_sing(compose->engine, arrangement, compose->lyrics, compose->clone ? NULL : compose->voice,
                          compose->clone, frames, NULL, cancellable, error);
}

static void
compose_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    Compose *compose = data;
    GError *error = NULL;
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(compose->text, &error);
    g_autofree char *soundfont = prompt ? gs_music_find_soundfont(&error) : NULL;
    if (!soundfont) {
        g_task_return_error(task, error);
        return;
    }
    g_autoptr(GsArrangement) arrangement = gs_arrangement_new(prompt, compose->seed);
    /* Vocals not sung before are sung while the band plays into memory on
     * a thread of its own. */
    gboolean sing_now = compose->lyrics && !compose->vocals_sung;
    if (!sing_now)
        post_status(compose, cancellable, _("Playing the band…"));
    GsMusicRenderThread *band =
        gs_music_render_start(arrangement, soundfont, continue_unless_cancelled, cancellable);
    g_autoptr(GError) sing_error = NULL;
    g_autofree float *vocals =
        sing_now ? sing_lyrics(compose, arrangement, gs_music_render_frames(arrangement), cancellable, &sing_error)
                 : NULL;
    g_autoptr(GsMusicAudio) audio = gs_music_render_join(band, &error);
    if (!audio) {
        g_task_return_error(task, error);
        return;
    }
    if (compose->lyrics && compose->vocals_sung)
        vocals = read_sung_vocals(compose->vocals_path, audio);
    if (compose->lyrics && !vocals && !sing_now) {
        sing_now = TRUE;
        vocals = sing_lyrics(compose, arrangement, audio->frames, cancellable, &sing_error);
    }
    if (sing_now) {
        /* Singing cannot stop midway: a compose cancelled meanwhile ends here. */
        if (!vocals || g_cancellable_set_error_if_cancelled(cancellable, &error)) {
            if (!vocals)
                error = g_steal_pointer(&sing_error);
            g_prefix_error(&error, "%s", _("The vocals could not be sung: "));
            g_task_return_error(task, error);
            return;
        }
        /* A saved piece's file is the project's asset: written only on save. */
        g_autofree char *consent = compose->clone ? gs_voice_describe_consent(compose->clone) : NULL;
        GsAudioTags vocal_tags = { .title = compose->text, .comment = consent, .model = GS_MUSIC_PROVENANCE_MODEL };
        if (!compose->saved && compose->vocals_path &&
            !gs_audio_export(compose->vocals_path, vocals, audio->frames, 2, audio->rate, &vocal_tags, NULL, NULL,
                             cancellable, &error)) {
            g_warning("Could not write %s: %s", compose->vocals_path, error->message);
            g_clear_error(&error);
            g_clear_pointer(&compose->vocals_path, g_free);
        }
    }
    g_autoptr(GsMusicPiece) piece = gs_music_piece_new(compose->text, compose->seed, g_steal_pointer(&prompt),
                                                       g_steal_pointer(&arrangement), g_steal_pointer(&audio));
    if (vocals)
        gs_music_piece_add_vocals(piece, compose->lyrics, compose->voice, compose->clone, g_steal_pointer(&vocals));
    const GsMusicAudio *mixed = gs_music_piece_get_audio(piece);
    /* Written here, off the main thread, for the project to refer to. */
    const GsVoice *clone = gs_music_piece_get_cloned_voice(piece);
    g_autofree char *mix_consent = clone ? gs_voice_describe_consent(clone) : NULL;
    GsAudioTags tags = { .title = compose->text, .comment = mix_consent, .model = GS_MUSIC_PROVENANCE_MODEL };
    if (compose->wav_path && !gs_audio_export(compose->wav_path, mixed->mix, mixed->frames, 2, mixed->rate, &tags,
                                              NULL, NULL, cancellable, &error)) {
        g_warning("Could not write %s: %s", compose->wav_path, error->message);
        g_clear_error(&error);
        g_clear_pointer(&compose->wav_path, g_free);
    }
    g_task_return_pointer(task, g_steal_pointer(&piece), g_object_unref);
}

static void start_compose(GsMusicPage *self, Compose *compose);

static void
on_composed(GObject *source, GAsyncResult *result, gpointer user_data)
{
    GsMusicPage *self = GS_MUSIC_PAGE(source);
    g_autoptr(GError) error = NULL;
    g_autoptr(GsMusicPiece) piece = g_task_propagate_pointer(G_TASK(result), &error);
    /* The page went away, or another project's pieces replaced this one's. */
    if (!self->pieces || g_task_get_cancellable(G_TASK(result)) != self->cancellable)
        return;
    g_clear_object(&self->cancellable);
    gtk_spinner_stop(self->spinner);
    show_status(self, NULL);
    update_actions(self);
    Compose *compose = g_task_get_task_data(G_TASK(result));
    if (!piece) {
        gs_widget_toast(GTK_WIDGET(self), error->message);
    } else {
        for (gsize i = 0; compose->muted && compose->muted[i]; i++)
            for (int part = 0; part < gs_music_piece_get_n_stems(piece); part++)
                if (g_str_equal(compose->muted[i], gs_music_piece_stem_name(part)))
                    gs_music_piece_set_muted(piece, part, TRUE);
        g_list_store_append(self->pieces, piece);
        GtkWidget *window = gtk_widget_get_ancestor(GTK_WIDGET(self), GS_TYPE_WINDOW);
        if (!compose->saved && compose->wav_path && window) {
            GsProject *project = gs_window_get_project(GS_WINDOW(window));
            gs_project_add_music(project, gs_music_piece_get_text(piece), gs_music_piece_get_seed(piece),
                                 compose->wav_path, NULL);
            guint index = gs_project_get_n_music(project) - 1;
            if (gs_music_piece_get_lyrics(piece))
                gs_project_set_music_lyrics(project, index, gs_music_piece_get_lyrics(piece),
                                            gs_music_piece_get_voice(piece));
            if (gs_music_piece_get_lyrics(piece) && compose->vocals_path)
                gs_project_set_music_vocals(project, index, compose->vocals_path);
            if (gs_music_piece_get_lyrics(piece) && compose->clone)
                gs_project_set_music_cloned_voice(project, index, compose->clone);
        }
        guint last = g_list_model_get_n_items(G_LIST_MODEL(self->pieces)) - 1;
        gtk_list_box_select_row(self->piece_list, gtk_list_box_get_row_at_index(self->piece_list, (int)last));
    }
    /* One at a time, so that they come back in order. */
    Compose *next = g_queue_pop_head(&self->restoring);
    if (next)
        start_compose(self, next);
}

/* Takes ownership of `compose`. */
static void
start_compose(GsMusicPage *self, Compose *compose)
{
    self->cancellable = g_cancellable_new();
    /* The task holds the page, so the page outlives the thread. */
    g_autoptr(GTask) task = g_task_new(self, self->cancellable, on_composed, NULL);
    g_task_set_source_tag(task, start_compose);
    g_task_set_task_data(task, compose, (GDestroyNotify)compose_free);
    compose->engine = g_object_ref(self->engine);
    compose->page = self;
    g_task_run_in_thread(task, compose_thread);
    gtk_spinner_start(self->spinner);
    show_status(self, _("Composing…"));
    update_actions(self);
}

static void
generate(GtkWidget *widget, const char *action, GVariant *param)
{
    GsMusicPage *self = GS_MUSIC_PAGE(widget);
    if (self->cancellable)
        return;
    g_autofree char *text = g_strstrip(g_strdup(gtk_editable_get_text(GTK_EDITABLE(self->prompt_entry))));
    if (!*text) {
        gs_widget_toast(GTK_WIDGET(self), _("Nothing to compose: describe the music first"));
        return;
    }
    /* Lyrics that the vocal line would refuse are refused before the band plays. */
    GtkTextBuffer *buffer = gtk_text_view_get_buffer(self->lyrics_view);
    GtkTextIter start, end;
    gtk_text_buffer_get_bounds(buffer, &start, &end);
    g_autofree char *lyrics = g_strstrip(gtk_text_buffer_get_text(buffer, &start, &end, FALSE));
    if (strlen(lyrics) > GS_VOCALS_MAX_BYTES) {
        g_autofree char *message =
            g_strdup_printf(_("The lyrics are too long: at most %d KiB"), GS_VOCALS_MAX_BYTES / 1024);
        gs_widget_toast(GTK_WIDGET(self), message);
        return;
    }
    int lines = 1;
    for (const char *c = lyrics; *c; c++)
        lines += *c == '\n';
    if (lines > GS_VOCALS_MAX_LINES) {
        g_autofree char *message =
            g_strdup_printf(_("The lyrics have too many lines: at most %d"), GS_VOCALS_MAX_LINES);
        gs_widget_toast(GTK_WIDGET(self), message);
        return;
    }
    gtk_spin_button_update(self->seed_spin);
    Compose *compose = g_new0(Compose, 1);
    compose->text = g_steal_pointer(&text);
    if (*lyrics) {
        compose->lyrics = g_steal_pointer(&lyrics);
        GtkStringObject *voice = gtk_drop_down_get_selected_item(self->voice_dropdown);
        compose->voice = voice ? g_strdup(gtk_string_object_get_string(voice)) : NULL;
        guint selected = gtk_drop_down_get_selected(self->voice_dropdown);
        guint model_count = self->model_voices ? g_strv_length(self->model_voices) : 0;
        if (voice && selected >= model_count && selected - model_count < self->cloned->len) {
            const GsVoiceFile *file = g_ptr_array_index(self->cloned, selected - model_count);
            compose->clone = gs_voice_copy(file->voice);
        }
    }
    compose->seed = (guint64)gtk_spin_button_get_value(self->seed_spin);
    if (gtk_widget_get_ancestor(widget, GS_TYPE_WINDOW)) {
        compose->wav_path = gs_window_new_scratch_path("wav");
        if (compose->lyrics)
            compose->vocals_path = gs_window_new_scratch_path("wav");
    }
    start_compose(self, compose);
}

void
gs_music_page_set_pieces(GsMusicPage *self, GsProject *project)
{
    g_return_if_fail(GS_IS_MUSIC_PAGE(self) && GS_IS_PROJECT(project));
    /* What is being rendered belongs to the project before. */
    if (self->cancellable) {
        g_cancellable_cancel(self->cancellable);
        g_clear_object(&self->cancellable);
        gtk_spinner_stop(self->spinner);
        show_status(self, NULL);
    }
    g_queue_clear_full(&self->restoring, (GDestroyNotify)compose_free);
    gs_playback_stop(self->playback);
    g_list_store_remove_all(self->pieces);
    for (guint i = 0; i < gs_project_get_n_music(project); i++) {
        const GsProjectMusic *music = gs_project_get_music(project, i);
        Compose *compose = g_new0(Compose, 1);
        compose->text = g_strdup(music->prompt);
        compose->seed = music->seed;
        compose->saved = TRUE;
        compose->muted = g_strdupv(music->muted);
        compose->lyrics = g_strdup(music->lyrics);
        compose->voice = g_strdup(music->voice);
        compose->clone = music->cloned_voice ? gs_voice_copy(music->cloned_voice) : NULL;
        compose->vocals_path = g_strdup(music->vocals_path);
        compose->vocals_sung = music->vocals_path != NULL;
        g_queue_push_tail(&self->restoring, compose);
    }
    Compose *first = g_queue_pop_head(&self->restoring);
    if (first)
        start_compose(self, first);
    update_actions(self);
}

static void
on_prompt_activate(GtkEntry *entry, GsMusicPage *self)
{
    gtk_widget_activate_action(GTK_WIDGET(self), "music.generate", NULL);
}

static void
roll_seed(GtkWidget *widget, const char *action, GVariant *param)
{
    gtk_spin_button_set_value(GS_MUSIC_PAGE(widget)->seed_spin, g_random_int());
}

/* ---- export -------------------------------------------------------------- */

void
gs_music_page_export_async(GsMusicPage *self, GsMusicPiece *piece, GFile *file, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
    g_return_if_fail(GS_IS_MUSIC_PAGE(self) && GS_IS_MUSIC_PIECE(piece) && G_IS_FILE(file));
    const GsMusicPrompt *prompt = gs_music_piece_get_prompt(piece);
    const GsMusicAudio *audio = gs_music_piece_get_audio(piece);
    /* What plays is what is saved: the mix of the stems unmuted now. */
    g_autoptr(GBytes) mix = g_bytes_new_take(gs_music_piece_mix(piece), audio->frames * 2 * sizeof(float));
    /* Tags stay in English, as the CLI writes them. */
    g_autofree char *comment = g_strdup_printf("%s in %s %s, %d bpm, seed %" G_GUINT64_FORMAT,
                                               gs_music_style_name(prompt->style), gs_music_key_name(prompt->key),
                                               prompt->mode == GS_MUSIC_MODE_MINOR ? "minor" : "major", prompt->bpm,
                                               gs_music_piece_get_seed(piece));
    const GsVoice *clone = gs_music_piece_get_cloned_voice(piece);
    if (clone) { /* whose voice sings, and with what consent */
        g_autofree char *consent = gs_voice_describe_consent(clone);
        g_autofree char *plain = g_steal_pointer(&comment);
        comment = g_strdup_printf("%s; vocals: %s", plain, consent);
    }
    GsAudioTags tags = { .title = gs_music_piece_get_text(piece), .comment = comment,
                         .model = GS_MUSIC_PROVENANCE_MODEL };
    gs_widget_export_audio_async(GTK_WIDGET(self), file, mix, 2, audio->rate, &tags, cancellable, callback,
                                 user_data);
}

gboolean
gs_music_page_export_finish(GsMusicPage *self, GAsyncResult *result, GError **error)
{
    return gs_widget_export_audio_finish(GTK_WIDGET(self), result, error);
}

gboolean
gs_music_page_save_midi(GsMusicPage *self, GsMusicPiece *piece, GFile *file, GError **error)
{
    g_return_val_if_fail(GS_IS_MUSIC_PAGE(self) && GS_IS_MUSIC_PIECE(piece) && G_IS_FILE(file), FALSE);
    g_autofree char *path = g_file_get_path(file);
    if (!path) {
        g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Not a local file"));
        return FALSE;
    }
    return gs_midi_file_write(gs_music_piece_get_arrangement(piece), path, error);
}

/* The dialog keeps the piece, which may be deselected or gone from the
 * page before it answers. */
static void
on_export_chosen(GtkWidget *widget, GFile *file, gpointer piece)
{
    GsMusicPage *self = GS_MUSIC_PAGE(widget);
    if (self->pieces) /* NULL once the page is gone */
        gs_music_page_export_async(self, piece, file, NULL, gs_widget_toast_export_result,
                                   (gpointer)_("Piece exported"));
}

static void
on_midi_chosen(GtkWidget *widget, GFile *file, gpointer piece)
{
    GsMusicPage *self = GS_MUSIC_PAGE(widget);
    g_autoptr(GError) error = NULL;
    if (!self->pieces)
        return;
    if (gs_music_page_save_midi(self, piece, file, &error))
        gs_widget_toast(widget, _("MIDI file saved"));
    else
        gs_widget_toast(widget, error->message);
}

static void
choose_file(GsMusicPage *self, const char *title, const char *name, GsSaveFileChosen chosen)
{
    if (self->selected)
        gs_widget_choose_save_file(GTK_WIDGET(self), title, name, chosen, g_object_ref(self->selected),
                                   g_object_unref);
}

static void
choose_export_file(GtkWidget *widget, const char *action, GVariant *param)
{
    choose_file(GS_MUSIC_PAGE(widget), _("Export Piece"), "genstudio-music.ogg", on_export_chosen);
}

static void
choose_midi_file(GtkWidget *widget, const char *action, GVariant *param)
{
    choose_file(GS_MUSIC_PAGE(widget), _("Save MIDI"), "genstudio-music.mid", on_midi_chosen);
}

/* ---- the singer ---------------------------------------------------------- */

static void
on_lyrics_changed(GtkTextBuffer *buffer, GsMusicPage *self)
{
    gtk_widget_set_visible(self->lyrics_hint, gtk_text_buffer_get_char_count(buffer) == 0);
}

/* The model's voices, then the voices folder's cloned ones, read again
 * each time the page is shown (the Voice page may have added one); the
 * selection stays on its voice. */
static void
refresh_singers(GsMusicPage *self)
{
    if (!self->model_voices)
        return; /* shown once the model has listed its own */
    g_clear_pointer(&self->cloned, g_ptr_array_unref);
    self->cloned = gs_voices_dir_list();
    GtkStringObject *current = gtk_drop_down_get_selected_item(self->voice_dropdown);
    g_autofree char *previous = current ? g_strdup(gtk_string_object_get_string(current)) : NULL;
    g_autoptr(GtkStringList) voices = gtk_string_list_new((const char *const *)self->model_voices);
    for (guint i = 0; i < self->cloned->len; i++) {
        const GsVoiceFile *file = g_ptr_array_index(self->cloned, i);
        g_autofree char *label = g_strdup_printf(_("%s (cloned)"), file->stem);
        gtk_string_list_append(voices, label);
    }
    guint selected = 0;
    for (guint i = 0; previous && i < g_list_model_get_n_items(G_LIST_MODEL(voices)); i++)
        if (g_strcmp0(gtk_string_list_get_string(voices, i), previous) == 0)
            selected = i;
    gtk_drop_down_set_model(self->voice_dropdown, G_LIST_MODEL(voices));
    gtk_drop_down_set_selected(self->voice_dropdown, selected);
    gtk_widget_set_sensitive(GTK_WIDGET(self->voice_dropdown), self->model_voices[0] != NULL);
}

static void
on_voices_listed(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(GsMusicPage) self = user_data;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) voice_languages = NULL;
    g_auto(GStrv) names = gs_engine_list_voices_finish(GS_ENGINE(source), result, &voice_languages, NULL, &error);
    if (!self->pieces) /* the page went away meanwhile */
        return;
    if (!names) {
        gs_widget_toast(GTK_WIDGET(self), error->message);
        return;
    }
    /* Lyrics are sung with English phonemes: the English voices sing them. */
    g_autoptr(GStrvBuilder) singers = g_strv_builder_new();
    for (guint i = 0; names[i]; i++)
        if (g_str_equal(voice_languages[i], "en-us"))
            g_strv_builder_add(singers, names[i]);
    self->model_voices = g_strv_builder_end(singers);
    refresh_singers(self);
}

/* The speech model loads when the workspace is first shown, not at start-up. */
static void
gs_music_page_map(GtkWidget *widget)
{
    GsMusicPage *self = GS_MUSIC_PAGE(widget);
    GTK_WIDGET_CLASS(gs_music_page_parent_class)->map(widget);
    if (!self->voices_requested) {
        self->voices_requested = TRUE;
        gs_engine_list_voices_async(self->engine, NULL, NULL, on_voices_listed, g_object_ref(self));
    }
    refresh_singers(self);
}

/* ---- lifetime ------------------------------------------------------------ */

static void
gs_music_page_dispose(GObject *object)
{
    GsMusicPage *self = GS_MUSIC_PAGE(object);
    if (self->cancellable)
        g_cancellable_cancel(self->cancellable);
    g_queue_clear_full(&self->restoring, (GDestroyNotify)compose_free);
    /* Playback stops while the waveform it draws the playhead on is still there. */
    if (self->playback) {
        g_signal_handlers_disconnect_by_data(self->playback, self);
        gs_playback_stop(self->playback);
    }
    /* Rows go while the waveform and stems they select into are still there. */
    if (self->piece_list)
        gtk_list_box_bind_model(self->piece_list, NULL, NULL, NULL, NULL);
    gtk_widget_dispose_template(GTK_WIDGET(self), GS_TYPE_MUSIC_PAGE);
    g_clear_object(&self->pieces);
    g_clear_object(&self->selected);
    g_clear_pointer(&self->mix, g_free);
    g_clear_object(&self->playback);
    g_clear_object(&self->cancellable);
    g_clear_object(&self->engine);
    g_clear_pointer(&self->model_voices, g_strfreev);
    g_clear_pointer(&self->cloned, g_ptr_array_unref);
    G_OBJECT_CLASS(gs_music_page_parent_class)->dispose(object);
}

static void
gs_music_page_class_init(GsMusicPageClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
    object_class->dispose = gs_music_page_dispose;
    widget_class->map = gs_music_page_map;

    g_type_ensure(GS_TYPE_WAVEFORM);
    gtk_widget_class_set_template_from_resource(widget_class, "/org/genstudio/GenStudio/gs-music-page.ui");
    gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, flap);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, prompt_entry);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, lyrics_view);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, voice_dropdown);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, lyrics_hint);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, seed_spin);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, spinner);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, status_label);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, summary_label);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, ignored_label);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, title_label);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, piece_list);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, stem_list);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, waveform);
    gtk_widget_class_bind_template_child(widget_class, GsMusicPage, play_button);
    gtk_widget_class_bind_template_callback(widget_class, on_piece_selected);
    gtk_widget_class_bind_template_callback(widget_class, on_prompt_activate);

    gtk_widget_class_install_action(widget_class, "music.generate", NULL, generate);
    gtk_widget_class_install_action(widget_class, "music.roll-seed", NULL, roll_seed);
    gtk_widget_class_install_action(widget_class, "music.toggle-play", NULL, toggle_play);
    gtk_widget_class_install_action(widget_class, "music.export", NULL, choose_export_file);
    gtk_widget_class_install_action(widget_class, "music.save-midi", NULL, choose_midi_file);
    gtk_widget_class_install_action(widget_class, "music.send-to-timeline", NULL, send_to_timeline);
    signals[SIGNAL_SEND_TO_TIMELINE] =
        g_signal_new("send-stems-to-timeline", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                     G_TYPE_NONE, 5, G_TYPE_STRV, G_TYPE_STRV, G_TYPE_PTR_ARRAY, G_TYPE_STRV, G_TYPE_ARRAY);
}

static void
gs_music_page_init(GsMusicPage *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->pieces = g_list_store_new(GS_TYPE_MUSIC_PIECE);
    self->cloned = g_ptr_array_new();
    self->engine = gs_engine_dup_default();
    g_signal_connect(gtk_text_view_get_buffer(self->lyrics_view), "changed", G_CALLBACK(on_lyrics_changed), self);
    self->playback = gs_playback_new(self->waveform);
    g_signal_connect(self->playback, "notify::item", G_CALLBACK(on_playing_item_changed), self);
    gtk_list_box_bind_model(self->piece_list, G_LIST_MODEL(self->pieces), create_piece_row, self, NULL);
    gs_widget_add_generate_shortcut(GTK_WIDGET(self), "music.generate");
    show_playback(self);
}

void
gs_music_page_set_prompt(GsMusicPage *self, const char *prompt)
{
    gtk_editable_set_text(GTK_EDITABLE(self->prompt_entry), prompt);
}

void
gs_music_page_set_lyrics(GsMusicPage *self, const char *lyrics)
{
    gtk_text_buffer_set_text(gtk_text_view_get_buffer(self->lyrics_view), lyrics ? lyrics : "", -1);
}

gboolean gs_music_page_get_generating(GsMusicPage *self) { return self->cancellable != NULL; }
const char *
gs_music_page_get_status(GsMusicPage *self)
{
    return gtk_widget_get_visible(GTK_WIDGET(self->status_label)) ? gtk_label_get_text(self->status_label) : NULL;
}
GListModel *gs_music_page_get_pieces(GsMusicPage *self) { return G_LIST_MODEL(self->pieces); }
const char *gs_music_page_get_summary(GsMusicPage *self) { return gtk_label_get_text(self->summary_label); }
GsWaveform *gs_music_page_get_waveform(GsMusicPage *self) { return self->waveform; }
GsAudioPlayer *gs_music_page_get_player(GsMusicPage *self) { return gs_playback_get_player(self->playback); }
