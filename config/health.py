"""``/healthz/``: whether this app server can reach its database and its cache.

For load balancers and monitoring: 200 with ``{"status": "ok", ...}`` when both answer, 503 with
the part that failed otherwise. It names no hosts and no errors (those go to the log), and is
never cached.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache():
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 10)
    try:
        return cache.get(key) == value
    finally:
        cache.delete(key)


CHECKS = {"database": _database, "cache": _cache}


@never_cache
def healthz(request):
    """Run each check; 503 if any fails."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "error"
        except Exception:  # a health check reports failures, it does not raise them
            logger.exception("health check %s failed", name)
            results[name] = "error"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **results}, status=200 if healthy else 503
    )
