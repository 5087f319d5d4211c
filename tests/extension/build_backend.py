"""A small PEP 517 build backend, so the example extension builds with no network.

An extension would normally use setuptools or hatchling; the venv vrhub's tests run in may not
hold a backend that can build wheels, and CI may not reach a package index. This one needs only
the standard library: it reads ``pyproject.toml`` and packs the package, its metadata and its
entry points into a wheel (and the source into an sdist).
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _project() -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((HERE / "pyproject.toml").read_text("utf-8"))["project"]
    return project


def _stem(project: dict[str, Any]) -> str:
    return f"{project['name'].replace('-', '_')}-{project['version']}"


def _package_files(project: dict[str, Any]) -> list[Path]:
    package = HERE / project["name"].replace("-", "_")
    return sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)


def _metadata(project: dict[str, Any]) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project.get('description', '')}",
        f"Requires-Python: {project.get('requires-python', '>=3')}",
    ]
    lines += [f"Requires-Dist: {d}" for d in project.get("dependencies", [])]
    return "\n".join(lines) + "\n"


def _entry_points(project: dict[str, Any]) -> str:
    text = ""
    for group, points in project.get("entry-points", {}).items():
        text += f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in points.items()) + "\n"
    return text


def _hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def get_requires_for_build_wheel(config_settings: object = None) -> list[str]:
    return []


def get_requires_for_build_sdist(config_settings: object = None) -> list[str]:
    return []


def build_wheel(
    wheel_directory: str, config_settings: object = None, metadata_directory: object = None
) -> str:
    project = _project()
    stem = _stem(project)
    info = f"{stem}.dist-info"
    files = {p.relative_to(HERE).as_posix(): p.read_bytes() for p in _package_files(project)}
    files[f"{info}/METADATA"] = _metadata(project).encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: build_backend.py\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n"
    )
    files[f"{info}/entry_points.txt"] = _entry_points(project).encode()
    record = "".join(f"{name},{_hash(data)},{len(data)}\n" for name, data in files.items())
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    name = f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / name, "w", zipfile.ZIP_DEFLATED) as whl:
        for path, data in files.items():
            whl.writestr(path, data)
    return name


def build_sdist(sdist_directory: str, config_settings: object = None) -> str:
    project = _project()
    stem = _stem(project)
    name = f"{stem}.tar.gz"
    sources = [HERE / "pyproject.toml", HERE / "build_backend.py", *_package_files(project)]
    with tarfile.open(Path(sdist_directory) / name, "w:gz") as sdist:
        for path in sources:
            sdist.add(path, arcname=f"{stem}/{path.relative_to(HERE).as_posix()}")
        pkg_info = _metadata(project).encode()
        entry = tarfile.TarInfo(f"{stem}/PKG-INFO")
        entry.size = len(pkg_info)
        sdist.addfile(entry, io.BytesIO(pkg_info))
    return name
