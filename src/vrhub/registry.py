"""One shape for every registry of named things: dataset standards, measures, report sections.

A :class:`Registry` is filled from one group of Python entry points. vrhub declares its
built-ins in its own ``pyproject.toml`` exactly as an installed extension declares its own, so
nothing tells the two apart. The group is read the first time the registry is asked for
anything, once per process; :meth:`Registry.register` adds an item by hand as well (for a
script or a test).

Example (runnable)::

    >>> colours = Registry("example.colours", "colour", str, str.lower, expect_builtins=False)
    >>> colours.register("Red")
    'Red'
    >>> colours.get("red")
    'Red'
    >>> colours.get("blue")
    Traceback (most recent call last):
    ...
    vrhub.errors.UnknownNameError: no colour is called 'blue' (known: red)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

from vrhub.errors import (
    DuplicateNameError,
    ExtensionError,
    RegistryError,
    UnknownNameError,
    VrhubError,
)

T = TypeVar("T")

#: Builds the error for a name nobody registered, from the name and the names known.
Unknown = Callable[[str, Sequence[str]], VrhubError]


class Registry(Generic[T]):
    """Named items of one type, loaded once from the entry-point group ``group``.

    ``kind`` names an item in messages ("dataset standard"); ``name_of`` gives an item's name,
    which must equal the name of the entry point that provides it; ``unknown`` builds the error
    raised for a name nobody registered. With ``expect_builtins`` an empty group is an error:
    vrhub's own entry points are missing, so its installation is out of date.
    """

    def __init__(
        self,
        group: str,
        kind: str,
        item_type: type[T],
        name_of: Callable[[T], str],
        unknown: Unknown | None = None,
        expect_builtins: bool = True,
    ) -> None:
        self.group = group
        self.kind = kind
        self.item_type = item_type
        self.name_of = name_of
        self._unknown = unknown or self._default_unknown
        self.expect_builtins = expect_builtins
        self._items: dict[str, T] = {}
        self._loaded = False
        self._loading = False
        self._lock = threading.RLock()

    def register(self, item: T) -> T:
        """Add an item; a name may be used once (registering the same item again is harmless)."""
        with self._lock:
            self._load()
            self._add(item, origin="registered by hand")
        return item

    def get(self, name: str) -> T:
        """The item called ``name``, or the registry's error listing the names it knows."""
        items = self._ready()
        try:
            return items[name]
        except KeyError:
            raise self._unknown(name, sorted(items)) from None

    def all(self) -> list[T]:
        """Every item, in order of name."""
        items = self._ready()
        return [items[n] for n in sorted(items)]

    def names(self) -> list[str]:
        return sorted(self._ready())

    def reload(self) -> None:
        """Forget every item: the next question reads the entry points again (after an
        extension is installed or removed while the process runs)."""
        with self._lock:
            self._items = {}
            self._loaded = False

    # -- loading ---------------------------------------------------------------------------
    def _ready(self) -> dict[str, T]:
        if not self._loaded:
            with self._lock:
                self._load()
        return self._items

    def _load(self) -> None:
        if self._loaded:
            return
        found = sorted(entry_points(group=self.group), key=lambda ep: ep.name)
        if not found and self.expect_builtins:
            raise RegistryError(
                f"no {self.kind} is installed (the entry-point group {self.group} is empty): "
                "vrhub's own entry points are missing, so reinstall it with "
                "`pip install --no-deps -e .` (or `make install`)"
            )
        if self._loading:
            raise RegistryError(
                f"the {self.kind}s were asked for while they were being loaded: a module named "
                f"in the entry-point group {self.group} asks for them when it is imported; ask "
                "inside a function instead"
            )
        self._loading = True
        try:
            for ep in found:
                self._add(self._load_one(ep), origin=_origin(ep))
        finally:
            self._loading = False
        self._loaded = True

    def _load_one(self, ep: EntryPoint) -> T:
        try:
            item = ep.load()
        except Exception as exc:
            raise ExtensionError(
                f"the {self.kind} '{ep.name}' ({_origin(ep)}) cannot be loaded: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(item, self.item_type):
            raise ExtensionError(
                f"the {self.kind} '{ep.name}' ({_origin(ep)}) is a {type(item).__name__}, not "
                f"a {self.item_type.__name__}"
            )
        name = self.name_of(item)
        if name != ep.name:
            raise ExtensionError(
                f"the entry point '{ep.name}' ({_origin(ep)}) gives a {self.kind} called "
                f"'{name}': the two names must be the same"
            )
        return item

    def _add(self, item: T, origin: str) -> None:
        name = self.name_of(item)
        held = self._items.get(name)
        if held is not None and held is not item:
            raise DuplicateNameError(
                f"two {self.kind}s are called '{name}' (the second is {origin}): rename one "
                "or uninstall the extension that repeats it"
            )
        self._items[name] = item

    def _default_unknown(self, name: str, known: Sequence[str]) -> VrhubError:
        return UnknownNameError(f"no {self.kind} is called '{name}' (known: {', '.join(known)})")


def _origin(ep: EntryPoint) -> str:
    """Where an entry point comes from, for messages: its package and target."""
    package = ep.dist.name if ep.dist is not None else "an unknown package"
    return f"{ep.value} in {package}, group {ep.group}"
