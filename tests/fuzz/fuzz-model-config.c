/* The genstudio.config metadata of a GenStudio model (the UNet, text
 * encoder and schedule sizes) as a crafted file would give it.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include "fuzz-support.h"
#include "models/gs-sd-config.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    gs_sd_config config;
    gs_sd_config_parse(NULL, text, &config);
    free(text);
    return 0;
}
