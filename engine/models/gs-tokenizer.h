/* Word-level tokenizer of the project's own models: lower-cased runs of
 * ASCII letters and digits are words; every other byte separates them.
 * Sequence: <bos>, up to max−2 word ids (<unk> for unknown words), <eos>,
 * then <eos> padding to max — the CLIP layout SD's text encoders expect.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

typedef struct gs_tokenizer gs_tokenizer;

enum { GS_TOKEN_PAD = 0, GS_TOKEN_BOS = 1, GS_TOKEN_EOS = 2, GS_TOKEN_UNK = 3 };

/* `vocab`: one word per line, line number = id. NULL when empty. */
gs_tokenizer *gs_tokenizer_new(const char *vocab);
void gs_tokenizer_free(gs_tokenizer *tok);
int gs_tokenizer_vocab_size(const gs_tokenizer *tok);
/* Writes exactly `max` ids; returns how many prompt words were dropped
 * because the sequence was full. */
int gs_tokenizer_encode(const gs_tokenizer *tok, const char *text, int32_t *ids, int max);
