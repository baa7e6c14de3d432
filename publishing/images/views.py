"""The admin of people in images: a listing, a record with its consents, and withdrawal.

*Governance → People in images* lists the images of the person's own municipality with whether
they show identifiable people, whether consent holds for the public website, and whether the
file carries a location. A record's page marks the image as showing people and records each
person's consent inline; a saved consent is withdrawn with *Withdraw consent* (a date and a
reason), never by editing it. Another municipality's records are not found (404), also when a
form opened earlier is sent after the image moved, or names another municipality's image or
document.
"""

import django_filters
from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, View
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    ObjectList,
    Panel,
)
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton

from publishing.images.forms import ImagePeopleForm, WithdrawalForm
from publishing.images.permissions import usable_images
from publishing.images.withdrawal import withdraw
from publishing.models import ImageConsent, ImagePeople
from publishing.models.image_consent import (
    CHANNEL,
    EXPIRED,
    HOLDS,
    MISSING,
    NO_PEOPLE,
    STATUS_LABELS,
    WITHDRAWN,
    read_location,
)
from publishing.wording import quoted

VIEWSET_NAME = "publishing_image_people"


def records_for(user):
    """The people records ``user`` may see: those of the images they may use."""
    return ImagePeople.objects.filter(image__in=usable_images(user))


def _yes_no(value):
    return _("Yes") if value else _("No")


# --- the listing ------------------------------------------------------------------------------

#: The listing's status filter: any problem, or one status.
PROBLEM = "problem"
STATUS_FILTER_CHOICES = [
    (PROBLEM, gettext_lazy("Consent does not hold")),
    (HOLDS, STATUS_LABELS[HOLDS]),
    (MISSING, STATUS_LABELS[MISSING]),
    (EXPIRED, STATUS_LABELS[EXPIRED]),
    (WITHDRAWN, STATUS_LABELS[WITHDRAWN]),
    (CHANNEL, STATUS_LABELS[CHANNEL]),
    (NO_PEOPLE, STATUS_LABELS[NO_PEOPLE]),
]


class ImagePeopleFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Consent for the public website"),
        choices=STATUS_FILTER_CHOICES,
        method="filter_status",
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = ImagePeople
        fields = ["shows_people", "has_location"]

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        # The status depends on the day and on every person's consents: worked out here, over
        # the records of the listing (two queries), not in SQL.
        wanted = []
        for record in queryset.prefetch_related("consents"):
            status = record.web_status
            if status == value or (value == PROBLEM and status not in (HOLDS, NO_PEOPLE)):
                wanted.append(record.pk)
        return queryset.filter(pk__in=wanted)


class OwnRecordObject:
    """Another municipality's record is not found (404) rather than forbidden: its image's
    title stays private. (The history and usage views list log entries and references with
    ``get_queryset``: only the record they are about is looked up here.)"""

    def get_base_object_queryset(self):
        return records_for(self.request.user).select_related("image")


class OwnRecordsOnly(OwnRecordObject):
    """The edit and delete views find their record through ``get_queryset`` too."""

    def get_queryset(self):
        return self.get_base_object_queryset()


class IndexView(generic.IndexView):
    results_template_name = "publishing/images/index_results.html"
    default_ordering = "image__title"
    search_fields = ["image__title", "note"]

    def get_base_queryset(self):
        return (
            records_for(self.request.user)
            .select_related("image__collection")
            .prefetch_related("consents")
            .annotate(consent_count=Count("consents"))
        )

    def get_edit_url(self, instance):
        return reverse(f"{VIEWSET_NAME}:edit", args=[instance.pk])

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "image",
                label=_("Image"),
                accessor="image.title",
                sort_key="image__title",
                get_url=self.get_edit_url,
            ),
            Column(
                "shows_people",
                label=_("Shows identifiable people"),
                accessor=lambda record: _yes_no(record.shows_people),
                sort_key="shows_people",
            ),
            Column(
                "status",
                label=_("Consent for the public website"),
                accessor="web_status_label",
            ),
            Column("consent_count", label=_("Consents"), sort_key="consent_count"),
            Column(
                "has_location",
                label=_("Location in the file"),
                accessor=lambda record: _yes_no(record.has_location),
                sort_key="has_location",
            ),
            Column("collection", label=_("Collection"), accessor="image.collection.name"),
        ]


# --- a record and its consents --------------------------------------------------------------


class RecordSummaryPanel(Panel):
    """The record's image (once it has one): a preview, its consent status and location, and
    a link to the image itself."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "publishing/images/record_summary_panel.html"

        def is_shown(self):
            return bool(self.instance is not None and self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            record = self.instance
            context.update(
                record=record,
                image=record.image,
                image_edit_url=reverse("wagtailimages:edit", args=[record.image_id]),
            )
            return context


class ConsentStatusPanel(Panel):
    """A saved consent's standing today, and the way to withdraw it."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "publishing/images/consent_status_panel.html"

        def is_shown(self):
            return bool(self.instance is not None and self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            consent = self.instance
            problem = consent.problem()
            context.update(
                consent=consent,
                problem=problem,
                status=STATUS_LABELS[problem or HOLDS],
                withdraw_url=(
                    ""
                    if consent.withdrawn
                    else reverse(f"{VIEWSET_NAME}:withdraw", args=[consent.pk])
                ),
            )
            return context


PANELS = [
    FieldPanel("image"),
    RecordSummaryPanel(heading=gettext_lazy("Image")),
    FieldPanel("shows_people"),
    FieldPanel("note"),
    InlinePanel(
        "consents",
        heading=gettext_lazy("Consents of the people shown"),
        label=gettext_lazy("consent"),
        help_text=gettext_lazy(
            "One consent for each person who can be recognised. For a child, the guardian consents."
        ),
        panels=[
            ConsentStatusPanel(heading=gettext_lazy("Status")),
            FieldPanel("person"),
            FieldRowPanel([FieldPanel("child"), FieldPanel("guardian")]),
            FieldPanel("channels"),
            FieldRowPanel([FieldPanel("given_on"), FieldPanel("valid_until")]),
            FieldPanel("form"),
        ],
    ),
]


class CreateView(generic.CreateView):
    def get_initial(self):
        initial = super().get_initial()
        image_id = self.request.GET.get("image")
        if image_id and image_id.isdigit():
            initial["image"] = int(image_id)
        return initial

    def get_success_url(self):
        return reverse(f"{VIEWSET_NAME}:edit", args=[self.object.pk])


class EditView(OwnRecordsOnly, generic.EditView):
    def get_success_url(self):
        return reverse(f"{VIEWSET_NAME}:edit", args=[self.object.pk])

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Edit the image"),
                url=reverse("wagtailimages:edit", args=[self.object.image_id]),
                icon_name="image",
            )
        ]


class DeleteView(OwnRecordsOnly, generic.DeleteView):
    pass


class HistoryView(OwnRecordObject, history.HistoryView):
    pass


class UsageView(OwnRecordObject, usage.UsageView):
    pass


class ForImageView(PermissionCheckedMixin, View):
    """The record of an image, from the image's own page: made (and its file read for a
    location) when it has none yet."""

    model = ImagePeople
    permission_required = "change"

    def get(self, request, image_id):
        image = get_object_or_404(usable_images(request.user), pk=image_id)
        record = ImagePeople.objects.filter(image=image).first() or read_location(image)
        return redirect(f"{VIEWSET_NAME}:edit", record.pk)


class WithdrawView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """Withdraw one consent, with the day and the reason."""

    model = ImagePeople
    permission_required = "change"
    form_class = WithdrawalForm
    template_name = "publishing/images/withdraw.html"
    header_icon = "image"
    page_title = gettext_lazy("Withdraw a consent")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.consent = get_object_or_404(
            ImageConsent.objects.select_related("record__image"),
            pk=kwargs["consent_id"],
            record__in=records_for(request.user),
        )

    def dispatch(self, request, *args, **kwargs):
        if self.consent.withdrawn:
            messages.info(
                request,
                _("The consent of %(person)s was withdrawn already, on %(date)s.")
                % {
                    "person": self.consent.person,
                    "date": date_format(self.consent.withdrawn_on, "SHORT_DATE_FORMAT"),
                },
            )
            return redirect(self.record_url)
        return super().dispatch(request, *args, **kwargs)

    @property
    def record_url(self):
        return reverse(f"{VIEWSET_NAME}:edit", args=[self.consent.record_id])

    def get_page_subtitle(self):
        return self.consent.record.image.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{VIEWSET_NAME}:index"), "label": _("People in images")},
            {"url": self.record_url, "label": self.consent.record.image.title},
            {"url": "", "label": _("Withdraw a consent")},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "given_on": self.consent.given_on}

    def get_context_data(self, **kwargs):
        return super().get_context_data(consent=self.consent, record_url=self.record_url, **kwargs)

    def form_valid(self, form):
        result = withdraw(
            self.consent.pk,
            user=self.request.user,
            on=form.cleaned_data["withdrawn_on"],
            reason=form.cleaned_data["reason"],
        )
        if result.already:
            messages.info(self.request, _("The consent was withdrawn already."))
        elif result.pages:
            messages.warning(
                self.request,
                ngettext(
                    "Consent withdrawn. %(count)s live page uses the image; its responsible "
                    "leader has been told to replace it: %(titles)s.",
                    "Consent withdrawn. %(count)s live pages use the image; their responsible "
                    "leaders have been told to replace it: %(titles)s.",
                    len(result.pages),
                )
                % {
                    "count": len(result.pages),
                    "titles": ", ".join(quoted(page.title) for page in result.pages),
                },
            )
        else:
            messages.success(
                self.request,
                _("Consent withdrawn. No live page on the public site uses the image."),
            )
        return redirect(self.record_url)


class ImagePeopleViewSet(ModelViewSet):
    model = ImagePeople
    icon = "image"
    url_prefix = "people-in-images"
    menu_label = gettext_lazy("People in images")
    menu_name = "people-in-images"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView
    history_view_class = HistoryView
    usage_view_class = UsageView
    filterset_class = ImagePeopleFilterSet
    edit_handler = ObjectList(PANELS, base_form_class=ImagePeopleForm)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("withdraw/<int:consent_id>/", self.withdraw_view, name="withdraw"),
            path("for-image/<int:image_id>/", self.for_image_view, name="for_image"),
        ]

    @property
    def withdraw_view(self):
        return self.construct_view(WithdrawView)

    @property
    def for_image_view(self):
        return self.construct_view(ForImageView)


viewset = ImagePeopleViewSet(VIEWSET_NAME)
