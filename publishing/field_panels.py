"""A field panel whose choices the editor draws once.

Wagtail's editor describes every panel of the form to its script (telepath), and describes each
field's widget by drawing it a second time, as a template: a select of forty units or leaders is
drawn twice, and its choices read from the database twice. The script uses that template only to
draw a new copy of the widget, which a field of the page itself never needs: it finds the field
on the page by its name (``FieldPanel.getBoundWidget`` in Wagtail's ``core.js``). StreamField
blocks and inline panels, which do draw new copies, keep Wagtail's own panels.
"""

import copy

from wagtail.admin.panels import FieldPanel


def without_choices(widget):
    """A copy of ``widget`` with no choices (the widget itself when it has none)."""
    if not hasattr(widget, "choices"):
        return widget
    lean = copy.copy(widget)
    lean.choices = []
    return lean


class FieldPanelDrawnOnce(FieldPanel):
    """Wagtail's ``FieldPanel`` for a field of the page itself: the editor's script gets the
    same kind of widget without its choices, so the choices are read and drawn once, in the
    form. Not for fields inside blocks or inline panels."""

    class BoundPanel(FieldPanel.BoundPanel):
        def js_opts(self):
            opts = super().js_opts()
            if opts.get("widget") is not None:
                opts["widget"] = without_choices(opts["widget"])
            return opts
