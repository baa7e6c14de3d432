"""The history view the governance registers share."""

from django.http import Http404
from wagtail_modeladmin.views import HistoryView


class ScopedHistoryView(HistoryView):
    """An object's history only for those who may inspect it: another municipality's register
    entries are not found, so not even their names show."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.permission_helper.user_can_inspect_obj(
            request.user, self.instance
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)
