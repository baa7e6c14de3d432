"""The ``--municipality SLUG`` option of the commands that work municipality by municipality."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def add_municipality_option(parser):
    """``--municipality SLUG``, which may be given more than once; none means all."""
    parser.add_argument(
        "--municipality",
        action="append",
        default=[],
        metavar="SLUG",
        help="only this municipality (may be given more than once)",
    )


def unknown_municipality(slugs, known):
    """The error for ``slugs`` that name no municipality, listing the ``known`` slugs."""
    if known:
        return CommandError(
            _("No municipality with the slug %(slugs)s. The municipalities are: %(known)s.")
            % {"slugs": ", ".join(sorted(slugs)), "known": ", ".join(sorted(known))}
        )
    return CommandError(
        _("No municipality with the slug %(slugs)s. There is no municipality yet.")
        % {"slugs": ", ".join(sorted(slugs))}
    )


def chosen_municipalities(municipalities, slugs):
    """``municipalities`` (a queryset) narrowed to ``slugs`` when any are given; an unknown
    slug is an error that names it and the known ones."""
    if not slugs:
        return municipalities
    chosen = municipalities.filter(slug__in=slugs)
    unknown = set(slugs) - {m.slug for m in chosen}
    if unknown:
        known = municipalities.model.objects.values_list("slug", flat=True)
        raise unknown_municipality(unknown, set(known))
    return chosen
