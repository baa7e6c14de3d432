"""The admin of people in images: each municipality's own records, consents recorded inline,
withdrawal as an act of its own, and the way there from the image's own page and the menu."""

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import RequestFactory, TestCase
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.menu import admin_menu
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, ModelLogEntry

from publishing.models import ImageConsent, ImagePeople, Municipality
from tests.governance import EnglishAdminMixin
from tests.worlds import DemoWorld

User = get_user_model()
TODAY = timezone.localdate()


def url(name, *args):
    return reverse(f"publishing_image_people:{name}", args=args)


class AdminTestCase(DemoWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        people = User.objects.in_bulk(
            ["alvdal.lars", "alvdal.silje", "alvdal.hilde", "avesta.oskar"],
            field_name="username",
        )
        cls.lars = people["alvdal.lars"]  # publisher
        cls.silje = people["alvdal.silje"]  # communications
        cls.hilde = people["alvdal.hilde"]  # leader: no image permissions
        cls.oskar = people["avesta.oskar"]  # publisher in Avesta
        cls.alvdal = Municipality.objects.get(slug="alvdal")
        cls.avesta = Municipality.objects.get(slug="avesta")
        Image = get_image_model()
        Document = get_document_model()
        collections = {}
        for municipality in (cls.alvdal, cls.avesta):
            own = Collection.objects.get(name=municipality.name)
            staff_only = own.get_children().get(name=municipality.intranet_page.title)
            collections[municipality.slug] = (own, staff_only)
        cls.image = Image.objects.create(
            title="Barnehagedag i Alvdal",
            collection=collections["alvdal"][0],
            file=get_test_image_file(),
        )
        cls.other_image = Image.objects.create(
            title="Förskoledag i Avesta",
            collection=collections["avesta"][0],
            file=get_test_image_file(),
        )
        cls.record = ImagePeople.objects.get(image=cls.image)
        cls.other_record = ImagePeople.objects.get(image=cls.other_image)
        cls.form = Document.objects.create(
            title="Samtykke barnehage",
            collection=collections["alvdal"][1],
            file=ContentFile(b"x", "samtykke.pdf"),
        )
        cls.other_form = Document.objects.create(
            title="Samtycke förskola",
            collection=collections["avesta"][1],
            file=ContentFile(b"x", "samtycke.pdf"),
        )

    def record_data(self, consents=(), initial=0, **fields):
        data = {
            "shows_people": "on",
            "note": "Tatt på sommerfesten.",
            "consents-TOTAL_FORMS": str(len(consents)),
            "consents-INITIAL_FORMS": str(initial),
            "consents-MIN_NUM_FORMS": "0",
            "consents-MAX_NUM_FORMS": "1000",
        }
        for index, consent in enumerate(consents):
            values = {
                "person": "Kari Nordmann",
                "child": "on",
                "guardian": "Anne Nordmann",
                "channels": ["web", "print"],
                "given_on": TODAY.isoformat(),
                "valid_until": "",
                "form": self.form.pk,
            } | consent
            for name, value in values.items():
                data[f"consents-{index}-{name}"] = value
        data.update(fields)
        return {key: value for key, value in data.items() if value not in ("", None)}


class ListingTests(AdminTestCase):
    def test_the_listing_holds_the_own_municipalitys_images_only(self):
        for user, own, other in (
            (self.lars, self.image, self.other_image),
            (self.oskar, self.other_image, self.image),
        ):
            self.login(user)
            response = self.client.get(url("index"))
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, own.title)
            self.assertNotContains(response, other.title)
            response = self.client.get(url("index"), {"q": other.title})
            self.assertContains(response, "No people in images match your query")
            response = self.client.get(url("index"), {"q": own.title.split()[0]})
            self.assertContains(response, own.title)

    def test_filters_by_location_and_by_consent(self):
        ImagePeople.objects.filter(pk=self.record.pk).update(has_location=True, shows_people=True)
        self.login(self.lars)
        response = self.client.get(url("index"), {"has_location": "true"})
        self.assertContains(response, self.image.title)
        response = self.client.get(url("index"), {"has_location": "false"})
        self.assertNotContains(response, self.image.title)
        response = self.client.get(url("index"), {"status": "problem"})
        self.assertContains(response, self.image.title)
        self.assertContains(response, "Consent missing")
        ImageConsent.objects.create(record=self.record, person="Kari", channels=["web"])
        response = self.client.get(url("index"), {"status": "problem"})
        self.assertNotContains(response, self.image.title)
        response = self.client.get(url("index"), {"status": "holds"})
        self.assertContains(response, self.image.title)

    def test_a_leader_without_image_permissions_has_no_listing(self):
        self.login(self.hilde)
        self.assertRedirects(self.client.get(url("index")), reverse("wagtailadmin_home"))


class OtherMunicipalityTests(AdminTestCase):
    """Another municipality's record is not found, however it is asked for."""

    def test_every_view_of_a_record_is_not_found(self):
        consent = ImageConsent.objects.create(
            record=self.other_record, person="Eva", channels=["web"]
        )
        self.login(self.lars)
        for address in (
            url("edit", self.other_record.pk),
            url("history", self.other_record.pk),
            url("usage", self.other_record.pk),
            url("delete", self.other_record.pk),
            url("withdraw", consent.pk),
            url("for_image", self.other_image.pk),
        ):
            with self.subTest(address=address):
                self.assertEqual(self.client.get(address).status_code, 404)
        response = self.client.post(url("edit", self.other_record.pk), self.record_data())
        self.assertEqual(response.status_code, 404)
        response = self.client.post(url("withdraw", consent.pk), {"reason": "x"})
        self.assertEqual(response.status_code, 404)
        self.assertIsNone(ImageConsent.objects.get(pk=consent.pk).withdrawn_on)
        self.assertFalse(ImagePeople.objects.get(pk=self.other_record.pk).shows_people)

    def test_a_stale_form_sent_after_the_image_moved_is_not_found(self):
        self.login(self.lars)
        self.assertEqual(self.client.get(url("edit", self.record.pk)).status_code, 200)
        get_image_model().objects.filter(pk=self.image.pk).update(
            collection=self.other_image.collection
        )
        response = self.client.post(url("edit", self.record.pk), self.record_data())
        self.assertEqual(response.status_code, 404)

    def test_a_form_naming_another_municipalitys_image_or_document_is_refused(self):
        self.login(self.lars)
        ImagePeople.objects.filter(image=self.image).delete()
        response = self.client.post(url("add"), self.record_data(image=self.other_image.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ImagePeople.objects.filter(image=self.image).exists())
        self.assertEqual(ImagePeople.objects.filter(image=self.other_image).count(), 1)
        response = self.client.post(
            url("add"),
            self.record_data([{"form": self.other_form.pk}], image=self.image.pk),
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ImagePeople.objects.filter(image=self.image).exists())


class RecordTests(AdminTestCase):
    def test_marking_an_image_and_recording_a_childs_consent(self):
        self.login(self.lars)
        response = self.client.post(url("edit", self.record.pk), self.record_data([{}]))
        self.assertEqual(response.status_code, 302)
        record = ImagePeople.objects.get(pk=self.record.pk)
        self.assertTrue(record.shows_people)
        consent = record.consents.get()
        self.assertEqual(consent.guardian, "Anne Nordmann")
        self.assertEqual(consent.channels, ["web", "print"])
        self.assertEqual(consent.recorded_by, self.lars)
        self.assertEqual(record.consent_problems(), [])
        self.assertTrue(
            ModelLogEntry.objects.filter(object_id=str(record.pk), action="wagtail.edit").exists()
        )
        response = self.client.get(url("edit", record.pk))
        self.assertContains(response, "Consent holds")
        self.assertContains(response, url("withdraw", consent.pk))
        self.assertContains(response, reverse("wagtailimages:edit", args=[self.image.pk]))

    def test_what_a_consent_needs(self):
        self.login(self.lars)
        for consent, words in (
            ({"guardian": ""}, "name the guardian who consented"),
            ({"channels": []}, "Tick where the photo may be shown with this consent."),
            ({"form": ""}, None),
        ):
            with self.subTest(consent=consent):
                data = self.record_data([consent])
                response = self.client.post(url("edit", self.record.pk), data)
                if words is None:
                    self.assertEqual(response.status_code, 302)
                    ImageConsent.objects.filter(record=self.record).delete()
                else:
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, words)
                    self.assertNotContains(response, "This field is required")
                    self.assertFalse(ImageConsent.objects.filter(record=self.record).exists())

    def test_a_consent_form_anyone_may_open_is_refused(self):
        public = get_document_model().objects.create(
            title="Skjema",
            collection=Collection.objects.get(name=self.alvdal.name),
            file=ContentFile(b"x", "skjema.pdf"),
        )
        self.login(self.lars)
        response = self.client.post(
            url("edit", self.record.pk), self.record_data([{"form": public.pk}])
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "is in a collection anyone may open")

    def test_a_new_record_from_the_chooser_and_from_the_images_page(self):
        ImagePeople.objects.filter(image=self.image).delete()
        self.login(self.lars)
        response = self.client.get(url("add"))
        self.assertContains(response, 'class="chooser image-chooser')
        self.assertContains(response, reverse("wagtailimages_chooser:choose"))
        response = self.client.post(url("add"), self.record_data(image=self.image.pk))
        record = ImagePeople.objects.get(image=self.image)
        self.assertRedirects(response, url("edit", record.pk))
        response = self.client.post(url("add"), self.record_data(image=self.image.pk))
        self.assertContains(response, "are on record already")
        record.delete()
        response = self.client.get(url("for_image", self.image.pk))
        record = ImagePeople.objects.get(image=self.image)
        self.assertRedirects(response, url("edit", record.pk))
        self.assertIsNotNone(record.checked_at, "the file was read for a location")

    def test_deleting_records_is_for_superusers(self):
        self.login(self.silje)
        response = self.client.get(url("delete", self.record.pk))
        self.assertRedirects(response, reverse("wagtailadmin_home"))
        self.assertTrue(ImagePeople.objects.filter(pk=self.record.pk).exists())


class WithdrawalViewTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ImagePeople.objects.filter(pk=cls.record.pk).update(shows_people=True)
        cls.consent = ImageConsent.objects.create(
            record=cls.record,
            person="Kari Nordmann",
            channels=["web"],
            given_on=TODAY,
        )

    def test_withdrawing_a_consent(self):
        self.login(self.lars)
        response = self.client.get(url("withdraw", self.consent.pk))
        self.assertContains(response, "Kari Nordmann")
        self.assertContains(response, "A withdrawal cannot be undone")
        response = self.client.post(url("withdraw", self.consent.pk), {"reason": " "})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(ImageConsent.objects.get(pk=self.consent.pk).withdrawn_on)
        response = self.client.post(
            url("withdraw", self.consent.pk),
            {"withdrawn_on": TODAY.isoformat(), "reason": "Ringte kommunikasjonsavdelingen."},
            follow=True,
        )
        self.assertRedirects(response, url("edit", self.record.pk))
        self.assertContains(response, "No live page on the public site uses the image")
        consent = ImageConsent.objects.get(pk=self.consent.pk)
        self.assertEqual(consent.withdrawn_on, TODAY)
        self.assertEqual(consent.withdrawn_by, self.lars)
        self.assertContains(response, "Consent withdrawn")
        self.assertNotContains(response, url("withdraw", consent.pk))
        self.assertTrue(
            ModelLogEntry.objects.filter(
                object_id=str(self.record.pk), action="publishing.consent_withdrawn"
            ).exists()
        )
        # Sent again (a double click, a second tab): nothing more happens.
        response = self.client.post(
            url("withdraw", consent.pk),
            {"withdrawn_on": TODAY.isoformat(), "reason": "Igjen."},
            follow=True,
        )
        self.assertContains(response, "was withdrawn already")
        self.assertEqual(
            ImageConsent.objects.get(pk=consent.pk).withdrawn_reason,
            "Ringte kommunikasjonsavdelingen.",
        )

    def test_the_withdrawal_shows_in_the_record_history_and_usage_opens(self):
        self.login(self.lars)
        self.client.post(
            url("withdraw", self.consent.pk),
            {"withdrawn_on": TODAY.isoformat(), "reason": "Ringte."},
        )
        history = self.client.get(url("history", self.record.pk))
        self.assertContains(history, "Consent withdrawn")
        self.assertEqual(self.client.get(url("usage", self.record.pk)).status_code, 200)

    def test_a_withdrawal_cannot_be_dated_ahead_or_before_the_consent(self):
        self.login(self.lars)
        for day in (TODAY + timezone.timedelta(days=1), TODAY - timezone.timedelta(days=1)):
            response = self.client.post(
                url("withdraw", self.consent.pk), {"withdrawn_on": day.isoformat(), "reason": "x"}
            )
            self.assertEqual(response.status_code, 200)
        self.assertIsNone(ImageConsent.objects.get(pk=self.consent.pk).withdrawn_on)

    def test_a_withdrawn_consent_is_neither_edited_nor_deleted(self):
        ImageConsent.objects.filter(pk=self.consent.pk).update(withdrawn_on=TODAY)
        self.login(self.lars)
        row = {"id": self.consent.pk, "person": "Someone Else", "channels": ["web"]}
        response = self.client.post(url("edit", self.record.pk), self.record_data([row], initial=1))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ImageConsent.objects.get(pk=self.consent.pk).person, "Kari Nordmann")
        response = self.client.post(
            url("edit", self.record.pk), self.record_data([row | {"DELETE": "on"}], initial=1)
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "stays on record")
        self.assertTrue(ImageConsent.objects.filter(pk=self.consent.pk).exists())


class WayThereTests(AdminTestCase):
    def menu_urls(self, user):
        request = RequestFactory().get("/admin/")
        request.user = user
        found = {}
        for item in admin_menu.menu_items_for_request(request):
            menu = getattr(item, "menu", None)
            for child in menu.menu_items_for_request(request) if menu else [item]:
                found[str(child.url)] = item.name
        return found

    def test_people_in_images_is_in_the_governance_menu(self):
        governance = self.menu_urls(self.lars)
        self.assertIn(url("index"), governance)
        registers = self.menu_urls(self.silje)
        self.assertEqual(
            registers[url("index")],
            registers[reverse("publishing_organisationunit_modeladmin_index")],
            "beside the registers",
        )
        self.assertNotIn(url("index"), self.menu_urls(self.hilde))

    def test_the_images_own_page_shows_the_status_and_links_to_the_record(self):
        ImagePeople.objects.filter(pk=self.record.pk).update(shows_people=True, has_location=True)
        self.login(self.silje)
        response = self.client.get(reverse("wagtailimages:edit", args=[self.image.pk]))
        self.assertContains(response, "People in the image")
        self.assertContains(response, "Consent missing")
        self.assertContains(response, "holds GPS coordinates")
        self.assertContains(response, url("for_image", self.image.pk))
        ImagePeople.objects.filter(pk=self.record.pk).update(shows_people=False, has_location=False)
        response = self.client.get(reverse("wagtailimages:edit", args=[self.image.pk]))
        self.assertContains(response, "Not marked as showing identifiable people")
        self.assertNotContains(response, "holds GPS coordinates")
