"""Links that would be broken for whoever reads the page: judged at every door, before the page
goes live.

A link to a page that was deleted, that is not live, that only staff may open (a view
restriction, the intranet) or that lies in another municipality's site, and a link to a document
that was deleted. Each finding names the link by its text where the page's own text is at hand
(the editor, the veto; else by the page it goes to) and says how to fix it. How hard each kind
weighs is the profile's ``[links]`` table (``block`` or ``warn``; ``DEFAULTS`` otherwise).

What a page links comes from Wagtail's reference extraction of the page as it stands
(``bulk.references_of``), counting only links in the fields readers see (its text, not its
governance fields); lists over many live pages read the links from Wagtail's reference index
instead and load every target once (``bulk.prefetch``).
"""

import re

from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail.blocks import ListBlock, StreamBlock, StructBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import StreamField

from publishing.rules.bulk import (
    existing_documents,
    facts_of,
    link_targets,
    page_links,
    referenced_document_ids,
    references_of,
    restricted_paths,
)
from publishing.rules.engine import BLOCK, PUBLISH, SUBMIT, WARN, Finding, rule
from publishing.rules.text_extraction import content_fields, stored_strings

#: How hard each broken link weighs unless the profile's ``[links]`` table says otherwise.
DEFAULTS = {
    "page_deleted": BLOCK,
    "page_not_live": WARN,
    "page_private": WARN,
    "page_other_municipality": WARN,
    "document_deleted": BLOCK,
}

_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.IGNORECASE | re.DOTALL)
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"', re.IGNORECASE)


def severity(context, kind):
    """``block`` or ``warn`` for ``kind``, as the municipality's profile says."""
    municipality = context.municipality
    configured = (municipality.profile.get("links", {}) if municipality else {}).get(kind)
    return configured if configured in (BLOCK, WARN) else DEFAULTS[kind]


def _raw_documents(block, raw):
    """Ids of documents chosen in ``raw``, the stored value of ``block`` (as saved, so a
    document deleted since is still there)."""
    if isinstance(block, DocumentChooserBlock):
        return {int(raw)} if str(raw).isdigit() else set()
    found = set()
    if isinstance(block, StreamBlock) and isinstance(raw, list):
        for item in raw:
            child = block.child_blocks.get(item.get("type")) if isinstance(item, dict) else None
            if child is not None:
                found |= _raw_documents(child, item.get("value"))
    elif isinstance(block, StructBlock) and isinstance(raw, dict):
        for name, child in block.child_blocks.items():
            found |= _raw_documents(child, raw.get(name))
    elif isinstance(block, ListBlock) and isinstance(raw, list):
        for item in raw:
            value = item.get("value") if isinstance(item, dict) and "type" in item else item
            found |= _raw_documents(block.child_block, value)
    return found


def documents_as_saved(page):
    """Ids of the documents ``page`` links in its fields as saved: its document blocks and
    rich text document links, including documents that no longer exist (Wagtail's reference
    extraction leaves those out)."""
    found = set()
    for model_field in content_fields(type(page)):
        value = model_field.value_from_object(page)
        raw = getattr(value, "raw_data", None)
        if isinstance(model_field, StreamField) and raw is not None:
            found |= _raw_documents(model_field.stream_block, list(raw))
            strings = stored_strings(list(raw))
        else:
            strings = stored_strings(value)
        for text in strings:
            for attributes, _inner in _ANCHOR.findall(text):
                attrs = dict(_ATTRIBUTE.findall(attributes))
                if attrs.get("linktype") == "document" and attrs.get("id", "").isdigit():
                    found.add(int(attrs["id"]))
    return found


def link_texts(page):
    """``{target page id: the text of the first link to it}`` in ``page``'s rich text."""
    texts = {}
    for model_field in content_fields(type(page)):
        value = model_field.value_from_object(page)
        raw = getattr(value, "raw_data", value)  # a StreamField's blocks as stored
        for text in stored_strings(
            list(raw) if raw is not None and not isinstance(raw, str) else raw
        ):
            for attributes, inner in _ANCHOR.findall(text):
                found = dict(_ATTRIBUTE.findall(attributes))
                if found.get("linktype") == "page" and found.get("id", "").isdigit():
                    words = " ".join(strip_tags(inner).split())
                    if words:
                        texts.setdefault(int(found["id"]), words)
    return texts


def _links_of(context):
    """``(links, targets, link texts, linked documents, existing documents, paths of the
    restricted pages)`` for the context's page."""
    page, facts = context.page, facts_of(context)
    if facts is not None and page.pk in facts.page_links:
        return (
            facts.page_links[page.pk],
            facts.link_targets,
            {},
            facts.linked_documents.get(page.pk, set()),
            facts.existing_documents,
            facts.restricted_paths,
        )
    references = references_of(context)
    links = page_links(references)
    documents = referenced_document_ids(page, references) | documents_as_saved(page)
    return (
        links,
        link_targets({target for target, _field in links}),
        link_texts(page),
        documents,
        existing_documents(documents),
        restricted_paths(),
    )


@rule(PUBLISH, SUBMIT)
def broken_links(context):
    """Links to pages and documents that readers could not open."""
    page = context.page
    links, targets, texts, documents, existing, restricted = _links_of(context)
    own = context.municipality
    own_root = own.site.root_page.path if own and own.site else None
    staff_only = list(restricted)
    if own and own.intranet_page_id and own.intranet_page:
        staff_only.append(own.intranet_page.path)
    # Links in what readers see: the page's text fields. Its governance fields reference pages
    # too (the internal notice), and those are no links.
    readable = {f.name for f in content_fields(type(page))}
    seen = set()
    for target_id, field in links:
        if field not in readable or target_id == page.pk or target_id in seen:
            continue
        seen.add(target_id)
        target = targets.get(target_id)
        if target is None:
            text = texts.get(target_id)
            yield Finding(
                "links.page_deleted",
                severity(context, "page_deleted"),
                _("The link “%(text)s” goes to a page that no longer exists.") % {"text": text}
                if text
                else _("A link goes to a page that no longer exists."),
                _("Remove the link, or link to the page that replaced it."),
                field=field,
            )
            continue
        path, live, title = target
        text = texts.get(target_id) or title
        if not live:
            yield Finding(
                "links.page_not_live",
                severity(context, "page_not_live"),
                _(
                    "The link “%(text)s” goes to “%(title)s”, which is not published: readers "
                    "would get “page not found”."
                )
                % {"text": text, "title": title},
                _("Publish that page first, or remove the link."),
                field=field,
            )
        elif context.is_external and any(path.startswith(p) for p in staff_only):
            yield Finding(
                "links.page_private",
                severity(context, "page_private"),
                _("The link “%(text)s” goes to “%(title)s”, which only staff can open.")
                % {"text": text, "title": title},
                _("Link to a public page instead, or remove the link."),
                field=field,
            )
        elif own_root and not path.startswith(own_root):
            yield Finding(
                "links.page_other_municipality",
                severity(context, "page_other_municipality"),
                _("The link “%(text)s” goes to “%(title)s”, a page outside this site.")
                % {"text": text, "title": title},
                _("Check that it is the page you meant, or link to this site's own page."),
                field=field,
            )
    missing = sorted(documents - existing)
    for _document_id in missing:
        yield Finding(
            "links.document_deleted",
            severity(context, "document_deleted"),
            _("The page links a document that has been deleted."),
            _("Remove the link, or upload the document again and link the new one."),
        )
