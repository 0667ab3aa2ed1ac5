"""Extract, merge and compile the catalogs: `make catalogs` (or `.venv/bin/python -m i18n.catalogs`).

For each domain (i18n.SOURCES): `pybabel extract` of its sources into i18n/<domain>.pot, `pybabel update` (or
`init` the first time) of i18n/locale/zh/LC_MESSAGES/<domain>.po, and `pybabel compile` to its .mo. The
templates carry no source locations and are sorted, so that a catalog's diff shows only changed messages.
Babel is a development tool here (requirements-dev.txt); the app reads the .mo files with the standard library.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

from i18n import DOMAINS, LOCALE_DIR, SOURCES

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = ["-k", "_", "-k", "N_", "-k", "ngettext:1,2"]


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def template(domain: str) -> Path:
    return ROOT / "i18n" / f"{domain}.pot"


def main(domains: list[str]) -> None:
    for domain in domains:
        pot = template(domain)
        sources = [str(ROOT / s) for s in SOURCES[domain]]
        pybabel(
            "extract", "--no-default-keywords", *KEYWORDS, "--no-location", "--sort-output",
            "--project", "Optimizer Lab", "--charset", "utf-8", "-F", str(ROOT / "i18n" / "babel.cfg"),
            "-o", str(pot), *sources,
        )  # fmt: skip
        po = LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{domain}.po"
        if po.exists():
            pybabel("update", "-D", domain, "-i", str(pot), "-d", str(LOCALE_DIR), "-l", "zh", "--no-wrap",
                    "--ignore-obsolete", "--no-fuzzy-matching")  # fmt: skip
        else:
            pybabel("init", "-D", domain, "-i", str(pot), "-d", str(LOCALE_DIR), "-l", "zh", "--no-wrap")
        pybabel("compile", "-D", domain, "-d", str(LOCALE_DIR), "-l", "zh", "--use-fuzzy")
        print(f"{domain}: {po.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(DOMAINS))
