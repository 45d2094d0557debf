/* The noise RNG and the sigma schedules.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "gs-test.h"
#include "sampling/gs-schedule.h"

static void
test_noise(void)
{
    enum { N = 1 << 20 };
    float *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    gs_normal_noise(42, 0, 0, a, N);
    gs_normal_noise(42, 0, 0, b, N);
    GS_CHECK(memcmp(a, b, N * sizeof *a) == 0);

    /* Element i does not depend on where a call starts. */
    gs_normal_noise(42, 0, 5, b, 1000);
    GS_CHECK(memcmp(a + 5, b, 1000 * sizeof *a) == 0);

    double sum = 0, sq = 0;
    for (int i = 0; i < N; i++) {
        sum += a[i];
        sq += (double)a[i] * a[i];
    }
    double mean = sum / N, var = sq / N - mean * mean;
    printf("noise: mean %.5f variance %.5f\n", mean, var);
    GS_CHECK(fabs(mean) < 0.005 && fabs(var - 1.0) < 0.01);

    /* Other seeds and streams give other noise. */
    gs_normal_noise(43, 0, 0, b, 1000);
    GS_CHECK(memcmp(a, b, 1000 * sizeof *a) != 0);
    gs_normal_noise(42, 1, 0, b, 1000);
    GS_CHECK(memcmp(a, b, 1000 * sizeof *a) != 0);
    free(a);
    free(b);
}

static void
test_schedule(void)
{
    static gs_schedule s;
    gs_schedule_init(&s, 1000, 1e-4, 0.02, false);
    /* DDPM linear schedule: alpha_bar at t = 999 is about 4.0e-5. */
    double sigma_max = gs_schedule_sigma(&s, 999);
    printf("sigma range %.5f .. %.3f\n", gs_schedule_sigma(&s, 0), sigma_max);
    GS_CHECK(sigma_max > 150 && sigma_max < 165);
    GS_CHECK(fabs(gs_schedule_sigma(&s, 0) - sqrt(1e-4 / (1 - 1e-4))) < 1e-6);
    for (double t = 0; t <= 999; t += 37.25)
        GS_CHECK(fabs(gs_schedule_t(&s, gs_schedule_sigma(&s, t)) - t) < 1e-6);

    double sig[31];
    for (int spacing = GS_SPACING_LINEAR; spacing <= GS_SPACING_DDIM; spacing++) {
        gs_schedule_sigmas(&s, 30, (gs_spacing)spacing, sig);
        GS_CHECK(sig[30] == 0.0);
        for (int i = 0; i < 30; i++)
            GS_CHECK(sig[i] > sig[i + 1]);
    }
    gs_schedule_sigmas(&s, 30, GS_SPACING_KARRAS, sig);
    GS_CHECK(fabs(sig[0] - sigma_max) < 1e-9 && fabs(sig[29] - gs_schedule_sigma(&s, 0)) < 1e-9);
    gs_schedule_sigmas(&s, 10, GS_SPACING_DDIM, sig);
    GS_CHECK(fabs(gs_schedule_t(&s, sig[0]) - 901) < 1e-6 && fabs(gs_schedule_t(&s, sig[9]) - 1) < 1e-6);

    /* SD's scaled-linear schedule ends near sigma 14.6. */
    gs_schedule_init(&s, 1000, 0.00085, 0.012, true);
    GS_CHECK(fabs(gs_schedule_sigma(&s, 999) - 14.61) < 0.02);
}

int
main(void)
{
    test_noise();
    test_schedule();
    return gs_test_failures != 0;
}
