"""What a citizen received: a public address fetched through the site's own request handling.

The worker asks the site in its own process, as an anonymous visitor, through every middleware
(the headers, the language, the cache), without the network: the site's public host name need
not resolve where the worker runs. Static files and uploaded media, which a web server or an
object store serves in production, are read from their storages.
"""

import functools
import io
import mimetypes
import sys
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest

#: The User-Agent of the archive's requests (visible in the site's own logs).
USER_AGENT = "wagtail-governed-publishing-archive"


@dataclass
class Fetched:
    """One answer: the address asked, the status, the headers and the body."""

    url: str
    status: int
    reason: str
    headers: list = field(default_factory=list)
    body: bytes = b""
    #: When citizens received it, when that was not at the capture (a datetime), else None.
    date: object = None

    @property
    def content_type(self):
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value
        return ""


class _SiteHandler(BaseHandler):
    """Django's request handling without the request signals (which would close the worker's
    database connection in the middle of its transaction)."""

    def __init__(self, page=None):
        super().__init__()
        self.page = page
        self.load_middleware()

    def _get_response(self, request):
        if self.page is None:
            return super()._get_response(request)
        # A version that is no longer live, served as the site served it when it was.
        response = self.page.serve(request)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response


@functools.cache
def _handler(middleware):
    return _SiteHandler()


def netloc(url):
    """The host (and port) part of ``url``."""
    return urlsplit(url).netloc


def _request(url):
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("iso-8859-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": str(parts.port or (443 if secure else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": parts.netloc,
        "HTTP_USER_AGENT": USER_AGENT,
        "HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https" if secure else "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multiprocess": True,
        "wsgi.multithread": False,
        "wsgi.run_once": False,
    }
    if secure:
        # Behind the site's TLS-terminating proxy, as in production.
        environ["HTTP_X_FORWARDED_PROTO"] = "https"
    return WSGIRequest(environ)


def _answer(url, response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = list(response.items())
    for cookie in response.cookies.values():
        headers.append(("Set-Cookie", cookie.output(header="").strip()))
    # The files the answer streamed from, closed without ``response.close()``, whose
    # request_finished signal would close the worker's database connection mid-transaction.
    for closer in getattr(response, "_resource_closers", ()):
        closer()
    return Fetched(url, response.status_code, response.reason_phrase, headers, body)


def fetch(url):
    """``url`` as the site answers an anonymous visitor now."""
    response = _handler(tuple(settings.MIDDLEWARE)).get_response(_request(url))
    return _answer(url, response)


def fetch_version(url, page):
    """``page`` (a revision's page object) served at ``url`` as the site served it, when that
    version is no longer the live one."""
    return _answer(url, _SiteHandler(page).get_response(_request(url)))


def _from_storage(url, name, storage):
    try:
        with storage.open(name) as handle:
            body = handle.read()
    except (FileNotFoundError, OSError, ValueError):
        return None
    return _file_answer(url, name, body)


def _file_answer(url, name, body):
    """A file read from a storage, answered as a web server would have sent it."""
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    return Fetched(url, 200, "OK", headers, body)


def _static(url, name):
    if staticfiles_storage.exists(name):
        return _from_storage(url, name, staticfiles_storage)
    # Not collected (development): where the finders find it.
    path = finders.find(name)
    if not path:
        return None
    with open(path, "rb") as handle:
        body = handle.read()
    return _file_answer(url, name, body)


def storage_name(path, prefix):
    """The storage name of ``path`` served under ``prefix`` (STATIC_URL, MEDIA_URL), or None."""
    prefix_path = urlsplit(prefix).path
    if prefix_path and path.startswith(prefix_path):
        return unquote_to_bytes(path[len(prefix_path) :]).decode("utf-8", "replace")
    return None


def _media_name(url, site_netloc):
    """The name in the media storage of ``url``, when the storage hands out such addresses
    (``/media/...`` on disk; the bucket's own, signed addresses in an object store)."""
    probe = "archive-probe"
    base = urlsplit(default_storage.url(probe))
    parts = urlsplit(url)
    if parts.netloc != (base.netloc or site_netloc):
        return None
    return storage_name(parts.path, base.path[: -len(probe)])


def fetch_resource(url, site_netloc):
    """A stylesheet, image, font or document ``url`` references, as citizens got it, or None
    when it is another site's (those are not captured)."""
    parts = urlsplit(url)
    name = _media_name(url, site_netloc)
    if name is not None:
        return _from_storage(url, name, default_storage)
    if parts.netloc != site_netloc:
        return None
    name = storage_name(parts.path, settings.STATIC_URL)
    if name is not None:
        return _static(url, name)
    return fetch(url)
