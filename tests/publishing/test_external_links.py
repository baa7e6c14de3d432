"""The nightly check of external links: the checker against real HTTP servers on 127.0.0.1
(never an outside address), the guard against private addresses, the failures counted over
nightly runs, the report (HTML, CSV, XLSX) for the user's own municipality only, the dashboard
panel and the command."""

import csv
import dataclasses
import datetime
import io
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import openpyxl
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction
from wagtail.rich_text import RichText

from home.models import StandardPage
from publishing.dashboard.panels import BrokenLinksPanel, Viewer
from publishing.models import ExternalLink, LinkError, LinkStatus
from publishing.reports import link_checking, nightly_links
from publishing.reports.link_checking import Options, check_urls, check_with_retry
from tests.governance import EnglishAdminMixin, build_governed, reload
from tests.publishing.test_dashboard import live_news, other_municipality

ROBOTS = (
    b"User-agent: otherbot\nDisallow: /\n\n"
    b"User-agent: wagtail-governed-publishing\nDisallow: /private/\nDisallow: /ours-only/\n\n"
    b"User-agent: *\nDisallow: /private/\n"
)


class Handler(BaseHTTPRequestHandler):
    """Answers by path; the server counts what it was asked (``server.asked``)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass  # the test's output stays clean

    def answer(self, code, body=b"", headers=()):
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, code, location):
        self.answer(code, headers=[("Location", location)])

    def do_HEAD(self):
        self.route()

    def do_GET(self):
        self.route()

    def route(self):
        server = self.server
        path = self.path.split("?")[0]
        with server.lock:
            server.asked.append((self.command, self.path))
            server.agents.add(self.headers.get("User-Agent", ""))
            server.in_flight += 1
            server.most_in_flight = max(server.most_in_flight, server.in_flight)
        try:
            self.route_path(path)
        finally:
            with server.lock:
                server.in_flight -= 1

    def route_path(self, path):
        server = self.server
        if path == "/robots.txt":
            self.answer(200, ROBOTS, [("Content-Type", "text/plain")])
        elif path in ("/ok", "/private/page", "/ours-only/page"):
            self.answer(200, b"<html><body>" + b"x" * 100_000 + b"</body></html>")
        elif path == "/missing":
            self.answer(404, b"not found")
        elif path == "/error":
            self.answer(500, b"error")
        elif path == "/chain/1":
            self.redirect(302, "/chain/2")
        elif path == "/chain/2":
            self.redirect(301, f"http://127.0.0.1:{server.server_port}/ok")
        elif path == "/loop/a":
            self.redirect(302, "/loop/b")
        elif path == "/loop/b":
            self.redirect(302, "/loop/a")
        elif path == "/slow":
            time.sleep(1.5)
            self.answer(200, b"late")
        elif path == "/no-head":
            self.answer(405 if self.command == "HEAD" else 200, b"only GET")
        elif path == "/flaky":
            # Fails the first two requests (a run's HEAD and GET), then works: the retry.
            with server.lock:
                server.flaky += 1
                failing = server.flaky <= 2
            self.answer(503 if failing else 200, b"flaky")
        elif path == "/tonight":
            self.answer(500 if server.down_tonight else 200, b"tonight")
        elif path == "/busy":
            time.sleep(0.2)
            self.answer(200, b"busy")
        elif path == "/to-private":
            self.redirect(302, f"http://127.0.0.2:{server.server_port}/ok")
        elif path == "/to-smtp":
            self.redirect(302, "http://127.0.0.1:25/")
        else:
            self.answer(404)


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler=Handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.lock = threading.Lock()
        self.reset()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def reset(self):
        self.asked = []
        self.agents = set()
        self.in_flight = self.most_in_flight = 0
        self.flaky = 0
        self.down_tonight = False

    def handle_error(self, request, client_address):
        # The checker closes a connection once it has read enough of an answer: no error.
        pass

    def url(self, path):
        return f"http://127.0.0.1:{self.server_port}{path}"

    def stop(self):
        self.shutdown()
        self.server_close()


SERVER = None


def setUpModule():
    global SERVER
    SERVER = LoopbackServer()


def tearDownModule():
    SERVER.stop()


def closed_port():
    """A port on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: The checker's settings in the tests: loopback allowed on any port, short timeouts, no pause.
FAST = {
    "PUBLISHING_LINK_CHECK_ALLOW_PRIVATE_ADDRESSES": True,
    "PUBLISHING_LINK_CHECK_PORTS": None,  # the test's server listens on a port of its own
    "PUBLISHING_LINK_CHECK_CONNECT_TIMEOUT": 0.5,
    "PUBLISHING_LINK_CHECK_READ_TIMEOUT": 0.5,
    "PUBLISHING_LINK_CHECK_RETRY_DELAY": 0,
}

OPTIONS = Options(
    user_agent=link_checking.user_agent("https://alvdal.example"),
    connect_timeout=0.5,
    read_timeout=0.5,
    max_redirects=5,
    allow_private=True,
    ports=None,
)


class CheckerTests(SimpleTestCase):
    def setUp(self):
        SERVER.reset()

    def check(self, *paths, options=OPTIONS):
        results = check_urls([SERVER.url(p) for p in paths], options)
        return [results[SERVER.url(p)] for p in paths]

    def test_a_working_page_is_ok_after_head_alone(self):
        [result] = self.check("/ok")
        self.assertEqual((result.status, result.http_status), (link_checking.OK, 200))
        self.assertEqual([a for a in SERVER.asked if a[1] == "/ok"], [("HEAD", "/ok")])

    def test_missing_and_failing_pages_fail_with_their_status(self):
        missing, error = self.check("/missing", "/error")
        self.assertEqual(
            (missing.status, missing.error, missing.http_status),
            (link_checking.FAILED, link_checking.CLIENT_ERROR, 404),
        )
        self.assertEqual(
            (error.status, error.error, error.http_status),
            (link_checking.FAILED, link_checking.SERVER_ERROR, 500),
        )
        # HEAD said no, and GET was asked before deciding.
        self.assertIn(("GET", "/missing"), SERVER.asked)

    def test_a_redirect_chain_ends_where_it_ends(self):
        [result] = self.check("/chain/1")
        self.assertEqual(result.status, link_checking.OK)
        self.assertEqual(result.final_url, SERVER.url("/ok"))

    def test_a_redirect_loop_is_too_many_redirects(self):
        [result] = self.check("/loop/a")
        self.assertEqual((result.status, result.error), (link_checking.FAILED, "redirects"))
        self.assertLessEqual(len([a for a in SERVER.asked if a[1].startswith("/loop/")]), 6)

    def test_a_slow_server_times_out(self):
        started = time.monotonic()
        [result] = self.check("/slow")
        self.assertEqual((result.status, result.error), (link_checking.FAILED, "timeout"))
        self.assertLess(time.monotonic() - started, 1.4)

    def test_get_when_head_is_not_allowed(self):
        [result] = self.check("/no-head")
        self.assertEqual((result.status, result.http_status), (link_checking.OK, 200))
        self.assertEqual(
            [a for a in SERVER.asked if a[1] == "/no-head"],
            [("HEAD", "/no-head"), ("GET", "/no-head")],
        )

    def test_robots_txt_is_obeyed_and_read_once_per_host(self):
        private, ok, missing = self.check("/private/page", "/ok", "/missing")
        self.assertEqual(private.status, link_checking.ROBOTS)
        self.assertEqual(ok.status, link_checking.OK)
        self.assertEqual(missing.status, link_checking.FAILED)
        self.assertNotIn("/private/page", [path for _method, path in SERVER.asked])
        self.assertEqual(
            [a for a in SERVER.asked if a[1] == "/robots.txt"], [("GET", "/robots.txt")]
        )

    def test_robots_txt_rules_for_the_product_by_name(self):
        ours, ok = self.check("/ours-only/page", "/ok")
        self.assertEqual((ours.status, ok.status), (link_checking.ROBOTS, link_checking.OK))

    def test_the_user_agent_names_the_product_and_the_site(self):
        self.check("/ok")
        [agent] = SERVER.agents
        self.assertIn("wagtail-governed-publishing", agent)
        self.assertIn("https://alvdal.example/", agent)

    def test_each_address_is_asked_once_and_one_host_two_at_a_time(self):
        urls = [SERVER.url(f"/busy?n={n}") for n in range(6)]
        # Each answer takes 0.2 s: the timeouts of the other tests would let a busy machine's
        # scheduling fail a request; this test is about how many are asked at once.
        patient = dataclasses.replace(OPTIONS, connect_timeout=5, read_timeout=5)
        results = check_urls(urls + urls, patient)
        self.assertEqual(len(results), 6)
        self.assertTrue(all(r.status == link_checking.OK for r in results.values()))
        busy = [a for a in SERVER.asked if a[1].startswith("/busy")]
        self.assertEqual(len(busy), 6)
        self.assertLessEqual(SERVER.most_in_flight, 2)
        self.assertEqual(SERVER.most_in_flight, 2)

    def test_a_refused_connection(self):
        results = check_urls([f"http://127.0.0.1:{closed_port()}/"], OPTIONS)
        [result] = results.values()
        self.assertEqual((result.status, result.error), (link_checking.FAILED, "connection"))

    def test_a_name_that_does_not_resolve(self):
        # The resolver is not asked: the lookup fails as it would for an unknown domain.
        with mock.patch("socket.getaddrinfo", side_effect=socket.gaierror(-2, "unknown")):
            results = check_urls(["http://no-such-host.invalid/"], OPTIONS)
        [result] = results.values()
        self.assertEqual((result.status, result.error), (link_checking.FAILED, "dns"))

    def test_not_a_web_address(self):
        results = check_urls(["http:///nohost", "http://host:port/"], OPTIONS)
        self.assertEqual({r.error for r in results.values()}, {"invalid"})

    def test_a_retry_within_the_run_hides_a_passing_failure(self):
        pauses = []
        results = check_with_retry(
            [SERVER.url("/flaky"), SERVER.url("/missing")], OPTIONS, 7, sleep=pauses.append
        )
        self.assertEqual(results[SERVER.url("/flaky")].status, link_checking.OK)
        self.assertEqual(results[SERVER.url("/missing")].status, link_checking.FAILED)
        self.assertEqual(pauses, [7])
        # robots.txt was read once for both passes.
        self.assertEqual(len([a for a in SERVER.asked if a[1] == "/robots.txt"]), 1)


class DripServer:
    """A server that keeps a request going by sending a byte every ``gap`` seconds, just
    inside any read timeout: of the headers of ``/drip-headers``, of the body of a GET of
    ``/drip-body`` (HEAD is not allowed there), and of robots.txt when ``drip_robots``. Other
    paths answer 200 at once."""

    def __init__(self, gap=0.2, drip_robots=False):
        self.gap, self.drip_robots = gap, drip_robots
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.asked = []
        threading.Thread(target=self.serve, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self):
        while True:
            try:
                conn, _address = self.sock.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def drip(self, conn, seconds=60):
        for _ in range(int(seconds / self.gap)):
            time.sleep(self.gap)
            conn.sendall(b"a")

    def handle(self, conn):
        try:
            method, path = conn.recv(4096).split(b" ")[:2]
            self.asked.append((method.decode(), path.decode()))
            if path == b"/drip-headers" or (path == b"/robots.txt" and self.drip_robots):
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                self.drip(conn)
            elif path == b"/drip-body" and method == b"HEAD":
                conn.sendall(b"HTTP/1.1 405 No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            elif path == b"/drip-body":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                self.drip(conn)
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except OSError:
            pass  # the checker gave up
        finally:
            conn.close()

    def close(self):
        self.sock.close()


class DeadlineTests(SimpleTestCase):
    """However slowly a server answers, a request ends at its total deadline, as a timeout."""

    #: Each read may wait a second; a request three seconds in all.
    options = Options(
        connect_timeout=1, read_timeout=1, total_timeout=1.5, allow_private=True, ports=None
    )

    def serve(self, **kwargs):
        server = DripServer(**kwargs)
        self.addCleanup(server.close)
        return server

    def timed(self, urls):
        started = time.monotonic()
        results = check_urls(urls, self.options)
        return results, time.monotonic() - started

    def test_dripping_headers_end_at_the_deadline(self):
        server = self.serve()
        results, took = self.timed([server.url("/drip-headers")])
        [result] = results.values()
        self.assertEqual((result.status, result.error), (link_checking.FAILED, "timeout"))
        self.assertGreaterEqual(took, 1.4)  # each read came in time: the deadline ended it
        self.assertLess(took, 10)  # the server drips for 60 s; generous for a busy machine
        # A timeout is not asked again with GET (the retry later in the run asks again).
        self.assertEqual(
            [a for a in server.asked if a[1] == "/drip-headers"], [("HEAD", "/drip-headers")]
        )

    def test_a_dripping_body_ends_at_the_deadline(self):
        server = self.serve()
        results, took = self.timed([server.url("/drip-body")])
        [result] = results.values()
        self.assertEqual((result.status, result.error), (link_checking.FAILED, "timeout"))
        self.assertLess(took, 10)  # the server drips for 60 s; generous for a busy machine
        self.assertIn(("GET", "/drip-body"), server.asked)

    def test_a_dripping_robots_txt_holds_its_host_until_the_deadline_only(self):
        server = self.serve(drip_robots=True)
        urls = [server.url(f"/page/{n}") for n in range(4)]
        results, took = self.timed(urls)
        # robots.txt could not be read in time: the links are checked (and work).
        self.assertEqual({r.status for r in results.values()}, {link_checking.OK})
        self.assertLess(took, 10)  # the server drips for 60 s; generous for a busy machine
        self.assertEqual(len([a for a in server.asked if a[1] == "/robots.txt"]), 1)

    def test_the_deadline_shortens_each_read_to_what_remains(self):
        with link_checking.deadline(5):
            self.assertLessEqual(link_checking.within_deadline(10), 5)
            self.assertEqual(link_checking.within_deadline(1), 1)
            with link_checking.deadline(60):  # an inner deadline does not extend the outer
                self.assertLessEqual(link_checking.remaining(), 5)
        self.assertIsNone(link_checking.remaining())
        with link_checking.deadline(0), self.assertRaises(TimeoutError):
            link_checking.within_deadline(10)

    @override_settings(PUBLISHING_LINK_CHECK_TOTAL_TIMEOUT=7)
    def test_the_setting(self):
        self.assertEqual(Options.from_settings().total_timeout, 7)
        self.assertEqual(Options().total_timeout, 30)


class PortTests(SimpleTestCase):
    """Only the web's ports are asked: editors cannot make the worker knock on others."""

    def setUp(self):
        SERVER.reset()

    def test_only_the_default_ports_and_those_of_the_setting(self):
        for url in (
            "http://example.org/",
            "https://example.org/",
            "http://example.org:80/",
            "https://example.org:443/",
            "http://example.org:8080/",
            "https://example.org:8443/",
        ):
            self.assertEqual(link_checking.web_address(url), url)
        for url in ("http://example.org:25/", "https://example.org:6379/", "http://a.no:22/"):
            with self.assertRaises(link_checking.PortNotAllowed):
                link_checking.web_address(url)
        with override_settings(PUBLISHING_LINK_CHECK_PORTS=(8000,)):
            link_checking.web_address("http://example.org:8000/")
            link_checking.web_address("https://example.org/")
            with self.assertRaises(link_checking.PortNotAllowed):
                link_checking.web_address("http://example.org:8080/")
            self.assertEqual(Options.from_settings().ports, (80, 443, 8000))
        with override_settings(PUBLISHING_LINK_CHECK_PORTS=None):
            link_checking.web_address("http://example.org:25/")
            self.assertIsNone(Options.from_settings().ports)

    def test_another_port_is_not_checked_and_never_connected_to(self):
        urls = ["http://example.org:25/", "https://example.org:6379/x"]
        with (
            mock.patch("socket.getaddrinfo") as lookup,
            mock.patch("socket.create_connection") as connect,
        ):
            results = check_urls(urls, Options(connect_timeout=0.5, read_timeout=0.5))
        self.assertEqual({r.status for r in results.values()}, {link_checking.PORT})
        lookup.assert_not_called()
        connect.assert_not_called()

    def test_a_redirect_to_another_port_is_not_followed(self):
        options = Options(
            connect_timeout=0.5, read_timeout=0.5, allow_private=True, ports=(SERVER.server_port,)
        )
        [result] = check_urls([SERVER.url("/to-smtp")], options).values()
        self.assertEqual(result.status, link_checking.PORT)

    def test_a_link_not_checked_for_its_port_is_never_broken(self):
        link = ExternalLink(url="http://example.org:25/", consecutive_failures=1)
        link.status = LinkStatus.FAILING
        night = timezone.now()
        for days in range(3):
            nightly_links.apply_result(
                link,
                link_checking.Result(link.url, link_checking.PORT),
                night + datetime.timedelta(days=days),
                2,
            )
            self.assertEqual(link.status, LinkStatus.NOT_CHECKED)
            self.assertEqual((link.consecutive_failures, link.error), (0, ""))


class BudgetTests(SimpleTestCase):
    """A run starts no check after its time is up; what was not checked has no result."""

    def setUp(self):
        SERVER.reset()

    def test_nothing_is_started_after_the_stop(self):
        with self.assertLogs("publishing.reports.link_checking", "WARNING") as logs:
            results = check_urls([SERVER.url("/ok")], OPTIONS, stop_at=time.monotonic())
        self.assertIn("1 external links left for the next run", logs.output[0])
        self.assertEqual(results, {})
        self.assertEqual(SERVER.asked, [])

    def test_a_run_out_of_time_leaves_the_rest(self):
        options = Options(
            connect_timeout=0.5,
            read_timeout=0.5,
            allow_private=True,
            ports=None,
            concurrency=1,
            per_host=1,
        )
        urls = [SERVER.url(f"/busy?n={n}") for n in range(20)]
        started = time.monotonic()
        with self.assertLogs("publishing.reports.link_checking", "WARNING"):
            results = check_urls(urls, options, stop_at=started + 0.5)
        self.assertLess(time.monotonic() - started, 1.5)
        self.assertTrue(0 < len(results) < 20)
        self.assertEqual(list(results), urls[: len(results)])  # in the order given

    def test_a_failure_that_cannot_be_retried_in_time_has_no_result(self):
        pauses = []
        results = check_with_retry(
            [SERVER.url("/flaky"), SERVER.url("/ok")],
            OPTIONS,
            60,
            sleep=pauses.append,
            stop_at=time.monotonic() + 30,
        )
        self.assertEqual(list(results), [SERVER.url("/ok")])
        self.assertEqual(pauses, [])


class PrivateAddressTests(SimpleTestCase):
    def setUp(self):
        SERVER.reset()

    @override_settings(PUBLISHING_LINK_CHECK_PORTS=None)
    def test_loopback_is_refused_by_default_and_never_asked(self):
        options = Options.from_settings("https://alvdal.example")
        self.assertFalse(options.allow_private)
        results = check_urls([SERVER.url("/ok"), "http://localhost:1/"], options)
        self.assertEqual({r.status for r in results.values()}, {link_checking.PRIVATE})
        self.assertEqual(SERVER.asked, [])

    def test_loopback_written_otherwise_is_refused_too(self):
        options = Options(connect_timeout=0.5, read_timeout=0.5, ports=None)
        port = SERVER.server_port
        urls = [
            f"http://[::1]:{port}/ok",
            f"http://[::ffff:127.0.0.1]:{port}/ok",
            f"http://0x7f000001:{port}/ok",
            f"http://2130706433:{port}/ok",
            f"http://127.1:{port}/ok",
        ]
        results = check_urls(urls, options)
        self.assertEqual({r.status for r in results.values()}, {link_checking.PRIVATE})
        self.assertEqual(SERVER.asked, [])

    @override_settings(PUBLISHING_LINK_CHECK_ALLOW_PRIVATE_ADDRESSES=True)
    def test_the_setting_allows_them(self):
        self.assertTrue(Options.from_settings().allow_private)

    def test_a_redirect_to_a_private_address_is_refused(self):
        # 127.0.0.1 stands for a public address here; the redirect goes to 127.0.0.2.
        options = Options(connect_timeout=0.5, read_timeout=0.5, ports=None)
        with mock.patch.object(
            link_checking, "is_public_address", side_effect=lambda a: a == "127.0.0.1"
        ):
            results = check_urls([SERVER.url("/to-private")], options)
        [result] = results.values()
        self.assertEqual(result.status, link_checking.PRIVATE)
        self.assertIn(("HEAD", "/to-private"), SERVER.asked)
        self.assertNotIn("/ok", [path for _method, path in SERVER.asked])

    def test_which_addresses_are_public(self):
        for address in (
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",  # noqa: S104 - an address to refuse, not one to listen on
            "224.0.0.1",
            "240.0.0.1",
            "::1",
            "fe80::1%eth0",
            "fc00::1",
            "::ffff:127.0.0.1",
            "ff02::1",
        ):
            self.assertFalse(link_checking.is_public_address(address), address)
        for address in ("193.69.48.1", "2a00:1450:400f:80d::200e"):
            self.assertTrue(link_checking.is_public_address(address), address)


class ExtractionTests(SimpleTestCase):
    def test_rich_text_links_and_bare_addresses(self):
        html = (
            '<p>See <a href="https://www.nav.no/sok?a=1&amp;b=2#top">NAV</a> and '
            '<a linktype="page" id="3">our page</a>, <a href="mailto:post@alvdal.kommune.no">'
            "mail</a>.</p>"
        )
        found = [nightly_links.external_address(a, set()) for a in nightly_links.addresses_in(html)]
        self.assertEqual(found, ["https://www.nav.no/sok?a=1&b=2", None])
        self.assertEqual(
            nightly_links.addresses_in("https://lovdata.no/ "), ["https://lovdata.no/"]
        )
        self.assertEqual(nightly_links.addresses_in("Read https://lovdata.no today"), [])

    def test_own_hosts_and_other_schemes_are_not_external(self):
        own = {"alvdal.localhost"}
        self.assertIsNone(nightly_links.external_address("http://alvdal.localhost/x", own))
        self.assertIsNone(nightly_links.external_address("HTTP://ALVDAL.localhost/x", own))
        self.assertIsNone(nightly_links.external_address("ftp://example.org/", own))
        self.assertIsNone(nightly_links.external_address("https://" + "a" * 2001, own))
        self.assertEqual(
            nightly_links.external_address("https://example.org/a#b", own), "https://example.org/a"
        )


def body_linking(*urls):
    """A StreamField body whose paragraph links ``urls``."""
    links = " ".join(f'<a href="{url}">lenke</a>' for url in urls)
    return [("paragraph", RichText(f"<p>Les mer: {links}</p>"))]


@override_settings(**FAST)
class NightlyRunTests(EnglishAdminMixin, TestCase):
    """Two municipalities whose pages link the loopback server."""

    @classmethod
    def setUpTestData(cls):
        cls.g = g = build_governed()
        cls.o = o = other_municipality()
        cls.broken_page = live_news(
            g, "Søk om plass", "sok", body=body_linking(SERVER.url("/missing"), SERVER.url("/ok"))
        )
        cls.flaky_page = live_news(
            g, "Ferie", "ferie", body=body_linking(SERVER.url("/flaky"), SERVER.url("/tonight"))
        )
        cls.other_unit_page = live_news(
            g,
            "Sjukeheimen",
            "sjukeheimen",
            unit=g.line.other_unit,
            leader=g.other_head,
            body=body_linking(SERVER.url("/error")),
        )
        # Not checked: a draft, a page on the intranet, a link to the site itself.
        draft = StandardPage(
            title="Utkast",
            slug="utkast",
            owning_unit=g.line.unit,
            responsible_leader=g.leader,
            body=body_linking(SERVER.url("/draft-only")),
            live=False,
        )
        g.home.add_child(instance=draft)
        staff = StandardPage(
            title="For ansatte",
            slug="for-ansatte",
            owning_unit=g.line.unit,
            responsible_leader=g.leader,
            body=body_linking(SERVER.url("/staff-only"), "http://alvdal.localhost/om"),
        )
        g.intranet.add_child(instance=staff)
        cls.avesta_page = live_news(
            o, "Ansök om plats", "ansok", body=body_linking(SERVER.url("/missing"))
        )

    def setUp(self):
        super().setUp()
        SERVER.reset()
        self.night1 = timezone.now() - datetime.timedelta(days=1)
        self.night2 = timezone.now()

    def run_check(self, municipality, now):
        return nightly_links.check_municipality(municipality, now=now, sleep=lambda s: None)

    def link(self, path, municipality=None):
        return ExternalLink.objects.get(
            municipality=municipality or self.g.municipality, url=SERVER.url(path)
        )

    def two_nights(self):
        self.run_check(self.g.municipality, self.night1)
        self.run_check(self.g.municipality, self.night2)
        self.run_check(self.o.municipality, self.night1)
        self.run_check(self.o.municipality, self.night2)

    def test_links_of_live_public_pages_only_each_checked_once(self):
        self.run_check(self.g.municipality, self.night1)
        urls = set(
            ExternalLink.objects.filter(municipality=self.g.municipality).values_list(
                "url", flat=True
            )
        )
        self.assertEqual(
            urls, {SERVER.url(p) for p in ("/missing", "/ok", "/flaky", "/tonight", "/error")}
        )
        asked = [path for _method, path in SERVER.asked]
        self.assertNotIn("/draft-only", asked)
        self.assertNotIn("/staff-only", asked)
        self.assertEqual(asked.count("/ok"), 1)  # HEAD, once
        self.assertEqual(
            set(self.link("/missing").pages.values_list("pk", flat=True)), {self.broken_page.pk}
        )

    def test_a_link_is_broken_only_after_failing_two_nights_in_a_row(self):
        self.run_check(self.g.municipality, self.night1)
        missing = self.link("/missing")
        self.assertEqual(missing.status, LinkStatus.FAILING)
        self.assertEqual(missing.consecutive_failures, 1)
        self.assertEqual((missing.error, missing.http_status), (LinkError.CLIENT_ERROR, 404))
        self.assertEqual(self.link("/flaky").status, LinkStatus.OK)  # the retry worked
        self.assertEqual(self.link("/ok").status, LinkStatus.OK)

        # A second run on the same day counts no second night.
        self.run_check(self.g.municipality, self.night1 + datetime.timedelta(minutes=5))
        self.assertEqual(self.link("/missing").status, LinkStatus.FAILING)

        self.run_check(self.g.municipality, self.night2)
        missing = self.link("/missing")
        self.assertEqual(missing.status, LinkStatus.BROKEN)
        self.assertEqual(missing.consecutive_failures, 2)
        self.assertEqual(missing.first_failed_at, self.night1)
        self.assertEqual(missing.problem, "Page not found or closed (HTTP 404)")
        self.assertEqual(self.link("/flaky").status, LinkStatus.OK)

    def test_a_site_down_for_one_night_is_never_reported(self):
        SERVER.down_tonight = True
        self.run_check(self.g.municipality, self.night1)
        self.assertEqual(self.link("/tonight").status, LinkStatus.FAILING)
        SERVER.down_tonight = False
        self.run_check(self.g.municipality, self.night2)
        tonight = self.link("/tonight")
        self.assertEqual(tonight.status, LinkStatus.OK)
        self.assertEqual((tonight.consecutive_failures, tonight.first_failed_at), (0, None))

    def test_a_link_removed_from_every_page_is_forgotten(self):
        self.run_check(self.g.municipality, self.night1)
        page = reload(self.other_unit_page)
        page.body = body_linking(SERVER.url("/ok"))
        page.save_revision().publish()
        self.run_check(self.g.municipality, self.night2)
        self.assertFalse(
            ExternalLink.objects.filter(
                municipality=self.g.municipality, url=SERVER.url("/error")
            ).exists()
        )
        self.assertIn(page.pk, self.link("/ok").pages.values_list("pk", flat=True))

    def test_a_run_out_of_time_leaves_the_links_as_they_were(self):
        self.run_check(self.g.municipality, self.night1)
        SERVER.reset()
        with (
            override_settings(PUBLISHING_LINK_CHECK_RUN_BUDGET=0),
            self.assertLogs("publishing.reports.link_checking", "WARNING"),
        ):
            self.run_check(self.g.municipality, self.night2)
        self.assertEqual(SERVER.asked, [])
        missing = self.link("/missing")
        self.assertEqual((missing.status, missing.consecutive_failures), (LinkStatus.FAILING, 1))
        self.assertEqual(missing.last_checked_at, self.night1)
        # The next night checks it, and it counts as the second night in a row.
        self.run_check(self.g.municipality, self.night2 + datetime.timedelta(days=1))
        self.assertEqual(self.link("/missing").status, LinkStatus.BROKEN)

    def test_the_links_checked_longest_ago_go_first(self):
        self.run_check(self.g.municipality, self.night1)
        links = nightly_links.keep_links(
            self.g.municipality, {**nightly_links.linked_addresses(self.g.municipality)}
        )
        ExternalLink.objects.filter(url=SERVER.url("/ok")).update(
            last_checked_at=self.night1 - datetime.timedelta(days=3)
        )
        ExternalLink.objects.filter(url=SERVER.url("/error")).update(last_checked_at=None)
        links = {url: ExternalLink.objects.get(pk=link.pk) for url, link in links.items()}
        order = nightly_links.check_order(links)
        self.assertEqual(order[:2], [SERVER.url("/error"), SERVER.url("/ok")])

    def test_the_run_holds_its_lock_past_its_budget(self):
        options = Options(total_timeout=30)
        with override_settings(PUBLISHING_LINK_CHECK_RUN_BUDGET=10 * 3600):
            self.assertGreater(nightly_links.lock_seconds(options), 10 * 3600 + 150)
        self.assertGreaterEqual(nightly_links.lock_seconds(options), nightly_links.RUN_LOCK_SECONDS)

    def test_the_default_setting_refuses_the_loopback_server(self):
        with override_settings(PUBLISHING_LINK_CHECK_ALLOW_PRIVATE_ADDRESSES=False):
            self.run_check(self.g.municipality, self.night1)
        self.assertEqual(self.link("/missing").status, LinkStatus.PRIVATE)
        self.assertEqual(SERVER.asked, [])

    # --- the report ----------------------------------------------------------------------

    def report(self, user, **params):
        self.login(user)
        return self.client.get(reverse("publishing_link_reports:external_links"), params)

    def test_the_report_lists_broken_links_with_page_unit_and_leader(self):
        self.two_nights()
        response = self.report(self.g.leader)
        self.assertEqual(response.status_code, 200)
        rows = list(response.context["object_list"])
        self.assertEqual(
            sorted((row.page, row.url, row.http_status) for row in rows),
            [
                ("Sjukeheimen", SERVER.url("/error"), 500),
                ("Søk om plass", SERVER.url("/missing"), 404),
            ],
        )
        missing = next(row for row in rows if row.url.endswith("/missing"))
        self.assertEqual(missing.unit, "Hjemmetjenesten")
        self.assertTrue(missing.leader.startswith(self.g.leader.get_full_name()))
        self.assertEqual(missing.since, self.night1)
        html = response.content.decode()
        self.assertIn(reverse("wagtailadmin_pages:edit", args=[self.broken_page.pk]), html)
        self.assertIn("Page not found or closed (HTTP 404)", html)
        self.assertIn(f'href="{SERVER.url("/missing")}" target="_blank"', html)
        self.assertIn("A link is listed when it has failed on 2 nightly checks in a row.", html)

    def test_the_report_filters_by_unit_and_kind(self):
        self.two_nights()
        rows = self.report(self.g.leader, unit=self.g.line.other_unit.pk).context["object_list"]
        self.assertEqual([row.page for row in rows], ["Sjukeheimen"])
        rows = self.report(self.g.leader, kind=LinkError.CLIENT_ERROR).context["object_list"]
        self.assertEqual([row.page for row in rows], ["Søk om plass"])

    def test_avesta_sees_only_its_own_links_also_in_the_exports(self):
        self.two_nights()
        rows = list(self.report(self.o.leader).context["object_list"])
        self.assertEqual(
            [(row.page, row.url) for row in rows], [("Ansök om plats", SERVER.url("/missing"))]
        )

        response = self.report(self.o.leader, export="csv")
        text = b"".join(response.streaming_content).decode("utf-8")
        lines = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual([line["Page"] for line in lines], ["Ansök om plats"])
        self.assertEqual(lines[0]["HTTP status"], "404")
        self.assertNotIn("Søk om plass", text)
        self.assertNotIn("Sjukeheimen", text)

        response = self.report(self.o.leader, export="xlsx")
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        cells = [list(row) for row in book.active.iter_rows(values_only=True)]
        self.assertEqual(cells[0][:3], ["Page ID", "Page", "Link address"])
        self.assertEqual([row[1] for row in cells[1:]], ["Ansök om plats"])

        response = self.report(self.g.leader, export="csv")
        text = b"".join(response.streaming_content).decode("utf-8")
        self.assertNotIn("Ansök om plats", text)

    def test_the_report_is_refused_to_publishers(self):
        response = self.report(self.g.publisher)
        self.assertRedirects(response, reverse("wagtailadmin_home"), fetch_redirect_response=False)

    def test_before_any_run_the_report_says_so(self):
        html = self.report(self.g.editor).content.decode()
        self.assertIn("External links have not been checked yet", html)

    # --- the dashboard -------------------------------------------------------------------

    def panel(self, user):
        panel = BrokenLinksPanel(Viewer.load(reload(user)))
        return panel if panel.applies() else None

    def test_the_panel_shows_the_units_broken_links_to_its_leader(self):
        self.two_nights()
        leader = self.panel(self.g.leader)
        self.assertEqual(
            [(row.page, row.url) for row in leader.items],
            [("Søk om plass", SERVER.url("/missing"))],
        )
        other = self.panel(self.g.other_head)
        self.assertEqual([row.page for row in other.items], ["Sjukeheimen"])
        editor = self.panel(self.g.editor)  # communications: the whole municipality
        self.assertEqual(sorted(row.page for row in editor.items), ["Sjukeheimen", "Søk om plass"])
        self.assertEqual([row.page for row in self.panel(self.o.leader).items], ["Ansök om plats"])
        self.assertIsNone(self.panel(self.g.publisher))

    def test_the_panel_and_the_report_agree_on_a_page_restricted_since_the_night(self):
        self.two_nights()
        PageViewRestriction.objects.create(
            page=self.broken_page, restriction_type=PageViewRestriction.LOGIN
        )
        self.assertEqual(self.panel(self.g.leader).items, [])
        editor = self.panel(self.g.editor)
        rows = list(self.report(self.g.editor).context["object_list"])
        self.assertEqual([row.page for row in editor.items], ["Sjukeheimen"])
        self.assertEqual(
            [(row.page, row.url) for row in rows], [(row.page, row.url) for row in editor.items]
        )
        self.assertIs(type(rows[0]), type(editor.items[0]))

    def test_the_dashboard_shows_the_panel(self):
        self.two_nights()
        self.login(self.g.leader)
        html = self.client.get(reverse("wagtailadmin_home")).content.decode()
        self.assertIn("Broken links on your unit&#x27;s pages", html)
        self.assertIn(SERVER.url("/missing"), html)
        self.assertIn(reverse("publishing_link_reports:external_links"), html)

    def test_an_empty_panel_says_so(self):
        panel = self.panel(self.g.leader)
        self.assertEqual(panel.items, [])
        self.login(self.g.leader)
        html = self.client.get(reverse("wagtailadmin_home")).content.decode()
        self.assertIn("No live page of your units links to another site that is broken.", html)

    # --- the command ---------------------------------------------------------------------

    def test_the_command_checks_now_or_queues(self):
        out = io.StringIO()
        call_command("check_external_links", "--now", "--municipality", "alvdal", stdout=out)
        self.assertIn("alvdal: 5 link(s)", out.getvalue())
        self.assertFalse(ExternalLink.objects.filter(municipality=self.o.municipality).exists())
        # Queued: the tests' task backend runs it at once.
        call_command("check_external_links", "--municipality", "avesta", stdout=io.StringIO())
        self.assertEqual(self.link("/missing", self.o.municipality).status, LinkStatus.FAILING)

    def test_the_command_refuses_an_unknown_municipality(self):
        from django.core.management import CommandError

        with self.assertRaises(CommandError):
            call_command("check_external_links", "--municipality", "nowhere", stdout=io.StringIO())
