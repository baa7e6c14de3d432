"""Personal data in a text: national identity numbers, phone numbers, e-mail addresses, bank
accounts, street addresses, and GDPR art. 9/10 words with the names next to them.

``scan(text, lang, allow=...)`` returns ``PersonalDataFinding`` objects with masked excerpts.

Design (measured in ``make bench``: ``bench/text_checks.py``):

- Own compiled regular expressions plus checksum and date validation, no NLP model. Every
  pattern is bounded or anchored by lookbehinds so that it only starts at the beginning of a
  token; the whole scan is linear in the input size.
- All Nordic ID formats are checked on every page, whatever its language: a Swedish
  personnummer on a Norwegian page is still personal data.
- Candidates from all detectors compete for their characters: when two overlap, the stronger
  kind wins (national_id > bank_account > email > phone > address > person_name >
  special_category), so each character is reported at most once. Organisation numbers are
  never reported.
- GDPR art. 9/10 words come from data/special_categories.json. A word alone warns; with a
  person's name in the same sentence both block. Names are a heuristic (no model offline): a
  common Norwegian or Swedish given name followed by capitalised words. "Weak" words that also
  name services (helse, hemtjänst) are reported only next to a name, and never block.

The exact ID rules (check digits, dates, the forms each number is written in) are in the
functions below, each with its source.
"""

from __future__ import annotations

import bisect
import datetime
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import phonenumbers
from phonenumbers import PhoneNumberType
from stdnum import iban as _iban
from stdnum.dk import cpr as _dk_cpr
from stdnum.fi import hetu as _fi_hetu
from stdnum.is_ import kennitala as _is_kennitala
from stdnum.no import kontonr as _no_kontonr

from publishing.content_checks.accounts import (
    bankgiro_valid,
    luhn_valid,
    plusgiro_valid,
    se_account_valid,
)
from publishing.content_checks.base import BLOCK, WARN, PersonalDataFinding, check_size, mask
from publishing.content_checks.normalise import normalise

#: Which word lists each page language is checked with. Nynorsk pages often name services in
#: bokmål, so they get both; English pages on these sites are about Norway or Sweden.
_LEXICON_LANGUAGES = {"nb": ("nb",), "nn": ("nn", "nb"), "sv": ("sv",), "en": ("nb", "sv")}

#: Longest excerpt (characters), context included.
EXCERPT_MAX = 40

#: How far before a number a context word (konto, fødselsnummer, tlf, cpr) may stand.
_CONTEXT_CHARS = 30

_RANK = {
    "national_id": 7,
    "bank_account": 6,
    "email": 5,
    "phone": 4,
    "address": 3,
    "person_name": 2,
    "special_category": 1,
}

_DATA = Path(__file__).resolve().parent / "data" / "special_categories.json"


class _Candidate(NamedTuple):
    start: int
    end: int
    kind: str
    subtype: str
    severity: str
    keep: int  # letters and digits left visible in the excerpt
    allowed: bool = False  # a public contact point: claims its characters, never reported
    could_be: str = ""  # another kind the same characters could be ("phone")


# --- Patterns -------------------------------------------------------------------------------
#
# Each pattern starts with a character class and checks what stands before that first
# character with a lookbehind placed after it ("[0-9](?<![\w+][0-9])" rather than
# "(?<![\w+])[0-9]"): the regex engine then jumps straight to candidate characters instead of
# trying every position, which makes these scans about four times faster.

# A number starts a token: no letter, digit, "_" or "+" right before it, and it does not
# continue a number written with a separator ("2026/1432", "KS 2026-000075014"). This matches
# the number's first digit.
_NUM_FIRST = r"[0-9](?<![\w+][0-9])(?<![0-9][/.,:-][0-9])"
# ... and ends one: nothing word-like after it, and no separator that continues it
# ("26/01432-3", "15.03.1991").
_NUM_END = r"(?!\w)(?![/.,:-][0-9])"

# The alternatives give the length after the first digit.
_ID_RE = re.compile(
    _NUM_FIRST + r"(?:"
    # Swedish personnummer with century (checked: 18/19/20), or a Norwegian DUF number written
    # without spaces (both twelve digits; the checks tell them apart)
    r"(?P<se12>[0-9]{7}[ -]?[0-9]{4})"
    r"|(?P<duf>[0-9]{3}[ -][0-9]{6}[ -][0-9]{2})"  # Norwegian DUF number, 2012 586975 61
    r"|(?P<no>[0-9]{5}[ -]?[0-9]{5})"  # Norwegian fødselsnummer, D- or H-nummer
    # Swedish yymmdd-nnnn / +nnnn / nnnn, Danish and Icelandic ddmmyy-nnnn, Finnish ddmmyyCnnnX
    r"|(?P<six4>[0-9]{5}[-+ A-FU-Y][0-9]{3}[0-9A-Y])"
    # Ten digits without separator: Swedish, or Danish and Icelandic after their ID words
    r"|(?P<ten>[0-9]{9})"
    r")" + _NUM_END
)

# Norwegian account numbers in their usual grouping 4.2.5 ("8601.11.17947", "8601 11 17947").
_KONTO_RE = re.compile(_NUM_FIRST + r"[0-9]{3}(?P<sep>[. ])[0-9]{2}(?P=sep)[0-9]{5}" + _NUM_END)

# Swedish bank accounts: a clearing number and the account number after it, read only after a
# bank word or a bank's name ("Swedbank 8327-9, 914 123 456-7", "clearingnummer 6152,
# kontonummer 123 456 789", "3300-850101 1234").
_SE_ACCOUNT_RE = re.compile(
    rf"(?P<clearing>{_NUM_FIRST}[0-9]{{3}}(?:-[0-9])?)"
    r"(?:,? ?(?:och |kontonummer |kontonr\.? |konto |-|,? ))"
    r"(?P<account>[0-9](?:[ -]?[0-9]){6,9})" + _NUM_END
)
_SE_BANK_WORD_RE = re.compile(
    r"(?<!\w)(?:clearing\w*|clnr|(?:bank)?konto\w*|kto|\w*bank(?:en)?|seb|nordea|danske"
    r"|länsförsäkringar|skandia|avanza|nordnet)(?!\w)",
    re.IGNORECASE,
)
# Bankgiro and plusgiro numbers: the shapes they are written in ("5050-1055", "369 - 3371",
# "90 20 01-8"), read as giro numbers when a giro word stands before them; written as bare digits
# only right after the word ("Bankgiro 50501055").
_GIRO_NUMBER_RE = re.compile(
    _NUM_FIRST
    + r"(?:[0-9]{2,3} ?- ?[0-9]{4}|[0-9]?(?: ?[0-9]{2}){0,3} ?-[0-9]|[0-9]{1,7})"
    + _NUM_END
)
_GIRO_WORD_RE = re.compile(
    r"(?<!\w)(?:(?P<bank>bankgiro\w*|bg)|plusgiro\w*|postgiro\w*|pg)(?!\w)", re.IGNORECASE
)
_GIRO_LABEL_RE = re.compile(
    r"(?<!\w)(?:(?P<bank>bankgiro\w*|bg)|plusgiro\w*|postgiro\w*|pg)(?:-?(?:nr|nummer))?\.?:? ?$",
    re.IGNORECASE,
)
# How far before a hyphenated giro number its word may stand: payment pages list them in
# tables and bullet lists under a heading that names them.
_GIRO_CHARS = 150

# IBAN, compact or in groups of four. Bounded repetition: at most 30 steps per start.
_IBAN_RE = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z][0-9]{2}(?: ?[0-9A-Z]){11,30}(?![0-9A-Za-z])")

# E-mail addresses are looked for around each "@": the local part is the run of local-part
# characters before it, the domain is matched after it.
_EMAIL_LOCAL_RE = re.compile(r"[\w.%+-]{1,64}\Z")
_EMAIL_LOCAL_CHARS = re.compile(r"[\w.%+-]")
_EMAIL_DOMAIN_RE = re.compile(r"(?:[\w-]{1,63}\.){1,8}[^\W\d_]{2,24}(?![\w-])")
# Addresses written to keep robots away: "kari(at)avesta.se", "kari [at] alvdal.kommune.no",
# "kari(snabel-a)avesta(punkt)se".
_AT_WORD_RE = re.compile(
    r"\s?[(\[{]\s?(?:at|a|snabel-?a|alfakrøll|krøllalfa)\s?[)\]}]\s?", re.IGNORECASE
)
_DOT_WORD = r"(?:\.|\s?[(\[{]\s?(?:dot|punkt|prikk)\s?[)\]}]\s?)"
_DOT_WORD_RE = re.compile(_DOT_WORD, re.IGNORECASE)
_OBFUSCATED_DOMAIN_RE = re.compile(
    rf"(?:[\w-]{{1,63}}{_DOT_WORD}){{1,8}}[^\W\d_]{{2,24}}(?![\w-])", re.IGNORECASE
)

# A run of digit groups joined by single spaces or hyphens, optionally after "+". Which part of
# the run is a phone number is decided in Python (see _phones), which keeps this pattern linear.
# "+46 (0)70 ..." keeps the national trunk zero in brackets; it is skipped when reading digits.
_PHONE_RUN_RE = re.compile(
    r"(?:\+(?<![\w+]\+)(?<![0-9][/.,:-]\+) ?[0-9]{1,3}(?: ?\(0\))?[ -]?[0-9]"
    r"|[0-9](?<![\w+][0-9])(?<![0-9][/.,:-][0-9]))"
    r"[0-9]{0,13}(?:[ -][0-9]{1,14})*"
)
_DIGITS_RE = re.compile(r"[0-9]+")

_UPPER = "A-ZÆØÅÄÖÜÉ"
_STREET_SUFFIX = (
    r"(?:gata|gate|gatan|veg|vei|vegen|veien|vägen|väg|allé|alle|alléen|plass|plassen|torget"
    r"|torg|stig|stigen|gränd|gränden|bakken|svingen|tunet)"
)
_ADDRESS_RE = re.compile(
    rf"(?P<street>[{_UPPER}](?<![\w-][{_UPPER}])(?:"
    rf"[\w-]*?{_STREET_SUFFIX}"  # Storgata, Kirkevegen, Vasagatan
    # Kong Oscars gate, Drottning Kristinas väg
    rf"|[\w-]*(?: [{_UPPER}][\w-]*)? (?:gate|gata|gatan|vei|veg|väg|vägen|allé|plass|torg"
    r"|gränd)))"
    r" (?P<number>[1-9][0-9]{0,3}[A-Za-z]?)(?!\w)(?![.,:/-][0-9])"
    rf"(?P<post>,? (?:[0-9]{{4}}|[0-9]{{3}} ?[0-9]{{2}}) [{_UPPER}][\w-]+)?"
)
# Public roads, not somebody's address.
_ROAD_PREFIXES = (
    "fylkesv",
    "riksv",
    "kommunev",
    "länsv",
    "europav",
    "privatv",
    "skogsv",
    "gangv",
    "sykkelv",
    "turv",
)

_WORD_RE = re.compile(r"\w+")
_LOWER = "a-zæøåäöüéèáóí"
_CAPWORD_RE = re.compile(
    rf"[{_UPPER}](?<![\w-][{_UPPER}])[{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?(?![\w-])"
)
# A sentence ends at . ! ? followed by a space and something that is not a lower-case letter
# (so "f.eks. barnevernet" stays one sentence), at the end of the text, or at a line break.
# The lookbehind makes a run of dots start only once, which keeps this linear.
_SENTENCE_END_RE = re.compile(
    rf"[.!?…\n](?<![.!?…][.!?…])(?:(?<=\n)|[.!?…]*(?=\s+[^\s{_LOWER}]|\s*\Z))"
)
_WS_RE = re.compile(r"\s+")
# Where an excerpt's context may begin: after a line break or a sentence end (a full stop and
# a capital, so that "tlf. 22 12 34 56" keeps its "tlf.").
_CONTEXT_BREAK_RE = re.compile(rf"[.!?…]\s+(?=[{_UPPER}])|\n")
# Where the words after a number stop belonging to it: a sentence end or a line break.
_SENTENCE_STOP_RE = re.compile(r"[.!?…](?:\s|\Z)|\n")
_DIGIT_MASK = str.maketrans("0123456789", "**********")

# A case, archive, invoice, payment or organisation label right before a number: what follows
# is not about a person, even when its digits happen to pass an ID checksum.
# The label is a whole word: "Fakturanummer:" labels, "Fakturaavdelingen:" or "Ordertelefon"
# name who answers and label nothing.
_LABEL_STEMS = (
    r"sak|arkivsak|arkiv|arkivref|journalpost|jp|dok|dokument|dnr|diarie|ärende|faktura|fakt"
    r"|ordre|order|kunde|kund|ref|referanse|referens|kid|ocr|org|organisasjon|organisation"
    r"|avtale|kontrakt|løpe|løp|löp|lop|bilag|gnr|bnr"
)
_LABEL_SUFFIX = r"(?:s?-?(?:nr|nummer(?:et)?|numret|id|ref|referanse|referens|kode|kod))?"
_LABEL_RE = re.compile(
    rf"(?<!\w)(?:{_LABEL_STEMS}){_LABEL_SUFFIX}"
    r"\.?(?: ?(?:nr|nummer|no)\.?)?\s*[:.#]?\s*$",
    re.IGNORECASE,
)
_BANK_WORD_RE = re.compile(
    r"(?<!\w)(?:bank|lønns|bruks|spare)?(?:konto|kto)\w*|(?<!\w)account", re.IGNORECASE
)
_ID_WORD_RE = re.compile(
    r"(?<!\w)(?:fødselsn\w*|fodselsn\w*|f\.? ?nr|fnr|personn\w*|personnr|pnr|p-nr|d-num\w*"
    r"|d-nr|h-num\w*|samordningsn\w*|identitetsn\w*|id-nummer|hetu|henkilötunnus|cpr\w*"
    r"|kennitala|personal identity|national identity|ssn|duf)",
    re.IGNORECASE,
)
_CPR_WORD_RE = re.compile(r"(?<!\w)cpr", re.IGNORECASE)
_DUF_WORD_RE = re.compile(r"(?<!\w)duf(?!\w)", re.IGNORECASE)
# Words that make a number a payment: an account, not a person, unless an ID word is nearer.
_PAYMENT_WORD_RE = re.compile(
    r"(?<!\w)(?:(?:inn?|ind)?betal\w*|(?:bank|lønns|bruks|spare|skatte)?(?:konto|kto)\w*"
    r"|\w*giro\w*|kid|ocr|swish|iban|bic|swift|overfør\w*|överför\w*|insättning\w*"
    r"|faktura\w*|account|payment)",
    re.IGNORECASE,
)
# How far before a number a payment word may stand, within the number's sentence.
_PAYMENT_CHARS = 80
_FI_WORD_RE = re.compile(r"(?<!\w)(?:henkilötunnu\w*|hetu|personbeteckning\w*)", re.IGNORECASE)
_IS_WORD_RE = re.compile(r"(?<!\w)(?:kennital\w*|kt\.)", re.IGNORECASE)
_PHONE_WORD_RE = re.compile(
    r"(?<!\w)(?:tlf\w*|tel|telnr|tfn|telefon\w*|mobil\w*|mob|ring|ringe|ringer|ringes|ringa"
    r"|sms|phone|kontakt\w*|sentralbord\w*|växel\w*|vxl|fax|kundtjänst\w*|kundservice"
    r"|kunde?senter\w*|servicecenter\w*|jour\w*|vakt\w*)",
    re.IGNORECASE,
)
# Amounts ("kr 12 500", "45 000 000 kroner") and clock times ("kl. 08 00") are not phones.
_NOT_PHONE_BEFORE_RE = re.compile(
    r"(?<!\w)(?:kr|kroner|kronor|nok|sek|eur|usd|dkk|kl)\.?\s*$|[€$£]\s*$", re.IGNORECASE
)
_NOT_PHONE_AFTER_RE = re.compile(
    r"\s*(?:(?:kr|kroner|kronor|nok|sek|eur|euro|dkk|mill|millioner|miljoner|mrd|tusen)(?!\w)"
    r"|kr\.|,-|:-|%|€)",
    re.IGNORECASE,
)


# --- National identity numbers --------------------------------------------------------------

_NO_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)  # k1 weights with k1 itself (weight 1) appended
_NO_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def _date(year, month, day):
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _no_century(individual, yy):
    """Birth century from the individnummer (the pre-2032 scheme, as python-stdnum)."""
    if individual < 500:
        return 1900
    if individual < 750 and yy >= 54:
        return 1800
    if yy < 40:
        return 2000
    if individual >= 900:
        return 1900
    return None


def no_national_id_subtype(number, today=None):
    """The subtype of an 11-digit Norwegian number, or None if it is not a valid one.

    ``no_fodselsnummer``, ``no_d_nummer`` (day + 40) or ``no_h_nummer`` (month + 40). Accepts
    both control-digit rules that Skatteetaten requires systems to accept in parallel: the
    classic one ((Σ w1·d + k1) mod 11 = 0) and the 2032 one, where the remainder may be 0, 1, 2
    or 3; k2 is unchanged. Classic numbers take their century from the individnummer and may
    not be born in the future; 2032-rule numbers carry no century, so their date is checked
    as 20yy (leap years by yy mod 4), as in Skatteetaten's reference code.
    """
    digits = [ord(char) - 48 for char in number]
    if len(digits) != 11 or not all(0 <= digit <= 9 for digit in digits):
        return None
    remainder1 = sum(w * d for w, d in zip(_NO_W1, digits, strict=False)) % 11
    if remainder1 > 3 or sum(w * d for w, d in zip(_NO_W2, digits, strict=True)) % 11:
        return None
    day = digits[0] * 10 + digits[1]
    month = digits[2] * 10 + digits[3]
    yy = digits[4] * 10 + digits[5]
    subtype = "no_fodselsnummer"
    if 41 <= day <= 71:
        day -= 40
        subtype = "no_d_nummer"
    elif 41 <= month <= 52:
        month -= 40
        subtype = "no_h_nummer"
    if remainder1 == 0:
        century = _no_century(digits[6] * 100 + digits[7] * 10 + digits[8], yy)
        born = century is not None and _date(century + yy, month, day)
        return subtype if born and born <= (today or datetime.date.today()) else None
    return subtype if _date(2000 + yy, month, day) else None


def se_national_id_subtype(ten, century=None, plus=False, today=None):
    """The subtype of a Swedish number (its last ten digits), or None if it is not valid.

    ``se_personnummer`` or ``se_samordningsnummer`` (day + 60). Luhn over the ten digits and a
    real date; a samordningsnummer may have an unknown birth day (day 60) or month (month 00),
    as the Swedish tax agency issues them. Without ``century`` the birth year is the latest one
    not in the future, or a century earlier when written with "+" (the person is 100 or older).
    With ``century`` (the 12-digit form) it must be 18, 19 or 20 and the date may not be in the
    future. Organisation numbers (month digits 20 or more) are never valid here.
    """
    if len(ten) != 10 or not ten.isascii() or not ten.isdigit() or not luhn_valid(ten):
        return None
    today = today or datetime.date.today()
    yy, month, day = int(ten[0:2]), int(ten[2:4]), int(ten[4:6])
    subtype = "se_personnummer"
    if 60 <= day <= 91:
        day -= 60
        subtype = "se_samordningsnummer"
    unknown_date = subtype == "se_samordningsnummer" and (day == 0 or month == 0)
    if century is not None:
        if century not in (18, 19, 20):
            return None
        year = century * 100 + yy
    else:
        year = 2000 + yy
        if (year, month, day) > (today.year, today.month, today.day):
            year -= 100
        if plus:
            year -= 100
    if unknown_date:
        # Only what is known must be possible: the month (if given) and a past year.
        known = month <= 12 and (month == 0 or day == 0 or _date(year, month, day))
        return subtype if known and (year, month) <= (today.year, today.month) else None
    born = _date(year, month, day)
    return subtype if born and born <= today else None


def _window(text, start):
    return text[max(0, start - _CONTEXT_CHARS) : start]


def _last_match(pattern, window):
    last = None
    for match in pattern.finditer(window):
        last = match.start()
    return last


def _sentence_before(text, start, chars):
    """Up to ``chars`` characters before ``start``, from the start of the sentence at most."""
    window = text[max(0, start - chars) : start]
    cut = 0
    for sentence_break in _CONTEXT_BREAK_RE.finditer(window):
        cut = sentence_break.end()
    return window[cut:]


def _sentence_after(text, end):
    """Up to ``_CONTEXT_CHARS`` characters after ``end``, to the end of the sentence at most."""
    window = text[end : end + _CONTEXT_CHARS]
    stop = _SENTENCE_STOP_RE.search(window)
    return window[: stop.start()] if stop else window


def _nearest(window, patterns, before=True):
    """The index in ``patterns`` of the one matching nearest to the number, or None."""
    best, best_position = None, None
    for index, pattern in enumerate(patterns):
        position = _last_match(pattern, window) if before else _first_match(pattern, window)
        if position is None:
            continue
        if best is None or (position > best_position if before else position < best_position):
            best, best_position = index, position
    return best


def _first_match(pattern, window):
    match = pattern.search(window)
    return match.start() if match else None


def _payment_context(text, start, end):
    """The number is in a payment: a payment word in its sentence before it, nearer than any ID
    word, or a bank word right after it ("01019012345 (kontonummer)") with no ID word before."""
    before = _sentence_before(text, start, _PAYMENT_CHARS)
    nearest = _nearest(before, (_PAYMENT_WORD_RE, _ID_WORD_RE))
    if nearest is not None:
        return nearest == 0
    return _nearest(_sentence_after(text, end), (_BANK_WORD_RE, _ID_WORD_RE), before=False) == 0


def _phone_or_id(text, start, end):
    """ "phone" or "id" when the words around a number written as ten bare digits decide which
    it is: the nearer of a phone word and an ID word before it, else the first after it."""
    nearest = _nearest(_window(text, start), (_PHONE_WORD_RE, _ID_WORD_RE))
    if nearest is None:
        nearest = _nearest(_sentence_after(text, end), (_PHONE_WORD_RE, _ID_WORD_RE), before=False)
    return None if nearest is None else ("phone", "id")[nearest]


def _inside_digit_run(text, start, end):
    """A number written with spaces continues a longer run of digit groups ("1234 567890 1234"):
    it is part of something else (an account, a card, a table row), not an ID on its own."""
    return (start >= 2 and text[start - 1] == " " and "0" <= text[start - 2] <= "9") or (
        end + 1 < len(text) and text[end] == " " and "0" <= text[end + 1] <= "9"
    )


def _six_four_subtype(value, text, start, today):
    """Subtype of a ddddddXdddd number: Swedish first, then Finnish, Icelandic, Danish.

    "yymmdd-nnnn" (Swedish, also with "+" or a space), "ddmmyy-nnnn" (Danish, Icelandic) and
    "ddmmyy-nnnC" (Finnish, digit control character) share one shape. A Swedish number with a
    mistyped check digit passes the Danish date check (no checksum since 2007), the Finnish
    mod 31 or the Icelandic mod 11 often enough (about 1 in 3, 31 and 50) to matter on
    Norwegian and Swedish pages, so these foreign readings need their own ID word nearby.
    Finnish numbers with a letter (century A-F/U-Y or a letter check character) are
    distinctive and need none.
    """
    separator, tail = value[6], value[7:]
    digits = value[:6] + tail
    all_digits = tail.isdigit()
    if separator in "-+ " and all_digits:
        subtype = se_national_id_subtype(digits, plus=separator == "+", today=today)
        if subtype:
            return subtype
    window = None
    if separator != " " and _fi_hetu.is_valid(value):
        if separator not in "-+" or not all_digits:
            return "fi_hetu"
        window = _window(text, start)
        if _FI_WORD_RE.search(window):
            return "fi_hetu"
    if separator not in "- " or not all_digits:
        return None
    return _foreign_ten_subtype(digits, window if window is not None else _window(text, start))


def _foreign_ten_subtype(digits, window):
    """Danish CPR or Icelandic kennitala, each only after its own ID word."""
    # Icelandic organisations add 40 to the day: not a person.
    if int(digits[:2]) < 40 and _IS_WORD_RE.search(window) and _is_kennitala.is_valid(digits):
        return "is_kennitala"
    if _CPR_WORD_RE.search(window) and _dk_cpr.is_valid(digits):
        return "dk_cpr"
    return None


def _duf(digits, text, start, today):
    """A Norwegian DUF number (UDI's twelve-digit case number for a foreign person): the year
    of the first application and eight digits. UDI publishes no check-digit rule, so only the
    word "DUF" before it makes it one."""
    year = int(digits[:4])
    return 1980 <= year <= today.year and bool(_DUF_WORD_RE.search(_window(text, start)))


def _national_ids(text, today):
    for match in _ID_RE.finditer(text):
        start, end = match.span()
        value = match.group()
        if _LABEL_RE.search(_window(text, start)):
            continue
        if " " in value and _inside_digit_run(text, start, end):
            continue
        form = match.lastgroup
        could_be = ""
        if form == "no":
            digits = value.replace(" ", "").replace("-", "")
            subtype = no_national_id_subtype(digits, today)
            # Every fødselsnummer also passes the kontonummer checksum: the context decides.
            if _payment_context(text, start, end):
                if _no_kontonr.is_valid(digits):
                    yield _Candidate(start, end, "bank_account", "no_kontonummer", WARN, 4)
                continue
        elif form in ("se12", "duf"):
            digits = value.replace("-", "").replace(" ", "")
            subtype = form == "se12" and se_national_id_subtype(
                digits[2:], century=int(digits[:2]), today=today
            )
            if not subtype and _duf(digits, text, start, today):
                subtype = "no_duf"
        elif form == "six4":
            subtype = _six_four_subtype(value, text, start, today)
        else:  # ten digits, no separator
            window = _window(text, start)
            subtype = _foreign_ten_subtype(value, window) or se_national_id_subtype(
                value, today=today
            )
            if subtype and value[0] == "0" and _could_be_swedish_phone(value):
                # Ten bare digits from 0 can be a Swedish phone number too (and every number
                # from 00 an international one): the words around it decide, and where they do
                # not, it is taken for the more harmful of the two.
                decided = _phone_or_id(text, start, end)
                if decided == "phone":
                    continue
                could_be = "" if decided == "id" else "phone"
        if subtype:
            yield _Candidate(start, end, "national_id", subtype, BLOCK, 6, could_be=could_be)


def _could_be_swedish_phone(ten):
    """Ten digits from 0 that a reader could take for a phone number: a valid Swedish number
    in its national form, or an international call prefix (00) before a country code."""
    if ten[1] == "0":
        return True
    return _phone_kind(46, int(ten[1:])) is not None


# --- Bank accounts --------------------------------------------------------------------------


def _bank_accounts(text):
    for match in _KONTO_RE.finditer(text):
        if _no_kontonr.is_valid(match.group()) and not _LABEL_RE.search(
            _window(text, match.start())
        ):
            yield _Candidate(*match.span(), "bank_account", "no_kontonummer", WARN, 4)
    for match in _SE_ACCOUNT_RE.finditer(text):
        found = _se_account(text, match)
        if found:
            yield found
    for match in _GIRO_NUMBER_RE.finditer(text):
        found = _giro(text, match)
        if found:
            yield found
    for match in _IBAN_RE.finditer(text):
        value = match.group()
        # The pattern may have run into a following code ("NO93 8601 1117 947 KR"): drop
        # trailing groups until the IBAN checks out.
        for _ in range(8):
            if _iban.is_valid(value):
                start = match.start()
                yield _Candidate(start, start + len(value), "bank_account", "iban", WARN, 4)
                break
            cut = value.rfind(" ")
            if cut < 15:
                break
            value = value[:cut]


def _giro(text, match):
    """A bankgiro or plusgiro number at ``match``, if a giro word says so and its check digit
    passes. Bankgiro numbers are seven or eight digits, plusgiro numbers two to eight."""
    value = match.group()
    if "-" in value:
        # The nearest giro word before the number decides.
        before = max(0, match.start() - _GIRO_CHARS)
        words = list(_GIRO_WORD_RE.finditer(text, before, match.start()))
        word = words[-1] if words else None
    else:
        word = _GIRO_LABEL_RE.search(_window(text, match.start()))
    if word is None:
        return None
    digits = value.replace(" ", "").replace("-", "")
    if word.group("bank"):
        valid, subtype = bankgiro_valid(digits), "se_bankgiro"
    else:
        valid, subtype = plusgiro_valid(digits), "se_plusgiro"
    return _Candidate(*match.span(), "bank_account", subtype, WARN, 2) if valid else None


def _se_account(text, match):
    """A Swedish bank account at ``match``, if a bank word stands before it and its bank's
    check passes; an account run into by a following number is cut back group by group."""
    start = match.start()
    if not _SE_BANK_WORD_RE.search(_sentence_before(text, start, _PAYMENT_CHARS)):
        return None
    if _LABEL_RE.search(_window(text, start)):
        return None
    clearing = match.group("clearing").replace("-", "")
    account_start = match.start("account")
    written = match.group("account")
    while written:
        digits = written.replace(" ", "").replace("-", "")
        if se_account_valid(clearing, digits):
            end = account_start + len(written)
            # Nordea's personkonto is numbered by its owner's personnummer: it is an ID. Other
            # ten-digit accounts that read as a valid personnummer may be numbered the same
            # way, and are taken for the more harmful of the two.
            subtype = len(digits) == 10 and se_national_id_subtype(digits)
            if subtype:
                could_be = "" if clearing in ("3300", "3782") else "bank_account"
                return _Candidate(start, end, "national_id", subtype, BLOCK, 6, could_be=could_be)
            return _Candidate(start, end, "bank_account", "se_bankkonto", WARN, 4)
        cut = max(written.rfind(" "), written.rfind("-"))
        written = written[:cut] if cut > 0 else ""
    return None


# --- E-mail ---------------------------------------------------------------------------------


def _emails(text, allowed):
    at = text.find("@")
    previous_end = 0
    while at != -1:
        local = _EMAIL_LOCAL_RE.search(text, max(previous_end, at - 64), at)
        domain = _EMAIL_DOMAIN_RE.match(text, at + 1) if local else None
        start = local.start() if local else 0
        # A local part longer than 64 characters is not an address.
        if domain and not (start > 0 and _EMAIL_LOCAL_CHARS.match(text, start - 1)):
            value = text[start : domain.end()]
            yield _Candidate(
                start, domain.end(), "email", "address", WARN, 1, value.casefold() in allowed
            )
            previous_end = domain.end()
        at = text.find("@", at + 1)
    for marker in _AT_WORD_RE.finditer(text):
        local = _EMAIL_LOCAL_RE.search(text, max(0, marker.start() - 64), marker.start())
        domain = local and _OBFUSCATED_DOMAIN_RE.match(text, marker.end())
        if not domain or (local.start() > 0 and _EMAIL_LOCAL_CHARS.match(text, local.start() - 1)):
            continue
        address = f"{local.group()}@{_DOT_WORD_RE.sub('.', domain.group())}"
        yield _Candidate(
            local.start(), domain.end(), "email", "address", WARN, 1, address.casefold() in allowed
        )


# --- Phone numbers --------------------------------------------------------------------------

_PHONE_SUBTYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed",
    PhoneNumberType.VOIP: "other",
    PhoneNumberType.PERSONAL_NUMBER: "other",
    PhoneNumberType.PAGER: "other",
}
# Toll-free, premium, shared-cost and service numbers belong to businesses and services, not
# to persons: they are not in the table above and are never reported.


@lru_cache(maxsize=4096)
def _phone_kind(country_code, national_number):
    """(subtype, E.164) of a valid personal phone number, else None.

    Builds the number directly instead of parsing text: phonenumbers.parse costs about 100 µs,
    this about 20. ``number_type`` is what ``is_valid_number`` checks, minus the region test,
    which is done on the hits only.
    """
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=national_number)
    kind = _PHONE_SUBTYPES.get(phonenumbers.number_type(number))
    if kind is None or not phonenumbers.is_valid_number(number):
        return None
    region = phonenumbers.region_code_for_number(number)
    known = region in ("NO", "SE") and kind != "other"
    kind = f"{region.lower()}_{kind}" if known else "other"
    return kind, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=1024)
def _international_kind(digits):
    """(subtype, E.164) for a number written with its country code, else None."""
    if digits.startswith("47"):
        return _phone_kind(47, int(digits[2:])) if len(digits) == 10 else None
    if digits.startswith("46"):
        national = digits[2:].removeprefix("0")  # "+46 070 ..." is a common slip
        return _phone_kind(46, int(national)) if 7 <= len(national) <= 9 else None
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    return _phone_kind(number.country_code, number.national_number)


def _not_a_phone_context(text, start, end):
    before = text[max(0, start - 12) : start]
    return (
        _NOT_PHONE_BEFORE_RE.search(before)
        or _NOT_PHONE_AFTER_RE.match(text, end, min(len(text), end + 12))
        or _LABEL_RE.search(_window(text, start))
    )


def _phone_at(text, start, groups, international):
    """(subtype, E.164) if the digit groups from ``start`` form a phone number, else None."""
    digits = "".join(text[a:b] for a, b in groups)
    lengths = [b - a for a, b in groups]
    if international or digits.startswith("00"):
        digits = digits if international else digits[2:]
        if not 8 <= len(digits) <= 15:
            return None
        found = _international_kind(digits)
    elif digits[0] == "0":
        # Swedish national form: 0 + area code (1-3 digits) + subscriber number.
        if not 8 <= len(digits) <= 10 or (len(lengths) > 1 and not 2 <= lengths[0] <= 4):
            return None
        found = _phone_kind(46, int(digits[1:]))
    else:
        # Norwegian: eight digits as 91234567, 912 34 567 or 91 23 45 67.
        if len(digits) != 8 or any(text[a - 1] != " " for a, _ in groups[1:]):
            return None
        # Eight bare digits are often an invoice or reference number, and other groupings
        # ("406 22473", "2212 3456") are less usual: only mobile numbers or numbers after a
        # phone word count.
        if (
            lengths not in ([3, 2, 3], [2, 2, 2, 2])
            and digits[0] not in "49"
            and not _PHONE_WORD_RE.search(_window(text, start))
        ):
            return None
        found = _phone_kind(47, int(digits))
    if found and _not_a_phone_context(text, start, groups[-1][1]):
        return None
    return found


def _phone_end_ok(text, end):
    if end >= len(text):
        return True
    char = text[end]
    if char.isalnum() or char == "_":
        return False
    return not (char in "/.,:" and end + 1 < len(text) and "0" <= text[end + 1] <= "9")


def _phones(text, allowed):
    """Phone numbers in runs of digit groups.

    A run such as "år 2026 912 34 567" holds more than a number: each start group is tried with
    the longest end (at most six groups) that validates, and the run is never split at a hyphen
    ("2026-11-22" stays a date). Linear: at most six tries per group.
    """
    for run in _PHONE_RUN_RE.finditer(text):
        if run.end() - run.start() < 8:
            continue  # fewer than eight digits: no phone number (most runs are years or counts)
        plus = text[run.start()] == "+"
        groups = [
            m.span()
            for m in _DIGITS_RE.finditer(text, run.start(), run.end())
            if m.start() == run.start() or text[m.start() - 1] != "("
        ]
        count = len(groups)
        # Digits before each group, so that ranges of the wrong length are skipped unparsed.
        before = [0]
        for a, b in groups:
            before.append(before[-1] + b - a)
        first = 0
        while first < count:
            if first > 0 and text[groups[first][0] - 1] != " ":
                first += 1
                continue
            start = run.start() if first == 0 and plus else groups[first][0]
            hit = None
            for last in range(min(count - 1, first + 5), first - 1, -1):
                if not 8 <= before[last + 1] - before[first] <= 17:
                    continue
                end = groups[last][1]
                if last < count - 1 and text[end] != " ":
                    continue
                if last == count - 1 and not _phone_end_ok(text, end):
                    continue
                found = _phone_at(text, start, groups[first : last + 1], first == 0 and plus)
                if found:
                    hit = (end, last, found)
                    break
            if hit is None:
                first += 1
                continue
            end, last, (subtype, e164) = hit
            yield _Candidate(start, end, "phone", subtype, WARN, 5, allowed=e164 in allowed)
            first = last + 1


# --- Street addresses -----------------------------------------------------------------------


def _address_key(street, number):
    return " ".join(f"{street} {number}".casefold().split())


def _addresses(text, allowed):
    for match in _ADDRESS_RE.finditer(text):
        street = match.group("street")
        if street.casefold().startswith(_ROAD_PREFIXES):
            continue
        key = _address_key(street, match.group("number"))
        keep = sum(char.isalnum() for char in street)
        yield _Candidate(
            *match.span(), "address", "street_address", WARN, keep, allowed=key in allowed
        )


# --- Allowed contact points -----------------------------------------------------------------


class _Allowed(NamedTuple):
    phones: frozenset
    emails: frozenset
    addresses: frozenset
    accounts: frozenset  # digits only: "50501055", "9386011117947"


def _account_key(value):
    """An account's digits: the same account however it is grouped or labelled."""
    return "".join(char for char in value if "0" <= char <= "9")


@lru_cache(maxsize=64)
def _allowed(values):
    """Normalise the public contact points: phones as E.164, e-mails and addresses folded."""
    phones, emails, addresses, accounts = set(), set(), set(), set()
    for value in values:
        value = value.strip()
        if "@" in value:
            emails.add(value.casefold())
            continue
        # A payment account the municipality publishes (bankgiro, kontonummer, IBAN).
        if len(_account_key(value)) >= 7:
            accounts.add(_account_key(value))
        for match in _ADDRESS_RE.finditer(value):
            addresses.add(_address_key(match.group("street"), match.group("number")))
        for region in ("NO", "SE"):
            try:
                number = phonenumbers.parse(value, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                phones.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return _Allowed(frozenset(phones), frozenset(emails), frozenset(addresses), frozenset(accounts))


# --- Special categories and names -----------------------------------------------------------


class _Entry(NamedTuple):
    category: str
    weak: bool
    rest: re.Pattern | None  # the words after the first, matched right after the first token


class _Lexicon:
    """Word lists compiled for lookup: a prefilter regex finds the words that may start a
    term, then dictionaries give the terms and a small regex per phrase checks the rest."""

    def __init__(self, entries):
        self.case_sensitive = {}
        self.exact = {}
        self.prefix = {}
        self.first3 = set()
        for term, category, weak in entries:
            words = re.split(r"( |-)", term)
            first, rest = words[0], words[1:]
            entry = _Entry(category, weak, self._rest_pattern(rest) if rest else None)
            is_prefix = first.endswith("*")
            first = first.rstrip("*")
            if first.isupper() and not is_prefix:
                self.case_sensitive.setdefault(first, []).append(entry)
                continue
            first = first.lower()
            if len(first) < 3:
                raise ValueError(f"special-category term too short to match safely: {term!r}")
            self.first3.add(first[:3])
            (self.prefix if is_prefix else self.exact).setdefault(first, []).append(entry)
        self.prefix_lengths = sorted({len(key) for key in self.prefix}, reverse=True)
        # Candidate words are found by one regex over the lower-cased text, a trie of every
        # term's first word, so that the engine, not Python, skips all other words.
        self.prefilter = re.compile(
            r"\b"
            + _trie_pattern(dict.fromkeys(self.exact, False) | dict.fromkeys(self.prefix, True))
        )
        self.case_prefilter = (
            re.compile(r"\b" + _trie_pattern(dict.fromkeys(self.case_sensitive, False)))
            if self.case_sensitive
            else None
        )

    @staticmethod
    def _rest_pattern(parts):
        pattern = []
        for part in parts:
            if part == " ":
                pattern.append(r"\s{1,3}")
            elif part == "-":
                pattern.append("-")
            elif part.endswith("*"):
                pattern.append(re.escape(part[:-1]) + r"\w*")
            else:
                pattern.append(re.escape(part) + r"(?!\w)")
        return re.compile("".join(pattern), re.IGNORECASE)

    def entries_for(self, low):
        """The case-insensitive entries whose first word matches the lower-cased word."""
        found = list(self.exact.get(low, ()))
        for length in self.prefix_lengths:
            if length <= len(low):
                found.extend(self.prefix.get(low[:length], ()))
        return found

    def _candidates(self, text):
        """(start, end of first word, entries) for each word that may start a term."""
        lowered = text.lower()
        if len(lowered) == len(text):
            for match in self.prefilter.finditer(lowered):
                yield match.start(), match.end(), self.entries_for(match.group())
        else:  # lower() changed some lengths (rare letters such as "İ"): go word by word
            for match in _WORD_RE.finditer(text):
                low = match.group().lower()
                if low[:3] in self.first3:
                    entries = self.entries_for(low)
                    if entries:
                        yield match.start(), match.end(), entries
        if self.case_prefilter is not None:
            for match in self.case_prefilter.finditer(text):
                yield match.start(), match.end(), self.case_sensitive[match.group()]

    def matches(self, text):
        """(start, end, category, weak) for each term in ``text``, longest first, no overlaps."""
        hits = []
        for start, first_end, entries in self._candidates(text):
            best = None
            for entry in entries:
                end = first_end
                if entry.rest is not None:
                    rest = entry.rest.match(text, end)
                    if not rest:
                        continue
                    end = rest.end()
                if best is None or end > best[1]:
                    best = (start, end, entry.category, entry.weak)
            if best:
                hits.append(best)
        hits.sort(key=lambda hit: (hit[0], -hit[1]))
        skip_until = 0
        for hit in hits:
            if hit[0] >= skip_until:
                skip_until = hit[1]
                yield hit


def _trie_pattern(words):
    """A regex alternation of ``words`` (word -> True when any ending may follow) that branches
    letter by letter, and ends each word where the text's word ends."""
    trie = {}
    for word, is_prefix in words.items():
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[r"\w*" if is_prefix else r"(?!\w)"] = None

    def build(node):
        # Letters first, so that longer words are tried before a word that ends here.
        branches = [
            re.escape(key) + build(child) for key, child in node.items() if child is not None
        ]
        branches += [key for key, child in node.items() if child is None]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return build(trie)


def _load():
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    lexicons = {}
    for lang, sources in _LEXICON_LANGUAGES.items():
        entries = []
        for source in sources:
            weak = set(data["weak"].get(source, ()))
            for category, terms in data["categories"].items():
                entries.extend((term, category, term in weak) for term in terms.get(source, ()))
        lexicons[lang] = _Lexicon(entries)
    names = frozenset(name for names in data["given_names"].values() for name in names)
    return lexicons, names, frozenset(data["name_stopwords"])


#: GIVEN_NAMES start a name; NAME_STOPWORDS are capitalised words that follow a given name
#: only by accident ("Anna Kommun", "Per Skole").
_LEXICONS, GIVEN_NAMES, NAME_STOPWORDS = _load()


def _sentence_bounds(text):
    return [match.end() for match in _SENTENCE_END_RE.finditer(text)]


def _names_in(text, start, end, taken):
    """Person names in text[start:end]: a known given name and at least one more capitalised
    word right after it ("Kari Nordmann", "Anne-Lise Berg"). ``taken`` tells whether a span
    is already another finding."""
    words = [m.span() for m in _CAPWORD_RE.finditer(text, start, end)]
    names = []
    index = 0
    while index < len(words):
        first_start, first_end = words[index]
        given = text[first_start:first_end].split("-")[0]
        if given not in GIVEN_NAMES or taken(first_start, first_end):
            index += 1
            continue
        last = index
        while (
            last + 1 < len(words)
            and last - index < 3
            and words[last + 1][0] == words[last][1] + 1
            and text[words[last][1]] == " "
            and text[words[last + 1][0] : words[last + 1][1]].lower() not in NAME_STOPWORDS
            and not taken(*words[last + 1])
        ):
            last += 1
        if last > index:
            names.append((first_start, words[last][1]))
        index = last + 1
    return names


# --- Resolution and excerpts ----------------------------------------------------------------


class _Spans:
    """Non-overlapping spans kept sorted by start, for overlap tests in O(log n)."""

    def __init__(self):
        self.starts, self.ends, self.items = [], [], []

    def overlaps(self, start, end):
        index = bisect.bisect_left(self.starts, start)
        if index > 0 and self.ends[index - 1] > start:
            return True
        return index < len(self.starts) and self.starts[index] < end

    def add(self, start, end, item):
        """Add a span that overlaps none of the others (cheap when added in start order)."""
        if not self.starts or start >= self.starts[-1]:
            self.starts.append(start)
            self.ends.append(end)
            self.items.append(item)
            return
        index = bisect.bisect_left(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)
        self.items.insert(index, item)


def _resolve(candidates):
    """Keep the strongest of overlapping candidates: higher kind first, then longer, earlier.

    Each detector's own candidates never overlap, so overlaps form small clusters; the sweep
    over candidates sorted by start settles one cluster at a time (no quadratic insertions).
    """
    kept = _Spans()
    cluster, cluster_end = [], -1
    for cand in sorted(candidates, key=lambda c: c.start):
        if cluster and cand.start >= cluster_end:
            _settle(cluster, kept)
            cluster = []
        cluster.append(cand)
        cluster_end = max(cluster_end, cand.end) if len(cluster) > 1 else cand.end
    _settle(cluster, kept)
    return kept


def _settle(cluster, kept):
    """Add the winners of one cluster of overlapping candidates to ``kept``, in start order."""
    if len(cluster) == 1:
        kept.add(cluster[0].start, cluster[0].end, cluster[0])
        return
    winners = _Spans()
    for cand in sorted(cluster, key=lambda c: (-_RANK[c.kind], c.start - c.end, c.start)):
        if not winners.overlaps(cand.start, cand.end):
            winners.add(cand.start, cand.end, cand)
    for cand in winners.items:
        kept.add(cand.start, cand.end, cand)


def _masked(value, cand):
    if cand.kind == "email":
        at = value.find("@")
        marker = _AT_WORD_RE.search(value) if at == -1 else None
        at, after = (marker.start(), marker.end()) if marker else (at, at + 1)
        return f"{mask(value[:at], keep=1)}{value[at:after]}{value[after:]}"
    if cand.kind == "person_name":
        return " ".join(mask(word, keep=1) for word in value.split(" "))
    if cand.kind == "special_category":
        return value  # not personal data on its own
    return mask(value, keep=cand.keep)


def _excerpt(text, findings, index):
    """A few words before the finding plus its masked value, at most about EXCERPT_MAX
    characters. Other findings inside the context are masked as well."""
    cand = findings[index]
    masked = _masked(text[cand.start : cand.end], cand)
    if cand.kind != "special_category":
        masked = _WS_RE.sub(" ", masked)
    budget = EXCERPT_MAX - len(masked)
    if budget < 4:
        return masked
    begin = max(0, cand.start - budget)
    # Context stays within the finding's own line and sentence.
    for sentence_break in _CONTEXT_BREAK_RE.finditer(text, begin, cand.start):
        begin = sentence_break.end()
    if begin > 0 and text[begin - 1].isalnum():
        # The window starts inside a word: drop the fragment.
        space = _WS_RE.search(text, begin, cand.start)
        begin = space.end() if space else cand.start
    parts, position = [], begin
    earlier = index - 1
    while earlier >= 0 and findings[earlier].end > begin:
        earlier -= 1
    for other in findings[earlier + 1 : index]:
        if other.kind == "special_category":
            continue
        lo, hi = max(other.start, begin), min(other.end, cand.start)
        parts.append(text[position:lo])
        parts.append(mask(text[lo:hi]))
        position = hi
    parts.append(text[position : cand.start])
    # Digits in the context are masked too: a number next to a finding may be one that was
    # not reported (after "KID", say) but still repeats the finding's value.
    context = _WS_RE.sub(" ", "".join(parts)).lstrip().translate(_DIGIT_MASK)
    return context + masked


def scan(text: str, lang: str = "nb", allow: Iterable[str] = ()) -> list[PersonalDataFinding]:
    """Find personal data in ``text``.

    ``lang`` ("nb", "nn", "sv" or "en") selects the GDPR art. 9/10 word lists; every ID, phone,
    e-mail, account and address format is checked whatever the language. ``allow`` holds the
    municipality's public contact points as written in its profile (phone numbers, e-mail
    addresses, street addresses): these produce no finding.

    The text is read as a reader reads it (``normalise``: no-break and zero-width characters,
    soft and non-breaking hyphens, full-width digits); the findings' offsets point into ``text``
    as written, so that masking covers the characters as they were typed.

    Returns findings sorted by start, never overlapping, each with a masked excerpt. Raises
    ``InputTooLarge`` for texts over ``MAX_INPUT_CHARS`` before doing any work.
    """
    check_size(text)
    if not isinstance(text, str):
        raise TypeError("text must be a str")
    folded = normalise(text)
    text = folded.text
    lexicon = _LEXICONS.get((lang or "").lower().replace("_", "-").split("-")[0])
    if lexicon is None:
        lexicon = _LEXICONS["en"]  # unknown language: the Norwegian and Swedish lists
    allowed = _allowed(tuple(value for value in allow if isinstance(value, str)))
    today = datetime.date.today()

    candidates = [
        *_national_ids(text, today),
        *_bank_accounts(text),
        *_emails(text, allowed.emails),
        *_phones(text, allowed.phones),
        *_addresses(text, allowed.addresses),
    ]
    if allowed.accounts:
        candidates = [
            cand._replace(allowed=True)
            if cand.kind == "bank_account"
            and _account_key(text[cand.start : cand.end]) in allowed.accounts
            else cand
            for cand in candidates
        ]
    kept = _resolve(candidates)
    final = [cand for cand in kept.items if not cand.allowed]

    specials = [
        (start, end, category, weak)
        for start, end, category, weak in lexicon.matches(text)
        if not kept.overlaps(start, end)
    ]
    if specials:
        bounds = _sentence_bounds(text)
        by_sentence = {}
        for special in specials:
            index = bisect.bisect_right(bounds, special[0])
            by_sentence.setdefault(index, []).append(special)
        special_spans = _Spans()
        for start, end, *_ in specials:
            special_spans.add(start, end, None)

        def taken(start, end):
            return kept.overlaps(start, end) or special_spans.overlaps(start, end)

        for index, items in by_sentence.items():
            sentence_start = bounds[index - 1] if index else 0
            sentence_end = bounds[index] if index < len(bounds) else len(text)
            names = _names_in(text, sentence_start, sentence_end, taken)
            for start, end, category, weak in items:
                # Weak terms name services ("Hjemmetjenesten har nye turnuser"): only worth a
                # warning when a person is named in the same sentence.
                if weak and not names:
                    continue
                severity = BLOCK if names and not weak else WARN
                final.append(_Candidate(start, end, "special_category", category, severity, 0))
            if any(not weak for *_, weak in items):
                for start, end in names:
                    final.append(_Candidate(start, end, "person_name", "name", BLOCK, 1))

    final.sort(key=lambda cand: cand.start)
    return [
        PersonalDataFinding(
            kind=cand.kind,
            subtype=cand.subtype,
            start=folded.original_offset(cand.start),
            end=folded.original_offset(cand.end),
            severity=cand.severity,
            excerpt=_excerpt(text, final, index),
            could_be=cand.could_be,
        )
        for index, cand in enumerate(final)
    ]
