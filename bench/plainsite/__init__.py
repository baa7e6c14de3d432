"""A plain Wagtail page, without governance, to compare the governed news page against.

Installed only by ``config.settings.test`` (the tests and ``make bench`` use it); never in
production or development.
"""
