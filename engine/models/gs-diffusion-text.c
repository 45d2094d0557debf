/* Prompt → conditioning. SD prompts follow AUTOMATIC1111: weights
 * ((word:1.3), (word), [word]) and BREAK, 75-token chunks encoded one by one
 * and concatenated along the sequence; each chunk's hidden state is scaled
 * per token by its weight and then rescaled to its original mean, as A1111
 * does. The project's own models take their word tokenizer's one chunk.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "gs-diffusion-private.h"
#include "gs-prompt-weights.h"
#include "vk/gs-vk-private.h"

/* 2,400 tokens: far past what any prompt means, and the UNet's cross
 * attention stays within what every device runs (keys per query). */
#define MAX_CHUNKS 32

typedef struct {
    int32_t *ids;    /* chunks × tokens */
    float *weights;  /* chunks × tokens */
    int chunks;
} prompt_tokens;

static gs_status
tokenize(gs_diffusion *m, const char *text, prompt_tokens *out)
{
    int tokens = m->cfg->text_tokens;
    if (m->words) {
        out->chunks = 1;
        out->ids = g_new(int32_t, tokens);
        out->weights = g_new(float, tokens);
        gs_tokenizer_encode(m->words, text, out->ids, tokens);
        for (int i = 0; i < tokens; i++)
            out->weights[i] = 1.0f;
        return GS_OK;
    }
    gs_prompt_chunks *chunks = NULL;
    char *error = NULL;
    gs_status st = gs_prompt_encode(m->bpe, text, m->pad_id, &chunks, &error);
    if (st != GS_OK) {
        gs_fail(m->ctx, st, "%s", error ? error : "cannot tokenize the prompt");
        free(error);
        return st;
    }
    if (tokens != GS_PROMPT_CHUNK_IDS || chunks->count > MAX_CHUNKS) {
        int count = chunks->count;
        gs_prompt_chunks_free(chunks);
        if (count > MAX_CHUNKS)
            return gs_fail(m->ctx, GS_ERR_INVALID_ARGUMENT, "the prompt is %d chunks of %d tokens long; at most %d",
                           count, GS_PROMPT_CHUNK_TOKENS, MAX_CHUNKS);
        return gs_fail(m->ctx, GS_ERR_UNSUPPORTED, "the text encoder takes %d tokens, SD prompts are cut in %d",
                       tokens, GS_PROMPT_CHUNK_IDS);
    }
    out->chunks = chunks->count;
    out->ids = g_memdup2(chunks->ids, sizeof(int32_t) * chunks->count * tokens);
    out->weights = g_memdup2(chunks->weights, sizeof(float) * chunks->count * tokens);
    gs_prompt_chunks_free(chunks);
    return GS_OK;
}

gs_status
gs_diffusion_encode_prompts(gs_diffusion *m, const char *const *prompts, int count, int clip_skip, gs_tensor **out)
{
    const gs_sd_config *c = m->cfg;
    int tokens = c->text_tokens, width = c->text_width, chunks = 1;
    prompt_tokens *tok = g_new0(prompt_tokens, count);
    gs_status st = GS_OK;
    for (int i = 0; i < count && st == GS_OK; i++) {
        st = tokenize(m, prompts[i], &tok[i]);
        if (st == GS_OK && tok[i].chunks > chunks)
            chunks = tok[i].chunks;
    }
    /* Shorter prompts are padded with chunks of an empty prompt, so that
     * guidance compares sequences of one length. */
    prompt_tokens empty = { 0 };
    if (st == GS_OK)
        st = tokenize(m, "", &empty);
    int rows = count * chunks;
    int32_t *ids = g_new(int32_t, (size_t)rows * tokens);
    float *weights = g_new(float, (size_t)rows * tokens);
    for (int i = 0; st == GS_OK && i < count; i++)
        for (int k = 0; k < chunks; k++) {
            const prompt_tokens *src = k < tok[i].chunks ? &tok[i] : &empty;
            int from = k < tok[i].chunks ? k : 0;
            memcpy(ids + ((size_t)i * chunks + k) * tokens, src->ids + (size_t)from * tokens, tokens * sizeof *ids);
            memcpy(weights + ((size_t)i * chunks + k) * tokens, src->weights + (size_t)from * tokens,
                   tokens * sizeof *weights);
        }

    int skip = clip_skip > 0 ? clip_skip : c->text_skip;
    skip = skip - c->text_cut > 1 ? skip - c->text_cut : 1;
    gs_tensor *hidden = NULL, *context = NULL;
    if (st == GS_OK) {
        gs_graph g;
        gs_graph_init(&g, m->ctx, m->stream);
        while (gs_graph_pass(&g)) {
            hidden = gs_text_encoder_forward(&g, m->weights, c, ids, rows, skip);
            if (hidden)
                gs_graph_keep(&g, hidden);
        }
        st = gs_graph_finish(&g);
    }
    /* [count·chunks, tokens, width] is [count, chunks·tokens, width] in memory. */
    size_t n = (size_t)rows * tokens * width;
    float *host = st == GS_OK ? g_try_new(float, n) : NULL;
    if (st == GS_OK && !host)
        st = gs_fail(m->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory encoding the prompt");
    if (st == GS_OK)
        st = gs_tensor_download(hidden, host, (int64_t)n);
    if (st == GS_OK) {
        for (int r = 0; r < rows; r++)
            gs_prompt_apply_weights(host + (size_t)r * tokens * width, weights + (size_t)r * tokens, tokens, width);
        int64_t shape[3] = { count, (int64_t)chunks * tokens, width };
        context = gs_tensor_new(m->ctx, GS_F32, 3, shape);
        st = context ? gs_tensor_upload(context, host, (int64_t)n) : gs_last_status(m->ctx);
    }
    /* SD's text encoder is only needed once per generation: give its memory
     * to the UNet. */
    if (c->latent)
        gs_weights_unload(m->weights, GS_TEXT_PREFIX);
    gs_tensor_free(hidden);
    g_free(host);
    g_free(ids);
    g_free(weights);
    for (int i = 0; i < count; i++) {
        g_free(tok[i].ids);
        g_free(tok[i].weights);
    }
    g_free(tok);
    g_free(empty.ids);
    g_free(empty.weights);
    if (st != GS_OK) {
        gs_tensor_free(context);
        return st;
    }
    *out = context;
    return GS_OK;
}
