"""A workflow approval sent twice, or racing a stale save or an autosave, against gunicorn.

``DATABASE_URL=postgres://... python -m bench.workflow_races [--rounds 16] [--workers 2]``

Serves a throwaway PostgreSQL database with the production settings under gunicorn (as
``publishing-web.service`` does) and, for each round, has a leader's deputy approve a new
internal notice from the page editor while a second request races it from the same browser:

- ``double``: the same approval sent again (a double click, or the form resent);
- ``stale save``: "Save draft" of the form loaded before the approval;
- ``autosave``: the editor's autosave (JSON) with the approval's inputs still in the form.

The second request leaves 0 to 0.4 s after the first. A round is broken when an answer is a
server error, or the notice's record and state disagree: live without exactly one publish on
record, or a publish on record and not live. A round where the approval was refused with a
reason and nothing was published is not broken (a save that changed the page since the deputy
opened it asks her to look again). It prints how many rounds of each kind broke.
Nothing here is a test (``tests/publishing/test_workflow_races.py`` is); the numbers are for
people to read, e.g. to compare two versions of the code.
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from bench.publishing_load import (  # noqa: E402
    Browser,
    form_fields,
    require_postgresql,
    stream_form_data,
    throwaway_database,
)
from bench.serving import Gunicorn, free_port, production_env, say  # noqa: E402

HOST = "alvdal.localhost"
KINDS = ("double", "stale save", "autosave")
PASSWORD = "pw"  # noqa: S105 (the throwaway database's deputy)


def approval_fields(browser, notice):
    """The editor's form as the deputy loaded it, and the same with the approval clicked."""
    from tests.governance import warning_reasons

    _status, _location, page, _ms = browser.request("GET", f"/admin/pages/{notice.pk}/edit/")
    fields = form_fields(page, "page-edit-form") + list(stream_form_data(notice).items())
    extra = {
        "comment": "",
        "revision": notice.latest_revision_id,
        "acknowledgements": warning_reasons(notice),
    }
    approve = fields + [
        ("action-workflow-action", "true"),
        ("workflow-action-name", "approve"),
        ("workflow-action-extra-data", json.dumps(extra)),
    ]
    return fields, approve


def race(browser, first, second, delay):
    """Send ``first`` and, ``delay`` seconds later, ``second``; their statuses."""
    statuses = [None, None]

    def send(index, request):
        if index:
            time.sleep(delay)
        try:
            statuses[index] = request()[0]
        except OSError:
            statuses[index] = 599

    threads = [threading.Thread(target=send, args=pair) for pair in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def one_round(kind, browser, g, number, delay):
    """Approve a new notice while the ``kind`` of second request races it; why it broke."""
    from tests.governance import notice_at_leader

    notice = notice_at_leader(g, number)
    path = f"/admin/pages/{notice.pk}/edit/"
    fields, approve = approval_fields(browser, notice)
    second = {
        "double": lambda: browser.request("POST", path, approve),
        "stale save": lambda: browser.request("POST", path, fields),
        "autosave": lambda: browser.request("POST", path, approve, json=True),
    }[kind]
    statuses = race(browser, lambda: browser.request("POST", path, approve), second, delay)
    return outcome(notice, statuses)


def outcome(notice, statuses):
    """``"published"``, ``"refused"`` (nothing published and nothing says so), or why the round
    is broken: a server error, or a record that disagrees with the notice."""
    from wagtail.models import PageLogEntry

    from tests.governance import reload

    notice = reload(notice)
    published = PageLogEntry.objects.filter(page=notice, action="wagtail.publish").count()
    if any(status >= 500 for status in statuses):
        return f"broken: server error {statuses}"
    if notice.live != (published == 1) or published > 1:
        return f"broken: live={notice.live} with {published} publish(es) on record"
    return "published" if notice.live else "refused"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=16, help="rounds of each kind")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args(argv)
    url = require_postgresql()
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.test.utils import setup_test_environment

    from tests.governance import build_governed

    setup_test_environment()
    with throwaway_database(url) as database_url, tempfile.TemporaryDirectory() as workdir:
        g = build_governed()
        # Production's password hashers, not the tests' fast one.
        g.deputy.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
        g.deputy.save(update_fields=["password"])
        port = free_port()
        env = production_env(database_url, [HOST, "127.0.0.1"], port, workdir)
        with Gunicorn(env, port, args.workers, workdir) as server:
            server.wait_until_serving(HOST)
            browser = Browser(port, HOST)
            browser.login(g.deputy.username, PASSWORD)
            results = {kind: [] for kind in KINDS}
            for round_number in range(args.rounds):
                delay = 0.4 * round_number / max(1, args.rounds - 1)
                for kind in KINDS:
                    number = round_number * len(KINDS) + KINDS.index(kind)
                    results[kind].append(one_round(kind, browser, g, number, delay))
    say(f"Workflow races against gunicorn ({args.workers} workers, PostgreSQL), 0-0.4 s apart:")
    for kind, outcomes in results.items():
        counts = {name: outcomes.count(name) for name in sorted(set(outcomes))}
        broke = sum(count for name, count in counts.items() if name.startswith("broken"))
        say(f"  {kind:11} {broke} of {len(outcomes)} broke")
        for name, count in counts.items():
            say(f"      {count} x {name}")


if __name__ == "__main__":
    main()
