"""The legal archive: what citizens received each time a public page was published, withdrawn,
unpublished or deleted.

A capture is append-only. Its WARC file (``warc_name`` in the archive's storage) holds the
records; the row holds the metadata a records officer searches by and the digests that make
tampering show: ``warc_sha256`` of the file, a SHA-256 per record, and ``digest``, which covers
all of the row and the previous capture's ``digest`` in the same municipality's chain
(``sequence`` 1, 2, 3 ...). ``publishing.archive.chain`` computes and verifies it;
``publishing.archive.guard`` makes the database refuse any change or deletion of a row.

The page is no foreign key: the archive outlives the page (and its unit and leader, kept here by
name as they were at the time).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArchiveEvent(models.TextChoices):
    """What happened to the page that the capture records."""

    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UNPUBLISHED = "unpublished", _("Unpublished")
    DELETED = "deleted", _("Deleted")


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes through the ORM are refused before they reach the database (which would
    refuse them too: ``publishing.archive.guard``)."""

    def update(self, **kwargs):
        raise ArchiveIsAppendOnly()

    def delete(self):
        raise ArchiveIsAppendOnly()

    def bulk_update(self, *args, **kwargs):
        raise ArchiveIsAppendOnly()


class ArchiveIsAppendOnly(Exception):
    """A change or deletion of an archived capture was attempted."""

    def __init__(self):
        super().__init__(_("The archive is append-only: a capture cannot be changed or deleted."))


class ArchiveCapture(models.Model):
    """One capture of a public page at an event, in its municipality's digest chain."""

    municipality = models.CharField(_("municipality"), max_length=100, db_index=True)
    sequence = models.PositiveBigIntegerField(_("number in the archive"))
    event = models.CharField(_("event"), max_length=20, choices=ArchiveEvent.choices)
    happened_at = models.DateTimeField(_("time of the event"), db_index=True)
    captured_at = models.DateTimeField(_("captured"))

    page_id = models.IntegerField(_("page id"), db_index=True)
    url = models.CharField(_("address"), max_length=2000)
    title = models.CharField(_("title"), max_length=255)
    locale = models.CharField(_("language"), max_length=20, blank=True)
    page_type = models.CharField(_("page type"), max_length=100)
    unit = models.CharField(_("unit"), max_length=255, blank=True)
    unit_id = models.IntegerField(_("unit id"), null=True, blank=True)
    responsible_leader = models.CharField(_("responsible leader"), max_length=255, blank=True)
    sensitivity = models.CharField(_("sensitivity"), max_length=50, blank=True)
    audiences = models.JSONField(_("audiences"), default=list, blank=True)
    revision_id = models.IntegerField(_("revision"), null=True, blank=True)
    #: Who published the page, or, for an unpublish or deletion, who took it away.
    published_by = models.CharField(_("published by"), max_length=255, blank=True)
    approved_by = models.JSONField(_("approved by"), default=list, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    warc_name = models.CharField(_("WARC file"), max_length=500)
    warc_size = models.PositiveBigIntegerField(_("size in bytes"))
    warc_sha256 = models.CharField(_("SHA-256 of the WARC file"), max_length=64)
    records = models.JSONField(_("records"), default=list)
    previous_digest = models.CharField(_("digest of the previous capture"), max_length=64)
    digest = models.CharField(_("digest"), max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("archived capture")
        verbose_name_plural = _("archived captures")
        # Only looking: nobody is given a right to add, change or delete captures.
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "sequence"], name="publishing_archive_one_per_place"
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "page_id", "happened_at"]),
            models.Index(fields=["municipality", "happened_at"]),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_event_display()}, {self.happened_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise ArchiveIsAppendOnly()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ArchiveIsAppendOnly()


class ArchiveChain(models.Model):
    """One row per municipality, locked while a capture is added to its chain so that two
    workers never give two captures the same place (never changed after it is made)."""

    municipality = models.CharField(max_length=100, unique=True)

    class Meta:
        default_permissions = ()
