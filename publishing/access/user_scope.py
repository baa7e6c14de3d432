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


def kept_for_user(user, key, compute):
    """``compute()`` for ``user``, remembered like ``remembered`` and kept from one request to
    the next for the version of the organisation (``publishing.memo``): only for what follows
    from the organisation alone (groups, roles, municipalities, collections and their
    permissions). ``compute`` must return something that is not changed afterwards."""
    return remembered(user, key, lambda: remember((key, user.pk), compute, across_requests=True))


def municipality_ids(user, key, queryset_of):
    """The primary keys of ``queryset_of(user)`` (a queryset of municipalities), kept: which
    municipalities someone reaches follows from their groups and roles alone."""
    return kept_for_user(
        user,
        ("municipality_ids", key),
        lambda: frozenset(queryset_of(user).values_list("pk", flat=True)),
    )
