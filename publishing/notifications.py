"""E-mail to the people governance concerns, through Django's e-mail backends."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Municipality

logger = logging.getLogger(__name__)


def _admin_url(path):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def mail_responsible_leader(page, compose):
    """E-mail ``page``'s responsible leader in the municipality's language.

    ``compose()`` returns ``(subject, lines)`` and is called with that language active. A mail
    failure is logged and never undoes what the mail is about.
    """
    leader = getattr(page, "responsible_leader", None)
    if leader is None or not leader.email:
        return
    municipality = Municipality.objects.for_page(page)
    language = municipality.language if municipality else settings.LANGUAGE_CODE
    with translation.override(language):
        subject, lines = compose()
    try:
        send_mail(subject, "\n".join(lines), None, [leader.email])
    except Exception:
        logger.exception("Could not e-mail the responsible leader of page %s", page.pk)


def notify_scheduled_block(page, findings):
    """Tell the responsible leader that a scheduled publish was stopped, and why."""

    def compose():
        return _("Scheduled publishing stopped: %(title)s") % {"title": page.title}, [
            _("The page “%(title)s” was scheduled to go live, but was stopped:")
            % {"title": page.title},
            "",
            *[f"- {finding.message} {finding.fix}" for finding in findings],
            "",
            _("Open the page: %(url)s") % {"url": _admin_url(f"/admin/pages/{page.pk}/edit/")},
        ]

    mail_responsible_leader(page, compose)


def notify_fast_track(page, review):
    """Ask the responsible leader to review a page published by the crisis fast track."""
    from django.urls import reverse

    def compose():
        url = _admin_url(reverse("publishing:review_fast_track", args=[review.pk]))
        return _("Review needed: “%(title)s” was published by crisis fast track") % {
            "title": page.title
        }, [
            _(
                "“%(title)s” was published at once by the crisis fast track, without the "
                "normal approval. As responsible leader, please review it."
            )
            % {"title": page.title},
            "",
            _("Review it here: %(url)s") % {"url": url},
        ]

    mail_responsible_leader(page, compose)
