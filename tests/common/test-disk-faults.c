/* Disk faults: a project save, an audio export and a PNG write into a full
 * filesystem (a 2 MiB tmpfs in a mount namespace of the test's own; where
 * mounting is not allowed, a file-size limit, RLIMIT_FSIZE, plays the full
 * disk), into a read-only folder and into a folder removed before the
 * write. Each must fail with a message, leave the previous file byte for
 * byte, and leave no temporary file behind.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "gs-audio.h"
#include "gs-png.h"
#include "gs-project.h"

static int failures;
static char *dir;      /* the test's folder: a tmpfs when it could mount one */
static gboolean mounted;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            g_printerr("FAIL %s:%d: ", __FILE__, __LINE__);                                                           \
            g_printerr(__VA_ARGS__);                                                                                   \
            g_printerr("\n");                                                                                          \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

typedef gboolean (*WriteFunc)(const char *path, GError **error);

static float rgb[64 * 64 * 3];
static float pcm[44100 * 2];

static gboolean
write_png(const char *path, GError **error)
{
    GsPngText text = { "parameters", "red apple\nSteps: 20, Seed: 42" };
    return gs_png_save(path, rgb, 64, 64, &text, 1, error);
}

static gboolean
write_wav(const char *path, GError **error)
{
    return gs_audio_export(path, pcm, G_N_ELEMENTS(pcm) / 2, 2, 44100, NULL, NULL, NULL, NULL, error);
}

/* A project with an image, so that the save writes an asset and the JSON. */
static gboolean
write_project(const char *path, GError **error)
{
    g_autofree char *png = g_build_filename(g_get_tmp_dir(), "gs-disk-faults-image.png", NULL);
    if (!g_file_test(png, G_FILE_TEST_EXISTS) && !write_png(png, error))
        return FALSE;
    g_autoptr(GsProject) project = gs_project_new();
    /* Parameters long enough that the JSON alone outgrows RLIMIT_FSIZE's 512 bytes. */
    g_autofree char *prompt = g_strnfill(2000, 'a');
    g_autofree char *parameters = g_strdup_printf("%s\nSteps: 20, Seed: 42", prompt);
    gs_project_add_image(project, png, parameters);
    return gs_project_save(project, path, error);
}

static char *
read_all(const char *path)
{
    char *contents = NULL;
    gsize length = 0;
    return g_file_get_contents(path, &contents, &length, NULL) ? contents : NULL;
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in `folder`, sorted, one a line ("" for none). */
static char *
listing(const char *folder)
{
    g_autoptr(GDir) d = g_dir_open(folder, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while (d && (name = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    return g_strjoinv("\n", (char **)names->pdata);
}

/* Writes once where there is room (the previous file), breaks the folder
 * with `spoil`, writes again: must fail, previous intact, nothing new. */
static void
check_refused(const char *what, const char *name, WriteFunc write, void (*spoil)(const char *folder),
              void (*heal)(const char *folder))
{
    g_autofree char *folder = g_build_filename(dir, what, NULL);
    g_mkdir_with_parents(folder, 0755);
    g_autofree char *path = g_build_filename(folder, name, NULL);
    g_autoptr(GError) error = NULL;
    if (!write(path, &error)) {
        CHECK(FALSE, "%s: the first %s could not be written: %s", what, name, error->message);
        return;
    }
    g_autofree char *before = read_all(path);
    g_autofree char *files_before = listing(folder);
    spoil(folder);
    gboolean ok = write(path, &error);
    CHECK(!ok && error && *error->message, "%s: writing %s did not fail with a message", what, name);
    if (error)
        g_print("%s, %s: %s\n", what, name, error->message);
    heal(folder);
    if (g_file_test(folder, G_FILE_TEST_IS_DIR)) {
        g_autofree char *after = read_all(path);
        g_autofree char *files_after = listing(folder);
        CHECK(before && after && strcmp(before, after) == 0, "%s: the previous %s changed", what, name);
        CHECK(strcmp(files_before, files_after) == 0, "%s: %s left files behind:\n%s\n(before:\n%s)", what, name,
              files_after, files_before);
    }
}

/* ---- a full disk ---- */

static char *filler;

static void
fill_disk(const char *folder)
{
    if (!mounted) {
        /* Writes past 512 bytes fail with EFBIG, as on a full disk with ENOSPC. */
        struct rlimit limit = { 512, RLIM_INFINITY };
        setrlimit(RLIMIT_FSIZE, &limit);
        return;
    }
    filler = g_build_filename(dir, "filler", NULL);
    FILE *f = fopen(filler, "wb");
    static char block[4096];
    while (f && fwrite(block, 1, sizeof block, f) == sizeof block)
        ;
    if (f)
        fclose(f);
}

static void
free_disk(const char *folder)
{
    if (!mounted) {
        struct rlimit limit = { RLIM_INFINITY, RLIM_INFINITY };
        setrlimit(RLIMIT_FSIZE, &limit);
        return;
    }
    g_unlink(filler);
    g_clear_pointer(&filler, g_free);
}

/* ---- a read-only folder ---- */

static void
make_read_only(const char *folder)
{
    if (mounted)
        mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, "size=2m");
    else
        g_chmod(folder, 0555); /* root ignores it: the check is then weaker */
}

static void
make_writable(const char *folder)
{
    if (mounted)
        mount(NULL, dir, NULL, MS_REMOUNT, "size=2m");
    else
        g_chmod(folder, 0755);
}

/* ---- a folder removed ---- */

static void
remove_folder(const char *folder)
{
    g_autofree char *command = g_strdup_printf("rm -rf '%s'", folder);
    CHECK(system(command) == 0, "cannot remove %s", folder);
}

static void
nothing(const char *folder)
{
}

static gboolean
mount_tmpfs(const char *at)
{
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return FALSE;
    return mount("tmpfs", at, "tmpfs", 0, "size=2m") == 0;
}

int
main(void)
{
    signal(SIGXFSZ, SIG_IGN); /* a write past RLIMIT_FSIZE fails instead of killing */
    for (gsize i = 0; i < G_N_ELEMENTS(rgb); i++)
        rgb[i] = (float)(((guint32)i * 2654435761u) >> 24) / 255.0f; /* noisy: barely compresses */
    for (gsize i = 0; i < G_N_ELEMENTS(pcm); i++)
        pcm[i] = 0.5f * sinf((float)i * 0.05f);
    dir = g_dir_make_tmp("gs-disk-faults-XXXXXX", NULL);
    mounted = !g_getenv("GS_TEST_NO_MOUNT") && mount_tmpfs(dir); /* GS_TEST_NO_MOUNT: try the fallback */
    g_print("full disk: %s\n", mounted ? "a 2 MiB tmpfs" : "RLIMIT_FSIZE (mounting is not allowed here)");

    const struct {
        const char *name;
        WriteFunc write;
    } writers[] = { { "image.png", write_png }, { "take.wav", write_wav }, { "demo.genstudio", write_project } };
    for (gsize i = 0; i < G_N_ELEMENTS(writers); i++) {
        check_refused("full", writers[i].name, writers[i].write, fill_disk, free_disk);
        if (mounted || geteuid() != 0)
            check_refused("read-only", writers[i].name, writers[i].write, make_read_only, make_writable);
        check_refused("removed", writers[i].name, writers[i].write, remove_folder, nothing);
    }

    if (mounted)
        umount(dir);
    g_autofree char *command = g_strdup_printf("rm -rf '%s' '%s/gs-disk-faults-image.png'", dir, g_get_tmp_dir());
    if (system(command) != 0)
        g_printerr("cannot clean up %s\n", dir);
    g_print("%d failures\n", failures);
    return failures != 0;
}
