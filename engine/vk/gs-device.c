/* Vulkan instance, device choice and the context's lifetime.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE /* strcasestr */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gs-vk-private.h"

const char *
gs_status_name(gs_status status)
{
    switch (status) {
    case GS_OK: return "ok";
    case GS_ERR_INVALID_ARGUMENT: return "invalid argument";
    case GS_ERR_NO_DEVICE: return "no usable Vulkan device";
    case GS_ERR_VULKAN: return "Vulkan error";
    case GS_ERR_OUT_OF_MEMORY: return "out of memory";
    case GS_ERR_DEVICE_LOST: return "device lost";
    case GS_ERR_IO: return "I/O error";
    case GS_ERR_FORMAT: return "invalid file format";
    case GS_ERR_UNSUPPORTED: return "unsupported";
    case GS_ERR_CANCELLED: return "cancelled";
    }
    return "unknown status";
}

const char *
gs_vk_result_name(VkResult result)
{
    switch (result) {
    case VK_SUCCESS: return "VK_SUCCESS";
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_LAYER_NOT_PRESENT: return "VK_ERROR_LAYER_NOT_PRESENT";
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
    case VK_ERROR_FORMAT_NOT_SUPPORTED: return "VK_ERROR_FORMAT_NOT_SUPPORTED";
    case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY";
    case VK_TIMEOUT: return "VK_TIMEOUT";
    default: return "unknown VkResult";
    }
}

gs_status
gs_status_from_vk(VkResult result)
{
    switch (result) {
    case VK_SUCCESS: return GS_OK;
    case VK_ERROR_OUT_OF_HOST_MEMORY:
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    case VK_ERROR_OUT_OF_POOL_MEMORY: return GS_ERR_OUT_OF_MEMORY;
    case VK_ERROR_DEVICE_LOST: return GS_ERR_DEVICE_LOST;
    case VK_ERROR_INCOMPATIBLE_DRIVER:
    case VK_ERROR_INITIALIZATION_FAILED: return GS_ERR_NO_DEVICE;
    default: return GS_ERR_VULKAN;
    }
}

gs_status
gs_fail(gs_context *ctx, gs_status status, const char *fmt, ...)
{
    if (ctx) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->error, sizeof ctx->error, fmt, ap);
        va_end(ap);
        ctx->last_status = status;
    }
    return status;
}

gs_status
gs_set_error(char **error, gs_status status, const char *fmt, ...)
{
    if (error) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        *error = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (*error) {
            va_start(ap, fmt);
            vsnprintf(*error, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    return status;
}

gs_status
gs_fail_vk(gs_context *ctx, VkResult result, const char *what)
{
    gs_status status = gs_status_from_vk(result);
    return gs_fail(ctx, status, "%s: %s (%s)", what, gs_vk_result_name(result), gs_status_name(status));
}

static char *
strdup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static gs_status
create_instance(VkInstance *out, char **error)
{
    VkApplicationInfo app = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "GenStudio",
        .pEngineName = "genstudio-engine",
        .apiVersion = VK_API_VERSION_1_2,
    };
    VkInstanceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        .pApplicationInfo = &app,
    };
    VkResult r = vkCreateInstance(&info, NULL, out);
    if (r != VK_SUCCESS) {
        if (error)
            *error = strdup_printf("cannot create a Vulkan instance: %s. Is a Vulkan driver installed "
                                   "(Debian: mesa-vulkan-drivers)?",
                                   gs_vk_result_name(r));
        return gs_status_from_vk(r);
    }
    return GS_OK;
}

static void
describe_device(VkPhysicalDevice pd, int index, gs_device_info *info)
{
    VkPhysicalDeviceSubgroupProperties subgroup = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES };
    VkPhysicalDeviceDriverProperties driver = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES,
                                                .pNext = &subgroup };
    VkPhysicalDeviceProperties2 props = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &driver };
    vkGetPhysicalDeviceProperties2(pd, &props);

    VkPhysicalDeviceVulkan12Features f12 = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES };
    VkPhysicalDeviceVulkan11Features f11 = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
                                             .pNext = &f12 };
    VkPhysicalDeviceFeatures2 features = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &f11 };
    vkGetPhysicalDeviceFeatures2(pd, &features);

    const VkPhysicalDeviceLimits *lim = &props.properties.limits;
    memset(info, 0, sizeof *info);
    info->index = index;
    snprintf(info->name, sizeof info->name, "%s", props.properties.deviceName);
    snprintf(info->driver, sizeof info->driver, "%.120s %.120s", driver.driverName, driver.driverInfo);
    switch (props.properties.deviceType) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: info->type = GS_DEVICE_DISCRETE_GPU; break;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: info->type = GS_DEVICE_INTEGRATED_GPU; break;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: info->type = GS_DEVICE_VIRTUAL_GPU; break;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: info->type = GS_DEVICE_CPU; break;
    default: info->type = GS_DEVICE_OTHER; break;
    }
    info->api_version = props.properties.apiVersion;
    info->subgroup_size = subgroup.subgroupSize;
    info->shared_memory_bytes = lim->maxComputeSharedMemorySize;
    info->max_workgroup_invocations = lim->maxComputeWorkGroupInvocations;
    info->max_storage_buffer_range = lim->maxStorageBufferRange;
    info->shader_float16 = f12.shaderFloat16;
    info->storage_16bit = f11.storageBuffer16BitAccess;
    info->shader_int64 = features.features.shaderInt64;
    info->buffer_device_address = f12.bufferDeviceAddress;
    info->usable = VK_API_VERSION_MINOR(info->api_version) >= 2 && info->buffer_device_address;
}

static bool
has_device_extension(VkPhysicalDevice pd, const char *name)
{
    uint32_t n = 0;
    if (vkEnumerateDeviceExtensionProperties(pd, NULL, &n, NULL) != VK_SUCCESS)
        return false;
    VkExtensionProperties *props = calloc(n ? n : 1, sizeof *props);
    bool found = false;
    if (props && vkEnumerateDeviceExtensionProperties(pd, NULL, &n, props) == VK_SUCCESS)
        for (uint32_t i = 0; i < n && !found; i++)
            found = strcmp(props[i].extensionName, name) == 0;
    free(props);
    return found;
}

static VkResult
create_texel_layout(gs_context *ctx)
{
    VkDescriptorSetLayoutBinding bindings[GS_TEXEL_BINDINGS];
    for (uint32_t i = 0; i < GS_TEXEL_BINDINGS; i++)
        bindings[i] = (VkDescriptorSetLayoutBinding){ i, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 1,
                                                      VK_SHADER_STAGE_COMPUTE_BIT, NULL };
    VkDescriptorSetLayoutCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
        .flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR,
        .bindingCount = GS_TEXEL_BINDINGS,
        .pBindings = bindings,
    };
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(ctx->physical, &props);
    ctx->texel_offset_alignment = props.limits.minTexelBufferOffsetAlignment;
    ctx->max_texel_elements = props.limits.maxTexelBufferElements;
    return vkCreateDescriptorSetLayout(ctx->device, &info, NULL, &ctx->texel_layout);
}

gs_status
gs_enumerate_devices(gs_device_info **infos, int *count, char **error)
{
    *infos = NULL;
    *count = 0;
    VkInstance instance;
    gs_status st = create_instance(&instance, error);
    if (st != GS_OK)
        return st;
    uint32_t n = 0;
    VkResult r = vkEnumeratePhysicalDevices(instance, &n, NULL);
    VkPhysicalDevice *pds = n ? calloc(n, sizeof *pds) : NULL;
    if (r == VK_SUCCESS && n)
        r = vkEnumeratePhysicalDevices(instance, &n, pds);
    if (r != VK_SUCCESS && r != VK_INCOMPLETE) {
        if (error)
            *error = strdup_printf("cannot list Vulkan devices: %s", gs_vk_result_name(r));
        free(pds);
        vkDestroyInstance(instance, NULL);
        return gs_status_from_vk(r);
    }
    *infos = calloc(n ? n : 1, sizeof **infos);
    for (uint32_t i = 0; i < n; i++)
        describe_device(pds[i], (int)i, &(*infos)[i]);
    *count = (int)n;
    free(pds);
    vkDestroyInstance(instance, NULL);
    return GS_OK;
}

static int
type_rank(gs_device_type type)
{
    switch (type) {
    case GS_DEVICE_DISCRETE_GPU: return 4;
    case GS_DEVICE_INTEGRATED_GPU: return 3;
    case GS_DEVICE_VIRTUAL_GPU: return 2;
    case GS_DEVICE_CPU: return 1;
    default: return 0;
    }
}

/* GS_DEVICE may be an index or a case-insensitive substring of the name. */
static int
choose_device(const gs_device_info *infos, int count, const char *wanted, char **error)
{
    if (wanted && *wanted) {
        char *end;
        long index = strtol(wanted, &end, 10);
        for (int i = 0; i < count; i++) {
            bool match = (*end == '\0') ? index == i : strcasestr(infos[i].name, wanted) != NULL;
            if (match && infos[i].usable)
                return i;
            if (match) {
                *error = strdup_printf("Vulkan device %d (%s) lacks Vulkan 1.2 with bufferDeviceAddress, "
                                       "which GenStudio needs", i, infos[i].name);
                return -1;
            }
        }
        size_t len = 0;
        char names[2048] = "";
        for (int i = 0; i < count && len < sizeof names; i++)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%d: %s", i ? ", " : "", i, infos[i].name);
        *error = strdup_printf("no Vulkan device matches GS_DEVICE='%s'; available: %s", wanted,
                               count ? names : "none");
        return -1;
    }
    int best = -1;
    for (int i = 0; i < count; i++)
        if (infos[i].usable && (best < 0 || type_rank(infos[i].type) > type_rank(infos[best].type)))
            best = i;
    if (best < 0)
        *error = strdup_printf(count ? "none of the %d Vulkan devices supports Vulkan 1.2 with bufferDeviceAddress"
                                     : "no Vulkan device found (%d); install a driver, e.g. Debian's "
                                       "mesa-vulkan-drivers for the CPU driver lavapipe",
                               count);
    return best;
}

static gs_status
create_device(gs_context *ctx, char **error)
{
    uint32_t n = (uint32_t)ctx->device_count;
    VkPhysicalDevice *pds = calloc(n, sizeof *pds);
    vkEnumeratePhysicalDevices(ctx->instance, &n, pds);
    ctx->physical = pds[ctx->chosen];
    free(pds);

    uint32_t qcount = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(ctx->physical, &qcount, NULL);
    VkQueueFamilyProperties *qprops = calloc(qcount, sizeof *qprops);
    vkGetPhysicalDeviceQueueFamilyProperties(ctx->physical, &qcount, qprops);
    ctx->queue_family = UINT32_MAX;
    /* Prefer a compute-only family (async compute on GPUs), else any with compute. */
    for (uint32_t i = 0; i < qcount; i++)
        if ((qprops[i].queueFlags & VK_QUEUE_COMPUTE_BIT) &&
            (ctx->queue_family == UINT32_MAX || !(qprops[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)))
            ctx->queue_family = i;
    free(qprops);
    if (ctx->queue_family == UINT32_MAX) {
        *error = strdup_printf("Vulkan device %s has no compute queue", ctx->devices[ctx->chosen].name);
        return GS_ERR_NO_DEVICE;
    }

    const gs_device_info *info = &ctx->devices[ctx->chosen];
    VkPhysicalDeviceVulkan12Features f12 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
        .bufferDeviceAddress = VK_TRUE,
        .shaderFloat16 = info->shader_float16,
    };
    VkPhysicalDeviceVulkan11Features f11 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
        .pNext = &f12,
        .storageBuffer16BitAccess = info->storage_16bit,
    };
    VkPhysicalDeviceFeatures2 features = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
        .pNext = &f11,
        .features.shaderInt64 = info->shader_int64,
    };
    float priority = 1.0f;
    VkDeviceQueueCreateInfo qinfo = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
        .queueFamilyIndex = ctx->queue_family,
        .queueCount = 1,
        .pQueuePriorities = &priority,
    };
    /* Texel loads are for the CPU kernels; they need push descriptors. */
    bool push_descriptors = info->type == GS_DEVICE_CPU && has_device_extension(ctx->physical,
                                                                                 VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
    const char *extensions[] = { VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME };
    VkDeviceCreateInfo dinfo = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
        .pNext = &features,
        .queueCreateInfoCount = 1,
        .pQueueCreateInfos = &qinfo,
        .enabledExtensionCount = push_descriptors ? 1 : 0,
        .ppEnabledExtensionNames = extensions,
    };
    VkResult r = vkCreateDevice(ctx->physical, &dinfo, NULL, &ctx->device);
    if (r != VK_SUCCESS) {
        *error = strdup_printf("cannot open Vulkan device %s: %s", info->name, gs_vk_result_name(r));
        return gs_status_from_vk(r);
    }
    vkGetDeviceQueue(ctx->device, ctx->queue_family, 0, &ctx->queue);
    vkGetPhysicalDeviceMemoryProperties(ctx->physical, &ctx->memory_props);

    if (push_descriptors) {
        ctx->push_descriptor_set =
            (PFN_vkCmdPushDescriptorSetKHR)vkGetDeviceProcAddr(ctx->device, "vkCmdPushDescriptorSetKHR");
        r = create_texel_layout(ctx);
        if (r != VK_SUCCESS) {
            *error = strdup_printf("cannot set up Vulkan device %s: %s", info->name, gs_vk_result_name(r));
            return gs_status_from_vk(r);
        }
    }
    VkPushConstantRange range = { VK_SHADER_STAGE_COMPUTE_BIT, 0, GS_PUSH_CONSTANT_BYTES };
    VkPipelineLayoutCreateInfo linfo = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
        .setLayoutCount = ctx->texel_layout ? 1 : 0,
        .pSetLayouts = &ctx->texel_layout,
        .pushConstantRangeCount = 1,
        .pPushConstantRanges = &range,
    };
    r = vkCreatePipelineLayout(ctx->device, &linfo, NULL, &ctx->pipeline_layout);
    if (r == VK_SUCCESS) {
        VkCommandPoolCreateInfo pinfo = {
            .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
            .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
            .queueFamilyIndex = ctx->queue_family,
        };
        r = vkCreateCommandPool(ctx->device, &pinfo, NULL, &ctx->command_pool);
    }
    if (r != VK_SUCCESS) {
        *error = strdup_printf("cannot set up Vulkan device %s: %s", info->name, gs_vk_result_name(r));
        return gs_status_from_vk(r);
    }
    ctx->fp16_storage = info->storage_16bit;
    const char *gpu_kernels = getenv("GS_GPU_KERNELS");
    ctx->cpu_kernels = info->type == GS_DEVICE_CPU && !(gpu_kernels && *gpu_kernels == '1');
    const char *planning = getenv("GS_GRAPH_PLANNING");
    ctx->graph_planning = !(planning && *planning == '0');
    const char *conv_direct = getenv("GS_CONV_DIRECT");
    ctx->conv_direct = conv_direct && *conv_direct == '1';
    const char *no_int64 = getenv("GS_NO_INT64");
    ctx->int64_loads = info->shader_int64 && !(no_int64 && *no_int64 == '1');
    const char *no_texel = getenv("GS_NO_TEXEL");
    ctx->texel_loads = ctx->cpu_kernels && ctx->push_descriptor_set && !(no_texel && *no_texel == '1');
    return GS_OK;
}

/* One cache file per device and driver: a cache from another driver would be
 * rejected anyway, and keeping them apart avoids rewriting it at each switch. */
static char *
pipeline_cache_path(const char *cache_dir, const gs_device_info *info)
{
    if (cache_dir && !*cache_dir)
        return NULL;
    char *dir;
    if (cache_dir) {
        dir = strdup_printf("%s", cache_dir);
    } else {
        const char *xdg = getenv("XDG_CACHE_HOME");
        const char *home = getenv("HOME");
        if (xdg && *xdg)
            dir = strdup_printf("%s/genstudio", xdg);
        else if (home && *home)
            dir = strdup_printf("%s/.cache/genstudio", home);
        else
            return NULL;
    }
    char name[300];
    snprintf(name, sizeof name, "pipelines-%.140s-%.140s", info->name, info->driver);
    for (char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-'))
            *c = '_';
    char *path = strdup_printf("%s/%s.bin", dir, name);
    free(dir);
    return path;
}

gs_context_params
gs_context_default_params(void)
{
    return (gs_context_params){ .device = NULL, .cache_dir = NULL, .allow_fp16 = true };
}

gs_status
gs_context_new(const gs_context_params *params, gs_context **out, char **error)
{
    char *local_error = NULL;
    char **err = error ? error : &local_error;
    *err = NULL;
    *out = NULL;

    gs_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        *err = strdup_printf("out of host memory");
        return GS_ERR_OUT_OF_MEMORY;
    }
    gs_status st = create_instance(&ctx->instance, err);
    if (st == GS_OK) {
        uint32_t n = 0;
        VkResult r = vkEnumeratePhysicalDevices(ctx->instance, &n, NULL);
        if (r != VK_SUCCESS) {
            *err = strdup_printf("cannot list Vulkan devices: %s", gs_vk_result_name(r));
            st = gs_status_from_vk(r);
        } else {
            VkPhysicalDevice *pds = calloc(n ? n : 1, sizeof *pds);
            vkEnumeratePhysicalDevices(ctx->instance, &n, pds);
            ctx->devices = calloc(n ? n : 1, sizeof *ctx->devices);
            for (uint32_t i = 0; i < n; i++)
                describe_device(pds[i], (int)i, &ctx->devices[i]);
            ctx->device_count = (int)n;
            free(pds);
        }
    }
    if (st == GS_OK) {
        const char *wanted = params->device ? params->device : getenv("GS_DEVICE");
        ctx->chosen = choose_device(ctx->devices, ctx->device_count, wanted, err);
        if (ctx->chosen < 0)
            st = GS_ERR_NO_DEVICE;
    }
    if (st == GS_OK && !gs_fault_configure(&ctx->fault, getenv("GS_FAULT"))) {
        *err = strdup_printf("GS_FAULT='%s' is not SITE:N:KIND (alloc|pipeline|submit, N >= 1, oom|lost)",
                             getenv("GS_FAULT"));
        st = GS_ERR_INVALID_ARGUMENT;
    }
    if (st == GS_OK)
        st = create_device(ctx, err);
    if (st == GS_OK) {
        if (!params->allow_fp16)
            ctx->fp16_storage = false;
        ctx->cache_path = pipeline_cache_path(params->cache_dir, &ctx->devices[ctx->chosen]);
        ctx->allocator = gs_allocator_new(ctx);
        ctx->pipelines = gs_pipeline_set_new(ctx);
        if (!ctx->allocator || !ctx->pipelines) {
            *err = strdup_printf("out of host memory");
            st = GS_ERR_OUT_OF_MEMORY;
        }
    }
    if (st != GS_OK) {
        gs_context_free(ctx);
        free(local_error);
        return st;
    }
    free(local_error);
    *out = ctx;
    return GS_OK;
}

void
gs_context_free(gs_context *ctx)
{
    if (!ctx)
        return;
    if (ctx->device) {
        vkDeviceWaitIdle(ctx->device);
        gs_pipeline_set_free(ctx->pipelines);
        gs_allocator_free(ctx->allocator);
        if (ctx->command_pool)
            vkDestroyCommandPool(ctx->device, ctx->command_pool, NULL);
        if (ctx->pipeline_layout)
            vkDestroyPipelineLayout(ctx->device, ctx->pipeline_layout, NULL);
        if (ctx->texel_layout)
            vkDestroyDescriptorSetLayout(ctx->device, ctx->texel_layout, NULL);
        vkDestroyDevice(ctx->device, NULL);
    }
    if (ctx->instance)
        vkDestroyInstance(ctx->instance, NULL);
    free(ctx->devices);
    free(ctx->cache_path);
    free(ctx);
}

const char *
gs_context_error(const gs_context *ctx)
{
    return ctx->error[0] ? ctx->error : "no error";
}

int
gs_context_device_count(const gs_context *ctx)
{
    return ctx->device_count;
}

const gs_device_info *
gs_context_device(const gs_context *ctx, int index)
{
    return index >= 0 && index < ctx->device_count ? &ctx->devices[index] : NULL;
}

int
gs_context_chosen_device(const gs_context *ctx)
{
    return ctx->chosen;
}

bool
gs_int64_loads(const gs_context *ctx)
{
    return ctx->int64_loads;
}

bool
gs_cpu_kernels(const gs_context *ctx)
{
    return ctx->cpu_kernels;
}

bool
gs_context_has_fp16_storage(const gs_context *ctx)
{
    return ctx->fp16_storage;
}
