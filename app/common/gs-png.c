/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <png.h>

#include "gs-png.h"

#define MAX_SIDE 8192
#define MAX_CHUNK_BYTES (4 << 20)

static void
on_png_error(png_structp png, png_const_charp message)
{
    char *copy = png_get_error_ptr(png);
    /* libpng's own words do not say what the limit is. */
    if (strstr(message, "exceeds user limit"))
        g_snprintf(copy, 256, "%s (the limit is %d pixels a side)", message, MAX_SIDE);
    else
        g_strlcpy(copy, message, 256);
    png_longjmp(png, 1);
}

static void
on_png_warning(png_structp png, png_const_charp message)
{
}

gboolean
gs_png_save(const char *path, const float *rgb, int width, int height, const GsPngText *texts, int text_count,
            GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp-%d", path, (int)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int err = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "Cannot write %s: %s", path, g_strerror(err));
        return FALSE;
    }
    char message[256] = "";
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, message, on_png_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    g_autofree png_byte *row = g_new(png_byte, (size_t)width * 3);
    g_autofree png_text *chunks = g_new0(png_text, text_count > 0 ? text_count : 1);
    volatile gboolean ok = png && info;
    if (ok && setjmp(png_jmpbuf(png)) == 0) {
        png_init_io(png, f);
        png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        for (int i = 0; i < text_count; i++) {
            /* Non-ASCII text needs iTXt (UTF-8); tEXt is Latin-1 only. */
            gboolean ascii = TRUE;
            for (const char *c = texts[i].text; *c; c++)
                ascii = ascii && (unsigned char)*c < 0x80;
            chunks[i].compression = ascii ? PNG_TEXT_COMPRESSION_NONE : PNG_ITXT_COMPRESSION_NONE;
            chunks[i].key = (png_charp)texts[i].key;
            chunks[i].text = (png_charp)texts[i].text;
        }
        if (text_count > 0)
            png_set_text(png, info, chunks, text_count);
        png_write_info(png, info);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width * 3; x++) {
                float v = rgb[(size_t)y * width * 3 + x];
                row[x] = (png_byte)lrintf((v < 0 ? 0 : v > 1 ? 1 : v) * 255.0f);
            }
            png_write_row(png, row);
        }
        png_write_end(png, info);
    } else {
        ok = FALSE;
    }
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write %s: %s", path,
                    *message ? message : g_strerror(err));
        return FALSE;
    }
    return TRUE;
}

/* A chunk's length is the file's word, and libpng allocates (and clears)
 * what a chunk claims before finding the file shorter: a 276-byte file
 * with a text chunk claiming 512 MB cost a second and 512 MB. Every
 * chunk up to IEND must fit in the file, the last one too when the file
 * ends inside it (its 8-byte header is all libpng needs to allocate: the
 * fuzzer found a text chunk claiming 1.9 GB in a file's last 10 bytes);
 * `f` is left after the signature. */
static gboolean
chunks_fit(FILE *f, const char *path, GError **error)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0)
        return TRUE; /* libpng's own checks still apply */
    guint64 at = 8;
    png_byte header[8];
    while (at + 8 <= (guint64)st.st_size && fseek(f, (long)at, SEEK_SET) == 0 && fread(header, 1, 8, f) == 8) {
        guint64 length = png_get_uint_32(header);
        if (length > MAX_CHUNK_BYTES && memcmp(header + 4, "IDAT", 4) != 0) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                        "%s has a %.4s chunk of %" G_GUINT64_FORMAT " bytes, over the limit of %d MiB", path,
                        (const char *)header + 4, length, MAX_CHUNK_BYTES >> 20);
            return FALSE;
        }
        if (at + 12 + length > (guint64)st.st_size) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                        "%s is cut short: its %.4s chunk claims %" G_GUINT64_FORMAT " bytes", path,
                        (const char *)header + 4, length);
            return FALSE;
        }
        if (memcmp(header + 4, "IEND", 4) == 0)
            break;
        at += 12 + length;
    }
    return fseek(f, 8, SEEK_SET) == 0;
}

/* Opens `path` and runs libpng up to the image info; on success the caller
 * owns *png, *info and *f. */
static gboolean
open_png(const char *path, png_structp *png, png_infop *info, FILE **f, char *message, GError **error)
{
    *f = fopen(path, "rb");
    if (!*f) {
        int err = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "Cannot open %s: %s", path, g_strerror(err));
        return FALSE;
    }
    png_byte sig[8];
    if (fread(sig, 1, 8, *f) != 8 || png_sig_cmp(sig, 0, 8) != 0) {
        fclose(*f);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not a PNG image", path);
        return FALSE;
    }
    if (!chunks_fit(*f, path, error)) {
        fclose(*f);
        return FALSE;
    }
    *png = png_create_read_struct(PNG_LIBPNG_VER_STRING, message, on_png_error, on_png_warning);
    if (*png)
        png_set_chunk_malloc_max(*png, MAX_CHUNK_BYTES);
    *info = *png ? png_create_info_struct(*png) : NULL;
    if (!*info) {
        png_destroy_read_struct(png, NULL, NULL);
        fclose(*f);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "Out of memory reading %s", path);
        return FALSE;
    }
    return TRUE;
}

float *
gs_png_load(const char *path, int *width, int *height, GError **error)
{
    png_structp png;
    png_infop info;
    FILE *f;
    char message[256] = "";
    if (!open_png(path, &png, &info, &f, message, error))
        return NULL;
    float *volatile pixels = NULL;
    png_bytep volatile rgba = NULL;
    png_bytepp volatile rows = NULL;
    if (setjmp(png_jmpbuf(png)) == 0) {
        png_init_io(png, f);
        png_set_sig_bytes(png, 8);
        png_set_user_limits(png, MAX_SIDE, MAX_SIDE);
        png_read_info(png, info);
        png_set_expand(png);
        png_set_strip_16(png);
        png_set_gray_to_rgb(png);
        png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
        png_set_interlace_handling(png);
        png_read_update_info(png, info);
        int w = (int)png_get_image_width(png, info), h = (int)png_get_image_height(png, info);
        rgba = g_malloc((size_t)w * h * 4);
        rows = g_new(png_bytep, h);
        for (int y = 0; y < h; y++)
            rows[y] = rgba + (size_t)y * w * 4;
        png_read_image(png, rows);
        pixels = g_new(float, (size_t)w * h * 3);
        for (size_t i = 0; i < (size_t)w * h; i++) {
            float a = rgba[i * 4 + 3] / 255.0f;
            for (int c = 0; c < 3; c++)
                pixels[i * 3 + c] = rgba[i * 4 + c] / 255.0f * a + (1.0f - a);
        }
        *width = w;
        *height = h;
    } else {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Cannot read %s: %s", path, message);
        g_clear_pointer(&pixels, g_free);
    }
    g_free(rows);
    g_free(rgba);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    return pixels;
}

char *
gs_png_read_text(const char *path, const char *key, GError **error)
{
    png_structp png;
    png_infop info;
    FILE *f;
    char message[256] = "";
    if (!open_png(path, &png, &info, &f, message, error))
        return NULL;
    char *value = NULL;
    if (setjmp(png_jmpbuf(png)) == 0) {
        png_init_io(png, f);
        png_set_sig_bytes(png, 8);
        png_set_user_limits(png, MAX_SIDE, MAX_SIDE);
        png_read_info(png, info);
        png_textp texts;
        int count = 0;
        png_get_text(png, info, &texts, &count);
        for (int i = 0; i < count && !value; i++)
            if (g_strcmp0(texts[i].key, key) == 0)
                value = g_strdup(texts[i].text);
    } else {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Cannot read %s: %s", path, message);
    }
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    if (!value && error && !*error)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s has no '%s' text", path, key);
    return value;
}

float *
gs_image_resize(const float *src, int width, int height, int channels, int new_width, int new_height)
{
    float *dst = g_new0(float, (size_t)new_width * new_height * channels);
    for (int y = 0; y < new_height; y++) {
        int y0 = y * height / new_height, y1 = MAX(y0 + 1, (y + 1) * height / new_height);
        for (int x = 0; x < new_width; x++) {
            int x0 = x * width / new_width, x1 = MAX(x0 + 1, (x + 1) * width / new_width);
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                for (int sy = y0; sy < y1; sy++)
                    for (int sx = x0; sx < x1; sx++)
                        sum += src[((size_t)sy * width + sx) * channels + c];
                dst[((size_t)y * new_width + x) * channels + c] = (float)(sum / ((y1 - y0) * (x1 - x0)));
            }
        }
    }
    return dst;
}
