#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Generates the codename word lists src/codename/wordlists/{en,fa}.txt and
their review files scripts/wordlists/review_{en,fa}.tsv.

Reproducible from Debian 12 packages (stdlib only): English from the EFF large
word list in `diceware`; Persian from aspell-fa's fa-generic dictionary,
ranked by attestation in the word list inside tesseract-ocr-fas. Each list
gets exactly LIST_SIZE words (11 bits a word). Every word's folding key (what
sign-in compares, src/codename/normalise.cpp) is unique, no key is a prefix
of another, and no two keys are one slip (one edit) apart. The filters and
their reasons are in docs/codename.md. The line order of a list is part of
the codename format (a codename *is* its word indices): never regenerate
committed lists with different rules without a new codename version.

The review file has a line for every candidate word: accepted, or the class
of the reason it was left out (and the word or blocklist entry behind it).

Usage: generate.py [--check] [--stats]
  --check  compare with the committed files instead of writing them (exit 1
           if they differ or a Debian package is missing)
  --stats  print how many words each filter removed
"""

import argparse
import hashlib
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unicodedata

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
OUT_DIR = ROOT / "src" / "codename" / "wordlists"
EFF_LIST = pathlib.Path("/usr/lib/python3/dist-packages/diceware/wordlists/wordlist_en_eff.txt")
TESSDATA = pathlib.Path("/usr/share/tesseract-ocr/5/tessdata/fas.traineddata")
LIST_SIZE = 2048
MIN_LETTERS = 3
MAX_LETTERS = 8
SEED = "safehouse/wordlist/v2"

ZWNJ = "\u200c"


# --- normalisation: mirrors normalise() in src/codename/normalise.cpp for the
# characters in these lists; the C++ test checks every entry equals its own
# normalisation.
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


# --- the folding key: mirrors fold_key() in src/codename/normalise.cpp (the
# C++ test compares the two on every candidate in the review files). Letters
# that sound alike, hamza forms, Arabic and Kurdish letter variants, and the
# four Persian letters an Arabic keyboard lacks, fold to one letter; hamza on
# its own, digits, punctuation and spaces are dropped.
FOLD = {}
for _to, _from in (("ت", "ط"), ("س", "صث"), ("ز", "ذضظژ"), ("ه", "حةەھہ"), ("ق", "غ"),
                   ("ا", "آعأإٱ"), ("و", "ؤ"), ("ی", "ئيى"), ("ک", "كگ"), ("ب", "پ"), ("ج", "چ")):
    for _letter in _from:
        FOLD[_letter] = _to


def fold_key(normalised):
    out = []
    base_dropped = False
    for ch in normalised:
        # A combining mark goes with the character it sits on (as in C++).
        if not unicodedata.category(ch).startswith("M"):
            base_dropped = (ch == "ء" or ch.isspace() or ch.isdigit()
                            or unicodedata.category(ch).startswith("P"))
        if base_dropped:
            continue
        out.append(FOLD.get(ch, ch))
    return "".join(out)


# --- blocklists. Persian entries are stems: a word is blocked if its key
# contains the entry's key, unless the word is on the allow-list (false hits);
# an entry written =word blocks that whole word only. English entries block
# the whole word, and the concept table's English stems block every word that
# starts with them.
def read_entries(name):
    """[(class, entry)] from a blocklist file: `[class]` lines name the class
    of the entries after them; '#' starts a comment."""
    entries = []
    cls = "unclassed"
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            cls = line[1:-1]
            continue
        for entry in line.split():
            entries.append((cls, entry))
    return entries


def read_allow(name):
    words = set()
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        words.update(normalise(w) for w in line.split("#", 1)[0].split())
    return words


def read_concepts():
    """The bilingual concept table: [(concept, [english stems], [persian stems])]."""
    rows = []
    for line in (HERE / "concepts.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        concept, en, fa = line.split("\t")
        rows.append((concept, en.split(), fa.split()))
    return rows


class PersianBlocker:
    def __init__(self):
        self.stems = []  # (class, entry, key)
        self.whole = {}  # key -> (class, entry)
        for cls, entry in read_entries("blocklist_fa.txt"):
            self._add(cls, entry)
        for concept, _, fa in read_concepts():
            for entry in fa:
                self._add("concept:" + concept, entry)
        self.allowed = read_allow("allow_fa.txt")

    def _add(self, cls, entry):
        if entry.startswith("="):
            self.whole[fold_key(normalise(entry[1:]))] = (cls, entry)
        else:
            self.stems.append((cls, entry, fold_key(normalise(entry))))

    def reason(self, word):
        key = fold_key(word)
        if key in self.whole:
            cls, entry = self.whole[key]
            return f"blocked:{cls}:{entry}"
        if word in self.allowed:
            return None
        for cls, entry, stem in self.stems:
            if stem in key:
                return f"blocked:{cls}:{entry}"
        return None


class Stats:
    def __init__(self, lang):
        self.lang = lang
        self.rows = []

    def count(self, name, n):
        self.rows.append((name, n))

    def show(self):
        for name, n in self.rows:
            print(f"{self.lang}: {n:6d} {name}", file=sys.stderr)


# --- one slip: edit distance 1 (one substitution, insertion, deletion or swap
# of neighbours) to a key already chosen.
class NearIndex:
    def __init__(self):
        self.words = {}
        self.substitutions = {}  # key with one position wildcarded -> word
        self.deletions = {}  # key with one letter deleted -> word

    @staticmethod
    def _subs(key):
        return {key[:i] + "\0" + key[i + 1:] for i in range(len(key))}

    @staticmethod
    def _dels(key):
        return {key[:i] + key[i + 1:] for i in range(len(key))}

    @staticmethod
    def _swaps(key):
        return {key[:i] + key[i + 1] + key[i] + key[i + 2:] for i in range(len(key) - 1)}

    def near(self, key):
        """The chosen word one slip from `key`, or None."""
        for table, probes in ((self.words, {key}), (self.deletions, {key}),
                              (self.substitutions, self._subs(key)),
                              (self.words, self._dels(key) | self._swaps(key))):
            for probe in sorted(probes):
                if probe in table:
                    return table[probe]
        return None

    def add(self, key, word):
        self.words[key] = word
        for s in self._subs(key):
            self.substitutions.setdefault(s, word)
        for d in self._dels(key):
            self.deletions.setdefault(d, word)


class PrefixIndex:
    """Keys chosen so far; finds one that is a prefix of a new key or has it as a prefix."""

    def __init__(self):
        self.keys = {}
        self.prefixes = {}  # every proper prefix of a chosen key -> word

    def clash(self, key):
        if key in self.keys:
            return "same-key", self.keys[key]
        if key in self.prefixes:
            return "prefix-of", self.prefixes[key]
        for i in range(1, len(key)):
            if key[:i] in self.keys:
                return "has-prefix", self.keys[key[:i]]
        return None

    def add(self, key, word):
        self.keys[key] = word
        for i in range(1, len(key)):
            self.prefixes.setdefault(key[:i], word)


def choose(ranked, key, review, stats):
    """Greedy, in rank order: a word is kept unless its key equals, extends
    or is extended by a kept key, or is one slip from one; stops at LIST_SIZE.
    If that leaves too few, a second pass takes the near ones too (the list's
    docs say so; today's lists never need it)."""
    prefix = PrefixIndex()
    near = NearIndex()
    kept = []
    near_rejected = []
    for word in ranked:
        if len(kept) == LIST_SIZE:
            review[word] = "surplus"
            continue
        k = key(word)
        clash = prefix.clash(k)
        if clash:
            review[word] = f"{clash[0]}:{clash[1]}"
            continue
        other = near.near(k)
        if other is not None:
            review[word] = f"one-slip:{other}"
            near_rejected.append(word)
            continue
        prefix.add(k, word)
        near.add(k, word)
        kept.append(word)
        review[word] = "accepted"
    stats.count("kept with unique, prefix-free keys at least two slips apart", len(kept))
    for word in near_rejected:
        if len(kept) == LIST_SIZE:
            break
        k = key(word)
        if prefix.clash(k) is None:
            prefix.add(k, word)
            kept.append(word)
            review[word] = "accepted:one-slip-allowed"
    if len(kept) < LIST_SIZE:
        sys.exit(f"generate.py: only {len(kept)} words survive the filters, need {LIST_SIZE}")
    return kept


def seeded_rank(lang, word):
    return hashlib.sha256(f"{SEED}/{lang}/{word}".encode("utf-8")).digest()


# --- English
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
    review = {}
    words = []
    for line in EFF_LIST.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            words.append(parts[1])
    stats.count("in the EFF large list", len(words))
    words = [w for w in words if w.isascii() and w.isalpha() and w.islower()]
    words = [w for w in words if MIN_LETTERS <= len(w) <= MAX_LETTERS]
    stats.count(f"lower-case ASCII, {MIN_LETTERS}-{MAX_LETTERS} letters (the candidates)", len(words))
    blocked = {normalise(e): (c, e) for c, e in read_entries("blocklist_en.txt")}
    concept_stems = [(concept, stem) for concept, en, _ in read_concepts() for stem in en]
    left = []
    for w in words:
        if w in blocked:
            review[w] = f"blocked:{blocked[w][0]}:{blocked[w][1]}"
            continue
        hit = next((f"blocked:concept:{c}:{s}" for c, s in concept_stems if w.startswith(s)), None)
        if hit:
            review[w] = hit
            continue
        left.append(w)
    stats.count("after the blocklist and the concept table", len(left))
    # Sound-alikes: same phonetic key as a word kept before (shorter first).
    sounds = {}
    kept = []
    for w in sorted(left, key=lambda w: (len(w), w)):
        m = metaphone(w)
        if m in sounds:
            review[w] = f"sound-alike:{sounds[m]}"
            continue
        sounds[m] = w
        kept.append(w)
    stats.count("after sound-alikes (metaphone)", len(kept))
    ranked = sorted(kept, key=lambda w: seeded_rank("en", w))
    return choose(ranked, fold_key, review, stats), review, stats


# --- Persian
# The letters of Persian words, hamza forms included: a word with one of
# them is written as the dictionary spells it, and its key folds it.
PERSIAN_LETTERS = set("آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءأؤئ")
PLURAL_OR_SUFFIX = ("ها", "های", "هایی", "ان", "ات", "ی", "ای", "یی", "گان", "تر", "ترین")
VERB_PREFIXES = ("می", "نمی")
# A word with one of these forms in the dictionary is a common noun or an
# adjective: proper names rarely take a plural or a comparative.
COMMON_EVIDENCE = ("ها", ZWNJ + "ها", "تر", ZWNJ + "تر")


def aspell_words(dictionary):
    out = subprocess.run(["aspell", "-d", dictionary, "dump", "master"], check=True,
                         capture_output=True, env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"})
    return {line.strip() for line in out.stdout.decode("utf-8").splitlines() if line.strip()}


def tesseract_words():
    """The Persian word list inside tesseract-ocr-fas (words seen in web
    text, which is what makes it evidence that a word is in common use):
    combine_tessdata -u unpacks the traineddata, dawg2wordlist reads its word
    graph."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"}
        subprocess.run(["combine_tessdata", "-u", str(TESSDATA), f"{tmp}/fas."], check=True,
                       capture_output=True, env=env)
        subprocess.run(["dawg2wordlist", f"{tmp}/fas.lstm-unicharset", f"{tmp}/fas.lstm-word-dawg",
                        f"{tmp}/words.txt"], check=True, capture_output=True, env=env)
        text = pathlib.Path(tmp, "words.txt").read_text(encoding="utf-8")
    return {normalise(w) for w in text.split()}


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


def is_derived(word, dictionary):
    """An abstract noun in -گی of a word in -ه that is itself a candidate
    (خانوادگی beside خانواده): the two read as one word."""
    return word.endswith("گی") and word[:-2] + "ه" in dictionary


def broken_plural_singular(word, dictionary):
    """The singular of an Arabic broken plural in the dictionary, or None.
    Covers the patterns that Persian uses most: afʿāl (اخبار ← خبر),
    mafāʿil (مساجد ← مسجد, مدارس ← مدرسه), mafāʿīl (مقادیر ← مقدار),
    fawāʿil (عوامل ← عامل, قواعد ← قاعده), faʿāʾil (رسائل ← رساله) and
    fuʿalā (وزرا ← وزیر). The reading of the list catches the rest."""
    w = word
    guesses = []
    if len(w) == 5 and w[0] == "ا" and w[3] == "ا":
        guesses += [w[1] + w[2] + w[4], w[1] + w[2] + "ی" + w[4], w[1] + "ا" + w[2] + w[4]]
    if len(w) == 5 and w[0] == "م" and w[2] == "ا":
        guesses += ["م" + w[1] + w[3] + w[4], "م" + w[1] + w[3] + w[4] + "ه"]
    if len(w) == 6 and w[0] == "م" and w[2] == "ا" and w[4] == "ی":
        guesses += ["م" + w[1] + w[3] + c + w[5] for c in "او"]
    if len(w) == 5 and w[1] == "و" and w[2] == "ا":
        guesses += [w[0] + "ا" + w[3] + w[4], w[0] + "ا" + w[3] + w[4] + "ه"]
    if len(w) == 5 and w[2] == "ا" and w[3] == "ئ":
        guesses += [w[0] + w[1] + "ا" + w[4] + "ه", w[0] + w[1] + "ی" + w[4] + "ه"]
    if len(w) == 4 and w[3] == "ا":
        guesses += [w[0] + w[1] + "ی" + w[2], w[0] + "ا" + w[1] + w[2]]
    for guess in guesses:
        if guess != w and guess in dictionary:
            return guess
    return None


def persian():
    stats = Stats("fa")
    review = {}
    generic = aspell_words("fa-generic")
    common = aspell_words("fa-common")
    # fa (fa-common + fa-scientific) has the inflected forms generic lacks:
    # it is evidence about a word's forms.
    everything = generic | aspell_words("fa")
    attested = tesseract_words()
    blocker = PersianBlocker()
    pool = sorted(generic | (common & attested))
    stats.count("in fa-generic, or in fa-common and tesseract-ocr-fas", len(pool))
    candidates = [w for w in pool
                  if set(w) <= PERSIAN_LETTERS and MIN_LETTERS <= len(fold_key(w)) <= MAX_LETTERS]
    stats.count(f"one word of Persian letters, {MIN_LETTERS}-{MAX_LETTERS} letters in its key "
                "(the candidates)", len(candidates))
    left = []
    for w in candidates:
        singular = broken_plural_singular(w, everything)
        if is_inflected(w, everything):
            review[w] = "inflected"
        elif is_verb_form(w, everything):
            review[w] = "verb-form"
        elif is_derived(w, generic):
            review[w] = "derived"
        elif singular:
            review[w] = f"broken-plural:{singular}"
        elif not any(w + e in everything for e in COMMON_EVIDENCE):
            review[w] = "no-plural-form"  # mostly names of people and places
        elif w.endswith("ستان") and w not in blocker.allowed:
            review[w] = "place-name"
        elif w not in generic and (w.endswith("ه") and w[:-1] in everything):
            review[w] = "odd-form"  # fa-common's Arabic feminine forms (خیاطه)
        else:
            reason = blocker.reason(w)
            if reason:
                review[w] = reason
            else:
                left.append(w)
    stats.count("after forms (inflected, verbs, broken plurals, names) and the blocklist", len(left))
    # Common words first: those tesseract's list attests, then fa-generic's;
    # shorter keys before longer; the seeded hash breaks ties.
    # Of two spellings with one key, the standard one: آیین and پایین rather
    # than آئین and پائین, ارتقا rather than ارتقاء.
    ranked = sorted(left, key=lambda w: (w not in attested, w not in generic, len(fold_key(w)),
                                         "ائی" in w or "آئی" in w or w.endswith("ء"), seeded_rank("fa", w)))
    kept = choose(ranked, fold_key, review, stats)
    stats.count("of them attested by tesseract-ocr-fas", sum(w in attested for w in kept))
    return kept, review, stats


def write_review(lang, review):
    lines = [f"# scripts/wordlists/review_{lang}.tsv: generated by generate.py. Every candidate",
             "# word and its fate: accepted, or the class of the reason it was left out",
             "# (with the blocklist entry or the word it clashed with). word<TAB>verdict",
             "# Every accepted word was also read, and what read badly went to the",
             "# blocklist with its class (docs/codename.md, \"The native reading\")."]
    lines += [f"{w}\t{review[w]}" for w in sorted(review)]
    return "\n".join(lines) + "\n"


def sources_missing():
    if not EFF_LIST.exists():
        return "diceware (the EFF list)"
    for tool in ("aspell", "combine_tessdata", "dawg2wordlist"):
        if shutil.which(tool) is None:
            return tool
    if not pathlib.Path("/usr/lib/aspell/fa-generic.multi").exists():
        return "aspell-fa"
    if not TESSDATA.exists():
        return "tesseract-ocr-fas"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--stats", action="store_true")
    args = parser.parse_args()
    missing = sources_missing()
    if missing:
        # A missing peer is a failure, not a skip: scripts/lib.sh installs them.
        print(f"generate.py: {missing} is not installed", file=sys.stderr)
        return 1
    failed = False
    for lang, build in (("en", english), ("fa", persian)):
        chosen, review, stats = build()
        if args.stats:
            stats.show()
        chosen = sorted(chosen)
        for word in chosen:
            assert word == normalise(word), word
        assert len(set(map(fold_key, chosen))) == LIST_SIZE
        outputs = {OUT_DIR / f"{lang}.txt": "\n".join(chosen) + "\n",
                   HERE / f"review_{lang}.tsv": write_review(lang, review)}
        for path, text in outputs.items():
            if args.check:
                if not path.exists() or path.read_text(encoding="utf-8") != text:
                    print(f"generate.py: {path} differs from what the script generates", file=sys.stderr)
                    failed = True
            else:
                path.write_text(text, encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
