"""The choice between each workflow mail and one summary a day, in the user's own account.

The panel sits on Wagtail's Notifications tab, above Wagtail's own switches, where the footer of
every workflow mail links (``mail.notification_preferences_url``: ``#tab-notifications``). The
account view builds its panels for the signed-in user only, so nobody changes another person's
choice here.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.account import BaseSettingsPanel, notifications_tab

from publishing.models import MailPreference


class MailPreferenceForm(forms.ModelForm):
    """Each event, or one summary a day."""

    class Meta:
        model = MailPreference
        fields = ["mode"]
        widgets = {"mode": forms.RadioSelect}
        labels = {"mode": _("How you get it")}
        help_texts = {
            "mode": _(
                "The summary comes once a day and lists what waits for your decision, what you "
                "submitted that is still in the workflow and what came back to you. Mail that "
                "cannot wait still comes at once: a notice to staff, a crisis publish to review "
                "and a scheduled publish that was stopped. The switches below still decide "
                "whether you hear of approvals and rejections at all."
            )
        }

    def save(self, commit=True):
        preference = super().save(commit=False)
        if "mode" in self.changed_data:
            preference.changed_at = timezone.now()
        if commit:
            preference.save()
        return preference


class MailPreferencePanel(BaseSettingsPanel):
    """The choice on the account's Notifications tab, first on the tab."""

    name = "workflow_mail"
    title = _("Workflow mail")
    tab = notifications_tab
    order = 50  # Wagtail's own switches are 100
    form_class = MailPreferenceForm

    def get_form(self):
        preference = MailPreference.objects.filter(user=self.user).first()
        kwargs = {"instance": preference or MailPreference(user=self.user), "prefix": self.name}
        # Bound only when the account form sent the choice: a post from elsewhere in the
        # account (a new password alone) leaves it as it is instead of failing for it.
        if self.request.method == "POST" and f"{self.name}-mode" in self.request.POST:
            return self.form_class(self.request.POST, **kwargs)
        return self.form_class(**kwargs)


@hooks.register("register_account_settings_panel")
def register_mail_preference_panel(request, user, profile):
    return MailPreferencePanel(request, user, profile)
