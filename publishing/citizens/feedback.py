"""The feedback form citizens find on every page, and how an answer is stored.

The page itself only asks "Did you find what you were looking for?" with two buttons that lead
here (a plain link-like GET form): public pages are cached and shared, and a CSRF token must not
be. The form here takes the comment by POST, with CSRF protection and a rate limit per client.
A comment is stored as plain text: markup is removed with nh3, and personal data found in it is
masked before anything is saved, so an identity number in a comment never reaches the database.
"""

import html
import logging

import nh3
from django import forms
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from wagtail.models import Site

from publishing.citizens.client_address import client_address
from publishing.citizens.sites import activate_site_language
from publishing.conf import setting
from publishing.free_text import allowed_contact_points, mask_personal_data
from publishing.models import GovernedPage, Municipality, PageFeedback
from publishing.models.feedback import COMMENT_MAX_LENGTH
from publishing.visible_text import has_visible_text

logger = logging.getLogger(__name__)


def plain_text(value):
    """``value`` without markup, scripts or styles, as plain text (nh3 does the cleaning)."""
    return html.unescape(nh3.clean(value, tags=set())).strip()


class FeedbackForm(forms.Form):
    """Yes or no, and a comment.

    A "yes" may come alone: it tells the unit the page works. A "no" (or no answer) needs the
    comment, since that is what the unit can act on.
    """

    found = forms.TypedChoiceField(
        label=_("Did you find what you were looking for?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        # No maxlength in the browser: it would cut a pasted text silently. The limit is checked
        # here, with a message that says how long the text was, and the text stays in the form.
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=True,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted here, per request, so the text is in the site's language, not the one
        # active when the module was imported.
        self.fields["comment"].help_text = _(
            "What were you looking for, and what can we do better? Do not write personal "
            "information such as your identity number; we do not answer here. At most "
            "%(max)s characters."
        ) % {"max": COMMENT_MAX_LENGTH}

    def clean_comment(self):
        comment = plain_text(self.cleaned_data.get("comment") or "")
        if not has_visible_text(comment):
            comment = ""  # spaces and invisible characters only: no comment
        if len(comment) > COMMENT_MAX_LENGTH:
            raise forms.ValidationError(
                _(
                    "The comment is %(length)s characters long; at most %(max)s fit. "
                    "Shorten it and send again."
                ),
                code="too_long",
                params={"length": len(comment), "max": COMMENT_MAX_LENGTH},
            )
        return comment

    def clean(self):
        cleaned = super().clean()
        if "comment" in cleaned and not cleaned["comment"] and cleaned.get("found") is not True:
            self.add_error(
                "comment",
                forms.ValidationError(
                    _("Write a comment before you send. Tell us what you were looking for."),
                    code="empty",
                ),
            )
        return cleaned


def over_rate_limit(request):
    """Count this answer against the client's allowance; True once the allowance is used up."""
    count, window = setting("FEEDBACK_RATE_LIMIT")
    key = f"publishing:feedback-rate:{client_address(request)}"
    cache.add(key, 0, window)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        used = 1
    return used > count


def _page_and_municipality(request, page_id):
    """The live, public page asked about, on the requesting site; otherwise 404."""
    site = Site.find_for_request(request)
    municipality = Municipality.objects.filter(site=site).first() if site is not None else None
    page = municipality.citizen_pages().filter(pk=page_id).first() if municipality else None
    if page is None:
        raise Http404
    return page.specific, municipality


@never_cache
@csrf_protect
def feedback(request, page_id):
    """Show the feedback form for a page, and take an answer."""
    page, municipality = _page_and_municipality(request, page_id)
    activate_site_language(request, Site.find_for_request(request))
    status = 200
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if not form.is_valid():
            status = 400
        elif over_rate_limit(request):  # only answers that would be stored count
            form.add_error(
                None,
                _(
                    "You have sent several answers in a short time. Wait a few minutes and "
                    "send again; your text is kept below."
                ),
            )
            status = 429
        else:
            store_feedback(page, municipality, form.cleaned_data)
            return redirect("feedback_thanks", page_id=page.pk)
    else:
        found = request.GET.get("found")
        form = FeedbackForm(initial={"found": found if found in ("yes", "no") else None})
    return render(
        request,
        "publishing/feedback.html",
        {"form": form, "feedback_page": page, "max_length": COMMENT_MAX_LENGTH},
        status=status,
    )


@never_cache
def feedback_thanks(request, page_id):
    """Thanks, and the way back to the page."""
    page, municipality = _page_and_municipality(request, page_id)
    activate_site_language(request, Site.find_for_request(request))
    return render(request, "publishing/feedback_thanks.html", {"feedback_page": page})


def store_feedback(page, municipality, data):
    """Save an answer against ``page``, routed to the unit that answers for it."""
    allow = allowed_contact_points(municipality)
    comment, kinds = mask_personal_data(data["comment"], municipality.language, allow=allow)
    unit_id = page.owning_unit_id if isinstance(page, GovernedPage) else None
    item = PageFeedback.objects.create(
        page=page,
        municipality=municipality,
        unit_id=unit_id,
        found=data.get("found"),
        comment=comment,
        masked=", ".join(kinds),
    )
    # Never the comment itself in the log: it may hold personal data the scan did not catch.
    logger.info("feedback %s on page %s (masked: %s)", item.pk, page.pk, item.masked or "none")
    return item


def feedback_csrf_failure(request):
    """A refused feedback post (an expired or blocked cookie) gets the form back with the
    text and a fresh token, in the site's language; None for any other request
    (``publishing.csrf``)."""

    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is None or match.url_name != "feedback" or request.method != "POST":
        return None
    try:
        page, municipality = _page_and_municipality(request, match.kwargs["page_id"])
    except Http404:
        return None
    activate_site_language(request, Site.find_for_request(request))
    form = FeedbackForm(request.POST)
    form.is_valid()
    form.add_error(
        None,
        _(
            "Your answer could not be sent, because the page had been open a long time or your "
            "browser blocks cookies. Your text is kept below: send it again."
        ),
    )
    response = render(
        request,
        "publishing/feedback.html",
        {"form": form, "feedback_page": page, "max_length": COMMENT_MAX_LENGTH},
        status=403,
    )
    add_never_cache_headers(response)
    return response
