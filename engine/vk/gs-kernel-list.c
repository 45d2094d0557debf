/* The kernels a run used, kept beside the pipeline cache so that the next
 * start can create their pipelines on worker threads before they are asked
 * for. The SPIR-V is stored with each one: a pipeline made from the list is
 * only used for a kernel whose words and constants are the same.
 *
 * Layout (native byte order, it never leaves the machine): magic, version,
 * count; per kernel its byte size, constant count, 8 constants and words;
 * then an FNV-1a checksum of everything before it. A missing, foreign or
 * damaged list reads as empty.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "gs-vk-private.h"

#define LIST_MAGIC 0x4c4b5347u /* "GSKL" */
#define LIST_VERSION 1u
#define MAX_KERNELS 256u
#define MAX_SPIRV_BYTES (1u << 20)
#define HEADER_WORDS 3u
#define ENTRY_WORDS 10u

static uint64_t
fnv1a(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

void
gs_kernel_list_free(gs_kernel *kernels, int count)
{
    for (int i = 0; i < count; i++)
        free((void *)kernels[i].spirv);
    free(kernels);
}

/* Reads one entry at words[*at]; false when it does not fit or is out of range. */
static bool
read_entry(const uint32_t *words, size_t word_count, size_t *at, gs_kernel *out)
{
    if (word_count - *at < ENTRY_WORDS)
        return false;
    const uint32_t *e = words + *at;
    uint32_t bytes = e[0], spec_count = e[1];
    if (bytes == 0 || bytes > MAX_SPIRV_BYTES || bytes % 4 || spec_count > 8 ||
        word_count - *at - ENTRY_WORDS < bytes / 4)
        return false;
    uint32_t *spirv = malloc(bytes);
    if (!spirv)
        return false;
    memcpy(spirv, e + ENTRY_WORDS, bytes);
    *out = (gs_kernel){ .spirv = spirv, .spirv_bytes = bytes, .spec_count = spec_count };
    memcpy(out->spec, e + 2, sizeof out->spec);
    *at += ENTRY_WORDS + bytes / 4;
    return true;
}

int
gs_kernel_list_load(const char *path, gs_kernel **out)
{
    *out = NULL;
    size_t len = 0;
    uint32_t *words = path ? gs_cache_file_read(path, &len) : NULL;
    if (!words)
        return 0;
    uint64_t stored;
    bool valid = len % 4 == 0 && len >= (HEADER_WORDS + 2) * 4;
    if (valid) {
        memcpy(&stored, (char *)words + len - sizeof stored, sizeof stored);
        valid = stored == fnv1a(words, len - sizeof stored) && words[0] == LIST_MAGIC &&
                words[1] == LIST_VERSION && words[2] <= MAX_KERNELS;
    }
    size_t word_count = len / 4 - 2, at = HEADER_WORDS;
    int count = valid ? (int)words[2] : 0;
    gs_kernel *kernels = count ? calloc((size_t)count, sizeof *kernels) : NULL;
    int loaded = 0;
    while (kernels && loaded < count && read_entry(words, word_count, &at, &kernels[loaded]))
        loaded++;
    free(words);
    if (loaded < count || at != word_count) {
        gs_kernel_list_free(kernels, loaded);
        return 0;
    }
    *out = kernels;
    return loaded;
}

void
gs_kernel_list_save(const char *path, const gs_kernel *kernels, int count)
{
    if (count > (int)MAX_KERNELS)
        count = MAX_KERNELS;
    size_t len = HEADER_WORDS * 4 + sizeof(uint64_t);
    for (int i = 0; i < count; i++)
        len += ENTRY_WORDS * 4 + kernels[i].spirv_bytes;
    uint32_t *words = malloc(len);
    if (!words)
        return;
    words[0] = LIST_MAGIC;
    words[1] = LIST_VERSION;
    words[2] = (uint32_t)count;
    size_t at = HEADER_WORDS;
    for (int i = 0; i < count; i++) {
        const gs_kernel *k = &kernels[i];
        words[at] = (uint32_t)k->spirv_bytes;
        words[at + 1] = k->spec_count;
        memcpy(words + at + 2, k->spec, sizeof k->spec);
        memcpy(words + at + ENTRY_WORDS, k->spirv, k->spirv_bytes);
        at += ENTRY_WORDS + k->spirv_bytes / 4;
    }
    uint64_t sum = fnv1a(words, at * 4);
    memcpy(words + at, &sum, sizeof sum);
    gs_cache_file_write(path, words, len);
    free(words);
}
