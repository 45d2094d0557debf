/* The models folder, with a mock probe (no engine, no weights): listing
 * (refused files with their reason, hidden temporaries and other files
 * left out), adding a file or a diffusers folder by copy or link, the copy
 * atomic (nothing visible until it is whole, nothing left when cancelled),
 * removing a copy or only a link, resolving names and paths, and CLIP
 * tokenizer files from a diffusers folder or a .gz vocabulary.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gs-model-library.h"

#define REFUSE_TAG "MOCK-REFUSE:"
#define SD1_TAG "MOCK-SD1"
#define BIG_SIZE (9u << 20) /* more than two copy chunks */

/* A mock of gs_model_probe: the file's first bytes say what it is. A
 * diffusers folder is SD 1.x with its own tokenizer; "MOCK-SD1" a
 * single-file SD 1.x checkpoint (needs tokenizer files); "MOCK-REFUSE:why"
 * refused with `why`; anything else (the real emoji32) GenStudio. */
static gs_status
mock_probe(const char *path, gs_model_info *info, char **error)
{
    *info = (gs_model_info){ 0 };
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        *info = (gs_model_info){ .family = GS_FAMILY_SD1, .family_name = "SD 1.x", .layout = "diffusers",
                                 .default_width = 512, .default_height = 512, .default_steps = 20,
                                 .default_cfg = 7 };
        return GS_OK;
    }
    char head[64] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f) {
        *error = strdup("cannot open");
        return GS_ERR_IO;
    }
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    if (g_str_has_prefix(head, REFUSE_TAG)) {
        *error = strdup(head + strlen(REFUSE_TAG));
        return GS_ERR_UNSUPPORTED;
    }
    if (g_str_has_prefix(head, SD1_TAG)) {
        *info = (gs_model_info){ .family = GS_FAMILY_SD1, .family_name = "SD 1.x", .layout = "single-file",
                                 .needs_tokenizer = true, .default_width = 512, .default_height = 512,
                                 .default_steps = 20, .default_cfg = 7, .licence = "creativeml-openrail-m" };
        return GS_OK;
    }
    *info = (gs_model_info){ .family = GS_FAMILY_GENSTUDIO, .family_name = "GenStudio", .layout = "genstudio",
                             .default_width = 32, .default_height = 32, .default_steps = 20, .default_cfg = 5 };
    return GS_OK;
}

typedef struct {
    char *root;    /* removed after the test */
    char *models;  /* the models folder (not created: the library must) */
    char *outside; /* the user's files */
    GsModelLibrary *library;
} Fixture;

static void
remove_tree(const char *path)
{
    GStatBuf st;
    if (g_lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        for (const char *name; dir && (name = g_dir_read_name(dir));) {
            g_autofree char *child = g_build_filename(path, name, NULL);
            remove_tree(child);
        }
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
    f->root = g_dir_make_tmp("gs-model-library-XXXXXX", NULL);
    g_assert_nonnull(f->root);
    f->models = g_build_filename(f->root, "models", NULL);
    f->outside = g_build_filename(f->root, "outside", NULL);
    g_assert_cmpint(g_mkdir(f->outside, 0755), ==, 0);
    f->library = gs_model_library_new(f->models);
    gs_model_library_set_probe(f->library, mock_probe);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
    g_clear_object(&f->library);
    remove_tree(f->root);
    g_free(f->root);
    g_free(f->models);
    g_free(f->outside);
}

static char *
write_file(const char *dir, const char *name, const char *contents, gsize size)
{
    char *path = g_build_filename(dir, name, NULL);
    g_autofree char *parent = g_path_get_dirname(path);
    g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
    g_assert_true(g_file_set_contents(path, contents, (gssize)size, NULL));
    return path;
}

/* A file of `size` bytes: `tag`, a NUL, then a pattern. */
static char *
write_model(const char *dir, const char *name, const char *tag, gsize size)
{
    g_autofree char *bytes = g_malloc(size);
    for (gsize i = 0; i < size; i++)
        bytes[i] = (char)(i * 2654435761u >> 13);
    memcpy(bytes, tag, MIN(strlen(tag) + 1, size));
    return write_file(dir, name, bytes, size);
}

static GsModelEntry *
find(GPtrArray *entries, const char *name)
{
    for (guint i = 0; i < entries->len; i++)
        if (g_str_equal(gs_model_entry_get_name(g_ptr_array_index(entries, i)), name))
            return g_ptr_array_index(entries, i);
    return NULL;
}

static GPtrArray *
list(Fixture *f)
{
    g_autoptr(GError) error = NULL;
    GPtrArray *entries = gs_model_library_list(f->library, &error);
    g_assert_no_error(error);
    return entries;
}

static void
assert_same_contents(const char *a, const char *b)
{
    g_autofree char *x = NULL, *y = NULL;
    gsize nx, ny;
    g_assert_true(g_file_get_contents(a, &x, &nx, NULL));
    g_assert_true(g_file_get_contents(b, &y, &ny, NULL));
    g_assert_cmpuint(nx, ==, ny);
    g_assert_true(memcmp(x, y, nx) == 0);
}

static int
compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every name in the folder, hidden ones included, sorted, comma-joined. */
static char *
folder_names(const char *dir)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    for (const char *name; d && (name = g_dir_read_name(d));)
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, compare_strings);
    GString *joined = g_string_new(NULL);
    for (guint i = 0; i < names->len; i++)
        g_string_append_printf(joined, "%s%s", i ? "," : "", (char *)g_ptr_array_index(names, i));
    return g_string_free(joined, FALSE);
}

static void
test_default_dir(void)
{
    g_unsetenv("GS_MODELS_DIR");
    g_autofree char *want = g_build_filename(g_get_user_data_dir(), "genstudio", "models", NULL);
    g_autofree char *got = gs_model_library_default_dir();
    g_assert_cmpstr(got, ==, want);
    g_setenv("GS_MODELS_DIR", "/somewhere/else", TRUE);
    g_autofree char *overridden = gs_model_library_default_dir();
    g_assert_cmpstr(overridden, ==, "/somewhere/else");
    g_autoptr(GsModelLibrary) library = gs_model_library_new(NULL);
    g_assert_cmpstr(gs_model_library_get_dir(library), ==, "/somewhere/else");
    g_unsetenv("GS_MODELS_DIR");
}

static void
test_list(Fixture *f, gconstpointer data)
{
    /* No folder yet: only the built-in model. */
    g_autoptr(GPtrArray) empty = list(f);
    g_assert_cmpuint(empty->len, ==, 1);
    GsModelEntry *builtin = g_ptr_array_index(empty, 0);
    g_assert_cmpstr(gs_model_entry_get_name(builtin), ==, "emoji32");
    g_assert_cmpint(gs_model_entry_get_kind(builtin), ==, GS_MODEL_BUILTIN);
    g_assert_true(gs_model_entry_get_usable(builtin));
    g_autofree char *label = gs_model_entry_dup_label(builtin);
    g_assert_cmpstr(label, ==, "emoji32 — GenStudio");

    g_free(write_model(f->models, "dreamshaper.safetensors", SD1_TAG, 4096));
    g_free(write_model(f->models, "broken.safetensors", REFUSE_TAG "SDXL is not supported (yet)", 100));
    g_free(write_model(f->models, "old.ckpt", REFUSE_TAG "a pickle: convert it to safetensors", 100));
    g_free(write_file(f->models, "readme.txt", "not a model", 11));
    g_free(write_model(f->models, ".half.safetensors.partial-ABCDEF", SD1_TAG, 100));
    g_free(write_file(f->models, "diffusers-sd/model_index.json", "{}", 2));
    g_free(write_model(f->models, "diffusers-sd/unet/diffusion_pytorch_model.safetensors", "x", 1000));
    g_free(write_file(f->models, "just-a-folder/notes.txt", "x", 1));
    g_free(write_file(f->models, "tokenizers/clip/merges.txt", "#version\na b\n", 12));

    g_autoptr(GPtrArray) entries = list(f);
    GString *names = g_string_new(NULL);
    for (guint i = 0; i < entries->len; i++)
        g_string_append_printf(names, "%s%s", i ? "," : "", gs_model_entry_get_name(g_ptr_array_index(entries, i)));
    g_assert_cmpstr(names->str, ==, "emoji32,broken,diffusers-sd,dreamshaper,old.ckpt");
    g_string_free(names, TRUE);

    GsModelEntry *sd = find(entries, "dreamshaper");
    g_assert_true(gs_model_entry_get_usable(sd));
    g_assert_cmpstr(gs_model_entry_get_family_name(sd), ==, "SD 1.x");
    g_assert_cmpstr(gs_model_entry_get_info(sd)->licence, ==, "creativeml-openrail-m");
    g_assert_cmpuint(gs_model_entry_get_size(sd), ==, 4096);
    g_assert_cmpint(gs_model_entry_get_kind(sd), ==, GS_MODEL_COPY);
    GsModelEntry *broken = find(entries, "broken");
    g_assert_false(gs_model_entry_get_usable(broken));
    g_assert_null(gs_model_entry_get_info(broken));
    g_assert_cmpstr(gs_model_entry_get_refusal(broken), ==, "SDXL is not supported (yet)");
    g_autofree char *broken_label = gs_model_entry_dup_label(broken);
    g_assert_cmpstr(broken_label, ==, "broken");
    g_assert_cmpstr(gs_model_entry_get_refusal(find(entries, "old.ckpt")), ==, "a pickle: convert it to safetensors");
    GsModelEntry *folder = find(entries, "diffusers-sd");
    g_assert_true(gs_model_entry_get_usable(folder));
    g_assert_cmpuint(gs_model_entry_get_size(folder), ==, 1002);

    /* Loading a refused model fails with the probe's message, before the engine. */
    g_autoptr(GError) error = NULL;
    g_assert_null(gs_model_library_load(f->library, NULL, broken, NULL, &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_REFUSED);
    g_assert_cmpstr(error->message, ==, "SDXL is not supported (yet)");
}

static void
on_progress(goffset done, goffset total, gpointer data)
{
    goffset *last = data;
    g_assert_cmpint(done, >, last[0]);
    g_assert_cmpint(done, <=, total);
    last[0] = done;
    last[1] = total;
}

static void
test_add_copy(Fixture *f, gconstpointer data)
{
    g_autofree char *src = write_model(f->outside, "dreamshaper.safetensors", SD1_TAG, BIG_SIZE);
    goffset progress[2] = { 0, 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(GsModelEntry) added = gs_model_library_add(f->library, src, FALSE, on_progress, progress, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(gs_model_entry_get_name(added), ==, "dreamshaper");
    g_assert_cmpint(gs_model_entry_get_kind(added), ==, GS_MODEL_COPY);
    g_assert_cmpstr(gs_model_entry_get_family_name(added), ==, "SD 1.x");
    g_assert_cmpint(progress[0], ==, BIG_SIZE);
    g_assert_cmpint(progress[1], ==, BIG_SIZE);
    g_autofree char *copy = g_build_filename(f->models, "dreamshaper.safetensors", NULL);
    g_assert_cmpstr(gs_model_entry_get_path(added), ==, copy);
    g_assert_false(g_file_test(copy, G_FILE_TEST_IS_SYMLINK));
    assert_same_contents(src, copy);
    g_autofree char *names = folder_names(f->models);
    g_assert_cmpstr(names, ==, "dreamshaper.safetensors"); /* no temporary left */

    /* The same name again, or a file already in the folder: refused. */
    g_assert_null(gs_model_library_add(f->library, src, TRUE, NULL, NULL, NULL, &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_EXISTS);
    g_clear_error(&error);
    g_assert_null(gs_model_library_add(f->library, copy, FALSE, NULL, NULL, NULL, &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_EXISTS);
    g_clear_error(&error);
    /* The built-in model's name is taken too. */
    g_autofree char *emoji = write_model(f->outside, "emoji32.safetensors", "x", 10);
    g_assert_null(gs_model_library_add(f->library, emoji, FALSE, NULL, NULL, NULL, &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_EXISTS);
    g_clear_error(&error);

    /* Removing the copy deletes it; the user's original stays. */
    g_assert_true(gs_model_library_remove(f->library, "dreamshaper", &error));
    g_assert_no_error(error);
    g_assert_false(g_file_test(copy, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(src, G_FILE_TEST_IS_REGULAR));
    g_assert_false(gs_model_library_remove(f->library, "dreamshaper", &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_NOT_FOUND);
    g_clear_error(&error);
    g_assert_false(gs_model_library_remove(f->library, "emoji32", &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_BUILTIN);
}

static void
test_add_link(Fixture *f, gconstpointer data)
{
    g_autofree char *src = write_model(f->outside, "mine.safetensors", SD1_TAG, 5000);
    g_autoptr(GError) error = NULL;
    g_autoptr(GsModelEntry) added = gs_model_library_add(f->library, src, TRUE, NULL, NULL, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpint(gs_model_entry_get_kind(added), ==, GS_MODEL_LINK);
    g_assert_cmpuint(gs_model_entry_get_size(added), ==, 5000);
    g_autofree char *link = g_build_filename(f->models, "mine.safetensors", NULL);
    g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
    g_autofree char *target = g_file_read_link(link, NULL);
    g_assert_cmpstr(target, ==, src);
    g_autoptr(GPtrArray) entries = list(f);
    g_assert_cmpint(gs_model_entry_get_kind(find(entries, "mine")), ==, GS_MODEL_LINK);

    /* Removing a link never touches what it points to. */
    g_assert_true(gs_model_library_remove(f->library, "mine", &error));
    g_assert_false(g_file_test(link, G_FILE_TEST_EXISTS) || g_file_test(link, G_FILE_TEST_IS_SYMLINK));
    g_assert_true(g_file_test(src, G_FILE_TEST_IS_REGULAR));

    /* A link whose target went away is listed, refused, and removable. */
    GsModelEntry *again = gs_model_library_add(f->library, src, TRUE, NULL, NULL, NULL, &error);
    g_assert_no_error(error);
    g_object_unref(again);
    g_assert_cmpint(g_unlink(src), ==, 0);
    g_autoptr(GPtrArray) dangling = list(f);
    GsModelEntry *gone = find(dangling, "mine");
    g_assert_nonnull(gone);
    g_assert_false(gs_model_entry_get_usable(gone));
    g_assert_nonnull(strstr(gs_model_entry_get_refusal(gone), "not there any more"));
    g_assert_true(gs_model_library_remove(f->library, "mine", &error));
    g_assert_no_error(error);
}

/* A diffusers folder as the Hugging Face cache keeps it: files are links
 * into a blob store. */
static char *
make_diffusers(Fixture *f, const char *name)
{
    g_autofree char *blobs = g_build_filename(f->outside, "blobs", NULL);
    g_autofree char *unet_blob = write_model(blobs, "unet-weights", "unet", 3000);
    char *dir = g_build_filename(f->outside, name, NULL);
    g_free(write_file(dir, "model_index.json", "{\"_class_name\": \"StableDiffusionPipeline\"}", 43));
    g_autofree char *unet_dir = g_build_filename(dir, "unet", NULL);
    g_assert_cmpint(g_mkdir_with_parents(unet_dir, 0755), ==, 0);
    g_autofree char *unet = g_build_filename(unet_dir, "diffusion_pytorch_model.safetensors", NULL);
    g_assert_cmpint(symlink(unet_blob, unet), ==, 0);
    g_free(write_file(dir, "unet/config.json", "{}", 2));
    g_free(write_model(dir, "unet/diffusion_pytorch_model.bin", "pickle", 700)); /* never read: not copied */
    g_free(write_model(dir, "vae/diffusion_pytorch_model.safetensors", "vae", 1500));
    g_free(write_file(dir, "tokenizer/merges.txt", "#version: 0.2\ni n\nt h\n", 22));
    g_free(write_file(dir, "scheduler/scheduler_config.json", "{\"prediction_type\": \"epsilon\"}", 30));
    g_free(write_model(dir, "safety_checker/model.safetensors", "sc", 2000)); /* not read: not copied */
    return dir;
}

static void
test_add_folder(Fixture *f, gconstpointer data)
{
    g_autofree char *src = make_diffusers(f, "sd15-diffusers");
    goffset progress[2] = { 0, 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(GsModelEntry) added = gs_model_library_add(f->library, src, FALSE, on_progress, progress, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(gs_model_entry_get_name(added), ==, "sd15-diffusers");
    g_assert_cmpint(progress[1], ==, 43 + 3000 + 2 + 1500 + 22 + 30);
    g_assert_cmpint(progress[0], ==, progress[1]);
    g_autofree char *copy = g_build_filename(f->models, "sd15-diffusers", NULL);
    g_autofree char *top = folder_names(copy);
    g_assert_cmpstr(top, ==, "model_index.json,scheduler,tokenizer,unet,vae");
    g_autofree char *unet_dir = g_build_filename(copy, "unet", NULL);
    g_autofree char *unet = folder_names(unet_dir);
    g_assert_cmpstr(unet, ==, "config.json,diffusion_pytorch_model.safetensors");
    g_autofree char *unet_copy = g_build_filename(unet_dir, "diffusion_pytorch_model.safetensors", NULL);
    g_assert_false(g_file_test(unet_copy, G_FILE_TEST_IS_SYMLINK)); /* the blob's bytes, not the link */
    g_autofree char *unet_src = g_build_filename(src, "unet", "diffusion_pytorch_model.safetensors", NULL);
    assert_same_contents(unet_src, unet_copy);
    g_autofree char *names = folder_names(f->models);
    g_assert_cmpstr(names, ==, "sd15-diffusers");

    /* A link someone put inside the copy: removing the copy unlinks it and
     * leaves its target alone. */
    g_autofree char *precious = write_file(f->outside, "precious.txt", "keep me", 7);
    g_autofree char *inner = g_build_filename(copy, "vae", "extra-link", NULL);
    g_assert_cmpint(symlink(precious, inner), ==, 0);
    g_autofree char *outer_dir = g_build_filename(copy, "outside-link", NULL);
    g_assert_cmpint(symlink(f->outside, outer_dir), ==, 0);
    g_assert_true(gs_model_library_remove(f->library, "sd15-diffusers", &error));
    g_assert_no_error(error);
    g_free(names);
    names = folder_names(f->models);
    g_assert_cmpstr(names, ==, "");
    g_assert_true(g_file_test(precious, G_FILE_TEST_IS_REGULAR));
    g_assert_true(g_file_test(src, G_FILE_TEST_IS_DIR));
    g_assert_true(g_file_test(unet_src, G_FILE_TEST_IS_REGULAR));

    /* Linked, the folder is the user's: removing unlinks only. */
    g_autoptr(GsModelEntry) linked = gs_model_library_add(f->library, src, TRUE, NULL, NULL, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(gs_model_library_remove(f->library, "sd15-diffusers", &error));
    g_assert_true(g_file_test(unet_src, G_FILE_TEST_IS_REGULAR));

    /* A folder without model_index.json is not a model. */
    g_autofree char *plain = g_build_filename(f->outside, "blobs", NULL);
    g_assert_null(gs_model_library_add(f->library, plain, FALSE, NULL, NULL, NULL, &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_INVALID);
}

typedef struct {
    Fixture *f;
    GCancellable *cancellable;
    gboolean checked;
} CancelCheck;

/* Mid-copy: the model is not listed yet, and then the copy is cancelled. */
static void
check_then_cancel(goffset done, goffset total, gpointer data)
{
    CancelCheck *c = data;
    if (c->checked)
        return;
    c->checked = TRUE;
    g_assert_cmpint(done, <, total);
    g_autoptr(GPtrArray) entries = list(c->f);
    g_assert_null(find(entries, "big"));
    g_autofree char *names = folder_names(c->f->models);
    g_assert_true(g_str_has_prefix(names, ".big.safetensors.partial-"));
    g_cancellable_cancel(c->cancellable);
}

static void
test_atomic_copy(Fixture *f, gconstpointer data)
{
    g_autofree char *src = write_model(f->outside, "big.safetensors", SD1_TAG, BIG_SIZE);
    g_autoptr(GCancellable) cancellable = g_cancellable_new();
    CancelCheck check = { f, cancellable, FALSE };
    g_autoptr(GError) error = NULL;
    g_assert_null(gs_model_library_add(f->library, src, FALSE, check_then_cancel, &check, cancellable, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_true(check.checked);
    g_autofree char *names = folder_names(f->models);
    g_assert_cmpstr(names, ==, ""); /* the temporary went with the cancel */

    /* A refused model is not copied at all. */
    g_autofree char *sdxl = write_model(f->outside, "sdxl.safetensors", REFUSE_TAG "SDXL is not supported", 5000);
    g_clear_error(&error);
    g_assert_null(gs_model_library_add(f->library, sdxl, FALSE, NULL, NULL, NULL, &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_REFUSED);
    g_assert_cmpstr(error->message, ==, "SDXL is not supported");
    g_free(names);
    names = folder_names(f->models);
    g_assert_cmpstr(names, ==, "");
}

static void
test_resolve(Fixture *f, gconstpointer data)
{
    g_free(write_model(f->models, "dreamshaper.safetensors", SD1_TAG, 100));
    g_autofree char *elsewhere = write_model(f->outside, "other.safetensors", SD1_TAG, 200);
    g_autoptr(GError) error = NULL;

    g_autoptr(GsModelEntry) by_default = gs_model_library_resolve(f->library, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpint(gs_model_entry_get_kind(by_default), ==, GS_MODEL_BUILTIN);
    g_autoptr(GsModelEntry) builtin = gs_model_library_resolve(f->library, "emoji32", &error);
    g_assert_cmpint(gs_model_entry_get_kind(builtin), ==, GS_MODEL_BUILTIN);
    g_autoptr(GsModelEntry) by_name = gs_model_library_resolve(f->library, "dreamshaper", &error);
    g_assert_no_error(error);
    g_autofree char *in_folder = g_build_filename(f->models, "dreamshaper.safetensors", NULL);
    g_assert_cmpstr(gs_model_entry_get_path(by_name), ==, in_folder);
    g_autoptr(GsModelEntry) by_path = gs_model_library_resolve(f->library, elsewhere, &error);
    g_assert_no_error(error);
    g_assert_cmpint(gs_model_entry_get_kind(by_path), ==, GS_MODEL_EXTERNAL);
    g_assert_cmpstr(gs_model_entry_get_name(by_path), ==, "other");
    g_assert_cmpstr(gs_model_entry_get_path(by_path), ==, elsewhere);

    g_assert_null(gs_model_library_resolve(f->library, "nope", &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, f->models));
    g_clear_error(&error);
    g_assert_null(gs_model_library_resolve(f->library, "/no/such/model.safetensors", &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_NOT_FOUND);
    g_clear_error(&error);
    g_assert_null(gs_model_library_resolve(f->library, "missing.safetensors", &error)); /* a path, not a name */
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_NOT_FOUND);
}

static char *
write_gzip(const char *dir, const char *name, const char *text)
{
    g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
    g_autoptr(GMemoryOutputStream) mem = G_MEMORY_OUTPUT_STREAM(g_memory_output_stream_new_resizable());
    g_autoptr(GOutputStream) out = g_converter_output_stream_new(G_OUTPUT_STREAM(mem), G_CONVERTER(gzip));
    g_assert_true(g_output_stream_write_all(out, text, strlen(text), NULL, NULL, NULL));
    g_assert_true(g_output_stream_close(out, NULL, NULL));
    return write_file(dir, name, g_memory_output_stream_get_data(mem), g_memory_output_stream_get_data_size(mem));
}

static void
test_tokenizer(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_assert_false(gs_model_library_has_tokenizer(f->library));
    g_autofree char *dir = gs_model_library_dup_tokenizer_dir(f->library);
    g_autofree char *want_dir = g_build_filename(f->models, "tokenizers", "clip", NULL);
    g_assert_cmpstr(dir, ==, want_dir);

    /* A single-file SD checkpoint without tokenizer files: said before loading. */
    g_free(write_model(f->models, "sd.safetensors", SD1_TAG, 100));
    g_autoptr(GsModelEntry) sd = gs_model_library_resolve(f->library, "sd", &error);
    g_assert_no_error(error);
    g_assert_null(gs_model_library_load(f->library, NULL, sd, NULL, &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_NEEDS_TOKENIZER);
    g_assert_true(gs_model_error_is_tokenizer(error));
    g_assert_nonnull(strstr(error->message, want_dir));
    g_clear_error(&error);
    g_autoptr(GError) loader = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot load: no CLIP Tokenizer files");
    g_assert_true(gs_model_error_is_tokenizer(loader));
    g_autoptr(GError) other = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_FAILED, "out of memory");
    g_assert_false(gs_model_error_is_tokenizer(other));

    /* Not tokenizer files: refused, nothing written. */
    g_autofree char *blobs = g_build_filename(f->outside, "no-tokenizer", NULL);
    g_assert_cmpint(g_mkdir(blobs, 0755), ==, 0);
    g_assert_false(gs_model_library_add_tokenizer(f->library, blobs, &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_INVALID);
    g_clear_error(&error);
    g_autofree char *not_gz = write_model(f->outside, "vocab.txt.gz", "plain", 100);
    g_assert_false(gs_model_library_add_tokenizer(f->library, not_gz, &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_INVALID);
    g_clear_error(&error);
    g_autofree char *bad_vocab_dir = g_build_filename(f->outside, "bad", NULL);
    g_free(write_file(bad_vocab_dir, "tokenizer/vocab.json", "[1, 2]", 6));
    g_free(write_file(bad_vocab_dir, "tokenizer/merges.txt", "#version: 0.2\ni n\n", 18));
    g_assert_false(gs_model_library_add_tokenizer(f->library, bad_vocab_dir, &error));
    g_assert_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_INVALID);
    g_clear_error(&error);
    g_assert_false(gs_model_library_has_tokenizer(f->library));
    g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));

    /* From a diffusers folder's tokenizer/. */
    g_autofree char *diffusers = make_diffusers(f, "with-tokenizer");
    const char *vocab = "{\"i\": 0, \"n\": 1, \"in</w>\": 2, \"<|startoftext|>\": 3, \"<|endoftext|>\": 4}";
    g_free(write_file(diffusers, "tokenizer/vocab.json", vocab, (gsize)strlen(vocab)));
    g_assert_true(gs_model_library_add_tokenizer(f->library, diffusers, &error));
    g_assert_no_error(error);
    g_assert_true(gs_model_library_has_tokenizer(f->library));
    g_autofree char *names = folder_names(dir);
    g_assert_cmpstr(names, ==, "merges.txt,vocab.json");
    g_autofree char *vocab_src = g_build_filename(diffusers, "tokenizer", "vocab.json", NULL);
    g_autofree char *vocab_copy = g_build_filename(dir, "vocab.json", NULL);
    assert_same_contents(vocab_src, vocab_copy);
    /* The tokenizer folder is not a model. */
    g_autoptr(GPtrArray) entries = list(f);
    g_assert_cmpuint(entries->len, ==, 2);

    /* From CLIP's vocabulary file (any name), stored under CLIP's name. */
    g_autofree char *gz = write_gzip(f->outside, "bpe_tiny_vocab.txt.gz",
                                     "\"bpe_simple_vocab_16e6.txt#version: 0.2\ni n\nt h\na n\nin g\n");
    g_assert_true(gs_model_library_add_tokenizer(f->library, gz, &error));
    g_assert_no_error(error);
    g_free(names);
    names = folder_names(dir);
    g_assert_cmpstr(names, ==, "bpe_simple_vocab_16e6.txt.gz,merges.txt,vocab.json");
    g_autofree char *gz_copy = g_build_filename(dir, "bpe_simple_vocab_16e6.txt.gz", NULL);
    assert_same_contents(gz, gz_copy);

    /* CLIP's real file, where the machine has it (never in the project). */
    g_autofree char *clip = g_build_filename(GS_SOURCE_ROOT, "..", "shared", "data", "clip",
                                             "bpe_simple_vocab_16e6.txt.gz", NULL);
    if (g_file_test(clip, G_FILE_TEST_IS_REGULAR)) {
        g_assert_true(gs_model_library_add_tokenizer(f->library, clip, &error));
        g_assert_no_error(error);
        assert_same_contents(clip, gz_copy);
    } else {
        g_test_message("%s is absent: the real CLIP vocabulary is not tried", clip);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
    g_unsetenv("GS_MODELS_DIR");
    g_test_add_func("/model-library/default-dir", test_default_dir);
#define ADD(path, fn) g_test_add("/model-library/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
    ADD("list", test_list);
    ADD("add-copy", test_add_copy);
    ADD("add-link", test_add_link);
    ADD("add-folder", test_add_folder);
    ADD("atomic-copy", test_atomic_copy);
    ADD("resolve", test_resolve);
    ADD("tokenizer", test_tokenizer);
#undef ADD
    return g_test_run();
}
