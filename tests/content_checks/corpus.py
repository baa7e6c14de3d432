"""A seeded corpus of municipal texts with planted identity numbers and planted decoys.

Every planted number is generated with correct check digits by the published rules (Skatteverket's
and Skatteetaten's), computed here independently of the scanner.
Decoys look like numbers but are not identity numbers: organisation numbers, case and archive
numbers, invoice numbers, dates, amounts, postcodes, phone numbers, and ID-shaped numbers whose
check digits fail.

``generate(seed)`` returns ``Sample`` objects; ``sample.expected_ids`` lists
``(start, end, subtype)`` with ``text[start:end]`` exactly the planted number.
"""

import datetime
import random
from typing import NamedTuple

from stdnum import luhn
from stdnum.no import fodselsnummer as stdnum_fnr
from stdnum.se import personnummer as stdnum_pnr

NO_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
NO_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def seeded(seed):
    """A reproducible generator for test data (not for anything secret)."""
    return random.Random(seed)  # noqa: S311


class Sample(NamedTuple):
    text: str
    expected_ids: list  # (start, end, subtype)
    lang: str
    decoys: list  # (start, end, label)


# --- Numbers ----------------------------------------------------------------------------------


def random_date(rng, first_year, last_year):
    """A random real date, never 29 February (its validity depends on the century rule)."""
    while True:
        first = datetime.date(first_year, 1, 1).toordinal()
        last = datetime.date(last_year, 12, 31).toordinal()
        day = datetime.date.fromordinal(rng.randint(first, last))
        if (day.month, day.day) != (2, 29):
            return day


def no_passes(number):
    """True if the 11 digits pass the Norwegian rules: the classic one (python-stdnum) or the
    2032 one (k1 remainder 0-3, k2 unchanged, date as 20yy)."""
    if stdnum_fnr.is_valid(number):
        return True
    digits = [int(char) for char in number]
    r1 = (sum(w * d for w, d in zip(NO_W1, digits, strict=False)) + digits[9]) % 11
    r2 = (sum(w * d for w, d in zip(NO_W2, digits, strict=False)) + digits[10]) % 11
    if r1 not in (1, 2, 3) or r2:
        return False
    day, month, yy = int(number[0:2]), int(number[2:4]), int(number[4:6])
    if 41 <= day <= 71:
        day -= 40
    elif 41 <= month <= 52:
        month -= 40
    try:
        datetime.date(2000 + yy, month, day)
    except ValueError:
        return False
    return True


def _no_k2(nine_plus_k1):
    k2 = (11 - sum(w * int(d) for w, d in zip(NO_W2, nine_plus_k1, strict=True))) % 11
    return None if k2 == 10 else str(k2)


def make_no(rng, kind="fnr", rule="old"):
    """A valid Norwegian number: kind fnr, d (day + 40) or h (month + 40); rule old or 2032."""
    while True:
        born = random_date(rng, 1945, 2024)
        if born.year >= 2000:
            individual = rng.randrange(500, 1000)
        elif born.year >= 1940 and rng.random() < 0.2:
            individual = rng.randrange(900, 1000)
        else:
            individual = rng.randrange(0, 500)
        day, month = born.day, born.month
        if kind == "d":
            day += 40
        elif kind == "h":
            month += 40
        nine = f"{day:02d}{month:02d}{born.year % 100:02d}{individual:03d}"
        s1 = sum(w * int(d) for w, d in zip(NO_W1, nine, strict=True))
        # The 2032 rule: (s1 + k1) mod 11 may be 1, 2 or 3 (0 is the classic case).
        target = 0 if rule == "old" else rng.choice((1, 2, 3))
        k1 = (target - s1) % 11
        if k1 == 10:
            continue
        k2 = _no_k2(nine + str(k1))
        if k2 is None:
            continue
        number = nine + str(k1) + k2
        if rule == "2032":
            r1 = (s1 + k1) % 11
            assert r1 in (1, 2, 3), number
        assert no_passes(number), number
        return number


def make_se(rng, samordning=False, first_year=1940, last_year=2024):
    """(12-digit string, born) of a valid Swedish personnummer or samordningsnummer."""
    born = random_date(rng, first_year, last_year)
    day = born.day + (60 if samordning else 0)
    nine = f"{born.year % 100:02d}{born.month:02d}{day:02d}{rng.randrange(1, 1000):03d}"
    ten = nine + luhn.calc_check_digit(nine)
    assert luhn.is_valid(ten)
    return f"{born.year // 100}{ten}", born


def make_no_orgnr(rng):
    """A valid Norwegian organisation number (9 digits, mod 11)."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    while True:
        eight = str(rng.choice((8, 9))) + "".join(str(rng.randrange(10)) for _ in range(7))
        check = (11 - sum(w * int(d) for w, d in zip(weights, eight, strict=True))) % 11
        if check != 10:
            return eight + str(check)


def make_se_orgnr(rng):
    """A valid Swedish organisation number: third digit 2 or more, Luhn."""
    nine = (
        str(rng.choice((2, 5, 7, 8, 9)))
        + str(rng.randrange(10))
        + str(rng.randrange(2, 10))
        + "".join(str(rng.randrange(10)) for _ in range(6))
    )
    return nine + luhn.calc_check_digit(nine)


def break_no(rng, number):
    """``number`` with its last digit changed so that no Norwegian rule accepts it."""
    for digit in rng.sample("0123456789", 10):
        candidate = number[:-1] + digit
        if not no_passes(candidate):
            return candidate
    raise AssertionError(number)


def break_se(ten):
    """A Swedish number with a wrong Luhn digit."""
    return ten[:-1] + str((int(ten[-1]) + 1) % 10)


def birth_dates():
    """A day of every year from 1900 to this year, a different month and day each year."""
    today = datetime.date.today()
    for year in range(1900, today.year + 1):
        day = datetime.date(year, year % 12 + 1, year % 28 + 1)
        if day < today:
            yield day


def norwegian_number(day):
    """A valid fødselsnummer for ``day`` (the individual number's range follows the century)."""
    low, high = (0, 499) if day.year < 2000 else (500, 999)
    for individual in range(low, high + 1):
        base = f"{day:%d%m}{day.year % 100:02d}{individual:03d}"
        first = stdnum_fnr.calc_check_digit1(base)
        number = base + first + stdnum_fnr.calc_check_digit2(base + first)
        if stdnum_fnr.is_valid(number) and stdnum_fnr.get_birth_date(number) == day:
            return number
    raise AssertionError(f"no fødselsnummer for {day}")


def swedish_number(day):
    """A valid ten-digit personnummer (YYMMDDNNNC) for ``day``."""
    base = f"{day.year % 100:02d}{day:%m%d}{day.year % 1000 % 97:03d}"
    number = base + luhn.calc_check_digit(base)
    assert stdnum_pnr.is_valid(number), number
    return number


# --- Texts ------------------------------------------------------------------------------------

NB_FILLER = [
    "Alvdal kommune holder åpent møte i kommunestyresalen torsdag kl. 18.00.",
    "Søknadsfristen for barnehageplass er 1. mars.",
    "Renovasjonen henter avfall som vanlig i romjula.",
    "Biblioteket har utvidet åpningstid i vinterferien.",
    "Vi minner om at eiendomsskatten forfaller 20. april.",
    "Alle innbyggere kan gi innspill til kommuneplanen innen fristen.",
    "Brøytingen av kommunale veier starter når det har kommet 10 cm snø.",
    "Kommunestyret behandlet saken i møtet 14. oktober.",
    "Du finner skjemaet på kommunens nettside under Tjenester.",
    "Svar på brevet innen tre uker.",
    "Ta kontakt med servicetorget hvis du har spørsmål.",
    "Vedtaket kan påklages til Statsforvalteren.",
]
SV_FILLER = [
    "Avesta kommun bjuder in till öppet möte i Folkets hus på torsdag kl. 18.00.",
    "Sista dag att söka förskoleplats är den 1 mars.",
    "Sophämtningen går som vanligt under julhelgerna.",
    "Biblioteket har utökade öppettider under sportlovet.",
    "Alla invånare kan lämna synpunkter på översiktsplanen.",
    "Snöröjningen av kommunala gator börjar när det har kommit 8 cm snö.",
    "Kommunfullmäktige behandlade ärendet på sammanträdet den 14 oktober.",
    "Du hittar blanketten på kommunens webbplats under Service.",
    "Svara på brevet inom tre veckor.",
    "Kontakta kontaktcenter om du har frågor.",
    "Beslutet kan överklagas till förvaltningsrätten.",
    "Vattnet stängs av på Kyrkbacken under förmiddagen.",
]

NB_ID_TEMPLATES = [
    "Søker: Kari Nordmann, fødselsnummer {id}.",
    "Vi har mottatt søknaden din (f.nr. {id}) og behandler den nå.",
    "Personopplysninger: {id}, Storgata 12, 2560 Alvdal.",
    "Barnets fødselsnummer er {id} ifølge vedlegget.",
    "Legg ved kopi av legitimasjon og oppgi nummeret {id} i skjemaet.",
    "Lenke til saken: https://alvdal.example.no/skjema?id={id}",
    "Registrert med {id} i folkeregisteret.",
    "Opplysningene gjelder person med nummer {id}.",
]
NB_D_TEMPLATES = [
    "Arbeidstakeren har D-nummer {id} og skal registreres.",
    "Oppgi D-nummer: {id}",
]
NB_H_TEMPLATES = [
    "Pasienten ble registrert med hjelpenummer {id} på legevakta.",
    "H-nummer {id} ble brukt midlertidig.",
]
SV_ID_TEMPLATES = [
    "Sökande: Anna Svensson, personnummer {id}.",
    "Vi har tagit emot din ansökan ({id}) och handlägger den nu.",
    "Personuppgifter: {id}, Storgatan 12B, 774 31 Avesta.",
    "Barnets personnummer är {id} enligt bilagan.",
    "Ange personnummer {id} när du ringer.",
    "Länk till ärendet: https://avesta.example.se/e-tjanst?pnr={id}",
    "Beslutet gäller den person som har nummer {id}.",
]
SV_SAMORDNING_TEMPLATES = [
    "Samordningsnummer {id} har tilldelats av Skatteverket.",
    "Den sökande saknar personnummer men har samordningsnummer: {id}",
]


def _nb_decoys(rng):
    orgnr = make_no_orgnr(rng)
    broken = break_no(rng, make_no(rng))
    return [
        (f"Organisasjonsnummer {orgnr[:3]} {orgnr[3:6]} {orgnr[6:]}.", orgnr),
        (f"Alvdal kommune, org.nr. {orgnr}.", orgnr),
        ("Saken har arkivnummer 2026/1432.", "2026/1432"),
        ("Se KS 2026-000075014 for bakgrunn.", "KS 2026-000075014"),
        ("Vis til saksnr. 26/01432-3 når du svarer.", "26/01432-3"),
        ("Fakturanummer 2026-004512 forfaller 15.12.2026.", "2026-004512"),
        ("Fakturanr. 20264512 gjelder kommunale avgifter.", "20264512"),
        ("Møtet ble holdt 15.03.1991 og igjen 2026-11-22.", "15.03.1991"),
        ("Tilskuddet er på kr 12 500 per søker.", "kr 12 500"),
        ("Prosjektet koster 1 250 000 kroner.", "1 250 000"),
        ("Egenandelen er 12 345 kr i året.", "12 345 kr"),
        (f"Nummeret {broken} har feil kontrollsiffer.", broken),
        (f"Referansen {broken[:6]} {broken[6:]} er ugyldig.", broken),
        ("Postadresse: Postboks 3, 2560 Alvdal.", "2560 Alvdal"),
        ("Ring sentralbordet på 62 48 90 00 eller nødnummer 112.", "62 48 90 00"),
        ("Folketallet var 2 411 ved årsskiftet 2025/2026.", "2 411"),
        ("Kommunenummer 3428 og fylkesnummer 34.", "3428"),
    ]


def _sv_decoys(rng):
    orgnr = make_se_orgnr(rng)
    ten = make_se(rng)[0][2:]
    broken = break_se(ten)
    return [
        (f"Avesta kommun har organisationsnummer {orgnr[:6]}-{orgnr[6:]}.", orgnr),
        (f"Föreningen har organisationsnummer {orgnr}.", orgnr),
        ("Diarienummer KS 2026/1432.", "KS 2026/1432"),
        ("Ärendet har nummer 2026-000075014 i registret.", "2026-000075014"),
        ("Ange dnr. 26/01432-3 i din skrivelse.", "26/01432-3"),
        ("Fakturanummer 2026-0412 ska betalas senast 2026-11-22.", "2026-0412"),
        ("Mötet hölls 15.03.1991 och igen 2026-11-22.", "2026-11-22"),
        ("Bidraget är kr 12 500 per förening.", "kr 12 500"),
        ("Projektet kostar 1 250 000 kronor.", "1 250 000"),
        (f"Numret {broken[:6]}-{broken[6:]} har fel kontrollsiffra.", broken),
        ("Postadress: Box 22, 774 81 Avesta.", "774 81 Avesta"),
        ("Ring växeln på 0226-64 50 00 eller 112 vid nödläge.", "0226-64 50 00"),
        ("Invånarantalet var 23 500 år 2025.", "23 500"),
        ("Kommunkod 2084 och länskod 20.", "2084"),
    ]


def _format_no(rng, number):
    style = rng.choice(("plain", "plain", "space", "hyphen"))
    if style == "space":
        return f"{number[:6]} {number[6:]}"
    if style == "hyphen":
        return f"{number[:6]}-{number[6:]}"
    return number


def _format_se(rng, twelve, born):
    today = datetime.date.today()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    ten = twelve[2:]
    separator = "+" if age >= 100 else "-"
    style = rng.choice(("ten", "ten", "ten_plain", "twelve", "twelve_plain"))
    if style == "ten":
        return f"{ten[:6]}{separator}{ten[6:]}"
    # Ten bare digits starting with 0 read as a Swedish phone number unless an ID word is near.
    if style == "ten_plain" and separator == "-" and ten[0] != "0":
        return ten
    if style == "twelve":
        return f"{twelve[:8]}-{twelve[8:]}"
    return twelve


def _build(pieces):
    """Join (sentence, planted value, subtype, decoy value) pieces into one text, tracking the
    offsets of the planted values and decoys."""
    text, expected, decoys = "", [], []
    for sentence, planted, subtype, decoy in pieces:
        if text:
            text += "\n\n" if text.endswith(":") else " "
        offset = len(text)
        text += sentence
        if planted is not None:
            position = sentence.index(planted)
            expected.append((offset + position, offset + position + len(planted), subtype))
        if decoy is not None and decoy in sentence:
            position = sentence.index(decoy)
            decoys.append((offset + position, offset + position + len(decoy), decoy))
    return text, expected, decoys


def _nb_text(rng):
    pieces = [(s, None, None, None) for s in rng.sample(NB_FILLER, rng.randint(1, 3))]
    for _ in range(rng.randint(1, 3)):
        choice = rng.random()
        if choice < 0.15:
            number, subtype, templates = make_no(rng, "d"), "no_d_nummer", NB_D_TEMPLATES
        elif choice < 0.25:
            number, subtype, templates = make_no(rng, "h"), "no_h_nummer", NB_H_TEMPLATES
        else:
            number, subtype, templates = make_no(rng), "no_fodselsnummer", NB_ID_TEMPLATES
        if rng.random() < 0.35:
            # Half the Norwegian IDs follow the 2032 control-digit rule.
            kind = {"no_d_nummer": "d", "no_h_nummer": "h"}.get(subtype, "fnr")
            number = make_no(rng, kind, rule="2032")
        written = _format_no(rng, number)
        pieces.append((rng.choice(templates).format(id=written), written, subtype, None))
    for sentence, decoy in rng.sample(_nb_decoys(rng), rng.randint(2, 4)):
        pieces.append((sentence, None, None, decoy))
    rng.shuffle(pieces)
    return _build(pieces)


def _sv_text(rng):
    pieces = [(s, None, None, None) for s in rng.sample(SV_FILLER, rng.randint(1, 3))]
    for _ in range(rng.randint(1, 3)):
        samordning = rng.random() < 0.25
        if samordning:
            twelve, born = make_se(rng, samordning=True)
            written = f"{twelve[2:8]}-{twelve[8:]}"
            subtype, templates = "se_samordningsnummer", SV_SAMORDNING_TEMPLATES
        else:
            old = rng.random() < 0.1
            twelve, born = make_se(
                rng, first_year=1915 if old else 1940, last_year=1925 if old else 2024
            )
            written = _format_se(rng, twelve, born)
            subtype, templates = "se_personnummer", SV_ID_TEMPLATES
        pieces.append((rng.choice(templates).format(id=written), written, subtype, None))
    for sentence, decoy in rng.sample(_sv_decoys(rng), rng.randint(2, 4)):
        pieces.append((sentence, None, None, decoy))
    rng.shuffle(pieces)
    return _build(pieces)


def generate(seed=20261122, per_language=60):
    """``per_language`` bokmål and as many Swedish samples, the same for the same seed."""
    rng = seeded(seed)
    samples = []
    for _ in range(per_language):
        text, expected, decoys = _nb_text(rng)
        samples.append(Sample(text, expected, "nb", decoys))
    for _ in range(per_language):
        text, expected, decoys = _sv_text(rng)
        samples.append(Sample(text, expected, "sv", decoys))
    return samples


def decoy_only_texts(seed=7, count=50):
    """Texts made only of filler and decoys: no identity number at all."""
    rng = seeded(seed)
    texts = []
    for index in range(count):
        if index % 2:
            sentences = rng.sample(SV_FILLER, 2) + [s for s, _ in _sv_decoys(rng)]
        else:
            sentences = rng.sample(NB_FILLER, 2) + [s for s, _ in _nb_decoys(rng)]
        rng.shuffle(sentences)
        texts.append(" ".join(sentences))
    return texts
