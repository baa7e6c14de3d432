"""Which state of the organisation the answers kept across requests belong to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationVersion(models.Model):
    """One row whose ``token`` is given a new random value, in the same transaction, by every
    save or delete of what ``publishing.memo`` keeps across requests (municipalities, sites,
    units, roles, deputies, audiences, certificates, users and their groups, collections and
    their permissions, view restrictions, moved pages, a site's deleted root or intranet page).

    A process keeps its answers for one token and reads them again when the token it finds is
    another: a change committed in any process is seen by the next request everywhere, and a
    change rolled back leaves the token it had (a new random value is never one used before).
    """

    token = models.CharField(_("token"), max_length=32)

    class Meta:
        verbose_name = _("version of the organisation")
        verbose_name_plural = _("versions of the organisation")

    def __str__(self):
        return self.token
