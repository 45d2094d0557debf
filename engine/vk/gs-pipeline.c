/* Compute pipelines, created on first use per (SPIR-V, specialization) pair
 * and kept for the context's life. llvmpipe spends up to half a second on
 * one even when Mesa's shader cache holds its code, so the kernels the last
 * run used (gs-kernel-list.c) are created again on worker threads as soon
 * as the context exists, while the caller loads its model; a kernel asked
 * for before its worker is done waits for it, or is made on the spot if no
 * worker has started it.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gs-vk-private.h"

#define WARM_WORKERS 2

typedef struct {
    gs_kernel kernel;
    VkShaderModule module;
    VkPipeline pipeline;
} pipeline_entry;

typedef enum { WARM_QUEUED, WARM_BUSY, WARM_READY, WARM_FAILED, WARM_TAKEN } warm_state;

/* A kernel of the last run; its SPIR-V is the list's copy. */
typedef struct {
    gs_kernel kernel;
    warm_state state;
    VkShaderModule module;
    VkPipeline pipeline;
} warm_entry;

struct gs_pipeline_set {
    gs_context *ctx;
    VkPipelineCache cache;
    /* What this run asked for, in first-use order; only the recording thread
     * reads or writes it, so the lookup per dispatch takes no lock. */
    pipeline_entry *entries;
    int count, capacity;

    char *list_path;
    warm_entry *warm;
    int warm_count, warm_next;
    bool stopping;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t workers[WARM_WORKERS];
    int worker_count;
    int adopted; /* pipelines this run took from the workers */
};

static VkResult
create_pipeline(gs_context *ctx, VkPipelineCache cache, const gs_kernel *kernel, VkShaderModule *module,
                VkPipeline *pipeline)
{
    VkShaderModuleCreateInfo minfo = {
        .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
        .codeSize = kernel->spirv_bytes,
        .pCode = kernel->spirv,
    };
    VkResult r = vkCreateShaderModule(ctx->device, &minfo, NULL, module);
    if (r != VK_SUCCESS)
        return r;
    VkSpecializationMapEntry map[8];
    for (uint32_t i = 0; i < kernel->spec_count; i++)
        map[i] = (VkSpecializationMapEntry){ i, i * 4, 4 };
    VkSpecializationInfo spec = {
        .mapEntryCount = kernel->spec_count,
        .pMapEntries = map,
        .dataSize = kernel->spec_count * 4,
        .pData = kernel->spec,
    };
    VkComputePipelineCreateInfo pinfo = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {
            .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
            .stage = VK_SHADER_STAGE_COMPUTE_BIT,
            .module = *module,
            .pName = "main",
            .pSpecializationInfo = kernel->spec_count ? &spec : NULL,
        },
        .layout = ctx->pipeline_layout,
    };
    r = vkCreateComputePipelines(ctx->device, cache, 1, &pinfo, NULL, pipeline);
    if (r != VK_SUCCESS) {
        vkDestroyShaderModule(ctx->device, *module, NULL);
        *module = VK_NULL_HANDLE;
    }
    return r;
}

static void *
warm_worker(void *data)
{
    gs_pipeline_set *set = data;
    pthread_mutex_lock(&set->lock);
    while (!set->stopping) {
        while (set->warm_next < set->warm_count && set->warm[set->warm_next].state != WARM_QUEUED)
            set->warm_next++;
        if (set->warm_next == set->warm_count)
            break;
        warm_entry *w = &set->warm[set->warm_next++];
        w->state = WARM_BUSY;
        pthread_mutex_unlock(&set->lock);
        VkResult r = create_pipeline(set->ctx, set->cache, &w->kernel, &w->module, &w->pipeline);
        pthread_mutex_lock(&set->lock);
        w->state = r == VK_SUCCESS ? WARM_READY : WARM_FAILED;
        pthread_cond_broadcast(&set->changed);
    }
    pthread_mutex_unlock(&set->lock);
    return NULL;
}

static char *
list_path_for(const char *cache_path)
{
    if (!cache_path)
        return NULL;
    size_t len = strlen(cache_path) + sizeof ".kernels";
    char *path = malloc(len);
    if (path)
        snprintf(path, len, "%s.kernels", cache_path);
    return path;
}

static void
start_workers(gs_pipeline_set *set)
{
    set->list_path = list_path_for(set->ctx->cache_path);
    gs_kernel *listed = NULL;
    int count = gs_kernel_list_load(set->list_path, &listed);
    set->warm = count ? calloc((size_t)count, sizeof *set->warm) : NULL;
    if (!set->warm) {
        gs_kernel_list_free(listed, count);
        return;
    }
    /* The entries own the list's SPIR-V copies from here on. */
    for (int i = 0; i < count; i++)
        set->warm[i] = (warm_entry){ .kernel = listed[i], .state = WARM_QUEUED };
    free(listed);
    set->warm_count = count;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int wanted = cores > 1 ? WARM_WORKERS : 1;
    while (set->worker_count < wanted &&
           pthread_create(&set->workers[set->worker_count], NULL, warm_worker, set) == 0)
        set->worker_count++;
}

gs_pipeline_set *
gs_pipeline_set_new(gs_context *ctx)
{
    gs_pipeline_set *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    set->ctx = ctx;
    pthread_mutex_init(&set->lock, NULL);
    pthread_cond_init(&set->changed, NULL);
    size_t len = 0;
    void *data = ctx->cache_path ? gs_cache_file_read(ctx->cache_path, &len) : NULL;
    VkPipelineCacheCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
        .initialDataSize = data ? len : 0,
        .pInitialData = data,
    };
    /* A stale or foreign cache is rejected by the driver: start empty then. */
    if (vkCreatePipelineCache(ctx->device, &info, NULL, &set->cache) != VK_SUCCESS) {
        info.initialDataSize = 0;
        info.pInitialData = NULL;
        if (vkCreatePipelineCache(ctx->device, &info, NULL, &set->cache) != VK_SUCCESS)
            set->cache = VK_NULL_HANDLE;
    }
    free(data);
    start_workers(set);
    return set;
}

static void
save_caches(gs_pipeline_set *set)
{
    VkDevice dev = set->ctx->device;
    if (!set->ctx->cache_path || set->count == 0)
        return;
    size_t len = 0;
    if (set->cache && vkGetPipelineCacheData(dev, set->cache, &len, NULL) == VK_SUCCESS && len > 0) {
        void *data = malloc(len);
        if (data && vkGetPipelineCacheData(dev, set->cache, &len, data) == VK_SUCCESS)
            gs_cache_file_write(set->ctx->cache_path, data, len);
        free(data);
    }
    gs_kernel *used = malloc((size_t)set->count * sizeof *used);
    if (used && set->list_path) {
        for (int i = 0; i < set->count; i++)
            used[i] = set->entries[i].kernel;
        gs_kernel_list_save(set->list_path, used, set->count);
    }
    free(used);
}

void
gs_pipeline_set_free(gs_pipeline_set *set)
{
    if (!set)
        return;
    VkDevice dev = set->ctx->device;
    pthread_mutex_lock(&set->lock);
    set->stopping = true;
    pthread_mutex_unlock(&set->lock);
    for (int i = 0; i < set->worker_count; i++)
        pthread_join(set->workers[i], NULL);
    for (int i = 0; i < set->warm_count; i++) {
        if (set->warm[i].state == WARM_READY) {
            vkDestroyPipeline(dev, set->warm[i].pipeline, NULL);
            vkDestroyShaderModule(dev, set->warm[i].module, NULL);
        }
        free((void *)set->warm[i].kernel.spirv);
    }
    save_caches(set);
    for (int i = 0; i < set->count; i++) {
        vkDestroyPipeline(dev, set->entries[i].pipeline, NULL);
        vkDestroyShaderModule(dev, set->entries[i].module, NULL);
    }
    if (set->cache)
        vkDestroyPipelineCache(dev, set->cache, NULL);
    free(set->warm);
    free(set->list_path);
    free(set->entries);
    pthread_cond_destroy(&set->changed);
    pthread_mutex_destroy(&set->lock);
    free(set);
}

static bool
same_kernel(const gs_kernel *a, const gs_kernel *b)
{
    return a->spirv == b->spirv && a->spec_count == b->spec_count &&
           memcmp(a->spec, b->spec, a->spec_count * sizeof a->spec[0]) == 0;
}

static bool
same_content(const gs_kernel *a, const gs_kernel *b)
{
    return a->spirv_bytes == b->spirv_bytes && a->spec_count == b->spec_count &&
           memcmp(a->spec, b->spec, a->spec_count * sizeof a->spec[0]) == 0 &&
           memcmp(a->spirv, b->spirv, a->spirv_bytes) == 0;
}

/* The pipeline a worker made, or is making, for the same kernel. A listed
 * kernel no worker has started yet is left to the caller to make. */
static bool
take_warm(gs_pipeline_set *set, const gs_kernel *kernel, VkShaderModule *module, VkPipeline *pipeline)
{
    bool found = false;
    pthread_mutex_lock(&set->lock);
    for (int i = 0; i < set->warm_count; i++) {
        warm_entry *w = &set->warm[i];
        if (w->state == WARM_TAKEN || !same_content(&w->kernel, kernel))
            continue;
        while (w->state == WARM_BUSY)
            pthread_cond_wait(&set->changed, &set->lock);
        if (w->state == WARM_READY) {
            *module = w->module;
            *pipeline = w->pipeline;
            found = true;
            set->adopted++;
        }
        w->state = WARM_TAKEN;
        break;
    }
    pthread_mutex_unlock(&set->lock);
    return found;
}

gs_status
gs_pipeline_get(gs_context *ctx, const gs_kernel *kernel, VkPipeline *out)
{
    gs_pipeline_set *set = ctx->pipelines;
    for (int i = 0; i < set->count; i++) {
        if (same_kernel(&set->entries[i].kernel, kernel)) {
            *out = set->entries[i].pipeline;
            return GS_OK;
        }
    }
    if (set->count == set->capacity) {
        int cap = set->capacity ? set->capacity * 2 : 32;
        pipeline_entry *grown = realloc(set->entries, (size_t)cap * sizeof *grown);
        if (!grown)
            return gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
        set->entries = grown;
        set->capacity = cap;
    }
    VkShaderModule module;
    VkPipeline pipeline;
    VkResult r = gs_fault_check(ctx, GS_FAULT_PIPELINE);
    if (r == VK_SUCCESS && !take_warm(set, kernel, &module, &pipeline))
        r = create_pipeline(ctx, set->cache, kernel, &module, &pipeline);
    if (r != VK_SUCCESS)
        return gs_fail_vk(ctx, r, "creating a compute pipeline");
    set->entries[set->count++] = (pipeline_entry){ *kernel, module, pipeline };
    *out = pipeline;
    return GS_OK;
}

int
gs_pipeline_warm_adopted(gs_context *ctx, bool wait)
{
    gs_pipeline_set *set = ctx->pipelines;
    pthread_mutex_lock(&set->lock);
    for (int i = 0; wait && set->worker_count > 0 && i < set->warm_count; i++)
        while (set->warm[i].state == WARM_QUEUED || set->warm[i].state == WARM_BUSY)
            pthread_cond_wait(&set->changed, &set->lock);
    int adopted = set->adopted;
    pthread_mutex_unlock(&set->lock);
    return adopted;
}
