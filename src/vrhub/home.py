"""The home folder: all of a partnership's state lives here.

Layout::

    HOME/
      vrhub.toml                 what this home is (partnership, created, vrhub version)
      partnership.toml           the partnership's districts
      secrets/pseudonymisation.key   the HMAC key, mode 600
      analytical.duckdb          the analytical store (events, reference data, batch log)
      ingest-reports/            a CSV of problems for each ingested file
      tmp/                       spill space for the analytical store
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from vrhub import __version__
from vrhub.errors import HomeNotFoundError, PartnershipError
from vrhub.partnership import Partnership, parse_partnership
from vrhub.pseudonymise import PseudonymisationKey, generate_key_file, read_key_file
from vrhub.settings import Settings

MARKER = "vrhub.toml"


@dataclass(frozen=True)
class Home:
    """An initialised home folder, its settings, partnership and validated key."""

    settings: Settings
    partnership: Partnership
    key: PseudonymisationKey

    @property
    def path(self) -> Path:
        return self.settings.home

    @property
    def store_path(self) -> Path:
        return self.path / "analytical.duckdb"

    @property
    def reports_dir(self) -> Path:
        return self.path / "ingest-reports"

    @property
    def tmp_dir(self) -> Path:
        return self.path / "tmp"


def init_home(settings: Settings, partnership: Partnership) -> tuple[Home, bool]:
    """Create the home (or confirm an existing one for the same partnership).

    Returns the home and whether it was newly created. An existing home for a different
    partnership is refused rather than overwritten.
    """
    root = settings.home
    marker = root / MARKER
    if marker.exists():
        home = open_home(settings)
        if home.partnership.district_codes != partnership.district_codes:
            raise PartnershipError(
                f"{root} is already the home of {home.partnership.name}; "
                "choose an empty folder for another partnership"
            )
        return home, False
    if root.exists() and any(root.iterdir()):
        raise HomeNotFoundError(
            f"{root} is not empty and is not a vrhub home; choose a new or empty folder"
        )
    root.mkdir(parents=True, exist_ok=True)
    (root / "partnership.toml").write_text(partnership.to_toml(), encoding="utf-8")
    generate_key_file(settings.resolved_key_file)
    (root / "ingest-reports").mkdir(exist_ok=True)
    (root / "tmp").mkdir(exist_ok=True)
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    marker.write_text(
        f'partnership = "{partnership.slug}"\ncreated = "{created}"\n'
        f'vrhub_version = "{__version__}"\n',
        encoding="utf-8",
    )
    return open_home(settings), True


def open_home(settings: Settings) -> Home:
    """Open an initialised home, validating its partnership and key."""
    root = settings.home
    if not (root / MARKER).is_file():
        raise HomeNotFoundError(
            f"{root} is not a vrhub home: create it with `vrhub init --home {root} "
            "--partnership west-yorkshire` (or another partnership)"
        )
    tomllib.loads((root / MARKER).read_text(encoding="utf-8"))
    ptext = (root / "partnership.toml").read_text(encoding="utf-8")
    partnership = parse_partnership(ptext, where=str(root / "partnership.toml"))
    key = read_key_file(settings.resolved_key_file)
    return Home(settings=settings, partnership=partnership, key=key)
