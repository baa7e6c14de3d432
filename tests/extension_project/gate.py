"""The notice gate in a project made by `wagtail start` (.ci/extension_check runs this with
`manage.py shell`): a page that affects staff is not published before its internal notice is
live, and is once it is. Exits non-zero when the gate does not hold."""

import datetime
import sys

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from home.models import HomePage
from publishing.conf import page_model
from publishing.models import (
    Municipality,
    OrganisationUnit,
    PublisherCertificate,
    Role,
    RoleAssignment,
    UnitKind,
)
from publishing.workflow.veto import GovernancePublishBlocked


def say(text):
    sys.stdout.write(f"{text}\n")


def fail(message):
    say(f"FAIL: {message}")
    sys.exit(1)


municipality = Municipality.objects.get(slug="testby")
home = municipality.site.root_page.specific
intranet = municipality.intranet_page.specific
say(f"site {municipality.site}: home {type(home).__name__}, intranet {type(intranet).__name__}")

leader = get_user_model().objects.create_user(
    "leader", "leader@testby.example", "not-a-real-password", first_name="Lena", last_name="Leder"
)
top = OrganisationUnit.objects.create(
    municipality=municipality, kind=UnitKind.MUNICIPALITY, code="testby", name="Testby kommune"
)
unit = OrganisationUnit.objects.create(
    municipality=municipality, parent=top, kind=UnitKind.UNIT, code="heim", name="Heimetenesta"
)
RoleAssignment.objects.create(user=leader, unit=unit, role=Role.UNIT_HEAD)
# The leader publishes herself: a trained publisher in the communications group.
leader.groups.add(*(municipality.group(key) for key in ("staff", "leaders", "communications")))
today = timezone.localdate()
PublisherCertificate.objects.create(
    user=leader,
    municipality=municipality,
    course="Publishing course",
    passed_on=today - datetime.timedelta(days=30),
    expires_on=today + datetime.timedelta(days=300),
)
citizens = municipality.audiences.get(code="innbyggere")
staff = municipality.audiences.get(code="ansatte")

notice = intranet.add_child(
    instance=page_model("INTERNAL_NOTICE_MODEL")(
        title="Nye turnuser",
        slug="nye-turnuser",
        intro="Fra januar får dere nye turnuser.",
        owning_unit=unit,
        responsible_leader=leader,
        live=False,
    )
)
notice.audiences.set([staff])
notice.save_revision(user=leader)

page = HomePage(
    title="Kveldsåpent i heimetenesta",
    slug="kveldsapent",
    owning_unit=unit,
    responsible_leader=leader,
    affects_staff=True,
    internal_notice=notice,
    live=False,
)
home.add_child(instance=page)
page.audiences.set([citizens])
page.save_revision(user=leader)

# The notice names the page (in its row and its revisions): linked both ways.
notice = type(notice).objects.get(pk=notice.pk)
notice.about_pages.add(page)
notice.save()
for revision in notice.revisions.all():
    revision.content["about_pages"] = [page.pk]
    revision.save(update_fields=["content"])

try:
    page.get_latest_revision().publish(user=leader)
except GovernancePublishBlocked as blocked:
    say(f"refused while the notice is a draft: {blocked}")
    codes = {finding.code for finding in blocked.findings}
    if codes != {"notice.not_live"}:
        fail(f"refused for other reasons than the notice alone: {sorted(codes)}")
else:
    fail("the page was published before its internal notice was live")
if Page.objects.get(pk=page.pk).live:
    fail("the refused page is live")

notice.get_latest_revision().publish(user=leader)
if not Page.objects.get(pk=notice.pk).live:
    fail("the internal notice did not go live")
say("the internal notice is live")

try:
    Page.objects.get(pk=page.pk).specific.get_latest_revision().publish(user=leader)
except GovernancePublishBlocked as blocked:
    fail(f"refused after the notice went live: {blocked}")
if not Page.objects.get(pk=page.pk).live:
    fail("the page is not live after its notice went live")
say("published once the notice was live: the gate holds")

# The public side: the page, and the feedback form from the extension's public URLs.
client = Client(HTTP_HOST="localhost")
page = Page.objects.get(pk=page.pk)
for url in (page.url, reverse("feedback", args=[page.pk])):
    response = client.get(url)
    if response.status_code != 200:
        fail(f"{url} answered {response.status_code}")
    say(f"{url}: {response.status_code}")
