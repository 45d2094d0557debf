/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-music-piece.h"

struct _GsMusicPiece {
    GObject parent_instance;
    char *text;
    guint64 seed;
    GsMusicPrompt *prompt;
    GsArrangement *arrangement;
    GsMusicAudio *audio;
    gboolean muted[GS_MUSIC_PART_COUNT];
};

G_DEFINE_FINAL_TYPE(GsMusicPiece, gs_music_piece, G_TYPE_OBJECT)

static void
gs_music_piece_finalize(GObject *object)
{
    GsMusicPiece *self = GS_MUSIC_PIECE(object);
    g_free(self->text);
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

const char *gs_music_piece_get_text(GsMusicPiece *self) { return self->text; }
guint64 gs_music_piece_get_seed(GsMusicPiece *self) { return self->seed; }
const GsMusicPrompt *gs_music_piece_get_prompt(GsMusicPiece *self) { return self->prompt; }
const GsArrangement *gs_music_piece_get_arrangement(GsMusicPiece *self) { return self->arrangement; }
const GsMusicAudio *gs_music_piece_get_audio(GsMusicPiece *self) { return self->audio; }

double
gs_music_piece_get_duration(GsMusicPiece *self)
{
    return (double)self->audio->frames / self->audio->rate;
}

gboolean
gs_music_piece_get_muted(GsMusicPiece *self, GsMusicPart part)
{
    g_return_val_if_fail(part < GS_MUSIC_PART_COUNT, FALSE);
    return self->muted[part];
}

void
gs_music_piece_set_muted(GsMusicPiece *self, GsMusicPart part, gboolean muted)
{
    g_return_if_fail(part < GS_MUSIC_PART_COUNT);
    self->muted[part] = muted;
}

float *
gs_music_piece_mix(GsMusicPiece *self)
{
    gsize count = self->audio->frames * 2;
    float *mix = g_new0(float, count);
    /* The stems carry the mix's gain: their plain sum is the mix. */
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++) {
        if (self->muted[part])
            continue;
        const float *stem = self->audio->stems[part];
        for (gsize i = 0; i < count; i++)
            mix[i] += stem[i];
    }
    return mix;
}
