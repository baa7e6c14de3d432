"""Serving for the load benchmarks: gunicorn with the production settings, and wrk against it.

Shared by ``bench.public_render`` (public pages alone) and ``bench.publishing_load`` (public pages
while publishers work). Nothing here imports Django: the benchmarks set it up themselves, each
with its own database.

- ``production_env`` is the environment gunicorn runs with: ``config.settings.production`` with
  a random secret key, the demo hosts, plain HTTP (loopback has no TLS) and a cache directory
  of the run's own.
- ``Gunicorn`` starts ``site/deploy/gunicorn.conf.py`` (as ``publishing-web.service`` does) on a
  free loopback port, waits until it answers and stops it again.
- ``run_wrk`` drives wrk with a Lua script that rotates ``(host, path)`` pairs and counts
  non-2xx answers; with a ``rate`` it paces the requests to a fixed schedule.
"""

import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.harness import say  # noqa: F401 (the serving benchmarks report with it)

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "site" / "deploy" / "gunicorn.conf.py"


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port, host, path, timeout=10):
    """GET ``path`` from 127.0.0.1:``port`` as ``host``; return ``(status, body)``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def tail(path, lines=30):
    """The last ``lines`` lines of a log file, for an error message."""
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def production_env(database_url, hosts, port, workdir):
    """The environment for gunicorn: production settings on loopback, for ``hosts``."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": ",".join(hosts),
        "WAGTAILADMIN_BASE_URL": f"http://{hosts[0]}:{port}",
        "DEFAULT_FROM_EMAIL": "bench@localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        # The run's own file cache: the project's var/cache may hold another run's chrome.
        "CACHE_DIR": str(Path(workdir) / "cache"),
    }


class Gunicorn:
    """gunicorn with ``site/deploy/gunicorn.conf.py`` on 127.0.0.1:``port``, as a context manager.

    The config's bind and worker count are overridden through its ``GUNICORN_*`` variables; its
    access and error logs (standard output and error) go to ``gunicorn.log`` in ``workdir``.
    """

    def __init__(self, env, port, workers, workdir):
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
        }
        self.port = port
        self.log = Path(workdir) / "gunicorn.log"
        self.process = None

    def __enter__(self):
        command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "config.wsgi"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own arguments)
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def wait_until_serving(self, host, timeout=60):
        """Return once ``/`` answers for ``host``; exit with the log if gunicorn dies first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited with {self.process.returncode}:\n{tail(self.log)}"
                )
            try:
                fetch(self.port, host, "/", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout} s:\n{tail(self.log)}")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return False


def check_targets(port, targets, rounds=3):
    """GET every ``(host, path, title)`` a few times (warming every worker); each must answer 200
    with its site's title in it. Returns the ``(host, path)`` pairs."""
    requests = []
    for host, path, title in targets:
        for _ in range(rounds):
            status, body = fetch(port, host, path)
            if status != 200 or title.encode() not in body:
                raise SystemExit(
                    f"http://{host}{path} answered {status}"
                    f"{'' if status != 200 else ' without its site title'}"
                )
        requests.append((host, path))
    return requests


# wrk's Lua: rotate the targets, count non-2xx answers across threads and, with a rate, send each
# request at its slot of a fixed schedule (wrk has no rate control of its own; its LuaJIT can read
# the clock through the FFI). A slot that comes when every connection is still busy is sent late:
# ``late`` counts those sent more than 10 ms after their slot, the share of the run in which the
# server did not keep up and the schedule (and so the latencies) bent to it.
WRK_SCRIPT = """
local targets = %(targets)s
local interval_ms = %(interval_ms)s
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; late = 0; i = 0; slot = nil end
function request()
  i = i %% #targets + 1
  return wrk.format("GET", targets[i][2], {Host = targets[i][1]})
end
if interval_ms > 0 then
  function delay()
    local now = now_ms()
    if slot == nil then slot = now end
    slot = slot + interval_ms
    local wait = slot - now
    if wait < -10 then late = late + 1 end
    if wait < 0 then return 0 end
    return wait
  end
end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local non2xx, behind = 0, 0
  for _, thread in ipairs(threads) do
    non2xx = non2xx + thread:get("bad")
    behind = behind + thread:get("late")
  end
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n",
    summary.requests, summary.duration, non2xx, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency:percentile(75), latency:percentile(99.9), behind))
end
"""


def wrk_command(wrk, port, requests, seconds, workdir, connections=4, rate=None, latency=False):
    """The wrk command line and its Lua script for ``requests`` (``(host, path)`` pairs).

    One wrk thread: it shares the cores with the server. With ``rate`` (requests per second) the
    requests follow a fixed schedule; without, each connection sends as fast as it gets answers.
    ``latency`` adds wrk's own latency distribution (``--latency``) to its output.
    """
    lua = ", ".join(f'{{"{host}", "{path}"}}' for host, path in requests)
    script = Path(workdir) / "targets.lua"
    interval = 1000.0 / rate if rate else 0
    script.write_text(WRK_SCRIPT % {"targets": "{" + lua + "}", "interval_ms": f"{interval:.6f}"})
    return [
        wrk,
        *(["--latency"] if latency else []),
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}/",
    ]


def parse_wrk(returncode, stdout, stderr):
    """wrk's summary from our script's ``RESULT`` line; exits with wrk's output if it failed."""
    line = next((x for x in stdout.splitlines() if x.startswith("RESULT ")), None)
    if returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({returncode}):\n{stdout}{stderr}")
    count, duration_us, non2xx, errors, p50, p90, p99, top, p75, p999, late = map(
        int, line.split()[1:12]
    )
    return {
        "output": "\n".join(x for x in stdout.splitlines() if not x.startswith("RESULT ")),
        "requests": count,
        "seconds": duration_us / 1e6,
        "non2xx": non2xx,
        "errors": errors,
        "late": late,
        "ms": {
            "p50": p50 / 1000,
            "p75": p75 / 1000,
            "p90": p90 / 1000,
            "p99": p99 / 1000,
            "p99.9": p999 / 1000,
            "max": top / 1000,
        },
    }


def run_wrk(wrk, port, requests, seconds, workdir, connections=4, rate=None, latency=False):
    """Run wrk to the end (see ``wrk_command``) and return ``parse_wrk``'s summary."""
    result = subprocess.run(  # noqa: S603 (our own arguments)
        wrk_command(wrk, port, requests, seconds, workdir, connections, rate, latency),
        capture_output=True,
        text=True,
        check=False,
    )
    return parse_wrk(result.returncode, result.stdout, result.stderr)


def load_with_python(port, requests, seconds, connections=4):
    """Load with a few threads of ``http.client`` when wrk is not installed."""
    latencies, non2xx, errors = [], [0], [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(offset):
        n = offset
        while time.monotonic() < deadline:
            host, path = requests[n % len(requests)]
            n += 1
            start = time.perf_counter()
            try:
                status, _body = fetch(port, host, path)
            except OSError:
                with lock:
                    errors[0] += 1
                continue
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                if not 200 <= status <= 299:
                    non2xx[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()

    def pct(p):
        return latencies[int(p / 100 * (len(latencies) - 1))] if latencies else float("nan")

    return {
        "requests": len(latencies) + errors[0],
        "seconds": time.monotonic() - started,
        "non2xx": non2xx[0],
        "errors": errors[0],
        "late": 0,
        "ms": {
            "p50": pct(50),
            "p75": pct(75),
            "p90": pct(90),
            "p99": pct(99),
            "p99.9": pct(99.9),
            "max": pct(100),
        },
    }


def find_wrk():
    """The wrk executable, or None."""
    return shutil.which("wrk")
