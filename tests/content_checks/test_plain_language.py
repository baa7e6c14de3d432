"""The plain-language checker: LIX, sentences, officialese, passive, links, capitals, speed.

More on LIX in test_lix.py, on the word lists in test_officialese.py and on the passive in
test_passive.py."""

import json
import math
import statistics
import subprocess
import sys
import time
import unittest
from pathlib import Path

import textstat
from django.test import tag
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publishing.content_checks import plain_language
from publishing.content_checks.base import MAX_INPUT_CHARS, InputTooLarge
from publishing.content_checks.plain_language import (
    PlainLanguageReport,
    analyze,
    count_words,
    lix_band,
    lix_score,
    sentence_spans,
)

DATA = Path(plain_language.__file__).parent / "data"

CONTRACT_KEYS = {
    "lix",
    "band",
    "lix_words",
    "lix_sentences",
    "lix_long_words",
    "words",
    "sentences",
    "long_sentences",
    "officialese",
    "passive",
    "long_words",
    "long_paragraphs",
    "vague_links",
    "all_caps",
}
SPAN_LISTS = (
    "long_sentences",
    "long_paragraphs",
    "officialese",
    "passive",
    "vague_links",
    "all_caps",
)


def passives(text, lang):
    return [span.data["text"] for span in analyze(text, lang).passive]


def officialese(text, lang):
    return [span.data["word"] for span in analyze(text, lang).officialese]


def bokmal_text(size, seed):
    """A distinct bokmål text of about ``size`` characters."""
    paragraph = (
        "Søknaden om barnehageplass ble behandlet av kommunen i henhold til reglene. "
        "Vi har herved mottatt dokumentasjonen, f.eks. legeerklæring og bl.a. inntekt. "
        "Søknader behandles fortløpende, og gebyret må betales innen kl. 12 den 17. mai. "
        "Du kan lese mer om tilbudet på nettsidene våre eller ringe servicetorget. "
        "Kommunen skal tilstrebe at alle barn får plass i nærheten av hjemmet sitt.\n\n"
    )
    text = f"Utgave {seed}. " + paragraph * (size // len(paragraph) + 1)
    return text[:size]


class LixTests(unittest.TestCase):
    def test_lix_on_a_hand_computed_text(self):
        # 12 words, 2 sentences, 4 words over six letters (Kommunen, vedtatt, skolene,
        # gjelder): 12 / 2 + 100 * 4 / 12 = 39.33.
        text = "Kommunen har vedtatt en ny plan for skolene. Planen gjelder fra august."
        report = analyze(text)
        self.assertEqual(report.lix, 39.3)
        self.assertEqual(report.band, "easy")
        self.assertEqual((report.words, report.sentences, report.long_words), (12, 2, 4))
        self.assertEqual(
            (report.lix_words, report.lix_sentences, report.lix_long_words), (12, 2, 4)
        )

    def test_headings_are_sentences_of_their_own(self):
        # The heading is one of 3 sentences; 14 words, 5 of them long (skoleplan, Kommunen,
        # vedtatt, skolene, gjelder): 14 / 3 + 100 * 5 / 14 = 40.38. textstat, which ends
        # sentences only at . ! ? and drops those of two words or fewer, gets 2 sentences and
        # 42.71.
        text = (
            "Ny skoleplan\nKommunen har vedtatt en ny plan for skolene. Planen gjelder fra august."
        )
        report = analyze(text)
        self.assertEqual((report.words, report.sentences, report.lix_long_words), (14, 3, 5))
        self.assertEqual(report.lix, 40.4)
        self.assertEqual(round(textstat.lix(text), 1), 42.7)

    def test_band_boundaries(self):
        cases = {
            0.0: "easy",
            39.9: "easy",
            40.0: "medium",
            49.9: "medium",
            50.0: "hard",
            59.9: "hard",
            60.0: "very_hard",
            95.0: "very_hard",
            None: None,
        }
        for lix, band in cases.items():
            with self.subTest(lix=lix):
                self.assertEqual(lix_band(lix), band)

    def test_band_follows_the_rounded_lix(self):
        report = analyze(bokmal_text(2000, "band"))
        self.assertEqual(report.band, lix_band(report.lix))

    def test_no_lix_under_ten_words(self):
        report = analyze("Ni ord er for lite til å gi LIX.")
        self.assertEqual(report.words, 9)
        self.assertIsNone(report.lix)
        self.assertIsNone(report.band)
        self.assertIsNotNone(analyze("Ti ord er nok til å gi en LIX her.").lix)

    def test_empty_text(self):
        report = analyze("")
        self.assertEqual((report.words, report.sentences, report.long_words), (0, 0, 0))
        self.assertIsNone(report.lix)


class SentenceTests(unittest.TestCase):
    def test_long_sentence_offsets_slice_the_sentence(self):
        long_sentence = (
            "Kommunen vil i løpet av høsten sende ut et brev til alle som har søkt om plass, "
            "og i brevet står det hva du må gjøre, hvor mye det koster og når du får svar "
            "fra oss."
        )
        text = f"Kort innledning. {long_sentence} Kort slutt."
        report = analyze(text)
        self.assertEqual(len(report.long_sentences), 1)
        span = report.long_sentences[0]
        self.assertEqual(text[span.start : span.end], long_sentence)
        self.assertEqual(span.data["words"], count_words(long_sentence))
        self.assertEqual(span.data["words"], 37)

    def test_threshold_is_configurable(self):
        text = "Dette er en setning med åtte ord her. Kort."
        self.assertEqual(analyze(text).long_sentences, [])
        self.assertEqual(len(analyze(text, long_sentence_words=7).long_sentences), 1)

    def test_no_split_after_abbreviations_or_inside_numbers(self):
        text = (
            "Møtet er kl. 10, f.eks. i Oslo, bl.a. om nr. 5 og 1.5 millioner osv. og mer. "
            "Se t.ex. Stockholm och 17. mai."
        )
        spans = sentence_spans(text)
        self.assertEqual(len(spans), 2, spans)
        self.assertTrue(text[spans[0].start : spans[0].end].endswith("og mer."))

    def test_short_sentences_and_lines_are_kept(self):
        text = "Overskrift\nHei! Ja. Hva nå?\n- punkt én\n\nSlutt."
        words = [span.data["words"] for span in sentence_spans(text)]
        self.assertEqual(words, [1, 1, 1, 2, 2, 1])

    def test_sentence_ends_before_a_capital(self):
        spans = sentence_spans("Det koster 200 kr. Du kan betale senere. Vi har epler osv. Neste.")
        self.assertEqual(len(spans), 4)

    def test_words_are_whitespace_chunks_with_a_letter_or_digit(self):
        self.assertEqual(count_words("NAV-kontoret – og/eller 17. mai § 5 ..."), 5)

    def test_long_words(self):
        report = analyze("Barnehageplass, NAV-kontoret og 1234567 ord.", long_word_letters=7)
        self.assertEqual(report.long_words, 2)
        self.assertEqual(analyze("Barnehageplass er langt.", long_word_letters=15).long_words, 0)

    def test_long_paragraphs(self):
        long_paragraph = " ".join(["Dette er en setning med sju ord."] * 13)  # 91 words
        text = f"Kort avsnitt.\n\n{long_paragraph}\n   \nEnda et kort avsnitt."
        report = analyze(text)
        self.assertEqual(len(report.long_paragraphs), 1)
        span = report.long_paragraphs[0]
        self.assertEqual(text[span.start : span.end], long_paragraph)
        self.assertEqual(span.data["words"], 91)
        self.assertEqual(analyze(text, max_paragraph_words=100).long_paragraphs, [])


class OfficialeseTests(unittest.TestCase):
    def test_bokmal(self):
        text = (
            "Vi har herved mottatt søknaden vedrørende barnehageplass. I henhold til "
            "reglene må vi benytte skjemaet, samt sende det innen fristen."
        )
        spans = analyze(text, "nb").officialese
        self.assertEqual(
            [span.data["word"] for span in spans],
            ["herved", "vedrørende", "I henhold til", "benytte", "samt"],
        )
        for span in spans:
            self.assertEqual(text[span.start : span.end], span.data["word"])
            self.assertTrue(span.data["suggestion"])
        self.assertEqual(spans[3].data["suggestion"], "bruke")

    def test_nynorsk(self):
        # "vedkomande" is ordinary nynorsk, not officialese.
        text = "Vi viser til søknaden frå vedkomande. I høve til reglane må de iverksetje tiltak."
        self.assertEqual(officialese(text, "nn"), ["I høve til", "iverksetje"])

    def test_swedish(self):
        text = "Ni erhåller beslutet angående bygglov. Beträffande avgiften torde den erläggas."
        spans = analyze(text, "sv").officialese
        self.assertEqual(
            [span.data["word"] for span in spans],
            ["erhåller", "angående", "Beträffande", "torde", "erläggas"],
        )
        self.assertEqual(spans[0].data["suggestion"], "få")

    def test_whole_words_only(self):
        self.assertEqual(officialese("En samtale om samtykke og samtidig samt.", "nb"), ["samt"])
        self.assertEqual(officialese("Hervedlegg og ikke-samt.", "nb"), [])
        self.assertEqual(officialese("Företaget och företagen.", "sv"), [])
        self.assertEqual(officialese("Icke-diskriminering.", "sv"), [])

    def test_multi_word_entries_across_spacing_and_case(self):
        text = "Hva gjelder saken, se «i   forhold\ntil» planen."
        self.assertEqual(officialese(text, "nb"), ["Hva gjelder", "i   forhold\ntil"])

    def test_languages_and_aliases(self):
        text = "Vi har herved mottatt søknaden."
        for lang in ("nb", "nb-NO", "no", "NB", "nb_NO"):
            with self.subTest(lang=lang):
                self.assertEqual(officialese(text, lang), ["herved"])
        self.assertEqual(officialese(text, "en"), [])
        self.assertEqual(officialese(text, "xx"), [])


class PassiveTests(unittest.TestCase):
    def test_required_bokmal_cases(self):
        self.assertEqual(passives("Søknaden ble behandlet", "nb"), ["ble behandlet"])
        self.assertEqual(passives("Søknader behandles fortløpende", "nb"), ["behandles"])
        for text in ("prosess", "adresse", "Vi behandler søknaden", "Prosessen tar tid."):
            with self.subTest(text=text):
                self.assertEqual(passives(text, "nb"), [])

    def test_required_swedish_cases(self):
        self.assertEqual(passives("Ansökan ska skickas", "sv"), ["ska skickas"])
        self.assertEqual(passives("Beslutet blev överklagat", "sv"), ["blev överklagat"])

    def test_bokmal_constructions(self):
        cases = {
            "Søknaden skal ikke behandles før mai.": ["skal ikke behandles"],
            "Gebyret må betales innen fristen.": ["må betales"],
            "Saker som vurderes i utvalget.": ["vurderes"],
            "Deretter blir du kontaktet.": ["blir du kontaktet"],
            "Han har blitt valgt.": ["blitt valgt"],
            "Skjemaet sendes til kommunen.": ["sendes"],
            "Planen utarbeides av rådmannen.": ["utarbeides"],
            "Søknaden blir raskt behandlet.": ["blir raskt behandlet"],
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(passives(text, "nb"), expected)

    def test_nynorsk_constructions(self):
        cases = {
            "Søknaden vart behandla i går.": ["vart behandla"],
            "Søknader skal behandlast fortløpande.": ["skal behandlast"],
            "Det vert ikkje sendt ut.": ["vert ikkje sendt"],
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(passives(text, "nn"), expected)

    def test_swedish_constructions(self):
        cases = {
            "Ansökan blev beviljad.": ["blev beviljad"],
            "Avgiften betalas månadsvis.": ["betalas"],
            "Ansökan prövas av nämnden.": ["prövas"],
            "Ansökan har beviljats.": ["har beviljats"],
            "Ansökan kan göras digitalt.": ["kan göras"],
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(passives(text, "sv"), expected)

    def test_look_alikes_are_not_passive(self):
        cases = {
            "nb": [
                "Det ble en fin dag.",
                "Han ble syk.",
                "Det blir godt vær.",
                "Det finnes flere tilbud.",
                "Det er en kommunes ansvar.",
                "Vi bruker cookies.",
                "Norges største kommune.",
                "Hun ble lærer.",
                "Det blir vanskelig.",
                "Diabetes er vanlig.",
                "Vi blir sammen.",
            ],
            "nn": ["Du må seinast svare i dag.", "Det viktigaste er tryggleik."],
            "sv": [
                "Det finns många.",
                "Vi kan alltid hjälpa.",
                "Bussen har plats för fyrtio.",
                "Det blir svårt.",
                "Han blev glad.",
                "Det blir viktigt.",
                "Ett kalas på lördag.",
                "Han är Annas bror.",
            ],
        }
        for lang, texts in cases.items():
            for text in texts:
                with self.subTest(lang=lang, text=text):
                    self.assertEqual(passives(text, lang), [])

    def test_a_construction_does_not_span_lines(self):
        self.assertEqual(passives("Saken ble\nbehandlet", "nb"), [])

    def test_spans_slice_the_construction(self):
        text = "Først ble søknaden behandlet. Så skal den arkiveres."
        for span in analyze(text, "nb").passive:
            self.assertEqual(text[span.start : span.end], span.data["text"])

    def test_no_passive_rules_for_other_languages(self):
        self.assertEqual(passives("The form was sent. Søknaden ble behandlet.", "en"), [])


class VagueLinkTests(unittest.TestCase):
    text = "Les mer om barnehager. Klikk her. Søk barnehageplass. Her finner du skjemaet."

    def span_of(self, phrase):
        start = self.text.index(phrase)
        return (start, start + len(phrase))

    def test_with_link_spans(self):
        links = [
            self.span_of("Søk barnehageplass"),
            self.span_of("Klikk her."),
            self.span_of("Les mer"),
        ]
        found = analyze(self.text, link_spans=links).vague_links
        self.assertEqual([span.data["text"] for span in found], ["Les mer", "Klikk her."])
        self.assertEqual([(span.start, span.end) for span in found], sorted(links)[:2])

    def test_link_texts_in_all_three_languages(self):
        for label in ("her", "lenke", "Les meir »", "klicka här", "Läs mer", "Read more"):
            with self.subTest(label=label):
                found = analyze(f"{label} om saken", link_spans=[(0, len(label))]).vague_links
                self.assertEqual(len(found), 1)

    def test_link_spans_out_of_bounds_are_clamped(self):
        found = analyze("Klikk her", link_spans=[(-5, 100), (7, 3), (50, 60)]).vague_links
        self.assertEqual([(span.start, span.end) for span in found], [(0, 9)])

    def test_without_link_spans_only_phrases(self):
        found = analyze(self.text + " Du kan klicka här eller Click here.").vague_links
        self.assertEqual(
            [span.data["text"] for span in found], ["Klikk her", "klicka här", "Click here"]
        )


class AllCapsTests(unittest.TestCase):
    def caps(self, text):
        return [span.data["text"] for span in analyze(text).all_caps]

    def test_runs_of_three_words(self):
        self.assertEqual(
            self.caps("VIKTIG MELDING TIL ALLE INNBYGGERE i dag."),
            ["VIKTIG MELDING TIL ALLE INNBYGGERE"],
        )
        self.assertEqual(self.caps("STENGT PÅ GRUNN AV STORM."), ["STENGT PÅ GRUNN AV STORM"])

    def test_single_long_word(self):
        self.assertEqual(self.caps("KOMMUNESTYRET møtes. VIKTIG møte."), ["KOMMUNESTYRET"])

    def test_sami_and_nordic_letters(self):
        self.assertEqual(
            self.caps("Møte i ÁRJÁNGA ČOAHKKIN ÅPENT i dag."), ["ÁRJÁNGA ČOAHKKIN ÅPENT"]
        )

    def test_allowlisted_and_short_abbreviations(self):
        text = "Kontakt NAV, LSS og BUP. GDPR og EØS gjelder. NAV LSS GDPR BUP HVB IKT."
        self.assertEqual(self.caps(text), [])

    def test_a_run_stops_at_the_end_of_a_sentence(self):
        self.assertEqual(self.caps("STENGT I DAG. ÅPENT"), [])


class ReportTests(unittest.TestCase):
    def test_to_dict_matches_the_contract_and_serialises(self):
        text = (
            "Søknaden ble behandlet i henhold til reglene. VIKTIG MELDING TIL ALLE. Klikk her. "
            + " ".join(["Dette er en lang setning."] * 10)
        )
        report = analyze(text, "nb")
        self.assertIsInstance(report, PlainLanguageReport)
        data = report.to_dict()
        self.assertEqual(set(data), CONTRACT_KEYS)
        self.assertEqual(json.loads(json.dumps(data)), data)
        self.assertIsInstance(data["lix"], float)
        self.assertIsInstance(data["words"], int)
        self.assertEqual(data["officialese"][0]["word"], "i henhold til")
        self.assertEqual(
            set(data["officialese"][0]), {"start", "end", "word", "suggestion", "source"}
        )
        self.assertEqual(set(data["passive"][0]), {"start", "end", "text"})
        self.assertEqual(set(data["vague_links"][0]), {"start", "end", "text"})
        self.assertEqual(set(data["all_caps"][0]), {"start", "end", "text"})

    def test_too_large_input_is_refused(self):
        with self.assertRaises(InputTooLarge):
            analyze("a" * (MAX_INPUT_CHARS + 1))

    def test_text_must_be_a_string(self):
        with self.assertRaises(TypeError):
            analyze(b"bytes")

    def test_package_does_not_import_django(self):
        code = (
            "import sys; import publishing.content_checks.plain_language; "
            "sys.exit(any(name.split('.')[0] == 'django' for name in sys.modules))"
        )
        root = Path(plain_language.__file__).resolve().parents[2]
        result = subprocess.run([sys.executable, "-c", code], cwd=root, check=False)
        self.assertEqual(result.returncode, 0)

    def test_no_textstat_and_so_no_text_kept_in_its_caches(self):
        # textstat keeps the last 128 texts per function in lru_caches; the checker does not
        # use it, so a long-lived worker holds no old texts.
        code = (
            "import sys; import publishing.content_checks.plain_language as p; "
            "p.analyze('Kommunen har vedtatt en ny plan for skolene i dag.'); "
            "sys.exit('textstat' in sys.modules)"
        )
        root = Path(plain_language.__file__).resolve().parents[2]
        result = subprocess.run([sys.executable, "-c", code], cwd=root, check=False)
        self.assertEqual(result.returncode, 0)


@tag("slow")
class LinearityTests(unittest.TestCase):
    def test_ten_times_the_text_takes_under_thirty_times_as_long(self):
        # Shapes that would expose backtracking: ordinary text, one endless word, endless
        # spaces, dots, capitals, auxiliaries and openers without anything to match.
        shapes = {
            "text": lambda size, seed: bokmal_text(size, seed),
            "one word": lambda size, seed: seed + "a" * size,
            "spaces": lambda size, seed: seed + "i" + " " * size + "x",
            "dots": lambda size, seed: seed + "." * size,
            "dotted": lambda size, seed: seed + ".a" * (size // 2),
            "capitals": lambda size, seed: seed + "A " * (size // 2) + "b",
            "auxiliaries": lambda size, seed: seed + "skal ikke " * (size // 10),
            "openers": lambda size, seed: seed + " «(" * (size // 3),
            "newlines": lambda size, seed: seed + "\n " * (size // 2),
            "tiny sentences": lambda size, seed: seed + "a… " * (size // 3),
            # Findings whose context is read: officialese that may not stand in a question,
            # "dog", and nouns after "blir" that may be an inverted subject.
            "questions": lambda size, seed: seed + "hva gjelder " * (size // 12),
            "dog": lambda size, seed: seed + "er dog " * (size // 7),
            "inverted": lambda size, seed: seed + "blir fakturaen " * (size // 15),
            "list numbers": lambda size, seed: seed + "1. " * (size // 3),
        }

        def timing(make, size):
            runs = []
            for attempt in range(3):
                text = make(size, f"{attempt}{size} ")  # distinct texts
                started = time.perf_counter()
                analyze(text, "nb")
                runs.append(time.perf_counter() - started)
            return statistics.median(runs)

        for name, make in shapes.items():
            with self.subTest(shape=name):
                small, large = timing(make, 20_000), timing(make, 200_000)
                self.assertLess(large, 30 * max(small, 1e-4), f"{small=:.4f} {large=:.4f}")


# --- properties --------------------------------------------------------------------------------

PHRASES = [
    *("ble behandlet", "skal behandles", "Søknaden", "herved", "samt", "i henhold til"),
    *("klikk her", "VIKTIG MELDING", "KOMMUNESTYRET", "NAV", "bl.a.", "f.eks.", "kl. 10"),
    *("1.5", "17. mai", "osv.", "og", "«sitat»", "(parentes)", "–", "§", "ansökan"),
    *("ska skickas", "blev överklagat", "erhåller", "vedkomande", "i høve til", "vart sendt"),
    *("behandles av", "kommunes.", "İstanbul", "ÁRJÁNGA", "…"),
]
nordic_text = st.lists(
    st.one_of(
        st.sampled_from(PHRASES),
        st.sampled_from([" ", "  ", "\n", "\n\n", "\r\n", ". ", "! ", "? ", "\t", "\u00a0"]),
        st.text(max_size=8),
    ),
    max_size=80,
).map("".join)
any_text = st.one_of(st.text(max_size=400), nordic_text)
link_spans = st.one_of(
    st.none(),
    st.lists(st.tuples(st.integers(-10, 500), st.integers(-10, 500)), max_size=6),
)


class PropertyTests(unittest.TestCase):
    @settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
    @given(
        text=any_text,
        lang=st.sampled_from(["nb", "nn", "sv", "en", "xx"]),
        links=link_spans,
    )
    def test_analyze_never_raises_and_spans_are_sane(self, text, lang, links):
        report = analyze(text, lang, link_spans=links)
        self.assertTrue(report.lix is None or (math.isfinite(report.lix) and report.lix >= 0))
        self.assertEqual(report.band, lix_band(report.lix))
        if report.lix is not None:
            self.assertEqual(
                lix_score(report.lix_words, report.lix_sentences, report.lix_long_words),
                report.lix,
            )
        self.assertEqual((report.lix_words, report.lix_sentences), (report.words, report.sentences))
        self.assertLessEqual(report.lix_long_words, report.lix_words)
        self.assertLessEqual(report.sentences, report.words)
        self.assertLessEqual(report.long_words, report.words)
        if report.words < 10:
            self.assertIsNone(report.lix)
        for name in SPAN_LISTS:
            spans = getattr(report, name)
            self.assertEqual(spans, sorted(spans, key=lambda span: (span.start, span.end)), name)
            for span in spans:
                self.assertTrue(0 <= span.start <= span.end <= len(text), (name, span))
                for key in ("text", "word"):
                    if key in span.data:
                        self.assertEqual(span.data[key], text[span.start : span.end], name)
        json.dumps(report.to_dict())

    @settings(deadline=None, max_examples=200)
    @given(text=any_text)
    def test_sentences_are_ordered_and_disjoint(self, text):
        spans = sentence_spans(text)
        previous_end = 0
        for span in spans:
            self.assertLessEqual(previous_end, span.start)
            self.assertLess(span.start, span.end)
            self.assertFalse(text[span.start].isspace() or text[span.end - 1].isspace())
            self.assertEqual(count_words(text[span.start : span.end]), span.data["words"])
            previous_end = span.end
        self.assertEqual(sum(span.data["words"] for span in spans), count_words(text))
