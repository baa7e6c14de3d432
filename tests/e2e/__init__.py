"""End-to-end tests in a real browser: Debian's Chromium driven by Playwright.

Chromium runs headless with the background networking flags off, since this machine has no
network beyond loopback. Screenshots of each step are kept in ``test-artifacts/``.
"""

import os
import shutil
import unittest
from pathlib import Path

from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium():
    """Skip where Chromium is not installed, but never in CI: there a missing browser fails."""
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError(f"Chromium not found at {CHROMIUM}; .ci/run must install it")
    raise unittest.SkipTest(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
