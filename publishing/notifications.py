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


def notify_scheduled_block(page, findings):
    """Tell the responsible leader that a scheduled publish was stopped, and why."""
    leader = getattr(page, "responsible_leader", None)
    if leader is None or not leader.email:
        return
    municipality = Municipality.objects.for_page(page)
    language = municipality.language if municipality else settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Scheduled publishing stopped: %(title)s") % {"title": page.title}
        lines = [
            _("The page “%(title)s” was scheduled to go live, but was stopped:")
            % {"title": page.title},
            "",
            *[f"- {finding.message} {finding.fix}" for finding in findings],
            "",
            _("Open the page: %(url)s") % {"url": _admin_url(f"/admin/pages/{page.pk}/edit/")},
        ]
    try:
        send_mail(subject, "\n".join(lines), None, [leader.email])
    except Exception:  # a broken mail server must not stop the rest of the schedule
        logger.exception("Could not e-mail the leader of page %s about a stopped schedule", page.pk)


def notify_fast_track(page, review):
    """Ask the responsible leader to review a page published by the crisis fast track."""
    from django.urls import reverse

    leader = getattr(page, "responsible_leader", None)
    if leader is None or not leader.email:
        return
    municipality = Municipality.objects.for_page(page)
    language = municipality.language if municipality else settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Review needed: “%(title)s” was published by crisis fast track") % {
            "title": page.title
        }
        body = "\n".join(
            [
                _(
                    "“%(title)s” was published at once by the crisis fast track, without the "
                    "normal approval. As responsible leader, please review it."
                )
                % {"title": page.title},
                "",
                _("Review it here: %(url)s")
                % {"url": _admin_url(reverse("publishing:review_fast_track", args=[review.pk]))},
            ]
        )
    try:
        send_mail(subject, body, None, [leader.email])
    except Exception:  # the publish has happened; a mail failure must not undo it
        logger.exception("Could not e-mail the leader of fast-tracked page %s", page.pk)
