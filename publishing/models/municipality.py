"""A municipality: one Wagtail Site bound to one governance profile."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Collection, CollectionViewRestriction, GroupCollectionPermission, Page

from publishing.memo import remember

LANGUAGE_CHOICES = [
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("sv", _("Swedish")),
    ("en", _("English")),
]

#: The time zone of each country's municipalities: the calendar days and clock times an
#: archive's records officer reads (Denmark's, Finland's and Iceland's differ from Norway's).
TIME_ZONES = {
    "NO": "Europe/Oslo",
    "SE": "Europe/Stockholm",
    "DK": "Europe/Copenhagen",
    "FI": "Europe/Helsinki",
    "IS": "Atlantic/Reykjavik",
}

#: The fixed group keys of a profile's ``[groups]`` table, and what each group may do.
GROUP_KEYS = ("staff", "publishers", "leaders", "communications", "crisis")


class MunicipalityQuerySet(models.QuerySet):
    def for_user(self, user):
        """Municipalities whose governance registers ``user`` may see.

        Superusers see all. Others see the municipalities where they hold a role or belong to
        one of the municipality's groups.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        group_ids = list(groups_of(user))
        return self.filter(
            models.Q(units__role_assignments__user=user)
            | models.Q(staff_group__in=group_ids)
            | models.Q(publishers_group__in=group_ids)
            | models.Q(leaders_group__in=group_ids)
            | models.Q(communications_group__in=group_ids)
            | models.Q(crisis_group__in=group_ids)
        ).distinct()

    def editable_by(self, user):
        """Municipalities whose governance registers ``user`` may change.

        Reading is wider (``for_user``); changing units, roles and deputies decides who may
        approve, so only the municipality's communications group (and superusers) may do it.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(communications_group__in=user.groups.values("pk"))

    def for_page(self, page):
        """The municipality whose site tree holds ``page`` (a saved page or its parent), or None.

        Asked of all municipalities, the answer comes from the ones read for the request.
        """
        if self.query.where:
            return holding(page.path, self.select_related("site__root_page"))
        return holding(page.path, every_municipality())


def groups_of(user):
    """The ids of ``user``'s groups, read once per request."""
    return remember(
        ("group_ids", user.pk),
        lambda: frozenset(user.groups.values_list("pk", flat=True)),
        across_requests=True,
    )


def municipality_ids_for(user):
    """The ids of the municipalities ``user`` may see (``Municipality.objects.for_user``), read
    once per version of the organisation (``publishing.memo``)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return remember(
        ("municipality_ids_for", user.pk),
        lambda: frozenset(Municipality.objects.for_user(user).values_list("pk", flat=True)),
        across_requests=True,
    )


def every_municipality():
    """Every municipality with its site's root page and its intranet page, read once per
    request (``publishing.memo``)."""
    return remember(
        ("municipalities",),
        lambda: list(Municipality.objects.select_related("site__root_page", "intranet_page")),
        across_requests=True,
    )


def every_collection_paths():
    """``{municipality id: its collections' tree paths}`` of every municipality, read once per
    request (``Municipality.collection_paths``)."""
    return remember(
        ("collection_paths",),
        lambda: collection_paths_of(every_municipality()),
        across_requests=True,
    )


def collection_paths_of(municipalities):
    """``{municipality id: sorted tree paths}`` of ``municipalities``' collections (the one
    named after each under the root, and those its groups have permissions on), in three
    queries whatever their number."""
    paths = {municipality.pk: set() for municipality in municipalities}
    root = Collection.get_first_root_node()
    if root is not None:
        by_name = {}
        for municipality in municipalities:
            by_name.setdefault(municipality.name, []).append(municipality.pk)
        named = root.get_children().filter(name__in=by_name).values_list("name", "path")
        for name, path in named:
            for pk in by_name[name]:
                paths[pk].add(path)
    by_group = {}
    for municipality in municipalities:
        for key in GROUP_KEYS:
            group_id = getattr(municipality, f"{key}_group_id")
            if group_id:
                by_group.setdefault(group_id, set()).add(municipality.pk)
    grants = (
        GroupCollectionPermission.objects.filter(group_id__in=by_group)
        .exclude(collection__depth=1)  # a grant on the root would claim every collection
        .values_list("group_id", "collection__path")
    )
    for group_id, path in grants:
        for pk in by_group[group_id]:
            paths[pk].add(path)
    return {pk: sorted(found) for pk, found in paths.items()}


def holding(path, municipalities):
    """The first of ``municipalities`` whose site tree holds the tree ``path``, or None: the one
    answer to "whose page is this" (``for_page``, and lists that loaded the municipalities once).
    """
    for municipality in municipalities:
        if municipality.site and path.startswith(municipality.site.root_page.path):
            return municipality
    return None


class StaffOnlyCollections:
    """The collections with a view restriction, and every collection below them, read once:
    what citizens can never open (a municipality's staff collection)."""

    def __init__(self):
        self.paths = remember(
            ("staff_only_collections",),
            lambda: list(
                CollectionViewRestriction.objects.values_list("collection__path", flat=True)
            ),
            across_requests=True,
        )

    def holds(self, collection):
        """Whether ``collection`` is staff-only (restricted, or below a restricted one)."""
        return any(collection.path.startswith(path) for path in self.paths)


def municipality_of_collection(collection):
    """The municipality whose collections hold ``collection``, or None (a shared collection)."""
    if collection is None:
        return None
    for municipality in Municipality.objects.order_by("pk"):
        if any(collection.path.startswith(path) for path in municipality.collection_paths()):
            return municipality
    return None


class Municipality(models.Model):
    """A municipality served by this installation, created and updated by ``load_profile``.

    ``profile`` keeps the whole validated profile so that checks, the workflow and the editor read
    the municipality's own rules (checklist, targets, contact points, spokesperson matrix) from
    one place.
    """

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    country = models.CharField(_("country"), max_length=2)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    site = models.OneToOneField(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="municipality",
    )
    #: The site existed before the municipality was bound to it (``load_profile --site``): the
    #: loader leaves its host name, name and pages as they are, also when loaded again.
    site_adopted = models.BooleanField(_("adopted site"), default=False, editable=False)
    intranet_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("intranet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Root of the staff-only section. Pages below it never reach citizens."),
    )
    staff_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    publishers_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    leaders_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    communications_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    crisis_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_workflow = models.ForeignKey(
        "wagtailcore.Workflow", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    intranet_workflow = models.ForeignKey(
        "wagtailcore.Workflow", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    profile = models.JSONField(_("profile"), default=dict, editable=False)
    profile_source = models.CharField(_("profile file"), max_length=255, editable=False)
    profile_digest = models.CharField(max_length=64, editable=False)
    loaded_at = models.DateTimeField(_("loaded at"), null=True, editable=False)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name

    def group(self, key):
        """The Django group this municipality uses for ``key`` (one of ``GROUP_KEYS``)."""
        if key not in GROUP_KEYS:
            raise KeyError(key)
        return getattr(self, f"{key}_group")

    # Read-only views of the profile, so callers do not reach into the raw dict.
    def role_label(self, role):
        return self.profile.get("roles", {}).get(role, role)

    def statement_level_roles(self, level):
        for item in self.profile.get("statement_levels", []):
            if item["code"] == level:
                return list(item["roles"])
        return []

    def sensitivity_label(self, sensitivity):
        return self.profile.get("sensitivity", {}).get(sensitivity, sensitivity)

    @property
    def legal_bases(self):
        return list(self.profile.get("legal_bases", []))

    @property
    def checklist(self):
        return list(self.profile.get("checklist", []))

    @property
    def contact_points(self):
        return list(self.profile.get("contact_points", []))

    @property
    def plain_language(self):
        return dict(self.profile.get("plain_language", {}))

    @property
    def workflow_settings(self):
        return dict(self.profile.get("workflow", {}))

    @property
    def time_zone(self):
        """The name of the municipality's time zone (its country's; the installation's
        ``TIME_ZONE`` for a country without one here)."""
        return TIME_ZONES.get(self.country, settings.TIME_ZONE)

    def citizen_pages(self, *, live=True):
        """The pages citizens may read on the municipality's site: live, without a view
        restriction and outside the intranet (none without a site). With ``live=False``, the
        pages they may read whenever they are live (and could have read, once).

        ``citizens_may_read`` answers the same for one page."""
        if self.site is None:
            return Page.objects.none()
        pages = Page.objects.public().descendant_of(self.site.root_page, inclusive=True)
        if live:
            pages = pages.live()
        if self.intranet_page_id:
            pages = pages.not_descendant_of(self.intranet_page, inclusive=True)
        return pages

    def citizens_may_read(self, page, *, live=True, restricted=None):
        """Whether ``page`` is among ``citizen_pages(live=live)``, from the page as loaded.

        ``restricted``: the tree paths of the pages with a view restriction, when the caller
        has read them (a publish, a list); otherwise the page's restrictions are asked."""
        if live and not page.live:
            return False
        if self.site is None or not page.path.startswith(self.site.root_page.path):
            return False
        if self.is_intranet_page(page):
            return False
        if restricted is not None:
            return not any(page.path.startswith(path) for path in restricted)
        return not page.get_view_restrictions().exists()

    def collection_paths(self):
        """Tree paths of the municipality's collections: the one named after it under the
        root, and those its groups have permissions on (an adopted site's own collections);
        read once per request, for every municipality at once."""
        paths = every_collection_paths()
        if self.pk not in paths:  # not among them yet (made in this request)
            return collection_paths_of([self])[self.pk]
        return paths[self.pk]

    def is_intranet_path(self, path):
        """True if the tree ``path`` is the intranet root's or below it: the one answer to "is
        this on the intranet" (a page, a page about to stand there, an alias)."""
        return bool(self.intranet_page_id) and path.startswith(self.intranet_page.path)

    def is_intranet_page(self, page):
        """True if ``page`` is the intranet root or below it."""
        return self.is_intranet_path(page.path)
