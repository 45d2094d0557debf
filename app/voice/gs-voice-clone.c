/* Fitting a blend of the model's voices and a pitch shift to a consent
 * recording, by speaking the consent sentence with candidates and
 * measuring them — pitch and formants (gs-voice-features.c) and the
 * speaker encoder's similarity to the recording: first a grid over the
 * blends, then moves of weight between pairs of voices around the best,
 * then the pitch.
 * The consent sentence is English, so the blends are of the voices that
 * learned English.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "gs-voice-clone.h"

#define GRID_STEPS 3       /* blend weights in thirds for the first pass */
#define CONSENT_LANGUAGE "en-us"
#define REFINE_ROUNDS 2
#define MAX_PITCH_SEMITONES 12.0f
#define VOICING_PENALTY 10.0
#define VOICING_SHARE 0.9
/* The model's pitch control flattens intonation when pushed far (a female
 * voice lowered 11 semitones to a man's pitch kept a 0.3-semitone range):
 * shifts past FREE_SHIFT_SEMITONES cost SHIFT_PENALTY a semitone. */
#define FREE_SHIFT_SEMITONES 4.0
#define SHIFT_PENALTY 0.5
/* What the speaker encoder's dissimilarity (1 − cosine) costs, in the
 * distance's semitones. At 2 and 4 the fit chased the encoder into blends
 * that missed the held-out speakers' pitch and formants (bench clone). */
#define ENCODER_WEIGHT 1.0

typedef struct {
    gs_context *ctx;
    gs_speech *model;
    const char *text;
    const GsVoiceFeatures *target;
    gs_speaker_encoder *encoder;
    const float *target_embedding;
    float *embedding; /* scratch */
    int voices;       /* blended: the model's voices of CONSENT_LANGUAGE */
    int *voice_index; /* each one's index among the model's voices */
    float *blend;     /* scratch: weights over all the model's voices */
    int tried, budget;
    GsVoiceCloneProgress progress;
    gpointer user_data;
} Fit;

static bool
collect(const gs_speech_chunk *chunk, void *user_data)
{
    GArray *samples = user_data;
    g_array_append_vals(samples, chunk->samples, (guint)chunk->sample_count);
    return TRUE;
}

typedef struct {
    GsVoiceFeatures features;
    double similarity; /* the encoder's cosine to the recording */
} Measured;

static gboolean
measure(Fit *fit, const float *weights, float pitch, Measured *out, GError **error)
{
    if (fit->progress && !fit->progress(MIN(1.0, (double)fit->tried / fit->budget), fit->user_data)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cloning cancelled");
        return FALSE;
    }
    fit->tried++;
    gs_speech_params params = gs_speech_default_params();
    for (int v = 0; v < fit->voices; v++)
        fit->blend[fit->voice_index[v]] = weights[v];
    params.voice_blend = fit->blend;
    params.pitch = pitch;
    g_autoptr(GArray) samples = g_array_new(FALSE, FALSE, sizeof(float));
    gs_status st = gs_speech_synthesize(fit->model, fit->text, &params, collect, samples);
    if (st != GS_OK) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "The speech model failed while fitting the voice: %s",
                    gs_context_error(fit->ctx));
        return FALSE;
    }
    int rate = gs_speech_sample_rate(fit->model);
    if (!gs_voice_features_measure((const float *)samples->data, samples->len, rate, &out->features, error) ||
        !gs_voice_embed(fit->ctx, fit->encoder, (const float *)samples->data, samples->len, rate, fit->embedding,
                        error))
        return FALSE;
    out->similarity =
        gs_voice_embedding_cosine(fit->embedding, fit->target_embedding, gs_speaker_encoder_dim(fit->encoder));
    return TRUE;
}

/* The distance once the pitch is matched: a pitch shift moves the median
 * pitch and leaves the range and the formants. */
static double
shape_distance(const GsVoiceFeatures *target, GsVoiceFeatures candidate)
{
    candidate.f0_hz = target->f0_hz;
    return gs_voice_features_distance(target, &candidate);
}

typedef struct {
    float *weights;
    Measured measured;
    double distance;
} Best;

/* Blends of unlike voices can come out rough (too little of them is
 * periodic to measure, or less than of the recording): such candidates
 * lose by VOICING_PENALTY per missing fraction of voiced frames; and by
 * the pitch shift they would need (SHIFT_PENALTY). */
static gboolean
try_blend(Fit *fit, const float *weights, Best *best, GError **error)
{
    Measured m;
    g_autoptr(GError) unmeasurable = NULL;
    if (!measure(fit, weights, 0.0f, &m, &unmeasurable)) {
        if (g_error_matches(unmeasurable, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
            return TRUE;
        g_propagate_error(error, g_steal_pointer(&unmeasurable));
        return FALSE;
    }
    double shift = fabs(12.0 * log2(fit->target->f0_hz / m.features.f0_hz));
    double d = shape_distance(fit->target, m.features) + ENCODER_WEIGHT * (1.0 - m.similarity) +
               VOICING_PENALTY * MAX(0.0, VOICING_SHARE * fit->target->voiced_fraction - m.features.voiced_fraction) +
               SHIFT_PENALTY * MAX(0.0, shift - FREE_SHIFT_SEMITONES);
    if (d < best->distance) {
        best->distance = d;
        best->measured = m;
        memcpy(best->weights, weights, fit->voices * sizeof *weights);
    }
    return TRUE;
}

/* Every blend whose weights are multiples of 1/GRID_STEPS: `left` steps
 * to share among voices `voice`… */
static gboolean
try_grid(Fit *fit, float *weights, int voice, int left, Best *best, GError **error)
{
    if (voice == fit->voices - 1) {
        weights[voice] = (float)left / GRID_STEPS;
        return try_blend(fit, weights, best, error);
    }
    for (int k = 0; k <= left; k++) {
        weights[voice] = (float)k / GRID_STEPS;
        if (!try_grid(fit, weights, voice + 1, left - k, best, error))
            return FALSE;
    }
    return TRUE;
}

/* Moves of `step` weight from one voice to another, kept when closer. */
static gboolean
refine(Fit *fit, float step, Best *best, GError **error)
{
    g_autofree float *moved = g_new(float, fit->voices);
    for (int to = 0; to < fit->voices; to++)
        for (int from = 0; from < fit->voices; from++) {
            if (from == to || best->weights[from] < step - 1e-6f)
                continue;
            memcpy(moved, best->weights, fit->voices * sizeof *moved);
            moved[from] = MAX(moved[from] - step, 0.0f);
            moved[to] += step;
            if (!try_blend(fit, moved, best, error))
                return FALSE;
        }
    return TRUE;
}

GsVoice *
gs_voice_clone(gs_context *ctx, gs_speech *model, gs_speaker_encoder *encoder, const GsConsentRequest *request,
               const GsConsentCheck *check, const float *recording, gsize count, GsVoiceCloneProgress progress,
               gpointer user_data, GError **error)
{
    GsVoiceFeatures target;
    int dim = gs_speaker_encoder_dim(encoder);
    g_autofree float *target_embedding = g_new(float, dim), *embedding = g_new(float, dim);
    if (!gs_voice_features_measure(recording, count, GS_CONSENT_RATE, &target, error) ||
        !gs_voice_embed(ctx, encoder, recording, count, GS_CONSENT_RATE, target_embedding, error))
        return NULL;
    g_autofree int *voice_index = g_new0(int, gs_speech_voice_count(model));
    int voices = 0;
    for (int i = 0; i < gs_speech_voice_count(model); i++)
        if (strcmp(gs_speech_voice_language(model, i), CONSENT_LANGUAGE) == 0)
            voice_index[voices++] = i;
    if (voices == 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "The speech model has no English voice to blend");
        return NULL;
    }
    g_autofree float *blend = g_new0(float, gs_speech_voice_count(model));
    Fit fit = { .ctx = ctx, .model = model, .text = request->sentence, .target = &target, .encoder = encoder,
                .target_embedding = target_embedding, .embedding = embedding, .voices = voices,
                .voice_index = voice_index, .blend = blend, .progress = progress, .user_data = user_data };
    double grid_points = 1; /* C(GRID_STEPS + voices − 1, voices − 1) */
    for (int k = 1; k < voices; k++)
        grid_points = grid_points * (GRID_STEPS + k) / k;
    fit.budget = (int)grid_points + REFINE_ROUNDS * voices * (voices - 1) + 3;

    g_autofree float *weights = g_new0(float, voices);
    Best best = { .weights = g_new0(float, voices), .distance = INFINITY };
    gboolean ok = try_grid(&fit, weights, 0, GRID_STEPS, &best, error);
    if (ok && isinf(best.distance)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "No blend of the model's voices could be measured");
        ok = FALSE;
    }
    for (int round = 1; ok && round <= REFINE_ROUNDS; round++)
        ok = refine(&fit, 1.0f / (GRID_STEPS << round), &best, error);
    /* The pitch shift to the recording's median, measured once more and
     * corrected (the model's pitch does not follow the shift exactly). Some
     * blends turn rough when pushed far (too little periodic speech to
     * measure): then half the step is tried, and a shift whose speech still
     * cannot be measured is not taken further. */
    float pitch = 0.0f, share = 1.0f;
    Measured shifted = best.measured;
    for (int passes = 0; ok && passes < 2;) {
        float next = CLAMP(pitch + share * 12.0f * (float)log2(target.f0_hz / shifted.features.f0_hz),
                           -MAX_PITCH_SEMITONES, MAX_PITCH_SEMITONES);
        Measured trial;
        g_autoptr(GError) unmeasurable = NULL;
        if (measure(&fit, best.weights, next, &trial, &unmeasurable)) {
            pitch = next;
            shifted = trial;
            share = 1.0f;
            passes++;
        } else if (g_error_matches(unmeasurable, G_IO_ERROR, G_IO_ERROR_INVALID_DATA) && share == 1.0f)
            share = 0.5f;
        else if (g_error_matches(unmeasurable, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
            break;
        else {
            g_propagate_error(error, g_steal_pointer(&unmeasurable));
            ok = FALSE;
        }
    }
    if (!ok) {
        g_free(best.weights);
        return NULL;
    }
    GsVoice *voice = g_new0(GsVoice, 1);
    voice->name = g_strdup(request->name);
    voice->model_voices = g_new0(char *, voices + 1);
    for (int v = 0; v < voices; v++)
        voice->model_voices[v] = g_strdup(gs_speech_voice_name(model, voice_index[v]));
    voice->weights = best.weights;
    voice->pitch = pitch;
    voice->speaker_embedding = g_steal_pointer(&target_embedding);
    voice->speaker_embedding_dim = dim;
    voice->consent_id = g_strdup(request->id);
    voice->consent_sentence = g_strdup(request->sentence);
    voice->consent_transcript = g_strdup(check->transcript);
    voice->consent_match = check->sentence_match;
    voice->consent_audio_sha256 = g_strdup(check->audio_sha256);
    voice->consent_time = g_get_real_time() / G_USEC_PER_SEC;
    return voice;
}
