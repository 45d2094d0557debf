/* SD prompts: A1111 prompt weighting ("(word:1.3)", "[word]", escapes),
 * then CLIP's BPE tokenizer over each piece and the 75-token chunking, on
 * the tests' tiny vocabulary (CLIP's rules, few merges).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>

#include "fuzz-support.h"
#include "models/gs-prompt-weights.h"

static gs_clip_tokenizer *tok;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!tok) {
        char *error = NULL;
        if (gs_clip_tokenizer_load(GS_FUZZ_BPE_DIR, &tok, &error) != GS_OK)
            abort();
    }
    char *text = fuzz_string(data, size);
    gs_prompt_piece *pieces = NULL;
    int count = 0;
    char *error = NULL;
    if (gs_prompt_parse(text, &pieces, &count, &error) == GS_OK) {
        for (int i = 0; i < count; i++)
            if (!isfinite(pieces[i].weight))
                abort(); /* weights multiply the text encoder's output */
        gs_prompt_pieces_free(pieces, count);
    }
    free(error);
    error = NULL;
    gs_prompt_chunks *chunks = NULL;
    if (gs_prompt_encode(tok, text, 0, &chunks, &error) == GS_OK) {
        for (int i = 0; i < chunks->count * GS_PROMPT_CHUNK_IDS; i++)
            if (chunks->ids[i] < 0 || chunks->ids[i] >= gs_clip_tokenizer_vocab_size(tok) ||
                !isfinite(chunks->weights[i]))
                abort();
        gs_prompt_chunks_free(chunks);
    }
    free(error);
    free(text);
    return 0;
}
