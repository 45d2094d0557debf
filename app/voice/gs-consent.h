/* The consent gate for voice cloning. GenStudio issues a fresh consent
 * sentence with an id ("I, <name>, agree that GenStudio may …" and a random
 * phrase of four words); the person reads it aloud; speech recognition
 * (pocketsphinx, restricted to the words a consent recording can hold)
 * checks the recording against the issued sentence. An id expires after
 * GS_CONSENT_LIFETIME_SECONDS and is spent by the first recording that
 * passes. Issued ids live in a small JSON ledger, saved atomically, so
 * that the CLI's two steps can run as two processes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define GS_CONSENT_LIFETIME_SECONDS (10 * 60)
#define GS_CONSENT_MIN_SECONDS 5.0
#define GS_CONSENT_MAX_SECONDS 30.0
#define GS_CONSENT_MAX_NAME_WORDS 4
/* The sample rate the checker listens at (pocketsphinx's en-us model). */
#define GS_CONSENT_RATE 16000

#define GS_CONSENT_ERROR (gs_consent_error_quark())
GQuark gs_consent_error_quark(void);

/* Why a recording or an id was refused; the message says it in words. */
typedef enum {
    GS_CONSENT_ERROR_UNKNOWN_ID,
    GS_CONSENT_ERROR_EXPIRED,
    GS_CONSENT_ERROR_USED,
    GS_CONSENT_ERROR_BAD_NAME,
    GS_CONSENT_ERROR_TOO_SHORT,
    GS_CONSENT_ERROR_TOO_LONG,
    GS_CONSENT_ERROR_SILENT,
    GS_CONSENT_ERROR_CLIPPED,
    GS_CONSENT_ERROR_NOISY,
    GS_CONSENT_ERROR_WRONG_SENTENCE,
    GS_CONSENT_ERROR_WRONG_PHRASE,
    GS_CONSENT_ERROR_RECOGNIZER, /* pocketsphinx or its English model is missing */
} GsConsentError;

typedef struct {
    char *id;       /* 16 hex digits */
    char *name;     /* as the person gave it */
    char *sentence; /* the whole text to read, phrase included */
    char *phrase;   /* the random four words */
    gint64 issued;  /* Unix seconds */
    gboolean used;
} GsConsentRequest;

void gs_consent_request_free(GsConsentRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsConsentRequest, gs_consent_request_free)

/* The ledger of issued ids: $XDG_DATA_HOME/genstudio/consent.json. */
char *gs_consent_default_ledger_path(void);

/* Issues a new sentence for `name` (1–GS_CONSENT_MAX_NAME_WORDS words of
 * letters, apostrophes and hyphens) at time `now` and records it in the
 * ledger. */
GsConsentRequest *gs_consent_issue(const char *ledger_path, const char *name, gint64 now, GError **error);

/* The request `id` if it is known, unused and not expired at `now`. */
GsConsentRequest *gs_consent_lookup(const char *ledger_path, const char *id, gint64 now, GError **error);

/* What the check found, kept with the voice as its consent record. */
typedef struct {
    char *transcript;      /* what the recognizer heard */
    double sentence_match; /* fraction of the sentence's words heard in order, 0–1 */
    gboolean phrase_heard; /* at least three of the four phrase words, each in its place */
    double seconds;
    char *audio_sha256;    /* of the 16-bit samples at GS_CONSENT_RATE */
} GsConsentCheck;

void gs_consent_check_free(GsConsentCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsConsentCheck, gs_consent_check_free)

/* Checks a recording (mono floats at GS_CONSENT_RATE) of `request`'s
 * sentence: its length, level, clipping and noise, then the words. NULL
 * with a GS_CONSENT_ERROR saying which test failed. */
GsConsentCheck *gs_consent_check_recording(const GsConsentRequest *request, const float *samples, gsize count,
                                           GError **error);

/* Marks `id` as used, so that it cannot pass again; fails as
 * gs_consent_lookup does, and if it was used already (two processes racing
 * for one id: only one wins). */
gboolean gs_consent_spend(const char *ledger_path, const char *id, gint64 now, GError **error);

/* The words random phrases are drawn from. */
const char *const *gs_consent_phrase_words(gsize *count);

G_END_DECLS
