"""The legal archive of everything published.

Each time a public page is published (every door: the editor, the workflow, scheduled publishing,
bulk actions, the APIs, code, copies and aliases), withdrawn, unpublished or deleted, the task
worker captures what a citizen received at that moment: the page as the site served it, with the
stylesheets, images and documents it references, as a WARC file (ISO 28500), with the metadata a
records officer needs and a SHA-256 of every record (``capture``).

- ``guard``: the database refuses to change or delete a capture.
- ``chain``: each capture's digest covers the previous one's; ``manage.py verify_archive`` finds a
  changed byte, a changed row and a missing capture.
- ``storage``: where the WARC files go (local disk, read-only; or S3 with object lock).
- ``warc``: writing and reading the files (warcio).
- ``rendering`` and ``resources``: the page and what it references, fetched through the site's
  own request handling, without the network.
"""
