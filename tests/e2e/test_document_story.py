"""A document with an identity number, in Chromium, as Alvdal's people meet it in bokmål and
Avesta's in Swedish.

A communications editor uploads a decision letter (a real PDF) through Documents → "Add a
document"; the task worker checks it as the upload commits and finds a fødselsnummer (a
personnummer) on page 1, line 3. She links the document from a news page with the body's
document block and Wagtail's document chooser, and saves the draft. The governance side panel
names the document, the place in the file and the kind of data, never the number; publishing is
refused with the reason. She follows the finding's link to the document, replaces the file with
one without the number, goes back to the page: the finding is gone, and she publishes. A citizen
opens the page on the municipality's site and downloads the document.

Each step is a full-page screenshot in ``test-artifacts/document-story-<language>/`` (the side
panel also at 320 px wide). The document rule's messages are read in the story's language; one
still in English is reported as a failed subtest and the story goes on, so that every step
is walked and pictured.
"""

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import override_settings, tag
from django.urls import reverse
from django.utils import translation
from wagtail.documents import get_document_model

from publishing.models import DocumentCheck
from publishing.rules.content import PERSONAL_DATA
from tests.content_checks.document_files import norwegian_id, pdf_with_text, swedish_id
from tests.e2e import ChromiumMixin
from tests.e2e.story import VISIBLE_TEXTS_JS, StoryMixin, english_words, translated
from tests.governance import build_governed, news_page, reload

#: The visible texts of one element (``VISIBLE_TEXTS_JS`` of the stories, below ``root``).
VISIBLE_TEXTS_IN_JS = (
    VISIBLE_TEXTS_JS.replace("() =>", "(root) =>", 1)
    .replace("document.body", "root")
    .replace("document.querySelectorAll", "root.querySelectorAll")
)

#: The document rule's messages the story reads.
FINDING = "%(what)s in the document “%(title)s”: %(places)s."
PAGE = "page %(page)s"
PLACE = "%(place)s, line %(line)s"
FIX = (
    "Remove it from the file (its properties, comments and tracked changes too), then upload the "
    "corrected file on the document's page."
)


@dataclass
class Story:
    language: str  # the admin language of everyone in the story
    locale: str  # the browsers' locale
    municipality: str  # the profile's slug
    page_title: str
    document_title: str
    filename: str
    lines: tuple  # page 1 of the letter; the last line gets the number
    with_number: str  # the last line, with {number}
    without_number: str  # the last line, corrected
    number: str


BOKMAL = Story(
    language="nb",
    locale="nb-NO",
    municipality="alvdal",
    page_title="Nye regler for praktisk bistand",
    document_title="Vedtak om praktisk bistand",
    filename="vedtak-praktisk-bistand.pdf",
    lines=(
        "Vedtak om praktisk bistand",
        "Søknaden er behandlet etter helse- og omsorgstjenesteloven § 3-2.",
    ),
    with_number="Vedtak for søker med fødselsnummer {number}.",
    without_number="Vedtak for søker (navn og fødselsnummer er fjernet).",
    number=norwegian_id(20261205),
)

SWEDISH = Story(
    language="sv",
    locale="sv-SE",
    municipality="avesta",
    page_title="Nya regler för hemtjänst",
    document_title="Beslut om hemtjänst",
    filename="beslut-hemtjanst.pdf",
    lines=(
        "Beslut om hemtjänst",
        "Ansökan har prövats enligt socialtjänstlagen 4 kap. 1 §.",
    ),
    with_number="Beslut för sökande med personnummer {number}.",
    without_number="Beslut för sökande (namn och personnummer är borttagna).",
    number=swedish_id(20261205),
)


@tag("browser")
# Documents are served by Wagtail's view, as in production (config/settings/production.py).
@override_settings(WAGTAILDOCS_SERVE_METHOD="serve_view")
class DocumentStoryTests(StoryMixin, ChromiumMixin, StaticLiveServerTestCase):
    def test_bokmal(self):
        self.walk(BOKMAL)

    def test_swedish(self):
        self.walk(SWEDISH)

    def walk(self, story):
        self.begin(story, "document-story")
        self.asked = set()  # the messages whose translation was checked
        self.files = Path(self.enterContext(tempfile.TemporaryDirectory()))
        # Files on disk: the tests' in-memory storage gives Wagtail's serve view a path on disk
        # where nothing is, and the citizen's download would be "not found".
        media = self.enterContext(tempfile.TemporaryDirectory())
        self.enterContext(
            override_settings(
                MEDIA_ROOT=media,
                STORAGES={
                    **settings.STORAGES,
                    "default": {
                        "BACKEND": "django.core.files.storage.FileSystemStorage",
                        "OPTIONS": {"location": media},
                    },
                },
            )
        )
        self.g = g = build_governed(story.municipality)
        # A public news page that does not affect staff: only the document can stop it.
        self.news = news_page(
            g,
            story.page_title,
            "praktisk-bistand",
            affects_staff=False,
            notice=False,
            author=g.editor,
            intro=story.lines[1],
        )
        try:
            self.editor = self.session(g.editor, story.locale)
            document = self.editor_uploads_the_letter()
            self.editor_links_it_from_the_news()
            self.panel_names_document_place_and_kind(document)
            self.publishing_is_refused(document)
            self.editor_replaces_the_file(document)
            self.editor_publishes()
            self.citizen_downloads_the_letter(document)
        except BaseException:
            self.shoot_every_page()
            raise

    # Helpers.

    def shot(self, page, name):
        """The stories' screenshot, once what moves on the page (a modal fading in, the side
        panel sliding open, a picker appearing) has come to rest; not the help menu's badge, which
        pings for half a minute."""
        page.wait_for_function(
            "() => document.getAnimations().every(animation =>"
            " animation.playState !== 'running'"
            " || animation.effect.getTiming().iterations !== 1)"
        )
        super().shot(page, name)

    def autosave_done(self, page):
        """Wait while the editor's autosave is on its way."""
        page.wait_for_function(
            "() => document.getElementById('w-autosave-indicator')"
            "?.getAttribute('data-w-autosave-state-value') !== 'saving'"
        )

    def letter(self, name, last_line):
        """The decision letter as a real PDF: a title, the story's language, tagged."""
        story = self.story
        return pdf_with_text(
            self.files / name,
            pages=["\n".join([*story.lines, last_line])],
            title=story.document_title,
            lang=story.language,
            tagged=True,
        )

    def say(self, message, **values):
        """``message`` in the story's language with ``values`` filled in; a message without a
        translation is a failed subtest (the admin shows it in English), and the story goes on.
        """
        if message not in self.asked:
            self.asked.add(message)
            with self.subTest(untranslated=message, language=self.language):
                translated(self.language, message)
        with translation.override(self.language):
            text = translation.gettext(message)
            return text % {key: str(value) for key, value in values.items()} if values else text

    def place(self, page, line):
        return self.say(PLACE, place=self.say(PAGE, page=page), line=line)

    def kind(self):
        with translation.override(self.language):
            return str(PERSONAL_DATA["national_id"][0])

    def edit_url(self):
        return f"{self.live_server_url}{reverse('wagtailadmin_pages:edit', args=[self.news.pk])}"

    def open_panel(self, page):
        """The governance side panel, opened by its toggle, once its report is drawn."""
        panel = page.locator("[data-governance-panel]")
        if not panel.is_visible():
            page.locator('[data-side-panel-toggle="governance"]').click()
        panel.wait_for()
        panel.locator("[data-governance-fragment]").wait_for()
        return panel

    def finding(self, panel):
        return panel.locator('[data-finding-code="document_data.national_id"]')

    def assertNoEnglishIn(self, locator, where):
        """No English admin word in what a person sees or hears of ``locator``, as the stories
        check it; a failed subtest, so the story goes on."""
        texts = locator.evaluate(VISIBLE_TEXTS_IN_JS)
        english = [text for text in texts if english_words(text)]
        with self.subTest(english_in=where, language=self.language):
            self.assertEqual(english, [], f"English in {where}")

    def cut_off(self, locator):
        """What hides the right edge of ``locator`` (a box that clips it, or one drawn over it),
        as a person sees text missing at the edge; empty when nothing does."""
        return locator.evaluate(
            """(element) => {
              const box = element.getBoundingClientRect();
              const hidden = [];
              for (const y of [box.top + 8, box.top + box.height / 2, box.bottom - 8]) {
                const hit = document.elementFromPoint(box.right - 4, y);
                if (hit && !element.contains(hit)) {
                  hidden.push(`${hit.tagName}.${hit.className} at (${box.right - 4}, ${y})`);
                }
              }
              return hidden;
            }"""
        )

    def assertNoNumber(self, page, where):
        number = self.story.number
        digits = "".join(c for c in number if c.isdigit())
        html = page.content()
        self.assertNotIn(number, html, where)
        self.assertNotIn(digits, html, where)

    def part(self, message):
        """The longest literal part of ``message`` in the story's language (``fragment`` of the
        stories, with an untranslated message a failed subtest)."""
        parts = re.split(r"%\(\w+\)[sd]|%[sd]", self.say(message))
        return max((part.strip(" :.,") for part in parts), key=len)

    def assertMessage(self, page, message, where):
        """The admin's message after a step says ``message``; English in it (the product's or
        Wagtail's) is a failed subtest."""
        messages = page.locator(".messages").first
        messages.wait_for()
        text = messages.inner_text()
        self.assertIn(self.part(message), text, where)
        with self.subTest(english_in=where, language=self.language):
            self.assertEqual(english_words(text), [], f"English in {where}: {text!r}")
        return text

    # 1. Documents → Add a document: the letter is uploaded, titled and checked.
    def editor_uploads_the_letter(self):
        editor, story, g = self.editor, self.story, self.g
        path = self.letter(story.filename, story.with_number.format(number=story.number))
        editor.locator(f'a[href="{reverse("wagtaildocs:index")}"]').first.click()
        editor.wait_for_url("**/documents/")
        editor.locator(f'a[href="{reverse("wagtaildocs:add_multiple")}"]').first.click()
        editor.wait_for_url("**/documents/multiple/add/")
        collection = editor.locator("#id_adddocument_collection")
        if collection.count():
            self.assertEqual(
                collection.locator("option:checked").inner_text().strip(), g.municipality.name
            )
        editor.set_input_files("#fileupload", str(path))
        form = editor.locator("#upload-list li.upload-success form")
        title = form.locator('input[name$="title"]')
        title.wait_for()
        title.fill(story.document_title)
        self.shot(editor, "editor-uploads-the-letter")
        form.locator("button[type=submit]").click()
        self.assertMessage(editor, "Document updated.", "the message after updating the upload")
        editor.locator("#upload-list > li").wait_for(state="detached")
        document = get_document_model().objects.get(title=story.document_title)
        self.assertEqual(document.uploaded_by_user, g.editor)
        check = DocumentCheck.objects.current().get(document=document)
        self.assertEqual(check.status, DocumentCheck.CHECKED)
        self.assertEqual(
            [(item["kind"], item["where"]) for item in check.findings],
            [("national_id", {"part": "page", "page": 1, "line": 3})],
        )
        self.assertNoNumber(editor, "the upload page")
        self.shot(editor, "letter-uploaded")
        return document

    # 2. The news page links the letter with the body's document block; the draft is saved.
    def editor_links_it_from_the_news(self):
        editor, story = self.editor, self.story
        editor.goto(self.edit_url())
        body = editor.locator('[data-contentpath="body"]').first
        body.locator("button.c-sf-add-button").first.click()
        self.choose_block_type(editor, "doc-full", "Document")
        block = body.locator('[data-contentpath="document"]').first
        block.locator("[data-chooser-action-choose]").first.click()
        modal = editor.locator(".modal").last
        choice = modal.locator("a[data-chooser-modal-choice]", has_text=story.document_title)
        choice.first.wait_for()
        self.shot(editor, "document-chooser")
        choice.first.click()
        block.locator("[data-chooser-title]").filter(has_text=story.document_title).wait_for()
        self.shot(editor, "document-block-chosen")
        self.autosave_done(editor)
        with editor.expect_navigation():
            editor.locator("footer button.action-save").first.click()
        self.assertMessage(
            editor, "Page '%(page_title)s' has been updated.", "the message after saving"
        )
        draft = reload(self.news).get_latest_revision_as_object()
        self.assertEqual(
            [
                block.value["document"].title
                for block in draft.body
                if block.block_type == "document"
            ],
            [story.document_title],
        )

    def choose_block_type(self, editor, icon, label):
        """Pick the block type with ``icon`` in the StreamField's block picker; its name says
        ``label`` (a msgid) in the story's language."""
        option = editor.locator(f'[role="option"]:has(use[href="#icon-{icon}"])').first
        option.wait_for()
        self.assertEqual(option.inner_text().strip(), self.tr(label))
        self.shot(editor, "block-picker")
        option.click()

    # 3. The side panel names the document, the place and the kind, never the number.
    def panel_names_document_place_and_kind(self, document):
        editor, story = self.editor, self.story
        panel = self.open_panel(editor)
        finding = self.finding(panel)
        finding.wait_for()
        text = finding.inner_text()
        expected = self.say(
            FINDING, what=self.kind(), title=story.document_title, places=self.place(1, 3)
        )
        self.assertIn(expected, text)
        self.assertIn(story.document_title, text)
        self.assertIn(self.place(1, 3), text)
        self.assertIn(self.kind(), text)
        self.assertIn(self.say(FIX), text)
        self.assertIn(self.say("Blocks publishing"), text)
        document_url = reverse("wagtaildocs:edit", args=[document.pk])
        link = finding.locator(f'a[href^="{document_url}?next="]')
        self.assertEqual(link.inner_text().strip(), self.say("Fix it"))
        self.assertNoNumber(editor, "the page editor")
        self.assertNoEnglishIn(panel, "the governance side panel")
        self.shot(editor, "panel-names-document-place-and-kind")
        # The same panel on a 320 px wide phone.
        editor.set_viewport_size({"width": 320, "height": 640})
        self.open_panel(editor)
        self.finding(panel).locator("a").scroll_into_view_if_needed()
        overflow = editor.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        self.shot(editor, "panel-320px")
        with self.subTest(reflow="the editor with the side panel at 320 px"):
            self.assertLessEqual(overflow, 0, "the editor scrolls sideways at 320 px")
        editor.set_viewport_size({"width": 1280, "height": 900})

    # 4. Publishing is refused with the reason; the page stays a draft.
    def publishing_is_refused(self, document):
        editor, story = self.editor, self.story
        self.click_footer_action(editor, "action-publish")
        editor.wait_for_load_state()
        refusal = editor.locator("#governance-findings")
        refusal.wait_for()
        text = refusal.inner_text()
        self.assertIn(self.say("Not published:"), text)
        self.assertIn(
            self.say(
                FINDING, what=self.kind(), title=story.document_title, places=self.place(1, 3)
            ),
            text,
        )
        self.assertMessage(
            editor,
            "The page could not be saved due to validation errors.",
            "the message when publishing is refused",
        )
        self.assertNoNumber(editor, "the refusal")
        self.assertNoEnglishIn(refusal, "the refusal under the footer")
        # Wagtail opens the side panel again after the page loads, with a transition: the box
        # fits the column once the panel stands still, as a person sees it.
        editor.wait_for_timeout(600)
        with self.subTest(cut_off="the refusal above the footer, with the side panel open"):
            self.assertEqual(self.cut_off(refusal), [], "the refusal is cut off at the right")
        self.assertFalse(reload(self.news).live, "published with the identity number")
        self.autosave_done(editor)
        self.shot(editor, "publishing-refused")

    # 5. The finding's link leads to the document: the file is replaced by a clean one.
    def editor_replaces_the_file(self, document):
        editor, story = self.editor, self.story
        panel = self.open_panel(editor)
        url = reverse("wagtaildocs:edit", args=[document.pk])
        self.finding(panel).locator(f'a[href^="{url}?next="]').click()
        editor.wait_for_url(f"**{url}?next=*")
        # The document's page says what the check found and where, without the value.
        section = editor.locator(".publishing-document-check")
        self.assertIn(self.say("Personal data in the file"), section.inner_text())
        self.assertIn(f"{self.kind()}: {self.place(1, 3)}", section.inner_text())
        self.assertNoEnglishIn(section, "the document's check on its page")
        self.shot(editor, "document-edit-findings")
        clean = self.letter(story.filename, story.without_number)
        editor.set_input_files("#id_file", str(clean))
        self.assertNoNumber(editor, "the document's edit page")
        self.shot(editor, "document-edit-replace-file")
        with editor.expect_navigation():
            editor.locator("main form button[type=submit]").first.click()
        self.assertMessage(
            editor, "Document '%(document_title)s' updated", "the message after replacing the file"
        )
        # Saved, she is back in the page's editor, where she came from.
        self.assertTrue(editor.url.endswith(self.edit_url()), editor.url)
        check = DocumentCheck.objects.current().get(document=document)
        self.assertEqual(check.status, DocumentCheck.CHECKED)
        self.assertEqual(check.findings, [])
        self.shot(editor, "file-replaced")

    # 6. Back in the page editor the finding is gone; she publishes.
    def editor_publishes(self):
        editor = self.editor
        editor.goto(self.edit_url())
        panel = self.open_panel(editor)
        self.assertEqual(panel.locator('[data-finding-code^="document_data."]').count(), 0)
        self.assertNoEnglishIn(panel, "the governance side panel without findings")
        self.shot(editor, "finding-gone")
        with editor.expect_navigation():
            self.click_footer_action(editor, "action-publish", "Publish")
        self.assertMessage(
            editor, "Page '%(page_title)s' has been published.", "the message after publishing"
        )
        self.assertTrue(reload(self.news).live, self.why_not_live(editor, self.news))
        self.shot(editor, "published")

    # 7. A citizen opens the page on the municipality's site and downloads the letter.
    def citizen_downloads_the_letter(self, document):
        g, story = self.g, self.story
        context = self.new_context(locale=story.locale)
        citizen = context.new_page()
        site = f"http://{g.municipality.site.hostname}:{self.server_thread.port}"
        news = reload(self.news)
        citizen.goto(f"{site}{news.get_url_parts()[2]}")
        self.assertEqual(citizen.locator("h1").inner_text().strip(), story.page_title)
        link = citizen.locator("main a", has_text=story.document_title).first
        href = link.get_attribute("href")
        self.assertIn(f"/documents/{document.pk}/", href)
        self.shot(citizen, "citizen-reads-the-news")
        # The link as the citizen's browser follows it: status and bytes of the clean file.
        status, body = citizen.evaluate(
            """async (href) => {
              const response = await fetch(href);
              return [response.status, Array.from(new Uint8Array(await response.arrayBuffer()))];
            }""",
            href,
        )
        self.assertEqual(status, 200)
        self.assertEqual(bytes(body), (self.files / story.filename).read_bytes())
