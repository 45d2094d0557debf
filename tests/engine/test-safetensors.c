/* The safetensors reader: exact reads of f32/f16/bf16 and metadata, and a
 * clear failure — never a crash or a huge allocation — for every kind of
 * corrupt, truncated or lying file.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include <unistd.h>

#include "gs-test.h"

static char dir[] = "/tmp/gs-st-XXXXXX";

/* Writes an 8-byte length, `header`, then `data`. */
static char *
write_file(const char *name, uint64_t header_len, const char *header, const void *data, size_t data_len)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(header_len >> (8 * i));
    fwrite(len, 1, 8, f);
    fwrite(header, 1, strlen(header), f);
    if (data_len)
        fwrite(data, 1, data_len, f);
    fclose(f);
    return path;
}

static char *
write_tensor_file(const char *name, const char *header, const void *data, size_t data_len)
{
    return write_file(name, strlen(header), header, data, data_len);
}

/* Opening must fail with a message mentioning `hint`. */
static void
expect_failure(const char *what, const char *path, const char *hint)
{
    gs_safetensors *st = NULL;
    char *error = NULL;
    gs_status status = gs_safetensors_open(path, &st, &error);
    if (status == GS_OK || st != NULL || !error || !strstr(error, hint)) {
        fprintf(stderr, "%s: expected a failure mentioning \"%s\", got status %d, message \"%s\"\n", what, hint,
                (int)status, error ? error : "(none)");
        gs_test_failures++;
    } else {
        printf("%s: %s\n", what, error);
    }
    free(error);
    gs_safetensors_close(st);
}

static const char *VALID =
    "{\"__metadata__\":{\"genstudio.config\":\"{}\"},"
    "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
    "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[16,22]},"
    "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[22,26]}}";

static void
valid_data(unsigned char data[26])
{
    float a[4] = { 1.5f, -2.0f, 3.25f, 1e-3f };
    uint16_t h[3] = { gs_float_to_half(0.5f), gs_float_to_half(-7.0f), gs_float_to_half(65504.0f) };
    uint16_t b[2] = { 0x3fc0, 0xc120 }; /* bf16 1.5 and -10 */
    memcpy(data, a, 16);
    memcpy(data + 16, h, 6);
    memcpy(data + 22, b, 4);
}

static void
test_valid(gs_context *ctx)
{
    unsigned char data[26];
    valid_data(data);
    char *path = write_tensor_file("valid.safetensors", VALID, data, sizeof data);
    gs_safetensors *st = NULL;
    char *error = NULL;
    GS_CHECK(gs_safetensors_open(path, &st, &error) == GS_OK);
    if (!st) {
        fprintf(stderr, "%s\n", error);
        return;
    }
    GS_CHECK(gs_safetensors_count(st) == 3);
    /* Listed in file order. */
    GS_CHECK(strcmp(gs_safetensors_name(st, 0), "a") == 0 && strcmp(gs_safetensors_name(st, 2), "b") == 0);
    GS_CHECK(strcmp(gs_safetensors_metadata(st, "genstudio.config"), "{}") == 0);
    GS_CHECK(gs_safetensors_metadata(st, "missing") == NULL);
    int a = gs_safetensors_find(st, "a"), h = gs_safetensors_find(st, "h"), b = gs_safetensors_find(st, "b");
    GS_CHECK(a >= 0 && h >= 0 && b >= 0 && gs_safetensors_find(st, "zzz") == -1);
    GS_CHECK(gs_safetensors_ndim(st, a) == 2 && gs_safetensors_dim(st, a, 1) == 2 && gs_safetensors_numel(st, h) == 3);
    float got[4];
    GS_CHECK(gs_safetensors_read(st, h, got) == GS_OK && got[0] == 0.5f && got[1] == -7.0f && got[2] == 65504.0f);
    GS_CHECK(gs_safetensors_read(st, b, got) == GS_OK && got[0] == 1.5f && got[1] == -10.0f);

    /* Through the device, in both storage types. */
    gs_tensor *t = gs_safetensors_load(ctx, st, "a", GS_F32, 0, NULL);
    float *back = gs_test_download(t);
    float want[4] = { 1.5f, -2.0f, 3.25f, 1e-3f };
    GS_CHECK(memcmp(back, want, sizeof want) == 0);
    free(back);
    gs_tensor_free(t);
    int64_t shape[1] = { 2 };
    t = gs_safetensors_load(ctx, st, "b", GS_F32, 1, shape);
    back = gs_test_download(t);
    GS_CHECK(back[0] == 1.5f && back[1] == -10.0f);
    free(back);
    gs_tensor_free(t);
    if (gs_context_has_fp16_storage(ctx)) {
        t = gs_safetensors_load(ctx, st, "h", GS_F16, 0, NULL);
        back = gs_test_download(t);
        GS_CHECK(back[1] == -7.0f);
        free(back);
        gs_tensor_free(t);
    }
    GS_CHECK(gs_safetensors_load(ctx, st, "nope", GS_F32, 0, NULL) == NULL);
    GS_CHECK(strstr(gs_context_error(ctx), "nope") && strstr(gs_context_error(ctx), "valid.safetensors"));
    int64_t wrong[1] = { 3 };
    GS_CHECK(gs_safetensors_load(ctx, st, "b", GS_F32, 1, wrong) == NULL);
    GS_CHECK(strstr(gs_context_error(ctx), "has shape [2], but the model expects [3]") != NULL);
    gs_safetensors_close(st);

    /* The same bytes from memory. */
    FILE *f = fopen(path, "rb");
    unsigned char whole[512];
    size_t len = fread(whole, 1, sizeof whole, f);
    fclose(f);
    GS_CHECK(gs_safetensors_open_memory(whole, len, "embedded", &st, NULL) == GS_OK);
    GS_CHECK(st && gs_safetensors_count(st) == 3);
    gs_safetensors_close(st);

    /* Every truncation fails: cut headers and cut data alike. Each prefix
     * sits in a buffer of exactly its size, so valgrind sees any overread. */
    int failures = 0;
    for (size_t cut = 0; cut < len; cut++) {
        char *error2 = NULL;
        unsigned char *prefix = malloc(cut + !cut);
        memcpy(prefix, whole, cut);
        if (gs_safetensors_open_memory(prefix, cut, "truncated", &st, &error2) == GS_OK) {
            fprintf(stderr, "a file cut to %zu of %zu bytes opened\n", cut, len);
            failures++;
            gs_safetensors_close(st);
        }
        free(error2);
        free(prefix);
    }
    GS_CHECK(failures == 0);
    printf("all %zu truncations refused\n", len);
    free(error);
    unlink(path);
    free(path);
}

/* Legal but unusual files open; what the device cannot hold fails cleanly. */
static void
test_unusual(gs_context *ctx)
{
    unsigned char data[8] = { 1, 0, 0, 0, 2, 0, 0, 0 };
    char *path = write_tensor_file("unusual.safetensors",
                                   "{\"we[ir\\\"d{\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8],"
                                   "\"note\":{\"x\":[1.5e-3,-2,true,null,\"\\ud83d\\ude00\"]}},"
                                   "\"caf\\u00e9 \\/\\n\":{\"data_offsets\":[8,8],\"shape\":[0],\"dtype\":\"F16\"},"
                                   "\"empty\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,3,0],"
                                   "\"data_offsets\":[8,8]}}  ",
                                   data, sizeof data);
    gs_safetensors *st = NULL;
    char *error = NULL;
    GS_CHECK(gs_safetensors_open(path, &st, &error) == GS_OK);
    if (!st) {
        fprintf(stderr, "%s\n", error);
        free(error);
        return;
    }
    int ints = gs_safetensors_find(st, "we[ir\"d{"), empty = gs_safetensors_find(st, "empty");
    GS_CHECK(ints == 0 && empty == 2); /* in file order; escapes decoded, unknown members skipped */
    GS_CHECK(gs_safetensors_find(st, "caf\u00e9 /\n") == 1);
    GS_CHECK(gs_safetensors_dtype(st, ints) == GS_ST_I32 && gs_safetensors_numel(st, empty) == 0);
    int32_t raw[2]; /* copied: tensor data in a file need not be aligned */
    memcpy(raw, gs_safetensors_data(st, ints), sizeof raw);
    GS_CHECK(raw[0] == 1 && raw[1] == 2);
    float got[2];
    GS_CHECK(gs_safetensors_read(st, ints, got) == GS_ERR_UNSUPPORTED);
    GS_CHECK(gs_safetensors_load(ctx, st, "we[ir\"d{", GS_F32, 0, NULL) == NULL);
    GS_CHECK(strstr(gs_context_error(ctx), "f32, f16 or bf16") != NULL);
    GS_CHECK(gs_safetensors_load(ctx, st, "empty", GS_F32, 0, NULL) == NULL);
    GS_CHECK(strstr(gs_context_error(ctx), "\"empty\"") != NULL);
    gs_safetensors_close(st);
    unlink(path);
    free(path);
}

static void
test_corrupt(void)
{
    unsigned char data[26];
    valid_data(data);
    char *p;
#define CASE(name, path_expr, hint)                                                                                    \
    p = path_expr;                                                                                                     \
    expect_failure(name, p, hint);                                                                                     \
    unlink(p);                                                                                                         \
    free(p);

    CASE("missing file", strdup("/nonexistent/x.safetensors"), "cannot open");
    p = malloc(strlen(dir) + 16);
    sprintf(p, "%s/empty", dir);
    fclose(fopen(p, "wb"));
    expect_failure("empty file", p, "too short");
    FILE *f = fopen(p, "wb");
    fwrite("12345", 1, 5, f);
    fclose(f);
    expect_failure("5-byte file", p, "too short");
    unlink(p);
    free(p);
    CASE("header past EOF", write_file("h1", 1000, "{}", NULL, 0), "header length");
    CASE("header 2^63", write_file("h2", UINT64_C(1) << 63, "{}", NULL, 0), "header length");
    CASE("zero header", write_file("h3", 0, "{}", NULL, 0), "header length");
    CASE("invalid JSON", write_tensor_file("j1", "{\"a\":", NULL, 0), "JSON");
    CASE("array root", write_tensor_file("j2", "[1,2,3]", NULL, 0), "not a JSON object");
    CASE("invalid UTF-8", write_tensor_file("j3", "{\"\xff\xfe\":{}}", NULL, 0), "UTF-8");
    CASE("unknown dtype", write_tensor_file("d1", "{\"a\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}", data, 1),
         "unknown dtype");
    CASE("negative dim",
         write_tensor_file("s1", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", data, 4),
         "invalid dimension");
    CASE("absurd shape",
         write_tensor_file("s2", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,4]}}",
                           data, 4),
         "impossibly large shape");
    CASE("offsets past EOF",
         write_tensor_file("o1", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", data, 8),
         "outside");
    CASE("offsets reversed",
         write_tensor_file("o2", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", data, 8),
         "outside");
    CASE("size mismatch",
         write_tensor_file("o3", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", data, 16),
         "shape needs");
    CASE("overlap",
         write_tensor_file("o4",
                           "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                           "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                           data, 12),
         "overlap");
    char deep[100001];
    strcpy(deep, "{\"a\":{\"x\":");
    memset(deep + strlen(deep), '[', sizeof deep - 1 - strlen(deep));
    deep[sizeof deep - 1] = '\0';
    CASE("deep nesting", write_tensor_file("j4", deep, NULL, 0), "nested deeper");
    CASE("unbalanced", write_tensor_file("j5", "{}]]]][[[[", NULL, 0), "text follows");
    CASE("NUL in a name", write_tensor_file("j6", "{\"a\\u0000b\":{}}", NULL, 0), "NUL character");
    CASE("lone surrogate", write_tensor_file("j7", "{\"\\udc00\":{}}", NULL, 0), "\\u escape");
    CASE("raw control character", write_tensor_file("j8", "{\"a\tb\":{}}", NULL, 0), "control character");
    CASE("missing comma",
         write_tensor_file("j9", "{\"a\":{\"dtype\":\"F32\" \"shape\":[1],\"data_offsets\":[0,4]}}", data, 4),
         "',' or '}'");
    CASE("leading zero",
         write_tensor_file("s4", "{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", data, 4),
         "invalid dimension");
    CASE("dim past int64",
         write_tensor_file("s5", "{\"a\":{\"dtype\":\"F32\",\"shape\":[9223372036854775808],\"data_offsets\":[0,4]}}",
                           data, 4),
         "invalid dimension");
    CASE("nine dims",
         write_tensor_file("s6", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}",
                           data, 4),
         "at most 8 dims");
    CASE("three offsets",
         write_tensor_file("o5", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", data, 8),
         "data_offsets [begin, end]");
    CASE("listed twice",
         write_tensor_file("o6",
                           "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                           "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                           data, 8),
         "listed twice");
    CASE("tensor not an object", write_tensor_file("o7", "{\"a\":[1]}", NULL, 0), "not described by a JSON object");
    CASE("no dtype", write_tensor_file("d2", "{\"a\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", data, 4),
         "has no dtype");
    CASE("fractional dim",
         write_tensor_file("s3", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", data, 4),
         "invalid dimension");
    CASE("metadata not strings", write_tensor_file("m1", "{\"__metadata__\":{\"a\":1}}", NULL, 0), "not a string");
    CASE("no data_offsets", write_tensor_file("m2", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", data, 4), "data_offsets");
#undef CASE
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    gs_context *ctx = gs_test_context();
    test_valid(ctx);
    test_unusual(ctx);
    test_corrupt();
    gs_context_free(ctx);
    rmdir(dir);
    return gs_test_failures != 0;
}
