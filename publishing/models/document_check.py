"""What the personal-data checks found in each version of an uploaded document."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model_string


class DocumentCheckQuerySet(models.QuerySet):
    def current(self):
        """Checks of the file each document has now (a replaced file's checks are history)."""
        return self.filter(file_hash=models.F("document__file_hash"))


class DocumentCheck(models.Model):
    """The check of one version of a document's file, made by the task worker.

    A document's file is identified by its SHA-1 (Wagtail's ``file_hash``): replacing the file
    gives a new check, and the old one stays as the record of what was checked before. A row is
    ``pending`` from the upload until the worker is done; then ``checked`` (the text was read),
    ``no_text`` (a PDF without a text layer, a scan: it cannot be checked) or ``unreadable``
    (``reason`` says why: encrypted, corrupt, a zip bomb, too large, timed out...).

    ``findings`` say what was found and where (kind, severity and place: page and line, sheet
    and cell, metadata field, comment), never the value. ``inputs`` is a digest of what the
    check depended on (the municipality's language and public contact points, the checks'
    code): when it differs, ``manage.py check_documents`` checks the file again.
    """

    PENDING, CHECKED, NO_TEXT, UNREADABLE = "pending", "checked", "no_text", "unreadable"
    STATUS_CHOICES = [
        (PENDING, _("Being checked")),
        (CHECKED, _("Checked")),
        (NO_TEXT, _("No text layer (a scan)")),
        (UNREADABLE, _("Could not be read")),
    ]

    document = models.ForeignKey(
        get_document_model_string(),
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    file_hash = models.CharField(_("file fingerprint"), max_length=64)
    status = models.CharField(_("status"), max_length=12, choices=STATUS_CHOICES, default=PENDING)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    format = models.CharField(_("format"), max_length=10, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    truncated = models.BooleanField(_("partly read"), default=False)
    findings = models.JSONField(_("findings"), default=list)
    #: How many of ``findings`` block a public page that links the document (for lists).
    blocking_count = models.PositiveIntegerField(_("blocking findings"), default=0)
    accessibility = models.JSONField(_("accessibility"), default=list)
    inputs = models.CharField(_("checked with"), max_length=64, blank=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = DocumentCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("document check")
        verbose_name_plural = _("document checks")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "file_hash"], name="publishing_one_check_per_file"
            )
        ]

    def __str__(self):
        return f"{self.document_id}:{self.file_hash[:8]} {self.status}"

    @property
    def done(self):
        return self.status != self.PENDING

    @property
    def stops_publishing(self):
        """Whether a public page linking the document cannot be published: something in it
        blocks, or it could not be read, or it is not checked yet."""
        return self.blocking_count > 0 or self.status in (self.PENDING, self.UNREADABLE)
