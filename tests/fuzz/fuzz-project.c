/* The .genstudio project reader (app/common/gs-project.c), timeline and all.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>

#include "fuzz-support.h"
#include "gs-project.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, ".genstudio");
    if (!path)
        return 0;
    g_autoptr(GError) error = NULL;
    g_autoptr(GsProject) project = gs_project_load(path, &error);
    if (!project && !error)
        __builtin_trap(); /* every refusal says why */
    return 0;
}
