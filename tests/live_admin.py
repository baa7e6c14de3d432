"""The admin over real HTTP, as a browser sends it: sign in, read a form, post it.

Concurrency tests need requests that run at the same time against a live server, each in its own
thread and database connection, which the Django test client cannot do.
"""

import json

import requests
from bs4 import BeautifulSoup

PASSWORD = "pw"  # the test factories' password


def form_fields(html, form_id):
    """The fields a browser would send for the form ``form_id`` of ``html``, as a list of pairs.

    Submit buttons are left out (the caller adds the one it clicks), unchecked boxes send
    nothing, a select sends its selected options, an empty StreamField its count.
    """
    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    if form is None:
        raise AssertionError(f"no form #{form_id} in the page")
    fields = []
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "textarea":
            fields.append((name, element.text))
        elif element.name == "select":
            chosen = [o for o in element.find_all("option") if o.has_attr("selected")]
            if not chosen and not element.has_attr("multiple"):
                chosen = element.find_all("option")[:1]
            fields.extend((name, o.get("value", o.text)) for o in chosen)
        else:
            kind = (element.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "file", "reset"}:
                continue
            if kind in {"checkbox", "radio"} and not element.has_attr("checked"):
                continue
            fields.append((name, element.get("value", "on" if kind == "checkbox" else "")))
    for stream in form.select('[data-controller~="w-block"]'):
        # A StreamField's inputs are drawn by script; an empty one sends just its count.
        value = json.loads(stream.get("data-w-block-arguments-value", "[[]]"))[0]
        if value:
            raise AssertionError(f"stream field {stream.get('id')} has blocks: not supported")
        fields.append((f"{stream.get('id')}-count", "0"))
    return fields


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
        response = self.get(f"/admin/pages/{page_id}/edit/")
        response.raise_for_status()
        return form_fields(response.text, "page-edit-form")

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
