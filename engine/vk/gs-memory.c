/* The one device-memory allocator: large VkDeviceMemory blocks, each wrapped
 * in one VkBuffer with a device address, sub-allocated first-fit with
 * coalescing free lists. Allocations larger than a block (a UNet's activation
 * arena, say) get a dedicated block of their own size. A block that empties
 * goes back to the driver, except one spare of each kind, kept because the
 * next model step will most likely ask for the same again: on lavapipe device
 * memory is host memory, and freed blocks must not pile up in the RSS.
 * Host copies go straight through a mapping where the memory is host-visible
 * (lavapipe, integrated GPUs) and through a staging buffer otherwise
 * (discrete GPUs; forced with GS_FORCE_STAGING=1 in tests).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "gs-vk-private.h"

#define BLOCK_BYTES ((VkDeviceSize)64 << 20)
#define ALIGNMENT ((VkDeviceSize)256)

typedef struct free_range {
    VkDeviceSize offset, size;
    struct free_range *next;
} free_range;

struct gs_block {
    VkDeviceMemory memory;
    VkBuffer buffer;
    VkDeviceAddress address;
    VkDeviceSize size;
    void *mapped;
    free_range *free_list;
    VkDeviceSize used; /* bytes in live allocations */
    bool dedicated;    /* holds one allocation larger than BLOCK_BYTES */
    gs_block *next;
};

struct gs_allocator {
    gs_context *ctx;
    gs_block *blocks;
    bool force_staging;
    VkDeviceSize live, peak, reserved;
};

gs_allocator *
gs_allocator_new(gs_context *ctx)
{
    gs_allocator *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->ctx = ctx;
    const char *env = getenv("GS_FORCE_STAGING");
    a->force_staging = env && *env == '1';
    return a;
}

static void
destroy_block(gs_context *ctx, gs_block *b)
{
    while (b->free_list) {
        free_range *next = b->free_list->next;
        free(b->free_list);
        b->free_list = next;
    }
    if (b->buffer)
        vkDestroyBuffer(ctx->device, b->buffer, NULL);
    if (b->memory)
        vkFreeMemory(ctx->device, b->memory, NULL);
    free(b);
}

void
gs_allocator_free(gs_allocator *a)
{
    if (!a)
        return;
    while (a->blocks) {
        gs_block *next = a->blocks->next;
        destroy_block(a->ctx, a->blocks);
        a->blocks = next;
    }
    free(a);
}

static const VkBufferUsageFlags BUFFER_USAGE = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                               VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT |
                                               VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT |
                                               VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT;

/* Best type among `bits`: all `want` flags, then as many `prefer` flags as possible. */
static int
pick_memory_type(const VkPhysicalDeviceMemoryProperties *props, uint32_t bits, VkMemoryPropertyFlags want,
                 VkMemoryPropertyFlags prefer)
{
    int best = -1, best_score = -1;
    for (uint32_t i = 0; i < props->memoryTypeCount; i++) {
        VkMemoryPropertyFlags f = props->memoryTypes[i].propertyFlags;
        if (!(bits & (1u << i)) || (f & want) != want)
            continue;
        int score = __builtin_popcount(f & prefer);
        if (score > best_score) {
            best = (int)i;
            best_score = score;
        }
    }
    return best;
}

/* A buffer bound to fresh memory; used for blocks and staging. */
static gs_status
create_buffer_memory(gs_context *ctx, VkDeviceSize size, VkMemoryPropertyFlags want, VkMemoryPropertyFlags prefer,
                     VkBuffer *buffer, VkDeviceMemory *memory, VkMemoryPropertyFlags *flags)
{
    VkBufferCreateInfo binfo = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = size,
        .usage = BUFFER_USAGE,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    VkResult r = vkCreateBuffer(ctx->device, &binfo, NULL, buffer);
    if (r != VK_SUCCESS)
        return gs_fail_vk(ctx, r, "creating a device buffer");
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(ctx->device, *buffer, &req);
    int type = pick_memory_type(&ctx->memory_props, req.memoryTypeBits, want, prefer);
    if (type < 0) {
        vkDestroyBuffer(ctx->device, *buffer, NULL);
        *buffer = VK_NULL_HANDLE;
        return gs_fail(ctx, GS_ERR_UNSUPPORTED, "no suitable Vulkan memory type for a storage buffer");
    }
    VkMemoryAllocateFlagsInfo flags_info = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
        .flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT,
    };
    VkMemoryAllocateInfo ainfo = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .pNext = &flags_info,
        .allocationSize = req.size,
        .memoryTypeIndex = (uint32_t)type,
    };
    r = vkAllocateMemory(ctx->device, &ainfo, NULL, memory);
    if (r == VK_SUCCESS)
        r = vkBindBufferMemory(ctx->device, *buffer, *memory, 0);
    if (r != VK_SUCCESS) {
        if (*memory)
            vkFreeMemory(ctx->device, *memory, NULL);
        vkDestroyBuffer(ctx->device, *buffer, NULL);
        *buffer = VK_NULL_HANDLE;
        *memory = VK_NULL_HANDLE;
        return gs_fail_vk(ctx, r, "allocating device memory");
    }
    *flags = ctx->memory_props.memoryTypes[type].propertyFlags;
    return GS_OK;
}

static gs_status
new_block(gs_allocator *a, VkDeviceSize size, gs_block **out)
{
    gs_context *ctx = a->ctx;
    gs_block *b = calloc(1, sizeof *b);
    free_range *all = calloc(1, sizeof *all);
    if (!b || !all) {
        free(b);
        free(all);
        return gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
    }
    VkMemoryPropertyFlags flags;
    gs_status st = create_buffer_memory(ctx, size, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                                        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                        &b->buffer, &b->memory, &flags);
    if (st != GS_OK) {
        free(b);
        free(all);
        return st;
    }
    b->size = size;
    b->dedicated = size > BLOCK_BYTES;
    a->reserved += size;
    VkBufferDeviceAddressInfo dinfo = { .sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO, .buffer = b->buffer };
    b->address = vkGetBufferDeviceAddress(ctx->device, &dinfo);
    bool mappable = (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) && (flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    if (mappable && !a->force_staging) {
        VkResult r = vkMapMemory(ctx->device, b->memory, 0, VK_WHOLE_SIZE, 0, &b->mapped);
        if (r != VK_SUCCESS)
            b->mapped = NULL; /* fall back to staging copies */
    }
    all->size = size;
    b->free_list = all;
    b->next = a->blocks;
    a->blocks = b;
    *out = b;
    return GS_OK;
}

static bool
take_from_block(gs_block *b, VkDeviceSize size, gs_allocation *out)
{
    for (free_range **link = &b->free_list; *link; link = &(*link)->next) {
        free_range *r = *link;
        if (r->size < size)
            continue;
        out->block = b;
        out->offset = r->offset;
        out->size = size;
        r->offset += size;
        r->size -= size;
        if (r->size == 0) {
            *link = r->next;
            free(r);
        }
        b->used += size;
        return true;
    }
    return false;
}

static void
drop_block(gs_allocator *a, gs_block *b)
{
    for (gs_block **link = &a->blocks; *link; link = &(*link)->next) {
        if (*link == b) {
            *link = b->next;
            break;
        }
    }
    a->reserved -= b->size;
    destroy_block(a->ctx, b);
}

/* An empty block of the given kind, other than `except`. */
static gs_block *
empty_block(gs_allocator *a, bool dedicated, const gs_block *except)
{
    for (gs_block *b = a->blocks; b; b = b->next)
        if (b != except && b->used == 0 && b->dedicated == dedicated)
            return b;
    return NULL;
}

static void
count_live(gs_allocator *a, VkDeviceSize size)
{
    a->live += size;
    if (a->live > a->peak)
        a->peak = a->live;
}

gs_status
gs_alloc(gs_context *ctx, VkDeviceSize size, gs_allocation *out)
{
    gs_allocator *a = ctx->allocator;
    /* Counted per allocation, not per block, so that a test can fail each
     * tensor's in turn. */
    VkResult injected = gs_fault_check(ctx, GS_FAULT_ALLOC);
    if (injected != VK_SUCCESS)
        return gs_fail_vk(ctx, injected, "allocating device memory");
    size = (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    if (size == 0)
        size = ALIGNMENT;
    if (size <= BLOCK_BYTES) {
        for (gs_block *b = a->blocks; b; b = b->next) {
            if (!b->dedicated && take_from_block(b, size, out)) {
                count_live(a, size);
                return GS_OK;
            }
        }
    } else {
        /* The spare serves when it fits without wasting half of itself;
         * otherwise it goes before a new block is made. */
        gs_block *spare = empty_block(a, true, NULL);
        if (spare && spare->size >= size && spare->size / 2 <= size && take_from_block(spare, size, out)) {
            count_live(a, size);
            return GS_OK;
        }
        if (spare)
            drop_block(a, spare);
    }
    gs_block *b = NULL;
    gs_status st = new_block(a, size > BLOCK_BYTES ? size : BLOCK_BYTES, &b);
    if (st != GS_OK)
        return st;
    take_from_block(b, size, out);
    count_live(a, size);
    return GS_OK;
}

static void
insert_free(gs_block *b, const gs_allocation *alloc)
{
    /* Insert in offset order, then merge with the neighbours it touches. */
    free_range *prev = NULL, *next = b->free_list;
    while (next && next->offset < alloc->offset) {
        prev = next;
        next = next->next;
    }
    if (prev && prev->offset + prev->size == alloc->offset) {
        prev->size += alloc->size;
        if (next && prev->offset + prev->size == next->offset) {
            prev->size += next->size;
            prev->next = next->next;
            free(next);
        }
        return;
    }
    if (next && alloc->offset + alloc->size == next->offset) {
        next->offset = alloc->offset;
        next->size += alloc->size;
        return;
    }
    free_range *r = malloc(sizeof *r);
    if (!r)
        return; /* the range stays unused until the block goes; nothing breaks */
    r->offset = alloc->offset;
    r->size = alloc->size;
    r->next = next;
    if (prev)
        prev->next = r;
    else
        b->free_list = r;
}

void
gs_release(gs_context *ctx, const gs_allocation *alloc)
{
    gs_allocator *a = ctx->allocator;
    gs_block *b = alloc->block;
    if (!b)
        return;
    insert_free(b, alloc);
    b->used -= alloc->size;
    a->live -= alloc->size;
    if (b->used > 0)
        return;
    /* Keep one empty block of each kind (the larger, for dedicated ones). */
    gs_block *other = empty_block(a, b->dedicated, b);
    if (other)
        drop_block(a, other->size < b->size ? other : b);
}

VkDeviceSize
gs_allocator_reserved(const gs_allocator *a)
{
    return a->reserved;
}

void
gs_context_memory_stats(const gs_context *ctx, uint64_t *device_bytes_now, uint64_t *device_bytes_peak)
{
    if (device_bytes_now)
        *device_bytes_now = ctx->allocator->live;
    if (device_bytes_peak)
        *device_bytes_peak = ctx->allocator->peak;
}

void
gs_context_reset_memory_peak(gs_context *ctx)
{
    ctx->allocator->peak = ctx->allocator->live;
    ctx->arena_peak = ctx->arena_peak_temporaries = 0;
}

void
gs_context_activation_stats(const gs_context *ctx, uint64_t *arena_bytes, uint64_t *temporary_bytes)
{
    if (arena_bytes)
        *arena_bytes = ctx->arena_peak;
    if (temporary_bytes)
        *temporary_bytes = ctx->arena_peak_temporaries;
}

VkDeviceAddress
gs_allocation_address(const gs_allocation *alloc)
{
    /* A virtual tensor's offset is its made-up address. */
    return alloc->block ? alloc->block->address + alloc->offset : alloc->offset;
}

VkBuffer
gs_allocation_buffer(const gs_allocation *alloc)
{
    return alloc->block->buffer;
}

VkDeviceSize
gs_allocation_buffer_bytes(const gs_allocation *alloc)
{
    return alloc->block->size;
}

void *
gs_allocation_map(const gs_allocation *alloc)
{
    return alloc->block && alloc->block->mapped ? (char *)alloc->block->mapped + alloc->offset : NULL;
}

/* One-shot copy between a host-visible staging buffer and device memory. */
gs_status
gs_staging_copy(gs_context *ctx, const gs_allocation *alloc, VkDeviceSize offset, void *host, VkDeviceSize bytes,
                bool to_device)
{
    VkBuffer staging = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkMemoryPropertyFlags flags;
    gs_status st = create_buffer_memory(ctx, bytes, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                                        VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                        0, &staging, &memory, &flags);
    if (st != GS_OK)
        return st;
    void *mapped = NULL;
    VkCommandBuffer cb = VK_NULL_HANDLE;
    VkFence fence = VK_NULL_HANDLE;
    VkResult r = vkMapMemory(ctx->device, memory, 0, VK_WHOLE_SIZE, 0, &mapped);
    if (r == VK_SUCCESS) {
        if (to_device)
            memcpy(mapped, host, bytes);
        VkCommandBufferAllocateInfo cinfo = {
            .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
            .commandPool = ctx->command_pool,
            .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
            .commandBufferCount = 1,
        };
        r = vkAllocateCommandBuffers(ctx->device, &cinfo, &cb);
    }
    if (r == VK_SUCCESS) {
        VkCommandBufferBeginInfo begin = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                           .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT };
        vkBeginCommandBuffer(cb, &begin);
        VkBufferCopy region = {
            .srcOffset = to_device ? 0 : alloc->offset + offset,
            .dstOffset = to_device ? alloc->offset + offset : 0,
            .size = bytes,
        };
        VkBuffer device_buffer = gs_allocation_buffer(alloc);
        vkCmdCopyBuffer(cb, to_device ? staging : device_buffer, to_device ? device_buffer : staging, 1, &region);
        r = vkEndCommandBuffer(cb);
    }
    if (r == VK_SUCCESS) {
        VkFenceCreateInfo finfo = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
        r = vkCreateFence(ctx->device, &finfo, NULL, &fence);
    }
    if (r == VK_SUCCESS) {
        VkSubmitInfo submit = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
                                .pCommandBuffers = &cb };
        r = gs_fault_check(ctx, GS_FAULT_SUBMIT);
        if (r == VK_SUCCESS)
            r = vkQueueSubmit(ctx->queue, 1, &submit, fence);
    }
    if (r == VK_SUCCESS)
        r = vkWaitForFences(ctx->device, 1, &fence, VK_TRUE, UINT64_MAX);
    if (r == VK_SUCCESS && !to_device)
        memcpy(host, mapped, bytes);
    if (fence)
        vkDestroyFence(ctx->device, fence, NULL);
    if (cb)
        vkFreeCommandBuffers(ctx->device, ctx->command_pool, 1, &cb);
    vkDestroyBuffer(ctx->device, staging, NULL);
    vkFreeMemory(ctx->device, memory, NULL);
    return r == VK_SUCCESS ? GS_OK : gs_fail_vk(ctx, r, to_device ? "uploading to the device" : "downloading from the device");
}
