"""What a signed-in user may list or search in the admin: one scope for every listing.

A user sees the pages, documents, images, log entries and register objects of the
municipalities they belong to (``Municipality.objects.for_user``) and nothing of the others.
Superusers see everything. Pages outside every municipality's site and intranet (the tree's
root, for one) stay as Wagtail shows them.

Wagtail's page explorer, admin search and the document and image listings already follow
page and collection permissions; the choosers, the admin API, the reports and the site history
did not. Every listing asks this module:

- ``page_scope_q`` / ``scoped_pages`` / ``page_in_scope`` for pages (by tree path: a page is out
  of scope when it lies in another municipality's site or intranet and in none of the user's),
- ``collection_scope_q`` / ``scoped_documents`` / ``scoped_images`` for documents and images
  (by collection: each municipality's collection is the one ``load_profile`` makes for it, named
  after it below the root, with the collections its groups hold permissions on, and everything
  below those),
- ``scoped_objects`` for any model that belongs to a municipality through a chain of foreign
  keys (the governance registers, plans, banners),
- ``scoped_log_entries`` for page and model log entries (site history and its filters).

The answers depend on the user, not on the row, so they are worked out once per request and
kept on the user object (``user_scope.remembered``).

Wiring: the chooser and explorer hooks and the admin API are registered here with Wagtail's
hooks; the reports and listings that have no hook (site history and its user filter, page types
usage, locked pages, aging pages, the workflow reports' filters, the document and image
indexes) are narrowed by ``publishing.wagtail_internals.admin_listings``, which wraps the one
method of each view that builds its queryset. ``publishing.wagtail_hooks`` imports this module,
so the hooks are registered when Wagtail loads its hooks.
"""

import functools

from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.http import Http404
from wagtail import hooks
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images import get_image_model
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.log_actions import registry
from wagtail.models import Collection, Page, PageLogEntry, Site, Workflow

from publishing.access.user_scope import kept_for_user, remembered
from publishing.models import Municipality
from publishing.models.municipality import every_municipality, municipality_ids_for

# --- whose is what --------------------------------------------------------------------------


def _municipalities():
    return every_municipality()


def _own_ids(user):

    return remembered(
        user,
        "admin_scope.own",
        lambda: set(municipality_ids_for(user)),
    )


def sees_everything(user):
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def _tree_paths(municipality):
    """Tree paths of ``municipality``'s site root and intranet root."""
    paths = []
    if municipality.site_id and municipality.site.root_page_id:
        paths.append(municipality.site.root_page.path)
    if municipality.intranet_page_id:
        paths.append(municipality.intranet_page.path)
    return paths


def _page_paths(user):
    """(own paths, other paths): the page tree roots of the user's municipalities and of the
    others, remembered for the request."""

    def compute():
        own_ids = _own_ids(user)
        own, other = [], []
        for municipality in _municipalities():
            (own if municipality.pk in own_ids else other).extend(_tree_paths(municipality))
        return own, other

    return remembered(user, "admin_scope.page_paths", compute)


def _collection_paths(user):
    def compute():
        own_ids = _own_ids(user)
        own, other = [], []
        for municipality in _municipalities():
            (own if municipality.pk in own_ids else other).extend(municipality.collection_paths())
        return own, other

    return remembered(user, "admin_scope.collection_paths", compute)


def _path_q(field, own, other):
    """Rows whose ``field`` (a tree path) is in none of ``other``'s trees or in one of ``own``'s."""
    if not other:
        return Q()
    outside = Q()
    for prefix in other:
        outside |= Q(**{f"{field}__startswith": prefix})
    q = ~outside
    for prefix in own:
        q |= Q(**{f"{field}__startswith": prefix})
    return q


# --- pages ----------------------------------------------------------------------------------


def page_scope_q(user, prefix=""):
    """A ``Q`` on pages (or on ``prefix`` + ``path``) for what ``user`` may list."""
    if sees_everything(user):
        return Q()
    own, other = _page_paths(user)
    return _path_q(f"{prefix}path", own, other)


def scoped_pages(queryset, user):
    """``queryset`` of pages narrowed to what ``user`` may list."""
    if sees_everything(user):
        return queryset
    return queryset.filter(page_scope_q(user))


def page_in_scope(page, user):
    if sees_everything(user):
        return True
    own, other = _page_paths(user)
    path = page.path
    if any(path.startswith(p) for p in own):
        return True
    return not any(path.startswith(p) for p in other)


def pages_out_of_scope(user):
    """Primary keys of the pages ``user`` may not list, as a subquery."""

    own, other = _page_paths(user)
    return Page.objects.exclude(_path_q("path", own, other)).values("pk")


# --- documents and images -------------------------------------------------------------------


def collection_ids(user):
    """Primary keys of the collections ``user`` may list, remembered (``None``: all)."""

    if sees_everything(user):
        return None

    def compute():
        own, other = _collection_paths(user)
        return tuple(
            sorted(
                Collection.objects.filter(_path_q("path", own, other)).values_list("pk", flat=True)
            )
        )

    # The collections and municipalities are the organisation's: kept for its version.
    return kept_for_user(user, "admin_scope.collection_ids", compute)


def collection_scope_q(user, field="collection"):
    """A ``Q`` on rows with a collection (``field``) for what ``user`` may list; with
    ``field=""`` a ``Q`` on collections themselves.

    It names the collections by primary key, so that it also filters a search (the search
    backends filter on the ``collection_id`` field the models index, not on a path)."""
    ids = collection_ids(user)
    if ids is None:
        return Q()
    return Q(**{f"{field}_id__in" if field else "pk__in": ids})


def scoped_documents(queryset, user):
    if sees_everything(user):
        return queryset
    return queryset.filter(collection_scope_q(user))


def scoped_images(queryset, user):
    if sees_everything(user):
        return queryset
    return queryset.filter(collection_scope_q(user))


# --- objects of a municipality --------------------------------------------------------------


@functools.cache
def municipality_lookup(model):
    """The lookup from ``model`` to its municipality (``"unit__municipality"``), or ``None`` if
    the model does not belong to one. Follows forward foreign keys, three steps at most."""

    if model is Municipality:
        return "pk"
    seen = {model}
    frontier = [(model, "")]
    for _depth in range(3):
        following = []
        for current, trail in frontier:
            for field in current._meta.get_fields():
                if not (field.many_to_one or field.one_to_one) or not field.concrete:
                    continue
                target = field.related_model
                if target is None:
                    continue
                name = f"{trail}{field.name}"
                if target is Municipality:
                    return name
                if target not in seen and target._meta.app_label == "publishing":
                    seen.add(target)
                    following.append((target, f"{name}__"))
        frontier = following
    return None


def _own_group_ids(user):
    def compute():
        own_ids = _own_ids(user)
        ids = set()
        for municipality in _municipalities():
            if municipality.pk in own_ids:
                continue
            ids.update(
                getattr(municipality, f"{key}_group_id")
                for key in ("staff", "publishers", "leaders", "communications", "crisis")
            )
        ids.discard(None)
        return ids

    return remembered(user, "admin_scope.other_groups", compute)


def scoped_objects(queryset, user):
    """``queryset`` narrowed to what ``user`` may list, for any model this module knows how to
    place: pages, documents, images, collections, the municipalities' groups, sites and
    workflows, and models that belong to a municipality. Other models pass unchanged."""
    if sees_everything(user):
        return queryset
    model = queryset.model
    out = out_of_scope_pks(model, user)
    if out is None:
        return queryset
    return queryset.exclude(pk__in=out)


def out_of_scope_pks(model, user):
    """A queryset of the primary keys of ``model`` that ``user`` may not list, or ``None`` when
    the model is not one of a municipality."""

    if issubclass(model, Page):
        return pages_out_of_scope(user)
    if issubclass(model, (get_document_model(), get_image_model())):
        own, other = _collection_paths(user)
        return model.objects.exclude(_path_q("collection__path", own, other)).values("pk")
    if issubclass(model, Collection):
        own, other = _collection_paths(user)
        return Collection.objects.exclude(_path_q("path", own, other)).values("pk")
    if issubclass(model, Group):
        return Group.objects.filter(pk__in=_own_group_ids(user)).values("pk")
    own_ids = _own_ids(user)
    if issubclass(model, Site):
        return (
            Site.objects.filter(municipality__isnull=False)
            .exclude(municipality__in=own_ids)
            .values("pk")
        )
    if issubclass(model, Workflow):
        others = Municipality.objects.exclude(pk__in=own_ids)
        ids = set(others.values_list("external_workflow_id", flat=True))
        ids |= set(others.values_list("intranet_workflow_id", flat=True))
        ids.discard(None)
        return Workflow.objects.filter(pk__in=ids).values("pk")
    lookup = municipality_lookup(model)
    if lookup is None:
        return None
    return (
        model._default_manager.filter(**{f"{lookup}__isnull": False})
        .exclude(**{f"{lookup}__in": own_ids})
        .values("pk")
    )


# --- log entries ----------------------------------------------------------------------------


def scoped_log_entries(queryset, user):
    """Page or model log entries (``queryset``, a queryset of either) narrowed to what ``user``
    may list: entries about another municipality's pages, documents, images, collections,
    groups, site, workflows or register objects are left out."""

    if sees_everything(user):
        return queryset
    if issubclass(queryset.model, PageLogEntry):
        # A deleted page has no place in a tree any more: its entries carry the municipality
        # it belonged to (``signal_handlers.remember_municipality_of_deleted_page``), and are
        # listed only to that municipality's people; entries that carry none, to no one.
        own_slugs = [m.slug for m in _municipalities() if m.pk in _own_ids(user)]
        gone = ~Exists(Page.objects.filter(pk=OuterRef("page_id")))
        return queryset.exclude(page_id__in=pages_out_of_scope(user)).exclude(
            Q(gone) & ~Q(data__municipality__in=own_slugs)
        )
    content_type_ids = remembered(
        user,
        f"admin_scope.log_cts.{queryset.model._meta.label_lower}",
        lambda: set(queryset.model.objects.values_list("content_type_id", flat=True).distinct()),
    )
    for content_type_id in content_type_ids:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        out = out_of_scope_pks(model, user)
        if out is None:
            continue
        queryset = queryset.exclude(content_type_id=content_type_id, object_id__in=as_text(out))
    return queryset


def as_text(pks):
    """``pks`` (a ``values("pk")`` queryset) as text, for generic ``object_id`` columns."""
    return (
        pks.model.objects.filter(pk__in=pks)
        .annotate(_pk_text=Cast("pk", output_field=CharField()))
        .values("_pk_text")
    )


def log_users(user):
    """The people named in the log entries ``user`` may list (the site history's user filter)."""

    ids = set()
    for log_model in registry.get_log_entry_models():
        entries = scoped_log_entries(log_model.objects.viewable_by_user(user), user)
        ids.update(entries.exclude(user_id=None).values_list("user_id", flat=True).distinct())
    User = get_user_model()
    return User.objects.filter(pk__in=ids).order_by(User.USERNAME_FIELD)


# --- hooks ----------------------------------------------------------------------------------


@hooks.register("construct_page_chooser_queryset")
def scope_page_chooser(pages, request):
    """The page chooser lists and finds the user's own pages; browsing into another
    municipality's tree is not found, so not even the parent's title shows."""
    match = getattr(request, "resolver_match", None)
    parent_id = match.kwargs.get("parent_page_id") if match else None
    if parent_id is not None:
        parent = Page.objects.filter(pk=parent_id).only("path").first()
        if parent is not None and not page_in_scope(parent, request.user):
            raise Http404
    return scoped_pages(pages, request.user)


@hooks.register("construct_explorer_page_queryset")
def scope_explorer(parent_page, pages, request):
    return scoped_pages(pages, request.user)


@hooks.register("construct_document_chooser_queryset")
def scope_document_chooser(documents, request):
    return scoped_documents(documents, request.user)


@hooks.register("construct_image_chooser_queryset")
def scope_image_chooser(images, request):
    return scoped_images(images, request.user)


@hooks.register("construct_admin_api", order=1000)  # after Wagtail's images and documents
def scope_admin_api(router):
    """The admin API's pages, documents and images endpoints, narrowed."""

    class ScopedPagesAdminAPIViewSet(PagesAdminAPIViewSet):
        def get_base_queryset(self):
            return scoped_pages(super().get_base_queryset(), self.request.user)

    class ScopedDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
        def get_queryset(self):
            return scoped_documents(super().get_queryset(), self.request.user)

    class ScopedImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
        def get_queryset(self):
            return scoped_images(super().get_queryset(), self.request.user)

    for name, viewset, base in (
        ("pages", ScopedPagesAdminAPIViewSet, PagesAdminAPIViewSet),
        ("documents", ScopedDocumentsAdminAPIViewSet, DocumentsAdminAPIViewSet),
        ("images", ScopedImagesAdminAPIViewSet, ImagesAdminAPIViewSet),
    ):
        current = router._endpoints.get(name)
        if current is None or current is base:
            router.register_endpoint(name, viewset)


# --- register filters -----------------------------------------------------------------------


def scoped_list_filter():
    """A list filter for the registers (wagtail-modeladmin) whose choices are the objects the
    user may list: "By municipality" offers the user's own municipalities, not every one."""

    class ScopedRelatedFieldListFilter(RelatedFieldListFilter):
        def field_choices(self, field, request, model_admin):
            related = field.related_model._default_manager.all()
            related = scoped_objects(related, request.user)
            ordering = self.field_admin_ordering(field, request, model_admin)
            if ordering:
                related = related.order_by(*ordering)
            return [(obj.pk, str(obj)) for obj in related]

    return ScopedRelatedFieldListFilter


def scope_list_filters(*admin_classes):
    """Give each ``list_filter`` entry of ``admin_classes`` that is a relation to a model of a
    municipality (the municipality itself included) the scoped filter."""

    filter_class = scoped_list_filter()
    for admin_class in admin_classes:
        entries = []
        for entry in admin_class.list_filter:
            if isinstance(entry, str):
                field = get_fields_from_path(admin_class.model, entry)[-1]
                related = getattr(field, "related_model", None)
                if related is not None and _out_of_scope_model(related):
                    entry = (entry, filter_class)
            entries.append(entry)
        admin_class.list_filter = tuple(entries)


def _out_of_scope_model(model):

    return issubclass(model, (Page, Collection, Group, Site, Workflow)) or bool(
        municipality_lookup(model)
    )
