/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE /* renameat2, copy_file_range */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gs-image-job.h"
#include "gs-model-library.h"

#define SAFETENSORS ".safetensors"
#define TOKENIZERS "tokenizers"
#define CLIP_GZ "bpe_simple_vocab_16e6.txt.gz"
#define COPY_CHUNK (4 << 20)

struct _GsModelLibrary {
    GObject parent_instance;
    char *dir;
    GsModelProbeFunc probe;
};

G_DEFINE_FINAL_TYPE(GsModelLibrary, gs_model_library, G_TYPE_OBJECT)
G_DEFINE_QUARK(gs-model-library-error-quark, gs_model_library_error)

/* Pickled weights: listed so that the probe can say why they are refused. */
static const char *const pickle_suffixes[] = { ".ckpt", ".pt", ".pth", ".bin" };

/* What a diffusers folder's copy keeps: the parts the loader reads. */
static const char *const diffusers_parts[] = { "unet", "vae", "text_encoder", "tokenizer", "scheduler" };
static const char *const diffusers_suffixes[] = { ".json", ".txt", SAFETENSORS };

char *
gs_model_library_default_dir(void)
{
    const char *env = g_getenv("GS_MODELS_DIR");
    if (env && *env)
        return g_strdup(env);
    return g_build_filename(g_get_user_data_dir(), "genstudio", "models", NULL);
}

GsModelLibrary *
gs_model_library_new(const char *dir)
{
    GsModelLibrary *self = g_object_new(GS_TYPE_MODEL_LIBRARY, NULL);
    self->dir = dir ? g_strdup(dir) : gs_model_library_default_dir();
    return self;
}

const char *gs_model_library_get_dir(GsModelLibrary *self) { return self->dir; }

void
gs_model_library_set_probe(GsModelLibrary *self, GsModelProbeFunc probe)
{
    self->probe = probe ? probe : gs_model_probe;
}

static gboolean
has_suffix_in(const char *name, const char *const *suffixes, gsize n)
{
    for (gsize i = 0; i < n; i++)
        if (g_str_has_suffix(name, suffixes[i]))
            return TRUE;
    return FALSE;
}

/* "dreamshaper.safetensors" → "dreamshaper"; other names stay whole. */
static char *
model_name_of(const char *path)
{
    g_autofree char *base = g_path_get_basename(path);
    if (g_str_has_suffix(base, SAFETENSORS) && strlen(base) > strlen(SAFETENSORS))
        return g_strndup(base, strlen(base) - strlen(SAFETENSORS));
    return g_steal_pointer(&base);
}

static gboolean
is_diffusers_folder(const char *path)
{
    g_autofree char *index = g_build_filename(path, "model_index.json", NULL);
    return g_file_test(index, G_FILE_TEST_IS_REGULAR);
}

/* Bytes of a file, or of every file in a folder (following links, as the
 * loader will; depth-limited against link loops). */
static guint64
size_on_disk(const char *path, int depth)
{
    GStatBuf st;
    if (g_stat(path, &st) != 0)
        return 0;
    if (S_ISREG(st.st_mode))
        return (guint64)st.st_size;
    if (!S_ISDIR(st.st_mode) || depth > 4)
        return 0;
    guint64 total = 0;
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    for (const char *name; dir && (name = g_dir_read_name(dir));) {
        g_autofree char *child = g_build_filename(path, name, NULL);
        total += size_on_disk(child, depth + 1);
    }
    return total;
}

GsModelEntry *
gs_model_library_probe(GsModelLibrary *self, const char *name, const char *path, GsModelKind kind)
{
    guint64 size = size_on_disk(path, 0);
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) { /* a link whose target went away */
        g_autofree char *target = g_file_read_link(path, NULL);
        g_autofree char *why = g_strdup_printf("%s links to %s, which is not there any more", path, target ? target : "?");
        return gs_model_entry_new(name, path, kind, size, NULL, why);
    }
    gs_model_info info = { 0 };
    char *message = NULL; /* malloc'd by the engine */
    gs_status st = self->probe(path, &info, &message);
    GsModelEntry *entry =
        gs_model_entry_new(name, path, kind, size, st == GS_OK ? &info : NULL, message ? message : gs_status_name(st));
    free(message);
    return entry;
}

/* ---- scanning ------------------------------------------------------------ */

typedef struct {
    char *name, *path;
    GsModelKind kind;
} Candidate;

static void
candidate_free(Candidate *c)
{
    g_free(c->name);
    g_free(c->path);
    g_free(c);
}

static Candidate *
builtin_candidate(void)
{
    Candidate *c = g_new0(Candidate, 1);
    c->path = gs_default_model_path();
    c->name = model_name_of(c->path);
    c->kind = GS_MODEL_BUILTIN;
    return c;
}

static int
compare_candidates(gconstpointer a, gconstpointer b)
{
    const Candidate *x = *(Candidate *const *)a, *y = *(Candidate *const *)b;
    return g_utf8_collate(x->name, y->name);
}

/* Names and paths only; nothing is probed. */
static GPtrArray *
scan(GsModelLibrary *self, GError **error)
{
    GPtrArray *found = g_ptr_array_new_with_free_func((GDestroyNotify)candidate_free);
    g_autoptr(GError) local = NULL;
    g_autoptr(GDir) dir = g_dir_open(self->dir, 0, &local);
    if (!dir) {
        if (!g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            g_propagate_error(error, g_steal_pointer(&local));
            g_ptr_array_unref(found);
            return NULL;
        }
    }
    for (const char *name; dir && (name = g_dir_read_name(dir));) {
        if (name[0] == '.' || g_str_equal(name, TOKENIZERS))
            continue;
        g_autofree char *path = g_build_filename(self->dir, name, NULL);
        GStatBuf own, target;
        if (g_lstat(path, &own) != 0)
            continue;
        gboolean link = S_ISLNK(own.st_mode), dangling = link && g_stat(path, &target) != 0;
        if (!link)
            target = own;
        gboolean wanted;
        if (dangling) /* listed, so that it can be seen and removed */
            wanted = TRUE;
        else if (S_ISDIR(target.st_mode))
            wanted = is_diffusers_folder(path);
        else
            wanted = S_ISREG(target.st_mode) && (g_str_has_suffix(name, SAFETENSORS) ||
                                                 has_suffix_in(name, pickle_suffixes, G_N_ELEMENTS(pickle_suffixes)));
        if (!wanted)
            continue;
        Candidate *c = g_new0(Candidate, 1);
        c->name = model_name_of(name);
        c->path = g_steal_pointer(&path);
        c->kind = link ? GS_MODEL_LINK : GS_MODEL_COPY;
        g_ptr_array_add(found, c);
    }
    g_ptr_array_sort(found, compare_candidates);
    g_ptr_array_insert(found, 0, builtin_candidate());
    return found;
}

GPtrArray *
gs_model_library_list(GsModelLibrary *self, GError **error)
{
    g_autoptr(GPtrArray) found = scan(self, error);
    if (!found)
        return NULL;
    GPtrArray *entries = g_ptr_array_new_with_free_func(g_object_unref);
    for (guint i = 0; i < found->len; i++) {
        Candidate *c = g_ptr_array_index(found, i);
        g_ptr_array_add(entries, gs_model_library_probe(self, c->name, c->path, c->kind));
    }
    return entries;
}

static gboolean
looks_like_path(const char *text)
{
    return strchr(text, G_DIR_SEPARATOR) || g_str_has_suffix(text, SAFETENSORS) ||
           has_suffix_in(text, pickle_suffixes, G_N_ELEMENTS(pickle_suffixes));
}

GsModelEntry *
gs_model_library_resolve(GsModelLibrary *self, const char *name_or_path, GError **error)
{
    if (!name_or_path || !*name_or_path) {
        Candidate *c = builtin_candidate();
        GsModelEntry *entry = gs_model_library_probe(self, c->name, c->path, c->kind);
        candidate_free(c);
        return entry;
    }
    gboolean path_like = looks_like_path(name_or_path);
    if (!path_like) {
        g_autoptr(GPtrArray) found = scan(self, error);
        if (!found)
            return NULL;
        for (guint i = 0; i < found->len; i++) {
            Candidate *c = g_ptr_array_index(found, i);
            if (g_str_equal(c->name, name_or_path))
                return gs_model_library_probe(self, c->name, c->path, c->kind);
        }
    }
    if (g_file_test(name_or_path, G_FILE_TEST_EXISTS)) {
        g_autofree char *path = g_canonicalize_filename(name_or_path, NULL);
        g_autofree char *name = model_name_of(path);
        return gs_model_library_probe(self, name, path, GS_MODEL_EXTERNAL);
    }
    if (path_like)
        g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_NOT_FOUND, "%s: no such file or folder",
                    name_or_path);
    else
        g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_NOT_FOUND,
                    "no model named “%s” in %s (genstudio-cli models list shows them)", name_or_path, self->dir);
    return NULL;
}

/* ---- writing files safely --------------------------------------------- */

static gboolean
set_errno_error(GError **error, int saved_errno, const char *what, const char *path)
{
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved_errno), "%s %s: %s", what, path,
                g_strerror(saved_errno));
    return FALSE;
}

static gboolean
fsync_path(const char *path, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return set_errno_error(error, errno, "Cannot open", path);
    int failed = fsync(fd) != 0 && errno != EINVAL; /* some file systems cannot sync a folder */
    int saved = errno;
    close(fd);
    return failed ? set_errno_error(error, saved, "Cannot sync", path) : TRUE;
}

/* rename() that never replaces what is there. */
static int
rename_noreplace(const char *from, const char *to)
{
#ifdef RENAME_NOREPLACE
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
#endif
    GStatBuf st;
    if (g_lstat(to, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}

/* Deletes a file, or a folder and what is in it, never following a link:
 * a link inside is unlinked, not the file it points to. */
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

typedef struct {
    guint64 done, total;
    GFileProgressCallback callback;
    gpointer data;
    GCancellable *cancellable;
} Progress;

static gboolean
write_all(int fd, const char *buf, gsize n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return FALSE;
        buf += w;
        n -= (gsize)w;
    }
    return TRUE;
}

/* copy_file_range first (a reflink on file systems that share extents),
 * read/write when the kernel cannot; in chunks, for progress and cancel. */
static gboolean
copy_contents(const char *src, int out, const char *out_path, Progress *p, GError **error)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return set_errno_error(error, errno, "Cannot open", src);
    posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
    gboolean ok = TRUE, use_range = TRUE;
    g_autofree char *buf = NULL;
    for (;;) {
        if (g_cancellable_set_error_if_cancelled(p->cancellable, error)) {
            ok = FALSE;
            break;
        }
        ssize_t n = -1;
        if (use_range) {
            n = copy_file_range(in, NULL, out, NULL, COPY_CHUNK, 0);
            if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
                use_range = FALSE;
                continue;
            }
        } else {
            if (!buf)
                buf = g_malloc(COPY_CHUNK);
            n = read(in, buf, COPY_CHUNK);
            if (n > 0 && !write_all(out, buf, (gsize)n)) {
                ok = set_errno_error(error, errno, "Cannot write", out_path);
                break;
            }
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ok = set_errno_error(error, errno, "Cannot copy", src);
            break;
        }
        if (n == 0)
            break;
        p->done += (guint64)n;
        if (p->callback)
            p->callback((goffset)p->done, (goffset)p->total, p->data);
    }
    close(in);
    return ok;
}

/* Copies `src` to `dest` (which must not exist) through a hidden temporary
 * next to it, synced before it is renamed into place. With `replace`, an
 * existing `dest` is replaced instead. */
static gboolean
copy_file_atomic(const char *src, const char *dest, gboolean replace, Progress *p, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(dest), *base = g_path_get_basename(dest);
    g_autofree char *tmp_name = g_strdup_printf(".%s.partial-XXXXXX", base);
    g_autofree char *tmp = g_build_filename(dir, tmp_name, NULL);
    int out = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0644);
    if (out < 0)
        return set_errno_error(error, errno, "Cannot create a file in", dir);
    gboolean ok = copy_contents(src, out, dest, p, error);
    if (ok && fsync(out) != 0)
        ok = set_errno_error(error, errno, "Cannot sync", tmp);
    if (close(out) != 0 && ok)
        ok = set_errno_error(error, errno, "Cannot write", tmp);
    if (ok && (replace ? rename(tmp, dest) : rename_noreplace(tmp, dest)) != 0)
        ok = set_errno_error(error, errno, "Cannot create", dest);
    if (!ok)
        g_unlink(tmp);
    return ok && fsync_path(dir, error);
}

/* The files of a diffusers folder worth copying, relative to it. */
static GPtrArray *
diffusers_files(const char *src)
{
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(files, g_strdup("model_index.json"));
    for (gsize i = 0; i < G_N_ELEMENTS(diffusers_parts); i++) {
        g_autofree char *part = g_build_filename(src, diffusers_parts[i], NULL);
        g_autoptr(GDir) dir = g_dir_open(part, 0, NULL);
        for (const char *name; dir && (name = g_dir_read_name(dir));) {
            g_autofree char *path = g_build_filename(part, name, NULL);
            if (name[0] != '.' && has_suffix_in(name, diffusers_suffixes, G_N_ELEMENTS(diffusers_suffixes)) &&
                g_file_test(path, G_FILE_TEST_IS_REGULAR))
                g_ptr_array_add(files, g_build_filename(diffusers_parts[i], name, NULL));
        }
    }
    return files;
}

static gboolean
enough_space(const char *dir, guint64 needed, GError **error)
{
    g_autoptr(GFile) file = g_file_new_for_path(dir);
    g_autoptr(GFileInfo) info =
        g_file_query_filesystem_info(file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);
    if (!info || !g_file_info_has_attribute(info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
        return TRUE; /* unknown: let the copy find out */
    guint64 free_bytes = g_file_info_get_attribute_uint64(info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
    if (free_bytes >= needed)
        return TRUE;
    g_autofree char *need = g_format_size(needed), *have = g_format_size(free_bytes);
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "Copying needs %s, but %s has only %s free (link it instead?)",
                need, dir, have);
    return FALSE;
}

static gboolean
copy_folder_atomic(const char *src, const char *dest, Progress *p, GError **error)
{
    g_autoptr(GPtrArray) files = diffusers_files(src);
    for (guint i = 0; i < files->len; i++) {
        g_autofree char *path = g_build_filename(src, g_ptr_array_index(files, i), NULL);
        p->total += size_on_disk(path, 0);
    }
    g_autofree char *dir = g_path_get_dirname(dest), *base = g_path_get_basename(dest);
    if (!enough_space(dir, p->total, error))
        return FALSE;
    g_autofree char *tmp_name = g_strdup_printf(".%s.partial-XXXXXX", base);
    g_autofree char *tmp = g_build_filename(dir, tmp_name, NULL);
    if (!g_mkdtemp_full(tmp, 0755))
        return set_errno_error(error, errno, "Cannot create a folder in", dir);
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < files->len; i++) {
        const char *rel = g_ptr_array_index(files, i);
        g_autofree char *from = g_build_filename(src, rel, NULL), *to = g_build_filename(tmp, rel, NULL);
        g_autofree char *to_dir = g_path_get_dirname(to);
        if (g_mkdir_with_parents(to_dir, 0755) != 0) {
            ok = set_errno_error(error, errno, "Cannot create", to_dir);
            break;
        }
        int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (out < 0) {
            ok = set_errno_error(error, errno, "Cannot create", to);
            break;
        }
        ok = copy_contents(from, out, to, p, error);
        if (ok && fsync(out) != 0)
            ok = set_errno_error(error, errno, "Cannot sync", to);
        if (close(out) != 0 && ok)
            ok = set_errno_error(error, errno, "Cannot write", to);
    }
    for (gsize i = 0; ok && i < G_N_ELEMENTS(diffusers_parts); i++) {
        g_autofree char *part = g_build_filename(tmp, diffusers_parts[i], NULL);
        if (g_file_test(part, G_FILE_TEST_IS_DIR))
            ok = fsync_path(part, error);
    }
    if (ok)
        ok = fsync_path(tmp, error);
    if (ok && rename_noreplace(tmp, dest) != 0)
        ok = set_errno_error(error, errno, "Cannot create", dest);
    if (!ok) {
        remove_tree(tmp);
        return FALSE;
    }
    return fsync_path(dir, error);
}

/* A symlink made under a temporary name and renamed into place, so that a
 * half-made link is never listed. */
static gboolean
link_atomic(const char *target, const char *dest, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(dest), *base = g_path_get_basename(dest);
    for (int attempt = 0; attempt < 16; attempt++) {
        g_autofree char *tmp_name = g_strdup_printf(".%s.link-%08x", base, g_random_int());
        g_autofree char *tmp = g_build_filename(dir, tmp_name, NULL);
        if (symlink(target, tmp) != 0) {
            if (errno == EEXIST)
                continue;
            return set_errno_error(error, errno, "Cannot create a link in", dir);
        }
        if (rename_noreplace(tmp, dest) != 0) {
            int saved = errno;
            g_unlink(tmp);
            return set_errno_error(error, saved, "Cannot create", dest);
        }
        return fsync_path(dir, error);
    }
    return set_errno_error(error, EEXIST, "Cannot create a link in", dir);
}

/* ---- adding and removing ---------------------------------------------- */

static gboolean
name_taken(GsModelLibrary *self, const char *name, GError **error)
{
    g_autoptr(GPtrArray) found = scan(self, error);
    if (!found)
        return TRUE;
    for (guint i = 0; i < found->len; i++) {
        Candidate *c = g_ptr_array_index(found, i);
        if (g_str_equal(c->name, name)) {
            g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_EXISTS,
                        "A model named “%s” is already in %s: remove it first, or rename the file", name,
                        self->dir);
            return TRUE;
        }
    }
    return FALSE;
}

GsModelEntry *
gs_model_library_add(GsModelLibrary *self, const char *path, gboolean link, GFileProgressCallback progress,
                     gpointer progress_data, GCancellable *cancellable, GError **error)
{
    g_return_val_if_fail(path, NULL);
    g_autofree char *src = g_canonicalize_filename(path, NULL);
    GStatBuf st;
    if (g_stat(src, &st) != 0) {
        set_errno_error(error, errno, "Cannot add", path);
        return NULL;
    }
    gboolean folder = S_ISDIR(st.st_mode);
    if (folder && !is_diffusers_folder(src)) {
        g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_INVALID,
                    "%s has no model_index.json: not a diffusers model folder", path);
        return NULL;
    }
    if (!folder && !S_ISREG(st.st_mode)) {
        g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_INVALID,
                    "%s is neither a model file nor a diffusers folder", path);
        return NULL;
    }
    g_autofree char *src_dir = g_path_get_dirname(src), *dir = g_canonicalize_filename(self->dir, NULL);
    if (g_str_equal(src_dir, dir)) {
        g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_EXISTS, "%s is in the models folder already",
                    path);
        return NULL;
    }
    g_autofree char *name = model_name_of(src);
    g_autoptr(GsModelEntry) probed = gs_model_library_probe(self, name, src, GS_MODEL_EXTERNAL);
    if (!gs_model_entry_get_usable(probed)) {
        g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_REFUSED, "%s",
                    gs_model_entry_get_refusal(probed));
        return NULL;
    }
    if (g_mkdir_with_parents(self->dir, 0755) != 0) {
        set_errno_error(error, errno, "Cannot create", self->dir);
        return NULL;
    }
    if (name_taken(self, name, error))
        return NULL;

    g_autofree char *base = g_path_get_basename(src);
    g_autofree char *dest = g_build_filename(self->dir, base, NULL);
    Progress p = { .callback = progress, .data = progress_data, .cancellable = cancellable };
    gboolean ok;
    if (link)
        ok = link_atomic(src, dest, error);
    else if (folder)
        ok = copy_folder_atomic(src, dest, &p, error);
    else {
        p.total = (guint64)st.st_size;
        ok = enough_space(self->dir, p.total, error) && copy_file_atomic(src, dest, FALSE, &p, error);
    }
    if (!ok)
        return NULL;
    return gs_model_library_probe(self, name, dest, link ? GS_MODEL_LINK : GS_MODEL_COPY);
}

gboolean
gs_model_library_remove(GsModelLibrary *self, const char *name, GError **error)
{
    g_return_val_if_fail(name, FALSE);
    g_autoptr(GPtrArray) found = scan(self, error);
    if (!found)
        return FALSE;
    Candidate *match = NULL;
    for (guint i = 0; i < found->len && !match; i++) {
        Candidate *c = g_ptr_array_index(found, i);
        if (g_str_equal(c->name, name) && c->kind != GS_MODEL_BUILTIN)
            match = c;
    }
    if (!match) {
        Candidate *builtin = g_ptr_array_index(found, 0);
        if (g_str_equal(builtin->name, name))
            g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_BUILTIN,
                        "“%s” is GenStudio's own model and cannot be removed", name);
        else
            g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_NOT_FOUND,
                        "No model named “%s” in %s", name, self->dir);
        return FALSE;
    }
    GStatBuf st;
    if (g_lstat(match->path, &st) != 0)
        return set_errno_error(error, errno, "Cannot remove", match->path);
    if (S_ISDIR(st.st_mode)) {
        /* Out of the listing in one step, then deleted at leisure. */
        g_autofree char *tmp_name = g_strdup_printf(".%s.removing-%08x", name, g_random_int());
        g_autofree char *tmp = g_build_filename(self->dir, tmp_name, NULL);
        if (rename(match->path, tmp) != 0)
            return set_errno_error(error, errno, "Cannot remove", match->path);
        remove_tree(tmp);
    } else if (g_unlink(match->path) != 0) { /* a file, or a link (never its target) */
        return set_errno_error(error, errno, "Cannot remove", match->path);
    }
    return fsync_path(self->dir, error);
}

/* ---- tokenizer files ------------------------------------------------------ */

char *
gs_model_library_dup_tokenizer_dir(GsModelLibrary *self)
{
    return g_build_filename(self->dir, TOKENIZERS, "clip", NULL);
}

static gboolean
has_files(const char *dir, const char *a, const char *b)
{
    g_autofree char *pa = g_build_filename(dir, a, NULL);
    g_autofree char *pb = b ? g_build_filename(dir, b, NULL) : NULL;
    return g_file_test(pa, G_FILE_TEST_IS_REGULAR) && (!pb || g_file_test(pb, G_FILE_TEST_IS_REGULAR));
}

gboolean
gs_model_library_has_tokenizer(GsModelLibrary *self)
{
    g_autofree char *dir = gs_model_library_dup_tokenizer_dir(self);
    return has_files(dir, "vocab.json", "merges.txt") || has_files(dir, CLIP_GZ, NULL);
}

static gboolean
invalid(GError **error, const char *path, const char *why)
{
    g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_INVALID, "%s: %s", path, why);
    return FALSE;
}

/* A merges list, plain or gzipped: after a header line, lines of two
 * symbols separated by one space. Only the first few lines are read. */
static gboolean
check_merges(const char *path, gboolean gzipped, GError **error)
{
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_autoptr(GInputStream) raw = G_INPUT_STREAM(g_file_read(file, NULL, error));
    if (!raw)
        return FALSE;
    g_autoptr(GInputStream) in = NULL;
    if (gzipped) {
        g_autoptr(GZlibDecompressor) gunzip = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
        in = g_converter_input_stream_new(raw, G_CONVERTER(gunzip));
    } else {
        in = g_object_ref(raw);
    }
    char head[16384];
    gsize n = 0;
    g_autoptr(GError) local = NULL;
    if (!g_input_stream_read_all(in, head, sizeof head - 1, &n, NULL, &local))
        return invalid(error, path, gzipped ? "not a gzip file of BPE merges" : local->message);
    head[n] = '\0';
    const char *end = NULL;
    if (!g_utf8_validate(head, n, &end) && (gsize)(end - head) + 4 < n) /* a cut UTF-8 sequence at the end is fine */
        return invalid(error, path, "not UTF-8 text");
    g_auto(GStrv) lines = g_strsplit(head, "\n", 12);
    guint pairs = 0, lines_n = g_strv_length(lines);
    for (guint i = 1; i + 1 < lines_n; i++) { /* line 0 is a header ("#version: 0.2"); the last may be cut */
        if (!*lines[i])
            continue;
        g_auto(GStrv) parts = g_strsplit(lines[i], " ", -1);
        if (g_strv_length(parts) != 2 || !*parts[0] || !*parts[1])
            return invalid(error, path, "not a list of BPE merges (two symbols a line)");
        pairs++;
    }
    return pairs > 0 ? TRUE : invalid(error, path, "holds no BPE merges");
}

static gboolean
check_vocab(const char *path, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    if (!json_parser_load_from_file(parser, path, error))
        return FALSE;
    JsonNode *root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root) ||
        !json_object_has_member(json_node_get_object(root), "<|endoftext|>"))
        return invalid(error, path, "not a CLIP vocabulary (a JSON object with <|endoftext|>)");
    return TRUE;
}

gboolean
gs_model_library_add_tokenizer(GsModelLibrary *self, const char *path, GError **error)
{
    g_autofree char *dest_dir = gs_model_library_dup_tokenizer_dir(self);
    Progress p = { 0 };
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_autofree char *sub = g_build_filename(path, "tokenizer", NULL);
        const char *src = has_files(sub, "vocab.json", "merges.txt")    ? sub
                          : has_files(path, "vocab.json", "merges.txt") ? path
                                                                        : NULL;
        if (!src)
            return invalid(error, path, "no tokenizer/vocab.json and tokenizer/merges.txt (a diffusers SD folder has them)");
        g_autofree char *vocab = g_build_filename(src, "vocab.json", NULL);
        g_autofree char *merges = g_build_filename(src, "merges.txt", NULL);
        if (!check_vocab(vocab, error) || !check_merges(merges, FALSE, error))
            return FALSE;
        if (g_mkdir_with_parents(dest_dir, 0755) != 0)
            return set_errno_error(error, errno, "Cannot create", dest_dir);
        g_autofree char *vocab_to = g_build_filename(dest_dir, "vocab.json", NULL);
        g_autofree char *merges_to = g_build_filename(dest_dir, "merges.txt", NULL);
        return copy_file_atomic(vocab, vocab_to, TRUE, &p, error) && copy_file_atomic(merges, merges_to, TRUE, &p, error);
    }
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_NOT_FOUND, "%s: no such file or folder", path);
        return FALSE;
    }
    if (!g_str_has_suffix(path, ".gz"))
        return invalid(error, path,
                       "expected a diffusers SD folder (with tokenizer/) or CLIP's " CLIP_GZ);
    if (!check_merges(path, TRUE, error))
        return FALSE;
    if (g_mkdir_with_parents(dest_dir, 0755) != 0)
        return set_errno_error(error, errno, "Cannot create", dest_dir);
    g_autofree char *to = g_build_filename(dest_dir, CLIP_GZ, NULL);
    return copy_file_atomic(path, to, TRUE, &p, error);
}

/* ---- loading ------------------------------------------------------------- */

gs_diffusion *
gs_model_library_load(GsModelLibrary *self, gs_context *ctx, GsModelEntry *entry,
                      const gs_diffusion_load_params *params, GError **error)
{
    if (!gs_model_entry_get_usable(entry)) {
        g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_REFUSED, "%s",
                    gs_model_entry_get_refusal(entry));
        return NULL;
    }
    gs_diffusion_load_params p = params ? *params : gs_diffusion_load_default_params();
    g_autofree char *tokenizer_dir = NULL;
    if (!p.tokenizer_dir && gs_model_library_has_tokenizer(self))
        p.tokenizer_dir = tokenizer_dir = gs_model_library_dup_tokenizer_dir(self);
    if (gs_model_entry_get_info(entry)->needs_tokenizer && !p.tokenizer_dir) {
        g_autofree char *where = gs_model_library_dup_tokenizer_dir(self);
        g_set_error(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_NEEDS_TOKENIZER,
                    "“%s” is a single-file checkpoint: it needs CLIP's tokenizer files, which are not in %s. "
                    "Add them from a diffusers SD folder or CLIP's " CLIP_GZ
                    " (genstudio-cli models add-tokenizer PATH)",
                    gs_model_entry_get_name(entry), where);
        return NULL;
    }
    gs_diffusion *model = NULL;
    gs_status st = gs_diffusion_load_with_params(ctx, gs_model_entry_get_path(entry), &p, &model);
    if (st != GS_OK) {
        gs_set_engine_error(error, ctx, st, "Cannot load the model");
        return NULL;
    }
    return model;
}

gboolean
gs_model_error_is_tokenizer(const GError *error)
{
    if (!error)
        return FALSE;
    if (g_error_matches(error, GS_MODEL_LIBRARY_ERROR, GS_MODEL_LIBRARY_ERROR_NEEDS_TOKENIZER))
        return TRUE;
    g_autofree char *lower = g_utf8_strdown(error->message, -1);
    return strstr(lower, "tokenizer") != NULL;
}

/* ---- lifetime ------------------------------------------------------------ */

static void
gs_model_library_finalize(GObject *object)
{
    GsModelLibrary *self = GS_MODEL_LIBRARY(object);
    g_clear_pointer(&self->dir, g_free);
    G_OBJECT_CLASS(gs_model_library_parent_class)->finalize(object);
}

static void
gs_model_library_class_init(GsModelLibraryClass *klass)
{
    G_OBJECT_CLASS(klass)->finalize = gs_model_library_finalize;
}

static void
gs_model_library_init(GsModelLibrary *self)
{
    self->probe = gs_model_probe;
}
