"""Withdrawing a consent: recorded once, and the leaders of the live pages that use the image told.

A person may withdraw their consent at any time. The withdrawal is a clear act with a date and a
reason, recorded by whoever received it; it is never undone by editing the consent. From that
day the rule engine stops every public page that uses the image from being published again, and
the responsible leader of each live page that shows it now is mailed (in their own language, by
the task worker once the withdrawal is saved: page titles and links, never the page's text, the
person's name or the reason) and sees the page on their dashboard
(``publishing.images.panels``) until the image is replaced.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from wagtail.log_actions import log
from wagtail.models import Collection

from publishing.free_text import mask_for
from publishing.images.usage import citizen_pages_using
from publishing.models import GovernedPage, ImageConsent, Municipality
from publishing.notifications.mail import (
    edit_url,
    message,
    recipient_languages,
    send_after_commit,
    viewers_among,
)

#: The audit log action of a withdrawal, on the image's people record.
WITHDRAWN_ACTION = "publishing.consent_withdrawn"
MAIL_TEMPLATE = "publishing/images/mail/consent_withdrawn"


@dataclass
class Withdrawal:
    consent: object
    #: The consent had been withdrawn already: nothing was changed and nobody told again.
    already: bool = False
    #: The live public pages that use the image, and the leaders who were told about them.
    pages: list = field(default_factory=list)
    leaders: list = field(default_factory=list)


def municipality_of_image(image):
    """The municipality whose collection holds ``image`` (by the collection's top-level name,
    as ``load_profile`` makes it), or None."""
    top = (
        Collection.objects.filter(depth=2, path=image.collection.path[: Collection.steplen * 2])
        .values_list("name", flat=True)
        .first()
    )
    return Municipality.objects.filter(name=top).first() if top else None


def withdraw(consent_id, *, user, on, reason):
    """Withdraw consent ``consent_id`` as of the day ``on``, for ``reason``, recorded by
    ``user``. Twice is once: a second withdrawal of the same consent changes and mails nothing.
    """
    with transaction.atomic():
        consent = (
            ImageConsent.objects.select_for_update()
            .select_related("record__image__collection")
            .get(pk=consent_id)
        )
        if consent.withdrawn_on is not None:
            return Withdrawal(consent, already=True)
        record = consent.record
        municipality = municipality_of_image(record.image)
        consent.withdrawn_on = on
        consent.withdrawn_reason = mask_for(reason, municipality)[0]
        consent.withdrawn_by = user
        consent.save(update_fields=["withdrawn_on", "withdrawn_reason", "withdrawn_by"])
        log(
            instance=record,
            action=WITHDRAWN_ACTION,
            user=user,
            data={"consent": consent.pk, "withdrawn_on": on.isoformat()},
        )
        result = Withdrawal(consent)
        if record.consent_problems():
            result.pages = [page for page, _ids in citizen_pages_using([record.image_id])]
            result.leaders = tell_leaders(record.image, result.pages, municipality)
    return result


def tell_leaders(image, pages, municipality):
    """Mail the responsible leader of each of ``pages`` (live pages that use ``image``) once,
    listing their pages. Returns the leaders told."""
    by_leader = {}
    for page in pages:
        if not isinstance(page, GovernedPage) or page.responsible_leader_id is None:
            continue
        leader = page.responsible_leader
        if viewers_among([leader], page):
            by_leader.setdefault(leader.pk, (leader, []))[1].append(page)
    leaders = [leader for leader, _pages in by_leader.values()]
    languages = recipient_languages(leaders, municipality)
    messages = []
    for leader, own in by_leader.values():
        language = languages[leader.pk]
        context = {
            "user": leader,
            "image_title": image.title,
            "pages": [{"title": page.title, "edit_url": edit_url(page)} for page in own],
            "count": len(own),
        }
        with translation.override(language):
            subject = render_to_string(f"{MAIL_TEMPLATE}_subject.txt", context)
            body = render_to_string(f"{MAIL_TEMPLATE}.txt", context)
        messages.append(message(subject, body, language, to=[leader.email]))
    send_after_commit(messages, "consent withdrawn")
    return leaders
