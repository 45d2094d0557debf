/* The CLIP BPE tokenizer and A1111 prompt weights against the Python
 * references' golden cases (tools/sd/tokenizer_fixtures.py): the tiny
 * vocabulary in both file formats, and CLIP's real vocabulary where
 * ../shared has it; then errors, bounds and the weighting helper.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <zlib.h>

#include "gs-test.h"
#include "models/gs-clip-tokenizer.h"
#include "models/gs-prompt-weights.h"
#include "ref/gs-ref.h"

#define TINY_DIR GS_SD_DATA_DIR "/tiny-bpe"

static gs_clip_tokenizer *
load_ok(const char *path)
{
    gs_clip_tokenizer *tok = NULL;
    char *error = NULL;
    if (gs_clip_tokenizer_load(path, &tok, &error) != GS_OK) {
        fprintf(stderr, "loading %s failed: %s\n", path, error);
        free(error);
        gs_test_failures++;
        return NULL;
    }
    return tok;
}

/* A load that must fail: prints the message, which must not be empty. */
static void
load_fails(const char *what, const char *path)
{
    gs_clip_tokenizer *tok = NULL;
    char *error = NULL;
    gs_status st = gs_clip_tokenizer_load(path, &tok, &error);
    if (st == GS_OK || tok || !error || !*error) {
        fprintf(stderr, "%s: loading %s should fail\n", what, path);
        gs_test_failures++;
    } else {
        printf("  %s: %s\n", what, error);
    }
    gs_clip_tokenizer_free(tok);
    free(error);
}

static bool
same_ids(const char *what, const char *name, const int32_t *got, int n, JsonArray *want)
{
    int wn = (int)json_array_get_length(want);
    int i = 0;
    while (i < n && i < wn && got[i] == (int32_t)json_array_get_int_element(want, (guint)i))
        i++;
    if (i == n && i == wn)
        return true;
    fprintf(stderr, "%s “%s”: %d ids, want %d; first difference at %d (got %d, want %d)\n", what, name, n, wn, i,
            i < n ? got[i] : -1, i < wn ? (int)json_array_get_int_element(want, (guint)i) : -1);
    gs_test_failures++;
    return false;
}

static void
check_chunks(const char *what, const char *name, const gs_prompt_chunks *c, JsonArray *want_ids,
             JsonArray *want_weights)
{
    int n = (int)json_array_get_length(want_ids);
    if (c->count != n) {
        fprintf(stderr, "%s “%s”: %d chunks, want %d\n", what, name, c->count, n);
        gs_test_failures++;
        return;
    }
    for (int k = 0; k < n; k++) {
        const int32_t *ids = c->ids + (size_t)k * GS_PROMPT_CHUNK_IDS;
        const float *w = c->weights + (size_t)k * GS_PROMPT_CHUNK_IDS;
        same_ids(what, name, ids, GS_PROMPT_CHUNK_IDS, json_array_get_array_element(want_ids, (guint)k));
        JsonArray *ww = json_array_get_array_element(want_weights, (guint)k);
        for (int i = 0; i < GS_PROMPT_CHUNK_IDS; i++) {
            float want = (float)json_array_get_double_element(ww, (guint)i);
            if (w[i] != want) {
                fprintf(stderr, "%s “%s” chunk %d: weight %d is %.9g, want %.9g\n", what, name, k, i, w[i], want);
                gs_test_failures++;
                break;
            }
        }
    }
}

/* Every case of `json_path` through `tok`; returns how many ran. */
static int
run_cases(gs_clip_tokenizer *tok, const char *json_path, const char *what)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    if (!json_parser_load_from_file(parser, json_path, &err)) {
        fprintf(stderr, "%s: %s\n", json_path, err->message);
        gs_test_failures++;
        return 0;
    }
    JsonObject *root = json_node_get_object(json_parser_get_root(parser));
    GS_CHECK(json_object_get_int_member(root, "vocab_size") == gs_clip_tokenizer_vocab_size(tok));
    GS_CHECK(json_object_get_int_member(root, "bos") == gs_clip_tokenizer_bos(tok));
    GS_CHECK(json_object_get_int_member(root, "eos") == gs_clip_tokenizer_eos(tok));
    GS_CHECK(json_object_get_int_member(root, "comma") == gs_clip_tokenizer_comma(tok));
    JsonArray *cases = json_object_get_array_member(root, "cases");
    int n = (int)json_array_get_length(cases);
    for (int i = 0; i < n; i++) {
        JsonObject *c = json_array_get_object_element(cases, (guint)i);
        const char *name = json_object_get_string_member(c, "name");
        const char *prompt = json_object_get_string_member(c, "prompt");
        char *error = NULL;

        int32_t *ids = NULL;
        int count = 0;
        if (gs_clip_tokenizer_encode(tok, prompt, &ids, &count, &error) != GS_OK) {
            fprintf(stderr, "%s “%s”: %s\n", what, name, error);
            gs_test_failures++;
        } else {
            same_ids(what, name, ids, count, json_object_get_array_member(c, "ids"));
        }
        free(ids);
        free(error);
        error = NULL;

        if (json_object_has_member(c, "fragments")) {
            JsonArray *want = json_object_get_array_member(c, "fragments");
            gs_prompt_piece *pieces = NULL;
            int pn = 0;
            GS_CHECK(gs_prompt_parse(prompt, &pieces, &pn, NULL) == GS_OK);
            if (pn != (int)json_array_get_length(want)) {
                fprintf(stderr, "%s “%s”: %d pieces, want %u\n", what, name, pn, json_array_get_length(want));
                gs_test_failures++;
            } else {
                for (int k = 0; k < pn; k++) {
                    JsonArray *w = json_array_get_array_element(want, (guint)k);
                    const char *text = json_array_get_string_element(w, 0);
                    double weight = json_array_get_double_element(w, 1);
                    if (strcmp(pieces[k].text, text) != 0 || pieces[k].weight != weight) {
                        fprintf(stderr, "%s “%s” piece %d: (“%s”, %.17g), want (“%s”, %.17g)\n", what, name, k,
                                pieces[k].text, pieces[k].weight, text, weight);
                        gs_test_failures++;
                    }
                }
            }
            gs_prompt_pieces_free(pieces, pn);
        }

        const struct {
            const char *member;
            int32_t pad;
        } families[] = { { "chunks_sd1", gs_clip_tokenizer_eos(tok) }, { "chunks_sd2", 0 } };
        for (int f = 0; f < 2; f++) {
            gs_prompt_chunks *chunks = NULL;
            if (gs_prompt_encode(tok, prompt, families[f].pad, &chunks, &error) != GS_OK) {
                fprintf(stderr, "%s “%s”: %s\n", what, name, error);
                gs_test_failures++;
                free(error);
                error = NULL;
                continue;
            }
            g_autofree char *label = g_strdup_printf("%s %s", what, families[f].member);
            check_chunks(label, name, chunks, json_object_get_array_member(c, families[f].member),
                         json_object_get_array_member(c, "weights"));
            gs_prompt_chunks_free(chunks);
        }
    }
    return n;
}

static char *
make_tmp_dir(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("gs-clip-XXXXXX", &err);
    if (!dir) {
        fprintf(stderr, "temporary folder: %s\n", err->message);
        exit(1);
    }
    return dir;
}

static void
remove_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d) {
        for (const char *name; (name = g_dir_read_name(d));) {
            g_autofree char *path = g_build_filename(dir, name, NULL);
            if (g_file_test(path, G_FILE_TEST_IS_DIR))
                remove_tree(path);
            else
                g_unlink(path);
        }
        g_dir_close(d);
    }
    g_rmdir(dir);
}

static void
write_file(const char *dir, const char *name, const char *data, gssize len)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_file_set_contents(path, data, len, &err)) {
        fprintf(stderr, "%s: %s\n", path, err->message);
        exit(1);
    }
}

static void
write_gzip(const char *path, const char *data)
{
    gzFile f = gzopen(path, "wb");
    GS_CHECK(f != NULL);
    if (f) {
        GS_CHECK(gzwrite(f, data, (unsigned)strlen(data)) == (int)strlen(data));
        gzclose(f);
    }
}

static char *
read_text(const char *path)
{
    char *data = NULL;
    GS_CHECK(g_file_get_contents(path, &data, NULL, NULL));
    return data;
}

/* A copy of `text` with the first `from` replaced by `to`. */
static char *
replace_once(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    GS_CHECK(at != NULL);
    if (!at)
        return g_strdup(text);
    return g_strdup_printf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

static void
test_tiny(void)
{
    printf("tiny vocabulary\n");
    gs_clip_tokenizer *hf = load_ok(TINY_DIR);
    gs_clip_tokenizer *gz = load_ok(TINY_DIR "/bpe_tiny_vocab.txt.gz");
    gs_clip_tokenizer *json = load_ok(TINY_DIR "/vocab.json");
    if (!hf || !gz || !json)
        return;
    for (gs_clip_tokenizer *t = hf; t; t = t == hf ? gz : t == gz ? json : NULL) {
        GS_CHECK(gs_clip_tokenizer_vocab_size(t) == 1000);
        GS_CHECK(gs_clip_tokenizer_bos(t) == 998);
        GS_CHECK(gs_clip_tokenizer_eos(t) == 999);
    }
    int n = run_cases(hf, GS_SD_DATA_DIR "/tokenizer_cases.json", "tiny vocab.json");
    run_cases(gz, GS_SD_DATA_DIR "/tokenizer_cases.json", "tiny .gz");
    run_cases(json, GS_SD_DATA_DIR "/tokenizer_cases.json", "tiny vocab.json file");
    /* Twice: the second time from the word cache. */
    run_cases(hf, GS_SD_DATA_DIR "/tokenizer_cases.json", "tiny vocab.json, cached");
    printf("  %d cases, three ways\n", n);

    /* A folder with CLIP's file name in it, and a diffusers model folder. */
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *gz_data = NULL;
    gsize gz_len = 0;
    GS_CHECK(g_file_get_contents(TINY_DIR "/bpe_tiny_vocab.txt.gz", &gz_data, &gz_len, NULL));
    write_file(dir, "bpe_simple_vocab_16e6.txt.gz", gz_data, (gssize)gz_len);
    g_autofree char *tokdir = g_build_filename(dir, "tokenizer", NULL);
    g_mkdir(tokdir, 0700);
    g_autofree char *vocab = read_text(TINY_DIR "/vocab.json");
    g_autofree char *merges = read_text(TINY_DIR "/merges.txt");
    write_file(tokdir, "vocab.json", vocab, -1);
    write_file(tokdir, "merges.txt", merges, -1);
    gs_clip_tokenizer *from_tokdir = load_ok(dir); /* tokenizer/ wins over the .gz */
    GS_CHECK(from_tokdir && gs_clip_tokenizer_vocab_size(from_tokdir) == 1000);
    gs_clip_tokenizer_free(from_tokdir);
    remove_tree(tokdir);
    gs_clip_tokenizer *from_dir = load_ok(dir);
    if (from_dir)
        run_cases(from_dir, GS_SD_DATA_DIR "/tokenizer_cases.json", "tiny .gz in a folder");
    gs_clip_tokenizer_free(from_dir);
    remove_tree(dir);

    gs_clip_tokenizer_free(hf);
    gs_clip_tokenizer_free(gz);
    gs_clip_tokenizer_free(json);
}

static void
test_real(void)
{
    if (!g_file_test(GS_CLIP_VOCAB, G_FILE_TEST_EXISTS)) {
        printf("SKIP real CLIP vocabulary: %s is absent\n", GS_CLIP_VOCAB);
        return;
    }
    printf("CLIP's vocabulary\n");
    gs_clip_tokenizer *tok = load_ok(GS_CLIP_VOCAB);
    g_autofree char *dir = g_path_get_dirname(GS_CLIP_VOCAB);
    gs_clip_tokenizer *from_dir = load_ok(dir);
    if (!tok || !from_dir)
        return;
    GS_CHECK(gs_clip_tokenizer_vocab_size(tok) == 49408);
    GS_CHECK(gs_clip_tokenizer_bos(tok) == 49406 && gs_clip_tokenizer_eos(tok) == 49407);
    GS_CHECK(gs_clip_tokenizer_comma(tok) == 267);
    int32_t *ids;
    int n;
    GS_CHECK(gs_clip_tokenizer_encode(tok, "a photo of a cat", &ids, &n, NULL) == GS_OK);
    int32_t want[] = { 320, 1125, 539, 320, 2368 };
    GS_CHECK(n == 5 && memcmp(ids, want, sizeof want) == 0);
    free(ids);
    int cases = run_cases(tok, GS_SD_DATA_DIR "/tokenizer_cases_clip.json", "CLIP");
    run_cases(from_dir, GS_SD_DATA_DIR "/tokenizer_cases_clip.json", "CLIP folder");
    printf("  %d cases\n", cases);

    /* The worst case for BPE: one 64 KiB word. */
    char *word = g_malloc(GS_CLIP_MAX_PROMPT_BYTES + 1);
    for (int i = 0; i < GS_CLIP_MAX_PROMPT_BYTES; i++)
        word[i] = "etaoinshrdlucmfwypvbgkjqxz"[(i * 7 + i / 26) % 26];
    word[GS_CLIP_MAX_PROMPT_BYTES] = '\0';
    gint64 t0 = g_get_monotonic_time();
    GS_CHECK(gs_clip_tokenizer_encode(tok, word, &ids, &n, NULL) == GS_OK);
    printf("  one 64 KiB word: %d tokens in %.3f s\n", n, (g_get_monotonic_time() - t0) / 1e6);
    GS_CHECK(n > 0 && n < GS_CLIP_MAX_PROMPT_BYTES);
    free(ids);
    g_free(word);
    gs_clip_tokenizer_free(tok);
    gs_clip_tokenizer_free(from_dir);
}

static void
test_errors(void)
{
    printf("errors\n");
    gs_clip_tokenizer *tok = load_ok(TINY_DIR);
    if (!tok)
        return;
    static const char *const invalid[] = {
        "red \xff apple", "caf\xc3", "\xc0\xaf", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 past U+10FFFF",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(invalid); i++) {
        int32_t *ids = NULL;
        int n = -1;
        char *error = NULL;
        GS_CHECK(gs_clip_tokenizer_encode(tok, invalid[i], &ids, &n, &error) == GS_ERR_INVALID_ARGUMENT);
        GS_CHECK(ids == NULL && n == 0 && error && strstr(error, "UTF-8"));
        if (i == 0)
            printf("  invalid UTF-8: %s\n", error);
        free(error);
        gs_prompt_chunks *chunks = NULL;
        error = NULL;
        GS_CHECK(gs_prompt_encode(tok, invalid[i], 0, &chunks, &error) == GS_ERR_INVALID_ARGUMENT);
        GS_CHECK(chunks == NULL && error);
        free(error);
        gs_prompt_piece *pieces = NULL;
        int pn = -1;
        GS_CHECK(gs_prompt_parse(invalid[i], &pieces, &pn, NULL) == GS_ERR_INVALID_ARGUMENT);
        GS_CHECK(pieces == NULL && pn == 0);
    }
    /* Weights that reach infinity (or past ±1e4) are refused, found by fuzzing. */
    g_autofree char *digits = g_strnfill(400, '9');
    g_autofree char *overflow = g_strdup_printf("(red:%s) apple", digits);
    const char *huge[] = { overflow, "(red:99999) apple", "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((x" };
    for (size_t i = 0; i < G_N_ELEMENTS(huge); i++) {
        gs_prompt_piece *pieces = NULL;
        int pn = -1;
        char *error = NULL;
        GS_CHECK(gs_prompt_parse(huge[i], &pieces, &pn, &error) == GS_ERR_INVALID_ARGUMENT);
        GS_CHECK(pieces == NULL && pn == 0 && error && strstr(error, "limit"));
        free(error);
    }
    /* NULL text is the empty prompt. */
    int32_t *ids = (int32_t *)1;
    int n = -1;
    GS_CHECK(gs_clip_tokenizer_encode(tok, NULL, &ids, &n, NULL) == GS_OK && ids == NULL && n == 0);

    load_fails("missing file", GS_SD_DATA_DIR "/no-such-vocab.txt.gz");
    load_fails("missing folder", GS_SD_DATA_DIR "/no-such-folder/");
    load_fails("folder without a tokenizer", GS_SD_DATA_DIR);
    load_fails("not a tokenizer file", GS_SD_DATA_DIR "/tokenizer_cases.json");

    g_autofree char *dir = make_tmp_dir();
    g_autofree char *gz = g_build_filename(dir, "vocab.txt.gz", NULL);
    g_autofree char *gz_data = NULL;
    gsize gz_len = 0;
    GS_CHECK(g_file_get_contents(TINY_DIR "/bpe_tiny_vocab.txt.gz", &gz_data, &gz_len, NULL));

    write_file(dir, "vocab.txt.gz", "", 0);
    load_fails("empty .gz", gz);
    write_file(dir, "vocab.txt.gz", "\"bpe#version: 0.2\nt h\n", -1);
    load_fails("plain text named .gz", gz);
    write_file(dir, "vocab.txt.gz", gz_data, (gssize)gz_len / 2);
    load_fails("truncated .gz", gz);
    g_autofree char *garbage = g_memdup2(gz_data, gz_len);
    for (gsize i = 12; i < gz_len - 8; i++)
        garbage[i] = (char)(garbage[i] * 31 + 7);
    write_file(dir, "vocab.txt.gz", garbage, (gssize)gz_len);
    load_fails("corrupt .gz", gz);
    write_gzip(gz, "header\nt h\nt h");
    load_fails("merge made twice (.gz)", gz);
    write_gzip(gz, "header\nth e</w>\nt h");
    load_fails("merge before its symbol (.gz)", gz);
    write_gzip(gz, "header\nzz h");
    load_fails("unknown symbol (.gz)", gz);
    write_gzip(gz, "header\nt h e");
    load_fails("three symbols (.gz)", gz);
    write_gzip(gz, "header\n\nt h");
    load_fails("empty merge line (.gz)", gz);
    write_gzip(gz, "header\nt \xff");
    load_fails("not UTF-8 (.gz)", gz);
    /* A header alone is a vocabulary of bytes. */
    write_gzip(gz, "header only\n");
    gs_clip_tokenizer *bytes = load_ok(gz);
    GS_CHECK(bytes && gs_clip_tokenizer_vocab_size(bytes) == 514 && gs_clip_tokenizer_eos(bytes) == 513);
    gs_clip_tokenizer_free(bytes);

    g_autofree char *vocab = read_text(TINY_DIR "/vocab.json");
    g_autofree char *merges = read_text(TINY_DIR "/merges.txt");
    struct {
        const char *what;
        char *vocab, *merges; /* NULL: the good file */
    } bad[] = {
        { "vocab.json not JSON", g_strdup("{\"a\": "), NULL },
        { "vocab.json an array", g_strdup("[1, 2]"), NULL },
        { "id not an integer", replace_once(vocab, "\"!\": 0", "\"!\": \"zero\""), NULL },
        { "negative id", replace_once(vocab, "\"!\": 0", "\"!\": -1"), NULL },
        { "id given twice", replace_once(vocab, "\"<|endoftext|>\": 999", "\"<|endoftext|>\": 998"), NULL },
        { "no <|startoftext|>", replace_once(vocab, "<|startoftext|>", "<|start|>"), NULL },
        { "byte token missing", replace_once(vocab, "\"!\": 0", "\"!!!\": 0"), NULL },
        { "three symbols", NULL, replace_once(merges, "t h\n", "t h e\n") },
        { "one symbol", NULL, replace_once(merges, "t h\n", "th\n") },
        { "unknown symbol", NULL, replace_once(merges, "t h\n", "zz h\n") },
        { "result not in vocab.json", NULL, replace_once(merges, "t h\n", "\xc4\x80 \xc4\x80\n") },
        { "merge made twice", NULL, replace_once(merges, "t h\n", "t h\nt h\n") },
        { "merge before its symbol", NULL, replace_once(merges, "t h\nth e</w>\n", "th e</w>\nt h\n") },
        { "merges.txt not UTF-8", NULL, replace_once(merges, "t h\n", "t \xff\n") },
    };
    g_unlink(gz);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        write_file(dir, "vocab.json", bad[i].vocab ? bad[i].vocab : vocab, -1);
        write_file(dir, "merges.txt", bad[i].merges ? bad[i].merges : merges, -1);
        load_fails(bad[i].what, dir);
        g_free(bad[i].vocab);
        g_free(bad[i].merges);
    }
    /* The good files load from the same folder; without merges.txt nothing does. */
    write_file(dir, "vocab.json", vocab, -1);
    write_file(dir, "merges.txt", merges, -1);
    gs_clip_tokenizer *good = load_ok(dir);
    gs_clip_tokenizer_free(good);
    g_autofree char *merges_path = g_build_filename(dir, "merges.txt", NULL);
    g_unlink(merges_path);
    load_fails("vocab.json without merges.txt", dir);
    remove_tree(dir);
    gs_clip_tokenizer_free(tok);
}

static void
test_bounds(void)
{
    printf("bounds\n");
    gs_clip_tokenizer *tok = load_ok(TINY_DIR);
    if (!tok)
        return;
    /* 32,768 words in 65,536 bytes: 437 chunks. */
    char *text = g_malloc(GS_CLIP_MAX_PROMPT_BYTES + 2);
    for (int i = 0; i < GS_CLIP_MAX_PROMPT_BYTES; i += 2) {
        text[i] = 'a';
        text[i + 1] = ' ';
    }
    text[GS_CLIP_MAX_PROMPT_BYTES] = '\0';
    gint64 t0 = g_get_monotonic_time();
    gs_prompt_chunks *chunks = NULL;
    GS_CHECK(gs_prompt_encode(tok, text, 0, &chunks, NULL) == GS_OK);
    printf("  64 KiB prompt: %d chunks in %.3f s\n", chunks ? chunks->count : 0,
           (g_get_monotonic_time() - t0) / 1e6);
    GS_CHECK(chunks && chunks->count == (32768 + 74) / 75);
    gs_prompt_chunks_free(chunks);

    /* One 64 KiB word, and one 64 KiB run of emoji (a single piece of bytes). */
    for (int i = 0; i < GS_CLIP_MAX_PROMPT_BYTES; i++)
        text[i] = "etaoinshrdlucmfwypvbgkjqxz"[(i * 7 + i / 26) % 26];
    int32_t *ids;
    int n;
    t0 = g_get_monotonic_time();
    GS_CHECK(gs_clip_tokenizer_encode(tok, text, &ids, &n, NULL) == GS_OK);
    printf("  one 64 KiB word: %d tokens in %.3f s\n", n, (g_get_monotonic_time() - t0) / 1e6);
    GS_CHECK(n > 0 && n <= GS_CLIP_MAX_PROMPT_BYTES);
    free(ids);
    for (int i = 0; i < GS_CLIP_MAX_PROMPT_BYTES; i += 4)
        memcpy(text + i, "\xf0\x9f\x90\xb1", 4); /* 🐱 */
    GS_CHECK(gs_clip_tokenizer_encode(tok, text, &ids, &n, NULL) == GS_OK);
    GS_CHECK(n > 0 && n <= GS_CLIP_MAX_PROMPT_BYTES);
    free(ids);

    /* Deep brackets: 32,768 left open, then 21,845 open ones each followed
     * by text (the worst case: every one scales every piece after it). */
    for (int i = 0; i < GS_CLIP_MAX_PROMPT_BYTES; i++)
        text[i] = i < GS_CLIP_MAX_PROMPT_BYTES / 2 ? '(' : 'a';
    /* Both parse to the end, and are refused for their weights (1.1^32768). */
    gs_prompt_piece *pieces;
    GS_CHECK(gs_prompt_parse(text, &pieces, &n, NULL) == GS_ERR_INVALID_ARGUMENT);
    GS_CHECK(n == 0 && pieces == NULL);
    for (int i = 0; i < GS_CLIP_MAX_PROMPT_BYTES; i++)
        text[i] = i % 3 == 0 ? '(' : i % 3 == 1 ? 'a' : ' ';
    t0 = g_get_monotonic_time();
    chunks = NULL;
    GS_CHECK(gs_prompt_encode(tok, text, 0, &chunks, NULL) == GS_ERR_INVALID_ARGUMENT);
    printf("  64 KiB of nested brackets: refused in %.3f s\n", (g_get_monotonic_time() - t0) / 1e6);
    gs_prompt_chunks_free(chunks);

    /* One byte more is refused. */
    text[GS_CLIP_MAX_PROMPT_BYTES] = 'a';
    text[GS_CLIP_MAX_PROMPT_BYTES + 1] = '\0';
    char *error = NULL;
    GS_CHECK(gs_clip_tokenizer_encode(tok, text, &ids, &n, &error) == GS_ERR_INVALID_ARGUMENT && n == 0);
    GS_CHECK(error && strstr(error, "longer"));
    free(error);
    chunks = NULL;
    GS_CHECK(gs_prompt_encode(tok, text, 0, &chunks, NULL) == GS_ERR_INVALID_ARGUMENT && !chunks);
    g_free(text);
    gs_clip_tokenizer_free(tok);
}

static void
test_apply_weights(void)
{
    printf("weights\n");
    enum { T = GS_PROMPT_CHUNK_IDS, W = 48 };
    float *hidden = gs_test_random_new(T * W, 11, -2.0f, 2.5f);
    float *weights = gs_test_random_new(T, 12, 0.5f, 1.5f);
    float *got = g_memdup2(hidden, sizeof(float) * T * W);
    float *want = g_new(float, T * W);
    gs_prompt_apply_weights(got, weights, T, W);
    ref_prompt_weights(want, hidden, weights, T, W);
    GS_CHECK(gs_test_close("apply_weights", got, want, T * W, 1e-6f, 1e-5f));
    double before = 0, after = 0;
    for (int i = 0; i < T * W; i++) {
        before += hidden[i];
        after += got[i];
    }
    GS_CHECK(fabs(before - after) / (T * W) < 1e-5);

    /* Weights of 1 change nothing. */
    for (int t = 0; t < T; t++)
        weights[t] = 1.0f;
    memcpy(got, hidden, sizeof(float) * T * W);
    gs_prompt_apply_weights(got, weights, T, W);
    GS_CHECK(memcmp(got, hidden, sizeof(float) * T * W) == 0);

    /* A zero mean afterwards: no rescaling (and no NaN). */
    float h[4] = { 1, -1, 2, -2 }, w[2] = { 1, 1 };
    float w0[2] = { 0, 0 };
    gs_prompt_apply_weights(h, w, 2, 2);
    GS_CHECK(h[0] == 1 && h[3] == -2);
    float h2[4] = { 1, 2, 3, 4 };
    gs_prompt_apply_weights(h2, w0, 2, 2);
    GS_CHECK(h2[0] == 0 && h2[3] == 0);
    free(hidden);
    free(weights);
    g_free(got);
    g_free(want);
}

int
main(void)
{
    test_tiny();
    test_real();
    test_errors();
    test_bounds();
    test_apply_weights();
    if (gs_test_failures)
        fprintf(stderr, "%d failures\n", gs_test_failures);
    return gs_test_failures != 0;
}
