/* Plain-C reference implementations of the engine ops: straightforward
 * loops in double precision, used only by the tests.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

/* out[i] = a[i] + b[broadcast i]; shapes right-aligned, 4 dims. */
void ref_binary(float *out, const float *a, const int64_t a_shape[4], const float *b, const int64_t b_shape[4],
                int multiply);

/* out[M,N] = a[M,K]·b + bias; b is [K,N] or, transposed, [N,K]. bias may be NULL. */
void ref_matmul(float *out, const float *a, const float *b, const float *bias, int64_t m, int64_t n, int64_t k,
                int transpose_b);

/* x [n,c,h,w], w [o,c,k,k], bias [o] or NULL → out [n,o,ho,wo]. */
/* One image x [C,H,W] → out [rows, Wo, C·k·k] for output rows row0 … (gs_op_unfold2d). */
void ref_unfold2d(float *out, const float *x, int64_t c, int64_t h, int64_t w, int64_t k, int stride, int pad,
                  int64_t row0, int64_t rows);
void ref_conv2d(float *out, const float *x, const float *w, const float *bias, int64_t n, int64_t c, int64_t h,
                int64_t wd, int64_t o, int64_t k, int stride, int pad);

/* Normalises `rows` contiguous rows of row_len; param index as the engine's
 * norm (see gs-ref-norm.c); silu applied after the affine step. */
void ref_group_norm(float *out, const float *x, const float *gamma, const float *beta, int64_t n, int64_t c,
                    int64_t spatial, int groups, float eps, int silu);
void ref_layer_norm(float *out, const float *x, const float *gamma, const float *beta, int64_t rows, int64_t d,
                    float eps);
void ref_softmax(float *out, const float *x, int64_t rows, int64_t d);
/* q [b,lq,h·d], k/v [b,lk,h·d]. */
void ref_attention(float *out, const float *q, const float *k, const float *v, int64_t b, int64_t lq, int64_t lk,
                   int heads, int64_t d, int causal);
void ref_gelu(float *out, const float *x, int64_t n);
void ref_silu(float *out, const float *x, int64_t n);
void ref_relu(float *out, const float *x, int64_t n);
void ref_log(float *out, const float *x, int64_t n, float floor);
void ref_quick_gelu(float *out, const float *x, int64_t n);
void ref_geglu(float *out, const float *x, int64_t rows, int64_t half);
/* outer × (a_inner | b_inner). */
void ref_concat(float *out, const float *a, const float *b, int64_t outer, int64_t a_inner, int64_t b_inner);
void ref_transpose(float *out, const float *x, int64_t batch, int64_t r, int64_t c);
void ref_upsample2x(float *out, const float *x, int64_t planes, int64_t h, int64_t w);
/* Zero padding of [planes, h, w] → [planes, top+h+bottom, left+w+right]. */
void ref_pad2d(float *out, const float *x, int64_t planes, int64_t h, int64_t w, int top, int bottom, int left,
               int right);
/* torch pixel_shuffle: x [n, c·r², h, w] → out [n, c, h·r, w·r]. */
void ref_depth_to_space(float *out, const float *x, int64_t n, int64_t c, int64_t h, int64_t w, int r);
void ref_timestep_embedding(float *out, const float *t, int64_t n, int dim, double max_period, int cos_first);

/* x [n,c,l], w [o,c,k] → out [n,o,lo]. */
void ref_conv1d(float *out, const float *x, const float *w, const float *bias, int64_t n, int64_t c, int64_t l,
                int64_t o, int64_t k, int stride, int pad, int dilation);
/* x [n,c,l], w [c,o,k] (torch ConvTranspose1d) → out [n,o,(l−1)·stride − 2·pad + k]. */
void ref_conv_transpose1d(float *out, const float *x, const float *w, const float *bias, int64_t n, int64_t c,
                          int64_t l, int64_t o, int64_t k, int stride, int pad);
/* Naive DFT of real rows: x [b,n] → out [b,n/2+1,2]; and its inverse (÷n). */
void ref_rdft(float *out, const float *x, int64_t b, int64_t n);
void ref_irdft(float *out, const float *spectrum, int64_t b, int64_t n);

/* torch.stft(center=True, reflect) framing with a periodic Hann window, its
 * overlap-add inverse, and one fast Griffin-Lim projection (see
 * gs_op_griffin_lim_project). */
void ref_stft_frames(float *frames, const float *signal, int64_t len, int64_t n, int hop);
void ref_overlap_add(float *signal, const float *frames, int64_t t, int64_t n, int hop);
void ref_griffin_lim_project(float *out, float *prev, const float *spectrum, const float *magnitude, int64_t bins,
                             float momentum);
/* Griffin-Lim's starting phase from magnitudes [t, bins] → spectrum
 * [t, bins, 2] (the rule in shaders/phase_init.comp). */
void ref_phase_init(float *spectrum, const float *magnitude, int64_t t, int64_t bins, int hop);
void ref_exp(float *out, const float *x, int64_t n);
/* A1111's prompt weighting of hidden [tokens, width]: rows times weights,
 * then times (mean before / mean after). */
void ref_prompt_weights(float *out, const float *hidden, const float *weights, int64_t tokens, int64_t width);

/* The ldm AutoencoderKL (SD's VAE) at batch 1, from the ops above. Weights
 * by name (prefix + ldm name) from `get`, as float arrays in the file's
 * layout; NULL ends the test. z [z_channels, h, w] → rgb [in_channels,
 * f·h, f·w]; rgb [in_channels, h, w] → mean [z_channels, h/f, w/f]. */
typedef const float *(*ref_weight_fn)(void *user, const char *name);
typedef struct {
    const char *prefix; /* "first_stage_model." */
    int ch, mult[4], levels, num_res_blocks, z_channels, in_channels, groups;
    float eps;
} ref_vae_shape;
void ref_vae_decode(float *rgb, const float *z, int64_t h, int64_t w, const ref_vae_shape *cfg, ref_weight_fn get,
                    void *user);
void ref_vae_encode(float *mean, const float *rgb, int64_t h, int64_t w, const ref_vae_shape *cfg, ref_weight_fn get,
                    void *user);
