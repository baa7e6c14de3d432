"""URLs of the extension: ``admin`` is mounted under the Wagtail admin by a hook; ``public`` is
for a site's own ``urls.py``."""
