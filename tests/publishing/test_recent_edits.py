"""'Your most recent edits' on the admin home: the same pages, in the same order, as Wagtail's
own panel finds by grouping all of the user's edits, while reading only their newest edits."""

import datetime
import random
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageLogEntry

from publishing.dashboard import panels
from publishing.dashboard.panels import recently_edited
from tests.governance import EnglishAdminMixin

START = timezone.make_aware(datetime.datetime(2025, 1, 1, 8, 0))


def wagtails_answer(user, limit):
    """Wagtail's own query for "Your most recent edits" (``RecentEditsPanel``)."""
    return list(
        PageLogEntry.objects.filter(user=user, action="wagtail.edit")
        .values("page_id")
        .annotate(latest_date=Max("timestamp"))
        .order_by("-latest_date")[:limit]
    )


class RecentlyEditedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        users = get_user_model().objects
        cls.editor = users.create_user("redaktor", password="x")
        cls.other = users.create_user("annen", password="x")
        cls.page_type = ContentType.objects.get_for_model(Page)

    def log(self, rng, count, pages):
        """``count`` log entries a minute apart, by either user, on one of ``pages`` pages,
        mostly edits; runs of edits to one page, as when someone saves a draft again and
        again."""
        entries, page = [], 1
        for minute in range(count):
            if rng.random() < 0.3:
                page = rng.randint(1, pages)
            entries.append(
                PageLogEntry(
                    content_type=self.page_type,
                    page_id=page,
                    label=f"Side {page}",
                    action="wagtail.edit" if rng.random() < 0.8 else "wagtail.publish",
                    user=self.editor if rng.random() < 0.7 else self.other,
                    timestamp=START + datetime.timedelta(minutes=minute),
                )
            )
        PageLogEntry.objects.bulk_create(entries)

    def test_the_same_pages_in_the_same_order_as_wagtails_panel(self):
        # Histories made by rule: from a few entries on one page to many over many pages, read
        # with windows smaller and larger than what the answer needs.
        for seed in range(40):
            rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
            PageLogEntry.objects.all().delete()
            self.log(rng, rng.randint(0, 400), rng.choice([1, 2, 4, 6, 30, 200]))
            for window in (1, 3, 7, 25, 500):
                for limit in (1, 5, 8):
                    with (
                        self.subTest(seed=seed, window=window, limit=limit),
                        mock.patch.object(panels, "RECENT_EDITS_WINDOW", window),
                    ):
                        self.assertEqual(
                            recently_edited(self.editor, limit),
                            wagtails_answer(self.editor, limit),
                        )

    def test_many_edits_to_one_page_do_not_hide_the_pages_edited_before(self):
        # 600 saves of one page after edits to four others: the newest edits hold one page
        # only, and the four others still follow it.
        PageLogEntry.objects.bulk_create(
            PageLogEntry(
                content_type=self.page_type,
                page_id=page,
                label="Side",
                action="wagtail.edit",
                user=self.editor,
                timestamp=START + datetime.timedelta(minutes=minute),
            )
            for minute, page in enumerate([2, 3, 4, 5] + [1] * 600)
        )
        self.assertEqual(
            [edit["page_id"] for edit in recently_edited(self.editor, 5)], [1, 5, 4, 3, 2]
        )


class RecentEditsOnTheHomeTests(EnglishAdminMixin, TestCase):
    def test_the_home_lists_the_pages_the_user_edited_last(self):
        editor = get_user_model().objects.create_superuser("redaktor", password="x")
        root = Page.objects.get(depth=1)
        pages = [
            root.add_child(instance=Page(title=f"Side {n}", slug=f"side-{n}")) for n in range(7)
        ]
        for page in pages:
            page.save_revision(user=editor, log_action=True)
        pages[2].save_revision(user=editor, log_action=True)  # edited last
        self.client.force_login(editor)
        html = self.client.get(reverse("wagtailadmin_home")).content.decode()
        panel = html[html.index('id="recent-edits-section"') :]
        shown = [title for title in (f"Side {n}" for n in range(7)) if title in panel]
        self.assertEqual(len(shown), 5)
        order = sorted(shown, key=panel.index)
        self.assertEqual(order, ["Side 2", "Side 6", "Side 5", "Side 4", "Side 3"])
