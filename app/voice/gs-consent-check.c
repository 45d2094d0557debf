/* Checking a consent recording: level tests, then pocketsphinx listening
 * for the issued sentence. Free decoding with the general language model
 * hears nonsense in synthetic or pitch-shifted voices, so the recognizer
 * gets a grammar instead: any sequence of the sentence's words, every
 * phrase word and common English words. It must then find the sentence in
 * order (half of its words or more) and three of the four phrase words in
 * place; a different sentence or phrase comes out as other words of the
 * grammar. README.md in this folder has the measured errors.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include <pocketsphinx.h>
#include <sphinxbase/jsgf.h>

#include "genstudio-engine.h"
#include "gs-consent.h"

/* At least this fraction of the sentence's words must be heard in order
 * (README.md: how it was chosen, and the errors measured). */
#define SENTENCE_MATCH_THRESHOLD 0.5
#define PHRASE_WORDS_NEEDED 3
/* pocketsphinx's default (0.65) let the word loop hear "book a that" for
 * "bucket"; 1e-3 halved such splits on the test voices, 1e-6 dropped words. */
#define WORD_INSERTION_PROBABILITY "1e-3"
#define FRAME_SECONDS 0.02
#define SILENT_DBFS (-50.0)
#define MIN_SPEECH_TO_PAUSE_DB 15.0
#define CLIPPED_FRACTION 0.001

/* Words a different sentence is likely heard as. */
static const char *const filler_words[] = {
    "the", "a", "an", "and", "to", "of", "in", "it", "was", "he", "she", "you", "we", "they", "for", "on",
    "with", "as", "at", "by", "not", "but", "or", "his", "her", "your", "our", "be", "have", "has", "do",
    "will", "would", "can", "about", "after", "over", "into", "out", "up", "down", "what", "when", "where",
    "who", "how", "all", "some", "no", "yes", "one", "two", "three", "day", "time", "year", "people", "way",
    "man", "woman", "world", "life", "hand", "place", "week", "work", "home", "water", "room", "night",
    "house", "money", "story", "book", "word", "side", "head", "friend", "hour", "game", "line", "end",
    "city", "name", "team", "body", "back", "door", "art", "morning", "reason", "moment", "air",
};

/* espeak-ng's phonemes (as the speech model names them) in the ARPAbet of
 * pocketsphinx's dictionary, for name words the dictionary lacks. */
static const struct {
    const char *ipa, *arpabet;
} ipa_to_arpabet[] = {
    { "aɪ", "AY" },     { "aɪə", "AY ER" }, { "aɪɚ", "AY ER" }, { "aʊ", "AW" },     { "b", "B" },
    { "d", "D" },       { "dʒ", "JH" },     { "eɪ", "EY" },     { "f", "F" },       { "h", "HH" },
    { "i", "IY" },      { "iə", "IY AH" },  { "iː", "IY" },     { "j", "Y" },       { "k", "K" },
    { "l", "L" },       { "m", "M" },       { "n", "N" },       { "n̩", "AH N" },    { "oʊ", "OW" },
    { "oː", "AO" },     { "oːɹ", "AO R" },  { "p", "P" },       { "r", "R" },       { "s", "S" },
    { "t", "T" },       { "tʃ", "CH" },     { "uː", "UW" },     { "v", "V" },       { "w", "W" },
    { "z", "Z" },       { "æ", "AE" },      { "ð", "DH" },      { "ŋ", "NG" },      { "ɐ", "AH" },
    { "ɑː", "AA" },     { "ɑːɹ", "AA R" },  { "ɔ", "AO" },      { "ɔɪ", "OY" },     { "ɔː", "AO" },
    { "ɔːɹ", "AO R" },  { "ə", "AH" },      { "əl", "AH L" },   { "ɚ", "ER" },      { "ɛ", "EH" },
    { "ɛɹ", "EH R" },   { "ɜː", "ER" },     { "ɡ", "G" },       { "ɪ", "IH" },      { "ɪɹ", "IH R" },
    { "ɹ", "R" },       { "ɾ", "T" },       { "ʃ", "SH" },      { "ʊ", "UH" },      { "ʊɹ", "UH R" },
    { "ʌ", "AH" },      { "ʒ", "ZH" },      { "θ", "TH" },      { "ᵻ", "IH" },      { "a", "AA" },
    { "e", "EH" },      { "o", "OW" },      { "u", "UW" },      { "x", "K" },       { "ʔ", "" },
};

void
gs_consent_check_free(GsConsentCheck *check)
{
    if (!check)
        return;
    g_free(check->transcript);
    g_free(check->audio_sha256);
    g_free(check);
}

/* ---- level tests ------------------------------------------------------ */

static int
compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static gboolean
check_levels(const float *samples, gsize count, GError **error)
{
    double seconds = (double)count / GS_CONSENT_RATE;
    if (seconds < GS_CONSENT_MIN_SECONDS) {
        g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_TOO_SHORT,
                    "The recording lasts %.1f s; reading the consent sentence takes at least %.0f s", seconds,
                    GS_CONSENT_MIN_SECONDS);
        return FALSE;
    }
    if (seconds > GS_CONSENT_MAX_SECONDS) {
        g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_TOO_LONG,
                    "The recording lasts %.1f s; a consent recording is at most %.0f s, the sentence alone",
                    seconds, GS_CONSENT_MAX_SECONDS);
        return FALSE;
    }
    gsize clipped = 0;
    for (gsize i = 0; i < count; i++)
        clipped += fabsf(samples[i]) >= 0.999f;
    gsize frame = (gsize)(FRAME_SECONDS * GS_CONSENT_RATE), frames = count / frame;
    g_autofree double *db = g_new(double, frames);
    for (gsize f = 0; f < frames; f++) {
        double energy = 0;
        for (gsize i = 0; i < frame; i++)
            energy += (double)samples[f * frame + i] * samples[f * frame + i];
        db[f] = 10.0 * log10(energy / frame + 1e-12);
    }
    qsort(db, frames, sizeof *db, compare_doubles);
    double quiet = db[frames / 10], loud = db[frames * 9 / 10];
    if (loud < SILENT_DBFS) {
        g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_SILENT,
                    "The recording is silent (its loud parts reach %.0f dBFS): check the microphone", loud);
        return FALSE;
    }
    if ((double)clipped / (double)count > CLIPPED_FRACTION) {
        g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_CLIPPED,
                    "The recording is clipped (%.1f%% of it at full scale): turn the microphone down",
                    100.0 * (double)clipped / (double)count);
        return FALSE;
    }
    if (loud - quiet < MIN_SPEECH_TO_PAUSE_DB) {
        g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_NOISY,
                    "The recording is too noisy: its pauses are only %.0f dB quieter than the speech (at least "
                    "%.0f dB are needed)",
                    loud - quiet, MIN_SPEECH_TO_PAUSE_DB);
        return FALSE;
    }
    return TRUE;
}

/* ---- words ------------------------------------------------------------ */

/* Lower-case words of the sentence: letters and apostrophes; hyphens split. */
static GPtrArray *
sentence_words(const char *sentence)
{
    GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *lower = g_utf8_strdown(sentence, -1);
    GString *word = g_string_new(NULL);
    for (const char *p = lower;; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c && (g_unichar_isalpha(c) || c == '\'')) {
            g_string_append_unichar(word, c);
            continue;
        }
        if (word->len)
            g_ptr_array_add(words, g_strdup(word->str));
        g_string_truncate(word, 0);
        if (!c)
            break;
    }
    g_string_free(word, TRUE);
    return words;
}

static char *
arpabet_of_word(const char *word, GError **error)
{
    gs_phonemizer *ph = NULL;
    char *message = NULL;
    if (gs_phonemizer_new("en-us", &ph, &message) != GS_OK) {
        g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_RECOGNIZER, "espeak-ng: %s", message);
        free(message);
        return NULL;
    }
    GString *out = g_string_new(NULL);
    const char *rest = word;
    while (rest) {
        gs_phone *phones = NULL;
        int count = 0;
        if (gs_phonemizer_next_sentence(ph, &rest, &phones, &count, &message) != GS_OK) {
            free(message);
            break;
        }
        for (int i = 0; i < count; i++)
            for (gsize k = 0; k < G_N_ELEMENTS(ipa_to_arpabet); k++)
                if (strcmp(phones[i].symbol, ipa_to_arpabet[k].ipa) == 0 && *ipa_to_arpabet[k].arpabet)
                    g_string_append_printf(out, "%s%s", out->len ? " " : "", ipa_to_arpabet[k].arpabet);
        gs_phones_free(phones);
    }
    gs_phonemizer_free(ph);
    return g_string_free(out, FALSE);
}

/* The decoder with every word of the sentence in its dictionary; name
 * words it lacks are added as "nameN", pronounced by espeak-ng, and
 * renamed so in `words`. */
static ps_decoder_t *
decoder_new(GPtrArray *words, const char *warp, GError **error)
{
    g_autofree char *hmm = g_build_filename(GS_POCKETSPHINX_MODEL_DIR, "en-us", "en-us", NULL);
    g_autofree char *dict = g_build_filename(GS_POCKETSPHINX_MODEL_DIR, "en-us", "cmudict-en-us.dict", NULL);
    if (!g_file_test(hmm, G_FILE_TEST_IS_DIR) || !g_file_test(dict, G_FILE_TEST_EXISTS)) {
        g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_RECOGNIZER,
                    "pocketsphinx's English model is missing (%s): install pocketsphinx-en-us", hmm);
        return NULL;
    }
    cmd_ln_t *config = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", dict, "-logfn", "/dev/null",
                                   /* fewer short words slipped in */ "-wip", WORD_INSERTION_PROBABILITY,
                                   /* with the default beams (1e-48, 7e-29) the phrase grammar lost every path
                                    * on 4 in 100 readings by festival's ked */
                                   "-beam", "1e-80", "-wbeam", "1e-60", "-pbeam", "1e-80",
                                   "-warp_type", "inverse_linear", "-warp_params", warp, NULL);
    ps_decoder_t *ps = config ? ps_init(config) : NULL;
    cmd_ln_free_r(config); /* the decoder holds its own reference */
    if (!ps) {
        g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_RECOGNIZER, "pocketsphinx cannot start with %s", hmm);
        return NULL;
    }
    for (guint i = 0; i < words->len; i++) {
        const char *w = words->pdata[i];
        char *known = ps_lookup_word(ps, w); /* its phones, malloc'd */
        free(known);
        if (known)
            continue;
        g_autofree char *phones = arpabet_of_word(w, error);
        g_autofree char *token = g_strdup_printf("name%u", i);
        if (!phones || !*phones || ps_add_word(ps, token, phones, FALSE) < 0) {
            if (error && !*error)
                g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_BAD_NAME,
                            "“%s” cannot be pronounced for the speech recognizer", w);
            ps_free(ps);
            return NULL;
        }
        g_free(words->pdata[i]);
        words->pdata[i] = g_steal_pointer(&token);
    }
    return ps;
}

/* The words a recording may be heard as: the sentence's, every phrase
 * word and common English words, as a JSGF alternative. */
static char *
vocabulary_rule(GPtrArray *words)
{
    GHashTable *vocabulary = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < words->len; i++)
        g_hash_table_add(vocabulary, words->pdata[i]);
    gsize n_phrase = 0;
    const char *const *phrase = gs_consent_phrase_words(&n_phrase);
    for (gsize i = 0; i < n_phrase; i++)
        g_hash_table_add(vocabulary, (char *)phrase[i]);
    for (gsize i = 0; i < G_N_ELEMENTS(filler_words); i++)
        g_hash_table_add(vocabulary, (char *)filler_words[i]);
    GString *rule = g_string_new("<word> = ");
    GHashTableIter iter;
    gpointer key;
    g_hash_table_iter_init(&iter, vocabulary);
    for (gboolean first = TRUE; g_hash_table_iter_next(&iter, &key, NULL); first = FALSE)
        g_string_append_printf(rule, "%s%s", first ? "" : " | ", (const char *)key);
    g_string_append(rule, ";\n");
    g_hash_table_unref(vocabulary);
    return g_string_free(rule, FALSE);
}

/* Any sequence of words: for hearing the sentence. */
static char *
free_grammar(GPtrArray *words)
{
    g_autofree char *vocabulary = vocabulary_rule(words);
    return g_strdup_printf("#JSGF V1.0;\ngrammar consent;\npublic <speech> = <word>+;\n%s", vocabulary);
}

/* Words, then "phrase", any one word and exactly four phrase words: for
 * hearing which four were said. Any word after "phrase": a diphone voice's
 * "is" was heard as "as", and forcing "is" left no path through the
 * grammar. Choosing among 128 words at known places is far
 * more reliable than free decoding, and any other four come out as such. */
static char *
phrase_grammar(GPtrArray *words)
{
    g_autofree char *vocabulary = vocabulary_rule(words);
    gsize n_phrase = 0;
    const char *const *phrase = gs_consent_phrase_words(&n_phrase);
    g_autoptr(GString) pool = g_string_new("<pool> = ");
    for (gsize i = 0; i < n_phrase; i++)
        g_string_append_printf(pool, "%s%s", i ? " | " : "", phrase[i]);
    return g_strdup_printf("#JSGF V1.0;\ngrammar phrase;\npublic <speech> = <word>* phrase <word> <pool> <pool> <pool> "
                           "<pool> <word>*;\n%s%s;\n",
                           vocabulary, pool->str);
}

/* Aligns the heard words with the sentence's (edit distance) and marks the
 * sentence's words that were heard in place. */
static void
align(GPtrArray *said, char **heard, gboolean *matched)
{
    guint n = said->len, m = g_strv_length(heard);
    g_autofree guint *cost = g_new(guint, (gsize)(n + 1) * (m + 1));
#define COST(i, j) cost[(gsize)(i) * (m + 1) + (j)]
    for (guint i = 0; i <= n; i++)
        for (guint j = 0; j <= m; j++)
            COST(i, j) = i == 0   ? j
                         : j == 0 ? i
                                  : MIN(MIN(COST(i - 1, j), COST(i, j - 1)) + 1,
                                        COST(i - 1, j - 1) + (g_strcmp0(said->pdata[i - 1], heard[j - 1]) != 0));
    memset(matched, 0, n * sizeof *matched);
    for (guint i = n, j = m; i > 0 && j > 0;) {
        gboolean same = g_strcmp0(said->pdata[i - 1], heard[j - 1]) == 0;
        if (COST(i, j) == COST(i - 1, j - 1) + !same) {
            matched[i - 1] = same;
            i--, j--;
        } else if (COST(i, j) == COST(i - 1, j) + 1) {
            i--;
        } else {
            j--;
        }
    }
#undef COST
}

static char *
sha256_of_pcm(const float *samples, gsize count)
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    for (gsize i = 0; i < count; i++) {
        gint16 v = (gint16)lrintf(CLAMP(samples[i], -1.0f, 1.0f) * 32767.0f);
        guint8 le[2] = { (guint8)(v & 0xff), (guint8)((guint16)v >> 8) };
        g_checksum_update(sum, le, 2);
    }
    return g_strdup(g_checksum_get_string(sum));
}

/* The JSGF `grammar` as the search `name` (ps_set_jsgf_string would do it,
 * but pocketsphinx 0.8 never frees the parsed grammar). */
static gboolean
set_grammar(ps_decoder_t *ps, const char *name, const char *grammar)
{
    jsgf_t *jsgf = jsgf_parse_string(grammar, NULL);
    jsgf_rule_t *rule = jsgf ? jsgf_get_public_rule(jsgf) : NULL;
    fsg_model_t *fsg = rule ? jsgf_build_fsg(jsgf, rule, ps_get_logmath(ps),
                                             (float32)cmd_ln_float_r(ps_get_config(ps), "-lw"))
                            : NULL;
    gboolean ok = fsg && ps_set_fsg(ps, name, fsg) == 0 && ps_set_search(ps, name) == 0;
    if (fsg)
        fsg_model_free(fsg); /* the search holds its own reference */
    if (jsgf)
        jsgf_grammar_free(jsgf);
    return ok;
}

/* What the decoder hears under the JSGF `grammar`; NULL if it refuses the
 * grammar. */
static char *
recognize(ps_decoder_t *ps, const char *name, const char *grammar, const gint16 *pcm, gsize count)
{
    if (!set_grammar(ps, name, grammar))
        return NULL;
    ps_start_utt(ps);
    ps_process_raw(ps, pcm, count, FALSE, TRUE);
    ps_end_utt(ps);
    int32 score = 0;
    const char *hyp = ps_get_hyp(ps, &score);
    return g_strdup(hyp ? hyp : "");
}

/* The four words after the word after the last "phrase", NULL if there
 * are not four. */
static char *
phrase_after(const char *transcript)
{
    g_auto(GStrv) heard = g_strsplit(transcript, " ", -1);
    guint n = g_strv_length(heard);
    for (guint i = n; i-- > 1;)
        if (g_str_equal(heard[i - 1], "phrase"))
            return i + 4 < n ? g_strjoin(" ", heard[i + 1], heard[i + 2], heard[i + 3], heard[i + 4], NULL) : NULL;
    return NULL;
}

/* One hearing of the recording, its frequency axis scaled by `warp`. */
static GsConsentCheck *
listen(const GsConsentRequest *request, const float *samples, const gint16 *pcm, gsize count, const char *warp,
       GError **error)
{
    g_autoptr(GPtrArray) words = sentence_words(request->sentence);
    ps_decoder_t *ps = decoder_new(words, warp, error);
    if (!ps)
        return NULL;
    g_autofree char *sentence_grammar = free_grammar(words), *slot_grammar = phrase_grammar(words);
    g_autofree char *transcript = recognize(ps, "sentence", sentence_grammar, pcm, count);
    g_autofree char *phrase_transcript = transcript ? recognize(ps, "phrase", slot_grammar, pcm, count) : NULL;
    ps_free(ps);
    if (!transcript || !phrase_transcript) {
        g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_RECOGNIZER,
                    "pocketsphinx refused the consent sentence's grammar");
        return NULL;
    }
    g_auto(GStrv) heard = g_strsplit_set(transcript, " ", -1);
    g_autofree gboolean *matched = g_new0(gboolean, words->len);
    align(words, heard, matched);
    guint hits = 0;
    for (guint i = 0; i < words->len; i++)
        hits += matched[i];
    /* The phrase counts as heard when three of its four words are, in
     * place, in either decoding (after "phrase is" in the slot grammar's,
     * or aligned in the word loop's): a recording made before the sentence
     * was issued matches three by chance once in ~500,000 tries. */
    g_autofree char *heard_phrase = phrase_after(phrase_transcript);
    g_auto(GStrv) issued = g_strsplit(request->phrase, " ", -1), slot = g_strsplit(heard_phrase ? heard_phrase : "", " ", -1);
    guint in_slot = 0, in_sentence = 0;
    for (guint i = 0; i < 4 && i < g_strv_length(issued); i++) {
        in_slot += i < g_strv_length(slot) && g_str_equal(issued[i], slot[i]);
        in_sentence += words->len >= 4 && matched[words->len - 4 + i];
    }
    gboolean phrase_heard = MAX(in_slot, in_sentence) >= PHRASE_WORDS_NEEDED;

    g_autoptr(GsConsentCheck) check = g_new0(GsConsentCheck, 1);
    check->transcript = g_steal_pointer(&transcript);
    check->sentence_match = words->len ? (double)hits / words->len : 0.0;
    check->phrase_heard = phrase_heard;
    check->seconds = (double)count / GS_CONSENT_RATE;
    check->audio_sha256 = sha256_of_pcm(samples, count);
    if (check->sentence_match < SENTENCE_MATCH_THRESHOLD) {
        g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_WRONG_SENTENCE,
                    "The recording is not the consent sentence: %.0f%% of its words were heard in order (at least "
                    "%.0f%% are needed). Heard: “%s”",
                    100.0 * check->sentence_match, 100.0 * SENTENCE_MATCH_THRESHOLD, check->transcript);
        return NULL;
    }
    if (!phrase_heard) {
        g_set_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_WRONG_PHRASE,
                    "The random phrase “%s” was not heard at the end of the recording (heard “%s”)",
                    request->phrase, heard_phrase ? heard_phrase : "nothing there");
        return NULL;
    }
    return g_steal_pointer(&check);
}

/* Hearing tuned to one voice misses others: a voice lowered 3 semitones
 * (its formants with it) was heard at 42 % of the sentence, and at 58 %
 * with its frequencies scaled back by 0.84. So a refused recording is
 * heard again scaled down and up by about 3 semitones of formant shift; a
 * refusal reports the unscaled hearing. */
static const char *const warps[] = { "1.0", "0.84", "1.19" };

GsConsentCheck *
gs_consent_check_recording(const GsConsentRequest *request, const float *samples, gsize count, GError **error)
{
    if (!check_levels(samples, count, error))
        return NULL;
    g_autofree gint16 *pcm = g_new(gint16, count);
    for (gsize i = 0; i < count; i++)
        pcm[i] = (gint16)lrintf(CLAMP(samples[i], -1.0f, 1.0f) * 32767.0f);
    g_autoptr(GError) first_refusal = NULL;
    for (gsize w = 0; w < G_N_ELEMENTS(warps); w++) {
        g_autoptr(GError) refusal = NULL;
        GsConsentCheck *check = listen(request, samples, pcm, count, warps[w], &refusal);
        if (check)
            return check;
        if (g_error_matches(refusal, GS_CONSENT_ERROR, GS_CONSENT_ERROR_RECOGNIZER)) {
            g_propagate_error(error, g_steal_pointer(&refusal));
            return NULL;
        }
        if (!first_refusal)
            first_refusal = g_steal_pointer(&refusal);
    }
    g_propagate_error(error, g_steal_pointer(&first_refusal));
    return NULL;
}