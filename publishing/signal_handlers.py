"""Signal receivers, connected in ``PublishingConfig.ready``."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils.translation import gettext as _
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupCollectionPermission,
    Page,
    PageLogEntry,
    PageViewRestriction,
    Site,
)
from wagtail.signals import page_published, page_unpublished, post_page_move

from publishing import audit, free_text, memo
from publishing.after_commit import after_commit
from publishing.citizens.sites import forget_site
from publishing.citizens.withdrawal import record_withdrawal
from publishing.conf import page_model
from publishing.documents import checking as document_checks
from publishing.models import (
    Audience,
    BaseInternalNoticePage,
    CrisisBanner,
    Deputyship,
    Municipality,
    OrganisationUnit,
    PublisherCertificate,
    RoleAssignment,
)
from publishing.models.image_consent import read_location_on_save
from publishing.models.municipality import every_municipality
from publishing.models.pages import governed_page_models, refresh_public_credits
from publishing.notifications import mail as notifications
from publishing.reports import live_findings, live_text
from publishing.workflow.tasks import release_pages_held_by_notice


def release_pages_waiting_for_notice(sender, instance, **kwargs):
    """When an internal notice goes live, the pages held for it move on to their leader.

    The worker does it once the publish has committed: the person who published the notice
    does not wait for it, and a publish that is rolled back releases nothing.
    """

    if not isinstance(instance, BaseInternalNoticePage):
        return

    notice_id = instance.pk
    after_commit(lambda: release_pages_held_by_notice.enqueue(notice_id))


def keep_intranet_private(sender, instance, **kwargs):
    """The intranet root's staff restriction may be changed only to another group restriction.

    Wagtail lets anyone with publish permission change page privacy; removing it from the
    intranet would make every staff page public at once.
    """

    if not Municipality.objects.filter(intranet_page_id=instance.page_id).exists():
        return
    deleting = kwargs.get("signal") is pre_delete
    if instance.restriction_type == PageViewRestriction.GROUPS and (
        deleting or instance.pk is None
    ):
        if deleting:
            raise PermissionDenied(_intranet_message())
        return
    if not deleting and instance.restriction_type != PageViewRestriction.GROUPS:
        raise PermissionDenied(_intranet_message())


def _intranet_message():

    return _("The intranet stays restricted to staff; its privacy cannot be removed.")


def refresh_credit_of_unit(sender, instance, raw=False, **kwargs):
    """A renamed unit is named anew on its pages."""
    if not raw:
        refresh_public_credits(units=[instance.pk])


def refresh_credit_of_leader(sender, instance, raw=False, **kwargs):
    """A leader who changes role is shown with the new role on the pages they answer for."""
    if not raw:
        refresh_public_credits(leaders=[instance.user_id])


def remember_banner_municipality(sender, instance, raw=False, **kwargs):
    """Before a banner is saved, note the municipality it stood under (it may be moved)."""
    if not raw and instance.pk:
        instance._previous_municipality_id = (
            sender.objects.filter(pk=instance.pk).values_list("municipality_id", flat=True).first()
        )


def show_crisis_banner_change(sender, instance, raw=False, **kwargs):
    """A banner put up, changed or taken down shows on every page of the site at once: the
    site's cached chrome is dropped, and with a frontend cache, the site's pages are purged.

    Both happen when the transaction commits, so no request in between caches the old state;
    a banner moved to another municipality clears both sites.
    """
    if raw:
        return

    municipality_ids = {
        instance.municipality_id,
        getattr(instance, "_previous_municipality_id", None),
    }
    transaction.on_commit(lambda: _refresh_sites(municipality_ids - {None}))


def _refresh_sites(municipality_ids):

    for municipality in Municipality.objects.filter(pk__in=municipality_ids).select_related(
        "site__root_page"
    ):
        if municipality.site_id is not None:
            forget_site(municipality.site_id)
            purge_site_pages(municipality.site)


def forget_chrome_of_page_site(sender, instance, **kwargs):
    """The footer links the accessibility statement: its publishing changes every page."""

    model = page_model("ACCESSIBILITY_STATEMENT_MODEL")
    if model is not None and isinstance(instance, model):
        municipality = Municipality.objects.for_page(instance)
        if municipality is not None:
            forget_site(municipality.site_id)


def purge_site_pages(site):
    """Purge every live page of ``site`` from the frontend cache, if one is configured."""

    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return

    batch = PurgeBatch()
    batch.add_pages(Page.objects.live().descendant_of(site.root_page, inclusive=True))
    batch.purge()


def remember_municipality_of_deleted_page(sender, instance, **kwargs):
    """A deleted page's history keeps whose page it was, so that the admin lists its entries only
    to that municipality's people: the page itself can no longer be placed in a site's tree."""

    municipality = Municipality.objects.for_page(instance)
    if municipality is None:
        return
    entries = list(PageLogEntry.objects.filter(page_id=instance.pk))
    for entry in entries:
        entry.data = {**(entry.data or {}), "municipality": municipality.slug}
    PageLogEntry.objects.bulk_update(entries, ["data"])


def forget_organisation_of_site_page(sender, instance, **kwargs):
    """A site's root or intranet page about to be deleted: the municipality loses it (its link
    is set to null behind the model's back), so the organisation kept across requests ends."""
    site_pages = set()
    for municipality in every_municipality():
        site_pages.add(municipality.intranet_page_id)
        if municipality.site is not None:
            site_pages.add(municipality.site.root_page_id)
    if instance.pk in site_pages:
        memo.forget()


def connect():

    pre_save.connect(
        keep_intranet_private,
        sender=PageViewRestriction,
        dispatch_uid="publishing_intranet_private_save",
    )
    pre_delete.connect(
        keep_intranet_private,
        sender=PageViewRestriction,
        dispatch_uid="publishing_intranet_private_delete",
    )

    post_save.connect(refresh_credit_of_unit, sender=OrganisationUnit, dispatch_uid="pub_cu")
    post_save.connect(refresh_credit_of_leader, sender=RoleAssignment, dispatch_uid="pub_cl")
    post_delete.connect(refresh_credit_of_leader, sender=RoleAssignment, dispatch_uid="pub_cld")
    pre_save.connect(remember_banner_municipality, sender=CrisisBanner, dispatch_uid="pub_cbp")
    post_save.connect(show_crisis_banner_change, sender=CrisisBanner, dispatch_uid="pub_cb")
    post_delete.connect(show_crisis_banner_change, sender=CrisisBanner, dispatch_uid="pub_cbd")
    page_published.connect(forget_chrome_of_page_site, dispatch_uid="pub_chrome_published")
    page_unpublished.connect(forget_chrome_of_page_site, dispatch_uid="pub_chrome_unpublished")
    page_published.connect(release_pages_waiting_for_notice, dispatch_uid="publishing_notice_live")
    page_published.connect(record_withdrawal, dispatch_uid="publishing_record_withdrawal")
    pre_delete.connect(
        remember_municipality_of_deleted_page, sender=Page, dispatch_uid="pub_deleted_page_owner"
    )
    request_finished.connect(audit.flush_pending, dispatch_uid="publishing_flush_audit")
    # What a request reads once (the municipalities, their organisation), and what makes it
    # read again within the request.
    request_started.connect(memo.open_for_request, dispatch_uid="publishing_memo_open")
    request_finished.connect(memo.close_after_request, dispatch_uid="publishing_memo_close")
    for model in (
        Municipality,
        Site,
        OrganisationUnit,
        RoleAssignment,
        Deputyship,
        Audience,
        PublisherCertificate,
        get_user_model(),
        Collection,
        GroupCollectionPermission,
        CollectionViewRestriction,
        PageViewRestriction,
    ):
        for signal, name in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                memo.forget, sender=model, dispatch_uid=f"pub_memo_{model._meta.label}_{name}"
            )
    m2m_changed.connect(
        memo.forget, sender=get_user_model().groups.through, dispatch_uid="pub_memo_user_groups"
    )
    # A deleted group takes its members and permissions with it, a deleted page may be a site's
    # intranet, and a move changes the tree paths of the pages below the one moved: none of them
    # is seen by the receivers above.
    post_delete.connect(memo.forget, sender=Group, dispatch_uid="pub_memo_group_delete")
    pre_delete.connect(
        forget_organisation_of_site_page, sender=Page, dispatch_uid="pub_memo_site_page_delete"
    )
    post_page_move.connect(memo.forget, dispatch_uid="pub_memo_page_moved")
    # The kept findings of live pages are judged anew after a change to what the rules read.
    live_findings.connect()
    # The kept text checks of live pages (the findings report reads them).

    for model in (Page, *governed_page_models()):
        post_save.connect(
            live_text.forget_and_check, sender=model, dispatch_uid=f"pub_text_{model._meta.label}"
        )

    # An uploaded or replaced image's file is read for GPS coordinates (its uploader is warned).
    post_save.connect(
        read_location_on_save, sender=get_image_model(), dispatch_uid="publishing_image_location"
    )
    document = get_document_model()
    # Every uploaded or replaced file is checked for personal data by the worker.
    post_save.connect(document_checks.document_saved, sender=document, dispatch_uid="pub_doc_check")
    post_save.connect(live_text.forget_pages_linking, sender=document, dispatch_uid="pub_text_doc")
    # Before the delete: Wagtail then removes the references to the document.
    pre_delete.connect(
        live_text.forget_pages_linking, sender=document, dispatch_uid="pub_text_doc_delete"
    )
    # E-mail: the leader when a page reaches approval, the author when changes are requested,
    # staff when an internal notice goes live (in place of Wagtail's own workflow mails).

    notifications.connect()

    free_text.connect()
