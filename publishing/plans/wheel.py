"""Geometry of the annual wheel: dates become angles, activities become arcs in rings.

Plain Python without Django, so that the arithmetic (leap years, activities that cross the turn
of the year, several activities at once in one ring) is tested on its own. Angles are degrees
clockwise from twelve o'clock, where the year begins; a day covers the angles from its start to
its end, so 1 January is [0, 360/365) and 31 December ends at 360.
"""

import calendar
import datetime
import math
from dataclasses import dataclass, field

FULL_TURN = 360.0
#: Arcs narrower than this are widened about their middle, so that a one-day activity can
#: still be seen and pointed at.
MIN_ARC_DEGREES = 2.0
#: Space kept free between two arcs that share a lane.
LANE_GAP_DEGREES = 0.5


def days_in_year(year):
    return 366 if calendar.isleap(year) else 365


def year_bounds(year):
    """The first and the last day of ``year``."""
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def angle_at_start(day):
    """The angle where ``day`` begins on the wheel of its own year."""
    return FULL_TURN * (day.timetuple().tm_yday - 1) / days_in_year(day.year)


def angle_at_end(day):
    """The angle where ``day`` ends on the wheel of its own year (360 for 31 December)."""
    return FULL_TURN * day.timetuple().tm_yday / days_in_year(day.year)


@dataclass(frozen=True)
class Span:
    """The part of an activity that falls in the wheel's year (both ends inclusive)."""

    start: datetime.date
    end: datetime.date
    #: True when the activity began in an earlier year and was cut at 1 January.
    from_previous_year: bool = False
    #: True when the activity goes on into a later year and was cut at 31 December.
    into_next_year: bool = False

    @property
    def start_angle(self):
        return angle_at_start(self.start)

    @property
    def end_angle(self):
        return angle_at_end(self.end)

    @property
    def single_day(self):
        return self.start == self.end and not (self.from_previous_year or self.into_next_year)

    def months(self):
        """The months (1–12) this span touches, in order."""
        return list(range(self.start.month, self.end.month + 1))


def clip_to_year(start, end, year):
    """The part of the activity ``start``–``end`` (``end`` may be None: one day) in ``year``.

    Returns a ``Span``, or None when the activity lies wholly outside the year. An end before
    the start is treated as a one-day activity on the start date rather than dropped.
    """
    end = end if end is not None and end >= start else start
    first, last = year_bounds(year)
    if end < first or start > last:
        return None
    return Span(
        start=max(start, first),
        end=min(end, last),
        from_previous_year=start < first,
        into_next_year=end > last,
    )


@dataclass(frozen=True)
class MonthSector:
    month: int
    start_angle: float
    end_angle: float

    @property
    def mid_angle(self):
        return (self.start_angle + self.end_angle) / 2


def month_sectors(year):
    """Twelve sectors sized by the months' real lengths (February is wider in a leap year)."""
    sectors = []
    for month in range(1, 13):
        last_day = calendar.monthrange(year, month)[1]
        sectors.append(
            MonthSector(
                month=month,
                start_angle=angle_at_start(datetime.date(year, month, 1)),
                end_angle=angle_at_end(datetime.date(year, month, last_day)),
            )
        )
    return sectors


def point(cx, cy, radius, angle):
    """The point at ``radius`` from the centre, ``angle`` degrees clockwise from twelve."""
    radians = math.radians(angle)
    # Adding 0.0 turns a rounded -0.0 into 0.0, which reads better in the SVG.
    return (
        round(cx + radius * math.sin(radians), 2) + 0.0,
        round(cy - radius * math.cos(radians), 2) + 0.0,
    )


def annular_sector(cx, cy, inner, outer, start_angle, end_angle):
    """SVG path data for the ring piece between two radii and two angles.

    A whole turn cannot be drawn as one arc (its ends coincide), so it is drawn as the two
    circles, which with ``fill-rule="evenodd"`` leave the hole free.
    """
    sweep = end_angle - start_angle
    if sweep >= FULL_TURN - 1e-9:
        if inner <= 0:
            return _circle_path(cx, cy, outer)
        return f"{_circle_path(cx, cy, outer)} {_circle_path(cx, cy, inner)}"
    large = 1 if sweep > 180 else 0
    ox0, oy0 = point(cx, cy, outer, start_angle)
    ox1, oy1 = point(cx, cy, outer, end_angle)
    ix1, iy1 = point(cx, cy, inner, end_angle)
    ix0, iy0 = point(cx, cy, inner, start_angle)
    return (
        f"M {ox0} {oy0} A {outer} {outer} 0 {large} 1 {ox1} {oy1} "
        f"L {ix1} {iy1} A {inner} {inner} 0 {large} 0 {ix0} {iy0} Z"
    )


def _circle_path(cx, cy, radius):
    return (
        f"M {cx} {round(cy - radius, 2)} A {radius} {radius} 0 1 1 {cx} {round(cy + radius, 2)} "
        f"A {radius} {radius} 0 1 1 {cx} {round(cy - radius, 2)} Z"
    )


def widened(start_angle, end_angle, minimum=MIN_ARC_DEGREES):
    """The angles widened about their middle to at least ``minimum``, kept within the year."""
    sweep = end_angle - start_angle
    if sweep >= minimum:
        return start_angle, end_angle
    middle = (start_angle + end_angle) / 2
    start = min(max(middle - minimum / 2, 0.0), FULL_TURN - minimum)
    return start, start + minimum


def assign_lanes(extents, gap=LANE_GAP_DEGREES):
    """Give each ``(start_angle, end_angle)`` a lane so that no two in a lane overlap.

    Greedy interval partitioning in start order: each extent goes to the lowest lane that is
    free again, which uses the fewest lanes possible. Returns the lane of each extent, in the
    order given.
    """
    order = sorted(range(len(extents)), key=lambda i: (extents[i][0], extents[i][1]))
    lane_ends = []
    lanes = [0] * len(extents)
    for index in order:
        start, end = extents[index]
        for lane, lane_end in enumerate(lane_ends):
            if start >= lane_end + gap:
                lane_ends[lane] = end
                lanes[index] = lane
                break
        else:
            lanes[index] = len(lane_ends)
            lane_ends.append(end)
    return lanes


@dataclass
class Ring:
    """One ring of the wheel (a channel or a plan) and its lanes, innermost lane first."""

    key: object
    index: int
    inner: float = 0.0
    outer: float = 0.0
    lanes: int = 1

    def lane_radii(self, lane):
        width = (self.outer - self.inner) / self.lanes
        return self.inner + lane * width, self.inner + (lane + 1) * width


@dataclass
class Arc:
    """Where one activity is drawn: its ring, lane, radii, angles and the SVG path."""

    item: object
    span: Span
    ring: Ring
    lane: int
    inner: float
    outer: float
    start_angle: float
    end_angle: float
    path: str
    label_x: float
    label_y: float
    extra: dict = field(default_factory=dict)

    @property
    def mid_radius(self):
        return (self.inner + self.outer) / 2

    @property
    def thickness(self):
        return self.outer - self.inner


@dataclass
class WheelLayout:
    year: int
    rings: list
    arcs: list
    months: list


def layout_wheel(items, year, *, cx, cy, inner, outer, ring_gap=4.0):
    """Lay out ``items`` of ``year`` in rings between the radii ``inner`` and ``outer``.

    ``items`` are ``(item, ring_key, start, end)``; rings are made in the order their keys
    first appear (sort the items to choose it), innermost first. Items outside the year are
    left out; items that cross the turn of the year are clipped to it. Each ring gets as many
    lanes as its busiest moment needs, and the radial space is shared out by lanes.
    """
    rings, placed = {}, []
    for item, key, start, end in items:
        span = clip_to_year(start, end, year)
        if span is None:
            continue
        ring = rings.get(key)
        if ring is None:
            ring = rings[key] = Ring(key=key, index=len(rings))
        placed.append((item, ring, span, widened(span.start_angle, span.end_angle)))
    ring_list = list(rings.values())
    lanes_by_item = {}
    for ring in ring_list:
        members = [(i, entry) for i, entry in enumerate(placed) if entry[1] is ring]
        lanes = assign_lanes([entry[3] for _i, entry in members])
        ring.lanes = max(lanes, default=0) + 1
        lanes_by_item.update({i: lane for (i, _entry), lane in zip(members, lanes, strict=True)})
    total_lanes = sum(ring.lanes for ring in ring_list)
    if total_lanes:
        usable = outer - inner - ring_gap * (len(ring_list) - 1)
        per_lane = usable / total_lanes
        radius = inner
        for ring in ring_list:
            ring.inner = round(radius, 2)
            ring.outer = round(radius + per_lane * ring.lanes, 2)
            radius = ring.outer + ring_gap
    arcs = []
    for i, (item, ring, span, (start_angle, end_angle)) in enumerate(placed):
        lane = lanes_by_item[i]
        r_in, r_out = (round(r, 2) for r in ring.lane_radii(lane))
        # A hairline between lanes keeps neighbouring arcs apart without a stroke.
        r_in_drawn, r_out_drawn = r_in + 0.75, r_out - 0.75
        label_x, label_y = point(cx, cy, (r_in + r_out) / 2, (start_angle + end_angle) / 2)
        arcs.append(
            Arc(
                item=item,
                span=span,
                ring=ring,
                lane=lane,
                inner=r_in_drawn,
                outer=r_out_drawn,
                start_angle=start_angle,
                end_angle=end_angle,
                path=annular_sector(cx, cy, r_in_drawn, r_out_drawn, start_angle, end_angle),
                label_x=label_x,
                label_y=label_y,
            )
        )
    return WheelLayout(year=year, rings=ring_list, arcs=arcs, months=month_sectors(year))


def relative_luminance(colour):
    """WCAG relative luminance of a ``#rrggbb`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first, second):
    """WCAG contrast ratio between two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)
