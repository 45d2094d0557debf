/* Refusals by what a file is, and the single-file and diffusers layouts
 * mapped onto canonical names.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gs-sd-loader-private.h"
#include "io/gs-json.h"
#include "vk/gs-vk-private.h"

/* ---- refusals by what a file is -------------------------------------------- */

static const char *const pickle_extensions[] = { ".ckpt", ".pt", ".pth", ".bin", ".pkl", ".pickle" };

gs_status
gs_sd_refuse_pickle(const char *path, char **error)
{
    return gs_set_error(error, GS_ERR_UNSUPPORTED,
                "%s is a pickle checkpoint (PyTorch .ckpt/.pt/.bin): convert it to safetensors; GenStudio never "
                "unpickles (a pickle can run any code when loaded)", path);
}

bool
gs_sd_looks_like_pickle(const char *path)
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

bool
gs_sd_any_name(const gs_safetensors *st, const char *needle)
{
    for (int i = 0; i < gs_safetensors_count(st); i++)
        if (strstr(gs_safetensors_name(st, i), needle))
            return true;
    return false;
}

/* Known kinds GenStudio does not run, named so the user knows what they have. */
gs_status
gs_sd_refuse_known_kinds(const gs_safetensors *st, const char *path, char **error)
{
    if (gs_sd_any_name(st, "conditioner.embedders.") || gs_sd_any_name(st, "label_emb.0.0.weight") ||
        gs_sd_any_name(st, "add_embedding.linear_1"))
        return gs_set_error(error, GS_ERR_UNSUPPORTED,
                    "%s is an SDXL checkpoint (two text encoders, size conditioning): not supported yet; GenStudio "
                    "runs SD 1.x, SD 2.x and SD-Turbo", path);
    if (gs_sd_any_name(st, "joint_blocks.") || (gs_sd_any_name(st, "context_embedder.") && gs_sd_any_name(st, "x_embedder.")))
        return gs_set_error(error, GS_ERR_UNSUPPORTED, "%s is a Stable Diffusion 3 (MMDiT) model: not supported", path);
    if (gs_sd_any_name(st, "double_blocks.") || gs_sd_any_name(st, "single_transformer_blocks."))
        return gs_set_error(error, GS_ERR_UNSUPPORTED, "%s is a Flux model: not supported", path);
    if (gs_sd_any_name(st, "lora_down") || gs_sd_any_name(st, "lora_up") || gs_sd_any_name(st, "lora_A.") || gs_sd_any_name(st, "lora_unet_") ||
        gs_sd_any_name(st, "lora_te"))
        return gs_set_error(error, GS_ERR_UNSUPPORTED,
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

void
gs_sd_map_single_file(gs_tensor_map *m, const gs_safetensors *st)
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
    if (!json_parser_load_from_file(*parser, path, NULL) || !json_parser_get_root(*parser) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(*parser)))
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
            return gs_sd_refuse_pickle(p, error);
        }
    return gs_set_error(error, GS_ERR_FORMAT, "the diffusers folder %s has no %s/%s", dir, part, files[0]);
}


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
        gint64 all = gs_json_integer(n, 0);
        if (all > 0 && all <= 1024)
            for (int l = 0; l < GS_SD_MAX_LEVELS; l++)
                side->unet_heads[l] = (int)all;
        else if (n && JSON_NODE_HOLDS_ARRAY(n))
            for (guint l = 0; l < json_array_get_length(json_node_get_array(n)) && l < GS_SD_MAX_LEVELS; l++) {
                gint64 heads = gs_json_integer(json_array_get_element(json_node_get_array(n), l), 0);
                side->unet_heads[l] = heads > 0 && heads <= 1024 ? (int)heads : 0;
            }
    }
    g_object_unref(parser);

    g_autofree char *text_cfg = g_build_filename(dir, "text_encoder", "config.json", NULL);
    o = read_json_object(text_cfg, &parser);
    gint64 text_heads = o ? gs_json_integer(json_object_get_member(o, "num_attention_heads"), 0) : 0;
    if (text_heads > 0 && text_heads <= 1024)
        side->text_heads = (int)text_heads;
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
        st = gs_set_error(error, GS_ERR_UNSUPPORTED, "%s is an SDXL pipeline (%s): not supported yet; GenStudio runs SD 1.x, "
                  "SD 2.x and SD-Turbo", dir, cls);
    else if (strstr(cls, "StableDiffusion3"))
        st = gs_set_error(error, GS_ERR_UNSUPPORTED, "%s is a Stable Diffusion 3 pipeline: not supported", dir);
    else if (strstr(cls, "Flux"))
        st = gs_set_error(error, GS_ERR_UNSUPPORTED, "%s is a Flux pipeline: not supported", dir);
    g_object_unref(parser);
    return st;
}

gs_status
gs_sd_map_diffusers(gs_tensor_map *m, const char *dir, char **tokenizer_dir, side_info *side, char **error)
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
    if ((st = gs_sd_refuse_known_kinds(unet, dir, error)) != GS_OK)
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
        up_attention[i] = gs_sd_any_name(unet, probe);
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
