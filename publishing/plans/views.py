"""The annual wheel: a year of communication activities drawn as a wheel, with a table beside it.

The wheel is server-rendered SVG (no script needed); the geometry comes from
``publishing.plans.wheel``. The table lists the same activities, for screen readers, for
printing and for everyone who prefers rows to circles.
"""

import datetime
import math

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Min, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publishing.models import Audience, Channel, Municipality, OrganisationUnit, PlanActivity
from publishing.models.organisation import person_name
from publishing.models.plans import plan_reading_municipalities
from publishing.plans import wheel as geometry

VIEW_PERMISSION = "publishing.view_communicationplan"

# Drawing area (SVG user units): month band outside, activity rings inside, the year in the middle.
SIZE = 800
CENTRE = SIZE / 2
HUB_RADIUS = 88
RINGS_INNER, RINGS_OUTER = 96, 322
MONTHS_INNER, MONTHS_OUTER = 330, 364
MONTH_LABEL_RADIUS = (MONTHS_INNER + MONTHS_OUTER) / 2
TODAY_OUTER = 370

#: Fill colours of the rings. Each has at least 4.5:1 contrast with white, so the arcs stand out
#: from the white background and the white numbers on them stay readable.
PALETTE = (
    "#0B5CAD",  # blue
    "#A84B00",  # burnt orange
    "#1B7F3B",  # green
    "#6B3FA0",  # purple
    "#A4306B",  # magenta
    "#00707A",  # teal
    "#4D4D4D",  # grey
    "#6E5A00",  # olive
)
#: Patterns laid over the colours, so that rings differ by more than colour.
PATTERNS = (
    "solid",
    "diagonal",
    "dots",
    "horizontal",
    "crosshatch",
    "vertical",
    "backslash",
    "grid",
)

RING_CHOICES = (
    ("channel", gettext_lazy("Channel")),
    ("plan", gettext_lazy("Plan")),
)


class WheelFilterForm(forms.Form):
    """The filters above the wheel, sent by GET so that every view of it has its own address."""

    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=OrganisationUnit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All units"),
        help_text=gettext_lazy("Plans owned by this unit or a unit below it."),
    )
    audience = forms.ModelChoiceField(
        label=gettext_lazy("Audience"),
        queryset=Audience.objects.none(),
        required=False,
        empty_label=gettext_lazy("All audiences"),
    )
    rings = forms.ChoiceField(
        label=gettext_lazy("One ring per"), choices=RING_CHOICES, required=False
    )

    def __init__(self, data, *, municipalities, municipality, years):
        super().__init__(data)
        self.fields["municipality"].queryset = municipalities
        self.fields["municipality"].empty_label = None
        if len(municipalities) < 2:
            self.fields["municipality"].widget = forms.HiddenInput()
        self.fields["year"].choices = [(year, str(year)) for year in years]
        units = list(OrganisationUnit.objects.filter(municipality=municipality))
        self.fields["unit"].queryset = OrganisationUnit.objects.filter(municipality=municipality)
        self.fields["unit"].label_from_instance = _indented_label(units)
        self.fields["audience"].queryset = Audience.objects.filter(municipality=municipality)


def _indented_label(units):
    """Label units by their place in the line: a sector's units are indented below it."""
    by_pk = {unit.pk: unit for unit in units}

    def depth(unit):
        level, seen = 0, set()
        while unit.parent_id in by_pk and unit.pk not in seen:
            seen.add(unit.pk)
            unit = by_pk[unit.parent_id]
            level += 1
        return level

    return lambda unit: "\u2003" * depth(unit) + unit.name


def _chosen_municipality(request, municipalities):
    chosen = request.GET.get("municipality")
    if chosen and str(chosen).isdigit():
        match = next((m for m in municipalities if m.pk == int(chosen)), None)
        if match is not None:
            return match
    return municipalities[0]


def _year_choices(municipality, today):
    bounds = PlanActivity.objects.filter(plan__municipality=municipality).aggregate(
        first=Min("starts_on"), last_start=Max("starts_on"), last_end=Max("ends_on")
    )
    lasts = [d for d in (bounds["last_start"], bounds["last_end"]) if d]
    first = min(bounds["first"].year, today.year - 1) if bounds["first"] else today.year - 1
    last = max([d.year for d in lasts] + [today.year + 1])
    return list(range(first, last + 1))


def activities_in_year(municipality, year, *, unit=None, audience=None):
    """The activities of ``municipality``'s plans that touch ``year``, filtered as asked.

    With ``audience``, an activity counts if it names the audience, or names none and its plan
    does (an activity without audiences of its own reaches the plan's).
    """
    first, last = geometry.year_bounds(year)
    activities = (
        PlanActivity.objects.filter(plan__municipality=municipality, starts_on__lte=last)
        .filter(Q(ends_on__gte=first) | Q(ends_on__isnull=True, starts_on__gte=first))
        .select_related("plan", "plan__owning_unit", "owner")
        .prefetch_related("audiences", "plan__audiences")
        .order_by("starts_on", "ends_on", "title", "pk")
    )
    if unit is not None:
        activities = activities.filter(plan__owning_unit__in=unit.ids_below())
    activities = list(activities)
    if audience is not None:
        activities = [a for a in activities if audience in a.effective_audiences()]
    return activities


def annual_wheel(request):
    """The annual wheel of one municipality's communication plans for one year."""
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    municipalities = list(plan_reading_municipalities(request.user).order_by("name"))
    if not municipalities:
        raise PermissionDenied
    today = timezone.localdate()
    municipality = _chosen_municipality(request, municipalities)
    years = _year_choices(municipality, today)
    data = request.GET.copy()
    data.setdefault("municipality", str(municipality.pk))
    data.setdefault("year", str(today.year))
    data.setdefault("rings", "channel")
    form = WheelFilterForm(
        data,
        municipalities=Municipality.objects.filter(pk__in=[m.pk for m in municipalities]),
        municipality=municipality,
        years=years,
    )
    # A filter that does not validate is shown with its error and left out; the others apply.
    form.is_valid()
    filters = form.cleaned_data
    year = filters.get("year") or today.year
    unit, audience = filters.get("unit"), filters.get("audience")
    ring_by = filters.get("rings") or "channel"
    activities = activities_in_year(municipality, year, unit=unit, audience=audience)
    shown = []
    if unit is not None:
        shown.append(_("plans of %(unit)s and the units below it") % {"unit": unit.name})
    if audience is not None:
        shown.append(_("activities for %(audience)s") % {"audience": audience.name})
    wheel = build_wheel(activities, year, ring_by=ring_by, today=today, filters=shown)
    context = {
        "form": form,
        "municipality": municipality,
        "year": year,
        "unit": unit,
        "audience": audience,
        "ring_by": ring_by,
        "wheel": wheel,
        "previous_year_url": _year_url(request, year - 1) if year - 1 in years else None,
        "next_year_url": _year_url(request, year + 1) if year + 1 in years else None,
        "plans_url": reverse("publishing_communicationplan_modeladmin_index"),
    }
    return TemplateResponse(request, "publishing/plans/annual_wheel.html", context)


def _year_url(request, year):
    query = request.GET.copy()
    query["year"] = year
    return f"{request.path}?{query.urlencode()}"


def build_wheel(activities, year, *, ring_by="channel", today=None, filters=()):
    """Everything the template draws: rings, arcs, month sectors, legend, rows and summary."""
    channel_order = {value: position for position, value in enumerate(Channel.values)}
    if ring_by == "plan":
        ordered = sorted(
            activities,
            key=lambda a: (a.plan.starts_on or datetime.date.min, a.plan.title, a.plan.pk),
        )
        items = [(a, a.plan, a.starts_on, a.ends_on) for a in ordered]
    else:
        ordered = sorted(activities, key=lambda a: channel_order.get(a.channel, 99))
        items = [(a, a.channel, a.starts_on, a.ends_on) for a in ordered]
    layout = geometry.layout_wheel(
        items, year, cx=CENTRE, cy=CENTRE, inner=RINGS_INNER, outer=RINGS_OUTER
    )
    # Numbers follow the table: in date order, so the wheel and the table can be read together.
    rows = sorted(layout.arcs, key=lambda arc: (arc.span.start, arc.span.end, arc.item.title))
    for number, arc in enumerate(rows, start=1):
        arc.extra["number"] = number
    rings = []
    for ring in layout.rings:
        style = channel_order.get(ring.key, ring.index) if ring_by == "channel" else ring.index
        # Colour and pattern change at different rates, so the first 64 rings all differ.
        ring.colour = PALETTE[style % len(PALETTE)]
        ring.pattern = PATTERNS[(style + style // len(PALETTE)) % len(PATTERNS)]
        ring.fill_id = f"wheel-ring-{ring.index}"
        ring.band_path = geometry.annular_sector(
            CENTRE, CENTRE, ring.inner, ring.outer, 0, geometry.FULL_TURN
        )
        ring.label = Channel(ring.key).label if ring_by == "channel" else ring.key.title
        rings.append(ring)
    for arc in layout.arcs:
        _describe_arc(arc)
    months = [
        _describe_month(sector, index) for index, sector in enumerate(geometry.month_sectors(year))
    ]
    today_mark = _today_mark(today, year)
    return {
        "size": SIZE,
        "centre": CENTRE,
        "hub_radius": HUB_RADIUS,
        "rings": rings,
        "arcs": sorted(layout.arcs, key=lambda arc: arc.extra["number"]),
        "rows": rows,
        "months": months,
        "today": today_mark,
        "summary": _summary(year, rows, rings, ring_by, today_mark, filters),
    }


def _describe_arc(arc):
    activity, span = arc.item, arc.span
    sweep = arc.end_angle - arc.start_angle
    arc.extra["single_day"] = span.single_day
    arc.extra["dot_radius"] = round(min(arc.thickness * 0.45, 7.0), 2)
    arc.extra["month_label"] = _months_label(span)
    arc.extra["dates_label"] = _dates_label(activity)
    arc.extra["audiences"] = activity.effective_audiences()
    arc.extra["audiences_from_plan"] = not activity.audiences.all()
    # The number is drawn on the arc or dot only where it fits; the title and the table always
    # have it.
    digits = len(str(arc.extra["number"]))
    if span.single_day:
        font = arc.extra["dot_radius"] * (1.4 if digits == 1 else 1.05)
        fits = arc.extra["dot_radius"] >= 5.5 and digits <= 2
    else:
        font = min(12.0, max(arc.thickness * 0.62, 7.0))
        length = arc.mid_radius * math.radians(sweep)
        fits = arc.thickness >= 9 and length >= font * (0.7 * digits + 0.6)
    arc.extra["font_size"] = round(font, 1)
    arc.extra["show_number"] = fits
    parts = [
        f"{arc.extra['number']}. {activity.title}",
        arc.extra["dates_label"],
        Channel(activity.channel).label,
        _("plan: %(plan)s") % {"plan": activity.plan.title},
    ]
    if activity.owner:
        parts.append(_("who: %(name)s") % {"name": person_name(activity.owner)})
    if activity.done:
        parts.append(_("done"))
    arc.extra["title"] = " – ".join(str(part) for part in parts)


def _describe_month(sector, index):
    angle = sector.mid_angle
    x, y = geometry.point(CENTRE, CENTRE, MONTH_LABEL_RADIUS, angle)
    # Labels follow the circle and are turned on the lower half so they never read upside down.
    rotation = angle + 180 if 90 < angle < 270 else angle
    start = geometry.point(CENTRE, CENTRE, RINGS_INNER - 4, sector.start_angle)
    end = geometry.point(CENTRE, CENTRE, MONTHS_OUTER, sector.start_angle)
    return {
        "month": sector.month,
        "name": capfirst(MONTHS[sector.month]),
        "path": geometry.annular_sector(
            CENTRE, CENTRE, MONTHS_INNER, MONTHS_OUTER, sector.start_angle, sector.end_angle
        ),
        "shade": index % 2,
        "label_x": x,
        "label_y": y,
        "rotation": round(rotation, 2),
        "divider": {"x1": start[0], "y1": start[1], "x2": end[0], "y2": end[1]},
    }


def _today_mark(today, year):
    if today is None or today.year != year:
        return None
    angle = (geometry.angle_at_start(today) + geometry.angle_at_end(today)) / 2
    x1, y1 = geometry.point(CENTRE, CENTRE, HUB_RADIUS, angle)
    x2, y2 = geometry.point(CENTRE, CENTRE, TODAY_OUTER, angle)
    tip = geometry.point(CENTRE, CENTRE, MONTHS_OUTER + 1, angle)
    left = geometry.point(CENTRE, CENTRE, TODAY_OUTER + 14, angle - 2.2)
    right = geometry.point(CENTRE, CENTRE, TODAY_OUTER + 14, angle + 2.2)
    return {
        "date": today,
        # "7. desember", "7 december", "December 7": the language's own way.
        "label": date_format(today, "MONTH_DAY_FORMAT"),
        "x1": x1,
        "y1": y1,
        "x2": x2,
        "y2": y2,
        "marker": f"{tip[0]},{tip[1]} {left[0]},{left[1]} {right[0]},{right[1]}",
    }


def _months_label(span):
    # Nordic month names are lower case inside a phrase: "April–mai", not "April–Mai".
    first, last = MONTHS[span.start.month], MONTHS[span.end.month]
    label = capfirst(first if first == last else f"{first}–{last}")
    if span.from_previous_year:
        label = _("%(months)s (from %(year)s)") % {"months": label, "year": span.start.year - 1}
    if span.into_next_year:
        label = _("%(months)s (until %(year)s)") % {"months": label, "year": span.end.year + 1}
    return label


def _dates_label(activity):
    def one_line(day):
        # No-break spaces keep each date on one line; a period may break at its dash.
        return date_format(day, "DATE_FORMAT").replace(" ", "\u00a0")

    if not activity.ends_on or activity.ends_on == activity.starts_on:
        return one_line(activity.starts_on)
    return f"{one_line(activity.starts_on)} – {one_line(activity.ends_on)}"


def _summary(year, rows, rings, ring_by, today_mark, filters=()):
    plans = {arc.item.plan_id for arc in rows}
    if not rows:
        text = _("Annual wheel for %(year)s: no activities match the filters.") % {"year": year}
    else:
        if ring_by == "plan":
            template = _(
                "Annual wheel for %(year)s: %(count)s activities from %(plans)s plans, one ring "
                "per plan from the centre outwards: %(rings)s."
            )
        else:
            template = _(
                "Annual wheel for %(year)s: %(count)s activities from %(plans)s plans, one ring "
                "per channel from the centre outwards: %(rings)s."
            )
        text = template % {
            "year": year,
            "count": len(rows),
            "plans": len(plans),
            "rings": ", ".join(str(ring.label) for ring in rings),
        }
    if filters:
        text += " " + _("Shown: %(filters)s.") % {"filters": "; ".join(str(f) for f in filters)}
    if today_mark:
        text += " " + _("Today, %(date)s, is marked with a dashed line.") % {
            "date": today_mark["label"]
        }
    return text + " " + _("The table below lists the same activities.")
