/* genstudio-engine.h — the GenStudio engine's one public header.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A tour:
 *
 *   gs_context_params params = gs_context_default_params();
 *   gs_context *ctx;
 *   char *error = NULL;
 *   if (gs_context_new(&params, &ctx, &error) != GS_OK) {
 *       fprintf(stderr, "%s\n", error);      // e.g. no Vulkan device
 *       free(error);
 *       return 1;
 *   }
 *
 *   int64_t shape[2] = {64, 128};
 *   gs_tensor *a = gs_tensor_new(ctx, GS_F32, 2, shape);   // device memory
 *   gs_tensor_upload(a, host_floats, 64 * 128);
 *
 *   gs_stream *s = gs_stream_new(ctx);     // one command buffer
 *   gs_op_gelu(s, b, a);                   // ops record, they do not run
 *   gs_op_add(s, c, b, a);                 // barriers are inserted as needed
 *   if (gs_stream_submit(s) != GS_OK)      // one submit, waits for the GPU
 *       fprintf(stderr, "%s\n", gs_context_error(ctx));
 *   gs_tensor_download(c, host_out, 64 * 128);
 *
 *   gs_stream_free(s); gs_tensor_free(a); ...; gs_context_free(ctx);
 *
 * Conventions: every call that can fail returns gs_status; the message of the
 * last failure is kept in the context (gs_context_error). Tensors are dense,
 * row-major, NCHW for images; dims are listed outermost first. A context is
 * used from one thread at a time. Nothing here aborts the process.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    GS_OK = 0,
    GS_ERR_INVALID_ARGUMENT,
    GS_ERR_NO_DEVICE,
    GS_ERR_VULKAN,
    GS_ERR_OUT_OF_MEMORY,
    GS_ERR_DEVICE_LOST,
    GS_ERR_IO,
    GS_ERR_FORMAT,
    GS_ERR_UNSUPPORTED,
    GS_ERR_CANCELLED,
} gs_status;

const char *gs_status_name(gs_status status);

/* ---- context and devices ---------------------------------------------- */

typedef struct gs_context gs_context;

typedef enum {
    GS_DEVICE_OTHER = 0,
    GS_DEVICE_INTEGRATED_GPU,
    GS_DEVICE_DISCRETE_GPU,
    GS_DEVICE_VIRTUAL_GPU,
    GS_DEVICE_CPU,
} gs_device_type;

typedef struct {
    int index;
    char name[256];
    char driver[256];
    gs_device_type type;
    uint32_t api_version;            /* VK_MAKE_API_VERSION layout */
    uint32_t subgroup_size;
    uint32_t shared_memory_bytes;
    uint32_t max_workgroup_invocations;
    uint64_t max_storage_buffer_range;
    bool shader_float16;
    bool storage_16bit;
    bool shader_int64;               /* 64-bit integers: wider loads on CPU drivers */
    bool buffer_device_address;      /* required by the engine */
    bool usable;                     /* meets every engine requirement */
} gs_device_info;

typedef struct {
    /* Device to use: an index or a substring of the name. NULL means the
     * GS_DEVICE environment variable, then discrete > integrated > CPU. */
    const char *device;
    /* Directory for the persisted VkPipelineCache; NULL means
     * $XDG_CACHE_HOME/genstudio, "" disables persistence. */
    const char *cache_dir;
    /* Store weights as fp16 where the device has 16-bit storage. */
    bool allow_fp16;
} gs_context_params;

gs_context_params gs_context_default_params(void);

/* On failure *out is NULL and *error (if non-NULL) receives a malloc'd
 * message the caller frees with free(). */
gs_status gs_context_new(const gs_context_params *params, gs_context **out, char **error);
void gs_context_free(gs_context *ctx);

const char *gs_context_error(const gs_context *ctx);
int gs_context_device_count(const gs_context *ctx);
const gs_device_info *gs_context_device(const gs_context *ctx, int index);
int gs_context_chosen_device(const gs_context *ctx);
bool gs_context_has_fp16_storage(const gs_context *ctx);

/* Device memory in live tensors (sub-allocations of the allocator's blocks:
 * weights, activations, everything): now, and the most since the context
 * was made or the peak was last reset. Host RSS is the caller's to read
 * (/proc/self/status); on CPU devices it includes device memory. */
void gs_context_memory_stats(const gs_context *ctx, uint64_t *device_bytes_now, uint64_t *device_bytes_peak);
/* Starts both peaks (memory and activations) again from now. */
void gs_context_reset_memory_peak(gs_context *ctx);
/* The largest activation arena a planned model step (one UNet call, say)
 * used since the last reset, and the sum of that step's temporaries: what it
 * would hold if every temporary stayed alive until its submit. */
void gs_context_activation_stats(const gs_context *ctx, uint64_t *arena_bytes, uint64_t *temporary_bytes);

/* Lists devices without choosing one: for `genstudio-cli info` when the
 * choice itself fails. Returns a malloc'd array; free() it. */
gs_status gs_enumerate_devices(gs_device_info **infos, int *count, char **error);

/* ---- tensors ------------------------------------------------------------ */

typedef enum { GS_F32 = 0, GS_F16 = 1 } gs_dtype;

#define GS_MAX_DIMS 4

typedef struct gs_tensor gs_tensor;

/* NULL on failure (message in the context). */
gs_tensor *gs_tensor_new(gs_context *ctx, gs_dtype dtype, int ndim, const int64_t *shape);
/* A contiguous window of `src` starting `offset` elements in, with its own
 * shape; shares memory, no copy. */
gs_tensor *gs_tensor_view(gs_tensor *src, int64_t offset, int ndim, const int64_t *shape);
void gs_tensor_free(gs_tensor *t);

/* NULL reads as an empty tensor (0 dims, 0 elements): a failed graph op
 * returns NULL, and the graph reports why. */
gs_dtype gs_tensor_dtype(const gs_tensor *t);
int gs_tensor_ndim(const gs_tensor *t);
int64_t gs_tensor_dim(const gs_tensor *t, int i);
int64_t gs_tensor_numel(const gs_tensor *t);

/* Host <-> device copies of `count` elements, converting fp32 <-> fp16 as
 * needed. Synchronous; not for tensors a pending stream writes. */
gs_status gs_tensor_upload(gs_tensor *t, const float *src, int64_t count);
gs_status gs_tensor_upload_f16(gs_tensor *t, const uint16_t *src, int64_t count);
gs_status gs_tensor_download(const gs_tensor *t, float *dst, int64_t count);

/* IEEE binary16 conversions (round to nearest even). */
float gs_half_to_float(uint16_t h);
uint16_t gs_float_to_half(float f);

/* ---- safetensors files ---------------------------------------------------- */

/* A safetensors file mapped read-only: an 8-byte little-endian header length,
 * a JSON header (name → dtype, shape, data_offsets; optional __metadata__ of
 * strings), then the data. Every size and offset is checked against the file
 * length when opening, before anything is read or allocated, so a corrupt,
 * truncated or lying file fails there with a message naming the file and the
 * tensor. Nothing is copied on open; conversion happens per tensor on read.
 *
 *   gs_safetensors *st;
 *   char *error = NULL;
 *   if (gs_safetensors_open("model.safetensors", &st, &error) != GS_OK) {
 *       fprintf(stderr, "%s\n", error);
 *       free(error);
 *       return 1;
 *   }
 *   int64_t shape[2] = {320, 768};
 *   gs_tensor *w = gs_safetensors_load(ctx, st, "proj.weight", GS_F16, 2, shape);
 *   if (!w)
 *       fprintf(stderr, "%s\n", gs_context_error(ctx));
 *   gs_safetensors_close(st);   // device tensors outlive the file
 *
 * Tensors are indexed 0 .. count-1 in file order; index arguments are not
 * range-checked (use gs_safetensors_find). An open handle is read-only and
 * may be shared between threads. */
typedef struct gs_safetensors gs_safetensors;

typedef enum {
    GS_ST_F32, GS_ST_F16, GS_ST_BF16, GS_ST_F64,
    GS_ST_I64, GS_ST_I32, GS_ST_I16, GS_ST_I8, GS_ST_U8, GS_ST_BOOL,
} gs_st_dtype;

/* On failure *error (if non-NULL) receives a malloc'd message; free() it. */
gs_status gs_safetensors_open(const char *path, gs_safetensors **out, char **error);
/* The same over bytes in memory (a model embedded in a binary, say); `data`
 * must outlive the handle; `name` is used in messages. */
gs_status gs_safetensors_open_memory(const void *data, size_t size, const char *name, gs_safetensors **out,
                                     char **error);
void gs_safetensors_close(gs_safetensors *st);

int gs_safetensors_count(const gs_safetensors *st);
const char *gs_safetensors_name(const gs_safetensors *st, int i);
int gs_safetensors_find(const gs_safetensors *st, const char *name); /* -1 if absent */
gs_st_dtype gs_safetensors_dtype(const gs_safetensors *st, int i);
int gs_safetensors_ndim(const gs_safetensors *st, int i);
int64_t gs_safetensors_dim(const gs_safetensors *st, int i, int d); /* 1 for d >= ndim */
int64_t gs_safetensors_numel(const gs_safetensors *st, int i);      /* may be 0 */
/* The raw little-endian bytes inside the mapping, valid until close. Not
 * necessarily aligned: memcpy out of it. */
const void *gs_safetensors_data(const gs_safetensors *st, int i);
/* Copies tensor i to the host as floats (f32, f16 or bf16 in the file);
 * dst holds gs_safetensors_numel() floats. GS_ERR_UNSUPPORTED for others. */
gs_status gs_safetensors_read(const gs_safetensors *st, int i, float *dst);
/* Elements [first, first + count) of tensor i (row-major), as floats. */
gs_status gs_safetensors_read_range(const gs_safetensors *st, int i, int64_t first, int64_t count, float *dst);
/* Drops tensor i's pages of the mapping from memory once it has been
 * uploaded (they would be read from the file again if touched): weights
 * then count once, on the device, not twice in the process's RSS. */
void gs_safetensors_evict(const gs_safetensors *st, int i);
/* A __metadata__ value, or NULL. */
const char *gs_safetensors_metadata(const gs_safetensors *st, const char *key);

/* Uploads tensor `name` as a device tensor of `dtype` (converting from the
 * file's f32, f16 or bf16). With expect_shape, the file's shape must equal
 * it (ndim dims); without, the file's shape is used. NULL on failure, with
 * the tensor and the file named in the context's error. */
gs_tensor *gs_safetensors_load(gs_context *ctx, const gs_safetensors *st, const char *name, gs_dtype dtype,
                               int ndim, const int64_t *expect_shape);

/* ---- command streams ---------------------------------------------------- */

typedef struct gs_stream gs_stream;

gs_stream *gs_stream_new(gs_context *ctx);
void gs_stream_free(gs_stream *s);
/* Runs everything recorded so far, waits, and starts a fresh recording. */
gs_status gs_stream_submit(gs_stream *s);
/* Number of dispatches and barriers recorded since the last submit. */
void gs_stream_stats(const gs_stream *s, int *dispatches, int *barriers);

/* ---- ops: each records one or more dispatches into the stream ----------- */

/* Weights (the `b`/`weight` arguments of matmul and the convolutions) may be
 * fp16 or fp32; every other tensor argument is fp32. Outputs are never
 * allowed to alias inputs unless an op says so. */

/* out = a ⊙ b with numpy-style broadcasting of b over a's shape. out may be a. */
gs_status gs_op_add(gs_stream *s, gs_tensor *out, const gs_tensor *a, const gs_tensor *b);
gs_status gs_op_mul(gs_stream *s, gs_tensor *out, const gs_tensor *a, const gs_tensor *b);

/* out[M,N] = a[M,K] · b[K,N] + bias[N]. a and out may have leading batch
 * dims, flattened into M. With transpose_b, b is [N,K] (torch Linear weight).
 * bias may be NULL. */
gs_status gs_op_matmul(gs_stream *s, gs_tensor *out, const gs_tensor *a, const gs_tensor *b, const gs_tensor *bias,
                       bool transpose_b);

/* x [N,C,H,W], weight [O,C,k,k] (k = 1, 3 or 5), bias [O] or NULL,
 * out [N,O,Ho,Wo] with Ho = (H + 2·padding − k)/stride + 1. */
gs_status gs_op_conv2d(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *weight,
                       const gs_tensor *bias, int stride, int padding);
/* The same conv as unfold (gs_op_unfold2d) + GEMM, for CPU drivers, where it
 * is faster: gs_conv2d_gemm_rows gives the output rows per chunk (0: this
 * device or shape has no GEMM path, use gs_op_conv2d), and `columns` must
 * hold rows · Wo · C·k·k floats (fewer make smaller chunks, at least one
 * row). Falls back to gs_op_conv2d where the GEMM path does not apply. */
int64_t gs_conv2d_gemm_rows(gs_context *ctx, const gs_tensor *x, const gs_tensor *weight, int stride, int padding);
gs_status gs_op_conv2d_gemm(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *weight,
                            const gs_tensor *bias, int stride, int padding, gs_tensor *columns);
/* The same conv without the unfold, for CPU drivers with texel loads: an
 * implicit GEMM gathering its rows tap by tap from x_padded [N, H+2·padding,
 * W+2·padding, C], the input zero-padded and channels-last
 * (gs_op_padded_nhwc), with the weight taps-major, [O,k,k,C]. C and O
 * multiples of 4. image_bias [N,O] (or NULL) is added per image and output
 * channel (a ResBlock's timestep embedding). gs_conv2d_taps_major() says
 * whether a device and shape take this path; gs_weights_conv stores weights
 * that way when they do. */
bool gs_conv2d_taps_major(gs_context *ctx, int64_t out_channels, int64_t in_channels, int64_t kernel);
gs_status gs_op_conv2d_implicit(gs_stream *s, gs_tensor *out, const gs_tensor *x_padded, const gs_tensor *weight,
                                const gs_tensor *bias, const gs_tensor *image_bias, int stride);
/* Token-major 2-D unfold (im2col) of one image x [1,C,H,W] (or [C,H,W]) for
 * output rows row0 … row0 + rows − 1: out [rows, Wo, C·k·k] with
 * out[oy − row0, ox, (c·k + ky)·k + kx] = x[c, oy·stride + ky − padding,
 * ox·stride + kx − padding] (0 outside). */
gs_status gs_op_unfold2d(gs_stream *s, gs_tensor *out, const gs_tensor *x, int kernel, int stride, int padding,
                         int row0);

/* x [N,C,...] normalised per (n, group of C/groups channels); gamma, beta [C].
 * With silu, out = silu(normalised) (the ResBlock's GroupNorm + SiLU). */
gs_status gs_op_group_norm(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *gamma,
                           const gs_tensor *beta, int groups, float eps, bool silu);
/* The same GroupNorm (x [N,C,H,W], C a multiple of 4) written zero-padded
 * and channels-last, out [N, H+2·pad, W+2·pad, C]: the input of
 * gs_op_conv2d_implicit. stats holds 2·N·groups floats of scratch. */
gs_status gs_op_group_norm_padded_nhwc(gs_stream *s, gs_tensor *out, gs_tensor *stats, const gs_tensor *x,
                                       const gs_tensor *gamma, const gs_tensor *beta, int groups, float eps, bool silu,
                                       int pad);
/* Normalises over the last dim; gamma, beta [last dim]. */
gs_status gs_op_layer_norm(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *gamma,
                           const gs_tensor *beta, float eps);
/* out = gelu(layer_norm(x)) in one pass (the speech model's blocks). */
gs_status gs_op_layer_norm_gelu(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *gamma,
                                const gs_tensor *beta, float eps);
/* Softmax over the last dim. */
gs_status gs_op_softmax(gs_stream *s, gs_tensor *out, const gs_tensor *x);

/* Fused scaled-dot-product attention, no Lq×Lk buffer (online softmax).
 * q [B,Lq,H·D], k and v [B,Lk,H·D], out [B,Lq,H·D]: heads interleaved as
 * the projections produce them. Scale 1/sqrt(D); causal masks keys j > i.
 * Head dim D = H·D / heads at most 256. */
gs_status gs_op_attention(gs_stream *s, gs_tensor *out, const gs_tensor *q, const gs_tensor *k, const gs_tensor *v,
                          int heads, bool causal);

/* Exact (erf) GELU, SiLU, and GEGLU: x [...,2n] → out [...,n] = a·gelu(g)
 * where a, g are the first and second halves of the last dim. */
gs_status gs_op_gelu(gs_stream *s, gs_tensor *out, const gs_tensor *x);
/* x·sigmoid(1.702·x): the sigmoid approximation of GELU that CLIP ViT-L
 * (SD 1.x's text encoder) was trained with. */
gs_status gs_op_quick_gelu(gs_stream *s, gs_tensor *out, const gs_tensor *x);
gs_status gs_op_silu(gs_stream *s, gs_tensor *out, const gs_tensor *x);
gs_status gs_op_geglu(gs_stream *s, gs_tensor *out, const gs_tensor *x);
gs_status gs_op_exp(gs_stream *s, gs_tensor *out, const gs_tensor *x);
/* out = ln(max(x, floor)), floor > 0 (log spectra, whose silent bins are 0). */
gs_status gs_op_log(gs_stream *s, gs_tensor *out, const gs_tensor *x, float floor);
gs_status gs_op_relu(gs_stream *s, gs_tensor *out, const gs_tensor *x);

/* Concatenation along `dim`; all other dims equal. */
gs_status gs_op_concat(gs_stream *s, gs_tensor *out, const gs_tensor *a, const gs_tensor *b, int dim);
/* Swaps the last two dims: [B,R,C] → [B,C,R] (NCHW ↔ token-major). */
gs_status gs_op_transpose(gs_stream *s, gs_tensor *out, const gs_tensor *x);
/* Nearest-neighbour ×2: [N,C,H,W] → [N,C,2H,2W]. */
gs_status gs_op_upsample_nearest2x(gs_stream *s, gs_tensor *out, const gs_tensor *x);
/* Zero padding of the last two dims: x [N,C,H,W] → out [N,C,top+H+bottom,
 * left+W+right] (the VAE's downsample pads right and bottom by 1 before its
 * stride-2 convolution); a negative pad crops, as torch's F.pad does (the
 * vocoder drops its heads' padding columns). */
gs_status gs_op_pad2d(gs_stream *s, gs_tensor *out, const gs_tensor *x, int top, int bottom, int left, int right);
/* x [N,C,H,W] → out [N, H+2·pad, W+2·pad, C]: channels-last with a zero
 * border, the input of gs_op_conv2d_implicit. C a multiple of 4. */
gs_status gs_op_padded_nhwc(gs_stream *s, gs_tensor *out, const gs_tensor *x, int pad);
/* Depth-to-space (torch's pixel_shuffle): x [N,C·r²,H,W] → out [N,C,H·r,W·r]
 * with out[n,c,y,x] = x[n, (c·r + y mod r)·r + x mod r, y/r, x/r]. */
gs_status gs_op_depth_to_space(gs_stream *s, gs_tensor *out, const gs_tensor *x, int block);

/* x [N,C,L], weight [O,C,K], bias [O] or NULL; out [N,O,Lo] with
 * Lo = (L + 2·padding − dilation·(K−1) − 1)/stride + 1. */
gs_status gs_op_conv1d(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *weight,
                       const gs_tensor *bias, int stride, int padding, int dilation);
/* im2col for token-major sequences: x [N,L,C] → out [N,Lo,C·K] with
 * out[n,t,c·K+k] = x[n, t + k·dilation − padding, c] (0 outside) and
 * Lo = L + 2·padding − dilation·(K−1): a stride-1 conv1d is then one matmul
 * with the weight [O,C,K] seen as [O,C·K]. */
gs_status gs_op_unfold1d(gs_stream *s, gs_tensor *out, const gs_tensor *x, int kernel, int padding, int dilation);
/* x [N,C,L], weight [C,O,K] (torch ConvTranspose1d layout), bias [O] or NULL;
 * out [N,O,(L−1)·stride − 2·padding + K]. */
gs_status gs_op_conv_transpose1d(gs_stream *s, gs_tensor *out, const gs_tensor *x, const gs_tensor *weight,
                                 const gs_tensor *bias, int stride, int padding);

/* Sinusoidal embedding of timesteps t [N] → out [N,dim]: half = dim/2,
 * f_i = exp(−ln(max_period)·i/half), out = [cos(t·f), sin(t·f)] (cos first,
 * as SD's UNet) or [sin, cos] when cos_first is false. */
gs_status gs_op_timestep_embedding(gs_stream *s, gs_tensor *out, const gs_tensor *t, int dim, float max_period,
                                   bool cos_first);

/* Real FFT of each row, n a power of two in 256..2048: x [B,n] →
 * out [B,n/2+1,2] (re, im). The inverse takes [B,n/2+1,2] → [B,n] and
 * divides by n, so irfft(rfft(x)) = x. */
gs_status gs_op_rfft(gs_stream *s, gs_tensor *out, const gs_tensor *x);
gs_status gs_op_irfft(gs_stream *s, gs_tensor *out, const gs_tensor *x);

/* STFT framing as torch.stft(center=True, pad_mode="reflect") with a
 * periodic Hann window of n: signal [len] → frames [T, n], T = len/hop + 1
 * (len > n/2). Overlap-add is its inverse as torch.istft: frames [T, n] →
 * signal [hop·(T−1)], each sample divided by the squared windows summed
 * over the frames that cover it. */
gs_status gs_op_stft_frames(gs_stream *s, gs_tensor *frames, const gs_tensor *signal, int hop);
gs_status gs_op_overlap_add(gs_stream *s, gs_tensor *signal, const gs_tensor *frames, int hop);
/* One fast Griffin-Lim step (Perraudin et al. 2013) per bin: with
 * p = max(magnitude, 0)·spectrum/|spectrum|, out = p + momentum·(p − prev)
 * and prev = p (with momentum 0, prev is written and not read). spectrum,
 * out, prev [T, bins, 2]; magnitude [T, bins]. */
gs_status gs_op_griffin_lim_project(gs_stream *s, gs_tensor *out, const gs_tensor *spectrum,
                                    const gs_tensor *magnitude, gs_tensor *prev, float momentum);
/* A starting phase for Griffin-Lim from the magnitudes alone (the phase
 * vocoder's rule with peaks locked): magnitude [T, bins] → spectrum
 * [T, bins, 2], bins = n/2 + 1 ≤ 1025 for frames of n with hop `hop`,
 * T ≤ 65,000. Each frame's peaks advance at their interpolated frequency;
 * the other bins follow their nearest peak (shaders/phase_init.comp). */
gs_status gs_op_phase_init(gs_stream *s, gs_tensor *spectrum, const gs_tensor *magnitude, int hop);

/* ---- random numbers ------------------------------------------------------ */

/* Standard normal noise, counter-based and so reproducible anywhere:
 * Philox4x32-10 keyed by the 64-bit seed, counter = (index / 4, stream),
 * Box–Muller on consecutive pairs of its 32-bit outputs. Element i of
 * (seed, stream) is the same whatever the count or the order of calls. */
void gs_normal_noise(uint64_t seed, uint32_t stream, uint64_t first, float *dst, size_t count);

/* ---- speech front end (espeak-ng) ----------------------------------------- */

/* One unit of a sentence: an IPA phoneme ("h", "oʊ", "ɹ") with its stress
 * (0 none, 1 primary, 2 secondary), or a boundary: " " between words, ","
 * for a clause pause, "." "?" "!" at the end of a sentence. */
typedef struct {
    char symbol[14];
    uint8_t stress;
} gs_phone;

typedef struct gs_phonemizer gs_phonemizer;

/* `lang` is an espeak-ng voice name ("en-us", "de", "fr"…); NULL means
 * "en-us". An unknown language fails with GS_ERR_INVALID_ARGUMENT. */
gs_status gs_phonemizer_new(const char *lang, gs_phonemizer **out, char **error);
void gs_phonemizer_free(gs_phonemizer *ph);
/* Phonemes of the next sentence of *text, which advances past it (NULL at
 * the end). A sentence may come back empty (only punctuation). Invalid
 * UTF-8 fails with GS_ERR_INVALID_ARGUMENT. Free the phones with
 * gs_phones_free. */
gs_status gs_phonemizer_next_sentence(gs_phonemizer *ph, const char **text, gs_phone **phones, int *count,
                                      char **error);
void gs_phones_free(gs_phone *phones);

/* ---- text → speech ----------------------------------------------------- */

typedef struct gs_speech gs_speech;

typedef enum {
    GS_VOCODER_AUTO = 0,    /* the neural vocoder when the model has one, else Griffin-Lim */
    GS_VOCODER_GRIFFIN_LIM, /* phase by iterative STFT projection, no training needed */
    GS_VOCODER_NEURAL,      /* the model's trained vocoder */
} gs_vocoder;

typedef struct {
    const char *voice;         /* a speaker of the model ("slt"…); NULL =
                                * gs_speech_default_voice(lang) */
    /* A blend of the model's voices in place of `voice`: one weight in 0–1
     * per voice, in gs_speech_voice_name's order, summing to 1 (a cloned
     * voice, gs-voice.h). NULL = `voice`. */
    const float *voice_blend;
    const char *lang;          /* espeak-ng language; NULL = "en-us" */
    float rate;                /* speaking rate, 1 = as trained */
    float pitch;               /* shift in semitones */
    float energy;              /* emphasis, in the model's standard deviations of energy (±3) */
    /* Formants moved by this many semitones (a shorter vocal tract up, a
     * longer down; ±GS_SPEECH_MAX_FORMANT_SHIFT). The pitch moves with
     * them: add −formant_shift to `pitch` to keep it. */
    float formant_shift;
    gs_vocoder vocoder;
    /* after the phase from the magnitudes' peaks: 0 keeps that phase (the
     * cheapest audio, for measuring pitch); outside 0–1000, the default */
    int griffin_lim_iterations;
} gs_speech_params;

#define GS_SPEECH_MAX_FORMANT_SHIFT 6.0f

gs_speech_params gs_speech_default_params(void);

/* One sentence of audio, as soon as it is ready: mono float samples at
 * gs_speech_sample_rate(), its log-mel spectrogram ([mel_bins, mel_frames],
 * row-major), and the fraction of the text done. Return false to cancel. */
typedef struct {
    const float *samples;
    size_t sample_count;
    const float *mel;
    int mel_bins, mel_frames;
    double progress;
} gs_speech_chunk;
typedef bool (*gs_speech_callback)(const gs_speech_chunk *chunk, void *user_data);

gs_status gs_speech_load(gs_context *ctx, const char *path, gs_speech **out);
void gs_speech_free(gs_speech *m);
int gs_speech_sample_rate(const gs_speech *m);
int gs_speech_voice_count(const gs_speech *m);
/* Voice 0 is the model's default voice. */
const char *gs_speech_voice_name(const gs_speech *m, int index);
/* The espeak-ng language the voice learned ("en-us" for models that do
 * not say); NULL for an index out of range. */
const char *gs_speech_voice_language(const gs_speech *m, int index);
/* The voice a NULL gs_speech_params.voice speaks `lang` with: the first,
 * in listing order, that learned it, else voice 0. */
const char *gs_speech_default_voice(const gs_speech *m, const char *lang);
/* Whether a voice of the model learned `lang` (gs_speech_voice_language).
 * Other languages speak through the nearest phonemes the model knows. */
bool gs_speech_knows_language(const gs_speech *m, const char *lang);
bool gs_speech_has_neural_vocoder(const gs_speech *m);
/* Speaks `text` sentence by sentence (memory stays bounded by one
 * sentence). Empty text, invalid UTF-8, an unknown voice or language fail
 * with GS_ERR_INVALID_ARGUMENT; a false from the callback gives
 * GS_ERR_CANCELLED. */
gs_status gs_speech_synthesize(gs_speech *m, const char *text, const gs_speech_params *params,
                               gs_speech_callback callback, void *user_data);

/* One sung phoneme: an IPA symbol with its stress (as gs_phone), how long
 * it lasts, and its pitch in octaves from the voice's mean pitch (the
 * model's own unit; NAN keeps the pitch the model predicts, and voiceless
 * phonemes keep none). */
typedef struct {
    char symbol[14];
    uint8_t stress;
    float seconds;
    float pitch;
} gs_sung_phone;

#define GS_SING_MAX_PHONES 4096
#define GS_SING_MAX_SECONDS 60

/* Sings a phrase with these durations and pitches in place of the model's
 * predictors, through the params' voice and vocoder (rate, pitch and
 * energy are not used) → mono samples at gs_speech_sample_rate(),
 * malloc'd. Durations fall on the model's frame grid (hop / sample rate),
 * rounded by their running sum: every phoneme starts within half a frame
 * of its planned time. More than GS_SING_MAX_PHONES phonemes or
 * GS_SING_MAX_SECONDS, a negative duration, a pitch beyond ±3 octaves or
 * an unknown voice give GS_ERR_INVALID_ARGUMENT. */
gs_status gs_speech_sing(gs_speech *m, const gs_sung_phone *phones, int count, const gs_speech_params *params,
                         float **samples, size_t *sample_count);

/* ---- speaker encoder ------------------------------------------------------ */

/* A few seconds of speech → a unit vector, near for one speaker and far for
 * two (data/models/speaker-encoder.safetensors; the cosine of two is their
 * similarity). */
typedef struct gs_speaker_encoder gs_speaker_encoder;

gs_status gs_speaker_encoder_load(gs_context *ctx, const char *path, gs_speaker_encoder **out);
void gs_speaker_encoder_free(gs_speaker_encoder *e);
int gs_speaker_encoder_sample_rate(const gs_speaker_encoder *e);
int gs_speaker_encoder_dim(const gs_speaker_encoder *e);
/* Mono samples at gs_speaker_encoder_sample_rate(), 1–120 s, any level
 * (not silent) → `embedding`, dim floats of unit length. */
gs_status gs_speaker_encoder_embed(gs_speaker_encoder *e, const float *samples, size_t count, float *embedding);

/* ---- text → image diffusion ------------------------------------------------ */

typedef struct gs_diffusion gs_diffusion;

typedef enum {
    GS_SAMPLER_EULER_A = 0,
    GS_SAMPLER_EULER,
    GS_SAMPLER_DDIM,
    GS_SAMPLER_DPMPP_2M,
    GS_SAMPLER_LCM,      /* latent consistency: x0, then fresh noise to the next sigma */
} gs_sampler;

/* "euler_a" → GS_SAMPLER_EULER_A etc.; false when unknown. */
bool gs_sampler_from_name(const char *name, gs_sampler *out);
/* AUTOMATIC1111's display name: "Euler a", "DPM++ 2M Karras", ... */
const char *gs_sampler_display_name(gs_sampler sampler, bool karras);

/* Called after each step with the current sample as RGB floats in [0,1],
 * H×W×3 interleaved. Return false to cancel (the run ends with
 * GS_ERR_CANCELLED before the next step). */
typedef bool (*gs_step_callback)(int step, int steps, const float *rgb, int width, int height, void *user_data);

typedef struct {
    const char *prompt;
    const char *negative_prompt;
    /* Output size in pixels; 0 = the model's default. Latent models need
     * multiples of 8 × their VAE's factor (64 for SD). */
    int width, height;
    int steps;
    float cfg_scale;        /* 1 disables classifier-free guidance */
    uint64_t seed;
    gs_sampler sampler;
    bool karras;            /* Karras sigma spacing */
    /* img2img: H×W×3 RGB in [0,1] and how much of it to repaint (0..1). */
    const float *init_image;
    float strength;
    /* Inpainting (needs init_image): H×W in [0,1], 1 = repaint. */
    const float *mask;
    /* A1111 variation seed: the initial noise is slerp(noise(seed),
     * noise(variation_seed), variation_strength); strength 0 = off. */
    uint64_t variation_seed;
    float variation_strength;
    /* Text-encoder layers to skip from the end (A1111 "Clip skip"): 1 =
     * the last layer; 0 = the model family's default (SD 2.x: penultimate). */
    int clip_skip;
    gs_step_callback callback;
    void *user_data;
} gs_image_params;

gs_image_params gs_image_default_params(void);

/* ---- diffusion models: families, probing, loading ------------------------ */

typedef enum {
    GS_FAMILY_GENSTUDIO = 0, /* the project's own pixel-space models (emoji32) */
    GS_FAMILY_SD1,           /* SD 1.x: CLIP ViT-L/14, context 768 */
    GS_FAMILY_SD2,           /* SD 2.x and SD-Turbo: OpenCLIP ViT-H/14, context 1024 */
} gs_model_family;

typedef enum {
    GS_PREDICTION_AUTO = 0,  /* what the file says, else ε */
    GS_PREDICTION_EPS,
    GS_PREDICTION_V,
} gs_prediction;

/* What a model file or diffusers folder holds, read from its headers and
 * config files only: no weights are read, no device is needed. */
typedef struct {
    gs_model_family family;
    char family_name[32];      /* "SD 1.x", "SD 2.x", "SD-Turbo", "GenStudio" */
    char layout[16];           /* "single-file", "diffusers", "genstudio" */
    char weight_dtype[8];      /* "f32", "f16", "bf16" (the UNet's) */
    bool inpainting;           /* 9-channel UNet input */
    bool turbo;                /* SD-Turbo: 1–4 steps, no CFG */
    gs_prediction prediction;  /* EPS or V; V only when the file says so */
    bool prediction_from_file; /* the file or folder stated it */
    bool needs_tokenizer;      /* single-file SD: CLIP vocabulary must come from elsewhere */
    int default_width, default_height, default_steps;
    float default_cfg;
    gs_sampler default_sampler; /* chosen by measurement for GenStudio models, Euler a for SD */
    char licence[128];         /* from the file's metadata, "" when it names none */
    uint64_t size_bytes;       /* bytes on disk (all files of a folder) */
} gs_model_info;

/* Refuses, with a message naming what it is, SDXL, SD 3, Flux, LoRA-only
 * files, pickles (.ckpt/.pt/.bin: "GenStudio never unpickles"), files
 * missing tensors (the first few listed) and shapes that do not match.
 * GS_ERR_UNSUPPORTED for known-but-unsupported kinds, GS_ERR_FORMAT for
 * broken ones; the message is malloc'd into *error (free() it). */
gs_status gs_model_probe(const char *path, gs_model_info *info, char **error);

typedef struct {
    /* Where single-file SD checkpoints find the CLIP BPE vocabulary: a
     * folder with vocab.json + merges.txt, or bpe_simple_vocab_16e6.txt.gz.
     * NULL: only the model's own tokenizer files (diffusers folders). */
    const char *tokenizer_dir;
    gs_prediction prediction;  /* AUTO: from the file, else ε */
    /* Called while weights are read (0..1); return false to cancel
     * (GS_ERR_CANCELLED). */
    bool (*progress)(double fraction, void *user_data);
    void *user_data;
} gs_diffusion_load_params;

gs_diffusion_load_params gs_diffusion_load_default_params(void);

/* Loads a model: a .safetensors file (GenStudio or single-file SD) or a
 * diffusers folder. Errors, e.g. a corrupt file, are in the context. */
gs_status gs_diffusion_load(gs_context *ctx, const char *path, gs_diffusion **out);
gs_status gs_diffusion_load_with_params(gs_context *ctx, const char *path, const gs_diffusion_load_params *params,
                                        gs_diffusion **out);
void gs_diffusion_free(gs_diffusion *model);
const gs_model_info *gs_diffusion_info(const gs_diffusion *model);
/* The default output size. */
int gs_diffusion_width(const gs_diffusion *model);
int gs_diffusion_height(const gs_diffusion *model);
/* GFLOP of one UNet call at batch 1, counted while recording. */
double gs_diffusion_unet_gflop(const gs_diffusion *model);
/* Dispatches and barriers the last UNet call recorded (its whole batch). */
void gs_diffusion_unet_counts(const gs_diffusion *model, int *dispatches, int *barriers);

/* Generates one image into `rgb` (H×W×3 floats in [0,1], H and W from the
 * params or the model's defaults). */
gs_status gs_diffusion_generate(gs_diffusion *model, const gs_image_params *params, float *rgb);

/* ---- super-resolution: ESRGAN upscalers ------------------------------------ */

/* A pretrained ESRGAN (RDN or RRDN) upscaler converted by tools/esrgan/convert.py:
 * the file's __metadata__ holds the graph, so any of the variants (slim,
 * medium, thick; ×2, ×3, ×4, ×8) loads the same way.
 *
 *   gs_upscaler *up;
 *   if (gs_upscaler_load(ctx, "esrgan-slim-x4.safetensors", &up) == GS_OK) {
 *       float *out = malloc((size_t)w * 4 * h * 4 * 3 * sizeof *out);
 *       gs_upscaler_run(up, rgb, w, h, out, NULL);
 *       gs_upscaler_free(up);
 *   }
 *
 * Large images run in overlapping tiles whose overlap is the network's
 * receptive radius, so each output pixel is computed from all the input it
 * depends on: the result equals the untiled one (no seams, nothing to
 * blend), and device memory is bounded by the tile size whatever the image
 * size. The image is extended by a few pixels of edge replication before
 * the network sees it (and the extension cropped from the output), so the
 * borders are not computed against zeros. */
typedef struct gs_upscaler gs_upscaler;

typedef struct {
    /* Tile side in input pixels, overlap included; 0 = the default (160).
     * At least 2·overlap + 8. */
    int tile;
    /* Called after each tile (0..1); return false to cancel
     * (GS_ERR_CANCELLED). */
    bool (*progress)(double fraction, void *user_data);
    void *user_data;
} gs_upscaler_params;

gs_upscaler_params gs_upscaler_default_params(void);

/* A missing, corrupt or foreign file fails with GS_ERR_IO or
 * GS_ERR_FORMAT and a message naming the file, in the context. */
gs_status gs_upscaler_load(gs_context *ctx, const char *path, gs_upscaler **out);
void gs_upscaler_free(gs_upscaler *up);
int gs_upscaler_scale(const gs_upscaler *up);
/* Input pixels each side of a tile that only feed its neighbours' output. */
int gs_upscaler_overlap(const gs_upscaler *up);
/* "esrgan-slim" etc. from the file's metadata (the package name's tail). */
const char *gs_upscaler_name(const gs_upscaler *up);
/* rgb_in: w×h×3 floats in [0,1], interleaved; rgb_out: (s·w)×(s·h)×3, in
 * [0,1]. params may be NULL (defaults). */
gs_status gs_upscaler_run(gs_upscaler *up, const float *rgb_in, int w, int h, float *rgb_out,
                          const gs_upscaler_params *params);

/* ---- GAN generator ------------------------------------------------------------ */

/* The conditional GAN tools/gan/ trains (data/models/README.md): a caption
 * and a noise vector to a small image in one forward pass, no sampler.
 * The caption is read as a bag of the model's words (order and unknown
 * words do not matter). */
typedef struct gs_gan gs_gan;

/* True when `path` is a safetensors file with a GAN configuration. */
bool gs_gan_probe(const char *path);
/* A missing, corrupt or foreign file fails with GS_ERR_IO or GS_ERR_FORMAT
 * and a message naming the file, in the context. */
gs_status gs_gan_load(gs_context *ctx, const char *path, gs_gan **out);
void gs_gan_free(gs_gan *gan);
/* The side of the (square) images. */
int gs_gan_size(const gs_gan *gan);
int gs_gan_noise_dim(const gs_gan *gan);
/* `count` (1..64) images of one prompt in one pass, image i from
 * gs_normal_noise(seeds[i], 0, 0, …): rgb_out holds count × size × size × 3
 * floats in [0,1], one interleaved image after the other. */
gs_status gs_gan_generate(gs_gan *gan, const char *prompt, const uint64_t *seeds, int count, float *rgb_out);
/* The same from given noise, count × gs_gan_noise_dim floats. */
gs_status gs_gan_generate_noise(gs_gan *gan, const char *prompt, const float *z, int count, float *rgb_out);

#ifdef __cplusplus
}
#endif
