/* The word-level tokenizer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-test.h"
#include "models/gs-tokenizer.h"

int
main(void)
{
    gs_tokenizer *tok = gs_tokenizer_new("<pad>\n<bos>\n<eos>\n<unk>\napple\nface\nred\nsmileys");
    GS_CHECK(tok && gs_tokenizer_vocab_size(tok) == 8);
    int32_t ids[8];
    GS_CHECK(gs_tokenizer_encode(tok, "Red APPLE, zebra!", ids, 8) == 0);
    int32_t want[8] = { 1, 6, 4, 3, 2, 2, 2, 2 };
    for (int i = 0; i < 8; i++)
        GS_CHECK(ids[i] == want[i]);

    /* Non-ASCII bytes separate words; invalid UTF-8 cannot break it. */
    GS_CHECK(gs_tokenizer_encode(tok, "red\xc3\xa9" "apple\xff\xfe" "face", ids, 8) == 0);
    int32_t want2[8] = { 1, 6, 4, 5, 2, 2, 2, 2 };
    for (int i = 0; i < 8; i++)
        GS_CHECK(ids[i] == want2[i]);

    /* Long prompts are cut, and the cut is reported. */
    GS_CHECK(gs_tokenizer_encode(tok, "red red red red red red red red", ids, 8) == 2);
    GS_CHECK(ids[0] == 1 && ids[6] == 6 && ids[7] == 2);
    GS_CHECK(gs_tokenizer_encode(tok, "", ids, 8) == 0 && ids[0] == 1 && ids[1] == 2);
    GS_CHECK(gs_tokenizer_new("") == NULL);
    gs_tokenizer_free(tok);
    return gs_test_failures != 0;
}
