"""Plain-language analysis: LIX and its band, long sentences and paragraphs, long words,
officialese, passive voice, vague link texts and text in capitals.

Text in, report out, for Norwegian bokmål (``nb``), nynorsk (``nn``) and Swedish (``sv``); other
languages get the language-neutral checks only. No Django here (see the package docstring).

Cost: every check is one compiled-regex scan of the text or one loop over its sentences, and no
regex can backtrack more than a bounded amount per position, so the work is linear in the text.

LIX is Björnsson's, as lix.se defines it: words per sentence plus the percentage of long words
(more than six letters), counted here on the sentences a reader sees (see ``lix_score``). It is
not textstat's ``lix``: textstat ends a sentence at every ".", "!" or "?" (so "f.eks.", "t.ex."
and "1.5" end sentences) but never at ":" or at the end of a heading or paragraph, silently drops
"sentences" of two words or fewer, and counts digits as letters of long words. On municipal web
pages, with their headings, lists and abbreviations, that moves LIX by several points.

The passive and sentence rules are heuristics tuned for precision: a missed passive costs the
editor nothing, a wrong warning teaches them to ignore the checker.
"""

import json
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain, filterfalse
from pathlib import Path

from publishing.content_checks.base import Span, check_size

__all__ = [
    "BANDS",
    "PlainLanguageReport",
    "analyze",
    "count_words",
    "lix_band",
    "lix_score",
    "sentence_spans",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

#: LIX bands (Björnsson's scale as published by lix.se): upper bounds, exclusive.
BANDS = (("easy", 40.0), ("medium", 50.0), ("hard", 60.0), ("very_hard", math.inf))

#: Wagtail shows no readability score for texts this short; neither do we.
MIN_WORDS_FOR_LIX = 10

_LANG_ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "swe": "sv"}


def _language(lang):
    """``"nb-NO"``, ``"no"``, ``"NB"`` → ``"nb"``; anything unknown passes through."""
    code = str(lang or "").strip().lower().replace("_", "-").split("-")[0]
    return _LANG_ALIASES.get(code, code)


def _word_set(text):
    """The set of the white-space separated words of ``text`` (lists read better as text)."""
    return frozenset(text.split())


# --- LIX ------------------------------------------------------------------------------------

#: A word is long for LIX when it has more than this many letters (Björnsson; lix.se).
LIX_LONG_WORD_LETTERS = 7


def lix_score(words, sentences, long_words):
    """LIX from its counts: ``words / sentences + 100 * long_words / words``, rounded half up to
    one decimal on the exact value (a fraction, so no binary rounding decides a tie).

    The report gives the counts it used (``lix_words``, ``lix_sentences``, ``lix_long_words``),
    and this function on them gives exactly the reported ``lix``. ``None`` without words or
    sentences.
    """
    if not words or not sentences:
        return None
    exact = Fraction(words, sentences) + Fraction(100 * long_words, words)
    return math.floor(exact * 10 + Fraction(1, 2)) / 10


def lix_band(lix):
    """The band of a LIX value: ``easy`` (< 40), ``medium`` (40–50), ``hard`` (50–60),
    ``very_hard`` (≥ 60), or ``None`` when there is no value."""
    if lix is None:
        return None
    for name, upper in BANDS:
        if lix < upper:
            return name
    return BANDS[-1][0]


# --- the scan copy ---------------------------------------------------------------------------
#
# Most checks run on a "scan copy" of the text: a space, then the text lower-cased with every
# white-space character turned into a plain space. Offsets stay put (shifted by one for the
# leading space), and so do the white-space separated chunks. Every scan pattern starts with a
# literal space, which lets the regex engine jump from word start to word start in C instead
# of attempting a match at every character (many times faster than a leading look-behind), and
# case-sensitive patterns are faster than IGNORECASE ones.

# (U+3000, the ideographic space, is the highest white-space character.)
_OTHER_SPACES = "".join(chr(code) for code in range(0x3001) if chr(code).isspace() and code != 32)
_OTHER_SPACE_RE = re.compile("[" + re.escape(_OTHER_SPACES) + "]")
_LINE_BREAK_CHARS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK_RE = re.compile("[" + _LINE_BREAK_CHARS + "]")


def _scan_copy(text):
    # "İ" is the one character whose lower case is two characters long ("i̇"); replacing it
    # first keeps every offset in place.
    return " " + _OTHER_SPACE_RE.sub(" ", text.replace("\u0130", "i").lower())


# Where a scan pattern starts: a space, then any opening quotes or brackets ("«samt»").
_SCAN_START = " [\"'«‹“”„‘’(\\[{]*+"


# --- words and sentences ---------------------------------------------------------------------
#
# A word is a white-space separated chunk with at least one letter or digit in it:
# "NAV-kontoret", "og/eller", "1.5" and "17." are one word each; a dash or "§" standing alone
# is none (str.split() is several times faster than a regex). A word is long for LIX when it has
# more than six letters: "NAV-kontoret" has 11, "1234567" none.
#
# A sentence is what a reader takes for one, as lix.se counts them: it ends at ". : ! ?" (and
# "…") and at the end of a heading, list item, table row or paragraph, i.e. at a line break,
# however short it is. A full stop inside an abbreviation or a number does not end one.

# A chunk of bare punctuation (on the scan copy).
_NOT_A_WORD_RE = re.compile(r" ([^\w ]++)(?![^ ])")


def _letters(word):
    return sum(1 for char in word if char.isalpha())


def _count_long(chunks, letters):
    """How many of the white-space separated ``chunks`` have at least ``letters`` letters
    ("NAV-kontoret" has 11; punctuation and digits do not count).

    The common cases (too short; all letters) are sorted out first and cheaply; only the long
    chunks with punctuation or digits in them are looked at letter by letter.
    """
    long_enough = [chunk for chunk in chunks if len(chunk) >= letters]
    count = sum(map(str.isalpha, long_enough))
    for chunk in filterfalse(str.isalpha, long_enough):
        word = chunk.strip(_PUNCTUATION)
        if len(word) >= letters and (word.isalpha() or _letters(word) >= letters):
            count += 1
    return count


# Sentence ends, on the original text: a line break; ". : ! ? …" with any closing quotes or
# brackets, when white space or the end of the text follows ("1.5", "12.000", "10:30", "nav.no"
# and "bl.a" go on). A lone full stop does not end a sentence before a lower-case word ("17. mai",
# "ca. fem", "osv. og"); group 1 marks any other lone full stop, for the abbreviation check in
# ``_sentences``. A colon ends a sentence whatever follows, as Björnsson counted it. The pattern
# starts with a character class so that the regex engine skips ordinary text in C.
_LOWER = "".join(re.escape(chr(code)) for code in range(0x61, 0x250) if chr(code).islower())
_CLOSERS = "[\"'»”’)\\]}]*+"
_SENTENCE_END_RE = re.compile(
    f"[.:!?…{_LINE_BREAK_CHARS}]"
    f"(?:(?<=[{_LINE_BREAK_CHARS}])"
    f"|(?<=\\.)(?![.:!?…])({_CLOSERS})(?!\\S)(?!\\s*+[{_LOWER}])"
    f"|(?:(?<=[:!?…])|(?=[.:!?…]))[.:!?…]*+{_CLOSERS}(?!\\S))"
)
_OPENERS = "\"'«“‘([{"
_PUNCTUATION = ".,;:!?…\"'«»“”‘’()[]{}"

# Abbreviations after which a full stop never ends a sentence, because a number, a name or a
# date usually follows ("kl. 10", "f.eks. Oslo", "jf. § 5"). Abbreviations that often do end a
# sentence ("osv.", "etc.", "m.m.", "m.fl.", "o.l.", "kr.") are left out on purpose: before a
# lower-case word they do not split anyway ("m.m. på biblioteket"), so they split only before a
# capital ("bøker, aviser m.m. Biblioteket er åpent"), as a reader would.
_ABBREVIATIONS = _word_set(
    """
    bl.a. f.eks. t.ex. t.d. m.a. m.a.o. nr. kl. dvs. d.v.s. jf. jfr. jmf. jmfr. ca. pga. p.g.a.
    evt. ev. inkl. ekskl. exkl. eks. ex. mht. m.h.t. iht. i.h.t. ifm. iflg. ift. vedr. vha.
    v.h.a. t.o.m. f.o.m. fr.o.m. tlf. tel. tfn. ref. avd. adr. kap. pkt. st. gnr. bnr. sml. vs.
    resp. ang. enl. s.k. f.d. fhv. dr. prof. e.g. i.e. mr. mrs. ms.
    jan. feb. apr. aug. sep. sept. okt. oct. nov. des. dec.
    """
)
_LONGEST_ABBREVIATION = max(map(len, _ABBREVIATIONS))


def _starts_line(text, before):
    """Whether only spaces and tabs lie between a line break (or the start of the text) and the
    character after index ``before``. Looks back a bounded distance."""
    head = text[max(0, before - 40) : before + 1].rstrip(" \t\u00a0")
    return (not head and before < 40) or (bool(head) and head[-1] in _LINE_BREAK_CHARS)


def _sentences(text, scan):
    """Yield ``(start, end, chunks, words)`` for every sentence with at least one word: ``start``
    and ``end`` exclude the white space around it, ``chunks`` are its white-space separated
    chunks and ``words`` the number of them that are words.

    A text of many tiny sentences costs a Python step per sentence, so this is one lean loop
    over the sentence ends.
    """
    not_words = [match.start() - 1 for match in _NOT_A_WORD_RE.finditer(scan)]
    not_words.append(len(text) + 1)
    index = start = 0
    # The sentence ends, then the end of the text.
    for match in chain(_SENTENCE_END_RE.finditer(text), (None,)):
        if match is None:
            end = after = len(text)
        elif match.lastindex:  # group 1: a lone full stop
            first, end = match.span()
            after = end
            # Not after an abbreviation ("kl.", "f.eks.") or an initial or one-letter
            # abbreviation ("s."). Six letters before the stop make a word longer than any
            # abbreviation without dots (the common case, checked cheaply); otherwise look at
            # the last word, which a window longer than any abbreviation holds.
            if first < 6 or not text[first - 6 : first].isalpha():
                window = text[max(0, first - _LONGEST_ABBREVIATION) : first + 1].split()
                token = window[-1].lstrip(_OPENERS).lower() if window else ""
                if token in _ABBREVIATIONS or (len(token) == 2 and token[0].isalpha()):
                    continue
                # The number of a numbered list item ("1. AvtaleGiro") starts its line.
                if (
                    token[:-1].isdigit()
                    and len(token) <= 4
                    and _starts_line(text, first - len(token))
                ):
                    continue
        else:
            first, after = match.span()
            # A line break belongs to neither sentence; a terminator to the one it ends.
            end = first if text[first] in _LINE_BREAK_CHARS else after
        segment = text[start:end]
        offset, start = start, after
        chunks = segment.split()
        if not chunks:
            continue
        count = len(chunks)
        # Stretches come in order and no chunk spans two, so a pointer attributes each chunk
        # of bare punctuation to its stretch.
        while not_words[index] < end:
            count -= 1
            index += 1
        if count > 0:
            # The first chunk's first occurrence and the last chunk's last one are the chunks
            # themselves: only white space lies before and after them.
            yield (
                offset + segment.find(chunks[0]),
                offset + segment.rfind(chunks[-1]) + len(chunks[-1]),
                chunks,
                count,
            )


def sentence_spans(text):
    """The sentences of ``text`` as spans with ``{"words": n}``, in order. Splits on
    ``. : ! ? …`` and line breaks, but not after abbreviations or list numbers, inside numbers or
    (for a full stop) before a lower-case word."""
    scan = _scan_copy(text)
    return [Span(start, end, {"words": count}) for start, end, _, count in _sentences(text, scan)]


def count_words(text):
    """The number of words in ``text``, counted the way ``analyze`` counts them."""
    return len(text.split()) - len(_NOT_A_WORD_RE.findall(_scan_copy(text)))


# --- word lists ------------------------------------------------------------------------------


def _trie(phrases):
    """One regex alternative for all ``phrases`` (lower case), sharing their prefixes, so that a
    match attempt costs at most the length of the longest phrase, not the number of phrases.
    A space in a phrase matches one or more spaces of the scan copy (possessively: what
    follows is a letter, so giving spaces back could never help)."""
    root = {}
    for phrase in phrases:
        node = root
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_node(root)


def _trie_node(node):
    branches = [
        (" ++" if char == " " else re.escape(char)) + _trie_node(child)
        for char, child in sorted(node.items())
        if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return "(?:" + body + ")?" if "" in node else body


def _words(text):
    """A ``(?:a|b|c)(?!\\w)`` alternative for a space-separated list of words."""
    return "(?:" + _trie(text.split()) + r")(?!\w)"


def _normalise(phrase):
    return " ".join(phrase.lower().split())


# --- officialese -----------------------------------------------------------------------------
#
# data/officialese_<lang>.json holds "sources" (a key, the list's public name and its URL) and
# "entries". An entry has the head word or phrase as a dictionary gives it ("word"), how its
# first word inflects ("inflect", below), a suggestion a writer can use and its source key.
# Optional: "forms", forms written out where the rules do not reach; "not", generated forms
# that are other, ordinary words ("anfører" the team captain, "företaget" the company);
# "tails", other continuations of a phrase ("bereda möjlighet/tillfälle"); "context", where
# the entry counts at all (``_Context``). Every form of every entry goes into one trie regex.
#
# Inflection classes (the first word of "word" is inflected; the rest follows every form):
#   nb  v1 (-et: behandle, behandlet), v2 (-te/-t: anvende, anvendte), v3 (-de/-d: etterleve),
#       n-m (-en, -er, -ene), n-f (also -a), n-e (-n, -r, -ne: erleggelse), n-n (-et, -ene),
#       adj (-t, -e); irr:<verb> for compounds of an irregular verb (iverksette = iverk +
#       sette: iverksetter, iverksatte, iverksatt, iverksettes).
#   nn  v-a (-ar, -a, -ast: anmode, anmodar, anmoda), v-te / v-de (-er, -te/-de, -t/-d, -ast),
#       n-m (-en, -ar, -ane), n-f (-a, -ar, -ane), n-n (-et, -a), adj, irr:<verb>.
#   sv  v1 (-ar, -ade, -at, -as, -ades, -ats: anmoda), v2a (-er, -de, -t, -s, -des, -ts:
#       tillställa), v2b (-te: köpa), n-ar, n-er, n-are (avnämare), n-n, n-e (biträde),
#       adj (-t, -a), irr:<verb> (erlägga = er + lägga: erlägger, erlade, erlagt, erläggs,
#       erlades, erlagts).

_PHRASE_RE = re.compile(r"\w+(?:[ -]\w+)*")

# The forms of irregular verbs; a compound takes its prefix in front of each. Passive s-forms
# are included where the language uses them.
_IRREGULAR = {
    "nb": {
        "be": "be ber ba bad bedt bes",
        "bringe": "bringe bringer brakte brakt bringes",
        "bære": "bære bærer bar båret bæres",
        "by": "by byr bød budt bys",
        "fare": "fare farer for faret",
        "gi": "gi gir ga gav gitt gis",
        "gjøre": "gjøre gjør gjorde gjort gjøres",
        "gå": "gå går gikk gått gås",
        "ha": "ha har hadde hatt has",
        "holde": "holde holder holdt holdes",
        "komme": "komme kommer kom kommet kommes",
        "late": "late later lot latt lates",
        "legge": "legge legger la lagt legges lagte",
        "ligge": "ligge ligger lå ligget",
        "se": "se ser så sett ses sees",
        "sette": "sette setter satte satt settes",
        "stå": "stå står sto stod stått",
        "ta": "ta tar tok tatt tas",
    },
    "nn": {
        "be": "be bed ber bad bede bedt bedast",
        "bere": "bere ber bar bore boren borne berast",
        "gje": "gje gi gjev gir gav gjeve gjeven gjevne gitt gjevast",
        "gjere": "gjere gjer gjorde gjort gjerast",
        "gå": "gå går gjekk gått",
        "ha": "ha har hadde hatt",
        "halde": "halde held heldt halden haldne haldast",
        "kome": "kome komme kjem kom komen komne komast",
        "leggje": "leggje legge legg la lagt leggjast leggast",
        "liggje": "liggje ligge ligg låg lege legi",
        "setje": "setje sette set sett setjast settast",
        "sjå": "sjå ser såg sett sjåast",
        "stå": "stå står stod stått",
        "ta": "ta tek tok teke teken tekne takast",
    },
    "sv": {
        "bida": "bida bidar bidade bidat",
        "bringa": "bringa bringar bringade bringat bringas bringades bragte bragt",
        "bära": "bära bär bar burit bärs bars burits buren buret burna bäras",
        "fara": "fara far for farit",
        "flyta": "flyta flyter flöt flutit",
        "falla": "falla faller föll fallit",
        "få": "få får fick fått fås",
        "ge": "ge ger gav gett givit ges gavs getts givits given givet givna giva gives",
        "gå": "gå går gick gått gås gicks gåtts",
        "göra": "göra gör gjorde gjort görs göres gjordes gjorts gjord gjorda göras",
        "ha": "ha har hade haft has hades hafts",
        "hålla": (
            "hålla håller höll hållit hålls hålles hölls hållits hållen hållet hållna hållas"
        ),
        "komma": "komma kommer kom kommit kommen kommet komna",
        "leda": "leda leder ledde lett leds ledes leddes letts ledd ledda ledas",
        "ligga": "ligga ligger låg legat",
        "lägga": "lägga lägger lade la lagt läggs lägges lades lagts lagd lagda läggas",
        "låta": "låta låter lät låtit",
        "se": "se ser såg sett ses sågs setts sedd sedda",
        "strida": "strida strider stred stridit stritt strids strides stridas",
        "stå": "stå står stod stått",
        "sända": "sända sänder sände sänt sänds sändes sänts sänd sändas",
        "sätta": "sätta sätter satte satt sätts sättes sattes satts satta sättas",
        "ta": "ta tar tog tagit tas tages togs tagits tagen taget tagna taga",
    },
}
_VOWELS = "aeiouyæøåäö"


def _single(stem):
    """``stem`` with a doubled final consonant made single, as before -t and -te/-de
    ("kjenn" → "kjen": "kjente", "kjent")."""
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
        return stem[:-1]
    return stem


def _inflect_nb(word, kind):
    stem = word[:-1] if word.endswith("e") else word
    if kind in ("v1", "v2", "v3"):
        forms = [word, stem + "er", stem + "es", stem + "ende"]
        if kind == "v1":
            return forms + [stem + "et", stem + "ede"]
        if kind == "v2":
            return forms + [_single(stem) + "te", _single(stem) + "t"]
        return forms + [stem + "de", stem + "d"]
    return {
        "n-m": lambda: [word, word + "en", word + "er", word + "ene"],
        "n-f": lambda: [word, word + "en", word + "a", word + "er", word + "ene"],
        "n-e": lambda: [word, word + "n", word + "r", word + "ne"],
        "n-n": lambda: [word, word + "et", word + "ene"],
        "adj": lambda: [word, word + "e"] if word.endswith("t") else [word, word + "t", word + "e"],
    }[kind]()


def _inflect_nn(word, kind):
    stem = word[:-1] if word[-1] in "ea" else word
    if kind == "v-a":
        return [stem + "e", stem + "a", stem + "ar", stem + "ast", stem + "ande"]
    if kind in ("v-te", "v-de"):  # the participle ends in -t after -te, in -d or -t after -de
        past = _single(stem) + kind[-2:]
        forms = [stem + "e", stem + "a", stem + "er", past, past[:-1], stem + "ast", stem + "ande"]
        return forms + [_single(stem) + "t"] if kind == "v-de" else forms
    return {
        "n-m": lambda: [word, word + "en", word + "ar", word + "ane"],
        "n-f": lambda: [word, word + "a", word + "ar", word + "ane"],
        "n-n": lambda: [word, word + "et", word + "a"],
        "adj": lambda: [word, word + "e"] if word.endswith("t") else [word, word + "t", word + "e"],
    }[kind]()


def _inflect_sv(word, kind):
    if kind == "v1":  # anmoda: anmodar, anmodade, anmodat, anmodas, anmodades, anmodats
        return [word] + [word + ending for ending in ("r", "de", "t", "s", "des", "ts", "d", "nde")]
    if kind in ("v2a", "v2b"):
        stem = word[:-1]
        present = stem if stem.endswith("r") else stem + "er"
        passive = stem + "es" if stem.endswith("s") else stem + "s"
        if kind == "v2b":  # köpa: köpte, köpt
            past, supine, participle = stem + "te", stem + "t", stem + "t"
        elif stem.endswith("d") and stem[-2] not in _VOWELS:  # sända: sände, sänt, sänd
            past, supine, participle = stem + "e", stem[:-1] + "t", stem
        elif stem.endswith("d"):  # bereda: beredde, berett, beredd
            past, supine, participle = stem + "de", stem[:-1] + "tt", stem + "d"
        else:  # tillställa: tillställde, tillställt, tillställd
            short = stem[:-1] if stem.endswith(("mm", "nn")) else stem
            past, supine, participle = short + "de", short + "t", short + "d"
        return [
            *(word, present, passive, stem + "es", word + "s", past, past + "s"),
            *(supine, supine + "s", participle, participle + "a", word + "nde"),
        ]
    return {
        "n-ar": lambda: [word, word + "en", word + "ar", word + "arna"],
        "n-er": lambda: [word, word + "en", word + "er", word + "erna"],
        "n-are": lambda: [word, word + "n", word[:-1] + "na"],
        "n-n": lambda: [word, word + "et", word + "en"],
        "n-e": lambda: [word, word + "t", word + "n", word + "na"],
        "adj": lambda: [word, word + "a"] if word.endswith("t") else [word, word + "t", word + "a"],
    }[kind]()


_INFLECT = {"nb": _inflect_nb, "nn": _inflect_nn, "sv": _inflect_sv}


def inflected_forms(lang, entry):
    """Every form of an officialese entry, lower-case, in order, without duplicates: the forms
    its inflection class makes of its first word (each followed by the rest of the phrase, or by
    each of its "tails"), then its explicit "forms", less its "not" forms."""
    head, _, rest = entry["word"].lower().partition(" ")
    tails = [tail.lower() for tail in entry.get("tails", [rest])]
    kind = entry.get("inflect")
    if not kind:
        heads = [head]
    elif kind.startswith("irr:"):
        base = kind[4:]
        if not head.endswith(base):
            raise ValueError(f"{entry['word']!r} is not a compound of {base!r}")
        prefix = head[: len(head) - len(base)]
        heads = [prefix + form for form in _IRREGULAR[lang][base].split()]
    else:
        heads = _INFLECT[lang](head, kind)
    forms = [f"{form} {tail}" if tail else form for form in heads for tail in tails]
    forms += [form.lower() for form in entry.get("forms", ())]
    drop = {form.lower() for form in entry.get("not", ())}
    return [form for form in dict.fromkeys(map(_normalise, forms)) if form not in drop]


@dataclass(frozen=True)
class _Context:
    """Where an entry counts. ``prev`` / ``next``: when given, the word before or after must be
    one of them (either will do; "," stands for a comma right before); ``not_prev`` /
    ``not_next``: the word before or after must not be one of them; ``not_in_question``: not in
    a sentence that ends with "?" ("Hva gjelder for deg?" is the plain question heading that
    plain-language advice recommends, not the stiff "hva gjelder" = "når det gjelder")."""

    prev: frozenset = frozenset()
    next: frozenset = frozenset()
    not_prev: frozenset = frozenset()
    not_next: frozenset = frozenset()
    not_in_question: bool = False

    @classmethod
    def of(cls, data):
        if not data:
            return None
        unknown = set(data) - {"prev", "next", "not_prev", "not_next", "not_in_question"}
        if unknown:
            raise ValueError(f"unknown context keys {sorted(unknown)}")
        return cls(
            **{
                key: value if key == "not_in_question" else frozenset(map(str.lower, value))
                for key, value in data.items()
            }
        )


@dataclass(frozen=True)
class _Officialese:
    suggestion: str
    source: str
    context: _Context | None


# The word before a position in the scan copy (and whether a comma stands right before it), and
# the word after one.
_PREV_WORD_RE = re.compile(r"(\w*)(\W*)$")
_NEXT_WORD_RE = re.compile(r"[^\w.!?;:\n]*(\w*)")
_SENTENCE_CLOSE_RE = re.compile(r"[.!?\n]")
#: How far ahead a question mark may be and still make a finding's sentence a question
#: (bounded, so that a text without sentence ends costs no more than a text with them).
_QUESTION_REACH = 300


def _context_allows(context, text, scan, start, end):
    """Whether ``context`` lets the match at ``start:end`` (scan-copy offsets) count."""
    before = _PREV_WORD_RE.search(scan, max(0, start - 40), start)
    prev = before[1]
    if "," in before[2]:
        prev = ","
    after = _NEXT_WORD_RE.match(scan, end)[1]
    if prev in context.not_prev or after in context.not_next:
        return False
    if (context.prev or context.next) and prev not in context.prev and after not in context.next:
        return False
    if context.not_in_question:
        close = _SENTENCE_CLOSE_RE.search(text, end - 1, end + _QUESTION_REACH)
        if close and close[0] == "?":
            return False
    return True


def _load_wordlist(lang):
    """Compile ``data/officialese_<lang>.json``: one scan pattern for every form of every
    entry, and a map from each normalised form to its entry."""
    data = json.loads((DATA_DIR / f"officialese_{lang}.json").read_text(encoding="utf-8"))
    sources = {source["key"] for source in data.get("sources", ())}
    if not sources:
        raise ValueError(f"officialese_{lang}.json names no sources")
    lookup = {}
    for entry in data["entries"]:
        suggestion = entry["suggestion"].strip()
        if not suggestion or entry.get("source") not in sources:
            raise ValueError(f"officialese_{lang}.json: bad entry {entry!r}")
        found = _Officialese(suggestion, entry["source"], _Context.of(entry.get("context")))
        for key in inflected_forms(lang, entry):
            if not _PHRASE_RE.fullmatch(key):
                raise ValueError(f"officialese_{lang}.json: bad form {key!r} of {entry!r}")
            lookup.setdefault(key, found)
    # Whole words only: a word start before, and neither a letter nor a hyphen after, because
    # "samt-" or "icke-vit" are parts of compounds, which are other words.
    return re.compile(_SCAN_START + "(" + _trie(lookup) + r")(?![\w-])"), lookup


_OFFICIALESE = {lang: _load_wordlist(lang) for lang in ("nb", "nn", "sv")}


def _officialese(text, scan, lang):
    if lang not in _OFFICIALESE:
        return []
    pattern, lookup = _OFFICIALESE[lang]
    spans = []
    for match in pattern.finditer(scan):
        # The scan copy is lower-case already; only a phrase may need its spaces normalised.
        found = lookup.get(match[1]) or lookup[_normalise(match[1])]
        if found.context and not _context_allows(
            found.context, text, scan, match.start(1), match.end(1)
        ):
            continue
        start, end = match.start(1) - 1, match.end(1) - 1
        spans.append(
            Span(
                start,
                end,
                {"word": text[start:end], "suggestion": found.suggestion, "source": found.source},
            )
        )
    return spans


# --- passive voice ---------------------------------------------------------------------------
#
# Rules per language (nb and nn share theirs: texts mix the forms):
#   aux     a form of "bli" (nb/nn also "verte") + up to two small words + a past participle
#           ("ble behandlet", "vart ikkje sendt", "blev överklagat");
#   be      nb/nn only: a form of "være" ("er", "var", "være", "vere", "vore", "vært") + up to
#           two small words + a past participle that names a finished act, not a state (see
#           below: "er vedtatt", "er fastsatt", "har vore vurdert", "vart vedteken");
#   modal   a modal verb + up to two small words + an s-passive ("skal behandles",
#           "må derfor betalast", "ska skickas"); Swedish also "har/hade" + "-ts" ("har
#           beviljats");
#   trigger "som"/"det" (+ one small word) + an s-passive ("søknader som behandles", "det
#           betalas ut"): only the verb is marked;
#   lexicon common present-tense s-passives of municipal texts, anywhere ("behandles",
#           "betalast", "skickas");
#   plain   a lower-case s-passive followed by a preposition, a typical adverb or punctuation
#           ("Søknader behandles fortløpende", "prövas av nämnden"). A genitive ("en kommunes
#           ansvar") is followed by a noun instead, so it is not taken for a verb;
#   free    Swedish only: a lower-case past or supine s-passive in -ades or -ats anywhere
#           ("avgiften erlades", "som beviljats"): no noun ends so except "-plats" and "-sats".
# Participles and s-forms are recognised by their endings; the stop lists remove adjectives,
# pronouns, adverbs, deponent verbs ("finnes", "lyckas", "saknas", "hoppades"), superlatives
# ("seinast") and nouns and loan words that share those endings. "Small words" are adverbs and
# pronouns that sit between the verbs.
#
# "Være" + participle is a passive only when the participle tells what someone did ("planen er
# vedtatt", "søknaden er sendt"); many participles after "er" describe a state that is the
# plain way to say it ("kontoret er stengt", "hun er ansatt", "han er kjent for", "barnet er
# født", "det er tillatt"), and "er" is followed by adjectives and nouns far more often than by
# participles. So the be rule takes only endings that nouns and adjectives rarely have (-tt,
# a consonant + -t, -vd/-gd; the nynorsk strong participles -teken, -gjeven, -skriven …), keeps
# a stop list of state participles, adjectives and nouns with those endings, and takes
# participles in -et and nynorsk -a ("er behandlet", "er omfatta") only when "av" follows,
# because "-et" and "-a" are also the definite forms of nouns ("Dette er kravet", "er saka").
#
# After "blir"/"vart"/"er" a definite noun can be the inverted subject ("Da blir fakturaen
# sendt", "vert rekninga betalt"): when a participle follows such a word, the finding runs to
# it; when none does and the sentence is a question or starts with a question word ("Hva blir
# prisen?"), it is the copula and no passive.
#
# All patterns run on the scan copy. The rules that start with a known word (aux, be, modal,
# have, trigger, lexicon) are one regex, dispatched on the first letter, so matches never
# overlap and most word starts are turned away after one letter; a word is read once,
# possessively, and its ending checked by look-behinds. The plain and free rules would have to
# read every word, so they are regexes anchored on the ending instead ("es" + a following word
# or punctuation), with the word itself checked in Python; their findings give way to
# overlapping findings of the other rules.

_WS = " ++"
_LETTERS = r"[^\W\d_]"


_NO_AUX = "bli blir ble blei blitt vart vorte verte vert"
_NO_BE = "er var være vere vore vært"
_NO_MODAL = "skal skulle må måtte kan kunne vil ville bør burde"
_NO_SMALL = """ikke ikkje også òg nå no da då derfor difor likevel alltid ofte aldri sjelden
    sjeldan snart straks automatisk først fyrst vanligvis vanlegvis normalt gjerne bare berre kun
    allerede allereie deretter senere seinare dessverre diverre dermed dessuten raskt fort nok
    trolig truleg heller helst du de dere dykk vi han hun ho den det dei jeg eg man"""
_NO_PART_STOP = """godt stort lett kaldt varmt mørkt lyst klart nødt tett rett slett kort fint
    sikkert svært sent sterkt svakt dyrt sint greit nytt gammelt sant rart litt helt meget enkelt
    best verst mest minst sist flest lengst glad redd kald gravid fornøyd død blind mett vant
    gift annet anna eget eiga intet ingen noen egen eigen åpen open voksen vaksen moden liten
    sulten sliten alene igjen att sammen saman inne unna denne mine dine sine mitt ditt sitt vårt
    bra kjapt snart umiddelbart digitalt manuelt effektivt først fyrst"""
# -et/-a/-t/-d (weak verbs: "behandlet", "behandla", "sendt", "prøvd"), -en/-ne (strong verbs:
# "skriven", "skrivne"); at least four letters.
_NO_PART_ENDING = r"(?:(?<=[tda])|(?<=en)|(?<=ne))"
# After "være": states and adjectives, and nouns, with the endings the be rule takes.
_NO_BE_STOP = """flott glatt blott lurt trygt fullt tomt vått tørt høyt høgt lavt lågt langt
    bredt breitt smalt tungt svart hvitt kvitt rødt raudt grønt blått gult brunt grått stengt
    åpent opent kjent ukjent kjend vant sykt unikt korrekt direkt perfekt eksakt selvsagt
    sjølvsagt naudsynt nødt født fødd forbudt forbode tillatt opptatt ansatt tilsett bosatt
    busett unntatt knytt bygd lagd sagd sett utslitt utsolgt utseld utgått skrått tilstrekkelig
    interessert motivert kvalifisert engasjert inkludert organisert plassert lokalisert relatert
    basert orientert konsentrert utdatert isolert reservert frustrert irritert stresset stressa
    avhengig nøgd glad punkt prosjekt objekt effekt kontrakt import eksport rapport transport
    sport konsert kunst frist post test fest rest tekst kost vekst gjest start skatt natt hatt
    vert angst kurs kveld aktuelt vanlig viktigst høyst høgst størst yngst eldst tyngst lengst
    blant samt slikt hvert kvart bort nært midt tvert betjent unnateke unnatekne"""
# -tt, a consonant + -t (not -ig/-lig adjectives, which take none; not the superlatives in
# -est), -vd/-gd, the nynorsk strong participles; "-et" and "-a" only before "av".
_NO_BE_PART = (
    rf"(?:(?=[{_LOWER}]{{4}})(?!{_words(_NO_SMALL + ' ' + _NO_PART_STOP + ' ' + _NO_BE_STOP)})"
    rf"[{_LOWER}]++(?!(?<=est))(?:(?<=tt)|(?<=[dnlrkpsgvm]t)|(?<=[vg]d)|(?<=teken)|(?<=tekne)"
    rf"|(?<=teke)"
    rf"|(?<=gjeven)|(?<=gjevne)|(?<=skriven)|(?<=skrivne)|(?<=funnen)|(?<=bunden)|(?<=broten)"
    rf"|(?<=boren)|(?<=dregen)|(?:(?<=et)|(?<=a))(?= av(?!\w)))(?!\w))"
)
_NO_SPASS_STOP = """finnes fins synes syns trives lykkes mislykkes minnes møtes kjennes høres
    omgås eldes undres finnast synast trivast lukkast mislukkast minnast møtast kjennast høyrast
    eldast undrast seinast snarast raskast lettast fortast nærast nyast høgast lågast oftast
    sikrast tryggast enklast diabetes herpes rabies karies mores hades sales services websites
    devices images types notes cases names rules tenkes tenkast stades"""
# -es (bokmål) and -ast (nynorsk), at least five letters; never -ies ("cookies"), never a
# nynorsk superlative in -igast/-egast ("viktigast", "vanlegast") and never a noun in -plast,
# -kast ("utkast"), -kontrast or -cast.
_NO_SPASS_ENDINGS = ("es", "ast")
_NO_SPASS_NOT_ENDINGS = ("ies", "igast", "egast", "plast", "utkast", "kontrast", "cast")
_NO_LEXICON = """behandles betales sendes søkes vurderes innvilges avslås tildeles gis tas
    gjøres kreves beregnes faktureres fastsettes godkjennes utbetales registreres kontrolleres
    gjennomføres leveres publiseres oppdateres vedtas stenges åpnes brukes benyttes henvises
    anbefales forventes oppfordres bes varsles meldes avgjøres prioriteres tilbys legges holdes
    refunderes dekkes opprettes avsluttes tillates ettersendes mottas saksbehandles sies
    behandlast betalast sendast søkjast søkast vurderast innvilgast tildelast gjevast givast
    takast gjerast krevjast reknast fakturerast fastsetjast godkjennast utbetalast registrerast
    kontrollerast gjennomførast leverast publiserast oppdaterast vedtakast stengjast opnast
    brukast tilrådast forventast oppmodast bedast varslast meldast avgjerast prioriterast
    tilbydast leggjast haldast dekkjast opprettast avsluttast mottakast"""
_NO_FOLLOW = """av til i på ut inn innen etter fra frå med via gjennom hos for fortløpende
    fortløpande automatisk elektronisk digitalt skriftlig skriftleg direkte månedlig månadleg
    årlig årleg hvert kvart hver kvar per om over under før når dersom hvis viss ikke ikkje også
    òg derfor difor senest seinast snarest ved mellom"""
_NO_QUESTION_WORDS = "hva hvem hvor hvordan hvorfor når kva kven kor korleis kvifor"

_SV_AUX = "bli blir blev blivit bliva"
_SV_MODAL = "ska skall måste kan bör får kunde skulle borde måtte vill ville behöver"
_SV_SMALL = """inte ej också nu då därför ändå alltid ofta aldrig sällan snart direkt genast
    automatiskt först normalt vanligtvis bara endast redan sedan sen tyvärr ju dock troligen
    förmodligen säkert snabbt du ni vi han hon den det de man jag"""
_SV_PART_STOP = """mycket helt lätt svårt stort klart kallt varmt mörkt ljust bäst mest sist
    först minst nytt gott fint dyrt sant kort fort rätt tyst trött mätt blött glad rädd nöjd
    ledsen vuxen mogen liten egen ingen igen öppen nyfiken medveten galen borta annorlunda detta
    denna båda mina dina sina inget något annat eget kund stad tid del start slut fest text punkt
    vikt kraft sort rest gäst mat land bild vård ord gård jord bord sjukt trött"""
# -ad/-at/-d/-t (weak verbs: "beviljad", "överklagat", "stängd", "köpt"), -ade/-da/-ta
# (plural), -en/-na (strong verbs: "skriven", "skrivna"), -ts; never an adjective in -igt, -skt,
# -ivt, -ellt, -ant or -ent, nor a definite plural noun in -rna ("öppettiderna").
_SV_PART_ENDING = (
    r"(?:(?<=[dt])|(?<=ade)|(?<=[dtn]a)|(?<=en)|(?<=ts))"
    r"(?<!igt)(?<!skt)(?<!ivt)(?<!ellt)(?<!ant)(?<!ent)(?<!rna)"
)
_SV_SPASS_STOP = """finnas finns fanns funnits hoppas hoppades hoppats lyckas lyckades lyckats
    misslyckas misslyckades misslyckats minnas mindes mints trivas trivdes trivts andas andades
    andats brottas brottades svettas svettades umgås umgicks mötas möttes träffas träffades synas
    syns syntes synts kännas känns kändes känts låtsas låtsades fattas åldras åldrades vistas
    vistades töras envisas envisades behövas behövs behövdes behövts slåss kräkas skämmas
    avundas saknas saknades saknats annars alls hos oss dess ens dels längs delvis gratis inomhus
    utomhus tills plus minus status kurs buss kalas ananas atlas plats pris tips glas gas fas bas
    hus process således likaledes ävenledes annorledes diabetes"""
# After a modal any s-form will do ("ges", "tas", "skickas") but a genitive ("ska kommunens
# kansli") or an adverb in -vis ("kan exempelvis"); elsewhere only -as/-es/-ås of at least five
# letters, because a noun in -s ("kurs", "hus") often follows "som".
_SV_SPASS_ENDINGS = ("as", "es", "ås")
_SV_SPASS_NOT_ENDINGS = ("ens", "ets", "rnas", "vis", "plats", "sats", "glas")
_SV_LEXICON = """behandlas betalas ansöks söks skickas beviljas prövas handläggs debiteras
    faktureras lämnas ges tas görs publiceras beräknas fastställs godkänns avslås genomförs
    utförs erbjuds tilldelas rekommenderas stängs öppnas används registreras kontrolleras
    utbetalas anmäls meddelas hanteras granskas bedöms ersätts tillämpas beslutas upphandlas
    sparas raderas uppmanas ombeds anses betraktas antas gallras diarieförs sänds levereras
    avgörs prioriteras planeras informeras ställs sätts läggs dras skrivs hålls förs köps säljs"""
_SV_FOLLOW = """av till i på ut in inom senast efter från med via genom hos för löpande
    automatiskt digitalt skriftligt elektroniskt direkt varje per om över under före när inte
    också därför enligt vid mellan månadsvis årligen"""
_SV_QUESTION_WORDS = "vad vem var hur varför när vilken vilket vilka"


def _word(length, stop, ending):
    """A whole word of at least ``length`` letters, not in ``stop``, ending as ``ending``."""
    return rf"(?={_LETTERS}{{{length}}})(?!{_words(stop)}){_LETTERS}++{ending}(?!\w)"


def _ends(endings):
    return "(?:" + "|".join(f"(?<={ending})" for ending in endings) + ")"


def _not_ends(endings):
    return "".join(f"(?<!{ending})" for ending in endings)


@dataclass(frozen=True)
class _PassiveRules:
    anchored: re.Pattern  # the aux, be, modal, (have), trigger and lexicon rules
    triggers: frozenset  # first words of the trigger rule, which marks only the verb
    copulas: frozenset  # first words of the aux and be rules
    question_words: frozenset
    noun_endings: tuple  # endings of a definite noun that may be an inverted subject
    next_participle: re.Pattern  # a participle right after such a noun
    plain: re.Pattern  # an s-passive ending followed by a typical next word or punctuation
    free: re.Pattern | None  # an s-passive ending that counts wherever it stands
    min_letters: int
    stop: frozenset
    not_endings: tuple


def _anchored(rules):
    """One regex for rules that each start with one of a list of words: ``rules`` is a list of
    (space-separated words, what must follow them). The first letter is dispatched once; under
    it come the rules with words starting with that letter, each as a trie of the rest of its
    words plus its continuation. (A trie per word would be faster still but repeats every
    continuation per word, which makes the regex slow to compile.)"""
    by_letter = {}
    for words, continuation in rules:
        groups = {}
        for word in words.split():
            groups.setdefault(word[0], []).append(word[1:])
        for letter, rests in groups.items():
            by_letter.setdefault(letter, []).append(
                "(?:" + _trie(rests) + r")(?!\w)" + continuation
            )
    return (
        "(?:"
        + "|".join(
            re.escape(letter) + "(?:" + "|".join(branches) + ")"
            for letter, branches in sorted(by_letter.items())
        )
        + ")"
    )


def _passive_rules(
    *,
    aux,
    modal,
    small,
    part,
    spass_modal,
    spass,
    stop,
    endings,
    not_endings,
    lexicon,
    follow,
    question_words,
    noun_endings,
    be=None,
    have=None,
    free=None,
):
    """Compile one language's rules. The arguments are space-separated word lists, except
    ``part``, ``spass_modal`` and ``spass`` (patterns for one word), ``endings``,
    ``not_endings`` and ``noun_endings`` (tuples), ``be`` and ``have`` (a word list and a
    pattern) and ``free`` (a tuple of endings)."""
    gap = rf"(?:{_WS}{_words(small)}){{0,2}}?{_WS}"
    rules = [(aux, gap + part)]
    copulas = aux
    if be:
        rules.append((be[0], gap + be[1]))
        copulas += " " + be[0]
    rules.append((modal, gap + spass_modal))
    if have:
        rules.append((have[0], gap + have[1]))
    rules += [("som det", rf"(?:{_WS}{_words(small)})?{_WS}{spass}"), (lexicon, "")]
    anchored = re.compile(_SCAN_START + "(" + _anchored(rules) + ")")
    plain = re.compile(
        "(?:" + "|".join(endings) + rf")(?={_WS}{_words(follow)}| *+[.,;:!?](?![\w/]))"
    )
    return _PassiveRules(
        anchored=anchored,
        triggers=frozenset(("som", "det")),
        copulas=_word_set(copulas),
        question_words=_word_set(question_words),
        noun_endings=noun_endings,
        next_participle=re.compile(_WS + part),
        plain=plain,
        free=re.compile("(?:" + "|".join(free) + r")(?![\w-])") if free else None,
        min_letters=5,
        stop=_word_set(stop),
        not_endings=not_endings,
    )


_NO_SPASS = _word(5, _NO_SPASS_STOP, _ends(_NO_SPASS_ENDINGS)) + _not_ends(_NO_SPASS_NOT_ENDINGS)
_NO_RULES = _passive_rules(
    aux=_NO_AUX,
    be=(_NO_BE, _NO_BE_PART),
    modal=_NO_MODAL,
    small=_NO_SMALL,
    part=_word(4, _NO_SMALL + " " + _NO_PART_STOP, _NO_PART_ENDING),
    spass_modal=_NO_SPASS,
    spass=_NO_SPASS,
    stop=_NO_SPASS_STOP,
    endings=_NO_SPASS_ENDINGS,
    not_endings=_NO_SPASS_NOT_ENDINGS,
    lexicon=_NO_LEXICON,
    follow=_NO_FOLLOW,
    question_words=_NO_QUESTION_WORDS,
    noun_endings=("en", "et", "a", "ene", "ane", "ne"),
)
_SV_RULES = _passive_rules(
    aux=_SV_AUX,
    modal=_SV_MODAL,
    small=_SV_SMALL,
    part=_word(4, _SV_SMALL + " " + _SV_PART_STOP, _SV_PART_ENDING),
    spass_modal=_word(3, _SV_SPASS_STOP, "(?<=s)" + _not_ends(_SV_SPASS_NOT_ENDINGS)),
    spass=_word(5, _SV_SPASS_STOP, _ends(_SV_SPASS_ENDINGS)),
    stop=_SV_SPASS_STOP,
    endings=_SV_SPASS_ENDINGS,
    not_endings=_SV_SPASS_NOT_ENDINGS,
    lexicon=_SV_LEXICON,
    follow=_SV_FOLLOW,
    question_words=_SV_QUESTION_WORDS,
    noun_endings=("en", "et", "na"),
    have=("har hade", _word(4, _SV_SPASS_STOP, "(?<=ts)(?<!plats)(?<!sats)")),
    free=("ades", "ats"),
)
_PASSIVE = {"nb": _NO_RULES, "nn": _NO_RULES, "sv": _SV_RULES}


def _s_form(text, scan, end, rules):
    """The lower-case s-passive ending at ``end`` of the scan copy, as ``(start, end)`` in the
    text, or ``None`` when the word there is not one."""
    word = scan[scan.rfind(" ", 0, end) + 1 : end].lstrip(_OPENERS)
    start = end - len(word)
    if (
        len(word) >= rules.min_letters
        and word.isalpha()
        and word not in rules.stop
        and not word.endswith(rules.not_endings)
        # Capitalised: a name or a place in the genitive ("Agnes", "Norges"), not a verb.
        and text[start - 1].islower()
    ):
        return (start - 1, end - 1)  # scan copy → text
    return None


def _plain_passives(text, scan, rules):
    """The plain and free rules: ``(start, end)`` in the text of each lower-case s-passive
    that is followed by a typical next word or punctuation, or that has a free ending."""
    found = [_s_form(text, scan, match.end(), rules) for match in rules.plain.finditer(scan)]
    if rules.free:
        found += [_s_form(text, scan, match.end(), rules) for match in rules.free.finditer(scan)]
        return sorted(set(filter(None, found)))
    return list(filter(None, found))


def _is_question(text, scan, start, end, rules):
    """Whether the clause around scan-copy ``start:end`` asks: its sentence ends with "?" or a
    question word comes right before ``start``."""
    before = _PREV_WORD_RE.search(scan, max(0, start - 40), start)
    if before[1] in rules.question_words:
        return True
    close = _SENTENCE_CLOSE_RE.search(text, end - 1, end + _QUESTION_REACH)
    return bool(close) and close[0] == "?"


def _anchored_passives(text, scan, rules):
    found = []
    for match in rules.anchored.finditer(scan):
        start, end = match.span(1)
        phrase = match[1]
        first = phrase.split(" ", 1)[0]
        last = end - len(phrase) + phrase.rfind(" ") + 1  # where the last word starts
        word = text[last - 1 : end - 1]
        # Capitalised: a name ("skal Norges"); in a text in capitals, a word like any other.
        if word[:1].isupper() and not word.isupper():
            continue
        if first in rules.triggers:
            start = last  # only the verb after "som"/"det"
        elif first in rules.copulas and phrase.endswith(rules.noun_endings):
            # A definite noun may be the inverted subject: "blir fakturaen sendt".
            participle = rules.next_participle.match(scan, end)
            if participle and text[participle.end() - 2].islower():
                end = participle.end()
            elif _is_question(text, scan, start, end, rules):
                continue
        found.append((start - 1, end - 1))  # scan copy → text
    return found


def _passive(text, scan, lang):
    rules = _PASSIVE.get(lang)
    if rules is None:
        return []
    anchored = _anchored_passives(text, scan, rules)
    # Merge the plain rule's findings in, except where they overlap an anchored finding.
    found, index = [], 0
    for start, end in _plain_passives(text, scan, rules):
        while index < len(anchored) and anchored[index][1] <= start:
            found.append(anchored[index])
            index += 1
        if index == len(anchored) or end <= anchored[index][0]:
            found.append((start, end))
    found.extend(anchored[index:])
    return [
        Span(start, end, {"text": text[start:end]})
        for start, end in found
        # The scan copy turned line breaks into spaces; a construction does not span lines.
        if not _LINE_BREAK_RE.search(text, start, end)
    ]


# --- vague link texts ------------------------------------------------------------------------

#: Link texts that say nothing about where the link goes (WCAG 2.4.4), compared after
#: lower-casing and dropping punctuation and arrows ("Les mer »" → "les mer").
VAGUE_LINK_TEXTS = frozenset(
    [
        *("klikk her", "trykk her", "klikk", "trykk", "her", "les mer", "les mer her", "mer"),
        *("mer info", "mer informasjon", "link", "linken", "denne linken", "lenke", "lenken"),
        *("denne lenken", "les meir", "les meir her", "meir", "meir info", "meir informasjon"),
        *("lenkja", "denne lenkja", "denne lenka", "klicka här", "klicka", "här", "läs mer"),
        *("läs mer här", "mer information", "länk", "länken", "denna länk", "den här länken"),
        *("click here", "click", "read more", "here", "more", "this link"),
    ]
)

# Without link positions, only phrases that are vague wherever they stand.
_VAGUE_PHRASES_RE = re.compile(
    _SCAN_START
    + "("
    + _trie(
        ["klikk her", "trykk her", "les mer her", "les meir her"]
        + ["klicka här", "läs mer här", "click here"]
    )
    + r")(?![\w-])"
)
_LINK_WORD_RE = re.compile(r"\w+")


def _vague_links(text, scan, link_spans):
    if link_spans is None:
        spans = []
        for match in _VAGUE_PHRASES_RE.finditer(scan):
            start, end = match.start(1) - 1, match.end(1) - 1
            spans.append(Span(start, end, {"text": text[start:end]}))
        return spans
    length = len(text)
    found = set()
    for start, end in link_spans:
        start = min(max(int(start), 0), length)
        end = min(max(int(end), start), length)
        label = " ".join(_LINK_WORD_RE.findall(text[start:end].lower()))
        if label in VAGUE_LINK_TEXTS:
            found.add((start, end))
    return [Span(start, end, {"text": text[start:end]}) for start, end in sorted(found)]


# --- text in capitals ------------------------------------------------------------------------


def _upper_letters():
    """The capital letters of Latin-1 and Latin Extended-A/B: Nordic, Sami (Č, Đ, Ŋ, Š, Ŧ, Ž)
    and other European letters, escaped for a character class."""
    return "".join(re.escape(chr(code)) for code in range(0x41, 0x250) if chr(code).isupper())


_UPPER = _upper_letters()
# A capital letter starting a word (the look-behind checks the character before it; it comes
# after the first letter so that the regex engine can skip lower-case text quickly), more
# capitals or digits, and the end of the word.
_CAPS_WORD = rf"[{_UPPER}](?<!\w.)[{_UPPER}\d]*(?!\w)"
# A run of such words within one line and one sentence, with spaces, other punctuation or
# numbers between them.
_CAPS_RUN_RE = re.compile(rf"{_CAPS_WORD}(?:[^\w\n.!?]++(?:[{_UPPER}][{_UPPER}\d]*|\d+)(?!\w))*")
# The words of a run that may count: four characters or more (shorter ones never do, and a
# run of thousands of "A"s should not cost a Python step each).
_CAPS_COUNTED_RE = re.compile(rf"[{_UPPER}](?<!\w.)[{_UPPER}\d]{{3,}}(?!\w)")

#: Abbreviations that are written in capitals and are never shouting.
CAPS_ALLOWLIST = _word_set(
    """NAV LSS LVU LVM PDF BUP HVB NOK SEK EU EØS GDPR IKT COVID NATO UNICEF UNESCO HTML HTTPS
    KOSTRA HELFO SMHI"""
)
_CAPS_WORD_LETTERS = 4  # shorter all-capital words are abbreviations ("SFO", "KS") or "OG"
_CAPS_RUN_WORDS = 3
_CAPS_SINGLE_LETTERS = 8


def _all_caps(text):
    spans = []
    for run in _CAPS_RUN_RE.finditer(text):
        words = [
            word
            for word in _CAPS_COUNTED_RE.finditer(text, run.start(), run.end())
            if word.group() not in CAPS_ALLOWLIST and _letters(word.group()) >= _CAPS_WORD_LETTERS
        ]
        if len(words) >= _CAPS_RUN_WORDS:
            start, end = words[0].start(), words[-1].end()
            spans.append(Span(start, end, {"text": text[start:end]}))
            continue
        spans.extend(
            Span(word.start(), word.end(), {"text": word.group()})
            for word in words
            if _letters(word.group()) >= _CAPS_SINGLE_LETTERS
        )
    return spans


# --- the report ------------------------------------------------------------------------------

# Paragraphs are separated by a blank line (several blank lines give several breaks, which
# the paragraph loop takes in its stride).
_PARAGRAPH_BREAK_RE = re.compile(r"\n[^\S\n]*+\n")


@dataclass
class PlainLanguageReport:
    """What ``analyze`` found. Offsets are character offsets into the analysed text.

    ``lix`` is ``lix_score(lix_words, lix_sentences, lix_long_words)`` (``None`` under
    ``MIN_WORDS_FOR_LIX`` words). ``words`` and ``sentences`` are the same counts as
    ``lix_words`` and ``lix_sentences``; ``long_words`` counts words of at least the configured
    ``long_word_letters``, while ``lix_long_words`` always counts words of more than six letters.
    """

    lix: float | None
    band: str | None
    words: int
    sentences: int
    long_words: int
    long_sentences: list[Span] = field(default_factory=list)
    long_paragraphs: list[Span] = field(default_factory=list)
    officialese: list[Span] = field(default_factory=list)
    passive: list[Span] = field(default_factory=list)
    vague_links: list[Span] = field(default_factory=list)
    all_caps: list[Span] = field(default_factory=list)
    lix_words: int = 0
    lix_sentences: int = 0
    lix_long_words: int = 0

    def to_dict(self):
        """The JSON shape of the ``check_text`` contract."""
        return {
            "lix": self.lix,
            "band": self.band,
            "lix_words": self.lix_words,
            "lix_sentences": self.lix_sentences,
            "lix_long_words": self.lix_long_words,
            "words": self.words,
            "sentences": self.sentences,
            "long_sentences": [span.to_dict() for span in self.long_sentences],
            "officialese": [span.to_dict() for span in self.officialese],
            "passive": [span.to_dict() for span in self.passive],
            "long_words": self.long_words,
            "long_paragraphs": [span.to_dict() for span in self.long_paragraphs],
            "vague_links": [span.to_dict() for span in self.vague_links],
            "all_caps": [span.to_dict() for span in self.all_caps],
        }


def analyze(
    text: str,
    lang: str = "nb",
    *,
    long_sentence_words: int = 25,
    long_word_letters: int = 7,
    max_paragraph_words: int = 80,
    link_spans=None,
) -> PlainLanguageReport:
    """Analyse ``text`` for plain language.

    ``lang`` is ``nb``, ``nn`` or ``sv`` (``no``, ``nb-NO`` and the like are understood); any
    other language gets LIX, lengths, vague links and capitals but no officialese or passive.
    A sentence is long with more than ``long_sentence_words`` words, a word with at least
    ``long_word_letters`` letters (7 = LIX's "more than six"), a paragraph with more than
    ``max_paragraph_words`` words. ``link_spans`` are the ``(start, end)`` offsets of the link
    texts; without them only phrases such as "klikk her" are reported as vague links.

    Raises ``InputTooLarge`` for texts over ``MAX_INPUT_CHARS``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    check_size(text)
    lang = _language(lang)

    paragraph_breaks = [match.start() for match in _PARAGRAPH_BREAK_RE.finditer(text)]
    paragraph_breaks.append(len(text) + 1)
    next_break = 0
    paragraph = None  # [start, end, words] of the paragraph being read
    long_paragraphs = []

    def close(current):
        if current is not None and current[2] > max_paragraph_words:
            long_paragraphs.append(Span(current[0], current[1], {"words": current[2]}))

    words = sentences = 0
    long_sentences = []
    scan = _scan_copy(text)
    all_chunks = []
    for start, end, chunks, count in _sentences(text, scan):
        words += count
        sentences += 1
        all_chunks += chunks
        if count > long_sentence_words:
            long_sentences.append(Span(start, end, {"words": count}))
        # A paragraph break holds a line break, which ends a sentence, so every sentence lies
        # in exactly one paragraph.
        if paragraph_breaks[next_break] < start:
            while paragraph_breaks[next_break] < start:
                next_break += 1
            close(paragraph)
            paragraph = None
        if paragraph is None:
            paragraph = [start, end, count]
        else:
            paragraph[1] = end
            paragraph[2] += count
    close(paragraph)
    lix_long_words = _count_long(all_chunks, LIX_LONG_WORD_LETTERS)
    if long_word_letters == LIX_LONG_WORD_LETTERS:
        long_words = lix_long_words
    else:
        long_words = _count_long(all_chunks, long_word_letters)
    lix = lix_score(words, sentences, lix_long_words) if words >= MIN_WORDS_FOR_LIX else None

    return PlainLanguageReport(
        lix=lix,
        band=lix_band(lix),
        words=words,
        sentences=sentences,
        long_words=long_words,
        lix_words=words,
        lix_sentences=sentences,
        lix_long_words=lix_long_words,
        long_sentences=long_sentences,
        long_paragraphs=long_paragraphs,
        officialese=_officialese(text, scan, lang),
        passive=_passive(text, scan, lang),
        vague_links=_vague_links(text, scan, link_spans),
        all_caps=_all_caps(text),
    )
