"""What a signed-in user may reach, worked out once per request.

The registers ask, for every row of a listing, whether the user may inspect, edit or delete it.
Asking the database each time made a listing of a hundred rows cost hundreds of queries; the
answers depend on the user, not the row, so they are read once and kept on the user object,
which lives for one request (``request.user``).
"""


def remembered(user, key, compute):
    """``compute()``, computed once per user object and kept under ``key``."""
    kept = user.__dict__.setdefault("_publishing_scope", {})
    if key not in kept:
        kept[key] = compute()
    return kept[key]


def municipality_ids(user, key, queryset_of):
    """The primary keys of ``queryset_of(user)`` (a queryset of municipalities), remembered."""
    return remembered(user, key, lambda: set(queryset_of(user).values_list("pk", flat=True)))
