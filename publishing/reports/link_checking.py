"""Checking external web addresses over HTTP: politely, in bounded parallel, and safely.

``check_urls(urls, options)`` checks each address once and says for each what it found
(``Result``): it works, it failed (and why), robots.txt asks not to check it, or it points to
a private address. Nothing here reads or writes the database; the nightly run
(``publishing.reports.nightly_links``) decides what a result means for the report.

- **Polite**: a User-Agent that names the product and the municipality's site, each host's
  robots.txt read once per run (and obeyed), at most ``per_host`` requests to one host at a
  time and ``concurrency`` in all, HEAD before GET, and a GET reads a few KB at most.
- **Bounded**: connect and read timeouts on every request, and a total deadline on each fetch
  (``total_timeout``, redirects and robots.txt included) that shrinks the socket's timeout to
  what remains before every read, of the headers as of the body: a server that sends a byte
  just inside the read timeout cannot hold a check longer. Redirects are followed up to a
  limit, and a run can be given a time it must end by (``stop_at``): what is not checked by
  then is left out of the results.
- **Ports**: only the default ports (80, 443) and those of ``ports`` are asked; an address with
  another port is not checked (``PORT``), so editors cannot make the worker talk to a mail
  server or a database.
- **Safe (SSRF)**: editors type these addresses, and the worker runs inside the
  municipality's network. Every address a host name resolves to is checked before connecting,
  and the connection goes to the address that was checked (a second lookup could answer
  otherwise): loopback, private, link-local, multicast and reserved addresses are refused, also
  after a redirect, unless ``allow_private`` (the tests' servers on 127.0.0.1). Proxies from the
  environment are not used, since the proxy would connect where the check cannot see.
"""

import concurrent.futures
import contextlib
import http.client
import io
import ipaddress
import logging
import socket
import ssl
import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from publishing.conf import DEFAULTS, setting

logger = logging.getLogger(__name__)

#: What a check found.
OK, FAILED, ROBOTS, PRIVATE, INCONCLUSIVE = "ok", "failed", "robots", "private", "inconclusive"
#: Not checked: the address names a port the checker does not ask (``Options.ports``).
PORT = "port"
#: Why a check failed (``publishing.models.LinkError``'s values).
TIMEOUT, CONNECTION, DNS, TLS, REDIRECTS = "timeout", "connection", "dns", "tls", "redirects"
CLIENT_ERROR, SERVER_ERROR, INVALID = "client_error", "server_error", "invalid"

#: HEAD answers after which the link is asked again with GET: servers that do not do HEAD
#: (405, 501), refuse it (403), or answer it wrongly (any other error status).
GET_AFTER_HEAD = (403, 405, 501)
#: A GET reads at most this much of the body: enough to know the server sends it.
READ_AT_MOST = 4096
#: "Too many requests": the site is there but wants fewer; not a broken link.
TOO_MANY_REQUESTS = 429

PRODUCT = "wagtail-governed-publishing"
VERSION = "0.1"
#: The name robots.txt rules are read for: a site's ``User-agent:`` line matches it when it
#: names this or a part of it ("wagtail-governed-publishing").
ROBOTS_AGENT = f"{PRODUCT}-linkcheck"
#: The ports always asked: those of http and https.
DEFAULT_PORTS = (80, 443)


@dataclass(frozen=True)
class Options:
    """How a run checks: from the settings (``Options.from_settings``) or a test's own."""

    user_agent: str = f"{ROBOTS_AGENT}/{VERSION}"
    concurrency: int = 8
    per_host: int = 2
    connect_timeout: float = 10
    read_timeout: float = 10
    max_redirects: int = 10
    allow_private: bool = False
    #: Seconds one fetch (its redirects included) may take in all, however the server drips.
    total_timeout: float = DEFAULTS["LINK_CHECK_TOTAL_TIMEOUT"]
    #: Ports asked besides 80 and 443; None for any port.
    ports: tuple | None = DEFAULTS["LINK_CHECK_PORTS"]

    @classmethod
    def from_settings(cls, site_url=""):
        """The settings' options; the User-Agent names ``site_url`` (the municipality's site)."""
        agent = setting("LINK_CHECK_USER_AGENT") or user_agent(site_url)
        return cls(
            user_agent=agent,
            concurrency=max(1, int(setting("LINK_CHECK_CONCURRENCY"))),
            per_host=max(1, int(setting("LINK_CHECK_PER_HOST"))),
            connect_timeout=float(setting("LINK_CHECK_CONNECT_TIMEOUT")),
            read_timeout=float(setting("LINK_CHECK_READ_TIMEOUT")),
            max_redirects=int(setting("LINK_CHECK_MAX_REDIRECTS")),
            allow_private=bool(setting("LINK_CHECK_ALLOW_PRIVATE_ADDRESSES")),
            total_timeout=float(setting("LINK_CHECK_TOTAL_TIMEOUT")),
            ports=allowed_ports(setting("LINK_CHECK_PORTS")),
        )

    @property
    def timeout(self):
        return (self.connect_timeout, self.read_timeout)


def allowed_ports(ports):
    """The ports asked (``ports`` and the default ones), or None for any port."""
    return None if ports is None else tuple(sorted({*DEFAULT_PORTS, *map(int, ports)}))


def user_agent(site_url=""):
    """The checker's User-Agent: the product, and where its owner can be found."""
    contact = f" (+{site_url.rstrip('/')}/; link check)" if site_url else " (link check)"
    return f"{ROBOTS_AGENT}/{VERSION}{contact}"


@dataclass
class Result:
    """What checking ``url`` found: ``status`` (``OK``, ``FAILED``, ``ROBOTS``, ``PRIVATE``,
    ``PORT``, ``INCONCLUSIVE``), why it failed (``error``), the HTTP status of the last answer
    and the address it ended at after redirects."""

    url: str
    status: str
    error: str = ""
    http_status: int | None = None
    final_url: str = ""

    @property
    def failed(self):
        return self.status == FAILED


# --- the total deadline of a fetch ---------------------------------------------------------
#
# Timeouts of sockets apply to each read: a server that sends a byte now and then keeps a
# request going for as long as it likes. A fetch therefore has a deadline (in its thread), and
# the socket's timeout is shortened to what remains of it before connecting and before every
# read of the answer: its status line and headers (read by ``http.client``) as its body.

_deadline = threading.local()


class DeadlinePassed(requests.exceptions.Timeout):
    """A fetch took longer than ``Options.total_timeout`` in all."""


def remaining():
    """Seconds left before the deadline of this thread's fetch, or None outside a fetch."""
    at = getattr(_deadline, "at", None)
    return None if at is None else at - time.monotonic()


@contextlib.contextmanager
def deadline(seconds):
    """Give what runs inside (in this thread) ``seconds`` in all, or less if an outer
    deadline comes first."""
    earlier = getattr(_deadline, "at", None)
    at = time.monotonic() + seconds
    _deadline.at = at if earlier is None else min(at, earlier)
    try:
        yield
    finally:
        _deadline.at = earlier


def within_deadline(timeout):
    """``timeout`` (seconds, or None for none) shortened to what remains of the deadline;
    ``TimeoutError`` when nothing remains."""
    left = remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise TimeoutError("The deadline of the link check has passed.")
    return left if timeout is None else min(timeout, left)


class _DeadlineIO(socket.SocketIO):
    """The socket an answer is read from, with its timeout shortened before each read."""

    def __init__(self, sock):
        super().__init__(sock, "rb")
        # urllib3 sets the read timeout on the socket just before the answer is read.
        self._read_timeout = sock.gettimeout()

    def readinto(self, b):
        self._sock.settimeout(within_deadline(self._read_timeout))
        return super().readinto(b)


class _ReadsWithDeadline:
    """What ``http.client.HTTPResponse`` asks for its file: the socket's, read through
    ``_DeadlineIO``."""

    def __init__(self, sock):
        self.sock = sock

    def makefile(self, mode, *args, **kwargs):
        raw = _DeadlineIO(self.sock)
        # As ``socket.makefile``: a socket closed while its answer is read closes afterwards.
        self.sock._io_refs += 1
        return io.BufferedReader(raw)


class _DeadlineResponse(http.client.HTTPResponse):
    """``http.client``'s answer, reading its headers and body within the fetch's deadline."""

    def __init__(self, sock, *args, **kwargs):
        super().__init__(_ReadsWithDeadline(sock), *args, **kwargs)


# --- the guard against private addresses ----------------------------------------------------


class PrivateAddress(Exception):
    """The host resolves to an address the checker must not connect to."""


def is_public_address(address):
    """Whether ``address`` (an IP address as text) is one the checker may connect to: not
    loopback, private, link-local, multicast, reserved or unspecified (nor an IPv4 address of
    those written as IPv6)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope ("fe80::1%eth0")
    mapped = getattr(ip, "ipv4_mapped", None) or getattr(ip, "sixtofour", None)
    if mapped is not None:
        ip = mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


class _GuardedConnectionMixin:
    """A urllib3 connection that resolves its host itself, refuses private addresses, and
    connects to the addresses it checked (TLS still checks the certificate for the name)."""

    allow_private = False
    response_class = _DeadlineResponse

    def _new_conn(self):
        host = self._dns_host
        timeout = self.timeout if isinstance(self.timeout, int | float) else None
        try:
            timeout = within_deadline(timeout)
        except TimeoutError as error:
            raise ConnectTimeoutError(self, f"No time left to connect to {self.host}.") from error
        try:
            found = socket.getaddrinfo(host, self.port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        addresses = [info[4][0] for info in found]
        if not self.allow_private and not all(is_public_address(a) for a in addresses):
            # Every address, not only the first: a name that answers with a public and a
            # private address would otherwise reach the private one on a second try.
            raise PrivateAddress(self.host)
        last_error = None
        for address in dict.fromkeys(addresses):
            try:
                # The TLS handshake that follows is bounded by this timeout as a whole.
                return urllib3_connection.create_connection(
                    (address, self.port),
                    timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as error:
                last_error = ConnectTimeoutError(self, f"Connection to {self.host} timed out.")
                last_error.__cause__ = error
            except OSError as error:
                last_error = NewConnectionError(self, f"Failed to connect: {error}")
                last_error.__cause__ = error
        raise last_error or NewConnectionError(self, "No address to connect to.")


def _guarded_adapter(allow_private):
    """A requests adapter whose connections go through the guard."""

    def connection(base):
        attributes = {"allow_private": allow_private}
        return type(base.__name__, (_GuardedConnectionMixin, base), attributes)

    pools = {
        "http": type(
            "GuardedHTTPConnectionPool",
            (HTTPConnectionPool,),
            {"ConnectionCls": connection(HTTPConnection)},
        ),
        "https": type(
            "GuardedHTTPSConnectionPool",
            (HTTPSConnectionPool,),
            {"ConnectionCls": connection(HTTPSConnection)},
        ),
    }

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

    return GuardedAdapter(max_retries=0)


def new_session(options):
    """A ``requests`` session for one worker thread of a run."""
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: see the module's docstring
    session.headers["User-Agent"] = options.user_agent
    session.headers["Accept"] = "text/html,application/xhtml+xml,*/*;q=0.8"
    adapter = _guarded_adapter(options.allow_private)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --- one request, one address ---------------------------------------------------------------


class TooManyRedirects(Exception):
    """More redirects than ``Options.max_redirects`` (or a loop)."""


class InvalidAddress(Exception):
    """Not an http(s) address with a host."""


class PortNotAllowed(Exception):
    """The address names a port the checker does not ask (``Options.ports``)."""


#: ``web_address``'s ports when none are given: those of the settings.
FROM_SETTINGS = object()


def web_address(url, ports=FROM_SETTINGS):
    """``url`` if it is an http(s) address with a host; ``InvalidAddress`` if not, and
    ``PortNotAllowed`` if it names a port other than 80, 443 and ``ports`` (None: any port;
    by default ``LINK_CHECK_PORTS``)."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port that is no number
    except ValueError as error:
        raise InvalidAddress(url) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidAddress(url)
    if ports is FROM_SETTINGS:
        ports = allowed_ports(setting("LINK_CHECK_PORTS"))
    if port is not None and ports is not None and port not in ports and port not in DEFAULT_PORTS:
        raise PortNotAllowed(url)
    return url


def fetch(session, method, url, options, read=READ_AT_MOST):
    """``(status code, final address, the body's first bytes)`` of ``method`` on ``url``,
    following redirects, within ``options.total_timeout`` seconds in all (``DeadlinePassed``
    when it takes longer).

    Redirects are followed here, one request each, so that each hop is counted and goes
    through the guard, and no redirect's body is read. A GET reads ``read`` bytes of a
    successful answer at most (a HEAD none).
    """
    with deadline(options.total_timeout):
        try:
            return _fetch(session, method, url, options, read)
        except REQUEST_ERRORS as error:
            if remaining() <= 0:
                raise DeadlinePassed(f"No answer from {url} in time.") from error
            raise


def _fetch(session, method, url, options, read):
    for _hop in range(options.max_redirects + 1):
        web_address(url, options.ports)
        # The hop's timeouts, no longer than what remains: a refusal when nothing remains.
        left = remaining()
        if left <= 0:
            raise DeadlinePassed(f"No answer from {url} in time.")
        timeout = (min(options.connect_timeout, left), min(options.read_timeout, left))
        response = session.request(method, url, allow_redirects=False, stream=True, timeout=timeout)
        try:
            location = response.headers.get("Location")
            if response.status_code in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location.strip())
                if response.status_code == 303 and method != "HEAD":
                    method = "GET"
                continue
            body = b""
            if method == "GET" and response.status_code < 400:
                for chunk in response.iter_content(8192):
                    body += chunk
                    if len(body) >= read:
                        break
            return response.status_code, url, body[:read]
        finally:
            response.close()
    raise TooManyRedirects(url)


#: Errors of a request that say the link failed (``PrivateAddress`` says something else).
REQUEST_ERRORS = (requests.RequestException, TooManyRedirects, InvalidAddress, ValueError)


def _causes(error):
    """``error`` and what caused it, as requests and urllib3 wrap one another's errors."""
    seen = []
    while isinstance(error, BaseException) and error not in seen and len(seen) < 10:
        seen.append(error)
        reason = getattr(error, "reason", None)
        if isinstance(reason, BaseException):
            error = reason
        elif error.args and isinstance(error.args[0], BaseException):
            error = error.args[0]
        else:
            error = error.__cause__ or error.__context__
    return seen


def failure_kind(error):
    """Why a request failed (``TIMEOUT``, ``DNS``, ...), from the error it raised."""
    if isinstance(error, DeadlinePassed):
        return TIMEOUT
    if isinstance(error, TooManyRedirects | requests.TooManyRedirects):
        return REDIRECTS
    if isinstance(error, InvalidAddress | requests.exceptions.InvalidURL | ValueError):
        return INVALID
    causes = _causes(error)
    # NameResolutionError is a NewConnectionError, which is a ConnectTimeoutError: ask in
    # this order.
    if any(isinstance(c, NameResolutionError | socket.gaierror) for c in causes):
        return DNS
    if any(isinstance(c, ssl.SSLError | ssl.CertificateError) for c in causes) or isinstance(
        error, requests.exceptions.SSLError
    ):
        return TLS
    if any(isinstance(c, NewConnectionError) for c in causes):
        return CONNECTION
    if isinstance(error, requests.exceptions.Timeout) or any(
        isinstance(c, ConnectTimeoutError | TimeoutError) for c in causes
    ):
        return TIMEOUT
    return CONNECTION


def _answer(url, code, final):
    """The ``Result`` of an HTTP answer with status ``code``."""
    if code < 400:
        return Result(url, OK, http_status=code, final_url=final)
    if code == TOO_MANY_REQUESTS:
        return Result(url, INCONCLUSIVE, http_status=code, final_url=final)
    return Result(url, FAILED, SERVER_ERROR if code >= 500 else CLIENT_ERROR, code, final)


def check_one(session, url, options):
    """Check ``url``: HEAD, then GET when HEAD did not say the page is there. A ``Result``."""
    try:
        web_address(url, options.ports)
        code, final, _body = fetch(session, "HEAD", url, options)
        result = _answer(url, code, final)
    except PrivateAddress:
        return Result(url, PRIVATE)
    except PortNotAllowed:
        return Result(url, PORT)
    except REQUEST_ERRORS as error:
        result = Result(url, FAILED, failure_kind(error))
    # Many servers answer GET only (405, 501), refuse HEAD (403) or answer it wrongly, so GET
    # decides. An address that does not resolve, is no address, or loops is not asked twice,
    # and a timeout neither: the retry later in the run asks again.
    if not result.failed or result.error in (TIMEOUT, DNS, INVALID, REDIRECTS):
        return result
    try:
        code, final, _body = fetch(session, "GET", url, options)
    except PrivateAddress:
        return Result(url, PRIVATE)
    except PortNotAllowed:
        return Result(url, PORT)
    except REQUEST_ERRORS as error:
        return Result(url, FAILED, failure_kind(error))
    return _answer(url, code, final)


# --- robots.txt ----------------------------------------------------------------------------

#: robots.txt is read up to this size (Google reads 500 KiB).
ROBOTS_AT_MOST = 512 * 1024


@dataclass
class RobotsCache:
    """Each host's robots.txt, read once per run (the first request to the host waits for it).

    A robots.txt that is missing (4xx) allows everything. One that cannot be read (a 5xx, a
    timeout, a refused connection) allows the check too: the link's own check then says
    whether the site answers, and a site that is down is a broken link to its readers.
    """

    options: Options
    parsers: dict = field(default_factory=dict)
    locks: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def allows(self, session, url):
        """Whether the host's robots.txt lets the checker ask for ``url``."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        with self.lock:
            host_lock = self.locks.setdefault(origin, threading.Lock())
        with host_lock:
            if origin not in self.parsers:
                self.parsers[origin] = self._read(session, origin)
        parser = self.parsers[origin]
        return parser is None or parser.can_fetch(ROBOTS_AGENT, url)

    def _read(self, session, origin):
        try:
            code, _final, body = fetch(
                session, "GET", origin + "/robots.txt", self.options, read=ROBOTS_AT_MOST
            )
        except (PrivateAddress, PortNotAllowed, *REQUEST_ERRORS):
            # Within its own deadline too (``fetch``): the host's other addresses wait for it.
            return None  # the link's own check says what is wrong
        if code >= 400:
            return None
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(body.decode("utf-8", errors="replace").splitlines())
        return parser


# --- many addresses --------------------------------------------------------------------------


def check_urls(urls, options, robots=None, stop_at=None):
    """``{url: Result}`` for ``urls``, each checked once; each host's addresses are started in
    the order given.

    At most ``options.concurrency`` requests are in flight, and at most ``options.per_host`` to
    one host: the next address is taken from a host with a free place, so a page that links a
    hundred addresses of one site does not hold up the others. ``robots`` (a ``RobotsCache``)
    can be shared by the passes of one run. No check is started after ``stop_at`` (a
    ``time.monotonic()`` time): the addresses not started by then have no result (those
    started end within their own deadline).
    """
    robots = robots or RobotsCache(options)
    by_host = {}
    for url in dict.fromkeys(urls):
        by_host.setdefault(_host(url), []).append(url)
    results = {}
    local = threading.local()
    sessions = []

    def work(url):
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = new_session(options)
            sessions.append(session)
        try:
            web_address(url, options.ports)
            if not robots.allows(session, url):
                return Result(url, ROBOTS)
        except InvalidAddress:
            return Result(url, FAILED, INVALID)
        except PortNotAllowed:
            return Result(url, PORT)  # not even its robots.txt is asked
        return check_one(session, url, options)

    busy = {}
    running = {}
    left_out = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        while by_host or running:
            if by_host and stop_at is not None and time.monotonic() >= stop_at:
                left_out = sum(len(waiting) for waiting in by_host.values())
                by_host.clear()  # out of time: left for the next run
            for host in list(by_host):
                while by_host.get(host) and len(running) < options.concurrency:
                    if busy.get(host, 0) >= options.per_host:
                        break
                    url = by_host[host].pop(0)
                    busy[host] = busy.get(host, 0) + 1
                    running[pool.submit(work, url)] = (host, url)
                if not by_host.get(host):
                    by_host.pop(host, None)
            if not running:
                continue
            # While addresses wait, look up at ``stop_at`` even if no check has ended.
            until = None
            if by_host and stop_at is not None:
                until = max(0, stop_at - time.monotonic())
            done, _pending = concurrent.futures.wait(
                running, timeout=until, return_when=concurrent.futures.FIRST_COMPLETED
            )
            for future in done:
                host, url = running.pop(future)
                busy[host] -= 1
                try:
                    results[url] = future.result()
                except Exception:
                    # A check must never stop the run; this is a fault of ours, not the link's.
                    logger.exception("Checking an external link failed")
                    results[url] = Result(url, INCONCLUSIVE)
    for session in sessions:
        session.close()  # the threads are done: their kept connections go now
    if left_out:
        logger.warning("Out of time: %s external links left for the next run", left_out)
    return results


def _host(url):
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def check_with_retry(urls, options, retry_delay=0, sleep=time.sleep, stop_at=None):
    """``check_urls``, then the addresses that failed once more after ``retry_delay`` seconds
    (a server that was restarting, a lost packet): a link fails in a run only if it failed
    both times. Nothing is started after ``stop_at`` (``check_urls``): an address that was not
    checked, or failed and was not checked again, by then has no result."""
    robots = RobotsCache(options)
    results = check_urls(urls, options, robots, stop_at)
    failed = [url for url, result in results.items() if result.failed]
    if failed:
        retried = {}
        if stop_at is None or time.monotonic() + retry_delay < stop_at:
            if retry_delay:
                sleep(retry_delay)
            retried = check_urls(failed, options, robots, stop_at)
        for url in failed:
            if url in retried:
                results[url] = retried[url]
            else:
                del results[url]  # failed once only: it stays as it was
    return results
