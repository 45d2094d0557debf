/* Character classes of the CLIP tokenizer and the A1111 prompt parser,
 * defined as the Python references define them (tools/sd/): Python's
 * str.isspace and re's \s, \w, \d, and Unicode general categories for
 * \p{L} and \p{N}. GLib supplies the categories.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Python's str.isspace (and re's \s): bidi class WS, B or S, or Zs. Note
 * U+001C..U+001F and U+0085, which g_unichar_isspace does not include. */
static inline bool
gs_text_isspace(gunichar c)
{
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
           c == 0x3000;
}

/* \p{L}: Lu, Ll, Lt, Lm, Lo. */
static inline bool
gs_text_isletter(gunichar c)
{
    switch (g_unichar_type(c)) {
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_OTHER_LETTER:
        return true;
    default:
        return false;
    }
}

/* \p{N}: Nd, Nl, No. */
static inline bool
gs_text_isnumber(gunichar c)
{
    switch (g_unichar_type(c)) {
    case G_UNICODE_DECIMAL_NUMBER:
    case G_UNICODE_LETTER_NUMBER:
    case G_UNICODE_OTHER_NUMBER:
        return true;
    default:
        return false;
    }
}

/* Python re's \d for text: Nd. */
static inline bool
gs_text_isdigit(gunichar c)
{
    return g_unichar_type(c) == G_UNICODE_DECIMAL_NUMBER;
}

/* Python re's \w for text: letters, numbers and '_'. */
static inline bool
gs_text_isword(gunichar c)
{
    return c == '_' || gs_text_isletter(c) || gs_text_isnumber(c);
}
