"""Page types of the municipal site.

Public content pages are governed: they carry a responsible leader, audiences and sensitivity
(``publishing.models.GovernedPage``). The intranet holds internal notices to staff behind page
privacy for the municipality's staff group.
"""

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from publishing.citizens.withdrawal import listed_for_citizens
from publishing.models import BaseInternalNoticePage, GovernedPage
from publishing.models.pages import governed_edit_handler, without_withdrawn

from .blocks import RICH_TEXT_FEATURES, BodyBlock
from .search import word_form_fields

NEWS_PER_PAGE = 10


def _today():
    return timezone.localdate()


class HomePage(Page):
    """The front page of a municipality's site."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        *word_form_fields("title", "intro"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "home.NewsIndexPage",
        "home.ServicePage",
        "home.StandardPage",
        "home.AccessibilityStatementPage",
        "home.IntranetIndexPage",
    ]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news_index = NewsIndexPage.objects.live().public().child_of(self).first()
        # News and press releases, newest first, as the news index lists them.
        context["latest_news"] = news_index.news_items()[:5] if news_index else []
        context["services"] = listed_for_citizens(ServicePage.objects.child_of(self)).order_by(
            "title"
        )
        context["news_index"] = news_index
        return context


class NewsIndexPage(RoutablePageMixin, Page):
    """The list of news and press releases, with an RSS feed at ``feed/``."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        *word_form_fields("title", "intro"),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.NewsPage", "home.PressReleasePage"]

    class Meta:
        verbose_name = _("news index")

    def news_items(self):
        """Live, public news and press releases below this index, newest first; withdrawn ones
        are no longer news."""
        return (
            listed_for_citizens(Page.objects.child_of(self).type(NewsPage, PressReleasePage))
            .specific()
            .order_by("-first_published_at")
        )

    def get_cached_paths(self):
        """What a frontend cache holds of this index: the listing's pages and the feed, all
        purged when an item below is published, unpublished or made private."""
        pages = max(1, -(-self.news_items().count() // NEWS_PER_PAGE))
        return ["/", "feed/", *(f"?page={n}" for n in range(2, pages + 1))]

    @path("")
    def listing(self, request):
        return self.render(request)

    @path("feed/")
    def feed(self, request):
        from .feeds import NewsFeed

        return NewsFeed(self)(request)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.news_items(), NEWS_PER_PAGE)
        try:
            context["news"] = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            context["news"] = paginator.page(1)
        except EmptyPage:
            context["news"] = paginator.page(paginator.num_pages)
        return context


class ArticleFields(models.Model):
    """Fields shared by news, press releases, standard pages and notices."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        *word_form_fields("title", "intro", "body"),
    ]

    class Meta:
        abstract = True


class NewsPage(ArticleFields, GovernedPage):
    """A news article."""

    date = models.DateField(_("news date"), default=_today)

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    edit_handler = governed_edit_handler(content_panels)
    parent_page_types = ["home.NewsIndexPage"]
    subpage_types = []

    class Meta(GovernedPage.Meta):
        verbose_name = _("news page")


class StatementLevel(models.TextChoices):
    """Who may speak for the municipality on what (Alvdal's strategy, section 1.2)."""

    POLITICAL = "political", _("Political")
    STRATEGIC = "strategic", _("Strategic")
    UNIT = "unit", _("Own unit")
    FACTUAL = "factual", _("Facts from own unit")


class PressReleasePage(ArticleFields, GovernedPage):
    """A press release, quoting a spokesperson at a statement level."""

    date = models.DateField(_("release date"), default=_today)
    spokesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("spokesperson"),
        null=True,
        blank=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    statement_level = models.CharField(
        _("statement level"),
        max_length=20,
        choices=StatementLevel.choices,
        default=StatementLevel.UNIT,
        help_text=_(
            "Political: the mayor. Strategic: the chief executive or a sector head. Own unit: "
            "the unit's head. Facts: an employee of the unit."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("spokesperson"),
        FieldPanel("statement_level"),
    ]
    edit_handler = governed_edit_handler(content_panels)
    parent_page_types = ["home.NewsIndexPage"]
    subpage_types = []

    class Meta(GovernedPage.Meta):
        verbose_name = _("press release")


class ServicePage(GovernedPage):
    """A municipal service: what you have a right to, what you must do, how to apply."""

    intro = models.TextField(_("introduction"), blank=True)
    rights = RichTextField(_("your rights"), blank=True, features=RICH_TEXT_FEATURES)
    duties = RichTextField(_("your duties"), blank=True, features=RICH_TEXT_FEATURES)
    how_to_apply = RichTextField(_("how to apply"), blank=True, features=RICH_TEXT_FEATURES)
    contact = RichTextField(_("contact"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("rights"),
        FieldPanel("duties"),
        FieldPanel("how_to_apply"),
        FieldPanel("contact"),
    ]
    edit_handler = governed_edit_handler(content_panels)
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("rights"),
        index.SearchField("duties"),
        index.SearchField("how_to_apply"),
        *word_form_fields("title", "intro", "rights", "duties", "how_to_apply"),
    ]
    parent_page_types = ["home.HomePage", "home.ServicePage", "home.StandardPage"]
    subpage_types = ["home.ServicePage", "home.StandardPage"]

    class Meta(GovernedPage.Meta):
        verbose_name = _("service page")


class StandardPage(ArticleFields, GovernedPage):
    """A general information page."""

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    edit_handler = governed_edit_handler(content_panels)
    parent_page_types = [
        "home.HomePage",
        "home.ServicePage",
        "home.StandardPage",
        "home.IntranetIndexPage",
    ]
    subpage_types = ["home.ServicePage", "home.StandardPage"]

    class Meta(GovernedPage.Meta):
        verbose_name = _("standard page")


class ComplianceStatus(models.TextChoices):
    """How far the site meets the requirements (EN 301 549 / WCAG), as the Directive's model
    statement words it."""

    FULL = "full", _("Fully compliant")
    PARTIAL = "partial", _("Partially compliant")
    NONE = "none", _("Not compliant")


class AssessmentMethod(models.TextChoices):
    SELF = "self", _("Self-assessment")
    THIRD_PARTY = "third_party", _("Assessment by a third party")


class AccessibilityStatementPage(GovernedPage):
    """The accessibility statement the Web Accessibility Directive requires.

    The fields follow the model statement (Commission Implementing Decision (EU) 2018/1523) as
    Norway's Digdir (uustatus.no) and Sweden's DIGG ask for it: compliance status, content that
    is not accessible and why, how the site was assessed and when, how to report a problem, and
    the supervisory authority to turn to. Norway also requires the statement on uustatus.no.
    """

    compliance_status = models.CharField(
        _("compliance status"),
        max_length=10,
        choices=ComplianceStatus.choices,
        default=ComplianceStatus.PARTIAL,
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Who the statement is for and which website it covers."),
    )
    non_compliance = RichTextField(
        _("content that is not accessible: failures against the requirements"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("Each problem, the success criterion it fails and when it will be fixed."),
    )
    disproportionate_burden = RichTextField(
        _("disproportionate burden"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("Content not made accessible because it would be a disproportionate burden."),
    )
    outside_scope = RichTextField(
        _("content outside the law's scope"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("For example office documents published before the deadline, or live video."),
    )
    assessment_method = models.CharField(
        _("how the website was assessed"),
        max_length=12,
        choices=AssessmentMethod.choices,
        default=AssessmentMethod.SELF,
    )
    assessed_on = models.DateField(_("assessed on"), null=True, blank=False)
    prepared_on = models.DateField(_("statement prepared on"), null=True, blank=False)
    reviewed_on = models.DateField(_("statement last reviewed on"), null=True, blank=True)
    feedback_contact = RichTextField(
        _("report a problem"),
        features=RICH_TEXT_FEATURES,
        help_text=_(
            "How people tell you about content they cannot use, or ask for it in another form, "
            "and how soon they get an answer."
        ),
    )
    enforcement_body = models.CharField(
        _("supervisory authority"),
        max_length=200,
        help_text=_(
            "Norway: Tilsynet for universell utforming av ikt (Digdir). Sweden: Myndigheten "
            "för digital förvaltning (DIGG)."
        ),
    )
    enforcement_url = models.URLField(
        _("where to complain to the supervisory authority"),
        help_text=_("Norway: https://www.uutilsynet.no/. Sweden: https://www.digg.se/tdosanmalan."),
    )
    uustatus_url = models.URLField(
        _("statement on uustatus.no"),
        blank=True,
        help_text=_("Norway: the statement's address on uustatus.no, which the law requires."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("compliance_status"),
        FieldPanel("non_compliance"),
        FieldPanel("disproportionate_burden"),
        FieldPanel("outside_scope"),
        FieldPanel("assessment_method"),
        FieldPanel("assessed_on"),
        FieldPanel("prepared_on"),
        FieldPanel("reviewed_on"),
        FieldPanel("feedback_contact"),
        FieldPanel("enforcement_body"),
        FieldPanel("enforcement_url"),
        FieldPanel("uustatus_url"),
    ]
    edit_handler = governed_edit_handler(content_panels)
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("non_compliance"),
        *word_form_fields("title", "intro", "non_compliance"),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta(GovernedPage.Meta):
        verbose_name = _("accessibility statement")


class IntranetIndexPage(Page):
    """The root of the staff-only intranet, behind page privacy for the staff group."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        *word_form_fields("title", "intro"),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.InternalNoticePage", "home.StandardPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("intranet index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["notices"] = without_withdrawn(
            InternalNoticePage.objects.live().child_of(self)
        ).order_by("-first_published_at")
        return context


class InternalNoticePage(ArticleFields, BaseInternalNoticePage):
    """A notice to staff. External pages that affect staff wait until their notice is live."""

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("about_pages"),
    ]
    edit_handler = governed_edit_handler(content_panels)
    parent_page_types = ["home.IntranetIndexPage"]
    subpage_types = []

    class Meta(BaseInternalNoticePage.Meta):
        verbose_name = _("internal notice")
