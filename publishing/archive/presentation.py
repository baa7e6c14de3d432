"""A capture's metadata as a records officer reads it, in the admin and on the PDF's cover.

The row keeps machine values (a page type's label, a language code, ``other_site``); these are
put in words in the reader's language here, once, so that the detail page and the PDF say the
same thing.
"""

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.apps import apps
from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst, slugify
from django.utils.timezone import localtime
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from publishing.models import ArchiveEvent, Municipality, Sensitivity

#: Why a resource the page referenced was left out of the capture (``details["not_captured"]``).
NOT_CAPTURED = {
    "other_site": _("It is on another site (the archive keeps only the municipality's own)."),
    "too_large": _("It is larger than the archive keeps per file."),
    "too_many": _("The page referenced more files than the archive keeps per capture."),
}

#: How the archived page was made (``details["rendered"]``).
RENDERED = {
    "live": _("The page as the site served it to a visitor just after the event."),
    "version": _(
        "The version this capture is about, served as the site served it (the page was "
        "published again before it was captured)."
    ),
    "gone": _("What the address answered after the page was taken away."),
}


@dataclass
class Fact:
    """One line of a capture's metadata: a label and a value in one of four forms."""

    label: str
    text: str = ""
    #: A datetime, shown in the reader's time zone and format.
    moment: object = None
    #: A number, shown in the reader's format.
    number: object = None
    #: A machine value (a digest, a file name), shown as it is.
    code: str = ""
    #: Several values, one per line.
    items: list = field(default_factory=list)


def municipality_of(capture):
    """The capture's municipality, or None when it no longer exists (the slug stays)."""
    return Municipality.objects.filter(slug=capture.municipality).first()


def page_type_label(label):
    """A page type's name ("News page") from its model label ("home.NewsPage")."""
    try:
        return str(capfirst(apps.get_model(label)._meta.verbose_name))
    except (LookupError, ValueError):
        return label


def language_label(code):
    """A language's name in the reader's language, from its code ("nb")."""
    if not code:
        return ""
    named = dict(settings.LANGUAGES).get(code)
    if named:
        return str(named)
    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        return code


def sensitivity_label(code, municipality=None):
    """A sensitivity as the municipality's profile names it, else in the reader's language."""
    if not code:
        return ""
    named = municipality.sensitivity_label(code) if municipality else None
    if named and named != code:
        return named
    return str(Sensitivity(code).label) if code in Sensitivity.values else code


def approvals(capture):
    """Who approved the published version in the workflow: name, step and when (a datetime)."""
    return [
        {
            "name": approval.get("name", ""),
            "step": approval.get("step", ""),
            "at": parse_datetime(approval["at"]) if approval.get("at") else None,
        }
        for approval in capture.approved_by or []
    ]


def not_captured(capture):
    """What the page referenced that the capture does not hold: address and why, in words."""
    return [
        {"uri": item.get("uri", ""), "why": str(NOT_CAPTURED.get(item.get("why"), item.get("why")))}
        for item in (capture.details or {}).get("not_captured", [])
    ]


def page_facts(capture, municipality):
    """The page as it was at the event."""
    return [
        Fact(_("Municipality"), text=municipality.name if municipality else capture.municipality),
        Fact(_("Title"), text=capture.title),
        Fact(_("Address"), code=capture.url),
        Fact(_("Page type"), text=page_type_label(capture.page_type)),
        Fact(_("Language"), text=language_label(capture.locale)),
        Fact(_("Unit"), text=capture.unit),
        Fact(_("Responsible leader"), text=capture.responsible_leader),
        Fact(_("Sensitivity"), text=sensitivity_label(capture.sensitivity, municipality)),
        Fact(_("Audiences"), items=list(capture.audiences or [])),
        Fact(_("Page ID"), code=str(capture.page_id)),
    ]


def by_label(event):
    """Who did it, by the event (the row keeps the name in ``published_by``)."""
    if event == ArchiveEvent.UNPUBLISHED:
        return _("Unpublished by")
    if event == ArchiveEvent.DELETED:
        return _("Deleted by")
    return _("Published by")


def event_facts(capture):
    """What happened, when, and who did it."""
    details = capture.details or {}
    facts = [
        Fact(_("Event"), text=capture.get_event_display()),
        Fact(_("Time of the event"), moment=capture.happened_at),
        Fact(_("Revision"), code=str(capture.revision_id) if capture.revision_id else ""),
        Fact(by_label(capture.event), text=capture.published_by),
    ]
    if details.get("reason"):
        facts.append(Fact(_("Reason given"), text=details["reason"]))
    rendered = RENDERED.get(details.get("rendered"))
    if rendered:
        facts.append(Fact(_("What was captured"), text=str(rendered)))
    if details.get("last_version_rendered"):
        facts.append(
            Fact(
                _("Last version"),
                text=str(
                    _(
                        "The archive had no earlier capture of this page: the last version "
                        "that was live is kept too, dated when it went live."
                    )
                ),
            )
        )
    return facts


def archive_facts(capture):
    """Where the capture is in the archive, and the digests that show it is unchanged."""
    return [
        Fact(_("Captured"), moment=capture.captured_at),
        Fact(_("Number in the archive"), number=capture.sequence),
        Fact(_("Digest"), code=capture.digest),
        Fact(_("Digest of the previous capture"), code=capture.previous_digest),
        Fact(_("WARC file"), code=capture.warc_name),
        Fact(_("SHA-256 of the WARC file"), code=capture.warc_sha256),
        Fact(_("Size in bytes"), number=capture.warc_size),
    ]


def file_stem(capture):
    """A download's name without its ending: the page's slug (the last part of its address)
    and the event's date, "opening-hours-2026-12-05"."""
    path = urlsplit(capture.url).path.rstrip("/")
    slug = slugify(unquote(path.rsplit("/", 1)[-1])) if path else ""
    return f"{slug or f'page-{capture.page_id}'}-{localtime(capture.happened_at):%Y-%m-%d}"
