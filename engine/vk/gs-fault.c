/* Test-only fault injection: GS_FAULT=SITE:N:KIND makes the Nth device
 * allocation (alloc), pipeline creation (pipeline) or queue submit (submit)
 * of a context fail with VK_ERROR_OUT_OF_DEVICE_MEMORY (oom) or
 * VK_ERROR_DEVICE_LOST (lost). Read once when a context is created, so each
 * context counts on its own; a lost device stays lost, as a real one does,
 * and every later submit, allocation and pipeline fails the same way.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "gs-vk-private.h"

static const char *const site_names[GS_FAULT_SITES] = { "alloc", "pipeline", "submit" };

bool
gs_fault_configure(gs_fault *fault, const char *spec)
{
    memset(fault, 0, sizeof *fault);
    if (!spec || !*spec)
        return true;
    const char *colon = strchr(spec, ':');
    if (!colon)
        return false;
    int site = -1;
    for (int i = 0; i < GS_FAULT_SITES; i++)
        if (strlen(site_names[i]) == (size_t)(colon - spec) && strncmp(spec, site_names[i], colon - spec) == 0)
            site = i;
    char *end;
    long nth = strtol(colon + 1, &end, 10);
    if (site < 0 || nth < 1 || *end != ':')
        return false;
    VkResult result;
    if (strcmp(end + 1, "oom") == 0)
        result = VK_ERROR_OUT_OF_DEVICE_MEMORY;
    else if (strcmp(end + 1, "lost") == 0)
        result = VK_ERROR_DEVICE_LOST;
    else
        return false;
    fault->site = (gs_fault_site)site;
    fault->nth = nth;
    fault->result = result;
    return true;
}

VkResult
gs_fault_check(gs_context *ctx, gs_fault_site site)
{
    gs_fault *fault = &ctx->fault;
    fault->calls[site]++;
    if (fault->lost)
        return VK_ERROR_DEVICE_LOST;
    if (fault->nth == 0 || fault->site != site || fault->calls[site] != fault->nth)
        return VK_SUCCESS;
    fault->fired = true;
    fault->lost = fault->result == VK_ERROR_DEVICE_LOST;
    return fault->result;
}
