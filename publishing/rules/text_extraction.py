"""Everything a reader sees on a page, as one text with a map back to where each part came from.

Title, introduction, rich text, StreamField blocks, headings, image captions and alt texts, link
texts and document titles. The text checks get the joined text; findings are mapped back to the
field they are in, so the editor can say where to look.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.db import models
from wagtail.documents.models import AbstractDocument
from wagtail.fields import RichTextField, StreamField
from wagtail.images.models import AbstractImage
from wagtail.models import Page
from wagtail.rich_text import RichText

SEPARATOR = "\n\n"
# Fields of a governed page that describe it rather than say something to the reader.
NOT_CONTENT = {
    "exemption_basis",
    "sensitivity",
    "statement_level",
    "slug",
    "url_path",
    "draft_title",
    "seo_title",
    "search_description",
}
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "br", "tr"}


@dataclass
class Segment:
    """A stretch of the joined text: which field it came from and what kind of text it is."""

    field: str
    label: str
    kind: str  # text | heading | link | alt | caption | document
    start: int
    end: int


@dataclass
class PageText:
    text: str = ""
    segments: list = field(default_factory=list)

    @property
    def link_spans(self):
        return [(s.start, s.end) for s in self.segments if s.kind == "link"]

    def where(self, offset):
        """The innermost segment that holds ``offset`` (links and alt texts before paragraphs)."""
        best = None
        for segment in self.segments:
            if segment.start <= offset < segment.end and (
                best is None or segment.end - segment.start < best.end - best.start
            ):
                best = segment
        return best

    def add(self, field_name, label, text, kind="text"):
        text = (text or "").strip()
        if not text:
            return
        if self.text:
            self.text += SEPARATOR
        start = len(self.text)
        self.text += text
        self.segments.append(Segment(field_name, str(label), kind, start, len(self.text)))


class _RichTextReader(HTMLParser):
    """Turns Wagtail's stored rich text into plain text, noting links and image alt texts."""

    def __init__(self, page_text, field_name, label):
        super().__init__(convert_charrefs=True)
        self.page_text, self.field_name, self.label = page_text, field_name, label
        self.parts = []
        self.links = []  # (start, end) within this field's text
        self.alts = []
        self.link_start = None

    @property
    def length(self):
        return sum(len(part) for part in self.parts)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in _BLOCK_TAGS and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")
        if tag == "a":
            self.link_start = self.length
        elif tag in {"embed", "img"} and attrs.get("alt"):
            self.alts.append(attrs["alt"])

    def handle_endtag(self, tag):
        if tag == "a" and self.link_start is not None:
            self.links.append((self.link_start, self.length))
            self.link_start = None
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)

    def flush(self):
        text = "".join(self.parts)
        stripped = text.strip()
        if stripped:
            lead = len(text) - len(text.lstrip())
            before = len(self.page_text.text) + (len(SEPARATOR) if self.page_text.text else 0)
            self.page_text.add(self.field_name, self.label, stripped)
            for start, end in self.links:
                start, end = max(start - lead, 0), min(end - lead, len(stripped))
                if end > start:
                    self.page_text.segments.append(
                        Segment(self.field_name, self.label, "link", before + start, before + end)
                    )
        for alt in self.alts:
            self.page_text.add(self.field_name, self.label, alt, "alt")


def _add_rich_text(page_text, field_name, label, html):
    reader = _RichTextReader(page_text, field_name, label)
    reader.feed(html or "")
    reader.close()
    reader.flush()


def _walk_stream(page_text, field_name, label, value, kind="text"):
    """Collect the reader-visible text of a StreamField value, whatever its blocks are."""

    if value is None:
        return
    if isinstance(value, RichText):
        _add_rich_text(page_text, field_name, label, value.source)
    elif isinstance(value, str):
        page_text.add(field_name, label, value, kind)
    elif isinstance(value, AbstractDocument):
        page_text.add(field_name, label, value.title, "document")
    elif isinstance(value, AbstractImage):
        # ImageBlock values carry the alt text written for this use of the image.
        alt = getattr(value, "contextual_alt_text", None)
        if alt and not getattr(value, "decorative", False):
            page_text.add(field_name, label, alt, "alt")
    elif hasattr(value, "raw_data") and hasattr(value, "__iter__"):  # StreamValue
        for child in value:
            child_kind = "heading" if child.block_type == "heading" else "text"
            _walk_stream(page_text, field_name, label, child.value, child_kind)
    elif isinstance(value, dict):  # StructValue
        for name, item in value.items():
            item_kind = {"caption": "caption", "title": "link", "alt_text": "alt"}.get(name, "text")
            _walk_stream(page_text, field_name, label, item, item_kind)
    elif isinstance(value, list | tuple) or hasattr(value, "bound_blocks"):  # ListValue
        for item in value:
            _walk_stream(page_text, field_name, label, item, kind)


def extract(page):
    """The reader-visible text of ``page`` (a specific page or an unsaved form instance)."""
    page_text = PageText()
    page_text.add("title", page._meta.get_field("title").verbose_name, page.title, "heading")
    # The browser title and the search-engine description are shown to readers too.
    for name in ("seo_title", "search_description"):
        page_text.add(name, page._meta.get_field(name).verbose_name, getattr(page, name, ""))
    for model_field in content_fields(type(page)):
        name = model_field.name
        label = getattr(model_field, "verbose_name", name)
        value = getattr(page, name, None)
        if isinstance(model_field, RichTextField):
            _add_rich_text(page_text, name, label, value)
        elif isinstance(model_field, StreamField):
            _walk_stream(page_text, name, label, value)
        else:
            page_text.add(name, label, value)
    return page_text


def content_fields(model):
    """The fields of a page type, beyond Wagtail's own, whose text readers see."""
    base_fields = {f.name for f in Page._meta.get_fields()}
    return [
        model_field
        for model_field in model._meta.get_fields()
        if model_field.concrete
        and model_field.name not in base_fields
        and model_field.name not in NOT_CONTENT
        and (
            isinstance(model_field, RichTextField | StreamField)
            or (
                isinstance(model_field, models.CharField | models.TextField)
                and not model_field.choices
            )
        )
    ]


def stored_strings(value):
    """Every string in a stored value: a text, or a StreamField's blocks as JSON data."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from stored_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from stored_strings(item)
