/* Private to the engine: the Vulkan objects behind the public handles.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <vulkan/vulkan.h>

#include "genstudio-engine.h"

#define GS_PUSH_CONSTANT_BYTES 128

/* ---- device memory: large blocks, sub-allocated ------------------------- */

typedef struct gs_block gs_block;

typedef struct {
    gs_block *block;
    VkDeviceSize offset;
    VkDeviceSize size;
} gs_allocation;

typedef struct gs_allocator gs_allocator;

gs_allocator *gs_allocator_new(gs_context *ctx);
void gs_allocator_free(gs_allocator *a);
gs_status gs_alloc(gs_context *ctx, VkDeviceSize size, gs_allocation *out);
void gs_release(gs_context *ctx, const gs_allocation *alloc);
VkDeviceAddress gs_allocation_address(const gs_allocation *alloc);
VkBuffer gs_allocation_buffer(const gs_allocation *alloc);
VkDeviceSize gs_allocation_buffer_bytes(const gs_allocation *alloc);
void *gs_allocation_map(const gs_allocation *alloc); /* NULL if not host-visible */
gs_status gs_staging_copy(gs_context *ctx, const gs_allocation *alloc, VkDeviceSize offset, void *host,
                          VkDeviceSize bytes, bool to_device);
/* Bytes of VkDeviceMemory the allocator holds from the driver (live or not). */
VkDeviceSize gs_allocator_reserved(const gs_allocator *a);

/* ---- pipelines ---------------------------------------------------------- */

typedef struct {
    const uint32_t *spirv;
    size_t spirv_bytes;
    /* Specialization constants with ids 0..count-1, all 32-bit. */
    uint32_t spec[8];
    uint32_t spec_count;
} gs_kernel;

typedef struct gs_pipeline_set gs_pipeline_set;

gs_pipeline_set *gs_pipeline_set_new(gs_context *ctx);
void gs_pipeline_set_free(gs_pipeline_set *set);
gs_status gs_pipeline_get(gs_context *ctx, const gs_kernel *kernel, VkPipeline *out);

/* For tests: how many pipelines this context took from the workers that
 * create the last run's; with `wait`, first waits until they are all made. */
int gs_pipeline_warm_adopted(gs_context *ctx, bool wait);

/* The kernels a run used (gs-kernel-list.c). Loading gives each its own
 * copy of the SPIR-V; a missing or damaged list loads as none. */
int gs_kernel_list_load(const char *path, gs_kernel **out);
void gs_kernel_list_save(const char *path, const gs_kernel *kernels, int count);
void gs_kernel_list_free(gs_kernel *kernels, int count);

/* Files in the cache folder (gs-cache-file.c): NULL when absent or over 64 MiB;
 * written through a temp file, fsync and rename. */
void *gs_cache_file_read(const char *path, size_t *len);
void gs_cache_file_write(const char *path, const void *data, size_t len);

/* ---- test-only fault injection (gs-fault.c) ------------------------------ */

typedef enum { GS_FAULT_ALLOC, GS_FAULT_PIPELINE, GS_FAULT_SUBMIT, GS_FAULT_SITES } gs_fault_site;

typedef struct {
    gs_fault_site site;
    long nth;        /* 0: no fault */
    VkResult result;
    long calls[GS_FAULT_SITES];
    bool fired, lost;
} gs_fault;

/* Parses GS_FAULT's "SITE:N:oom|lost" (NULL or "": none); false if malformed. */
bool gs_fault_configure(gs_fault *fault, const char *spec);
/* Counts one call at `site`; VK_SUCCESS, or the error to pretend the driver
 * returned instead of making the call. */
VkResult gs_fault_check(gs_context *ctx, gs_fault_site site);

/* ---- the context -------------------------------------------------------- */

struct gs_context {
    VkInstance instance;
    VkPhysicalDevice physical;
    VkDevice device;
    VkQueue queue;
    uint32_t queue_family;
    VkPhysicalDeviceMemoryProperties memory_props;
    VkPipelineLayout pipeline_layout;
    VkCommandPool command_pool;
    /* Set 0 of every pipeline: GS_TEXEL_BINDINGS uniform texel buffers, pushed
     * per dispatch (VK_KHR_push_descriptor), when texel_loads is on. */
    VkDescriptorSetLayout texel_layout;
    PFN_vkCmdPushDescriptorSetKHR push_descriptor_set;
    VkDeviceSize texel_offset_alignment;
    uint32_t max_texel_elements;

    gs_device_info *devices;
    int device_count;
    int chosen;
    bool fp16_storage;
    bool cpu_kernels; /* kernel variants tuned for CPU drivers; see gs_cpu_kernels() */
    bool int64_loads; /* shaderInt64 enabled and not turned off by GS_NO_INT64=1 */
    /* CPU kernels read operands as texels (push descriptors present), unless
     * GS_NO_TEXEL=1 asks for the storage-buffer loads (so tests cover both). */
    bool texel_loads;

    gs_allocator *allocator;
    gs_pipeline_set *pipelines;
    char *cache_path;

    /* Graph passes are numbered per context so that a storage's tag names
     * one pass of one graph (see gs-graph.c). */
    uint64_t graph_passes;
    bool graph_planning; /* GS_GRAPH_PLANNING=0 turns it off, to compare */
    bool conv_direct;    /* GS_CONV_DIRECT=1: no unfold + GEMM convolutions, to compare */
    /* The largest planned activation arena since the peak was last reset,
     * and the sum of the same graph's temporaries. */
    uint64_t arena_peak, arena_peak_temporaries;

    gs_fault fault;

    char error[1024];
    gs_status last_status; /* what gs_fail last recorded with `error` */
};

/* Records `fmt` as the context's last error (and `status` with it, for
 * calls that return NULL) and returns `status`. */
gs_status gs_fail(gs_context *ctx, gs_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* What a NULL from gs_tensor_new() or gs_stream_new() stands for: the
 * status recorded with the context's error (out of memory, device lost…). */
static inline gs_status
gs_last_status(const gs_context *ctx)
{
    return ctx->last_status != GS_OK ? ctx->last_status : GS_ERR_OUT_OF_MEMORY;
}
/* For calls with no context yet (opening files, parsing): a malloc'd
 * message into *error when error is non-NULL (the caller free()s it);
 * returns `status`. */
gs_status gs_set_error(char **error, gs_status status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Maps a VkResult to a status and records "<what>: <vk error name>". */
gs_status gs_fail_vk(gs_context *ctx, VkResult result, const char *what);
const char *gs_vk_result_name(VkResult result);
gs_status gs_status_from_vk(VkResult result);

/* ---- tensors ------------------------------------------------------------ */

/* Refcounted memory behind tensors: an allocation of its own, a window of
 * a parent's (a graph temporary placed in its arena), or none at all (a
 * virtual tensor of a graph's planning pass: shapes only, address fake). */
typedef struct gs_storage gs_storage;
struct gs_storage {
    gs_context *ctx;
    gs_allocation alloc; /* block NULL: virtual */
    int refs;
    gs_storage *parent;  /* aliases keep their parent's memory alive */
    bool host_written;   /* an upload wrote it */
    /* Which graph temporary this is: the pass that made it, and its index. */
    uint64_t graph_pass;
    int32_t graph_temp;
};

struct gs_tensor {
    gs_context *ctx;
    gs_storage *storage;
    VkDeviceSize byte_offset;
    gs_dtype dtype;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
};

size_t gs_dtype_size(gs_dtype dtype);
VkDeviceAddress gs_tensor_address(const gs_tensor *t);
VkDeviceSize gs_tensor_bytes(const gs_tensor *t);
gs_storage *gs_storage_ref(gs_storage *s);
void gs_storage_unref(gs_storage *s);
/* A tensor with no memory: ops may take it while a graph plans (their
 * dispatches are skipped), uploads only mark it host-written, downloads fail. */
gs_tensor *gs_tensor_new_virtual(gs_context *ctx, gs_dtype dtype, int ndim, const int64_t *shape);
/* A tensor over `base`'s memory from byte `offset`, with a storage of its own
 * (its own tag and flags) that keeps base's memory alive. */
gs_tensor *gs_tensor_new_alias(gs_tensor *base, VkDeviceSize offset, gs_dtype dtype, int ndim, const int64_t *shape);

/* ---- recording dispatches ----------------------------------------------- */

typedef enum { GS_READ = 1, GS_WRITE = 2 } gs_access;

typedef struct {
    const gs_tensor *tensor;
    gs_access access;
} gs_binding;

/* Records one dispatch: binds the pipeline for `kernel`, pushes `push`
 * (at most GS_PUSH_CONSTANT_BYTES), inserts a barrier first if any binding
 * touches memory an earlier dispatch wrote (or writes memory one read), and
 * keeps the tensors' memory alive until the stream is submitted. */
gs_status gs_stream_dispatch(gs_stream *s, const gs_kernel *kernel, const void *push,
                             size_t push_bytes, const gs_binding *bindings, int binding_count,
                             uint32_t groups_x, uint32_t groups_y, uint32_t groups_z);
/* Operands a kernel reads through a uniform texel buffer (binding i of set
 * 0 for texels[i]) as texels of `format`: llvmpipe fetches texels with
 * vector gathers, where it reads storage buffers one lane and one component
 * at a time (engine/README.md). The tensor must be listed in the bindings
 * too, for barriers and lifetime. */
#define GS_TEXEL_BINDINGS 4
typedef struct {
    const gs_tensor *tensor;
    VkFormat format; /* R32G32B32A32, R16G16B16A16, R32 or R16, all SFLOAT */
} gs_texel_binding;
gs_status gs_stream_dispatch_texels(gs_stream *s, const gs_kernel *kernel, const void *push, size_t push_bytes,
                                    const gs_binding *bindings, int binding_count, const gs_texel_binding *texels,
                                    int texel_count, uint32_t groups_x, uint32_t groups_y, uint32_t groups_z);
/* True when `t` can be read as texels of `format`: texel loads on, its
 * offset aligned for a view and its size within the limit. */
bool gs_texel_bindable(const gs_context *ctx, const gs_tensor *t, VkFormat format);
/* The same for `items` independent work items, `per_group` per workgroup. */
gs_status gs_stream_dispatch_1d(gs_stream *s, const gs_kernel *kernel, const void *push, size_t push_bytes,
                                const gs_binding *bindings, int binding_count, int64_t items, uint32_t per_group);
/* CPU drivers: whether an elementwise kernel may read a (and b, unless NULL)
 * as vec4 texels and write out as vec4s, `texels` invocations in 1-D
 * workgroups of `workgroup`. The caller checks its own lengths divide by 4. */
bool gs_vec4_texel_path(const gs_context *ctx, const gs_tensor *out, const gs_tensor *a, const gs_tensor *b,
                        int64_t texels, uint32_t workgroup);
gs_context *gs_stream_context(const gs_stream *s);

/* Sees every dispatch before it is recorded; returning false skips it. A
 * graph uses it to learn which temporaries each dispatch touches and to skip
 * dispatches while it plans. */
typedef bool (*gs_dispatch_observer)(void *user, const gs_binding *bindings, int count);
void gs_stream_set_observer(gs_stream *s, gs_dispatch_observer observer, void *user);
bool gs_stream_recording(const gs_stream *s);
/* Drops everything recorded since the last submit, unrun. */
void gs_stream_discard(gs_stream *s);
/* One pointer the graph layer keeps with the stream (its plans), destroyed
 * with the stream. */
void *gs_stream_graph_data(const gs_stream *s);
void gs_stream_set_graph_data(gs_stream *s, void *data, void (*destroy)(void *));

/* True when ops should pick the variants tuned for CPU drivers (no shared
 * memory, no barriers, big register blocks): on CPU devices, unless
 * GS_GPU_KERNELS=1 asks for the GPU variants (so tests cover both on lavapipe). */
bool gs_cpu_kernels(const gs_context *ctx);
/* True when shaders may load through 64-bit words (shaderInt64 enabled),
 * unless GS_NO_INT64=1 asks for the 32-bit fallback (so tests cover both). */
bool gs_int64_loads(const gs_context *ctx);

/* matmul_weight_lanes.comp's block for N output columns: rows shared by
 * the subgroup, groups of 4 columns per lane (gs-op-matmul.c; the conv
 * GEMM uses it too). */
typedef struct {
    uint32_t rows, groups;
} gs_weight_lanes_block;
gs_weight_lanes_block gs_choose_weight_lanes_block(int64_t n);

/* matmul_texels.comp (gs-op-matmul.c; the conv GEMM uses it too): a [M,K]
 * and b read as texels, out (from byte out_offset) = a·b + bias; with
 * conv_gemm_texels b is [N,K] and out is written transposed, row stride ldd. */
typedef struct {
    uint32_t rows, groups;
} gs_texel_block;
typedef struct {
    VkDeviceAddress dst, bias;
    uint32_t m, n, k;
    uint32_t has_bias;
    uint32_t ldd;
} gs_texel_push;
gs_texel_block gs_choose_texel_block(int64_t m, int64_t n);
bool gs_texel_gemm_operands(const gs_context *ctx, const gs_tensor *a, const gs_tensor *b);
/* A weight's texel format: 4 fp16 or fp32 values, as stored. */
VkFormat gs_weight_texel_format(const gs_tensor *b);
gs_status gs_record_texel_gemm(gs_stream *s, const gs_kernel *kernel, gs_tensor *out, VkDeviceSize out_offset,
                               const gs_tensor *a, const gs_tensor *b, const gs_tensor *bias, int64_t m, int64_t n,
                               int64_t k, int64_t ldd);

/* Shape checks shared by the op host files. */
bool gs_same_shape(const gs_tensor *a, const gs_tensor *b);
gs_status gs_check_dtype(gs_context *ctx, const char *op, const gs_tensor *t, gs_dtype dtype);
uint32_t gs_groups(int64_t items, uint32_t per_group);

#define GS_KERNEL(name) ((gs_kernel){ .spirv = gs_spv_##name, .spirv_bytes = sizeof(gs_spv_##name) })
