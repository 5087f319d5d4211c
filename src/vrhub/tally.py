"""A count of records that carries its cell key, so disclosure control can publish it.

The measures engine and every other counter return :class:`Tally` values; only
:mod:`vrhub.disclosure` reads the key (see its notes for the method). A tally is an ``int`` in
every other way, so figures, sums and formatting work unchanged.

Example (runnable)::

    >>> a, b = Tally(3, key=10), Tally(4, key=MODULUS - 1)
    >>> both = a + b
    >>> int(both), both.key, (both - a).key
    (7, 9, 4294967295)
    >>> sum([a, b], 0).key == both.key
    True
"""

from __future__ import annotations

#: Cell keys are sums of record keys modulo this.
MODULUS = 2**32


class Tally(int):
    """A count of records with its cell key (the sum of their record keys modulo 2³²).

    Adding or subtracting tallies adds or subtracts their keys, so a total or a remainder keeps
    the key of exactly the records it counts. Mixing a tally with any other non-zero number
    gives a plain ``int``, which :func:`publish` refuses outside the analyst tier.
    """

    key: int

    def __new__(cls, count: int, key: int = 0) -> Tally:
        made = super().__new__(cls, count)
        made.key = int(key) % MODULUS
        return made

    def __add__(self, other: int) -> int:
        if isinstance(other, Tally):
            return Tally(int(self) + int(other), self.key + other.key)
        if other == 0:
            return self
        return int(self) + int(other)

    __radd__ = __add__

    def __sub__(self, other: int) -> int:
        if isinstance(other, Tally):
            return Tally(int(self) - int(other), self.key - other.key)
        if other == 0:
            return self
        return int(self) - int(other)
