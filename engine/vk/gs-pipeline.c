/* Compute pipelines, created on first use per (SPIR-V, specialization) pair
 * and kept for the context's life; a VkPipelineCache persisted on disk makes
 * the next start fast.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gs-vk-private.h"

typedef struct {
    gs_kernel kernel;
    VkShaderModule module;
    VkPipeline pipeline;
} pipeline_entry;

struct gs_pipeline_set {
    gs_context *ctx;
    VkPipelineCache cache;
    pipeline_entry *entries;
    int count, capacity;
};

static void *
read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    void *data = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && n < (64L << 20) && fseek(f, 0, SEEK_SET) == 0) {
            data = malloc((size_t)n);
            if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
                free(data);
                data = NULL;
            }
            *len = (size_t)n;
        }
    }
    fclose(f);
    return data;
}

static void
make_parent_dirs(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(copy, 0755);
        *p = '/';
    }
    free(copy);
}

/* Temp file, fsync, rename: a crash never leaves a half-written cache. */
static void
write_file_atomically(const char *path, const void *data, size_t len)
{
    make_parent_dirs(path);
    size_t tmp_len = strlen(path) + 32;
    char *tmp = malloc(tmp_len);
    if (!tmp)
        return;
    snprintf(tmp, tmp_len, "%s.%d.tmp", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    bool ok = fd >= 0 && write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
    free(tmp);
}

gs_pipeline_set *
gs_pipeline_set_new(gs_context *ctx)
{
    gs_pipeline_set *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    set->ctx = ctx;
    size_t len = 0;
    void *data = ctx->cache_path ? read_whole_file(ctx->cache_path, &len) : NULL;
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
    return set;
}

void
gs_pipeline_set_free(gs_pipeline_set *set)
{
    if (!set)
        return;
    VkDevice dev = set->ctx->device;
    if (set->cache && set->ctx->cache_path && set->count > 0) {
        size_t len = 0;
        if (vkGetPipelineCacheData(dev, set->cache, &len, NULL) == VK_SUCCESS && len > 0) {
            void *data = malloc(len);
            if (data && vkGetPipelineCacheData(dev, set->cache, &len, data) == VK_SUCCESS)
                write_file_atomically(set->ctx->cache_path, data, len);
            free(data);
        }
    }
    for (int i = 0; i < set->count; i++) {
        vkDestroyPipeline(dev, set->entries[i].pipeline, NULL);
        vkDestroyShaderModule(dev, set->entries[i].module, NULL);
    }
    if (set->cache)
        vkDestroyPipelineCache(dev, set->cache, NULL);
    free(set->entries);
    free(set);
}

static bool
same_kernel(const gs_kernel *a, const gs_kernel *b)
{
    return a->spirv == b->spirv && a->spec_count == b->spec_count &&
           memcmp(a->spec, b->spec, a->spec_count * sizeof a->spec[0]) == 0;
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

    VkShaderModuleCreateInfo minfo = {
        .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
        .codeSize = kernel->spirv_bytes,
        .pCode = kernel->spirv,
    };
    VkShaderModule module;
    VkResult r = vkCreateShaderModule(ctx->device, &minfo, NULL, &module);
    if (r != VK_SUCCESS)
        return gs_fail_vk(ctx, r, "creating a shader module");

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
            .module = module,
            .pName = "main",
            .pSpecializationInfo = kernel->spec_count ? &spec : NULL,
        },
        .layout = ctx->pipeline_layout,
    };
    VkPipeline pipeline;
    r = gs_fault_check(ctx, GS_FAULT_PIPELINE);
    if (r == VK_SUCCESS)
        r = vkCreateComputePipelines(ctx->device, set->cache, 1, &pinfo, NULL, &pipeline);
    if (r != VK_SUCCESS) {
        vkDestroyShaderModule(ctx->device, module, NULL);
        return gs_fail_vk(ctx, r, "creating a compute pipeline");
    }
    set->entries[set->count++] = (pipeline_entry){ *kernel, module, pipeline };
    *out = pipeline;
    return GS_OK;
}
