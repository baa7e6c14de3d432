"""``generate(pages, revisions, seed=...)``: governed pages at scale, for the benchmarks.

Fills a database that holds the demo (``manage.py load_demo``) with governed pages at the scale
of a large municipality or an intermunicipal IT service, for benchmarks and query-count tests:

- pages of every governed page type that can stand below a municipality's home page, news index
  or intranet (news, press releases, service and standard pages, internal notices), a quarter
  of the home page's pages one level deeper below a generated page, spread over both
  municipalities' units, their leaders and audiences;
- live pages, drafts and live pages with a newer draft; pages in a workflow now (waiting for the
  leader, held for their internal notice, in editorial review); live pages published through the
  workflow, with the approvals in the audit log; pages past their review date; pages that affect
  staff and link an internal notice; citizens' feedback on some live pages;
- ``revisions`` revisions spread over the pages (at least one each, about ten on average with
  the defaults), each holding the page as Wagtail serialises it, an audit-log entry for each
  save, and the pages' latest and live revisions set.

Rows are written with bulk inserts and tree paths computed here (Wagtail's ``Page`` is a
treebeard materialised-path tree), not with ``add_child`` and ``save_revision`` page by page,
which would take hours. The tree stays valid: ``manage.py fixtree`` finds no problems. Wagtail's
signals do not run, so the pages are neither in the search index nor in the reference index.

``generate`` runs in one transaction and refuses to run on a database that already holds
generated pages (their slugs start with ``skala-``): a failed run leaves nothing behind, and a
second run would double the data and the timings built on it.
"""

import datetime
import json
import math
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from html import escape

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    GroupApprovalTask,
    Page,
    PageLogEntry,
    Revision,
    TaskState,
    WorkflowState,
    get_default_page_content_type,
)
from wagtail.rich_text import RichText

from publishing import audit
from publishing.conf import page_model, setting
from publishing.models import (
    BaseInternalNoticePage,
    GovernedPage,
    InternalNoticeTask,
    LeaderApprovalTask,
    Municipality,
    OrganisationUnit,
    PageFeedback,
    RoleAssignment,
    Sensitivity,
)
from publishing.models.pages import governed_page_models
from publishing.rules.approval import AS_LEADER, AS_LINE
from publishing.rules.text_extraction import extract

#: Slugs of generated pages start with this; it is how a second run is recognised.
SLUG_PREFIX = "skala-"

#: How many pages of each type, relative to each other; types not named here weigh 10.
#: Named by label so that the extension never imports the site's page app.
MODEL_WEIGHTS = {
    "home.newspage": 45,
    "home.pressreleasepage": 8,
    "home.servicepage": 22,
    "home.standardpage": 20,
    "home.internalnoticepage": 5,
}

#: Leaders of units answer for most pages; sector heads, the chief executive and the mayor for
#: fewer.
ROLE_WEIGHTS = {"unit_head": 6, "sector_head": 3, "chief_executive": 1, "mayor": 1}


@dataclass(frozen=True)
class Mix:
    """The shares of the generated data. Tests raise some of them to get many rows from few
    pages; the defaults are what a municipality's site looks like after some years."""

    live: float = 0.70  # pages that are live
    changed: float = 0.15  # of live pages: a newer draft waits
    in_workflow: float = 0.04  # pages in a workflow now
    held: float = 0.10  # of pages in a workflow: held for their internal notice to staff
    review: float = 0.15  # of pages in a workflow: approved by the leader, in editorial review
    history: float = 0.40  # of live pages: published through the workflow (approvals logged)
    overdue: float = 0.10  # of live pages: past their review date
    review_date: float = 0.70  # of the other pages: a review date ahead
    affects_staff: float = 0.10  # of public pages: affect staff and link a live notice
    nested: float = 0.25  # of the home page's pages: one level deeper, below a generated page
    feedback: float = 0.08  # of live public pages: feedback from citizens
    leader_edits: float = 0.08  # of revisions: saved by the responsible leader


DEFAULT_MIX = Mix()


@dataclass
class Leader:
    """A leader role that answers for pages: the unit, the person, their role and the leader
    above them in the line (who approves when the leader cannot)."""

    unit_id: int
    unit_name: str
    user_id: int
    role: str
    above_id: int | None


@dataclass
class Site:
    """What the generator needs of one municipality, read once."""

    municipality: object
    parents: dict  # place ("home", "news", "intranet") -> parent page
    leaders: list
    leader_weights: list
    public_audiences: list
    internal_audiences: list
    authors: list  # user ids of publishers and the communications group
    editors: list  # user ids of the communications group
    live_notices: list
    draft_notices: list
    external: list  # the external workflow's tasks, in order: checks, notice, leader, review
    intranet: list  # the intranet workflow's tasks: checks, leader
    sentences: list


@dataclass
class Spec:
    """One page to generate, planned before anything is written."""

    number: int
    site: Site
    model: type
    place: str
    path: str
    depth: int
    url_path: str
    slug: str
    title: str
    leader: Leader
    numchild: int = 0
    state: str = "draft"  # draft | live | changed (live with a newer draft)
    workflow: str = ""  # "" | leader | held | review | done (published through the workflow)
    revisions: int = 1
    affects_staff: bool = False
    review_by: datetime.date | None = None
    children_allowed: tuple = ()
    parent_spec: object = None
    obj: object = None
    times: list = field(default_factory=list)
    live_index: int | None = None


def _step(number):
    """The ``number``-th child's path step (1-based), as treebeard writes it."""
    return Page._get_path("", 1, number)


def _last_step(parent):
    """The step of ``parent``'s last child in the tree (0 without children)."""
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return int(last[-Page.steplen :], len(Page.alphabet)) if last else 0


def _sentences(municipality):
    """Sentences of the municipality's own demo pages, in its language: realistic text for the
    plain-language and personal-data checks."""
    found = []
    for model in governed_page_models():
        pages = model.objects.descendant_of(municipality.site.root_page).exclude(
            slug__startswith=SLUG_PREFIX
        )
        for page in pages.order_by("path")[:100]:
            for line in extract(page).text.split("\n"):
                for sentence in re.split(r"(?<=[.!?])\s+", line.strip()):
                    if 4 <= len(sentence.split()) <= 30 and sentence[-1:] in ".!?":
                        found.append(sentence)
    return sorted(set(found))


def _leaders(municipality):
    units = {
        pk: (parent_id, name)
        for pk, parent_id, name in OrganisationUnit.objects.filter(
            municipality=municipality
        ).values_list("pk", "parent_id", "name")
    }
    roles = list(
        RoleAssignment.objects.active()
        .leaders()
        .filter(unit__municipality=municipality)
        .order_by("unit_id", "role", "user_id")
        .values_list("unit_id", "user_id", "role")
    )
    by_unit = {}
    for unit_id, user_id, _role in roles:
        by_unit.setdefault(unit_id, user_id)
    leaders = []
    for unit_id, user_id, role in roles:
        above, parent = None, units[unit_id][0]
        while parent is not None and above is None:
            above = by_unit.get(parent)
            parent = units[parent][0]
        leaders.append(Leader(unit_id, units[unit_id][1], user_id, role, above))
    return leaders


def _tasks(workflow):
    if workflow is None:
        return []
    return [
        task.specific
        for task in workflow.tasks.filter(active=True).order_by("workflow_tasks__sort_order")
    ]


def load_sites():
    """Each municipality with a site, as the generator needs it. Raises ``CommandError`` when
    the demo is not loaded."""
    home_model = setting("HOME_PAGE_MODEL").lower()
    news_model = (setting("NEWS_INDEX_MODEL") or "").lower()
    sites = []
    for municipality in Municipality.objects.exclude(site=None).select_related(
        "site__root_page", "intranet_page"
    ):
        home = municipality.site.root_page.specific
        if f"{home._meta.app_label}.{home._meta.model_name}" != home_model:
            continue
        news = next(
            (
                child
                for child in home.get_children().specific()
                if f"{child._meta.app_label}.{child._meta.model_name}" == news_model
            ),
            None,
        )
        leaders = _leaders(municipality)
        sentences = _sentences(municipality)
        if not leaders or len(sentences) < 10:
            raise CommandError(
                f"{municipality.name} has no leaders or demo pages to build on: run "
                "`manage.py load_demo` first."
            )
        audiences = list(municipality.audiences.order_by("sort_order", "pk"))
        notices = [
            (page.pk, page.live)
            for model in governed_page_models()
            if issubclass(model, BaseInternalNoticePage)
            for page in model.objects.descendant_of(municipality.site.root_page)
        ]

        def members(*groups):
            ids = {g.pk for g in groups if g is not None}
            return sorted(
                get_user_model()
                .objects.filter(groups__in=ids, is_active=True)
                .values_list("pk", flat=True)
                .distinct()
            )

        sites.append(
            Site(
                municipality=municipality,
                parents={
                    key: page
                    for key, page in (
                        ("home", home),
                        ("news", news),
                        ("intranet", municipality.intranet_page),
                    )
                    if page is not None
                },
                leaders=leaders,
                leader_weights=[ROLE_WEIGHTS.get(leader.role, 1) for leader in leaders],
                public_audiences=[a for a in audiences if not a.is_internal] or audiences,
                internal_audiences=[a for a in audiences if a.is_internal] or audiences,
                authors=members(municipality.publishers_group, municipality.communications_group),
                editors=members(municipality.communications_group),
                live_notices=[pk for pk, live in notices if live],
                draft_notices=[pk for pk, live in notices if not live],
                external=_tasks(municipality.external_workflow),
                intranet=_tasks(municipality.intranet_workflow),
                sentences=sentences,
            )
        )
    if not sites:
        raise CommandError("No municipality with a site: run `manage.py load_demo` first.")
    for site in sites:
        if not site.authors:
            raise CommandError(f"{site.municipality.name} has no publishers: load the demo.")
    return sites


def _governance_fields():
    """Names of the fields every governed page has (filled from the plan, not generated)."""
    return {f.name for f in GovernedPage._meta.local_fields} | {"page_ptr", "audiences"}


def _fillable(model):
    """Whether the generator can fill every field ``model`` requires."""
    own = _governance_fields()
    for f in model._meta.local_concrete_fields:
        if f.name in own or f.blank or f.null or f.has_default():
            continue
        if not isinstance(f, (StreamField, RichTextField, models.TextField, models.CharField)):
            return False
        if isinstance(f, (models.URLField, models.EmailField, models.SlugField)):
            return False
    return True


def placements(site):
    """``{model: place}`` for the governed types that may be created below the site's fixed
    parents; internal notices go to the intranet, every other type to a public parent."""
    found = {}
    for model in governed_page_models():
        if model.max_count or model.max_count_per_parent or not model.is_creatable:
            continue
        if not _fillable(model):
            continue
        allowed = [
            place
            for place, parent in site.parents.items()
            if parent.specific_class in model.allowed_parent_page_models()
            and model in parent.specific_class.allowed_subpage_models()
        ]
        notice = issubclass(model, BaseInternalNoticePage)
        preferred = [p for p in allowed if (p == "intranet") == notice]
        if preferred or allowed:
            found[model] = (preferred or allowed)[0]
    return found


def allocate(total, counts, rng):
    """Split ``total`` into ``counts`` parts of at least one, unevenly as real edit histories
    are (a few pages are edited very often), summing exactly to ``total``."""
    extra = total - counts
    weights = [rng.expovariate(1.0) for _ in range(counts)]
    scale = extra / sum(weights) if weights else 0
    parts = [1 + int(w * scale) for w in weights]
    for index in rng.choices(range(counts), k=total - sum(parts)):
        parts[index] += 1
    return parts


class Generator:
    """Plans and writes the scale data. ``run()`` does both; see the module's docstring."""

    def __init__(self, pages, revisions, *, seed=2026, batch_size=1000, mix=DEFAULT_MIX, say=None):
        if pages < 1 or revisions < pages:
            raise CommandError("Give at least one page and at least one revision per page.")
        self.pages, self.total_revisions = pages, revisions
        self.rng = random.Random(seed)
        self.batch_size = max(1, batch_size)
        self.mix = mix
        self.say = say or (lambda line: None)
        self.now = timezone.now()
        self.page_type = get_default_page_content_type()
        self.task_state_type = ContentType.objects.get_for_model(TaskState)
        self.written = {"pages": 0, "revisions": 0, "log entries": 0, "workflow states": 0}
        self.written.update({"task states": 0, "feedback": 0})
        self.numbering = Page.objects.filter(slug__startswith=SLUG_PREFIX).count()
        self.ids = Ids()
        self.tables = {}
        self.governance_fields = _governance_fields()

    # --- planning ---------------------------------------------------------------------------

    def plan(self, sites):
        """Every page's type, place, tree path, leader, state, workflow and revision count."""
        rng, mix = self.rng, self.mix
        per_site = {id(site): placements(site) for site in sites}
        models_ = sorted(
            {m for found in per_site.values() for m in found}, key=lambda m: m._meta.label
        )
        if not models_:
            raise CommandError("No governed page type can be created below the demo's pages.")
        weights = [MODEL_WEIGHTS.get(m._meta.label_lower, 10) for m in models_]
        counts = [int(self.pages * w / sum(weights)) for w in weights]
        for index in rng.choices(range(len(models_)), weights=weights, k=self.pages - sum(counts)):
            counts[index] += 1
        # Notices first, so that the pages that link them are written after them.
        order = sorted(
            range(len(models_)), key=lambda i: not issubclass(models_[i], BaseInternalNoticePage)
        )
        steps = {}
        specs, nested = [], []
        for index in order:
            model = models_[index]
            for _ in range(counts[index]):
                site = rng.choice([s for s in sites if model in per_site[id(s)]])
                place = per_site[id(site)][model]
                spec = self._spec(site, model, place)
                parents = [
                    s
                    for s in specs[-200:]
                    if s.site is site and model in s.children_allowed and s.depth < 5
                ]
                if place == "home" and parents and rng.random() < mix.nested:
                    nested.append((spec, rng.choice(parents)))
                    continue
                parent = site.parents[place]
                key = parent.path
                if key not in steps:
                    steps[key] = _last_step(parent)
                steps[key] += 1
                self._locate(spec, parent.path, parent.depth, parent.url_path, steps[key])
                specs.append(spec)
        for spec, parent in nested:
            parent.numchild += 1
            self._locate(spec, parent.path, parent.depth, parent.url_path, parent.numchild)
            spec.parent_spec = parent
        specs.extend(spec for spec, _parent in nested)
        self._states(specs)
        for spec, count in zip(specs, allocate(self.total_revisions, len(specs), rng), strict=True):
            spec.revisions = count
            if spec.state == "changed" and count < 2:
                spec.state = "live"
        self.added_children = {}
        for spec in specs:
            if spec.parent_spec is None:
                parent = spec.site.parents[spec.place]
                self.added_children[parent.pk] = self.added_children.get(parent.pk, 0) + 1
        return specs

    def _spec(self, site, model, place):
        self.numbering += 1
        leader = self.rng.choices(site.leaders, weights=site.leader_weights)[0]
        title = self._title(site)
        slug = f"{SLUG_PREFIX}{self.numbering}-{slugify(title)[:60]}".rstrip("-")
        return Spec(
            number=self.numbering,
            site=site,
            model=model,
            place=place,
            path="",
            depth=0,
            url_path="",
            slug=slug,
            title=title,
            leader=leader,
            children_allowed=tuple(
                m for m in model.allowed_subpage_models() if model in m.allowed_parent_page_models()
            ),
        )

    @staticmethod
    def _locate(spec, parent_path, parent_depth, parent_url_path, number):
        spec.path = parent_path + _step(number)
        spec.depth = parent_depth + 1
        spec.url_path = f"{parent_url_path}{spec.slug}/"

    def _states(self, specs):
        rng, mix = self.rng, self.mix
        today = self.now.date()
        for spec in specs:
            notice = issubclass(spec.model, BaseInternalNoticePage)
            spec.state = "live" if rng.random() < mix.live else "draft"
            if spec.state == "live" and rng.random() < mix.changed:
                spec.state = "changed"
            if not notice and spec.place != "intranet":
                spec.affects_staff = rng.random() < mix.affects_staff
            if spec.state != "draft" and rng.random() < mix.overdue:
                spec.review_by = today - datetime.timedelta(days=rng.randint(1, 400))
            elif rng.random() < mix.review_date:
                spec.review_by = today + datetime.timedelta(days=rng.randint(1, 700))
            tasks = spec.site.external if spec.place != "intranet" else spec.site.intranet
            if spec.state != "draft" and tasks and rng.random() < mix.history:
                spec.workflow = "done"
        # Pages in a workflow are drawn in each municipality's public site and intranet apart,
        # and the first ones wait in each step in turn, so that even a small run has a page
        # waiting in every task (the query-count tests compare small runs).
        groups = {}
        for spec in specs:
            groups.setdefault((spec.site.municipality.pk, spec.place == "intranet"), []).append(
                spec
            )
        for (_municipality, intranet), group in sorted(groups.items()):
            tasks = group[0].site.intranet if intranet else group[0].site.external
            if not tasks or not mix.in_workflow:
                continue
            count = min(len(group), max(1, round(len(group) * mix.in_workflow)))
            for index, spec in enumerate(rng.sample(group, count)):
                draw = rng.random() if index > 2 else (0, mix.held, 1)[index]
                if intranet:
                    spec.workflow = "leader"
                elif draw < mix.held:
                    spec.workflow = "held"
                elif draw < mix.held + mix.review:
                    spec.workflow = "review"
                else:
                    spec.workflow = "leader"
                if spec.workflow == "held":
                    # Held for a notice that is not live: a page that has not been published.
                    spec.state, spec.affects_staff = "draft", True
                elif spec.state == "live":
                    spec.state = "changed"

    def _title(self, site):
        words = re.sub(r"[.!?,:;«»“”\"()]", "", self.rng.choice(site.sentences)).split()
        title = " ".join(words[: self.rng.randint(4, 8)])
        return title[:1].upper() + title[1:]

    # --- building the rows ------------------------------------------------------------------

    def _paragraphs(self, site, count):
        rng = self.rng
        return [
            " ".join(rng.choice(site.sentences) for _ in range(rng.randint(3, 5)))
            for _ in range(count)
        ]

    def _field_values(self, spec):
        """Values for the type's own fields (introduction, body, rich text, dates, the
        spokesperson and statement level of a press release)."""
        rng, site = self.rng, spec.site
        own = self.governance_fields
        values = {}
        for f in spec.model._meta.local_concrete_fields:
            if f.name in own:
                continue
            if isinstance(f, StreamField):
                if "paragraph" in f.stream_block.child_blocks:
                    values[f.name] = [
                        ("paragraph", RichText(f"<p>{escape(text)}</p>"))
                        for text in self._paragraphs(site, rng.randint(3, 6))
                    ]
            elif isinstance(f, RichTextField):
                values[f.name] = "".join(
                    f"<p>{escape(text)}</p>" for text in self._paragraphs(site, 2)
                )
            elif isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
                values[f.name] = spec.times[0].date()
            elif f.name == "statement_level":
                values[f.name] = self._statement_level(spec)
            elif isinstance(f, models.ForeignKey) and f.related_model == get_user_model():
                values[f.attname] = spec.leader.user_id  # the leader speaks for the unit
            elif f.choices:
                continue
            elif isinstance(f, models.TextField) or (
                isinstance(f, models.CharField) and not f.blank
            ):
                values[f.name] = rng.choice(site.sentences)[: f.max_length or None]
        return values

    @staticmethod
    def _statement_level(spec):
        municipality = spec.site.municipality
        for item in municipality.profile.get("statement_levels", []):
            if spec.leader.role in item["roles"]:
                return item["code"]
        return ""

    def _times(self, spec):
        """When each revision was saved, oldest first, all before now; a page in a workflow
        was last saved in the past month."""
        rng, now = self.rng, self.now
        born = now - datetime.timedelta(days=rng.uniform(30, 730))
        end = now - datetime.timedelta(hours=rng.uniform(1, 24 * 30 if spec.workflow else 24 * 20))
        if spec.workflow and spec.workflow != "done":
            born = max(born, end - datetime.timedelta(days=rng.uniform(1, 120)))
        span = (end - born).total_seconds()
        spec.times = [born] + sorted(
            born + datetime.timedelta(seconds=rng.uniform(0, span))
            for _ in range(spec.revisions - 1)
        )

    def build(self, spec):
        """The page object (not saved) with its governance, fields and tree position."""
        rng, site = self.rng, spec.site
        self._times(spec)
        notice = issubclass(spec.model, BaseInternalNoticePage)
        last = len(spec.times) - 1
        if spec.state == "live":
            spec.live_index = last
        elif spec.state == "changed":
            spec.live_index = rng.randint(max(0, last - 3), last - 1)
        leader = spec.leader
        internal_notice_id = None
        if spec.affects_staff:
            pool = site.draft_notices if spec.workflow == "held" else site.live_notices
            internal_notice_id = rng.choice(pool) if pool and rng.random() < 0.9 else None
            if spec.workflow != "held" and internal_notice_id is None:
                spec.affects_staff = False
        live = spec.live_index is not None
        first = spec.times[rng.randint(0, spec.live_index)] if live else None
        obj = spec.model(
            title=spec.title,
            draft_title=spec.title,
            slug=spec.slug,
            path=spec.path,
            depth=spec.depth,
            numchild=spec.numchild,
            url_path=spec.url_path,
            locale_id=site.parents["home"].locale_id,
            translation_key=uuid.UUID(int=rng.getrandbits(128), version=4),
            content_type=ContentType.objects.get_for_model(spec.model),
            live=live,
            has_unpublished_changes=not live or spec.state == "changed",
            first_published_at=first,
            last_published_at=spec.times[spec.live_index] if live else None,
            latest_revision_created_at=spec.times[-1],
            owner_id=rng.choice(site.authors),
            responsible_leader_id=leader.user_id,
            owning_unit_id=leader.unit_id,
            sensitivity=Sensitivity.INTERNAL if notice else Sensitivity.OPEN,
            affects_staff=spec.affects_staff,
            internal_notice_id=internal_notice_id,
            review_by=spec.review_by,
            public_credit={
                "unit": leader.unit_name,
                "leader_role": site.municipality.role_label(leader.role),
            },
            **self._field_values(spec),
        )
        audiences = site.internal_audiences if notice else site.public_audiences
        obj.audiences.set(rng.sample(audiences, min(len(audiences), rng.randint(1, 2))))
        spec.obj = obj
        return obj

    def revisions_of(self, spec):
        """The page's revisions as rows: the page as serialised, the body growing from one
        revision to the next as a writer's does, the last one the page as it is now."""
        rng, obj, site = self.rng, spec.obj, spec.site
        content = obj.serializable_data()
        blocks = None
        if isinstance(content.get("body"), str) and content["body"].startswith("["):
            blocks = json.loads(content["body"])
        rows, count = [], len(spec.times)
        for index, moment in enumerate(spec.times):
            data = content
            if blocks is not None and index < count - 1:
                keep = max(1, math.ceil(len(blocks) * (index + 1) / count))
                data = {**content, "body": json.dumps(blocks[:keep])}
            author = (
                spec.leader.user_id if rng.random() < self.mix.leader_edits else None
            ) or rng.choice(site.authors)
            rows.append(
                {
                    "content_type_id": obj.content_type_id,
                    "base_content_type_id": self.page_type.pk,
                    "object_id": str(obj.pk),
                    "created_at": moment,
                    "user_id": author,
                    "object_str": spec.title,
                    "content": data,
                    "approved_go_live_at": None,
                }
            )
        return rows

    # --- the audit log and workflows -----------------------------------------------------------

    @staticmethod
    def _entry(spec, action, moment, user_id=None, revision=None, data=None, changed=False):
        return {
            "content_type_id": spec.obj.content_type_id,
            "label": spec.title,
            "action": action,
            "data": data or {},
            "timestamp": moment,
            "uuid": None,
            "user_id": user_id,
            "revision_id": revision["id"] if revision else None,
            "content_changed": changed,
            "deleted": False,
            "page_id": spec.obj.pk,
        }

    @staticmethod
    def _workflow_data(workflow, tasks, index, task_state):
        follows = tasks[index + 1] if index + 1 < len(tasks) else None
        return {
            "workflow": {
                "id": workflow.pk,
                "title": workflow.name,
                "status": "approved",
                "task_state_id": task_state["id"],
                "task": {"id": tasks[index].pk, "title": tasks[index].name},
                "next": {"id": follows.pk, "title": follows.name} if follows else None,
            },
            "comment": "",
        }

    def _approver(self, spec):
        if spec.leader.above_id and self.rng.random() < 0.15:
            return spec.leader.above_id, AS_LINE
        return spec.leader.user_id, AS_LEADER

    def workflow_plan(self, spec, revisions):
        """How far the page's workflow got and when each step started and ended, for a page in
        a workflow or published through one; ``None`` for other pages."""
        if not spec.workflow:
            return None
        rng, site = self.rng, spec.site
        public = spec.place != "intranet"
        tasks = site.external if public else site.intranet
        municipality = site.municipality
        workflow = municipality.external_workflow if public else municipality.intranet_workflow
        if spec.workflow == "done":
            revision = revisions[spec.live_index]
            later = (
                revisions[spec.live_index + 1]["created_at"] if spec.state == "changed" else None
            )
        else:
            revision, later = revisions[-1], None
        room = ((later or self.now) - revision["created_at"]).total_seconds()
        # Each step takes a share of the time between the save and what came next.
        marks = sorted(rng.uniform(0.02, 0.95) * room for _ in range(2 * len(tasks) + 1))
        saved = revision["created_at"]
        start = saved + datetime.timedelta(seconds=marks[0])
        waiting_at = {"held": InternalNoticeTask, "leader": LeaderApprovalTask}.get(
            spec.workflow, GroupApprovalTask
        )
        steps = []
        for index, task in enumerate(tasks):
            began = saved + datetime.timedelta(seconds=marks[2 * index + 1])
            ended = saved + datetime.timedelta(seconds=marks[2 * index + 2])
            if spec.workflow != "done" and isinstance(task, waiting_at):
                steps.append((task, began, None))
                break
            steps.append((task, began, ended))
        return workflow, tasks, revision, start, steps

    def workflow_rows(self, spec, plan):
        """The workflow state and its task states, as rows without ids."""
        workflow, tasks, revision, start, steps = plan
        state = {
            "content_type_id": spec.obj.content_type_id,
            "base_content_type_id": self.page_type.pk,
            "object_id": str(spec.obj.pk),
            "workflow_id": workflow.pk,
            "status": WorkflowState.STATUS_APPROVED
            if spec.workflow == "done"
            else WorkflowState.STATUS_IN_PROGRESS,
            "created_at": start,
            "requested_by_id": revision["user_id"],
        }
        approver, capacity = self._approver(spec)
        task_states = []
        for task, began, ended in steps:
            finished_by = None
            if ended is not None and isinstance(task, LeaderApprovalTask):
                finished_by = approver
            elif ended is not None and isinstance(task, GroupApprovalTask):
                finished_by = self.rng.choice(spec.site.editors or spec.site.authors)
            task_states.append(
                {
                    "revision_id": revision["id"],
                    "task_id": task.pk,
                    "status": TaskState.STATUS_APPROVED if ended else TaskState.STATUS_IN_PROGRESS,
                    "started_at": began,
                    "finished_at": ended,
                    "finished_by_id": finished_by,
                    "comment": "",
                    "content_type_id": self.task_state_type.pk,
                }
            )
        return state, task_states, capacity

    def workflow_entries(self, spec, plan, state, task_states, capacity):
        """Audit-log entries of the workflow, as Wagtail and the extension write them."""
        workflow, tasks, revision, start, steps = plan
        start_data = {
            "workflow": {
                "id": workflow.pk,
                "title": workflow.name,
                "status": "in_progress",
                "next": {"id": tasks[0].pk, "title": tasks[0].name},
                "task_state_id": task_states[0]["id"],
            }
        }
        entries = [
            self._entry(
                spec,
                "wagtail.workflow.start",
                start,
                state["requested_by_id"],
                revision,
                start_data,
            )
        ]
        for index, ((task, _began, ended), task_state) in enumerate(
            zip(steps, task_states, strict=True)
        ):
            if ended is None:
                continue
            user = task_state["finished_by_id"]
            if isinstance(task, LeaderApprovalTask):
                data = {"findings": [], "as": capacity}
                entries.append(self._entry(spec, audit.LEADER_APPROVED, ended, user, data=data))
            data = self._workflow_data(workflow, tasks, index, task_state)
            entries.append(
                self._entry(spec, "wagtail.workflow.approve", ended, user, revision, data)
            )
            if isinstance(task, InternalNoticeTask):
                data = {"findings": []}
                entries.append(self._entry(spec, audit.NOTICE_PASSED, ended, data=data))
        if spec.workflow == "done":
            user = task_states[-1]["finished_by_id"]
            entries.append(
                self._entry(spec, "wagtail.publish", steps[-1][2], user, revision, changed=True)
            )
        return entries

    def feedback_rows(self, spec):
        """Citizens' answers about a live public page, most of them handled by its leader."""
        rng, site = self.rng, spec.site
        if spec.live_index is None or spec.place == "intranet":
            return []
        if rng.random() >= self.mix.feedback:
            return []
        rows = []
        for _ in range(rng.randint(1, 3)):
            handled = rng.random() < 0.8
            rows.append(
                {
                    "page_id": spec.obj.pk,
                    "municipality_id": site.municipality.pk,
                    "unit_id": spec.leader.unit_id,
                    "found": rng.random() < 0.6,
                    "comment": rng.choice(site.sentences),
                    "masked": "",
                    "created_at": self.now - datetime.timedelta(hours=rng.uniform(1, 24 * 200)),
                    "handled": handled,
                    "handled_note": rng.choice(site.sentences) if handled else "",
                    "handled_by_id": spec.leader.user_id if handled else None,
                }
            )
        return rows

    # --- writing ------------------------------------------------------------------------------

    def table(self, model, *, with_pk=True):
        key = (model, with_pk)
        if key not in self.tables:
            self.tables[key] = TableWriter(model, with_pk=with_pk)
        return self.tables[key]

    def write(self, specs):
        """Write one batch of planned pages with their revisions, log, workflows and feedback.

        Ids are handed out before anything is written, so that every row is written once,
        complete (the database checks the foreign keys between them at commit)."""
        objs = [self.build(spec) for spec in specs]
        for obj, pk in zip(objs, self.ids.take(Page, len(objs)), strict=True):
            obj.id = obj.page_ptr_id = pk
        per_spec = [self.revisions_of(spec) for spec in specs]
        revisions = [row for rows in per_spec for row in rows]
        for row, pk in zip(revisions, self.ids.take(Revision, len(revisions)), strict=True):
            row["id"] = pk
        entries, plans = [], []
        for spec, rows in zip(specs, per_spec, strict=True):
            obj = spec.obj
            obj.latest_revision_id = rows[-1]["id"]
            if spec.live_index is not None:
                obj.live_revision_id = rows[spec.live_index]["id"]
            for index, revision in enumerate(rows):
                action = "wagtail.create" if index == 0 else "wagtail.edit"
                moment, user = revision["created_at"], revision["user_id"]
                entries.append(self._entry(spec, action, moment, user, revision, changed=True))
            if spec.live_index is not None and spec.workflow != "done":
                revision = rows[spec.live_index]
                moment, user = revision["created_at"], revision["user_id"]
                entries.append(
                    self._entry(spec, "wagtail.publish", moment, user, revision, changed=True)
                )
            plan = self.workflow_plan(spec, rows)
            if plan is not None:
                plans.append((spec, plan, *self.workflow_rows(spec, plan)))
        states = [state for _spec, _plan, state, _rows, _capacity in plans]
        task_states = [row for _spec, _plan, _state, rows, _capacity in plans for row in rows]
        for row, pk in zip(states, self.ids.take(WorkflowState, len(states)), strict=True):
            row["id"] = pk
        for row, pk in zip(task_states, self.ids.take(TaskState, len(task_states)), strict=True):
            row["id"] = pk
        for spec, plan, state, rows, capacity in plans:
            for row in rows:
                row["workflow_state_id"] = state["id"]
            state["current_task_state_id"] = rows[-1]["id"]
            entries.extend(self.workflow_entries(spec, plan, state, rows, capacity))
        feedback = [row for spec in specs for row in self.feedback_rows(spec)]

        self.table(Page).write_objects(objs)
        for model in sorted({type(obj) for obj in objs}, key=lambda m: m._meta.label):
            mine = [obj for obj in objs if type(obj) is model]
            self.table(model).write_objects(mine)
            relation = model._meta.get_field("audiences")
            page_column = relation.m2m_column_name()
            audience_column = relation.m2m_reverse_name()
            self.table(relation.remote_field.through, with_pk=False).write(
                {page_column: obj.pk, audience_column: audience.pk}
                for obj in mine
                for audience in obj.audiences.all()
            )
        # Each notice names the pages that link it (a notice counts only for pages it names).
        notice_model = page_model("INTERNAL_NOTICE_MODEL")
        about = notice_model._meta.get_field("about_pages")
        self.table(about.remote_field.through, with_pk=False).write(
            {about.m2m_column_name(): obj.internal_notice_id, about.m2m_reverse_name(): obj.pk}
            for obj in objs
            if obj.internal_notice_id and not isinstance(obj, BaseInternalNoticePage)
        )
        self.table(Revision).write(revisions)
        self.table(WorkflowState).write(states)
        self.table(TaskState).write(task_states)
        self.table(PageLogEntry, with_pk=False).write(entries)
        self.table(PageFeedback, with_pk=False).write(feedback)
        for spec in specs:
            if issubclass(spec.model, BaseInternalNoticePage) and spec.place == "intranet":
                pool = spec.site.live_notices if spec.obj.live else spec.site.draft_notices
                pool.append(spec.obj.pk)
            spec.obj = None  # keep memory flat over 50,000 pages
        self.written["pages"] += len(objs)
        self.written["revisions"] += len(revisions)
        self.written["log entries"] += len(entries)
        self.written["workflow states"] += len(states)
        self.written["task states"] += len(task_states)
        self.written["feedback"] += len(feedback)

    def run(self):
        """Plan and write everything in one transaction; returns the counts written."""
        started = time.monotonic()
        with transaction.atomic():
            sites = load_sites()
            specs = self.plan(sites)
            self.say(f"planned {len(specs)} pages in {time.monotonic() - started:.1f} s")
            for start in range(0, len(specs), self.batch_size):
                self.write(specs[start : start + self.batch_size])
                self.say(
                    f"{self.written['pages']:>7} pages, {self.written['revisions']:>8} revisions "
                    f"written ({time.monotonic() - started:.0f} s)"
                )
            for parent_pk, added in self.added_children.items():
                Page.objects.filter(pk=parent_pk).update(numchild=F("numchild") + added)
        return self.written


class Ids:
    """Primary keys handed out before rows are written.

    PostgreSQL takes them from the table's own sequence, so concurrent writers never collide.
    Elsewhere (SQLite) the generator's transaction holds the database's write lock from its
    first write, so the ids above the largest one are free.
    """

    def __init__(self):
        self.next = {}

    def take(self, model, count):
        if not count:
            return []
        table, column = model._meta.db_table, model._meta.pk.column
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, column, count],
                )
                return [row[0] for row in cursor.fetchall()]
        if model not in self.next:
            largest = model._base_manager.aggregate(largest=models.Max("pk"))["largest"]
            self.next[model] = (largest or 0) + 1
        first = self.next[model]
        self.next[model] += count
        return list(range(first, first + count))


class TableWriter:
    """Writes rows of one model's own table: COPY on PostgreSQL, ``executemany`` elsewhere.

    Rows are dicts keyed by column attribute name (``user_id``); values are converted as Django
    would for the database, with cheap converters for the common field types (Django's insert
    compiler costs more than the database does at this scale).
    """

    SIMPLE = (
        models.AutoField,
        models.BigAutoField,
        models.IntegerField,
        models.CharField,
        models.TextField,
        models.BooleanField,
        models.ForeignKey,
    )

    def __init__(self, model, *, with_pk=True):
        opts = model._meta
        self.fields = [f for f in opts.local_concrete_fields if with_pk or f is not opts.pk]
        self.table = connection.ops.quote_name(opts.db_table)
        self.by_attname = {f.attname: f for f in self.fields}
        self.attnames = [f.attname for f in self.fields]
        self.convert = [self._converter(f) for f in self.fields]
        quote = connection.ops.quote_name
        self.columns = ", ".join(quote(f.column) for f in self.fields)

    @classmethod
    def _converter(cls, field):
        ops = connection.ops
        if type(field) is models.JSONField:
            return lambda value: ops.adapt_json_value(value, field.encoder)
        if type(field) is models.DateTimeField:
            return ops.adapt_datetimefield_value
        if type(field) is models.DateField:
            return ops.adapt_datefield_value
        if type(field) in cls.SIMPLE or (
            isinstance(field, models.ForeignKey) and type(field.target_field) in cls.SIMPLE
        ):
            return None  # the database driver takes the value as it is
        return lambda value: field.get_db_prep_save(value, connection)

    def values(self, get):
        """One row's values, in column order; ``get(attname)`` reads them."""
        return tuple(
            get(name) if convert is None else convert(get(name))
            for name, convert in zip(self.attnames, self.convert, strict=True)
        )

    def write_objects(self, objs):
        """Write model instances (their field values as they are set)."""
        self._write([self.values(lambda name, obj=obj: getattr(obj, name)) for obj in objs])

    def write(self, rows):
        """Write dict rows; a missing key takes the field's default."""

        def reader(row):
            return lambda name: row[name] if name in row else self.by_attname[name].get_default()

        self._write([self.values(reader(row)) for row in rows])

    def _write(self, values):
        if not values:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
                return
            marks = ", ".join(["%s"] * len(self.fields))
            # Table and column names come from the models; the values are parameters.
            sql = f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, values)


def analyze():
    """Fresh planner statistics, so that the first queries after a bulk load are planned for
    the new sizes rather than for an almost empty database. On PostgreSQL, outside a
    transaction, the tables are vacuumed too: the state autovacuum keeps a live database in,
    which it would otherwise work towards on half a million new rows while the benchmark
    times."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")


class AlreadyGenerated(Exception):
    """The database already holds generated pages."""


def generate(pages=50_000, revisions=500_000, *, seed=2026, batch_size=1000, say=None):
    """Generate ``pages`` governed pages and ``revisions`` revisions on top of the loaded demo
    (``manage.py load_demo`` first): live pages, drafts, pages in a workflow or past their review
    date, across both municipalities' units, leaders and audiences. Refuses to run twice on one
    database. The pages are not added to the search index or the reference index (run
    ``update_index`` and ``rebuild_references_index`` if you need them; slow at this scale).

    Returns a summary line; ``say`` receives progress lines.
    """
    existing = Page.objects.filter(slug__startswith=SLUG_PREFIX).count()
    if existing:
        raise AlreadyGenerated(
            f"This database already holds {existing} generated pages (slugs starting with "
            f"“{SLUG_PREFIX}”). Generation does not run twice: start from a fresh database "
            "(migrate, load_demo) to generate again."
        )
    started = time.monotonic()
    written = Generator(pages, revisions, seed=seed, batch_size=batch_size, say=say).run()
    analyze()
    seconds = time.monotonic() - started
    summary = ", ".join(f"{count} {name}" for name, count in written.items())
    return f"Generated {summary} in {seconds:.1f} s ({connection.vendor})."
