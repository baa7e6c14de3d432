"""The abstract governed page that every public page type of a municipal site builds on."""

import json
import re

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin import compare
from wagtail.admin.panels import (
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
    TabbedInterface,
)
from wagtail.models import Page, get_page_models

from publishing.field_panels import FieldPanelDrawnOnce
from publishing.models.organisation import (
    Audience,
    OrganisationUnit,
    main_roles,
    person_name,
    unit_of,
)
from publishing.slugs import fill_in_ascii_slug


class Sensitivity(models.TextChoices):
    """How open a page is under the freedom-of-information laws (offentleglova, OSL)."""

    OPEN = "open", _("Open")
    INTERNAL = "internal", _("Internal")
    EXEMPT = "exempt", _("Exempt from public access")


class InternalNoticeChooserPanel(PageChooserPanel):
    """A page chooser that offers only internal-notice page types, whichever app defines them."""

    def get_form_options(self):
        self.page_type = [
            model for model in get_page_models() if issubclass(model, BaseInternalNoticePage)
        ] or None
        return super().get_form_options()


class NamedObjectComparison(compare.ForeignObjectComparison):
    """A change of a related object (a unit, a plan) in the comparison of two versions: the old
    and the new by name, a space apart, so that a screen reader reads two names, not one run
    together ("HemtjänstenCentralskolan")."""

    def name(self, obj):
        return str(obj)

    def htmldiff(self):
        before, after = self.get_objects()
        if before == after:
            return escape(self.name(before)) if before else "–"
        parts = [("deletion", self.name(before))] if before else []
        if before and after:
            parts.append(("equal", " "))
        parts += [("addition", self.name(after))] if after else []
        return compare.TextDiff(parts).to_html()


class PersonComparison(NamedObjectComparison):
    """A change of person, by the people's names: the admin shows people by name, never by
    username."""

    def name(self, obj):
        return person_name(obj)


class NamedFieldPanel(FieldPanelDrawnOnce):
    """A governance field that refers to another object: drawn once, and compared by name."""

    comparison_class = NamedObjectComparison

    def get_comparison_class(self):
        return self.comparison_class


class PersonFieldPanel(NamedFieldPanel):
    """The responsible leader's panel: compared by the people's names."""

    comparison_class = PersonComparison


class GovernedPage(Page):
    """A page that carries who answers for it, whom it speaks to and how open it is.

    The field names are a contract that the workflow, the rules and the reports rely on.
    ``responsible_leader``, ``owning_unit`` and ``audiences`` are required when publishing and
    may be left empty in a draft.
    """

    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible leader"),
        null=True,
        blank=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The leader who owns the service and answers for what the page says."),
    )
    owning_unit = models.ForeignKey(
        OrganisationUnit,
        verbose_name=_("owning unit"),
        null=True,
        blank=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit that provides the service the page is about."),
    )
    audiences = ParentalManyToManyField(
        Audience,
        verbose_name=_("audiences"),
        blank=False,
        related_name="+",
        help_text=_("Whom the page is written for. The reading targets follow the audiences."),
    )
    sensitivity = models.CharField(
        _("sensitivity"),
        max_length=10,
        choices=Sensitivity.choices,
        default=Sensitivity.OPEN,
        help_text=_("Only open pages can be published on the public site."),
    )
    exemption_basis = models.CharField(
        _("legal basis for exemption"),
        max_length=120,
        blank=True,
        help_text=_(
            "Required when the page is exempt, for example “offl. § 13” or “OSL 21 kap. 7 §”."
        ),
    )
    affects_staff = models.BooleanField(
        _("affects staff"),
        default=False,
        help_text=_(
            "Tick if the content has consequences for employees. Staff must then be told "
            "through a live internal notice before the page is published externally."
        ),
    )
    internal_notice = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("internal notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The notice to staff on the intranet that must be live first."),
    )
    communication_plan = models.ForeignKey(
        "publishing.CommunicationPlan",
        verbose_name=_("communication plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The communication plan this page is part of, if any."),
    )
    review_by = models.DateField(
        _("review by"),
        null=True,
        blank=True,
        help_text=_("When the responsible leader must check that the page is still correct."),
    )
    # What the public page says about who answers for it (unit and the leader's role), stored
    # when the page is saved so that serving the page costs no extra queries.
    public_credit = models.JSONField(default=dict, blank=True, editable=False)
    # Withdrawn (GOV.UK's practice): the page stays at its address, says that it is no longer
    # current, why and where to go instead, and leaves lists, search, feeds and the sitemap.
    # Set in the editor and published like any change, so it passes the leader's approval.
    withdrawn = models.BooleanField(
        _("withdrawn"),
        default=False,
        help_text=_(
            "The page is no longer current. It stays at its address with a notice saying so, "
            "and it leaves lists, search, news feeds and the sitemap. Use this rather than "
            "unpublishing a page that citizens may have relied on."
        ),
    )
    withdrawal_reason = models.TextField(
        _("why it was withdrawn"),
        max_length=600,
        blank=True,
        help_text=_(
            "Shown to citizens on the page, for example “The scheme ended on 31 December.”"
        ),
    )
    withdrawal_see_instead = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("where to go instead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The current page citizens should read instead, if there is one."),
    )
    # When the withdrawal went live; kept by the publish, never by the editor.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)

    governance_panels = [
        MultiFieldPanel(
            [
                NamedFieldPanel("owning_unit"),
                PersonFieldPanel("responsible_leader"),
                # A many-to-many field counts as required on save unless told otherwise;
                # drafts may be incomplete, publishing may not.
                FieldPanelDrawnOnce(
                    "audiences", widget=forms.CheckboxSelectMultiple, required_on_save=False
                ),
                FieldPanelDrawnOnce("review_by"),
                NamedFieldPanel("communication_plan"),
            ],
            heading=_("Responsibility"),
        ),
        MultiFieldPanel(
            [
                FieldPanelDrawnOnce("sensitivity"),
                FieldPanelDrawnOnce("exemption_basis"),
                FieldPanelDrawnOnce("affects_staff"),
                InternalNoticeChooserPanel("internal_notice"),
            ],
            heading=_("Openness and staff"),
        ),
        MultiFieldPanel(
            [
                FieldPanelDrawnOnce("withdrawn"),
                FieldPanelDrawnOnce("withdrawal_reason"),
                PageChooserPanel("withdrawal_see_instead"),
            ],
            heading=_("Withdrawal"),
            classname="collapsed",
        ),
    ]

    # A copy is withdrawn (or not) as the page it was copied from, but when, is its own.
    exclude_fields_in_copy = ["withdrawn_at"]

    # The editor's form (``publishing.editor.forms.GovernedPageForm``) is set as
    # ``base_form_class`` when the app is ready: the editor sits above the models. A page type's
    # own form must subclass it.

    class Meta:
        abstract = True
        # The overdue reviews of a leader's units (the dashboard, the review dates report): one
        # page in ten or so is due, and the index finds those without reading the others. A
        # page type's own ``Meta`` takes it by subclassing ``GovernedPage.Meta``.
        indexes = [models.Index(fields=["owning_unit", "review_by"])]

    def sensitivity_label(self, municipality=None):
        """The page's sensitivity in words: as ``municipality``'s profile names it, else the
        model's own label."""
        named = municipality.sensitivity_label(self.sensitivity) if municipality else None
        return named if named and named != self.sensitivity else self.get_sensitivity_display()

    def _set_core_field_defaults(self):
        # Every save of Wagtail 8.0's pages, live or draft, fills in a missing address here.
        fill_in_ascii_slug(self)  # before Wagtail makes one its own way
        super()._set_core_field_defaults()

    def clean(self):
        """What even a draft may not hold (an exempt page without its legal basis, a leader
        outside the unit's line, a notice that is none), refused on every save that validates:
        the rule engine's decision and words."""
        super().clean()
        # late: Django validates here, and the rule engine above the models imports them.
        from publishing.rules.governance import field_errors

        errors = field_errors(self)
        if errors:
            raise ValidationError(errors)

    def with_content_json(self, content):
        """Wagtail's page as a revision holds it, with the withdrawal time of the page as it
        stands: only a publish that withdraws the page sets it (``citizens.withdrawal``)."""
        obj = super().with_content_json(content)
        obj.withdrawn_at = self.withdrawn_at
        return obj

    @property
    def status_string(self):
        """Wagtail's status of the page, which the admin's listings show, saying when the live
        version is withdrawn: it is still at its address, but no longer current."""
        # Not read for a listing that left the field out (one query a row): Wagtail's status.
        if self.live and self.__dict__.get("withdrawn"):
            if self.has_unpublished_changes:
                return _("withdrawn + draft")
            return _("withdrawn")
        return super().status_string

    def get_sitemap_urls(self, request=None):
        """Not in the sitemap once withdrawn: search engines should stop sending people here."""
        return [] if self.withdrawn else super().get_sitemap_urls(request)

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "public_credit" in update_fields:
            self.public_credit = credit_for(self)
        return super().save(*args, **kwargs)


#: The keys of a page revision's content that change nothing a citizen reads: the one list that
#: four eyes (``rules.approval``) and the checklist confirmation (``review``) ignore when they
#: ask whether a revision changed the page. Every other field counts, including fields added
#: later.
#:
#: Decided from the page models: on ``GovernedPage`` the internal notice link, the
#: communication plan and the review date are the organisation's bookkeeping, and the public
#: credit is derived from the owning unit and the responsible leader (which count: the public
#: page names them). The audiences, sensitivity, exemption basis and "affects staff" count too:
#: they decide whether and for whom the page is published. Every field of the page types in
#: ``home.models`` (dates, texts, spokesperson, statement level, the accessibility statement's
#: fields) is read on the public page and counts, as do Wagtail's title, slug, SEO title, search
#: description and "show in menus". The rest is Wagtail's own bookkeeping: tree position,
#: publishing and revision state, locks, owner, schedule, translation links and the editors'
#: comments.
NOT_READ_BY_CITIZENS = frozenset(
    {
        # GovernedPage
        "internal_notice",
        # BaseInternalNoticePage: which pages a notice to staff is about
        "about_pages",
        "communication_plan",
        "review_by",
        "public_credit",
        # derived from the publish that withdrew the page
        "withdrawn_at",
        # Wagtail's Page
        "pk",
        "path",
        "depth",
        "numchild",
        "url_path",
        "content_type",
        "locale",
        "translation_key",
        "alias_of",
        "owner",
        "draft_title",
        "live",
        "has_unpublished_changes",
        "first_published_at",
        "last_published_at",
        "live_revision",
        "latest_revision",
        "latest_revision_created_at",
        "go_live_at",
        "expire_at",
        "expired",
        "locked",
        "locked_at",
        "locked_by",
        "wagtail_admin_comments",
    }
)


#: The rich-text editor's key on each block (``<p data-block-key="x1f3a">``). Rich text stored
#: without keys (imported or generated content) gets new ones each time the editor sends it back
#: unchanged; citizens never see them.
BLOCK_KEY = re.compile(r' data-block-key=\\?"[\w-]*\\?"')


def _as_read(value):
    """``value`` of a revision's content without what only the editor reads.

    A StreamField is kept in a revision as JSON text, and the same content can be written in
    more than one way: PostgreSQL's ``jsonb`` hands a page's blocks back with their keys in its
    own order (``id`` before ``type``), so a version saved in code from a page read from the
    database writes them so, the editor's form in another; content made in code may have no
    block ids until the editor gives it some. Such text is compared as the data it holds,
    without block ids and the rich-text editor's keys.
    """
    if not isinstance(value, str):
        return value
    try:
        data = json.loads(value)
    except ValueError:
        return BLOCK_KEY.sub("", value)
    if not isinstance(data, (list, dict)):
        return BLOCK_KEY.sub("", value)
    return _without_editor_marks(data)


def _without_editor_marks(data):
    """JSON ``data`` of a StreamField without its block ids and rich-text block keys."""
    if isinstance(data, dict):
        is_block = "type" in data and "value" in data
        return {
            key: _without_editor_marks(item)
            for key, item in data.items()
            if not (is_block and key == "id")
        }
    if isinstance(data, list):
        return [_without_editor_marks(item) for item in data]
    if isinstance(data, str):
        return BLOCK_KEY.sub("", data)
    return data


def changes_what_citizens_read(before, after):
    """Whether revision content ``after`` differs from ``before`` (the content of the revision
    before it, or ``None`` for a page's first revision) in anything a citizen reads.

    A leader who opens the editor and approves sends the form back as the editor drew it; that
    is no edit, even where the rich-text editor added its block keys to text stored without, or
    the blocks' data is written in another order or with new block ids (``_as_read``).
    """
    if before is None:
        return True
    keys = (before.keys() | after.keys()) - NOT_READ_BY_CITIZENS
    return any(
        before.get(key) != after.get(key) and _as_read(before.get(key)) != _as_read(after.get(key))
        for key in keys
    )


def without_withdrawn(pages):
    """``pages`` (any page queryset) without the withdrawn ones, in one query."""
    for model in governed_page_models():
        pages = pages.exclude(pk__in=model.objects.filter(withdrawn=True).values("pk"))
    return pages


def in_trees(paths):
    """A filter for pages below any of the tree ``paths`` (nothing if there are none)."""
    query = models.Q(pk__in=[])
    for path in paths:
        query |= models.Q(path__startswith=path)
    return query


def governed_page_models():
    """The concrete page types that carry governance fields (subclasses of ``GovernedPage``)."""
    return [model for model in get_page_models() if issubclass(model, GovernedPage)]


def _pages_a_notice_may_be_about():
    """The pages a notice to staff may be about: saved pages of the governed types that are not
    notices themselves (the choices of ``about_pages``)."""

    models_ = [
        model for model in governed_page_models() if not issubclass(model, BaseInternalNoticePage)
    ]
    return models.Q(content_type__in=ContentType.objects.get_for_models(*models_).values())


class BaseInternalNoticePage(GovernedPage):
    """Abstract base for a notice to staff on the intranet.

    Governed pages that affect staff point at one of these through ``internal_notice``; the
    notice names the pages it is about in ``about_pages``. A notice counts for a page only when
    the two are linked both ways (``rules.governance.notice_standing``), so an old notice about
    something else cannot stand in for it.
    """

    about_pages = ParentalManyToManyField(
        "wagtailcore.Page",
        verbose_name=_("about the pages"),
        blank=True,
        related_name="+",
        limit_choices_to=_pages_a_notice_may_be_about,
        help_text=_(
            "The public pages this notice tells staff about. A page may be published only "
            "after a live notice that names it here."
        ),
    )
    sensitivity = models.CharField(
        _("sensitivity"),
        max_length=10,
        choices=Sensitivity.choices,
        default=Sensitivity.INTERNAL,
        help_text=_("Notices to staff are internal; they never reach the public site."),
    )

    class Meta(GovernedPage.Meta):
        abstract = True


def credit_for(page):
    """Who answers for ``page`` as the public site shows it: the unit's name and the role (in
    the municipality's own words) that the responsible leader holds in the unit's line; and
    for a page with a spokesperson (a press release), whom the press contacts, by name, role
    and unit. Stored on the page, so that serving it costs no query."""
    credit = {}
    unit = unit_of(page)
    if unit is None:
        return credit
    credit["unit"] = unit.name
    spokesperson_id = getattr(page, "spokesperson_id", None)
    if spokesperson_id:
        credit["spokesperson"] = spokesperson_credit(page.spokesperson, unit.municipality)
    if page.responsible_leader_id:
        nearest = next(
            (
                a.role
                for a in unit.leader_assignments_in_line()
                if a.user_id == page.responsible_leader_id
            ),
            None,
        )
        if nearest:
            credit["leader_role"] = unit.municipality.role_label(nearest)
    return credit


def spokesperson_credit(person, municipality):
    """``{"name", "role", "unit"}`` of a spokesperson: their most senior role today, in the
    municipality's own words (role and unit left out when they hold none)."""
    credit = {"name": person_name(person)}
    assignment = main_roles([person.pk]).get(person.pk)
    if assignment is not None:
        credit["role"] = municipality.role_label(assignment.role)
        credit["unit"] = assignment.unit.name
    return credit


def refresh_public_credits(units=None, leaders=None):
    """Store the credit again on governed pages of ``units`` or led by ``leaders`` (all governed
    pages when neither is given), after a unit is renamed or a leader's role changes or its
    dates pass. Touches no revision and publishes nothing; returns how many pages changed."""
    query = models.Q()
    if units:
        query |= models.Q(owning_unit__in=units)
    if leaders:
        query |= models.Q(responsible_leader__in=leaders)
    if (units is not None or leaders is not None) and not query:
        return 0
    count = 0
    for model in governed_page_models():
        pages = query
        if leaders and any(field.name == "spokesperson" for field in model._meta.fields):
            pages |= models.Q(spokesperson__in=leaders)  # a spokesperson's role is credited too
        for page in model.objects.filter(pages).select_related("owning_unit__municipality"):
            credit = credit_for(page)
            if credit != page.public_credit:
                model.objects.filter(pk=page.pk).update(public_credit=credit)
                count += 1
    return count


#: The municipality's "vær varsom" checklist and the note to the approver, last on the content
#: tab where the writing ends. ``submit_checklist`` and ``note_to_approver`` are fields of the
#: form only (``GovernedPageForm``), never of the page.
checklist_panel = MultiFieldPanel(
    [FieldPanelDrawnOnce("submit_checklist"), FieldPanelDrawnOnce("note_to_approver")],
    heading=_("Before you submit"),
    help_text=_(
        "The municipality's checklist for everything we publish, and a note to the approver. "
        "Confirm each item when you submit the page for approval; saving a draft needs neither."
    ),
    classname="publishing-checklist",
)


def governed_edit_handler(content_panels):
    """Tabs for a governed page: content (ending with the checklist), governance, promote and
    settings."""
    return TabbedInterface(
        [
            ObjectList([*content_panels, checklist_panel], heading=_("Content")),
            ObjectList(GovernedPage.governance_panels, heading=_("Governance")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
