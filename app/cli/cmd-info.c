/* genstudio-cli info: every Vulkan device and the one chosen.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char *
type_name(gs_device_type type)
{
    switch (type) {
    case GS_DEVICE_DISCRETE_GPU: return "discrete GPU";
    case GS_DEVICE_INTEGRATED_GPU: return "integrated GPU";
    case GS_DEVICE_VIRTUAL_GPU: return "virtual GPU";
    case GS_DEVICE_CPU: return "CPU";
    default: return "other";
    }
}

static void
print_device(const gs_device_info *d, bool chosen)
{
    printf("%s device %d: %s\n", chosen ? "*" : " ", d->index, d->name);
    printf("    type: %s\n", type_name(d->type));
    printf("    driver: %s\n", d->driver);
    printf("    Vulkan: %u.%u.%u\n", (d->api_version >> 22) & 0x7f, (d->api_version >> 12) & 0x3ff,
           d->api_version & 0xfff);
    printf("    subgroup size: %u\n", d->subgroup_size);
    printf("    shared memory: %u KiB\n", d->shared_memory_bytes / 1024);
    printf("    max workgroup invocations: %u\n", d->max_workgroup_invocations);
    printf("    max storage buffer range: %llu MiB\n", (unsigned long long)(d->max_storage_buffer_range >> 20));
    printf("    fp16 arithmetic: %s, 16-bit storage: %s, 64-bit integers: %s\n", d->shader_float16 ? "yes" : "no",
           d->storage_16bit ? "yes" : "no", d->shader_int64 ? "yes" : "no");
    printf("    buffer device address: %s%s\n", d->buffer_device_address ? "yes" : "no",
           d->usable ? "" : " (not usable by GenStudio)");
}

int
gs_cli_info(int argc, char **argv)
{
    if (argc > 1) {
        printf("Usage: genstudio-cli info\n\nLists Vulkan devices; GS_DEVICE=<index or name> picks one.\n");
        return argc == 2 && (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h")) ? 0 : 2;
    }
    gs_context *ctx = gs_cli_open_context();
    if (!ctx) {
        /* Still show what exists, so the user can pick a valid GS_DEVICE. */
        gs_device_info *infos = NULL;
        int count = 0;
        if (gs_enumerate_devices(&infos, &count, NULL) == GS_OK)
            for (int i = 0; i < count; i++)
                print_device(&infos[i], false);
        free(infos);
        return 1;
    }
    for (int i = 0; i < gs_context_device_count(ctx); i++)
        print_device(gs_context_device(ctx, i), i == gs_context_chosen_device(ctx));
    const gs_device_info *chosen = gs_context_device(ctx, gs_context_chosen_device(ctx));
    printf("Using device %d: %s (weights in %s)\n", chosen->index, chosen->name,
           gs_context_has_fp16_storage(ctx) ? "fp16" : "fp32");
    gs_context_free(ctx);
    return 0;
}
