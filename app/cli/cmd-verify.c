/* genstudio-cli verify FILE…: does a file say, in its metadata or its
 * signal, that GenStudio made it?
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>

#include "cli.h"
#include "gs-verify.h"

int
gs_cli_verify(int argc, char **argv)
{
    g_auto(GStrv) files = NULL;
    GOptionEntry entries[] = {
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE…" },
        { NULL },
    };
    g_autoptr(GOptionContext) oc = g_option_context_new("FILE…");
    g_option_context_set_summary(oc, "Looks for GenStudio's provenance in images (PNG, JPEG, WebP) and anything "
                                     "GStreamer decodes: the metadata and the invisible watermark.\nExit status: 0 "
                                     "when every file has a GenStudio mark, 1 when one has none, 2 when one cannot "
                                     "be read.");
    g_option_context_add_main_entries(oc, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(oc, &argc, &argv, &error) || !files || !files[0]) {
        fprintf(stderr, "genstudio-cli verify: %s\n", error ? error->message : "give one or more files");
        return GS_VERIFY_UNREADABLE;
    }
    int status = GS_VERIFY_FOUND;
    for (int i = 0; files[i]; i++) {
        g_autoptr(GString) report = g_string_new(NULL);
        int result = gs_verify_file(files[i], report);
        status = MAX(status, result);
        fputs(report->str, stdout);
    }
    return status;
}
