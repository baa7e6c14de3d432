"""The forms of the people-in-images admin: a record and its consents, and a withdrawal."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from publishing.access.admin_scope import scoped_documents
from publishing.images.permissions import usable_images
from publishing.models import ImagePeople
from publishing.visible_text import INVISIBLE_ONLY, has_visible_text


class ImagePeopleForm(WagtailAdminModelForm):
    """A record of the people in an image, with their consents inline.

    The image is chosen when the record is made, from the images the person may use, and stays
    the record's own afterwards. A consent's form is a document of the person's own
    municipality; a withdrawn consent stays on record as it was: it cannot be edited or deleted.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if "image" in self.fields:
            if self.instance.pk:
                del self.fields["image"]
            else:
                self.fields["image"].queryset = (
                    usable_images(user) if user is not None else get_image_model().objects.none()
                )
        consents = self.formsets.get("consents")
        if consents is not None:
            documents = get_document_model().objects.all()
            documents = scoped_documents(documents, user) if user is not None else documents.none()
            consents.form = _consent_form(consents.form, documents)

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image is not None and ImagePeople.objects.filter(image=image).exists():
            raise ValidationError(
                _(
                    "The people in “%(title)s” are on record already: open the image's record "
                    "from the list, or from the image's own page."
                ),
                params={"title": image.title},
                code="exists",
            )
        return image

    def clean(self):
        cleaned = super().clean()
        consents = self.formsets.get("consents")
        if consents is not None and consents.is_valid():
            for form in consents.forms:
                if consents._should_delete_form(form) and form.instance.withdrawn_on:
                    self.add_error(
                        None,
                        _(
                            "The withdrawn consent of %(person)s stays on record: it cannot be "
                            "deleted."
                        )
                        % {"person": form.instance.person},
                    )
        return cleaned

    def save(self, commit=True):
        consents = self.formsets.get("consents")
        if consents is not None and self.for_user is not None:
            for form in consents.forms:
                if form.instance.pk is None and form.has_changed():
                    form.instance.recorded_by = self.for_user
        return super().save(commit=commit)


def _consent_form(base, documents):
    class ConsentForm(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if "form" in self.fields:
                self.fields["form"].queryset = documents
            if self.instance.withdrawn_on is not None:
                # What was consented to, and withdrawn, stays as it was recorded.
                for field in self.fields.values():
                    field.disabled = True

    ConsentForm.__name__ = base.__name__
    return ConsentForm


class WithdrawalForm(forms.Form):
    """When the person withdrew their consent, and why, as the one who received it writes it."""

    withdrawn_on = forms.DateField(
        label=_("Withdrawn on"),
        widget=AdminDateInput,
        help_text=_("The day the person (or their guardian) withdrew the consent."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "How the withdrawal reached us and what was asked, for the record: “Phoned the "
            "communications office on 3 March”. Identity numbers and phone numbers are masked."
        ),
    )

    def __init__(self, *args, given_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.given_on = given_on
        self.fields["withdrawn_on"].initial = timezone.localdate()

    def clean_withdrawn_on(self):
        day = self.cleaned_data["withdrawn_on"]
        if day > timezone.localdate():
            raise ValidationError(
                _("A consent is withdrawn when the person withdraws it, not in advance."),
                code="future",
            )
        if self.given_on is not None and day < self.given_on:
            raise ValidationError(
                _("The consent cannot be withdrawn before it was given."), code="before_given"
            )
        return day

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        if not has_visible_text(reason):
            raise ValidationError(INVISIBLE_ONLY, code="invisible")
        return reason
