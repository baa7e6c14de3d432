"""LIX as lix.se and Björnsson define it: words per sentence plus the percentage of words with
more than six letters, on the sentences a reader sees.

The generated texts are built by rule from sentences whose words, long words and ends are
known by construction, so the expected LIX is known without running the code under test; the
real-text examples were counted by hand.
"""

import math
import random
import unittest
from fractions import Fraction

import textstat

from publishing.content_checks.plain_language import analyze, lix_band, lix_score

LETTERS = "abcdefghijklmnopqrstuvwxyzæøåäö"

# Words that are no sentence end although they end in a full stop or hold one, each with the
# number of letters it has (for the long-word count). A capital may follow all of these but
# the list numbers, which stand at the start of a line (see ``list_item``).
ABBREVIATIONS = {
    "f.eks.": 4,
    "bl.a.": 3,
    "t.ex.": 3,
    "t.d.": 2,
    "ca.": 2,
    "kl.": 2,
    "nr.": 2,
    "dvs.": 3,
    "jf.": 2,
    "inkl.": 4,
    "pga.": 3,
    "s.k.": 2,
    "t.o.m.": 3,
    "evt.": 3,
}
# Numbers are words without letters: never long.
NUMBERS = ["1.5", "12.000", "10.00", "10:30", "2011:1", "3,5", "1/2", "2024"]
# Abbreviations that do end a sentence before a capital, as a reader reads them, and so may
# only stand before a lower-case word inside a sentence.
ABBREVIATIONS_BEFORE_LOWER = {"m.m.": 2, "osv.": 3, "etc.": 3, "m.fl.": 3, "o.l.": 2}
# How a sentence may end, and what may stand between two sentences.
ENDS = [".", "!", "?", ":", "…", ".»", "?)", "."]
GAPS = [" ", "  ", "\n", "\n\n", " \n", "\t"]


def word(rng, letters):
    """A lower-case word of exactly ``letters`` letters."""
    return "".join(rng.choice(LETTERS) for _ in range(letters))


class Sentence:
    """One generated sentence and what it counts: words and long words."""

    def __init__(self, rng, *, heading=False):
        self.tokens, self.words, self.long = [], 0, 0
        for index in range(rng.randint(1, 18)):
            kind = rng.random()
            if kind < 0.08 and index:
                token = rng.choice(list(ABBREVIATIONS))
                self.add(token, ABBREVIATIONS[token])
                # What follows an abbreviation: a capital, a number or a lower-case word.
                follow = rng.choice(["Capital", "number", "lower"])
                if follow == "number":
                    self.add(rng.choice(NUMBERS), 0)
                else:
                    letters = rng.randint(1, 12)
                    text = word(rng, letters)
                    self.add(text.capitalize() if follow == "Capital" else text, letters)
            elif kind < 0.12 and index:
                token = rng.choice(list(ABBREVIATIONS_BEFORE_LOWER))
                self.add(token, ABBREVIATIONS_BEFORE_LOWER[token])
                letters = rng.randint(1, 12)
                self.add(word(rng, letters), letters)
            elif kind < 0.17:
                self.add(rng.choice(NUMBERS), 0)
            elif kind < 0.22:
                left, right = rng.randint(1, 6), rng.randint(1, 9)
                self.add(word(rng, left).upper() + "-" + word(rng, right), left + right)
            elif kind < 0.25:
                self.add("–", None)  # a dash is no word
            else:
                letters = rng.randint(1, 14)
                self.add(word(rng, letters), letters)
        # A sentence starts with a capital, so that a full stop before it ends the previous one.
        first = self.tokens[0]
        if first[0].isalpha():
            self.tokens[0] = first[0].upper() + first[1:]
        else:
            letters = rng.randint(2, 9)
            self.tokens.insert(0, word(rng, letters).capitalize())
            self.words += 1
            self.long += letters > 6
        # End on a word of six letters or more: a full stop after a one-letter word is an
        # initial ("A. Hansen"), and a short word could happen to be an abbreviation.
        letters = rng.randint(6, 12)
        self.add(word(rng, letters), letters)
        self.text = " ".join(self.tokens) + ("" if heading else rng.choice(ENDS))

    def add(self, token, letters):
        self.tokens.append(token)
        if letters is not None:
            self.words += 1
            self.long += letters > 6


def list_item(rng, number):
    """A numbered list item on its own line: the number is no sentence end."""
    letters = rng.randint(3, 10)
    return f"{number}. {word(rng, letters).capitalize()}", 2, int(letters > 6)


def generated_text(seed):
    """A text of headings, sentences and list items, and the counts it must give."""
    rng = random.Random(seed)  # noqa: S311 (test data)
    items, words, sentences, long_words = [], 0, 0, 0
    for _ in range(rng.randint(1, 40)):
        kind = rng.random()
        if kind < 0.1:
            text, count, long = list_item(rng, rng.randint(1, 20))
        else:
            # A heading has no end mark: only a line break ends it.
            sentence = Sentence(rng, heading=kind < 0.2)
            text, count, long = sentence.text, sentence.words, sentence.long
        items.append((text, kind < 0.2))
        words += count
        sentences += 1
        long_words += long
    # Headings and list items are blocks, on lines of their own; sentences may share a line.
    text = items[0][0]
    for (_, block_before), (item, block) in zip(items, items[1:], strict=False):
        gap = rng.choice(["\n", "\n\n", " \n  "]) if block or block_before else rng.choice(GAPS)
        text += gap + item
    return text, words, sentences, long_words


class GeneratedTextTests(unittest.TestCase):
    def test_counts_and_lix_of_generated_texts(self):
        for seed in range(400):
            text, words, sentences, long_words = generated_text(seed)
            with self.subTest(seed=seed, text=text[:300]):
                report = analyze(text, "nb")
                self.assertEqual(
                    (report.lix_words, report.lix_sentences, report.lix_long_words),
                    (words, sentences, long_words),
                )
                expected = lix_score(words, sentences, long_words) if words >= 10 else None
                self.assertEqual(report.lix, expected)
                self.assertEqual(report.band, lix_band(expected))
                if expected is not None:
                    exact = words / sentences + 100 * long_words / words
                    self.assertLessEqual(abs(report.lix - exact), 0.05 + 1e-9)

    def test_the_reported_counts_give_the_reported_lix(self):
        for seed in range(100):
            text, *_ = generated_text(10_000 + seed)
            report = analyze(text, "sv")
            if report.lix is not None:
                self.assertEqual(
                    lix_score(report.lix_words, report.lix_sentences, report.lix_long_words),
                    report.lix,
                )
                data = report.to_dict()
                self.assertEqual(
                    lix_score(data["lix_words"], data["lix_sentences"], data["lix_long_words"]),
                    data["lix"],
                )


class LixScoreTests(unittest.TestCase):
    def test_formula_and_rounding_half_up_on_the_exact_value(self):
        # 12 / 2 + 100 * 4 / 12 = 39.333…
        self.assertEqual(lix_score(12, 2, 4), 39.3)
        # 20 / 8 + 100 * 3 / 20 = 2.5 + 15 = 17.5 exactly
        self.assertEqual(lix_score(20, 8, 3), 17.5)
        # 15 / 4 + 100 * 1 / 15 = 3.75 + 6.666… = 10.4166…
        self.assertEqual(lix_score(15, 4, 1), 10.4)
        # A tie on the exact value rounds up: 21 / 4 + 100 * 0 / 21 = 5.25 → 5.3 (a binary float
        # round() would give 5.2).
        self.assertEqual(lix_score(21, 4, 0), 5.3)
        self.assertEqual(round(21 / 4, 1), 5.2)

    def test_no_lix_without_words_or_sentences(self):
        self.assertIsNone(lix_score(0, 0, 0))
        self.assertIsNone(lix_score(10, 0, 0))

    def test_exact_for_many_counts(self):
        for words in range(1, 120):
            for sentences in range(1, words + 1, 7):
                for long_words in range(0, words + 1, 5):
                    exact = Fraction(words, sentences) + Fraction(100 * long_words, words)
                    score = lix_score(words, sentences, long_words)
                    self.assertLessEqual(abs(Fraction(str(score)) - exact), Fraction(1, 20))


class SentenceEndTests(unittest.TestCase):
    def counts(self, text):
        report = analyze(text, "nb")
        return report.lix_words, report.lix_sentences, report.lix_long_words

    def test_colon_ends_a_sentence(self):
        self.assertEqual(self.counts("Dette må du gjøre: Søk om plass."), (7, 2, 0))
        self.assertEqual(self.counts("Dette må du gjøre: søk om plass."), (7, 2, 0))
        self.assertEqual(self.counts("Møtet er kl. 10:30 i sal 2011:1 i dag."), (9, 1, 0))

    def test_headings_paragraphs_and_list_items_end_sentences(self):
        text = "Faktura fra kommunen\n\nDu får faktura.\n\n  1. AvtaleGiro\n  2. eFaktura\nSlutt"
        # Long: Faktura, kommunen, faktura, AvtaleGiro, eFaktura.
        self.assertEqual(self.counts(text), (11, 5, 5))

    def test_abbreviations_and_numbers_do_not_end_sentences(self):
        text = (
            "Vi har bl.a. bøker, f.eks. Ibsen, og t.ex. Strindberg. Det koster ca. 12.000 kr "
            "eller 1.5 prosent, og vi åpner kl. 10.00 hver dag."
        )
        self.assertEqual(self.counts(text)[1], 2)

    def test_abbreviations_that_often_end_a_sentence_end_it_only_before_a_capital(self):
        self.assertEqual(self.counts("Vi har bøker, aviser m.m. på biblioteket.")[1], 1)
        self.assertEqual(self.counts("Vi har bøker, aviser m.m. Biblioteket er åpent.")[1], 2)

    def test_letters_not_characters_make_a_word_long(self):
        # NAV-kontoret: 11 letters; «søknad» 6; 1234567 none; e-post 5.
        self.assertEqual(self.counts("NAV-kontoret «søknad» 1234567 e-post."), (4, 1, 1))

    def test_long_word_threshold_setting_does_not_change_lix(self):
        text = "Kommunen har vedtatt en ny plan for skolene. Planen gjelder fra august."
        default, other = analyze(text), analyze(text, long_word_letters=5)
        self.assertEqual(default.lix, other.lix)
        self.assertEqual(other.lix_long_words, 4)
        self.assertEqual(other.long_words, 6)  # also "planen", "august"


class RealTextTests(unittest.TestCase):
    """Passages of municipal web pages, counted by hand (a long word has more than six
    letters; numbers, dashes and bullets are no long words; every line is a block)."""

    def check(self, text, lang, words, sentences, long_words):
        report = analyze(text, lang)
        self.assertEqual(
            (report.lix_words, report.lix_sentences, report.lix_long_words),
            (words, sentences, long_words),
        )
        self.assertEqual(report.lix, lix_score(words, sentences, long_words))

    def test_bokmal_invoice_page(self):
        text = (
            "Faktura fra kommunen\n"
            "\n"
            "Nome kommune sender all post digitalt, dette gjelder også fakturaer. Du kan motta "
            "faktura fra kommunen på forskjellige måter, du bestemmer selv hva som passer best "
            "for deg.\n"
            "\n"
            "Fakturaer til privatkunder blir sendt i følgende prioriterte rekkefølge:\n"
            "\n"
            "  1. AvtaleGiro\n"
            "  2. eFaktura\n"
            "  3. Vipps\n"
        )
        # Sentences: the heading; "Nome … fakturaer."; "Du kan … deg."; "Fakturaer … :";
        # the three list items = 7.
        # Words: 3 + 10 + 18 + 9 + 2 + 2 + 2 = 46 (a list number is a word).
        # Long (> 6 letters): Faktura, kommunen | kommune, digitalt, gjelder, fakturaer |
        # faktura, kommunen, forskjellige, bestemmer | Fakturaer, privatkunder, følgende,
        # prioriterte, rekkefølge | AvtaleGiro | eFaktura = 2 + 4 + 4 + 5 + 1 + 1 = 17.
        self.check(text, "nb", 46, 7, 17)
        # 46 / 7 + 100 * 17 / 46 = 6.571 + 36.957 = 43.53 → 43.5. textstat, which splits no
        # sentence at ":" or a line break and drops the list items, says otherwise.
        self.assertEqual(analyze(text, "nb").lix, 43.5)
        self.assertNotEqual(round(textstat.lix(text), 1), 43.5)

    def test_nynorsk_collection_page(self):
        text = (
            "Dunkane for våtorganisk avfall (brunt lok) vert henta kvar 14. dag. Dunkane for "
            "restavfall (grått lok) og for papp/papir (blått lok) vert henta kvar 4. veke.\n"
            "Renovasjonskalender vert sendt til alle husstandar kvart år."
        )
        # "14. dag" and "4. veke": a full stop before a lower-case word ends no sentence, so 3
        # sentences. Words: 11 + 15 + 8 = 34 ("14." and "4." are words).
        # Long: Dunkane, våtorganisk | Dunkane, restavfall, papp/papir (9 letters) |
        # Renovasjonskalender, husstandar = 7.
        self.check(text, "nn", 34, 3, 7)

    def test_swedish_payment_page(self):
        text = (
            "Betala faktura\n"
            "Betalning kan också göras till bankgironummer 633-0294. Uppge vad betalningen "
            "avser, t.ex. fakturanummer eller namn."
        )
        # Sentences: the heading, "Betalning … 633-0294.", "Uppge … namn." = 3; "t.ex." does
        # not end one. Words: 2 + 7 + 8 = 17.
        # Long: faktura, Betalning, bankgironummer, betalningen, fakturanummer = 5.
        self.check(text, "sv", 17, 3, 5)
        # 17 / 3 + 100 * 5 / 17 = 5.667 + 29.412 = 35.08 → 35.1
        self.assertEqual(analyze(text, "sv").lix, 35.1)


class TextstatComparisonTests(unittest.TestCase):
    def test_same_as_textstat_where_the_definitions_agree(self):
        # No abbreviations, numbers, colons or line breaks, every sentence longer than two
        # words: there textstat counts the same words, sentences and long words.
        rng = random.Random(7)  # noqa: S311 (test data)
        for _ in range(50):
            sentences = []
            for _ in range(rng.randint(1, 12)):
                words = [word(rng, rng.randint(1, 12)) for _ in range(rng.randint(2, 14))]
                words.append(word(rng, rng.randint(6, 12)))  # no initial before the stop
                sentences.append(" ".join(words).capitalize() + rng.choice(".!?"))
            text = " ".join(sentences)
            report = analyze(text)
            if report.lix is not None:
                self.assertTrue(math.isclose(report.lix, textstat.lix(text), abs_tol=0.05))

    def test_where_textstat_differs(self):
        # textstat ends a sentence at every full stop ("f.eks.", "1.5") and at none of the
        # headings, and drops "sentences" of two words or fewer.
        text = "Ny skoleplan\nKommunen har f.eks. vedtatt en plan for 1.5 millioner. Den gjelder."
        report = analyze(text)
        # 2 + 9 + 2 words; long: skoleplan, Kommunen, vedtatt, millioner, gjelder.
        self.assertEqual(
            (report.lix_words, report.lix_sentences, report.lix_long_words), (13, 3, 5)
        )
        self.assertNotEqual(report.lix, round(textstat.lix(text), 1))
