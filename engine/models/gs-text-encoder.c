/* CLIP-style text encoder: token + position embeddings, pre-LayerNorm
 * transformer layers with a causal mask, final LayerNorm — after the last
 * layer or, with clip skip, an earlier one (SD 2 uses the penultimate).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "gs-sd-model.h"
#include "vk/gs-vk-private.h"

static gs_tensor *
embed_tokens(gs_graph *g, gs_weights *w, const gs_sd_config *cfg, const int32_t *ids, int batch)
{
    const char *name = GS_TEXT_PREFIX "embeddings.token_embedding.weight";
    const gs_tensor_ref *table = gs_tensor_map_find(gs_weights_map(w), name);
    int64_t width = cfg->text_width, tokens = cfg->text_tokens;
    if (!table || table->ndim != 2 || table->shape[1] != width || table->shape[0] != cfg->vocab_size) {
        gs_graph_fail(g, gs_fail(g->ctx, GS_ERR_FORMAT, "the model lacks %s of shape [%d, %lld]", name,
                                 cfg->vocab_size, (long long)width));
        return NULL;
    }
    float *rows = malloc((size_t)(batch * tokens * width) * sizeof *rows);
    bool ok = rows != NULL;
    for (int64_t i = 0; ok && i < batch * tokens; i++)
        ok = ids[i] >= 0 && ids[i] < cfg->vocab_size &&
             gs_safetensors_read_range(table->file, table->index, (table->first_row + ids[i]) * width, width,
                                       rows + i * width) == GS_OK;
    int64_t shape[3] = { batch, tokens, width };
    gs_tensor *x = ok ? gs_graph_tensor(g, 3, shape) : NULL;
    if (x)
        gs_graph_fail(g, gs_tensor_upload(x, rows, batch * tokens * width));
    else if (!ok)
        gs_graph_fail(g, gs_fail(g->ctx, GS_ERR_FORMAT, "cannot read token embeddings of %s", name));
    free(rows);
    return x;
}

gs_tensor *
gs_text_encoder_forward(gs_graph *g, gs_weights *w, const gs_sd_config *cfg, const int32_t *ids, int batch,
                        int skip)
{
    gs_tensor *x = embed_tokens(g, w, cfg, ids, batch);
    gs_graph_add_into(g, x, gs_weights_vector(w, g, GS_TEXT_PREFIX "embeddings.position_embedding.weight"));

    int layers = cfg->text_layers - (skip > 1 ? skip - 1 : 0);
    for (int l = 0; l < layers; l++) {
#define LAYER(name) GS_TEXT_PREFIX "encoder.layers.%d." name, l
        gs_tensor *h = gs_graph_layer_norm(g, x, gs_weights_vector(w, g, LAYER("layer_norm1.weight")),
                                           gs_weights_vector(w, g, LAYER("layer_norm1.bias")), cfg->text_eps);
        gs_tensor *q = gs_graph_linear(g, h, gs_weights_linear(w, g, LAYER("self_attn.q_proj.weight")),
                                       gs_weights_vector(w, g, LAYER("self_attn.q_proj.bias")));
        gs_tensor *k = gs_graph_linear(g, h, gs_weights_linear(w, g, LAYER("self_attn.k_proj.weight")),
                                       gs_weights_vector(w, g, LAYER("self_attn.k_proj.bias")));
        gs_tensor *v = gs_graph_linear(g, h, gs_weights_linear(w, g, LAYER("self_attn.v_proj.weight")),
                                       gs_weights_vector(w, g, LAYER("self_attn.v_proj.bias")));
        gs_tensor *a = gs_graph_attention(g, q, k, v, cfg->text_heads, true);
        gs_graph_add_into(g, x,
                          gs_graph_linear(g, a, gs_weights_linear(w, g, LAYER("self_attn.out_proj.weight")),
                                          gs_weights_vector(w, g, LAYER("self_attn.out_proj.bias"))));

        h = gs_graph_layer_norm(g, x, gs_weights_vector(w, g, LAYER("layer_norm2.weight")),
                                gs_weights_vector(w, g, LAYER("layer_norm2.bias")), cfg->text_eps);
        h = gs_graph_linear(g, h, gs_weights_linear(w, g, LAYER("mlp.fc1.weight")),
                            gs_weights_vector(w, g, LAYER("mlp.fc1.bias")));
        h = cfg->text_quick_gelu ? gs_graph_quick_gelu(g, h) : gs_graph_gelu(g, h);
        gs_graph_add_into(g, x,
                          gs_graph_linear(g, h, gs_weights_linear(w, g, LAYER("mlp.fc2.weight")),
                                          gs_weights_vector(w, g, LAYER("mlp.fc2.bias"))));
#undef LAYER
    }
    return gs_graph_layer_norm(g, x, gs_weights_vector(w, g, GS_TEXT_PREFIX "final_layer_norm.weight"),
                               gs_weights_vector(w, g, GS_TEXT_PREFIX "final_layer_norm.bias"), cfg->text_eps);
}
