/* Text → phonemes through libespeak-ng: IPA symbols with stress, word
 * breaks and clause punctuation, one sentence at a time so that long text
 * streams in bounded memory.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <espeak-ng/speak_lib.h>
#include <glib.h>
#include <string.h>

#include "genstudio-engine.h"
#include "vk/gs-vk-private.h"

/* espeak-ng keeps its voice and dictionary in process-wide state: every use
 * goes through this lock, and the voice is selected again on each call. */
static GMutex espeak_lock;
static gboolean espeak_ready;
/* espeak-ng reads one character past each clause and keeps it for the next
 * call: a text left unfinished would leak that character into the next
 * text. So the lock also guards which phonemizer and which position the
 * pending state belongs to; anyone else flushes it first. */
static const gs_phonemizer *pending_owner;
static const char *pending_text;

/* A sentence ends at the first clause after this many phones even without
 * a full stop, so that a text without punctuation still streams. */
#define MAX_SENTENCE_PHONES 600

#define STRESS_PRIMARY "\xcb\x88"   /* ˈ U+02C8 */
#define STRESS_SECONDARY "\xcb\x8c" /* ˌ U+02CC */

struct gs_phonemizer {
    char *lang;
};

static void
flush_pending_locked(void)
{
    for (const void *rest = "."; rest;)
        espeak_TextToPhonemes(&rest, espeakCHARS_UTF8, espeakPHONEMES_IPA);
    pending_owner = NULL;
    pending_text = NULL;
}

static gboolean
select_voice_locked(const char *lang)
{
    if (!espeak_ready) {
        if (espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_DONT_EXIT) < 0)
            return FALSE;
        espeak_ready = TRUE;
    }
    return espeak_SetVoiceByName(lang) == EE_OK;
}

gs_status
gs_phonemizer_new(const char *lang, gs_phonemizer **out, char **error)
{
    *out = NULL;
    if (!lang || !*lang)
        lang = "en-us";
    g_mutex_lock(&espeak_lock);
    gboolean ok = select_voice_locked(lang);
    g_mutex_unlock(&espeak_lock);
    if (!ok)
        return gs_set_error(error, GS_ERR_INVALID_ARGUMENT,
                    "Unknown language “%s”: espeak-ng has no voice of that name (espeak-ng --voices lists them)", lang);
    gs_phonemizer *ph = g_new0(gs_phonemizer, 1);
    ph->lang = g_strdup(lang);
    *out = ph;
    return GS_OK;
}

void
gs_phonemizer_free(gs_phonemizer *ph)
{
    if (!ph)
        return;
    g_mutex_lock(&espeak_lock);
    if (pending_owner == ph)
        flush_pending_locked();
    g_mutex_unlock(&espeak_lock);
    g_free(ph->lang);
    g_free(ph);
}

static void
append(GArray *phones, const char *symbol, size_t len, int stress)
{
    gs_phone p = { .stress = (uint8_t)stress };
    if (len == 0 || len >= sizeof p.symbol)
        return; /* an empty name between two separators, or no IPA symbol is this long */
    memcpy(p.symbol, symbol, len);
    g_array_append_val(phones, p);
}

/* "h_ə_l_ˈoʊ f_ɹ_ʌ_m" → h ə l oʊ(1) ␠ f ɹ ʌ m */
static void
append_clause(GArray *phones, const char *ipa)
{
    for (const char *word = ipa; *word;) {
        size_t word_len = strcspn(word, " ");
        if (word_len > 0 && phones->len > 0 && g_array_index(phones, gs_phone, phones->len - 1).symbol[0] != ' ')
            append(phones, " ", 1, 0);
        for (const char *p = word, *end = word + word_len; p < end;) {
            size_t len = strcspn(p, "_ ");
            if (p + len > end)
                len = (size_t)(end - p);
            int stress = 0;
            if (len >= 2 && strncmp(p, STRESS_PRIMARY, 2) == 0)
                stress = 1;
            else if (len >= 2 && strncmp(p, STRESS_SECONDARY, 2) == 0)
                stress = 2;
            append(phones, p + (stress ? 2 : 0), len - (stress ? 2 : 0), stress);
            p += len + 1;
        }
        word += word_len;
        while (*word == ' ')
            word++;
    }
}

/* The punctuation that closed a clause: espeak-ng's cursor stops one
 * character into the next clause (so drop a trailing letter or digit), then
 * the last non-space byte is the mark. Sentence ends keep it (intonation
 * differs); other clause marks become a pause ",". */
static char
clause_mark(const char *start, const char *end, gboolean more, gboolean *sentence_end)
{
    if (more && end > start && !g_ascii_isspace(end[-1]) && !g_ascii_ispunct(end[-1]))
        end = g_utf8_find_prev_char(start, end) ? g_utf8_find_prev_char(start, end) : start;
    while (end > start && g_ascii_isspace(end[-1]))
        end--;
    char c = end > start ? end[-1] : '.';
    *sentence_end = c == '.' || c == '?' || c == '!';
    if (*sentence_end)
        return c;
    return ',';
}

gs_status
gs_phonemizer_next_sentence(gs_phonemizer *ph, const char **text, gs_phone **phones, int *count, char **error)
{
    *phones = NULL;
    *count = 0;
    if (!*text)
        return GS_OK;
    /* The whole text is checked once, when it starts (a continuation was
     * checked then): a sentence at a time over 1 MB must not cost n². */
    g_mutex_lock(&espeak_lock);
    gboolean continuing = pending_owner == ph && pending_text == *text;
    g_mutex_unlock(&espeak_lock);
    const char *bad = NULL;
    if (!continuing && !g_utf8_validate(*text, -1, &bad))
        return gs_set_error(error, GS_ERR_INVALID_ARGUMENT, "The text is not valid UTF-8 (byte %zu)", (size_t)(bad - *text));

    GArray *out = g_array_new(FALSE, FALSE, sizeof(gs_phone));
    g_mutex_lock(&espeak_lock);
    select_voice_locked(ph->lang);
    if (pending_owner && (pending_owner != ph || pending_text != *text))
        flush_pending_locked();
    gboolean sentence_end = FALSE;
    while (*text && !sentence_end) {
        const char *start = *text;
        const void *cursor = start;
        const char *ipa = espeak_TextToPhonemes(&cursor, espeakCHARS_UTF8, espeakPHONEMES_IPA | ('_' << 8));
        const char *end = cursor ? cursor : start + strlen(start);
        guint before = out->len;
        append_clause(out, ipa ? ipa : "");
        char mark = clause_mark(start, end, cursor != NULL, &sentence_end);
        if (!cursor)
            sentence_end = TRUE;
        if (out->len > before) {
            if (g_array_index(out, gs_phone, out->len - 1).symbol[0] == ' ')
                g_array_set_size(out, out->len - 1);
            append(out, &mark, 1, 0);
        }
        if (out->len >= MAX_SENTENCE_PHONES)
            sentence_end = TRUE;
        *text = cursor;
    }
    pending_owner = *text ? ph : NULL;
    pending_text = *text;
    g_mutex_unlock(&espeak_lock);
    *count = (int)out->len;
    *phones = (gs_phone *)g_array_free(out, out->len == 0);
    return GS_OK;
}

void
gs_phones_free(gs_phone *phones)
{
    g_free(phones);
}
