"""The dashboard panel of live pages whose images show people without consent.

For a leader (and the communications group): the live public pages of their units that use an
image of identifiable people whose consent no longer holds for the public website, because it
was withdrawn, expired or was never recorded. An expired consent shows here from the day after
its last valid day, with no job to run: the status is worked out from the dates when the
dashboard is shown. The panel reads the records of images that show people, the reference
index and the pages of each governed page type: a fixed number of queries.

Registered by the dashboard (``publishing.dashboard.panels.PANELS``).
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from publishing.dashboard.panels import GovernancePanel
from publishing.images.permissions import ImagePeoplePermissionPolicy
from publishing.images.usage import intranet_paths, outside, pages_using
from publishing.models import ImagePeople
from publishing.models.image_consent import PROBLEMS, STATUS_LABELS, ConsentChannel
from publishing.models.pages import governed_page_models
from publishing.people import labels_by_id


@dataclass
class ImageProblem:
    title: str
    status: str
    code: str


@dataclass
class ConsentRow:
    page: object
    unit: str
    leader: str
    edit_url: str
    images: list = field(default_factory=list)

    @property
    def worst(self):
        return min(PROBLEMS.index(image.code) for image in self.images)


class ImagesWithoutConsentPanel(GovernancePanel):
    """Live pages in the user's units that show people whose consent no longer holds."""

    name = "governance-images-without-consent"
    order = 145
    heading = _("Live pages showing people without consent")
    empty_message = _("No live page in your units shows people whose consent no longer holds.")
    template_name = "publishing/images/dashboard_panel.html"

    def applies(self):
        viewer = self.viewer
        return bool(viewer.leads or viewer.deputises or viewer.communications)

    def get_items(self):
        scope = self.viewer.scope_units
        if not scope:
            return []
        problems = ImagePeople.objects.problems(ConsentChannel.WEB)
        if not problems:
            return []
        using = pages_using(problems)
        if not using:
            return []
        paths = intranet_paths()
        pages = []
        for model in governed_page_models():  # one query per page type, not one per page
            pages.extend(
                page
                for page in model.objects.live()
                .public()
                .filter(pk__in=list(using), owning_unit_id__in=scope)
                if outside(paths, page.path)
            )
        leaders = labels_by_id([page.responsible_leader_id for page in pages])
        rows = []
        for page in pages:
            images = sorted(
                (
                    ImageProblem(
                        problems[image_id][0].image.title,
                        STATUS_LABELS[problems[image_id][1][0]],
                        problems[image_id][1][0],
                    )
                    for image_id in using[page.pk]
                    if image_id in problems
                ),
                key=lambda image: (PROBLEMS.index(image.code), image.title),
            )
            rows.append(
                ConsentRow(
                    page=page,
                    unit=self.viewer.unit_name(page.owning_unit_id),
                    leader=leaders.get(page.responsible_leader_id, ""),
                    edit_url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
                    images=images,
                )
            )
        rows.sort(key=lambda row: (row.worst, row.page.title, row.page.pk))
        return rows

    @cached_property
    def may_open_records(self):
        policy = ImagePeoplePermissionPolicy(ImagePeople)
        return policy.user_has_permission(self.viewer.user, "change")

    def more_url(self):
        if not self.may_open_records:
            return None
        return reverse("publishing_image_people:index") + "?status=problem"
