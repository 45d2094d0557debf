/* The GenStudio word tokenizer: the first line up to a NUL byte is the
 * prompt, the rest a vocabulary (genstudio.vocab: one word a line), as a
 * crafted model file would give it.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "fuzz-support.h"
#include "models/gs-tokenizer.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    size_t prompt_len = strlen(text);
    const char *vocab = prompt_len < size ? text + prompt_len + 1 : "<pad>\n<bos>\n<eos>\n<unk>\nred\napple\n";
    gs_tokenizer *tok = gs_tokenizer_new(vocab);
    if (tok) {
        int32_t ids[77];
        if (gs_tokenizer_encode(tok, text, ids, 77) < 0) /* the words that did not fit */
            abort();
        for (int i = 0; i < 77; i++)
            if (ids[i] < 0 || ids[i] >= gs_tokenizer_vocab_size(tok))
                abort();
        gs_tokenizer_free(tok);
    }
    free(text);
    return 0;
}
