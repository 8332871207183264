"""History: an append-only record of everything that happened, in virtual time.

Every message sent, queued, delivered, handled, failed, retried and answered, every
fault switched on or off and every state change is appended as a :class:`Record`. Views,
monitoring and time travel read it; nothing ever edits it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterator

# What a record can say happened. The strings are the JSON form too.
SENT = "sent"                  # a message left its sender
ENQUEUED = "enqueued"          # it waits in the receiver's inbox (queued transport)
DELIVERED = "delivered"        # it reached the receiver
DUPLICATE = "duplicate"        # the receiver had seen this message id already: no effect
HANDLED = "handled"            # an attempt succeeded
FAILED = "failed"              # an attempt failed (a fault, an exception or a rejection)
RETRIED = "retried"            # the receiver will try again after a backoff
REPLIED = "replied"            # the receiver answered a command
PUBLISHED = "published"        # an event was published to its subscribers
UNAVAILABLE = "unavailable"    # a direct call found the receiver down: refused at once
TIMED_OUT = "timed_out"        # the caller stopped waiting for a reply
LATE_REPLY = "late_reply"      # a reply came after the caller stopped waiting: ignored
LOST = "lost"                  # a direct reply found its caller down: it is gone
FAULT_ON = "fault_on"          # a fault was switched on
FAULT_OFF = "fault_off"        # a fault was switched off
STATE = "state"                # a workflow instance changed state

KINDS = (SENT, ENQUEUED, DELIVERED, DUPLICATE, HANDLED, FAILED, RETRIED, REPLIED, PUBLISHED,
         UNAVAILABLE, TIMED_OUT, LATE_REPLY, LOST, FAULT_ON, FAULT_OFF, STATE)


@dataclass(frozen=True, slots=True)
class Record:
    """One thing that happened: when, what kind, to which instance, between whom."""

    seq: int
    time: float
    kind: str
    correlation_id: str = ""
    sender: str = ""
    receiver: str = ""
    message_type: str = ""
    message_id: str = ""
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The record as JSON data (its detail is shared, not copied: records never change)."""
        return {"seq": self.seq, "time": self.time, "kind": self.kind,
                "correlation_id": self.correlation_id, "sender": self.sender,
                "receiver": self.receiver, "message_type": self.message_type,
                "message_id": self.message_id, "detail": self.detail}


class History:
    """The append-only list of records, indexed by instance for quick look-ups."""

    def __init__(self, clock=None):
        self._clock = clock
        self._records: list[Record] = []
        self._by_instance: dict[str, list[Record]] = {}

    def append(self, kind: str, **fields) -> Record:
        """Record that ``kind`` happened now; returns the record."""
        if kind not in KINDS:
            raise ValueError(f"unknown history kind {kind!r}; use one of {', '.join(KINDS)}")
        time = self._clock.now if self._clock is not None else 0.0
        record = Record(len(self._records), time, kind, **fields)
        self._add(record)
        return record

    def _add(self, record: Record) -> None:
        self._records.append(record)
        if record.correlation_id:
            self._by_instance.setdefault(record.correlation_id, []).append(record)

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records)

    def __getitem__(self, index):
        return self._records[index]

    @property
    def instances(self) -> list[str]:
        """Correlation ids that appear in the history, in order of first appearance."""
        return list(self._by_instance)

    def for_instance(self, correlation_id: str) -> list[Record]:
        """Everything that happened to one workflow instance, in order."""
        return list(self._by_instance.get(correlation_id, ()))

    def for_service(self, name: str) -> list[Record]:
        """Everything a service sent or received, in order."""
        return [r for r in self._records if name in (r.sender, r.receiver)]

    def of_kind(self, *kinds: str) -> list[Record]:
        """Records of the given kinds, in order."""
        return [r for r in self._records if r.kind in kinds]

    def where(self, **criteria) -> list[Record]:
        """Records whose fields equal every criterion: ``where(kind="failed", receiver="payment")``."""
        unknown = set(criteria) - set(Record.__dataclass_fields__)
        if unknown:
            raise ValueError(
                f"records have no field(s) {', '.join(sorted(unknown))}; "
                f"filter on {', '.join(Record.__dataclass_fields__)}"
            )
        return [r for r in self._records
                if all(getattr(r, key) == value for key, value in criteria.items())]

    def _repr_html_(self) -> str:
        from .views.table import history_table
        return history_table(self._records)

    def to_json(self) -> str:
        """The whole history as JSON text; equal histories give byte-equal text."""
        return json.dumps([r.to_dict() for r in self._records], sort_keys=True,
                          separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "History":
        """A history read back from :meth:`to_json` (detached from any clock)."""
        try:
            rows = json.loads(text)
            history = cls()
            for row in rows:
                if row.get("kind") not in KINDS:
                    raise ValueError(f"unknown kind {row.get('kind')!r}")
                history._add(Record(**row))
        except (ValueError, TypeError, AttributeError) as error:
            raise ValueError(
                f"this is not a history written by History.to_json ({error}); "
                "pass the text that to_json returned"
            ) from None
        return history
