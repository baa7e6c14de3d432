"""The publish rules' findings on every live page, kept for the findings report.

Judging every live governed page of a municipality takes a few seconds at 17,000 pages (loading
them, then what the rules look up, then the rules), too long for a report that is filtered and
paged. So a municipality's live pages are judged together and their findings kept
(``LiveFinding``, one row per finding, with its summary in each admin language), with the
judgement itself (``FindingsJudgement``):

- **What changes a finding** is anything the rules read: a page (except Wagtail's bookkeeping
  of drafts: their title, latest revision, lock and comments), this extension's models, people
  (except their sign-ins) and their groups, sites, collections and their permissions and
  restrictions, documents and images. A save or delete of any of them counts a change in every
  municipality's judgement (``mark_changed``: one UPDATE in the transaction that makes the
  change, once per transaction). Every municipality, deliberately: a finding on one page can
  depend on another municipality's pages.
- **A judgement holds** while no change was counted after it started, on the day it was made
  (review dates and consents run out), for the rules' code it was made with, and only if every
  page's text had been checked (a page published a moment ago may wait for the worker's text
  check).
- **The report** reads the findings of a judgement that holds. Otherwise a municipality of at
  most ``JUDGE_IN_REQUEST`` live pages is judged there and then, as is every municipality when
  tasks run at once (development, tests); a larger one is judged by the worker
  (``judge_live_findings``), and the report shows the last judgement meanwhile and says when it
  was made. ``manage.py check_live_pages`` judges every municipality nightly.

The publish veto never reads what is kept here: every publish is judged as it happens.
"""

import functools
import logging

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation
from django_tasks import task
from wagtail.admin.localization import get_available_admin_languages
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    COMMENTS_RELATION_NAME,
    Collection,
    CollectionViewRestriction,
    GroupCollectionPermission,
    Locale,
    PageViewRestriction,
    Site,
    get_page_models,
)
from wagtail.signals import post_page_move

from publishing import memo
from publishing.fingerprint import fingerprint
from publishing.models import FindingsJudgement, LiveFinding, Municipality
from publishing.models.municipality import holding
from publishing.models.pages import governed_page_models, in_trees
from publishing.reports import live_text
from publishing.rules import PUBLISH, RuleContext, shared_analysis
from publishing.rules.bulk import Facts, facts_of, prefetch
from publishing.rules.engine import evaluate, keyed
from publishing.rules.text_extraction import content_fields

logger = logging.getLogger(__name__)

#: A municipality with at most this many live pages is judged in the report's request when its
#: judgement no longer holds (well under a second); a larger one by the worker.
JUDGE_IN_REQUEST = 1500

#: Findings written together.
WRITE_BATCH = 1000

#: Fields of a governed page that no rule reads: judging leaves them in the database (tens of
#: thousands of dates and JSON values to convert).
NOT_JUDGED = (
    "draft_title",
    "slug",
    "url_path",
    "seo_title",
    "search_description",
    "show_in_menus",
    "numchild",
    "translation_key",
    "has_unpublished_changes",
    "last_published_at",
    "latest_revision_created_at",
    "go_live_at",
    "expired",
    "locked",
    "locked_at",
    "locked_by",
    "owner",
    "review_by",
    "public_credit",
)

#: Fields no rule reads: a save of only these changes no finding. Wagtail's bookkeeping of a
#: page's drafts, and a person's sign-in (each sign-in saves ``last_login``).
NOT_READ_FIELDS = {
    "last_login",
    "password",
    "draft_title",
    "latest_revision",
    "latest_revision_created_at",
    "has_unpublished_changes",
    "locked",
    "locked_at",
    "locked_by",
    COMMENTS_RELATION_NAME,
}

#: This extension's models whose rows no rule reads (what is kept here among them).
NOT_READ_BY_RULES = {
    "ApprovalReminder",
    "DigestEvent",
    "ExternalLink",
    "FindingsJudgement",
    "LiveFinding",
    "LiveTextCheck",
    "MailDigest",
    "MailPreference",
    "PageFeedback",
    "SubmissionNote",
}


@functools.cache
def code_fingerprint():
    """A digest of the rules' code, the checks and the libraries they use."""
    return fingerprint(
        ("rules", "content_checks", "reports/live_findings.py", "reports/live_text.py"),
        shared_analysis.LIBRARIES,
    )


# --- judging -----------------------------------------------------------------------------------


def live_pages_to_judge(root_paths, units=None):
    """The live governed pages below ``root_paths`` (of ``units``, if given), loaded for the
    rules: without their text and the fields no rule reads (one query per page type)."""
    pages = []
    for model in governed_page_models():
        queryset = model.objects.live().filter(in_trees(root_paths))
        if units is not None:
            queryset = queryset.filter(owning_unit_id__in=units)
        names = {f.name for f in model._meta.concrete_fields}
        queryset = queryset.defer(
            *(f.name for f in content_fields(model)),
            *(name for name in NOT_JUDGED if name in names),
        )
        pages.extend(queryset)
    pages.sort(key=lambda page: page.path)
    return pages


def judge_live_pages(pages, municipalities, languages=None):
    """The publish rules' findings for each of the live governed ``pages``, and the ``Facts``
    they were judged from: among them the kept text results (``facts.text``, ``{page id:
    TextResults or None}``; None: the page's text is not checked yet) and the responsible
    leaders (``facts.users``).

    What the rules look up (notices, units and leaders, roles, aliases, documents, the kept text
    results) is loaded for all pages at once: a fixed number of queries whatever the number of
    pages. A live page is judged as it went live (no submission to wait for).

    With ``languages``, each page's findings are a list of ``(key, {language: finding})``, the
    rules run once in each language (a finding's words are in the language it was made in);
    without, a list of findings in the active language.
    """
    contexts = []
    for page in pages:
        context = RuleContext(page=page, purpose=PUBLISH)
        context._cache["municipality"] = holding(page.path, municipalities)  # saves a query a page
        contexts.append(context)
    prefetch(contexts, kept_text=live_text.kept_results)
    facts = facts_of(contexts[0]) if contexts else Facts()
    if languages is None:
        return [evaluate(context) for context in contexts], facts
    judged = []
    for index, language in enumerate(languages):
        with translation.override(language):
            for position, context in enumerate(contexts):
                pairs = keyed(evaluate(context))
                if index == 0:
                    judged.append([(key, {language: finding}) for key, finding in pairs])
                    continue
                # The rules find the same things in every language; only the words differ.
                found = dict(pairs)
                for key, by_language in judged[position]:
                    by_language[language] = found.get(key, by_language[languages[0]])
    return judged, facts


def admin_languages():
    """The codes of the languages the admin is offered in."""
    return [code for code, _name in get_available_admin_languages()]


def judge(municipality, check_text=live_text.refresh):
    """Judge every live governed page of ``municipality`` and keep the findings; the judgement.

    ``check_text([municipality])`` first brings the kept text checks up to date (the worker
    checks every stale page; a request only a few, ``live_text.bring_up_to_date``).
    """
    # The count of changes before anything is read: a change that commits later counts on.
    judgement, _created = FindingsJudgement.objects.get_or_create(
        municipality=municipality, defaults={"judged_on": timezone.localdate(), "code": ""}
    )
    seen = judgement.changes
    started = timezone.now()
    check_text([municipality])
    languages = admin_languages()
    pages = live_pages_to_judge([municipality.site.root_page.path]) if municipality.site else []
    judged, facts = judge_live_pages(pages, [municipality], languages)
    rows = []
    for page, findings in zip(pages, judged, strict=True):
        for position, (_key, by_language) in enumerate(findings):
            finding = by_language[languages[0]]
            rows.append(
                LiveFinding(
                    municipality=municipality,
                    page_id=page.pk,
                    path=page.path,
                    position=position,
                    unit_id=page.owning_unit_id,
                    leader_id=page.responsible_leader_id,
                    code=finding.code,
                    kind=finding.code.split(".")[0],
                    severity=finding.severity,
                    field=finding.field or "",
                    # What and where, never the page's text around a finding: the report is
                    # read by others and exported.
                    summaries={code: str(f.summary) for code, f in by_language.items()},
                )
            )
    waiting = sum(1 for results in facts.text.values() if results is None)
    with transaction.atomic():
        judgement = keep(judgement, started, seen, len(pages), waiting, rows)
    logger.info("Judged %s live pages of %s: %s findings", len(pages), municipality.slug, len(rows))
    return judgement


def keep(judgement, started, seen, pages, waiting, rows):
    """Replace the kept findings of ``judgement``'s municipality with ``rows``, judged from
    ``started`` when the count of changes was ``seen``; the judgement, updated. Judgements are
    kept one at a time (the judgement's row is locked until the transaction commits)."""
    municipality_id = judgement.municipality_id
    FindingsJudgement.objects.select_for_update().filter(pk=municipality_id).values("pk").get()
    LiveFinding.objects.filter(municipality_id=municipality_id).delete()
    LiveFinding.objects.bulk_create(rows, batch_size=WRITE_BATCH)
    judgement.judged_at = started
    judgement.judged_on = timezone.localdate(started)
    judgement.code = code_fingerprint()
    judgement.pages = pages
    judgement.pages_waiting = waiting
    judgement.changes_judged = seen
    fields = ["judged_at", "judged_on", "code", "pages", "pages_waiting", "changes_judged"]
    # The count itself is left as it is in the database: changes go on counting meanwhile.
    FindingsJudgement.objects.filter(pk=municipality_id).update(
        **{name: getattr(judgement, name) for name in fields}
    )
    return judgement


def holds(judgement, today=None):
    """Whether a kept judgement (or None) still holds."""
    return (
        judgement is not None
        and judgement.changes == judgement.changes_judged
        and judgement.pages_waiting == 0
        and judgement.judged_on == (today or timezone.localdate())
        and judgement.code == code_fingerprint()
    )


def current(municipalities):
    """``({municipality id: judgement}, ids of the municipalities queued)`` for the report:
    each municipality's judgement, judged anew first where it no longer holds and the
    municipality is judged in the request; the others are queued for the worker, and their
    last judgement (or None) is returned."""
    judgements = FindingsJudgement.objects.in_bulk([m.pk for m in municipalities])
    queued = []
    for municipality in municipalities:
        judgement = judgements.get(municipality.pk)
        if holds(judgement):
            continue
        if judgement is None or in_request(municipality):
            judgements[municipality.pk] = judge(municipality, live_text.bring_up_to_date)
        else:
            queued.append(municipality.pk)
    if queued and cache.add(queued_key(queued), True, 600):
        judge_live_findings.enqueue(sorted(queued))
    return judgements, set(queued)


def in_request(municipality):
    """Whether ``municipality`` is judged in the report's request rather than by the worker."""
    if not judge_live_findings.get_backend().supports_defer:
        return True  # tasks run at once: the request would wait for them anyway
    return live_text.live_pages(municipality).count() <= JUDGE_IN_REQUEST


def queued_key(municipality_ids):
    """The cache key that says a judgement of these municipalities is queued (the task deletes
    it when done, so that what changes later is queued again)."""
    return f"publishing:live-findings:{','.join(map(str, sorted(municipality_ids)))}"


@task()
def judge_live_findings(municipality_ids):
    """Judge every live page of these municipalities and keep the findings."""
    municipalities = Municipality.objects.filter(pk__in=municipality_ids).order_by("pk")
    try:
        for municipality in municipalities.select_related("site__root_page"):
            judge(municipality)
    finally:
        cache.delete(queued_key(municipality_ids))
    return {"judged": len(municipality_ids)}


# --- what changes a finding ------------------------------------------------------------------


def mark_changed(*args, **kwargs):
    """Count a change in every municipality's judgement, in the transaction that makes it (a
    signal receiver)."""
    update_fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (update_fields and set(update_fields) <= NOT_READ_FIELDS):
        return
    if kwargs.get("action", "post").startswith("pre"):
        return  # a many-to-many change is counted once it is written (its "post_" signal)
    if connection.in_atomic_block:
        # Once per transaction is enough: a judgement sees all of it or none. The key holds the
        # outermost block (an atomic decorator reuses its block for each call, so the key goes
        # when the transaction commits); changes made outside a transaction each count.
        block = connection.atomic_blocks[0]
        if not memo.first_time(("findings.changed", block)):
            return
        transaction.on_commit(count_again, robust=True)
    changed_now()


def count_again():
    """After a commit: the request's next transaction counts its changes too."""
    memo.drop({"findings.changed"})


def changed_now():
    """Count a change in every municipality's judgement."""
    FindingsJudgement.objects.update(changes=F("changes") + 1)


def changing_models():
    """The models whose saves and deletes may change a finding."""
    own = [
        model
        for model in apps.get_app_config("publishing").get_models()
        if model.__name__ not in NOT_READ_BY_RULES and not model._meta.proxy
    ]
    return [
        *get_page_models(),
        *own,
        get_user_model(),
        Site,
        Locale,
        Collection,
        GroupCollectionPermission,
        CollectionViewRestriction,
        PageViewRestriction,
        get_document_model(),
        get_image_model(),
    ]


def connect():
    """Connect ``mark_changed`` to every change that may change a finding: saves and deletes
    of ``changing_models()``, and changes to their many-to-many relations (a page's audiences,
    a person's groups), which Django and modelcluster write without a save of the model."""
    throughs = set()
    for model in changing_models():
        for signal, name in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                mark_changed, sender=model, dispatch_uid=f"pub_findings_{model._meta.label}_{name}"
            )
        throughs.update(field.remote_field.through for field in model._meta.many_to_many)
    for through in throughs:
        m2m_changed.connect(
            mark_changed, sender=through, dispatch_uid=f"pub_findings_{through._meta.label}_m2m"
        )
    post_page_move.connect(mark_changed, dispatch_uid="pub_findings_move")
