"""Documents a public page links or embeds, judged by what their check found in them.

The task worker reads every uploaded file and keeps what the personal-data checks found in it
(``DocumentCheck``, per version of the file). These rules turn that into findings on the page
that would hand the document to citizens: an identity number in a linked PDF stops the page as
one in its own text does, on every door. A document still waiting for its check holds the page
until the check is done; a file that could not be read holds it too, since nothing is known of
its content; a scan without text cannot be checked or read aloud, and warns. Documents in
staff-only collections are the staff-documents rule's matter (``governance``).
"""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.documents import get_document_model

from publishing.models import DocumentCheck
from publishing.models.municipality import StaffOnlyCollections
from publishing.rules.bulk import facts_of, referenced_document_ids, references_of
from publishing.rules.content import NATIONAL_ID_OR, PERSONAL_DATA
from publishing.rules.engine import BLOCK, EDIT, PUBLISH, SUBMIT, WARN, Finding, rule

#: A check waiting longer than this is said to be late: the worker may be stopped.
LATE_AFTER = datetime.timedelta(minutes=10)
#: Places named in one finding; the rest are counted.
MAX_PLACES = 3

METADATA_FIELDS = {
    "title": gettext_lazy("title"),
    "author": gettext_lazy("author"),
    "subject": gettext_lazy("subject"),
    "keywords": gettext_lazy("keywords"),
    "comments": gettext_lazy("comments"),
    "description": gettext_lazy("description"),
    "creator": gettext_lazy("created with"),
    "producer": gettext_lazy("made into PDF by"),
    "last_modified_by": gettext_lazy("last saved by"),
    "company": gettext_lazy("company"),
    "manager": gettext_lazy("manager"),
    "category": gettext_lazy("category"),
}

UNREADABLE = {
    "encrypted": (
        gettext_lazy("it is protected by a password"),
        gettext_lazy("Upload a copy without a password."),
    ),
    "corrupt": (
        gettext_lazy("the file is damaged or not what its name says"),
        gettext_lazy("Save it again from the program that made it and upload it anew."),
    ),
    "too_large": (
        gettext_lazy("the file is too large to check"),
        gettext_lazy("Split it into smaller documents."),
    ),
    "too_many_pages": (
        gettext_lazy("it has too many pages to check"),
        gettext_lazy("Split it into smaller documents."),
    ),
    "zip_bomb": (
        gettext_lazy("it unpacks to far more than its size (a sign of a harmful file)"),
        gettext_lazy("Save it again from the program that made it, or do not publish it."),
    ),
    "too_deep": (
        gettext_lazy("its structure is nested too deeply to read"),
        gettext_lazy("Save it again from the program that made it, or as PDF."),
    ),
    "timeout": (
        gettext_lazy("reading it took too long"),
        gettext_lazy("Split it into smaller documents, or save it as a plain PDF."),
    ),
    "memory": (
        gettext_lazy("reading it needed too much memory"),
        gettext_lazy("Split it into smaller documents, or save it as a plain PDF."),
    ),
    "missing": (
        gettext_lazy("its file is missing from the storage"),
        gettext_lazy("Upload the file again on the document's page."),
    ),
    "unsupported": (
        gettext_lazy("its format cannot be read"),
        gettext_lazy("Publish it as PDF, Word, Excel, OpenDocument or plain text instead."),
    ),
}

ACCESSIBILITY = {
    "no_title": gettext_lazy("it has no title in its properties"),
    "no_language": gettext_lazy("its language is not set"),
    "not_tagged": gettext_lazy("it is not tagged (headings, lists and reading order)"),
}


def where_label(where):
    """Where in a file a finding is, in words: "page 3, line 12", "sheet “Lønn”, cell B4"."""
    part = where.get("part")
    line = where.get("line")
    if part == "page":
        text = _("page %(page)s") % {"page": where.get("page")}
        return _("%(place)s, line %(line)s") % {"place": text, "line": line} if line else text
    if part == "annotation":
        return _("a comment on page %(page)s") % {"page": where.get("page")}
    if part == "metadata":
        name = METADATA_FIELDS.get(where.get("field"), where.get("field"))
        return _("the document's properties (%(field)s)") % {"field": name}
    if part == "paragraph":
        return _("paragraph %(number)s") % {"number": where.get("number")}
    if part == "table":
        return _("table %(table)s, row %(row)s, cell %(cell)s") % where
    if part == "cell":
        if where.get("hidden"):
            return _("the hidden sheet “%(sheet)s”, cell %(cell)s") % where
        return _("sheet “%(sheet)s”, cell %(cell)s") % where
    if part == "line":
        return _("line %(line)s") % {"line": line}
    if part == "comment":
        return _("comment %(number)s") % {"number": where.get("number")}
    if part == "tracked_change":
        if where.get("change") == "deleted":
            return _("deleted text kept in the tracked changes")
        return _("text added in the tracked changes")
    return {
        "header": _("a header"),
        "footer": _("a footer"),
        "footnote": _("a footnote"),
        "endnote": _("an endnote"),
        "textbox": _("a text box"),
    }.get(part, _("the text"))


def kind_words(item):
    """What a stored finding is, in words (as the page checks say it)."""
    if item["kind"] == "national_id" and item.get("could_be") in NATIONAL_ID_OR:
        return NATIONAL_ID_OR[item["could_be"]][0]
    return PERSONAL_DATA.get(item["kind"], (item["kind"], ""))[0]


def places(items):
    """The first ``MAX_PLACES`` places in words, and how many more."""
    named = "; ".join(where_label(item.get("where", {})) for item in items[:MAX_PLACES])
    more = len(items) - MAX_PLACES
    if more > 0:
        named += " " + ngettext(
            "(and %(count)s more place)", "(and %(count)s more places)", more
        ) % {"count": number_format(more)}
    return named


def checks_for(context, document_ids):
    """``{document: its current check or None}`` for the public documents among these ids."""
    facts = facts_of(context)
    if facts is not None:
        if facts.document_checks is None:
            every = set().union(*facts.documents.values()) if facts.documents else set()
            facts.document_checks = load_checks(every)
        known = facts.document_checks
        if all(pk in known for pk in document_ids):
            return {known[pk][0]: known[pk][1] for pk in document_ids if known[pk]}
    found = load_checks(document_ids)
    return {found[pk][0]: found[pk][1] for pk in document_ids if found.get(pk)}


def load_checks(document_ids):
    """``{id: (document, check or None)}`` of the documents outside staff-only collections
    (those are None: another rule speaks of them), in three queries."""
    if not document_ids:
        return {}
    staff_only = StaffOnlyCollections()
    documents = (
        get_document_model().objects.filter(pk__in=document_ids).select_related("collection")
    )
    checks = {
        check.document_id: check
        for check in DocumentCheck.objects.current().filter(document_id__in=document_ids)
    }
    found = dict.fromkeys(document_ids)
    for document in documents:
        if not staff_only.holds(document.collection):
            found[document.pk] = (document, checks.get(document.pk))
    return found


def linked_ids(context):
    facts = facts_of(context)
    if facts is not None and context.page.pk in facts.documents:
        return set(facts.documents[context.page.pk])
    return referenced_document_ids(context.page, references_of(context))


@rule(EDIT, SUBMIT, PUBLISH)
def documents_checked_for_personal_data(context):
    """A public page cannot hand citizens a document with an identity number or other data
    that blocks, one not yet checked, or one that could not be read."""
    if not context.is_external:
        return
    ids = linked_ids(context)
    if not ids:
        return
    for document, check in sorted(checks_for(context, ids).items(), key=lambda i: i[0].pk):
        yield from document_findings(document, check, context.page)


def document_findings(document, check, page=None):
    """The findings for a public ``page`` that links ``document``, whose current check is
    ``check``. Each links to the document's page, which leads back to the page's editor."""
    title = document.title
    url = reverse("wagtaildocs:edit", args=[document.pk])
    if page is not None and page.pk:
        url += "?" + urlencode({"next": reverse("wagtailadmin_pages:edit", args=[page.pk])})
    if check is None or not check.done:
        waited = timezone.now() - check.queued_at if check else datetime.timedelta(0)
        message = _("“%(title)s” is still being checked for personal data.") % {"title": title}
        fix = _("Wait a moment and try again: the check takes seconds for most files.")
        if waited > LATE_AFTER:
            message += " " + _(
                "The check has waited for more than %(minutes)s minutes: the task worker may "
                "be stopped."
            ) % {"minutes": number_format(int(LATE_AFTER.total_seconds() // 60))}
            fix = _("Tell whoever runs the site that document checks are not being done.")
        yield Finding("document_data.being_checked", BLOCK, message, fix, url=url)
        return
    if check.status == DocumentCheck.UNREADABLE:
        why, fix = UNREADABLE.get(check.reason, UNREADABLE["corrupt"])
        yield Finding(
            "document_data.unreadable",
            BLOCK,
            _(
                "“%(title)s” could not be read: %(why)s. Its content cannot be checked for "
                "personal data."
            )
            % {"title": title, "why": why},
            str(fix),
            url=url,
        )
        return
    if check.status == DocumentCheck.NO_TEXT:
        yield Finding(
            "document_data.no_text_layer",
            WARN,
            _(
                "“%(title)s” is a scan without text: it cannot be checked for personal data, and "
                "screen readers cannot read it."
            )
            % {"title": title},
            _(
                "Publish the original as a PDF with text, or read the scan for personal data "
                "yourself before you acknowledge this."
            ),
            url=url,
        )
    by_kind = {}
    for item in check.findings:
        by_kind.setdefault((item["severity"], item["kind"], item.get("could_be", "")), []).append(
            item
        )
    for (severity, kind, _could_be), items in sorted(by_kind.items()):
        what = kind_words(items[0])
        yield Finding(
            f"document_data.{kind}",
            BLOCK if severity == BLOCK else WARN,
            _("%(what)s in the document “%(title)s”: %(places)s.")
            % {"what": what, "title": title, "places": places(items)},
            _(
                "Remove it from the file (its properties, comments and tracked changes too), then "
                "upload the corrected file on the document's page."
            )
            if severity == BLOCK
            else _("If it is a person's own, remove it from the file and replace the file."),
            url=url,
        )
    if check.accessibility and check.status == DocumentCheck.CHECKED:
        problems = [
            str(ACCESSIBILITY[code]) for code in check.accessibility if code in ACCESSIBILITY
        ]
        if problems:
            yield Finding(
                "document_access.pdf",
                WARN,
                _("“%(title)s” is not accessible: %(problems)s.")
                % {"title": title, "problems": "; ".join(problems)},
                _(
                    "Save the PDF again with accessibility on (“tagged PDF” in Word and "
                    "LibreOffice), with a title and the document's language in its properties."
                ),
                url=url,
            )
    if check.truncated:
        yield Finding(
            "document_data.partly_checked",
            WARN,
            _("“%(title)s” is so long that only its first part was checked for personal data.")
            % {"title": title},
            _(
                "Split it into smaller documents, or read the rest yourself before you "
                "acknowledge this."
            ),
            url=url,
        )


def summary_of(check):
    """One line saying what the check of a document found, for lists and the report."""
    if check is None or not check.done:
        return _("Being checked")
    if check.status == DocumentCheck.UNREADABLE:
        why, _fix = UNREADABLE.get(check.reason, UNREADABLE["corrupt"])
        return _("Could not be read: %(why)s") % {"why": why}
    parts = []
    if check.status == DocumentCheck.NO_TEXT:
        parts.append(_("A scan without text: not checked"))
    counts = {}
    for item in check.findings:
        counts.setdefault(str(kind_words(item)), []).append(item)
    for what, items in counts.items():
        parts.append(f"{what}: {places(items)}")
    return ". ".join(parts) if parts else _("Nothing found")
