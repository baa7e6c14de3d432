"""Page addresses in ASCII: the server makes the address the editor's script makes in the
browser, for every letter the script writes in ASCII, in every Unicode form and case."""

import itertools
import re
import unicodedata
from pathlib import Path

import wagtail
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from publishing.slugs import LETTERS, ascii_slug
from tests.governance import EnglishAdminMixin, news_page
from tests.worlds import GovernedWorld

#: The editor's script (Wagtail's admin bundle), which holds ``urlify``'s tables of letters.
SCRIPT = Path(wagtail.__file__).parent / "admin/static/wagtailadmin/js/core.js"


def scripts_letters():
    """``{letter: ascii}`` of the Latin letters in the editor's script's table."""
    text = SCRIPT.read_text(encoding="utf-8")
    pairs = re.findall(r'\["([^\x00-\x7f])","([A-Za-z]+)"\]', text)
    return {
        letter: ascii for letter, ascii in pairs if unicodedata.name(letter).startswith("LATIN")
    }


class AsTheEditorsScriptWritesTests(SimpleTestCase):
    def test_every_letter_we_write_is_written_so_by_the_script(self):
        table = scripts_letters()
        for letter in LETTERS:
            with self.subTest(letter=chr(letter)):
                self.assertEqual(table.get(chr(letter)), LETTERS[letter])

    def test_every_latin_letter_of_the_script_gives_the_scripts_address(self):
        # Letters with a mark (å, ä, ö, é, ü) come out as the script writes them too: in
        # composed and decomposed form.
        for letter, written in scripts_letters().items():
            for form in ("NFC", "NFD"):
                word = unicodedata.normalize(form, f"x{letter}x")
                with self.subTest(letter=letter, form=form):
                    self.assertEqual(ascii_slug(word), f"x{written.lower()}x")

    def test_nordic_titles_in_every_form_and_case(self):
        titles = {
            "Søknad om barnehageplass": "soknad-om-barnehageplass",
            "Ærlig talt: Å bo på Øya": "aerlig-talt-a-bo-pa-oya",
            "Öppet hus på Ängsgården": "oppet-hus-pa-angsgarden",
            "Þórshöfn og Reykjavík": "thorshofn-og-reykjavik",
        }
        for (title, address), form, case in itertools.product(
            titles.items(), ("NFC", "NFD", "NFKC", "NFKD"), (str, str.upper, str.lower)
        ):
            with self.subTest(title=title, form=form, case=case.__name__):
                self.assertEqual(ascii_slug(unicodedata.normalize(form, case(title))), address)


class AddressesMadeOnTheServerTests(GovernedWorld, EnglishAdminMixin, TestCase):
    def test_a_notice_created_for_a_page_gets_the_address_the_editor_would_give(self):
        g = self.world_objects()
        page = news_page(g, "Søndagsåpent på Ærøy", "sondagsapent", notice=False)
        url = reverse("publishing:create_notice", args=[page.pk])
        self.login(g.publisher)
        notices = []
        for _ in range(2):
            self.client.post(url, {"title": "Til ansatte: Søndagsåpent", "intro": "Gjelder deg."})
            page.refresh_from_db()
            notices.append(page.get_latest_revision_as_object().internal_notice)
            draft = page.get_latest_revision_as_object()
            draft.internal_notice = None  # so that another notice may be created for it
            draft.save_revision(user=g.publisher)
        self.assertEqual(
            [notice.slug for notice in notices],
            ["til-ansatte-sondagsapent", "til-ansatte-sondagsapent-2"],
        )

    def test_the_editor_makes_ascii_addresses(self):
        g = self.world_objects()
        self.login(g.publisher)
        page = news_page(g, "Kveldsåpent", "kveldsapent-bibliotek", notice=False)
        html = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content
        slug_input = re.search(rb'<input[^>]*name="slug"[^>]*>', html).group()
        # Wagtail leaves the attribute out when unicode is not allowed: its script's default.
        self.assertIn(b'data-controller="w-slug"', slug_input)
        self.assertNotIn(b"allow-unicode", slug_input)
