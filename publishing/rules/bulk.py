"""The rule engine over many pages at once, in a fixed number of queries.

A rule that looks something up (the page's internal notice, its unit's line and the leaders
in it, a spokesperson's roles, aliases of an intranet page, documents the page links, the
publisher's certificates) costs a query or two for one page. Lists that ask the engine about
every page they show (the findings report, the dashboard) would pay that for every page.
``prefetch(contexts)`` loads what the rules will look up for all the pages at once and puts it
in each context's cache as ``Facts``; the rules read it there (``facts_of``) and ask the
database only for what it does not hold. ``drafts(pages)`` builds many pages as their latest
revisions would publish them, as ``get_latest_revision_as_object()`` does for one.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import prefetch_related_objects
from modelcluster.models import get_all_child_relations
from wagtail.documents import get_document_model
from wagtail.models import (
    Page,
    PageViewRestriction,
    ReferenceIndex,
    WorkflowState,
    get_page_models,
)

from publishing.memo import remember
from publishing.models import Audience, OrganisationUnit
from publishing.models.municipality import StaffOnlyCollections, every_municipality, holding
from publishing.models.organisation import LEADER_ROLES, PublisherCertificate, RoleAssignment
from publishing.models.pages import BaseInternalNoticePage
from publishing.rules.engine import evaluate

#: Fields of a page that belong to the page as a whole, not to one revision: a draft keeps
#: the page's own (as ``Page.with_content_json`` does).
_PAGE_FIELDS = (
    "id",
    "content_type_id",
    "path",
    "depth",
    "numchild",
    "url_path",
    "draft_title",
    "live",
    "has_unpublished_changes",
    "owner_id",
    "locked",
    "locked_by_id",
    "locked_at",
    "latest_revision_id",
    "latest_revision_created_at",
    "translation_key",
    "locale_id",
    "alias_of_id",
    "live_revision_id",
    "last_published_at",
)


class Missing(KeyError):
    """The facts were not loaded for this key: ask the database."""


@dataclass
class Facts:
    """What the rules look up, loaded once for many pages."""

    municipalities: list = field(default_factory=list)
    #: Linked internal notices by id (base pages); a requested id that does not exist is None.
    notices: dict = field(default_factory=dict)
    #: Ids of the pages each of those notices names as the pages it is about, by notice id.
    notice_about: dict = field(default_factory=dict)
    #: When each page was submitted for the approval it waits in (``governance.submitted_at``).
    submitted: dict = field(default_factory=dict)
    #: Every unit of the municipalities, by id.
    units: dict = field(default_factory=dict)
    #: Responsible leaders and spokespersons by id; a requested id that does not exist is None.
    users: dict = field(default_factory=dict)
    #: Role assignments (of any period) of those people, by user id.
    roles: dict = field(default_factory=dict)
    #: Paths of the aliases of intranet pages, by page id.
    aliases: dict = field(default_factory=dict)
    #: Documents in staff-only collections that each page links, by page id.
    private_documents: dict = field(default_factory=dict)
    #: Publisher certificates by (user id, municipality id).
    certificates: dict = field(default_factory=dict)
    certificate_users: set = field(default_factory=set)
    #: Kept text results of live pages by id (``TextResults``; None: not checked yet), when
    #: the list asked for them (``prefetch(..., kept_text=reader)``).
    text: dict = field(default_factory=dict)
    #: Ids of the documents each of those pages links, from the same kept results.
    documents: dict = field(default_factory=dict)
    #: ``{document id: (document, its current check or None)}`` of the documents in
    #: ``documents``, loaded by the documents rule the first time it asks (None: not yet).
    document_checks: dict | None = None
    #: The audiences of those live pages by page id (read from the database in one query a
    #: page type, not through each page's relation).
    audiences: dict = field(default_factory=dict)
    #: What each page links (``links``): ``[(target page id, field name)]`` by page id, the
    #: targets that exist (``{id: (path, live, title)}``), the documents each page links and
    #: which of all those documents exist.
    page_links: dict = field(default_factory=dict)
    link_targets: dict = field(default_factory=dict)
    linked_documents: dict = field(default_factory=dict)
    existing_documents: set = field(default_factory=set)
    #: Paths of the pages with a view restriction (their subtrees are for some readers only).
    restricted_paths: list = field(default_factory=list)

    def municipality_for(self, path):
        """Same answer as ``Municipality.objects.for_page``: the first site whose tree holds
        ``path``."""
        return holding(path, self.municipalities)

    def get(self, kind, key):
        """``kind`` (``notices``, ``users``) of ``key``; ``Missing`` if it was not loaded."""
        found = getattr(self, kind)
        if key not in found:
            raise Missing(key)
        return found[key]

    def line(self, unit_id):
        """Ids of the unit and every unit above it, nearest first (as ``unit.line()``)."""
        line, unit = [], self.units.get(unit_id)
        while unit is not None and unit.pk not in line:
            line.append(unit.pk)
            unit = self.units.get(unit.parent_id)
        return line

    def active_roles(self, user_id, day):
        if user_id not in self.roles:
            raise Missing(user_id)
        return [a for a in self.roles[user_id] if a.is_active(day)]

    def has_leader_in_line(self, unit_id, user_id, day):
        """Same answer as ``unit.has_leader_in_line(user, on=day)``."""
        line = set(self.line(unit_id))
        return any(
            a.role in LEADER_ROLES and a.unit_id in line for a in self.active_roles(user_id, day)
        )


def facts_of(context):
    """The ``Facts`` loaded for ``context``, or None when it is evaluated on its own."""
    return context._cache.get("facts")


def references_of(context):
    """What ``context.page`` links anywhere (``(content type id, object id, model path,
    content path)``), as Wagtail's reference index finds them: read once per evaluation, for
    the documents and the images rules alike."""
    if "references" not in context._cache:
        context._cache["references"] = list(
            ReferenceIndex._extract_references_from_object(context.page)
        )
    return context._cache["references"]


def referenced_document_ids(page, references=None):
    """Ids of the documents ``page`` links anywhere, as Wagtail's reference index finds them
    (in its fields and child objects; no query once those are loaded). ``references``: what
    ``references_of`` read already."""

    if references is None:
        references = ReferenceIndex._extract_references_from_object(page)
    document_type = ContentType.objects.get_for_model(get_document_model())
    return {
        int(object_id)
        for type_id, object_id, *_ in references
        if type_id == document_type.pk and str(object_id).isdigit()
    }


def prefetch(contexts, kept_text=None):
    """Load what the rules will look up for every context, and attach it to each.

    Contexts judge saved pages where they stand (no ``location`` or ``parent``); the queries
    are fixed in number whatever the number of pages: municipalities, units, notices, people
    and their roles, aliases, linked documents and certificates. With ``kept_text`` the
    contexts are live pages, and the text rules and linked documents come from their kept text
    checks instead of their text, which need not be loaded: ``kept_text(contexts)`` returns
    ``({page id: TextResults or None}, {page id: linked document ids})`` (the findings report
    passes ``publishing.reports.live_text.kept_results``).
    """
    contexts = list(contexts)
    facts = Facts()
    if not contexts:
        return facts
    facts.municipalities = every_municipality()
    for context in contexts:
        context._cache["facts"] = facts
        context._cache.setdefault(
            "municipality", facts.municipality_for(context.anchor.path) if context.anchor else None
        )
    pages = [context.page for context in contexts]
    facts.units = {unit.pk: unit for unit in OrganisationUnit.objects.all()}

    notice_ids = {p.internal_notice_id for p in pages if getattr(p, "internal_notice_id", None)}
    facts.notices = dict.fromkeys(notice_ids)
    facts.notices.update(Page.objects.in_bulk(notice_ids))
    facts.notice_about = _notice_about(notice_ids)

    user_ids = set()
    for page in pages:
        user_ids.update(
            {getattr(page, "responsible_leader_id", None), getattr(page, "spokesperson_id", None)}
        )
    user_ids.discard(None)
    facts.users = dict.fromkeys(user_ids)
    facts.users.update(get_user_model().objects.in_bulk(user_ids))
    facts.roles = {pk: [] for pk in user_ids}
    for assignment in RoleAssignment.objects.filter(user_id__in=user_ids):
        facts.roles[assignment.user_id].append(assignment)

    intranet_ids = [
        context.page.pk for context in contexts if context.page.pk and not context.is_external
    ]
    facts.aliases = {pk: [] for pk in intranet_ids}
    for alias_of, path in Page.objects.filter(alias_of_id__in=intranet_ids).values_list(
        "alias_of_id", "path"
    ):
        facts.aliases[alias_of].append(path)

    if kept_text is not None:
        facts.text, facts.documents = kept_text(contexts)
        facts.audiences = _audiences(pages)
    # Live pages judged from their kept results are judged as they went live: no submission.
    facts.submitted = _submitted(
        [p for p in pages if getattr(p, "affects_staff", False) and p.pk not in facts.text]
    )

    def linked_documents(page):
        if page.pk in facts.documents:
            return facts.documents[page.pk]
        return referenced_document_ids(page)

    # Child objects are read for the text and the documents a page links: not needed for
    # pages whose kept results say both.
    _fill_relations(pages, facts, children={p.pk for p in pages if p.pk not in facts.documents})
    facts.private_documents = _private_documents(
        {context.page.pk: context.page for context in contexts if context.is_external},
        linked_documents,
    )

    _fill_links(contexts, facts, linked_documents)

    users = {context.user.pk for context in contexts if getattr(context.user, "pk", None)}
    facts.certificate_users = users
    for certificate in PublisherCertificate.objects.filter(user_id__in=users):
        key = (certificate.user_id, certificate.municipality_id)
        facts.certificates.setdefault(key, []).append(certificate)
    return facts


def page_type_ids():
    """Content type ids of every page type (a reference to any of them links a page)."""
    return remember(
        ("page_type_ids",),
        lambda: {ContentType.objects.get_for_model(model).pk for model in get_page_models()},
        across_requests=True,
    )


def page_links(references):
    """``[(target page id, field name)]`` among ``references`` (``references_of``)."""
    types = page_type_ids()
    return [
        (int(object_id), str(content_path).split(".")[0])
        for type_id, object_id, _model_path, content_path in references
        if type_id in types and str(object_id).isdigit()
    ]


def _fill_links(contexts, facts, linked_documents):
    """What each page links, for the links rule, in three queries whatever the number of pages.

    Live pages judged from their kept results are not loaded with their text: their links come
    from Wagtail's reference index, which indexes each page as it is saved live."""
    indexed = [c.page.pk for c in contexts if c.page.pk and c.page.pk in facts.documents]
    facts.page_links = {pk: [] for pk in indexed}
    if indexed:
        rows = ReferenceIndex.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id__in=[str(pk) for pk in indexed],
            to_content_type_id__in=page_type_ids(),
        ).values_list("object_id", "to_object_id", "content_path")
        for page_id, target_id, content_path in rows:
            if str(page_id).isdigit() and str(target_id).isdigit():
                facts.page_links[int(page_id)].append(
                    (int(target_id), str(content_path).split(".")[0])
                )
    for context in contexts:
        if context.page.pk not in facts.page_links:
            facts.page_links[context.page.pk] = page_links(references_of(context))
    targets = {target for links in facts.page_links.values() for target, _field in links}
    facts.link_targets = link_targets(targets)
    facts.linked_documents = {c.page.pk: set(linked_documents(c.page)) for c in contexts}
    documents = set().union(*facts.linked_documents.values()) if facts.linked_documents else set()
    facts.existing_documents = existing_documents(documents)
    facts.restricted_paths = restricted_paths()


def link_targets(ids):
    """``{page id: (path, live, title)}`` of the pages with ``ids`` that exist."""
    if not ids:
        return {}
    rows = Page.objects.filter(pk__in=ids).values_list("pk", "path", "live", "title")
    return {pk: (path, live, title) for pk, path, live, title in rows}


def existing_documents(ids):
    """Which of the documents with ``ids`` exist."""
    if not ids:
        return set()
    return set(get_document_model().objects.filter(pk__in=ids).values_list("pk", flat=True))


def restricted_paths():
    """Paths of the pages with a view restriction, read once per request."""
    return remember(
        ("restricted_page_paths",),
        lambda: list(PageViewRestriction.objects.values_list("page__path", flat=True)),
        across_requests=True,
    )


def _notice_about(notice_ids):
    """``{notice id: {ids of the pages it is about}}``, one query a notice page type."""

    about = {pk: set() for pk in notice_ids}
    if not notice_ids:
        return about
    for model in get_page_models():
        if model._meta.abstract or not issubclass(model, BaseInternalNoticePage):
            continue
        through = model._meta.get_field("about_pages").remote_field.through
        relation = model._meta.get_field("about_pages")
        source = through._meta.get_field(relation.m2m_field_name()).attname
        target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
        rows = through.objects.filter(**{f"{source}__in": notice_ids}).values_list(source, target)
        for notice_id, page_id in rows:
            about[notice_id].add(page_id)
    return about


def _submitted(pages):
    """``{page id: when it was submitted}`` as ``governance.submitted_at`` says, one query."""

    pages = [page for page in pages if page.pk]
    submitted = dict.fromkeys(page.pk for page in pages)
    if not pages:
        return submitted
    by_id = {str(page.pk): page for page in pages}
    states = WorkflowState.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id__in=list(by_id),
        status__in=(
            WorkflowState.STATUS_IN_PROGRESS,
            WorkflowState.STATUS_NEEDS_CHANGES,
            WorkflowState.STATUS_APPROVED,
        ),
    ).order_by("object_id", "-created_at", "-pk")
    seen = set()
    for state in states:
        if state.object_id in seen:
            continue
        seen.add(state.object_id)
        page = by_id[state.object_id]
        if state.status == WorkflowState.STATUS_APPROVED and (
            page.last_published_at and page.last_published_at >= state.created_at
        ):
            continue
        submitted[page.pk] = state.created_at
    return submitted


def audiences_of(context):
    """The page's audiences: from the ``Facts`` when a list loaded them, else from the page
    (an unsaved form or a draft holds its choices in memory; modelcluster reads either)."""
    facts = facts_of(context)
    if facts is not None and context.page.pk in facts.audiences:
        return facts.audiences[context.page.pk]
    if "audiences" not in context._cache:
        page = context.page
        context._cache["audiences"] = (
            list(page.audiences.all()) if hasattr(page, "audiences") else []
        )
    return context._cache["audiences"]


def _audiences(pages):
    """``{page id: [audiences]}`` for saved pages, one query a page type (and one for the
    audiences themselves)."""

    links = {}
    by_field = {}
    for page in pages:
        if page.pk and hasattr(page, "audiences"):
            by_field.setdefault(page._meta.get_field("audiences"), set()).add(page.pk)
    for relation, ids in by_field.items():
        through = relation.remote_field.through
        source = through._meta.get_field(relation.m2m_field_name()).attname
        target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
        for page_id, audience_id in through.objects.filter(**{f"{source}__in": ids}).values_list(
            source, target
        ):
            links.setdefault(page_id, []).append(audience_id)
    audiences = Audience.objects.in_bulk({pk for ids in links.values() for pk in ids})
    result = {pk: [] for ids in by_field.values() for pk in ids}
    for page_id, ids in links.items():
        result[page_id] = [audiences[pk] for pk in ids if pk in audiences]
    return result


def prefetch_for_text(contexts):
    """Load what the text checks and the reference index read for every context: its
    municipality and the pages' child objects, in a few queries."""

    contexts = list(contexts)
    facts = Facts(municipalities=every_municipality())
    for context in contexts:
        context._cache.setdefault(
            "municipality", facts.municipality_for(context.anchor.path) if context.anchor else None
        )
    _fill_relations([context.page for context in contexts], facts, foreign_keys=False)


def _fill_relations(pages, facts, children=None, foreign_keys=True):
    """Fill the pages' own foreign keys (unit, leader, notice, plan, spokesperson) and, for
    pages read from the database, their child relations (comments), from a few queries.

    The text extraction reads every field of a page and the reference index every child
    object; without this each page would cost a query for each. ``children``: only these
    pages need their child relations (default: all); ``foreign_keys=False``: only those.
    """

    base = {f.name for f in Page._meta.concrete_fields}
    by_class = {}
    for page in pages:
        by_class.setdefault(type(page), []).append(page)
    known = {OrganisationUnit: facts.units, get_user_model(): facts.users, Page: facts.notices}
    keys = {}
    for cls, group in by_class.items():
        keys[cls] = [
            f
            for f in cls._meta.concrete_fields
            if f.many_to_one and f.name not in base and foreign_keys
        ]
        for f in keys[cls]:
            store = known.setdefault(f.related_model, {})
            ids = {getattr(page, f.attname) for page in group} - {None} - store.keys()
            if ids:
                found = f.related_model._base_manager.in_bulk(ids)
                store.update({pk: found.get(pk) for pk in ids})
    for cls, group in by_class.items():
        for f in keys[cls]:
            store = known[f.related_model]
            for page in group:
                value = getattr(page, f.attname)
                if value is not None and not f.is_cached(page):
                    f.set_cached_value(page, store.get(value))
        for relation in (r.get_accessor_name() for r in get_all_child_relations(cls)):
            # A draft holds its child objects from its revision; a page read from the database
            # would read them one query a page.
            unread = [
                page
                for page in group
                if page.pk
                and relation not in getattr(page, "_cluster_related_objects", {})
                and (children is None or page.pk in children)
            ]
            if unread:
                prefetch_related_objects(unread, relation)


def _private_documents(pages, referenced_document_ids):
    """``{page id: [documents in staff-only collections it links]}`` in two queries."""

    linked = {pk: referenced_document_ids(page) for pk, page in pages.items()}
    found = dict.fromkeys(linked, ())
    wanted = set().union(*linked.values()) if linked else set()
    if not wanted:
        return {pk: [] for pk in linked}
    staff_only = StaffOnlyCollections()
    documents = (
        get_document_model().objects.filter(pk__in=wanted).select_related("collection").in_bulk()
    )
    for pk, ids in linked.items():
        found[pk] = [
            documents[doc_id]
            for doc_id in sorted(ids)
            if doc_id in documents and staff_only.holds(documents[doc_id].collection)
        ]
    return found


def evaluate_many(contexts, kept_text=None):
    """Findings for each context, as ``evaluate`` gives them, in a fixed number of queries.

    ``kept_text``: see ``prefetch``."""

    contexts = list(contexts)
    prefetch(contexts, kept_text)
    return [evaluate(context) for context in contexts]


def drafts(pages):
    """``{page id: the specific page as its latest revision would publish it}``.

    ``pages`` are base pages fetched with ``select_related("latest_revision")``. Like
    ``page.get_latest_revision_as_object()`` for each, without its queries per page (foreign
    keys checked one by one, the parent, the comments): foreign keys to rows that no longer
    exist stay as ids, and ``Facts`` reads them as missing. A page without a revision is
    loaded as it is (one query per page type).
    """

    pages = list(pages)
    contents = {
        page.pk: dict(page.latest_revision.content) for page in pages if page.latest_revision
    }
    audience_ids = set()
    for content in contents.values():
        audience_ids.update(content.get("audiences") or ())
    # With their municipality: setting them sorts them by the municipality's name.
    audiences = Audience.objects.select_related("municipality").in_bulk(audience_ids)
    result = {}
    for page in pages:
        content = contents.get(page.pk)
        if content is None:
            continue
        wanted = content.pop("audiences", None)
        obj = page.specific_class.from_serializable_data(content, check_fks=False)
        for name in _PAGE_FIELDS:
            setattr(obj, name, getattr(page, name))
        obj.pk = page.pk
        if obj.first_published_at is None:
            obj.first_published_at = page.first_published_at
        if wanted is not None and hasattr(obj, "audiences"):
            obj.audiences.set([audiences[pk] for pk in wanted if pk in audiences])
        result[page.pk] = obj
    without = [page.pk for page in pages if page.pk not in contents]
    if without:
        result.update(Page.objects.filter(pk__in=without).specific().in_bulk())
    return result
