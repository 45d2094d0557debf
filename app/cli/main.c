/* genstudio-cli: the headless face of GenStudio.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    { "info", gs_cli_info, "list Vulkan devices and the one GenStudio uses" },
    { "image", gs_cli_image, "generate an image from a text prompt" },
    { "upscale", gs_cli_upscale, "upscale a PNG ×2, ×4 or ×8 with a pretrained ESRGAN" },
    { "models", gs_cli_models, "list, add and remove image models (the models folder)" },
    { "speak", gs_cli_speak, "say a text, to a file or the speakers" },
    { "clone", gs_cli_clone, "a voice from a recording of its owner reading a consent sentence" },
    { "music", gs_cli_music, "compose and render music from a text prompt" },
    { "mix", gs_cli_mix, "mix audio files on a timeline into one file" },
    { "verify", gs_cli_verify, "look for GenStudio's provenance marks in images and audio" },
    { "bench", gs_cli_bench, "measure speed against a reference measured in the same run" },
};

static void
usage(FILE *out)
{
    fprintf(out, "Usage: genstudio-cli COMMAND [OPTIONS]\n\nCommands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'genstudio-cli COMMAND --help' for a command's options.\n");
}

gs_context *
gs_cli_open_context(void)
{
    gs_context_params params = gs_context_default_params();
    gs_context *ctx = NULL;
    char *error = NULL;
    if (gs_context_new(&params, &ctx, &error) != GS_OK) {
        fprintf(stderr, "genstudio-cli: %s\n", error ? error : "cannot open the engine");
        free(error);
        return NULL;
    }
    return ctx;
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "genstudio-cli: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
