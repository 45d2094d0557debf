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

/* ---- command streams ---------------------------------------------------- */

typedef struct gs_stream gs_stream;

gs_stream *gs_stream_new(gs_context *ctx);
void gs_stream_free(gs_stream *s);
/* Runs everything recorded so far, waits, and starts a fresh recording. */
gs_status gs_stream_submit(gs_stream *s);
/* Number of dispatches and barriers recorded since the last submit. */
void gs_stream_stats(const gs_stream *s, int *dispatches, int *barriers);

/* ---- ops: each records one or more dispatches into the stream ----------- */

/* out = a ⊙ b with numpy-style broadcasting of b over a's shape. */
gs_status gs_op_add(gs_stream *s, gs_tensor *out, const gs_tensor *a, const gs_tensor *b);
gs_status gs_op_mul(gs_stream *s, gs_tensor *out, const gs_tensor *a, const gs_tensor *b);

#ifdef __cplusplus
}
#endif
