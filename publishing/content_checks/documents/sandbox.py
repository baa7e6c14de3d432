"""``extract_bounded``: ``extract`` in a child process with memory, CPU and wall-clock limits.

A hostile file can make a parser allocate gigabytes or loop for hours; in the child that ends in
an unreadable extraction ("memory", "timeout") and the worker carries on. The child:

- is ``python -m publishing.content_checks.documents.sandbox``, started with a clean
  environment (no settings, no secrets) in a session of its own, so that its whole process
  group can be killed;
- gets ``RLIMIT_AS`` (memory), ``RLIMIT_CPU`` (CPU seconds; SIGXCPU, then SIGKILL a second
  later) and no core dumps, set between fork and exec;
- reads its request (path, file name, limits) as JSON on stdin, not in its arguments, where
  ``ps`` would show a file name that may well be a person's name;
- writes the extraction as JSON on stdout, with its own peak resident memory, and nothing
  else. It never imports Django.

Peak memory is the child's own high-water mark (``VmHWM`` in /proc, read by the child at the end,
or by the parent while it runs, for a child that gets killed). ``wait4``'s ``ru_maxrss`` is not
used where /proc is there: Linux carries the parent's resident size at fork into the child's
maximum, so a worker of 300 MB would see every child peak at 300 MB at least.

Run as a module, this file is the child.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import resource
import selectors
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

from publishing.content_checks.documents.extract import extract, format_of
from publishing.content_checks.documents.limits import Limits
from publishing.content_checks.documents.model import Extraction, Usage

CHILD_MODULE = "publishing.content_checks.documents.sandbox"
#: The child's exit status when it ran out of memory outside the reader (writing its answer).
EXIT_MEMORY = 3
# The directory ``publishing`` is in: the child imports the package from there.
_ROOT = str(Path(__file__).resolve().parents[3])
_STDERR_KEEP = 8192
# How often the parent reads the running child's peak memory.
_POLL_SECONDS = 0.1
# What a process that hit RLIMIT_AS says when it dies of it in C code.
_MEMORY_WORDS = (
    b"MemoryError",
    b"Cannot allocate memory",
    b"bad_alloc",
    b"out of memory",
    b"failed to map segment",  # the loader, when the limit is too small to start Python
)


def _limit(memory_bytes, cpu_seconds):
    """Between fork and exec: only setrlimit calls, which take no locks, so this is safe in a
    worker with threads."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _environment():
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": _ROOT,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "LANG": "C.UTF-8",
    }


def high_water_mark(pid="self"):
    """The peak resident bytes of process ``pid`` so far (0 where /proc is not there)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class _Run:
    """What is known of a running child: its output, the end of its stderr, its peak."""

    def __init__(self):
        self.chunks = []
        self.errors = bytearray()
        self.peak = 0
        self.timed_out = False


def _communicate(process, request, deadline):
    """The ``_Run`` of ``process``: its output until it ends, or until ``deadline``, when its
    group is killed."""
    try:
        process.stdin.write(request)
        process.stdin.close()
    except BrokenPipeError:
        pass  # the child died before it read its request (no memory to start in): see below
    run = _Run()
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        selector.register(process.stderr, selectors.EVENT_READ)
        while selector.get_map():
            run.peak = max(run.peak, high_water_mark(process.pid))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.killpg(process.pid, signal.SIGKILL)
                run.timed_out = True
                return run
            for key, _events in selector.select(min(remaining, _POLL_SECONDS)):
                data = os.read(key.fd, 1 << 20)
                if not data:
                    selector.unregister(key.fileobj)
                elif key.fileobj is process.stdout:
                    run.chunks.append(data)
                else:
                    run.errors += data
                    del run.errors[:-_STDERR_KEEP]
    return run


def _reap(process):
    """(exit code, ``ru_maxrss`` in bytes) of the ended ``process``."""
    try:
        _pid, status, usage = os.wait4(process.pid, 0)
    except ChildProcessError:  # reaped elsewhere (a SIGCHLD handler): no usage to be had
        return process.wait(), 0
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


def _outcome(format, code, run):
    """(Extraction, the child's own peak or 0) of a child that ended with ``code``."""
    if code == 0:
        try:
            answer = json.loads(b"".join(run.chunks))
            return Extraction.from_json(answer["extraction"]), answer.get("peak_memory_bytes", 0)
        except (ValueError, TypeError, KeyError):
            return Extraction.unreadable(format, "corrupt"), 0
    return Extraction.unreadable(format, _failure(code, bytes(run.errors))), 0


def _failure(code, stderr):
    """The reason a child that did not answer failed for."""
    if code == EXIT_MEMORY or any(word in stderr for word in _MEMORY_WORDS):
        return "memory"
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return "timeout"  # RLIMIT_CPU: SIGXCPU, then SIGKILL a second later
    return "corrupt"


def extract_bounded(path, filename, limits=Limits()):  # noqa: B008 - Limits is frozen
    """``extract(path, filename, limits)`` in a child process: (Extraction, Usage).

    Over ``limits.wall_seconds`` or ``cpu_seconds``: unreadable "timeout"; out of
    ``memory_bytes``: "memory"; any other crash: "corrupt". ``Usage`` has the wall seconds and
    the child's peak resident memory.
    """
    format = format_of(filename) or Path(str(filename)).suffix.lower().lstrip(".")
    # The child runs in the package's directory: a relative path would point elsewhere there.
    request = json.dumps(
        {"path": os.path.abspath(path), "filename": str(filename), "limits": limits.to_json()}
    ).encode()
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-s", "-m", CHILD_MODULE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=functools.partial(_limit, limits.memory_bytes, limits.cpu_seconds),
        start_new_session=True,
        env=_environment(),
        cwd=_ROOT,
    )
    try:
        run = _communicate(process, request, started + limits.wall_seconds)
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        _reap(process)
        raise
    finally:
        process.stdout.close()
        process.stderr.close()
    code, maxrss = _reap(process)
    seconds = time.monotonic() - started
    if run.timed_out:
        extraction, own_peak = Extraction.unreadable(format, "timeout"), 0
    else:
        extraction, own_peak = _outcome(format, code, run)
    peak = own_peak or run.peak or maxrss
    return extraction, Usage(seconds=seconds, peak_memory_bytes=peak)


def main():
    """The child: read the request on stdin, write the extraction on stdout."""
    request = json.loads(sys.stdin.buffer.read())
    # Libraries' warnings about broken files go to stderr, which nobody reads but the parent
    # (for the word MemoryError); they can quote the file.
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    try:
        extraction = extract(
            request["path"], request["filename"], Limits.from_json(request["limits"])
        )
        answer = json.dumps(
            {"extraction": extraction.to_json(), "peak_memory_bytes": high_water_mark()},
            ensure_ascii=False,
        ).encode("utf-8")
    except MemoryError:
        sys.exit(EXIT_MEMORY)
    sys.stdout.buffer.write(answer)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
