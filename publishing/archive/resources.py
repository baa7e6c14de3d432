"""What a page references that the archive keeps with it: stylesheets (and the fonts and images
they name), scripts, images in every size the page offers, icons, and documents it links to."""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.urls import Resolver404, resolve

#: Links to these views are documents: kept with the page that links them.
DOCUMENT_VIEWS = {"wagtaildocs_serve", "wagtaildocs_serve_legacy"}

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


class _References(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        rel = attrs.get("rel", "").lower().split()
        if tag == "link" and ({"stylesheet", "icon", "apple-touch-icon"} & set(rel)):
            self.found.append(attrs.get("href", ""))
        elif tag in ("img", "source", "script", "video", "audio", "track", "input"):
            self.found.append(attrs.get("src", ""))
            self.found.extend(_srcset(attrs.get("srcset", "")))
            self.found.append(attrs.get("poster", ""))
        elif tag == "a":
            self.links.append(attrs.get("href", ""))


def _srcset(value):
    return [candidate.strip().split()[0] for candidate in value.split(",") if candidate.strip()]


def _absolute(base, references):
    seen = []
    for reference in references:
        reference = reference.strip()
        if not reference or reference.startswith(("data:", "javascript:", "mailto:", "tel:")):
            continue
        url = urldefrag(urljoin(base, reference))[0]
        if urlsplit(url).scheme in ("http", "https") and url not in seen:
            seen.append(url)
    return seen


def _is_document(url, site_netloc):
    parts = urlsplit(url)
    if parts.netloc != site_netloc:
        return False
    try:
        return resolve(parts.path).url_name in DOCUMENT_VIEWS
    except Resolver404:
        return False


def in_html(base_url, html):
    """The absolute addresses of what ``html`` (served at ``base_url``) loads to be shown, and
    of the site's documents it links to."""
    parser = _References()
    parser.feed(html)
    parser.close()
    netloc = urlsplit(base_url).netloc
    documents = [url for url in _absolute(base_url, parser.links) if _is_document(url, netloc)]
    return _absolute(base_url, parser.found + documents)


def in_css(base_url, css):
    """The absolute addresses a stylesheet served at ``base_url`` loads (fonts, images,
    imported stylesheets)."""
    references = [match.group(2) or match.group(4) for match in _CSS_URL.finditer(css)]
    return _absolute(base_url, references)
