"""Where the extension reaches into Wagtail beyond its hooks, written against Wagtail 8.0.

Each module here names the Wagtail internals it relies on; re-read them when Wagtail is upgraded
(the tests that cover each one fail when an internal changes shape).
"""
