"""Admin forms that keep each municipality's editors inside their own organisation."""

import hashlib
import json

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from publishing.editor.leader_picker import use_leader_picker
from publishing.models.municipality import GROUP_KEYS, Municipality
from publishing.models.organisation import LEADER_ROLES, Audience, OrganisationUnit, RoleAssignment
from publishing.people import show_people_as_people
from publishing.rules import blocking, check_publish, check_submit
from publishing.visible_text import has_visible_text
from publishing.wording import quoted


def leaders_of(municipality, on=None):
    """Users holding an active leader role somewhere in ``municipality``."""
    assignments = RoleAssignment.objects.active(on).filter(
        unit__municipality=municipality, role__in=LEADER_ROLES
    )
    return (
        get_user_model()
        .objects.filter(pk__in=assignments.values("user"))
        .order_by("first_name", "last_name", "username")
    )


def add_months(day, months):
    """``day`` moved ``months`` ahead, clamped to the last day of the target month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


#: The buttons of the page editor that submit a page to its workflow.
SUBMIT_ACTIONS = ("action-submit", "action-restart-workflow")


class GovernedPageForm(WagtailAdminPageForm):
    """The page form of every governed page type.

    Choices for unit, leader and audiences come from the municipality that owns the page's site,
    the legal bases from its profile, and a new page's review date from its review interval.

    ``submit_checklist`` is the municipality's "vær varsom" checklist: a form-only field that
    must have every item ticked when the page is submitted to its workflow, and is never stored on
    the page, so each submission is confirmed afresh. After a valid submission,
    ``confirmed_checklist`` holds the confirmed items as the profile words them.

    ``note_to_approver`` is another form-only field: what changed and why, in the submitter's
    words, kept with the submitted version (``SubmissionNote``); the profile's
    ``workflow.require_submission_note`` makes it required on submit. After a valid submission
    ``submission_note`` holds it.
    """

    submit_checklist = forms.MultipleChoiceField(
        label=gettext_lazy("I have checked that"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Tick every item before you submit the page for approval. The ticks are stored with "
            "the submitted version and shown to the leader; you confirm again each time you submit."
        ),
    )

    note_to_approver = forms.CharField(
        label=gettext_lazy("Note to the approver"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "What changed and why, in a sentence or two. The leader reads it when approving; it "
            "is stored with the version you submit. Write a new note each time you submit."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Fields with a callable model default (a news date of "today") would otherwise
            # always count as changed, so a leader who approves in the editor would save a
            # revision of their own and then be refused by the four-eyes rule.
            field.show_hidden_initial = False
        self.municipality = self._find_municipality()
        self.confirmed_checklist = []
        self.submission_note = ""
        self.checklist = self.municipality.checklist if self.municipality else []
        if self.checklist:
            self.fields["submit_checklist"].choices = [
                (item["code"], item["text"]) for item in self.checklist
            ]
        else:
            del self.fields["submit_checklist"]
        if self.municipality is None:
            return
        municipality = self.municipality
        if "owning_unit" in self.fields:
            self.fields["owning_unit"].queryset = OrganisationUnit.objects.filter(
                municipality=municipality
            ).order_by("name")
        if "audiences" in self.fields:
            self.fields["audiences"].queryset = Audience.objects.filter(municipality=municipality)
        if "communication_plan" in self.fields:
            self.fields["communication_plan"].queryset = municipality.communication_plans.all()
        if "about_pages" in self.fields and municipality.site_id:
            # A notice tells its own staff about its own municipality's pages; the other
            # municipality's page titles are not offered (nor accepted).
            field = self.fields["about_pages"]
            field.queryset = field.queryset.descendant_of(
                municipality.site.root_page, inclusive=True
            ).order_by("title")
        self._foreign_choices = []
        site_root = municipality.site.root_page if municipality.site_id else None
        for name, root in (
            ("internal_notice", municipality.intranet_page),
            ("withdrawal_see_instead", site_root),
        ):
            if name in self.fields and root is not None:
                self._keep_choice_within(name, root)
        if "responsible_leader" in self.fields:
            queryset = leaders_of(municipality)
            kept = {self.instance.responsible_leader_id, self._chosen_person_of(municipality)}
            kept.discard(None)
            if kept:
                # Keep the current leader, and the person just chosen, selectable after their
                # role has ended (in another tab, by the registers' keeper): the form shows the
                # truth, the rules say what to change, and nothing is blanked for autosave to
                # store.
                queryset = queryset | get_user_model().objects.filter(pk__in=kept)
            self.fields["responsible_leader"].queryset = queryset.distinct()
            use_leader_picker(
                self.fields["responsible_leader"], municipality, unit_id=self._owning_unit_id()
            )
        if "exemption_basis" in self.fields and municipality.legal_bases:
            choices = [("", "---------")] + [
                (basis["citation"], f"{basis['citation']} – {basis['label']}")
                for basis in municipality.legal_bases
            ]
            current = self.instance.exemption_basis
            if has_visible_text(current) and current not in dict(choices):
                choices.append((current, current))
            self.fields["exemption_basis"].widget = forms.Select(choices=choices)
        if "review_by" in self.fields and not self.instance.pk and not self.is_bound:
            months = municipality.workflow_settings.get("review_interval_months")
            if months and not self.initial.get("review_by"):
                self.initial["review_by"] = add_months(timezone.localdate(), int(months))

    def _keep_choice_within(self, name, root):
        """The page chooser field ``name`` holds only a page of ``root``'s tree. Another
        municipality's page id, posted by hand, is refused, and not shown back: the chooser
        would show its title."""
        field = self.fields[name]
        field.queryset = field.queryset.descendant_of(root, inclusive=True)
        if not self.is_bound:
            return
        key = self.add_prefix(name)
        value = self.data.get(key)
        if value in (None, ""):
            return
        try:
            found = field.queryset.filter(pk=value).exists()
        except (TypeError, ValueError):
            found = False
        if not found:
            self.data = self.data.copy()
            self.data[key] = ""
            self._foreign_choices.append(name)

    def clean(self):
        cleaned = super().clean()
        for name in getattr(self, "_foreign_choices", []):
            self.add_error(name, self.fields[name].error_messages["invalid_choice"])
        return cleaned

    def _posted_id(self, name):
        """The id the bound form sends for field ``name``, or None (unbound, empty, not an id)."""
        value = str(self.data.get(self.add_prefix(name)) or "") if self.is_bound else ""
        return int(value) if value.isdigit() and int(value) else None

    def _chosen_person_of(self, municipality):
        """The id of the responsible leader this bound form sends, when that person holds or
        held a role in ``municipality`` (anyone else stays an invalid choice), or None."""
        chosen = self._posted_id("responsible_leader")
        if chosen is None:
            return None
        held = RoleAssignment.objects.filter(user_id=chosen, unit__municipality=municipality)
        return chosen if held.exists() else None

    def _owning_unit_id(self):
        """The owning unit the form shows: the one posted, else the page's."""
        if self.is_bound:
            return self._posted_id("owning_unit")
        return self.instance.owning_unit_id

    def _post_clean(self):
        super()._post_clean()
        self.governance_findings = []
        had_errors = bool(self.errors)
        # Checked even when other fields have errors, so the publisher sees everything at once.
        self._check_submit_checklist()
        self._check_submission_note()
        if self.is_deferred_validation or had_errors:
            return
        # The choices kept beside the page (its audiences) reach the page only when the form
        # saves it: judge the page as ticked in this form, not as it was last saved.
        self.save_cluster_m2m()
        if "action-publish" in self.data:
            findings = check_publish(
                self.instance,
                user=self.for_user,
                parent=self.parent_page,
                scheduled_for=self._future_go_live(),
            )
        elif "action-submit" in self.data:
            findings = check_submit(self.instance, user=self.for_user, parent=self.parent_page)
        else:
            return
        self.governance_findings = blocking(findings)
        for finding in self.governance_findings:
            field = finding.field if finding.field in self.fields else None
            self.add_error(field, f"{finding.message} {finding.fix}")

    @property
    def is_submitting(self):
        """True when the publisher pressed a button that submits the page to its workflow."""
        return any(action in self.data for action in SUBMIT_ACTIONS)

    def _check_submit_checklist(self):
        """On submit every checklist item must be ticked; the error names the ones that are not."""
        if not self.checklist or not self.is_submitting:
            return
        if "submit_checklist" in self.errors:
            return  # a tampered choice; Django has said so already
        ticked = set(self.cleaned_data.get("submit_checklist") or [])
        missing = [item for item in self.checklist if item["code"] not in ticked]
        if not missing:
            self.confirmed_checklist = [dict(item) for item in self.checklist]
            return
        if len(missing) == len(self.checklist):
            message = _(
                "Confirm the checklist before you submit: tick each item under “Before you "
                "submit”. None is ticked yet."
            )
        else:
            message = _("Confirm the checklist before you submit. Not ticked yet: %(items)s") % {
                "items": " ".join(quoted(item["text"]) for item in missing)
            }
        self.add_error("submit_checklist", message)

    def _check_submission_note(self):
        """On submit, keep the note to the approver; refuse an empty one where the profile
        requires it."""
        if not self.is_submitting or "note_to_approver" in self.errors:
            return
        note = (self.cleaned_data.get("note_to_approver") or "").strip()
        if has_visible_text(note):
            self.submission_note = note
            return
        settings = self.municipality.workflow_settings if self.municipality else {}
        if settings.get("require_submission_note"):
            self.add_error(
                "note_to_approver",
                _("Write a note to the approver before you submit: what changed and why."),
            )

    def _future_go_live(self):
        go_live_at = self.instance.go_live_at
        return go_live_at if go_live_at and go_live_at > timezone.now() else None

    def _find_municipality(self):
        if self.instance.pk:
            return Municipality.objects.for_page(self.instance)
        if self.parent_page is not None:
            return Municipality.objects.for_page(self.parent_page)
        return None


def row_digest(instance):
    """A digest of ``instance``'s stored values: what a register's form was opened with."""
    values = [
        (field.attname, field.value_to_string(instance)) for field in instance._meta.concrete_fields
    ]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


class MunicipalityScopedForm(WagtailAdminModelForm):
    """A register form whose municipality, unit and user choices are limited to what the
    editing user may see, and which does not save over a change made after it was opened.

    ``opened_as`` carries the row's digest as the form showed it; a form sent after someone
    else saved the row (another tab, a colleague) is refused with that said, and its entries
    stay in the form (``registers.editing.RegisterEditView`` asks, with the row locked).
    """

    opened_as = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["opened_as"]
        else:
            self.fields["opened_as"].initial = row_digest(self.instance)
        user = self.for_user
        if user is None:
            return
        # The choices decide what the user can write: only municipalities they may change.
        municipalities = Municipality.objects.editable_by(user)
        for _name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            model = queryset.model
            if model is Municipality:
                field.queryset = municipalities
            elif model is OrganisationUnit:
                field.queryset = queryset.filter(municipality__in=municipalities)
            elif model is RoleAssignment:
                field.queryset = queryset.filter(unit__municipality__in=municipalities)
            elif model is get_user_model() and not user.is_superuser:
                field.queryset = queryset.filter(
                    is_active=True,
                    groups__in=[
                        m.group(key)
                        for m in municipalities
                        for key in GROUP_KEYS
                        if m.group(key) is not None
                    ],
                ).distinct()
            if model is get_user_model():
                show_people_as_people(field)

    def changed_since_opened(self, row):
        """Whether ``row``, the entry as stored now, is no longer the entry the form was opened
        with (``opened_as``)."""
        opened_as = self.cleaned_data.get("opened_as")
        return bool(opened_as) and opened_as != row_digest(row)

    def refuse_as_changed_meanwhile(self):
        """Refuse the form because someone else saved the entry after it was opened."""
        self.add_error(
            None,
            forms.ValidationError(
                _(
                    "Someone else changed this %(thing)s after you opened it, so your changes "
                    "were not saved. Open it again to see their change, then make yours."
                )
                % {"thing": self.instance._meta.verbose_name},
                code="changed_meanwhile",
            ),
        )


class LoginForm(WagtailLoginForm):
    """Wagtail's login form with its password label translated.

    Wagtail's password field has no label, so Django shows the field's name, "Password", in
    English on every sign-in page (``WAGTAILADMIN_USER_LOGIN_FORM``).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = gettext_lazy("Password")
