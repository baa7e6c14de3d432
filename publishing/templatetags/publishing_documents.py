"""What the personal-data check found in a document, for the document's own edit page."""

from django import template

from publishing.models import DocumentCheck
from publishing.rules.documents import ACCESSIBILITY, UNREADABLE, kind_words, where_label

register = template.Library()

#: Findings listed on the document's page; a file full of numbers gets a count for the rest.
SHOWN = 20


@register.simple_tag
def document_check_of(document):
    """The current check of ``document``'s file in words, or None before the first check.

    ``{"check", "pending", "unreadable", "scan", "findings": [(what, where, blocks)], "more",
    "accessibility": [problem]}``.
    """
    if document is None or not document.pk:
        return None
    check = DocumentCheck.objects.filter(document=document, file_hash=document.file_hash).first()
    if check is None:
        return None
    findings = [
        (kind_words(item), where_label(item.get("where", {})), item.get("severity") == "block")
        for item in check.findings[:SHOWN]
    ]
    why = UNREADABLE.get(check.reason, UNREADABLE["corrupt"]) if check.reason else None
    return {
        "check": check,
        "pending": not check.done,
        "unreadable": why if check.status == DocumentCheck.UNREADABLE else None,
        "scan": check.status == DocumentCheck.NO_TEXT,
        "findings": findings,
        "more": max(len(check.findings) - SHOWN, 0),
        "accessibility": [str(ACCESSIBILITY[c]) for c in check.accessibility if c in ACCESSIBILITY],
    }
