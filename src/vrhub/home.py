"""The home folder: all of a partnership's state lives here.

Layout::

    HOME/
      vrhub.toml                 what this home is (partnership, created, vrhub version)
      partnership.toml           the partnership's districts
      secrets/pseudonymisation.key   the HMAC key, mode 600
      analytical.duckdb          the analytical store (events, reference data, batch log)
      ingest-reports/            a CSV of problems for each ingested file
      tmp/                       spill space for the analytical store

Everything in a home is private to the user who runs vrhub: the folders are created with mode
700 and the files with mode 600 (the command line also sets its umask to 077, so files written
later, such as reports and logs, are private too).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from vrhub import __version__
from vrhub.errors import HomeNotFoundError, PartnershipError
from vrhub.partnership import Partnership, parse_partnership
from vrhub.pseudonymise import PseudonymisationKey, generate_key_file, read_key_file
from vrhub.settings import Settings

MARKER = "vrhub.toml"

#: The modes of what vrhub creates in a home: readable by the user who runs it alone.
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


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
    private_folder(root)
    write_private(root / "partnership.toml", partnership.to_toml())
    generate_key_file(settings.resolved_key_file)
    private_folder(root / "ingest-reports")
    private_folder(root / "tmp")
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    write_private(
        marker,
        f'partnership = "{partnership.slug}"\ncreated = "{created}"\n'
        f'vrhub_version = "{__version__}"\n',
    )
    return open_home(settings), True


def private_folder(path: Path) -> None:
    """Create a folder that only its owner can open (mode 700); an empty folder given as the
    home is made so too. Folders above it are left as they are."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    # Someone else's empty folder keeps its mode: what vrhub writes in it is private.
    with contextlib.suppress(PermissionError):
        os.chmod(path, PRIVATE_FOLDER)


def write_private(path: Path, text: str) -> None:
    """Write a text file only its owner can read (mode 600, whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, PRIVATE_FILE)


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
