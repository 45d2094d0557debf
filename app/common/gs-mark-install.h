/* The per-install part of every watermark's payload.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "gs-mark-code.h"

/* A random 32-bit id made once per install (in the user config folder,
 * genstudio/install-id); GENSTUDIO_INSTALL_ID (hex) overrides it. */
guint32 gs_mark_install_id(void);

/* This install's payload for a model (audio marks keep the low bits). */
GsMarkPayload gs_mark_payload_for(const char *model_name);
