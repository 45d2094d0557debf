/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "gs-image-params.h"

void
gs_image_params_init(GsImageParams *p)
{
    gs_image_params engine = gs_image_default_params();
    *p = (GsImageParams){
        .prompt = g_strdup(""),
        .negative_prompt = g_strdup(""),
        .steps = engine.steps,
        .cfg_scale = engine.cfg_scale,
        .seed = engine.seed,
        .sampler = engine.sampler,
        .model = g_strdup(""),
    };
}

void
gs_image_params_clear(GsImageParams *p)
{
    g_clear_pointer(&p->prompt, g_free);
    g_clear_pointer(&p->negative_prompt, g_free);
    g_clear_pointer(&p->model, g_free);
    g_clear_pointer(&p->upscale, g_free);
}

void
gs_image_params_copy(const GsImageParams *src, GsImageParams *dst)
{
    *dst = *src;
    dst->prompt = g_strdup(src->prompt);
    dst->negative_prompt = g_strdup(src->negative_prompt);
    dst->model = g_strdup(src->model);
    dst->upscale = g_strdup(src->upscale);
}

char *
gs_upscale_entry(int scale, const char *variant)
{
    return g_strdup_printf("Upscale: %dx ESRGAN-%s", scale, variant);
}

void
gs_image_params_add_upscale(GsImageParams *p, const char *entry)
{
    char *joined = p->upscale ? g_strdup_printf("%s, %s", p->upscale, entry) : g_strdup(entry);
    g_free(p->upscale);
    p->upscale = joined;
}

char *
gs_parameters_append_entry(const char *parameters, const char *entry)
{
    if (!parameters || !*parameters)
        return NULL;
    g_autofree char *trimmed = g_strdup(parameters);
    g_strchomp(trimmed);
    const char *last = strrchr(trimmed, '\n');
    last = last ? last + 1 : trimmed;
    /* Only a prompt, no settings line: the entry starts one. */
    if (!strstr(last, "Steps: ") && !strstr(last, "Size: ") && !strstr(last, "Upscale: "))
        return g_strdup_printf("%s\n%s", trimmed, entry);
    return g_strdup_printf("%s, %s", trimmed, entry);
}

void
gs_image_params_free(GsImageParams *p)
{
    gs_image_params_clear(p);
    g_free(p);
}

/* A1111 writes numbers without trailing zeros: "CFG scale: 7" or "7.5". */
static char *
format_number(double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    return g_strdup(g_ascii_formatd(buf, sizeof buf, "%g", v));
}

char *
gs_image_params_to_text(const GsImageParams *p)
{
    g_autofree char *cfg = format_number(p->cfg_scale);
    GString *s = g_string_new(p->prompt);
    g_string_append_printf(s, "\nNegative prompt: %s\n", p->negative_prompt ? p->negative_prompt : "");
    g_string_append_printf(s, "Steps: %d, Sampler: %s, CFG scale: %s, Seed: %" G_GUINT64_FORMAT ", Size: %dx%d",
                           p->steps, gs_sampler_display_name(p->sampler, p->karras), cfg, p->seed, p->width,
                           p->height);
    if (p->model && *p->model)
        g_string_append_printf(s, ", Model: %s", p->model);
    if (p->strength > 0) {
        g_autofree char *strength = format_number(p->strength);
        g_string_append_printf(s, ", Denoising strength: %s", strength);
    }
    if (p->variation_strength > 0) {
        g_autofree char *strength = format_number(p->variation_strength);
        g_string_append_printf(s, ", Variation seed: %" G_GUINT64_FORMAT ", Variation seed strength: %s",
                               p->variation_seed, strength);
    }
    if (p->clip_skip > 0)
        g_string_append_printf(s, ", Clip skip: %d", p->clip_skip);
    if (p->prediction != GS_PREDICTION_AUTO)
        g_string_append_printf(s, ", Prediction: %s", p->prediction == GS_PREDICTION_V ? "v" : "eps");
    g_autofree char *text = g_string_free(s, FALSE);
    if (p->upscale && *p->upscale)
        return gs_parameters_append_entry(text, p->upscale);
    return g_steal_pointer(&text);
}

static gboolean
parse_sampler(const char *display, GsImageParams *p)
{
    for (int s = GS_SAMPLER_EULER_A; s <= GS_SAMPLER_LCM; s++)
        for (int karras = 0; karras < 2; karras++)
            if (g_str_equal(display, gs_sampler_display_name((gs_sampler)s, karras))) {
                p->sampler = (gs_sampler)s;
                p->karras = karras;
                return TRUE;
            }
    return FALSE;
}

/* "Key: value, Key: value" — values here never contain ", ". */
static gboolean
parse_settings(const char *line, GsImageParams *p, GError **error)
{
    g_auto(GStrv) fields = g_strsplit(line, ", ", -1);
    gboolean saw_steps = FALSE;
    for (int i = 0; fields[i]; i++) {
        const char *colon = strstr(fields[i], ": ");
        if (!colon)
            continue;
        g_autofree char *key = g_strndup(fields[i], (gsize)(colon - fields[i]));
        const char *value = colon + 2;
        if (g_str_equal(key, "Steps")) {
            p->steps = (int)g_ascii_strtoll(value, NULL, 10);
            saw_steps = TRUE;
        } else if (g_str_equal(key, "Sampler")) {
            parse_sampler(value, p);
        } else if (g_str_equal(key, "CFG scale")) {
            p->cfg_scale = g_ascii_strtod(value, NULL);
        } else if (g_str_equal(key, "Seed")) {
            p->seed = g_ascii_strtoull(value, NULL, 10);
        } else if (g_str_equal(key, "Size")) {
            sscanf(value, "%dx%d", &p->width, &p->height);
        } else if (g_str_equal(key, "Model")) {
            g_free(p->model);
            p->model = g_strdup(value);
        } else if (g_str_equal(key, "Denoising strength")) {
            p->strength = g_ascii_strtod(value, NULL);
        } else if (g_str_equal(key, "Variation seed")) {
            p->variation_seed = g_ascii_strtoull(value, NULL, 10);
        } else if (g_str_equal(key, "Variation seed strength")) {
            p->variation_strength = CLAMP(g_ascii_strtod(value, NULL), 0.0, 1.0);
        } else if (g_str_equal(key, "Clip skip")) {
            p->clip_skip = CLAMP((int)g_ascii_strtoll(value, NULL, 10), 0, 12);
        } else if (g_str_equal(key, "Prediction")) {
            p->prediction = g_str_equal(value, "v") ? GS_PREDICTION_V : GS_PREDICTION_EPS;
        } else if (g_str_equal(key, "Upscale")) {
            gs_image_params_add_upscale(p, fields[i]);
        }
    }
    if (!saw_steps)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The parameters lack a \"Steps:\" line");
    return saw_steps;
}

gboolean
gs_image_params_parse(const char *text, GsImageParams *p, GError **error)
{
    if (!g_utf8_validate(text, -1, NULL)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The parameters are not valid UTF-8");
        return FALSE;
    }
    /* The last line holds the settings, an optional "Negative prompt:" line
     * precedes it, and everything before is the (possibly multi-line) prompt. */
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    int n = (int)g_strv_length(lines);
    while (n > 0 && *lines[n - 1] == '\0')
        n--;
    if (n < 2 || !parse_settings(lines[n - 1], p, error)) {
        if (error && !*error)
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Not AUTOMATIC1111-style parameters");
        return FALSE;
    }
    int prompt_end = n - 1;
    g_free(p->negative_prompt);
    if (g_str_has_prefix(lines[n - 2], "Negative prompt:")) {
        p->negative_prompt = g_strdup(g_strstrip(lines[n - 2] + strlen("Negative prompt:")));
        prompt_end = n - 2;
    } else {
        p->negative_prompt = g_strdup("");
    }
    GString *prompt = g_string_new(NULL);
    for (int i = 0; i < prompt_end; i++)
        g_string_append_printf(prompt, "%s%s", i ? "\n" : "", lines[i]);
    g_free(p->prompt);
    p->prompt = g_string_free(prompt, FALSE);
    return TRUE;
}
