"""Images on public pages: people shown only with their consent, and alt text for every image.

A page outside the intranet that uses an image marked as showing identifiable people
(``ImagePeople``) may not be published unless every person's consent holds for the public
website: recorded, not expired, not withdrawn. The images a page uses are found the way Wagtail's
reference index finds them (image choosers and ``ImageBlock`` in StreamFields, image embeds in
rich text, image foreign keys), in the page as it would be published: an unsaved form or a
revision, not the row in the database.

An image on a public page also needs a text alternative: an ``ImageBlock`` that is not marked
decorative needs its alt text, and an image embedded in rich text needs an ``alt`` attribute
(``alt=""`` is how Wagtail marks a decorative one). Wagtail's form asks for it; this holds
whichever way the page is published (the API, code, an import).
"""

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page, ReferenceIndex
from wagtail.rich_text import RichText
from wagtail.rich_text.rewriters import FIND_EMBED_TAG, extract_attrs

from publishing.content_checks.visible import has_visible_text
from publishing.models.image_consent import (
    CHANNEL,
    EXPIRED,
    MISSING,
    WITHDRAWN,
    ConsentChannel,
    ImagePeople,
)
from publishing.rules.bulk import facts_of, references_of
from publishing.rules.engine import BLOCK, EDIT, PUBLISH, SUBMIT, Finding, rule

#: The finding code of each consent problem (one that does not name the website is missing).
CODES = {
    WITHDRAWN: "images.consent_withdrawn",
    EXPIRED: "images.consent_expired",
    CHANNEL: "images.consent_missing",
    MISSING: "images.consent_missing",
}
ALT_MISSING = "images.alt_missing"


def _image_type_id():
    return ContentType.objects.get_for_model(get_image_model()).pk


def referenced_images(page, references=None):
    """``{image id: the page field it is used in}`` for the images ``page`` uses anywhere, as
    Wagtail's reference index finds them (no query once the page's child objects are loaded).
    ``references``: what ``rules.bulk.references_of`` read already.
    """
    if references is None:
        references = ReferenceIndex._extract_references_from_object(page)
    image_type = _image_type_id()
    found = {}
    for (
        type_id,
        object_id,
        _model_path,
        content_path,
    ) in references:
        if type_id == image_type and str(object_id).isdigit():
            found.setdefault(int(object_id), content_path.split(".", 1)[0])
    return found


def _record_url(record):
    try:
        return reverse("publishing_image_people:edit", args=[record.pk])
    except NoReverseMatch:
        return None


# --- what is found for one page, or for many (a report, a dashboard) --------------------------


def _bulk_cache(facts):
    """What this module loaded for a list of pages (``rules.bulk.prefetch``), kept with its
    facts: the images whose consent does not hold, and which saved pages use them."""
    cache = getattr(facts, "image_consent", None)
    if cache is None:
        cache = {"problems": ImagePeople.objects.problems(ConsentChannel.WEB), "users": None}
        facts.image_consent = cache
    return cache


def _pages_using(cache, image_ids):
    """``{page id: {image id: field}}`` of the saved pages that use ``image_ids``, from the
    reference index (one query, for every page of the list)."""
    if cache["users"] is None:
        users = {}
        rows = ReferenceIndex.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page),
            to_content_type_id=_image_type_id(),
            to_object_id__in=[str(pk) for pk in image_ids],
        ).values_list("object_id", "to_object_id", "content_path")
        for page_id, image_id, content_path in rows:
            if str(page_id).isdigit() and str(image_id).isdigit():
                users.setdefault(int(page_id), {}).setdefault(
                    int(image_id), content_path.split(".", 1)[0]
                )
        cache["users"] = users
    return cache["users"]


def consent_problems(context):
    """``[(record, problem codes, field)]`` for the images of ``context.page`` whose consent
    does not hold for the public website on the context's day."""
    page = context.page
    facts = facts_of(context)
    if facts is not None:
        cache = _bulk_cache(facts)
        problems = cache["problems"]
        if not problems:
            return []
        if page.pk is not None and page.pk in facts.text:
            # A live page judged from its kept results: its child objects were not loaded, and
            # the reference index holds what it uses as it went live.
            used = _pages_using(cache, problems).get(page.pk, {})
        else:
            used = referenced_images(page, references_of(context))
    else:
        used = referenced_images(page, references_of(context))
        if not used:
            return []
        problems = ImagePeople.objects.problems(
            ConsentChannel.WEB, today=_day(context), image_ids=used
        )
    return [
        (problems[image_id][0], problems[image_id][1], field)
        for image_id, field in sorted(used.items())
        if image_id in problems
    ]


def _day(context):
    return timezone.localdate(context.when) if context.when is not None else None


def _consent_finding(record, codes, field):
    title = record.image.title
    worst = codes[0]
    if worst == WITHDRAWN:
        message = _(
            "The image “%(title)s” shows a person who has withdrawn their consent to be shown."
        )
        fix = _(
            "Choose another image or remove this one. A withdrawn consent cannot be used again; "
            "only a new consent from the person (or their guardian) can."
        )
    elif worst == EXPIRED:
        message = _("The image “%(title)s” shows people whose consent to be shown has expired.")
        fix = _(
            "Record a new consent under Governance → People in images, or choose another image."
        )
    elif worst == CHANNEL:
        message = _(
            "The image “%(title)s” shows people whose consent does not cover the public website."
        )
        fix = _(
            "Record a consent that names the public website under Governance → People in "
            "images, or choose another image."
        )
    else:
        message = _(
            "The image “%(title)s” shows identifiable people, but no consent to show them is "
            "recorded."
        )
        fix = _(
            "Record the consent of everyone shown (a guardian's for a child) under Governance → "
            "People in images, or choose another image."
        )
    return Finding(
        CODES[worst],
        BLOCK,
        message % {"title": title},
        fix,
        field=field or None,
        url=_record_url(record),
    )


@rule(EDIT, SUBMIT, PUBLISH)
def people_in_images_have_consented(context):
    """A public page shows people in its images only with their consent for the website."""
    if not context.is_external:
        return
    for record, codes, field in consent_problems(context):
        yield _consent_finding(record, codes, field)


# --- alt text ---------------------------------------------------------------------------------


def _rich_text_without_alt(html):
    """How many image embeds in stored rich text ``html`` have no ``alt`` attribute."""
    count = 0
    for match in FIND_EMBED_TAG.finditer(html or ""):
        attrs = extract_attrs(match.group(1))
        if attrs.get("embedtype") == "image" and "alt" not in attrs:
            count += 1
    return count


def _stream_without_alt(block, value):
    """How many images in a StreamField value (of ``block``) lack their text alternative."""
    if value is None:
        return 0
    if isinstance(block, ImageBlock):
        if getattr(value, "decorative", False):
            return 0
        return 0 if has_visible_text(getattr(value, "contextual_alt_text", None) or "") else 1
    if isinstance(value, RichText):
        return _rich_text_without_alt(value.source)
    count = 0
    if hasattr(value, "raw_data") and hasattr(value, "__iter__"):  # StreamValue
        for child in value:
            count += _stream_without_alt(child.block, child.value)
    elif hasattr(value, "bound_blocks") and isinstance(value.bound_blocks, dict):  # StructValue
        for bound in value.bound_blocks.values():
            count += _stream_without_alt(bound.block, bound.value)
    elif hasattr(value, "bound_blocks"):  # ListValue
        for bound in value.bound_blocks:
            count += _stream_without_alt(bound.block, bound.value)
    return count


def images_without_alt(page):
    """``{field name: how many images in it lack a text alternative}`` for ``page``.

    Fields a list left unloaded (``defer``) are not read: see ``images_have_alt_text``.
    """
    deferred = page.get_deferred_fields() if page.pk is not None else set()
    found = {}
    for model_field in type(page)._meta.get_fields():
        if not getattr(model_field, "concrete", False) or model_field.attname in deferred:
            continue
        if isinstance(model_field, StreamField):
            value = getattr(page, model_field.name, None)
            count = _stream_without_alt(model_field.stream_block, value)
        elif isinstance(model_field, RichTextField):
            count = _rich_text_without_alt(getattr(page, model_field.name, None))
        else:
            continue
        if count:
            found[model_field.name] = count
    return found


def _judged_as_live(context):
    """Whether ``context`` is a live page a list judges from its kept results, without its text
    (the findings report): it had its alt texts when it went live."""
    facts = facts_of(context)
    return facts is not None and context.page.pk is not None and context.page.pk in facts.text


@rule(EDIT, SUBMIT, PUBLISH)
def images_have_alt_text(context):
    """Every image on a public page says what it shows, unless it is marked decorative."""
    if not context.is_external or _judged_as_live(context):
        return
    for field, count in images_without_alt(context.page).items():
        label = context.page._meta.get_field(field).verbose_name
        yield Finding(
            ALT_MISSING,
            BLOCK,
            ngettext(
                "An image in “%(field)s” has no alt text: readers who cannot see it are not "
                "told what it shows.",
                "%(count)s images in “%(field)s” have no alt text: readers who cannot see them "
                "are not told what they show.",
                count,
            )
            % {"count": count, "field": label},
            _(
                "Write what each image shows in its alt text, or mark it as decorative if it "
                "adds nothing to the text."
            ),
            field=field,
        )
