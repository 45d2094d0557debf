/* The GAN generator on the engine against its PyTorch export
 * (tools/gan/gan_export.py --golden): the same noise and captions give the
 * same images; seeds give distinct, reproducible images; corrupt files are
 * refused with a message.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <json-glib/json-glib.h>
#include <string.h>

#include "gs-test.h"

static float *
read_tensor(gs_safetensors *st, const char *name, int64_t *numel)
{
    int i = gs_safetensors_find(st, name);
    GS_CHECK(i >= 0);
    if (i < 0)
        return NULL;
    *numel = gs_safetensors_numel(st, i);
    float *data = malloc((size_t)*numel * sizeof *data);
    GS_CHECK(gs_safetensors_read(st, i, data) == GS_OK);
    return data;
}

/* Engine output (interleaved, [0,1]) against the export's planar [−1,1]
 * maps, clamped as the engine clamps. fp16 weights on the device: 0.5 % of
 * the range. */
static void
golden(gs_context *ctx, gs_gan *gan)
{
    gs_safetensors *st = NULL;
    GS_CHECK(gs_safetensors_open(GS_GAN_GOLDEN_PATH, &st, NULL) == GS_OK);
    if (!st)
        return;
    JsonParser *parser = json_parser_new();
    GS_CHECK(json_parser_load_from_data(parser, gs_safetensors_metadata(st, "prompts"), -1, NULL));
    JsonArray *prompts = json_node_get_array(json_parser_get_root(parser));
    int size = gs_gan_size(gan);
    size_t pixels = (size_t)size * size;
    for (guint p = 0; p < json_array_get_length(prompts); p++) {
        char name[32];
        int64_t nz = 0, ni = 0;
        snprintf(name, sizeof name, "%u.z", p);
        float *z = read_tensor(st, name, &nz);
        snprintf(name, sizeof name, "%u.image", p);
        float *want = read_tensor(st, name, &ni);
        int count = (int)(nz / gs_gan_noise_dim(gan));
        GS_CHECK((size_t)ni == (size_t)count * 3 * pixels);
        float *got = malloc((size_t)ni * sizeof *got), *ref = malloc((size_t)ni * sizeof *ref);
        for (int i = 0; i < count; i++)
            for (size_t q = 0; q < pixels; q++)
                for (int c = 0; c < 3; c++) {
                    float v = (want[((size_t)i * 3 + c) * pixels + q] + 1) / 2;
                    ref[((size_t)i * pixels + q) * 3 + c] = v < 0 ? 0 : v > 1 ? 1 : v;
                }
        const char *prompt = json_array_get_string_element(prompts, p);
        GS_CHECK_OK(ctx, gs_gan_generate_noise(gan, prompt, z, count, got));
        char what[160];
        snprintf(what, sizeof what, "GAN '%s'", prompt);
        gs_test_close(what, got, ref, (size_t)ni, 0.005f, 0.0f);
        free(z);
        free(want);
        free(got);
        free(ref);
    }
    g_object_unref(parser);
    gs_safetensors_close(st);
}

static double
mean_abs_diff(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += fabs(a[i] - b[i]);
    return s / n;
}

/* A batch equals the same seeds one at a time; different seeds differ. */
static void
seeds(gs_context *ctx, gs_gan *gan)
{
    size_t n = (size_t)gs_gan_size(gan) * gs_gan_size(gan) * 3;
    uint64_t batch_seeds[3] = { 1, 2, 3 };
    float *batch = malloc(3 * n * sizeof *batch), *one = malloc(n * sizeof *one);
    GS_CHECK_OK(ctx, gs_gan_generate(gan, "red apple", batch_seeds, 3, batch));
    GS_CHECK_OK(ctx, gs_gan_generate(gan, "red apple", &batch_seeds[1], 1, one));
    gs_test_close("seed 2 alone vs in a batch", one, batch + n, n, 1e-4f, 0.0f);
    GS_CHECK(mean_abs_diff(batch, batch + n, n) > 1e-3);
    free(batch);
    free(one);
}

static void
refuse(gs_context *ctx, const char *path, const char *needle)
{
    gs_gan *gan = NULL;
    gs_status st = gs_gan_load(ctx, path, &gan);
    GS_CHECK(st != GS_OK && gan == NULL);
    const char *msg = gs_context_error(ctx);
    if (needle && !strstr(msg, needle)) {
        fprintf(stderr, "refusing %s: message '%s' lacks '%s'\n", path, msg, needle);
        gs_test_failures++;
    }
}

static void
write_header(const char *path, const char *header)
{
    uint64_t n = strlen(header);
    FILE *f = fopen(path, "wb");
    GS_CHECK(f && fwrite(&n, 8, 1, f) == 1 && fwrite(header, 1, n, f) == n);
    if (f)
        fclose(f);
}

static void
corrupt(gs_context *ctx)
{
    char dir[] = "/tmp/gs-gan-XXXXXX", path[1024];
    GS_CHECK(mkdtemp(dir) != NULL);
    gchar *data = NULL;
    gsize size = 0;
    GS_CHECK(g_file_get_contents(GS_GAN_MODEL_PATH, &data, &size, NULL));
    snprintf(path, sizeof path, "%s/truncated.safetensors", dir);
    GS_CHECK(g_file_set_contents(path, data, (gssize)size / 2, NULL));
    refuse(ctx, path, NULL);
    snprintf(path, sizeof path, "%s/none.safetensors", dir);
    refuse(ctx, path, NULL);
    snprintf(path, sizeof path, "%s/no-config.safetensors", dir);
    write_header(path, "{\"__metadata__\":{\"licence\":\"MIT\"}}");
    refuse(ctx, path, "not a GenStudio GAN");
    snprintf(path, sizeof path, "%s/bad-config.safetensors", dir);
    write_header(path, "{\"__metadata__\":{\"genstudio.gan_config\":\"{\\\"z_dim\\\":-4}\","
                       "\"genstudio.vocab\":\"<pad>\\n<bos>\\n<eos>\\n<unk>\\napple\"}}");
    refuse(ctx, path, "not a GAN configuration");
    snprintf(path, sizeof path, "%s/no-weights.safetensors", dir);
    write_header(path, "{\"__metadata__\":{\"genstudio.gan_config\":\"{\\\"z_dim\\\":4,\\\"text_dim\\\":4,"
                       "\\\"channels\\\":[8,8],\\\"groups\\\":4,\\\"eps\\\":1e-5}\","
                       "\"genstudio.vocab\":\"<pad>\\n<bos>\\n<eos>\\n<unk>\\napple\"}}");
    refuse(ctx, path, "no tensor embedding");
    GS_CHECK(!gs_gan_probe(GS_MODEL_PATH));
    GS_CHECK(gs_gan_probe(GS_GAN_MODEL_PATH));
    g_free(data);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    GS_CHECK(system(cmd) == 0);
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    gs_gan *gan = NULL;
    GS_CHECK_OK(ctx, gs_gan_load(ctx, GS_GAN_MODEL_PATH, &gan));
    if (gan) {
        golden(ctx, gan);
        seeds(ctx, gan);
        gs_gan_free(gan);
    }
    corrupt(ctx);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
