"""A digest of code, word lists and library versions: what a kept check result was made with.

Kept results (a live page's text check, a document's check, a shared text analysis) hold only
while the checks that made them are the same; a changed word list, rule or library makes the
digest differ and the result be made anew.
"""

import hashlib
from importlib import metadata
from pathlib import Path

#: The package the paths are relative to.
PACKAGE = Path(__file__).resolve().parent


def fingerprint(sources, libraries):
    """The digest of ``sources`` (paths below the package: files, or folders read whole) and
    the installed versions of ``libraries``."""
    digest = hashlib.sha256()
    files = []
    for name in sources:
        path = PACKAGE / name
        if not path.exists():
            raise FileNotFoundError(path)  # a moved module must not drop out of the digest
        files.extend(sorted(path.rglob("*")) if path.is_dir() else [path])
    for path in files:
        if path.is_file() and path.suffix in {".py", ".json", ".txt"}:
            digest.update(str(path.relative_to(PACKAGE)).encode())
            digest.update(path.read_bytes())
    for library in libraries:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    return digest.hexdigest()
