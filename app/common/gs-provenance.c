/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <glib/gstdio.h>
#include <gexiv2/gexiv2.h>
#include <stdio.h>

#include "gs-image-mark.h"
#include "gs-mark-install.h"
#include "gs-model-library.h"
#include "gs-provenance.h"

#define GS_XMP_NAMESPACE "https://genstudio.invalid/ns/provenance/1.0/"

static void
hash_folder(GChecksum *sum, const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while (dir && (name = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *child = g_build_filename(path, names->pdata[i], NULL);
        GStatBuf st;
        g_autofree char *line = g_strdup_printf("%s %lld\n", (char *)names->pdata[i],
                                                g_stat(child, &st) == 0 ? (long long)st.st_size : -1LL);
        g_checksum_update(sum, (const guchar *)line, -1);
    }
}

char *
gs_provenance_model_sha256(const char *path)
{
    static GMutex lock;
    static GHashTable *cache;
    GStatBuf st;
    if (!path || g_stat(path, &st) != 0)
        return NULL;
    g_autofree char *key = g_strdup_printf("%s\n%lld\n%lld", path, (long long)st.st_size, (long long)st.st_mtime);
    g_mutex_lock(&lock);
    if (!cache)
        cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    char *known = g_strdup(g_hash_table_lookup(cache, key));
    g_mutex_unlock(&lock);
    if (known)
        return known;
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        hash_folder(sum, path);
    } else {
        FILE *f = fopen(path, "rb");
        if (!f)
            return NULL;
        guchar buffer[1 << 16];
        size_t got;
        while ((got = fread(buffer, 1, sizeof buffer, f)) > 0)
            g_checksum_update(sum, buffer, got);
        fclose(f);
    }
    char *hex = g_strdup(g_checksum_get_string(sum));
    g_mutex_lock(&lock);
    g_hash_table_replace(cache, g_steal_pointer(&key), g_strdup(hex));
    g_mutex_unlock(&lock);
    return hex;
}

static gboolean ensure_gexiv2(GError **error);

static GMutex model_paths_lock;
static GHashTable *model_paths; /* name → path */

void
gs_provenance_note_model(const char *name, const char *path)
{
    g_mutex_lock(&model_paths_lock);
    if (!model_paths)
        model_paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_replace(model_paths, g_strdup(name), g_strdup(path));
    g_mutex_unlock(&model_paths_lock);
    g_free(gs_provenance_model_sha256(path));
    ensure_gexiv2(NULL); /* its first start is slow too */
}

GsProvenance
gs_provenance_for_params(const GsImageParams *params, char **path_out)
{
    g_mutex_lock(&model_paths_lock);
    *path_out = model_paths && params->model ? g_strdup(g_hash_table_lookup(model_paths, params->model)) : NULL;
    g_mutex_unlock(&model_paths_lock);
    if (!*path_out && params->model) {
        g_autoptr(GsModelLibrary) library = gs_model_library_new(NULL);
        g_autoptr(GsModelEntry) entry = gs_model_library_resolve(library, params->model, NULL);
        *path_out = entry ? g_strdup(gs_model_entry_get_path(entry)) : NULL;
    }
    return (GsProvenance){ params->strength > 0 ? GS_SOURCE_COMPOSITE : GS_SOURCE_GENERATED, params->model, *path_out,
                           NULL };
}

static gboolean
ensure_gexiv2(GError **error)
{
    static gsize done;
    static gboolean ok;
    if (g_once_init_enter(&done)) {
        ok = gexiv2_initialize() &&
             gexiv2_metadata_try_register_xmp_namespace(GS_XMP_NAMESPACE, "genstudio", NULL);
        g_once_init_leave(&done, 1);
    }
    if (!ok)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "The metadata library (gexiv2) did not start");
    return ok;
}

gboolean
gs_provenance_write_xmp(const char *path, const GsProvenance *p, const char *watermark, GError **error)
{
    if (!ensure_gexiv2(error))
        return FALSE;
    g_autoptr(GExiv2Metadata) meta = gexiv2_metadata_new();
    if (!gexiv2_metadata_open_path(meta, path, error))
        return FALSE;
    g_autofree char *sha = p->model_path ? gs_provenance_model_sha256(p->model_path) : g_strdup(p->model_sha256);
    const char *model = p->model ? p->model : "unknown";
    const struct {
        const char *tag, *value;
    } fields[] = {
        { "Xmp.iptcExt.DigitalSourceType", p->source == GS_SOURCE_COMPOSITE ? GS_IPTC_COMPOSITE : GS_IPTC_GENERATED },
        { "Xmp.xmp.CreatorTool", "GenStudio " GS_VERSION },
        { "Xmp.iptcExt.AISystemUsed", "GenStudio" },
        { "Xmp.iptcExt.AISystemVersionUsed", GS_VERSION },
        { "Xmp.genstudio.Model", model },
        { "Xmp.genstudio.ModelSHA256", sha ? sha : "unknown" },
        { "Xmp.genstudio.Watermark", watermark },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(fields); i++)
        if (!gexiv2_metadata_try_set_tag_string(meta, fields[i].tag, fields[i].value, error))
            return FALSE;
    return gexiv2_metadata_save_file(meta, path, error);
}

GsProvenanceInfo *
gs_provenance_read_xmp(const char *path, GError **error)
{
    if (!ensure_gexiv2(error))
        return NULL;
    g_autoptr(GExiv2Metadata) meta = gexiv2_metadata_new();
    if (!gexiv2_metadata_open_path(meta, path, error))
        return NULL;
    GsProvenanceInfo *info = g_new0(GsProvenanceInfo, 1);
    char **slots[] = { &info->source_type, &info->software, &info->model, &info->model_sha256, &info->watermark };
    const char *tags[] = { "Xmp.iptcExt.DigitalSourceType", "Xmp.xmp.CreatorTool", "Xmp.genstudio.Model",
                           "Xmp.genstudio.ModelSHA256", "Xmp.genstudio.Watermark" };
    for (gsize i = 0; i < G_N_ELEMENTS(tags); i++)
        if (gexiv2_metadata_try_has_tag(meta, tags[i], NULL))
            *slots[i] = gexiv2_metadata_try_get_tag_string(meta, tags[i], NULL);
    return info;
}

void
gs_provenance_info_free(GsProvenanceInfo *info)
{
    if (!info)
        return;
    g_free(info->source_type);
    g_free(info->software);
    g_free(info->model);
    g_free(info->model_sha256);
    g_free(info->watermark);
    g_free(info);
}

gboolean
gs_png_save_marked(const char *path, const float *rgb, int width, int height, const GsPngText *texts, int text_count,
                   const GsProvenance *p, GError **error)
{
    g_autofree float *marked = g_memdup2(rgb, sizeof(float) * (gsize)width * height * 3);
    GsMarkPayload payload = gs_mark_payload_for(p->model);
    double psnr = 0;
    g_autofree char *note = NULL;
    if (gs_image_mark_embed(marked, width, height, &payload, &psnr))
        note = g_strdup_printf("48-bit watermark v%u, model id %03x, install %08x (PSNR %.1f dB)", payload.version,
                               payload.model_id, payload.install_id, psnr);
    else
        note = g_strdup_printf("none: %d×%d is under %d² (metadata only)", width, height, GS_IMAGE_MARK_MIN_SIDE);
    /* Written and tagged under a side name, then moved into place. */
    g_autofree char *part = g_strdup_printf("%s.part", path);
    if (!gs_png_save(part, marked, width, height, texts, text_count, error))
        return FALSE;
    if (!gs_provenance_write_xmp(part, p, note, error) || g_rename(part, path) != 0) {
        int err = errno;
        g_unlink(part);
        if (error && !*error)
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "Cannot write %s: %s", path, g_strerror(err));
        return FALSE;
    }
    return TRUE;
}
