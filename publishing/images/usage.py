"""Which live pages citizens can read use an image, from Wagtail's reference index.

The reference index of a saved page holds what its row in the database uses, which for a live
page is its live version (a draft lives in its revision until it is published).
"""

from django.contrib.contenttypes.models import ContentType
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex

from publishing.models import Municipality


def pages_using(image_ids):
    """``{page id: {image ids}}`` of the saved pages whose row uses any of ``image_ids``."""
    rows = ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        to_content_type=ContentType.objects.get_for_model(get_image_model()),
        to_object_id__in=[str(pk) for pk in image_ids],
    ).values_list("object_id", "to_object_id")
    found = {}
    for page_id, image_id in rows:
        if str(page_id).isdigit() and str(image_id).isdigit():
            found.setdefault(int(page_id), set()).add(int(image_id))
    return found


def intranet_paths():
    """The tree paths of every municipality's intranet."""
    return [
        path
        for path in Municipality.objects.filter(intranet_page__isnull=False).values_list(
            "intranet_page__path", flat=True
        )
        if path
    ]


def outside(paths, path):
    return not any(path.startswith(prefix) for prefix in paths)


def citizen_pages_using(image_ids):
    """``[(specific page, {image ids})]`` of the live pages without a view restriction and
    outside every intranet that use any of ``image_ids``, by title."""
    using = pages_using(image_ids)
    if not using:
        return []
    paths = intranet_paths()
    pages = [
        page
        for page in Page.objects.live().public().filter(pk__in=list(using)).specific()
        if outside(paths, page.path)
    ]
    pages.sort(key=lambda page: (page.title, page.pk))
    return [(page, using[page.pk]) for page in pages]
