/* One spoken take: the text, how it was said (voice, language, rate,
 * pitch) and what came out — the samples and their log-mel spectrogram.
 * Immutable once made, and free of GTK: it is the project item that the
 * window lists, plays and exports, and that a timeline will place.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "genstudio-engine.h"
#include "gs-voice.h"

G_BEGIN_DECLS

#define GS_TYPE_TAKE (gs_take_get_type())
G_DECLARE_FINAL_TYPE(GsTake, gs_take, GS, TAKE, GObject)

/* `params->voice` must name the voice actually used (not NULL). `samples`
 * holds mono floats at `sample_rate`; `mel` holds [mel_bins, mel_frames]
 * floats, row-major, as the engine gives them. Both are kept, not copied. */
GsTake *gs_take_new(const char *text, const gs_speech_params *params, GBytes *samples, int sample_rate, GBytes *mel,
                    int mel_bins, int mel_frames);

const char *gs_take_get_text(GsTake *self);
const char *gs_take_get_voice(GsTake *self);
const char *gs_take_get_lang(GsTake *self);
double gs_take_get_rate(GsTake *self);
double gs_take_get_pitch(GsTake *self);
/* Seconds of audio. */
double gs_take_get_duration(GsTake *self);
/* For a take in a cloned voice, its consent record
 * (gs_voice_describe_consent), which its exports carry; else NULL. Set
 * once, as the take is made. */
const char *gs_take_get_consent(GsTake *self);
void gs_take_set_consent(GsTake *self, const char *consent);
/* The cloned voice a take was spoken in (copied), which its project
 * carries so that the voice goes where the project goes; sets the consent
 * record too, if unset. NULL for the model's own voices. */
const GsVoice *gs_take_get_cloned_voice(GsTake *self);
void gs_take_set_cloned_voice(GsTake *self, const GsVoice *voice);

const float *gs_take_get_samples(GsTake *self, gsize *count);
int gs_take_get_sample_rate(GsTake *self);
/* [bins, frames] row-major log-mel values (about −11.5 for silence to 2). */
const float *gs_take_get_mel(GsTake *self, int *bins, int *frames);

G_END_DECLS
