"""Text rules: personal data and plain language, on everything a reader sees on the page.

The analyzers in ``publishing.content_checks`` are plain Python and return codes; this module
gives each finding its message and fix in the reader's language, says where on the page it is,
and applies the municipality's targets from its profile.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..content_checks import personal_data, plain_language
from ..content_checks.base import BLOCK, WARN, InputTooLarge
from ..text_extraction import extract
from . import EDIT, PUBLISH, SUBMIT, Finding, rule

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

#: Cap on findings of one kind, so that a page full of numbers gives a readable report.
MAX_PER_KIND = 10


def page_text(context):
    """The page's reader-visible text, extracted once per evaluation."""
    if "page_text" not in context._cache:
        context._cache["page_text"] = extract(context.page)
    return context._cache["page_text"]


def content_language(context):
    municipality = context.municipality
    return municipality.language if municipality else "nb"


def _where(text, offset):
    segment = text.where(offset)
    return segment.label if segment else ""


def _too_large(error):
    return Finding(
        "content.too_large",
        BLOCK,
        _("The page is too large to check (%(size)s characters).") % {"size": error.size},
        _("Split it into several pages."),
    )


@rule(EDIT, SUBMIT, PUBLISH)
def personal_data_rule(context):
    """Identity numbers block; other personal data warns; names next to sensitive words block."""
    text = page_text(context)
    municipality = context.municipality
    allow = [point["value"] for point in municipality.contact_points] if municipality else []
    try:
        found = personal_data.scan(text.text, content_language(context), allow=allow)
    except InputTooLarge as error:
        yield _too_large(error)
        return
    counts = {}
    for item in found:
        counts[item.kind] = counts.get(item.kind, 0) + 1
        if counts[item.kind] > MAX_PER_KIND:
            continue
        what, fix = PERSONAL_DATA.get(item.kind, (item.kind, ""))
        segment = text.where(item.start)
        place = {"what": what, "where": _where(text, item.start)}
        yield Finding(
            f"personal_data.{item.kind}",
            item.severity,
            # The writer sees the (masked) text around it; reports and records see only where.
            _("%(what)s in %(where)s: “%(excerpt)s”.") % {**place, "excerpt": item.excerpt},
            str(fix),
            field=segment.field if segment else None,
            redacted=_("%(what)s in %(where)s.") % place,
        )


@rule(EDIT, SUBMIT, PUBLISH)
def plain_language_rule(context):
    """Texts over their audience's reading target warn; far over, the profile decides."""
    municipality = context.municipality
    targets = municipality.plain_language if municipality else {}
    text = page_text(context)
    try:
        report = plain_language.analyze(
            text.text,
            content_language(context),
            long_sentence_words=targets.get("long_sentence_words", 25),
            long_word_letters=targets.get("long_word_letters", 7),
            max_paragraph_words=targets.get("max_paragraph_words", 80),
            link_spans=text.link_spans,
        )
    except InputTooLarge:
        return  # the personal-data rule already reports the size
    context._cache["plain_language"] = report
    target = reading_target(context, targets)
    if report.lix is not None and target is not None and report.lix > target:
        far_over = report.lix > target + targets.get("lix_far_over", 10)
        severity = BLOCK if far_over and targets.get("far_over_blocks", False) else WARN
        yield Finding(
            "plain_language.lix_over_target",
            severity,
            _("The text is harder to read than the target: LIX %(lix)s, target %(target)s.")
            % {"lix": report.lix, "target": target},
            _("Use shorter sentences and everyday words; split long sentences in two."),
        )
    if report.officialese:
        words = sorted({span.data["word"].lower() for span in report.officialese})
        yield Finding(
            "plain_language.officialese",
            WARN,
            _("Officialese: %(words)s.") % {"words": ", ".join(words[:8])},
            _("Plain alternatives: %(suggestions)s.")
            % {
                "suggestions": "; ".join(
                    f"{span.data['word']} → {span.data['suggestion']}"
                    for span in _unique(report.officialese)[:5]
                )
            },
        )
    for span in report.vague_links:
        yield Finding(
            "plain_language.vague_link",
            WARN,
            _("The link text “%(text)s” does not say where the link goes.")
            % {"text": span.data["text"]},
            _("Write what the reader gets, for example “Apply for home care”."),
            field=(text.where(span.start) or None) and text.where(span.start).field,
        )


def reading_target(context, targets):
    """The strictest LIX target of the page's audiences and its page type.

    Without either, the profile's default target applies.
    """
    audiences = list(context.page.audiences.all()) if hasattr(context.page, "audiences") else []
    values = [audience.lix_target for audience in audiences if audience.lix_target]
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
