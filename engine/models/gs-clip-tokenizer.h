/* CLIP's byte-level BPE tokenizer, as the SD 1.x and 2.x text encoders
 * expect it (tools/sd/clip_bpe.py is the reference; its comment lists the
 * steps and what is not done: ftfy's repairs).
 *
 * Vocabularies: a diffusers/transformers tokenizer folder (vocab.json +
 * merges.txt) or CLIP's bpe_simple_vocab_16e6.txt.gz format (a header line,
 * then merges; the vocabulary is the 256 byte symbols, the same with
 * "</w>", one token per merge, <|startoftext|>, <|endoftext|>). Merges must
 * be well formed — each side a token made before that line, each result
 * new — as in CLIP's own file; anything else is refused.
 *
 * A tokenizer may be shared between threads (its word cache has a lock).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "genstudio-engine.h"

typedef struct gs_clip_tokenizer gs_clip_tokenizer;

/* Longest prompt accepted, in bytes of UTF-8. */
#define GS_CLIP_MAX_PROMPT_BYTES 65536

/* `path`: a folder holding vocab.json + merges.txt (also looked for in its
 * tokenizer/ subfolder, as in a diffusers model folder) or
 * bpe_simple_vocab_16e6.txt.gz; or a .gz file in CLIP's format; or a
 * vocab.json with merges.txt beside it. On failure *out is NULL and *error
 * (if non-NULL) receives a malloc'd message; free() it. GS_ERR_IO when
 * nothing can be read, GS_ERR_FORMAT for broken content. */
gs_status gs_clip_tokenizer_load(const char *path, gs_clip_tokenizer **out, char **error);
void gs_clip_tokenizer_free(gs_clip_tokenizer *tok);

int gs_clip_tokenizer_vocab_size(const gs_clip_tokenizer *tok);
int32_t gs_clip_tokenizer_bos(const gs_clip_tokenizer *tok);
int32_t gs_clip_tokenizer_eos(const gs_clip_tokenizer *tok);
/* The id of "," at the end of a word (",</w>"), where A1111 may end a chunk. */
int32_t gs_clip_tokenizer_comma(const gs_clip_tokenizer *tok);

/* The ids of `text` without BOS/EOS, in a malloc'd array (*ids is NULL when
 * *count is 0); free() it. Text that is not UTF-8 or longer than
 * GS_CLIP_MAX_PROMPT_BYTES fails with GS_ERR_INVALID_ARGUMENT. A literal
 * "<|startoftext|>" or "<|endoftext|>" in the text gives that token, as in
 * CLIP. */
gs_status gs_clip_tokenizer_encode(gs_clip_tokenizer *tok, const char *text, int32_t **ids, int *count,
                                   char **error);
