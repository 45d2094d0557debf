/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gs-sd-loader.h"
#include "gs-sd-model.h"
#include "vk/gs-vk-private.h"

#define TEXT GS_TEXT_PREFIX
#define UNET GS_UNET_PREFIX
#define VAE GS_VAE_PREFIX
#define MISSING_LISTED 5

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

static gs_status
fail(char **error, gs_status status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static gs_status
fail(char **error, gs_status status, const char *fmt, ...)
{
    if (error) {
        va_list ap;
        va_start(ap, fmt);
        char *text = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        *error = strdup(text);
        g_free(text);
    }
    return status;
}

/* ---- refusals by what a file is -------------------------------------------- */

static const char *const pickle_extensions[] = { ".ckpt", ".pt", ".pth", ".bin", ".pkl", ".pickle" };

static gs_status
refuse_pickle(const char *path, char **error)
{
    return fail(error, GS_ERR_UNSUPPORTED,
                "%s is a pickle checkpoint (PyTorch .ckpt/.pt/.bin): convert it to safetensors; GenStudio never "
                "unpickles (a pickle can run any code when loaded)", path);
}

static bool
looks_like_pickle(const char *path)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pickle_extensions); i++)
        if (g_str_has_suffix(path, pickle_extensions[i]))
            return true;
    FILE *f = fopen(path, "rb");
    unsigned char magic[4] = { 0 };
    size_t n = f ? fread(magic, 1, sizeof magic, f) : 0;
    if (f)
        fclose(f);
    /* torch.save writes a zip archive; older ones a bare pickle (protocol 2+). */
    return (n == 4 && memcmp(magic, "PK\x03\x04", 4) == 0) || (n >= 2 && magic[0] == 0x80 && magic[1] <= 5);
}

static bool
any_name(const gs_safetensors *st, const char *needle)
{
    for (int i = 0; i < gs_safetensors_count(st); i++)
        if (strstr(gs_safetensors_name(st, i), needle))
            return true;
    return false;
}

/* Known kinds GenStudio does not run, named so the user knows what they have. */
static gs_status
refuse_known_kinds(const gs_safetensors *st, const char *path, char **error)
{
    if (any_name(st, "conditioner.embedders.") || any_name(st, "label_emb.0.0.weight") ||
        any_name(st, "add_embedding.linear_1"))
        return fail(error, GS_ERR_UNSUPPORTED,
                    "%s is an SDXL checkpoint (two text encoders, size conditioning): not supported yet; GenStudio "
                    "runs SD 1.x, SD 2.x and SD-Turbo", path);
    if (any_name(st, "joint_blocks.") || (any_name(st, "context_embedder.") && any_name(st, "x_embedder.")))
        return fail(error, GS_ERR_UNSUPPORTED, "%s is a Stable Diffusion 3 (MMDiT) model: not supported", path);
    if (any_name(st, "double_blocks.") || any_name(st, "single_transformer_blocks."))
        return fail(error, GS_ERR_UNSUPPORTED, "%s is a Flux model: not supported", path);
    if (any_name(st, "lora_down") || any_name(st, "lora_up") || any_name(st, "lora_A.") || any_name(st, "lora_unet_") ||
        any_name(st, "lora_te"))
        return fail(error, GS_ERR_UNSUPPORTED,
                    "%s holds only LoRA adapter weights (e.g. an LCM-LoRA), not a whole model: GenStudio runs full "
                    "checkpoints", path);
    return GS_OK;
}

/* ---- single-file layout ------------------------------------------------------ */

/* OpenCLIP (SD 2) names onto the HF CLIP names the graph uses; q, k and v
 * are row thirds of the fused in_proj. */
static void
map_open_clip(gs_tensor_map *m, const gs_safetensors *st)
{
    const char *prefix = "cond_stage_model.model.";
    for (int i = 0; i < gs_safetensors_count(st); i++) {
        const char *name = gs_safetensors_name(st, i);
        if (!g_str_has_prefix(name, prefix))
            continue;
        const char *rest = name + strlen(prefix);
        int layer;
        char tail[128];
        if (sscanf(rest, "transformer.resblocks.%d.%127s", &layer, tail) == 2) {
            g_autofree char *base = g_strdup_printf(TEXT "encoder.layers.%d.", layer);
            static const char *const renames[][2] = {
                { "ln_1.", "layer_norm1." }, { "ln_2.", "layer_norm2." }, { "attn.out_proj.", "self_attn.out_proj." },
                { "mlp.c_fc.", "mlp.fc1." }, { "mlp.c_proj.", "mlp.fc2." },
            };
            for (size_t r = 0; r < G_N_ELEMENTS(renames); r++) {
                if (g_str_has_prefix(tail, renames[r][0])) {
                    g_autofree char *to = g_strconcat(base, renames[r][1], tail + strlen(renames[r][0]), NULL);
                    gs_tensor_map_add(m, to, st, i);
                }
            }
            bool weight = g_str_equal(tail, "attn.in_proj_weight"), bias = g_str_equal(tail, "attn.in_proj_bias");
            if (weight || bias) {
                int64_t third = gs_safetensors_dim(st, i, 0) / 3;
                static const char *const qkv[] = { "q", "k", "v" };
                for (int k = 0; k < 3; k++) {
                    g_autofree char *to = g_strdup_printf("%sself_attn.%s_proj.%s", base, qkv[k], weight ? "weight" : "bias");
                    gs_tensor_map_add_rows(m, to, st, i, k * third, third);
                }
            }
        } else if (g_str_equal(rest, "token_embedding.weight")) {
            gs_tensor_map_add(m, TEXT "embeddings.token_embedding.weight", st, i);
        } else if (g_str_equal(rest, "positional_embedding")) {
            gs_tensor_map_add(m, TEXT "embeddings.position_embedding.weight", st, i);
        } else if (g_str_has_prefix(rest, "ln_final.")) {
            g_autofree char *to = g_strconcat(TEXT "final_layer_norm.", rest + strlen("ln_final."), NULL);
            gs_tensor_map_add(m, to, st, i);
        }
    }
}

static void
map_single_file(gs_tensor_map *m, const gs_safetensors *st)
{
    for (int i = 0; i < gs_safetensors_count(st); i++) {
        const char *name = gs_safetensors_name(st, i);
        /* Early SD 1 files predate transformers' text_model level. */
        const char *old = "cond_stage_model.transformer.";
        if (g_str_has_prefix(name, old) && !g_str_has_prefix(name, TEXT)) {
            g_autofree char *to = g_strconcat(TEXT, name + strlen(old), NULL);
            gs_tensor_map_add(m, to, st, i);
        } else {
            gs_tensor_map_add(m, name, st, i);
        }
    }
    map_open_clip(m, st);
}

/* ---- diffusers layout ---------------------------------------------------------- */

static const char *
resnet_rename_unet(const char *part)
{
    static const char *const names[][2] = {
        { "norm1", "in_layers.0" }, { "conv1", "in_layers.2" }, { "time_emb_proj", "emb_layers.1" },
        { "norm2", "out_layers.0" }, { "conv2", "out_layers.3" }, { "conv_shortcut", "skip_connection" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (g_str_equal(part, names[i][0]))
            return names[i][1];
    return NULL;
}

/* "down_blocks.1.resnets.0.norm1.weight" → the ldm name; NULL if unknown.
 * r = resnets per down block (ldm's num_res_blocks). */
static char *
unet_name_from_diffusers(const char *name, int r, const bool *up_has_attention)
{
    int i, j;
    char part[64], rest[128];
    if (g_str_has_prefix(name, "conv_in."))
        return g_strconcat("input_blocks.0.0.", name + 8, NULL);
    if (g_str_has_prefix(name, "time_embedding.linear_1."))
        return g_strconcat("time_embed.0.", name + 24, NULL);
    if (g_str_has_prefix(name, "time_embedding.linear_2."))
        return g_strconcat("time_embed.2.", name + 24, NULL);
    if (g_str_has_prefix(name, "conv_norm_out."))
        return g_strconcat("out.0.", name + 14, NULL);
    if (g_str_has_prefix(name, "conv_out."))
        return g_strconcat("out.2.", name + 9, NULL);
    if (sscanf(name, "down_blocks.%d.resnets.%d.%63[^.].%127s", &i, &j, part, rest) == 4 && resnet_rename_unet(part))
        return g_strdup_printf("input_blocks.%d.0.%s.%s", 1 + i * (r + 1) + j, resnet_rename_unet(part), rest);
    if (sscanf(name, "down_blocks.%d.attentions.%d.%127s", &i, &j, rest) == 3)
        return g_strdup_printf("input_blocks.%d.1.%s", 1 + i * (r + 1) + j, rest);
    if (sscanf(name, "down_blocks.%d.downsamplers.0.conv.%127s", &i, rest) == 2)
        return g_strdup_printf("input_blocks.%d.0.op.%s", (i + 1) * (r + 1), rest);
    if (sscanf(name, "mid_block.resnets.%d.%63[^.].%127s", &j, part, rest) == 3 && resnet_rename_unet(part))
        return g_strdup_printf("middle_block.%d.%s.%s", j * 2, resnet_rename_unet(part), rest);
    if (sscanf(name, "mid_block.attentions.0.%127s", rest) == 1)
        return g_strdup_printf("middle_block.1.%s", rest);
    if (sscanf(name, "up_blocks.%d.resnets.%d.%63[^.].%127s", &i, &j, part, rest) == 4 && resnet_rename_unet(part))
        return g_strdup_printf("output_blocks.%d.0.%s.%s", i * (r + 1) + j, resnet_rename_unet(part), rest);
    if (sscanf(name, "up_blocks.%d.attentions.%d.%127s", &i, &j, rest) == 3)
        return g_strdup_printf("output_blocks.%d.1.%s", i * (r + 1) + j, rest);
    if (sscanf(name, "up_blocks.%d.upsamplers.0.conv.%127s", &i, rest) == 2 && i >= 0 && i < GS_SD_MAX_LEVELS)
        return g_strdup_printf("output_blocks.%d.%d.conv.%s", i * (r + 1) + r, up_has_attention[i] ? 2 : 1, rest);
    return NULL;
}

static char *
vae_block_rename(const char *rest)
{
    if (g_str_has_prefix(rest, "conv_shortcut."))
        return g_strconcat("nin_shortcut.", rest + 14, NULL);
    return g_strdup(rest);
}

static const char *
vae_attention_rename(const char *part)
{
    static const char *const names[][2] = {
        { "group_norm", "norm" }, { "to_q", "q" }, { "query", "q" }, { "to_k", "k" }, { "key", "k" },
        { "to_v", "v" }, { "value", "v" }, { "to_out.0", "proj_out" }, { "proj_attn", "proj_out" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (g_str_equal(part, names[i][0]))
            return names[i][1];
    return NULL;
}

/* levels = decoder up blocks: diffusers counts them from the bottom. */
static char *
vae_name_from_diffusers(const char *name, int levels)
{
    int i, j;
    char coder[8], rest[128];
    if (g_str_has_prefix(name, "quant_conv.") || g_str_has_prefix(name, "post_quant_conv."))
        return g_strdup(name);
    if (sscanf(name, "%7[^.].%127s", coder, rest) != 2 || (!g_str_equal(coder, "encoder") && !g_str_equal(coder, "decoder")))
        return NULL;
    const char *r = name + strlen(coder) + 1;
    if (g_str_has_prefix(r, "conv_in.") || g_str_has_prefix(r, "conv_out."))
        return g_strdup(name);
    if (g_str_has_prefix(r, "conv_norm_out."))
        return g_strconcat(coder, ".norm_out.", r + 14, NULL);
    if (sscanf(r, "down_blocks.%d.resnets.%d.%127s", &i, &j, rest) == 3) {
        g_autofree char *b = vae_block_rename(rest);
        return g_strdup_printf("%s.down.%d.block.%d.%s", coder, i, j, b);
    }
    if (sscanf(r, "down_blocks.%d.downsamplers.0.conv.%127s", &i, rest) == 2)
        return g_strdup_printf("%s.down.%d.downsample.conv.%s", coder, i, rest);
    if (sscanf(r, "up_blocks.%d.resnets.%d.%127s", &i, &j, rest) == 3) {
        g_autofree char *b = vae_block_rename(rest);
        return g_strdup_printf("%s.up.%d.block.%d.%s", coder, levels - 1 - i, j, b);
    }
    if (sscanf(r, "up_blocks.%d.upsamplers.0.conv.%127s", &i, rest) == 2)
        return g_strdup_printf("%s.up.%d.upsample.conv.%s", coder, levels - 1 - i, rest);
    if (sscanf(r, "mid_block.resnets.%d.%127s", &j, rest) == 2) {
        g_autofree char *b = vae_block_rename(rest);
        return g_strdup_printf("%s.mid.block_%d.%s", coder, j + 1, b);
    }
    if (g_str_has_prefix(r, "mid_block.attentions.0.")) {
        const char *a = r + strlen("mid_block.attentions.0.");
        const char *dot = strrchr(a, '.');
        if (!dot)
            return NULL;
        g_autofree char *p = g_strndup(a, (gsize)(dot - a));
        const char *to = vae_attention_rename(p);
        return to ? g_strdup_printf("%s.mid.attn_1.%s%s", coder, to, dot) : NULL;
    }
    return NULL;
}

static int
count_indexed(const gs_safetensors *st, const char *fmt_prefix)
{
    int n = 0;
    for (;; n++) {
        g_autofree char *prefix = g_strdup_printf(fmt_prefix, n);
        bool found = false;
        for (int i = 0; i < gs_safetensors_count(st) && !found; i++)
            found = g_str_has_prefix(gs_safetensors_name(st, i), prefix);
        if (!found)
            return n;
    }
}

static JsonObject *
read_json_object(const char *path, JsonParser **parser)
{
    *parser = json_parser_new();
    if (!json_parser_load_from_file(*parser, path, NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(*parser)))
        return NULL;
    return json_node_get_object(json_parser_get_root(*parser));
}

static gs_status
open_part(const char *dir, const char *part, const char *const *files, gs_safetensors **out, char **error)
{
    for (int i = 0; files[i]; i++) {
        g_autofree char *path = g_build_filename(dir, part, files[i], NULL);
        if (g_file_test(path, G_FILE_TEST_EXISTS))
            return gs_safetensors_open(path, out, error);
    }
    g_autofree char *folder = g_build_filename(dir, part, NULL);
    g_autoptr(GDir) d = g_dir_open(folder, 0, NULL);
    const char *entry;
    while (d && (entry = g_dir_read_name(d)))
        if (g_str_has_suffix(entry, ".bin") || g_str_has_suffix(entry, ".ckpt")) {
            g_autofree char *p = g_build_filename(folder, entry, NULL);
            return refuse_pickle(p, error);
        }
    return fail(error, GS_ERR_FORMAT, "the diffusers folder %s has no %s/%s", dir, part, files[0]);
}

/* Numbers from a diffusers config that shapes cannot tell. */
typedef struct {
    int unet_heads[GS_SD_MAX_LEVELS]; /* 0 = the family's rule */
    int unet_num_heads, unet_head_channels; /* downsized files: the rule they follow */
    int text_heads;
    int text_quick_gelu;              /* -1 unknown */
    gs_prediction prediction;
    bool turbo;
} side_info;

static void
read_diffusers_configs(const char *dir, side_info *side)
{
    JsonParser *parser;
    g_autofree char *unet_cfg = g_build_filename(dir, "unet", "config.json", NULL);
    JsonObject *o = read_json_object(unet_cfg, &parser);
    /* diffusers' attention_head_dim holds head counts for SD (a historical misnomer). */
    const char *keys[] = { "num_attention_heads", "attention_head_dim" };
    for (int k = 0; o && k < 2 && !side->unet_heads[0]; k++) {
        JsonNode *n = json_object_get_member(o, keys[k]);
        if (n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64)
            for (int l = 0; l < GS_SD_MAX_LEVELS; l++)
                side->unet_heads[l] = (int)json_node_get_int(n);
        else if (n && JSON_NODE_HOLDS_ARRAY(n))
            for (guint l = 0; l < json_array_get_length(json_node_get_array(n)) && l < GS_SD_MAX_LEVELS; l++)
                side->unet_heads[l] = (int)json_array_get_int_element(json_node_get_array(n), l);
    }
    g_object_unref(parser);

    g_autofree char *text_cfg = g_build_filename(dir, "text_encoder", "config.json", NULL);
    o = read_json_object(text_cfg, &parser);
    if (o && json_object_has_member(o, "num_attention_heads"))
        side->text_heads = (int)json_object_get_int_member(o, "num_attention_heads");
    if (o && json_object_has_member(o, "hidden_act"))
        side->text_quick_gelu = g_str_equal(json_object_get_string_member_with_default(o, "hidden_act", ""), "quick_gelu");
    g_object_unref(parser);

    g_autofree char *sched_cfg = g_build_filename(dir, "scheduler", "scheduler_config.json", NULL);
    o = read_json_object(sched_cfg, &parser);
    const char *pred = o ? json_object_get_string_member_with_default(o, "prediction_type", "") : "";
    if (g_str_equal(pred, "v_prediction") || g_str_equal(pred, "v"))
        side->prediction = GS_PREDICTION_V;
    else if (g_str_equal(pred, "epsilon"))
        side->prediction = GS_PREDICTION_EPS;
    if (o && json_object_has_member(o, "timestep_spacing") &&
        g_str_equal(json_object_get_string_member_with_default(o, "timestep_spacing", ""), "trailing"))
        side->turbo = side->turbo || FALSE; /* trailing spacing alone does not make a Turbo model */
    g_object_unref(parser);

    g_autofree char *index = g_build_filename(dir, "model_index.json", NULL);
    o = read_json_object(index, &parser);
    const char *name = o ? json_object_get_string_member_with_default(o, "_name_or_path", "") : "";
    side->turbo = side->turbo || strstr(name, "turbo") != NULL;
    g_object_unref(parser);
}

static gs_status
refuse_diffusers_kind(const char *dir, char **error)
{
    JsonParser *parser;
    g_autofree char *index = g_build_filename(dir, "model_index.json", NULL);
    JsonObject *o = read_json_object(index, &parser);
    const char *cls = o ? json_object_get_string_member_with_default(o, "_class_name", "") : "";
    gs_status st = GS_OK;
    if (strstr(cls, "XL"))
        st = fail(error, GS_ERR_UNSUPPORTED, "%s is an SDXL pipeline (%s): not supported yet; GenStudio runs SD 1.x, "
                  "SD 2.x and SD-Turbo", dir, cls);
    else if (strstr(cls, "StableDiffusion3"))
        st = fail(error, GS_ERR_UNSUPPORTED, "%s is a Stable Diffusion 3 pipeline: not supported", dir);
    else if (strstr(cls, "Flux"))
        st = fail(error, GS_ERR_UNSUPPORTED, "%s is a Flux pipeline: not supported", dir);
    g_object_unref(parser);
    return st;
}

static gs_status
map_diffusers(gs_tensor_map *m, const char *dir, char **tokenizer_dir, side_info *side, char **error)
{
    gs_status st = refuse_diffusers_kind(dir, error);
    if (st != GS_OK)
        return st;
    static const char *const unet_files[] = { "diffusion_pytorch_model.safetensors",
                                              "diffusion_pytorch_model.fp16.safetensors", NULL };
    static const char *const text_files[] = { "model.safetensors", "model.fp16.safetensors", NULL };
    gs_safetensors *unet = NULL, *vae = NULL, *text = NULL;
    if ((st = open_part(dir, "unet", unet_files, &unet, error)) != GS_OK)
        return st;
    gs_tensor_map_own(m, unet);
    if ((st = refuse_known_kinds(unet, dir, error)) != GS_OK)
        return st;
    if ((st = open_part(dir, "vae", unet_files, &vae, error)) != GS_OK)
        return st;
    gs_tensor_map_own(m, vae);
    if ((st = open_part(dir, "text_encoder", text_files, &text, error)) != GS_OK)
        return st;
    gs_tensor_map_own(m, text);

    int r = count_indexed(unet, "down_blocks.0.resnets.%d.");
    bool up_attention[GS_SD_MAX_LEVELS];
    for (int i = 0; i < GS_SD_MAX_LEVELS; i++) {
        g_autofree char *probe = g_strdup_printf("up_blocks.%d.attentions.", i);
        up_attention[i] = any_name(unet, probe);
    }
    for (int i = 0; i < gs_safetensors_count(unet); i++) {
        g_autofree char *to = unet_name_from_diffusers(gs_safetensors_name(unet, i), r, up_attention);
        g_autofree char *full = to ? g_strconcat(UNET, to, NULL) : NULL;
        if (full)
            gs_tensor_map_add(m, full, unet, i);
    }
    int levels = count_indexed(vae, "decoder.up_blocks.%d.");
    for (int i = 0; i < gs_safetensors_count(vae); i++) {
        g_autofree char *to = vae_name_from_diffusers(gs_safetensors_name(vae, i), levels);
        g_autofree char *full = to ? g_strconcat(VAE, to, NULL) : NULL;
        if (full)
            gs_tensor_map_add(m, full, vae, i);
    }
    gs_tensor_map_add_file(m, text, "cond_stage_model.transformer.");

    read_diffusers_configs(dir, side);
    g_autofree char *tok = g_build_filename(dir, "tokenizer", NULL);
    g_autofree char *vocab = g_build_filename(tok, "vocab.json", NULL);
    if (g_file_test(vocab, G_FILE_TEST_EXISTS))
        *tokenizer_dir = g_steal_pointer(&tok);
    return GS_OK;
}

/* ---- architecture from names and shapes -------------------------------------- */

static int64_t
dim(const gs_tensor_map *m, const char *name, int d)
{
    return gs_tensor_map_dim(m, name, d);
}

static bool
has(const gs_tensor_map *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Dim d of a formatted name, -1 when absent. */
static int64_t
dimf(const gs_tensor_map *m, int d, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int64_t
dimf(const gs_tensor_map *m, int d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *name = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return gs_tensor_map_dim(m, name, d);
}

static bool
has(const gs_tensor_map *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *name = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return gs_tensor_map_has(m, name);
}

static gs_status
detect_unet(const gs_tensor_map *m, gs_sd_config *c, char **error)
{
    const char *conv_in = UNET "input_blocks.0.0.weight";
    if (gs_tensor_map_ndim(m, conv_in) != 4)
        return fail(error, GS_ERR_FORMAT, "no Stable Diffusion UNet found (no %s)", conv_in);
    c->model_channels = (int)dim(m, conv_in, 0);
    c->in_channels = (int)dim(m, conv_in, 1);
    /* A missing output conv is reported with the other missing tensors. */
    c->out_channels = has(m, UNET "out.2.weight") ? (int)dim(m, UNET "out.2.weight", 0)
                      : c->in_channels == 9                ? 4
                                                           : c->in_channels;
    c->num_res_blocks = 0;
    while (c->num_res_blocks < 8 && !has(m, UNET "input_blocks.%d.0.op.weight", c->num_res_blocks + 1))
        c->num_res_blocks++;
    if (c->num_res_blocks < 1 || c->num_res_blocks > 4 || c->model_channels < 1)
        return fail(error, GS_ERR_FORMAT, "the UNet's input blocks do not follow the SD layout");
    int r = c->num_res_blocks;
    c->levels = 1;
    while (c->levels < GS_SD_MAX_LEVELS && has(m, UNET "input_blocks.%d.0.op.weight", c->levels * (r + 1)))
        c->levels++;
    int context_level = -1;
    for (int l = 0; l < c->levels; l++) {
        int block = 1 + l * (r + 1);
        int64_t ch = dimf(m, 0, UNET "input_blocks.%d.0.out_layers.3.weight", block);
        if (ch < 1 || ch % c->model_channels)
            return fail(error, GS_ERR_FORMAT, "the UNet's level %d has no usable ResBlock", l);
        c->channel_mult[l] = (int)(ch / c->model_channels);
        c->attention[l] = has(m, UNET "input_blocks.%d.1.norm.weight", block);
        if (c->attention[l] && context_level < 0)
            context_level = block;
    }
    if (context_level < 0)
        return fail(error, GS_ERR_FORMAT, "the UNet has no cross-attention: not a text-to-image SD model");
    g_autofree char *proj = g_strdup_printf(UNET "input_blocks.%d.1.proj_in.weight", context_level);
    g_autofree char *to_k = g_strdup_printf(UNET "input_blocks.%d.1.transformer_blocks.0.attn2.to_k.weight", context_level);
    c->context_dim = (int)dim(m, to_k, 1);
    c->linear_proj = gs_tensor_map_ndim(m, proj) == 2;
    c->image_size = 64; /* latent side at the family's size; overwritten per request */
    c->norm_groups = 32;
    c->resnet_eps = 1e-5f;
    c->transformer_norm_eps = 1e-6f;
    c->layer_norm_eps = 1e-5f;
    return GS_OK;
}

static gs_status
detect_text(const gs_tensor_map *m, gs_sd_config *c, char **error)
{
    const char *table = TEXT "embeddings.token_embedding.weight";
    if (gs_tensor_map_ndim(m, table) != 2)
        return fail(error, GS_ERR_FORMAT, "no CLIP text encoder found (no %s or OpenCLIP token_embedding)", table);
    c->vocab_size = (int)dim(m, table, 0);
    c->text_width = (int)dim(m, table, 1);
    c->text_tokens = (int)dim(m, TEXT "embeddings.position_embedding.weight", 0);
    c->text_layers = 0;
    while (c->text_layers < 64 && has(m, TEXT "encoder.layers.%d.layer_norm1.weight", c->text_layers))
        c->text_layers++;
    c->text_eps = 1e-5f;
    if (c->text_layers < 1 || c->text_tokens < 3 || c->text_tokens > 512)
        return fail(error, GS_ERR_FORMAT, "the text encoder has %d layers and %d positions", c->text_layers,
                    c->text_tokens);
    return GS_OK;
}

/* ---- every tensor the graphs will read, with its shape ----------------------- */

typedef struct {
    const gs_tensor_map *m;
    GPtrArray *missing;
    char *mismatch;
} checker;

/* A weight of shape (d0, d1, d2, d3) (trailing zeros = fewer dims);
 * linear-or-1×1 weights may come either way (trailing 1s ignored). */
static void
expect(checker *k, int64_t d0, int64_t d1, int64_t d2, int64_t d3, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
expect(checker *k, int64_t d0, int64_t d1, int64_t d2, int64_t d3, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *name = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    const gs_tensor_ref *r = gs_tensor_map_find(k->m, name);
    if (!r) {
        g_ptr_array_add(k->missing, name);
        return;
    }
    int64_t want[4] = { d0, d1, d2, d3 };
    int ndim = 0;
    while (ndim < 4 && want[ndim])
        ndim++;
    int have = r->ndim;
    while (have > ndim && r->shape[have - 1] == 1)
        have--;
    bool ok = have == ndim;
    for (int d = 0; ok && d < ndim; d++)
        ok = r->shape[d] == want[d];
    if (!ok && !k->mismatch) {
        GString *got = g_string_new("[");
        for (int d = 0; d < r->ndim; d++)
            g_string_append_printf(got, "%s%lld", d ? ", " : "", (long long)r->shape[d]);
        g_string_append(got, "]");
        k->mismatch = g_strdup_printf("%s has shape %s, expected [%lld%s%.0lld%s%.0lld%s%.0lld]", name, got->str,
                                      (long long)d0, d1 ? ", " : "", (long long)d1, d2 ? ", " : "", (long long)d2,
                                      d3 ? ", " : "", (long long)d3);
        g_string_free(got, TRUE);
    }
    g_free(name);
}

static void
expect_norm(checker *k, int64_t ch, const char *prefix)
{
    expect(k, ch, 0, 0, 0, "%sweight", prefix);
    expect(k, ch, 0, 0, 0, "%sbias", prefix);
}

static void
expect_conv(checker *k, int64_t out, int64_t in, int ksize, const char *prefix)
{
    expect(k, out, in, ksize, ksize, "%sweight", prefix);
    expect(k, out, 0, 0, 0, "%sbias", prefix);
}

static void
expect_linear(checker *k, int64_t out, int64_t in, bool bias, const char *prefix)
{
    expect(k, out, in, 0, 0, "%sweight", prefix);
    if (bias)
        expect(k, out, 0, 0, 0, "%sbias", prefix);
}

static void
expect_unet_res(checker *k, const gs_sd_config *c, const char *p, int64_t in, int64_t out)
{
    char q[200];
    snprintf(q, sizeof q, "%sin_layers.0.", p), expect_norm(k, in, q);
    snprintf(q, sizeof q, "%sin_layers.2.", p), expect_conv(k, out, in, 3, q);
    snprintf(q, sizeof q, "%semb_layers.1.", p), expect_linear(k, out, 4 * c->model_channels, true, q);
    snprintf(q, sizeof q, "%sout_layers.0.", p), expect_norm(k, out, q);
    snprintf(q, sizeof q, "%sout_layers.3.", p), expect_conv(k, out, out, 3, q);
    if (in != out)
        snprintf(q, sizeof q, "%sskip_connection.", p), expect_conv(k, out, in, 1, q);
}

static void
expect_transformer(checker *k, const gs_sd_config *c, const char *p, int64_t ch)
{
    char q[200];
    snprintf(q, sizeof q, "%snorm.", p), expect_norm(k, ch, q);
    snprintf(q, sizeof q, "%sproj_in.", p), expect_linear(k, ch, ch, true, q);
    snprintf(q, sizeof q, "%sproj_out.", p), expect_linear(k, ch, ch, true, q);
    const char *norms[] = { "norm1.", "norm2.", "norm3." };
    for (int i = 0; i < 3; i++)
        snprintf(q, sizeof q, "%stransformer_blocks.0.%s", p, norms[i]), expect_norm(k, ch, q);
    for (int a = 1; a <= 2; a++) {
        int64_t kv = a == 1 ? ch : c->context_dim;
        snprintf(q, sizeof q, "%stransformer_blocks.0.attn%d.to_q.", p, a), expect_linear(k, ch, ch, false, q);
        snprintf(q, sizeof q, "%stransformer_blocks.0.attn%d.to_k.", p, a), expect_linear(k, ch, kv, false, q);
        snprintf(q, sizeof q, "%stransformer_blocks.0.attn%d.to_v.", p, a), expect_linear(k, ch, kv, false, q);
        snprintf(q, sizeof q, "%stransformer_blocks.0.attn%d.to_out.0.", p, a), expect_linear(k, ch, ch, true, q);
    }
    snprintf(q, sizeof q, "%stransformer_blocks.0.ff.net.0.proj.", p), expect_linear(k, 8 * ch, ch, true, q);
    snprintf(q, sizeof q, "%stransformer_blocks.0.ff.net.2.", p), expect_linear(k, ch, 4 * ch, true, q);
}

/* Walks the UNet as gs_unet_forward does. */
static void
expect_unet(checker *k, const gs_sd_config *c)
{
    int64_t mc = c->model_channels, skips[32];
    int nskips = 0, block = 1, r = c->num_res_blocks;
    char p[160];
    expect_linear(k, 4 * mc, mc, true, UNET "time_embed.0.");
    expect_linear(k, 4 * mc, 4 * mc, true, UNET "time_embed.2.");
    expect_conv(k, mc, c->in_channels, 3, UNET "input_blocks.0.0.");
    int64_t ch = mc;
    skips[nskips++] = ch;
    for (int l = 0; l < c->levels; l++) {
        int64_t out = mc * c->channel_mult[l];
        for (int i = 0; i < r; i++, block++) {
            snprintf(p, sizeof p, UNET "input_blocks.%d.0.", block), expect_unet_res(k, c, p, ch, out);
            ch = out;
            if (c->attention[l])
                snprintf(p, sizeof p, UNET "input_blocks.%d.1.", block), expect_transformer(k, c, p, ch);
            skips[nskips++] = ch;
        }
        if (l != c->levels - 1) {
            snprintf(p, sizeof p, UNET "input_blocks.%d.0.op.", block++), expect_conv(k, ch, ch, 3, p);
            skips[nskips++] = ch;
        }
    }
    expect_unet_res(k, c, UNET "middle_block.0.", ch, ch);
    expect_transformer(k, c, UNET "middle_block.1.", ch);
    expect_unet_res(k, c, UNET "middle_block.2.", ch, ch);
    block = 0;
    for (int l = c->levels - 1; l >= 0; l--) {
        int64_t out = mc * c->channel_mult[l];
        for (int i = 0; i <= r; i++, block++) {
            int64_t in = ch + skips[--nskips];
            snprintf(p, sizeof p, UNET "output_blocks.%d.0.", block), expect_unet_res(k, c, p, in, out);
            ch = out;
            if (c->attention[l])
                snprintf(p, sizeof p, UNET "output_blocks.%d.1.", block), expect_transformer(k, c, p, ch);
            if (l > 0 && i == r)
                snprintf(p, sizeof p, UNET "output_blocks.%d.%d.conv.", block, c->attention[l] ? 2 : 1),
                    expect_conv(k, ch, ch, 3, p);
        }
    }
    expect_norm(k, mc, UNET "out.0.");
    expect_conv(k, c->out_channels, mc, 3, UNET "out.2.");
}

static void
expect_text(checker *k, const gs_sd_config *c)
{
    int64_t w = c->text_width;
    char p[160];
    expect(k, c->text_tokens, w, 0, 0, TEXT "embeddings.position_embedding.weight");
    for (int l = 0; l < c->text_layers; l++) {
        const char *lin[] = { "self_attn.q_proj.", "self_attn.k_proj.", "self_attn.v_proj.", "self_attn.out_proj." };
        for (int i = 0; i < 4; i++)
            snprintf(p, sizeof p, TEXT "encoder.layers.%d.%s", l, lin[i]), expect_linear(k, w, w, true, p);
        snprintf(p, sizeof p, TEXT "encoder.layers.%d.layer_norm1.", l), expect_norm(k, w, p);
        snprintf(p, sizeof p, TEXT "encoder.layers.%d.layer_norm2.", l), expect_norm(k, w, p);
        snprintf(p, sizeof p, TEXT "encoder.layers.%d.mlp.fc1.", l), expect_linear(k, 4 * w, w, true, p);
        snprintf(p, sizeof p, TEXT "encoder.layers.%d.mlp.fc2.", l), expect_linear(k, w, 4 * w, true, p);
    }
    expect_norm(k, w, TEXT "final_layer_norm.");
}

static void
expect_vae_block(checker *k, const char *p, int64_t in, int64_t out)
{
    char q[200];
    snprintf(q, sizeof q, "%snorm1.", p), expect_norm(k, in, q);
    snprintf(q, sizeof q, "%sconv1.", p), expect_conv(k, out, in, 3, q);
    snprintf(q, sizeof q, "%snorm2.", p), expect_norm(k, out, q);
    snprintf(q, sizeof q, "%sconv2.", p), expect_conv(k, out, out, 3, q);
    if (in != out)
        snprintf(q, sizeof q, "%snin_shortcut.", p), expect_conv(k, out, in, 1, q);
}

static void
expect_vae_mid(checker *k, const char *coder, int64_t ch)
{
    char p[160];
    snprintf(p, sizeof p, VAE "%s.mid.block_1.", coder), expect_vae_block(k, p, ch, ch);
    snprintf(p, sizeof p, VAE "%s.mid.block_2.", coder), expect_vae_block(k, p, ch, ch);
    snprintf(p, sizeof p, VAE "%s.mid.attn_1.norm.", coder), expect_norm(k, ch, p);
    const char *proj[] = { "q.", "k.", "v.", "proj_out." };
    for (int i = 0; i < 4; i++)
        snprintf(p, sizeof p, VAE "%s.mid.attn_1.%s", coder, proj[i]), expect_linear(k, ch, ch, true, p);
}

/* The VAE's shape from its names: ch, mult and blocks per level. */
static gs_status
detect_and_expect_vae(checker *k, gs_sd_config *c, char **error)
{
    const gs_tensor_map *m = k->m;
    const char *conv_in = VAE "encoder.conv_in.weight";
    if (gs_tensor_map_ndim(m, conv_in) != 4)
        return fail(error, GS_ERR_FORMAT, "no VAE found (no %s)", conv_in);
    int64_t ch = dim(m, conv_in, 0), mult[GS_SD_MAX_LEVELS];
    int levels = 0, r = 0;
    while (levels < GS_SD_MAX_LEVELS && has(m, VAE "encoder.down.%d.block.0.conv1.weight", levels))
        levels++;
    while (r < 8 && has(m, VAE "encoder.down.0.block.%d.conv1.weight", r))
        r++;
    for (int l = 0; l < levels; l++)
        mult[l] = dimf(m, 0, VAE "encoder.down.%d.block.0.conv1.weight", l) / ch;
    c->latent_channels = has(m, VAE "post_quant_conv.weight") ? (int)dim(m, VAE "post_quant_conv.weight", 0)
                                                                : c->out_channels;
    if (levels < 1 || r < 1 || c->latent_channels != c->out_channels ||
        (c->in_channels != c->out_channels && c->in_channels != 2 * c->out_channels + 1))
        return fail(error, GS_ERR_FORMAT, "the VAE's latent has %d channels, the UNet's output %d",
                    c->latent_channels, c->out_channels);
    int64_t z = c->latent_channels, in = ch;
    char p[160];
    expect_conv(k, ch, 3, 3, VAE "encoder.conv_in.");
    for (int l = 0; l < levels; l++) {
        for (int j = 0; j < r; j++) {
            snprintf(p, sizeof p, VAE "encoder.down.%d.block.%d.", l, j), expect_vae_block(k, p, in, ch * mult[l]);
            in = ch * mult[l];
        }
        if (l != levels - 1)
            snprintf(p, sizeof p, VAE "encoder.down.%d.downsample.conv.", l), expect_conv(k, in, in, 3, p);
    }
    expect_vae_mid(k, "encoder", in);
    expect_norm(k, in, VAE "encoder.norm_out.");
    expect_conv(k, 2 * z, in, 3, VAE "encoder.conv_out.");
    expect_conv(k, 2 * z, 2 * z, 1, VAE "quant_conv.");
    expect_conv(k, z, z, 1, VAE "post_quant_conv.");
    expect_conv(k, in, z, 3, VAE "decoder.conv_in.");
    expect_vae_mid(k, "decoder", in);
    for (int l = levels - 1; l >= 0; l--) {
        for (int j = 0; j <= r; j++) {
            snprintf(p, sizeof p, VAE "decoder.up.%d.block.%d.", l, j), expect_vae_block(k, p, in, ch * mult[l]);
            in = ch * mult[l];
        }
        if (l != 0)
            snprintf(p, sizeof p, VAE "decoder.up.%d.upsample.conv.", l), expect_conv(k, in, in, 3, p);
    }
    expect_norm(k, ch, VAE "decoder.norm_out.");
    expect_conv(k, 3, ch, 3, VAE "decoder.conv_out.");
    c->latent = true;
    c->latent_scale = 0.18215f;
    return GS_OK;
}

static gs_status
report_checks(checker *k, const char *path, char **error)
{
    if (k->missing->len) {
        GString *list = g_string_new(NULL);
        for (guint i = 0; i < k->missing->len && i < MISSING_LISTED; i++)
            g_string_append_printf(list, "%s%s", i ? ", " : "", (char *)g_ptr_array_index(k->missing, i));
        if (k->missing->len > MISSING_LISTED)
            g_string_append(list, ", …");
        gs_status st = fail(error, GS_ERR_FORMAT, "%s is missing %u tensor%s: %s", path, k->missing->len,
                            k->missing->len == 1 ? "" : "s", list->str);
        g_string_free(list, TRUE);
        return st;
    }
    if (k->mismatch)
        return fail(error, GS_ERR_FORMAT, "%s: shapes do not match the architecture: %s", path, k->mismatch);
    return GS_OK;
}

/* ---- side information from the files themselves ---------------------------- */

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
    const char *spec = gs_tensor_map_metadata(m, "modelspec.architecture");
    side->turbo = side->turbo || (spec && strstr(spec, "turbo"));
    /* Downsized test checkpoints state what real families fix. */
    const char *arch = gs_tensor_map_metadata(m, "genstudio.sd_arch");
    JsonParser *parser = json_parser_new();
    if (arch && json_parser_load_from_data(parser, arch, -1, NULL) &&
        JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        JsonObject *o = json_node_get_object(json_parser_get_root(parser));
        side->text_heads = (int)json_object_get_int_member_with_default(o, "text_heads", 0);
        side->unet_num_heads = (int)json_object_get_int_member_with_default(o, "unet_num_heads", 0);
        side->unet_head_channels = (int)json_object_get_int_member_with_default(o, "unet_head_channels", 0);
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

static gs_status
open_genstudio(gs_safetensors *st, const char *config, gs_sd_source *out, char **error)
{
    /* gs_sd_config_parse reports through a context; parse into a scratch one. */
    gs_context scratch = { 0 };
    if (gs_sd_config_parse(&scratch, config, &out->cfg) != GS_OK)
        return fail(error, GS_ERR_FORMAT, "%s", scratch.error);
    gs_tensor_map_own(out->map, st);
    gs_tensor_map_add_file(out->map, st, NULL);
    gs_model_info *info = &out->info;
    info->family = GS_FAMILY_GENSTUDIO;
    g_strlcpy(info->family_name, "GenStudio", sizeof info->family_name);
    g_strlcpy(info->layout, "genstudio", sizeof info->layout);
    info->prediction = out->cfg.v_prediction ? GS_PREDICTION_V : GS_PREDICTION_EPS;
    info->prediction_from_file = true;
    info->default_width = info->default_height = out->cfg.image_size;
    info->default_steps = 20;
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
            return fail(error, GS_ERR_FORMAT, "%s is a folder but not a diffusers model (no model_index.json)", path);
        g_strlcpy(out->info.layout, "diffusers", sizeof out->info.layout);
        return map_diffusers(out->map, path, &out->tokenizer_dir, side, error);
    }
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return fail(error, GS_ERR_IO, "%s does not exist", path);
    if (looks_like_pickle(path))
        return refuse_pickle(path, error);
    gs_safetensors *st = NULL;
    gs_status status = gs_safetensors_open(path, &st, error);
    if (status != GS_OK)
        return status;
    const char *config = gs_safetensors_metadata(st, "genstudio.config");
    if (config)
        return open_genstudio(st, config, out, error);
    gs_tensor_map_own(out->map, st);
    if ((status = refuse_known_kinds(st, path, error)) != GS_OK)
        return status;
    if (gs_safetensors_find(st, "conv_in.weight") >= 0 && any_name(st, "down_blocks."))
        return fail(error, GS_ERR_FORMAT, "%s is a diffusers UNet on its own: add the whole diffusers folder "
                    "(with model_index.json, unet/, vae/, text_encoder/, tokenizer/)", path);
    g_strlcpy(out->info.layout, "single-file", sizeof out->info.layout);
    map_single_file(out->map, st);
    return GS_OK;
}

static void
fill_sd_info(gs_sd_source *out, const sd_family *fam, const side_info *side, gs_prediction override)
{
    gs_sd_config *c = &out->cfg;
    gs_model_info *info = &out->info;
    info->family = fam->family;
    info->turbo = side->turbo;
    g_strlcpy(info->family_name, side->turbo ? "SD-Turbo" : fam->name, sizeof info->family_name);
    info->inpainting = c->in_channels == 2 * c->out_channels + 1;
    info->prediction_from_file = side->prediction != GS_PREDICTION_AUTO;
    info->prediction = override != GS_PREDICTION_AUTO ? override
                       : side->prediction != GS_PREDICTION_AUTO ? side->prediction : GS_PREDICTION_EPS;
    c->v_prediction = info->prediction == GS_PREDICTION_V;
    info->needs_tokenizer = out->tokenizer_dir == NULL;
    /* SD 2's v models are the 768² ones. */
    info->default_width = info->default_height = c->v_prediction && fam->family == GS_FAMILY_SD2 ? 768 : fam->size;
    info->default_steps = side->turbo ? 1 : 20;
    info->default_cfg = side->turbo ? 1.0f : 7.0f;
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
        st = detect_unet(out->map, c, error);
    if (st == GS_OK)
        st = detect_text(out->map, c, error);
    const sd_family *fam = &sd_families[0];
    for (size_t i = 0; i < G_N_ELEMENTS(sd_families); i++)
        if (sd_families[i].linear_proj == c->linear_proj)
            fam = &sd_families[i];
    if (st == GS_OK && c->context_dim != c->text_width)
        st = fail(error, GS_ERR_FORMAT, "%s: the UNet attends to %d-wide text, the text encoder makes %d", path,
                  c->context_dim, c->text_width);
    checker k = { out->map, g_ptr_array_new_with_free_func(g_free), NULL };
    if (st == GS_OK) {
        expect_unet(&k, c);
        expect_text(&k, c);
        st = detect_and_expect_vae(&k, c, error);
    }
    if (st == GS_OK)
        st = report_checks(&k, path, error);
    g_ptr_array_unref(k.missing);
    g_free(k.mismatch);
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
        return gs_sd_source_clear(out), fail(error, GS_ERR_FORMAT, "%s: text width %d does not split into %d heads",
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
