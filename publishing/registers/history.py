"""The history view the governance registers share."""

from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn, UserColumn
from wagtail_modeladmin.views import HistoryView


class ScopedHistoryView(HistoryView):
    """An object's history only for those who may inspect it: another municipality's register
    entries are not found, so not even their names show.

    Its columns are named in the admin's language (wagtail-modeladmin names the person's
    column after its field, in English), and its breadcrumbs say which register and entry the
    history is of (they said only "Home")."""

    columns = [
        Column("message", label=_("Action")),
        UserColumn("user", label=_("Person"), blank_display_name=_("The system")),
        DateColumn("timestamp", label=_("Date")),
    ]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.permission_helper.user_can_inspect_obj(
            request.user, self.instance
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.index_url, "label": capfirst(self.verbose_name_plural)},
            {"url": "", "label": str(self.instance)},
            {"url": "", "label": _("History")},
        ]
