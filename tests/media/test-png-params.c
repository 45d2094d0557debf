/* PNG save/load with text chunks, and the A1111 `parameters` text.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <string.h>

#include "gs-image-params.h"
#include "gs-png.h"

static void
test_params_roundtrip(void)
{
    GsImageParams p;
    gs_image_params_init(&p);
    g_free(p.prompt);
    p.prompt = g_strdup("red apple, fruit\nsecond line");
    g_free(p.negative_prompt);
    p.negative_prompt = g_strdup("blurry");
    p.steps = 25;
    p.cfg_scale = 7.5;
    p.seed = 18446744073709551615ull;
    p.sampler = GS_SAMPLER_DPMPP_2M;
    p.karras = TRUE;
    p.width = p.height = 32;
    g_free(p.model);
    p.model = g_strdup("emoji32");
    g_autofree char *text = gs_image_params_to_text(&p);
    g_assert_cmpstr(text, ==,
                    "red apple, fruit\nsecond line\nNegative prompt: blurry\n"
                    "Steps: 25, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 18446744073709551615, "
                    "Size: 32x32, Model: emoji32");

    GsImageParams q;
    gs_image_params_init(&q);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_image_params_parse(text, &q, &error));
    g_assert_cmpstr(q.prompt, ==, p.prompt);
    g_assert_cmpstr(q.negative_prompt, ==, "blurry");
    g_assert_cmpint(q.steps, ==, 25);
    g_assert_cmpfloat(q.cfg_scale, ==, 7.5);
    g_assert_true(q.seed == p.seed);
    g_assert_cmpint(q.sampler, ==, GS_SAMPLER_DPMPP_2M);
    g_assert_true(q.karras);
    g_assert_cmpint(q.width, ==, 32);
    g_assert_cmpstr(q.model, ==, "emoji32");
    gs_image_params_clear(&q);
    gs_image_params_clear(&p);
}

static void
test_params_from_a1111(void)
{
    /* As AUTOMATIC1111 writes it, without a negative prompt. */
    const char *text = "a cat\nSteps: 30, Sampler: Euler, CFG scale: 7, Seed: 1234, Size: 512x512, "
                       "Model hash: abc, Model: v1-5";
    GsImageParams p;
    gs_image_params_init(&p);
    g_assert_true(gs_image_params_parse(text, &p, NULL));
    g_assert_cmpstr(p.prompt, ==, "a cat");
    g_assert_cmpstr(p.negative_prompt, ==, "");
    g_assert_cmpint(p.sampler, ==, GS_SAMPLER_EULER);
    g_assert_cmpint(p.width, ==, 512);

    g_autoptr(GError) error = NULL;
    g_assert_false(gs_image_params_parse("just a caption", &p, &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
    g_assert_false(gs_image_params_parse("bad \xff utf8\nSteps: 3", &p, &error));
    g_assert_nonnull(strstr(error->message, "UTF-8"));
    gs_image_params_clear(&p);
}

static void
test_png(void)
{
    g_autofree char *dir = g_dir_make_tmp("gs-png-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "out.png", NULL);
    float rgb[4 * 3 * 3];
    for (int i = 0; i < 36; i++)
        rgb[i] = (float)i / 35.0f;
    GsPngText texts[] = { { "parameters", "red apple\nSteps: 20" }, { "Comment", "ünïcode" } };
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_png_save(path, rgb, 4, 3, texts, 2, &error));

    int w, h;
    g_autofree float *back = gs_png_load(path, &w, &h, &error);
    g_assert_no_error(error);
    g_assert_cmpint(w, ==, 4);
    g_assert_cmpint(h, ==, 3);
    for (int i = 0; i < 36; i++)
        g_assert_cmpfloat_with_epsilon(back[i], rgb[i], 0.5f / 255.0f + 1e-6f);
    g_autofree char *params = gs_png_read_text(path, "parameters", &error);
    g_assert_cmpstr(params, ==, "red apple\nSteps: 20");
    g_autofree char *comment = gs_png_read_text(path, "Comment", &error);
    g_assert_cmpstr(comment, ==, "ünïcode");

    /* A truncated PNG is an error with a message, not a crash. */
    g_autofree char *data = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_autofree char *cut = g_build_filename(dir, "cut.png", NULL);
    g_assert_true(g_file_set_contents(cut, data, (gssize)len / 2, NULL));
    g_assert_null(gs_png_load(cut, &w, &h, &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
    /* The file ends inside a text chunk that claims 1.9 GB (found by
     * fuzz-png): refused before libpng allocates it. */
    gsize end = 8;
    while (end + 8 <= len && memcmp(data + end + 4, "IEND", 4) != 0)
        end += 12 + ((guint32)(guchar)data[end] << 24 | (guint32)(guchar)data[end + 1] << 16 |
                     (guint32)(guchar)data[end + 2] << 8 | (guchar)data[end + 3]);
    g_assert_cmpuint(end + 12, ==, len);
    g_autofree char *claims = g_malloc(end + 10);
    memcpy(claims, data, end);
    memcpy(claims + end, "\x73\x00\x00\xf9tEXtpa", 10);
    g_assert_true(g_file_set_contents(cut, claims, (gssize)end + 10, NULL));
    g_assert_null(gs_png_read_text(cut, "parameters", &error));
    g_assert_nonnull(strstr(error->message, "over the limit"));
    g_clear_error(&error);
    g_assert_null(gs_png_load(cut, &w, &h, &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
    g_assert_true(g_file_set_contents(cut, "not a png at all", -1, NULL));
    g_assert_null(gs_png_load(cut, &w, &h, &error));
    g_assert_nonnull(strstr(error->message, "not a PNG"));
    g_clear_error(&error);

    /* An unwritable destination fails cleanly and leaves no temp file. */
    g_assert_false(gs_png_save("/nonexistent-dir/x.png", rgb, 4, 3, NULL, 0, &error));
    g_assert_nonnull(error);

    g_unlink(path);
    g_unlink(cut);
    g_rmdir(dir);
}

static void
test_resize(void)
{
    float src[4 * 4];
    for (int i = 0; i < 16; i++)
        src[i] = (float)i;
    g_autofree float *half = gs_image_resize(src, 4, 4, 1, 2, 2);
    g_assert_cmpfloat(half[0], ==, (0 + 1 + 4 + 5) / 4.0f);
    g_assert_cmpfloat(half[3], ==, (10 + 11 + 14 + 15) / 4.0f);
    g_autofree float *up = gs_image_resize(src, 4, 4, 1, 8, 8);
    g_assert_cmpfloat(up[0], ==, 0);
    g_assert_cmpfloat(up[63], ==, 15);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/params/roundtrip", test_params_roundtrip);
    g_test_add_func("/params/a1111", test_params_from_a1111);
    g_test_add_func("/png/roundtrip", test_png);
    g_test_add_func("/png/resize", test_resize);
    return g_test_run();
}
