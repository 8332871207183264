"""What a service remembers having done, so a copy of a message changes nothing.

A broker that delivers at least once, or a caller that sends again, makes a service see
the same message id twice; it must answer the copy as it answered the first and act only
once. Remembering every id forever makes memory grow with finished work, so, like a real
idempotency store with an expiry, :class:`Remembered` keeps the most recent ones: at least
the last ``limit // 2`` and at most ``limit`` (None: every one). It keeps two tables: when
the newer one is full it becomes the older one and the oldest table is dropped, all at once.
"""
from __future__ import annotations

from typing import Any


class Remembered:
    """Message id -> what was done about it, for the latest ``limit`` ids or so (see above)."""

    __slots__ = ("limit", "_newer", "_older")

    def __init__(self, limit: int | None = 10_000):
        if limit is not None and (not isinstance(limit, int) or limit < 2):
            raise ValueError(f"remember at least 2 messages (got limit={limit!r}); None "
                             "remembers every one")
        self.limit = limit
        self._newer: dict[str, Any] = {}
        self._older: dict[str, Any] = {}

    def get(self, message_id: str, default=None):
        """What was done about ``message_id``, or ``default`` if it is not remembered."""
        found = self._newer.get(message_id, _MISSING)
        if found is _MISSING:
            found = self._older.get(message_id, default)
        return found

    def put(self, message_id: str, value: Any) -> None:
        """Remember ``value`` for ``message_id`` (as the newest)."""
        self._older.pop(message_id, None)
        newer = self._newer
        newer[message_id] = value
        if self.limit is not None and len(newer) >= self.limit // 2:
            self._older, self._newer = newer, {}

    def forget(self, message_id: str) -> None:
        """Forget ``message_id`` (nothing happens if it is not remembered)."""
        self._newer.pop(message_id, None)
        self._older.pop(message_id, None)

    def __contains__(self, message_id: str) -> bool:
        return message_id in self._newer or message_id in self._older

    def __len__(self) -> int:
        return len(self._newer) + len(self._older)

    def __bool__(self) -> bool:
        return bool(self._newer) or bool(self._older)

    def __repr__(self) -> str:
        return f"<Remembered {len(self)} of at most {self.limit}>"


_MISSING = object()
