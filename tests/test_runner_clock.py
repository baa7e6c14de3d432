"""The suite runs within one day, so tests that count days from "today" hold at any hour."""

import datetime
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase
from django.utils import timezone

from tests.runner import run_start

OSLO = ZoneInfo("Europe/Oslo")


class RunStartTests(SimpleTestCase):
    def test_a_run_started_by_day_keeps_the_real_clock(self):
        now = datetime.datetime(2026, 12, 5, 14, 3, tzinfo=OSLO)
        self.assertEqual(run_start(now), now)

    def test_a_run_started_late_in_the_evening_starts_at_nine_the_same_day(self):
        for hour, minute in ((21, 0), (23, 55), (23, 59)):
            now = datetime.datetime(2026, 12, 5, hour, minute, tzinfo=OSLO)
            self.assertEqual(run_start(now), datetime.datetime(2026, 12, 5, 21, 0, tzinfo=OSLO))

    def test_the_day_is_the_local_one(self):
        # 23:30 UTC is already the next day in Oslo: that day's morning, not the evening before.
        now = datetime.datetime(2026, 12, 5, 23, 30, tzinfo=datetime.UTC)
        self.assertEqual(run_start(now), now)
        self.assertEqual(timezone.localtime(run_start(now)).date(), datetime.date(2026, 12, 6))
