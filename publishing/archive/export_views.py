"""Exporting a period of the archive from the admin: the package ``manage.py export_archive``
writes (``publishing.archive.export``), downloaded by a records officer who has no shell.

Who may export what is who may see what in the archive (``publishing.archive.views``): a user
with ``publishing.view_archivecapture``, for the municipalities they belong to (a superuser: any,
also one whose row is gone). The period is a month or a first and last day, as whole calendar
days in the municipality's time zone, made by ``export.period_of`` like the command's. The
package is written to a temporary file (in memory while small, on disk when it grows) and handed out
only when it is whole; a refused export (a file or row that is not what was archived) gives the
form again with the reason.
"""

import datetime
import logging
import tempfile

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput

from publishing.archive import export
from publishing.archive.views import archive_breadcrumbs, archive_municipalities
from publishing.models import ArchiveCapture, Municipality

logger = logging.getLogger(__name__)

#: Packages up to this size are written in memory; larger ones spill to a temporary file.
IN_MEMORY = 16 * 1024 * 1024


def exportable_municipalities(request):
    """``(slug, name)`` of the municipalities whose archive the signed-in user may export, by
    name: their own; for a superuser every municipality and every archive whose municipality's
    row is gone."""
    scope = archive_municipalities(request)
    municipalities = Municipality.objects.order_by("name")
    if scope is not None:
        municipalities = municipalities.filter(slug__in=scope)
    choices = list(municipalities.values_list("slug", "name"))
    if scope is None:
        known = {slug for slug, _name in choices}
        archived = ArchiveCapture.objects.values_list("municipality", flat=True).distinct()
        choices += [(slug, slug) for slug in sorted(set(archived) - known)]
    return choices


def last_month():
    """The first day of the month before this one (in the site's time zone)."""
    first_of_this = timezone.localdate(timezone=timezone.get_default_timezone()).replace(day=1)
    return (first_of_this - datetime.timedelta(days=1)).replace(day=1)


def package_name(slug, first, last, month=None):
    """The package's file name, as the guide's examples name them: ``alvdal-archive-2026-03.zip``
    for a month, ``alvdal-archive-2026-01-01_2026-06-30.zip`` for days."""
    period = f"{month:%Y-%m}" if month else f"{first.isoformat()}_{last.isoformat()}"
    return f"{slug}-archive-{period}.zip"


class MonthInput(forms.TextInput):
    """A month as YYYY-MM: the browser's month picker where it has one, a text field (with the
    format as placeholder) where it does not."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "YYYY-MM", "inputmode": "numeric", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m}"
        return super().format_value(value)


class MonthField(forms.Field):
    """A month, YYYY-MM, as its first day."""

    widget = MonthInput
    default_error_messages = {
        "invalid": _("Give the month as YYYY-MM, for example 2026-03."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        try:
            return export.parse_month(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class ExportForm(forms.Form):
    """Whose archive, and which period: a month, or a first and last day (included)."""

    municipality = forms.ChoiceField(label=_("Municipality"))
    month = MonthField(
        label=_("Month"),
        required=False,
        help_text=_("The whole month, YYYY-MM. Last month unless you choose another."),
    )
    first_day = forms.DateField(
        label=_("From"),
        required=False,
        widget=AdminDateInput,
        help_text=_("Instead of a month: the first day of the period."),
    )
    last_day = forms.DateField(
        label=_("To (included)"),
        required=False,
        widget=AdminDateInput,
        help_text=_("The last day of the period, which the package includes."),
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        field.choices = municipalities
        if len(municipalities) == 1:
            field.widget = forms.HiddenInput()
            field.initial = municipalities[0][0]
        self.fields["month"].initial = last_month()

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in ("month", "first_day", "last_day")):
            return cleaned
        month, first, last = (cleaned.get(n) for n in ("month", "first_day", "last_day"))
        if month == self.fields["month"].initial and (first or last):
            # The month filled in for her, left as it was: the days she typed are what she means.
            month = cleaned["month"] = None
        try:
            cleaned["first"], cleaned["last"] = export.period_days(month, first, last)
            cleaned["start"], cleaned["end"] = export.period_of(
                first=cleaned["first"],
                last=cleaned["last"],
                zone=export.time_zone_of(cleaned.get("municipality")),
            )
        except export.PeriodError as problem:
            if problem.code == "both":
                raise ValidationError(
                    _(
                        "Give either a month or a first and last day, not both: empty the month "
                        "to export the days from and to."
                    ),
                    code="both",
                ) from None
            if problem.code == "missing" and (first or last):
                missing = "last_day" if first else "first_day"
                self.add_error(
                    missing,
                    ValidationError(
                        _("Give both the first and the last day of the period."), code="missing"
                    ),
                )
            elif problem.code == "reversed":
                self.add_error("last_day", ValidationError(problem.message, code="reversed"))
            else:  # neither a month nor days, or beyond the calendar
                raise ValidationError(problem.message, code=problem.code) from None
        return cleaned


class ArchiveExportView(WagtailAdminTemplateMixin, FormView):
    """The form; on a valid one, the package of the municipality and period as a download."""

    form_class = ExportForm
    template_name = "publishing/archive/export.html"
    page_title = _("Export a period")
    header_icon = "download"

    def dispatch(self, request, *args, **kwargs):
        if not self.municipalities:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def municipalities(self):
        """What the user may export; nothing for a user who may not see the archive."""
        if archive_municipalities(self.request) == []:
            return []
        return exportable_municipalities(self.request)

    def get_breadcrumbs_items(self):
        return archive_breadcrumbs() + [{"url": "", "label": self.get_page_title()}]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "municipalities": self.municipalities}

    def get_context_data(self, **kwargs):
        only = self.municipalities[0][1] if len(self.municipalities) == 1 else None
        return super().get_context_data(
            only_municipality=only,
            # Each municipality's days are its own: named when there is only one to export.
            time_zone=export.time_zone_of(self.municipalities[0][0]) if only else None,
            index_url=reverse("publishing_archive:index"),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        slug, start, end = data["municipality"], data["start"], data["end"]
        # Written whole before anything is sent, so that a refusal can still show the form.
        handle = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 (closed when sent)
        try:
            export.write_package(handle, slug, start, end)
        except export.ExportRefused as refusal:
            handle.close()
            logger.error(
                "Archive export of %s for %s to %s refused: the archive does not hold what it "
                "archived (run manage.py verify_archive).",
                slug,
                data["first"].isoformat(),
                data["last"].isoformat(),
            )
            form.add_error(None, ValidationError(str(refusal), code="refused"))
            return self.form_invalid(form)
        except BaseException:
            handle.close()
            raise
        handle.seek(0)
        # FileResponse gives the length (the file is seekable) and closes the file when sent.
        return FileResponse(
            handle,
            as_attachment=True,
            filename=package_name(slug, data["first"], data["last"], data["month"]),
            content_type="application/zip",
        )
