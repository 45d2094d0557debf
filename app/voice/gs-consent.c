/* Consent sentences: issuing them and the ledger of issued ids.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gs-consent.h"

G_DEFINE_QUARK(gs-consent-error-quark, gs_consent_error)

/* Words for the random phrase: short, common, concrete, easy to tell apart
 * by ear, and in pocketsphinx's English dictionary. 128 of them make
 * 128⁴ ≈ 2.7·10⁸ phrases, so a recording made in advance cannot carry the
 * right one. */
static const char *const phrase_words[] = {
    "amber",   "anchor",   "apple",   "arrow",   "autumn",  "badger",  "bamboo",  "barrel",  "beacon",
    "berry",   "bicycle",  "blanket", "bottle",  "bridge",  "bucket",  "butter",  "cabin",   "camel",
    "candle",  "canyon",   "carpet",  "castle",  "cedar",   "cherry",  "chimney", "circus",  "cloud",
    "clover",  "copper",   "cotton",  "crayon",  "dolphin", "donkey",  "dragon",  "eagle",   "ember",
    "engine",  "falcon",   "feather", "fiddle",  "forest",  "fossil",  "garden",  "ginger",  "glacier",
    "granite", "guitar",   "hammer",  "harbor",  "hazel",   "helmet",  "honey",   "island",  "jacket",
    "jungle",  "kettle",   "ladder",  "lantern", "lemon",   "lizard",  "magnet",  "maple",   "marble",
    "meadow",  "melon",    "mirror",  "monkey",  "mountain", "napkin", "needle",  "oyster",  "paddle",
    "panda",   "parrot",   "pebble",  "pepper",  "pillow",  "pirate",  "planet",  "pocket",  "potato",
    "pumpkin", "puppet",   "rabbit",  "raven",   "ribbon",  "river",   "rocket",  "saddle",  "salmon",
    "shadow",  "silver",   "spider",  "squirrel", "statue", "sugar",   "summer",  "sunset",  "tiger",
    "timber",  "tomato",   "tulip",   "turtle",  "valley",  "velvet",  "violin",  "walnut",  "whistle",
    "window",  "winter",   "wizard",  "yellow",  "zebra",   "orange",  "penguin", "cactus",  "biscuit",
    "blossom", "compass",  "diamond", "goblet",  "hollow",  "iron",    "jigsaw",  "kitten",  "lobster",
    "mango",   "nugget",
};

const char *const *
gs_consent_phrase_words(gsize *count)
{
    *count = G_N_ELEMENTS(phrase_words);
    return phrase_words;
}

void
gs_consent_request_free(GsConsentRequest *request)
{
    if (!request)
        return;
    g_free(request->id);
    g_free(request->name);
    g_free(request->sentence);
    g_free(request->phrase);
    g_free(request);
}

char *
gs_consent_default_ledger_path(void)
{
    return g_build_filename(g_get_user_data_dir(), "genstudio", "consent.json", NULL);
}

static guint32
random_below(guint32 bound)
{
    /* Rejection sampling over getrandom(): an id and a phrase nobody can
     * predict from earlier ones. */
    guint32 limit = G_MAXUINT32 - G_MAXUINT32 % bound, value;
    do {
        if (getrandom(&value, sizeof value, 0) != sizeof value)
            value = g_random_int(); /* getrandom cannot fail for 4 bytes after boot; keep going if it does */
    } while (value >= limit);
    return value % bound;
}

/* ---- the ledger: JSON, read and rewritten under an exclusive lock ---- */

/* The member `key` if it holds a value of `type`: its string for
 * G_TYPE_STRING, else its node; NULL otherwise. */
static gpointer
value_of(JsonObject *o, const char *key, GType type)
{
    JsonNode *n = json_object_get_member(o, key);
    if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != type)
        return NULL;
    return type == G_TYPE_STRING ? (gpointer)json_node_get_string(n) : (gpointer)n;
}

static GPtrArray *
ledger_parse(const char *contents, gsize length, GError **error)
{
    g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func((GDestroyNotify)gs_consent_request_free);
    if (length == 0)
        return g_steal_pointer(&requests);
    g_autoptr(JsonParser) parser = json_parser_new();
    if (!json_parser_load_from_data(parser, contents, (gssize)length, error))
        return NULL;
    JsonNode *root = json_parser_get_root(parser);
    JsonObject *o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
    JsonNode *member = o ? json_object_get_member(o, "requests") : NULL;
    JsonArray *list = member && JSON_NODE_HOLDS_ARRAY(member) ? json_node_get_array(member) : NULL;
    for (guint i = 0; list && i < json_array_get_length(list); i++) {
        JsonNode *element = json_array_get_element(list, i);
        JsonObject *r = JSON_NODE_HOLDS_OBJECT(element) ? json_node_get_object(element) : NULL;
        const char *id = r ? value_of(r, "id", G_TYPE_STRING) : NULL;
        const char *name = r ? value_of(r, "name", G_TYPE_STRING) : NULL;
        const char *sentence = r ? value_of(r, "sentence", G_TYPE_STRING) : NULL;
        const char *phrase = r ? value_of(r, "phrase", G_TYPE_STRING) : NULL;
        JsonNode *issued = r ? value_of(r, "issued", G_TYPE_INT64) : NULL;
        JsonNode *used = r ? value_of(r, "used", G_TYPE_BOOLEAN) : NULL;
        if (!id || !name || !sentence || !phrase || !issued || !used)
            continue; /* not one this program wrote: forgotten at the next save */
        GsConsentRequest *request = g_new0(GsConsentRequest, 1);
        request->id = g_strdup(id);
        request->name = g_strdup(name);
        request->sentence = g_strdup(sentence);
        request->phrase = g_strdup(phrase);
        request->issued = json_node_get_int(issued);
        request->used = json_node_get_boolean(used);
        g_ptr_array_add(requests, request);
    }
    if (!list) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a consent ledger");
        return NULL;
    }
    return g_steal_pointer(&requests);
}

static gboolean
ledger_write(const char *path, GPtrArray *requests, gint64 now, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "requests");
    json_builder_begin_array(b);
    for (guint i = 0; i < requests->len; i++) {
        const GsConsentRequest *r = requests->pdata[i];
        /* Spent or expired ids are kept a day (a reused id is then refused
         * as used, not as unknown), then forgotten. */
        if (now - r->issued > 24 * 60 * 60)
            continue;
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, r->id);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, r->name);
        json_builder_set_member_name(b, "sentence");
        json_builder_add_string_value(b, r->sentence);
        json_builder_set_member_name(b, "phrase");
        json_builder_add_string_value(b, r->phrase);
        json_builder_set_member_name(b, "issued");
        json_builder_add_int_value(b, r->issued);
        json_builder_set_member_name(b, "used");
        json_builder_add_boolean_value(b, r->used);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    gsize length = 0;
    g_autofree char *text = json_generator_to_data(gen, &length);
    return g_file_set_contents_full(path, text, (gssize)length,
                                    G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error);
}

typedef gboolean (*LedgerEdit)(GPtrArray *requests, gpointer user_data, GError **error);

/* Reads the ledger, lets `edit` change it and writes it back if `edit`
 * returns TRUE and says so in *changed, all under a lock on a file beside
 * it, so that two processes cannot both spend one id. */
static gboolean
ledger_edit(const char *path, gint64 now, LedgerEdit edit, gpointer user_data, gboolean *changed, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    if (g_mkdir_with_parents(dir, 0700) != 0) {
        int saved = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "Cannot create %s: %s", dir, g_strerror(saved));
        return FALSE;
    }
    g_autofree char *lock_path = g_strconcat(path, ".lock", NULL);
    int lock = g_open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 || flock(lock, LOCK_EX) != 0) {
        int saved = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "Cannot lock %s: %s", lock_path,
                    g_strerror(saved));
        if (lock >= 0)
            close(lock);
        return FALSE;
    }
    g_autofree char *contents = NULL;
    gsize length = 0;
    g_autoptr(GError) read_error = NULL;
    g_autoptr(GPtrArray) requests = NULL;
    if (!g_file_get_contents(path, &contents, &length, &read_error) &&
        !g_error_matches(read_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_propagate_error(error, g_steal_pointer(&read_error));
    else if (!(requests = ledger_parse(contents ? contents : "", contents ? length : 0, error)))
        g_prefix_error(error, "The consent ledger %s is damaged (remove it to start afresh): ", path);
    gboolean ok = requests && edit(requests, user_data, error);
    if (ok && *changed)
        ok = ledger_write(path, requests, now, error);
    close(lock); /* releases the lock */
    return ok;
}

static GsConsentRequest *
request_copy(const GsConsentRequest *r)
{
    GsConsentRequest *copy = g_new0(GsConsentRequest, 1);
    *copy = *r;
    copy->id = g_strdup(r->id);
    copy->name = g_strdup(r->name);
    copy->sentence = g_strdup(r->sentence);
    copy->phrase = g_strdup(r->phrase);
    return copy;
}

/* ---- issuing -------------------------------------------------------- */

static gboolean
name_is_valid(const char *name)
{
    if (!name || !g_utf8_validate(name, -1, NULL))
        return FALSE;
    g_auto(GStrv) words = g_strsplit_set(name, " \t", -1);
    int count = 0;
    for (char **w = words; *w; w++) {
        if (!**w)
            continue;
        count++;
        for (const char *p = *w; *p; p = g_utf8_next_char(p)) {
            gunichar c = g_utf8_get_char(p);
            if (!g_unichar_isalpha(c) && c != '\'' && c != '-')
                return FALSE;
        }
    }
    return count >= 1 && count <= GS_CONSENT_MAX_NAME_WORDS;
}

typedef struct {
    GsConsentRequest *request;
    gboolean *changed;
} IssueEdit;

static gboolean
add_request(GPtrArray *requests, gpointer user_data, GError **error)
{
    IssueEdit *edit = user_data;
    g_ptr_array_add(requests, request_copy(edit->request));
    *edit->changed = TRUE;
    return TRUE;
}

GsConsentRequest *
gs_consent_issue(const char *ledger_path, const char *name, gint64 now, GError **error)
{
    if (!name_is_valid(name)) {
        g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_BAD_NAME,
                    "A name for a consent sentence is 1 to %d words of letters (apostrophes and hyphens allowed)",
                    GS_CONSENT_MAX_NAME_WORDS);
        return NULL;
    }
    g_auto(GStrv) parts = g_strsplit_set(name, " \t", -1);
    g_autoptr(GString) clean = g_string_new(NULL);
    for (char **w = parts; *w; w++)
        if (**w)
            g_string_append_printf(clean, "%s%s", clean->len ? " " : "", *w);

    g_autoptr(GsConsentRequest) request = g_new0(GsConsentRequest, 1);
    request->id = g_strdup_printf("%08x%08x", random_below(G_MAXUINT32), random_below(G_MAXUINT32));
    request->name = g_strdup(clean->str);
    const char *words[4];
    for (int i = 0; i < 4; i++) {
        gboolean repeated;
        do {
            words[i] = phrase_words[random_below(G_N_ELEMENTS(phrase_words))];
            repeated = FALSE;
            for (int j = 0; j < i; j++)
                repeated = repeated || words[j] == words[i];
        } while (repeated);
    }
    request->phrase = g_strjoin(" ", words[0], words[1], words[2], words[3], NULL);
    request->sentence = g_strdup_printf("I, %s, agree that GenStudio may create a synthetic copy of my voice from "
                                        "this recording. My phrase is %s.",
                                        request->name, request->phrase);
    request->issued = now;
    gboolean changed = FALSE;
    IssueEdit edit = { request, &changed };
    if (!ledger_edit(ledger_path, now, add_request, &edit, &changed, error))
        return NULL;
    return g_steal_pointer(&request);
}

/* ---- looking up and spending ------------------------------------------ */

typedef struct {
    const char *id;
    gint64 now;
    gboolean spend;
    gboolean *changed;
    GsConsentRequest *found;
} LookupEdit;

static gboolean
find_request(GPtrArray *requests, gpointer user_data, GError **error)
{
    LookupEdit *edit = user_data;
    for (guint i = 0; i < requests->len; i++) {
        GsConsentRequest *r = requests->pdata[i];
        if (g_strcmp0(r->id, edit->id) != 0)
            continue;
        if (r->used) {
            g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_USED,
                        "Consent id %s has been used already: each consent sentence clones one voice once", r->id);
            return FALSE;
        }
        if (edit->now - r->issued > GS_CONSENT_LIFETIME_SECONDS || edit->now < r->issued) {
            g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_EXPIRED,
                        "Consent id %s has expired: a consent sentence is valid for %d minutes; ask for a new one",
                        r->id, GS_CONSENT_LIFETIME_SECONDS / 60);
            return FALSE;
        }
        if (edit->spend) {
            r->used = TRUE;
            *edit->changed = TRUE;
        }
        edit->found = request_copy(r);
        return TRUE;
    }
    g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_UNKNOWN_ID,
                "Unknown consent id “%s”: ask for a consent sentence first (genstudio-cli clone --new-consent)",
                edit->id);
    return FALSE;
}

GsConsentRequest *
gs_consent_lookup(const char *ledger_path, const char *id, gint64 now, GError **error)
{
    gboolean changed = FALSE;
    LookupEdit edit = { id, now, FALSE, &changed, NULL };
    if (!ledger_edit(ledger_path, now, find_request, &edit, &changed, error))
        return NULL;
    return edit.found;
}

gboolean
gs_consent_spend(const char *ledger_path, const char *id, gint64 now, GError **error)
{
    gboolean changed = FALSE;
    LookupEdit edit = { id, now, TRUE, &changed, NULL };
    gboolean ok = ledger_edit(ledger_path, now, find_request, &edit, &changed, error);
    gs_consent_request_free(edit.found);
    return ok;
}
