/* Text → speech: espeak-ng phonemes for each sentence, the acoustic model,
 * then a vocoder; each sentence's audio goes to the caller as soon as it is
 * ready, so any length of text runs in the memory of one sentence.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gs-speech-private.h"
#include "io/gs-json.h"

#define START_SYMBOL "^"
#define MIN_FRAMES 8
#define SILENCE_LOG_MEL -11.5f /* log(1e-5), the floor of the training mels */
#define UNKNOWN_ID 0

gs_speech_params
gs_speech_default_params(void)
{
    return (gs_speech_params){ .voice = NULL, .lang = "en-us", .rate = 1.0f, .pitch = 0.0f, .energy = 0.0f,
                               .vocoder = GS_VOCODER_AUTO, .griffin_lim_iterations = 32 };
}

/* A config integer: `fallback` when missing, −1 (refused by every check
 * below) when it is not an integer of int's range. */
static int
json_int(JsonObject *o, const char *key, int fallback)
{
    if (!json_object_has_member(o, key))
        return fallback;
    gint64 v = gs_json_integer(json_object_get_member(o, key), -1);
    return v >= 0 && v <= G_MAXINT ? (int)v : -1;
}

/* genstudio.voice_languages: one "voice language" line per voice; voices
 * it does not list (and every voice of older models) learned "en-us". */
static char **
parse_speaker_languages(const gs_speech *m)
{
    const char *listed = gs_safetensors_metadata(m->file, "genstudio.voice_languages");
    g_auto(GStrv) lines = g_strsplit(listed ? listed : "", "\n", -1);
    g_autoptr(GHashTable) by_voice = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (int k = 0; lines[k]; k++) {
        char *space = strchr(lines[k], ' ');
        if (space)
            g_hash_table_insert(by_voice, g_strndup(lines[k], (gsize)(space - lines[k])), space + 1);
    }
    char **languages = g_new0(char *, g_strv_length(m->speakers) + 1);
    for (int i = 0; m->speakers[i]; i++) {
        const char *lang = g_hash_table_lookup(by_voice, m->speakers[i]);
        languages[i] = g_strdup(lang ? lang : "en-us");
    }
    return languages;
}

static gs_status
parse_config(gs_speech *m, const char *path)
{
    const char *text = gs_safetensors_metadata(m->file, "genstudio.speech_config");
    const char *phones = gs_safetensors_metadata(m->file, "genstudio.phones");
    const char *speakers = gs_safetensors_metadata(m->file, "genstudio.speakers");
    if (!text || !phones || !speakers)
        return gs_fail(m->ctx, GS_ERR_FORMAT, "%s is not a GenStudio speech model (no genstudio.speech_config, "
                       "genstudio.phones or genstudio.speakers metadata)", path);
    g_autoptr(JsonParser) parser = json_parser_new();
    if (!json_parser_load_from_data(parser, text, -1, NULL) || !json_parser_get_root(parser) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
        return gs_fail(m->ctx, GS_ERR_FORMAT, "%s: genstudio.speech_config is not a JSON object", path);
    JsonObject *o = json_node_get_object(json_parser_get_root(parser));
    gs_speech_config *c = &m->cfg;
    c->channels = json_int(o, "channels", 0);
    c->encoder_layers = json_int(o, "encoder_layers", 0);
    c->kernel = json_int(o, "kernel", 0);
    c->mel_bins = json_int(o, "mel_bins", 80);
    c->sample_rate = json_int(o, "sample_rate", 22050);
    c->n_fft = json_int(o, "n_fft", 1024);
    c->hop = json_int(o, "hop", 256);
    c->layer_norm_eps = 1e-5f;
    c->mel_fmax = (float)json_int(o, "mel_fmax", 8000);
    JsonNode *dilations_node = json_object_get_member(o, "decoder_dilations");
    JsonArray *dilations = dilations_node && JSON_NODE_HOLDS_ARRAY(dilations_node)
                               ? json_node_get_array(dilations_node) : NULL;
    c->decoder_layers = dilations ? (int)json_array_get_length(dilations) : 0;
    bool ok = c->channels > 0 && c->channels <= 4096 && c->encoder_layers > 0 && c->encoder_layers <= 64 &&
              c->kernel > 0 && c->kernel % 2 == 1 && c->decoder_layers > 0 &&
              c->decoder_layers <= (int)G_N_ELEMENTS(c->decoder_dilations) && c->mel_bins > 0 &&
              c->sample_rate >= 8000 && c->sample_rate <= 192000 && c->mel_fmax > 0 &&
              c->mel_fmax <= c->sample_rate / 2 &&
              c->hop > 0 && c->hop <= c->n_fft && (c->n_fft == 256 || c->n_fft == 512 || c->n_fft == 1024 ||
                                                   c->n_fft == 2048);
    for (int i = 0; ok && i < c->decoder_layers; i++) {
        gint64 d = gs_json_integer(json_array_get_element(dilations, (guint)i), 0);
        ok = d > 0 && d <= 64;
        c->decoder_dilations[i] = (int)d;
    }
    c->vocoder_blocks = json_int(o, "vocoder_blocks", 0);
    c->vocoder_kernel = json_int(o, "vocoder_kernel", 5);
    ok = ok && c->vocoder_blocks >= 0 && c->vocoder_blocks <= 64 && c->vocoder_kernel > 0 && c->vocoder_kernel % 2;
    if (!ok)
        return gs_fail(m->ctx, GS_ERR_FORMAT, "%s: genstudio.speech_config has missing or impossible values", path);

    m->phones = g_strsplit(phones, "\n", -1);
    m->speakers = g_strsplit(speakers, "\n", -1);
    if (g_strv_length(m->phones) < 2 || g_strv_length(m->speakers) < 1)
        return gs_fail(m->ctx, GS_ERR_FORMAT, "%s: empty phoneme or speaker list", path);
    /* Voices are listed with the model's default first (its
     * genstudio.default_speaker, else the first in the file). */
    const char *preferred = gs_safetensors_metadata(m->file, "genstudio.default_speaker");
    for (int i = 0; preferred && m->speakers[i]; i++)
        if (strcmp(m->speakers[i], preferred) == 0)
            m->default_speaker = i;
    m->speaker_languages = parse_speaker_languages(m);
    m->phone_ids = g_hash_table_new(g_str_hash, g_str_equal);
    m->embeddings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (int i = 0; m->phones[i]; i++)
        g_hash_table_insert(m->phone_ids, m->phones[i], GINT_TO_POINTER(i + 1));
    return GS_OK;
}

gs_status
gs_speech_load(gs_context *ctx, const char *path, gs_speech **out)
{
    *out = NULL;
    gs_speech *m = g_new0(gs_speech, 1);
    m->ctx = ctx;
    char *error = NULL;
    gs_status st = gs_safetensors_open(path, &m->file, &error);
    if (st != GS_OK) {
        gs_fail(ctx, st, "%s", error ? error : "cannot open the speech model");
        free(error);
        g_free(m);
        return st;
    }
    st = parse_config(m, path);
    if (st == GS_OK) {
        m->weights = gs_weights_new(ctx, m->file);
        m->stream = gs_stream_new(ctx);
        if (!m->stream)
            st = GS_ERR_OUT_OF_MEMORY;
    }
    if (st != GS_OK) {
        gs_speech_free(m);
        return st;
    }
    *out = m;
    return GS_OK;
}

void
gs_speech_free(gs_speech *m)
{
    if (!m)
        return;
    gs_stream_free(m->stream);
    gs_weights_free(m->weights);
    g_clear_pointer(&m->phone_ids, g_hash_table_destroy);
    g_clear_pointer(&m->embeddings, g_hash_table_destroy);
    g_strfreev(m->phones);
    g_strfreev(m->speakers);
    g_strfreev(m->speaker_languages);
    gs_safetensors_close(m->file);
    g_free(m);
}

int gs_speech_sample_rate(const gs_speech *m) { return m->cfg.sample_rate; }
int gs_speech_voice_count(const gs_speech *m) { return (int)g_strv_length(m->speakers); }
bool gs_speech_has_neural_vocoder(const gs_speech *m) { return m->cfg.vocoder_blocks > 0; }

bool
gs_speech_knows_language(const gs_speech *m, const char *lang)
{
    return lang && g_strv_contains((const char *const *)m->speaker_languages, lang);
}

/* Index 0 is the default voice; the others keep the file's order. */
static int
file_index(const gs_speech *m, int index)
{
    return index == 0 ? m->default_speaker : index <= m->default_speaker ? index - 1 : index;
}

const char *
gs_speech_voice_name(const gs_speech *m, int index)
{
    return index >= 0 && index < gs_speech_voice_count(m) ? m->speakers[file_index(m, index)] : NULL;
}

const char *
gs_speech_voice_language(const gs_speech *m, int index)
{
    return index >= 0 && index < gs_speech_voice_count(m) ? m->speaker_languages[file_index(m, index)] : NULL;
}

/* The model knows the phonemes of its teacher language; another language's
 * phoneme speaks as the nearest one it knows: without length marks or
 * diacritics, else its first letter, else silence-like <unk>. */
static int
phone_id(const gs_speech *m, const char *symbol)
{
    gpointer id = g_hash_table_lookup(m->phone_ids, symbol);
    if (id)
        return GPOINTER_TO_INT(id) - 1;
    GString *base = g_string_new(NULL);
    for (const char *p = symbol; *p; p = g_utf8_next_char(p)) {
        gunichar ch = g_utf8_get_char(p);
        GUnicodeType type = g_unichar_type(ch);
        if (ch != 0x02D0 /* ː */ && type != G_UNICODE_NON_SPACING_MARK && type != G_UNICODE_MODIFIER_LETTER)
            g_string_append_unichar(base, ch);
    }
    id = g_hash_table_lookup(m->phone_ids, base->str);
    if (!id && base->len > 0) {
        g_string_truncate(base, (gsize)(g_utf8_next_char(base->str) - base->str));
        id = g_hash_table_lookup(m->phone_ids, base->str);
    }
    g_string_free(base, TRUE);
    return id ? GPOINTER_TO_INT(id) - 1 : UNKNOWN_ID;
}

const char *
gs_speech_default_voice(const gs_speech *m, const char *lang)
{
    for (int index = 0; lang && index < gs_speech_voice_count(m); index++)
        if (strcmp(gs_speech_voice_language(m, index), lang) == 0)
            return gs_speech_voice_name(m, index);
    return gs_speech_voice_name(m, 0);
}

static int
speaker_index(const gs_speech *m, const char *voice, const char *lang)
{
    if (!voice || !*voice)
        voice = gs_speech_default_voice(m, lang);
    for (int i = 0; m->speakers[i]; i++)
        if (strcmp(m->speakers[i], voice) == 0)
            return i;
    return -1;
}

/* The params' voice as a weight for each speaker of the file (in the
 * file's order), g_malloc'd; NULL after recording the failure. */
static float *
speaker_weights(gs_speech *m, const gs_speech_params *p)
{
    int n = gs_speech_voice_count(m);
    float *weights = g_new0(float, n);
    if (!p->voice_blend) {
        int speaker = speaker_index(m, p->voice, p->lang);
        if (speaker >= 0) {
            weights[speaker] = 1.0f;
            return weights;
        }
        gs_fail(m->ctx, GS_ERR_INVALID_ARGUMENT, "Unknown voice “%s”", p->voice);
        g_free(weights);
        return NULL;
    }
    double sum = 0;
    bool in_range = true;
    for (int i = 0; i < n; i++) {
        float w = p->voice_blend[i];
        in_range = in_range && w >= 0.0f && w <= 1.0f;
        sum += w;
        weights[file_index(m, i)] = w;
    }
    if (!in_range || !(fabs(sum - 1.0) <= 1e-3)) {
        gs_fail(m->ctx, GS_ERR_INVALID_ARGUMENT, "A voice blend needs %d weights in 0–1 that sum to 1", n);
        g_clear_pointer(&weights, g_free);
    }
    return weights;
}

/* Log-mel [*frames, bins] (frame-major) → samples through the params'
 * vocoder; *mel may be replaced by a padded copy. */
static gs_status
vocode(gs_speech *m, gs_status st, float **mel_inout, int *frames_inout, const gs_speech_params *p,
       float **samples, size_t *sample_count)
{
    float *mel = *mel_inout;
    int frames = *frames_inout;
    if (st == GS_OK && p->formant_shift != 0.0f)
        st = gs_formant_shift(m, mel, frames, p->formant_shift);
    if (st == GS_OK && frames < MIN_FRAMES) {
        /* The STFT needs a few frames (hop·(T−1) > n_fft/2): pad a very
         * short sentence (a fast "Oh.") with silence. */
        size_t have = (size_t)frames * m->cfg.mel_bins, need = (size_t)MIN_FRAMES * m->cfg.mel_bins;
        float *padded = malloc(need * sizeof *padded);
        for (size_t i = 0; padded && i < need; i++)
            padded[i] = i < have ? mel[i] : SILENCE_LOG_MEL;
        free(mel);
        mel = padded;
        frames = MIN_FRAMES;
        if (!mel)
            st = gs_fail(m->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    }
    if (st == GS_OK && p->vocoder == GS_VOCODER_NEURAL)
        st = gs_neural_vocoder(m, mel, frames, samples, sample_count);
    else if (st == GS_OK)
        st = gs_griffin_lim(m, mel, frames, p->griffin_lim_iterations, samples, sample_count);
    *mel_inout = mel;
    *frames_inout = frames;
    return st;
}

static gs_status
speak_sentence(gs_speech *m, const gs_phone *phones, int count, const float *speaker, const gs_speech_params *p,
               double progress, gs_speech_callback callback, void *user_data)
{
    int32_t *ids = g_new(int32_t, count + 1), *stress = g_new(int32_t, count + 1);
    ids[0] = phone_id(m, START_SYMBOL);
    stress[0] = 0;
    for (int i = 0; i < count; i++) {
        ids[i + 1] = phone_id(m, phones[i].symbol);
        stress[i + 1] = phones[i].stress <= 2 ? phones[i].stress : 0;
    }
    float *mel = NULL, *samples = NULL;
    int frames = 0;
    size_t sample_count = 0;
    gs_status st = gs_acoustic_forward(m, ids, stress, count + 1, speaker, p, &mel, &frames);
    st = vocode(m, st, &mel, &frames, p, &samples, &sample_count);
    float *bins_major = st == GS_OK ? g_new(float, (size_t)frames * m->cfg.mel_bins) : NULL;
    for (int t = 0; bins_major && t < frames; t++)
        for (int b = 0; b < m->cfg.mel_bins; b++)
            bins_major[(size_t)b * frames + t] = mel[(size_t)t * m->cfg.mel_bins + b];
    if (st == GS_OK) {
        gs_speech_chunk chunk = { samples, sample_count, bins_major, m->cfg.mel_bins, frames, progress };
        if (!callback(&chunk, user_data))
            st = gs_fail(m->ctx, GS_ERR_CANCELLED, "speech cancelled");
    }
    free(mel);
    g_free(bins_major);
    free(samples);
    g_free(ids);
    g_free(stress);
    return st;
}

/* The caller's params checked, the vocoder and voice resolved: *speaker
 * gets the speaker weights (g_free them). */
static gs_status
check_params(gs_speech *m, const gs_speech_params *params, gs_speech_params *p, float **speaker)
{
    *p = params ? *params : gs_speech_default_params();
    *speaker = NULL;
    if (!(p->rate >= 0.25f && p->rate <= 4.0f) || !(p->pitch >= -24.0f && p->pitch <= 24.0f) ||
        !(p->energy >= -3.0f && p->energy <= 3.0f) || !(fabsf(p->formant_shift) <= GS_SPEECH_MAX_FORMANT_SHIFT))
        return gs_fail(m->ctx, GS_ERR_INVALID_ARGUMENT, "The rate must lie in 0.25–4, the pitch in ±24 semitones, "
                       "the energy in ±3 and the formant shift in ±%g semitones", GS_SPEECH_MAX_FORMANT_SHIFT);
    if (p->vocoder == GS_VOCODER_NEURAL && !gs_speech_has_neural_vocoder(m))
        return gs_fail(m->ctx, GS_ERR_UNSUPPORTED, "This speech model has no neural vocoder; use Griffin-Lim");
    if (p->vocoder == GS_VOCODER_AUTO)
        p->vocoder = gs_speech_has_neural_vocoder(m) ? GS_VOCODER_NEURAL : GS_VOCODER_GRIFFIN_LIM;
    if (p->griffin_lim_iterations < 0 || p->griffin_lim_iterations > 1000)
        p->griffin_lim_iterations = gs_speech_default_params().griffin_lim_iterations;
    *speaker = speaker_weights(m, p);
    return *speaker ? GS_OK : GS_ERR_INVALID_ARGUMENT;
}

gs_status
gs_speech_sing(gs_speech *m, const gs_sung_phone *phones, int count, const gs_speech_params *params,
               float **samples, size_t *sample_count)
{
    *samples = NULL;
    *sample_count = 0;
    gs_speech_params p;
    g_autofree float *speaker = NULL;
    gs_status st = check_params(m, params, &p, &speaker);
    if (st != GS_OK)
        return st;
    if (count < 1 || count > GS_SING_MAX_PHONES)
        return gs_fail(m->ctx, GS_ERR_INVALID_ARGUMENT, "A sung phrase needs 1 to %d phonemes", GS_SING_MAX_PHONES);
    /* Durations on the model's frame grid, rounded by their running sum so
     * that the error stays under half a frame at every phoneme. */
    double frame_seconds = (double)m->cfg.hop / m->cfg.sample_rate, end = 0;
    int32_t *ids = g_new(int32_t, count + 1), *stress = g_new(int32_t, count + 1);
    int *durations = g_new(int, count + 1);
    float *pitch = g_new(float, count + 1);
    ids[0] = phone_id(m, START_SYMBOL);
    stress[0] = 0;
    durations[0] = 0;
    pitch[0] = NAN;
    int done = 0;
    for (int i = 0; st == GS_OK && i < count; i++) {
        const gs_sung_phone *ph = &phones[i];
        end += ph->seconds;
        if (!(ph->seconds >= 0) || !(end <= GS_SING_MAX_SECONDS) || !(isnan(ph->pitch) || fabsf(ph->pitch) <= 3))
            st = gs_fail(m->ctx, GS_ERR_INVALID_ARGUMENT,
                         "A sung phrase lasts at most %d s, its pitches within ±3 octaves of the voice's",
                         GS_SING_MAX_SECONDS);
        ids[i + 1] = phone_id(m, ph->symbol);
        stress[i + 1] = ph->stress <= 2 ? ph->stress : 0;
        int upto = (int)lround(end / frame_seconds);
        durations[i + 1] = upto - done;
        done = upto;
        pitch[i + 1] = ph->pitch;
    }
    float *mel = NULL;
    int frames = 0;
    if (st == GS_OK)
        st = gs_acoustic_forward_given(m, ids, stress, count + 1, speaker, durations, pitch, &mel, &frames);
    st = vocode(m, st, &mel, &frames, &p, samples, sample_count);
    free(mel);
    g_free(ids);
    g_free(stress);
    g_free(durations);
    g_free(pitch);
    return st;
}

gs_status
gs_speech_synthesize(gs_speech *m, const char *text, const gs_speech_params *params, gs_speech_callback callback,
                     void *user_data)
{
    gs_speech_params p;
    g_autofree float *speaker = NULL;
    gs_status st = check_params(m, params, &p, &speaker);
    if (st != GS_OK)
        return st;
    if (!text)
        text = "";

    gs_phonemizer *ph = NULL;
    char *error = NULL;
    st = gs_phonemizer_new(p.lang, &ph, &error);
    size_t total = strlen(text);
    int spoken = 0;
    for (const char *rest = text; st == GS_OK && rest;) {
        gs_phone *phones = NULL;
        int count = 0;
        st = gs_phonemizer_next_sentence(ph, &rest, &phones, &count, &error);
        if (st == GS_OK && count > 0) {
            double progress = rest ? (double)(rest - text) / (double)total : 1.0;
            st = speak_sentence(m, phones, count, speaker, &p, progress, callback, user_data);
            spoken++;
        }
        gs_phones_free(phones);
    }
    if (error) {
        gs_fail(m->ctx, st, "%s", error);
        free(error);
    }
    gs_phonemizer_free(ph);
    if (st == GS_OK && spoken == 0)
        st = gs_fail(m->ctx, GS_ERR_INVALID_ARGUMENT, "There is nothing to say: the text has no words");
    return st;
}
