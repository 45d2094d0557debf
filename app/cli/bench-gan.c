/* genstudio-cli bench gan: the GAN generator against the diffusion model it
 * sits beside, on the same captions and seeds: seconds per image, prompt
 * adherence (against pure noise) and diversity (against the training
 * images of the caption's group), measured in the same run.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gs-emoji-reference.h"
#include "gs-gan-job.h"
#include "gs-image-job.h"

/* Captions spread evenly over the 1,870 training captions (every group,
 * including the ones neither model's last training stage saw). */
#define CAPTIONS 20
#define SAMPLES 8

typedef struct {
    const char *name;
    double seconds, adherence, diversity, cross_prompt;
    int groups_hit, total;
} tally;

static double
seconds_since(gint64 start)
{
    return (g_get_monotonic_time() - start) / 1e6;
}

/* Mean RMS thumbnail distance between two captions' images of the same seeds:
 * how much the caption, rather than the noise, decides the picture. */
static double
cross_prompt(const float *a, const float *b, int count, int size)
{
    double sum = 0;
    size_t n = (size_t)size * size * 3;
    g_autofree float *pair = g_new(float, 2 * n);
    for (int i = 0; i < count; i++) {
        memcpy(pair, a + i * n, n * sizeof *pair);
        memcpy(pair + n, b + i * n, n * sizeof *pair);
        sum += gs_image_set_diversity(pair, 2, size);
    }
    return sum / count;
}

static float *
diffusion_samples(gs_context *ctx, gs_diffusion *model, GsImageRequest *request, int size, GError **error)
{
    g_autofree float *all = g_new(float, (size_t)SAMPLES * size * size * 3);
    for (int s = 0; s < SAMPLES; s++) {
        request->params.seed = 1000 + (guint64)s;
        g_autofree float *rgb = gs_image_job_run(ctx, model, "emoji32", request, NULL, NULL, error);
        if (!rgb)
            return NULL;
        memcpy(all + (size_t)s * size * size * 3, rgb, (size_t)size * size * 3 * sizeof *rgb);
    }
    return g_steal_pointer(&all);
}

static void
print_row(const tally *t, double noise, double data_diversity, double diffusion_seconds)
{
    /* Pure noise can land in none of the captions' groups: no ratio then. */
    g_autofree char *vs_noise =
        noise > 0 ? g_strdup_printf("%8.2fx", (double)t->groups_hit / t->total / noise) : g_strdup("      n/a");
    printf("%-28s %9.3f %9.1fx %8.1f%% %s %9.3f %8.2fx %12.3f\n", t->name, t->seconds / t->total,
           diffusion_seconds / (t->seconds / t->total), 100.0 * t->groups_hit / t->total, vs_noise,
           t->diversity / CAPTIONS, t->diversity / CAPTIONS / data_diversity, t->cross_prompt / (CAPTIONS - 1));
}

int
gs_cli_bench_gan(gs_context *ctx)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *gan_path = gs_gan_model_path(GS_GAN_BUILTIN_NAME);
    g_autofree char *model_path = gs_default_model_path();
    gs_gan *gan = gs_load_gan(ctx, gan_path, &error);
    gs_diffusion *model = gan ? gs_load_diffusion(ctx, model_path, &error) : NULL;
    g_autoptr(GsEmojiReference) ref = model ? gs_emoji_reference_load(NULL, &error) : NULL;
    if (!ref) {
        fprintf(stderr, "genstudio-cli bench gan: %s\n", error->message);
        gs_diffusion_free(model);
        gs_gan_free(gan);
        return 1;
    }
    int size = gs_gan_size(gan);
    GsImageRequest request;
    gs_image_request_init(&request);
    request.params.sampler = GS_SAMPLER_DPMPP_2M;
    request.params.karras = TRUE;
    request.params.steps = 10;
    guint64 seeds[SAMPLES];
    for (int s = 0; s < SAMPLES; s++)
        seeds[s] = 1000 + (guint64)s;

    tally g = { .name = "GAN, 8 per pass" }, d = { .name = "diffusion, DPM++ 2M K 10" };
    double noise_hits = 0, data_diversity = 0;
    g_autofree float *noise = g_new(float, (size_t)size * size * 3);
    g_autofree float *last_gan = NULL, *last_diffusion = NULL;
    int status = 0, gsize = 0;
    /* Warm-up: pipelines are built on first use. */
    g_free(gs_gan_job_run(ctx, gan, "sun", seeds, SAMPLES, &gsize, &error));
    for (int c = 0; c < CAPTIONS && !status; c++) {
        int item = (int)((gint64)c * gs_emoji_reference_count(ref) / CAPTIONS);
        int group = gs_emoji_reference_group(ref, item);
        const char *caption = gs_emoji_reference_caption(ref, item);
        g_free(request.params.prompt);
        request.params.prompt = g_strdup(caption);
        gint64 start = g_get_monotonic_time();
        g_autofree float *gi = gs_gan_job_run(ctx, gan, caption, seeds, SAMPLES, &gsize, &error);
        g.seconds += seconds_since(start);
        start = g_get_monotonic_time();
        g_autofree float *di = gi ? diffusion_samples(ctx, model, &request, size, &error) : NULL;
        d.seconds += seconds_since(start);
        if (!di) {
            fprintf(stderr, "genstudio-cli bench gan: %s\n", error->message);
            status = 1;
            break;
        }
        for (int s = 0; s < SAMPLES; s++) {
            gs_normal_noise(seeds[s], 7, (guint64)c * 1000, noise, (size_t)size * size * 3);
            for (int i = 0; i < size * size * 3; i++)
                noise[i] = CLAMP((noise[i] + 1.0f) * 0.5f, 0.0f, 1.0f);
            noise_hits += gs_emoji_reference_nearest_group(ref, noise, size) == group;
        }
        tally *both[2] = { &g, &d };
        float *images[2] = { gi, di };
        for (int m = 0; m < 2; m++) {
            double hit_rate = gs_emoji_reference_adherence(ref, images[m], SAMPLES, size, group);
            both[m]->groups_hit += (int)(hit_rate * SAMPLES + 0.5);
            both[m]->total += SAMPLES;
            both[m]->diversity += gs_image_set_diversity(images[m], SAMPLES, size);
        }
        if (last_gan) {
            g.cross_prompt += cross_prompt(last_gan, gi, SAMPLES, size);
            d.cross_prompt += cross_prompt(last_diffusion, di, SAMPLES, size);
        }
        g_free(last_gan);
        g_free(last_diffusion);
        last_gan = g_steal_pointer(&gi);
        last_diffusion = g_steal_pointer(&di);
        data_diversity += gs_emoji_reference_group_diversity(ref, group);
        fprintf(stderr, "\r%d/%d captions", c + 1, CAPTIONS);
    }
    fprintf(stderr, "\n");
    if (!status) {
        double noise_rate = noise_hits / (CAPTIONS * SAMPLES);
        data_diversity /= CAPTIONS;
        double diffusion_per_image = d.seconds / d.total;
        printf("%d captions x %d seeds (same seeds for both); adherence: nearest of %d training thumbnails in "
               "the caption's group (pure noise: %.1f%%); diversity: mean pairwise RMS distance of 8x8 thumbnails "
               "of one caption's samples (training images of the same groups: %.3f); cross-prompt: the same "
               "seeds under consecutive captions\n",
               CAPTIONS, SAMPLES, gs_emoji_reference_count(ref), 100 * noise_rate, data_diversity);
        printf("%-28s %9s %10s %9s %9s %9s %9s %12s\n", "generator", "s/image", "speed-up", "adherence", "vs noise",
               "diversity", "vs data", "cross-prompt");
        print_row(&g, noise_rate, data_diversity, diffusion_per_image);
        print_row(&d, noise_rate, data_diversity, diffusion_per_image);
        gint64 start = g_get_monotonic_time();
        for (int i = 0; i < 5 && !status; i++) {
            g_autofree float *one = gs_gan_job_run(ctx, gan, "red apple", seeds, 1, &gsize, &error);
            status = one ? 0 : 1;
        }
        printf("GAN at batch 1: %.4f s per image (%.0fx faster than diffusion at 10 steps)\n",
               seconds_since(start) / 5, diffusion_per_image / (seconds_since(start) / 5));
    }
    gs_image_request_clear(&request);
    gs_diffusion_free(model);
    gs_gan_free(gan);
    return status;
}
