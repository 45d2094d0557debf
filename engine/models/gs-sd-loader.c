/* Opening a diffusion model: families as data, side information from
 * metadata and config files, and the entry point over the layouts.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gs-sd-loader-private.h"
#include "gs-tokenizer.h"
#include "io/gs-json.h"
#include "vk/gs-vk-private.h"

/* What each SD family fixes that shapes cannot tell. */
typedef struct {
    gs_model_family family;
    const char *name;
    bool linear_proj;     /* how the family is recognised: SD 2 projects with Linear layers */
    int unet_heads;       /* a fixed head count (SD 1) … */
    int unet_head_dim;    /* … or a fixed head width (SD 2) */
    bool text_quick_gelu;
    int text_skip;        /* the default clip skip; diffusers SD 2 folders ship that layer already cut */
    bool pad_with_eos;
    int size;
} sd_family;

static const sd_family sd_families[] = {
    { GS_FAMILY_SD1, "SD 1.x", false, 8, 0, true, 1, true, 512 },
    { GS_FAMILY_SD2, "SD 2.x", true, 0, 64, false, 2, false, 512 },
};

/* ---- side information from the files themselves ---------------------------- */

/* A head count stated in genstudio.sd_arch, 0 when absent or impossible. */
static int
arch_count(JsonObject *o, const char *key)
{
    gint64 v = gs_json_integer(json_object_get_member(o, key), 0);
    return v > 0 && v <= 4096 ? (int)v : 0;
}

static void
read_metadata(const gs_tensor_map *m, const char *path, side_info *side, gs_model_info *info)
{
    const char *keys[] = { "modelspec.prediction_type", "prediction_type" };
    for (int i = 0; i < 2; i++) {
        const char *v = gs_tensor_map_metadata(m, keys[i]);
        if (v && (g_str_equal(v, "v") || g_str_equal(v, "v_prediction")))
            side->prediction = GS_PREDICTION_V;
        else if (v && (g_str_equal(v, "epsilon") || g_str_equal(v, "eps")))
            side->prediction = GS_PREDICTION_EPS;
    }
    /* ldm's config beside the file, as A1111 reads it ("parameterization: v"). */
    g_autofree char *stem = g_str_has_suffix(path, ".safetensors") ? g_strndup(path, strlen(path) - 12) : g_strdup(path);
    g_autofree char *yaml_path = g_strconcat(stem, ".yaml", NULL), *yaml = NULL;
    if (g_file_get_contents(yaml_path, &yaml, NULL, NULL) && strstr(yaml, "parameterization:")) {
        const char *v = strstr(yaml, "parameterization:") + strlen("parameterization:");
        while (*v == ' ' || *v == '"' || *v == '\'')
            v++;
        side->prediction = *v == 'v' ? GS_PREDICTION_V : GS_PREDICTION_EPS;
    }
    /* SD-Turbo has SD 2.1's shapes: its name says what it is ("sd_turbo"). */
    const char *spec = gs_tensor_map_metadata(m, "modelspec.architecture");
    g_autofree char *base = g_path_get_basename(path), *lower = g_ascii_strdown(base, -1);
    side->turbo = side->turbo || (spec && strstr(spec, "turbo")) || strstr(lower, "turbo");
    /* Downsized test checkpoints state what real families fix. */
    const char *arch = gs_tensor_map_metadata(m, "genstudio.sd_arch");
    JsonParser *parser = json_parser_new();
    if (arch && json_parser_load_from_data(parser, arch, -1, NULL) &&
        json_parser_get_root(parser) && JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        JsonObject *o = json_node_get_object(json_parser_get_root(parser));
        side->text_heads = arch_count(o, "text_heads");
        side->unet_num_heads = arch_count(o, "unet_num_heads");
        side->unet_head_channels = arch_count(o, "unet_head_channels");
    }
    g_object_unref(parser);
    const char *licences[] = { "modelspec.license", "license", "licence" };
    for (int i = 0; i < 3 && !info->licence[0]; i++) {
        const char *v = gs_tensor_map_metadata(m, licences[i]);
        if (v)
            g_strlcpy(info->licence, v, sizeof info->licence);
    }
}

static uint64_t
size_on_disk(const char *path)
{
    GStatBuf sb;
    if (g_stat(path, &sb) != 0)
        return 0;
    if (!S_ISDIR(sb.st_mode))
        return (uint64_t)sb.st_size;
    uint64_t total = 0;
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *entry;
    while (d && (entry = g_dir_read_name(d))) {
        g_autofree char *child = g_build_filename(path, entry, NULL);
        total += size_on_disk(child);
    }
    return total;
}

static const char *
dtype_name(const gs_tensor_map *m)
{
    const gs_tensor_ref *r = gs_tensor_map_find(m, UNET "input_blocks.0.0.weight");
    if (!r)
        return "?";
    switch (gs_safetensors_dtype(r->file, r->index)) {
    case GS_ST_F32: return "f32";
    case GS_ST_F16: return "f16";
    case GS_ST_BF16: return "bf16";
    default: return "other";
    }
}

/* ---- the project's own models ------------------------------------------------ */

/* The tensors at the ends of the UNet and the text encoder, and the
 * vocabulary, against the config: so that a probe (models add, the model
 * chooser) refuses what a load would, without reading any weights. */
static gs_status
check_genstudio(const gs_sd_source *out, const char *path, char **error)
{
    const gs_sd_config *c = &out->cfg;
    const char *text = "cond_stage_model.transformer.text_model.";
    const struct {
        const char *prefix, *name;
        int ndim;
        int64_t dims[4];
    } expected[] = {
        { "model.diffusion_model.", "time_embed.0.weight", 2, { 4 * c->model_channels, c->model_channels } },
        { "model.diffusion_model.", "input_blocks.0.0.weight", 4, { c->model_channels, c->in_channels, 3, 3 } },
        { "model.diffusion_model.", "out.2.weight", 4, { c->out_channels, c->model_channels, 3, 3 } },
        { text, "embeddings.token_embedding.weight", 2, { c->vocab_size, c->text_width } },
        { text, "embeddings.position_embedding.weight", 2, { c->text_tokens, c->text_width } },
        { text, "final_layer_norm.bias", 1, { c->text_width } },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        g_autofree char *name = g_strconcat(expected[i].prefix, expected[i].name, NULL);
        const gs_tensor_ref *r = gs_tensor_map_find(out->map, name);
        if (!r)
            return gs_set_error(error, GS_ERR_FORMAT, "%s: the model has no tensor \"%s\"", path, name);
        bool same = r->ndim == expected[i].ndim;
        for (int d = 0; same && d < r->ndim; d++)
            same = r->shape[d] == expected[i].dims[d];
        gs_st_dtype dtype = gs_safetensors_dtype(r->file, r->index);
        if (!same || (dtype != GS_ST_F32 && dtype != GS_ST_F16 && dtype != GS_ST_BF16))
            return gs_set_error(error, GS_ERR_FORMAT, "%s: tensor \"%s\" does not have the shape and float dtype "
                                "its genstudio.config implies", path, name);
    }
    gs_tokenizer *words = gs_tokenizer_new(gs_tensor_map_metadata(out->map, "genstudio.vocab"));
    int words_held = words ? gs_tokenizer_vocab_size(words) : 0;
    gs_tokenizer_free(words);
    if (words_held != c->vocab_size)
        return gs_set_error(error, GS_ERR_FORMAT, "%s: its genstudio.vocab holds %d words, its config says %d", path,
                            words_held, c->vocab_size);
    return GS_OK;
}

static gs_status
open_genstudio(gs_safetensors *st, const char *config, gs_sd_source *out, const char *path, char **error)
{
    /* gs_sd_config_parse reports through a context; parse into a scratch one. */
    gs_context scratch = { 0 };
    gs_tensor_map_own(out->map, st);
    if (gs_sd_config_parse(&scratch, config, &out->cfg) != GS_OK)
        return gs_set_error(error, GS_ERR_FORMAT, "%s", scratch.error);
    gs_tensor_map_add_file(out->map, st, NULL);
    gs_status status = check_genstudio(out, path, error);
    if (status != GS_OK)
        return status;
    gs_model_info *info = &out->info;
    info->family = GS_FAMILY_GENSTUDIO;
    g_strlcpy(info->family_name, "GenStudio", sizeof info->family_name);
    g_strlcpy(info->layout, "genstudio", sizeof info->layout);
    info->prediction = out->cfg.v_prediction ? GS_PREDICTION_V : GS_PREDICTION_EPS;
    info->prediction_from_file = true;
    info->default_width = info->default_height = out->cfg.image_size;
    /* Plain Euler at 10 steps is as adherent as Euler a at 20 and as clean
     * (engine/README.md, "The default sampler"). */
    info->default_sampler = GS_SAMPLER_EULER;
    info->default_steps = 10;
    info->default_cfg = 5.0f;
    return GS_OK;
}

/* ---- entry point ----------------------------------------------------------------- */

static gs_status
open_layout(const char *path, gs_sd_source *out, side_info *side, char **error)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_autofree char *index = g_build_filename(path, "model_index.json", NULL);
        g_autofree char *unet = g_build_filename(path, "unet", NULL);
        if (!g_file_test(index, G_FILE_TEST_EXISTS) && !g_file_test(unet, G_FILE_TEST_IS_DIR))
            return gs_set_error(error, GS_ERR_FORMAT, "%s is a folder but not a diffusers model (no model_index.json)", path);
        g_strlcpy(out->info.layout, "diffusers", sizeof out->info.layout);
        return gs_sd_map_diffusers(out->map, path, &out->tokenizer_dir, side, error);
    }
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return gs_set_error(error, GS_ERR_IO, "%s does not exist", path);
    if (gs_sd_looks_like_pickle(path))
        return gs_sd_refuse_pickle(path, error);
    gs_safetensors *st = NULL;
    gs_status status = gs_safetensors_open(path, &st, error);
    if (status != GS_OK)
        return status;
    const char *config = gs_safetensors_metadata(st, "genstudio.config");
    if (config)
        return open_genstudio(st, config, out, path, error);
    gs_tensor_map_own(out->map, st);
    if ((status = gs_sd_refuse_known_kinds(st, path, error)) != GS_OK)
        return status;
    if (gs_safetensors_find(st, "conv_in.weight") >= 0 && gs_sd_any_name(st, "down_blocks."))
        return gs_set_error(error, GS_ERR_FORMAT, "%s is a diffusers UNet on its own: add the whole diffusers folder "
                    "(with model_index.json, unet/, vae/, text_encoder/, tokenizer/)", path);
    g_strlcpy(out->info.layout, "single-file", sizeof out->info.layout);
    gs_sd_map_single_file(out->map, st);
    return GS_OK;
}

static void
fill_sd_info(gs_sd_source *out, const sd_family *fam, const side_info *side, gs_prediction override)
{
    gs_sd_config *c = &out->cfg;
    gs_model_info *info = &out->info;
    info->family = fam->family;
    info->turbo = side->turbo && fam->family == GS_FAMILY_SD2;
    g_strlcpy(info->family_name, info->turbo ? "SD-Turbo" : fam->name, sizeof info->family_name);
    info->inpainting = c->in_channels == 2 * c->out_channels + 1;
    info->prediction_from_file = side->prediction != GS_PREDICTION_AUTO;
    info->prediction = override != GS_PREDICTION_AUTO ? override
                       : side->prediction != GS_PREDICTION_AUTO ? side->prediction : GS_PREDICTION_EPS;
    c->v_prediction = info->prediction == GS_PREDICTION_V;
    info->needs_tokenizer = out->tokenizer_dir == NULL;
    /* SD 2's v models are the 768² ones. */
    info->default_width = info->default_height = c->v_prediction && fam->family == GS_FAMILY_SD2 ? 768 : fam->size;
    info->default_steps = info->turbo ? 1 : 20;
    info->default_cfg = info->turbo ? 1.0f : 7.0f;
    info->default_sampler = GS_SAMPLER_EULER_A;
    c->train_timesteps = 1000;
    c->beta_start = 0.00085f;
    c->beta_end = 0.012f;
    c->scaled_linear = true;
    c->bpe = true;
}

gs_status
gs_sd_source_open(const char *path, gs_prediction prediction, gs_sd_source *out, char **error)
{
    memset(out, 0, sizeof *out);
    if (error)
        *error = NULL;
    out->map = gs_tensor_map_new();
    side_info side = { .text_quick_gelu = -1 };
    gs_status st = open_layout(path, out, &side, error);
    if (st == GS_OK && out->info.family == GS_FAMILY_GENSTUDIO && g_str_equal(out->info.layout, "genstudio")) {
        out->info.size_bytes = size_on_disk(path);
        return GS_OK;
    }
    gs_sd_config *c = &out->cfg;
    if (st == GS_OK)
        read_metadata(out->map, path, &side, &out->info);
    if (st == GS_OK)
        st = gs_sd_detect_unet(out->map, c, error);
    if (st == GS_OK)
        st = gs_sd_detect_text(out->map, c, error);
    const sd_family *fam = &sd_families[0];
    for (size_t i = 0; i < G_N_ELEMENTS(sd_families); i++)
        if (sd_families[i].linear_proj == c->linear_proj)
            fam = &sd_families[i];
    if (st == GS_OK && c->context_dim != c->text_width)
        st = gs_set_error(error, GS_ERR_FORMAT, "%s: the UNet attends to %d-wide text, the text encoder makes %d", path,
                  c->context_dim, c->text_width);
    if (st == GS_OK)
        st = gs_sd_check_tensors(out->map, c, path, error);
    if (st != GS_OK) {
        gs_sd_source_clear(out);
        return st;
    }

    for (int l = 0; l < c->levels; l++) {
        int ch = c->model_channels * c->channel_mult[l];
        int heads = side.unet_heads[l]       ? side.unet_heads[l]
                    : side.unet_num_heads     ? side.unet_num_heads
                    : side.unet_head_channels ? ch / side.unet_head_channels
                    : fam->unet_heads         ? fam->unet_heads
                                              : ch / fam->unet_head_dim;
        c->heads[l] = heads > 0 && ch % heads == 0 ? heads : 1;
        c->head_channels = ch / c->heads[l];
    }
    c->text_heads = side.text_heads > 0 ? side.text_heads : c->text_width / 64 > 0 ? c->text_width / 64 : 1;
    c->text_quick_gelu = side.text_quick_gelu >= 0 ? side.text_quick_gelu : fam->text_quick_gelu;
    /* diffusers SD 2 folders already dropped the last layer. */
    c->text_skip = fam->text_skip;
    c->text_cut = g_str_equal(out->info.layout, "diffusers") ? fam->text_skip - 1 : 0;
    c->pad_id = -1; /* filled from the tokenizer: EOS or 0 */
    if (!fam->pad_with_eos)
        c->pad_id = 0;
    fill_sd_info(out, fam, &side, prediction);
    g_strlcpy(out->info.weight_dtype, dtype_name(out->map), sizeof out->info.weight_dtype);
    out->info.size_bytes = size_on_disk(path);
    if (c->text_width % c->text_heads)
        return gs_sd_source_clear(out), gs_set_error(error, GS_ERR_FORMAT, "%s: text width %d does not split into %d heads",
                                             path, c->text_width, c->text_heads);
    return GS_OK;
}

void
gs_sd_source_clear(gs_sd_source *src)
{
    gs_tensor_map_free(src->map);
    g_free(src->tokenizer_dir);
    src->map = NULL;
    src->tokenizer_dir = NULL;
}
