/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gs-image-mark.h"

#define GRID 64
#define CHIPS (GRID * GRID)
#define PILOT_CHIPS (CHIPS / 4)
#define PAYLOAD_BITS 48
#define CODED_BITS (PAYLOAD_BITS + 16)
#define KEY 0x47656e53747564ull /* "GenStud" */

/* Each chip's role: a pilot chip carries pilot[k]; a data chip carries
 * sign[k] × (its bit as ±1). Drawn once from the key. */
typedef struct {
    signed char sign[CHIPS];
    short bit[CHIPS]; /* -1 for pilot chips */
} Layout;

static void
layout_init(Layout *l)
{
    GsMarkRng rng;
    gs_mark_rng_init(&rng, KEY);
    int order[CHIPS];
    for (int i = 0; i < CHIPS; i++)
        order[i] = i;
    for (int i = CHIPS - 1; i > 0; i--) {
        int j = (int)gs_mark_rng_below(&rng, (unsigned)i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < CHIPS; i++) {
        int chip = order[i];
        l->bit[chip] = i < PILOT_CHIPS ? -1 : (short)((i - PILOT_CHIPS) % CODED_BITS);
        l->sign[chip] = (gs_mark_rng_next(&rng) >> 63) ? 1 : -1;
    }
}

static void
pilot_init(signed char *pilot)
{
    GsMarkRng rng;
    gs_mark_rng_init(&rng, KEY ^ 0x70696c6f74ull);
    for (int k = 0; k < CHIPS; k++)
        pilot[k] = (gs_mark_rng_next(&rng) >> 63) ? 1 : -1;
}

/* Raised cosine: neighbours sum to one, so the chip grid interpolates smoothly. */
static double
bump(double t)
{
    t = fabs(t);
    return t >= 1 ? 0 : 0.5 + 0.5 * cos(M_PI * t);
}

static float *
luma_of(const float *rgb, int w, int h)
{
    float *y = malloc(sizeof(float) * (size_t)w * h);
    for (size_t i = 0; i < (size_t)w * h; i++)
        y[i] = 255.0f * (0.299f * rgb[i * 3] + 0.587f * rgb[i * 3 + 1] + 0.114f * rgb[i * 3 + 2]);
    return y;
}

static void
blur_line(const float *src, float *dst, int n, int stride, const float *k, int radius)
{
    for (int i = 0; i < n; i++) {
        double sum = 0;
        for (int d = -radius; d <= radius; d++) {
            int j = i + d;
            j = j < 0 ? -j - 1 : j >= n ? 2 * n - j - 1 : j; /* mirror */
            j = j < 0 ? 0 : j >= n ? n - 1 : j;
            sum += k[d + radius] * src[(size_t)j * stride];
        }
        dst[(size_t)i * stride] = (float)sum;
    }
}

static float *
gaussian_kernel(double sigma, int *radius)
{
    *radius = (int)ceil(3 * sigma);
    float *k = malloc(sizeof(float) * (2 * *radius + 1));
    double total = 0;
    for (int d = -*radius; d <= *radius; d++)
        total += k[d + *radius] = (float)exp(-0.5 * d * d / (sigma * sigma));
    for (int d = 0; d <= 2 * *radius; d++)
        k[d] /= (float)total;
    return k;
}

/* Separable Gaussian blur of a w×h plane, in place. */
static void
gaussian_blur(float *plane, int w, int h, double sigma_x, double sigma_y)
{
    int rx, ry;
    float *kx = gaussian_kernel(sigma_x, &rx), *ky = gaussian_kernel(sigma_y, &ry);
    float *line = malloc(sizeof(float) * (size_t)(w > h ? w : h));
    float *out = malloc(sizeof(float) * (size_t)(w > h ? w : h));
    for (int y = 0; y < h; y++) {
        memcpy(line, plane + (size_t)y * w, sizeof(float) * w);
        blur_line(line, out, w, 1, kx, rx);
        memcpy(plane + (size_t)y * w, out, sizeof(float) * w);
    }
    for (int x = 0; x < w; x++) {
        for (int y = 0; y < h; y++)
            line[y] = plane[(size_t)y * w + x];
        blur_line(line, out, h, 1, ky, ry);
        for (int y = 0; y < h; y++)
            plane[(size_t)y * w + x] = out[y];
    }
    free(line);
    free(out);
    free(kx);
    free(ky);
}

/* Where pixel `x` of `n` falls on the chip grid: first chip and the two
 * raised-cosine weights. */
static void
grid_weights(int n, int *first, float *w0, float *w1)
{
    for (int x = 0; x < n; x++) {
        double u = (x + 0.5) / n * GRID - 0.5;
        first[x] = (int)floor(u);
        w0[x] = (float)bump(u - first[x]);
        w1[x] = (float)bump(u - first[x] - 1);
    }
}

/* The chip pattern at pixel resolution: chip amplitudes interpolated. */
static float *
pattern(const double *chip_value, int w, int h)
{
    float *p = calloc((size_t)w * h, sizeof(float));
    int *ix = malloc(sizeof(int) * w), *iy = malloc(sizeof(int) * h);
    float *ax = malloc(sizeof(float) * w), *bx = malloc(sizeof(float) * w);
    float *ay = malloc(sizeof(float) * h), *by = malloc(sizeof(float) * h);
    grid_weights(w, ix, ax, bx);
    grid_weights(h, iy, ay, by);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            double sum = 0;
            for (int dj = 0; dj < 2; dj++) {
                int j = iy[y] + dj;
                if (j < 0 || j >= GRID)
                    continue;
                double wy = dj ? by[y] : ay[y];
                int i0 = ix[x], i1 = ix[x] + 1;
                if (i0 >= 0)
                    sum += wy * ax[x] * chip_value[j * GRID + i0];
                if (i1 < GRID)
                    sum += wy * bx[x] * chip_value[j * GRID + i1];
            }
            p[(size_t)y * w + x] = (float)sum;
        }
    }
    free(ix);
    free(iy);
    free(ax);
    free(bx);
    free(ay);
    free(by);
    return p;
}

/* Bilinear sample of a w×h plane at pixel coordinates (x, y). */
static float
sample(const float *plane, int w, int h, double x, double y)
{
    int x0 = (int)floor(x), y0 = (int)floor(y);
    double fx = x - x0, fy = y - y0;
    int x1 = x0 + 1 < w ? x0 + 1 : w - 1, y1 = y0 + 1 < h ? y0 + 1 : h - 1;
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    return (float)((1 - fy) * ((1 - fx) * plane[(size_t)y0 * w + x0] + fx * plane[(size_t)y0 * w + x1]) +
                   fy * ((1 - fx) * plane[(size_t)y1 * w + x0] + fx * plane[(size_t)y1 * w + x1]));
}

/* The detector's linear part at the chip centres of a w×h luma plane:
 * high-pass at the chip scale, then matched to the chip's bump. `work` is
 * scratch of w×h floats; `plane` is left filtered. */
static void
chip_statistic(float *plane, float *work, int w, int h, double *d)
{
    double cx = (double)w / GRID, cy = (double)h / GRID;
    size_t n = (size_t)w * h;
    memcpy(work, plane, sizeof(float) * n);
    gaussian_blur(work, w, h, cx, cy);
    for (size_t i = 0; i < n; i++)
        plane[i] -= work[i];
    gaussian_blur(plane, w, h, 0.35 * cx, 0.35 * cy);
    for (int j = 0; j < GRID; j++)
        for (int i = 0; i < GRID; i++)
            d[j * GRID + i] = sample(plane, w, h, (i + 0.5) * w / GRID - 0.5, (j + 0.5) * h / GRID - 0.5);
}

/* Box-averages a w×h plane by an integer factor. */
static float *
shrink(const float *plane, int w, int h, int f, int *sw, int *sh)
{
    *sw = w / f;
    *sh = h / f;
    float *out = calloc((size_t)*sw * *sh, sizeof(float));
    for (int y = 0; y < *sh * f; y++)
        for (int x = 0; x < *sw * f; x++)
            out[(size_t)(y / f) * *sw + x / f] += plane[(size_t)y * w + x] / (float)(f * f);
    return out;
}

/* How the mark's luma change is shared among R, G and B: in proportion to
 * each channel's weight in luma (the cheapest split in squared error) and
 * to its room below 0.88 and above black, so saturated colours and white
 * keep it out of the channels that would clip now or after brightening.
 * `share` gets 3 floats a pixel; the result is each pixel's luma gain. */
static float *
channel_shares(const float *rgb, int w, int h, float *share)
{
    static const float luma_weight[3] = { 0.299f, 0.587f, 0.114f };
    size_t n = (size_t)w * h;
    float *gain = malloc(sizeof(float) * n);
    for (size_t i = 0; i < n; i++) {
        float room[3], norm = 0;
        for (int c = 0; c < 3; c++) {
            float v = rgb[i * 3 + c];
            room[c] = fminf(fmaxf(fminf(0.88f - v, v) * 255.0f / 8.0f, 0), 1);
            norm += luma_weight[c] * luma_weight[c] * room[c] * room[c];
        }
        if (norm < 0.01f) { /* nowhere to go: a tenth, spread evenly */
            for (int c = 0; c < 3; c++)
                room[c] = 0.1f;
            norm = 0.01f * 0.447f;
        }
        gain[i] = 0;
        for (int c = 0; c < 3; c++) {
            share[i * 3 + c] = luma_weight[c] * room[c] / norm * fminf(1.0f, sqrtf(norm / 0.447f));
            gain[i] += luma_weight[c] * share[i * 3 + c];
        }
    }
    return gain;
}

/* Informed embedding: the chip amplitudes that give every chip's statistic
 * at least `margin` in its own direction, given what the image already
 * says there (the host is not noise to fight blindly: most chips need
 * little). Iterates on the proxy because chips and headroom interact. */
static void
chip_amplitudes(const float *y, const float *room, int w, int h, const signed char *dir, double margin,
                double *amp)
{
    size_t n = (size_t)w * h;
    float *marked = malloc(sizeof(float) * n), *work = malloc(sizeof(float) * n);
    double d[CHIPS];
    /* The statistic of one interior chip of amplitude 1. */
    double one[CHIPS] = { 0 };
    one[(GRID / 2) * GRID + GRID / 2] = 1;
    float *unit_pattern = pattern(one, w, h);
    chip_statistic(unit_pattern, work, w, h, d);
    double unit = d[(GRID / 2) * GRID + GRID / 2];
    free(unit_pattern);
    for (int k = 0; k < CHIPS; k++)
        amp[k] = dir[k] * margin * 0.25 / unit;
    for (int iteration = 0; iteration < 6; iteration++) {
        float *p = pattern(amp, w, h);
        for (size_t i = 0; i < n; i++)
            marked[i] = y[i] + p[i] * room[i];
        free(p);
        chip_statistic(marked, work, w, h, d);
        for (int k = 0; k < CHIPS; k++) {
            double deficit = margin - dir[k] * d[k];
            if (deficit > 0)
                amp[k] += dir[k] * deficit / unit;
            amp[k] = fmax(fmin(amp[k], 4 * margin / unit), -4 * margin / unit);
        }
    }
    free(marked);
    free(work);
}

bool
gs_image_mark_embed(float *rgb, int w, int h, const GsMarkPayload *payload, double *psnr)
{
    if (w < GS_IMAGE_MARK_MIN_SIDE || h < GS_IMAGE_MARK_MIN_SIDE)
        return false;
    Layout layout;
    layout_init(&layout);
    uint64_t word = gs_mark_payload_pack(payload, PAYLOAD_BITS);
    signed char pilot[CHIPS], dir[CHIPS];
    pilot_init(pilot);
    for (int k = 0; k < CHIPS; k++) {
        int b = layout.bit[k];
        dir[k] = b < 0 ? pilot[k] : (signed char)(layout.sign[k] * (((word >> (CODED_BITS - 1 - b)) & 1) ? 1 : -1));
    }
    size_t n = (size_t)w * h;
    /* Plan on a proxy about 256 px on its short side: the chips are coarse. */
    int f = (w < h ? w : h) / 256, pw, ph;
    f = f < 1 ? 1 : f;
    float *share = malloc(sizeof(float) * n * 3);
    float *y = luma_of(rgb, w, h), *room = channel_shares(rgb, w, h, share);
    float *proxy_y = shrink(y, w, h, f, &pw, &ph), *proxy_room = shrink(room, w, h, f, &pw, &ph);
    float *orig = malloc(sizeof(float) * n * 3);
    for (size_t i = 0; i < n * 3; i++)
        orig[i] = roundf(fminf(fmaxf(rgb[i], 0), 1) * 255.0f);

    /* The largest margin whose mark fits the PSNR budget (bisection). */
    double target_mse = 255.0 * 255.0 / pow(10, GS_IMAGE_MARK_TARGET_PSNR / 10);
    double lo = 0, hi = 16, amp[CHIPS], best_amp[CHIPS] = { 0 }, best_mse = 0;
    for (int step = 0; step < 12; step++) {
        double margin = 0.5 * (lo + hi), mse = 0;
        chip_amplitudes(proxy_y, proxy_room, pw, ph, dir, margin, amp);
        float *p = pattern(amp, w, h);
        for (size_t i = 0; i < n * 3; i++) {
            double v = round(fmin(fmax(orig[i] + p[i / 3] * share[i], 0), 255));
            mse += (v - orig[i]) * (v - orig[i]);
        }
        free(p);
        mse /= (double)n * 3;
        if (mse <= target_mse) {
            lo = margin;
            memcpy(best_amp, amp, sizeof amp);
            best_mse = mse;
        } else {
            hi = margin;
        }
    }
    float *p = pattern(best_amp, w, h);
    for (size_t i = 0; i < n * 3; i++)
        rgb[i] = (float)(round(fmin(fmax(orig[i] + p[i / 3] * share[i], 0), 255)) / 255.0);
    if (psnr)
        *psnr = best_mse > 0 ? 10 * log10(255.0 * 255.0 / best_mse) : INFINITY;
    free(p);
    free(orig);
    free(y);
    free(room);
    free(share);
    free(proxy_y);
    free(proxy_room);
    return true;
}

/* Crop hypotheses per axis: the input spans `extent` of the original from `offset`. */
typedef struct {
    double offset, extent;
} Span;

static int
spans(Span *out)
{
    static const double extents[] = { 1.0, 0.95, 0.9, 0.85 };
    int n = 0;
    for (size_t e = 0; e < sizeof extents / sizeof *extents; e++)
        for (double o = 0; o <= 1 - extents[e] + 1e-9; o += 1.0 / (4 * GRID))
            out[n++] = (Span){ o, extents[e] };
    return n;
}

void
gs_image_mark_detect(const float *rgb, int w, int h, GsImageMarkResult *result)
{
    memset(result, 0, sizeof *result);
    if (w < 32 || h < 32)
        return;
    Layout layout;
    layout_init(&layout);
    signed char pilot[CHIPS];
    pilot_init(pilot);

    /* The embedder's statistic (high-pass at the chip scale, matched to the
     * bump), divided by its local energy so textured parts do not outvote
     * the rest; brightness and shading fall out with the low frequencies.
     * Large inputs are box-shrunk first: the chips are coarse. */
    int f = (w < h ? w : h) / 256, sw, sh;
    f = f < 1 ? 1 : f;
    float *full = luma_of(rgb, w, h), *y = shrink(full, w, h, f, &sw, &sh);
    free(full);
    w = sw;
    h = sh;
    size_t n = (size_t)w * h;
    float *work = malloc(sizeof(float) * n), *energy = malloc(sizeof(float) * n);
    double d[CHIPS];
    chip_statistic(y, work, w, h, d);
    for (size_t i = 0; i < n; i++)
        energy[i] = y[i] * y[i];
    gaussian_blur(energy, w, h, 2.0 * w / GRID, 2.0 * h / GRID);
    for (size_t i = 0; i < n; i++)
        y[i] /= sqrtf(energy[i] + 0.25f);

    Span *axis = malloc(sizeof(Span) * 8 * GRID);
    int count = spans(axis);
    float value[CHIPS];
    double best = -INFINITY;
    for (int a = 0; a < count; a++) {
        for (int b = 0; b < count; b++) {
            Span sx = axis[a], sy = axis[b];
            double dot = 0, norm = 0;
            for (int j = 0; j < GRID; j++) {
                double py = (((j + 0.5) / GRID - sy.offset) / sy.extent) * h - 0.5;
                for (int i = 0; i < GRID; i++) {
                    int k = j * GRID + i;
                    if (layout.bit[k] >= 0)
                        continue;
                    double px = (((i + 0.5) / GRID - sx.offset) / sx.extent) * w - 0.5;
                    if (px < 0 || py < 0 || px > w - 1 || py > h - 1)
                        continue;
                    float v = sample(y, w, h, px, py);
                    dot += pilot[k] * v;
                    norm += (double)v * v;
                }
            }
            double z = norm > 0 ? dot / sqrt(norm) : 0;
            if (z > best) {
                best = z;
                result->window[0] = sx.offset;
                result->window[1] = sy.offset;
                result->window[2] = sx.extent;
                result->window[3] = sy.extent;
            }
        }
    }
    result->score = best;
    result->found = best >= GS_IMAGE_MARK_THRESHOLD;

    /* The payload under the best hypothesis: each bit's chips summed, each
     * clipped to 0.4× their RMS so a few chips the image overpowers (the
     * embedder caps its effort per chip) cannot outvote the rest. */
    double soft[CODED_BITS] = { 0 }, power = 0;
    int present = 0;
    for (int j = 0; j < GRID; j++) {
        double py = (((j + 0.5) / GRID - result->window[1]) / result->window[3]) * h - 0.5;
        for (int i = 0; i < GRID; i++) {
            int k = j * GRID + i;
            double px = (((i + 0.5) / GRID - result->window[0]) / result->window[2]) * w - 0.5;
            bool inside = px >= 0 && py >= 0 && px <= w - 1 && py <= h - 1;
            value[k] = inside ? sample(y, w, h, px, py) : 0;
            power += (double)value[k] * value[k];
            present += inside;
        }
    }
    double limit = 0.4 * sqrt(power / (present ? present : 1)) + 1e-9;
    for (int k = 0; k < CHIPS; k++)
        if (layout.bit[k] >= 0)
            soft[layout.bit[k]] += layout.sign[k] * fmax(fmin(value[k], limit), -limit);
    uint64_t word = 0;
    for (int b = 0; b < CODED_BITS; b++)
        word = (word << 1) | (soft[b] > 0 ? 1u : 0u);
    result->payload_valid = result->found && gs_mark_payload_unpack(word, PAYLOAD_BITS, &result->payload);
    free(axis);
    free(y);
    free(work);
    free(energy);
}
