/* Cloning a voice from a consent recording. The speech model knows a few
 * voices; a clone is the blend of their speaker embeddings and the pitch
 * shift whose speech, read from the consent sentence, comes closest to the
 * recording in the measures a listener hears first — median pitch, pitch
 * range and the first three formants — and by the speaker encoder. The fit
 * speaks the sentence with each candidate and measures it (a search
 * without gradients, README.md).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-consent.h"
#include "gs-voice.h"

G_BEGIN_DECLS

typedef struct {
    double f0_hz;               /* median over voiced frames */
    double f0_range_semitones;  /* 10th to 90th percentile */
    double formant_hz[3];       /* F1–F3, medians of LPC peaks over voiced frames */
    double voiced_fraction;
} GsVoiceFeatures;

/* Mono samples at any rate ≥ 8 kHz. Fails when too little of it is voiced
 * to measure. Plain C. */
gboolean gs_voice_features_measure(const float *samples, gsize count, int rate, GsVoiceFeatures *out,
                                   GError **error);
/* Pitch and pitch range in semitones, formants in semitones of frequency,
 * combined as a root mean square: 0 = the same voice by these measures. */
double gs_voice_features_distance(const GsVoiceFeatures *a, const GsVoiceFeatures *b);

/* The speaker encoder's embedding (dim floats, unit length) of mono samples
 * at `rate`, resampled to the encoder's; too short or silent audio is
 * G_IO_ERROR_INVALID_DATA. */
gboolean gs_voice_embed(gs_context *ctx, gs_speaker_encoder *encoder, const float *samples, gsize count, int rate,
                        float *embedding, GError **error);
double gs_voice_embedding_cosine(const float *a, const float *b, int dim);

/* Return FALSE to cancel. */
typedef gboolean (*GsVoiceCloneProgress)(double fraction, gpointer user_data);

/* Fits a voice to `recording` (mono at GS_CONSENT_RATE) which passed
 * `check` for `request`. The result carries the consent record. */
GsVoice *gs_voice_clone(gs_context *ctx, gs_speech *model, gs_speaker_encoder *encoder,
                        const GsConsentRequest *request, const GsConsentCheck *check, const float *recording,
                        gsize count, GsVoiceCloneProgress progress, gpointer user_data, GError **error);

G_END_DECLS
