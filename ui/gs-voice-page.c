/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include <glib/gi18n.h>

#include <adwaita.h>

#include "gs-clone-dialog.h"
#include "gs-engine.h"
#include "gs-page-utils.h"
#include "gs-playback.h"
#include "gs-timeline.h"
#include "gs-voice-page.h"
#include "gs-voice.h"

/* A cloned voice of the voices folder, as the dropdown lists it. */
typedef struct {
    GsVoice *voice;
    char *path;
    char *label; /* "Ann Smith (cloned)" */
} ClonedVoice;

struct _GsVoicePage {
    GtkWidget parent_instance;

    /* template */
    AdwFlap *flap; /* bound so that dispose_template unparents it */
    GtkTextView *script_view;
    GtkDropDown *voice_dropdown, *lang_dropdown;
    GtkSpinButton *rate_spin, *pitch_spin;
    GsWaveform *waveform; /* shows the selected take */
    GtkProgressBar *progress;
    GtkListBox *take_list;

    GsEngine *engine;
    GListStore *takes;
    gboolean voices_requested;
    char **model_voices; /* the speech model's, once listed */
    char **voice_languages; /* the language each of them learned */
    GPtrArray *cloned;   /* ClonedVoice, listed after the model's voices */
    GsPlayback *playback;

    /* the run in progress: the script's paragraphs, one take each */
    GCancellable *cancellable;
    char **paragraphs;
    guint paragraph; /* the one being spoken */
    gs_speech_params run_params;
    char *run_voice; /* run_params.voice points here */
    GPtrArray *run_cloned;   /* keeps run_clone alive while the run lasts */
    ClonedVoice *run_clone;  /* the cloned voice of the run, or NULL */
};

G_DEFINE_FINAL_TYPE(GsVoicePage, gs_voice_page, GTK_TYPE_WIDGET)

enum { SIGNAL_SEND_TO_TIMELINE, N_SIGNALS };
static guint signals[N_SIGNALS];

/* espeak-ng voices for the language dropdown, in its order. */
static const struct {
    const char *code;
    const char *name;
} languages[] = {
    { "en-us", N_("English (US)") }, { "en-gb", N_("English (UK)") }, { "ca", N_("Catalan") },
    { "cs", N_("Czech") },           { "nl", N_("Dutch") },           { "fi", N_("Finnish") },
    { "fr", N_("French") },          { "de", N_("German") },          { "hi", N_("Hindi") },
    { "it", N_("Italian") },         { "mr", N_("Marathi") },         { "pt", N_("Portuguese") },
    { "ru", N_("Russian") },         { "es", N_("Spanish") },         { "te", N_("Telugu") },
};

static void
cloned_voice_free(ClonedVoice *cloned)
{
    gs_voice_free(cloned->voice);
    g_free(cloned->path);
    g_free(cloned->label);
    g_free(cloned);
}

static void
update_actions(GsVoicePage *self)
{
    gboolean busy = self->cancellable != NULL;
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "voice.generate", !busy);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "voice.cancel", busy);
    gboolean selected = gs_waveform_get_take(self->waveform) != NULL;
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "voice.export", selected);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "voice.send-to-timeline", selected);
}

/* ---- takes --------------------------------------------------------------- */

static GtkWidget *
create_take_row(gpointer item, gpointer user_data)
{
    GsVoicePage *self = user_data;
    GsTake *take = item;
    GtkWidget *row = adw_action_row_new();
    adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
    adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), gs_take_get_text(take));
    adw_action_row_set_title_lines(ADW_ACTION_ROW(row), 2);
    g_autofree char *subtitle = g_strdup_printf(_("%s · %s · %.1f s"), gs_take_get_voice(take),
                                                gs_take_get_lang(take), gs_take_get_duration(take));
    adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
    g_autofree char *tooltip = g_strdup_printf(_("Rate %.2f, pitch %+.1f semitones"), gs_take_get_rate(take),
                                               gs_take_get_pitch(take));
    gtk_widget_set_tooltip_text(row, tooltip);

    /* Takes are only ever appended, so a take's position stays its name. */
    guint position = 0;
    g_list_store_find(self->takes, take, &position);
    GtkWidget *play = gtk_button_new();
    gs_playback_show_button_state(GTK_BUTTON(play), G_OBJECT(take) == gs_playback_get_item(self->playback));
    gtk_widget_set_valign(play, GTK_ALIGN_CENTER);
    gtk_widget_add_css_class(play, "flat");
    gtk_widget_add_css_class(play, "circular");
    gtk_actionable_set_action_name(GTK_ACTIONABLE(play), "voice.toggle-play");
    gtk_actionable_set_action_target_value(GTK_ACTIONABLE(play), g_variant_new_uint32(position));
    adw_action_row_add_suffix(ADW_ACTION_ROW(row), play);
    g_object_set_data(G_OBJECT(row), "play-button", play);
    return row;
}

static void
select_take(GsVoicePage *self, guint position)
{
    gtk_list_box_select_row(self->take_list, gtk_list_box_get_row_at_index(self->take_list, (int)position));
}

static void
on_row_selected(GtkListBox *list, GtkListBoxRow *row, GsVoicePage *self)
{
    g_autoptr(GsTake) take = row ? g_list_model_get_item(G_LIST_MODEL(self->takes), gtk_list_box_row_get_index(row))
                                 : NULL;
    gs_waveform_set_take(self->waveform, take);
    gs_playback_set_shown(self->playback, G_OBJECT(take));
    update_actions(self);
}

/* ---- playback ------------------------------------------------------------ */

/* Play buttons follow what plays. */
static void
on_playing_item_changed(GsPlayback *playback, GParamSpec *pspec, GsVoicePage *self)
{
    GObject *playing = gs_playback_get_item(playback);
    for (int i = 0;; i++) {
        GtkListBoxRow *row = gtk_list_box_get_row_at_index(self->take_list, i);
        if (!row)
            break;
        g_autoptr(GsTake) take = g_list_model_get_item(G_LIST_MODEL(self->takes), (guint)i);
        gs_playback_show_button_state(g_object_get_data(G_OBJECT(row), "play-button"), G_OBJECT(take) == playing);
    }
}

/* Plays take `position`, or stops it when it is the one playing. */
static void
toggle_play(GtkWidget *widget, const char *action, GVariant *param)
{
    GsVoicePage *self = GS_VOICE_PAGE(widget);
    guint position = g_variant_get_uint32(param);
    g_autoptr(GsTake) take = g_list_model_get_item(G_LIST_MODEL(self->takes), position);
    if (!take)
        return;
    if (G_OBJECT(take) == gs_playback_get_item(self->playback)) {
        gs_playback_stop(self->playback);
        return;
    }
    select_take(self, position);
    gsize count;
    const float *samples = gs_take_get_samples(take, &count);
    gs_playback_play(self->playback, G_OBJECT(take), samples, count, 1, gs_take_get_sample_rate(take), 0);
}

/* ---- generation ---------------------------------------------------------- */

static char *
dup_script(GsVoicePage *self)
{
    GtkTextBuffer *buffer = gtk_text_view_get_buffer(self->script_view);
    GtkTextIter start, end;
    gtk_text_buffer_get_bounds(buffer, &start, &end);
    return gtk_text_buffer_get_text(buffer, &start, &end, FALSE);
}

/* The script's non-blank lines (a text view's paragraphs), trimmed. */
static char **
split_paragraphs(const char *script)
{
    g_auto(GStrv) lines = g_strsplit(script, "\n", -1);
    g_autoptr(GStrvBuilder) paragraphs = g_strv_builder_new();
    for (char **line = lines; *line; line++) {
        g_strstrip(*line);
        if (**line)
            g_strv_builder_add(paragraphs, *line);
    }
    return g_strv_builder_end(paragraphs);
}

/* The settings of the pane, kept for the whole run. */
static void
capture_params(GsVoicePage *self)
{
    GtkStringObject *voice = gtk_drop_down_get_selected_item(self->voice_dropdown);
    guint selected = gtk_drop_down_get_selected(self->voice_dropdown);
    guint model_count = self->model_voices ? g_strv_length(self->model_voices) : 0;
    guint lang = gtk_drop_down_get_selected(self->lang_dropdown);
    g_clear_pointer(&self->run_voice, g_free);
    g_clear_pointer(&self->run_cloned, g_ptr_array_unref);
    self->run_clone = NULL;
    if (voice && selected >= model_count && selected - model_count < self->cloned->len) {
        self->run_cloned = g_ptr_array_ref(self->cloned);
        self->run_clone = g_ptr_array_index(self->run_cloned, selected - model_count);
    } else if (voice && selected < model_count) {
        self->run_voice = g_strdup(self->model_voices[selected]);
    } /* else NULL: the language's default voice */
    self->run_params = gs_speech_default_params();
    self->run_params.voice = self->run_voice;
    self->run_params.lang = languages[lang < G_N_ELEMENTS(languages) ? lang : 0].code;
    self->run_params.rate = (float)gtk_spin_button_get_value(self->rate_spin);
    self->run_params.pitch = (float)gtk_spin_button_get_value(self->pitch_spin);
}

static void
on_progress(double fraction, gpointer user_data)
{
    GsVoicePage *self = user_data;
    if (!self->cancellable)
        return;
    guint count = g_strv_length(self->paragraphs);
    g_autofree char *text = g_strdup_printf(_("Take %u of %u"), self->paragraph + 1, count);
    gtk_progress_bar_set_fraction(self->progress, (self->paragraph + fraction) / count);
    gtk_progress_bar_set_text(self->progress, text);
}

static void speak_paragraph(GsVoicePage *self);

static void
end_run(GsVoicePage *self, const char *outcome)
{
    g_clear_object(&self->cancellable);
    g_clear_pointer(&self->paragraphs, g_strfreev);
    g_clear_pointer(&self->run_cloned, g_ptr_array_unref);
    self->run_clone = NULL;
    gtk_progress_bar_set_text(self->progress, outcome);
    update_actions(self);
}

static void
on_spoken(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(GsVoicePage) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GsTake) take = gs_engine_speak_finish(GS_ENGINE(source), result, &error);
    if (!self->takes) /* the page went away while the engine worked */
        return;
    /* A take finished as the run was cancelled (by a new project, say)
     * belongs to no store any more. */
    if (take && g_cancellable_is_cancelled(self->cancellable)) {
        g_clear_object(&take);
        g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
    }
    if (!take) {
        gboolean cancelled = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        if (!cancelled)
            gs_widget_toast(GTK_WIDGET(self), error->message);
        end_run(self, cancelled ? _("Cancelled") : _("Failed"));
        return;
    }
    if (self->run_clone) /* its exports say whose voice it is, and with what consent */
        gs_take_set_cloned_voice(take, self->run_clone->voice);
    g_list_store_append(self->takes, take);
    select_take(self, g_list_model_get_n_items(G_LIST_MODEL(self->takes)) - 1);
    if (self->paragraphs[++self->paragraph]) {
        speak_paragraph(self);
        return;
    }
    gtk_progress_bar_set_fraction(self->progress, 1.0);
    end_run(self, _("Done"));
}

static void
speak_paragraph(GsVoicePage *self)
{
    if (self->run_clone)
        gs_engine_speak_cloned_async(self->engine, self->paragraphs[self->paragraph], &self->run_params,
                                     self->run_clone->voice, self->run_clone->label, on_progress, self,
                                     self->cancellable, on_spoken, g_object_ref(self));
    else
        gs_engine_speak_async(self->engine, self->paragraphs[self->paragraph], &self->run_params, on_progress, self,
                              self->cancellable, on_spoken, g_object_ref(self));
}

static void
generate(GtkWidget *widget, const char *action, GVariant *param)
{
    GsVoicePage *self = GS_VOICE_PAGE(widget);
    if (self->cancellable)
        return;
    g_autofree char *script = dup_script(self);
    g_auto(GStrv) paragraphs = split_paragraphs(script);
    if (!paragraphs[0]) {
        gs_widget_toast(GTK_WIDGET(self), _("Nothing to say"));
        return;
    }
    self->paragraphs = g_steal_pointer(&paragraphs);
    self->paragraph = 0;
    self->cancellable = g_cancellable_new();
    capture_params(self);
    gtk_progress_bar_set_fraction(self->progress, 0);
    gtk_progress_bar_set_text(self->progress, _("Starting…"));
    update_actions(self);
    speak_paragraph(self);
}

static void
cancel(GtkWidget *widget, const char *action, GVariant *param)
{
    GsVoicePage *self = GS_VOICE_PAGE(widget);
    if (self->cancellable)
        g_cancellable_cancel(self->cancellable);
}

/* ---- voices --------------------------------------------------------------- */

static gboolean
lists_consent(GPtrArray *cloned, const char *consent_id)
{
    for (guint i = 0; i < cloned->len; i++)
        if (g_strcmp0(((ClonedVoice *)g_ptr_array_index(cloned, i))->voice->consent_id, consent_id) == 0)
            return TRUE;
    return FALSE;
}

/* The voices of a project's takes that the voices folder lacks (a project
 * from another computer, or a voice file deleted since). */
static void
add_project_voices(GPtrArray *cloned, GListModel *takes)
{
    for (guint i = 0; i < g_list_model_get_n_items(takes); i++) {
        g_autoptr(GsTake) take = g_list_model_get_item(takes, i);
        const GsVoice *voice = gs_take_get_cloned_voice(take);
        if (!voice || lists_consent(cloned, voice->consent_id))
            continue;
        ClonedVoice *entry = g_new0(ClonedVoice, 1);
        entry->voice = gs_voice_copy(voice);
        entry->label = g_strdup_printf(_("%s (cloned, from this project)"), voice->name);
        g_ptr_array_add(cloned, entry);
    }
}

/* The voices folder's voices, then those only `takes` hold. */
static GPtrArray *
load_cloned_voices(GListModel *takes)
{
    GPtrArray *cloned = g_ptr_array_new_with_free_func((GDestroyNotify)cloned_voice_free);
    g_autoptr(GPtrArray) files = gs_voices_dir_list();
    for (guint i = 0; i < files->len; i++) {
        GsVoiceFile *file = g_ptr_array_index(files, i);
        ClonedVoice *entry = g_new0(ClonedVoice, 1);
        entry->voice = g_steal_pointer(&file->voice);
        entry->path = g_steal_pointer(&file->path);
        entry->label = g_strdup_printf(_("%s (cloned)"), file->stem);
        g_ptr_array_add(cloned, entry);
    }
    add_project_voices(cloned, takes);
    return cloned;
}

/* "lp — Italian": a model voice with the language it learned. */
static char *
voice_label(const char *voice, const char *lang)
{
    for (gsize i = 0; i < G_N_ELEMENTS(languages); i++)
        if (strcmp(languages[i].code, lang) == 0)
            return g_strdup_printf("%s — %s", voice, _(languages[i].name));
    return g_strdup(voice);
}

/* The model's voices, then the cloned ones; the selection stays on the
 * voice it was on, or moves to `select_path`'s voice when given. */
static void
refresh_voices(GsVoicePage *self, const char *select_path)
{
    g_clear_pointer(&self->cloned, g_ptr_array_unref);
    self->cloned = load_cloned_voices(G_LIST_MODEL(self->takes));
    if (!self->model_voices)
        return; /* shown once the model has listed its own */
    GtkStringObject *current = gtk_drop_down_get_selected_item(self->voice_dropdown);
    g_autofree char *previous = current ? g_strdup(gtk_string_object_get_string(current)) : NULL;
    g_autoptr(GtkStringList) voices = gtk_string_list_new(NULL);
    guint model_count = g_strv_length(self->model_voices), selected = 0;
    for (guint i = 0; i < model_count; i++) {
        g_autofree char *label = voice_label(self->model_voices[i], self->voice_languages[i]);
        gtk_string_list_append(voices, label);
    }
    for (guint i = 0; i < self->cloned->len; i++) {
        ClonedVoice *entry = g_ptr_array_index(self->cloned, i);
        gtk_string_list_append(voices, entry->label);
        if (select_path && g_strcmp0(entry->path, select_path) == 0) {
            selected = model_count + i;
            g_clear_pointer(&previous, g_free); /* the new voice wins */
        }
    }
    for (guint i = 0; previous && i < g_list_model_get_n_items(G_LIST_MODEL(voices)); i++)
        if (g_strcmp0(gtk_string_list_get_string(voices, i), previous) == 0)
            selected = i;
    gtk_drop_down_set_model(self->voice_dropdown, G_LIST_MODEL(voices));
    gtk_drop_down_set_selected(self->voice_dropdown, selected);
    gtk_widget_set_sensitive(GTK_WIDGET(self->voice_dropdown), TRUE);
}

static void
on_voice_added(GsCloneDialog *dialog, const char *name, const char *path, GsVoicePage *self)
{
    if (!self->takes) /* the page is going away */
        return;
    refresh_voices(self, path);
    g_autofree char *message = g_strdup_printf(_("Voice “%s” added"), name);
    gs_widget_toast(GTK_WIDGET(self), message);
}

/* A language with voices of its own gets one of them, unless the voice
 * chosen already speaks it or is a cloned voice. */
static void
on_language_selected(GsVoicePage *self)
{
    guint lang = gtk_drop_down_get_selected(self->lang_dropdown);
    guint voice = gtk_drop_down_get_selected(self->voice_dropdown);
    if (!self->voice_languages || lang >= G_N_ELEMENTS(languages))
        return;
    guint count = g_strv_length(self->voice_languages);
    if (voice >= count || strcmp(self->voice_languages[voice], languages[lang].code) == 0)
        return;
    for (guint i = 0; i < count; i++)
        if (strcmp(self->voice_languages[i], languages[lang].code) == 0) {
            gtk_drop_down_set_selected(self->voice_dropdown, i);
            return;
        }
}

static void
new_clone(GtkWidget *widget, const char *action, GVariant *param)
{
    GsVoicePage *self = GS_VOICE_PAGE(widget);
    GtkRoot *root = gtk_widget_get_root(widget);
    GsCloneDialog *dialog = gs_clone_dialog_new(GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL);
    g_signal_connect_object(dialog, "voice-added", G_CALLBACK(on_voice_added), self, 0);
    gtk_window_present(GTK_WINDOW(dialog));
}

static void
on_voices_listed(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(GsVoicePage) self = user_data;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) trained = NULL, voice_languages = NULL;
    g_auto(GStrv) names = gs_engine_list_voices_finish(GS_ENGINE(source), result, &voice_languages, &trained, &error);
    if (!self->takes)
        return;
    if (!names) {
        gs_widget_toast(GTK_WIDGET(self), error->message);
        return;
    }
    g_strfreev(self->model_voices);
    self->model_voices = g_strdupv(names);
    g_strfreev(self->voice_languages);
    self->voice_languages = g_steal_pointer(&voice_languages);
    refresh_voices(self, NULL);

    /* Languages without a trained voice say that they borrow its sounds. */
    guint selected = gtk_drop_down_get_selected(self->lang_dropdown);
    g_autoptr(GtkStringList) language_names = gtk_string_list_new(NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(languages); i++) {
        g_autofree char *name =
            g_strv_contains((const char *const *)trained, languages[i].code)
                ? g_strdup(_(languages[i].name))
                : g_strdup_printf(_("%s (nearest phonemes, no trained voice)"), _(languages[i].name));
        gtk_string_list_append(language_names, name);
    }
    gtk_drop_down_set_model(self->lang_dropdown, G_LIST_MODEL(language_names));
    gtk_drop_down_set_selected(self->lang_dropdown, selected);
}

/* ---- export -------------------------------------------------------------- */

void
gs_voice_page_export_async(GsVoicePage *self, GsTake *take, GFile *file, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
    g_return_if_fail(GS_IS_VOICE_PAGE(self) && GS_IS_TAKE(take) && G_IS_FILE(file));
    gsize count;
    const float *samples = gs_take_get_samples(take, &count);
    /* The take keeps its samples: no copy. */
    g_autoptr(GBytes) bytes =
        g_bytes_new_with_free_func(samples, count * sizeof(float), g_object_unref, g_object_ref(take));
    GsAudioTags tags = { .title = gs_take_get_text(take), .artist = gs_take_get_voice(take),
                         .comment = gs_take_get_consent(take),
                         .model = GS_SPEECH_PROVENANCE_MODEL };
    gs_widget_export_audio_async(GTK_WIDGET(self), file, bytes, 1, gs_take_get_sample_rate(take), &tags, cancellable,
                                 callback, user_data);
}

gboolean
gs_voice_page_export_finish(GsVoicePage *self, GAsyncResult *result, GError **error)
{
    return gs_widget_export_audio_finish(GTK_WIDGET(self), result, error);
}

static void
on_export_chosen(GtkWidget *widget, GFile *file, gpointer data)
{
    GsVoicePage *self = GS_VOICE_PAGE(widget);
    GsTake *take = self->waveform ? gs_waveform_get_take(self->waveform) : NULL; /* NULL once the page is gone */
    if (take)
        gs_voice_page_export_async(self, take, file, NULL, gs_widget_toast_export_result, (gpointer)_("Take exported"));
}

static void
choose_export_file(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_widget_choose_save_file(widget, _("Export Take"), "genstudio-voice.ogg", on_export_chosen, NULL, NULL);
}

/* ---- lifetime ------------------------------------------------------------ */

/* The speech model loads when the workspace is first shown, not at start-up. */
static void
gs_voice_page_map(GtkWidget *widget)
{
    GsVoicePage *self = GS_VOICE_PAGE(widget);
    GTK_WIDGET_CLASS(gs_voice_page_parent_class)->map(widget);
    if (!self->voices_requested) {
        self->voices_requested = TRUE;
        const char *codes[G_N_ELEMENTS(languages) + 1] = { NULL };
        for (gsize i = 0; i < G_N_ELEMENTS(languages); i++)
            codes[i] = languages[i].code;
        gs_engine_list_voices_async(self->engine, codes, NULL, on_voices_listed, g_object_ref(self));
    }
}

static void
gs_voice_page_dispose(GObject *object)
{
    GsVoicePage *self = GS_VOICE_PAGE(object);
    if (self->cancellable)
        g_cancellable_cancel(self->cancellable);
    /* Playback stops while the waveform it draws the playhead on is still there. */
    if (self->playback) {
        g_signal_handlers_disconnect_by_data(self->playback, self);
        gs_playback_stop(self->playback);
    }
    /* Rows go while the waveform they select into is still there. */
    if (self->take_list)
        gtk_list_box_bind_model(self->take_list, NULL, NULL, NULL, NULL);
    gtk_widget_dispose_template(GTK_WIDGET(self), GS_TYPE_VOICE_PAGE);
    g_clear_object(&self->engine);
    g_clear_object(&self->takes);
    g_clear_object(&self->playback);
    g_clear_object(&self->cancellable);
    g_clear_pointer(&self->paragraphs, g_strfreev);
    g_clear_pointer(&self->run_voice, g_free);
    g_clear_pointer(&self->run_cloned, g_ptr_array_unref);
    self->run_clone = NULL;
    g_clear_pointer(&self->cloned, g_ptr_array_unref);
    g_clear_pointer(&self->model_voices, g_strfreev);
    g_clear_pointer(&self->voice_languages, g_strfreev);
    G_OBJECT_CLASS(gs_voice_page_parent_class)->dispose(object);
}

/* ---- send to the timeline ------------------------------------------------ */

/* Off the main thread: a take of a long script is long. */
static void
convert_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GsTake *take = data;
    gsize count = 0;
    const float *samples = gs_take_get_samples(take, &count);
    float *stereo = NULL;
    gsize frames = 0;
    GError *error = NULL;
    if (gs_audio_convert(samples, count, 1, gs_take_get_sample_rate(take), GS_TIMELINE_CHANNELS, GS_TIMELINE_RATE,
                         &stereo, &frames, &error))
        g_task_return_pointer(task, g_bytes_new_take(stereo, frames * GS_TIMELINE_CHANNELS * sizeof(float)),
                              (GDestroyNotify)g_bytes_unref);
    else
        g_task_return_error(task, error);
}

static void
on_converted(GObject *source, GAsyncResult *result, gpointer user_data)
{
    GsVoicePage *self = GS_VOICE_PAGE(source);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) audio = g_task_propagate_pointer(G_TASK(result), &error);
    if (audio)
        g_signal_emit(self, signals[SIGNAL_SEND_TO_TIMELINE], 0,
                      gs_take_get_text(g_task_get_task_data(G_TASK(result))), audio);
    else
        gs_widget_toast(GTK_WIDGET(self), error->message);
}

static void
send_to_timeline(GtkWidget *widget, const char *action, GVariant *param)
{
    GsVoicePage *self = GS_VOICE_PAGE(widget);
    GsTake *take = gs_waveform_get_take(self->waveform);
    if (!take)
        return;
    g_autoptr(GTask) task = g_task_new(self, NULL, on_converted, NULL);
    g_task_set_task_data(task, g_object_ref(take), g_object_unref);
    g_task_run_in_thread(task, convert_thread);
}

static void
gs_voice_page_class_init(GsVoicePageClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
    object_class->dispose = gs_voice_page_dispose;
    widget_class->map = gs_voice_page_map;

    g_type_ensure(GS_TYPE_WAVEFORM);
    gtk_widget_class_set_template_from_resource(widget_class, "/org/genstudio/GenStudio/gs-voice-page.ui");
    gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_bind_template_child(widget_class, GsVoicePage, flap);
    gtk_widget_class_bind_template_child(widget_class, GsVoicePage, script_view);
    gtk_widget_class_bind_template_child(widget_class, GsVoicePage, voice_dropdown);
    gtk_widget_class_bind_template_child(widget_class, GsVoicePage, lang_dropdown);
    gtk_widget_class_bind_template_child(widget_class, GsVoicePage, rate_spin);
    gtk_widget_class_bind_template_child(widget_class, GsVoicePage, pitch_spin);
    gtk_widget_class_bind_template_child(widget_class, GsVoicePage, waveform);
    gtk_widget_class_bind_template_child(widget_class, GsVoicePage, progress);
    gtk_widget_class_bind_template_child(widget_class, GsVoicePage, take_list);
    gtk_widget_class_bind_template_callback(widget_class, on_row_selected);

    gtk_widget_class_install_action(widget_class, "voice.generate", NULL, generate);
    gtk_widget_class_install_action(widget_class, "voice.cancel", NULL, cancel);
    gtk_widget_class_install_action(widget_class, "voice.toggle-play", "u", toggle_play);
    gtk_widget_class_install_action(widget_class, "voice.export", NULL, choose_export_file);
    gtk_widget_class_install_action(widget_class, "voice.send-to-timeline", NULL, send_to_timeline);
    gtk_widget_class_install_action(widget_class, "voice.new-clone", NULL, new_clone);
    signals[SIGNAL_SEND_TO_TIMELINE] =
        g_signal_new("send-to-timeline", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                     G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BYTES);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0, "voice.cancel", NULL);
}

static void
gs_voice_page_init(GsVoicePage *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->engine = gs_engine_dup_default();
    self->takes = g_list_store_new(GS_TYPE_TAKE);
    self->cloned = g_ptr_array_new_with_free_func((GDestroyNotify)cloned_voice_free);
    self->playback = gs_playback_new(self->waveform);
    g_signal_connect(self->playback, "notify::item", G_CALLBACK(on_playing_item_changed), self);

    g_autoptr(GtkStringList) language_names = gtk_string_list_new(NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(languages); i++)
        gtk_string_list_append(language_names, _(languages[i].name));
    gtk_drop_down_set_model(self->lang_dropdown, G_LIST_MODEL(language_names));
    g_signal_connect_swapped(self->lang_dropdown, "notify::selected", G_CALLBACK(on_language_selected), self);

    gtk_list_box_bind_model(self->take_list, G_LIST_MODEL(self->takes), create_take_row, self, NULL);
    gs_widget_add_generate_shortcut(GTK_WIDGET(self), "voice.generate");
    update_actions(self);
}

void
gs_voice_page_set_script(GsVoicePage *self, const char *script)
{
    gtk_text_buffer_set_text(gtk_text_view_get_buffer(self->script_view), script, -1);
}

void
gs_voice_page_set_takes(GsVoicePage *self, GListStore *takes)
{
    g_return_if_fail(GS_IS_VOICE_PAGE(self) && G_IS_LIST_STORE(takes));
    if (self->cancellable)
        g_cancellable_cancel(self->cancellable);
    /* Play buttons name takes by position: a stale one would play another. */
    gs_playback_stop(self->playback);
    gtk_list_box_bind_model(self->take_list, NULL, NULL, NULL, NULL);
    g_set_object(&self->takes, takes);
    gtk_list_box_bind_model(self->take_list, G_LIST_MODEL(self->takes), create_take_row, self, NULL);
    gs_waveform_set_take(self->waveform, NULL);
    gs_playback_set_shown(self->playback, NULL);
    refresh_voices(self, NULL); /* with the project's cloned voices */
    update_actions(self);
}

gboolean gs_voice_page_get_generating(GsVoicePage *self) { return self->cancellable != NULL; }
GListModel *gs_voice_page_get_takes(GsVoicePage *self) { return G_LIST_MODEL(self->takes); }
GsWaveform *gs_voice_page_get_waveform(GsVoicePage *self) { return self->waveform; }
GsAudioPlayer *gs_voice_page_get_player(GsVoicePage *self) { return gs_playback_get_player(self->playback); }
