"""The ``--municipality SLUG`` option of the commands that work municipality by municipality."""

from django.core.management.base import CommandError


def add_municipality_option(parser):
    """``--municipality SLUG``, which may be given more than once; none means all."""
    parser.add_argument(
        "--municipality",
        action="append",
        default=[],
        metavar="SLUG",
        help="only this municipality (may be given more than once)",
    )


def chosen_municipalities(municipalities, slugs):
    """``municipalities`` (a queryset) narrowed to ``slugs`` when any are given; an unknown
    slug is an error that names it."""
    if not slugs:
        return municipalities
    municipalities = municipalities.filter(slug__in=slugs)
    unknown = set(slugs) - {m.slug for m in municipalities}
    if unknown:
        raise CommandError(f"No municipality with the slug {', '.join(sorted(unknown))}.")
    return municipalities
