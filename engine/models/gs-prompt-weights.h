/* AUTOMATIC1111's prompt syntax and chunking (tools/sd/prompt_weights.py is
 * the reference; its comment describes the syntax and the one deviation):
 * (text) ×1.1, [text] ÷1.1, (text:1.3), nesting multiplies, \( \) \[ \] \\
 * escapes, BREAK; tokens in chunks of 75, each chunk BOS + 75 + EOS = 77 ids
 * with a weight per id (1 at BOS, EOS and padding).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "gs-clip-tokenizer.h"

#define GS_PROMPT_CHUNK_TOKENS 75
#define GS_PROMPT_CHUNK_IDS 77
/* A chunk full of tokens ends after its last comma instead when that comma
 * is at most this many tokens from the end (A1111's comma_padding_backtrack
 * default). */
#define GS_PROMPT_COMMA_BACKTRACK 20
/* Larger weights (after nesting) are refused. */
#define GS_PROMPT_MAX_WEIGHT 1e4

/* One piece of prompt text with its weight. BREAK is the piece "BREAK" with
 * weight -1 (as in A1111, and only that exact weight ends a chunk). */
typedef struct {
    char *text;
    double weight;
} gs_prompt_piece;

/* The weighted pieces of `text`, neighbours of equal weight joined; at
 * least one (an empty prompt gives ("", 1)). Free with
 * gs_prompt_pieces_free. Fails (GS_ERR_INVALID_ARGUMENT) on text that is not
 * UTF-8 or is longer than GS_CLIP_MAX_PROMPT_BYTES. */
gs_status gs_prompt_parse(const char *text, gs_prompt_piece **pieces, int *count, char **error);
void gs_prompt_pieces_free(gs_prompt_piece *pieces, int count);

typedef struct {
    int count;       /* chunks, ≥ 1 */
    int32_t *ids;    /* count × GS_PROMPT_CHUNK_IDS */
    float *weights;  /* count × GS_PROMPT_CHUNK_IDS */
} gs_prompt_chunks;

/* Parses, tokenizes each piece on its own and cuts chunks. `pad_id`: the id
 * after a chunk's text — SD 1 pads with EOS (gs_clip_tokenizer_eos), SD 2
 * with 0; like A1111, when it differs from EOS every id after the chunk's
 * first EOS becomes `pad_id`. Free with gs_prompt_chunks_free. */
gs_status gs_prompt_encode(gs_clip_tokenizer *tok, const char *text, int32_t pad_id, gs_prompt_chunks **out,
                           char **error);
void gs_prompt_chunks_free(gs_prompt_chunks *chunks);

/* A1111's weighting of one chunk's text-encoder output `hidden`
 * [tokens, width] (host floats): each token's row times its weight, then
 * everything times (mean before / mean after) so the overall mean is kept.
 * When the mean after is 0 the rescaling is skipped. */
void gs_prompt_apply_weights(float *hidden, const float *weights, int tokens, int width);
