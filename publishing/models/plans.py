"""Communication plans and their activities, the stuff of the annual wheel.

A plan answers the seven questions of Avesta's strategy: what we want to do, why, whom we want
to reach, what they should know, feel and do, which activities, who does what when, and how we
follow up. Governed pages link to the plan they belong to.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable, Page, Revision

from publishing.models.municipality import Municipality
from publishing.models.organisation import Audience, OrganisationUnit
from publishing.models.pages import governed_page_models
from publishing.visible_text import visible_text_errors


def _municipalities_through(user, group_keys):
    """Municipalities where ``user`` is in one of the groups named by ``group_keys``."""
    municipalities = Municipality.objects.all()
    if not user.is_authenticated or not user.is_active:
        return municipalities.none()
    if user.is_superuser:
        return municipalities
    groups = user.groups.values("pk")
    query = models.Q()
    for key in group_keys:
        query |= models.Q(**{f"{key}_group__in": groups})
    return municipalities.filter(query).distinct()


def planning_municipalities(user):
    """Municipalities whose communication plans ``user`` may change.

    Planning is wider than the registers: besides the communications group, the municipality's
    leaders plan the communication about their own services (Avesta's focus area 1 makes
    leaders communicative). Superusers plan everywhere.
    """
    return _municipalities_through(user, ("communications", "leaders"))


def plan_reading_municipalities(user):
    """Municipalities whose communication plans and annual wheel ``user`` may read: where they
    plan, or publish the activities. Staff membership alone shows no plans, here or in another
    municipality (permissions are global, so the scope must come from the groups)."""
    return _municipalities_through(user, ("communications", "leaders", "publishers"))


class CommunicationPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Plans of the municipalities where ``user`` plans or publishes."""
        return self.filter(municipality__in=plan_reading_municipalities(user))


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")


class Channel(models.TextChoices):
    """Where an activity reaches its audience (oral or written, printed or digital)."""

    WEB = "web", _("Website")
    INTRANET = "intranet", _("Intranet")
    SOCIAL = "social", _("Social media")
    PRESS = "press", _("Press and media")
    PRINT = "print", _("Print")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail and newsletter")
    OTHER = "other", _("Other")


class CommunicationPlan(ClusterableModel):
    """A planned piece of communication, from analysis to follow-up."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="communication_plans",
    )
    owning_unit = models.ForeignKey(
        OrganisationUnit,
        verbose_name=_("owning unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    what = models.TextField(_("1. What do we want to do?"), blank=True)
    why = models.TextField(_("2. Why do we do it?"), blank=True)
    audiences = ParentalManyToManyField(
        Audience, verbose_name=_("3. Whom do we want to reach?"), blank=True, related_name="+"
    )
    whom_details = models.TextField(_("More about whom we want to reach"), blank=True)
    should_know = models.TextField(_("4a. What should they know?"), blank=True)
    should_feel = models.TextField(_("4b. What should they feel?"), blank=True)
    should_do = models.TextField(_("4c. What should they do?"), blank=True)
    follow_up_method = models.TextField(
        _("7. How do we follow up?"),
        blank=True,
        help_text=_("How we will know how it went, so that we can do better next time."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CommunicationPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("communication plan")
        verbose_name_plural = _("communication plans")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = visible_text_errors(self, ["title"])
        if errors:
            raise ValidationError(errors)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The plan cannot end before it starts.")})
        if (
            self.owning_unit_id
            and self.municipality_id
            and self.owning_unit.municipality_id != self.municipality_id
        ):
            raise ValidationError(
                {"owning_unit": _("Choose a unit of the plan's own municipality.")}
            )

    def linked_pages(self):
        """Pages that link to this plan, live or in their latest draft, in title order.

        The link sits on each concrete governed page type (no reverse accessor), so every type
        is asked. A draft's link lives in its latest revision until it is published, so pages
        with unpublished changes are also looked up there.
        """
        page_ids = set()
        for model in governed_page_models():
            page_ids.update(
                model.objects.filter(communication_plan=self).values_list("pk", flat=True)
            )
        drafts = Revision.page_revisions.filter(
            pk__in=Page.objects.filter(has_unpublished_changes=True).values("latest_revision"),
            content__communication_plan=self.pk,
        )
        page_ids.update(int(object_id) for object_id in drafts.values_list("object_id", flat=True))
        return Page.objects.filter(pk__in=page_ids).order_by("title").specific()


class PlanActivity(Orderable, ClusterableModel):
    """5. and 6.: one communication activity, with its channel, owner and dates.

    Clusterable, so that its audiences (a parental many-to-many) are saved with it when the plan
    is saved, from the admin's inline form as from code.
    """

    plan = ParentalKey(
        CommunicationPlan,
        verbose_name=_("communication plan"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    title = models.CharField(_("activity"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who does it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    audiences = ParentalManyToManyField(
        Audience, verbose_name=_("audiences"), blank=True, related_name="+"
    )
    done = models.BooleanField(_("done"), default=False)

    class Meta(Orderable.Meta):
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.title

    @property
    def last_day(self):
        return self.ends_on or self.starts_on

    def effective_audiences(self):
        """The activity's own audiences, or the plan's when it names none."""
        own = list(self.audiences.all())
        return own or list(self.plan.audiences.all())

    def clean(self):
        super().clean()
        errors = visible_text_errors(self, ["title"])
        if errors:
            raise ValidationError(errors)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The activity cannot end before it starts.")})


class PlanGoal(Orderable):
    """A measurable goal of the plan and, after follow-up, what was reached."""

    plan = ParentalKey(
        CommunicationPlan,
        verbose_name=_("communication plan"),
        on_delete=models.CASCADE,
        related_name="goals",
    )
    description = models.CharField(_("goal"), max_length=300)
    measure = models.CharField(
        _("how it is measured"), max_length=300, help_text=_("For example “visits to the page”.")
    )
    target = models.CharField(_("target"), max_length=100, help_text=_("For example “2 000”."))
    result = models.CharField(_("result"), max_length=100, blank=True)
    achieved = models.BooleanField(_("achieved"), null=True, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self):
        return self.description

    def clean(self):
        super().clean()
        errors = visible_text_errors(self, ["description", "measure", "target"])
        if errors:
            raise ValidationError(errors)


class PlanFollowUp(Orderable):
    """A follow-up note: what happened, what we learnt, what we do better next time."""

    plan = ParentalKey(
        CommunicationPlan,
        verbose_name=_("communication plan"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    date = models.DateField(_("date"))
    note = models.TextField(_("what we learnt"))

    class Meta(Orderable.Meta):
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self):
        return f"{self.date}"

    def clean(self):
        super().clean()
        errors = visible_text_errors(self, ["note"])
        if errors:
            raise ValidationError(errors)
