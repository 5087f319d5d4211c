"""The vrhub command line: a thin layer over the library.

Errors vrhub raises on purpose (:class:`vrhub.errors.VrhubError`) are printed as one clear
line on standard error and the command exits with status 1.

The modules that define the commands (``data``, ``governance``, ``measures``, ``reports``,
``web``) are imported only when one of their commands runs (see :mod:`vrhub.cli.common`), so
``vrhub --help`` and ``vrhub version`` start at once.

Everything a command writes is private to the user who runs it: the process's umask is 077
while the command runs, so new files are mode 600 and new folders 700 (see
:mod:`vrhub.home`).
"""

from __future__ import annotations

import os
import sys

import typer

from vrhub.cli.common import app, close_hubs, err
from vrhub.errors import VrhubError

#: The umask of a running command: what it creates only its user can read.
PRIVATE_UMASK = 0o077


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; VrhubErrors become one line on stderr and exit status 1."""
    command = typer.main.get_command(app)
    umask = os.umask(PRIVATE_UMASK)
    os.umask(umask | PRIVATE_UMASK)  # never looser than the user's own
    try:
        command.main(args=argv, prog_name="vrhub", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0)
    except VrhubError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return 1
    except Exception as exc:
        if type(exc).__module__.startswith("_duckdb") and "read-only mode" in str(exc):
            # A write to the store opened for reading alongside another process that holds it
            # (see vrhub.hub), met before any of vrhub's own checks: said in one line.
            from vrhub.store.analytical import HELD_FOR_READING

            err.print(f"error: {HELD_FOR_READING}", markup=False, highlight=False)
            return 1
        raise
    finally:
        close_hubs()
        os.umask(umask)
    return 0


def entry() -> None:
    sys.exit(main())
