"""What a signed-in user may reach, worked out once per request.

The registers ask, for every row of a listing, whether the user may inspect, edit or delete it.
Asking the database each time made a listing of a hundred rows cost hundreds of queries; the
answers depend on the user, not the row, so they are read once and kept on the user object,
which lives for one request (``request.user``).
"""

from publishing.memo import remember


def remembered(user, key, compute):
    """``compute()``, computed once per user object and kept under ``key``."""
    kept = user.__dict__.setdefault("_publishing_scope", {})
    if key not in kept:
        kept[key] = compute()
    return kept[key]


def municipality_ids(user, key, queryset_of):
    """The primary keys of ``queryset_of(user)`` (a queryset of municipalities), remembered,
    and kept for the version of the organisation (``publishing.memo``): which municipalities
    someone reaches follows from their groups and roles alone."""
    return remembered(
        user,
        key,
        lambda: remember(
            ("municipality_ids", key, user.pk),
            lambda: frozenset(queryset_of(user).values_list("pk", flat=True)),
            across_requests=True,
        ),
    )
