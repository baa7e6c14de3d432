"""Working days in the municipality's country: weekends and public holidays are not counted.

Holidays come from the ``holidays`` library (Norway's and Sweden's public holidays; in Sweden
also the days offices close de facto: Midsummer Eve, Christmas Eve and New Year's Eve).
"""

import datetime
import functools

import holidays

#: Holiday categories counted as days off, where the country's calendar has them.
CATEGORIES = ("public", "de_facto")


@functools.lru_cache(maxsize=64)
def days_off(country, year):
    """The weekday holidays of ``country`` (ISO code) in ``year``, as a frozenset of dates."""
    try:
        calendar_class = holidays.country_holidays(country).__class__
    except NotImplementedError:
        return frozenset()  # a country the library does not know: weekends only
    categories = tuple(c for c in CATEGORIES if c in calendar_class.supported_categories)
    calendar = holidays.country_holidays(country, years=year, categories=categories)
    return frozenset(day for day in calendar if day.weekday() < 5)


def is_working_day(day, country):
    return day.weekday() < 5 and day not in days_off(country, day.year)


def working_days_between(start, end, country):
    """Working days after ``start`` up to and including ``end`` (dates): a step started on a
    Friday has waited one working day on Monday evening, none over the weekend."""
    if end <= start:
        return 0
    count = 0
    day = start + datetime.timedelta(days=1)
    while day <= end:
        if is_working_day(day, country):
            count += 1
        day += datetime.timedelta(days=1)
    return count
