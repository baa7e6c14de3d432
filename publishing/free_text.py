"""Free text people type is masked like citizen feedback, before it is stored.

A leader's "Request changes" comment, an approval comment, the reason for a warning, a note:
whatever someone types may hold a fødselsnummer, a personnummer, a private phone number or an
address. Identifying personal data found in such text is masked before the row is written, so
it never reaches the database, the audit log or a mail (mails are built from the stored values).

The masking runs in ``pre_save`` receivers on the models that keep such text, not in our forms:
Wagtail's own views (the group approval task's modal), the page editor, a hand-made POST and
code that calls ``TaskState.approve`` directly all end in a save. The receivers change the
instance in memory too, so what Wagtail does with it after the save (the audit log entry of a
workflow action, the mail about a rejection, the mail about new page comments) carries the
masked text.

Masked, with the municipality's language and its public contact points allowed:

- ``TaskState.comment`` of every task type (and of any subclass of Wagtail's ``TaskState``);
- the free-text values of Wagtail's audit log entries (``PageLogEntry``, ``ModelLogEntry``):
  values under the keys in ``FREE_TEXT_KEYS`` anywhere in ``data`` (the workflow comment,
  the acknowledgement reason, a page comment's text);
- ``WarningAcknowledgement.reason``, ``FastTrackReview.reason``, ``PageFeedback.handled_note``;
- the text of Wagtail's page comments and their replies.
"""

import logging

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import pre_save
from wagtail.models import BaseLogEntry, CommentReply, Page, TaskState

from publishing.content_checks import InputTooLarge, mask, personal_data
from publishing.models import Municipality

logger = logging.getLogger(__name__)

#: Personal data that identifies someone is masked; words for sensitive categories (health,
#: religion...) stay, since without a name or number next to them they identify nobody.
MASKED_KINDS = {"national_id", "phone", "email", "bank_account", "address", "person_name"}

#: Keys whose string values in an audit log entry's ``data`` are typed by people: the workflow
#: comment ("comment"), a reason ("reason"), a note ("note"), a page comment or reply ("text").
FREE_TEXT_KEYS = frozenset({"comment", "reason", "note", "text"})


def mask_personal_data(text, language, allow=()):
    """``text`` with identifying personal data masked, and the kinds that were masked.

    ``language`` selects the word lists the scanner reads names by; ``allow`` holds public
    contact points (the municipality's switchboard, say) that stay as written.
    """
    try:
        findings = [
            f for f in personal_data.scan(text, language, allow=allow) if f.kind in MASKED_KINDS
        ]
    except InputTooLarge:
        # Too large to scan: every digit is masked rather than storing the text unscanned.
        return "".join("*" if char.isdigit() else char for char in text), ["unscanned"]
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        text = text[: finding.start] + mask(text[finding.start : finding.end]) + text[finding.end :]
    return text, sorted({f.kind for f in findings})


def allowed_contact_points(municipality):
    """The municipality's public contact points as written in its profile (never masked)."""
    if municipality is None:
        return []
    return [point["value"] for point in municipality.contact_points if point.get("value")]


def mask_for(text, municipality):
    """``text`` masked as ``municipality`` reads it (its language, its contact points allowed).

    Without a municipality (a snippet, a page outside every site) the site's default language
    is used and nothing is allowed.
    """
    language = municipality.language if municipality is not None else settings.LANGUAGE_CODE
    return mask_personal_data(text, language, allow=allowed_contact_points(municipality))


def mask_log_data(data, mask_text):
    """A copy of an audit log entry's ``data`` with ``mask_text`` applied to every string under
    a key in ``FREE_TEXT_KEYS``, at any depth (``{"comment": {"text": ...}}`` included)."""

    def walk(value, key):
        if isinstance(value, dict):
            return {name: walk(item, name) for name, item in value.items()}
        if isinstance(value, list | tuple):
            return [walk(item, key) for item in value]
        if isinstance(value, str) and key in FREE_TEXT_KEYS and value.strip():
            return mask_text(value)
        return value

    return walk(data, None)


# --- whose text it is -------------------------------------------------------------------------


def _page_id(instance):
    """The id of the page ``instance`` is about, or None (a snippet's workflow, say)."""

    if isinstance(instance, TaskState):
        workflow_state = instance.workflow_state
        model = ContentType.objects.get_for_id(workflow_state.base_content_type_id).model_class()
        return workflow_state.object_id if model and issubclass(model, Page) else None
    if isinstance(instance, CommentReply):
        return instance.comment.page_id
    return getattr(instance, "page_id", None)


def _municipality(instance):
    """The municipality ``instance`` belongs to: its own, or the one whose site holds its page."""

    municipality_id = getattr(instance, "municipality_id", None)
    if municipality_id is not None:
        return Municipality.objects.filter(pk=municipality_id).first()
    page_id = _page_id(instance)
    page = Page.objects.filter(pk=page_id).only("path").first() if page_id else None
    return Municipality.objects.for_page(page) if page is not None else None


class _Masker:
    """Masks the texts of one row, looking up its municipality once and only when some text is
    there to mask (most saves, a task state starting, carry none)."""

    def __init__(self, instance):
        self.instance = instance
        self.kinds = set()
        self._looked_up = False
        self._municipality = None

    def __call__(self, text):
        if not self._looked_up:
            self._municipality = _municipality(self.instance)
            self._looked_up = True
        masked, kinds = mask_for(text, self._municipality)
        self.kinds.update(kinds)
        return masked

    def report(self, where):
        # The kinds and the model only: never the value, which is what is being kept out.
        if self.kinds:
            logger.info("personal data masked in %s (%s)", where, ", ".join(sorted(self.kinds)))


# --- the receivers ----------------------------------------------------------------------------

#: The typed fields of each model, by app label and model name.
TEXT_FIELDS = {
    "wagtailcore.TaskState": ("comment",),
    "wagtailcore.Comment": ("text",),
    "wagtailcore.CommentReply": ("text",),
    "publishing.WarningAcknowledgement": ("reason",),
    "publishing.FastTrackReview": ("reason",),
    "publishing.PageFeedback": ("handled_note",),
}


def mask_text_fields(sender, instance, **kwargs):
    """``pre_save``: mask the typed fields of ``instance`` (``TEXT_FIELDS``) before the write.

    Also for raw saves (fixtures): the value is stored either way.
    """
    masker = _Masker(instance)
    for name in _fields_of(type(instance)):
        value = getattr(instance, name, None)
        if isinstance(value, str) and value.strip():
            masked = masker(value)
            if masked != value:
                setattr(instance, name, masked)
    masker.report(type(instance)._meta.label)


def mask_log_entry(sender, instance, **kwargs):
    """``pre_save`` of an audit log entry: mask the typed values in its ``data``."""
    if not isinstance(instance.data, dict):
        return
    masker = _Masker(instance)
    masked = mask_log_data(instance.data, masker)
    if masker.kinds:
        # A new dict: the caller's (``audit.record`` keeps its own for a rewrite) stays as is.
        instance.data = masked
    masker.report(f"{type(instance)._meta.label} {instance.action}")


def _fields_of(model):
    """The typed fields of ``model`` or of the model it inherits them from (a ``TaskState``
    subclass has ``comment`` through its parent)."""
    for klass in model.__mro__:
        meta = getattr(klass, "_meta", None)
        if meta is not None and not meta.abstract and meta.label in TEXT_FIELDS:
            return TEXT_FIELDS[meta.label]
    return ()


def connect():
    """Connect the receivers; called from ``signal_handlers.connect``.

    ``pre_save`` is sent with the class of the saved object as sender, so every concrete
    subclass of a listed model (a custom ``TaskState``) and every kind of audit log entry is
    connected by itself.
    """

    for model in apps.get_models():
        label = model._meta.label
        if issubclass(model, BaseLogEntry):
            pre_save.connect(
                mask_log_entry, sender=model, dispatch_uid=f"publishing_free_text_log_{label}"
            )
        elif _fields_of(model):
            pre_save.connect(
                mask_text_fields, sender=model, dispatch_uid=f"publishing_free_text_{label}"
            )
