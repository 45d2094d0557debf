/* Tensors: a shape and a dtype over a window of refcounted device memory.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gs-vk-private.h"

/* Where virtual tensors claim to be: never dereferenced (their dispatches
 * are skipped), but aligned like real memory in case an op looks. */
#define VIRTUAL_ADDRESS ((VkDeviceSize)1 << 44)

gs_storage *
gs_storage_ref(gs_storage *s)
{
    s->refs++;
    return s;
}

void
gs_storage_unref(gs_storage *s)
{
    if (--s->refs > 0)
        return;
    if (s->parent)
        gs_storage_unref(s->parent);
    else if (s->alloc.block)
        gs_release(s->ctx, &s->alloc);
    free(s);
}

size_t
gs_dtype_size(gs_dtype dtype)
{
    return dtype == GS_F16 ? 2 : 4;
}

static int64_t
shape_numel(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    return n;
}

/* Dims must be positive and the element count must fit comfortably in the
 * 32-bit indices the shaders use. */
static gs_status
check_shape(gs_context *ctx, int ndim, const int64_t *shape)
{
    if (ndim < 1 || ndim > GS_MAX_DIMS)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "tensor rank %d is outside 1..%d", ndim, GS_MAX_DIMS);
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1 || shape[i] > (INT64_C(1) << 31))
            return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "tensor dim %d has invalid size %lld", i,
                           (long long)shape[i]);
        n *= shape[i];
        if (n > (INT64_C(1) << 31) - 1)
            return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "tensor of more than 2^31 elements");
    }
    return GS_OK;
}

/* A tensor over `s` (which it owns), or NULL with `s` freed. */
static gs_tensor *
wrap_storage(gs_context *ctx, gs_storage *s, gs_dtype dtype, int ndim, const int64_t *shape)
{
    gs_tensor *t = calloc(1, sizeof *t);
    if (!t) {
        gs_storage_unref(s);
        gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
        return NULL;
    }
    t->ctx = ctx;
    t->storage = s;
    t->dtype = dtype;
    t->ndim = ndim;
    memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
    return t;
}

static gs_storage *
storage_new(gs_context *ctx)
{
    gs_storage *s = calloc(1, sizeof *s);
    if (!s) {
        gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
        return NULL;
    }
    s->ctx = ctx;
    s->refs = 1;
    return s;
}

static gs_status
check_new(gs_context *ctx, gs_dtype dtype, int ndim, const int64_t *shape)
{
    gs_status st = check_shape(ctx, ndim, shape);
    if (st == GS_OK && dtype == GS_F16 && !ctx->fp16_storage)
        st = gs_fail(ctx, GS_ERR_UNSUPPORTED, "fp16 tensors need 16-bit storage, which this device lacks");
    return st;
}

gs_tensor *
gs_tensor_new(gs_context *ctx, gs_dtype dtype, int ndim, const int64_t *shape)
{
    if (check_new(ctx, dtype, ndim, shape) != GS_OK)
        return NULL;
    gs_storage *s = storage_new(ctx);
    if (!s)
        return NULL;
    if (gs_alloc(ctx, (VkDeviceSize)shape_numel(ndim, shape) * gs_dtype_size(dtype), &s->alloc) != GS_OK) {
        free(s);
        return NULL;
    }
    return wrap_storage(ctx, s, dtype, ndim, shape);
}

gs_tensor *
gs_tensor_new_virtual(gs_context *ctx, gs_dtype dtype, int ndim, const int64_t *shape)
{
    if (check_new(ctx, dtype, ndim, shape) != GS_OK)
        return NULL;
    gs_storage *s = storage_new(ctx);
    if (!s)
        return NULL;
    s->alloc.offset = VIRTUAL_ADDRESS;
    s->alloc.size = (VkDeviceSize)shape_numel(ndim, shape) * gs_dtype_size(dtype);
    return wrap_storage(ctx, s, dtype, ndim, shape);
}

gs_tensor *
gs_tensor_new_alias(gs_tensor *base, VkDeviceSize offset, gs_dtype dtype, int ndim, const int64_t *shape)
{
    gs_context *ctx = base->ctx;
    if (check_new(ctx, dtype, ndim, shape) != GS_OK)
        return NULL;
    VkDeviceSize bytes = (VkDeviceSize)shape_numel(ndim, shape) * gs_dtype_size(dtype);
    if (offset + bytes > gs_tensor_bytes(base)) {
        gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "a window of %llu bytes at %llu exceeds a tensor of %llu",
                (unsigned long long)bytes, (unsigned long long)offset, (unsigned long long)gs_tensor_bytes(base));
        return NULL;
    }
    gs_storage *s = storage_new(ctx);
    if (!s)
        return NULL;
    s->alloc = base->storage->alloc;
    s->alloc.offset += base->byte_offset + offset;
    s->alloc.size = bytes;
    s->parent = gs_storage_ref(base->storage);
    return wrap_storage(ctx, s, dtype, ndim, shape);
}

gs_tensor *
gs_tensor_view(gs_tensor *src, int64_t offset, int ndim, const int64_t *shape)
{
    gs_context *ctx = src->ctx;
    if (check_shape(ctx, ndim, shape) != GS_OK)
        return NULL;
    if (offset < 0 || offset + shape_numel(ndim, shape) > gs_tensor_numel(src)) {
        gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "view of %lld elements at %lld exceeds a tensor of %lld",
                (long long)shape_numel(ndim, shape), (long long)offset, (long long)gs_tensor_numel(src));
        return NULL;
    }
    gs_tensor *t = calloc(1, sizeof *t);
    if (!t) {
        gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
        return NULL;
    }
    *t = *src;
    t->storage = gs_storage_ref(src->storage);
    t->byte_offset = src->byte_offset + (VkDeviceSize)offset * gs_dtype_size(src->dtype);
    t->ndim = ndim;
    memset(t->shape, 0, sizeof t->shape);
    memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
    return t;
}

void
gs_tensor_free(gs_tensor *t)
{
    if (!t)
        return;
    gs_storage_unref(t->storage);
    free(t);
}

/* NULL (what a failed graph op returns) reads as a 0-element tensor, so
 * that graph code can go on to the status check without testing each one. */
gs_dtype gs_tensor_dtype(const gs_tensor *t) { return t ? t->dtype : GS_F32; }
int gs_tensor_ndim(const gs_tensor *t) { return t ? t->ndim : 0; }

int64_t
gs_tensor_dim(const gs_tensor *t, int i)
{
    if (!t)
        return 0;
    return i >= 0 && i < t->ndim ? t->shape[i] : 1;
}

int64_t
gs_tensor_numel(const gs_tensor *t)
{
    return t ? shape_numel(t->ndim, t->shape) : 0;
}

VkDeviceAddress
gs_tensor_address(const gs_tensor *t)
{
    return gs_allocation_address(&t->storage->alloc) + t->byte_offset;
}

VkDeviceSize
gs_tensor_bytes(const gs_tensor *t)
{
    return (VkDeviceSize)gs_tensor_numel(t) * gs_dtype_size(t->dtype);
}

/* IEEE half <-> float, round to nearest even. */
uint16_t
gs_float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t mag = x & 0x7fffffffu;
    if (mag >= 0x7f800000u) /* inf or nan */
        return (uint16_t)(sign | 0x7c00u | (mag > 0x7f800000u ? 0x200u : 0));
    if (mag >= 0x477ff000u) /* rounds past the largest half */
        return (uint16_t)(sign | 0x7c00u);
    if (mag < 0x38800000u) { /* subnormal half or zero */
        float v;
        memcpy(&v, &mag, 4);
        return (uint16_t)(sign | (uint32_t)lrintf(v * 16777216.0f));
    }
    uint32_t h = ((mag - 0x38000000u) >> 13);
    uint32_t rest = mag & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
        h++;
    return (uint16_t)(sign | h);
}

float
gs_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    float v;
    if (exp == 0) {
        v = ldexpf((float)man, -24);
    } else if (exp == 31) {
        v = man ? NAN : INFINITY;
    } else {
        uint32_t x = ((exp + 112u) << 23) | (man << 13);
        memcpy(&v, &x, 4);
    }
    return sign ? -v : v;
}

static gs_status
copy_bytes(gs_tensor *t, void *host, VkDeviceSize bytes, bool to_device)
{
    if (to_device)
        t->storage->host_written = true;
    if (!t->storage->alloc.block) {
        if (to_device)
            return GS_OK;
        return gs_fail(t->ctx, GS_ERR_INVALID_ARGUMENT, "a tensor of a graph's planning pass has no data to read");
    }
    void *mapped = gs_allocation_map(&t->storage->alloc);
    if (!mapped)
        return gs_staging_copy(t->ctx, &t->storage->alloc, t->byte_offset, host, bytes, to_device);
    char *p = (char *)mapped + t->byte_offset;
    if (to_device)
        memcpy(p, host, bytes);
    else
        memcpy(host, p, bytes);
    return GS_OK;
}

static gs_status
check_count(const gs_tensor *t, int64_t count)
{
    if (count < 0 || count > gs_tensor_numel(t))
        return gs_fail(t->ctx, GS_ERR_INVALID_ARGUMENT, "copy of %lld elements into a tensor of %lld",
                       (long long)count, (long long)gs_tensor_numel(t));
    return GS_OK;
}

gs_status
gs_tensor_upload(gs_tensor *t, const float *src, int64_t count)
{
    gs_status st = check_count(t, count);
    if (st != GS_OK)
        return st;
    if (t->dtype == GS_F32)
        return copy_bytes(t, (void *)src, (VkDeviceSize)count * 4, true);
    uint16_t *half = malloc((size_t)count * 2 + 1);
    if (!half)
        return gs_fail(t->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    for (int64_t i = 0; i < count; i++)
        half[i] = gs_float_to_half(src[i]);
    st = copy_bytes(t, half, (VkDeviceSize)count * 2, true);
    free(half);
    return st;
}

gs_status
gs_tensor_upload_f16(gs_tensor *t, const uint16_t *src, int64_t count)
{
    gs_status st = check_count(t, count);
    if (st != GS_OK)
        return st;
    if (t->dtype == GS_F16)
        return copy_bytes(t, (void *)src, (VkDeviceSize)count * 2, true);
    float *full = malloc((size_t)count * 4 + 1);
    if (!full)
        return gs_fail(t->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    for (int64_t i = 0; i < count; i++)
        full[i] = gs_half_to_float(src[i]);
    st = copy_bytes(t, full, (VkDeviceSize)count * 4, true);
    free(full);
    return st;
}

gs_status
gs_tensor_download(const gs_tensor *t, float *dst, int64_t count)
{
    gs_status st = check_count(t, count);
    if (st != GS_OK)
        return st;
    if (t->dtype == GS_F32)
        return copy_bytes((gs_tensor *)t, dst, (VkDeviceSize)count * 4, false);
    uint16_t *half = malloc((size_t)count * 2 + 1);
    if (!half)
        return gs_fail(t->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    st = copy_bytes((gs_tensor *)t, half, (VkDeviceSize)count * 2, false);
    for (int64_t i = 0; st == GS_OK && i < count; i++)
        dst[i] = gs_half_to_float(half[i]);
    free(half);
    return st;
}

bool
gs_same_shape(const gs_tensor *a, const gs_tensor *b)
{
    return gs_tensor_numel(a) == gs_tensor_numel(b) && a->ndim == b->ndim &&
           memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof a->shape[0]) == 0;
}

gs_status
gs_check_dtype(gs_context *ctx, const char *op, const gs_tensor *t, gs_dtype dtype)
{
    if (t->dtype != dtype)
        return gs_fail(ctx, GS_ERR_INVALID_ARGUMENT, "%s: expected an %s tensor", op, dtype == GS_F16 ? "fp16" : "fp32");
    return GS_OK;
}

uint32_t
gs_groups(int64_t items, uint32_t per_group)
{
    return (uint32_t)((items + per_group - 1) / per_group);
}
