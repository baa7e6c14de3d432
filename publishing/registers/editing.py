"""Saving a register's entry: one change at a time, never over someone else's.

A register's form carries a digest of the entry as it was opened (``MunicipalityScopedForm``).
The edit view compares it with the entry as stored, in the transaction that saves, with the row
locked: a form sent after someone else saved the entry (another tab, a colleague) is refused
with that said and its entries kept, and of two sends of one form that overlap (two tabs sent at
once, a double click), the second waits for the first and finds the entry changed. A second send
that would store exactly what the first stored (a double click) is taken as done, not refused.
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from wagtail_modeladmin.views import EditView

from publishing.editor.forms import row_digest


class RegisterEditView(EditView):
    """Wagtail-modeladmin's edit view for a register, refusing a form opened on an entry that
    has changed since."""

    def form_valid(self, form):
        with transaction.atomic():
            manager = type(self.instance)._default_manager
            stored = manager.select_for_update().filter(pk=self.instance.pk).first()
            if stored is not None and not form.changed_since_opened(stored):
                return super().form_valid(form)
            # Deleted meanwhile: refused, not saved anew.
            already_done = stored is not None and row_digest(stored) == row_digest(form.instance)
        if already_done:
            self.instance = stored
            messages.success(self.request, self.get_success_message(stored))
            return redirect(self.get_success_url())
        form.refuse_as_changed_meanwhile()
        return self.form_invalid(form)
