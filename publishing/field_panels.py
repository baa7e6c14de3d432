"""A field panel whose choices the editor draws once.

Wagtail's editor describes every panel of the form to its script (telepath), and describes each
field's widget by drawing it a second time, as a template: a select of forty units or leaders is
drawn twice, and its choices read from the database twice. Wagtail's own scripts never draw a
page field from that template: they find the field on the page by its name
(``FieldPanel.getBoundWidget`` in Wagtail's ``core.js``); comments, autosave, preview and the
conditional fields read the page itself. Only a script that calls ``render()`` on a field panel's
widget through ``window.wagtail.editHandler`` would use the template, and it would get the widget
without its choices.
"""

import copy

from django.forms.widgets import ChoiceWidget
from wagtail.admin.panels import FieldPanel
from wagtail.admin.telepath import registry
from wagtail.admin.telepath.widgets import WidgetAdapter


def without_choices(widget):
    """A copy of ``widget`` with no choices, for a choice widget that Wagtail's own adapter
    describes by drawing it; any other widget as it is (its adapter may need its choices)."""
    adapter = registry.find_adapter(type(widget))
    drawn = isinstance(adapter, WidgetAdapter) and type(adapter).js_args is WidgetAdapter.js_args
    if not (drawn and isinstance(widget, ChoiceWidget)):
        return widget
    lean = copy.copy(widget)
    lean.choices = []
    return lean


class FieldPanelDrawnOnce(FieldPanel):
    """Wagtail's ``FieldPanel`` for a field of the page itself: the editor's script gets the
    same kind of widget without its choices, so the choices are read and drawn once, in the
    form."""

    class BoundPanel(FieldPanel.BoundPanel):
        def js_opts(self):
            opts = super().js_opts()
            if opts.get("widget") is not None:
                opts["widget"] = without_choices(opts["widget"])
            return opts
