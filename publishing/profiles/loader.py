"""Load a municipality profile into the database: idempotent and all-or-nothing.

``load_profile(folder)`` reads ``folder/profile.toml``, validates all of it, then creates or
updates the municipality, its groups and permissions, its Wagtail Site with home page, news index
and staff-only intranet, its collections and its audiences, in one transaction. A bad profile raises
``ProfileError`` naming the file and the key, and nothing in the database changes.

``load_profile(folder, site=...)`` adopts a Wagtail Site that already exists instead (``manage.py
load_profile site/alvdal --site www.alvdal.kommune.no``): the municipality is bound to that site,
whose host name, port, name, default-site flag, root page and pages stay as they are. Only what is
missing is created: the municipality, its groups (a group that exists under the profile's name is
used as it is, and only gets the extension's permissions added), its collections and audiences,
the staff-only intranet below the site's root page, and the extension's workflows. No news index
is made: the site's editors already have their own place for news. A workflow that applies to the
site's root page now (its own, or one inherited from above, such as Wagtail's "Moderators
approval" on the tree root) keeps applying unless ``replace_workflows`` is given; then the
extension's workflow is assigned to the root page instead (the old workflow itself is not
changed, and sections below the root with a workflow of their own keep it). The municipality
remembers that its site was adopted: loading its profile again, with or without ``site``, leaves
the site as it is.
"""

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    PageViewRestriction,
    Site,
    WorkflowPage,
)

from publishing.citizens.sites import forget_site
from publishing.conf import page_model
from publishing.models import Audience, Municipality
from publishing.models.municipality import GROUP_KEYS
from publishing.models.pages import governed_page_models, refresh_public_credits
from publishing.profiles.schema import SchemaError, validate_profile
from publishing.workflow.setup import ensure_default_workflows

PROFILE_FILENAME = "profile.toml"

# Page permissions each group gets on its municipality's tree (Wagtail's page permission codenames).
PAGE_PERMISSIONS = {
    "publishers": ["add_page", "change_page"],
    "communications": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    # Crisis management writes crisis news and uses the fast track; it does not publish directly.
    "crisis": ["add_page", "change_page"],
}
# Leaders are the staff's first source of information (Alvdal 3.1): they may write notices on the
# intranet; publishing them still goes through the intranet workflow.
INTRANET_PAGE_PERMISSIONS = {"leaders": ["add_page", "change_page"]}
# Everyone but plain staff works in the Wagtail admin.
ADMIN_GROUPS = ("publishers", "leaders", "communications", "crisis")
REGISTER_MODELS = (
    "organisationunit",
    "roleassignment",
    "deputyship",
    "audience",
    "publishercertificate",
)
# Model permissions on the governance registers: communications staff keep them, leaders read them.
REGISTER_PERMISSIONS = {
    "communications": ("view", "add", "change", "delete"),
    "leaders": ("view",),
}
# Communication plans: the communications group and the leaders plan (Avesta's focus area 1,
# communicative leaders); publishers read the plans whose activities they carry out. Activities,
# goals and follow-ups are edited inside their plan and need no permissions of their own.
PLAN_PERMISSIONS = {
    "communications": ("view", "add", "change", "delete"),
    "leaders": ("view", "add", "change"),
    "publishers": ("view",),
}
COLLECTION_PERMISSIONS = {
    "publishers": ["add_image", "choose_image", "add_document", "choose_document"],
    "communications": [
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    ],
}


class ProfileError(Exception):
    """A profile that cannot be loaded; the message names the file and the key."""

    def __init__(self, path, key, message):
        self.path, self.key, self.message = str(path), key, message
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class LoadReport:
    """What loading a profile changed (empty ``changes`` means it was already up to date)."""

    municipality: Municipality
    changes: list = field(default_factory=list)
    # What an adopted site has that the profile would have made otherwise, left as it is.
    kept: list = field(default_factory=list)

    def note(self, text):
        self.changes.append(text)

    def keep(self, text):
        self.kept.append(text)


def profile_path(folder):
    """The profile file for a municipality folder (or the file itself, if given)."""
    path = Path(folder)
    return path if path.suffix == ".toml" else path / PROFILE_FILENAME


def read_profile(folder):
    """Parse and validate a profile; return ``(path, profile)`` or raise ``ProfileError``."""
    path = profile_path(folder)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProfileError(path, "", _("file not found")) from None
    except OSError as error:
        raise ProfileError(
            path, "", _("cannot be read: %(error)s") % {"error": error.strerror}
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProfileError(path, "", _("is not UTF-8 text")) from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(path, "", _("is not valid TOML: %(error)s") % {"error": error}) from None
    try:
        profile = validate_profile(data)
    except SchemaError as error:
        raise ProfileError(path, error.key, error.message) from None
    return path, profile


def load_profile(folder, *, site=None, replace_workflows=False):
    """Create or update the municipality described by ``folder``'s profile, atomically.

    ``site`` (a host name, ``host:port``, or a Site's id) binds the municipality to a Site that
    already exists instead of making one; see the module's docstring for what that leaves alone.
    """
    path, profile = read_profile(folder)
    digest = hashlib.sha256(json.dumps(profile, sort_keys=True).encode()).hexdigest()
    try:
        with transaction.atomic():
            adopted = None if site is None else find_site(site)
            return _apply(
                path, profile, digest, adopted=adopted, replace_workflows=replace_workflows
            )
    except SchemaError as error:
        raise ProfileError(path, error.key, error.message) from None


#: The key a ``--site`` fault is reported under: the option, not the profile, is wrong.
SITE_OPTION = "--site"


def find_site(value):
    """The Site ``value`` names: its id, its host name, or ``host:port``.

    Raises ``SchemaError`` if there is no such site, or if several sites share the host name on
    different ports (then only the id, or ``host:port``, says which).
    """
    text = str(value).strip()
    if text.isdigit():
        site = Site.objects.filter(pk=int(text)).first()
        if site is None:
            raise SchemaError(SITE_OPTION, _("there is no site with the id %(id)s") % {"id": text})
        return site
    hostname, _colon, port = text.partition(":")
    if port and not port.isdigit():
        hostname, port = text, ""  # no host name has a colon: this one is not found
    sites = Site.objects.filter(hostname__iexact=hostname).order_by("port", "pk")
    if port.isdigit():
        sites = sites.filter(port=int(port))
    found = list(sites)
    if not found:
        raise SchemaError(
            SITE_OPTION, _("there is no site with the host name “%(host)s”") % {"host": text}
        )
    if len(found) > 1:
        raise SchemaError(
            SITE_OPTION,
            _(
                "%(count)s sites have the host name “%(host)s”, on different ports: %(sites)s; "
                "give the id of the one to use"
            )
            % {
                "count": len(found),
                "host": text,
                "sites": ", ".join(
                    _("id %(id)s on port %(port)s") % {"id": s.pk, "port": s.port} for s in found
                ),
            },
        )
    return found[0]


def _site_label(site):
    return _("“%(host)s” (id %(id)s)") % {"host": site.hostname, "id": site.pk}


def _check_adoptable(municipality, site):
    """``site`` may be bound to ``municipality``: neither is bound to another already."""
    other = Municipality.objects.filter(site=site).exclude(pk=municipality.pk).first()
    if other is not None:
        raise SchemaError(
            SITE_OPTION,
            _("the site %(site)s is already the site of %(other)s")
            % {"site": _site_label(site), "other": other.name},
        )
    if municipality.site_id is not None and municipality.site_id != site.pk:
        raise SchemaError(
            "municipality.slug",
            _("%(name)s already has the site %(site)s, and a municipality has only one site")
            % {"name": municipality.name, "site": _site_label(municipality.site)},
        )


def _apply(path, profile, digest, adopted=None, replace_workflows=False):
    info = profile["municipality"]
    municipality = Municipality.objects.filter(slug=info["slug"]).first()
    report = LoadReport(municipality=municipality)
    if municipality is None:
        municipality = Municipality(slug=info["slug"])
        report.note(_("created municipality %(name)s") % {"name": info["name"]})
    elif adopted is None and municipality.site_adopted and municipality.site_id:
        adopted = municipality.site  # loaded again: still the site it was bound to
    if adopted is None:
        _check_hostname_free(municipality, info["hostname"])
    else:
        _check_adoptable(municipality, adopted)
    municipality.name = info["name"]
    municipality.country = info["country"]
    municipality.language = info["language"]
    municipality.profile = profile
    municipality.profile_source = _display_path(path)
    if municipality.profile_digest != digest:
        if municipality.pk:
            report.note(_("profile settings updated"))
        municipality.profile_digest = digest
        municipality.loaded_at = timezone.now()
    municipality.save()
    report.municipality = municipality

    _sync_groups(municipality, profile["groups"], report)
    if adopted is None:
        _sync_site(municipality, profile, report)
    else:
        _adopt_site(municipality, adopted, profile, report)
    _sync_permissions(municipality, report)
    _sync_collections(municipality, report)
    _sync_audiences(municipality, profile["audiences"], report)
    municipality.save()
    ensure_default_workflows(municipality, report, assign=adopted is None)
    if adopted is not None:
        _assign_adopted_workflows(municipality, replace_workflows, report)
    forget_site(municipality.site_id)
    # Role names come from the profile: pages show them in the footer.
    refresh_public_credits(units=list(municipality.units.values_list("pk", flat=True)))
    return report


def _display_path(path):
    try:
        return str(Path(path).resolve().relative_to(settings.BASE_DIR))
    except (ValueError, AttributeError):  # outside the project, or a project without BASE_DIR
        return str(path)


def _check_hostname_free(municipality, hostname):
    taken = Site.objects.filter(hostname=hostname)
    if municipality.pk and municipality.site_id:
        taken = taken.exclude(pk=municipality.site_id)
    other = Municipality.objects.filter(site__in=taken).first()
    if other is not None:
        raise SchemaError(
            "municipality.hostname",
            _("“%(host)s” is already the host name of %(other)s")
            % {"host": hostname, "other": other},
        )


def _sync_groups(municipality, names, report):
    for key in GROUP_KEYS:
        name = names[key]
        group = municipality.group(key)
        clash = Group.objects.filter(name=name).exclude(pk=getattr(group, "pk", None)).first()
        if group is None:
            if clash is not None and _group_owner(clash) not in (None, municipality):
                raise SchemaError(
                    f"groups.{key}",
                    _("the group “%(name)s” belongs to another municipality") % {"name": name},
                )
            group = clash or Group.objects.create(name=name)
            report.note(_("group %(name)s") % {"name": name})
        elif group.name != name:
            if clash is not None:
                raise SchemaError(
                    f"groups.{key}", _("a group named “%(name)s” already exists") % {"name": name}
                )
            report.note(
                _("group renamed from %(old)s to %(new)s") % {"old": group.name, "new": name}
            )
            group.name = name
            group.save(update_fields=["name"])
        setattr(municipality, f"{key}_group", group)


def _group_owner(group):
    lookup = None
    for key in GROUP_KEYS:
        q = Municipality.objects.filter(**{f"{key}_group": group})
        lookup = q if lookup is None else lookup | q
    return lookup.first()


def _page_model(setting):
    return page_model(setting)


def _sync_site(municipality, profile, report):
    info, texts = profile["municipality"], profile["site"]
    site = municipality.site
    if site is None:
        home_model = _page_model("HOME_PAGE_MODEL")
        root = Page.get_first_root_node()
        home = home_model(title=texts["home_title"], slug=info["slug"])
        if any(field.name == "intro" for field in home_model._meta.fields):
            home.intro = texts["home_intro"]  # a home page without an introduction does without
        home = root.add_child(instance=home)
        home.save_revision().publish()
        site = Site.objects.create(
            hostname=info["hostname"],
            port=80,
            root_page=home,
            site_name=info["name"],
            is_default_site=False,
        )
        municipality.site = site
        report.note(_("site %(host)s with home page") % {"host": info["hostname"]})
    else:
        changed = {
            "hostname": info["hostname"],
            "site_name": info["name"],
        }
        if any(getattr(site, name) != value for name, value in changed.items()):
            for name, value in changed.items():
                setattr(site, name, value)
            site.save()
            report.note(_("site %(host)s updated") % {"host": info["hostname"]})
    _sync_default_site(site, info["is_default_site"], report)
    home = site.root_page
    news_model = _page_model("NEWS_INDEX_MODEL")
    if news_model is not None:  # a site without a news index of its own names none
        _ensure_child(home, news_model, texts["news_slug"], texts["news_title"], report)
    _sync_intranet(municipality, home, texts, report)


def _sync_intranet(municipality, home, texts, report):
    """The staff-only intranet below ``home``: found by its page type, or made."""
    model, slug = _page_model("INTRANET_INDEX_MODEL"), texts["intranet_slug"]
    if not model.objects.child_of(home).exists():
        taken = Page.objects.child_of(home).filter(slug=slug).first()
        if taken is not None:
            raise SchemaError(
                "site.intranet_slug",
                _(
                    "the page “%(title)s” below %(home)s already has the slug “%(slug)s”; "
                    "choose another intranet_slug"
                )
                % {"title": taken.title, "home": home.title, "slug": slug},
            )
    intranet = _ensure_child(home, model, slug, texts["intranet_title"], report)
    municipality.intranet_page = intranet
    _restrict_to_staff(intranet, municipality.staff_group, report)


def _adopt_site(municipality, site, profile, report):
    """Bind ``municipality`` to an existing ``site`` and add its intranet; the site's own fields,
    root page and pages are left as they are."""
    if municipality.site_id != site.pk:
        municipality.site = site
        report.note(_("bound to the existing site %(site)s") % {"site": _site_label(site)})
    municipality.site_adopted = True
    _sync_intranet(municipality, site.root_page, profile["site"], report)


def _workflow_in_force(page):
    """The workflow ``page`` is in now: its own (even if inactive) or its nearest ancestor's."""
    own = WorkflowPage.objects.filter(page=page).select_related("workflow").first()
    return own.workflow if own is not None else page.get_workflow()


def _assign_adopted_workflows(municipality, replace, report):
    """Assign the extension's workflows on an adopted site without taking any the site has.

    The root page keeps the workflow it is in now, its own or inherited, unless ``replace``. The
    intranet, the extension's own section, gets its workflow unless the intranet page has one of
    its own. Sections below the root with a workflow of their own always keep it.
    """
    home = municipality.site.root_page
    intranet = municipality.intranet_page
    for page, ours, current in (
        (home, municipality.external_workflow, _workflow_in_force(home)),
        (
            intranet,
            municipality.intranet_workflow,
            getattr(WorkflowPage.objects.filter(page=intranet).first(), "workflow", None),
        ),
    ):
        if ours is None or current == ours:
            continue
        if current is None:
            WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": ours})
            report.note(
                _("workflow %(workflow)s applies to %(page)s")
                % {"workflow": ours.name, "page": page.title}
            )
        elif replace:
            WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": ours})
            report.note(
                _("workflow %(workflow)s replaces %(old)s on %(page)s")
                % {"workflow": ours.name, "old": current.name, "page": page.title}
            )
        else:
            report.keep(
                _(
                    "%(page)s keeps its workflow %(old)s; %(workflow)s was made but not "
                    "assigned (--replace-workflows assigns it)"
                )
                % {"page": page.title, "old": current.name, "workflow": ours.name}
            )
    sections = (
        WorkflowPage.objects.filter(page__path__startswith=home.path, page__depth__gt=home.depth)
        .exclude(page__path__startswith=intranet.path)
        .select_related("page", "workflow")
        .order_by("page__path")
    )
    for assignment in sections:
        report.keep(
            _("%(page)s keeps its own workflow %(workflow)s")
            % {"page": assignment.page.title, "workflow": assignment.workflow.name}
        )


def _sync_default_site(site, is_default, report):
    if is_default and not site.is_default_site:
        for other in Site.objects.filter(is_default_site=True).exclude(pk=site.pk):
            other.is_default_site = False
            other.save()
            _remove_wagtail_welcome_site(other)
        site.is_default_site = True
        site.save()
        report.note(_("default site for unknown host names, such as localhost"))
    elif not is_default and site.is_default_site:
        site.is_default_site = False
        site.save()


def _remove_wagtail_welcome_site(site):
    """Drop the placeholder site and page that Wagtail's first migration creates, and only that."""
    page = site.root_page
    if (
        page.specific_class is Page
        and page.depth == 2
        and page.numchild == 0
        and not hasattr(site, "municipality")
    ):
        site.delete()
        page.delete()


def _ensure_child(parent, model, slug, title, report):
    existing = model.objects.child_of(parent).first()
    if existing is not None:
        return existing
    page = parent.add_child(instance=model(title=title, slug=slug))
    page.save_revision().publish()
    report.note(_("page %(title)s") % {"title": title})
    return page


def _restrict_to_staff(page, staff_group, report):
    restriction = PageViewRestriction.objects.filter(
        page=page, restriction_type=PageViewRestriction.GROUPS
    ).first()
    if restriction is None:
        PageViewRestriction.objects.filter(page=page).delete()
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
        report.note(_("intranet restricted to %(group)s") % {"group": staff_group.name})
    if list(restriction.groups.all()) != [staff_group]:
        restriction.groups.set([staff_group])


def _sync_permissions(municipality, report):
    home = municipality.site.root_page
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for key in ADMIN_GROUPS:
        municipality.group(key).permissions.add(access_admin)
    for page, grants in (
        (home, PAGE_PERMISSIONS),
        (municipality.intranet_page, INTRANET_PAGE_PERMISSIONS),
    ):
        for key, codenames in grants.items():
            group = municipality.group(key)
            for codename in codenames:
                permission = Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                )
                _permission, created = GroupPagePermission.objects.get_or_create(
                    group=group, page=page, permission=permission
                )
                if created:
                    report.note(
                        _("%(group)s may %(perm)s on %(page)s")
                        % {"group": group.name, "perm": codename, "page": page.title}
                    )
    for key, actions in REGISTER_PERMISSIONS.items():
        group = municipality.group(key)
        codenames = [f"{action}_{model}" for model in REGISTER_MODELS for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="publishing", codename__in=codenames)
        )
    for key, actions in PLAN_PERMISSIONS.items():
        municipality.group(key).permissions.add(
            *Permission.objects.filter(
                content_type__app_label="publishing",
                codename__in=[f"{action}_communicationplan" for action in actions],
            )
        )
    # The legal archive: communications staff answer citizens' requests for what was published.
    municipality.group("communications").permissions.add(
        *Permission.objects.filter(
            content_type__app_label="publishing", codename="view_archivecapture"
        )
    )


def _sync_collections(municipality, report):
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=municipality.name).first()
    if collection is None:
        collection = root.add_child(name=municipality.name)
        report.note(_("collection %(name)s") % {"name": municipality.name})
    intranet_name = municipality.intranet_page.title
    private = collection.get_children().filter(name=intranet_name).first()
    if private is None:
        private = collection.add_child(name=intranet_name)
        restriction = CollectionViewRestriction.objects.create(
            collection=private, restriction_type=CollectionViewRestriction.GROUPS
        )
        restriction.groups.set([municipality.staff_group])
        report.note(_("private collection %(name)s for staff") % {"name": intranet_name})
    for key, codenames in COLLECTION_PERMISSIONS.items():
        group = municipality.group(key)
        for codename in codenames:
            app_label = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection, permission=permission
            )


def _sync_audiences(municipality, audiences, report):
    wanted = {item["code"]: item for item in audiences}
    for position, item in enumerate(audiences):
        values = {
            "name": item["name"],
            "description": item["description"],
            "lix_target": item["lix_target"],
            "is_internal": item["internal"],
            "sort_order": position,
        }
        audience = Audience.objects.filter(municipality=municipality, code=item["code"]).first()
        if audience is None:
            Audience.objects.create(municipality=municipality, code=item["code"], **values)
            report.note(_("audience %(name)s") % {"name": item["name"]})
        elif any(getattr(audience, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(audience, name, value)
            audience.save()
            report.note(_("audience %(name)s updated") % {"name": item["name"]})
    for audience in Audience.objects.filter(municipality=municipality).exclude(code__in=wanted):
        if _audience_in_use(audience):
            raise SchemaError(
                "audiences",
                _(
                    "the audience “%(code)s” was removed but pages still use it; move those pages "
                    "to another audience first"
                )
                % {"code": audience.code},
            )
        audience.delete()
        report.note(_("audience %(name)s removed") % {"name": audience.name})


def _audience_in_use(audience):
    return any(
        model.objects.filter(audiences=audience).exists() for model in governed_page_models()
    )
