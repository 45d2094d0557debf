/* Command streams: many dispatches in one command buffer, one submit.
 * Barriers are inserted only where a dispatch touches memory that an earlier
 * dispatch since the last barrier wrote (or writes what one read), so
 * independent ops (q, k and v projections, say) run back to back.
 * The same rule makes reusing memory within one command buffer safe (a
 * graph's arena): a dispatch that writes a range an earlier one read or
 * wrote since the last barrier gets a barrier first, and anything recorded
 * before the last barrier is already ordered before it, since each barrier
 * orders all earlier compute work (reads and writes) before all later.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "gs-vk-private.h"

typedef struct {
    VkDeviceAddress begin, end;
} address_range;

typedef struct {
    address_range *items;
    int count, capacity;
} range_list;

struct gs_stream {
    gs_context *ctx;
    VkCommandBuffer cb;
    VkFence fence;
    bool recording;
    gs_status broken; /* a recording error poisons the stream until submit */

    range_list pending_reads, pending_writes;
    gs_storage **kept; /* memory the recorded dispatches use */
    int kept_count, kept_capacity;
    VkBufferView *views; /* texel views the recorded dispatches use */
    int view_count, view_capacity;

    int dispatches, barriers;

    gs_dispatch_observer observer;
    void *observer_user;
    void *graph_data;
    void (*graph_data_destroy)(void *);
};

static bool
range_list_push(range_list *l, address_range r)
{
    if (l->count == l->capacity) {
        int cap = l->capacity ? l->capacity * 2 : 64;
        address_range *grown = realloc(l->items, (size_t)cap * sizeof *grown);
        if (!grown)
            return false;
        l->items = grown;
        l->capacity = cap;
    }
    l->items[l->count++] = r;
    return true;
}

static bool
range_list_overlaps(const range_list *l, address_range r)
{
    for (int i = 0; i < l->count; i++)
        if (l->items[i].begin < r.end && r.begin < l->items[i].end)
            return true;
    return false;
}

static void
release_kept(gs_stream *s)
{
    for (int i = 0; i < s->kept_count; i++)
        gs_storage_unref(s->kept[i]);
    s->kept_count = 0;
    for (int i = 0; i < s->view_count; i++)
        vkDestroyBufferView(s->ctx->device, s->views[i], NULL);
    s->view_count = 0;
}

static gs_status
begin_recording(gs_stream *s)
{
    if (s->recording)
        return GS_OK;
    VkCommandBufferBeginInfo begin = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                       .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT };
    VkResult r = vkBeginCommandBuffer(s->cb, &begin);
    if (r != VK_SUCCESS)
        return gs_fail_vk(s->ctx, r, "starting a command buffer");
    s->recording = true;
    s->pending_reads.count = s->pending_writes.count = 0;
    s->dispatches = s->barriers = 0;
    return GS_OK;
}

gs_stream *
gs_stream_new(gs_context *ctx)
{
    gs_stream *s = calloc(1, sizeof *s);
    if (!s) {
        gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
        return NULL;
    }
    s->ctx = ctx;
    VkCommandBufferAllocateInfo cinfo = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = ctx->command_pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    VkFenceCreateInfo finfo = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
    VkResult r = vkAllocateCommandBuffers(ctx->device, &cinfo, &s->cb);
    if (r == VK_SUCCESS)
        r = vkCreateFence(ctx->device, &finfo, NULL, &s->fence);
    if (r != VK_SUCCESS) {
        gs_fail_vk(ctx, r, "creating a command stream");
        gs_stream_free(s);
        return NULL;
    }
    return s;
}

void
gs_stream_free(gs_stream *s)
{
    if (!s)
        return;
    VkDevice dev = s->ctx->device;
    if (s->recording)
        vkEndCommandBuffer(s->cb);
    if (s->fence)
        vkDestroyFence(dev, s->fence, NULL);
    if (s->cb)
        vkFreeCommandBuffers(dev, s->ctx->command_pool, 1, &s->cb);
    release_kept(s);
    if (s->graph_data_destroy)
        s->graph_data_destroy(s->graph_data);
    free(s->kept);
    free(s->views);
    free(s->pending_reads.items);
    free(s->pending_writes.items);
    free(s);
}

gs_context *
gs_stream_context(const gs_stream *s)
{
    return s->ctx;
}

void
gs_stream_set_observer(gs_stream *s, gs_dispatch_observer observer, void *user)
{
    s->observer = observer;
    s->observer_user = user;
}

bool
gs_stream_recording(const gs_stream *s)
{
    return s->recording;
}

void
gs_stream_discard(gs_stream *s)
{
    if (s->recording) {
        vkEndCommandBuffer(s->cb);
        vkResetCommandBuffer(s->cb, 0);
        s->recording = false;
    }
    s->broken = GS_OK;
    s->dispatches = s->barriers = 0;
    release_kept(s);
}

void *
gs_stream_graph_data(const gs_stream *s)
{
    return s->graph_data;
}

void
gs_stream_set_graph_data(gs_stream *s, void *data, void (*destroy)(void *))
{
    if (s->graph_data_destroy && s->graph_data != data)
        s->graph_data_destroy(s->graph_data);
    s->graph_data = data;
    s->graph_data_destroy = destroy;
}

static gs_status
keep_alive(gs_stream *s, gs_storage *storage)
{
    if (s->kept_count == s->kept_capacity) {
        int cap = s->kept_capacity ? s->kept_capacity * 2 : 64;
        gs_storage **grown = realloc(s->kept, (size_t)cap * sizeof *grown);
        if (!grown)
            return gs_fail(s->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
        s->kept = grown;
        s->kept_capacity = cap;
    }
    s->kept[s->kept_count++] = gs_storage_ref(storage);
    return GS_OK;
}

static void
barrier(gs_stream *s)
{
    VkMemoryBarrier mb = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_SHADER_READ_BIT,
        .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
    };
    vkCmdPipelineBarrier(s->cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb,
                         0, NULL, 0, NULL);
    s->pending_reads.count = s->pending_writes.count = 0;
    s->barriers++;
}

static VkDeviceSize
format_bytes(VkFormat format)
{
    switch (format) {
    case VK_FORMAT_R16_SFLOAT: return 2;
    case VK_FORMAT_R32_SFLOAT: return 4;
    case VK_FORMAT_R16G16B16A16_SFLOAT: return 8;
    default: return 16;
    }
}

bool
gs_texel_bindable(const gs_context *ctx, const gs_tensor *t, VkFormat format)
{
    VkDeviceSize offset = t->storage->alloc.offset + t->byte_offset;
    return ctx->texel_loads && offset % ctx->texel_offset_alignment == 0 &&
           gs_tensor_bytes(t) / format_bytes(format) <= ctx->max_texel_elements;
}

bool
gs_vec4_texel_path(const gs_context *ctx, const gs_tensor *out, const gs_tensor *a, const gs_tensor *b,
                   int64_t texels, uint32_t workgroup)
{
    return gs_cpu_kernels(ctx) && gs_tensor_address(out) % 16 == 0 && gs_groups(texels, workgroup) <= 65535 &&
           gs_texel_bindable(ctx, a, VK_FORMAT_R32G32B32A32_SFLOAT) &&
           (!b || gs_texel_bindable(ctx, b, VK_FORMAT_R32G32B32A32_SFLOAT));
}

/* llvmpipe keys a compiled shader on each texel view's `last_level`, which for
 * a buffer view aliases bits 8-15 of its byte range: views whose range has
 * those bits all zero would compile every kernel a second time (1-3 s each).
 * Such a range grows by 256 bytes when the buffer has them; a kernel never
 * reads past its tensor, so the extra texels are never fetched. */
static VkDeviceSize
texel_view_range(const gs_context *ctx, const gs_tensor *t, VkDeviceSize texel_bytes)
{
    VkDeviceSize offset = t->storage->alloc.offset + t->byte_offset;
    VkDeviceSize range = gs_tensor_bytes(t) / texel_bytes * texel_bytes;
    if ((range & 0xff00) == 0 && offset + range + 256 <= gs_allocation_buffer_bytes(&t->storage->alloc) &&
        (range + 256) / texel_bytes <= ctx->max_texel_elements)
        range += 256;
    return range;
}

/* A view of the tensor's whole texels, kept until the stream has run. */
static gs_status
push_texel_views(gs_stream *s, const gs_texel_binding *texels, int count)
{
    VkBufferView views[GS_TEXEL_BINDINGS];
    VkWriteDescriptorSet writes[GS_TEXEL_BINDINGS];
    if (s->view_count + count > s->view_capacity) {
        int cap = s->view_capacity ? s->view_capacity * 2 : 64;
        VkBufferView *grown = realloc(s->views, (size_t)cap * sizeof *grown);
        if (!grown)
            return gs_fail(s->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
        s->views = grown;
        s->view_capacity = cap;
    }
    for (int i = 0; i < count; i++) {
        const gs_tensor *t = texels[i].tensor;
        VkDeviceSize texel_bytes = format_bytes(texels[i].format);
        VkBufferViewCreateInfo info = {
            .sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
            .buffer = gs_allocation_buffer(&t->storage->alloc),
            .format = texels[i].format,
            .offset = t->storage->alloc.offset + t->byte_offset,
            .range = texel_view_range(s->ctx, t, texel_bytes),
        };
        VkResult r = vkCreateBufferView(s->ctx->device, &info, NULL, &views[i]);
        if (r != VK_SUCCESS)
            return gs_fail_vk(s->ctx, r, "creating a texel view");
        s->views[s->view_count++] = views[i];
        writes[i] = (VkWriteDescriptorSet){
            .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
            .dstBinding = (uint32_t)i,
            .descriptorCount = 1,
            .descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER,
            .pTexelBufferView = &views[i],
        };
    }
    s->ctx->push_descriptor_set(s->cb, VK_PIPELINE_BIND_POINT_COMPUTE, s->ctx->pipeline_layout, 0, (uint32_t)count,
                                writes);
    return GS_OK;
}

gs_status
gs_stream_dispatch(gs_stream *s, const gs_kernel *kernel, const void *push, size_t push_bytes,
                   const gs_binding *bindings, int binding_count, uint32_t groups_x, uint32_t groups_y,
                   uint32_t groups_z)
{
    return gs_stream_dispatch_texels(s, kernel, push, push_bytes, bindings, binding_count, NULL, 0, groups_x,
                                     groups_y, groups_z);
}

gs_status
gs_stream_dispatch_texels(gs_stream *s, const gs_kernel *kernel, const void *push, size_t push_bytes,
                          const gs_binding *bindings, int binding_count, const gs_texel_binding *texels,
                          int texel_count, uint32_t groups_x, uint32_t groups_y, uint32_t groups_z)
{
    if (s->broken)
        return s->broken;
    if (texel_count > GS_TEXEL_BINDINGS || (texel_count > 0 && !s->ctx->texel_loads))
        return gs_fail(s->ctx, GS_ERR_INVALID_ARGUMENT,
                       "%d texel bindings (at most %d, and only on a context with texel loads)", texel_count,
                       GS_TEXEL_BINDINGS);
    if (push_bytes > GS_PUSH_CONSTANT_BYTES)
        return gs_fail(s->ctx, GS_ERR_INVALID_ARGUMENT, "push constants of %zu bytes exceed %d", push_bytes,
                       GS_PUSH_CONSTANT_BYTES);
    if (groups_x == 0 || groups_y == 0 || groups_z == 0)
        return GS_OK;
    if (s->observer && !s->observer(s->observer_user, bindings, binding_count))
        return GS_OK;
    gs_status st = begin_recording(s);
    if (st != GS_OK)
        return st;
    VkPipeline pipeline;
    st = gs_pipeline_get(s->ctx, kernel, &pipeline);
    if (st != GS_OK) {
        s->broken = st;
        return st;
    }

    bool hazard = false;
    for (int i = 0; i < binding_count && !hazard; i++) {
        address_range r = { gs_tensor_address(bindings[i].tensor),
                            gs_tensor_address(bindings[i].tensor) + gs_tensor_bytes(bindings[i].tensor) };
        hazard = range_list_overlaps(&s->pending_writes, r) ||
                 ((bindings[i].access & GS_WRITE) && range_list_overlaps(&s->pending_reads, r));
    }
    if (hazard)
        barrier(s);
    for (int i = 0; i < binding_count; i++) {
        const gs_tensor *t = bindings[i].tensor;
        address_range r = { gs_tensor_address(t), gs_tensor_address(t) + gs_tensor_bytes(t) };
        bool ok = range_list_push((bindings[i].access & GS_WRITE) ? &s->pending_writes : &s->pending_reads, r);
        if (!ok || keep_alive(s, t->storage) != GS_OK) {
            s->broken = GS_ERR_OUT_OF_MEMORY;
            return gs_fail(s->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
        }
    }

    vkCmdBindPipeline(s->cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    if (texel_count > 0 && (st = push_texel_views(s, texels, texel_count)) != GS_OK) {
        s->broken = st;
        return st;
    }
    if (push_bytes)
        vkCmdPushConstants(s->cb, s->ctx->pipeline_layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, (uint32_t)push_bytes,
                           push);
    vkCmdDispatch(s->cb, groups_x, groups_y, groups_z);
    s->dispatches++;
    return GS_OK;
}

gs_status
gs_stream_dispatch_1d(gs_stream *s, const gs_kernel *kernel, const void *push, size_t push_bytes,
                      const gs_binding *bindings, int binding_count, int64_t items, uint32_t per_group)
{
    /* Past 65535 groups (the guaranteed limit) spill into y; the shader
     * flattens with gs_flat_group_index(). */
    uint32_t groups = gs_groups(items, per_group);
    uint32_t gx = groups < 65535 ? groups : 65535;
    uint32_t gy = gs_groups(groups, gx);
    return gs_stream_dispatch(s, kernel, push, push_bytes, bindings, binding_count, gx, gy, 1);
}

gs_status
gs_stream_submit(gs_stream *s)
{
    gs_context *ctx = s->ctx;
    gs_status broken = s->broken;
    s->broken = GS_OK;
    if (!s->recording) {
        release_kept(s);
        return broken;
    }
    s->recording = false;
    VkResult r = vkEndCommandBuffer(s->cb);
    if (r == VK_SUCCESS && !broken) {
        VkSubmitInfo submit = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
                                .pCommandBuffers = &s->cb };
        r = gs_fault_check(ctx, GS_FAULT_SUBMIT);
        if (r == VK_SUCCESS)
            r = vkQueueSubmit(ctx->queue, 1, &submit, s->fence);
        if (r == VK_SUCCESS)
            r = vkWaitForFences(ctx->device, 1, &s->fence, VK_TRUE, UINT64_MAX);
        if (r == VK_SUCCESS)
            r = vkResetFences(ctx->device, 1, &s->fence);
    }
    vkResetCommandBuffer(s->cb, 0);
    release_kept(s);
    if (broken)
        return broken;
    return r == VK_SUCCESS ? GS_OK : gs_fail_vk(ctx, r, "running a command stream");
}

void
gs_stream_stats(const gs_stream *s, int *dispatches, int *barriers)
{
    if (dispatches)
        *dispatches = s->dispatches;
    if (barriers)
        *barriers = s->barriers;
}
