"""Text rules: personal data and plain language, on everything a reader sees on the page.

The analyzers in ``publishing.content_checks`` are plain Python and return codes; this module
gives each finding its message and fix in the reader's language, says where on the page it is,
and applies the municipality's targets from its profile.
"""

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publishing.content_checks import personal_data, plain_language
from publishing.content_checks.base import BLOCK, WARN, InputTooLarge
from publishing.rules import shared_analysis
from publishing.rules.bulk import Missing, audiences_of, facts_of
from publishing.rules.engine import EDIT, PUBLISH, SUBMIT, Finding, rule
from publishing.rules.text_extraction import extract
from publishing.wording import field_label

PERSONAL_DATA = {
    "national_id": (
        gettext_lazy("A national identity number"),
        gettext_lazy("Remove it: identity numbers are never published."),
    ),
    "phone": (
        gettext_lazy("A phone number"),
        gettext_lazy(
            "If it is a person's own number, remove it or give the switchboard or the service's "
            "public number instead."
        ),
    ),
    "email": (
        gettext_lazy("An e-mail address"),
        gettext_lazy("If it is a person's own address, use the service's shared address instead."),
    ),
    "bank_account": (
        gettext_lazy("A bank account number"),
        gettext_lazy("Remove it unless it is the municipality's own published account."),
    ),
    "address": (
        gettext_lazy("A street address"),
        gettext_lazy("If it is where someone lives, remove it or make it less precise."),
    ),
    "special_category": (
        gettext_lazy("A word about health, welfare, faith, union, origin or crime"),
        gettext_lazy(
            "Make sure no one can be identified: such information about a person is "
            "sensitive personal data (GDPR art. 9 and 10)."
        ),
    ),
    "person_name": (
        gettext_lazy("A person's name in the same sentence as sensitive information"),
        gettext_lazy("Remove the name or the sensitive information."),
    ),
}

#: Numbers that read as identity numbers but could be something else, by what else they could be.
NATIONAL_ID_OR = {
    "phone": (
        gettext_lazy("An identity number, or a phone number written without spaces"),
        gettext_lazy(
            "Remove it if it is an identity number. If it is a phone number, write it in groups "
            "(070-123 45 67) so that it reads as one."
        ),
    ),
    "bank_account": (
        gettext_lazy("A bank account numbered by an identity number"),
        gettext_lazy(
            "Remove it: many personal accounts are numbered by their owner's identity number."
        ),
    ),
}

#: Cap on findings of one kind, so that a page full of numbers gives a readable report.
MAX_PER_KIND = 10


def page_text(context):
    """The page's reader-visible text, extracted once per evaluation."""
    if "page_text" not in context._cache:
        context._cache["page_text"] = extract(context.page)
    return context._cache["page_text"]


@dataclass
class TextResults:
    """What the text checks found on one version of a page, in no language.

    The rules word it for the reader; ``stored()`` is what a live page keeps of it
    (``LiveTextCheck``): everything but the masked excerpts, which only the writer sees.
    """

    #: The text's size when it is too large to check; then nothing else was checked.
    too_large: int | None = None
    #: ``{"kind", "severity", "field", "excerpt"}`` in text order, at most ``MAX_PER_KIND``
    #: of a kind, with ``"could_be"`` when the number may be another kind too.
    personal_data: list = field(default_factory=list)
    lix: float | None = None
    #: ``{"word", "suggestion"}``, each word once, in text order.
    officialese: list = field(default_factory=list)
    #: ``{"text", "field"}`` of links whose text does not say where they go.
    vague_links: list = field(default_factory=list)

    def stored(self):
        return {
            "too_large": self.too_large,
            "personal_data": [
                {key: value for key, value in item.items() if key != "excerpt"}
                for item in self.personal_data
            ],
            "lix": self.lix,
            "officialese": self.officialese,
            "vague_links": self.vague_links,
        }

    @classmethod
    def from_stored(cls, data):
        return cls(
            too_large=data.get("too_large"),
            personal_data=list(data.get("personal_data", [])),
            lix=data.get("lix"),
            officialese=list(data.get("officialese", [])),
            vague_links=list(data.get("vague_links", [])),
        )


def analysis_settings(municipality):
    """What of the municipality's profile the text checks depend on."""
    targets = municipality.plain_language if municipality else {}
    return {
        "language": municipality.language if municipality else "nb",
        # The scanner ignores values that are not text.
        "allow": sorted(
            point["value"]
            for point in (municipality.contact_points if municipality else [])
            if isinstance(point.get("value"), str)
        ),
        "long_sentence_words": targets.get("long_sentence_words", 25),
        "long_word_letters": targets.get("long_word_letters", 7),
        "max_paragraph_words": targets.get("max_paragraph_words", 80),
    }


def analyse(context):
    """The text checks' results for the page's text: analysed once per text and settings,
    whoever asks (``shared_analysis``)."""
    text = page_text(context)
    settings = analysis_settings(context.municipality)
    results, report = shared_analysis.analysed(text, settings, lambda: _analyse(text, settings))
    if report is not None:
        # The editor's panel shows the rest of the report (words, long sentences, passives).
        context._cache["plain_language"] = report
    return results


def _analyse(text, settings):
    """``(TextResults, plain-language report)`` of ``text`` (a ``PageText``) now; the report
    is None when the text is too large to check."""
    try:
        found = personal_data.scan(text.text, settings["language"], allow=settings["allow"])
        report = plain_language.analyze(
            text.text,
            settings["language"],
            long_sentence_words=settings["long_sentence_words"],
            long_word_letters=settings["long_word_letters"],
            max_paragraph_words=settings["max_paragraph_words"],
            link_spans=text.link_spans,
        )
    except InputTooLarge as error:
        return TextResults(too_large=error.size), None
    results = TextResults(lix=report.lix)
    counts = {}
    for item in found:
        counts[item.kind] = counts.get(item.kind, 0) + 1
        if counts[item.kind] <= MAX_PER_KIND:
            finding = {
                "kind": item.kind,
                "severity": item.severity,
                "field": _field_at(text, item.start),
                "excerpt": item.excerpt,
            }
            if item.could_be:
                finding["could_be"] = item.could_be
            results.personal_data.append(finding)
    results.officialese = [
        {"word": span.data["word"], "suggestion": span.data["suggestion"]}
        for span in _unique(report.officialese)
    ]
    results.vague_links = [
        {"text": span.data["text"], "field": _field_at(text, span.start)}
        for span in report.vague_links
    ]
    return results, report


def text_results(context):
    """What the text checks found on the page, checked once per evaluation.

    A list over many live pages may have loaded their stored results (``rules.bulk``); a page
    it has none for yet gives None, and the text rules say nothing about it there.
    """
    if "text_results" not in context._cache:
        facts = facts_of(context)
        try:
            if facts is None:
                raise Missing(context.page.pk)
            results = facts.get("text", context.page.pk)
        except Missing:
            results = analyse(context)
        context._cache["text_results"] = results
    return context._cache["text_results"]


def _field_at(text, offset):
    segment = text.where(offset)
    return segment.field if segment else None


def _too_large(size):
    return Finding(
        "content.too_large",
        BLOCK,
        _("The page is too large to check (%(size)s characters).") % {"size": size},
        _("Split it into several pages."),
    )


@rule(EDIT, SUBMIT, PUBLISH)
def personal_data_rule(context):
    """Identity numbers block; other personal data warns; names next to sensitive words block."""
    results = text_results(context)
    if results is None:
        return
    if results.too_large is not None:
        yield _too_large(results.too_large)
        return
    for item in results.personal_data:
        what, fix = PERSONAL_DATA.get(item["kind"], (item["kind"], ""))
        if item["kind"] == "national_id" and item.get("could_be") in NATIONAL_ID_OR:
            what, fix = NATIONAL_ID_OR[item["could_be"]]
        place = {"what": what, "where": field_label(context.page, item["field"], in_sentence=True)}
        redacted = _("%(what)s in %(where)s.") % place
        excerpt = item.get("excerpt")
        yield Finding(
            f"personal_data.{item['kind']}",
            item["severity"],
            # The writer sees the (masked) text around it; reports and records see only where.
            _("%(what)s in %(where)s: “%(excerpt)s”.") % {**place, "excerpt": excerpt}
            if excerpt
            else redacted,
            str(fix),
            field=item["field"],
            redacted=redacted,
        )


@rule(EDIT, SUBMIT, PUBLISH)
def plain_language_rule(context):
    """Texts over their audience's reading target warn; far over, the profile decides."""
    results = text_results(context)
    if results is None or results.too_large is not None:
        return  # the personal-data rule reports the size
    municipality = context.municipality
    targets = municipality.plain_language if municipality else {}
    target = reading_target(context, targets)
    if results.lix is not None and target is not None and results.lix > target:
        far_over = results.lix > target + targets.get("lix_far_over", 10)
        severity = BLOCK if far_over and targets.get("far_over_blocks", False) else WARN
        yield Finding(
            "plain_language.lix_over_target",
            severity,
            _("The text is harder to read than the target: LIX %(lix)s, target %(target)s.")
            % {"lix": number_format(results.lix), "target": number_format(target)},
            _("Use shorter sentences and everyday words; split long sentences in two."),
        )
    if results.officialese:
        words = sorted({item["word"].lower() for item in results.officialese})
        yield Finding(
            "plain_language.officialese",
            WARN,
            _("Officialese: %(words)s.") % {"words": ", ".join(words[:8])},
            _("Plain alternatives: %(suggestions)s.")
            % {
                "suggestions": "; ".join(
                    f"{item['word']} → {item['suggestion']}" for item in results.officialese[:5]
                )
            },
        )
    for item in results.vague_links:
        yield Finding(
            "plain_language.vague_link",
            WARN,
            _("The link text “%(text)s” does not say where the link goes.")
            % {"text": item["text"]},
            _("Write what the reader gets, for example “Apply for home care”."),
            field=item["field"],
        )


def reading_target(context, targets):
    """The strictest LIX target of the page's audiences and its page type.

    Without either, the profile's default target applies.
    """
    values = [audience.lix_target for audience in audiences_of(context) if audience.lix_target]
    page_type = (targets.get("page_type_targets") or {}).get(context.page._meta.model_name)
    if page_type:
        values.append(page_type)
    return min(values) if values else targets.get("lix_target")


def _unique(spans):
    seen, unique = set(), []
    for span in spans:
        key = span.data["word"].lower()
        if key not in seen:
            seen.add(key)
            unique.append(span)
    return unique
