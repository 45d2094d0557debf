/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>

#include "gs-tensor-map.h"

struct gs_tensor_map {
    GHashTable *entries; /* name → gs_tensor_ref */
    GPtrArray *files;    /* owned gs_safetensors */
};

gs_tensor_map *
gs_tensor_map_new(void)
{
    gs_tensor_map *m = g_new0(gs_tensor_map, 1);
    m->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->files = g_ptr_array_new_with_free_func((GDestroyNotify)gs_safetensors_close);
    return m;
}

void
gs_tensor_map_free(gs_tensor_map *m)
{
    if (!m)
        return;
    g_hash_table_destroy(m->entries);
    g_ptr_array_unref(m->files);
    g_free(m);
}

void
gs_tensor_map_own(gs_tensor_map *m, gs_safetensors *file)
{
    g_ptr_array_add(m->files, file);
}

void
gs_tensor_map_add_rows(gs_tensor_map *m, const char *name, const gs_safetensors *file, int index, int64_t first,
                       int64_t rows)
{
    gs_tensor_ref *r = g_new0(gs_tensor_ref, 1);
    r->file = file;
    r->index = index;
    r->first_row = first;
    r->rows = rows;
    r->ndim = gs_safetensors_ndim(file, index);
    if (r->ndim > GS_TENSOR_MAP_MAX_DIMS)
        r->ndim = GS_TENSOR_MAP_MAX_DIMS;
    for (int d = 0; d < r->ndim; d++)
        r->shape[d] = gs_safetensors_dim(file, index, d);
    if (r->ndim > 0)
        r->shape[0] = rows;
    g_hash_table_replace(m->entries, g_strdup(name), r);
}

void
gs_tensor_map_add(gs_tensor_map *m, const char *name, const gs_safetensors *file, int index)
{
    int64_t rows = gs_safetensors_ndim(file, index) > 0 ? gs_safetensors_dim(file, index, 0) : 1;
    gs_tensor_map_add_rows(m, name, file, index, 0, rows);
}

void
gs_tensor_map_add_file(gs_tensor_map *m, const gs_safetensors *file, const char *prefix)
{
    for (int i = 0; i < gs_safetensors_count(file); i++) {
        g_autofree char *name = g_strconcat(prefix ? prefix : "", gs_safetensors_name(file, i), NULL);
        gs_tensor_map_add(m, name, file, i);
    }
}

const gs_tensor_ref *
gs_tensor_map_find(const gs_tensor_map *m, const char *name)
{
    return g_hash_table_lookup(m->entries, name);
}

bool
gs_tensor_map_has(const gs_tensor_map *m, const char *name)
{
    return gs_tensor_map_find(m, name) != NULL;
}

int64_t
gs_tensor_map_dim(const gs_tensor_map *m, const char *name, int d)
{
    const gs_tensor_ref *r = gs_tensor_map_find(m, name);
    if (!r || d < 0)
        return -1;
    return d < r->ndim ? r->shape[d] : 1;
}

int
gs_tensor_map_ndim(const gs_tensor_map *m, const char *name)
{
    const gs_tensor_ref *r = gs_tensor_map_find(m, name);
    return r ? r->ndim : 0;
}

int64_t
gs_tensor_ref_numel(const gs_tensor_ref *r)
{
    int64_t n = 1;
    for (int d = 0; d < r->ndim; d++)
        n *= r->shape[d];
    return n;
}

static int64_t
first_element(const gs_tensor_ref *r)
{
    return r->rows > 0 ? r->first_row * (gs_tensor_ref_numel(r) / r->rows) : 0;
}

gs_status
gs_tensor_ref_read(const gs_tensor_ref *r, float *dst)
{
    return gs_safetensors_read_range(r->file, r->index, first_element(r), gs_tensor_ref_numel(r), dst);
}

const void *
gs_tensor_ref_halves(const gs_tensor_ref *r)
{
    if (gs_safetensors_dtype(r->file, r->index) != GS_ST_F16)
        return NULL;
    return (const uint8_t *)gs_safetensors_data(r->file, r->index) + first_element(r) * 2;
}

const char *
gs_tensor_map_metadata(const gs_tensor_map *m, const char *key)
{
    for (guint i = 0; i < m->files->len; i++) {
        const char *v = gs_safetensors_metadata(g_ptr_array_index(m->files, i), key);
        if (v)
            return v;
    }
    return NULL;
}

int
gs_tensor_map_count(const gs_tensor_map *m)
{
    return (int)g_hash_table_size(m->entries);
}
