/* gs_weights against a plain-C transposition: Linear weights from f16 files
 * (uploaded as stored), from f32 files (through floats), as a run of rows of
 * a fused tensor, padded; conv kernels (taps-major where the device takes
 * the implicit-GEMM conv) and biases. Exact: every value is a
 * half, which both paths carry without rounding.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "gs-test.h"
#include "models/gs-weights.h"

#define ROWS 37 /* neither a multiple of the 32-wide transpose tiles nor of the padding */
#define COLS 45
#define FUSED_ROWS 60
#define BIAS_PAD 40 /* ROWS rounded up to GS_WEIGHTS_PAD */

static float lin[ROWS * COLS], fused[FUSED_ROWS * COLS], conv[5 * 3 * 3 * 3], bias[ROWS];
static float conv_wide[8 * 12 * 3 * 3]; /* channels in and out multiples of 4: taps-major on CPU drivers */

static void
append_halves(GByteArray *data, const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint16_t h = gs_float_to_half(v[i]);
        g_byte_array_append(data, (const guint8 *)&h, 2);
    }
}

/* A safetensors file of lin (f16 and f32), fused (f16), conv (f16), bias
 * (f32) and conv_wide (f16 and f32); one odd byte first, so that the f16
 * tensors start at odd offsets. */
static char *
write_model(const char *dir)
{
    gs_test_random(lin, G_N_ELEMENTS(lin), 1, -2, 2);
    gs_test_random(fused, G_N_ELEMENTS(fused), 2, -2, 2);
    gs_test_random(conv, G_N_ELEMENTS(conv), 3, -2, 2);
    gs_test_random(bias, G_N_ELEMENTS(bias), 4, -2, 2);
    gs_test_random(conv_wide, G_N_ELEMENTS(conv_wide), 5, -2, 2);
    for (size_t i = 0; i < G_N_ELEMENTS(conv_wide); i++)
        conv_wide[i] = gs_half_to_float(gs_float_to_half(conv_wide[i]));
    /* Values a half holds exactly: the f32 copy must match the f16 one. */
    for (size_t i = 0; i < G_N_ELEMENTS(lin); i++)
        lin[i] = gs_half_to_float(gs_float_to_half(lin[i]));
    GByteArray *data = g_byte_array_new();
    g_byte_array_append(data, (const guint8 *)"\0", 1);
    size_t at[8];
    at[0] = data->len;
    append_halves(data, lin, G_N_ELEMENTS(lin));
    at[1] = data->len;
    g_byte_array_append(data, (const guint8 *)lin, sizeof lin);
    at[2] = data->len;
    append_halves(data, fused, G_N_ELEMENTS(fused));
    at[3] = data->len;
    append_halves(data, conv, G_N_ELEMENTS(conv));
    at[4] = data->len;
    g_byte_array_append(data, (const guint8 *)bias, sizeof bias);
    at[5] = data->len;
    append_halves(data, conv_wide, G_N_ELEMENTS(conv_wide));
    at[6] = data->len;
    g_byte_array_append(data, (const guint8 *)conv_wide, sizeof conv_wide);
    at[7] = data->len;
    g_autofree char *header = g_strdup_printf(
        "{\"pad\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
        "\"lin16\":{\"dtype\":\"F16\",\"shape\":[%d,%d],\"data_offsets\":[%zu,%zu]},"
        "\"lin32\":{\"dtype\":\"F32\",\"shape\":[%d,%d],\"data_offsets\":[%zu,%zu]},"
        "\"fused16\":{\"dtype\":\"F16\",\"shape\":[%d,%d],\"data_offsets\":[%zu,%zu]},"
        "\"conv16\":{\"dtype\":\"F16\",\"shape\":[5,3,3,3],\"data_offsets\":[%zu,%zu]},"
        "\"bias\":{\"dtype\":\"F32\",\"shape\":[%d],\"data_offsets\":[%zu,%zu]},"
        "\"wide16\":{\"dtype\":\"F16\",\"shape\":[8,12,3,3],\"data_offsets\":[%zu,%zu]},"
        "\"wide32\":{\"dtype\":\"F32\",\"shape\":[8,12,3,3],\"data_offsets\":[%zu,%zu]}}",
        ROWS, COLS, at[0], at[1], ROWS, COLS, at[1], at[2], FUSED_ROWS, COLS, at[2], at[3], at[3], at[4], ROWS, at[4],
        at[5], at[5], at[6], at[6], at[7]);
    uint64_t len = strlen(header);
    char *path = g_build_filename(dir, "weights.safetensors", NULL);
    FILE *f = fopen(path, "wb");
    fwrite(&len, 8, 1, f); /* little-endian, as the format says */
    fwrite(header, 1, len, f);
    fwrite(data->data, 1, data->len, f);
    fclose(f);
    g_byte_array_unref(data);
    return path;
}

/* `t` is [cols, padded] holding src [rows, cols] transposed, zeros past rows. */
static void
check_transposed(const char *what, const gs_tensor *t, const float *src, int rows, int cols, int padded)
{
    if (!t || gs_tensor_dim(t, 0) != cols || gs_tensor_dim(t, 1) != padded) {
        fprintf(stderr, "%s: expected a [%d, %d] tensor\n", what, cols, padded);
        gs_test_failures++;
        return;
    }
    float *want = g_new0(float, (gsize)cols * padded), *got = gs_test_download(t);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            want[c * padded + r] = gs_half_to_float(gs_float_to_half(src[r * cols + c]));
    gs_test_close(what, got, want, (size_t)cols * padded, 0, 0);
    g_free(want);
    free(got);
}

int
main(void)
{
    g_autofree char *dir = g_dir_make_tmp("gs-weights-XXXXXX", NULL);
    g_autofree char *path = write_model(dir);
    gs_context *ctx = gs_test_context();
    gs_safetensors *file = NULL;
    char *error = NULL;
    GS_CHECK(gs_safetensors_open(path, &file, &error) == GS_OK);
    gs_tensor_map *map = gs_tensor_map_new();
    gs_tensor_map_add_file(map, file, NULL);
    gs_tensor_map_add_rows(map, "k16", file, gs_safetensors_find(file, "fused16"), 20, 20);
    gs_weights *w = gs_weights_new_mapped(ctx, map);
    gs_stream *s = gs_stream_new(ctx);
    gs_graph g;
    gs_graph_init(&g, ctx, s);

    GS_CHECK(gs_tensor_ref_halves(gs_tensor_map_find(map, "lin32")) == NULL);
    GS_CHECK(gs_tensor_ref_halves(gs_tensor_map_find(map, "k16")) ==
             (const uint8_t *)gs_safetensors_data(file, gs_safetensors_find(file, "fused16")) + 20 * COLS * 2);
    check_transposed("Linear from f16", gs_weights_linear(w, &g, "lin16"), lin, ROWS, COLS, ROWS);
    check_transposed("Linear from f32", gs_weights_linear(w, &g, "lin32"), lin, ROWS, COLS, ROWS);
    check_transposed("Linear from f16, padded", gs_weights_linear_padded(w, &g, "lin16"), lin, ROWS, COLS, BIAS_PAD);
    check_transposed("Linear from f32, padded", gs_weights_linear_padded(w, &g, "lin32"), lin, ROWS, COLS,
                     BIAS_PAD);
    check_transposed("Linear from rows 20-39 of an f16 tensor", gs_weights_linear(w, &g, "k16"), fused + 20 * COLS,
                     20, COLS, 20);

    const gs_tensor *kernel = gs_weights_matrix(w, &g, "conv16");
    GS_CHECK(kernel && gs_tensor_numel(kernel) == G_N_ELEMENTS(conv) && gs_tensor_dim(kernel, 3) == 3);
    if (kernel) {
        float want[G_N_ELEMENTS(conv)], *got = gs_test_download(kernel);
        for (size_t i = 0; i < G_N_ELEMENTS(conv); i++)
            want[i] = gs_half_to_float(gs_float_to_half(conv[i]));
        gs_test_close("conv kernel from f16", got, want, G_N_ELEMENTS(conv), 0, 0);
        free(got);
    }
    /* gs_weights_conv: taps-major [O,k,k,C] where the device takes the
     * implicit GEMM, as stored elsewhere and for 3 input channels. */
    for (int f32 = 0; f32 < 2; f32++) {
        const gs_tensor *t = gs_weights_conv(w, &g, f32 ? "wide32" : "wide16");
        bool taps = gs_conv2d_taps_major(ctx, 8, 12, 3);
        GS_CHECK(t && gs_tensor_dim(t, 1) == (taps ? 3 : 12) && gs_tensor_dim(t, 3) == (taps ? 12 : 3));
        if (t) {
            float want[G_N_ELEMENTS(conv_wide)], *got = gs_test_download(t);
            for (int o = 0; o < 8; o++)
                for (int c = 0; c < 12; c++)
                    for (int tap = 0; tap < 9; tap++)
                        want[taps ? (o * 9 + tap) * 12 + c : (o * 12 + c) * 9 + tap] =
                            conv_wide[(o * 12 + c) * 9 + tap];
            gs_test_close(f32 ? "conv kernel from f32, taps-major where the device takes it"
                              : "conv kernel from f16, taps-major where the device takes it",
                          got, want, G_N_ELEMENTS(conv_wide), 0, 0);
            free(got);
        }
    }
    const gs_tensor *narrow = gs_weights_conv(w, &g, "conv16");
    GS_CHECK(narrow && gs_tensor_dim(narrow, 1) == 3 && gs_tensor_dim(narrow, 0) == 5);

    const gs_tensor *b = gs_weights_vector_padded(w, &g, "bias");
    GS_CHECK(b && gs_tensor_dim(b, 0) == BIAS_PAD);
    if (b) {
        float want[BIAS_PAD] = { 0 }, *got = gs_test_download(b);
        memcpy(want, bias, sizeof bias);
        gs_test_close("bias, padded", got, want, BIAS_PAD, 0, 0);
        free(got);
    }
    GS_CHECK(gs_weights_linear(w, &g, "conv16") != NULL); /* a conv as [out, in·k·k] */
    GS_CHECK(gs_weights_linear(w, &g, "absent") == NULL && g.status == GS_ERR_FORMAT);

    gs_graph_clear(&g);
    gs_stream_free(s);
    gs_weights_free(w);
    gs_tensor_map_free(map);
    gs_safetensors_close(file);
    gs_context_free(ctx);
    unlink(path);
    rmdir(dir);
    return gs_test_failures != 0;
}
