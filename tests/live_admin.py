"""The admin over real HTTP, as a browser sends it: sign in, read a form, post it.

Concurrency tests need requests that run at the same time against a live server, each in its own
thread and database connection, which the Django test client cannot do.
"""

import json

import requests

PASSWORD = "pw"  # the test factories' password


def editor_fields(html, page):
    """The fields the page editor's form sends for ``page``: what its HTML holds as a browser
    reads it, and the StreamFields its scripts draw (the load benchmark's readers of both)."""
    from bench.publishing_load import form_fields, stream_form_data

    return [*form_fields(html, "page-edit-form"), *stream_form_data(page).items()]


def post_data(fields):
    """Form pairs as Django's test client takes them: a list for a name sent more than once
    (a ``dict`` of the pairs would keep only the last audience of several)."""
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def panel_report(client, html, page):
    """The report the editor's governance panel loads once the editor ``html`` is shown: the
    editor's form, as the browser holds it for ``page``, posted to the panel's endpoint (as
    ``governance-panel.js`` does); the answer's HTML."""
    import re

    url = re.search(r'data-governance-report-url="([^"]+)"', html).group(1)
    response = client.post(url, post_data(editor_fields(html, page)))
    if response.status_code != 200:
        raise AssertionError(f"the panel's endpoint answered {response.status_code}")
    return response.content.decode()


class AdminSession:
    """One person signed in to the admin of a live server."""

    def __init__(self, base_url, user, language="nb"):
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = language
        self.get("/admin/login/")
        response = self.post(
            "/admin/login/",
            {"username": user.username, "password": PASSWORD},
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise AssertionError(f"{user.username} could not sign in: {response.status_code}")

    def url(self, path):
        return path if path.startswith("http") else self.base_url + path

    def get(self, path, **kwargs):
        return self.http.get(self.url(path), timeout=60, **kwargs)

    def post(self, path, data, **kwargs):
        """POST ``data`` with the CSRF token, as the admin's forms send it."""
        token = self.http.cookies.get("csrftoken", "")
        data = list(data.items()) if isinstance(data, dict) else list(data)
        data = [(k, v) for k, v in data if k != "csrfmiddlewaretoken"]
        headers = {"X-CSRFToken": token, "Referer": self.url(path), **kwargs.pop("headers", {})}
        return self.http.post(
            self.url(path),
            data=[("csrfmiddlewaretoken", token), *data],
            headers=headers,
            timeout=60,
            **kwargs,
        )

    def edit_form(self, page_id):
        """The page editor's form fields as the browser has them after opening the editor."""
        from wagtail.models import Page

        response = self.get(f"/admin/pages/{page_id}/edit/")
        response.raise_for_status()
        return editor_fields(response.text, Page.objects.get(pk=page_id).specific)

    def workflow_action(self, page_id, fields, action, extra=None, **kwargs):
        """Send the editor's form with a workflow action, as its footer button does."""
        data = [
            *fields,
            ("action-workflow-action", "true"),
            ("workflow-action-name", action),
            ("workflow-action-extra-data", json.dumps(extra or {})),
        ]
        return self.post(f"/admin/pages/{page_id}/edit/", data, allow_redirects=False, **kwargs)

    def autosave(self, page_id, fields):
        """The editor's autosave: the same form, answered as JSON."""
        return self.post(
            f"/admin/pages/{page_id}/edit/",
            fields,
            headers={"Accept": "application/json"},
            allow_redirects=False,
        )
