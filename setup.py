"""The build compiles the extension's message catalogues (``.po`` to ``.mo``) into the package.

The ``.mo`` files are not kept in git, so a wheel built from a clean checkout or from the source
distribution would otherwise carry no translations at all. Everything else is in
``pyproject.toml``.
"""

from pathlib import Path

import polib
from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    """``build_py`` that also writes a ``.mo`` beside every ``.po`` of the package."""

    def run(self):
        super().run()
        for catalogue in Path(self.build_lib, "publishing").rglob("LC_MESSAGES/*.po"):
            polib.pofile(str(catalogue)).save_as_mofile(str(catalogue.with_suffix(".mo")))


setup(cmdclass={"build_py": BuildWithCatalogues})
