/* genstudio-cli models: the models folder — list, add (copy or link),
 * remove, and CLIP tokenizer files for single-file SD checkpoints.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "gs-gan-job.h"
#include "gs-model-library.h"

static const char usage_text[] =
    "Usage: genstudio-cli models COMMAND\n"
    "\n"
    "  list                  every model: name, family, size, prediction type, licence;\n"
    "                        files GenStudio cannot use, with the reason\n"
    "  add PATH [--link]     copy (or link) a .safetensors file or a diffusers folder in\n"
    "  remove NAME           delete a copy, or only the link to a linked model\n"
    "  add-tokenizer PATH    CLIP's tokenizer files, for single-file SD checkpoints: from a\n"
    "                        diffusers SD folder (tokenizer/) or bpe_simple_vocab_16e6.txt.gz\n"
    "\n"
    "The folder is $GS_MODELS_DIR, else $XDG_DATA_HOME/genstudio/models.\n"
    "'genstudio-cli image --model NAME' uses a model by its name.\n";

/* ---- list ------------------------------------------------------------------ */

static const char *
kind_name(GsModelKind kind)
{
    switch (kind) {
    case GS_MODEL_BUILTIN: return "built-in";
    case GS_MODEL_LINK: return "link";
    case GS_MODEL_EXTERNAL: return "path";
    default: return "copy";
    }
}

static char *
prediction_text(const gs_model_info *info)
{
    const char *kind = info->prediction == GS_PREDICTION_V ? "v" : "eps";
    return info->prediction_from_file ? g_strdup(kind) : g_strdup_printf("%s (assumed)", kind);
}

/* g_format_size with a plain space (it puts a no-break space in UTF-8
 * locales), so that the table can be read by scripts too. */
static char *
format_size(guint64 bytes)
{
    g_autofree char *text = g_format_size(bytes);
    GString *s = g_string_new(text);
    g_string_replace(s, "\u00a0", " ", 0);
    return g_string_free(s, FALSE);
}

/* printf's widths count bytes; names may be any UTF-8. */
static void
print_cell(const char *text, int width)
{
    fputs(text, stdout);
    for (long n = g_utf8_strlen(text, -1); n < width; n++)
        putchar(' ');
}

enum { COL_NAME, COL_FAMILY, COL_SIZE, COL_PREDICTION, COL_LICENCE, COL_KIND, N_COLS };

static int
list_models(GsModelLibrary *library)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) entries = gs_model_library_list(library, &error);
    if (!entries) {
        fprintf(stderr, "genstudio-cli models list: %s\n", error->message);
        return 1;
    }
    const char *headers[N_COLS] = { "NAME", "FAMILY", "SIZE", "PREDICTION", "LICENCE", "SOURCE" };
    g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    int width[N_COLS];
    for (int c = 0; c < N_COLS; c++)
        width[c] = (int)strlen(headers[c]);
    for (guint i = 0; i < entries->len; i++) {
        GsModelEntry *e = g_ptr_array_index(entries, i);
        const gs_model_info *info = gs_model_entry_get_info(e);
        char **row = g_new0(char *, N_COLS + 1);
        row[COL_NAME] = g_strdup(gs_model_entry_get_name(e));
        row[COL_SIZE] = format_size(gs_model_entry_get_size(e));
        row[COL_KIND] = g_strdup(kind_name(gs_model_entry_get_kind(e)));
        if (info) {
            row[COL_FAMILY] = g_strdup_printf("%s%s", info->family_name, info->inpainting ? " inpainting" : "");
            row[COL_PREDICTION] = prediction_text(info);
            row[COL_LICENCE] = g_strdup(info->licence[0] ? info->licence : "-");
        }
        for (int c = 0; c < N_COLS; c++)
            if (row[c])
                width[c] = MAX(width[c], (int)g_utf8_strlen(row[c], -1));
        g_ptr_array_add(rows, row);
    }
    /* The shipped GAN is not a diffusion model (the library's entries are);
     * `image --model gan-emoji32` runs it. */
    g_autofree char *gan_path = gs_gan_model_path(GS_GAN_BUILTIN_NAME);
    GStatBuf gan_stat;
    if (g_stat(gan_path, &gan_stat) == 0) {
        char **row = g_new0(char *, N_COLS + 1);
        row[COL_NAME] = g_strdup(GS_GAN_BUILTIN_NAME);
        row[COL_FAMILY] = g_strdup("GenStudio GAN");
        row[COL_SIZE] = format_size((guint64)gan_stat.st_size);
        row[COL_PREDICTION] = g_strdup("-");
        row[COL_LICENCE] = g_strdup("-");
        row[COL_KIND] = g_strdup(kind_name(GS_MODEL_BUILTIN));
        for (int c = 0; c < N_COLS; c++)
            width[c] = MAX(width[c], (int)g_utf8_strlen(row[c], -1));
        g_ptr_array_add(rows, row);
    }

    printf("Models folder: %s\n\n", gs_model_library_get_dir(library));
    for (int c = 0; c < N_COLS; c++)
        print_cell(headers[c], c + 1 < N_COLS ? width[c] + 2 : 0);
    putchar('\n');
    for (guint i = 0; i < rows->len; i++) {
        char **row = g_ptr_array_index(rows, i);
        GsModelEntry *e = i < entries->len ? g_ptr_array_index(entries, i) : NULL; /* NULL: the GAN */
        print_cell(row[COL_NAME], width[COL_NAME] + 2);
        if (e && !gs_model_entry_get_usable(e)) {
            /* One line, so that the table stays a table. */
            g_autofree char *reason = g_strdup(gs_model_entry_get_refusal(e));
            g_strdelimit(reason, "\n", ' ');
            printf("refused: %s\n", reason);
            continue;
        }
        for (int c = COL_FAMILY; c < N_COLS; c++)
            print_cell(row[c], c + 1 < N_COLS ? width[c] + 2 : 0);
        putchar('\n');
    }
    g_autofree char *tokenizer_dir = gs_model_library_dup_tokenizer_dir(library);
    if (gs_model_library_has_tokenizer(library))
        printf("\nCLIP tokenizer files: %s\n", tokenizer_dir);
    else
        printf("\nCLIP tokenizer files: none (single-file SD checkpoints need them: "
               "genstudio-cli models add-tokenizer PATH)\n");
    return 0;
}

/* ---- add ------------------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void
on_interrupt(int signal_number)
{
    interrupted = 1;
}

typedef struct {
    GCancellable *cancellable;
    gint64 last_us;
} CopyProgress;

/* Ctrl+C cancels at the next chunk, so the temporary copy goes too. */
static void
show_copy_progress(goffset done, goffset total, gpointer data)
{
    CopyProgress *p = data;
    if (interrupted)
        g_cancellable_cancel(p->cancellable);
    gint64 now = g_get_monotonic_time();
    if (done < total && now - p->last_us < 200000)
        return;
    p->last_us = now;
    g_autofree char *done_text = format_size((guint64)done), *total_text = format_size((guint64)total);
    fprintf(stderr, "\rcopying: %3.0f %% (%s of %s)  ", total > 0 ? 100.0 * (double)done / (double)total : 100.0,
            done_text, total_text);
}

static int
add_model(GsModelLibrary *library, const char *path, gboolean link)
{
    g_autoptr(GCancellable) cancellable = g_cancellable_new();
    CopyProgress progress = { cancellable, 0 };
    interrupted = 0;
    struct sigaction action = { .sa_handler = on_interrupt }, previous;
    sigaction(SIGINT, &action, &previous);
    g_autoptr(GError) error = NULL;
    g_autoptr(GsModelEntry) entry =
        gs_model_library_add(library, path, link, show_copy_progress, &progress, cancellable, &error);
    sigaction(SIGINT, &previous, NULL);
    if (progress.last_us)
        fputc('\n', stderr);
    if (!entry) {
        fprintf(stderr, "genstudio-cli models add: %s\n", error->message);
        return g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? 130 : 1;
    }
    g_autofree char *label = gs_model_entry_dup_label(entry);
    printf("%s %s: %s\n", link ? "linked" : "added", label, gs_model_entry_get_path(entry));
    const gs_model_info *info = gs_model_entry_get_info(entry);
    if (info && info->needs_tokenizer && !gs_model_library_has_tokenizer(library))
        printf("It needs CLIP's tokenizer files: genstudio-cli models add-tokenizer PATH "
               "(a diffusers SD folder, or bpe_simple_vocab_16e6.txt.gz)\n");
    return 0;
}

/* ---- the command --------------------------------------------------------- */

int
gs_cli_models(int argc, char **argv)
{
    if (argc < 2 || g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h") || g_str_equal(argv[1], "help")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *command = argv[1];
    gboolean link = FALSE;
    GOptionEntry add_entries[] = {
        { "link", 0, 0, G_OPTION_ARG_NONE, &link, "Link to the file or folder where it is instead of copying it",
          NULL },
        { NULL },
    };
    const char *parameter;
    if (g_str_equal(command, "list"))
        parameter = "";
    else if (g_str_equal(command, "add") || g_str_equal(command, "add-tokenizer"))
        parameter = "PATH";
    else if (g_str_equal(command, "remove"))
        parameter = "NAME";
    else {
        fprintf(stderr, "genstudio-cli models: unknown command '%s'\n\n%s", command, usage_text);
        return 2;
    }
    g_autofree char *summary = g_strdup_printf("%s%s", *parameter ? " " : "", parameter);
    g_autoptr(GOptionContext) options = g_option_context_new(summary);
    g_autofree char *program = g_strdup_printf("genstudio-cli models %s", command);
    g_set_prgname(program);
    if (g_str_equal(command, "add"))
        g_option_context_add_main_entries(options, add_entries, NULL);
    g_autoptr(GError) error = NULL;
    int sub_argc = argc - 1;
    char **sub_argv = argv + 1;
    if (!g_option_context_parse(options, &sub_argc, &sub_argv, &error)) {
        fprintf(stderr, "%s: %s\n", program, error->message);
        return 2;
    }
    int want = *parameter ? 2 : 1;
    if (sub_argc != want) {
        fprintf(stderr, "%s: expected %s\n", program, *parameter ? parameter : "no arguments");
        return 2;
    }

    g_autoptr(GsModelLibrary) library = gs_model_library_new(NULL);
    if (g_str_equal(command, "list"))
        return list_models(library);
    if (g_str_equal(command, "add"))
        return add_model(library, sub_argv[1], link);
    if (g_str_equal(command, "remove")) {
        g_autoptr(GsModelEntry) entry = gs_model_library_resolve(library, sub_argv[1], NULL);
        gboolean was_link = entry && gs_model_entry_get_kind(entry) == GS_MODEL_LINK;
        if (!gs_model_library_remove(library, sub_argv[1], &error)) {
            fprintf(stderr, "%s: %s\n", program, error->message);
            return 1;
        }
        printf(was_link ? "removed the link %s (what it pointed to stays)\n" : "removed %s\n", sub_argv[1]);
        return 0;
    }
    if (!gs_model_library_add_tokenizer(library, sub_argv[1], &error)) {
        fprintf(stderr, "%s: %s\n", program, error->message);
        return 1;
    }
    g_autofree char *dir = gs_model_library_dup_tokenizer_dir(library);
    printf("CLIP tokenizer files added: %s\n", dir);
    return 0;
}
