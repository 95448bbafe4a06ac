#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Generates the codename word lists src/codename/wordlists/{en,fa}.txt.

Reproducible from Debian 12 packages (stdlib only): English from the EFF large
word list in `diceware`, Persian from aspell-fa's fa-generic dictionary. Each
list gets exactly 4096 words (12 bits a word). The filters and their reasons
are in docs/codename.md. The line order of a list is part of the codename
format (a codename *is* its word indices): never regenerate committed lists
with different rules without a new codename version.

Usage: generate.py [--check] [--stats]
  --check  compare with the committed lists instead of writing them (exit 1
           if they differ, 77 if the Debian packages are missing, or 1 with
           SAFEHOUSE_NO_SKIP=1)
  --stats  print how many words each filter removed
"""

import argparse
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import unicodedata

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
OUT_DIR = ROOT / "src" / "codename" / "wordlists"
EFF_LIST = pathlib.Path("/usr/lib/python3/dist-packages/diceware/wordlists/wordlist_en_eff.txt")
LIST_SIZE = 4096
MIN_LETTERS = 3
MAX_LETTERS = 8
SEED = "safehouse/wordlist/v1"

ZWNJ = "\u200c"


# --- normalisation: mirrors src/codename/normalise.cpp for the characters in
# these lists; the C++ test checks every entry equals its own normalisation.
_REMOVED = {0x200C, 0x200D, 0x200E, 0x200F, 0x0640, 0x0670}
_REMOVED.update(range(0x202A, 0x202F))
_REMOVED.update(range(0x2066, 0x206A))
_REMOVED.update(range(0x064B, 0x0660))
_MAPPED = {"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"}
for _d in range(10):
    _MAPPED[chr(0x06F0 + _d)] = str(_d)
    _MAPPED[chr(0x0660 + _d)] = str(_d)


def normalise(text):
    text = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for ch in text:
        if ord(ch) in _REMOVED:
            continue
        out.append(_MAPPED.get(ch, ch))
    return " ".join("".join(out).split())


def read_blocklist(name):
    words = set()
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        for word in line.split("#", 1)[0].split():
            words.add(normalise(word))
    return words


class Stats:
    def __init__(self, lang):
        self.lang = lang
        self.rows = []

    def step(self, name, words):
        self.rows.append((name, len(words)))
        return words

    def show(self):
        for name, count in self.rows:
            print(f"{self.lang}: {count:6d} after {name}", file=sys.stderr)


# --- look-alike detection: edit distance 1 (one substitution, insertion,
# deletion or swap of neighbours) to a word already chosen.
class NearIndex:
    def __init__(self):
        self.words = set()
        self.substitutions = set()  # word with one position wildcarded
        self.deletions = set()  # word with one letter deleted

    @staticmethod
    def _subs(word):
        return {word[:i] + "\0" + word[i + 1:] for i in range(len(word))}

    @staticmethod
    def _dels(word):
        return {word[:i] + word[i + 1:] for i in range(len(word))}

    @staticmethod
    def _swaps(word):
        return {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}

    def near(self, word):
        if word in self.words or word in self.deletions:
            return True
        if self._subs(word) & self.substitutions:
            return True
        return bool((self._dels(word) | self._swaps(word)) & self.words)

    def add(self, word):
        self.words.add(word)
        self.substitutions |= self._subs(word)
        self.deletions |= self._dels(word)


def keep_distinct(words, keys=(lambda w: w,), near_key=None, ordered=False):
    """Greedy, shortest words first (or in the given order if `ordered`):
    keeps a word unless one of its keys was taken by a kept word, or its
    near_key is within edit distance 1 of a kept word's near_key."""
    taken = [set() for _ in keys]
    index = NearIndex()
    kept = []
    for word in words if ordered else sorted(words, key=lambda w: (len(w), w)):
        values = [key(word) for key in keys]
        if any(v in t for v, t in zip(values, taken)):
            continue
        if near_key is not None and index.near(near_key(word)):
            continue
        for v, t in zip(values, taken):
            t.add(v)
        if near_key is not None:
            index.add(near_key(word))
        kept.append(word)
    return kept


def metaphone(word):
    """A simplified Metaphone (after L. Philips, 1990): equal keys for words
    that sound alike. Unlike Metaphone, a vowel sound inside the word is kept
    as 'v' (any vowel: bat, bet and boat share "pvt") rather than dropped,
    which would merge too many words that sound distinct (cable, cobble).
    A leading vowel is 'a'; a final silent e is dropped."""
    w = word.lower()
    if w[:2] in ("ae", "gn", "kn", "pn", "wr"):
        w = w[1:]
    if w[:1] == "x":
        w = "s" + w[1:]
    if w[:2] == "wh":
        w = "w" + w[2:]
    vowels = "aeiou"
    out = []
    for i, c in enumerate(w):
        prev = w[i - 1] if i > 0 else ""
        nxt = w[i + 1] if i + 1 < len(w) else ""
        nxt2 = w[i + 2] if i + 2 < len(w) else ""
        if c == prev and c != "c":
            continue
        if c in vowels or (c in ("w", "y") and prev in vowels and i > 0):
            if i == 0:
                out.append("a")
            elif not (c == "e" and i == len(w) - 1 and prev not in vowels):
                out.append("v")  # a vowel sound, any: bat, bet, boat
        elif c == "b":
            if not (prev == "m" and i == len(w) - 1):
                out.append("b")
        elif c == "c":
            if nxt == "i" and nxt2 == "a":
                out.append("x")
            elif nxt == "h":
                out.append("k" if prev == "s" else "x")
            elif nxt in ("i", "e", "y"):
                if prev != "s":
                    out.append("s")
            else:
                out.append("k")
        elif c == "d":
            out.append("j" if nxt == "g" and nxt2 in ("e", "i", "y") else "t")
        elif c == "g":
            if nxt == "h" and nxt2 and nxt2 not in vowels:
                continue
            if nxt == "n" and (i + 2 == len(w) or w[i + 1:] == "ned"):
                continue
            if prev == "d" and nxt in ("e", "i", "y"):
                continue
            out.append("j" if nxt in ("i", "e", "y") else "k")
        elif c == "h":
            if prev in ("c", "s", "p", "t", "g"):
                continue
            if nxt in vowels and prev not in vowels:
                out.append("h")
        elif c == "k":
            if prev != "c":
                out.append("k")
        elif c == "p":
            out.append("f" if nxt == "h" else "p")
        elif c == "q":
            out.append("k")
        elif c == "s":
            if nxt == "h" or (nxt == "i" and nxt2 in ("o", "a")):
                out.append("x")
            else:
                out.append("s")
        elif c == "t":
            if nxt == "i" and nxt2 in ("o", "a"):
                out.append("x")
            elif nxt == "h":
                out.append("0")
            elif not (nxt == "c" and nxt2 == "h"):
                out.append("t")
        elif c == "v":
            out.append("f")
        elif c in ("w", "y"):
            if nxt in vowels:
                out.append(c)
        elif c == "x":
            out.append("ks")
        elif c == "z":
            out.append("s")
        else:
            out.append(c)
    # Collapse repeats the rules above produced ("ks" + "s", "t" + "t").
    key = []
    for ch in "".join(out):
        if not key or key[-1] != ch:
            key.append(ch)
    return "".join(key)


def english():
    stats = Stats("en")
    words = []
    for line in EFF_LIST.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            words.append(parts[1])
    stats.step("reading the EFF large list", words)
    # Lower-case ASCII letters only: no hyphenated or capitalised words.
    words = stats.step("ascii lower-case only", [w for w in words if w.isascii() and w.isalpha() and w.islower()])
    words = stats.step(f"{MIN_LETTERS}-{MAX_LETTERS} letters",
                       [w for w in words if MIN_LETTERS <= len(w) <= MAX_LETTERS])
    blocked = read_blocklist("blocklist_en.txt")
    words = stats.step("blocklist", [w for w in words if w not in blocked])
    words = stats.step("edit distance 1", keep_distinct(words, near_key=lambda w: w))
    words = stats.step("sound-alike (metaphone)", keep_distinct(words, keys=(metaphone,)))
    return (words, []), stats


# --- Persian
PERSIAN_LETTERS = set("آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی")
# Letters that differ only by dots (or the stroke of گ, the madda of آ) share a
# class: words whose classes match letter for letter look alike at a glance.
_SKELETON = {}
for _cls, _letters in (("b", "بپتثنی"), ("j", "جچحخ"), ("d", "دذ"), ("r", "رزژ"), ("s", "سش"),
                       ("c", "صض"), ("t", "طظ"), ("e", "عغ"), ("f", "فق"), ("k", "کگ"),
                       ("a", "اآ")):
    for _letter in _letters:
        _SKELETON[_letter] = _cls


def skeleton(word):
    return "".join(_SKELETON.get(c, c) for c in word)


PLURAL_OR_SUFFIX = ("ها", "های", "هایی", "ان", "ات", "ی", "ای", "یی", "گان", "تر", "ترین")
VERB_PREFIXES = ("می", "نمی")
# A word with one of these forms in the dictionary is a common noun or an
# adjective: proper names rarely take a plural or a comparative.
COMMON_EVIDENCE = ("ها", ZWNJ + "ها", "تر", ZWNJ + "تر")


def aspell_words(dictionary):
    out = subprocess.run(["aspell", "-d", dictionary, "dump", "master"], check=True,
                         capture_output=True, env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"})
    return {line.strip() for line in out.stdout.decode("utf-8").splitlines() if line.strip()}


def is_inflected(word, dictionary):
    for suffix in PLURAL_OR_SUFFIX:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 2 and stem in dictionary:
            return True
    for prefix in VERB_PREFIXES:
        rest = word[len(prefix):]
        if word.startswith(prefix) and len(rest) >= 2 and rest in dictionary:
            return True
    return False


def is_verb_form(word, dictionary):
    # Infinitives (ساختن), past stems and persons (ساخت, when ساختن exists),
    # past participles (ساخته).
    if word.endswith(("تن", "دن")) and word[:-1] in dictionary:
        return True
    if word + "ن" in dictionary and word[-1:] in ("ت", "د"):
        return True
    return word.endswith("ه") and word[:-1] + "ن" in dictionary and word[-2:-1] in ("ت", "د")


def persian_filter(words, everything, blocked, stats, source, is_fill=False):
    words = stats.step(f"reading {source}", sorted(words))
    # Only plain Persian letters: no ZWNJ (compounds, suffixed forms), no
    # spaces, no diacritics, no hamza forms or Arabic letter variants.
    words = stats.step("plain Persian letters only", [w for w in words if set(w) <= PERSIAN_LETTERS])
    words = stats.step(f"{MIN_LETTERS}-{MAX_LETTERS} letters",
                       [w for w in words if MIN_LETTERS <= len(w) <= MAX_LETTERS])
    # fa-common has a few misspellings with a doubled final heh (رنجیدهه).
    if is_fill:
        # fa-common has misspellings (رنجیدهه, بودادنه) and Arabic feminine or
        # adjectival forms of words (خیاطه, عقلیه): a word that is another
        # word plus ه, or that ends in -دنه/-تنه, is not used to fill.
        words = stats.step("fa-common: word + ه, -دنه/-تنه",
                           [w for w in words if not (w.endswith("ه") and w[:-1] in everything)
                            and not w.endswith(("دنه", "تنه"))])
    words = stats.step("inflected forms", [w for w in words if not is_inflected(w, everything)])
    words = stats.step("verb forms", [w for w in words if not is_verb_form(w, everything)])
    words = stats.step("proper names (no plural or comparative)",
                       [w for w in words if any(w + e in everything for e in COMMON_EVIDENCE)])
    words = stats.step("country and province names (-ستان)", [w for w in words if not w.endswith("ستان")])
    return stats.step("blocklist", [w for w in words if w not in blocked])


def persian():
    """Returns (preferred, fill): fa-generic's words, then fa-common's words
    that may fill the list up to LIST_SIZE if fa-generic has too few."""
    stats = Stats("fa")
    generic = aspell_words("fa-generic")
    common = aspell_words("fa-common")
    # fa (fa-common + fa-scientific) has the inflected forms generic lacks;
    # it is used as evidence about words, and fa-common only to fill up.
    everything = generic | aspell_words("fa")
    blocked = read_blocklist("blocklist_fa.txt")
    preferred = persian_filter(generic, everything, blocked, stats, "aspell fa-generic")
    fill = persian_filter(common - generic, everything, blocked, stats, "aspell fa-common (to fill)",
                          is_fill=True)
    # Look-alikes: fa-generic's words are kept first, then fa-common's. Edit
    # distance 1 is not applied: Persian words are short and dense (it would
    # leave about 2900 words); a typo that lands on another word only yields a
    # codename that matches no source. See docs/codename.md.
    order = sorted(preferred, key=lambda w: (len(w), w)) + sorted(fill, key=lambda w: (len(w), w))
    kept = set(keep_distinct(order, keys=(skeleton,), ordered=True))
    preferred = stats.step("fa-generic: look-alike (dots, letter variants)", [w for w in preferred if w in kept])
    fill = stats.step("fa-common: look-alike (dots, letter variants)", [w for w in fill if w in kept])
    return (preferred, fill), stats


def select(preferred, fill, lang):
    """Exactly LIST_SIZE words: the preferred ones whose seeded hash ranks
    lowest, topped up if need be with the fill words that rank lowest; then
    sorted by code point. Independent of Python's random module."""
    if len(preferred) + len(fill) < LIST_SIZE:
        sys.exit(f"generate.py: {lang}: only {len(preferred) + len(fill)} words survive the filters, "
                 f"need {LIST_SIZE}")
    rank = lambda w: hashlib.sha256(f"{SEED}/{lang}/{w}".encode("utf-8")).digest()
    chosen = sorted(preferred, key=rank)[:LIST_SIZE]
    chosen += sorted(fill, key=rank)[: LIST_SIZE - len(chosen)]
    chosen.sort()
    for word in chosen:
        assert word == normalise(word), word
    assert len(set(chosen)) == LIST_SIZE
    return chosen


def sources_missing():
    if not EFF_LIST.exists():
        return "diceware (the EFF list)"
    if shutil.which("aspell") is None:
        return "aspell"
    if not pathlib.Path("/usr/lib/aspell/fa-generic.multi").exists():
        return "aspell-fa"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--stats", action="store_true")
    args = parser.parse_args()
    missing = sources_missing()
    if missing:
        print(f"generate.py: {missing} is not installed", file=sys.stderr)
        # 77: ctest's "skipped", in hand runs only; scripts/test sets
        # SAFEHOUSE_NO_SKIP=1, under which a missing package is a failure.
        no_skip = os.environ.get("SAFEHOUSE_NO_SKIP") == "1"
        return 77 if args.check and not no_skip else 1
    failed = False
    for lang, build in (("en", english), ("fa", persian)):
        (preferred, fill), stats = build()
        if args.stats:
            stats.show()
        text = "\n".join(select(preferred, fill, lang)) + "\n"
        path = OUT_DIR / f"{lang}.txt"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"generate.py: {path} differs from what the script generates", file=sys.stderr)
                failed = True
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
