from django.apps import AppConfig


class PlainSiteConfig(AppConfig):
    """A plain news page for the query-parity test and the render benchmark."""

    name = "bench.plainsite"
    label = "plainsite"
    verbose_name = "Plain site (benchmark only)"
    default_auto_field = "django.db.models.BigAutoField"
