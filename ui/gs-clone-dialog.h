/* "New Voice from a Recording" (issue #17): the speaker's name; a fresh
 * consent sentence (gs-consent.h) that the speaker reads aloud, live, while
 * it is valid; a recording from the microphone with a level meter; then the
 * check and the fit in the engine's worker (gs_engine_clone_voice_async).
 * A refused recording is explained in words, and "Try Again" records the
 * same sentence again while it is valid. No file can be given in place of
 * the recording. On success the voice is in gs_voices_dir(), the dialog
 * emits "voice-added" (const char *name, const char *path) and closes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gs-audio-recorder.h"
#include "gs-consent.h"

G_BEGIN_DECLS

#define GS_TYPE_CLONE_DIALOG (gs_clone_dialog_get_type())
G_DECLARE_FINAL_TYPE(GsCloneDialog, gs_clone_dialog, GS, CLONE_DIALOG, AdwWindow)

typedef enum {
    GS_CLONE_DIALOG_NAME,      /* asking for the speaker's name */
    GS_CLONE_DIALOG_READY,     /* the sentence shown, ready to record */
    GS_CLONE_DIALOG_RECORDING,
    GS_CLONE_DIALOG_CHECKING,  /* the check and the fit in the worker */
    GS_CLONE_DIALOG_REFUSED,   /* the recording or the id was refused, or the fit failed */
} GsCloneDialogState;

/* Modal over `parent`. */
GsCloneDialog *gs_clone_dialog_new(GtkWindow *parent);
GsCloneDialogState gs_clone_dialog_get_state(GsCloneDialog *self);
/* The consent sentence being read; NULL before one is issued. */
const GsConsentRequest *gs_clone_dialog_get_request(GsCloneDialog *self);
/* What the dialog shows as the last failure (GS_CONSENT_ERROR for a
 * refusal; the recorder's error when the microphone failed); NULL if none. */
const GError *gs_clone_dialog_get_error(GsCloneDialog *self);
GsAudioRecorder *gs_clone_dialog_get_recorder(GsCloneDialog *self);

G_END_DECLS
