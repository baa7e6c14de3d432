"""The address a request came from, behind the proxies the site trusts.

One answer for everything that counts by client: the feedback form's rate limit and
django-axes' login throttling (``AXES_CLIENT_IP_CALLABLE``). Behind a reverse proxy every
request arrives from the proxy's address; counting that would lock out or throttle a whole
municipality at once.
"""

from publishing.conf import setting


def client_address(request):
    """``REMOTE_ADDR``, or behind ``PUBLISHING_TRUSTED_PROXIES`` proxies the address the nearest
    untrusted hop gave, read from the right of ``X-Forwarded-For`` (the left part can be written
    by anyone)."""
    proxies = setting("TRUSTED_PROXIES")
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")
