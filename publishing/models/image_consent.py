"""Photos of people: whether an image shows identifiable people, the consents that let it be
published, and whether its file carries a location.

GDPR and the Norwegian and Swedish municipal guidance ask for consent to publish a photo of an
identifiable person: a consent that names the channel (the public website, the intranet, social
media, print), that can be withdrawn at any time, and that a guardian gives for a child. Each
image has one ``ImagePeople`` record (made when the image is uploaded, or when a publisher first
opens it): whether it shows identifiable people, and the ``ImageConsent`` of each person shown.
The rule engine (``publishing.rules.images``) stops a public page that uses an image showing
people unless every person's consent holds for the public website on the day.

The record also says whether the uploaded file carries a location (EXIF GPS): it is read once
for each file the image has had (``read_location``), when the image is saved.
"""

import logging
import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from PIL import Image as PillowImage
from wagtail.documents import get_document_model_string
from wagtail.images import get_image_model_string

from publishing.models.municipality import StaffOnlyCollections
from publishing.visible_text import visible_text_errors

logger = logging.getLogger(__name__)


class ConsentChannel(models.TextChoices):
    """Where a consent lets the photo be shown."""

    WEB = "web", _("Public website")
    INTRANET = "intranet", _("Intranet")
    SOCIAL = "social", _("Social media")
    PRINT = "print", _("Print")


#: Why a photo of people may not be shown in a channel (``ImagePeople.consent_problems``), the
#: worst first: a withdrawn consent, an expired one, one that does not name the channel, none.
WITHDRAWN = "withdrawn"
EXPIRED = "expired"
CHANNEL = "channel"
MISSING = "missing"
PROBLEMS = (WITHDRAWN, EXPIRED, CHANNEL, MISSING)

#: The status of a record for a channel, in words (``ImagePeople.status_label``).
HOLDS = "holds"
NO_PEOPLE = "no_people"
STATUS_LABELS = {
    NO_PEOPLE: _("No identifiable people"),
    HOLDS: _("Consent holds"),
    MISSING: _("Consent missing"),
    EXPIRED: _("Consent expired"),
    WITHDRAWN: _("Consent withdrawn"),
    CHANNEL: _("Consent does not cover this channel"),
}


class ChannelsField(models.JSONField):
    """The channels a consent names: a list of ``ConsentChannel`` codes, chosen with boxes."""

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=ConsentChannel.choices,
            widget=forms.CheckboxSelectMultiple,
            # The model's clean() says what to do when none is ticked, once (the form's own
            # "This field is required." came first, then the same again).
            required=False,
            label=capfirst(self.verbose_name),
            help_text=self.help_text,
        )


def _person_key(name):
    """One person however their name was typed (case, spaces, composed letters)."""
    return " ".join(unicodedata.normalize("NFC", name or "").casefold().split())


class ImagePeopleQuerySet(models.QuerySet):
    def showing_people(self):
        return self.filter(shows_people=True)

    def problems(self, channel=ConsentChannel.WEB, today=None, image_ids=None):
        """``{image id: (record, [problem codes])}`` of the images that show people whose
        consent does not hold for ``channel`` on ``today`` (default: today), in two queries.
        ``image_ids`` narrows it to those images."""
        today = today or timezone.localdate()
        records = self.showing_people().select_related("image").prefetch_related("consents")
        if image_ids is not None:
            records = records.filter(image_id__in=list(image_ids))
        found = {}
        for record in records:
            codes = record.consent_problems(channel, today)
            if codes:
                found[record.image_id] = (record, codes)
        return found


class ImagePeople(ClusterableModel):
    """Whether an image shows identifiable people, and the consents to show them."""

    image = models.OneToOneField(
        get_image_model_string(),
        verbose_name=_("image"),
        on_delete=models.CASCADE,
        related_name="people_record",
    )
    shows_people = models.BooleanField(
        _("shows identifiable people"),
        default=False,
        help_text=_(
            "Tick if someone can be recognised in the photo, by their face or otherwise. Then "
            "everyone shown must have consented before the photo is published."
        ),
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_(
            "Where and when the photo was taken, and anything else those who use it should "
            "know. Do not write identity numbers or health information here."
        ),
    )
    has_location = models.BooleanField(
        _("file carries a location"),
        default=False,
        editable=False,
        help_text=_("The uploaded file holds GPS coordinates of where the photo was taken."),
    )
    #: When the file was last read for a location, and which file it was (a replaced file is
    #: read again).
    checked_at = models.DateTimeField(_("file read at"), null=True, blank=True, editable=False)
    checked_file = models.CharField(max_length=255, blank=True, editable=False)

    objects = ImagePeopleQuerySet.as_manager()

    class Meta:
        verbose_name = _("people in an image")
        verbose_name_plural = _("people in images")

    def __str__(self):
        return self.image.title if self.image_id else str(_("people in an image"))

    def consent_problems(self, channel=ConsentChannel.WEB, today=None):
        """Why the photo may not be shown in ``channel`` on ``today``: a list of problem codes
        (``withdrawn``, ``expired``, ``channel``, ``missing``), worst first; empty when it may.

        A photo without identifiable people needs no consent. Otherwise every person shown
        needs a consent that holds: given, not expired, not withdrawn, naming the channel. A
        person with several consents (a new one after an expired one) needs one that holds;
        a photo marked as showing people with no consent recorded is ``missing``.
        """
        if not self.shows_people:
            return []
        today = today or timezone.localdate()
        by_person = {}
        for consent in self.consents.all():
            by_person.setdefault(_person_key(consent.person), []).append(consent)
        if not by_person:
            return [MISSING]
        found = set()
        for consents in by_person.values():
            problems = [consent.problem(channel, today) for consent in consents]
            if all(problems):
                found.add(min(problems, key=PROBLEMS.index))
        return sorted(found, key=PROBLEMS.index)

    def status(self, channel=ConsentChannel.WEB, today=None):
        """The record's status for ``channel``: ``no_people``, ``holds`` or its worst
        problem."""
        if not self.shows_people:
            return NO_PEOPLE
        problems = self.consent_problems(channel, today)
        return problems[0] if problems else HOLDS

    @property
    def web_status(self):
        return self.status(ConsentChannel.WEB)

    @property
    def web_status_label(self):
        """The status for the public website, in words (for templates)."""
        return STATUS_LABELS[self.web_status]

    @property
    def web_consent_holds(self):
        return self.web_status in (NO_PEOPLE, HOLDS)


class ImageConsent(models.Model):
    """One person's consent to be shown in the photo: in which channels, from when and until
    when, and whether it has been withdrawn (which is done by a withdrawal, never by editing)."""

    record = ParentalKey(
        ImagePeople, verbose_name=_("image"), on_delete=models.CASCADE, related_name="consents"
    )
    person = models.CharField(
        _("person shown"),
        max_length=200,
        help_text=_("The name of the person in the photo, as written on the consent form."),
    )
    child = models.BooleanField(
        _("the person is a child"),
        default=False,
        help_text=_("For a child, a guardian gives the consent."),
    )
    guardian = models.CharField(
        _("guardian"),
        max_length=200,
        blank=True,
        help_text=_("Who consented for the child. Leave empty for an adult."),
    )
    channels = ChannelsField(
        _("channels"),
        default=list,
        help_text=_("Where the photo may be shown with this consent."),
    )
    given_on = models.DateField(_("given on"), default=timezone.localdate)
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Leave empty if the consent holds until it is withdrawn."),
    )
    form = models.ForeignKey(
        get_document_model_string(),
        verbose_name=_("consent form"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The signed form, scanned. Keep it in a collection only staff may open: it names "
            "the person, often a child."
        ),
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(_("reason for the withdrawal"), blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["given_on", "pk"]

    def __str__(self):
        return self.person

    @property
    def withdrawn(self):
        return self.withdrawn_on is not None

    def problem(self, channel=ConsentChannel.WEB, today=None):
        """Why this consent does not let the photo be shown in ``channel`` on ``today``
        (``withdrawn``, ``expired``, ``channel``, ``missing`` for one not given yet), or
        ``""``."""
        today = today or timezone.localdate()
        if self.withdrawn_on is not None and self.withdrawn_on <= today:
            return WITHDRAWN
        if self.valid_until is not None and self.valid_until < today:
            return EXPIRED
        if self.given_on is not None and self.given_on > today:
            return MISSING
        if channel not in (self.channels or []):
            return CHANNEL
        return ""

    def clean(self):
        errors = visible_text_errors(self, ("person", "guardian"))
        if self.child and not (self.guardian or "").strip():
            errors.setdefault(
                "guardian",
                ValidationError(
                    _("A child cannot consent alone: name the guardian who consented."),
                    code="guardian_required",
                ),
            )
        if self.given_on and self.given_on > timezone.localdate():
            errors["given_on"] = ValidationError(
                _("A consent cannot be given in the future. Record it when it is given."),
                code="future",
            )
        if self.given_on and self.valid_until and self.valid_until < self.given_on:
            errors["valid_until"] = ValidationError(
                _("The consent cannot end before it was given."), code="ends_before_given"
            )
        unknown = set(self.channels or []) - set(ConsentChannel.values)
        if unknown or not self.channels:
            errors["channels"] = ValidationError(
                _("Tick where the photo may be shown with this consent."), code="channels"
            )
        if self.form_id is not None and not form_is_staff_only(self.form):
            errors["form"] = ValidationError(
                _(
                    "The consent form “%(title)s” is in a collection anyone may open. Move it "
                    "to a collection only staff may open, then choose it here."
                ),
                params={"title": self.form.title},
                code="form_not_private",
            )
        if errors:
            raise ValidationError(errors)


def form_is_staff_only(document):
    """Whether ``document`` sits in a collection with a view restriction (or below one)."""
    return StaffOnlyCollections().holds(document.collection)


# --- the location in an uploaded file ---------------------------------------------------------

#: The EXIF directory of GPS tags (``Image.getexif().get_ifd(GPS_IFD)``).
GPS_IFD = 0x8825
#: GPS tags that place the photo: latitude and longitude (with their N/S, E/W references),
#: altitude, and the destination's coordinates.
_POSITION_TAGS = {1, 2, 3, 4, 5, 6, 19, 20, 21, 22}


def file_has_location(file):
    """Whether the image file ``file`` (an open binary file) holds GPS coordinates in its EXIF.

    Files Pillow cannot read (SVG, a broken upload) hold none it can find.
    """
    try:
        with PillowImage.open(file) as picture:
            gps = picture.getexif().get_ifd(GPS_IFD)
    except Exception as error:  # any file Pillow cannot read is one without a location it knows
        logger.info("Could not read the EXIF of an image file (%s)", type(error).__name__)
        return False
    return any(tag in gps and gps[tag] not in (None, "", b"") for tag in _POSITION_TAGS)


def read_location(image):
    """Read ``image``'s file for a location once for each file it has had, and keep the answer
    in its people record (made here when missing). Returns the record."""
    record = ImagePeople.objects.filter(image=image).first()
    name = image.file.name or ""
    if record is not None and record.checked_file == name and record.checked_at is not None:
        return record
    try:
        with image.open_file() as file:
            has_location = file_has_location(file)
    except Exception as error:  # a missing file holds no location to warn about
        logger.info(
            "Could not open image %s to read its location (%s)", image.pk, type(error).__name__
        )
        has_location = False
    values = {"has_location": has_location, "checked_at": timezone.now(), "checked_file": name}
    if record is None:
        record, _created = ImagePeople.objects.update_or_create(image=image, defaults=values)
        return record
    for field, value in values.items():
        setattr(record, field, value)
    record.save(update_fields=list(values))
    return record


def read_location_on_save(sender, instance, raw=False, **kwargs):
    """``post_save`` of the image model (``signal_handlers``): a new or replaced file is read
    for a location."""
    if raw or not instance.file:
        return
    read_location(instance)
