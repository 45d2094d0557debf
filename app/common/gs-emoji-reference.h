/* The emoji training set as 8×8 colour thumbnails with their Unicode groups
 * and captions (data/models/emoji32-reference.safetensors), and the two
 * figures GenStudio reports for a set of generated emoji: adherence (how
 * many land nearest to a training image of the prompt's group) and
 * diversity (how far apart the samples are). `bench image`, `bench gan` and
 * the window's GAN-vs-diffusion comparison use the same functions.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _GsEmojiReference GsEmojiReference;

/* The shipped set when `path` is NULL. */
GsEmojiReference *gs_emoji_reference_load(const char *path, GError **error);
void gs_emoji_reference_free(GsEmojiReference *ref);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsEmojiReference, gs_emoji_reference_free)

int gs_emoji_reference_count(const GsEmojiReference *ref);
const char *gs_emoji_reference_caption(const GsEmojiReference *ref, int index);
int gs_emoji_reference_group(const GsEmojiReference *ref, int index);
/* "Smileys & Emotion" etc.; NULL for an unknown group number. */
const char *gs_emoji_reference_group_name(const GsEmojiReference *ref, int group);

/* The group of the training image nearest to `rgb` (size×size×3 in [0,1])
 * in thumbnail space. */
int gs_emoji_reference_nearest_group(const GsEmojiReference *ref, const float *rgb, int size);
/* The group a free-text prompt asks for: that of the caption sharing the
 * most words with it (ties: the shorter caption); -1 when none shares one. */
int gs_emoji_reference_prompt_group(const GsEmojiReference *ref, const char *prompt);
/* Fraction of `count` images (one after the other) nearest to `group`. */
double gs_emoji_reference_adherence(const GsEmojiReference *ref, const float *images, int count, int size,
                                    int group);

/* Mean over all pairs of the root-mean-square difference (RGB in [0,1])
 * between the 8×8 colour thumbnails of `count` size×size images: variety of
 * colour and layout, not of pixel noise; 0 when all are the same. */
double gs_image_set_diversity(const float *images, int count, int size);
/* The same over the training images of one group: what the data holds. */
double gs_emoji_reference_group_diversity(const GsEmojiReference *ref, int group);

G_END_DECLS
