"""Per-container memory that expires: the one cache of the invoker (secrets, org settings).

A value is kept for ``ttl_seconds`` and then read again, so a change made outside the function (a rotated
key, a token another container stored, an org setting) is picked up without a redeploy; ``force`` reads
again at once, for when the value in memory was just shown to be wrong (a rejected token or key). Loading
is the caller's job: this module only decides whether memory may answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    """Values by key, each valid for ``ttl_seconds`` after it was stored."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._values: dict[str, tuple[float, V]] = {}

    def get(self, key: str) -> V | None:
        """The value, or None when there is none or it has expired."""
        entry = self._values.get(key)
        if entry is None or self._clock() - entry[0] >= self._ttl:
            return None
        return entry[1]

    def put(self, key: str, value: V) -> None:
        self._values[key] = (self._clock(), value)

    def get_or_load(self, key: str, load: Callable[[], V], *, force: bool = False) -> tuple[V, bool]:
        """(value, whether memory answered): memory unless expired or ``force``, else ``load()`` stored."""
        if not force:
            value = self.get(key)
            if value is not None:
                return value, True
        value = load()
        self.put(key, value)
        return value, False
