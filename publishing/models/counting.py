"""The first rows of a panel's list and how many rows the list has, in one query.

A panel shows ten rows and says how many there are in all. Asked as two queries, the database
finds the rows twice (at 50,000 pages, each pass over a thousand overdue pages or waiting steps
takes 10–20 ms); a window count (``COUNT(*) OVER ()``) is computed over the whole list before
the limit, so one pass gives both.
"""

from django.db import connections
from django.db.models import Count, Window

#: The name of the window count on each row.
COUNT_NAME = "rows_in_all"


def first_rows_and_count(queryset, limit):
    """The first ``limit`` rows of ``queryset`` in its order (objects, or dicts for a
    ``values()`` queryset) and how many rows the whole queryset has, in one query."""

    rows = list(queryset.annotate(**{COUNT_NAME: Window(Count("*"))})[:limit])
    if not rows:
        return [], 0
    first = rows[0]
    total = first[COUNT_NAME] if isinstance(first, dict) else getattr(first, COUNT_NAME)
    return rows, total


def first_union_rows_and_count(union, fields, order_by, limit):
    """``first_rows_and_count`` for a ``union()`` of ``values_list(*fields)`` querysets, which
    Django cannot annotate: the rows as dicts of ``fields``, ordered by the fields named in
    ``order_by``."""

    connection = connections[union.db]
    quote = connection.ops.quote_name
    compiler = union.order_by().query.get_compiler(union.db)
    sql, params = compiler.as_sql()
    columns = ", ".join(quote(field) for field in fields)
    order = ", ".join(quote(field) for field in order_by)
    # Only quoted field names and Django's own compiled SQL go into the text; values are params.
    text = (
        f"SELECT {columns}, COUNT(*) OVER () FROM ({sql}) counted_rows "  # noqa: S608
        f"ORDER BY {order} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(text, [*params, limit])
        rows = cursor.fetchall()
    if not rows:
        return [], 0
    # The values as Django gives them (a date, not SQLite's text), by the union's own fields.
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    values = compiler.apply_converters([row[:-1] for row in rows], converters)
    return [dict(zip(fields, row, strict=True)) for row in values], rows[0][-1]
