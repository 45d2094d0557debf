/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-music-piece.h"

/* The mix's peak after the vocals join it, as the CLI's: −1 dBFS. */
#define MIX_PEAK 0.891f

struct _GsMusicPiece {
    GObject parent_instance;
    char *text;
    guint64 seed;
    char *lyrics, *voice;
    GsVoice *cloned_voice;
    GsMusicPrompt *prompt;
    GsArrangement *arrangement;
    GsMusicAudio *audio;
    float *vocals; /* NULL: nothing sung */
    gboolean muted[GS_MUSIC_PIECE_MAX_STEMS];
};

G_DEFINE_FINAL_TYPE(GsMusicPiece, gs_music_piece, G_TYPE_OBJECT)

static void
gs_music_piece_finalize(GObject *object)
{
    GsMusicPiece *self = GS_MUSIC_PIECE(object);
    g_free(self->text);
    g_free(self->lyrics);
    g_free(self->voice);
    g_clear_pointer(&self->cloned_voice, gs_voice_free);
    g_free(self->vocals);
    g_clear_pointer(&self->prompt, gs_music_prompt_free);
    g_clear_pointer(&self->arrangement, gs_arrangement_free);
    g_clear_pointer(&self->audio, gs_music_audio_free);
    G_OBJECT_CLASS(gs_music_piece_parent_class)->finalize(object);
}

static void
gs_music_piece_class_init(GsMusicPieceClass *klass)
{
    G_OBJECT_CLASS(klass)->finalize = gs_music_piece_finalize;
}

static void
gs_music_piece_init(GsMusicPiece *self)
{
}

GsMusicPiece *
gs_music_piece_new(const char *text, guint64 seed, GsMusicPrompt *prompt, GsArrangement *arrangement,
                   GsMusicAudio *audio)
{
    g_return_val_if_fail(text && prompt && arrangement && audio, NULL);
    GsMusicPiece *self = g_object_new(GS_TYPE_MUSIC_PIECE, NULL);
    self->text = g_strdup(text);
    self->seed = seed;
    self->prompt = prompt;
    self->arrangement = arrangement;
    self->audio = audio;
    return self;
}

void
gs_music_piece_add_vocals(GsMusicPiece *self, const char *lyrics, const char *voice, const GsVoice *clone,
                          float *stem)
{
    g_return_if_fail(GS_IS_MUSIC_PIECE(self) && lyrics && stem && !self->vocals);
    self->lyrics = g_strdup(lyrics);
    self->voice = g_strdup(voice);
    self->cloned_voice = clone ? gs_voice_copy(clone) : NULL;
    self->vocals = stem;
    GsMusicAudio *audio = self->audio;
    gsize count = audio->frames * 2;
    float peak = 0;
    for (gsize i = 0; i < count; i++) {
        audio->mix[i] += stem[i];
        peak = MAX(peak, fabsf(audio->mix[i]));
    }
    if (peak <= 0)
        return;
    float gain = MIX_PEAK / peak;
    for (gsize i = 0; i < count; i++) {
        audio->mix[i] *= gain;
        stem[i] *= gain;
        for (int part = 0; part < GS_MUSIC_PART_COUNT; part++)
            audio->stems[part][i] *= gain;
    }
}

const char *gs_music_piece_get_text(GsMusicPiece *self) { return self->text; }
guint64 gs_music_piece_get_seed(GsMusicPiece *self) { return self->seed; }
const char *gs_music_piece_get_lyrics(GsMusicPiece *self) { return self->lyrics; }
const char *gs_music_piece_get_voice(GsMusicPiece *self) { return self->voice; }
const GsVoice *gs_music_piece_get_cloned_voice(GsMusicPiece *self) { return self->cloned_voice; }
const GsMusicPrompt *gs_music_piece_get_prompt(GsMusicPiece *self) { return self->prompt; }
const GsArrangement *gs_music_piece_get_arrangement(GsMusicPiece *self) { return self->arrangement; }
const GsMusicAudio *gs_music_piece_get_audio(GsMusicPiece *self) { return self->audio; }

double
gs_music_piece_get_duration(GsMusicPiece *self)
{
    return (double)self->audio->frames / self->audio->rate;
}

int
gs_music_piece_get_n_stems(GsMusicPiece *self)
{
    return self->vocals ? GS_MUSIC_PIECE_MAX_STEMS : GS_MUSIC_PART_COUNT;
}

const float *
gs_music_piece_get_stem(GsMusicPiece *self, int stem)
{
    g_return_val_if_fail(stem >= 0 && stem < gs_music_piece_get_n_stems(self), NULL);
    return stem == GS_MUSIC_PIECE_VOCALS ? self->vocals : self->audio->stems[stem];
}

const char *
gs_music_piece_stem_name(int stem)
{
    g_return_val_if_fail(stem >= 0 && stem < GS_MUSIC_PIECE_MAX_STEMS, NULL);
    return stem == GS_MUSIC_PIECE_VOCALS ? "vocals" : gs_music_part_name(stem);
}

gboolean
gs_music_piece_get_muted(GsMusicPiece *self, int stem)
{
    g_return_val_if_fail(stem >= 0 && stem < GS_MUSIC_PIECE_MAX_STEMS, FALSE);
    return self->muted[stem];
}

void
gs_music_piece_set_muted(GsMusicPiece *self, int stem, gboolean muted)
{
    g_return_if_fail(stem >= 0 && stem < GS_MUSIC_PIECE_MAX_STEMS);
    self->muted[stem] = muted;
}

float *
gs_music_piece_mix(GsMusicPiece *self)
{
    gsize count = self->audio->frames * 2;
    float *mix = g_new0(float, count);
    /* The stems carry the mix's gain: their plain sum is the mix. */
    for (int stem = 0; stem < gs_music_piece_get_n_stems(self); stem++) {
        if (self->muted[stem])
            continue;
        const float *samples = gs_music_piece_get_stem(self, stem);
        for (gsize i = 0; i < count; i++)
            mix[i] += samples[i];
    }
    return mix;
}
