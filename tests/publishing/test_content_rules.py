"""Personal data and plain language in the editor, the workflow and at publish time."""

from django.test import TestCase
from django.utils import translation

from publishing.rules import BLOCK, WARN, check_publish, check_submit
from publishing.workflow.veto import GovernancePublishBlocked
from tests.governance import news_page, reload
from tests.worlds import GovernedWorld

FNR = "01010012356"  # a valid fødselsnummer (synthetic)


class PersonalDataRuleTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def setUp(self):
        self.enterContext(translation.override("en"))

    def page(self, intro, **fields):
        return news_page(
            self.g,
            "Melding",
            f"melding-{abs(hash(intro)) % 10_000}",
            affects_staff=False,
            notice=False,
            intro=intro,
            **fields,
        )

    def test_identity_number_blocks_every_path_with_a_masked_excerpt(self):
        page = self.page(f"Søkeren har fødselsnummer {FNR} og får svar snart.")
        findings = [f for f in check_publish(reload(page)) if f.code == "personal_data.national_id"]
        self.assertEqual(len(findings), 1)
        finding = findings[0]
        self.assertEqual(finding.severity, BLOCK)
        self.assertEqual(finding.field, "intro")
        self.assertIn("introduction", finding.message)
        self.assertNotIn(FNR, finding.message + finding.fix)
        with self.assertRaises(GovernancePublishBlocked):
            reload(page).get_latest_revision().publish(user=None)
        self.assertFalse(reload(page).live)

    def test_submission_is_stopped_too(self):
        page = self.page(f"Fødselsnummer: {FNR}.")
        codes = [f.code for f in check_submit(reload(page), user=self.g.publisher) if f.blocks]
        self.assertIn("personal_data.national_id", codes)

    def test_a_number_that_may_be_a_phone_blocks_and_says_how_to_write_a_phone(self):
        # Ten bare digits that are both a valid personnummer and a valid Swedish mobile number.
        page = self.page("Svar sendes til 0701011231 innen fredag.")
        findings = [f for f in check_publish(reload(page)) if f.code == "personal_data.national_id"]
        self.assertEqual(len(findings), 1)
        self.assertEqual(findings[0].severity, BLOCK)
        self.assertIn("or a phone number written without spaces", findings[0].message)
        self.assertIn("write it in groups", findings[0].fix)
        with translation.override("sv"):
            finding = next(
                f for f in check_publish(reload(page)) if f.code == "personal_data.national_id"
            )
            self.assertIn("telefonnummer skrivet utan mellanslag", finding.message)

    def test_switchboard_is_public_but_a_private_mobile_warns(self):
        page = self.page("Ring sentralbordet på 62 48 90 00 eller Ola på 912 34 567.")
        phones = [f for f in check_publish(reload(page)) if f.code == "personal_data.phone"]
        self.assertEqual(len(phones), 1)
        self.assertEqual(phones[0].severity, WARN)
        self.assertNotIn("912 34 567", phones[0].message)
        reload(page).get_latest_revision().publish(user=None)  # a warning does not block
        self.assertTrue(reload(page).live)

    def test_the_writer_sees_the_masked_excerpt_the_summary_only_what_and_where(self):
        page = self.page("Ring saksbehandler Ola Nordmann på 912 34 567 i dag.")
        [phone] = [f for f in check_publish(reload(page)) if f.code == "personal_data.phone"]
        # The editor's message quotes the words around the number, masked, to find it by.
        self.assertIn("Ola Nordmann", phone.message)
        self.assertIn("912 34", phone.message)
        self.assertNotIn("567", phone.message)
        # Reports, stored acknowledgements and the audit log get what and where only.
        self.assertEqual(phone.summary, "A phone number in introduction.")

    def test_findings_without_an_excerpt_summarise_as_their_message(self):
        page = self.page("Vi har åpent i dag.", sensitivity="internal")
        findings = check_publish(reload(page))
        self.assertTrue(findings)
        for finding in findings:
            self.assertEqual(finding.summary, finding.message)

    def test_name_and_sensitive_word_in_one_sentence_block(self):
        page = self.page("Kari Nordmann har fått vedtak fra barnevernet.")
        blocked = [f.code for f in check_publish(reload(page)) if f.blocks]
        self.assertIn("personal_data.person_name", blocked)


class PlainLanguageRuleTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def setUp(self):
        self.enterContext(translation.override("en"))

    HARD = (
        "Vedrørende søknaden om tildeling av kommunale omsorgstjenester bemerkes det at "
        "saksbehandlingen iverksettes fortløpende i henhold til gjeldende forvaltningsbestemmelser "
        "og prioriteringskriterier, hvorpå vedkommende underrettes skriftlig om utfallet. "
    ) * 4

    def test_text_over_the_audience_target_warns_with_officialese(self):
        page = news_page(
            self.g, "Vanskelig", "vanskelig", affects_staff=False, notice=False, intro=self.HARD
        )
        findings = {f.code: f for f in check_publish(reload(page))}
        self.assertEqual(findings["plain_language.lix_over_target"].severity, WARN)
        self.assertIn(
            f"target {self.g.citizens.lix_target}",
            findings["plain_language.lix_over_target"].message,
        )
        self.assertIn("vedrørende", findings["plain_language.officialese"].message)

    def test_profile_can_make_far_over_block(self):
        profile = dict(self.g.municipality.profile)
        profile["plain_language"] = {
            **profile["plain_language"],
            "far_over_blocks": True,
            "lix_far_over": 5,
        }
        self.g.municipality.profile = profile
        self.g.municipality.save()
        page = news_page(
            self.g, "Vanskelig", "vanskelig", affects_staff=False, notice=False, intro=self.HARD
        )
        findings = {f.code: f for f in check_publish(reload(page))}
        self.assertEqual(findings["plain_language.lix_over_target"].severity, BLOCK)

    def test_plain_text_passes(self):
        page = news_page(
            self.g,
            "Enkel",
            "enkel",
            affects_staff=False,
            notice=False,
            intro="Vi har åpent til klokka ti. Du kan ringe oss. Vi hjelper deg.",
        )
        self.assertEqual([f.code for f in check_publish(reload(page))], [])


class ReadingTargetTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def test_strictest_of_audience_and_page_type_targets(self):
        from publishing.rules import RuleContext
        from publishing.rules.content import reading_target

        page = reload(news_page(self.g, "Mål", "maal", affects_staff=False, notice=False))
        targets = dict(self.g.municipality.plain_language)
        context = RuleContext(page=page)
        self.assertEqual(
            reading_target(context, targets),
            min(self.g.citizens.lix_target, targets["page_type_targets"]["newspage"]),
        )
        targets["page_type_targets"] = {"newspage": 20}
        self.assertEqual(reading_target(context, targets), 20)
        targets["page_type_targets"] = {}
        page.audiences.set([])
        self.assertEqual(reading_target(RuleContext(page=page), targets), targets["lix_target"])
