#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Picks plain sentences for the teacher voices to read, from openly
licensed text that Debian ships. Prose only (no commands, paths or
numbers), 4–20 words, deterministic order.

  English: The Debian Administrator's Handbook (debian-handbook,
    CC-BY-SA-3.0 or GPL-2+) and the Debian Reference (debian-reference-en,
    GPL-2+).
  Italian, Finnish, Czech, Russian: the translated manual pages of
    manpages-l10n (manpages-it, -fi, -cs, -ru; the translations GPL-3+).
  Catalan: the message catalogues of GPL and LGPL programs (CATALOGUES).
  Hindi, Marathi, Telugu: the same catalogues where installed, plus
    LibreOffice's user interface catalogues (libreoffice-l10n-hi, -mr, -te)
    and, for Hindi, its help pages (libreoffice-help-hi), all MPL-2.0,
    unpacked with dpkg-deb -x into the folder given by --libreoffice."""
import argparse
import glob
import gettext
import gzip
import html
import os
import random
import re
import subprocess

REFERENCE = "/usr/share/debian-reference/debian-reference.en.txt.gz"
HANDBOOK = "/usr/share/doc/debian-handbook/html/en-US/*.html"
LETTERS = {
    "en": "A-Za-z",
    "it": "A-Za-zÀÈÉÌÍÒÓÙÚàèéìíòóùú",
    "fi": "A-Za-zÅÄÖåäö",
    "cs": "A-Za-zÁČĎÉĚÍŇÓŘŠŤÚŮÝŽáčďéěíňóřšťúůýž",
    "ru": "А-Яа-яЁё",
    "ca": "A-Za-zÀÇÈÉÍÏÒÓÚÜàçèéíïòóúü·",
    "hi": "\u0900-\u0963\u0966-\u097f",  # Devanagari without the dandas
    "mr": "\u0900-\u0963\u0966-\u097f",
    "te": "\u0c00-\u0c7f",
}
UNCASED = {"hi", "mr", "te"}
ENDS = ".?!।"
# The catalogues read (all GPL or LGPL: debian/copyright of each package);
# a language takes the ones installed for it.
CATALOGUES = ["apt", "bash", "coreutils", "dpkg", "findutils", "gettext-tools", "glib20", "grep",
              "gtk30", "gtk40", "gst-plugins-base-1.0", "gstreamer-1.0", "libadwaita", "man-db", "sed", "shadow",
              "systemd", "tar", "wget"]
INDIC_CATALOGUES = CATALOGUES + ["Linux-PAM", "PackageKit", "appstream", "at-spi2-core", "gdk-pixbuf",
                                 "glib-networking", "gtk20", "json-glib-1.0", "libapt-pkg6.0", "libsoup",
                                 "shared-mime-info", "software-properties", "xdg-user-dirs"]


# Untranslated English left in translated manual pages.
ENGLISH = set("the of and is for this that by be are with not an it as from or which then".split())


def word_pattern(lang):
    letters = LETTERS[lang]
    return re.compile(rf"^\(?[{letters}]+(?:['’-][{letters}]+)*\)?[,;:]?$")


def sentences(text, lang):
    word = word_pattern(lang)
    cased = lang not in UNCASED
    text = re.sub(r"\s+", " ", text)
    for s in re.split(rf"(?<=[{ENDS}])\s+(?=[{LETTERS[lang]}])", text):
        words = s.split(" ")
        if not 4 <= len(words) <= 20 or not s[-1] in ENDS:
            continue
        body = words[:-1] + [words[-1][:-1]]
        english = sum(w.strip(",;:()").lower() in ENGLISH for w in body)
        if lang != "en" and english:
            continue
        if all(word.match(w) for w in body) and (not cased or (words[0][0].isupper() and words[0] != words[0].upper())):
            yield s.replace("’", "'")


def english_texts():
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as f:
        texts = [f.read()]
    for path in sorted(glob.glob(HANDBOOK)):
        with open(path, encoding="utf-8") as f:
            paragraphs = re.findall(r"<(?:p|div)[^>]*class=\"para\"[^>]*>(.*?)</(?:p|div)>", f.read(), flags=re.S)
        texts += [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in paragraphs]
    return texts


def roff_text(source):
    """The running text of a manual page: requests, comments and font
    escapes dropped; paragraphs separated by blank lines."""
    lines = []
    for line in source.splitlines():
        if line.startswith((".", "'")):
            lines.append("")
            continue
        line = re.sub(r"\\f(?:\[[^]]*\]|\(..|.)", "", line)
        line = re.sub(r"\\\(..|\\\[[^]]*\]|\\[-&e ]", " ", line)
        lines.append(line)
    return "\n".join(lines)


def manual_texts(lang):
    files = subprocess.run(["dpkg", "-L", f"manpages-{lang}"], capture_output=True, text=True, check=True).stdout
    texts = []
    for path in sorted(p for p in files.split("\n") if p.endswith(".gz")):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
            texts += roff_text(f.read()).split("\n\n")
    return texts


def catalogue_messages(path):
    with open(path, "rb") as f:
        catalogue = gettext.GNUTranslations(f)
    # Drop the accelerator marks: _ (GNU) and ~ (LibreOffice).
    return [re.sub("[_~]", "", m) for m in catalogue._catalog.values() if isinstance(m, str)]


def catalogue_texts(lang):
    texts = []
    for domain in INDIC_CATALOGUES if lang in UNCASED else CATALOGUES:
        path = f"/usr/share/locale/{lang}/LC_MESSAGES/{domain}.mo"
        if os.path.exists(path):
            texts += catalogue_messages(path)
    return texts


def libreoffice_texts(lang, root):
    texts = []
    for path in sorted(glob.glob(f"{root}/usr/lib/libreoffice/program/resource/{lang}/LC_MESSAGES/*.mo")):
        texts += catalogue_messages(path)
    for path in sorted(glob.glob(f"{root}/usr/share/libreoffice/help/{lang}/text/**/*.html", recursive=True)):
        with open(path, encoding="utf-8", errors="replace") as f:
            page = re.sub(r"<script.*?</script>", "", f.read(), flags=re.S)
        texts += [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p[^>]*>(.*?)</p>", page, flags=re.S)]
    if not texts:
        raise SystemExit(f"no LibreOffice catalogues for {lang} under {root} (see the docstring)")
    return texts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", default="en", choices=sorted(LETTERS))
    ap.add_argument("--count", type=int, default=2400)
    ap.add_argument("--out", default="/work/cache/speech/sentences.txt")
    ap.add_argument("--libreoffice", default="/work/cache/speech/libreoffice",
                    help="LibreOffice's Hindi, Marathi and Telugu packages, unpacked")
    args = ap.parse_args()
    if args.lang == "en":
        texts = english_texts()
    elif args.lang == "ca":
        texts = catalogue_texts(args.lang)
    elif args.lang in UNCASED:
        texts = catalogue_texts(args.lang) + libreoffice_texts(args.lang, args.libreoffice)
    else:
        texts = manual_texts(args.lang)
    found = sorted({s for text in texts for s in sentences(text, args.lang)})
    random.Random(0).shuffle(found)
    with open(args.out, "w") as f:
        f.write("\n".join(found[:args.count]) + "\n")
    print(f"{len(found)} sentences found, {min(len(found), args.count)} written to {args.out}")


if __name__ == "__main__":
    main()
