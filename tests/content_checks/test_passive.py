"""Passive voice in bokmål, nynorsk and Swedish: constructions generated from auxiliaries,
adverbs and participles are found; states, adjectives, nouns and deponent verbs that look like
them are not. The look-alikes include sentences from municipal web pages that were false
alarms once."""

import itertools
import unittest

from publishing.content_checks.plain_language import analyze


def passives(text, lang):
    return [span.data["text"] for span in analyze(text, lang).passive]


# Auxiliaries, the small words that may stand between them and the verb, and participles.
BLI = {
    "nb": ["blir", "ble", "bli", "blitt"],
    "nn": ["vart", "vert", "blir", "vorte"],
    "sv": ["blir", "blev", "bli", "blivit"],
}
VAERE = {"nb": ["er", "var", "være", "vært"], "nn": ["er", "var", "vere", "vore"]}
GAPS = {
    "nb": ["", "ikke", "derfor", "ikke alltid"],
    "nn": ["", "ikkje", "difor", "ikkje alltid"],
    "sv": ["", "inte", "därför", "inte alltid"],
}
PARTICIPLES = {
    "nb": [
        "behandlet",
        "sendt",
        "vedtatt",
        "godkjent",
        "innvilget",
        "avslått",
        "registrert",
        "fastsatt",
        "iverksatt",
        "gjort",
        "oppgitt",
        "foreslått",
    ],
    "nn": [
        "behandla",
        "sendt",
        "vedteken",
        "godkjent",
        "innvilga",
        "avslått",
        "registrert",
        "fastsett",
        "gjort",
        "oppgitt",
    ],
    "sv": [
        "beviljad",
        "beviljat",
        "skickad",
        "överklagat",
        "godkänd",
        "prövad",
        "skriven",
        "stängd",
        "skickade",
    ],
}
# After "være" a participle in -et or -a counts only before "av": "er behandlet av".
NEEDS_AGENT = {"behandlet", "innvilget", "behandla", "innvilga"}
MODALS = {
    "nb": ["skal", "må", "kan", "bør"],
    "nn": ["skal", "må", "kan", "bør"],
    "sv": ["ska", "måste", "kan", "bör"],
}
S_PASSIVES = {
    "nb": ["behandles", "betales", "sendes", "vurderes", "innvilges", "publiseres"],
    "nn": ["behandlast", "betalast", "sendast", "vurderast", "innvilgast", "publiserast"],
    "sv": ["behandlas", "betalas", "skickas", "prövas", "göras", "tas", "ges", "beslutas"],
}
SUBJECT = {"nb": "Søknaden", "nn": "Søknaden", "sv": "Ansökan"}
AGENT = {"nb": "av kommunen", "nn": "av kommunen", "sv": "av kommunen"}


class GeneratedConstructionTests(unittest.TestCase):
    def check(self, text, lang, expected):
        with self.subTest(lang=lang, text=text):
            self.assertEqual(passives(text, lang), [expected])

    def test_bli_and_verte_with_a_participle(self):
        for lang in BLI:
            for aux, gap, participle in itertools.product(BLI[lang], GAPS[lang], PARTICIPLES[lang]):
                construction = " ".join(filter(None, [aux, gap, participle]))
                self.check(f"{SUBJECT[lang]} {construction} {AGENT[lang]}.", lang, construction)
                self.check(f"{SUBJECT[lang]} {construction}.", lang, construction)

    def test_vaere_with_a_participle_of_an_act(self):
        for lang in VAERE:
            for aux, gap, participle in itertools.product(
                VAERE[lang], GAPS[lang], PARTICIPLES[lang]
            ):
                construction = " ".join(filter(None, [aux, gap, participle]))
                self.check(f"Planen {construction} {AGENT[lang]}.", lang, construction)
                if participle not in NEEDS_AGENT:
                    self.check(f"Planen {construction}.", lang, construction)

    def test_modal_with_an_s_passive(self):
        for lang in MODALS:
            for modal, gap, verb in itertools.product(MODALS[lang], GAPS[lang], S_PASSIVES[lang]):
                construction = " ".join(filter(None, [modal, gap, verb]))
                self.check(f"{SUBJECT[lang]} {construction} i dag.", lang, construction)

    def test_s_passive_before_a_preposition_or_punctuation(self):
        for lang in S_PASSIVES:
            for verb in S_PASSIVES[lang]:
                if len(verb) < 5:
                    continue
                self.check(f"{SUBJECT[lang]} {verb} {AGENT[lang]}.", lang, verb)
                self.check(f"Slik {verb}.", lang, verb)

    def test_swedish_past_and_supine_s_passives_anywhere(self):
        for verb in ["erlades", "beviljades", "skickades", "fattades", "presenterades"]:
            self.check(f"Avgiften {verb} igår.", "sv", verb)
        for verb in ["beviljats", "skickats", "publicerats"]:
            self.check(f"Den ansökan som {verb} gäller nu.", "sv", verb)
        self.check("Beslutet föranleddes av en ny lag.", "sv", "föranleddes")
        self.check("Ansökan har beviljats.", "sv", "har beviljats")

    def test_an_inverted_subject_between_auxiliary_and_participle(self):
        self.check("Da blir fakturaen sendt til deg.", "nb", "blir fakturaen sendt")
        self.check("Har du avtalegiro, blir faktura sendt dit.", "nb", "blir faktura sendt")
        self.check("Då vert rekninga betalt automatisk.", "nn", "vert rekninga betalt")
        self.check("Då vert avtalen oppretta.", "nn", "vert avtalen oppretta")


class LookAlikeTests(unittest.TestCase):
    def check_none(self, lang, texts):
        for text in texts:
            with self.subTest(lang=lang, text=text):
                self.assertEqual(passives(text, lang), [])

    def test_states_adjectives_and_nouns_after_vaere(self):
        self.check_none(
            "nb",
            [
                "Kontoret er stengt i dag.",
                "Hun er ansatt i kommunen.",
                "Det er tillatt å grille.",
                "Han er kjent for det.",
                "Skolen er ferdig.",
                "Barnet er født i mai.",
                "Det er lurt å søke tidlig.",
                "Det er viktig.",
                "Det er trygt.",
                "Dette er kravet.",
                "Hva er resultatet?",
                "Det er Knut som svarer.",
                "Han er glad.",
                "Det er gratis.",
                "Bussen er forsinket.",
                "Plassene er begrenset.",
                "Vi er interessert.",
                "Det er best å ringe.",
                "Det er høyst usikkert.",
                "Fordelen er blant annet prisen.",
                "Dette er et utkast.",
                "Det er frist i mai.",
                "Det er fullt.",
                "Det er unntatt.",
                "Telefonen er betjent hver dag.",
            ],
        )
        self.check_none(
            "nn",
            [
                "Kontoret er stengt i dag.",
                "Ho er tilsett i kommunen.",
                "Det er lurt å søkje.",
                "Dette er kravet.",
                "Det er saka vi snakkar om.",
                "Nokre dokument kan vere unnateke offentleggjering.",
                "Det er naudsynt.",
                "Han er fødd i mai.",
            ],
        )

    def test_copula_questions_and_nouns_after_bli(self):
        self.check_none(
            "nb",
            [
                "Hva blir prisen?",
                "Hvordan blir været?",
                "Det blir en fin dag.",
                "Han ble syk.",
                "Hun ble lærer.",
                "Vi blir sammen.",
            ],
        )
        self.check_none("nn", ["Kva blir prisen?", "Korleis vert vêret?"])
        self.check_none(
            "sv",
            [
                "Vad blir priset?",
                "Därefter blir öppettiderna som vanligt igen.",
                "Du blir kund hos banken.",
                "När du har anmält blir det aktivt inom två dagar.",
                "Han blev glad.",
                "Det blir svårt.",
            ],
        )

    def test_deponent_verbs(self):
        self.check_none(
            "nb",
            [
                "Det finnes mange tilbud.",
                "Han synes det er fint.",
                "Vi trives her.",
                "Det lykkes ikke.",
                "Vi møtes i morgen.",
                "Hvem kan tenkes å bli med?",
            ],
        )
        self.check_none("nn", ["Vi trivst her.", "Det må lukkast.", "Vi kan møtast i morgon."])
        self.check_none(
            "sv",
            [
                "Det finns många.",
                "Vi hoppas att du kommer.",
                "Det lyckades till slut.",
                "Vi hoppades på sol.",
                "Han har lyckats.",
                "Det kan finnas fler.",
                "Vi andas ut.",
                "Barnen trivs.",
                "Det syns tydligt.",
                "Vi minns dig.",
                "Om det saknas handlingar hör vi av oss.",
                "Det behövs inte.",
                "Han har funnits här länge.",
            ],
        )

    def test_words_in_s_that_are_no_verbs(self):
        self.check_none(
            "nb",
            [
                "Vi bruker cookies.",
                "Norges største kommune.",
                "Diabetes er vanlig.",
                "Det er en kommunes ansvar.",
            ],
        )
        self.check_none(
            "nn",
            [
                "Du må seinast svare i dag.",
                "Det viktigaste er tryggleik.",
                "Til stades: Ordførar og rådmann.",
                "Kast emballasjeplast: i dunken.",
                "Eit utkast til plan.",
                "Podcast: om kommunen.",
            ],
        )
        self.check_none(
            "sv",
            [
                "Bussen har plats för fyrtio.",
                "Ett kalas på lördag.",
                "Han är Annas bror.",
                "På webbplatsen bollnas.se publicerar vi nyheter.",
                "Släng porslin, dricksglas, leksaker.",
                "Den är således inte en handbok.",
                "Nu ska kommunstyrelseförvaltningens kansli gå igenom listan.",
                "Det kan exempelvis ske när intyg krävs.",
                "Innan barnet behöver plats.",
                "Du har en plats. Det är en insats. Tvärtom, en motsats.",
                "Skolan har många parkeringsplatser och en parkeringsplats.",
            ],
        )

    def test_capitalised_names_after_a_modal(self):
        self.check_none("nb", ["I år skal Norges lag spille.", "Der kan Agnes svare."])


class SpanTests(unittest.TestCase):
    def test_spans_slice_the_construction_and_do_not_cross_lines(self):
        text = "Først ble søknaden behandlet. Så skal den arkiveres.\nPlanen er\nvedtatt."
        for span in analyze(text, "nb").passive:
            self.assertEqual(text[span.start : span.end], span.data["text"])
            self.assertNotIn("\n", span.data["text"])
