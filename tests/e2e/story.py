"""The editor's steps of the governed workflow in Chromium, shared by the workflow stories.

A story mixes ``StoryMixin`` into a ``ChromiumMixin`` live-server test case and sets ``shots``
(its screenshot folder under ``test-artifacts/``) and ``language``, the admin language of its
people ("en", "nb" or "sv"). Elements are found by stable attributes (names, ids, ``data-*``),
never by their label, so the same steps run in every language; what a step reads is checked
against the message in that language (``translated``, ``fragment``).
"""

import contextlib
import json
import re

from django.utils import translation

from tests.e2e import ARTIFACTS, set_admin_language, sign_in, wait_for_editors_to_leave
from tests.governance import reload

#: Words of the English admin that no bokmål or Swedish admin text uses: one of them in a text
#: read in the bokmål or Swedish admin is an untranslated string.
ENGLISH = re.compile(
    r"\b(the|and|with|your|you|this|that|page|pages|submit|submitted|approve|approved|notice|"
    r"cancel|save|saved|publish|published|create|created|changes|request|workflow|moderation|"
    r"waiting|confirm|confirmed|checklist|please|cannot|edit|preview|draft|warning|warnings|"
    r"reason|leader|staff|which|should|been|has|already|because|until|nothing|of|help|search|"
    r"toggle|collapse|expand|visible|private|account|avatar|error|errors|validation|items|menu|"
    r"guide|new|actions|ago|second|seconds|minutes|password|true|false|showing)\b",
    re.IGNORECASE,
)

#: The texts of a page a person sees or hears: visible text nodes, text only a screen reader
#: reads (tagged "[screen reader]") and the labels of controls ("[aria-label]" and so on).
VISIBLE_TEXTS_JS = """() => {
  const seen = new Set();
  const visible = (el) => el && el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || ["SCRIPT", "STYLE", "TEMPLATE"].includes(parent.tagName)) continue;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (!text || !visible(parent)) continue;
    const box = parent.getBoundingClientRect();
    seen.add(box.width <= 1 || box.height <= 1 ? `[screen reader] ${text}` : text);
  }
  for (const el of document.querySelectorAll("[aria-label], [title], [placeholder]")) {
    if (!visible(el)) continue;
    for (const name of ["aria-label", "title", "placeholder"]) {
      const text = (el.getAttribute(name) || "").trim();
      if (text) seen.add(`[${name}] ${text}`);
    }
  }
  return [...seen];
}"""

#: Messages the stories read that the admin may show in English in a language (``{language:
#: {msgid}}``): none since publishing/wagtail_internals/locale completes Wagtail's catalogues. A
#: message put here must be taken off once it is translated; the stories fail until it is.
UNTRANSLATED = {}


def translated(language, message):
    """``message`` (a msgid of the project, Django or Wagtail) in ``language``.

    Outside English it must have a translation: the same text as the msgid means the admin shows
    it in English.
    """
    with translation.override(language):
        text = translation.gettext(message)
    untranslated = language != "en" and text == message
    if message in UNTRANSLATED.get(language, ()):
        if not untranslated:
            raise AssertionError(f"{message!r} is translated to {language} now: not UNTRANSLATED")
    elif untranslated:
        raise AssertionError(f"{message!r} has no {language} translation")
    return text


def fragment(language, message):
    """The longest literal part of ``message`` in ``language``, between its placeholders: what a
    test looks for in the text the admin shows with the values filled in."""
    parts = re.split(r"%\(\w+\)[sd]|%[sd]", translated(language, message))
    return max((part.strip(" :.,") for part in parts), key=len)


def english_words(text):
    """The English admin words in ``text`` (none in a translated text)."""
    return sorted({word.lower() for word in ENGLISH.findall(text)})


class StoryMixin:
    """People signed in to the admin in their own browsers, the editor's steps they take, and a
    numbered screenshot of each step; pages are left and closed before the database is flushed.
    """

    shots = None  # the folder of the story's screenshots
    language = "en"

    def setUp(self):
        super().setUp()
        self.step = 0
        self.contexts = []
        self.english_seen = {}

    def begin(self, story, name):
        """Walk ``story`` in its language, its screenshots in a fresh folder ``name``-<language>."""
        self.language = story.language
        self.story = story
        self.shots = ARTIFACTS / f"{name}-{story.language}"
        for old in self.shots.glob("*"):
            old.unlink()

    def tearDown(self):
        # Leave the pages and close them before the database is flushed: an open editor keeps
        # pinging the server, and a late request would recreate rows in the emptied database.
        for context in self.contexts:
            for page in context.pages:
                page.goto("about:blank")
        wait_for_editors_to_leave()
        for context in self.contexts:
            context.close()
        super().tearDown()

    def new_context(self, **kwargs):
        kwargs.setdefault("viewport", {"width": 1280, "height": 900})
        context = self.browser.new_context(**kwargs)
        self.contexts.append(context)
        return context

    def session(self, user, locale="en", **kwargs):
        """A browser page signed in as ``user``, whose admin language is the story's."""
        set_admin_language(user, self.language)
        page = self.new_context(locale=locale, **kwargs).new_page()
        page.set_default_timeout(15_000)
        sign_in(page, self.live_server_url, user)
        return page

    def shoot_every_page(self, prefix="failed"):
        """A screenshot of every open page, for a step that failed."""
        for c, context in enumerate(self.contexts):
            for p, page in enumerate(context.pages):
                # Best effort: the failure is reported anyway.
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(self.shots / f"{prefix}-{c}-{p}.png"), full_page=True)

    def shot(self, page, name):
        """A full-page screenshot of the next step; outside English, also note the visible texts
        that look English (``english.json`` in the folder; the test asserts on what it reads)."""
        self.step += 1
        self.shots.mkdir(parents=True, exist_ok=True)
        # A menu of the editor footer that was used fades out for a moment; not in the picture.
        page.wait_for_function(
            "() => [...document.querySelectorAll('.tippy-box[data-state=hidden]')]"
            ".every(box => getComputedStyle(box).opacity === '0')"
        )
        filename = f"{self.step:02d}-{name}.png"
        page.screenshot(path=str(self.shots / filename), full_page=True)
        if self.language != "en":
            texts = page.evaluate(VISIBLE_TEXTS_JS)
            english = [text for text in texts if english_words(text)]
            if english:
                self.english_seen[filename] = english
            (self.shots / "english.json").write_text(
                json.dumps(self.english_seen, ensure_ascii=False, indent=1)
            )

    # What the admin says, in the story's language.

    def tr(self, message):
        return translated(self.language, message)

    def fragment(self, message):
        return fragment(self.language, message)

    def assertNotEnglish(self, text, where):
        if self.language != "en":
            self.assertEqual(english_words(text), [], f"English in {where}: {text!r}")

    def assertSays(self, locator, messages, where):
        """``locator``'s text contains ``messages`` (a msgid, or a list of which one will do)
        in the story's language, and no English."""
        messages = [messages] if isinstance(messages, str) else messages
        locator.first.wait_for()
        text = locator.first.inner_text()
        said = [message for message in messages if self.fragment(message) in text]
        self.assertTrue(said, f"{where}: {text!r} says none of {messages}")
        if not set(said) & UNTRANSLATED.get(self.language, set()):
            self.assertNotEnglish(text, where)
        return text

    # The page editor.

    def footer_action(self, page, name):
        """An action of the editor footer, opening the "more actions" menu if needed."""
        button = page.locator(
            f'footer button[name="{name}"], footer button[data-workflow-action-name="{name}"]'
        ).first
        if not button.is_visible():
            page.locator(
                "footer [data-w-dropdown-target='toggle'], footer .dropdown-toggle"
            ).first.click()
        button.wait_for()
        return button

    def click_footer_action(self, page, name, label=None):
        """Click an action in the editor footer; with ``label`` (a msgid), check its text."""
        button = self.footer_action(page, name)
        # Not while the editor's autosave is on its way: on a new page it creates the page,
        # and a submit sent meanwhile would try to create it a second time.
        page.wait_for_function(
            "() => document.getElementById('w-autosave-indicator')"
            "?.getAttribute('data-w-autosave-state-value') !== 'saving'"
        )
        if label:
            text = button.inner_text().strip()
            self.assertIn(self.fragment(label), text, f"footer action {name}")
            self.assertNotEnglish(text, f"footer action {name}")
        button.click()

    def open_tab_of(self, page, selector):
        """Open the editor tab that holds ``selector``'s field."""
        panel = page.locator(f"[role=tabpanel]:has({selector})").first
        page.locator(f'[role=tab][aria-controls="{panel.get_attribute("id")}"]').click()
        page.locator(selector).first.scroll_into_view_if_needed()

    def confirm_checklist(self, page, name=None):
        """Tick every item under "Before you submit" on the editor's content tab."""
        self.open_tab_of(page, 'input[name="submit_checklist"]')
        boxes = page.locator('input[name="submit_checklist"]')
        if name:
            self.shot(page, name)
        for index in range(boxes.count()):
            boxes.nth(index).check()

    def approve(
        self, page, url, name, summary=None, modal=True, reason=None, label=None, note=None
    ):
        """Approve the current task from the editor footer (through its modal, if it has one).

        With ``reason``, the modal must ask for one: approving without it is refused in the
        modal, then the reason is written for each warning. With ``label`` (a msgid), the
        footer's button and the modal's say it. With ``note``, the modal must show the
        submitter's note to the approver and what the version changes against the live page
        (a page never live: that it is new).
        """
        page.goto(url)
        if not modal:
            self.shot(page, name)
            with page.expect_navigation():
                self.click_footer_action(page, "approve", label)
            return
        self.click_footer_action(page, "approve", label)
        dialog = page.locator("form[action*='/workflow/']").last
        dialog.wait_for()
        if label:
            text = dialog.locator("button[type=submit]").first.inner_text()
            self.assertIn(self.fragment(label), text, "the approval modal's button")
            self.assertNotEnglish(text, "the approval modal's button")
        if summary:
            page.locator(".publishing-governance").last.get_by_text(summary).first.wait_for()
        if note:
            changes = page.locator(".publishing-leader-review .publishing-changes").last
            self.assertIn(note, changes.locator(".publishing-submission-note").inner_text())
            self.assertSays(
                changes.locator("h3"),
                "What this version changes against the live page",
                "the changes' heading in the approval modal",
            )
            self.assertSays(
                changes.locator(".help-block").last,
                "New page: nothing of it is live yet, so all of it is new.",
                "a new page's changes in the approval modal",
            )
        if reason:
            review = page.locator(".publishing-leader-review").last
            self.assertSays(
                review.locator(".publishing-checklist-confirmation p"),
                [
                    "Confirmed by %(who)s on %(when)s for this version:",
                    "Confirmed by %(who)s on %(when)s:",
                ],
                "the checklist confirmation in the approval modal",
            )
            self.assertNotEnglish(
                review.locator("#warnings-heading").inner_text(), "the warnings' heading"
            )
            dialog.locator("button[type=submit]").first.click()
            refusal = page.locator(".publishing-leader-review").last.get_by_text(
                self.fragment(
                    "Acknowledge each warning with a written reason before you approve. Still "
                    "without a reason: %(warnings)s"
                )
            )
            refusal.first.wait_for()
            self.assertNotEnglish(refusal.first.inner_text(), "the refusal without a reason")
            dialog = page.locator("form[action*='/workflow/']").last
            reasons = dialog.locator("textarea[name^='reason__']")
            self.assertGreater(reasons.count(), 0)
            for index in range(reasons.count()):
                reasons.nth(index).fill(reason)
        self.shot(page, name)
        with page.expect_navigation():
            dialog.locator("button[type=submit]").first.click()

    def why_not_live(self, browser_page, page):
        """What the editor said and who wrote which revision, for a failed step's message."""
        page = reload(page)
        state = page.current_workflow_state
        revisions = list(page.revisions.order_by("pk"))
        changed = []
        if len(revisions) > 1:
            before, after = revisions[-2].content, revisions[-1].content
            changed = [key for key in after if before.get(key) != after.get(key)]
        return (
            f"messages: {browser_page.locator('.messages').all_inner_texts()}; "
            f"revisions by: {[r.user.username for r in revisions]}; changed: {changed}; "
            f"workflow: {state.status if state else None}"
        )
